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
/// redacted.
///
/// Written to a temporary file beside `dest` that is removed on every exit — an error, a
/// panic, Ctrl-C, SIGTERM or SIGHUP — and moved into place with a rename that never replaces
/// an existing file. A redacted export is built in memory first, so no unredacted copy ever
/// touches the disk, not even for an instant (docs/safety.md).
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
    let tmp = tempfile::Builder::new()
        .prefix(".contrail-snapshot-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    remove_on_signal(tmp.path());
    let conn = if redact {
        let mem = copy_into_memory(src)?;
        let tx = mem.unchecked_transaction()?;
        redact_db(&tx)?;
        tx.commit()?;
        mem
    } else {
        Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?
    };
    conn.execute("VACUUM INTO ?1", params![tmp.path().to_string_lossy()])?;
    drop(conn);
    {
        let out = Connection::open(tmp.path())?;
        // A snapshot is one file: no WAL side files.
        out.pragma_update(None, "journal_mode", "DELETE")?;
    }
    tmp.persist_noclobber(dest).map_err(|e| io(e.error))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(ExportStats {
        path: dest.to_path_buf(),
        bytes,
        redacted: redact,
    })
}

/// Remove `path` when the process is interrupted (Ctrl-C, SIGTERM, SIGHUP), then exit; the
/// drop of the `NamedTempFile` covers every other exit.
fn remove_on_signal(path: &Path) {
    let path = path.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("snapshot-signals".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{SignalKind, signal};
                    let (Ok(mut term), Ok(mut hup)) = (
                        signal(SignalKind::terminate()),
                        signal(SignalKind::hangup()),
                    ) else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                        _ = hup.recv() => {}
                    }
                }
                #[cfg(not(unix))]
                let _ = tokio::signal::ctrl_c().await;
            });
            let _ = std::fs::remove_file(&path);
            eprintln!("contrail: interrupted; the unfinished snapshot was removed");
            std::process::exit(130);
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for interruptions during the export: {e}");
    }
}

/// The whole database at `src` as an in-memory copy (schema, rows, `application_id` and
/// `user_version`), read without writing to `src`.
fn copy_into_memory(src: &Path) -> Result<Connection> {
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
    Ok(mem)
}

/// A stable pseudonym for an email: the local part is replaced by a hash, the domain is kept.
/// A GitHub noreply address carries a login and a user id: it becomes the noreply address of
/// the login's pseudonym, so analysis still joins it to that login.
pub fn pseudonymize_email(email: &str) -> String {
    pseudonymize_email_keeping(email, |_| true)
}

/// [`pseudonymize_email`], keeping the domain only when `keep(domain)`; any other domain is
/// replaced by `d<hash>.invalid` (a personal domain names its owner).
pub fn pseudonymize_email_keeping(email: &str, keep: impl Fn(&str) -> bool) -> String {
    let lower = email.trim().to_ascii_lowercase();
    if lower.is_empty() || lower == "noreply@github.com" {
        return lower;
    }
    if let Some(local) = lower.strip_suffix("@users.noreply.github.com") {
        let login = local.split_once('+').map_or(local, |(_, l)| l);
        return format!("{}@users.noreply.github.com", pseudonymize_login(login));
    }
    let (_, domain) = lower.rsplit_once('@').unwrap_or(("", "invalid"));
    let domain = if keep(domain) {
        domain.to_string()
    } else {
        format!(
            "d{:08x}.invalid",
            fnv1a(format!("domain:{domain}").as_bytes()) as u32
        )
    };
    format!("u{:08x}@{domain}", fnv1a(lower.as_bytes()) as u32)
}

/// A stable pseudonym for a GitHub login (case-insensitive, as logins are). Bots keep their
/// `[bot]` suffix so they are still recognised as bots.
pub fn pseudonymize_login(login: &str) -> String {
    let lower = login.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return lower;
    }
    let (base, bot) = match lower.strip_suffix("[bot]") {
        Some(b) => (b, "[bot]"),
        None => (lower.as_str(), ""),
    };
    format!(
        "user-{:08x}{bot}",
        fnv1a(format!("login:{base}").as_bytes()) as u32
    )
}

