//! A fake GitHub on 127.0.0.1 for the sync tests and the benchmark.
//!
//! A seeded in-memory [`Model`] of one repository is served with GitHub's real shapes: REST
//! `GET /repos/OWNER/NAME` (with ETag / 304) and GraphQL (cursor pagination with
//! `pageInfo { hasNextPage endCursor }`, nested connections with `totalCount`, `rateLimit`).
//! GraphQL requests are dispatched on `operationName`. Faults (rate limits, 5xx, truncated
//! bodies, partial errors, a kill switch) are queued by the tests. Works for GitHub.com-style
//! URLs (`/graphql`) and GitHub Enterprise ones (`/api/v3/...`, `/api/graphql`).
#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

pub const T0: i64 = 1_600_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct FUser {
    pub login: String,
    pub typename: &'static str,
    pub company: Option<String>,
    pub id: i64,
}

#[derive(Debug, Clone)]
pub struct FComment {
    pub id: String,
    pub author: Option<FUser>,
    pub assoc: &'static str,
    pub at: i64,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct FReview {
    pub id: String,
    pub author: Option<FUser>,
    pub assoc: &'static str,
    pub state: &'static str,
    pub at: i64,
    /// Inline review comments: by the review's author, drafted before it was submitted.
    pub comments: Vec<FComment>,
}

#[derive(Debug, Clone)]
pub struct FEvent {
    pub id: String,
    pub typename: &'static str,
    pub at: i64,
    pub actor: Option<FUser>,
    /// Label name, assignee login, closer/merge oid, or cross-reference number.
    pub arg: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FCommit {
    pub oid: String,
    pub email: String,
    pub login: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FItem {
    pub number: u64,
    pub is_pr: bool,
    pub author: Option<FUser>,
    pub assoc: &'static str,
    pub title: String,
    pub body: String,
    pub created: i64,
    pub updated: i64,
    pub closed: Option<i64>,
    pub merged: Option<(i64, FUser, String)>,
    pub labels: Vec<String>,
    pub comments: Vec<FComment>,
    pub reviews: Vec<FReview>,
    pub timeline: Vec<FEvent>,
    pub commits: Vec<FCommit>,
    pub head_owner: Option<String>,
}

impl FItem {
    pub fn node_id(&self) -> String {
        format!("{}_{}", if self.is_pr { "PR" } else { "I" }, self.number)
    }
}

#[derive(Debug, Clone)]
pub struct FStar {
    pub user: FUser,
    pub at: i64,
}

/// A fork owned by `owner` (a user or an organisation), created at `at`.
#[derive(Debug, Clone)]
pub struct FFork {
    pub owner: FUser,
    pub at: i64,
}

/// How big a repository to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub issues: usize,
    pub prs: usize,
    /// Average conversation comments per item.
    pub comments_per_item: usize,
    /// Average reviews per PR.
    pub reviews_per_pr: usize,
    pub stars: usize,
    /// Every n-th item overflows its nested connections (0: never).
    pub overflow_every: usize,
    pub forks: usize,
    /// Average inline comments per review.
    pub review_comments_per_review: usize,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub owner: String,
    pub name: String,
    pub items: Vec<FItem>,
    pub stars: Vec<FStar>,
    pub forks: Vec<FFork>,
    /// Organisation members visible to the token (`GET /orgs/OWNER/members`).
    pub members: Vec<String>,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

pub fn user(i: u64) -> FUser {
    FUser {
        login: format!("user{i}"),
        typename: "User",
        company: i.is_multiple_of(5).then(|| "Acme Corp".to_string()),
        id: 1000 + i as i64,
    }
}

pub fn bot() -> FUser {
    FUser {
        login: "dependabot".into(),
        typename: "Bot",
        company: None,
        id: 49699333,
    }
}

pub fn mannequin() -> FUser {
    FUser {
        login: "svn-import-42".into(),
        typename: "Mannequin",
        company: None,
        id: 77,
    }
}

const ASSOC: [&str; 4] = ["MEMBER", "CONTRIBUTOR", "NONE", "FIRST_TIME_CONTRIBUTOR"];

/// Users 290..299 hold COLLABORATOR association: it is on everything they write (items,
/// comments, reviews), which makes them maintainers by association alone.
pub fn collaborator(u: &Option<FUser>) -> bool {
    u.as_ref()
        .and_then(|u| u.login.strip_prefix("user"))
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| (290..300).contains(&n))
}

fn assoc_of(u: &Option<FUser>, drawn: &'static str) -> &'static str {
    if collaborator(u) {
        "COLLABORATOR"
    } else {
        drawn
    }
}

impl Model {
    /// A deterministic repository. Item 3 is by a deleted user (null author), item 5 by a
    /// bot, item 7 by a mannequin.
    pub fn generate(seed: u64, spec: Spec) -> Model {
        let mut rng = Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let n_items = spec.issues + spec.prs;
        let mut items = Vec::with_capacity(n_items);
        // Interleave issues and PRs the way real repositories do.
        let mut kinds: Vec<bool> = (0..n_items).map(|i| i < spec.prs).collect();
        for i in (1..kinds.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            kinds.swap(i, j);
        }
        let pool = 300;
        for (i, is_pr) in kinds.into_iter().enumerate() {
            let number = i as u64 + 1;
            let author = match number {
                3 => None,
                5 => Some(bot()),
                7 => Some(mannequin()),
                _ => Some(user(rng.below(pool))),
            };
            let created = T0 + i as i64 * 3600;
            let overflow =
                spec.overflow_every > 0 && number.is_multiple_of(spec.overflow_every as u64);
            let n_comments = if overflow {
                150
            } else {
                rng.below(2 * spec.comments_per_item as u64 + 1) as usize
            };
            let mut t = created;
            let mut comments = Vec::new();
            for c in 0..n_comments {
                t += 60 + rng.below(3600) as i64;
                let who = if c == 1 && number.is_multiple_of(11) {
                    None
                } else {
                    Some(user(rng.below(pool)))
                };
                let assoc = assoc_of(&who, ASSOC[rng.below(4) as usize]);
                comments.push(FComment {
                    id: format!("IC_{number}_{c}"),
                    author: who,
                    assoc,
                    at: t,
                    body: format!("comment {c} on #{number}"),
                });
            }
            let mut reviews = Vec::new();
            let mut commits = Vec::new();
            if is_pr {
                let n_reviews = if overflow {
                    105
                } else {
                    rng.below(2 * spec.reviews_per_pr as u64 + 1) as usize
                };
                for r in 0..n_reviews {
                    t += 60 + rng.below(3600) as i64;
                    let who = Some(user(rng.below(pool)));
                    let assoc = assoc_of(&who, ASSOC[rng.below(4) as usize]);
                    let state =
                        ["APPROVED", "CHANGES_REQUESTED", "COMMENTED"][rng.below(3) as usize];
                    // Inline comments are drafted before the review is submitted.
                    let n_rc = if overflow && r == 0 {
                        130
                    } else {
                        rng.below(2 * spec.review_comments_per_review as u64 + 1) as usize
                    };
                    let rc = (0..n_rc)
                        .map(|k| FComment {
                            id: format!("PRRC_{number}_{r}_{k}"),
                            author: who.clone(),
                            assoc,
                            at: (t - (n_rc - k) as i64 * 20).max(created),
                            body: format!("inline {k} of review {r} on #{number}"),
                        })
                        .collect();
                    reviews.push(FReview {
                        id: format!("PRR_{number}_{r}"),
                        author: who,
                        assoc,
                        state,
                        at: t,
                        comments: rc,
                    });
                }
                let n_commits = if overflow {
                    120
                } else {
                    1 + rng.below(3) as usize
                };
                for c in 0..n_commits {
                    let login = author.as_ref().map(|a| a.login.clone());
                    commits.push(FCommit {
                        oid: format!("{:040x}", number * 1000 + c as u64),
                        email: match &login {
                            Some(l) => format!("{l}@example.com"),
                            None => "gone@example.com".into(),
                        },
                        login,
                    });
                }
            }
            let mut timeline = Vec::new();
            let mut labels = Vec::new();
            let n_labels = if overflow && is_pr {
                101
            } else {
                rng.below(3) as usize
            };
            for l in 0..n_labels {
                t += 30;
                let name = ["bug", "docs", "enhancement"][l % 3].to_string();
                if !labels.contains(&name) {
                    labels.push(name.clone());
                }
                timeline.push(FEvent {
                    id: format!("LE_{number}_{l}"),
                    typename: "LabeledEvent",
                    at: t,
                    actor: Some(user(l as u64 % 10)),
                    arg: Some(name),
                });
            }
            if rng.below(4) == 0 {
                t += 60;
                timeline.push(FEvent {
                    id: format!("AE_{number}"),
                    typename: "AssignedEvent",
                    at: t,
                    actor: Some(user(1)),
                    arg: Some(user(2).login),
                });
            }
            if number > 10 && rng.below(5) == 0 {
                t += 60;
                timeline.push(FEvent {
                    id: format!("CRE_{number}"),
                    typename: "CrossReferencedEvent",
                    at: t,
                    actor: Some(user(3)),
                    arg: Some(format!("{}", number - 10)),
                });
            }
            let roll = rng.below(10);
            let mut closed = None;
            let mut merged = None;
            if is_pr && roll < 6 {
                t += 600;
                let by = if number == 5 {
                    bot()
                } else {
                    user(rng.below(10))
                };
                let oid = format!("{:040x}", 0xabc0_0000 + number);
                timeline.push(FEvent {
                    id: format!("ME_{number}"),
                    typename: "MergedEvent",
                    at: t,
                    actor: Some(by.clone()),
                    arg: Some(oid.clone()),
                });
                closed = Some(t);
                merged = Some((t, by, oid));
            } else if roll < 8 {
                t += 600;
                let by = if roll == 7 {
                    Some(bot())
                } else {
                    Some(user(rng.below(10)))
                };
                timeline.push(FEvent {
                    id: format!("CE_{number}"),
                    typename: "ClosedEvent",
                    at: t,
                    actor: by,
                    arg: None,
                });
                closed = Some(t);
            }
            let head_owner = if is_pr {
                author.as_ref().map(|a| a.login.clone())
            } else {
                None
            };
            let assoc = assoc_of(&author, ASSOC[rng.below(4) as usize]);
            items.push(FItem {
                number,
                is_pr,
                author,
                assoc,
                title: format!("item {number}"),
                body: format!("body of #{number}"),
                created,
                updated: t + 1,
                closed,
                merged,
                labels,
                comments,
                reviews,
                timeline,
                commits,
                head_owner,
            });
        }
        let stars = (0..spec.stars)
            .map(|j| FStar {
                user: if j < 50 {
                    user(j as u64)
                } else {
                    FUser {
                        login: format!("fan{j}"),
                        typename: "User",
                        company: None,
                        id: 100_000 + j as i64,
                    }
                },
                at: T0 + j as i64 * 977,
            })
            .collect();
        // One fork per account: pool users (some of whom also star or write) and outsiders,
        // every 25th owned by an organisation.
        let mut forks = Vec::with_capacity(spec.forks);
        let mut owners = std::collections::HashSet::new();
        let span = (n_items as i64 * 3600).max(3600);
        while forks.len() < spec.forks {
            let j = forks.len();
            let owner = if j % 25 == 24 {
                FUser {
                    login: format!("org{j}"),
                    typename: "Organization",
                    company: None,
                    id: 500_000 + j as i64,
                }
            } else if j % 2 == 0 {
                user(rng.below(pool))
            } else {
                FUser {
                    login: format!("forker{j}"),
                    typename: "User",
                    company: None,
                    id: 300_000 + j as i64,
                }
            };
            let at = T0 + rng.below(span as u64) as i64;
            if owners.insert(owner.login.clone()) {
                forks.push(FFork { owner, at });
            } else if owners.len() >= pool as usize + spec.forks {
                break;
            }
        }
        let members = (0..10)
            .map(|i| user(i).login)
            .chain((0..110).map(|i| format!("staff{i}")))
            .collect();
        Model {
            owner: "acme".into(),
            name: "rocket".into(),
            items,
            stars,
            forks,
            members,
        }
    }

    pub fn review_comments(&self) -> usize {
        self.items
            .iter()
            .flat_map(|i| &i.reviews)
            .map(|r| r.comments.len())
            .sum()
    }

    /// Delete comment `c` of item `number` without touching the item's `updatedAt` (GitHub
    /// does not bump it either).
    pub fn delete_comment(&mut self, number: u64, c: usize) -> String {
        self.items[number as usize - 1].comments.remove(c).id
    }

    pub fn totals(&self) -> (usize, usize, usize, usize, usize) {
        let issues = self.items.iter().filter(|i| !i.is_pr).count();
        let prs = self.items.len() - issues;
        let comments = self.items.iter().map(|i| i.comments.len()).sum();
        let reviews = self.items.iter().map(|i| i.reviews.len()).sum();
        (issues, prs, comments, reviews, self.stars.len())
    }

    /// A new comment on item `number` at `at` (bumps `updatedAt`).
    pub fn comment(&mut self, number: u64, at: i64, who: FUser) {
        let it = &mut self.items[number as usize - 1];
        let c = it.comments.len();
        it.comments.push(FComment {
            id: format!("IC_{number}_{c}"),
            author: Some(who),
            assoc: "NONE",
            at,
            body: "new comment".into(),
        });
        it.updated = it.updated.max(at);
    }
}

/// A fault served instead of the next GraphQL (or REST) response.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Plain HTTP status with a JSON message (5xx, 401, …).
    Status(u16),
    /// The real response cut in half.
    Truncated,
    /// HTTP 200 with `errors[].type == "RATE_LIMITED"` and no data.
    GraphqlRateLimited { reset_in: i64 },
    /// Primary limit over REST: 403 with `X-RateLimit-Remaining: 0` and a reset time.
    Primary { status: u16, reset_in: i64 },
    /// Secondary limit: 403 with `Retry-After`.
    Secondary { retry_after: u64 },
    /// Secondary limit announced only in the message (no `Retry-After`).
    SecondaryNoHeader,
    /// HTTP 200 with data whose first node is null and an error about it.
    Partial,
    /// `data.repository == null` with a NOT_FOUND error.
    NotFound,
    /// The real response, after this delay (a client timeout).
    Slow(std::time::Duration),
    /// `repository: null` with a FORBIDDEN error (organisation SAML enforcement).
    SamlForbidden,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub op: Option<String>,
}

pub struct State {
    pub model: Model,
    pub token: String,
    pub graphql_faults: VecDeque<Fault>,
    /// When set, `graphql_faults` only hit this operation.
    pub fault_op: Option<String>,
    pub rest_faults: VecDeque<Fault>,
    /// After this many requests, every request fails with 503 (a simulated crash).
    pub kill_after: Option<usize>,
    pub log: Vec<Logged>,
    pub remaining: i64,
    pub cost: i64,
    /// Added to every response (lets a test kill a client mid-sync).
    pub delay: Option<std::time::Duration>,
    /// `http://127.0.0.1:PORT`, for absolute `Link` URLs.
    pub base: String,
}

#[derive(Clone)]
pub struct FakeGitHub {
    pub server: Arc<MockServer>,
    pub state: Arc<Mutex<State>>,
}

pub const TOKEN: &str = "ghp_FAKEtoken0123456789SECRET";

impl FakeGitHub {
    pub async fn start(model: Model) -> FakeGitHub {
        let state = Arc::new(Mutex::new(State {
            model,
            token: TOKEN.into(),
            graphql_faults: VecDeque::new(),
            fault_op: None,
            rest_faults: VecDeque::new(),
            kill_after: None,
            log: Vec::new(),
            remaining: 5000,
            cost: 0,
            delay: None,
            base: String::new(),
        }));
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        state.lock().unwrap_or_else(|e| e.into_inner()).base = server.uri();
        FakeGitHub {
            server: Arc::new(server),
            state,
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `--api-url` in GitHub.com style: REST at the root, GraphQL at `/graphql`.
    pub fn api_url(&self) -> String {
        self.server.uri()
    }

    /// `--api-url` in GitHub Enterprise style: `/api/v3`, GraphQL at `/api/graphql`.
    pub fn ghe_api_url(&self) -> String {
        format!("{}/api/v3", self.server.uri())
    }

    pub fn requests(&self) -> usize {
        self.state().log.len()
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state().log.clone()
    }

    pub fn reset_log(&self) {
        self.state().log.clear();
    }
}

struct Responder(Arc<Mutex<State>>);

fn json_response(status: u16, v: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(v.to_string().into_bytes(), "application/json")
}

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let delay = st.delay;
        let resp = respond(&mut st, req);
        match delay {
            Some(d) => resp.set_delay(d),
            None => resp,
        }
    }
}

fn respond(st: &mut State, req: &Request) -> ResponseTemplate {
    {
        let path = req.url.path().to_string();
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let op = body
            .get("operationName")
            .and_then(Value::as_str)
            .map(str::to_string);
        st.log.push(Logged {
            method: req.method.to_string(),
            path: path.clone(),
            op: op.clone(),
        });
        if let Some(k) = st.kill_after
            && st.log.len() > k
        {
            return json_response(503, &json!({"message": "killed"}));
        }
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if auth != format!("Bearer {}", st.token) && auth != format!("token {}", st.token) {
            return json_response(401, &json!({"message": "Bad credentials"}));
        }
        let is_graphql =
            req.method.as_str() == "POST" && (path == "/graphql" || path == "/api/graphql");
        if is_graphql {
            let hit = st.fault_op.is_none() || st.fault_op == op;
            let fault = if hit {
                st.graphql_faults.pop_front()
            } else {
                None
            };
            return graphql(st, &body, fault);
        }
        let rest = path.strip_prefix("/api/v3").unwrap_or(&path);
        let repo_path = format!("/repos/{}/{}", st.model.owner, st.model.name);
        if req.method.as_str() == "GET" && rest == repo_path {
            if let Some(f) = st.rest_faults.pop_front() {
                return fault_response(f, None);
            }
            let etag = "\"repo-v1\"";
            if req
                .headers
                .get("if-none-match")
                .and_then(|v| v.to_str().ok())
                == Some(etag)
            {
                return ResponseTemplate::new(304).insert_header("etag", etag);
            }
            let full = format!("{}/{}", st.model.owner, st.model.name);
            return json_response(
                200,
                &json!({"full_name": full, "owner": {"login": st.model.owner, "type": "Organization"},
                        "stargazers_count": st.model.stars.len()}),
            )
            .insert_header("etag", etag);
        }
        if req.method.as_str() == "GET" && rest == format!("/orgs/{}/members", st.model.owner) {
            let page: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
            let per = 100;
            let etag = format!("\"members-{}\"", st.model.members.len());
            if page == 1
                && req
                    .headers
                    .get("if-none-match")
                    .and_then(|v| v.to_str().ok())
                    == Some(etag.as_str())
            {
                return ResponseTemplate::new(304).insert_header("etag", etag.as_str());
            }
            let chunk: Vec<Value> = st
                .model
                .members
                .iter()
                .skip((page - 1) * per)
                .take(per)
                .map(|l| json!({"login": l, "type": "User"}))
                .collect();
            let mut resp = json_response(200, &Value::Array(chunk));
            if page * per < st.model.members.len() {
                let base = format!("{}{}", st.base, path);
                resp = resp.insert_header(
                    "link",
                    format!("<{base}?per_page=100&page={}>; rel=\"next\"", page + 1).as_str(),
                );
            }
            if page == 1 {
                resp = resp.insert_header("etag", etag.as_str());
            }
            return resp;
        }
        json_response(404, &json!({"message": "Not Found"}))
    }
}

fn fault_response(f: Fault, real: Option<Value>) -> ResponseTemplate {
    let reset = |s: i64| (now() + s).to_string();
    match f {
        Fault::Status(s) => json_response(s, &json!({"message": format!("fault {s}")})),
        Fault::Truncated => {
            let text = real.unwrap_or(json!({"data": {}})).to_string();
            let half = text.len() / 2;
            ResponseTemplate::new(200)
                .set_body_raw(text.as_bytes()[..half].to_vec(), "application/json")
        }
        Fault::GraphqlRateLimited { reset_in } => json_response(
            200,
            &json!({"data": null, "errors": [{"type": "RATE_LIMITED",
                "message": "API rate limit exceeded for user ID 1."}]}),
        )
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset(reset_in)),
        Fault::Primary { status, reset_in } => {
            json_response(status, &json!({"message": "API rate limit exceeded"}))
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset(reset_in))
        }
        Fault::Secondary { retry_after } => json_response(
            403,
            &json!({"message": "You have exceeded a secondary rate limit."}),
        )
        .insert_header("retry-after", retry_after.to_string()),
        Fault::SecondaryNoHeader => json_response(
            403,
            &json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
        ),
        Fault::Partial => {
            let mut v = real.unwrap_or(json!({"data": {}}));
            let mut nulled = false;
            if let Some(repo) = v.pointer_mut("/data/repository")
                && let Some(obj) = repo.as_object_mut()
            {
                for conn in obj.values_mut() {
                    if let Some(first) = conn
                        .get_mut("nodes")
                        .and_then(|n| n.as_array_mut())
                        .and_then(|a| a.first_mut())
                    {
                        *first = Value::Null;
                        nulled = true;
                    }
                }
            }
            v["errors"] = json!([{"type": "SERVICE_UNAVAILABLE", "message": "Something went wrong",
                "path": ["repository", "nodes", 0], "nulled": nulled}]);
            json_response(200, &v)
        }
        Fault::Slow(d) => json_response(200, &real.unwrap_or(json!({"data": {}}))).set_delay(d),
        Fault::SamlForbidden => json_response(
            200,
            &json!({"data": {"repository": null}, "errors": [{"type": "FORBIDDEN",
                "path": ["repository"],
                "message": "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."}]}),
        ),
        Fault::NotFound => json_response(
            200,
            &json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND",
                "path": ["repository"], "message": "Could not resolve to a Repository."}]}),
        ),
    }
}

