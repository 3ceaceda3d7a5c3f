//! The subcommands, headless: each resolves its database, does its job and returns.
//! `main.rs` only parses arguments and prints errors.

use crate::cli::{
    Cli, Command, ConfigArgs, DiffArgs, DiffFormat, Format, ReportArgs, SnapshotCommand, SyncArgs,
    TuiArgs,
};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::{self, Store};
use std::path::{Path, PathBuf};

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Sync(args)) => sync(cli.config.as_deref(), args),
        Some(Command::Report(args)) => report(cli.config.as_deref(), args),
        Some(Command::Config(args)) => config(cli.config.as_deref(), args),
        Some(Command::Snapshot(SnapshotCommand::Export {
            file,
            repo,
            db,
            redact,
        })) => snapshot_export(file, repo, db, redact),
        Some(Command::Diff(args)) => diff(cli.config.as_deref(), args),
        Some(Command::Demo) => tui_demo(cli.config.as_deref()),
        Some(Command::Tui(args)) => tui_db(cli.config.as_deref(), args),
        Some(Command::Open { file }) => tui_open(cli.config.as_deref(), &file),
        None => tui_here(cli.config.as_deref()),
    }
}

/// The repository key for the default DB path: OWNER/NAME, else the clone's GitHub origin,
/// else `local/<directory name>-<hash of the full path>`: two clones with the same directory
/// name never share a file.
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
    let hash = crate::snapshot::fnv1a(dir.to_string_lossy().as_bytes()) as u32;
    Some(format!("local/{name}-{hash:08x}"))
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
    if let Some(repo) = &args.repo {
        crate::github::sync::split_repo(repo)?;
    }
    if args.offline && git_path.is_none() {
        return Err(Error::Usage(
            "--offline imports git history only; pass --git PATH (or run inside the clone)".into(),
        ));
    }
    // Check the GitHub arguments and find the token before creating a database. With a
    // clone to import, a missing token is not fatal: the git history is imported, named
    // OWNER/NAME, and the user is told how to add the GitHub data.
    let mut no_token = false;
    let github = match &args.repo {
        Some(_) if args.offline => None,
        Some(repo) => match crate::github::prepare_with(
            repo,
            &crate::github::Request {
                api_url: args.api_url.clone(),
                since: args.since.clone(),
                no_progress: args.no_progress,
                reconcile: args.reconcile,
            },
            &cfg.github,
        ) {
            Ok(p) => Some(p),
            Err(Error::NoToken) if git_path.is_some() => {
                no_token = true;
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let facts = match cfg.affiliations_path(cfg_file.as_deref()) {
        Some(p) => crate::affiliations::read_file(&p, &cfg.settings)?,
        None => Vec::new(),
    };
    // The name of the data: OWNER/NAME, else the clone's GitHub `origin`.
    let name = args
        .repo
        .clone()
        .or_else(|| git_path.as_deref().and_then(crate::git::github_origin));
    let db = resolve_db(args.db.clone(), name.as_deref(), git_path.as_deref())?;
    if db.exists() {
        // A database belongs to one repository (docs/safety.md): refuse another one before
        // anything is written.
        let existing = Store::open_read_only(&db).or_else(|e| match e {
            // An older schema is upgraded by the read-write open below.
            Error::NotADatabase { .. } => Store::open(&db),
            e => Err(e),
        })?;
        check_same_repository(&existing, &db, name.as_deref(), git_path.as_deref())?;
    } else if let Some(github) = &github {
        // No file yet: ask GitHub first, so a 401/404 or no network creates nothing.
        github.check_access_blocking()?;
    }
    let mut store = Store::open(&db)?;
    let json = serde_json::to_string(&cfg.settings)?;
    // Recorded with the first data written, so a sync that fails before it changes nothing.
    store.stage_settings(vec![("analysis".into(), json)], facts);
    if let Some(p) = &git_path {
        let stats =
            crate::git::import_with(&mut store, p, &crate::session::git_import_options(&cfg))?;
        eprintln!("{stats}");
    }
    if github.is_none()
        && let Some(n) = &name
    {
        store.write(|c| store::set_repository(c, Some(n), None, None, None, None))?;
    }
    if let Some(github) = &github {
        // The GitHub sync records the repository itself once GitHub has confirmed it exists,
        // so a 401/404 leaves the database as it was.
        github.run_blocking(&mut store)?;
    }
    store.flush_staged()?;
    if no_token && let (Some(repo), Some(p)) = (&args.repo, &git_path) {
        eprintln!(
            "imported git history only: no GitHub token found. To add issues, pull requests, \
             reviews, stars and forks, set GITHUB_TOKEN or GH_TOKEN (or run `gh auth login`) and \
             run `contrail sync {repo} --git {}` again; `--offline` skips GitHub without this note.",
            p.display()
        );
    }
    eprintln!("database: {}", db.display());
    Ok(())
}

/// Refuse to sync `repo` / the clone at `git` into `store` when it holds another
/// repository: a different GitHub `OWNER/NAME`, or git history with no commit in common.
pub fn check_same_repository(
    store: &Store,
    db: &Path,
    repo: Option<&str>,
    git: Option<&Path>,
) -> Result<()> {
    let row = store.repository_row()?;
    if let Some(requested) = repo
        && !store::same_github_repo(row.full_name.as_deref(), requested)
    {
        return Err(Error::OtherRepository {
            path: db.to_path_buf(),
            stored: row.full_name.unwrap_or_default(),
            requested: requested.to_string(),
        });
    }
    if let Some(path) = git
        && !git_history_related(store, path)?
    {
        let stored = row
            .full_name
            .or(row.git_path)
            .map(|s| format!("the history of {s}"))
            .unwrap_or_else(|| "another repository's history".into());
        return Err(Error::OtherRepository {
            path: db.to_path_buf(),
            stored,
            requested: path.display().to_string(),
        });
    }
    Ok(())
}

/// Whether the clone at `path` shares history with what `store` holds: one of the stored
/// root commits exists in the clone, or a commit reachable from the clone's refs is stored
/// (a shallow clone's boundary, an unshallowed clone). An empty store is related to anything.
fn git_history_related(store: &Store, path: &Path) -> Result<bool> {
    if store.commit_count()? == 0 {
        return Ok(true);
    }
    let repo = git2::Repository::open(path).map_err(|e| Error::git_open(path, &e))?;
    // The common case first, one lookup: a re-sync of the same clone finds its head stored.
    if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit())
        && store.has_commit(&head.id().to_string())?
    {
        return Ok(true);
    }
    for root in store.root_commits()? {
        if let Ok(oid) = git2::Oid::from_str(&root)
            && repo.find_commit(oid).is_ok()
        {
            return Ok(true);
        }
    }
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(true);
    }
    let _ = walk.push_glob("refs/heads/*");
    for oid in walk {
        if store.has_commit(&oid?.to_string())? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The "nothing synced yet" error, with the command that fixes it for how the database was
/// named: by OWNER/NAME, by `--db`, or implicitly by the current clone.
pub fn no_database(repo: Option<&str>, db: &Path, explicit_db: bool) -> Error {
    let (what, fix) = match repo {
        Some(r) => (
            format!("for {r}"),
            format!(
                "run `contrail sync {r}` first (or `contrail demo` to try the bundled example)"
            ),
        ),
        None if explicit_db => (
            format!("at {}", db.display()),
            "check the path, or create it with `contrail sync --git PATH --db FILE`".to_string(),
        ),
        None => (
            "for this repository yet".to_string(),
            "run `contrail sync` inside the clone (or `contrail` to import it and open the TUI)"
                .to_string(),
        ),
    };
    Error::NoDatabase { what, fix }
}

fn open_existing(db: &Path, missing: impl FnOnce() -> Error) -> Result<Store> {
    if !db.exists() {
        return Err(missing());
    }
    Store::open_read_only(db)
}

fn report(config_path: Option<&Path>, args: ReportArgs) -> Result<()> {
    let db = resolve_db(args.db.clone(), args.repo.as_deref(), None)?;
    let store = open_existing(&db, || {
        no_database(args.repo.as_deref(), &db, args.db.is_some())
    })?;
    let session = crate::session::Session::of(&store, config_path)?;
    drop(store);
    let as_of = match &args.as_of {
        Some(s) => Some(crate::timefmt::parse_date(s).ok_or_else(|| {
            Error::Usage(format!(
                "--as-of {s:?} is not a date; use YYYY-MM-DD or RFC 3339"
            ))
        })?),
        None => None,
    };
    let report = session.analyse(as_of);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = crate::report::write_to(&report, args.format, &mut out)
        .and_then(|()| std::io::Write::flush(&mut out));
    // The process ends right after this: freeing millions of small allocations one by one
    // would only delay the exit (about 0.1 s on a million events).
    std::mem::forget(report);
    std::mem::forget(session);
    match written {
        // The reader went away (`contrail report | head`): nothing left to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io {
            path: "standard output".into(),
            reason: e.to_string(),
        }),
        Ok(()) => Ok(()),
    }
}

