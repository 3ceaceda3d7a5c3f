//! Drop-off (docs/definitions.md#drop-off): active or dropped, and what happened to the person's
//! last issue/PR.
//!
//! Order of the tests for a PR: merged → imported → CLA never signed → closed by a bot →
//! closed unmerged by someone else → no human reply → slow first reply → closed by its author →
//! still open (`unknown`). For an issue: closed by a bot → no reply → slow reply → closed as
//! not planned (`closed_unmerged`) → closed otherwise (`merged`: resolved) → still open.

use super::Ctx;
use super::items::ItemFacts;
use super::ladder::Journey;
use super::stats::iso;
use super::stats::{DAY, hours};
use crate::analysis::model::{Experience, LastExperience};
use crate::domain::{ItemKind, ItemState};

pub fn last_experience(ctx: &Ctx, j: &Journey, items: &[ItemFacts]) -> LastExperience {
    let ds = ctx.ds;
    let last = j
        .authored
        .iter()
        .copied()
        .max_by_key(|&i| (ds.items[i].created_at, ds.items[i].number));
    let Some(ii) = last else {
        return LastExperience {
            kind: Experience::Unknown,
            item: None,
            commit: None,
            actor: None,
            opened_at: None,
            first_response_hours: None,
            resolution_hours: None,
            explained: None,
            detail: if ds.items.is_empty() {
                "no GitHub data: git alone cannot tell what happened to their work".into()
            } else {
                "no issue or PR on record".into()
            },
        };
    };
    let it = &ds.items[ii];
    let f = &items[ii];
    let n = it.number;
    let person_id = |p: Option<usize>| p.map(|p| ctx.people.persons[p].id.clone());
    let response = f.first_response.map(|(t, _)| t - it.created_at);
    let mut out = LastExperience {
        kind: Experience::Unknown,
        item: Some(n),
        commit: None,
        actor: None,
        opened_at: Some(iso(it.created_at)),
        first_response_hours: response.map(hours),
        resolution_hours: None,
        explained: None,
        detail: String::new(),
    };
    let slow = ctx.settings.slow_response_days as i64 * DAY;
    let what = if it.kind == ItemKind::Pr {
        "PR"
    } else {
        "issue"
    };
    let closer = f.close.and_then(|(_, p, _, _)| p);
    let closed_by_bot = f.close.is_some_and(|(_, _, bot, _)| bot);
    let closed_by_other = f.close.is_some() && closer.is_some() && closer != f.author;
    if let Some((t, ..)) = f.close {
        out.resolution_hours = Some(hours(t - it.created_at));
        out.actor = person_id(closer);
    }
    let (kind, detail) = if it.kind == ItemKind::Pr && it.state == ItemState::Merged {
        out.resolution_hours = it.merged_at.map(|m| hours(m - it.created_at));
        out.actor = it
            .merged_by
            .as_deref()
            .and_then(|m| ctx.people.by_login(m))
            .map(|p| ctx.people.persons[p].id.clone());
        out.commit = it.merge_commit_sha.clone();
        (Experience::Merged, format!("PR #{n} was merged"))
    } else if let (ItemKind::Pr, Some(l)) = (it.kind, &f.landed) {
        out.resolution_hours = Some(hours(l.at - it.created_at));
        out.commit = l.commit.map(|c| ds.commits[c].sha.clone());
        (
            Experience::Imported,
            format!(
                "PR #{n} was closed on GitHub but landed internally: {}",
                l.how
            ),
        )
    } else if it.kind == ItemKind::Pr && f.cla_asked && !f.cla_signed {
        (
            Experience::ClaUnsigned,
            format!("a CLA bot asked on PR #{n}; the CLA was never signed"),
        )
    } else if closed_by_bot {
        (
            Experience::ClosedByBot,
            format!("{what} #{n} was closed by a bot"),
        )
    } else if it.kind == ItemKind::Pr && closed_by_other {
        out.explained = Some(f.explained);
        let how = if f.explained {
            "with an explaining comment"
        } else {
            "without a word"
        };
        (
            Experience::ClosedUnmerged,
            format!("PR #{n} was closed unmerged by someone else, {how}"),
        )
    } else if response.is_none() {
        (
            Experience::NoResponse,
            format!("{what} #{n} never got a reply from anyone else"),
        )
    } else if response.is_some_and(|r| r > slow) {
        (
            Experience::SlowResponse,
            format!(
                "the first reply to {what} #{n} came after {} days",
                response.unwrap_or(0) / DAY
            ),
        )
    } else if f.close.is_some() && it.kind == ItemKind::Pr {
        out.explained = Some(f.explained);
        (
            Experience::ClosedUnmerged,
            format!("PR #{n} was closed unmerged by its author"),
        )
    } else if f.close.is_some() {
        let not_planned = ds.events[f.close.map_or(0, |c| c.3)]
            .state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("NOT_PLANNED"));
        if not_planned && closed_by_other {
            out.explained = Some(f.explained);
            (
                Experience::ClosedUnmerged,
                format!("issue #{n} was closed as not planned"),
            )
        } else {
            (
                Experience::Merged,
                format!("issue #{n} was answered and resolved"),
            )
        }
    } else {
        (
            Experience::Unknown,
            format!("{what} #{n} was answered and is still open"),
        )
    };
    out.kind = kind;
    out.detail = detail;
    out
}
