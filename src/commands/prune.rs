//! `ddb-backup prune`: list each table completely, plan with the pure retention policy,
//! then delete (paced, interruptible) exactly what the plan says.

use anyhow::Result;

use crate::cli::PruneArgs;
use crate::engine::archive::Location;
use crate::engine::export_prune;
use crate::engine::prune::{
    build_report, exit_for, in_target, DeleteResult, PruneOptions, PruneReport,
};
use crate::engine::targets;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::output::time;
use crate::retention::Action;

pub async fn run(args: PruneArgs, ctx: &Ctx) -> Result<Exit> {
    args.select.validate()?;
    let opts = PruneOptions::new(
        &args.keep,
        &args.rails,
        args.name.template_or_default(),
        args.dry_run,
    )?;
    let exports = match args.exports {
        true => Some(Location::from_opts(&args.archive, "prune --exports")?),
        false => None,
    };
    let specs = ctx.targets()?;
    crate::targets::check_routed(&specs, &args.select.tables)?;
    let (sel, o, c) = (args.select.clone(), opts.clone(), ctx.clone());
    let reached = targets::each(ctx, &specs, args.select.tables.clone(), move |t| {
        let (sel, o, c, l) = (sel.clone(), o.clone(), c.clone(), exports.clone());
        async move {
            match &l {
                Some(loc) => export_prune::in_target(&t, &sel, loc, &o, &c).await,
                None => in_target(&t, &sel, &o, &c).await,
            }
        }
    })
    .await?;
    let report = build_report(reached, &opts, ctx);
    let exit = exit_for(&report);
    if ctx.out.shows(exit) || opts.dry_run {
        print(&report, args.exports, ctx)?;
    }
    Ok(exit)
}

fn print(r: &PruneReport, exports: bool, ctx: &Ctx) -> Result<()> {
    let (name, noun) = if exports {
        ("Export", "exports")
    } else {
        ("Backup name", "backups")
    };
    if !ctx.out.is_table() {
        ctx.out.data(r, "tables")?;
        return Ok(());
    }
    let mut text = String::new();
    for t in &r.tables {
        text.push_str(&format!("== {} ({}) ==\n", t.table, t.at));
        if let Some(plan) = &t.plan {
            let mut tab = ctx
                .out
                .table(&["Action", name, "Type", "Status", "Created (UTC)", "Reasons"])
                .optional(&["Type", "Status"]);
            for d in &plan.decisions {
                let action = match d.action {
                    Action::Keep => "keep",
                    Action::Delete if r.dry_run => "would delete",
                    Action::Delete => match t
                        .deletions
                        .iter()
                        .find(|(a, _)| *a == d.backup.backup_arn)
                        .map(|x| &x.1)
                    {
                        Some(DeleteResult::Deleted) => "deleted",
                        Some(DeleteResult::AlreadyGone) => "already gone",
                        Some(DeleteResult::Failed(_)) => "delete failed",
                        Some(DeleteResult::Unknown(_)) => "outcome unknown",
                        _ => "not deleted",
                    },
                    Action::Hold => "held",
                };
                tab.add_row(vec![
                    action.to_string(),
                    crate::output::printable(&d.backup.backup_name).into_owned(),
                    d.backup.kind.as_str().to_string(),
                    d.backup.status.as_str().to_string(),
                    time(d.backup.created_at),
                    d.reasons.join(", "),
                ]);
            }
            text.push_str(&format!("{tab}\n"));
        }
        let verb = if r.dry_run { "would delete" } else { "deleted" };
        let n = if r.dry_run { t.to_delete } else { t.deleted };
        text.push_str(&format!(
            "{}: {}, {verb} {n}{}",
            t.table,
            crate::output::kept(t.kept, t.creating, t.deleted_elsewhere),
            crate::output::freed(t.freed_bytes, t.freed_monthly_cost_usd)
        ));
        if let Some(e) = &t.error {
            text.push_str(&format!(" — {}: {e}", t.status));
        }
        text.push_str("\n\n");
    }
    let s = &r.summary;
    text.push_str(&format!(
        "{}, {} failed; {} {}{}, {}{}{}",
        crate::output::count(s.tables, "table", "tables"),
        s.failed_tables,
        crate::output::count(
            if r.dry_run { s.would_delete } else { s.deleted },
            noun.trim_end_matches('s'),
            noun
        ),
        if r.dry_run {
            "would be deleted (dry run)"
        } else {
            "deleted"
        },
        crate::output::freed(s.freed_bytes, s.freed_monthly_cost_usd),
        crate::output::kept(s.kept, s.creating, s.deleted_elsewhere),
        if s.unknown > 0 {
            format!(
                ", {} of unknown outcome (stopped in flight)",
                crate::output::count(s.unknown, "deletion", "deletions")
            )
        } else {
            String::new()
        },
        if s.interrupted { " (interrupted)" } else { "" }
    ));
    text.push_str(&targets::summary_lines(&s.targets));
    ctx.out.text(&text)?;
    Ok(())
}
