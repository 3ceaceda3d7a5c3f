//! `contrail report` end to end: the real binary on databases built through the store API.

use assert_cmd::Command;
use contrail::domain::*;
use contrail::store::{self, Store};
use std::path::{Path, PathBuf};

const BASE: Ts = 1_704_067_200; // 2024-01-01
const DAY: Ts = 86_400;

fn commit(sha: &str, email: &str, d: i64) -> Commit {
    Commit {
        sha: sha.into(),
        seq: d,
        author_name: email.split('@').next().unwrap().into(),
        author_email: email.into(),
        raw_author_email: email.into(),
        author_time: BASE + d * DAY,
        committer_name: "x".into(),
        committer_email: email.into(),
        committer_time: BASE + d * DAY,
        subject: format!("change {sha}"),
        message: format!("change {sha}\n"),
        parent_count: 1,
        ..Commit::default()
    }
}

fn item(n: u64, kind: ItemKind, who: &str, d: i64) -> Item {
    Item {
        number: n,
        kind,
        url: format!("https://github.com/acme/widget/pull/{n}"),
        title: format!("Item, \"{n}\""),
        body: String::new(),
        author: Some(who.into()),
        author_association: None,
        state: ItemState::Open,
        is_draft: false,
        created_at: BASE + d * DAY,
        updated_at: BASE + d * DAY,
        closed_at: None,
        merged_at: None,
        merged_by: None,
        merge_commit_sha: None,
        additions: None,
        deletions: None,
        changed_files: None,
        labels: vec![],
        head_repo_owner: None,
    }
}

fn event(id: &str, kind: EventKind, item: Option<u64>, who: &str, d: i64) -> Event {
    Event {
        id: id.into(),
        kind,
        item,
        actor: Some(who.into()),
        at: BASE + d * DAY,
        association: None,
        state: None,
        body: None,
        target: None,
    }
}

/// A git-only database: two authors, one commit through a PR, one with a Piper marker.
fn git_only_db(dir: &Path) -> PathBuf {
    let path = dir.join("git.sqlite");
    let mut s = Store::open(&path).unwrap();
    let mut with_pr = commit("a1", "ann@users.noreply.github.com", 1);
    with_pr.pr_number = Some(3);
    with_pr.pr_via = Some(PrVia::Squash);
    let mut piper = commit("b2", "emp@corp.example", 2);
    piper.trailers = vec![("PiperOrigin-RevId".into(), "123456789".into())];
    piper.markers = vec!["piper_origin_revid".into()];
    let mut merge = commit("m3", "ann@users.noreply.github.com", 3);
    merge.parent_count = 2;
    s.write(|c| store::upsert_commits(c, &[with_pr, piper, merge, commit("c4", "bob@x.org", 40)]))
        .unwrap();
    path
}

/// Git plus GitHub: ann's PR merged, bob's issue unanswered.
fn full_db(dir: &Path) -> PathBuf {
    let path = git_only_db(dir);
    let mut s = Store::open(&path).unwrap();
    let mut pr = item(3, ItemKind::Pr, "ann", 0);
    pr.state = ItemState::Merged;
    pr.merged_at = Some(BASE + DAY);
    pr.merged_by = Some("max".into());
    s.write(|c| {
        store::set_repository(c, Some("acme/widget"), None, None, None, None)?;
        store::upsert_items(c, &[pr, item(4, ItemKind::Issue, "bob", 5)])?;
        store::upsert_events(
            c,
            &[
                event("s1", EventKind::Star, None, "zed", 0),
                event("m1", EventKind::Merged, Some(3), "max", 1),
                event("c1", EventKind::Comment, Some(3), "max", 1),
            ],
        )
    })
    .unwrap();
    path
}

