//! The DevRel lists (docs/devrel.md): rising, stuck and helping outsiders, this period against
//! the previous one, and `--as-of` replays that only use what was known at the date.

mod support;

use contrail::domain::*;
use contrail::report::{Report, StuckReason, Trend};
use support::{B, DAY, day};

/// Two insiders (members of the internal org `acme`) who review, merge and answer.
fn team() -> B {
    let mut b = B::new();
    b.settings.internal_orgs = vec!["acme".into()];
    b.ds.org_members = vec![("acme".into(), "max".into()), ("acme".into(), "ola".into())];
    // The insiders' own steady work, so the project has a history of its own.
    for i in 0..20u64 {
        let who = if i % 2 == 0 { "max" } else { "ola" };
        let other = if i % 2 == 0 { "ola" } else { "max" };
        let d = i as i64 * 18;
        b.pr(900 + i, who, d);
        b.review(900 + i, other, d, "APPROVED");
        b.merge(900 + i, other, d + 1);
    }
    b
}

/// An outsider PR `n` by `who` opened on day `d`, approved and merged a day later.
fn merged_pr(b: &mut B, n: u64, who: &str, d: i64) {
    b.pr(n, who, d);
    b.review(n, "max", d, "APPROVED");
    b.merge(n, "ola", d + 1);
}

/// The climb of `cleo`: an issue, PRs every nine days (three in January, so `regular` waits
/// for a February merge on day 35), reviews of others from day 120, merges of others' PRs from
/// day 300 — first touch to maintainer within a year. Around her: a typo-hunt week of one-line
/// docs PRs (one hunter stays), casual outsiders, and the insiders' own work.
fn climb() -> B {
    let mut b = team();
    b.issue(1, "cleo", 0);
    b.comment(1, "max", 1, "Thanks, want to send a fix?");
    for (n, d) in (10..).zip([3, 12, 21, 34, 50, 70, 95, 130, 170, 220, 260, 310]) {
        merged_pr(&mut b, n, "cleo", d);
    }
    // Reviews of others' work from day 120, merges of others' PRs from day 300.
    for (k, d) in [120, 140, 160, 200, 240, 280].into_iter().enumerate() {
        let pr = 300 + k as u64;
        b.pr(pr, &format!("casual{k}"), d);
        b.review(pr, "cleo", d + 1, "APPROVED");
        if d >= 280 {
            b.merge(pr, "cleo", d + 2);
        } else {
            b.merge(pr, "max", d + 2);
        }
    }
    b.pr(320, "casual9", 300);
    b.review(320, "cleo", 301, "APPROVED");
    b.merge(320, "cleo", 302);
    // Typo-hunt week: ten one-line docs PRs from first-timers, days 5–10, all merged.
    for i in 0..10u64 {
        let it = b.pr_at(
            500 + i,
            &format!("hunter{i}"),
            day(5) + i as i64 * DAY / 2,
            "Fix typo in README",
        );
        it.additions = Some(1);
        it.deletions = Some(1);
        it.labels = vec!["documentation".into()];
        b.merge(500 + i, "max", 11);
    }
    // One hunter stays: a real PR a month later.
    merged_pr(&mut b, 520, "hunter0", 38);
    // Casual outsiders: two PRs three weeks apart, one merged.
    for i in 0..12u64 {
        let who = format!("walker{i}");
        let d = 2 + i as i64 * 3;
        b.pr(600 + 2 * i, &who, d);
        merged_pr(&mut b, 601 + 2 * i, &who, d + 21);
    }
    b
}

fn rising_ids(r: &Report) -> Vec<String> {
    r.devrel.rising.iter().map(|x| x.id.clone()).collect()
}

fn rank(r: &Report, id: &str) -> Option<usize> {
    r.devrel.rising.iter().position(|x| x.id == id)
}

#[test]
fn rising_puts_a_climber_in_the_top_ten_before_they_reach_regular() {
    let b = climb();
    // The full history: cleo became a maintainer.
    let full = b.report();
    assert_eq!(
        full.contributor("login:cleo").unwrap().stage,
        Rung::Maintainer
    );
    for d in [15, 25, 30] {
        let r = b.report_as_of(day(d));
        let cleo = r.contributor("login:cleo").unwrap();
        assert!(cleo.stage < Rung::Regular, "day {d}: {:?}", cleo.stage);
        let k = rank(&r, "login:cleo")
            .unwrap_or_else(|| panic!("day {d}: cleo not rising: {:?}", rising_ids(&r)));
        assert!(k < 10, "day {d}: cleo ranked {k}: {:?}", rising_ids(&r));
        let entry = &r.devrel.rising[k];
        assert!(
            entry.why.contains("merged contribution")
                && entry.why.chars().any(|c| c.is_ascii_digit()),
            "{}",
            entry.why
        );
        assert!(!entry.evidence.is_empty());
        assert!(entry.next_rung.contains("merged PR"), "{}", entry.next_rung);
    }
}

