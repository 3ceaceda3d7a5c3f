//! The git import's reads and writes (docs/git-import.md): every statement the import runs,
//! behind typed methods, so `src/git` holds no SQL.
//!
//! A write goes through [`Store::write_git`], which hands a [`GitWriter`] over the
//! transaction's connection; commit rows are inserted with cached statements.

use super::Store;
use super::write::json_list;
use crate::domain::{Commit, PrVia};
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, Statement, params};
use std::collections::HashSet;

/// SQLite page cache during an import, as `PRAGMA cache_size` wants it (negative = KiB): 256 MiB.
const IMPORT_CACHE_KIB: i64 = -256 * 1024;

/// The columns of `commits` an import writes, in the order of the parameters.
const COMMIT_COLUMNS: &str = "sha, seq, author_name, author_email, raw_author_email, \
    author_time, committer_name, committer_email, committer_time, subject, message, \
    parent_count, pr_number, pr_via, imported_pr, applied_by_other, markers, trailers, rowid";
const COLUMNS: usize = 19;

/// `INSERT INTO commits (…) VALUES (?1, …, ?19)`.
fn insert_sql() -> String {
    let params: Vec<String> = (1..=COLUMNS).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO commits ({COMMIT_COLUMNS}) VALUES ({})",
        params.join(", ")
    )
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it (`"`, `\\`, the short
/// escapes of `\b \f \n \r \t`, other control characters as `\u00xx`, nothing else), so the
/// stored text does not depend on which writer produced it.
fn push_json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII, so `i` and `i + 1` are character boundaries.
        out.push_str(&s[start..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// [`super::trailers_json`] written into `out` (cleared first) without serde: the same text.
fn trailers_json_into(out: &mut String, trailers: &[(String, String)]) {
    out.clear();
    out.push('[');
    for (i, (k, v)) in trailers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_json_str(out, k);
        out.push(',');
        push_json_str(out, v);
        out.push(']');
    }
    out.push(']');
}

/// [`json_list`] written into `out` (cleared first) without serde: the same text.
fn json_list_into(out: &mut String, items: &[String]) {
    out.clear();
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, item);
    }
    out.push(']');
}

/// Buffers reused from row to row for the JSON columns.
#[derive(Default)]
struct JsonBufs {
    markers: String,
    trailers: String,
}

/// Bind one commit's columns, rowid `rowid` (each value bound directly: no slice of trait
/// objects per row; SQLite copies what it is given, so `json` is free again afterwards).
fn bind_commit(st: &mut Statement<'_>, cm: &Commit, rowid: i64, json: &mut JsonBufs) -> Result<()> {
    let first = 1;
    json_list_into(&mut json.markers, &cm.markers);
    trailers_json_into(&mut json.trailers, &cm.trailers);
    st.raw_bind_parameter(first, cm.sha.as_str())?;
    st.raw_bind_parameter(first + 1, cm.seq)?;
    st.raw_bind_parameter(first + 2, cm.author_name.as_str())?;
    st.raw_bind_parameter(first + 3, cm.author_email.as_str())?;
    st.raw_bind_parameter(first + 4, cm.raw_author_email.as_str())?;
    st.raw_bind_parameter(first + 5, cm.author_time)?;
    st.raw_bind_parameter(first + 6, cm.committer_name.as_str())?;
    st.raw_bind_parameter(first + 7, cm.committer_email.as_str())?;
    st.raw_bind_parameter(first + 8, cm.committer_time)?;
    st.raw_bind_parameter(first + 9, cm.subject.as_str())?;
    st.raw_bind_parameter(first + 10, cm.message.as_str())?;
    st.raw_bind_parameter(first + 11, cm.parent_count)?;
    st.raw_bind_parameter(first + 12, cm.pr_number.map(|n| n as i64))?;
    st.raw_bind_parameter(first + 13, cm.pr_via.map(|v| v.as_str()))?;
    st.raw_bind_parameter(first + 14, cm.imported_pr.map(|n| n as i64))?;
    st.raw_bind_parameter(first + 15, cm.applied_by_other)?;
    st.raw_bind_parameter(first + 16, json.markers.as_str())?;
    st.raw_bind_parameter(first + 17, json.trailers.as_str())?;
    st.raw_bind_parameter(first + 18, rowid)?;
    Ok(())
}

