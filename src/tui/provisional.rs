//! A provisional people list for when `analysis::analyze` returns no contributors (its work is
//! not in this build yet): one person per GitHub login, a coarse ladder, affiliation from org
//! membership, email domain and dated affiliation facts. Labelled "provisional" on screen; the
//! real analysis replaces it as soon as it produces contributors.

use super::model::{newest, noreply_login};
use crate::config::Settings;
use crate::domain::{EventKind, ItemKind, ItemState, Rung, Ts, UserKind};
use crate::report::{Affiliation, Contributor, Experience, LastExperience, Report, Status};
use crate::store::Dataset;
use crate::timefmt;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Default)]
struct P {
    name: Option<String>,
    emails: BTreeSet<String>,
    stages: BTreeMap<Rung, Ts>,
    first: Option<Ts>,
    last: Option<Ts>,
    merged_months: BTreeSet<i64>,
    merged: u32,
    reviews: u64,
    comments: u64,
    issues: u64,
    prs: u64,
    commits: u64,
    evidence: Vec<String>,
    internal: bool,
    last_item: Option<u64>,
}

impl P {
    fn touch(&mut self, at: Ts) {
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        self.last = Some(self.last.map_or(at, |l| l.max(at)));
    }
    fn reach(&mut self, r: Rung, at: Ts) {
        let e = self.stages.entry(r).or_insert(at);
        *e = (*e).min(at);
        self.touch(at);
    }
}

