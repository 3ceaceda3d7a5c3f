//! The analysis result: the `contrail report --format json` contract (docs/report.md#json) plus the
//! evidence behind every number. The TUI renders the same structure.
//!
//! Conventions:
//! - times are ISO-8601 strings in UTC (`2024-03-01T12:00:00Z`);
//! - a number a source cannot know is `None` (JSON `null`), never 0;
//! - every count carries the ids behind it: person ids (`login:alice`, `email:a@b.c`), item
//!   numbers, commit shas;
//! - every list is sorted, so the same data always gives byte-identical output.

use crate::domain::Rung;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Internal vs external split of a value. `None` inside when the sources cannot know it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Split<T> {
    pub internal: T,
    pub external: T,
}

/// Which side of the organisation a person was on (at a given time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Affiliation {
    Internal,
    External,
}

impl Affiliation {
    pub fn as_str(self) -> &'static str {
        match self {
            Affiliation::Internal => "internal",
            Affiliation::External => "external",
        }
    }
}

/// docs/definitions.md#drop-off: `dropped` when silent for more than `inactive_days` before as_of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Dropped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Dropped => "dropped",
        }
    }
}

/// docs/definitions.md#drop-off: what happened to a person's last issue/PR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Experience {
    NoResponse,
    SlowResponse,
    ClosedUnmerged,
    ClosedByBot,
    Imported,
    ClaUnsigned,
    Merged,
    Unknown,
}

impl Experience {
    pub const ALL: [Experience; 8] = [
        Experience::NoResponse,
        Experience::SlowResponse,
        Experience::ClosedUnmerged,
        Experience::ClosedByBot,
        Experience::Imported,
        Experience::ClaUnsigned,
        Experience::Merged,
        Experience::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Experience::NoResponse => "no_response",
            Experience::SlowResponse => "slow_response",
            Experience::ClosedUnmerged => "closed_unmerged",
            Experience::ClosedByBot => "closed_by_bot",
            Experience::Imported => "imported",
            Experience::ClaUnsigned => "cla_unsigned",
            Experience::Merged => "merged",
            Experience::Unknown => "unknown",
        }
    }
}

/// A pointer to the row behind a number. In JSON a compact string: `item:12`, `commit:<sha>`,
/// `person:login:alice`, `event:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EvidenceRef {
    Item { number: u64 },
    Commit { sha: String },
    Person { id: String },
    Event { id: String },
}

impl std::fmt::Display for EvidenceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvidenceRef::Item { number } => write!(f, "item:{number}"),
            EvidenceRef::Commit { sha } => write!(f, "commit:{sha}"),
            EvidenceRef::Person { id } => write!(f, "person:{id}"),
            EvidenceRef::Event { id } => write!(f, "event:{id}"),
        }
    }
}

impl std::str::FromStr for EvidenceRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("not an evidence reference: {s:?}"))?;
        Ok(match kind {
            "item" => EvidenceRef::Item {
                number: rest
                    .parse()
                    .map_err(|_| format!("bad item number in {s:?}"))?,
            },
            "commit" => EvidenceRef::Commit { sha: rest.into() },
            "person" => EvidenceRef::Person { id: rest.into() },
            "event" => EvidenceRef::Event { id: rest.into() },
            _ => return Err(format!("unknown evidence kind in {s:?}")),
        })
    }
}

impl Serialize for EvidenceRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EvidenceRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One row behind a signal or a count: what, who, when, and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Hit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The person the hit is about (author of the commit/item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// That person's affiliation at the hit's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<Affiliation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// e.g. "PiperOrigin-RevId", "credit leak: landed with author bob@corp.example".
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Sources {
    /// A git history was imported.
    pub git: bool,
    /// GitHub data was synced.
    pub github: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PeopleCounts {
    pub total: u64,
    pub internal: u64,
    pub external: u64,
    pub bots: u64,
    /// Ids of the bot accounts seen (never on the ladder).
    #[serde(default)]
    pub bot_ids: Vec<String>,
}

/// One funnel row: people who reached `stage`, split by their affiliation *at the rung's date*.
/// `None` for rungs the sources cannot see (observer and participant without GitHub data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub stage: Rung,
    pub internal: Option<u64>,
    pub external: Option<u64>,
    /// Ids of the people counted (evidence for drill-down).
    #[serde(default)]
    pub people: Vec<String>,
    /// The sources that could see this rung (`git`, `github`); empty = unknown.
    #[serde(default)]
    pub seen_by: Vec<String>,
    /// docs/definitions.md#conversion: of the people who reached the previous rung (split by
    /// their affiliation on that rung's date), the share who reached this one too. `None` on
    /// the first rung, where either rung is unknown, or with nobody on the previous rung.
    #[serde(default)]
    pub conversion: Split<Option<f64>>,
    /// Median whole days from first touch to this rung, split like the counts; `None` where
    /// the rung is unknown or nobody reached it.
    #[serde(default)]
    pub median_days: Split<Option<f64>>,
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

/// Dropped people grouped by drop rung (highest rung reached) and last experience.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropoffRow {
    pub stage: Rung,
    pub reason: Experience,
    pub internal: u64,
    pub external: u64,
    #[serde(default)]
    pub people: Vec<String>,
}

/// Dropped people grouped by last experience alone, across rungs above observer (stargazers
/// who never wrote are the audience, not drop-outs); most outsiders first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropoffReason {
    pub reason: Experience,
    pub internal: u64,
    pub external: u64,
    #[serde(default)]
    pub people: Vec<String>,
}