/// A stable pseudonym for a person's name.
pub fn pseudonymize_name(name: &str) -> String {
    let key = name.trim().to_lowercase();
    if key.is_empty() {
        return String::new();
    }
    format!(
        "Person {:08x}",
        fnv1a(format!("name:{key}").as_bytes()) as u32
    )
}

/// FNV-1a: a fixed, documented hash, so the same email gets the same pseudonym in every
/// snapshot on every machine and Rust version (std's hasher makes no such promise).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Every person a database knows (logins, names, emails), and the one rewrite of free text
/// that replaces them — and any email address or `@mention`, known or not — with the same
/// pseudonyms as the columns (docs/safety.md).
pub struct Identities {
    /// Email domains analysis needs (internal domains, `domain:` affiliation facts): kept.
    keep_domains: Vec<String>,
    /// Known names and logins (lowercase) → pseudonym, searched as whole words.
    words: Vec<(String, String)>,
    finder: Option<aho_corasick::AhoCorasick>,
    email: regex::Regex,
    mention: regex::Regex,
}

/// Names and logins shorter than this are not searched for in free text (they would match
/// ordinary words); emails and `@mentions` are always replaced.
const MIN_WORD: usize = 3;

impl Identities {
    pub fn new(logins: &[String], names: &[String], keep_domains: &[String]) -> Identities {
        let mut words: Vec<(String, String)> = Vec::new();
        for l in logins {
            let l = l.trim().to_lowercase();
            if l.chars().count() >= MIN_WORD {
                words.push((l.clone(), pseudonymize_login(&l)));
            }
        }
        for n in names {
            let n = n.trim().to_lowercase();
            if n.chars().count() >= MIN_WORD {
                words.push((n.clone(), pseudonymize_name(&n)));
            }
        }
        // Longest first, so "Alice Smith" wins over "alice".
        words.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        words.dedup_by(|a, b| a.0 == b.0);
        let finder = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(words.iter().map(|(w, _)| w.as_str()))
            .ok();
        Identities {
            keep_domains: keep_domains
                .iter()
                .map(|d| d.trim().to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            words,
            finder,
            // Proven-valid constant patterns.
            email: regex::Regex::new(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*").expect("valid regex"),
            mention: regex::Regex::new(r"(^|[^\w.@/-])@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?)")
                .expect("valid regex"),
        }
    }

    /// The pseudonym of one email address.
    pub fn email(&self, email: &str) -> String {
        pseudonymize_email_keeping(email, |d| {
            self.keep_domains
                .iter()
                .any(|k| d == k || d.ends_with(&format!(".{k}")))
        })
    }

    /// `text` with every email address, `@mention`, known login and known name replaced.
    pub fn redact_text(&self, text: &str) -> String {
        let text = self
            .email
            .replace_all(text, |c: &regex::Captures| self.email(&c[0]));
        let text = self.mention.replace_all(&text, |c: &regex::Captures| {
            format!("{}@{}", &c[1], pseudonymize_login(&c[2]))
        });
        let Some(finder) = &self.finder else {
            return text.into_owned();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
        for m in finder.find_iter(text.as_ref()) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if word(before) || word(after) || m.start() < last {
                continue;
            }
            out.push_str(&text[last..m.start()]);
            out.push_str(&self.words[m.pattern().as_usize()].1);
            last = m.end();
        }
        out.push_str(&text[last..]);
        out
    }

    /// One identity as the affiliation table and aliases name it: an email or a login.
    pub fn redact_identity(&self, id: &str) -> String {
        if let Some(e) = id.strip_prefix("email:") {
            return format!("email:{}", self.email(e));
        }
        if let Some(l) = id.strip_prefix("login:") {
            return format!("login:{}", pseudonymize_login(l));
        }
        if id.starts_with("domain:") {
            return id.to_string();
        }
        if id.contains('@') {
            self.email(id)
        } else {
            pseudonymize_login(id)
        }
    }
}

fn strings(conn: &Connection, sql: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare(sql)?
        .query_map([], |r| r.get::<_, Option<String>>(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<_>>()?)
}

/// Pseudonymise every person in the database — names, logins and emails in their columns,
/// and inside free text (commit subjects and trailers, titles, link reasons, recorded
/// settings) — through one identity table, and remove private text: issue/PR/comment
/// bodies, commit message bodies, the user's notes, sync bookkeeping, the local path and
/// credentials in the API URL.
fn redact_db(conn: &Connection) -> Result<()> {
    let mut logins = strings(
        conn,
        "SELECT login FROM users UNION SELECT author FROM items UNION SELECT merged_by FROM items
         UNION SELECT actor FROM events UNION SELECT login FROM org_members
         UNION SELECT login FROM identity_links UNION SELECT head_repo_owner FROM items",
    )?;
    let mut names = strings(
        conn,
        "SELECT author_name FROM commits UNION SELECT committer_name FROM commits
         UNION SELECT name FROM users",
    )?;
    let settings: Option<crate::config::Settings> =
        strings(conn, "SELECT value FROM settings WHERE key = 'analysis'")?
            .first()
            .and_then(|j| serde_json::from_str(j).ok());
    if let Some(s) = &settings {
        for id in s.aliases.iter().flatten() {
            if !id.contains('@') {
                logins.push(id.clone());
            }
        }
    }
    names.retain(|n| !n.contains('@'));
    let emails = strings(
        conn,
        "SELECT author_email FROM commits UNION SELECT raw_author_email FROM commits
         UNION SELECT committer_email FROM commits UNION SELECT email FROM users
         UNION SELECT email FROM identity_links",
    )?;
    let mut keep_domains: Vec<String> = strings(
        conn,
        "SELECT substr(identity, 8) FROM affiliations WHERE identity LIKE 'domain:%'",
    )?;
    if let Some(s) = &settings {
        keep_domains.extend(s.internal_domains.iter().cloned());
    }
    let ids = Identities::new(&logins, &names, &keep_domains);

    // Columns that hold one email, login or name.
    for (table, key, col) in [
        ("commits", "sha", "author_email"),
        ("commits", "sha", "raw_author_email"),
        ("commits", "sha", "committer_email"),
    ] {
        rewrite_column(conn, table, key, col, |e| ids.email(e))?;
    }
    for (table, key, col) in [
        ("commits", "sha", "author_name"),
        ("commits", "sha", "committer_name"),
    ] {
        rewrite_column(conn, table, key, col, pseudonymize_name)?;
    }
    for (table, key, col) in [
        ("items", "number", "author"),
        ("items", "number", "merged_by"),
        ("items", "number", "head_repo_owner"),
        ("events", "id", "actor"),
    ] {
        rewrite_column(conn, table, key, col, pseudonymize_login)?;
    }
    rewrite_column(conn, "items", "number", "title", |t| ids.redact_text(t))?;
    // Tables keyed on a person: rebuild them.
    type UserRow = (String, String, Option<String>, Option<String>, Option<i64>);
    let users: Vec<UserRow> = conn
        .prepare("SELECT login, kind, name, company, database_id FROM users")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM users", [])?;
    for (login, kind, name, company, _database_id) in users {
        conn.execute(
            "INSERT OR IGNORE INTO users (login, kind, name, company, email, database_id)
             VALUES (?1, ?2, ?3, ?4, NULL, NULL)",
            params![
                pseudonymize_login(&login),
                kind,
                name.as_deref().map(pseudonymize_name),
                company.as_deref().map(|c| ids.redact_text(c))
            ],
        )?;
    }
    let members: Vec<(String, String)> = conn
        .prepare("SELECT org, login FROM org_members")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM org_members", [])?;
    for (org, login) in members {
        conn.execute(
            "INSERT OR IGNORE INTO org_members (org, login) VALUES (?1, ?2)",
            params![org, pseudonymize_login(&login)],
        )?;
    }
    let links: Vec<(String, String, String)> = conn
        .prepare("SELECT email, login, reason FROM identity_links")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM identity_links", [])?;
    for (email, login, reason) in links {
        conn.execute(
            "INSERT OR IGNORE INTO identity_links (email, login, reason) VALUES (?1, ?2, ?3)",
            params![
                ids.email(&email),
                pseudonymize_login(&login),
                ids.redact_text(&reason)
            ],
        )?;
    }
    rewrite_column(conn, "affiliations", "rowid", "identity", |v| {
        ids.redact_identity(v)
    })?;
    rewrite_column(conn, "affiliations", "rowid", "source", |v| {
        ids.redact_text(v)
    })?;
    // Commit messages: the subject and the trailer lines stay, redacted; the body goes.
    let commits: Vec<(String, String, String)> = conn
        .prepare("SELECT sha, subject, trailers FROM commits")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    {
        let mut upd = conn.prepare_cached(
            "UPDATE commits SET subject = ?2, message = ?3, trailers = ?4 WHERE sha = ?1",
        )?;
        for (sha, subject, json) in &commits {
            let subject = ids.redact_text(subject);
            let mut trailers: Vec<(String, String)> =
                serde_json::from_str(json).unwrap_or_default();
            for (_, v) in &mut trailers {
                *v = ids.redact_text(v);
            }
            let lines: Vec<String> = trailers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let msg = if lines.is_empty() {
                subject.clone()
            } else {
                format!("{subject}\n\n{}", lines.join("\n"))
            };
            upd.execute(params![
                sha,
                subject,
                msg,
                crate::store::trailers_json(&trailers)
            ])?;
        }
    }
    // Recorded settings: aliases through the identity table, patterns and phrases as text.
    if let Some(mut s) = settings {
        for id in s.aliases.iter_mut().flatten() {
            *id = ids.redact_identity(id);
        }
        // A bot pattern becomes the exact pseudonyms of the identities it matched, so the
        // same people stay bots and the pattern names nobody.
        s.bot_patterns = s
            .bot_patterns
            .iter()
            .filter_map(|p| {
                let re = regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .ok()?;
                let mut alts: Vec<String> = logins
                    .iter()
                    .filter(|l| re.is_match(l))
                    .map(|l| pseudonymize_login(l))
                    .chain(
                        names
                            .iter()
                            .filter(|n| re.is_match(n))
                            .map(|n| pseudonymize_name(n)),
                    )
                    .chain(
                        emails
                            .iter()
                            .filter(|e| re.is_match(e))
                            .map(|e| ids.email(e)),
                    )
                    .map(|x| regex::escape(&x))
                    .collect();
                alts.sort();
                alts.dedup();
                (!alts.is_empty()).then(|| format!("^(?:{})$", alts.join("|")))
            })
            .collect();
        for p in s.offline_phrases.iter_mut() {
            *p = ids.redact_text(p);
        }
        let json = serde_json::to_string(&s).map_err(|e| Error::Db(e.to_string()))?;
        crate::store::set_setting(conn, "analysis", &json)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keep_needed_domains_and_map_noreply_to_the_login_pseudonym() {
        let ids = Identities::new(&[], &[], &["corp.example".into()]);
        assert!(
            ids.email("a@dev.corp.example")
                .ends_with("@dev.corp.example")
        );
        let personal = ids.email("me@alice-smith.example");
        assert!(
            personal.ends_with(".invalid") && !personal.contains("alice"),
            "{personal}"
        );
        let a = pseudonymize_email("Alice@Example.com");
        assert_eq!(a, pseudonymize_email("alice@example.com"));
        assert!(a.ends_with("@example.com") && !a.contains("alice"), "{a}");
        let n = pseudonymize_email("123+bob@users.noreply.github.com");
        assert_eq!(
            n,
            format!("{}@users.noreply.github.com", pseudonymize_login("Bob"))
        );
        assert!(!n.contains("bob") && !n.contains("123"), "{n}");
        assert!(pseudonymize_login("dependabot[bot]").ends_with("[bot]"));
    }

    #[test]
    fn free_text_loses_every_address_mention_login_and_name() {
        let ids = Identities::new(&["octocat".into()], &["Alice Smith".into()], &[]);
        for (text, gone) in [
            ("reported by xavier@y", "xavier"),
            ("Signed-off-by: arnold@b.org", "arnold"),
            ("Cc: carol@example.com", "carol"),
            ("see mailto:dave@example.com", "dave"),
            ("thanks @octocat and @someone-else", "someone-else"),
            ("Reviewed by Alice Smith", "Alice"),
            ("octocat fixed it", "octocat"),
        ] {
            let out = ids.redact_text(text);
            assert!(
                !out.to_lowercase().contains(&gone.to_lowercase()),
                "{text} -> {out}"
            );
        }
        assert_eq!(
            ids.redact_text("octocats are not octocat"),
            format!("octocats are not {}", pseudonymize_login("octocat"))
        );
    }
}