fn config(config_path: Option<&Path>, args: ConfigArgs) -> Result<()> {
    if args.path {
        match config_path
            .map(Path::to_path_buf)
            .or_else(Config::default_path)
        {
            Some(p) => return emit(&format!("{}\n", p.display())),
            None => return Err(Error::Usage("no config directory on this platform".into())),
        }
    }
    if args.defaults {
        return emit(crate::config::DEFAULT_CONFIG);
    }
    let (cfg, file) = Config::load(config_path)?;
    let head = match file {
        Some(f) => format!("# in effect (from {})\n", f.display()),
        None => "# in effect (embedded defaults; no config file)\n".to_string(),
    };
    let body = toml::to_string_pretty(&cfg).map_err(|e| Error::Usage(e.to_string()))?;
    emit(&format!("{head}{body}"))
}

/// Write `text` to standard output; a reader that went away (`contrail … | head`) ends the
/// command quietly instead of failing.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io {
            path: "standard output".into(),
            reason: e.to_string(),
        }),
        Ok(()) => Ok(()),
    }
}

fn snapshot_export(
    file: PathBuf,
    repo: Option<String>,
    db: Option<PathBuf>,
    redact: bool,
) -> Result<()> {
    let explicit_db = db.is_some();
    let src = resolve_db(db, repo.as_deref(), None)?;
    if !src.exists() {
        return Err(no_database(repo.as_deref(), &src, explicit_db));
    }
    let stats = crate::snapshot::export(&src, &file, redact)?;
    eprintln!(
        "wrote {} ({} KiB{}); open it anywhere with `contrail open {}`",
        stats.path.display(),
        stats.bytes / 1024,
        if stats.redacted { ", redacted" } else { "" },
        stats.path.display()
    );
    Ok(())
}

