//! Real-history traps (docs/git-import.md): small repositories built here, each reproducing a
//! shape met in public histories (bare mirrors without a config file, `.mailmap`, Copybara,
//! ShipIt/Phabricator and Gerrit messages, org-branch merges, legacy encodings, empty emails,
//! future dates, shallow clones), and what the git import stores for each. Incremental imports
//! are checked against a fresh full import of the same repository.

use contrail::domain::{Commit, PrVia};
use contrail::git;
use contrail::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const WEB_FLOW: &str = "GitHub <noreply@github.com>";
/// git's empty tree, written into every repository by [`Repo::new`].
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const T0: i64 = 1_700_000_000;

/// A throwaway repository: commits are written as raw objects (any ident, date, encoding),
/// or through `git` with fixed identities.
struct Repo {
    dir: tempfile::TempDir,
    path: PathBuf,
    tick: std::cell::Cell<i64>,
}

fn git_at(dir: &Path, home: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Alice Author")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "Alice Author")
        .env("GIT_COMMITTER_EMAIL", "alice@example.com")
        .env("GIT_AUTHOR_DATE", format!("{T0} +0000"))
        .env("GIT_COMMITTER_DATE", format!("{T0} +0000"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
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
        r.git_in(&["hash-object", "-t", "tree", "-w", "--stdin"], b"");
        r
    }

    fn git(&self, args: &[&str]) -> String {
        git_at(&self.path, self.dir.path(), args, None)
    }

    fn git_in(&self, args: &[&str], stdin: &[u8]) -> String {
        git_at(&self.path, self.dir.path(), args, Some(stdin))
    }

    fn head(&self) -> Option<String> {
        let out = Command::new("git")
            .args(["rev-parse", "-q", "--verify", "HEAD"])
            .current_dir(&self.path)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The tree of HEAD (files added with `git add` are kept), else the empty tree.
    fn tree(&self) -> String {
        match self.head() {
            Some(_) => self.git(&["write-tree"]),
            None => EMPTY_TREE.to_string(),
        }
    }

    /// A commit object with exactly these bytes for its idents and message, on top of HEAD
    /// (or of `parents`), made the new HEAD. Idents are `Name <email>` without the date.
    fn raw(&self, c: Raw<'_>) -> String {
        let t = self.tick.get() + 1;
        self.tick.set(t);
        let when = c.time.unwrap_or(T0 + t * 60);
        let mut obj: Vec<u8> = format!("tree {}\n", self.tree()).into_bytes();
        let parents: Vec<String> = match c.parents {
            Some(p) => p.iter().map(|s| s.to_string()).collect(),
            None => self.head().into_iter().collect(),
        };
        for p in parents {
            obj.extend_from_slice(format!("parent {p}\n").as_bytes());
        }
        obj.extend_from_slice(b"author ");
        obj.extend_from_slice(c.author);
        obj.extend_from_slice(format!(" {when} +0000\ncommitter ").as_bytes());
        obj.extend_from_slice(c.committer.unwrap_or(c.author));
        obj.extend_from_slice(format!(" {} +0000\n", when + c.commit_delay).as_bytes());
        if let Some(enc) = c.encoding {
            obj.extend_from_slice(format!("encoding {enc}\n").as_bytes());
        }
        obj.push(b'\n');
        obj.extend_from_slice(c.message);
        let sha = self.git_in(
            &[
                "hash-object",
                "-t",
                "commit",
                "-w",
                "--literally",
                "--stdin",
            ],
            &obj,
        );
        self.git(&["update-ref", "HEAD", &sha]);
        sha
    }

    /// A plain commit by `author` (committed by the author) with `message`.
    fn commit(&self, author: &str, message: &str) -> String {
        self.raw(Raw {
            author: author.as_bytes(),
            message: message.as_bytes(),
            ..Raw::default()
        })
    }

    fn commit_by(&self, author: &str, committer: &str, message: &str) -> String {
        self.raw(Raw {
            author: author.as_bytes(),
            committer: Some(committer.as_bytes()),
            message: message.as_bytes(),
            ..Raw::default()
        })
    }

    /// Add `.mailmap` with `text` to the tree (committed by the next commit).
    fn stage_mailmap(&self, text: &str) {
        std::fs::write(self.path.join(".mailmap"), text).unwrap();
        self.git(&["add", ".mailmap"]);
    }

    /// `git clone --bare` of this repository into `name`, optionally with its `config` file
    /// removed (what a copied object store looks like).
    fn bare_clone(&self, name: &str, keep_config: bool) -> PathBuf {
        let dest = self.dir.path().join(name);
        self.git(&[
            "clone",
            "-q",
            "--bare",
            self.path.to_str().unwrap(),
            dest.to_str().unwrap(),
        ]);
        if !keep_config {
            std::fs::remove_file(dest.join("config")).unwrap();
        }
        dest
    }

    /// A clone over `file://` (so `--depth` applies) into `name`.
    fn clone_with(&self, name: &str, args: &[&str]) -> PathBuf {
        let dest = self.dir.path().join(name);
        let url = format!("file://{}", self.path.display());
        let mut all = vec!["clone", "-q"];
        all.extend_from_slice(args);
        all.push(&url);
        all.push(dest.to_str().unwrap());
        self.git(&all);
        dest
    }
}

#[derive(Default, Clone, Copy)]
struct Raw<'a> {
    author: &'a [u8],
    committer: Option<&'a [u8]>,
    message: &'a [u8],
    encoding: Option<&'a str>,
    parents: Option<&'a [&'a str]>,
    /// Author time (unix seconds); default: one minute after the previous commit.
    time: Option<i64>,
    /// Committer time minus author time.
    commit_delay: i64,
}

