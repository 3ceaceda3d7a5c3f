//! People (docs/definitions.md#people): identities (GitHub logins, git emails) merged into persons,
//! each merge with a reason a user can check, and bots set apart. Never merged on a display name.

use super::patterns::Patterns;
use super::stats::{FastMap, FastSet};
use crate::analysis::model::{IdentityEvidence, SuggestedMerge};
use crate::config::Settings;
use crate::domain::Dataset;
use crate::domain::UserKind;
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
    /// Lowercase names of identities with no usable email (`Name <>`).
    pub bare_names: Vec<String>,
    /// A shared team account ("Project Team <team@corp>"): an insider account, never a
    /// climbing person (docs/definitions.md, "People"). Set together with `bot`.
    pub team: bool,
}

#[derive(Debug, Default)]
pub struct People {
    /// Sorted by id.
    pub persons: Vec<Person>,
    by_login: FastMap<String, usize>,
    by_email: FastMap<String, usize>,
    /// Identities with no usable email (`Name <>`), keyed by their lowercase name.
    by_name_only: FastMap<String, usize>,
    /// People who may be one person but are not merged, for the user to decide.
    pub suggested: Vec<SuggestedMerge>,
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

    /// The person behind a git identity: by email, or by name when the email is empty.
    pub fn by_git_identity(&self, name: &str, email: &str) -> Option<usize> {
        if usable_email(email) {
            self.by_email(email)
        } else {
            self.by_name_only.get(&name.trim().to_lowercase()).copied()
        }
    }
}

/// An address that can identify someone (`Name <>` or `Name <none>` cannot).
fn usable_email(email: &str) -> bool {
    let e = email.trim();
    e.contains('@') && e.len() > 2
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
    // Brackets holding whitespace or a second `<` are two trailers glued together (git/git
    // has such lines, docs/definitions.md#people): they name no one.
    let glued = e.contains(char::is_whitespace) || e.contains('<');
    (e.contains('@') && !glued).then(|| e.to_lowercase())
}

/// Logins GitHub uses for deleted accounts: never one person.
fn is_ghost(login: &str) -> bool {
    login.eq_ignore_ascii_case("ghost")
}

/// Trailers whose value names a person (`Name <email>`): each is an identity sighting.
pub const IDENTITY_TRAILERS: [&str; 9] = [
    "co-authored-by",
    "reviewed-by",
    "acked-by",
    "signed-off-by",
    "tested-by",
    "reported-by",
    "helped-by",
    "suggested-by",
    "mentored-by",
];

/// The name in a `Name <email>` trailer value.
pub fn trailer_name(value: &str) -> &str {
    value.split('<').next().unwrap_or_default().trim()
}

/// Normalised full name for comparisons: lowercase letters and digits, words single-spaced.
/// Names shorter than five letters are `None`: too common to tell people apart. A one-word
/// name (a handle such as "nauta") is kept, but only ever suggests a merge.
pub fn full_name_key(name: &str) -> Option<String> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    (!words.is_empty() && words.iter().map(|w| w.chars().count()).sum::<usize>() >= 5)
        .then(|| words.join(" "))
}

/// Whether two git names are the same name (case, punctuation and spacing aside).
pub fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// A PR merged with a `Merge pull request #N from X/branch` commit, and who wrote it
/// (docs/definitions.md, "The gate"): X is the PR author's account only when X is a person —
/// not the organisation that owns the repository, and not an account whose merged branches
/// were written by many people (a shared or organisation account).
#[derive(Debug, Clone)]
pub struct MergedPr {
    pub number: u64,
    /// X, as written.
    pub head_owner: String,
    pub head_is_person: bool,
    /// The author (name, email) of most of the merged branch's commits (at least 60 %).
    pub branch_author: Option<(String, String)>,
}