#[test]
fn rising_next_rung_names_what_is_missing() {
    let b = climb();
    // Day 15: two merged PRs, both in January.
    let r = b.report_as_of(day(15));
    let cleo = &r.devrel.rising[rank(&r, "login:cleo").unwrap()];
    assert_eq!(cleo.next_rung, "3rd merged PR in a 2nd month");
    // Day 25: three merged PRs, all in January: only the 2nd month is missing.
    let r = b.report_as_of(day(25));
    let cleo = &r.devrel.rising[rank(&r, "login:cleo").unwrap()];
    assert_eq!(cleo.next_rung, "a merged PR in a 2nd month");
    // Day 100: regular, never reviewed: the first review is next.
    let r = b.report_as_of(day(100));
    let cleo = &r.devrel.rising[rank(&r, "login:cleo").unwrap()];
    assert_eq!(cleo.stage, Rung::Regular);
    assert_eq!(cleo.next_rung, "first review");
}

#[test]
fn rising_leaves_out_typo_hunt_one_timers_but_not_a_hunter_who_stays() {
    let b = climb();
    for d in [12, 20, 45, 60] {
        let r = b.report_as_of(day(d));
        for i in 1..10 {
            assert_eq!(rank(&r, &format!("login:hunter{i}")), None, "day {d}");
        }
    }
    let r = b.report_as_of(day(45));
    assert!(rank(&r, "login:hunter0").is_some(), "{:?}", rising_ids(&r));
}

#[test]
fn rising_leaves_out_insiders_and_people_gone_quiet() {
    let b = climb();
    let r = b.report_as_of(day(60));
    assert_eq!(rank(&r, "login:max"), None);
    assert_eq!(rank(&r, "login:ola"), None);
    // The walkers' last act was by day 57 at most, but hunter1 stopped on day 5.
    let r = b.report_as_of(day(200));
    assert_eq!(rank(&r, "login:walker0"), None);
}

#[test]
fn rising_is_ranked_by_score_then_recency_then_id() {
    let r = climb().report_as_of(day(45));
    let s: Vec<(u64, String)> = r
        .devrel
        .rising
        .iter()
        .map(|x| (x.score, x.last_seen.clone()))
        .collect();
    for w in s.windows(2) {
        assert!(w[0].0 >= w[1].0, "{s:?}");
    }
}

#[test]
fn stuck_lists_an_outsider_left_waiting_on_a_cla() {
    let mut b = climb();
    b.pr(700, "pia", 100);
    b.comment(700, "CLAassistant", 100, "Thank you for your submission! We ask that you sign our Contributor License Agreement before we can accept your contribution.");
    let r = b.report_as_of(day(130));
    let s = r
        .devrel
        .stuck
        .iter()
        .find(|s| s.id == "login:pia")
        .expect("pia is stuck");
    assert_eq!(s.reason, StuckReason::ClaUnsigned);
    assert_eq!((s.item, s.waiting_days), (700, 30));
    assert!(s.why.contains("CLA"), "{}", s.why);
    // Someone who handled outsiders' PRs before can unblock it.
    assert!(!s.unblockers.is_empty());
    assert!(
        s.unblockers
            .iter()
            .all(|u| u.id != "login:pia" && u.count > 0)
    );
}

#[test]
fn stuck_reasons_no_reply_approved_not_merged_and_review_not_given() {
    let mut b = team();
    b.issue(1, "nell", 10); // nobody answers
    b.pr(2, "amy", 20);
    b.review(2, "max", 22, "APPROVED"); // never merged
    b.pr(3, "rob", 30);
    b.comment(3, "ola", 31, "Looks interesting");
    b.comment(3, "rob", 33, "Anything else needed?"); // no review, author spoke last
    b.pr(4, "ken", 40);
    b.comment(4, "ola", 41, "Please add a test"); // the author's turn: not stuck
    let r = b.report_as_of(day(60));
    let reason = |id: &str| {
        r.devrel
            .stuck
            .iter()
            .find(|s| s.id == id)
            .map(|s| (s.reason, s.waiting_days))
    };
    assert_eq!(reason("login:nell"), Some((StuckReason::NoReply, 50)));
    assert_eq!(
        reason("login:amy"),
        Some((StuckReason::ApprovedNotMerged, 38))
    );
    assert_eq!(reason("login:rob"), Some((StuckReason::ReviewNotGiven, 27)));
    assert_eq!(reason("login:ken"), None);
    // Oldest wait first.
    let since: Vec<&str> = r
        .devrel
        .stuck
        .iter()
        .map(|s| s.waiting_since.as_str())
        .collect();
    let mut sorted = since.clone();
    sorted.sort();
    assert_eq!(since, sorted);
}

