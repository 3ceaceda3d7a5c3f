//! People-level truth from git alone (docs/definitions.md: "Inferred organisation", "People",
//! "The gate", "Suggested merges", "Honest unknowns", "Clock skew"). Each test is named after
//! the definition it checks and builds the history shape a real workflow leaves.

mod support;

use contrail::domain::*;
use contrail::report::{Affiliation, AffiliationSource, Report};
use support::*;

fn aff(r: &Report, id: &str) -> Affiliation {
    r.contributor(id)
        .unwrap_or_else(|| panic!("no {id}"))
        .affiliation
}

/// A Copybara-style mirror: employees' commits carry `PiperOrigin-RevId` and are committed by
/// a sync account; one outsider's PR is imported.
fn mirror() -> B {
    let mut b = B::git_only();
    for (i, who) in ["ann", "bob", "cat", "dan"].iter().enumerate() {
        for k in 0..3 {
            let c = b.commit(
                &format!("m{i}{k}"),
                &format!("{who}@corp.example"),
                (i * 10 + k) as i64,
            );
            c.committer_name = "Copybara-Service".into();
            c.committer_email = "copybara-worker@corp.example".into();
            c.applied_by_other = true;
            c.markers = vec!["piper_origin_revid".into(), "sync_committer".into()];
        }
    }
    let c = b.commit("imp", "out@gmail.com", 50);
    c.committer_name = "Copybara-Service".into();
    c.committer_email = "copybara-worker@corp.example".into();
    c.applied_by_other = true;
    c.imported_pr = Some(7);
    c.markers = vec!["piper_origin_revid".into(), "sync_committer".into()];
    b
}

#[test]
fn inferred_organisation_from_a_sync_account_and_internally_reviewed_commits() {
    let r = mirror().report();
    assert_eq!(r.affiliation_source, AffiliationSource::Inferred);
    assert_eq!(r.affiliation.domains, vec!["corp.example".to_string()]);
    assert!(
        r.affiliation
            .summary
            .contains("copybara-worker@corp.example"),
        "{}",
        r.affiliation.summary
    );
    for who in ["ann", "bob", "cat", "dan"] {
        let id = format!("email:{who}@corp.example");
        assert_eq!(aff(&r, &id), Affiliation::Internal, "{id}");
        let ev = &r.contributor(&id).unwrap().affiliation_evidence;
        assert!(ev.iter().any(|e| e.contains("inferred")), "{ev:?}");
    }
    assert_eq!(aff(&r, "email:out@gmail.com"), Affiliation::External);
    // The sync account is a bot, never a person on the ladder.
    assert!(
        r.contributor("email:copybara-worker@corp.example")
            .is_none()
    );
    assert_eq!((r.people.internal, r.people.external), (4, 1));
}

#[test]
fn inferred_organisation_is_not_applied_when_rejected_or_configured() {
    let mut b = mirror();
    b.settings.rejected_domains = vec!["corp.example".into()];
    let r = b.report();
    assert_eq!(r.affiliation_source, AffiliationSource::None);
    assert!(
        r.affiliation.summary.contains("rejected"),
        "{}",
        r.affiliation.summary
    );
    assert_eq!(r.people.internal, 0);

    let mut b = mirror();
    b.settings.internal_domains = vec!["other.example".into()];
    let r = b.report();
    assert_eq!(r.affiliation_source, AffiliationSource::Configured);
    assert!(r.affiliation.domains.is_empty());
    assert_eq!(r.people.internal, 0);
}

#[test]
fn inferred_organisation_keeps_a_renamed_domain_as_one_organisation() {
    // Phabricator-style commits from two domains of one company (before and after a rename).
    let mut b = B::git_only();
    for i in 0..6 {
        let old = b.commit(&format!("o{i}"), &format!("e{i}@old-corp.example"), i);
        old.markers = vec!["differential_revision".into()];
        let new = b.commit(&format!("n{i}"), &format!("e{i}@new-corp.example"), 100 + i);
        new.markers = vec!["differential_revision".into()];
    }
    let r = b.report();
    assert_eq!(r.affiliation_source, AffiliationSource::Inferred);
    assert_eq!(
        r.affiliation.domains,
        vec![
            "new-corp.example".to_string(),
            "old-corp.example".to_string()
        ]
    );
}

