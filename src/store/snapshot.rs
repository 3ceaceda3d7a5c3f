//! The database side of offline snapshots (docs/snapshots.md, docs/safety.md): copying a
//! database file into one self-contained file, and rewriting every person and every piece of
//! private text of an in-memory copy. Which pseudonym a person gets is decided by the caller
//! (src/snapshot.rs) through [`Redact`]; this module only knows where people are stored.

use crate::error::Result;
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;

/// How a redacted snapshot rewrites one value; implemented by `snapshot::Identities`.
pub trait Redact {
    /// The pseudonym of one email address.
    fn email(&self, email: &str) -> String;
    /// The pseudonym of one GitHub login.
    fn login(&self, login: &str) -> String;
    /// The pseudonym of one person's name.
    fn name(&self, name: &str) -> String;
    /// Free text with every address, mention, known login and known name replaced.
    fn text(&self, text: &str) -> String;
    /// One identity as affiliations and aliases name it (`email:…`, `login:…`, `domain:…`).
    fn identity(&self, id: &str) -> String;
}

/// Every person a database names, as stored (duplicates removed, NULLs skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    /// Logins of users, item authors and mergers, event actors, org members, identity links
    /// and head-repository owners.
    pub logins: Vec<String>,
    /// Commit author and committer names and user names.
    pub names: Vec<String>,
    /// Commit author (raw and mapped) and committer emails, user and identity-link emails.
    pub emails: Vec<String>,
    /// The domains of `domain:` affiliation facts.
    pub fact_domains: Vec<String>,
    /// The recorded analysis settings (JSON), if any.
    pub analysis: Option<String>,
}

/// A copy of a database on its way into a snapshot file.
pub struct SnapshotCopy {
    conn: Connection,
}

impl SnapshotCopy {
    /// The file at `src` itself, read-only (an unredacted export copies it as it is).
    pub fn of_file(src: &Path) -> Result<SnapshotCopy> {
        Ok(SnapshotCopy {
            conn: Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?,
        })
    }

    /// The whole database at `src` as an in-memory copy (schema, rows, `application_id` and
    /// `user_version`), read without writing to `src`: a redacted export rewrites it before
    /// anything touches the disk.
    pub fn in_memory(src: &Path) -> Result<SnapshotCopy> {
        let mem = Connection::open_in_memory()?;
        let abs = std::path::absolute(src).unwrap_or_else(|_| src.to_path_buf());
        mem.execute("ATTACH DATABASE ?1 AS src", params![abs.to_string_lossy()])?;
        let objects: Vec<(String, String, String)> = mem
            .prepare(
                "SELECT type, name, sql FROM src.sqlite_master
                 WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
                 ORDER BY type = 'index', rowid",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (kind, name, sql) in &objects {
            mem.execute_batch(sql)?;
            if kind == "table" {
                let q = name.replace('"', "\"\"");
                mem.execute_batch(&format!(
                    "INSERT INTO main.\"{q}\" SELECT * FROM src.\"{q}\""
                ))?;
            }
        }
        let app: i64 = mem.query_row("PRAGMA src.application_id", [], |r| r.get(0))?;
        let ver: i64 = mem.query_row("PRAGMA src.user_version", [], |r| r.get(0))?;
        mem.execute_batch("DETACH DATABASE src")?;
        mem.pragma_update(None, "application_id", app)?;
        mem.pragma_update(None, "user_version", ver)?;
        Ok(SnapshotCopy { conn: mem })
    }

    /// Every person the copy names, and its recorded analysis settings.
    pub fn people(&self) -> Result<People> {
        let c = &self.conn;
        let mut names = strings(
            c,
            "SELECT author_name FROM commits UNION SELECT committer_name FROM commits
             UNION SELECT name FROM users",
        )?;
        names.retain(|n| !n.contains('@'));
        Ok(People {
            logins: strings(
                c,
                "SELECT login FROM users UNION SELECT author FROM items
                 UNION SELECT merged_by FROM items UNION SELECT actor FROM events
                 UNION SELECT login FROM org_members UNION SELECT login FROM identity_links
                 UNION SELECT head_repo_owner FROM items",
            )?,
            names,
            emails: strings(
                c,
                "SELECT author_email FROM commits UNION SELECT raw_author_email FROM commits
                 UNION SELECT committer_email FROM commits UNION SELECT email FROM users
                 UNION SELECT email FROM identity_links",
            )?,
            fact_domains: strings(
                c,
                "SELECT substr(identity, 8) FROM affiliations WHERE identity LIKE 'domain:%'",
            )?,
            analysis: strings(c, "SELECT value FROM settings WHERE key = 'analysis'")?
                .into_iter()
                .next(),
        })
    }

    /// Pseudonymise every person — names, logins and emails in their columns, and inside
    /// free text (commit subjects and trailers, titles, link reasons, affiliation sources) —
    /// through `r`, record `analysis` (already redacted) as the analysis settings, and remove
    /// private text: issue/PR/comment bodies, commit message bodies, the user's notes, sync
    /// bookkeeping, the local path and credentials in the API URL. One transaction.
    pub fn redact(&mut self, r: &dyn Redact, analysis: Option<&str>) -> Result<()> {
        let tx = self.conn.transaction()?;
        redact_rows(&tx, r, analysis)?;
        tx.commit()?;
        Ok(())
    }

