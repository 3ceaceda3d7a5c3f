//! Internal-only workflow signals (docs/definitions.md#workflow-signals), the openness block of
//! docs/report.md#json and the outsider penalty (docs/definitions.md#penalty). Each signal keeps
//! the rows behind its count.

use super::Ctx;
use super::affiliation::Timeline;
use super::items::ItemFacts;
use super::ladder::Journey;
use super::people::trailer_email;
use super::stats::iso;
use super::stats::{self, hours, median, ratio, share};
use crate::analysis::model::{
    Affiliation, Comparison, EvidenceRef, Hit, Measure, Openness, Penalty, PenaltySet, Signal,
    Split,
};
use crate::domain::{Commit, EventKind, Item, ItemKind, ItemState, Ts};
use std::collections::{BTreeMap, BTreeSet};

struct Builder {
    name: &'static str,
    meaning: &'static str,
    available: bool,
    total: Option<u64>,
    hits: Vec<(Ts, Hit)>,
}

impl Builder {
    fn new(name: &'static str, meaning: &'static str, available: bool) -> Builder {
        Builder {
            name,
            meaning,
            available,
            total: None,
            hits: Vec::new(),
        }
    }

    fn hit(&mut self, at: Ts, hit: Hit) {
        self.hits.push((at, hit));
    }

    fn finish(mut self) -> Signal {
        self.hits.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
        let mut split = Split::<u64>::default();
        let mut bots = 0;
        for (at, h) in &self.hits {
            *by_year.entry(stats::year(*at)).or_default() += 1;
            match h.affiliation {
                Some(Affiliation::Internal) => split.internal += 1,
                Some(Affiliation::External) => split.external += 1,
                None => bots += 1,
            }
        }
        let count = self.available.then_some(self.hits.len() as u64);
        let total = self.total.filter(|_| self.available);
        Signal {
            name: self.name.to_string(),
            meaning: self.meaning.to_string(),
            count,
            total,
            share: count.zip(total).and_then(|(c, t)| share(c, t)),
            split: self.available.then_some(split),
            bots: self.available.then_some(bots),
            values: None,
            ratio: None,
            evidence: self.hits.into_iter().map(|(_, h)| h).collect(),
            by_year,
        }
    }
}

/// Medians/ratios of one measure for two groups of items.
#[derive(Default)]
struct Sides {
    subject: Vec<(u64, f64)>,
    baseline: Vec<(u64, f64)>,
}

impl Sides {
    fn push(&mut self, subject: bool, item: u64, v: f64) {
        if subject {
            self.subject.push((item, v));
        } else {
            self.baseline.push((item, v));
        }
    }

    fn measure(v: &[(u64, f64)], mean: bool) -> Measure {
        let mut items: Vec<u64> = v.iter().map(|(n, _)| *n).collect();
        items.sort_unstable();
        let mut vals: Vec<f64> = v.iter().map(|(_, x)| *x).collect();
        let value = if mean {
            (!vals.is_empty()).then(|| stats::round2(vals.iter().sum::<f64>() / vals.len() as f64))
        } else {
            median(&mut vals)
        };
        Measure {
            value,
            n: v.len() as u64,
            items,
        }
    }