/// Analyse the database at `path` (read-only) with its own recorded settings.
pub fn analyze_file(config_path: Option<&Path>, path: &Path) -> Result<crate::report::Report> {
    let store = open_existing(path, || no_database(None, path, true))?;
    Ok(crate::session::Session::of(&store, config_path)?.analyse(None))
}

fn diff(config_path: Option<&Path>, args: DiffArgs) -> Result<()> {
    check_same_history(&args.old, &args.new)?;
    let old = analyze_file(config_path, &args.old)?;
    let new = analyze_file(config_path, &args.new)?;
    let d = crate::diff::diff(&old, &new);
    match args.format {
        DiffFormat::Text => emit(&crate::diff::render_text(&d)),
        DiffFormat::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&d).map_err(|e| Error::Usage(e.to_string()))?
        )),
    }
}

/// `diff` compares two states of one repository: refuse two different GitHub repositories,
/// or two git histories without a common root commit.
fn check_same_history(old: &Path, new: &Path) -> Result<()> {
    let open = |p: &Path| open_existing(p, || no_database(None, p, true));
    let (a, b) = (open(old)?, open(new)?);
    let (ra, rb) = (a.repository_row()?, b.repository_row()?);
    let unrelated = |what_a: String, what_b: String| {
        Error::Usage(format!(
            "{} holds {what_a} but {} holds {what_b}; `contrail diff` compares two snapshots of the same repository",
            old.display(),
            new.display()
        ))
    };
    if let (Some(x), Some(y)) = (&ra.full_name, &rb.full_name)
        && !x.eq_ignore_ascii_case(y)
    {
        return Err(unrelated(x.clone(), y.clone()));
    }
    let (roots_a, roots_b) = (a.root_commits()?, b.root_commits()?);
    if !roots_a.is_empty()
        && !roots_b.is_empty()
        && !roots_a.iter().any(|r| roots_b.contains(r))
        && !roots_a.iter().any(|r| b.has_commit(r).unwrap_or(false))
        && !roots_b.iter().any(|r| a.has_commit(r).unwrap_or(false))
    {
        return Err(unrelated(
            "one git history".into(),
            "another with no commit in common".into(),
        ));
    }
    Ok(())
}

/// The report format's name, for messages.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Markdown => "markdown",
    }
}

// ---- The TUI entry points. ----

fn tui_config(config_path: Option<&Path>) -> Result<crate::config::TuiConfig> {
    Ok(Config::load(config_path)?.0.tui)
}

fn tui_spec(
    config_path: Option<&Path>,
    db: PathBuf,
    git: Option<PathBuf>,
    read_only: bool,
) -> crate::tui::JobSpec {
    crate::tui::JobSpec {
        db,
        config: config_path.map(Path::to_path_buf),
        git,
        github: !read_only,
        read_only,
    }
}

