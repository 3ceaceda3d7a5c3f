//! Public pull-request references in a commit message (SPEC §5 `landed_without_public_pr`):
//! squash subjects `Title (#N)`, `Merge pull request #N from …`, `Pull Request resolved: …/pull/N`,
//! and outsiders' PRs imported through an internal mirror (`Imported from GitHub PR …/pull/N`).

use crate::domain::PrVia;

/// Leading ASCII digits of `s` as a number.
fn leading_number(s: &str) -> Option<u64> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

/// `Title (#123)` → 123 (the last such group at the end of the subject).
pub fn squash_pr(subject: &str) -> Option<u64> {
    let s = subject.trim_end().strip_suffix(')')?;
    let open = s.rfind("(#")?;
    let digits = &s[open + 2..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether `Title (#N)` subjects name pull requests in a history where `shaped` of the
/// `non_merge` commits have one: when at least 1 % do. A squash merge through GitHub's web
/// flow names its PR whatever the share (the caller checks the committer); elsewhere a lone
/// "(#2)" is as likely a part number as a PR (docs/git-import.md, "Pull-request references").
pub fn squash_refs_plausible(shaped: u64, non_merge: u64) -> bool {
    shaped > 0 && shaped * 100 >= non_merge
}

/// `Merge pull request #123 from user/branch` → 123.
pub fn merge_pr(subject: &str) -> Option<u64> {
    let rest = subject.strip_prefix("Merge pull request #")?;
    let n = leading_number(rest)?;
    let after = &rest[rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())..];
    (after.is_empty() || after.starts_with(" from ")).then_some(n)
}

/// The number after `/pull/` in a URL (`https://github.com/O/R/pull/123`), or a bare `#123`.
pub fn pull_number(value: &str) -> Option<u64> {
    if let Some(i) = value.find("/pull/") {
        return leading_number(&value[i + "/pull/".len()..]);
    }
    leading_number(value.trim().strip_prefix('#')?)
}

/// `Pull Request resolved: …/pull/N` among the trailers.
pub fn resolved_pr(trailers: &[(String, String)]) -> Option<u64> {
    trailers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Pull Request resolved"))
        .and_then(|(_, v)| pull_number(v))
}

/// The public PR a commit's own message names, strongest form first:
/// `Pull Request resolved` (ShipIt), `Merge pull request #N`, squash `(#N)`.
pub fn own_pr(
    subject: &str,
    trailers: &[(String, String)],
    is_merge: bool,
) -> Option<(u64, PrVia)> {
    if let Some(n) = resolved_pr(trailers) {
        return Some((n, PrVia::Resolved));
    }
    if is_merge && let Some(n) = merge_pr(subject) {
        return Some((n, PrVia::MergeCommit));
    }
    squash_pr(subject).map(|n| (n, PrVia::Squash))
}

/// The lines that mark an imported PR; one scan per message finds them all.
static IMPORT_RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    // A fixed pattern: it always compiles.
    regex::Regex::new(
        r"Imported from GitHub PR(?P<imported>[^\n]*)|COPYBARA_INTEGRATE_REVIEW=(?P<copybara>\S*)|Merging this change closes #(?P<closes>\d+)",
    )
    .expect("fixed pattern")
});

/// An outsider's PR landed through an internal import (Copybara style):
/// `Imported from GitHub PR https://github.com/O/R/pull/N`, `COPYBARA_INTEGRATE_REVIEW=…/pull/N`,
/// or `Merging this change closes #N`. A `PR #N: title` subject supplies the number when the
/// import line has none.
pub fn imported_pr(subject: &str, message: &str) -> Option<u64> {
    let mut seen_import_line = false;
    for caps in IMPORT_RE.captures_iter(message) {
        if let Some(m) = caps.name("imported") {
            seen_import_line = true;
            if let Some(n) = pull_number(m.as_str().trim()) {
                return Some(n);
            }
        } else if let Some(m) = caps.name("copybara") {
            if let Some(n) = pull_number(m.as_str()) {
                return Some(n);
            }
        } else if let Some(m) = caps.name("closes") {
            return m.as_str().parse().ok();
        }
    }
    if seen_import_line {
        return leading_number(subject.strip_prefix("PR #")?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_subjects() {
        assert_eq!(squash_pr("Fix the thing (#123)"), Some(123));
        assert_eq!(squash_pr("Fix (#1) (#2)"), Some(2));
        assert_eq!(squash_pr("Fix (see #123)"), None);
        assert_eq!(squash_pr("Fix (#)"), None);
        assert_eq!(squash_pr("Fix (#12a)"), None);
    }

    #[test]
    fn squash_references_are_plausible_from_one_percent_of_commits() {
        assert!(squash_refs_plausible(1, 3));
        assert!(squash_refs_plausible(10, 1000));
        assert!(!squash_refs_plausible(9, 1000));
        assert!(
            !squash_refs_plausible(3, 75_000),
            "a few part numbers in a big history"
        );
        assert!(!squash_refs_plausible(0, 0));
    }

    #[test]
    fn merge_subjects() {
        assert_eq!(merge_pr("Merge pull request #77 from a/b"), Some(77));
        assert_eq!(merge_pr("Merge pull request #77"), Some(77));
        assert_eq!(merge_pr("Merge pull request #77x from a/b"), None);
        assert_eq!(merge_pr("Merge branch 'main'"), None);
    }

    #[test]
    fn own_pr_prefers_resolved_over_squash() {
        let t = vec![(
            "Pull Request resolved".to_string(),
            "https://github.com/o/r/pull/9".to_string(),
        )];
        assert_eq!(own_pr("X (#9)", &t, false), Some((9, PrVia::Resolved)));
        assert_eq!(own_pr("X (#9)", &[], false), Some((9, PrVia::Squash)));
        assert_eq!(
            own_pr("Merge pull request #4 from a/b", &[], true),
            Some((4, PrVia::MergeCommit))
        );
    }

    #[test]
    fn imported_forms() {
        let m = "PR #31: Add x\n\nImported from GitHub PR https://github.com/o/r/pull/31\n";
        assert_eq!(imported_pr("PR #31: Add x", m), Some(31));
        let m = "Add x\n\nMerging this change closes #32\n";
        assert_eq!(imported_pr("Add x", m), Some(32));
        let m = "PR #33: Add x\n\nImported from GitHub PR\n";
        assert_eq!(imported_pr("PR #33: Add x", m), Some(33));
        let m = "x\n\nCOPYBARA_INTEGRATE_REVIEW=https://github.com/o/r/pull/34 from a:b 0123\n";
        assert_eq!(imported_pr("x", m), Some(34));
        assert_eq!(imported_pr("PR #35: no import line", "PR #35: x"), None);
    }
}
