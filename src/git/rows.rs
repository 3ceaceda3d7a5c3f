//! Raw commits → stored rows: encodings, `.mailmap`, subject, trailers, PR references, markers.

use super::mailmap::Mailmap;
use super::markers::{self, PrivateHosts, Seen};
use super::object::{RawCommit, RawSig};
use super::{message, refs};
use crate::domain::{Commit, PrVia};
use encoding_rs::Encoding;
use std::borrow::Cow;
use std::collections::HashMap;

/// GitHub's web-flow committer: what the web UI's squash and merge buttons commit as.
pub(super) const WEB_FLOW_EMAIL: &str = "noreply@github.com";

/// What a row cannot know until the whole history is read (see `import.rs`, `finish`).
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// (walk index, N) of `Title (#N)` subjects not committed by GitHub's web flow: they name
    /// a pull request only in a history where such subjects are common
    /// ([`refs::squash_refs_plausible`]).
    pub squash: Vec<(usize, u64)>,
    /// (walk index, markers) of commits marked `change_id_without_public_review`, with the
    /// markers they have instead if they turn out to have come through a public PR.
    pub change_id: Vec<(usize, Vec<String>)>,
    /// Non-merge commits with a `Title (#N)` subject, web flow or not.
    pub squash_shaped: u64,
    pub non_merge: u64,
}

/// Turns raw commits into rows, in walk order, remembering what merged-branch attribution needs.
pub(super) struct Parser<'a> {
    idents: Idents,
    private: &'a PrivateHosts,
    seq_base: i64,
    /// By walk index: the commit's own message names a PR.
    pub own_pr: Vec<bool>,
    /// By walk index: `Merge pull request #N` merges.
    pub merge_pr: Vec<Option<u64>>,
    pub pending: Pending,
}

impl<'a> Parser<'a> {
    pub(super) fn new(mailmap: Mailmap, private: &'a PrivateHosts, seq_base: i64) -> Parser<'a> {
        Parser {
            idents: Idents::new(mailmap),
            private,
            seq_base,
            own_pr: Vec::new(),
            merge_pr: Vec::new(),
            pending: Pending::default(),
        }
    }

    pub(super) fn parse(&mut self, raw: RawCommit) -> Commit {
        let index = self.own_pr.len();
        let seq = self.seq_base + index as i64;
        let c = self.commit_row(raw, seq, index);
        self.merge_pr.push(if c.is_merge() {
            refs::merge_pr(&c.subject)
        } else {
            None
        });
        self.own_pr.push(c.pr_number.is_some());
        c
    }

    /// One commit's raw fields → the stored [`Commit`] (merged-branch attribution and
    /// tentative squash references are settled later).
    fn commit_row(&mut self, raw: RawCommit, seq: i64, index: usize) -> Commit {
        let enc = raw.encoding;
        let (author_name, author_email) = self.idents.resolve(&raw.author, enc);
        let (committer_name, committer_email) = self.idents.resolve(&raw.committer, enc);
        let message = text_in(raw.message, enc);
        let subject = message::subject(&message);
        let mut trailers = message::trailers(&message);
        self.idents.map_trailers(&mut trailers);
        let parent_count = raw.parents.len() as u32;
        let is_merge = parent_count > 1;
        let raw_committer_name = decode(&raw.committer.name, enc);
        let raw_committer_email = decode(&raw.committer.email, enc);
        let web_flow = raw_committer_email.eq_ignore_ascii_case(WEB_FLOW_EMAIL);
        if !is_merge {
            self.pending.non_merge += 1;
            self.pending.squash_shaped += u64::from(refs::squash_pr(&subject).is_some());
        }
        let (pr_number, pr_via) = match refs::own_pr(&subject, &trailers, is_merge) {
            Some((n, PrVia::Squash)) if !web_flow => {
                self.pending.squash.push((index, n));
                (None, None)
            }
            Some((n, via)) => (Some(n), Some(via)),
            None => (None, None),
        };
        // Two empty emails say nothing: then the names tell whether it is one person.
        let same_person = if author_email.is_empty() && committer_email.is_empty() {
            committer_name.eq_ignore_ascii_case(&author_name)
        } else {
            committer_email.eq_ignore_ascii_case(&author_email)
        };
        let applied_by_other = !same_person && !web_flow;
        let seen = Seen {
            trailers: &trailers,
            message: &message,
            author_email: &author_email,
            committer_name: &raw_committer_name,
            committer_email: &raw_committer_email,
            public_pr: pr_number.is_some(),
        };
        let markers = markers::markers(&seen, self.private);
        if markers
            .iter()
            .any(|m| m == markers::CHANGE_ID_WITHOUT_PUBLIC_REVIEW)
        {
            let through_pr = Seen {
                public_pr: true,
                ..seen
            };
            let alt = markers::markers(&through_pr, self.private);
            self.pending.change_id.push((index, alt));
        }
        Commit {
            sha: raw.oid.to_string(),
            seq,
            author_name,
            author_email,
            raw_author_email: decode(&raw.author.email, enc).into_owned(),
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
}

/// Bytes as text: UTF-8 when they are valid UTF-8, else in the commit's declared encoding,
/// else UTF-8 with invalid bytes replaced (what git shows for an undeclared legacy encoding).
fn decode<'a>(b: &'a [u8], enc: Option<&'static Encoding>) -> Cow<'a, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => match enc {
            Some(e) => e.decode_without_bom_handling(b).0,
            None => String::from_utf8_lossy(b),
        },
    }
}

/// [`decode`] of an owned buffer, without copying valid UTF-8.
fn text_in(b: Vec<u8>, enc: Option<&'static Encoding>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => decode(e.as_bytes(), enc).into_owned(),
    }
}

