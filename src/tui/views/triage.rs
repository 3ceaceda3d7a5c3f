//! Triage: outsiders' open issues and PRs nobody (human) has answered, longest wait first;
//! first-timers marked.

use super::{ListSpec, draw_list, list_rows};
use crate::domain::ItemKind;
use crate::tui::app::App;
use crate::tui::ui::block;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let firsts = d.triage.iter().filter(|r| r.first_timer).count();
    let title = if d.report.triage.is_some() {
        format!(
            "Triage — {} waiting on a first reply, {firsts} from first-timers (★)",
            d.triage.len()
        )
    } else {
        "Triage — – waiting: replies are unknown without GitHub data".to_string()
    };
    let b = block(app, title);
    let (rows_area, cur) = list_rows(app, &b, area, app.triage, d.triage.len());
    app.triage = cur;
    let spec = ListSpec {
        header: &["wait", "item", "kind", "", "author", "title"],
        widths: &[
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(1),
            Constraint::Length(14),
            Constraint::Min(10),
        ],
        empty: if d.report.triage.is_some() {
            "no outsider is waiting on a reply"
        } else {
            "unknown: replies live on GitHub — run `contrail sync OWNER/NAME` with a token"
        },
    };
    draw_list(
        frame,
        &t,
        area,
        b,
        (rows_area, cur),
        d.triage.len(),
        spec,
        |i| {
            let r = &d.triage[i];
            vec![
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
            ]
        },
    );
}
