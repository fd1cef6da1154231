//! Parsing of durations (humantime: `7d`, `36h`, `1month`) and of points in time
//! (RFC 3339, or a duration meaning "that long ago"). Used as clap value parsers and by
//! the config loader, so every bad value is a usage error before any AWS call.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::quoted;

/// A humantime duration that remembers how the user wrote it (for reasons and reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub duration: Duration,
    pub text: String,
}

impl Span {
    pub fn chrono(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.duration).unwrap_or(chrono::Duration::MAX)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Span {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if let Some((start, end)) = ambiguous_minutes(text) {
            let with = |unit: &str| format!("{}{unit}{}", &text[..start], &text[end..]);
            return Err(format!(
                "{} is ambiguous: write {} (restic's m) or {}",
                quoted(text),
                quoted(&with("months")),
                quoted(&with("min"))
            ));
        }
        let duration = humantime::parse_duration(text).map_err(|e| {
            format!(
                "invalid duration {}: {e} (examples: 90s, 36h, 7d, 2w, 6months, 1y)",
                quoted(s)
            )
        })?;
        if duration.is_zero() {
            return Err(format!(
                "invalid duration {}: must be greater than zero",
                quoted(s)
            ));
        }
        // Anything past ~10,000 years is a typo, and would overflow date arithmetic.
        if duration > Duration::from_secs(10_000 * 366 * 86_400) {
            return Err(format!("invalid duration {}: too long", quoted(s)));
        }
        Ok(Span {
            duration,
            text: text.to_string(),
        })
    }
}

/// The number before a bare `m` or `M` unit, if the duration has one. restic's `m` (and
/// humantime's `M`) is months, humantime's `m` is minutes: a unit that means months in one
/// tool and minutes in the other is never guessed. `min`, `months` and the other long
/// forms are not ambiguous.
fn ambiguous_minutes(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let num_end = i;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if matches!(&text[unit_start..i], "m" | "M") {
            return Some((num_end, i));
        }
    }
    None
}

/// A point in time given as RFC 3339 or as a duration back from now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeSpec {
    At(DateTime<Utc>),
    Ago(Span),
}

/// The times the tool accepts: from the Unix epoch to the end of year 9999 (DynamoDB takes
/// times as seconds since the epoch; nothing it holds is older).
fn in_range(t: DateTime<Utc>) -> bool {
    let min = DateTime::<Utc>::UNIX_EPOCH;
    let max = DateTime::parse_from_rfc3339("9999-12-31T23:59:59.999Z")
        .map(|m| m.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    (min..=max).contains(&t)
}

impl TimeSpec {
    /// The point in time, checked to lie within what DynamoDB can be asked about.
    pub fn resolve(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
        let t = match self {
            TimeSpec::At(t) => *t,
            TimeSpec::Ago(span) => now
                .checked_sub_signed(span.chrono())
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        };
        if in_range(t) {
            Ok(t)
        } else {
            Err(format!(
                "time {} is out of range: give a time from 1970-01-01T00:00:00Z to \
                 9999-12-31T23:59:59Z",
                match self {
                    TimeSpec::At(t) => t.to_rfc3339(),
                    TimeSpec::Ago(span) => format!("{} ago", quoted(&span.text)),
                }
            ))
        }
    }
}

impl FromStr for TimeSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            let t = t.with_timezone(&Utc);
            if t.timestamp_subsec_nanos() >= 1_000_000_000 {
                return Err(format!(
                    "invalid time {}: leap seconds (:60) are not supported; use :59",
                    quoted(s)
                ));
            }
            if !in_range(t) {
                return Err(format!(
                    "invalid time {}: give a time from 1970-01-01T00:00:00Z to \
                     9999-12-31T23:59:59Z",
                    quoted(s)
                ));
            }
            return Ok(TimeSpec::At(t));
        }
        // A date alone is that day's start in UTC (as `--since 2026-11-01` reads).
        if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            if let Some(t) = d
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .filter(|t| in_range(*t))
            {
                return Ok(TimeSpec::At(t));
            }
        }
        if text.starts_with(|c: char| c.is_ascii_digit()) && !text.contains(['-', ':']) {
            return text.parse::<Span>().map(TimeSpec::Ago);
        }
        Err(format!(
            "invalid time {}: give an RFC 3339 timestamp (2026-01-31T12:00:00Z), a date \
             (2026-01-31, its start in UTC) or a duration back from now (36h, 7d)",
            quoted(s)
        ))
    }
}

/// `clap` value parser for durations.
pub fn parse_span(s: &str) -> Result<Span, String> {
    s.parse()
}

/// `clap` value parser for points in time.
pub fn parse_time(s: &str) -> Result<TimeSpec, String> {
    s.parse()
}

