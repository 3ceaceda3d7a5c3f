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
//! Speed: a helper thread walks and reads the commit objects (never blobs, never trees) while
//! the caller's thread parses them and writes. A full import writes each transaction's rows in
//! sha order, which makes SQLite's B-tree inserts appends.

use super::branches::{self, Graph, OUTSIDE};
use super::markers::{self, PrivateHosts};
use super::object::{RawCommit, RawSig};
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
    /// Commits per transaction. Rows are keyed by sha, so each transaction touches pages all
    /// over the B-trees and rewrites them: few large transactions are much faster than many
    /// small ones. A full import holds one transaction's commits in memory to sort them.
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
    /// Replace the stored commits with everything reachable from HEAD.
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
    let walked = with_import_pragmas(store, replace_all, |store| {
        let walked = produce_and_write(store, path, head, hide, seq_base, replace_all, opts)?;
        tracing::debug!(commits = walked.oids.len(), elapsed = ?started.elapsed(), "git: commits read and written");
        finish(store, &walked, seq_base, &head_ref)?;
        Ok(walked)
    })?;
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

/// What the watermark and the `repository` row record about HEAD.
struct Head {
    sha: String,
    branch: Option<String>,
    git_path: String,
}

/// The final transaction: merged-branch PRs of rows written before the walk ended, then the
/// watermark, last.
fn finish(store: &mut Store, walked: &Walked, seq_base: i64, head: &Head) -> Result<()> {
    store.write(|c| {
        let mut st = c.prepare_cached(
            "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE sha = ?3 AND pr_number IS NULL",
        )?;
        let mut updated = 0;
        for (i, owner) in walked.owners.iter().enumerate() {
            if let Some(n) = owner
                && !walked.own_pr[i]
                && !walked.labelled[i]
            {
                updated += st.execute(params![
                    *n as i64,
                    PrVia::MergedBranch.as_str(),
                    walked.oids[i].to_string()
                ])?;
            }
        }
        tracing::debug!(updated, "git: merged-branch attributions updated");
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
    })
}

/// Run `f` with connection settings suited to a bulk write, restored afterwards (pragmas only
/// take effect outside a transaction, so they cannot live in one).
///
/// - A 256 MiB page cache (memory only): with SQLite's default 2 MB most inserts would spill
///   pages and read them back.
/// - For a full import (`replace_all`), no per-row foreign-key lookups: the tables are emptied
///   first and each trailer is inserted right after its commit, in the same transaction.
/// - For a full import, a rollback journal instead of WAL: WAL writes every page twice (into
///   the WAL, then into the database at the checkpoint); a rollback journal writes a page
///   beyond the file's original end once, and a full import mostly creates such pages. Both
///   modes are crash-safe, and `Store::open` sets WAL again anyway. If another connection has
///   the database open the switch fails harmlessly and WAL stays.
fn with_import_pragmas<T>(
    store: &mut Store,
    replace_all: bool,
    f: impl FnOnce(&mut Store) -> Result<T>,
) -> Result<T> {
    let conn = store.conn();
    let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
    let mut journal: Option<String> = None;
    if replace_all {
        conn.pragma_update(None, "foreign_keys", false)?;
        let before: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        journal = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .map(|_| before);
    }
    let out = f(store);
    let conn = store.conn();
    conn.pragma_update(None, "cache_size", cache)?;
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    if let Some(mode) = journal {
        conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
            r.get::<_, String>(0)
        })?;
    }
    out
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

