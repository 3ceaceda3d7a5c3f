//! App state and `update`: the only place an `Action` or a background `Msg` changes state.
//! Nothing here touches the terminal; side effects (open a URL, copy, save a note, start a
//! refresh) are queued in `App::effects` for the runner, so tests can drive the whole app.

use super::action::Action;
use super::keymap::{Key, Keymap};
use super::model::{PersonRow, Side, TimelineRef, ViewData};
use super::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::layout::Rect;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum View {
    Overview,
    People,
    Journey,
    Dropoffs,
    Workflow,
    Triage,
    DevRel,
    Help,
}

impl View {
    pub const ALL: [View; 8] = [
        View::Overview,
        View::People,
        View::Journey,
        View::Dropoffs,
        View::Workflow,
        View::Triage,
        View::DevRel,
        View::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::People => "People",
            View::Journey => "Journey",
            View::Dropoffs => "Drop-offs",
            View::Workflow => "Workflow",
            View::Triage => "Triage",
            View::DevRel => "DevRel",
            View::Help => "Help",
        }
    }

    fn index(self) -> usize {
        View::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Search,
    Note,
    /// Typing the `as_of` date of the time control.
    Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Insiders,
    Outsiders,
    Bots,
    Dropped,
    Active,
    /// People on the watchlist (`#watch` in their note).
    Watched,
}

impl Filter {
    const CYCLE: [Filter; 7] = [
        Filter::All,
        Filter::Insiders,
        Filter::Outsiders,
        Filter::Bots,
        Filter::Dropped,
        Filter::Active,
        Filter::Watched,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Insiders => "insiders",
            Filter::Outsiders => "outsiders",
            Filter::Bots => "bots",
            Filter::Dropped => "dropped",
            Filter::Active => "active",
            Filter::Watched => "watchlist",
        }
    }
    fn keeps(self, p: &PersonRow) -> bool {
        match self {
            Filter::All => p.side != Side::Bot,
            Filter::Insiders => p.side == Side::Internal,
            Filter::Outsiders => p.side == Side::External,
            Filter::Bots => p.side == Side::Bot,
            Filter::Dropped => p.side != Side::Bot && p.dropped,
            Filter::Active => p.side != Side::Bot && !p.dropped,
            // Decided with the notes in `refresh_rows`.
            Filter::Watched => p.side != Side::Bot,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SortKey {
    Rung,
    Name,
    FirstSeen,
    LastSeen,
    Merged,
    Reviews,
}

impl SortKey {
    const CYCLE: [SortKey; 6] = [
        SortKey::Rung,
        SortKey::LastSeen,
        SortKey::FirstSeen,
        SortKey::Merged,
        SortKey::Reviews,
        SortKey::Name,
    ];
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Rung => "rung",
            SortKey::Name => "name",
            SortKey::FirstSeen => "first seen",
            SortKey::LastSeen => "last seen",
            SortKey::Merged => "merged",
            SortKey::Reviews => "reviews",
        }
    }
}

/// A list position: the selected row and the first visible row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub sel: usize,
    pub offset: usize,
}

impl Cursor {
    /// Move by `delta` within `len` rows, keeping the selection inside a `page`-row window.
    pub fn step(&mut self, delta: isize, len: usize, page: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let sel = (self.sel as isize + delta).clamp(0, len as isize - 1) as usize;
        self.set(sel, len, page);
    }

    pub fn set(&mut self, sel: usize, len: usize, page: usize) {
        let page = page.max(1);
        self.sel = sel.min(len.saturating_sub(1));
        if self.sel < self.offset {
            self.offset = self.sel;
        } else if self.sel >= self.offset + page {
            self.offset = self.sel + 1 - page;
        }
        self.offset = self.offset.min(len.saturating_sub(page));
        if self.sel < self.offset {
            self.offset = self.sel;
        }
    }
}

/// People restricted to the rows behind a number the user drilled into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub label: String,
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PeopleState {
    pub filter: Filter,
    pub sort: SortKey,
    pub desc: bool,
    pub query: String,
    pub scope: Option<Scope>,
    /// Indices into `ViewData::people`, filtered and sorted.
    pub rows: Vec<u32>,
    pub cursor: Cursor,
}

