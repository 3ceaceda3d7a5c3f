//! The view model: what the screens show, derived once (off the UI thread) from the analysis
//! `Report` and the `Dataset` behind it, so drawing and key handling never scan the data.

use crate::domain::{EventKind, Item, ItemKind, ItemState, Note, Rung, Ts, UserKind};
use crate::report::{Affiliation, Comparison, Contributor, Report, Split, Status};
use crate::store::Dataset;
use crate::timefmt;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Internal,
    External,
    Bot,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Internal => "insider",
            Side::External => "outsider",
            Side::Bot => "bot",
        }
    }
}

/// One row of the People table.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    pub emails: Vec<String>,
    pub side: Side,
    pub stage: Option<Rung>,
    pub first_seen: Option<Ts>,
    pub last_seen: Option<Ts>,
    pub merged: u32,
    pub reviews: u32,
    pub dropped: bool,
    pub last_experience: String,
    /// Index into `Report::contributors`.
    pub contributor: Option<usize>,
    /// The last issue/PR they opened: the item that ended a dropped person's journey.
    pub last_item: Option<u64>,
    /// Lower-cased name, logins and emails, for the fuzzy search.
    pub haystack: String,
}

/// Where a timeline row comes from (indices into the dataset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Src {
    /// An issue/PR the person opened.
    Item(u32),
    /// Someone else's action on one of their items.
    Reaction(u32),
    /// Their own event.
    Event(u32),
    Commit(u32),
}

/// A timeline row, unformatted: cheap to build and sort for people with huge histories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineRef {
    pub at: Ts,
    pub src: Src,
}

