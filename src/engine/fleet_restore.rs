//! A fleet restore: every table of a selection restored at once, each under a name of
//! `--target-template` and/or in `--target-region`, as fast as DynamoDB's restore quotas
//! allow. Requests are paced by the aws layer (10/s); at most `--max-restores` restores are
//! in progress per account and region; LimitExceeded is back-pressure (wait for a restore
//! to finish, ask again), never a failure. Each table is waited for ACTIVE, gets its source
//! table's settings record and, with `--verify`, its item count checked. A target that
//! already exists and whose RestoreSummary names the same source is finished, never
//! restored again: running the same command after an interruption completes the rest.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use crate::aws::{ByTable, Dynamo, IndexChoice, PitrPoint};
use crate::cli::RestoreArgs;
use crate::config::Config;
use crate::engine::fleet_plan::{not_targets, one_region_per_account, restored_from, Planned};
pub use crate::engine::fleet_plan::{target_name, target_names, validate};
use crate::engine::fleet_report::{
    already_restored_times, interrupted, now_ms, report, stopped_before, time_ms, Earlier,
    EarlierReport,
};
pub use crate::engine::fleet_report::{
    estimate, exit_for, restore_rate, Estimate, Report, Status, Summary, TableRestore,
};
use crate::engine::record::{self, Record};
use crate::engine::restore::{backup_filter, pick_from, pitr_point, request};
pub use crate::engine::restored_count::{verify, Verification};
use crate::engine::restoring::{wait_active_polling, Source};
use crate::engine::settings::{apply, planned, Carry};
use crate::engine::targets::{self, Target};
use crate::engine::Ctx;
use crate::error::{quoted, AwsErrorKind, UsageError};
use crate::ids::table_name;

/// DynamoDB's documented per-account limit of table operations (create, update, delete,
/// restore) in progress at once; restores and the settings updates after them share it.
pub const TABLE_OPERATIONS_MAX: usize = 500;

/// Above this many tables, their backups come from one account-wide listing (100 a page)
/// rather than a listing per table (ListBackups is limited to 5 calls a second).
const LISTING_PER_TABLE_MAX: usize = 5;

/// How long a restore refused with LimitExceeded waits at most before it asks again (it
/// asks sooner when a restore of this fleet becomes ACTIVE).
const BACK_PRESSURE_WAIT: Duration = Duration::from_secs(2);

/// How long a fleet's restore waits between two polls for ACTIVE: a twentieth of the time
/// waited so far, between 0.5 s and 15 s. The next restore of the fleet is requested only
/// once a restore in progress is seen ACTIVE, so the time between ACTIVE and being seen
/// delays every wave: this bounds it to about 5% of a restore's time (the default doubling
/// to 15 s added up to 15 s a wave: 1.5 times a 10-second restore), while a restore of
/// hours is polled every 15 s. 50 restores in progress make at most 100 DescribeTable
/// calls a second, a twenty-fifth of the control plane's 2,500.
fn poll_every(_previous: Option<Duration>, waited: Duration) -> Duration {
    (waited / 20).clamp(Duration::from_millis(500), Duration::from_secs(15))
}

/// The fleet's counts, shown on one progress bar (a terminal) as they change.
struct Progress {
    pb: Option<indicatif::ProgressBar>,
    requested: AtomicUsize,
    active: AtomicUsize,
    settings: AtomicUsize,
    verified: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    fn bump(&self, counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::SeqCst);
        if let Some(pb) = &self.pb {
            let (r, a) = (
                self.requested.load(Ordering::SeqCst),
                self.active.load(Ordering::SeqCst),
            );
            pb.set_message(format!(
                "requested {r}, restoring {}, ACTIVE {a}, settings {}, verified {}",
                r.saturating_sub(a),
                self.settings.load(Ordering::SeqCst),
                self.verified.load(Ordering::SeqCst)
            ));
            pb.set_position(self.done.load(Ordering::SeqCst) as u64);
        }
    }
}

