//! Git import (docs/git-import.md): real temporary repositories built with the `git` CLI,
//! imported with `contrail::git::import`, checked against the definitions they implement.

use contrail::domain::{Commit, PrVia};
use contrail::git;
use contrail::store::Store;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const ALICE: (&str, &str) = ("Alice Author", "alice@example.com");
const MAINTAINER: (&str, &str) = ("Mia Maintainer", "mia@kernel.example.org");
const WEB_FLOW: (&str, &str) = ("GitHub", "noreply@github.com");
const COPYBARA: (&str, &str) = ("Copybara-Service", "copybara-worker@google.com");

/// A throwaway repository driven through the `git` CLI with fixed identities and dates.
struct Repo {
    dir: tempfile::TempDir,
    path: PathBuf,
    tick: std::cell::Cell<i64>,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        let r = Repo {
            dir,
            path,
            tick: std::cell::Cell::new(0),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    fn git_in(
        &self,
        dir: &Path,
        args: &[&str],
        author: (&str, &str),
        committer: (&str, &str),
    ) -> String {
        let t = self.tick.get() + 1;
        self.tick.set(t);
        let date = format!("{} +0000", 1_700_000_000 + t * 60);
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", author.0)
            .env("GIT_AUTHOR_EMAIL", author.1)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_NAME", committer.0)
            .env("GIT_COMMITTER_EMAIL", committer.1)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.path, args, ALICE, ALICE)
    }

    /// An empty commit with exactly `message`, by `author`, committed by `committer`.
    fn commit_by(&self, message: &str, author: (&str, &str), committer: (&str, &str)) -> String {
        self.git_in(
            &self.path,
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--cleanup=verbatim",
                "-m",
                message,
            ],
            author,
            committer,
        );
        self.head()
    }

    fn commit(&self, message: &str) -> String {
        self.commit_by(message, ALICE, ALICE)
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// `git merge --no-ff` of `branch` into the current branch with `message`.
    fn merge(&self, branch: &str, message: &str, committer: (&str, &str)) -> String {
        self.git_in(
            &self.path,
            &["merge", "-q", "--no-ff", "-m", message, branch],
            committer,
            committer,
        );
        self.head()
    }

    fn rev_list(&self, extra: &[&str]) -> BTreeSet<String> {
        let mut args = vec!["rev-list"];
        args.extend_from_slice(extra);
        args.push("HEAD");
        self.git(&args).lines().map(str::to_string).collect()
    }
}

fn import(path: &Path) -> (Store, git::ImportStats) {
    let mut store = Store::open_in_memory().unwrap();
    let stats = git::import(&mut store, path).unwrap();
    (store, stats)
}

fn commits(store: &Store) -> Vec<Commit> {
    store.dataset().unwrap().commits
}

fn by_subject<'a>(cs: &'a [Commit], subject: &str) -> &'a Commit {
    cs.iter()
        .find(|c| c.subject == subject)
        .unwrap_or_else(|| panic!("no commit {subject:?}"))
}

fn shas(store: &Store) -> BTreeSet<String> {
    commits(store).into_iter().map(|c| c.sha).collect()
}

fn trailer_count(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT coalesce(sum(json_array_length(trailers)), 0) FROM commits",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn every_listed_trailer_key_is_recorded_in_message_order() {
    let r = Repo::new();
    let keys = [
        "Signed-off-by",
        "Co-authored-by",
        "Reviewed-by",
        "Acked-by",
        "Tested-by",
        "Reported-by",
        "Helped-by",
        "Suggested-by",
        "Mentored-by",
        "PiperOrigin-RevId",
        "GitOrigin-RevId",
        "Differential Revision",
        "Reviewed By",
        "Pull Request resolved",
        "Change-Id",
        "Reviewed-on",
        "fbshipit-source-id",
    ];
    let block: Vec<String> = keys.iter().map(|k| format!("{k}: value of {k}")).collect();
    r.commit(&format!(
        "All trailers\n\nSome prose.\n\n{}\n",
        block.join("\n")
    ));
    let (store, _) = import(&r.path);
    let c = &commits(&store)[0];
    let got: Vec<&str> = c.trailers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(got, keys);
    assert_eq!(c.trailers[0].1, "value of Signed-off-by");
    assert!(c.message.contains("Some prose."));
}

