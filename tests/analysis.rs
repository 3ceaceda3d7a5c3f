//! Analysis: one test per definition of docs/definitions.md (named after it), scenarios, and
//! properties.

mod support;

use contrail::domain::*;
use contrail::report::{Affiliation, Door, EvidenceRef, Experience, Status};
use support::{B, day, stage_day};

// ---------- docs/definitions.md#ladder: the ladder ----------

#[test]
fn rung_observer_reached_by_star_or_fork() {
    for kind in [EventKind::Star, EventKind::Fork] {
        let mut b = B::new();
        b.event(kind, None, "ann", day(3));
        let r = b.report();
        assert_eq!(stage_day(&r, "login:ann", "observer"), Some(3), "{kind:?}");
        assert_eq!(r.contributor("login:ann").unwrap().stage, Rung::Observer);
    }
}

#[test]
fn rung_participant_reached_by_issue_comment_review_or_review_comment() {
    type Add = fn(&mut B);
    let cases: [(&str, Add); 5] = [
        ("opened issue", |b| {
            b.issue(2, "ann", 5);
        }),
        ("comment", |b| {
            b.comment(1, "ann", 5, "hi");
        }),
        ("review comment", |b| {
            b.event(EventKind::ReviewComment, Some(1), "ann", day(5));
        }),
        ("COMMENTED review", |b| {
            b.review(1, "ann", 5, "COMMENTED");
        }),
        ("DISMISSED review", |b| {
            b.review(1, "ann", 5, "DISMISSED");
        }),
    ];
    for (name, add) in cases {
        let mut b = B::new();
        b.pr(1, "bob", 0);
        add(&mut b);
        let r = b.report();
        assert_eq!(stage_day(&r, "login:ann", "participant"), Some(5), "{name}");
        assert_eq!(stage_day(&r, "login:ann", "reviewer"), None, "{name}");
    }
}

#[test]
fn rung_participant_reached_by_review_comment() {
    let mut b = B::new();
    b.pr(1, "bob", 0);
    b.event(EventKind::ReviewComment, Some(1), "ann", day(2));
    assert_eq!(stage_day(&b.report(), "login:ann", "participant"), Some(2));
}

#[test]
fn rung_contributor_reached_by_pr_commit_or_co_authored_commit() {
    let mut b = B::new();
    b.pr(1, "ann", 4);
    b.commit("c1", "bob@x.org", 6);
    b.commit("c2", "cat@x.org", 8).trailers =
        vec![("Co-authored-by".into(), "Dee <dee@y.org>".into())];
    let r = b.report();
    assert_eq!(stage_day(&r, "login:ann", "contributor"), Some(4));
    assert_eq!(stage_day(&r, "email:bob@x.org", "contributor"), Some(6));
    assert_eq!(stage_day(&r, "email:dee@y.org", "contributor"), Some(8));
}

#[test]
fn rung_merged_reached_by_merged_pr_or_landed_commit() {
    let mut b = B::new();
    b.pr(1, "ann", 1);
    b.merge(1, "max", 3);
    b.commit("c1", "bob@x.org", 6).committer_time = day(7);
    let r = b.report();
    assert_eq!(stage_day(&r, "login:ann", "merged"), Some(3));
    assert_eq!(stage_day(&r, "email:bob@x.org", "merged"), Some(7));
    let ann = r.contributor("login:ann").unwrap();
    assert!(
        !ann.journey
            .iter()
            .find(|s| s.rung == Rung::Merged)
            .unwrap()
            .imported
    );
}

#[test]
fn rung_merged_reached_by_imported_pr_is_marked_imported() {
    let mut b = B::new();
    b.pr(5, "ann", 1);
    b.close(5, "copybara-service[bot]", 4);
    b.commit("abc1234", "emp@corp.example", 4).imported_pr = Some(5);
    let r = b.report();
    let ann = r.contributor("login:ann").unwrap();
    let merged = ann.journey.iter().find(|s| s.rung == Rung::Merged).unwrap();
    assert!(merged.imported, "{merged:?}");
    assert_eq!(merged.evidence, EvidenceRef::Item { number: 5 });
}

#[test]
fn rung_regular_needs_three_merged_contributions_in_two_months() {
    // (merge days, expected day regular is reached)
    let cases: [(&[i64], Option<i64>); 4] = [
        (&[1, 2, 3], None),            // three in January only
        (&[1, 2, 40], Some(40)),       // third lands in February
        (&[1, 40], None),              // two months but only two
        (&[1, 2, 3, 4, 35], Some(35)), // the fifth crosses into February
    ];
    for (days, expected) in cases {
        let mut b = B::new();
        for (i, d) in days.iter().enumerate() {
            let n = i as u64 + 1;
            b.pr(n, "ann", *d);
            b.merge(n, "max", *d);
        }
        assert_eq!(
            stage_day(&b.report(), "login:ann", "regular"),
            expected,
            "{days:?}"
        );
    }
}

#[test]
fn rung_regular_counts_a_pr_and_its_commits_once() {
    let mut b = B::new();
    for (n, d) in [(1u64, 1i64), (2, 40)] {
        b.pr(n, "ann", d);
        b.merge(n, "max", d);
        let c = b.commit(&format!("c{n}"), "ann@users.noreply.github.com", d);
        c.pr_number = Some(n);
        c.pr_via = Some(PrVia::Squash);
    }
    let r = b.report();
    assert_eq!(r.contributor("login:ann").unwrap().merged_contributions, 2);
    assert_eq!(stage_day(&r, "login:ann", "regular"), None);
}

#[test]
fn rung_reviewer_reached_by_approval_on_someone_elses_pr() {
    let cases = [
        ("APPROVED", "bob", Some(3)),
        ("CHANGES_REQUESTED", "bob", Some(3)),
        ("COMMENTED", "bob", None),
        ("APPROVED", "ann", None), // own PR
    ];
    for (state, pr_author, expected) in cases {
        let mut b = B::new();
        b.pr(1, pr_author, 0);
        b.review(1, "ann", 3, state);
        assert_eq!(
            stage_day(&b.report(), "login:ann", "reviewer"),
            expected,
            "{state} on {pr_author}'s"
        );
    }
}

#[test]
fn rung_reviewer_reached_by_reviewed_by_or_acked_by_trailer() {
    for key in ["Reviewed-by", "Acked-by"] {
        let mut b = B::git_only();
        b.commit("c0", "rev@x.org", 1);
        b.commit("c1", "ann@x.org", 5).trailers = vec![(key.into(), "Rev <rev@x.org>".into())];
        let r = b.report();
        assert_eq!(
            stage_day(&r, "email:rev@x.org", "reviewer"),
            Some(5),
            "{key}"
        );
        // Not on one's own commit.
        let mut b = B::git_only();
        b.commit("c1", "ann@x.org", 5).trailers = vec![(key.into(), "Ann <ann@x.org>".into())];
        assert_eq!(stage_day(&b.report(), "email:ann@x.org", "reviewer"), None);
    }
}