/// A stored commit, by the rowid a bulk import gave it or by sha.
#[derive(Debug, Clone, Copy)]
pub enum CommitKey<'a> {
    Rowid(i64),
    Sha(&'a str),
}

/// The git import's statements inside one transaction of [`Store::write_git`].
pub struct GitWriter<'c> {
    conn: &'c Connection,
}

impl GitWriter<'_> {
    /// Empty the commit table and remove the `sync_state` `keys` (the watermark): the first
    /// step of a full import.
    pub fn clear_commits(&self, keys: &[&str]) -> Result<()> {
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM sync_state WHERE key = ?1")?;
        for key in keys {
            st.execute([key])?;
        }
        self.conn.execute("DELETE FROM commits", [])?;
        Ok(())
    }

    /// Insert commits known not to be stored yet (a bulk import into an emptied table): the
    /// same rows as [`GitWriter::upsert_commits`], with plain `INSERT`s, each commit's rowid
    /// being `seq - seq_base + 1` (its walk index + 1), so later updates need no lookup by sha.
    pub fn insert_new_commits(&self, commits: &[Commit], seq_base: i64) -> Result<()> {
        // One row per statement: a multi-row `INSERT` may fail half-way, so SQLite keeps a
        // statement journal for it, copying every page it touches (measured: 40% slower).
        let mut st = self.conn.prepare_cached(&insert_sql())?;
        let mut json = JsonBufs::default();
        for cm in commits {
            bind_commit(&mut st, cm, cm.seq - seq_base + 1, &mut json)?;
            st.raw_execute()?;
        }
        Ok(())
    }

    /// Insert or replace commits (an incremental import, which may meet its own rows).
    pub fn upsert_commits(&self, commits: &[Commit]) -> Result<()> {
        super::upsert_commits(&super::Tx { conn: self.conn }, commits)
    }

    /// Set a commit's PR reference unless it already has one; whether it was set.
    pub fn set_commit_pr_if_none(
        &self,
        key: CommitKey<'_>,
        number: u64,
        via: PrVia,
    ) -> Result<bool> {
        let n = match key {
            CommitKey::Rowid(id) => self
                .conn
                .prepare_cached(
                    "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE rowid = ?3 AND pr_number IS NULL",
                )?
                .execute(params![number as i64, via.as_str(), id])?,
            CommitKey::Sha(sha) => self
                .conn
                .prepare_cached(
                    "UPDATE commits SET pr_number = ?1, pr_via = ?2 WHERE sha = ?3 AND pr_number IS NULL",
                )?
                .execute(params![number as i64, via.as_str(), sha])?,
        };
        Ok(n > 0)
    }

    /// Replace a commit's markers.
    pub fn set_commit_markers(&self, key: CommitKey<'_>, markers: &[String]) -> Result<()> {
        match key {
            CommitKey::Rowid(id) => self
                .conn
                .prepare_cached("UPDATE commits SET markers = ?1 WHERE rowid = ?2")?
                .execute(params![json_list(markers), id])?,
            CommitKey::Sha(sha) => self
                .conn
                .prepare_cached("UPDATE commits SET markers = ?1 WHERE sha = ?2")?
                .execute(params![json_list(markers), sha])?,
        };
        Ok(())
    }

    /// Set a `sync_state` value.
    pub fn set_state(&self, key: &str, value: &str) -> Result<()> {
        super::set_state(&super::Tx { conn: self.conn }, key, value)
    }

    /// Record the imported repository: its path, branch and head (other fields kept).
    pub fn set_repository_head(
        &self,
        git_path: &str,
        branch: Option<&str>,
        head_sha: &str,
    ) -> Result<()> {
        super::set_repository(
            &super::Tx { conn: self.conn },
            None,
            Some(git_path),
            branch,
            Some(head_sha),
            None,
        )
    }
}