fn actor(u: &Option<FUser>) -> Value {
    match u {
        None => Value::Null,
        Some(u) => match u.typename {
            "User" => {
                json!({"__typename": "User", "login": u.login, "name": format!("Name of {}", u.login),
                       "company": u.company, "databaseId": u.id})
            }
            t => json!({"__typename": t, "login": u.login, "databaseId": u.id}),
        },
    }
}

/// A nested connection page: `first` entries from `offset`, with `totalCount`/`pageInfo`.
fn page<T>(all: &[T], offset: usize, first: usize, f: impl Fn(&T) -> Value) -> Value {
    let end = (offset + first).min(all.len());
    let nodes: Vec<Value> = all[offset.min(end)..end].iter().map(f).collect();
    json!({
        "totalCount": all.len(),
        "pageInfo": {"hasNextPage": end < all.len(), "endCursor": format!("o:{end}")},
        "nodes": nodes,
    })
}

fn comment_json(c: &FComment) -> Value {
    json!({"id": c.id, "createdAt": iso(c.at), "body": c.body, "authorAssociation": c.assoc,
           "author": actor(&c.author)})
}

fn review_json(r: &FReview) -> Value {
    json!({"id": r.id, "state": r.state, "submittedAt": iso(r.at), "createdAt": iso(r.at),
           "body": "", "authorAssociation": r.assoc, "author": actor(&r.author),
           "comments": page(&r.comments, 0, 100, comment_json)})
}