#[test]
fn prose_in_the_body_is_not_a_trailer() {
    let r = Repo::new();
    r.commit(
        "Subject\n\nNote: this paragraph is prose that happens to have a colon\nand keeps going.\n",
    );
    let (store, _) = import(&r.path);
    assert!(commits(&store)[0].trailers.is_empty());
}

#[test]
fn squash_subject_title_hash_n_is_pr_via_squash() {
    let r = Repo::new();
    r.commit_by("Add the widget (#123)", ALICE, WEB_FLOW);
    r.commit("Plain change");
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let c = by_subject(&cs, "Add the widget (#123)");
    assert_eq!((c.pr_number, c.pr_via), (Some(123), Some(PrVia::Squash)));
    // GitHub's web-flow committer does not make a patch "applied by someone else".
    assert!(!c.applied_by_other);
    let plain = by_subject(&cs, "Plain change");
    assert_eq!((plain.pr_number, plain.pr_via), (None, None));
}

#[test]
fn merge_pull_request_commit_and_its_second_parent_commits_are_attributed_to_the_pr() {
    let r = Repo::new();
    r.commit("Base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.commit("Feature part 1");
    r.commit("Feature part 2");
    r.git(&["checkout", "-q", "main"]);
    r.commit("Unrelated main change");
    r.merge(
        "feature",
        "Merge pull request #42 from alice/feature\n\nFeature",
        WEB_FLOW,
    );
    r.commit("After the merge");
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let m = by_subject(&cs, "Merge pull request #42 from alice/feature");
    assert_eq!(
        (m.pr_number, m.pr_via),
        (Some(42), Some(PrVia::MergeCommit))
    );
    assert_eq!(m.parent_count, 2);
    for s in ["Feature part 1", "Feature part 2"] {
        let c = by_subject(&cs, s);
        assert_eq!(
            (c.pr_number, c.pr_via),
            (Some(42), Some(PrVia::MergedBranch)),
            "{s}"
        );
    }
    for s in ["Base", "Unrelated main change", "After the merge"] {
        assert_eq!(by_subject(&cs, s).pr_number, None, "{s}");
    }
}

#[test]
fn main_merged_into_the_pr_branch_is_not_claimed_by_the_pr() {
    let r = Repo::new();
    r.commit("Base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.commit("Feature work");
    r.git(&["checkout", "-q", "main"]);
    r.commit("Main moves on");
    r.git(&["checkout", "-q", "feature"]);
    r.merge("main", "Merge branch 'main' into feature", ALICE);
    r.git(&["checkout", "-q", "main"]);
    r.merge(
        "feature",
        "Merge pull request #7 from alice/feature",
        WEB_FLOW,
    );
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    assert_eq!(by_subject(&cs, "Feature work").pr_number, Some(7));
    assert_eq!(
        by_subject(&cs, "Merge branch 'main' into feature").pr_number,
        Some(7)
    );
    assert_eq!(by_subject(&cs, "Main moves on").pr_number, None);
    assert_eq!(by_subject(&cs, "Base").pr_number, None);
}

#[test]
fn octopus_pr_merge_attributes_every_side_branch() {
    let r = Repo::new();
    r.commit("Base");
    for b in ["a", "b"] {
        r.git(&["checkout", "-q", "-b", b, "main"]);
        r.commit(&format!("Work on {b}"));
    }
    r.git(&["checkout", "-q", "main"]);
    r.git_in(
        &r.path,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge pull request #5 from x/octo",
            "a",
            "b",
        ],
        WEB_FLOW,
        WEB_FLOW,
    );
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    assert_eq!(
        by_subject(&cs, "Merge pull request #5 from x/octo").parent_count,
        3
    );
    for s in ["Work on a", "Work on b"] {
        assert_eq!(by_subject(&cs, s).pr_via, Some(PrVia::MergedBranch), "{s}");
    }
}

#[test]
fn a_message_declared_iso_8859_1_is_decoded() {
    let r = Repo::new();
    let msg = r.dir.path().join("msg");
    std::fs::write(&msg, b"Caf\xe9 au lait\n\nSigned-off-by: Ren\xe9 <r@x>\n").unwrap();
    let path = msg.to_str().unwrap();
    // Declared ISO-8859-1: git stores the bytes as they are, with an `encoding` header.
    r.git(&[
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "-q",
        "--allow-empty",
        "--cleanup=verbatim",
        "-F",
        path,
    ]);
    let (store, _) = import(&r.path);
    let c = &commits(&store)[0];
    assert_eq!(c.subject, "Caf\u{e9} au lait");
    assert_eq!(
        c.trailers,
        [("Signed-off-by".to_string(), "Ren\u{e9} <r@x>".to_string())]
    );
}

#[test]
fn phabricator_style_resolved_pr_and_internal_review_markers() {
    let r = Repo::new();
    r.commit(
        "Speed up the parser (#88)\n\nSummary:\nPull Request resolved: https://github.com/o/r/pull/88\n\nMakes it faster.\n\nReviewed By: zuck, boz\n\nDifferential Revision: D12345678\n\nfbshipit-source-id: 0123abcd\n",
    );
    r.commit("Internal-only change\n\nSummary: tweak\n\nReviewed By: someone\n\nDifferential Revision: D222\n");
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let c = by_subject(&cs, "Speed up the parser (#88)");
    assert_eq!((c.pr_number, c.pr_via), (Some(88), Some(PrVia::Resolved)));
    assert_eq!(
        c.markers,
        [
            "differential_revision",
            "phabricator_reviewed_by",
            "shipit_source_id"
        ]
    );
    assert!(
        c.trailers
            .contains(&("Reviewed By".to_string(), "zuck, boz".to_string()))
    );
    let internal = by_subject(&cs, "Internal-only change");
    assert_eq!(internal.pr_number, None);
    assert_eq!(
        internal.markers,
        ["differential_revision", "phabricator_reviewed_by"]
    );
}

#[test]
fn copybara_style_piper_revid_imported_pr_and_sync_committer() {
    let r = Repo::new();
    r.commit_by(
        "Internal change\n\nPiperOrigin-RevId: 612345678\nChange-Id: I0123456789abcdef0123456789abcdef01234567\n",
        ("Googler", "googler@google.com"),
        COPYBARA,
    );
    r.commit_by(
        "PR #31: Fix the docs\n\nImported from GitHub PR https://github.com/o/r/pull/31\n\nFixes a typo.\n\nMerging this change closes #31\n\nPiperOrigin-RevId: 612345999\n",
        ("Outside Olga", "olga@users.noreply.github.com"),
        COPYBARA,
    );
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let internal = by_subject(&cs, "Internal change");
    assert_eq!(
        internal.markers,
        [
            "piper_origin_revid",
            "change_id_without_public_review",
            "sync_committer"
        ]
    );
    assert_eq!(internal.pr_number, None);
    assert!(internal.applied_by_other);
    let imported = by_subject(&cs, "PR #31: Fix the docs");
    assert_eq!(imported.imported_pr, Some(31));
    assert_eq!(
        imported.pr_number, None,
        "an imported PR was not merged publicly"
    );
    assert_eq!(imported.markers, ["piper_origin_revid", "sync_committer"]);
}

#[test]
fn merging_this_change_closes_alone_marks_an_imported_pr() {
    let r = Repo::new();
    r.commit("Add thing\n\nMerging this change closes #55\n\nGitOrigin-RevId: 0123abc\n");
    let (store, _) = import(&r.path);
    let c = &commits(&store)[0];
    assert_eq!(c.imported_pr, Some(55));
    assert_eq!(c.markers, ["git_origin_revid"]);
}

#[test]
fn gerrit_public_reviewed_on_is_not_an_internal_marker() {
    let r = Repo::new();
    r.commit(
        "Public change\n\nChange-Id: I1111111111111111111111111111111111111111\nReviewed-on: https://review.opendev.org/c/openstack/nova/+/123456\nReviewed-by: Rev <rev@example.org>\nTested-by: Zuul <zuul@opendev.org>\n",
    );
    let (store, _) = import(&r.path);
    assert!(commits(&store)[0].markers.is_empty());
}

#[test]
fn gerrit_private_reviewed_on_and_change_id_without_review_are_markers() {
    let r = Repo::new();
    r.commit(
        "Corp change\n\nChange-Id: I2222222222222222222222222222222222222222\nReviewed-on: https://gerrit.corp.example.com/c/p/+/9\n",
    );
    r.commit("IP change\n\nReviewed-on: http://10.20.30.40:8080/c/p/+/10\n");
    r.commit("Bare change\n\nChange-Id: I3333333333333333333333333333333333333333\n");
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    assert_eq!(
        by_subject(&cs, "Corp change").markers,
        ["change_id_without_public_review", "private_reviewed_on"]
    );
    assert_eq!(
        by_subject(&cs, "IP change").markers,
        ["private_reviewed_on"]
    );
    assert_eq!(
        by_subject(&cs, "Bare change").markers,
        ["change_id_without_public_review"]
    );
}

#[test]
fn sync_from_internal_and_code_drop_messages_are_markers() {
    let r = Repo::new();
    r.commit("Sync from internal repository");
    r.commit("Release 2.0 code drop");
    r.commit("Fix a typo in the sync code");
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    assert_eq!(
        by_subject(&cs, "Sync from internal repository").markers,
        ["sync_message"]
    );
    assert_eq!(
        by_subject(&cs, "Release 2.0 code drop").markers,
        ["sync_message"]
    );
    assert!(
        by_subject(&cs, "Fix a typo in the sync code")
            .markers
            .is_empty()
    );
}

#[test]
fn mailing_list_flow_committer_differs_from_author_with_signed_off_chain() {
    let r = Repo::new();
    r.commit_by(
        "mm: fix a leak\n\nLong explanation.\n\nReported-by: Rita <rita@example.org>\nSigned-off-by: Alice Author <alice@example.com>\nAcked-by: Ann <ann@example.org>\nSigned-off-by: Mia Maintainer <mia@kernel.example.org>\n",
        ALICE,
        MAINTAINER,
    );
    r.commit_by("self-committed", MAINTAINER, MAINTAINER);
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let c = by_subject(&cs, "mm: fix a leak");
    assert!(c.applied_by_other);
    assert_eq!(c.committer_email, MAINTAINER.1);
    assert_eq!(c.author_email, ALICE.1);
    let signers: Vec<&str> = c
        .trailers
        .iter()
        .filter(|(k, _)| k == "Signed-off-by")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        signers,
        [
            "Alice Author <alice@example.com>",
            "Mia Maintainer <mia@kernel.example.org>"
        ]
    );
    assert!(c.markers.is_empty(), "public list review is not internal");
    assert!(!by_subject(&cs, "self-committed").applied_by_other);
}

