//! People (SPEC §2): identities (GitHub logins, git emails) merged into persons, each merge with
//! a reason a user can check, and bots set apart. Never merged on a display name.

use super::patterns::Patterns;
use super::stats::{FastMap, FastSet};
use crate::config::Settings;
use crate::domain::UserKind;
use crate::report::IdentityEvidence;
use crate::store::Dataset;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone)]
pub struct Person {
    /// `login:NAME` or `email:ADDRESS`, lowercase.
    pub id: String,
    pub name: String,
    /// Lowercase, sorted.
    pub logins: Vec<String>,
    /// Lowercase, sorted.
    pub emails: Vec<String>,
    pub identities: Vec<IdentityEvidence>,
    pub bot: Option<String>,
}

#[derive(Debug, Default)]
pub struct People {
    /// Sorted by id.
    pub persons: Vec<Person>,
    by_login: FastMap<String, usize>,
    by_email: FastMap<String, usize>,
}

impl People {
    pub fn by_login(&self, login: &str) -> Option<usize> {
        self.by_login.get(&login.to_lowercase()).copied()
    }

    pub fn by_email(&self, email: &str) -> Option<usize> {
        self.by_email.get(&email.to_lowercase()).copied()
    }

    pub fn is_bot(&self, p: usize) -> bool {
        self.persons[p].bot.is_some()
    }
}

/// The login a GitHub noreply address stands for (`ID+login@…` or `login@…`).
pub fn noreply_login(email: &str) -> Option<String> {
    let lower = email.to_ascii_lowercase();
    let local = lower.strip_suffix("@users.noreply.github.com")?;
    let login = local.split_once('+').map_or(local, |(_, l)| l);
    (!login.is_empty()).then(|| login.to_string())
}

/// The email in a `Name <email>` trailer value.
pub fn trailer_email(value: &str) -> Option<String> {
    let start = value.find('<')?;
    let end = value[start..].find('>')? + start;
    let e = value[start + 1..end].trim();
    e.contains('@').then(|| e.to_lowercase())
}

/// Logins GitHub uses for deleted accounts: never one person.
fn is_ghost(login: &str) -> bool {
    login.eq_ignore_ascii_case("ghost")
}

const REVIEW_TRAILERS: [&str; 2] = ["reviewed-by", "acked-by"];

struct Graph {
    keys: Vec<String>,
    index: FastMap<String, usize>,
    parent: Vec<usize>,
    edges: Vec<(usize, usize, String)>,
}

impl Graph {
    fn node(&mut self, key: String) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.keys.len();
        self.keys.push(key.clone());
        self.index.insert(key, i);
        self.parent.push(i);
        i
    }
    fn login(&mut self, l: &str) -> Option<usize> {
        (!l.is_empty() && !is_ghost(l)).then(|| self.node(format!("login:{}", l.to_lowercase())))
    }
    fn email(&mut self, e: &str) -> Option<usize> {
        let e = e.trim().to_lowercase();
        if e.is_empty() || !e.contains('@') {
            return None;
        }
        let n = self.node(format!("email:{e}"));
        if let Some(login) = noreply_login(&e) {
            let l = self.node(format!("login:{login}"));
            self.union(n, l, format!("noreply address of login {login}"));
        }
        Some(n)
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize, reason: String) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        // The smaller key becomes the root so the result does not depend on insertion order.
        if self.keys[ra] < self.keys[rb] {
            self.parent[rb] = ra;
        } else {
            self.parent[ra] = rb;
        }
        self.edges.push((a, b, reason));
    }
}

