//! Drop-offs: rung × last-experience reason, insiders and outsiders. Enter lists the people;
//! from there, enter opens a journey and its last item.

use super::list_window;
use crate::tui::app::App;
use crate::tui::ui::{bar, block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let total: u64 = d.drops.iter().map(|r| r.internal + r.external).sum();
    let observers: u64 = d
        .drops
        .iter()
        .filter(|r| r.stage == crate::domain::Rung::Observer)
        .map(|r| r.internal + r.external)
        .sum();
    let mut title = format!("Drop-offs — {total} people silent past the inactivity window");
    if observers > 0 {
        title.push_str(&format!(" ({observers} only starred)"));
    }
    let b = block(app, title);
    let inner = b.inner(area);
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let cur = list_window(app, rows_area, app.drops, d.drops.len());
    app.drops = cur;
    // Scale to the people who did more than star, so a stargazer crowd does not flatten the
    // bars that matter (its own bar is clipped at full width).
    let max = d
        .drops
        .iter()
        .filter(|r| r.stage > crate::domain::Rung::Observer)
        .map(|r| r.external)
        .max()
        .or_else(|| d.drops.iter().map(|r| r.external).max())
        .unwrap_or(0);
    let bar_w = (area.width as usize).saturating_sub(50).clamp(4, 50);
    let rows: Vec<Row> = d
        .drops
        .iter()
        .enumerate()
        .skip(cur.offset)
        .take(rows_area.height as usize)
        .map(|(i, r)| {
            let row = Row::new(vec![
                Line::raw(r.stage.name()),
                Line::raw(r.reason.clone()),
                Line::styled(r.internal.to_string(), t.internal),
                Line::styled(r.external.to_string(), t.external),
                Line::from(Span::styled(bar(r.external, max, bar_w), t.external)),
            ]);
            if i == cur.sel {
                row.style(t.selected)
            } else {
                row
            }
        })
        .collect();
    let empty = rows.is_empty();
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(12),
                Constraint::Length(16),
                Constraint::Length(4),
                Constraint::Length(4),
                Constraint::Min(4),
            ],
        )
        .header(Row::new(vec!["rung", "last experience", "in", "out", "outsiders"]).style(t.header))
        .block(b),
        area,
    );
    if empty {
        frame.render_widget(
            Paragraph::new(Line::styled("nobody has dropped off", t.dim)),
            rows_area,
        );
    }
}
