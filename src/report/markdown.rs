//! Markdown: headline, funnel, openness, signals, drop-offs and top contributors as tables that
//! read well pasted into a GitHub issue.

use crate::analysis::model::{Report, Status};
use std::fmt::Write;

pub(crate) fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The whole document through the one sanitiser (docs/safety.md): names and titles come from
/// strangers, and a pasted or printed report must not carry terminal escapes.
pub fn render(r: &Report) -> String {
    crate::sanitize::block(&render_raw(r)).into_owned()
}

fn num<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_string(), |v| v.to_string())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.0}%", v * 100.0))
}

fn render_raw(r: &Report) -> String {
    let mut o = String::new();
    let repo = r.repo.as_deref().unwrap_or("(local repository)");
    let _ = writeln!(o, "## contrail report: {}\n", cell(repo));
    let sources = match (r.sources.git, r.sources.github) {
        (true, true) => "git history and GitHub",
        (true, false) => "git history only (GitHub numbers are unknown: —)",
        (false, true) => "GitHub only (git numbers are unknown: —)",
        (false, false) => "no data",
    };
    let _ = writeln!(
        o,
        "As of **{}** · sources: {sources}\n",
        r.as_of.as_deref().unwrap_or("—")
    );
    let dropped = r
        .contributors
        .iter()
        .filter(|c| c.status == Status::Dropped)
        .count();
    let _ = writeln!(o, "| people | internal | external | bots | dropped |");
    let _ = writeln!(o, "|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} | {} |\n",
        r.people.total, r.people.internal, r.people.external, r.people.bots, dropped
    );

    let _ = writeln!(
        o,
        "Insiders: {} ({})\n",
        cell(&r.affiliation.summary),
        r.affiliation_source.as_str()
    );

    let _ = writeln!(o, "### Funnel\n");
    let _ = writeln!(o, "| stage | internal | external |");
    let _ = writeln!(o, "|---|---:|---:|");
    for f in &r.funnel {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            f.stage,
            num(f.internal),
            num(f.external)
        );
    }

    let op = &r.openness;
    let _ = writeln!(o, "\n### Openness\n");
    let _ = writeln!(o, "| measure | internal | external | total |");
    let _ = writeln!(o, "|---|---:|---:|---:|");
    let _ = writeln!(o, "| commits (non-merge) | | | {} |", num(op.commits_total));
    let _ = writeln!(
        o,
        "| … with a public PR | | | {} |",
        num(op.commits_with_public_pr)
    );
    let _ = writeln!(
        o,
        "| … with an internal review marker | | | {} |",
        num(op.commits_with_internal_review_marker)
    );
    let _ = writeln!(o, "| imported PRs | | | {} |", num(op.imported_prs));
    let _ = writeln!(
        o,
        "| unreviewed merges | {} | {} | |",
        num(op.unreviewed_merges.internal),
        num(op.unreviewed_merges.external)
    );
    let _ = writeln!(
        o,
        "| median first response (hours) | {} | {} | |",
        num(op.median_first_response_hours.internal),
        num(op.median_first_response_hours.external)
    );
    let _ = writeln!(
        o,
        "| PR acceptance | {} | {} | |",
        pct(op.pr_acceptance_ratio.internal),
        pct(op.pr_acceptance_ratio.external)
    );

    let _ = writeln!(o, "\n### Internal-only workflow signals\n");
    let _ = writeln!(
        o,
        "| signal | count | share | internal | external | ratio ext ÷ int |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    for s in &r.signals {
        let (i, e) = match (&s.values, &s.split) {
            (Some(v), _) => (num(v.internal), num(v.external)),
            (None, Some(sp)) => (sp.internal.to_string(), sp.external.to_string()),
            _ => ("—".into(), "—".into()),
        };
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | {i} | {e} | {} |",
            s.name,
            num(s.count),
            pct(s.share),
            num(s.ratio)
        );
    }

    let _ = writeln!(o, "\n### Drop-offs\n");
    if r.dropoffs.is_empty() {
        let _ = writeln!(o, "Nobody has dropped off.");
    } else {
        let _ = writeln!(o, "| last rung | last experience | internal | external |");
        let _ = writeln!(o, "|---|---|---:|---:|");
        for d in &r.dropoffs {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                d.stage,
                d.reason.as_str(),
                d.internal,
                d.external
            );
        }
    }

    let _ = writeln!(o, "\n### Top contributors\n");
    let mut top: Vec<_> = r.contributors.iter().collect();
    top.sort_by(|a, b| {
        b.stage
            .cmp(&a.stage)
            .then(b.merged_contributions.cmp(&a.merged_contributions))
            .then(b.reviews.cmp(&a.reviews))
            .then(a.id.cmp(&b.id))
    });
    let _ = writeln!(
        o,
        "| person | affiliation | stage | merged | reviews | status | last experience |"
    );
    let _ = writeln!(o, "|---|---|---|---:|---:|---|---|");
    for c in top.iter().take(20) {
        let _ = writeln!(
            o,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} |",
            cell(&c.name),
            cell(&c.id),
            c.affiliation.as_str(),
            c.stage,
            c.merged_contributions,
            c.reviews,
            c.status.as_str(),
            c.last_experience.as_str()
        );
    }
    if r.contributors.len() > 20 {
        let _ = writeln!(
            o,
            "\n…and {} more (`contrail report --format csv` lists everyone).",
            r.contributors.len() - 20
        );
    }
    if !r.suggested_merges.is_empty() {
        let _ = writeln!(o, "\n### Suggested merges\n");
        let _ = writeln!(o, "| people | why |");
        let _ = writeln!(o, "|---|---|");
        for m in &r.suggested_merges {
            let _ = writeln!(o, "| {} | {} |", cell(&m.ids.join(", ")), cell(&m.reason));
        }
    }
    if !r.clock_skew.is_empty() {
        let _ = writeln!(o, "\n### Clock skew\n");
        for h in &r.clock_skew {
            let _ = writeln!(
                o,
                "- `{}` {}",
                h.commit.as_deref().unwrap_or("?"),
                cell(&h.detail)
            );
        }
    }
    o.push('\n');
    o.push_str(&super::table::monday_list(&r.devrel));
    o
}
