//! Data safety and hostile input (docs/safety.md): nothing a user keeps is lost or leaked,
//! nothing a stranger controls reaches the terminal raw, and bad input gets one sentence.

use contrail::domain::{Commit, Event, EventKind, Item, ItemKind, ItemState, User, UserKind};
use contrail::store::{self, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The binary under test (`CONTRAIL_BIN` runs the same tests against another build, e.g. to
/// show that they fail on an older one).
fn bin() -> Command {
    let exe =
        std::env::var("CONTRAIL_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_contrail").into());
    let mut c = Command::new(exe);
    c.env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env("HOME", std::env::temp_dir().join("contrail-safety-home"))
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("contrail-safety-home/config"),
        )
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("contrail-safety-home/data"),
        );
    c
}

fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
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

/// A real repository with `n` commits whose first subject is `first`.
fn repo(dir: &Path, first: &str, n: usize) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    for i in 0..n {
        std::fs::write(dir.join("f.txt"), format!("{first} {i}")).unwrap();
        git(dir, &["add", "f.txt"]);
        git(dir, &["commit", "-q", "-m", &format!("{first} {i}")]);
    }
    dir.to_path_buf()
}

fn commit(sha: &str, name: &str, email: &str, subject: &str, trailers: &[(&str, &str)]) -> Commit {
    Commit {
        sha: sha.into(),
        author_name: name.into(),
        author_email: email.into(),
        raw_author_email: email.into(),
        author_time: 1_700_000_000,
        committer_name: name.into(),
        committer_email: email.into(),
        committer_time: 1_700_000_000,
        subject: subject.into(),
        message: format!("{subject}\n\nbody mentions mailto:dave@example.org"),
        parent_count: 1,
        trailers: trailers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Commit::default()
    }
}

fn item(number: u64, title: &str, author: &str) -> Item {
    Item {
        number,
        kind: ItemKind::Pr,
        url: format!("https://github.com/acme/widget/pull/{number}"),
        title: title.into(),
        body: "body".into(),
        author: Some(author.into()),
        author_association: None,
        state: ItemState::Open,
        is_draft: false,
        created_at: 1_700_000_000,
        updated_at: 1_700_000_000,
        closed_at: None,
        merged_at: None,
        merged_by: None,
        merge_commit_sha: None,
        additions: None,
        deletions: None,
        changed_files: None,
        labels: Vec::new(),
        head_repo_owner: None,
    }
}

/// A database full of people: in columns, in free text and in the recorded settings.
fn people_db(path: &Path) {
    let mut s = Store::open(path).unwrap();
    s.write(|c| {
        store::upsert_commits(
            c,
            &[
                commit(
                    "a1",
                    "Alice Liddell",
                    "alice@corp.example",
                    "Fix crash reported by xavier@yonder",
                    &[
                        ("Signed-off-by", "bob.builder@builders.example"),
                        ("Cc", "carol@example.com"),
                    ],
                ),
                commit("b2", "Alice Liddell", "alice@corp.example", "Thanks @octocat", &[]),
            ],
        )?;
        store::upsert_items(c, &[item(1, "Ping @octocat and Alice Liddell", "octocat")])?;
        store::upsert_users(
            c,
            &[User {
                login: "octocat".into(),
                kind: UserKind::User,
                name: Some("Mona Octocat".into()),
                email: Some("mona@github.example".into()),
                company: None,
                database_id: None,
            }],
        )?;
        store::upsert_events(
            c,
            &[Event {
                id: "c1".into(),
                kind: EventKind::Comment,
                item: Some(1),
                actor: Some("octocat".into()),
                at: 1_700_000_100,
                association: None,
                state: None,
                body: Some("hi from mona@github.example".into()),
                target: None,
            }],
        )?;
        store::set_setting(
            c,
            "analysis",
            r#"{"aliases":[["octocat","mona.personal@home.example"]],"bot_patterns":["^octocat-helper$"]}"#,
        )?;
        store::set_repository(
            c,
            Some("acme/widget"),
            Some("/home/alice/src/widget"),
            None,
            None,
            None,
        )?;
        Ok(())
    })
    .unwrap();
    // A credential in a stored URL, as an older contrail could have written it.
    s.conn()
        .execute(
            "UPDATE repository SET api_url = 'https://alice:hunter2@ghe.example.com/api/v3'",
            [],
        )
        .unwrap();
}

