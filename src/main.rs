//! The `contrail` binary: parse the command line, run, print one clear sentence on error.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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
            eprintln!("contrail: {e}");
            ExitCode::FAILURE
        }
    }
}
