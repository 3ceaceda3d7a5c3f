//! `contrail diff OLD NEW`: what changed between two snapshots of the same community —
//! headline counts, the funnel, openness numbers, and the people who arrived, climbed,
//! dropped or came back.

use crate::report::{Report, Status};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonChange {
    pub id: String,
    pub name: String,
    pub old_stage: Option<String>,
    pub new_stage: Option<String>,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDiff {
    pub as_of: Change<Option<String>>,
    /// Headline counts (`people.*`, `funnel.<stage>.<side>`, `openness.*`) that changed.
    pub counts: BTreeMap<String, Change<Option<f64>>>,
    /// People present only in NEW.
    pub arrived: Vec<PersonChange>,
    /// People whose highest rung went up.
    pub climbed: Vec<PersonChange>,
    /// People active in OLD and dropped in NEW.
    pub dropped: Vec<PersonChange>,
    /// People dropped in OLD and active in NEW.
    pub returned: Vec<PersonChange>,
}

/// Flatten the numeric headline of a report into `name → value` (null stays `None`).
fn headline(r: &Report) -> BTreeMap<String, Option<f64>> {
    let mut m = BTreeMap::new();
    m.insert("people.total".into(), Some(r.people.total as f64));
    m.insert("people.internal".into(), Some(r.people.internal as f64));
    m.insert("people.external".into(), Some(r.people.external as f64));
    m.insert("people.bots".into(), Some(r.people.bots as f64));
    for row in &r.funnel {
        m.insert(
            format!("funnel.{}.internal", row.stage),
            row.internal.map(|v| v as f64),
        );
        m.insert(
            format!("funnel.{}.external", row.stage),
            row.external.map(|v| v as f64),
        );
    }
    let o = &r.openness;
    let n = |v: Option<u64>| v.map(|v| v as f64);
    m.insert("openness.commits_total".into(), n(o.commits_total));
    m.insert(
        "openness.commits_with_public_pr".into(),
        n(o.commits_with_public_pr),
    );
    m.insert(
        "openness.commits_with_internal_review_marker".into(),
        n(o.commits_with_internal_review_marker),
    );
    m.insert("openness.imported_prs".into(), n(o.imported_prs));
    m.insert(
        "openness.unreviewed_merges.internal".into(),
        n(o.unreviewed_merges.internal),
    );
    m.insert(
        "openness.unreviewed_merges.external".into(),
        n(o.unreviewed_merges.external),
    );
    m.insert(
        "openness.median_first_response_hours.internal".into(),
        o.median_first_response_hours.internal,
    );
    m.insert(
        "openness.median_first_response_hours.external".into(),
        o.median_first_response_hours.external,
    );
    m.insert(
        "openness.pr_acceptance_ratio.internal".into(),
        o.pr_acceptance_ratio.internal,
    );
    m.insert(
        "openness.pr_acceptance_ratio.external".into(),
        o.pr_acceptance_ratio.external,
    );
    m
}

pub fn diff(old: &Report, new: &Report) -> ReportDiff {
    let (ho, hn) = (headline(old), headline(new));
    let mut counts = BTreeMap::new();
    for key in ho.keys().chain(hn.keys()) {
        let (a, b) = (
            ho.get(key).copied().flatten(),
            hn.get(key).copied().flatten(),
        );
        if a != b {
            counts.insert(key.clone(), Change { old: a, new: b });
        }
    }
    let old_people: BTreeMap<&str, _> = old
        .contributors
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let (mut arrived, mut climbed, mut dropped, mut returned) = (vec![], vec![], vec![], vec![]);
    for c in &new.contributors {
        let before = old_people.get(c.id.as_str());
        let change = PersonChange {
            id: c.id.clone(),
            name: c.name.clone(),
            old_stage: before.map(|b| b.stage.to_string()),
            new_stage: Some(c.stage.to_string()),
            old_status: before.map(|b| b.status.as_str().to_string()),
            new_status: Some(c.status.as_str().to_string()),
        };
        match before {
            None => arrived.push(change),
            Some(b) => {
                if c.stage > b.stage {
                    climbed.push(change.clone());
                }
                if b.status == Status::Active && c.status == Status::Dropped {
                    dropped.push(change);
                } else if b.status == Status::Dropped && c.status == Status::Active {
                    returned.push(change);
                }
            }
        }
    }
    ReportDiff {
        as_of: Change {
            old: old.as_of.clone(),
            new: new.as_of.clone(),
        },
        counts,
        arrived,
        climbed,
        dropped,
        returned,
    }
}

fn num(v: Option<f64>) -> String {
    match v {
        None => "null".into(),
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
    }
}

/// Human-readable rendering, through the one sanitiser (docs/safety.md): names come from
/// strangers and go to a terminal.
pub fn render_text(d: &ReportDiff) -> String {
    crate::sanitize::block(&render_raw(d)).into_owned()
}

fn render_raw(d: &ReportDiff) -> String {
    let mut out = format!(
        "as_of: {} -> {}\n",
        d.as_of.old.as_deref().unwrap_or("unknown"),
        d.as_of.new.as_deref().unwrap_or("unknown")
    );
    if d.counts.is_empty() {
        out.push_str("\nno headline number changed\n");
    } else {
        out.push_str("\nchanged numbers:\n");
        let width = d.counts.keys().map(String::len).max().unwrap_or(0);
        for (k, c) in &d.counts {
            out.push_str(&format!(
                "  {k:<width$}  {} -> {}\n",
                num(c.old),
                num(c.new)
            ));
        }
    }
    let section = |out: &mut String, title: &str, people: &[PersonChange]| {
        if people.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title} ({}):\n", people.len()));
        for p in people {
            let stage = match (&p.old_stage, &p.new_stage) {
                (Some(a), Some(b)) if a != b => format!("{a} -> {b}"),
                (_, Some(b)) => b.clone(),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {:<32} {}\n",
                format!("{} ({})", p.name, p.id),
                stage
            ));
        }
    };
    section(&mut out, "arrived", &d.arrived);
    section(&mut out, "climbed", &d.climbed);
    section(&mut out, "dropped", &d.dropped);
    section(&mut out, "returned", &d.returned);
    out
}
