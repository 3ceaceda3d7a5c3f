//! End to end: the real binary in a pseudo-terminal on `contrail demo`. Keys switch views,
//! search, drill into a person and back, then quit; the screen shows what it should and the
//! terminal is restored (alternate screen left, cursor shown, mouse capture off).
//!
//! ratatui redraws only the cells that changed, so the byte stream is not the screen: a small
//! screen model below replays cursor moves and prints to reconstruct what a user sees.

#![cfg(unix)]

use expectrl::Session;
use std::process::Command;
use std::time::{Duration, Instant};

type Pty = expectrl::session::OsSession;

const W: usize = 100;
const H: usize = 30;

/// Just enough of a VT100: printable text, CUP (`ESC [ r ; c H`), CR/LF, clears; every other
/// sequence (colours, modes, OSC) is consumed and ignored. Raw bytes are kept for the restore
/// checks.
struct Screen {
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    raw: Vec<u8>,
    pending: Vec<u8>,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            cells: vec![vec![' '; W]; H],
            row: 0,
            col: 0,
            raw: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.raw.extend_from_slice(bytes);
        self.pending.extend_from_slice(bytes);
        let data = std::mem::take(&mut self.pending);
        let mut i = 0;
        while i < data.len() {
            match data[i] {
                0x1b => {
                    let Some(used) = self.escape(&data[i..]) else {
                        // Incomplete sequence: keep it for the next read.
                        self.pending = data[i..].to_vec();
                        return;
                    };
                    i += used;
                }
                b'\r' => {
                    self.col = 0;
                    i += 1;
                }
                b'\n' => {
                    self.row = (self.row + 1).min(H - 1);
                    i += 1;
                }
                b if b < 0x20 => i += 1,
                _ => {
                    let len = utf8_len(data[i]);
                    if i + len > data.len() {
                        self.pending = data[i..].to_vec();
                        return;
                    }
                    let s = String::from_utf8_lossy(&data[i..i + len]).to_string();
                    for c in s.chars() {
                        if self.row < H && self.col < W {
                            self.cells[self.row][self.col] = c;
                        }
                        self.col += 1;
                    }
                    i += len;
                }
            }
        }
    }

    /// Handle the escape sequence at the start of `d`; `None` if it is incomplete.
    fn escape(&mut self, d: &[u8]) -> Option<usize> {
        match d.get(1)? {
            b'[' => {
                let end = d[2..].iter().position(|b| (0x40..=0x7e).contains(b))? + 2;
                let params = String::from_utf8_lossy(&d[2..end]).to_string();
                let n: Vec<usize> = params
                    .trim_start_matches('?')
                    .split(';')
                    .map(|p| p.parse().unwrap_or(0))
                    .collect();
                match d[end] {
                    b'H' => {
                        self.row = n.first().copied().unwrap_or(1).max(1) - 1;
                        self.col = n.get(1).copied().unwrap_or(1).max(1) - 1;
                    }
                    b'J' if params == "2" => self.cells = vec![vec![' '; W]; H],
                    _ => {}
                }
                Some(end + 1)
            }
            b']' => {
                let end = d.iter().position(|&b| b == 0x07)?;
                Some(end + 1)
            }
            _ => Some(2),
        }
    }

    fn text(&self) -> String {
        self.cells
            .iter()
            .map(|r| r.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        b if b >= 0xf0 => 4,
        b if b >= 0xe0 => 3,
        b if b >= 0xc0 => 2,
        _ => 1,
    }
}

fn spawn(args: &[&str], home: &std::path::Path) -> Pty {
    spawn_in(args, home, None, &[])
}

fn spawn_in(
    args: &[&str],
    home: &std::path::Path,
    cwd: Option<&std::path::Path>,
    env: &[(&str, &str)],
) -> Pty {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_contrail"));
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    cmd.envs(env.iter().copied());
    cmd.args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        // Never start a browser from a test, whatever is pressed.
        .env("BROWSER", "true");
    let mut p = Session::spawn(cmd).expect("spawn contrail");
    p.get_process_mut()
        .set_window_size(W as u16, H as u16)
        .expect("set the pty size");
    p
}