#[test]
fn mailmap_maps_author_and_keeps_the_raw_email() {
    let r = Repo::new();
    std::fs::write(
        r.path.join(".mailmap"),
        "Alice Author <alice@example.com> <alice@old-job.example>\n",
    )
    .unwrap();
    r.git(&["add", ".mailmap"]);
    r.commit("Add mailmap");
    r.commit_by("Old address", ("alice", "alice@old-job.example"), ALICE);
    let (store, _) = import(&r.path);
    let cs = commits(&store);
    let c = by_subject(&cs, "Old address");
    assert_eq!(c.author_name, "Alice Author");
    assert_eq!(c.author_email, "alice@example.com");
    assert_eq!(c.raw_author_email, "alice@old-job.example");
    assert!(!c.applied_by_other, "the same person after .mailmap");
}

#[test]
fn noreply_emails_are_kept_as_written() {
    let r = Repo::new();
    r.commit_by(
        "From a noreply address (#5)",
        ("Olga", "12345+olga@users.noreply.github.com"),
        WEB_FLOW,
    );
    let (store, _) = import(&r.path);
    let c = &commits(&store)[0];
    assert_eq!(c.author_email, "12345+olga@users.noreply.github.com");
    assert_eq!(c.raw_author_email, "12345+olga@users.noreply.github.com");
    assert_eq!(c.committer_email, "noreply@github.com");
    assert!(!c.applied_by_other);
}