/// Merge every identity in `ds` into persons.
/// `actors` are the distinct event actors (collected by the caller in its one pass over events).
pub fn resolve(ds: &Dataset, settings: &Settings, pats: &Patterns, actors: &[&str]) -> People {
    let mut g = Graph {
        keys: Vec::new(),
        index: FastMap::default(),
        parent: Vec::new(),
        edges: Vec::new(),
    };
    // Git author names per email, for display names.
    let mut names: HashMap<usize, BTreeMap<String, u64>> = HashMap::new();
    for c in &ds.commits {
        if let Some(n) = g.email(&c.author_email) {
            *names
                .entry(n)
                .or_default()
                .entry(c.author_name.clone())
                .or_default() += 1;
        }
        if c.applied_by_other
            && let Some(n) = g.email(&c.committer_email)
        {
            *names
                .entry(n)
                .or_default()
                .entry(c.committer_name.clone())
                .or_default() += 1;
        }
        for (k, v) in &c.trailers {
            let k = k.to_ascii_lowercase();
            if (k == "co-authored-by" || REVIEW_TRAILERS.contains(&k.as_str()))
                && let Some(e) = trailer_email(v)
            {
                g.email(&e);
            }
        }
        if let Some(caps) = pats.merge_subject.captures(&c.subject) {
            g.login(&caps[2]);
        }
    }
    let mut user_names: HashMap<usize, String> = HashMap::new();
    // Edges are recorded as they join groups, so visit link sources in a fixed order.
    let mut users: Vec<&crate::domain::User> = ds.users.iter().collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    for u in users {
        if let Some(l) = g.login(&u.login) {
            if let Some(n) = u.name.as_ref().filter(|n| !n.is_empty()) {
                user_names.insert(l, n.clone());
            }
            if let Some(e) = u.email.as_ref().filter(|e| e.contains('@'))
                && let Some(en) = g.email(e)
            {
                g.union(
                    en,
                    l,
                    format!("public profile email of login {}", u.login.to_lowercase()),
                );
            }
        }
    }
    {
        // Each distinct login once: there are far fewer logins than rows.
        let mut seen: FastSet<&str> = FastSet::default();
        let logins = ds
            .items
            .iter()
            .flat_map(|it| [it.author.as_deref(), it.merged_by.as_deref()])
            .flatten()
            .chain(actors.iter().copied());
        for a in logins {
            if seen.insert(a) {
                g.login(a);
            }
        }
    }
    for (_, login) in &ds.org_members {
        g.login(login);
    }
    let mut links: Vec<&crate::domain::IdentityLink> = ds.identity_links.iter().collect();
    links.sort_by(|a, b| (&a.email, &a.login, &a.reason).cmp(&(&b.email, &b.login, &b.reason)));
    for link in links {
        if let (Some(e), Some(l)) = (g.email(&link.email), g.login(&link.login)) {
            g.union(e, l, link.reason.clone());
        }
    }
    for alias in &settings.aliases {
        let nodes: Vec<usize> = alias
            .iter()
            .filter_map(|a| {
                if a.contains('@') {
                    g.email(a)
                } else {
                    g.login(a)
                }
            })
            .collect();
        for w in nodes.windows(2) {
            g.union(w[0], w[1], "config alias".into());
        }
    }
    weak_links(ds, &mut g);
    build(g, ds, pats, names, user_names)
}

/// Links that are only safe when unambiguous: the author email of a PR's squash commit or of
/// all the commits the API lists for the PR ↔ the PR author's login. Skipped when the email
/// would link to two logins, or already belongs to another login.
fn weak_links(ds: &Dataset, g: &mut Graph) {
    let pr_author: HashMap<u64, &str> = ds
        .items
        .iter()
        .filter_map(|it| Some((it.number, it.author.as_deref()?)))
        .collect();
    let by_sha: HashMap<&str, &str> = ds
        .commits
        .iter()
        .map(|c| (c.sha.as_str(), c.author_email.as_str()))
        .collect();
    let mut candidates: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for c in &ds.commits {
        if let (Some(n), Some(crate::domain::PrVia::Squash)) = (c.pr_number, c.pr_via)
            && let Some(a) = pr_author.get(&n)
        {
            candidates
                .entry(c.author_email.to_lowercase())
                .or_default()
                .entry(a.to_lowercase())
                .or_insert_with(|| format!("authored the squash commit of PR #{n}"));
        }
    }
    for (n, shas) in &ds.item_commits {
        let Some(a) = pr_author.get(n) else { continue };
        let emails: BTreeSet<String> = shas
            .iter()
            .filter_map(|s| by_sha.get(s.as_str()))
            .map(|e| e.to_lowercase())
            .collect();
        if emails.len() == 1
            && let Some(e) = emails.into_iter().next()
        {
            candidates
                .entry(e)
                .or_default()
                .entry(a.to_lowercase())
                .or_insert_with(|| format!("authored the commits of PR #{n}"));
        }
    }
    let mut with_login: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for i in 0..g.keys.len() {
        if g.keys[i].starts_with("login:") {
            let r = g.find(i);
            with_login.insert(r);
        }
    }
    for (email, logins) in candidates {
        if logins.len() != 1 || email == "noreply@github.com" {
            continue;
        }
        let Some((login, reason)) = logins.into_iter().next() else {
            continue;
        };
        let (Some(e), Some(l)) = (g.email(&email), g.login(&login)) else {
            continue;
        };
        let (re, rl) = (g.find(e), g.find(l));
        if re == rl {
            continue;
        }
        // An email whose group already holds another login is not relinked.
        if !with_login.contains(&re) {
            g.union(e, l, reason);
            let r = g.find(e);
            with_login.insert(r);
        }
    }
}

