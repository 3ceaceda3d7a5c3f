//! HTTP to GitHub through octocrab, with contrail's own retry policy.
//!
//! octocrab's built-in retry retries immediately and never on 403, so it is switched off and
//! every request goes through [`Transport::exchange`]: primary rate limits wait until the
//! reset, secondary limits wait `Retry-After` then back off exponentially, and 5xx, timeouts
//! and unreadable bodies are retried a bounded number of times with backoff.

use super::progress::Progress;
use super::token::Token;
use crate::error::{Error, Result};
use octocrab::Octocrab;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_layer::Layer;

/// The whole GraphQL document; each request names one operation in it.
pub const DOCUMENT: &str = include_str!("queries/sync.graphql");

/// Where REST and GraphQL live for an `--api-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub rest: String,
    pub graphql: String,
}

impl Endpoints {
    pub const GITHUB_COM: &'static str = "https://api.github.com";

    /// `https://api.github.com` → GraphQL at `/graphql`; GitHub Enterprise's
    /// `https://HOST/api/v3` → GraphQL at `https://HOST/api/graphql`.
    pub fn from_api_url(api_url: Option<&str>) -> Result<Endpoints> {
        let rest = api_url
            .unwrap_or(Self::GITHUB_COM)
            .trim()
            .trim_end_matches('/')
            .to_string();
        if !(rest.starts_with("https://") || rest.starts_with("http://")) {
            return Err(Error::Usage(format!(
                "--api-url {rest:?} is not an http(s) URL; use e.g. https://github.example.com/api/v3"
            )));
        }
        let graphql = match rest.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{rest}/graphql"),
        };
        Ok(Endpoints { rest, graphql })
    }

    /// The host name, for `gh auth token --hostname`.
    pub fn host(&self) -> Option<&str> {
        let after = self.rest.split_once("://")?.1;
        after.split(['/', ':']).next()
    }
}

/// Retry and wait settings. Tests cap `max_wait` so that nothing sleeps for real.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Transient failures (5xx, timeouts, bad bodies) tolerated in a row for one request.
    pub max_retries: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Upper bound of any real sleep; `None` sleeps as long as GitHub asks.
    pub max_wait: Option<Duration>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The longest wait the server may ask for (rate-limit reset, `Retry-After`); a longer
    /// one ends the sync with the time to resume (`github.max_wait`).
    pub server_wait_limit: Duration,
    /// The largest response body read, in bytes (`github.max_body_mb`).
    pub max_body: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_wait: None,
            timeout: Duration::from_secs(60),
            server_wait_limit: Duration::from_secs(3600),
            max_body: 64 << 20,
        }
    }
}

/// Counters of one sync, printed at the end and used by the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStats {
    pub rest_requests: u64,
    pub graphql_requests: u64,
    /// Sum of `rateLimit.cost` over all GraphQL responses.
    pub graphql_cost: u64,
    /// Last `rateLimit.remaining` seen.
    pub rate_limit_remaining: Option<u64>,
    /// Requests repeated after a transient failure or a rate limit.
    pub retries: u64,
    /// Every wait GitHub asked for (before any test cap), in order.
    pub waits: Vec<Duration>,
    /// GraphQL errors accepted alongside valid data after a retry.
    pub partial_errors: u64,
    /// Follow-up requests for nested connections that overflowed (the "overflow pages").
    pub overflow_pages: u64,
    /// REST pages of the organisation's member list (not part of the issue-3 minimum).
    pub member_pages: u64,
    pub issues: u64,
    pub pull_requests: u64,
    pub comments: u64,
    pub reviews: u64,
    pub timeline_events: u64,
    pub stars: u64,
    pub forks: u64,
    pub review_comments: u64,
    /// PR page size actually used (k in the request budget).
    pub pr_page_size: u32,
    /// Requests and GraphQL points spent reconciling counts (docs/github-sync.md).
    pub reconcile_requests: u64,
    pub reconcile_cost: u64,
    /// Issues and pull requests whose counts were compared.
    pub reconciled_items: u64,
    /// Items fetched again because their counts disagreed.
    pub refetched_items: u64,
    pub removed_stars: u64,
    pub removed_forks: u64,
    /// Comments, reviews and review comments that GitHub no longer has.
    pub removed_comments: u64,
}

impl SyncStats {
    pub fn requests(&self) -> u64 {
        self.rest_requests + self.graphql_requests
    }