/// docs/definitions.md#triage: an outsider's open issue or PR with no human reply yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    pub item: u64,
    pub kind: crate::domain::ItemKind,
    pub title: String,
    pub url: String,
    /// The author's login.
    pub author: String,
    /// The author's contributor id.
    pub person: Option<String>,
    /// ISO-8601.
    pub opened: String,
    /// Whole days from opening to `as_of`.
    pub waiting_days: i64,
    /// Their first issue or PR here, and nothing of theirs merged yet.
    pub first_timer: bool,
}

/// When a rung was first reached and what proved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungReached {
    pub rung: Rung,
    /// ISO-8601.
    pub at: String,
    /// Whole days since the person's first touch.
    pub days_from_first_touch: i64,
    pub evidence: EvidenceRef,
    /// e.g. "PR #12 merged", "Reviewed-by on 3f2a…", "PR #9 imported through an internal sync".
    pub why: String,
    /// The proof is an outsider PR landed through an internal import.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
    /// The person's affiliation on that date (rung statistics use it).
    pub affiliation: Affiliation,
}

/// Why two identities are the same person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdentityEvidence {
    /// `login:NAME` or `email:ADDRESS`.
    pub identity: String,
    /// e.g. "same email", "noreply address of login alice", "config alias", "authored the
    /// commits of PR #12".
    pub reason: String,
}

/// A span of time with one affiliation, and the facts that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffiliationPeriod {
    pub affiliation: Affiliation,
    /// ISO-8601; `None` = since the beginning.
    pub from: Option<String>,
    /// ISO-8601; `None` = still.
    pub until: Option<String>,
    pub evidence: Vec<String>,
}

/// The detail behind `last_experience`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastExperience {
    pub kind: Experience,
    /// The person's last issue/PR (absent for `unknown` on git-only data).
    pub item: Option<u64>,
    /// Landed commit for `imported`/`merged` when known.
    pub commit: Option<String>,
    /// Who closed/merged it (person id, or bot id).
    pub actor: Option<String>,
    pub opened_at: Option<String>,
    pub first_response_hours: Option<f64>,
    /// Opened → closed or merged.
    pub resolution_hours: Option<f64>,
    /// For `closed_unmerged`: whether a non-author comment explained the close.
    pub explained: Option<bool>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributor {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    /// How the identities were merged into this person.
    #[serde(default)]
    pub identities: Vec<IdentityEvidence>,
    /// As of the person's latest activity.
    pub affiliation: Affiliation,
    /// Why, e.g. "email domain example.com", "MEMBER association on PR #3".
    #[serde(default)]
    pub affiliation_evidence: Vec<String>,
    /// Affiliation over time (an outsider hired midway has two periods).
    #[serde(default)]
    pub affiliation_periods: Vec<AffiliationPeriod>,
    /// Highest rung reached.
    pub stage: Rung,
    /// Rung name → ISO-8601 time first reached.
    pub stages: BTreeMap<String, String>,
    /// Every rung reached, in ladder order, with proof.
    #[serde(default)]
    pub journey: Vec<RungReached>,
    pub first_seen: String,
    pub last_seen: String,
    pub status: Status,
    pub last_experience: Experience,
    pub last_experience_detail: Option<LastExperience>,
    /// The kind of the first contribution (see `doors`), if any.
    pub door: Option<Door>,
    pub issues_opened: u64,
    pub prs_opened: u64,
    pub merged_prs: u64,
    /// Merged contributions counted for `regular`: merged PRs, imported PRs and landed commits
    /// not already counted through their PR.
    pub merged_contributions: u64,
    pub commits: u64,
    /// Reviews submitted on others' PRs (any state) plus review trailers on others' commits.
    pub reviews: u64,
    pub comments: u64,
}

