//! A fleet restore's report: each table's row (source, target, status, recovery times,
//! settings, verification), the summary and the dry run's estimate; and the recovery
//! times an earlier run's report recorded, kept by a rerun.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cli::RestoreArgs;
pub use crate::engine::restored_count::Verification;
use crate::engine::settings::SettingResult;
use crate::engine::targets::{self, Reached, TargetSummary};
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::model::TableInfo;
use crate::targets::Placed;

/// Now, to DynamoDB's millisecond (reports never carry nanoseconds).
pub(crate) fn now_ms() -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(Utc::now(), 3)
}

/// DynamoDB's documented rate of RestoreTableFromBackup and RestoreTableToPointInTime.
pub fn restore_rate() -> f64 {
    crate::aws::DOCUMENTED_RATES
        .iter()
        .find(|(op, _)| *op == "RestoreTableFromBackup")
        .map(|(_, r)| *r)
        .unwrap_or(10.0)
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
    /// Restored and ACTIVE, stopped before its settings or verification were finished: a
    /// rerun finishes it.
    Interrupted,
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
            Status::Interrupted => "interrupted",
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
    /// Restored or already restored (a dry run restores nothing: see `would_restore`).
    pub succeeded: usize,
    /// Dry run: the tables it would restore.
    pub would_restore: usize,
    pub failed: usize,
    pub already_restored: usize,
    pub restoring: usize,
    pub not_started: usize,
    /// Restored and ACTIVE, stopped before settings or verification finished.
    pub interrupted_tables: usize,
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
    /// When the fleet's first run started: a rerun that resumes an unfinished run (the
    /// same `--report`) keeps it, and its `--latest` picks backups made before it.
    pub fleet_started_at: DateTime<Utc>,
    pub results: Vec<Placed<TableRestore>>,
    pub summary: Summary,
    /// The rows of an earlier run of this fleet (the same `--report`) for tables this run
    /// did not select (a narrowed rerun), as that run left them: the file stays the whole
    /// fleet's, so a later full rerun still resumes every table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<serde_json::Value>,
}

impl Report {
    /// Takes into `carried` the earlier rows of tables this run did not report.
    pub(crate) fn carry(mut self, earlier: &EarlierReport) -> Self {
        let here: std::collections::BTreeSet<(String, String, String)> = self
            .results
            .iter()
            .map(|r| {
                (
                    r.target_account.clone(),
                    r.target_region.clone(),
                    r.target.clone(),
                )
            })
            .collect();
        self.carried = earlier
            .raw
            .iter()
            .filter(|(k, _)| !here.contains(*k))
            .map(|(_, v)| v.clone())
            .collect();
        self
    }
}

/// A table's recovery times in an earlier report.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Earlier {
    pub target_account: String,
    pub target_region: String,
    pub target: String,
    #[serde(default)]
    pub backup_arn: Option<String>,
    #[serde(default)]
    pub requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub active_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub seconds_to_active: Option<f64>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub settings: Option<String>,
    #[serde(default)]
    pub verification: Option<EarlierVerification>,
}

/// An earlier report's item count check.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct EarlierVerification {
    pub status: String,
    #[serde(default)]
    pub expected_items: Option<i64>,
    #[serde(default)]
    pub items: Option<i64>,
    #[serde(default)]
    pub detail: Option<String>,
}

impl Earlier {
    /// Whether the earlier run finished this table: restored, ACTIVE, its settings
    /// applied (or skipped) and its count checked when asked.
    pub fn finished(&self) -> bool {
        matches!(
            self.status.as_deref(),
            Some("restored" | "already_restored")
        ) && matches!(self.settings.as_deref(), Some("applied" | "skipped"))
    }

    /// The earlier check, as this run reports it.
    pub fn verification(&self) -> Option<Verification> {
        let v = self.verification.as_ref()?;
        let status = match v.status.as_str() {
            "passed" => "passed",
            "failed" => "failed",
            "skipped" => "skipped",
            _ => return None,
        };
        Some(Verification {
            status,
            expected_items: v.expected_items,
            items: v.items,
            detail: v.detail.clone(),
        })
    }
}

