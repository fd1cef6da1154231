//! What every restore procedure shares (`restore`, `restore --replace`, drills): the report
//! and its steps, the source, and waiting for the restored table to become ACTIVE.

use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::{Dynamo, PitrPoint};
use crate::engine::record::Record;
use crate::engine::settings::SettingResult;
use crate::engine::Ctx;
use crate::error::{AwsError, AwsErrorKind};
use crate::model::Backup;

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub command: &'static str,
    pub dry_run: bool,
    pub source_table: String,
    pub backup_arn: Option<String>,
    pub backup_name: Option<String>,
    pub backup_created_at: Option<DateTime<Utc>>,
    pub point_in_time: Option<String>,
    pub target: String,
    pub target_region: String,
    pub table_status: Option<String>,
    /// The settings record applied to the target (read from the source table, or
    /// --settings-from), saved so that it can be applied again.
    pub record: Option<Record>,
    pub settings: Vec<SettingResult>,
    /// `--replace`: the procedure's steps, and the safety backup it took.
    pub replace: bool,
    pub steps: Vec<Step>,
    pub safety_backup_arn: Option<String>,
    pub note: &'static str,
}

/// One step of `restore --replace`.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub step: &'static str,
    /// `done`, `failed`, `skipped` or (dry run) `planned`.
    pub status: &'static str,
    pub detail: String,
}

pub enum Source {
    Backup(Backup),
    Pitr(PitrPoint),
}

/// Writes the report to `--report` (atomically); a failure to write is logged, never
/// hides the procedure's own outcome.
pub fn save(r: &RestoreReport, path: Option<&std::path::Path>) {
    let Some(path) = path else { return };
    let written = serde_json::to_vec_pretty(r)
        .map_err(std::io::Error::other)
        .and_then(|b| crate::output::write_file_atomic(path, &b));
    if let Err(e) = written {
        tracing::error!("could not write the report to {}: {e}", path.display());
    }
}

/// Renders a restore report (the command's business), called whenever the procedure
/// has something to show.
pub type Show = fn(&RestoreReport, &Ctx) -> Result<()>;

/// Polls DescribeTable until ACTIVE; `None` on timeout or interruption. A table that
/// disappears (or never appears) while waited for is an error at once, not a long wait.
pub async fn wait_active(
    d: &Dynamo,
    table: &str,
    timeout: Duration,
    ctx: &Ctx,
) -> Result<Option<String>, AwsError> {
    wait_active_polling(d, table, timeout, ctx, doubling).await
}

/// The default wait between two polls: 0.5 s, doubling up to 15 s.
fn doubling(previous: Option<Duration>, _waited: Duration) -> Duration {
    previous.map_or(Duration::from_millis(500), |p| {
        (p * 2).min(Duration::from_secs(15))
    })
}

/// [`wait_active`] with its own polling: `next(previous wait, time waited so far)` is how
/// long to wait before the next DescribeTable.
pub async fn wait_active_polling(
    d: &Dynamo,
    table: &str,
    timeout: Duration,
    ctx: &Ctx,
    next: fn(Option<Duration>, Duration) -> Duration,
) -> Result<Option<String>, AwsError> {
    let started = tokio::time::Instant::now();
    let deadline = started + timeout;
    let pb = ctx.progress(1, &format!("waiting for {table} to be ACTIVE"));
    let mut stop = ctx.stop.clone();
    let mut interval = next(None, Duration::ZERO);
    let (mut seen, mut missing) = (false, 0);
    let result = loop {
        match d.describe_table(table).await {
            Ok(Some(info)) => {
                seen = true;
                if info.status.as_deref() == Some("ACTIVE") {
                    break Some("ACTIVE".to_string());
                }
            }
            Ok(None) => {
                missing += 1;
                if seen || missing >= 3 {
                    if let Some(pb) = &pb {
                        pb.finish_and_clear();
                    }
                    return Err(AwsError {
                        kind: AwsErrorKind::TableNotFound,
                        operation: "DescribeTable",
                        message: format!(
                            "table '{table}' {} while waiting for it to become ACTIVE: was it \
                             deleted by someone else? Check with ddb-backup list --table {table}",
                            if seen {
                                "disappeared"
                            } else {
                                "never appeared"
                            }
                        ),
                    });
                }
            }
            Err(e) if e.kind == AwsErrorKind::Interrupted => break None,
            Err(e) if e.kind.is_transient() => {
                tracing::debug!("still waiting for {table}: {}", e.message)
            }
            Err(e) => return Err(e),
        }
        let now = tokio::time::Instant::now();
        if now >= deadline || ctx.stop.requested() {
            break None;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval.min(deadline - now)) => {}
            _ = stop.wait() => break None,
        }
        interval = next(Some(interval), started.elapsed());
    };
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    Ok(result)
}
