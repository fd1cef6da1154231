//! Evidence about a fleet's backups, for `report`: what each table holds and what it
//! costs, what its retention policy would free, on which days it has a restore point, and
//! the document the report renders. Pure: listings, plans and prices in, figures out.

pub mod continuity;
pub mod prices;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::{Backup, BackupKind, BackupStatus};
use crate::retention::{dated_in_future, Action, Plan};
use crate::timeparse::{format_age, Span};

pub use continuity::{continuity, Continuity, Gap, WINDOW_DAYS};

/// AVAILABLE backups by who made them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ByType {
    /// USER backups made by ddb-backup (their names fit the template).
    pub managed: usize,
    /// Other USER backups (made by hand or another tool).
    pub unmanaged: usize,
    pub system: usize,
    pub aws_backup: usize,
}

/// What a table holds now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Held {
    /// AVAILABLE backups of every type.
    pub backups: usize,
    pub by_type: ByType,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
    /// The sum of their BackupSizeBytes (DynamoDB updates it about every six hours).
    pub storage_bytes: i64,
    /// At the region's on-demand backup storage price; `null` when the price is unknown.
    pub monthly_cost_usd: Option<f64>,
}

/// Everything a table's listing gives, counted.
pub fn held(backups: &[Backup], is_managed: &dyn Fn(&Backup) -> bool, price: Option<f64>) -> Held {
    let mut by_type = ByType::default();
    let mut bytes = 0i64;
    let (mut oldest, mut newest) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
    let mut n = 0;
    for b in backups
        .iter()
        .filter(|b| b.status == BackupStatus::Available)
    {
        n += 1;
        match b.kind {
            BackupKind::User if is_managed(b) => by_type.managed += 1,
            BackupKind::User | BackupKind::Unknown => by_type.unmanaged += 1,
            BackupKind::System => by_type.system += 1,
            BackupKind::AwsBackup => by_type.aws_backup += 1,
        }
        bytes = bytes.saturating_add(b.size_bytes.unwrap_or(0).max(0));
        oldest = Some(oldest.map_or(b.created_at, |o| o.min(b.created_at)));
        newest = Some(newest.map_or(b.created_at, |o| o.max(b.created_at)));
    }
    Held {
        backups: n,
        by_type,
        oldest,
        newest,
        storage_bytes: bytes,
        monthly_cost_usd: price.map(|p| prices::monthly_cost(bytes, p)),
    }
}

/// One backup of a plan, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedBackup {
    pub backup_name: String,
    pub created_at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: BackupKind,
    pub size_bytes: Option<i64>,
    pub reasons: Vec<String>,
}

/// What the retention policy would do now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    pub policy: String,
    pub to_delete: usize,
    pub freed_bytes: i64,
    /// The monthly run-rate the deletions save; `null` when the price is unknown.
    pub freed_monthly_cost_usd: Option<f64>,
    /// Set when a safety rail holds the whole plan: nothing would be deleted.
    pub held: Option<String>,
    /// Every AVAILABLE backup that stays, with the reasons it is kept.
    pub kept: Vec<PlannedBackup>,
    /// The backups the plan deletes.
    pub delete: Vec<PlannedBackup>,
}

fn planned(d: &crate::retention::Decision) -> PlannedBackup {
    PlannedBackup {
        backup_name: d.backup.backup_name.clone(),
        created_at: d.backup.created_at,
        kind: d.backup.kind,
        size_bytes: d.backup.size_bytes,
        reasons: d.reasons.clone(),
    }
}

/// The bytes a plan's deletions free.
pub fn freed_bytes(plan: &Plan) -> i64 {
    plan.to_delete()
        .map(|d| d.backup.size_bytes.unwrap_or(0).max(0))
        .fold(0i64, i64::saturating_add)
}

