//! Files the engine writes beside its reports: the checks made before any call that a
//! report or metrics path can be written, and the run lock.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};

use crate::error::UsageError;

/// A file this run will write must be writable now: its directory exists and accepts a
/// new file (the file itself is replaced by rename, so its own mode does not matter).
pub fn check_writable(path: &Path) -> Result<(), UsageError> {
    let fail = |why: String| {
        UsageError::new(format!(
            "cannot write {}: {why}; choose a writable path",
            path.display()
        ))
    };
    let path = &crate::output::output_target(path).map_err(fail)?;
    // The same temporary file the write makes, removed again.
    match crate::output::temp_beside(path) {
        Ok(_) => Ok(()),
        Err(e) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            Err(fail(format!("directory {}: {e}", dir.display())))
        }
    }
}

/// Holds an exclusive lock on `path` for the life of the returned file. A path that
/// cannot be opened is a usage error (nothing was sent yet); a lock held by another run
/// is a failure (exit 1).
pub fn lock(path: &Path) -> Result<File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| {
            UsageError::new(format!(
                "cannot open lock file {}: {e}; choose a path in a writable directory",
                path.display()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::anyhow!(
            "another ddb-backup run holds the lock file {}: not starting a second, overlapping run",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