fn import(path: &Path) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    git::import(&mut store, path).unwrap();
    store
}

fn commits(store: &Store) -> Vec<Commit> {
    store.dataset().unwrap().commits
}

/// The stored commits in walk order with `seq` replaced by the rank (an incremental import
/// numbers new commits below the old ones; the order is what matters).
fn normalized(store: &Store) -> Vec<Commit> {
    let mut cs = commits(store);
    cs.sort_by_key(|c| c.seq);
    for (i, c) in cs.iter_mut().enumerate() {
        c.seq = i as i64;
    }
    cs
}

fn by_subject<'a>(cs: &'a [Commit], subject: &str) -> &'a Commit {
    cs.iter()
        .find(|c| c.subject == subject)
        .unwrap_or_else(|| panic!("no commit {subject:?}"))
}

fn trailer<'a>(c: &'a Commit, key: &str) -> Vec<&'a str> {
    c.trailers
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Import `path` into `store` again and check the result equals a fresh full import.
fn assert_incremental_equals_full(store: &mut Store, path: &Path) -> git::ImportStats {
    let stats = git::import(store, path).unwrap();
    assert_eq!(normalized(store), normalized(&import(path)));
    stats
}

const JUNIO_MAILMAP: &str = "Junio C Hamano <gitster@pobox.com>\n\
     Junio C Hamano <gitster@pobox.com> <junkio@cox.net>\n\
     Junio C Hamano <gitster@pobox.com> Junio Hamano <JUNIO@twinsun.com>\n";

/// A mailing-list history where one maintainer appears under three addresses, as author,
/// committer and in trailers.
fn mailing_list_repo() -> Repo {
    let r = Repo::new();
    r.stage_mailmap(JUNIO_MAILMAP);
    r.commit("Junio C Hamano <gitster@pobox.com>", "Add .mailmap");
    r.commit_by(
        "Linus <torvalds@osdl.org>",
        "Junio C Hamano <junkio@cox.net>",
        "Fix the index\n\nSigned-off-by: Linus <torvalds@osdl.org>\n\
         Reviewed-by: Junio Hamano <junio@twinsun.com>\n\
         Acked-by: <junkio@cox.net>\n\
         Tested-by: junkio@cox.net\n\
         Co-authored-by: Junio C Hamano <junkio@cox.net>\n\
         Signed-off-by: Junio C Hamano <junkio@cox.net>\n",
    );
    r.commit("junio <junkio@cox.net>", "Self-applied");
    r
}

