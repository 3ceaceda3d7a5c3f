//! GitHub → store: GraphQL-first sync through octocrab (docs/github-sync.md).
//!
//! - [`token`]: where the token comes from, and a type that never prints it.
//! - [`transport`]: octocrab clients for REST and GraphQL (GitHub Enterprise aware), with
//!   rate-limit waits and bounded retries.
//! - [`convert`]: GraphQL JSON → domain types.
//! - [`sync`]: the resumable, incremental collections.
//! - [`progress`]: bars on a terminal, plain lines elsewhere.

pub mod convert;
pub mod net;
pub mod progress;
pub mod sync;
pub mod token;
pub mod transport;

pub use progress::{ProgressMode, ProgressSink};
pub use sync::{Reconcile, SyncOptions, parse_since, sync};
pub use token::Token;
pub use transport::{Endpoints, RetryPolicy, SyncStats};

use crate::error::{Error, Result};
use crate::store::Store;
use std::time::Duration;

/// Caps every rate-limit/backoff sleep at this many milliseconds (tests and benchmarks only).
pub const MAX_WAIT_ENV: &str = "CONTRAIL_GITHUB_MAX_WAIT_MS";

/// A GitHub sync whose inputs are checked and whose token is found, ready to run.
/// Preparing before the database is opened means a missing token or a malformed argument
/// leaves no file behind.
#[derive(Debug)]
pub struct Prepared {
    repo: String,
    token: Token,
    opts: SyncOptions,
}

/// What the user asked of a sync (the command line's `sync` flags, without clap).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--api-url`: a GitHub Enterprise Server (or the fake GitHub of the tests).
    pub api_url: Option<String>,
    /// `--since`: only items updated since this date.
    pub since: Option<String>,
    /// `--no-progress`: plain lines instead of progress bars.
    pub no_progress: bool,
    /// `--reconcile`: re-check every item now instead of every few days.
    pub reconcile: bool,
}

/// Check `repo`, `--api-url` and `--since` with the `[github]` limits of the configuration
/// (docs/safety.md), and find the token.
pub fn prepare_with(
    repo: &str,
    args: &Request,
    limits: &crate::config::GithubConfig,
) -> Result<Prepared> {
    sync::split_repo(repo)?;
    let endpoints = Endpoints::from_api_url(args.api_url.as_deref())?;
    let mut opts = SyncOptions {
        api_url: args.api_url.clone(),
        since: args.since.as_deref().map(parse_since).transpose()?,
        progress: ProgressMode::detect(args.no_progress),
        reconcile: if args.reconcile {
            sync::Reconcile::Now
        } else {
            sync::Reconcile::Every(sync::RECONCILE_DAYS)
        },
        ..SyncOptions::default()
    };
    opts.policy.server_wait_limit = limits.max_wait().map_err(Error::Usage)?;
    opts.policy.max_body = limits.max_body_bytes();
    if let Some(ms) = std::env::var(MAX_WAIT_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        opts.policy.max_wait = Some(Duration::from_millis(ms));
    }
    let token = token::resolve(endpoints.host())?;
    // A CA bundle that cannot work is reported before any database is created.
    net::check_ca_env()?;
    Ok(Prepared {
        repo: repo.to_string(),
        token,
        opts,
    })
}

impl Prepared {
    /// Ask GitHub whether the repository exists and the token may read it, writing nothing:
    /// a 401/404 (or no network) before a database file exists leaves no file behind.
    pub fn check_access_blocking(&self) -> Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::GitHub(format!("cannot start the async runtime: {e}")))?;
        rt.block_on(async {
            let endpoints = Endpoints::from_api_url(self.opts.api_url.as_deref())?;
            let progress = progress::Progress::with_sink(ProgressMode::Lines, None);
            let mut t = transport::Transport::new(
                endpoints,
                &self.repo,
                &self.token,
                self.opts.policy.clone(),
                progress,
            )?;
            let reply = t.rest_get(&format!("/repos/{}", self.repo), None).await?;
            if reply.status == 404 {
                return Err(Error::RepoNotFound(self.repo.clone()));
            }
            Ok(())
        })
    }

    /// Run the sync to completion on a private runtime and print what it did.
    pub fn run_blocking(&self, store: &mut Store) -> Result<SyncStats> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::GitHub(format!("cannot start the async runtime: {e}")))?;
        let stats = rt.block_on(sync(store, &self.repo, &self.token, &self.opts))?;
        eprintln!("{stats}");
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_sync_debug_output_never_shows_the_token() {
        let p = Prepared {
            repo: "a/b".into(),
            token: Token::new("ghp_verysecret"),
            opts: SyncOptions::default(),
        };
        let shown = format!("{p:?} {p:#?}");
        assert!(!shown.contains("verysecret"), "{shown}");
        assert!(shown.contains("Token(***)"));
    }
}
