//! Restore drills. Each table's newest backup made by ddb-backup is
//! restored to a scratch table, checked against the backup's description, and the scratch
//! table is always dropped — only a table this tool made (name and tag both match).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::aws::listing::RunListing;
use crate::aws::{Dynamo, IndexChoice, RestoreRequest, SseChoice};
use crate::cli::VerifyArgs;
use crate::config::Config;
use crate::engine::targets::{Target, TargetSummary};
use crate::engine::{fleet, Ctx};
use crate::ids::table_name;
use crate::model::{Backup, BackupDescription, BackupStatus, IndexInfo, TableInfo};
use crate::names::{self, NameTemplate};
use crate::select;
use crate::targets::Placed;

/// The tag every scratch table carries: its value is the drill's run id.
pub const TAG: &str = names::VERIFY_TAG;

/// A scratch table left by a drill whose process is gone (on this host), or older than
/// this, is dropped by the next verify.
const LEFTOVER_AGE: chrono::Duration = chrono::Duration::hours(24);

/// How long dropping a scratch table may take (it may still be CREATING).
const DROP_LIMIT: Duration = Duration::from_secs(600);

/// One check of a drill.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: &'static str,
    /// `passed`, `failed`, or `unknown`: the backup's description does not say what to
    /// expect, so the check neither passes nor fails the drill.
    pub status: &'static str,
    /// True only when `status` is `passed`.
    pub passed: bool,
    pub expected: String,
    pub actual: String,
    /// Why the check is `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Check {
    /// A comparison of what the backup's description recorded with what the scratch table
    /// has; `None` recorded makes it `unknown`, with `reason`.
    pub fn compare(
        check: &'static str,
        recorded: Option<String>,
        actual: String,
        reason: &str,
    ) -> Check {
        let (status, expected, reason) = match recorded {
            Some(e) if e == actual => ("passed", e, None),
            Some(e) => ("failed", e, None),
            None => ("unknown", "unknown".to_string(), Some(reason.to_string())),
        };
        Check {
            check,
            status,
            passed: status == "passed",
            expected,
            actual,
            reason,
        }
    }
}

/// One table's drill.
#[derive(Debug, Clone, Serialize)]
pub struct Drill {
    pub table: String,
    /// `passed`, `failed`, `would_verify`, `interrupted` or `error`.
    pub outcome: &'static str,
    pub backup_name: Option<String>,
    pub backup_arn: Option<String>,
    pub scratch_table: Option<String>,
    pub checks: Vec<Check>,
    /// Seconds from the restore request until the scratch table was ACTIVE.
    pub restore_seconds: Option<f64>,
    pub items: Option<i64>,
    /// Whether the scratch table was dropped (absent when none was made).
    pub dropped: Option<bool>,
    pub detail: Option<String>,
    /// How the scratch table's settings record differs from the source table's (what a
    /// restore of this backup would have to set up again; reported, never a failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings_differences: Option<Vec<String>>,
}

impl Drill {
    pub fn ok(&self) -> bool {
        matches!(self.outcome, "passed" | "would_verify")
    }

    /// A drill that could not be made, and why.
    pub fn failed(table: &str, why: String) -> Drill {
        let mut d = Drill::new(table);
        d.outcome = "failed";
        d.detail = Some(why);
        d
    }