/// One line of a person's timeline, formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub at: Ts,
    pub what: String,
    pub item: Option<u64>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStat {
    pub rung: Rung,
    /// Some source could see this rung (the report's count is not `null`).
    pub known: bool,
    pub internal: u64,
    pub external: u64,
    /// Share of the previous rung's people who reached this one.
    pub conv_internal: Option<f64>,
    pub conv_external: Option<f64>,
    /// Median days from first activity to reaching this rung.
    pub days_internal: Option<f64>,
    pub days_external: Option<f64>,
    pub people: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReasonStat {
    pub reason: String,
    pub internal: u64,
    pub external: u64,
    pub people: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DropRow {
    pub stage: Rung,
    pub reason: String,
    pub internal: u64,
    pub external: u64,
    pub people: Vec<usize>,
}

/// An item or commit behind a number.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    pub label: String,
    pub detail: String,
    pub at: Option<Ts>,
    pub url: Option<String>,
}

/// A workflow signal (SPEC §5) with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalRow {
    pub name: String,
    pub value: String,
    pub meaning: String,
    /// Count per year, e.g. "2024: 120 · 2025: 153" (workflows change over time).
    pub by_year: String,
    pub rows: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TriageRow {
    pub number: u64,
    pub kind: ItemKind,
    pub title: String,
    pub author: String,
    pub person: Option<usize>,
    pub opened: Ts,
    pub wait_days: i64,
    pub first_timer: bool,
    pub url: String,
}

/// Weekly series for the vanity-vs-gravity chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Weekly {
    pub start: Option<Ts>,
    pub stars: Vec<u64>,
    pub newcomers: Vec<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct ViewData {
    pub repo: String,
    pub as_of: Option<Ts>,
    pub report: Report,
    pub people: Vec<PersonRow>,
    pub funnel: Vec<FunnelStat>,
    pub reasons: Vec<ReasonStat>,
    pub drops: Vec<DropRow>,
    pub signals: Vec<SignalRow>,
    pub triage: Vec<TriageRow>,
    pub weekly: Weekly,
    pub notes: HashMap<String, Note>,
    /// Median hours to a first human reply, and PR acceptance, by side (outsider penalty).
    pub response_hours: Split<Option<f64>>,
    pub acceptance: Split<Option<f64>>,
    dataset: Arc<Dataset>,
    by_login: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
    items: HashMap<u64, usize>,
    /// item number → indices of the events on it, oldest first (by time, then id).
    item_events: HashMap<u64, Vec<u32>>,
    /// person → indices into dataset events/items/commits they did.
    acts: Vec<Acts>,
}

#[derive(Debug, Clone, Default)]
struct Acts {
    events: Vec<u32>,
    items: Vec<u32>,
    commits: Vec<u32>,
}

/// Bot logins as the analysis decided them (its built-in list, GitHub's `Bot` type and the
/// user's `bot_patterns`), lowercase: the TUI keeps no list of its own.
pub struct BotLogins(std::collections::HashSet<String>);

impl BotLogins {
    fn new(report: &Report, kinds: &HashMap<String, UserKind>) -> BotLogins {
        let mut set: std::collections::HashSet<String> = report
            .people
            .bot_ids
            .iter()
            .filter_map(|id| id.strip_prefix("login:"))
            .map(str::to_ascii_lowercase)
            .collect();
        set.extend(
            kinds
                .iter()
                .filter(|(_, k)| **k == UserKind::Bot)
                .map(|(l, _)| l.clone()),
        );
        BotLogins(set)
    }

    fn contains(&self, login: &str) -> bool {
        let l = login.to_ascii_lowercase();
        l.ends_with("[bot]") || self.0.contains(&l)
    }
}

fn parse_iso(s: &str) -> Option<Ts> {
    timefmt::parse_rfc3339(s)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The newest event, item or commit time: the default as_of.
pub fn newest(ds: &Dataset) -> Option<Ts> {
    let e = ds.events.iter().map(|e| e.at).max();
    let i = ds.items.iter().map(|i| i.updated_at).max();
    let c = ds.commits.iter().map(|c| c.committer_time).max();
    [e, i, c].into_iter().flatten().max()
}

impl ViewData {
    /// Build the view model from the analysis' report and the data behind it.
    pub fn build(ds: Arc<Dataset>, report: Report) -> ViewData {
        let as_of = report
            .as_of
            .as_deref()
            .and_then(parse_iso)
            .or_else(|| newest(&ds));
        let kinds: HashMap<String, UserKind> = ds
            .users
            .iter()
            .map(|u| (u.login.to_ascii_lowercase(), u.kind))
            .collect();
        let mut v = ViewData {
            repo: report
                .repo
                .clone()
                .or_else(|| ds.repo.clone())
                .unwrap_or_else(|| "(local repository)".into()),
            as_of,
            notes: ds
                .notes
                .iter()
                .map(|n| (n.person.clone(), n.clone()))
                .collect(),
            ..ViewData::default()
        };
        for (ci, c) in report.contributors.iter().enumerate() {
            v.push_person(person_from_contributor(ci, c));
        }
        let bot_logins = BotLogins::new(&report, &kinds);
        // Bots are not on the ladder, but their actions are evidence: list them too.
        let mut bots: BTreeMap<String, String> = BTreeMap::new();
        for login in ds
            .events
            .iter()
            .filter_map(|e| e.actor.as_deref())
            .chain(ds.items.iter().filter_map(|i| i.author.as_deref()))
            .chain(ds.users.iter().map(|u| u.login.as_str()))
        {
            let l = login.to_ascii_lowercase();
            if !v.by_login.contains_key(&l) && bot_logins.contains(login) {
                bots.entry(l).or_insert_with(|| login.to_string());
            }
        }
        for (l, login) in bots {
            let row = PersonRow {
                id: format!("bot:{l}"),
                name: login.clone(),
                logins: vec![login],
                emails: Vec::new(),
                side: Side::Bot,
                stage: None,
                first_seen: None,
                last_seen: None,
                merged: 0,
                reviews: 0,
                dropped: false,
                last_experience: String::new(),
                contributor: None,
                last_item: None,
                haystack: l,
            };
            v.push_person(row);
        }
        v.dataset = ds.clone();
        v.acts = vec![Acts::default(); v.people.len()];
        v.index_acts(&ds, &kinds);
        v.report = report;
        v.funnel = funnel(&v);
        v.reasons = reasons(&v);
        v.drops = drops(&v);
        v.triage = triage(&v, &ds, &bot_logins);
        v.weekly = weekly(&v, &ds);
        v.signals = signals(&v);
        // The analysis' numbers, null where the sources cannot know them.
        let pen = &v.report.penalty.outsider_vs_insider;
        v.response_hours = Split {
            internal: pen.first_response_hours.baseline.value,
            external: pen.first_response_hours.subject.value,
        };
        v.acceptance = Split {
            internal: pen.acceptance.baseline.value,
            external: pen.acceptance.subject.value,
        };
        v
    }

    fn push_person(&mut self, row: PersonRow) {
        let idx = self.people.len();
        self.by_id.entry(row.id.clone()).or_insert(idx);
        for l in &row.logins {
            self.by_login.entry(l.to_ascii_lowercase()).or_insert(idx);
        }
        for e in &row.emails {
            self.by_email.entry(e.to_ascii_lowercase()).or_insert(idx);
        }
        self.people.push(row);
    }

    /// The outsider-penalty lines of the Overview: (label, "outsiders vs insiders").
    pub fn penalty_lines(&self) -> Vec<(String, String)> {
        let r = self.response_hours;
        let a = self.acceptance;
        let hours = |x: Option<f64>| x.map(|h| format!("{h:.0}h")).unwrap_or_else(|| "–".into());
        let ratio = match (r.external, r.internal) {
            (Some(e), Some(i)) if i > 0.0 => format!(" ×{:.1}", e / i),
            _ => String::new(),
        };
        let share = |x: Option<f64>| {
            x.map(|v| format!("{:.0}%", v * 100.0))
                .unwrap_or_else(|| "–".into())
        };
        let mut out = vec![
            (
                "first reply out vs in".into(),
                format!("{} vs {}{ratio}", hours(r.external), hours(r.internal)),
            ),
            (
                "PRs accepted out vs in".into(),
                format!("{} vs {}", share(a.external), share(a.internal)),
            ),
        ];
        let ft = &self
            .report
            .penalty
            .first_timer_vs_returning
            .first_response_hours;
        if ft.subject.value.is_some() || ft.baseline.value.is_some() {
            out.push((
                "first reply 1st vs later".into(),
                format!(
                    "{} vs {}",
                    hours(ft.subject.value),
                    hours(ft.baseline.value)
                ),
            ));
        }
        out
    }

    /// The signal whose rows are the evidence behind penalty line `line` (outsider vs insider
    /// first reply and acceptance, first-timer first reply); `None` for lines without one.
    pub fn penalty_signal(&self, line: usize) -> Option<usize> {
        let name = ["response_gap", "acceptance_gap", FIRST_TIMER_GAP].get(line)?;
        self.signals.iter().position(|s| s.name == *name)
    }

    pub fn person_by_login(&self, login: &str) -> Option<usize> {
        self.by_login.get(&login.to_ascii_lowercase()).copied()
    }

    pub fn person_by_id(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn item(&self, number: u64) -> Option<&Item> {
        self.items.get(&number).map(|&i| &self.dataset.items[i])
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// One pass over the data: who did what, merged PR and review counts, last item.
    fn index_acts(&mut self, ds: &Dataset, kinds: &HashMap<String, UserKind>) {
        let _ = kinds;
        for (i, it) in ds.items.iter().enumerate() {
            self.items.insert(it.number, i);
            if let Some(p) = it.author.as_deref().and_then(|a| self.person_by_login(a)) {
                self.acts[p].items.push(i as u32);
            }
        }
        for (i, e) in ds.events.iter().enumerate() {
            if let Some(n) = e.item {
                self.item_events.entry(n).or_default().push(i as u32);
            }
            if let Some(p) = e.actor.as_deref().and_then(|a| self.person_by_login(a)) {
                self.acts[p].events.push(i as u32);
            }
        }
        // The store loads events in id order, not time order.
        for evs in self.item_events.values_mut() {
            evs.sort_unstable_by(|&a, &b| {
                let (a, b) = (&ds.events[a as usize], &ds.events[b as usize]);
                (a.at, &a.id).cmp(&(b.at, &b.id))
            });
        }
        for (i, c) in ds.commits.iter().enumerate() {
            let p = self
                .by_email
                .get(&c.author_email.to_ascii_lowercase())
                .copied()
                .or_else(|| noreply_login(&c.author_email).and_then(|l| self.person_by_login(&l)));
            if let Some(p) = p {
                self.acts[p].commits.push(i as u32);
            }
        }
    }

    /// A person's timeline, oldest first: items opened, what others did on them, their own
    /// comments, reviews, merges and commits. Only references (time + row) are built here, so
    /// a maintainer with 100,000 events opens instantly; `entry` formats the visible ones.
    pub fn timeline(&self, person: usize) -> Vec<TimelineRef> {
        let Some(acts) = self.acts.get(person) else {
            return Vec::new();
        };
        let ds = &*self.dataset;
        let mine = |a: &str| {
            self.people[person]
                .logins
                .iter()
                .any(|l| l.eq_ignore_ascii_case(a))
        };
        let mut out = Vec::with_capacity(acts.items.len() + acts.events.len() + acts.commits.len());
        for &i in &acts.items {
            let it = &ds.items[i as usize];
            out.push(TimelineRef {
                at: it.created_at,
                src: Src::Item(i),
            });
            // What others did on their item is part of their experience.
            for &ei in self
                .item_events
                .get(&it.number)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let e = &ds.events[ei as usize];
                let reaction = matches!(
                    e.kind,
                    EventKind::Comment
                        | EventKind::Review
                        | EventKind::ReviewComment
                        | EventKind::Closed
                        | EventKind::Merged
                        | EventKind::Labeled
                );
                if reaction && e.actor.as_deref().is_some_and(|a| !mine(a)) {
                    out.push(TimelineRef {
                        at: e.at,
                        src: Src::Reaction(ei),
                    });
                }
            }
        }
        for &i in &acts.events {
            out.push(TimelineRef {
                at: ds.events[i as usize].at,
                src: Src::Event(i),
            });
        }
        for &i in &acts.commits {
            out.push(TimelineRef {
                at: ds.commits[i as usize].author_time,
                src: Src::Commit(i),
            });
        }
        // Same-time events by id, not by row: the store does not load them in time order.
        out.sort_by(|a, b| {
            a.at.cmp(&b.at).then_with(|| match (a.src, b.src) {
                (Src::Reaction(x), Src::Reaction(y)) | (Src::Event(x), Src::Event(y)) => {
                    ds.events[x as usize].id.cmp(&ds.events[y as usize].id)
                }
                (x, y) => x.cmp(&y),
            })
        });
        out
    }

    /// The text, item and URL of one timeline row.
    pub fn entry(&self, r: &TimelineRef) -> TimelineEntry {
        let ds = &*self.dataset;
        let item_url = |n: Option<u64>| n.and_then(|n| self.item(n)).map(|it| it.url.clone());
        match r.src {
            Src::Item(i) => {
                let it = &ds.items[i as usize];
                let kind = if it.kind == ItemKind::Pr {
                    "PR"
                } else {
                    "issue"
                };
                let fate = match it.state {
                    ItemState::Open => "still open",
                    ItemState::Merged => "merged",
                    ItemState::Closed => "closed",
                };
                TimelineEntry {
                    at: r.at,
                    what: format!("opened {kind} #{} {} ({fate})", it.number, it.title),
                    item: Some(it.number),
                    url: Some(it.url.clone()),
                }
            }
            Src::Reaction(i) => {
                let e = &ds.events[i as usize];
                let did = match e.kind {
                    EventKind::Comment => "commented",
                    EventKind::Review => "reviewed",
                    EventKind::ReviewComment => "left a review comment",
                    EventKind::Closed => "closed it",
                    EventKind::Merged => "merged it",
                    _ => "labeled it",
                };
                let mut what = format!(
                    "  ↳ {} {did} (#{})",
                    e.actor.as_deref().unwrap_or("?"),
                    e.item.unwrap_or_default()
                );
                if let Some(b) = e.body.as_deref().filter(|b| !b.is_empty()) {
                    what.push_str(&format!(": {}", truncate(b, 60)));
                }
                TimelineEntry {
                    at: r.at,
                    what,
                    item: e.item,
                    url: item_url(e.item),
                }
            }
            Src::Event(i) => {
                let e = &ds.events[i as usize];
                let on = e.item.map(|n| format!(" on #{n}")).unwrap_or_default();
                let what = match e.kind {
                    EventKind::Star => "starred the repository".to_string(),
                    EventKind::Fork => "forked the repository".to_string(),
                    EventKind::Review => format!(
                        "reviewed{on}: {}",
                        e.state.as_deref().unwrap_or("COMMENTED").to_lowercase()
                    ),
                    EventKind::Comment => format!("commented{on}"),
                    EventKind::ReviewComment => format!("review comment{on}"),
                    EventKind::Merged => format!("merged{on}"),
                    EventKind::Closed => format!("closed{on}"),
                    k => format!("{}{on}", k.as_str().replace('_', " ")),
                };
                TimelineEntry {
                    at: r.at,
                    what,
                    item: e.item,
                    url: item_url(e.item),
                }
            }
            Src::Commit(i) => {
                let c = &ds.commits[i as usize];
                let how = if c.imported_pr.is_some() {
                    " [imported]"
                } else if !c.markers.is_empty() {
                    " [internal review]"
                } else {
                    ""
                };
                TimelineEntry {
                    at: r.at,
                    what: format!("commit {} {}{how}", &c.sha[..c.sha.len().min(8)], c.subject),
                    item: c.pr_number.or(c.imported_pr),
                    url: self
                        .repo
                        .contains('/')
                        .then(|| format!("https://github.com/{}/commit/{}", self.repo, c.sha)),
                }
            }
        }
    }

    /// The person's last issue/PR and what happened to it, as evidence lines.
    pub fn last_experience_evidence(&self, person: usize) -> Vec<String> {
        let Some(p) = self.people.get(person) else {
            return Vec::new();
        };
        let detail = p
            .contributor
            .and_then(|c| self.report.contributors.get(c))
            .and_then(|c| c.last_experience_detail.as_ref())
            .map(|d| d.detail.clone())
            .filter(|d| !d.is_empty());
        let Some(it) = p.last_item.and_then(|n| self.item(n)) else {
            return vec![detail.unwrap_or_else(|| "no issue or PR of theirs in the data".into())];
        };
        let kind = if it.kind == ItemKind::Pr {
            "PR"
        } else {
            "issue"
        };
        let mut out: Vec<String> = detail.into_iter().collect();
        out.push(format!(
            "{kind} #{} “{}” opened {}",
            it.number,
            it.title,
            timefmt::day(it.created_at)
        ));
        let author = it
            .author
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let replies: Vec<_> = self
            .item_events
            .get(&it.number)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.dataset.events[i as usize])
            .filter(|e| {
                e.actor
                    .as_deref()
                    .is_some_and(|a| a.to_ascii_lowercase() != author)
            })
            .collect();
        let talk = |e: &&&crate::domain::Event| {
            matches!(
                e.kind,
                EventKind::Comment | EventKind::Review | EventKind::ReviewComment
            )
        };
        match replies.iter().find(talk) {
            Some(e) => out.push(format!(
                "first reply by {} after {}",
                e.actor.as_deref().unwrap_or("?"),
                duration(e.at - it.created_at)
            )),
            None => out.push("nobody else ever commented or reviewed".into()),
        }
        // A merge also closes: report the merge when there is one.
        let end = replies
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Merged)
            .or_else(|| replies.iter().rev().find(|e| e.kind == EventKind::Closed));
        if let Some(e) = end {
            out.push(format!(
                "{} by {} on {}",
                if e.kind == EventKind::Merged {
                    "merged"
                } else {
                    "closed"
                },
                e.actor.as_deref().unwrap_or("?"),
                timefmt::day(e.at)
            ));
        }
        if let Some(body) = replies.iter().rev().find_map(|e| e.body.as_deref()) {
            out.push(format!("last word: “{}”", truncate(body, 100)));
        }
        out
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= max {
        return s;
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `3h`, `5d`, `6w`, `4mo`, `2.1y`.
pub fn duration(secs: Ts) -> String {
    let h = secs.max(0) as f64 / 3600.0;
    if h < 1.0 {
        format!("{}m", (h * 60.0).round() as i64)
    } else if h < 48.0 {
        format!("{}h", h.round() as i64)
    } else if h < 24.0 * 14.0 {
        format!("{}d", (h / 24.0).round() as i64)
    } else if h < 24.0 * 90.0 {
        format!("{}w", (h / 24.0 / 7.0).round() as i64)
    } else if h < 24.0 * 730.0 {
        format!("{}mo", (h / 24.0 / 30.4).round() as i64)
    } else {
        format!("{:.1}y", h / 24.0 / 365.25)
    }
}

/// `ID+login@users.noreply.github.com` / `login@users.noreply.github.com` → login.
pub fn noreply_login(email: &str) -> Option<String> {
    let local = email
        .to_ascii_lowercase()
        .strip_suffix("@users.noreply.github.com")?
        .to_string();
    Some(match local.split_once('+') {
        Some((_, login)) => login.to_string(),
        None => local,
    })
}

fn person_from_contributor(ci: usize, c: &Contributor) -> PersonRow {
    let side = if c.affiliation == Affiliation::Internal {
        Side::Internal
    } else {
        Side::External
    };
    let mut haystack = c.name.to_lowercase();
    for s in c.logins.iter().chain(&c.emails) {
        haystack.push(' ');
        haystack.push_str(&s.to_lowercase());
    }
    PersonRow {
        id: c.id.clone(),
        name: c.name.clone(),
        logins: c.logins.clone(),
        emails: c.emails.clone(),
        side,
        stage: Some(c.stage),
        first_seen: parse_iso(&c.first_seen),
        last_seen: parse_iso(&c.last_seen),
        merged: c.merged_prs as u32,
        reviews: c.reviews as u32,
        dropped: c.status == Status::Dropped,
        last_experience: c.last_experience.as_str().to_string(),
        contributor: Some(ci),
        last_item: c.last_experience_detail.as_ref().and_then(|d| d.item),
        haystack,
    }
}

fn funnel(v: &ViewData) -> Vec<FunnelStat> {
    let mut out: Vec<FunnelStat> = Vec::new();
    for rung in Rung::ALL {
        let mut people = Vec::new();
        let (mut int, mut ext) = (0u64, 0u64);
        let (mut d_int, mut d_ext) = (Vec::new(), Vec::new());
        for (i, p) in v.people.iter().enumerate() {
            let Some(ci) = p.contributor else { continue };
            let c = &v.report.contributors[ci];
            let Some(at) = c.stages.get(rung.name()).and_then(|s| parse_iso(s)) else {
                continue;
            };
            people.push(i);
            let days = p
                .first_seen
                .map(|f| (at - f).max(0) as f64 / 86_400.0)
                .unwrap_or(0.0);
            match p.side {
                Side::Internal => {
                    int += 1;
                    d_int.push(days);
                }
                _ => {
                    ext += 1;
                    d_ext.push(days);
                }
            }
        }
        // Prefer the analysis' own counts where it has them (they are the contract).
        let mut known = true;
        if let Some(row) = v.report.funnel.iter().find(|r| r.stage == rung) {
            known = row.internal.is_some();
            int = row.internal.unwrap_or(int);
            ext = row.external.unwrap_or(ext);
        }
        // Of those who reached the previous rung, the share who reached this one too (rungs
        // are not strictly ordered in time, so this is a set intersection, not a ratio).
        let (conv_internal, conv_external) = match out.last() {
            Some(prev) => {
                let reached: std::collections::HashSet<usize> = people.iter().copied().collect();
                let share = |side_internal: bool| {
                    let base: Vec<usize> = prev
                        .people
                        .iter()
                        .copied()
                        .filter(|&i| (v.people[i].side == Side::Internal) == side_internal)
                        .collect();
                    (!base.is_empty()).then(|| {
                        base.iter().filter(|i| reached.contains(i)).count() as f64
                            / base.len() as f64
                    })
                };
                (share(true), share(false))
            }
            None => (None, None),
        };
        let (conv_internal, conv_external) = if known {
            (conv_internal, conv_external)
        } else {
            (None, None)
        };
        out.push(FunnelStat {
            rung,
            known,
            internal: int,
            external: ext,
            conv_internal,
            conv_external,
            days_internal: median(d_int).filter(|_| known),
            days_external: median(d_ext).filter(|_| known),
            people,
        });
    }
    out
}

fn ids_to_people(v: &ViewData, ids: &[String]) -> Vec<usize> {
    ids.iter().filter_map(|id| v.person_by_id(id)).collect()
}

fn drops(v: &ViewData) -> Vec<DropRow> {
    let mut rows: Vec<DropRow> = if v.report.dropoffs.is_empty() {
        // Derive from the people when the analysis gave no table.
        let mut m: BTreeMap<(Rung, String), DropRow> = BTreeMap::new();
        for (i, p) in v.people.iter().enumerate() {
            // Stargazers who never wrote anything are the audience, not drop-outs.
            let (true, Some(stage)) = (p.dropped, p.stage.filter(|s| *s > Rung::Observer)) else {
                continue;
            };
            let r = m
                .entry((stage, p.last_experience.clone()))
                .or_insert_with(|| DropRow {
                    stage,
                    reason: p.last_experience.clone(),
                    internal: 0,
                    external: 0,
                    people: Vec::new(),
                });
            if p.side == Side::Internal {
                r.internal += 1;
            } else {
                r.external += 1;
            }
            r.people.push(i);
        }
        m.into_values().collect()
    } else {
        v.report
            .dropoffs
            .iter()
            .map(|d| DropRow {
                stage: d.stage,
                reason: d.reason.as_str().to_string(),
                internal: d.internal,
                external: d.external,
                people: ids_to_people(v, &d.people),
            })
            .collect()
    };
    rows.sort_by(|a, b| {
        a.stage
            .cmp(&b.stage)
            .then((b.internal + b.external).cmp(&(a.internal + a.external)))
            .then(a.reason.cmp(&b.reason))
    });
    rows
}

fn reasons(v: &ViewData) -> Vec<ReasonStat> {
    let mut m: BTreeMap<String, ReasonStat> = BTreeMap::new();
    // Stargazers who never wrote anything are the audience, not drop-outs of the ladder.
    for d in drops(v).into_iter().filter(|d| d.stage > Rung::Observer) {
        let r = m.entry(d.reason.clone()).or_insert_with(|| ReasonStat {
            reason: d.reason.clone(),
            internal: 0,
            external: 0,
            people: Vec::new(),
        });
        r.internal += d.internal;
        r.external += d.external;
        r.people.extend(d.people);
    }
    let mut out: Vec<ReasonStat> = m.into_values().collect();
    out.sort_by(|a, b| b.external.cmp(&a.external).then(a.reason.cmp(&b.reason)));
    out
}

/// Outsiders' open issues and PRs with no human reply yet, longest wait first.
fn triage(v: &ViewData, ds: &Dataset, bots: &BotLogins) -> Vec<TriageRow> {
    let as_of = v.as_of.unwrap_or(0);
    let mut replied: HashMap<u64, bool> = HashMap::new();
    let author_of: HashMap<u64, String> = ds
        .items
        .iter()
        .filter_map(|i| Some((i.number, i.author.as_deref()?.to_ascii_lowercase())))
        .collect();
    for e in &ds.events {
        let (Some(n), Some(actor)) = (e.item, e.actor.as_deref()) else {
            continue;
        };
        if !matches!(
            e.kind,
            EventKind::Comment | EventKind::Review | EventKind::ReviewComment
        ) || bots.contains(actor)
        {
            continue;
        }
        if author_of
            .get(&n)
            .is_some_and(|a| *a != actor.to_ascii_lowercase())
        {
            replied.insert(n, true);
        }
    }
    // An author's first item: the smallest number they opened.
    let mut first_item: HashMap<String, u64> = HashMap::new();
    for it in &ds.items {
        if let Some(a) = it.author.as_deref() {
            let e = first_item
                .entry(a.to_ascii_lowercase())
                .or_insert(it.number);
            *e = (*e).min(it.number);
        }
    }
    let mut out: Vec<TriageRow> = ds
        .items
        .iter()
        .filter(|it| it.state == ItemState::Open && !replied.contains_key(&it.number))
        .filter_map(|it| {
            let author = it.author.clone()?;
            if bots.contains(&author) {
                return None;
            }
            let person = v.person_by_login(&author);
            if person.is_some_and(|p| v.people[p].side != Side::External) {
                return None;
            }
            let first_timer = first_item.get(&author.to_ascii_lowercase()) == Some(&it.number)
                && person.is_none_or(|p| v.people[p].merged == 0);
            Some(TriageRow {
                number: it.number,
                kind: it.kind,
                title: it.title.clone(),
                author,
                person,
                opened: it.created_at,
                wait_days: (as_of - it.created_at).max(0) / 86_400,
                first_timer,
                url: it.url.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.opened.cmp(&b.opened).then(a.number.cmp(&b.number)));
    out
}

const WEEK: Ts = 7 * 86_400;

fn weekly(v: &ViewData, ds: &Dataset) -> Weekly {
    let stars: Vec<Ts> = ds
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Star)
        .map(|e| e.at)
        .collect();
    let newcomers: Vec<Ts> = v
        .people
        .iter()
        .filter(|p| p.side == Side::External && p.stage.is_some_and(|s| s >= Rung::Participant))
        .filter_map(|p| p.first_seen)
        .collect();
    let Some(start) = stars.iter().chain(&newcomers).min().copied() else {
        return Weekly::default();
    };
    let end = v.as_of.unwrap_or(start).max(start);
    let n = ((end - start) / WEEK + 1) as usize;
    let bucket = |ts: &[Ts]| {
        let mut b = vec![0u64; n];
        for &t in ts {
            let i = (((t - start) / WEEK).max(0) as usize).min(n - 1);
            b[i] += 1;
        }
        b
    };
    Weekly {
        start: Some(start),
        stars: bucket(&stars),
        newcomers: bucket(&newcomers),
    }
}

/// A report signal as a Workflow row: its value in words and the rows behind it.
fn signal_row(v: &ViewData, s: &crate::report::Signal) -> SignalRow {
    let mut value = match (s.count, s.values) {
        (_, Some(vals)) => {
            let f = |x: Option<f64>| {
                x.map(|x| {
                    if s.name == "acceptance_gap" {
                        format!("{:.0}%", x * 100.0)
                    } else {
                        format!("{x:.0}h")
                    }
                })
                .unwrap_or_else(|| "–".into())
            };
            format!("out {} vs in {}", f(vals.external), f(vals.internal))
        }
        (Some(n), None) => match s.share {
            Some(sh) => format!("{n} ({:.0}%)", sh * 100.0),
            None => n.to_string(),
        },
        (None, None) => "n/a".into(),
    };
    if let Some(r) = s.ratio {
        value.push_str(&format!(" ×{r:.1}"));
    } else if let Some(sp) = s.split
        && s.values.is_none()
    {
        value.push_str(&format!(" · out {} in {}", sp.external, sp.internal));
    }
    let commit_base = v
        .repo
        .contains('/')
        .then(|| format!("https://github.com/{}/commit/", v.repo));
    let rows = s
        .evidence
        .iter()
        .map(|h| {
            let (label, url) = match (h.item, &h.commit) {
                (Some(n), _) => (
                    format!("#{n}"),
                    v.item(n).map(|it| it.url.clone()).or_else(|| {
                        v.repo
                            .contains('/')
                            .then(|| format!("https://github.com/{}/issues/{n}", v.repo))
                    }),
                ),
                (None, Some(sha)) => (
                    sha.chars().take(8).collect(),
                    commit_base.as_ref().map(|b| format!("{b}{sha}")),
                ),
                (None, None) => (String::new(), None),
            };
            let who = h
                .person
                .as_deref()
                .and_then(|id| v.person_by_id(id))
                .map(|p| format!(" — {}", v.people[p].name))
                .unwrap_or_default();
            let side = match h.affiliation {
                Some(Affiliation::Internal) => "[in] ",
                Some(Affiliation::External) => "[out] ",
                None => "",
            };
            let title = h
                .item
                .and_then(|n| v.item(n))
                .map(|it| format!("{}: ", it.title))
                .unwrap_or_default();
            EvidenceRow {
                label,
                detail: format!("{side}{title}{}{who}", hit_detail(&s.name, &h.detail)),
                at: h
                    .at
                    .as_deref()
                    .and_then(parse_iso)
                    .or_else(|| h.item.and_then(|n| v.item(n)).map(|it| it.created_at)),
                url,
            }
        })
        .collect();
    let mut rows: Vec<EvidenceRow> = rows;
    // The gap signals' items are listed once, in the report's penalty block: the outsiders'
    // items (subject) and the insiders' (baseline) behind the two medians or ratios.
    if rows.is_empty() {
        let p = &v.report.penalty.outsider_vs_insider;
        let gap = match s.name.as_str() {
            "response_gap" => Some(&p.first_response_hours),
            "acceptance_gap" => Some(&p.acceptance),
            "merge_latency_gap" => Some(&p.merge_latency_hours),
            _ => None,
        };
        if let Some(c) = gap {
            rows = comparison_rows(v, c, ["[out] ", "[in] "]);
        }
    }
    // Newest first: what happens now matters more than history.
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    SignalRow {
        name: s.name.clone(),
        value,
        meaning: s.meaning.clone(),
        by_year: s
            .by_year
            .iter()
            .map(|(y, n)| format!("{y}: {n}"))
            .collect::<Vec<_>>()
            .join(" · "),
        rows,
    }
}

/// The gap signals' rows carry the measured number: say what it is.
fn hit_detail(signal: &str, detail: &str) -> String {
    match (signal, detail.parse::<f64>()) {
        ("response_gap", Ok(h)) => format!("first reply after {}", duration((h * 3600.0) as Ts)),
        ("merge_latency_gap", Ok(h)) => format!("merged after {}", duration((h * 3600.0) as Ts)),
        ("acceptance_gap", Ok(x)) if x >= 1.0 => "accepted".into(),
        ("acceptance_gap", Ok(_)) => "not accepted".into(),
        _ => detail.to_string(),
    }
}

/// The items behind a comparison: the subject's, then the baseline's, each marked.
fn comparison_rows(v: &ViewData, c: &Comparison, marks: [&str; 2]) -> Vec<EvidenceRow> {
    let mut rows = Vec::new();
    for (items, mark) in [(&c.subject.items, marks[0]), (&c.baseline.items, marks[1])] {
        for &n in items {
            let it = v.item(n);
            rows.push(EvidenceRow {
                label: format!("#{n}"),
                detail: match it {
                    Some(it) => format!(
                        "{mark}{} — {}",
                        it.title,
                        it.author.as_deref().unwrap_or("ghost")
                    ),
                    None => mark.trim_end().to_string(),
                },
                at: it.map(|it| it.created_at),
                url: it.map(|it| it.url.clone()),
            });
        }
    }
    rows
}

/// Workflow signals (SPEC §5) as the analysis reports them, with the rows behind each, then
/// the first-timer penalty (issue 4's first-timers ÷ returning), so it drills down too.
fn signals(v: &ViewData) -> Vec<SignalRow> {
    let mut out: Vec<SignalRow> = v.report.signals.iter().map(|s| signal_row(v, s)).collect();
    let c = &v
        .report
        .penalty
        .first_timer_vs_returning
        .first_response_hours;
    if c.subject.value.is_some() || c.baseline.value.is_some() {
        let hours = |x: Option<f64>| x.map(|h| format!("{h:.0}h")).unwrap_or_else(|| "–".into());
        let ratio = c.ratio.map(|r| format!(" ×{r:.1}")).unwrap_or_default();
        let mut rows = comparison_rows(v, c, ["[first] ", "[later] "]);
        rows.sort_by_key(|r| std::cmp::Reverse(r.at));
        out.push(SignalRow {
            name: FIRST_TIMER_GAP.into(),
            value: format!(
                "1st {} vs later {}{ratio}",
                hours(c.subject.value),
                hours(c.baseline.value)
            ),
            meaning: "median hours to the first human reply: a person's first issue or PR vs their later ones".into(),
            by_year: String::new(),
            rows,
        });
    }
    out
}

/// The Workflow row of the first-timer penalty.
pub const FIRST_TIMER_GAP: &str = "first_timer_response_gap";
