//! gitdm-style affiliations file → dated affiliation facts.
//! (Implementation owned by the analysis work; see issue 4.)

use crate::config::Settings;
use crate::domain::AffiliationFact;
use crate::error::Result;
use std::path::Path;

/// Read an affiliations file. Orgs listed in `settings.internal_orgs` are internal.
pub fn read_file(_path: &Path, _settings: &Settings) -> Result<Vec<AffiliationFact>> {
    Ok(Vec::new())
}
