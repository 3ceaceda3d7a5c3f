//! Pure analysis: people, affiliation over time, journeys up the ladder, drop-off, internal-only
//! workflow signals, outsider penalty, doors, cohorts. No I/O in this module tree: no files, no
//! network, no clock — `as_of` comes from the data (or the caller), so a snapshot gives the same
//! report on any machine, any day.
//!
//! Determinism: every output list is sorted; ties between equally early proofs are broken by the
//! evidence's id, so insertion order never shows.

mod affiliation;
mod aggregate;
mod devrel;
mod experience;
mod items;
mod ladder;
pub mod model;
pub mod org;
pub mod patterns;
pub mod people;
mod signals;
pub mod stats;
mod triage;

use crate::analysis::model::{
    Contributor, Hit, PeopleCounts, Report, RungReached, Sources, Status,
};
use crate::config::Settings;
use crate::domain::Dataset;
use crate::domain::{ItemState, Rung, Ts};
use patterns::Patterns;
use people::People;
use stats::iso;
use std::collections::BTreeMap;

/// What every stage of the analysis reads: the data, the settings, and the people behind each
/// row (resolved once).
pub(crate) struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub settings: &'a Settings,
    pub pats: Patterns,
    pub people: People,
    /// Person of each event's actor (`u32::MAX`: none); read it with [`Ctx::actor_of`].
    event_actor: Vec<u32>,
    pub commit_author: Vec<Option<usize>>,
    pub commit_committer: Vec<Option<usize>>,
    pub item_author: Vec<Option<usize>>,
    /// Item number → index in `ds.items`.
    pub item_index: stats::FastMap<u64, usize>,
    /// Index in `ds.items` of each event's item (`u32::MAX`: none or unknown).
    event_item: Vec<u32>,
    /// `Merge pull request` merge commits (index in `ds.commits`) and their PRs' authors.
    pub merges: stats::FastMap<usize, people::MergedPr>,
}

/// The newest time in the data: events, items and commits all count.
pub fn newest_time(ds: &Dataset) -> Option<Ts> {
    let events = ds.events.iter().map(|e| e.at);
    let commits = ds
        .commits
        .iter()
        .flat_map(|c| [c.author_time, c.committer_time]);
    let items = ds.items.iter().flat_map(|i| {
        [Some(i.created_at), i.closed_at, i.merged_at]
            .into_iter()
            .flatten()
    });
    events.chain(commits).chain(items).max()
}

/// The oldest time in the data (the TUI's time control stops there).
pub fn oldest_time(ds: &Dataset) -> Option<Ts> {
    let events = ds.events.iter().map(|e| e.at);
    let commits = ds
        .commits
        .iter()
        .map(|c| c.author_time.min(c.committer_time));
    let items = ds.items.iter().map(|i| i.created_at);
    events.chain(commits).chain(items).min()
}

/// [`newest_time`] without the dates [`clock_skew`] found wrong.
fn newest_sane_time(ds: &Dataset, skew: &[(usize, Ts, String)]) -> Option<Ts> {
    let skewed: std::collections::BTreeSet<usize> = skew.iter().map(|(ci, _, _)| *ci).collect();
    let events = ds.events.iter().map(|e| e.at);
    let commits = ds
        .commits
        .iter()
        .enumerate()
        .filter(|(ci, _)| !skewed.contains(ci))
        .flat_map(|(_, c)| [c.author_time, c.committer_time]);
    let items = ds.items.iter().flat_map(|i| {
        [Some(i.created_at), i.closed_at, i.merged_at]
            .into_iter()
            .flatten()
    });
    events.chain(commits).chain(items).max()
}

/// The data as it stood at `t` (what `analyze` reads for an earlier `as_of`; the TUI's time
/// control shows the same rows).
pub fn dataset_as_of(ds: &Dataset, t: Ts) -> Dataset {
    cut(ds, t)
}

