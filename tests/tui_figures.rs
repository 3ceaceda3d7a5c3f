//! docs/tui.md#where-the-numbers-come-from: every figure a TUI view shows is the report's own
//! value for the same data and `as_of` — rendered from one analysis, read back off the screen.

mod support;

use contrail::config::TuiConfig;
use contrail::report::Report;
use contrail::store::Store;
use contrail::tui::{Action, App, View, ViewData};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

fn app_with(data: Arc<ViewData>) -> App {
    let mut app = contrail::tui::new_app("figures", &TuiConfig::default(), true).unwrap();
    app.set_data(data);
    app
}

fn screen(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| contrail::tui::ui::draw(f, app)).unwrap();
    let buf = term.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

fn demo() -> (Arc<ViewData>, Report) {
    let mut s = Store::open_in_memory().unwrap();
    contrail::demo::build(&mut s).unwrap();
    let ds = s.dataset().unwrap();
    let report = contrail::analysis::analyze(&ds, &contrail::demo::settings(), None);
    (
        Arc::new(ViewData::build(Arc::new(ds), report.clone())),
        report,
    )
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.0}%", x * 100.0))
}

fn days(x: Option<f64>) -> String {
    x.map_or("–".into(), |d| format!("{d:.0}d"))
}

fn count(x: Option<u64>) -> String {
    x.map_or("–".into(), |n| n.to_string())
}

/// The cells of the screen line that starts (inside its border) with `first`.
fn row<'s>(lines: &'s [String], first: &str) -> Vec<&'s str> {
    let line = lines
        .iter()
        .find(|l| {
            l.trim_start_matches(['│', ' '])
                .split_whitespace()
                .next()
                .is_some_and(|w| w == first)
        })
        .unwrap_or_else(|| panic!("no line starts with {first}:\n{}", lines.join("\n")));
    line.trim_matches(['│', ' ']).split_whitespace().collect()
}

/// Overview: the header counts, each ladder rung's in/out counts, conv and days, the drop-off
/// reasons and the chart's totals are the report's `people`, `funnel`, `dropoff_reasons` and
/// `gravity`.
#[test]
fn overview_figures_are_the_reports_funnel_people_dropoff_reasons_and_gravity() {
    let (data, r) = demo();
    let mut app = app_with(data);
    app.update(Action::Show(View::Overview));
    let s = screen(&mut app, 120, 40);
    let all = s.join("\n");
    let p = &r.people;
    for want in [
        format!("{} insiders", p.internal),
        format!("{} outsiders", p.external),
        format!("{} bots", p.bots),
    ] {
        assert!(all.contains(&want), "header lacks {want:?}:\n{all}");
    }
    for f in &r.funnel {
        let cells = row(&s, f.stage.name());
        assert_eq!(cells[1], count(f.internal), "{:?} in", f.stage);
        assert_eq!(cells[2], count(f.external), "{:?} out", f.stage);
        assert_eq!(
            cells[3],
            format!(
                "{}/{}",
                pct(f.conversion.internal),
                pct(f.conversion.external)
            ),
            "{:?} conv",
            f.stage
        );
        assert_eq!(
            cells[4],
            format!(
                "{}/{}",
                days(f.median_days.internal),
                days(f.median_days.external)
            ),
            "{:?} days",
            f.stage
        );
    }
    // The first rung has no previous one: its conversion is unknown, not 0.
    assert!(r.funnel[0].conversion.external.is_none());
    assert!(!r.dropoff_reasons.is_empty());
    let panel = s
        .iter()
        .position(|l| l.contains("Outsiders dropped after"))
        .unwrap();
    for d in r.dropoff_reasons.iter().take(5) {
        let cells = row(&s[panel + 1..], d.reason.as_str());
        assert_eq!(cells[1], d.external.to_string(), "{:?}", d.reason);
    }
    let g = &r.gravity;
    let title = format!(
        "Stargazers ({}) vs outsiders taking part ({})",
        count(g.stargazers),
        g.new_outsiders
    );
    assert!(all.contains(&title), "chart title lacks {title:?}:\n{all}");
    // The chart's series add up to what the title says.
    let newcomers: u64 = g.by_month.iter().map(|m| m.new_outsiders).sum();
    assert_eq!(newcomers, g.new_outsiders);
    assert!(newcomers > 0);
}

