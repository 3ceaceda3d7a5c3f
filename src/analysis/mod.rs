//! Pure analysis: journeys, drop-off, workflow signals. No I/O in this module tree.

use crate::config::Settings;
use crate::domain::Ts;
use crate::report::Report;
use crate::store::Dataset;

/// Analyse `ds` as of `as_of` (default: the newest event in the data).
pub fn analyze(ds: &Dataset, _settings: &Settings, _as_of: Option<Ts>) -> Report {
    Report {
        repo: ds.repo.clone(),
        ..Report::default()
    }
}