/// What every table of one target shares.
struct Shared {
    a: Arc<RestoreArgs>,
    ctx: Ctx,
    source: Dynamo,
    dest: Dynamo,
    cross_region: bool,
    account: String,
    /// Restores in progress (requested, not ACTIVE) in the target's account and region.
    slots: Semaphore,
    /// Rung when a restore of this fleet becomes ACTIVE (a slot is free at DynamoDB too).
    freed: Notify,
    backups: Option<ByTable>,
    progress: Progress,
    /// Table operations in progress in the account and region of the targets: a restore
    /// holds one from its request to ACTIVE, a settings update while it is applied.
    ops: Semaphore,
    /// What is known of each table still under way (by its place in the fleet), for the
    /// report of a run abandoned before they finish.
    under_way: std::sync::Mutex<BTreeMap<usize, (TableRestore, Phase)>>,
    /// An earlier run's report (the same `--report` file).
    earlier: Arc<EarlierReport>,
}

/// How far a table under way has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Preparing,
    Requesting,
    Requested,
    Active,
}

impl Shared {
    fn note(&self, i: usize, row: &TableRestore, phase: Phase) {
        if let Ok(mut m) = self.under_way.lock() {
            m.insert(i, (row.clone(), phase));
        }
    }

    fn finished(&self, i: usize) {
        if let Ok(mut m) = self.under_way.lock() {
            m.remove(&i);
        }
    }

    /// The row of a table whose task was abandoned (a second signal, or the stop
    /// backstop): what is known of it, and what a rerun does.
    fn abandoned_row(&self, i: usize, table: &str, target: &str) -> TableRestore {
        let known = self.under_way.lock().ok().and_then(|m| m.get(&i).cloned());
        let (mut row, phase) =
            known.unwrap_or_else(|| (self.blank_row(table, target), Phase::Preparing));
        let (status, detail) = match phase {
            Phase::Preparing => (
                Status::NotStarted,
                "abandoned before its restore was requested: a rerun restores it".to_string(),
            ),
            Phase::Requesting => (
                Status::Restoring,
                format!(
                    "abandoned while its restore was being requested: '{target}' may be \
                     restoring; a rerun finds it (already restored) or restores it"
                ),
            ),
            Phase::Requested => (
                Status::Restoring,
                format!(
                    "abandoned while '{target}' was being restored: a rerun finishes it once \
                     ACTIVE"
                ),
            ),
            Phase::Active => (
                Status::Interrupted,
                format!(
                    "'{target}' is restored and ACTIVE; abandoned before its settings and \
                     verification were finished: a rerun finishes it"
                ),
            ),
        };
        row.status = status;
        row.detail = Some(detail);
        row
    }

    fn blank_row(&self, table: &str, target: &str) -> TableRestore {
        TableRestore {
            source_table: table_name(table).to_string(),
            backup_arn: None,
            backup_name: None,
            point_in_time: None,
            target_account: self.account.clone(),
            target_region: self.dest.region().to_string(),
            target: target.to_string(),
            status: Status::Failed,
            requested_at: None,
            active_at: None,
            seconds_to_active: None,
            finished_at: None,
            settings: if self.a.no_settings {
                "skipped"
            } else {
                "not_run"
            },
            settings_failed: Vec::new(),
            setting_results: Vec::new(),
            verification: None,
            detail: None,
        }
    }
}

/// The tables to restore in one target: the config's policies' (narrowed by the command
/// line), or the command line's selection.
async fn sources(t: &Target, a: &RestoreArgs, config: Option<&Config>) -> Result<Vec<String>> {
    let Some(c) = config else {
        let Some(sel) = crate::select::for_target(&a.select, &t.at) else {
            return Ok(Vec::new());
        };
        return Ok(crate::select::resolve(&sel, &t.dynamo).await?.tables);
    };
    let f = crate::engine::fleet::resolve(c, &a.select, t).await?;
    for e in &f.errors {
        tracing::warn!(policy = %e.policy, "{}", e.error);
    }
    Ok(f.assigned.into_iter().map(|x| x.table).collect())
}

