//! The archive tier's layout and manifests: where a table's exports live in S3
//! (`PREFIX/ACCOUNT/REGION/TABLE/EXPORT-TIME/`), ddb-backup's manifest
//! (`ddb-backup-export.json`, written last, which makes a prefix one of this tool's
//! exports), and the complete listing of a table's exports read from those manifests.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::aws::exports::TableShape;
use crate::aws::s3::Bucket;
use crate::aws::Dynamo;
use crate::engine::record::Record;
use crate::error::{AwsError, AwsErrorKind, UsageError};
use crate::ids::EXPORT_MANIFEST;

/// The manifest's format version.
pub const FORMAT: u32 = 1;

pub const FULL: &str = "FULL_EXPORT";
pub const INCREMENTAL: &str = "INCREMENTAL_EXPORT";

/// A bucket and the prefix every export goes under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub bucket: Bucket,
    /// Without slashes around it; empty for the bucket's root.
    pub prefix: String,
}

impl Location {
    /// From the command line's options; a usage error without a bucket.
    pub fn from_opts(a: &crate::cli::ArchiveOpts, what: &str) -> Result<Location, UsageError> {
        let Some(name) = a.bucket.clone() else {
            return Err(UsageError::new(format!(
                "{what} needs --bucket (the S3 bucket of the exports)"
            )));
        };
        Ok(Location {
            bucket: Bucket {
                name,
                owner: a.bucket_owner.clone(),
            },
            prefix: a.prefix.clone().unwrap_or_default(),
        })
    }

    /// `PREFIX/ACCOUNT/REGION/TABLE/`.
    pub fn table_prefix(&self, account: &str, region: &str, table: &str) -> String {
        let tail = format!("{account}/{region}/{table}/");
        if self.prefix.is_empty() {
            tail
        } else {
            format!("{}/{tail}", self.prefix)
        }
    }

    /// `PREFIX/ACCOUNT/REGION/TABLE/EXPORT-TIME/` (RFC 3339, milliseconds, UTC).
    pub fn export_prefix(
        &self,
        account: &str,
        region: &str,
        table: &str,
        at: DateTime<Utc>,
    ) -> String {
        format!(
            "{}{}/",
            self.table_prefix(account, region, table),
            at.to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }

    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket.name)
    }
}

/// The export an incremental export builds on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    /// Its prefix (`…/EXPORT-TIME/`).
    pub prefix: String,
    pub export_type: String,
    pub export_time: DateTime<Utc>,
}

/// ddb-backup's manifest of one export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub table: String,
    pub table_arn: String,
    pub account: String,
    pub region: String,
    pub export_arn: String,
    /// `FULL_EXPORT` or `INCREMENTAL_EXPORT`.
    pub export_type: String,
    /// The table's state this export holds: a full export's point in time, an incremental
    /// export's window end.
    pub export_time: DateTime<Utc>,
    /// An incremental export's window start (its base's export time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_from_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Base>,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`, as DynamoDB said when the manifest was written.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    pub item_count: Option<i64>,
    pub billed_size_bytes: Option<i64>,
    /// This export's prefix (`…/EXPORT-TIME/`).
    pub prefix: String,
    /// The key of DynamoDB's `manifest-summary.json` (its data files are beside it).
    pub dynamodb_manifest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms_key: Option<String>,
    #[serde(flatten)]
    pub shape: TableShape,
    /// The table's settings record (engine::record), applied after an import.
    pub settings: Option<Record>,
    pub written_at: DateTime<Utc>,
}

impl Manifest {
    pub fn key(&self) -> String {
        format!("{}{EXPORT_MANIFEST}", self.prefix)
    }

    pub fn is_incremental(&self) -> bool {
        self.export_type == INCREMENTAL
    }

    pub fn in_progress(&self) -> bool {
        self.status == "IN_PROGRESS"
    }

    pub fn completed(&self) -> bool {
        self.status == "COMPLETED"
    }

    /// Where DynamoDB's data files are: `…/AWSDynamoDB/<id>/data/`.
    pub fn data_prefix(&self) -> Option<String> {
        let summary = self.dynamodb_manifest.as_ref()?;
        let dir = summary.rsplit_once('/').map(|(d, _)| d)?;
        Some(format!("{dir}/data/"))
    }
}

