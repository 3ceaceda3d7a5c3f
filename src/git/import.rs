//! The import itself: walk HEAD's history with libgit2, turn each commit into a
//! [`Commit`], and write batches to the store.
//!
//! Incremental: the imported head is the watermark (`sync_state` `git.head`, written last in
//! the final transaction). The next run walks only commits not reachable from it. When the old
//! head is no longer an ancestor of HEAD (force push) the whole history is re-imported and rows
//! no longer reachable are deleted. A killed import leaves the old watermark, so the next run
//! redoes the unfinished part; upserts make that harmless.
//!
//! Speed: one thread reads and parses commits while the caller's thread inserts the previous
//! batch. Only commit objects are read: never blobs, never trees.

use super::branches::{self, Graph, OUTSIDE};
use super::markers::{self, PrivateHosts};
use super::walk::{self, History};
use super::{ImportStats, message, refs};
use crate::domain::{Commit, PrVia};
use crate::error::{Error, Result};
use crate::store::{self, Store};
use git2::{Mailmap, Oid, Repository};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};
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
    /// Commits per transaction. Commits land at random places in the B-trees (keyed by sha),
    /// so every transaction rewrites most of the database's pages into the WAL: few large
    /// transactions are much faster than many small ones.
    pub batch_size: usize,
}

/// Capacity reserved up front for a transaction's commits in a full import.
const PENDING_RESERVE: usize = 65_536;

/// Commits per message from the reader thread to the writer (small enough that freeing a
/// message's buffer does not trigger glibc's heap consolidation).
const CHUNK: usize = 128;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            private_hosts: PrivateHosts::default(),
            batch_size: 50_000,
        }
    }
}

enum Plan {
    /// Walk everything reachable from HEAD; delete stored rows that are not.
    Full { rewritten: bool },
    /// Walk only what the old head does not reach.
    Incremental { old: Oid },
}

pub(super) fn open_repo(path: &Path) -> Result<Repository> {
    Repository::open(path).map_err(|_| Error::NotAGitRepo(path.to_path_buf()))
}

pub(super) fn head_id(repo: &Repository, path: &Path) -> Result<Oid> {
    let head = repo
        .head()
        .map_err(|_| Error::EmptyRepo(path.to_path_buf()))?;
    Ok(head.peel_to_commit()?.id())
}

