//! Walking the history of HEAD, newest commit date first (as `git log` orders it), HEAD first.
//!
//! A full walk is our own priority queue over parsed commits: each commit object is read from
//! the object database and parsed once ([`object`]), and comes out as soon as it is known, so
//! parsing and writing start at once. (libgit2's date-sorted revwalk first walks the whole
//! history to sort it, then hands out ids that must be looked up and parsed again.) An
//! incremental walk, which must hide what the old head reaches, uses libgit2's revwalk: it is
//! small.

use super::object::{self, RawCommit};
use crate::error::{Error, Result};
use git2::{ErrorCode, ObjectType, Odb, Oid, Repository, Revwalk, Sort};
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

/// Read and parse commit `oid`; `None` when the object is absent (a shallow clone's boundary).
fn read(odb: &Odb<'_>, oid: Oid) -> Result<Option<RawCommit>> {
    let obj = match odb.read(oid) {
        Ok(obj) => obj,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if obj.kind() != ObjectType::Commit {
        return Err(Error::Git(format!("object {oid} is not a commit")));
    }
    object::parse(oid, obj.data())
        .map(Some)
        .ok_or_else(|| Error::Git(format!("commit {oid} is malformed")))
}

/// Commits reachable from `head` and not from `hide`, newest commit date first.
pub enum History<'r> {
    Full(DateOrder<'r>),
    Hiding {
        odb: Odb<'r>,
        walk: Revwalk<'r>,
        absent: Vec<Oid>,
    },
}

impl<'r> History<'r> {
    pub fn new(repo: &'r Repository, head: Oid, hide: Option<Oid>) -> Result<History<'r>> {
        Ok(match hide {
            None => History::Full(DateOrder::new(repo, head)?),
            Some(old) => History::Hiding {
                odb: repo.odb()?,
                walk: revwalk(repo, head, Some(old))?,
                absent: Vec::new(),
            },
        })
    }

    /// Parents named by walked commits whose objects are not in the repository (a shallow
    /// clone's boundary, a damaged repository). If one appears later (`git fetch
    /// --unshallow`), the history behind it was never imported.
    pub fn absent_parents(&self) -> &[Oid] {
        match self {
            History::Full(walk) => &walk.absent,
            History::Hiding { absent, .. } => absent,
        }
    }
}

impl Iterator for History<'_> {
    type Item = Result<RawCommit>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            History::Full(walk) => walk.next(),
            History::Hiding { odb, walk, absent } => {
                let oid = match walk.next()? {
                    Ok(oid) => oid,
                    Err(e) => return Some(Err(e.into())),
                };
                let commit = match read(odb, oid) {
                    Ok(Some(c)) => c,
                    Ok(None) => return Some(Err(Error::Git(format!("commit {oid} is missing")))),
                    Err(e) => return Some(Err(e)),
                };
                absent.extend(commit.parents.iter().filter(|p| !odb.exists(**p)));
                Some(Ok(commit))
            }
        }
    }
}

/// libgit2's revwalk from `head`, hiding what `hide` reaches, newest first.
pub fn revwalk(repo: &Repository, head: Oid, hide: Option<Oid>) -> Result<Revwalk<'_>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push(head)?;
    if let Some(old) = hide {
        walk.hide(old)?;
    }
    Ok(walk)
}

/// A commit waiting in the queue: latest committer time first, then first seen first.
struct Queued {
    order: Reverse<u64>,
    commit: RawCommit,
}

impl Queued {
    fn key(&self) -> (i64, Reverse<u64>) {
        (self.commit.committer.time, self.order)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

pub struct DateOrder<'r> {
    odb: Odb<'r>,
    queue: BinaryHeap<Queued>,
    seen: HashSet<Oid, OidHash>,
    counter: u64,
    absent: Vec<Oid>,
}

impl<'r> DateOrder<'r> {
    fn new(repo: &'r Repository, head: Oid) -> Result<DateOrder<'r>> {
        let mut walk = DateOrder {
            odb: repo.odb()?,
            queue: BinaryHeap::new(),
            seen: HashSet::default(),
            counter: 0,
            absent: Vec::new(),
        };
        walk.seen.insert(head);
        let commit = read(&walk.odb, head)?
            .ok_or_else(|| Error::Git(format!("HEAD commit {head} is missing")))?;
        walk.enqueue(commit);
        Ok(walk)
    }

    fn enqueue(&mut self, commit: RawCommit) {
        self.counter += 1;
        self.queue.push(Queued {
            order: Reverse(self.counter),
            commit,
        });
    }

    fn step(&mut self) -> Result<Option<RawCommit>> {
        let Some(Queued { commit, .. }) = self.queue.pop() else {
            return Ok(None);
        };
        for &parent in &commit.parents {
            if !self.seen.insert(parent) {
                continue;
            }
            // Absent: a shallow clone's boundary; git treats the commit as having no parents.
            match read(&self.odb, parent)? {
                Some(p) => self.enqueue(p),
                None => self.absent.push(parent),
            }
        }
        Ok(Some(commit))
    }
}

impl Iterator for DateOrder<'_> {
    type Item = Result<RawCommit>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step().transpose()
    }
}

/// Hashing for sets and maps keyed by [`Oid`]: an object id is already a uniformly
/// distributed hash, so its first eight bytes serve as one (std's SipHash over all twenty
/// bytes costs more than the lookup).
#[derive(Default, Clone, Copy)]
pub struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `Oid` hashes its raw bytes (after a length prefix, which `write_usize` ignores).
        let mut word = [0u8; 8];
        let n = bytes.len().min(8);
        word[..n].copy_from_slice(&bytes[..n]);
        self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
    }

    fn write_usize(&mut self, _len: usize) {}
}

/// `BuildHasher` of [`OidHasher`].
pub type OidHash = std::hash::BuildHasherDefault<OidHasher>;
