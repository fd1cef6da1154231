//! `ddb-backup restore --replace`: restore a backup (or a point in time) into the table's
//! own name, as one guarded procedure. DynamoDB only restores into a new table, so the
//! table is deleted and restored under its name; everything around that is here to make
//! it safe: confirmation, deletion protection, a safety backup that must be AVAILABLE
//! before anything is deleted, the table's settings recorded and re-applied, and on any
//! failure after the deletion the exact command that puts the safety backup back.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::{anyhow, bail, Result};
use chrono::Utc;

use crate::aws::{Dynamo, IndexChoice, RestoreRequest, SseChoice};
use crate::cli::RestoreArgs;
use crate::engine::restoring::{save, wait_active, RestoreReport, Show, Source, Step};
use crate::engine::settings::{any_failed, apply, planned, record_or_refuse, Carry};
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::model::BackupStatus;
use crate::names;

/// The prefix of safety backups: not this tool's managed names, so never pruned as managed.
pub const SAFETY_PREFIX: &str = "ddb-backup-safety";

/// How often progress is polled (a backup becoming AVAILABLE, a table going away).
const POLL: Duration = Duration::from_secs(1);

fn stamp() -> String {
    names::stamp(Utc::now())
}

/// `prefix.TABLE.TIMESTAMP`, the table part shortened so the name fits 255 characters.
fn backup_name(prefix: &str, table: &str, ts: &str) -> String {
    let room = 255 - prefix.len() - ts.len() - 2;
    let t: String = table.chars().take(room).collect();
    format!("{prefix}.{t}.{ts}")
}

/// The point in time's staging table: `TABLE-replace-TIMESTAMP`, shortened to fit (and
/// so never picked by a selection over ListTables).
fn staging_name(table: &str, at: chrono::DateTime<Utc>) -> String {
    names::WorkTable::Staging.name(table, at)
}

struct Procedure<'a> {
    d: &'a Dynamo,
    table: String,
    a: &'a RestoreArgs,
    ctx: &'a Ctx,
    report: RestoreReport,
    print: Show,
}