/// What the import saw, by walk index: the commits, whether a commit's own message named a
/// PR, and the PR whose merge brought it in through a side parent.
struct Walked {
    oids: Vec<Oid>,
    own_pr: Vec<bool>,
    owners: Vec<Option<u64>>,
    /// The row was written with its merged-branch PR already (no UPDATE needed).
    labelled: Vec<bool>,
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
fn produce_and_write(
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
    let mut parser = Parser {
        // A missing or unreadable .mailmap means no mapping, not a failed import.
        idents: Idents::new(repo.mailmap().or_else(|_| Mailmap::new())?),
        private: &opts.private_hosts,
        seq_base,
        own_pr: Vec::new(),
        merge_pr: Vec::new(),
    };
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

/// Turns raw commits into rows, in walk order, remembering what merged-branch attribution needs.
struct Parser<'a> {
    idents: Idents,
    private: &'a PrivateHosts,
    seq_base: i64,
    /// By walk index: the commit's own message names a PR.
    own_pr: Vec<bool>,
    /// By walk index: `Merge pull request #N` merges.
    merge_pr: Vec<Option<u64>>,
}

impl Parser<'_> {
    fn parse(&mut self, raw: RawCommit) -> Commit {
        let seq = self.seq_base + self.own_pr.len() as i64;
        let c = to_commit(raw, &mut self.idents, seq, self.private);
        self.merge_pr.push(if c.is_merge() {
            refs::merge_pr(&c.subject)
        } else {
            None
        });
        self.own_pr.push(c.pr_number.is_some());
        c
    }
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

/// Bytes as text; invalid UTF-8 (legacy encodings) is replaced, never rejected.
fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
    fn resolve(&mut self, sig: &RawSig) -> (String, String) {
        self.key.clear();
        self.key.extend_from_slice(&sig.name);
        self.key.push(0);
        self.key.extend_from_slice(&sig.email);
        if let Some(hit) = self.cache.get(self.key.as_slice()) {
            return hit.clone();
        }
        let name = String::from_utf8_lossy(&sig.name).into_owned();
        let email = String::from_utf8_lossy(&sig.email).into_owned();
        // libgit2 refuses some odd identities (e.g. angle brackets in a name): keep them as written.
        let mapped = git2::Signature::new(&name, &email, &git2::Time::new(sig.time, 0))
            .and_then(|s| self.mailmap.resolve_signature(&s))
            .map(|m| {
                (
                    String::from_utf8_lossy(m.name_bytes()).into_owned(),
                    String::from_utf8_lossy(m.email_bytes()).into_owned(),
                )
            })
            .unwrap_or((name, email));
        self.cache.insert(self.key.clone(), mapped.clone());
        mapped
    }
}

/// One commit's raw fields → the stored [`Commit`] (merged-branch attribution comes later).
fn to_commit(raw: RawCommit, idents: &mut Idents, seq: i64, private: &PrivateHosts) -> Commit {
    let (author_name, author_email) = idents.resolve(&raw.author);
    let (committer_name, committer_email) = idents.resolve(&raw.committer);
    let message = text(raw.message);
    let subject = message::subject(&message);
    let trailers = message::trailers(&message);
    let parent_count = raw.parents.len() as u32;
    let (pr_number, pr_via) = match refs::own_pr(&subject, &trailers, parent_count > 1) {
        Some((n, via)) => (Some(n), Some(via)),
        None => (None, None),
    };
    let raw_committer_name = String::from_utf8_lossy(&raw.committer.name);
    let raw_committer_email = String::from_utf8_lossy(&raw.committer.email);
    let applied_by_other = !committer_email.eq_ignore_ascii_case(&author_email)
        && !raw_committer_email.eq_ignore_ascii_case("noreply@github.com");
    let markers = markers::markers(
        &trailers,
        &message,
        &raw_committer_name,
        &raw_committer_email,
        private,
    );
    Commit {
        sha: raw.oid.to_string(),
        seq,
        author_name,
        author_email,
        raw_author_email: text(raw.author.email),
        author_time: raw.author.time,
        committer_name,
        committer_email,
        committer_time: raw.committer.time,
        imported_pr: refs::imported_pr(&subject, &message),
        subject,
        message,
        parent_count,
        pr_number,
        pr_via,
        applied_by_other,
        markers,
        trailers,
    }
}
