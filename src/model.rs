//! The project's own view of DynamoDB backups and tables: plain serde types that the
//! rest of the program (retention, rendering, commands) works with, free of SDK types.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who made a backup, as DynamoDB's `BackupType` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BackupKind {
    /// Made with CreateBackup (by this tool or by hand).
    User,
    /// Made by DynamoDB itself when a table is deleted; expires after 35 days.
    System,
    /// Made by AWS Backup; can only be deleted through AWS Backup.
    AwsBackup,
    /// A type this build does not know: never deleted by this tool.
    Unknown,
}

impl BackupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::User => "USER",
            BackupKind::System => "SYSTEM",
            BackupKind::AwsBackup => "AWS_BACKUP",
            BackupKind::Unknown => "UNKNOWN",
        }
    }
}

/// DynamoDB's `BackupStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BackupStatus {
    Creating,
    Available,
    Deleted,
}

impl BackupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupStatus::Creating => "CREATING",
            BackupStatus::Available => "AVAILABLE",
            BackupStatus::Deleted => "DELETED",
        }
    }
}

/// One backup as ListBackups / CreateBackup / DescribeBackup report it.
///
/// The JSON form of this type is part of the documented `--output json` interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backup {
    pub table: String,
    pub backup_arn: String,
    pub backup_name: String,
    pub status: BackupStatus,
    #[serde(rename = "type")]
    pub kind: BackupKind,
    pub created_at: DateTime<Utc>,
    pub size_bytes: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub table_arn: Option<String>,
}

/// Everything DescribeBackup returns that an operator needs.
#[derive(Debug, Clone, Serialize)]
pub struct BackupDescription {
    pub backup: Backup,
    pub source_table: SourceTable,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceTable {
    pub table_name: String,
    pub table_arn: Option<String>,
    pub table_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub item_count: Option<i64>,
    pub size_bytes: Option<i64>,
    pub billing_mode: Option<String>,
    pub read_capacity: Option<i64>,
    pub write_capacity: Option<i64>,
    pub key_schema: Vec<KeyElement>,
    /// The table's indexes when the backup was made; `None` when the description does not
    /// list them (no `SourceTableFeatureDetails`, or no index member in it), which says
    /// nothing about whether it had any.
    pub global_secondary_indexes: Option<Vec<IndexInfo>>,
    pub local_secondary_indexes: Option<Vec<IndexInfo>>,
    pub sse: Option<SseInfo>,
    pub stream: Option<StreamInfo>,
    pub ttl: Option<TtlInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyElement {
    pub attribute: String,
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexInfo {
    pub name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SseInfo {
    pub status: Option<String>,
    pub sse_type: Option<String>,
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamInfo {
    pub enabled: bool,
    pub view_type: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TtlInfo {
    pub status: Option<String>,
    pub attribute: Option<String>,
}

/// The state of a table as DescribeTable reports it (what restore and copy-settings need).
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub name: String,
    pub arn: Option<String>,
    pub status: Option<String>,
    pub key_schema: Vec<KeyElement>,
    pub stream: Option<StreamInfo>,
    pub deletion_protection: bool,
    /// `PAY_PER_REQUEST` or `PROVISIONED` (absent when DynamoDB did not say).
    pub billing_mode: Option<String>,
    /// Provisioned (read, write) capacity units, for provisioned tables.
    pub capacity: Option<(i64, i64)>,
    pub global_secondary_indexes: Vec<IndexInfo>,
    pub local_secondary_indexes: Vec<IndexInfo>,
    pub created_at: Option<DateTime<Utc>>,
    /// What the table was restored from (DescribeTable's RestoreSummary), when it was.
    pub restore: Option<RestoreSummary>,
}

/// DescribeTable's RestoreSummary: the source a restored table came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RestoreSummary {
    pub source_backup_arn: Option<String>,
    pub source_table_arn: Option<String>,
    pub restore_date_time: Option<DateTime<Utc>>,
    pub in_progress: bool,
}

/// The point-in-time recovery window of a table (DescribeContinuousBackups).
#[derive(Debug, Clone, Serialize)]
pub struct PitrWindow {
    pub enabled: bool,
    pub earliest: Option<DateTime<Utc>>,
    pub latest: Option<DateTime<Utc>>,
    /// The recovery period in days (1–35), when enabled.
    pub recovery_period_in_days: Option<i32>,
}

/// The settings of a table that a restore does not carry, by the names `--skip-setting`
/// and the reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Capacity,
    TableClass,
    Stream,
    Ttl,
    PointInTimeRecovery,
    Tags,
    ResourcePolicy,
    KinesisStreamingDestinations,
    ContributorInsights,
    AutoScaling,
    Alarms,
    DeletionProtection,
}

impl Setting {
    /// Every setting, in the order they are applied (capacity first: auto scaling needs
    /// the billing mode; deletion protection last).
    pub const ALL: [Setting; 12] = [
        Setting::Capacity,
        Setting::TableClass,
        Setting::Stream,
        Setting::Ttl,
        Setting::PointInTimeRecovery,
        Setting::Tags,
        Setting::ResourcePolicy,
        Setting::KinesisStreamingDestinations,
        Setting::ContributorInsights,
        Setting::AutoScaling,
        Setting::Alarms,
        Setting::DeletionProtection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Setting::Capacity => "capacity",
            Setting::TableClass => "table_class",
            Setting::Stream => "stream",
            Setting::Ttl => "ttl",
            Setting::PointInTimeRecovery => "point_in_time_recovery",
            Setting::Tags => "tags",
            Setting::ResourcePolicy => "resource_policy",
            Setting::KinesisStreamingDestinations => "kinesis_streaming_destinations",
            Setting::ContributorInsights => "contributor_insights",
            Setting::AutoScaling => "auto_scaling",
            Setting::Alarms => "alarms",
            Setting::DeletionProtection => "deletion_protection",
        }
    }

    /// A setting by its name.
    pub fn parse(s: &str) -> Result<Setting, String> {
        Setting::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Setting::ALL.iter().map(|x| x.name()).collect();
                format!(
                    "unknown setting {}: use one of {}",
                    crate::error::quoted(s),
                    names.join(", ")
                )
            })
    }
}