/// Every byte of every file in `dir`, searched for each needle (case-insensitive).
fn leaks(dir: &Path, needles: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if !p.is_file() {
            continue;
        }
        let bytes = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_lowercase();
        for n in needles {
            if bytes.contains(&n.to_lowercase()) {
                hits.push(format!("{} in {}", n, p.display()));
            }
        }
    }
    hits
}

// ---- Redaction ----------------------------------------------------------------------------

#[test]
fn redacted_snapshot_holds_no_name_login_email_or_credential_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    people_db(&db);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let snap = out_dir.join("snap.sqlite");
    let (ok, _, err) = run(bin()
        .args(["snapshot", "export", "--redact", "--db"])
        .arg(&db)
        .arg(&snap));
    assert!(ok, "{err}");
    let hits = leaks(
        &out_dir,
        &[
            "alice",
            "liddell",
            "xavier",
            "yonder",
            "bob.builder",
            "builders",
            "carol",
            "dave@",
            "octocat",
            "home.example",
            "mona",
            "hunter2",
            "/home/",
        ],
    );
    assert!(hits.is_empty(), "{hits:?}");
    // Still a working snapshot: the report runs and the PR author is one pseudonymous person.
    let (ok, stdout, err) = run(bin().args(["report", "--db"]).arg(&snap));
    assert!(ok, "{err}");
    assert!(stdout.contains("user-"), "{stdout}");
}

/// `--redact` never writes an unredacted copy: killed at any moment, the directory holds no
/// address from the source; interrupted with SIGINT/SIGTERM, it holds nothing at all.
#[test]
fn an_interrupted_redacted_export_leaves_no_unredacted_copy_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    let mut s = Store::open(&db).unwrap();
    let commits: Vec<Commit> = (0..20_000)
        .map(|i| {
            commit(
                &format!("{i:040x}"),
                "Leaky Person",
                &format!("leaky.person.{i}@corp.example"),
                "subject",
                &[("Signed-off-by", "leaky.person@corp.example")],
            )
        })
        .collect();
    s.write(|c| store::upsert_commits(c, &commits)).unwrap();
    drop(s);
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let started = std::time::Instant::now();
    let (ok, _, err) = run(bin()
        .args(["snapshot", "export", "--redact", "--db"])
        .arg(&db)
        .arg(out_dir.join("full.sqlite")));
    assert!(ok, "{err}");
    let full = started.elapsed();
    std::fs::remove_file(out_dir.join("full.sqlite")).unwrap();
    for signal in ["KILL", "INT", "TERM"] {
        for k in 1..=4u32 {
            let at = full * k / 5;
            let mut child = bin()
                .args(["snapshot", "export", "--redact", "--db"])
                .arg(&db)
                .arg(out_dir.join("snap.sqlite"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(at);
            Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(child.id().to_string())
                .status()
                .unwrap();
            let _ = child.wait();
            let hits = leaks(&out_dir, &["leaky.person", "Leaky Person"]);
            assert!(hits.is_empty(), "SIG{signal} after {at:?}: {hits:?}");
            let left: Vec<_> = std::fs::read_dir(&out_dir)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect();
            if signal != "KILL" {
                assert!(
                    left.iter().all(|f| f == "snap.sqlite"),
                    "SIG{signal} after {at:?} left {left:?}"
                );
            }
            for f in left {
                let _ = std::fs::remove_file(out_dir.join(f));
            }
        }
    }
}

// ---- One database, one repository ---------------------------------------------------------

#[test]
fn syncing_an_unrelated_git_history_into_a_database_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("a"), "alpha", 5);
    let b = repo(&dir.path().join("b"), "beta", 2);
    let db = dir.path().join("x.sqlite");
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&db));
    assert!(ok, "{err}");
    let before = Store::open_read_only(&db).unwrap().commit_count().unwrap();
    assert_eq!(before, 5);
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&b).arg("--db").arg(&db));
    assert!(!ok);
    assert!(err.contains("--db NEW"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(
        Store::open_read_only(&db).unwrap().commit_count().unwrap(),
        5
    );
    // The same history again (a re-sync, or a clone of it) is fine.
    let clone = dir.path().join("a-clone");
    git(
        dir.path(),
        &["clone", "-q", a.to_str().unwrap(), clone.to_str().unwrap()],
    );
    let (ok, _, err) = run(bin()
        .args(["sync", "--git"])
        .arg(&clone)
        .arg("--db")
        .arg(&db));
    assert!(ok, "{err}");
}

#[test]
fn syncing_another_github_repository_into_a_database_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.sqlite");
    people_db(&db);
    let before = std::fs::read(&db).unwrap();
    let (ok, _, err) = run(bin()
        .args([
            "sync",
            "other/thing",
            "--api-url",
            "http://127.0.0.1:9",
            "--no-progress",
        ])
        .arg("--db")
        .arg(&db)
        .env("GITHUB_TOKEN", "ghp_x"));
    assert!(!ok);
    assert!(
        err.contains("acme/widget") && err.contains("other/thing") && err.contains("--db NEW"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn two_clones_with_the_same_directory_name_get_their_own_database() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("one/proj"), "alpha", 1);
    let b = repo(&dir.path().join("two/proj"), "beta", 1);
    let ka = contrail::commands::repo_key(None, Some(&a)).unwrap();
    let kb = contrail::commands::repo_key(None, Some(&b)).unwrap();
    assert_ne!(ka, kb);
    assert!(ka.starts_with("local/proj"), "{ka}");
    assert_eq!(ka, contrail::commands::repo_key(None, Some(&a)).unwrap());
}

#[test]
fn diff_of_two_unrelated_repositories_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("a"), "alpha", 2);
    let b = repo(&dir.path().join("b"), "beta", 2);
    let (da, db) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    for (r, d) in [(&a, &da), (&b, &db)] {
        let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(r).arg("--db").arg(d));
        assert!(ok, "{err}");
    }
    let (ok, _, err) = run(bin().arg("diff").arg(&da).arg(&db));
    assert!(!ok);
    assert!(err.contains("same repository"), "{err}");
    let (ok, _, err) = run(bin().arg("diff").arg(&da).arg(&da));
    assert!(ok, "{err}");
}

