//! The SQLite store: opening (pragmas, validation), migrations, batched upserts, typed loads.
//!
//! One database file per repository. Every write goes through [`Store::write`], one transaction
//! per batch, with upserts keyed on natural ids so importing the same data twice changes nothing.

mod git;
mod github;
mod identity;
mod load;
mod migrations;
pub mod snapshot;
mod write;

pub use git::{BulkSettings, CommitKey, GitWriter};
pub use github::{clear_items_children, remove_events_not_in, replace_org_members};
pub use identity::{RepositoryRow, same_github_repo};
pub use load::load_dataset;
pub use migrations::MIGRATIONS;
pub use write::*;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};

/// `PRAGMA application_id` of contrail databases ("cntr").
pub const APPLICATION_ID: i64 = 0x636e_7472;

/// `PRAGMA page_size` of a new database file.
pub const PAGE_SIZE: i64 = 16384;

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create if missing, migrate, write.
    ReadWrite,
    /// Never modify the file (snapshots); fails if the file is missing.
    ReadOnly,
}

/// Settings (key, JSON) and affiliation facts waiting for the next write.
type Staged = (Vec<(String, String)>, Vec<crate::domain::AffiliationFact>);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    mode: Mode,
    /// Settings (key, JSON) and affiliation facts to record in the same transaction as the
    /// first data written (docs/safety.md): a sync that fails before its first page changes
    /// nothing, not even the recorded settings.
    pending: Option<Staged>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .finish()
    }
}

