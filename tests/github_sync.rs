//! GitHub sync (docs/github-sync.md) against a fake GitHub on 127.0.0.1: pagination, nested
//! overflow, rate limits, retries, crash + resume, incremental sync, GitHub Enterprise paths,
//! 401/404, ghost/bot/mannequin accounts, and the token never leaking.

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
    // docs/github-sync.md#request-efficiency: requests ≤ 1.1 × (1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ +
    // overflow pages).
    assert_eq!(s.pr_page_size, 100, "no page failed");
    let min = 1
        + issues.div_ceil(100)
        + prs.div_ceil(100)
        + stars.div_ceil(100)
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
    // Issues overflow their comments; PRs their comments, reviews, commits and timeline.
    let expected: u64 = overflowing
        .iter()
        .map(|(_, pr)| if *pr { 4 } else { 1 })
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
    assert_eq!(dump(&db), clean_dump(mutated).await);
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

fn contrail(dir: &Path, api_url: &str, db: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("contrail"));
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
