//! Restores (from a backup or to a point in time) and the table settings a restore does not
//! bring back (TTL, streams, tags, point-in-time recovery, deletion protection).

use aws_sdk_dynamodb::types as t;
use chrono::{DateTime, Utc};

use super::{convert, errors, Dynamo};
use crate::error::{AwsError, AwsErrorKind};
use crate::model::{IndexInfo, KeyElement, TableInfo};

/// Which secondary indexes the restored table gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChoice {
    /// All of the backup's (no override is sent).
    All,
    /// Exactly these (an override listing them; empty = none).
    Only(Vec<IndexInfo>),
}

/// Encryption of the restored table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseChoice {
    /// No override: the backup's encryption settings.
    Keep,
    /// An AWS owned key (DynamoDB's default).
    Default,
    /// A KMS key: the AWS managed key when `None`, else this key id, ARN or alias.
    Kms(Option<String>),
}

/// Everything RestoreTableFromBackup / RestoreTableToPointInTime take besides the source.
#[derive(Debug, Clone)]
pub struct RestoreRequest {
    pub target: String,
    pub billing_mode: Option<t::BillingMode>,
    pub capacity: Option<(i64, i64)>,
    pub gsi: IndexChoice,
    pub lsi: IndexChoice,
    pub sse: SseChoice,
}

/// Where a point-in-time restore starts from.
#[derive(Debug, Clone)]
pub enum PitrPoint {
    Latest,
    At(DateTime<Utc>),
}

fn keys(k: &[KeyElement]) -> Vec<t::KeySchemaElement> {
    k.iter()
        .filter_map(|e| {
            t::KeySchemaElement::builder()
                .attribute_name(&e.attribute)
                .key_type(t::KeyType::from(e.key_type.as_str()))
                .build()
                .ok()
        })
        .collect()
}

fn projection(i: &IndexInfo) -> t::Projection {
    t::Projection::builder()
        .set_projection_type(i.projection.as_deref().map(t::ProjectionType::from))
        .set_non_key_attributes(if i.non_key_attributes.is_empty() {
            None
        } else {
            Some(i.non_key_attributes.clone())
        })
        .build()
}

fn throughput(c: Option<(i64, i64)>) -> Option<t::ProvisionedThroughput> {
    c.and_then(|(r, w)| {
        t::ProvisionedThroughput::builder()
            .read_capacity_units(r)
            .write_capacity_units(w)
            .build()
            .ok()
    })
}

impl RestoreRequest {
    fn gsi_override(&self) -> Option<Vec<t::GlobalSecondaryIndex>> {
        match &self.gsi {
            IndexChoice::All => None,
            IndexChoice::Only(list) => Some(
                list.iter()
                    .filter_map(|i| {
                        t::GlobalSecondaryIndex::builder()
                            .index_name(&i.name)
                            .set_key_schema(Some(keys(&i.key_schema)))
                            .projection(projection(i))
                            .set_provisioned_throughput(throughput(self.capacity))
                            .build()
                            .ok()
                    })
                    .collect(),
            ),
        }
    }

    fn lsi_override(&self) -> Option<Vec<t::LocalSecondaryIndex>> {
        match &self.lsi {
            IndexChoice::All => None,
            IndexChoice::Only(list) => Some(
                list.iter()
                    .filter_map(|i| {
                        t::LocalSecondaryIndex::builder()
                            .index_name(&i.name)
                            .set_key_schema(Some(keys(&i.key_schema)))
                            .projection(projection(i))
                            .build()
                            .ok()
                    })
                    .collect(),
            ),
        }
    }

    fn sse_override(&self) -> Option<t::SseSpecification> {
        match &self.sse {
            SseChoice::Keep => None,
            SseChoice::Default => Some(t::SseSpecification::builder().enabled(false).build()),
            SseChoice::Kms(key) => Some(
                t::SseSpecification::builder()
                    .enabled(true)
                    .sse_type(t::SseType::Kms)
                    .set_kms_master_key_id(key.clone())
                    .build(),
            ),
        }
    }
}

/// Applies the overrides of a `RestoreRequest` to either restore builder (same setters).
macro_rules! with_overrides {
    ($builder:expr, $req:expr) => {
        $builder
            .target_table_name(&$req.target)
            .set_billing_mode_override($req.billing_mode.clone())
            .set_provisioned_throughput_override(throughput($req.capacity))
            .set_global_secondary_index_override($req.gsi_override())
            .set_local_secondary_index_override($req.lsi_override())
            .set_sse_specification_override($req.sse_override())
    };
}

