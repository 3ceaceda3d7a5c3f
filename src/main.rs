//! The `contrail` binary: parse the command line, run, print one clear sentence on error.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // No panic reaches the user as a backtrace (docs/safety.md): one sentence asking for a
    // report. (A closed pipe is not a panic: every write to stdout goes through a fallible
    // writer that ends quietly on `BrokenPipe`.) The TUI chains its own hook on top of this
    // one, so the terminal is restored first.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "contrail: internal error ({}{at}); please report it with the command you ran",
            contrail::sanitize::inline(&msg)
        );
    }));
    let cli = contrail::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONTRAIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,octocrab=off")),
        )
        .with_writer(std::io::stderr)
        .init();
    match contrail::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Server text and file names can carry terminal escapes: one sanitiser for stderr.
            eprintln!("contrail: {}", contrail::sanitize::block(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}