#[test]
fn bare_repository_imports_like_its_work_tree() {
    let r = Repo::new();
    r.commit("One (#1)");
    r.commit("Two");
    let bare = r.dir.path().join("bare.git");
    r.git(&[
        "clone",
        "-q",
        "--bare",
        r.path.to_str().unwrap(),
        bare.to_str().unwrap(),
    ]);
    let (from_tree, _) = import(&r.path);
    let (from_bare, stats) = import(&bare);
    assert_eq!(stats.total_commits, 2);
    assert_eq!(commits(&from_bare), commits(&from_tree));
}

/// Clone `r` into `name` with extra `git clone` arguments, over `file://` so filters apply.
fn clone(r: &Repo, name: &str, args: &[&str]) -> PathBuf {
    r.git(&["config", "uploadpack.allowFilter", "true"]);
    let dest = r.dir.path().join(name);
    let url = format!("file://{}", r.path.display());
    let mut all = vec!["clone", "-q"];
    all.extend_from_slice(args);
    all.push(&url);
    all.push(dest.to_str().unwrap());
    r.git(&all);
    dest
}

fn rev_list_in(path: &Path, extra: &[&str]) -> BTreeSet<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(path)
        .arg("rev-list")
        .args(extra)
        .arg("HEAD")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn partial_clone_without_blobs_imports_every_commit() {
    let r = Repo::new();
    for i in 0..4 {
        std::fs::write(r.path.join(format!("f{i}.txt")), format!("content {i}")).unwrap();
        r.git(&["add", "."]);
        r.commit(&format!("Add file {i}"));
    }
    let partial = clone(&r, "partial.git", &["--bare", "--filter=blob:none"]);
    let (store, stats) = import(&partial);
    assert_eq!(stats.total_commits, 4);
    assert_eq!(shas(&store), rev_list_in(&partial, &[]));
}

