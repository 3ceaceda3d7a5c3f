//! One module per screen. Each has `draw(frame, app, area)`; lists draw only their visible rows.

pub mod dropoffs;
pub mod help;
pub mod journey;
pub mod overview;
pub mod people;
pub mod triage;
pub mod workflow;

use super::app::{App, Cursor};
use ratatui::layout::Rect;

/// Record a list's clickable rows and page size, and keep its cursor's window valid for the
/// height it is drawn at (the terminal may have been resized).
pub(crate) fn list_window(app: &mut App, rows: Rect, cursor: Cursor, len: usize) -> Cursor {
    app.hits.list = Some(rows);
    app.page = rows.height.max(1) as usize;
    let mut c = cursor;
    c.set(cursor.sel, len, app.page);
    c
}
