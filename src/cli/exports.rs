//! The archive tier's options: where exports live (bucket, prefix, the bucket's owner),
//! and the `export` and `import` subcommands.

use clap::Args;

use super::{parse_table, parse_table_name, TableSelection};
use crate::timeparse::{parse_span, parse_time, Span, TimeSpec};

pub const EXPORT_EXAMPLES: &str = "\
Examples:
  ddb-backup export --table orders --bucket acme-ddb-archive --wait
  ddb-backup export --all-tables --bucket acme-ddb-archive --prefix prod \\
    --incremental
  ddb-backup export --table orders --bucket vault-bucket \\
    --bucket-owner 210987654321 --sse-kms-key alias/ddb-archive";

pub const EXPORT_LONG: &str = "\
Export tables to S3 (ExportTableToPointInTime): the archive tier.

Each export lands under PREFIX/ACCOUNT/REGION/TABLE/EXPORT-TIME/: DynamoDB's own files \
(AWSDynamoDB/<id>/manifest-summary.json, manifest-files.json, data/*.json.gz) and, written \
last, ddb-backup's manifest ddb-backup-export.json (export ARN, type, time, base, status, item \
count, billed bytes, key schema, indexes, billing and the table's settings record), so an \
export describes itself and `import` can rebuild the table from it alone. Exports need \
point-in-time recovery on the table.

--incremental exports the changes since the newest export of the table made by ddb-backup \
(DynamoDB allows 15 minutes to 24 hours per incremental export; a longer gap is chained in \
equal windows); without such an export it makes a full one.";

pub const IMPORT_EXAMPLES: &str = "\
Examples:
  ddb-backup import --bucket acme-ddb-archive --table orders --latest \\
    --target orders-restored --wait
  ddb-backup import --bucket acme-ddb-archive --table orders \\
    --export-time 2026-11-01T03:00:00Z --target orders-nov
  ddb-backup import --bucket acme-ddb-archive --prefix prod --table orders \\
    --latest --target orders-restored";

pub const IMPORT_LONG: &str = "\
Create a new table from an export made by `ddb-backup export` (ImportTable).

ImportTable creates a new table from a full export's data files, with the key schema, global \
secondary indexes and billing recorded in the export's manifest; it cannot import into an \
existing table, read an incremental export, create local secondary indexes, or carry the \
settings a table has besides (TTL, PITR, tags, streams, auto scaling...). So, for an export \
that is a chain (a full export and increments), the full base is imported, then each \
increment is applied in order with BatchWriteItem (new images written, deleted items deleted); \
then the table's settings record from the manifest is applied, as restore --copy-settings does. \
Objects in an archive storage class (S3 Glacier Flexible Retrieval, Deep Archive) must be \
restored (S3 RestoreObject) before an import can read them.";

/// Where exports live.
#[derive(Debug, Clone, Default, Args)]
pub struct ArchiveOpts {
    /// The S3 bucket of the exports (in the table's region)
    #[arg(long, value_name = "BUCKET", value_parser = parse_bucket)]
    pub bucket: Option<String>,

    /// Key prefix under the bucket (exports go to PREFIX/ACCOUNT/REGION/TABLE/TIME/)
    #[arg(long = "prefix", value_name = "PREFIX", value_parser = parse_prefix, requires = "bucket")]
    pub prefix: Option<String>,

    /// The account that owns the bucket, when another account's (e.g. a vault account)
    #[arg(long, value_name = "ACCOUNT", value_parser = parse_account, requires = "bucket")]
    pub bucket_owner: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub select: TableSelection,

    #[command(flatten)]
    pub archive: ArchiveOpts,

    /// Encrypt the export with this KMS key (ID, alias or ARN) instead of S3's own keys
    #[arg(long, value_name = "KEY")]
    pub sse_kms_key: Option<String>,

    /// Export the changes since the newest export made by ddb-backup (a full one when there is none)
    #[arg(long)]
    pub incremental: bool,

    /// Wait until every export is COMPLETED
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits before reporting exports still in progress
    #[arg(long, default_value = "2h", value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Span,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub archive: ArchiveOpts,

    /// The exported table (its exports are found under the bucket's layout)
    #[arg(long, short = 't', value_name = "NAME", value_parser = parse_table, required_unless_present = "manifest", conflicts_with = "manifest")]
    pub table: Option<String>,

    /// The table's newest completed export (the default)
    #[arg(long, conflicts_with_all = ["export_time", "manifest"])]
    pub latest: bool,

    /// The newest completed export at or before this time (RFC 3339, or a duration back such as 7d)
    #[arg(long, value_parser = parse_time, value_name = "TIME", conflicts_with = "manifest")]
    pub export_time: Option<TimeSpec>,

    /// This export's manifest (s3://BUCKET/KEY/ddb-backup-export.json)
    #[arg(long, value_name = "URL", value_parser = parse_manifest_url)]
    pub manifest: Option<(String, String)>,

    /// The new table to create (it must not exist)
    #[arg(long, value_name = "NAME", value_parser = parse_table_name)]
    pub target: String,

    /// Wait until the table is imported, every increment applied and its settings set
    #[arg(long)]
    pub wait: bool,

    /// How long --wait waits for ImportTable
    #[arg(long, default_value = "6h", value_parser = parse_span, value_name = "DURATION")]
    pub timeout: Span,
}

/// An S3 bucket name: 3–63 lower-case letters, digits, dots and hyphens.
pub fn parse_bucket(s: &str) -> Result<String, String> {
    let ok = (3..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid bucket name {}: 3 to 63 lower-case letters, digits, dots and hyphens, \
             starting and ending with a letter or digit (a bucket name, not an s3:// URL)",
            crate::error::quoted(s)
        ))
    }
}