/// Every `Merge pull request` merge commit (by index in `ds.commits`) with its PR's author.
pub fn merged_prs(ds: &Dataset, pats: &Patterns) -> FastMap<usize, MergedPr> {
    let owner = ds
        .repo
        .as_deref()
        .and_then(|r| r.split_once('/'))
        .map(|(o, _)| o.to_lowercase());
    // The merged branch's commits of each PR: (name, email) → commits.
    let mut branch: HashMap<u64, BTreeMap<(String, String), u64>> = HashMap::new();
    for c in &ds.commits {
        if let (Some(n), Some(crate::domain::PrVia::MergedBranch)) = (c.pr_number, c.pr_via)
            && !c.is_merge()
        {
            *branch
                .entry(n)
                .or_default()
                .entry((c.author_name.clone(), c.author_email.to_lowercase()))
                .or_default() += 1;
        }
    }
    let dominant = |n: u64| -> Option<(String, String)> {
        let authors = branch.get(&n)?;
        let total: u64 = authors.values().sum();
        let (who, k) = authors
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        (*k * 10 >= total * 6).then(|| who.clone())
    };
    let mut out: FastMap<usize, MergedPr> = FastMap::default();
    // Per head owner: the distinct branch authors over all its merged PRs.
    let mut owners: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (ci, c) in ds.commits.iter().enumerate() {
        if !c.is_merge() {
            continue;
        }
        let Some(caps) = pats.merge_subject.captures(&c.subject) else {
            continue;
        };
        let Ok(number) = caps[1].parse::<u64>() else {
            continue;
        };
        let head_owner = caps[2].to_string();
        let branch_author = dominant(number);
        if let Some((name, e)) = &branch_author {
            let who = full_name_key(name).unwrap_or_else(|| e.clone());
            owners
                .entry(head_owner.to_lowercase())
                .or_default()
                .insert(who);
        }
        out.insert(
            ci,
            MergedPr {
                number,
                head_owner,
                head_is_person: true,
                branch_author,
            },
        );
    }
    for m in out.values_mut() {
        let key = m.head_owner.to_lowercase();
        let many_authors = owners.get(&key).is_some_and(|a| a.len() >= 3);
        m.head_is_person = owner.as_deref() != Some(key.as_str()) && !many_authors;
    }
    out
}

