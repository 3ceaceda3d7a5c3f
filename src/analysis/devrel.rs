//! The DevRel lists (docs/devrel.md): outsiders who are *rising* (climbing faster than their
//! cohort), who are *stuck* (their latest issue or PR waits on the project) and who *help*
//! (answer other people's issues, review their PRs), and this period against the previous one.
//!
//! Everything is read from the data as it stood at `as_of` (the caller cuts the dataset), so
//! replaying an earlier date shows only what was known then. Each list is ranked best first;
//! ties are broken by person id, so the output never depends on row order.

use super::Ctx;
use super::affiliation::Timeline;
use super::aggregate::Times;
use super::items::ItemFacts;
use super::ladder::Journey;
use super::stats::{DAY, iso, median, month_index, quarter};
use crate::analysis::model::{
    Affiliation, CompareRow, Contributor, DevRel, EvidenceRef, Helper, PeriodCompare, Rising,
    Status, Stuck, StuckReason, Trend, Unblocker,
};
use crate::domain::{EventKind, ItemKind, ItemState, Rung, Ts};
use std::collections::{BTreeMap, BTreeSet};

/// The recent window of `rising`, and the length of a compared period.
pub const WINDOW_DAYS: i64 = 90;
/// An item waits on the project once it has waited this long.
pub const STUCK_AFTER_DAYS: i64 = 3;
/// A burst shorter than this (first to last own act) is not "staying".
const STAY_DAYS: i64 = 7;
/// A cohort needs this many others at a rung for its median; else all outsiders are used.
const MIN_COHORT: usize = 3;
/// A PR changing at most this many lines (added + deleted) is a one-line fix.
const TRIVIAL_LINES: i64 = 2;

/// What the lists read: the analysis so far, as of `now`.
pub(crate) struct Input<'a> {
    pub ctx: &'a Ctx<'a>,
    pub items: &'a [ItemFacts],
    pub tl: &'a [Timeline],
    pub journeys: &'a [Journey],
    pub contributors: &'a [Contributor],
    pub times: &'a [Times],
    pub now: Option<Ts>,
}

/// One person's own acts (stars and forks left out: they are not taking part).
#[derive(Debug, Default, Clone)]
struct Acts {
    times: Vec<Ts>,
    /// Comments on other people's issues and PRs: (time, item index, event index).
    answers: Vec<(Ts, usize, usize)>,
    /// Reviews of other people's PRs.
    reviews: Vec<(Ts, usize, usize)>,
}

fn acts(inp: &Input) -> Vec<Acts> {
    let ctx = inp.ctx;
    let ds = ctx.ds;
    let mut out = vec![Acts::default(); ctx.people.persons.len()];
    for (ei, e) in ds.events.iter().enumerate() {
        let Some(p) = ctx.actor_of(ei).filter(|&p| !ctx.people.is_bot(p)) else {
            continue;
        };
        if matches!(e.kind, EventKind::Star | EventKind::Fork) {
            continue;
        }
        out[p].times.push(e.at);
        let Some(ii) = ctx.item_of(ei) else { continue };
        let others = inp.items[ii]
            .author
            .is_some_and(|a| a != p && !ctx.people.is_bot(a));
        if !others {
            continue;
        }
        match e.kind {
            EventKind::Comment => out[p].answers.push((e.at, ii, ei)),
            EventKind::Review if ds.items[ii].kind == ItemKind::Pr => {
                out[p].reviews.push((e.at, ii, ei))
            }
            _ => {}
        }
    }
    for (ii, it) in ds.items.iter().enumerate() {
        if let Some(p) = inp.items[ii].author.filter(|&p| !ctx.people.is_bot(p)) {
            out[p].times.push(it.created_at);
        }
    }
    for (ci, c) in ds.commits.iter().enumerate() {
        if let Some(p) = ctx.commit_author[ci].filter(|&p| !ctx.people.is_bot(p)) {
            out[p].times.push(c.author_time);
        }
    }
    out
}

/// Build the DevRel block.
pub(crate) fn devrel(inp: &Input) -> DevRel {
    let Some(now) = inp.now else {
        return DevRel {
            window_days: WINDOW_DAYS as u32,
            ..DevRel::default()
        };
    };
    let acts = acts(inp);
    let person_of: BTreeMap<&str, usize> = inp
        .ctx
        .people
        .persons
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let people: Vec<(usize, &Contributor, &Times)> = inp
        .contributors
        .iter()
        .zip(inp.times)
        .filter_map(|(c, t)| Some((*person_of.get(c.id.as_str())?, c, t)))
        .collect();
    DevRel {
        window_days: WINDOW_DAYS as u32,
        rising: rising(inp, &acts, &people, now),
        stuck: stuck(inp, &people, now),
        helpers: helpers(inp, &acts, &people, now),
        compare: Some(compare(inp, &people, now)),
    }
}

fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The lowest rung (from `contributor` up) the person has not reached, said as the next thing
/// to do: "first PR", "first merged PR", "3rd merged PR in a 2nd month", "first review", ….
fn next_rung(inp: &Input, p: usize, open_pr: Option<u64>) -> String {
    let j = &inp.journeys[p];
    let ladder = &inp.ctx.settings.ladder;
    let (min_merged, min_months) = (
        u64::from(ladder.regular_min_merged.max(1)),
        u64::from(ladder.regular_min_months.max(1)),
    );
    if j.reached(Rung::Contributor).is_none() {
        return "first PR".into();
    }
    if j.reached(Rung::Merged).is_none() {
        return match open_pr {
            Some(n) => format!("first merged PR (#{n} is open)"),
            None => "first merged PR".into(),
        };
    }
    if j.reached(Rung::Regular).is_none() {
        let have = j.merged_log.len() as u64;
        let months: BTreeSet<i64> = j.merged_log.iter().map(|m| month_index(m.0)).collect();
        let mut s = if have < min_merged {
            format!("{} merged PR", ordinal(min_merged))
        } else {
            "a merged PR".to_string()
        };
        if (months.len() as u64) < min_months {
            s.push_str(&format!(" in a {} month", ordinal(min_months)));
        }
        return s;
    }
    if j.reached(Rung::Reviewer).is_none() {
        return "first review".into();
    }
    "first merge, close or label of someone else's item".into()
}

/// Days from first touch to each rung, per (quarter of first touch, rung) and per rung, for
/// outsiders (their side at first touch).
struct Paces {
    by_cohort: BTreeMap<(String, Rung), Vec<f64>>,
    all: BTreeMap<Rung, Vec<f64>>,
}

fn paces(people: &[(usize, &Contributor, &Times)]) -> Paces {
    let mut by_cohort: BTreeMap<(String, Rung), Vec<f64>> = BTreeMap::new();
    let mut all: BTreeMap<Rung, Vec<f64>> = BTreeMap::new();
    for (_, _, t) in people {
        if first_side(t) != Some(Affiliation::External) {
            continue;
        }
        for r in [Rung::Merged, Rung::Regular, Rung::Reviewer] {
            if let Some((at, _)) = t.rungs[r.index()] {
                let d = ((at - t.first) / DAY) as f64;
                by_cohort.entry((quarter(t.first), r)).or_default().push(d);
                all.entry(r).or_default().push(d);
            }
        }
    }
    for v in by_cohort.values_mut().chain(all.values_mut()) {
        v.sort_by(f64::total_cmp);
    }
    Paces { by_cohort, all }
}

fn first_side(t: &Times) -> Option<Affiliation> {
    t.rungs
        .iter()
        .flatten()
        .min_by_key(|(at, _)| *at)
        .map(|(_, a)| *a)
}

/// The median of `sorted` (ascending) without one occurrence of `own`, in O(log n): the same
/// value `stats::median` gives for the list with `own` removed.
fn median_of_others(sorted: &[f64], own: f64) -> Option<f64> {
    let pos = sorted.partition_point(|x| *x < own);
    if sorted.get(pos) != Some(&own) {
        // `own` is not in the list: nothing to remove.
        return median(&mut sorted.to_vec());
    }
    let rest = sorted.len() - 1;
    if rest == 0 {
        return None;
    }
    // The k-th element of the list without index `pos`.
    let at = |k: usize| if k < pos { sorted[k] } else { sorted[k + 1] };
    let m = if rest % 2 == 1 {
        at(rest / 2)
    } else {
        (at(rest / 2 - 1) + at(rest / 2)) / 2.0
    };
    Some(super::stats::round2(m))
}

