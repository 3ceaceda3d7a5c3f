//! The snapshot picker: `contrail` outside a git clone lists the cached databases in the data
//! directory and opens the one the user picks.

use super::app::Cursor;
use super::keymap::{Key, Keymap};
use super::theme::Theme;
use super::{Action, ui};
use crate::error::{Error, Result};
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub name: String,
    pub bytes: u64,
}

/// `*.sqlite` files in `dir`, by name.
pub fn entries(dir: &Path) -> Vec<Entry> {
    let mut out: Vec<Entry> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sqlite"))
        .map(|p| Entry {
            name: p
                .file_stem()
                .map(|s| s.to_string_lossy().replacen("__", "/", 1))
                .unwrap_or_default(),
            bytes: std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0),
            path: p,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub struct Picker {
    pub entries: Vec<Entry>,
    pub cursor: Cursor,
    pub theme: Theme,
    pub dir: PathBuf,
}

impl Picker {
    pub fn draw(&self, frame: &mut Frame) {
        let t = self.theme;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(" contrail — pick a cached repository", t.title),
                Line::styled(format!(" {}", self.dir.display()), t.dim),
            ]),
            head,
        );
        let rows = self.entries.iter().enumerate().map(|(i, e)| {
            let r = Row::new(vec![
                e.name.clone(),
                format!("{:.1} MB", e.bytes as f64 / 1e6),
            ]);
            if i == self.cursor.sel {
                r.style(t.selected)
            } else {
                r
            }
        });
        frame.render_widget(
            Table::new(rows, [Constraint::Min(20), Constraint::Length(10)])
                .block(ui::block_plain("Repositories")),
            body,
        );
        frame.render_widget(
            Paragraph::new(" enter open · j/k move · q quit").style(t.status),
            foot,
        );
    }
}

/// Let the user pick a database from `dir`. `Ok(None)`: they quit.
pub fn pick(dir: &Path, keymap: &Keymap, theme: Theme) -> Result<Option<PathBuf>> {
    let entries = entries(dir);
    if entries.is_empty() {
        return Err(Error::Usage(format!(
            "no cached repositories in {}; run `contrail sync OWNER/NAME` (or `contrail demo` to try the bundled example)",
            dir.display()
        )));
    }
    let mut p = Picker {
        entries,
        cursor: Cursor::default(),
        theme,
        dir: dir.to_path_buf(),
    };
    let mut terminal = super::start_terminal()?;
    let res = (|| -> std::io::Result<Option<PathBuf>> {
        loop {
            terminal.draw(|f| p.draw(f))?;
            if let Event::Key(k) = event::read()?
                && k.kind != KeyEventKind::Release
            {
                let len = p.entries.len();
                match keymap.action(Key::from_event(k)) {
                    Some(Action::Down) => p.cursor.step(1, len, len),
                    Some(Action::Up) => p.cursor.step(-1, len, len),
                    Some(Action::Enter) => {
                        return Ok(p.entries.get(p.cursor.sel).map(|e| e.path.clone()));
                    }
                    Some(Action::Quit | Action::Back) => return Ok(None),
                    _ => {}
                }
            }
        }
    })();
    super::restore();
    res.map_err(|e| Error::Usage(format!("terminal error: {e}")))
}
