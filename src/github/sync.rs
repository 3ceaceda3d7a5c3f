//! The sync itself: repository check, then issues, pull requests and stargazers, each page
//! written together with its cursor and watermark in one transaction.
//!
//! State in `sync_state` (all keys start with `github.`, which tells analysis that GitHub data
//! exists):
//! - `github.repo`, `github.repo.etag`: the repository as GitHub names it, and the REST ETag.
//! - issues (ordered UPDATED_AT ascending, `filterBy.since`): `github.issues.watermark` is the
//!   newest `updatedAt` stored; an unfinished run keeps `github.issues.cursor` and the `since`
//!   it started with in `github.issues.run_since`.
//! - pull requests and stars (ordered UPDATED_AT / STARRED_AT descending, stopped at the
//!   previous run's watermark): `github.{prs,stars}.watermark`; an unfinished run keeps
//!   `.cursor`, `.stop_at` and `.run_max` (the newest time it has seen).
//! - `github.{issues,prs,stars}.incomplete`: the current run accepted partial GraphQL data;
//!   when it ends, the watermark is left where the run started, so nothing is lost.
//!
//! A run killed at any point therefore resumes at the page after the last one committed, and
//! re-fetching a page replaces exactly that page's rows: the end state equals a clean run's.

use super::convert::{
    Batch, Comment, Conn, CountNode, ITEM_EVENT_KINDS, ItemNode, Observers, PrCommit, Review,
    TimelineEvent, fork_id, star_id,
};
use super::progress::{Progress, ProgressMode};
use super::token::Token;
use super::transport::{Endpoints, RetryPolicy, SyncStats, Transport};
use crate::domain::{EventKind, ItemKind, Ts, User};
use crate::error::{Error, Result};
use crate::store::{self, Store, Tx};
use crate::timefmt::iso;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How to sync; [`SyncOptions::default`] is what the CLI uses.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// REST base URL (`None`: api.github.com; GitHub Enterprise: `https://HOST/api/v3`).
    pub api_url: Option<String>,
    /// First sync only: ignore activity before this time.
    pub since: Option<Ts>,
    pub progress: ProgressMode,
    /// Also report progress (counts, rate limit, countdowns) as lines to this sink.
    pub sink: Option<super::progress::ProgressSink>,
    pub policy: RetryPolicy,
    /// Pull requests per page to start with (k of the request budget); halved for the rest
    /// of the run when a page fails (GitHub's 10 s limit on PRs with much nested data).
    pub pr_page_size: u32,
    /// When to re-count every item's comments and reviews against GitHub's (docs/github-sync.md,
    /// "Reconciliation").
    pub reconcile: Reconcile,
}

/// When a sync re-counts every issue's and pull request's comments and reviews to notice
/// deletions on items that never update again. Stars and forks are checked on every sync
/// (their totals come with the first page, for free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconcile {
    /// When the last reconciliation (or the first full sync) is older than this many days.
    Every(u32),
    /// In this sync (`contrail sync --reconcile`).
    Now,
}

/// Days between automatic reconciliations.
pub const RECONCILE_DAYS: u32 = 7;

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            api_url: None,
            since: None,
            progress: ProgressMode::Lines,
            sink: None,
            policy: RetryPolicy::default(),
            pr_page_size: 100,
            reconcile: Reconcile::Every(RECONCILE_DAYS),
        }
    }
}

/// Sync `repo` (OWNER/NAME) into `store`; returns what it did.
pub async fn sync(
    store: &mut Store,
    repo: &str,
    token: &Token,
    opts: &SyncOptions,
) -> Result<SyncStats> {
    let (owner, name) = split_repo(repo)?;
    let endpoints = Endpoints::from_api_url(opts.api_url.as_deref())?;
    let progress = Progress::with_sink(opts.progress, opts.sink.clone());
    let mut t = Transport::new(endpoints, repo, token, opts.policy.clone(), progress)?;
    t.stats.pr_page_size = opts.pr_page_size;
    let r = Run { owner, name, opts };
    r.check_repository(store, &mut t).await?;
    r.issues(store, &mut t).await?;
    r.pull_requests(store, &mut t).await?;
    r.observers(store, &mut t).await?;
    r.reconcile_items(store, &mut t).await?;
    r.org_members(store, &mut t).await?;
    Ok(t.stats)
}

/// `OWNER/NAME` → (owner, name).
pub fn split_repo(repo: &str) -> Result<(&str, &str)> {
    match repo.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Ok((o, n)),
        _ => Err(Error::Usage(format!(
            "{repo:?} is not a GitHub repository name; use OWNER/NAME, e.g. rust-lang/rust"
        ))),
    }
}