impl Dynamo {
    /// RestoreTableFromBackup; LimitExceeded (too many table operations) is retried.
    pub async fn restore_from_backup(
        &self,
        backup_arn: &str,
        req: &RestoreRequest,
    ) -> Result<TableInfo, AwsError> {
        // Callers check that the target does not exist before the first attempt: on a retry
        // after a lost answer, a target that now exists is the one the lost attempt made.
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let out = self
            .call("RestoreTableFromBackup", true, || async {
                if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
                    if let Some(t) = self.describe_table(&req.target).await? {
                        // Only a table restored from this very backup is the lost attempt's:
                        // anything else at the name is someone else's, never taken over.
                        let ours = t.restore.as_ref().and_then(|r| r.source_backup_arn.as_deref())
                            == Some(backup_arn);
                        if !ours {
                            return Err(made_by_another(&req.target, "RestoreTableFromBackup"));
                        }
                        tracing::info!(target = %req.target, "an earlier attempt started the restore: not sent again");
                        return Ok(Err(t));
                    }
                }
                with_overrides!(
                    self.client
                        .restore_table_from_backup()
                        .backup_arn(backup_arn),
                    req
                )
                .send()
                .await
                .map(Ok)
                .map_err(|e| {
                    let e = errors::map("RestoreTableFromBackup", backup_arn, e);
                    self.quota(retarget(e, &req.target))
                })
            })
            .await?;
        match out {
            Ok(out) => Ok(restored(out.table_description(), &req.target)),
            Err(existing) => Ok(existing),
        }
    }

    /// RestoreTableToPointInTime.
    pub async fn restore_to_point_in_time(
        &self,
        source: &str,
        point: &PitrPoint,
        req: &RestoreRequest,
    ) -> Result<TableInfo, AwsError> {
        // As for restore_from_backup: a retry finds the target the lost attempt made.
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let out = self
            .call("RestoreTableToPointInTime", true, || async {
                if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
                    if let Some(t) = self.describe_table(&req.target).await? {
                        // Only a table restored from this source table is the lost
                        // attempt's: anything else at the name is never taken over.
                        let from = t.restore.as_ref().and_then(|r| r.source_table_arn.as_deref());
                        let ours = from.is_some_and(|a| {
                            a == source || crate::ids::table_of_arn(a) == Some(crate::ids::table_name(source))
                        });
                        if !ours {
                            return Err(made_by_another(&req.target, "RestoreTableToPointInTime"));
                        }
                        tracing::info!(target = %req.target, "an earlier attempt started the restore: not sent again");
                        return Ok(Err(t));
                    }
                }
                let b = self.client.restore_table_to_point_in_time();
                let b = if source.starts_with("arn:") {
                    b.source_table_arn(source)
                } else {
                    b.source_table_name(source)
                };
                let b = match point {
                    PitrPoint::Latest => b.use_latest_restorable_time(true),
                    PitrPoint::At(t) => b.restore_date_time(convert::to_smithy(*t)),
                };
                with_overrides!(b, req).send().await.map(Ok).map_err(|e| {
                    let e = errors::map("RestoreTableToPointInTime", source, e);
                    self.quota(retarget(e, &req.target))
                })
            })
            .await?;
        match out {
            Ok(out) => Ok(restored(out.table_description(), &req.target)),
            Err(existing) => Ok(existing),
        }
    }

    /// Tags of a table as pairs; used to copy them to a restored table.
    pub async fn tag_table(
        &self,
        table_arn: &str,
        tags: &[(String, String)],
    ) -> Result<(), AwsError> {
        let tags: Vec<t::Tag> = tags
            .iter()
            .filter_map(|(k, v)| t::Tag::builder().key(k).value(v).build().ok())
            .collect();
        self.call("TagResource", true, || async {
            self.client
                .tag_resource()
                .resource_arn(table_arn)
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(|e| errors::map("TagResource", table_arn, e))
        })
        .await?;
        Ok(())
    }

    /// The TTL attribute when TTL is enabled (or being enabled) on a table.
    pub async fn ttl_attribute(&self, table: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .call("DescribeTimeToLive", false, || async {
                self.client
                    .describe_time_to_live()
                    .table_name(table)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeTimeToLive", table, e))
            })
            .await?;
        Ok(out.time_to_live_description().and_then(|d| {
            let on = matches!(
                d.time_to_live_status(),
                Some(t::TimeToLiveStatus::Enabled) | Some(t::TimeToLiveStatus::Enabling)
            );
            if on {
                d.attribute_name().map(str::to_string)
            } else {
                None
            }
        }))
    }

    /// UpdateTimeToLive: TTL on (or off) on `attribute`.
    pub async fn set_ttl(&self, table: &str, attribute: &str, on: bool) -> Result<(), AwsError> {
        let spec = t::TimeToLiveSpecification::builder()
            .enabled(on)
            .attribute_name(attribute)
            .build()
            .map_err(|e| local_error("UpdateTimeToLive", e))?;
        self.call("UpdateTimeToLive", true, || async {
            self.client
                .update_time_to_live()
                .table_name(table)
                .time_to_live_specification(spec.clone())
                .send()
                .await
                .map_err(|e| errors::map("UpdateTimeToLive", table, e))
        })
        .await?;
        Ok(())
    }

    pub async fn enable_pitr(&self, table: &str) -> Result<(), AwsError> {
        let spec = t::PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(true)
            .build()
            .map_err(|e| local_error("UpdateContinuousBackups", e))?;
        self.call("UpdateContinuousBackups", true, || async {
            self.client
                .update_continuous_backups()
                .table_name(table)
                .point_in_time_recovery_specification(spec.clone())
                .send()
                .await
                .map_err(|e| errors::map("UpdateContinuousBackups", table, e))
        })
        .await?;
        Ok(())
    }

    /// UpdateTable with a stream specification and/or deletion protection.
    pub async fn update_table_settings(
        &self,
        table: &str,
        stream_view_type: Option<&str>,
        deletion_protection: Option<bool>,
    ) -> Result<(), AwsError> {
        let stream = match stream_view_type {
            Some(v) => Some(
                t::StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(t::StreamViewType::from(v))
                    .build()
                    .map_err(|e| local_error("UpdateTable", e))?,
            ),
            None => None,
        };
        self.call("UpdateTable", true, || async {
            self.client
                .update_table()
                .table_name(table)
                .set_stream_specification(stream.clone())
                .set_deletion_protection_enabled(deletion_protection)
                .send()
                .await
                .map_err(|e| errors::map("UpdateTable", table, e))
        })
        .await?;
        Ok(())
    }
}

