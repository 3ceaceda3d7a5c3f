//! A deterministic generator of synthetic repositories, for benchmarks (`scripts/bench-report`)
//! and for anyone who needs a large database to try a view on. Same seed, same database.
//!
//! The shape is loosely realistic: a heavy-tailed author distribution (a few people do most of
//! the work), one person in ten internal (`@corp.example`), PRs merged, closed or left open,
//! comments and reviews from insiders and outsiders, stars, squash commits for merged PRs, and
//! direct internal commits carrying `PiperOrigin-RevId`.

use crate::domain::{
    Commit, Event, EventKind, IdentityLink, Item, ItemKind, ItemState, PrVia, User, UserKind,
};
use crate::error::Result;
use crate::store::{self, Store};

#[derive(Debug, Clone)]
pub struct Params {
    pub seed: u64,
    pub items: u64,
    pub people: u64,
    /// Total events, stars included (approximate: per-item counts are random around the mean).
    pub events: u64,
    pub stars: u64,
    /// Commits besides the squash commits of merged PRs.
    pub direct_commits: u64,
}

impl Params {
    /// The benchmark size of docs/benchmarks.md#report: 100,000 items, 20,000 people, ≥ 1,000,000
    /// events.
    pub fn large(seed: u64) -> Params {
        Params {
            seed,
            items: 100_000,
            people: 20_000,
            events: 1_120_000,
            stars: 60_000,
            direct_commits: 10_000,
        }
    }

    /// Small enough to read the whole report (used for the README example).
    pub fn tiny(seed: u64) -> Params {
        Params {
            seed,
            items: 40,
            people: 30,
            events: 300,
            stars: 25,
            direct_commits: 8,
        }
    }

