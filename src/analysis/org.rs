//! The organisation behind a repository, inferred from history alone (docs/definitions.md,
//! "Inferred organisation"). Most users first run contrail on a clone with nothing configured;
//! the history usually shows who the organisation is:
//!
//! - the domain of the accounts that sync commits in from an internal repository (a Copybara or
//!   ShipIt committer, a bot committer of commits that carry internal-review markers);
//! - the corporate domains of the people whose commits carry internal-review markers
//!   (`PiperOrigin-RevId`, `Differential Revision`, …): they land through review outsiders
//!   cannot follow.
//!
//! Gate holders' domains (committers of others' work, reviewers in trailers) are reported as
//! supporting evidence only: a community project's maintainers often share an employer without
//! the project having any internal workflow. With no internal workflow in the history (fewer
//! than [`MIN_INTERNAL_COMMITS`] commits with markers or synced in, or under 2 %), nothing is
//! inferred, and the report says so.
//!
//! Webmail, forwarding and noreply domains never stand for an organisation. A domain must be
//! seen on at least [`MIN_PEOPLE`] people (or on a sync account) and carry at least
//! [`MIN_SHARE_PERCENT`] % of the internal-workflow commits, or be used by at least
//! [`MIN_PEOPLE_MINOR`] people for at least 2 %. Several domains can qualify: an
//! organisation that renamed its domain (fb.com → meta.com) comes out as one organisation with
//! both.

use super::Ctx;
use crate::analysis::model::{AffiliationSource, OrgDomain, OrgInference};
use std::collections::{BTreeMap, BTreeSet};

/// Fewest commits with internal-review markers, synced in by a service account, or merged from
/// a branch in the organisation's own namespace, for an internal workflow to count.
pub const MIN_INTERNAL_COMMITS: u64 = 5;
/// Distinct people a domain must be seen on (unless a sync account uses it).
pub const MIN_PEOPLE: usize = 2;
/// Share of the internal-workflow commits a domain must carry.
pub const MIN_SHARE_PERCENT: u64 = 10;
/// A domain with a smaller share (at least 2 %) still qualifies when this many people use it
/// (an organisation's older or regional domain beside its main one).
pub const MIN_PEOPLE_MINOR: usize = 10;