pub fn run(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportStats> {
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
    drop(repo);

    // Commits land in random sha order all over the B-trees: with SQLite's default 2 MB page
    // cache most inserts spill and re-read pages. A bigger cache (memory only) avoids that.
    let cache: i64 = store
        .conn()
        .query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    store
        .conn()
        .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
    let replace_all = matches!(plan, Plan::Full { .. });
    // A full import empties the table first and inserts each trailer right after its commit,
    // in the same transaction, so the per-row foreign-key lookups cannot fail: skip them.
    // (The pragma only takes effect outside a transaction; it is restored below.)
    let foreign_keys: bool = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    // In WAL mode every page is written twice: into the WAL, then into the database at the
    // checkpoint. A rollback journal writes each new page once (pages beyond the original end
    // of the file need no journal), which is what a full import mostly creates. Both modes
    // are crash-safe; `Store::open` sets WAL again in any case. Switching fails harmlessly
    // while another connection has the database open: then WAL stays.
    let journal: Option<String> = if replace_all {
        store.conn().pragma_update(None, "foreign_keys", false)?;
        let before: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        store
            .conn()
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .map(|_| before)
    } else {
        None
    };
    let walked = produce_and_write(store, path, head, hide, seq_base, replace_all, opts);
    store.conn().pragma_update(None, "cache_size", cache)?;
    store
        .conn()
        .pragma_update(None, "foreign_keys", foreign_keys)?;
    if let Some(mode) = journal {
        store
            .conn()
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
                r.get::<_, String>(0)
            })?;
    }
    let walked = walked?;
    let oids = &walked.oids;
    tracing::debug!(commits = oids.len(), elapsed = ?started.elapsed(), "git: commits read and written");

    let (own_pr, owners, labelled) = (&walked.own_pr, &walked.owners, &walked.labelled);
    let reachable: HashSet<String> = if stored_before.is_empty() {
        HashSet::new()
    } else {
        oids.iter().map(Oid::to_string).collect()
    };
    let new_commits = if stored_before.is_empty() {
        oids.len() as u64
    } else {
        reachable.difference(&stored_before).count() as u64
    };
    let git_path = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let branch = open_repo(path)?
        .head()
        .ok()
        .filter(|h| h.is_branch())
        .and_then(|h| h.shorthand().ok().map(str::to_string));

    store.write(|c| {
        let mut st = c.prepare_cached(
            "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE sha = ?3 AND pr_number IS NULL",
        )?;
        for (i, owner) in owners.iter().enumerate() {
            if let Some(n) = owner
                && !own_pr[i]
                && !labelled[i]
            {
                st.execute(params![
                    *n as i64,
                    PrVia::MergedBranch.as_str(),
                    oids[i].to_string()
                ])?;
            }
        }
        let seq_min = if oids.is_empty() {
            None
        } else {
            Some(seq_base)
        };
        if let Some(m) = seq_min {
            store::set_state(c, STATE_SEQ_MIN, &m.to_string())?;
        }
        store::set_repository(
            c,
            None,
            Some(&git_path),
            branch.as_deref(),
            Some(&head_hex),
            None,
        )?;
        store::set_state(c, STATE_HEAD, &head_hex)
    })?;

    tracing::debug!(elapsed = ?started.elapsed(), "git: import finished");
    Ok(ImportStats {
        new_commits,
        total_commits: count_commits(store)?,
        rewritten: matches!(plan, Plan::Full { rewritten: true }),
    })
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

/// What the reader thread saw, by walk index: the commits, whether a commit's own message
/// named a PR, and the PR whose merge brought it in through a side parent.
struct Walked {
    oids: Vec<Oid>,
    own_pr: Vec<bool>,
    owners: Vec<Option<u64>>,
    /// The row was written with its merged-branch PR already (no UPDATE needed).
    labelled: Vec<bool>,
}

fn join(handle: Option<std::thread::ScopedJoinHandle<'_, Result<Walked>>>) -> Result<Walked> {
    handle
        .ok_or_else(|| Error::Git("the commit reader thread was already joined".into()))?
        .join()
        .map_err(|_| Error::Git("the commit reader thread panicked".into()))?
}

/// Walk and parse on a helper thread while this thread writes what it sends, one transaction
/// per `batch_size` commits.
///
/// `replace_all` (a full import): the first transaction deletes every stored commit (their
/// trailers cascade), so rows no longer reachable disappear, and each transaction's commits are
/// inserted in sha order. Keys in order turn SQLite's random B-tree inserts into appends, which
/// is several times faster; it costs holding one batch in memory.
fn produce_and_write(
    store: &mut Store,
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    seq_base: i64,
    replace_all: bool,
    opts: &ImportOptions,
) -> Result<Walked> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Commit>>(4);
    let batch_size = opts.batch_size.max(1);
    let chunk = CHUNK.min(batch_size);
    std::thread::scope(|s| {
        let mut producer =
            Some(s.spawn(move || produce(path, head, hide, seq_base, chunk, opts, tx)));
        let mut walked: Option<Walked> = None;
        let mut written: Result<()> = Ok(());
        let mut writing = std::time::Duration::ZERO;
        let (mut more, mut cleared) = (true, !replace_all);
        while more && written.is_ok() {
            let mut pending: Vec<Commit> = Vec::new();
            if replace_all {
                pending.reserve(batch_size.min(PENDING_RESERVE));
                while pending.len() < batch_size {
                    match rx.recv() {
                        Ok(c) => pending.extend(c),
                        Err(_) => {
                            more = false;
                            break;
                        }
                    }
                }
                if !more {
                    // The walk is over, so merged-branch attribution is known: write the last
                    // batch with it rather than updating those rows afterwards.
                    let mut w = join(producer.take())?;
                    label_merged_branches(&mut pending, &mut w, seq_base);
                    walked = Some(w);
                }
                pending = sorted_by_sha(pending);
            }
            let t = std::time::Instant::now();
            written = store.write(|c| {
                if !cleared {
                    c.execute_batch("DELETE FROM commit_trailers; DELETE FROM commits;")?;
                }
                if replace_all {
                    return store::insert_new_commits(c, &pending);
                }
                // Incremental: stream chunks straight in (a resumed run may meet its own rows).
                let mut in_tx = 0;
                while in_tx < batch_size {
                    let Ok(chunk) = rx.recv() else {
                        more = false;
                        break;
                    };
                    store::upsert_commits(c, &chunk)?;
                    in_tx += chunk.len();
                }
                Ok(())
            });
            cleared = true;
            writing += t.elapsed();
        }
        tracing::debug!(?writing, "git: time spent writing");
        drop(rx); // stops the producer at its next send if writing failed
        let walked = match walked {
            Some(w) => w,
            None => join(producer.take())?,
        };
        written?;
        Ok(walked)
    })
}

