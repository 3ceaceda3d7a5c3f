//! The terminal UI (README.md#the-terminal-ui). The only module that may use ratatui or crossterm.
//!
//! Shape: a key becomes an `Action` through the `Keymap`; `App::update` changes state; `ui::draw`
//! renders it. Loading and refreshing run on background threads that send `Msg`s. The runner
//! below owns the terminal: it restores it on every exit path, panics included.

pub mod action;
pub mod app;
pub mod export;
pub mod keymap;
pub mod model;
pub mod picker;
pub mod theme;
pub mod ui;
pub mod views;
pub mod worker;

pub use action::Action;
pub use app::{App, Effect, Msg, View};
pub use keymap::{Key, Keymap};
pub use model::ViewData;
pub use theme::Theme;
pub use worker::JobSpec;

use crate::config::TuiConfig;
use crate::error::{Error, Result};
use crate::store::{self, Store};
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

/// What to open.
#[derive(Debug, Clone)]
pub struct Options {
    pub spec: JobSpec,
    /// Shown while loading, e.g. the repository or file name.
    pub label: String,
    /// Re-import the git clone before the first load (`contrail` inside a clone).
    pub import_first: bool,
    /// Why notes are disabled (read-only snapshot), if they are.
    pub read_only_reason: Option<String>,
}

/// Build the app for `tui` config: keymap and theme (NO_COLOR honoured). Errors name the key.
pub fn new_app(label: &str, cfg: &TuiConfig, no_color: bool) -> Result<App> {
    let keymap = Keymap::from_config(&cfg.keys).map_err(Error::Usage)?;
    let theme = Theme::resolve(&cfg.theme, no_color).map_err(Error::Usage)?;
    Ok(App::new(label, keymap, theme))
}

/// Run the TUI until the user quits.
pub fn run(opts: Options, cfg: &TuiConfig) -> Result<()> {
    let mut app = new_app(&opts.label, cfg, Theme::no_color_env())?;
    app.read_only = opts.read_only_reason.clone();
    let (tx, rx) = mpsc::channel();
    let job = app.next_job("loading");
    worker::spawn(job, opts.spec.clone(), opts.import_first, tx.clone());

    let mut terminal = start_terminal()?;
    install_panic_hook();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, &mut app, &opts, &rx, &tx);
    restore();
    result
}

/// Raw mode + alternate screen, or a clear error with the terminal left as it was (a half
/// start — raw mode on, alternate screen refused — is undone).
pub fn start_terminal() -> Result<ratatui::DefaultTerminal> {
    ratatui::try_init().map_err(|e| {
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            restore();
        }
        Error::Usage(format!(
            "cannot start the terminal UI ({e}); run it in an interactive terminal"
        ))
    })
}

/// Leave the terminal as we found it: mouse capture off, raw mode off, main screen, cursor on.
pub fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
}

fn install_panic_hook() {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(worker::JOB_THREAD) {
            // Caught by the job and shown in the status bar; the terminal stays in the TUI.
            return;
        }
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        // `next` is ratatui's hook: it restores the terminal, then prints the panic.
        next(info);
        let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
        eprintln!(
            "contrail: the TUI crashed (the terminal has been restored); please report the message above"
        );
    }));
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    opts: &Options,
    rx: &mpsc::Receiver<Msg>,
    tx: &mpsc::Sender<Msg>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Usage(format!("terminal error: {e}"));
    let mut notes: Option<Store> = None;
    // A documented debugging switch: crash after the first frame, to check that a panic
    // leaves a usable terminal and a clear message (the end-to-end tests use it).
    let crash = std::env::var_os("CONTRAIL_DEBUG_PANIC").is_some();
    loop {
        terminal.draw(|f| ui::draw(f, app)).map_err(io)?;
        if crash {
            panic!("CONTRAIL_DEBUG_PANIC is set: crashing on purpose after the first frame");
        }
        if event::poll(Duration::from_millis(100)).map_err(io)? {
            // Handle every queued event before the next draw, so held keys never lag.
            loop {
                match event::read().map_err(io)? {
                    Event::Key(k) if k.kind != KeyEventKind::Release => {
                        if let Some(a) = app.action_for_key(Key::from_event(k)) {
                            app.update(a);
                        }
                    }
                    Event::Mouse(m) => on_mouse(app, m),
                    Event::Resize(_, _) => app.update(Action::Resize),
                    Event::Paste(s) if app.mode != app::Mode::Normal => {
                        for c in s.chars().filter(|c| !c.is_control()) {
                            app.update(Action::Char(c));
                        }
                    }
                    _ => {}
                }
                if app.quit || !event::poll(Duration::ZERO).map_err(io)? {
                    break;
                }
            }
        }
        while let Ok(msg) = rx.try_recv() {
            app.on_msg(msg);
        }
        for effect in std::mem::take(&mut app.effects) {
            run_effect(app, effect, opts, tx, &mut notes);
        }
        if app.quit {
            return Ok(());
        }
    }
}

