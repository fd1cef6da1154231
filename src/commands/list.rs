//! `ddb-backup list`

use anyhow::Result;
use aws_sdk_dynamodb::types::BackupTypeFilter;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::aws::ListFilter;
use crate::cli::{ListArgs, StatusFilter, TypeFilter};
use crate::engine::targets::{self, Target, TargetSummary};
use crate::engine::Ctx;
use crate::error::{AwsErrorKind, UsageError};
use crate::exit::Exit;
use crate::model::{Backup, BackupStatus};
use crate::select;
use crate::targets::Placed;
use tracing::Instrument;

pub async fn run(args: ListArgs, ctx: &Ctx) -> Result<Exit> {
    args.select.validate()?;
    if args.exports {
        return exports(args, ctx).await;
    }
    let filter = ListFilter {
        kind: Some(match args.kind {
            TypeFilter::User => BackupTypeFilter::User,
            TypeFilter::System => BackupTypeFilter::System,
            TypeFilter::AwsBackup => BackupTypeFilter::AwsBackup,
            TypeFilter::All => BackupTypeFilter::All,
        }),
        since: args
            .since
            .as_ref()
            .map(|t| t.resolve(ctx.now))
            .transpose()
            .map_err(UsageError::new)?,
        until: args
            .until
            .as_ref()
            .map(|t| t.resolve(ctx.now))
            .transpose()
            .map_err(UsageError::new)?,
    };
    if let (Some(s), Some(u)) = (filter.since, filter.until) {
        if s >= u {
            crate::error::usage::<()>(format!(
                "--since ({}) must be before --until ({})",
                s.to_rfc3339(),
                u.to_rfc3339()
            ))?;
        }
    }
    let specs = ctx.targets()?;
    crate::targets::check_routed(&specs, &args.select.tables)?;
    let status = args.status.map(|s| match s {
        StatusFilter::Creating => BackupStatus::Creating,
        StatusFilter::Available => BackupStatus::Available,
        StatusFilter::Deleted => BackupStatus::Deleted,
    });
    let (a, f) = (args.clone(), filter.clone());
    let mut reached = targets::each(ctx, &specs, args.select.tables.clone(), move |t| {
        let (a, f) = (a.clone(), f.clone());
        async move {
            let mut l = in_target(&t, &a, &f).await?;
            l.backups.retain(|b| status.is_none_or(|s| b.status == s));
            if let Some(p) = &a.name_prefix {
                l.backups.retain(|b| b.backup_name.starts_with(p.as_str()));
            }
            Ok(l)
        }
    })
    .await?;
    let summaries = targets::summaries(&reached, |l| {
        (
            l.tables,
            l.tables.saturating_sub(l.errors.len()),
            l.errors.len(),
        )
    });
    let mut backups = targets::placed(&mut reached, |l| std::mem::take(&mut l.backups));
    backups.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.backup_arn.cmp(&b.backup_arn))
    });
    // Counted before the errors are taken out.
    let succeeded: usize = reached
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .map(|l| l.tables.max(1) - l.errors.len().min(l.tables))
        .sum();
    let errors = targets::placed(&mut reached, |l| std::mem::take(&mut l.errors));
    let tables: usize = reached
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .map(|l| l.tables)
        .sum();
    // A target is one unit here; within a target, each listed table is one.
    let exit = targets::fleet_exit(&summaries, succeeded, errors.len(), false);
    // A failed table's listing is never shown in part; the report says which failed.
    let report = ListReport {
        command: "list",
        complete: errors.is_empty() && summaries.iter().all(|t| t.error.is_none()),
        summary: ListSummary {
            backups: backups.len(),
            tables,
            failed_tables: errors.len(),
            targets: summaries,
        },
        errors,
        backups,
    };
    // A read command prints what it was asked for, -q or not (-q silences the logs).
    if ctx.out.is_table() {
        let mut text = crate::output::backups_table(&ctx.out, &report.backups, ctx.now);
        if !report.errors.is_empty() {
            text.push_str(&format!(
                "\nINCOMPLETE: listing failed for {}: {}",
                crate::output::count(report.errors.len(), "table", "tables"),
                report
                    .errors
                    .iter()
                    .map(|e| format!("{} ({})", e.table, e.at))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        text.push_str(&targets::summary_lines(&report.summary.targets));
        ctx.out.text(&text)?;
    } else {
        ctx.out.data(&report, "backups")?;
    }
    Ok(exit)
}

/// One target's listing.
struct Listed {
    backups: Vec<Backup>,
    errors: Vec<ListError>,
    tables: usize,
}

async fn in_target(t: &Target, args: &ListArgs, filter: &ListFilter) -> Result<Listed> {
    let dynamo = &t.dynamo;
    let Some(sel) = select::for_target(&args.select, &t.at) else {
        return Ok(Listed {
            backups: Vec::new(),
            errors: Vec::new(),
            tables: 0,
        });
    };
    let only_all =
        sel.all_tables && sel.tables.is_empty() && sel.tags.is_empty() && sel.excludes.is_empty();
    if only_all {
        // One paginated listing over every table is the cheapest way; a table whose
        // summaries are not self-consistent is reported as failed, never shown.
        let mut backups = Vec::new();
        let mut errors = Vec::new();
        let mut grouped: Vec<_> = dynamo.list_all_backups(filter).await?.into_iter().collect();
        grouped.sort_by(|a, b| a.0.cmp(&b.0));
        // This tool's scratch and staging tables are not selected by --all-tables.
        let (work, grouped): (Vec<_>, Vec<_>) = grouped
            .into_iter()
            .partition(|(t, _)| crate::names::work_table(t).is_some());
        if !work.is_empty() {
            let names: Vec<&str> = work.iter().map(|(t, _)| t.as_str()).collect();
            tracing::info!(
                "not selected: {} (scratch or staging tables of verify and restore --replace; name them with --table to list them)",
                names.join(", ")
            );
        }
        // Without ListTables the listing knows the tables that have backups.
        let tables = grouped.len();
        for (table, r) in grouped {
            match r {
                Ok(list) => backups.extend(list),
                Err(e) => {
                    tracing::error!("{}", e.message);
                    errors.push(ListError {
                        table,
                        error: e.message,
                    });
                }
            }
        }
        return Ok(Listed {
            backups,
            errors,
            tables,
        });
    }
    let mut backups: Vec<Backup> = Vec::new();
    let mut errors: Vec<(String, crate::error::AwsError)> = Vec::new();
    let selected = select::resolve(&sel, dynamo).await?.tables;
    let tables = selected.len();
    let mut tasks = JoinSet::new();
    for table in selected {
        let d = dynamo.clone();
        let f = filter.clone();
        tasks.spawn(
            async move {
                let r = match d.list_backups(&table, &f).await {
                    Ok(list) => d.confirm_listed(&table, list).await,
                    Err(e) => Err(e),
                };
                (table, r)
            }
            .in_current_span(),
        );
    }
    while let Some(joined) = tasks.join_next().await {
        let (table, r) = joined?;
        match r {
            Ok(list) => backups.extend(list),
            Err(e) if e.kind == AwsErrorKind::Interrupted => return Err(e.into()),
            Err(e) => errors.push((crate::ids::table_name(&table).to_string(), e)),
        }
    }
    if !errors.is_empty() && errors.len() == tables {
        // Every table failed: nothing to show; each error is one line.
        if let Some((_, last)) = errors.pop() {
            for (_, e) in &errors {
                tracing::error!("{}", e.message);
            }
            return Err(last.into());
        }
    }
    for (_, e) in &errors {
        tracing::error!("{}", e.message);
    }
    Ok(Listed {
        backups,
        errors: errors
            .into_iter()
            .map(|(table, e)| ListError {
                table,
                error: e.message,
            })
            .collect(),
        tables,
    })
}

/// The documented JSON of `list`: the backups, and whether the listing is complete.
#[derive(Debug, Serialize)]
pub struct ListReport {
    pub command: &'static str,
    /// False when some table's listing failed: its backups are missing from `backups`.
    pub complete: bool,
    pub backups: Vec<Placed<Backup>>,
    pub errors: Vec<Placed<ListError>>,
    pub summary: ListSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListError {
    pub table: String,
    pub error: String,
}

#[derive(Debug, Serialize)]
pub struct ListSummary {
    pub backups: usize,
    /// Tables listed one by one (0 for the account-wide listing of --all-tables).
    pub tables: usize,
    pub failed_tables: usize,
    /// Tables listed, and failed, per target (account × region).
    pub targets: Vec<TargetSummary>,
}

#[derive(Serialize)]
struct ExportsReport {
    command: &'static str,
    complete: bool,
    exports: Vec<Placed<crate::engine::archive::Listed>>,
    errors: Vec<Placed<crate::engine::archive::ListFailure>>,
    summary: ExportsSummary,
}

#[derive(Serialize)]
struct ExportsSummary {
    exports: usize,
    tables: usize,
    failed_tables: usize,
    targets: Vec<TargetSummary>,
}

/// `list --exports`: the exports in S3, from ddb-backup's manifests, newest first.
async fn exports(args: ListArgs, ctx: &Ctx) -> Result<Exit> {
    use crate::engine::archive::{list_in_target, Location};
    let loc = Location::from_opts(&args.archive, "list --exports")?;
    let specs = ctx.targets()?;
    crate::targets::check_routed(&specs, &args.select.tables)?;
    let (sel, l) = (args.select.clone(), loc.clone());
    let mut reached = targets::each(ctx, &specs, args.select.tables.clone(), move |t| {
        let (sel, l) = (sel.clone(), l.clone());
        async move { list_in_target(&t, &sel, &l).await }
    })
    .await?;
    let summaries = targets::summaries(&reached, |l| {
        (l.tables, l.tables - l.errors.len(), l.errors.len())
    });
    let tables: usize = reached
        .iter()
        .filter_map(|r| r.result.as_ref().ok())
        .map(|l| l.tables)
        .sum();
    let mut exports = targets::placed(&mut reached, |l| std::mem::take(&mut l.exports));
    let errors = targets::placed(&mut reached, |l| std::mem::take(&mut l.errors));
    exports.sort_by(|a, b| {
        b.export_time
            .cmp(&a.export_time)
            .then_with(|| a.table.cmp(&b.table))
    });
    let exit = targets::fleet_exit(&summaries, tables - errors.len(), errors.len(), false);
    let report = ExportsReport {
        command: "list",
        complete: errors.is_empty() && summaries.iter().all(|t| t.error.is_none()),
        summary: ExportsSummary {
            exports: exports.len(),
            tables,
            failed_tables: errors.len(),
            targets: summaries,
        },
        exports,
        errors,
    };
    // A read command prints what it was asked for, -q or not (-q silences the logs).
    if ctx.out.is_table() {
        let mut t = ctx.out.table(&[
            "Table",
            "Type",
            "Export time (UTC)",
            "Status",
            "Items",
            "Billed bytes",
            "Objects",
            "Manifest",
        ]);
        for e in &report.exports {
            let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
            t.add_row(vec![
                e.table.clone(),
                e.export_type.trim_end_matches("_EXPORT").to_lowercase(),
                crate::output::time(e.export_time),
                e.status.clone(),
                n(e.item_count),
                n(e.billed_size_bytes),
                e.objects.to_string(),
                e.manifest.clone(),
            ]);
        }
        let mut text = format!(
            "{t}\n{} of {}",
            crate::output::count(report.exports.len(), "export", "exports"),
            crate::output::count(tables, "table", "tables")
        );
        if !report.errors.is_empty() {
            text.push_str(&format!(
                "\nINCOMPLETE: listing failed for {}: {}",
                crate::output::count(report.errors.len(), "table", "tables"),
                report
                    .errors
                    .iter()
                    .map(|e| format!("{} ({})", e.table, e.at))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        text.push_str(&targets::summary_lines(&report.summary.targets));
        ctx.out.text(&text)?;
    } else {
        ctx.out.data(&report, "exports")?;
    }
    Ok(exit)
}
