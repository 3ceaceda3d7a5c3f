//! Aggregates over journeys: the funnel, drop-offs, entry doors, cohorts by quarter of first
//! touch, and vanity vs gravity (docs/definitions.md#gravity).

use super::stats::{DAY, median, month, quarter, share};
use crate::analysis::model::{
    Affiliation, Cohort, CohortRung, Contributor, Door, DoorRow, DropoffReason, DropoffRow,
    Experience, FunnelRow, Gravity, MonthRow, Split, StarBurst, Status, Window,
};
use crate::domain::{ItemKind, Rung, Ts};
use std::collections::{BTreeMap, BTreeSet};

/// A contributor's times, kept as numbers alongside the rendered `Contributor`.
#[derive(Debug, Clone)]
pub struct Times {
    pub first: Ts,
    /// Per rung: when reached and the affiliation then.
    pub rungs: [Option<(Ts, Affiliation)>; 7],
}

fn bump(split: &mut Split<u64>, a: Affiliation) {
    match a {
        Affiliation::Internal => split.internal += 1,
        Affiliation::External => split.external += 1,
    }
}

/// One row per rung; each person counted by their affiliation on the rung's date.
/// Rungs only GitHub data can show.
/// Which sources could see each rung (docs/definitions.md, "Honest unknowns"). A rung no
/// source could see is counted as unknown (`null`), never 0.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub seen_by: [Vec<&'static str>; 7],
}

impl Visibility {
    /// GitHub sees every rung. Git sees contributions and landings; reviews only when the
    /// history has review trailers; the gate only when someone commits others' work or merges
    /// PRs with merge commits.
    pub fn of(ds: &crate::domain::Dataset) -> Visibility {
        let mut v = Visibility::default();
        let review_trailers = ds.commits.iter().any(|c| {
            c.trailers.iter().any(|(k, _)| {
                matches!(
                    k.to_ascii_lowercase().as_str(),
                    "reviewed-by" | "acked-by" | "reviewed by"
                )
            })
        });
        let gate = ds
            .commits
            .iter()
            .any(|c| c.applied_by_other || c.pr_via == Some(crate::domain::PrVia::MergeCommit));
        for r in Rung::ALL {
            let git = ds.has_git
                && match r {
                    Rung::Observer | Rung::Participant => false,
                    Rung::Contributor | Rung::Merged | Rung::Regular => true,
                    Rung::Reviewer => review_trailers,
                    Rung::Maintainer => gate,
                };
            if git {
                v.seen_by[r.index()].push("git");
            }
            if ds.has_github {
                v.seen_by[r.index()].push("github");
            }
        }
        v
    }

    pub fn visible(&self, r: Rung) -> bool {
        !self.seen_by[r.index()].is_empty()
    }
}

pub fn funnel(cs: &[Contributor], times: &[Times], vis: &Visibility) -> Vec<FunnelRow> {
    let mut out: Vec<FunnelRow> = Vec::new();
    for r in Rung::ALL {
        let mut split = Split::<u64>::default();
        let mut days: Split<Vec<f64>> = Split::default();
        let mut people = Vec::new();
        for (c, t) in cs.iter().zip(times) {
            if let Some((at, a)) = t.rungs[r.index()] {
                bump(&mut split, a);
                side_mut(&mut days, a).push(((at - t.first) / DAY) as f64);
                people.push(c.id.clone());
            }
        }
        let known = vis.visible(r);
        // docs/definitions.md#conversion: people on the previous rung, by their affiliation
        // on that rung's date, who reached this rung too (rungs are not strictly ordered in
        // time, so it is a set intersection, not a ratio of counts).
        let mut conversion = Split::default();
        if let Some(prev) = r.index().checked_sub(1).map(|i| Rung::ALL[i])
            && known
            && vis.visible(prev)
        {
            let mut base = Split::<u64>::default();
            let mut reached = Split::<u64>::default();
            for t in times {
                if let Some((_, a)) = t.rungs[prev.index()] {
                    bump(&mut base, a);
                    if t.rungs[r.index()].is_some() {
                        bump(&mut reached, a);
                    }
                }
            }
            conversion = Split {
                internal: share(reached.internal, base.internal),
                external: share(reached.external, base.external),
            };
        }
        let mut median_days = Split::default();
        if known {
            median_days = Split {
                internal: median(&mut days.internal),
                external: median(&mut days.external),
            };
        }
        out.push(FunnelRow {
            stage: r,
            internal: known.then_some(split.internal),
            external: known.then_some(split.external),
            people,
            seen_by: vis.seen_by[r.index()]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            conversion,
            median_days,
        });
    }
    out
}

fn side_mut<T>(split: &mut Split<T>, a: Affiliation) -> &mut T {
    match a {
        Affiliation::Internal => &mut split.internal,
        Affiliation::External => &mut split.external,
    }
}