#[test]
fn rung_maintainer_reached_by_merging_closing_labeling_others_items() {
    for kind in [EventKind::Merged, EventKind::Closed, EventKind::Labeled] {
        let mut b = B::new();
        b.issue(1, "bob", 0);
        b.event(kind, Some(1), "max", day(2));
        b.issue(2, "max", 1);
        b.event(kind, Some(2), "max", day(1)); // own item: no
        assert_eq!(
            stage_day(&b.report(), "login:max", "maintainer"),
            Some(2),
            "{kind:?}"
        );
    }
}

#[test]
fn rung_maintainer_reached_by_committing_someone_elses_commit() {
    let mut b = B::git_only();
    let c = b.commit("c1", "ann@x.org", 3);
    c.committer_name = "max".into();
    c.committer_email = "max@x.org".into();
    c.applied_by_other = true;
    let c = b.commit("c2", "bob@x.org", 4);
    c.committer_email = "noreply@github.com".into(); // web-flow: applied_by_other stays false
    let r = b.report();
    assert_eq!(stage_day(&r, "email:max@x.org", "maintainer"), Some(3));
    assert!(r.contributor("email:noreply@github.com").is_none());
}

#[test]
fn rung_maintainer_reached_by_collaborator_or_owner_association() {
    for (assoc, expected) in [
        ("COLLABORATOR", Some(2)),
        ("OWNER", Some(2)),
        ("MEMBER", None),
        ("CONTRIBUTOR", None),
    ] {
        let mut b = B::new();
        b.issue(1, "bob", 0);
        b.comment(1, "max", 2, "ok");
        b.ds.events.last_mut().unwrap().association = Some(assoc.into());
        assert_eq!(
            stage_day(&b.report(), "login:max", "maintainer"),
            expected,
            "{assoc}"
        );
    }
}

#[test]
fn rungs_are_independent_tests_reviewer_before_merged() {
    let mut b = B::new();
    b.pr(1, "bob", 0);
    b.review(1, "ann", 1, "APPROVED");
    let r = b.report();
    let ann = r.contributor("login:ann").unwrap();
    assert_eq!(ann.stage, Rung::Reviewer);
    assert!(!ann.stages.contains_key("merged"));
}

// ---------- docs/definitions.md#people: people ----------

#[test]
fn identity_same_email_case_insensitive() {
    let mut b = B::git_only();
    b.commit("c1", "Ann@X.org", 1);
    b.commit("c2", "ann@x.ORG", 2);
    let r = b.report();
    assert_eq!(r.people.total, 1);
    assert_eq!(r.contributors[0].id, "email:ann@x.org");
    assert_eq!(r.contributors[0].commits, 2);
}

#[test]
fn identity_noreply_email_is_the_login() {
    for email in [
        "123+Ann@users.noreply.github.com",
        "ann@users.noreply.github.com",
    ] {
        let mut b = B::new();
        b.issue(1, "ann", 0);
        b.commit("c1", email, 1);
        let r = b.report();
        assert_eq!(r.people.total, 1, "{email}");
        let ann = r.contributor("login:ann").unwrap();
        assert!(
            ann.identities
                .iter()
                .any(|i| i.reason.contains("noreply address of login ann"))
        );
    }
}

#[test]
fn identity_links_and_config_aliases_merge_with_their_reason() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    b.commit("c1", "ann@work.example", 1);
    b.commit("c2", "ann@home.example", 2);
    b.ds.identity_links.push(IdentityLink {
        email: "ann@work.example".into(),
        login: "ann".into(),
        reason: "authored the commits of PR #4".into(),
    });
    b.settings.aliases = vec![vec!["ann".into(), "ann@home.example".into()]];
    let r = b.report();
    assert_eq!(r.people.total, 1);
    let reasons: Vec<&str> = r.contributors[0]
        .identities
        .iter()
        .map(|i| i.reason.as_str())
        .collect();
    assert!(
        reasons.contains(&"authored the commits of PR #4"),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"config alias"), "{reasons:?}");
}

#[test]
fn identity_evidence_does_not_depend_on_row_order() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    b.commit("c1", "a@x.org", 1);
    b.commit("c2", "b@x.org", 2);
    for (e, reason) in [("a@x.org", "api one"), ("b@x.org", "api two")] {
        b.ds.identity_links.push(IdentityLink {
            email: e.into(),
            login: "ann".into(),
            reason: reason.into(),
        });
    }
    b.settings.aliases = vec![vec!["a@x.org".into(), "b@x.org".into()]];
    let mut reversed = b.clone();
    reversed.ds.identity_links.reverse();
    reversed.ds.commits.reverse();
    let json = |b: &B| serde_json::to_string(&b.report()).unwrap();
    assert_eq!(json(&b), json(&reversed));
    assert_eq!(b.report().people.total, 1);
}

#[test]
fn identity_never_merged_on_display_name() {
    let mut b = B::git_only();
    b.commit("c1", "dave@a.org", 1).author_name = "dave".into();
    b.commit("c2", "dave@b.org", 2).author_name = "dave".into();
    assert_eq!(b.report().people.total, 2);
}

#[test]
fn identity_squash_commit_links_email_to_pr_author_only_when_unambiguous() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.merge(1, "max", 1);
    let c = b.commit("c1", "ann@home.example", 1);
    c.pr_number = Some(1);
    c.pr_via = Some(PrVia::Squash);
    let r = b.report();
    assert_eq!(
        r.people.total + r.people.bots,
        2,
        "{:?}",
        r.contributors.iter().map(|c| &c.id).collect::<Vec<_>>()
    );
    assert!(
        r.contributor("login:ann")
            .unwrap()
            .emails
            .contains(&"ann@home.example".to_string())
    );
    // The same email on squash commits of two authors' PRs links to neither.
    let mut b2 = b.clone();
    b2.pr(2, "bob", 2);
    b2.merge(2, "max", 3);
    let c = b2.commit("c2", "ann@home.example", 3);
    c.pr_number = Some(2);
    c.pr_via = Some(PrVia::Squash);
    let r = b2.report();
    assert!(r.contributor("email:ann@home.example").is_some());
}