impl Procedure<'_> {
    fn step(&mut self, step: &'static str, status: &'static str, detail: impl Into<String>) {
        let detail = detail.into();
        match status {
            "failed" => tracing::error!(step, "{detail}"),
            _ => tracing::info!(step, status, "{detail}"),
        }
        self.report.steps.push(Step {
            step,
            status,
            detail,
        });
    }

    /// Polls until the backup is AVAILABLE; false on timeout or a stop.
    async fn backup_available(&self, d: &Dynamo, arn: &str) -> Result<bool> {
        let deadline = tokio::time::Instant::now() + self.a.timeout.duration;
        loop {
            let b = d.describe_backup(arn).await?;
            match b.backup.status {
                BackupStatus::Available => return Ok(true),
                BackupStatus::Deleted => bail!("backup {arn} was deleted while being made"),
                BackupStatus::Creating => {}
            }
            if tokio::time::Instant::now() >= deadline || !self.ctx.stop.sleep(POLL).await {
                return Ok(false);
            }
        }
    }

    /// Polls until the table is gone (DescribeTable finds nothing).
    async fn table_gone(&self, d: &Dynamo) -> Result<bool> {
        let deadline = tokio::time::Instant::now() + self.a.timeout.duration;
        loop {
            if d.describe_table(&self.table).await?.is_none() {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The command that restores the safety backup under the table's name.
    fn recovery_command(&self, safety_arn: &str) -> String {
        let mut cmd = self.prefix();
        cmd.push_str(&format!(
            " restore --backup-arn {safety_arn} --target {} --wait",
            self.table
        ));
        if let Some(path) = &self.a.report {
            cmd.push_str(&format!(" --settings-from {}", path.display()));
        }
        cmd
    }

    /// How to re-apply the recorded settings to the table once it is back.
    fn reapply(&self, record: &crate::engine::record::Record) -> String {
        match &self.a.report {
            Some(path) => format!(
                "{} restore --target {} --settings-from {}",
                self.prefix(),
                self.table,
                path.display()
            ),
            None => format!(
                "its settings record is in the log above ({})",
                record.summary()
            ),
        }
    }

    /// `ddb-backup` with the global options that reach this table.
    fn prefix(&self) -> String {
        let g = &self.ctx.global;
        let mut cmd = format!("ddb-backup --region {}", self.d.region());
        if let Some(p) = &g.profile {
            cmd.push_str(&format!(" --profile {p}"));
        }
        if let Some(r) = &g.role_arn.first() {
            cmd.push_str(&format!(" --role-arn {r}"));
        }
        if let Some(id) = &g.external_id {
            cmd.push_str(&format!(" --external-id {id}"));
        }
        if let Some(e) = &g.endpoint_url {
            cmd.push_str(&format!(" --endpoint-url {e}"));
        }
        cmd
    }
}

/// Runs the procedure for `src` into the table `report.target`.
pub(crate) async fn run(
    d: &Dynamo,
    src: Source,
    req: RestoreRequest,
    a: &RestoreArgs,
    report: RestoreReport,
    ctx: &Ctx,
    print: Show,
) -> Result<Exit> {
    let table = report.target.clone();
    let mut p = Procedure {
        d,
        table: table.clone(),
        a,
        ctx,
        report,
        print,
    };
    // 1. The table must exist, and its deletion protection be dealt with.
    let Some(info) = d.describe_table(&table).await? else {
        bail!(
            "table '{table}' does not exist in {}: there is nothing to replace; restore with \
             --target {table} instead",
            d.region()
        );
    };
    if info.deletion_protection && !a.disable_deletion_protection {
        bail!(
            "table '{table}' has deletion protection: nothing was changed; pass \
             --disable-deletion-protection to turn it off for the replacement (it is turned on \
             again afterwards)"
        );
    }
    // The table's own billing mode and capacity, unless given.
    // The restore itself keeps the backup's own billing mode and capacity (what DynamoDB
    // accepted for its indexes then), unless given; the live capacity is the record's
    // `capacity` setting, applied once the table is ACTIVE.
    let req = RestoreRequest {
        target: table.clone(),
        ..req
    };
    let overridden = a.billing_mode.is_some();
    // Settings, recorded before anything changes (all of them, or nothing happens; a dry
    // run says so too).
    let record = match record_or_refuse(d, &table, &a.skip_setting).await {
        Ok(r) => r,
        Err(why) => {
            p.step("record_settings", "failed", why.clone());
            return finish(
                p,
                Err(anyhow!(
                    "could not record the settings of '{table}' ({why}): nothing was changed"
                )),
            );
        }
    };
    for s in record.skipped() {
        tracing::warn!(
            setting = s.name(),
            "--skip-setting: '{table}' loses its {} (not recorded, so not re-applied): set it up again yourself",
            s.name()
        );
    }
    // An explicit --billing-mode is the operator's choice: the recorded capacity is not
    // put back over it.
    let mut to_apply = record.clone();
    if overridden {
        to_apply.capacity = crate::engine::record::Item::Skipped;
    }
    p.report.record = Some(record.clone());
    if a.dry_run {
        p.report.settings = planned(
            &record,
            Carry {
                copy: true,
                actions: true,
                excluded_indexes: crate::engine::settings::excluded(a),
            },
            &table,
        );
        let source = match &src {
            Source::Backup(b) => format!("backup {}", b.backup_name),
            Source::Pitr(_) => "the point in time, through a staging table and its backup".into(),
        };
        // The steps in the order the real run takes them.
        let mut steps: Vec<(&'static str, String)> = vec![
            ("record_settings", record.summary()),
            (
                "safety_backup",
                format!(
                    "back up '{table}' as {SAFETY_PREFIX}.{table}.<now> and wait until AVAILABLE"
                ),
            ),
        ];
        if matches!(src, Source::Pitr(_)) {
            steps.push((
                "stage_point_in_time",
                "restore the point in time to a staging table and back it up".into(),
            ));
            steps.push(("drop_staging_table", "drop the staging table".into()));
        }
        steps.extend([
            (
                "delete_table",
                format!("delete '{table}' (unavailable from here until ACTIVE)"),
            ),
            ("restore", format!("restore {source} as '{table}'")),
            ("wait_active", format!("wait until '{table}' is ACTIVE")),
            ("reapply_settings", "re-apply the recorded settings".into()),
        ]);
        for (step, detail) in steps {
            p.step(step, "planned", detail);
        }
        save(&p.report, a.report.as_deref());
        // A dry run's plan is its whole result: printed under -q too.
        print(&p.report, ctx)?;
        return Ok(Exit::Success);
    }
    // 2. Confirmation on a terminal (off one, --yes was required before any call).
    if !a.yes {
        confirm(&table, d.region())?;
    }
    // 3. The record goes into the report and the log before anything changes.
    p.step("record_settings", "done", record.summary());
    if let Ok(json) = serde_json::to_string(&record) {
        tracing::info!(table = %table, "settings record: {json}");
    }
    save(&p.report, a.report.as_deref());
    // 4. The safety backup, AVAILABLE before anything is deleted.
    let name = backup_name(SAFETY_PREFIX, &table, &stamp());
    let safety = match d.create_backup(&table, &name).await {
        Ok(b) => b,
        Err(e) => {
            p.step("safety_backup", "failed", e.message.clone());
            return finish(
                p,
                Err(anyhow!(
                    "the safety backup of '{table}' failed: {}; the table was not touched",
                    e.message
                )),
            );
        }
    };
    p.report.safety_backup_arn = Some(safety.backup_arn.clone());
    if !p.backup_available(d, &safety.backup_arn).await? {
        p.step(
            "safety_backup",
            "failed",
            format!("{} is not AVAILABLE", safety.backup_arn),
        );
        let why = if ctx.stop.requested() {
            "a stop came"
        } else {
            "--timeout passed"
        };
        return finish(p, Err(anyhow!("the safety backup {} of '{table}' is not AVAILABLE ({why}): the table was not touched", safety.backup_arn)));
    }
    p.step(
        "safety_backup",
        "done",
        format!("{name} ({})", safety.backup_arn),
    );
    save(&p.report, a.report.as_deref());
    // 5. A point in time becomes a backup first (its source table is about to go).
    let backup_arn = match &src {
        Source::Backup(b) => b.backup_arn.clone(),
        Source::Pitr(point) => match stage(&mut p, point, &req).await {
            Ok(arn) => arn,
            Err(e) => return finish(p, Err(e.context("the table was not touched"))),
        },
    };
    if ctx.stop.requested() {
        return finish(
            p,
            Err(anyhow!(
                "stopped before deleting '{table}': the table was not touched (safety backup {})",
                safety.backup_arn
            )),
        );
    }
    // 6. From the deletion on, the table comes back whatever happens: no stop cuts it.
    let _critical = ctx.critical.enter();
    let u = d.unstoppable();
    let recovery = if a.report.is_some() {
        format!(
            "put the safety backup back, with its settings, with: {}",
            p.recovery_command(&safety.backup_arn)
        )
    } else {
        format!(
            "put the safety backup back with: {}; then re-apply its settings: {}",
            p.recovery_command(&safety.backup_arn),
            p.reapply(&record)
        )
    };
    if info.deletion_protection {
        if let Err(e) = u.update_table_settings(&table, None, Some(false)).await {
            p.step("disable_deletion_protection", "failed", e.message.clone());
            return finish(p, Err(anyhow!("could not turn off the deletion protection of '{table}': {}; the table was not touched", e.message)));
        }
        p.step(
            "disable_deletion_protection",
            "done",
            "off until the restore is done",
        );
    }
    match u.delete_table(&table).await {
        Ok(()) => {}
        // An answer lost after DynamoDB acted: the retry finds the table gone.
        Err(e) if e.kind == crate::error::AwsErrorKind::TableNotFound => {}
        Err(e) => {
            p.step("delete_table", "failed", e.message.clone());
            let mut also = String::new();
            if info.deletion_protection {
                match u.update_table_settings(&table, None, Some(true)).await {
                    Ok(()) => p.step(
                        "enable_deletion_protection",
                        "done",
                        "on again: the table was not deleted",
                    ),
                    Err(e2) => {
                        also = format!(
                            "; its deletion protection is OFF and could not be turned on again ({}): aws dynamodb update-table --table-name {table} --deletion-protection-enabled",
                            e2.message
                        );
                        p.step("enable_deletion_protection", "failed", e2.message);
                    }
                }
            }
            return finish(p, Err(anyhow!("could not delete '{table}': {}{also}; it may still be there (check it); if it is gone, {recovery}", e.message)));
        }
    }
    tracing::warn!(table = %table, "deleted: the table is unavailable until its restore is ACTIVE");
    if !p.table_gone(&u).await.unwrap_or(false) {
        p.step("delete_table", "failed", "still there after --timeout");
        return finish(p, Err(anyhow!("'{table}' was being deleted but is still there after --timeout; once it is gone, {recovery}")));
    }
    p.step("delete_table", "done", "deleted");
    if let Err(e) = u.restore_from_backup(&backup_arn, &req).await {
        p.step("restore", "failed", e.message.clone());
        return finish(
            p,
            Err(anyhow!(
                "table '{table}' was deleted, but its restore failed: {}; {recovery}",
                e.message
            )),
        );
    }
    p.step("restore", "done", format!("requested from {backup_arn}"));
    drop(_critical);
    // 7. ACTIVE, then the settings.
    match wait_active(d, &table, a.timeout.duration, ctx).await {
        Ok(Some(status)) => p.report.table_status = Some(status),
        Ok(None) => {
            p.report.table_status = Some("CREATING".into());
            let what = if ctx.stop.requested() {
                "a stop came"
            } else {
                "--timeout passed"
            };
            p.step("wait_active", "failed", format!("not ACTIVE yet ({what})"));
            let reapply = p.reapply(&record);
            return finish(p, Err(anyhow!("table '{table}' is being restored but not ACTIVE yet ({what}); once it is, re-apply its settings: {reapply}")));
        }
        Err(e) => {
            p.step("wait_active", "failed", e.message.clone());
            return finish(p, Err(anyhow!("table '{table}' was deleted and its restore requested, but waiting for it failed: {}; if it does not come back, {recovery}", e.message)));
        }
    }
    p.step("wait_active", "done", "ACTIVE");
    p.report.settings = apply(
        d,
        &table,
        &to_apply,
        Carry {
            copy: true,
            actions: true,
            excluded_indexes: crate::engine::settings::excluded(a),
        },
        &ctx.stop,
    )
    .await;
    let failed = any_failed(&p.report.settings);
    let bad: Vec<&str> = p
        .report
        .settings
        .iter()
        .filter(|s| s.failed())
        .map(|s| s.setting)
        .collect();
    p.step(
        "reapply_settings",
        if failed { "failed" } else { "done" },
        if failed {
            format!("failed: {} (see settings)", bad.join(", "))
        } else {
            "every recorded setting verified or unchanged".to_string()
        },
    );
    if overridden {
        if let Some(c) = p
            .report
            .settings
            .iter_mut()
            .find(|s| s.setting == "capacity")
        {
            c.detail = "not applied: --billing-mode given".into();
        }
    }
    let step_failed = p.report.steps.iter().any(|s| s.status == "failed");
    let exit = if ctx.stop.requested() {
        tracing::warn!(
            "stopped while re-applying the settings of '{table}': {}",
            p.reapply(&record)
        );
        Exit::Interrupted
    } else if failed || step_failed {
        Exit::Partial
    } else {
        Exit::Success
    };
    save(&p.report, a.report.as_deref());
    if ctx.out.shows(exit) {
        print(&p.report, ctx)?;
    }
    Ok(exit)
}

/// Restores the point in time into a staging table, backs that up, and drops the staging
/// table: the backup is what the table is restored from once deleted.
async fn stage(
    p: &mut Procedure<'_>,
    point: &crate::aws::PitrPoint,
    req: &RestoreRequest,
) -> Result<String> {
    let d = p.d;
    let at = Utc::now();
    let ts = names::stamp(at);
    let staging = staging_name(&p.table, at);
    let sreq = RestoreRequest {
        target: staging.clone(),
        gsi: IndexChoice::All,
        lsi: IndexChoice::All,
        sse: SseChoice::Keep,
        ..req.clone()
    };
    d.restore_to_point_in_time(&p.table, point, &sreq).await?;
    match wait_active(d, &staging, p.a.timeout.duration, p.ctx).await? {
        Some(_) => {}
        None => bail!("the point in time's staging table '{staging}' is not ACTIVE (--timeout or a stop); delete it once it is"),
    }
    let name = backup_name("ddb-backup-staging", &p.table, &ts);
    let b = d.create_backup(&staging, &name).await?;
    if !p.backup_available(d, &b.backup_arn).await? {
        bail!(
            "the backup {} of the staging table '{staging}' is not AVAILABLE (--timeout or a stop)",
            b.backup_arn
        );
    }
    p.step(
        "stage_point_in_time",
        "done",
        format!(
            "restored to '{staging}', backed up as {name} ({})",
            b.backup_arn
        ),
    );
    match d.delete_table(&staging).await {
        Ok(()) => p.step("drop_staging_table", "done", staging),
        Err(e) => p.step(
            "drop_staging_table",
            "failed",
            format!("'{staging}' was left behind: {}", e.message),
        ),
    }
    Ok(b.backup_arn)
}

/// Asks for the table's name on the terminal.
fn confirm(table: &str, region: &str) -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("--replace needs --yes when stdin is not a terminal");
    }
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "This deletes table '{table}' in {region} and restores it under the same name; it is \
         unavailable until the restore is ACTIVE. A safety backup is taken first.\n\
         Type the table name to go on: "
    );
    let _ = err.flush();
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    if line.trim() != table {
        bail!(
            "not confirmed (typed {}): nothing was changed",
            crate::error::quoted(line.trim())
        );
    }
    Ok(())
}

/// Prints the report (the steps so far) and returns the error: a failed procedure still
/// says what it did.
fn finish(p: Procedure<'_>, r: Result<Exit>) -> Result<Exit> {
    if let Err(e) = &r {
        save(&p.report, p.a.report.as_deref());
        if p.ctx.out.shows(Exit::Failure) {
            let _ = (p.print)(&p.report, p.ctx);
        }
        tracing::debug!("replace failed: {e:#}");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn names_always_fit(table in "[a-zA-Z0-9_.-]{3,255}") {
            let ts = "20261123T091703Z";
            let b = backup_name(SAFETY_PREFIX, &table, ts);
            prop_assert!(b.len() <= 255 && b.starts_with("ddb-backup-safety."));
            prop_assert!(crate::ids::validate_name("backup name", &b).is_ok());
            let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T09:17:03Z").unwrap().to_utc();
            let s = staging_name(&table, at);
            prop_assert!((3..=255).contains(&s.len()) && s.ends_with(ts));
            prop_assert_eq!(names::work_table(&s), Some(names::WorkTable::Staging));
        }
    }
}