impl Store {
    /// Open (or create) a database read-write and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::ReadWrite)
    }

    /// Open an existing database without ever writing to it.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::ReadOnly)
    }

    /// An in-memory database with the current schema (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            mode: Mode::ReadWrite,
            pending: None,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn open_mode(path: &Path, mode: Mode) -> Result<Store> {
        let exists = path.exists();
        if !exists && mode == Mode::ReadOnly {
            return Err(Error::Io {
                path: path.to_path_buf(),
                reason: "no such file".into(),
            });
        }
        if path.is_dir() {
            return Err(Error::NotADatabase {
                path: path.to_path_buf(),
                reason: "it is a directory".into(),
            });
        }
        // A FIFO, a device or a socket would block or feed garbage to SQLite.
        if exists && !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return Err(Error::NotADatabase {
                path: path.to_path_buf(),
                reason: "it is not a regular file (a pipe, device or socket)".into(),
            });
        }
        let not_writable =
            exists && std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if mode == Mode::ReadWrite && not_writable {
            return Err(Error::ReadOnly(path.to_path_buf()));
        }
        if !exists && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                path: parent.to_path_buf(),
                reason: e.to_string(),
            })?;
        }
        let flags = match mode {
            Mode::ReadWrite if exists => OpenFlags::SQLITE_OPEN_READ_WRITE,
            Mode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            Mode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        // A file nobody may write cannot change under us: open it immutable, so reading needs
        // no -shm/-wal side files (which a read-only file's reader could not create).
        let conn = if mode == Mode::ReadOnly && not_writable {
            Connection::open_with_flags(immutable_uri(path), flags)
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(|e| Error::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let not_db = |reason: String| Error::NotADatabase {
            path: path.to_path_buf(),
            reason,
        };
        // Validate before touching anything: a foreign or newer file must stay byte-identical.
        let (app_id, version, tables) = (|| -> rusqlite::Result<(i64, i64, i64)> {
            let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let ver: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            Ok((app, ver, n))
        })()
        .map_err(|e| {
            if crate::error::is_busy(&e) {
                Error::Busy
            } else {
                not_db(e.to_string())
            }
        })?;
        if app_id != APPLICATION_ID && (version != 0 || tables != 0) {
            return Err(not_db("it belongs to another program".into()));
        }
        if version > schema_version() {
            return Err(Error::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                known: schema_version(),
            });
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            mode,
            pending: None,
        };
        match mode {
            Mode::ReadWrite => {
                if !exists {
                    // 16 KiB pages (SQLite's default is 4 KiB): a git import writes tens of MB
                    // of commit rows; bigger pages mean fewer page writes, B-tree splits and
                    // cells per page header (~10% less CPU for a full import). Only settable
                    // before the file has content.
                    store.conn.pragma_update(None, "page_size", PAGE_SIZE)?;
                }
                store
                    .conn
                    .pragma_update(None, "journal_mode", "WAL")
                    .map_err(|e| {
                        if crate::error::is_busy(&e) {
                            Error::Busy
                        } else if crate::error::is_read_only(&e) {
                            Error::ReadOnly(path.to_path_buf())
                        } else {
                            not_db(e.to_string())
                        }
                    })?;
                store.conn.pragma_update(None, "synchronous", "NORMAL")?;
                store.conn.pragma_update(None, "foreign_keys", "ON")?;
                store.migrate()?;
            }
            Mode::ReadOnly => {
                if version < schema_version() {
                    return Err(not_db(format!(
                        "schema version {version} is older than this build's {}; open a writable copy once to upgrade it",
                        schema_version()
                    )));
                }
                store.conn.pragma_update(None, "query_only", "ON")?;
            }
        }
        Ok(store)
    }

    /// Apply missing migrations in one exclusive transaction.
    fn migrate(&mut self) -> Result<()> {
        // Up to date: write nothing, so opening a database never changes its bytes.
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if current == schema_version() && app == APPLICATION_ID {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The raw connection, for tests and benchmark tools that inspect or damage a database on
    /// purpose; contrail's own code outside src/store/ never uses it (CONTRIBUTING.md).
    #[doc(hidden)]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one IMMEDIATE transaction: all of its writes land together or not at all.
    /// `f` gets the transaction as a [`Tx`], which it hands to the store's write functions.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        if self.mode == Mode::ReadOnly {
            return Err(Error::Usage(format!(
                "{} is open read-only; copy it to write to it",
                self.path.display()
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let t = Tx { conn: &tx };
        if let Some((settings, facts)) = &self.pending {
            for (k, v) in settings {
                set_setting(&t, k, v)?;
            }
            replace_affiliations(&t, facts)?;
        }
        let out = f(&t)?;
        tx.commit()?;
        self.pending = None;
        Ok(out)
    }

    /// Record `settings` (key, JSON) and affiliation `facts` together with the next write,
    /// so they change only when data does (docs/safety.md).
    pub fn stage_settings(
        &mut self,
        settings: Vec<(String, String)>,
        facts: Vec<crate::domain::AffiliationFact>,
    ) {
        self.pending = Some((settings, facts));
    }

    /// Write staged settings that no data write has carried yet (a sync with nothing new).
    pub fn flush_staged(&mut self) -> Result<()> {
        if self.pending.is_some() {
            self.write(|_| Ok(()))?;
        }
        Ok(())
    }

    /// Load everything analysis needs into memory.
    pub fn dataset(&self) -> Result<crate::domain::Dataset> {
        load_dataset(&self.conn)
    }

    /// A recorded setting (`settings` table: key → JSON or text).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// A value from `sync_state`.
    pub fn state(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

/// The open transaction of [`Store::write`]. Code outside src/store/ only passes it on to the
/// store's write functions (`store::upsert_items(tx, …)`, …): it runs no SQL of its own.
pub struct Tx<'t> {
    conn: &'t Connection,
}

/// `file:PATH?immutable=1`, percent-encoding what a URI path cannot hold.
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The default database file for a repository: `<data dir>/repos/<owner>__<name>.sqlite`
/// (or `<dir name>.sqlite` for a local-only repository).
pub fn default_db_path(repo_key: &str) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "contrail", "contrail").ok_or_else(|| {
        Error::Usage("cannot find a home directory for the database; pass --db FILE".into())
    })?;
    let safe: String = repo_key
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' => c.to_string(),
            '/' => "__".to_string(),
            _ => "_".to_string(),
        })
        .collect();
    Ok(dirs.data_dir().join("repos").join(format!("{safe}.sqlite")))
}
