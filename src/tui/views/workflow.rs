//! Workflow: each internal-only signal (docs/definitions.md#workflow-signals) with its value; enter
//! shows the commits and items behind it.

use super::{ListSpec, draw_list, list_rows};
use crate::tui::app::App;
use crate::tui::ui::{block, day};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    if let Some(s) = app.workflow.detail.and_then(|i| d.signals.get(i)) {
        // What the signal means and how it moved over the years, above its rows.
        let [about, area] =
            ratatui::layout::Layout::vertical([Constraint::Length(2), Constraint::Min(3)])
                .areas(area);
        let mut lines = vec![Line::raw(format!(" {}", s.meaning))];
        if !s.by_year.is_empty() {
            lines.push(Line::styled(format!(" by year: {}", s.by_year), t.dim));
        }
        frame.render_widget(Paragraph::new(lines), about);
        let b = block(
            app,
            format!(
                "{} — {} · {} rows (esc back)",
                s.name,
                s.value,
                s.rows.len()
            ),
        );
        let (rows_area, cur) = list_rows(app, &b, area, app.workflow.rows, s.rows.len());
        app.workflow.rows = cur;
        let spec = ListSpec {
            header: &["ref", "date", "what"],
            widths: &[
                Constraint::Length(9),
                Constraint::Length(10),
                Constraint::Min(10),
            ],
            empty: "a summary number: no single rows behind it",
        };
        draw_list(
            frame,
            &t,
            area,
            b,
            (rows_area, cur),
            s.rows.len(),
            spec,
            |i| {
                let r = &s.rows[i];
                vec![
                    Line::raw(r.label.clone()),
                    Line::raw(day(r.at)),
                    Line::raw(r.detail.clone()),
                ]
            },
        );
        return;
    }
    let b = block(
        app,
        "Workflow — where the work happens outside public view (enter: rows)",
    );
    let (rows_area, cur) = list_rows(app, &b, area, app.workflow.signals, d.signals.len());
    app.workflow.signals = cur;
    let spec = ListSpec {
        header: &["signal", "value", "meaning"],
        widths: &[
            Constraint::Length(25),
            Constraint::Length(26),
            Constraint::Min(10),
        ],
        empty: "",
    };
    draw_list(
        frame,
        &t,
        area,
        b,
        (rows_area, cur),
        d.signals.len(),
        spec,
        |i| {
            let s = &d.signals[i];
            vec![
                Line::raw(s.name.clone()),
                Line::styled(s.value.clone(), t.warn),
                Line::raw(s.meaning.clone()),
            ]
        },
    );
}
