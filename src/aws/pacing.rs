//! How every call is made safe to repeat and to stop: the circuit breaker per operation,
//! the page cursor guard, pacers under the documented rates, jittered backoff, and the
//! errors of calls cut by a stop.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::error::{AwsError, AwsErrorKind};
use crate::ids::table_of_arn;

/// After this many failures in a row of one operation (each after the SDK's retries), the
/// run starts no more calls of it: a persistent fault costs a few calls, not hundreds.
pub const BREAKER_THRESHOLD: u32 = 3;

/// A call that changes something and is already on the wire when a stop is requested gets
/// this long to finish, so its outcome is known and reported.
pub const MUTATION_GRACE: Duration = Duration::from_millis(500);

/// Consecutive systemic failures per operation in this run.
#[derive(Default)]
pub(super) struct Breaker {
    failures: Mutex<HashMap<&'static str, (u32, String)>>,
}

impl Breaker {
    pub(super) fn check(&self, op: &'static str) -> Result<(), AwsError> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(op) {
            Some((n, last)) if *n >= BREAKER_THRESHOLD => Err(AwsError {
                kind: AwsErrorKind::NotAttempted,
                operation: op,
                message: format!(
                    "not attempted: {op} failed {n} times in a row in this run, so no more {op} \
                     calls are started (last error: {last})"
                ),
            }),
            _ => Ok(()),
        }
    }

    pub(super) fn record<T>(&self, op: &'static str, r: &Result<T, AwsError>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match r {
            // Once open, the breaker stays open for the run: a call that was already in
            // flight succeeding does not make the fault go away.
            Ok(_) => {
                if map.get(op).is_some_and(|(n, _)| *n < BREAKER_THRESHOLD) {
                    map.remove(op);
                }
            }
            Err(e) if e.kind.is_systemic() => {
                let entry = map.entry(op).or_insert((0, String::new()));
                entry.0 += 1;
                entry.1 = e.message.clone();
            }
            Err(_) => {}
        }
    }
}

/// Follows a paginated listing's cursor and refuses one that repeats: such a listing would
/// never end, and whatever it returned so far is not the complete list.
pub(super) struct Cursor {
    op: &'static str,
    subject: String,
    seen: HashSet<String>,
    pub page: usize,
}

impl Cursor {
    pub(super) fn new(op: &'static str, subject: &str) -> Cursor {
        Cursor {
            op,
            subject: subject.to_string(),
            seen: HashSet::new(),
            page: 1,
        }
    }

    /// The next page's start, `None` at the end; an error for a cursor seen before.
    pub(super) fn advance(&mut self, next: Option<&str>) -> Result<Option<String>, AwsError> {
        let Some(next) = next else {
            return Ok(None);
        };
        if !self.seen.insert(next.to_string()) {
            return Err(AwsError {
                kind: AwsErrorKind::BrokenListing,
                operation: self.op,
                message: format!(
                    "{} for '{}' returned the same page cursor twice (page {}): the listing does \
                     not advance, so it is incomplete and nothing is acted on",
                    self.op,
                    self.subject,
                    self.page + 1
                ),
            });
        }
        self.page += 1;
        Ok(Some(next.to_string()))
    }
}

/// A limiter allowing `rate` calls per second, one at a time (no burst).
pub(super) fn pacer(rate: f64) -> Option<DefaultDirectRateLimiter> {
    let period = Duration::try_from_secs_f64(1.0 / rate).ok()?;
    let q = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
    Some(RateLimiter::direct(q))
}

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Exponential backoff with jitter: `initial · 2^(attempt-1)`, capped, then scaled by a
/// factor in [0.5, 1) so that concurrent retries spread out.
pub(super) fn backoff(initial: Duration, attempt: u32) -> Duration {
    let base = initial
        .saturating_mul(1 << attempt.saturating_sub(1).min(10))
        .min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = 0.5 + f64::from(nanos % 1000) / 2000.0;
    base.mul_f64(jitter)
}

/// How a call ended when a stop came.
#[derive(Clone, Copy)]
pub(super) enum Cut {
    /// Before it was sent.
    NotStarted,
    /// A read, abandoned on the wire (nothing changed).
    Abandoned,
    /// A change still on the wire after the grace: it may or may not have happened.
    Unknown,
}

pub(super) fn interrupted(op: &'static str, cut: Cut) -> AwsError {
    let (kind, message) = match cut {
        Cut::NotStarted => (
            AwsErrorKind::Interrupted,
            format!("interrupted: {op} was not started"),
        ),
        Cut::Abandoned => (
            AwsErrorKind::Interrupted,
            format!("interrupted: {op} was abandoned"),
        ),
        Cut::Unknown => (
            AwsErrorKind::OutcomeUnknown,
            format!("interrupted while {op} was in flight: it may or may not have taken effect"),
        ),
    };
    AwsError {
        kind,
        operation: op,
        message,
    }
}

/// A table listing made usable: a name listed twice is one table (kept where it first
/// appeared), and a name DynamoDB could not have given refuses the whole listing (whatever
/// else it says cannot be trusted to be this account's tables).
pub(super) fn checked_names(
    op: &'static str,
    subject: &str,
    names: Vec<String>,
) -> Result<Vec<String>, AwsError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        let name = table_of_arn(&n).unwrap_or(&n);
        if crate::ids::validate_name("table name", name).is_err() {
            return Err(AwsError {
                kind: AwsErrorKind::InconsistentListing,
                operation: op,
                message: format!(
                    "{op} for '{subject}' returned a malformed table name '{}': the listing is \
                     refused and nothing is selected from it",
                    n.chars().take(200).collect::<String>()
                ),
            });
        }
        if seen.insert(n.clone()) {
            out.push(n);
        } else {
            tracing::debug!(operation = op, table = %n, "listed twice: taken once");
        }
    }
    Ok(out)
}