#[test]
fn mailmap_maps_authors_committers_and_every_trailer_identity() {
    let r = mailing_list_repo();
    let cs = commits(&import(&r.path));
    let junio = "Junio C Hamano <gitster@pobox.com>";
    let c = by_subject(&cs, "Fix the index");
    assert_eq!(
        (c.committer_name.as_str(), c.committer_email.as_str()),
        ("Junio C Hamano", "gitster@pobox.com")
    );
    for key in ["Reviewed-by", "Acked-by", "Tested-by", "Co-authored-by"] {
        assert_eq!(trailer(c, key), [junio], "{key}");
    }
    assert_eq!(
        trailer(c, "Signed-off-by"),
        ["Linus <torvalds@osdl.org>", junio],
        "an identity the mailmap does not name stays as written"
    );
    assert!(
        c.message.contains("Acked-by: <junkio@cox.net>"),
        "the message keeps the raw value"
    );
    let s = by_subject(&cs, "Self-applied");
    assert_eq!(
        (s.author_name.as_str(), s.author_email.as_str()),
        ("Junio C Hamano", "gitster@pobox.com")
    );
    assert_eq!(s.raw_author_email, "junkio@cox.net");
    assert!(!s.applied_by_other);
}

#[test]
fn a_bare_mirror_without_a_config_file_applies_head_mailmap() {
    let r = mailing_list_repo();
    let with_config = r.bare_clone("with-config.git", true);
    let without = r.bare_clone("mirror", false);
    assert!(!without.join("config").exists());
    let expected = normalized(&import(&r.path));
    assert_eq!(normalized(&import(&with_config)), expected);
    let got = normalized(&import(&without));
    assert_eq!(
        got, expected,
        "git reads HEAD:.mailmap in any bare repository"
    );
    let identities: std::collections::BTreeSet<(String, String)> = got
        .iter()
        .flat_map(|c| {
            [
                (c.author_name.clone(), c.author_email.clone()),
                (c.committer_name.clone(), c.committer_email.clone()),
            ]
        })
        .filter(|(n, _)| n.to_lowercase().contains("junio"))
        .collect();
    assert_eq!(
        identities.into_iter().collect::<Vec<_>>(),
        [(
            "Junio C Hamano".to_string(),
            "gitster@pobox.com".to_string()
        )]
    );
}

#[test]
fn a_changed_mailmap_reimports_and_matches_a_full_import() {
    let r = Repo::new();
    r.commit(
        "Bob <bob@old.example>",
        "One\n\nReviewed-by: Bob <bob@old.example>\n",
    );
    r.commit("Bob <bob@new.example>", "Two");
    let mut store = import(&r.path);
    // A committed .mailmap: HEAD moves, and every older row must be mapped too.
    r.stage_mailmap("Bob <bob@new.example> <bob@old.example>\n");
    r.commit("Bob <bob@new.example>", "Add .mailmap");
    let stats = assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(stats.reimported, Some(git::Reimport::MailmapChanged));
    assert_eq!(stats.new_commits, 1);
    let cs = commits(&store);
    assert_eq!(by_subject(&cs, "One").author_email, "bob@new.example");
    assert_eq!(
        trailer(by_subject(&cs, "One"), "Reviewed-by"),
        ["Bob <bob@new.example>"]
    );
    // An edit in the work tree only: HEAD is unchanged, the mapping is not.
    std::fs::write(
        r.path.join(".mailmap"),
        "Robert <bob@new.example> <bob@old.example>\nRobert <bob@new.example>\n",
    )
    .unwrap();
    let stats = assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(stats.reimported, Some(git::Reimport::MailmapChanged));
    assert_eq!(by_subject(&commits(&store), "Two").author_name, "Robert");
    // Nothing changed: a no-op.
    let stats = git::import(&mut store, &r.path).unwrap();
    assert_eq!((stats.new_commits, stats.reimported), (0, None));
}

#[test]
fn a_database_imported_by_an_older_version_is_reimported_once() {
    let r = mailing_list_repo();
    let mut store = import(&r.path);
    // What an older import left: no record of the rules or the mailmap it applied.
    store
        .conn()
        .execute_batch(
            "DELETE FROM sync_state WHERE key IN ('git.rules', 'git.mailmap');
             UPDATE commits SET trailers = '[]';",
        )
        .unwrap();
    let stats = assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(stats.reimported, Some(git::Reimport::RulesChanged));
    let again = git::import(&mut store, &r.path).unwrap();
    assert_eq!(again.reimported, None);
}