#[test]
fn shallow_clone_imports_the_commits_it_has() {
    let r = Repo::new();
    for i in 0..5 {
        r.commit(&format!("C{i}"));
    }
    let shallow = clone(&r, "shallow", &["--depth", "2"]);
    let (store, _) = import(&shallow);
    assert_eq!(shas(&store), rev_list_in(&shallow, &[]));
    assert_eq!(shas(&store).len(), 2);
}

#[test]
fn commits_total_non_merge_equals_rev_list_no_merges_count() {
    let r = Repo::new();
    r.commit("Base");
    for i in 0..3 {
        let b = format!("b{i}");
        r.git(&["checkout", "-q", "-b", &b]);
        r.commit(&format!("Work {i}"));
        r.git(&["checkout", "-q", "main"]);
        r.commit(&format!("Main {i}"));
        r.merge(&b, &format!("Merge pull request #{i} from a/{b}"), WEB_FLOW);
    }
    let (store, stats) = import(&r.path);
    let cs = commits(&store);
    let non_merge = cs.iter().filter(|c| !c.is_merge()).count();
    assert_eq!(non_merge, r.rev_list(&["--no-merges"]).len());
    assert_eq!(stats.total_commits as usize, r.rev_list(&[]).len());
    assert_eq!(shas(&store), r.rev_list(&[]));
    // seq orders newest first, HEAD = 0.
    assert_eq!(cs[0].sha, r.head());
    assert_eq!(cs[0].seq, 0);
}

#[test]
fn incremental_import_walks_only_new_commits_and_unchanged_is_a_no_op() {
    let r = Repo::new();
    r.commit("One");
    r.commit("Two");
    let mut store = Store::open_in_memory().unwrap();
    let first = git::import(&mut store, &r.path).unwrap();
    assert_eq!((first.new_commits, first.total_commits), (2, 2));
    let again = git::import(&mut store, &r.path).unwrap();
    assert_eq!(
        (again.new_commits, again.total_commits, again.rewritten),
        (0, 2, false)
    );

    r.commit("Three");
    let third = git::import(&mut store, &r.path).unwrap();
    assert_eq!(
        (third.new_commits, third.total_commits, third.rewritten),
        (1, 3, false)
    );
    let cs = commits(&store);
    let order: Vec<&str> = cs.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(order, ["Three", "Two", "One"], "seq keeps newest first");
    assert_eq!(store.state(git::STATE_HEAD).unwrap(), Some(r.head()));
    let head_sha: String = store
        .conn()
        .query_row("SELECT head_sha FROM repository WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(head_sha, r.head());
}

#[test]
fn incremental_merge_attributes_the_new_branch_commits() {
    let r = Repo::new();
    r.commit("Base");
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, &r.path).unwrap();
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.commit("Feature");
    r.git(&["checkout", "-q", "main"]);
    r.merge("feature", "Merge pull request #3 from a/feature", WEB_FLOW);
    let stats = git::import(&mut store, &r.path).unwrap();
    assert_eq!(stats.new_commits, 2);
    let cs = commits(&store);
    assert_eq!(by_subject(&cs, "Feature").pr_via, Some(PrVia::MergedBranch));
    assert_eq!(by_subject(&cs, "Feature").pr_number, Some(3));
}