/// Read until the reconstructed screen contains `needle` (or fail after 20 s).
fn wait_for(p: &mut Pty, s: &mut Screen, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 8192];
    loop {
        match p.try_read(&mut buf) {
            Ok(0) => {}
            Ok(n) => s.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(_) => {}
        }
        if s.text().contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?}; screen:\n{}",
            s.text()
        );
    }
}

/// Read until the process closes the pty.
fn drain(p: &mut Pty, s: &mut Screen) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 8192];
    while Instant::now() < deadline {
        match p.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => s.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !p.get_process().is_alive().unwrap_or(false) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => break,
        }
    }
}

fn send(p: &mut Pty, keys: &str) {
    use std::io::Write;
    p.write_all(keys.as_bytes()).expect("send keys");
    p.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn demo_in_a_pty_switches_views_searches_drills_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&["demo"], dir.path());
    let mut s = Screen::new();

    wait_for(&mut p, &mut s, "orbitkit/orbit");
    wait_for(&mut p, &mut s, "Ladder");
    assert!(
        String::from_utf8_lossy(&s.raw).contains("\x1b[?1049h"),
        "entered the alternate screen"
    );

    send(&mut p, "6");
    wait_for(&mut p, &mut s, "waiting on a first reply");
    // `y` copies the selected item's URL with OSC 52; `o` hands it to $BROWSER (`true` here).
    let url = "https://github.com/orbitkit/orbit/issues/9";
    send(&mut p, "y");
    wait_for(
        &mut p,
        &mut s,
        "copied https://github.com/orbitkit/orbit/issues/9",
    );
    let osc = format!("\x1b]52;c;{}\x07", contrail::tui::base64(url.as_bytes()));
    assert!(
        String::from_utf8_lossy(&s.raw).contains(&osc),
        "OSC 52 sequence sent"
    );
    send(&mut p, "o");
    wait_for(
        &mut p,
        &mut s,
        "opening https://github.com/orbitkit/orbit/issues/9",
    );

    send(&mut p, "2");
    wait_for(&mut p, &mut s, "filter all");

    // Search, then drill into the first match.
    send(&mut p, "/");
    send(&mut p, "fern");
    wait_for(&mut p, &mut s, "search “fern”");
    wait_for(&mut p, &mut s, "Fern Kowalski");
    send(&mut p, "\r"); // confirm the search
    send(&mut p, "\r"); // open the journey
    wait_for(&mut p, &mut s, "Timeline");
    wait_for(&mut p, &mut s, "why outsider");
    assert!(s.text().contains("Fern Kowalski"));

    // Back to the searched list.
    send(&mut p, "\x1b");
    wait_for(&mut p, &mut s, "filter all");
    assert!(s.text().contains("search “fern”"), "{}", s.text());

    send(&mut p, "?");
    wait_for(&mut p, &mut s, "view_overview");

    let before_quit = s.raw.len();
    send(&mut p, "q");
    drain(&mut p, &mut s);
    let tail = String::from_utf8_lossy(&s.raw[before_quit..]).to_string();
    assert!(
        tail.contains("\x1b[?1049l"),
        "left the alternate screen: {tail:?}"
    );
    assert!(tail.contains("\x1b[?25h"), "cursor shown again: {tail:?}");
    assert!(tail.contains("\x1b[?1000l"), "mouse capture off: {tail:?}");
    let status = p.get_process().wait().expect("wait");
    let status = format!("{status:?}");
    assert!(
        status.starts_with("Exited(") && status.ends_with(", 0)"),
        "{status}"
    );
}

