//! Local git history → commits in the store (no UI, no network).

use crate::error::{Error, Result};
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
    let repo = git2::Repository::open(path).map_err(|_| Error::NotAGitRepo(path.to_path_buf()))?;
    if repo.head().is_err() {
        return Err(Error::EmptyRepo(path.to_path_buf()));
    }
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
pub fn import(_store: &mut Store, path: &Path) -> Result<ImportStats> {
    check_repo(path)?;
    Err(Error::Usage("git import is not built yet".into()))
}