    pub fn new(table: &str) -> Drill {
        Drill {
            table: table_name(table).to_string(),
            outcome: "error",
            backup_name: None,
            backup_arn: None,
            scratch_table: None,
            checks: Vec::new(),
            restore_seconds: None,
            items: None,
            dropped: None,
            detail: None,
            settings_differences: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifySummary {
    pub tables: usize,
    /// Drills that restored, checked and passed (never counted in a dry run).
    pub passed: usize,
    /// Dry run: the drills that would be made.
    pub would_verify: usize,
    pub failed: usize,
    pub leftovers_dropped: usize,
    pub interrupted: bool,
    pub targets: Vec<TargetSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub command: &'static str,
    pub dry_run: bool,
    pub run_id: String,
    pub tables: Vec<Placed<Drill>>,
    /// Scratch tables of earlier, killed drills that this run dropped.
    pub leftovers_dropped: Vec<Placed<Leftover>>,
    pub summary: VerifySummary,
}

/// A scratch table of an earlier drill, dropped.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    pub table: String,
    /// The run id in its tag.
    pub made_by: String,
}

/// How drills are made.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    pub dry_run: bool,
    pub run_id: String,
}

/// This run's id: host, process and time, so a later run can tell a killed drill's
/// scratch table (its process is gone) from a running one's.
pub fn run_id() -> String {
    let host: String = crate::ids::host_name()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-._".contains(*c))
        .take(64)
        .collect();
    format!("{host}/{}/{}", std::process::id(), Utc::now().timestamp())
}

/// `TABLE-verify-TIMESTAMP`, the table part shortened so the name fits 255 characters.
pub fn scratch_name(table: &str, at: chrono::DateTime<Utc>) -> String {
    names::WorkTable::Scratch.name(table_name(table), at)
}

/// True when `name` has the shape of a scratch table name.
pub fn is_scratch_name(name: &str) -> bool {
    names::work_table(name) == Some(names::WorkTable::Scratch)
}

/// One target: its leftover scratch tables dropped, then every table's drill.
pub async fn in_target(
    t: &Target,
    args: &VerifyArgs,
    config: Option<&Config>,
    opts: &Options,
    ctx: &Ctx,
) -> Result<(Vec<Drill>, Vec<Leftover>)> {
    let d = &t.dynamo;
    let leftovers = if opts.dry_run {
        Vec::new()
    } else {
        drop_leftovers(d, &opts.run_id).await?
    };
    if let Some(arn) = &args.backup_arn {
        let desc = d.describe_backup(arn).await?;
        let drill = drill(
            d,
            &desc.source_table.table_name.clone(),
            Source::Described(Box::new(desc)),
            opts,
            ctx,
        )
        .await;
        return Ok((vec![drill], leftovers));
    }
    // (table, the template its backups are named by)
    let (work, in_region, existing): (Vec<(String, NameTemplate)>, _, _) = match config {
        Some(c) => {
            let f = fleet::resolve(c, &args.select, t).await?;
            let work = f
                .assigned
                .into_iter()
                .filter(|a| a.conflict.is_none())
                .map(|a| {
                    let p = &c.policies[a.policy];
                    let tpl = args
                        .name
                        .template
                        .clone()
                        .or_else(|| p.backup.name.clone())
                        .or_else(|| c.defaults.name.clone())
                        .unwrap_or_default();
                    (a.table, tpl)
                })
                .collect();
            (work, f.in_region, f.existing)
        }
        None => {
            let Some(sel) = select::for_target(&args.select, &t.at) else {
                return Ok((Vec::new(), leftovers));
            };
            let s = select::resolve(&sel, d).await?;
            let tpl = args.name.template_or_default();
            (
                s.tables.into_iter().map(|t| (t, tpl.clone())).collect(),
                s.in_region,
                s.existing,
            )
        }
    };
    let listing = RunListing::start(d, work.len(), in_region, existing).await;
    let sem = Arc::new(Semaphore::new(args.concurrency as usize));
    let mut tasks = JoinSet::new();
    for (i, (table, tpl)) in work.into_iter().enumerate() {
        let (d, l, o, c, sem) = (
            d.clone(),
            listing.clone(),
            opts.clone(),
            ctx.clone(),
            sem.clone(),
        );
        tasks.spawn(
            async move {
                let _permit = sem.acquire_owned().await;
                let r = match Box::pin(l.backups_of(&table)).await {
                    Ok(list) => match newest_managed(&list, &tpl, &table) {
                        Some(b) => Box::pin(drill(&d, &table, Source::Listed(b), &o, &c)).await,
                        None => {
                            let mut r = Drill::new(&table);
                            r.outcome = "failed";
                            r.detail =
                                Some("no AVAILABLE backup made by ddb-backup to verify".into());
                            r
                        }
                    },
                    Err(e) => {
                        tracing::error!(table = %table_name(&table), "{}", e.message);
                        let mut r = Drill::new(&table);
                        r.detail = Some(e.message);
                        r
                    }
                };
                (i, r)
            }
            .in_current_span(),
        );
    }
    Ok((crate::engine::join_in_order(tasks).await?, leftovers))
}

/// The newest AVAILABLE backup of `table` made by ddb-backup (by its name template).
pub fn newest_managed(list: &[Backup], tpl: &NameTemplate, table: &str) -> Option<Backup> {
    list.iter()
        .filter(|b| b.status == BackupStatus::Available)
        .filter(|b| names::is_managed(tpl, table_name(table), b))
        .max_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.backup_arn.cmp(&b.backup_arn))
        })
        .cloned()
}

