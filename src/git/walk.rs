//! Walking the history of HEAD, newest commit date first (as `git log` orders it), HEAD first.
//!
//! A full walk is our own priority queue over parsed commits: each commit object is read and
//! parsed once and comes out as soon as it is known, so parsing and writing start at once.
//! (libgit2's date-sorted revwalk first walks the whole history to sort it, then hands out ids
//! that must be looked up and parsed again.) An incremental walk, which must hide what the old
//! head reaches, uses libgit2's revwalk: it is small.

use crate::error::Result;
use git2::{Commit, ErrorCode, Oid, Repository, Revwalk, Sort};
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

/// Commits reachable from `head` and not from `hide`, newest commit date first.
pub enum History<'r> {
    Full(DateOrder<'r>),
    Hiding(&'r Repository, Revwalk<'r>),
}

impl<'r> History<'r> {
    pub fn new(repo: &'r Repository, head: Oid, hide: Option<Oid>) -> Result<History<'r>> {
        Ok(match hide {
            None => History::Full(DateOrder::new(repo, head)?),
            Some(old) => History::Hiding(repo, revwalk(repo, head, Some(old))?),
        })
    }
}

impl<'r> Iterator for History<'r> {
    type Item = Result<Commit<'r>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            History::Full(walk) => walk.next(),
            History::Hiding(repo, walk) => Some(
                walk.next()?
                    .and_then(|oid| repo.find_commit(oid))
                    .map_err(Into::into),
            ),
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
struct Queued<'r> {
    time: i64,
    order: Reverse<u64>,
    commit: Commit<'r>,
}

impl PartialEq for Queued<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Queued<'_> {}
impl PartialOrd for Queued<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.order).cmp(&(other.time, other.order))
    }
}

pub struct DateOrder<'r> {
    repo: &'r Repository,
    queue: BinaryHeap<Queued<'r>>,
    seen: HashSet<Oid>,
    counter: u64,
}

impl<'r> DateOrder<'r> {
    fn new(repo: &'r Repository, head: Oid) -> Result<DateOrder<'r>> {
        let mut walk = DateOrder {
            repo,
            queue: BinaryHeap::new(),
            seen: HashSet::new(),
            counter: 0,
        };
        walk.seen.insert(head);
        let commit = repo.find_commit(head)?;
        walk.enqueue(commit);
        Ok(walk)
    }

    fn enqueue(&mut self, commit: Commit<'r>) {
        self.counter += 1;
        self.queue.push(Queued {
            time: commit.time().seconds(),
            order: Reverse(self.counter),
            commit,
        });
    }

    fn step(&mut self) -> Result<Option<Commit<'r>>> {
        let Some(Queued { commit, .. }) = self.queue.pop() else {
            return Ok(None);
        };
        for parent in commit.parent_ids() {
            if !self.seen.insert(parent) {
                continue;
            }
            match self.repo.find_commit(parent) {
                Ok(p) => self.enqueue(p),
                // A shallow clone's boundary: git treats the commit as having no parents.
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Some(commit))
    }
}

impl<'r> Iterator for DateOrder<'r> {
    type Item = Result<Commit<'r>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.step().transpose()
    }
}
