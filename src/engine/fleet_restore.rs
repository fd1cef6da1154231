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
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use crate::aws::{ByTable, Dynamo, IndexChoice, PitrPoint};
use crate::cli::RestoreArgs;
use crate::config::Config;
use crate::engine::record::{self, Record};
use crate::engine::restore::{backup_filter, pick_from, pitr_point, request};
pub use crate::engine::restored_count::{verify, Verification};
use crate::engine::restoring::{wait_active_polling, Source};
use crate::engine::settings::{apply, planned, Carry, SettingResult};
use crate::engine::targets::{self, Reached, Target, TargetSummary};
use crate::engine::Ctx;
use crate::error::{quoted, AwsErrorKind, UsageError};
use crate::exit::Exit;
use crate::ids::table_name;
use crate::model::TableInfo;
use crate::output::time;
use crate::targets::Placed;

/// DynamoDB's documented rate of RestoreTableFromBackup and RestoreTableToPointInTime.
pub fn restore_rate() -> f64 {
    crate::aws::DOCUMENTED_RATES
        .iter()
        .find(|(op, _)| *op == "RestoreTableFromBackup")
        .map(|(_, r)| *r)
        .unwrap_or(10.0)
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Restored by this run, ACTIVE, settings and verification as reported.
    Restored,
    /// The target existed, restored from the same source: finished, not restored again.
    AlreadyRestored,
    /// Requested, not ACTIVE yet when the run was stopped: a rerun finishes it.
    Restoring,
    /// Stopped before its restore was requested: a rerun restores it.
    NotStarted,
    /// Dry run: would be restored.
    WouldRestore,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Restored => "restored",
            Status::AlreadyRestored => "already_restored",
            Status::Restoring => "restoring",
            Status::NotStarted => "not_started",
            Status::WouldRestore => "would_restore",
            Status::Failed => "failed",
        }
    }

    fn ok(self) -> bool {
        matches!(
            self,
            Status::Restored | Status::AlreadyRestored | Status::WouldRestore
        )
    }
}

/// One table of the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct TableRestore {
    pub source_table: String,
    pub backup_arn: Option<String>,
    pub backup_name: Option<String>,
    pub point_in_time: Option<String>,
    pub target_account: String,
    pub target_region: String,
    pub target: String,
    pub status: Status,
    pub requested_at: Option<DateTime<Utc>>,
    pub active_at: Option<DateTime<Utc>>,
    /// requested_at → active_at: this table's recovery time.
    pub seconds_to_active: Option<f64>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `applied`, `failed`, `skipped` (--no-settings), `planned` (dry run) or `not_run`.
    pub settings: &'static str,
    pub settings_failed: Vec<String>,
    /// Each setting applied and read back.
    pub setting_results: Vec<SettingResult>,
    pub verification: Option<Verification>,
    pub detail: Option<String>,
}

/// The dry run's estimate of the fleet's duration under the two limits.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub to_restore: usize,
    pub max_restores: u32,
    pub requests_per_second: f64,
    /// The pacing alone: to_restore / requests_per_second.
    pub request_seconds: f64,
    /// How many restore times the concurrency limit makes the fleet take at least.
    pub waves: usize,
    pub model: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub already_restored: usize,
    pub restoring: usize,
    pub not_started: usize,
    /// First restore requested → last table finished: the fleet's recovery time.
    pub fleet_seconds: Option<f64>,
    pub interrupted: bool,
    pub targets: Vec<TargetSummary>,
    pub estimate: Option<Estimate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: &'static str,
    pub dry_run: bool,
    pub results: Vec<Placed<TableRestore>>,
    pub summary: Summary,
}

/// Checks a fleet restore's options (no AWS call); with the tables named, that no two of
/// them get one target name.
pub fn validate(a: &RestoreArgs) -> Result<(), UsageError> {
    if a.settings_from.is_some() {
        return Err(UsageError::new(
            "--settings-from applies one saved record to one table: use it with --target; \
             a fleet restore applies each source table's own record (or --no-settings)",
        ));
    }
    if !a.exclude_gsi.is_empty() || !a.exclude_lsi.is_empty() {
        return Err(UsageError::new(
            "--exclude-gsi/--exclude-lsi name one table's indexes: use them with --target \
             (a fleet restore takes --no-gsi/--no-lsi)",
        ));
    }
    if a.copy_alarms && a.no_settings {
        return Err(UsageError::new(
            "--copy-alarms is part of the settings: it cannot go with --no-settings",
        ));
    }
    if a.config.path.is_some() {
        crate::engine::fleet::check_narrowing(&a.select)?;
    } else if !a.select.needs_listing() {
        target_names(a, &a.select.tables, chrono::Utc::now())?;
    }
    Ok(())
}

