//! Everything the user can ask the app to do. Keys map to actions (see `keymap`), and
//! `App::update` is the only place actions change state — so tests drive the app by actions.

use super::app::View;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    NextView,
    PrevView,
    Show(View),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Drill into the selected row.
    Enter,
    /// Go back one level (also clears a search or a scope).
    Back,
    Search,
    /// Cycle the People filter: all → insiders → outsiders → bots → dropped → active.
    Filter,
    /// Cycle the People sort column.
    Sort,
    /// Reverse the sort order.
    Reverse,
    Open,
    Copy,
    Note,
    Refresh,
    /// Confirm the inferred organisation (saved to the config file).
    ConfirmOrg,
    /// Reject the inferred organisation.
    RejectOrg,
    /// Accept the suggested merge of the selected person (saved as an alias).
    AcceptMerge,
    /// Reject the suggested merge of the selected person.
    RejectMerge,
    /// Text input (search box, note editor).
    Char(char),
    Backspace,
    /// Confirm the text being typed.
    Submit,
    /// Mouse: select row `n` of the visible list (0 = first visible row).
    ClickRow(u16),
    /// Mouse: sort People by a column (again: reverse).
    SortBy(super::app::SortKey),
    /// Terminal resized; nothing to do but redraw.
    Resize,
}

/// Actions a user can bind, with their config name and help text, in help-screen order.
pub const BINDABLE: &[(Action, &str, &str)] = &[
    (
        Action::Show(View::Overview),
        "view_overview",
        "Overview: ladder, openness, drop-off",
    ),
    (Action::Show(View::People), "view_people", "People table"),
    (
        Action::Show(View::Journey),
        "view_journey",
        "Journey of the selected person",
    ),
    (
        Action::Show(View::Dropoffs),
        "view_dropoffs",
        "Drop-offs: rung × reason",
    ),
    (
        Action::Show(View::Workflow),
        "view_workflow",
        "Workflow: internal-only signals",
    ),
    (
        Action::Show(View::Triage),
        "view_triage",
        "Triage: outsiders waiting on a reply",
    ),
    (Action::Help, "help", "Help (this screen)"),
    (Action::NextView, "next_view", "Next view"),
    (Action::PrevView, "prev_view", "Previous view"),
    (Action::Up, "up", "Move up"),
    (Action::Down, "down", "Move down"),
    (Action::PageUp, "page_up", "Page up"),
    (Action::PageDown, "page_down", "Page down"),
    (Action::Top, "top", "First row"),
    (Action::Bottom, "bottom", "Last row"),
    (Action::Enter, "enter", "Drill into the selected row"),
    (
        Action::Back,
        "back",
        "Back / clear search / leave a drill-down",
    ),
    (Action::Search, "search", "Fuzzy search (People)"),
    (
        Action::Filter,
        "filter",
        "Cycle filter: all, insiders, outsiders, bots, dropped, active",
    ),
    (Action::Sort, "sort", "Cycle sort column"),
    (Action::Reverse, "reverse", "Reverse sort order"),
    (
        Action::Open,
        "open",
        "Open the selected item in the browser",
    ),
    (Action::Copy, "copy", "Copy the selected URL (OSC 52)"),
    (
        Action::Note,
        "note",
        "Edit the note on the selected person (#words are tags)",
    ),
    (
        Action::Refresh,
        "refresh",
        "Refresh: re-import in the background",
    ),
    (
        Action::ConfirmOrg,
        "confirm_org",
        "Confirm the inferred organisation (saved to your config)",
    ),
    (
        Action::RejectOrg,
        "reject_org",
        "Reject the inferred organisation (saved to your config)",
    ),
    (
        Action::AcceptMerge,
        "accept_merge",
        "Merge the selected person with their suggested twin (saved as an alias)",
    ),
    (
        Action::RejectMerge,
        "reject_merge",
        "Keep the selected person apart from their suggested twin",
    ),
    (Action::Quit, "quit", "Quit"),
];

impl Action {
    /// The config name of a bindable action.
    pub fn name(self) -> Option<&'static str> {
        BINDABLE
            .iter()
            .find(|(a, _, _)| *a == self)
            .map(|(_, n, _)| *n)
    }

    pub fn from_name(name: &str) -> Option<Action> {
        BINDABLE
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, _, _)| *a)
    }
}
