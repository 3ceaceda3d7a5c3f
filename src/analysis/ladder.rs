//! The ladder (docs/definitions.md#ladder): for every person, the first time they met each rung's
//! test and the row that proved it. Rungs are independent tests, so a person may review before
//! merging.

use super::Ctx;
use super::items::ItemFacts;
use super::people::{same_name, trailer_email, trailer_name};
use crate::analysis::model::{Door, EvidenceRef};
use crate::domain::{EventKind, Item, ItemKind, ItemState, Rung, Ts};
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct RungHit {
    pub at: Ts,
    pub evidence: EvidenceRef,
    pub why: String,
    pub imported: bool,
}

/// A merged contribution: a PR (merged or imported) or a landed commit without a PR.
#[derive(Debug, Clone)]
struct Contribution {
    at: Ts,
    key: String,
    evidence: EvidenceRef,
    imported: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Journey {
    pub rungs: [Option<RungHit>; 7],
    pub first_seen: Option<Ts>,
    pub last_seen: Option<Ts>,
    contributions: Vec<Contribution>,
    pub merged_contributions: u64,
    pub issues_opened: u64,
    pub prs_opened: u64,
    pub merged_prs: u64,
    pub commits: u64,
    pub reviews: u64,
    pub comments: u64,
    /// Items the person opened (indices into `ds.items`).
    pub authored: Vec<usize>,
    /// First contribution: (time, door, evidence).
    pub door: Option<(Ts, Door, EvidenceRef)>,
    pub starred_at: Option<Ts>,
    /// Distinct merged contributions, first landing first: (time, key, evidence).
    pub merged_log: Vec<(Ts, String, EvidenceRef)>,
}

impl Journey {
    fn touch(&mut self, at: Ts) {
        self.first_seen = Some(self.first_seen.map_or(at, |f| f.min(at)));
        self.last_seen = Some(self.last_seen.map_or(at, |l| l.max(at)));
    }

    /// Record that `rung` was met at `at`; keeps the earliest (ties: the smallest evidence).
    fn offer(&mut self, rung: Rung, at: Ts, make: impl FnOnce() -> (EvidenceRef, String, bool)) {
        let slot = &mut self.rungs[rung.index()];
        if slot.as_ref().is_some_and(|h| h.at < at) {
            return;
        }
        let (evidence, why, imported) = make();
        if slot
            .as_ref()
            .is_some_and(|h| h.at == at && h.evidence <= evidence)
        {
            return;
        }
        *slot = Some(RungHit {
            at,
            evidence,
            why,
            imported,
        });
    }

    fn door(&mut self, at: Ts, door: Door, evidence: EvidenceRef) {
        if self
            .door
            .as_ref()
            .is_none_or(|(t, _, e)| (at, &evidence) < (*t, e))
        {
            self.door = Some((at, door, evidence));
        }
    }

    pub fn stage(&self) -> Option<Rung> {
        Rung::ALL
            .into_iter()
            .rev()
            .find(|r| self.rungs[r.index()].is_some())
    }