/// One export found in S3: its manifest and what its prefix holds.
#[derive(Debug, Clone, Serialize)]
pub struct Archived {
    #[serde(flatten)]
    pub manifest: Manifest,
    pub objects: usize,
    pub stored_bytes: i64,
    /// Every key under the export's prefix (not serialized).
    #[serde(skip)]
    pub keys: Vec<String>,
}

fn refusal(loc: &Location, prefix: &str, what: String) -> AwsError {
    AwsError {
        kind: AwsErrorKind::InconsistentListing,
        operation: "GetObject",
        message: format!(
            "{}: {what}; the table's exports are not listed completely, nothing is deleted",
            loc.url(prefix)
        ),
    }
}

/// Every export of `table` made by ddb-backup, newest first: each prefix under the table's
/// that holds a manifest, the manifest read and checked (it must name this table and its
/// own prefix). Any failure (a listing page, a manifest that cannot be read or parsed) is
/// the listing's failure: a caller that deletes must not act on part of it.
pub async fn list_table(
    d: &Dynamo,
    loc: &Location,
    account: &str,
    table: &str,
) -> Result<Vec<Archived>, AwsError> {
    list_root(d, loc, &loc.table_prefix(account, d.region(), table), table).await
}

/// The exports of `table` under `root` (`…/ACCOUNT/REGION/TABLE/`), as [`list_table`].
pub async fn list_root(
    d: &Dynamo,
    loc: &Location,
    root: &str,
    table: &str,
) -> Result<Vec<Archived>, AwsError> {
    let root = root.to_string();
    let objects = d.list_objects(&loc.bucket, &root).await?;
    let mut dirs: BTreeMap<String, (Vec<String>, i64)> = BTreeMap::new();
    for o in &objects {
        let Some(rest) = o.key.strip_prefix(&root) else {
            continue;
        };
        let Some((dir, _)) = rest.split_once('/') else {
            continue;
        };
        let e = dirs.entry(format!("{root}{dir}/")).or_default();
        e.0.push(o.key.clone());
        e.1 += o.size;
    }
    let mut out = Vec::new();
    for (prefix, (keys, bytes)) in dirs {
        let mkey = format!("{prefix}{EXPORT_MANIFEST}");
        if !keys.contains(&mkey) {
            continue;
        }
        let raw = d.get_object(&loc.bucket, &mkey).await?;
        let manifest: Manifest = serde_json::from_slice(&raw)
            .map_err(|e| refusal(loc, &mkey, format!("not a ddb-backup manifest ({e})")))?;
        if manifest.table != table || manifest.prefix != prefix {
            return Err(refusal(
                loc,
                &mkey,
                format!(
                    "the manifest names table '{}' at {}, not this table at this prefix",
                    manifest.table, manifest.prefix
                ),
            ));
        }
        out.push(Archived {
            manifest,
            objects: keys.len(),
            stored_bytes: bytes,
            keys,
        });
    }
    out.sort_by(|a, b| {
        b.manifest
            .export_time
            .cmp(&a.manifest.export_time)
            .then_with(|| b.manifest.prefix.cmp(&a.manifest.prefix))
    });
    consistent(loc, &root, &out, d.service_now().max(Utc::now()))?;
    Ok(out)
}

/// How far a manifest's export time may lie from the time its folder is named by (the
/// request's time on the service's clock; DynamoDB's export time is a moment later).
const FOLDER_TIME_SLACK: chrono::Duration = chrono::Duration::hours(1);

/// How far ahead of the clocks an export time may be before it is taken for a forged or
/// corrupt manifest (generous: a skewed clock must never block a legitimate export).
const FUTURE_SLACK: chrono::Duration = chrono::Duration::days(7);

