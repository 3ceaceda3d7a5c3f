//! The import itself: walk HEAD's history with libgit2, turn each commit into a
//! [`Commit`], and write batches to the store.
//!
//! Incremental: the imported head is the watermark (`sync_state` `git.head`, written last, in
//! the final transaction). The next run walks only commits the old head does not reach and
//! upserts them. When the old head is no longer an ancestor of HEAD (force push), or is reached
//! only through a side parent (merged-branch attribution of old commits may change), the run is
//! a full import instead: its first transaction empties the commit tables and clears the
//! watermark, and the whole history is written again. A killed import therefore leaves either
//! the old watermark with its rows intact plus some new rows (redone by upsert next time), or
//! no watermark (the next run is a full import).
//!
//! An incremental import must leave what a full one would, so a run is also a full import when
//! what the stored rows were derived from has changed (docs/git-import.md, "Incremental
//! import"): the `.mailmap` text (its hash, `git.mailmap`), a parent that was absent and is now
//! present (`git.absent_parents`: `git fetch --unshallow`, a repaired repository), an object
//! the incremental walk needs that is missing, the share of `(#N)` subjects crossing the
//! threshold that makes them PR references (`git.squash_subjects`), or the import rules of
//! this version of contrail (`git.rules`).
//!
//! The reading and writing itself is in `pipeline.rs`; this file decides what to import and
//! records the result.

use super::ImportStats;
use super::mailmap;
use super::markers::PrivateHosts;
use super::pipeline::{Job, Walked, produce_and_write};
use super::refs::squash_refs_plausible;
use super::walk;
use crate::domain::PrVia;
use crate::error::{Error, Result};
use crate::store::{CommitKey, GitWriter, Store};
use git2::{Oid, Repository};
use std::collections::HashSet;
use std::path::Path;

/// `sync_state` key of the imported head sha (the watermark).
pub const STATE_HEAD: &str = "git.head";
/// `sync_state` key of the smallest `seq` stored, so new commits sort before older ones.
pub const STATE_SEQ_MIN: &str = "git.seq_min";
/// `sync_state` key of the hash of the `.mailmap` text the stored rows were mapped with.
pub const STATE_MAILMAP: &str = "git.mailmap";
/// `sync_state` key of the parents the import met that were not in the repository
/// (comma-separated hex ids).
pub const STATE_ABSENT: &str = "git.absent_parents";
/// `sync_state` key of the stored history's `(#N)`-subject count and non-merge count
/// (`"shaped non_merge"`).
pub const STATE_SQUASH: &str = "git.squash_subjects";
/// `sync_state` key of the import rules version the stored rows were derived with.
pub const STATE_RULES: &str = "git.rules";
/// Bumped whenever the import derives something differently from the same commits, so the
/// next sync re-imports rather than mixing old and new rows.
const RULES_VERSION: &str = "2";

/// Knobs of the import; `Default` is what `contrail sync --git` uses.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Review hosts to treat as private on top of the built-in rules (see [`PrivateHosts`]).
    pub private_hosts: PrivateHosts,
    /// Commits per transaction (at least). Rows are written as the walk produces them; few
    /// large transactions are faster than many small ones (each commit writes the pages it
    /// touched, and the last transaction's merged-branch updates to rows of earlier ones go
    /// through the rollback journal). A full import is redone from scratch after a failure
    /// anyway, so the default makes it one transaction for all but huge histories; SQLite
    /// spills pages beyond its cache to the file.
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            private_hosts: PrivateHosts::default(),
            batch_size: 1_000_000,
        }
    }
}

/// Why a run re-imported the whole history although HEAD still contains the old head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reimport {
    MailmapChanged,
    AbsentParentsAppeared,
    MissingObject,
    SquashShareCrossed,
    RulesChanged,
}

impl std::fmt::Display for Reimport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reimport::MailmapChanged => ".mailmap changed",
            Reimport::AbsentParentsAppeared => {
                "commits missing before are now present (unshallowed or repaired)"
            }
            Reimport::MissingObject => "an object the incremental walk needs is missing",
            Reimport::SquashShareCrossed => {
                "\"(#N)\" subjects crossed the share that makes them PRs"
            }
            Reimport::RulesChanged => "this contrail version imports differently",
        })
    }
}