impl Dynamo {
    /// The number of items in `table`: a Scan with `Select=COUNT`, every page (paced like
    /// any call; DescribeTable's count is only refreshed every few hours).
    pub async fn count_items(&self, table: &str) -> Result<i64, AwsError> {
        let mut total = 0i64;
        let mut start: Option<std::collections::HashMap<String, t::AttributeValue>> = None;
        let mut pages = 0usize;
        loop {
            let out = self
                .call("Scan", false, || async {
                    self.client
                        .scan()
                        .table_name(table)
                        .select(t::Select::Count)
                        .set_exclusive_start_key(start.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("Scan", table, e))
                })
                .await?;
            total += i64::from(out.count());
            pages += 1;
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => {
                    if start.as_ref() == Some(k) || pages > 10_000_000 {
                        return Err(AwsError {
                            kind: AwsErrorKind::BrokenListing,
                            operation: "Scan",
                            message: format!("Scan of '{table}' returned the same page key twice: the count is incomplete"),
                        });
                    }
                    start = Some(k.clone());
                }
                _ => return Ok(total),
            }
        }
    }

    /// DeleteTable. Only `restore --replace` calls it, after a safety backup of the table is
    /// AVAILABLE (and for the staging table it made itself).
    pub async fn delete_table(&self, table: &str) -> Result<(), AwsError> {
        self.call("DeleteTable", true, || async {
            self.client
                .delete_table()
                .table_name(table)
                .send()
                .await
                .map_err(|e| errors::map("DeleteTable", table, e))
        })
        .await?;
        Ok(())
    }
}

pub(super) fn local_error(op: &'static str, e: impl std::fmt::Display) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Other,
        operation: op,
        message: format!("could not build the {op} request: {e}"),
    }
}

/// "Table already exists" is about the target, not the backup: say so.
impl Dynamo {
    /// LimitExceeded on a restore, for a client that takes it as back-pressure.
    fn quota(&self, mut e: AwsError) -> AwsError {
        if self.restore_back_pressure && e.kind == AwsErrorKind::LimitExceeded {
            e.kind = AwsErrorKind::QuotaReached;
        }
        e
    }
}

fn retarget(mut e: AwsError, target: &str) -> AwsError {
    if e.kind == AwsErrorKind::TableAlreadyExists {
        e.message = errors::message(e.kind, e.operation, target, "");
    }
    e
}

/// The new table as the restore call described it (CREATING if it said nothing).
/// A table appeared at the target name while a restore's answer was lost, and it is not
/// that restore's: it is left alone.
fn made_by_another(target: &str, op: &'static str) -> AwsError {
    AwsError {
        kind: AwsErrorKind::TableAlreadyExists,
        operation: op,
        message: format!(
            "table '{target}' appeared while the restore's answer was lost, and it was not restored from this source: it is someone else's and is left alone; choose another target"
        ),
    }
}

fn restored(desc: Option<&t::TableDescription>, target: &str) -> TableInfo {
    desc.map(convert::table).unwrap_or_else(|| pending(target))
}

fn pending(target: &str) -> TableInfo {
    TableInfo {
        name: target.to_string(),
        arn: None,
        status: Some("CREATING".to_string()),
        key_schema: Vec::new(),
        stream: None,
        deletion_protection: false,
        billing_mode: None,
        capacity: None,
        global_secondary_indexes: Vec::new(),
        local_secondary_indexes: Vec::new(),
        created_at: None,
        restore: None,
    }
}