/// One signal (docs/definitions.md#workflow-signals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Name (docs/definitions.md#workflow-signals), e.g. `landed_without_public_pr`.
    pub name: String,
    pub meaning: String,
    /// How many rows show the signal; `None` when the sources cannot know.
    pub count: Option<u64>,
    /// The population `count` is taken from (e.g. non-merge commits, merged PRs).
    pub total: Option<u64>,
    /// count ÷ total.
    pub share: Option<f64>,
    /// `count` split by the author's affiliation at the time.
    pub split: Option<Split<u64>>,
    /// Rows by bots and service accounts: on neither side of `split`.
    #[serde(default)]
    pub bots: Option<u64>,
    /// For the gap signals: the measured value per side (median hours or a ratio).
    pub values: Option<Split<Option<f64>>>,
    /// For the gap signals: external ÷ internal.
    pub ratio: Option<f64>,
    /// The rows behind the count, sorted. For the gap signals the items behind each median
    /// are in `penalty.outsider_vs_insider` (subject = external, baseline = internal).
    pub evidence: Vec<Hit>,
    /// Count per calendar year of the hit (workflows change over time).
    #[serde(default)]
    pub by_year: BTreeMap<String, u64>,
}

/// One side of a comparison: a median or ratio and the items it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Measure {
    pub value: Option<f64>,
    pub n: u64,
    pub items: Vec<u64>,
}

/// `subject ÷ baseline` (e.g. outsiders ÷ insiders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Comparison {
    pub subject: Measure,
    pub baseline: Measure,
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PenaltySet {
    /// Median hours to the first non-author, non-bot human reply.
    pub first_response_hours: Comparison,
    /// merged ÷ (merged + closed unmerged) PRs.
    pub acceptance: Comparison,
    /// Median hours open → merge.
    pub merge_latency_hours: Comparison,
}

/// The outsider penalty: ratios > 1 for times and < 1 for acceptance mean outsiders (or
/// first-timers) are treated worse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Penalty {
    /// subject = external authors, baseline = internal authors.
    pub outsider_vs_insider: PenaltySet,
    /// subject = the author's first PR/issue, baseline = later ones.
    pub first_timer_vs_returning: PenaltySet,
}

/// The kind of someone's first contribution (issue, PR or commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    BugReport,
    Question,
    OtherIssue,
    GoodFirstIssuePr,
    DocsPr,
    TestPr,
    CodePr,
    /// A commit with no PR (git-only data, or a direct push).
    Commit,
}

impl Door {
    pub const ALL: [Door; 8] = [
        Door::BugReport,
        Door::Question,
        Door::OtherIssue,
        Door::GoodFirstIssuePr,
        Door::DocsPr,
        Door::TestPr,
        Door::CodePr,
        Door::Commit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Door::BugReport => "bug_report",
            Door::Question => "question",
            Door::OtherIssue => "other_issue",
            Door::GoodFirstIssuePr => "good_first_issue_pr",
            Door::DocsPr => "docs_pr",
            Door::TestPr => "test_pr",
            Door::CodePr => "code_pr",
            Door::Commit => "commit",
        }
    }
}

/// Entry door → how many of those who came in through it reached `regular`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoorRow {
    pub door: Door,
    pub people: u64,
    pub reached_regular: u64,
    pub share: Option<f64>,
    pub split: Split<u64>,
    pub regular_split: Split<u64>,
    pub people_ids: Vec<String>,
    pub regular_ids: Vec<String>,
}

/// Share of a cohort reaching a rung within a window. Only people whose whole window lies
/// before as_of are `eligible`. Who reached it: the cohort's `people` and their `stages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Window {
    pub reached: u64,
    pub eligible: u64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRung {
    pub rung: Rung,
    pub within_90_days: Window,
    pub within_180_days: Window,
    pub within_365_days: Window,
}