impl Default for PeopleState {
    fn default() -> Self {
        PeopleState {
            filter: Filter::All,
            sort: SortKey::Rung,
            desc: true,
            query: String::new(),
            scope: None,
            rows: Vec::new(),
            cursor: Cursor::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JourneyState {
    pub person: usize,
    pub timeline: Vec<TimelineRef>,
    pub cursor: Cursor,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkflowState {
    pub signals: Cursor,
    /// The signal whose evidence is shown.
    pub detail: Option<usize>,
    pub rows: Cursor,
}

/// The lists of the DevRel view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Rising,
    Stuck,
    Helpers,
    Doors,
    Cohorts,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Rising,
        Section::Stuck,
        Section::Helpers,
        Section::Doors,
        Section::Cohorts,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Rising => "Rising",
            Section::Stuck => "Stuck",
            Section::Helpers => "Helpers",
            Section::Doors => "Doors",
            Section::Cohorts => "Cohorts",
        }
    }

    pub fn index(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The DevRel view: which list, a cursor per list, compare mode, watchlist-only.
#[derive(Debug, Clone, PartialEq)]
pub struct DevRelState {
    pub section: Section,
    pub cursors: [Cursor; 5],
    pub compare: bool,
    pub watch_only: bool,
}

impl Default for DevRelState {
    fn default() -> Self {
        DevRelState {
            section: Section::Rising,
            cursors: [Cursor::default(); 5],
            compare: false,
            watch_only: false,
        }
    }
}

/// The tag that puts a person on the watchlist.
pub const WATCH_TAG: &str = "watch";
/// How far one step of the time control moves `as_of`.
pub const TIME_STEP_DAYS: i64 = 30;

/// What the runner must do on the app's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    OpenUrl(String),
    Copy(String),
    /// Save a note: person id, text, tags. The runner stamps the time.
    SaveNote {
        person: String,
        text: String,
        tags: Vec<String>,
    },
    Refresh,
    /// Re-analyse the loaded history as of a date (`None`: the newest event), off the UI
    /// thread.
    Reanalyse(Option<crate::domain::Ts>),
    /// Write `contents` to `file` in the current directory; `rows` is for the status bar.
    Export {
        file: String,
        contents: String,
        rows: usize,
    },
    /// Change the user's config file, record it in the database and reload.
    EditConfig(crate::config::ConfigEdit),
}

/// Messages from background jobs. Each carries the job id it answers; stale ones are dropped.
#[derive(Debug, Clone)]
pub enum Msg {
    Progress {
        job: u64,
        text: String,
    },
    Loaded {
        job: u64,
        data: Arc<ViewData>,
        /// What the job did besides loading (e.g. import statistics), for the status bar.
        note: Option<String>,
    },
    Failed {
        job: u64,
        error: String,
    },
}

/// Screen areas recorded while drawing, for mouse clicks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    pub tabs: Vec<(u16, u16, View)>,
    pub tabs_y: u16,
    /// The rows of the list the mouse can click (first row's y, number of rows).
    pub list: Option<Rect>,
    /// People header cells that sort when clicked: (x start, x end, key), and their row.
    pub header: Vec<(u16, u16, SortKey)>,
    pub header_y: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Funnel(usize),
    Reason(usize),
    Signal(usize),
    /// A penalty line (index into `penalty_lines`) that drills into its gap signal.
    Penalty(usize),
}

pub struct App {
    pub view: View,
    back: Vec<Crumb>,
    pub mode: Mode,
    pub input: String,
    pub data: Option<Arc<ViewData>>,
    /// Progress of the running job, shown in the status bar.
    pub busy: Option<String>,
    pub error: Option<String>,
    pub message: Option<String>,
    /// Why notes cannot be written, when the database is read-only.
    pub read_only: Option<String>,
    pub source: String,
    pub keymap: Keymap,
    pub theme: Theme,
    pub overview: Cursor,
    pub people: PeopleState,
    pub journey: Option<JourneyState>,
    pub drops: Cursor,
    pub workflow: WorkflowState,
    pub triage: Cursor,
    pub devrel: DevRelState,
    pub help: Cursor,
    pub notes: HashMap<String, crate::domain::Note>,
    pub effects: Vec<Effect>,
    pub quit: bool,
    /// Rows visible in the current list, recorded at draw time (PageUp/PageDown).
    pub page: usize,
    pub hits: Hits,
    pub job: u64,
    /// When the running job started (the status bar shows how long it has been going).
    pub job_started: Option<std::time::Instant>,
}

#[derive(Debug, Clone)]
struct Crumb {
    view: View,
    scope: Option<Scope>,
    detail: Option<usize>,
    people_cursor: Cursor,
}

impl App {
    pub fn new(source: impl Into<String>, keymap: Keymap, theme: Theme) -> App {
        App {
            view: View::Overview,
            back: Vec::new(),
            mode: Mode::Normal,
            input: String::new(),
            data: None,
            busy: None,
            error: None,
            message: None,
            read_only: None,
            source: source.into(),
            keymap,
            theme,
            overview: Cursor::default(),
            people: PeopleState::default(),
            journey: None,
            drops: Cursor::default(),
            workflow: WorkflowState::default(),
            triage: Cursor::default(),
            devrel: DevRelState::default(),
            help: Cursor::default(),
            notes: HashMap::new(),
            effects: Vec::new(),
            quit: false,
            page: 10,
            hits: Hits::default(),
            job: 0,
            job_started: None,
        }
    }

    /// Start a new job id (results of older jobs will be ignored).
    pub fn next_job(&mut self, what: &str) -> u64 {
        self.job += 1;
        self.busy = Some(what.to_string());
        self.job_started = Some(std::time::Instant::now());
        self.job
    }

    /// The action a key means in the current mode. Text modes take printable keys as text.
    pub fn action_for_key(&self, key: Key) -> Option<Action> {
        if self.mode != Mode::Normal {
            return match key.code {
                KeyCode::Enter => Some(Action::Submit),
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Backspace => Some(Action::Backspace),
                KeyCode::Up => Some(Action::Up),
                KeyCode::Down => Some(Action::Down),
                KeyCode::Char('c') if key.ctrl => Some(Action::Quit),
                KeyCode::Char(c) if !key.ctrl && !key.alt => Some(Action::Char(c)),
                _ => None,
            };
        }
        self.keymap.action(key)
    }

