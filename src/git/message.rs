//! Commit message parsing: the subject and the trailers.
//!
//! Trailers are read from the message's final paragraph (as `git interpret-trailers` does),
//! plus the Phabricator/ShipIt lines (`Differential Revision:`, `Reviewed By:`,
//! `Pull Request resolved:`) wherever they appear in the body, because ShipIt puts
//! `Pull Request resolved:` inside the `Summary:` section.

/// Trailer keys containing spaces. Only these are accepted with a space in the key, so an
/// ordinary sentence such as `Note that: …` is never mistaken for a trailer.
const SPACED_KEYS: [&str; 3] = [
    "Differential Revision",
    "Reviewed By",
    "Pull Request resolved",
];

/// Well-known trailer keys (lowercase). A final paragraph that mixes free text with trailers
/// counts as a trailer block only when it holds one of these (git's rule is similar).
const KNOWN_KEYS: [&str; 20] = [
    "signed-off-by",
    "co-authored-by",
    "reviewed-by",
    "acked-by",
    "tested-by",
    "reported-by",
    "helped-by",
    "suggested-by",
    "mentored-by",
    "cc",
    "piperorigin-revid",
    "gitorigin-revid",
    "differential revision",
    "reviewed by",
    "pull request resolved",
    "change-id",
    "reviewed-on",
    "fbshipit-source-id",
    "fixes",
    "closes",
];

/// The lines of `text` split at `\n`, as `text.split('\n')` yields them, the newline found
/// eight bytes at a time: messages are scanned line by line several times per commit, and the
/// generic `char` searcher costs more than the scan itself on lines this short.
pub(super) fn lines(text: &str) -> Lines<'_> {
    Lines {
        text,
        pos: 0,
        done: false,
    }
}

/// The iterator of [`lines`].
pub(super) struct Lines<'a> {
    text: &'a str,
    pos: usize,
    done: bool,
}

/// The index of the first `\n` in `b` at or after `from`.
fn newline_from(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        // A zero byte of `x` is a newline; the lowest flagged byte is exact.
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|p| i + p)
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let start = self.pos;
        match newline_from(self.text.as_bytes(), start) {
            // `\n` is ASCII: both ends are character boundaries.
            Some(nl) => {
                self.pos = nl + 1;
                Some(&self.text[start..nl])
            }
            None => {
                self.done = true;
                Some(&self.text[start..])
            }
        }
    }
}

