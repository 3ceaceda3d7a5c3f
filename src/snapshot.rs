//! Offline snapshots: a self-contained single-file copy of a repository's database that opens
//! read-only anywhere (`contrail open FILE`) and gives the same numbers on any machine, because
//! the analysis settings are recorded inside it and `as_of` comes from the data.

use crate::error::{Error, Result};
use crate::store::Store;
use rusqlite::{Connection, OpenFlags, params};
use std::path::{Path, PathBuf};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportStats {
    pub path: PathBuf,
    pub bytes: u64,
    pub redacted: bool,
}

/// Copy the database at `src` into a new file `dest` (refusing to overwrite), optionally
/// redacted. Written to a temporary file beside `dest` and renamed at the end, so a failure
/// never leaves a half-written snapshot.
pub fn export(src: &Path, dest: &Path, redact: bool) -> Result<ExportStats> {
    if dest.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; choose another file name or delete it first",
            dest.display()
        )));
    }
    // Validates the source (foreign file, newer schema) without writing to it.
    drop(Store::open_read_only(src)?);
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| Error::Io {
        path: dest.to_path_buf(),
        reason: e.to_string(),
    };
    let tmp = tempfile_in(dir).map_err(io)?;
    let result = (|| -> Result<()> {
        let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.execute("VACUUM INTO ?1", params![tmp.to_string_lossy()])?;
        drop(conn);
        let out = Connection::open(&tmp)?;
        // A snapshot is one file: no WAL side files.
        out.pragma_update(None, "journal_mode", "DELETE")?;
        if redact {
            let tx = out.unchecked_transaction()?;
            redact_db(&tx)?;
            tx.commit()?;
            out.execute_batch("VACUUM")?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(ExportStats {
        path: dest.to_path_buf(),
        bytes,
        redacted: redact,
    })
}

fn tempfile_in(dir: &Path) -> std::io::Result<PathBuf> {
    for i in 0..100u32 {
        let p = dir.join(format!(".contrail-snapshot-{}-{i}.tmp", std::process::id()));
        if !p.exists() {
            return Ok(p);
        }
    }
    Err(std::io::Error::other(
        "cannot find a free temporary file name",
    ))
}

/// A stable pseudonym for an email: the local part is replaced by a hash, the domain is kept
/// (affiliation by internal domain still works). GitHub noreply addresses are kept as they are:
/// they only carry the public login, and analysis needs them to join identities.
pub fn pseudonymize_email(email: &str) -> String {
    let lower = email.trim().to_ascii_lowercase();
    if lower.is_empty()
        || lower.ends_with("@users.noreply.github.com")
        || lower == "noreply@github.com"
    {
        return lower;
    }
    let (_, domain) = lower.rsplit_once('@').unwrap_or(("", "invalid"));
    format!("u{:08x}@{domain}", fnv1a(lower.as_bytes()) as u32)
}

/// FNV-1a: a fixed, documented hash, so the same email gets the same pseudonym in every
/// snapshot on every machine and Rust version (std's hasher makes no such promise).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Replace every `<email>` inside `text` with its pseudonym.
fn redact_emails_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..=start]);
        rest = &rest[start + 1..];
        match rest.find('>') {
            Some(end)
                if rest[..end].contains('@') && !rest[..end].contains(char::is_whitespace) =>
            {
                out.push_str(&pseudonymize_email(&rest[..end]));
                rest = &rest[end..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// Remove private text: email local parts everywhere, issue/PR/comment bodies, commit message
/// bodies (the subject and trailers stay, with their emails pseudonymised), the user's notes,
/// and sync bookkeeping.
fn redact_db(conn: &Connection) -> Result<()> {
    // Emails in columns that hold one address.
    for (table, key, col) in [
        ("commits", "sha", "author_email"),
        ("commits", "sha", "raw_author_email"),
        ("commits", "sha", "committer_email"),
    ] {
        rewrite_column(conn, table, key, col, pseudonymize_email)?;
    }
    let trailers: Vec<(String, i64, String)> = conn
        .prepare("SELECT sha, pos, value FROM commit_trailers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    {
        let mut upd =
            conn.prepare("UPDATE commit_trailers SET value = ?3 WHERE sha = ?1 AND pos = ?2")?;
        for (sha, pos, value) in trailers {
            let new = redact_emails_in(&value);
            if new != value {
                upd.execute(params![sha, pos, new])?;
            }
        }
    }
    // identity_links and affiliations are keyed on the email: rebuild them.
    let links: Vec<(String, String, String)> = conn
        .prepare("SELECT email, login, reason FROM identity_links")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM identity_links", [])?;
    for (email, login, reason) in links {
        conn.execute(
            "INSERT OR IGNORE INTO identity_links (email, login, reason) VALUES (?1, ?2, ?3)",
            params![pseudonymize_email(&email), login, redact_emails_in(&reason)],
        )?;
    }
    rewrite_column(conn, "affiliations", "rowid", "identity", |v| {
        match v.strip_prefix("email:") {
            Some(e) => format!("email:{}", pseudonymize_email(e)),
            None => v.to_string(),
        }
    })?;
    // Commit messages: keep the subject line and the (redacted) trailer lines.
    let subjects: Vec<(String, String)> = conn
        .prepare("SELECT sha, subject FROM commits")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    {
        let mut trailers = conn
            .prepare_cached("SELECT key, value FROM commit_trailers WHERE sha = ?1 ORDER BY pos")?;
        let mut upd = conn.prepare_cached("UPDATE commits SET message = ?2 WHERE sha = ?1")?;
        for (sha, subject) in &subjects {
            let lines: Vec<String> = trailers
                .query_map([sha], |r| {
                    Ok(format!(
                        "{}: {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let msg = if lines.is_empty() {
                subject.clone()
            } else {
                format!("{subject}\n\n{}", lines.join("\n"))
            };
            upd.execute(params![sha, msg])?;
        }
    }
    conn.execute_batch(
        "UPDATE items SET body = '';
         UPDATE events SET body = NULL WHERE body IS NOT NULL;
         UPDATE users SET email = NULL;
         DELETE FROM notes;
         DELETE FROM sync_state;
         UPDATE repository SET git_path = NULL;",
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keep_the_domain_and_spare_noreply() {
        let a = pseudonymize_email("Alice@Example.com");
        assert_eq!(a, pseudonymize_email("alice@example.com"));
        assert!(a.ends_with("@example.com") && !a.contains("alice"), "{a}");
        assert_eq!(
            pseudonymize_email("123+bob@users.noreply.github.com"),
            "123+bob@users.noreply.github.com"
        );
    }

    #[test]
    fn emails_inside_trailers_are_replaced() {
        let s = redact_emails_in("Alice <alice@example.com>");
        assert!(
            s.starts_with("Alice <u") && s.ends_with("@example.com>"),
            "{s}"
        );
        assert_eq!(redact_emails_in("a < b > c"), "a < b > c");
    }
}
