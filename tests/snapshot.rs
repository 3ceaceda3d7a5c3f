//! Offline snapshots (docs/snapshots.md): a `.sqlite` file that opens with no token and no
//! network, read-only, with identical results on any machine; and `contrail diff`.

use assert_cmd::Command;
use contrail::domain::{Commit, Event, EventKind, Note};
use contrail::store::{self, Store};
use std::path::Path;

fn commit(sha: &str, email: &str, t: i64) -> Commit {
    Commit {
        sha: sha.into(),
        author_name: "Alice".into(),
        author_email: email.into(),
        raw_author_email: email.into(),
        author_time: t,
        committer_name: "Alice".into(),
        committer_email: email.into(),
        committer_time: t,
        subject: "Fix the thing (#3)".into(),
        message: "Fix the thing (#3)\n\nSecret internal details.\n\nSigned-off-by: Alice <alice@corp.example>".into(),
        parent_count: 1,
        trailers: vec![("Signed-off-by".into(), "Alice <alice@corp.example>".into())],
        ..Commit::default()
    }
}

fn build_db(path: &Path) {
    let mut s = Store::open(path).unwrap();
    s.write(|c| {
        store::upsert_commits(
            c,
            &[
                commit("a1", "alice@corp.example", 1_700_000_000),
                commit("b2", "alice@corp.example", 1_700_100_000),
            ],
        )?;
        store::upsert_events(
            c,
            &[Event {
                id: "star:bob".into(),
                kind: EventKind::Star,
                item: None,
                actor: Some("bob".into()),
                at: 1_700_050_000,
                association: None,
                state: None,
                body: Some("a private remark".into()),
                target: None,
            }],
        )?;
        store::upsert_note(
            c,
            &Note {
                person: "email:alice@corp.example".into(),
                text: "talk to her about the roadmap".into(),
                tags: vec!["vip".into()],
                updated_at: 1,
            },
        )?;
        store::set_setting(c, "analysis", r#"{"internal_domains":["corp.example"]}"#)
    })
    .unwrap();
}

#[test]
fn snapshot_export_opens_read_only_with_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    build_db(&db);
    let snap = dir.path().join("snap.sqlite");
    contrail::snapshot::export(&db, &snap, false).unwrap();
    let a = Store::open_read_only(&db).unwrap().dataset().unwrap();
    let b = Store::open_read_only(&snap).unwrap().dataset().unwrap();
    assert_eq!(a.commits, b.commits);
    assert_eq!(a.events, b.events);
    assert_eq!(a.settings, b.settings);
    assert_eq!(a.notes, b.notes);
    // One self-contained file: no WAL side files needed.
    assert!(!dir.path().join("snap.sqlite-wal").exists());
}

#[test]
fn snapshot_export_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    build_db(&db);
    let snap = dir.path().join("snap.sqlite");
    std::fs::write(&snap, b"keep me").unwrap();
    let err = contrail::snapshot::export(&db, &snap, false).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&snap).unwrap(), b"keep me");
}

#[test]
fn snapshot_redact_removes_emails_bodies_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    build_db(&db);
    let snap = dir.path().join("red.sqlite");
    contrail::snapshot::export(&db, &snap, true).unwrap();
    let bytes = std::fs::read(&snap).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for secret in [
        "alice@corp.example",
        "Secret internal",
        "private remark",
        "roadmap",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the redacted snapshot"
        );
    }
    let ds = Store::open_read_only(&snap).unwrap().dataset().unwrap();
    assert_eq!(ds.commits.len(), 2);
    // Same person stays one person: both commits share the pseudonym, domain kept.
    assert_eq!(ds.commits[0].author_email, ds.commits[1].author_email);
    assert!(ds.commits[0].author_email.ends_with("@corp.example"));
    assert!(ds.commits[0].message.starts_with("Fix the thing (#3)"));
    // Trailers (stored as JSON in the commit row) keep their key, the email pseudonymised.
    let (key, value) = &ds.commits[0].trailers[0];
    assert_eq!(key, "Signed-off-by");
    assert!(
        value.starts_with("Person ")
            && value.ends_with("@corp.example>")
            && !value.contains("Alice"),
        "{value}"
    );
    assert!(
        ds.commits[0]
            .message
            .ends_with(&format!("Signed-off-by: {value}"))
    );
}

#[test]
fn cli_snapshot_export_then_open_read_only_and_diff() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("src.sqlite");
    build_db(&db);
    let snap = dir.path().join("snap.sqlite");
    Command::cargo_bin("contrail")
        .unwrap()
        .args(["snapshot", "export"])
        .arg(&snap)
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    // Make the snapshot's files read-only, as on a colleague's machine: reading still works.
    let mut perms = std::fs::metadata(&snap).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&snap, perms).unwrap();
    let out = Command::cargo_bin("contrail")
        .unwrap()
        .arg("diff")
        .arg(&db)
        .arg(&snap)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("no headline number changed"), "{stdout}");
}

#[test]
fn cli_snapshot_export_of_a_missing_db_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("contrail")
        .unwrap()
        .args(["snapshot", "export"])
        .arg(dir.path().join("out.sqlite"))
        .arg("--db")
        .arg(dir.path().join("missing.sqlite"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("contrail sync"), "{stderr}");
    assert!(!dir.path().join("out.sqlite").exists());
}
