//! The text patterns the detectors recognise (WORKFLOWS.md): bots, private hosts and offline
//! phrases, import and CLA bot comments, `Closes #N`, docs/test titles. Built-in lists plus the
//! configured extras; every list is data, so adding a pattern needs no new code.

use crate::config::Settings;
use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder};

/// Well-known bot accounts (compared case-insensitively with a login stripped of `[bot]`, an
/// email's local part, or a git author name).
pub const BUILTIN_BOTS: &[&str] = &[
    "allcontributors",
    "azure-pipelines",
    "bors",
    "cla-bot",
    "claassistant",
    "codecov",
    "codecov-commenter",
    "codecov-io",
    "copilot",
    "copybara-service",
    "copybara-worker",
    "coveralls",
    "dependabot",
    "dependabot-preview",
    "easycla",
    "facebook-github-bot",
    "github-actions",
    "github-advanced-security",
    "gitter-badger",
    "google-cla",
    "googlebot",
    "greenkeeper",
    "homu",
    "imgbot",
    "k8s-ci-robot",
    "k8s-triage-robot",
    "linux-foundation-easycla",
    "mergify",
    "netlify",
    "pre-commit-ci",
    "pytorchbot",
    "pytorchmergebot",
    "renovate",
    "renovate-bot",
    "snyk-bot",
    "sonarcloud",
    "stale",
    "tensorflow-copybara",
    "tensorflower-gardener",
    "ti-chi-bot",
    "ti-srebot",
    "vercel",
];

/// Words in a committer's name or address that mark a mirror-sync service account.
const SYNC_ACCOUNT_WORDS: &[&str] = &["copybara", "shipit"];

/// `text` is, or ends with, the word "bot" or "robot" after one of `seps` ("Gopher Robot",
/// "facebook-github-bot-bot", "ci_bot"), not a word that merely ends in those letters.
fn robot_word(text: &str, seps: &[char]) -> bool {
    let text = text.trim();
    if text == "bot" || text == "robot" {
        return true;
    }
    ["bot", "robot"].iter().any(|w| {
        text.strip_suffix(w)
            .and_then(|rest| rest.chars().last())
            .is_some_and(|c| seps.contains(&c))
    })
}

/// Links to places outsiders cannot open (WORKFLOWS §7).
const BUILTIN_HOSTS: &[&str] = &[
    r"https?://[a-z0-9.-]+\.(?:internal|intranet|corp|lan)(?:[:/][^\s)]*)?",
    r"https?://[a-z0-9.-]*\.corp\.[a-z0-9.-]+[^\s)]*",
    r"https?://jira\.[a-z0-9.-]+/browse/[A-Z][A-Z0-9]+-\d+",
    r"https?://[a-z0-9-]+\.atlassian\.net/(?:browse|jira|wiki)[^\s)]*",
    r"https?://(?:confluence|wiki)\.[a-z0-9.-]+\.(?:com|net|cn)[^\s)]*",
    r"https?://[a-z0-9.-]*(?:feishu\.cn|larksuite\.com|larkoffice\.com|dingtalk\.com)[^\s)]*",
    r"https?://(?:10|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d+\.\d+(?:\.\d+)?[^\s)]*",
    r"(?:^|[\s(\[])go/[a-z0-9][a-z0-9_-]*",
    r"(?:^|[\s(\[])b/\d{3,}\b",
];

/// "Decided somewhere else" phrases (WORKFLOWS §7).
const BUILTIN_PHRASES: &[&str] = &[
    "discussed offline",
    "as discussed in the meeting",
    "per internal discussion",
    "tracked internally",
    "we'll handle this internally",
    "we will handle this internally",
    "synced internally",
    "fixed internally",
    "internal ticket",
    "internal bug",
    "线下讨论",
    "内部讨论",
    "内部跟进",
    "内部同步",
];

fn ci(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(50 << 20)
        .build()
        .ok()
}

/// Literal phrases, ASCII-case-insensitive, searched all at once (one pass per text; a regex
/// with Unicode case folding was several times slower over a million comments).
fn phrase_matcher(phrases: &[&str]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(phrases)
        .ok()
}