/// What a drill restores.
pub enum Source {
    Listed(Backup),
    Described(Box<BackupDescription>),
}

/// One table's drill: restore to a scratch table, check, drop. The scratch table is
/// dropped whatever happens (a stop included: the drop is a critical section).
pub async fn drill(d: &Dynamo, table: &str, src: Source, o: &Options, ctx: &Ctx) -> Drill {
    let mut r = Drill::new(table);
    let desc = match src {
        Source::Described(desc) => *desc,
        Source::Listed(b) => match d.describe_backup(&b.backup_arn).await {
            Ok(desc) => desc,
            Err(e) => {
                r.backup_arn = Some(b.backup_arn);
                r.detail = Some(e.message);
                return r;
            }
        },
    };
    r.backup_name = Some(desc.backup.backup_name.clone());
    r.backup_arn = Some(desc.backup.backup_arn.clone());
    let scratch = scratch_name(table, Utc::now());
    r.scratch_table = Some(scratch.clone());
    if o.dry_run {
        r.outcome = "would_verify";
        return r;
    }
    if ctx.stop.requested() {
        r.outcome = "interrupted";
        r.detail = Some("stopped before the drill started".into());
        return r;
    }
    let req = RestoreRequest {
        target: scratch.clone(),
        billing_mode: None,
        capacity: None,
        gsi: IndexChoice::All,
        lsi: IndexChoice::All,
        sse: SseChoice::Keep,
    };
    let started = Instant::now();
    if let Err(e) = d.restore_from_backup(&desc.backup.backup_arn, &req).await {
        r.outcome = if ctx.stop.requested() {
            "interrupted"
        } else {
            "error"
        };
        r.detail = Some(e.message);
        // A restore cut on the wire may have started: the scratch table is looked for.
        r.dropped = drop_scratch(d, &scratch, &o.run_id, ctx, false).await;
        return r;
    }
    tracing::info!(table = %r.table, scratch = %scratch, "drill: restoring");
    // Tagged at once when DynamoDB allows it (a killed drill's table is then recognised);
    // else once ACTIVE.
    let mut tagged = tag_scratch(d, &scratch, &o.run_id).await.is_ok();
    let outcome = crate::engine::restoring::wait_active(d, &scratch, o.timeout, ctx).await;
    match outcome {
        Ok(Some(_)) => {
            r.restore_seconds = Some(crate::engine::backup::seconds(started));
            if !tagged {
                tagged = tag_scratch(d, &scratch, &o.run_id).await.is_ok();
            }
            let _ = tagged;
            check(d, &scratch, &desc, &mut r).await;
            r.settings_differences = settings_differences(d, table_name(table), &scratch).await;
        }
        Ok(None) => {
            r.outcome = if ctx.stop.requested() {
                "interrupted"
            } else {
                "failed"
            };
            r.detail = Some(if ctx.stop.requested() {
                "stopped while the scratch table was being restored".into()
            } else {
                format!(
                    "the scratch table was not ACTIVE within {}",
                    humantime::format_duration(o.timeout)
                )
            });
        }
        Err(e) => {
            r.outcome = "error";
            r.detail = Some(e.message);
        }
    }
    r.dropped = drop_scratch(d, &scratch, &o.run_id, ctx, true).await;
    if r.dropped == Some(false) && r.outcome == "passed" {
        r.outcome = "failed";
        r.detail = Some(format!(
            "the scratch table '{scratch}' could not be dropped: delete it by hand"
        ));
    }
    log(&r);
    r
}

