//! The import pipeline: a walker thread reads commit objects while this thread turns them into
//! rows and writes them, one transaction per batch; merged-branch attribution once the walk ends.

use super::branches::{self, Graph, OUTSIDE};
use super::import::{ImportOptions, STATE_HEAD, STATE_SEQ_MIN, open_repo};
use super::mailmap::Mailmap;
use super::object::RawCommit;
use super::rows::{Parser, Pending};
use super::walk::{History, OidHash};
use crate::domain::Commit;
use crate::error::{Error, Result};
use crate::store::{GitWriter, Store};
use git2::Oid;
use std::collections::HashMap;
use std::path::Path;

/// Chunks in flight between the reader thread and the writer.
const CHANNEL_CHUNKS: usize = 8;

/// Commits per message from the reader thread to the writer (small enough that freeing a
/// message's buffer does not trigger glibc's heap consolidation).
const CHUNK: usize = 128;

/// What the import saw, by walk index: the commits, whether a commit's own message named a
/// PR, and the PR whose merge brought it in through a side parent.
pub(super) struct Walked {
    pub oids: Vec<Oid>,
    pub own_pr: Vec<bool>,
    pub owners: Vec<Option<u64>>,
    /// Rows were inserted into an emptied table with rowid = walk index + 1.
    pub by_rowid: bool,
    /// What the rows could not settle alone (see [`Pending`]).
    pub pending: Pending,
    /// Parents the walk met that are not in the repository.
    pub absent: Vec<Oid>,
}

/// What one import run reads and how it writes it.
pub(super) struct Job {
    /// Walk from here…
    pub head: Oid,
    /// …hiding what this reaches (an incremental import).
    pub hide: Option<Oid>,
    /// `seq` of the first walked commit.
    pub seq_base: i64,
    /// A full import: replace every stored commit.
    pub replace_all: bool,
    pub mailmap: Mailmap,
}

/// The walker's result: the walked commits and their parents as walk indices.
struct Skeleton {
    oids: Vec<Oid>,
    parents: Vec<u32>,
    start: Vec<u32>,
    absent: Vec<Oid>,
}

fn join(handle: Option<std::thread::ScopedJoinHandle<'_, Result<Skeleton>>>) -> Result<Skeleton> {
    handle
        .ok_or_else(|| Error::Git("the commit reader thread was already joined".into()))?
        .join()
        .map_err(|_| Error::Git("the commit reader thread panicked".into()))?
}