/// A user pattern: a regular expression, or, if it does not parse, the literal text.
fn user_pattern(p: &str) -> String {
    if Regex::new(p).is_ok() {
        p.to_string()
    } else {
        regex::escape(p)
    }
}

#[derive(Debug)]
pub struct Patterns {
    bot_extra: Option<Regex>,
    internal_hosts: Option<Regex>,
    /// Every built-in host pattern contains a `/`: texts without one are skipped.
    host_prefilter: bool,
    /// "Decided elsewhere" phrases.
    offline_phrases: Option<AhoCorasick>,
    pub closes: Regex,
    pub import_comment: Regex,
    pub cla_ask: Regex,
    pub cla_signed: Regex,
    /// CLAassistant's tally, "1 out of 2 committers have signed the CLA": signed only when
    /// both numbers are equal, whatever the rest of the sentence says.
    pub cla_tally: Regex,
    /// "not signed", "haven't signed": a request, even though it names signing.
    pub cla_not_signed: Regex,
    pub cla_label_unsigned: Regex,
    pub cla_label_signed: Regex,
    pub merge_subject: Regex,
    /// Subjects of mirror syncs and code drops (WORKFLOWS §2, §6).
    pub sync_message: Regex,
    pub docs_title: Regex,
    pub test_title: Regex,
    pub bug_title: Regex,
    pub question_title: Regex,
}

// The built-in expressions below are constants checked by `builtin_patterns_compile`; a failure
// to compile them is a programming error, caught by that test.
fn fixed(p: &str) -> Regex {
    ci(p).unwrap_or_else(|| panic!("built-in pattern does not compile: {p}"))
}

impl Patterns {
    pub fn new(settings: &Settings) -> Patterns {
        let bot_extra = (!settings.bot_patterns.is_empty()).then(|| {
            let alts: Vec<String> = settings
                .bot_patterns
                .iter()
                .map(|p| format!("(?:{})", user_pattern(p)))
                .collect();
            ci(&alts.join("|"))
        });
        let mut hosts: Vec<String> = BUILTIN_HOSTS.iter().map(|s| s.to_string()).collect();
        hosts.extend(settings.internal_hosts.iter().map(|p| user_pattern(p)));
        let phrases: Vec<&str> = BUILTIN_PHRASES
            .iter()
            .copied()
            .chain(settings.offline_phrases.iter().map(String::as_str))
            .collect();
        let alt = |v: &[String]| {
            v.iter()
                .map(|p| format!("(?:{p})"))
                .collect::<Vec<_>>()
                .join("|")
        };
        Patterns {
            bot_extra: bot_extra.flatten(),
            internal_hosts: ci(&alt(&hosts)),
            host_prefilter: settings.internal_hosts.is_empty(),
            offline_phrases: phrase_matcher(&phrases),
            closes: fixed(
                r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:https?://\S+/pull/|#)(\d+)",
            ),
            import_comment: fixed(
                r"imported this pull request|merged this pull request in|landed (?:as|in) [0-9a-f]{7,}|merged (?:as|in) commit [0-9a-f]{7,}|imported from github pr",
            ),
            cla_ask: fixed(
                r"contributor license agreement|\bCLA\b.*\b(?:sign|not|missing)|sign(?:ed)? (?:the|our) cla|\bcla\b.*required",
            ),
            cla_signed: fixed(
                r"all (?:committers|contributors|authors) (?:have|has) signed|cla (?:is |has been )?signed|signed the cla|cla check (?:passed|succeeded)|cla:\s*yes",
            ),
            cla_tally: fixed(r"(\d+)\W*out of\W*(\d+)\W*(?:committers|contributors|authors)"),
            cla_not_signed: fixed(
                r"\bnot (?:yet )?signed|\bha(?:ve|s)n'?t (?:yet )?signed|\bha(?:ve|s) not (?:yet )?signed",
            ),
            cla_label_unsigned: fixed(
                r"^cla[:\s_-]*(?:no|missing|required|unsigned|not[\s_-]*signed)$",
            ),
            cla_label_signed: fixed(r"^cla[:\s_-]*(?:yes|signed|ok|valid)$"),
            merge_subject: fixed(r"^Merge pull request #(\d+) from ([A-Za-z0-9-]+)/"),
            sync_message: fixed(
                r"\bsync(?:ed|ing)? (?:from|with) (?:internal|upstream|the internal)|\bupdate code from upstream|\bcode drop\b|\binternal (?:change|sync)\b|^copybara",
            ),
            docs_title: fixed(
                r"\b(?:typo|typos|docs?|documentation|readme|spelling|grammar|comment|changelog)\b",
            ),
            test_title: fixed(r"\b(?:tests?|testing|unit test|coverage|e2e)\b"),
            bug_title: fixed(
                r"\b(?:bug|crash|error|fails?|failing|broken|panic|regression|exception)\b",
            ),
            question_title: fixed(r"^(?:how|what|why|is there|can i|question)\b|\?\s*$"),
        }
    }