pub fn report(ds: &Dataset, settings: &Settings) -> Report {
    let as_of = newest(ds).unwrap_or(0);
    let users: HashMap<String, &crate::domain::User> = ds
        .users
        .iter()
        .map(|u| (u.login.to_ascii_lowercase(), u))
        .collect();
    let bot = |l: &str| {
        let l = l.to_ascii_lowercase();
        l.ends_with("[bot]")
            || super::model::WELL_KNOWN_BOTS.contains(&l.as_str())
            || users.get(&l).is_some_and(|u| u.kind == UserKind::Bot)
    };
    let index = Index::new(ds);
    let mut people: BTreeMap<String, P> = BTreeMap::new();
    let mut email_login: HashMap<String, String> = ds
        .identity_links
        .iter()
        .map(|l| (l.email.to_ascii_lowercase(), l.login.to_ascii_lowercase()))
        .collect();
    for u in &ds.users {
        if let Some(e) = &u.email {
            email_login.insert(e.to_ascii_lowercase(), u.login.to_ascii_lowercase());
        }
    }
    let author_of: HashMap<u64, String> = ds
        .items
        .iter()
        .filter_map(|i| Some((i.number, i.author.as_deref()?.to_ascii_lowercase())))
        .collect();
    for it in &ds.items {
        let Some(a) = it.author.as_deref().filter(|a| !bot(a)) else {
            continue;
        };
        let p = people.entry(a.to_ascii_lowercase()).or_default();
        let rung = if it.kind == ItemKind::Pr {
            p.prs += 1;
            Rung::Contributor
        } else {
            p.issues += 1;
            Rung::Participant
        };
        p.reach(rung, it.created_at);
        p.last_item = p.last_item.max(Some(it.number));
        if let Some(m) = it.merged_at {
            p.reach(Rung::Merged, m);
            p.merged += 1;
            p.merged_months.insert(m / (30 * 86_400));
            if p.merged >= settings.ladder.regular_min_merged
                && p.merged_months.len() as u32 >= settings.ladder.regular_min_months
            {
                p.reach(Rung::Regular, m);
            }
        }
        if matches!(it.author_association.as_deref(), Some("MEMBER" | "OWNER")) {
            p.internal = true;
            p.evidence.push(format!("MEMBER on #{}", it.number));
        }
    }
    for e in &ds.events {
        let Some(a) = e.actor.as_deref().filter(|a| !bot(a)) else {
            continue;
        };
        let l = a.to_ascii_lowercase();
        let other = e
            .item
            .and_then(|n| author_of.get(&n))
            .is_some_and(|au| *au != l);
        let p = people.entry(l).or_default();
        match e.kind {
            EventKind::Star | EventKind::Fork => p.reach(Rung::Observer, e.at),
            EventKind::Comment | EventKind::ReviewComment => {
                p.comments += 1;
                p.reach(Rung::Participant, e.at)
            }
            EventKind::Review => {
                p.reach(Rung::Participant, e.at);
                if other {
                    p.reviews += 1;
                }
                if other && matches!(e.state.as_deref(), Some("APPROVED" | "CHANGES_REQUESTED")) {
                    p.reach(Rung::Reviewer, e.at);
                }
            }
            EventKind::Merged | EventKind::Closed | EventKind::Labeled if other => {
                p.reach(Rung::Maintainer, e.at)
            }
            _ => p.touch(e.at),
        }
    }
    for c in &ds.commits {
        let email = c.author_email.to_ascii_lowercase();
        let login = email_login
            .get(&email)
            .cloned()
            .or_else(|| noreply_login(&email))
            .unwrap_or_else(|| email.clone());
        if bot(&login) {
            continue;
        }
        let p = people.entry(login).or_default();
        p.name.get_or_insert_with(|| c.author_name.clone());
        p.emails.insert(c.author_email.clone());
        p.commits += 1;
        p.reach(Rung::Contributor, c.author_time);
        p.reach(Rung::Merged, c.committer_time);
    }
    let members: BTreeSet<String> = ds
        .org_members
        .iter()
        .map(|(_, l)| l.to_ascii_lowercase())
        .collect();
    let mut contributors = Vec::new();
    for (login, mut p) in people {
        let user = users.get(&login).copied();
        let name = user
            .and_then(|u| u.name.clone())
            .or(p.name.clone())
            .unwrap_or_else(|| login.clone());
        if members.contains(&login) {
            p.internal = true;
            p.evidence.insert(0, "member of the organisation".into());
        }
        for e in &p.emails {
            if let Some(d) = settings
                .internal_domains
                .iter()
                .find(|d| e.to_ascii_lowercase().ends_with(&format!("@{d}")))
            {
                p.internal = true;
                p.evidence.push(format!("email domain {d}"));
            }
        }
        // Dated facts decide as of the person's last activity.
        let key = format!("login:{login}");
        let at = p.last.unwrap_or(as_of);
        if let Some(f) = ds.affiliations.iter().find(|f| {
            f.identity.eq_ignore_ascii_case(&key)
                && f.from.is_none_or(|t| t <= at)
                && f.until.is_none_or(|t| at < t)
        }) {
            p.internal = f.internal;
            p.evidence.insert(
                0,
                format!(
                    "{} {}{} ({})",
                    if f.internal { "works at" } else { "with" },
                    f.org,
                    f.from
                        .map(|t| format!(" since {}", timefmt::day(t)))
                        .unwrap_or_default(),
                    f.source
                ),
            );
        }
        if p.evidence.is_empty() {
            p.evidence.push("no sign of the organisation".into());
        }
        p.evidence.dedup();
        let Some((&stage, _)) = p.stages.iter().next_back() else {
            continue;
        };
        let dropped = p
            .last
            .is_some_and(|l| as_of - l > settings.inactive_days as i64 * 86_400);
        let last_experience = last_experience(&index, p.last_item, &login, &bot, settings);
        let affiliation = if p.internal {
            Affiliation::Internal
        } else {
            Affiliation::External
        };
        contributors.push(Contributor {
            identities: Vec::new(),
            affiliation_periods: Vec::new(),
            journey: Vec::new(),
            last_experience_detail: Some(LastExperience {
                kind: last_experience,
                item: p.last_item,
                commit: None,
                actor: None,
                opened_at: None,
                first_response_hours: None,
                resolution_hours: None,
                explained: None,
                detail: String::new(),
            }),
            door: None,
            issues_opened: p.issues,
            prs_opened: p.prs,
            merged_prs: p.merged as u64,
            merged_contributions: p.merged as u64,
            commits: p.commits,
            reviews: p.reviews,
            comments: p.comments,
            id: login.clone(),
            name,
            logins: if login.contains('@') {
                Vec::new()
            } else {
                vec![user.map(|u| u.login.clone()).unwrap_or(login.clone())]
            },
            emails: p.emails.iter().cloned().collect(),
            affiliation,
            affiliation_evidence: p.evidence,
            stage,
            stages: p
                .stages
                .iter()
                .map(|(r, t)| (r.name().to_string(), timefmt::iso(*t)))
                .collect(),
            first_seen: p.first.map(timefmt::iso).unwrap_or_default(),
            last_seen: p.last.map(timefmt::iso).unwrap_or_default(),
            status: if dropped {
                Status::Dropped
            } else {
                Status::Active
            },
            last_experience,
        });
    }
    contributors.sort_by(|a, b| a.id.cmp(&b.id));
    Report {
        repo: ds.repo.clone(),
        as_of: Some(timefmt::iso(as_of)),
        contributors,
        ..Report::default()
    }
}

