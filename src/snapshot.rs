//! Offline snapshots: a self-contained single-file copy of a repository's database that opens
//! read-only anywhere (`contrail open FILE`) and gives the same numbers on any machine, because
//! the analysis settings are recorded inside it and `as_of` comes from the data.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::snapshot::{Redact, SnapshotCopy};
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
    // The handlers are in place before the file exists: an interruption at any instant after
    // this either finds no file yet or removes it.
    let interrupts = Interrupts::register();
    let tmp = tempfile::Builder::new()
        .prefix(".contrail-snapshot-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    if let Some(i) = interrupts {
        i.remove_on_signal(tmp.path());
    }
    let copy = if redact {
        let mut mem = SnapshotCopy::in_memory(src)?;
        let people = mem.people()?;
        let r = Redaction::new(people)?;
        mem.redact(&r.ids, r.analysis.as_deref())?;
        mem
    } else {
        SnapshotCopy::of_file(src)?
    };
    copy.write_to(tmp.path())?;
    tmp.persist_noclobber(dest).map_err(|e| io(e.error))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(ExportStats {
        path: dest.to_path_buf(),
        bytes,
        redacted: redact,
    })
}

/// Ctrl-C, SIGTERM and SIGHUP, caught from the moment of [`Interrupts::register`]: a signal that
/// arrives before anyone waits for it is kept, not acted on by the default handler.
struct Interrupts {
    rt: tokio::runtime::Runtime,
    /// SIGINT, SIGTERM, SIGHUP.
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 3],
}

impl Interrupts {
    fn register() -> Option<Interrupts> {
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                tracing::warn!("cannot watch for interruptions during the export: {e}");
                return None;
            }
        };
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let _guard = rt.enter();
            let signals = (|| {
                Ok::<_, std::io::Error>([
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::hangup())?,
                ])
            })();
            match signals {
                Ok(signals) => Some(Interrupts { rt, signals }),
                Err(e) => {
                    tracing::warn!("cannot watch for interruptions during the export: {e}");
                    None
                }
            }
        }
        #[cfg(not(unix))]
        Some(Interrupts { rt })
    }

    /// Remove `path` when the process is interrupted, then exit; the drop of the
    /// `NamedTempFile` covers every other exit.
    fn remove_on_signal(self, path: &Path) {
        let path = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("snapshot-signals".into())
            .spawn(move || {
                let Interrupts {
                    rt,
                    #[cfg(unix)]
                    mut signals,
                } = self;
                rt.block_on(async {
                    #[cfg(unix)]
                    {
                        let [int, term, hup] = &mut signals;
                        tokio::select! {
                            _ = int.recv() => {}
                            _ = term.recv() => {}
                            _ = hup.recv() => {}
                        }
                    }
                    #[cfg(not(unix))]
                    let _ = tokio::signal::ctrl_c().await;
                });
                // The file, and SQLite's rollback journal beside it while it is written.
                let _ = std::fs::remove_file(&path);
                let mut journal = path.clone().into_os_string();
                journal.push("-journal");
                let _ = std::fs::remove_file(journal);
                eprintln!("contrail: interrupted; the unfinished snapshot was removed");
                std::process::exit(130);
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot watch for interruptions during the export: {e}");
        }
    }
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

impl Redact for Identities {
    fn email(&self, email: &str) -> String {
        Identities::email(self, email)
    }

    fn login(&self, login: &str) -> String {
        pseudonymize_login(login)
    }

    fn name(&self, name: &str) -> String {
        pseudonymize_name(name)
    }

    fn text(&self, text: &str) -> String {
        self.redact_text(text)
    }

    fn identity(&self, id: &str) -> String {
        self.redact_identity(id)
    }
}

/// What a redacted export writes: one identity table for every person the database names,
/// and the recorded analysis settings rewritten through it.
struct Redaction {
    ids: Identities,
    /// The redacted analysis settings (JSON), when the database recorded readable ones.
    analysis: Option<String>,
}

impl Redaction {
    fn new(people: crate::store::snapshot::People) -> Result<Redaction> {
        let crate::store::snapshot::People {
            mut logins,
            names,
            emails,
            fact_domains,
            analysis,
        } = people;
        let settings: Option<crate::config::Settings> = analysis
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        if let Some(s) = &settings {
            for id in s.aliases.iter().flatten() {
                if !id.contains('@') {
                    logins.push(id.clone());
                }
            }
        }
        let mut keep_domains = fact_domains;
        if let Some(s) = &settings {
            keep_domains.extend(s.internal_domains.iter().cloned());
        }
        let ids = Identities::new(&logins, &names, &keep_domains);
        let Some(mut s) = settings else {
            return Ok(Redaction {
                ids,
                analysis: None,
            });
        };
        // Recorded settings: aliases through the identity table, patterns and phrases as text.
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
        let analysis = Some(serde_json::to_string(&s)?);
        Ok(Redaction { ids, analysis })
    }
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
