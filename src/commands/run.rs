//! `ddb-backup run`: the unattended job. Back up every selected table, then prune each one
//! whose backup succeeded (or was skipped because a fresh one exists) by its own policy.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;

use crate::cli::RunArgs;
use crate::config::Config;
use crate::engine::files::{check_writable, lock};
use crate::engine::journey::{build_report, execute, exit_for, jobs, DrillPlan, RunReport};
use crate::engine::metrics::write_metrics;
use crate::engine::targets;
use crate::engine::{fleet, Ctx};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::output::write_file_atomic;

pub async fn run(args: RunArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    let jobs = jobs(&args, config.as_ref())?;
    for job in &jobs {
        for t in &job.selection.tables {
            job.backup
                .template
                .render(crate::ids::table_name(t), ctx.now)
                .map_err(UsageError::new)?;
        }
    }
    // Where results go is checked before anything is sent: a run must not back up and
    // delete, then fail to say so.
    for path in [&args.sched.report, &args.sched.metrics_file]
        .into_iter()
        .flatten()
    {
        check_writable(path)?;
    }
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    let specs = crate::targets::plan(&ctx.global, config.as_ref())?;
    crate::targets::check_routed(&specs, fleet::named_tables(config.as_ref(), &args.select))?;
    let _lock = match &args.sched.lock_file {
        Some(p) => Some(lock(p)?),
        None => None,
    };
    let started = Instant::now();
    let config = config.map(Arc::new);
    // Drills due by the metrics file's record of the last passed drill per table.
    let drill = Arc::new(DrillPlan {
        last: args
            .sched
            .metrics_file
            .as_deref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| crate::engine::metrics::last_successes(&t))
            .unwrap_or_default(),
        options: crate::engine::drill::Options {
            timeout: std::time::Duration::from_secs(30 * 60),
            dry_run: args.dry_run,
            run_id: crate::engine::drill::run_id(),
        },
    });
    let result = execute(
        &specs,
        &args.select,
        config.clone(),
        Arc::new(jobs),
        drill,
        &ctx,
    )
    .await;
    let duration = started.elapsed().as_secs_f64();
    let report = match result {
        Ok(reached) => build_report(reached, &args, &ctx, duration),
        Err(e) => {
            // Nothing ran (no listing, no connection): monitoring still learns of it.
            if let Some(path) = &args.sched.metrics_file {
                if !args.dry_run {
                    if let Err(m) = write_metrics(path, None, duration, true) {
                        tracing::error!("{m:#}");
                    }
                }
            }
            return Err(e);
        }
    };
    // A failed target's tables are not in the report: their last-success series are kept.
    let narrowed = (config.is_some() && !args.select.is_empty())
        || config
            .as_ref()
            .is_some_and(|c| !c.targets.is_empty() && !ctx.global.region.is_empty())
        || report.summary.targets.iter().any(|t| t.error.is_some());
    let mut exit = exit_for(&report);
    // Each output is attempted whatever happened to the others.
    let mut report_lost = false;
    // What went wrong besides the tables (for the short summary of a mailed run).
    let mut problems: Vec<String> = Vec::new();
    // A table named to narrow the config that it does not hold: nothing was done for it.
    if config.is_some() && !report.summary.targets.iter().any(|t| t.error.is_some()) {
        let selected = report
            .tables
            .iter()
            .map(|t| crate::ids::table_name(&t.table));
        for line in fleet::unmatched_tables(&args.select, selected) {
            tracing::error!("{line}");
            problems.push(line);
            exit = exit.worst(Exit::Partial);
        }
    }
    if let Some(path) = &args.sched.report {
        let written = serde_json::to_vec_pretty(&report)
            .map_err(anyhow::Error::from)
            .and_then(|json| Ok(write_file_atomic(path, &json)?));
        if let Err(e) = written {
            tracing::error!(
                "cannot write the report to {}: {e:#}; it is printed on stdout instead",
                path.display()
            );
            problems.push(format!(
                "the report could not be written to {}: {e:#}",
                path.display()
            ));
            report_lost = true;
            exit = exit.worst(Exit::Failure);
        }
    }
    if let Some(path) = &args.sched.metrics_file {
        if args.dry_run {
            tracing::info!("dry run: metrics file {} left unchanged", path.display());
        } else if let Err(e) = write_metrics(path, Some(&report), duration, narrowed) {
            tracing::error!("{e:#}");
            problems.push(format!("{e:#}"));
            exit = exit.worst(Exit::Failure);
        }
    }
    // `-q` without `-o` (cron, a systemd timer): nothing on success, and on failure a few
    // lines on stderr (what cron mails) instead of the whole report.
    let mailed = ctx.global.summary_only() && !args.dry_run && ctx.out.captured.is_none();
    if report_lost && ctx.out.format != crate::cli::OutputFormat::Json {
        crate::output::Output::json().data(&report, "tables")?;
    } else if mailed {
        if exit != Exit::Success {
            use std::io::Write;
            let text = mail(&report, exit, args.sched.report.as_deref(), &problems);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    } else if ctx.out.shows(exit) || args.dry_run {
        print(&report, &ctx)?;
    }
    Ok(exit)
}