/// Commits with a future date (docs/definitions.md, "Clock skew"): an author date more than a
/// day after the commit's own committer date, or a committer date more than a year after
/// everything else in the data (events, items and the other commits). Returns (commit index,
/// the date that is wrong, why), sorted by commit index. Such a commit keeps its dates, but
/// does not set `as_of`.
fn clock_skew(ds: &Dataset) -> Vec<(usize, Ts, String)> {
    const YEAR: Ts = 365 * stats::DAY;
    let mut out = Vec::new();
    if ds.commits.is_empty() {
        return out;
    }
    // The newest rows, newest first; a leap of more than a year among them marks what lies
    // above it as skewed, if it is only commits.
    let mut times: Vec<(Ts, bool)> = ds
        .commits
        .iter()
        .map(|c| (c.committer_time, true))
        .chain(ds.events.iter().map(|e| (e.at, false)))
        .chain(ds.items.iter().map(|i| (i.created_at, false)))
        .collect();
    let top = 20 + times.len() / 100;
    if times.len() > top {
        times.select_nth_unstable_by(top, |a, b| b.cmp(a));
        times.truncate(top + 1);
    }
    times.sort_unstable_by(|a, b| b.cmp(a));
    let bound = (0..times.len().saturating_sub(1))
        .rev()
        .find(|&i| times[i].0 > times[i + 1].0 + YEAR)
        .filter(|&i| times[..=i].iter().all(|(_, commit)| *commit))
        .map(|i| times[i + 1].0);
    for (ci, c) in ds.commits.iter().enumerate() {
        if let Some(b) = bound
            && c.committer_time > b
        {
            out.push((
                ci,
                c.committer_time,
                format!(
                    "committed {}, more than a year after everything else ({})",
                    iso(c.committer_time),
                    iso(b)
                ),
            ));
        } else if c.author_time > c.committer_time + stats::DAY {
            out.push((
                ci,
                c.author_time,
                format!(
                    "authored {} after it was committed ({})",
                    iso(c.author_time),
                    iso(c.committer_time)
                ),
            ));
        }
    }
    out
}

/// The data as it stood at `t`: later rows dropped, later closes and merges undone.
fn cut(ds: &Dataset, t: Ts) -> Dataset {
    let mut out = Dataset {
        repo: ds.repo.clone(),
        has_git: ds.has_git,
        has_github: ds.has_github,
        item_commits: ds.item_commits.clone(),
        users: ds.users.clone(),
        org_members: ds.org_members.clone(),
        identity_links: ds.identity_links.clone(),
        affiliations: ds.affiliations.clone(),
        settings: ds.settings.clone(),
        notes: ds.notes.clone(),
        ..Dataset::default()
    };
    out.commits = ds
        .commits
        .iter()
        .filter(|c| c.committer_time <= t)
        .cloned()
        .collect();
    out.events = ds.events.iter().filter(|e| e.at <= t).cloned().collect();
    // An item closed again after `t` (reopened in between) was closed at `t` if its last
    // close or reopen by then was a close: the item row only keeps the latest close.
    let mut last_toggle: BTreeMap<u64, (Ts, &str, bool)> = BTreeMap::new();
    for e in &out.events {
        let closed = match e.kind {
            crate::domain::EventKind::Closed => true,
            crate::domain::EventKind::Reopened => false,
            _ => continue,
        };
        let Some(n) = e.item else { continue };
        let key = (e.at, &*e.id, closed);
        let slot = last_toggle.entry(n).or_insert(key);
        if (key.0, key.1) > (slot.0, slot.1) {
            *slot = key;
        }
    }
    out.items = ds
        .items
        .iter()
        .filter(|i| i.created_at <= t)
        .cloned()
        .map(|mut i| {
            if i.merged_at.is_some_and(|m| m > t) {
                i.merged_at = None;
                i.merged_by = None;
                i.state = ItemState::Open;
            }
            if i.closed_at.is_some_and(|c| c > t) {
                i.closed_at = None;
                let closed_then = match last_toggle.get(&i.number) {
                    Some(&(at, _, true)) if i.merged_at.is_none() => Some(at),
                    _ => None,
                };
                if i.state == ItemState::Closed {
                    i.state = ItemState::Open;
                }
                if let Some(at) = closed_then {
                    i.closed_at = Some(at);
                    i.state = ItemState::Closed;
                }
            }
            i.updated_at = i.updated_at.min(t);
            i
        })
        .collect();
    out
}

