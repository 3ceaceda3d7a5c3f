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
    Hiding(Odb<'r>, Revwalk<'r>),
}

impl<'r> History<'r> {
    pub fn new(repo: &'r Repository, head: Oid, hide: Option<Oid>) -> Result<History<'r>> {
        Ok(match hide {
            None => History::Full(DateOrder::new(repo, head)?),
            Some(old) => History::Hiding(repo.odb()?, revwalk(repo, head, Some(old))?),
        })
    }
}

impl Iterator for History<'_> {
    type Item = Result<RawCommit>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            History::Full(walk) => walk.next(),
            History::Hiding(odb, walk) => {
                let oid = match walk.next()? {
                    Ok(oid) => oid,
                    Err(e) => return Some(Err(e.into())),
                };
                Some(
                    read(odb, oid).and_then(|c| {
                        c.ok_or_else(|| Error::Git(format!("commit {oid} is missing")))
                    }),
                )
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
    seen: HashSet<Oid>,
    counter: u64,
}

impl<'r> DateOrder<'r> {
    fn new(repo: &'r Repository, head: Oid) -> Result<DateOrder<'r>> {
        let mut walk = DateOrder {
            odb: repo.odb()?,
            queue: BinaryHeap::new(),
            seen: HashSet::new(),
            counter: 0,
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
            if let Some(p) = read(&self.odb, parent)? {
                self.enqueue(p);
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
