//! Bounded mutation fuzzing on the stable toolchain (docs/safety.md): the parsers that read
//! what strangers write — commit messages and trailers, `.mailmap`, gitdm affiliations, the
//! config file, GitHub's GraphQL responses — and the sanitiser in front of every terminal.
//!
//! Each target mutates a few seeds (byte flips, inserted tokens, cut and spliced ranges, and
//! for JSON, values replaced by other types) for `CONTRAIL_FUZZ_SECS` seconds (default 1)
//! and runs the target under `catch_unwind`. An input that panics or breaks an invariant is
//! written to `tests/fuzz-regressions/<target>-<hash>.txt` and fails the run; every saved
//! input is replayed by [`saved_crashes_stay_fixed`]. `scripts/fuzz SECONDS` runs them all.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that parsers care about, inserted whole.
const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "\t",
    " ",
    ":",
    "<",
    ">",
    "@",
    "!",
    "#",
    "\n\n",
    "Signed-off-by: ",
    "Co-authored-by: ",
    "Reviewed-on: ",
    "(cherry picked from commit ",
    "until ",
    "from ",
    "2024-02-30",
    "9999-12-31",
    "0000-00-00",
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "\"",
    "'''",
    "\\u0000",
    "é",
    "日本",
    "\u{202e}",
    "\u{200b}",
    "\u{1b}",
    "\u{9b}",
    "\u{0}",
    "\u{feff}",
    "{",
    "}",
    "-1",
    "18446744073709551616",
    "1e999",
    "null",
    "true",
    "users.noreply.github.com",
    "#123",
    "https://",
    "go/",
    "b/1",
    "\u{10ffff}",
];

