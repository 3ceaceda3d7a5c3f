//! A hostile or broken GitHub on 127.0.0.1 (docs/safety.md): every network case ends with one
//! clear sentence, a non-zero exit, bounded time and memory, and the database as it was.

mod support;

use serde_json::json;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::fake_github::{FakeGitHub, Fault, Model, Spec, TOKEN};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REPO: &str = "acme/rocket";

fn model() -> Model {
    Model::generate(
        3,
        Spec {
            issues: 5,
            prs: 3,
            comments_per_item: 1,
            reviews_per_pr: 1,
            stars: 2,
            overflow_every: 0,
            forks: 0,
            review_comments_per_review: 0,
        },
    )
}

/// The binary under test (`CONTRAIL_BIN` runs the same tests against another build).
fn exe() -> String {
    std::env::var("CONTRAIL_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_contrail").into())
}

fn contrail(dir: &Path, api_url: &str, db: &Path) -> Command {
    let mut cmd = Command::new(exe());
    cmd.args(["sync", REPO, "--api-url", api_url, "--no-progress", "--db"])
        .arg(db)
        .current_dir(dir)
        .env_remove("GH_TOKEN")
        .env("GITHUB_TOKEN", TOKEN)
        .env(contrail::github::MAX_WAIT_ENV, "0")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"));
    cmd
}

/// Run to completion, or kill after a minute (a hang is a failure, not a stuck test run).
fn run(c: &mut Command) -> (bool, String, Duration) {
    let t = Instant::now();
    let mut child = c
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if t.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = reader.join().unwrap_or_default();
    if status.is_none() {
        err.push_str("\n(killed after 60 s: it hung)");
    }
    (status.is_some_and(|s| s.success()), err, t.elapsed())
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of `dir` with its bytes (the database and any side files).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

// ---- 401/404: nothing written, no file created ---------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_401_or_404_creates_no_file_and_leaves_an_existing_one_byte_identical() {
    let fake = FakeGitHub::start(model()).await;
    let dir = tempfile::tempdir().unwrap();
    for status in [401, 404] {
        let db = dir.path().join(format!("new-{status}.sqlite"));
        fake.state().rest_faults.push_back(Fault::Status(status));
        let (ok, err, _) = run(&mut contrail(dir.path(), &fake.api_url(), &db));
        assert!(!ok);
        assert!(err.contains(&status.to_string()), "{err}");
        assert!(!db.exists(), "{status} created {}", db.display());
    }
    // An existing database, synced from git with one set of settings …
    let data = dir.path().join("data-dir");
    std::fs::create_dir(&data).unwrap();
    let repo = dir.path().join("clone");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "first"]);
    let db = data.join("x.sqlite");
    let status = Command::new(exe())
        .args(["sync", "--git"])
        .arg(&repo)
        .arg("--db")
        .arg(&db)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let before = files(&data);
    // … then a GitHub sync with other settings that GitHub refuses: not a byte changes.
    let cfg = dir.path().join("other.toml");
    std::fs::write(
        &cfg,
        "internal_domains = [\"changed.example\"]\ninactive_days = 7\n",
    )
    .unwrap();
    for status in [401, 404] {
        fake.state().rest_faults.push_back(Fault::Status(status));
        let mut c = contrail(dir.path(), &fake.api_url(), &db);
        c.arg("--config").arg(&cfg);
        let (ok, err, _) = run(&mut c);
        assert!(!ok, "{err}");
        assert_eq!(files(&data), before, "{status} changed the database");
    }
}

// ---- Waits, cursors and bodies are capped ------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_beyond_max_wait_ends_the_sync_with_the_time_to_resume() {
    let fake = FakeGitHub::start(model()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    fake.state().rest_faults.push_back(Fault::Secondary {
        retry_after: 999_999,
    });
    let (ok, err, took) = run(&mut contrail(dir.path(), &fake.api_url(), &db));
    assert!(!ok);
    assert!(err.contains("resume with the same command after"), "{err}");
    assert!(err.contains("github.max_wait"), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_reset_beyond_max_wait_mid_sync_keeps_what_was_fetched() {
    let fake = FakeGitHub::start(model()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[github]\nmax_wait = \"10m\"\n").unwrap();
    {
        let mut st = fake.state();
        st.fault_op = Some("PullRequests".into());
        st.graphql_faults
            .push_back(Fault::GraphqlRateLimited { reset_in: 3 * 3600 });
    }
    let mut c = contrail(dir.path(), &fake.api_url(), &db);
    c.arg("--config").arg(&cfg);
    let (ok, err, took) = run(&mut c);
    assert!(!ok);
    assert!(err.contains("resume with the same command after"), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    // The issues fetched before the limit are kept; the same command finishes the job.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let issues: i64 = conn
        .query_row("SELECT count(*) FROM items WHERE kind = 'issue'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(issues, 5);
    drop(conn);
    let mut c = contrail(dir.path(), &fake.api_url(), &db);
    c.arg("--config").arg(&cfg);
    let (ok, err, _) = run(&mut c);
    assert!(ok, "{err}");
}

async fn repo_endpoint(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "full_name": REPO, "owner": {"type": "Organization", "login": "acme"}
        })))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    repo_endpoint(&server).await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z"},
            "repository": {"issues": {
                "totalCount": 1000,
                "pageInfo": {"hasNextPage": true, "endCursor": "Y3Vyc29yOnYyOpHOAAAAAQ=="},
                "nodes": []
            }}
        }})))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    let (ok, err, took) = run(&mut contrail(dir.path(), &server.uri(), &db));
    assert!(!ok);
    assert!(err.contains("cursor"), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.len() <= 5, "{} requests", requests.len());
}

/// A server whose every response is an endless chunked body.
fn endless_body_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut s = stream;
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                );
                let chunk = vec![b' '; 1 << 16];
                let head = format!("{:x}\r\n", chunk.len());
                loop {
                    if s.write_all(head.as_bytes()).is_err()
                        || s.write_all(&chunk).is_err()
                        || s.write_all(b"\r\n").is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn an_endless_body_is_cut_at_max_body_mb() {
    let url = endless_body_server();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[github]\nmax_body_mb = 2\n").unwrap();
    let mut c = contrail(dir.path(), &url, &db);
    c.arg("--config").arg(&cfg);
    let (ok, err, took) = run(&mut c);
    assert!(!ok);
    assert!(err.contains("github.max_body_mb"), "{err}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(!db.exists());
}

// ---- Server text is sanitised -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn server_error_text_reaches_stderr_escaped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{REPO}")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "message": "denied\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{202e}"
        })))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    let (ok, err, _) = run(&mut contrail(dir.path(), &server.uri(), &db));
    assert!(!ok);
    assert!(err.contains("denied"), "{err}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!err.contains(bad), "{err:?}");
    }
    assert!(err.contains("\\x1b"), "{err}");
}
