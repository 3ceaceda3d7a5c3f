//! The TUI without a terminal: every view drawn to ratatui's `TestBackend` at 80×24 and
//! 120×40 and compared with insta snapshots, and state transitions driven by actions.
//!
//! Snapshots use the demo repository and the real `analysis::analyze`, so a change in either the
//! rendering or the analysis shows up as a snapshot diff to review. The demo has fixed dates and
//! `as_of` is the newest event, so nothing on screen depends on the wall clock.

use contrail::config::TuiConfig;
use contrail::domain::Note;
use contrail::store::{self, Store};
use contrail::tui::app::{Filter, Mode};
use contrail::tui::model::Side;
use contrail::tui::{Action, App, Effect, Msg, View, ViewData};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::sync::Arc;

fn demo_store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    contrail::demo::build(&mut s).unwrap();
    s
}

/// The demo's view model with the real analysis.
fn demo_data() -> Arc<ViewData> {
    let ds = demo_store().dataset().unwrap();
    let settings = contrail::demo::settings();
    let report = contrail::analysis::analyze(&ds, &settings, None);
    Arc::new(ViewData::build(Arc::new(ds), report))
}

fn app_with(data: Arc<ViewData>) -> App {
    let mut app = contrail::tui::new_app("the demo", &TuiConfig::default(), true).unwrap();
    app.set_data(data);
    app
}

fn demo_app() -> App {
    app_with(demo_data())
}

fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| contrail::tui::ui::draw(f, app)).unwrap();
    term
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let term = render(app, w, h);
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn press(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(*a);
    }
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(Action::Char(c));
    }
}

fn snap(name: &str, app: &mut App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let term = render(app, w, h);
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), term.backend());
        });
    }
}

// ---- Snapshots: every view at 80×24 and 120×40. ----

#[test]
fn snapshot_loading() {
    let mut app = contrail::tui::new_app("the demo", &TuiConfig::default(), true).unwrap();
    app.busy = Some("reading demo.sqlite".into());
    snap("loading", &mut app);
}

#[test]
fn snapshot_overview() {
    let mut app = demo_app();
    snap("overview", &mut app);
}

#[test]
fn snapshot_people() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People)]);
    snap("people", &mut app);
}

#[test]
fn snapshot_people_search() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    type_text(&mut app, "fern");
    snap("people_search", &mut app);
}

#[test]
fn snapshot_journey() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    type_text(&mut app, "hana");
    press(&mut app, &[Action::Submit, Action::Enter]);
    assert_eq!(app.view, View::Journey);
    snap("journey", &mut app);
}

#[test]
fn snapshot_journey_empty() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::Journey)]);
    snap("journey_empty", &mut app);
}

#[test]
fn snapshot_dropoffs() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::Dropoffs)]);
    snap("dropoffs", &mut app);
}

#[test]
fn snapshot_workflow() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::Workflow)]);
    snap("workflow", &mut app);
}

#[test]
fn snapshot_workflow_detail() {
    let mut app = demo_app();
    press(
        &mut app,
        &[
            Action::Show(View::Workflow),
            Action::Down,
            Action::Down,
            Action::Enter,
        ],
    );
    snap("workflow_imported", &mut app);
}

#[test]
fn snapshot_triage() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::Triage)]);
    snap("triage", &mut app);
}

#[test]
fn snapshot_help() {
    let mut app = demo_app();
    press(&mut app, &[Action::Help]);
    snap("help", &mut app);
}

#[test]
fn snapshot_note_editor() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Note]);
    type_text(&mut app, "ask about #mentoring");
    snap("note_editor", &mut app);
}

// ---- The real analysis renders in every view. ----

/// The screen without its first line (the tab bar, which names every view whichever is shown)
/// and its last (the footer).
fn body(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[1..lines.len() - 1].join("\n")
}

