//! `ddb-backup verify`: restore drills. Each table's newest backup made by ddb-backup is
//! restored to a scratch table, checked against the backup's description, and the scratch
//! table is always dropped — only a table this tool made (name and tag both match).

use std::sync::Arc;

use anyhow::Result;

use crate::cli::VerifyArgs;
use crate::config::Config;
use crate::engine::drill::{in_target, run_id, Drill, Options, VerifyReport, VerifySummary};
use crate::engine::lookup;
use crate::engine::metrics;
use crate::engine::targets;
use crate::engine::{files, fleet, Ctx};
use crate::exit::Exit;
use crate::output::count;
use crate::targets::Placed;

pub async fn run(mut args: VerifyArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    match (&config, &args.backup_arn) {
        (Some(_), _) => fleet::check_narrowing(&args.select)?,
        (None, Some(_)) => {}
        (None, None) => args.select.validate()?,
    }
    if let Some(p) = &args.metrics_file {
        files::check_writable(p)?;
    }
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    // A backup given by its id (as `list` shows it) is drilled by its ARN.
    if let Some(reference) = &args.backup_arn {
        args.backup_arn = Some(lookup::backup_arn(&ctx, reference).await?);
    }
    let specs = match &args.backup_arn {
        Some(arn) => vec![ctx.target_for_arn(arn)?],
        None => crate::targets::plan(&ctx.global, config.as_ref())?,
    };
    let mut named: Vec<String> = fleet::named_tables(config.as_ref(), &args.select)
        .into_iter()
        .cloned()
        .collect();
    if let Some(arn) = &args.backup_arn {
        named.push(arn.clone());
    }
    crate::targets::check_routed(&specs, &named)?;
    let opts = Options {
        timeout: args.timeout.duration,
        dry_run: args.dry_run,
        run_id: run_id(),
    };
    let shared = Arc::new((args.clone(), config, opts.clone()));
    let c = ctx.clone();
    let mut reached = targets::each(&ctx, &specs, named, move |t| {
        let (shared, c) = (shared.clone(), c.clone());
        async move { in_target(&t, &shared.0, shared.1.as_ref(), &shared.2, &c).await }
    })
    .await?;
    let per_target = targets::summaries(&reached, |(d, _)| {
        let failed = d.iter().filter(|x| !x.ok()).count();
        (d.len(), d.len() - failed, failed)
    });
    let tables = targets::placed(&mut reached, |(d, _)| std::mem::take(d));
    let leftovers = targets::placed(&mut reached, |(_, l)| std::mem::take(l));
    let failed = tables.iter().filter(|d| !d.ok()).count();
    // A dry run restores nothing: what it names would be verified, nothing passed.
    let would_verify = tables
        .iter()
        .filter(|d| d.outcome == "would_verify")
        .count();
    let report = VerifyReport {
        command: "verify",
        dry_run: args.dry_run,
        run_id: opts.run_id.clone(),
        summary: VerifySummary {
            tables: tables.len(),
            passed: tables.len() - failed - would_verify,
            would_verify,
            failed,
            leftovers_dropped: leftovers.len(),
            interrupted: ctx.stop.requested(),
            targets: per_target,
        },
        tables,
        leftovers_dropped: leftovers,
    };
    let exit = targets::fleet_exit(
        &report.summary.targets,
        report.summary.passed + report.summary.would_verify,
        report.summary.failed,
        report.summary.interrupted,
    );
    if let (Some(path), false) = (&args.metrics_file, args.dry_run) {
        let drills: Vec<&Placed<Drill>> = report.tables.iter().collect();
        if let Err(e) = metrics::write_verify(path, &drills) {
            tracing::error!("{e:#}");
        }
    }
    if ctx.out.shows(exit) || args.dry_run {
        print(&report, &ctx)?;
    }
    Ok(exit)
}

fn print(r: &VerifyReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "tables")?;
        return Ok(());
    }
    let mut t = ctx
        .out
        .table(&[
            "Account",
            "Region",
            "Table",
            "Backup name",
            "Result",
            "Restore (s)",
            "Items",
            "Detail",
        ])
        .optional(&["Restore (s)", "Items"]);
    for d in &r.tables {
        t.add_row(vec![
            d.at.account.clone(),
            d.at.region.clone(),
            d.table.clone(),
            d.backup_name.clone().unwrap_or_default(),
            d.outcome.to_string(),
            d.restore_seconds
                .map(|s| format!("{s:.1}"))
                .unwrap_or_default(),
            d.items.map(|n| n.to_string()).unwrap_or_default(),
            d.detail.clone().unwrap_or_default(),
        ]);
    }
    let s = &r.summary;
    let mut text = format!(
        "{t}\n{}: {}, {} failed{}{}",
        count(s.tables, "table", "tables"),
        if r.dry_run {
            format!(
                "{} would be verified (dry run: nothing restored)",
                s.would_verify
            )
        } else {
            format!("{} passed", s.passed)
        },
        s.failed,
        if s.leftovers_dropped > 0 {
            format!(
                "; {} dropped",
                count(
                    s.leftovers_dropped,
                    "leftover scratch table",
                    "leftover scratch tables"
                )
            )
        } else {
            String::new()
        },
        if s.interrupted { " (interrupted)" } else { "" }
    );
    text.push_str(&targets::summary_lines(&s.targets));
    ctx.out.text(&text)?;
    Ok(())
}
