//! `ddb-backup backup`: CreateBackup for one table or a fleet, paced, with --wait,
//! --skip-if-recent and a per-table report.

use anyhow::Result;

use crate::cli::BackupArgs;
use crate::engine::backup::{exit_for, in_target, report, Options, Report};
use crate::engine::targets;
use crate::engine::Ctx;
use crate::error::UsageError;
use crate::exit::Exit;
use crate::ids::table_name;
use crate::output::time;

pub async fn run(args: BackupArgs, ctx: &Ctx) -> Result<Exit> {
    args.select.validate()?;
    let opts = Options {
        template: args.name.template_or_default(),
        wait: args.wait,
        timeout: args.timeout,
        skip_if_recent: args.skip_if_recent,
        concurrency: args.concurrency,
        dry_run: args.dry_run,
    };
    for t in &args.select.tables {
        opts.template
            .render(table_name(t), ctx.now)
            .map_err(UsageError::new)?;
    }
    let specs = ctx.targets()?;
    crate::targets::check_routed(&specs, &args.select.tables)?;
    let (sel, o, c) = (args.select.clone(), opts.clone(), ctx.clone());
    let reached = targets::each(ctx, &specs, args.select.tables.clone(), move |t| {
        let (sel, o, c) = (sel.clone(), o.clone(), c.clone());
        async move { in_target(&t, &sel, &o, &c).await }
    })
    .await?;
    let report = report(reached, opts.dry_run, ctx);
    let exit = exit_for(&report);
    if ctx.out.shows(exit) || opts.dry_run {
        print(&report, ctx)?;
    }
    Ok(exit)
}

fn print(r: &Report, ctx: &Ctx) -> Result<()> {
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
            "Result",
            "Backup name",
            "Created (UTC)",
            "Detail",
        ])
        .optional(&["Created (UTC)"]);
    for x in &r.results {
        t.add_row(vec![
            x.at.account.clone(),
            x.at.region.clone(),
            x.table.clone(),
            x.outcome.as_str().to_string(),
            x.backup_name.clone().unwrap_or_default(),
            x.created_at.map(time).unwrap_or_default(),
            x.detail.clone().unwrap_or_default(),
        ]);
    }
    let s = &r.summary;
    ctx.out.text(&format!(
        "{t}\n{}: {} ok ({} skipped), {} failed{}{}{}",
        crate::output::count(s.tables, "table", "tables"),
        s.succeeded,
        s.skipped,
        s.failed,
        if r.dry_run {
            " (dry run: nothing created)"
        } else {
            ""
        },
        if s.interrupted { " (interrupted)" } else { "" },
        targets::summary_lines(&s.targets)
    ))?;
    Ok(())
}