// ---- Nothing a stranger controls reaches the terminal raw --------------------------------

const HOSTILE: &str = "Mallory\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u{9b}31m\u{202e}gnp.exe\u{200b}";

fn hostile_db(path: &Path) {
    let mut s = Store::open(path).unwrap();
    s.write(|c| {
        store::upsert_commits(
            c,
            &[commit(
                "c3",
                HOSTILE,
                "m@evil.example",
                "=HYPERLINK(\"http://x\")",
                &[],
            )],
        )?;
        store::upsert_items(c, &[item(7, HOSTILE, "=cmd|'/c calc'!A1")])?;
        let mut i = item(8, "@SUM(1+1)", "+mallory");
        i.url = "file:///etc/passwd".into();
        store::upsert_items(c, &[i])?;
        store::set_repository(c, Some("acme/widget"), None, None, None, None)
    })
    .unwrap();
}

fn assert_clean(what: &str, text: &str) {
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}', '\u{200b}'] {
        assert!(!text.contains(bad), "{what} holds {:?}: {text:?}", bad);
    }
}

#[test]
fn markdown_csv_and_diff_escape_control_bidi_and_zero_width_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    hostile_db(&db);
    for format in ["markdown", "csv", "json"] {
        let (ok, stdout, err) = run(bin().args(["report", "--format", format, "--db"]).arg(&db));
        assert!(ok, "{err}");
        if format != "json" {
            assert_clean(format, &stdout);
            assert!(
                stdout.contains("\\x1b") || stdout.contains("\\u{202e}"),
                "{stdout}"
            );
        }
    }
    let empty = dir.path().join("e.sqlite");
    Store::open(&empty)
        .unwrap()
        .write(|c| store::set_repository(c, Some("acme/widget"), None, None, None, None))
        .unwrap();
    let (ok, stdout, err) = run(bin().arg("diff").arg(&empty).arg(&db));
    assert!(ok, "{err}");
    assert_clean("diff", &stdout);
    assert!(stdout.contains("Mallory"), "{stdout}");
}

#[test]
fn csv_cells_that_start_like_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    hostile_db(&db);
    let (ok, stdout, err) = run(bin().args(["report", "--format", "csv", "--db"]).arg(&db));
    assert!(ok, "{err}");
    for line in stdout.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {line}"
            );
        }
    }
    assert!(
        stdout.contains("'=cmd") || stdout.contains("'+mallory"),
        "{stdout}"
    );
}

#[test]
fn the_tui_opens_only_http_links_on_the_repository_host() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    hostile_db(&db);
    assert!(contrail::tui::may_open(&db, "https://github.com/acme/widget/pull/7").is_ok());
    for bad in [
        "file:///etc/passwd",
        "https://evil.example/acme/widget",
        "https://github.com@evil.example/",
        "javascript:alert(1)",
    ] {
        let why = contrail::tui::may_open(&db, bad).unwrap_err();
        assert!(why.contains("not opened"), "{why}");
    }
}

