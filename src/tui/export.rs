//! Export what you see (`e` CSV, `E` Markdown): the list on screen as a report `Table`, with
//! the rows the screen shows (filters, search, scope and watchlist applied). The runner writes
//! it to the current directory; the Markdown and CSV come from the report renderers.

use super::app::{App, Section, View};
use crate::report::{Cohort, DevRelList, Table, Window, table::devrel_table};

fn pct(x: Option<f64>) -> String {
    x.map(|x| format!("{:.0}%", x * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// A cohort window as a percentage, `–` when nobody was eligible yet.
pub fn window(w: &Window) -> String {
    pct(w.share)
}

/// Rungs shown in the cohort heat table (the ones after the first contribution).
pub const COHORT_RUNGS: [crate::domain::Rung; 5] = [
    crate::domain::Rung::Contributor,
    crate::domain::Rung::Merged,
    crate::domain::Rung::Regular,
    crate::domain::Rung::Reviewer,
    crate::domain::Rung::Maintainer,
];

/// A cohort's three windows for `rung`: "90d/180d/365d" shares.
pub fn cohort_cell(c: &Cohort, rung: crate::domain::Rung) -> [String; 3] {
    match c.rungs.iter().find(|r| r.rung == rung) {
        Some(r) => [
            window(&r.within_90_days),
            window(&r.within_180_days),
            window(&r.within_365_days),
        ],
        None => ["–".into(), "–".into(), "–".into()],
    }
}

/// The list on screen as a table, with a slug for the file name.
pub fn table(app: &App) -> Option<(String, Table)> {
    let d = app.data.as_ref()?;
    let day = |t: Option<i64>| t.map(crate::timefmt::day).unwrap_or_else(|| "–".into());
    match app.view {
        View::People => {
            let mut t = Table::new(
                "People",
                &[
                    "name",
                    "id",
                    "side",
                    "rung",
                    "first seen",
                    "last seen",
                    "merged",
                    "reviews",
                    "last experience",
                ],
            );
            for &i in &app.people.rows {
                let p = &d.people[i as usize];
                t.rows.push(vec![
                    p.name.clone(),
                    p.id.clone(),
                    p.side.label().into(),
                    p.stage.map_or("–".into(), |r| r.name().to_string()),
                    day(p.first_seen),
                    day(p.last_seen),
                    p.merged.to_string(),
                    p.reviews.to_string(),
                    p.last_experience.clone(),
                ]);
            }
            Some(("people".into(), t))
        }
        View::Journey => {
            let j = app.journey.as_ref()?;
            let p = &d.people[j.person];
            let mut t = Table::new(format!("Journey of {}", p.name), &["when", "what", "url"]);
            for r in &j.timeline {
                let e = d.entry(r);
                t.rows
                    .push(vec![day(Some(e.at)), e.what, e.url.unwrap_or_default()]);
            }
            Some(("journey".into(), t))
        }
        View::Dropoffs => {
            let mut t = Table::new(
                "Drop-offs: rung × last experience",
                &["last rung", "last experience", "insiders", "outsiders"],
            );
            for r in &d.drops {
                t.rows.push(vec![
                    r.stage.name().into(),
                    r.reason.clone(),
                    r.internal.to_string(),
                    r.external.to_string(),
                ]);
            }
            Some(("dropoffs".into(), t))
        }
        View::Workflow => match app.workflow.detail.and_then(|i| d.signals.get(i)) {
            Some(s) => {
                let mut t = Table::new(s.name.clone(), &["row", "detail", "when", "url"]);
                for r in &s.rows {
                    t.rows.push(vec![
                        r.label.clone(),
                        r.detail.clone(),
                        day(r.at),
                        r.url.clone().unwrap_or_default(),
                    ]);
                }
                Some((format!("workflow-{}", s.name), t))
            }
            None => {
                let mut t = Table::new(
                    "Internal-only workflow signals",
                    &["signal", "value", "meaning"],
                );
                for s in &d.signals {
                    t.rows
                        .push(vec![s.name.clone(), s.value.clone(), s.meaning.clone()]);
                }
                Some(("workflow".into(), t))
            }
        },
        View::Triage => {
            let mut t = Table::new(
                "Triage: outsiders waiting on a first reply",
                &[
                    "wait (days)",
                    "item",
                    "kind",
                    "author",
                    "first-timer",
                    "title",
                    "url",
                ],
            );
            for r in &d.triage {
                t.rows.push(vec![
                    r.wait_days.to_string(),
                    format!("#{}", r.number),
                    r.kind.as_str().into(),
                    r.author.clone(),
                    if r.first_timer { "yes" } else { "no" }.into(),
                    r.title.clone(),
                    r.url.clone(),
                ]);
            }
            Some(("triage".into(), t))
        }
        View::DevRel => {
            let rows = app.devrel_rows();
            let section = app.devrel.section;
            let slug = format!("devrel-{}", section.title().to_lowercase());
            let list = match section {
                Section::Rising => Some(DevRelList::Rising),
                Section::Stuck => Some(DevRelList::Stuck),
                Section::Helpers => Some(DevRelList::Helpers),
                Section::Doors | Section::Cohorts => None,
            };
            if let Some(list) = list {
                let mut t = devrel_table(&d.report.devrel, list);
                t.rows = rows
                    .iter()
                    .filter_map(|&i| t.rows.get(i).cloned())
                    .collect();
                return Some((slug, t));
            }
            if section == Section::Doors {
                let mut t = Table::new(
                    "Doors: which first contribution leads to regular",
                    &[
                        "door",
                        "people",
                        "reached regular",
                        "share",
                        "insiders",
                        "insiders regular",
                        "outsiders",
                        "outsiders regular",
                    ],
                );
                for r in &d.report.doors {
                    t.rows.push(vec![
                        r.door.as_str().into(),
                        r.people.to_string(),
                        r.reached_regular.to_string(),
                        pct(r.share),
                        r.split.internal.to_string(),
                        r.regular_split.internal.to_string(),
                        r.split.external.to_string(),
                        r.regular_split.external.to_string(),
                    ]);
                }
                return Some((slug, t));
            }
            let mut header: Vec<String> = vec!["quarter".into(), "side".into(), "size".into()];
            for r in COHORT_RUNGS {
                header.push(format!("{} 90/180/365 days", r.name()));
            }
            let mut t = Table {
                title: "Cohorts: share reaching each rung within 90/180/365 days".into(),
                header,
                rows: Vec::new(),
            };
            for c in &d.report.cohorts {
                let mut row = vec![
                    c.quarter.clone(),
                    c.affiliation.as_str().into(),
                    c.size.to_string(),
                ];
                for r in COHORT_RUNGS {
                    row.push(cohort_cell(c, r).join(" / "));
                }
                t.rows.push(row);
            }
            Some((slug, t))
        }
        View::Overview | View::Help => None,
    }
}