/// Formats an age like `3d 4h`, `12min`, `45s` (two most significant units).
pub fn format_age(age: chrono::Duration) -> String {
    let secs = age.num_seconds();
    if secs < 0 {
        return "in the future".to_string();
    }
    let units = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, name) in units {
        if rest >= size || (parts.is_empty() && size == 1) {
            parts.push(format!("{}{}", rest / size, name));
            rest %= size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn spans_parse_humantime_and_keep_their_text() {
        let s: Span = "7d".parse().unwrap();
        assert_eq!(s.duration, Duration::from_secs(7 * 86_400));
        assert_eq!(s.to_string(), "7d");
        assert_eq!("36h".parse::<Span>().unwrap().duration.as_secs(), 36 * 3600);
        assert!("0s"
            .parse::<Span>()
            .unwrap_err()
            .contains("greater than zero"));
        assert!("seven days".parse::<Span>().is_err());
        assert!("-3d".parse::<Span>().is_err());
        assert!("".parse::<Span>().is_err());
    }

    #[test]
    fn a_bare_m_is_refused_as_ambiguous() {
        for (text, months, min) in [
            ("6m", "6months", "6min"),
            ("1y5m7d2h", "1y5months7d2h", "1y5min7d2h"),
            ("90M", "90months", "90min"),
            ("1h 30m", "1h 30months", "1h 30min"),
            ("2 m", "2months", "2min"),
        ] {
            let err = text.parse::<Span>().unwrap_err();
            assert_eq!(
                err,
                format!("'{text}' is ambiguous: write '{months}' (restic's m) or '{min}'"),
            );
        }
        // The long forms and restic's other units mean one thing.
        let month = 30.44 * 86_400.0;
        for (text, secs) in [
            ("6months", 6.0 * month),
            ("6min", 360.0),
            (
                "1y5months7d2h",
                365.25 * 86_400.0 + 5.0 * month + 7.0 * 86_400.0 + 7200.0,
            ),
            ("30mins", 1800.0),
            ("1month", month),
            ("2minutes", 120.0),
            ("36h", 129_600.0),
        ] {
            let got = text.parse::<Span>().unwrap().duration.as_secs_f64();
            assert!((got - secs).abs() < 1.0, "{text}: {got} != {secs}");
        }
    }

    #[test]
    fn times_accept_rfc3339_and_relative() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let t: TimeSpec = "2026-11-01T00:00:00+01:00".parse().unwrap();
        assert_eq!(
            t.resolve(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 31, 23, 0, 0).unwrap()
        );
        let r: TimeSpec = "36h".parse().unwrap();
        assert_eq!(
            r.resolve(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap()
        );
        assert!("2026-13-01".parse::<TimeSpec>().is_err());
        // A date alone: the start of that day in UTC.
        let d: TimeSpec = "2026-11-01".parse().unwrap();
        assert_eq!(
            d.resolve(now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        assert!("yesterday".parse::<TimeSpec>().is_err());
        // Leap seconds and times DynamoDB cannot be asked about are refused up front.
        assert!("2016-12-31T23:59:60Z"
            .parse::<TimeSpec>()
            .unwrap_err()
            .contains("leap second"));
        assert!("0000-01-01T00:00:00Z"
            .parse::<TimeSpec>()
            .unwrap_err()
            .contains("from 1970"));
        let far: TimeSpec = "9999y".parse().unwrap();
        assert!(far.resolve(now).unwrap_err().contains("out of range"));
        assert!(r.resolve(now).is_ok());
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(format_age(chrono::Duration::seconds(0)), "0s");
        assert_eq!(
            format_age(chrono::Duration::seconds(3 * 86_400 + 4 * 3600 + 5)),
            "3d 4h"
        );
        assert_eq!(format_age(chrono::Duration::seconds(125)), "2min 5s");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = s.parse::<Span>();
            if let Ok(t) = s.parse::<TimeSpec>() {
                if let Ok(at) = t.resolve(chrono::Utc::now()) {
                    let _ = crate::aws::to_smithy(at);
                }
            }
        }

        /// Duration- and timestamp-shaped input, to reach the paths past the first check.
        #[test]
        fn shaped_input_never_panics(
            n in "[0-9]{1,22}",
            unit in prop::sample::select(vec!["", "s", "m", "h", "d", "w", "y", "month", "years", "ns", "ms", " d", "dd"]),
            date in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?",
        ) {
            let text = format!("{n}{unit}");
            match text.parse::<Span>() {
                Ok(span) => {
                    prop_assert!(!span.duration.is_zero());
                    prop_assert!(unit != "m", "a bare m was accepted: {text}");
                }
                Err(e) => prop_assert!(!e.contains('\n')),
            }
            // Every time that is accepted converts to the SDK's type without a panic.
            for s in [text.as_str(), date.as_str()] {
                if let Ok(t) = s.parse::<TimeSpec>() {
                    if let Ok(at) = t.resolve(chrono::Utc::now()) {
                        let _ = crate::aws::to_smithy(at);
                    }
                }
            }
        }

        #[test]
        fn numeric_durations_round_trip(n in 1u64..5_000, unit in prop::sample::select(vec!["s", "min", "h", "d", "w", "months", "y"])) {
            let text = format!("{n}{unit}");
            let span: Span = text.parse().unwrap();
            prop_assert_eq!(span.text, text);
            prop_assert!(span.duration.as_secs() >= n);
        }
    }
}