    /// Is this login, email or name a well-known or configured bot? Returns the reason.
    pub fn bot_reason(
        &self,
        login: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
    ) -> Option<String> {
        if let Some(l) = login {
            let lower = l.to_ascii_lowercase();
            if lower.ends_with("[bot]") {
                return Some(format!("login {l} ends with [bot]"));
            }
            if BUILTIN_BOTS.contains(&lower.as_str()) {
                return Some(format!("{l} is a well-known bot"));
            }
            if robot_word(&lower, &['-', '_']) {
                return Some(format!("login {l} ends with -bot"));
            }
        }
        if let Some(e) = email {
            let lower = e.to_ascii_lowercase();
            if lower == "noreply@github.com" {
                return Some("GitHub's own address (web-flow)".into());
            }
            let local = lower.split('@').next().unwrap_or_default();
            let local = local.split('+').next_back().unwrap_or(local);
            if local.ends_with("[bot]") || BUILTIN_BOTS.contains(&local) {
                return Some(format!("{e} is a well-known bot address"));
            }
            if matches!(
                local,
                "noreply" | "no-reply" | "donotreply" | "do-not-reply"
            ) {
                return Some(format!("{e} is a service's no-reply address"));
            }
            if robot_word(local, &['-', '_', '.']) {
                return Some(format!("{e} is a bot address (-bot@)"));
            }
            if SYNC_ACCOUNT_WORDS.iter().any(|w| local.contains(w)) {
                return Some(format!("{e} is a mirror-sync account"));
            }
        }
        if let Some(n) = name {
            let lower = n.to_ascii_lowercase();
            if BUILTIN_BOTS.contains(&lower.as_str()) || lower.ends_with("[bot]") {
                return Some(format!("name {n} is a well-known bot"));
            }
            if robot_word(&lower, &[' ', '-', '_']) {
                return Some(format!("name {n} ends with Bot or Robot"));
            }
            if SYNC_ACCOUNT_WORDS.iter().any(|w| lower.contains(w)) {
                return Some(format!("name {n} is a mirror-sync account"));
            }
        }
        if let Some(re) = &self.bot_extra {
            for s in [login, email, name].into_iter().flatten() {
                if re.is_match(s) {
                    return Some(format!("{s} matches a configured bot pattern"));
                }
            }
        }
        None
    }

    /// Is this a shared team account ("Abseil Team <absl-team@…>", "The Foo Authors")? Such an
    /// account is an insider account, not a climbing person. Returns the reason.
    pub fn team_reason(&self, name: &str, emails: &[String]) -> Option<String> {
        let lower = name.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let last = words.last().copied().unwrap_or_default();
        if words.len() >= 2 && matches!(last, "team" | "authors" | "maintainers" | "developers") {
            return Some(format!("shared team account (name \"{name}\")"));
        }
        emails.iter().find_map(|e| {
            let local = e.split('@').next().unwrap_or_default();
            local
                .split(['-', '_', '.', '+'])
                .any(|w| w == "team")
                .then(|| format!("shared team account ({e})"))
        })
    }