    /// `mean` = the value is a share of 0/1 outcomes (acceptance), else a median.
    fn compare(&self, mean: bool) -> Comparison {
        let subject = Sides::measure(&self.subject, mean);
        let baseline = Sides::measure(&self.baseline, mean);
        Comparison {
            ratio: ratio(subject.value, baseline.value),
            subject,
            baseline,
        }
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// Internal review markers of a commit, as the importer detected them (one detector, in
/// `git::markers`; the analysis does not re-read trailers with other rules).
fn markers(c: &Commit) -> BTreeSet<String> {
    c.markers.iter().cloned().collect()
}

/// Per item, the first link to a private host or "decided offline" phrase: in the body, else
/// in the earliest comment or review. One pass over the events, in any order.
fn internal_refs(ctx: &Ctx) -> Vec<Option<(Ts, String)>> {
    let ds = ctx.ds;
    let mut found: Vec<Option<(Ts, String)>> = ds
        .items
        .iter()
        .map(|it| {
            ctx.pats
                .internal_reference(&it.body)
                .map(|m| (it.created_at, format!("body: {m}")))
        })
        .collect();
    // The earliest comment hit by (time, id), for items whose body has none.
    let mut first: Vec<Option<usize>> = vec![None; ds.items.len()];
    let key = |ei: usize| (ds.events[ei].at, &*ds.events[ei].id);
    for (ei, e) in ds.events.iter().enumerate() {
        if !matches!(
            e.kind,
            EventKind::Comment | EventKind::Review | EventKind::ReviewComment
        ) {
            continue;
        }
        let (Some(body), Some(ii)) = (e.body.as_deref(), ctx.item_of(ei)) else {
            continue;
        };
        if found[ii].is_none()
            && first[ii].is_none_or(|f| key(ei) < key(f))
            && ctx.pats.internal_reference(body).is_some()
        {
            first[ii] = Some(ei);
        }
    }
    for (ii, f) in first.into_iter().enumerate() {
        if let Some(ei) = f {
            let e = &ds.events[ei];
            let m = e
                .body
                .as_deref()
                .and_then(|b| ctx.pats.internal_reference(b))
                .unwrap_or_default();
            found[ii] = Some((e.at, format!("comment {}: {m}", e.id)));
        }
    }
    found
}

pub struct Outcome {
    pub signals: Vec<Signal>,
    pub openness: Openness,
    pub penalty: Penalty,
}

/// What one issue or PR adds to the penalty measures.
struct PenaltyValues {
    /// Hours to the first non-author, non-bot reply.
    first_response_hours: Option<f64>,
    /// PRs only: 1 merged or imported, 0 closed unmerged, `None` still open.
    accepted: Option<f64>,
    /// Merged PRs only: hours from opening to merge.
    merge_hours: Option<f64>,
}

fn penalty_values(it: &Item, f: &ItemFacts) -> PenaltyValues {
    let pr = it.kind == ItemKind::Pr;
    PenaltyValues {
        first_response_hours: f.first_response.map(|(t, _)| hours(t - it.created_at)),
        accepted: match it.state {
            _ if !pr => None,
            ItemState::Merged => Some(1.0),
            ItemState::Closed if f.imported() => Some(1.0),
            ItemState::Closed => Some(0.0),
            ItemState::Open => None,
        },
        merge_hours: match (pr, it.state, it.merged_at) {
            (true, ItemState::Merged, Some(m)) => Some(hours(m - it.created_at)),
            _ => None,
        },
    }
}

/// The outsider penalty (external vs internal authors) of the issues and PRs opened in
/// (`from`, `to`], with the same definitions as the whole-history penalty.
pub fn penalty_between(
    ctx: &Ctx,
    items: &[ItemFacts],
    tl: &[Timeline],
    from: Ts,
    to: Ts,
) -> PenaltySet {
    let (mut resp, mut accept, mut latency) =
        (Sides::default(), Sides::default(), Sides::default());
    for (ii, it) in ctx.ds.items.iter().enumerate() {
        let f = &items[ii];
        if it.created_at <= from || it.created_at > to {
            continue;
        }
        let Some(author) = f.author.filter(|_| !f.author_is_bot) else {
            continue;
        };
        let external = tl[author].at(it.created_at) == Affiliation::External;
        let v = penalty_values(it, f);
        let n = it.number;
        if let Some(h) = v.first_response_hours {
            resp.push(external, n, h);
        }
        if let Some(o) = v.accepted {
            accept.push(external, n, o);
        }
        if let Some(h) = v.merge_hours {
            latency.push(external, n, h);
        }
    }
    PenaltySet {
        first_response_hours: resp.compare(false),
        acceptance: accept.compare(true),
        merge_latency_hours: latency.compare(false),
    }
}

pub fn compute(ctx: &Ctx, items: &[ItemFacts], tl: &[Timeline], journeys: &[Journey]) -> Outcome {
    let ds = ctx.ds;
    let (git, gh) = (ds.has_git, ds.has_github);
    let person = |p: Option<usize>| p.map(|p| ctx.people.persons[p].id.clone());
    // A shared team account is an insider account; a bot's rows are on neither side (they
    // are counted in the signal's `bots`), so a repository with no insiders never shows
    // internal rows.
    let aff = |p: Option<usize>, t: Ts| match p {
        Some(p) if ctx.people.persons[p].team => Some(Affiliation::Internal),
        Some(p) if ctx.people.is_bot(p) => None,
        Some(p) => Some(tl[p].at(t)),
        None => Some(Affiliation::External),
    };

    // Git signals.
    let mut no_pr = Builder::new(
        "landed_without_public_pr",
        "default-branch non-merge commits with no public PR (no (#N), no Merge pull request #N, no Pull Request resolved:, no import of a PR, no API association)",
        git,
    );
    let mut marked = Builder::new(
        "internal_review_markers",
        "commits carrying markers of review elsewhere (PiperOrigin-RevId, GitOrigin-RevId, Differential Revision, Reviewed By:, Change-Id without public review, Reviewed-on to a private host, sync messages)",
        git,
    );
    let api_shas: stats::FastSet<&str> = ds
        .item_commits
        .values()
        .flatten()
        .map(String::as_str)
        .chain(
            ds.items
                .iter()
                .filter_map(|i| i.merge_commit_sha.as_deref()),
        )
        .collect();
    let mut non_merge = 0u64;
    let mut with_pr = 0u64;
    let mut imported_git: BTreeMap<u64, usize> = BTreeMap::new();
    for (ci, c) in ds.commits.iter().enumerate() {
        if c.is_merge() {
            continue;
        }
        non_merge += 1;
        let a = aff(ctx.commit_author[ci], c.author_time);
        let hit = |detail: String| Hit {
            commit: Some(c.sha.clone()),
            person: person(ctx.commit_author[ci]),
            affiliation: a,
            at: Some(iso(c.author_time)),
            detail,
            ..Hit::default()
        };
        if c.pr_number.is_some() || c.imported_pr.is_some() || api_shas.contains(c.sha.as_str()) {
            with_pr += 1;
        } else {
            no_pr.hit(c.author_time, hit(c.subject.chars().take(80).collect()));
        }
        let m = markers(c);
        if !m.is_empty() {
            marked.hit(
                c.author_time,
                hit(m.into_iter().collect::<Vec<_>>().join(", ")),
            );
        }
        if let Some(n) = c.imported_pr {
            imported_git.entry(n).or_insert(ci);
        }
    }
    no_pr.total = Some(non_merge);
    marked.total = Some(non_merge);

    // Imported PRs and credit leaks.
    let mut imported = Builder::new(
        "imported_prs",
        "PRs closed unmerged on GitHub whose change landed through an internal import (split by the PR author's affiliation)",
        git || gh,
    );
    let mut leaks = Builder::new(
        "credit_leaks",
        "imported PRs whose landed commit names someone else as author, with no Co-authored-by for the PR author",
        gh && git,
    );
    let mut seen_imports: BTreeSet<u64> = BTreeSet::new();
    let mut closed_prs = 0u64;
    for (ii, it) in ds.items.iter().enumerate() {
        if it.kind != ItemKind::Pr || it.state != ItemState::Closed {
            continue;
        }
        closed_prs += 1;
        let f = &items[ii];
        let Some(l) = &f.landed else { continue };
        seen_imports.insert(it.number);
        let a = aff(f.author, it.created_at);
        let commit = l.commit.map(|c| ds.commits[c].sha.clone());
        imported.hit(
            l.at,
            Hit {
                item: Some(it.number),
                commit: commit.clone(),
                person: person(f.author),
                affiliation: a,
                at: Some(iso(l.at)),
                detail: l.how.clone(),
            },
        );
        if let (Some(ci), Some(author)) = (l.commit, f.author) {
            let c = &ds.commits[ci];
            let landed_author = ctx.commit_author[ci];
            let co_authored = c.trailers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("co-authored-by")
                    && trailer_email(v).and_then(|e| ctx.people.by_email(&e)) == Some(author)
            });
            if landed_author != Some(author) && !co_authored {
                leaks.hit(
                    l.at,
                    Hit {
                        item: Some(it.number),
                        commit: commit.clone(),
                        person: person(f.author),
                        affiliation: a,
                        at: Some(iso(l.at)),
                        detail: format!(
                            "credit leak: {} landed with author {} <{}>, no Co-authored-by for the PR author",
                            short(&c.sha),
                            c.author_name,
                            c.author_email
                        ),
                    },
                );
            }
        }
    }
    for (n, ci) in &imported_git {
        if seen_imports.contains(n) {
            continue;
        }
        let c = &ds.commits[*ci];
        imported.hit(
            c.committer_time,
            Hit {
                item: Some(*n),
                commit: Some(c.sha.clone()),
                person: person(ctx.commit_author[*ci]),
                affiliation: aff(ctx.commit_author[*ci], c.author_time),
                at: Some(iso(c.committer_time)),
                detail: format!("{} says \"Imported from GitHub PR #{n}\"", short(&c.sha)),
            },
        );
    }
    imported.total = gh.then_some(closed_prs);

