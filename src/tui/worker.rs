//! Background jobs: load (read the database, analyse, build the view model) and refresh
//! (re-import the git clone, then load). Each runs on its own thread and reports through a
//! channel with owned data tagged by job id; the UI thread never waits for one.

use super::app::Msg;
use super::model::ViewData;
use crate::error::Result;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Sender;

/// Where the data comes from and what a refresh may do.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub db: PathBuf,
    /// `--config FILE`, which overrides the settings recorded in the database.
    pub config: Option<PathBuf>,
    /// The clone a refresh re-imports (`None`: refresh only reloads).
    pub git: Option<PathBuf>,
    /// Whether a refresh may sync the repository recorded in the database from GitHub (never
    /// for the demo, whose repository is fictional).
    pub github: bool,
    pub read_only: bool,
}

/// Read, analyse and build the view model (the work of a load job, callable directly).
pub fn load(spec: &JobSpec, progress: &dyn Fn(String)) -> Result<ViewData> {
    progress(format!("reading {}", spec.db.display()));
    let session = crate::session::Session::open(spec.config.as_deref(), &spec.db)?;
    progress(format!(
        "analysing {} items, {} events, {} commits",
        session.dataset.items.len(),
        session.dataset.events.len(),
        session.dataset.commits.len()
    ));
    let report = session.analyse(None);
    let crate::session::Session {
        dataset: ds,
        settings,
    } = session;
    let ds = Arc::new(ds);
    Ok(ViewData::build_at(
        ds.clone(),
        ds,
        report,
        Arc::new(settings),
    ))
}

/// Re-analyse the loaded history as of `at` on a background thread (the time control): the
/// result arrives as `Msg::Loaded` for `job`, like a load.
pub fn spawn_reanalyse(
    job: u64,
    data: Arc<ViewData>,
    at: Option<crate::domain::Ts>,
    tx: Sender<Msg>,
) {
    let failed = tx.clone();
    let body = move || {
        let run = || {
            let v = ViewData::reanalyse(data.full.clone(), data.settings.clone(), at);
            let _ = tx.send(Msg::Loaded {
                job,
                data: Arc::new(v),
                note: None,
            });
        };
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).is_err() {
            let _ = failed.send(Msg::Failed {
                job,
                error: "internal error while re-analysing; please report it".into(),
            });
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name(JOB_THREAD.into())
        .spawn(body)
    {
        tracing::warn!("cannot start a background job: {e}");
    }
}

fn import(spec: &JobSpec, git: &Path, progress: &dyn Fn(String)) -> Result<String> {
    progress(format!("importing git history of {}", git.display()));
    let opts =
        crate::session::git_import_options(&crate::config::Config::load(spec.config.as_deref())?.0);
    let mut store = Store::open(&spec.db)?;
    let stats = crate::git::import_with(&mut store, git, &opts)?;
    Ok(stats.to_string())
}

/// Sync the database's repository from GitHub, silently (the TUI owns the terminal): the
/// status bar shows the phase, errors come back as a note and the cached data still loads.
fn github_sync(
    spec: &JobSpec,
    progress: &dyn Fn(String),
    sink: crate::github::ProgressSink,
) -> Option<String> {
    let (repo, api_url) = {
        let st = Store::open_read_only(&spec.db).ok()?;
        let row = st.repository_row().ok()?;
        (row.full_name, row.api_url)
    };
    let repo = repo.filter(|r| r.contains('/') && !r.starts_with("local/"))?;
    let run = || -> Result<String> {
        let endpoints = crate::github::Endpoints::from_api_url(api_url.as_deref())?;
        let token = crate::github::token::resolve(endpoints.host())?;
        progress(format!("syncing {repo} from GitHub"));
        let opts = crate::github::SyncOptions {
            api_url,
            progress: crate::github::ProgressMode::Silent,
            sink: Some(sink),
            ..Default::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::error::Error::GitHub(e.to_string()))?;
        let mut store = Store::open(&spec.db)?;
        let stats = rt.block_on(crate::github::sync(&mut store, &repo, &token, &opts))?;
        Ok(stats.to_string())
    };
    Some(match run() {
        Ok(s) => s,
        Err(e) => format!("GitHub sync skipped: {e}"),
    })
}

/// Start a load (and, with `refresh`, a git re-import first) on a background thread.
pub fn spawn(job: u64, spec: JobSpec, refresh: bool, tx: Sender<Msg>) {
    let failed = tx.clone();
    let run = move || {
        let progress = |text: String| {
            let _ = tx.send(Msg::Progress { job, text });
        };
        let mut notes: Vec<String> = Vec::new();
        if refresh
            && !spec.read_only
            && let Some(git) = spec.git.clone()
        {
            match import(&spec, &git, &progress) {
                Ok(s) => notes.push(s),
                // A failed import still shows what the database already holds.
                Err(e) => notes.push(format!("import failed: {e}")),
            }
        }
        if refresh && !spec.read_only && spec.github {
            // Page counts, rate limit left and any countdown go to the status bar.
            let sink_tx = tx.clone();
            let sink = crate::github::ProgressSink(Arc::new(move |text: String| {
                let _ = sink_tx.send(Msg::Progress { job, text });
            }));
            notes.extend(github_sync(&spec, &progress, sink));
        }
        let note = (!notes.is_empty()).then(|| notes.join(" · "));
        let msg = match load(&spec, &progress) {
            Ok(data) => Msg::Loaded {
                job,
                data: Arc::new(data),
                note,
            },
            Err(e) => Msg::Failed {
                job,
                error: e.to_string(),
            },
        };
        let _ = tx.send(msg);
    };
    let body = move || {
        // A bug in a job must not take the UI down: report it like any other failure.
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            let _ = failed.send(Msg::Failed {
                job,
                error: format!("internal error while loading ({what}); please report it"),
            });
        }
    };
    let spawned = std::thread::Builder::new()
        .name(JOB_THREAD.into())
        .spawn(body);
    if let Err(e) = spawned {
        tracing::warn!("cannot start a background job: {e}");
    }
}

/// The name of job threads: the panic hook leaves their panics to `spawn`'s handler.
pub const JOB_THREAD: &str = "contrail-job";
