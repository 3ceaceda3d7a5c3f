//! Per-item facts (issues and PRs) read off their events: the first human reply, reviews,
//! who closed it and whether a comment explained it, CLA bot conversations, and whether an
//! unmerged PR's change landed on the default branch anyway (an internal import).

use super::Ctx;
use crate::domain::{EventKind, ItemKind, ItemState, Ts};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default)]
pub struct ItemFacts {
    pub author: Option<usize>,
    pub author_is_bot: bool,
    /// First non-author, non-bot conversation reply (comment, review, review comment).
    pub first_response: Option<(Ts, usize)>,
    /// A review (any state) by a non-author human.
    pub reviewed: bool,
    /// A non-author human comment or review.
    pub human_reply: bool,
    /// The last close: (time, closer person, closer is a bot, event index).
    pub close: Option<(Ts, Option<usize>, bool, usize)>,
    /// A non-author human comment within a day of the close, or a close with a message.
    pub explained: bool,
    pub cla_asked: bool,
    pub cla_signed: bool,
    /// For a PR closed unmerged: how its change landed anyway.
    pub landed: Option<Landing>,
}

#[derive(Debug, Clone)]
pub struct Landing {
    pub at: Ts,
    pub commit: Option<usize>,
    pub how: String,
}

impl ItemFacts {
    pub fn imported(&self) -> bool {
        self.landed.is_some()
    }
}

/// Commits that land a PR's change: `imported_pr`, a PR reference, or `Closes #N`.
fn landing_commits(ctx: &Ctx) -> HashMap<u64, (usize, String)> {
    let mut out: BTreeMap<u64, (i64, usize, String)> = BTreeMap::new();
    let mut put = |n: u64, ci: usize, how: String, rank: i64| {
        let e = out.entry(n).or_insert((rank, ci, how.clone()));
        if (rank, &ctx.ds.commits[ci].sha) < (e.0, &ctx.ds.commits[e.1].sha) {
            *e = (rank, ci, how);
        }
    };
    for (ci, c) in ctx.ds.commits.iter().enumerate() {
        if c.is_merge() {
            continue;
        }
        let sha7: String = c.sha.chars().take(7).collect();
        if let Some(n) = c.imported_pr {
            put(n, ci, format!("imported from GitHub PR in {sha7}"), 0);
        }
        if let Some(n) = c.pr_number {
            put(
                n,
                ci,
                format!(
                    "landed as {sha7} ({})",
                    c.pr_via.map_or("pr", |v| v.as_str())
                ),
                1,
            );
        }
        for cap in ctx.pats.closes.captures_iter(&c.message) {
            if let Ok(n) = cap[1].parse::<u64>() {
                put(n, ci, format!("{sha7} says \"{}\"", cap[0].trim()), 2);
            }
        }
    }
    out.into_iter()
        .map(|(n, (_, ci, how))| (n, (ci, how)))
        .collect()
}