/// Every view, loaded the way the binary loads it (the background worker reading the database
/// read-only), draws its own content at 80×24 and 120×40: the ladder's rungs (Overview), the
/// first person of the table (People) and their journey (Journey), a drop-off reason of the
/// analysis (Drop-offs), the analysis' first workflow signal (Workflow), an open item waiting
/// on a reply (Triage) and the keymap's actions (Help); and no two views draw the same body.
#[test]
fn every_view_renders_with_the_real_analysis_at_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    {
        let mut s = Store::open(&path).unwrap();
        contrail::demo::build(&mut s).unwrap();
    }
    let open_items: Vec<String> = demo_store()
        .dataset()
        .unwrap()
        .items
        .iter()
        .filter(|i| i.state == contrail::domain::ItemState::Open)
        .map(|i| format!("#{}", i.number))
        .collect();
    let spec = contrail::tui::JobSpec {
        db: path,
        config: None,
        git: None,
        github: false,
        read_only: true,
    };
    let data = Arc::new(contrail::tui::worker::load(&spec, &|_| {}).unwrap());
    let report = &data.report;
    let reasons: Vec<&str> = report.dropoffs.iter().map(|d| d.reason.as_str()).collect();
    let first_signal = report.signals[0].name.clone();
    assert!(!reasons.is_empty() && !open_items.is_empty());
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app_with(data.clone());
        let mut bodies: Vec<(View, String)> = Vec::new();
        for v in View::ALL {
            if v == View::Journey {
                press(
                    &mut app,
                    &[Action::Show(View::People), Action::Top, Action::Enter],
                );
            } else {
                app.update(Action::Show(v));
            }
            assert_eq!(app.view, v);
            let b = body(&screen(&mut app, w, h));
            let starts = |word: &str| {
                b.lines()
                    .any(|l| l.trim_start_matches('│').starts_with(word))
            };
            let ok = match v {
                View::Overview => report.funnel.iter().all(|f| starts(f.stage.name())),
                View::People | View::Journey => {
                    let first = app.people.rows[0] as usize;
                    b.contains(data.people[first].name.as_str())
                }
                View::Dropoffs => reasons.iter().any(|r| b.contains(r)),
                View::Workflow => b.contains(first_signal.as_str()),
                View::Triage => open_items.iter().any(|n| b.contains(&format!("{n} "))),
                View::Help => b.contains("view_people") && b.contains("next_view"),
                View::DevRel => report
                    .devrel
                    .rising
                    .first()
                    .map_or(b.contains("Rising"), |p| b.contains(p.name.as_str())),
            };
            assert!(ok, "{v:?} at {w}x{h} lacks its own content:\n{b}");
            if v == View::Journey {
                // …and their ladder, rung by rung.
                assert!(b.contains("maintainer"), "{v:?} at {w}x{h}:\n{b}");
            }
            bodies.push((v, b));
        }
        for (i, (a, ba)) in bodies.iter().enumerate() {
            for (b, bb) in &bodies[i + 1..] {
                assert_ne!(ba, bb, "{a:?} and {b:?} draw the same body at {w}x{h}");
            }
        }
    }
}

// ---- State transitions driven by actions. ----

#[test]
fn tab_and_number_keys_switch_views_and_wrap() {
    let mut app = demo_app();
    assert_eq!(app.view, View::Overview);
    press(&mut app, &[Action::NextView]);
    assert_eq!(app.view, View::People);
    press(&mut app, &[Action::PrevView, Action::PrevView]);
    assert_eq!(app.view, View::Help);
    press(&mut app, &[Action::Show(View::Triage)]);
    assert_eq!(app.view, View::Triage);
}

#[test]
fn search_narrows_people_fuzzily_and_esc_clears_it() {
    let mut app = demo_app();
    let all = {
        press(&mut app, &[Action::Show(View::People)]);
        app.people.rows.len()
    };
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    assert_eq!(app.mode, Mode::Search);
    type_text(&mut app, "frnkow");
    let d = app.data.clone().unwrap();
    let names: Vec<&str> = app
        .people
        .rows
        .iter()
        .map(|&i| d.people[i as usize].name.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"Fern Kowalski"), "{names:?}");
    assert!(app.people.rows.len() < all);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.people.query.is_empty());
    assert_eq!(app.people.rows.len(), all);
}

