//! SDK types → the project's model types.

use aws_sdk_dynamodb::primitives::DateTime as SmithyTime;
use aws_sdk_dynamodb::types as t;
use chrono::{DateTime, Utc};

use super::integrity::Entry;
use crate::model::*;

/// DynamoDB's times have millisecond precision; the wire carries them as a double, so the
/// SDK hands back e.g. `.977999925`: round to the millisecond DynamoDB meant.
pub fn to_chrono(d: &SmithyTime) -> DateTime<Utc> {
    let millis = d
        .secs()
        .saturating_mul(1000)
        .saturating_add(i64::from((d.subsec_nanos() + 500_000) / 1_000_000));
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Never panics: a leap second (chrono's nanoseconds ≥ 10⁹) becomes the second's last instant.
pub fn to_smithy(d: DateTime<Utc>) -> SmithyTime {
    SmithyTime::from_secs_and_nanos(d.timestamp(), d.timestamp_subsec_nanos().min(999_999_999))
}

fn status(s: Option<&t::BackupStatus>) -> BackupStatus {
    match s {
        Some(t::BackupStatus::Available) => BackupStatus::Available,
        Some(t::BackupStatus::Deleted) => BackupStatus::Deleted,
        // Unknown or missing: treat as not ready, which is never deleted.
        _ => BackupStatus::Creating,
    }
}

fn kind(k: &t::BackupType) -> BackupKind {
    match k {
        t::BackupType::User => BackupKind::User,
        t::BackupType::System => BackupKind::System,
        t::BackupType::AwsBackup => BackupKind::AwsBackup,
        // A type this build does not know: never deletable by this tool.
        _ => BackupKind::Unknown,
    }
}

/// A ListBackups summary: the backup, or the first field it lacks (such a summary makes
/// its table's listing unusable, see [`super::integrity`]).
pub fn summary(s: &t::BackupSummary) -> Entry {
    let malformed = |missing: &'static str| Entry::Malformed {
        arn: s.backup_arn().map(str::to_string),
        table: s.table_name().map(str::to_string),
        missing,
    };
    let Some(arn) = s.backup_arn().filter(|a| !a.is_empty()) else {
        return malformed("BackupArn");
    };
    let Some(table) = s.table_name().filter(|t| !t.is_empty()) else {
        return malformed("TableName");
    };
    let Some(created) = s.backup_creation_date_time() else {
        return malformed("BackupCreationDateTime");
    };
    let Some(backup_status) = s.backup_status() else {
        return malformed("BackupStatus");
    };
    // A status DynamoDB does not have (e.g. "available") is not a status.
    if !t::BackupStatus::values().contains(&backup_status.as_str()) {
        return malformed("BackupStatus");
    }
    let Some(backup_type) = s.backup_type() else {
        return malformed("BackupType");
    };
    let created_at = to_chrono(created);
    if created_at == DateTime::<Utc>::MIN_UTC {
        return malformed("BackupCreationDateTime");
    }
    Entry::Summary(Backup {
        table: table.to_string(),
        backup_name: s.backup_name().unwrap_or_default().to_string(),
        status: status(Some(backup_status)),
        kind: kind(backup_type),
        created_at,
        size_bytes: s.backup_size_bytes(),
        expires_at: s.backup_expiry_date_time().map(to_chrono),
        table_arn: s.table_arn().map(str::to_string),
        backup_arn: arn.to_string(),
    })
}

pub fn details(d: &t::BackupDetails, table: &str, table_arn: Option<&str>) -> Backup {
    Backup {
        table: if table.starts_with("arn:") {
            crate::ids::table_of_arn(table).unwrap_or(table).to_string()
        } else {
            table.to_string()
        },
        backup_arn: d.backup_arn().to_string(),
        backup_name: d.backup_name().to_string(),
        status: status(Some(d.backup_status())),
        kind: kind(d.backup_type()),
        created_at: to_chrono(d.backup_creation_date_time()),
        size_bytes: d.backup_size_bytes(),
        expires_at: d.backup_expiry_date_time().map(to_chrono),
        table_arn: table_arn.map(str::to_string),
    }
}

fn keys(k: &[t::KeySchemaElement]) -> Vec<KeyElement> {
    k.iter()
        .map(|e| KeyElement {
            attribute: e.attribute_name().to_string(),
            key_type: e.key_type().as_str().to_string(),
        })
        .collect()
}

fn projection(p: Option<&t::Projection>) -> Option<String> {
    p.and_then(|p| p.projection_type())
        .map(|p| p.as_str().to_string())
}

/// GlobalSecondaryIndexInfo and LocalSecondaryIndexInfo are distinct SDK types with the
/// same accessors; one conversion serves both.
macro_rules! indexes {
    ($list:expr) => {
        $list
            .iter()
            .map(|g| IndexInfo {
                name: g.index_name().unwrap_or_default().to_string(),
                key_schema: keys(g.key_schema()),
                projection: projection(g.projection()),
                non_key_attributes: g
                    .projection()
                    .map(|p| p.non_key_attributes().to_vec())
                    .unwrap_or_default(),
            })
            .collect()
    };
}

pub fn description(d: &t::BackupDescription) -> Option<BackupDescription> {
    let details = d.backup_details()?;
    let src = d.source_table_details()?;
    let feat = d.source_table_feature_details();
    let backup = self::details(details, src.table_name(), src.table_arn());
    Some(BackupDescription {
        backup,
        source_table: SourceTable {
            table_name: src.table_name().to_string(),
            table_arn: src.table_arn().map(str::to_string),
            table_id: Some(src.table_id().to_string()),
            created_at: Some(to_chrono(src.table_creation_date_time())),
            item_count: src.item_count(),
            size_bytes: src.table_size_bytes(),
            billing_mode: src.billing_mode().map(|b| b.as_str().to_string()),
            read_capacity: src
                .provisioned_throughput()
                .map(|p| p.read_capacity_units()),
            write_capacity: src
                .provisioned_throughput()
                .map(|p| p.write_capacity_units()),
            key_schema: keys(src.key_schema()),
            // Absent is not "none": DynamoDB did not say.
            global_secondary_indexes: feat
                .and_then(|f| f.global_secondary_indexes.as_deref())
                .map(|l| indexes!(l)),
            local_secondary_indexes: feat
                .and_then(|f| f.local_secondary_indexes.as_deref())
                .map(|l| indexes!(l)),
            sse: feat.and_then(|f| f.sse_description()).map(|s| SseInfo {
                status: s.status().map(|x| x.as_str().to_string()),
                sse_type: s.sse_type().map(|x| x.as_str().to_string()),
                kms_key_arn: s.kms_master_key_arn().map(str::to_string),
            }),
            stream: feat
                .and_then(|f| f.stream_description())
                .map(|s| StreamInfo {
                    enabled: s.stream_enabled(),
                    view_type: s.stream_view_type().map(|v| v.as_str().to_string()),
                }),
            ttl: feat
                .and_then(|f| f.time_to_live_description())
                .map(|t| TtlInfo {
                    status: t.time_to_live_status().map(|x| x.as_str().to_string()),
                    attribute: t.attribute_name().map(str::to_string),
                }),
        },
    })
}

pub fn table(d: &t::TableDescription) -> TableInfo {
    TableInfo {
        name: d.table_name().unwrap_or_default().to_string(),
        arn: d.table_arn().map(str::to_string),
        status: d.table_status().map(|s| s.as_str().to_string()),
        key_schema: keys(d.key_schema()),
        stream: d.stream_specification().map(|s| StreamInfo {
            enabled: s.stream_enabled(),
            view_type: s.stream_view_type().map(|v| v.as_str().to_string()),
        }),
        deletion_protection: d.deletion_protection_enabled().unwrap_or(false),
        billing_mode: d
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|b| b.as_str().to_string()),
        capacity: d.provisioned_throughput().and_then(|p| {
            match (p.read_capacity_units(), p.write_capacity_units()) {
                (Some(r), Some(w)) if r > 0 && w > 0 => Some((r, w)),
                _ => None,
            }
        }),
        global_secondary_indexes: indexes!(d.global_secondary_indexes()),
        local_secondary_indexes: indexes!(d.local_secondary_indexes()),
        created_at: d.creation_date_time().map(to_chrono),
        restore: d.restore_summary().map(|r| RestoreSummary {
            source_backup_arn: r.source_backup_arn().map(str::to_string),
            source_table_arn: r.source_table_arn().map(str::to_string),
            restore_date_time: Some(to_chrono(r.restore_date_time())),
            in_progress: r.restore_in_progress(),
        }),
    }
}

pub fn pitr(d: Option<&t::ContinuousBackupsDescription>) -> PitrWindow {
    let p = d.and_then(|d| d.point_in_time_recovery_description());
    PitrWindow {
        enabled: p
            .and_then(|p| p.point_in_time_recovery_status())
            .is_some_and(|s| *s == t::PointInTimeRecoveryStatus::Enabled),
        earliest: p
            .and_then(|p| p.earliest_restorable_date_time())
            .map(to_chrono),
        latest: p
            .and_then(|p| p.latest_restorable_date_time())
            .map(to_chrono),
        recovery_period_in_days: p.and_then(|p| p.recovery_period_in_days()),
    }
}
