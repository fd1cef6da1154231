//! The stop signal (SIGINT/SIGTERM, or a deadline): set once, seen by every AWS call and
//! every wait, so that no command can forget to honour it.

use std::fmt;

use tokio::sync::watch;

/// Set once a stop is requested; long operations stop starting new work.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl fmt::Debug for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stop({})", self.requested())
    }
}

impl Stop {
    pub fn new(rx: watch::Receiver<bool>) -> Stop {
        Stop(rx)
    }

    /// A stop that never fires (tests, and tools that run without signals).
    pub fn never() -> Stop {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        Stop(rx)
    }

    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when a stop is requested.
    pub async fn wait(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Sleeps for `d`, or less when a stop comes first; true when it slept the whole time.
    pub async fn sleep(&self, d: std::time::Duration) -> bool {
        let mut me = self.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = me.wait() => false,
        }
    }
}