/// People: each visible row's `mrg` and `rev` are the contributor's `merged_contributions` and
/// `reviews`; the bots are `people.bot_ids`.
#[test]
fn people_rows_show_each_contributors_merged_contributions_and_reviews() {
    let (data, r) = demo();
    let mut app = app_with(data.clone());
    app.update(Action::Show(View::People));
    let s = screen(&mut app, 160, 40);
    let header = s.iter().find(|l| l.contains(" mrg ")).unwrap().clone();
    let col = |name: &str| header.find(&format!(" {name} ")).unwrap() + 1;
    let (mrg, rev) = (col("mrg"), col("rev"));
    let cell = |line: &str, at: usize| -> String {
        let chars: Vec<char> = line.chars().collect();
        let start = header[..at].chars().count();
        chars[start..].iter().take_while(|c| **c != ' ').collect()
    };
    let mut checked = 0;
    for (k, &i) in app.people.rows.iter().enumerate().take(20) {
        let p = &data.people[i as usize];
        let Some(c) = p.contributor.map(|c| &r.contributors[c]) else {
            continue;
        };
        let line = s
            .iter()
            .skip_while(|l| !l.contains(" mrg "))
            .nth(k + 1)
            .unwrap();
        assert!(line.contains(&c.name), "row {k} is not {}: {line}", c.name);
        assert_eq!(
            cell(line, mrg),
            c.merged_contributions.to_string(),
            "{}",
            c.name
        );
        assert_eq!(cell(line, rev), c.reviews.to_string(), "{}", c.name);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} rows checked");
    let bots: Vec<&str> = data
        .people
        .iter()
        .filter(|p| p.side == contrail::tui::model::Side::Bot)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(
        bots,
        r.people
            .bot_ids
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(bots.len() as u64, r.people.bots);
}

/// Triage and Drop-offs: the report's `triage` (count, first-timers, wait days) and
/// `dropoffs` rows.
#[test]
fn triage_and_dropoffs_show_the_reports_rows() {
    let (data, r) = demo();
    let mut app = app_with(data);
    app.update(Action::Show(View::Triage));
    let s = screen(&mut app, 120, 40).join("\n");
    let t = r.triage.as_ref().expect("the demo has GitHub data");
    assert!(!t.is_empty());
    let firsts = t.iter().filter(|w| w.first_timer).count();
    let title = format!(
        "{} waiting on a first reply, {firsts} from first-timers",
        t.len()
    );
    assert!(s.contains(&title), "lacks {title:?}:\n{s}");
    for w in t.iter().take(10) {
        let want = format!("{}d", w.waiting_days);
        let line = s
            .lines()
            .find(|l| l.contains(&format!(" #{} ", w.item)))
            .unwrap_or_else(|| panic!("#{} missing:\n{s}", w.item));
        assert!(line.contains(&want), "#{}: {want} not in {line}", w.item);
    }
    app.update(Action::Show(View::Dropoffs));
    let lines = screen(&mut app, 120, 40);
    for d in r.dropoffs.iter().take(10) {
        let found = lines.iter().any(|l| {
            let c: Vec<&str> = l.trim_matches(['│', ' ']).split_whitespace().collect();
            c.len() >= 4
                && c[0] == d.stage.name()
                && c[1] == d.reason.as_str()
                && c[2] == d.internal.to_string()
                && c[3] == d.external.to_string()
        });
        assert!(
            found,
            "{:?} {:?} missing:\n{}",
            d.stage,
            d.reason,
            lines.join("\n")
        );
    }
}

/// Git-only data: what no source could see is `–` on the screens, as in the report — never 0.
#[test]
fn git_only_data_shows_unknowns_as_dashes_like_the_report() {
    let mut b = support::B::git_only();
    b.commit("a1", "ann@corp.example", 1);
    b.commit("b2", "bob@mail.example", 3);
    let ds = b.imported();
    let r = contrail::analysis::analyze(&ds, &b.settings, None);
    assert!(r.triage.is_none());
    assert!(r.funnel[0].internal.is_none());
    let data = Arc::new(ViewData::build(Arc::new(ds), r.clone()));
    let mut app = app_with(data);
    app.update(Action::Show(View::Overview));
    let s = screen(&mut app, 120, 40);
    let observer = row(&s, "observer");
    assert_eq!(&observer[1..5], ["–", "–", "–/–", "–/–"]);
    assert!(s.join("\n").contains("Stargazers (–)"));
    app.update(Action::Show(View::Triage));
    let t = screen(&mut app, 120, 40).join("\n");
    assert!(t.contains("unknown without GitHub data"), "{t}");
    assert!(!t.contains("no outsider is waiting"), "{t}");
}
