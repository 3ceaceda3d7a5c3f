//! GitHub → store: GraphQL-first sync through octocrab (issue 3).

use crate::cli::SyncArgs;
use crate::error::{Error, Result};
use crate::store::Store;

/// Run the GitHub sync of `repo` (OWNER/NAME) to completion on a private runtime.
pub fn sync_blocking(_store: &mut Store, _repo: &str, _args: &SyncArgs) -> Result<()> {
    Err(Error::Usage("GitHub sync is not built yet".into()))
}
