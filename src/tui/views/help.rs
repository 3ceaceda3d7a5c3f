//! Help: generated from the live keymap, so remapped keys show as the user set them.

use super::{ListSpec, draw_list, list_rows};
use crate::tui::action::BINDABLE;
use crate::tui::app::App;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme;
    let [table_a, foot] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let b = block(app, "Help — keys ([tui.keys] in the config remaps them)");
    let (rows_area, cur) = list_rows(app, &b, table_a, app.help, BINDABLE.len());
    app.help = cur;
    let spec = ListSpec {
        header: &["keys", "action", "what it does"],
        widths: &[
            Constraint::Length(18),
            Constraint::Length(14),
            Constraint::Min(10),
        ],
        empty: "",
    };
    let keymap = &app.keymap;
    draw_list(
        frame,
        &t,
        table_a,
        b,
        (rows_area, cur),
        BINDABLE.len(),
        spec,
        |i| {
            let (action, name, what) = BINDABLE[i];
            let keys: Vec<String> = keymap.keys(action).iter().map(|k| k.to_string()).collect();
            vec![
                Line::styled(keys.join(" "), t.header),
                Line::raw(name),
                Line::raw(what),
            ]
        },
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