#[test]
fn stuck_unblocker_is_the_usual_handler_of_the_same_label() {
    let mut b = team();
    for k in 0..3u64 {
        b.pr(10 + k, &format!("out{k}"), 10 + k as i64);
        b.ds.items.last_mut().unwrap().labels = vec!["area/docs".into()];
        b.review(10 + k, "ola", 12 + k as i64, "APPROVED");
        b.merge(10 + k, "ola", 13 + k as i64);
    }
    b.pr(20, "zoe", 40);
    b.ds.items.last_mut().unwrap().labels = vec!["area/docs".into()];
    let r = b.report_as_of(day(60));
    let s = r.devrel.stuck.iter().find(|s| s.id == "login:zoe").unwrap();
    assert_eq!(s.unblockers[0].id, "login:ola");
    assert!(
        s.unblockers[0].why.contains("area/docs"),
        "{}",
        s.unblockers[0].why
    );
}

#[test]
fn helpers_are_outsiders_who_answer_and_review_others() {
    let mut b = team();
    for (n, who) in [(1u64, "ann"), (2, "bea"), (3, "cy")] {
        b.issue(n, who, 10 + n as i64);
        b.comment(
            n,
            "hal",
            11 + n as i64,
            "Try setting FOO=1, that fixed it for me.",
        );
    }
    b.pr(4, "dee", 20);
    b.review(4, "hal", 21, "COMMENTED");
    // An insider answering does not count, nor does answering oneself.
    b.issue(5, "eve", 20);
    b.comment(5, "max", 21, "Fixed");
    b.comment(5, "eve", 22, "Thanks");
    let r = b.report_as_of(day(40));
    let h = &r.devrel.helpers;
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0].id, "login:hal");
    assert_eq!((h[0].answers, h[0].reviews), (3, 1));
    assert_eq!((h[0].first_responses, h[0].people_helped), (4, 4));
    assert_eq!(h[0].examples, vec![4, 3, 2]);
    assert!(h[0].why.contains("3 answers"), "{}", h[0].why);
}

#[test]
fn compare_counts_this_period_against_the_previous_one_with_trends() {
    let b = climb();
    let r = b.report_as_of(day(180));
    let c = r.devrel.compare.as_ref().unwrap();
    assert_eq!(c.to, "2024-06-29T00:00:00Z");
    let row = |m: &str| c.rows.iter().find(|x| x.metric == m).unwrap();
    // (day 90, day 180]: new outsiders are the casual PR authors of days 120, 140 and 160.
    let new = row("new_outsiders");
    assert_eq!(new.current, Some(3.0));
    // (day 0, day 90]: the ten hunters and the twelve walkers (cleo's first act, on day 0,
    // belongs to the period before).
    assert_eq!(new.previous, Some(22.0));
    assert_eq!((new.trend, new.better), (Trend::Down, Some(false)));
    let reviewer = row("reached_reviewer");
    assert_eq!(reviewer.current_ids, vec!["login:cleo".to_string()]);
    assert_eq!(reviewer.trend, Trend::Up);
    for m in [
        "dropoffs",
        "first_response_ratio",
        "acceptance_ratio",
        "merge_latency_ratio",
    ] {
        row(m);
    }
}

/// `--as-of D` never uses an event after D: adding any later history (new items, comments,
/// reviews, merges of open PRs, reopen-and-close of closed items, commits) leaves the whole
/// report as of D unchanged, DevRel block included.
mod as_of_property {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Act {
        Issue(u8, i64),
        Pr(u8, i64, Option<(u8, i64)>),
        Comment(u8, u8, i64),
        Review(u8, u8, i64, bool),
        Close(u8, u8, i64),
        Commit(u8, i64),
        Cla(u8, i64),
    }