#[test]
fn inferred_organisation_none_for_a_community_project() {
    // Mailing-list flow: one maintainer applies everyone's patches; no internal markers.
    let mut b = B::git_only();
    for i in 0..30 {
        let c = b.commit(&format!("c{i}"), &format!("dev{i}@site{i}.example"), i);
        c.committer_name = "Maint Ainer".into();
        c.committer_email = "maint@pobox.com".into();
        c.applied_by_other = true;
    }
    let r = b.report();
    assert_eq!(r.affiliation_source, AffiliationSource::None);
    assert!(
        r.affiliation
            .summary
            .starts_with("no organisation inferred"),
        "{}",
        r.affiliation.summary
    );
    assert_eq!(r.people.internal, 0);
    // Committing others' patches is the gate.
    assert!(stage_day(&r, "email:maint@pobox.com", "maintainer").is_some());
}

#[test]
fn people_shared_team_account_is_not_a_person_and_its_committers_are_insiders() {
    let mut b = mirror();
    for k in 0..3 {
        let c = b.commit(&format!("t{k}"), "proj-team@corp.example", 60 + k);
        c.author_name = "Project Team".into();
        c.committer_name = "Eve Pusher".into();
        c.committer_email = "eve@personal.example".into();
        c.applied_by_other = true;
        c.markers = vec!["piper_origin_revid".into()];
    }
    // Eve also lands a change of her own, from her personal address.
    b.commit("own", "eve@personal.example", 70).author_name = "Eve Pusher".into();
    let r = b.report();
    assert!(r.contributor("email:proj-team@corp.example").is_none());
    assert!(
        r.people
            .bot_ids
            .contains(&"email:proj-team@corp.example".to_string())
    );
    assert_eq!(aff(&r, "email:eve@personal.example"), Affiliation::Internal);
    // Pushing the team account's exports is not merging a person's work.
    assert_eq!(
        stage_day(&r, "email:eve@personal.example", "maintainer"),
        None
    );
}

#[test]
fn people_bots_in_every_spelling_are_never_people() {
    let mut b = B::git_only();
    b.commit("a", "facebook-github-bot-bot@fb.example", 1)
        .author_name = "Facebook Github Bot".into();
    b.commit("b", "gobot@golang.example", 2).author_name = "Gopher Robot".into();
    b.commit("c", "ann@x.example", 3);
    let r = b.report();
    assert_eq!(r.people.total, 1);
    assert_eq!(r.people.bots, 2);
}

#[test]
fn people_an_author_with_an_empty_email_is_still_a_person() {
    let mut b = B::git_only();
    for i in 0..3 {
        let c = b.commit(&format!("z{i}"), "", i * 40);
        c.author_name = "zczhu".into();
        c.committer_name = "zczhu".into();
    }
    let r = b.report();
    let c = r.contributor("name:zczhu").expect("a person keyed by name");
    assert_eq!(c.name, "zczhu");
    assert_eq!(c.commits, 3);
}