/// The new table's name for `table`: `--target-template` rendered (shortened to 255
/// characters as backup names are), or the table's own name.
pub fn target_name(a: &RestoreArgs, table: &str, now: DateTime<Utc>) -> Result<String, String> {
    match &a.target_template {
        Some(t) => t.render(table_name(table), now),
        None => Ok(table_name(table).to_string()),
    }
}

/// Every table's target name; two tables mapping to one name is a usage error.
pub fn target_names(
    a: &RestoreArgs,
    tables: &[String],
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, String>, UsageError> {
    let mut by_target: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for t in tables {
        let source = table_name(t);
        if out.contains_key(source) {
            continue;
        }
        let target = target_name(a, t, now).map_err(UsageError::new)?;
        if let Some(other) = by_target.get(&target) {
            return Err(UsageError::new(format!(
                "tables {} and {} would both be restored to {}: change --target-template so \
                 that each table gets its own name (with {{table}})",
                quoted(other),
                quoted(source),
                quoted(&target)
            )));
        }
        by_target.insert(target.clone(), source.to_string());
        out.insert(source.to_string(), target);
    }
    Ok(out)
}

/// The selection without the tables that are its own targets (in the same region, a rerun
/// of `--match 'orders-*' --target-template '{table}-restored'` lists the restored tables
/// too): those are what this restore makes, never its sources.
fn not_targets(a: &RestoreArgs, tables: Vec<String>, now: DateTime<Utc>) -> Vec<String> {
    let targets: std::collections::HashSet<String> = tables
        .iter()
        .filter_map(|t| target_name(a, t, now).ok().filter(|n| n != table_name(t)))
        .collect();
    let (kept, dropped): (Vec<String>, Vec<String>) = tables
        .into_iter()
        .partition(|t| !targets.contains(table_name(t)));
    if !dropped.is_empty() {
        tracing::info!(
            tables = %dropped.join(","),
            "left out of the sources: each is the target of another selected table"
        );
    }
    kept
}

/// The source of one table's restore, as planned.
#[derive(Debug, Clone)]
enum Planned {
    Backup {
        arn: String,
    },
    Pitr {
        source_arn: Option<String>,
        at: Option<DateTime<Utc>>,
    },
}

/// Whether `info` (an existing target) was restored from `src`: `Err` says what it is.
fn restored_from(info: &TableInfo, src: &Planned) -> Result<(), String> {
    let Some(r) = &info.restore else {
        return Err("it was not made by a restore".into());
    };
    let same = match src {
        Planned::Backup { arn } => r.source_backup_arn.as_deref() == Some(arn.as_str()),
        Planned::Pitr { source_arn, at } => {
            r.source_backup_arn.is_none()
                && source_arn.is_some()
                && r.source_table_arn == *source_arn
                && match (at, r.restore_date_time) {
                    (None, _) => true,
                    (Some(want), Some(had)) => {
                        (want.timestamp_millis() - had.timestamp_millis()).abs() < 1000
                    }
                    (Some(_), None) => false,
                }
        }
    };
    if same {
        return Ok(());
    }
    Err(match (&r.source_backup_arn, &r.source_table_arn) {
        (Some(b), _) => format!("it was restored from another backup ({b})"),
        (None, Some(t)) => format!(
            "it was restored from table {t} at {}",
            r.restore_date_time.map(time).unwrap_or_else(|| "?".into())
        ),
        (None, None) => "its RestoreSummary names no source".into(),
    })
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
pub async fn in_target(
    t: Target,
    a: Arc<RestoreArgs>,
    config: Option<Arc<Config>>,
    ctx: Ctx,
) -> Result<Vec<TableRestore>> {
    let mut tables = sources(&t, &a, config.as_deref()).await?;
    let target_region = a
        .target_region
        .clone()
        .unwrap_or_else(|| t.at.region.clone());
    let cross_region = target_region != t.at.region;
    if !cross_region {
        tables = not_targets(&a, tables, ctx.now);
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
    for (i, table) in tables.into_iter().enumerate() {
        while tasks.len() >= under_way {
            if let Some(joined) = tasks.join_next().await {
                done.push(joined?);
            }
        }
        let target = names.get(table_name(&table)).cloned().unwrap_or_default();
        let s = shared.clone();
        tasks.spawn(async move {
            let row = one(&s, &table, target).await;
            s.progress.bump(&s.progress.done);
            (i, row)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        done.push(joined?);
    }
    done.sort_by_key(|(i, _)| *i);
    let rows: Vec<TableRestore> = done.into_iter().map(|(_, r)| r).collect();
    if let Some(pb) = &shared.progress.pb {
        pb.finish_and_clear();
    }
    Ok(rows)
}

/// One table: its source, the target's state, the restore, ACTIVE, settings, verification.
async fn one(s: &Shared, table: &str, target: String) -> TableRestore {
    let (a, ctx) = (&s.a, &s.ctx);
    let mut row = TableRestore {
        source_table: table_name(table).to_string(),
        backup_arn: None,
        backup_name: None,
        point_in_time: None,
        target_account: s.account.clone(),
        target_region: s.dest.region().to_string(),
        target: target.clone(),
        status: Status::Failed,
        requested_at: None,
        active_at: None,
        seconds_to_active: None,
        finished_at: None,
        settings: if a.no_settings { "skipped" } else { "not_run" },
        settings_failed: Vec::new(),
        setting_results: Vec::new(),
        verification: None,
        detail: None,
    };
    if ctx.stop.requested() {
        row.status = Status::NotStarted;
        row.detail = Some("stopped before its restore was requested: a rerun restores it".into());
        return row;
    }
    let fail = |mut row: TableRestore, why: String| {
        row.status = Status::Failed;
        row.detail = Some(why);
        row.finished_at = Some(Utc::now());
        row
    };
    // 1. The source: a backup, or a point in time of the live table.
    let (src, wanted) = match source(s, table).await {
        Ok(x) => x,
        Err(e) => return fail(row, format!("{e:#}")),
    };
    match &src {
        Source::Backup(b) => {
            row.backup_arn = Some(b.backup_arn.clone());
            row.backup_name = Some(b.backup_name.clone());
        }
        Source::Pitr(PitrPoint::Latest) => row.point_in_time = Some("latest restorable".into()),
        Source::Pitr(PitrPoint::At(t)) => row.point_in_time = Some(time(*t)),
    }
    // 2. The target: absent (restore it), restored from this source (finish it), or
    // anything else (never touched).
    let existing = match s.dest.describe_table(&target).await {
        Ok(x) => x,
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
    }
    // 3. The settings record, read from the source before anything changes.
    let record: Option<Result<Record, String>> = if a.no_settings {
        None
    } else {
        Some(match record::read(&s.source, table, &a.skip_setting).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(format!("the source table '{}' no longer exists: apply a saved record with restore --settings-from FILE --target {target}", row.source_table)),
            Err(e) => Err(e.message),
        })
    };
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
    // 4. A restore slot, then the request (LimitExceeded: wait and ask again).
    let mut stop = ctx.stop.clone();
    let permit = tokio::select! {
        p = s.slots.acquire() => p.ok(),
        _ = stop.wait() => None,
    };
    if permit.is_none() || ctx.stop.requested() {
        row.status = Status::NotStarted;
        row.detail = Some("stopped before its restore was requested: a rerun restores it".into());
        return row;
    }
    let already = existing.is_some();
    if !already {
        if let Err(why) = request_restore(s, table, &src, &target, &mut row).await {
            return match why {
                Requested::Stopped => {
                    row.status = Status::NotStarted;
                    row.detail = Some("stopped before its restore was requested: a rerun restores it (or finds it restored)".into());
                    row
                }
                Requested::Failed(m) => fail(row, m),
            };
        }
    }
    // 5. ACTIVE.
    let waited = wait_active_polling(&s.dest, &target, a.timeout.duration, ctx, poll_every).await;
    drop(permit);
    s.freed.notify_waiters();
    match waited {
        Ok(Some(_)) => {
            let now = Utc::now();
            row.active_at = Some(now);
            row.seconds_to_active = row
                .requested_at
                .map(|r| (now - r).num_milliseconds() as f64 / 1000.0);
            s.progress.bump(&s.progress.active);
            tracing::info!(table = %row.source_table, target = %target, seconds = row.seconds_to_active.unwrap_or_default(), "ACTIVE");
        }
        Ok(None) if ctx.stop.requested() => {
            row.status = Status::Restoring;
            row.detail = Some(format!(
                "stopped while '{target}' was being restored: a rerun finishes it once ACTIVE"
            ));
            return row;
        }
        Ok(None) => return fail(row, format!("not ACTIVE after --timeout {}", a.timeout)),
        Err(e) => return fail(row, e.message),
    }
    row.status = if already {
        Status::AlreadyRestored
    } else {
        Status::Restored
    };
    // 6. Settings, 7. verification.
    let mut problems = Vec::new();
    match &record {
        Some(Ok(r)) => {
            row.setting_results = apply(&s.dest, &target, r, alarms, &ctx.stop).await;
            row.settings_failed = row
                .setting_results
                .iter()
                .filter(|x| x.failed())
                .map(|x| x.setting.to_string())
                .collect();
            row.settings = if row.settings_failed.is_empty() {
                "applied"
            } else {
                problems.push(format!(
                    "settings failed: {}",
                    row.settings_failed.join(", ")
                ));
                "failed"
            };
            s.progress.bump(&s.progress.settings);
        }
        Some(Err(why)) => {
            row.settings = "failed";
            problems.push(format!("its settings record cannot be read: {why}"));
        }
        None => {}
    }
    if a.verify {
        let v = verify(&s.source, &s.dest, &src, &target).await;
        if v.status == "passed" {
            s.progress.bump(&s.progress.verified);
        } else if v.status != "skipped" {
            problems.push(format!(
                "verification {}: {}",
                v.status,
                v.detail.clone().unwrap_or_default()
            ));
        }
        row.verification = Some(v);
    }
    row.finished_at = Some(Utc::now());
    if !problems.is_empty() {
        row.status = Status::Failed;
        row.detail = Some(format!(
            "restored and ACTIVE, but {}: a rerun finishes it",
            problems.join("; ")
        ));
    }
    row
}

/// The table's source and what an existing target's RestoreSummary must name.
async fn source(s: &Shared, table: &str) -> Result<(Source, Planned)> {
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
    let all = match &s.backups {
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
    let b = pick_from(all, table, a, ctx)?;
    let arn = b.backup_arn.clone();
    Ok((Source::Backup(b), Planned::Backup { arn }))
}

enum Requested {
    Stopped,
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
    loop {
        if ctx.stop.requested() {
            return Err(Requested::Stopped);
        }
        let at = Utc::now();
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
            Err(e) if e.kind == AwsErrorKind::Interrupted => return Err(Requested::Stopped),
            Err(e) => return Err(Requested::Failed(e.message)),
        }
    }
}

/// The fleet's report from every target's rows.
pub fn report(mut reached: Vec<Reached<Vec<TableRestore>>>, a: &RestoreArgs, ctx: &Ctx) -> Report {
    let count = |rows: &Vec<TableRestore>| {
        let ok = rows.iter().filter(|r| r.status.ok()).count();
        (rows.len(), ok, rows.len() - ok)
    };
    let per_target = targets::summaries(&reached, count);
    let results = targets::placed(&mut reached, std::mem::take);
    let n = |s: Status| results.iter().filter(|r| r.status == s).count();
    let succeeded = results.iter().filter(|r| r.status.ok()).count();
    let first = results.iter().filter_map(|r| r.requested_at).min();
    let last = results.iter().filter_map(|r| r.finished_at).max();
    let to_restore = n(Status::WouldRestore);
    let estimate = a.dry_run.then(|| estimate(to_restore, a.max_restores));
    Report {
        command: "restore",
        dry_run: a.dry_run,
        summary: Summary {
            tables: results.len(),
            succeeded,
            failed: results.len() - succeeded,
            already_restored: n(Status::AlreadyRestored),
            restoring: n(Status::Restoring),
            not_started: n(Status::NotStarted),
            fleet_seconds: first
                .zip(last)
                .map(|(f, l)| (l - f).num_milliseconds().max(0) as f64 / 1000.0),
            interrupted: ctx.stop.requested(),
            targets: per_target,
            estimate,
        },
        results,
    }
}

/// The floor the two limits put on a fleet of `n` restores: requests paced at the
/// documented rate, and at most `max` in progress, each taking one restore time R.
pub fn estimate(n: usize, max: u32) -> Estimate {
    let rate = restore_rate();
    let waves = n.div_ceil(max.max(1) as usize);
    Estimate {
        to_restore: n,
        max_restores: max,
        requests_per_second: rate,
        request_seconds: n as f64 / rate,
        waves,
        model: format!(
            "at least max({n}/{rate} s, {waves} × R), where R is one table's restore time \
             (it grows with the table's size)"
        ),
    }
}

pub fn exit_for(r: &Report) -> Exit {
    targets::fleet_exit(
        &r.summary.targets,
        r.summary.succeeded,
        r.summary.failed,
        r.summary.interrupted,
    )
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
    let a = Arc::new(a);
    let config = config.map(Arc::new);
    let (args, c) = (a.clone(), ctx.clone());
    let reached = targets::each(ctx, &specs, named, move |t| {
        let (args, config, c) = (args.clone(), config.clone(), c.clone());
        async move { in_target(t, args, config, c).await }
    })
    .await?;
    let report = report(reached, &a, ctx);
    if let Some(path) = &a.report {
        let written = serde_json::to_vec_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|b| crate::output::write_file_atomic(path, &b));
        if let Err(e) = written {
            tracing::error!("could not write the report to {}: {e}", path.display());
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RestoreSummary;

    fn info(r: Option<RestoreSummary>) -> TableInfo {
        TableInfo {
            name: "t".into(),
            arn: None,
            status: Some("ACTIVE".into()),
            key_schema: Vec::new(),
            stream: None,
            deletion_protection: false,
            billing_mode: None,
            capacity: None,
            global_secondary_indexes: Vec::new(),
            local_secondary_indexes: Vec::new(),
            created_at: None,
            restore: r,
        }
    }

    #[test]
    fn only_a_restore_of_the_same_source_counts_as_already_restored() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/o/backup/01";
        let from_backup = |b: &str| {
            info(Some(RestoreSummary {
                source_backup_arn: Some(b.into()),
                ..Default::default()
            }))
        };
        let want = Planned::Backup { arn: arn.into() };
        assert!(restored_from(&from_backup(arn), &want).is_ok());
        let other = restored_from(&from_backup("arn:x/backup/02"), &want).unwrap_err();
        assert!(other.contains("another backup"), "{other}");
        assert!(restored_from(&info(None), &want)
            .unwrap_err()
            .contains("not made by a restore"));
        let t0 = Utc::now();
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/o".to_string();
        let pitr = |at| {
            info(Some(RestoreSummary {
                source_table_arn: Some(table.clone()),
                restore_date_time: Some(at),
                ..Default::default()
            }))
        };
        let want = Planned::Pitr {
            source_arn: Some(table.clone()),
            at: Some(t0),
        };
        assert!(restored_from(&pitr(t0), &want).is_ok());
        assert!(restored_from(&pitr(t0 - chrono::Duration::hours(1)), &want).is_err());
        assert!(restored_from(&from_backup(arn), &want).is_err());
        let latest = Planned::Pitr {
            source_arn: Some(table.clone()),
            at: None,
        };
        assert!(restored_from(&pitr(t0), &latest).is_ok());
    }

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

    #[test]
    fn the_estimate_is_the_larger_of_the_pacing_and_the_waves() {
        let e = estimate(200, 50);
        assert_eq!(e.waves, 4);
        assert!((e.request_seconds - 20.0).abs() < 1e-9);
        assert_eq!(estimate(0, 50).waves, 0);
        assert_eq!(estimate(51, 50).waves, 2);
    }
}