#[test]
fn unshallowing_reimports_the_history_behind_the_old_boundary() {
    let r = Repo::new();
    for i in 0..6 {
        r.commit("Alice <alice@example.com>", &format!("C{i}"));
    }
    let shallow = r.clone_with("shallow", &["--depth", "2"]);
    let mut store = import(&shallow);
    assert_eq!(commits(&store).len(), 2);
    git_at(
        &shallow,
        r.dir.path(),
        &["fetch", "-q", "--deepen", "1"],
        None,
    );
    let stats = assert_incremental_equals_full(&mut store, &shallow);
    assert_eq!(stats.reimported, Some(git::Reimport::AbsentParentsAppeared));
    assert_eq!(commits(&store).len(), 3);
    git_at(
        &shallow,
        r.dir.path(),
        &["fetch", "-q", "--unshallow"],
        None,
    );
    let stats = assert_incremental_equals_full(&mut store, &shallow);
    assert_eq!(stats.reimported, Some(git::Reimport::AbsentParentsAppeared));
    assert_eq!(commits(&store).len(), 6);
    assert_eq!(store.state(git::STATE_ABSENT).unwrap().as_deref(), Some(""));
}

/// The loose object file of `sha` in `repo`.
fn loose(repo: &Path, sha: &str) -> PathBuf {
    repo.join(".git/objects").join(&sha[..2]).join(&sha[2..])
}

#[test]
fn a_missing_parent_object_that_reappears_is_imported() {
    let r = Repo::new();
    let first = r.commit("Alice <alice@example.com>", "First");
    r.commit("Alice <alice@example.com>", "Second");
    r.commit("Alice <alice@example.com>", "Third");
    let object = loose(&r.path, &first);
    let saved = r.dir.path().join("saved-object");
    std::fs::rename(&object, &saved).unwrap();
    let mut store = import(&r.path);
    assert_eq!(commits(&store).len(), 2, "the missing commit is a boundary");

    // New commits on top while the object is still missing: still what a full import gives.
    r.commit("Alice <alice@example.com>", "Fourth");
    assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(commits(&store).len(), 3);

    std::fs::rename(&saved, &object).unwrap();
    let stats = assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(stats.reimported, Some(git::Reimport::AbsentParentsAppeared));
    assert_eq!(commits(&store).len(), 4);
}

#[test]
fn an_empty_email_author_is_kept_with_the_name() {
    let r = Repo::new();
    r.commit("zczhu <>", "Fix compaction stats");
    r.commit_by("Someone Else <>", "zczhu <>", "Applied for someone");
    r.commit_by(
        "zczhu <>",
        "Facebook GitHub Bot <facebook-github-bot@users.noreply.github.com>",
        "Fix more\n\nDifferential Revision: D1\n\nfbshipit-source-id: abc\n",
    );
    let cs = commits(&import(&r.path));
    let c = by_subject(&cs, "Fix compaction stats");
    assert_eq!(
        (
            c.author_name.as_str(),
            c.author_email.as_str(),
            c.raw_author_email.as_str()
        ),
        ("zczhu", "", "")
    );
    assert_eq!(
        (c.committer_name.as_str(), c.committer_email.as_str()),
        ("zczhu", "")
    );
    assert!(!c.applied_by_other);
    assert!(
        by_subject(&cs, "Applied for someone").applied_by_other,
        "two empty emails are told apart by name"
    );
    let bot = by_subject(&cs, "Fix more");
    assert_eq!(bot.author_name, "zczhu");
    assert!(bot.applied_by_other);
}