#[test]
fn bots_by_suffix_user_kind_builtin_list_and_config_pattern() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    for who in [
        "renovate[bot]",
        "stale",
        "k8s-ci-robot",
        "robo",
        "ci-runner",
    ] {
        b.comment(1, who, 1, "beep");
    }
    b.user("robo", UserKind::Bot);
    b.settings.bot_patterns = vec!["^ci-".into()];
    b.commit("c1", "49699333+dependabot[bot]@users.noreply.github.com", 2);
    let r = b.report();
    assert_eq!(r.people.total, 1);
    assert_eq!(r.people.bots, 6, "{:?}", r.people.bot_ids);
    assert!(r.contributors.iter().all(|c| c.id == "login:ann"));
}

#[test]
fn affiliation_from_internal_email_domain() {
    let mut b = B::git_only();
    b.settings.internal_domains = vec!["corp.example".into()];
    b.commit("c1", "emp@corp.example", 1);
    b.commit("c2", "out@gmail.com", 1);
    let r = b.report();
    assert_eq!(
        r.contributor("email:emp@corp.example").unwrap().affiliation,
        Affiliation::Internal
    );
    assert_eq!(
        r.contributor("email:out@gmail.com").unwrap().affiliation,
        Affiliation::External
    );
    assert_eq!((r.people.internal, r.people.external), (1, 1));
}

#[test]
fn affiliation_from_member_association_org_membership_or_profile_company() {
    let mut b = B::new();
    b.settings.internal_orgs = vec!["acme".into()];
    b.issue(1, "out", 0);
    b.comment(1, "mem", 1, "x");
    b.ds.events.last_mut().unwrap().association = Some("MEMBER".into());
    b.comment(1, "org", 1, "x");
    b.ds.org_members.push(("acme".into(), "org".into()));
    b.comment(1, "cmp", 1, "x");
    b.user("cmp", UserKind::User).company = Some("@acme".into());
    let r = b.report();
    for (id, want) in [
        ("login:mem", Affiliation::Internal),
        ("login:org", Affiliation::Internal),
        ("login:cmp", Affiliation::Internal),
        ("login:out", Affiliation::External),
    ] {
        let c = r.contributor(id).unwrap();
        assert_eq!(c.affiliation, want, "{id}");
        if want == Affiliation::Internal {
            assert!(!c.affiliation_evidence.is_empty(), "{id}");
        }
    }
}

#[test]
fn affiliation_domains_override_contributor_association() {
    // Private org members show up as CONTRIBUTOR; the internal domain decides.
    let mut b = B::new();
    b.settings.internal_domains = vec!["corp.example".into()];
    b.ds.identity_links.push(IdentityLink {
        email: "p@corp.example".into(),
        login: "priv".into(),
        reason: "api".into(),
    });
    b.commit("c1", "p@corp.example", 1);
    b.issue(1, "priv", 2).author_association = Some("CONTRIBUTOR".into());
    assert_eq!(
        b.report().contributor("login:priv").unwrap().affiliation,
        Affiliation::Internal
    );
}

// ---------- docs/definitions.md#drop-off: drop-off ----------

#[test]
fn as_of_is_the_newest_event_commits_included() {
    let mut b = B::new();
    b.star("ann", 3);
    b.commit("c1", "bob@x.org", 10);
    assert_eq!(b.report().as_of.as_deref(), Some("2024-01-11T00:00:00Z"));
}

#[test]
fn as_of_override_ignores_later_data() {
    let mut b = B::new();
    b.pr(1, "ann", 1);
    b.merge(1, "max", 50);
    b.star("late", 60);
    let r = b.report_as_of(day(20));
    assert_eq!(r.as_of.as_deref(), Some("2024-01-21T00:00:00Z"));
    assert!(r.contributor("login:late").is_none());
    assert_eq!(stage_day(&r, "login:ann", "merged"), None);
}

#[test]
fn dropped_when_silent_more_than_inactive_days() {
    for (silent, want) in [(180, Status::Active), (181, Status::Dropped)] {
        let mut b = B::new();
        b.star("ann", 0);
        b.star("zed", silent);
        assert_eq!(
            b.report().contributor("login:ann").unwrap().status,
            want,
            "{silent}"
        );
    }
}

#[test]
fn dropoff_rows_group_by_highest_rung_and_reason() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    b.star("zed", 400);
    let r = b.report();
    assert_eq!(r.dropoffs.len(), 1);
    let d = &r.dropoffs[0];
    assert_eq!(
        (d.stage, d.reason, d.external),
        (Rung::Participant, Experience::NoResponse, 1)
    );
    assert_eq!(d.people, vec!["login:ann".to_string()]);
}

#[test]
fn last_experience_no_response() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    b.comment(1, "ann", 1, "bump"); // the author's own comment is no reply
    b.comment(1, "stale", 2, "stale"); // nor is a bot's
    b.close(1, "max", 3); // nor is a close without comment
    let r = b.report();
    let c = r.contributor("login:ann").unwrap();
    assert_eq!(c.last_experience, Experience::NoResponse);
}

#[test]
fn last_experience_slow_response_after_14_days() {
    for (reply_day, want) in [(14, Experience::Unknown), (15, Experience::SlowResponse)] {
        let mut b = B::new();
        b.pr(1, "ann", 0);
        b.comment(1, "max", reply_day, "looking");
        let r = b.report();
        let c = r.contributor("login:ann").unwrap();
        assert_eq!(c.last_experience, want, "reply on day {reply_day}");
        let d = c.last_experience_detail.as_ref().unwrap();
        assert_eq!(d.first_response_hours, Some(reply_day as f64 * 24.0));
    }
}

#[test]
fn last_experience_closed_unmerged_with_and_without_explaining_comment() {
    for (explain, want) in [(true, Some(true)), (false, Some(false))] {
        let mut b = B::new();
        b.pr(1, "ann", 0);
        b.comment(1, "max", 1, "thanks!");
        if explain {
            b.comment(
                1,
                "max",
                5,
                "Closing: this is out of scope, see the roadmap.",
            );
        }
        b.close(1, "max", 5);
        let r = b.report();
        let c = r.contributor("login:ann").unwrap();
        assert_eq!(c.last_experience, Experience::ClosedUnmerged);
        let d = c.last_experience_detail.as_ref().unwrap();
        assert_eq!(d.explained, want);
        assert_eq!(d.actor.as_deref(), Some("login:max"));
    }
}

#[test]
fn last_experience_closed_by_bot() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(1, "stale[bot]", 60, "This PR is stale");
    b.close(1, "stale[bot]", 67);
    assert_eq!(
        b.report().contributor("login:ann").unwrap().last_experience,
        Experience::ClosedByBot
    );
}

#[test]
fn last_experience_imported() {
    let mut b = B::new();
    b.pr(7, "ann", 0);
    b.comment(
        7,
        "facebook-github-bot",
        3,
        "@max has imported this pull request.",
    );
    b.close(7, "facebook-github-bot", 4);
    let r = b.report();
    assert_eq!(
        r.contributor("login:ann").unwrap().last_experience,
        Experience::Imported
    );
}

