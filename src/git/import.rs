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
//! The reading and writing itself is in `pipeline.rs`; this file decides what to import and
//! records the result.

use super::ImportStats;
use super::markers::PrivateHosts;
use super::pipeline::{Walked, produce_and_write};
use super::walk;
use crate::domain::PrVia;
use crate::error::{Error, Result};
use crate::store::{self, Store};
use git2::{Oid, Repository};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
use std::path::Path;

/// `sync_state` key of the imported head sha (the watermark).
pub const STATE_HEAD: &str = "git.head";
/// `sync_state` key of the smallest `seq` stored, so new commits sort before older ones.
pub const STATE_SEQ_MIN: &str = "git.seq_min";

/// SQLite page cache during an import, as `PRAGMA cache_size` wants it (negative = KiB): 256 MiB.
const IMPORT_CACHE_KIB: i64 = -256 * 1024;

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

enum Plan {
    /// Replace the stored commits with everything reachable from HEAD.
    Full { rewritten: bool },
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

pub fn run(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportStats> {
    tracing::debug!("git: import starts");
    let repo = open_repo(path)?;
    let head = head_id(&repo, path)?;
    let head_hex = head.to_string();
    let old = store.state(STATE_HEAD)?;
    if old.as_deref() == Some(head_hex.as_str()) {
        return Ok(ImportStats {
            new_commits: 0,
            total_commits: count_commits(store)?,
            rewritten: false,
        });
    }

    let mut plan = match old.as_deref().and_then(|s| Oid::from_str(s).ok()) {
        None if old.is_none() => Plan::Full { rewritten: false },
        None => Plan::Full { rewritten: true },
        Some(o) if repo.find_commit(o).is_ok() && repo.graph_descendant_of(head, o)? => {
            Plan::Incremental { old: o }
        }
        Some(_) => Plan::Full { rewritten: true },
    };

    // git itself does not re-hash objects it reads; libgit2 does by default (SHA-1 with
    // collision detection on every commit). Reading history for analysis does not need it: a
    // corrupt object still fails to parse.
    git2::opts::strict_hash_verification(false);
    let _no_cache = NoObjectCache::new();
    let started = std::time::Instant::now();
    let mut seq_base = 0;
    if let Plan::Incremental { old } = plan {
        let new: Vec<Oid> =
            walk::revwalk(&repo, head, Some(old))?.collect::<std::result::Result<_, _>>()?;
        if old_head_on_first_parent_chain(&repo, head, old, &new)? {
            let min = match store.state(STATE_SEQ_MIN)? {
                Some(s) => s.parse::<i64>().unwrap_or(0),
                None => store
                    .conn()
                    .query_row("SELECT min(seq) FROM commits", [], |r| {
                        r.get::<_, Option<i64>>(0)
                    })?
                    .unwrap_or(0),
            };
            seq_base = min - new.len() as i64;
        } else {
            // The old head is reached only through a side parent: merged-branch attribution
            // of older commits may change, so re-derive it from the whole history.
            plan = Plan::Full { rewritten: false };
        }
    }
    let (hide, stored_before) = match plan {
        Plan::Full { .. } => (None, stored_shas(store)?),
        Plan::Incremental { old } => (Some(old), HashSet::new()),
    };
    let head_ref = Head {
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
    };
    drop(repo);

    let replace_all = matches!(plan, Plan::Full { .. });
    let walked = produce_and_write(
        store,
        path,
        (head, hide),
        seq_base,
        replace_all,
        opts,
        |c, walked| finish(c, walked, seq_base, &head_ref),
    )?;
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
    Ok(ImportStats {
        new_commits,
        total_commits: count_commits(store)?,
        rewritten: matches!(plan, Plan::Full { rewritten: true }),
    })
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

/// The end of the last transaction (the one that wrote the last rows, so the pages it updates
/// are still in the page cache and, in a full import, need no journal): merged-branch PRs,
/// then the watermark.
fn finish(c: &Connection, walked: &Walked, seq_base: i64, head: &Head) -> Result<()> {
    {
        let mut by_sha = c.prepare_cached(
            "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE sha = ?3 AND pr_number IS NULL",
        )?;
        let mut by_rowid = c.prepare_cached(
            "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE rowid = ?3 AND pr_number IS NULL",
        )?;
        let via = PrVia::MergedBranch.as_str();
        let mut updated = 0;
        for (i, owner) in walked.owners.iter().enumerate() {
            if let Some(n) = owner
                && !walked.own_pr[i]
            {
                updated += if walked.by_rowid {
                    by_rowid.execute(params![*n as i64, via, i as i64 + 1])?
                } else {
                    by_sha.execute(params![*n as i64, via, walked.oids[i].to_string()])?
                };
            }
        }
        tracing::debug!(updated, "git: merged-branch attributions updated");
    }
    if !walked.oids.is_empty() {
        store::set_state(c, STATE_SEQ_MIN, &seq_base.to_string())?;
    }
    store::set_repository(
        c,
        None,
        Some(&head.git_path),
        head.branch.as_deref(),
        Some(&head.sha),
        None,
    )?;
    store::set_state(c, STATE_HEAD, &head.sha)
}

/// Connection settings suited to a bulk write, set by [`ImportPragmas::set`] and put back by
/// [`ImportPragmas::restore`] (pragmas only take effect outside a transaction, so they cannot
/// live in one). The pipeline sets them once the reader thread is running, so their disk
/// syncs overlap the first reads.
///
/// - A 256 MiB page cache (memory only): with SQLite's default 2 MB most inserts would spill
///   pages and read them back.
/// - For a full import, a rollback journal instead of WAL: WAL writes every page twice (into
///   the WAL, then into the database at the checkpoint); a rollback journal writes a page
///   beyond the file's original end once, and a full import mostly creates such pages. Both
///   modes are crash-safe, and `Store::open` sets WAL again anyway. If another connection has
///   the database open the switch fails harmlessly and WAL stays.
pub(super) struct ImportPragmas {
    cache: i64,
    journal: Option<String>,
}

impl ImportPragmas {
    pub(super) fn set(store: &Store, replace_all: bool) -> Result<ImportPragmas> {
        let conn = store.conn();
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        let mut journal: Option<String> = None;
        if replace_all {
            let before: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            journal = conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                    r.get::<_, String>(0)
                })
                .ok()
                .map(|_| before);
        }
        Ok(ImportPragmas { cache, journal })
    }

    pub(super) fn restore(self, store: &Store) -> Result<()> {
        let conn = store.conn();
        conn.pragma_update(None, "cache_size", self.cache)?;
        if let Some(mode) = self.journal {
            conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
                r.get::<_, String>(0)
            })?;
        }
        Ok(())
    }
}

fn count_commits(store: &Store) -> Result<u64> {
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM commits", [], |r| r.get(0))?;
    Ok(n as u64)
}

fn stored_shas(store: &Store) -> Result<HashSet<String>> {
    let any: Option<i64> = store
        .conn()
        .query_row("SELECT 1 FROM commits LIMIT 1", [], |r| r.get(0))
        .optional()?;
    if any.is_none() {
        return Ok(HashSet::new());
    }
    let mut st = store.conn().prepare("SELECT sha FROM commits")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
