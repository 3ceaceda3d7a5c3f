//! Which repository a database belongs to (docs/safety.md): the GitHub `OWNER/NAME` recorded
//! by the first sync and, for git history, the root commits already imported. A sync of a
//! different repository into the same file is refused before anything is written.

use super::Store;
use crate::error::Result;
use rusqlite::OptionalExtension;

/// What the `repository` row says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepositoryRow {
    pub full_name: Option<String>,
    pub git_path: Option<String>,
    pub api_url: Option<String>,
}

impl Store {
    /// The recorded repository (all `None` for a new database).
    pub fn repository_row(&self) -> Result<RepositoryRow> {
        Ok(self
            .conn
            .query_row(
                "SELECT full_name, git_path, api_url FROM repository WHERE id = 1",
                [],
                |r| {
                    Ok(RepositoryRow {
                        full_name: r.get(0)?,
                        git_path: r.get(1)?,
                        api_url: r.get(2)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The web host of the recorded repository (`github.com` unless it came from GitHub
    /// Enterprise): the only host the TUI opens links on.
    pub fn web_host(&self) -> Result<String> {
        let row = self.repository_row()?;
        Ok(crate::sanitize::web_host(row.api_url.as_deref()))
    }

    /// Commits stored so far.
    pub fn commit_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM commits", [], |r| r.get(0))?)
    }

    /// Stored commits without parents: the roots of the imported history (or the boundary
    /// of a shallow clone).
    pub fn root_commits(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT sha FROM commits WHERE parent_count = 0 ORDER BY sha")?;
        let rows = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// Whether commit `sha` is stored.
    pub fn has_commit(&self, sha: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM commits WHERE sha = ?1")?
            .exists([sha])?)
    }
}

/// Whether a sync of GitHub repository `requested` may write into a database that recorded
/// `stored` (case-insensitive, as GitHub names are).
pub fn same_github_repo(stored: Option<&str>, requested: &str) -> bool {
    stored.is_none_or(|s| s.eq_ignore_ascii_case(requested))
}