#[test]
fn last_experience_cla_unsigned() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(1, "googlebot", 0, "Thanks for your pull request. It looks like you need to sign our Contributor License Agreement (CLA).");
    let r = b.report();
    assert_eq!(
        r.contributor("login:ann").unwrap().last_experience,
        Experience::ClaUnsigned
    );
    // Signed later: not cla_unsigned.
    b.comment(
        1,
        "googlebot",
        1,
        "CLA signed, thanks! All committers have signed the CLA.",
    );
    assert_ne!(
        b.report().contributor("login:ann").unwrap().last_experience,
        Experience::ClaUnsigned
    );
}

#[test]
fn last_experience_merged() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.merge(1, "max", 1);
    let r = b.report();
    let c = r.contributor("login:ann").unwrap();
    assert_eq!(c.last_experience, Experience::Merged);
    assert_eq!(
        c.last_experience_detail.as_ref().unwrap().resolution_hours,
        Some(24.0)
    );
}

#[test]
fn last_experience_unknown_on_git_only_data() {
    let mut b = B::git_only();
    b.commit("c1", "ann@x.org", 0);
    assert_eq!(
        b.report().contributors[0].last_experience,
        Experience::Unknown
    );
}

#[test]
fn last_experience_is_about_the_last_item() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.merge(1, "max", 1);
    b.pr(2, "ann", 5);
    let c = b.report();
    let d = c
        .contributor("login:ann")
        .unwrap()
        .last_experience_detail
        .clone()
        .unwrap();
    assert_eq!((d.kind, d.item), (Experience::NoResponse, Some(2)));
}

// ---------- docs/definitions.md#workflow-signals: signals ----------

#[test]
fn signal_landed_without_public_pr_splits_by_author_affiliation() {
    let mut b = B::git_only();
    b.settings.internal_domains = vec!["corp.example".into()];
    b.commit("a1", "emp@corp.example", 1);
    b.commit("a2", "out@gmail.com", 2);
    let c = b.commit("a3", "out@gmail.com", 3);
    c.pr_number = Some(3);
    c.pr_via = Some(PrVia::Squash);
    b.commit("m1", "emp@corp.example", 4).parent_count = 2;
    let r = b.report();
    let s = r.signal("landed_without_public_pr").unwrap();
    assert_eq!((s.count, s.total, s.share), (Some(2), Some(3), Some(0.67)));
    let split = s.split.unwrap();
    assert_eq!((split.internal, split.external), (1, 1));
    assert_eq!(r.openness.commits_total, Some(3));
    assert_eq!(r.openness.commits_with_public_pr, Some(1));
    let shas: Vec<_> = s
        .evidence
        .iter()
        .filter_map(|h| h.commit.as_deref())
        .collect();
    assert_eq!(shas, ["a1", "a2"]);
}

#[test]
fn signal_internal_review_markers_from_markers_or_trailers() {
    let mut b = B::git_only();
    b.commit("a1", "emp@corp.example", 1).markers = vec!["private_reviewed_on".into()];
    b.commit("a2", "emp@corp.example", 1).trailers =
        vec![("PiperOrigin-RevId".into(), "123456789".into())];
    b.commit("a3", "emp@corp.example", 1).trailers =
        vec![("Differential Revision".into(), "D123".into())];
    b.commit("a4", "emp@corp.example", 1).trailers =
        vec![("Signed-off-by".into(), "E <emp@corp.example>".into())];
    let r = b.report();
    assert_eq!(r.openness.commits_with_internal_review_marker, Some(3));
    let s = r.signal("internal_review_markers").unwrap();
    assert!(
        s.evidence[1].detail.contains("piper_origin_revid"),
        "{:?}",
        s.evidence
    );
}

#[test]
fn signal_imported_prs_with_credit_leak() {
    let mut b = B::new();
    b.pr(9, "ann", 0);
    b.close(9, "copybara-service[bot]", 3);
    let c = b.commit("f00dfeed", "emp@corp.example", 3);
    c.message =
        "Fix parser\n\nImported from GitHub PR https://github.com/acme/widget/pull/9\n".into();
    c.imported_pr = Some(9);
    let r = b.report();
    assert_eq!(r.openness.imported_prs, Some(1));
    let leaks = r.signal("credit_leaks").unwrap();
    assert_eq!(leaks.count, Some(1));
    assert_eq!(leaks.evidence[0].item, Some(9));
    assert_eq!(leaks.evidence[0].commit.as_deref(), Some("f00dfeed"));
    // With a Co-authored-by for the PR author, no leak.
    b.ds.commits[0].trailers = vec![(
        "Co-authored-by".into(),
        "Ann <ann@users.noreply.github.com>".into(),
    )];
    assert_eq!(b.report().signal("credit_leaks").unwrap().count, Some(0));
}

#[test]
fn signal_imported_prs_via_closes_reference_in_a_commit() {
    let mut b = B::new();
    b.pr(9, "ann", 0);
    b.close(9, "max", 3);
    b.commit("c1", "emp@corp.example", 3).message = "Fix parser\n\nCloses #9\n".into();
    let r = b.report();
    assert_eq!(r.signal("imported_prs").unwrap().count, Some(1));
    assert_eq!(
        r.contributor("login:ann").unwrap().last_experience,
        Experience::Imported
    );
}

#[test]
fn signal_unreviewed_merges() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.merge(1, "max", 2);
    b.pr(2, "bob", 0);
    b.comment(2, "max", 1, "lgtm");
    b.merge(2, "max", 2);
    b.pr(3, "cat", 0);
    b.comment(3, "cat", 1, "self");
    b.merge(3, "cat", 2);
    let r = b.report();
    let s = r.signal("unreviewed_merges").unwrap();
    let items: Vec<_> = s.evidence.iter().filter_map(|h| h.item).collect();
    assert_eq!(items, [1, 3]);
    assert_eq!(s.total, Some(3));
    assert_eq!(r.openness.unreviewed_merges.external, Some(2));
}

#[test]
fn signal_instant_merges_within_10_minutes() {
    for (minutes, reviewed, want) in [(10, false, 1), (11, false, 0), (2, true, 0)] {
        let mut b = B::new();
        b.pr_at(1, "ann", day(0), "Quick fix");
        if reviewed {
            b.event(EventKind::Review, Some(1), "max", day(0) + 60)
                .state = Some("APPROVED".into());
        }
        b.merge_at(1, "ann", day(0) + minutes * 60);
        assert_eq!(
            b.report().signal("instant_merges").unwrap().count,
            Some(want),
            "{minutes} min, reviewed {reviewed}"
        );
    }
}