#[test]
fn filters_cycle_through_insiders_outsiders_bots_dropped_active() {
    let mut app = demo_app();
    let d = app.data.clone().unwrap();
    let check = |app: &App, f: &dyn Fn(&contrail::tui::model::PersonRow) -> bool| {
        assert!(!app.people.rows.is_empty(), "{:?}", app.people.filter);
        assert!(app.people.rows.iter().all(|&i| f(&d.people[i as usize])));
    };
    press(&mut app, &[Action::Show(View::People), Action::Filter]);
    assert_eq!(app.people.filter, Filter::Insiders);
    check(&app, &|p| p.side == Side::Internal);
    press(&mut app, &[Action::Filter]);
    check(&app, &|p| p.side == Side::External);
    press(&mut app, &[Action::Filter]);
    check(&app, &|p| p.side == Side::Bot);
    press(&mut app, &[Action::Filter]);
    check(&app, &|p| p.dropped);
    press(&mut app, &[Action::Filter]);
    check(&app, &|p| !p.dropped && p.side != Side::Bot);
    // The watchlist: people whose note carries #watch (none yet, then one).
    press(&mut app, &[Action::Filter]);
    assert_eq!(app.people.filter, Filter::Watched);
    assert!(app.people.rows.is_empty());
    press(&mut app, &[Action::Show(View::People), Action::Filter]);
    assert_eq!(app.people.filter, Filter::All);
    press(&mut app, &[Action::Top, Action::Watch]);
    let watched = d.people[app.people.rows[0] as usize].id.clone();
    for _ in 0..6 {
        press(&mut app, &[Action::Filter]);
    }
    assert_eq!(app.people.filter, Filter::Watched);
    let ids: Vec<&str> = app
        .people
        .rows
        .iter()
        .map(|&i| d.people[i as usize].id.as_str())
        .collect();
    assert_eq!(ids, vec![watched.as_str()]);
    press(&mut app, &[Action::Filter]);
    assert_eq!(app.people.filter, Filter::All);
}

#[test]
fn sort_cycles_and_reverses() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Sort]);
    let d = app.data.clone().unwrap();
    let last_seen: Vec<_> = app
        .people
        .rows
        .iter()
        .map(|&i| d.people[i as usize].last_seen)
        .collect();
    assert!(last_seen.windows(2).all(|w| w[0] >= w[1]), "newest first");
    press(&mut app, &[Action::Reverse]);
    let first = d.people[app.people.rows[0] as usize].last_seen;
    assert!(last_seen.iter().all(|t| *t >= first));
}

#[test]
fn a_funnel_count_drills_to_its_people_then_a_journey_and_back() {
    let mut app = demo_app();
    // Overview row 3 = the `merged` rung.
    press(
        &mut app,
        &[Action::Down, Action::Down, Action::Down, Action::Enter],
    );
    assert_eq!(app.view, View::People);
    let d = app.data.clone().unwrap();
    let scope = app.people.scope.clone().unwrap();
    assert_eq!(scope.label, "reached merged");
    assert_eq!(
        app.people.rows.len() as u64,
        d.funnel[3].internal.unwrap() + d.funnel[3].external.unwrap()
    );
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.view, View::Journey);
    assert!(app.journey.is_some());
    press(&mut app, &[Action::Back]);
    assert_eq!(app.view, View::People);
    assert!(
        app.people.scope.is_some(),
        "back returns to the scoped list"
    );
    press(&mut app, &[Action::Back]);
    assert_eq!(app.view, View::Overview);
    assert!(app.people.scope.is_none());
}

#[test]
fn a_dropoff_row_drills_to_dropped_people_and_the_item_that_ended_it() {
    let mut app = demo_app();
    // The first row is the stargazers who never took part; the second, participants nobody
    // answered.
    press(
        &mut app,
        &[Action::Show(View::Dropoffs), Action::Down, Action::Enter],
    );
    assert_eq!(app.view, View::People);
    let d = app.data.clone().unwrap();
    assert!(!app.people.rows.is_empty());
    assert!(
        app.people
            .rows
            .iter()
            .all(|&i| d.people[i as usize].dropped)
    );
    press(&mut app, &[Action::Enter]);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Last experience"), "{s}");
    assert!(s.contains("opened"), "the ending item is shown:\n{s}");
}

#[test]
fn triage_lists_outsiders_longest_wait_first_with_first_timers_marked() {
    let app = demo_app();
    let d = app.data.clone().unwrap();
    assert!(!d.triage.is_empty());
    assert!(
        d.triage
            .windows(2)
            .all(|w| w[0].wait_days >= w[1].wait_days)
    );
    assert!(d.triage.iter().any(|t| t.first_timer));
    assert!(
        d.triage
            .iter()
            .all(|t| t.person.is_none_or(|p| d.people[p].side == Side::External))
    );
    assert!(d.triage.iter().any(|t| t.author == "mo-adeyemi"));
}