/// `commits` in sha order, moving each commit once (sorting the structs in place would move
/// them log n times).
fn sorted_by_sha(mut commits: Vec<Commit>) -> Vec<Commit> {
    let mut order: Vec<u32> = (0..commits.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| commits[a as usize].sha.cmp(&commits[b as usize].sha));
    order
        .into_iter()
        .map(|i| std::mem::take(&mut commits[i as usize]))
        .collect()
}

/// Give the commits of `batch` that name no PR themselves their merged-branch PR.
fn label_merged_branches(batch: &mut [Commit], w: &mut Walked, seq_base: i64) {
    for c in batch {
        let i = (c.seq - seq_base) as usize;
        if let Some(n) = w.owners.get(i).copied().flatten()
            && c.pr_number.is_none()
        {
            c.pr_number = Some(n);
            c.pr_via = Some(PrVia::MergedBranch);
            w.labelled[i] = true;
        }
    }
}

fn produce(
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    seq_base: i64,
    chunk: usize,
    opts: &ImportOptions,
    tx: std::sync::mpsc::SyncSender<Vec<Commit>>,
) -> Result<Walked> {
    let repo = open_repo(path)?;
    // A missing or unreadable .mailmap means no mapping, not a failed import.
    let mut idents = Idents::new(repo.mailmap().or_else(|_| Mailmap::new())?);
    let mut oids = Vec::new();
    // Parents as oids, flattened; turned into indices once every commit has one.
    let (mut parent_oids, mut parent_end, mut merge_pr) = (Vec::new(), Vec::new(), Vec::new());
    let mut own_pr = Vec::new();
    let mut batch = Vec::with_capacity(chunk);
    let started = std::time::Instant::now();
    let mut waiting = std::time::Duration::ZERO;
    for (i, commit) in History::new(&repo, head, hide)?.enumerate() {
        let commit = commit?;
        let oid = commit.id();
        let c = to_commit(
            &commit,
            &mut idents,
            seq_base + i as i64,
            &opts.private_hosts,
        )?;
        merge_pr.push(if c.is_merge() {
            refs::merge_pr(&c.subject)
        } else {
            None
        });
        parent_oids.extend(commit.parent_ids());
        parent_end.push(parent_oids.len());
        own_pr.push(c.pr_number.is_some());
        oids.push(oid);
        batch.push(c);
        if batch.len() >= chunk {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(chunk));
            let t = std::time::Instant::now();
            let sent = tx.send(full);
            waiting += t.elapsed();
            if sent.is_err() {
                break; // the writer failed and reports its own error
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    drop(tx);
    tracing::debug!(elapsed = ?started.elapsed(), ?waiting, "git: reader finished");

    let index: HashMap<Oid, u32> = oids
        .iter()
        .enumerate()
        .map(|(i, o)| (*o, i as u32))
        .collect();
    let mut graph = Graph::new();
    let mut from = 0;
    for (end, pr) in parent_end.into_iter().zip(merge_pr) {
        graph.push(
            parent_oids[from..end]
                .iter()
                .map(|p| index.get(p).copied().unwrap_or(OUTSIDE)),
            pr,
        );
        from = end;
    }
    // The walk starts at HEAD, so HEAD is index 0.
    let owners = if oids.is_empty() {
        Vec::new()
    } else {
        branches::merged_branch_prs(&graph, 0)
    };
    Ok(Walked {
        labelled: vec![false; oids.len()],
        oids,
        own_pr,
        owners,
    })
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `.mailmap` resolution, memoised: a history has far fewer identities than commits, and
/// resolving through libgit2 allocates a signature each time.
pub(super) struct Idents {
    mailmap: Mailmap,
    /// `name \0 email` as written → (name, email) after `.mailmap`.
    cache: HashMap<Vec<u8>, (String, String)>,
    key: Vec<u8>,
}

impl Idents {
    pub(super) fn new(mailmap: Mailmap) -> Idents {
        Idents {
            mailmap,
            cache: HashMap::new(),
            key: Vec::new(),
        }
    }

    /// The mailmapped (name, email) of `sig`.
    fn resolve(&mut self, sig: &git2::Signature<'_>) -> Result<(String, String)> {
        self.key.clear();
        self.key.extend_from_slice(sig.name_bytes());
        self.key.push(0);
        self.key.extend_from_slice(sig.email_bytes());
        if let Some(hit) = self.cache.get(self.key.as_slice()) {
            return Ok(hit.clone());
        }
        let mapped = self.mailmap.resolve_signature(sig)?;
        let v = (lossy(mapped.name_bytes()), lossy(mapped.email_bytes()));
        self.cache.insert(self.key.clone(), v.clone());
        Ok(v)
    }
}

/// One libgit2 commit → the stored [`Commit`] (merged-branch attribution comes later).
pub(super) fn to_commit(
    commit: &git2::Commit<'_>,
    idents: &mut Idents,
    seq: i64,
    private: &PrivateHosts,
) -> Result<Commit> {
    let raw_author = commit.author();
    let (author_name, author_email) = idents.resolve(&raw_author)?;
    let raw_committer = commit.committer();
    let (committer_name, committer_email) = idents.resolve(&raw_committer)?;
    let raw_message = commit.message_raw_bytes();
    let end = raw_message
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let message = lossy(&raw_message[..end]);
    let subject = message::subject(&message);
    let trailers = message::trailers(&message);
    let parent_count = commit.parent_count() as u32;
    let (pr_number, pr_via) = match refs::own_pr(&subject, &trailers, parent_count > 1) {
        Some((n, via)) => (Some(n), Some(via)),
        None => (None, None),
    };
    let raw_committer_email = String::from_utf8_lossy(raw_committer.email_bytes());
    let applied_by_other = !committer_email.eq_ignore_ascii_case(&author_email)
        && !raw_committer_email.eq_ignore_ascii_case("noreply@github.com");
    let markers = markers::markers(
        &trailers,
        &message,
        &String::from_utf8_lossy(raw_committer.name_bytes()),
        &raw_committer_email,
        private,
    );
    Ok(Commit {
        sha: commit.id().to_string(),
        seq,
        author_name,
        author_email,
        raw_author_email: lossy(raw_author.email_bytes()),
        author_time: raw_author.when().seconds(),
        committer_name,
        committer_email,
        committer_time: raw_committer.when().seconds(),
        imported_pr: refs::imported_pr(&subject, &message),
        subject,
        message,
        parent_count,
        pr_number,
        pr_via,
        applied_by_other,
        markers,
        trailers,
    })
}