/// A key prefix, without the slashes around it.
pub fn parse_prefix(s: &str) -> Result<String, String> {
    let p = s.trim_matches('/');
    if p.split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
        && !p.is_empty()
    {
        return Err(format!(
            "invalid prefix {}: no empty, '.' or '..' parts",
            crate::error::quoted(s)
        ));
    }
    Ok(p.to_string())
}

fn parse_account(s: &str) -> Result<String, String> {
    if crate::ids::is_account(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid account {}: 12 digits",
            crate::error::quoted(s)
        ))
    }
}

/// `s3://bucket/key` → (bucket, key).
pub fn parse_manifest_url(s: &str) -> Result<(String, String), String> {
    let rest = s.strip_prefix("s3://").ok_or_else(|| {
        format!(
            "invalid manifest {}: give s3://BUCKET/KEY",
            crate::error::quoted(s)
        )
    })?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket = parse_bucket(bucket)?;
    if !key.ends_with(crate::ids::EXPORT_MANIFEST) {
        return Err(format!(
            "invalid manifest {}: the key must end with {}",
            crate::error::quoted(s),
            crate::ids::EXPORT_MANIFEST
        ));
    }
    Ok((bucket, key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_prefixes_and_manifests_are_checked() {
        assert!(parse_bucket("acme-ddb-archive").is_ok());
        assert!(parse_bucket("s3://acme").is_err());
        assert!(parse_bucket("Acme").is_err());
        assert_eq!(parse_prefix("/prod/ddb/").unwrap(), "prod/ddb");
        assert!(parse_prefix("a//b").is_err());
        assert!(parse_prefix("a/../b").is_err());
        assert!(parse_account("12345").is_err());
        let (b, k) = parse_manifest_url("s3://acme/p/1/r/t/x/ddb-backup-export.json").unwrap();
        assert_eq!(
            (b.as_str(), k.as_str()),
            ("acme", "p/1/r/t/x/ddb-backup-export.json")
        );
        assert!(parse_manifest_url("s3://acme/p/x.json").is_err());
    }
}
