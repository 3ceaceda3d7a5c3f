//! GitHub sync (issue 3) against a fake GitHub on 127.0.0.1: pagination, nested overflow,
//! rate limits, retries, crash + resume, incremental sync, GitHub Enterprise paths, 401/404,
//! ghost/bot/mannequin accounts, and the token never leaking.

mod support;

use contrail::domain::{EventKind, UserKind};
use contrail::error::Error;
use contrail::github::{self, ProgressMode, RetryPolicy, SyncOptions, SyncStats, Token};
use contrail::store::Store;
use std::path::Path;
use std::time::Duration;
use support::fake_github::{FakeGitHub, Fault, Model, Spec, T0, TOKEN, user};

const REPO: &str = "acme/rocket";

fn small() -> Model {
    Model::generate(
        7,
        Spec {
            issues: 230,
            prs: 140,
            comments_per_item: 3,
            reviews_per_pr: 2,
            stars: 250,
            overflow_every: 45,
            forks: 60,
            review_comments_per_review: 1,
        },
    )
}

fn opts(api_url: String) -> SyncOptions {
    SyncOptions {
        api_url: Some(api_url),
        progress: if std::env::var("SHOW_LOGS").is_ok() {
            ProgressMode::Lines
        } else {
            ProgressMode::Silent
        },
        policy: RetryPolicy {
            max_wait: Some(Duration::ZERO),
            ..RetryPolicy::default()
        },
        ..SyncOptions::default()
    }
}

async fn sync_with(_fake: &FakeGitHub, db: &Path, o: &SyncOptions) -> contrail::Result<SyncStats> {
    let mut store = Store::open(db)?;
    github::sync(&mut store, REPO, &Token::new(TOKEN), o).await
}

async fn sync(fake: &FakeGitHub, db: &Path) -> contrail::Result<SyncStats> {
    sync_with(fake, db, &opts(fake.api_url())).await
}

/// Every row of every table the sync writes, sorted: equal dumps mean equal databases.
/// (`repository` is left out: it holds the API URL, whose port differs between fakes.)
fn dump(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for table in [
        "items",
        "events",
        "users",
        "item_commits",
        "identity_links",
        "org_members",
        "sync_state",
    ] {
        let mut st = c.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                let cols: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}|{}", cols.join("|")))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // When the last reconciliation ran is wall-clock time, different in every run.
        rows.retain(|r| !r.contains(&format!("{:?}", b"github.reconciled_at".as_slice())));
        rows.sort();
        out.extend(rows);
    }
    out
}

