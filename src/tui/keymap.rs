//! Keys → actions. Defaults are vim keys plus arrows; `[tui.keys]` in the config replaces the
//! keys of the actions it names (`quit = "Q"`, `down = "j ctrl-n"`), leaving the rest alone.

use super::action::{Action, BINDABLE};
use super::app::View;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// A key with its modifiers, normalised so `Q` and `shift-q` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(ev: KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// Parse `q`, `Q`, `?`, `ctrl-f`, `alt-x`, `enter`, `esc`, `tab`, `backtab`, `space`,
    /// `up`/`down`/`left`/`right`, `pgup`/`pgdn`, `home`/`end`, `f1`…`f12`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 5 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 4 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') => {
                    KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
                }
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Bindings in help order: action → its keys.
    bindings: Vec<(Action, Vec<Key>)>,
}

fn defaults() -> Vec<(Action, &'static str)> {
    use Action::*;
    vec![
        (Show(View::Overview), "1"),
        (Show(View::People), "2"),
        (Show(View::Journey), "3"),
        (Show(View::Dropoffs), "4"),
        (Show(View::Workflow), "5"),
        (Show(View::Triage), "6"),
        (Help, "? 7 f1"),
        (NextView, "tab l right"),
        (PrevView, "backtab h left"),
        (Up, "k up ctrl-p"),
        (Down, "j down ctrl-n"),
        (PageUp, "pgup ctrl-u ctrl-b"),
        (PageDown, "pgdn ctrl-d ctrl-f"),
        (Top, "g home"),
        (Bottom, "G end"),
        (Enter, "enter"),
        (Back, "esc backspace"),
        (Search, "/"),
        (Filter, "f"),
        (Sort, "s"),
        (Reverse, "S"),
        (Open, "o"),
        (Copy, "y"),
        (Note, "n"),
        (Refresh, "r"),
        (ConfirmOrg, "c"),
        (RejectOrg, "x"),
        (AcceptMerge, "m"),
        (RejectMerge, "M"),
        (Quit, "q ctrl-c"),
    ]
}

fn parse_keys(spec: &str) -> Result<Vec<Key>, String> {
    spec.split_whitespace()
        .map(|k| Key::parse(k).ok_or_else(|| format!("unknown key {k:?}")))
        .collect()
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = defaults()
            .into_iter()
            .map(|(a, spec)| (a, parse_keys(spec).unwrap_or_default()))
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the user's `[tui.keys]` overrides applied. A key given to another
    /// action is taken away from its default action, so overrides never clash.
    pub fn from_config(overrides: &BTreeMap<String, String>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, spec) in overrides {
            let action = Action::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = BINDABLE.iter().map(|(_, n, _)| *n).collect();
                format!(
                    "[tui.keys] has an unknown action {name:?}; known actions: {}",
                    names.join(", ")
                )
            })?;
            let keys = parse_keys(spec).map_err(|e| format!("[tui.keys] {name}: {e}"))?;
            for (_, ks) in &mut map.bindings {
                ks.retain(|k| !keys.contains(k));
            }
            if let Some((_, ks)) = map.bindings.iter_mut().find(|(a, _)| *a == action) {
                *ks = keys;
            }
        }
        Ok(map)
    }

    pub fn action(&self, key: Key) -> Option<Action> {
        // Terminals report shifted letters as uppercase, sometimes with SHIFT set: ignore SHIFT.
        self.bindings
            .iter()
            .find(|(_, ks)| ks.contains(&key))
            .map(|(a, _)| *a)
    }

    /// The keys bound to `action`, for the help screen and the status bar hints.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, ks)| ks.as_slice())
            .unwrap_or(&[])
    }

    /// "q" / "ctrl-c": the first key of an action, for hints.
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| "(unbound)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vim_keys_and_arrows_move() {
        let m = Keymap::default();
        assert_eq!(m.action(Key::plain(KeyCode::Char('j'))), Some(Action::Down));
        assert_eq!(m.action(Key::plain(KeyCode::Down)), Some(Action::Down));
        assert_eq!(
            m.action(Key::plain(KeyCode::Char('G'))),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn an_override_replaces_only_its_action_and_steals_the_key() {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), "Q".to_string());
        o.insert("search".to_string(), "ctrl-s q".to_string());
        let m = Keymap::from_config(&o).unwrap();
        assert_eq!(m.action(Key::plain(KeyCode::Char('Q'))), Some(Action::Quit));
        assert_eq!(
            m.action(Key::plain(KeyCode::Char('q'))),
            Some(Action::Search)
        );
        assert_eq!(
            m.action(Key::parse("ctrl-s").unwrap()),
            Some(Action::Search)
        );
        assert_eq!(m.action(Key::plain(KeyCode::Char('/'))), None);
        assert_eq!(m.action(Key::plain(KeyCode::Char('j'))), Some(Action::Down));
    }

    #[test]
    fn unknown_actions_and_keys_are_reported_by_name() {
        let mut o = BTreeMap::new();
        o.insert("qiut".to_string(), "x".to_string());
        assert!(Keymap::from_config(&o).unwrap_err().contains("qiut"));
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), "hyper-x".to_string());
        assert!(Keymap::from_config(&o).unwrap_err().contains("hyper-x"));
    }
}
