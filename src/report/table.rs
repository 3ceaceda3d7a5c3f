//! Lists as tables: a title, column names and rows of cells, rendered as CSV (RFC 4180, the
//! quoting of `--format csv`) or Markdown (the escaping of `--format markdown`). The DevRel
//! "Monday list" of the Markdown report and the TUI's export (`e`/`E`) both go through here.

use crate::analysis::model::{DevRel, Stuck};
use crate::domain::ItemKind;

/// A list as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table {
            title: title.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// CSV: the header row, then one row per entry, CRLF line ends.
    pub fn csv(&self) -> String {
        let line = |cells: &[String]| {
            let v: Vec<String> = cells.iter().map(|c| super::csv::field(c)).collect();
            v.join(",") + "\r\n"
        };
        let mut out = line(&self.header);
        for r in &self.rows {
            out.push_str(&line(r));
        }
        out
    }

    /// Markdown: a `###` heading and a pipe table (or a sentence when the list is empty).
    pub fn markdown(&self) -> String {
        let mut o = format!("### {}\n\n", super::markdown::cell(&self.title));
        if self.rows.is_empty() {
            o.push_str("Nobody on this list.\n");
            return o;
        }
        let row = |cells: &[String]| {
            let v: Vec<String> = cells.iter().map(|c| super::markdown::cell(c)).collect();
            format!("| {} |\n", v.join(" | "))
        };
        o.push_str(&row(&self.header));
        o.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for r in &self.rows {
            o.push_str(&row(r));
        }
        o
    }
}

/// The DevRel lists, in the order the report and the TUI show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevRelList {
    Rising,
    Stuck,
    Helpers,
}

fn who(name: &str, logins: &[String], id: &str) -> String {
    match logins.first() {
        Some(l) => format!("{name} (@{l})"),
        None => format!("{name} ({id})"),
    }
}

fn unblock(s: &Stuck) -> String {
    let v: Vec<String> = s
        .unblockers
        .iter()
        .map(|u| format!("{} ({})", u.name, u.why))
        .collect();
    if v.is_empty() {
        "–".into()
    } else {
        v.join("; ")
    }
}

/// One DevRel list as a table.
pub fn devrel_table(d: &DevRel, list: DevRelList) -> Table {
    match list {
        DevRelList::Rising => {
            let mut t = Table::new(
                format!(
                    "Rising: outsiders climbing faster than their cohort (last {} days)",
                    d.window_days
                ),
                &["#", "person", "stage", "score", "next rung", "why"],
            );
            for (i, r) in d.rising.iter().enumerate() {
                t.rows.push(vec![
                    (i + 1).to_string(),
                    who(&r.name, &r.logins, &r.id),
                    r.stage.name().into(),
                    r.score.to_string(),
                    r.next_rung.clone(),
                    r.why.clone(),
                ]);
            }
            t
        }
        DevRelList::Stuck => {
            let mut t = Table::new(
                "Stuck: outsiders whose latest issue or PR waits on the project (oldest first)",
                &[
                    "waiting",
                    "item",
                    "person",
                    "reason",
                    "title",
                    "who could unblock",
                ],
            );
            for s in &d.stuck {
                let kind = if s.kind == ItemKind::Pr {
                    "PR"
                } else {
                    "issue"
                };
                t.rows.push(vec![
                    format!("{}d", s.waiting_days),
                    format!("{kind} #{}", s.item),
                    who(&s.name, &s.logins, &s.id),
                    s.reason.as_str().into(),
                    s.title.clone(),
                    unblock(s),
                ]);
            }
            t
        }
        DevRelList::Helpers => {
            let mut t = Table::new(
                "Helpers: outsiders who answer other people's issues and review their PRs",
                &[
                    "person",
                    "answers",
                    "reviews",
                    "first replies",
                    "people helped",
                    "why",
                ],
            );
            for h in &d.helpers {
                t.rows.push(vec![
                    who(&h.name, &h.logins, &h.id),
                    h.answers.to_string(),
                    h.reviews.to_string(),
                    h.first_responses.to_string(),
                    h.people_helped.to_string(),
                    h.why.clone(),
                ]);
            }
            t
        }
    }
}

/// "This period vs the previous one" as a table, with the analysis' arrows.
pub fn compare_table(d: &DevRel) -> Option<Table> {
    let c = d.compare.as_ref()?;
    let day = |s: &str| s.get(..10).unwrap_or(s).to_string();
    let mut t = Table::new(
        format!(
            "This period ({} – {}) vs the previous one (from {})",
            day(&c.from),
            day(&c.to),
            day(&c.previous_from)
        ),
        &["measure", "previous", "this period", "trend"],
    );
    let num = |v: Option<f64>| match v {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "–".into(),
    };
    for r in &c.rows {
        let verdict = match r.better {
            Some(true) => " better",
            Some(false) => " worse",
            None => "",
        };
        t.rows.push(vec![
            r.label.clone(),
            num(r.previous),
            num(r.current),
            format!("{}{verdict}", r.trend.arrow()),
        ]);
    }
    Some(t)
}

/// The "Monday list": rising, stuck, helpers (top ten each) and the period comparison.
pub fn monday_list(d: &DevRel) -> String {
    let mut o = String::from("## DevRel: the Monday list\n\n");
    for list in [DevRelList::Rising, DevRelList::Stuck, DevRelList::Helpers] {
        let mut t = devrel_table(d, list);
        let more = t.rows.len().saturating_sub(10);
        t.rows.truncate(10);
        o.push_str(&t.markdown());
        if more > 0 {
            o.push_str(&format!(
                "\n…and {more} more (`contrail report --format json` lists them all).\n"
            ));
        }
        o.push('\n');
    }
    if let Some(t) = compare_table(d) {
        o.push_str(&t.markdown());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_renders_as_rfc4180_csv_and_an_escaped_markdown_table() {
        let mut t = Table::new("People | list", &["name", "note"]);
        t.rows
            .push(vec!["Ann, B".into(), "say \"hi\" | bye".into()]);
        assert_eq!(
            t.csv(),
            "name,note\r\n\"Ann, B\",\"say \"\"hi\"\" | bye\"\r\n"
        );
        let md = t.markdown();
        assert!(md.starts_with("### People \\| list\n"), "{md}");
        assert!(md.contains("| Ann, B | say \"hi\" \\| bye |"), "{md}");
        assert!(Table::new("Empty", &["a"]).markdown().contains("Nobody"));
    }
}