fn mutate(rng: &mut Rng, input: &str, corpus: &[String]) -> String {
    let mut b: Vec<u8> = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            2 if !b.is_empty() => {
                let end = (at + 1 + rng.below(32)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 if !b.is_empty() => {
                let start = rng.below(b.len());
                let end = (start + 1 + rng.below(64)).min(b.len());
                let piece: Vec<u8> = b[start..end].to_vec();
                b.splice(at..at, piece);
            }
            4 => {
                let other = corpus[rng.below(corpus.len())].as_bytes();
                let cut = rng.below(other.len() + 1);
                b.truncate(at);
                b.extend_from_slice(&other[cut..]);
            }
            5 => {
                let byte = (rng.next() & 0xff) as u8;
                b.insert(at, byte);
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                for _ in 0..rng.below(50) {
                    b.splice(at..at, t.iter().copied());
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

fn budget() -> Duration {
    let secs = std::env::var("CONTRAIL_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(1.0);
    Duration::from_secs_f64(secs.max(0.0))
}

/// Run `check` on mutations of `seeds` until the budget is spent; a panic or an `Err` saves
/// the input and fails.
fn fuzz(target: &str, seeds: &[&str], check: impl Fn(&str) -> Result<(), String>) {
    let seed = std::env::var("CONTRAIL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    let mut rng = Rng(seed);
    let mut corpus: Vec<String> = seeds.iter().map(|s| s.to_string()).collect();
    let deadline = Instant::now() + budget();
    let mut runs: u64 = 0;
    loop {
        let base = corpus[rng.below(corpus.len())].clone();
        let input = mutate(&mut rng, &base, &corpus);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(why)) => Some(why),
            Err(p) => Some(
                p.downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into()),
            ),
        };
        if let Some(why) = failure {
            let dir = regressions_dir();
            let _ = std::fs::create_dir_all(&dir);
            let name = format!(
                "{target}-{:08x}.txt",
                crate::snapshot::fnv1a(input.as_bytes()) as u32
            );
            let _ = std::fs::write(dir.join(&name), &input);
            panic!("{target}: {why} (seed {seed}, input saved as tests/fuzz-regressions/{name})");
        }
        // Keep some survivors so mutations compound.
        if corpus.len() < 256 && rng.below(16) == 0 && input.len() < 1 << 16 {
            corpus.push(input);
        }
        runs += 1;
        if runs.is_multiple_of(64) && Instant::now() >= deadline {
            break;
        }
    }
    eprintln!(
        "fuzz {target}: {runs} inputs in {:?}, seed {seed}",
        budget()
    );
}

// ---- Targets ------------------------------------------------------------------------------

pub(crate) fn check_message(input: &str) -> Result<(), String> {
    let subject = crate::git::fuzz_subject(input);
    if subject.contains('\n') {
        return Err(format!("subject holds a line break: {subject:?}"));
    }
    for (k, _) in crate::git::fuzz_trailers(input) {
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(format!("trailer key {k:?}"));
        }
    }
    let _ = crate::analysis::people::trailer_email(input);
    Ok(())
}

pub(crate) fn check_mailmap(input: &str) -> Result<(), String> {
    if let Ok(m) = git2::Mailmap::from_buffer(input) {
        for (name, email) in [
            ("Alice", "alice@example.com"),
            ("", ""),
            ("x", "<>"),
            (input, input),
        ] {
            if let Ok(sig) = git2::Signature::new(name, email, &git2::Time::new(0, 0)) {
                let _ = m.resolve_signature(&sig);
            }
        }
    }
    Ok(())
}

pub(crate) fn check_affiliations(input: &str) -> Result<(), String> {
    let settings = crate::config::Settings {
        internal_orgs: vec!["Corp".into()],
        ..crate::config::Settings::default()
    };
    if let Ok(facts) = crate::affiliations::parse(input, &settings) {
        for f in facts {
            if f.identity.is_empty() {
                return Err("a fact without an identity".into());
            }
        }
    }
    Ok(())
}

pub(crate) fn check_config(input: &str) -> Result<(), String> {
    if let Ok(cfg) = crate::config::Config::parse(input) {
        // What parses must survive a round trip and validate again.
        let text = toml::to_string(&cfg).map_err(|e| format!("cannot serialise: {e}"))?;
        let again = crate::config::Config::parse(&text)
            .map_err(|e| format!("round trip refused: {e}\n{text}"))?;
        if again != cfg {
            return Err("round trip changed the config".into());
        }
    }
    Ok(())
}

pub(crate) fn check_graphql(input: &str) -> Result<(), String> {
    use crate::github::convert::{Batch, Conn, ItemNode, StarConn};
    let Ok(v) = serde_json::from_str::<serde_json::Value>(input) else {
        return Ok(());
    };
    for (ptr, kind) in [
        ("/data/repository/issues", crate::domain::ItemKind::Issue),
        ("/data/repository/pullRequests", crate::domain::ItemKind::Pr),
    ] {
        let Some(c) = v.pointer(ptr) else { continue };
        if let Ok(conn) = serde_json::from_value::<Conn<ItemNode>>(c.clone()) {
            let mut b = Batch::default();
            for n in conn.nodes.iter().flatten() {
                b.add_item(n, kind);
                if let Some(c) = &n.comments {
                    b.add_comments(n.number, c);
                }
                if let Some(c) = &n.reviews {
                    b.add_reviews(n.number, c);
                }
                if let Some(c) = &n.commits {
                    b.add_commits(n.number, c);
                }
                if let Some(c) = &n.timeline_items {
                    b.add_timeline(n.number, c);
                }
            }
            let _ = conn.next();
        }
    }
    if let Some(c) = v.pointer("/data/repository/stargazers")
        && let Ok(conn) = serde_json::from_value::<StarConn>(c.clone())
    {
        let mut b = Batch::default();
        for e in conn.edges.iter().flatten() {
            b.add_star(e);
        }
    }
    Ok(())
}

pub(crate) fn check_sanitize(input: &str) -> Result<(), String> {
    use crate::sanitize::{block, csv_cell, inline, is_unsafe};
    if inline(input).chars().any(is_unsafe) {
        return Err("inline let an unsafe character through".into());
    }
    if block(input)
        .chars()
        .any(|c| is_unsafe(c) && c != '\n' && c != '\t')
    {
        return Err("block let an unsafe character through".into());
    }
    let cell = csv_cell(input);
    let bare = cell.strip_prefix('"').unwrap_or(&cell);
    if bare.starts_with(['=', '+', '-', '@', '\t', '\r']) || cell.chars().any(is_unsafe) {
        return Err(format!("csv cell {cell:?}"));
    }
    Ok(())
}

const MESSAGE_SEEDS: &[&str] = &[
    "Fix the parser (#12)\n\nLonger body.\n\nSigned-off-by: Alice <alice@example.com>\nCo-authored-by: Bob <bob@example.com>\n",
    "Merge pull request #7 from bob/topic\n\nTopic",
    "subject only",
    "Revert \"x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n\nReviewed-on: https://gerrit.internal/c/1\nChange-Id: I0123\n(cherry picked from commit abc)\n",
    "",
];

const MAILMAP_SEEDS: &[&str] = &[
    "Alice <alice@example.com> <alice@old.example>\n<bob@example.com> Bob Old <bob@old.example>\n# comment\n",
    "Proper Name <proper@example.com> Commit Name <commit@example.com>\n",
];

const AFFILIATION_SEEDS: &[&str] = &[
    "alice: alice!example.com, alice!corp.example\n\tCorp until 2022-01-01\n\tOther from 2022-01-01 until 2023-06-30\nbob: bob!example.com\n\tCorp\n",
    "# comment\n\ncarol: carol!x.example\n\tIndependent\n",
];

const CONFIG_SEEDS: &[&str] = &[
    crate::config::DEFAULT_CONFIG,
    "inactive_days = 90\nbot_patterns = [\"^ci-\"]\naliases = [[\"alice\", \"alice@example.com\"]]\n[ladder]\nregular_min_merged = 5\n[github]\nmax_wait = \"30m\"\nmax_body_mb = 8\n[tui.keys]\nquit = \"Q\"\n",
];

const GRAPHQL_SEEDS: &[&str] = &[
    r#"{"data":{"rateLimit":{"cost":1,"remaining":4990,"resetAt":"2030-01-01T00:00:00Z"},"repository":{"pullRequests":{"totalCount":1,"pageInfo":{"hasNextPage":true,"endCursor":"Y3Vy"},"nodes":[{"id":"PR_1","number":5,"url":"https://github.com/acme/rocket/pull/5","title":"Add x","body":"b","state":"MERGED","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-02T00:00:00Z","closedAt":"2024-01-02T00:00:00Z","authorAssociation":"CONTRIBUTOR","author":{"__typename":"User","login":"bob","name":"Bob","company":"@corp","databaseId":2},"labels":{"nodes":[{"name":"bug"}]},"comments":{"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"C1","createdAt":"2024-01-01T01:00:00Z","body":"hi","authorAssociation":"MEMBER","author":{"__typename":"Bot","login":"ci[bot]","databaseId":3}}]},"timelineItems":{"totalCount":3,"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"__typename":"MergedEvent","id":"E1","createdAt":"2024-01-02T00:00:00Z","actor":{"__typename":"User","login":"alice","databaseId":1},"commit":{"oid":"abc"}},{"__typename":"LabeledEvent","id":"E2","createdAt":"2024-01-01T00:00:00Z","actor":null,"label":{"name":"bug"}},{"__typename":"CrossReferencedEvent","id":"E3","createdAt":"2024-01-01T00:00:00Z","actor":null,"source":{"__typename":"Issue","number":4,"repository":{"nameWithOwner":"acme/rocket"}}}]},"isDraft":false,"mergedAt":"2024-01-02T00:00:00Z","mergedBy":{"__typename":"User","login":"alice","databaseId":1},"mergeCommit":{"oid":"abc"},"additions":3,"deletions":1,"changedFiles":1,"headRepositoryOwner":{"login":"bob"},"reviews":{"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"R1","state":"APPROVED","submittedAt":"2024-01-01T02:00:00Z","createdAt":"2024-01-01T02:00:00Z","body":"","authorAssociation":"MEMBER","author":{"__typename":"User","login":"alice","databaseId":1}}]},"commits":{"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"commit":{"oid":"abc","author":{"email":"bob@example.com","user":{"login":"bob"}}}}]}}]}}}}"#,
    r#"{"data":{"repository":{"issues":{"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"I_1","number":1,"url":"u","title":"t","body":null,"state":"OPEN","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z","closedAt":null,"authorAssociation":"NONE","author":null,"labels":null,"comments":null,"timelineItems":null}]},"stargazers":{"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null},"edges":[{"starredAt":"2024-01-01T00:00:00Z","node":{"login":"carol","name":null,"company":null,"databaseId":9}}]}}}}"#,
];

const SANITIZE_SEEDS: &[&str] = &["Zoë \u{202e}abc\u{200b}", "=1+1", "\u{1b}]52;c;x\u{7}", "-"];

/// The targets by name, for the replay of saved crashes.
type Check = fn(&str) -> Result<(), String>;
const TARGETS: &[(&str, Check)] = &[
    ("message", check_message),
    ("mailmap", check_mailmap),
    ("affiliations", check_affiliations),
    ("config", check_config),
    ("graphql", check_graphql),
    ("sanitize", check_sanitize),
];

#[test]
fn fuzz_commit_message_and_trailers() {
    fuzz("message", MESSAGE_SEEDS, check_message);
}

#[test]
fn fuzz_mailmap() {
    fuzz("mailmap", MAILMAP_SEEDS, check_mailmap);
}

#[test]
fn fuzz_affiliations() {
    fuzz("affiliations", AFFILIATION_SEEDS, check_affiliations);
}

#[test]
fn fuzz_config() {
    fuzz("config", CONFIG_SEEDS, check_config);
}

#[test]
fn fuzz_graphql_responses() {
    fuzz("graphql", GRAPHQL_SEEDS, check_graphql);
}

#[test]
fn fuzz_sanitize() {
    fuzz("sanitize", SANITIZE_SEEDS, check_sanitize);
}

/// Every input a fuzz run ever saved still passes its target.
#[test]
fn saved_crashes_stay_fixed() {
    let Ok(dir) = std::fs::read_dir(regressions_dir()) else {
        return;
    };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some((target, _)) = name.split_once('-') else {
            continue;
        };
        let Some((_, check)) = TARGETS.iter().find(|(t, _)| *t == target) else {
            panic!("{name}: unknown fuzz target");
        };
        let input = std::fs::read_to_string(e.path()).unwrap_or_default();
        if let Err(why) = check(&input) {
            panic!("{name}: {why}");
        }
    }
}
