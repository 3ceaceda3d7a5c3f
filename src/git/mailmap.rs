//! `.mailmap`: where git reads it from, and how it maps an identity (docs/git-import.md,
//! section ".mailmap").
//!
//! Read here rather than through libgit2 for three reasons: libgit2 takes a bare repository
//! without a `config` file for a work tree (so it never reads `HEAD:.mailmap` there, while git
//! does); the import must know the exact content it applied, to re-import when it changes; and
//! lookups run on every author, committer and trailer identity, so they must be cheap.
//!
//! The format and lookup follow git's `mailmap.c` behaviour:
//! - `Proper Name <commit@email>` sets the name for an email;
//! - `<proper@email> <commit@email>` sets the email;
//! - `Proper Name <proper@email> <commit@email>` sets both;
//! - `Proper Name <proper@email> Commit Name <commit@email>` applies only to that name too.
//!
//! Emails and names match ignoring ASCII case; a later line for the same key wins; lines
//! starting with `#` are comments, and text after the last `>` is ignored.

use git2::{ObjectType, Oid, Repository};
use std::collections::HashMap;
use std::path::Path;

/// What a line maps to: a replacement name and/or email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Target {
    name: Option<String>,
    email: Option<String>,
}

/// The entries of one commit email (lowercased key).
#[derive(Debug, Clone, Default)]
struct Entry {
    /// The mapping for any name with this email.
    simple: Target,
    /// Mappings for one name (lowercased) with this email.
    by_name: HashMap<String, Target>,
}

/// A parsed `.mailmap`.
#[derive(Debug, Clone, Default)]
pub struct Mailmap {
    entries: HashMap<String, Entry>,
}

/// `name <email>` at the start of `s`: the trimmed name (None when empty), the email, and the
/// rest after `>`. `None` when there is no `<…>`, or when the email is empty and
/// `allow_empty_email` is false.
fn name_and_email(s: &str, allow_empty_email: bool) -> Option<(Option<&str>, &str, &str)> {
    let lt = s.find('<')?;
    let gt = lt + s[lt..].find('>')?;
    let email = &s[lt + 1..gt];
    if email.is_empty() && !allow_empty_email {
        return None;
    }
    let name = s[..lt].trim();
    Some(((!name.is_empty()).then_some(name), email, &s[gt + 1..]))
}

impl Mailmap {
    /// Parse mailmap text (several files may be concatenated: later lines win).
    pub fn parse(text: &str) -> Mailmap {
        let mut map = Mailmap::default();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((name1, email1, rest)) = name_and_email(line, false) else {
                continue;
            };
            match name_and_email(rest, true) {
                Some((name2, email2, _)) => map.add(name1, Some(email1), name2, email2),
                None => map.add(name1, None, None, email1),
            }
        }
        map
    }

    fn add(
        &mut self,
        new_name: Option<&str>,
        new_email: Option<&str>,
        old_name: Option<&str>,
        old_email: &str,
    ) {
        let entry = self
            .entries
            .entry(old_email.to_ascii_lowercase())
            .or_default();
        match old_name {
            None => {
                // A simple line updates only what it names.
                if let Some(n) = new_name {
                    entry.simple.name = Some(n.to_string());
                }
                if let Some(e) = new_email {
                    entry.simple.email = Some(e.to_string());
                }
            }
            Some(old) => {
                entry.by_name.insert(
                    old.to_ascii_lowercase(),
                    Target {
                        name: new_name.map(str::to_string),
                        email: new_email.map(str::to_string),
                    },
                );
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The identity `name <email>` maps to, or `None` when no line applies. A line for this
    /// name wins over the email's simple line; an entry that sets neither name nor email is no
    /// mapping.
    pub fn resolve<'a>(&'a self, name: &'a str, email: &'a str) -> Option<(&'a str, &'a str)> {
        if self.entries.is_empty() {
            return None;
        }
        let entry = self.entries.get(&email.to_ascii_lowercase())?;
        let target = if entry.by_name.is_empty() {
            &entry.simple
        } else {
            entry
                .by_name
                .get(&name.to_ascii_lowercase())
                .unwrap_or(&entry.simple)
        };
        if target.name.is_none() && target.email.is_none() {
            return None;
        }
        Some((
            target.name.as_deref().unwrap_or(name),
            target.email.as_deref().unwrap_or(email),
        ))
    }
}

/// The mailmap text git would apply to this repository, and a content hash to notice changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The sources' texts, concatenated in git's order.
    pub text: String,
    /// Git blob id of `text` (hex): equal texts, equal ids.
    pub hash: String,
}

