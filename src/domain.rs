//! Plain types shared by every layer: what the store holds and what analysis reads.
//!
//! Times are Unix seconds (UTC). Logins keep GitHub's spelling; comparisons are
//! case-insensitive (the store uses `COLLATE NOCASE`).

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Unix seconds, UTC.
pub type Ts = i64;

/// The ladder (docs/definitions.md#ladder), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    Observer,
    Participant,
    Contributor,
    Merged,
    Regular,
    Reviewer,
    Maintainer,
}

impl Rung {
    pub const ALL: [Rung; 7] = [
        Rung::Observer,
        Rung::Participant,
        Rung::Contributor,
        Rung::Merged,
        Rung::Regular,
        Rung::Reviewer,
        Rung::Maintainer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rung::Observer => "observer",
            Rung::Participant => "participant",
            Rung::Contributor => "contributor",
            Rung::Merged => "merged",
            Rung::Regular => "regular",
            Rung::Reviewer => "reviewer",
            Rung::Maintainer => "maintainer",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Rung {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a commit is tied to a public pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrVia {
    /// Subject ends with `(#N)` (squash merge).
    Squash,
    /// `Merge pull request #N from …` (the merge commit itself).
    MergeCommit,
    /// Reached through the second parent of a `Merge pull request #N` commit.
    MergedBranch,
    /// `Pull Request resolved: …/pull/N` (Phabricator/ShipIt import).
    Resolved,
    /// The GitHub API lists this commit as belonging to the PR.
    Api,
}

impl PrVia {
    pub fn as_str(self) -> &'static str {
        match self {
            PrVia::Squash => "squash",
            PrVia::MergeCommit => "merge_commit",
            PrVia::MergedBranch => "merged_branch",
            PrVia::Resolved => "resolved",
            PrVia::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<PrVia> {
        Some(match s {
            "squash" => PrVia::Squash,
            "merge_commit" => PrVia::MergeCommit,
            "merged_branch" => PrVia::MergedBranch,
            "resolved" => PrVia::Resolved,
            "api" => PrVia::Api,
            _ => return None,
        })
    }
}

/// One commit reachable from the default branch head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Commit {
    pub sha: String,
    /// Position in the import walk (0 = HEAD); stable ordering for display.
    pub seq: i64,
    /// Author after `.mailmap`.
    pub author_name: String,
    pub author_email: String,
    /// Author as written in the commit, before `.mailmap`.
    pub raw_author_email: String,
    pub author_time: Ts,
    pub committer_name: String,
    pub committer_email: String,
    pub committer_time: Ts,
    pub subject: String,
    pub message: String,
    pub parent_count: u32,
    /// The public PR the commit came through, if its history says so.
    pub pr_number: Option<u64>,
    pub pr_via: Option<PrVia>,
    /// `Imported from GitHub PR …/pull/N`: an outsider's PR landed through an internal import.
    pub imported_pr: Option<u64>,
    /// Committer differs from author (GitHub's web-flow committer does not count).
    pub applied_by_other: bool,
    /// Internal review markers found (e.g. `PiperOrigin-RevId`, `Differential Revision`).
    pub markers: Vec<String>,
    /// Trailers in message order: (key as written, value).
    pub trailers: Vec<(String, String)>,
}

impl Commit {
    pub fn is_merge(&self) -> bool {
        self.parent_count > 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Issue,
    Pr,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Issue => "issue",
            ItemKind::Pr => "pr",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "issue" => Some(ItemKind::Issue),
            "pr" => Some(ItemKind::Pr),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Closed,
    Merged,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Closed => "closed",
            ItemState::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ItemState::Open),
            "closed" => Some(ItemState::Closed),
            "merged" => Some(ItemState::Merged),
            _ => None,
        }
    }
}

/// A GitHub issue or pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub number: u64,
    pub kind: ItemKind,
    pub url: String,
    pub title: String,
    pub body: String,
    /// Author login; GitHub's `ghost` for deleted users.
    pub author: Option<String>,
    /// `authorAssociation` as seen when fetched (describes fetch time, not creation time).
    pub author_association: Option<String>,
    pub state: ItemState,
    pub is_draft: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub closed_at: Option<Ts>,
    pub merged_at: Option<Ts>,
    pub merged_by: Option<String>,
    pub merge_commit_sha: Option<String>,
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
    pub changed_files: Option<i64>,
    pub labels: Vec<String>,
    /// Owner of the PR's head repository (a fork's owner for outside PRs).
    pub head_repo_owner: Option<String>,
}

