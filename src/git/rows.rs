//! Raw commits → stored rows: `.mailmap`, subject, trailers, PR references, markers.

use super::markers::{self, PrivateHosts};
use super::object::{RawCommit, RawSig};
use super::{message, refs};
use crate::domain::Commit;
use git2::Mailmap;
use std::collections::HashMap;

/// Turns raw commits into rows, in walk order, remembering what merged-branch attribution needs.
pub(super) struct Parser<'a> {
    idents: Idents,
    private: &'a PrivateHosts,
    seq_base: i64,
    /// By walk index: the commit's own message names a PR.
    pub own_pr: Vec<bool>,
    /// By walk index: `Merge pull request #N` merges.
    pub merge_pr: Vec<Option<u64>>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(mailmap: Mailmap, private: &'a PrivateHosts, seq_base: i64) -> Parser<'a> {
        Parser {
            idents: Idents::new(mailmap),
            private,
            seq_base,
            own_pr: Vec::new(),
            merge_pr: Vec::new(),
        }
    }

    pub(super) fn parse(&mut self, raw: RawCommit) -> Commit {
        let seq = self.seq_base + self.own_pr.len() as i64;
        let c = to_commit(raw, &mut self.idents, seq, self.private);
        self.merge_pr.push(if c.is_merge() {
            refs::merge_pr(&c.subject)
        } else {
            None
        });
        self.own_pr.push(c.pr_number.is_some());
        c
    }
}

/// Bytes as text; invalid UTF-8 (legacy encodings) is replaced, never rejected.
fn text(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A message in its declared encoding: ISO-8859-1 maps byte for byte to Unicode.
fn message_text(b: Vec<u8>, latin1: bool) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) if latin1 => e.as_bytes().iter().map(|&c| char::from(c)).collect(),
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// `.mailmap` resolution, memoised: a history has far fewer identities than commits, and
/// resolving through libgit2 allocates a signature each time.
struct Idents {
    mailmap: Mailmap,
    /// `name \0 email` as written → (name, email) after `.mailmap`.
    cache: HashMap<Vec<u8>, (String, String)>,
    key: Vec<u8>,
}

impl Idents {
    fn new(mailmap: Mailmap) -> Idents {
        Idents {
            mailmap,
            cache: HashMap::new(),
            key: Vec::new(),
        }
    }

    /// The mailmapped (name, email) of `sig`.
    fn resolve(&mut self, sig: &RawSig) -> (String, String) {
        self.key.clear();
        self.key.extend_from_slice(&sig.name);
        self.key.push(0);
        self.key.extend_from_slice(&sig.email);
        if let Some(hit) = self.cache.get(self.key.as_slice()) {
            return hit.clone();
        }
        let name = String::from_utf8_lossy(&sig.name).into_owned();
        let email = String::from_utf8_lossy(&sig.email).into_owned();
        // libgit2 refuses some odd identities (e.g. angle brackets in a name): keep them as written.
        let mapped = git2::Signature::new(&name, &email, &git2::Time::new(sig.time, 0))
            .and_then(|s| self.mailmap.resolve_signature(&s))
            .map(|m| {
                (
                    String::from_utf8_lossy(m.name_bytes()).into_owned(),
                    String::from_utf8_lossy(m.email_bytes()).into_owned(),
                )
            })
            .unwrap_or((name, email));
        self.cache.insert(self.key.clone(), mapped.clone());
        mapped
    }
}

/// One commit's raw fields → the stored [`Commit`] (merged-branch attribution comes later).
fn to_commit(raw: RawCommit, idents: &mut Idents, seq: i64, private: &PrivateHosts) -> Commit {
    let (author_name, author_email) = idents.resolve(&raw.author);
    let (committer_name, committer_email) = idents.resolve(&raw.committer);
    let message = message_text(raw.message, raw.latin1);
    let subject = message::subject(&message);
    let trailers = message::trailers(&message);
    let parent_count = raw.parents.len() as u32;
    let (pr_number, pr_via) = match refs::own_pr(&subject, &trailers, parent_count > 1) {
        Some((n, via)) => (Some(n), Some(via)),
        None => (None, None),
    };
    let raw_committer_name = String::from_utf8_lossy(&raw.committer.name);
    let raw_committer_email = String::from_utf8_lossy(&raw.committer.email);
    let applied_by_other = !committer_email.eq_ignore_ascii_case(&author_email)
        && !raw_committer_email.eq_ignore_ascii_case("noreply@github.com");
    let markers = markers::markers(
        &trailers,
        &message,
        &raw_committer_name,
        &raw_committer_email,
        private,
    );
    Commit {
        sha: raw.oid.to_string(),
        seq,
        author_name,
        author_email,
        raw_author_email: text(raw.author.email),
        author_time: raw.author.time,
        committer_name,
        committer_email,
        committer_time: raw.committer.time,
        imported_pr: refs::imported_pr(&subject, &message),
        subject,
        message,
        parent_count,
        pr_number,
        pr_via,
        applied_by_other,
        markers,
        trailers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_bad_bytes_are_replaced_not_rejected() {
        assert_eq!(message_text(b"a\xffb".to_vec(), false), "a\u{fffd}b");
        assert_eq!(message_text(b"caf\xe9".to_vec(), true), "caf\u{e9}");
        assert_eq!(message_text("café".as_bytes().to_vec(), true), "café");
    }
}
