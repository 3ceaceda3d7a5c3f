//! DevRel: the lists a DevRel person acts on (docs/devrel.md) — Rising, Stuck, Helpers, Doors
//! and Cohorts (a heat table) — at the `as_of` of the time control, with this period against
//! the previous one in compare mode. People on the watchlist are marked ◆.

use super::{ListSpec, draw_list, list_rows};
use crate::domain::ItemKind;
use crate::report::Trend;
use crate::tui::action::Action;
use crate::tui::app::{App, Section};
use crate::tui::export::{COHORT_RUNGS, cohort_cell};
use crate::tui::model::{ViewData, truncate};
use crate::tui::ui::{block, count_of, pct};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let compare_h = if app.devrel.compare {
        d.report
            .devrel
            .compare
            .as_ref()
            .map_or(0, |c| c.rows.len() as u16 + 3)
            .min(area.height.saturating_sub(6))
    } else {
        0
    };
    let detail_h = if matches!(
        app.devrel.section,
        Section::Rising | Section::Stuck | Section::Helpers
    ) && area.height >= 16
        && (compare_h == 0 || area.height >= 30)
    {
        3
    } else {
        0
    };
    let [head, cmp, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(compare_h),
        Constraint::Min(3),
        Constraint::Length(detail_h),
    ])
    .areas(area);
    draw_head(frame, app, &d, head);
    if compare_h > 0 {
        draw_compare(frame, app, &d, cmp);
    }
    match app.devrel.section {
        Section::Rising => rising(frame, app, &d, list),
        Section::Stuck => stuck(frame, app, &d, list),
        Section::Helpers => helpers(frame, app, &d, list),
        Section::Doors => doors(frame, app, &d, list),
        Section::Cohorts => cohorts(frame, app, &d, list),
    }
    if detail_h > 0 {
        draw_detail(frame, app, &d, detail);
    }
}

/// The selected row's whole sentence: why, what is next or who could unblock it.
fn draw_detail(frame: &mut Frame, app: &App, d: &ViewData, area: Rect) {
    let dv = &d.report.devrel;
    let sel = app.devrel.cursors[app.devrel.section.index()].sel;
    let Some(&i) = app.devrel_rows().get(sel) else {
        return;
    };
    let text = match app.devrel.section {
        Section::Rising => dv
            .rising
            .get(i)
            .map(|r| format!("{}: {} Next: {}.", r.name, r.why, r.next_rung)),
        Section::Stuck => dv.stuck.get(i).map(|s| {
            let who: Vec<String> = s
                .unblockers
                .iter()
                .map(|u| format!("{} ({})", u.name, u.why))
                .collect();
            format!(
                "{}: {} Could unblock: {}.",
                s.name,
                s.why,
                if who.is_empty() {
                    "nobody on record".to_string()
                } else {
                    who.join("; ")
                }
            )
        }),
        Section::Helpers => dv.helpers.get(i).map(|h| format!("{}: {}", h.name, h.why)),
        Section::Doors | Section::Cohorts => None,
    };
    if let Some(text) = text {
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.dim)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }
}

fn draw_head(frame: &mut Frame, app: &App, d: &ViewData, area: Rect) {
    let t = app.theme;
    let mut spans = vec![Span::raw(" ")];
    for s in Section::ALL {
        let style = if s == app.devrel.section {
            t.tab_active
        } else {
            t.tab
        };
        spans.push(Span::styled(format!(" {} ", s.title()), style));
    }
    let day = d
        .as_of
        .map(crate::timefmt::day)
        .unwrap_or_else(|| "–".into());
    let when = if d.in_the_past() {
        format!("  as of {day} (past) ")
    } else {
        format!("  as of {day} ")
    };
    spans.push(Span::styled(
        when,
        if d.in_the_past() { t.warn } else { t.dim },
    ));
    let k = |a| app.keymap.hint(a);
    let mut hint = format!(
        "{} list · {}{} time · {} compare · {} watch",
        k(Action::NextSection),
        k(Action::TimeBack),
        k(Action::TimeForward),
        k(Action::Compare),
        k(Action::Watch)
    );
    if app.devrel.watch_only {
        hint = format!("watchlist only ({} all) · {hint}", k(Action::Filter));
    }
    spans.push(Span::styled(hint, t.dim));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn trend_style(app: &App, better: Option<bool>) -> Style {
    match better {
        Some(true) => app.theme.good,
        Some(false) => app.theme.warn,
        None => app.theme.dim,
    }
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "–".into(),
    }
}