/// A plan summed up for the report.
pub fn plan_summary(plan: &Plan, policy: String, price: Option<f64>) -> PlanSummary {
    let freed = freed_bytes(plan);
    let available = |d: &&crate::retention::Decision| d.backup.status == BackupStatus::Available;
    PlanSummary {
        policy,
        to_delete: plan.count(Action::Delete),
        freed_bytes: freed,
        freed_monthly_cost_usd: price.map(|p| prices::monthly_cost(freed, p)),
        held: plan.held.clone(),
        kept: plan
            .decisions
            .iter()
            .filter(available)
            .filter(|d| d.action != Action::Delete)
            .map(planned)
            .collect(),
        delete: plan.to_delete().map(planned).collect(),
    }
}

/// The calendar days (in `tz`) on which AVAILABLE backups were made.
pub fn days_of(backups: &[Backup], tz: Tz) -> BTreeSet<NaiveDate> {
    backups
        .iter()
        .filter(|b| b.status == BackupStatus::Available)
        .map(|b| b.created_at.with_timezone(&tz).date_naive())
        .collect()
}

/// Point-in-time recovery as DescribeContinuousBackups reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pitr {
    pub enabled: bool,
    pub recovery_period_days: Option<i32>,
    pub earliest_restorable: Option<DateTime<Utc>>,
    pub latest_restorable: Option<DateTime<Utc>>,
    /// Why it could not be read (the rest is then unknown).
    pub error: Option<String>,
}

/// The last restore drill of a table, from the metrics file `run` and `verify` write.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Drill {
    /// `passed` or `failed`; `null` when the file records no drill result.
    pub last_result: Option<&'static str>,
    /// When the last drill ended (when the file records it).
    pub last_at: Option<DateTime<Utc>>,
    /// When a drill last passed.
    pub last_passed_at: Option<DateTime<Utc>>,
    /// Seconds the last drill's restore took until the table was ACTIVE.
    pub restore_seconds: Option<f64>,
    pub items: Option<u64>,
}

/// The rules a table is held to (the same checks as `check`, as evidence).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rules {
    /// The newest AVAILABLE backup made by ddb-backup must be younger than this.
    #[serde(serialize_with = "span_text")]
    pub max_age: Option<Span>,
    /// At least this many AVAILABLE backups made by ddb-backup.
    pub min_count: Option<u32>,
    /// At least this many days of streak.
    pub min_streak_days: Option<u32>,
}

/// A duration as it was given (`26h`).
fn span_text<S: serde::Serializer>(v: &Option<Span>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(span) => s.serialize_str(&span.to_string()),
        None => s.serialize_none(),
    }
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.max_age.is_none() && self.min_count.is_none() && self.min_streak_days.is_none()
    }
}

/// The rules a table breaks, one line each (empty: none).
pub fn failing(
    backups: &[Backup],
    is_managed: &dyn Fn(&Backup) -> bool,
    rules: &Rules,
    streak_days: u32,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut out = Vec::new();
    if rules.is_empty() {
        return out;
    }
    let good: Vec<&Backup> = backups
        .iter()
        .filter(|b| b.status == BackupStatus::Available && is_managed(b))
        .collect();
    let which = "AVAILABLE backup made by ddb-backup";
    if let Some(max) = &rules.max_age {
        match good.iter().map(|b| b.created_at).max() {
            None => out.push(format!("max_age: no {which}")),
            Some(t) if dated_in_future(t, now) => out.push(format!(
                "max_age: the newest {which} is dated {} in the future of DynamoDB's clock: \
                 no proof of freshness",
                format_age(t - now)
            )),
            Some(t) if now - t > max.chrono() => out.push(format!(
                "max_age: the newest {which} is {} old (max {max})",
                format_age(now - t)
            )),
            Some(_) => {}
        }
    }
    if let Some(min) = rules.min_count {
        if (good.len() as u64) < u64::from(min) {
            out.push(format!(
                "min_count: {} {which}(s), fewer than {min}",
                good.len()
            ));
        }
    }
    if let Some(min) = rules.min_streak_days {
        if streak_days < min {
            out.push(format!(
                "min_streak_days: a streak of {}, fewer than {min}",
                crate::error::count(streak_days as usize, "day", "days")
            ));
        }
    }
    out
}

