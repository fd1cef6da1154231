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