    /// The request minimum for what this sync fetched (docs/github-sync.md):
    /// 1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ + ⌈F/100⌉ + overflow pages.
    pub fn minimum_requests(&self) -> u64 {
        let k = u64::from(self.pr_page_size.max(1));
        1 + self.issues.div_ceil(100)
            + self.pull_requests.div_ceil(k)
            + self.stars.div_ceil(100)
            + self.forks.div_ceil(100)
            + self.overflow_pages
    }
}

impl std::fmt::Display for SyncStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "github: {} issues, {} PRs, {} comments, {} reviews, {} review comments, {} timeline events, \
             {} stars, {} forks; \
             {} requests ({} REST, {} GraphQL, {} overflow pages, {} retries), GraphQL cost {}",
            self.issues,
            self.pull_requests,
            self.comments,
            self.reviews,
            self.review_comments,
            self.timeline_events,
            self.stars,
            self.forks,
            self.requests(),
            self.rest_requests,
            self.graphql_requests,
            self.overflow_pages,
            self.retries,
            self.graphql_cost
        )?;
        if let Some(r) = self.rate_limit_remaining {
            write!(f, ", rate limit {r} left")?;
        }
        if self.reconcile_requests > 0 {
            write!(
                f,
                "; reconciliation: {} items counted, {} fetched again, removed {} stars, {} forks, \
                 {} comments/reviews, cost {} requests and {} GraphQL points",
                self.reconciled_items,
                self.refetched_items,
                self.removed_stars,
                self.removed_forks,
                self.removed_comments,
                self.reconcile_requests,
                self.reconcile_cost
            )?;
        }
        Ok(())
    }
}

/// A REST reply the caller interprets (2xx, 304 or 404).
#[derive(Debug)]
pub struct RestReply {
    pub status: u16,
    pub etag: Option<String>,
    /// The `rel="next"` URL of a paginated list.
    pub next: Option<String>,
    pub body: Option<Value>,
}

/// One HTTP exchange as received.
struct Raw {
    status: u16,
    remaining: Option<u64>,
    reset: Option<i64>,
    retry_after: Option<u64>,
    etag: Option<String>,
    link: Option<String>,
    body: String,
}

enum Req<'a> {
    Rest {
        path: &'a str,
        etag: Option<&'a str>,
    },
    Graphql {
        body: &'a Value,
    },
}

/// Why a request is retried, for the user and the logs.
#[derive(Default)]
struct Attempts {
    /// Transient failures tolerated (the policy's, or fewer for a caller with a fallback).
    max_transient: u32,
    transient: u32,
    secondary: u32,
    /// Rate-limit waits for this request; bounded so a misbehaving server cannot hold a
    /// sync forever.
    limited: u32,
}

/// Rate-limit waits tolerated for one request before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 10;

impl Attempts {
    fn rate_limited(&mut self) -> Result<()> {
        self.limited += 1;
        if self.limited > MAX_RATE_LIMIT_WAITS {
            return Err(Error::GitHub(format!(
                "still rate limited after {MAX_RATE_LIMIT_WAITS} waits"
            )));
        }
        Ok(())
    }
}

/// Why one exchange produced no response to interpret.
enum SendError {
    /// Worth retrying (connection, timeout, a cut body).
    Transient(String),
    /// Not worth retrying (a body over the size cap).
    Fatal(Error),
}

pub struct Transport {
    /// GraphQL requests (operation + variables) that carried a page cursor and were answered:
    /// asking for one again means the server's cursor did not advance.
    seen_pages: std::collections::HashSet<String>,
    rest: Octocrab,
    gql: Octocrab,
    endpoints: Endpoints,
    repo: String,
    policy: RetryPolicy,
    /// When the last response said the budget is spent: wait for this reset first.
    pause_until: Option<i64>,
    pub stats: SyncStats,
    pub progress: Progress,
}

pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn build_client(base: &str, token: &Token, policy: &RetryPolicy) -> Result<Octocrab> {
    // A header value cannot hold control characters; say so instead of failing deep inside
    // the HTTP client.
    if token.expose().chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::Usage(
            "the GitHub token contains a line break, space or other control character; set GITHUB_TOKEN to the token alone".into(),
        ));
    }
    use octocrab::service::middleware::{
        auth_header::AuthHeaderLayer, extra_headers::ExtraHeadersLayer,
    };
    let base_uri: http::Uri = base
        .parse()
        .map_err(|e| Error::Usage(format!("invalid --api-url {base:?}: {e}")))?;
    let mut auth = http::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::BadToken)?;
    auth.set_sensitive(true);
    let _ = policy;
    // Proxies and CA certificates from the environment (docs/github-sync.md); octocrab's own
    // middleware for the User-Agent and for an Authorization header that is only ever sent
    // to the API's host (redirects elsewhere lose it).
    let client = super::net::client(Duration::from_secs(15))?;
    let client = tower_http::follow_redirect::FollowRedirectLayer::new().layer(client);
    let user_agent =
        http::HeaderValue::from_static(concat!("contrail/", env!("CARGO_PKG_VERSION")));
    octocrab::OctocrabBuilder::new_empty()
        .with_service(client)
        .with_layer(&ExtraHeadersLayer::new(std::sync::Arc::new(vec![(
            http::header::USER_AGENT,
            user_agent,
        )])))
        .with_layer(&AuthHeaderLayer::new(
            Some(auth),
            base_uri.clone(),
            base_uri,
        ))
        .with_auth(octocrab::AuthState::None)
        .build()
        .map_err(|e| Error::GitHub(format!("cannot build the HTTP client: {e}")))
}