/// GitHub's GraphQL cost: the connections a query may open (each assumed full), ÷ 100,
/// at least 1 (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api).
fn cost_of(connections: usize) -> i64 {
    ((connections as i64 + 50) / 100).max(1)
}

/// Connections under one pull request of a page: labels, comments, reviews, commits,
/// timeline, and the inline comments of each of its (first 20) reviews.
const PR_CONNECTIONS: usize = 5 + 20;

fn commit_json(c: &FCommit) -> Value {
    json!({"commit": {"oid": c.oid, "author": {"email": c.email,
        "user": c.login.as_ref().map(|l| json!({"login": l}))}}})
}

fn event_json(e: &FEvent, owner: &str, name: &str) -> Value {
    let mut v = json!({"__typename": e.typename, "id": e.id, "createdAt": iso(e.at),
                       "actor": actor(&e.actor)});
    match e.typename {
        "ClosedEvent" => {
            v["stateReason"] = json!("COMPLETED");
            v["closer"] = Value::Null;
        }
        "MergedEvent" => v["commit"] = json!({"oid": e.arg}),
        "LabeledEvent" | "UnlabeledEvent" => v["label"] = json!({"name": e.arg}),
        "AssignedEvent" => v["assignee"] = json!({"__typename": "User", "login": e.arg}),
        "CrossReferencedEvent" => {
            let n: u64 = e.arg.as_deref().and_then(|a| a.parse().ok()).unwrap_or(1);
            v["source"] = json!({"__typename": "Issue", "number": n,
                                 "repository": {"nameWithOwner": format!("{owner}/{name}")}})
        }
        _ => {}
    }
    v
}

