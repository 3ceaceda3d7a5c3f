//! Errors a user can act on: each message is one sentence that says what went wrong and the fix.
//! Messages never contain the GitHub token.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} is not a git repository; pass --git PATH pointing at a clone or a bare repository", .0.display())]
    NotAGitRepo(PathBuf),

    #[error("{} is owned by another user, so git refuses to read it (its safe.directory check); if you trust it, run `git config --global --add safe.directory {}`, or import a clone you own", .0.display(), .0.display())]
    NotOwner(PathBuf),

    #[error("{} has no commits yet (unborn HEAD); commit something or pass --git PATH of another repository", .0.display())]
    EmptyRepo(PathBuf),

    #[error("{} is not a contrail database ({reason}); pass --db with a contrail .sqlite file or a new path", path.display())]
    NotADatabase { path: PathBuf, reason: String },

    #[error("{} was written by a newer contrail (schema version {found}, this build knows up to {known}); upgrade contrail", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("{} holds {stored}, not {requested}; a database belongs to one repository: pass --db NEW to keep {requested} in a file of its own", path.display())]
    OtherRepository {
        path: PathBuf,
        stored: String,
        requested: String,
    },

    #[error(
        "the database is locked: another contrail is syncing this repository; wait for it to finish, or pass --db NEW to work on another file"
    )]
    Busy,

    #[error("{} is read-only; `contrail report`, `tui` and `open` can read it, but to sync into it make it writable (chmod u+w) or pass --db NEW", .0.display())]
    ReadOnly(PathBuf),

    #[error(
        "GitHub asks to wait {wait} before the next request, longer than github.max_wait ({max}); what was fetched is saved: resume with the same command after {resume_at} UTC"
    )]
    WaitTooLong {
        wait: String,
        max: String,
        resume_at: String,
    },

    #[error("cannot open {}: {reason}; check the path and its permissions", path.display())]
    Io { path: PathBuf, reason: String },

    #[error("no database {what}; {fix}")]
    NoDatabase { what: String, fix: String },

    #[error("invalid config {}: {reason}; fix the file or run `contrail config --defaults` to see every key", path.display())]
    Config { path: PathBuf, reason: String },

    #[error("{0}")]
    Usage(String),

    #[error("no GitHub token found; set GITHUB_TOKEN or GH_TOKEN, or log in with `gh auth login`")]
    NoToken,

    #[error("GitHub rejected the token (401); create a new token and set GITHUB_TOKEN")]
    BadToken,

    #[error(
        "repository {0} not found, or the token cannot see it (404); check OWNER/NAME and the token's access"
    )]
    RepoNotFound(String),

    #[error("GitHub request failed: {0}; try again later (the sync resumes where it stopped)")]
    GitHub(String),

    /// A plain HTTP 403 or a GraphQL FORBIDDEN: the token may not see this resource. Not
    /// retried; the org-members step skips it (members are optional).
    #[error("access denied (HTTP 403): {reason}; {fix}")]
    AccessDenied { reason: String, fix: &'static str },

    /// A GitHub response of a shape contrail does not expect (a missing field, a timestamp
    /// that is not RFC 3339): never stored as a guess.
    #[error(
        "GitHub request failed: unexpected GraphQL response at {at}: {source}; try again later (the sync resumes where it stopped), or upgrade contrail if it persists"
    )]
    UnexpectedResponse {
        at: String,
        #[source]
        source: serde_json::Error,
    },

    #[error("git error: {0}")]
    Git(String),

    /// An error of libgit2 itself.
    #[error("git error: {}", .0.message())]
    GitLib(#[source] git2::Error),

    #[error(
        "database error: {0}; check that the disk has space and the file is intact, or pass --db NEW to start a new file"
    )]
    Db(#[source] rusqlite::Error),

    #[error("cannot encode or decode JSON: {0}; this is a bug in contrail, please report it")]
    Json(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            return Error::Busy;
        }
        Error::Db(e)
    }
}

impl Error {
    /// The fix for an [`Error::AccessDenied`] in general.
    pub const ACCESS_FIX: &'static str = "check the token's access to this repository and its organisation, then run the same command again (it resumes where it stopped)";
    /// The fix for an [`Error::AccessDenied`] caused by SAML single sign-on.
    pub const SAML_FIX: &'static str = "authorize the token for the organisation's SAML single sign-on, then run the same command again (it resumes where it stopped)";
}

/// Whether SQLite gave up waiting for another connection's lock.
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether SQLite refused to write because the file (or its directory) is read-only.
pub fn is_read_only(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

impl Error {
    /// Why `git2::Repository::open(path)` failed, in the user's terms: a repository owned by
    /// another user is not "not a git repository".
    pub fn git_open(path: &std::path::Path, e: &git2::Error) -> Error {
        if e.code() == git2::ErrorCode::Owner {
            Error::NotOwner(path.to_path_buf())
        } else {
            Error::NotAGitRepo(path.to_path_buf())
        }
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::GitLib(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn wrapped_errors_keep_their_source_and_their_message() {
        let db: Error = rusqlite::Error::InvalidQuery.into();
        assert!(matches!(db, Error::Db(_)) && db.source().is_some(), "{db}");
        assert!(db.to_string().contains("--db NEW"), "{db}");
        let git: Error = git2::Error::from_str("boom").into();
        assert_eq!(git.to_string(), "git error: boom");
        assert!(git.source().is_some());
        let json: Error = serde_json::from_str::<u8>("x").unwrap_err().into();
        assert!(json.source().is_some(), "{json}");
        let denied = Error::AccessDenied {
            reason: "Resource not accessible".into(),
            fix: Error::ACCESS_FIX,
        };
        assert!(
            denied
                .to_string()
                .starts_with("access denied (HTTP 403): Resource")
        );
    }
}