/// Connection settings suited to a bulk write, set by [`Store::bulk_import_settings`] and put
/// back by [`BulkSettings::restore`] (pragmas only take effect outside a transaction, so they
/// cannot live in one).
///
/// - A 256 MiB page cache (memory only): with SQLite's default 2 MB most inserts would spill
///   pages and read them back.
/// - For a full import, a rollback journal instead of WAL: WAL writes every page twice (into
///   the WAL, then into the database at the checkpoint); a rollback journal writes a page
///   beyond the file's original end once, and a full import mostly creates such pages. Both
///   modes are crash-safe, and `Store::open` sets WAL again anyway. If another connection has
///   the database open the switch fails harmlessly and WAL stays.
#[must_use = "restore the settings when the import ends"]
pub struct BulkSettings {
    cache: i64,
    journal: Option<String>,
}

impl BulkSettings {
    /// Put the settings back as they were.
    pub fn restore(self, store: &Store) -> Result<()> {
        let conn = store.conn();
        conn.pragma_update(None, "cache_size", self.cache)?;
        if let Some(mode) = self.journal {
            conn.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| {
                r.get::<_, String>(0)
            })?;
        }
        Ok(())
    }
}

impl Store {
    /// Run `f` in one write transaction (as [`Store::write`]) with the git import's
    /// statements.
    pub fn write_git<T>(&mut self, f: impl FnOnce(&GitWriter<'_>) -> Result<T>) -> Result<T> {
        self.write(|tx| f(&GitWriter { conn: tx.conn }))
    }

    /// Switch to the settings of a bulk write (see [`BulkSettings`]); `replace_all`: a full
    /// import, which also drops the write-ahead log for a rollback journal.
    pub fn bulk_import_settings(&self, replace_all: bool) -> Result<BulkSettings> {
        let conn = self.conn();
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        let mut journal: Option<String> = None;
        if replace_all {
            let before: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            journal = conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                    r.get::<_, String>(0)
                })
                .ok()
                .map(|_| before);
        }
        Ok(BulkSettings { cache, journal })
    }

    /// The shas of every stored commit.
    pub fn commit_shas(&self) -> Result<HashSet<String>> {
        let any: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM commits LIMIT 1", [], |r| r.get(0))
            .optional()?;
        if any.is_none() {
            return Ok(HashSet::new());
        }
        let mut st = self.conn().prepare("SELECT sha FROM commits")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The smallest `seq` stored, `None` without commits.
    pub fn min_commit_seq(&self) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row("SELECT min(seq) FROM commits", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::trailers_json;

    #[test]
    fn json_columns_are_written_as_serde_json_writes_them() {
        let nasty = [
            "",
            "plain",
            "quote \" and backslash \\",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}",
            "Ævar Arnfjörð <a@x> 🙂 \u{2028}",
            "</script> &amp; 'single'",
        ];
        let trailers: Vec<(String, String)> = nasty
            .iter()
            .flat_map(|a| nasty.iter().map(move |b| (a.to_string(), b.to_string())))
            .collect();
        let mut out = String::from("stale");
        for n in [0, 1, 2, trailers.len()] {
            trailers_json_into(&mut out, &trailers[..n]);
            assert_eq!(out, trailers_json(&trailers[..n]));
        }
        let list: Vec<String> = nasty.iter().map(|s| s.to_string()).collect();
        for n in [0, 1, list.len()] {
            json_list_into(&mut out, &list[..n]);
            assert_eq!(out, json_list(&list[..n]));
        }
    }

    #[test]
    fn the_insert_has_one_parameter_per_column() {
        assert_eq!(COMMIT_COLUMNS.split(',').count(), COLUMNS);
        assert!(insert_sql().ends_with("?18, ?19)"));
    }
}
