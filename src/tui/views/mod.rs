//! One module per screen. Each has `draw(frame, app, area)`; lists draw only their visible rows.

pub mod devrel;
pub mod dropoffs;
pub mod help;
pub mod journey;
pub mod overview;
pub mod people;
pub mod triage;
pub mod workflow;

use super::app::{App, Cursor};
use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table};

/// Record a list's clickable rows and page size, and keep its cursor's window valid for the
/// height it is drawn at (the terminal may have been resized).
pub(crate) fn list_window(app: &mut App, rows: Rect, cursor: Cursor, len: usize) -> Cursor {
    app.hits.list = Some(rows);
    app.page = rows.height.max(1) as usize;
    let mut c = cursor;
    c.set(cursor.sel, len, app.page);
    c
}

/// The rows of a list drawn inside `b` under a one-line header, with its cursor kept valid
/// (see [`list_window`]). Store the cursor back in the app, then call [`draw_list`].
pub(crate) fn list_rows(
    app: &mut App,
    b: &Block,
    area: Rect,
    cursor: Cursor,
    len: usize,
) -> (Rect, Cursor) {
    let inner = b.inner(area);
    let rows = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    (rows, list_window(app, rows, cursor, len))
}

/// What a list table looks like: its column titles and widths, and what to say when empty.
pub(crate) struct ListSpec<'s> {
    pub header: &'s [&'s str],
    pub widths: &'s [Constraint],
    pub empty: &'s str,
}

/// Draw a list as a table in `b`: only the rows visible in `rows_area`, the cursor's row
/// highlighted, `spec.empty` in place of rows when there are none. `row(i)` gives row i's cells.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_list<'a>(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    b: Block<'a>,
    (rows_area, cur): (Rect, Cursor),
    len: usize,
    spec: ListSpec,
    mut row: impl FnMut(usize) -> Vec<Line<'a>>,
) {
    let end = len.min(cur.offset + rows_area.height as usize);
    let rows: Vec<Row> = (cur.offset.min(end)..end)
        .map(|i| {
            let r = Row::new(row(i));
            if i == cur.sel {
                r.style(theme.selected)
            } else {
                r
            }
        })
        .collect();
    frame.render_widget(
        Table::new(rows, spec.widths.iter().copied())
            .header(Row::new(spec.header.iter().copied()).style(theme.header))
            .block(b),
        area,
    );
    if len == 0 && !spec.empty.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(spec.empty, theme.dim)),
            rows_area,
        );
    }
    // Rows above or below the window: say so on the bottom border, with where the window is.
    let first = cur.offset.min(end);
    if (first > 0 || end < len) && area.height >= 3 {
        let more = match (first > 0, end < len) {
            (true, true) => "↑↓",
            (true, false) => "↑",
            _ => "↓",
        };
        let hint = format!(" {}–{} of {len} {more} ", first + 1, end);
        let w = (hint.chars().count() as u16).min(area.width.saturating_sub(2));
        let at = Rect {
            x: area.x + area.width.saturating_sub(w + 1),
            y: area.y + area.height - 1,
            width: w,
            height: 1,
        };
        frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), at);
    }
}