impl Transport {
    pub fn new(
        endpoints: Endpoints,
        repo: &str,
        token: &Token,
        policy: RetryPolicy,
        progress: Progress,
    ) -> Result<Transport> {
        // GraphQL gets its own client whose base is the GraphQL URL itself: octocrab joins
        // relative paths to the base, and prefixes the base path to absolute ones that do not
        // start with it, so posting `/api/graphql` through a `…/api/v3` client would break.
        Ok(Transport {
            seen_pages: std::collections::HashSet::new(),
            rest: build_client(&endpoints.rest, token, &policy)?,
            gql: build_client(&endpoints.graphql, token, &policy)?,
            endpoints,
            repo: repo.to_string(),
            policy,
            pause_until: None,
            stats: SyncStats::default(),
            progress,
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    async fn send_once(&self, req: &Req<'_>) -> std::result::Result<Raw, SendError> {
        let fut = async {
            let resp = match req {
                Req::Rest { path, etag } => {
                    // Relative to the API URL, or an absolute `Link: rel="next"` URL.
                    let url = if path.starts_with("http") {
                        path.to_string()
                    } else {
                        format!("{}{}", self.endpoints.rest, path)
                    };
                    let mut headers = http::HeaderMap::new();
                    if let Some(tag) = etag.and_then(|t| http::HeaderValue::from_str(t).ok()) {
                        headers.insert(http::header::IF_NONE_MATCH, tag);
                    }
                    self.rest
                        ._get_with_headers(url.as_str(), Some(headers))
                        .await
                }
                Req::Graphql { body } => {
                    self.gql
                        ._post(self.endpoints.graphql.as_str(), Some(*body))
                        .await
                }
            }
            .map_err(|e| SendError::Transient(format!("connection failed: {e}")))?;
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let status = resp.status().as_u16();
            let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse().ok());
            let reset = header("x-ratelimit-reset").and_then(|v| v.parse().ok());
            let retry_after = header("retry-after").and_then(|v| v.parse().ok());
            let etag = header("etag");
            let link = header("link");
            let body = read_capped(resp.into_body(), self.policy.max_body).await?;
            Ok(Raw {
                status,
                remaining,
                reset,
                retry_after,
                etag,
                link,
                body,
            })
        };
        match tokio::time::timeout(self.policy.timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Transient(format!(
                "no response within {} s",
                self.policy.timeout.as_secs()
            ))),
        }
    }

    /// Sleep `d` (capped by the policy), showing why.
    async fn wait(&mut self, reason: &str, d: Duration) {
        self.stats.waits.push(d);
        tracing::info!(seconds = d.as_secs_f64(), "{reason}");
        let actual = self.policy.max_wait.map_or(d, |cap| d.min(cap));
        self.progress.countdown(reason, d, actual).await;
    }

    /// A wait the server asked for: longer than the policy's limit ends the sync with the
    /// time to resume (docs/safety.md).
    fn check_server_wait(&self, d: Duration) -> Result<()> {
        let limit = self.policy.server_wait_limit;
        if d <= limit {
            return Ok(());
        }
        let at = now_secs().saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        let today = crate::timefmt::iso(now_secs());
        let when = crate::timefmt::iso(at);
        let resume_at = if when.get(..10) == today.get(..10) {
            when.get(11..16).unwrap_or(&when).to_string()
        } else {
            format!(
                "{} {}",
                when.get(..10).unwrap_or(&when),
                when.get(11..16).unwrap_or("")
            )
        };
        Err(Error::WaitTooLong {
            wait: human_duration(d),
            max: human_duration(limit),
            resume_at,
        })
    }

    async fn wait_for_reset(&mut self, reset: Option<i64>) -> Result<()> {
        let secs = reset.map_or(60, |r| (r - now_secs()).max(0) + 1);
        // The one-second margin past the reset is ours, not the server's request.
        self.check_server_wait(Duration::from_secs(secs.saturating_sub(1) as u64))?;
        let until = crate::timefmt::iso(now_secs() + secs);
        let until = until.get(11..19).unwrap_or(&until);
        self.wait(
            &format!("GitHub rate limit reached; continuing after the reset at {until} UTC"),
            Duration::from_secs(secs as u64),
        )
        .await;
        Ok(())
    }

    /// Count a transient failure; back off, or give up after `max_retries` in a row.
    async fn transient(&mut self, att: &mut Attempts, what: String) -> Result<()> {
        att.transient += 1;
        if att.transient > att.max_transient {
            return Err(Error::GitHub(format!(
                "{what} ({} attempts)",
                att.transient
            )));
        }
        self.stats.retries += 1;
        let backoff = self
            .policy
            .base_backoff
            .saturating_mul(1 << (att.transient - 1).min(16))
            .min(self.policy.max_backoff);
        self.wait(&format!("{what}; retrying"), backoff).await;
        Ok(())
    }

    /// Send until GitHub gives an answer the caller must interpret (2xx, 304, 404), handling
    /// authentication failures, rate limits and transient errors on the way.
    async fn exchange(&mut self, req: &Req<'_>, att: &mut Attempts) -> Result<Raw> {
        loop {
            if let Some(reset) = self.pause_until.take()
                && reset > now_secs()
            {
                self.wait_for_reset(Some(reset)).await?;
            }
            match req {
                Req::Rest { .. } => self.stats.rest_requests += 1,
                Req::Graphql { .. } => self.stats.graphql_requests += 1,
            }
            let raw = match self.send_once(req).await {
                Ok(raw) => raw,
                Err(SendError::Transient(what)) => {
                    self.transient(att, what).await?;
                    continue;
                }
                Err(SendError::Fatal(e)) => return Err(e),
            };
            match raw.status {
                401 => return Err(Error::BadToken),
                403 | 429 if raw.remaining == Some(0) => {
                    att.rate_limited()?;
                    self.stats.retries += 1;
                    self.wait_for_reset(raw.reset).await?;
                }
                403 | 429
                    if raw.retry_after.is_some()
                        || raw
                            .body
                            .to_ascii_lowercase()
                            .contains("secondary rate limit") =>
                {
                    // Secondary limit: GitHub's Retry-After (else a minute), doubled each
                    // time it happens again for the same request.
                    att.rate_limited()?;
                    att.secondary += 1;
                    self.stats.retries += 1;
                    let base = raw.retry_after.unwrap_or(60).max(1);
                    let secs = base.saturating_mul(1 << (att.secondary - 1).min(6));
                    self.check_server_wait(Duration::from_secs(secs))?;
                    self.wait(
                        "GitHub secondary rate limit; backing off",
                        Duration::from_secs(secs),
                    )
                    .await;
                }
                429 => self.transient(att, "HTTP 429 from GitHub".into()).await?,
                403 => {
                    return Err(Error::AccessDenied {
                        reason: github_message(&raw.body),
                        fix: Error::ACCESS_FIX,
                    });
                }
                500..=599 => {
                    self.transient(att, format!("HTTP {} from GitHub", raw.status))
                        .await?
                }
                200..=299 | 304 | 404 => return Ok(raw),
                s => {
                    return Err(Error::GitHub(format!(
                        "unexpected HTTP {s}: {}",
                        github_message(&raw.body)
                    )));
                }
            }
        }
    }

    /// `GET` a REST path (relative to the API URL), with `If-None-Match` when an ETag is known.
    pub async fn rest_get(&mut self, path: &str, etag: Option<&str>) -> Result<RestReply> {
        let mut att = Attempts {
            max_transient: self.policy.max_retries,
            ..Attempts::default()
        };
        loop {
            let raw = self.exchange(&Req::Rest { path, etag }, &mut att).await?;
            if raw.status == 304 || raw.status == 404 {
                return Ok(RestReply {
                    status: raw.status,
                    etag: raw.etag,
                    next: None,
                    body: None,
                });
            }
            match serde_json::from_str::<Value>(&raw.body) {
                Ok(v) => {
                    return Ok(RestReply {
                        status: raw.status,
                        etag: raw.etag,
                        next: raw.link.as_deref().and_then(next_link),
                        body: Some(v),
                    });
                }
                Err(e) => {
                    self.transient(&mut att, format!("unreadable JSON from GitHub ({e})"))
                        .await?
                }
            }
        }
    }

    /// Run the operation `op` of [`DOCUMENT`] and return its `data`.
    ///
    /// `RATE_LIMITED` waits for the reset; a response without data is retried; a response
    /// with data and errors is retried once, then accepted (the valid part is kept, the
    /// errors are logged and counted).
    pub async fn graphql(&mut self, op: &str, variables: Value) -> Result<Value> {
        let retries = self.policy.max_retries;
        self.graphql_with_retries(op, variables, retries).await
    }

    /// [`Transport::graphql`] tolerating at most `max_retries` transient failures (a caller
    /// with a cheaper fallback, such as a smaller page, asks for fewer).
    pub async fn graphql_with_retries(
        &mut self,
        op: &str,
        variables: Value,
        max_retries: u32,
    ) -> Result<Value> {
        // A page cursor that does not advance would loop forever (docs/safety.md).
        let page_key = variables
            .get("cursor")
            .filter(|c| !c.is_null())
            .map(|_| format!("{op} {variables}"));
        if let Some(k) = &page_key
            && self.seen_pages.contains(k)
        {
            return Err(Error::GitHub(format!(
                "the server returned the same {op} page cursor twice (its pagination does not advance)"
            )));
        }
        let body = json!({ "query": DOCUMENT, "operationName": op, "variables": variables });
        let mut att = Attempts {
            max_transient: max_retries.min(self.policy.max_retries),
            ..Attempts::default()
        };
        let mut partial_seen = false;
        loop {
            let raw = self
                .exchange(&Req::Graphql { body: &body }, &mut att)
                .await?;
            if raw.status == 404 {
                return Err(Error::GitHub(format!(
                    "the GraphQL endpoint {} does not exist (HTTP 404); check --api-url",
                    self.endpoints.graphql
                )));
            }
            let mut v: Value = match serde_json::from_str(&raw.body) {
                Ok(v) => v,
                Err(e) => {
                    self.transient(&mut att, format!("unreadable JSON from GitHub ({e})"))
                        .await?;
                    continue;
                }
            };
            let errors = v
                .get("errors")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let data = v.get_mut("data").map(Value::take).unwrap_or(Value::Null);
            self.record_rate_limit(&data);
            if errors.is_empty() {
                if data.is_null() {
                    self.transient(&mut att, "empty GraphQL response".into())
                        .await?;
                    continue;
                }
                if let Some(k) = page_key {
                    self.seen_pages.insert(k);
                }
                return Ok(data);
            }
            let kind = |e: &Value| e.get("type").and_then(Value::as_str).map(str::to_string);
            if errors
                .iter()
                .any(|e| kind(e).as_deref() == Some("RATE_LIMITED"))
            {
                att.rate_limited()?;
                self.stats.retries += 1;
                let reset = raw.reset.or_else(|| reset_from(&data));
                self.wait_for_reset(reset).await?;
                continue;
            }
            let not_found = errors.iter().any(|e| {
                kind(e).as_deref() == Some("NOT_FOUND")
                    && e.pointer("/path/0").and_then(Value::as_str) == Some("repository")
            });
            if not_found && data.get("repository").is_none_or(Value::is_null) {
                return Err(Error::RepoNotFound(self.repo.clone()));
            }
            // Not transient: SAML enforcement or a token without access to the repository.
            if let Some(e) = errors
                .iter()
                .find(|e| kind(e).as_deref() == Some("FORBIDDEN"))
            {
                let msg = e.get("message").and_then(Value::as_str).unwrap_or("");
                let fix = if msg.contains("SAML") {
                    Error::SAML_FIX
                } else {
                    Error::ACCESS_FIX
                };
                return Err(Error::AccessDenied {
                    reason: msg.to_string(),
                    fix,
                });
            }
            let summary = errors
                .iter()
                .map(|e| {
                    let msg = e.get("message").and_then(Value::as_str).unwrap_or("error");
                    let path = e.get("path").map(|p| p.to_string()).unwrap_or_default();
                    format!("{msg} {path}")
                })
                .collect::<Vec<_>>()
                .join("; ");
            if data.is_null() || !partial_seen {
                partial_seen = !data.is_null();
                self.transient(&mut att, format!("GraphQL error: {summary}"))
                    .await?;
                continue;
            }
            self.stats.partial_errors += errors.len() as u64;
            tracing::warn!("GraphQL returned partial data; kept the valid part: {summary}");
            self.progress
                .note(&format!("kept partial data; GitHub reported: {summary}"));
            return Ok(data);
        }
    }

    fn record_rate_limit(&mut self, data: &Value) {
        let Some(rl) = data.get("rateLimit") else {
            return;
        };
        if let Some(cost) = rl.get("cost").and_then(Value::as_u64) {
            self.stats.graphql_cost += cost;
        }
        if let Some(rem) = rl.get("remaining").and_then(Value::as_u64) {
            self.stats.rate_limit_remaining = Some(rem);
            // Below one heavy query's cost: wait for the reset before the next request
            // instead of provoking a RATE_LIMITED error.
            if rem < 10 {
                self.pause_until = reset_from(data);
            }
        }
    }
}

fn reset_from(data: &Value) -> Option<i64> {
    data.pointer("/rateLimit/resetAt")
        .and_then(Value::as_str)
        .and_then(crate::timefmt::parse_rfc3339)
}

/// Read a response body of at most `max` bytes: a body that never ends, or a huge one, stops
/// the sync instead of growing memory without bound.
async fn read_capped<B>(mut body: B, max: usize) -> std::result::Result<String, SendError>
where
    B: http_body_util::BodyExt + Unpin,
    B::Data: AsRef<[u8]>,
    B::Error: std::fmt::Display,
{
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| SendError::Transient(format!("reading the response failed: {e}")))?;
        if let Ok(data) = frame.into_data() {
            let data = data.as_ref();
            if buf.len().saturating_add(data.len()) > max {
                return Err(SendError::Fatal(Error::GitHub(format!(
                    "the server's response is larger than github.max_body_mb ({} MiB); raise it in the config if the server is trusted",
                    max >> 20
                ))));
            }
            buf.extend_from_slice(data);
        }
    }
    String::from_utf8(buf)
        .map_err(|_| SendError::Transient("the response is not UTF-8".to_string()))
}