    pub fn reached(&self, r: Rung) -> Option<&RungHit> {
        self.rungs[r.index()].as_ref()
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

fn item_ref(n: u64) -> EvidenceRef {
    EvidenceRef::Item { number: n }
}

fn commit_ref(sha: &str) -> EvidenceRef {
    EvidenceRef::Commit {
        sha: sha.to_string(),
    }
}

/// What kind of first contribution an item is (docs/definitions.md#doors).
pub fn door_of_item(ctx: &Ctx, it: &Item, good_first: &BTreeSet<u64>) -> Door {
    let labels = it
        .labels
        .iter()
        .map(|l| l.to_lowercase())
        .collect::<Vec<_>>();
    let has = |w: &str| labels.iter().any(|l| l.contains(w));
    match it.kind {
        ItemKind::Issue => {
            if has("question") || has("support") {
                Door::Question
            } else if has("bug") || ctx.pats.bug_title.is_match(&it.title) {
                Door::BugReport
            } else if ctx.pats.question_title.is_match(&it.title) {
                Door::Question
            } else {
                Door::OtherIssue
            }
        }
        ItemKind::Pr => {
            let closes_gfi = ctx
                .pats
                .closes
                .captures_iter(&it.body)
                .filter_map(|c| c[1].parse::<u64>().ok())
                .any(|n| good_first.contains(&n));
            if has("good first issue") || has("good-first-issue") || closes_gfi {
                Door::GoodFirstIssuePr
            } else {
                door_of_title(ctx, &it.title, has("doc"), has("test"))
            }
        }
    }
}

fn door_of_title(ctx: &Ctx, title: &str, docs_label: bool, test_label: bool) -> Door {
    if docs_label || ctx.pats.docs_title.is_match(title) {
        Door::DocsPr
    } else if test_label || ctx.pats.test_title.is_match(title) {
        Door::TestPr
    } else {
        Door::CodePr
    }
}

pub fn good_first_issues(ds: &crate::domain::Dataset) -> BTreeSet<u64> {
    ds.items
        .iter()
        .filter(|it| {
            it.kind == ItemKind::Issue
                && it.labels.iter().any(|l| {
                    let l = l.to_lowercase();
                    l.contains("good first issue") || l.contains("good-first-issue")
                })
        })
        .map(|it| it.number)
        .collect()
}

const MAINTAINER_ASSOC: [&str; 2] = ["COLLABORATOR", "OWNER"];

/// Every person's journey (index = person index). Bots get an empty journey.
pub fn journeys(ctx: &Ctx, items: &[ItemFacts]) -> Vec<Journey> {
    let ds = ctx.ds;
    let people = &ctx.people;
    let mut j: Vec<Journey> = vec![Journey::default(); people.persons.len()];
    let human = |p: Option<usize>| p.filter(|&p| !people.is_bot(p));
    let good_first = good_first_issues(ds);
    let usernames = usernames(people);

    // Events.
    for (ei, e) in ds.events.iter().enumerate() {
        let Some(p) = human(ctx.actor_of(ei)) else {
            continue;
        };
        let jp = &mut j[p];
        jp.touch(e.at);
        let item = ctx.item_of(ei).map(|i| (e.item.unwrap_or(0), i));
        let others = item.is_some_and(|(_, i)| items[i].author.is_some_and(|a| a != p));
        let n = e.item.unwrap_or(0);
        let eref = || EvidenceRef::Event {
            id: e.id.to_string(),
        };
        match e.kind {
            EventKind::Star | EventKind::Fork => {
                if e.kind == EventKind::Star {
                    jp.starred_at = Some(jp.starred_at.map_or(e.at, |s| s.min(e.at)));
                }
                jp.offer(Rung::Observer, e.at, || {
                    (
                        eref(),
                        format!(
                            "{} the repository",
                            if e.kind == EventKind::Star {
                                "starred"
                            } else {
                                "forked"
                            }
                        ),
                        false,
                    )
                });
            }
            EventKind::Comment | EventKind::ReviewComment => {
                jp.comments += 1;
                jp.offer(Rung::Participant, e.at, || {
                    (eref(), format!("commented on #{n}"), false)
                });
            }
            EventKind::Review => {
                if others {
                    jp.reviews += 1;
                }
                jp.offer(Rung::Participant, e.at, || {
                    (eref(), format!("reviewed #{n}"), false)
                });
                let state = e.state.as_deref().unwrap_or_default();
                if others && (state == "APPROVED" || state == "CHANGES_REQUESTED") {
                    jp.offer(Rung::Reviewer, e.at, || {
                        (
                            eref(),
                            format!(
                                "{} someone else's PR #{n}",
                                if state == "APPROVED" {
                                    "approved"
                                } else {
                                    "requested changes on"
                                }
                            ),
                            false,
                        )
                    });
                }
            }
            EventKind::Merged | EventKind::Closed | EventKind::Labeled if others => {
                let verb = match e.kind {
                    EventKind::Merged => "merged",
                    EventKind::Closed => "closed",
                    _ => "labeled",
                };
                jp.offer(Rung::Maintainer, e.at, || {
                    (eref(), format!("{verb} someone else's #{n}"), false)
                });
            }
            _ => {}
        }
        if let Some(a) = e.association.as_deref()
            && MAINTAINER_ASSOC.contains(&a)
        {
            jp.offer(Rung::Maintainer, e.at, || {
                (eref(), format!("{a} association"), false)
            });
        }
    }

    // Items.
    for (ii, it) in ds.items.iter().enumerate() {
        let f = &items[ii];
        if let Some(p) = human(f.author) {
            let jp = &mut j[p];
            let n = it.number;
            jp.touch(it.created_at);
            jp.authored.push(ii);
            jp.door(
                it.created_at,
                door_of_item(ctx, it, &good_first),
                item_ref(n),
            );
            match it.kind {
                ItemKind::Issue => {
                    jp.issues_opened += 1;
                    jp.offer(Rung::Participant, it.created_at, || {
                        (item_ref(n), format!("opened issue #{n}"), false)
                    });
                }
                ItemKind::Pr => {
                    jp.prs_opened += 1;
                    jp.offer(Rung::Contributor, it.created_at, || {
                        (item_ref(n), format!("opened PR #{n}"), false)
                    });
                    if let (ItemState::Merged, Some(at)) = (it.state, it.merged_at) {
                        jp.merged_prs += 1;
                        jp.offer(Rung::Merged, at, || {
                            (item_ref(n), format!("PR #{n} merged"), false)
                        });
                        jp.contributions.push(Contribution {
                            at,
                            key: format!("pr:{n}"),
                            evidence: item_ref(n),
                            imported: false,
                        });
                    } else if let Some(l) = &f.landed {
                        jp.offer(Rung::Merged, l.at, || {
                            (
                                item_ref(n),
                                format!(
                                    "PR #{n} closed on GitHub but landed internally: {}",
                                    l.how
                                ),
                                true,
                            )
                        });
                        jp.contributions.push(Contribution {
                            at: l.at,
                            key: format!("pr:{n}"),
                            evidence: item_ref(n),
                            imported: true,
                        });
                    }
                }
            }
            // Dated like a comment's: by the item's creation, the first public act that
            // carries the association (docs/github-sync.md, "Association evidence").
            if let Some(a) = it.author_association.as_deref()
                && MAINTAINER_ASSOC.contains(&a)
            {
                jp.offer(Rung::Maintainer, it.created_at, || {
                    (item_ref(n), format!("{a} association on #{n}"), false)
                });
            }
        }
        if let (Some(m), Some(at)) = (it.merged_by.as_deref(), it.merged_at)
            && let Some(q) = human(people.by_login(m))
            && f.author.is_some_and(|a| a != q)
        {
            j[q].touch(at);
            let n = it.number;
            j[q].offer(Rung::Maintainer, at, || {
                (item_ref(n), format!("merged someone else's PR #{n}"), false)
            });
        }
    }

    // Commits.
    for (ci, c) in ds.commits.iter().enumerate() {
        let landed = c.committer_time;
        if c.is_merge() {
            if let (Some(q), Some(m)) = (human(ctx.commit_author[ci]), ctx.merges.get(&ci)) {
                j[q].touch(landed);
                // The PR's author: X of "from X/branch" when X is a person, else whoever wrote
                // the merged branch. Merging your own PR (under any of your identities) is not
                // holding the gate for someone else.
                let by_login = m
                    .head_is_person
                    .then(|| people.by_login(&m.head_owner))
                    .flatten();
                let by_branch = m
                    .branch_author
                    .as_ref()
                    .and_then(|(name, email)| people.by_git_identity(name, email));
                let own_name = m
                    .branch_author
                    .as_ref()
                    .is_some_and(|(name, _)| same_name(name, &c.author_name));
                if let Some(a) = by_login.or(by_branch)
                    && a != q
                    && !own_name
                    && !people.is_bot(a)
                {
                    let n = m.number;
                    let who = people.persons[a].name.clone();
                    j[q].offer(Rung::Maintainer, landed, || {
                        (
                            commit_ref(&c.sha),
                            format!("merged PR #{n} by {who} ({})", short(&c.sha)),
                            false,
                        )
                    });
                }
            }
            continue;
        }
        let key = match c.pr_number.or(c.imported_pr) {
            Some(n) => format!("pr:{n}"),
            None => format!("commit:{}", c.sha),
        };
        let imported = c.imported_pr.is_some()
            || c.pr_number
                .is_some_and(|n| ctx.item_index.get(&n).is_some_and(|&i| items[i].imported()));
        let author = human(ctx.commit_author[ci]);
        // Co-authoring a bot's commit (a dependency bump) is not authorship.
        let bot_commit = ctx.commit_author[ci].is_some_and(|p| people.is_bot(p));
        let mut credited: Vec<usize> = author.into_iter().collect();
        for (k, v) in &c.trailers {
            let k = k.to_ascii_lowercase();
            if k == "reviewed by" {
                // Phabricator's `Reviewed By: alice, bob`: internal usernames.
                for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let Some(q) = human(usernames.get(&name.to_lowercase()).copied().flatten())
                    else {
                        continue;
                    };
                    if author == Some(q) {
                        continue;
                    }
                    j[q].touch(landed);
                    j[q].reviews += 1;
                    j[q].offer(Rung::Reviewer, landed, || {
                        (
                            commit_ref(&c.sha),
                            format!("Reviewed By: {name} on {}", short(&c.sha)),
                            false,
                        )
                    });
                }
                continue;
            }
            let Some(q) = human(trailer_email(v).and_then(|e| people.by_email(&e))) else {
                continue;
            };
            if k == "co-authored-by" && !credited.contains(&q) {
                if !bot_commit {
                    credited.push(q);
                }
            } else if (k == "reviewed-by" || k == "acked-by")
                && author != Some(q)
                && !same_name(trailer_name(v), &c.author_name)
            {
                j[q].touch(landed);
                j[q].reviews += 1;
                let kk = k.clone();
                j[q].offer(Rung::Reviewer, landed, || {
                    (
                        commit_ref(&c.sha),
                        format!("{kk} on {}", short(&c.sha)),
                        false,
                    )
                });
            }
        }
        for (i, &p) in credited.iter().enumerate() {
            let jp = &mut j[p];
            let role = if i == 0 { "authored" } else { "co-authored" };
            jp.touch(c.author_time);
            jp.touch(landed);
            if i == 0 {
                jp.commits += 1;
            }
            let door = match c.pr_number {
                Some(_) => door_of_title(ctx, &c.subject, false, false),
                None => Door::Commit,
            };
            jp.door(c.author_time, door, commit_ref(&c.sha));
            jp.offer(Rung::Contributor, c.author_time, || {
                (
                    commit_ref(&c.sha),
                    format!("{role} commit {}", short(&c.sha)),
                    false,
                )
            });
            jp.offer(Rung::Merged, landed, || {
                let how = if imported {
                    " (imported through an internal sync)"
                } else {
                    ""
                };
                (
                    commit_ref(&c.sha),
                    format!(
                        "{role} commit {} landed on the default branch{how}",
                        short(&c.sha)
                    ),
                    imported,
                )
            });
            jp.contributions.push(Contribution {
                at: landed,
                key: key.clone(),
                evidence: commit_ref(&c.sha),
                imported,
            });
        }
        // Committing your own change under another of your identities is not maintainer
        // evidence: a different person *and* a different name.
        // Committing a bot's or a shared team account's commit (an export) is not holding the
        // gate for a person.
        if c.applied_by_other
            && let Some(q) = human(ctx.commit_committer[ci])
            && author.is_some_and(|a| a != q)
            && !same_name(&c.author_name, &c.committer_name)
        {
            j[q].touch(landed);
            j[q].offer(Rung::Maintainer, landed, || {
                (
                    commit_ref(&c.sha),
                    format!("committed {} authored by someone else", short(&c.sha)),
                    false,
                )
            });
        }
    }

    let (min_merged, min_months) = (
        ctx.settings.ladder.regular_min_merged.max(1) as usize,
        ctx.settings.ladder.regular_min_months.max(1) as usize,
    );
    for jp in &mut j {
        regular(jp, min_merged, min_months);
    }
    j
}

/// Internal usernames (Phabricator's `Reviewed By:`) → the one person whose login or email
/// local part it is; `None` when several people share it. Bots and noreply addresses are left
/// out.
fn usernames(people: &super::people::People) -> std::collections::HashMap<String, Option<usize>> {
    let mut out: std::collections::HashMap<String, Option<usize>> =
        std::collections::HashMap::new();
    for (i, p) in people.persons.iter().enumerate() {
        if p.bot.is_some() {
            continue;
        }
        let locals = p
            .emails
            .iter()
            .filter(|e| super::people::noreply_login(e).is_none())
            .filter_map(|e| e.split('@').next());
        let mut mine: BTreeSet<&str> = p.logins.iter().map(String::as_str).collect();
        mine.extend(locals);
        for u in mine {
            out.entry(u.to_string())
                .and_modify(|v| {
                    if *v != Some(i) {
                        *v = None;
                    }
                })
                .or_insert(Some(i));
        }
    }
    out
}

/// `regular`: the first time the person had ≥ `min_merged` distinct merged contributions in
/// ≥ `min_months` distinct calendar months.
fn regular(jp: &mut Journey, min_merged: usize, min_months: usize) {
    let mut cs = std::mem::take(&mut jp.contributions);
    cs.sort_by(|a, b| (a.at, &a.key, &a.evidence).cmp(&(b.at, &b.key, &b.evidence)));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut months: BTreeSet<i64> = BTreeSet::new();
    let mut hit = None;
    for c in &cs {
        if !seen.insert(c.key.as_str()) {
            continue;
        }
        months.insert(super::stats::month_index(c.at));
        jp.merged_log
            .push((c.at, c.key.clone(), c.evidence.clone()));
        if hit.is_none() && seen.len() >= min_merged && months.len() >= min_months {
            hit = Some(RungHit {
                at: c.at,
                evidence: c.evidence.clone(),
                why: format!(
                    "{} merged contributions in {} calendar months",
                    seen.len(),
                    months.len()
                ),
                imported: c.imported,
            });
        }
    }
    jp.merged_contributions = seen.len() as u64;
    if hit.is_some() {
        jp.rungs[Rung::Regular.index()] = hit;
    }
}
