//! A small builder of datasets for analysis tests: days from 2024-01-01, terse helpers.
#![allow(dead_code)]

// The fake GitHub server of the sync tests shares this module.
pub mod fake_github;
// A loopback HTTP proxy (proxy support of the sync).
pub mod proxy;

use contrail::analysis::analyze;
use contrail::config::Settings;
use contrail::domain::Dataset;
use contrail::domain::*;
use contrail::report::Report;

pub const BASE: Ts = 1_704_067_200; // 2024-01-01T00:00:00Z
pub const DAY: Ts = 86_400;

pub fn day(d: i64) -> Ts {
    BASE + d * DAY
}

#[derive(Clone, Default)]
pub struct B {
    pub ds: Dataset,
    pub settings: Settings,
    n: u64,
}

impl B {
    pub fn new() -> B {
        let mut b = B::default();
        b.ds.repo = Some("acme/widget".into());
        b.ds.has_github = true;
        b
    }

    pub fn git_only() -> B {
        let mut b = B::default();
        b.ds.repo = Some("acme/widget".into());
        b
    }

    pub fn event(&mut self, kind: EventKind, item: Option<u64>, who: &str, at: Ts) -> &mut Event {
        self.n += 1;
        self.ds.has_github = true;
        self.ds.events.push(Event {
            id: format!("e{:06}", self.n).into(),
            kind,
            item,
            actor: Some(who.into()),
            at,
            association: None,
            state: None,
            body: None,
            target: None,
        });
        self.ds.events.last_mut().unwrap()
    }

    pub fn star(&mut self, who: &str, d: i64) -> &mut Self {
        self.event(EventKind::Star, None, who, day(d));
        self
    }

    fn item(&mut self, kind: ItemKind, n: u64, who: &str, at: Ts, title: &str) -> &mut Item {
        self.ds.has_github = true;
        self.ds.items.push(Item {
            number: n,
            kind,
            url: format!("https://github.com/acme/widget/pull/{n}"),
            title: title.into(),
            body: String::new(),
            author: Some(who.into()),
            author_association: None,
            state: ItemState::Open,
            is_draft: false,
            created_at: at,
            updated_at: at,
            closed_at: None,
            merged_at: None,
            merged_by: None,
            merge_commit_sha: None,
            additions: None,
            deletions: None,
            changed_files: None,
            labels: vec![],
            head_repo_owner: None,
        });
        self.ds.items.last_mut().unwrap()
    }

    pub fn issue(&mut self, n: u64, who: &str, d: i64) -> &mut Item {
        self.item(ItemKind::Issue, n, who, day(d), "Something is off")
    }

    pub fn pr(&mut self, n: u64, who: &str, d: i64) -> &mut Item {
        self.item(ItemKind::Pr, n, who, day(d), "Add a feature")
    }

    pub fn pr_at(&mut self, n: u64, who: &str, at: Ts, title: &str) -> &mut Item {
        self.item(ItemKind::Pr, n, who, at, title)
    }

    fn find(&mut self, n: u64) -> &mut Item {
        self.ds.items.iter_mut().find(|i| i.number == n).unwrap()
    }

    pub fn merge_at(&mut self, n: u64, by: &str, at: Ts) -> &mut Self {
        let it = self.find(n);
        it.state = ItemState::Merged;
        it.merged_at = Some(at);
        it.closed_at = Some(at);
        it.merged_by = Some(by.into());
        it.updated_at = at;
        self.event(EventKind::Merged, Some(n), by, at);
        self
    }

    pub fn merge(&mut self, n: u64, by: &str, d: i64) -> &mut Self {
        self.merge_at(n, by, day(d))
    }

    pub fn close(&mut self, n: u64, by: &str, d: i64) -> &mut Self {
        let it = self.find(n);
        it.state = ItemState::Closed;
        it.closed_at = Some(day(d));
        it.updated_at = day(d);
        self.event(EventKind::Closed, Some(n), by, day(d));
        self
    }

    pub fn comment(&mut self, n: u64, who: &str, d: i64, body: &str) -> &mut Self {
        self.event(EventKind::Comment, Some(n), who, day(d)).body = Some(body.into());
        self
    }

    pub fn review(&mut self, n: u64, who: &str, d: i64, state: &str) -> &mut Self {
        self.event(EventKind::Review, Some(n), who, day(d)).state = Some(state.into());
        self
    }

    pub fn commit(&mut self, sha: &str, email: &str, d: i64) -> &mut Commit {
        self.ds.has_git = true;
        let name = email.split('@').next().unwrap().to_string();
        self.ds.commits.push(Commit {
            sha: sha.into(),
            seq: self.ds.commits.len() as i64,
            author_name: name.clone(),
            author_email: email.into(),
            raw_author_email: email.into(),
            author_time: day(d),
            committer_name: name,
            committer_email: email.into(),
            committer_time: day(d),
            subject: format!("change {sha}"),
            message: format!("change {sha}\n"),
            parent_count: 1,
            ..Commit::default()
        });
        self.ds.commits.last_mut().unwrap()
    }

    pub fn user(&mut self, login: &str, kind: UserKind) -> &mut User {
        self.ds.users.push(User {
            login: login.into(),
            kind,
            name: None,
            company: None,
            email: None,
            database_id: None,
        });
        self.ds.users.last_mut().unwrap()
    }

    /// The dataset as an import stores it: each commit's markers found by the importer's one
    /// detector (unless the test set them itself).
    pub fn imported(&self) -> Dataset {
        let mut ds = self.ds.clone();
        let private = contrail::git::PrivateHosts::default();
        for c in &mut ds.commits {
            if c.markers.is_empty() {
                c.markers = contrail::git::markers::of_commit(c, &private);
            }
        }
        ds
    }

    pub fn report(&self) -> Report {
        analyze(&self.imported(), &self.settings, None)
    }

    pub fn report_as_of(&self, t: Ts) -> Report {
        analyze(&self.imported(), &self.settings, Some(t))
    }
}

pub fn stage_day(r: &Report, id: &str, rung: &str) -> Option<i64> {
    let c = r.contributor(id)?;
    let at = c.stages.get(rung)?;
    Some((contrail::timefmt::parse_rfc3339(at).unwrap() - BASE) / DAY)
}