/// `--since`: `YYYY-MM-DD` (start of that day, UTC) or RFC 3339.
pub fn parse_since(s: &str) -> Result<Ts> {
    if let Some(t) = crate::timefmt::parse_rfc3339(s) {
        return Ok(t);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--since {s:?} is not a date; use YYYY-MM-DD or RFC 3339"
            ))
        })
}

struct Run<'a> {
    owner: &'a str,
    name: &'a str,
    opts: &'a SyncOptions,
}

fn parse_at<T: DeserializeOwned>(data: &Value, pointer: &str) -> Result<T> {
    let v = data.pointer(pointer).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|source| Error::UnexpectedResponse {
        at: pointer.to_string(),
        source,
    })
}

fn state_ts(store: &Store, key: &str) -> Result<Option<Ts>> {
    Ok(store
        .state(key)?
        .and_then(|v| crate::timefmt::parse_rfc3339(&v)))
}

/// Set while a run of the issues has accepted partial data.
const INCOMPLETE_ISSUES: &str = "github.issues.incomplete";

/// The item is stored with this very `updatedAt`: it was written, with all its overflow
/// pages, in one earlier transaction, so it needs neither follow-ups nor a rewrite. (The
/// boundary item of an incremental sync is returned again; this keeps it free.)
fn unchanged(store: &Store, node: &ItemNode) -> Result<bool> {
    Ok(store.item_updated_at(node.number)? == Some(node.updated_at))
}

/// The star or fork `id` is stored with this date already (the boundary entry of an
/// incremental sync).
fn observer_stored(store: &Store, id: &str, at: Ts) -> Result<bool> {
    Ok(store.event_at(id)? == Some(at))
}

/// Write one page: the items' GitHub events and commits are replaced (so deleted comments
/// disappear and a re-fetched page never duplicates), everything else is upserted.
fn write_batch(conn: &Tx<'_>, b: &Batch) -> Result<()> {
    let numbers: Vec<u64> = b.items.iter().map(|it| it.number).collect();
    store::clear_items_children(conn, &numbers, &ITEM_EVENT_KINDS)?;
    // One row per login; a later sighting fills in what an earlier one lacked.
    let mut users: BTreeMap<String, User> = BTreeMap::new();
    for u in &b.users {
        let e = users
            .entry(u.login.to_lowercase())
            .or_insert_with(|| u.clone());
        e.name = e.name.clone().or_else(|| u.name.clone());
        e.company = e.company.clone().or_else(|| u.company.clone());
        e.database_id = e.database_id.or(u.database_id);
    }
    let users: Vec<User> = users.into_values().collect();
    store::upsert_users(conn, &users)?;
    store::upsert_items(conn, &b.items)?;
    store::upsert_events(conn, &b.events)?;
    store::upsert_item_commits(conn, &b.item_commits)?;
    store::upsert_identity_links(conn, &b.links)?;
    Ok(())
}