    /// Apply a background job's message.
    pub fn on_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Progress { job, text } if job == self.job => self.busy = Some(text),
            Msg::Loaded { job, data, note } if job == self.job => {
                self.busy = None;
                self.error = None;
                self.set_data(data);
                if note.is_some() {
                    self.message = note;
                }
            }
            Msg::Failed { job, error } if job == self.job => {
                self.busy = None;
                self.error = Some(error);
            }
            _ => {}
        }
    }

    /// Install freshly loaded data, keeping the user's place (selected person, scope, view).
    pub fn set_data(&mut self, data: Arc<ViewData>) {
        let selected = self.selected_person().map(|p| self.person_id(p));
        let journey = self.journey.as_ref().map(|j| self.person_id(j.person));
        for (k, v) in &data.notes {
            self.notes.entry(k.clone()).or_insert_with(|| v.clone());
        }
        // A scope lists indices into the old data: map them through person ids.
        if let (Some(old), Some(scope)) = (self.data.clone(), self.people.scope.as_mut()) {
            scope.members = scope
                .members
                .iter()
                .filter_map(|&i| old.people.get(i))
                .filter_map(|p| data.person_by_id(&p.id))
                .collect();
        }
        self.data = Some(data);
        self.back.clear();
        self.refresh_rows();
        if let Some(id) = selected.flatten()
            && let Some(pos) = self.position_of(&id)
        {
            self.people
                .cursor
                .set(pos, self.people.rows.len(), self.page);
        }
        self.journey = None;
        if let Some(id) = journey.flatten()
            && let Some(p) = self.data.as_ref().and_then(|d| d.person_by_id(&id))
        {
            self.open_journey(p);
        }
    }

    fn person_id(&self, p: usize) -> Option<String> {
        Some(self.data.as_ref()?.people.get(p)?.id.clone())
    }

    fn position_of(&self, id: &str) -> Option<usize> {
        let d = self.data.as_ref()?;
        self.people
            .rows
            .iter()
            .position(|&i| d.people[i as usize].id == id)
    }

    /// Recompute the People rows after a filter, sort, search or scope change.
    pub fn refresh_rows(&mut self) {
        let Some(d) = self.data.clone() else {
            self.people.rows.clear();
            return;
        };
        let q = self.people.query.to_lowercase();
        let scope: Option<std::collections::HashSet<usize>> = self
            .people
            .scope
            .as_ref()
            .map(|s| s.members.iter().copied().collect());
        let mut rows: Vec<(u32, i64)> = Vec::with_capacity(d.people.len());
        for (i, p) in d.people.iter().enumerate() {
            if let Some(s) = &scope {
                if !s.contains(&i) {
                    continue;
                }
            } else if !self.people.filter.keeps(p) {
                continue;
            }
            if scope.is_some() && self.people.filter != Filter::All && !self.people.filter.keeps(p)
            {
                continue;
            }
            if self.people.filter == Filter::Watched && !self.is_watched(&p.id) {
                continue;
            }
            let score = if q.is_empty() {
                0
            } else if let Some(tag) = q.strip_prefix('#') {
                // `#tag` finds the people whose note carries a tag starting with it.
                let tagged = self
                    .notes
                    .get(&p.id)
                    .is_some_and(|n| n.tags.iter().any(|t| t.to_lowercase().starts_with(tag)));
                if !tagged {
                    continue;
                }
                0
            } else {
                match fuzzy_score(&q, &p.haystack) {
                    Some(s) => s,
                    None => continue,
                }
            };
            rows.push((i as u32, score));
        }
        let key = self.people.sort;
        let desc = self.people.desc;
        // Numeric sorts compare a precomputed key (no pointer chasing per comparison); the
        // index breaks ties, so the unstable sort is still deterministic.
        let numeric = |p: &PersonRow| -> (i64, i64) {
            match key {
                SortKey::Rung => (
                    p.stage.map_or(-1, |r| r.index() as i64),
                    p.last_seen.unwrap_or(i64::MIN),
                ),
                SortKey::FirstSeen => (p.first_seen.unwrap_or(i64::MIN), 0),
                SortKey::LastSeen => (p.last_seen.unwrap_or(i64::MIN), 0),
                SortKey::Merged => (p.merged as i64, 0),
                SortKey::Reviews => (p.reviews as i64, 0),
                SortKey::Name => (0, 0),
            }
        };
        let mut keyed: Vec<(i64, (i64, i64), u32)> = rows
            .iter()
            .map(|&(i, score)| (score, numeric(&d.people[i as usize]), i))
            .collect();
        keyed.sort_unstable_by(|(sa, ka, a), (sb, kb, b)| {
            let ord = match key {
                // The haystack starts with the lower-cased name: no allocation per comparison.
                // Reversed, so that ↓ (`desc`) reads A→Z like "most first" elsewhere.
                SortKey::Name => d.people[*b as usize]
                    .haystack
                    .cmp(&d.people[*a as usize].haystack),
                _ => ka.cmp(kb),
            };
            let ord = if desc { ord.reverse() } else { ord };
            sb.cmp(sa).then(ord).then(a.cmp(b))
        });
        let rows: Vec<(u32, i64)> = keyed.into_iter().map(|(s, _, i)| (i, s)).collect();
        self.people.rows = rows.into_iter().map(|(i, _)| i).collect();
        let len = self.people.rows.len();
        let sel = self.people.cursor.sel;
        self.people.cursor.set(sel, len, self.page);
    }

    /// Whether `id` is on the watchlist.
    pub fn is_watched(&self, id: &str) -> bool {
        self.notes
            .get(id)
            .is_some_and(|n| n.tags.iter().any(|t| t.eq_ignore_ascii_case(WATCH_TAG)))
    }

    /// The DevRel section's rows (indices into its list), watchlist-only when asked.
    pub fn devrel_rows(&self) -> Vec<usize> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        let dv = &d.report.devrel;
        let ids: Vec<&str> = match self.devrel.section {
            Section::Rising => dv.rising.iter().map(|r| r.id.as_str()).collect(),
            Section::Stuck => dv.stuck.iter().map(|r| r.id.as_str()).collect(),
            Section::Helpers => dv.helpers.iter().map(|r| r.id.as_str()).collect(),
            Section::Doors => return (0..d.report.doors.len()).collect(),
            Section::Cohorts => return (0..d.report.cohorts.len()).collect(),
        };
        ids.iter()
            .enumerate()
            .filter(|(_, id)| !self.devrel.watch_only || self.is_watched(id))
            .map(|(i, _)| i)
            .collect()
    }

    /// The person id of the selected DevRel row (rising, stuck, helpers).
    fn devrel_selected_id(&self) -> Option<String> {
        let d = self.data.as_ref()?;
        let dv = &d.report.devrel;
        let sel = self.devrel.cursors[self.devrel.section.index()].sel;
        let i = *self.devrel_rows().get(sel)?;
        Some(match self.devrel.section {
            Section::Rising => dv.rising.get(i)?.id.clone(),
            Section::Stuck => dv.stuck.get(i)?.id.clone(),
            Section::Helpers => dv.helpers.get(i)?.id.clone(),
            Section::Doors | Section::Cohorts => return None,
        })
    }

    pub fn selected_person(&self) -> Option<usize> {
        match self.view {
            View::Journey => self.journey.as_ref().map(|j| j.person),
            View::DevRel => {
                let id = self.devrel_selected_id()?;
                self.data.as_ref()?.person_by_id(&id)
            }
            View::Triage => {
                let d = self.data.as_ref()?;
                d.triage.get(self.triage.sel)?.person
            }
            _ => self
                .people
                .rows
                .get(self.people.cursor.sel)
                .map(|&i| i as usize),
        }
    }

    fn open_journey(&mut self, person: usize) {
        let Some(d) = &self.data else { return };
        let timeline = d.timeline(person);
        let len = timeline.len();
        let mut cursor = Cursor::default();
        cursor.set(len.saturating_sub(1), len, self.page);
        self.journey = Some(JourneyState {
            person,
            timeline,
            cursor,
        });
    }

    fn push_crumb(&mut self) {
        self.back.push(Crumb {
            view: self.view,
            scope: self.people.scope.clone(),
            detail: self.workflow.detail,
            people_cursor: self.people.cursor,
        });
    }

    fn list_len(&self) -> usize {
        let Some(d) = &self.data else { return 0 };
        match self.view {
            View::Overview => self.targets().len(),
            View::People => self.people.rows.len(),
            View::Journey => self.journey.as_ref().map_or(0, |j| j.timeline.len()),
            View::Dropoffs => d.drops.len(),
            View::Workflow => match self.workflow.detail {
                Some(s) => d.signals.get(s).map_or(0, |s| s.rows.len()),
                None => d.signals.len(),
            },
            View::Triage => d.triage.len(),
            View::DevRel => self.devrel_rows().len(),
            View::Help => super::action::BINDABLE.len() + super::views::help::GLOSSARY.len(),
        }
    }

    fn cursor_mut(&mut self) -> &mut Cursor {
        match self.view {
            View::Overview => &mut self.overview,
            View::People => &mut self.people.cursor,
            View::Journey => match self.journey.as_mut() {
                Some(j) => &mut j.cursor,
                None => &mut self.help,
            },
            View::Dropoffs => &mut self.drops,
            View::Workflow => match self.workflow.detail {
                Some(_) => &mut self.workflow.rows,
                None => &mut self.workflow.signals,
            },
            View::Triage => &mut self.triage,
            View::DevRel => &mut self.devrel.cursors[self.devrel.section.index()],
            View::Help => &mut self.help,
        }
    }

    fn targets(&self) -> Vec<Target> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        (0..d.funnel.len())
            .map(Target::Funnel)
            .chain((0..d.reasons.len().min(5)).map(Target::Reason))
            .chain((0..d.signals.len().min(4)).map(Target::Signal))
            .chain(
                (0..d.penalty_lines().len())
                    .filter(|&l| d.penalty_signal(l).is_some())
                    .map(Target::Penalty),
            )
            .collect()
    }

    /// Which Overview row is selected, for drawing: a funnel rung, a drop-off reason, or a line
    /// of the openness panel (its signals first, then its penalty lines).
    pub fn overview_selection(&self) -> (Option<usize>, Option<usize>, Option<usize>) {
        let signals = self.data.as_ref().map_or(0, |d| d.signals.len().min(4));
        match self.targets().get(self.overview.sel) {
            Some(Target::Funnel(i)) => (Some(*i), None, None),
            Some(Target::Reason(i)) => (None, Some(*i), None),
            Some(Target::Signal(i)) => (None, None, Some(*i)),
            Some(Target::Penalty(l)) => (None, None, Some(signals + *l)),
            None => (None, None, None),
        }
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.list_len();
        let page = self.page;
        self.cursor_mut().step(delta, len, page);
    }

    fn switch(&mut self, view: View) {
        self.view = view;
        self.mode = Mode::Normal;
        self.message = None;
    }

    /// The URL of the selected row, if it has one.
    pub fn selected_url(&self) -> Option<String> {
        let d = self.data.as_ref()?;
        match self.view {
            View::Journey => {
                let j = self.journey.as_ref()?;
                d.entry(j.timeline.get(j.cursor.sel)?).url
            }
            View::Triage => Some(d.triage.get(self.triage.sel)?.url.clone()),
            View::DevRel if self.devrel.section == Section::Stuck => {
                let sel = self.devrel.cursors[Section::Stuck.index()].sel;
                let i = *self.devrel_rows().get(sel)?;
                Some(d.report.devrel.stuck.get(i)?.url.clone())
            }
            View::Workflow => {
                let s = d.signals.get(self.workflow.detail?)?;
                s.rows.get(self.workflow.rows.sel)?.url.clone()
            }
            View::People => {
                let p = &d.people[*self.people.rows.get(self.people.cursor.sel)? as usize];
                let login = p.logins.first()?;
                Some(format!("https://github.com/{login}"))
            }
            _ => None,
        }
    }

    /// The view-specific actions that work in the current view, for its status-bar hints
    /// (docs/tui.md): moving, `enter`, `esc`, the view keys, help and quit work everywhere.
    pub fn view_actions(&self) -> Vec<(Action, &'static str)> {
        let org_pending = self.data.as_ref().is_some_and(|d| {
            d.report.affiliation_source == crate::report::AffiliationSource::Inferred
        });
        let mut out = Vec::new();
        match self.view {
            View::Overview => {
                if org_pending {
                    out.extend([
                        (Action::ConfirmOrg, "confirm org"),
                        (Action::RejectOrg, "reject org"),
                    ]);
                }
                out.extend([
                    (Action::TimeBack, "earlier"),
                    (Action::TimeForward, "later"),
                ]);
            }
            View::People => out.extend([
                (Action::Search, "search"),
                (Action::Filter, "filter"),
                (Action::Sort, "sort"),
                (Action::Reverse, "reverse"),
                (Action::Watch, "watch"),
                (Action::Note, "note"),
                (Action::ExportCsv, "csv"),
            ]),
            View::Journey => {
                let merge = self
                    .journey
                    .as_ref()
                    .is_some_and(|_| self.selected_suggestion().is_some());
                if merge {
                    out.extend([
                        (Action::AcceptMerge, "merge"),
                        (Action::RejectMerge, "not same"),
                    ]);
                }
                out.extend([
                    (Action::Open, "open"),
                    (Action::Copy, "copy"),
                    (Action::Note, "note"),
                    (Action::Watch, "watch"),
                ]);
            }
            View::Dropoffs => out.push((Action::ExportCsv, "csv")),
            View::Workflow | View::Triage => {
                out.extend([(Action::Open, "open"), (Action::Copy, "copy")]);
            }
            View::DevRel => out.extend([
                (Action::NextSection, "section"),
                (Action::Filter, "watchlist"),
                (Action::Compare, "compare"),
                (Action::Watch, "watch"),
                (Action::ExportMarkdown, "markdown"),
            ]),
            View::Help => {}
        }
        out
    }

    /// A view-specific action pressed where it does nothing: say where it works instead of
    /// jumping there.
    fn not_here(&self, action: Action) -> Option<String> {
        let people_only = matches!(action, Action::Search | Action::Sort | Action::Reverse)
            || (action == Action::Filter && self.view != View::DevRel);
        let devrel_only = matches!(action, Action::NextSection | Action::Compare);
        let key = self.keymap.hint(action);
        if people_only && self.view != View::People {
            return Some(format!(
                "{key} works in People ({} to go there)",
                self.keymap.hint(Action::Show(View::People))
            ));
        }
        if devrel_only && self.view != View::DevRel {
            return Some(format!(
                "{key} works in DevRel ({} to go there)",
                self.keymap.hint(Action::Show(View::DevRel))
            ));
        }
        None
    }

    /// Apply one action. Returns nothing; side effects land in `self.effects`.
    pub fn update(&mut self, action: Action) {
        if self.mode != Mode::Normal {
            self.update_text(action);
            return;
        }
        self.message = None;
        if let Some(m) = self.not_here(action) {
            self.message = Some(m);
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.switch(View::Help),
            Action::NextView | Action::PrevView => {
                let n = View::ALL.len();
                let i = self.view.index();
                let j = if action == Action::NextView {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.switch(View::ALL[j]);
            }
            Action::Show(v) => self.switch(v),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page.max(1) as isize)),
            Action::PageDown => self.move_by(self.page.max(1) as isize),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::ClickRow(r) => {
                let len = self.list_len();
                let page = self.page;
                let c = self.cursor_mut();
                let sel = c.offset + r as usize;
                if sel < len {
                    // A click on the selected row drills in, like a double click.
                    let again = c.sel == sel;
                    c.set(sel, len, page);
                    if again {
                        self.enter();
                    }
                }
            }
            Action::Enter => self.enter(),
            Action::Back => self.go_back(),
            Action::Search => {
                self.mode = Mode::Search;
                self.input = self.people.query.clone();
            }
            Action::Filter if self.view == View::DevRel => {
                self.devrel.watch_only = !self.devrel.watch_only;
                for c in &mut self.devrel.cursors {
                    *c = Cursor::default();
                }
                self.message = Some(if self.devrel.watch_only {
                    "DevRel lists: watchlist only".into()
                } else {
                    "DevRel lists: everyone".into()
                });
            }
            Action::Filter => {
                let i = Filter::CYCLE
                    .iter()
                    .position(|f| *f == self.people.filter)
                    .unwrap_or(0);
                self.people.filter = Filter::CYCLE[(i + 1) % Filter::CYCLE.len()];
                self.people.cursor = Cursor::default();
                self.refresh_rows();
            }
            Action::Sort => {
                let i = SortKey::CYCLE
                    .iter()
                    .position(|s| *s == self.people.sort)
                    .unwrap_or(0);
                self.people.sort = SortKey::CYCLE[(i + 1) % SortKey::CYCLE.len()];
                // ↓ is every column's first direction: most first, newest first, A→Z.
                self.people.desc = true;
                self.refresh_rows();
            }
            Action::SortBy(key) => {
                // Clicking the current sort column reverses it.
                if self.people.sort == key {
                    self.people.desc = !self.people.desc;
                } else {
                    self.people.sort = key;
                    self.people.desc = true;
                }
                self.refresh_rows();
            }
            Action::Reverse => {
                self.people.desc = !self.people.desc;
                self.refresh_rows();
            }
            Action::Open => match self.selected_url() {
                Some(u) => {
                    self.message = Some(format!("opening {u}"));
                    self.effects.push(Effect::OpenUrl(u));
                }
                None => self.message = Some("nothing to open here".into()),
            },
            Action::Copy => match self.selected_url() {
                Some(u) => {
                    self.message = Some(format!("copied {u}"));
                    self.effects.push(Effect::Copy(u));
                }
                None => self.message = Some("nothing to copy here".into()),
            },
            Action::Note => self.start_note(),
            Action::Refresh => {
                if self.busy.is_some() {
                    self.message = Some("a job is already running".into());
                } else {
                    self.effects.push(Effect::Refresh);
                }
            }
            Action::NextSection => {
                let i = self.devrel.section.index();
                self.devrel.section = Section::ALL[(i + 1) % Section::ALL.len()];
            }
            Action::Compare => {
                self.devrel.compare = !self.devrel.compare;
            }
            Action::TimeBack | Action::TimeForward => self.step_time(action == Action::TimeBack),
            Action::TimeAt => {
                if self.data.is_some() {
                    self.input = self
                        .data
                        .as_ref()
                        .filter(|d| d.in_the_past())
                        .and_then(|d| d.as_of)
                        .map(crate::timefmt::day)
                        .unwrap_or_default();
                    self.mode = Mode::Date;
                }
            }
            Action::Watch => self.toggle_watch(),
            Action::ExportCsv | Action::ExportMarkdown => {
                self.export(action == Action::ExportMarkdown)
            }
            Action::ConfirmOrg | Action::RejectOrg => {
                self.org_decision(action == Action::ConfirmOrg)
            }
            Action::AcceptMerge | Action::RejectMerge => {
                self.merge_decision(action == Action::AcceptMerge)
            }
            Action::Char(_) | Action::Backspace | Action::Submit | Action::Resize => {}
        }
    }

    /// Ask for a re-analysis as of `at` (`None`: the newest event).
    fn travel(&mut self, at: Option<crate::domain::Ts>) {
        if self.busy.is_some() {
            self.message = Some("a job is already running".into());
            return;
        }
        self.effects.push(Effect::Reanalyse(at));
    }

    fn step_time(&mut self, back: bool) {
        let Some(d) = self.data.clone() else { return };
        let Some(now) = d.as_of else {
            self.message = Some("no dates in this data".into());
            return;
        };
        let step = TIME_STEP_DAYS * 86_400;
        if back {
            let t = now - step;
            if d.oldest.is_some_and(|o| t < o) {
                self.message = Some(format!(
                    "nothing happened before {}",
                    crate::timefmt::day(d.oldest.unwrap_or(t))
                ));
                return;
            }
            self.travel(Some(t));
        } else if !d.in_the_past() {
            self.message = Some("already at the newest event".into());
        } else {
            let t = now + step;
            self.travel(d.newest.filter(|n| t < *n).map(|_| t));
        }
    }

    fn toggle_watch(&mut self) {
        if let Some(why) = &self.read_only {
            self.message = Some(format!("the watchlist is disabled: {why}"));
            return;
        }
        let Some(id) = self.selected_person().and_then(|p| self.person_id(p)) else {
            self.message = Some("select a person first".into());
            return;
        };
        let note = self.notes.get(&id).cloned().unwrap_or_default();
        let watched = self.is_watched(&id);
        let text = if watched {
            note.text
                .split_whitespace()
                .filter(|w| !w.eq_ignore_ascii_case(&format!("#{WATCH_TAG}")))
                .collect::<Vec<_>>()
                .join(" ")
        } else if note.text.trim().is_empty() {
            format!("#{WATCH_TAG}")
        } else {
            format!("{} #{WATCH_TAG}", note.text.trim())
        };
        self.store_note(id.clone(), text);
        let name = self
            .data
            .as_ref()
            .and_then(|d| d.person_by_id(&id))
            .and_then(|p| self.data.as_ref().map(|d| d.people[p].name.clone()))
            .unwrap_or(id);
        self.message = Some(if watched {
            format!("{name} left the watchlist")
        } else {
            format!("{name} is on the watchlist (#{WATCH_TAG})")
        });
        self.refresh_rows();
    }

    fn export(&mut self, markdown: bool) {
        let Some((slug, table)) = super::export::table(self) else {
            self.message = Some("nothing to export on this screen".into());
            return;
        };
        let day = self
            .data
            .as_ref()
            .and_then(|d| d.as_of)
            .map(crate::timefmt::day)
            .unwrap_or_else(|| "undated".into());
        let (ext, contents) = if markdown {
            ("md", table.markdown())
        } else {
            ("csv", table.csv())
        };
        self.effects.push(Effect::Export {
            file: format!("contrail-{slug}-{day}.{ext}"),
            contents,
            rows: table.rows.len(),
        });
    }

    /// `c`/`x`: confirm or reject the organisation inferred from history.
    fn org_decision(&mut self, confirm: bool) {
        use crate::report::AffiliationSource;
        if let Some(why) = &self.read_only {
            self.message = Some(format!("read-only: {why}"));
            return;
        }
        let Some(d) = &self.data else { return };
        let org = &d.report.affiliation;
        if org.source != AffiliationSource::Inferred || org.domains.is_empty() {
            self.message = Some(format!("nothing to confirm: {}", org.summary));
            return;
        }
        let domains = org.domains.clone();
        self.effects.push(Effect::EditConfig(if confirm {
            crate::config::ConfigEdit::ConfirmDomains(domains)
        } else {
            crate::config::ConfigEdit::RejectDomains(domains)
        }));
    }

    /// The suggested merge the selected person belongs to.
    pub fn selected_suggestion(&self) -> Option<&crate::report::SuggestedMerge> {
        let d = self.data.as_ref()?;
        let id = self.person_id(self.selected_person()?)?;
        d.report
            .suggested_merges
            .iter()
            .find(|s| s.ids.contains(&id))
    }

    /// `m`/`M`: accept (alias) or reject the selected person's suggested merge.
    fn merge_decision(&mut self, accept: bool) {
        if let Some(why) = &self.read_only {
            self.message = Some(format!("read-only: {why}"));
            return;
        }
        let Some(s) = self.selected_suggestion() else {
            self.message = Some("no suggested merge for the selected person".into());
            return;
        };
        let edit = if accept {
            // Aliases name logins and emails; a person keyed by a bare name has neither.
            let idents: Vec<String> = s
                .ids
                .iter()
                .filter_map(|id| {
                    id.strip_prefix("login:")
                        .or_else(|| id.strip_prefix("email:"))
                        .map(str::to_string)
                })
                .collect();
            if idents.len() < 2 {
                self.message = Some("these identities have no login or email to alias".into());
                return;
            }
            crate::config::ConfigEdit::Alias(idents)
        } else {
            crate::config::ConfigEdit::RejectMerge(s.ids.clone())
        };
        self.effects.push(Effect::EditConfig(edit));
    }

    fn start_note(&mut self) {
        if let Some(why) = &self.read_only {
            self.message = Some(format!("notes are disabled: {why}"));
            return;
        }
        let Some(p) = self.selected_person() else {
            self.message = Some("select a person first (People view)".into());
            return;
        };
        let Some(id) = self.person_id(p) else { return };
        if !matches!(self.view, View::Journey | View::People | View::DevRel) {
            self.switch(View::People);
        }
        self.input = self
            .notes
            .get(&id)
            .map(|n| n.text.clone())
            .unwrap_or_default();
        self.mode = Mode::Note;
    }

    fn update_text(&mut self, action: Action) {
        match action {
            Action::Char(c) => {
                self.input.push(c);
                self.on_input_changed();
            }
            Action::Backspace => {
                self.input.pop();
                self.on_input_changed();
            }
            Action::Up | Action::Down if self.mode == Mode::Search => {
                self.mode = Mode::Normal;
                self.update(action);
            }
            Action::Submit => {
                let mode = self.mode;
                self.mode = Mode::Normal;
                match mode {
                    Mode::Note => self.save_note(),
                    Mode::Date => self.submit_date(),
                    _ => {}
                }
            }
            Action::Back => {
                if self.mode == Mode::Search {
                    self.input.clear();
                    self.people.query.clear();
                    self.refresh_rows();
                }
                self.mode = Mode::Normal;
            }
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    fn submit_date(&mut self) {
        let text = self.input.trim().to_string();
        self.input.clear();
        if text.is_empty() {
            self.travel(None);
            return;
        }
        match crate::timefmt::parse_date(&text) {
            Some(t) => {
                let newest = self.data.as_ref().and_then(|d| d.newest);
                self.travel(newest.filter(|n| t < *n).map(|_| t));
            }
            None => {
                self.message = Some(format!("{text:?} is not a date; use YYYY-MM-DD"));
            }
        }
    }

    fn on_input_changed(&mut self) {
        if self.mode == Mode::Search {
            self.people.query = self.input.clone();
            self.people.cursor = Cursor::default();
            self.refresh_rows();
        }
    }

    fn save_note(&mut self) {
        let Some(id) = self.selected_person().and_then(|p| self.person_id(p)) else {
            return;
        };
        let text = self.input.trim().to_string();
        self.store_note(id, text);
        self.message = Some("note saved".into());
    }

    /// Keep `text` as the note of `id` (its `#words` are its tags) and hand it to the runner.
    fn store_note(&mut self, id: String, text: String) {
        let tags: Vec<String> = text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix('#'))
            .map(|t| {
                t.trim_end_matches(|c: char| !c.is_alphanumeric())
                    .to_string()
            })
            .filter(|t| !t.is_empty())
            .collect();
        self.notes.insert(
            id.clone(),
            crate::domain::Note {
                person: id.clone(),
                text: text.clone(),
                tags: tags.clone(),
                updated_at: 0,
            },
        );
        self.effects.push(Effect::SaveNote {
            person: id,
            text,
            tags,
        });
    }

    /// Drill into signal `i`'s rows on the Workflow view.
    fn open_signal(&mut self, i: usize, len: usize) {
        self.push_crumb();
        self.switch(View::Workflow);
        self.workflow.signals.set(i, len, self.page);
        self.workflow.detail = Some(i);
        self.workflow.rows = Cursor::default();
    }

    fn enter(&mut self) {
        let Some(d) = self.data.clone() else { return };
        match self.view {
            View::Overview => match self.targets().get(self.overview.sel).copied() {
                Some(Target::Funnel(i)) => {
                    let f = &d.funnel[i];
                    self.drill_people(format!("reached {}", f.rung), f.people.clone());
                }
                Some(Target::Reason(i)) => {
                    let r = &d.reasons[i];
                    self.drill_people(format!("dropped after {}", r.reason), r.people.clone());
                }
                Some(Target::Signal(i)) => self.open_signal(i, d.signals.len()),
                Some(Target::Penalty(l)) => {
                    if let Some(i) = d.penalty_signal(l) {
                        self.open_signal(i, d.signals.len());
                    }
                }
                None => {}
            },
            View::People => {
                if let Some(&p) = self.people.rows.get(self.people.cursor.sel) {
                    self.push_crumb();
                    self.open_journey(p as usize);
                    self.switch(View::Journey);
                }
            }
            View::Triage => {
                if let Some(p) = d.triage.get(self.triage.sel).and_then(|t| t.person) {
                    self.push_crumb();
                    self.open_journey(p);
                    self.switch(View::Journey);
                }
            }
            View::Dropoffs => {
                if let Some(r) = d.drops.get(self.drops.sel) {
                    self.drill_people(
                        format!("dropped at {}: {}", r.stage, r.reason),
                        r.people.clone(),
                    );
                }
            }
            View::Workflow => {
                if self.workflow.detail.is_none() && !d.signals.is_empty() {
                    self.push_crumb();
                    self.workflow.detail = Some(self.workflow.signals.sel);
                    self.workflow.rows = Cursor::default();
                } else {
                    self.message = Some(format!(
                        "{} opens the selected row in the browser, {} copies its URL",
                        self.keymap.hint(Action::Open),
                        self.keymap.hint(Action::Copy)
                    ));
                }
            }
            View::DevRel => self.enter_devrel(&d),
            View::Journey => {
                self.message = Some(format!(
                    "{} opens the selected item, {} edits the note",
                    self.keymap.hint(Action::Open),
                    self.keymap.hint(Action::Note)
                ));
            }
            View::Help => {}
        }
    }

    /// A person's row opens their Journey; a door or cohort row lists its people.
    fn enter_devrel(&mut self, d: &ViewData) {
        let sel = self.devrel.cursors[self.devrel.section.index()].sel;
        let Some(&i) = self.devrel_rows().get(sel) else {
            return;
        };
        let ids =
            |v: &[String]| -> Vec<usize> { v.iter().filter_map(|id| d.person_by_id(id)).collect() };
        match self.devrel.section {
            Section::Doors => {
                if let Some(r) = d.report.doors.get(i) {
                    self.drill_people(
                        format!("came in through {}", r.door.as_str()),
                        ids(&r.people_ids),
                    );
                }
            }
            Section::Cohorts => {
                if let Some(c) = d.report.cohorts.get(i) {
                    self.drill_people(
                        format!("{} {} cohort", c.quarter, c.affiliation.as_str()),
                        ids(&c.people),
                    );
                }
            }
            _ => {
                if let Some(p) = self.selected_person() {
                    self.push_crumb();
                    self.open_journey(p);
                    self.switch(View::Journey);
                }
            }
        }
    }

    fn drill_people(&mut self, label: String, members: Vec<usize>) {
        self.push_crumb();
        self.people.scope = Some(Scope { label, members });
        self.people.query.clear();
        self.people.filter = Filter::All;
        self.people.cursor = Cursor::default();
        self.refresh_rows();
        self.switch(View::People);
    }

    fn go_back(&mut self) {
        if self.view == View::People && !self.people.query.is_empty() {
            self.people.query.clear();
            self.input.clear();
            self.refresh_rows();
            return;
        }
        if let Some(c) = self.back.pop() {
            self.view = c.view;
            self.workflow.detail = c.detail;
            if self.people.scope != c.scope {
                self.people.scope = c.scope;
                self.refresh_rows();
            }
            let len = self.people.rows.len();
            self.people.cursor = c.people_cursor;
            self.people.cursor.set(c.people_cursor.sel, len, self.page);
            return;
        }
        if self.view == View::People && self.people.scope.is_some() {
            self.people.scope = None;
            self.people.cursor = Cursor::default();
            self.refresh_rows();
        } else if self.view == View::Workflow && self.workflow.detail.is_some() {
            self.workflow.detail = None;
        } else if self.view != View::Overview {
            self.switch(View::Overview);
        } else {
            self.message = Some(format!(
                "nothing to go back to; {} quits",
                self.keymap.hint(Action::Quit)
            ));
        }
    }
}