/// Restores the selection's tables of one target (its account and region).
async fn in_target(
    t: Target,
    a: Arc<RestoreArgs>,
    config: Option<Arc<Config>>,
    ctx: Ctx,
    earlier: Arc<EarlierReport>,
) -> Result<Vec<TableRestore>> {
    let mut tables = sources(&t, &a, config.as_deref()).await?;
    let target_region = a
        .target_region
        .clone()
        .unwrap_or_else(|| t.at.region.clone());
    let cross_region = target_region != t.at.region;
    if !cross_region {
        tables = not_targets(&a, &t.dynamo, tables, ctx.now).await;
    }
    let names = target_names(&a, &tables, ctx.now)?;
    if !cross_region {
        if let Some((s, _)) = names.iter().find(|(s, n)| s == n) {
            return Err(UsageError::new(format!(
                "table {} would be restored under its own name in its own region: give \
                 --target-template (e.g. '{{table}}-restored') or another --target-region",
                quoted(s)
            ))
            .into());
        }
    }
    let dest = if cross_region {
        let spec = crate::targets::TargetSpec {
            region: Some(target_region.clone()),
            ..t.spec.clone()
        };
        Dynamo::connect(&ctx.options_for(&spec)).await?
    } else {
        t.dynamo.clone()
    }
    .with_restore_back_pressure();
    let by_backup = a.to_time.is_none() && !a.latest_restorable;
    let backups = if by_backup && tables.len() > LISTING_PER_TABLE_MAX {
        Some(t.dynamo.list_all_backups(&backup_filter(&a, &ctx)?).await?)
    } else {
        None
    };
    let mut ctx = ctx;
    ctx.quiet_progress = true;
    let pb = Ctx {
        quiet_progress: false,
        ..ctx.clone()
    }
    .progress(tables.len() as u64, "restoring");
    let shared = Arc::new(Shared {
        slots: Semaphore::new(a.max_restores as usize),
        freed: Notify::new(),
        a,
        ctx,
        source: t.dynamo.clone(),
        dest,
        cross_region,
        account: t.at.account.clone(),
        backups,
        ops: Semaphore::new(TABLE_OPERATIONS_MAX),
        under_way: Default::default(),
        earlier,
        progress: Progress {
            pb,
            requested: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            settings: AtomicUsize::new(0),
            verified: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        },
    });
    // Tables under way at once: the restores in progress, as many again being prepared
    // (source, target, settings record) so that a freed slot is taken at once, and those
    // being finished. Each table under way holds its whole procedure's state (tens of KiB):
    // bounded, a fleet of thousands keeps to the memory of a few hundred.
    let under_way = (shared.a.max_restores as usize).saturating_mul(2).max(1);
    let mut tasks = JoinSet::new();
    let mut done = Vec::with_capacity(tables.len());
    let target_of = |table: &str| names.get(table_name(table)).cloned().unwrap_or_default();
    let mut abandon = shared.ctx.abandon.clone();
    let mut abandoned = false;
    'spawn: for (i, table) in tables.iter().enumerate() {
        while tasks.len() >= under_way {
            tokio::select! {
                joined = tasks.join_next() => if let Some(joined) = joined {
                    done.push(joined?);
                },
                _ = abandon.wait() => {
                    abandoned = true;
                    break 'spawn;
                }
            }
        }
        let (table, target) = (table.clone(), target_of(table));
        let s = shared.clone();
        tasks.spawn(async move {
            let row = one(&s, i, &table, target).await;
            s.finished(i);
            s.progress.bump(&s.progress.done);
            (i, row)
        });
    }
    while !abandoned {
        tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(joined) => done.push(joined?),
                None => break,
            },
            _ = abandon.wait() => abandoned = true,
        }
    }
    if abandoned {
        // What is known of every table not finished is reported; nothing is waited for.
        tasks.abort_all();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(x) = joined {
                done.push(x);
            }
        }
        let finished: std::collections::HashSet<usize> = done.iter().map(|(i, _)| *i).collect();
        for (i, table) in tables.iter().enumerate() {
            if !finished.contains(&i) {
                done.push((i, shared.abandoned_row(i, table, &target_of(table))));
            }
        }
    }
    done.sort_by_key(|(i, _)| *i);
    let rows: Vec<TableRestore> = done.into_iter().map(|(_, r)| r).collect();
    if let Some(pb) = &shared.progress.pb {
        pb.finish_and_clear();
    }
    Ok(rows)
}