/// `1h 30m`, `45s`, `11d 14h` — for messages.
fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let parts: Vec<String> = [(days, "d"), (h, "h"), (m, "m"), (sec, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .take(2)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

/// The `rel="next"` target of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// GitHub's `message` field of an error body, or a short excerpt.
fn github_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_endpoint_for_github_com_and_enterprise() {
        let e = Endpoints::from_api_url(None).unwrap();
        assert_eq!(e.graphql, "https://api.github.com/graphql");
        let e = Endpoints::from_api_url(Some("https://ghe.example.com/api/v3/")).unwrap();
        assert_eq!(e.rest, "https://ghe.example.com/api/v3");
        assert_eq!(e.graphql, "https://ghe.example.com/api/graphql");
        assert_eq!(e.host(), Some("ghe.example.com"));
        assert!(Endpoints::from_api_url(Some("ghe.example.com")).is_err());
    }

    #[test]
    fn link_header_next_page() {
        let l = r#"<https://api.github.com/organizations/1/members?page=2>; rel="next", <https://api.github.com/organizations/1/members?page=5>; rel="last""#;
        assert_eq!(
            next_link(l).as_deref(),
            Some("https://api.github.com/organizations/1/members?page=2")
        );
        assert_eq!(next_link(r#"<https://x/y?page=1>; rel="prev""#), None);
    }

    #[test]
    fn request_minimum_follows_the_issue_formula() {
        let s = SyncStats {
            issues: 250,
            pull_requests: 120,
            stars: 100,
            overflow_pages: 4,
            pr_page_size: 50,
            ..SyncStats::default()
        };
        assert_eq!(s.minimum_requests(), 1 + 3 + 3 + 1 + 4);
    }
}