/// Walk the history on a helper thread (reading commit objects is the slow part of git) while
/// this thread parses what it sends and writes it as it arrives, one transaction per
/// `batch_size` commits, so reading and writing overlap.
///
/// `replace_all` (a full import): the first transaction deletes every stored commit, so rows no
/// longer reachable disappear, and the rows are then inserted with a plain `INSERT` in walk
/// order (appends to the rowid table). Otherwise rows are upserted (a resumed run may meet its
/// own rows). Merged-branch attribution is known once the walk ends; `finish` writes it.
pub(super) fn produce_and_write(
    store: &mut Store,
    path: &Path,
    job: Job,
    opts: &ImportOptions,
    finish: impl FnOnce(&GitWriter<'_>, &Walked) -> Result<()>,
) -> Result<Walked> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawCommit>>(CHANNEL_CHUNKS);
    let batch_size = opts.batch_size.max(1);
    let chunk = CHUNK.min(batch_size);
    std::thread::scope(|s| {
        // The reader starts first; an early return below drops `rx` (moved into this closure),
        // which stops it at its next send.
        let Job {
            head,
            hide,
            seq_base,
            replace_all,
            mailmap,
        } = job;
        let mut walker = Some(s.spawn(move || walk_raw(path, head, hide, chunk, tx)));
        let mut parser = Parser::new(mailmap, &opts.private_hosts, seq_base);
        let settings = store.bulk_import_settings(replace_all)?;
        let mut written: Result<()> = Ok(());
        let mut writing = std::time::Duration::ZERO;
        let (mut more, mut cleared) = (true, !replace_all);
        let mut rows: Vec<Commit> = Vec::with_capacity(chunk);
        let mut walked: Option<Walked> = None;
        let mut carry: Option<Vec<RawCommit>> = None;
        let mut finish = Some(finish);
        while more && written.is_ok() {
            let t = std::time::Instant::now();
            written = store.write_git(|c| {
                if !cleared {
                    // Without the watermark a kill from here on makes the next run a full
                    // import again, never an incremental one over a half-emptied table.
                    c.clear_commits(&[STATE_HEAD, STATE_SEQ_MIN])?;
                }
                let mut in_tx = 0;
                loop {
                    // A full batch ends the transaction, unless the walk is over: a look-ahead
                    // receive tells, so the last rows and `finish` share one transaction.
                    let next = carry.take().map_or_else(|| rx.recv().ok(), Some);
                    let Some(raws) = next else {
                        more = false;
                        break;
                    };
                    if in_tx >= batch_size {
                        carry = Some(raws);
                        break;
                    }
                    in_tx += raws.len();
                    rows.clear();
                    rows.extend(raws.into_iter().map(|r| parser.parse(r)));
                    if replace_all {
                        c.insert_new_commits(&rows, seq_base)?;
                    } else {
                        c.upsert_commits(&rows)?;
                    }
                }
                if !more {
                    // The walk is over: merged-branch attribution and the watermark go into
                    // this same transaction.
                    let skeleton = join(walker.take())?;
                    let owners = merged_branch_owners(&skeleton, &parser.merge_pr);
                    let w = Walked {
                        oids: skeleton.oids,
                        own_pr: std::mem::take(&mut parser.own_pr),
                        owners,
                        by_rowid: replace_all,
                        pending: std::mem::take(&mut parser.pending),
                        absent: skeleton.absent,
                    };
                    let tf = std::time::Instant::now();
                    if let Some(f) = finish.take() {
                        f(c, &w)?;
                    }
                    tracing::debug!(finish = ?tf.elapsed(), "git: finish");
                    walked = Some(w);
                }
                Ok(())
            });
            cleared = true;
            writing += t.elapsed();
            tracing::debug!(tx = ?t.elapsed(), "git: transaction committed");
        }
        tracing::debug!(?writing, "git: time spent writing");
        let restored = settings.restore(store);
        drop(rx); // stops the walker at its next send if writing failed
        if let Some(w) = walker.take() {
            // Writing failed: wait for the walker (its error, if any, comes second).
            let _ = join(Some(w));
        }
        written?;
        restored?;
        walked.ok_or_else(|| Error::Git("the import ended without finishing".into()))
    })
}

/// The merged-branch PR of every walked commit (see [`branches`]).
fn merged_branch_owners(sk: &Skeleton, merge_pr: &[Option<u64>]) -> Vec<Option<u64>> {
    if sk.oids.is_empty() || merge_pr.len() != sk.oids.len() {
        return vec![None; sk.oids.len()];
    }
    let graph = Graph {
        parents: sk.parents.clone(),
        start: sk.start.clone(),
        merge_pr: merge_pr.to_vec(),
    };
    // The walk starts at HEAD, so HEAD is index 0.
    branches::merged_branch_prs(&graph, 0)
}

/// The walker thread: read each commit once, send its raw fields in chunks, and return the
/// parent graph.
fn walk_raw(
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    chunk: usize,
    tx: std::sync::mpsc::SyncSender<Vec<RawCommit>>,
) -> Result<Skeleton> {
    let repo = open_repo(path)?;
    tracing::debug!("git: walker starts");
    let mut oids = Vec::new();
    // Parents as oids, flattened; turned into indices once every commit has one.
    let (mut parent_oids, mut parent_end) = (Vec::new(), Vec::new());
    let mut batch = Vec::with_capacity(chunk);
    let started = std::time::Instant::now();
    let mut waiting = std::time::Duration::ZERO;
    let mut history = History::new(&repo, head, hide)?;
    for commit in history.by_ref() {
        let commit = commit?;
        parent_oids.extend_from_slice(&commit.parents);
        parent_end.push(parent_oids.len());
        oids.push(commit.oid);
        batch.push(commit);
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
    tracing::debug!(elapsed = ?started.elapsed(), ?waiting, "git: walker finished");

    let index: HashMap<Oid, u32, OidHash> = oids
        .iter()
        .enumerate()
        .map(|(i, o)| (*o, i as u32))
        .collect();
    let parents = parent_oids
        .iter()
        .map(|p| index.get(p).copied().unwrap_or(OUTSIDE))
        .collect();
    let mut start = Vec::with_capacity(parent_end.len() + 1);
    start.push(0);
    start.extend(parent_end.into_iter().map(|e| e as u32));
    Ok(Skeleton {
        oids,
        parents,
        start,
        absent: history.absent_parents().to_vec(),
    })
}
