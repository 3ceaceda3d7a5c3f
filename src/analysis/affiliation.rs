//! Affiliation over time (docs/definitions.md#affiliation). Evidence, strongest first:
//! 1. dated facts from the affiliations file / config (`Org from … until …`);
//! 2. membership of an internal org, or a profile `company` naming one (undated: always);
//! 3. dated sightings: commits from an internal email domain, `MEMBER`/`OWNER` association on an
//!    event. A person is internal from their first internal sighting — or from the start when
//!    nothing earlier shows them as an outsider (a personal email, a `NONE`/`FIRST_TIME…`
//!    association), so an employee is internal throughout and a hire is external before.
//!
//! `CONTRIBUTOR` association proves nothing either way: private org members show up as it.

use super::Ctx;
use super::stats::iso;
use crate::analysis::model::{Affiliation, AffiliationPeriod};
use crate::domain::{AffiliationFact, Ts};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    facts: Vec<AffiliationFact>,
    timeless: Option<String>,
    /// Internal from this time (`Ts::MIN` = always), and why.
    internal_from: Option<(Ts, String)>,
    pub periods: Vec<AffiliationPeriod>,
    pub evidence: Vec<String>,
    /// Period starts and the affiliation from then on, ascending.
    starts: Vec<(Ts, Affiliation)>,
}

impl Timeline {
    fn decide(&self, t: Ts) -> (Affiliation, String) {
        let covering: Vec<&AffiliationFact> = self
            .facts
            .iter()
            .filter(|f| f.from.is_none_or(|a| a <= t) && f.until.is_none_or(|u| t < u))
            .collect();
        if let Some(f) = covering.iter().find(|f| f.internal) {
            return (Affiliation::Internal, format!("{} ({})", f.org, f.source));
        }
        if let Some(f) = covering.first() {
            return (Affiliation::External, format!("{} ({})", f.org, f.source));
        }
        if let Some(why) = &self.timeless {
            return (Affiliation::Internal, why.clone());
        }
        if let Some((from, why)) = &self.internal_from
            && *from <= t
        {
            return (Affiliation::Internal, why.clone());
        }
        (
            Affiliation::External,
            "no evidence of internal affiliation".into(),
        )
    }

    fn finish(&mut self) {
        let mut points: BTreeSet<Ts> = BTreeSet::new();
        points.insert(Ts::MIN);
        for f in &self.facts {
            points.extend(f.from);
            points.extend(f.until);
        }
        if let Some((t, _)) = &self.internal_from {
            points.insert(*t);
        }
        let mut periods: Vec<(Ts, Affiliation, BTreeSet<String>)> = Vec::new();
        for p in points {
            let (a, why) = self.decide(p);
            match periods.last_mut() {
                Some(last) if last.1 == a => {
                    last.2.insert(why);
                }
                _ => periods.push((p, a, BTreeSet::from([why]))),
            }
        }
        self.starts = periods.iter().map(|(t, a, _)| (*t, *a)).collect();
        self.periods = periods
            .iter()
            .enumerate()
            .map(|(i, (t, a, why))| AffiliationPeriod {
                affiliation: *a,
                from: (*t != Ts::MIN).then(|| iso(*t)),
                until: periods.get(i + 1).map(|n| iso(n.0)),
                evidence: why.iter().cloned().collect(),
            })
            .collect();
    }