fn context<'a>(ds: &'a Dataset, settings: &'a Settings) -> Ctx<'a> {
    let pats = Patterns::new(settings);
    let item_index: stats::FastMap<u64, usize> = ds
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.number, i))
        .collect();
    // One pass over the events: each event's actor as an index into the distinct actors, and
    // its item's index. No stage needs the events sorted.
    // Keyed by the text's address: the store's loader shares one `Arc` per distinct login, so
    // this is a pointer hash per event, not a string hash and compare. (Events built elsewhere
    // may hold equal logins in separate `Arc`s: each is resolved on its own, to the same person.)
    let mut distinct: stats::FastMap<(usize, usize), u32> = stats::FastMap::default();
    let mut actors: Vec<&str> = Vec::new();
    let mut event_distinct: Vec<u32> = Vec::with_capacity(ds.events.len());
    let mut event_item: Vec<u32> = Vec::with_capacity(ds.events.len());
    for e in &ds.events {
        event_item.push(
            e.item
                .and_then(|n| item_index.get(&n))
                .map_or(u32::MAX, |&i| i as u32),
        );
        let d = match e.actor.as_deref() {
            Some(a) => *distinct
                .entry((a.as_ptr() as usize, a.len()))
                .or_insert_with(|| {
                    actors.push(a);
                    (actors.len() - 1) as u32
                }),
            None => u32::MAX,
        };
        event_distinct.push(d);
    }
    let merges = people::merged_prs(ds, &pats);
    let people = people::resolve(ds, settings, &pats, &actors, &merges);
    let actor_person: Vec<Option<usize>> = actors.iter().map(|a| people.by_login(a)).collect();
    // Reuse the buffer: one `u32` per event, not a 16-byte `Option<usize>`.
    let mut event_actor = event_distinct;
    for d in &mut event_actor {
        *d = actor_person
            .get(*d as usize)
            .copied()
            .flatten()
            .map_or(u32::MAX, |p| p as u32);
    }
    let commit_author = ds
        .commits
        .iter()
        .map(|c| people.by_git_identity(&c.author_name, &c.author_email))
        .collect();
    let commit_committer = ds
        .commits
        .iter()
        .map(|c| people.by_git_identity(&c.committer_name, &c.committer_email))
        .collect();
    let item_author = ds
        .items
        .iter()
        .map(|i| i.author.as_deref().and_then(|a| people.by_login(a)))
        .collect();
    Ctx {
        ds,
        settings,
        pats,
        people,
        event_actor,
        commit_author,
        commit_committer,
        item_author,
        item_index,
        event_item,
        merges,
    }
}

impl Ctx<'_> {
    /// Person of event `ei`'s actor.
    #[inline]
    pub fn actor_of(&self, ei: usize) -> Option<usize> {
        let p = self.event_actor[ei];
        (p != u32::MAX).then_some(p as usize)
    }

    /// Index in `ds.items` of event `ei`'s item.
    #[inline]
    pub fn item_of(&self, ei: usize) -> Option<usize> {
        let i = self.event_item[ei];
        (i != u32::MAX).then_some(i as usize)
    }
}