/// People whose first touch fell in `quarter` (e.g. `2024-Q1`), on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// Rungs the sources cannot see (observer, participant on git-only data) are left out.
pub struct Cohort {
    pub quarter: String,
    /// Affiliation at first touch.
    pub affiliation: Affiliation,
    pub size: u64,
    pub people: Vec<String>,
    pub rungs: Vec<CohortRung>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// `None` without GitHub data.
    pub stars: Option<u64>,
    pub new_participants: u64,
    pub new_contributors: u64,
    /// Outsiders taking part for the first time: their first rung above observer (any
    /// issue, comment, PR or commit) falls in this month, and they were outsiders that day.
    #[serde(default)]
    pub new_outsiders: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StarBurst {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub stars: u64,
    /// Median stars per day on days with stars.
    pub baseline: f64,
}

/// docs/definitions.md#gravity: vanity (stars) against gravity (people who take part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Gravity {
    pub stargazers: Option<u64>,
    /// Stargazers who later opened, commented or contributed.
    pub stargazers_participating: Option<u64>,
    pub conversion: Option<f64>,
    pub converted_ids: Vec<String>,
    /// Outsiders who took part at all (the sum of `by_month[].new_outsiders`).
    #[serde(default)]
    pub new_outsiders: u64,
    /// Every calendar month from the first star or participant to `as_of`, gaps included.
    pub by_month: Vec<MonthRow>,
    pub star_bursts: Vec<StarBurst>,
    /// Typo hunts: bursts of one-line docs PRs from first-timers who never returned.
    pub typo_hunt_prs: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Report {
    pub repo: Option<String>,
    /// ISO-8601; the newest event in the data unless `--as-of` overrides.
    pub as_of: Option<String>,
    pub sources: Sources,
    pub people: PeopleCounts,
    /// One row per rung, in ladder order.
    pub funnel: Vec<FunnelRow>,
    pub openness: Openness,
    pub dropoffs: Vec<DropoffRow>,
    /// The drop-offs by last experience alone (rungs above observer).
    #[serde(default)]
    pub dropoff_reasons: Vec<DropoffReason>,
    /// Outsiders' open issues and PRs with no human reply, longest wait first; `None` without
    /// GitHub data (no source can see replies).
    #[serde(default)]
    pub triage: Option<Vec<Waiting>>,
    /// Sorted by id.
    pub contributors: Vec<Contributor>,
    /// In the order of docs/definitions.md#workflow-signals.
    pub signals: Vec<Signal>,
    pub penalty: Penalty,
    /// In `Door::ALL` order.
    pub doors: Vec<DoorRow>,
    /// By quarter, then internal before external.
    pub cohorts: Vec<Cohort>,
    pub gravity: Gravity,
    /// Rising, stuck and helping outsiders, and this period against the previous one.
    #[serde(default)]
    pub devrel: DevRel,
    /// Where insiders come from: `configured`, `inferred` (from history) or `none`.
    pub affiliation_source: AffiliationSource,
    /// The organisation inference behind `affiliation_source`, with its evidence.
    pub affiliation: OrgInference,
    /// Identities that look like one person but are not merged (never merged on a name
    /// alone): accept one to store it as an alias.
    #[serde(default)]
    pub suggested_merges: Vec<SuggestedMerge>,
    /// Commits dated in the future (after their own commit, or far after everything else):
    /// they do not set `as_of`, and their times are counted at `as_of`.
    #[serde(default)]
    pub clock_skew: Vec<Hit>,
}

/// Where the internal/external split comes from (docs/definitions.md, "Inferred organisation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AffiliationSource {
    /// `internal_domains`, `internal_orgs` or an affiliations file.
    Configured,
    /// Domains inferred from the history, not yet confirmed.
    Inferred,
    /// Nothing says who is an insider.
    #[default]
    None,
}

impl AffiliationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AffiliationSource::Configured => "configured",
            AffiliationSource::Inferred => "inferred",
            AffiliationSource::None => "none",
        }
    }
}

/// One candidate organisation domain with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrgDomain {
    pub domain: String,
    /// Internal-workflow commits (markers or synced in) seen with this domain.
    pub internal_commits: u64,
    /// Their share of all internal-workflow commits, in percent.
    pub share_percent: u64,
    /// Distinct people seen on the domain in that evidence (authors and gate holders).
    pub people: u64,
    /// Meets the inference rule.
    pub inferred: bool,
    /// Listed in `rejected_domains`.
    pub rejected: bool,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrgInference {
    pub source: AffiliationSource,
    /// Domains applied as internal because they were inferred (empty when configured).
    pub domains: Vec<String>,
    /// One sentence for the screen, e.g. "insiders inferred from google.com: 2689 commits
    /// synced in by copybara-worker@google.com".
    pub summary: String,
    pub internal_workflow_commits: u64,
    /// The best candidates, inferred first.
    pub candidates: Vec<OrgDomain>,
}

/// Two or more people who may be one (docs/definitions.md, "Suggested merges").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SuggestedMerge {
    /// Person ids, sorted.
    pub ids: Vec<String>,
    pub name: String,
    /// e.g. "same full name; one address is unroutable (bob@laptop.local)".
    pub reason: String,
    pub evidence: Vec<String>,
}

impl Report {
    /// The signal named `name`, if present.
    pub fn signal(&self, name: &str) -> Option<&Signal> {
        self.signals.iter().find(|s| s.name == name)
    }

