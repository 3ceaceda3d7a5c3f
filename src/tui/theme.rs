//! Colours. `default` uses a few named colours that read on dark and light terminals; `mono`
//! uses only bold/reverse/dim, and is forced by `NO_COLOR` (https://no-color.org).

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: &'static str,
    pub title: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub header: Style,
    pub selected: Style,
    pub internal: Style,
    pub external: Style,
    pub bot: Style,
    pub dim: Style,
    pub warn: Style,
    pub good: Style,
    pub status: Style,
    pub input: Style,
}

impl Theme {
    pub fn colour() -> Theme {
        Theme {
            name: "default",
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            tab: Style::new(),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            internal: Style::new().fg(Color::Blue),
            external: Style::new().fg(Color::Magenta),
            bot: Style::new().fg(Color::DarkGray),
            dim: Style::new().fg(Color::DarkGray),
            warn: Style::new().fg(Color::Red),
            good: Style::new().fg(Color::Green),
            status: Style::new().fg(Color::Black).bg(Color::Gray),
            input: Style::new().fg(Color::Yellow),
        }
    }

    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            name: "mono",
            title: plain.add_modifier(Modifier::BOLD),
            tab: plain,
            tab_active: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            header: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            internal: plain,
            external: plain.add_modifier(Modifier::BOLD),
            bot: plain.add_modifier(Modifier::DIM),
            dim: plain.add_modifier(Modifier::DIM),
            warn: plain.add_modifier(Modifier::BOLD),
            good: plain,
            status: plain.add_modifier(Modifier::REVERSED),
            input: plain.add_modifier(Modifier::BOLD),
        }
    }

    /// The theme named in the config; `no_color` (NO_COLOR set and non-empty) forces mono.
    pub fn resolve(name: &str, no_color: bool) -> Result<Theme, String> {
        if no_color {
            return Ok(Theme::mono());
        }
        match name {
            "" | "default" => Ok(Theme::colour()),
            "mono" => Ok(Theme::mono()),
            other => Err(format!(
                "[tui] theme {other:?} is unknown; use \"default\" or \"mono\""
            )),
        }
    }

    /// Whether the environment asks for no colour.
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}
