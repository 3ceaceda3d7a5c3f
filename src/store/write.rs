//! Batched upserts. Each function takes the transaction's connection from [`super::Store::write`]
//! and uses cached statements; rows are keyed on natural ids so re-importing changes nothing.

use crate::domain::{AffiliationFact, Commit, Event, IdentityLink, Item, Note, User};
use crate::error::Result;
use rusqlite::{Connection, params};

pub(super) fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A commit's trailers as stored: a JSON array of `[key, value]` pairs in message order.
pub fn trailers_json(trailers: &[(String, String)]) -> String {
    serde_json::to_string(trailers).unwrap_or_else(|_| "[]".into())
}

/// Insert or replace commits (trailers included). The git import's bulk insert is
/// [`super::GitWriter::insert_new_commits`].
pub fn upsert_commits(tx: &super::Tx<'_>, commits: &[Commit]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut c = conn.prepare_cached(
        "INSERT INTO commits (sha, seq, author_name, author_email, raw_author_email,
            author_time, committer_name, committer_email, committer_time, subject, message,
            parent_count, pr_number, pr_via, imported_pr, applied_by_other, markers, trailers)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT(sha) DO UPDATE SET seq = excluded.seq, author_name = excluded.author_name,
            author_email = excluded.author_email, raw_author_email = excluded.raw_author_email,
            author_time = excluded.author_time, committer_name = excluded.committer_name,
            committer_email = excluded.committer_email, committer_time = excluded.committer_time,
            subject = excluded.subject, message = excluded.message,
            parent_count = excluded.parent_count, pr_number = excluded.pr_number,
            pr_via = excluded.pr_via, imported_pr = excluded.imported_pr,
            applied_by_other = excluded.applied_by_other, markers = excluded.markers,
            trailers = excluded.trailers",
    )?;
    for cm in commits {
        c.execute(params![
            cm.sha,
            cm.seq,
            cm.author_name,
            cm.author_email,
            cm.raw_author_email,
            cm.author_time,
            cm.committer_name,
            cm.committer_email,
            cm.committer_time,
            cm.subject,
            cm.message,
            cm.parent_count,
            cm.pr_number.map(|n| n as i64),
            cm.pr_via.map(|v| v.as_str()),
            cm.imported_pr.map(|n| n as i64),
            cm.applied_by_other,
            json_list(&cm.markers),
            trailers_json(&cm.trailers),
        ])?;
    }
    Ok(())
}

pub fn upsert_items(tx: &super::Tx<'_>, items: &[Item]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st = conn.prepare_cached(
        "INSERT INTO items (number, kind, url, title, body, author, author_association, state,
            is_draft, created_at, updated_at, closed_at, merged_at, merged_by, merge_commit_sha,
            additions, deletions, changed_files, labels, head_repo_owner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
         ON CONFLICT(number) DO UPDATE SET kind = excluded.kind, url = excluded.url,
            title = excluded.title, body = excluded.body, author = excluded.author,
            author_association = excluded.author_association, state = excluded.state,
            is_draft = excluded.is_draft, created_at = excluded.created_at,
            updated_at = excluded.updated_at, closed_at = excluded.closed_at,
            merged_at = excluded.merged_at, merged_by = excluded.merged_by,
            merge_commit_sha = excluded.merge_commit_sha, additions = excluded.additions,
            deletions = excluded.deletions, changed_files = excluded.changed_files,
            labels = excluded.labels, head_repo_owner = excluded.head_repo_owner",
    )?;
    for it in items {
        st.execute(params![
            it.number as i64,
            it.kind.as_str(),
            it.url,
            it.title,
            it.body,
            it.author,
            it.author_association,
            it.state.as_str(),
            it.is_draft,
            it.created_at,
            it.updated_at,
            it.closed_at,
            it.merged_at,
            it.merged_by,
            it.merge_commit_sha,
            it.additions,
            it.deletions,
            it.changed_files,
            json_list(&it.labels),
            it.head_repo_owner,
        ])?;
    }
    Ok(())
}

/// Record that `sha` is one of PR `number`'s commits.
pub fn upsert_item_commits(tx: &super::Tx<'_>, pairs: &[(u64, String)]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st =
        conn.prepare_cached("INSERT OR IGNORE INTO item_commits (number, sha) VALUES (?1, ?2)")?;
    for (n, sha) in pairs {
        st.execute(params![*n as i64, sha])?;
    }
    Ok(())
}

pub fn upsert_events(tx: &super::Tx<'_>, events: &[Event]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st = conn.prepare_cached(
        "INSERT INTO events (id, kind, item, actor, at, association, state, body, target)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, item = excluded.item,
            actor = excluded.actor, at = excluded.at, association = excluded.association,
            state = excluded.state, body = excluded.body, target = excluded.target",
    )?;
    for e in events {
        st.execute(params![
            e.id,
            e.kind.as_str(),
            e.item.map(|n| n as i64),
            e.actor,
            e.at,
            e.association,
            e.state,
            e.body,
            e.target,
        ])?;
    }
    Ok(())
}

