//! `prune --exports`: the retention policy of backups (retention::plan, unchanged) over a
//! table's exports in S3, with one more rail: an export that a kept incremental export
//! builds on (its base, that base's base...) is kept. Only prefixes holding a ddb-backup
//! manifest are candidates; an export in progress is never deleted; a listing that fails
//! deletes nothing. Deleting an export removes every object under its prefix (listed
//! again, in full, at that moment), the manifest last: a prune that stops half-way leaves
//! an export that is still listed, and the next prune finishes it.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::aws::Dynamo;
use crate::cli::TableSelection;
use crate::engine::archive::{self, Archived, Location};
use crate::engine::prune::{DeleteResult, PruneOptions, TablePrune};
use crate::engine::targets::Target;
use crate::engine::Ctx;
use crate::ids::EXPORT_MANIFEST;
use crate::model::{Backup, BackupKind, BackupStatus};
use crate::retention::{self, Action, Plan, Scope};
use crate::select;

/// One target's prune of exports.
pub async fn in_target(
    t: &Target,
    sel: &TableSelection,
    loc: &Location,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> anyhow::Result<Vec<TablePrune>> {
    let Some(sel) = select::for_target(sel, &t.at) else {
        return Ok(Vec::new());
    };
    let selected = select::resolve(&sel, &t.dynamo).await?;
    let mut out = Vec::new();
    for table in selected.tables {
        let table = crate::ids::table_name(&table).to_string();
        out.push(prune_table(&t.dynamo, loc, &t.at.account, &table, opts, ctx).await);
    }
    Ok(out)
}

/// An export as the retention policy sees it: its prefix is its identity, its export
/// time its date; in progress is CREATING (never deleted, not yet counted as kept).
fn as_backup(table: &str, a: &Archived) -> Backup {
    let m = &a.manifest;
    Backup {
        table: table.to_string(),
        backup_arn: m.prefix.clone(),
        backup_name: format!(
            "{} {}",
            m.export_type.trim_end_matches("_EXPORT").to_lowercase(),
            m.prefix
        ),
        status: if m.completed() {
            BackupStatus::Available
        } else {
            BackupStatus::Creating
        },
        kind: BackupKind::User,
        created_at: m.export_time,
        size_bytes: Some(a.stored_bytes),
        expires_at: None,
        table_arn: Some(m.table_arn.clone()),
    }
}

/// The rail of chains: every export a kept (or in-progress) incremental export builds on,
/// directly or through other increments, is kept too, with the reason.
pub fn keep_bases(plan: &mut Plan, found: &[Archived]) {
    let by_prefix: HashMap<&str, &Archived> = found
        .iter()
        .map(|a| (a.manifest.prefix.as_str(), a))
        .collect();
    let mut needed: HashMap<String, String> = HashMap::new();
    for d in &plan.decisions {
        if d.action == Action::Delete && d.backup.status == BackupStatus::Available {
            continue;
        }
        let mut seen = HashSet::new();
        let mut cur = by_prefix.get(d.backup.backup_arn.as_str()).copied();
        while let Some(a) = cur {
            let Some(base) = a.manifest.base.as_ref() else {
                break;
            };
            if !seen.insert(base.prefix.clone()) {
                break;
            }
            needed
                .entry(base.prefix.clone())
                .or_insert_with(|| d.backup.backup_arn.clone());
            cur = by_prefix.get(base.prefix.as_str()).copied();
        }
    }
    for d in plan.decisions.iter_mut() {
        if d.action != Action::Delete {
            continue;
        }
        if let Some(by) = needed.get(&d.backup.backup_arn) {
            d.action = Action::Keep;
            d.reasons = vec![format!("base of kept incremental export {by}")];
        }
    }
}

pub async fn prune_table(
    d: &Dynamo,
    loc: &Location,
    account: &str,
    table: &str,
    opts: &PruneOptions,
    ctx: &Ctx,
) -> TablePrune {
    let started = Instant::now();
    let mut result = TablePrune {
        table: table.to_string(),
        status: "ok",
        error: None,
        kept: 0,
        creating: 0,
        deleted_elsewhere: 0,
        to_delete: 0,
        deleted: 0,
        delete_failed: 0,
        delete_unknown: 0,
        plan: None,
        deletions: Vec::new(),
        duration_seconds: 0.0,
        // S3 storage is not priced by the backup price table: exports free no backup
        // storage.
        freed_bytes: 0,
        freed_monthly_cost_usd: None,
    };
    let mut found = match archive::list_table(d, loc, account, table).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(table, "nothing deleted: {}", e.message);
            result.status = "failed";
            result.error = Some(format!("nothing deleted: {}", e.message));
            return result;
        }
    };
    for a in found.iter_mut() {
        if let Err(e) = archive::refresh(d, loc, a).await {
            // Still taken as in progress: never deleted.
            tracing::warn!(
                table,
                "could not ask about {}: {}",
                a.manifest.export_arn,
                e.message
            );
        }
    }
    // A FAILED export holds no table state: it is neither kept nor deleted here.
    for a in found.iter().filter(|a| a.manifest.status == "FAILED") {
        tracing::warn!(
            table,
            "export {} FAILED: left in place at {}",
            a.manifest.export_arn,
            loc.url(&a.manifest.prefix)
        );
    }
    found.retain(|a| a.manifest.status != "FAILED");
    let backups: Vec<Backup> = found.iter().map(|a| as_backup(table, a)).collect();
    let all = |_: &Backup| true;
    let scope = Scope {
        is_managed: &all,
        include_unmanaged: false,
    };
    let mut plan = retention::plan(
        table,
        &backups,
        &opts.policy,
        &opts.rails,
        &scope,
        d.service_now(),
        opts.timezone,
    );
    keep_bases(&mut plan, &found);
    let tally = plan.tally();
    result.kept = tally.kept;
    result.creating = tally.creating;
    if let Some(why) = &plan.held {
        tracing::error!(table, "nothing deleted: {why}");
        result.status = "failed";
        result.error = Some(why.clone());
    }
    // Newest first: an increment goes before the export it builds on.
    let doomed: Vec<String> = plan
        .to_delete()
        .map(|x| x.backup.backup_arn.clone())
        .collect();
    result.to_delete = doomed.len();
    if !opts.dry_run {
        for prefix in &doomed {
            if ctx.stop.requested() {
                result
                    .deletions
                    .push((prefix.clone(), DeleteResult::NotDone));
                continue;
            }
            let r = delete_export(d, loc, prefix).await;
            match &r {
                DeleteResult::Deleted | DeleteResult::AlreadyGone => result.deleted += 1,
                DeleteResult::Failed(e) => {
                    tracing::error!(table, "could not delete {}: {e}", loc.url(prefix));
                    result.delete_failed += 1;
                }
                DeleteResult::Unknown(_) => result.delete_unknown += 1,
                DeleteResult::NotDone => {}
            }
            result.deletions.push((prefix.clone(), r));
        }
        if result.delete_failed > 0 {
            result.status = "failed";
            result.error = Some(format!(
                "{} of {} export deletions failed",
                result.delete_failed,
                doomed.len()
            ));
        } else if result.deleted + result.delete_failed < doomed.len() {
            result.status = "interrupted";
            result.error = Some(format!(
                "interrupted: {} of {} exports deleted",
                result.deleted,
                doomed.len()
            ));
        }
    }
    result.plan = Some(plan);
    result.duration_seconds = started.elapsed().as_secs_f64();
    result
}