#[test]
fn signal_internal_references_in_bodies_and_comments() {
    let mut b = B::new();
    b.issue(1, "ann", 0).body = "Context: go/widget-design".into();
    b.issue(2, "bob", 0);
    b.comment(2, "max", 1, "We discussed offline, closing.");
    b.issue(3, "cat", 0).body = "See https://github.com/acme/widget/issues/1".into();
    let r = b.report();
    let s = r.signal("internal_references").unwrap();
    let items: Vec<_> = s.evidence.iter().filter_map(|h| h.item).collect();
    assert_eq!(items, [1, 2]);
    assert_eq!(s.total, Some(3));
}

#[test]
fn signal_response_gap_acceptance_gap_merge_latency_gap() {
    let mut b = B::new();
    b.settings.internal_domains = vec!["corp.example".into()];
    b.ds.identity_links.push(IdentityLink {
        email: "emp@corp.example".into(),
        login: "emp".into(),
        reason: "api".into(),
    });
    b.commit("c0", "emp@corp.example", 0);
    // Internal: reply after 1 day, merged after 2.
    b.pr(1, "emp", 0);
    b.comment(1, "max", 1, "ok");
    b.merge(1, "max", 2);
    // External: reply after 4 days, merged after 8; another closed unmerged.
    b.pr(2, "out", 0);
    b.comment(2, "max", 4, "hm");
    b.merge(2, "max", 8);
    b.pr(3, "out", 0);
    b.comment(3, "max", 4, "no");
    b.close(3, "max", 9);
    let r = b.report();
    let gap = r.signal("response_gap").unwrap();
    let v = gap.values.unwrap();
    assert_eq!(
        (v.internal, v.external, gap.ratio),
        (Some(24.0), Some(96.0), Some(4.0))
    );
    assert_eq!(r.openness.median_first_response_hours.external, Some(96.0));
    let acc = r.signal("acceptance_gap").unwrap().values.unwrap();
    assert_eq!((acc.internal, acc.external), (Some(1.0), Some(0.5)));
    assert_eq!(r.openness.pr_acceptance_ratio.external, Some(0.5));
    let lat = r.signal("merge_latency_gap").unwrap();
    assert_eq!(lat.ratio, Some(4.0));
    let p = &r.penalty.outsider_vs_insider;
    assert_eq!(p.first_response_hours.ratio, Some(4.0));
    assert_eq!(p.acceptance.ratio, Some(0.5));
    assert_eq!(p.acceptance.subject.items, vec![2, 3]);
}

#[test]
fn first_response_counts_only_a_non_author_non_bot_human_reply() {
    let mut b = B::new();
    b.issue(1, "ann", 0);
    b.comment(1, "ann", 1, "more info");
    b.comment(1, "codecov", 2, "report");
    b.close(1, "max", 3);
    b.comment(1, "max", 6, "sorry, fixed");
    let r = b.report();
    let d = r
        .contributor("login:ann")
        .unwrap()
        .last_experience_detail
        .clone()
        .unwrap();
    assert_eq!(d.first_response_hours, Some(144.0));
}

#[test]
fn git_only_data_gives_null_for_what_git_cannot_know() {
    let mut b = B::git_only();
    b.commit("c1", "ann@x.org", 0);
    let r = b.report();
    let v = serde_json::to_value(&r).unwrap();
    let o = &v["openness"];
    assert_eq!(o["commits_total"], 1);
    assert!(o["median_first_response_hours"]["internal"].is_null());
    assert!(o["pr_acceptance_ratio"]["external"].is_null());
    assert!(o["unreviewed_merges"]["external"].is_null());
    assert_eq!(o["imported_prs"], 0);
    assert!(r.signal("instant_merges").unwrap().count.is_none());
    assert!(r.gravity.stargazers.is_none());
    assert!(
        v["funnel"][0]["internal"].is_null(),
        "observer is unknowable from git"
    );
    assert!(
        v["funnel"][1]["external"].is_null(),
        "participant is unknowable from git"
    );
    assert_eq!(v["funnel"][2]["external"], 1);
    assert!(
        r.cohorts[0]
            .rungs
            .iter()
            .all(|c| c.rung >= Rung::Contributor)
    );
}

// ---------- penalty, doors, cohorts, gravity ----------

#[test]
fn penalty_first_timers_vs_returning() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(1, "max", 10, "late");
    b.merge(1, "max", 10);
    b.pr(2, "ann", 20);
    b.comment(2, "max", 21, "quick");
    b.merge(2, "max", 21);
    let p = b.report().penalty.first_timer_vs_returning;
    assert_eq!(p.first_response_hours.subject.items, vec![1]);
    assert_eq!(p.first_response_hours.ratio, Some(10.0));
}

#[test]
fn doors_lead_to_regular() {
    let mut b = B::new();
    b.issue(1, "bug", 0).labels = vec!["bug".into()];
    b.issue(2, "ask", 0).title = "How do I configure this?".into();
    b.pr_at(3, "doc", day(0), "Fix typo in README");
    b.pr_at(4, "tst", day(0), "Add tests for parser");
    b.pr(5, "gfi", 0).labels = vec!["good first issue".into()];
    for (i, d) in [(10u64, 1i64), (11, 2), (12, 40)] {
        b.pr(i, "doc", d);
        b.merge(i, "max", d);
    }
    let r = b.report();
    let door = |d: Door| r.doors.iter().find(|x| x.door == d).unwrap();
    assert_eq!(door(Door::BugReport).people_ids, vec!["login:bug"]);
    assert_eq!(door(Door::Question).people_ids, vec!["login:ask"]);
    assert_eq!(door(Door::TestPr).people_ids, vec!["login:tst"]);
    assert_eq!(door(Door::GoodFirstIssuePr).people_ids, vec!["login:gfi"]);
    let docs = door(Door::DocsPr);
    assert_eq!(
        (docs.people, docs.reached_regular, docs.share),
        (1, 1, Some(1.0))
    );
}

#[test]
fn cohorts_share_within_windows_counts_only_eligible_people() {
    let mut b = B::new();
    b.star("ann", 0);
    b.pr(1, "ann", 10);
    b.star("bob", 5);
    b.star("late", 300); // as_of = day 300; bob and ann are eligible for 90/180 but not 365
    let r = b.report();
    let q1 = r
        .cohorts
        .iter()
        .find(|c| c.quarter == "2024-Q1" && c.affiliation == Affiliation::External)
        .unwrap();
    assert_eq!(q1.size, 2);
    let contributor = q1
        .rungs
        .iter()
        .find(|r| r.rung == Rung::Contributor)
        .unwrap();
    assert_eq!(
        (
            contributor.within_90_days.reached,
            contributor.within_90_days.eligible
        ),
        (1, 2)
    );
    assert_eq!(contributor.within_90_days.share, Some(0.5));
    assert_eq!(contributor.within_365_days.eligible, 0);
    assert_eq!(contributor.within_365_days.share, None);
}