pub fn upsert_users(tx: &super::Tx<'_>, users: &[User]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st = conn.prepare_cached(
        "INSERT INTO users (login, kind, name, company, email, database_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(login) DO UPDATE SET kind = excluded.kind,
            name = coalesce(excluded.name, users.name),
            company = coalesce(excluded.company, users.company),
            email = coalesce(excluded.email, users.email),
            database_id = coalesce(excluded.database_id, users.database_id)",
    )?;
    for u in users {
        st.execute(params![
            u.login,
            u.kind.as_str(),
            u.name,
            u.company,
            u.email,
            u.database_id
        ])?;
    }
    Ok(())
}

pub fn upsert_org_members(tx: &super::Tx<'_>, org: &str, logins: &[String]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st =
        conn.prepare_cached("INSERT OR IGNORE INTO org_members (org, login) VALUES (?1, ?2)")?;
    for l in logins {
        st.execute(params![org, l])?;
    }
    Ok(())
}

pub fn upsert_identity_links(tx: &super::Tx<'_>, links: &[IdentityLink]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st = conn.prepare_cached(
        // One reason per link, the same whatever order the evidence arrives in (an
        // incremental sync ends like a clean one).
        "INSERT INTO identity_links (email, login, reason) VALUES (?1, ?2, ?3)
         ON CONFLICT(email, login) DO UPDATE SET reason = min(reason, excluded.reason)",
    )?;
    for l in links {
        st.execute(params![l.email, l.login, l.reason])?;
    }
    Ok(())
}

/// Replace all affiliation facts with `facts` (they are re-read from config at each sync).
pub fn replace_affiliations(tx: &super::Tx<'_>, facts: &[AffiliationFact]) -> Result<()> {
    let conn: &Connection = tx.conn;
    conn.execute("DELETE FROM affiliations", [])?;
    let mut st = conn.prepare_cached(
        "INSERT OR REPLACE INTO affiliations (identity, org, internal, from_ts, until_ts, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for f in facts {
        st.execute(params![
            f.identity, f.org, f.internal, f.from, f.until, f.source
        ])?;
    }
    Ok(())
}

pub fn set_state(tx: &super::Tx<'_>, key: &str, value: &str) -> Result<()> {
    let conn: &Connection = tx.conn;
    conn.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// Delete `keys` from `sync_state` (absent keys are fine).
pub fn delete_state(tx: &super::Tx<'_>, keys: &[&str]) -> Result<()> {
    let conn: &Connection = tx.conn;
    let mut st = conn.prepare_cached("DELETE FROM sync_state WHERE key = ?1")?;
    for k in keys {
        st.execute([k])?;
    }
    Ok(())
}

/// Whether `key` is set in `sync_state`; clears it.
pub fn take_state(tx: &super::Tx<'_>, key: &str) -> Result<bool> {
    let conn: &Connection = tx.conn;
    Ok(conn
        .prepare_cached("DELETE FROM sync_state WHERE key = ?1")?
        .execute([key])?
        > 0)
}

pub fn set_setting(tx: &super::Tx<'_>, key: &str, value: &str) -> Result<()> {
    let conn: &Connection = tx.conn;
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// Record what this database is about. `None` leaves a field as it is.
pub fn set_repository(
    tx: &super::Tx<'_>,
    full_name: Option<&str>,
    git_path: Option<&str>,
    default_branch: Option<&str>,
    head_sha: Option<&str>,
    api_url: Option<&str>,
) -> Result<()> {
    let conn: &Connection = tx.conn;
    conn.execute(
        "INSERT INTO repository (id, full_name, git_path, default_branch, head_sha, api_url)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET
            full_name = coalesce(excluded.full_name, repository.full_name),
            git_path = coalesce(excluded.git_path, repository.git_path),
            default_branch = coalesce(excluded.default_branch, repository.default_branch),
            head_sha = coalesce(excluded.head_sha, repository.head_sha),
            api_url = coalesce(excluded.api_url, repository.api_url)",
        params![
            full_name,
            git_path,
            default_branch,
            head_sha,
            // Credentials in a URL never reach the database (docs/safety.md).
            api_url.map(crate::sanitize::strip_url_credentials)
        ],
    )?;
    Ok(())
}

pub fn upsert_note(tx: &super::Tx<'_>, note: &Note) -> Result<()> {
    let conn: &Connection = tx.conn;
    conn.execute(
        "INSERT INTO notes (person, text, tags, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(person) DO UPDATE SET text = excluded.text, tags = excluded.tags,
            updated_at = excluded.updated_at",
        params![
            note.person,
            note.text,
            json_list(&note.tags),
            note.updated_at
        ],
    )?;
    Ok(())
}