fn log(r: &Drill) {
    match r.outcome {
        "passed" => {
            tracing::info!(table = %r.table, items = r.items, restore_seconds = r.restore_seconds, "drill passed")
        }
        _ => {
            tracing::error!(table = %r.table, outcome = r.outcome, "drill {}: {}", r.outcome, r.detail.as_deref().unwrap_or("see its checks"))
        }
    }
}

async fn tag_scratch(
    d: &Dynamo,
    scratch: &str,
    run_id: &str,
) -> Result<(), crate::error::AwsError> {
    let arn = match d.describe_table(scratch).await? {
        Some(TableInfo { arn: Some(arn), .. }) => arn,
        _ => {
            return Err(crate::error::AwsError {
                kind: crate::error::AwsErrorKind::TableNotFound,
                operation: "TagResource",
                message: format!("scratch table '{scratch}' not found"),
            })
        }
    };
    d.tag_table(&arn, &[(TAG.to_string(), run_id.to_string())])
        .await
}

/// How the scratch table's settings record differs from the source table's; `None` when
/// the source table is gone or its record could not be read.
async fn settings_differences(d: &Dynamo, source: &str, scratch: &str) -> Option<Vec<String>> {
    use crate::engine::record;
    let want = record::read(d, source, &[]).await.ok()??;
    let have = record::read(d, scratch, &[]).await.ok()??;
    let want = record::for_target(&want, scratch, have.table_arn.as_deref(), false, false);
    let diffs = record::differences(&want, &have);
    if !diffs.is_empty() {
        tracing::info!(
            table = source,
            "the restored table differs from the source in {}: {}",
            crate::error::count(diffs.len(), "setting", "settings"),
            diffs.join("; ")
        );
    }
    Some(diffs)
}

