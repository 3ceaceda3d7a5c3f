//! The terminal UI (issue 5). The only module that may use ratatui or crossterm.
