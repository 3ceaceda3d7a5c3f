//! GitHub's GraphQL JSON → contrail's domain types (no I/O).
//!
//! Shapes follow `queries/sync.graphql`. Everything GitHub may null out on a partial error is
//! optional, and null list entries are skipped, so valid data is always kept.

use crate::domain::{
    Event, EventKind, IdentityLink, Item, ItemKind, ItemState, Ts, User, UserKind,
};
use serde::Deserialize;
use serde_json::Value;

/// GitHub shows deleted accounts as `ghost`; GraphQL returns a null author for them.
pub const GHOST: &str = "ghost";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "__typename")]
    pub typename: Option<String>,
    pub login: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub database_id: Option<i64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conn<T> {
    pub total_count: Option<u64>,
    pub page_info: Option<PageInfo>,
    #[serde(default = "Vec::new")]
    pub nodes: Vec<Option<T>>,
}

impl<T> Conn<T> {
    /// The cursor to continue from when this page is not the last.
    pub fn next(&self) -> Option<String> {
        self.page_info
            .as_ref()
            .filter(|p| p.has_next_page)
            .and_then(|p| p.end_cursor.clone())
    }
}

#[derive(Debug, Deserialize)]
pub struct Name {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Login {
    pub login: String,
}

#[derive(Debug, Deserialize)]
pub struct Oid {
    pub oid: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: String,
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub created_at: Ts,
    pub body: Option<String>,
    pub author_association: Option<String>,
    pub author: Option<Actor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: String,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "crate::timefmt::de_rfc3339_opt")]
    pub submitted_at: Option<Ts>,
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub created_at: Ts,
    pub body: Option<String>,
    pub author_association: Option<String>,
    pub author: Option<Actor>,
    /// The review's inline comments (`PullRequestReview.comments`).
    pub comments: Option<Conn<Comment>>,
}

#[derive(Debug, Deserialize)]
pub struct PrCommit {
    pub commit: CommitInfo,
}

#[derive(Debug, Deserialize)]
pub struct CommitInfo {
    pub oid: String,
    pub author: Option<GitActor>,
}

#[derive(Debug, Deserialize)]
pub struct GitActor {
    pub email: Option<String>,
    pub user: Option<Login>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    #[serde(rename = "__typename")]
    pub typename: String,
    pub id: String,
    #[serde(default, deserialize_with = "crate::timefmt::de_rfc3339_opt")]
    pub created_at: Option<Ts>,
    pub state_reason: Option<String>,
    pub actor: Option<Actor>,
    pub closer: Option<Value>,
    pub commit: Option<Oid>,
    pub label: Option<Name>,
    pub assignee: Option<Value>,
    pub source: Option<Value>,
}