#[test]
fn workflow_signals_drill_to_their_rows_and_open_or_copy_a_url() {
    let mut app = demo_app();
    press(
        &mut app,
        &[
            Action::Show(View::Workflow),
            Action::Down,
            Action::Down,
            Action::Enter,
        ],
    );
    let d = app.data.clone().unwrap();
    assert_eq!(app.workflow.detail, Some(2));
    assert_eq!(d.signals[2].name, "imported_prs");
    assert_eq!(d.signals[2].rows.len(), 3);
    press(&mut app, &[Action::Open, Action::Copy]);
    let url = d.signals[2].rows[0].url.clone().unwrap();
    assert_eq!(
        app.effects,
        vec![Effect::OpenUrl(url.clone()), Effect::Copy(url)]
    );
    press(&mut app, &[Action::Back]);
    assert_eq!(app.workflow.detail, None);
}

/// Every count drills down: the penalty lines on the Overview open the rows behind them
/// (first reply → response_gap, acceptance → acceptance_gap, first-timers vs later → the
/// first-timer penalty's items).
#[test]
fn overview_penalty_lines_drill_to_their_gap_signal_rows() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::Overview), Action::Bottom]);
    let d = app.data.clone().unwrap();
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("first reply 1st vs later"), "{s}");
    let mut opened = Vec::new();
    for step in 0..3 {
        let mut keys = vec![Action::Enter];
        if step > 0 {
            keys.insert(0, Action::Up);
            keys.insert(0, Action::Back);
        }
        press(&mut app, &keys);
        assert_eq!(app.view, View::Workflow);
        let i = app.workflow.detail.unwrap();
        assert!(!d.signals[i].rows.is_empty(), "{}", d.signals[i].name);
        opened.push(d.signals[i].name.clone());
    }
    assert_eq!(
        opened,
        ["first_timer_response_gap", "acceptance_gap", "response_gap"]
    );
}

#[test]
fn notes_are_edited_with_tags_and_handed_to_the_runner() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Note]);
    assert_eq!(app.mode, Mode::Note);
    type_text(&mut app, "great reviewer, ask about #mentoring #hire");
    press(&mut app, &[Action::Submit]);
    assert_eq!(app.mode, Mode::Normal);
    let Some(Effect::SaveNote { person, text, tags }) = app.effects.pop() else {
        panic!("no note effect: {:?}", app.effects);
    };
    assert_eq!(tags, vec!["mentoring", "hire"]);
    assert!(text.starts_with("great reviewer"));
    assert_eq!(app.notes[&person].text, text);
    // `#tag` in the search finds the people tagged so.
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    type_text(&mut app, "#ment");
    let d = app.data.clone().unwrap();
    let found: Vec<&str> = app
        .people
        .rows
        .iter()
        .map(|&i| d.people[i as usize].id.as_str())
        .collect();
    assert_eq!(found, vec![person.as_str()]);
}

#[test]
fn notes_are_disabled_on_a_read_only_snapshot() {
    let mut app = demo_app();
    app.read_only = Some("snapshots open read-only".into());
    press(&mut app, &[Action::Show(View::People), Action::Note]);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.message.as_deref().unwrap().contains("read-only"));
    assert!(app.effects.is_empty());
}

#[test]
fn notes_stored_in_the_db_survive_a_reload() {
    let mut st = demo_store();
    st.write(|c| {
        store::upsert_note(
            c,
            &Note {
                person: "login:fern-k".into(),
                text: "ready for reviewer".into(),
                tags: vec!["rising".into()],
                updated_at: 1,
            },
        )
    })
    .unwrap();
    let ds = st.dataset().unwrap();
    let settings = contrail::demo::settings();
    let report = contrail::analysis::analyze(&ds, &settings, None);
    let mut app = app_with(Arc::new(ViewData::build(Arc::new(ds), report)));
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    type_text(&mut app, "fern");
    press(&mut app, &[Action::Submit, Action::Enter]);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("ready for reviewer"), "{s}");
    assert!(s.contains("tags: rising"), "{s}");
}

#[test]
fn refresh_is_queued_once_and_stale_results_are_dropped() {
    let mut app = demo_app();
    press(&mut app, &[Action::Refresh]);
    assert_eq!(app.effects, vec![Effect::Refresh]);
    app.effects.clear();
    let job = app.next_job("re-importing");
    press(&mut app, &[Action::Refresh]);
    assert!(app.effects.is_empty(), "no second job while one runs");
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("re-importing"),
        "progress in the status bar:\n{s}"
    );
    app.on_msg(Msg::Failed {
        job: job - 1,
        error: "stale".into(),
    });
    assert!(app.error.is_none(), "an older job's result is ignored");
    app.on_msg(Msg::Loaded {
        job,
        data: demo_data(),
        note: Some("git: 0 new commits".into()),
    });
    assert!(app.busy.is_none());
    assert_eq!(app.message.as_deref(), Some("git: 0 new commits"));
}