/// DevRel in a real terminal (docs/devrel.md): the view, its lists, the time control moving
/// `as_of` back and forth (re-analysed off the UI thread), compare mode, the export to the
/// current directory, and a drill into a person's journey.
#[test]
fn devrel_view_time_control_and_export_in_a_pty() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let mut p = spawn_in(&["demo"], dir.path(), Some(cwd.path()), &[]);
    let mut s = Screen::new();
    wait_for(&mut p, &mut s, "Ladder");

    send(&mut p, "7");
    wait_for(&mut p, &mut s, "climbing faster than their cohort");
    wait_for(&mut p, &mut s, "as of 2025-06-28");
    send(&mut p, "v");
    wait_for(&mut p, &mut s, "waits on the project, oldest first");
    wait_for(&mut p, &mut s, "Jules Renard");

    // Three steps back: 90 days earlier, every list re-analysed as of then.
    for _ in 0..3 {
        send(&mut p, "[");
        std::thread::sleep(Duration::from_millis(400));
    }
    wait_for(&mut p, &mut s, "as of 2025-03-30 (past)");
    send(&mut p, "C");
    wait_for(&mut p, &mut s, "vs the previous one");
    wait_for(&mut p, &mut s, "new outsiders");
    send(&mut p, "C");

    // Export what is on screen.
    send(&mut p, "e");
    wait_for(&mut p, &mut s, "rows to ");
    let file = cwd.path().join("contrail-devrel-stuck-2025-03-30.csv");
    let csv = std::fs::read_to_string(&file).expect("the export is in the current directory");
    assert!(
        csv.starts_with("waiting,item,person,reason,title,who could unblock\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Jules Renard"), "{csv}");
    assert!(s.text().contains("wrote "), "{}", s.text());

    // A typed date, then back to the newest event with an empty one.
    send(&mut p, "t");
    wait_for(&mut p, &mut s, "as of (YYYY-MM-DD");
    for _ in 0..10 {
        send(&mut p, "\x7f");
    }
    send(&mut p, "2024-07-01\r");
    wait_for(&mut p, &mut s, "as of 2024-07-01 (past)");
    send(&mut p, "t");
    wait_for(&mut p, &mut s, "as of (YYYY-MM-DD");
    for _ in 0..10 {
        send(&mut p, "\x7f");
    }
    send(&mut p, "\r");
    wait_for(&mut p, &mut s, "as of 2025-06-28 ");

    // A row drills into the person's journey.
    send(&mut p, "\r");
    wait_for(&mut p, &mut s, "Timeline");
    assert!(s.text().contains("Jules Renard"), "{}", s.text());

    send(&mut p, "q");
    drain(&mut p, &mut s);
    let status = format!("{:?}", p.get_process().wait().expect("wait"));
    assert!(
        status.starts_with("Exited(") && status.ends_with(", 0)"),
        "{status}"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_in(
        &["demo"],
        dir.path(),
        None,
        &[("CONTRAIL_DEBUG_PANIC", "1")],
    );
    let mut s = Screen::new();
    drain(&mut p, &mut s);
    let out = String::from_utf8_lossy(&s.raw).to_string();
    let after = &out[out
        .find("\x1b[?1049h")
        .expect("entered the alternate screen")..];
    assert!(
        after.contains("\x1b[?1049l"),
        "left the alternate screen: {out:?}"
    );
    assert!(after.contains("\x1b[?25h"), "cursor shown: {out:?}");
    assert!(after.contains("the terminal has been restored"), "{out:?}");
    assert!(
        after.contains("crashing on purpose"),
        "the panic message is printed: {out:?}"
    );
    let status = format!("{:?}", p.get_process().wait().expect("wait"));
    assert!(!status.ends_with(", 0)"), "{status}");
}

#[test]
fn contrail_inside_a_git_clone_imports_it_and_opens_the_tui() {
    let home = tempfile::tempdir().unwrap();
    let repo_dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(repo_dir.path()).unwrap();
    std::fs::write(repo_dir.path().join("README.md"), "hello\n").unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(std::path::Path::new("README.md")).unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new(
        "Zed Outsider",
        "zed@example.org",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "Add README (#1)", &tree, &[])
        .unwrap();
    // From a subdirectory: the work tree is found above it.
    let sub = repo_dir.path().join("docs");
    std::fs::create_dir_all(&sub).unwrap();
    let mut p = spawn_in(&[], home.path(), Some(&sub), &[]);
    let mut s = Screen::new();
    wait_for(&mut p, &mut s, "Ladder");
    send(&mut p, "2");
    wait_for(&mut p, &mut s, "Zed Outsider");
    send(&mut p, "q");
    drain(&mut p, &mut s);
    let status = format!("{:?}", p.get_process().wait().expect("wait"));
    assert!(status.ends_with(", 0)"), "{status}");
    // The import landed in the default database under the data dir.
    let repos = home.path().join("data/contrail/repos");
    let dbs: Vec<_> = std::fs::read_dir(&repos).unwrap().flatten().collect();
    assert!(
        dbs.iter()
            .any(|e| e.path().extension().is_some_and(|x| x == "sqlite")),
        "{repos:?}"
    );
}