fn draw_compare(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let Some(c) = d.report.devrel.compare.as_ref() else {
        return;
    };
    let day = |s: &str| s.get(..10).unwrap_or(s).to_string();
    let b = block(
        app,
        format!(
            "This period {} – {} vs the previous one (from {})",
            day(&c.from),
            day(&c.to),
            day(&c.previous_from)
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut lines = vec![Line::styled(
        format!(
            "{:<38}{:>10}{:>12}  trend",
            "measure", "previous", "this period"
        ),
        app.theme.header,
    )];
    for r in &c.rows {
        let verdict = match (r.trend, r.better) {
            (Trend::Unknown, _) => "",
            (_, Some(true)) => " better",
            (_, Some(false)) => " worse",
            (_, None) => "",
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<38}{:>10}{:>12}  ",
                truncate(&r.label, 37),
                num(r.previous),
                num(r.current)
            )),
            Span::styled(
                format!("{}{verdict}", r.trend.arrow()),
                trend_style(app, r.better),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The watchlist mark of person `id`.
fn mark(app: &App, id: &str) -> Line<'static> {
    if app.is_watched(id) {
        Line::styled("◆", app.theme.header)
    } else {
        Line::raw("")
    }
}

fn cursor(app: &App) -> crate::tui::app::Cursor {
    app.devrel.cursors[app.devrel.section.index()]
}

fn set_cursor(app: &mut App, c: crate::tui::app::Cursor) {
    let i = app.devrel.section.index();
    app.devrel.cursors[i] = c;
}

/// One of the DevRel lists: its title and columns, and the cells of entry `i` of the report's
/// list (the rows shown are `App::devrel_rows`, the watchlist filter applied).
fn section_list(
    frame: &mut Frame,
    app: &mut App,
    area: Rect,
    title: String,
    spec: ListSpec,
    cells: impl Fn(&App, usize) -> Vec<Line<'static>>,
) {
    let rows = app.devrel_rows();
    let b = block(app, title);
    let (rows_area, cur) = list_rows(app, &b, area, cursor(app), rows.len());
    set_cursor(app, cur);
    let t = app.theme;
    let lines: Vec<Vec<Line>> = rows.iter().map(|&i| cells(app, i)).collect();
    draw_list(
        frame,
        &t,
        area,
        b,
        (rows_area, cur),
        rows.len(),
        spec,
        |i| lines[i].clone(),
    );
}

fn rising(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let dv = &d.report.devrel;
    let title = format!(
        "Rising — {} climbing faster than their cohort (last {} days)",
        count_of(dv.rising.len(), "outsider", "outsiders"),
        dv.window_days
    );
    let spec = ListSpec {
        header: &["#", "", "person", "rung", "score", "next rung", "why"],
        widths: &[
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(18),
            Constraint::Length(11),
            Constraint::Length(5),
            Constraint::Length(26),
            Constraint::Min(10),
        ],
        empty: "no outsider is climbing right now",
    };
    section_list(frame, app, area, title, spec, |app, i| {
        let r = &dv.rising[i];
        vec![
            Line::raw(format!("{}", i + 1)),
            mark(app, &r.id),
            Line::styled(r.name.clone(), app.theme.external),
            Line::raw(r.stage.name()),
            Line::raw(r.score.to_string()),
            Line::raw(r.next_rung.clone()),
            Line::raw(r.why.clone()),
        ]
    });
}

fn stuck(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let dv = &d.report.devrel;
    let title = format!(
        "Stuck — {} whose latest issue or PR waits on the project, oldest first",
        count_of(dv.stuck.len(), "outsider", "outsiders")
    );
    let spec = ListSpec {
        header: &[
            "wait",
            "item",
            "",
            "person",
            "reason",
            "could unblock",
            "title",
        ],
        widths: &[
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Length(1),
            Constraint::Length(14),
            Constraint::Length(19),
            Constraint::Length(14),
            Constraint::Min(10),
        ],
        empty: "no outsider is waiting on the project",
    };
    section_list(frame, app, area, title, spec, |app, i| {
        let (s, t) = (&dv.stuck[i], app.theme);
        let kind = if s.kind == ItemKind::Pr {
            "PR"
        } else {
            "issue"
        };
        vec![
            Line::styled(
                format!("{}d", s.waiting_days),
                if s.waiting_days > 14 { t.warn } else { t.tab },
            ),
            Line::raw(format!("{kind} #{}", s.item)),
            mark(app, &s.id),
            Line::styled(s.name.clone(), t.external),
            Line::raw(s.reason.as_str()),
            Line::raw(
                s.unblockers
                    .first()
                    .map_or_else(|| "–".to_string(), |u| u.name.clone()),
            ),
            Line::raw(s.title.clone()),
        ]
    });
}

fn helpers(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let dv = &d.report.devrel;
    let title = format!(
        "Helpers — {} who answer others' issues and review their PRs",
        count_of(dv.helpers.len(), "outsider", "outsiders")
    );
    let spec = ListSpec {
        header: &["", "person", "answers", "reviews", "first", "helped", "why"],
        widths: &[
            Constraint::Length(1),
            Constraint::Length(18),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Min(10),
        ],
        empty: "no outsider answers or reviews other people's work (yet)",
    };
    section_list(frame, app, area, title, spec, |app, i| {
        let h = &dv.helpers[i];
        vec![
            mark(app, &h.id),
            Line::styled(h.name.clone(), app.theme.external),
            Line::raw(h.answers.to_string()),
            Line::raw(h.reviews.to_string()),
            Line::raw(h.first_responses.to_string()),
            Line::raw(h.people_helped.to_string()),
            Line::raw(h.why.clone()),
        ]
    });
}

fn doors(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let doors = &d.report.doors;
    let b = block(
        app,
        "Doors — which first contribution leads to regular (insiders | outsiders)",
    );
    let (rows_area, cur) = list_rows(app, &b, area, cursor(app), doors.len());
    set_cursor(app, cur);
    let spec = ListSpec {
        header: &[
            "door",
            "people",
            "regular",
            "share",
            "insiders",
            "outsiders",
        ],
        widths: &[
            Constraint::Length(20),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(12),
            Constraint::Min(12),
        ],
        empty: "",
    };
    let t = app.theme;
    draw_list(
        frame,
        &t,
        area,
        b,
        (rows_area, cur),
        doors.len(),
        spec,
        |i| {
            let r = &doors[i];
            vec![
                Line::raw(r.door.as_str()),
                Line::raw(r.people.to_string()),
                Line::raw(r.reached_regular.to_string()),
                Line::raw(pct(r.share)),
                Line::styled(
                    format!("{} → {}", r.split.internal, r.regular_split.internal),
                    t.internal,
                ),
                Line::styled(
                    format!("{} → {}", r.split.external, r.regular_split.external),
                    t.external,
                ),
            ]
        },
    );
}

/// A share as a heat cell: brighter when more of the cohort got there.
fn heat(app: &App, s: &str) -> Span<'static> {
    let v: Option<u32> = s.trim_end_matches('%').parse().ok();
    let style = match v {
        None => app.theme.dim,
        Some(0) => app.theme.dim,
        Some(x) if x >= 50 => app.theme.good,
        Some(x) if x >= 20 => app.theme.header,
        Some(_) => app.theme.tab,
    };
    Span::styled(format!("{:>3}", s.trim_end_matches('%')), style)
}

fn cohorts(frame: &mut Frame, app: &mut App, d: &ViewData, area: Rect) {
    let cs = &d.report.cohorts;
    let b = block(
        app,
        "Cohorts — % of each quarter's newcomers reaching a rung within 90 / 180 / 365 days",
    );
    let (rows_area, cur) = list_rows(app, &b, area, cursor(app), cs.len());
    set_cursor(app, cur);
    let mut header: Vec<&str> = vec!["quarter", "", "size"];
    header.extend(COHORT_RUNGS.iter().map(|r| r.name()));
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Length(3),
        Constraint::Length(4),
    ];
    widths.extend([Constraint::Length(11); 5]);
    let spec = ListSpec {
        header: &header,
        widths: &widths,
        empty: "no cohorts yet",
    };
    let t = app.theme;
    let app_ref: &App = app;
    let lines: Vec<Vec<Line>> = cs
        .iter()
        .map(|c| {
            let mut row = vec![
                Line::raw(c.quarter.clone()),
                if c.affiliation == crate::report::Affiliation::Internal {
                    Line::styled("in", t.internal)
                } else {
                    Line::styled("out", t.external)
                },
                Line::raw(c.size.to_string()),
            ];
            for r in COHORT_RUNGS {
                let cells = cohort_cell(c, r);
                row.push(Line::from(vec![
                    heat(app_ref, &cells[0]),
                    Span::raw(" "),
                    heat(app_ref, &cells[1]),
                    Span::raw(" "),
                    heat(app_ref, &cells[2]),
                ]));
            }
            row
        })
        .collect();
    draw_list(frame, &t, area, b, (rows_area, cur), cs.len(), spec, |i| {
        lines[i].clone()
    });
}