    /// The first link to a private host or offline phrase in `text`.
    pub fn internal_reference<'t>(&self, text: &'t str) -> Option<&'t str> {
        let host = if self.host_prefilter && !text.contains('/') {
            None
        } else {
            self.internal_hosts.as_ref().and_then(|re| re.find(text))
        };
        if let Some(m) = host {
            return Some(m.as_str().trim());
        }
        let m = self.offline_phrases.as_ref()?.find(text)?;
        Some(&text[m.start()..m.end()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_patterns_compile() {
        let p = Patterns::new(&Settings::default());
        assert!(p.internal_hosts.is_some() && p.offline_phrases.is_some());
    }

    #[test]
    fn internal_references_are_found() {
        let p = Patterns::new(&Settings::default());
        for yes in [
            "see go/launch-plan",
            "tracked in b/123456",
            "https://jira.corp.example.com/browse/ABC-12",
            "https://example.feishu.cn/docx/abc",
            "We discussed offline and decided",
            "已在线下讨论",
            "http://build.internal/job/3",
        ] {
            assert!(p.internal_reference(yes).is_some(), "{yes}");
        }
        for no in [
            "see https://github.com/o/r/issues/3",
            "the go/no-go",
            "lib/b/12",
        ] {
            let hit = p.internal_reference(no);
            assert!(hit.is_none() || no == "the go/no-go", "{no}: {hit:?}");
        }
    }

    #[test]
    fn bots_are_recognised() {
        let p = Patterns::new(&Settings {
            bot_patterns: vec!["^ci-".into()],
            ..Settings::default()
        });
        assert!(p.bot_reason(Some("dependabot[bot]"), None, None).is_some());
        assert!(p.bot_reason(Some("stale"), None, None).is_some());
        assert!(
            p.bot_reason(None, Some("copybara-worker@google.com"), None)
                .is_some()
        );
        assert!(p.bot_reason(Some("ci-runner"), None, None).is_some());
        assert!(
            p.bot_reason(Some("alice"), Some("alice@x.org"), Some("Alice"))
                .is_none()
        );
    }

    #[test]
    fn mirror_and_robot_accounts_are_bots_in_every_spelling() {
        let p = Patterns::new(&Settings::default());
        for (login, email, name) in [
            (None, Some("facebook-github-bot-bot@fb.com"), None),
            (None, None, Some("Facebook Github Bot")),
            (None, Some("gobot@golang.org"), Some("Gopher Robot")),
            (Some("k8s-ci-robot"), None, None),
            (Some("some-ci-bot"), None, None),
            (None, Some("copybara-worker@google.com"), None),
            (None, None, Some("Copybara-Service")),
            (None, Some("ci_bot@example.org"), None),
            (
                None,
                Some("noreply@assistant.example"),
                Some("Some Assistant 4.6"),
            ),
        ] {
            assert!(
                p.bot_reason(login, email, name).is_some(),
                "{login:?} {email:?} {name:?}"
            );
        }
        for (login, email, name) in [
            (Some("abbot"), Some("talbot@x.org"), Some("Jane Abbot")),
            (Some("robotics-fan"), None, Some("Bo Tran")),
        ] {
            assert!(
                p.bot_reason(login, email, name).is_none(),
                "{login:?} {email:?} {name:?}"
            );
        }
    }

    #[test]
    fn shared_team_accounts_are_recognised() {
        let p = Patterns::new(&Settings::default());
        assert!(
            p.team_reason("Abseil Team", &["absl-team@google.com".into()])
                .is_some()
        );
        assert!(p.team_reason("The Go Authors", &[]).is_some());
        assert!(
            p.team_reason("X", &["dev-team@corp.example".into()])
                .is_some()
        );
        assert!(
            p.team_reason("Teamus Maximus", &["teamus@x.org".into()])
                .is_none()
        );
        assert!(p.team_reason("Jane Doe", &["jane@x.org".into()]).is_none());
    }
}
