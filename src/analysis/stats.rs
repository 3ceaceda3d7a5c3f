//! Small numeric helpers shared by the analysis: medians, ratios, rounding, calendar keys.

use crate::domain::Ts;
pub use crate::domain::{FastHasher, FastMap, FastSet};
use chrono::{DateTime, Datelike, Timelike, Utc};

pub const DAY: Ts = 86_400;
pub const HOUR: f64 = 3_600.0;

/// Round to two decimals so reports stay readable and byte-stable.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The median of `values` (mean of the two middle values for an even count); `None` if empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let m = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    Some(round2(m))
}

/// `a ÷ b`, `None` when either side is unknown or `b` is zero.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(round2(a / b)),
        _ => None,
    }
}

/// `count ÷ total`, `None` when `total` is zero.
pub fn share(count: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| round2(count as f64 / total as f64))
}

pub fn hours(secs: Ts) -> f64 {
    round2(secs as f64 / HOUR)
}

fn date(ts: Ts) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(ts, 0).unwrap_or_default()
}

/// RFC 3339 in UTC (`2024-03-01T12:00:00Z`), the same text as `timefmt::iso`, without parsing
/// a format string on every call (reports format hundreds of thousands of times).
pub fn iso(ts: Ts) -> String {
    let d = date(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// `YYYY-MM-DD` of a timestamp.
pub fn day(ts: Ts) -> String {
    let d = date(ts);
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `YYYY-MM` of a timestamp.
pub fn month(ts: Ts) -> String {
    let d = date(ts);
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Months since year 0, for counting distinct calendar months cheaply.
pub fn month_index(ts: Ts) -> i64 {
    let d = date(ts);
    d.year() as i64 * 12 + d.month0() as i64
}

/// `YYYY` of a timestamp.
pub fn year(ts: Ts) -> String {
    format!("{:04}", date(ts).year())
}

/// `YYYY-Qn` of a timestamp.
pub fn quarter(ts: Ts) -> String {
    let d = date(ts);
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn calendar_keys() {
        let t = crate::timefmt::parse_rfc3339("2024-05-02T00:00:00Z").unwrap();
        assert_eq!(month(t), "2024-05");
        assert_eq!(quarter(t), "2024-Q2");
        assert_eq!(year(t), "2024");
        for t in [0, 1_704_067_199, t, 4_102_444_800] {
            assert_eq!(iso(t), crate::timefmt::iso(t));
            assert_eq!(day(t), crate::timefmt::day(t));
        }
    }
}
