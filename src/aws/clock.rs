//! DynamoDB's clock, read from the `Date` header of its responses. A run uses it to tell
//! which backups were made after it started, and how old backups are, whatever this
//! host's clock says.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use chrono::{DateTime, Duration, Utc};

/// What the `Date` headers seen so far say about the service's time at one host instant:
/// each header (whole seconds, sent before it arrived) puts the service's time at its
/// arrival in [date, date + 1 s); the intersection of all of them narrows as more arrive.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    anchor: Instant,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
}

/// The service's time as the responses tell it.
#[derive(Clone, Debug, Default)]
pub struct ServiceClock(Arc<Mutex<Option<Bounds>>>);

fn shift(t: DateTime<Utc>, from: Instant, to: Instant) -> Option<DateTime<Utc>> {
    if to >= from {
        t.checked_add_signed(Duration::from_std(to - from).ok()?)
    } else {
        t.checked_sub_signed(Duration::from_std(from - to).ok()?)
    }
}

impl ServiceClock {
    /// The service's time at the host's instant `at`: at least this (as precise as the
    /// `Date` headers allow); `None` before any response carried a `Date`.
    pub fn at(&self, at: Instant) -> Option<DateTime<Utc>> {
        let b = (*self.0.lock().unwrap_or_else(|e| e.into_inner()))?;
        shift(b.lo, b.anchor, at)
    }

    /// The service's time at `at`: at most this.
    pub fn at_most(&self, at: Instant) -> Option<DateTime<Utc>> {
        let b = (*self.0.lock().unwrap_or_else(|e| e.into_inner()))?;
        shift(b.hi, b.anchor, at)
    }

    fn record(&self, header: &str) {
        let Ok(date) = DateTime::parse_from_rfc2822(header) else {
            return;
        };
        let (date, now) = (date.with_timezone(&Utc), Instant::now());
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let b = guard.get_or_insert(Bounds {
            anchor: now,
            lo: DateTime::<Utc>::MIN_UTC,
            hi: DateTime::<Utc>::MAX_UTC,
        });
        let (Some(lo), Some(hi)) = (
            shift(date, now, b.anchor),
            shift(date + Duration::seconds(1), now, b.anchor),
        ) else {
            return;
        };
        // A header that contradicts the others (the service's clock stepped) replaces them.
        if lo >= b.hi || hi <= b.lo {
            *b = Bounds {
                anchor: b.anchor,
                lo,
                hi,
            };
        } else {
            b.lo = b.lo.max(lo);
            b.hi = b.hi.min(hi);
        }
    }
}

/// Records every response's `Date` into a [`ServiceClock`].
#[derive(Debug)]
pub struct DateReader(pub ServiceClock);

impl Intercept for DateReader {
    fn name(&self) -> &'static str {
        "ServiceClock"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(date) = context.response().headers().get("date") {
            self.0.record(date);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_time_advances_with_the_monotonic_clock() {
        let clock = ServiceClock::default();
        assert!(clock.at(Instant::now()).is_none());
        clock.record("Mon, 23 Nov 2026 05:48:49 GMT");
        let later = Instant::now() + std::time::Duration::from_secs(10);
        let (lo, hi) = (clock.at(later).unwrap(), clock.at_most(later).unwrap());
        assert!(lo.to_rfc3339().starts_with("2026-11-23T05:48:59"), "{lo}");
        assert!(hi > lo && hi - lo <= Duration::seconds(1));
        clock.record("not a date");
        assert!(clock.at(Instant::now()).is_some());
    }
}