#[test]
fn gravity_stargazer_conversion_and_star_bursts() {
    let mut b = B::new();
    for i in 0..30 {
        b.star(&format!("s{i}"), 10);
    }
    b.star("x", 1);
    b.star("y", 2);
    b.issue(1, "s1", 12);
    let g = b.report().gravity;
    assert_eq!(g.stargazers, Some(32));
    assert_eq!(g.converted_ids, vec!["login:s1"]);
    assert_eq!(g.star_bursts.len(), 1);
    assert_eq!(g.star_bursts[0].day, "2024-01-11");
}

// ---------- scenarios ----------

#[test]
fn scenario_outsider_hired_midway() {
    let mut b = B::new();
    b.settings.internal_orgs = vec!["Acme".into()];
    b.ds.affiliations = contrail::affiliations::parse(
        "hana: hana!gmail.com\n\tIndependent until 2024-03-01\n\tAcme\n",
        &b.settings,
    )
    .unwrap();
    b.pr(1, "hana", 0);
    b.merge(1, "max", 1);
    b.pr(2, "hana", 100);
    b.review(2, "max", 100, "APPROVED");
    b.merge(2, "max", 101);
    b.pr(3, "bob", 102);
    b.review(3, "hana", 103, "APPROVED");
    let r = b.report();
    let h = r.contributor("login:hana").unwrap();
    assert_eq!(h.affiliation, Affiliation::Internal);
    assert_eq!(h.affiliation_periods.len(), 2);
    assert_eq!(h.affiliation_periods[0].affiliation, Affiliation::External);
    assert_eq!(
        h.affiliation_periods[1].from.as_deref(),
        Some("2024-03-01T00:00:00Z")
    );
    let at = |rung| {
        h.journey
            .iter()
            .find(|s| s.rung == rung)
            .unwrap()
            .affiliation
    };
    assert_eq!(at(Rung::Merged), Affiliation::External);
    assert_eq!(at(Rung::Reviewer), Affiliation::Internal);
    let funnel = |rung| r.funnel.iter().find(|f| f.stage == rung).unwrap().clone();
    assert_eq!(funnel(Rung::Merged).external, Some(1));
    assert_eq!(funnel(Rung::Reviewer).internal, Some(1));
}

#[test]
fn scenario_hire_seen_through_association_change() {
    let mut b = B::new();
    b.issue(1, "hana", 0);
    b.comment(1, "hana", 0, "details");
    b.ds.events.last_mut().unwrap().association = Some("NONE".into());
    b.comment(1, "hana", 50, "now on the team");
    b.ds.events.last_mut().unwrap().association = Some("MEMBER".into());
    let r = b.report();
    let h = r.contributor("login:hana").unwrap();
    assert_eq!(h.journey[0].affiliation, Affiliation::External);
    assert_eq!(h.affiliation, Affiliation::Internal);
}

#[test]
fn scenario_imported_pr_with_credit_leak() {
    // Copybara flow: outsider's PR closed by the sync bot, landed with an employee as author.
    let mut b = B::new();
    b.settings.internal_domains = vec!["corp.example".into()];
    b.pr(42, "outsider", 0).title = "Fix overflow in parser".into();
    b.comment(42, "emp", 2, "Thanks, importing.");
    b.comment(
        42,
        "copybara-service[bot]",
        5,
        "This PR was merged in commit c0ffee1",
    );
    b.close(42, "copybara-service[bot]", 5);
    let c = b.commit("c0ffee1", "emp@corp.example", 5);
    c.subject = "PR #42: Fix overflow in parser".into();
    c.message = "PR #42: Fix overflow in parser\n\nImported from GitHub PR https://github.com/acme/widget/pull/42\n\nPiperOrigin-RevId: 612345678\n".into();
    c.imported_pr = Some(42);
    c.committer_email = "copybara-worker@google.com".into();
    c.committer_name = "Copybara-Service".into();
    c.applied_by_other = true;
    c.trailers = vec![("PiperOrigin-RevId".into(), "612345678".into())];
    b.star("zed", 400);
    let r = b.report();
    let o = r.contributor("login:outsider").unwrap();
    assert_eq!(o.status, Status::Dropped);
    assert_eq!(o.last_experience, Experience::Imported);
    assert!(
        o.journey
            .iter()
            .any(|s| s.rung == Rung::Merged && s.imported)
    );
    assert_eq!(r.signal("credit_leaks").unwrap().count, Some(1));
    assert_eq!(r.signal("imported_prs").unwrap().split.unwrap().external, 1);
    assert_eq!(r.openness.commits_with_internal_review_marker, Some(1));
    assert!(r.people.bot_ids.iter().any(|b| b.contains("copybara")));
}

#[test]
fn scenario_unanswered_first_timer() {
    let mut b = B::new();
    b.pr(1, "newbie", 0).title = "Add retry option".into();
    b.comment(1, "newbie", 20, "any update?");
    b.star("zed", 300);
    let r = b.report();
    let n = r.contributor("login:newbie").unwrap();
    assert_eq!(
        (n.status, n.last_experience, n.stage),
        (Status::Dropped, Experience::NoResponse, Rung::Contributor)
    );
    assert_eq!(
        r.penalty
            .first_timer_vs_returning
            .first_response_hours
            .subject
            .n,
        0
    );
    let row = r
        .dropoffs
        .iter()
        .find(|d| d.reason == Experience::NoResponse)
        .unwrap();
    assert_eq!(row.people, vec!["login:newbie"]);
}

#[test]
fn scenario_stale_bot_closure() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(
        1,
        "stale[bot]",
        60,
        "This pull request has been automatically marked as stale.",
    );
    b.close(1, "stale[bot]", 67);
    b.star("zed", 300);
    let r = b.report();
    let a = r.contributor("login:ann").unwrap();
    assert_eq!(a.last_experience, Experience::ClosedByBot);
    assert_eq!(
        a.last_experience_detail.as_ref().unwrap().actor.as_deref(),
        Some("login:stale[bot]")
    );
    assert_eq!(
        r.signal("acceptance_gap").unwrap().values.unwrap().external,
        Some(0.0)
    );
}

#[test]
fn scenario_cla_never_signed() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(1, "CLAassistant", 0, "Thank you for your submission! We ask that you sign our Contributor License Agreement before we can accept your contribution.");
    b.comment(1, "max", 3, "Could you sign the CLA?");
    b.close(1, "stale[bot]", 90);
    b.star("zed", 300);
    let r = b.report();
    let a = r.contributor("login:ann").unwrap();
    assert_eq!(
        (a.status, a.last_experience),
        (Status::Dropped, Experience::ClaUnsigned)
    );
}

