//! Renderers of analysis results: JSON (SPEC §8 plus evidence), CSV (one row per contributor,
//! RFC 4180), Markdown (readable when pasted into a GitHub issue).

mod csv;
mod markdown;
pub mod model;

pub use model::*;

use crate::cli::Format;

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        // Serialising plain data (strings, numbers, maps with string keys) cannot fail.
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Csv => csv::render(report),
        Format::Markdown => markdown::render(report),
    }
}