/// Fuzzy subsequence match: every query character in order. Higher is better: consecutive
/// matches and matches at word starts score more. `None` = no match.
pub fn fuzzy_score(query: &str, hay: &str) -> Option<i64> {
    let mut score = 0i64;
    let mut run = 0i64;
    let mut prev: Option<char> = None;
    let mut q = query.chars().filter(|c| !c.is_whitespace()).peekable();
    for c in hay.chars() {
        let Some(&want) = q.peek() else { break };
        if c == want {
            run += 1;
            score += 1 + run * 3;
            if prev.is_none_or(|p| !p.is_alphanumeric()) {
                score += 3;
            }
            q.next();
        } else {
            run = 0;
        }
        prev = Some(c);
    }
    if q.peek().is_some() {
        return None;
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matches_subsequences_and_prefers_runs() {
        assert!(fuzzy_score("fk", "fern kowalski").is_some());
        assert!(fuzzy_score("xyz", "fern kowalski").is_none());
        assert!(fuzzy_score("fern", "fern kowalski") > fuzzy_score("fern", "f e r n"));
    }

    #[test]
    fn a_cursor_keeps_the_selection_visible() {
        let mut c = Cursor::default();
        c.step(25, 100, 10);
        assert_eq!((c.sel, c.offset), (25, 16));
        c.step(-20, 100, 10);
        assert_eq!((c.sel, c.offset), (5, 5));
        c.step(1000, 100, 10);
        assert_eq!((c.sel, c.offset), (99, 90));
        c.step(1, 0, 10);
        assert_eq!(c, Cursor::default());
    }
}
