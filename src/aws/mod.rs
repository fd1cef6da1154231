//! Every DynamoDB call the program makes lives here: client construction (credentials,
//! region, endpoint, retries, timeouts), client-side pacing under the documented
//! per-operation rate limits, full pagination, bounded retries of "busy" errors, and the
//! mapping of SDK types and errors to the project's own.

pub mod alarms;
pub mod clock;
mod convert;
pub mod endpoint;
pub mod errors;
pub mod exports;
pub mod integrity;
mod items;
pub mod listing;
mod pacing;
mod restore;
pub mod s3;
pub mod scaling;
pub mod settings;
mod tables;

pub use convert::to_smithy;
use pacing::{backoff, interrupted, pacer, Breaker, Cursor, Cut};
pub use pacing::{BREAKER_THRESHOLD, MAX_BACKOFF, MUTATION_GRACE};
pub use restore::{IndexChoice, PitrPoint, RestoreRequest, SseChoice};

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::types::BackupTypeFilter;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use governor::DefaultDirectRateLimiter;

use crate::error::{AwsError, AwsErrorKind, UsageError};
use crate::ids::table_of_arn;
use crate::model::{Backup, BackupDescription, PitrWindow, TableInfo};
use crate::stop::Stop;

/// A tagged table's ARN and every tag it carries.
pub type Tagged = (String, Vec<(String, String)>);

/// DynamoDB's documented per-operation rate limits (calls per second).
pub const DOCUMENTED_RATES: &[(&str, f64)] = &[
    ("CreateBackup", 50.0),
    ("DeleteBackup", 10.0),
    ("DescribeBackup", 10.0),
    ("ListBackups", 5.0),
    ("RestoreTableFromBackup", 10.0),
    ("RestoreTableToPointInTime", 10.0),
    ("ListTagsOfResource", 10.0),
];

/// Every other control-plane call shares DynamoDB's documented control-plane throttle of
/// 2,500 requests per second per account and region.
pub const CONTROL_PLANE_RATE: f64 = 2_500.0;

/// S3's documented request rates per prefix (GET/HEAD 5,500/s, PUT/POST/DELETE 3,500/s).
pub const S3_RATES: &[(&str, f64)] = &[
    ("ListObjectsV2", 5_500.0),
    ("GetObject", 5_500.0),
    ("PutObject", 3_500.0),
    ("DeleteObjects", 3_500.0),
];

/// The Resource Groups Tagging API's GetResources (100 tables a page; a run needs few pages).
pub const TAGGING_RATE: f64 = 10.0;

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
    /// Every call and every wait races this.
    pub stop: Stop,
    /// Assume this role (STS AssumeRole from the base credentials) for every call.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
}

/// Which backups ListBackups should return.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `None` = USER (the API's default).
    pub kind: Option<BackupTypeFilter>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Each table's checked backups from an account-wide listing.
pub type ByTable = HashMap<String, Result<Vec<Backup>, AwsError>>;

/// The error of a table whose listing is not self-consistent.
fn inconsistent(table: &str, anomaly: &str) -> AwsError {
    AwsError {
        kind: AwsErrorKind::InconsistentListing,
        operation: "ListBackups",
        message: integrity::refusal(table, anomaly),
    }
}

/// Result of a DeleteBackup call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Now,
    /// BackupNotFound: someone else deleted it; the goal is reached all the same.
    AlreadyGone,
}

/// The key of the pacer shared by control-plane operations without a documented rate.
const CONTROL_PLANE: &str = "control plane";

