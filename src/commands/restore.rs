//! `ddb-backup restore`: a table from a backup or to a point in time, under a new name or
//! (`--replace`) in place of the table itself; or a fleet of tables under new names or in
//! another region. The procedures are the engine's; this module checks the arguments and
//! renders the reports (a replace that fails midway still shows how far it got).

use anyhow::Result;

use crate::cli::RestoreArgs;
use crate::engine::fleet_restore::{self, Report};
use crate::engine::lookup;
use crate::engine::restore;
use crate::engine::restoring::RestoreReport;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::output::time;

pub async fn run(mut a: RestoreArgs, ctx: &Ctx) -> Result<Exit> {
    restore::validate(&a, ctx.now)?;
    // A backup given by its id (as `list` shows it) is restored by its ARN.
    if let Some(reference) = &a.backup_arn {
        a.backup_arn = Some(lookup::backup_arn(ctx, reference).await?);
    }
    if restore::is_fleet(&a) {
        fleet_restore::validate(&a)?;
        let path = a.report.clone();
        let report = fleet_restore::run(a, ctx).await?;
        let mut exit = fleet_restore::exit_for(&report);
        // A report that cannot be written is printed on stdout instead, and fails the run.
        let mut report_lost = false;
        if let Some(path) = &path {
            let written = serde_json::to_vec_pretty(&report)
                .map_err(anyhow::Error::from)
                .and_then(|json| Ok(crate::output::write_file_atomic(path, &json)?));
            if let Err(e) = written {
                tracing::error!(
                    "cannot write the report to {}: {e:#}; it is printed on stdout instead",
                    path.display()
                );
                report_lost = true;
                exit = exit.worst(Exit::Failure);
            }
        }
        if report_lost && ctx.out.format != crate::cli::OutputFormat::Json {
            crate::output::Output::json().data(&report, "results")?;
        } else if ctx.out.shows(exit) || report.dry_run {
            print_fleet(&report, ctx)?;
        }
        return Ok(exit);
    }
    restore::run(a, ctx, print).await
}

fn print_fleet(r: &Report, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "results")?;
        return Ok(());
    }
    let mut t = ctx
        .out
        .table(&[
            "Account",
            "Region",
            "Table",
            "Source",
            "Target",
            "Status",
            "To ACTIVE (s)",
            "Settings",
            "Verified",
            "Detail",
        ])
        .optional(&["To ACTIVE (s)", "Verified"]);
    for x in &r.results {
        t.add_row(vec![
            x.at.account.clone(),
            x.at.region.clone(),
            x.source_table.clone(),
            x.backup_name
                .clone()
                .or_else(|| x.point_in_time.clone())
                .unwrap_or_default(),
            format!("{} ({})", x.target, x.target_region),
            x.status.as_str().to_string(),
            x.seconds_to_active
                .map(|s| format!("{s:.1}"))
                .unwrap_or_default(),
            x.settings.to_string(),
            x.verification
                .as_ref()
                .map(|v| v.status.to_string())
                .unwrap_or_default(),
            x.detail.clone().unwrap_or_default(),
        ]);
    }
    let s = &r.summary;
    let mut tail = if r.dry_run {
        format!(
            "{t}\n{}: {} would be restored ({} already restored), {} failed",
            crate::output::count(s.tables, "table", "tables"),
            s.would_restore,
            s.already_restored,
            s.failed
        )
    } else {
        format!(
            "{t}\n{}: {} ok ({} already restored), {} failed",
            crate::output::count(s.tables, "table", "tables"),
            s.succeeded,
            s.already_restored,
            s.failed
        )
    };
    if s.restoring + s.not_started + s.interrupted_tables > 0 {
        tail.push_str(&format!(
            "; {} still restoring, {} not started, {} interrupted before their settings or \
             verification: run the same command again to finish",
            s.restoring, s.not_started, s.interrupted_tables
        ));
    }
    if !r.carried.is_empty() {
        tail.push_str(&format!(
            "\n{} of the earlier run not selected this time: kept in the report as it left them",
            crate::output::count(r.carried.len(), "table", "tables")
        ));
    }
    if let Some(f) = s.fleet_seconds {
        tail.push_str(&format!(
            "\nfleet recovery time: {f:.1} s (first request to last table finished)"
        ));
    }
    if let Some(e) = &s.estimate {
        tail.push_str(&format!(
            "\ndry run: nothing restored; {} to restore, {}",
            e.to_restore, e.model
        ));
    }
    if s.interrupted {
        tail.push_str(" (interrupted)");
    }
    tail.push_str(&crate::engine::targets::summary_lines(&s.targets));
    ctx.out.text(&tail)?;
    Ok(())
}

fn print(r: &RestoreReport, ctx: &Ctx) -> Result<()> {
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
    if !r.settings.is_empty() {
        s.push_str("settings:\n");
    }
    for x in &r.settings {
        s.push_str(&format!(
            "  {:<31} {:<9} {}\n",
            x.setting, x.status, x.detail
        ));
        if let Some(c) = &x.command {
            s.push_str(&format!("  {:<31} {:<9} fix: {c}\n", "", ""));
        }
    }
    s.push_str(&format!("note: {}\n", r.note));
    ctx.out.text(&s)?;
    Ok(())
}