async fn clean_dump(model: Model) -> Vec<String> {
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clean.sqlite");
    sync(&fake, &db).await.unwrap();
    dump(&db)
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn full_sync_stores_every_issue_pr_comment_review_and_star_within_the_request_budget() {
    let model = small();
    let (issues, prs, comments, reviews, stars) = model.totals();
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();

    assert_eq!(
        count(&db, "SELECT count(*) FROM items WHERE kind='issue'"),
        issues as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM items WHERE kind='pr'"),
        prs as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='comment'"),
        comments as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='review'"),
        reviews as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='star'"),
        stars as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE id LIKE 'star:%'"),
        stars as i64
    );
    assert_eq!(s.requests() as usize, fake.requests());
    // Issue 3: requests ≤ 1.1 × (1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ + overflow pages).
    assert_eq!(s.pr_page_size, 100, "no page failed");
    let forks = fake.state().model.forks.len();
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='fork'"),
        forks as i64
    );
    // Requests ≤ 1.1 × (1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ + ⌈F/100⌉ + overflow pages)
    // (docs/github-sync.md).
    let min = 1
        + issues.div_ceil(100)
        + prs.div_ceil(100)
        + stars.div_ceil(100)
        + forks.div_ceil(100)
        + s.overflow_pages as usize;
    assert_eq!(s.minimum_requests() as usize, min);
    assert!(
        (s.requests() as f64) <= 1.1 * min as f64,
        "{} requests for a minimum of {min}",
        s.requests()
    );
    assert!(
        s.graphql_cost > 0 && s.graphql_cost < 100,
        "cost {}",
        s.graphql_cost
    );
    // Recorded for the analysis loader and the TUI.
    assert!(
        count(
            &db,
            "SELECT count(*) FROM sync_state WHERE key LIKE 'github.%'"
        ) > 0
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let (name, api): (String, String) = c
        .query_row("SELECT full_name, api_url FROM repository", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((name.as_str(), api), (REPO, fake.api_url()));
}

#[tokio::test]
async fn nested_overflow_is_followed_up_only_for_the_overflowing_items() {
    let model = small();
    let overflowing: Vec<(String, bool)> = model
        .items
        .iter()
        .filter(|i| i.comments.len() > 100 || i.reviews.len() > 100 || i.commits.len() > 100)
        .map(|i| (i.node_id(), i.is_pr))
        .collect();
    assert!(!overflowing.is_empty());
    let fake = FakeGitHub::start(model.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();
    // Issues overflow their comments; PRs their comments, reviews, commits, timeline and
    // the inline comments of one review.
    let expected: u64 = overflowing
        .iter()
        .map(|(_, pr)| if *pr { 5 } else { 1 })
        .sum();
    assert_eq!(s.overflow_pages, expected);
    let more: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.op.as_deref().is_some_and(|o| o.starts_with("More")))
        .collect();
    assert_eq!(more.len() as u64, expected);
    for it in model.items.iter().filter(|i| i.comments.len() > 100) {
        let n = count(
            &db,
            &format!(
                "SELECT count(*) FROM events WHERE kind='comment' AND item={}",
                it.number
            ),
        );
        assert_eq!(n as usize, it.comments.len(), "comments of #{}", it.number);
        if it.is_pr {
            let r = count(
                &db,
                &format!(
                    "SELECT count(*) FROM events WHERE kind='review' AND item={}",
                    it.number
                ),
            );
            assert_eq!(r as usize, it.reviews.len());
            let c = count(
                &db,
                &format!(
                    "SELECT count(*) FROM item_commits WHERE number={}",
                    it.number
                ),
            );
            assert_eq!(c as usize, it.commits.len());
            let l = count(
                &db,
                &format!(
                    "SELECT count(*) FROM events WHERE kind='labeled' AND item={}",
                    it.number
                ),
            );
            assert_eq!(l, 101);
        }
    }
}

#[tokio::test]
async fn unchanged_resync_costs_at_most_five_requests() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let before = dump(&db);
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert!(
        s.requests() <= 5,
        "{} requests: {:?}",
        s.requests(),
        fake.log()
    );
    assert_eq!(fake.requests() as u64, s.requests());
    assert_eq!(dump(&db), before);
}

#[tokio::test]
async fn incremental_sync_fetches_only_changes_and_equals_a_clean_sync() {
    let model = small();
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    // New activity: a comment on an old issue and on an old PR, a new star.
    let later = T0 + 10_000_000;
    let mutated = {
        let mut st = fake.state();
        let m = &mut st.model;
        let old_issue = m
            .items
            .iter()
            .find(|i| !i.is_pr && i.number > 20)
            .unwrap()
            .number;
        let old_pr = m
            .items
            .iter()
            .find(|i| i.is_pr && i.number > 20)
            .unwrap()
            .number;
        m.comment(old_issue, later, user(299));
        m.comment(old_pr, later + 1, user(298));
        m.stars.push(support::fake_github::FStar {
            user: user(297),
            at: later + 2,
        });
        m.clone()
    };
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert!(s.requests() <= 5, "{} requests", s.requests());
    assert_eq!(s.issues, 1, "only the changed issue is re-fetched");
    assert_eq!(s.stars, 1);
    let (got, want) = (dump(&db), clean_dump(mutated).await);
    let only_got: Vec<_> = got.iter().filter(|r| !want.contains(r)).collect();
    let only_want: Vec<_> = want.iter().filter(|r| !got.contains(r)).collect();
    assert!(
        only_got.is_empty() && only_want.is_empty(),
        "incremental only: {only_got:?}\nclean only: {only_want:?}"
    );
}

#[tokio::test]
async fn since_limits_the_first_sync() {
    let model = small();
    let cut = model.items[200].updated;
    let fake = FakeGitHub::start(model.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let mut o = opts(fake.api_url());
    o.since = Some(cut);
    let s = sync_with(&fake, &db, &o).await.unwrap();
    let want = model.items.iter().filter(|i| i.updated >= cut).count();
    assert_eq!((s.issues + s.pull_requests) as usize, want);
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM items WHERE updated_at < {cut}")
        ),
        0
    );
}

#[tokio::test]
async fn crash_after_n_requests_then_resume_equals_a_clean_run() {
    let model = small();
    let clean = clean_dump(model.clone()).await;
    let fake = FakeGitHub::start(model).await;
    let total = fake_requests_of_clean_run(&fake).await;
    for n in 1..total {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.sqlite");
        let mut o = opts(fake.api_url());
        o.policy.max_retries = 0;
        fake.reset_log();
        fake.state().kill_after = Some(n);
        assert!(sync_with(&fake, &db, &o).await.is_err(), "crash after {n}");
        fake.state().kill_after = None;
        fake.reset_log();
        let s = sync(&fake, &db).await.unwrap();
        assert_eq!(dump(&db), clean, "crash after request {n} then resume");
        assert!(
            s.requests() as usize <= total,
            "resume after {n} restarted from scratch"
        );
    }
}

async fn fake_requests_of_clean_run(fake: &FakeGitHub) -> usize {
    let dir = tempfile::tempdir().unwrap();
    fake.reset_log();
    sync(fake, &dir.path().join("x.sqlite")).await.unwrap();
    fake.requests()
}

async fn clean_with_faults(faults: Vec<Fault>) -> (SyncStats, Vec<String>) {
    let fake = FakeGitHub::start(small()).await;
    fake.state().graphql_faults.extend(faults);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();
    (s, dump(&db))
}

#[tokio::test]
async fn graphql_rate_limited_error_waits_until_the_reset_then_continues() {
    let clean = clean_dump(small()).await;
    let (s, d) = clean_with_faults(vec![Fault::GraphqlRateLimited { reset_in: 120 }]).await;
    assert_eq!(d, clean);
    assert_eq!(s.waits.len(), 1);
    assert!((110..=125).contains(&s.waits[0].as_secs()), "{:?}", s.waits);
}