    fn act(days: std::ops::Range<i64>) -> impl Strategy<Value = Act> {
        let who = 0u8..7;
        prop_oneof![
            (who.clone(), days.clone()).prop_map(|(w, d)| Act::Issue(w, d)),
            (
                who.clone(),
                days.clone(),
                proptest::option::of((who.clone(), 0i64..40))
            )
                .prop_map(|(w, d, m)| Act::Pr(w, d, m)),
            (who.clone(), 0u8..30, days.clone()).prop_map(|(w, i, d)| Act::Comment(w, i, d)),
            (who.clone(), 0u8..30, days.clone(), any::<bool>())
                .prop_map(|(w, i, d, a)| Act::Review(w, i, d, a)),
            (who.clone(), 0u8..30, days.clone()).prop_map(|(w, i, d)| Act::Close(w, i, d)),
            (who.clone(), days.clone()).prop_map(|(w, d)| Act::Commit(w, d)),
            (0u8..30, days).prop_map(|(i, d)| Act::Cla(i, d)),
        ]
    }

    fn login(w: u8) -> String {
        match w {
            0 => "max".into(),
            6 => "stale[bot]".into(),
            _ => format!("p{w}"),
        }
    }

    /// Apply `acts` in order; item numbers count up from `first` so later acts can refer to
    /// earlier items. Acts that make no sense at their time (merging a closed PR) are skipped.
    fn apply(b: &mut B, acts: &[Act], first: u64) {
        let mut next = first;
        for (k, a) in acts.iter().enumerate() {
            let item = |i: u8, b: &B| -> Option<u64> {
                let n = b.ds.items.len();
                (n > 0).then(|| b.ds.items[i as usize % n].number)
            };
            match a {
                Act::Issue(w, d) => {
                    b.issue(next, &login(*w), *d);
                    next += 1;
                }
                Act::Pr(w, d, m) => {
                    b.pr(next, &login(*w), *d).additions = Some(*d % 4);
                    b.ds.items.last_mut().unwrap().deletions = Some(0);
                    if let Some((by, after)) = m {
                        b.merge(next, &login(*by), d + after);
                    }
                    next += 1;
                }
                Act::Comment(w, i, d) => {
                    if let Some(n) = item(*i, b) {
                        b.comment(n, &login(*w), *d, "a reply");
                    }
                }
                Act::Review(w, i, d, ok) => {
                    if let Some(n) = item(*i, b) {
                        b.review(
                            n,
                            &login(*w),
                            *d,
                            if *ok { "APPROVED" } else { "COMMENTED" },
                        );
                    }
                }
                Act::Close(w, i, d) => {
                    let Some(n) = item(*i, b) else { continue };
                    let it = b.ds.items.iter().find(|x| x.number == n).unwrap();
                    if it.state == ItemState::Merged || it.created_at > day(*d) {
                        continue;
                    }
                    if it.state == ItemState::Closed {
                        if it.closed_at.is_some_and(|c| c >= day(*d)) {
                            continue;
                        }
                        b.event(EventKind::Reopened, Some(n), &login(*w), day(*d) - 3600);
                    }
                    b.close(n, &login(*w), *d);
                }
                Act::Commit(w, d) => {
                    let email = format!("{}@users.noreply.github.com", login(*w));
                    b.commit(&format!("sha{first}-{k:04}"), &email, *d);
                }
                Act::Cla(i, d) => {
                    if let Some(n) = item(*i, b) {
                        b.comment(n, "CLAassistant", *d, "Please sign our Contributor License Agreement before we can accept your contribution.");
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn as_of_never_uses_an_event_after_the_date(
            past in proptest::collection::vec(act(0..200), 1..40),
            future in proptest::collection::vec(act(201..400), 1..30),
        ) {
            let mut before = B::new();
            before.settings.internal_orgs = vec!["acme".into()];
            before.ds.org_members = vec![("acme".into(), "max".into())];
            // Which sources were imported is a fact of the snapshot, not an event.
            before.ds.has_git = true;
            apply(&mut before, &past, 1000);
            let mut after = before.clone();
            // Later acts may refer to earlier items (merge, close again, comment, review).
            apply(&mut after, &future, 5000);
            for d in [60, 150, 200] {
                let t = day(d);
                let a = serde_json::to_string(&before.report_as_of(t)).unwrap();
                let b = serde_json::to_string(&after.report_as_of(t)).unwrap();
                prop_assert_eq!(a, b, "as of day {}", d);
            }
        }
    }
}
