//! Local git history → commits in the store (no UI, no network).
//!
//! `import` reads the history of HEAD (work tree or bare repository) with libgit2: commit
//! objects only, never blobs or trees, so partial clones work. User documentation:
//! docs/git-import.md. The parts:
//! - `import.rs`: what to import (incremental, force push) and the watermark;
//! - `pipeline.rs`: the walker thread, batches and transactions;
//! - `walk.rs` and `object.rs`: the date-ordered walk and the commit-object parser;
//! - `rows.rs`: a commit → its row (encodings, `.mailmap`, subject, trailers, PR references,
//!   markers); `mailmap.rs`: where git reads `.mailmap` from and how it maps identities;
//! - `message.rs` (trailers), `refs.rs` (PR references), `markers.rs` (internal-review markers),
//!   `branches.rs` (merged-branch attribution): pure functions with their own tests.

mod branches;
mod import;
mod mailmap;
pub mod markers;
mod message;
mod object;
mod pipeline;
mod refs;
mod rows;
mod walk;

pub use import::{
    ImportOptions, Reimport, STATE_ABSENT, STATE_HEAD, STATE_MAILMAP, STATE_RULES, STATE_SEQ_MIN,
    STATE_SQUASH,
};
pub use markers::PrivateHosts;

use crate::error::Result;
use crate::store::Store;
use std::path::Path;

/// What an import did, printed after `contrail sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub new_commits: u64,
    pub total_commits: u64,
    /// The history was rewritten (force push) and re-imported.
    pub rewritten: bool,
    /// The history was re-imported in full for this reason although HEAD still contains the
    /// imported head (so the rows match a fresh import).
    pub reimported: Option<Reimport>,
}

impl std::fmt::Display for ImportStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "git: {} new commits ({} in total)",
            self.new_commits, self.total_commits,
        )?;
        if self.rewritten {
            write!(f, ", history was rewritten and re-imported")?;
        }
        match self.reimported {
            Some(why) => write!(f, ", re-imported in full: {why}"),
            None => Ok(()),
        }
    }
}

/// Whether `path` is inside a git work tree or is a bare repository.
pub fn is_repo(path: &Path) -> bool {
    git2::Repository::open(path).is_ok()
}

/// Fail with a clear error unless `path` is a repository with at least one commit.
pub fn check_repo(path: &Path) -> Result<()> {
    let repo = import::open_repo(path)?;
    import::head_id(&repo, path)?;
    Ok(())
}

/// OWNER/NAME of the `origin` remote when it points at GitHub.
pub fn github_origin(path: &Path) -> Option<String> {
    let repo = git2::Repository::open(path).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    parse_github_url(remote.url().ok()?)
}

/// `https://github.com/OWNER/NAME(.git)`, `git@github.com:OWNER/NAME.git`, `ssh://git@github.com/…`.
pub fn parse_github_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("http://github.com/"))
        .or_else(|| url.strip_prefix("git@github.com:"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))?;
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = rest.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    if owner.is_empty() || name.is_empty() || parts.next().is_some() {
        return None;
    }
    Some(format!("{owner}/{name}"))
}

/// Import the history of HEAD into `store` (incremental; detects rewritten history).
pub fn import(store: &mut Store, path: &Path) -> Result<ImportStats> {
    import_with(store, path, &ImportOptions::default())
}

/// [`import`] with explicit options (extra private review hosts, batch size).
pub fn import_with(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportStats> {
    import::run(store, path, opts)
}