#[test]
fn a_new_merge_reattributes_commits_imported_before_it() {
    // The first import ran with the PR branch checked out; the branch is then merged on main.
    let r = Repo::new();
    r.commit("Base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.commit("Feature A");
    r.commit("Feature B");
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, &r.path).unwrap();
    r.git(&["checkout", "-q", "main"]);
    r.commit("Main");
    r.merge("feature", "Merge pull request #12 from a/feature", WEB_FLOW);
    let stats = git::import(&mut store, &r.path).unwrap();
    assert!(!stats.rewritten);
    assert_eq!(stats.new_commits, 2);
    let cs = commits(&store);
    for s in ["Feature A", "Feature B"] {
        let c = by_subject(&cs, s);
        assert_eq!(
            (c.pr_number, c.pr_via),
            (Some(12), Some(PrVia::MergedBranch)),
            "{s}"
        );
    }
    assert_eq!(shas(&store), r.rev_list(&[]));
}

#[test]
fn force_push_leaves_exactly_the_commits_reachable_from_head() {
    let r = Repo::new();
    r.commit("One");
    r.commit("Two\n\nSigned-off-by: A <a@x>\n");
    r.commit("Three\n\nSigned-off-by: A <a@x>\n");
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, &r.path).unwrap();
    assert_eq!(trailer_count(&store), 2);

    r.git(&["reset", "-q", "--hard", "HEAD~2"]);
    r.commit("Two again");
    r.commit("Three again\n\nSigned-off-by: A <a@x>\n");
    let stats = git::import(&mut store, &r.path).unwrap();
    assert!(stats.rewritten);
    assert_eq!((stats.new_commits, stats.total_commits), (2, 3));
    assert_eq!(shas(&store), r.rev_list(&[]));
    assert_eq!(
        trailer_count(&store),
        1,
        "trailers of dropped commits are gone"
    );
    let order: Vec<String> = commits(&store).into_iter().map(|c| c.subject).collect();
    assert_eq!(order, ["Three again", "Two again", "One"]);
}

#[test]
fn an_import_killed_before_its_watermark_is_redone_without_duplicates() {
    let r = Repo::new();
    for i in 0..5 {
        r.commit(&format!("C{i}\n\nSigned-off-by: A <a@x>\n"));
    }
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, &r.path).unwrap();
    let before = commits(&store);
    // What a kill between batches leaves: rows written, watermark not.
    store
        .conn()
        .execute_batch("DELETE FROM sync_state; DELETE FROM commits WHERE subject IN ('C0', 'C1');")
        .unwrap();
    let stats = git::import(&mut store, &r.path).unwrap();
    assert_eq!(stats.total_commits, 5);
    assert_eq!(commits(&store), before);
    assert_eq!(trailer_count(&store), 5);
}

#[test]
fn a_full_import_that_fails_midway_leaves_no_watermark_and_the_next_run_repairs_it() {
    let r = Repo::new();
    for i in 0..3 {
        r.commit(&format!("C{i}"));
    }
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, &r.path).unwrap();
    // Force push: the next import is a full one, written two commits per transaction.
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    for i in 3..8 {
        r.commit(&format!("C{i}"));
    }
    let opts = git::ImportOptions {
        batch_size: 2,
        ..Default::default()
    };
    // Make a later transaction fail, as a kill would stop it.
    store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER fail BEFORE INSERT ON commits WHEN NEW.subject = 'C3'
             BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
        )
        .unwrap();
    assert!(git::import_with(&mut store, &r.path, &opts).is_err());
    assert_eq!(
        store.state(git::STATE_HEAD).unwrap(),
        None,
        "a stale watermark would make the next run skip the deleted rows"
    );
    store.conn().execute_batch("DROP TRIGGER fail").unwrap();
    git::import_with(&mut store, &r.path, &opts).unwrap();
    assert_eq!(shas(&store), r.rev_list(&[]));
    assert_eq!(store.state(git::STATE_HEAD).unwrap(), Some(r.head()));
}

