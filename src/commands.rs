//! The subcommands, headless: each resolves its database, does its job and returns.
//! `main.rs` only parses arguments and prints errors.

use crate::cli::{Cli, Command, ConfigArgs, Format, ReportArgs, SyncArgs};
use crate::config::{Config, Settings};
use crate::error::{Error, Result};
use crate::store::{self, Store};
use std::path::{Path, PathBuf};

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Sync(args)) => sync(cli.config.as_deref(), args),
        Some(Command::Report(args)) => report(cli.config.as_deref(), args),
        Some(Command::Config(args)) => config(cli.config.as_deref(), args),
        Some(other) => Err(Error::Usage(format!(
            "`{}` is not available in this build yet",
            command_name(&other)
        ))),
        None => Err(Error::Usage(
            "the TUI is not available in this build yet; try `contrail report`".into(),
        )),
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Demo => "demo",
        Command::Sync(_) => "sync",
        Command::Tui(_) => "tui",
        Command::Report(_) => "report",
        Command::Snapshot(_) => "snapshot",
        Command::Open { .. } => "open",
        Command::Diff(_) => "diff",
        Command::Config(_) => "config",
    }
}

/// The repository key for the default DB path: OWNER/NAME, else the clone's GitHub origin,
/// else `local/<directory name>`.
pub fn repo_key(repo: Option<&str>, git: Option<&Path>) -> Option<String> {
    if let Some(r) = repo {
        return Some(r.to_string());
    }
    let git = git?;
    if let Some(r) = crate::git::github_origin(git) {
        return Some(r);
    }
    let dir = std::fs::canonicalize(git).ok()?;
    let name = dir
        .file_name()?
        .to_string_lossy()
        .trim_end_matches(".git")
        .to_string();
    Some(format!("local/{name}"))
}

/// `--db` if given, else the default file for the repository.
pub fn resolve_db(db: Option<PathBuf>, repo: Option<&str>, git: Option<&Path>) -> Result<PathBuf> {
    if let Some(db) = db {
        return Ok(db);
    }
    let cwd = PathBuf::from(".");
    let git = git.or_else(|| crate::git::is_repo(&cwd).then_some(cwd.as_path()));
    let key = repo_key(repo, git).ok_or_else(|| {
        Error::Usage(
            "no repository given; pass OWNER/NAME, --db FILE, or run inside a git clone".into(),
        )
    })?;
    store::default_db_path(&key)
}

fn sync(config_path: Option<&Path>, args: SyncArgs) -> Result<()> {
    let (cfg, cfg_file) = Config::load(config_path)?;
    let cwd = PathBuf::from(".");
    // Import the local clone: `--git PATH`, or the current directory when it is a clone.
    let git_path: Option<PathBuf> = match &args.git {
        Some(p) => Some(p.clone()),
        None if args.repo.is_none() => Some(cwd.clone()),
        None => crate::git::is_repo(&cwd)
            .then(|| cwd.clone())
            .filter(|p| crate::git::github_origin(p).as_deref() == args.repo.as_deref()),
    };
    if let Some(p) = &git_path {
        // Validate before creating a database, so bad input leaves nothing behind.
        crate::git::check_repo(p)?;
    }
    // Check the GitHub arguments and find the token before creating a database.
    let github = match &args.repo {
        Some(repo) => Some(crate::github::prepare(repo, &args)?),
        None => None,
    };
    let db = resolve_db(args.db.clone(), args.repo.as_deref(), git_path.as_deref())?;
    let mut store = Store::open(&db)?;
    record_settings(&mut store, &cfg, cfg_file.as_deref())?;
    if let Some(p) = &git_path {
        let stats = crate::git::import(&mut store, p)?;
        eprintln!("{stats}");
    }
    if let Some(github) = &github {
        // The GitHub sync records the repository itself once GitHub has confirmed it exists,
        // so a 401/404 leaves the database as it was.
        github.run_blocking(&mut store)?;
    }
    eprintln!("database: {}", db.display());
    Ok(())
}

/// Record the analysis settings and affiliation facts in the database, so the snapshot
/// reproduces the same numbers elsewhere.
fn record_settings(store: &mut Store, cfg: &Config, cfg_file: Option<&Path>) -> Result<()> {
    let facts = match cfg.affiliations_path(cfg_file) {
        Some(p) => crate::affiliations::read_file(&p, &cfg.settings)?,
        None => Vec::new(),
    };
    let json = serde_json::to_string(&cfg.settings).map_err(|e| Error::Db(e.to_string()))?;
    store.write(|c| {
        store::set_setting(c, "analysis", &json)?;
        store::replace_affiliations(c, &facts)
    })
}

/// The settings analysis uses: an explicit `--config` wins, else those recorded in the
/// database, else the user's config.
pub fn effective_settings(config_path: Option<&Path>, ds: &store::Dataset) -> Result<Settings> {
    if config_path.is_none()
        && let Some(json) = ds.settings.get("analysis")
        && let Ok(s) = serde_json::from_str::<Settings>(json)
    {
        return Ok(s);
    }
    Ok(Config::load(config_path)?.0.settings)
}

fn open_existing(db: &Path, what: &str) -> Result<Store> {
    if !db.exists() {
        return Err(Error::NoDatabase(what.to_string()));
    }
    Store::open_read_only(db)
}

fn report(config_path: Option<&Path>, args: ReportArgs) -> Result<()> {
    let db = resolve_db(args.db.clone(), args.repo.as_deref(), None)?;
    let what = args
        .repo
        .clone()
        .unwrap_or_else(|| db.display().to_string());
    let store = open_existing(&db, &what)?;
    let ds = store.dataset()?;
    let settings = effective_settings(config_path, &ds)?;
    let as_of = match &args.as_of {
        Some(s) => Some(crate::timefmt::parse_date(s).ok_or_else(|| {
            Error::Usage(format!(
                "--as-of {s:?} is not a date; use YYYY-MM-DD or RFC 3339"
            ))
        })?),
        None => None,
    };
    let report = crate::analysis::analyze(&ds, &settings, as_of);
    let out = crate::report::render(&report, args.format);
    print!("{out}");
    Ok(())
}

fn config(config_path: Option<&Path>, args: ConfigArgs) -> Result<()> {
    if args.path {
        match config_path
            .map(Path::to_path_buf)
            .or_else(Config::default_path)
        {
            Some(p) => println!("{}", p.display()),
            None => return Err(Error::Usage("no config directory on this platform".into())),
        }
        return Ok(());
    }
    if args.defaults {
        print!("{}", crate::config::DEFAULT_CONFIG);
        return Ok(());
    }
    let (cfg, file) = Config::load(config_path)?;
    match file {
        Some(f) => println!("# in effect (from {})", f.display()),
        None => println!("# in effect (embedded defaults; no config file)"),
    }
    print!(
        "{}",
        toml::to_string_pretty(&cfg).map_err(|e| Error::Usage(e.to_string()))?
    );
    Ok(())
}

#[allow(dead_code)]
fn _format_is_used(f: Format) -> Format {
    f
}
