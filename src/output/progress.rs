//! The progress bar on stderr that log lines must not share a line with: the bar a
//! command shows is registered here, and the log writer prints each line through it
//! (the bar is cleared, the line printed, the bar drawn again below it).

use std::io::{self, Write};
use std::sync::Mutex;

use indicatif::ProgressBar;

static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Makes `bar` the one that log lines are printed around (until it finishes).
pub fn register(bar: &ProgressBar) {
    *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
}

/// Writes `buf` to stderr, around the active progress bar when there is one.
pub fn write_stderr(buf: &[u8]) -> io::Result<()> {
    let bar = ACTIVE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .filter(|b| !b.is_finished() && !b.is_hidden());
    match bar {
        Some(b) => b.suspend(|| {
            let mut err = io::stderr().lock();
            err.write_all(buf)?;
            err.flush()
        }),
        None => {
            let mut err = io::stderr().lock();
            err.write_all(buf)?;
            err.flush()
        }
    }
}

/// A `tracing` writer: stderr, around the progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A log line that cannot be written (stderr closed) is dropped, never an error
        // that would stop the command or a panic.
        let _ = write_stderr(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