#[derive(Clone)]
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
    /// A git identity: its email, or its name when the email is empty (docs/definitions.md,
    /// "People": an author with an empty email is still a person).
    fn git_ident(&mut self, name: &str, email: &str) -> Option<usize> {
        if usable_email(email) {
            return self.email(email);
        }
        let name = name.trim().to_lowercase();
        (!name.is_empty()).then(|| self.node(format!("name:{name}")))
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
pub fn resolve(
    ds: &Dataset,
    settings: &Settings,
    pats: &Patterns,
    actors: &[&str],
    merges: &FastMap<usize, MergedPr>,
) -> People {
    let mut g = Graph {
        keys: Vec::new(),
        index: FastMap::default(),
        parent: Vec::new(),
        edges: Vec::new(),
    };
    // Git author names per identity, for display names.
    let mut names: HashMap<usize, BTreeMap<String, u64>> = HashMap::new();
    let mut count_name = |n: usize, name: &str| {
        let name = name.trim();
        if !name.is_empty() {
            *names
                .entry(n)
                .or_default()
                .entry(name.to_string())
                .or_default() += 1;
        }
    };
    for c in &ds.commits {
        if let Some(n) = g.git_ident(&c.author_name, &c.author_email) {
            count_name(n, &c.author_name);
        }
        if c.applied_by_other
            && let Some(n) = g.git_ident(&c.committer_name, &c.committer_email)
        {
            count_name(n, &c.committer_name);
        }
        for (k, v) in &c.trailers {
            let k = k.to_ascii_lowercase();
            if IDENTITY_TRAILERS.contains(&k.as_str())
                && let Some(e) = trailer_email(v)
                && let Some(n) = g.email(&e)
            {
                count_name(n, trailer_name(v));
            }
        }
    }
    // A `Merge pull request #N from X/branch` names X's account only when X is a person.
    for m in merges.values() {
        if m.head_is_person {
            g.login(&m.head_owner);
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
    weak_links(ds, &mut g, merges);
    let first = build(g.clone(), ds, pats, &names, &user_names);
    let (strong, suggested) = name_matches(&first, settings);
    if strong.is_empty() {
        return People { suggested, ..first };
    }
    for (a, b, reason) in strong {
        if let (Some(&x), Some(&y)) = (g.index.get(&a), g.index.get(&b)) {
            g.union(x, y, reason);
        }
    }
    let people = build(g, ds, pats, &names, &user_names);
    let (_, suggested) = name_matches(&people, settings);
    People {
        suggested,
        ..people
    }
}

/// The address name of an email: the noreply address's login, else the local part, folded
/// to letters and digits.
fn address_name(email: &str) -> String {
    let local = noreply_login(email)
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_lowercase());
    local.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn unroutable(email: &str) -> bool {
    let d = email.rsplit_once('@').map_or("", |(_, d)| d);
    !usable_email(email)
        || !d.contains('.')
        || d.ends_with(".local")
        || d.ends_with(".localdomain")
        || d.ends_with(".lan")
        || d.contains("(none)")
}

/// People with the same full name (docs/definitions.md, "Suggested merges"). Returns the pairs
/// to merge — the same full name *and* the same address name (`katzdm@gmail.com` and
/// `katzdm@google.com`), or a login that spells the full name (`derekmauro` for "Derek
/// Mauro") — as (identity key, identity key, reason), and the rest as suggestions for the
/// user. A name alone never merges. Pairs listed in `rejected_merges` are neither merged nor
/// suggested.
fn name_matches(
    people: &People,
    settings: &Settings,
) -> (Vec<(String, String, String)>, Vec<SuggestedMerge>) {
    let rejected: Vec<BTreeSet<String>> = settings
        .rejected_merges
        .iter()
        .map(|ids| ids.iter().map(|i| i.to_lowercase()).collect())
        .collect();
    let is_rejected = |a: &str, b: &str| {
        rejected
            .iter()
            .any(|r| r.contains(&a.to_lowercase()) && r.contains(&b.to_lowercase()))
    };
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in people.persons.iter().enumerate() {
        if p.bot.is_some() {
            continue;
        }
        if let Some(k) = full_name_key(&p.name) {
            by_name.entry(k).or_default().push(i);
        }
    }
    let mut strong = Vec::new();
    let mut suggested = Vec::new();
    for (key, group) in by_name {
        // A name shared by many identities is a common name: suggest nothing.
        if group.len() < 2 || group.len() > 4 {
            continue;
        }
        let squashed: String = key.chars().filter(|c| c.is_alphanumeric()).collect();
        let names_of = |p: &Person| -> BTreeSet<String> {
            let mut n: BTreeSet<String> = p.emails.iter().map(|e| address_name(e)).collect();
            n.extend(
                p.logins
                    .iter()
                    .map(|l| l.chars().filter(|c| c.is_alphanumeric()).collect()),
            );
            n.retain(|x| x.len() >= 3);
            n
        };
        let mut weak_ids: BTreeSet<String> = BTreeSet::new();
        let mut reasons: BTreeSet<String> = BTreeSet::new();
        for (x, &a) in group.iter().enumerate() {
            for &b in &group[x + 1..] {
                let (pa, pb) = (&people.persons[a], &people.persons[b]);
                if is_rejected(&pa.id, &pb.id) {
                    continue;
                }
                let (na, nb) = (names_of(pa), names_of(pb));
                let shared = na.intersection(&nb).next().cloned();
                let spelled = [(&na, pb), (&nb, pa)]
                    .into_iter()
                    .find(|(n, _)| n.contains(&squashed))
                    .map(|_| squashed.clone());
                let one_word = !key.contains(' ');
                if let Some(why) = shared
                    .filter(|_| !one_word)
                    .map(|s| format!("same full name \"{}\" and address name {s}", pa.name))
                    .or_else(|| {
                        spelled.filter(|_| !one_word).map(|s| {
                            format!(
                                "same full name \"{}\" and a login that spells it ({s})",
                                pa.name
                            )
                        })
                    })
                {
                    strong.push((pa.id.clone(), pb.id.clone(), why));
                    continue;
                }
                weak_ids.insert(pa.id.clone());
                weak_ids.insert(pb.id.clone());
                let addrs = pa.emails.iter().chain(&pb.emails);
                let domains: BTreeSet<&str> = pa
                    .emails
                    .iter()
                    .chain(&pb.emails)
                    .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d))
                    .collect();
                let mut why = format!("same full name \"{}\"", pa.name);
                if let Some(u) = addrs.clone().find(|e| unroutable(e)) {
                    why.push_str(&format!("; one address is unroutable ({u})"));
                } else if !pa.emails.is_empty() && !pb.emails.is_empty() && domains.len() == 1 {
                    why.push_str("; both addresses on the same domain");
                }
                reasons.insert(why);
            }
        }
        if weak_ids.len() >= 2 {
            let evidence = group
                .iter()
                .map(|&i| &people.persons[i])
                .filter(|p| weak_ids.contains(&p.id))
                .map(|p| {
                    let mut ids: Vec<String> =
                        p.logins.iter().map(|l| format!("login {l}")).collect();
                    ids.extend(p.emails.iter().cloned());
                    format!("{}: {}", p.id, ids.join(", "))
                })
                .collect();
            suggested.push(SuggestedMerge {
                ids: weak_ids.into_iter().collect(),
                name: people.persons[group[0]].name.clone(),
                reason: reasons.into_iter().collect::<Vec<_>>().join("; "),
                evidence,
            });
        }
    }
    suggested.sort();
    (strong, suggested)
}

/// Links that are only safe when unambiguous: the author email of a PR's squash commit or of
/// all the commits the API lists for the PR ↔ the PR author's login. Skipped when the email
/// would link to two logins, or already belongs to another login.
fn weak_links(ds: &Dataset, g: &mut Graph, merges: &FastMap<usize, MergedPr>) {
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
    let mut merged: Vec<(&usize, &MergedPr)> = merges.iter().collect();
    merged.sort_by_key(|(ci, _)| **ci);
    for (ci, m) in merged {
        if let (true, Some((_, e))) = (m.head_is_person, &m.branch_author)
            && usable_email(e)
        {
            let sha7: String = ds.commits[*ci].sha.chars().take(7).collect();
            candidates
                .entry(e.clone())
                .or_default()
                .entry(m.head_owner.to_lowercase())
                .or_insert_with(|| {
                    format!(
                        "authored the commits of PR #{} (merged in {sha7})",
                        m.number
                    )
                });
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
    names: &HashMap<usize, BTreeMap<String, u64>>,
    user_names: &HashMap<usize, String>,
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
        let mut bare_names = Vec::new();
        for &m in &members {
            let k = &g.keys[m];
            if let Some(l) = k.strip_prefix("login:") {
                logins.push(l.to_string());
            } else if let Some(e) = k.strip_prefix("email:") {
                emails.push(e.to_string());
            } else if let Some(n) = k.strip_prefix("name:") {
                bare_names.push(n.to_string());
            }
        }
        logins.sort();
        emails.sort();
        bare_names.sort();
        let id = match (logins.first(), emails.first(), bare_names.first()) {
            (Some(l), _, _) => format!("login:{l}"),
            (None, Some(e), _) => format!("email:{e}"),
            (None, None, Some(n)) => format!("name:{n}"),
            (None, None, None) => continue,
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
        let team = bot.is_none()
            && name
                .as_deref()
                .and_then(|n| pats.team_reason(n, &emails))
                .map(|why| bot = Some(why))
                .is_some();
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
            team,
            bare_names,
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
        for n in &p.bare_names {
            people.by_name_only.insert(n.clone(), i);
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
        assert_eq!(
            trailer_email("Ann <ann@x.orgReviewed-by: Bo <bo@y.org>"),
            None,
            "two trailers glued together name no one"
        );
    }
}
