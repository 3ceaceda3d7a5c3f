//! Journey: one person — the ladder with dates and durations, why they count as internal or
//! external, their last experience with its evidence, the user's note, and their timeline.

use super::list_window;
use super::people::side_style;
use crate::domain::Rung;
use crate::timefmt;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::model::duration;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let Some(j) = app.journey.as_ref() else {
        let msg = vec![
            Line::raw(""),
            Line::raw(format!(
                "  No person selected. Pick one in People ({}) and press enter.",
                app.keymap.hint(Action::Show(crate::tui::app::View::People))
            )),
        ];
        frame.render_widget(Paragraph::new(msg).block(block(app, "Journey")), area);
        return;
    };
    let person = j.person;
    let Some(p) = d.people.get(person) else {
        return;
    };
    let contributor = p.contributor.and_then(|c| d.report.contributors.get(c));

    let twin = app.selected_suggestion().cloned();
    let [head, rest] = Layout::vertical([
        Constraint::Length(if twin.is_some() { 3 } else { 2 }),
        Constraint::Min(4),
    ])
    .areas(area);
    let mut who = vec![
        Span::styled(format!(" {} ", p.name), t.title),
        Span::styled(p.side.label(), side_style(app, p.side)),
    ];
    if !p.logins.is_empty() {
        who.push(Span::raw(format!(" · @{}", p.logins.join(" @"))));
    }
    if !p.emails.is_empty() {
        who.push(Span::styled(format!(" · {}", p.emails.join(", ")), t.dim));
    }
    let mut why = contributor
        .map(|c| c.affiliation_evidence.join("; "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            "no sign of the organisation (no internal email domain, membership or affiliation fact)"
                .into()
        });
    // A hire (or a departure) shows as successive periods: say so first.
    if let Some(c) = contributor
        && c.affiliation_periods.len() > 1
    {
        let periods: Vec<String> = c
            .affiliation_periods
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p.affiliation.as_str(),
                    p.from
                        .as_deref()
                        .map(|f| format!("from {}", &f[..f.len().min(10)]))
                        .unwrap_or_else(|| "at first".into())
                )
            })
            .collect();
        why = format!("{} · {why}", periods.join(" → "));
    }
    let mut head_lines = vec![
        Line::from(who),
        Line::from(vec![
            Span::styled(format!(" why {}: ", p.side.label()), t.header),
            Span::raw(why),
        ]),
    ];
    if let Some(s) = twin {
        let others: Vec<&str> = s
            .ids
            .iter()
            .map(String::as_str)
            .filter(|id| *id != p.id)
            .collect();
        head_lines.push(Line::from(vec![
            Span::styled(" maybe the same person as ", t.header),
            Span::raw(format!("{} ({}) ", others.join(", "), s.reason)),
            Span::styled("— m to merge, M to keep apart", t.header),
        ]));
    }
    frame.render_widget(Paragraph::new(head_lines), head);

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(48), Constraint::Percentage(52)]).areas(rest);
    let [ladder_a, last_a, note_a] = Layout::vertical([
        Constraint::Length(9),
        Constraint::Min(3),
        Constraint::Length(4),
    ])
    .areas(left);

    // Ladder: when each rung was first reached, and how long after the previous one.
    let mut prev: Option<i64> = p.first_seen;
    let lines: Vec<Line> = Rung::ALL
        .iter()
        .map(|r| {
            let proof = contributor.and_then(|c| c.journey.iter().find(|j| j.rung == *r));
            let at = proof
                .map(|j| j.at.as_str())
                .or_else(|| {
                    contributor
                        .and_then(|c| c.stages.get(r.name()))
                        .map(String::as_str)
                })
                .and_then(timefmt::parse_rfc3339);
            match at {
                Some(at) => {
                    let after = prev
                        .map(|p| format!("+{}", duration(at - p)))
                        .unwrap_or_default();
                    prev = Some(at);
                    let why = proof
                        .map(|j| {
                            let imported = if j.imported { " [imported]" } else { "" };
                            format!(" {}{imported}", j.why)
                        })
                        .unwrap_or_default();
                    Line::from(vec![
                        Span::styled("● ", t.good),
                        Span::raw(format!("{:<12}", r.name())),
                        Span::raw(timefmt::day(at)),
                        Span::styled(format!(" {after:<5}"), t.dim),
                        Span::raw(why),
                    ])
                }
                None => Line::styled(format!("○ {:<12}–", r.name()), t.dim),
            }
        })
        .collect();
    let title = match contributor {
        Some(c) => {
            let door = c
                .door
                .map(|d| format!(" · came in by {}", d.as_str().replace('_', " ")))
                .unwrap_or_default();
            format!(
                "Ladder{door} · {} PRs, {} issues, {} reviews",
                c.prs_opened, c.issues_opened, c.reviews
            )
        }
        None => "Ladder".to_string(),
    };
    frame.render_widget(Paragraph::new(lines).block(block(app, title)), ladder_a);

    let status = if p.dropped { "dropped" } else { "active" };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{status} · "),
            if p.dropped { t.warn } else { t.good },
        ),
        Span::styled(p.last_experience.clone(), t.header),
    ])];
    for e in d.last_experience_evidence(person) {
        lines.push(Line::raw(format!("· {e}")));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(app, "Last experience")),
        last_a,
    );

    let note = app.notes.get(&p.id);
    let note_lines = match note {
        Some(n) if !n.text.is_empty() => {
            let mut l = vec![Line::raw(n.text.clone())];
            if !n.tags.is_empty() {
                l.push(Line::styled(format!("tags: {}", n.tags.join(", ")), t.dim));
            }
            l
        }
        _ => vec![Line::styled(
            match &app.read_only {
                Some(_) => "no note (read-only snapshot)".to_string(),
                None => format!("no note — {} to write one", app.keymap.hint(Action::Note)),
            },
            t.dim,
        )],
    };
    frame.render_widget(
        Paragraph::new(note_lines)
            .wrap(Wrap { trim: true })
            .block(block(app, "Note")),
        note_a,
    );

    // Timeline.
    let b = block(app, format!("Timeline — {} events", j.timeline.len()));
    let inner = b.inner(right);
    frame.render_widget(b, right);
    let len = j.timeline.len();
    let cur = list_window(app, inner, j.cursor, len);
    let Some(j) = app.journey.as_mut() else {
        return;
    };
    j.cursor = cur;
    let lines: Vec<Line> = j
        .timeline
        .iter()
        .enumerate()
        .skip(cur.offset)
        .take(inner.height as usize)
        .map(|(i, r)| {
            let e = d.entry(r);
            let l = Line::from(vec![
                Span::styled(format!("{} ", timefmt::day(e.at)), t.dim),
                Span::raw(e.what.clone()),
            ]);
            if i == cur.sel { l.style(t.selected) } else { l }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
