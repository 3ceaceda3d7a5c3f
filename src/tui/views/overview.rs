//! Overview: the ladder insiders vs outsiders with conversion and median time per rung, the
//! workflow-openness headline numbers and outsider penalty, the top drop-off reasons, and stars
//! against new outside participants per month. Every row is selectable and drills down.

use crate::tui::app::App;
use crate::tui::ui::{bar, block, pct, plural};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect) {
    let Some(d) = app.data.clone() else { return };
    let t = app.theme;
    let (sel_f, sel_r, sel_s) = app.overview_selection();
    let tall = area.height >= 30;
    let [head, funnel_a, mid, chart] = Layout::vertical([
        Constraint::Length(if tall { 2 } else { 1 }),
        Constraint::Length(if tall { 10 } else { 9 }),
        Constraint::Length(if tall { 10 } else { 8 }),
        Constraint::Min(4),
    ])
    .areas(area);

    let pc = &d.report.people;
    let (int, ext, bots) = (pc.internal, pc.external, pc.bots);
    // Where insiders come from, and what the user can do about it: a line of its own when
    // there is room, else a short tag on the header line.
    let org = &d.report.affiliation;
    let hint = match org.source {
        crate::report::AffiliationSource::Inferred => " — c to confirm, x to reject",
        crate::report::AffiliationSource::None => {
            " — set internal_domains (contrail config --path)"
        }
        crate::report::AffiliationSource::Configured => "",
    };
    let (ins, outs) = if tall {
        ("insiders", "outsiders")
    } else {
        ("in", "out")
    };
    let mut head_line = Line::from(vec![
        Span::styled(format!(" {} ", d.repo), t.title),
        Span::raw(format!("as of {} · ", crate::tui::ui::day(d.as_of))),
        Span::styled(format!("{int} {ins}"), t.internal),
        Span::raw(" · "),
        Span::styled(format!("{ext} {outs}"), t.external),
        Span::raw(" · "),
        Span::styled(format!("{bots} bots"), t.bot),
    ]);
    let org_line = Line::from(vec![
        Span::raw(" "),
        Span::styled(org.summary.clone(), t.dim),
        Span::styled(hint, t.header),
    ]);
    if !tall {
        let tag = match org.source {
            crate::report::AffiliationSource::Inferred => {
                format!(" · inferred {} (c/x)", org.domains.join("+"))
            }
            crate::report::AffiliationSource::None => " · no org known".to_string(),
            crate::report::AffiliationSource::Configured => " · org configured".to_string(),
        };
        head_line.push_span(Span::styled(tag, t.header));
    }
    let lines = if tall {
        vec![head_line, org_line]
    } else {
        vec![head_line]
    };
    frame.render_widget(Paragraph::new(lines), head);

    // The ladder: both bars on one scale, the largest count of either side.
    let max = d
        .funnel
        .iter()
        .flat_map(|f| [f.internal, f.external])
        .flatten()
        .max()
        .unwrap_or(0);
    let bar_w = ((funnel_a.width as usize).saturating_sub(60).clamp(4, 40) / 2).max(2);
    // A rung no source could see is unknown, not 0.
    let count = |n: Option<u64>| n.map_or_else(|| "–".to_string(), |n| n.to_string());
    let rows = d.funnel.iter().enumerate().map(|(i, f)| {
        let days = |x: Option<f64>| x.map(|d| format!("{d:.0}d")).unwrap_or_else(|| "–".into());
        let row = Row::new(vec![
            Line::raw(f.rung.name()),
            Line::styled(count(f.internal), t.internal),
            Line::styled(count(f.external), t.external),
            Line::raw(format!("{}/{}", pct(f.conv_internal), pct(f.conv_external))),
            Line::raw(format!(
                "{}/{}",
                days(f.days_internal),
                days(f.days_external)
            )),
            Line::from(vec![
                Span::styled(
                    format!("{:>bar_w$}", bar(f.internal.unwrap_or(0), max, bar_w)),
                    t.internal,
                ),
                Span::raw("▏"),
                Span::styled(bar(f.external.unwrap_or(0), max, bar_w), t.external),
            ]),
        ]);
        if sel_f == Some(i) {
            row.style(t.selected)
        } else {
            row
        }
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(11),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Min(4),
        ],
    )
    .header(
        Row::new(vec![
            "rung".to_string(),
            "in".into(),
            "out".into(),
            "conv in/out".into(),
            "days in/out".into(),
            format!("{:>bar_w$}▏outsiders", "insiders"),
        ])
        .style(t.header),
    )
    .block(if tall {
        block(app, "Ladder — reached each rung (enter: who)")
    } else {
        ratatui::widgets::Block::default()
            .borders(ratatui::widgets::Borders::TOP)
            .border_style(t.dim)
            .title(Span::styled(
                " Ladder — reached each rung (enter: who) ",
                t.title,
            ))
    });
    frame.render_widget(table, funnel_a);

    // Drop-off reasons | openness.
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(mid);
    let rmax = d.reasons.iter().map(|r| r.external).max().unwrap_or(0);
    let mut lines: Vec<Line> = d
        .reasons
        .iter()
        .take(5)
        .enumerate()
        .map(|(i, r)| {
            let l = Line::from(vec![
                Span::raw(format!("{:<16}", r.reason)),
                Span::styled(format!("{:>4} ", r.external), t.external),
                Span::styled(bar(r.external, rmax, 10), t.external),
            ]);
            if sel_r == Some(i) {
                l.style(t.selected)
            } else {
                l
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("nobody dropped off", t.dim));
    } else if d.reasons.len() > 5 {
        lines.push(Line::styled(
            format!("+{} more in Drop-offs", d.reasons.len() - 5),
            t.dim,
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(app, "Outsiders dropped after")),
        left,
    );

    let mut lines: Vec<Line> = d
        .signals
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, s)| {
            let l = Line::from(vec![
                Span::raw(format!("{:<25}", s.name.replace('_', " "))),
                // The headline only: the split is on the Workflow view.
                Span::styled(
                    s.value.split(" · ").next().unwrap_or_default().to_string(),
                    t.warn,
                ),
            ]);
            if sel_s == Some(i) {
                l.style(t.selected)
            } else {
                l
            }
        })
        .collect();
    let shown = lines.len();
    let hidden = d.signals.len().saturating_sub(shown);
    for (l, (label, value)) in d.penalty_lines().into_iter().enumerate() {
        let line = Line::from(vec![
            Span::raw(format!("{label:<25}")),
            Span::styled(value, t.external),
        ]);
        lines.push(if sel_s == Some(shown + l) {
            line.style(t.selected)
        } else {
            line
        });
    }
    // What does not fit is counted, never cut silently: the last row that fits says how many
    // signals and penalty lines are in Workflow instead.
    let room = right.height.saturating_sub(2) as usize;
    let over = if hidden > 0 || lines.len() > room {
        let keep = lines.len().min(room.saturating_sub(1));
        let more = hidden + lines.len() - keep;
        lines.truncate(keep);
        more
    } else {
        0
    };
    if over > 0 {
        lines.push(Line::styled(format!("+{over} more in Workflow"), t.dim));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(app, "Openness · outsider penalty")),
        right,
    );

    // Vanity vs gravity: the report's monthly series (docs/definitions.md#gravity).
    let inner = block(app, "").inner(chart);
    let width = inner.width.saturating_sub(16) as usize;
    let m = &d.monthly;
    let stars = m
        .stars
        .as_deref()
        .map(|s| resample(s, width))
        .unwrap_or_default();
    let newc = resample(&m.newcomers, width);
    let g = &d.report.gravity;
    let stargazers = g
        .stargazers
        .map_or_else(|| "–".to_string(), |n| n.to_string());
    let newcomers = g.new_outsiders;
    frame.render_widget(
        block(app, {
            let per = m.newcomers.len().div_ceil(width.max(1)).max(1);
            let unit = if per == 1 {
                "month".to_string()
            } else {
                format!("{per} months")
            };
            let mut title = format!(
                "Stargazers ({stargazers}) vs outsiders taking part ({newcomers}) per {unit}"
            );
            if let Some(c) = g.conversion {
                title.push_str(&format!(" · stargazers who took part {:.1}%", c * 100.0));
            }
            if !g.star_bursts.is_empty() {
                title.push_str(&format!(
                    " · {} burst {}",
                    g.star_bursts.len(),
                    plural(g.star_bursts.len(), "day", "days")
                ));
            }
            if !g.typo_hunt_prs.is_empty() {
                title.push_str(&format!(" · typo hunt: {} PRs", g.typo_hunt_prs.len()));
            }
            title
        }),
        chart,
    );
    let h = inner.height / 2;
    let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Length(inner.height - h)])
        .areas(inner);
    for (area, data, label, style) in [
        (
            a,
            stars,
            if m.stars.is_some() {
                "★ stars"
            } else {
                "★ stars: –"
            },
            t.warn,
        ),
        (b, newc, "new outsiders", t.external),
    ] {
        let [l, r] = Layout::horizontal([Constraint::Length(16), Constraint::Min(1)]).areas(area);
        let peak = data.iter().max().copied().unwrap_or(0);
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(label),
                Line::styled(format!("peak {peak}"), t.dim),
            ]),
            l,
        );
        frame.render_widget(Sparkline::default().data(&data).style(style), r);
    }
}

/// Fit `data` to `width` columns: sum it into buckets when it is longer, stretch each value
/// over equal runs of columns when it is shorter (a short history still fills the chart).
fn resample(data: &[u64], width: usize) -> Vec<u64> {
    if width == 0 || data.is_empty() {
        return Vec::new();
    }
    if data.len() < width {
        let run = width / data.len();
        return data
            .iter()
            .flat_map(|&v| std::iter::repeat_n(v, run))
            .collect();
    }
    let per = data.len().div_ceil(width);
    data.chunks(per).map(|c| c.iter().sum()).collect()
}
