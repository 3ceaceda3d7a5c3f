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

/// serde `deserialize_with`: an RFC 3339 string as a [`Ts`]. Anything else is an error, so
/// a malformed date fails the response instead of being stored as 1970.
pub fn de_rfc3339<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Ts, D::Error> {
    let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse_rfc3339(&s)
        .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time")))
}

/// [`de_rfc3339`] for an optional field (`null` is `None`; use with `#[serde(default)]`).
pub fn de_rfc3339_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Ts>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Time(#[serde(deserialize_with = "de_rfc3339")] Ts);
    Ok(<Option<Time> as serde::Deserialize>::deserialize(d)?.map(|t| t.0))
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

    #[derive(Debug, serde::Deserialize)]
    struct Dated {
        #[serde(deserialize_with = "de_rfc3339")]
        at: Ts,
        #[serde(default, deserialize_with = "de_rfc3339_opt")]
        closed: Option<Ts>,
    }

    #[test]
    fn an_unparsable_timestamp_is_an_error_never_1970() {
        let ok: Dated = serde_json::from_str(r#"{"at": "2024-03-01T12:00:00Z"}"#).unwrap();
        assert_eq!((ok.at, ok.closed), (1_709_294_400, None));
        let null: Dated =
            serde_json::from_str(r#"{"at": "2024-03-01T12:00:00Z", "closed": null}"#).unwrap();
        assert_eq!(null.closed, None);
        for bad in [
            r#"{"at": "yesterday"}"#,
            r#"{"at": ""}"#,
            r#"{"at": "2024-03-01T12:00:00Z", "closed": "soon"}"#,
        ] {
            let err = serde_json::from_str::<Dated>(bad).unwrap_err().to_string();
            assert!(err.contains("is not an RFC 3339 time"), "{bad}: {err}");
        }
    }
}