/// The checks of a restored scratch table against the backup's description.
async fn check(d: &Dynamo, scratch: &str, desc: &BackupDescription, r: &mut Drill) {
    let info = match d.describe_table(scratch).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            r.outcome = "error";
            r.detail = Some(format!("the scratch table '{scratch}' disappeared"));
            return;
        }
        Err(e) => {
            r.outcome = "error";
            r.detail = Some(e.message);
            return;
        }
    };
    let src = &desc.source_table;
    let keys = |k: &[crate::model::KeyElement]| {
        k.iter()
            .map(|e| format!("{} {}", e.attribute, e.key_type))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let indexes = |list: &[IndexInfo]| {
        let mut v: Vec<String> = list
            .iter()
            .map(|i| format!("{} ({})", i.name, keys(&i.key_schema)))
            .collect();
        v.sort();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("; ")
        }
    };
    let mut push = |check: &'static str, expected: Option<String>, actual: String, why: &str| {
        r.checks.push(Check::compare(check, expected, actual, why));
    };
    push(
        "key_schema",
        Some(keys(&src.key_schema)),
        keys(&info.key_schema),
        "",
    );
    push(
        "global_secondary_indexes",
        src.global_secondary_indexes.as_deref().map(indexes),
        indexes(&info.global_secondary_indexes),
        "the backup's description does not list the table's global secondary indexes",
    );
    push(
        "local_secondary_indexes",
        src.local_secondary_indexes.as_deref().map(indexes),
        indexes(&info.local_secondary_indexes),
        "the backup's description does not list the table's local secondary indexes",
    );
    let billing = |mode: Option<&str>, cap: Option<(i64, i64)>| {
        let mode = mode.unwrap_or("PROVISIONED");
        match (mode, cap) {
            ("PROVISIONED", Some((rc, wc))) => format!("PROVISIONED {rc} RCU / {wc} WCU"),
            (m, _) => m.to_string(),
        }
    };
    let recorded_cap = src
        .read_capacity
        .zip(src.write_capacity)
        .filter(|(a, b)| *a > 0 && *b > 0);
    push(
        "billing",
        Some(billing(src.billing_mode.as_deref(), recorded_cap)),
        billing(info.billing_mode.as_deref(), info.capacity),
        "",
    );
    match d.count_items(scratch).await {
        Ok(n) => {
            r.items = Some(n);
            push(
                "item_count",
                src.item_count.map(|want| want.to_string()),
                n.to_string(),
                "the backup's description has no item count",
            );
        }
        Err(e) => {
            r.outcome = "error";
            r.detail = Some(e.message);
            return;
        }
    }
    let failed: Vec<&Check> = r.checks.iter().filter(|c| c.status == "failed").collect();
    let unknown: Vec<&Check> = r.checks.iter().filter(|c| c.status == "unknown").collect();
    if failed.is_empty() {
        r.outcome = "passed";
        if !unknown.is_empty() {
            let what: Vec<&str> = unknown.iter().map(|c| c.check).collect();
            let why = format!("not checked (unknown): {}", what.join(", "));
            for c in &unknown {
                tracing::warn!(table = %r.table, check = c.check, "drill: {} not checked: {}", c.check, c.reason.as_deref().unwrap_or_default());
            }
            r.detail = Some(why);
        }
    } else {
        r.outcome = "failed";
        r.detail = Some(
            failed
                .iter()
                .map(|c| format!("{}: expected {}, got {}", c.check, c.expected, c.actual))
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
}

/// Drops a scratch table this run made: name and tag both checked first, then DeleteTable,
/// waiting (within [`DROP_LIMIT`]) for a table still CREATING. No stop cuts it. `Some(true)`
/// when dropped, `Some(false)` when it could not be, `None` when there was none.
async fn drop_scratch(
    d: &Dynamo,
    scratch: &str,
    run_id: &str,
    ctx: &Ctx,
    made: bool,
) -> Option<bool> {
    let _critical = ctx.critical.enter();
    let u = d.unstoppable();
    let until = tokio::time::Instant::now() + DROP_LIMIT;
    loop {
        let info = match u.describe_table(scratch).await {
            Ok(Some(i)) => i,
            Ok(None) if !made => return None,
            Ok(None) => return Some(true),
            Err(e) => {
                tracing::error!(scratch, "cannot drop the scratch table: {}", e.message);
                return Some(false);
            }
        };
        if !is_scratch_name(&info.name) {
            return Some(false);
        }
        if info.status.as_deref() == Some("ACTIVE") {
            // Ours: the tag says this run (tag it now if the early tagging failed).
            let tags = match &info.arn {
                Some(arn) => u.list_tags(arn).await.unwrap_or_default(),
                None => Vec::new(),
            };
            // Ours: tagged by this run; or untagged when this run's restore of it surely
            // succeeded (`made`). A table that was there before a failed restore (it may
            // have made the restore fail) is never ours.
            let mine = tags.iter().any(|(k, v)| k == TAG && v == run_id);
            let untagged = !tags.iter().any(|(k, _)| k == TAG);
            if !(mine || (made && untagged)) {
                tracing::error!(
                    scratch,
                    "the table is not this drill's scratch table: not dropped"
                );
                return if made { Some(false) } else { None };
            }
            return match u.delete_table(scratch).await {
                Ok(()) => {
                    tracing::info!(scratch, "scratch table dropped");
                    Some(true)
                }
                Err(e) => {
                    tracing::error!(scratch, "cannot drop the scratch table: {}", e.message);
                    Some(false)
                }
            };
        }
        if tokio::time::Instant::now() >= until {
            tracing::error!(
                scratch,
                "the scratch table is still not ACTIVE: not dropped; delete it once it is"
            );
            return Some(false);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Drops scratch tables of killed drills: name shape and tag both required, and the drill
/// that made it gone (its process on this host no longer runs) or older than a day.
async fn drop_leftovers(d: &Dynamo, run_id: &str) -> Result<Vec<Leftover>> {
    let host = run_id.split('/').next().unwrap_or_default().to_string();
    let mut dropped = Vec::new();
    for name in d
        .list_tables()
        .await?
        .into_iter()
        .filter(|n| is_scratch_name(n))
    {
        let Some(info) = d.describe_table(&name).await? else {
            continue;
        };
        let Some(arn) = &info.arn else { continue };
        let tags = d.list_tags(arn).await?;
        let Some((_, made_by)) = tags.iter().find(|(k, _)| k == TAG) else {
            tracing::warn!(table = %name, "looks like a scratch table but has no {TAG} tag: not dropped; delete it by hand if it is one");
            continue;
        };
        let mut parts = made_by.split('/');
        let (h, pid, at) = (
            parts.next(),
            parts.next().and_then(|p| p.parse::<u32>().ok()),
            parts.next().and_then(|t| t.parse::<i64>().ok()),
        );
        let old = at
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .or(info.created_at)
            .is_some_and(|t| Utc::now() - t > LEFTOVER_AGE);
        let dead_here = h == Some(host.as_str())
            && pid.is_some_and(|p| {
                p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists()
            });
        if (old || dead_here) && info.status.as_deref() == Some("ACTIVE") {
            d.delete_table(&name)
                .await
                .with_context(|| format!("dropping the leftover scratch table '{name}'"))?;
            tracing::warn!(table = %name, made_by = %made_by, "dropped a scratch table left by a killed drill");
            dropped.push(Leftover {
                table: name,
                made_by: made_by.clone(),
            });
        }
    }
    Ok(dropped)
}

/// Labels of a drill's series.
pub fn labels(at: &crate::targets::Place, table: &str) -> String {
    let esc = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    };
    format!(
        "{{account=\"{}\",region=\"{}\",table=\"{}\"}}",
        esc(&at.account),
        esc(&at.region),
        esc(table)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_check_without_a_recorded_value_is_unknown_not_failed() {
        let c = Check::compare("item_count", None, "25".into(), "no item count");
        assert_eq!(
            (c.status, c.passed, c.reason.as_deref()),
            ("unknown", false, Some("no item count"))
        );
        let c = Check::compare("item_count", Some("25".into()), "25".into(), "");
        assert_eq!((c.status, c.passed, c.reason), ("passed", true, None));
        let c = Check::compare("item_count", Some("25".into()), "22".into(), "");
        assert_eq!((c.status, c.passed), ("failed", false));
        let json = serde_json::to_value(Check::compare("x", Some("a".into()), "a".into(), ""));
        assert!(json.unwrap().get("reason").is_none());
    }

    proptest! {
        #[test]
        fn scratch_names_fit_and_are_recognised(table in "[a-zA-Z0-9_.-]{3,255}") {
            let n = scratch_name(&table, Utc::now());
            prop_assert!((3..=255).contains(&n.len()));
            prop_assert!(is_scratch_name(&n));
        }

        #[test]
        fn other_names_are_not_scratch_tables(name in "[a-zA-Z0-9_.-]{3,40}") {
            prop_assume!(!name.contains("-verify-"));
            prop_assert!(!is_scratch_name(&name));
        }
    }
}