/// The archive tier's part of a table's evidence: with a policy's `[policy.export]`, the
/// exports its manifests list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Exports {
    pub configured: bool,
    /// Exports listed (any status), newest export time, and the bytes their prefixes hold.
    pub count: Option<usize>,
    pub newest: Option<chrono::DateTime<chrono::Utc>>,
    pub stored_bytes: Option<i64>,
    /// Why they could not be listed (then the figures are `null`, never zero).
    pub error: Option<String>,
}

/// One table's evidence.
#[derive(Debug, Clone, Serialize)]
pub struct TableEvidence {
    pub account: String,
    pub region: String,
    pub table: String,
    /// The config policy (or `command-line`).
    pub policy: String,
    /// `ok`, or `incomplete`: the table's listing is incomplete or inconsistent, and
    /// nothing is known of its backups (never shown as "no backups").
    pub status: &'static str,
    pub error: Option<String>,
    pub held: Option<Held>,
    /// Absent without a retention policy (or without a complete listing).
    pub plan: Option<PlanSummary>,
    pub continuity: Option<Continuity>,
    pub pitr: Option<Pitr>,
    /// Absent without `--metrics-file`.
    pub drill: Option<Drill>,
    pub exports: Exports,
    /// The rules the table breaks.
    pub failing: Vec<String>,
}

impl TableEvidence {
    pub fn ok(&self) -> bool {
        self.status == "ok"
    }
}

/// One target's totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TargetTotals {
    pub target: Option<String>,
    pub account: String,
    pub region: String,
    pub tables: usize,
    pub tables_failing: usize,
    pub incomplete: usize,
    pub backups: usize,
    pub storage_bytes: i64,
    pub monthly_cost_usd: Option<f64>,
    pub freed_bytes: i64,
    pub freed_monthly_cost_usd: Option<f64>,
    /// Why the target could not be reported at all.
    pub error: Option<String>,
}

/// The fleet's totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub tables: usize,
    /// Tables breaking a rule, or whose listing is incomplete.
    pub tables_failing: usize,
    /// Tables whose listing is incomplete or inconsistent.
    pub incomplete: usize,
    pub backups: usize,
    pub storage_bytes: i64,
    /// `null` when any table's price is unknown (a partial sum would look complete).
    pub monthly_cost_usd: Option<f64>,
    pub freed_bytes: i64,
    pub freed_monthly_cost_usd: Option<f64>,
    pub to_delete: usize,
    pub pitr_enabled: usize,
    pub drills_passed: usize,
    pub drills_failed: usize,
    pub interrupted: bool,
    pub targets: Vec<TargetTotals>,
}

/// The prices the report used.
#[derive(Debug, Clone, Serialize)]
pub struct PriceInfo {
    pub as_of: &'static str,
    pub source: &'static str,
    /// `--price-per-gb-month`, when given (it replaces the table's backup price).
    pub override_per_gb_month: Option<f64>,
    /// The backup and PITR prices per GB-month of each region in the report.
    pub regions: Vec<RegionPrice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionPrice {
    pub region: String,
    pub backup_per_gb_month: Option<f64>,
    pub pitr_per_gb_month: Option<f64>,
}

/// The report document (`--output json`, and what every other form renders).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: &'static str,
    pub generated_at: DateTime<Utc>,
    pub version: &'static str,
    pub timezone: String,
    pub rules: Rules,
    pub prices: PriceInfo,
    /// DynamoDB updates BackupSizeBytes about every six hours.
    pub storage_note: &'static str,
    pub tables: Vec<TableEvidence>,
    pub summary: Summary,
}

