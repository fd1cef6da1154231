//! Every DynamoDB call the program makes lives here: client construction (credentials,
//! region, endpoint, retries, timeouts), client-side pacing under the documented
//! per-operation rate limits, full pagination, bounded retries of "busy" errors, and the
//! mapping of SDK types and errors to the project's own.

mod convert;
pub mod errors;
mod restore;

pub use restore::{IndexChoice, PitrPoint, RestoreRequest, SseChoice};

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::types::BackupTypeFilter;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::error::{AwsError, AwsErrorKind, UsageError};
use crate::model::{Backup, BackupDescription, PitrWindow, TableInfo};

/// DynamoDB's documented per-operation rate limits (calls per second).
pub const DOCUMENTED_RATES: &[(&str, f64)] = &[
    ("CreateBackup", 50.0),
    ("DeleteBackup", 10.0),
    ("DescribeBackup", 10.0),
    ("ListBackups", 5.0),
    ("RestoreTableFromBackup", 10.0),
];

/// Calls are paced at this share of the documented rates: a client sending at exactly the
/// limit is throttled by any jitter between its clock and the service's (measured on the
/// emulator: 20–40% throttled at 100%, none at 95%), and each throttled call costs a retry.
pub const PACING_HEADROOM: f64 = 0.95;

/// ListBackups page size: the API's maximum.
pub const PAGE_SIZE: i32 = 100;

/// How the client is built.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// Multiplies the documented rates (only for endpoints with other limits, e.g. an emulator).
    pub rate_multiplier: f64,
}

/// Which backups ListBackups should return.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `None` = USER (the API's default).
    pub kind: Option<BackupTypeFilter>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Result of a DeleteBackup call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Now,
    /// BackupNotFound: someone else deleted it; the goal is reached all the same.
    AlreadyGone,
}

/// The DynamoDB client of one run: one per region, shared by every task.
#[derive(Clone)]
pub struct Dynamo {
    client: Client,
    region: String,
    pacers: Arc<HashMap<&'static str, DefaultDirectRateLimiter>>,
    busy_attempts: u32,
    initial_backoff: Duration,
}

