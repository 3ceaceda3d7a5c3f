//! One session with a database: open it, pick the analysis settings, analyse once. The CLI
//! commands and the TUI's background jobs both go through here, so "which settings apply" and
//! "what gets recorded for a snapshot" are decided in one place (docs/configuration.md).

use crate::analysis::model::Report;
use crate::config::{Config, Settings};
use crate::domain::{Dataset, Ts};
use crate::error::Result;
use crate::store::{self, Store};
use std::path::Path;

/// A loaded history and the settings its analysis uses.
pub struct Session {
    pub dataset: Dataset,
    pub settings: Settings,
}

impl Session {
    /// Read the database at `db` (read-only) and pick its settings: an explicit `--config`
    /// wins, else those recorded in the database, else the user's config.
    pub fn open(config_path: Option<&Path>, db: &Path) -> Result<Session> {
        Session::of(&Store::open_read_only(db)?, config_path)
    }

    /// [`Session::open`] on a store the caller has already opened.
    pub fn of(store: &Store, config_path: Option<&Path>) -> Result<Session> {
        let dataset = store.dataset()?;
        let settings = effective_settings(config_path, &dataset)?;
        Ok(Session { dataset, settings })
    }

    /// The analysis as of `as_of` (default: the newest event in the data).
    pub fn analyse(&self, as_of: Option<Ts>) -> Report {
        crate::analysis::analyze(&self.dataset, &self.settings, as_of)
    }
}

/// Record the analysis settings and affiliation facts in the database, so the snapshot
/// reproduces the same numbers elsewhere.
pub fn record_settings(store: &mut Store, cfg: &Config, cfg_file: Option<&Path>) -> Result<()> {
    let facts = match cfg.affiliations_path(cfg_file) {
        Some(p) => crate::affiliations::read_file(&p, &cfg.settings)?,
        None => Vec::new(),
    };
    let json = serde_json::to_string(&cfg.settings)?;
    store.write(|c| {
        store::set_setting(c, "analysis", &json)?;
        store::replace_affiliations(c, &facts)
    })
}

/// The settings analysis uses: an explicit `--config` wins, else those recorded in the
/// database, else the user's config.
pub fn effective_settings(config_path: Option<&Path>, ds: &Dataset) -> Result<Settings> {
    if config_path.is_none()
        && let Some(json) = ds.settings.get("analysis")
        && let Ok(s) = serde_json::from_str::<Settings>(json)
    {
        return Ok(s);
    }
    Ok(Config::load(config_path)?.0.settings)
}

/// Git import options from the user's configuration.
pub fn git_import_options(cfg: &Config) -> crate::git::ImportOptions {
    crate::git::ImportOptions {
        private_hosts: crate::git::PrivateHosts(cfg.private_review_hosts.clone()),
        ..crate::git::ImportOptions::default()
    }
}
