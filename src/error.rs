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
    Other,
}

impl AwsErrorKind {
    /// Errors that clear up by themselves: worth a bounded retry by the caller.
    pub fn is_busy(self) -> bool {
        matches!(
            self,
            AwsErrorKind::TableInUse
                | AwsErrorKind::BackupInUse
                | AwsErrorKind::ContinuousBackupsUnavailable
                | AwsErrorKind::LimitExceeded
                | AwsErrorKind::InternalServer
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
