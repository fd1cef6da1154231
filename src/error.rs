//! Errors the program reacts to. Everything else travels as `anyhow::Error` with context.

use thiserror::Error;

/// Invalid input, found before any AWS call. Always exit code 2.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    pub fn new(msg: impl Into<String>) -> Self {
        UsageError(msg.into())
    }
}

/// How many characters of a value the user gave a message quotes.
pub const QUOTED_MAX: usize = 200;

/// A value the user gave (or a service returned), quoted for a message: `'value'`, or for
/// a value longer than [`QUOTED_MAX`] characters its start and its length,
/// `'aaaa…' (700000 characters)`, so that a huge value never makes a huge message.
pub fn quoted(s: &str) -> String {
    match s.char_indices().nth(QUOTED_MAX) {
        Some((cut, _)) => format!(
            "'{}…' ({} characters)",
            escaped(&s[..cut]),
            s.chars().count()
        ),
        None => format!("'{}'", escaped(s)),
    }
}

/// Control and bidirectional-override characters (which could redraw a terminal or make
/// one name look like another) as `\u{..}` escapes; anything else as it is.
pub fn escaped(s: &str) -> std::borrow::Cow<'_, str> {
    let odd = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(odd) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if odd(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// How long a message of a parser (clap's, the TOML reader's) that may quote input whole
/// is let be.
pub const MESSAGE_MAX: usize = 600;

/// A message that may carry input (a parser's own wording): cut after `max` characters,
/// with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// Shorthand for returning a usage error from a validation function.
pub fn usage<T>(msg: impl Into<String>) -> anyhow::Result<T> {
    Err(UsageError::new(msg).into())
}

/// What kind of failure an AWS call ended in, so callers can decide what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    TableNotFound,
    TableInUse,
    TableAlreadyExists,
    ContinuousBackupsUnavailable,
    PointInTimeRecoveryUnavailable,
    InvalidRestoreTime,
    BackupInUse,
    BackupNotFound,
    /// An S3 bucket that does not exist (NoSuchBucket).
    BucketNotFound,
    /// A DynamoDB export or import that does not exist (or is in another account or region).
    ExportNotFound,
    LimitExceeded,
    InternalServer,
    AccessDenied,
    /// The server rejected the credentials.
    Credentials,
    /// No credentials could be loaded at all.
    NoCredentials,
    Validation,
    Connection,
    Timeout,
    /// The endpoint answered, but not as DynamoDB does (a web server, a URL with a path).
    NotDynamo,
    /// A listing whose page cursor repeated: it would never end, so it is incomplete.
    BrokenListing,
    /// A listing whose summaries are not self-consistent (a field missing, an ARN twice,
    /// another table's backup): nothing is acted on for the tables it concerns.
    InconsistentListing,
    /// A stop was requested: the call was not started, or a read was abandoned.
    Interrupted,
    /// A stop was requested while a change was on the wire: it may or may not have happened.
    OutcomeUnknown,
    /// Not started: the same operation failed too often in a row in this run.
    NotAttempted,
    /// A restore refused with LimitExceeded by a client that takes it as back-pressure
    /// (a fleet restore): too many restores in progress; the caller waits and asks again.
    QuotaReached,
    Other,
}

impl AwsErrorKind {
    /// Errors that may clear up by themselves: a table or backup busy with another
    /// operation, throttling, a server error, a timeout or a broken connection. The AWS
    /// layer retries these (paced, with backoff); a poll may go on after one.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            AwsErrorKind::TableInUse
                | AwsErrorKind::BackupInUse
                | AwsErrorKind::ContinuousBackupsUnavailable
                | AwsErrorKind::LimitExceeded
                | AwsErrorKind::InternalServer
                | AwsErrorKind::Timeout
                | AwsErrorKind::Connection
        )
    }

    /// Errors that say something about the service or the credentials rather than about one
    /// table or backup: several in a row stop further calls of that operation.
    pub fn is_systemic(self) -> bool {
        matches!(
            self,
            AwsErrorKind::LimitExceeded
                | AwsErrorKind::InternalServer
                | AwsErrorKind::AccessDenied
                | AwsErrorKind::Credentials
                | AwsErrorKind::NoCredentials
                | AwsErrorKind::Connection
                | AwsErrorKind::Timeout
                | AwsErrorKind::NotDynamo
                | AwsErrorKind::Other
        )
    }
}

/// A failed AWS call with a message a person can act on.
#[derive(Debug, Clone, Error)]
#[error("{message}")]
pub struct AwsError {
    pub kind: AwsErrorKind,
    pub operation: &'static str,
    pub message: String,
}

/// The run was interrupted by SIGINT/SIGTERM (exit code 130).
#[derive(Debug, Error)]
#[error("interrupted")]
pub struct Interrupted;

/// `1 table`, `3 tables`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_huge_value_is_quoted_by_its_start_and_its_length() {
        let q = quoted(&"a".repeat(700_000));
        assert_eq!(q, format!("'{}…' (700000 characters)", "a".repeat(200)));
        assert_eq!(quoted("7d"), "'7d'");
        assert_eq!(quoted(&"é".repeat(200)), format!("'{}'", "é".repeat(200)));
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
    }

    proptest! {
        #[test]
        fn quoting_is_bounded_and_keeps_short_values_whole(s in "\\PC{0,400}") {
            let q = quoted(&s);
            prop_assert!(q.chars().count() <= QUOTED_MAX + 30);
            if s.chars().count() <= QUOTED_MAX {
                prop_assert_eq!(q, format!("'{s}'"));
            } else {
                let tail = format!("…' ({} characters)", s.chars().count());
                prop_assert!(q.ends_with(&tail), "{}", q);
            }
            prop_assert!(cut(&s, 50).chars().count() <= 51);
        }
    }
}