/// Domains of webmail, forwarding and address-hiding services: never an organisation.
const PERSONAL_DOMAINS: &[&str] = &[
    "126.com",
    "139.com",
    "163.com",
    "aliyun.com",
    "aol.com",
    "fastmail.com",
    "fastmail.fm",
    "foxmail.com",
    "gmail.com",
    "gmx.at",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "naver.com",
    "outlook.com",
    "pm.me",
    "pobox.com",
    "posteo.de",
    "posteo.net",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "sina.com",
    "tutanota.com",
    "users.noreply.github.com",
    "noreply.github.com",
    "github.com",
    "web.de",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// The organisation's part of a host name: the last two labels, or three under a two-letter
/// country code's generic second level (`corp.example.co.uk` → `example.co.uk`), so a
/// developer machine's address (`me@devvm12.frc2.example.com`) counts for `example.com`.
pub fn registrable(domain: &str) -> &str {
    let labels: Vec<&str> = domain.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3
        && labels[n - 1].len() == 2
        && matches!(
            labels[n - 2],
            "co" | "com" | "ac" | "org" | "net" | "gov" | "edu" | "ne" | "or"
        ) {
        3
    } else {
        2
    };
    if n <= keep {
        return domain;
    }
    let start = labels[..n - keep]
        .iter()
        .map(|l| l.len() + 1)
        .sum::<usize>();
    &domain[start..]
}

/// The organisation domain of an address, lowercase; `None` for personal, unroutable or
/// malformed ones.
pub fn org_domain(email: &str) -> Option<String> {
    let (_, d) = email.trim().rsplit_once('@')?;
    let d = d
        .trim_end_matches('>')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let d = registrable(&d).to_string();
    let personal = PERSONAL_DOMAINS.contains(&d.as_str())
        || d.starts_with("yahoo.")
        || d.starts_with("hotmail.")
        || d.starts_with("outlook.")
        || d.starts_with("live.");
    let unroutable = !d.contains('.')
        || d.ends_with(".local")
        || d.ends_with(".localdomain")
        || d.ends_with(".lan")
        || d.ends_with(".internal")
        || d == "localhost"
        || d.contains("(none)");
    (!d.is_empty() && !personal && !unroutable).then_some(d)
}

#[derive(Default)]
struct Tally {
    /// Internal-workflow commits (by index) seen with this domain.
    commits: BTreeSet<usize>,
    marker_authors: BTreeSet<usize>,
    sync_commits: u64,
    sync_accounts: BTreeSet<String>,
    marker_commits: u64,
    /// PR branches pushed to the organisation's namespace, and the namespaces.
    org_branches: u64,
    owners: BTreeSet<String>,
    gate: u64,
    people: BTreeSet<usize>,
}

/// Infer the organisation's domains from the history (see the module docs). `configured` says
/// whether the user's settings already name the organisation; then nothing is applied, but the
/// candidates are still reported.
pub(crate) fn infer(ctx: &Ctx) -> OrgInference {
    let s = ctx.settings;
    let ds = ctx.ds;
    let configured = !s.internal_domains.is_empty()
        || !s.internal_orgs.is_empty()
        || !ds.affiliations.is_empty();
    let rejected: BTreeSet<String> = s
        .rejected_domains
        .iter()
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .collect();

    let mut tally: BTreeMap<String, Tally> = BTreeMap::new();
    let mut internal_commits = 0u64;
    let mut non_merge = 0u64;
    for (ci, c) in ds.commits.iter().enumerate() {
        if c.is_merge() {
            // A branch pushed to the organisation's own namespace ("Merge pull request #N from
            // ORG/branch", ORG not a person): its author has push access to the repository.
            if let Some(m) = ctx.merges.get(&ci)
                && !m.head_is_person
                && let Some((name, email)) = &m.branch_author
                && let Some(d) = org_domain(email)
            {
                internal_commits += 1;
                let t = tally.entry(d).or_default();
                t.commits.insert(ci);
                t.org_branches += 1;
                t.owners.insert(m.head_owner.clone());
                if let Some(p) = ctx.people.by_git_identity(name, email) {
                    t.people.insert(p);
                }
            }
            continue;
        }
        non_merge += 1;
        let committer_bot = ctx.commit_committer[ci].is_some_and(|p| ctx.people.is_bot(p));
        let synced = c.markers.iter().any(|m| m == "sync_committer")
            || (committer_bot && !c.markers.is_empty());
        let marked = c
            .markers
            .iter()
            .any(|m| m != "sync_committer" && m != "sync_message");
        if synced || marked {
            internal_commits += 1;
        }
        if synced && let Some(d) = org_domain(&c.committer_email) {
            let t = tally.entry(d).or_default();
            t.commits.insert(ci);
            t.sync_commits += 1;
            t.sync_accounts
                .insert(c.committer_email.to_ascii_lowercase());
        }
        let author = ctx.commit_author[ci];
        let author_bot = author.is_some_and(|p| ctx.people.is_bot(p));
        if (synced || marked)
            && let Some(d) = org_domain(&c.author_email)
        {
            let t = tally.entry(d).or_default();
            t.commits.insert(ci);
            t.marker_commits += 1;
            if let Some(p) = author.filter(|_| !author_bot) {
                t.marker_authors.insert(p);
                t.people.insert(p);
            }
        }
        // Gate holders: a human committer of someone else's commit.
        if c.applied_by_other
            && !committer_bot
            && let Some(d) = org_domain(&c.committer_email)
        {
            let t = tally.entry(d).or_default();
            t.gate += 1;
            if let Some(p) = ctx.commit_committer[ci] {
                t.people.insert(p);
            }
        }
    }

    let enough = internal_commits >= MIN_INTERNAL_COMMITS && internal_commits * 50 >= non_merge;
    let mut candidates: Vec<OrgDomain> = tally
        .iter()
        .filter(|(_, t)| !t.commits.is_empty() || t.gate > 0)
        .map(|(d, t)| {
            let share = (t.commits.len() as u64 * 100)
                .checked_div(internal_commits)
                .unwrap_or(0);
            let qualifies = enough
                && ((share >= MIN_SHARE_PERCENT
                    && (t.people.len() >= MIN_PEOPLE || !t.sync_accounts.is_empty()))
                    || (share >= 2 && t.people.len() >= MIN_PEOPLE_MINOR));
            let mut evidence = Vec::new();
            if t.sync_commits > 0 {
                evidence.push(format!(
                    "{} commits synced in by {}",
                    t.sync_commits,
                    t.sync_accounts
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if t.marker_commits > 0 {
                evidence.push(format!(
                    "{} commits with internal-review markers authored by {} people on {d}",
                    t.marker_commits,
                    t.marker_authors.len()
                ));
            }
            if t.org_branches > 0 {
                evidence.push(format!(
                    "{} PRs from branches in the {} namespace written by people on {d}",
                    t.org_branches,
                    t.owners.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if t.gate > 0 {
                evidence.push(format!(
                    "{} commits of others committed by people on {d}",
                    t.gate
                ));
            }
            OrgDomain {
                domain: d.clone(),
                internal_commits: t.commits.len() as u64,
                share_percent: share,
                people: t.people.len() as u64,
                inferred: qualifies,
                rejected: rejected.contains(d),
                evidence,
            }
        })
        .collect();
    candidates.sort_by(|a, b| {
        (b.inferred, b.internal_commits, b.people)
            .cmp(&(a.inferred, a.internal_commits, a.people))
            .then(a.domain.cmp(&b.domain))
    });
    candidates.truncate(10);

    let applied: Vec<String> = candidates
        .iter()
        .filter(|c| c.inferred && !c.rejected && !configured)
        .map(|c| c.domain.clone())
        .collect();
    let source = if configured {
        AffiliationSource::Configured
    } else if !applied.is_empty() {
        AffiliationSource::Inferred
    } else {
        AffiliationSource::None
    };
    let summary = match source {
        AffiliationSource::Configured => "insiders from your configuration".to_string(),
        AffiliationSource::Inferred => {
            let lead = candidates.iter().find(|c| applied.contains(&c.domain));
            format!(
                "insiders inferred from {}{}",
                applied.join(" + "),
                lead.and_then(|c| c.evidence.first())
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )
        }
        AffiliationSource::None if candidates.iter().any(|c| c.inferred && c.rejected) => {
            format!(
                "no organisation applied: you rejected {}",
                candidates
                    .iter()
                    .filter(|c| c.inferred && c.rejected)
                    .map(|c| c.domain.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        AffiliationSource::None if !enough => format!(
            "no organisation inferred: {internal_commits} of {non_merge} commits show an internal workflow (markers or a sync account)"
        ),
        AffiliationSource::None => {
            "no organisation inferred: no corporate domain carries the internal workflow"
                .to_string()
        }
    };
    OrgInference {
        source,
        domains: applied,
        summary,
        internal_workflow_commits: internal_commits,
        candidates,
    }
}