pub const STORAGE_NOTE: &str = "storage_bytes is the sum of BackupSizeBytes, which DynamoDB \
updates about every six hours; backup storage is billed per GB-month, and deleting a backup \
earns a prorated credit for the rest of the month (freed_monthly_cost_usd is the monthly \
run-rate saved)";

fn add_cost(total: Option<f64>, v: Option<f64>) -> Option<f64> {
    Some(total? + v?)
}

/// The totals of some tables (`Some(0)`-started costs become `None` once a price is
/// unknown).
fn totals<'a>(tables: impl Iterator<Item = &'a TableEvidence>) -> TargetTotals {
    let mut t = TargetTotals {
        monthly_cost_usd: Some(0.0),
        freed_monthly_cost_usd: Some(0.0),
        ..TargetTotals::default()
    };
    for e in tables {
        t.tables += 1;
        if !e.ok() {
            t.incomplete += 1;
        }
        if !e.ok() || !e.failing.is_empty() {
            t.tables_failing += 1;
        }
        if let Some(h) = &e.held {
            t.backups += h.backups;
            t.storage_bytes = t.storage_bytes.saturating_add(h.storage_bytes);
            t.monthly_cost_usd = add_cost(t.monthly_cost_usd, h.monthly_cost_usd);
        }
        if let Some(p) = &e.plan {
            t.freed_bytes = t.freed_bytes.saturating_add(p.freed_bytes);
            t.freed_monthly_cost_usd = add_cost(t.freed_monthly_cost_usd, p.freed_monthly_cost_usd);
        }
    }
    t.monthly_cost_usd = t.monthly_cost_usd.map(prices::cents);
    t.freed_monthly_cost_usd = t.freed_monthly_cost_usd.map(prices::cents);
    t
}

/// A target as the report knows it: its place and its tables, or why it failed.
pub struct TargetPart<'a> {
    pub target: Option<String>,
    pub account: String,
    pub region: String,
    pub tables: &'a [TableEvidence],
    pub error: Option<String>,
}