/// One table: its source, the target's state, the restore, ACTIVE, settings, verification.
async fn one(s: &Shared, i: usize, table: &str, target: String) -> TableRestore {
    let (a, ctx) = (&s.a, &s.ctx);
    let mut row = s.blank_row(table, &target);
    if ctx.stop.requested() {
        return stopped_before(row, "stopped".into());
    }
    let fail = |mut row: TableRestore, why: String| {
        row.status = Status::Failed;
        row.detail = Some(why);
        row.finished_at = Some(now_ms());
        row
    };
    // 1. The source: a backup, or a point in time of the live table.
    let (src, wanted) = match source(s, table, &target).await {
        Ok(x) => x,
        Err(e) if ctx.stop.requested() => return stopped_before(row, format!("{e:#}")),
        Err(e) => return fail(row, format!("{e:#}")),
    };
    match &src {
        Source::Backup(b) => {
            row.backup_arn = Some(b.backup_arn.clone());
            row.backup_name = Some(b.backup_name.clone());
        }
        Source::Pitr(PitrPoint::Latest) => row.point_in_time = Some("latest restorable".into()),
        Source::Pitr(PitrPoint::At(t)) => row.point_in_time = Some(time_ms(*t)),
    }
    s.note(i, &row, Phase::Preparing);
    // 2. The target: absent (restore it), restored from this source (finish it), or
    // anything else (never touched).
    let mut earlier: Option<&Earlier> = None;
    let existing = match s.dest.describe_table(&target).await {
        Ok(x) => x,
        Err(e) if ctx.stop.requested() => return stopped_before(row, e.message),
        Err(e) => return fail(row, e.message),
    };
    if let Some(info) = &existing {
        if let Err(what) = restored_from(info, &wanted) {
            return fail(
                row,
                format!(
                    "table '{target}' already exists in {} and {what}: it is left alone \
                     (DynamoDB cannot restore over a table; delete it or choose another \
                     --target-template)",
                    s.dest.region()
                ),
            );
        }
        earlier = already_restored_times(&s.earlier, info, &mut row);
    }
    // 3. The settings record, read from the source before anything changes.
    // A table its earlier run finished (its report says so) keeps its settings as they
    // are now: they are not applied again over what was changed since.
    let done_before = earlier.filter(|e| e.finished()).cloned();
    let mut source_gone = false;
    let record: Option<Result<Record, String>> = if a.no_settings || done_before.is_some() {
        None
    } else {
        Some(
            match record::read(&s.source, table, &a.skip_setting).await {
                Ok(Some(r)) => Ok(r),
                Ok(None) => {
                    source_gone = true;
                    Err(format!("the source table '{}' no longer exists: apply a saved record with restore --settings-from FILE --target {target}", row.source_table))
                }
                Err(e) => Err(e.message),
            },
        )
    };
    if let Some(e) = &done_before {
        row.settings = match e.settings.as_deref() {
            Some("skipped") => "skipped",
            _ => "applied",
        };
    }
    if ctx.stop.requested() && existing.is_none() {
        return stopped_before(row, "stopped".into());
    }
    let alarms = Carry {
        copy: a.copy_alarms,
        actions: a.copy_alarm_actions,
        excluded_indexes: crate::engine::settings::excluded(a),
    };
    if a.dry_run {
        row.status = if existing.is_some() {
            Status::AlreadyRestored
        } else {
            Status::WouldRestore
        };
        match &record {
            Some(Ok(r)) => {
                row.settings = "planned";
                row.setting_results = planned(r, alarms, &target);
            }
            Some(Err(why)) => {
                row.settings = "failed";
                row.detail = Some(format!("its settings record cannot be read: {why}"));
                row.status = Status::Failed;
            }
            None => {}
        }
        return row;
    }
    // 4. A restore slot and a table operation, then the request (LimitExceeded: wait and
    // ask again).
    let mut stop = ctx.stop.clone();
    let permits = tokio::select! {
        p = async {
            let slot = s.slots.acquire().await.ok()?;
            let op = s.ops.acquire().await.ok()?;
            Some((slot, op))
        } => p,
        _ = stop.wait() => None,
    };
    let mut already = existing.is_some();
    if permits.is_none() || (ctx.stop.requested() && !already) {
        return stopped_before(row, "stopped".into());
    }
    if !already {
        s.note(i, &row, Phase::Requesting);
        match request_restore(s, table, &src, &target, &mut row).await {
            Ok(()) => {}
            Err(Requested::Stopped) => return stopped_before(row, "stopped".into()),
            Err(Requested::InFlight(m)) => {
                row.status = Status::Restoring;
                row.detail = Some(format!(
                    "the run stopped while its restore was being requested ({m}): \
                     '{target}' may be restoring; a rerun finds it (already restored) \
                     or restores it"
                ));
                return row;
            }
            Err(Requested::Exists) => match s.dest.describe_table(&target).await {
                // Made meanwhile from the same source (the same command running at the
                // same time): finished like any target already restored.
                Ok(Some(info)) if restored_from(&info, &wanted).is_ok() => {
                    already = true;
                    row.requested_at = info.created_at;
                    tracing::info!(
                        target = %target,
                        "restored meanwhile from the same source by another run: finishing it"
                    );
                }
                Ok(Some(info)) => {
                    let what = restored_from(&info, &wanted).err().unwrap_or_default();
                    return fail(
                        row,
                        format!(
                            "table '{target}' was made in {} while this run asked for it, \
                             and {what}: it is left alone",
                            s.dest.region()
                        ),
                    );
                }
                Ok(None) => {
                    return fail(
                        row,
                        format!("table '{target}' existed and then not: run the command again"),
                    )
                }
                Err(e) => return fail(row, e.message),
            },
            Err(Requested::Failed(m)) => return fail(row, m),
        }
    }
    s.note(i, &row, Phase::Requested);
    // 5. ACTIVE.
    let was_active = existing
        .as_ref()
        .is_some_and(|x| x.status.as_deref() == Some("ACTIVE"));
    let waited = wait_active_polling(&s.dest, &target, a.timeout.duration, ctx, poll_every).await;
    drop(permits);
    s.freed.notify_waiters();
    match waited {
        Ok(Some(_)) => {
            // Seen ACTIVE by this run: its recovery time is known (a target restored
            // earlier and ACTIVE before this run keeps the one it had, when known).
            if !was_active {
                let now = now_ms();
                row.active_at = Some(now);
                row.seconds_to_active = row
                    .requested_at
                    .map(|r| (now - r).num_milliseconds() as f64 / 1000.0);
            }
            s.progress.bump(&s.progress.active);
            tracing::info!(
                table = %row.source_table,
                target = %target,
                seconds = %row.seconds_to_active.map(|x| format!("{x:.1}")).unwrap_or_else(|| "unknown".into()),
                "ACTIVE"
            );
        }
        Ok(None) if ctx.stop.requested() => {
            row.status = Status::Restoring;
            row.detail = Some(format!(
                "stopped while '{target}' was being restored: a rerun finishes it once ACTIVE"
            ));
            return row;
        }
        Ok(None) => {
            row.status = Status::Restoring;
            row.detail = Some(format!(
                "not ACTIVE after --timeout {}: DynamoDB is still restoring '{target}'; a \
                 rerun finishes it once ACTIVE",
                a.timeout
            ));
            return row;
        }
        Err(e) if ctx.stop.requested() => {
            row.status = Status::Restoring;
            row.detail = Some(format!(
                "stopped while '{target}' was being restored ({}): a rerun finishes it once \
                 ACTIVE",
                e.message
            ));
            return row;
        }
        Err(e) => return fail(row, e.message),
    }
    row.status = if already {
        Status::AlreadyRestored
    } else {
        Status::Restored
    };
    if matches!(src, Source::Pitr(PitrPoint::Latest)) {
        // The point DynamoDB chose, as its RestoreSummary says.
        if let Ok(Some(t)) = s.dest.describe_table(&target).await {
            if let Some(at) = t.restore.and_then(|r| r.restore_date_time) {
                row.point_in_time = Some(time_ms(at));
            }
        }
    }
    s.note(i, &row, Phase::Active);
    // 6. Settings, 7. verification.
    let mut retry = Vec::new();
    let mut lasting = Vec::new();
    match &record {
        Some(Ok(r)) => {
            let op = tokio::select! {
                p = s.ops.acquire() => p.ok(),
                _ = stop.wait() => None,
            };
            if op.is_none() || ctx.stop.requested() {
                return interrupted(row, &target, "its settings");
            }
            row.setting_results = apply(&s.dest, &target, r, alarms, &ctx.stop).await;
            drop(op);
            row.settings_failed = row
                .setting_results
                .iter()
                .filter(|x| x.failed())
                .map(|x| x.setting.to_string())
                .collect();
            if !row.settings_failed.is_empty() && ctx.stop.requested() {
                row.settings = "interrupted";
                return interrupted(row, &target, "its settings");
            }
            row.settings = if row.settings_failed.is_empty() {
                "applied"
            } else {
                retry.push(format!(
                    "settings failed: {}",
                    row.settings_failed.join(", ")
                ));
                "failed"
            };
            s.progress.bump(&s.progress.settings);
        }
        Some(Err(why)) => {
            row.settings = "failed";
            let what = format!("its settings record cannot be read: {why}");
            if source_gone {
                lasting.push(what);
            } else {
                retry.push(what);
            }
        }
        None => {}
    }
    // A check made by the earlier run stands: a passed one is not made again, a failed
    // one is not forgotten because this run does not check.
    let checked_before = earlier.and_then(|e| e.verification());
    if let Some(v) =
        checked_before.filter(|v| v.status == "failed" || !a.verify || v.status == "passed")
    {
        if v.status == "failed" {
            lasting.push(format!(
                "verification failed in an earlier run: {}",
                v.detail.clone().unwrap_or_default()
            ));
        }
        row.verification = Some(v);
    } else if a.verify {
        if ctx.stop.requested() {
            return interrupted(row, &target, "its verification");
        }
        let v = verify(&s.source, &s.dest, &src, &target).await;
        if v.status == "passed" {
            s.progress.bump(&s.progress.verified);
        } else if ctx.stop.requested() {
            row.verification = Some(v);
            return interrupted(row, &target, "its verification");
        } else if v.status != "skipped" {
            let what = format!(
                "verification {}: {}",
                v.status,
                v.detail.clone().unwrap_or_default()
            );
            // A count that differs stays different on a rerun; a count that could not be
            // made (an error) may succeed.
            if v.status == "failed" {
                lasting.push(what);
            } else {
                retry.push(what);
            }
        }
        row.verification = Some(v);
    }
    row.finished_at = done_before
        .as_ref()
        .and_then(|e| e.finished_at)
        .or(Some(now_ms()));
    if let Some(e) = done_before.as_ref().filter(|_| row.detail.is_none()) {
        let _ = e;
        row.detail =
            Some("finished by an earlier run (its --report): settings not applied again".into());
    }
    if !retry.is_empty() || !lasting.is_empty() {
        row.status = Status::Failed;
        let mut parts = Vec::new();
        if !retry.is_empty() {
            parts.push(format!("{}: a rerun tries again", retry.join("; ")));
        }
        if !lasting.is_empty() {
            parts.push(format!(
                "{}: a rerun does not change this; inspect '{target}' before using it",
                lasting.join("; ")
            ));
        }
        row.detail = Some(format!("restored and ACTIVE, but {}", parts.join("; ")));
    }
    row
}

