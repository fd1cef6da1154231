//! Backups: CreateBackup for one table or a fleet, paced, with waiting for AVAILABLE,
//! --skip-if-recent and a per-table report.

use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::listing::RunListing;
use crate::aws::Dynamo;
use crate::cli::TableSelection;
use crate::engine::targets::{self, Reached, Target, TargetSummary};
use crate::engine::Ctx;
use crate::error::{AwsError, AwsErrorKind};
use crate::exit::Exit;
use crate::ids::table_name;
use crate::model::{Backup, BackupKind, BackupStatus};
use crate::names::{self, NameTemplate};
use crate::retention::dated_in_future;
use crate::select;
use crate::targets::Placed;
use crate::timeparse::Span;

/// What happened to one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The backup exists and is AVAILABLE.
    Available,
    /// The backup was created and is still CREATING (without --wait, that is success).
    Creating,
    /// --wait timed out while the backup was still CREATING.
    TimedOut,
    /// The backup was created, and still CREATING when a stop ended the wait.
    Interrupted,
    /// A fresh enough backup exists (--skip-if-recent).
    Skipped,
    /// --dry-run: this backup would be created.
    WouldCreate,
    /// Interrupted before the backup was requested.
    NotStarted,
    Failed,
}

impl Outcome {
    /// Success for the exit code; `run` also prunes only tables whose outcome is ok (the
    /// backup reached DynamoDB, or a fresh one exists).
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            Outcome::Available | Outcome::Creating | Outcome::Skipped | Outcome::WouldCreate
        )
    }

    /// True when this run created a backup (whatever its state now).
    pub fn created(self) -> bool {
        matches!(
            self,
            Outcome::Available | Outcome::Creating | Outcome::TimedOut | Outcome::Interrupted
        )
    }

    /// The name used in reports (the same as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Available => "available",
            Outcome::Creating => "creating",
            Outcome::TimedOut => "timed_out",
            Outcome::Interrupted => "interrupted",
            Outcome::Skipped => "skipped",
            Outcome::WouldCreate => "would_create",
            Outcome::NotStarted => "not_started",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    pub outcome: Outcome,
    pub backup_name: Option<String>,
    pub backup_arn: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub detail: Option<String>,
    /// Seconds spent on this table (the skip check and CreateBackup; not --wait).
    pub duration_seconds: f64,
}

