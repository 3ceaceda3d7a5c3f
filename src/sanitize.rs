//! One sanitiser for every text that reaches a terminal or a document (docs/safety.md).
//!
//! Names, titles, bodies and server messages come from strangers. Before they are printed —
//! on stderr, in the TUI, in Markdown, CSV or the text diff — every character that could move
//! the cursor, rewrite the clipboard (OSC 52), hide or reorder text is shown as a visible
//! escape instead of being sent raw:
//!
//! - C0 controls (U+0000–U+001F except the line breaks a caller allows) and DEL → `\x1b`, `\x07`…
//! - C1 controls (U+0080–U+009F) → `\u{9b}`…
//! - bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069,
//!   U+200E, U+200F, U+061C) → `\u{202e}`…
//! - zero-width and invisible characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E,
//!   U+00AD) → `\u{200b}`…
//!
//! CSV cells additionally get the OWASP treatment against formula injection: a cell starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote.

use std::borrow::Cow;

/// Whether `c` must never reach a terminal or document raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}'
        | '\u{feff}' | '\u{180e}' | '\u{00ad}'
        | '\u{2028}' | '\u{2029}')
}

fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let v = u32::from(c);
    let _ = if v < 0x80 {
        write!(out, "\\x{v:02x}")
    } else {
        write!(out, "\\u{{{v:x}}}")
    };
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text (a name, a title, a table cell): every unsafe character escaped,
/// line breaks and tabs included.
pub fn inline(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// A multi-line document or message: like [`inline`], but `\n` (and a `\t`) stay as they are.
pub fn block(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n' || c == '\t')
}

/// A CSV cell: [`inline`], then a leading `=`, `+`, `-`, `@`, tab or carriage return is
/// neutralised with a `'` prefix (OWASP "CSV injection"), then RFC 4180 quoting.
pub fn csv_cell(s: &str) -> String {
    let starts_formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = inline(s);
    let text = if starts_formula {
        Cow::Owned(format!("'{text}"))
    } else {
        text
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// A grapheme of a terminal cell with its unsafe characters removed; `None` when nothing
/// needs to change. A cell that held only unsafe characters becomes U+FFFD, so the
/// replacement stays visible without changing the width of the line.
pub fn cell_symbol(sym: &str) -> Option<String> {
    if !sym.chars().any(is_unsafe) {
        return None;
    }
    let kept: String = sym.chars().filter(|c| !is_unsafe(*c)).collect();
    Some(if kept.is_empty() {
        "\u{fffd}".to_string()
    } else {
        kept
    })
}

/// Whether the TUI may hand `url` to the browser: `http(s)` only, on `host` (the
/// repository's web host, e.g. `github.com`), with no user info and no unsafe characters.
pub fn url_allowed(url: &str, host: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    if url.chars().any(|c| is_unsafe(c) || c.is_whitespace()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let h = authority.split(':').next().unwrap_or("");
    !h.is_empty() && h == host.to_ascii_lowercase()
}

/// The web host of a repository whose API is at `api_url` (`None` = github.com):
/// `https://api.github.com` → `github.com`, `https://HOST/api/v3` → `HOST`.
pub fn web_host(api_url: Option<&str>) -> String {
    let Some(url) = api_url else {
        return "github.com".into();
    };
    let after = url.split_once("://").map_or(url, |(_, a)| a);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match host.as_str() {
        "" | "api.github.com" => "github.com".into(),
        h => h.to_string(),
    }
}

/// `url` without user info (credentials), query or fragment: safe to record or print.
pub fn strip_url_credentials(url: &str) -> String {
    let (scheme, after) = match url.split_once("://") {
        Some((s, a)) => (Some(s), a),
        None => (None, url),
    };
    let end = after.find(['?', '#']).unwrap_or(after.len());
    let after = &after[..end];
    let (authority, path) = match after.find('/') {
        Some(i) => after.split_at(i),
        None => (after, ""),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    match scheme {
        Some(s) => format!("{s}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_c0_c1_bidi_and_zero_width_visibly() {
        assert_eq!(inline("a\x1b]52;c;x\x07b"), "a\\x1b]52;c;x\\x07b");
        assert_eq!(inline("x\u{9b}2J"), "x\\u{9b}2J");
        assert_eq!(inline("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(inline("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(inline("line\nbreak"), "line\\x0abreak");
        assert!(matches!(inline("Zoë 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn block_keeps_line_breaks_only() {
        assert_eq!(block("a\nb\x1b[2J"), "a\nb\\x1b[2J");
        assert_eq!(block("a\r\nb"), "a\\x0d\nb");
    }

    #[test]
    fn csv_cells_are_neutralised_the_owasp_way() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\\x09x");
        assert_eq!(csv_cell("\rx"), "'\\x0dx");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn only_http_urls_on_the_repository_host_may_be_opened() {
        let h = "github.com";
        assert!(url_allowed("https://github.com/a/b/issues/1", h));
        assert!(url_allowed("HTTP://GitHub.com/a", h));
        assert!(!url_allowed("file:///etc/passwd", h));
        assert!(!url_allowed("https://evil.example/a", h));
        assert!(!url_allowed("https://github.com.evil.example/a", h));
        assert!(!url_allowed("https://github.com@evil.example/a", h));
        assert!(!url_allowed("javascript:alert(1)", h));
        assert!(!url_allowed("https://github.com/a\u{202e}b", h));
    }

    #[test]
    fn web_host_and_credential_stripping() {
        assert_eq!(web_host(None), "github.com");
        assert_eq!(web_host(Some("https://api.github.com")), "github.com");
        assert_eq!(
            web_host(Some("https://u:p@ghe.example.com:8443/api/v3")),
            "ghe.example.com"
        );
        assert_eq!(
            strip_url_credentials("https://user:secret@ghe.example.com/api/v3?token=x#y"),
            "https://ghe.example.com/api/v3"
        );
    }

    #[test]
    fn terminal_cells_lose_unsafe_characters_but_stay_visible() {
        assert_eq!(cell_symbol("a"), None);
        assert_eq!(cell_symbol("\u{202e}").as_deref(), Some("\u{fffd}"));
        assert_eq!(cell_symbol("a\u{200b}").as_deref(), Some("a"));
    }
}
