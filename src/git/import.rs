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
use super::{ImportStats, message, refs};
use crate::domain::{Commit, PrVia};
use crate::error::{Error, Result};
use crate::store::{self, Store};
use git2::{Mailmap, Oid, Repository, Sort};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// `sync_state` key of the imported head sha (the watermark).
pub const STATE_HEAD: &str = "git.head";
/// `sync_state` key of the smallest `seq` stored, so new commits sort before older ones.
pub const STATE_SEQ_MIN: &str = "git.seq_min";

/// Knobs of the import; `Default` is what `contrail sync --git` uses.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Review hosts to treat as private on top of the built-in rules (see [`PrivateHosts`]).
    pub private_hosts: PrivateHosts,
    /// Commits per transaction.
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            private_hosts: PrivateHosts::default(),
            batch_size: 5_000,
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
        let new: Vec<Oid> = walk(&repo, head, Some(old))?.collect::<std::result::Result<_, _>>()?;
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

    let walked = produce_and_write(store, path, head, hide, seq_base, opts)?;
    let oids = &walked.oids;
    tracing::debug!(commits = oids.len(), elapsed = ?started.elapsed(), "git: commits read and written");

    let own_pr = &walked.own_pr;
    // The walk starts at HEAD, so HEAD is index 0.
    let owners = if oids.is_empty() {
        Vec::new()
    } else {
        branches::merged_branch_prs(&walked.graph, 0)
    };
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
            {
                st.execute(params![
                    *n as i64,
                    PrVia::MergedBranch.as_str(),
                    oids[i].to_string()
                ])?;
            }
        }
        let mut del = c.prepare_cached("DELETE FROM commits WHERE sha = ?1")?;
        for stale in stored_before.difference(&reachable) {
            del.execute([stale])?;
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

/// The commits to import, newest first by commit date (HEAD first), as `git log` orders them.
fn walk(repo: &Repository, head: Oid, hide: Option<Oid>) -> Result<git2::Revwalk<'_>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push(head)?;
    if let Some(old) = hide {
        walk.hide(old)?;
    }
    Ok(walk)
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

/// What the reader thread saw: the walked commits in order, their parent graph, and per
/// commit whether its own message named a PR.
struct Walked {
    oids: Vec<Oid>,
    graph: Graph,
    own_pr: Vec<bool>,
}

/// Walk and parse on a helper thread while this thread writes the batches it sends.
fn produce_and_write(
    store: &mut Store,
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    seq_base: i64,
    opts: &ImportOptions,
) -> Result<Walked> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Commit>>(2);
    std::thread::scope(|s| {
        let producer = s.spawn(move || produce(path, head, hide, seq_base, opts, tx));
        let mut written: Result<()> = Ok(());
        let mut writing = std::time::Duration::ZERO;
        for batch in rx.iter() {
            let t = std::time::Instant::now();
            written = store.write(|c| store::upsert_commits(c, &batch));
            writing += t.elapsed();
            if written.is_err() {
                break; // dropping `rx` stops the producer at its next send
            }
        }
        tracing::debug!(?writing, "git: time spent writing batches");
        drop(rx);
        let produced = producer
            .join()
            .map_err(|_| Error::Git("the commit reader thread panicked".into()))?;
        written?;
        produced
    })
}

fn produce(
    path: &Path,
    head: Oid,
    hide: Option<Oid>,
    seq_base: i64,
    opts: &ImportOptions,
    tx: std::sync::mpsc::SyncSender<Vec<Commit>>,
) -> Result<Walked> {
    let repo = open_repo(path)?;
    // A missing or unreadable .mailmap means no mapping, not a failed import.
    let mailmap = repo.mailmap().or_else(|_| Mailmap::new())?;
    let mut oids = Vec::new();
    // Parents as oids, flattened; turned into indices once every commit has one.
    let (mut parent_oids, mut parent_end, mut merge_pr) = (Vec::new(), Vec::new(), Vec::new());
    let mut own_pr = Vec::new();
    let mut batch = Vec::with_capacity(opts.batch_size);
    let started = std::time::Instant::now();
    let mut waiting = std::time::Duration::ZERO;
    for (i, oid) in walk(&repo, head, hide)?.enumerate() {
        let oid = oid?;
        let commit = repo.find_commit(oid)?;
        let c = to_commit(&commit, &mailmap, seq_base + i as i64, &opts.private_hosts)?;
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
        if batch.len() >= opts.batch_size {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(opts.batch_size));
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
    Ok(Walked {
        oids,
        graph,
        own_pr,
    })
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One libgit2 commit → the stored [`Commit`] (MergedBranch attribution comes later).
pub(super) fn to_commit(
    commit: &git2::Commit<'_>,
    mailmap: &Mailmap,
    seq: i64,
    private: &PrivateHosts,
) -> Result<Commit> {
    let raw_author = commit.author();
    let author = commit.author_with_mailmap(mailmap)?;
    let raw_committer = commit.committer();
    let committer = commit.committer_with_mailmap(mailmap)?;
    let message = lossy(commit.message_raw_bytes()).trim_end().to_string();
    let subject = message::subject(&message);
    let trailers = message::trailers(&message);
    let parent_count = commit.parent_count() as u32;
    let (pr_number, pr_via) = match refs::own_pr(&subject, &trailers, parent_count > 1) {
        Some((n, via)) => (Some(n), Some(via)),
        None => (None, None),
    };
    let author_email = lossy(author.email_bytes());
    let committer_email = lossy(committer.email_bytes());
    let applied_by_other = !committer_email.eq_ignore_ascii_case(&author_email)
        && !lossy(raw_committer.email_bytes()).eq_ignore_ascii_case("noreply@github.com");
    let markers = markers::markers(
        &trailers,
        &message,
        &lossy(raw_committer.name_bytes()),
        &lossy(raw_committer.email_bytes()),
        private,
    );
    Ok(Commit {
        sha: commit.id().to_string(),
        seq,
        author_name: lossy(author.name_bytes()),
        author_email,
        raw_author_email: lossy(raw_author.email_bytes()),
        author_time: raw_author.when().seconds(),
        committer_name: lossy(committer.name_bytes()),
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