#[test]
fn contrail_outside_a_clone_picks_a_cached_database() {
    let home = tempfile::tempdir().unwrap();
    let repos = home.path().join("data/contrail/repos");
    std::fs::create_dir_all(&repos).unwrap();
    {
        let mut st = contrail::store::Store::open(&repos.join("orbitkit__orbit.sqlite")).unwrap();
        contrail::demo::build(&mut st).unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let mut p = spawn_in(&[], home.path(), Some(elsewhere.path()), &[]);
    let mut s = Screen::new();
    wait_for(&mut p, &mut s, "pick a cached repository");
    wait_for(&mut p, &mut s, "orbitkit/orbit");
    send(&mut p, "\r");
    wait_for(&mut p, &mut s, "Ladder");
    send(&mut p, "q");
    drain(&mut p, &mut s);
    let status = format!("{:?}", p.get_process().wait().expect("wait"));
    assert!(status.ends_with(", 0)"), "{status}");
}

#[test]
fn open_is_read_only_and_says_why_notes_are_disabled() {
    let home = tempfile::tempdir().unwrap();
    let snap = home.path().join("snap.sqlite");
    {
        let mut st = contrail::store::Store::open(&snap).unwrap();
        contrail::demo::build(&mut st).unwrap();
    }
    let before = std::fs::read(&snap).unwrap();
    let mut p = spawn(&["open", snap.to_str().unwrap()], home.path());
    let mut s = Screen::new();
    wait_for(&mut p, &mut s, "[read-only]");
    wait_for(&mut p, &mut s, "Ladder");
    send(&mut p, "2");
    send(&mut p, "n");
    wait_for(&mut p, &mut s, "notes are disabled");
    send(&mut p, "q");
    drain(&mut p, &mut s);
    assert_eq!(
        std::fs::read(&snap).unwrap(),
        before,
        "the snapshot is untouched"
    );
}

#[test]
fn an_unknown_key_in_the_config_fails_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[tui.keys]\nqiut = \"x\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_contrail"))
        .args(["--config", cfg.to_str().unwrap(), "demo"])
        .env("XDG_CACHE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("qiut"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\x1b[?1049h"));
}

