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
// The commit-message parser, for the fuzz targets (docs/safety.md).
pub use markers::PrivateHosts;
// Who a trailer value names (an address glued to the next trailer names no one).
pub use message::trailer_identity;
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

/// OWNER/NAME of the `origin` remote when it points at GitHub, in a work tree or a bare
/// repository (`git clone --bare`/`--mirror` keep `origin` in their config). A bare copy
/// without a config file has no remotes: `None`.
pub fn github_origin(path: &Path) -> Option<String> {
    let repo = git2::Repository::open(path).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    parse_github_url(remote.url().ok()?)
}

/// OWNER/NAME of a GitHub URL in any form git accepts: `https://github.com/OWNER/NAME(.git)`
/// (with a user or port too), `git@github.com:OWNER/NAME.git`, `ssh://git@github.com/…`,
/// `git://github.com/…`.
pub fn parse_github_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.split_once("://") {
        Some((scheme, rest)) => {
            if !matches!(scheme, "https" | "http" | "ssh" | "git" | "git+ssh") {
                return None;
            }
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            if !is_github_host(host) {
                return None;
            }
            path
        }
        // scp-like: [user@]github.com:OWNER/NAME
        None => {
            let (authority, path) = url.split_once(':')?;
            let host = authority.rsplit('@').next()?;
            if !is_github_host(host) {
                return None;
            }
            path
        }
    };
    let rest = rest.trim_start_matches('/').trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let mut parts = rest.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    if owner.is_empty() || name.is_empty() || parts.next().is_some() {
        return None;
    }
    Some(format!("{owner}/{name}"))
}

fn is_github_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("github.com") || host.eq_ignore_ascii_case("www.github.com")
}

/// Import the history of HEAD into `store` (incremental; detects rewritten history).
pub fn import(store: &mut Store, path: &Path) -> Result<ImportStats> {
    import_with(store, path, &ImportOptions::default())
}

/// [`import`] with explicit options (extra private review hosts, batch size).
pub fn import_with(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportStats> {
    import::run(store, path, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_urls_in_every_form_git_accepts_name_the_repository() {
        for url in [
            "https://github.com/abseil/abseil-cpp.git",
            "https://github.com/abseil/abseil-cpp",
            "https://github.com/abseil/abseil-cpp/",
            "https://someone@github.com/abseil/abseil-cpp.git",
            "git@github.com:abseil/abseil-cpp.git",
            "github.com:abseil/abseil-cpp",
            "ssh://git@github.com/abseil/abseil-cpp.git",
            "ssh://git@github.com:22/abseil/abseil-cpp.git",
            "git://github.com/abseil/abseil-cpp.git",
        ] {
            assert_eq!(
                parse_github_url(url).as_deref(),
                Some("abseil/abseil-cpp"),
                "{url}"
            );
        }
        for url in [
            "https://gitlab.com/abseil/abseil-cpp.git",
            "https://github.com.evil.example/a/b",
            "/srv/git/abseil-cpp.git",
            "file:///srv/git/a/b",
            "https://github.com/abseil",
            "https://github.com/a/b/c",
        ] {
            assert_eq!(parse_github_url(url), None, "{url}");
        }
    }
}