/// Whether git treats `repo` as bare. libgit2 decides from `core.bare`; a bare repository
/// without a `config` file (e.g. a copied object store) has none, and libgit2 then takes the
/// parent directory for a work tree. git instead treats a git directory it was pointed at
/// directly (one that is not `<work tree>/.git`) as bare.
fn is_bare_like_git(repo: &Repository) -> bool {
    if repo.is_bare() {
        return true;
    }
    if repo.is_worktree() {
        return false;
    }
    let Some(workdir) = repo.workdir() else {
        return true;
    };
    let configured = repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .and_then(|c| c.get_bool("core.bare"))
        .is_ok();
    if configured {
        return false;
    }
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    !same(repo.path(), &workdir.join(".git"))
}

/// The text of blob `spec` (`REV:PATH`), if it exists.
fn blob_text(repo: &Repository, spec: &str) -> Option<String> {
    let obj = repo.revparse_single(spec).ok()?;
    let blob = obj.peel(ObjectType::Blob).ok()?.into_blob().ok()?;
    Some(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Where git reads the mailmap from, in its order (later entries win):
/// 1. `.mailmap` at the top of the work tree (not in a bare repository);
/// 2. the blob named by `mailmap.blob`, which defaults to `HEAD:.mailmap` in a bare repository;
/// 3. the file named by `mailmap.file`.
///
/// Missing or unreadable sources contribute nothing.
pub fn load(repo: &Repository) -> Source {
    let config = repo.config().ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    let bare = is_bare_like_git(repo);
    let mut parts: Vec<String> = Vec::new();
    if !bare && let Some(w) = repo.workdir() {
        if let Ok(bytes) = std::fs::read(w.join(".mailmap")) {
            parts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let blob = get("mailmap.blob").or_else(|| bare.then(|| "HEAD:.mailmap".to_string()));
    if let Some(text) = blob.and_then(|spec| blob_text(repo, &spec)) {
        parts.push(text);
    }
    if let Some(file) = get("mailmap.file") {
        let path = match file.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(|h| Path::new(&h).join(rest))
                .unwrap_or_else(|| file.clone().into()),
            None => file.clone().into(),
        };
        let path = match repo.workdir() {
            Some(w) if path.is_relative() && !bare => w.join(path),
            _ => path,
        };
        if let Ok(bytes) = std::fs::read(path) {
            parts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let text = parts.join("\n");
    let hash = Oid::hash_object(ObjectType::Blob, text.as_bytes())
        .map(|o| o.to_string())
        .unwrap_or_default();
    Source { text, hash }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_line_forms() {
        let m = Mailmap::parse(
            "# comment <x@y>\n\
             Proper Name <a@x>\n\
             <proper@x> <b@x>\n\
             Both <both@x> <c@x>\n\
             Only This <only@x> Old Name <d@x>\n",
        );
        assert_eq!(m.resolve("whoever", "a@x"), Some(("Proper Name", "a@x")));
        assert_eq!(m.resolve("bee", "b@x"), Some(("bee", "proper@x")));
        assert_eq!(m.resolve("cee", "c@x"), Some(("Both", "both@x")));
        assert_eq!(
            m.resolve("old name", "D@X"),
            Some(("Only This", "only@x")),
            "name and email match ignoring ASCII case"
        );
        assert_eq!(m.resolve("Someone Else", "d@x"), None);
        assert_eq!(m.resolve("x", "x@y"), None, "comment lines are skipped");
    }

    #[test]
    fn name_specific_line_beats_the_simple_line_and_later_lines_win() {
        let m = Mailmap::parse(
            "Simple <s@x>\nSpecial <sp@x> Old <s@x>\nLater <later@x> Old <s@x>\nSimpler <s@x>\n",
        );
        assert_eq!(m.resolve("Old", "s@x"), Some(("Later", "later@x")));
        assert_eq!(m.resolve("Other", "s@x"), Some(("Simpler", "s@x")));
    }

    #[test]
    fn empty_commit_email_can_be_mapped_and_trailing_text_is_ignored() {
        let m = Mailmap::parse("Zed Zhu <zed@x> zczhu <> # no address\nBad <>\n");
        assert_eq!(m.resolve("zczhu", ""), Some(("Zed Zhu", "zed@x")));
        assert_eq!(m.resolve("Bad", ""), None, "a proper email cannot be empty");
    }
}