/// The table's source and what an existing target's RestoreSummary must name.
async fn source(s: &Shared, table: &str, target: &str) -> Result<(Source, Planned)> {
    let (a, ctx) = (&s.a, &s.ctx);
    if a.to_time.is_some() || a.latest_restorable {
        let point = pitr_point(&s.source, table, a, ctx).await?;
        let arn = s.source.describe_table(table).await?.and_then(|i| i.arn);
        let at = match &point {
            PitrPoint::At(t) => Some(*t),
            PitrPoint::Latest => None,
        };
        return Ok((
            Source::Pitr(point),
            Planned::Pitr {
                source_arn: arn,
                at,
            },
        ));
    }
    let mut all = match &s.backups {
        Some(by_table) => match by_table.get(table_name(table)) {
            Some(Ok(list)) => list.clone(),
            Some(Err(e)) => return Err(e.clone().into()),
            None => Vec::new(),
        },
        None => {
            s.source
                .list_backups(table, &backup_filter(a, ctx)?)
                .await?
        }
    };
    if all.is_empty() && a.before.is_none() {
        // No backup at all may be a mistyped name: say so, with the name meant.
        all = s.source.confirm_listed(table, all).await?;
    }
    // A rerun restores from the backups its earlier run chose (the same `--report`), so
    // that a backup made in between never splits the fleet over two points in time.
    let key = (
        s.account.clone(),
        s.dest.region().to_string(),
        target.to_string(),
    );
    let mut pinned = s
        .earlier
        .rows
        .get(&key)
        .and_then(|e| e.backup_arn.clone())
        .and_then(|arn| all.iter().find(|b| b.backup_arn == arn).cloned());
    if !s.earlier.resumes {
        // A finished earlier run pins only a target that is still its restore: a new
        // fleet (its targets deleted since) starts from the backups of now.
        if let Some(b) = &pinned {
            let still = s.dest.describe_table(target).await?.is_some_and(|t| {
                t.restore
                    .is_some_and(|r| r.source_backup_arn.as_deref() == Some(&b.backup_arn))
            });
            if !still {
                pinned = None;
            }
        }
    }
    // A table the earlier run had not reached: its newest backup as of then.
    let before_the_fleet: Vec<_> = match s.earlier.fleet_started_at.filter(|_| a.latest) {
        Some(started) => all
            .iter()
            .filter(|b| b.created_at <= started)
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let b = match pinned {
        Some(b) => b,
        None if !before_the_fleet.is_empty() => pick_from(before_the_fleet, table, a, ctx)?,
        None => pick_from(all, table, a, ctx)?,
    };
    let arn = b.backup_arn.clone();
    Ok((Source::Backup(b), Planned::Backup { arn }))
}

enum Requested {
    /// Never sent.
    Stopped,
    /// Sent, or on its way, when the run stopped: it may have been made.
    InFlight(String),
    /// The target exists (made since it was looked at).
    Exists,
    Failed(String),
}

/// Requests the restore; LimitExceeded (too many restores or table operations in
/// progress) waits for one of this fleet's restores to finish, or a moment, and asks again.
async fn request_restore(
    s: &Shared,
    table: &str,
    src: &Source,
    target: &str,
    row: &mut TableRestore,
) -> Result<(), Requested> {
    let (a, ctx) = (&s.a, &s.ctx);
    let index = |none: bool| {
        if none {
            IndexChoice::Only(Vec::new())
        } else {
            IndexChoice::All
        }
    };
    let req = request(
        a,
        target.to_string(),
        index(a.no_gsi),
        index(a.no_lsi),
        s.cross_region,
    );
    // Cross-Region, a point-in-time restore names its source by ARN.
    let source_arg = match (s.cross_region, src) {
        (true, Source::Pitr(_)) => s
            .source
            .describe_table(table)
            .await
            .ok()
            .flatten()
            .and_then(|i| i.arn)
            .unwrap_or_else(|| table.to_string()),
        _ => table.to_string(),
    };
    let mut stop = ctx.stop.clone();
    // Requested when first asked: the time a refusal (the quota) made it wait counts in
    // the table's recovery time.
    let at = now_ms();
    loop {
        if ctx.stop.requested() {
            return Err(Requested::Stopped);
        }
        // A request on its way is seen through: its answer says whether it was made.
        let guard = ctx.critical.enter();
        let r = match src {
            Source::Backup(b) => s.dest.restore_from_backup(&b.backup_arn, &req).await,
            Source::Pitr(p) => s.dest.restore_to_point_in_time(&source_arg, p, &req).await,
        };
        drop(guard);
        match r {
            Ok(_) => {
                row.requested_at = Some(at);
                s.progress.bump(&s.progress.requested);
                tracing::debug!(table = %row.source_table, target, "restore requested");
                return Ok(());
            }
            Err(e) if e.kind == AwsErrorKind::QuotaReached => {
                tracing::debug!(
                    target,
                    "restore quota reached: waiting for a restore to finish"
                );
                tokio::select! {
                    _ = s.freed.notified() => {}
                    _ = tokio::time::sleep(BACK_PRESSURE_WAIT) => {}
                    _ = stop.wait() => return Err(Requested::Stopped),
                }
            }
            Err(e) if e.kind == AwsErrorKind::TableAlreadyExists => return Err(Requested::Exists),
            Err(e) if e.kind == AwsErrorKind::Interrupted || ctx.stop.requested() => {
                return Err(Requested::InFlight(e.message))
            }
            Err(e) => return Err(Requested::Failed(e.message)),
        }
    }
}

/// Runs a fleet restore in every target of the command line; `validate` has checked it.
pub async fn run(a: RestoreArgs, ctx: &Ctx) -> Result<Report> {
    let config = a.config.path.as_deref().map(Config::load).transpose()?;
    let ctx = &match &config {
        Some(c) => crate::engine::fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    let specs = crate::targets::plan(&ctx.global, config.as_ref())?;
    let named: Vec<String> = crate::engine::fleet::named_tables(config.as_ref(), &a.select)
        .into_iter()
        .cloned()
        .collect();
    crate::targets::check_routed(&specs, &named)?;
    if let Some(into) = &a.target_region {
        one_region_per_account(&specs, into)?;
    }
    // An unfinished earlier run of this fleet (its --report): this run resumes it.
    let earlier = Arc::new(if a.dry_run {
        EarlierReport::default()
    } else {
        crate::engine::fleet_report::earlier_times(a.report.as_deref())
    });
    let fleet_started_at = earlier.fleet_started_at.unwrap_or(ctx.now);
    let earlier_rows = earlier.clone();
    let a = Arc::new(a);
    let config = config.map(Arc::new);
    let (args, c) = (a.clone(), ctx.clone());
    let reached = targets::each(ctx, &specs, named, move |t| {
        let (args, config, c) = (args.clone(), config.clone(), c.clone());
        let earlier = earlier.clone();
        async move { in_target(t, args, config, c, earlier).await }
    })
    .await?;
    Ok(report(reached, &a, ctx, fleet_started_at).carry(&earlier_rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_restore_is_seen_active_soon_after_it_is(waited_ms in 0u64..100_000_000) {
            let waited = Duration::from_millis(waited_ms);
            let wait = poll_every(Some(Duration::from_secs(15)), waited);
            // Seen within 5% of the time waited (or half a second), never later than 15 s.
            proptest::prop_assert!(wait <= Duration::from_secs(15));
            proptest::prop_assert!(wait <= (waited / 20).max(Duration::from_millis(500)));
            // Never polled faster than twice a second.
            proptest::prop_assert!(wait >= Duration::from_millis(500));
        }
    }
}
