//! `ddb-backup restore`: from a backup (by ARN, latest, name or time) or to a point in
//! time, into a new table; optionally wait until ACTIVE and re-apply the settings a restore
//! does not bring back.

use std::time::Duration;

use anyhow::{bail, Result};
use aws_sdk_dynamodb::types::{BackupTypeFilter, BillingMode};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::{Dynamo, IndexChoice, ListFilter, PitrPoint, RestoreRequest, SseChoice};
use crate::cli::{BillingModeArg, RestoreArgs, SseArg};
use crate::commands::Ctx;
use crate::error::{usage, AwsError, AwsErrorKind, UsageError};
use crate::exit::Exit;
use crate::ids::table_name;
use crate::model::{Backup, BackupStatus, IndexInfo};
use crate::output::time;

/// What a restore does not bring back and this tool does not re-create.
pub const OUT_OF_SCOPE: &str =
    "auto scaling policies, IAM policies and CloudWatch alarms are not restored by DynamoDB and not copied by ddb-backup: set them up again";

#[derive(Debug, Clone, Serialize)]
pub struct SettingResult {
    pub setting: &'static str,
    pub applied: bool,
    pub detail: String,
}

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

pub(crate) enum Source {
    Backup(Backup),
    Pitr(PitrPoint),
}

/// Checks the options and their combination (no AWS call).
fn validate(a: &RestoreArgs, now: chrono::DateTime<chrono::Utc>) -> Result<(), UsageError> {
    for t in [&a.before, &a.to_time].into_iter().flatten() {
        t.resolve(now).map_err(UsageError::new)?;
    }
    let modes = [
        a.latest,
        a.backup_name.is_some(),
        a.before.is_some(),
        a.to_time.is_some(),
        a.latest_restorable,
    ];
    if a.backup_arn.is_none() {
        match (&a.table, modes.iter().filter(|m| **m).count()) {
            (None, _) => return Err(UsageError::new("no source given: use --backup-arn ARN, or --table T with --latest, --backup-name, --before, --to-time or --latest-restorable")),
            (Some(_), 0) => return Err(UsageError::new("--table needs one of --latest, --backup-name, --before, --to-time or --latest-restorable")),
            _ => {}
        }
    }
    if let Some(t) = &a.table {
        if a.target.as_deref() == Some(table_name(t)) && a.target_region.is_none() {
            return Err(UsageError::new(format!("--target '{}' is the source table: DynamoDB restores into a new table; choose another name, or use --replace to restore into the table itself", table_name(t))));
        }
    }
    if a.replace && !a.yes && !a.dry_run && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(UsageError::new(
            "--replace deletes the table and restores it under its name: confirm with --yes \
             (stdin is not a terminal, so the name cannot be typed)",
        ));
    }
    match (a.billing_mode, a.read_capacity, a.write_capacity) {
        (Some(BillingModeArg::Provisioned), Some(_), Some(_)) => {}
        (Some(BillingModeArg::Provisioned), _, _) => {
            return Err(UsageError::new(
                "--billing-mode provisioned needs both --read-capacity and --write-capacity",
            ))
        }
        (_, None, None) => {}
        _ => {
            return Err(UsageError::new(
                "--read-capacity/--write-capacity need --billing-mode provisioned",
            ))
        }
    }
    if a.sse_kms_key.is_some() && a.sse.is_some_and(|s| s != SseArg::Kms) {
        return Err(UsageError::new("--sse-kms-key needs --sse kms"));
    }
    if a.copy_settings && a.dry_run {
        tracing::debug!("--copy-settings with --dry-run: only reported");
    }
    Ok(())
}