fn item_json(it: &FItem, owner: &str, name: &str) -> Value {
    let state = if it.merged.is_some() {
        "MERGED"
    } else if it.closed.is_some() {
        "CLOSED"
    } else {
        "OPEN"
    };
    let mut v = json!({
        "id": it.node_id(), "number": it.number,
        "url": format!("https://github.com/{owner}/{name}/{}/{}", if it.is_pr {"pull"} else {"issues"}, it.number),
        "title": it.title, "body": it.body, "state": state,
        "createdAt": iso(it.created), "updatedAt": iso(it.updated),
        "closedAt": it.closed.map(iso), "authorAssociation": it.assoc,
        "author": actor(&it.author),
        "labels": {"nodes": it.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>()},
        "comments": page(&it.comments, 0, 100, comment_json),
        "timelineItems": page(&it.timeline, 0, 100, |e| event_json(e, owner, name)),
    });
    if it.is_pr {
        v["stateReason"] = Value::Null;
        v["isDraft"] = json!(false);
        v["mergedAt"] = json!(it.merged.as_ref().map(|m| iso(m.0)));
        v["mergedBy"] = it
            .merged
            .as_ref()
            .map_or(Value::Null, |m| actor(&Some(m.1.clone())));
        v["mergeCommit"] = it
            .merged
            .as_ref()
            .map_or(Value::Null, |m| json!({"oid": m.2}));
        v["additions"] = json!(it.number * 3);
        v["deletions"] = json!(it.number % 7);
        v["changedFiles"] = json!(1 + it.number % 4);
        v["headRepositoryOwner"] = it
            .head_owner
            .as_ref()
            .map_or(Value::Null, |o| json!({"login": o}));
        v["reviews"] = page(&it.reviews, 0, 20, review_json);
        v["commits"] = page(&it.commits, 0, 100, commit_json);
    } else {
        v["stateReason"] = json!(if it.closed.is_some() {
            "COMPLETED"
        } else {
            "REOPENED"
        });
    }
    v
}