/// CLAassistant's real wording names signing even when nobody signed: "0 out of 1 committers
/// have signed the CLA" is a request; "All committers have signed the CLA" is a signature.
#[test]
fn last_experience_cla_unsigned_from_claassistant_tally() {
    let mut b = B::new();
    b.pr(1, "ann", 0);
    b.comment(1, "CLAassistant", 0, "Thank you for your submission! We really appreciate it. Like many open source projects, we ask that you sign our Contributor License Agreement before we can accept your contribution.<br/>**0** out of **1** committers have signed the CLA.");
    b.close(1, "stale[bot]", 90);
    b.pr(2, "bea", 0);
    b.comment(
        2,
        "CLAassistant",
        0,
        "**1** out of **2** committers have signed the CLA.",
    );
    b.close(2, "stale[bot]", 90);
    b.pr(3, "cy", 0);
    b.comment(3, "CLAassistant", 0, "All committers have signed the CLA.");
    b.close(3, "stale[bot]", 90);
    b.star("zed", 300);
    let r = b.report();
    let exp = |id: &str| r.contributor(id).unwrap().last_experience;
    assert_eq!(exp("login:ann"), Experience::ClaUnsigned);
    assert_eq!(exp("login:bea"), Experience::ClaUnsigned);
    assert_ne!(exp("login:cy"), Experience::ClaUnsigned);
}

#[test]
fn scenario_typo_hunt_week() {
    let mut b = B::new();
    for i in 0..8u64 {
        let it = b.pr_at(
            100 + i,
            &format!("hunter{i}"),
            day(30) + i as i64 * 3600 * 12,
            "Fix typo in README",
        );
        it.additions = Some(1);
        it.deletions = Some(1);
    }
    for i in 0..8u64 {
        b.merge(100 + i, "max", 34);
    }
    b.pr(200, "real", 1).additions = Some(1);
    b.star("zed", 300);
    let r = b.report();
    assert_eq!(r.gravity.typo_hunt_prs, (100..108).collect::<Vec<_>>());
    let docs = r.doors.iter().find(|d| d.door == Door::DocsPr).unwrap();
    assert_eq!((docs.people, docs.reached_regular), (8, 0));
    assert!(
        r.contributors
            .iter()
            .filter(|c| c.id.starts_with("login:hunter"))
            .all(|c| c.status == Status::Dropped || c.stage == Rung::Merged)
    );
}

// ---------- properties ----------

mod properties {
    use super::*;
    use contrail::report::Report;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Act {
        Star(u8, i64),
        Issue(u8, i64),
        Pr(u8, i64, Option<(u8, i64)>),
        Comment(u8, u8, i64),
        Review(u8, u8, i64, bool),
        Commit(u8, i64),
        Close(u8, u8, i64),
    }

    fn act() -> impl Strategy<Value = Act> {
        let who = 0u8..6;
        let d = 0i64..400;
        prop_oneof![
            (who.clone(), d.clone()).prop_map(|(w, d)| Act::Star(w, d)),
            (who.clone(), d.clone()).prop_map(|(w, d)| Act::Issue(w, d)),
            (
                who.clone(),
                d.clone(),
                proptest::option::of((who.clone(), 0i64..60))
            )
                .prop_map(|(w, d, m)| Act::Pr(w, d, m)),
            (who.clone(), 0u8..20, d.clone()).prop_map(|(w, i, d)| Act::Comment(w, i, d)),
            (who.clone(), 0u8..20, d.clone(), any::<bool>())
                .prop_map(|(w, i, d, a)| Act::Review(w, i, d, a)),
            (who.clone(), d.clone()).prop_map(|(w, d)| Act::Commit(w, d)),
            (who.clone(), 0u8..20, d.clone()).prop_map(|(w, i, d)| Act::Close(w, i, d)),
        ]
    }

    fn login(w: u8) -> String {
        if w == 5 {
            "renovate[bot]".into()
        } else {
            format!("p{w}")
        }
    }

    /// Build a dataset; item numbers are position-based so subsets stay consistent.
    fn build(acts: &[(usize, Act)]) -> B {
        let mut b = B::new();
        b.ds.has_git = true;
        for (k, a) in acts {
            let k = *k as u64;
            match a {
                Act::Star(w, d) => {
                    b.event(EventKind::Star, None, &login(*w), day(*d)).id = format!("s{k}").into();
                }
                Act::Issue(w, d) => {
                    b.issue(1000 + k, &login(*w), *d);
                }
                Act::Pr(w, d, m) => {
                    b.pr(1000 + k, &login(*w), *d);
                    if let Some((by, after)) = m {
                        b.merge(1000 + k, &login(*by), d + after);
                        b.ds.events.last_mut().unwrap().id = format!("m{k}").into();
                    }
                }
                Act::Comment(w, i, d) => {
                    b.comment(1000 + *i as u64, &login(*w), *d, "hello");
                    b.ds.events.last_mut().unwrap().id = format!("c{k}").into();
                }
                Act::Review(w, i, d, ok) => {
                    b.review(
                        1000 + *i as u64,
                        &login(*w),
                        *d,
                        if *ok { "APPROVED" } else { "COMMENTED" },
                    );
                    b.ds.events.last_mut().unwrap().id = format!("r{k}").into();
                }
                Act::Commit(w, d) => {
                    let email = format!("{}@users.noreply.github.com", login(*w));
                    b.commit(&format!("sha{k:04}"), &email, *d);
                }
                Act::Close(w, i, d) => {
                    b.event(
                        EventKind::Closed,
                        Some(1000 + *i as u64),
                        &login(*w),
                        day(*d),
                    )
                    .id = format!("x{k}").into();
                }
            }
        }
        b
    }

    fn json(r: &Report) -> String {
        serde_json::to_string(r).unwrap()
    }

    fn journey_of(r: &Report, id: &str) -> Option<Vec<(Rung, String)>> {
        r.contributor(id)
            .map(|c| c.journey.iter().map(|s| (s.rung, s.at.clone())).collect())
    }

