//! Local git history → commits in the store (no UI, no network).
//!
//! `import` reads the history of HEAD (work tree or bare repository) with libgit2: commit
//! objects only, never blobs or trees, so partial clones work. User documentation:
//! README.md (section "Importing a local clone"). The parts:
//! - `import.rs`: what to import (incremental, force push) and the watermark;
//! - `pipeline.rs`: the walker thread, batches and transactions;
//! - `walk.rs` and `object.rs`: the date-ordered walk and the commit-object parser;
//! - `rows.rs`: a commit → its row (`.mailmap`, subject, trailers, PR references, markers);
//! - `message.rs` (trailers), `refs.rs` (PR references), `markers.rs` (internal-review markers),
//!   `branches.rs` (merged-branch attribution): pure functions with their own tests.

mod branches;
mod import;
pub mod markers;
mod message;
mod object;
mod pipeline;
mod refs;
mod rows;
mod walk;

pub use import::{ImportOptions, STATE_HEAD, STATE_SEQ_MIN};
// The commit-message parser, for the fuzz targets (docs/safety.md).
pub use markers::PrivateHosts;
#[cfg(test)]
pub(crate) use message::{subject as fuzz_subject, trailers as fuzz_trailers};

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
}

impl std::fmt::Display for ImportStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "git: {} new commits ({} in total){}",
            self.new_commits,
            self.total_commits,
            if self.rewritten {
                ", history was rewritten and re-imported"
            } else {
                ""
            }
        )
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
