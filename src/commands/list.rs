//! `ddb-backup list`

use anyhow::Result;
use aws_sdk_dynamodb::types::BackupTypeFilter;
use tokio::task::JoinSet;

use crate::aws::ListFilter;
use crate::cli::{ListArgs, StatusFilter, TypeFilter};
use crate::commands::Ctx;
use crate::error::UsageError;
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
            crate::error::usage::<()>(format!("--since ({s}) must be before --until ({u})"))?;
        }
    }
    let dynamo = ctx.dynamo().await?;
    let only_all = args.select.all_tables
        && args.select.tables.is_empty()
        && args.select.tags.is_empty()
        && args.select.excludes.is_empty();
    let mut backups: Vec<Backup> = Vec::new();
    let mut errors: Vec<crate::error::AwsError> = Vec::new();
    let mut ok = 0;
    if only_all {
        // One paginated listing over every table is the cheapest way.
        backups = dynamo.list_backups(None, &filter).await?;
        ok = 1;
    } else {
        let tables = select::resolve(&args.select, &dynamo).await?;
        let mut tasks = JoinSet::new();
        for table in tables {
            let d = dynamo.clone();
            let f = filter.clone();
            tasks.spawn(async move {
                let r = d.list_backups(Some(&table), &f).await;
                (table, r)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let (_table, r) = joined?;
            match r {
                Ok(list) => {
                    ok += 1;
                    backups.extend(list);
                }
                Err(e) => errors.push(e),
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
    let exit = Exit::from_counts(ok, errors.len());
    // A failed table's listing is never shown in part; when every table failed, nothing
    // is printed on stdout at all.
    if let Some(last) = errors.pop() {
        for e in &errors {
            tracing::error!("{}", e.message);
        }
        if exit == Exit::Failure {
            return Err(last.into());
        }
        tracing::error!("{}", last.message);
    }
    if ctx.out.is_table() {
        ctx.out
            .text(&crate::output::backups_table(&ctx.out, &backups, ctx.now))?;
    } else {
        ctx.out.data(&backups, &backups)?;
    }
    Ok(exit)
}
