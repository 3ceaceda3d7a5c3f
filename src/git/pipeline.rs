//! The import pipeline: a walker thread reads commit objects while this thread turns them into
//! rows and writes them, one transaction per batch; merged-branch attribution once the walk ends.

use super::branches::{self, Graph, OUTSIDE};
use super::import::{ImportOptions, STATE_HEAD, STATE_SEQ_MIN, open_repo};
use super::object::RawCommit;
use super::rows::Parser;
use super::walk::History;
use crate::domain::{Commit, PrVia};
use crate::error::{Error, Result};
use crate::store::{self, Store};
use git2::{Mailmap, Oid};
use std::collections::HashMap;
use std::path::Path;

/// Capacity reserved up front for a transaction's commits in a full import.
const PENDING_RESERVE: usize = 65_536;

/// Commits per message from the reader thread to the writer (small enough that freeing a
/// message's buffer does not trigger glibc's heap consolidation).
const CHUNK: usize = 128;

/// What the import saw, by walk index: the commits, whether a commit's own message named a
/// PR, and the PR whose merge brought it in through a side parent.
pub(super) struct Walked {
    pub oids: Vec<Oid>,
    pub own_pr: Vec<bool>,
    pub owners: Vec<Option<u64>>,
    /// The row was written with its merged-branch PR already (no UPDATE needed).
    pub labelled: Vec<bool>,
}

/// The walker's result: the walked commits and their parents as walk indices.
struct Skeleton {
    oids: Vec<Oid>,
    parents: Vec<u32>,
    start: Vec<u32>,
}

fn join(handle: Option<std::thread::ScopedJoinHandle<'_, Result<Skeleton>>>) -> Result<Skeleton> {
    handle
        .ok_or_else(|| Error::Git("the commit reader thread was already joined".into()))?
        .join()
        .map_err(|_| Error::Git("the commit reader thread panicked".into()))?
}

/// Walk the history on a helper thread (reading commit objects is the slow part of git) while
/// this thread parses what it sends and writes it, one transaction per `batch_size` commits.
///
/// `replace_all` (a full import): the first transaction deletes every stored commit and its
/// trailers, so rows no longer reachable disappear, and each transaction's commits are inserted
/// in sha order. Keys in order turn SQLite's random B-tree inserts into appends, which is much
/// cheaper; it costs holding one batch in memory.
pub(super) fn produce_and_write(
    store: &mut Store,
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    seq_base: i64,
    replace_all: bool,
    opts: &ImportOptions,
) -> Result<Walked> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawCommit>>(8);
    let batch_size = opts.batch_size.max(1);
    let chunk = CHUNK.min(batch_size);
    let repo = open_repo(path)?;
    // A missing or unreadable .mailmap means no mapping, not a failed import.
    let mailmap = repo.mailmap().or_else(|_| Mailmap::new())?;
    let mut parser = Parser::new(mailmap, &opts.private_hosts, seq_base);
    std::thread::scope(|s| {
        let mut walker = Some(s.spawn(move || walk_raw(path, head, hide, chunk, tx)));
        let mut skeleton: Option<Skeleton> = None;
        let mut labelled: Vec<bool> = Vec::new();
        let mut owners: Vec<Option<u64>> = Vec::new();
        let mut written: Result<()> = Ok(());
        let mut writing = std::time::Duration::ZERO;
        let (mut more, mut cleared) = (true, !replace_all);
        // Commits received beyond a full batch, for the next one.
        let mut carry: Vec<Commit> = Vec::new();
        while more && written.is_ok() {
            let mut pending: Vec<Commit> = Vec::new();
            if replace_all {
                pending.reserve(batch_size.min(PENDING_RESERVE));
                pending.append(&mut carry);
                while pending.len() < batch_size {
                    match rx.recv() {
                        Ok(raws) => pending.extend(raws.into_iter().map(|r| parser.parse(r))),
                        Err(_) => {
                            more = false;
                            break;
                        }
                    }
                }
                if more {
                    // A full batch: find out whether it is the last one.
                    match rx.recv() {
                        Ok(raws) => carry.extend(raws.into_iter().map(|r| parser.parse(r))),
                        Err(_) => more = false,
                    }
                }
                if !more {
                    // The walk is over, so merged-branch attribution is known: write the last
                    // batch with it rather than updating those rows afterwards.
                    let sk = join(walker.take())?;
                    owners = merged_branch_owners(&sk, &parser.merge_pr);
                    labelled = label_merged_branches(&mut pending, &owners, seq_base);
                    skeleton = Some(sk);
                }
                pending = sorted_by_sha(pending);
            }
            let t = std::time::Instant::now();
            written = store.write(|c| {
                if !cleared {
                    // Without the watermark a kill from here on makes the next run a full
                    // import again, never an incremental one over a half-emptied table.
                    c.execute(
                        "DELETE FROM sync_state WHERE key IN (?1, ?2)",
                        [STATE_HEAD, STATE_SEQ_MIN],
                    )?;
                    c.execute_batch("DELETE FROM commit_trailers; DELETE FROM commits;")?;
                }
                if replace_all {
                    return store::insert_new_commits(c, &pending);
                }
                // Incremental: stream chunks straight in (a resumed run may meet its own rows).
                let mut in_tx = 0;
                while in_tx < batch_size {
                    let Ok(raws) = rx.recv() else {
                        more = false;
                        break;
                    };
                    in_tx += raws.len();
                    let chunk: Vec<Commit> = raws.into_iter().map(|r| parser.parse(r)).collect();
                    store::upsert_commits(c, &chunk)?;
                }
                Ok(())
            });
            cleared = true;
            writing += t.elapsed();
        }
        tracing::debug!(?writing, "git: time spent writing");
        drop(rx); // stops the walker at its next send if writing failed
        let skeleton = match skeleton {
            Some(sk) => sk,
            None => join(walker.take())?,
        };
        written?;
        if owners.len() != skeleton.oids.len() {
            owners = merged_branch_owners(&skeleton, &parser.merge_pr);
        }
        labelled.resize(skeleton.oids.len(), false);
        Ok(Walked {
            oids: skeleton.oids,
            own_pr: parser.own_pr,
            owners,
            labelled,
        })
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

/// Give the commits of `batch` that name no PR themselves their merged-branch PR; returns, by
/// walk index, which rows now carry it.
fn label_merged_branches(batch: &mut [Commit], owners: &[Option<u64>], seq_base: i64) -> Vec<bool> {
    let mut labelled = vec![false; owners.len()];
    for c in batch {
        let i = (c.seq - seq_base) as usize;
        if let Some(n) = owners.get(i).copied().flatten()
            && c.pr_number.is_none()
        {
            c.pr_number = Some(n);
            c.pr_via = Some(PrVia::MergedBranch);
            labelled[i] = true;
        }
    }
    labelled
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
    let mut oids = Vec::new();
    // Parents as oids, flattened; turned into indices once every commit has one.
    let (mut parent_oids, mut parent_end) = (Vec::new(), Vec::new());
    let mut batch = Vec::with_capacity(chunk);
    let started = std::time::Instant::now();
    let mut waiting = std::time::Duration::ZERO;
    for commit in History::new(&repo, head, hide)? {
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

    let index: HashMap<Oid, u32> = oids
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
    })
}