/// A table's exports must tell one story before anything acts on them: each export time
/// agrees with its folder's name and is not in the future, and each incremental export's
/// chain of bases reaches a full export through exports that are all listed and none
/// FAILED. Otherwise retention would rank a broken or misdated export as the newest and
/// delete the ones that can still be imported: the table's listing is refused instead.
pub fn consistent(
    loc: &Location,
    root: &str,
    found: &[Archived],
    now: DateTime<Utc>,
) -> Result<(), AwsError> {
    let by_prefix: BTreeMap<&str, &Manifest> = found
        .iter()
        .map(|a| (a.manifest.prefix.as_str(), &a.manifest))
        .collect();
    for a in found {
        let m = &a.manifest;
        let folder = m
            .prefix
            .strip_prefix(root)
            .and_then(|r| r.strip_suffix('/'))
            .and_then(|name| DateTime::parse_from_rfc3339(name).ok())
            .map(|t| t.with_timezone(&Utc));
        match folder {
            Some(f) if (m.export_time - f).abs() <= FOLDER_TIME_SLACK => {}
            Some(f) => {
                return Err(refusal(
                    loc,
                    &m.key(),
                    format!(
                        "its export time {} contradicts its folder's time {}",
                        m.export_time.to_rfc3339_opts(SecondsFormat::Millis, true),
                        f.to_rfc3339_opts(SecondsFormat::Millis, true)
                    ),
                ))
            }
            None => {
                return Err(refusal(
                    loc,
                    &m.key(),
                    "its folder is not named by an export time".into(),
                ))
            }
        }
        if m.export_time > now + FUTURE_SLACK {
            return Err(refusal(
                loc,
                &m.key(),
                format!(
                    "its export time {} is in the future",
                    m.export_time.to_rfc3339_opts(SecondsFormat::Millis, true)
                ),
            ));
        }
        if !m.is_incremental() || m.status == "FAILED" {
            continue;
        }
        let mut link = m;
        let mut seen = 0usize;
        while link.is_incremental() {
            seen += 1;
            let broken = |why: String| {
                refusal(
                    loc,
                    &m.key(),
                    format!(
                        "its chain of incremental exports does not reach a full export: {why} \
                         (remove the broken chain's exports by hand, or restore the missing \
                         manifest, before pruning)"
                    ),
                )
            };
            let Some(base) = &link.base else {
                return Err(broken(format!("{} names no base", link.prefix)));
            };
            let Some(next) = by_prefix.get(base.prefix.as_str()) else {
                return Err(broken(format!("its base {} has no manifest", base.prefix)));
            };
            if next.status == "FAILED" {
                return Err(broken(format!("its base {} FAILED", base.prefix)));
            }
            if seen > found.len() {
                return Err(broken("its bases form a loop".into()));
            }
            link = next;
        }
    }
    Ok(())
}

/// An export whose manifest says IN_PROGRESS: asks DynamoDB (DescribeExport) and, once it
/// has finished, writes the manifest again with the outcome.
pub async fn refresh(d: &Dynamo, loc: &Location, a: &mut Archived) -> Result<(), AwsError> {
    if !a.manifest.in_progress() {
        return Ok(());
    }
    let now = d.describe_export(&a.manifest.export_arn).await?;
    if now.status == "IN_PROGRESS" {
        return Ok(());
    }
    a.manifest.status = now.status;
    a.manifest.failure = now.failure;
    a.manifest.item_count = now.item_count;
    a.manifest.billed_size_bytes = now.billed_size_bytes;
    if now.manifest_key.is_some() {
        a.manifest.dynamodb_manifest = now.manifest_key;
    }
    write(d, loc, &a.manifest).await
}

/// Writes the manifest (PutObject).
pub async fn write(d: &Dynamo, loc: &Location, m: &Manifest) -> Result<(), AwsError> {
    let body = serde_json::to_vec_pretty(m).map_err(|e| AwsError {
        kind: AwsErrorKind::Other,
        operation: "PutObject",
        message: format!("could not write the manifest: {e}"),
    })?;
    d.put_object(&loc.bucket, &m.key(), body, m.sse_kms_key.as_deref())
        .await
}

/// When the table's newest completed export holds it (`None`: no completed export).
pub async fn newest_completed(
    d: &Dynamo,
    loc: &Location,
    account: &str,
    table: &str,
) -> Result<Option<DateTime<Utc>>, AwsError> {
    let mut found = list_table(d, loc, account, table).await?;
    for a in found.iter_mut() {
        refresh(d, loc, a).await?;
    }
    Ok(found
        .iter()
        .filter(|a| a.manifest.completed())
        .map(|a| a.manifest.export_time)
        .max())
}

