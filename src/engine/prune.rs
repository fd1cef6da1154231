//! Executing a prune: list each table completely, plan with the pure retention policy,
//! then delete (paced, interruptible) exactly what the plan says.

use std::sync::Arc;
use tracing::Instrument;

use anyhow::Result;
use chrono_tz::Tz;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::listing::RunListing;
use crate::aws::{Deleted, Dynamo};
use crate::cli::{KeepOpts, RailOpts, TableSelection};
use crate::engine::targets::{self, Reached, Target, TargetSummary};
use crate::engine::Ctx;
use crate::error::{AwsError, AwsErrorKind, UsageError};
use crate::exit::Exit;
use crate::model::Backup;
use crate::names::{self, NameTemplate};
use crate::retention::{self, Plan, Policy, Rails, Scope};
use crate::select;
use crate::targets::Placed;

/// The blog's rule: never fewer than two backups.
pub const DEFAULT_MIN_KEEP: u32 = 2;

/// Everything that decides a table's plan.
#[derive(Debug, Clone)]
pub struct PruneOptions {
    pub policy: Policy,
    pub rails: Rails,
    pub include_unmanaged: bool,
    pub timezone: Tz,
    pub template: NameTemplate,
    pub dry_run: bool,
}

impl From<&KeepOpts> for Policy {
    fn from(k: &KeepOpts) -> Policy {
        Policy {
            last: k.keep_last,
            hourly: k.keep_hourly,
            daily: k.keep_daily,
            weekly: k.keep_weekly,
            monthly: k.keep_monthly,
            yearly: k.keep_yearly,
            within: k.keep_within.clone(),
            within_hourly: k.keep_within_hourly.clone(),
            within_daily: k.keep_within_daily.clone(),
            within_weekly: k.keep_within_weekly.clone(),
            within_monthly: k.keep_within_monthly.clone(),
            within_yearly: k.keep_within_yearly.clone(),
        }
    }
}

impl PruneOptions {
    pub fn new(
        keep: &KeepOpts,
        rails: &RailOpts,
        template: NameTemplate,
        dry_run: bool,
    ) -> Result<PruneOptions, UsageError> {
        let policy = Policy::from(keep);
        if policy.is_empty() {
            return Err(UsageError::new(
                "no keep rule given: refusing to delete every backup; add at least one --keep-* option (e.g. --keep-daily 7)",
            ));
        }
        Ok(PruneOptions {
            policy,
            rails: Rails {
                min_keep: rails.min_keep.unwrap_or(DEFAULT_MIN_KEEP),
                require_recent: rails.require_recent.clone(),
                max_delete: rails.max_delete,
            },
            include_unmanaged: rails.include_unmanaged,
            timezone: rails.timezone.unwrap_or(chrono_tz::UTC),
            template,
            dry_run,
        })
    }
}

/// What became of one planned deletion.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
pub enum DeleteResult {
    Deleted,
    AlreadyGone,
    Failed(String),
    /// Stopped while the DeleteBackup call was on the wire: it may or may not be gone.
    Unknown(String),
    NotDone,
}