#[test]
fn keys_are_remappable_and_help_shows_the_live_keymap() {
    let mut keys = BTreeMap::new();
    keys.insert("quit".to_string(), "Q".to_string());
    keys.insert("search".to_string(), "ctrl-s".to_string());
    let cfg = TuiConfig {
        theme: "mono".into(),
        keys,
    };
    let mut app = contrail::tui::new_app("x", &cfg, false).unwrap();
    app.set_data(demo_data());
    let q = contrail::tui::Key::parse("q").unwrap();
    assert_eq!(app.action_for_key(q), None);
    let big_q = contrail::tui::Key::parse("Q").unwrap();
    assert_eq!(app.action_for_key(big_q), Some(Action::Quit));
    app.update(Action::Help);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("ctrl-s"), "{s}");
    let bad = TuiConfig {
        theme: "neon".into(),
        keys: BTreeMap::new(),
    };
    let err = contrail::tui::new_app("x", &bad, false)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("neon"), "{err}");
}

#[test]
fn no_color_forces_the_mono_theme() {
    let app = contrail::tui::new_app("x", &TuiConfig::default(), true).unwrap();
    assert_eq!(app.theme.name, "mono");
    let app = contrail::tui::new_app("x", &TuiConfig::default(), false).unwrap();
    assert_eq!(app.theme.name, "default");
}

#[test]
fn text_input_takes_letters_that_are_also_commands() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::People), Action::Search]);
    let key = |s: &str| contrail::tui::Key::parse(s).unwrap();
    for k in ["q", "j", "n"] {
        let a = app.action_for_key(key(k)).unwrap();
        app.update(a);
    }
    assert!(!app.quit);
    assert_eq!(app.people.query, "qjn");
}

#[test]
fn every_view_survives_tiny_and_huge_terminals_and_a_shrink() {
    let mut app = demo_app();
    for v in View::ALL {
        app.update(Action::Show(v));
        app.update(Action::Bottom);
        for (w, h) in [(20, 5), (40, 10), (80, 24), (250, 80), (30, 8)] {
            let _ = screen(&mut app, w, h);
        }
    }
    press(&mut app, &[Action::Show(View::People), Action::Bottom]);
    let _ = screen(&mut app, 120, 40);
    let _ = screen(&mut app, 80, 12);
    let c = app.people.cursor;
    assert!(c.sel >= c.offset && c.sel < c.offset + app.page, "{c:?}");
}

#[test]
fn mouse_click_selects_the_row_under_it_and_a_second_click_drills_in() {
    let mut app = demo_app();
    app.update(Action::Show(View::People));
    let _ = screen(&mut app, 80, 24);
    app.update(Action::ClickRow(4));
    assert_eq!(app.people.cursor.sel, 4);
    assert_eq!(app.view, View::People);
    app.update(Action::ClickRow(4));
    assert_eq!(app.view, View::Journey, "a second click drills in");
}

#[test]
fn twenty_thousand_people_scroll_with_only_visible_rows_drawn() {
    let mut st = Store::open_in_memory().unwrap();
    let params = contrail::synth::Params {
        seed: 7,
        items: 2_000,
        people: 20_000,
        events: 30_000,
        stars: 15_000,
        direct_commits: 200,
    };
    contrail::synth::generate(&mut st, &params).unwrap();
    let ds = st.dataset().unwrap();
    let settings = contrail::config::Settings::default();
    let report = contrail::analysis::analyze(&ds, &settings, None);
    let mut app = app_with(Arc::new(ViewData::build(Arc::new(ds), report)));
    app.update(Action::Show(View::People));
    assert!(app.people.rows.len() > 10_000, "{}", app.people.rows.len());
    let t = std::time::Instant::now();
    for _ in 0..200 {
        app.update(Action::PageDown);
        let _ = render(&mut app, 120, 40);
    }
    // Generous even for a debug build: the benchmark (scripts/bench-tui) measures release.
    assert!(t.elapsed().as_secs_f64() < 20.0, "{:?}", t.elapsed());
    assert!(app.people.cursor.sel > 5_000);
}