    fn actor(a: &Act) -> u8 {
        match a {
            Act::Star(w, _)
            | Act::Issue(w, _)
            | Act::Pr(w, _, _)
            | Act::Comment(w, _, _)
            | Act::Review(w, _, _, _)
            | Act::Commit(w, _)
            | Act::Close(w, _, _) => *w,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn insertion_order_does_not_change_the_report(acts in proptest::collection::vec(act(), 1..40), seed in any::<u64>()) {
            let indexed: Vec<(usize, Act)> = acts.into_iter().enumerate().collect();
            let a = build(&indexed);
            let mut b = a.clone();
            // A deterministic shuffle of every table.
            let mut s = seed | 1;
            let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
            for i in (1..b.ds.events.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; b.ds.events.swap(i, j); }
            for i in (1..b.ds.items.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; b.ds.items.swap(i, j); }
            for i in (1..b.ds.commits.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; b.ds.commits.swap(i, j); }
            prop_assert_eq!(json(&a.report()), json(&b.report()));
        }

        #[test]
        fn bots_never_appear_as_people(acts in proptest::collection::vec(act(), 1..40)) {
            let indexed: Vec<(usize, Act)> = acts.into_iter().enumerate().collect();
            let r = build(&indexed).report();
            prop_assert!(r.contributors.iter().all(|c| !c.logins.iter().any(|l| l.contains("[bot]"))));
            for f in &r.funnel {
                prop_assert!(f.people.iter().all(|p| !p.contains("[bot]")));
            }
        }

        #[test]
        fn rungs_only_move_earlier_when_events_are_added(acts in proptest::collection::vec(act(), 2..40), cut in 1usize..40) {
            let indexed: Vec<(usize, Act)> = acts.into_iter().enumerate().collect();
            let cut = cut.min(indexed.len() - 1);
            let small = build(&indexed[..cut]).report();
            let big = build(&indexed).report();
            for c in &small.contributors {
                let bigger = big.contributor(&c.id).expect("person still there");
                for s in &c.journey {
                    let later = bigger.journey.iter().find(|x| x.rung == s.rung).expect("rung kept");
                    prop_assert!(later.at <= s.at, "{} {:?}: {} > {}", c.id, s.rung, later.at, s.at);
                }
            }
        }

        #[test]
        fn an_unrelated_persons_events_never_change_anothers_journey(acts in proptest::collection::vec(act(), 1..40), extra in proptest::collection::vec((0i64..400, any::<bool>()), 1..10)) {
            // Person p0's own journey, with and without a stranger's stars and issues.
            let indexed: Vec<(usize, Act)> = acts.into_iter().enumerate().filter(|(_, a)| actor(a) == 0 && !matches!(a, Act::Comment(..) | Act::Review(..) | Act::Close(..))).collect();
            let base = build(&indexed);
            let mut more = base.clone();
            for (i, (d, star)) in extra.iter().enumerate() {
                if *star { more.event(EventKind::Star, None, "stranger", day(*d)).id = format!("zz{i}").into(); }
                else { more.issue(5000 + i as u64, "stranger", *d); }
            }
            let (a, b) = (base.report(), more.report());
            // The stranger may move as_of (and so the status); the journey itself must not change.
            prop_assert_eq!(journey_of(&a, "login:p0"), journey_of(&b, "login:p0"));
        }
    }
}

#[test]
fn rung_maintainer_reached_by_a_merge_pull_request_commit_of_someone_elses_pr() {
    let mut b = B::git_only();
    b.commit("c1", "ann@users.noreply.github.com", 1);
    let m = b.commit("m1", "max@users.noreply.github.com", 2);
    m.parent_count = 2;
    m.subject = "Merge pull request #4 from ann/fix-parser".into();
    let r = b.report();
    assert_eq!(stage_day(&r, "login:max", "maintainer"), Some(2));
    assert_eq!(stage_day(&r, "login:ann", "maintainer"), None);
    assert_eq!(
        r.openness.commits_total,
        Some(1),
        "merge commits are not counted"
    );
}

#[test]
fn signal_public_pr_and_internal_review_marker_are_counted_independently() {
    // ShipIt style: `(#N)` and `Pull Request resolved:` plus `Differential Revision`.
    let mut b = B::new();
    b.pr(12, "ann", 0);
    b.comment(
        12,
        "facebook-github-bot",
        3,
        "@max has imported this pull request.",
    );
    b.close(12, "facebook-github-bot", 4);
    let c = b.commit("d1", "max@corp.example", 4);
    c.subject = "Fix parser (#12)".into();
    c.pr_number = Some(12);
    c.pr_via = Some(PrVia::Resolved);
    c.trailers = vec![
        (
            "Pull Request resolved".into(),
            "https://github.com/acme/widget/pull/12".into(),
        ),
        ("Differential Revision".into(), "D1234567".into()),
    ];
    let r = b.report();
    assert_eq!(r.openness.commits_with_public_pr, Some(1));
    assert_eq!(r.openness.commits_with_internal_review_marker, Some(1));
    assert_eq!(r.openness.imported_prs, Some(1));
    let ann = r.contributor("login:ann").unwrap();
    assert_eq!(ann.last_experience, Experience::Imported);
    assert_eq!(
        ann.last_experience_detail
            .as_ref()
            .unwrap()
            .commit
            .as_deref(),
        Some("d1")
    );
}

#[test]
fn signal_internal_review_markers_gerrit_and_sync_forms() {
    type Trailers<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Trailers, &str, Option<&str>); 5] = [
        (
            &[("Change-Id", "I0123")],
            "Fix",
            Some("change_id_without_public_review"),
        ),
        (
            &[
                ("Change-Id", "I0123"),
                ("Reviewed-on", "https://review.opendev.org/c/x/+/1"),
            ],
            "Fix",
            None,
        ),
        (
            &[
                ("Change-Id", "I0123"),
                ("Reviewed-on", "https://gerrit.corp.example.com/c/x/+/1"),
            ],
            "Fix",
            // The importer's one detector names both: a Change-Id reviewed only privately.
            Some("change_id_without_public_review, private_reviewed_on"),
        ),
        (&[], "Sync from internal repository", Some("sync_message")),
        (&[("Signed-off-by", "A <a@x.org>")], "Fix", None),
    ];
    for (trailers, subject, want) in cases {
        let mut b = B::git_only();
        let c = b.commit("c1", "a@x.org", 1);
        c.subject = subject.into();
        c.message = format!("{subject}\n");
        c.trailers = trailers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let r = b.report();
        let s = r.signal("internal_review_markers").unwrap();
        assert_eq!(
            s.evidence.first().map(|h| h.detail.as_str()),
            want,
            "{trailers:?} {subject}"
        );
    }
}

#[test]
fn an_empty_dataset_gives_an_empty_report_with_nulls() {
    let r = contrail::analysis::analyze(
        &contrail::domain::Dataset::default(),
        &contrail::config::Settings::default(),
        None,
    );
    assert_eq!(r.as_of, None);
    assert_eq!(r.people.total, 0);
    assert_eq!(r.openness.commits_total, None);
    assert_eq!(r.funnel.len(), 7);
    for f in [
        contrail::cli::Format::Json,
        contrail::cli::Format::Csv,
        contrail::cli::Format::Markdown,
    ] {
        assert!(!contrail::report::render(&r, f).is_empty());
    }
}