impl Dynamo {
    /// Builds the client from the standard credential chain and the options.
    pub async fn connect(opts: &ConnectOptions) -> anyhow::Result<Dynamo> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        if let Some(p) = opts.profile.as_ref().or(env_profile.as_ref()) {
            if p != "default" {
                check_profile(p).await?;
            }
        }
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let retry = RetryConfig::standard()
            .with_max_attempts(opts.max_attempts)
            .with_initial_backoff(opts.initial_backoff)
            .with_max_backoff(Duration::from_secs(20));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(opts.connect_timeout)
            .read_timeout(opts.read_timeout)
            .operation_attempt_timeout(opts.read_timeout + opts.connect_timeout)
            .build();
        let conf = loader
            .retry_config(retry)
            .timeout_config(timeouts)
            .load()
            .await;
        let region = conf
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| {
                UsageError::new(
                    "no AWS region configured: pass --region, set AWS_REGION, or set a region in the profile",
                )
            })?;
        Ok(Self::from_client(Client::new(&conf), region, opts))
    }

    /// Wraps an existing client (tests use this with mocked clients).
    pub fn from_client(client: Client, region: String, opts: &ConnectOptions) -> Dynamo {
        let mut pacers = HashMap::new();
        if opts.rate_multiplier > 0.0 {
            for (op, rate) in DOCUMENTED_RATES {
                let period =
                    Duration::from_secs_f64(1.0 / (rate * PACING_HEADROOM * opts.rate_multiplier));
                if let Some(q) = Quota::with_period(period) {
                    let q = q.allow_burst(NonZeroU32::MIN);
                    pacers.insert(*op, RateLimiter::direct(q));
                }
            }
        }
        Dynamo {
            client,
            region,
            pacers: Arc::new(pacers),
            busy_attempts: opts.max_attempts.max(1),
            initial_backoff: opts.initial_backoff,
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Waits until `op` may be called again under its documented rate.
    async fn pace(&self, op: &str) {
        if let Some(p) = self.pacers.get(op) {
            p.until_ready().await;
        }
    }

    /// Runs `f`, retrying with exponential backoff while DynamoDB says the table or backup
    /// is busy (TableInUse, BackupInUse, ContinuousBackupsUnavailable, LimitExceeded).
    async fn busy_retry<T, F, Fut>(&self, mut f: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let mut attempt = 1;
        loop {
            match f().await {
                Err(e) if e.kind.is_busy() && attempt < self.busy_attempts => {
                    let delay = self
                        .initial_backoff
                        .saturating_mul(1 << (attempt - 1).min(10))
                        .min(Duration::from_secs(20));
                    tracing::debug!(
                        operation = e.operation,
                        attempt,
                        ?delay,
                        "busy, retrying: {}",
                        e.message
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Every table name in the region (ListTables, all pages).
    pub async fn list_tables(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let out = self
                .client
                .list_tables()
                .set_exclusive_start_table_name(start.clone())
                .limit(100)
                .send()
                .await
                .map_err(|e| errors::map("ListTables", &self.region, e))?;
            names.extend(out.table_names().iter().cloned());
            match out.last_evaluated_table_name() {
                Some(next) => start = Some(next.to_string()),
                None => return Ok(names),
            }
        }
    }

    /// Tags of a table (ListTagsOfResource, all pages).
    pub async fn list_tags(&self, table_arn: &str) -> Result<Vec<(String, String)>, AwsError> {
        let mut tags = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .list_tags_of_resource()
                .resource_arn(table_arn)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| errors::map("ListTagsOfResource", table_arn, e))?;
            tags.extend(
                out.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string())),
            );
            match out.next_token() {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(tags),
            }
        }
    }

    /// The complete list of backups of `table` (or of every table when `None`).
    ///
    /// Follows `LastEvaluatedBackupArn` until DynamoDB stops returning one; a failure on
    /// any page fails the whole listing, so a partial list is never taken as complete.
    pub async fn list_backups(
        &self,
        table: Option<&str>,
        filter: &ListFilter,
    ) -> Result<Vec<Backup>, AwsError> {
        let subject = table.unwrap_or("all tables");
        let mut out = Vec::new();
        let mut start: Option<String> = None;
        let mut page = 0;
        loop {
            page += 1;
            let resp = self
                .busy_retry(|| async {
                    self.pace("ListBackups").await;
                    self.client
                        .list_backups()
                        .set_table_name(table.map(str::to_string))
                        .limit(PAGE_SIZE)
                        .set_backup_type(filter.kind.clone())
                        .set_time_range_lower_bound(filter.since.map(convert::to_smithy))
                        .set_time_range_upper_bound(filter.until.map(convert::to_smithy))
                        .set_exclusive_start_backup_arn(start.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("ListBackups", subject, e))
                })
                .await
                .map_err(|mut e| {
                    e.message = format!(
                        "listing backups of '{subject}' failed on page {page}: {}",
                        e.message
                    );
                    e
                })?;
            for s in resp.backup_summaries() {
                out.push(convert::summary(s));
            }
            match resp.last_evaluated_backup_arn() {
                Some(next) => start = Some(next.to_string()),
                None => {
                    tracing::debug!(
                        table = subject,
                        pages = page,
                        backups = out.len(),
                        "listing complete"
                    );
                    return Ok(out);
                }
            }
        }
    }

    /// CreateBackup, retried while the table is busy.
    pub async fn create_backup(&self, table: &str, name: &str) -> Result<Backup, AwsError> {
        self.busy_retry(|| async {
            self.pace("CreateBackup").await;
            let out = self
                .client
                .create_backup()
                .table_name(table)
                .backup_name(name)
                .send()
                .await
                .map_err(|e| errors::map("CreateBackup", table, e))?;
            let details = out.backup_details().ok_or_else(|| AwsError {
                kind: AwsErrorKind::Other,
                operation: "CreateBackup",
                message: format!("CreateBackup for '{table}' returned no backup details"),
            })?;
            Ok(convert::details(details, table, None))
        })
        .await
    }

    /// DescribeBackup.
    pub async fn describe_backup(&self, arn: &str) -> Result<BackupDescription, AwsError> {
        self.pace("DescribeBackup").await;
        let out = self
            .client
            .describe_backup()
            .backup_arn(arn)
            .send()
            .await
            .map_err(|e| errors::map("DescribeBackup", arn, e))?;
        out.backup_description()
            .and_then(convert::description)
            .ok_or_else(|| AwsError {
                kind: AwsErrorKind::Other,
                operation: "DescribeBackup",
                message: format!("DescribeBackup for '{arn}' returned an incomplete description"),
            })
    }

    /// DeleteBackup; BackupNotFound counts as done, BackupInUse is retried.
    pub async fn delete_backup(&self, arn: &str) -> Result<Deleted, AwsError> {
        let res = self
            .busy_retry(|| async {
                self.pace("DeleteBackup").await;
                self.client
                    .delete_backup()
                    .backup_arn(arn)
                    .send()
                    .await
                    .map_err(|e| errors::map("DeleteBackup", arn, e))
            })
            .await;
        match res {
            Ok(_) => Ok(Deleted::Now),
            Err(e) if e.kind == AwsErrorKind::BackupNotFound => Ok(Deleted::AlreadyGone),
            Err(e) => Err(e),
        }
    }

    /// DescribeTable; `Ok(None)` when the table does not exist.
    pub async fn describe_table(&self, table: &str) -> Result<Option<TableInfo>, AwsError> {
        match self.client.describe_table().table_name(table).send().await {
            Ok(out) => Ok(out.table().map(convert::table)),
            Err(e) => {
                let e = errors::map("DescribeTable", table, e);
                if e.kind == AwsErrorKind::TableNotFound {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The point-in-time recovery window (DescribeContinuousBackups).
    pub async fn pitr_window(&self, table: &str) -> Result<PitrWindow, AwsError> {
        let out = self
            .client
            .describe_continuous_backups()
            .table_name(table)
            .send()
            .await
            .map_err(|e| errors::map("DescribeContinuousBackups", table, e))?;
        Ok(convert::pitr(out.continuous_backups_description()))
    }

    /// Parses the region out of a backup or table ARN.
    pub fn region_of_arn(arn: &str) -> Option<&str> {
        arn.split(':').nth(3).filter(|r| !r.is_empty())
    }
}

/// A named profile must exist in the AWS config or credentials file: otherwise the SDK's
/// chain silently moves on to other providers and the failure names the wrong one.
async fn check_profile(name: &str) -> Result<(), UsageError> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let set = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        Some(name.to_string().into()),
    )
    .await
    .map_err(|e| {
        UsageError::new(format!(
            "cannot read the AWS config files for --profile {name}: {e}"
        ))
    })?;
    if set.get_profile(name).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = set.profiles().collect();
    Err(UsageError::new(format!(
        "profile '{name}' is not defined in ~/.aws/config or ~/.aws/credentials (known: {}); \
         check --profile / AWS_PROFILE, or AWS_CONFIG_FILE",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )))
}

/// Validates an ARN of a DynamoDB table or backup before it is sent anywhere.
pub fn validate_arn(arn: &str, want_backup: bool) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let what = if want_backup {
        "backup ARN"
    } else {
        "table ARN"
    };
    let example = if want_backup {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcd1234"
    } else {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    };
    let ok_prefix = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "dynamodb"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit());
    if !ok_prefix {
        return Err(format!(
            "invalid {what} '{arn}' (expected the form {example})"
        ));
    }
    let res: Vec<&str> = parts[5].split('/').collect();
    let shape_ok = match (want_backup, res.as_slice()) {
        (true, ["table", t, "backup", id]) => {
            crate::names::validate_name("table name", t).is_ok() && !id.is_empty()
        }
        (false, ["table", t]) => crate::names::validate_name("table name", t).is_ok(),
        _ => false,
    };
    if !shape_ok {
        return Err(format!(
            "invalid {what} '{arn}' (expected the form {example})"
        ));
    }
    Ok(())
}

/// The table name inside a table or backup ARN.
pub fn table_of_arn(arn: &str) -> Option<&str> {
    arn.splitn(6, ':').nth(5)?.split('/').nth(1)
}

/// Attaches `context` to an `AwsError` for anyhow callers.
pub fn ctx<T>(r: Result<T, AwsError>, context: impl FnOnce() -> String) -> anyhow::Result<T> {
    r.map_err(anyhow::Error::from).with_context(context)
}

#[cfg(test)]
mod tests;
