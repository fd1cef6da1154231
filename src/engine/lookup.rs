//! A backup named the short way: by its id (the ARN's final part, as `list` shows it),
//! or as a table's newest AVAILABLE backup or its backup of a given name. Each becomes
//! the backup's ARN before a command does anything else with it.

use anyhow::{bail, Result};
use aws_sdk_dynamodb::types::BackupTypeFilter;

use crate::aws::{Dynamo, ListFilter};
use crate::engine::Ctx;
use crate::error::quoted;
use crate::ids::{backup_id, table_name};
use crate::model::{Backup, BackupStatus};
use crate::output::time;

/// Every kind of backup: an id or a name may be of any type.
fn every_kind() -> ListFilter {
    ListFilter {
        kind: Some(BackupTypeFilter::All),
        since: None,
        until: None,
    }
}

/// `reference` as a backup ARN: an ARN as it is; an id looked up in the command line's
/// one target (one account-wide listing of its region).
pub async fn backup_arn(ctx: &Ctx, reference: &str) -> Result<String> {
    if reference.starts_with("arn:") {
        return Ok(reference.to_string());
    }
    let dynamo = ctx.dynamo_for(None).await?;
    by_id(&dynamo, reference).await
}

async fn by_id(d: &Dynamo, id: &str) -> Result<String> {
    let mut found = Vec::new();
    for (table, listed) in d.list_all_backups(&every_kind()).await? {
        match listed {
            Ok(list) => found.extend(list.into_iter().filter(|b| backup_id(&b.backup_arn) == id)),
            // A table whose listing is not usable cannot be searched: say so rather than
            // claim the id does not exist.
            Err(e) => tracing::warn!("backups of '{table}' not searched: {}", e.message),
        }
    }
    match found.as_slice() {
        [] => bail!(
            "no backup has the id {} in {} (see: ddb-backup list --all-tables)",
            quoted(id),
            d.region()
        ),
        [one] => Ok(one.backup_arn.clone()),
        many => bail!(
            "{} backups have the id {}; give the ARN: {}",
            many.len(),
            quoted(id),
            many.iter()
                .map(|b| b.backup_arn.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The ARN of `table`'s newest AVAILABLE backup (`name: None`) or of its one backup
/// named `name`.
pub async fn of_table(d: &Dynamo, table: &str, name: Option<&str>) -> Result<String> {
    let listed = d.list_backups(table, &every_kind()).await?;
    let mut all = d.confirm_listed(table, listed).await?;
    crate::retention::newest_first(&mut all);
    Ok(pick(&all, table_name(table), name)?.backup_arn.clone())
}

fn pick<'a>(all: &'a [Backup], table: &str, name: Option<&str>) -> Result<&'a Backup> {
    let Some(n) = name else {
        return all
            .iter()
            .find(|b| b.status == BackupStatus::Available)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "table '{table}' has no AVAILABLE backup (see: ddb-backup list --table {table} --type all)"
                )
            });
    };
    let found: Vec<&Backup> = all.iter().filter(|b| b.backup_name == n).collect();
    match found.as_slice() {
        [] => bail!(
            "table '{table}' has no backup named {} (see: ddb-backup list --table {table})",
            quoted(n)
        ),
        [one] => Ok(one),
        many => bail!(
            "{} backups of '{table}' are named {}; give one by its id: {}",
            many.len(),
            quoted(n),
            many.iter()
                .map(|b| format!("{} ({})", backup_id(&b.backup_arn), time(b.created_at)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn backup(name: &str, id: &str, status: BackupStatus, hour: u32) -> Backup {
        Backup {
            table: "orders".into(),
            backup_name: name.into(),
            backup_arn: format!("arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/{id}"),
            status,
            kind: crate::model::BackupKind::User,
            created_at: chrono::Utc
                .with_ymd_and_hms(2026, 12, 3, hour, 0, 0)
                .unwrap(),
            size_bytes: None,
            expires_at: None,
            table_arn: None,
        }
    }

    #[test]
    fn the_newest_available_or_the_one_of_a_name() {
        let all = [
            backup("b", "01796320000000-00000003", BackupStatus::Creating, 3),
            backup("a", "01796310000000-00000002", BackupStatus::Available, 2),
            backup("a", "01796300000000-00000001", BackupStatus::Available, 1),
            backup("c", "01796290000000-00000000", BackupStatus::Available, 0),
        ];
        assert_eq!(
            backup_id(&pick(&all, "orders", None).unwrap().backup_arn),
            "01796310000000-00000002"
        );
        assert_eq!(pick(&all, "orders", Some("c")).unwrap().backup_name, "c");
        let twice = pick(&all, "orders", Some("a")).unwrap_err().to_string();
        assert!(
            twice.contains(
                "2 backups of 'orders' are named 'a'; give one by its id: 01796310000000-00000002"
            ),
            "{twice}"
        );
        assert!(pick(&all, "orders", Some("zz"))
            .unwrap_err()
            .to_string()
            .contains("no backup named 'zz'"));
    }
}