#[test]
fn any_batch_size_gives_the_same_rows_including_merged_branch_attribution() {
    let r = Repo::new();
    r.commit("Base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.commit("Feature 1");
    r.commit("Feature 2");
    r.git(&["checkout", "-q", "main"]);
    r.commit("Main (#1)");
    r.merge("feature", "Merge pull request #2 from a/feature", WEB_FLOW);
    r.commit("Last");
    let (whole, _) = import(&r.path);
    assert_eq!(by_subject(&commits(&whole), "Feature 1").pr_number, Some(2));
    // 6 commits: batches that divide it exactly, that do not, and one per commit.
    for batch_size in [1, 2, 3, 4, 6, 7] {
        let mut store = Store::open_in_memory().unwrap();
        let opts = git::ImportOptions {
            batch_size,
            ..Default::default()
        };
        git::import_with(&mut store, &r.path, &opts).unwrap();
        assert_eq!(commits(&store), commits(&whole), "batch size {batch_size}");
    }
}

#[test]
fn configured_private_host_marks_reviewed_on() {
    let r = Repo::new();
    r.commit("X\n\nChange-Id: I4\nReviewed-on: https://gerrit.acme.com/c/p/+/1\n");
    let mut store = Store::open_in_memory().unwrap();
    let opts = git::ImportOptions {
        private_hosts: git::PrivateHosts(vec![".acme.com".into()]),
        ..Default::default()
    };
    git::import_with(&mut store, &r.path, &opts).unwrap();
    assert_eq!(
        commits(&store)[0].markers,
        ["change_id_without_public_review", "private_reviewed_on"]
    );
}

#[test]
fn not_a_git_repository_and_unborn_head_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let err = git::import(&mut store, dir.path()).unwrap_err().to_string();
    assert!(err.contains("is not a git repository"), "{err}");
    let r = Repo::new();
    let err = git::import(&mut store, &r.path).unwrap_err().to_string();
    assert!(err.contains("has no commits yet"), "{err}");
}

mod cli {
    use super::*;
    use assert_cmd::Command as Cmd;

    fn contrail(home: &Path) -> Cmd {
        let mut c = Cmd::cargo_bin("contrail").unwrap();
        c.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN");
        c
    }

    fn assert_refused(path: &Path, expected: &str) {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("out.sqlite");
        let out = contrail(home.path())
            .args(["sync", "--no-progress", "--git"])
            .arg(path)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!db.exists(), "no database may be created");
        assert!(!home.path().join("data").exists(), "nothing written");
    }

    #[test]
    fn sync_git_on_a_directory_that_is_not_a_repository_fails_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_refused(dir.path(), "is not a git repository");
    }

    #[test]
    fn sync_git_on_a_file_fails_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_refused(&file, "is not a git repository");
    }

    #[test]
    fn sync_git_on_an_empty_repository_fails_and_writes_nothing() {
        let r = Repo::new();
        assert_refused(&r.path, "has no commits yet");
    }

    #[test]
    fn sync_git_imports_and_reports_the_counts() {
        let r = Repo::new();
        r.commit("One");
        r.commit("Two (#2)");
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("out.sqlite");
        let run = || {
            contrail(home.path())
                .args(["sync", "--no-progress", "--git"])
                .arg(&r.path)
                .arg("--db")
                .arg(&db)
                .output()
                .unwrap()
        };
        let out = run();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("git: 2 new commits (2 in total)"));
        let out = run();
        assert!(String::from_utf8_lossy(&out.stderr).contains("git: 0 new commits (2 in total)"));
    }

    #[test]
    fn config_private_review_hosts_reach_sync_git() {
        let r = Repo::new();
        r.commit("X\n\nChange-Id: I4\nReviewed-on: https://gerrit.acme.com/c/p/+/1\n");
        let home = tempfile::tempdir().unwrap();
        let cfg = home.path().join("contrail.toml");
        std::fs::write(&cfg, "private_review_hosts = [\".acme.com\"]\n").unwrap();
        let db = home.path().join("out.sqlite");
        let out = contrail(home.path())
            .args(["sync", "--no-progress", "--config"])
            .arg(&cfg)
            .arg("--git")
            .arg(&r.path)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let store = Store::open_read_only(&db).unwrap();
        assert!(
            commits(&store)[0]
                .markers
                .contains(&"private_reviewed_on".to_string())
        );
    }
}