#[derive(Debug, Clone, Serialize)]
pub struct TablePrune {
    pub table: String,
    /// `ok`, `failed` (listing error, a held plan or a failed deletion) or `interrupted`.
    pub status: &'static str,
    pub error: Option<String>,
    /// AVAILABLE backups that stay (CREATING and DELETED ones are counted apart).
    pub kept: usize,
    /// Backups still CREATING: never deleted, not yet kept.
    pub creating: usize,
    /// Backups the listing shows as DELETED (deleted by someone else meanwhile).
    pub deleted_elsewhere: usize,
    pub to_delete: usize,
    pub deleted: usize,
    pub delete_failed: usize,
    /// Deletions cut by a stop while on the wire: they may or may not have happened.
    pub delete_unknown: usize,
    pub plan: Option<Plan>,
    pub deletions: Vec<(String, DeleteResult)>,
    /// Seconds spent on this table (listing, planning, deleting).
    pub duration_seconds: f64,
    /// The BackupSizeBytes of the backups deleted (a dry run: that the plan deletes).
    pub freed_bytes: i64,
    /// Their monthly storage cost at the region's price; `null` when it is unknown.
    pub freed_monthly_cost_usd: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PruneReport {
    pub command: &'static str,
    pub dry_run: bool,
    pub policy: String,
    pub tables: Vec<Placed<TablePrune>>,
    pub summary: PruneSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct PruneSummary {
    pub tables: usize,
    pub failed_tables: usize,
    pub deleted: usize,
    /// Deletions whose outcome a stop left unknown.
    pub unknown: usize,
    /// Dry run: the deletions the plans call for (0 otherwise).
    pub would_delete: usize,
    pub kept: usize,
    pub creating: usize,
    pub deleted_elsewhere: usize,
    /// The bytes the deletions freed (a dry run: would free).
    pub freed_bytes: i64,
    /// Their monthly storage cost; `null` when a region's price is unknown.
    pub freed_monthly_cost_usd: Option<f64>,
    pub interrupted: bool,
    /// Tables, successes and failures per target (account × region).
    pub targets: Vec<TargetSummary>,
}

/// The cost of what some prunes freed: `None` when a table freed bytes at an unknown price.
pub fn freed_cost<'a>(prunes: impl Iterator<Item = &'a TablePrune>) -> Option<f64> {
    let mut total = 0.0;
    for p in prunes.filter(|p| p.freed_bytes > 0) {
        total += p.freed_monthly_cost_usd?;
    }
    Some(crate::evidence::prices::cents(total))
}

/// One target's prune: its own listing, plans and deletions.
pub async fn in_target(
    t: &Target,
    sel: &TableSelection,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> Result<Vec<TablePrune>> {
    let Some(sel) = select::for_target(sel, &t.at) else {
        return Ok(Vec::new());
    };
    let selected = select::resolve(&sel, &t.dynamo).await?;
    let listing = RunListing::start(
        &t.dynamo,
        selected.tables.len(),
        selected.in_region,
        selected.existing.clone(),
    )
    .await;
    let work: Vec<PruneTarget> = selected
        .tables
        .into_iter()
        .enumerate()
        .map(|(run_index, table)| PruneTarget {
            table,
            new_backup: None,
            run_index,
        })
        .collect();
    Ok(prune_tables(&t.dynamo, &listing, &work, opts, ctx).await)
}

pub fn exit_for(r: &PruneReport) -> Exit {
    targets::fleet_exit(
        &r.summary.targets,
        r.summary.tables - r.summary.failed_tables,
        r.summary.failed_tables,
        r.summary.interrupted,
    )
}

pub fn build_report(
    mut reached: Vec<Reached<Vec<TablePrune>>>,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> PruneReport {
    let count = |rows: &Vec<TablePrune>| {
        let failed = rows.iter().filter(|t| t.status != "ok").count();
        (rows.len(), rows.len() - failed, failed)
    };
    let per_target = targets::summaries(&reached, count);
    let tables = targets::placed(&mut reached, std::mem::take);
    PruneReport {
        command: "prune",
        dry_run: opts.dry_run,
        policy: opts.policy.describe(),
        summary: PruneSummary {
            tables: tables.len(),
            failed_tables: tables.iter().filter(|t| t.status != "ok").count(),
            deleted: tables.iter().map(|t| t.deleted).sum(),
            unknown: tables.iter().map(|t| t.delete_unknown).sum(),
            would_delete: if opts.dry_run {
                tables.iter().map(|t| t.to_delete).sum()
            } else {
                0
            },
            kept: tables.iter().map(|t| t.kept).sum(),
            creating: tables.iter().map(|t| t.creating).sum(),
            deleted_elsewhere: tables.iter().map(|t| t.deleted_elsewhere).sum(),
            freed_bytes: tables.iter().map(|t| t.freed_bytes).sum(),
            freed_monthly_cost_usd: freed_cost(tables.iter().map(|t| &t.row)),
            interrupted: ctx.stop.requested(),
            targets: per_target,
        },
        tables,
    }
}

/// One table to prune, and the backup this run made of it (if any).
#[derive(Debug, Clone)]
pub struct PruneTarget {
    pub table: String,
    /// This run's backup, from CreateBackup's answer (or, in a dry run, the one that would
    /// be made): added to the listing when the listing does not show it yet.
    pub new_backup: Option<Backup>,
    /// Where the caller keeps this table's result.
    pub run_index: usize,
}

/// Tables pruned at the same time (their deletions share DeleteBackup's pacer).
pub const PRUNE_CONCURRENCY: usize = 16;

/// Plans and prunes every table from the run's listing, several tables at a time; one
/// result per target, in order.
pub async fn prune_tables(
    dynamo: &Dynamo,
    listing: &Arc<RunListing>,
    targets: &[PruneTarget],
    opts: &PruneOptions,
    ctx: &Ctx,
) -> Vec<TablePrune> {
    let sem = Arc::new(Semaphore::new(PRUNE_CONCURRENCY));
    // One bar for a fleet; a single table shows its deletions instead.
    let fleet_bar = (targets.len() > 1)
        .then(|| ctx.progress(targets.len() as u64, "tables pruned"))
        .flatten();
    let ctx = &Ctx {
        quiet_progress: ctx.quiet_progress || targets.len() > 1,
        ..ctx.clone()
    };
    let mut tasks = JoinSet::new();
    for (i, target) in targets.iter().enumerate() {
        let (d, l, t, o, c, s) = (
            dynamo.clone(),
            listing.clone(),
            target.clone(),
            opts.clone(),
            ctx.clone(),
            sem.clone(),
        );
        tasks.spawn(
            async move {
                let _permit = s.acquire_owned().await;
                (i, Box::pin(prune_one(&d, &l, &t, &o, &c)).await)
            }
            .in_current_span(),
        );
    }
    let mut out: Vec<Option<TablePrune>> = vec![None; targets.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => {
                if let Some(pb) = &fleet_bar {
                    pb.inc(1);
                }
                out[i] = Some(r)
            }
            Err(e) => tracing::error!("a prune task failed: {e}"),
        }
    }
    if let Some(pb) = fleet_bar {
        pb.finish_and_clear();
    }
    out.into_iter()
        .zip(targets)
        .map(|(r, t)| {
            r.unwrap_or_else(|| {
                TablePrune::failed(&t.table, "internal error: no result".into(), "failed")
            })
        })
        .collect()
}

/// One table's prune journey: its complete listing (from the run's listing), the plan,
/// the deletions.
pub async fn prune_one(
    dynamo: &Dynamo,
    listing: &RunListing,
    target: &PruneTarget,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> TablePrune {
    if ctx.stop.requested() {
        return TablePrune::failed(
            &target.table,
            "interrupted before the table was listed".into(),
            "interrupted",
        );
    }
    let started = std::time::Instant::now();
    let listed = listing.backups_of(&target.table).await;
    let mut result = prune_listed(
        dynamo,
        &target.table,
        listed,
        target.new_backup.as_ref(),
        opts,
        ctx,
    )
    .await;
    result.duration_seconds = crate::engine::backup::seconds(started);
    result
}

impl TablePrune {
    fn failed(table: &str, error: String, status: &'static str) -> TablePrune {
        TablePrune {
            table: crate::ids::table_name(table).to_string(),
            status,
            error: Some(error),
            kept: 0,
            creating: 0,
            deleted_elsewhere: 0,
            to_delete: 0,
            deleted: 0,
            delete_failed: 0,
            delete_unknown: 0,
            plan: None,
            deletions: Vec::new(),
            duration_seconds: 0.0,
            freed_bytes: 0,
            freed_monthly_cost_usd: Some(0.0),
        }
    }
}

/// One table from its listing: plan → deletions. A listing error deletes nothing.
///
/// The listing may be older than this run's backup, and backups made by others after it
/// are simply not in it: they are never deleted and never counted towards min-keep. This
/// run's own backup is added from CreateBackup's answer when the listing lacks it, so it
/// counts as the newest (kept) backup as soon as it is AVAILABLE.
pub async fn prune_listed(
    dynamo: &Dynamo,
    table: &str,
    listed: Result<Vec<Backup>, AwsError>,
    new_backup: Option<&Backup>,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> TablePrune {
    let name = crate::ids::table_name(table).to_string();
    let mut backups = match listed {
        Ok(b) => b,
        Err(e) => {
            let why = nothing_deleted(&e.message);
            tracing::error!(table = %name, "{why}");
            let status = if e.kind == AwsErrorKind::Interrupted {
                "interrupted"
            } else {
                "failed"
            };
            return TablePrune::failed(table, why, status);
        }
    };
    // Backups made after this run started (by DynamoDB's clock, from its Date header, so
    // this host's skew does not matter) are someone else's doing while the run went on:
    // they are left alone and not counted. The run's own backup comes from CreateBackup.
    // That includes one dated a little past DynamoDB's now, within the clock tolerance
    // (it would otherwise count as the newest, towards min-keep, and free an older one for
    // deletion). A backup dated beyond that is no run's doing but a wrong clock: it stays
    // in the plan, where it is reported as clock skew and never deleted.
    let started = dynamo
        .service_time_at_most(ctx.started)
        .unwrap_or(ctx.now + chrono::Duration::seconds(1));
    let now = dynamo.service_now();
    let latest = dynamo
        .service_time_at_most(std::time::Instant::now())
        .unwrap_or(now);
    tracing::debug!(table = %name, %started, %now, "this run by DynamoDB's clock");
    let made_during_run = |b: &Backup| {
        b.created_at > started && !crate::retention::dated_in_future(b.created_at, latest)
    };
    let listed = backups.len();
    backups.retain(|b| !made_during_run(b));
    if backups.len() < listed {
        tracing::info!(
            table = %name,
            "{} made after this run started left alone",
            crate::error::count(listed - backups.len(), "backup", "backups")
        );
    }
    if let Some(b) = new_backup {
        if !backups.iter().any(|x| x.backup_arn == b.backup_arn) {
            backups.push(b.clone());
        }
    }
    let is_managed = |b: &Backup| names::is_managed(&opts.template, &name, b);
    let scope = Scope {
        is_managed: &is_managed,
        include_unmanaged: opts.include_unmanaged,
    };
    let plan = retention::plan(
        &name,
        &backups,
        &opts.policy,
        &opts.rails,
        &scope,
        now,
        opts.timezone,
    );
    let to_delete: Vec<String> = plan
        .to_delete()
        .map(|d| d.backup.backup_arn.clone())
        .collect();
    let tally = plan.tally();
    tracing::info!(
        table = %name,
        backups = backups.len(),
        keep = tally.kept,
        creating = tally.creating,
        deleted_elsewhere = tally.deleted_elsewhere,
        delete = to_delete.len(),
        "plan"
    );
    let mut result = TablePrune {
        table: name.clone(),
        status: "ok",
        error: plan.held.clone(),
        kept: tally.kept,
        creating: tally.creating,
        deleted_elsewhere: tally.deleted_elsewhere,
        to_delete: to_delete.len(),
        deleted: 0,
        delete_failed: 0,
        delete_unknown: 0,
        plan: None,
        deletions: Vec::new(),
        duration_seconds: 0.0,
        freed_bytes: 0,
        freed_monthly_cost_usd: None,
    };
    if let Some(skew) = &plan.clock_skew {
        tracing::warn!(table = %name, "{skew}");
    }
    if let Some(short) = &plan.short_window {
        tracing::warn!(table = %name, "{short}");
    }
    if let Some(why) = &plan.held {
        tracing::error!(table = %name, "nothing deleted: {why}");
        result.status = "failed";
    }
    if !opts.dry_run && !to_delete.is_empty() {
        // Oldest first: if the run stops early, what remains is the newer part.
        let mut order = to_delete.clone();
        order.reverse();
        result.deletions = delete_all(dynamo, &name, order, ctx).await;
        for (_, r) in &result.deletions {
            match r {
                DeleteResult::Deleted | DeleteResult::AlreadyGone => result.deleted += 1,
                DeleteResult::Failed(_) => result.delete_failed += 1,
                DeleteResult::Unknown(_) => result.delete_unknown += 1,
                DeleteResult::NotDone => {}
            }
        }
        if result.delete_failed > 0 {
            result.status = "failed";
            result.error = Some(format!(
                "{} of {} deletions failed",
                result.delete_failed,
                to_delete.len()
            ));
        }
        let settled = result.deleted + result.delete_failed;
        if settled < to_delete.len() {
            result.status = "interrupted";
            result.error = Some(format!(
                "interrupted: {} of {} deletions done, {} outcome unknown (in flight), {} not started",
                result.deleted,
                to_delete.len(),
                result.delete_unknown,
                to_delete.len() - settled - result.delete_unknown
            ));
        }
    }
    result.freed_bytes = if opts.dry_run {
        crate::evidence::freed_bytes(&plan)
    } else {
        let gone: std::collections::HashSet<&str> = result
            .deletions
            .iter()
            .filter(|(_, r)| matches!(r, DeleteResult::Deleted))
            .map(|(a, _)| a.as_str())
            .collect();
        plan.to_delete()
            .filter(|d| gone.contains(d.backup.backup_arn.as_str()))
            .map(|d| d.backup.size_bytes.unwrap_or(0).max(0))
            .sum()
    };
    result.freed_monthly_cost_usd = crate::evidence::prices::backup_price(dynamo.region(), None)
        .map(|p| crate::evidence::prices::monthly_cost(result.freed_bytes, p));
    result.plan = Some(plan);
    result
}

/// Deletes concurrently (a few at a time; the AWS layer paces DeleteBackup at 10/s) and
/// stops issuing new deletions once a stop is requested.
async fn delete_all(
    dynamo: &Dynamo,
    table: &str,
    arns: Vec<String>,
    ctx: &Ctx,
) -> Vec<(String, DeleteResult)> {
    let sem = Arc::new(Semaphore::new(4));
    let pb = ctx.progress(arns.len() as u64, &format!("pruning {table}"));
    let mut tasks = JoinSet::new();
    let mut results = Vec::with_capacity(arns.len());
    for arn in arns {
        let permit = {
            let mut stop = ctx.stop.clone();
            tokio::select! {
                p = sem.clone().acquire_owned() => p.ok(),
                _ = stop.wait() => None,
            }
        };
        if ctx.stop.requested() || permit.is_none() {
            results.push((arn, DeleteResult::NotDone));
            continue;
        }
        let d = dynamo.clone();
        tasks.spawn(
            async move {
                let _permit = permit;
                let r = match d.delete_backup(&arn).await {
                    Ok(Deleted::Now) => DeleteResult::Deleted,
                    Ok(Deleted::AlreadyGone) => DeleteResult::AlreadyGone,
                    Err(e) if e.kind == AwsErrorKind::OutcomeUnknown => {
                        DeleteResult::Unknown(e.message)
                    }
                    Err(e) if e.kind == AwsErrorKind::Interrupted => DeleteResult::NotDone,
                    Err(e) => DeleteResult::Failed(e.message),
                };
                (arn, r)
            }
            .in_current_span(),
        );
        while let Some(done) = tasks.try_join_next() {
            collect(done, &mut results, pb.as_ref(), table);
        }
    }
    while let Some(done) = tasks.join_next().await {
        collect(done, &mut results, pb.as_ref(), table);
    }
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    results
}

fn collect(
    done: Result<(String, DeleteResult), tokio::task::JoinError>,
    results: &mut Vec<(String, DeleteResult)>,
    pb: Option<&indicatif::ProgressBar>,
    table: &str,
) {
    match done {
        Ok((arn, r)) => {
            match &r {
                DeleteResult::Failed(e) => {
                    tracing::error!(table, backup = %arn, "delete failed: {e}")
                }
                DeleteResult::AlreadyGone => {
                    tracing::info!(table, backup = %arn, "already deleted")
                }
                _ => tracing::debug!(table, backup = %arn, "deleted"),
            }
            if let Some(pb) = pb {
                pb.inc(1);
            }
            results.push((arn, r));
        }
        Err(e) => tracing::error!(table, "a delete task failed: {e}"),
    }
}

/// A listing failure as the one line a table gets: it says nothing was deleted once.
fn nothing_deleted(message: &str) -> String {
    if message.ends_with("nothing deleted") {
        message.to_string()
    } else {
        format!("nothing deleted: {message}")
    }
}