#[test]
fn the_tui_never_draws_bidi_zero_width_or_control_characters() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;
    let mut t = Terminal::new(TestBackend::new(40, 2)).unwrap();
    t.draw(|f| {
        f.render_widget(Paragraph::new(HOSTILE), f.area());
        contrail::tui::ui::sanitize_buffer(f);
    })
    .unwrap();
    let shown: String = t
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol().to_string())
        .collect();
    assert_clean("tui", &shown);
    assert!(shown.contains("Mallory"), "{shown}");
}

// ---- Messages that say what is really wrong ----------------------------------------------

#[test]
fn a_locked_database_says_another_contrail_is_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("a"), "alpha", 2);
    let db = dir.path().join("x.sqlite");
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&db));
    assert!(ok, "{err}");
    git(&a, &["commit", "-q", "--allow-empty", "-m", "more"]);
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&db));
    assert!(!ok);
    assert!(
        err.contains("another contrail is syncing this repository"),
        "{err}"
    );
    assert!(!err.contains("not a contrail database"), "{err}");
    holder.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn a_read_only_database_is_reported_on_and_a_sync_into_it_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("a"), "alpha", 2);
    let db = dir.path().join("x.sqlite");
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&db));
    assert!(ok, "{err}");
    let mut p = std::fs::metadata(&db).unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(&db, p).unwrap();
    let (ok, stdout, err) = run(bin().args(["report", "--db"]).arg(&db));
    assert!(ok, "{err}");
    assert!(stdout.contains("\"contributors\""), "{stdout}");
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&db));
    assert!(!ok);
    assert!(
        err.contains("read-only") && !err.contains("not a contrail database"),
        "{err}"
    );
}

#[test]
fn a_fifo_as_database_and_a_device_as_config_are_refused_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.sqlite");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (ok, _, err) = run(bin().args(["report", "--db"]).arg(&fifo));
    assert!(!ok);
    assert!(err.contains("not a regular file"), "{err}");
    let a = repo(&dir.path().join("a"), "alpha", 1);
    let (ok, _, err) = run(bin().args(["sync", "--git"]).arg(&a).arg("--db").arg(&fifo));
    assert!(!ok);
    assert!(err.contains("not a regular file"), "{err}");
    let (ok, _, err) = run(bin().args(["--config", "/dev/zero", "config"]));
    assert!(!ok);
    assert!(err.contains("not a regular file"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn a_bot_pattern_matching_everyone_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "bot_patterns = [\"\"]\n").unwrap();
    let (ok, _, err) = run(bin().arg("--config").arg(&cfg).arg("config"));
    assert!(!ok);
    assert!(
        err.contains("bot_patterns") && err.contains("matches every name"),
        "{err}"
    );
}

#[test]
fn a_repository_owned_by_another_user_is_not_called_not_a_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let a = repo(&dir.path().join("a"), "alpha", 1);
    // Hand the repository to another user (needs root; the test machine runs as root).
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&a)
        .status()
        .unwrap();
    assert!(chown.success(), "chown needs root");
    let (ok, _, err) = run(bin()
        .args(["sync", "--git"])
        .arg(&a)
        .arg("--db")
        .arg(dir.path().join("x.sqlite"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null"));
    assert!(!ok);
    assert!(
        err.contains("owned by another user") && err.contains("safe.directory"),
        "{err}"
    );
    assert!(!err.contains("not a git repository"), "{err}");
}

#[test]
fn a_token_with_a_newline_gets_a_sentence_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(bin()
        .args([
            "sync",
            "acme/widget",
            "--api-url",
            "http://127.0.0.1:9",
            "--no-progress",
            "--db",
        ])
        .arg(dir.path().join("x.sqlite"))
        .env("GITHUB_TOKEN", "ghp_abc\nX-Evil: 1"));
    assert!(!ok);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert!(err.contains("token contains a line break"), "{err}");
    assert!(!err.contains("ghp_abc"), "{err}");
    assert!(!dir.path().join("x.sqlite").exists());
}

/// Spawn, close our end of its stdout at once, and wait: the writes hit a closed pipe.
fn into_closed_pipe(c: &mut Command) -> (Option<i32>, String) {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_closed_pipe_ends_config_and_diff_quietly() {
    let (code, err) = into_closed_pipe(bin().args(["config", "--defaults"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    hostile_db(&db);
    let (code, err) = into_closed_pipe(bin().arg("diff").arg(&db).arg(&db));
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
