//! The restore procedure: from a backup (by ARN, latest, name or time) or to a point in
//! time, into a new table; optionally wait until ACTIVE and re-apply the settings a restore
//! does not bring back.

use anyhow::{bail, Result};
use aws_sdk_dynamodb::types::{BackupTypeFilter, BillingMode};

use crate::aws::{Dynamo, IndexChoice, ListFilter, PitrPoint, RestoreRequest, SseChoice};
use crate::cli::{BillingModeArg, RestoreArgs, SseArg};
use crate::engine::record::{self, parse_saved, Record};
use crate::engine::restoring::{save, wait_active, RestoreReport, Show, Source};
use crate::engine::settings::{any_failed, apply, planned, Carry, SettingResult};
use crate::engine::Ctx;
use crate::error::{quoted, usage, UsageError};
use crate::exit::Exit;
use crate::ids::table_name;
use crate::model::{Backup, BackupStatus, IndexInfo};
use crate::output::{time, time_ms};

/// What a restore does not bring back and this tool does not re-create.
pub const OUT_OF_SCOPE: &str =
    "IAM identity-based policies that name the source table are outside it and not changed: for a new table name, update them yourself";

/// Reads `--settings-from` (no AWS call): a usage error when it is not a record.
pub fn saved_record(path: &std::path::Path) -> Result<Record, UsageError> {
    use std::io::Read;
    /// A record is a few kilobytes; a report a little more.
    const MAX: u64 = 16 << 20;
    let mut text = String::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX + 1).read_to_string(&mut text));
    if read.is_ok() && text.len() as u64 > MAX {
        return Err(UsageError::new(format!(
            "--settings-from {}: larger than {} MiB: not a settings record",
            quoted(&path.display().to_string()),
            MAX >> 20
        )));
    }
    read.map_err(|e| {
        UsageError::new(format!(
            "--settings-from {}: cannot read it: {e}",
            quoted(&path.display().to_string())
        ))
    })?;
    parse_saved(&text).map_err(|e| {
        UsageError::new(format!(
            "--settings-from {}: {}",
            quoted(&path.display().to_string()),
            crate::error::cut(&e, crate::error::MESSAGE_MAX)
        ))
    })
}

/// Whether the restore only applies a saved record to an existing table.
fn apply_only(a: &RestoreArgs) -> bool {
    a.settings_from.is_some() && a.backup_arn.is_none() && a.select.is_empty()
}

/// Whether this is a fleet restore (`engine::fleet_restore`): tables from a selection, each
/// under a name of `--target-template` or its own name in `--target-region`. `--target`,
/// `--backup-arn` and `--replace` restore one table here.
pub fn is_fleet(a: &RestoreArgs) -> bool {
    a.target.is_none() && a.backup_arn.is_none() && !a.replace && !apply_only(a)
}

/// The one source table of a one-table restore.
fn one_table(a: &RestoreArgs) -> Option<&String> {
    a.select.tables.first()
}

