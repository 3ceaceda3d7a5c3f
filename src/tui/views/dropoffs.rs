//! Drop-offs: rung × last-experience reason, insiders and outsiders. Enter lists the people;
//! from there, enter opens a journey and its last item.

use super::{ListSpec, draw_list, list_rows};
use crate::tui::app::App;
use crate::tui::ui::{bar, block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

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
    let (rows_area, cur) = list_rows(app, &b, area, app.drops, d.drops.len());
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
    let spec = ListSpec {
        header: &["rung", "last experience", "in", "out", "outsiders"],
        widths: &[
            Constraint::Length(12),
            Constraint::Length(16),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Min(4),
        ],
        empty: "nobody has dropped off",
    };
    draw_list(
        frame,
        &t,
        area,
        b,
        (rows_area, cur),
        d.drops.len(),
        spec,
        |i| {
            let r = &d.drops[i];
            vec![
                Line::raw(r.stage.name()),
                Line::raw(r.reason.clone()),
                Line::styled(r.internal.to_string(), t.internal),
                Line::styled(r.external.to_string(), t.external),
                Line::from(Span::styled(bar(r.external, max, bar_w), t.external)),
            ]
        },
    );
}
