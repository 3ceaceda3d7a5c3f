//! Benchmark of `contrail sync` against a fake GitHub on 127.0.0.1
//! (docs/benchmarks.md#github-sync).
//!
//! Generates a repository of ≥ 10,000 issues+PRs, ≥ 40,000 comments, ≥ 10,000 reviews and
//! ≥ 5,000 stars, syncs it into a fresh database, then syncs again with nothing changed, then
//! once more after a handful of changes. Prints requests used ÷ the request minimum of
//! docs/github-sync.md (1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ + overflow pages, measured in the same
//! run), the summed GraphQL cost, wall times, and the re-syncs' request counts.
//!
//! Run: `scripts/bench-github-sync` (= `cargo bench --bench github_sync`).

#[path = "../tests/support/fake_github.rs"]
mod fake_github;

use contrail::github::{self, ProgressMode, RetryPolicy, SyncOptions, SyncStats, Token};
use contrail::store::Store;
use fake_github::{FStar, FakeGitHub, Model, Spec, T0, TOKEN, user};
use std::path::Path;
use std::time::{Duration, Instant};

async fn run(fake: &FakeGitHub, db: &Path) -> (SyncStats, Duration, usize) {
    let opts = SyncOptions {
        api_url: Some(fake.api_url()),
        progress: ProgressMode::Silent,
        policy: RetryPolicy {
            max_wait: Some(Duration::ZERO),
            ..RetryPolicy::default()
        },
        ..SyncOptions::default()
    };
    fake.reset_log();
    let started = Instant::now();
    let mut store = Store::open(db).expect("open the benchmark database");
    let stats = github::sync(&mut store, "acme/rocket", &Token::new(TOKEN), &opts)
        .await
        .expect("sync against the fake");
    (stats, started.elapsed(), fake.requests())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not: skip the (slow,
    // unoptimised) run there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("github_sync benchmark: run it with scripts/bench-github-sync");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let spec = Spec {
            issues: 5_000,
            prs: 5_200,
            comments_per_item: 4,
            reviews_per_pr: 2,
            stars: 5_300,
            overflow_every: 400,
        };
        let t = Instant::now();
        let model = Model::generate(42, spec);
        let (i, p, c, r, s) = model.totals();
        println!(
            "fake repository: {i} issues, {p} PRs, {c} comments, {r} reviews, {s} stars (generated in {:.1} s)",
            t.elapsed().as_secs_f64()
        );
        assert!(i + p >= 10_000 && c >= 40_000 && r >= 10_000 && s >= 5_000);
        let fake = FakeGitHub::start(model).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("bench.sqlite");

        let (full, full_time, served) = run(&fake, &db).await;
        let min = full.minimum_requests();
        println!("\nfull sync:");
        println!(
            "  requests          {} ({} REST + {} GraphQL; the fake served {served})",
            full.requests(),
            full.rest_requests,
            full.graphql_requests
        );
        println!(
            "  minimum           {min} = 1 + ⌈{}/100⌉ + ⌈{}/{}⌉ + ⌈{}/100⌉ + {} overflow pages",
            full.issues, full.pull_requests, full.pr_page_size, full.stars, full.overflow_pages
        );
        println!(
            "  requests/minimum  {:.3} (budget ≤ 1.100)",
            full.requests() as f64 / min as f64
        );
        println!(
            "  GraphQL cost      {} points (hourly budget 5,000)",
            full.graphql_cost
        );
        println!("  wall time         {:.2} s", full_time.as_secs_f64());
        println!(
            "  stored            {} comments, {} reviews, {} timeline events",
            full.comments, full.reviews, full.timeline_events
        );

        assert!(
            full.requests() as f64 <= 1.1 * min as f64,
            "over the request budget"
        );

        let (same, same_time, _) = run(&fake, &db).await;
        println!("\nunchanged re-sync:");
        println!(
            "  requests          {} (budget ≤ 5), GraphQL cost {}, wall time {:.3} s ({:.1}% of the full sync)",
            same.requests(),
            same.graphql_cost,
            same_time.as_secs_f64(),
            100.0 * same_time.as_secs_f64() / full_time.as_secs_f64()
        );

        assert!(same.requests() <= 5, "unchanged re-sync over 5 requests");

        {
            let mut st = fake.state();
            let later = T0 + 100_000_000;
            for n in [10, 500, 5_000, 9_000] {
                st.model.comment(n, later + n as i64, user(7));
            }
            st.model.stars.push(FStar {
                user: user(299),
                at: later,
            });
        }
        let (inc, inc_time, _) = run(&fake, &db).await;
        println!("\nincremental re-sync after 4 new comments and 1 new star:");
        println!(
            "  requests          {}, items re-fetched {}, stars {}, wall time {:.3} s",
            inc.requests(),
            inc.issues + inc.pull_requests,
            inc.stars,
            inc_time.as_secs_f64()
        );
    });
}