impl TableReport {
    /// The backup this report says was made (or, in a dry run, would be made), as the
    /// listing would show it: AVAILABLE once waited for, CREATING otherwise.
    pub fn as_backup(&self, waited: bool) -> Option<Backup> {
        let (arn, available) = match self.outcome {
            Outcome::Available => (self.backup_arn.clone()?, true),
            Outcome::Creating | Outcome::TimedOut | Outcome::Interrupted => {
                (self.backup_arn.clone()?, false)
            }
            Outcome::WouldCreate => (
                format!(
                    "(dry run: {} would be created)",
                    self.backup_name.as_deref()?
                ),
                waited,
            ),
            _ => return None,
        };
        Some(Backup {
            table: self.table.clone(),
            backup_arn: arn,
            backup_name: self.backup_name.clone()?,
            status: if available {
                BackupStatus::Available
            } else {
                BackupStatus::Creating
            },
            kind: BackupKind::User,
            created_at: self.created_at?,
            size_bytes: None,
            expires_at: None,
            table_arn: None,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub skipped: usize,
    pub interrupted: bool,
    /// The same counts per target (account × region).
    pub targets: Vec<TargetSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: &'static str,
    pub dry_run: bool,
    pub results: Vec<Placed<TableReport>>,
    pub summary: Summary,
}

/// The options of one backup run (from the command line or a config policy).
#[derive(Debug, Clone)]
pub struct Options {
    pub template: NameTemplate,
    pub wait: bool,
    pub timeout: Span,
    pub skip_if_recent: Option<Span>,
    pub concurrency: u32,
    pub dry_run: bool,
}

/// One target's backups.
pub async fn in_target(
    t: &Target,
    sel: &TableSelection,
    opts: &Options,
    ctx: &Ctx,
) -> Result<Vec<TableReport>> {
    let Some(sel) = select::for_target(sel, &t.at) else {
        return Ok(Vec::new());
    };
    let selected = select::resolve(&sel, &t.dynamo).await?;
    // Only --skip-if-recent needs to know the tables' backups.
    let listing = match opts.skip_if_recent {
        Some(_) => Some(
            RunListing::start(
                &t.dynamo,
                selected.tables.len(),
                selected.in_region,
                selected.existing.clone(),
            )
            .await,
        ),
        None => None,
    };
    Ok(back_up(&t.dynamo, &selected.tables, opts, listing, ctx).await)
}

pub fn exit_for(r: &Report) -> Exit {
    targets::fleet_exit(
        &r.summary.targets,
        r.summary.succeeded,
        r.summary.failed,
        r.summary.interrupted,
    )
}

pub fn report(mut reached: Vec<Reached<Vec<TableReport>>>, dry_run: bool, ctx: &Ctx) -> Report {
    let count = |rows: &Vec<TableReport>| {
        let failed = rows.iter().filter(|r| !r.outcome.is_ok()).count();
        (rows.len(), rows.len() - failed, failed)
    };
    let per_target = targets::summaries(&reached, count);
    let results = targets::placed(&mut reached, std::mem::take);
    let failed = results.iter().filter(|r| !r.outcome.is_ok()).count();
    let skipped = results
        .iter()
        .filter(|r| r.outcome == Outcome::Skipped)
        .count();
    Report {
        command: "backup",
        dry_run,
        summary: Summary {
            tables: results.len(),
            succeeded: results.len() - failed,
            failed,
            skipped,
            interrupted: ctx.stop.requested(),
            targets: per_target,
        },
        results,
    }
}

/// Backs up every table concurrently; one table's failure never stops the others.
/// `listing` answers --skip-if-recent.
pub async fn back_up(
    dynamo: &Dynamo,
    tables: &[String],
    opts: &Options,
    listing: Option<Arc<RunListing>>,
    ctx: &Ctx,
) -> Vec<TableReport> {
    let sem = Arc::new(Semaphore::new(opts.concurrency as usize));
    let pb = ctx.progress(tables.len() as u64, "backing up");
    let mut tasks = JoinSet::new();
    for (i, table) in tables.iter().enumerate() {
        let (d, o, c, s, t, l) = (
            dynamo.clone(),
            opts.clone(),
            ctx.clone(),
            sem.clone(),
            table.clone(),
            listing.clone(),
        );
        tasks.spawn(
            async move {
                let existing = match &l {
                    Some(l) => Some(Box::pin(l.backups_of(&t)).await),
                    None => None,
                };
                let _permit = s.acquire_owned().await;
                let started = std::time::Instant::now();
                let mut r = Box::pin(one_table(&d, &t, &o, existing.as_ref(), &c)).await;
                r.duration_seconds = seconds(started);
                (i, r)
            }
            .in_current_span(),
        );
    }
    let mut results: Vec<Option<TableReport>> = vec![None; tables.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => {
                log_result(&r);
                if let Some(pb) = &pb {
                    pb.inc(1);
                }
                results[i] = Some(r);
            }
            Err(e) => tracing::error!("a backup task failed: {e}"),
        }
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut results: Vec<TableReport> = results
        .into_iter()
        .zip(tables)
        .map(|(r, t)| {
            r.unwrap_or_else(|| failed(t, "internal error: the task ended without a result".into()))
        })
        .collect();
    if opts.wait && !opts.dry_run {
        wait_available(dynamo, &mut results, &opts.timeout, ctx).await;
    }
    results
}

/// Seconds since `started`, to the millisecond.
pub fn seconds(started: std::time::Instant) -> f64 {
    to_ms(started.elapsed().as_secs_f64())
}

/// Seconds rounded to the millisecond, for reports and metrics.
pub fn to_ms(secs: f64) -> f64 {
    (secs * 1000.0).round() / 1000.0
}

pub fn log_result(r: &TableReport) {
    match r.outcome {
        Outcome::Failed => {
            tracing::error!(table = %r.table, "backup failed: {}", r.detail.as_deref().unwrap_or(""))
        }
        Outcome::Skipped => {
            tracing::info!(table = %r.table, "skipped: {}", r.detail.as_deref().unwrap_or(""))
        }
        Outcome::NotStarted => tracing::warn!(table = %r.table, "not started: interrupted"),
        _ => {
            tracing::info!(table = %r.table, backup = r.backup_name.as_deref().unwrap_or(""), outcome = %r.outcome.as_str().replace('_', " "), "backup requested")
        }
    }
}

fn failed(table: &str, detail: String) -> TableReport {
    TableReport::failed(table, detail)
}

impl TableReport {
    /// A failed table's report.
    pub fn failed(table: &str, detail: String) -> TableReport {
        TableReport {
            table: table.to_string(),
            outcome: Outcome::Failed,
            backup_name: None,
            backup_arn: None,
            created_at: None,
            detail: Some(detail),
            duration_seconds: 0.0,
        }
    }
}

/// One table's backup. `existing` is the table's complete listing (needed, and only
/// used, for --skip-if-recent).
pub async fn one_table(
    d: &Dynamo,
    table: &str,
    o: &Options,
    existing: Option<&Result<Vec<Backup>, AwsError>>,
    ctx: &Ctx,
) -> TableReport {
    let display = table_name(table).to_string();
    if ctx.stop.requested() {
        return TableReport {
            outcome: Outcome::NotStarted,
            ..failed(&display, "interrupted before start".into())
        };
    }
    let name = match o.template.render(&display, ctx.now) {
        Ok(n) => n,
        Err(e) => return failed(&display, e),
    };
    if let Some(span) = &o.skip_if_recent {
        match existing {
            Some(Ok(list)) => {
                // Ages by DynamoDB's clock; a backup dated in its future is no proof of
                // freshness.
                let now = d.service_now();
                let fresh = list
                    .iter()
                    .filter(|b| names::is_managed(&o.template, &display, b))
                    .filter(|b| {
                        matches!(b.status, BackupStatus::Available | BackupStatus::Creating)
                    })
                    .filter(|b| {
                        b.created_at > now - span.chrono() && !dated_in_future(b.created_at, now)
                    })
                    .max_by_key(|b| b.created_at);
                if let Some(b) = fresh {
                    return TableReport {
                        table: display,
                        outcome: Outcome::Skipped,
                        backup_name: Some(b.backup_name.clone()),
                        backup_arn: Some(b.backup_arn.clone()),
                        created_at: Some(b.created_at),
                        detail: Some(format!(
                            "{} backup younger than {span} exists",
                            b.status.as_str()
                        )),
                        duration_seconds: 0.0,
                    };
                }
            }
            Some(Err(e)) => return failed(&display, e.message.clone()),
            None => {
                return failed(
                    &display,
                    "internal error: --skip-if-recent without the table's listing".into(),
                )
            }
        }
    }
    if o.dry_run {
        // Predict what the real run would find: CreateBackup fails on a missing table.
        return match d.describe_table(table).await {
            Ok(Some(_)) => TableReport {
                table: display,
                outcome: Outcome::WouldCreate,
                backup_name: Some(name),
                backup_arn: None,
                // Dated as DynamoDB would date it.
                // DynamoDB's precision, as the backup would carry it.
                created_at: Some(chrono::SubsecRound::trunc_subsecs(d.service_now(), 3)),
                detail: None,
                duration_seconds: 0.0,
            },
            Ok(None) => failed(&display, d.not_found(table, "").await),
            Err(e) => failed(&display, e.message),
        };
    }
    match d.create_backup(table, &name).await {
        Ok(b) => TableReport {
            table: display,
            outcome: if b.status == BackupStatus::Available {
                Outcome::Available
            } else {
                Outcome::Creating
            },
            backup_name: Some(b.backup_name),
            backup_arn: Some(b.backup_arn),
            created_at: Some(b.created_at),
            detail: None,
            duration_seconds: 0.0,
        },
        Err(e) => {
            let mut r = failed(&display, e.message);
            if e.kind == AwsErrorKind::TableNotFound {
                r.detail = Some(d.not_found(table, "").await);
            }
            r
        }
    }
}

/// Polls DescribeBackup (paced at its 10 calls/s) until every new backup is AVAILABLE or
/// the timeout passes; those still CREATING then are reported as timed out.
pub async fn wait_available(d: &Dynamo, results: &mut [TableReport], timeout: &Span, ctx: &Ctx) {
    let deadline = tokio::time::Instant::now() + timeout.duration;
    let mut stop = ctx.stop.clone();
    let pending = results
        .iter()
        .filter(|r| r.outcome == Outcome::Creating)
        .count() as u64;
    let pb = ctx.progress(pending, "waiting for AVAILABLE");
    let mut interval = Duration::from_millis(500);
    loop {
        let mut left = 0;
        for r in results
            .iter_mut()
            .filter(|r| r.outcome == Outcome::Creating)
        {
            if ctx.stop.requested() {
                break;
            }
            let Some(arn) = r.backup_arn.clone() else {
                continue;
            };
            match d.describe_backup(&arn).await {
                Ok(desc) if desc.backup.status == BackupStatus::Available => {
                    r.outcome = Outcome::Available;
                    tracing::info!(table = %r.table, "backup AVAILABLE");
                    if let Some(pb) = &pb {
                        pb.inc(1);
                    }
                }
                Ok(_) => left += 1,
                Err(e) if e.kind.is_transient() || e.kind == AwsErrorKind::Interrupted => left += 1,
                Err(e) => {
                    r.outcome = Outcome::Failed;
                    r.detail = Some(e.message);
                }
            }
        }
        if left == 0 || ctx.stop.requested() {
            break;
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval.min(deadline - now)) => {}
            _ = stop.wait() => break,
        }
        interval = (interval * 2).min(Duration::from_secs(10));
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    for r in results
        .iter_mut()
        .filter(|r| r.outcome == Outcome::Creating)
    {
        if ctx.stop.requested() {
            r.outcome = Outcome::Interrupted;
            r.detail = Some("created; still CREATING when the run was stopped".to_string());
        } else {
            r.outcome = Outcome::TimedOut;
            r.detail = Some(format!("still CREATING after --timeout {timeout}"));
            tracing::error!(table = %r.table, "backup still CREATING after --timeout {timeout}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_are_the_json_names() {
        for o in [
            Outcome::Available,
            Outcome::Creating,
            Outcome::TimedOut,
            Outcome::Interrupted,
            Outcome::Skipped,
            Outcome::WouldCreate,
            Outcome::NotStarted,
            Outcome::Failed,
        ] {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
    }
}
