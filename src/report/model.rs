//! The analysis result: the `contrail report --format json` contract (SPEC §8) plus the evidence
//! behind every number. The TUI renders the same structure.

use crate::domain::{Rung, Ts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Internal vs external split of a count. `None` when the sources cannot know it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Split<T> {
    pub internal: T,
    pub external: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PeopleCounts {
    pub total: u64,
    pub internal: u64,
    pub external: u64,
    pub bots: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub stage: Rung,
    pub internal: u64,
    pub external: u64,
    /// Ids of the people counted (evidence for drill-down).
    #[serde(default)]
    pub people: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Openness {
    pub commits_total: Option<u64>,
    pub commits_with_public_pr: Option<u64>,
    pub commits_with_internal_review_marker: Option<u64>,
    pub imported_prs: Option<u64>,
    pub unreviewed_merges: Split<Option<u64>>,
    pub median_first_response_hours: Split<Option<f64>>,
    pub pr_acceptance_ratio: Split<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropoffRow {
    pub stage: Rung,
    pub reason: String,
    pub internal: u64,
    pub external: u64,
    #[serde(default)]
    pub people: Vec<String>,
}

/// A pointer to the row behind a number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceRef {
    Item { number: u64 },
    Commit { sha: String },
    Person { id: String },
    Event { id: String },
}

/// When a rung was first reached and what proved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungReached {
    pub at: Ts,
    pub evidence: EvidenceRef,
    /// e.g. "PR #12 merged", "Reviewed-by on 3f2a…", "imported through an internal sync".
    pub why: String,
    #[serde(default)]
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributor {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    /// "internal" or "external", as of the person's latest activity.
    pub affiliation: String,
    /// Why: e.g. "email domain example.com", "MEMBER of example-org on PR #3".
    #[serde(default)]
    pub affiliation_evidence: Vec<String>,
    /// Highest rung reached.
    pub stage: Rung,
    /// Rung name → ISO-8601 time first reached.
    pub stages: BTreeMap<String, String>,
    pub first_seen: String,
    pub last_seen: String,
    /// "active" or "dropped".
    pub status: String,
    pub last_experience: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Report {
    pub repo: Option<String>,
    /// ISO-8601; the newest event in the data unless `--as-of` overrides.
    pub as_of: Option<String>,
    pub people: PeopleCounts,
    pub funnel: Vec<FunnelRow>,
    pub openness: Openness,
    pub dropoffs: Vec<DropoffRow>,
    pub contributors: Vec<Contributor>,
}
