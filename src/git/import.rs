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

    let mut oids = walk(&repo, head, &plan)?;
    if let Plan::Incremental { old } = plan
        && !old_head_on_first_parent_chain(&repo, head, old, &oids)?
    {
        // The old head was reached through a side parent: earlier merged-branch attributions
        // may change, so re-derive them from the whole history.
        plan = Plan::Full { rewritten: false };
        oids = walk(&repo, head, &plan)?;
    }

    let (seq_base, stored_before) = match plan {
        Plan::Full { .. } => (0, stored_shas(store)?),
        Plan::Incremental { .. } => {
            let min = match store.state(STATE_SEQ_MIN)? {
                Some(s) => s.parse::<i64>().unwrap_or(0),
                None => store
                    .conn()
                    .query_row("SELECT min(seq) FROM commits", [], |r| {
                        r.get::<_, Option<i64>>(0)
                    })?
                    .unwrap_or(0),
            };
            (min - oids.len() as i64, HashSet::new())
        }
    };

    let (graph, own_pr) = produce_and_write(store, path, &oids, seq_base, opts)?;

    let owners = match oids.iter().position(|o| *o == head) {
        Some(h) => branches::merged_branch_prs(&graph, h as u32),
        None => vec![None; oids.len()],
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
    let branch = repo
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

/// Commits to import, children before parents (HEAD first).
fn walk(repo: &Repository, head: Oid, plan: &Plan) -> Result<Vec<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(head)?;
    if let Plan::Incremental { old } = plan {
        walk.hide(*old)?;
    }
    Ok(walk.collect::<std::result::Result<Vec<_>, _>>()?)
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

/// Read and parse `oids` on a helper thread while this thread writes batches.
/// Returns the parent graph and, per commit, whether its own message named a PR.
fn produce_and_write(
    store: &mut Store,
    path: &Path,
    oids: &[Oid],
    seq_base: i64,
    opts: &ImportOptions,
) -> Result<(Graph, Vec<bool>)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Commit>>(2);
    std::thread::scope(|s| {
        let producer = s.spawn(move || produce(path, oids, seq_base, opts, tx));
        let mut written: Result<()> = Ok(());
        for batch in rx.iter() {
            written = store.write(|c| store::upsert_commits(c, &batch));
            if written.is_err() {
                break; // dropping `rx` stops the producer at its next send
            }
        }
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
    oids: &[Oid],
    seq_base: i64,
    opts: &ImportOptions,
    tx: std::sync::mpsc::SyncSender<Vec<Commit>>,
) -> Result<(Graph, Vec<bool>)> {
    let repo = open_repo(path)?;
    // A missing or unreadable .mailmap means no mapping, not a failed import.
    let mailmap = repo.mailmap().or_else(|_| Mailmap::new())?;
    let index: HashMap<Oid, u32> = oids
        .iter()
        .enumerate()
        .map(|(i, o)| (*o, i as u32))
        .collect();
    let mut graph = Graph::new();
    let mut own_pr = Vec::with_capacity(oids.len());
    let mut batch = Vec::with_capacity(opts.batch_size);
    for (i, oid) in oids.iter().enumerate() {
        let commit = repo.find_commit(*oid)?;
        let c = to_commit(&commit, &mailmap, seq_base + i as i64, &opts.private_hosts)?;
        let merge = if c.is_merge() {
            refs::merge_pr(&c.subject)
        } else {
            None
        };
        graph.push(
            commit
                .parent_ids()
                .map(|p| index.get(&p).copied().unwrap_or(OUTSIDE)),
            merge,
        );
        own_pr.push(c.pr_number.is_some());
        batch.push(c);
        if batch.len() >= opts.batch_size {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(opts.batch_size));
            if tx.send(full).is_err() {
                // The writer failed and reports its own error.
                return Ok((graph, own_pr));
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok((graph, own_pr))
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