/// The TUI's refresh shows the sync in its status bar: a sink receives the per-collection
/// counts with the rate limit left, and a countdown while a rate limit is waited out.
#[tokio::test]
async fn a_progress_sink_gets_counts_rate_limit_and_the_countdown() {
    let fake = FakeGitHub::start(small()).await;
    fake.state()
        .graphql_faults
        .push_back(Fault::GraphqlRateLimited { reset_in: 120 });
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = lines.clone();
    let mut o = opts(fake.api_url());
    o.progress = ProgressMode::Silent;
    o.policy.max_wait = Some(Duration::from_millis(1200));
    o.sink = Some(github::ProgressSink(std::sync::Arc::new(
        move |l: String| seen.lock().unwrap().push(l),
    )));
    let dir = tempfile::tempdir().unwrap();
    sync_with(&fake, &dir.path().join("a.sqlite"), &o)
        .await
        .unwrap();
    let lines = lines.lock().unwrap().join("\n");
    assert!(lines.contains("GitHub issues: "), "{lines}");
    assert!(lines.contains("rate limit"), "{lines}");
    assert!(
        lines.contains("waiting 120 s") || lines.contains("waiting 119 s"),
        "{lines}"
    );
}

#[tokio::test]
async fn primary_rate_limit_403_or_429_with_remaining_zero_waits_until_the_reset() {
    let clean = clean_dump(small()).await;
    for status in [403, 429] {
        let (s, d) = clean_with_faults(vec![Fault::Primary {
            status,
            reset_in: 300,
        }])
        .await;
        assert_eq!(d, clean);
        assert!((290..=305).contains(&s.waits[0].as_secs()), "{:?}", s.waits);
    }
    // The REST repository check too.
    let fake = FakeGitHub::start(small()).await;
    fake.state().rest_faults.push_back(Fault::Primary {
        status: 403,
        reset_in: 60,
    });
    let dir = tempfile::tempdir().unwrap();
    let s = sync(&fake, &dir.path().join("a.sqlite")).await.unwrap();
    assert!((50..=65).contains(&s.waits[0].as_secs()), "{:?}", s.waits);
}

#[tokio::test]
async fn secondary_rate_limit_waits_retry_after_then_backs_off_exponentially() {
    let clean = clean_dump(small()).await;
    let (s, d) = clean_with_faults(vec![
        Fault::Secondary { retry_after: 7 },
        Fault::Secondary { retry_after: 7 },
        Fault::Secondary { retry_after: 7 },
    ])
    .await;
    assert_eq!(d, clean);
    let secs: Vec<u64> = s.waits.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, vec![7, 14, 28]);
    // Without Retry-After: a minute, doubled.
    let (s, d) = clean_with_faults(vec![Fault::SecondaryNoHeader, Fault::SecondaryNoHeader]).await;
    assert_eq!(d, clean);
    let secs: Vec<u64> = s.waits.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, vec![60, 120]);
}

#[tokio::test]
async fn server_errors_and_truncated_json_are_retried_with_backoff() {
    let clean = clean_dump(small()).await;
    let (s, d) = clean_with_faults(vec![
        Fault::Status(502),
        Fault::Status(500),
        Fault::Truncated,
    ])
    .await;
    assert_eq!(d, clean);
    assert_eq!(s.retries, 3);
    let secs: Vec<u64> = s.waits.iter().map(Duration::as_secs).collect();
    assert_eq!(secs, vec![1, 2, 4], "exponential backoff");
}

#[tokio::test]
async fn retries_are_bounded_and_the_failure_is_reported() {
    let fake = FakeGitHub::start(small()).await;
    fake.state()
        .graphql_faults
        .extend(std::iter::repeat_n(Fault::Status(503), 10));
    let dir = tempfile::tempdir().unwrap();
    let err = sync(&fake, &dir.path().join("a.sqlite")).await.unwrap_err();
    assert!(matches!(err, Error::GitHub(_)), "{err}");
    assert!(
        err.to_string().contains("503") && err.to_string().contains("resumes"),
        "{err}"
    );
    assert_eq!(
        fake.requests(),
        1 + 6,
        "one REST check, then 1 try + 5 retries"
    );
}

#[tokio::test]
async fn partial_graphql_errors_keep_the_valid_data_and_are_reported() {
    // Once: retried and the retry is complete.
    let clean = clean_dump(small()).await;
    let (s, d) = clean_with_faults(vec![Fault::Partial]).await;
    assert_eq!(d, clean);
    assert_eq!(s.partial_errors, 0);
    // Twice: the valid part of the page is kept, the error counted.
    let (s, d) = clean_with_faults(vec![Fault::Partial, Fault::Partial]).await;
    assert_eq!(s.partial_errors, 1);
    let missing = clean.len() - d.len();
    assert!(
        missing > 0 && missing < 30,
        "only the nulled item is missing ({missing} rows)"
    );
}

#[tokio::test]
async fn enterprise_api_url_sends_rest_to_api_v3_and_graphql_to_api_graphql() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync_with(&fake, &db, &opts(fake.ghe_api_url()))
        .await
        .unwrap();
    let log = fake.log();
    assert_eq!(log[0].path, "/api/v3/repos/acme/rocket");
    assert!(
        log[1..]
            .iter()
            .all(|l| l.path == "/api/graphql" || l.path == "/api/v3/orgs/acme/members"),
        "{log:?}"
    );
    assert!(s.issues > 0);
    // github.com style: GraphQL at /graphql.
    fake.reset_log();
    let dir2 = tempfile::tempdir().unwrap();
    sync(&fake, &dir2.path().join("b.sqlite")).await.unwrap();
    let log = fake.log();
    assert_eq!(log[0].path, "/repos/acme/rocket");
    assert!(
        log[1..]
            .iter()
            .all(|l| l.path == "/graphql" || l.path == "/orgs/acme/members")
    );
}

