//! Workflow: each internal-only signal (SPEC §5) with its value; enter shows the commits and
//! items behind it.

use super::list_window;
use crate::tui::app::App;
use crate::tui::ui::{block, day};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

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
        let inner = b.inner(area);
        let rows_area = Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        };
        let cur = list_window(app, rows_area, app.workflow.rows, s.rows.len());
        app.workflow.rows = cur;
        let rows: Vec<Row> = s
            .rows
            .iter()
            .enumerate()
            .skip(cur.offset)
            .take(rows_area.height as usize)
            .map(|(i, r)| {
                let row = Row::new(vec![
                    Line::raw(r.label.clone()),
                    Line::raw(day(r.at)),
                    Line::raw(r.detail.clone()),
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
                    Constraint::Length(9),
                    Constraint::Length(10),
                    Constraint::Min(10),
                ],
            )
            .header(Row::new(vec!["ref", "date", "what"]).style(t.header))
            .block(b),
            area,
        );
        if empty {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "a summary number: no single rows behind it",
                    t.dim,
                )),
                rows_area,
            );
        }
        return;
    }
    let b = block(
        app,
        "Workflow — where the work happens outside public view (enter: rows)",
    );
    let inner = b.inner(area);
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let cur = list_window(app, rows_area, app.workflow.signals, d.signals.len());
    app.workflow.signals = cur;
    let rows: Vec<Row> = d
        .signals
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let row = Row::new(vec![
                Line::raw(s.name.clone()),
                Line::styled(s.value.clone(), t.warn),
                Line::raw(s.meaning.clone()),
            ]);
            if i == cur.sel {
                row.style(t.selected)
            } else {
                row
            }
        })
        .collect();
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(25),
                Constraint::Length(26),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(vec!["signal", "value", "meaning"]).style(t.header))
        .block(b),
        area,
    );
}