    // GitHub signals over PRs and issues.
    let mut unreviewed = Builder::new(
        "unreviewed_merges",
        "merged PRs with no review and no comment from anyone but the author",
        gh,
    );
    let mut instant = Builder::new(
        "instant_merges",
        "PRs merged within instant_merge_minutes of opening with no review",
        gh,
    );
    let mut refs = Builder::new(
        "internal_references",
        "issues/PRs whose body or comments link private trackers or hosts, or say the decision was taken offline",
        gh,
    );
    let instant_secs = ctx.settings.instant_merge_minutes as i64 * 60;
    let mut resp = Sides::default();
    let mut accept = Sides::default();
    let mut latency = Sides::default();
    let mut ft_resp = Sides::default();
    let mut ft_accept = Sides::default();
    let mut ft_latency = Sides::default();
    let mut merged_total = 0u64;
    let refs_found = &mut internal_refs(ctx);
    for (ii, it) in ds.items.iter().enumerate() {
        let f = &items[ii];
        let n = it.number;
        // Internal references: the body, then the first comment or review (below).
        let found = std::mem::take(&mut refs_found[ii]);
        if let Some((at, detail)) = found {
            refs.hit(
                at,
                Hit {
                    item: Some(n),
                    person: person(f.author),
                    affiliation: aff(f.author, it.created_at),
                    at: Some(iso(at)),
                    detail,
                    ..Hit::default()
                },
            );
        }
        let Some(author) = f.author.filter(|_| !f.author_is_bot) else {
            continue;
        };
        let a = tl[author].at(it.created_at);
        let external = a == Affiliation::External;
        let first_timer = journeys[author]
            .door
            .as_ref()
            .is_some_and(|(_, _, e)| *e == EvidenceRef::Item { number: n });
        let v = penalty_values(it, f);
        if let Some(h) = v.first_response_hours {
            resp.push(external, n, h);
            ft_resp.push(first_timer, n, h);
        }
        if let Some(o) = v.accepted {
            accept.push(external, n, o);
            ft_accept.push(first_timer, n, o);
        }
        if let Some(h) = v.merge_hours {
            latency.push(external, n, h);
            ft_latency.push(first_timer, n, h);
        }
        if let (ItemKind::Pr, ItemState::Merged, Some(m)) = (it.kind, it.state, it.merged_at) {
            merged_total += 1;
            let hit = |detail: String| Hit {
                item: Some(n),
                person: Some(ctx.people.persons[author].id.clone()),
                affiliation: Some(a),
                at: Some(iso(m)),
                detail,
                ..Hit::default()
            };
            if !f.reviewed && !f.human_reply {
                unreviewed.hit(
                    m,
                    hit("merged with no review and no comment from anyone else".into()),
                );
            }
            if !f.reviewed && m - it.created_at <= instant_secs {
                instant.hit(
                    m,
                    hit(format!(
                        "merged {} minutes after opening, no review",
                        (m - it.created_at) / 60
                    )),
                );
            }
        }
    }
    unreviewed.total = Some(merged_total);
    instant.total = Some(merged_total);
    refs.total = Some(ds.items.len() as u64);