#[test]
fn declared_legacy_encodings_decode_names_and_messages() {
    let r = Repo::new();
    r.raw(Raw {
        author: b"Ren\xe9 Scharfe <rene@example.org>",
        committer: Some(b"J\xf6rg M\xfcller <joerg@example.org>"),
        message: b"Caf\xe9 au lait\n\nSigned-off-by: Ren\xe9 Scharfe <rene@example.org>\n",
        encoding: Some("ISO-8859-1"),
        ..Raw::default()
    });
    r.raw(Raw {
        author: b"\xf9\xec\xe5\xed <shalom@example.org>",
        message: b"\xf9\xec\xe5\xed\n",
        encoding: Some("iso-8859-8"),
        ..Raw::default()
    });
    r.raw(Raw {
        // Shift_JIS for a Japanese name.
        author: b"\x8e\x52\x93\x63 <yamada@example.jp>",
        message: b"\x8f\x43\x90\xb3\n",
        encoding: Some("Shift_JIS"),
        ..Raw::default()
    });
    r.raw(Raw {
        author: b"David_K\xe5gedal <davidk@example.se>",
        message: b"Undeclared legacy bytes\n",
        ..Raw::default()
    });
    let cs = commits(&import(&r.path));
    let c = by_subject(&cs, "Café au lait");
    assert_eq!(c.author_name, "René Scharfe");
    assert_eq!(c.committer_name, "Jörg Müller");
    assert_eq!(
        trailer(c, "Signed-off-by"),
        ["René Scharfe <rene@example.org>"]
    );
    assert_eq!(by_subject(&cs, "שלום").author_name, "שלום");
    assert_eq!(by_subject(&cs, "修正").author_name, "山田");
    // No declaration: git shows the bytes as they are; we replace what is not UTF-8.
    assert_eq!(
        by_subject(&cs, "Undeclared legacy bytes").author_name,
        "David_K\u{fffd}gedal"
    );
}

#[test]
fn a_future_dated_commit_is_stored_as_written() {
    let r = Repo::new();
    r.commit("Alice <alice@example.com>", "Normal");
    let year_2100 = 4_102_444_800;
    r.raw(Raw {
        author: b"Skewed Clock <skew@example.com>",
        message: b"From the future\n",
        time: Some(year_2100),
        commit_delay: -(year_2100 - T0 - 3600),
        ..Raw::default()
    });
    r.commit("Alice <alice@example.com>", "After");
    let cs = commits(&import(&r.path));
    let c = by_subject(&cs, "From the future");
    assert_eq!(c.author_time, year_2100);
    assert_eq!(c.committer_time, T0 + 3600);
    assert!(
        c.author_time > c.committer_time,
        "the analysis sees the skew"
    );
    // History order is kept: the skewed author date does not move the commit.
    let order: Vec<&str> = cs.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(order, ["After", "From the future", "Normal"]);
}

#[test]
fn copybara_mirror_shapes() {
    let r = Repo::new();
    let copybara = "Copybara-Service <copybara-worker@google.com>";
    r.commit_by(
        "Dana Dev <dana@google.com>",
        copybara,
        "Speed up the hash table\n\nPiperOrigin-RevId: 612345678\n\
         Change-Id: I0123456789abcdef0123456789abcdef01234567\n",
    );
    r.commit_by(
        "Olga Outside <olga@users.noreply.github.com>",
        copybara,
        "PR #1234: Fix a typo\n\nImported from GitHub PR https://github.com/acme/lib/pull/1234\n\n\
         Merging this change closes #1234\n\n\
         COPYBARA_INTEGRATE_REVIEW=https://github.com/acme/lib/pull/1234 from olga:typo 0123abcd\n\
         PiperOrigin-RevId: 612345679\n",
    );
    r.commit_by(
        "Dana Dev <dana@google.com>",
        "Dana Dev <dana@google.com>",
        "Export of internal changes\n\nProject import generated by Copybara.\n\nGitOrigin-RevId: abc\n",
    );
    let cs = commits(&import(&r.path));
    let internal = by_subject(&cs, "Speed up the hash table");
    assert_eq!(
        internal.markers,
        [
            "piper_origin_revid",
            "change_id_without_public_review",
            "sync_committer"
        ]
    );
    assert_eq!((internal.pr_number, internal.imported_pr), (None, None));
    assert!(internal.applied_by_other);
    let imported = by_subject(&cs, "PR #1234: Fix a typo");
    assert_eq!(imported.imported_pr, Some(1234));
    assert_eq!(imported.pr_number, None);
    assert_eq!(
        imported.markers,
        ["piper_origin_revid", "sync_message", "sync_committer"]
    );
    let export = by_subject(&cs, "Export of internal changes");
    assert_eq!(export.markers, ["git_origin_revid", "sync_message"]);
}

