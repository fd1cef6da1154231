//! A fleet restore's `--verify`: a restored table's item count against its backup's.

use serde::Serialize;

use crate::aws::Dynamo;
use crate::engine::restoring::Source;
use crate::error::AwsErrorKind;

/// The item count of a restored table against its backup's.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `passed`, `failed`, `skipped` or `error`.
    pub status: &'static str,
    pub expected_items: Option<i64>,
    pub items: Option<i64>,
    pub detail: Option<String>,
}

/// The restored table's item count against its backup's description (as verify does).
pub async fn verify(source: &Dynamo, dest: &Dynamo, src: &Source, target: &str) -> Verification {
    let Source::Backup(b) = src else {
        return Verification {
            status: "skipped",
            expected_items: None,
            items: None,
            detail: Some("a point in time has no item count to compare with".into()),
        };
    };
    // Rate limits are back-pressure here too: a fleet verifying many tables at once may
    // meet DescribeBackup's limit after the SDK's retries; it waits and asks again.
    let mut described = source.describe_backup(&b.backup_arn).await;
    for wait in [1, 2, 4, 8] {
        match &described {
            Err(e) if e.kind.is_transient() || e.kind == AwsErrorKind::QuotaReached => {
                tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
                described = source.describe_backup(&b.backup_arn).await;
            }
            _ => break,
        }
    }
    let expected = match described {
        Ok(d) => d.source_table.item_count,
        Err(e) => {
            return Verification {
                status: "error",
                expected_items: None,
                items: None,
                detail: Some(e.message),
            }
        }
    };
    match dest.count_items(target).await {
        Ok(n) => {
            let (status, detail) = match expected {
                Some(want) if want == n => ("passed", None),
                Some(want) => ("failed", Some(format!("{n} items, the backup has {want}"))),
                None => (
                    "skipped",
                    Some("the backup's description has no item count".to_string()),
                ),
            };
            Verification {
                status,
                expected_items: expected,
                items: Some(n),
                detail,
            }
        }
        Err(e) => Verification {
            status: "error",
            expected_items: expected,
            items: None,
            detail: Some(e.message),
        },
    }
}
