//! Commit objects read straight from the object database and parsed here: one read, one pass,
//! and only the fields the import needs (libgit2's commit parser also builds signatures,
//! caches the object and keeps fields we drop).
//!
//! The format (git's `commit` object): header lines `tree`, `parent`*, `author`, `committer`,
//! optional others (`encoding`, `gpgsig`, `mergetag`, … whose continuation lines start with a
//! space), a blank line, then the message.

use git2::Oid;

/// A commit's fields, before interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCommit {
    pub oid: Oid,
    pub parents: Vec<Oid>,
    pub author: RawSig,
    pub committer: RawSig,
    /// The message with trailing whitespace removed.
    pub message: Vec<u8>,
    /// The encoding the `encoding` header declares, when it is a known one other than UTF-8
    /// (WHATWG labels: `ISO-8859-1`, `latin1`, `Shift_JIS`, `GBK`, …).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// `Name <email> 1700000000 +0000` as written (no `.mailmap`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawSig {
    pub name: Vec<u8>,
    pub email: Vec<u8>,
    /// Unix seconds.
    pub time: i64,
    /// The time was there and parsed (git shows a malformed one as 1970).
    pub time_ok: bool,
}

impl RawSig {
    /// git's reading of an ident: the name before the first `<`, the email up to the next
    /// `>`, then the time. Malformed parts come out empty or 0 rather than failing the import.
    fn parse(line: &[u8]) -> RawSig {
        let Some(lt) = line.iter().position(|&b| b == b'<') else {
            return RawSig {
                name: trim(line).to_vec(),
                ..RawSig::default()
            };
        };
        let gt = line[lt..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(line.len(), |i| lt + i);
        let rest = line.get(gt + 1..).unwrap_or_default();
        let time: Option<i64> = std::str::from_utf8(rest)
            .ok()
            .and_then(|s| s.split_whitespace().next())
            .and_then(|t| t.parse().ok());
        RawSig {
            name: trim(&line[..lt]).to_vec(),
            email: trim(&line[lt + 1..gt]).to_vec(),
            time: time.unwrap_or(0),
            time_ok: time.is_some(),
        }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &b[start..end.max(start)]
}

/// Parse the body of commit object `oid`. `None` when it is not a well-formed commit.
pub fn parse(oid: Oid, data: &[u8]) -> Option<RawCommit> {
    let mut parents = Vec::new();
    let (mut author, mut committer) = (None, None);
    let mut encoding = None;
    let mut pos = 0;
    loop {
        let end = pos + data[pos..].iter().position(|&b| b == b'\n')?;
        let line = &data[pos..end];
        pos = end + 1;
        if line.is_empty() {
            break; // the blank line before the message
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(Oid::from_str(std::str::from_utf8(hex).ok()?).ok()?);
        } else if let Some(rest) = line.strip_prefix(b"author ") {
            author.get_or_insert_with(|| RawSig::parse(rest));
        } else if let Some(rest) = line.strip_prefix(b"committer ") {
            committer.get_or_insert_with(|| RawSig::parse(rest));
        } else if let Some(enc) = line.strip_prefix(b"encoding ") {
            encoding = declared_encoding(enc);
        }
        if pos >= data.len() {
            break; // a commit with no message
        }
    }
    let message = data.get(pos..).unwrap_or_default();
    let end = message
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let (mut author, mut committer) = (author?, committer?);
    // A malformed date is not 1970 (docs/git-import.md): the commit's other date stands in.
    if !author.time_ok && committer.time_ok {
        author.time = committer.time;
    } else if !committer.time_ok && author.time_ok {
        committer.time = author.time;
    }
    Some(RawCommit {
        oid,
        parents,
        author,
        committer,
        message: message[..end].to_vec(),
        encoding,
    })
}

/// The encoding an `encoding` header names, `None` for UTF-8 or a name we do not know. git
/// spells ISO-8859-1 also as `iso8859-1` or `latin-1`, which WHATWG labels lack.
fn declared_encoding(label: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let label = trim(label);
    let enc = encoding_rs::Encoding::for_label_no_replacement(label).or_else(|| {
        [&b"iso8859-1"[..], b"latin-1", b"iso_8859_1"]
            .iter()
            .any(|l| label.eq_ignore_ascii_case(l))
            .then_some(encoding_rs::WINDOWS_1252)
    })?;
    (enc != encoding_rs::UTF_8).then_some(enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "1111111111111111111111111111111111111111";
    const P2: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn parses_headers_and_message() {
        let data = format!(
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent {P1}\nparent {P2}\n\
             author A U Thor <a@x.org> 1700000000 +0100\ncommitter C <c@y.org> 1700000060 -0500\n\
             gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\
             \nSubject\n\nBody\n\n"
        );
        let c = parse(Oid::ZERO_SHA1, data.as_bytes()).unwrap();
        assert_eq!(
            c.parents,
            vec![Oid::from_str(P1).unwrap(), Oid::from_str(P2).unwrap()]
        );
        assert_eq!(c.author.name, b"A U Thor");
        assert_eq!(c.author.email, b"a@x.org");
        assert_eq!(c.author.time, 1_700_000_000);
        assert_eq!(c.committer.email, b"c@y.org");
        assert_eq!(c.committer.time, 1_700_000_060);
        assert_eq!(c.message, b"Subject\n\nBody");
    }

    #[test]
    fn declared_encodings_are_recognised() {
        let enc = |l: &[u8]| declared_encoding(l).map(|e| e.name());
        for l in [&b"ISO-8859-1"[..], b"latin1", b"iso8859-1", b"Latin-1"] {
            assert_eq!(enc(l), Some("windows-1252"), "{l:?}");
        }
        assert_eq!(enc(b"iso-8859-8"), Some("ISO-8859-8"));
        assert_eq!(enc(b"Shift_JIS"), Some("Shift_JIS"));
        assert_eq!(enc(b"UTF-8"), None);
        assert_eq!(enc(b"no-such-encoding"), None);
    }

    #[test]
    fn odd_idents_do_not_fail() {
        let s = RawSig::parse(b" <> 12 +0000");
        assert_eq!(
            (s.name.as_slice(), s.email.as_slice(), s.time),
            (&b""[..], &b""[..], 12)
        );
        let s = RawSig::parse(b"No Email");
        assert_eq!(s.name, b"No Email");
        let s = RawSig::parse(b"N <unterminated");
        assert_eq!(s.email, b"unterminated");
    }

    /// docs/git-import.md: a malformed date takes the commit's other date, not 1970.
    #[test]
    fn a_malformed_date_takes_the_other_signatures_date() {
        let data = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> garbage +0000\ncommitter C <c@x> 1700000060 +0000\n\nm";
        let c = parse(Oid::ZERO_SHA1, data.as_bytes()).unwrap();
        assert_eq!(
            (c.author.time, c.committer.time),
            (1_700_000_060, 1_700_000_060)
        );
        let data = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x>\n\nm";
        let c = parse(Oid::ZERO_SHA1, data.as_bytes()).unwrap();
        assert_eq!(c.committer.time, 1_700_000_000);
    }

    #[test]
    fn commit_without_message_or_author_line() {
        let data = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> 1 +0000\ncommitter A <a> 1 +0000\n";
        assert_eq!(parse(Oid::ZERO_SHA1, data.as_bytes()).unwrap().message, b"");
        assert!(parse(Oid::ZERO_SHA1, b"tree x\n\nmsg").is_none());
    }
}