fn report(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("contrail")
        .unwrap()
        .env("XDG_CONFIG_HOME", db.parent().unwrap())
        .arg("report")
        .arg("--db")
        .arg(db)
        .args(args)
        .assert()
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = report(db, args).success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn json_has_every_spec_key() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&full_db(dir.path()), &["--format", "json"]);
    for k in [
        "repo",
        "as_of",
        "people",
        "funnel",
        "openness",
        "dropoffs",
        "contributors",
        "signals",
        "penalty",
        "doors",
        "cohorts",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["repo"], "acme/widget");
    for k in ["total", "internal", "external", "bots"] {
        assert!(v["people"][k].is_u64(), "people.{k}");
    }
    let stages: Vec<&str> = v["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "observer",
            "participant",
            "contributor",
            "merged",
            "regular",
            "reviewer",
            "maintainer"
        ]
    );
    for k in [
        "commits_total",
        "commits_with_public_pr",
        "commits_with_internal_review_marker",
        "imported_prs",
        "unreviewed_merges",
        "median_first_response_hours",
        "pr_acceptance_ratio",
    ] {
        assert!(v["openness"].get(k).is_some(), "openness.{k}");
    }
    let c = &v["contributors"][0];
    for k in [
        "id",
        "name",
        "logins",
        "affiliation",
        "stage",
        "stages",
        "first_seen",
        "last_seen",
        "status",
        "last_experience",
    ] {
        assert!(c.get(k).is_some(), "contributors[].{k}");
    }
    let ann = v["contributors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "login:ann")
        .unwrap();
    assert_eq!(ann["stages"]["merged"], "2024-01-02T00:00:00Z");
    assert_eq!(ann["last_experience"], "merged");
    assert_eq!(v["openness"]["commits_total"], 3);
}

#[test]
fn git_only_numbers_are_known_and_the_rest_null() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&git_only_db(dir.path()), &[]);
    let o = &v["openness"];
    assert_eq!(o["commits_total"], 3);
    assert_eq!(o["commits_with_public_pr"], 1);
    assert_eq!(o["commits_with_internal_review_marker"], 1);
    assert_eq!(o["imported_prs"], 0);
    for k in [
        "median_first_response_hours",
        "pr_acceptance_ratio",
        "unreviewed_merges",
    ] {
        assert!(
            o[k]["internal"].is_null() && o[k]["external"].is_null(),
            "{k}"
        );
    }
    assert_eq!(v["as_of"], "2024-02-10T00:00:00Z");
}

#[test]
fn as_of_moves_the_evaluation_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_db(dir.path());
    let v = json(&db, &["--as-of", "2024-01-03"]);
    assert_eq!(v["as_of"], "2024-01-03T23:59:59Z");
    assert!(
        v["contributors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "email:bob@x.org")
    );
    let err = stderr(report(&db, &["--as-of", "last tuesday"]).failure());
    assert!(err.contains("YYYY-MM-DD"), "{err}");
}

#[test]
fn csv_is_one_row_per_contributor_with_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = full_db(dir.path());
    let out = report(&db, &["--format", "csv"])
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("id,name,logins,emails,affiliation,stage,status"));
    let v = json(&db, &[]);
    assert_eq!(lines.len() - 1, v["contributors"].as_array().unwrap().len());
    assert!(lines.iter().any(|l| l.starts_with("login:ann,")));
}

#[test]
fn markdown_has_readable_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = report(&full_db(dir.path()), &["--format", "markdown"])
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(out).unwrap();
    for h in [
        "## contrail report: acme/widget",
        "### Funnel",
        "### Openness",
        "### Drop-offs",
        "### Top contributors",
        "| stage | internal | external |",
    ] {
        assert!(md.contains(h), "missing {h}\n{md}");
    }
}

#[test]
fn a_missing_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.sqlite");
    let err = stderr(report(&missing, &[]).failure());
    assert!(
        err.contains("no database") && err.contains("contrail sync"),
        "{err}"
    );
    assert!(!missing.exists());
}

#[test]
fn a_foreign_file_is_a_clear_error_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.sqlite");
    std::fs::write(&f, b"not a database at all, just text").unwrap();
    let err = stderr(report(&f, &[]).failure());
    assert!(err.contains("is not a contrail database"), "{err}");
    assert_eq!(
        std::fs::read(&f).unwrap(),
        b"not a database at all, just text"
    );
}

fn stderr(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}