/// What happened, typed. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Star,
    Fork,
    /// Conversation comment on an issue or PR.
    Comment,
    /// A submitted PR review; `state` holds APPROVED / CHANGES_REQUESTED / COMMENTED / DISMISSED.
    Review,
    /// An inline review comment.
    ReviewComment,
    Closed,
    Reopened,
    Merged,
    Labeled,
    Unlabeled,
    Assigned,
    CrossReferenced,
    /// A commit referenced the item (`target` = sha).
    Referenced,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Star => "star",
            EventKind::Fork => "fork",
            EventKind::Comment => "comment",
            EventKind::Review => "review",
            EventKind::ReviewComment => "review_comment",
            EventKind::Closed => "closed",
            EventKind::Reopened => "reopened",
            EventKind::Merged => "merged",
            EventKind::Labeled => "labeled",
            EventKind::Unlabeled => "unlabeled",
            EventKind::Assigned => "assigned",
            EventKind::CrossReferenced => "cross_referenced",
            EventKind::Referenced => "referenced",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        const ALL: [EventKind; 13] = [
            EventKind::Star,
            EventKind::Fork,
            EventKind::Comment,
            EventKind::Review,
            EventKind::ReviewComment,
            EventKind::Closed,
            EventKind::Reopened,
            EventKind::Merged,
            EventKind::Labeled,
            EventKind::Unlabeled,
            EventKind::Assigned,
            EventKind::CrossReferenced,
            EventKind::Referenced,
        ];
        ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A timestamped act by someone on the repository or one of its items.
///
/// A large repository has millions of events, so their text is 16 bytes inline: `Box<str>` for
/// the id and body (unique per event) and `Arc<str>` for the rest, so the store's loader shares
/// one allocation among the events with the same actor, association, state or target. Build
/// any of them from a `&str` or `String` with `.into()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Stable id from the source (GitHub node id, or e.g. `star:LOGIN`), so re-imports upsert.
    pub id: Box<str>,
    pub kind: EventKind,
    /// The issue/PR number; `None` for repository-level events (stars, forks).
    pub item: Option<u64>,
    /// Actor login; `None` when the source does not say.
    pub actor: Option<Arc<str>>,
    pub at: Ts,
    /// `authorAssociation` of the actor on this event, when the source gives one.
    pub association: Option<Arc<str>>,
    /// Review state, or a close's `stateReason`.
    pub state: Option<Arc<str>>,
    pub body: Option<Box<str>>,
    /// Label name, assignee login, commit sha or cross-reference source, by kind.
    pub target: Option<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserKind {
    User,
    Bot,
    Mannequin,
    Organization,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::User => "User",
            UserKind::Bot => "Bot",
            UserKind::Mannequin => "Mannequin",
            UserKind::Organization => "Organization",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "User" => Some(UserKind::User),
            "Bot" => Some(UserKind::Bot),
            "Mannequin" => Some(UserKind::Mannequin),
            "Organization" => Some(UserKind::Organization),
            _ => None,
        }
    }
}

/// A GitHub account as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    pub kind: UserKind,
    pub name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub database_id: Option<i64>,
}

/// Evidence from a source that a git email belongs to a GitHub login
/// (e.g. the API's commit `author.user.login`, or a PR's commits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityLink {
    pub email: String,
    pub login: String,
    /// Human-readable reason, e.g. "authored the commits of PR #12".
    pub reason: String,
}

/// A dated affiliation fact (gitdm file or config), kept with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffiliationFact {
    /// `email:ADDRESS`, `login:NAME` or `domain:DOMAIN`.
    pub identity: String,
    pub org: String,
    /// Whether `org` is one of the configured internal organisations.
    pub internal: bool,
    pub from: Option<Ts>,
    pub until: Option<Ts>,
    /// Where the fact came from, e.g. "affiliations file line 12".
    pub source: String,
}

/// A user's note and tags on a person (keyed by the person's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Note {
    pub person: String,
    pub text: String,
    pub tags: Vec<String>,
    pub updated_at: Ts,
}

/// Everything the database holds about one repository, in memory.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// OWNER/NAME when known.
    pub repo: Option<String>,
    /// Whether a git history was imported / a GitHub sync ran (unknown numbers are `null`).
    pub has_git: bool,
    pub has_github: bool,
    /// Commits reachable from the default branch head, newest first (by `seq`).
    pub commits: Vec<Commit>,
    /// Issues and PRs by number order.
    pub items: Vec<Item>,
    /// PR number → commit shas the API lists for it.
    pub item_commits: std::collections::BTreeMap<u64, Vec<String>>,
    /// All events, in id order (not time order: sort a copy if you need one).
    pub events: Vec<Event>,
    pub users: Vec<User>,
    /// (org, login) pairs of visible org members.
    pub org_members: Vec<(String, String)>,
    pub identity_links: Vec<IdentityLink>,
    pub affiliations: Vec<AffiliationFact>,
    /// Analysis settings recorded at sync time (key → TOML/JSON value).
    pub settings: std::collections::BTreeMap<String, String>,
    pub notes: Vec<Note>,
}

/// A fast, non-cryptographic hasher for the analysis's hot maps (logins, item numbers): the
/// keys come from the user's own database, so resistance to hash flooding is not needed.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;