/// Checks the options and their combination (no AWS call).
pub fn validate(a: &RestoreArgs, now: chrono::DateTime<chrono::Utc>) -> Result<(), UsageError> {
    for t in [&a.before, &a.to_time].into_iter().flatten() {
        t.resolve(now).map_err(UsageError::new)?;
    }
    if let Some(path) = &a.settings_from {
        saved_record(path)?;
    }
    if (a.copy_alarms) && !a.copy_settings && a.settings_from.is_none() {
        return Err(UsageError::new(
            "--copy-alarms needs --copy-settings or --settings-from (with --replace the alarms keep working under the same name)",
        ));
    }
    if let Some(path) = &a.report {
        crate::engine::files::check_writable(path)?;
    }
    if apply_only(a) {
        if a.target.is_none() {
            return Err(UsageError::new(
                "--settings-from FILE without a source needs --target T: the table to apply it to",
            ));
        }
        return Ok(());
    }
    let modes = [
        a.latest,
        a.backup_name.is_some(),
        a.before.is_some(),
        a.to_time.is_some(),
        a.latest_restorable,
    ];
    let several = a.select.needs_listing() || a.select.tables.len() > 1;
    // A fleet's tables may come from a config's policies.
    let unselected = a.select.is_empty() && !(is_fleet(a) && a.config.path.is_some());
    if a.backup_arn.is_none() {
        match (unselected, modes.iter().filter(|m| **m).count()) {
            (true, _) => return Err(UsageError::new("no source given: use --backup-arn ARN, or --table T with --latest, --backup-name, --before, --to-time or --latest-restorable (or --settings-from FILE --target T to apply a saved settings record to an existing table)")),
            (false, 0) => return Err(UsageError::new("--table needs one of --latest, --backup-name, --before, --to-time or --latest-restorable")),
            _ => {}
        }
    } else if !a.select.is_empty() {
        return Err(UsageError::new("--backup-arn names its own table: give no --table, --match, --tag or --all-tables with it"));
    }
    if is_fleet(a) {
        // The rest is `engine::fleet_restore::validate`'s.
        return Ok(());
    }
    if a.config.path.is_some() {
        return Err(UsageError::new(
            "--config restores its policies' tables as a fleet (name them with \
             --target-template and/or --target-region): with --target or --replace, give the \
             table with --table instead",
        ));
    }
    if several {
        return Err(UsageError::new(
            "--target and --replace restore one table: for several, name the new tables with \
             --target-template '{table}-restored' and/or --target-region REGION",
        ));
    }
    if !a.select.excludes.is_empty() {
        return Err(UsageError::new(
            "--exclude works with a fleet restore (--target-template / --target-region)",
        ));
    }
    if a.no_settings || a.verify {
        return Err(UsageError::new(
            "--no-settings and --verify work with a fleet restore (--target-template / --target-region); \
             with --target, settings are copied with --copy-settings",
        ));
    }
    if let Some(t) = one_table(a) {
        if a.target.as_deref() == Some(table_name(t)) && a.target_region.is_none() {
            return Err(UsageError::new(format!("--target {} is the source table: DynamoDB restores into a new table; choose another name, or use --replace to restore into the table itself", quoted(table_name(t)))));
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
    all: Option<&[IndexInfo]>,
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
    let Some(all) = all else {
        bail!(
            "the backup's description does not list its {kind}es, so they cannot be restored \
             one by one: restore them all, or none (--no-gsi / --no-lsi)"
        );
    };
    for e in exclude {
        if !all.iter().any(|i| &i.name == e) {
            let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
            bail!(
                "the backup has no {kind} named {} (it has: {})",
                quoted(e),
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

/// The restore procedure: one table, from a backup or a point in time, to a new name or in
/// place (`--replace`). `validate` has checked the arguments.
pub async fn run(a: RestoreArgs, ctx: &Ctx, print: Show) -> Result<Exit> {
    if apply_only(&a) {
        return apply_saved(a, ctx, print).await;
    }
    let saved = a.settings_from.as_deref().map(saved_record).transpose()?;
    let arn = match (&a.backup_arn, one_table(&a).map(String::as_str)) {
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
        let table = one_table(&a).cloned().unwrap_or_default();
        if a.to_time.is_some() || a.latest_restorable {
            let point = pitr_point(&source, &table, &a, ctx).await?;
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
        // A point-in-time restore has no description: it lists no index to exclude.
        let (g, l) = desc
            .map(|d| (d.global_secondary_indexes, d.local_secondary_indexes))
            .unwrap_or((Some(Vec::new()), Some(Vec::new())));
        if matches!(src, Source::Pitr(_))
            && (!a.exclude_gsi.is_empty() || !a.exclude_lsi.is_empty())
        {
            usage::<()>("--exclude-gsi/--exclude-lsi work with backups; for point-in-time restores use --no-gsi/--no-lsi")?;
        }
        (
            index_choice(
                g.as_deref(),
                a.no_gsi,
                &a.exclude_gsi,
                "global secondary index",
            )?,
            index_choice(
                l.as_deref(),
                a.no_lsi,
                &a.exclude_lsi,
                "local secondary index",
            )?,
        )
    } else {
        (IndexChoice::All, IndexChoice::All)
    };
    let req = request(&a, target_name.clone(), gsi, lsi, cross_region);

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
        record: None,
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
        Source::Pitr(PitrPoint::At(t)) => report.point_in_time = Some(time_ms(*t)),
    }
    if a.replace {
        report.replace = true;
        return crate::engine::replace::run(&source, src, req, &a, report, ctx, print).await;
    }
    // DynamoDB cannot restore over a table: check before the restore call.
    if target.describe_table(&target_name).await?.is_some() {
        bail!(
            "table '{}' already exists in {}: DynamoDB cannot restore over an existing table; choose another --target or delete that table first",
            target_name,
            target.region()
        );
    }

    let alarms = Carry {
        copy: a.copy_alarms,
        actions: a.copy_alarm_actions,
        excluded_indexes: crate::engine::settings::excluded(&a),
    };
    // The record to apply: saved, or read from the source table now (before the restore).
    let record: Option<std::result::Result<Record, String>> = if let Some(r) = saved {
        Some(Ok(r))
    } else if a.copy_settings {
        Some(match record::read(&source, &source_table, &a.skip_setting).await {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(format!(
                "the source table '{source_table}' no longer exists: apply a saved record with --settings-from FILE"
            )),
            Err(e) => Err(e.message),
        })
    } else {
        None
    };
    if let Some(Ok(r)) = &record {
        report.record = Some(r.clone());
    }
    if a.dry_run {
        match &record {
            Some(Ok(r)) => report.settings = planned(r, alarms, &target_name),
            Some(Err(why)) => report.settings = not_copied(why),
            None => {}
        }
        save(&report, a.report.as_deref());
        // A dry run's plan is its whole result: printed under -q too.
        print(&report, ctx)?;
        return Ok(Exit::Success);
    }
    let info = match &src {
        Source::Backup(b) => target.restore_from_backup(&b.backup_arn, &req).await?,
        Source::Pitr(p) => {
            // Cross-Region, DynamoDB finds the source only by its ARN.
            let mut from = source_table_arg(&a);
            if cross_region && !from.starts_with("arn:") {
                if let Some(arn) = source.describe_table(&from).await?.and_then(|t| t.arn) {
                    from = arn;
                }
            }
            target.restore_to_point_in_time(&from, p, &req).await?
        }
    };
    tracing::info!(target = %target_name, "restore started");
    if matches!(src, Source::Pitr(PitrPoint::Latest)) {
        // The point DynamoDB chose, as its RestoreSummary says (in the answer, or read back).
        let mut at = info.restore.as_ref().and_then(|r| r.restore_date_time);
        if at.is_none() {
            if let Ok(Some(t)) = target.describe_table(&target_name).await {
                at = t.restore.and_then(|r| r.restore_date_time);
            }
        }
        if let Some(at) = at {
            tracing::info!(target = %target_name, "restoring to {} (the latest restorable time)", time_ms(at));
            report.point_in_time = Some(time_ms(at));
        }
    }
    report.table_status = info.status.clone();
    let mut exit = Exit::Success;
    if a.wait || record.is_some() {
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
                save(&report, a.report.as_deref());
                if ctx.out.shows(exit) {
                    print(&report, ctx)?;
                }
                return Ok(exit);
            }
        }
    }
    match &record {
        Some(Ok(r)) => {
            report.settings = apply(&target, &target_name, r, alarms, &ctx.stop).await;
        }
        Some(Err(why)) => report.settings = not_copied(why),
        None => {}
    }
    if any_failed(&report.settings) {
        exit = Exit::Partial;
    }
    if target_name != source_table {
        tracing::warn!("{OUT_OF_SCOPE}");
    }
    save(&report, a.report.as_deref());
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
    Ok(exit)
}

/// Every setting failed for one reason (the record could not be had).
fn not_copied(why: &str) -> Vec<SettingResult> {
    crate::model::Setting::ALL
        .into_iter()
        .map(|s| SettingResult {
            setting: s.name(),
            status: "failed",
            applied: false,
            detail: format!("failed: {why}"),
            command: None,
        })
        .collect()
}

/// `--settings-from FILE --target T` without a source: the record applied to an existing
/// table (after a restore that was left before its settings, say).
async fn apply_saved(a: RestoreArgs, ctx: &Ctx, print: Show) -> Result<Exit> {
    let path = a
        .settings_from
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let r = saved_record(path)?;
    let target_name = a.target.clone().unwrap_or_else(|| r.table.clone());
    let specs = ctx.targets()?;
    let spec = specs.into_iter().next().unwrap_or_default();
    let d = Dynamo::connect(&ctx.options_for(&spec)).await?;
    let mut report = RestoreReport {
        command: "restore",
        dry_run: a.dry_run,
        source_table: r.table.clone(),
        backup_arn: None,
        backup_name: None,
        backup_created_at: None,
        point_in_time: None,
        target: target_name.clone(),
        target_region: d.region().to_string(),
        table_status: None,
        record: Some(r.clone()),
        settings: Vec::new(),
        replace: false,
        steps: Vec::new(),
        safety_backup_arn: None,
        note: OUT_OF_SCOPE,
    };
    let alarms = Carry {
        copy: a.copy_alarms,
        actions: a.copy_alarm_actions,
        excluded_indexes: crate::engine::settings::excluded(&a),
    };
    if r.region != d.region() {
        tracing::warn!(
            "the record is of '{}' in {}; applying it to '{target_name}' in {}",
            r.table,
            r.region,
            d.region()
        );
    }
    let Some(info) = d.describe_table(&target_name).await? else {
        bail!(
            "table '{target_name}' does not exist in {}: restore it first (add --backup-arn or --table … to restore and apply the record in one go)",
            d.region()
        );
    };
    report.table_status = info.status.clone();
    if info.status.as_deref() != Some("ACTIVE") && !a.dry_run {
        match wait_active(&d, &target_name, a.timeout.duration, ctx).await? {
            Some(s) => report.table_status = Some(s),
            None => bail!("table '{target_name}' is not ACTIVE yet: run this again once it is"),
        }
    }
    report.settings = if a.dry_run {
        planned(&r, alarms, &target_name)
    } else {
        apply(&d, &target_name, &r, alarms, &ctx.stop).await
    };
    let exit = if any_failed(&report.settings) {
        Exit::Partial
    } else {
        Exit::Success
    };
    save(&report, a.report.as_deref());
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
    Ok(exit)
}

fn source_table_arg(a: &RestoreArgs) -> String {
    one_table(a).cloned().unwrap_or_default()
}

/// The point in time of `--to-time` / `--latest-restorable` for `table`, checked against
/// its recovery window.
pub async fn pitr_point(
    source: &Dynamo,
    table: &str,
    a: &RestoreArgs,
    ctx: &Ctx,
) -> Result<PitrPoint> {
    let w = source.pitr_window(table).await?;
    if !w.enabled {
        bail!("point-in-time recovery is not enabled on table '{}': restore from a backup instead (--latest)", table_name(table));
    }
    let point = match &a.to_time {
        None => PitrPoint::Latest,
        Some(t) => {
            let at = t.resolve(ctx.now).map_err(UsageError::new)?;
            let (lo, hi) = (w.earliest, w.latest);
            if lo.is_some_and(|lo| at < lo) || hi.is_some_and(|hi| at > hi) {
                bail!(
                    "{} is outside the point-in-time recovery window of '{}' [{} .. {}]",
                    time_ms(at),
                    table_name(table),
                    lo.map(time_ms).unwrap_or_else(|| "?".into()),
                    hi.map(time_ms).unwrap_or_else(|| "?".into())
                );
            }
            PitrPoint::At(at)
        }
    };
    Ok(point)
}

/// The restore request for `target` with the command line's overrides. A cross-Region
/// restore needs an encryption choice: an AWS owned key unless one is given.
pub fn request(
    a: &RestoreArgs,
    target: String,
    gsi: IndexChoice,
    lsi: IndexChoice,
    cross_region: bool,
) -> RestoreRequest {
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
    RestoreRequest {
        target,
        billing_mode: a.billing_mode.map(|b| match b {
            BillingModeArg::PayPerRequest => BillingMode::PayPerRequest,
            BillingModeArg::Provisioned => BillingMode::Provisioned,
        }),
        capacity: a.read_capacity.zip(a.write_capacity),
        gsi,
        lsi,
        sse,
    }
}

/// What --before lists: backups of every type created before it.
pub fn backup_filter(a: &RestoreArgs, ctx: &Ctx) -> Result<ListFilter, UsageError> {
    Ok(ListFilter {
        kind: Some(BackupTypeFilter::All),
        since: None,
        until: a
            .before
            .as_ref()
            .map(|t| t.resolve(ctx.now))
            .transpose()
            .map_err(UsageError::new)?,
    })
}

/// --latest / --backup-name / --before over the table's complete listing.
pub async fn pick_backup(d: &Dynamo, table: &str, a: &RestoreArgs, ctx: &Ctx) -> Result<Backup> {
    let mut all = d.list_backups(table, &backup_filter(a, ctx)?).await?;
    if a.before.is_none() {
        // No backup at all may be a mistyped name: say so, with the name meant.
        all = d.confirm_listed(table, all).await?;
    }
    pick_from(all, table, a, ctx)
}

/// --latest / --backup-name / --before over `all`, the complete listing of `table`.
pub fn pick_from(mut all: Vec<Backup>, table: &str, a: &RestoreArgs, ctx: &Ctx) -> Result<Backup> {
    crate::retention::newest_first(&mut all);
    let name = table_name(table);
    if let Some(n) = &a.backup_name {
        let found: Vec<&Backup> = all.iter().filter(|b| &b.backup_name == n).collect();
        return match found.as_slice() {
            [] => bail!(
                "table '{name}' has no backup named {} (see: ddb-backup list --table {name})",
                quoted(n)
            ),
            [one] if one.status == BackupStatus::Available => Ok((*one).clone()),
            [one] => bail!(
                "backup {} of '{name}' is {}, not AVAILABLE yet",
                quoted(n),
                one.status.as_str()
            ),
            many => bail!(
                "{} backups of '{name}' are named {}; pick one with --backup-arn: {}",
                many.len(),
                quoted(n),
                many.iter()
                    .map(|b| format!("{} ({})", b.backup_arn, time(b.created_at)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
    }
    // A safety or staging backup of an earlier `--replace` holds the table as it was
    // before a restore (the data being recovered from): never the "latest" good one.
    let procedural = |b: &Backup| {
        b.backup_name
            .starts_with(&format!("{}.", crate::engine::replace::SAFETY_PREFIX))
            || b.backup_name.starts_with("ddb-backup-staging.")
    };
    if let Some(p) = all
        .iter()
        .find(|b| b.status == BackupStatus::Available)
        .filter(|b| procedural(b))
    {
        tracing::warn!(
            "not using {} ({}): it is a safety or staging backup of restore --replace; pick it with --backup-name or --backup-arn to restore it",
            p.backup_name,
            time(p.created_at)
        );
    }
    all.into_iter().find(|b| b.status == BackupStatus::Available && !procedural(b)).ok_or_else(|| {
        let when = a.before.as_ref().and_then(|t| t.resolve(ctx.now).ok()).map(|t| format!(" created before {}", time(t))).unwrap_or_default();
        anyhow::anyhow!("table '{name}' has no AVAILABLE backup{when} (see: ddb-backup list --table {name} --type all)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_the_description_does_not_list_cannot_be_excluded_one_by_one() {
        let kind = "global secondary index";
        let err = index_choice(None, false, &["by-status".into()], kind).unwrap_err();
        assert!(
            err.to_string()
                .contains("does not list its global secondary indexes"),
            "{err}"
        );
        // All of them or none still works without the list.
        assert!(matches!(
            index_choice(None, false, &[], kind),
            Ok(IndexChoice::All)
        ));
        assert!(
            matches!(index_choice(None, true, &[], kind), Ok(IndexChoice::Only(v)) if v.is_empty())
        );
        let err = index_choice(Some(&[]), false, &["x".into()], kind).unwrap_err();
        assert!(err.to_string().contains("(it has: none)"), "{err}");
    }
}
