//! docs/definitions.md#triage: the outsiders waiting on a first human reply — their open issues
//! and PRs nobody but themselves and bots has answered, longest wait first.

use super::Ctx;
use super::affiliation::Timeline;
use super::items::ItemFacts;
use super::stats::{DAY, iso};
use crate::analysis::model::{Affiliation, Contributor, Waiting};
use crate::domain::ItemState;
use std::collections::HashMap;

pub fn waiting(
    ctx: &Ctx,
    facts: &[ItemFacts],
    tl: &[Timeline],
    contributors: &[Contributor],
    now: i64,
) -> Vec<Waiting> {
    let ds = ctx.ds;
    let merged: HashMap<&str, u64> = contributors
        .iter()
        .map(|c| (c.id.as_str(), c.merged_prs))
        .collect();
    // Each author's first item: the smallest number they opened.
    let mut first_item: HashMap<String, u64> = HashMap::new();
    for it in &ds.items {
        if let Some(a) = it.author.as_deref() {
            let e = first_item
                .entry(a.to_ascii_lowercase())
                .or_insert(it.number);
            *e = (*e).min(it.number);
        }
    }
    let mut out: Vec<Waiting> = ds
        .items
        .iter()
        .zip(facts)
        .filter(|(it, f)| it.state == ItemState::Open && !f.human_reply && !f.author_is_bot)
        .filter_map(|(it, f)| {
            let author = it.author.clone()?;
            // An author the analysis could not resolve (a deleted account) counts as an
            // outsider: nothing says they belong to the organisation.
            if let Some(p) = f.author
                && tl[p].at(now) == Affiliation::Internal
            {
                return None;
            }
            let person = f.author.map(|p| ctx.people.persons[p].id.clone());
            let never_merged = person
                .as_deref()
                .is_none_or(|id| merged.get(id).copied().unwrap_or(0) == 0);
            Some(Waiting {
                item: it.number,
                kind: it.kind,
                title: it.title.clone(),
                url: it.url.clone(),
                first_timer: first_item.get(&author.to_ascii_lowercase()) == Some(&it.number)
                    && never_merged,
                author,
                person,
                opened: iso(it.created_at),
                waiting_days: (now - it.created_at).max(0) / DAY,
            })
        })
        .collect();
    out.sort_by(|a, b| a.opened.cmp(&b.opened).then(a.item.cmp(&b.item)));
    out
}
