//! People: a sortable, filterable, searchable table. Only the visible rows are built, so
//! 20,000 people scroll as fast as 20.

use super::list_window;
use crate::tui::app::{App, SortKey};
use crate::tui::model::{PersonRow, Side};
use crate::tui::ui::{block, day};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Row, Table};

pub fn side_style(app: &App, side: Side) -> Style {
    match side {
        Side::Internal => app.theme.internal,
        Side::External => app.theme.external,
        Side::Bot => app.theme.bot,
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let ps = &app.people;
    let mut title = format!(
        "People — {} of {} · filter {} · sort {} {}",
        ps.rows.len(),
        d.people.len(),
        ps.filter.label(),
        ps.sort.label(),
        if ps.desc { "↓" } else { "↑" }
    );
    if !ps.query.is_empty() {
        title.push_str(&format!(" · search “{}”", ps.query));
    }
    if let Some(s) = &ps.scope {
        title.push_str(&format!(" · {} (esc)", s.label));
    }
    let b = block(app, title);
    let inner = b.inner(area);
    // Header row + data rows.
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let len = app.people.rows.len();
    let cur = list_window(app, rows_area, app.people.cursor, len);
    app.people.cursor = cur;
    let wide = area.width >= 110;
    let visible = app
        .people
        .rows
        .iter()
        .enumerate()
        .skip(cur.offset)
        .take(rows_area.height as usize);
    let rows: Vec<Row> = visible
        .map(|(i, &p)| {
            let p = &d.people[p as usize];
            let r = row(
                app,
                p,
                wide,
                d.notes.contains_key(&p.id) || app.notes.contains_key(&p.id),
            );
            if i == cur.sel { r.style(t.selected) } else { r }
        })
        .collect();
    let mut widths = vec![Constraint::Length(20)];
    if wide {
        widths.push(Constraint::Length(16));
    }
    widths.extend([Constraint::Length(8), Constraint::Length(11)]);
    if wide {
        widths.push(Constraint::Length(10));
    }
    widths.extend([
        Constraint::Length(10),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(7),
        Constraint::Min(8),
    ]);
    let mut header = vec!["name"];
    if wide {
        header.push("login");
    }
    header.extend(["side", "rung"]);
    if wide {
        header.push("first seen");
    }
    header.extend(["last seen", "mrg", "rev", "status", "last experience"]);
    // Header cells a click sorts by: the same layout the table uses (start-aligned columns,
    // one cell apart).
    let cols = ratatui::layout::Layout::horizontal(widths.clone())
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(inner);
    app.hits.header = header
        .iter()
        .zip(cols.iter())
        .filter_map(|(h, r)| {
            let key = match *h {
                "name" => SortKey::Name,
                "rung" => SortKey::Rung,
                "first seen" => SortKey::FirstSeen,
                "last seen" => SortKey::LastSeen,
                "mrg" => SortKey::Merged,
                "rev" => SortKey::Reviews,
                _ => return None,
            };
            Some((r.x, r.x + r.width, key))
        })
        .collect();
    app.hits.header_y = Some(inner.y);
    let empty = rows.is_empty();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header))
        .block(b);
    frame.render_widget(table, area);
    if empty {
        let msg = if app.people.query.is_empty() {
            "nobody matches this filter (f cycles filters)"
        } else {
            "nobody matches the search (esc clears it)"
        };
        frame.render_widget(
            ratatui::widgets::Paragraph::new(Line::styled(msg, t.dim)),
            rows_area,
        );
    }
}

fn row<'a>(app: &App, p: &'a PersonRow, wide: bool, noted: bool) -> Row<'a> {
    let t = app.theme;
    let mut name = p.name.clone();
    if noted {
        name = format!("✎ {name}");
    }
    // A suggested merge waits on the user's decision (Journey: m / M).
    if app.data.as_ref().is_some_and(|d| {
        d.report
            .suggested_merges
            .iter()
            .any(|s| s.ids.contains(&p.id))
    }) {
        name = format!("≈ {name}");
    }
    let mut cells = vec![Line::raw(name)];
    if wide {
        cells.push(Line::raw(p.logins.join(",")));
    }
    cells.push(Line::styled(p.side.label(), side_style(app, p.side)));
    cells.push(Line::raw(p.stage.map(|s| s.name()).unwrap_or("–")));
    if wide {
        cells.push(Line::raw(day(p.first_seen)));
    }
    let last = match p.last_item {
        Some(n) if p.dropped => format!("{} (#{n})", p.last_experience),
        _ => p.last_experience.clone(),
    };
    cells.extend([
        Line::raw(day(p.last_seen)),
        Line::raw(p.merged.to_string()),
        Line::raw(p.reviews.to_string()),
        if p.dropped {
            Line::styled("dropped", t.warn)
        } else if p.side == Side::Bot {
            Line::styled("bot", t.bot)
        } else {
            Line::styled("active", t.good)
        },
        Line::raw(last),
    ]);
    Row::new(cells)
}