impl Run<'_> {
    fn vars(&self, extra: Value) -> Value {
        let mut v = json!({ "owner": self.owner, "name": self.name });
        if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
            m.extend(e);
        }
        v
    }

    /// REST `GET /repos/OWNER/NAME` (with the stored ETag: unchanged costs nothing):
    /// 401/404 stop here, before anything is written.
    async fn check_repository(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        let etag = store.state("github.repo.etag")?;
        let path = format!("/repos/{}/{}", self.owner, self.name);
        let reply = t.rest_get(&path, etag.as_deref()).await?;
        let full_name = match reply.status {
            404 => return Err(Error::RepoNotFound(format!("{}/{}", self.owner, self.name))),
            304 => store
                .state("github.repo")?
                .unwrap_or_else(|| format!("{}/{}", self.owner, self.name)),
            _ => reply
                .body
                .as_ref()
                .and_then(|b| b.get("full_name"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}/{}", self.owner, self.name)),
        };
        let owner_type = reply
            .body
            .as_ref()
            .and_then(|b| b.pointer("/owner/type"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let api_url = t.endpoints().rest.clone();
        store.write(|c| {
            store::set_repository(c, Some(&full_name), None, None, None, Some(&api_url))?;
            store::set_state(c, "github.repo", &full_name)?;
            if let Some(ty) = &owner_type {
                store::set_state(c, "github.owner_type", ty)?;
            }
            if let Some(tag) = &reply.etag {
                store::set_state(c, "github.repo.etag", tag)?;
            }
            Ok(())
        })
    }

    /// Fetch the overflow pages of `node`'s nested connections into `batch`.
    async fn follow_ups(
        &self,
        t: &mut Transport,
        node: &ItemNode,
        batch: &mut Batch,
    ) -> Result<()> {
        let n = node.number;
        if let Some(c) = node.comments.as_ref().and_then(Conn::next) {
            more::<Comment>(t, "MoreComments", "comments", &node.id, c, |p| {
                batch.add_comments(n, p)
            })
            .await?;
        }
        // Inline comments of reviews that have more than their page holds, in the item's
        // page and in the reviews' own overflow pages.
        let mut review_overflow: Vec<(String, String)> = node
            .reviews
            .iter()
            .flat_map(|c| c.nodes.iter().flatten())
            .filter_map(|r| Some((r.id.clone(), r.comments.as_ref()?.next()?)))
            .collect();
        if let Some(c) = node.reviews.as_ref().and_then(Conn::next) {
            more::<Review>(t, "MoreReviews", "reviews", &node.id, c, |p| {
                batch.add_reviews(n, p);
                review_overflow.extend(
                    p.nodes
                        .iter()
                        .flatten()
                        .filter_map(|r| Some((r.id.clone(), r.comments.as_ref()?.next()?))),
                );
            })
            .await?;
        }
        for (review, c) in review_overflow {
            more::<Comment>(t, "MoreReviewComments", "comments", &review, c, |p| {
                batch.add_review_comments(n, p)
            })
            .await?;
        }
        if let Some(c) = node.commits.as_ref().and_then(Conn::next) {
            more::<PrCommit>(t, "MoreCommits", "commits", &node.id, c, |p| {
                batch.add_commits(n, p)
            })
            .await?;
        }
        if let Some(c) = node.timeline_items.as_ref().and_then(Conn::next) {
            more::<TimelineEvent>(t, "MoreTimeline", "timelineItems", &node.id, c, |p| {
                batch.add_timeline(n, p)
            })
            .await?;
        }
        Ok(())
    }

    async fn issues(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        const COL: &str = "issues";
        let resume = store.state("github.issues.cursor")?;
        let since = if resume.is_some() {
            store.state("github.issues.run_since")?
        } else {
            store
                .state("github.issues.watermark")?
                .or_else(|| self.opts.since.map(iso))
        };
        let mut cursor = resume;
        let mut first = true;
        loop {
            let partial_before = t.stats.partial_errors;
            let data = t
                .graphql(
                    "Issues",
                    self.vars(json!({ "cursor": cursor, "since": since })),
                )
                .await?;
            let conn: Conn<ItemNode> = self.connection(&data, "issues")?;
            if first {
                t.progress.start(COL, conn.total_count);
                first = false;
            }
            let mut batch = Batch::default();
            // With `--since` and nothing newer, the since itself becomes the watermark, so
            // the next sync does not fall back to a full one.
            let mut page_max = state_ts(store, "github.issues.watermark")?
                .or_else(|| since.as_deref().and_then(crate::timefmt::parse_rfc3339));
            for node in conn.nodes.iter().flatten() {
                page_max = page_max.max(Some(node.updated_at));
                if unchanged(store, node)? {
                    continue;
                }
                self.follow_ups(t, node, &mut batch).await?;
                batch.add_item(node, ItemKind::Issue);
            }
            let next = conn.next();
            let partial = t.stats.partial_errors > partial_before;
            store.write(|c| {
                write_batch(c, &batch)?;
                if let Some(m) = page_max {
                    store::set_state(c, "github.issues.watermark", &iso(m))?;
                }
                if partial {
                    store::set_state(c, INCOMPLETE_ISSUES, "1")?;
                }
                // A run that accepted partial data ends without moving the watermark, so the
                // next sync scans the same range again (unchanged items are skipped cheaply).
                if next.is_none() && store::take_state(c, INCOMPLETE_ISSUES)? {
                    match &since {
                        Some(s) => store::set_state(c, "github.issues.watermark", s)?,
                        None => store::delete_state(c, &["github.issues.watermark"])?,
                    }
                }
                match (&next, &since) {
                    (Some(n), s) => {
                        store::set_state(c, "github.issues.cursor", n)?;
                        match s {
                            Some(s) => store::set_state(c, "github.issues.run_since", s)?,
                            None => store::delete_state(c, &["github.issues.run_since"])?,
                        }
                    }
                    (None, _) => store::delete_state(
                        c,
                        &["github.issues.cursor", "github.issues.run_since"],
                    )?,
                }
                Ok(())
            })?;
            self.count(t, COL, &batch);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        t.progress.finish(COL);
        Ok(())
    }

    async fn pull_requests(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        const COL: &str = "pull requests";
        let mut k = self.opts.pr_page_size.clamp(1, 100);
        let mut d = Descending::load(store, "prs", self.opts.since)?;
        let mut first = true;
        loop {
            let partial_before = t.stats.partial_errors;
            let vars = self.vars(json!({ "cursor": d.cursor, "first": k }));
            // Pages of big PRs can exceed GitHub's 10 s limit and fail with 502s or timeouts:
            // large pages fall back to half the size at once (cursors stay valid); from 25
            // down, failures are first retried as usual.
            let retries = if k > 25 { 0 } else { u32::MAX };
            let data = match t.graphql_with_retries("PullRequests", vars, retries).await {
                Ok(data) => data,
                Err(Error::GitHub(why)) if k > 12 => {
                    k /= 2;
                    t.stats.pr_page_size = t.stats.pr_page_size.min(k);
                    t.progress
                        .note(&format!("{why}; retrying with {k} pull requests a page"));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let conn: Conn<ItemNode> = self.connection(&data, "pullRequests")?;
            if first {
                t.progress
                    .start(COL, conn.total_count.filter(|_| d.stop_at.is_none()));
                first = false;
            }
            let mut batch = Batch::default();
            let mut reached = false;
            for node in conn.nodes.iter().flatten() {
                let at = node.updated_at;
                if d.stop_at.is_some_and(|s| at < s) {
                    reached = true;
                    break;
                }
                d.run_max = d.run_max.max(Some(at));
                if unchanged(store, node)? {
                    continue;
                }
                self.follow_ups(t, node, &mut batch).await?;
                batch.add_item(node, ItemKind::Pr);
            }
            let next = conn.next().filter(|_| !reached);
            let partial = t.stats.partial_errors > partial_before;
            if !self.store_page(store, t, COL, &mut d, &batch, next, partial)? {
                break;
            }
        }
        t.progress.finish(COL);
        Ok(())
    }

    /// Stars and forks, newest first down to each list's watermark, both in one `Observers`
    /// request per page; then each list's `totalCount` is compared with what is stored, and
    /// only a list that disagrees is listed again in full (removed stars and forks).
    async fn observers(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        let mut lists = [
            Observed::load(store, ObservedKind::Stars, self.opts.since)?,
            Observed::load(store, ObservedKind::Forks, self.opts.since)?,
        ];
        self.page_observers(store, t, &mut lists, false).await?;
        for list in &mut lists {
            let Some(total) = list.total else { continue };
            if !list.complete(store)? {
                continue;
            }
            let stored = count_observers(store, list.kind)?;
            let key = list.key("relisted_total");
            let relisted: Option<u64> = store.state(&key)?.and_then(|v| v.parse().ok());
            if stored == total || relisted == Some(total) {
                continue;
            }
            // The counts disagree: list everything again and drop what GitHub no longer has.
            let (before_req, before_cost) = (t.stats.requests(), t.stats.graphql_cost);
            let mut fresh = [Observed::relist(list.kind)];
            let seen = self.page_observers(store, t, &mut fresh, true).await?;
            let removed = store.write(|c| {
                let n = remove_unseen_observers(c, list.kind, &seen)?;
                store::set_state(c, &key, &total.to_string())?;
                Ok(n)
            })?;
            let s = &mut t.stats;
            s.reconcile_requests += s.requests() - before_req;
            s.reconcile_cost += s.graphql_cost - before_cost;
            match list.kind {
                ObservedKind::Stars => s.removed_stars += removed,
                ObservedKind::Forks => s.removed_forks += removed,
            }
            t.progress.note(&format!(
                "{}: GitHub counts {total}, {stored} stored; listed again, {removed} removed",
                list.kind.name()
            ));
        }
        Ok(())
    }

    /// Page the lists that still have pages; returns the ids seen (for a re-list).
    async fn page_observers(
        &self,
        store: &mut Store,
        t: &mut Transport,
        lists: &mut [Observed],
        relist: bool,
    ) -> Result<std::collections::HashSet<String>> {
        let mut seen = std::collections::HashSet::new();
        let mut active: Vec<bool> = vec![true; lists.len()];
        let mut first = true;
        while active.iter().any(|a| *a) {
            let find = |k: ObservedKind| lists.iter().position(|l| l.kind == k);
            let (si, fi) = (find(ObservedKind::Stars), find(ObservedKind::Forks));
            let on = |i: Option<usize>| i.is_some_and(|i| active[i]);
            let cur = |i: Option<usize>| i.and_then(|i| lists[i].d.cursor.clone());
            let partial_before = t.stats.partial_errors;
            let vars = self.vars(json!({
                "stars": on(si), "starCursor": cur(si),
                "forks": on(fi), "forkCursor": cur(fi),
            }));
            let data = t.graphql("Observers", vars).await?;
            let obs: Observers = self.connection(&data, "")?;
            let partial = t.stats.partial_errors > partial_before;
            let mut batch = Batch::default();
            let mut nexts: Vec<Option<String>> = vec![None; lists.len()];
            for (i, list) in lists.iter_mut().enumerate() {
                if !active[i] {
                    continue;
                }
                // (id, at) of each entry, newest first; entries without an account are skipped.
                let (total, page_info, entries) = match list.kind {
                    ObservedKind::Stars => {
                        let Some(c) = &obs.stargazers else { continue };
                        let entries: Vec<_> = c
                            .edges
                            .iter()
                            .flatten()
                            .map(|e| (e.node.as_ref().map(|u| star_id(&u.login)), e.starred_at, e))
                            .map(|(id, at, e)| (id, at, Entry::Star(e)))
                            .collect();
                        (c.total_count, c.page_info.clone(), entries)
                    }
                    ObservedKind::Forks => {
                        let Some(c) = &obs.forks else { continue };
                        let entries: Vec<_> = c
                            .nodes
                            .iter()
                            .flatten()
                            .map(|f| {
                                let id = f.owner.as_ref().map(|o| fork_id(&o.login));
                                (id, f.created_at, Entry::Fork(f))
                            })
                            .collect();
                        (c.total_count, c.page_info.clone(), entries)
                    }
                };
                if first {
                    list.total = total;
                    if !relist {
                        t.progress
                            .start(list.kind.name(), total.filter(|_| list.d.stop_at.is_none()));
                    }
                }
                let mut reached = false;
                let before = batch.events.len();
                for (id, at, entry) in entries {
                    if list.d.stop_at.is_some_and(|s| at < s) {
                        reached = true;
                        break;
                    }
                    list.d.run_max = list.d.run_max.max(Some(at));
                    let Some(id) = id else { continue };
                    if relist {
                        seen.insert(id.clone());
                    }
                    if !observer_stored(store, &id, at)? {
                        match entry {
                            Entry::Star(e) => batch.add_star(e),
                            Entry::Fork(f) => batch.add_fork(f),
                        }
                    }
                }
                let added = (batch.events.len() - before) as u64;
                match list.kind {
                    ObservedKind::Stars => t.stats.stars += added,
                    ObservedKind::Forks => t.stats.forks += added,
                }
                let remaining = t.stats.rate_limit_remaining;
                if !relist {
                    t.progress.advance(list.kind.name(), added, remaining);
                }
                nexts[i] = page_info
                    .filter(|p| p.has_next_page && !reached)
                    .and_then(|p| p.end_cursor);
            }
            first = false;
            store.write(|c| {
                write_batch(c, &batch)?;
                for (i, list) in lists.iter().enumerate() {
                    if active[i] && !relist {
                        list.d.save(c, nexts[i].as_deref(), partial)?;
                        if nexts[i].is_none() && list.full_run && !partial {
                            store::set_state(c, &list.key("complete"), "1")?;
                        }
                    }
                }
                Ok(())
            })?;
            for (i, list) in lists.iter_mut().enumerate() {
                if !active[i] {
                    continue;
                }
                match nexts[i].take() {
                    Some(n) => list.d.cursor = Some(n),
                    None => {
                        active[i] = false;
                        if !relist {
                            t.progress.finish(list.kind.name());
                        }
                    }
                }
            }
        }
        Ok(seen)
    }

    /// Every few days (or with `--reconcile`): count every issue's and pull request's comments
    /// and reviews on GitHub, and fetch again only the items whose counts disagree with the
    /// stored ones (a deleted comment on an item that never updates again).
    async fn reconcile_items(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        const KEY: &str = "github.reconciled_at";
        let now = super::transport::now_secs();
        let last = state_ts(store, KEY)?;
        let due = match self.opts.reconcile {
            Reconcile::Now => true,
            Reconcile::Every(days) => last.is_some_and(|l| now - l >= i64::from(days) * 86_400),
        };
        if !due {
            if last.is_none() {
                // The first sync lists everything: it is the first reconciliation.
                store.write(|c| store::set_state(c, KEY, &iso(now)))?;
            }
            return Ok(());
        }
        let (before_req, before_cost) = (t.stats.requests(), t.stats.graphql_cost);
        let stored_before = count_item_events(store)?;
        let mut checked = 0u64;
        for (op, field, kind) in [
            ("CountIssues", "issues", ItemKind::Issue),
            ("CountPullRequests", "pullRequests", ItemKind::Pr),
        ] {
            let mut cursor: Option<String> = None;
            let mut stale = Vec::new();
            loop {
                let data = t
                    .graphql(op, self.vars(json!({ "cursor": cursor })))
                    .await?;
                let conn: Conn<CountNode> = self.connection(&data, field)?;
                for node in conn.nodes.iter().flatten() {
                    checked += 1;
                    if counts_differ(store, node)? {
                        stale.push(node.id.clone());
                    }
                }
                match conn.next() {
                    Some(n) => cursor = Some(n),
                    None => break,
                }
            }
            self.refetch(store, t, kind, &stale).await?;
        }
        let removed = stored_before.saturating_sub(count_item_events(store)?);
        store.write(|c| store::set_state(c, KEY, &iso(now)))?;
        let s = &mut t.stats;
        s.reconcile_requests += s.requests() - before_req;
        s.reconcile_cost += s.graphql_cost - before_cost;
        s.removed_comments += removed;
        s.reconciled_items += checked;
        t.progress.note(&format!(
            "reconciliation: {checked} items counted, {removed} deleted comments or reviews removed; {} requests, GraphQL cost {}",
            s.requests() - before_req,
            s.graphql_cost - before_cost
        ));
        Ok(())
    }

    /// Fetch the items with node ids `ids` again and replace what is stored of them.
    async fn refetch(
        &self,
        store: &mut Store,
        t: &mut Transport,
        kind: ItemKind,
        ids: &[String],
    ) -> Result<()> {
        let (op, chunk) = match kind {
            ItemKind::Issue => ("RefetchIssues", 100),
            ItemKind::Pr => (
                "RefetchPullRequests",
                t.stats.pr_page_size.clamp(1, 100) as usize,
            ),
        };
        for ids in ids.chunks(chunk) {
            let data = t.graphql(op, json!({ "ids": ids })).await?;
            let nodes: Vec<Option<ItemNode>> = data
                .get("nodes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                // A deleted item comes back null; an item of the other kind as `{}`. Any
                // other node must parse (a malformed date is an error, not a skipped item).
                .map(|(i, v)| match v {
                    Value::Object(o) if !o.is_empty() => serde_json::from_value(v.clone())
                        .map(Some)
                        .map_err(|source| Error::UnexpectedResponse {
                            at: format!("/nodes/{i}"),
                            source,
                        }),
                    _ => Ok(None),
                })
                .collect::<Result<_>>()?;
            let mut batch = Batch::default();
            for node in nodes.iter().flatten() {
                self.follow_ups(t, node, &mut batch).await?;
                batch.add_item(node, kind);
            }
            store.write(|c| write_batch(c, &batch))?;
            t.stats.refetched_items += batch.items.len() as u64;
        }
        Ok(())
    }

    /// Members of the owning organisation that the token can see (public members, or all
    /// of them for a member's token): REST `GET /orgs/OWNER/members`. The first page carries
    /// an ETag; when it is unchanged (304, free) the list is taken as unchanged, so a re-sync
    /// spends one request here. The list is replaced as a whole, in one transaction.
    async fn org_members(&self, store: &mut Store, t: &mut Transport) -> Result<()> {
        if store.state("github.owner_type")?.as_deref() != Some("Organization") {
            return Ok(());
        }
        let etag = store.state("github.members.etag")?;
        let mut url = format!("/orgs/{}/members?per_page=100", self.owner);
        let mut logins = Vec::new();
        let mut first_etag = None;
        loop {
            let tag = if logins.is_empty() && first_etag.is_none() {
                etag.as_deref()
            } else {
                None
            };
            let reply = match t.rest_get(&url, tag).await {
                Ok(r) => r,
                Err(Error::AccessDenied { reason, .. }) => {
                    t.progress.note(&format!(
                        "organisation members not visible (access denied, HTTP 403: {reason}); skipped"
                    ));
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            t.stats.member_pages += 1;
            match reply.status {
                304 => return Ok(()),
                404 => return Ok(()),
                _ => {}
            }
            if first_etag.is_none() {
                first_etag = Some(reply.etag.clone().unwrap_or_default());
            }
            logins.extend(
                reply
                    .body
                    .as_ref()
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.get("login").and_then(Value::as_str))
                    .map(str::to_string),
            );
            match reply.next {
                Some(next) => url = next,
                None => break,
            }
        }
        let org = self.owner.to_string();
        store.write(|c| {
            store::replace_org_members(c, &org, &logins)?;
            match first_etag.as_deref().filter(|e| !e.is_empty()) {
                Some(e) => store::set_state(c, "github.members.etag", e),
                None => store::delete_state(c, &["github.members.etag"]),
            }
        })?;
        t.progress
            .note(&format!("{} members of {org} visible", logins.len()));
        Ok(())
    }

    /// `repository.<field>` of a response; a null repository means GitHub cannot see it.
    fn connection<T: DeserializeOwned>(&self, data: &Value, field: &str) -> Result<T> {
        if data.get("repository").is_none_or(Value::is_null) {
            return Err(Error::RepoNotFound(format!("{}/{}", self.owner, self.name)));
        }
        if field.is_empty() {
            return parse_at(data, "/repository");
        }
        parse_at(data, &format!("/repository/{field}"))
    }

    /// Write a newest-first page together with its cursor and watermark in one transaction,
    /// count it, and move to the next page; `false` when the collection is done.
    #[allow(clippy::too_many_arguments)]
    fn store_page(
        &self,
        store: &mut Store,
        t: &mut Transport,
        col: &'static str,
        d: &mut Descending,
        batch: &Batch,
        next: Option<String>,
        partial: bool,
    ) -> Result<bool> {
        store.write(|c| {
            write_batch(c, batch)?;
            d.save(c, next.as_deref(), partial)
        })?;
        self.count(t, col, batch);
        Ok(match next {
            Some(n) => {
                d.cursor = Some(n);
                true
            }
            None => false,
        })
    }

    fn count(&self, t: &mut Transport, col: &'static str, b: &Batch) {
        let s = &mut t.stats;
        for e in &b.events {
            match e.kind {
                EventKind::Comment => s.comments += 1,
                EventKind::Review => s.reviews += 1,
                EventKind::ReviewComment => s.review_comments += 1,
                _ => s.timeline_events += 1,
            }
        }
        let stored = b.items.len() as u64;
        match col {
            "issues" => s.issues += stored,
            "pull requests" => s.pull_requests += stored,
            _ => {}
        }
        let remaining = s.rate_limit_remaining;
        t.progress.advance(col, stored, remaining);
    }
}

/// Page through one overflowing nested connection of node `id`, starting at `cursor`.
async fn more<T: DeserializeOwned>(
    t: &mut Transport,
    op: &str,
    field: &str,
    id: &str,
    mut cursor: String,
    mut add: impl FnMut(&Conn<T>),
) -> Result<()> {
    loop {
        let data = t.graphql(op, json!({ "id": id, "cursor": cursor })).await?;
        t.stats.overflow_pages += 1;
        let pointer = format!("/node/{field}");
        if data.pointer(&pointer).is_none_or(Value::is_null) {
            // The item was deleted or hidden since its page was fetched: nothing more to add.
            return Ok(());
        }
        let page: Conn<T> = parse_at(&data, &pointer)?;
        add(&page);
        match page.next() {
            Some(n) => cursor = n,
            None => return Ok(()),
        }
    }
}

/// Resumable state of a collection fetched newest first and stopped at a watermark.
struct Descending {
    prefix: &'static str,
    cursor: Option<String>,
    stop_at: Option<Ts>,
    run_max: Option<Ts>,
}

impl Descending {
    fn key(&self, k: &str) -> String {
        format!("github.{}.{k}", self.prefix)
    }

    fn load(store: &Store, prefix: &'static str, since: Option<Ts>) -> Result<Descending> {
        let key = |k: &str| format!("github.{prefix}.{k}");
        let cursor = store.state(&key("cursor"))?;
        Ok(if cursor.is_some() {
            Descending {
                prefix,
                cursor,
                stop_at: state_ts(store, &key("stop_at"))?,
                run_max: state_ts(store, &key("run_max"))?,
            }
        } else {
            Descending {
                prefix,
                cursor: None,
                stop_at: state_ts(store, &key("watermark"))?.or(since),
                run_max: None,
            }
        })
    }

    /// After a page: keep the cursor to resume from, or, at the end, move the watermark —
    /// unless some page of the run was accepted with partial data: then the watermark stays,
    /// and the next sync scans the same range again.
    fn save(&self, c: &Tx<'_>, next: Option<&str>, partial: bool) -> Result<()> {
        let incomplete = self.key("incomplete");
        if partial {
            store::set_state(c, &incomplete, "1")?;
        }
        let (cursor, stop_at, run_max) =
            (self.key("cursor"), self.key("stop_at"), self.key("run_max"));
        match next {
            Some(n) => {
                store::set_state(c, &cursor, n)?;
                match self.stop_at {
                    Some(s) => store::set_state(c, &stop_at, &iso(s))?,
                    None => store::delete_state(c, &[&stop_at])?,
                }
                match self.run_max {
                    Some(m) => store::set_state(c, &run_max, &iso(m))?,
                    None => store::delete_state(c, &[&run_max])?,
                }
            }
            None => {
                if store::take_state(c, &incomplete)? {
                    match self.stop_at {
                        Some(s) => store::set_state(c, &self.key("watermark"), &iso(s))?,
                        None => store::delete_state(c, &[&self.key("watermark")])?,
                    }
                } else if let Some(m) = self.run_max.or(self.stop_at) {
                    store::set_state(c, &self.key("watermark"), &iso(m))?;
                }
                store::delete_state(c, &[&cursor, &stop_at, &run_max])?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObservedKind {
    Stars,
    Forks,
}

impl ObservedKind {
    fn name(self) -> &'static str {
        match self {
            ObservedKind::Stars => "stars",
            ObservedKind::Forks => "forks",
        }
    }

    fn event(self) -> EventKind {
        match self {
            ObservedKind::Stars => EventKind::Star,
            ObservedKind::Forks => EventKind::Fork,
        }
    }
}

/// One entry of an `Observers` page.
enum Entry<'a> {
    Star(&'a super::convert::StarEdge),
    Fork(&'a super::convert::ForkNode),
}

/// A list of stars or forks being paged newest first.
struct Observed {
    kind: ObservedKind,
    d: Descending,
    /// `totalCount` of this run's first page.
    total: Option<u64>,
    /// This run lists everything (no watermark, no `--since`): at its end the stored list is
    /// complete, and counts can be compared from then on.
    full_run: bool,
}

impl Observed {
    fn load(store: &mut Store, kind: ObservedKind, since: Option<Ts>) -> Result<Observed> {
        let d = Descending::load(store, kind.name(), since)?;
        let full_run = d.stop_at.is_none()
            && (d.cursor.is_none()
                || store
                    .state(&format!("github.{}.full", kind.name()))?
                    .is_some());
        if full_run && d.cursor.is_none() {
            store.write(|c| store::set_state(c, &format!("github.{}.full", kind.name()), "1"))?;
        }
        Ok(Observed {
            kind,
            d,
            total: None,
            full_run,
        })
    }

    /// Everything again, ignoring the watermark and any stored cursor.
    fn relist(kind: ObservedKind) -> Observed {
        Observed {
            kind,
            d: Descending {
                prefix: kind.name(),
                cursor: None,
                stop_at: None,
                run_max: None,
            },
            total: None,
            full_run: false,
        }
    }

    fn key(&self, k: &str) -> String {
        format!("github.{}.{k}", self.kind.name())
    }

    /// The stored list was complete once, so its count can be compared with GitHub's.
    fn complete(&self, store: &Store) -> Result<bool> {
        Ok(store.state(&self.key("complete"))?.is_some())
    }
}

fn count_observers(store: &Store, kind: ObservedKind) -> Result<u64> {
    store.count_events(kind.event())
}

/// Delete the stars (forks) whose ids were not seen in a complete re-list; returns how many.
fn remove_unseen_observers(
    c: &Tx<'_>,
    kind: ObservedKind,
    seen: &std::collections::HashSet<String>,
) -> Result<u64> {
    store::remove_events_not_in(c, kind.event(), seen)
}

/// Stored comments, reviews and review comments.
fn count_item_events(store: &Store) -> Result<u64> {
    Ok(store.count_events(EventKind::Comment)?
        + store.count_events(EventKind::Review)?
        + store.count_events(EventKind::ReviewComment)?)
}

/// The stored comments or reviews of this item are not as many as GitHub counts (or the item
/// is not stored at all).
fn counts_differ(store: &Store, node: &CountNode) -> Result<bool> {
    if !store.has_item(node.number)? {
        return Ok(true);
    }
    for (count, kind) in [
        (&node.comments, EventKind::Comment),
        (&node.reviews, EventKind::Review),
    ] {
        if let Some(c) = count
            && store.count_item_events(node.number, kind)? != c.total_count
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_must_be_owner_slash_name() {
        assert_eq!(split_repo("rust-lang/rust").unwrap(), ("rust-lang", "rust"));
        for bad in ["rust", "/rust", "rust/", "a/b/c"] {
            assert!(matches!(split_repo(bad), Err(Error::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn since_is_the_start_of_the_day_or_an_rfc3339_time() {
        assert_eq!(parse_since("2024-03-01").unwrap(), 1_709_251_200);
        assert_eq!(parse_since("2024-03-01T12:00:00Z").unwrap(), 1_709_294_400);
        assert!(parse_since("last tuesday").is_err());
    }
}