#[test]
fn gate_merge_from_the_organisations_namespace_credits_the_branch_author() {
    // "Merge pull request #N from acme/branch": acme owns the repository, so the PR's author
    // is whoever wrote the branch — here the merger himself, which is no gate evidence.
    let mut b = B::git_only();
    for n in 1..=3u64 {
        let c = b.commit(&format!("br{n}"), "max@acme.example", n as i64 * 10);
        c.author_name = "Max Merger".into();
        c.pr_number = Some(n);
        c.pr_via = Some(PrVia::MergedBranch);
        let m = b.commit(&format!("mg{n}"), "max@acme.example", n as i64 * 10 + 1);
        m.author_name = "Max Merger".into();
        m.parent_count = 2;
        m.subject = format!("Merge pull request #{n} from acme/feature-{n}");
        m.pr_number = Some(n);
        m.pr_via = Some(PrVia::MergeCommit);
    }
    // One PR branch written by someone else: merging it is maintainer evidence.
    let c = b.commit("br9", "ann@else.example", 50);
    c.author_name = "Ann Other".into();
    c.pr_number = Some(9);
    c.pr_via = Some(PrVia::MergedBranch);
    let m = b.commit("mg9", "max@acme.example", 51);
    m.author_name = "Max Merger".into();
    m.parent_count = 2;
    m.subject = "Merge pull request #9 from acme/fix".into();
    m.pr_number = Some(9);
    m.pr_via = Some(PrVia::MergeCommit);
    let r = b.report();
    assert!(
        r.contributor("login:acme").is_none(),
        "the organisation is not a person"
    );
    assert_eq!(
        stage_day(&r, "email:max@acme.example", "maintainer"),
        Some(51)
    );
    let why = &r
        .contributor("email:max@acme.example")
        .unwrap()
        .journey
        .last()
        .unwrap()
        .why;
    assert!(why.contains("Ann Other"), "{why}");
}

#[test]
fn gate_committing_your_own_change_under_another_identity_is_not_maintainer_evidence() {
    let mut b = B::git_only();
    let c = b.commit("c1", "kim@home.example", 3);
    c.author_name = "Kim Lee".into();
    c.committer_name = "Kim Lee".into();
    c.committer_email = "kim.lee@work.example".into();
    c.applied_by_other = true;
    let r = b.report();
    for c in &r.contributors {
        assert!(!c.stages.contains_key("maintainer"), "{}", c.id);
    }
}

#[test]
fn gate_co_authoring_a_bot_commit_is_not_authorship() {
    let mut b = B::git_only();
    let c = b.commit(
        "dep",
        "49699333+dependabot[bot]@users.noreply.github.com",
        3,
    );
    c.author_name = "dependabot[bot]".into();
    c.trailers = vec![("Co-authored-by".into(), "Ann <ann@x.example>".into())];
    let r = b.report();
    assert!(
        r.contributor("email:ann@x.example")
            .is_none_or(|c| c.commits == 0 && !c.stages.contains_key("contributor"))
    );
}

#[test]
fn gate_phabricator_reviewed_by_gives_the_reviewer_rung() {
    let mut b = B::git_only();
    b.commit("a1", "alice@corp.example", 1);
    let c = b.commit("b1", "bob@corp.example", 5);
    c.trailers = vec![
        ("Reviewed By".into(), "alice, nobody".into()),
        ("Differential Revision".into(), "D12".into()),
    ];
    let r = b.report();
    assert_eq!(
        stage_day(&r, "email:alice@corp.example", "reviewer"),
        Some(5)
    );
    let reviewer = r.funnel.iter().find(|f| f.stage == Rung::Reviewer).unwrap();
    assert_eq!(reviewer.seen_by, vec!["git".to_string()]);
}