fn build(
    mut g: Graph,
    ds: &Dataset,
    pats: &Patterns,
    names: HashMap<usize, BTreeMap<String, u64>>,
    user_names: HashMap<usize, String>,
) -> People {
    let user_kind: HashMap<String, UserKind> = ds
        .users
        .iter()
        .map(|u| (u.login.to_lowercase(), u.kind))
        .collect();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..g.keys.len() {
        let r = g.find(i);
        groups.entry(r).or_default().push(i);
    }
    let mut edges_by_root: HashMap<usize, Vec<IdentityEvidence>> = HashMap::new();
    for (a, b, reason) in std::mem::take(&mut g.edges) {
        let r = g.find(a);
        edges_by_root.entry(r).or_default().push(IdentityEvidence {
            identity: format!("{} = {}", g.keys[a], g.keys[b]),
            reason,
        });
    }
    let mut persons = Vec::with_capacity(groups.len());
    for (root, members) in groups {
        let mut logins = Vec::new();
        let mut emails = Vec::new();
        for &m in &members {
            let k = &g.keys[m];
            if let Some(l) = k.strip_prefix("login:") {
                logins.push(l.to_string());
            } else if let Some(e) = k.strip_prefix("email:") {
                emails.push(e.to_string());
            }
        }
        logins.sort();
        emails.sort();
        let id = match (logins.first(), emails.first()) {
            (Some(l), _) => format!("login:{l}"),
            (None, Some(e)) => format!("email:{e}"),
            (None, None) => continue,
        };
        let mut bot = None;
        for l in &logins {
            if user_kind.get(l) == Some(&UserKind::Bot) {
                bot = Some(format!("GitHub says {l} is a bot"));
            }
            bot = bot.or_else(|| pats.bot_reason(Some(l), None, None));
        }
        for e in &emails {
            bot = bot.or_else(|| pats.bot_reason(None, Some(e), None));
        }
        // Display name: the GitHub profile name, else the most used git author name.
        let mut name = members.iter().find_map(|m| user_names.get(m).cloned());
        if name.is_none() {
            let mut counts: BTreeMap<&String, u64> = BTreeMap::new();
            for m in &members {
                for (n, c) in names.get(m).into_iter().flatten() {
                    *counts.entry(n).or_default() += c;
                }
            }
            name = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(n, _)| n.clone());
        }
        if bot.is_none()
            && let Some(n) = &name
        {
            bot = pats.bot_reason(None, None, Some(n));
        }
        let name = name.unwrap_or_else(|| {
            logins
                .first()
                .or(emails.first())
                .cloned()
                .unwrap_or_default()
        });
        let mut identities = edges_by_root.remove(&root).unwrap_or_default();
        identities.sort();
        persons.push(Person {
            id,
            name,
            logins,
            emails,
            identities,
            bot,
        });
    }
    persons.sort_by(|a, b| a.id.cmp(&b.id));
    let mut people = People {
        persons,
        ..People::default()
    };
    for (i, p) in people.persons.iter().enumerate() {
        for l in &p.logins {
            people.by_login.insert(l.clone(), i);
        }
        for e in &p.emails {
            people.by_email.insert(e.clone(), i);
        }
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreply_forms() {
        assert_eq!(
            noreply_login("12345+Alice@users.noreply.github.com").as_deref(),
            Some("alice")
        );
        assert_eq!(
            noreply_login("bob@users.noreply.github.com").as_deref(),
            Some("bob")
        );
        assert_eq!(noreply_login("bob@example.com"), None);
    }

    #[test]
    fn trailer_emails() {
        assert_eq!(
            trailer_email("Ann <Ann@X.org>").as_deref(),
            Some("ann@x.org")
        );
        assert_eq!(trailer_email("Ann"), None);
    }
}