/// Items by number, events by item, imported PR numbers: so each person costs O(their items).
struct Index<'a> {
    items: HashMap<u64, &'a crate::domain::Item>,
    events: HashMap<u64, Vec<&'a crate::domain::Event>>,
    imported: BTreeSet<u64>,
}

impl<'a> Index<'a> {
    fn new(ds: &'a Dataset) -> Index<'a> {
        let mut events: HashMap<u64, Vec<&crate::domain::Event>> = HashMap::new();
        for e in &ds.events {
            if let Some(n) = e.item {
                events.entry(n).or_default().push(e);
            }
        }
        // Oldest first: the store loads events in id order, not time order.
        for evs in events.values_mut() {
            evs.sort_unstable_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        }
        Index {
            items: ds.items.iter().map(|i| (i.number, i)).collect(),
            events,
            imported: ds.commits.iter().filter_map(|c| c.imported_pr).collect(),
        }
    }
}

fn last_experience(
    index: &Index,
    item: Option<u64>,
    login: &str,
    bot: &dyn Fn(&str) -> bool,
    settings: &Settings,
) -> Experience {
    let Some(it) = item.and_then(|n| index.items.get(&n).copied()) else {
        return Experience::Unknown;
    };
    let evs: Vec<&crate::domain::Event> = index.events.get(&it.number).cloned().unwrap_or_default();
    let others = |e: &&&crate::domain::Event| {
        e.actor
            .as_deref()
            .is_some_and(|a| !a.eq_ignore_ascii_case(login))
    };
    if it.state == ItemState::Merged {
        return Experience::Merged;
    }
    if index.imported.contains(&it.number) {
        return Experience::Imported;
    }
    if evs.iter().filter(others).any(|e| {
        e.actor
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("claassistant"))
            || e.body
                .as_deref()
                .is_some_and(|b| b.contains("License Agreement"))
    }) {
        return Experience::ClaUnsigned;
    }
    if it.state == ItemState::Closed
        && let Some(c) = evs.iter().rev().find(|e| e.kind == EventKind::Closed)
        && c.actor.as_deref().is_some_and(bot)
    {
        return Experience::ClosedByBot;
    }
    let reply = evs
        .iter()
        .filter(others)
        .find(|e| e.kind == EventKind::Comment && !e.actor.as_deref().is_some_and(bot));
    match reply {
        None if it.state == ItemState::Closed && it.kind == ItemKind::Pr => {
            Experience::ClosedUnmerged
        }
        None => Experience::NoResponse,
        Some(r) if r.at - it.created_at > settings.slow_response_days as i64 * 86_400 => {
            Experience::SlowResponse
        }
        Some(_) if it.kind == ItemKind::Pr && it.state == ItemState::Closed => {
            Experience::ClosedUnmerged
        }
        Some(_) => Experience::Unknown,
    }
}
