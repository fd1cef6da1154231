//! DynamoDB's clock, read from the `Date` header of its responses. A run uses it to tell
//! which backups were made after it started, whatever this host's clock says.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use chrono::{DateTime, Utc};

/// A `Date` the service sent, and this host's monotonic instant when it arrived.
type Sighting = (DateTime<Utc>, Instant);

/// The service's time as last seen.
#[derive(Clone, Debug, Default)]
pub struct ServiceClock(Arc<Mutex<Option<Sighting>>>);

impl ServiceClock {
    /// The service's time at the host's `at` (the `Date` header has whole seconds, so this
    /// is up to a second early); `None` before any response carried a `Date`.
    pub fn at(&self, at: Instant) -> Option<DateTime<Utc>> {
        let seen = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (date, when) = seen?;
        let delta = if at >= when {
            chrono::Duration::from_std(at - when).ok()?
        } else {
            -chrono::Duration::from_std(when - at).ok()?
        };
        date.checked_add_signed(delta)
    }

    fn record(&self, header: &str) {
        if let Ok(t) = DateTime::parse_from_rfc2822(header) {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((t.with_timezone(&Utc), Instant::now()));
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
        let later = clock
            .at(Instant::now() + std::time::Duration::from_secs(10))
            .unwrap();
        assert!(
            later.to_rfc3339().starts_with("2026-11-23T05:48:5"),
            "{later}"
        );
        clock.record("not a date");
        assert!(clock.at(Instant::now()).is_some());
    }
}