/// The fleet's summary from its tables and targets.
pub fn summarize(all: &[TableEvidence], parts: &[TargetPart<'_>], interrupted: bool) -> Summary {
    let t = totals(all.iter());
    let drill = |r: &str| {
        all.iter()
            .filter(|e| e.drill.as_ref().and_then(|d| d.last_result) == Some(r))
            .count()
    };
    Summary {
        tables: t.tables,
        tables_failing: t.tables_failing,
        incomplete: t.incomplete,
        backups: t.backups,
        storage_bytes: t.storage_bytes,
        monthly_cost_usd: t.monthly_cost_usd,
        freed_bytes: t.freed_bytes,
        freed_monthly_cost_usd: t.freed_monthly_cost_usd,
        to_delete: all
            .iter()
            .filter_map(|e| e.plan.as_ref())
            .map(|p| p.to_delete)
            .sum(),
        pitr_enabled: all
            .iter()
            .filter(|e| e.pitr.as_ref().is_some_and(|p| p.enabled))
            .count(),
        drills_passed: drill("passed"),
        drills_failed: drill("failed"),
        interrupted,
        targets: parts
            .iter()
            .map(|p| TargetTotals {
                target: p.target.clone(),
                account: p.account.clone(),
                region: p.region.clone(),
                error: p.error.clone(),
                ..totals(p.tables.iter())
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::{Policy, Rails, Scope};
    use chrono::{Duration, TimeZone};

    fn backup(name: &str, kind: BackupKind, days_ago: i64, size: i64) -> Backup {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let created = now - Duration::days(days_ago);
        Backup {
            table: "orders".into(),
            table_arn: None,
            backup_arn: format!(
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/{:014}-abcd0123",
                created.timestamp_millis()
            ),
            backup_name: name.into(),
            status: BackupStatus::Available,
            kind,
            created_at: created,
            expires_at: None,
            size_bytes: Some(size),
        }
    }

    fn managed(b: &Backup) -> bool {
        b.backup_name.starts_with("ddb-backup.")
    }

    #[test]
    fn held_counts_by_type_and_prices_the_bytes() {
        let gib = prices::GB as i64;
        let list = vec![
            backup("ddb-backup.orders.a", BackupKind::User, 1, 3 * gib),
            backup("by-hand", BackupKind::User, 2, 2 * gib),
            backup("sys", BackupKind::System, 3, gib),
            backup("vault", BackupKind::AwsBackup, 4, gib),
        ];
        let h = held(&list, &managed, Some(0.10));
        assert_eq!(h.backups, 4);
        assert_eq!(
            h.by_type,
            ByType {
                managed: 1,
                unmanaged: 1,
                system: 1,
                aws_backup: 1
            }
        );
        assert_eq!(h.storage_bytes, 7 * gib);
        assert_eq!(h.monthly_cost_usd, Some(0.70));
        assert_eq!(h.oldest, Some(list[3].created_at));
        assert_eq!(h.newest, Some(list[0].created_at));
        assert_eq!(held(&list, &managed, None).monthly_cost_usd, None);
    }

    #[test]
    fn a_plan_frees_what_it_deletes_and_keeps_its_reasons() {
        let gib = prices::GB as i64;
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let list: Vec<Backup> = (0..10)
            .map(|i| backup(&format!("ddb-backup.orders.{i}"), BackupKind::User, i, gib))
            .collect();
        let policy = Policy {
            last: Some(crate::retention::Count::Limited(3)),
            ..Policy::default()
        };
        let scope = Scope {
            is_managed: &managed,
            include_unmanaged: false,
        };
        let plan = crate::retention::plan(
            "orders",
            &list,
            &policy,
            &Rails::default(),
            &scope,
            now,
            chrono_tz::UTC,
        );
        let s = plan_summary(&plan, policy.describe(), Some(0.10));
        assert_eq!((s.to_delete, s.kept.len(), s.delete.len()), (7, 3, 7));
        assert_eq!(s.freed_bytes, 7 * gib);
        assert_eq!(s.freed_monthly_cost_usd, Some(0.70));
        assert!(s.kept[0].reasons.contains(&"last".to_string()));
        assert_eq!(
            plan_summary(&plan, String::new(), None).freed_monthly_cost_usd,
            None
        );
    }

    #[test]
    fn rules_fail_as_check_does() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let list = vec![
            backup("ddb-backup.orders.a", BackupKind::User, 3, 1),
            backup("by-hand", BackupKind::User, 0, 1),
        ];
        let rules = Rules {
            max_age: Some("1d".parse().unwrap()),
            min_count: Some(2),
            min_streak_days: Some(7),
        };
        let f = failing(&list, &managed, &rules, 1, now);
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].starts_with("max_age: the newest AVAILABLE backup made by ddb-backup is 3d"));
        assert!(failing(&list, &managed, &Rules::default(), 0, now).is_empty());
    }

    #[test]
    fn an_unknown_price_makes_the_total_unknown_never_zero() {
        let row = |cost: Option<f64>| TableEvidence {
            account: "1".into(),
            region: "r".into(),
            table: "t".into(),
            policy: "p".into(),
            status: "ok",
            error: None,
            held: Some(Held {
                backups: 1,
                by_type: ByType::default(),
                oldest: None,
                newest: None,
                storage_bytes: 10,
                monthly_cost_usd: cost,
            }),
            plan: None,
            continuity: None,
            pitr: None,
            drill: None,
            exports: Exports::default(),
            failing: Vec::new(),
        };
        let known = [row(Some(1.25)), row(Some(2.5))];
        assert_eq!(summarize(&known, &[], false).monthly_cost_usd, Some(3.75));
        let mixed = [row(Some(1.25)), row(None)];
        let s = summarize(&mixed, &[], false);
        assert_eq!((s.monthly_cost_usd, s.storage_bytes), (None, 20));
    }
}