fn cursor_key(c: Option<&str>) -> Option<(i64, String)> {
    let c = c?;
    let rest = c.strip_prefix("k:")?;
    let (t, k) = rest.split_once(':')?;
    Some((t.parse().ok()?, k.to_string()))
}

fn offset(c: Option<&str>) -> usize {
    c.and_then(|c| c.strip_prefix("o:"))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
}

fn graphql(st: &mut State, body: &Value, fault: Option<Fault>) -> ResponseTemplate {
    let query = body.get("query").and_then(Value::as_str).unwrap_or("");
    let op = body
        .get("operationName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let vars = body.get("variables").cloned().unwrap_or(Value::Null);
    let var = |k: &str| vars.get(k).and_then(Value::as_str).map(str::to_string);
    if !query.contains(&format!("query {op}(")) || !query.contains("rateLimit") {
        return json_response(
            200,
            &json!({"errors": [{"message": format!("unknown operation {op}")}]}),
        );
    }
    if let Some(Fault::NotFound) = fault {
        return fault_response(Fault::NotFound, None);
    }
    let (owner, name) = (st.model.owner.clone(), st.model.name.clone());
    if matches!(
        op,
        "Issues" | "PullRequests" | "Observers" | "CountIssues" | "CountPullRequests"
    ) && (var("owner").as_deref() != Some(&owner) || var("name").as_deref() != Some(&name))
    {
        return fault_response(Fault::NotFound, None);
    }
    let cursor = var("cursor");
    let (data, cost) = match op {
        "Issues" => {
            // (Issues: labels, comments and timeline under each of 100 issues.)
            let since = var("since").and_then(|s| {
                chrono::DateTime::parse_from_rfc3339(&s)
                    .ok()
                    .map(|d| d.timestamp())
            });
            let mut v: Vec<&FItem> = st
                .model
                .items
                .iter()
                .filter(|i| !i.is_pr && since.is_none_or(|s| i.updated >= s))
                .collect();
            v.sort_by_key(|i| (i.updated, i.number));
            let total = v.len();
            if let Some((t, n)) = cursor_key(cursor.as_deref()) {
                let n: u64 = n.parse().unwrap_or(0);
                v.retain(|i| (i.updated, i.number) > (t, n));
            }
            let more = v.len() > 100;
            v.truncate(100);
            let end = v.last().map(|i| format!("k:{}:{}", i.updated, i.number));
            let nodes: Vec<Value> = v.iter().map(|i| item_json(i, &owner, &name)).collect();
            (
                json!({"repository": {"issues": {"totalCount": total,
                    "pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes}}}),
                cost_of(1 + 100 * 3),
            )
        }
        "PullRequests" => {
            let first = vars.get("first").and_then(Value::as_u64).unwrap_or(50) as usize;
            let mut v: Vec<&FItem> = st.model.items.iter().filter(|i| i.is_pr).collect();
            v.sort_by_key(|i| std::cmp::Reverse((i.updated, i.number)));
            let total = v.len();
            if let Some((t, n)) = cursor_key(cursor.as_deref()) {
                let n: u64 = n.parse().unwrap_or(0);
                v.retain(|i| (i.updated, i.number) < (t, n));
            }
            let more = v.len() > first;
            v.truncate(first);
            let end = v.last().map(|i| format!("k:{}:{}", i.updated, i.number));
            let nodes: Vec<Value> = v.iter().map(|i| item_json(i, &owner, &name)).collect();
            let cost = cost_of(1 + first * PR_CONNECTIONS);
            (
                json!({"repository": {"pullRequests": {"totalCount": total,
                    "pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes}}}),
                cost,
            )
        }
        "Observers" => {
            let flag = |k: &str| vars.get(k).and_then(Value::as_bool).unwrap_or(false);
            let mut repo = json!({});
            let mut requests = 0;
            if flag("stars") {
                requests += 1;
                let mut v: Vec<&FStar> = st.model.stars.iter().collect();
                v.sort_by(|a, b| (b.at, &b.user.login).cmp(&(a.at, &a.user.login)));
                let total = v.len();
                if let Some((t, l)) = cursor_key(var("starCursor").as_deref()) {
                    v.retain(|s| (s.at, s.user.login.clone()) < (t, l.clone()));
                }
                let more = v.len() > 100;
                v.truncate(100);
                let end = v.last().map(|s| format!("k:{}:{}", s.at, s.user.login));
                let edges: Vec<Value> = v
                    .iter()
                    .map(|s| {
                        json!({"starredAt": iso(s.at), "node": {"login": s.user.login,
                        "name": format!("Name of {}", s.user.login),
                        "company": s.user.company, "databaseId": s.user.id}})
                    })
                    .collect();
                repo["stargazers"] = json!({"totalCount": total,
                    "pageInfo": {"hasNextPage": more, "endCursor": end}, "edges": edges});
            }
            if flag("forks") {
                requests += 1;
                let mut v: Vec<&FFork> = st.model.forks.iter().collect();
                v.sort_by(|a, b| (b.at, &b.owner.login).cmp(&(a.at, &a.owner.login)));
                let total = v.len();
                if let Some((t, l)) = cursor_key(var("forkCursor").as_deref()) {
                    v.retain(|f| (f.at, f.owner.login.clone()) < (t, l.clone()));
                }
                let more = v.len() > 100;
                v.truncate(100);
                let end = v.last().map(|f| format!("k:{}:{}", f.at, f.owner.login));
                let nodes: Vec<Value> = v
                    .iter()
                    .map(|f| {
                        json!({"nameWithOwner": format!("{}/{name}", f.owner.login),
                               "createdAt": iso(f.at), "owner": actor(&Some(f.owner.clone()))})
                    })
                    .collect();
                repo["forks"] = json!({"totalCount": total,
                    "pageInfo": {"hasNextPage": more, "endCursor": end}, "nodes": nodes});
            }
            (json!({ "repository": repo }), cost_of(requests))
        }
        "CountIssues" | "CountPullRequests" => {
            let prs = op == "CountPullRequests";
            let mut v: Vec<&FItem> = st.model.items.iter().filter(|i| i.is_pr == prs).collect();
            v.sort_by_key(|i| i.number);
            let total = v.len();
            let o = offset(cursor.as_deref());
            let end = (o + 100).min(total);
            let nodes: Vec<Value> = v[o.min(end)..end]
                .iter()
                .map(|i| {
                    let mut n = json!({"id": i.node_id(), "number": i.number,
                                       "comments": {"totalCount": i.comments.len()}});
                    if prs {
                        n["reviews"] = json!({"totalCount": i.reviews.len()});
                    }
                    n
                })
                .collect();
            let field = if prs { "pullRequests" } else { "issues" };
            (
                json!({"repository": {field: {"totalCount": total,
                    "pageInfo": {"hasNextPage": end < total, "endCursor": format!("o:{end}")},
                    "nodes": nodes}}}),
                cost_of(1 + 100 * if prs { 2 } else { 1 }),
            )
        }
        "RefetchIssues" | "RefetchPullRequests" => {
            let prs = op == "RefetchPullRequests";
            let ids: Vec<String> = vars
                .get("ids")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let nodes: Vec<Value> = ids
                .iter()
                .map(
                    |id| match st.model.items.iter().find(|i| &i.node_id() == id) {
                        Some(i) if i.is_pr == prs => item_json(i, &owner, &name),
                        Some(_) => json!({}),
                        None => Value::Null,
                    },
                )
                .collect();
            let per = if prs { PR_CONNECTIONS } else { 3 };
            (json!({ "nodes": nodes }), cost_of(ids.len() * per))
        }
        "MoreReviewComments" => {
            let id = var("id").unwrap_or_default();
            let review = st
                .model
                .items
                .iter()
                .flat_map(|i| &i.reviews)
                .find(|r| r.id == id);
            let Some(r) = review else {
                return json_response(
                    200,
                    &json!({"data": {"node": null},
                    "errors": [{"type": "NOT_FOUND", "path": ["node"], "message": "no node"}]}),
                );
            };
            let o = offset(cursor.as_deref());
            (
                json!({"node": {"comments": page(&r.comments, o, 100, comment_json)}}),
                1,
            )
        }
        "MoreComments" | "MoreReviews" | "MoreCommits" | "MoreTimeline" => {
            let id = var("id").unwrap_or_default();
            let Some(it) = st.model.items.iter().find(|i| i.node_id() == id) else {
                return json_response(
                    200,
                    &json!({"data": {"node": null},
                    "errors": [{"type": "NOT_FOUND", "path": ["node"], "message": "no node"}]}),
                );
            };
            let o = offset(cursor.as_deref());
            let node = match op {
                "MoreComments" => json!({"comments": page(&it.comments, o, 100, comment_json)}),
                "MoreReviews" => json!({"reviews": page(&it.reviews, o, 100, review_json)}),
                // (MoreReviews nests the reviews' inline comments: 1 + 100 connections.)
                "MoreCommits" => json!({"commits": page(&it.commits, o, 100, commit_json)}),
                _ => {
                    json!({"timelineItems": page(&it.timeline, o, 100, |e| event_json(e, &owner, &name))})
                }
            };
            (json!({"node": node}), 1)
        }
        _ => {
            return json_response(
                200,
                &json!({"errors": [{"message": format!("unknown operation {op}")}]}),
            );
        }
    };
    st.remaining -= cost;
    st.cost += cost;
    let mut data = data;
    data["rateLimit"] = json!({"cost": cost, "remaining": st.remaining.max(0),
                               "resetAt": iso(now() + 3600)});
    let full = json!({ "data": data });
    match fault {
        Some(f) => fault_response(f, Some(full)),
        None => json_response(200, &full),
    }
}

/// The ladder rungs (docs/github-sync.md: what the sync fetches for each rung) that GitHub
/// data alone shows, computed straight from the model: login → rung name → first date.
/// Bots and the `ghost` account are not people; everything else follows the ladder's
/// definitions rung by rung.
pub type Truth = std::collections::BTreeMap<String, std::collections::BTreeMap<&'static str, i64>>;

impl Model {
    pub fn truth(&self) -> Truth {
        let mut t = Truth::new();
        let person = |u: &Option<FUser>| -> Option<String> {
            u.as_ref()
                .filter(|u| u.typename != "Bot")
                .map(|u| u.login.to_lowercase())
        };
        let offer = |t: &mut Truth, who: Option<String>, rung: &'static str, at: i64| {
            if let Some(w) = who {
                let e = t.entry(w).or_default().entry(rung).or_insert(at);
                *e = (*e).min(at);
            }
        };
        let maint = |a: &str| a == "COLLABORATOR" || a == "OWNER";
        for s in &self.stars {
            offer(&mut t, person(&Some(s.user.clone())), "observer", s.at);
        }
        for f in &self.forks {
            offer(&mut t, person(&Some(f.owner.clone())), "observer", f.at);
        }
        let mut merged: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
        for it in &self.items {
            let author = person(&it.author);
            let other = |who: &Option<String>| who.is_some() && *who != author;
            if it.is_pr {
                offer(&mut t, author.clone(), "contributor", it.created);
            } else {
                offer(&mut t, author.clone(), "participant", it.created);
            }
            if maint(it.assoc) {
                offer(&mut t, author.clone(), "maintainer", it.created);
            }
            for c in &it.comments {
                let who = person(&c.author);
                offer(&mut t, who.clone(), "participant", c.at);
                if maint(c.assoc) {
                    offer(&mut t, who, "maintainer", c.at);
                }
            }
            for r in &it.reviews {
                let who = person(&r.author);
                offer(&mut t, who.clone(), "participant", r.at);
                if other(&who) && matches!(r.state, "APPROVED" | "CHANGES_REQUESTED") {
                    offer(&mut t, who.clone(), "reviewer", r.at);
                }
                if maint(r.assoc) {
                    offer(&mut t, who.clone(), "maintainer", r.at);
                }
                for c in &r.comments {
                    offer(&mut t, who.clone(), "participant", c.at);
                    if maint(c.assoc) {
                        offer(&mut t, who.clone(), "maintainer", c.at);
                    }
                }
            }
            for e in &it.timeline {
                let who = person(&e.actor);
                if matches!(e.typename, "MergedEvent" | "ClosedEvent" | "LabeledEvent")
                    && other(&who)
                    && author.is_some()
                {
                    offer(&mut t, who, "maintainer", e.at);
                }
            }
            if let Some((at, by, _)) = &it.merged {
                let by = person(&Some(by.clone()));
                if other(&by) && author.is_some() {
                    offer(&mut t, by, "maintainer", *at);
                }
                if let Some(a) = &author {
                    offer(&mut t, author.clone(), "merged", *at);
                    merged.entry(a.clone()).or_default().push(*at);
                }
            }
        }
        // regular: ≥ 3 merged PRs in ≥ 2 distinct calendar months (the defaults).
        for (who, mut ats) in merged {
            ats.sort();
            let mut months = std::collections::BTreeSet::new();
            for (k, at) in ats.iter().enumerate() {
                let d = chrono::DateTime::from_timestamp(*at, 0).unwrap_or_default();
                months.insert(d.format("%Y-%m").to_string());
                if k + 1 >= 3 && months.len() >= 2 {
                    offer(&mut t, Some(who.clone()), "regular", *at);
                    break;
                }
            }
        }
        t.remove("ghost");
        t
    }
}

/// (exact, total, misses): how many (person, rung) dates of `truth` the report has exactly.
/// A rung the report misses, or dates differently, is a miss.
pub fn score(report: &contrail::report::Report, truth: &Truth) -> (usize, usize, Vec<String>) {
    let mut found: std::collections::BTreeMap<String, &std::collections::BTreeMap<String, String>> =
        Default::default();
    for c in &report.contributors {
        for l in &c.logins {
            found.insert(l.to_lowercase(), &c.stages);
        }
    }
    let (mut exact, mut total, mut misses) = (0, 0, Vec::new());
    for (login, rungs) in truth {
        for (rung, at) in rungs {
            total += 1;
            let got = found
                .get(login)
                .and_then(|s| s.get(*rung))
                .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
                .map(|d| d.timestamp());
            if got == Some(*at) {
                exact += 1;
            } else {
                misses.push(format!("{login} {rung}: truth {at}, got {got:?}"));
            }
        }
    }
    (exact, total, misses)
}
