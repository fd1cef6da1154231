//! `ddb-backup report`: evidence and cost at a glance, as a terminal table, JSON, NDJSON,
//! CSV and one self-contained HTML page. Changes nothing.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::{OutputFormat, ReportArgs};
use crate::config::Config;
use crate::engine::files::check_writable;
use crate::engine::report::{assessments, build_report, exit_for, in_target, read_drills, Options};
use crate::engine::{fleet, targets, Ctx};
use crate::evidence::Rules;
use crate::exit::Exit;
use crate::output::{html, report as render, write_file_atomic};

pub async fn run(args: ReportArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    if config.is_some() {
        fleet::check_narrowing(&args.select)?;
    } else {
        args.select.validate()?;
    }
    let opts = Options {
        assessments: assessments(
            config.as_ref(),
            &args.keep,
            &args.rails,
            args.name.template.as_ref(),
        )?,
        rules: Rules {
            max_age: args.max_age.clone(),
            min_count: args.min_count,
            min_streak_days: args.min_streak_days,
        },
        timezone: args
            .rails
            .timezone
            .or(config.as_ref().and_then(|c| c.defaults.timezone))
            .unwrap_or(chrono_tz::UTC),
        price_override: args.price_per_gb_month,
        drills: args.metrics_file.as_deref().map(read_drills).transpose()?,
    };
    // The page is checked before anything is sent: a report must not be made, then lost.
    if let Some(path) = &args.html {
        check_writable(path)?;
    }
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    let specs = crate::targets::plan(&ctx.global, config.as_ref())?;
    crate::targets::check_routed(&specs, fleet::named_tables(config.as_ref(), &args.select))?;
    let named: Vec<String> = fleet::named_tables(config.as_ref(), &args.select)
        .into_iter()
        .cloned()
        .collect();
    let shared_config = config.is_some();
    let shared = Arc::new((args.select.clone(), config, opts.clone()));
    let c = ctx.clone();
    let reached = targets::each(&ctx, &specs, named, move |t| {
        let (shared, c) = (shared.clone(), c.clone());
        async move { in_target(&t, &shared.0, shared.1.as_ref(), &shared.2, &c).await }
    })
    .await?;
    let report = build_report(reached, &opts, &ctx);
    let mut exit = exit_for(&report);
    // A table named to narrow the config that it does not hold is not in the report.
    if shared_config && !report.summary.targets.iter().any(|t| t.error.is_some()) {
        let selected = report
            .tables
            .iter()
            .map(|t| crate::ids::table_name(&t.table));
        for line in crate::engine::fleet::unmatched_tables(&args.select, selected) {
            tracing::error!("{line}");
            exit = exit.worst(Exit::Partial);
        }
    }
    if let Some(path) = &args.html {
        let written = write_file_atomic(path, html::page(&report).as_bytes())
            .with_context(|| format!("cannot write the HTML report to {}", path.display()));
        if let Err(e) = written {
            tracing::error!("{e:#}");
            exit = exit.worst(Exit::Failure);
        }
    }
    // A read command prints what it was asked for, -q or not (-q silences the logs).
    {
        match ctx.out.format {
            OutputFormat::Table => ctx.out.text(&render::table_text(&ctx.out, &report))?,
            OutputFormat::Csv => ctx.out.text(&render::csv(&report))?,
            _ => ctx.out.data(&report, "tables")?,
        }
    }
    Ok(exit)
}