    let resp_c = resp.compare(false);
    let accept_c = accept.compare(true);
    let latency_c = latency.compare(false);
    let gap = |name: &'static str, meaning: &'static str, c: &Comparison, sides: &Sides| {
        // The items behind the medians are listed once, in the penalty block.
        let mut s = Builder::new(name, meaning, gh).finish();
        if gh {
            s.count = Some((sides.subject.len() + sides.baseline.len()) as u64);
            s.split = Some(Split {
                internal: sides.baseline.len() as u64,
                external: sides.subject.len() as u64,
            });
            s.values = Some(Split {
                internal: c.baseline.value,
                external: c.subject.value,
            });
            s.ratio = c.ratio;
        }
        s
    };
    let unreviewed = unreviewed.finish();
    let imported = imported.finish();
    let signals = vec![
        no_pr.finish(),
        marked.finish(),
        imported,
        leaks.finish(),
        unreviewed,
        instant.finish(),
        refs.finish(),
        gap(
            "response_gap",
            "median hours to the first non-author, non-bot reply: external- vs internal-authored issues and PRs (ratio = external ÷ internal)",
            &resp_c,
            &resp,
        ),
        gap(
            "acceptance_gap",
            "merged (or imported) ÷ (merged + closed unmerged) PRs, external vs internal authors",
            &accept_c,
            &accept,
        ),
        gap(
            "merge_latency_gap",
            "median hours from opening to merge, external vs internal authors",
            &latency_c,
            &latency,
        ),
    ];
    let sig = |name: &str| signals.iter().find(|s| s.name == name);
    let openness = Openness {
        commits_total: git.then_some(non_merge),
        commits_with_public_pr: git.then_some(with_pr),
        commits_with_internal_review_marker: sig("internal_review_markers").and_then(|s| s.count),
        imported_prs: sig("imported_prs").and_then(|s| s.count),
        unreviewed_merges: match sig("unreviewed_merges").and_then(|s| s.split) {
            Some(s) => Split {
                internal: Some(s.internal),
                external: Some(s.external),
            },
            None => Split::default(),
        },
        median_first_response_hours: Split {
            internal: resp_c.baseline.value,
            external: resp_c.subject.value,
        },
        pr_acceptance_ratio: Split {
            internal: accept_c.baseline.value,
            external: accept_c.subject.value,
        },
    };
    let penalty = Penalty {
        outsider_vs_insider: PenaltySet {
            first_response_hours: resp_c,
            acceptance: accept_c,
            merge_latency_hours: latency_c,
        },
        first_timer_vs_returning: PenaltySet {
            first_response_hours: ft_resp.compare(false),
            acceptance: ft_accept.compare(true),
            merge_latency_hours: ft_latency.compare(false),
        },
    };
    Outcome {
        signals,
        openness,
        penalty,
    }
}
