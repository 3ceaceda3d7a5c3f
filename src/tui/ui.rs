//! Drawing: the frame (tabs, body, status bar) and shared widgets. Each view lives in `views/`.
//! Drawing reads the app and records click areas (`App::hits`) and the page size; it never
//! changes what the user sees selected.

use super::action::Action;
use super::app::{App, Mode, View};
use super::views;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    if area.width < 20 || area.height < 5 {
        frame.render_widget(Paragraph::new("terminal too small"), area);
        return;
    }
    let input = app.mode != Mode::Normal;
    let [tabs, body, input_area, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(input)),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, app, tabs);
    app.hits.list = None;
    app.hits.header.clear();
    app.hits.header_y = None;
    match &app.data {
        None => draw_loading(frame, app, body),
        Some(_) => match app.view {
            View::Overview => views::overview::draw(frame, app, body),
            View::People => views::people::draw(frame, app, body),
            View::Journey => views::journey::draw(frame, app, body),
            View::Dropoffs => views::dropoffs::draw(frame, app, body),
            View::Workflow => views::workflow::draw(frame, app, body),
            View::Triage => views::triage::draw(frame, app, body),
            View::DevRel => views::devrel::draw(frame, app, body),
            View::Help => views::help::draw(frame, app, body),
        },
    }
    if input {
        draw_input(frame, app, input_area);
    }
    draw_status(frame, app, status);
    sanitize_buffer(frame);
}

/// The one sanitiser over everything drawn (docs/safety.md): names, titles and bodies come
/// from strangers, so a control, bidi or zero-width character never reaches the terminal raw.
pub fn sanitize_buffer(frame: &mut Frame) {
    for cell in frame.buffer_mut().content.iter_mut() {
        if let Some(clean) = crate::sanitize::cell_symbol(cell.symbol()) {
            cell.set_symbol(&clean);
        }
    }
}

fn draw_tabs(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme;
    let mut spans = vec![Span::styled(" contrail ", t.title)];
    let mut x = area.x + 10;
    app.hits.tabs.clear();
    app.hits.tabs_y = area.y;
    // Narrow terminals get tighter tabs so all eight fit in 80 columns.
    let narrow = area.width < 100;
    for (i, v) in View::ALL.iter().enumerate() {
        let label = if narrow {
            format!("{}{} ", i + 1, v.title())
        } else {
            format!(" {} {} ", i + 1, v.title())
        };
        let w = label.chars().count() as u16;
        app.hits.tabs.push((x, x + w, *v));
        x += w;
        let style = if *v == app.view { t.tab_active } else { t.tab };
        spans.push(Span::styled(label, style));
    }
    if let Some(d) = &app.data {
        let used: u16 = spans.iter().map(|s| s.width() as u16).sum();
        // An earlier as_of (the time control) shows next to the repository, on every view.
        let mut repo = match d.as_of.filter(|_| d.in_the_past()) {
            Some(t) => format!(" {} @ {}", d.repo, crate::timefmt::day(t)),
            None => format!(" {}", d.repo),
        };
        if used + repo.chars().count() as u16 > area.width
            && let Some(t) = d.as_of.filter(|_| d.in_the_past())
        {
            repo = format!(" @ {}", crate::timefmt::day(t));
        }
        if used + repo.chars().count() as u16 <= area.width {
            let pad = area.width - used - repo.chars().count() as u16;
            spans.push(Span::raw(" ".repeat(pad as usize)));
            spans.push(Span::styled(repo, t.dim));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_loading(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut lines = vec![
        Line::raw(""),
        Line::styled(format!("  Loading {}", app.source), t.title),
        Line::raw(""),
    ];
    if let Some(b) = &app.busy {
        lines.push(Line::raw(format!("  {b}")));
    }
    if let Some(e) = &app.error {
        lines.push(Line::styled(format!("  {e}"), t.warn));
        lines.push(Line::raw(format!(
            "  Press {} to quit.",
            app.keymap.hint(Action::Quit)
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_input(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let prompt = match app.mode {
        Mode::Search => "search: ",
        Mode::Note => "note (#tag words become tags; enter saves, esc cancels): ",
        Mode::Date => "as of (YYYY-MM-DD; empty: the newest event; enter goes, esc cancels): ",
        Mode::Normal => "",
    };
    let line = Line::from(vec![
        Span::styled(prompt, t.header),
        Span::styled(app.input.clone(), t.input),
        Span::styled("█", t.input.add_modifier(Modifier::SLOW_BLINK)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let k = |a| app.keymap.hint(a);
    let mut right = String::new();
    if let Some(b) = &app.busy {
        right.push_str(&format!("⟳ {b} "));
        // A ticking clock shows the job is alive (the loop redraws at least every 100 ms).
        if let Some(t) = app.job_started
            && t.elapsed().as_secs() >= 1
        {
            right.push_str(&format!("{}s ", t.elapsed().as_secs()));
        }
    }
    if app.read_only.is_some() {
        right.push_str("[read-only] ");
    }
    let left = if let Some(e) = &app.error {
        Span::styled(format!(" {e}"), t.warn.patch(t.status))
    } else if let Some(m) = &app.message {
        Span::raw(format!(" {m}"))
    } else {
        // Only the keys that do something in this view (docs/tui.md#keys), as many as fit:
        // the view's own keys are dropped from the end first, help and quit stay.
        let mut segs: Vec<String> = vec![format!("{} help", k(Action::Help))];
        segs.extend(
            app.view_actions()
                .into_iter()
                .map(|(a, what)| format!("{} {what}", k(a))),
        );
        let mut fixed = 1;
        if app.view != View::Help {
            segs.push("enter drill".into());
            fixed += 1;
        }
        if app.view != View::Overview {
            segs.push("esc back".into());
            fixed += 1;
        }
        segs.push(format!("{} quit", k(Action::Quit)));
        let room = (area.width as usize).saturating_sub(right.chars().count() + 1);
        while segs.len() > fixed + 1 && format!(" {}", segs.join(" · ")).chars().count() > room {
            segs.remove(segs.len() - fixed - 1);
        }
        let hint = format!(" {}", segs.join(" · "));
        Span::raw(hint)
    };
    let lw = left.width() as u16;
    let rw = right.chars().count() as u16;
    let mut spans = vec![left];
    if lw + rw < area.width {
        spans.push(Span::raw(" ".repeat((area.width - lw - rw) as usize)));
        spans.push(Span::raw(right));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(t.status), area);
}

/// A bordered block with a title in the theme's title style.
pub fn block<'a>(app: &App, title: impl Into<String>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.dim)
        .title(Span::styled(format!(" {} ", title.into()), app.theme.title))
}

/// `n` as a horizontal bar of at most `width` cells, scaled to `max`.
pub fn bar(n: u64, max: u64, width: usize) -> String {
    if max == 0 || width == 0 {
        return String::new();
    }
    let cells = (n as f64 / max as f64 * width as f64).ceil() as usize;
    "█".repeat(cells.min(width))
}

/// `one` for 1, else `many`: "1 burst day", "3 burst days".
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// "1 outsider", "3 outsiders".
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

pub fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

pub fn day(ts: Option<i64>) -> String {
    ts.map(crate::timefmt::day).unwrap_or_else(|| "–".into())
}

/// A bordered block without the app (the picker has none).
pub fn block_plain<'a>(title: &str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
}
