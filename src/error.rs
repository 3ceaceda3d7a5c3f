//! Errors a user can act on: each message is one sentence that says what went wrong and the fix.
//! Messages never contain the GitHub token.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} is not a git repository; pass --git PATH pointing at a clone or a bare repository", .0.display())]
    NotAGitRepo(PathBuf),

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
        Error::Db(e.to_string())
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::Git(e.message().to_string())
    }
}
