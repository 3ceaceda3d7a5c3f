//! Dates in and out: ISO-8601 / RFC 3339 for reports, YYYY-MM-DD for arguments.

use crate::domain::Ts;
use chrono::{DateTime, NaiveDate, Utc};

/// RFC 3339 in UTC with a `Z` suffix, e.g. `2024-03-01T12:00:00Z`.
pub fn iso(ts: Ts) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// `YYYY-MM-DD` in UTC.
pub fn day(ts: Ts) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Parse `YYYY-MM-DD` (end of that day, UTC) or RFC 3339.
pub fn parse_date(s: &str) -> Option<Ts> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp());
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(23, 59, 59)?.and_utc().timestamp())
}

/// Parse an RFC 3339 timestamp from GitHub.
pub fn parse_rfc3339(s: &str) -> Option<Ts> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let t = parse_rfc3339("2024-03-01T12:00:00Z").unwrap();
        assert_eq!(iso(t), "2024-03-01T12:00:00Z");
        assert_eq!(day(t), "2024-03-01");
        assert_eq!(parse_date("2024-03-01").unwrap(), t + 12 * 3600 - 1);
    }
}
