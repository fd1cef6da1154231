//! Exit codes, as a type, and the one function that maps an outcome to them.

use crate::error::{AwsError, AwsErrorKind, Interrupted, UsageError};

/// The documented exit codes of every subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Success = 0,
    /// The run failed (for fleets: every table failed, or a failure not tied to a table).
    Failure = 1,
    /// Invalid command line, value or configuration; no AWS call was made.
    Usage = 2,
    /// Some tables succeeded and some failed.
    Partial = 3,
    /// Stopped by SIGINT or SIGTERM; what was done is reported.
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit code for a fleet of per-table outcomes.
    pub fn from_counts(ok: usize, failed: usize) -> Exit {
        match (ok, failed) {
            (_, 0) => Exit::Success,
            (0, _) => Exit::Failure,
            _ => Exit::Partial,
        }
    }

    /// The worse of two outcomes (interrupted > failure > partial > success).
    pub fn worst(self, other: Exit) -> Exit {
        fn rank(e: Exit) -> u8 {
            match e {
                Exit::Success => 0,
                Exit::Partial => 1,
                Exit::Failure => 2,
                Exit::Usage => 3,
                Exit::Interrupted => 4,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// The exit-code table as a literal, so clap's `after_help` can `concat!` it.
#[macro_export]
macro_rules! exit_codes_text {
    () => {
        "Exit codes:
  0    success: everything asked for was done
  1    failure: the run failed (for several tables: all of them failed)
  2    usage error: invalid argument, value or config; nothing was sent to AWS
  3    partial failure: some tables succeeded, some failed
  130  interrupted by SIGINT or SIGTERM; the summary says what was done"
    };
}

/// Text for `--help` and the man page.
pub const EXIT_CODES_HELP: &str = exit_codes_text!();

/// Maps an error that ended the program to its exit code.
pub fn for_error(err: &anyhow::Error) -> Exit {
    if err.downcast_ref::<UsageError>().is_some() {
        Exit::Usage
    } else if err.chain().any(|c| {
        c.downcast_ref::<Interrupted>().is_some()
            || c.downcast_ref::<AwsError>().is_some_and(|e| {
                matches!(
                    e.kind,
                    AwsErrorKind::Interrupted | AwsErrorKind::OutcomeUnknown
                )
            })
    }) {
        Exit::Interrupted
    } else {
        Exit::Failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_counts_map_to_documented_codes() {
        assert_eq!(Exit::from_counts(3, 0), Exit::Success);
        assert_eq!(Exit::from_counts(0, 0), Exit::Success);
        assert_eq!(Exit::from_counts(0, 2), Exit::Failure);
        assert_eq!(Exit::from_counts(2, 1), Exit::Partial);
        assert_eq!(Exit::Partial.code(), 3);
        assert_eq!(Exit::Interrupted.code(), 130);
    }

    #[test]
    fn errors_map_by_type() {
        let usage: anyhow::Error = UsageError::new("bad").into();
        assert_eq!(for_error(&usage), Exit::Usage);
        assert_eq!(
            for_error(&anyhow::Error::from(Interrupted)),
            Exit::Interrupted
        );
        assert_eq!(for_error(&anyhow::anyhow!("x")), Exit::Failure);
        assert_eq!(Exit::Partial.worst(Exit::Failure), Exit::Failure);
        assert_eq!(Exit::Success.worst(Exit::Partial), Exit::Partial);
    }
}
