//! Benchmark of `contrail sync` against a fake GitHub on 127.0.0.1 (issue 3).
//!
//! Generates a repository of ≥ 10,000 issues+PRs, ≥ 40,000 comments, ≥ 10,000 reviews,
//! ≥ 10,000 inline review comments, 5,000 stars and 1,104 forks, syncs it into a fresh
//! database, compares every person's rung dates with the generator's ground truth, then syncs
//! again with nothing changed, after a handful of changes, after removals, and with a
//! reconciliation. Prints requests used ÷ the request minimum (docs/github-sync.md:
//! 1 + ⌈I/100⌉ + ⌈P/k⌉ + ⌈S/100⌉ + ⌈F/100⌉ + overflow pages, measured in the same run), the summed
//! GraphQL cost, wall times, and the re-syncs' request counts.
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
    run_with(
        fake,
        db,
        github::Reconcile::Every(github::sync::RECONCILE_DAYS),
    )
    .await
}

async fn run_with(
    fake: &FakeGitHub,
    db: &Path,
    reconcile: github::Reconcile,
) -> (SyncStats, Duration, usize) {
    let opts = SyncOptions {
        reconcile,
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
            issues: 4_822,
            prs: 5_200,
            comments_per_item: 4,
            reviews_per_pr: 2,
            stars: 5_000,
            overflow_every: 400,
            forks: 1_104,
            review_comments_per_review: 1,
        };
        let t = Instant::now();
        let model = Model::generate(42, spec);
        let (i, p, c, r, s) = model.totals();
        println!(
            "fake repository: {i} issues, {p} PRs, {c} comments, {r} reviews, {} review comments, {s} stars, {} forks (generated in {:.1} s)",
            model.review_comments(),
            model.forks.len(),
            t.elapsed().as_secs_f64()
        );
        let truth = model.truth();
        assert!(i + p >= 10_000 && c >= 40_000 && r >= 10_000 && s >= 5_000);
        assert!(model.forks.len() >= 1_000 && model.review_comments() >= 10_000);
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
            "  minimum           {min} = 1 + ⌈{}/100⌉ + ⌈{}/{}⌉ + ⌈{}/100⌉ + ⌈{}/100⌉ + {} overflow pages",
            full.issues,
            full.pull_requests,
            full.pr_page_size,
            full.stars,
            full.forks,
            full.overflow_pages
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
            "  stored            {} comments, {} reviews, {} review comments, {} timeline events, {} forks",
            full.comments, full.reviews, full.review_comments, full.timeline_events, full.forks
        );
        {
            let ds = Store::open(&db).expect("open").dataset().expect("load");
            let report =
                contrail::analysis::analyze(&ds, &contrail::config::Settings::default(), None);
            let (exact, total, misses) = fake_github::score(&report, &truth);
            println!(
                "  ground truth      {exact} of {total} (person, rung) dates exact: {:.2} % (goal ≥ 99 %)",
                100.0 * exact as f64 / total as f64
            );
            for m in misses.iter().take(10) {
                println!("    miss: {m}");
            }
        }

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

        // Removals: a star, a fork, and a comment on an item that never updates again.
        {
            let mut st = fake.state();
            st.model.stars.remove(100);
            st.model.forks.remove(10);
            let n = st
                .model
                .items
                .iter()
                .find(|i| i.comments.len() >= 2)
                .map(|i| i.number)
                .expect("an item with comments");
            st.model.delete_comment(n, 0);
        }
        let (rm, _, _) = run(&fake, &db).await;
        println!("\nre-sync after removing 1 star and 1 fork (counts compared on every sync):");
        println!(
            "  requests          {} ({} for reconciliation, GraphQL cost {}); removed {} stars, {} forks",
            rm.requests(),
            rm.reconcile_requests,
            rm.reconcile_cost,
            rm.removed_stars,
            rm.removed_forks
        );
        let (rc, rc_time, _) = run_with(&fake, &db, github::Reconcile::Now).await;
        println!("\nperiodic reconciliation (every 7 days, or `--reconcile`) after deleting 1 comment:");
        println!(
            "  requests          {} ({} for reconciliation, GraphQL cost {}), {} items counted, {} fetched again, {} comments removed, wall time {:.2} s",
            rc.requests(),
            rc.reconcile_requests,
            rc.reconcile_cost,
            rc.reconciled_items,
            rc.refetched_items,
            rc.removed_comments,
            rc_time.as_secs_f64()
        );
    });
}