/// An issue or a pull request node (PR-only fields are absent on issues).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemNode {
    pub id: String,
    pub number: u64,
    pub url: String,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub created_at: Ts,
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub updated_at: Ts,
    #[serde(default, deserialize_with = "crate::timefmt::de_rfc3339_opt")]
    pub closed_at: Option<Ts>,
    pub author_association: Option<String>,
    pub author: Option<Actor>,
    pub labels: Option<Conn<Name>>,
    pub comments: Option<Conn<Comment>>,
    pub timeline_items: Option<Conn<TimelineEvent>>,
    pub is_draft: Option<bool>,
    #[serde(default, deserialize_with = "crate::timefmt::de_rfc3339_opt")]
    pub merged_at: Option<Ts>,
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
    pub changed_files: Option<i64>,
    pub merged_by: Option<Actor>,
    pub merge_commit: Option<Oid>,
    pub head_repository_owner: Option<Login>,
    pub reviews: Option<Conn<Review>>,
    pub commits: Option<Conn<PrCommit>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StarEdge {
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub starred_at: Ts,
    pub node: Option<StarUser>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StarUser {
    pub login: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub database_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StarConn {
    pub total_count: Option<u64>,
    pub page_info: Option<PageInfo>,
    #[serde(default = "Vec::new")]
    pub edges: Vec<Option<StarEdge>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForkNode {
    pub name_with_owner: String,
    #[serde(deserialize_with = "crate::timefmt::de_rfc3339")]
    pub created_at: Ts,
    pub owner: Option<Actor>,
}

/// The stars and forks of one `Observers` response (either may be absent: `@include`).
#[derive(Debug, Deserialize)]
pub struct Observers {
    pub stargazers: Option<StarConn>,
    pub forks: Option<Conn<ForkNode>>,
}

/// One node of a `CountIssues`/`CountPullRequests` page.
#[derive(Debug, Deserialize)]
pub struct CountNode {
    pub id: String,
    pub number: u64,
    pub comments: Option<Total>,
    pub reviews: Option<Total>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub total_count: u64,
}

/// Everything one page (plus its follow-ups) writes, in one transaction.
#[derive(Debug, Default)]
pub struct Batch {
    pub items: Vec<Item>,
    pub events: Vec<Event>,
    pub users: Vec<User>,
    pub item_commits: Vec<(u64, String)>,
    pub links: Vec<IdentityLink>,
}

fn kind_of(typename: Option<&str>) -> UserKind {
    match typename {
        Some("Bot") => UserKind::Bot,
        Some("Mannequin") => UserKind::Mannequin,
        Some("Organization") => UserKind::Organization,
        _ => UserKind::User,
    }
}

/// The login contrail stores: GraphQL spells bots without the `[bot]` suffix that REST, git
/// noreply emails and the bot lists use, so it is added back.
fn login_of(a: &Actor) -> String {
    if a.typename.as_deref() == Some("Bot") && !a.login.ends_with("[bot]") {
        format!("{}[bot]", a.login)
    } else {
        a.login.clone()
    }
}

impl Batch {
    /// Record the actor and return its login; a null actor is the `ghost` account when
    /// `null_is_ghost` (authors), else unknown (e.g. a timeline event with no actor).
    fn who(&mut self, a: Option<&Actor>, null_is_ghost: bool) -> Option<String> {
        match a {
            Some(a) => {
                let login = login_of(a);
                self.users.push(User {
                    login: login.clone(),
                    kind: kind_of(a.typename.as_deref()),
                    name: a.name.clone().filter(|n| !n.is_empty()),
                    company: a.company.clone().filter(|c| !c.is_empty()),
                    email: None,
                    database_id: a.database_id,
                });
                Some(login)
            }
            None if null_is_ghost => {
                self.users.push(User {
                    login: GHOST.into(),
                    kind: UserKind::User,
                    name: None,
                    company: None,
                    email: None,
                    database_id: None,
                });
                Some(GHOST.into())
            }
            None => None,
        }
    }

    pub fn add_item(&mut self, n: &ItemNode, kind: ItemKind) {
        let author = self.who(n.author.as_ref(), true);
        let merged_by = n.merged_by.as_ref().and_then(|a| self.who(Some(a), false));
        let state = match n.state.as_str() {
            "MERGED" => ItemState::Merged,
            "CLOSED" => ItemState::Closed,
            _ => ItemState::Open,
        };
        self.items.push(Item {
            number: n.number,
            kind,
            url: n.url.clone(),
            title: n.title.clone(),
            body: n.body.clone().unwrap_or_default(),
            author,
            author_association: n.author_association.clone(),
            state,
            is_draft: n.is_draft.unwrap_or(false),
            created_at: n.created_at,
            updated_at: n.updated_at,
            closed_at: n.closed_at,
            merged_at: n.merged_at,
            merged_by,
            merge_commit_sha: n.merge_commit.as_ref().map(|c| c.oid.clone()),
            additions: n.additions,
            deletions: n.deletions,
            changed_files: n.changed_files,
            labels: n
                .labels
                .iter()
                .flat_map(|c| c.nodes.iter().flatten())
                .map(|l| l.name.clone())
                .collect(),
            head_repo_owner: n.head_repository_owner.as_ref().map(|o| o.login.clone()),
        });
        if let Some(c) = &n.comments {
            self.add_comments(n.number, c);
        }
        if let Some(c) = &n.reviews {
            self.add_reviews(n.number, c);
        }
        if let Some(c) = &n.commits {
            self.add_commits(n.number, c);
        }
        if let Some(c) = &n.timeline_items {
            self.add_timeline(n.number, c);
        }
    }

    pub fn add_comments(&mut self, item: u64, c: &Conn<Comment>) {
        for cm in c.nodes.iter().flatten() {
            let actor = self.who(cm.author.as_ref(), true);
            self.events.push(Event {
                id: cm.id.as_str().into(),
                kind: EventKind::Comment,
                item: Some(item),
                actor: actor.map(Into::into),
                at: cm.created_at,
                association: cm.author_association.as_deref().map(Into::into),
                state: None,
                body: cm.body.as_deref().map(Into::into),
                target: None,
            });
        }
    }

    pub fn add_reviews(&mut self, item: u64, c: &Conn<Review>) {
        for r in c.nodes.iter().flatten() {
            let actor = self.who(r.author.as_ref(), true);
            self.events.push(Event {
                id: r.id.as_str().into(),
                kind: EventKind::Review,
                item: Some(item),
                actor: actor.map(Into::into),
                at: r.submitted_at.unwrap_or(r.created_at),
                association: r.author_association.as_deref().map(Into::into),
                state: r.state.as_deref().map(Into::into),
                body: r.body.as_deref().filter(|b| !b.is_empty()).map(Into::into),
                target: None,
            });
            if let Some(c) = &r.comments {
                self.add_review_comments(item, c);
            }
        }
    }

    /// Inline review comments (each belongs to a review by the same author).
    pub fn add_review_comments(&mut self, item: u64, c: &Conn<Comment>) {
        for cm in c.nodes.iter().flatten() {
            let actor = self.who(cm.author.as_ref(), true);
            self.events.push(Event {
                id: cm.id.as_str().into(),
                kind: EventKind::ReviewComment,
                item: Some(item),
                actor: actor.map(Into::into),
                at: cm.created_at,
                association: cm.author_association.as_deref().map(Into::into),
                state: None,
                body: cm.body.as_deref().map(Into::into),
                target: None,
            });
        }
    }

    /// A PR's commits: `item_commits`, and the commit author's email ↔ GitHub login.
    pub fn add_commits(&mut self, item: u64, c: &Conn<PrCommit>) {
        for pc in c.nodes.iter().flatten() {
            self.item_commits.push((item, pc.commit.oid.clone()));
            if let Some(GitActor {
                email: Some(email),
                user: Some(user),
            }) = &pc.commit.author
                && !email.is_empty()
            {
                self.links.push(IdentityLink {
                    email: email.clone(),
                    login: user.login.clone(),
                    reason: format!("authored the commits of PR #{item}"),
                });
            }
        }
    }

    pub fn add_timeline(&mut self, item: u64, c: &Conn<TimelineEvent>) {
        for t in c.nodes.iter().flatten() {
            let kind = match t.typename.as_str() {
                "ClosedEvent" => EventKind::Closed,
                "ReopenedEvent" => EventKind::Reopened,
                "MergedEvent" => EventKind::Merged,
                "LabeledEvent" => EventKind::Labeled,
                "UnlabeledEvent" => EventKind::Unlabeled,
                "AssignedEvent" => EventKind::Assigned,
                "CrossReferencedEvent" => EventKind::CrossReferenced,
                _ => continue,
            };
            // Every kind above has a `createdAt`; one without is skipped, not dated 1970.
            let Some(at) = t.created_at else { continue };
            let actor = self.who(t.actor.as_ref(), false);
            let target = match kind {
                EventKind::Closed => t.closer.as_ref().and_then(|c| {
                    c.get("oid")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| {
                            c.get("number")
                                .and_then(Value::as_u64)
                                .map(|n| format!("#{n}"))
                        })
                }),
                EventKind::Merged => t.commit.as_ref().map(|c| c.oid.clone()),
                EventKind::Labeled | EventKind::Unlabeled => {
                    t.label.as_ref().map(|l| l.name.clone())
                }
                EventKind::Assigned => t
                    .assignee
                    .as_ref()
                    .and_then(|a| a.get("login").and_then(Value::as_str))
                    .map(str::to_string),
                EventKind::CrossReferenced => t.source.as_ref().and_then(|s| {
                    let n = s.get("number").and_then(Value::as_u64)?;
                    let repo = s
                        .pointer("/repository/nameWithOwner")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    Some(format!("{repo}#{n}"))
                }),
                _ => None,
            };
            self.events.push(Event {
                id: t.id.as_str().into(),
                kind,
                item: Some(item),
                actor: actor.map(Into::into),
                at,
                association: None,
                state: t.state_reason.as_deref().map(Into::into),
                body: None,
                target: target.map(Into::into),
            });
        }
    }

    pub fn add_star(&mut self, e: &StarEdge) {
        let Some(u) = &e.node else { return };
        self.users.push(User {
            login: u.login.clone(),
            kind: UserKind::User,
            name: u.name.clone().filter(|n| !n.is_empty()),
            company: u.company.clone().filter(|c| !c.is_empty()),
            email: None,
            database_id: u.database_id,
        });
        self.events.push(Event {
            id: star_id(&u.login).into(),
            kind: EventKind::Star,
            item: None,
            actor: Some(u.login.as_str().into()),
            at: e.starred_at,
            association: None,
            state: None,
            body: None,
            target: None,
        });
    }

    /// A fork, as `fork:OWNER` (GitHub allows one fork of a repository per account), dated
    /// by the fork's creation; its owner may be a user or an organisation.
    pub fn add_fork(&mut self, f: &ForkNode) {
        let Some(owner) = self.who(f.owner.as_ref(), false) else {
            return;
        };
        self.events.push(Event {
            id: fork_id(&owner).into(),
            kind: EventKind::Fork,
            item: None,
            actor: Some(owner.as_str().into()),
            at: f.created_at,
            association: None,
            state: None,
            body: None,
            target: Some(f.name_with_owner.as_str().into()),
        });
    }
}

/// The event id of a star by `login`.
pub fn star_id(login: &str) -> String {
    format!("star:{login}")
}

/// The event id of the fork owned by `login`.
pub fn fork_id(login: &str) -> String {
    format!("fork:{login}")
}

/// The GitHub event kinds an item's page replaces (git-derived events are left alone).
pub const ITEM_EVENT_KINDS: [EventKind; 10] = [
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
];

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(updated_at: &str) -> serde_json::Value {
        serde_json::json!({
            "id": "I_1", "number": 1, "url": "https://github.com/o/r/issues/1", "title": "t",
            "state": "OPEN", "createdAt": "2024-03-01T12:00:00Z", "updatedAt": updated_at,
            "closedAt": null,
        })
    }

    #[test]
    fn an_item_with_an_unparsable_date_is_refused_not_dated_1970() {
        let ok: ItemNode = serde_json::from_value(issue("2024-03-02T12:00:00Z")).unwrap();
        assert_eq!(ok.updated_at, 1_709_380_800);
        assert_eq!(ok.closed_at, None);
        let err = serde_json::from_value::<ItemNode>(issue("last Tuesday")).unwrap_err();
        assert!(err.to_string().contains("not an RFC 3339 time"), "{err}");
    }

    #[test]
    fn a_timeline_event_without_a_date_is_skipped() {
        let page: Conn<TimelineEvent> = serde_json::from_value(serde_json::json!({
            "nodes": [
                {"__typename": "ClosedEvent", "id": "E_1"},
                {"__typename": "ReopenedEvent", "id": "E_2", "createdAt": "2024-03-01T12:00:00Z"},
            ]
        }))
        .unwrap();
        let mut b = Batch::default();
        b.add_timeline(1, &page);
        let ats: Vec<Ts> = b.events.iter().map(|e| e.at).collect();
        assert_eq!(ats, vec![1_709_294_400]);
    }
}