/// `contrail demo`: build (or reuse) the demo database in the cache dir and open it.
fn tui_demo(config_path: Option<&Path>) -> Result<()> {
    let cfg = tui_config(config_path)?;
    let db = crate::demo::default_demo_path()?;
    crate::demo::ensure_db(&db)?;
    let mut spec = tui_spec(config_path, db, None, false);
    // The demo repository is fictional: a refresh only reloads, never touches the network.
    spec.github = false;
    let opts = crate::tui::Options {
        spec,
        label: format!("the demo ({})", crate::demo::DEMO_REPO),
        import_first: false,
        read_only_reason: None,
    };
    crate::tui::run(opts, &cfg)
}

/// `contrail tui [OWNER/NAME] [--db FILE]`: an existing database; notes are written to it
/// unless the file is not writable.
fn tui_db(config_path: Option<&Path>, args: TuiArgs) -> Result<()> {
    let cfg = tui_config(config_path)?;
    let db = resolve_db(args.db.clone(), args.repo.as_deref(), None)?;
    let what = args
        .repo
        .clone()
        .unwrap_or_else(|| db.display().to_string());
    if !db.exists() {
        return Err(no_database(args.repo.as_deref(), &db, args.db.is_some()));
    }
    let read_only = std::fs::metadata(&db).is_ok_and(|m| m.permissions().readonly());
    // Validate (and migrate a writable file) before the terminal is taken over.
    if read_only {
        Store::open_read_only(&db)?;
    } else {
        Store::open(&db)?;
    }
    let cwd = PathBuf::from(".");
    let git =
        (args.repo.is_none() && args.db.is_none() && crate::git::is_repo(&cwd)).then_some(cwd);
    let opts = crate::tui::Options {
        spec: tui_spec(config_path, db, git, read_only),
        label: what,
        import_first: false,
        read_only_reason: read_only.then(|| "the database file is not writable".to_string()),
    };
    crate::tui::run(opts, &cfg)
}

/// `contrail open FILE`: a snapshot, strictly read-only.
fn tui_open(config_path: Option<&Path>, file: &Path) -> Result<()> {
    let cfg = tui_config(config_path)?;
    Store::open_read_only(file)?;
    let opts = crate::tui::Options {
        spec: tui_spec(config_path, file.to_path_buf(), None, true),
        label: file.display().to_string(),
        import_first: false,
        read_only_reason: Some("snapshots open read-only".into()),
    };
    crate::tui::run(opts, &cfg)
}

/// `contrail` with no subcommand: inside a git clone, import it into its default database
/// (in the background, with the TUI already up) and open it; elsewhere, pick a cached one.
fn tui_here(config_path: Option<&Path>) -> Result<()> {
    let cfg = tui_config(config_path)?;
    // The work tree containing the current directory (`contrail` from a subdirectory works).
    let cwd = git2::Repository::discover(".")
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    if crate::git::is_repo(&cwd) {
        crate::git::check_repo(&cwd)?;
        let key = repo_key(None, Some(&cwd)).ok_or_else(|| {
            Error::Usage("cannot name this repository; pass --db FILE to `contrail tui`".into())
        })?;
        let db = store::default_db_path(&key)?;
        let (full, cfg_file) = Config::load(config_path)?;
        let mut st = Store::open(&db)?;
        crate::session::record_settings(&mut st, &full, cfg_file.as_deref())?;
        if let Some(origin) = crate::git::github_origin(&cwd) {
            st.write(|c| store::set_repository(c, Some(&origin), None, None, None, None))?;
        }
        drop(st);
        let opts = crate::tui::Options {
            spec: tui_spec(config_path, db, Some(cwd), false),
            label: key,
            import_first: true,
            read_only_reason: None,
        };
        return crate::tui::run(opts, &cfg);
    }
    let dir = store::default_db_path("x")?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let keymap = crate::tui::Keymap::from_config(&cfg.keys).map_err(Error::Usage)?;
    let theme = crate::tui::Theme::resolve(&cfg.theme, crate::tui::Theme::no_color_env())
        .map_err(Error::Usage)?;
    let Some(db) = crate::tui::picker::pick(&dir, &keymap, theme)? else {
        return Ok(());
    };
    let label = db.display().to_string();
    let opts = crate::tui::Options {
        spec: tui_spec(config_path, db, None, false),
        label,
        import_first: false,
        read_only_reason: None,
    };
    crate::tui::run(opts, &cfg)
}