    /// The affiliation at time `t`.
    pub fn at(&self, t: Ts) -> Affiliation {
        let i = self.starts.partition_point(|(s, _)| *s <= t);
        if i == 0 {
            return Affiliation::External;
        }
        self.starts[i - 1].1
    }
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

fn is_internal_domain(domain: &str, internal: &[String]) -> bool {
    internal.iter().any(|d| {
        let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        !d.is_empty() && (domain == d || domain.ends_with(&format!(".{d}")))
    })
}

const INTERNAL_ASSOC: [&str; 2] = ["MEMBER", "OWNER"];
const OUTSIDER_ASSOC: [&str; 4] = ["NONE", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN"];

#[derive(Default)]
struct Sightings {
    first_internal: Option<(Ts, String)>,
    first_outsider: Option<Ts>,
}

impl Sightings {
    /// Keep the earliest internal sighting; on a tie, the smallest reason, so the result does
    /// not depend on the order rows arrive in.
    fn internal(&mut self, t: Ts, why: impl FnOnce() -> String) {
        if self.first_internal.as_ref().is_some_and(|(f, _)| *f < t) {
            return;
        }
        let why = why();
        if self
            .first_internal
            .as_ref()
            .is_none_or(|(f, w)| t < *f || why < *w)
        {
            self.first_internal = Some((t, why));
        }
    }
    fn outsider(&mut self, t: Ts) {
        self.first_outsider = Some(self.first_outsider.map_or(t, |f| f.min(t)));
    }
    /// Internal from the first internal sighting, backdated to the start when nothing earlier
    /// shows the person as an outsider.
    fn internal_from(&self) -> Option<(Ts, String)> {
        let (t, why) = self.first_internal.clone()?;
        match self.first_outsider {
            Some(o) if o < t => Some((t, format!("{why} (from {})", iso(t)))),
            _ => Some((Ts::MIN, why)),
        }
    }
}

/// One timeline per person (index = person index). `inferred` are the organisation domains
/// inferred from the history (empty when the user configured affiliation).
pub fn timelines(ctx: &Ctx, inferred: &[String]) -> Vec<Timeline> {
    let ds = ctx.ds;
    let s = ctx.settings;
    let n = ctx.people.persons.len();
    let mut tl: Vec<Timeline> = vec![Timeline::default(); n];
    let mut evidence: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];

    // 1. Dated facts.
    let mut by_domain: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in ctx.people.persons.iter().enumerate() {
        for e in &p.emails {
            by_domain.entry(domain_of(e)).or_default().push(i);
        }
    }
    for f in &ds.affiliations {
        let id = f.identity.to_lowercase();
        let targets: Vec<usize> = if let Some(l) = id.strip_prefix("login:") {
            ctx.people.by_login(l).into_iter().collect()
        } else if let Some(e) = id.strip_prefix("email:") {
            ctx.people.by_email(e).into_iter().collect()
        } else if let Some(d) = id.strip_prefix("domain:") {
            by_domain.get(d).cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        for p in targets {
            tl[p].facts.push(f.clone());
            let range = match (f.from, f.until) {
                (None, None) => String::new(),
                (a, u) => format!(
                    " {}–{}",
                    a.map(crate::timefmt::day).unwrap_or_default(),
                    u.map(crate::timefmt::day).unwrap_or_default()
                ),
            };
            evidence[p].insert(format!(
                "{} {}{range} ({})",
                if f.internal { "internal:" } else { "external:" },
                f.org,
                f.source
            ));
        }
    }

    // 2. Undated: internal org membership, profile company.
    let orgs: Vec<String> = s.internal_orgs.iter().map(|o| o.to_lowercase()).collect();
    for (org, login) in &ds.org_members {
        if orgs.contains(&org.to_lowercase())
            && let Some(p) = ctx.people.by_login(login)
        {
            let why = format!("member of the {org} organisation");
            evidence[p].insert(why.clone());
            tl[p].timeless.get_or_insert(why);
        }
    }
    for u in &ds.users {
        let Some(company) = u.company.as_deref() else {
            continue;
        };
        let c = company.to_lowercase();
        let names_org = orgs.iter().any(|o| {
            c.split(|ch: char| !(ch.is_alphanumeric() || ch == '-' || ch == '_'))
                .any(|w| w == o)
        });
        if names_org && let Some(p) = ctx.people.by_login(&u.login) {
            let why = format!("profile company \"{company}\"");
            evidence[p].insert(why.clone());
            tl[p].timeless.get_or_insert(why);
        }
    }

    // 3. Dated sightings: every git identity of a commit (author, committer, trailers).
    let mut sight: Vec<Sightings> = (0..n).map(|_| Sightings::default()).collect();
    let internal = |domain: &str| {
        if is_internal_domain(domain, &s.internal_domains) {
            Some(format!("email domain {domain}"))
        } else if is_internal_domain(domain, inferred) {
            Some(format!("email domain {domain} (inferred from history)"))
        } else {
            None
        }
    };
    let see = |sg: &mut Sightings, email: &str, t: Ts| {
        let email = email.to_ascii_lowercase();
        if let Some(why) = internal(domain_of(&email)) {
            sg.internal(t, || why);
        } else if super::people::noreply_login(&email).is_none() && email.contains('@') {
            sg.outsider(t);
        }
    };
    for (ci, c) in ds.commits.iter().enumerate() {
        let author = ctx.commit_author[ci];
        if let Some(p) = author {
            see(&mut sight[p], &c.author_email, c.author_time);
        }
        if let Some(p) = ctx.commit_committer[ci]
            && !c.committer_email.eq_ignore_ascii_case("noreply@github.com")
        {
            see(&mut sight[p], &c.committer_email, c.committer_time);
            // Pushing a shared team account's export from an organisation domain is the
            // organisation's own work.
            if let Some(a) = author
                && a != p
                && ctx.people.persons[a].team
                && internal(domain_of(&c.author_email.to_ascii_lowercase())).is_some()
            {
                let team = &ctx.people.persons[a].name;
                sight[p].internal(c.committer_time, || {
                    format!("committed exports of the shared team account {team}")
                });
            }
        }
        for (k, v) in &c.trailers {
            if super::people::IDENTITY_TRAILERS.contains(&k.to_ascii_lowercase().as_str())
                && let Some(e) = super::people::trailer_email(v)
                && let Some(p) = ctx.people.by_email(&e)
            {
                see(&mut sight[p], &e, c.committer_time);
            }
        }
    }
    for (ei, e) in ds.events.iter().enumerate() {
        let (Some(p), Some(a)) = (ctx.actor_of(ei), e.association.as_deref()) else {
            continue;
        };
        if INTERNAL_ASSOC.contains(&a) {
            sight[p].internal(e.at, || {
                format!(
                    "{a} association on {}",
                    e.item
                        .map_or("the repository".to_string(), |n| format!("#{n}"))
                )
            });
        } else if OUTSIDER_ASSOC.contains(&a) {
            sight[p].outsider(e.at);
        }
    }
    for (ii, it) in ds.items.iter().enumerate() {
        let (Some(p), Some(a)) = (ctx.item_author[ii], it.author_association.as_deref()) else {
            continue;
        };
        if INTERNAL_ASSOC.contains(&a) {
            // Item-level association describes fetch time: date it at the last update.
            sight[p].internal(it.updated_at, || {
                format!("{a} association on #{}", it.number)
            });
        } else if OUTSIDER_ASSOC.contains(&a) {
            sight[p].outsider(it.created_at);
        }
    }
    for (p, sg) in sight.into_iter().enumerate() {
        if let Some((t, why)) = sg.internal_from() {
            evidence[p].insert(why.clone());
            tl[p].internal_from = Some((t, why));
        }
    }
    for (p, t) in tl.iter_mut().enumerate() {
        t.facts.sort_by(|a, b| {
            (a.from, a.until, &a.org, &a.source).cmp(&(b.from, b.until, &b.org, &b.source))
        });
        t.evidence = std::mem::take(&mut evidence[p]).into_iter().collect();
        t.finish();
    }
    tl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_domains_match_subdomains() {
        let d = vec!["example.com".to_string()];
        assert!(is_internal_domain("example.com", &d));
        assert!(is_internal_domain("corp.example.com", &d));
        assert!(!is_internal_domain("notexample.com", &d));
    }
}