#[test]
fn the_readme_documents_every_bindable_action() {
    // The README or a guide under docs/ names every action a user can remap.
    let root = env!("CARGO_MANIFEST_DIR");
    let mut doc = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    if let Ok(dir) = std::fs::read_dir(format!("{root}/docs")) {
        for e in dir.flatten() {
            if e.path().extension().is_some_and(|x| x == "md") {
                doc.push_str(&std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    for (_, name, _) in contrail::tui::action::BINDABLE {
        assert!(
            doc.contains(&format!("`{name}`")),
            "neither README.md nor docs/ names `{name}`"
        );
    }
}

#[test]
fn the_picker_lists_cached_databases_by_repository() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("octo__repo.sqlite"), b"x").unwrap();
    std::fs::write(dir.path().join("local__tool.sqlite"), b"xy").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"not a db").unwrap();
    let entries = contrail::tui::picker::entries(dir.path());
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["local/tool", "octo/repo"]);
    let picker = contrail::tui::picker::Picker {
        entries,
        cursor: Default::default(),
        theme: contrail::tui::Theme::mono(),
        dir: dir.path().to_path_buf(),
    };
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| picker.draw(f)).unwrap();
    let buf = term.backend().buffer();
    let text: String = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect();
    assert!(text.contains("octo/repo"), "{text}");
    assert!(text.contains("pick a cached repository"), "{text}");
}

#[test]
fn refresh_re_imports_the_clone_in_the_background_and_reports_it() {
    let repo_dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(repo_dir.path()).unwrap();
    std::fs::write(repo_dir.path().join("a.txt"), "a\n").unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("a.txt")).unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("Ann", "ann@example.org", &git2::Time::new(1_700_000_000, 0)).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "first", &tree, &[])
        .unwrap();
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("r.sqlite");
    drop(Store::open(&db).unwrap());
    let spec = contrail::tui::JobSpec {
        db,
        config: None,
        git: Some(repo_dir.path().to_path_buf()),
        github: false,
        read_only: false,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut app = contrail::tui::new_app("r", &TuiConfig::default(), true).unwrap();
    let job = app.next_job("re-importing git history");
    contrail::tui::worker::spawn(job, spec, true, tx);
    let mut progress = Vec::new();
    loop {
        let msg = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        if let Msg::Progress { text, .. } = &msg {
            progress.push(text.clone());
        }
        let done = !matches!(msg, Msg::Progress { .. });
        app.on_msg(msg);
        if done {
            break;
        }
    }
    assert!(
        progress.iter().any(|p| p.contains("importing git history")),
        "{progress:?}"
    );
    assert!(app.error.is_none(), "{:?}", app.error);
    assert!(
        app.message.as_deref().unwrap_or_default().contains("git:"),
        "{:?}",
        app.message
    );
    let d = app.data.clone().unwrap();
    assert!(d.people.iter().any(|p| p.name == "Ann"));
}

#[test]
fn clicking_a_people_header_sorts_by_it_and_again_reverses() {
    let mut app = demo_app();
    app.update(Action::Show(View::People));
    let _ = screen(&mut app, 120, 40);
    let (x0, _, key) = *app
        .hits
        .header
        .iter()
        .find(|(_, _, k)| *k == contrail::tui::app::SortKey::Merged)
        .unwrap();
    // The recorded cell is where the header text is drawn.
    let term = render(&mut app, 120, 40);
    let y = app.hits.header_y.unwrap();
    let buf = term.backend().buffer();
    let text: String = (x0..x0 + 3)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    assert_eq!(text, "mrg");
    app.update(Action::SortBy(key));
    assert_eq!(app.people.sort, key);
    assert!(app.people.desc);
    let d = app.data.clone().unwrap();
    let first = d.people[app.people.rows[0] as usize].merged;
    assert!(
        d.people
            .iter()
            .filter(|p| p.side != Side::Bot)
            .all(|p| p.merged <= first)
    );
    app.update(Action::SortBy(key));
    assert!(!app.people.desc, "a second click reverses");
}