/// `.mailmap` resolution, memoised: a history has far fewer identities than commits.
struct Idents {
    mailmap: Mailmap,
    /// `name \0 email \0 encoding` as written → (name, email) after `.mailmap`.
    cache: HashMap<Vec<u8>, (String, String)>,
    /// Trailer value as written → the value with its identity mailmapped, if that changes it.
    trailer_cache: HashMap<String, Option<String>>,
    key: Vec<u8>,
}

impl Idents {
    fn new(mailmap: Mailmap) -> Idents {
        Idents {
            mailmap,
            cache: HashMap::new(),
            trailer_cache: HashMap::new(),
            key: Vec::new(),
        }
    }

    /// The decoded, mailmapped (name, email) of `sig`.
    fn resolve(&mut self, sig: &RawSig, enc: Option<&'static Encoding>) -> (String, String) {
        self.key.clear();
        self.key.extend_from_slice(&sig.name);
        self.key.push(0);
        self.key.extend_from_slice(&sig.email);
        if let Some(e) = enc {
            self.key.push(0);
            self.key.extend_from_slice(e.name().as_bytes());
        }
        if let Some(hit) = self.cache.get(self.key.as_slice()) {
            return hit.clone();
        }
        let name = decode(&sig.name, enc);
        let email = decode(&sig.email, enc);
        let mapped = match self.mailmap.resolve(&name, &email) {
            Some((n, e)) => (n.to_string(), e.to_string()),
            None => (name.into_owned(), email.into_owned()),
        };
        self.cache.insert(self.key.clone(), mapped.clone());
        mapped
    }

    /// Replace each trailer identity (`Name <email>`, `<email>` or a bare `email`, anything
    /// after the `>` kept) by its mailmapped form, so every trailer names a person by one
    /// address. Values the mailmap does not change stay as written; the message keeps the
    /// originals.
    fn map_trailers(&mut self, trailers: &mut [(String, String)]) {
        if self.mailmap.is_empty() {
            return;
        }
        for (_, value) in trailers.iter_mut() {
            let mapped = match self.trailer_cache.get(value.as_str()) {
                Some(hit) => hit.clone(),
                None => {
                    let m = map_identity(&self.mailmap, value);
                    self.trailer_cache.insert(value.clone(), m.clone());
                    m
                }
            };
            if let Some(m) = mapped {
                *value = m;
            }
        }
    }
}

/// The trailer value `value` with its identity mailmapped, `None` when the mailmap does not
/// change it (or it names no identity).
fn map_identity(mailmap: &Mailmap, value: &str) -> Option<String> {
    let (name, email, rest) = message::trailer_identity(value)?;
    let (n, e) = mailmap.resolve(name, email)?;
    if n == name && e == email {
        return None;
    }
    Some(if n.is_empty() {
        format!("<{e}>{rest}")
    } else {
        format!("{n} <{e}>{rest}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_bad_bytes_are_replaced_declared_ones_decoded() {
        let latin1 = Encoding::for_label(b"ISO-8859-1");
        assert_eq!(text_in(b"a\xffb".to_vec(), None), "a\u{fffd}b");
        assert_eq!(text_in(b"caf\xe9".to_vec(), latin1), "caf\u{e9}");
        assert_eq!(text_in("café".as_bytes().to_vec(), latin1), "café");
        let hebrew = Encoding::for_label(b"iso-8859-8");
        assert_eq!(decode(b"\xf9\xec\xe5\xed", hebrew), "שלום");
    }

    #[test]
    fn trailer_identities_are_mailmapped_and_the_rest_kept() {
        let m = Mailmap::parse("Junio C Hamano <gitster@pobox.com> <junkio@cox.net>\n");
        assert_eq!(
            map_identity(&m, "Junio Hamano <junkio@cox.net>").as_deref(),
            Some("Junio C Hamano <gitster@pobox.com>")
        );
        assert_eq!(
            map_identity(&m, "<JUNKIO@cox.net> (v2)").as_deref(),
            Some("Junio C Hamano <gitster@pobox.com> (v2)")
        );
        assert_eq!(
            map_identity(&m, "junkio@cox.net").as_deref(),
            Some("Junio C Hamano <gitster@pobox.com>")
        );
        assert_eq!(map_identity(&m, "Junio C Hamano <gitster@pobox.com>"), None);
        assert_eq!(map_identity(&m, "I0123456789abcdef"), None);
        assert_eq!(map_identity(&m, "ajkr, siying"), None);
    }
}
