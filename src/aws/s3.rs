//! The S3 calls of the archive tier: listing a prefix completely (ListObjectsV2, every
//! page, the cursor guarded), reading and writing ddb-backup's manifests, and deleting
//! objects in batches (DeleteObjects, at most 1,000 keys a request, each key's error kept).
//! Every call goes through [`Dynamo::call`]: pacing, retries, the stop signal, the breaker.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, ServerSideEncryption};
use chrono::{DateTime, Utc};

use super::{errors, pacing::Cursor, Dynamo};
use crate::error::{AwsError, AwsErrorKind};

/// DeleteObjects takes at most this many keys a request.
pub const DELETE_BATCH: usize = 1_000;

/// Where exports live: a bucket (perhaps another account's) and a key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// The account that owns the bucket, when it is not the caller's: every request then
    /// carries it as the expected owner, and a bucket of anyone else is refused by S3.
    pub owner: Option<String>,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: i64,
    pub last_modified: Option<DateTime<Utc>>,
}

/// What became of one key of a DeleteObjects batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub key: String,
    pub message: String,
}

fn mapped<E>(
    op: &'static str,
    b: &Bucket,
    e: aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> AwsError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut err = errors::map(op, &b.name, e);
    if err.kind == AwsErrorKind::AccessDenied {
        err.message = format!(
            "access denied: the credentials in use may not call s3:{} on bucket '{}'{} (see \
             docs/iam-policy.json{})",
            errors::action_of(op),
            b.name,
            b.owner
                .as_ref()
                .map(|o| format!(" of account {o}"))
                .unwrap_or_default(),
            if b.owner.is_some() {
                "; a bucket of another account also needs a bucket policy granting this \
                 account: see docs/archive.md"
            } else {
                ""
            }
        );
    }
    err
}

fn local(op: &'static str, e: impl std::fmt::Display) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Other,
        operation: op,
        message: format!("could not build the {op} request: {e}"),
    }
}

impl Dynamo {
    /// Every object under `prefix` (ListObjectsV2, all pages). An error on any page is the
    /// listing's error: nothing partial comes back.
    pub async fn list_objects(&self, b: &Bucket, prefix: &str) -> Result<Vec<Object>, AwsError> {
        let mut all = Vec::new();
        let mut cursor = Cursor::new("ListObjectsV2", &format!("s3://{}/{prefix}", b.name));
        let mut token: Option<String> = None;
        loop {
            let out = self
                .call("ListObjectsV2", false, || async {
                    self.s3
                        .list_objects_v2()
                        .bucket(&b.name)
                        .prefix(prefix)
                        .set_continuation_token(token.clone())
                        .set_expected_bucket_owner(b.owner.clone())
                        .send()
                        .await
                        .map_err(|e| mapped("ListObjectsV2", b, e))
                })
                .await?;
            for o in out.contents() {
                let Some(key) = o.key() else {
                    return Err(AwsError {
                        kind: AwsErrorKind::InconsistentListing,
                        operation: "ListObjectsV2",
                        message: format!(
                            "ListObjectsV2 of s3://{}/{prefix} answered an object without a key: \
                             the listing is unusable, nothing is acted on",
                            b.name
                        ),
                    });
                };
                all.push(Object {
                    key: key.to_string(),
                    size: o.size().unwrap_or(0),
                    last_modified: o.last_modified().map(super::convert::to_chrono),
                });
            }
            let truncated = out.is_truncated().unwrap_or(false);
            if truncated && out.next_continuation_token().is_none() {
                return Err(AwsError {
                    kind: AwsErrorKind::BrokenListing,
                    operation: "ListObjectsV2",
                    message: format!(
                        "ListObjectsV2 of s3://{}/{prefix} said more objects follow but gave no \
                         continuation token: the listing is incomplete, nothing is acted on",
                        b.name
                    ),
                });
            }
            match cursor.advance(out.next_continuation_token().filter(|_| truncated))? {
                Some(next) => token = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// One object's bytes (GetObject).
    pub async fn get_object(&self, b: &Bucket, key: &str) -> Result<Vec<u8>, AwsError> {
        self.call("GetObject", false, || async {
            let out = self
                .s3
                .get_object()
                .bucket(&b.name)
                .key(key)
                .set_expected_bucket_owner(b.owner.clone())
                .send()
                .await
                .map_err(|e| mapped("GetObject", b, e))?;
            let data = out.body.collect().await.map_err(|e| AwsError {
                kind: AwsErrorKind::Connection,
                operation: "GetObject",
                message: format!("reading s3://{}/{key} was cut: {e}", b.name),
            })?;
            Ok(data.into_bytes().to_vec())
        })
        .await
    }

    /// Writes one object (PutObject), encrypted with `kms_key` when one is given.
    pub async fn put_object(
        &self,
        b: &Bucket,
        key: &str,
        body: Vec<u8>,
        kms_key: Option<&str>,
    ) -> Result<(), AwsError> {
        self.call("PutObject", true, || async {
            let mut req = self
                .s3
                .put_object()
                .bucket(&b.name)
                .key(key)
                .content_type("application/json")
                .body(ByteStream::from(body.clone()))
                .set_expected_bucket_owner(b.owner.clone());
            if let Some(k) = kms_key {
                req = req
                    .server_side_encryption(ServerSideEncryption::AwsKms)
                    .ssekms_key_id(k);
            }
            req.send()
                .await
                .map(|_| ())
                .map_err(|e| mapped("PutObject", b, e))
        })
        .await
    }

    /// Deletes `keys` (DeleteObjects, at most [`DELETE_BATCH`] at a time, in order): the
    /// keys S3 refused, each with its error. A failed request stops at that batch.
    pub async fn delete_objects(
        &self,
        b: &Bucket,
        keys: &[String],
    ) -> Result<Vec<KeyError>, AwsError> {
        let mut refused = Vec::new();
        for batch in keys.chunks(DELETE_BATCH) {
            let ids = batch
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| local("DeleteObjects", e))?;
            let delete = Delete::builder()
                .set_objects(Some(ids))
                .quiet(true)
                .build()
                .map_err(|e| local("DeleteObjects", e))?;
            let out = self
                .call("DeleteObjects", true, || async {
                    self.s3
                        .delete_objects()
                        .bucket(&b.name)
                        .delete(delete.clone())
                        .set_expected_bucket_owner(b.owner.clone())
                        .send()
                        .await
                        .map_err(|e| mapped("DeleteObjects", b, e))
                })
                .await?;
            for e in out.errors() {
                refused.push(KeyError {
                    key: e.key().unwrap_or("?").to_string(),
                    message: format!(
                        "{}: {}",
                        e.code().unwrap_or("Error"),
                        e.message().unwrap_or("")
                    )
                    .trim_end_matches(": ")
                    .to_string(),
                });
            }
        }
        Ok(refused)
    }
}