/// The subject as `git log --format=%s` shows it: the first paragraph, lines joined by a space.
pub fn subject(message: &str) -> String {
    let mut out = String::new();
    for line in message.lines().skip_while(|l| l.trim().is_empty()) {
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// Split `Key: value` when `key` is a plausible trailer key. `spaced_only` accepts only the
/// Phabricator keys (used outside the final paragraph).
fn split_trailer(line: &str, spaced_only: bool) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let (key, rest) = (&line[..colon], &line[colon + 1..]);
    // A value is required and is separated by whitespace (so `https://…` is not `https: //…`).
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let value = rest.trim();
    if value.is_empty() || key.is_empty() || key.len() > 64 {
        return None;
    }
    if key.contains(' ') || spaced_only {
        return SPACED_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
            .then_some((key, value));
    }
    let mut chars = key.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')).then_some((key, value))
}

/// Whether `line` starts with one of [`SPACED_KEYS`] (ASCII case-insensitively) and a colon:
/// the only lines `split_trailer(line, true)` can accept.
fn is_spaced_key_line(line: &str) -> bool {
    let b = line.as_bytes();
    SPACED_KEYS.iter().any(|k| {
        b.len() > k.len() && b[k.len()] == b':' && b[..k.len()].eq_ignore_ascii_case(k.as_bytes())
    })
}

fn is_known(key: &str) -> bool {
    KNOWN_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// Whether the lines of a paragraph form a trailer block: every line is a trailer or a
/// continuation, or at least a quarter are trailers and one of them is well known.
fn is_trailer_block(lines: &[&str]) -> bool {
    let (mut trailers, mut others, mut known) = (0usize, 0usize, false);
    let mut prev_trailer = false;
    for line in lines {
        if prev_trailer && line.starts_with([' ', '\t']) {
            continue;
        }
        match split_trailer(line, false) {
            Some((k, _)) => {
                trailers += 1;
                known |= is_known(k);
                prev_trailer = true;
            }
            None => {
                others += 1;
                prev_trailer = false;
            }
        }
    }
    trailers > 0 && (others == 0 || (known && trailers * 4 >= trailers + others))
}

/// Trailers in message order: every `Key: value` of the final paragraph (continuation lines
/// folded in), and Phabricator-style lines from anywhere after the subject.
///
/// One pass over the lines (each trimmed at the end; a line is blank when nothing is left):
/// the subject paragraph is skipped, every later line is read as a Phabricator line, and the
/// final paragraph, once known, is read again as a trailer block when it is one.
pub fn trailers(message: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut lines = self::lines(message).map(str::trim_end);
    // The subject paragraph never holds trailers.
    if !lines.any(|l| !l.is_empty()) {
        return out;
    }
    lines.by_ref().take_while(|l| !l.is_empty()).for_each(drop);
    // The rest of `message`: `split` hands out subslices, so offsets are recovered from the
    // line pointers.
    let base = message.as_ptr() as usize;
    // (byte offset of its first line, trailers found before it) of the paragraph being read.
    let mut last: Option<(usize, usize)> = None;
    let mut last_end = 0;
    let mut in_paragraph = false;
    for line in lines {
        if line.is_empty() {
            in_paragraph = false;
            continue;
        }
        let at = line.as_ptr() as usize - base;
        if !in_paragraph {
            in_paragraph = true;
            last = Some((at, out.len()));
        }
        last_end = at + line.len();
        // Only the Phabricator keys count outside the final paragraph: such a line starts
        // with one of them and its colon.
        if is_spaced_key_line(line)
            && let Some((k, v)) = split_trailer(line, true)
        {
            out.push((k.to_string(), v.to_string()));
        }
    }
    let Some((start, found_before)) = last else {
        return out;
    };
    let block: Vec<&str> = self::lines(&message[start..last_end])
        .map(str::trim_end)
        .collect();
    if !is_trailer_block(&block) {
        return out;
    }
    out.truncate(found_before);
    let mut prev_trailer = false;
    for line in block {
        if prev_trailer && line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        match split_trailer(line, false) {
            Some((k, v)) => {
                out.push((k.to_string(), v.to_string()));
                prev_trailer = true;
            }
            None => prev_trailer = false,
        }
    }
    out
}

/// The identity a trailer value names, as (name, email, what follows the `>`): `Name <email>`,
/// `<email>` (empty name) or a bare address (one word with an `@`). As in a git ident, the
/// email is what lies between the first `<` and the next `>`; brackets holding more than one
/// word name no one. That is what a trailer line glued to the next one looks like (git/git has
/// `Signed-off-by: A <a@x.orgReviewed-by: B <b@y.org>`): git reads it as one trailer, and so
/// does [`trailers`], but its value is not one person's address.
pub fn trailer_identity(value: &str) -> Option<(&str, &str, &str)> {
    match value.find('<') {
        Some(lt) => {
            let gt = lt + value[lt..].find('>')?;
            let email = &value[lt + 1..gt];
            if email.contains(|c: char| c == '<' || c.is_whitespace()) {
                return None;
            }
            Some((value[..lt].trim(), email, &value[gt + 1..]))
        }
        None if value.contains('@') && !value.contains(char::is_whitespace) => {
            Some(("", value, ""))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    /// The parser as first written (every line collected, paragraphs listed): the one-pass
    /// parser must agree with it everywhere.
    fn trailers_by_paragraphs(message: &str) -> Vec<(String, String)> {
        let lines: Vec<&str> = message.lines().map(|l| l.trim_end()).collect();
        // Paragraphs as [start, end) line ranges.
        let mut paragraphs: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, line) in lines.iter().enumerate() {
            match (line.trim().is_empty(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    paragraphs.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            paragraphs.push((s, lines.len()));
        }
        // The subject paragraph never holds trailers.
        let Some(&(_, body_start)) = paragraphs.first() else {
            return Vec::new();
        };
        let block = paragraphs
            .last()
            .filter(|_| paragraphs.len() > 1)
            .copied()
            .filter(|&(s, e)| is_trailer_block(&lines[s..e]));

        let mut out: Vec<(String, String)> = Vec::new();
        let mut prev_trailer = false;
        for (i, line) in lines.iter().enumerate().skip(body_start) {
            let in_block = block.is_some_and(|(s, e)| (s..e).contains(&i));
            if in_block && prev_trailer && line.starts_with([' ', '\t']) {
                if let Some((_, v)) = out.last_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            match split_trailer(line, !in_block) {
                Some((k, v)) => {
                    out.push((k.to_string(), v.to_string()));
                    prev_trailer = true;
                }
                None => prev_trailer = false,
            }
        }
        out
    }

    /// Lines that exercise every rule: trailers known and unknown, Phabricator keys in any
    /// case, continuations, prose with colons, blank and whitespace-only lines, CRs.
    const PIECES: [&str; 18] = [
        "Signed-off-by: A <a@x>",
        "reviewed-by: B <b@x>",
        "  continued <c@x>",
        "\tand more",
        "",
        "   ",
        "\u{a0}",
        "Reviewed By: alice, bob",
        "differential revision: D12",
        "Pull Request resolved: https://github.com/o/r/pull/7",
        "Note that: this is prose",
        "plain prose line",
        "X-Custom: value\r",
        "Key:no-space",
        "Key:",
        ">",
        "Change-Id: I0123",
        "https://example.com/x",
    ];

    #[test]
    fn lines_split_as_split_does() {
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "\n\na",
            "0123456\n89abcdef\n",
            "01234567\n",
            "0123456789abcdef0123456789",
            "é\u{a0}\r\nÆvar\n\n\n  x\n",
            "\u{10a}\u{10a}\u{10a}\u{10a}\n\u{10a}",
        ];
        for t in texts {
            assert_eq!(
                lines(t).collect::<Vec<_>>(),
                t.split('\n').collect::<Vec<_>>(),
                "{t:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn one_pass_parser_agrees_with_the_paragraph_parser(
            picks in proptest::collection::vec(0..PIECES.len(), 0..14),
            crlf: bool,
        ) {
            let sep = if crlf { "\r\n" } else { "\n" };
            let m = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(sep);
            proptest::prop_assert_eq!(trailers(&m), trailers_by_paragraphs(&m), "{:?}", m);
        }

        #[test]
        fn lines_agree_with_split(text in "[a\\n\u{a0}\u{10a}é\r ]{0,40}") {
            let got: Vec<&str> = lines(&text).collect();
            let want: Vec<&str> = text.split('\n').collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn subject_joins_the_first_paragraph() {
        assert_eq!(subject("Fix a\nthing\n\nbody"), "Fix a thing");
        assert_eq!(subject("\n\nOnly\n"), "Only");
    }

    #[test]
    fn final_paragraph_trailers_in_order() {
        let m = "Subject\n\nBody text: not a trailer? yes it is prose.\n\nSigned-off-by: A <a@x>\nReviewed-by: B <b@x>\nCo-authored-by: C <c@x>\n";
        assert_eq!(
            trailers(m),
            vec![
                t("Signed-off-by", "A <a@x>"),
                t("Reviewed-by", "B <b@x>"),
                t("Co-authored-by", "C <c@x>")
            ]
        );
    }

    #[test]
    fn subject_only_message_has_no_trailers() {
        assert!(trailers("Signed-off-by: A <a@x>").is_empty());
    }

    #[test]
    fn prose_final_paragraph_is_not_a_trailer_block() {
        let m = "S\n\nThis explains: a lot\nand then some more words\nand more\n";
        assert!(trailers(m).is_empty());
    }

    #[test]
    fn mixed_block_with_known_key_counts() {
        let m = "S\n\nSigned-off-by: A <a@x>\n[fixed typo]\nSigned-off-by: M <m@x>\n";
        assert_eq!(trailers(m).len(), 2);
    }

    #[test]
    fn continuation_lines_fold_into_the_value() {
        let m = "S\n\nSigned-off-by: A\n  <a@x>\n";
        assert_eq!(trailers(m), vec![t("Signed-off-by", "A <a@x>")]);
    }

    #[test]
    fn urls_are_not_keys() {
        let m = "S\n\nhttps://example.com/x\n";
        assert!(trailers(m).is_empty());
    }

    #[test]
    fn phabricator_lines_anywhere_in_the_body() {
        let m = "Fix (#12)\n\nSummary:\nPull Request resolved: https://github.com/o/r/pull/12\n\nDetails: here\n\nReviewed By: alice\n\nDifferential Revision: D123\n\nfbshipit-source-id: abc123\n";
        assert_eq!(
            trailers(m),
            vec![
                t("Pull Request resolved", "https://github.com/o/r/pull/12"),
                t("Reviewed By", "alice"),
                t("Differential Revision", "D123"),
                t("fbshipit-source-id", "abc123"),
            ]
        );
    }

    #[test]
    fn a_trailer_glued_to_the_next_is_one_trailer_naming_no_one() {
        // The shape of 14 commits in git/git: the line break before `Reviewed-by` was lost,
        // and the `>` ended up on a line of its own. git reads the first line as one
        // `Signed-off-by` trailer (`git log --format=%(trailers)`), and the `>` line as text.
        let m = "Subject\n\nBody.\n\n\
                 Signed-off-by: A B <a@x.orgReviewed-by: C D <c@y.org>\n\
                 Reviewed-by: E <e@z.net>\n\
                 >\n\
                 Signed-off-by: F <f@w.com>\n";
        let got = trailers(m);
        assert_eq!(
            got,
            vec![
                t("Signed-off-by", "A B <a@x.orgReviewed-by: C D <c@y.org>"),
                t("Reviewed-by", "E <e@z.net>"),
                t("Signed-off-by", "F <f@w.com>"),
            ]
        );
        assert_eq!(trailer_identity(&got[0].1), None);
        assert_eq!(trailer_identity(&got[1].1), Some(("E", "e@z.net", "")));
        assert_eq!(trailer_identity("<a@x> (v2)"), Some(("", "a@x", " (v2)")));
        assert_eq!(trailer_identity("a@x"), Some(("", "a@x", "")));
        assert_eq!(trailer_identity("ajkr, siying"), None);
        assert_eq!(trailer_identity("A <unterminated@x"), None);
    }

    #[test]
    fn crlf_messages_parse() {
        let m = "S\r\n\r\nChange-Id: I0123\r\n";
        assert_eq!(trailers(m), vec![t("Change-Id", "I0123")]);
    }
}