fn on_mouse(app: &mut App, m: event::MouseEvent) {
    match m.kind {
        MouseEventKind::ScrollDown => (0..3).for_each(|_| app.update(Action::Down)),
        MouseEventKind::ScrollUp => (0..3).for_each(|_| app.update(Action::Up)),
        MouseEventKind::Down(MouseButton::Left) => {
            if m.row == app.hits.tabs_y
                && let Some((_, _, v)) = app
                    .hits
                    .tabs
                    .iter()
                    .find(|(a, b, _)| (*a..*b).contains(&m.column))
            {
                let v = *v;
                app.update(Action::Show(v));
            } else if app.hits.header_y == Some(m.row)
                && let Some((_, _, key)) = app
                    .hits
                    .header
                    .iter()
                    .find(|(a, b, _)| (*a..*b).contains(&m.column))
            {
                let key = *key;
                app.update(Action::SortBy(key));
            } else if let Some(r) = app.hits.list
                && (r.y..r.y + r.height).contains(&m.row)
                && (r.x..r.x + r.width).contains(&m.column)
            {
                app.update(Action::ClickRow(m.row - r.y));
            }
        }
        _ => {}
    }
}

fn run_effect(
    app: &mut App,
    effect: Effect,
    opts: &Options,
    tx: &mpsc::Sender<Msg>,
    notes: &mut Option<Store>,
) {
    match effect {
        Effect::OpenUrl(url) => {
            // Stored URLs come from the API or a shared snapshot: only http(s) links on the
            // repository's own host are handed to the browser (docs/safety.md).
            if let Err(why) = may_open(&opts.spec.db, &url) {
                app.message = Some(why);
                return;
            }
            if let Err(e) = open_url(&url) {
                app.message = Some(format!("could not open a browser ({e}); y copies the URL"));
            }
        }
        Effect::Copy(text) => {
            let mut out = std::io::stdout();
            let _ = write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()));
            let _ = out.flush();
        }
        Effect::SaveNote { person, text, tags } => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let note = crate::domain::Note {
                person,
                text,
                tags,
                updated_at: now,
            };
            let res = (|| -> Result<()> {
                if notes.is_none() {
                    *notes = Some(Store::open(&opts.spec.db)?);
                }
                match notes.as_mut() {
                    Some(s) => s.write(|c| store::upsert_note(c, &note)),
                    None => Ok(()),
                }
            })();
            if let Err(e) = res {
                app.error = Some(format!("note not saved: {e}"));
            }
        }
        Effect::Reanalyse(at) => {
            let Some(data) = app.data.clone() else { return };
            let what = match at {
                Some(t) => format!("re-analysing as of {}", crate::timefmt::day(t)),
                None => "re-analysing as of the newest event".to_string(),
            };
            let job = app.next_job(&what);
            worker::spawn_reanalyse(job, data, at, tx.clone());
        }
        Effect::Export {
            file,
            contents,
            rows,
        } => {
            let path = std::env::current_dir()
                .map(|d| d.join(&file))
                .unwrap_or_else(|_| file.clone().into());
            match std::fs::write(&path, contents) {
                Ok(()) => {
                    app.message = Some(format!("wrote {rows} rows to {}", path.display()));
                }
                Err(e) => {
                    app.error = Some(format!(
                        "export failed: cannot write {}: {e}",
                        path.display()
                    ))
                }
            }
        }
        Effect::EditConfig(edit) => {
            let res = (|| -> Result<std::path::PathBuf> {
                let path = opts
                    .spec
                    .config
                    .clone()
                    .or_else(crate::config::Config::default_path)
                    .ok_or_else(|| {
                        Error::Usage(
                            "no config directory on this platform: use --config FILE".into(),
                        )
                    })?;
                crate::config::apply_edit(&path, &edit)?;
                let (cfg, file) = crate::config::Config::load(Some(&path))?;
                let mut st = Store::open(&opts.spec.db)?;
                crate::session::record_settings(&mut st, &cfg, file.as_deref())?;
                Ok(path)
            })();
            match res {
                Ok(path) => {
                    app.message =
                        Some(format!("{} (saved to {})", edit.describe(), path.display()));
                    let job = app.next_job("re-analysing");
                    worker::spawn(job, opts.spec.clone(), false, tx.clone());
                }
                Err(e) => app.error = Some(format!("not saved: {e}")),
            }
        }
        Effect::Refresh => {
            let what = match (
                opts.spec.read_only,
                opts.spec.git.is_some(),
                opts.spec.github,
            ) {
                (true, _, _) | (false, false, false) => "reloading",
                (false, true, false) => "re-importing git history",
                (false, false, true) => "syncing from GitHub",
                (false, true, true) => "re-importing git history, then syncing from GitHub",
            };
            let job = app.next_job(what);
            worker::spawn(job, opts.spec.clone(), true, tx.clone());
        }
    }
}

/// Whether `o` may hand `url` to the browser: only http(s) links on the web host of the
/// repository stored in `db` (github.com unless it was synced from GitHub Enterprise).
/// The refusal is the sentence the status bar shows.
pub fn may_open(db: &std::path::Path, url: &str) -> std::result::Result<(), String> {
    let host = Store::open_read_only(db)
        .and_then(|s| s.web_host())
        .unwrap_or_else(|_| "github.com".into());
    if crate::sanitize::url_allowed(url, &host) {
        Ok(())
    } else {
        Err(format!(
            "not opened: {} is not an http(s) link on {host}",
            crate::sanitize::inline(url)
        ))
    }
}

/// Open `url` with the platform's opener (or `$BROWSER`), detached, output discarded.
fn open_url(url: &str) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut cmd = if let Some(b) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        Command::new(b)
    } else if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
}

/// Standard base64 (RFC 4648, padded), for OSC 52.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(T[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(i.as_bytes()), o);
        }
    }
}