fn rising(
    inp: &Input,
    acts: &[Acts],
    people: &[(usize, &Contributor, &Times)],
    now: Ts,
) -> Vec<Rising> {
    let ds = inp.ctx.ds;
    let from = now - WINDOW_DAYS * DAY;
    let paces = paces(people);
    let trivial = |n: u64| {
        inp.ctx.item_index.get(&n).is_some_and(|&i| {
            let it = &ds.items[i];
            matches!((it.additions, it.deletions), (Some(a), Some(d)) if a + d <= TRIVIAL_LINES)
        })
    };
    let mut out: Vec<Rising> = Vec::new();
    for &(p, c, t) in people {
        if c.affiliation != Affiliation::External || c.stage >= Rung::Maintainer {
            continue;
        }
        let a = &acts[p];
        let (Some(&first), Some(&last)) = (a.times.iter().min(), a.times.iter().max()) else {
            continue;
        };
        // A one-week burst (a typo hunt) is not staying; coming back after it is.
        if last <= from || last - first <= STAY_DAYS * DAY {
            continue;
        }
        let j = &inp.journeys[p];
        let mut evidence: Vec<EvidenceRef> = Vec::new();
        let (mut merged, mut trivial_n) = (0u64, 0u64);
        for (at, key, ev) in &j.merged_log {
            if *at <= from {
                continue;
            }
            let one_line = key
                .strip_prefix("pr:")
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(trivial);
            if one_line {
                trivial_n += 1;
            } else {
                merged += 1;
            }
            evidence.push(ev.clone());
        }
        let recent = |v: &[(Ts, usize, usize)]| -> Vec<usize> {
            v.iter().filter(|x| x.0 > from).map(|x| x.2).collect()
        };
        let reviews = recent(&a.reviews);
        let answers = recent(&a.answers);
        let event_ref = |ei: usize| EvidenceRef::Event {
            id: ds.events[ei].id.to_string(),
        };
        evidence.extend(reviews.iter().chain(&answers).map(|&ei| event_ref(ei)));
        let mut issues = 0u64;
        let mut open_prs = 0u64;
        let mut open_pr: Option<u64> = None;
        for &ii in &j.authored {
            let it = &ds.items[ii];
            if it.kind == ItemKind::Pr && it.state == ItemState::Open {
                open_pr = Some(open_pr.map_or(it.number, |n| n.min(it.number)));
            }
            if it.created_at <= from {
                continue;
            }
            match it.kind {
                ItemKind::Issue => issues += 1,
                ItemKind::Pr if it.state == ItemState::Open && !trivial(it.number) => open_prs += 1,
                ItemKind::Pr => {}
            }
            if it.kind == ItemKind::Issue || it.state == ItemState::Open {
                evidence.push(EvidenceRef::Item { number: it.number });
            }
        }
        let months: BTreeSet<i64> = a
            .times
            .iter()
            .filter(|&&x| x > from)
            .map(|&x| month_index(x))
            .collect();
        let months_n = months.len() as u64;
        // Pace: days from first touch to the highest of merged / regular / reviewer reached,
        // against the others of the same quarter (or all outsiders when the quarter is thin).
        let pace = [Rung::Reviewer, Rung::Regular, Rung::Merged]
            .into_iter()
            .find_map(|r| t.rungs[r.index()].map(|(at, _)| (r, (at - t.first) / DAY)));
        let cohort = quarter(t.first);
        let cohort_median = pace.and_then(|(r, d)| {
            let own = d as f64;
            let local = paces
                .by_cohort
                .get(&(cohort.clone(), r))
                .filter(|v| v.len() > MIN_COHORT);
            match local {
                Some(v) => median_of_others(v, own).map(|m| (m, cohort.clone())),
                None => paces
                    .all
                    .get(&r)
                    .and_then(|v| median_of_others(v, own))
                    .map(|m| (m, "all outsiders".to_string())),
            }
        });
        let faster = match (pace, &cohort_median) {
            (Some((_, d)), Some((m, _))) => (d as f64) < *m,
            _ => false,
        };
        let score = 3 * merged
            + trivial_n
            + 2 * (reviews.len() as u64).min(5)
            + (answers.len() as u64).min(5)
            + issues.min(3)
            + open_prs.min(3)
            + 2 * months_n.saturating_sub(1)
            + if faster { 3 } else { 0 };
        if score < 3 {
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        if merged + trivial_n > 0 {
            let mut s = plural(
                merged + trivial_n,
                "merged contribution",
                "merged contributions",
            );
            if trivial_n > 0 {
                s.push_str(&format!(" ({trivial_n} one-line)"));
            }
            parts.push(s);
        }
        if !reviews.is_empty() {
            parts.push(plural(
                reviews.len() as u64,
                "review of others' PRs",
                "reviews of others' PRs",
            ));
        }
        if !answers.is_empty() {
            parts.push(plural(
                answers.len() as u64,
                "answer to others",
                "answers to others",
            ));
        }
        if issues > 0 {
            parts.push(plural(issues, "issue opened", "issues opened"));
        }
        if open_prs > 0 {
            parts.push(plural(open_prs, "PR open", "PRs open"));
        }
        let mut why = format!(
            "{} in the last {WINDOW_DAYS} days, active in {}",
            parts.join(", "),
            plural(months_n, "month", "months")
        );
        if let (Some((r, d)), Some((m, who))) = (pace, &cohort_median) {
            why.push_str(&format!(
                "; reached {r} {} after first touch vs a median of {m:.0} for {who}",
                plural(d.max(0) as u64, "day", "days")
            ));
        }
        why.push('.');
        evidence.sort();
        evidence.dedup();
        out.push(Rising {
            id: c.id.clone(),
            name: c.name.clone(),
            logins: c.logins.clone(),
            stage: c.stage,
            why,
            evidence,
            next_rung: next_rung(inp, p, open_pr),
            score,
            merged_recent: merged + trivial_n,
            trivial_recent: trivial_n,
            reviews_recent: reviews.len() as u64,
            answers_recent: answers.len() as u64,
            issues_recent: issues,
            months_recent: months_n,
            days_to_stage: pace.map(|(_, d)| d),
            cohort: Some(cohort),
            cohort_median_days: cohort_median.map(|(m, _)| m),
            first_seen: c.first_seen.clone(),
            last_seen: c.last_seen.clone(),
        });
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.last_seen.cmp(&a.last_seen))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// (person, items handled, latest), best first.
type Tally = Vec<(usize, u64, Ts)>;

/// Who handled which item, indexed for the unblockers: each item's distinct handlers (with
/// their latest act on it), items by label, and per kind the tally over outsiders' items.
struct History {
    handled: Vec<Vec<(usize, Ts)>>,
    by_label: BTreeMap<String, Vec<usize>>,
    /// Per kind (PRs, issues): (person, outsiders' items handled, latest), best first.
    outsiders: [Vec<(usize, u64, Ts)>; 2],
    /// Whether each item was opened by an outsider.
    outsider_item: Vec<bool>,
    /// Tallies over the items sharing a label set, per (kind, labels), computed once per set.
    by_label_set: std::cell::RefCell<BTreeMap<(usize, Vec<String>), Tally>>,
}

fn kind_slot(k: ItemKind) -> usize {
    match k {
        ItemKind::Pr => 0,
        ItemKind::Issue => 1,
    }
}

fn best_first(v: &mut [(usize, u64, Ts)]) {
    v.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
}

fn history(inp: &Input, raw: Vec<Vec<(usize, Ts)>>) -> History {
    let ds = inp.ctx.ds;
    let handled: Vec<Vec<(usize, Ts)>> = raw
        .into_iter()
        .map(|mut hs| {
            // One entry per person, with their latest act on the item.
            hs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            hs.dedup_by_key(|x| x.0);
            hs
        })
        .collect();
    let mut by_label: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut tallies: [BTreeMap<usize, (u64, Ts)>; 2] = Default::default();
    let mut outsider_item = vec![false; ds.items.len()];
    for (jj, it) in ds.items.iter().enumerate() {
        for l in &it.labels {
            by_label.entry(l.to_lowercase()).or_default().push(jj);
        }
        let outsider = inp.items[jj]
            .author
            .is_some_and(|a| inp.tl[a].at(it.created_at) == Affiliation::External);
        outsider_item[jj] = outsider;
        if outsider {
            for &(q, at) in &handled[jj] {
                let e = tallies[kind_slot(it.kind)].entry(q).or_insert((0, at));
                e.0 += 1;
                e.1 = e.1.max(at);
            }
        }
    }
    let outsiders = tallies.map(|t| {
        let mut v: Vec<(usize, u64, Ts)> = t.into_iter().map(|(q, (n, at))| (q, n, at)).collect();
        best_first(&mut v);
        v
    });
    History {
        handled,
        by_label,
        outsiders,
        outsider_item,
        by_label_set: Default::default(),
    }
}

/// Who handled items like `ii` before: reviewers and mergers of PRs, answerers and closers of
/// issues, preferring items that share a label with it.
fn unblockers(inp: &Input, h: &History, ii: usize) -> Vec<Unblocker> {
    let ctx = inp.ctx;
    let ds = ctx.ds;
    let it = &ds.items[ii];
    let author = inp.items[ii].author;
    let labels: BTreeSet<String> = it.labels.iter().map(|l| l.to_lowercase()).collect();
    let (verb, one, many) = match it.kind {
        ItemKind::Pr => ("reviewed or merged", "PR", "PRs"),
        ItemKind::Issue => ("answered or closed", "issue", "issues"),
    };
    // The tally over the items of its kind sharing a label with it (itself included), then
    // without it and its author: leaving the item out lowers a count by at most one, so the
    // best two are among the first (2 + its handlers + the author) of the tally.
    let own = &h.handled[ii];
    let top_two = |tally: &[(usize, u64, Ts)], counted: bool| {
        let mut v: Vec<(usize, u64, Ts)> = tally
            .iter()
            .take(3 + own.len())
            .filter(|(q, _, _)| Some(*q) != author)
            .map(|&(q, n, at)| {
                let minus = u64::from(counted && own.iter().any(|(o, _)| *o == q));
                (q, n - minus, at)
            })
            .filter(|(_, n, _)| *n > 0)
            .collect();
        best_first(&mut v);
        v.truncate(2);
        v
    };
    let key = (
        kind_slot(it.kind),
        labels.iter().cloned().collect::<Vec<_>>(),
    );
    let mut found = Vec::new();
    if !labels.is_empty() {
        let mut cache = h.by_label_set.borrow_mut();
        let tally = cache.entry(key).or_insert_with(|| {
            // Each item once, however many of the labels it shares.
            let mut seen = vec![false; ds.items.len()];
            let mut by: BTreeMap<usize, (u64, Ts)> = BTreeMap::new();
            for &jj in labels.iter().filter_map(|l| h.by_label.get(l)).flatten() {
                if seen[jj] || ds.items[jj].kind != it.kind {
                    continue;
                }
                seen[jj] = true;
                for &(q, at) in &h.handled[jj] {
                    let e = by.entry(q).or_insert((0, at));
                    e.0 += 1;
                    e.1 = e.1.max(at);
                }
            }
            let mut v: Vec<(usize, u64, Ts)> =
                by.into_iter().map(|(q, (n, at))| (q, n, at)).collect();
            best_first(&mut v);
            v
        });
        found = top_two(tally, true);
    }
    let label_list = {
        let mut l: Vec<&String> = labels.iter().collect();
        l.truncate(3);
        let l: Vec<String> = l.into_iter().map(|s| format!("`{s}`")).collect();
        l.join(" or ")
    };
    let mut how: Box<dyn Fn(u64) -> String> =
        Box::new(move |n| format!("{} labeled {label_list}", if n == 1 { one } else { many }));
    if found.is_empty() {
        found = top_two(&h.outsiders[kind_slot(it.kind)], h.outsider_item[ii]);
        how = Box::new(move |n| {
            if n == 1 {
                format!("outsider's {one}")
            } else {
                format!("outsiders' {many}")
            }
        });
    }
    found
        .into_iter()
        .map(|(q, n, _)| {
            let person = &ctx.people.persons[q];
            Unblocker {
                id: person.id.clone(),
                name: person.name.clone(),
                count: n,
                why: format!("{verb} {n} {} before", how(n)),
            }
        })
        .collect()
}

fn stuck(inp: &Input, people: &[(usize, &Contributor, &Times)], now: Ts) -> Vec<Stuck> {
    let ctx = inp.ctx;
    let ds = ctx.ds;
    // Candidates: each outsider's latest issue or PR, still open.
    let mut candidates: BTreeMap<usize, (usize, &Contributor)> = BTreeMap::new();
    for &(p, c, _) in people {
        if c.affiliation != Affiliation::External {
            continue;
        }
        let latest = inp.journeys[p]
            .authored
            .iter()
            .copied()
            .max_by_key(|&i| (ds.items[i].created_at, ds.items[i].number));
        if let Some(ii) = latest {
            let it = &ds.items[ii];
            if it.state == ItemState::Open && !it.is_draft {
                candidates.insert(ii, (p, c));
            }
        }
    }
    let mut is_candidate = vec![false; ds.items.len()];
    for &ii in candidates.keys() {
        is_candidate[ii] = true;
    }
    // Who handled each item (for the unblockers) and what happened on the candidates.
    let mut handled: Vec<Vec<(usize, Ts)>> = vec![Vec::new(); ds.items.len()];
    let mut on_candidate: Vec<Vec<usize>> = vec![Vec::new(); ds.items.len()];
    for (ei, e) in ds.events.iter().enumerate() {
        let Some(ii) = ctx.item_of(ei) else { continue };
        if is_candidate[ii] {
            on_candidate[ii].push(ei);
        }
        let Some(q) = ctx.actor_of(ei).filter(|&q| !ctx.people.is_bot(q)) else {
            continue;
        };
        if inp.items[ii].author == Some(q) {
            continue;
        }
        let counts = match ds.items[ii].kind {
            ItemKind::Pr => matches!(e.kind, EventKind::Review | EventKind::Merged),
            ItemKind::Issue => matches!(e.kind, EventKind::Comment | EventKind::Closed),
        };
        if counts {
            handled[ii].push((q, e.at));
        }
    }
    for (ii, it) in ds.items.iter().enumerate() {
        if let (Some(m), Some(at)) = (it.merged_by.as_deref(), it.merged_at)
            && let Some(q) = ctx.people.by_login(m).filter(|&q| !ctx.people.is_bot(q))
        {
            handled[ii].push((q, at));
        }
    }
    let hist = history(inp, handled);
    let mut out = Vec::new();
    for (&ii, &(_, c)) in &candidates {
        let it = &ds.items[ii];
        let f = &inp.items[ii];
        let mut evs = std::mem::take(&mut on_candidate[ii]);
        evs.sort_by(|&a, &b| {
            (ds.events[a].at, &ds.events[a].id).cmp(&(ds.events[b].at, &ds.events[b].id))
        });
        let human = |ei: usize| ctx.actor_of(ei).filter(|&q| !ctx.people.is_bot(q));
        let what = if it.kind == ItemKind::Pr {
            "PR"
        } else {
            "issue"
        };
        let n = it.number;
        // The latest review verdict by someone else decides "approved".
        let verdict = evs.iter().copied().rfind(|&ei| {
            ds.events[ei].kind == EventKind::Review
                && human(ei).is_some_and(|q| Some(q) != f.author)
                && matches!(
                    ds.events[ei].state.as_deref(),
                    Some("APPROVED" | "CHANGES_REQUESTED")
                )
        });
        let last_human = evs.iter().copied().rfind(|&ei| human(ei).is_some());
        let (reason, since, why, ev) = if f.cla_asked && !f.cla_signed {
            (
                StuckReason::ClaUnsigned,
                it.created_at,
                format!("a CLA bot asked on {what} #{n} and the CLA was never signed"),
                None,
            )
        } else if let Some(v) = verdict.filter(|&v| {
            it.kind == ItemKind::Pr && ds.events[v].state.as_deref() == Some("APPROVED")
        }) {
            (
                StuckReason::ApprovedNotMerged,
                ds.events[v].at,
                format!("PR #{n} was approved but never merged"),
                Some(v),
            )
        } else if !f.human_reply {
            (
                StuckReason::NoReply,
                it.created_at,
                format!("{what} #{n} never got a reply from anyone else"),
                None,
            )
        } else if it.kind == ItemKind::Pr
            && !f.reviewed
            && last_human.is_none_or(|ei| human(ei) == f.author)
        {
            let since = last_human.map_or(it.created_at, |ei| ds.events[ei].at);
            (
                StuckReason::ReviewNotGiven,
                since,
                format!("PR #{n} got replies but no review, and its author spoke last"),
                last_human,
            )
        } else {
            continue;
        };
        let days = (now - since) / DAY;
        if days < STUCK_AFTER_DAYS {
            continue;
        }
        let mut evidence = vec![EvidenceRef::Item { number: n }];
        if let Some(ei) = ev {
            evidence.push(EvidenceRef::Event {
                id: ds.events[ei].id.to_string(),
            });
        }
        let unblock = unblockers(inp, &hist, ii);
        let mut why = format!("{why}; waiting {}", plural(days as u64, "day", "days"));
        if let Some(u) = unblock.first() {
            why.push_str(&format!("; {} {}", u.name, u.why));
        }
        why.push('.');
        out.push(Stuck {
            id: c.id.clone(),
            name: c.name.clone(),
            logins: c.logins.clone(),
            stage: c.stage,
            status: c.status,
            item: n,
            kind: it.kind,
            title: it.title.clone(),
            url: it.url.clone(),
            waiting_since: iso(since),
            waiting_days: days,
            reason,
            why,
            evidence,
            unblockers: unblock,
        });
    }
    out.sort_by(|a, b| {
        a.waiting_since
            .cmp(&b.waiting_since)
            .then(a.item.cmp(&b.item))
    });
    out
}

fn helpers(
    inp: &Input,
    acts: &[Acts],
    people: &[(usize, &Contributor, &Times)],
    now: Ts,
) -> Vec<Helper> {
    let ctx = inp.ctx;
    let ds = ctx.ds;
    let days = i64::from(ctx.settings.inactive_days.max(1));
    let from = now - days * DAY;
    let mut out = Vec::new();
    for &(p, c, _) in people {
        if c.affiliation != Affiliation::External {
            continue;
        }
        let a = &acts[p];
        let answers: Vec<&(Ts, usize, usize)> = a.answers.iter().filter(|x| x.0 > from).collect();
        let reviews: Vec<&(Ts, usize, usize)> = a.reviews.iter().filter(|x| x.0 > from).collect();
        let mut items: Vec<(Ts, usize)> =
            answers.iter().chain(&reviews).map(|x| (x.0, x.1)).collect();
        items.sort_by(|a, b| b.cmp(a));
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let distinct: Vec<usize> = items
            .iter()
            .map(|x| x.1)
            .filter(|ii| seen.insert(*ii))
            .collect();
        if answers.len() + reviews.len() < 2 || distinct.len() < 2 {
            continue;
        }
        let first_responses = distinct
            .iter()
            .filter(|&&ii| {
                inp.items[ii]
                    .first_response
                    .is_some_and(|(t, ei)| t > from && ctx.actor_of(ei) == Some(p))
            })
            .count() as u64;
        let helped: BTreeSet<usize> = distinct
            .iter()
            .filter_map(|&ii| inp.items[ii].author)
            .collect();
        let examples: Vec<u64> = distinct
            .iter()
            .take(3)
            .map(|&ii| ds.items[ii].number)
            .collect();
        let mut evidence: Vec<EvidenceRef> = answers
            .iter()
            .chain(&reviews)
            .map(|x| EvidenceRef::Event {
                id: ds.events[x.2].id.to_string(),
            })
            .collect();
        evidence.sort();
        let list: Vec<String> = examples.iter().map(|n| format!("#{n}")).collect();
        let why = format!(
            "{} and {} for {} in the last {days} days, first to reply on {}; e.g. {}.",
            plural(answers.len() as u64, "answer", "answers"),
            plural(reviews.len() as u64, "review", "reviews"),
            plural(helped.len() as u64, "other person", "other people"),
            plural(first_responses, "item", "items"),
            list.join(", ")
        );
        out.push(Helper {
            id: c.id.clone(),
            name: c.name.clone(),
            logins: c.logins.clone(),
            stage: c.stage,
            answers: answers.len() as u64,
            reviews: reviews.len() as u64,
            first_responses,
            people_helped: helped.len() as u64,
            examples,
            why,
            evidence,
        });
    }
    let score = |h: &Helper| 2 * h.first_responses + h.answers + 2 * h.reviews;
    out.sort_by(|a, b| score(b).cmp(&score(a)).then(a.id.cmp(&b.id)));
    out
}

/// A count per period: (value, ids) for (from, to].
fn row(
    metric: &str,
    label: &str,
    up_is_good: bool,
    current: (Option<f64>, Vec<String>),
    previous: Option<f64>,
) -> CompareRow {
    let trend = match (current.0, previous) {
        (Some(c), Some(p)) if (c - p).abs() < 1e-9 => Trend::Flat,
        (Some(c), Some(p)) if c > p => Trend::Up,
        (Some(_), Some(_)) => Trend::Down,
        _ => Trend::Unknown,
    };
    let better = match trend {
        Trend::Up => Some(up_is_good),
        Trend::Down => Some(!up_is_good),
        Trend::Flat | Trend::Unknown => None,
    };
    CompareRow {
        metric: metric.into(),
        label: label.into(),
        current: current.0,
        previous,
        trend,
        better,
        current_ids: current.1,
    }
}

fn compare(inp: &Input, people: &[(usize, &Contributor, &Times)], now: Ts) -> PeriodCompare {
    let len = WINDOW_DAYS * DAY;
    let (from, prev_from) = (now - len, now - 2 * len);
    let inside = |t: Ts, end: Ts| t > end - len && t <= end;
    let count = |end: Ts, pick: &dyn Fn(&Contributor, &Times) -> Option<Ts>| {
        let ids: Vec<String> = people
            .iter()
            .filter(|(_, c, t)| pick(c, t).is_some_and(|at| inside(at, end)))
            .map(|(_, c, _)| c.id.clone())
            .collect();
        (Some(ids.len() as f64), ids)
    };
    let mut rows = Vec::new();
    // New outsiders: their first act beyond starring (participant or higher) in the period.
    let new_outsider = |_: &Contributor, t: &Times| {
        t.rungs[Rung::Participant.index()..]
            .iter()
            .flatten()
            .min_by_key(|(at, _)| *at)
            .filter(|(_, a)| *a == Affiliation::External)
            .map(|(at, _)| *at)
    };
    let cur = count(now, &new_outsider);
    let prev = count(from, &new_outsider).0;
    rows.push(row("new_outsiders", "new outsiders", true, cur, prev));
    for r in [
        Rung::Contributor,
        Rung::Merged,
        Rung::Regular,
        Rung::Reviewer,
        Rung::Maintainer,
    ] {
        let reached = move |_: &Contributor, t: &Times| {
            t.rungs[r.index()]
                .filter(|(_, a)| *a == Affiliation::External)
                .map(|(at, _)| at)
        };
        let cur = count(now, &reached);
        let prev = count(from, &reached).0;
        rows.push(row(
            &format!("reached_{}", r.name()),
            &format!("outsiders reaching {r}"),
            true,
            cur,
            prev,
        ));
    }
    let inactive = i64::from(inp.ctx.settings.inactive_days) * DAY;
    let dropped = |c: &Contributor, _: &Times| {
        let last = crate::timefmt::parse_rfc3339(&c.last_seen)?;
        (c.affiliation == Affiliation::External
            && c.stage >= Rung::Participant
            && c.status == Status::Dropped)
            .then_some(last + inactive)
    };
    let cur = count(now, &dropped);
    let prev = count(from, &dropped).0;
    rows.push(row("dropoffs", "outsiders dropping off", false, cur, prev));
    let pen_cur = super::signals::penalty_between(inp.ctx, inp.items, inp.tl, from, now);
    let pen_prev = super::signals::penalty_between(inp.ctx, inp.items, inp.tl, prev_from, from);
    let items = |c: &crate::analysis::model::Comparison| -> Vec<String> {
        let mut v: Vec<u64> = c
            .subject
            .items
            .iter()
            .chain(&c.baseline.items)
            .copied()
            .collect();
        v.sort_unstable();
        v.into_iter().map(|n| format!("item:{n}")).collect()
    };
    for (metric, label, up_good, c, p) in [
        (
            "first_response_ratio",
            "first reply, outsiders ÷ insiders",
            false,
            &pen_cur.first_response_hours,
            &pen_prev.first_response_hours,
        ),
        (
            "acceptance_ratio",
            "PR acceptance, outsiders ÷ insiders",
            true,
            &pen_cur.acceptance,
            &pen_prev.acceptance,
        ),
        (
            "merge_latency_ratio",
            "time to merge, outsiders ÷ insiders",
            false,
            &pen_cur.merge_latency_hours,
            &pen_prev.merge_latency_hours,
        ),
    ] {
        rows.push(row(metric, label, up_good, (c.ratio, items(c)), p.ratio));
    }
    PeriodCompare {
        from: iso(from),
        to: iso(now),
        previous_from: iso(prev_from),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_others_leaves_one_occurrence_out() {
        let v = [1.0, 2.0, 2.0, 5.0, 9.0];
        for own in [1.0, 2.0, 5.0, 9.0] {
            let mut rest = v.to_vec();
            let i = rest.iter().position(|x| *x == own).unwrap();
            rest.remove(i);
            assert_eq!(median_of_others(&v, own), median(&mut rest), "{own}");
        }
        assert_eq!(median_of_others(&[3.0], 3.0), None);
        assert_eq!(median_of_others(&[1.0, 3.0], 7.0), Some(2.0));
    }

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 102]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "102nd"
            ]
        );
    }

    #[test]
    fn a_trend_says_which_way_and_whether_that_is_good() {
        let up = row("m", "m", false, (Some(2.0), vec![]), Some(1.0));
        assert_eq!((up.trend, up.better), (Trend::Up, Some(false)));
        let flat = row("m", "m", true, (Some(1.0), vec![]), Some(1.0));
        assert_eq!((flat.trend, flat.better), (Trend::Flat, None));
        let unknown = row("m", "m", true, (None, vec![]), Some(1.0));
        assert_eq!((unknown.trend, unknown.better), (Trend::Unknown, None));
    }
}
