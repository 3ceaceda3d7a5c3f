//! Help: generated from the live keymap, so remapped keys show as the user set them.

use super::list_window;
use crate::tui::action::BINDABLE;
use crate::tui::app::App;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme;
    let [table_a, foot] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let b = block(app, "Help — keys ([tui.keys] in the config remaps them)");
    let inner = b.inner(table_a);
    let rows_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let cur = list_window(app, rows_area, app.help, BINDABLE.len());
    app.help = cur;
    let rows: Vec<Row> = BINDABLE
        .iter()
        .enumerate()
        .skip(cur.offset)
        .take(rows_area.height as usize)
        .map(|(i, (action, name, what))| {
            let keys: Vec<String> = app
                .keymap
                .keys(*action)
                .iter()
                .map(|k| k.to_string())
                .collect();
            let row = Row::new(vec![
                Line::styled(keys.join(" "), t.header),
                Line::raw(*name),
                Line::raw(*what),
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
                Constraint::Length(18),
                Constraint::Length(14),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(vec!["keys", "action", "what it does"]).style(t.header))
        .block(b),
        table_a,
    );
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(
                " Mouse: wheel scrolls; click selects a row or tab, again drills in; a People",
            ),
            Line::raw(" header click sorts. In search/note input: enter confirms, esc cancels."),
        ])
        .style(t.dim),
        foot,
    );
}