#[tokio::test]
async fn bad_token_401_is_reported_and_leaves_the_database_untouched() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    fake.state().model.comment(4, T0 + 50_000_000, user(1));
    let before = dump(&db);
    fake.state().token = "another-token".into();
    let err = sync(&fake, &db).await.unwrap_err();
    assert!(matches!(err, Error::BadToken));
    assert!(err.to_string().contains("GitHub rejected the token"));
    assert_eq!(dump(&db), before);
}

#[tokio::test]
async fn repository_not_found_404_is_reported_and_leaves_the_database_untouched() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let before = dump(&db);
    fake.state().model.name = "renamed".into();
    let err = sync(&fake, &db).await.unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err}");
    assert!(
        err.to_string()
            .contains("not found, or the token cannot see it")
    );
    assert_eq!(dump(&db), before);
    // GraphQL's NOT_FOUND form (REST saw it, GraphQL does not) is the same error.
    fake.state().model.name = "rocket".into();
    fake.state().graphql_faults.push_back(Fault::NotFound);
    let err = sync(&fake, &db).await.unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err}");
    assert_eq!(dump(&db), before);
}

#[tokio::test]
async fn deleted_user_is_ghost_bot_and_mannequin_keep_their_account_type() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let store = Store::open(&db).unwrap();
    let ds = store.dataset().unwrap();
    let item = |n: u64| ds.items.iter().find(|i| i.number == n).unwrap().clone();
    assert_eq!(item(3).author.as_deref(), Some("ghost"));
    assert_eq!(item(5).author.as_deref(), Some("dependabot[bot]"));
    assert_eq!(item(7).author.as_deref(), Some("svn-import-42"));
    let kind = |l: &str| ds.users.iter().find(|u| u.login == l).map(|u| u.kind);
    assert_eq!(kind("dependabot[bot]"), Some(UserKind::Bot));
    assert_eq!(kind("svn-import-42"), Some(UserKind::Mannequin));
    assert_eq!(kind("ghost"), Some(UserKind::User));
    assert!(kind("user5").is_some());
    let acme = ds.users.iter().find(|u| u.login == "user5").unwrap();
    assert_eq!(acme.company.as_deref(), Some("Acme Corp"));
    assert_eq!(acme.name.as_deref(), Some("Name of user5"));
    // Comments by deleted users are kept, attributed to ghost.
    assert!(
        ds.events
            .iter()
            .any(|e| e.kind == EventKind::Comment && e.actor.as_deref() == Some("ghost"))
    );
    // Association per event.
    assert!(
        ds.events
            .iter()
            .filter(|e| e.kind == EventKind::Comment)
            .all(|e| e.association.is_some())
    );
}

#[tokio::test]
async fn pr_commits_link_author_emails_to_logins_and_fill_item_commits() {
    let model = small();
    let pr = model
        .items
        .iter()
        .find(|i| i.is_pr && i.number > 10)
        .unwrap()
        .clone();
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    let login = pr.author.unwrap().login;
    let reason: String = c
        .query_row(
            "SELECT reason FROM identity_links WHERE email = ?1 AND login = ?2",
            [format!("{login}@example.com"), login.clone()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        reason.starts_with("authored the commits of PR #"),
        "{reason}"
    );
    let n = count(
        &db,
        &format!(
            "SELECT count(*) FROM item_commits WHERE number = {}",
            pr.number
        ),
    );
    assert_eq!(n as usize, pr.commits.len());
}

// ---- Through the `contrail` binary -------------------------------------------------------

/// The `contrail` binary with the user's config, data dirs and proxy settings kept out.
fn contrail_bin(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("contrail"));
    for v in github::net::PROXY_VARS {
        cmd.env_remove(v);
    }
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"));
    cmd
}

fn contrail(dir: &Path, api_url: &str, db: &Path) -> std::process::Command {
    let mut cmd = contrail_bin(dir);
    cmd.args(["sync", REPO, "--api-url", api_url, "--no-progress", "--db"])
        .arg(db)
        .current_dir(dir)
        .env_remove("GH_TOKEN")
        .env("GITHUB_TOKEN", TOKEN)
        .env(github::MAX_WAIT_ENV, "0")
        .env("CONTRAIL_LOG", "trace")
        // Keep the user's config and data dirs out of the test.
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"));
    cmd
}

/// Every file in `dir` (the database, its WAL and SHM) searched for `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_file() {
            let bytes = std::fs::read(e.path()).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                hits.push(e.path().display().to_string());
            }
        }
    }
    hits
}