/// The short account of a failed run: one line for the run, one per failed table (and
/// policy, and target) with why, and where the full report is.
fn mail(
    r: &RunReport,
    exit: Exit,
    report: Option<&std::path::Path>,
    problems: &[String],
) -> String {
    let s = &r.summary;
    let mut text = format!(
        "ddb-backup run {}: {} of {} failed{}\n",
        match exit {
            Exit::Partial => "partly failed",
            Exit::Interrupted => "was interrupted",
            _ => "failed",
        },
        s.failed,
        crate::output::count(s.tables, "table", "tables"),
        if s.policy_errors > 0 {
            format!(
                ", {}",
                crate::output::count(s.policy_errors, "policy error", "policy errors")
            )
        } else {
            String::new()
        }
    );
    for x in r.tables.iter().filter(|x| !x.ok) {
        let why = [
            x.conflict.clone(),
            (!x.backup.outcome.is_ok()).then(|| {
                let d = x.backup.detail.clone().unwrap_or_default();
                format!(
                    "backup {}{}",
                    x.backup.outcome.as_str(),
                    if d.is_empty() { d } else { format!(": {d}") }
                )
            }),
            x.prune
                .as_ref()
                .and_then(|p| p.error.clone())
                .map(|e| format!("prune: {e}")),
            x.verify
                .as_ref()
                .filter(|d| d.outcome != "passed")
                .map(|d| {
                    format!(
                        "drill {}{}",
                        d.outcome,
                        d.detail
                            .as_deref()
                            .map(|w| format!(": {w}"))
                            .unwrap_or_default()
                    )
                }),
        ]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or_else(|| "failed".into());
        text.push_str(&format!("  {} ({}): {why}\n", x.table, x.at));
    }
    for e in &r.policy_errors {
        text.push_str(&format!(
            "  policy '{}' in {}: {}\n",
            e.policy, e.at, e.error
        ));
    }
    for t in s.targets.iter().filter(|t| t.error.is_some()) {
        text.push_str(&format!(
            "  {}/{}: {}\n",
            t.account,
            t.region,
            t.error.as_deref().unwrap_or_default()
        ));
    }
    for p in problems {
        text.push_str(&format!("  {p}\n"));
    }
    match report {
        Some(path)
            if !problems
                .iter()
                .any(|p| p.starts_with("the report could not")) =>
        {
            text.push_str(&format!("full report: {}\n", path.display()));
        }
        _ => text.push_str(
            "full report: not kept (--report PATH writes it to a file; -o json prints it)\n",
        ),
    }
    text
}

fn print(r: &RunReport, ctx: &Ctx) -> Result<()> {
    let kept = |p: &crate::engine::prune::TablePrune| {
        crate::output::kept(p.kept, p.creating, p.deleted_elsewhere)
    };
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
            "Policy",
            "Backup",
            "Backup name",
            "Prune",
            "Detail",
        ])
        .optional(&["Backup name", "Policy"]);
    for x in &r.tables {
        let prune = match (&x.prune, &x.prune_skipped) {
            (Some(p), _) if r.dry_run => format!("{}, would delete {}", kept(p), p.to_delete),
            (Some(p), _) => format!("{}, deleted {}", kept(p), p.deleted),
            (None, _) => "skipped".to_string(),
        };
        let drill = x.verify.as_ref().map(|d| match &d.detail {
            Some(why) => format!("drill {}: {why}", d.outcome),
            None => format!("drill {}", d.outcome),
        });
        let detail = [
            x.backup.detail.clone(),
            x.prune.as_ref().and_then(|p| p.error.clone()),
            x.prune_skipped.clone(),
            drill,
            x.verify_skipped.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        t.add_row(vec![
            x.at.account.clone(),
            x.at.region.clone(),
            x.table.clone(),
            x.policy.clone(),
            x.backup.outcome.as_str().to_string(),
            x.backup.backup_name.clone().unwrap_or_default(),
            prune,
            detail,
        ]);
    }
    let mut text = format!("{t}\n");
    for e in &r.policy_errors {
        text.push_str(&format!(
            "policy '{}' failed in {}: {}\n",
            e.policy, e.at, e.error
        ));
    }
    let s = &r.summary;
    let (made, gone, verbs) = if r.dry_run {
        (
            s.would_create,
            s.would_delete,
            ("would be created", "would be deleted (dry run)"),
        )
    } else {
        (s.backups_created, s.backups_deleted, ("created", "deleted"))
    };
    text.push_str(&format!(
        "{}: {} ok, {} failed, {}; {} {}, {gone} {}{}{} in {:.1}s{}",
        crate::output::count(s.tables, "table", "tables"),
        s.succeeded,
        s.failed,
        crate::output::count(s.policy_errors, "policy error", "policy errors"),
        crate::output::count(made, "backup", "backups"),
        verbs.0,
        verbs.1,
        crate::output::freed(s.freed_bytes, s.freed_monthly_cost_usd),
        if s.deletions_unknown > 0 {
            format!(
                ", {} of unknown outcome (stopped in flight)",
                crate::output::count(s.deletions_unknown, "deletion", "deletions")
            )
        } else {
            String::new()
        },
        s.duration_seconds,
        if s.interrupted { " (interrupted)" } else { "" }
    ));
    text.push_str(&targets::summary_lines(&s.targets));
    ctx.out.text(&text)?;
    Ok(())
}
