//! `ddb-backup restore`: a table from a backup or to a point in time, under a new name or
//! (`--replace`) in place of the table itself. The procedure is the engine's; this module
//! checks the arguments and renders the report whenever the procedure shows it (a replace
//! that fails midway still shows how far it got).

use anyhow::Result;

use crate::cli::RestoreArgs;
use crate::engine::restore;
use crate::engine::restoring::RestoreReport;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::output::time;

pub async fn run(a: RestoreArgs, ctx: &Ctx) -> Result<Exit> {
    restore::validate(&a, ctx.now)?;
    restore::run(a, ctx, print).await
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