/// The store loads events in id order, not time order: the views must not care. Every view, the
/// journeys of the first 40 people and the workflow details look the same with the events
/// reversed.
#[test]
fn views_do_not_depend_on_event_order() {
    let ds = demo_store().dataset().unwrap();
    let mut reversed = ds.clone();
    reversed.events.reverse();
    let settings = contrail::demo::settings();
    let data = |ds: contrail::domain::Dataset| {
        let report = contrail::analysis::analyze(&ds, &settings, None);
        Arc::new(ViewData::build(Arc::new(ds), report))
    };
    let (a, b) = (data(ds), data(reversed));
    let mut screens = Vec::new();
    for view in [View::Overview, View::Dropoffs, View::Workflow, View::Triage] {
        screens.push(vec![Action::Show(view)]);
    }
    for (view, rows) in [(View::People, 40), (View::Workflow, 8)] {
        for n in 0..rows {
            let mut keys = vec![Action::Show(view)];
            keys.extend(std::iter::repeat_n(Action::Down, n));
            keys.push(Action::Enter);
            screens.push(keys);
        }
    }
    for keys in screens {
        let (mut x, mut y) = (app_with(a.clone()), app_with(b.clone()));
        press(&mut x, &keys);
        press(&mut y, &keys);
        assert_eq!(screen(&mut x, 120, 40), screen(&mut y, 120, 40), "{keys:?}");
    }
}

// ---- DevRel view, time control, watchlist, export (docs/devrel.md). ----

#[test]
fn snapshot_devrel() {
    let mut app = demo_app();
    press(&mut app, &[Action::Show(View::DevRel)]);
    snap("devrel_rising", &mut app);
    press(&mut app, &[Action::NextSection, Action::Compare]);
    snap("devrel_stuck_compare", &mut app);
    press(
        &mut app,
        &[
            Action::Compare,
            Action::NextSection,
            Action::NextSection,
            Action::NextSection,
        ],
    );
    snap("devrel_cohorts", &mut app);
}

#[test]
fn devrel_rows_drill_into_the_persons_journey_and_doors_into_people() {
    let mut app = demo_app();
    let d = app.data.clone().unwrap();
    press(&mut app, &[Action::Show(View::DevRel), Action::NextSection]);
    let first = d.report.devrel.stuck[0].id.clone();
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.view, View::Journey);
    let j = app.journey.as_ref().unwrap().person;
    assert_eq!(d.people[j].id, first);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.view, View::DevRel);
    // Doors: the row's people.
    press(
        &mut app,
        &[Action::NextSection, Action::NextSection, Action::Enter],
    );
    assert_eq!(app.view, View::People);
    let door = &d.report.doors[0];
    assert_eq!(app.people.rows.len(), door.people_ids.len());
}

#[test]
fn time_control_re_analyses_as_of_an_earlier_date_and_back() {
    let mut app = demo_app();
    let d = app.data.clone().unwrap();
    let newest = d.as_of.unwrap();
    press(&mut app, &[Action::Show(View::DevRel), Action::TimeForward]);
    assert!(app.effects.is_empty(), "already at the newest event");
    press(&mut app, &[Action::TimeBack]);
    let at = newest - 30 * 86_400;
    assert_eq!(app.effects.pop(), Some(Effect::Reanalyse(Some(at))));
    // The runner's job: re-analyse off the UI thread, then hand the result back.
    let job = app.next_job("re-analysing");
    let past = ViewData::reanalyse(d.full.clone(), d.settings.clone(), Some(at));
    assert_eq!(past.as_of, Some(at));
    assert!(past.in_the_past());
    // Only what was known then: nothing in the cut data is newer than as_of.
    assert!(past.dataset().events.iter().all(|e| e.at <= at));
    app.on_msg(Msg::Loaded {
        job,
        data: Arc::new(past),
        note: None,
    });
    assert_eq!(app.view, View::DevRel);
    assert!(
        screen(&mut app, 120, 40).contains(&format!("as of {} (past)", contrail::timefmt::day(at)))
    );
    // Forward again: past the newest event means "the newest".
    press(&mut app, &[Action::TimeForward]);
    assert_eq!(app.effects.pop(), Some(Effect::Reanalyse(None)));
    // A typed date.
    press(&mut app, &[Action::TimeAt]);
    assert_eq!(app.mode, Mode::Date);
    for _ in 0..10 {
        press(&mut app, &[Action::Backspace]);
    }
    type_text(&mut app, "2024-07-01");
    press(&mut app, &[Action::Submit]);
    let t = contrail::timefmt::parse_date("2024-07-01").unwrap();
    assert_eq!(app.effects.pop(), Some(Effect::Reanalyse(Some(t))));
    press(&mut app, &[Action::TimeAt]);
    type_text(&mut app, "soon");
    press(&mut app, &[Action::Submit]);
    assert!(app.message.as_deref().unwrap().contains("not a date"));
}

