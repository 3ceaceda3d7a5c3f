//! Help: generated from the live keymap, so remapped keys show as the user set them.

use super::{ListSpec, draw_list, list_rows};
use crate::tui::action::BINDABLE;
use crate::tui::app::App;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The words the screens use, defined as in docs/definitions.md.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "–",
        "unknown: no synced source could see it (never shown as 0)",
    ),
    (
        "insider",
        "on the organisation's domains/orgs (configured, or inferred: c/x on Overview)",
    ),
    (
        "conv in/out",
        "of the people on the previous rung, the share who reached this one",
    ),
    (
        "days in/out",
        "median days from a person's first touch to the rung",
    ),
    (
        "dropped",
        "no activity for inactive_days (180) before as_of",
    ),
    (
        "door",
        "the kind of a person's first contribution: bug report, docs PR, code PR, …",
    ),
    (
        "first-timer ★",
        "the author's first issue or PR here, nothing of theirs merged yet",
    ),
    (
        "burst days",
        "days with at least 10 stars and 5× the median starred day",
    ),
    (
        "typo hunt",
        "≥ 5 one-line docs PRs within 7 days from first-timers who never came back",
    ),
    (
        "credit leak",
        "an imported PR landed under another author, no Co-authored-by for its own",
    ),
    (
        "imported",
        "a PR closed unmerged whose change landed anyway (an internal sync)",
    ),
];

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme;
    let [table_a, foot] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let b = block(
        app,
        "Help — keys ([tui.keys] in the config remaps them), then a glossary",
    );
    let len = BINDABLE.len() + GLOSSARY.len();
    let (rows_area, cur) = list_rows(app, &b, table_a, app.help, len);
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
    draw_list(frame, &t, table_a, b, (rows_area, cur), len, spec, |i| {
        if let Some((term, what)) = i.checked_sub(BINDABLE.len()).map(|g| GLOSSARY[g]) {
            return vec![
                Line::styled(term, t.header),
                Line::raw("glossary"),
                Line::raw(what),
            ];
        }
        let (action, name, what) = BINDABLE[i];
        let keys: Vec<String> = keymap.keys(action).iter().map(|k| k.to_string()).collect();
        vec![
            Line::styled(keys.join(" "), t.header),
            Line::raw(name),
            Line::raw(what),
        ]
    });
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
