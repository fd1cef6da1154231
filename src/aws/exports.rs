//! DynamoDB's side of the archive tier: ExportTableToPointInTime (full and incremental),
//! DescribeExport, ImportTable and DescribeImport, the shape of a table (keys, indexes,
//! billing) an import needs, and the batched writes that apply an incremental export.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::Duration;

use aws_sdk_dynamodb::types as t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::convert::{to_chrono, to_smithy};
use super::restore::local_error;
use super::s3::Bucket;
use super::settings::Units;
use super::{errors, items, Dynamo};
use crate::error::{AwsError, AwsErrorKind};

/// One element of a key schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPart {
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// An attribute named in a key schema, with its type (`S`, `N` or `B`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub attribute_name: String,
    pub attribute_type: String,
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub key_schema: Vec<KeyPart>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_key_attributes: Vec<String>,
    /// Provisioned read/write units (provisioned tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<Units>,
}

/// What a new table needs to hold a table's items: keys, indexes, billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableShape {
    pub key_schema: Vec<KeyPart>,
    pub attribute_definitions: Vec<AttributeDef>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<Index>,
    #[serde(default)]
    pub local_secondary_indexes: Vec<Index>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<Units>,
}

/// Full, or the changes of a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Full,
    Incremental {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// One ExportTableToPointInTime request.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    pub table_arn: &'a str,
    pub bucket: &'a Bucket,
    /// The S3 prefix DynamoDB writes under (its files land in `prefix/AWSDynamoDB/<id>/`).
    pub prefix: &'a str,
    pub kms_key: Option<&'a str>,
    pub kind: ExportKind,
}

/// An export as DynamoDB describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportState {
    pub arn: String,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub status: String,
    /// The point in time of a full export.
    pub export_time: Option<DateTime<Utc>>,
    pub item_count: Option<i64>,
    pub billed_size_bytes: Option<i64>,
    /// The key of DynamoDB's `manifest-summary.json`.
    pub manifest_key: Option<String>,
    pub failure: Option<String>,
}

