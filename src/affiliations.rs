//! gitdm-style affiliations file → dated affiliation facts.
//!
//! ```text
//! # comment
//! alice: alice!example.com, alice!users.noreply.github.com
//! <TAB>Independent until 2021-03-01
//! <TAB>Example Corp from 2021-03-01 until 2023-01-01
//! <TAB>Other Co
//! ```
//! (`<TAB>` is a tab character.) A header line names a GitHub login and its emails (`!` stands for `@`); the tab-indented
//! lines below it give organisations with optional `from`/`until` dates (`until` is exclusive).
//! A line without `from` starts where the previous line's `until` ended. Organisations listed in
//! `internal_orgs` are internal.

use crate::config::Settings;
use crate::domain::{AffiliationFact, Ts};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::path::Path;

/// Read an affiliations file. Orgs listed in `settings.internal_orgs` are internal.
pub fn read_file(path: &Path, settings: &Settings) -> Result<Vec<AffiliationFact>> {
    let text = crate::config::read_small_file(path).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        reason: format!("cannot read the affiliations file: {e}"),
    })?;
    parse(&text, settings).map_err(|reason| Error::Config {
        path: path.to_path_buf(),
        reason,
    })
}

fn date(s: &str, line: usize) -> std::result::Result<Ts, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
        .ok_or_else(|| format!("line {line}: {s:?} is not a YYYY-MM-DD date"))
}

/// Split `Org from A until B` into (org, from, until).
fn org_line(s: &str, line: usize) -> std::result::Result<(String, Option<Ts>, Option<Ts>), String> {
    let mut rest = s.trim();
    let mut until = None;
    let mut from = None;
    if let Some(i) = rest.rfind(" until ") {
        until = Some(date(&rest[i + 7..], line)?);
        rest = rest[..i].trim_end();
    }
    if let Some(i) = rest.rfind(" from ") {
        from = Some(date(&rest[i + 6..], line)?);
        rest = rest[..i].trim_end();
    }
    if rest.is_empty() {
        return Err(format!("line {line}: no organisation name"));
    }
    Ok((rest.to_string(), from, until))
}

/// Parse the file's text.
pub fn parse(text: &str, settings: &Settings) -> std::result::Result<Vec<AffiliationFact>, String> {
    let internal: Vec<String> = settings
        .internal_orgs
        .iter()
        .map(|o| o.to_lowercase())
        .collect();
    let mut out = Vec::new();
    let mut identities: Vec<String> = Vec::new();
    let mut prev_until: Option<Ts> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        if raw.starts_with('\t') || raw.starts_with(' ') {
            if identities.is_empty() {
                return Err(format!(
                    "line {line}: an organisation line before any `login: emails` line"
                ));
            }
            let (org, from, until) = org_line(raw, line)?;
            let from = from.or(prev_until);
            prev_until = until;
            let is_internal = internal.contains(&org.to_lowercase());
            for id in &identities {
                out.push(AffiliationFact {
                    identity: id.clone(),
                    org: org.clone(),
                    internal: is_internal,
                    from,
                    until,
                    source: format!("affiliations file line {line}"),
                });
            }
            continue;
        }
        let (login, emails) = raw.split_once(':').unwrap_or((raw, ""));
        identities.clear();
        prev_until = None;
        let login = login.trim();
        if !login.is_empty() {
            identities.push(format!("login:{}", login.to_lowercase()));
        }
        for e in emails.split(',') {
            let e = e.trim().replace('!', "@").to_lowercase();
            if e.contains('@') {
                identities.push(format!("email:{e}"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitdm_ranges_chain() {
        let s = Settings {
            internal_orgs: vec!["Example Corp".into()],
            ..Settings::default()
        };
        let facts = parse(
            "# people\nalice: alice!example.com, a!b.org\n\tIndependent until 2021-03-01\n\tExample Corp\n",
            &s,
        )
        .unwrap();
        assert_eq!(facts.len(), 6);
        let corp: Vec<_> = facts.iter().filter(|f| f.org == "Example Corp").collect();
        assert!(corp.iter().all(|f| f.internal && f.until.is_none()));
        assert_eq!(corp[0].from, Some(1_614_556_800));
        assert_eq!(corp[0].identity, "login:alice");
        assert_eq!(corp[1].identity, "email:alice@example.com");
        let ind = facts.iter().find(|f| f.org == "Independent").unwrap();
        assert!(!ind.internal && ind.from.is_none() && ind.until == Some(1_614_556_800));
    }

    #[test]
    fn bad_dates_name_the_line() {
        let err = parse(
            "bob: bob!x.org\n\tAcme until 2021-13-01\n",
            &Settings::default(),
        )
        .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