#[test]
fn open_refuses_a_missing_snapshot_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_contrail"))
        .args(["open", "/nonexistent/snap.sqlite"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open"), "{err}");
}

// ---- Benchmark (run by scripts/bench-tui in release mode; ignored in normal test runs). ----

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95), v[v.len() - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[test]
#[ignore = "benchmark: scripts/bench-tui runs it in release mode"]
fn bench_tui() {
    use contrail::config::TuiConfig;
    use contrail::tui::{Action, Msg, View};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::sync::Arc;

    let items: usize = std::env::var("BENCH_ITEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let people: usize = std::env::var("BENCH_PEOPLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.sqlite");
    let t = Instant::now();
    {
        // The analysis' synthetic repository (the shape of docs/benchmarks.md#report), scaled to
        // the size.
        let mut st = contrail::store::Store::open(&db).unwrap();
        let n = items as u64;
        let params = contrail::synth::Params {
            seed: 42,
            items: n,
            people: people as u64,
            events: n * 112 / 10,
            stars: n * 6 / 10,
            direct_commits: n / 10,
        };
        contrail::synth::generate(&mut st, &params).unwrap();
    }
    println!(
        "setup: wrote {items} items, {people} people to {} in {:.0} ms",
        db.display(),
        ms(t.elapsed())
    );

    // Baseline, measured in the same run: just reading the dataset from SQLite.
    let t = Instant::now();
    let ds = contrail::store::Store::open_read_only(&db)
        .unwrap()
        .dataset()
        .unwrap();
    let load = ms(t.elapsed());
    println!(
        "baseline: load dataset ({} items, {} events, {} users): {load:.1} ms",
        ds.items.len(),
        ds.events.len(),
        ds.users.len()
    );
    drop(ds);

    // Launch in-process: app + background load job + first frame (the loading screen).
    let spec = contrail::tui::JobSpec {
        db: db.clone(),
        config: None,
        git: None,
        github: false,
        read_only: true,
    };
    let t0 = Instant::now();
    let mut app = contrail::tui::new_app("bench", &TuiConfig::default(), true).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let job = app.next_job("loading");
    contrail::tui::worker::spawn(job, spec, false, tx);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| contrail::tui::ui::draw(f, &mut app)).unwrap();
    let first = ms(t0.elapsed());
    // Wait for the analysed data, then draw the first full frame.
    let data = loop {
        match rx.recv().unwrap() {
            Msg::Loaded { data, .. } => break data,
            Msg::Failed { error, .. } => panic!("{error}"),
            Msg::Progress { .. } => {}
        }
    };
    app.set_data(Arc::clone(&data));
    term.draw(|f| contrail::tui::ui::draw(f, &mut app)).unwrap();
    let ready = ms(t0.elapsed());
    println!(
        "first frame (loading screen, in-process): {first:.1} ms  (target < 300 ms; {:.2}× the dataset load)",
        first / load
    );
    println!(
        "first full frame (data analysed):         {ready:.0} ms  ({:.1}× the dataset load)",
        ready / load
    );

    // Per key in the People view: handle + draw at 120×40.
    app.update(Action::Show(View::People));
    term.draw(|f| contrail::tui::ui::draw(f, &mut app)).unwrap();
    println!("people rows: {}", app.people.rows.len());
    let mut per_kind: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut run = |name: &'static str, actions: Vec<Action>, app: &mut contrail::tui::App| {
        let mut times = Vec::new();
        for a in actions {
            let t = Instant::now();
            app.update(a);
            term.draw(|f| contrail::tui::ui::draw(f, app)).unwrap();
            times.push(ms(t.elapsed()));
        }
        per_kind.push((name, times));
    };
    run("down (j)", vec![Action::Down; 300], &mut app);
    run("page down", vec![Action::PageDown; 100], &mut app);
    run(
        "bottom/top",
        [Action::Bottom, Action::Top].repeat(10),
        &mut app,
    );
    app.update(Action::Search);
    run(
        "search keystroke",
        "user1".chars().map(Action::Char).collect(),
        &mut app,
    );
    run("search backspace", vec![Action::Backspace; 5], &mut app);
    app.update(Action::Back);
    run("filter cycle (f)", vec![Action::Filter; 6], &mut app);
    run("sort cycle (s)", vec![Action::Sort; 6], &mut app);
    run(
        "open journey (enter)",
        vec![Action::Enter, Action::Back],
        &mut app,
    );
    let mut all = Vec::new();
    println!(
        "{:<22} {:>8} {:>8} {:>8}   (ms; budget 16 ms)",
        "key", "median", "p95", "max"
    );
    for (name, times) in &per_kind {
        let (m, p95, max) = stats(times.clone());
        println!("{name:<22} {m:>8.2} {p95:>8.2} {max:>8.2}");
        all.extend(times.iter().copied());
    }
    let (m, p95, max) = stats(all);
    println!(
        "{:<22} {m:>8.2} {p95:>8.2} {max:>8.2}   budget ratio p95/16ms = {:.2}",
        "ALL KEYS",
        p95 / 16.0
    );

    // The real binary in a pty: time from spawn to the first frame on screen.
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let mut p = spawn(&["tui", "--db", db.to_str().unwrap()], home.path());
    let mut s = Screen::new();
    wait_for(&mut p, &mut s, "Overview");
    let bin_first = ms(t.elapsed());
    wait_for(&mut p, &mut s, "Ladder");
    let bin_ready = ms(t.elapsed());
    send(&mut p, "q");
    drain(&mut p, &mut s);
    println!(
        "binary: first frame {bin_first:.0} ms after spawn (target < 300 ms), analysed view at {bin_ready:.0} ms"
    );

    // The demo database: built fresh at `contrail demo` start.
    let demo = home.path().join("demo.sqlite");
    let t = Instant::now();
    contrail::demo::ensure_db(&demo).unwrap();
    println!(
        "demo database built in {:.0} ms (target < 300 ms)",
        ms(t.elapsed())
    );
}

#[test]
fn without_a_terminal_the_demo_says_so_and_writes_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_contrail"))
        .arg("demo")
        .env("XDG_CACHE_HOME", dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run it in an interactive terminal"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}