#[test]
fn suggested_merges_same_name_and_address_name_merge_name_alone_is_only_suggested() {
    let mut b = B::git_only();
    b.commit("a", "katz@personal.example", 1).author_name = "Daniel Katz".into();
    b.commit("b", "katz@work.example", 2).author_name = "Daniel Katz".into();
    b.commit("c", "wei@one.example", 3).author_name = "Wei Zhang".into();
    b.commit("d", "zw@two.example", 4).author_name = "Wei Zhang".into();
    let r = b.report();
    let katz = r
        .contributor("email:katz@personal.example")
        .expect("merged");
    assert_eq!(katz.emails.len(), 2);
    assert!(
        katz.identities
            .iter()
            .any(|i| i.reason.contains("address name katz"))
    );
    // A name alone never merges: it is offered.
    assert!(r.contributor("email:wei@one.example").is_some());
    assert!(r.contributor("email:zw@two.example").is_some());
    assert_eq!(r.suggested_merges.len(), 1);
    assert_eq!(
        r.suggested_merges[0].ids,
        vec![
            "email:wei@one.example".to_string(),
            "email:zw@two.example".to_string()
        ]
    );

    // Rejected pairs are neither merged nor suggested.
    let mut b2 = b.clone();
    b2.settings.rejected_merges = vec![
        vec![
            "email:katz@personal.example".into(),
            "email:katz@work.example".into(),
        ],
        vec![
            "email:wei@one.example".into(),
            "email:zw@two.example".into(),
        ],
    ];
    let r = b2.report();
    assert_eq!(
        r.contributor("email:katz@personal.example")
            .unwrap()
            .emails
            .len(),
        1
    );
    assert!(r.suggested_merges.is_empty());
    // Accepted as an alias, they are one person.
    let mut b3 = b.clone();
    b3.settings.aliases = vec![vec!["wei@one.example".into(), "zw@two.example".into()]];
    assert!(b3.report().suggested_merges.is_empty());
}

#[test]
fn honest_unknowns_reviewer_and_maintainer_are_null_without_a_source_that_sees_them() {
    // A squash-merge history: web-flow commits, no review trailers, no GitHub data.
    let mut b = B::git_only();
    for i in 0..3 {
        let c = b.commit(&format!("s{i}"), "ann@x.example", i * 40);
        c.committer_email = "noreply@github.com".into();
        c.subject = format!("Change {i} (#{i})");
        c.pr_number = Some(i as u64 + 1);
        c.pr_via = Some(PrVia::Squash);
    }
    let r = b.report();
    for row in &r.funnel {
        let known = matches!(row.stage, Rung::Contributor | Rung::Merged | Rung::Regular);
        assert_eq!(row.internal.is_some(), known, "{:?}", row.stage);
        assert_eq!(row.seen_by.is_empty(), !known, "{:?}", row.stage);
    }
}

#[test]
fn clock_skew_a_future_dated_commit_does_not_set_as_of() {
    let mut b = B::git_only();
    for i in 0..12 {
        b.commit(&format!("c{i}"), &format!("p{i}@x.example"), i * 10);
    }
    let far = b.commit("future", "p0@x.example", 365 * 76);
    far.author_time = far.committer_time;
    let r = b.report();
    assert_eq!(r.as_of.as_deref(), Some("2024-04-20T00:00:00Z"));
    assert_eq!(r.clock_skew.len(), 1);
    assert_eq!(r.clock_skew[0].commit.as_deref(), Some("future"));
    // Nobody is dropped because of it.
    let dropped = r
        .contributors
        .iter()
        .filter(|c| c.status == contrail::report::Status::Dropped)
        .count();
    assert_eq!(dropped, 0);
}

#[test]
fn signals_bot_rows_are_on_neither_side() {
    let mut b = B::git_only();
    b.commit(
        "bot1",
        "49699333+dependabot[bot]@users.noreply.github.com",
        1,
    );
    b.commit("h1", "ann@x.example", 2);
    let r = b.report();
    let s = r.signal("landed_without_public_pr").unwrap();
    assert_eq!(s.count, Some(2));
    assert_eq!(s.split.unwrap().internal, 0);
    assert_eq!(s.split.unwrap().external, 1);
    assert_eq!(s.bots, Some(1));
}

#[test]
fn people_a_configured_bot_is_a_bot_in_the_tui_too() {
    // `bot_patterns` reaches every view: the TUI keeps no bot list of its own.
    let mut b = B::new();
    b.settings.bot_patterns = vec!["^release-helper$".into()];
    b.issue(1, "release-helper", 1);
    b.issue(2, "alice", 2);
    let r = b.report();
    let v = contrail::tui::model::ViewData::build(std::sync::Arc::new(b.ds.clone()), r);
    let waiting: Vec<u64> = v.triage.iter().map(|t| t.number).collect();
    assert_eq!(waiting, vec![2]);
}