/// Analyse `ds` as of `as_of` (default: the newest event in the data).
pub fn analyze(ds: &Dataset, settings: &Settings, as_of: Option<Ts>) -> Report {
    // Future-dated commits keep their dates (a person's journey never depends on someone
    // else's rows) but do not set `as_of`.
    let skew = clock_skew(ds);
    let skew_hits: Vec<Hit> = skew
        .iter()
        .map(|(ci, at, why)| {
            let c = &ds.commits[*ci];
            Hit {
                commit: Some(c.sha.clone()),
                at: Some(iso(*at)),
                detail: format!("{why}: {}", c.subject.chars().take(60).collect::<String>()),
                ..Hit::default()
            }
        })
        .collect();
    let newest = newest_time(ds);
    let cut_ds;
    let ds = match (as_of, newest) {
        (Some(t), Some(n)) if t < n => {
            cut_ds = cut(ds, t);
            &cut_ds
        }
        _ => ds,
    };
    let as_of = as_of.or_else(|| {
        if skew.is_empty() {
            newest
        } else {
            newest_sane_time(ds, &skew)
        }
    });
    let now = as_of.unwrap_or(0);
    let ctx = context(ds, settings);
    let item_facts = items::facts(&ctx);
    let org = org::infer(&ctx);
    let tl = affiliation::timelines(&ctx, &org.domains);
    let journeys = ladder::journeys(&ctx, &item_facts);
    let inactive = settings.inactive_days as i64 * stats::DAY;

    let mut contributors = Vec::new();
    let mut times: Vec<aggregate::Times> = Vec::new();
    let mut counts = PeopleCounts::default();
    let mut starred: BTreeMap<String, Ts> = BTreeMap::new();
    for (p, person) in ctx.people.persons.iter().enumerate() {
        if person.bot.is_some() {
            counts.bots += 1;
            counts.bot_ids.push(person.id.clone());
            continue;
        }
        let j = &journeys[p];
        let (Some(first), Some(last), Some(stage)) = (j.first_seen, j.last_seen, j.stage()) else {
            continue;
        };
        let t = &tl[p];
        let journey: Vec<RungReached> = Rung::ALL
            .into_iter()
            .filter_map(|r| {
                let h = j.reached(r)?;
                Some(RungReached {
                    rung: r,
                    at: iso(h.at),
                    days_from_first_touch: (h.at - first) / stats::DAY,
                    evidence: h.evidence.clone(),
                    why: h.why.clone(),
                    imported: h.imported,
                    affiliation: t.at(h.at),
                })
            })
            .collect();
        times.push(aggregate::Times {
            first,
            rungs: std::array::from_fn(|i| j.rungs[i].as_ref().map(|h| (h.at, t.at(h.at)))),
        });
        let stages = journey
            .iter()
            .map(|s| (s.rung.name().to_string(), s.at.clone()))
            .collect();
        let status = if now - last > inactive {
            Status::Dropped
        } else {
            Status::Active
        };
        let detail = experience::last_experience(&ctx, j, &item_facts);
        if let Some(s) = j.starred_at {
            starred.insert(person.id.clone(), s);
        }
        let affiliation = t.at(last);
        match affiliation {
            crate::analysis::model::Affiliation::Internal => counts.internal += 1,
            crate::analysis::model::Affiliation::External => counts.external += 1,
        }
        contributors.push(Contributor {
            id: person.id.clone(),
            name: person.name.clone(),
            logins: person.logins.clone(),
            emails: person.emails.clone(),
            identities: person.identities.clone(),
            affiliation,
            affiliation_evidence: t.evidence.clone(),
            affiliation_periods: t.periods.clone(),
            stage,
            stages,
            journey,
            first_seen: iso(first),
            last_seen: iso(last),
            status,
            last_experience: detail.kind,
            last_experience_detail: Some(detail),
            door: j.door.as_ref().map(|(_, d, _)| *d),
            issues_opened: j.issues_opened,
            prs_opened: j.prs_opened,
            merged_prs: j.merged_prs,
            merged_contributions: j.merged_contributions,
            commits: j.commits,
            reviews: j.reviews,
            comments: j.comments,
        });
    }
    counts.total = counts.internal + counts.external;
    let outcome = signals::compute(&ctx, &item_facts, &tl, &journeys);
    let vis = aggregate::Visibility::of(ds);
    let mut star_times: Vec<Ts> = ds
        .events
        .iter()
        .filter(|e| e.kind == crate::domain::EventKind::Star)
        .map(|e| e.at)
        .collect();
    star_times.sort_unstable();
    let dropoffs = aggregate::dropoffs(&contributors);
    let devrel = devrel::devrel(&devrel::Input {
        ctx: &ctx,
        items: &item_facts,
        tl: &tl,
        journeys: &journeys,
        contributors: &contributors,
        times: &times,
        now: as_of,
    });
    Report {
        repo: ds.repo.clone(),
        as_of: as_of.map(iso),
        sources: Sources {
            git: ds.has_git,
            github: ds.has_github,
        },
        people: counts,
        funnel: aggregate::funnel(&contributors, &times, &vis),
        openness: outcome.openness,
        dropoff_reasons: aggregate::dropoff_reasons(&dropoffs),
        dropoffs,
        triage: ds
            .has_github
            .then(|| triage::waiting(&ctx, &item_facts, &tl, &contributors, now)),
        signals: outcome.signals,
        penalty: outcome.penalty,
        doors: aggregate::doors(&contributors, &times),
        cohorts: aggregate::cohorts(&contributors, &times, now, &vis),
        gravity: aggregate::gravity(&ctx, &contributors, &times, &starred, &star_times, now),
        contributors,
        devrel,
        affiliation_source: org.source,
        affiliation: org,
        suggested_merges: ctx.people.suggested.clone(),
        clock_skew: skew_hits,
    }
}
