//! Renderers of analysis results: JSON (docs/report.md#json, plus evidence), CSV (one row per
//! contributor, RFC 4180), Markdown (readable when pasted into a GitHub issue).

mod csv;
mod markdown;
pub mod table;

pub use crate::analysis::model::*;
pub use table::{DevRelList, Table};

/// The report formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Markdown,
}

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => json(report),
        Format::Csv => csv::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// Write `report` in `format` to `w`: the same bytes as [`render`]. JSON is streamed, so a
/// report of tens of megabytes is never held in memory as text.
pub fn write_to(
    report: &Report,
    format: Format,
    w: &mut impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, report).map_err(std::io::Error::from)?;
            w.write_all(b"\n")
        }
        _ => w.write_all(render(report, format).as_bytes()),
    }
}

/// Pretty JSON. The buffer is sized up front from the report's shape: a large report is tens of
/// megabytes, and growing by doubling would copy it several times and, at the last doubling,
/// hold both copies at once. Pages reserved but never written cost no memory.
fn json(report: &Report) -> String {
    let hits: usize = report.signals.iter().map(|s| s.evidence.len()).sum();
    let cap = (1 << 20) + 4096 * report.contributors.len() + 512 * hits;
    let mut buf = Vec::with_capacity(cap);
    // Serialising plain data (strings, numbers, maps with string keys) into memory cannot fail.
    if serde_json::to_writer_pretty(&mut buf, report).is_err() {
        buf.clear();
    }
    buf.push(b'\n');
    // serde_json writes valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}