/// One export as `list --exports` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub table: String,
    pub export_type: String,
    pub export_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<DateTime<Utc>>,
    pub status: String,
    pub item_count: Option<i64>,
    pub billed_size_bytes: Option<i64>,
    pub objects: usize,
    pub stored_bytes: i64,
    pub export_arn: String,
    pub manifest: String,
}

/// A table whose exports could not be listed completely.
#[derive(Debug, Clone, Serialize)]
pub struct ListFailure {
    pub table: String,
    pub error: String,
}

/// One target's exports.
#[derive(Debug, Default)]
pub struct TargetListing {
    pub tables: usize,
    pub exports: Vec<Listed>,
    pub errors: Vec<ListFailure>,
}

/// The exports of every selected table of a target, from the manifests (an export still
/// in progress is asked about, and its manifest updated once it has finished).
pub async fn list_in_target(
    t: &crate::engine::targets::Target,
    sel: &crate::cli::TableSelection,
    loc: &Location,
) -> anyhow::Result<TargetListing> {
    let Some(sel) = crate::select::for_target(sel, &t.at) else {
        return Ok(TargetListing::default());
    };
    let selected = crate::select::resolve(&sel, &t.dynamo).await?.tables;
    let mut out = TargetListing {
        tables: selected.len(),
        ..Default::default()
    };
    for table in selected {
        let table = crate::ids::table_name(&table).to_string();
        match list_table(&t.dynamo, loc, &t.at.account, &table).await {
            Ok(found) => {
                for mut a in found {
                    if let Err(e) = refresh(&t.dynamo, loc, &mut a).await {
                        tracing::warn!(table = %table, "could not update {}: {}", a.manifest.key(), e.message);
                    }
                    let m = &a.manifest;
                    out.exports.push(Listed {
                        table: table.clone(),
                        export_type: m.export_type.clone(),
                        export_time: m.export_time,
                        base: m.base.as_ref().map(|b| b.export_time),
                        status: m.status.clone(),
                        item_count: m.item_count,
                        billed_size_bytes: m.billed_size_bytes,
                        objects: a.objects,
                        stored_bytes: a.stored_bytes,
                        export_arn: m.export_arn.clone(),
                        manifest: loc.url(&m.key()),
                    });
                }
            }
            Err(e) => {
                tracing::error!(table = %table, "{}", e.message);
                out.errors.push(ListFailure {
                    table,
                    error: e.message,
                });
            }
        }
    }
    Ok(out)
}

/// Polls an export or import (`describe`, by its ARN) until it is no longer IN_PROGRESS or
/// the deadline passes (the last state is returned either way); a stop ends the wait.
pub async fn poll_while_in_progress<S, F, Fut>(
    mut st: S,
    state: fn(&S) -> (&str, &str),
    operation: &'static str,
    ctx: &crate::engine::Ctx,
    deadline: std::time::Instant,
    describe: F,
) -> Result<S, AwsError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<S, AwsError>>,
{
    let mut pause = std::time::Duration::from_millis(200);
    while state(&st).0 == "IN_PROGRESS" {
        if std::time::Instant::now() + pause > deadline {
            return Ok(st);
        }
        if !ctx.stop.sleep(pause).await {
            return Err(AwsError {
                kind: AwsErrorKind::Interrupted,
                operation,
                message: format!(
                    "stopped while waiting for {} {}",
                    operation.trim_start_matches("Describe").to_lowercase(),
                    state(&st).1
                ),
            });
        }
        pause = (pause * 2).min(crate::aws::exports::POLL);
        let arn = state(&st).1.to_string();
        st = describe(arn).await?;
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_puts_account_region_table_and_time_under_the_prefix() {
        let mut loc = Location {
            bucket: Bucket {
                name: "b".into(),
                owner: None,
            },
            prefix: "prod".into(),
        };
        let at = DateTime::parse_from_rfc3339("2026-11-01T03:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            loc.export_prefix("123456789012", "us-east-1", "orders", at),
            "prod/123456789012/us-east-1/orders/2026-11-01T03:00:00.000Z/"
        );
        loc.prefix.clear();
        assert_eq!(
            loc.table_prefix("123456789012", "eu-west-1", "t"),
            "123456789012/eu-west-1/t/"
        );
    }
}