/// The largest earlier report read for its recovery times.
pub(crate) const EARLIER_REPORT_MAX: u64 = 256 * 1024 * 1024;

/// The recovery times of the tables of an earlier report at `path` (a rerun's own
/// `--report`): a table found already restored keeps the time it took. Anything
/// unreadable is ignored (the times are then unknown, never made up).
pub(crate) fn earlier_times(path: Option<&std::path::Path>) -> EarlierReport {
    #[derive(serde::Deserialize)]
    struct File {
        command: String,
        #[serde(default)]
        dry_run: bool,
        #[serde(default)]
        fleet_started_at: Option<DateTime<Utc>>,
        results: Vec<serde_json::Value>,
        #[serde(default)]
        carried: Vec<serde_json::Value>,
    }
    let Some(path) = path else {
        return EarlierReport::default();
    };
    let read = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file() && m.len() <= EARLIER_REPORT_MAX)
        .and_then(|_| std::fs::read(path).ok())
        .and_then(|b| serde_json::from_slice::<File>(&b).ok())
        .filter(|f| f.command == "restore" && !f.dry_run);
    let Some(f) = read else {
        return EarlierReport::default();
    };
    let mut rows = BTreeMap::new();
    let mut raw = BTreeMap::new();
    for v in f.results.into_iter().chain(f.carried) {
        // A row that does not read as one is left out (its times are then unknown).
        let Ok(e) = serde_json::from_value::<Earlier>(v.clone()) else {
            continue;
        };
        let key = (
            e.target_account.clone(),
            e.target_region.clone(),
            e.target.clone(),
        );
        raw.insert(key.clone(), v);
        rows.insert(key, e);
    }
    // Unfinished while any table of the fleet (carried ones too) is not restored.
    let unfinished = rows
        .values()
        .any(|e| !matches!(e.status.as_deref(), Some("restored" | "already_restored")));
    EarlierReport {
        resumes: unfinished,
        fleet_started_at: f.fleet_started_at.filter(|_| unfinished),
        rows,
        raw,
    }
}

/// What an earlier report (the same `--report` file) tells a rerun.
#[derive(Debug, Default)]
pub(crate) struct EarlierReport {
    /// Each target's row: its recovery times and whether it was finished.
    pub rows: BTreeMap<(String, String, String), Earlier>,
    /// The same rows as the file holds them, to carry those of tables a narrowed rerun
    /// does not select.
    pub raw: BTreeMap<(String, String, String), serde_json::Value>,
    /// The earlier run did not finish every table: this run resumes it, from the backups
    /// it chose (and, for tables it had not reached, backups made before it started).
    pub resumes: bool,
    pub fleet_started_at: Option<DateTime<Utc>>,
}

/// The recovery times of a target restored before this run: requested when DynamoDB
/// created it; ACTIVE as an earlier report of the same target says (the same `--report`
/// file), or as this run sees it when it is still being restored.
pub(crate) fn already_restored_times<'a>(
    earlier: &'a EarlierReport,
    info: &TableInfo,
    row: &mut TableRestore,
) -> Option<&'a Earlier> {
    let key = (
        row.target_account.clone(),
        row.target_region.clone(),
        row.target.clone(),
    );
    // The earlier row must be of this very table: requested before DynamoDB made it
    // (within a few seconds of clock difference) and ACTIVE after. A table deleted and
    // restored again since, or an edited report, is not believed.
    let of_this_table = |e: &Earlier| {
        e.backup_arn == row.backup_arn
            && match (e.requested_at, e.active_at, info.created_at) {
                (Some(req), active, Some(created)) => {
                    req <= created + chrono::Duration::seconds(5)
                        && created - req <= chrono::Duration::hours(24)
                        && active.is_none_or(|a| a + chrono::Duration::seconds(5) >= created)
                }
                _ => false,
            }
    };
    match earlier.rows.get(&key).filter(|e| of_this_table(e)) {
        Some(e) => {
            row.requested_at = e.requested_at;
            row.active_at = e.active_at;
            row.seconds_to_active = e.seconds_to_active;
            Some(e)
        }
        None => {
            row.requested_at = info.created_at;
            None
        }
    }
}