/// Deletes every object under an export's prefix, the manifest last (and only when every
/// other object is gone).
pub async fn delete_export(d: &Dynamo, loc: &Location, prefix: &str) -> DeleteResult {
    let objects = match d.list_objects(&loc.bucket, prefix).await {
        Ok(o) => o,
        Err(e) => return DeleteResult::Failed(format!("nothing deleted: {}", e.message)),
    };
    let manifest = format!("{prefix}{EXPORT_MANIFEST}");
    let (last, rest): (Vec<String>, Vec<String>) = objects
        .into_iter()
        .map(|o| o.key)
        .partition(|k| *k == manifest);
    if last.is_empty() {
        return DeleteResult::AlreadyGone;
    }
    match d.delete_objects(&loc.bucket, &rest).await {
        Ok(refused) if refused.is_empty() => {}
        Ok(refused) => {
            return DeleteResult::Failed(format!(
                "{} not deleted (the manifest is kept, so the next prune tries \
                 again): {}",
                crate::error::count(refused.len(), "object", "objects"),
                refused
                    .iter()
                    .map(|k| format!("{} ({})", k.key, k.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        }
        Err(e) => return DeleteResult::Failed(e.message),
    }
    match d.delete_objects(&loc.bucket, &last).await {
        Ok(refused) if refused.is_empty() => DeleteResult::Deleted,
        Ok(refused) => DeleteResult::Failed(format!(
            "the manifest was not deleted: {}",
            refused[0].message
        )),
        Err(e) => DeleteResult::Failed(e.message),
    }
}
