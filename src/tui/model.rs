//! The view model: what the screens show, derived once (off the UI thread) from the analysis
//! `Report` and the `Dataset` behind it, so drawing and key handling never scan the data.

use crate::domain::Dataset;
use crate::domain::{EventKind, Item, ItemKind, ItemState, Note, Rung, Ts};
use crate::report::{Affiliation, Comparison, Contributor, Report, Split, Status};
use crate::timefmt;
use std::collections::HashMap;
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
    /// Merged contributions (the report's `merged_contributions`, "merged" in its Markdown).
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
    /// `None` where no source could see the rung.
    pub internal: Option<u64>,
    pub external: Option<u64>,
    /// docs/definitions.md#conversion: share of the previous rung's people who reached this one.
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

/// A workflow signal (docs/definitions.md#workflow-signals) with its evidence.
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

/// The vanity-vs-gravity chart's series, one value per month (the report's
/// `gravity.by_month`, which has no gaps).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Monthly {
    /// `YYYY-MM` of the first value.
    pub start: Option<String>,
    /// `None` without GitHub data (stars are unknown, not 0).
    pub stars: Option<Vec<u64>>,
    /// Outsiders taking part for the first time.
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
    pub monthly: Monthly,
    pub notes: HashMap<String, Note>,
    /// Median hours to a first human reply, and PR acceptance, by side (outsider penalty).
    pub response_hours: Split<Option<f64>>,
    pub acceptance: Split<Option<f64>>,
    dataset: Arc<Dataset>,
    /// The whole history and the analysis settings: the time control re-analyses them at
    /// another `as_of` (`dataset` is the history cut at `as_of`).
    pub full: Arc<Dataset>,
    pub settings: Arc<crate::config::Settings>,
    /// The newest time in the whole history (the default `as_of`).
    pub newest: Option<Ts>,
    /// The oldest time in the whole history (the time control stops there).
    pub oldest: Option<Ts>,
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

fn parse_iso(s: &str) -> Option<Ts> {
    timefmt::parse_rfc3339(s)
}

impl ViewData {
    /// Build the view model from the analysis' report and the data behind it, with the
    /// settings recorded in the data (or the defaults) for the time control.
    pub fn build(ds: Arc<Dataset>, report: Report) -> ViewData {
        let settings = ds
            .settings
            .get("analysis")
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        ViewData::build_at(ds.clone(), ds, report, Arc::new(settings))
    }

    /// Build the view model for `report`, analysed from `ds` (`full` cut at the report's
    /// `as_of`, or `full` itself) with `settings`.
    pub fn build_at(
        full: Arc<Dataset>,
        ds: Arc<Dataset>,
        report: Report,
        settings: Arc<crate::config::Settings>,
    ) -> ViewData {
        let mut v = ViewData::build_inner(ds, report);
        v.newest = crate::analysis::newest_time(&full);
        v.oldest = crate::analysis::oldest_time(&full);
        v.full = full;
        v.settings = settings;
        v
    }

    /// Re-analyse the whole history as of `at` (`None` or a time past the newest event: the
    /// whole history) and build its view model. The work of the time control's job.
    pub fn reanalyse(
        full: Arc<Dataset>,
        settings: Arc<crate::config::Settings>,
        at: Option<Ts>,
    ) -> ViewData {
        let newest = crate::analysis::newest_time(&full);
        match at.filter(|t| newest.is_some_and(|n| *t < n)) {
            Some(t) => {
                let ds = Arc::new(crate::analysis::dataset_as_of(&full, t));
                let report = crate::analysis::analyze(&ds, &settings, Some(t));
                ViewData::build_at(full, ds, report, settings)
            }
            None => {
                let report = crate::analysis::analyze(&full, &settings, None);
                ViewData::build_at(full.clone(), full, report, settings)
            }
        }
    }

    /// Whether this is an earlier `as_of` than the newest event.
    pub fn in_the_past(&self) -> bool {
        matches!((self.as_of, self.newest), (Some(a), Some(n)) if a < n)
    }