    /// Write the copy to the new file `dest` as one self-contained file (no WAL side files).
    pub fn write_to(self, dest: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", params![dest.to_string_lossy()])?;
        drop(self.conn);
        let out = Connection::open(dest)?;
        out.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    }
}

fn strings(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare(sql)?
        .query_map([], |r| r.get::<_, Option<String>>(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?)
}

fn redact_rows(conn: &Connection, r: &dyn Redact, analysis: Option<&str>) -> Result<()> {
    // Columns that hold one email, login or name.
    for col in ["author_email", "raw_author_email", "committer_email"] {
        rewrite_column(conn, "commits", "sha", col, |e| r.email(e))?;
    }
    for col in ["author_name", "committer_name"] {
        rewrite_column(conn, "commits", "sha", col, |n| r.name(n))?;
    }
    for (table, key, col) in [
        ("items", "number", "author"),
        ("items", "number", "merged_by"),
        ("items", "number", "head_repo_owner"),
        ("events", "id", "actor"),
    ] {
        rewrite_column(conn, table, key, col, |l| r.login(l))?;
    }
    rewrite_column(conn, "items", "number", "title", |t| r.text(t))?;
    // Tables keyed on a person: rebuild them.
    type UserRow = (String, String, Option<String>, Option<String>);
    let users: Vec<UserRow> = conn
        .prepare("SELECT login, kind, name, company FROM users")?
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM users", [])?;
    for (login, kind, name, company) in users {
        conn.execute(
            "INSERT OR IGNORE INTO users (login, kind, name, company, email, database_id)
             VALUES (?1, ?2, ?3, ?4, NULL, NULL)",
            params![
                r.login(&login),
                kind,
                name.as_deref().map(|n| r.name(n)),
                company.as_deref().map(|c| r.text(c))
            ],
        )?;
    }
    let members: Vec<(String, String)> = conn
        .prepare("SELECT org, login FROM org_members")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM org_members", [])?;
    for (org, login) in members {
        conn.execute(
            "INSERT OR IGNORE INTO org_members (org, login) VALUES (?1, ?2)",
            params![org, r.login(&login)],
        )?;
    }
    let links: Vec<(String, String, String)> = conn
        .prepare("SELECT email, login, reason FROM identity_links")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM identity_links", [])?;
    for (email, login, reason) in links {
        conn.execute(
            "INSERT OR IGNORE INTO identity_links (email, login, reason) VALUES (?1, ?2, ?3)",
            params![r.email(&email), r.login(&login), r.text(&reason)],
        )?;
    }
    rewrite_column(conn, "affiliations", "rowid", "identity", |v| r.identity(v))?;
    rewrite_column(conn, "affiliations", "rowid", "source", |v| r.text(v))?;
    // Commit messages: the subject and the trailer lines stay, redacted; the body goes.
    let commits: Vec<(String, String, String)> = conn
        .prepare("SELECT sha, subject, trailers FROM commits")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    {
        let mut upd = conn.prepare_cached(
            "UPDATE commits SET subject = ?2, message = ?3, trailers = ?4 WHERE sha = ?1",
        )?;
        for (sha, subject, json) in &commits {
            let subject = r.text(subject);
            // Trailers this build cannot read are dropped, never copied unredacted.
            let mut trailers: Vec<(String, String)> =
                serde_json::from_str(json).unwrap_or_default();
            for (_, v) in &mut trailers {
                *v = r.text(v);
            }
            let lines: Vec<String> = trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let msg = if lines.is_empty() {
                subject.clone()
            } else {
                format!("{subject}\n\n{}", lines.join("\n"))
            };
            upd.execute(params![sha, subject, msg, super::trailers_json(&trailers)])?;
        }
    }
    if let Some(json) = analysis {
        super::set_setting(&super::Tx { conn }, "analysis", json)?;
    }
    let api_url: Option<String> = strings(conn, "SELECT api_url FROM repository")?
        .into_iter()
        .next();
    conn.execute_batch(
        "UPDATE items SET body = '';
         UPDATE events SET body = NULL WHERE body IS NOT NULL;
         DELETE FROM notes;
         DELETE FROM sync_state;
         UPDATE repository SET git_path = NULL;",
    )?;
    if let Some(u) = api_url {
        conn.execute(
            "UPDATE repository SET api_url = ?1",
            params![crate::sanitize::strip_url_credentials(&u)],
        )?;
    }
    Ok(())
}

/// Apply `f` to every non-null value of `table.col` (rows addressed by `key`).
fn rewrite_column(
    conn: &Connection,
    table: &str,
    key: &str,
    col: &str,
    f: impl Fn(&str) -> String,
) -> Result<()> {
    let rows: Vec<(rusqlite::types::Value, String)> = conn
        .prepare(&format!(
            "SELECT {key}, {col} FROM {table} WHERE {col} IS NOT NULL"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut upd = conn.prepare(&format!("UPDATE {table} SET {col} = ?2 WHERE {key} = ?1"))?;
    for (k, v) in rows {
        let new = f(&v);
        if new != v {
            upd.execute(params![k, new])?;
        }
    }
    Ok(())
}