fn index_choice(
    all: &[IndexInfo],
    none: bool,
    exclude: &[String],
    kind: &str,
) -> Result<IndexChoice> {
    if none {
        return Ok(IndexChoice::Only(Vec::new()));
    }
    if exclude.is_empty() {
        return Ok(IndexChoice::All);
    }
    for e in exclude {
        if !all.iter().any(|i| &i.name == e) {
            let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
            bail!(
                "the backup has no {kind} named '{e}' (it has: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
    }
    Ok(IndexChoice::Only(
        all.iter()
            .filter(|i| !exclude.contains(&i.name))
            .cloned()
            .collect(),
    ))
}

pub async fn run(a: RestoreArgs, ctx: &Ctx) -> Result<Exit> {
    validate(&a, ctx.now)?;
    let arn = match (&a.backup_arn, a.table.as_deref()) {
        (Some(arn), _) => Some(arn.as_str()),
        (None, Some(t)) if t.starts_with("arn:") => Some(t),
        _ => None,
    };
    let spec = match arn {
        Some(arn) => ctx.target_for_arn(arn)?,
        None => {
            let specs = ctx.targets()?;
            if specs.len() > 1 {
                return Err(UsageError::new(
                    "restore works in one account and region: give one --region and at most one \
                     --role-arn (or a backup or table ARN, which names its own)",
                )
                .into());
            }
            specs.into_iter().next().unwrap_or_default()
        }
    };
    let source = Dynamo::connect(&ctx.options_for(&spec)).await?;
    let cross_region = a
        .target_region
        .as_deref()
        .is_some_and(|r| r != source.region());
    let target = if cross_region {
        let t = crate::targets::TargetSpec {
            region: a.target_region.clone(),
            ..spec.clone()
        };
        Dynamo::connect(&ctx.options_for(&t)).await?
    } else {
        source.clone()
    };

    // Resolve the source.
    let (src, source_table) = if let Some(arn) = &a.backup_arn {
        let d = source.describe_backup(arn).await?;
        (Source::Backup(d.backup), d.source_table.table_name)
    } else {
        let table = a.table.clone().unwrap_or_default();
        if a.to_time.is_some() || a.latest_restorable {
            let w = source.pitr_window(&table).await?;
            if !w.enabled {
                bail!("point-in-time recovery is not enabled on table '{}': restore from a backup instead (--latest)", table_name(&table));
            }
            let point = match &a.to_time {
                None => PitrPoint::Latest,
                Some(t) => {
                    let at = t.resolve(ctx.now).map_err(UsageError::new)?;
                    let (lo, hi) = (w.earliest, w.latest);
                    if lo.is_some_and(|lo| at < lo) || hi.is_some_and(|hi| at > hi) {
                        bail!(
                            "{} is outside the point-in-time recovery window of '{}' [{} .. {}]",
                            time(at),
                            table_name(&table),
                            lo.map(time).unwrap_or_else(|| "?".into()),
                            hi.map(time).unwrap_or_else(|| "?".into())
                        );
                    }
                    PitrPoint::At(at)
                }
            };
            (Source::Pitr(point), table_name(&table).to_string())
        } else {
            let b = pick_backup(&source, &table, &a, ctx).await?;
            (Source::Backup(b), table_name(&table).to_string())
        }
    };

    // --replace restores into the source table's own name.
    let target_name = a.target.clone().unwrap_or_else(|| source_table.clone());

    // Overrides that need the backup's index definitions.
    let (gsi, lsi) = if a.no_gsi
        || !a.exclude_gsi.is_empty()
        || a.no_lsi
        || !a.exclude_lsi.is_empty()
    {
        let desc = match &src {
            Source::Backup(b) => Some(source.describe_backup(&b.backup_arn).await?.source_table),
            Source::Pitr(_) => None,
        };
        let (g, l) = desc
            .map(|d| (d.global_secondary_indexes, d.local_secondary_indexes))
            .unwrap_or_default();
        if matches!(src, Source::Pitr(_))
            && (!a.exclude_gsi.is_empty() || !a.exclude_lsi.is_empty())
        {
            usage::<()>("--exclude-gsi/--exclude-lsi work with backups; for point-in-time restores use --no-gsi/--no-lsi")?;
        }
        (
            index_choice(&g, a.no_gsi, &a.exclude_gsi, "global secondary index")?,
            index_choice(&l, a.no_lsi, &a.exclude_lsi, "local secondary index")?,
        )
    } else {
        (IndexChoice::All, IndexChoice::All)
    };
    let sse = match (a.sse, &a.sse_kms_key) {
        (Some(SseArg::Default), _) => SseChoice::Default,
        (Some(SseArg::Kms), k) | (None, k @ Some(_)) => SseChoice::Kms(k.clone()),
        (Some(SseArg::None), _) => SseChoice::Keep,
        (None, None) if cross_region => {
            tracing::info!("cross-region restore needs an encryption choice: using an AWS owned key (--sse default)");
            SseChoice::Default
        }
        (None, None) => SseChoice::Keep,
    };
    let req = RestoreRequest {
        target: target_name.clone(),
        billing_mode: a.billing_mode.map(|b| match b {
            BillingModeArg::PayPerRequest => BillingMode::PayPerRequest,
            BillingModeArg::Provisioned => BillingMode::Provisioned,
        }),
        capacity: a.read_capacity.zip(a.write_capacity),
        gsi,
        lsi,
        sse,
    };

    let mut report = RestoreReport {
        command: "restore",
        dry_run: a.dry_run,
        source_table: source_table.clone(),
        backup_arn: None,
        backup_name: None,
        backup_created_at: None,
        point_in_time: None,
        target: target_name.clone(),
        target_region: target.region().to_string(),
        table_status: None,
        settings: Vec::new(),
        replace: false,
        steps: Vec::new(),
        safety_backup_arn: None,
        note: OUT_OF_SCOPE,
    };
    match &src {
        Source::Backup(b) => {
            report.backup_arn = Some(b.backup_arn.clone());
            report.backup_name = Some(b.backup_name.clone());
            report.backup_created_at = Some(b.created_at);
        }
        Source::Pitr(PitrPoint::Latest) => report.point_in_time = Some("latest restorable".into()),
        Source::Pitr(PitrPoint::At(t)) => report.point_in_time = Some(time(*t)),
    }
    if a.replace {
        report.replace = true;
        return super::replace::run(&source, src, req, &a, report, ctx).await;
    }
    // DynamoDB cannot restore over a table: check before the restore call.
    if target.describe_table(&target_name).await?.is_some() {
        bail!(
            "table '{}' already exists in {}: DynamoDB cannot restore over an existing table; choose another --target or delete that table first",
            target_name,
            target.region()
        );
    }

    if a.dry_run {
        if ctx.out.shows(Exit::Success) {
            print(&report, ctx)?;
        }
        return Ok(Exit::Success);
    }
    let info = match &src {
        Source::Backup(b) => target.restore_from_backup(&b.backup_arn, &req).await?,
        Source::Pitr(p) => {
            target
                .restore_to_point_in_time(&source_table_arg(&a), p, &req)
                .await?
        }
    };
    tracing::info!(target = %target_name, "restore started");
    report.table_status = info.status.clone();
    let mut exit = Exit::Success;
    if a.wait || a.copy_settings {
        match wait_active(&target, &target_name, a.timeout.duration, ctx).await? {
            Some(status) => report.table_status = Some(status),
            None => {
                report.table_status = Some("CREATING".into());
                if ctx.stop.requested() {
                    tracing::warn!(
                        "stopped while waiting: table '{}' is being restored and not ACTIVE yet",
                        target_name
                    );
                } else {
                    tracing::error!(
                        "table '{}' is not ACTIVE after --timeout {}",
                        target_name,
                        a.timeout
                    );
                }
                let exit = if ctx.stop.requested() {
                    Exit::Interrupted
                } else {
                    Exit::Failure
                };
                if ctx.out.shows(exit) {
                    print(&report, ctx)?;
                }
                return Ok(exit);
            }
        }
    }
    if a.copy_settings {
        report.settings = copy_settings(&source, &target, &source_table, &target_name).await;
        if report
            .settings
            .iter()
            .any(|s| !s.applied && s.detail.starts_with("failed"))
        {
            exit = Exit::Partial;
        }
    }
    tracing::warn!("{OUT_OF_SCOPE}");
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
    Ok(exit)
}

fn source_table_arg(a: &RestoreArgs) -> String {
    a.table.clone().unwrap_or_default()
}

/// --latest / --backup-name / --before over the table's complete listing.
async fn pick_backup(d: &Dynamo, table: &str, a: &RestoreArgs, ctx: &Ctx) -> Result<Backup> {
    let filter = ListFilter {
        kind: Some(BackupTypeFilter::All),
        since: None,
        until: a
            .before
            .as_ref()
            .map(|t| t.resolve(ctx.now))
            .transpose()
            .map_err(UsageError::new)?,
    };
    let mut all = d.list_backups(table, &filter).await?;
    crate::retention::newest_first(&mut all);
    let name = table_name(table);
    if let Some(n) = &a.backup_name {
        let found: Vec<&Backup> = all.iter().filter(|b| &b.backup_name == n).collect();
        return match found.as_slice() {
            [] => bail!(
                "table '{name}' has no backup named '{n}' (see: ddb-backup list --table {name})"
            ),
            [one] if one.status == BackupStatus::Available => Ok((*one).clone()),
            [one] => bail!(
                "backup '{n}' of '{name}' is {}, not AVAILABLE yet",
                one.status.as_str()
            ),
            many => bail!(
                "{} backups of '{name}' are named '{n}'; pick one with --backup-arn: {}",
                many.len(),
                many.iter()
                    .map(|b| format!("{} ({})", b.backup_arn, time(b.created_at)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    }
    all.into_iter().find(|b| b.status == BackupStatus::Available).ok_or_else(|| {
        let when = a.before.as_ref().and_then(|t| t.resolve(ctx.now).ok()).map(|t| format!(" created before {}", time(t))).unwrap_or_default();
        anyhow::anyhow!("table '{name}' has no AVAILABLE backup{when} (see: ddb-backup list --table {name} --type all)")
    })
}

/// Polls DescribeTable until ACTIVE; `None` on timeout or interruption. A table that
/// disappears (or never appears) while waited for is an error at once, not a long wait.
pub(crate) async fn wait_active(
    d: &Dynamo,
    table: &str,
    timeout: Duration,
    ctx: &Ctx,
) -> Result<Option<String>, AwsError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let pb = ctx.progress(1, &format!("waiting for {table} to be ACTIVE"));
    let mut stop = ctx.stop.clone();
    let mut interval = Duration::from_millis(500);
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
        interval = (interval * 2).min(Duration::from_secs(15));
    };
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    Ok(result)
}

fn applied(setting: &'static str, r: Result<(), AwsError>, what: String) -> SettingResult {
    match r {
        Ok(()) => SettingResult {
            setting,
            applied: true,
            detail: what,
        },
        Err(e) => SettingResult {
            setting,
            applied: false,
            detail: format!("failed: {}", e.message),
        },
    }
}

fn skipped(setting: &'static str, why: &str) -> SettingResult {
    SettingResult {
        setting,
        applied: false,
        detail: why.to_string(),
    }
}

/// A table's settings that a restore does not bring back, as read from it: each one, or
/// why it could not be read.
#[derive(Debug, Clone)]
pub struct Settings {
    pub ttl: Result<Option<String>, String>,
    /// The stream's view type when a stream is on.
    pub stream: Result<Option<String>, String>,
    pub tags: Result<Vec<(String, String)>, String>,
    pub pitr: Result<bool, String>,
    pub deletion_protection: Result<bool, String>,
}

impl Settings {
    /// The first setting that could not be read.
    pub fn unreadable(&self) -> Option<String> {
        [
            self.ttl.as_ref().err(),
            self.stream.as_ref().err(),
            self.tags.as_ref().err(),
            self.pitr.as_ref().err(),
            self.deletion_protection.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .next()
        .cloned()
    }

    /// What re-applying them means, for a person who has to do it by hand.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        if let Ok(Some(a)) = &self.ttl {
            out.push(format!("TTL on attribute '{a}'"));
        }
        if let Ok(Some(v)) = &self.stream {
            out.push(format!("stream ({v})"));
        }
        if let Ok(t) = &self.tags {
            if !t.is_empty() {
                let list: Vec<String> = t.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push(format!("tags {}", list.join(",")));
            }
        }
        if let Ok(true) = self.pitr {
            out.push("point-in-time recovery".into());
        }
        if let Ok(true) = self.deletion_protection {
            out.push("deletion protection".into());
        }
        if out.is_empty() {
            "none".into()
        } else {
            out.join("; ")
        }
    }
}

/// Reads the settings of `table` (TTL, stream, tags, PITR, deletion protection).
pub async fn read_settings(d: &Dynamo, table: &str) -> Settings {
    let msg = |e: AwsError| format!("failed: {}", e.message);
    let info = match d.describe_table(table).await {
        Ok(Some(i)) => Ok(i),
        Ok(None) => Err("not copied: the source table no longer exists".to_string()),
        Err(e) => Err(msg(e)),
    };
    let info = match info {
        Ok(i) => i,
        Err(why) => {
            return Settings {
                ttl: Err(why.clone()),
                stream: Err(why.clone()),
                tags: Err(why.clone()),
                pitr: Err(why.clone()),
                deletion_protection: Err(why),
            }
        }
    };
    let tags = match &info.arn {
        Some(arn) => d.list_tags(arn).await.map_err(msg),
        None => Err("failed: the table's ARN is unknown".to_string()),
    };
    Settings {
        ttl: d.ttl_attribute(table).await.map_err(msg),
        stream: Ok(info.stream.as_ref().filter(|s| s.enabled).map(|s| {
            s.view_type
                .clone()
                .unwrap_or_else(|| "NEW_AND_OLD_IMAGES".into())
        })),
        tags,
        pitr: d.pitr_window(table).await.map(|w| w.enabled).map_err(msg),
        deletion_protection: Ok(info.deletion_protection),
    }
}

/// Applies recorded settings to `target`, one result each.
pub async fn apply_settings(d: &Dynamo, target: &str, s: &Settings) -> Vec<SettingResult> {
    let target_arn = match d.describe_table(target).await {
        Ok(Some(t)) => t.arn,
        _ => None,
    };
    let mut out = Vec::new();
    out.push(match &s.ttl {
        Ok(Some(attr)) => applied(
            "ttl",
            d.enable_ttl(target, attr).await,
            format!("enabled on attribute '{attr}'"),
        ),
        Ok(None) => skipped("ttl", "off on the source table"),
        Err(e) => skipped("ttl", e),
    });
    out.push(match &s.stream {
        Ok(Some(view)) => applied(
            "stream",
            d.update_table_settings(target, Some(view), None).await,
            format!("enabled ({view})"),
        ),
        Ok(None) => skipped("stream", "off on the source table"),
        Err(e) => skipped("stream", e),
    });
    out.push(match (&s.tags, &target_arn) {
        (Ok(tags), _) if tags.is_empty() => skipped("tags", "the source table has no tags"),
        (Ok(tags), Some(ta)) => applied(
            "tags",
            d.tag_table(ta, tags).await,
            format!("{} tag(s) copied", tags.len()),
        ),
        (Ok(_), None) => skipped("tags", "failed: the new table's ARN is unknown"),
        (Err(e), _) => skipped("tags", e),
    });
    out.push(match &s.pitr {
        Ok(true) => applied(
            "point_in_time_recovery",
            d.enable_pitr(target).await,
            "enabled".into(),
        ),
        Ok(false) => skipped("point_in_time_recovery", "off on the source table"),
        Err(e) => skipped("point_in_time_recovery", e),
    });
    out.push(match &s.deletion_protection {
        Ok(true) => applied(
            "deletion_protection",
            d.update_table_settings(target, None, Some(true)).await,
            "enabled".into(),
        ),
        Ok(false) => skipped("deletion_protection", "off on the source table"),
        Err(e) => skipped("deletion_protection", e),
    });
    for s in &out {
        if s.applied {
            tracing::info!(setting = s.setting, "copied: {}", s.detail);
        } else if s.detail.starts_with("failed") {
            tracing::error!(setting = s.setting, "{}", s.detail);
        }
    }
    out
}

/// Re-applies TTL, stream, tags, PITR and deletion protection from the source table.
async fn copy_settings(
    src: &Dynamo,
    dst: &Dynamo,
    source: &str,
    target: &str,
) -> Vec<SettingResult> {
    let settings = read_settings(src, source).await;
    apply_settings(dst, target, &settings).await
}

pub(crate) fn print(r: &RestoreReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "")?;
        return Ok(());
    }
    let mut s = String::new();
    let source = match (&r.backup_name, &r.point_in_time) {
        (Some(n), _) => format!(
            "backup {n} of {} ({})",
            r.source_table,
            r.backup_created_at.map(time).unwrap_or_default()
        ),
        (None, Some(p)) => format!("{} at {p} (point in time)", r.source_table),
        _ => r.source_table.clone(),
    };
    let verb = if r.dry_run {
        "would restore"
    } else {
        "restoring"
    };
    s.push_str(&format!(
        "{verb} {source} -> table {} in {}{}\n",
        r.target,
        r.target_region,
        if r.replace {
            " (replacing it: the table is unavailable between its deletion and ACTIVE)"
        } else {
            ""
        }
    ));
    for x in &r.steps {
        s.push_str(&format!("  {:<28} {:<8} {}\n", x.step, x.status, x.detail));
    }
    if let Some(arn) = &r.safety_backup_arn {
        s.push_str(&format!("safety backup: {arn}\n"));
    }
    if let Some(st) = &r.table_status {
        s.push_str(&format!("table status: {st}\n"));
    }
    for x in &r.settings {
        s.push_str(&format!("  {:<24} {}\n", x.setting, x.detail));
    }
    s.push_str(&format!("note: {}\n", r.note));
    ctx.out.text(&s)?;
    Ok(())
}
