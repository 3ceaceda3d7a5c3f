//! Command-line interface (README.md#commands): one subcommand per user task.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "contrail",
    version,
    about = "Walk each contributor's path from first touch to maintainer, and see where outsiders drop off.",
    long_about = "contrail caches a repository's contribution history (git + GitHub) in SQLite and \
shows each contributor's journey up the ladder, where outside contributors drop off, and where \
the real work happens somewhere outsiders cannot follow.\n\nWith no subcommand: inside a git \
work tree, import it and open the TUI; elsewhere, pick a cached repository."
)]
pub struct Cli {
    /// Configuration file (default: the platform config dir's contrail/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the TUI on the bundled demo repository (no token, no network).
    Demo,
    /// Import git history and/or GitHub data into the repository's database.
    Sync(SyncArgs),
    /// Open the TUI on a synced repository.
    Tui(TuiArgs),
    /// Print the analysis as JSON, CSV or Markdown.
    Report(ReportArgs),
    /// Work with offline snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Open a snapshot read-only in the TUI.
    Open {
        /// The snapshot file.
        file: PathBuf,
    },
    /// Compare two databases or snapshots.
    Diff(DiffArgs),
    /// Show configuration: the embedded defaults or the file in use.
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// GitHub repository OWNER/NAME (omit for a git-only import).
    pub repo: Option<String>,
    /// Local clone or bare repository to import (default: the current directory when it is a
    /// clone of OWNER/NAME).
    #[arg(long, value_name = "PATH")]
    pub git: Option<PathBuf>,
    /// GitHub API base URL (GitHub Enterprise: https://HOST/api/v3).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Database file (default: one per repository in the platform data dir).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Only fetch GitHub activity updated since this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Plain log lines instead of progress bars.
    #[arg(long)]
    pub no_progress: bool,
    /// Git only: no token, no network; OWNER/NAME still names the data.
    #[arg(long)]
    pub offline: bool,
    /// Re-count every issue's and PR's comments and reviews on GitHub now (normally every 7
    /// days) and fetch again only the items that disagree.
    #[arg(long, conflicts_with = "offline")]
    pub reconcile: bool,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Repository OWNER/NAME (default: the current clone's).
    pub repo: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

pub use crate::report::Format;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Repository OWNER/NAME (default: the current clone's).
    pub repo: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Evaluate as of this date (YYYY-MM-DD or RFC 3339) instead of the newest event.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Write a self-contained, read-only-ready copy of a repository's database.
    Export {
        /// Destination file.
        file: PathBuf,
        /// Repository OWNER/NAME (default: the current clone's).
        #[arg(long)]
        repo: Option<String>,
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Replace emails, bodies and notes with stable pseudonyms.
        #[arg(long)]
        redact: bool,
    },
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    pub old: PathBuf,
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the embedded defaults (every key, documented).
    #[arg(long)]
    pub defaults: bool,
    /// Print the path of the config file contrail reads.
    #[arg(long)]
    pub path: bool,
}
