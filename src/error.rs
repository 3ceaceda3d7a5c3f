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

    #[error("git error: {0}")]
    Git(String),

    #[error("database error: {0}")]
    Db(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if is_busy(&e) {
            return Error::Busy;
        }
        Error::Db(e.to_string())
    }
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
        Error::Git(e.message().to_string())
    }
}
