//! Triage: outsiders' open issues and PRs nobody (human) has answered, longest wait first;
//! first-timers marked.

use super::list_window;
use crate::domain::ItemKind;
use crate::tui::app::App;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let firsts = d.triage.iter().filter(|r| r.first_timer).count();
    let b = block(
        app,
        format!(
            "Triage — {} waiting on a first reply, {firsts} from first-timers (★)",
            d.triage.len()
        ),
    );
    let inner = b.inner(area);
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let cur = list_window(app, rows_area, app.triage, d.triage.len());
    app.triage = cur;
    let rows: Vec<Row> = d
        .triage
        .iter()
        .enumerate()
        .skip(cur.offset)
        .take(rows_area.height as usize)
        .map(|(i, r)| {
            let row = Row::new(vec![
                Line::styled(
                    format!("{}d", r.wait_days),
                    if r.wait_days > 14 { t.warn } else { t.tab },
                ),
                Line::raw(format!("#{}", r.number)),
                Line::raw(if r.kind == ItemKind::Pr {
                    "PR"
                } else {
                    "issue"
                }),
                Line::styled(if r.first_timer { "★" } else { "" }, t.header),
                Line::raw(r.author.clone()),
                Line::raw(r.title.clone()),
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
                Constraint::Length(5),
                Constraint::Length(6),
                Constraint::Length(5),
                Constraint::Length(1),
                Constraint::Length(14),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(vec!["wait", "item", "kind", "", "author", "title"]).style(t.header))
        .block(b),
        area,
    );
    if empty {
        frame.render_widget(
            Paragraph::new(Line::styled("no outsider is waiting on a reply", t.dim)),
            rows_area,
        );
    }
}