/// docs/definitions.md#drop-off by last experience alone, above the observer rung; most
/// outsiders first, then by name.
pub fn dropoff_reasons(rows: &[DropoffRow]) -> Vec<DropoffReason> {
    let mut by: BTreeMap<Experience, DropoffReason> = BTreeMap::new();
    for d in rows.iter().filter(|d| d.stage > Rung::Observer) {
        let r = by.entry(d.reason).or_insert_with(|| DropoffReason {
            reason: d.reason,
            internal: 0,
            external: 0,
            people: Vec::new(),
        });
        r.internal += d.internal;
        r.external += d.external;
        r.people.extend(d.people.iter().cloned());
    }
    let mut out: Vec<DropoffReason> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.external
            .cmp(&a.external)
            .then(a.reason.as_str().cmp(b.reason.as_str()))
    });
    out
}

pub fn dropoffs(cs: &[Contributor]) -> Vec<DropoffRow> {
    let mut rows: BTreeMap<(Rung, Experience), (Split<u64>, Vec<String>)> = BTreeMap::new();
    for c in cs.iter().filter(|c| c.status == Status::Dropped) {
        let row = rows.entry((c.stage, c.last_experience)).or_default();
        bump(&mut row.0, c.affiliation);
        row.1.push(c.id.clone());
    }
    rows.into_iter()
        .map(|((stage, reason), (s, people))| DropoffRow {
            stage,
            reason,
            internal: s.internal,
            external: s.external,
            people,
        })
        .collect()
}

/// Affiliation at first touch.
fn first_affiliation(c: &Contributor, t: &Times) -> Affiliation {
    t.rungs
        .iter()
        .flatten()
        .min_by_key(|(at, _)| *at)
        .map_or(c.affiliation, |(_, a)| *a)
}

pub fn doors(cs: &[Contributor], times: &[Times]) -> Vec<DoorRow> {
    Door::ALL
        .into_iter()
        .map(|d| {
            let mut row = DoorRow {
                door: d,
                people: 0,
                reached_regular: 0,
                share: None,
                split: Split::default(),
                regular_split: Split::default(),
                people_ids: Vec::new(),
                regular_ids: Vec::new(),
            };
            for (c, t) in cs.iter().zip(times).filter(|(c, _)| c.door == Some(d)) {
                let a = first_affiliation(c, t);
                row.people += 1;
                bump(&mut row.split, a);
                row.people_ids.push(c.id.clone());
                if t.rungs[Rung::Regular.index()].is_some() {
                    row.reached_regular += 1;
                    bump(&mut row.regular_split, a);
                    row.regular_ids.push(c.id.clone());
                }
            }
            row.share = share(row.reached_regular, row.people);
            row
        })
        .collect()
}

pub fn cohorts(cs: &[Contributor], times: &[Times], as_of: Ts, vis: &Visibility) -> Vec<Cohort> {
    let mut groups: BTreeMap<(String, Affiliation), Vec<usize>> = BTreeMap::new();
    for (i, (c, t)) in cs.iter().zip(times).enumerate() {
        groups
            .entry((quarter(t.first), first_affiliation(c, t)))
            .or_default()
            .push(i);
    }
    groups
        .into_iter()
        .map(|((q, a), members)| {
            let rungs = Rung::ALL
                .into_iter()
                .filter(|r| vis.visible(*r))
                .map(|r| {
                    let window = |days: i64| {
                        let mut w = Window::default();
                        for &m in &members {
                            let t = &times[m];
                            if t.first + days * DAY > as_of {
                                continue;
                            }
                            w.eligible += 1;
                            if t.rungs[r.index()].is_some_and(|(at, _)| at - t.first <= days * DAY)
                            {
                                w.reached += 1;
                            }
                        }
                        w.share = share(w.reached, w.eligible);
                        w
                    };
                    CohortRung {
                        rung: r,
                        within_90_days: window(90),
                        within_180_days: window(180),
                        within_365_days: window(365),
                    }
                })
                .collect();
            Cohort {
                quarter: q,
                affiliation: a,
                size: members.len() as u64,
                people: members.iter().map(|&m| cs[m].id.clone()).collect(),
                rungs,
            }
        })
        .collect()
}