#[tokio::test(flavor = "multi_thread")]
async fn token_never_reaches_the_database_logs_or_error_messages() {
    let fake = FakeGitHub::start(small()).await;
    fake.state().graphql_faults.extend([
        Fault::Status(502),
        Fault::Truncated,
        Fault::GraphqlRateLimited { reset_in: 5 },
        Fault::Secondary { retry_after: 1 },
        Fault::Partial,
        Fault::Partial,
    ]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let (d, url, dbc) = (dir.path().to_path_buf(), fake.api_url(), db.clone());
    let out = tokio::task::spawn_blocking(move || contrail(&d, &url, &dbc).output().unwrap())
        .await
        .unwrap();
    let logs =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{logs}");
    if std::env::var("SHOW_LOGS").is_ok() {
        eprintln!("{logs}");
    }
    assert!(
        logs.contains("github: issues"),
        "plain progress lines: {logs}"
    );
    assert!(logs.contains("rate limit"), "{logs}");
    assert!(!logs.contains(TOKEN), "token in the logs");
    assert!(files_containing(dir.path(), TOKEN.as_bytes()).is_empty());

    // A rejected token: clear message, still no token anywhere.
    fake.state().token = "the-right-one".into();
    let (d, url, dbc) = (dir.path().to_path_buf(), fake.api_url(), db.clone());
    let out = tokio::task::spawn_blocking(move || contrail(&d, &url, &dbc).output().unwrap())
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains("GitHub rejected the token"), "{err}");
    assert!(!err.contains(TOKEN));
    assert!(files_containing(dir.path(), TOKEN.as_bytes()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_anywhere_is_one_clear_sentence() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let empty_path = dir.path().join("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let db = dir.path().join("a.sqlite");
    let out = contrail(dir.path(), &fake.api_url(), &db)
        .env_remove("GITHUB_TOKEN")
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("no GitHub token found") && err.contains("GITHUB_TOKEN"),
        "{err}"
    );
    assert_eq!(fake.requests(), 0);
    assert!(!db.exists(), "no database is created without a token");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_sync_then_resume_equals_a_clean_run() {
    let model = small();
    let clean = clean_dump(model.clone()).await;
    let fake = FakeGitHub::start(model).await;
    fake.state().delay = Some(Duration::from_millis(40));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    for kill_at in [3, 7, 11] {
        fake.reset_log();
        let mut child = contrail(dir.path(), &fake.api_url(), &db)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        while fake.requests() < kill_at {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    fake.state().delay = None;
    let out = contrail(dir.path(), &fake.api_url(), &db).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(dump(&db), clean);
}

#[tokio::test]
async fn since_is_remembered_when_nothing_is_newer() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let mut o = opts(fake.api_url());
    o.since = Some(T0 + 900_000_000);
    let s = sync_with(&fake, &db, &o).await.unwrap();
    assert_eq!(s.issues + s.pull_requests + s.stars, 0);
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(
        s.issues + s.pull_requests + s.stars,
        0,
        "a later sync keeps the since"
    );
    assert!(s.requests() <= 5);
}

#[tokio::test]
async fn an_exhausted_graphql_budget_waits_for_the_reset_before_the_next_query() {
    let fake = FakeGitHub::start(small()).await;
    fake.state().remaining = 12;
    let dir = tempfile::tempdir().unwrap();
    let s = sync(&fake, &dir.path().join("a.sqlite")).await.unwrap();
    assert!(
        s.waits.iter().any(|w| w.as_secs() > 3000),
        "waited for the hourly reset: {:?}",
        s.waits
    );
}

#[tokio::test]
async fn pull_request_pages_that_keep_failing_are_halved() {
    let clean = clean_dump(small()).await;
    let fake = FakeGitHub::start(small()).await;
    {
        let mut st = fake.state();
        st.fault_op = Some("PullRequests".into());
        st.graphql_faults
            .extend([Fault::Status(502), Fault::Status(502)]);
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let mut o = opts(fake.api_url());
    o.policy.max_retries = 1;
    let s = sync_with(&fake, &db, &o).await.unwrap();
    assert_eq!(s.pr_page_size, 25);
    assert_eq!(dump(&db), clean);
    let pages: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.op.as_deref() == Some("PullRequests"))
        .collect();
    assert_eq!(pages.len(), 2 + 140usize.div_ceil(25));
}

#[tokio::test]
async fn visible_org_members_are_stored_and_cost_one_free_request_when_unchanged() {
    let model = small();
    let members = model.members.clone();
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(s.member_pages, 2, "120 members: two pages");
    assert_eq!(
        count(&db, "SELECT count(*) FROM org_members WHERE org = 'acme'"),
        members.len() as i64
    );
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(s.member_pages, 1, "the first page answers 304");
    assert_eq!(
        count(&db, "SELECT count(*) FROM org_members"),
        members.len() as i64
    );
    // GHE paths too.
    let dir2 = tempfile::tempdir().unwrap();
    let db2 = dir2.path().join("b.sqlite");
    fake.reset_log();
    sync_with(&fake, &db2, &opts(fake.ghe_api_url()))
        .await
        .unwrap();
    assert!(
        fake.log()
            .iter()
            .any(|l| l.path == "/api/v3/orgs/acme/members")
    );
    assert_eq!(
        count(&db2, "SELECT count(*) FROM org_members"),
        members.len() as i64
    );
}

#[tokio::test]
async fn timeouts_are_retried() {
    let clean = clean_dump(small()).await;
    let fake = FakeGitHub::start(small()).await;
    fake.state()
        .graphql_faults
        .push_back(Fault::Slow(Duration::from_secs(20)));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let mut o = opts(fake.api_url());
    // Generous for a loaded machine; the slow response takes far longer.
    o.policy.timeout = Duration::from_secs(4);
    let s = sync_with(&fake, &db, &o).await.unwrap();
    assert!(s.retries >= 1);
    assert_eq!(dump(&db), clean);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn token_from_gh_auth_token_when_no_environment_variable_is_set() {
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        format!("#!/bin/sh\n[ \"$1 $2\" = \"auth token\" ] && echo {TOKEN}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = dir.path().join("a.sqlite");
    let (d, url, dbc) = (dir.path().to_path_buf(), fake.api_url(), db.clone());
    let out = tokio::task::spawn_blocking(move || {
        contrail(&d, &url, &dbc)
            .env_remove("GITHUB_TOKEN")
            .env("PATH", &bin)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(count(&db, "SELECT count(*) FROM items") > 0);
    assert!(
        files_containing(dir.path(), TOKEN.as_bytes())
            .iter()
            .all(|f| f.ends_with("/gh"))
    );
}

#[tokio::test]
async fn saml_forbidden_is_reported_with_the_fix_and_not_retried() {
    let fake = FakeGitHub::start(small()).await;
    fake.state().graphql_faults.push_back(Fault::SamlForbidden);
    let dir = tempfile::tempdir().unwrap();
    let err = sync(&fake, &dir.path().join("a.sqlite")).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("SAML single sign-on") && msg.contains("403"),
        "{msg}"
    );
    assert_eq!(
        fake.requests(),
        2,
        "REST check + one GraphQL request, no retries"
    );
}

#[tokio::test]
async fn rate_limit_waits_are_bounded_for_a_server_that_never_recovers() {
    let fake = FakeGitHub::start(small()).await;
    fake.state().graphql_faults.extend(std::iter::repeat_n(
        Fault::GraphqlRateLimited { reset_in: 1 },
        20,
    ));
    let dir = tempfile::tempdir().unwrap();
    let err = sync(&fake, &dir.path().join("a.sqlite")).await.unwrap_err();
    assert!(err.to_string().contains("still rate limited"), "{err}");
    assert_eq!(fake.requests(), 1 + 11);
}

#[tokio::test]
async fn data_lost_to_partial_errors_is_fetched_by_the_next_sync() {
    let clean = clean_dump(small()).await;
    // A PR page first halves twice (100 → 50 → 25), then retries once and accepts.
    for (op, faults) in [("Issues", 2), ("PullRequests", 4)] {
        let fake = FakeGitHub::start(small()).await;
        {
            let mut st = fake.state();
            st.fault_op = Some(op.into());
            st.graphql_faults
                .extend(std::iter::repeat_n(Fault::Partial, faults));
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.sqlite");
        let s = sync(&fake, &db).await.unwrap();
        assert_eq!(s.partial_errors, 1, "{op}");
        assert_ne!(dump(&db), clean);
        let s = sync(&fake, &db).await.unwrap();
        assert_eq!(dump(&db), clean, "{op}: the next sync fills the gap");
        assert!(
            s.requests() < 30,
            "{op}: unchanged items are skipped ({} requests)",
            s.requests()
        );
        let s = sync(&fake, &db).await.unwrap();
        assert!(s.requests() <= 5, "{op}: back to incremental");
    }
}

// ---- Forks, review comments, association evidence, reconciliation (docs/github-sync.md) ----

#[tokio::test]
async fn forks_are_read_newest_first_down_to_their_watermark_with_the_stars() {
    let model = small();
    let fake = FakeGitHub::start(model.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(s.forks as usize, model.forks.len());
    // Organisation-owned forks keep their account type; every fork is dated by its creation.
    let org = model
        .forks
        .iter()
        .find(|f| f.owner.typename == "Organization")
        .unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    let (at, target): (i64, String) = c
        .query_row(
            "SELECT at, target FROM events WHERE id = ?1",
            [format!("fork:{}", org.owner.login)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(at, org.at);
    assert_eq!(target, format!("{}/rocket", org.owner.login));
    let kind: String = c
        .query_row(
            "SELECT kind FROM users WHERE login = ?1",
            [&org.owner.login],
            |r| r.get(0),
        )
        .unwrap();
    assert!(kind.eq_ignore_ascii_case("organization"), "{kind}");
    // Stars and forks share one request per page.
    let observers = fake
        .log()
        .iter()
        .filter(|l| l.op.as_deref() == Some("Observers"))
        .count();
    assert_eq!(observers, model.stars.len().div_ceil(100));

    // A new fork: one Observers request brings it, and nothing else.
    fake.state().model.forks.push(support::fake_github::FFork {
        owner: user(123),
        at: T0 + 90_000_000,
    });
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!((s.forks, s.stars), (1, 0));
    assert!(s.requests() <= 5, "{:?}", fake.log());
}

#[tokio::test]
async fn inline_review_comments_are_stored_with_their_reviews_and_overflow_only_when_needed() {
    let model = small();
    let expected = model.review_comments();
    let overflowing_reviews = model
        .items
        .iter()
        .flat_map(|i| &i.reviews)
        .filter(|r| r.comments.len() > 100)
        .count();
    assert!(expected > 100 && overflowing_reviews > 0);
    let fake = FakeGitHub::start(model.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE kind='review_comment'"
        ),
        expected as i64
    );
    assert_eq!(s.review_comments as usize, expected);
    let more = fake
        .log()
        .iter()
        .filter(|l| l.op.as_deref() == Some("MoreReviewComments"))
        .count();
    assert_eq!(more, overflowing_reviews, "one page per overflowing review");
    // The author and association come with each comment.
    let r = model
        .items
        .iter()
        .flat_map(|i| &i.reviews)
        .find(|r| !r.comments.is_empty())
        .unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    let (actor, at, assoc): (String, i64, String) = c
        .query_row(
            "SELECT actor, at, association FROM events WHERE id = ?1",
            [&r.comments[0].id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(actor, r.author.as_ref().unwrap().login);
    assert_eq!((at, assoc.as_str()), (r.comments[0].at, r.assoc));
}

#[tokio::test]
async fn removed_stars_and_forks_are_noticed_by_their_counts_and_the_cost_is_reported() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let (gone_star, gone_fork) = {
        let mut st = fake.state();
        let star = st.model.stars.remove(3).user.login;
        let fork = st.model.forks.remove(5).owner.login;
        (star, fork)
    };
    fake.reset_log();
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!((s.removed_stars, s.removed_forks), (1, 1));
    assert!(s.reconcile_requests >= 2, "{s:?}");
    assert!(s.to_string().contains("reconciliation"), "{s}");
    let c = |id: String| count(&db, &format!("SELECT count(*) FROM events WHERE id='{id}'"));
    assert_eq!(c(format!("star:{gone_star}")), 0);
    assert_eq!(c(format!("fork:{gone_fork}")), 0);
    let model = fake.state().model.clone();
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='star'") as usize,
        model.stars.len()
    );
    // The counts agree again: the next sync lists nothing again.
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(s.reconcile_requests, 0);
    assert!(s.requests() <= 5);
}

#[tokio::test]
async fn a_deleted_comment_on_a_quiet_item_is_removed_by_the_periodic_reconciliation() {
    let fake = FakeGitHub::start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let (number, id) = {
        let mut st = fake.state();
        let it = st
            .model
            .items
            .iter()
            .find(|i| i.comments.len() >= 2)
            .unwrap();
        let n = it.number;
        (n, st.model.delete_comment(n, 1))
    };
    let stored = |id: &str| count(&db, &format!("SELECT count(*) FROM events WHERE id='{id}'"));
    // Not due yet (the first sync counted as one): the cheap re-sync does not see it.
    let s = sync(&fake, &db).await.unwrap();
    assert_eq!(s.reconcile_requests, 0);
    assert_eq!(stored(&id), 1);
    // Due (or `--reconcile`): counts are compared and only the item that disagrees is
    // fetched again.
    let mut o = opts(fake.api_url());
    o.reconcile = github::Reconcile::Now;
    fake.reset_log();
    let s = sync_with(&fake, &db, &o).await.unwrap();
    assert_eq!(stored(&id), 0, "comment of #{number} removed");
    assert_eq!(s.removed_comments, 1);
    assert_eq!(s.refetched_items, 1);
    let model = fake.state().model.clone();
    let (issues, prs, ..) = model.totals();
    assert_eq!(
        s.reconcile_requests as usize,
        issues.div_ceil(100) + prs.div_ceil(100) + 1,
        "{:?}",
        fake.log()
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind='comment'") as usize,
        model.totals().2
    );
}

fn compare_with_truth(db: &Path, truth: &support::fake_github::Truth) -> (f64, Vec<String>) {
    let ds = Store::open(db).unwrap().dataset().unwrap();
    let report = contrail::analysis::analyze(&ds, &contrail::config::Settings::default(), None);
    let (exact, total, misses) = support::fake_github::score(&report, truth);
    (exact as f64 / total as f64, misses)
}

#[tokio::test]
async fn rung_dates_after_a_full_sync_match_the_ground_truth() {
    let model = small();
    let truth = model.truth();
    assert!(truth.values().any(|r| r.contains_key("maintainer")));
    let fake = FakeGitHub::start(model).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    sync(&fake, &db).await.unwrap();
    let (share, misses) = compare_with_truth(&db, &truth);
    assert!(share >= 0.99, "{:.4} exact; misses: {misses:#?}", share);
}

#[tokio::test]
async fn every_graphql_document_validates_against_githubs_schema() {
    // The shared validator beside the schema (see docs/github-sync.md); skipped with a note
    // where the schema is not checked out next to the repository.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validator = root.join("../shared/github/validate-graphql");
    if !validator.exists() {
        eprintln!("note: {} not found; not validated", validator.display());
        return;
    }
    let out = std::process::Command::new(&validator)
        .arg(root.join("src/github/queries/sync.graphql"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Every operation the sync sends is one the fake answers (and so one this test covers).
    let doc = github::transport::DOCUMENT;
    for op in [
        "Issues",
        "PullRequests",
        "Observers",
        "CountIssues",
        "CountPullRequests",
        "RefetchIssues",
        "RefetchPullRequests",
        "MoreComments",
        "MoreReviews",
        "MoreReviewComments",
        "MoreCommits",
        "MoreTimeline",
    ] {
        assert!(doc.contains(&format!("query {op}(")), "{op}");
    }
}

// ---- Proxies, offline imports, naming from `origin` -----------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_through_http_proxy_goes_through_the_proxy_and_no_proxy_bypasses_it() {
    let fake = FakeGitHub::start(small()).await;
    let proxy = support::proxy::Proxy::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let (d, url, dbc, purl) = (
        dir.path().to_path_buf(),
        fake.api_url(),
        db.clone(),
        proxy.url.clone(),
    );
    let out = tokio::task::spawn_blocking(move || {
        contrail(&d, &url, &dbc)
            .env("http_proxy", &purl)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = proxy.seen();
    assert_eq!(
        seen.len(),
        fake.requests(),
        "every request went through the proxy"
    );
    let graphql = format!("POST {}/graphql", fake.api_url());
    assert!(seen.iter().any(|l| *l == graphql), "{seen:?}");
    assert!(count(&db, "SELECT count(*) FROM items") > 0);

    // NO_PROXY names the host: straight to it.
    let before = proxy.seen().len();
    let (d, url, purl) = (dir.path().to_path_buf(), fake.api_url(), proxy.url.clone());
    let db2 = dir.path().join("b.sqlite");
    let out = tokio::task::spawn_blocking(move || {
        contrail(&d, &url, &db2)
            .env("HTTP_PROXY", &purl)
            .env("NO_PROXY", "localhost,127.0.0.1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success());
    assert_eq!(proxy.seen().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_https_api_url_is_tunnelled_with_connect_through_https_proxy() {
    // The fake speaks plain HTTP, so TLS inside the tunnel fails: what matters is that the
    // client asked the proxy for a tunnel, and failed with one sentence, leaving no file.
    let fake = FakeGitHub::start(small()).await;
    let proxy = support::proxy::Proxy::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite");
    let https = fake.api_url().replace("http://", "https://");
    let host = https.trim_start_matches("https://").to_string();
    let (d, dbc, purl) = (dir.path().to_path_buf(), db.clone(), proxy.url.clone());
    let out = tokio::task::spawn_blocking(move || {
        contrail(&d, &https, &dbc)
            .env_remove("CONTRAIL_LOG")
            .env("HTTPS_PROXY", &purl)
            .env(github::MAX_WAIT_ENV, "0")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    assert!(
        proxy.seen().contains(&format!("CONNECT {host}")),
        "{:?}",
        proxy.seen()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.trim().lines().last().unwrap_or("");
    assert!(last.contains("connection failed"), "{err}");
}

#[test]
fn ssl_cert_file_without_certificates_is_one_clear_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bundle.pem");
    std::fs::write(&bad, "not a certificate\n").unwrap();
    let db = dir.path().join("a.sqlite");
    let out = contrail(dir.path(), "http://127.0.0.1:9", &db)
        .env("SSL_CERT_FILE", &bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("SSL_CERT_FILE") && err.contains("PEM"),
        "{err}"
    );
    assert!(!db.exists());
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A clone with two commits whose `origin` is `url`.
fn clone_with_origin(dir: &Path, url: &str) -> std::path::PathBuf {
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    for i in 0..2 {
        std::fs::write(work.join("f"), format!("{i}")).unwrap();
        git(&work, &["add", "f"]);
        git(&work, &["commit", "-q", "-m", &format!("change {i}")]);
    }
    git(&work, &["remote", "add", "origin", url]);
    work
}

fn repository_name(db: &Path) -> Option<String> {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT full_name FROM repository", [], |r| r.get(0))
        .ok()
        .flatten()
}

#[test]
fn offline_import_names_the_data_and_needs_no_token_and_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let work = clone_with_origin(dir.path(), "/srv/elsewhere.git");
    let empty_path = dir.path().join("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let db = dir.path().join("a.sqlite");
    let out = contrail_bin(dir.path())
        .args([
            "sync",
            "abseil/abseil-cpp",
            "--offline",
            "--no-progress",
            "--git",
        ])
        .arg(&work)
        .arg("--db")
        .arg(&db)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env("PATH", &empty_path)
        // Any attempt to reach the network would go to this dead proxy and fail.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("git: 2 new commits"), "{err}");
    assert!(!err.contains("token"), "{err}");
    assert_eq!(repository_name(&db).as_deref(), Some("abseil/abseil-cpp"));
    assert_eq!(count(&db, "SELECT count(*) FROM commits"), 2);

    // --offline needs something to import.
    let out = contrail_bin(dir.path())
        .args(["sync", "abseil/abseil-cpp", "--offline", "--db"])
        .arg(dir.path().join("b.sqlite"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--git PATH"));
}

#[test]
fn without_a_token_a_git_import_still_runs_and_says_how_to_add_github_data() {
    let dir = tempfile::tempdir().unwrap();
    let work = clone_with_origin(dir.path(), "/srv/elsewhere.git");
    let empty_path = dir.path().join("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let db = dir.path().join("a.sqlite");
    let out = contrail_bin(dir.path())
        .args(["sync", "abseil/abseil-cpp", "--no-progress", "--git"])
        .arg(&work)
        .arg("--db")
        .arg(&db)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("no GitHub token found") && err.contains("GITHUB_TOKEN"),
        "{err}"
    );
    assert!(
        err.contains("contrail sync abseil/abseil-cpp --git"),
        "{err}"
    );
    assert_eq!(repository_name(&db).as_deref(), Some("abseil/abseil-cpp"));
}

#[test]
fn sync_git_names_clones_and_bare_mirrors_from_their_github_origin() {
    let dir = tempfile::tempdir().unwrap();
    let work = clone_with_origin(dir.path(), "git@github.com:acme/rocket.git");
    // A bare mirror made by git keeps `origin` in its config.
    git(
        dir.path(),
        &["clone", "-q", "--mirror", "work", "mirror.git"],
    );
    git(
        &dir.path().join("mirror.git"),
        &[
            "remote",
            "set-url",
            "origin",
            "https://github.com/acme/rocket.git",
        ],
    );
    for (path, db) in [
        (work.clone(), "w.sqlite"),
        (dir.path().join("mirror.git"), "m.sqlite"),
    ] {
        let db = dir.path().join(db);
        let out = contrail_bin(dir.path())
            .args(["sync", "--no-progress", "--git"])
            .arg(&path)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            repository_name(&db).as_deref(),
            Some("acme/rocket"),
            "{path:?}"
        );
    }
    assert_eq!(
        contrail::git::github_origin(&dir.path().join("mirror.git")).as_deref(),
        Some("acme/rocket")
    );
    // A bare copy without a config file has no remotes: nothing to name it by.
    let bare = dir.path().join("noconfig.git");
    git(
        dir.path(),
        &["clone", "-q", "--bare", "work", "noconfig.git"],
    );
    std::fs::remove_file(bare.join("config")).unwrap();
    assert!(contrail::git::is_repo(&bare));
    assert_eq!(contrail::git::github_origin(&bare), None);
}
