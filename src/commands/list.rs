//! `ddb-backup list`

use anyhow::Result;
use aws_sdk_dynamodb::types::BackupTypeFilter;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::aws::ListFilter;
use crate::cli::{ListArgs, StatusFilter, TypeFilter};
use crate::commands::Ctx;
use crate::error::{AwsErrorKind, UsageError};
use crate::exit::Exit;
use crate::model::{Backup, BackupStatus};
use crate::retention::newest_first;
use crate::select;

pub async fn run(args: ListArgs, ctx: &Ctx) -> Result<Exit> {
    args.select.validate()?;
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
    let dynamo = ctx.dynamo().await?;
    let only_all = args.select.all_tables
        && args.select.tables.is_empty()
        && args.select.tags.is_empty()
        && args.select.excludes.is_empty();
    let mut backups: Vec<Backup> = Vec::new();
    let mut errors: Vec<(String, crate::error::AwsError)> = Vec::new();
    let mut tables = 0;
    if only_all {
        // One paginated listing over every table is the cheapest way.
        backups = dynamo.list_backups(None, &filter).await?;
    } else {
        let selected = select::resolve(&args.select, &dynamo).await?.tables;
        tables = selected.len();
        let mut tasks = JoinSet::new();
        for table in selected {
            let d = dynamo.clone();
            let f = filter.clone();
            tasks.spawn(async move {
                let r = match d.list_backups(Some(&table), &f).await {
                    Ok(list) => d.confirm_listed(&table, list).await,
                    Err(e) => Err(e),
                };
                (table, r)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (table, r) = joined?;
            match r {
                Ok(list) => backups.extend(list),
                Err(e) if e.kind == AwsErrorKind::Interrupted => return Err(e.into()),
                Err(e) => errors.push((select::table_name(&table).to_string(), e)),
            }
        }
    }
    let status = args.status.map(|s| match s {
        StatusFilter::Creating => BackupStatus::Creating,
        StatusFilter::Available => BackupStatus::Available,
        StatusFilter::Deleted => BackupStatus::Deleted,
    });
    backups.retain(|b| status.is_none_or(|s| b.status == s));
    if let Some(p) = &args.name_prefix {
        backups.retain(|b| b.backup_name.starts_with(p.as_str()));
    }
    newest_first(&mut backups);
    let exit = Exit::from_counts(tables.max(1) - errors.len().min(tables), errors.len());
    if exit == Exit::Failure {
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
    let errors: Vec<ListError> = errors
        .into_iter()
        .map(|(table, e)| ListError {
            table,
            error: e.message,
        })
        .collect();
    // A failed table's listing is never shown in part; the report says which failed.
    let report = ListReport {
        command: "list",
        complete: errors.is_empty(),
        summary: ListSummary {
            backups: backups.len(),
            tables,
            failed_tables: errors.len(),
        },
        errors,
        backups,
    };
    if !ctx.out.shows(exit) {
    } else if ctx.out.is_table() {
        let mut text = crate::output::backups_table(&ctx.out, &report.backups, ctx.now);
        if !report.complete {
            text.push_str(&format!(
                "\nINCOMPLETE: listing failed for {} table(s): {}",
                report.errors.len(),
                report
                    .errors
                    .iter()
                    .map(|e| e.table.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        ctx.out.text(&text)?;
    } else {
        ctx.out.data(&report, "backups")?;
    }
    Ok(exit)
}

/// The documented JSON of `list`: the backups, and whether the listing is complete.
#[derive(Debug, Serialize)]
pub struct ListReport {
    pub command: &'static str,
    /// False when some table's listing failed: its backups are missing from `backups`.
    pub complete: bool,
    pub backups: Vec<Backup>,
    pub errors: Vec<ListError>,
    pub summary: ListSummary,
}

#[derive(Debug, Serialize)]
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
}