/// Stars against new participants/contributors per month, star bursts, stargazer conversion
/// and typo hunts.
pub fn gravity(
    ctx: &super::Ctx,
    cs: &[Contributor],
    times: &[Times],
    starred: &BTreeMap<String, Ts>,
    star_times: &[Ts],
    now: Ts,
) -> Gravity {
    let gh = ctx.ds.has_github;
    let mut months: BTreeMap<String, MonthRow> = BTreeMap::new();
    let row = |m: String, months: &mut BTreeMap<String, MonthRow>| {
        months.entry(m.clone()).or_insert(MonthRow {
            month: m,
            stars: gh.then_some(0),
            new_participants: 0,
            new_contributors: 0,
            new_outsiders: 0,
        });
    };
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    for &t in star_times {
        let m = month(t);
        row(m.clone(), &mut months);
        if let Some(r) = months.get_mut(&m) {
            r.stars = Some(r.stars.unwrap_or(0) + 1);
        }
        *per_day.entry(super::stats::day(t)).or_default() += 1;
    }
    for t in times {
        for (rung, add) in [(Rung::Participant, 0), (Rung::Contributor, 1)] {
            if let Some((at, _)) = t.rungs[rung.index()] {
                let m = month(at);
                row(m.clone(), &mut months);
                if let Some(r) = months.get_mut(&m) {
                    if add == 0 {
                        r.new_participants += 1;
                    } else {
                        r.new_contributors += 1;
                    }
                }
            }
        }
    }
    let mut new_outsiders = 0;
    for t in times {
        let first_part = t.rungs[Rung::Participant.index()..]
            .iter()
            .flatten()
            .min_by_key(|(at, _)| *at);
        if let Some(&(at, Affiliation::External)) = first_part {
            let m = month(at);
            row(m.clone(), &mut months);
            if let Some(r) = months.get_mut(&m) {
                r.new_outsiders += 1;
                new_outsiders += 1;
            }
        }
    }
    // Every month from the first to `as_of`, so a chart of the series has no silent gaps.
    if let Some(first) = months.keys().next().cloned() {
        let last = month(now).max(months.keys().next_back().cloned().unwrap_or_default());
        let mut m = first;
        while m < last {
            m = next_month(&m);
            row(m.clone(), &mut months);
        }
    }
    let mut daily: Vec<f64> = per_day.values().map(|&v| v as f64).collect();
    let baseline = median(&mut daily).unwrap_or(0.0);
    let star_bursts = per_day
        .iter()
        .filter(|(_, n)| **n as f64 >= (5.0 * baseline).max(10.0))
        .map(|(d, n)| StarBurst {
            day: d.clone(),
            stars: *n,
            baseline,
        })
        .collect();
    let mut converted_ids = Vec::new();
    for (c, tm) in cs.iter().zip(times) {
        if let Some(&t) = starred.get(&c.id) {
            let later = [Rung::Participant, Rung::Contributor]
                .iter()
                .filter_map(|r| tm.rungs[r.index()])
                .any(|(at, _)| at >= t);
            if later {
                converted_ids.push(c.id.clone());
            }
        }
    }
    let stargazers = starred.len() as u64;
    Gravity {
        stargazers: gh.then_some(stargazers),
        stargazers_participating: gh.then_some(converted_ids.len() as u64),
        conversion: if gh {
            share(converted_ids.len() as u64, stargazers)
        } else {
            None
        },
        converted_ids,
        new_outsiders,
        by_month: months.into_values().collect(),
        star_bursts,
        typo_hunt_prs: typo_hunt(ctx, cs),
    }
}

/// One-line docs PRs from first-timers who never came back, when at least five of them fall
/// within seven days.
fn typo_hunt(ctx: &super::Ctx, cs: &[Contributor]) -> Vec<u64> {
    let ds = ctx.ds;
    let one_timers: BTreeSet<&str> = cs
        .iter()
        .filter(|c| {
            c.door == Some(Door::DocsPr) && c.prs_opened + c.issues_opened <= 1 && c.commits <= 1
        })
        .map(|c| c.id.as_str())
        .collect();
    let mut prs: Vec<(Ts, u64)> = ds
        .items
        .iter()
        .enumerate()
        .filter(|(i, it)| {
            it.kind == ItemKind::Pr
                && matches!((it.additions, it.deletions), (Some(a), Some(d)) if a + d <= 2)
                && ctx.item_author[*i]
                    .is_some_and(|p| one_timers.contains(ctx.people.persons[p].id.as_str()))
        })
        .map(|(_, it)| (it.created_at, it.number))
        .collect();
    prs.sort_unstable();
    let mut out: BTreeSet<u64> = BTreeSet::new();
    let mut start = 0;
    for end in 0..prs.len() {
        while prs[end].0 - prs[start].0 > 7 * DAY {
            start += 1;
        }
        if end + 1 - start >= 5 {
            out.extend(prs[start..=end].iter().map(|(_, n)| *n));
        }
    }
    out.into_iter().collect()
}

/// The calendar month after `YYYY-MM`.
fn next_month(m: &str) -> String {
    let (y, mo) = m.split_once('-').unwrap_or((m, "01"));
    let (y, mo) = (
        y.parse::<i32>().unwrap_or(0),
        mo.parse::<u32>().unwrap_or(1),
    );
    if mo >= 12 {
        format!("{:04}-01", y + 1)
    } else {
        format!("{y:04}-{:02}", mo + 1)
    }
}