    /// The contributor with id `id`, if present.
    pub fn contributor(&self, id: &str) -> Option<&Contributor> {
        self.contributors
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.contributors[i])
    }
}

/// The DevRel lists (docs/devrel.md): who is climbing, who waits on the project, who helps —
/// each as of `as_of`, ranked best first, each entry with the rows behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DevRel {
    /// The "recent" window of `rising` and the length of a compared period, in days.
    pub window_days: u32,
    pub rising: Vec<Rising>,
    /// Oldest wait first.
    pub stuck: Vec<Stuck>,
    pub helpers: Vec<Helper>,
    /// This period against the one before it; `None` on an empty dataset.
    pub compare: Option<PeriodCompare>,
}

/// An outsider climbing faster than their cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rising {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    pub stage: Rung,
    /// One sentence with the numbers behind the rank.
    pub why: String,
    /// Merged contributions, reviews and answers of the recent window.
    pub evidence: Vec<EvidenceRef>,
    /// What they have not done yet, e.g. "first review", "3rd merged PR in a 2nd month".
    pub next_rung: String,
    /// The rank's score (docs/devrel.md gives the formula).
    pub score: u64,
    /// Merged contributions landed in the window (one-line PRs counted apart in `trivial`).
    pub merged_recent: u64,
    pub trivial_recent: u64,
    pub reviews_recent: u64,
    pub answers_recent: u64,
    pub issues_recent: u64,
    /// Distinct calendar months with activity in the window.
    pub months_recent: u64,
    /// Days from first touch to `stage`.
    pub days_to_stage: Option<i64>,
    /// The quarter of first touch, and the median days its outsiders took to reach `stage`
    /// (all outsiders when fewer than three of the quarter got there).
    pub cohort: Option<String>,
    pub cohort_median_days: Option<f64>,
    pub first_seen: String,
    pub last_seen: String,
}

/// Why an outsider's latest issue or PR waits on the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StuckReason {
    /// No reply from anyone but the author and bots.
    NoReply,
    /// A CLA bot asked and the CLA was never signed.
    ClaUnsigned,
    /// Replies came but no review; the author spoke last.
    ReviewNotGiven,
    /// Approved but not merged.
    ApprovedNotMerged,
}

impl StuckReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StuckReason::NoReply => "no_reply",
            StuckReason::ClaUnsigned => "cla_unsigned",
            StuckReason::ReviewNotGiven => "review_not_given",
            StuckReason::ApprovedNotMerged => "approved_not_merged",
        }
    }
}

/// Someone who could unblock a stuck item, from who handled similar items before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unblocker {
    pub id: String,
    pub name: String,
    /// How many similar items they reviewed, merged or answered.
    pub count: u64,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stuck {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    pub stage: Rung,
    pub status: Status,
    pub item: u64,
    pub kind: crate::domain::ItemKind,
    pub title: String,
    pub url: String,
    /// ISO-8601: since when the item waits on the project.
    pub waiting_since: String,
    pub waiting_days: i64,
    pub reason: StuckReason,
    pub why: String,
    pub evidence: Vec<EvidenceRef>,
    /// Best first.
    pub unblockers: Vec<Unblocker>,
}

/// An outsider who answers other people's issues and reviews their PRs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Helper {
    pub id: String,
    pub name: String,
    pub logins: Vec<String>,
    pub stage: Rung,
    /// Comments on other people's issues and PRs.
    pub answers: u64,
    /// Reviews of other people's PRs.
    pub reviews: u64,
    /// Items where theirs was the first human reply.
    pub first_responses: u64,
    /// Distinct people helped.
    pub people_helped: u64,
    /// Items helped on, newest first (at most three).
    pub examples: Vec<u64>,
    pub why: String,
    pub evidence: Vec<EvidenceRef>,
}

/// Which way a number moved from the previous period to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Flat,
    /// One side is unknown.
    Unknown,
}

impl Trend {
    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "↑",
            Trend::Down => "↓",
            Trend::Flat => "→",
            Trend::Unknown => "–",
        }
    }
}

/// One measure of this period against the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// Stable name, e.g. `new_outsiders`, `reached_merged`, `first_response_ratio`.
    pub metric: String,
    pub label: String,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    pub trend: Trend,
    /// Whether the move is good news (`None`: flat or unknown).
    pub better: Option<bool>,
    /// Person ids or item numbers (`item:N`) behind `current`.
    pub current_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodCompare {
    /// ISO-8601 bounds: the current period is (`from`, `to`], the previous one
    /// (`previous_from`, `from`].
    pub from: String,
    pub to: String,
    pub previous_from: String,
    pub rows: Vec<CompareRow>,
}