#[test]
fn shipit_phabricator_shapes() {
    let r = Repo::new();
    let bot = "Facebook GitHub Bot <facebook-github-bot@users.noreply.github.com>";
    r.commit_by(
        "Paula Public <paula@example.org>",
        bot,
        "Fix iterator bound (#13000)\n\nSummary:\nThe bound was off by one.\n\n\
         Pull Request resolved: https://github.com/facebook/rocksdb/pull/13000\n\n\
         Reviewed By: ajkr, siying\n\nDifferential Revision: D65000000\n\n\
         fbshipit-source-id: 0123456789abcdef\n",
    );
    r.commit_by(
        "Ed Employee <ed@meta.com>",
        "meta-codesync[bot] <215208954+meta-codesync[bot]@users.noreply.github.com>",
        "Internal cleanup\n\nSummary: Remove dead code.\n\nReviewed By: pdillinger\n\n\
         Differential Revision: D65000001\n\nfbshipit-source-id: fedcba9876543210\n",
    );
    let cs = commits(&import(&r.path));
    let public = by_subject(&cs, "Fix iterator bound (#13000)");
    assert_eq!(
        (public.pr_number, public.pr_via),
        (Some(13000), Some(PrVia::Resolved))
    );
    assert_eq!(
        public.markers,
        [
            "differential_revision",
            "phabricator_reviewed_by",
            "shipit_source_id",
            "sync_committer"
        ]
    );
    assert_eq!(trailer(public, "Reviewed By"), ["ajkr, siying"]);
    let internal = by_subject(&cs, "Internal cleanup");
    assert_eq!(internal.pr_number, None);
    assert!(internal.markers.iter().any(|m| m == "sync_committer"));
}

#[test]
fn gerrit_review_on_a_public_host_is_public_review() {
    let r = Repo::new();
    r.commit_by(
        "Gina Gopher <gina@example.com>",
        "Gopher Robot <gobot@golang.org>",
        "term: handle resize\n\nChange-Id: I0b76812d68694253545dc97b2806bd5ee04c40ad\n\
         Reviewed-on: https://go-review.googlesource.com/c/term/+/798141\n\
         Reviewed-by: Rita Reviewer <rita@google.com>\n\
         Auto-Submit: Gina Gopher <gina@example.com>\n\
         LUCI-TryBot-Result: Go LUCI <golang-scoped@luci-project-accounts.iam.gserviceaccount.com>\n",
    );
    r.commit(
        "Ivan Insider <ivan@corp.example>",
        "internal: tweak\n\nChange-Id: I1111111111111111111111111111111111111111\n\
         Reviewed-on: https://gerrit.corp.example.com/c/x/+/1\n",
    );
    let cs = commits(&import(&r.path));
    let public = by_subject(&cs, "term: handle resize");
    assert!(public.markers.is_empty(), "{:?}", public.markers);
    assert_eq!(
        trailer(public, "Reviewed-by"),
        ["Rita Reviewer <rita@google.com>"]
    );
    assert!(public.applied_by_other, "the submit robot committed it");
    let private = by_subject(&cs, "internal: tweak");
    assert_eq!(
        private.markers,
        ["change_id_without_public_review", "private_reviewed_on"]
    );
}

#[test]
fn org_branch_merge_is_stored_as_a_pr_merge_with_its_branch_commits() {
    let r = Repo::new();
    let base = r.commit("Tao Maintainer <tao@taosdata.com>", "Base");
    let work = r.raw(Raw {
        author: b"Tao Maintainer <tao@taosdata.com>",
        message: b"feat: add stmt2\n",
        parents: Some(&[base.as_str()]),
        ..Raw::default()
    });
    let main = r.raw(Raw {
        author: b"Other Dev <other@taosdata.com>",
        message: b"docs: readme\n",
        parents: Some(&[base.as_str()]),
        ..Raw::default()
    });
    r.raw(Raw {
        author: b"Tao Maintainer <tao@taosdata.com>",
        committer: Some(WEB_FLOW.as_bytes()),
        message: b"Merge pull request #42 from taosdata/feat/stmt2\n\nfeat: add stmt2\n",
        parents: Some(&[main.as_str(), work.as_str()]),
        ..Raw::default()
    });
    let cs = commits(&import(&r.path));
    let merge = by_subject(&cs, "Merge pull request #42 from taosdata/feat/stmt2");
    assert_eq!(
        (merge.pr_number, merge.pr_via, merge.parent_count),
        (Some(42), Some(PrVia::MergeCommit), 2)
    );
    assert_eq!(
        merge.author_email, "tao@taosdata.com",
        "the merger, not the org"
    );
    assert!(
        !merge.applied_by_other,
        "the web flow committer does not count"
    );
    let side = by_subject(&cs, "feat: add stmt2");
    assert_eq!(
        (side.pr_number, side.pr_via),
        (Some(42), Some(PrVia::MergedBranch))
    );
    assert_eq!(by_subject(&cs, "docs: readme").pr_number, None);
}