enum Plan {
    /// Replace the stored commits with everything reachable from HEAD.
    Full {
        rewritten: bool,
        reason: Option<Reimport>,
    },
    /// Walk only what the old head does not reach.
    Incremental { old: Oid },
}

pub(super) fn open_repo(path: &Path) -> Result<Repository> {
    Repository::open(path).map_err(|e| Error::git_open(path, &e))
}

pub(super) fn head_id(repo: &Repository, path: &Path) -> Result<Oid> {
    let head = repo
        .head()
        .map_err(|_| Error::EmptyRepo(path.to_path_buf()))?;
    Ok(head.peel_to_commit()?.id())
}

/// What the stored rows were derived from, as recorded by the last import.
struct Recorded {
    mailmap: Option<String>,
    absent: Vec<Oid>,
    /// (`(#N)` subjects, non-merge commits) over the stored history.
    squash: (u64, u64),
    rules: Option<String>,
}

impl Recorded {
    fn read(store: &Store) -> Result<Recorded> {
        let absent = store
            .state(STATE_ABSENT)?
            .unwrap_or_default()
            .split(',')
            .filter_map(|h| Oid::from_str(h).ok())
            .collect();
        let squash = store
            .state(STATE_SQUASH)?
            .and_then(|v| {
                let (a, b) = v.split_once(' ')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .unwrap_or((0, 0));
        Ok(Recorded {
            mailmap: store.state(STATE_MAILMAP)?,
            absent,
            squash,
            rules: store.state(STATE_RULES)?,
        })
    }

    /// Why rows derived from this record would differ from a fresh import's, if they would.
    fn stale(&self, repo: &Repository, mailmap_hash: &str) -> Result<Option<Reimport>> {
        if self.rules.as_deref() != Some(RULES_VERSION) {
            return Ok(Some(Reimport::RulesChanged));
        }
        if self.mailmap.as_deref() != Some(mailmap_hash) {
            return Ok(Some(Reimport::MailmapChanged));
        }
        let odb = repo.odb()?;
        if self.absent.iter().any(|o| odb.exists(*o)) {
            return Ok(Some(Reimport::AbsentParentsAppeared));
        }
        Ok(None)
    }
}

pub fn run(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportStats> {
    match run_once(store, path, opts, None)? {
        Outcome::Done(stats) => Ok(stats),
        // The new commits moved the `(#N)` share across the threshold: every stored squash
        // subject changes meaning, so derive them all again.
        Outcome::SquashShareCrossed(first) => {
            let mut stats = match run_once(store, path, opts, Some(Reimport::SquashShareCrossed))? {
                Outcome::Done(s) | Outcome::SquashShareCrossed(s) => s,
            };
            stats.new_commits = first.new_commits;
            Ok(stats)
        }
    }
}

enum Outcome {
    Done(ImportStats),
    SquashShareCrossed(ImportStats),
}

fn run_once(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    force_full: Option<Reimport>,
) -> Result<Outcome> {
    tracing::debug!("git: import starts");
    let repo = open_repo(path)?;
    let head = head_id(&repo, path)?;
    let head_hex = head.to_string();
    let source = mailmap::load(&repo);
    let old = store.state(STATE_HEAD)?;
    let recorded = Recorded::read(store)?;
    let stale = match force_full {
        Some(r) => Some(r),
        None if old.is_some() => recorded.stale(&repo, &source.hash)?,
        None => None,
    };
    if old.as_deref() == Some(head_hex.as_str()) && stale.is_none() {
        return Ok(Outcome::Done(ImportStats {
            new_commits: 0,
            total_commits: store.commit_count()? as u64,
            ..ImportStats::default()
        }));
    }

    let mut plan = match old.as_deref().and_then(|s| Oid::from_str(s).ok()) {
        None if old.is_none() => Plan::Full {
            rewritten: false,
            reason: None,
        },
        Some(o) if repo.find_commit(o).is_ok() && repo.graph_descendant_of(head, o)? => match stale
        {
            Some(reason) => Plan::Full {
                rewritten: false,
                reason: Some(reason),
            },
            None => Plan::Incremental { old: o },
        },
        Some(o) if o == head => Plan::Full {
            rewritten: false,
            reason: stale,
        },
        _ => Plan::Full {
            rewritten: true,
            reason: None,
        },
    };

    // git itself does not re-hash objects it reads; libgit2 does by default (SHA-1 with
    // collision detection on every commit). Reading history for analysis does not need it: a
    // corrupt object still fails to parse.
    git2::opts::strict_hash_verification(false);
    let _no_cache = NoObjectCache::new();
    let started = std::time::Instant::now();
    let mut seq_base = 0;
    if let Plan::Incremental { old } = plan {
        let new: std::result::Result<Vec<Oid>, git2::Error> =
            walk::revwalk(&repo, head, Some(old))?.collect();
        match new {
            Ok(new) if old_head_on_first_parent_chain(&repo, head, old, &new)? => {
                let min = match store.state(STATE_SEQ_MIN)? {
                    Some(s) => s.parse::<i64>().unwrap_or(0),
                    None => store.min_commit_seq()?.unwrap_or(0),
                };
                seq_base = min - new.len() as i64;
            }
            // The old head is reached only through a side parent: merged-branch attribution
            // of older commits may change, so re-derive it from the whole history.
            Ok(_) => {
                plan = Plan::Full {
                    rewritten: false,
                    reason: None,
                }
            }
            // libgit2's walk stops at an object that is not there; the full walk treats it
            // as a boundary, as git does.
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                plan = Plan::Full {
                    rewritten: false,
                    reason: Some(Reimport::MissingObject),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (hide, stored_before) = match plan {
        Plan::Full { .. } => (None, store.commit_shas()?),
        Plan::Incremental { old } => (Some(old), HashSet::new()),
    };
    let replace_all = matches!(plan, Plan::Full { .. });
    let record = Record {
        head: Head {
            sha: head_hex,
            branch: repo
                .head()
                .ok()
                .filter(|h| h.is_branch())
                .and_then(|h| h.shorthand().ok().map(str::to_string)),
            git_path: std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string(),
        },
        mailmap_hash: source.hash.clone(),
        prior_squash: if replace_all { (0, 0) } else { recorded.squash },
        prior_absent: if replace_all {
            Vec::new()
        } else {
            recorded.absent.clone()
        },
    };
    drop(repo);

    let job = Job {
        head,
        hide,
        seq_base,
        replace_all,
        mailmap: mailmap::Mailmap::parse(&source.text),
    };
    let walked = produce_and_write(store, path, job, opts, |c, walked| {
        finish(c, walked, seq_base, &record)
    })?;
    tracing::debug!(commits = walked.oids.len(), elapsed = ?started.elapsed(), "git: commits read and written");
    let new_commits = if stored_before.is_empty() {
        walked.oids.len() as u64
    } else {
        walked
            .oids
            .iter()
            .filter(|o| !stored_before.contains(&o.to_string()))
            .count() as u64
    };

    tracing::debug!(elapsed = ?started.elapsed(), "git: import finished");
    let (rewritten, reimported) = match plan {
        Plan::Full { rewritten, reason } => (rewritten, reason),
        Plan::Incremental { .. } => (false, None),
    };
    let stats = ImportStats {
        new_commits,
        total_commits: store.commit_count()? as u64,
        rewritten,
        reimported,
    };
    let before = squash_refs_plausible(record.prior_squash.0, record.prior_squash.1);
    let (shaped, non_merge) = squash_total(&record, &walked);
    if !replace_all && before != squash_refs_plausible(shaped, non_merge) {
        return Ok(Outcome::SquashShareCrossed(stats));
    }
    Ok(Outcome::Done(stats))
}

/// libgit2's object cache off while importing: a full walk reads each commit once, so caching
/// only costs time and memory (~10% of an import's CPU). Restored to libgit2's default (on)
/// when dropped. The switch is process-wide; other libgit2 users only lose a speed-up.
struct NoObjectCache;

impl NoObjectCache {
    fn new() -> NoObjectCache {
        git2::opts::enable_caching(false);
        NoObjectCache
    }
}

impl Drop for NoObjectCache {
    fn drop(&mut self) {
        git2::opts::enable_caching(true);
    }
}

/// What the watermark and the `repository` row record about HEAD.
struct Head {
    sha: String,
    branch: Option<String>,
    git_path: String,
}

/// What the final transaction records besides the rows.
struct Record {
    head: Head,
    mailmap_hash: String,
    /// The stored history's counts before this run (zero for a full import).
    prior_squash: (u64, u64),
    /// Absent parents recorded before this run (none for a full import).
    prior_absent: Vec<Oid>,
}

/// `(#N)` subjects and non-merge commits of the stored history after this run.
fn squash_total(record: &Record, walked: &Walked) -> (u64, u64) {
    (
        record.prior_squash.0 + walked.pending.squash_shaped,
        record.prior_squash.1 + walked.pending.non_merge,
    )
}

/// Walk index `i` as a row key: rows of a bulk import have rowid = walk index + 1; others are
/// found by sha (written into `buf`).
fn commit_key<'a>(walked: &Walked, i: usize, buf: &'a mut String) -> CommitKey<'a> {
    if walked.by_rowid {
        CommitKey::Rowid(i as i64 + 1)
    } else {
        *buf = walked.oids[i].to_string();
        CommitKey::Sha(buf)
    }
}

/// The end of the last transaction (the one that wrote the last rows, so the pages it updates
/// are still in the page cache and, in a full import, need no journal): tentative squash
/// references, merged-branch PRs, the markers of commits that turned out to come through a
/// public PR, then what the rows were derived from, and the watermark last.
fn finish(c: &GitWriter<'_>, walked: &Walked, seq_base: i64, record: &Record) -> Result<()> {
    let mut buf = String::new();
    let mut got_pr: HashSet<usize> = HashSet::new();
    let (shaped, non_merge) = squash_total(record, walked);
    if squash_refs_plausible(shaped, non_merge) {
        for &(i, n) in &walked.pending.squash {
            if c.set_commit_pr_if_none(commit_key(walked, i, &mut buf), n, PrVia::Squash)? {
                got_pr.insert(i);
            }
        }
    }
    let mut updated = 0;
    for (i, owner) in walked.owners.iter().enumerate() {
        if let Some(n) = *owner
            && !walked.own_pr[i]
            && c.set_commit_pr_if_none(commit_key(walked, i, &mut buf), n, PrVia::MergedBranch)?
        {
            updated += 1;
            got_pr.insert(i);
        }
    }
    tracing::debug!(updated, "git: merged-branch attributions updated");
    for (i, markers) in &walked.pending.change_id {
        if got_pr.contains(i) {
            c.set_commit_markers(commit_key(walked, *i, &mut buf), markers)?;
        }
    }
    if !walked.oids.is_empty() {
        c.set_state(STATE_SEQ_MIN, &seq_base.to_string())?;
    }
    c.set_repository_head(
        &record.head.git_path,
        record.head.branch.as_deref(),
        &record.head.sha,
    )?;
    let mut absent: Vec<String> = record
        .prior_absent
        .iter()
        .chain(&walked.absent)
        .map(Oid::to_string)
        .collect();
    absent.sort();
    absent.dedup();
    c.set_state(STATE_ABSENT, &absent.join(","))?;
    c.set_state(STATE_SQUASH, &format!("{shaped} {non_merge}"))?;
    c.set_state(STATE_MAILMAP, &record.mailmap_hash)?;
    c.set_state(STATE_RULES, RULES_VERSION)?;
    c.set_state(STATE_HEAD, &record.head.sha)
}

/// Whether following first parents from `head` through the new commits reaches `old`.
fn old_head_on_first_parent_chain(
    repo: &Repository,
    head: Oid,
    old: Oid,
    new: &[Oid],
) -> Result<bool> {
    let new: HashSet<Oid> = new.iter().copied().collect();
    let mut c = head;
    loop {
        let Some(p) = repo.find_commit(c)?.parent_ids().next() else {
            return Ok(false);
        };
        if p == old {
            return Ok(true);
        }
        if !new.contains(&p) {
            return Ok(false);
        }
        c = p;
    }
}
