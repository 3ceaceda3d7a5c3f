//! contrail: a repository's contribution history in SQLite, and each contributor's journey up
//! the ladder from first touch to maintainer (see README.md and docs/definitions.md).
//!
//! Layers: `store` (SQLite), `git` and `github` (importers), `analysis` (pure functions),
//! `report` (renderers), `tui` (the only user of ratatui/crossterm), `commands` (the CLI's jobs).

pub mod affiliations;
pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod diff;
pub mod domain;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod git;
pub mod github;
pub mod report;
pub mod sanitize;
pub mod session;
pub mod snapshot;
pub mod store;
pub mod synth;
pub mod timefmt;
pub mod tui;

pub use error::{Error, Result};