#[test]
fn change_id_on_commits_that_came_through_a_public_pr_is_no_marker() {
    let r = Repo::new();
    let change = "Change-Id: I2222222222222222222222222222222222222222";
    r.commit_by(
        "Xin <xin@example.com>",
        WEB_FLOW,
        &format!("feat(services/tos): add list support (#7536)\n\n{change}\n"),
    );
    let base = r.commit(
        "Xin <xin@example.com>",
        &format!("Direct push\n\n{change}\n"),
    );
    let side = r.raw(Raw {
        author: b"Xin <xin@example.com>",
        message: format!("On the PR branch\n\n{change}\n").as_bytes(),
        parents: Some(&[base.as_str()]),
        ..Raw::default()
    });
    r.raw(Raw {
        author: b"Mia <mia@example.com>",
        committer: Some(WEB_FLOW.as_bytes()),
        message: b"Merge pull request #7 from xin/branch\n",
        parents: Some(&[base.as_str(), side.as_str()]),
        ..Raw::default()
    });
    let cs = commits(&import(&r.path));
    assert!(
        by_subject(&cs, "feat(services/tos): add list support (#7536)")
            .markers
            .is_empty()
    );
    let side = by_subject(&cs, "On the PR branch");
    assert_eq!(side.pr_via, Some(PrVia::MergedBranch));
    assert!(side.markers.is_empty(), "{:?}", side.markers);
    assert_eq!(
        by_subject(&cs, "Direct push").markers,
        ["change_id_without_public_review"]
    );
}

/// `count` commits through `git fast-import`: subjects `Change i`, author `Alice`.
fn bulk(r: &Repo, count: usize) {
    let mut script = String::new();
    let head = r.head();
    for i in 0..count {
        let t = T0 + 10_000 + i as i64 * 60;
        script.push_str(&format!(
            "commit refs/heads/main\ncommitter Alice <alice@example.com> {t} +0000\n\
             data <<EOM\nChange {i}\nEOM\n"
        ));
        if i == 0
            && let Some(h) = &head
        {
            script.push_str(&format!("from {h}\n"));
        }
        script.push('\n');
    }
    r.git_in(&["fast-import", "--quiet"], script.as_bytes());
}

#[test]
fn squash_subjects_count_as_prs_through_web_flow_or_where_they_are_common() {
    let r = Repo::new();
    bulk(&r, 300);
    r.commit(
        "Linus <linus@example.org>",
        "Log message printout cleanups (#2)",
    );
    r.commit_by(
        "Pat <pat@users.noreply.github.com>",
        WEB_FLOW,
        "Fix the build (#77)",
    );
    let mut store = import(&r.path);
    let cs = commits(&store);
    let part = by_subject(&cs, "Log message printout cleanups (#2)");
    assert_eq!(
        (part.pr_number, part.pr_via),
        (None, None),
        "2 of 302 subjects: a part number"
    );
    assert_eq!(
        by_subject(&cs, "Fix the build (#77)").pr_number,
        Some(77),
        "web flow"
    );

    // Two more local squash subjects make them 4 of 304 (over 1 %): every one counts now,
    // the ones imported earlier included.
    r.commit("Lee <lee@example.org>", "Add x (#80)");
    r.commit("Lee <lee@example.org>", "Add y (#81)");
    let stats = assert_incremental_equals_full(&mut store, &r.path);
    assert_eq!(stats.reimported, Some(git::Reimport::SquashShareCrossed));
    assert_eq!(stats.new_commits, 2);
    let cs = commits(&store);
    let part = by_subject(&cs, "Log message printout cleanups (#2)");
    assert_eq!(
        (part.pr_number, part.pr_via),
        (Some(2), Some(PrVia::Squash))
    );
    assert_eq!(by_subject(&cs, "Add y (#81)").pr_number, Some(81));
}

