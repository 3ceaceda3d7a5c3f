//! The README and docs/ stay true: the configuration reference is the embedded defaults,
//! verbatim; the README names the commands CI runs and stays a newcomer's guide (≤ 25 KB);
//! every link between the repository's documents reaches an existing file and heading.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md, CONTRIBUTING.md and every docs/*.md.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![root().join("README.md"), root().join("CONTRIBUTING.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    docs.sort();
    docs
}

/// GitHub's anchor for a heading: lowercase, punctuation other than `-` and `_` dropped,
/// spaces turned into `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside fenced code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of the inline links `[text](target)` of a Markdown text, outside code.
fn links(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn configuration_doc_shows_the_embedded_default_config_verbatim() {
    let doc = read(&root().join("docs/configuration.md"));
    assert!(
        doc.contains(contrail::config::DEFAULT_CONFIG),
        "docs/configuration.md's defaults block differs from assets/default-config.toml; paste the file in again"
    );
}

#[test]
fn readme_names_the_test_command_ci_runs() {
    let readme = read(&root().join("README.md"));
    let ci = read(&root().join(".ci/run"));
    for cmd in [
        "cargo run --release -- demo",
        "cargo test --locked",
        "cargo clippy --locked --all-targets -- -D warnings",
        "cargo fmt --all -- --check",
    ] {
        assert!(readme.contains(cmd), "{cmd} must be in README.md");
    }
    for cmd in [
        "cargo test --locked",
        "cargo clippy --locked --all-targets -- -D warnings",
        "cargo fmt --all -- --check",
    ] {
        assert!(ci.contains(cmd), "{cmd} must be in .ci/run");
    }
}

#[test]
fn readme_is_a_guide_of_at_most_25_kb() {
    let size = read(&root().join("README.md")).len();
    assert!(
        size <= 25 * 1024,
        "README.md is {size} bytes; move reference material into docs/ (the README is a newcomer's guide)"
    );
}

#[test]
fn every_link_between_documents_reaches_a_file_and_heading() {
    let mut broken = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, heading) = match target.split_once('#') {
                Some((f, h)) => (f, Some(h)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: {target} (no such file)", doc.display()));
                continue;
            }
            if let Some(h) = heading
                && !anchors(&read(&path)).iter().any(|a| a == h)
            {
                broken.push(format!("{}: {target} (no such heading)", doc.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_github_rules() {
    assert_eq!(
        anchor(" Internal-review markers (`markers`)"),
        "internal-review-markers-markers"
    );
    assert_eq!(anchor(" The terminal UI: `[tui]`"), "the-terminal-ui-tui");
}