pub fn facts(ctx: &Ctx) -> Vec<ItemFacts> {
    let ds = ctx.ds;
    let mut out: Vec<ItemFacts> = ds
        .items
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let author = ctx.item_author[i];
            ItemFacts {
                author,
                author_is_bot: author.is_some_and(|p| ctx.people.is_bot(p)),
                ..ItemFacts::default()
            }
        })
        .collect();
    // One pass over the events in memory order. Every fact is a minimum or maximum by
    // (time, event id), so the result does not depend on the order the rows arrive in and the
    // events never need sorting.
    let key = |ei: usize| (ds.events[ei].at, &*ds.events[ei].id);
    let mut last_reopen: Vec<Option<usize>> = vec![None; ds.items.len()];
    let mut import_comment: Vec<Option<usize>> = vec![None; ds.items.len()];
    for (ei, e) in ds.events.iter().enumerate() {
        let Some(ii) = ctx.item_of(ei) else { continue };
        let it = &ds.items[ii];
        let f = &mut out[ii];
        let actor = ctx.actor_of(ei);
        let bot = actor.is_some_and(|p| ctx.people.is_bot(p));
        let other_human = actor.is_some() && !bot && actor != f.author;
        match e.kind {
            EventKind::Comment | EventKind::Review | EventKind::ReviewComment => {
                if other_human {
                    f.human_reply = true;
                    if f.first_response.is_none_or(|(_, r)| key(ei) < key(r)) {
                        f.first_response = Some((e.at, ei));
                    }
                    if e.kind == EventKind::Review {
                        f.reviewed = true;
                    }
                }
                if bot && let Some(body) = e.body.as_deref() {
                    let tally = ctx.pats.cla_tally.captures(body).map(|c| {
                        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
                        n(1).is_some() && n(1) == n(2)
                    });
                    let signed = tally.unwrap_or_else(|| {
                        ctx.pats.cla_signed.is_match(body)
                            && !ctx.pats.cla_not_signed.is_match(body)
                    });
                    if signed {
                        f.cla_signed = true;
                    } else if tally.is_some() || ctx.pats.cla_ask.is_match(body) {
                        f.cla_asked = true;
                    }
                    if it.kind == ItemKind::Pr
                        && it.state == ItemState::Closed
                        && import_comment[ii].is_none_or(|c| key(ei) < key(c))
                        && ctx.pats.import_comment.is_match(body)
                    {
                        import_comment[ii] = Some(ei);
                    }
                }
            }
            EventKind::Closed if f.close.is_none_or(|(.., c)| key(c) < key(ei)) => {
                f.close = Some((e.at, actor, bot, ei));
            }
            EventKind::Reopened if last_reopen[ii].is_none_or(|r| key(r) < key(ei)) => {
                last_reopen[ii] = Some(ei);
            }
            _ => {}
        }
    }
    for (ii, f) in out.iter_mut().enumerate() {
        // A reopen after the last close undoes it.
        if let (Some((.., c)), Some(r)) = (f.close, last_reopen[ii])
            && key(c) < key(r)
        {
            f.close = None;
        }
        if let Some((.., c)) = f.close {
            f.explained = ds.events[c]
                .body
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty());
        }
        if let Some(c) = import_comment[ii] {
            let e = &ds.events[c];
            f.landed = Some(Landing {
                at: e.at,
                commit: None,
                how: format!("bot comment {} says it was imported", e.id),
            });
        }
    }
    // Whether a comment explained the last close: a non-author comment or review within a day
    // of it, from the closer or any human.
    for (ei, e) in ds.events.iter().enumerate() {
        if !matches!(e.kind, EventKind::Comment | EventKind::Review) {
            continue;
        }
        let Some(ii) = ctx.item_of(ei) else { continue };
        let f = &mut out[ii];
        let Some((at, closer, _, _)) = f.close else {
            continue;
        };
        let a = ctx.actor_of(ei);
        if !f.explained
            && (e.at - at).abs() <= super::stats::DAY
            && a.is_some()
            && a != f.author
            && (a == closer || !a.is_some_and(|p| ctx.people.is_bot(p)))
        {
            f.explained = true;
        }
    }
    let landings = landing_commits(ctx);
    for (ii, it) in ds.items.iter().enumerate() {
        let f = &mut out[ii];
        for l in &it.labels {
            if ctx.pats.cla_label_signed.is_match(l) {
                f.cla_signed = true;
            } else if ctx.pats.cla_label_unsigned.is_match(l) {
                f.cla_asked = true;
            }
        }
        if it.kind == ItemKind::Pr
            && it.state == ItemState::Closed
            && let Some((ci, how)) = landings.get(&it.number)
        {
            let c = &ds.commits[*ci];
            f.landed = Some(Landing {
                at: c.committer_time,
                commit: Some(*ci),
                how: how.clone(),
            });
        }
    }
    out
}