/// RFC 3339 to DynamoDB's millisecond.
pub(crate) fn time_ms(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The fleet's report from every target's rows.
pub fn report(
    mut reached: Vec<Reached<Vec<TableRestore>>>,
    a: &RestoreArgs,
    ctx: &Ctx,
    fleet_started_at: DateTime<Utc>,
) -> Report {
    let count = |rows: &Vec<TableRestore>| {
        let ok = rows.iter().filter(|r| r.status.ok()).count();
        let failed = rows.iter().filter(|r| r.status == Status::Failed).count();
        (rows.len(), ok, failed)
    };
    let per_target = targets::summaries(&reached, count);
    let results = targets::placed(&mut reached, std::mem::take);
    // Each failed table says so on stderr too, as a one-table restore does.
    for r in results.iter().filter(|r| r.status == Status::Failed) {
        tracing::error!(
            account = %r.at.account,
            region = %r.at.region,
            table = %r.source_table,
            target = %r.target,
            "restore failed: {}",
            r.detail.as_deref().unwrap_or("")
        );
    }
    let n = |s: Status| results.iter().filter(|r| r.status == s).count();
    let succeeded = n(Status::Restored) + n(Status::AlreadyRestored);
    let first = results.iter().filter_map(|r| r.requested_at).min();
    let last = results.iter().filter_map(|r| r.finished_at).max();
    let to_restore = n(Status::WouldRestore);
    let estimate = a.dry_run.then(|| estimate(to_restore, a.max_restores));
    Report {
        command: "restore",
        dry_run: a.dry_run,
        fleet_started_at,
        summary: Summary {
            tables: results.len(),
            succeeded,
            would_restore: to_restore,
            failed: n(Status::Failed),
            already_restored: n(Status::AlreadyRestored),
            restoring: n(Status::Restoring),
            not_started: n(Status::NotStarted),
            interrupted_tables: n(Status::Interrupted),
            fleet_seconds: first
                .zip(last)
                .map(|(f, l)| (l - f).num_milliseconds().max(0) as f64 / 1000.0),
            interrupted: ctx.stop.requested(),
            targets: per_target,
            estimate,
        },
        results,
        carried: Vec::new(),
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
    let s = &r.summary;
    // A table left unfinished without a stop (none is, today) is not a success.
    let unfinished = s.restoring + s.not_started + s.interrupted_tables;
    targets::fleet_exit(
        &s.targets,
        s.succeeded + s.would_restore,
        s.failed + if s.interrupted { 0 } else { unfinished },
        s.interrupted,
    )
}

/// A table stopped before its restore was requested.
pub(crate) fn stopped_before(mut row: TableRestore, why: String) -> TableRestore {
    row.status = Status::NotStarted;
    row.detail = Some(format!(
        "stopped before its restore was requested ({why}): a rerun restores it (or finds it \
         restored)"
    ));
    row
}

/// A table restored and ACTIVE, stopped before `what` was finished.
pub(crate) fn interrupted(mut row: TableRestore, target: &str, what: &str) -> TableRestore {
    row.status = Status::Interrupted;
    row.finished_at = Some(now_ms());
    row.detail = Some(format!(
        "'{target}' is restored and ACTIVE; the run stopped before {what} finished: a rerun \
         finishes it"
    ));
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_the_larger_of_the_pacing_and_the_waves() {
        let e = estimate(200, 50);
        assert_eq!(e.waves, 4);
        assert!((e.request_seconds - 20.0).abs() < 1e-9);
        assert_eq!(estimate(0, 50).waves, 0);
        assert_eq!(estimate(51, 50).waves, 2);
    }
}