/// An import as DynamoDB describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportState {
    pub arn: String,
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED`, `CANCELLING` or `CANCELLED`.
    pub status: String,
    pub imported_items: Option<i64>,
    pub errors: Option<i64>,
    pub failure: Option<String>,
}

/// One write of an incremental export applied to a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put(HashMap<String, t::AttributeValue>),
    Delete(HashMap<String, t::AttributeValue>),
}

/// BatchWriteItem takes at most this many writes a request.
pub const WRITE_BATCH: usize = 25;

/// An idempotency token derived from what the request is for, so that a retried request
/// (its answer lost) is the same export or import, not a second one.
fn token(parts: &[&str]) -> String {
    let mut out = String::new();
    for seed in [0x9e37_79b9_u64, 0x85eb_ca6b] {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        parts.hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

fn state(d: &t::ExportDescription) -> ExportState {
    ExportState {
        arn: d.export_arn().unwrap_or_default().to_string(),
        status: d
            .export_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "IN_PROGRESS".into()),
        export_time: d.export_time().map(to_chrono),
        item_count: d.item_count(),
        billed_size_bytes: d.billed_size_bytes(),
        manifest_key: d.export_manifest().map(str::to_string),
        failure: d
            .failure_code()
            .map(|c| format!("{c}: {}", d.failure_message().unwrap_or("")))
            .map(|s| s.trim_end_matches(": ").to_string()),
    }
}

fn keys(k: &[t::KeySchemaElement]) -> Vec<KeyPart> {
    k.iter()
        .map(|e| KeyPart {
            attribute_name: e.attribute_name().to_string(),
            key_type: e.key_type().as_str().to_string(),
        })
        .collect()
}

fn projection(p: Option<&t::Projection>) -> (String, Vec<String>) {
    (
        p.and_then(|p| p.projection_type())
            .map(|x| x.as_str().to_string())
            .unwrap_or_else(|| "ALL".into()),
        p.map(|p| p.non_key_attributes().to_vec())
            .unwrap_or_default(),
    )
}

fn units(p: Option<&t::ProvisionedThroughputDescription>, provisioned: bool) -> Option<Units> {
    let p = p.filter(|_| provisioned)?;
    Some(Units {
        read: p.read_capacity_units()?,
        write: p.write_capacity_units()?,
    })
}

/// The shape of a DescribeTable answer.
pub fn shape(d: &t::TableDescription) -> TableShape {
    let billing_mode = d
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .map(|b| b.as_str().to_string())
        .unwrap_or_else(|| "PROVISIONED".into());
    let prov = billing_mode == "PROVISIONED";
    TableShape {
        key_schema: keys(d.key_schema()),
        attribute_definitions: d
            .attribute_definitions()
            .iter()
            .map(|a| AttributeDef {
                attribute_name: a.attribute_name().to_string(),
                attribute_type: a.attribute_type().as_str().to_string(),
            })
            .collect(),
        global_secondary_indexes: d
            .global_secondary_indexes()
            .iter()
            .map(|g| {
                let (projection_type, non_key_attributes) = projection(g.projection());
                Index {
                    name: g.index_name().unwrap_or_default().to_string(),
                    key_schema: keys(g.key_schema()),
                    projection_type,
                    non_key_attributes,
                    provisioned: units(g.provisioned_throughput(), prov),
                }
            })
            .collect(),
        local_secondary_indexes: d
            .local_secondary_indexes()
            .iter()
            .map(|l| {
                let (projection_type, non_key_attributes) = projection(l.projection());
                Index {
                    name: l.index_name().unwrap_or_default().to_string(),
                    key_schema: keys(l.key_schema()),
                    projection_type,
                    non_key_attributes,
                    provisioned: None,
                }
            })
            .collect(),
        provisioned: units(d.provisioned_throughput(), prov),
        billing_mode,
    }
}

fn key_schema(k: &[KeyPart]) -> Result<Vec<t::KeySchemaElement>, AwsError> {
    k.iter()
        .map(|p| {
            t::KeySchemaElement::builder()
                .attribute_name(&p.attribute_name)
                .key_type(t::KeyType::from(p.key_type.as_str()))
                .build()
                .map_err(|e| local_error("ImportTable", e))
        })
        .collect()
}

fn throughput(u: Option<Units>) -> Result<Option<t::ProvisionedThroughput>, AwsError> {
    u.map(|u| {
        t::ProvisionedThroughput::builder()
            .read_capacity_units(u.read)
            .write_capacity_units(u.write)
            .build()
            .map_err(|e| local_error("ImportTable", e))
    })
    .transpose()
}

/// ImportTable's table parameters from a shape: local secondary indexes cannot be
/// created by an import, so their attributes are left out of the definitions too (an
/// unused definition is refused).
fn creation(name: &str, s: &TableShape) -> Result<t::TableCreationParameters, AwsError> {
    let provisioned = s.billing_mode == "PROVISIONED";
    let mut used: Vec<&str> = s
        .key_schema
        .iter()
        .map(|k| k.attribute_name.as_str())
        .collect();
    let mut gsis = Vec::new();
    for g in &s.global_secondary_indexes {
        used.extend(g.key_schema.iter().map(|k| k.attribute_name.as_str()));
        let mut p = t::Projection::builder()
            .projection_type(t::ProjectionType::from(g.projection_type.as_str()));
        if !g.non_key_attributes.is_empty() {
            p = p.set_non_key_attributes(Some(g.non_key_attributes.clone()));
        }
        gsis.push(
            t::GlobalSecondaryIndex::builder()
                .index_name(&g.name)
                .set_key_schema(Some(key_schema(&g.key_schema)?))
                .projection(p.build())
                .set_provisioned_throughput(if provisioned {
                    throughput(g.provisioned)?
                } else {
                    None
                })
                .build()
                .map_err(|e| local_error("ImportTable", e))?,
        );
    }
    let defs = s
        .attribute_definitions
        .iter()
        .filter(|a| used.contains(&a.attribute_name.as_str()))
        .map(|a| {
            t::AttributeDefinition::builder()
                .attribute_name(&a.attribute_name)
                .attribute_type(t::ScalarAttributeType::from(a.attribute_type.as_str()))
                .build()
                .map_err(|e| local_error("ImportTable", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    t::TableCreationParameters::builder()
        .table_name(name)
        .set_attribute_definitions(Some(defs))
        .set_key_schema(Some(key_schema(&s.key_schema)?))
        .billing_mode(t::BillingMode::from(s.billing_mode.as_str()))
        .set_provisioned_throughput(if provisioned {
            throughput(s.provisioned)?
        } else {
            None
        })
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .build()
        .map_err(|e| local_error("ImportTable", e))
}

impl Dynamo {
    /// The table's shape, `None` when it does not exist (DescribeTable).
    pub async fn table_shape(&self, table: &str) -> Result<Option<TableShape>, AwsError> {
        Ok(self.describe_raw(table).await?.as_ref().map(shape))
    }

    /// Requests an export (ExportTableToPointInTime, DynamoDB JSON).
    pub async fn export_table(&self, r: &ExportRequest<'_>) -> Result<ExportState, AwsError> {
        let (kind, spec) = match r.kind {
            ExportKind::Full => (t::ExportType::FullExport, None),
            ExportKind::Incremental { from, to } => (
                t::ExportType::IncrementalExport,
                Some(
                    t::IncrementalExportSpecification::builder()
                        .export_from_time(to_smithy(from))
                        .export_to_time(to_smithy(to))
                        .export_view_type(t::ExportViewType::NewAndOldImages)
                        .build(),
                ),
            ),
        };
        let client_token = token(&[r.table_arn, &r.bucket.name, r.prefix]);
        let out = self
            .call("ExportTableToPointInTime", true, || async {
                self.client
                    .export_table_to_point_in_time()
                    .table_arn(r.table_arn)
                    .s3_bucket(&r.bucket.name)
                    .set_s3_bucket_owner(r.bucket.owner.clone())
                    .s3_prefix(r.prefix)
                    .set_s3_sse_algorithm(r.kms_key.map(|_| t::S3SseAlgorithm::Kms))
                    .set_s3_sse_kms_key_id(r.kms_key.map(str::to_string))
                    .export_format(t::ExportFormat::DynamodbJson)
                    .export_type(kind.clone())
                    .set_incremental_export_specification(spec.clone())
                    .client_token(&client_token)
                    .send()
                    .await
                    .map_err(|e| errors::map("ExportTableToPointInTime", r.table_arn, e))
            })
            .await?;
        out.export_description().map(state).ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotDynamo,
            operation: "ExportTableToPointInTime",
            message: "ExportTableToPointInTime answered without an export description".into(),
        })
    }

    /// An export's state now (DescribeExport).
    pub async fn describe_export(&self, arn: &str) -> Result<ExportState, AwsError> {
        let out = self
            .call("DescribeExport", false, || async {
                self.client
                    .describe_export()
                    .export_arn(arn)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeExport", arn, e))
            })
            .await?;
        out.export_description().map(state).ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotDynamo,
            operation: "DescribeExport",
            message: "DescribeExport answered without an export description".into(),
        })
    }

    /// Creates table `name` from the DynamoDB JSON (gzip) files under `key_prefix`
    /// (ImportTable): the table must not exist.
    pub async fn import_table(
        &self,
        b: &Bucket,
        key_prefix: &str,
        name: &str,
        s: &TableShape,
    ) -> Result<ImportState, AwsError> {
        let params = creation(name, s)?;
        let source = t::S3BucketSource::builder()
            .s3_bucket(&b.name)
            .set_s3_bucket_owner(b.owner.clone())
            .s3_key_prefix(key_prefix)
            .build()
            .map_err(|e| local_error("ImportTable", e))?;
        let client_token = token(&[name, &b.name, key_prefix]);
        let out = self
            .call("ImportTable", true, || async {
                self.client
                    .import_table()
                    .s3_bucket_source(source.clone())
                    .input_format(t::InputFormat::DynamodbJson)
                    .input_compression_type(t::InputCompressionType::Gzip)
                    .table_creation_parameters(params.clone())
                    .client_token(&client_token)
                    .send()
                    .await
                    .map_err(|e| errors::map("ImportTable", name, e))
            })
            .await?;
        out.import_table_description()
            .map(import_state)
            .ok_or_else(|| AwsError {
                kind: AwsErrorKind::NotDynamo,
                operation: "ImportTable",
                message: "ImportTable answered without an import description".into(),
            })
    }

    /// An import's state now (DescribeImport).
    pub async fn describe_import(&self, arn: &str) -> Result<ImportState, AwsError> {
        let out = self
            .call("DescribeImport", false, || async {
                self.client
                    .describe_import()
                    .import_arn(arn)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeImport", arn, e))
            })
            .await?;
        out.import_table_description()
            .map(import_state)
            .ok_or_else(|| AwsError {
                kind: AwsErrorKind::NotDynamo,
                operation: "DescribeImport",
                message: "DescribeImport answered without an import description".into(),
            })
    }

    /// Applies `writes` to `table` (BatchWriteItem, [`WRITE_BATCH`] at a time, unprocessed
    /// writes sent again after a pause until none are left or a stop comes).
    pub async fn write_items(&self, table: &str, writes: &[Write]) -> Result<(), AwsError> {
        for batch in writes.chunks(WRITE_BATCH) {
            let mut pending: Vec<t::WriteRequest> = batch
                .iter()
                .map(|w| match w {
                    Write::Put(i) => t::PutRequest::builder()
                        .set_item(Some(i.clone()))
                        .build()
                        .map(|p| t::WriteRequest::builder().put_request(p).build()),
                    Write::Delete(k) => t::DeleteRequest::builder()
                        .set_key(Some(k.clone()))
                        .build()
                        .map(|d| t::WriteRequest::builder().delete_request(d).build()),
                })
                .collect::<Result<_, _>>()
                .map_err(|e| local_error("BatchWriteItem", e))?;
            let mut round = 1;
            while !pending.is_empty() {
                let out = self
                    .call("BatchWriteItem", true, || async {
                        self.client
                            .batch_write_item()
                            .request_items(table, pending.clone())
                            .send()
                            .await
                            .map_err(|e| errors::map("BatchWriteItem", table, e))
                    })
                    .await?;
                pending = out
                    .unprocessed_items()
                    .and_then(|u| u.get(table))
                    .cloned()
                    .unwrap_or_default();
                if !pending.is_empty()
                    && !self
                        .stop
                        .sleep(super::pacing::backoff(self.initial_backoff, round))
                        .await
                {
                    return Err(super::pacing::interrupted(
                        "BatchWriteItem",
                        super::pacing::Cut::NotStarted,
                    ));
                }
                round += 1;
            }
        }
        Ok(())
    }
}

/// One line of an incremental export's data file as a write: its new image, or (an item
/// deleted in the window) a delete of its keys.
pub fn write_of(line: &serde_json::Value) -> Result<Write, String> {
    match line.get("NewImage") {
        Some(img) => Ok(Write::Put(items::item(img)?)),
        None => Ok(Write::Delete(items::item(
            line.get("Keys")
                .ok_or("a line with neither NewImage nor Keys")?,
        )?)),
    }
}

/// One line of a full export's data file as a write of its item.
pub fn item_of(line: &serde_json::Value) -> Result<Write, String> {
    Ok(Write::Put(items::item(
        line.get("Item").ok_or("a line without Item")?,
    )?))
}

fn import_state(d: &t::ImportTableDescription) -> ImportState {
    ImportState {
        arn: d.import_arn().unwrap_or_default().to_string(),
        status: d
            .import_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "IN_PROGRESS".into()),
        imported_items: d.imported_item_count().into(),
        errors: d.error_count().into(),
        failure: d
            .failure_code()
            .map(|c| format!("{c}: {}", d.failure_message().unwrap_or("")))
            .map(|s| s.trim_end_matches(": ").to_string()),
    }
}

/// How long to wait between two looks at an export or import in progress.
pub const POLL: Duration = Duration::from_secs(20);
