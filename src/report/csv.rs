//! CSV: one row per contributor, a header row, RFC 4180 quoting and CRLF line ends.

use crate::analysis::model::Report;
use crate::domain::Rung;

/// One cell: unsafe characters escaped, formula prefixes neutralised, quoted when it holds a
/// comma, a quote or a line break (RFC 4180) — see [`crate::sanitize::csv_cell`].
pub fn field(s: &str) -> String {
    crate::sanitize::csv_cell(s)
}

pub fn render(r: &Report) -> String {
    let mut header: Vec<String> = [
        "id",
        "name",
        "logins",
        "emails",
        "affiliation",
        "stage",
        "status",
        "first_seen",
        "last_seen",
        "last_experience",
        "last_item",
        "door",
        "issues_opened",
        "prs_opened",
        "merged_prs",
        "merged_contributions",
        "commits",
        "reviews",
        "comments",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(Rung::ALL.iter().map(|r| format!("{}_at", r.name())));
    let mut out = header.join(",") + "\r\n";
    for c in &r.contributors {
        let mut row: Vec<String> = vec![
            c.id.clone(),
            c.name.clone(),
            c.logins.join(" "),
            c.emails.join(" "),
            c.affiliation.as_str().into(),
            c.stage.name().into(),
            c.status.as_str().into(),
            c.first_seen.clone(),
            c.last_seen.clone(),
            c.last_experience.as_str().into(),
            c.last_experience_detail
                .as_ref()
                .and_then(|d| d.item)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            c.door.map(|d| d.as_str().to_string()).unwrap_or_default(),
            c.issues_opened.to_string(),
            c.prs_opened.to_string(),
            c.merged_prs.to_string(),
            c.merged_contributions.to_string(),
            c.commits.to_string(),
            c.reviews.to_string(),
            c.comments.to_string(),
        ];
        row.extend(
            Rung::ALL
                .iter()
                .map(|r| c.stages.get(r.name()).cloned().unwrap_or_default()),
        );
        let row: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4180_quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "two\\x0alines");
        assert_eq!(field("=1+1"), "'=1+1");
    }
}