    fn build_inner(ds: Arc<Dataset>, report: Report) -> ViewData {
        let as_of = report
            .as_of
            .as_deref()
            .and_then(parse_iso)
            .or_else(|| crate::analysis::newest_time(&ds));
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
        // Bots are not on the ladder, but their actions are evidence: list them too, as the
        // analysis decided them (its list, GitHub's `Bot` type, the user's `bot_patterns`).
        for id in &report.people.bot_ids {
            let name = id
                .split_once(':')
                .map_or(id.as_str(), |(_, n)| n)
                .to_string();
            let row = PersonRow {
                id: id.clone(),
                name: name.clone(),
                logins: id
                    .strip_prefix("login:")
                    .map(|l| vec![l.to_string()])
                    .unwrap_or_default(),
                emails: id
                    .strip_prefix("email:")
                    .map(|e| vec![e.to_string()])
                    .unwrap_or_default(),
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
                haystack: name.to_lowercase(),
            };
            v.push_person(row);
        }
        v.dataset = ds.clone();
        v.acts = vec![Acts::default(); v.people.len()];
        v.index_acts(&ds);
        v.report = report;
        v.funnel = funnel(&v);
        v.reasons = reasons(&v);
        v.drops = drops(&v);
        v.triage = triage(&v);
        v.monthly = monthly(&v.report);
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
    fn index_acts(&mut self, ds: &Dataset) {
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
                .or_else(|| {
                    crate::analysis::people::noreply_login(&c.author_email)
                        .and_then(|l| self.person_by_login(&l))
                });
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
        merged: c.merged_contributions as u32,
        reviews: c.reviews as u32,
        dropped: c.status == Status::Dropped,
        last_experience: c.last_experience.as_str().to_string(),
        contributor: Some(ci),
        last_item: c.last_experience_detail.as_ref().and_then(|d| d.item),
        haystack,
    }
}

/// The report's funnel rows with their people resolved to rows of the People table.
fn funnel(v: &ViewData) -> Vec<FunnelStat> {
    v.report
        .funnel
        .iter()
        .map(|r| FunnelStat {
            rung: r.stage,
            internal: r.internal,
            external: r.external,
            conv_internal: r.conversion.internal,
            conv_external: r.conversion.external,
            days_internal: r.median_days.internal,
            days_external: r.median_days.external,
            people: ids_to_people(v, &r.people),
        })
        .collect()
}

fn ids_to_people(v: &ViewData, ids: &[String]) -> Vec<usize> {
    ids.iter().filter_map(|id| v.person_by_id(id)).collect()
}

/// The report's drop-offs, by rung then most people.
fn drops(v: &ViewData) -> Vec<DropRow> {
    let mut rows: Vec<DropRow> = v
        .report
        .dropoffs
        .iter()
        .map(|d| DropRow {
            stage: d.stage,
            reason: d.reason.as_str().to_string(),
            internal: d.internal,
            external: d.external,
            people: ids_to_people(v, &d.people),
        })
        .collect();
    rows.sort_by(|a, b| {
        a.stage
            .cmp(&b.stage)
            .then((b.internal + b.external).cmp(&(a.internal + a.external)))
            .then(a.reason.cmp(&b.reason))
    });
    rows
}

fn reasons(v: &ViewData) -> Vec<ReasonStat> {
    v.report
        .dropoff_reasons
        .iter()
        .map(|r| ReasonStat {
            reason: r.reason.as_str().to_string(),
            internal: r.internal,
            external: r.external,
            people: ids_to_people(v, &r.people),
        })
        .collect()
}

/// The report's triage queue (docs/definitions.md#triage), longest wait first.
fn triage(v: &ViewData) -> Vec<TriageRow> {
    v.report
        .triage
        .iter()
        .flatten()
        .map(|w| TriageRow {
            number: w.item,
            kind: w.kind,
            title: w.title.clone(),
            author: w.author.clone(),
            person: w
                .person
                .as_deref()
                .and_then(|id| v.person_by_id(id))
                .or_else(|| v.person_by_login(&w.author)),
            opened: parse_iso(&w.opened).unwrap_or_default(),
            wait_days: w.waiting_days,
            first_timer: w.first_timer,
            url: w.url.clone(),
        })
        .collect()
}

fn monthly(r: &Report) -> Monthly {
    let m = &r.gravity.by_month;
    Monthly {
        start: m.first().map(|row| row.month.clone()),
        stars: m.iter().map(|row| row.stars).collect(),
        newcomers: m.iter().map(|row| row.new_outsiders).collect(),
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

/// Workflow signals (docs/definitions.md#workflow-signals) as the analysis reports them, with the
/// rows behind each, then the first-timer penalty (first-timers ÷ returning,
/// docs/definitions.md#penalty), so it drills down too.
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