#[test]
fn sync_phrases_mark_a_subject_or_a_line_of_their_own_not_prose() {
    let r = Repo::new();
    r.commit("A <a@example.com>", "Release 2.0 code drop");
    r.commit(
        "A <a@example.com>",
        "git-multimail: update to version 1.0.0\n\nUpstream prefers one code drop over a series,\n\
         so this imports it as one.\n",
    );
    r.commit(
        "A <a@example.com>",
        "Refresh\n\nSync from internal repository at 1234.\n",
    );
    let cs = commits(&import(&r.path));
    assert_eq!(
        by_subject(&cs, "Release 2.0 code drop").markers,
        ["sync_message"]
    );
    assert!(
        by_subject(&cs, "git-multimail: update to version 1.0.0")
            .markers
            .is_empty()
    );
    assert_eq!(by_subject(&cs, "Refresh").markers, ["sync_message"]);
}

/// git's own reading of `sha`'s trailers (`git log --format=%(trailers:only,unfold)`).
fn git_trailers(r: &Repo, sha: &str) -> Vec<(String, String)> {
    let out = r.git(&[
        "log",
        "-1",
        "--format=%(trailers:only,unfold,separator=%x00,key_value_separator=%x01)",
        sha,
    ]);
    out.split('\0')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('\x01').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn a_trailer_line_glued_to_the_next_is_read_as_git_reads_it() {
    // The shape of 14 commits of 2010 in git/git (e.g. 41ae8f1d6c): the line break between
    // two trailers was lost and the address's `>` ended up on a line of its own.
    let r = Repo::new();
    r.stage_mailmap("Ævar Arnfjörð Bjarmason <avarab@gmail.com>\n");
    let glued = r.commit(
        "Ævar Arnfjörð Bjarmason <avarab@gmail.com>",
        "send-email: Don't sanitize the address\n\n\
         It was there already so I haven't changed the behavior.\n\n\
         Signed-off-by: Ævar Arnfjörð Bjarmason <avarab@gmail.comReviewed-by: Avery Pennarun <apenwarr@gmail.com>\n\
         Reviewed-by: Jeff King <peff@peff.net>\n\
         >\n\
         Signed-off-by: Junio C Hamano <gitster@pobox.com>\n",
    );
    // Continuation lines start with whitespace; the next key starts a new trailer.
    let folded = r.commit(
        "Bob <bob@example.com>",
        "Fold\n\nSigned-off-by: Bob\n  <bob@example.com> (v2)\nReviewed-by: Carol <carol@example.com>\n",
    );
    let cs = commits(&import(&r.path));
    let find = |sha: &str| cs.iter().find(|c| c.sha == sha).unwrap();
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let g = find(&glued);
    assert_eq!(g.trailers, git_trailers(&r, &glued), "git's own reading");
    assert_eq!(
        g.trailers,
        pairs(&[
            (
                "Signed-off-by",
                "Ævar Arnfjörð Bjarmason <avarab@gmail.comReviewed-by: Avery Pennarun <apenwarr@gmail.com>",
            ),
            ("Reviewed-by", "Jeff King <peff@peff.net>"),
            ("Signed-off-by", "Junio C Hamano <gitster@pobox.com>"),
        ])
    );
    assert_eq!(
        git::trailer_identity(&g.trailers[0].1),
        None,
        "a glued value is not one person's address"
    );
    let f = find(&folded);
    assert_eq!(f.trailers, git_trailers(&r, &folded), "git's own reading");
    assert_eq!(
        f.trailers,
        pairs(&[
            ("Signed-off-by", "Bob <bob@example.com> (v2)"),
            ("Reviewed-by", "Carol <carol@example.com>"),
        ])
    );
}