/// The DynamoDB client of one run: one per region, shared by every task.
#[derive(Clone)]
pub struct Dynamo {
    client: Client,
    /// The Resource Groups Tagging API, for selecting tables by tag at scale.
    tagging: aws_sdk_resourcegroupstagging::Client,
    /// Application Auto Scaling, for a table's scalable targets, policies and schedules.
    autoscaling: aws_sdk_applicationautoscaling::Client,
    /// CloudWatch, for the alarms on a table's metrics.
    cloudwatch: aws_sdk_cloudwatch::Client,
    /// STS, to learn the account the credentials work in.
    sts: aws_sdk_sts::Client,
    /// S3, for exports (the archive tier): manifests, listings, deletions.
    s3: aws_sdk_s3::Client,
    role_arn: Option<String>,
    region: String,
    pacers: Arc<HashMap<&'static str, DefaultDirectRateLimiter>>,
    breaker: Arc<Breaker>,
    stop: Stop,
    /// DynamoDB's clock, from its responses.
    service_clock: clock::ServiceClock,
    skew_reported: Arc<std::sync::atomic::AtomicBool>,
    /// The region's table names, listed once when a name given is not found (to suggest
    /// the one meant); `None` when ListTables failed.
    table_names: Arc<tokio::sync::OnceCell<Option<Vec<String>>>>,
    /// The account the credentials work in, once STS has said (listings are checked
    /// against it).
    account: Arc<std::sync::OnceLock<String>>,
    max_attempts: u32,
    initial_backoff: Duration,
    /// Restores refused with LimitExceeded come back at once as `QuotaReached` (not
    /// retried, not counted by the breaker): see [`Dynamo::with_restore_back_pressure`].
    restore_back_pressure: bool,
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
            // A profile named on purpose (--profile, a target's or [defaults]' profile) is
            // the credentials, as with the AWS CLI: access keys in the environment must not
            // silently win over it and put the run in another account.
            // Its own role chain (role_arn/source_profile) signs STS in the run's region.
            use aws_config::provider_config::ProviderConfig;
            let pc = match &opts.region {
                Some(r) => {
                    ProviderConfig::without_region().with_region(Some(Region::new(r.clone())))
                }
                None => ProviderConfig::without_region().load_default_region().await,
            };
            loader = loader.profile_name(p).credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(&pc)
                    .profile_name(p)
                    .build(),
            );
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        // Retries are this module's: each attempt goes through the operation's pacer (the
        // SDK's own retries would bypass it, and throttled retries drain its shared retry
        // quota until calls fail without being retried at all).
        let retry = RetryConfig::disabled();
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
        endpoint::warn_plain_http(&conf);
        // A role is assumed from the base credentials, through the same endpoint settings
        // (an emulator serves STS too); its credentials are refreshed before they expire.
        let conf = match &opts.role_arn {
            Some(role) => {
                let mut b = aws_config::sts::AssumeRoleProvider::builder(role)
                    .session_name(crate::ids::session_name(&crate::ids::host_name()))
                    .configure(&conf);
                if let Some(id) = &opts.external_id {
                    b = b.external_id(id);
                }
                let provider = b.build().await;
                conf.into_builder()
                    .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                        provider,
                    ))
                    .build()
            }
            None => conf,
        };
        let region = conf
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| {
                UsageError::new(
                    "no AWS region configured: pass --region, set AWS_REGION, or set a region in the profile",
                )
            })?;
        // A region from the environment or a profile is checked like --region.
        crate::ids::parse_region(&region).map_err(|e| {
            UsageError::new(format!(
                "{e} (from AWS_REGION, AWS_DEFAULT_REGION or the profile's region)"
            ))
        })?;
        let service_clock = clock::ServiceClock::default();
        let dynamo_conf = aws_sdk_dynamodb::config::Builder::from(&conf)
            .interceptor(clock::DateReader(service_clock.clone()))
            .build();
        let mut d = Self::from_client(Client::from_conf(dynamo_conf), region, opts);
        d.tagging = aws_sdk_resourcegroupstagging::Client::new(&conf);
        d.autoscaling = aws_sdk_applicationautoscaling::Client::new(&conf);
        d.cloudwatch = aws_sdk_cloudwatch::Client::new(&conf);
        d.sts = aws_sdk_sts::Client::new(&conf);
        // A custom endpoint (an emulator, a gateway) serves buckets by path, not by host name.
        d.s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(conf.endpoint_url().is_some())
                .build(),
        );
        d.role_arn = opts.role_arn.clone();
        d.service_clock = service_clock;
        Ok(d)
    }

    /// Wraps an existing client (tests use this with mocked clients).
    pub fn from_client(client: Client, region: String, opts: &ConnectOptions) -> Dynamo {
        let tagging = aws_sdk_resourcegroupstagging::Client::from_conf(
            aws_sdk_resourcegroupstagging::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .build(),
        );
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .build(),
        );
        let autoscaling = aws_sdk_applicationautoscaling::Client::from_conf(
            aws_sdk_applicationautoscaling::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .build(),
        );
        let cloudwatch = aws_sdk_cloudwatch::Client::from_conf(
            aws_sdk_cloudwatch::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .build(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(region.clone()))
                .build(),
        );
        let mut pacers = HashMap::new();
        if opts.rate_multiplier > 0.0 {
            let rates = DOCUMENTED_RATES.iter().chain(S3_RATES).copied().chain([
                (CONTROL_PLANE, CONTROL_PLANE_RATE),
                ("GetResources", TAGGING_RATE),
            ]);
            for (op, rate) in rates {
                if let Some(p) = pacer(rate * PACING_HEADROOM * opts.rate_multiplier) {
                    pacers.insert(op, p);
                }
            }
        }
        Dynamo {
            client,
            tagging,
            autoscaling,
            cloudwatch,
            sts,
            s3,
            role_arn: opts.role_arn.clone(),
            region,
            pacers: Arc::new(pacers),
            breaker: Arc::new(Breaker::default()),
            stop: opts.stop.clone(),
            service_clock: clock::ServiceClock::default(),
            skew_reported: Arc::default(),
            table_names: Arc::default(),
            account: Arc::default(),
            max_attempts: opts.max_attempts.max(1),
            initial_backoff: opts.initial_backoff,
            restore_back_pressure: false,
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The same client (pacers, breaker, clock) with calls that a stop does not cut: for
    /// the few calls that must be made once a change has begun (`restore --replace` puts
    /// the table back after deleting it, whatever signal comes).
    pub fn unstoppable(&self) -> Dynamo {
        Dynamo {
            stop: Stop::never(),
            ..self.clone()
        }
    }

    /// The same client, whose restores refused with LimitExceeded (the concurrent-restore
    /// quota, or too many table operations) fail at once with `QuotaReached`, neither
    /// retried nor counted by the breaker: a fleet restore waits for one of its restores to
    /// finish and asks again, as often as it takes.
    pub fn with_restore_back_pressure(&self) -> Dynamo {
        Dynamo {
            restore_back_pressure: true,
            ..self.clone()
        }
    }

    /// The account these credentials work in (STS GetCallerIdentity, which needs no
    /// permission). For an assumed role this is also the first use of the role, so a role
    /// that cannot be assumed fails here, with a message naming it.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        let out = self
            .call("GetCallerIdentity", false, || async {
                self.sts.get_caller_identity().send().await.map_err(|e| {
                    let refused = self
                        .role_arn
                        .as_ref()
                        .and_then(|_| errors::assume_role_refusal(&e));
                    let mut mapped = errors::map("GetCallerIdentity", "the credentials", e);
                    if let (Some(role), Some((kind, detail))) = (&self.role_arn, refused) {
                        mapped.kind = kind;
                        mapped.message = format!("could not assume role {role}: {detail}");
                    }
                    mapped
                })
            })
            .await?;
        if let Some(a) = out.account() {
            let _ = self.account.set(a.to_string());
        }
        out.account().map(str::to_string).ok_or_else(|| AwsError {
            kind: AwsErrorKind::NotDynamo,
            operation: "GetCallerIdentity",
            message: "STS answered GetCallerIdentity without an account".into(),
        })
    }

    /// DynamoDB's time at this host's instant `at` (at least this), once a response has
    /// told it.
    pub fn service_time_at(&self, at: std::time::Instant) -> Option<DateTime<Utc>> {
        self.service_clock.at(at)
    }

    /// DynamoDB's time at `at`: at most this.
    pub fn service_time_at_most(&self, at: std::time::Instant) -> Option<DateTime<Utc>> {
        self.service_clock.at_most(at)
    }

    /// "Now" for judging ages: DynamoDB's clock once a response has told it (backups are
    /// dated by that clock), else this host's. A host clock off by more than the tolerance
    /// is reported once: it no longer affects what is kept, but it is worth fixing.
    pub fn service_now(&self) -> DateTime<Utc> {
        let host = Utc::now();
        let Some(service) = self.service_clock.at(std::time::Instant::now()) else {
            return host;
        };
        let off = host - service;
        if off.num_seconds().abs() > crate::retention::CLOCK_TOLERANCE_SECS
            && !self
                .skew_reported
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!(
                "this host's clock is {} {} DynamoDB's: ages are measured by DynamoDB's clock, \
                 but check the host's (NTP)",
                crate::timeparse::format_age(off.abs()),
                if off > chrono::Duration::zero() {
                    "ahead of"
                } else {
                    "behind"
                }
            );
        }
        service
    }

    /// Waits until `op` may be called again under its documented rate (the shared
    /// control-plane rate for operations without one of their own), or a stop comes.
    async fn pace(&self, op: &'static str) -> Result<(), AwsError> {
        let mut stop = self.stop.clone();
        if let Some(p) = self
            .pacers
            .get(op)
            .or_else(|| self.pacers.get(CONTROL_PLANE))
        {
            tokio::select! {
                _ = p.until_ready() => {}
                _ = stop.wait() => return Err(interrupted(op, Cut::NotStarted)),
            }
        }
        if self.stop.requested() {
            return Err(interrupted(op, Cut::NotStarted));
        }
        Ok(())
    }

    /// Every AWS call goes through here: the operation's breaker, its pacer, the stop
    /// signal (a read is abandoned at once; a change on the wire gets [`MUTATION_GRACE`]),
    /// and up to `--max-attempts` attempts with jittered exponential backoff while the
    /// error is transient (throttling, server errors, timeouts, a busy table or backup),
    /// each attempt paced like a first call.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        op: &'static str,
        mutating: bool,
        mut f: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let mut attempt = 1;
        loop {
            self.breaker.check(op)?;
            self.pace(op).await?;
            let mut stop = self.stop.clone();
            let r = if mutating {
                tokio::select! {
                    r = f() => r,
                    _ = async { stop.wait().await; tokio::time::sleep(MUTATION_GRACE).await } => {
                        Err(interrupted(op, Cut::Unknown))
                    }
                }
            } else {
                tokio::select! {
                    r = f() => r,
                    _ = stop.wait() => Err(interrupted(op, Cut::Abandoned)),
                }
            };
            match r {
                Err(e) if e.kind.is_transient() && attempt < self.max_attempts => {
                    let delay = backoff(self.initial_backoff, attempt);
                    tracing::debug!(operation = op, attempt, ?delay, "retrying: {}", e.message);
                    if !self.stop.sleep(delay).await {
                        // A change whose last attempt timed out or lost its connection may
                        // have happened after all.
                        let unsure = mutating
                            && matches!(e.kind, AwsErrorKind::Timeout | AwsErrorKind::Connection);
                        return Err(interrupted(
                            op,
                            if unsure {
                                Cut::Unknown
                            } else {
                                Cut::NotStarted
                            },
                        ));
                    }
                    attempt += 1;
                }
                r => {
                    self.breaker.record(op, &r);
                    return r;
                }
            }
        }
    }

    /// The complete list of backups of `table`, checked to be self-consistent.
    ///
    /// Follows `LastEvaluatedBackupArn` until DynamoDB stops returning one; a failure on
    /// any page, or a cursor that repeats, fails the whole listing, so a partial list is
    /// never taken as complete. A listing that breaks [`integrity`]'s rule (a summary
    /// without a field, an ARN twice, another table's backup) is refused the same way.
    pub async fn list_backups(
        &self,
        table: &str,
        filter: &ListFilter,
    ) -> Result<Vec<Backup>, AwsError> {
        let name = table_of_arn(table).unwrap_or(table);
        let mut checker =
            integrity::Checker::new(Some(name), &self.region).in_account(self.account.get());
        self.list_pages(Some(table), filter, |e| checker.add(e))
            .await?;
        checker
            .finish_one()
            .map_err(|anomaly| inconsistent(name, &anomaly))
    }

    /// Every table's backups from one account-wide listing (without `TableName`), grouped
    /// by the table in each backup's ARN: a table whose summaries break [`integrity`]'s
    /// rule gets its error instead of a list. A failure on any page, or a summary that
    /// names no table, fails the whole listing.
    pub async fn list_all_backups(&self, filter: &ListFilter) -> Result<ByTable, AwsError> {
        let mut checker =
            integrity::Checker::new(None, &self.region).in_account(self.account.get());
        self.list_pages(None, filter, |e| checker.add(e)).await?;
        let grouped = checker.finish().map_err(|anomaly| AwsError {
            kind: AwsErrorKind::InconsistentListing,
            operation: "ListBackups",
            message: format!(
                "{anomaly}: the account-wide listing is refused and nothing is deleted"
            ),
        })?;
        Ok(grouped
            .into_iter()
            .map(|(table, checked)| {
                let r = checked.map_err(|anomaly| inconsistent(&table, &anomaly));
                (table, r)
            })
            .collect())
    }

    /// Pages through ListBackups, handing each summary to `each` as its page arrives (an
    /// account-wide listing is grouped by table without first collecting it whole).
    async fn list_pages(
        &self,
        table: Option<&str>,
        filter: &ListFilter,
        mut each: impl FnMut(integrity::Entry),
    ) -> Result<(), AwsError> {
        let subject = table.unwrap_or("all tables");
        let mut count = 0usize;
        let mut cursor = Cursor::new("ListBackups", subject);
        let mut start: Option<String> = None;
        loop {
            let resp = self
                .call("ListBackups", false, || async {
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
                    if !matches!(
                        e.kind,
                        AwsErrorKind::Interrupted | AwsErrorKind::NotAttempted
                    ) {
                        e.message = format!(
                            "listing backups of '{subject}' failed on page {}: {}",
                            cursor.page, e.message
                        );
                    }
                    e
                })?;
            for s in resp.backup_summaries() {
                each(convert::summary(s));
                count += 1;
            }
            match cursor.advance(resp.last_evaluated_backup_arn())? {
                Some(next) => start = Some(next),
                None => {
                    tracing::debug!(
                        table = subject,
                        pages = cursor.page,
                        backups = count,
                        "listing complete"
                    );
                    return Ok(());
                }
            }
        }
    }

    /// A table's listing, confirmed: ListBackups answers an empty list for a table that
    /// does not exist (a typo, another region), which must not pass for "no backups yet".
    /// An empty listing costs one DescribeTable; a table that is gone but still has
    /// backups is listed as usual.
    pub async fn confirm_listed(
        &self,
        table: &str,
        backups: Vec<Backup>,
    ) -> Result<Vec<Backup>, AwsError> {
        if !backups.is_empty() || self.describe_table(table).await?.is_some() {
            return Ok(backups);
        }
        Err(AwsError {
            kind: AwsErrorKind::TableNotFound,
            operation: "DescribeTable",
            message: self.not_found(table, ", and it has no backups").await,
        })
    }

    /// "table 'X' not found…", naming the region's table that is one typo away when there
    /// is one (one ListTables listing per client, on this failure path only).
    pub async fn not_found(&self, table: &str, note: &str) -> String {
        let name = crate::ids::table_name(table);
        let names = self
            .table_names
            .get_or_init(|| async { self.list_tables().await.ok() })
            .await;
        let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
        match crate::names::did_you_mean(name, &known, '\'') {
            Some(hint) => {
                format!("table '{name}' not found{note}: {hint} (or check --region and --profile)")
            }
            None => {
                format!("table '{name}' not found{note}: check the name, --region and --profile")
            }
        }
    }

    /// CreateBackup, retried while the table is busy.
    pub async fn create_backup(&self, table: &str, name: &str) -> Result<Backup, AwsError> {
        // A retry after an answer that was lost (a 500, a timeout, a dropped connection)
        // first looks for the backup the lost attempt may have made: one table, one backup.
        let since = self.service_now() - chrono::Duration::minutes(5);
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let made = self
            .call("CreateBackup", true, || async {
                if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
                    if let Some(b) = self.find_backup_named(table, name, since).await? {
                        tracing::info!(table, backup = %name, "an earlier attempt made the backup: not sent again");
                        return Ok(Err(b));
                    }
                }
                self.client
                    .create_backup()
                    .table_name(table)
                    .backup_name(name)
                    .send()
                    .await
                    .map(Ok)
                    .map_err(|e| errors::map("CreateBackup", table, e))
            })
            .await?;
        let out = match made {
            Ok(out) => out,
            Err(found) => return Ok(found),
        };
        let details = out.backup_details().ok_or_else(|| AwsError {
            kind: AwsErrorKind::Other,
            operation: "CreateBackup",
            message: format!("CreateBackup for '{table}' returned no backup details"),
        })?;
        Ok(convert::details(details, table, None))
    }

    /// The USER backup of `table` named `name` created since `since`, if any.
    async fn find_backup_named(
        &self,
        table: &str,
        name: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<Backup>, AwsError> {
        let filter = ListFilter {
            kind: None,
            since: Some(since),
            until: None,
        };
        Ok(self
            .list_backups(table, &filter)
            .await?
            .into_iter()
            .find(|b| b.backup_name == name))
    }

    /// DescribeBackup.
    pub async fn describe_backup(&self, arn: &str) -> Result<BackupDescription, AwsError> {
        let out = self
            .call("DescribeBackup", false, || async {
                self.client
                    .describe_backup()
                    .backup_arn(arn)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeBackup", arn, e))
            })
            .await?;
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
            .call("DeleteBackup", true, || async {
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
        Ok(self.describe_raw(table).await?.as_ref().map(convert::table))
    }

    /// DescribeTable's answer as the SDK gives it; `Ok(None)` when the table does not exist.
    pub(crate) async fn describe_raw(
        &self,
        table: &str,
    ) -> Result<Option<aws_sdk_dynamodb::types::TableDescription>, AwsError> {
        let r = self
            .call("DescribeTable", false, || async {
                self.client
                    .describe_table()
                    .table_name(table)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeTable", table, e))
            })
            .await;
        match r {
            Ok(out) => Ok(out.table().cloned()),
            Err(e) if e.kind == AwsErrorKind::TableNotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The point-in-time recovery window (DescribeContinuousBackups).
    pub async fn pitr_window(&self, table: &str) -> Result<PitrWindow, AwsError> {
        let out = self
            .call("DescribeContinuousBackups", false, || async {
                self.client
                    .describe_continuous_backups()
                    .table_name(table)
                    .send()
                    .await
                    .map_err(|e| errors::map("DescribeContinuousBackups", table, e))
            })
            .await;
        match out {
            Ok(out) => Ok(convert::pitr(out.continuous_backups_description())),
            Err(mut e) if e.kind == AwsErrorKind::TableNotFound => {
                e.message = self.not_found(table, "").await;
                Err(e)
            }
            Err(e) => Err(e),
        }
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

/// Attaches `context` to an `AwsError` for anyhow callers.
pub fn ctx<T>(r: Result<T, AwsError>, context: impl FnOnce() -> String) -> anyhow::Result<T> {
    r.map_err(anyhow::Error::from).with_context(context)
}

#[cfg(test)]
mod tests;