    pub fn small(seed: u64) -> Params {
        Params {
            seed,
            items: 200,
            people: 60,
            events: 2_000,
            stars: 100,
            direct_commits: 50,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub items: u64,
    pub people: u64,
    pub events: u64,
    pub commits: u64,
}

/// xorshift64*: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

const START: i64 = 1_546_300_800; // 2019-01-01
const SPAN: i64 = 5 * 365 * 86_400;

fn login(i: u64) -> String {
    format!("u{i:05}")
}

fn internal(i: u64, maintainers: u64) -> bool {
    i < maintainers || i.is_multiple_of(10)
}

fn email(i: u64, m: u64) -> String {
    if internal(i, m) {
        format!("u{i:05}@corp.example")
    } else if i.is_multiple_of(3) {
        format!("{}+u{i:05}@users.noreply.github.com", 10_000 + i)
    } else {
        format!("u{i:05}@mail.example")
    }
}

const BODIES: &[&str] = &[
    "Thanks for the report!",
    "Could you share a minimal reproduction?",
    "LGTM",
    "I can reproduce this on the latest release.",
    "Any update on this?",
    "Nice catch, thank you.",
];

const OFFLINE_BODIES: &[&str] = &[
    "This was discussed offline; we'll follow up.",
    "Tracked in go/widget-roadmap",
];

/// Fill `store` with a synthetic repository described by `p`.
pub fn generate(store: &mut Store, p: &Params) -> Result<Summary> {
    let mut rng = Rng(p.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // A few maintainers (at most 20), all internal.
    let maint = (p.people / 10).clamp(2, 20);
    let people = p.people.max(maint + 1);
    // Heavy tail: most activity from a few people.
    let pick = |rng: &mut Rng| -> u64 { ((people as f64) * rng.unit().powi(3)) as u64 };

    let users: Vec<User> = (0..people)
        .map(|i| User {
            login: login(i),
            kind: UserKind::User,
            name: Some(format!("User {i}")),
            company: internal(i, maint).then(|| "@acme".to_string()),
            email: None,
            database_id: Some(10_000 + i as i64),
        })
        .chain(
            ["dependabot[bot]", "stale[bot]", "copybara-service[bot]"].map(|b| User {
                login: b.into(),
                kind: UserKind::Bot,
                name: None,
                company: None,
                email: None,
                database_id: None,
            }),
        )
        .collect();
    let links: Vec<IdentityLink> = (0..people)
        .filter(|i| !i.is_multiple_of(3) || internal(*i, maint))
        .map(|i| IdentityLink {
            email: email(i, maint),
            login: login(i),
            reason: "synthetic".into(),
        })
        .collect();
    let settings = r#"{"internal_domains":["corp.example"],"internal_orgs":["acme"]}"#;
    store.write(|c| {
        store::set_repository(
            c,
            Some(if p.items >= 10_000 {
                "synth/large"
            } else {
                "synth/demo"
            }),
            None,
            Some("main"),
            None,
            None,
        )?;
        store::set_setting(c, "analysis", settings)?;
        store::upsert_users(c, &users)?;
        store::upsert_identity_links(c, &links)?;
        store::upsert_org_members(c, "acme", &(0..maint).map(login).collect::<Vec<_>>())
    })?;

    let per_item = (p.events.saturating_sub(p.stars)) as f64 / p.items.max(1) as f64;
    let mut items = Vec::with_capacity(10_000);
    let mut events: Vec<Event> = Vec::with_capacity(120_000);
    let mut commits: Vec<Commit> = Vec::new();
    let mut summary = Summary {
        people,
        ..Summary::default()
    };
    let mut ev = 0u64;
    let mut push = |events: &mut Vec<Event>,
                    kind,
                    item,
                    actor: &str,
                    at,
                    body: Option<&str>,
                    state: Option<&str>| {
        ev += 1;
        let who = actor.trim_start_matches('u').parse::<u64>().ok();
        events.push(Event {
            id: format!("ev{ev:08}").into(),
            kind,
            item,
            actor: Some(actor.into()),
            at,
            association: who.map(|w| {
                if internal(w, maint) {
                    "MEMBER".into()
                } else {
                    "CONTRIBUTOR".into()
                }
            }),
            state: state.map(Into::into),
            body: body.map(Into::into),
            target: None,
        });
    };
    for s in 0..p.stars {
        let who = rng.below(people);
        let at = START + rng.below(SPAN as u64) as i64;
        push(
            &mut events,
            EventKind::Star,
            None,
            &login(who),
            at,
            None,
            None,
        );
        let _ = s;
    }
    let mut seq = 0i64;
    for n in 1..=p.items {
        let author = pick(&mut rng);
        let created = START + (n as i64 * SPAN) / p.items as i64 + rng.below(3_600) as i64;
        let is_pr = rng.chance(0.6);
        let mut it = Item {
            number: n,
            kind: if is_pr { ItemKind::Pr } else { ItemKind::Issue },
            url: format!(
                "https://github.com/synth/large/{}/{n}",
                if is_pr { "pull" } else { "issues" }
            ),
            title: if rng.chance(0.1) {
                "Fix typo in docs".into()
            } else {
                format!("Change number {n}")
            },
            body: if rng.chance(0.02) {
                "Context: see go/design-doc".into()
            } else {
                "Details inside.".into()
            },
            author: Some(login(author)),
            author_association: Some(if internal(author, maint) {
                "MEMBER".into()
            } else {
                "CONTRIBUTOR".into()
            }),
            state: ItemState::Open,
            is_draft: false,
            created_at: created,
            updated_at: created,
            closed_at: None,
            merged_at: None,
            merged_by: None,
            merge_commit_sha: None,
            additions: Some(rng.below(200) as i64),
            deletions: Some(rng.below(50) as i64),
            changed_files: Some(1 + rng.below(10) as i64),
            labels: if rng.chance(0.2) {
                vec!["bug".into()]
            } else {
                vec![]
            },
            head_repo_owner: None,
        };
        let mut t = created;
        let k = rng.below((per_item * 2.0) as u64).max(1) - 1;
        for _ in 0..k {
            t += 600 + rng.below(5 * 86_400) as i64;
            let who = if rng.chance(0.5) {
                rng.below(maint)
            } else {
                pick(&mut rng)
            };
            let (kind, state) = if is_pr && rng.chance(0.3) {
                (
                    EventKind::Review,
                    Some(if rng.chance(0.6) {
                        "APPROVED"
                    } else {
                        "COMMENTED"
                    }),
                )
            } else {
                (EventKind::Comment, None)
            };
            // One comment in a hundred points somewhere outsiders cannot follow.
            let body = if rng.chance(0.01) {
                OFFLINE_BODIES[rng.below(OFFLINE_BODIES.len() as u64) as usize]
            } else {
                BODIES[rng.below(BODIES.len() as u64) as usize]
            };
            push(
                &mut events,
                kind,
                Some(n),
                &login(who),
                t,
                Some(body),
                state,
            );
        }
        let roll = rng.unit();
        let closer = login(rng.below(maint));
        t += 3_600 + rng.below(86_400) as i64;
        if is_pr && roll < 0.7 {
            it.state = ItemState::Merged;
            it.merged_at = Some(t);
            it.closed_at = Some(t);
            it.merged_by = Some(closer.clone());
            let sha = format!("{:040x}", n as u128 * 0x9E37_79B9_7F4A_7C15u128);
            it.merge_commit_sha = Some(sha.clone());
            push(
                &mut events,
                EventKind::Merged,
                Some(n),
                &closer,
                t,
                None,
                None,
            );
            seq += 1;
            commits.push(Commit {
                sha,
                seq,
                author_name: format!("User {author}"),
                author_email: email(author, maint),
                raw_author_email: email(author, maint),
                author_time: created,
                committer_name: "GitHub".into(),
                committer_email: "noreply@github.com".into(),
                committer_time: t,
                subject: format!("{} (#{n})", it.title),
                message: format!("{} (#{n})\n", it.title),
                parent_count: 1,
                pr_number: Some(n),
                pr_via: Some(PrVia::Squash),
                ..Commit::default()
            });
        } else if roll < 0.9 {
            it.state = ItemState::Closed;
            it.closed_at = Some(t);
            let by = if rng.chance(0.2) {
                "stale[bot]".to_string()
            } else {
                closer
            };
            push(&mut events, EventKind::Closed, Some(n), &by, t, None, None);
        }
        it.updated_at = t;
        items.push(it);
        if items.len() >= 10_000 || events.len() >= 100_000 {
            summary.items += items.len() as u64;
            summary.events += events.len() as u64;
            store.write(|c| {
                store::upsert_items(c, &items)?;
                store::upsert_events(c, &events)
            })?;
            items.clear();
            events.clear();
        }
    }
    for i in 0..p.direct_commits {
        let who = rng.below(maint);
        let at = START + rng.below(SPAN as u64) as i64;
        seq += 1;
        commits.push(Commit {
            sha: format!("{:040x}", (i as u128 + 1) * 0xC2B2_AE3D_27D4_EB4Fu128),
            seq,
            author_name: format!("User {who}"),
            author_email: email(who, maint),
            raw_author_email: email(who, maint),
            author_time: at,
            committer_name: format!("User {who}"),
            committer_email: email(who, maint),
            committer_time: at,
            subject: format!("Internal change {i}"),
            message: format!(
                "Internal change {i}\n\nPiperOrigin-RevId: {}\n",
                600_000_000 + i
            ),
            parent_count: 1,
            markers: vec!["piper_origin_revid".into()],
            trailers: vec![("PiperOrigin-RevId".into(), format!("{}", 600_000_000 + i))],
            ..Commit::default()
        });
    }
    summary.items += items.len() as u64;
    summary.events += events.len() as u64;
    summary.commits = commits.len() as u64;
    store.write(|c| {
        store::upsert_items(c, &items)?;
        store::upsert_events(c, &events)?;
        for chunk in commits.chunks(10_000) {
            store::upsert_commits(c, chunk)?;
        }
        Ok(())
    })?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_database() {
        let run = || {
            let mut s = Store::open_in_memory().unwrap();
            let sum = generate(&mut s, &Params::small(7)).unwrap();
            (sum, s.dataset().unwrap().events)
        };
        let (a, ea) = run();
        let (b, eb) = run();
        assert_eq!(a, b);
        assert_eq!(ea, eb);
        assert!(a.events >= 1_500, "{a:?}");
    }
}