#[test]
fn export_writes_the_list_on_screen_through_the_report_tables() {
    let mut app = demo_app();
    let d = app.data.clone().unwrap();
    let day = contrail::timefmt::day(d.as_of.unwrap());
    press(&mut app, &[Action::Show(View::DevRel), Action::NextSection]);
    press(&mut app, &[Action::ExportCsv]);
    match app.effects.pop() {
        Some(Effect::Export {
            file,
            contents,
            rows,
        }) => {
            assert_eq!(file, format!("contrail-devrel-stuck-{day}.csv"));
            assert_eq!(rows, d.report.devrel.stuck.len());
            assert!(contents.starts_with("waiting,item,person,reason,title,who could unblock\r\n"));
            assert_eq!(contents.lines().count(), rows + 1);
        }
        other => panic!("{other:?}"),
    }
    // Any list view: People as Markdown, the filtered rows only.
    press(
        &mut app,
        &[Action::Show(View::People), Action::Filter, Action::Filter],
    );
    press(&mut app, &[Action::ExportMarkdown]);
    match app.effects.pop() {
        Some(Effect::Export {
            file,
            contents,
            rows,
        }) => {
            assert_eq!(file, format!("contrail-people-{day}.md"));
            assert_eq!(rows, app.people.rows.len());
            assert!(contents.starts_with("### People\n"), "{contents}");
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, &[Action::Show(View::Overview), Action::ExportCsv]);
    assert!(app.effects.is_empty());
}

#[test]
fn watch_tags_the_person_and_filters_the_devrel_lists() {
    let mut app = demo_app();
    let d = app.data.clone().unwrap();
    press(&mut app, &[Action::Show(View::DevRel), Action::NextSection]);
    let id = d.report.devrel.stuck[1].id.clone();
    press(&mut app, &[Action::Down, Action::Watch]);
    match app.effects.pop() {
        Some(Effect::SaveNote { person, tags, .. }) => {
            assert_eq!(person, id);
            assert_eq!(tags, vec!["watch".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(app.is_watched(&id));
    // f on DevRel: the watchlist only.
    press(&mut app, &[Action::Filter]);
    assert_eq!(app.devrel_rows(), vec![1]);
    assert!(screen(&mut app, 120, 40).contains('◆'));
    // w again takes them off.
    press(&mut app, &[Action::Watch]);
    assert!(!app.is_watched(&id));
    assert!(app.devrel_rows().is_empty());
}

/// docs/tui.md#keys: a People key pressed in another view says where it works and stays put;
/// the status bar lists only the keys that work in the view.
#[test]
fn view_keys_work_only_in_their_view_and_the_footer_lists_only_those() {
    let mut app = demo_app();
    for a in [
        Action::Search,
        Action::Filter,
        Action::Sort,
        Action::Reverse,
    ] {
        app.update(Action::Show(View::Triage));
        app.update(a);
        assert_eq!(app.view, View::Triage, "{a:?} left Triage");
        assert_eq!(app.mode, Mode::Normal);
        let m = app.message.clone().unwrap_or_default();
        assert!(m.contains("works in People"), "{a:?}: {m}");
    }
    app.update(Action::Show(View::Overview));
    app.update(Action::Compare);
    assert_eq!(app.view, View::Overview);
    assert!(app.message.clone().unwrap().contains("works in DevRel"));
    app.update(Action::Show(View::Triage));
    let s = screen(&mut app, 120, 40);
    let footer = s.lines().last().unwrap();
    assert!(
        footer.contains("o open") && footer.contains("y copy"),
        "{footer}"
    );
    assert!(
        !footer.contains("search") && !footer.contains("filter"),
        "{footer}"
    );
    app.update(Action::Show(View::People));
    let s = screen(&mut app, 120, 40);
    let footer = s.lines().last().unwrap();
    assert!(
        footer.contains("/ search") && footer.contains("f filter"),
        "{footer}"
    );
    assert!(
        footer.ends_with("q quit") || footer.trim_end().ends_with("q quit"),
        "{footer}"
    );
}

/// Every People column sorts ↓ first; for the name that is A→Z.
#[test]
fn name_sort_reads_a_to_z_on_its_first_press_like_every_column_reads_most_first() {
    let mut app = demo_app();
    app.update(Action::Show(View::People));
    let d = app.data.clone().unwrap();
    app.update(Action::SortBy(contrail::tui::app::SortKey::Name));
    assert!(app.people.desc);
    let names: Vec<String> = app
        .people
        .rows
        .iter()
        .map(|&i| d.people[i as usize].haystack.clone())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}
