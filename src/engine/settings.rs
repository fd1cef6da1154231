//! Applying a settings record (`engine::record`) to a restored table: each setting is
//! compared with the table's, applied where it differs, read back, and reported as
//! `unchanged`, `verified`, `skipped` or `failed` (with the command that fixes it).

use std::time::Duration;

use serde::Serialize;

use crate::aws::settings::{Capacity, CapacityChange, Units, UnitsOf};
use crate::aws::Dynamo;
use crate::engine::record::{self, for_target, Record, DEFAULT_RECOVERY_PERIOD};
use crate::error::AwsError;
use crate::model::Setting;
use crate::stop::Stop;

/// TagResource batches: one refused key loses no more than its batch's first attempt.
const TAG_BATCH: usize = 10;

/// How long an UpdateTable waits for the previous one to settle.
const SETTLE: Duration = Duration::from_secs(900);

#[derive(Debug, Clone, Serialize)]
pub struct SettingResult {
    pub setting: &'static str,
    /// `verified` (applied and read back), `unchanged` (already as recorded), `skipped`,
    /// `failed`, or (dry run) `planned`.
    pub status: &'static str,
    /// True when this run changed the setting on the table.
    pub applied: bool,
    pub detail: String,
    /// For a failure: the command that sets it by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl SettingResult {
    fn new(s: Setting, status: &'static str, detail: impl Into<String>) -> SettingResult {
        SettingResult {
            setting: s.name(),
            status,
            applied: false,
            detail: detail.into(),
            command: None,
        }
    }

    pub fn failed(&self) -> bool {
        self.status == "failed"
    }
}

/// How settings carry over to the restored table.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    /// Alarms to a table of another name: copy them (dimension rewritten, name suffixed
    /// with the new table's name).
    pub copy: bool,
    /// Keep the copied alarms' actions enabled (off by default: a copy should not page
    /// anyone).
    pub actions: bool,
    /// Indexes the restore left out on purpose (--exclude-gsi, --no-gsi: `*`): their
    /// settings are not expected on the table.
    pub excluded_indexes: Vec<String>,
}

/// The indexes a restore leaves out on purpose.
pub fn excluded(a: &crate::cli::RestoreArgs) -> Vec<String> {
    if a.no_gsi {
        vec!["*".to_string()]
    } else {
        a.exclude_gsi.clone()
    }
}

/// The indexes a setting of the record refers to.
fn indexes_of(s: Setting, r: &Record) -> Vec<String> {
    let mut v: Vec<String> = match s {
        Setting::Capacity => r
            .capacity
            .value()
            .map(|c| c.indexes.iter().map(|i| i.0.clone()).collect())
            .unwrap_or_default(),
        Setting::ContributorInsights => r
            .contributor_insights
            .value()
            .map(|c| c.iter().flatten().cloned().collect())
            .unwrap_or_default(),
        Setting::AutoScaling => r
            .auto_scaling
            .value()
            .map(|a| {
                a.targets
                    .iter()
                    .filter_map(|t| t.index.clone())
                    .chain(a.policies.iter().filter_map(|t| t.index.clone()))
                    .chain(a.scheduled_actions.iter().filter_map(|t| t.index.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    v.sort();
    v.dedup();
    v
}

/// A setting that refers to an index the table does not have cannot be as recorded: a
/// failure, unless the restore left that index out on purpose.
fn check_indexes(
    out: &mut [SettingResult],
    want: &Record,
    have: &Record,
    carry: &Carry,
    target: &str,
) {
    let on_table = index_names(have);
    for res in out.iter_mut() {
        let Ok(s) = Setting::parse(res.setting) else {
            continue;
        };
        let missing: Vec<String> = indexes_of(s, want)
            .into_iter()
            .filter(|i| !on_table.contains(i))
            .collect();
        if missing.is_empty() || res.status == "skipped" {
            continue;
        }
        let excluded = |i: &String| carry.excluded_indexes.iter().any(|e| e == i || e == "*");
        if missing.iter().all(excluded) {
            res.detail = format!(
                "{} (index {} left out of the restore: not carried)",
                res.detail,
                missing.join(", ")
            );
        } else {
            res.status = "failed";
            res.detail = format!(
                "failed: the record's index {} is not on '{target}' (added after the backup?): its {} could not be set up; create the index, then apply the record again (restore --target {target} --settings-from FILE)",
                missing.join(", "),
                s.name()
            );
        }
    }
}

/// What a dry run would do with the record: one `planned` line per setting.
pub fn planned(r: &Record, alarms: Carry, target: &str) -> Vec<SettingResult> {
    Setting::ALL
        .into_iter()
        .map(|s| {
            if s == Setting::Alarms && r.table != target && !alarms.copy {
                return alarms_not_copied(r);
            }
            match (
                r.describe(s),
                r.unreadable().into_iter().find(|(x, _)| *x == s),
            ) {
                (Some(d), _) => SettingResult::new(s, "planned", d),
                (None, Some((_, w))) => {
                    SettingResult::new(s, "failed", format!("could not be read: {w}"))
                }
                (None, None) => SettingResult::new(s, "skipped", "not recorded (--skip-setting)"),
            }
        })
        .collect()
}

fn alarms_not_copied(r: &Record) -> SettingResult {
    let n = r.alarms.value().map(Vec::len).unwrap_or(0);
    SettingResult::new(
        Setting::Alarms,
        "skipped",
        if n == 0 {
            "the source table has no alarms".to_string()
        } else {
            format!(
                "{} on '{}' not copied: pass --copy-alarms",
                crate::error::count(n, "alarm", "alarms"),
                r.table
            )
        },
    )
}

/// Applies `r` to `target`, then reads every applied setting back.
pub async fn apply(
    d: &Dynamo,
    target: &str,
    r: &Record,
    alarms: Carry,
    stop: &Stop,
) -> Vec<SettingResult> {
    let skip = r.skipped();
    let have = match record::read(d, target, &skip).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            return all_failed(&format!("table '{target}' does not exist"));
        }
        Err(e) => return all_failed(&format!("could not read '{target}': {}", e.message)),
    };
    let want = for_target(
        r,
        target,
        have.table_arn.as_deref(),
        alarms.copy,
        alarms.actions,
    );
    let unreadable = r.unreadable();
    let have_unreadable = have.unreadable();
    let mut out = Vec::new();
    let mut pending = Vec::new();
    for s in Setting::ALL {
        if skip.contains(&s) {
            out.push(SettingResult::new(
                s,
                "skipped",
                "not recorded (--skip-setting)",
            ));
            continue;
        }
        if let Some((_, w)) = unreadable.iter().find(|(x, _)| *x == s) {
            out.push(SettingResult::new(
                s,
                "failed",
                format!("could not be read from '{}': {w}", r.table),
            ));
            continue;
        }
        if s == Setting::Alarms && r.table != target && !alarms.copy {
            out.push(alarms_not_copied(r));
            continue;
        }
        if let Some((_, w)) = have_unreadable.iter().find(|(x, _)| *x == s) {
            out.push(SettingResult::new(
                s,
                "failed",
                format!("could not be read on '{target}': {w}"),
            ));
            continue;
        }
        if record::matches(s, &want, &have) == Some(true) {
            let mut res = SettingResult::new(
                s,
                "unchanged",
                format!(
                    "already as recorded: {}",
                    want.describe(s).unwrap_or_default()
                ),
            );
            if s == Setting::Tags {
                res.detail = want.describe(s).unwrap_or_default();
                if want.tags.value().is_some_and(|t| t.user.is_empty()) {
                    res.detail = format!("already as recorded: {}", res.detail);
                }
            }
            out.push(res);
            continue;
        }
        match apply_one(d, target, s, &want, &have, stop).await {
            Ok(()) => {
                pending.push(out.len());
                let mut res =
                    SettingResult::new(s, "applied", want.describe(s).unwrap_or_default());
                res.applied = true;
                out.push(res);
            }
            Err(why) => {
                let mut res = SettingResult::new(s, "failed", format!("failed: {why}"));
                res.command = Some(fix_command(s, &want));
                out.push(res);
            }
        }
    }
    // Read back what was applied (only that: a fleet's settings calls share the same
    // per-operation limits, ListTagsOfResource's 10/s among them).
    if !pending.is_empty() {
        let unapplied: Vec<Setting> = Setting::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !pending.contains(i))
            .map(|(_, s)| s)
            .collect();
        let after = record::read(d, target, &unapplied).await;
        for i in pending {
            let s = Setting::ALL[i];
            let res = &mut out[i];
            match &after {
                Ok(Some(a)) => match record::matches(s, &want, a) {
                    Some(true) => {
                        res.status = "verified";
                        if s == Setting::Stream {
                            res.detail = stream_note(r, a);
                        }
                    }
                    _ => {
                        res.status = "failed";
                        res.detail = format!(
                            "failed: applied, but '{target}' reads back as {}; wanted {}",
                            a.describe(s).unwrap_or_else(|| "unknown".into()),
                            want.describe(s).unwrap_or_default()
                        );
                        res.command = Some(fix_command(s, &want));
                    }
                },
                Ok(None) => {
                    res.status = "failed";
                    res.detail = format!("failed: '{target}' disappeared");
                }
                Err(e) => {
                    res.status = "failed";
                    res.detail =
                        format!("failed: applied, but could not be read back: {}", e.message);
                }
            }
        }
    }
    check_indexes(&mut out, &want, &have, &alarms, target);
    for s in &out {
        match s.status {
            "failed" => tracing::error!(setting = s.setting, "{}", s.detail),
            "verified" => tracing::info!(setting = s.setting, "re-applied: {}", s.detail),
            _ => tracing::debug!(setting = s.setting, "{}: {}", s.status, s.detail),
        }
    }
    out
}

fn all_failed(why: &str) -> Vec<SettingResult> {
    Setting::ALL
        .into_iter()
        .map(|s| SettingResult::new(s, "failed", format!("failed: {why}")))
        .collect()
}

/// The stream's new ARN: whatever read the old one must be pointed at it.
fn stream_note(r: &Record, after: &Record) -> String {
    let new = after.stream.value().and_then(|s| s.as_ref());
    let old = r
        .stream
        .value()
        .and_then(|s| s.as_ref())
        .and_then(|s| s.arn.clone());
    match (new, old) {
        (Some(n), Some(o)) => format!(
            "on ({}): the new stream is {} (was {o}); Lambda triggers and other consumers \
             of the old stream must be pointed at the new one (list them: aws lambda \
             list-event-source-mappings --event-source-arn {o})",
            n.view_type,
            n.arn.as_deref().unwrap_or("unknown")
        ),
        (Some(n), None) => format!(
            "on ({}): the new stream is {}",
            n.view_type,
            n.arn.as_deref().unwrap_or("unknown")
        ),
        (None, _) => "off".into(),
    }
}

/// Waits until the table and its indexes are ACTIVE (DynamoDB refuses an UpdateTable
/// while another is in progress).
async fn settle(d: &Dynamo, table: &str, stop: &Stop) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + SETTLE;
    let mut pause = Duration::from_millis(200);
    loop {
        match d.described(table).await {
            Ok(Some(t)) if t.settled => return Ok(()),
            Ok(Some(_)) => {}
            Ok(None) => return Err(format!("table '{table}' disappeared")),
            Err(e) => return Err(e.message),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("'{table}' is still being updated after {SETTLE:?}"));
        }
        if !stop.sleep(pause).await {
            return Err("stopped".into());
        }
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

fn msg(e: AwsError) -> String {
    e.message
}

fn capacity_change(want: &Capacity, have: &Capacity) -> (CapacityChange, Option<CapacityChange>) {
    let provisioned = want.billing_mode == "PROVISIONED";
    let switch = want.billing_mode != have.billing_mode;
    let mut c = CapacityChange {
        billing_mode: switch.then(|| want.billing_mode.clone()),
        ..Default::default()
    };
    let mut warm = CapacityChange::default();
    let pick = |w: &UnitsOf, h: &UnitsOf| -> UnitsOf {
        UnitsOf {
            provisioned: w
                .provisioned
                .filter(|_| provisioned && (switch || w.provisioned != h.provisioned)),
            on_demand_max: if !provisioned && w.on_demand_max != h.on_demand_max {
                // No maximum is -1.
                Some(w.on_demand_max.unwrap_or(Units {
                    read: -1,
                    write: -1,
                }))
            } else {
                None
            },
            warm: None,
        }
    };
    let warm_of = |w: &UnitsOf, h: &UnitsOf| -> Option<Units> {
        match (w.warm, h.warm) {
            (Some(w), Some(h)) if h.read >= w.read && h.write >= w.write => None,
            (Some(w), _) => Some(w),
            _ => None,
        }
    };
    c.table = pick(&want.table, &have.table);
    warm.table.warm = warm_of(&want.table, &have.table);
    for (name, h) in &have.indexes {
        let Some((_, w)) = want.indexes.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let u = pick(w, h);
        if u != UnitsOf::default() {
            c.indexes.push((name.clone(), u));
        }
        if let Some(x) = warm_of(w, h) {
            warm.indexes.push((
                name.clone(),
                UnitsOf {
                    warm: Some(x),
                    ..Default::default()
                },
            ));
        }
    }
    let warm = (warm != CapacityChange::default()).then_some(warm);
    (c, warm)
}

async fn apply_one(
    d: &Dynamo,
    target: &str,
    s: Setting,
    want: &Record,
    have: &Record,
    stop: &Stop,
) -> Result<(), String> {
    let arn = have
        .table_arn
        .clone()
        .ok_or_else(|| format!("the ARN of '{target}' is unknown"))?;
    match s {
        Setting::Capacity => {
            let (w, h) = (want.capacity.value(), have.capacity.value());
            let (Some(w), Some(h)) = (w, h) else {
                return Ok(());
            };
            let (change, warm) = capacity_change(w, h);
            if change != CapacityChange::default() {
                settle(d, target, stop).await?;
                d.set_capacity(target, &change).await.map_err(msg)?;
            }
            if let Some(warm) = warm {
                settle(d, target, stop).await?;
                d.set_capacity(target, &warm).await.map_err(msg)?;
            }
            Ok(())
        }
        Setting::TableClass => {
            let Some(c) = want.table_class.value() else {
                return Ok(());
            };
            settle(d, target, stop).await?;
            d.set_table_class(target, c).await.map_err(msg)
        }
        Setting::Stream => {
            let w = want.stream.value().cloned().flatten();
            let h = have.stream.value().cloned().flatten();
            if h.is_some() {
                settle(d, target, stop).await?;
                d.set_stream(target, None).await.map_err(msg)?;
            }
            if let Some(w) = w {
                settle(d, target, stop).await?;
                d.set_stream(target, Some(&w.view_type))
                    .await
                    .map_err(msg)?;
            }
            Ok(())
        }
        Setting::Ttl => match (
            want.ttl.value().cloned().flatten(),
            have.ttl.value().cloned().flatten(),
        ) {
            (Some(a), _) => d.set_ttl(target, &a, true).await.map_err(ttl_refusal),
            (None, Some(b)) => d.set_ttl(target, &b, false).await.map_err(ttl_refusal),
            (None, None) => Ok(()),
        },
        Setting::PointInTimeRecovery => match want.point_in_time_recovery.value() {
            Some(p) => d.set_pitr(target, *p).await.map_err(msg),
            None => Ok(()),
        },
        Setting::Tags => {
            let (Some(w), Some(h)) = (want.tags.value(), have.tags.value()) else {
                return Ok(());
            };
            let missing: Vec<(String, String)> = w
                .user
                .iter()
                .filter(|t| !h.user.contains(t))
                .cloned()
                .collect();
            let mut refused = Vec::new();
            for batch in missing.chunks(TAG_BATCH) {
                if d.tag_table(&arn, batch).await.is_ok() {
                    continue;
                }
                // One refused key must not lose the others: one by one.
                for t in batch {
                    if let Err(e) = d.tag_table(&arn, std::slice::from_ref(t)).await {
                        refused.push(format!("{}: {}", t.0, e.message));
                    }
                }
            }
            if refused.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{} of {} refused ({})",
                    refused.len(),
                    crate::error::count(missing.len(), "tag", "tags"),
                    refused.join("; ")
                ))
            }
        }
        Setting::ResourcePolicy => match want.resource_policy.value().cloned().flatten() {
            Some(p) => d.put_resource_policy(&arn, &p).await.map_err(msg),
            None => Ok(()),
        },
        Setting::KinesisStreamingDestinations => {
            let (Some(w), Some(h)) = (
                want.kinesis_streaming_destinations.value(),
                have.kinesis_streaming_destinations.value(),
            ) else {
                return Ok(());
            };
            for k in w
                .iter()
                .filter(|k| !h.iter().any(|x| x.stream_arn == k.stream_arn))
            {
                d.enable_kinesis(target, k).await.map_err(msg)?;
            }
            Ok(())
        }
        Setting::ContributorInsights => {
            let (Some(w), Some(h)) = (
                want.contributor_insights.value(),
                have.contributor_insights.value(),
            ) else {
                return Ok(());
            };
            let indexes = index_names(have);
            for i in w
                .iter()
                .filter(|i| !h.contains(i) && i.as_ref().is_none_or(|i| indexes.contains(i)))
            {
                d.set_contributor_insights(target, i.as_deref(), true)
                    .await
                    .map_err(msg)?;
            }
            Ok(())
        }
        Setting::AutoScaling => {
            let Some(w) = want.auto_scaling.value() else {
                return Ok(());
            };
            let indexes = index_names(have);
            let keep = |i: &Option<String>| i.as_ref().is_none_or(|i| indexes.contains(i));
            let only = crate::aws::scaling::AutoScaling {
                targets: w
                    .targets
                    .iter()
                    .filter(|t| keep(&t.index))
                    .cloned()
                    .collect(),
                policies: w
                    .policies
                    .iter()
                    .filter(|t| keep(&t.index))
                    .cloned()
                    .collect(),
                scheduled_actions: w
                    .scheduled_actions
                    .iter()
                    .filter(|t| keep(&t.index))
                    .cloned()
                    .collect(),
            };
            d.apply_auto_scaling(target, &only).await.map_err(msg)
        }
        Setting::Alarms => {
            let (Some(w), Some(h)) = (want.alarms.value(), have.alarms.value()) else {
                return Ok(());
            };
            for a in w.iter().filter(|a| !h.contains(a)) {
                d.put_alarm(a).await.map_err(msg)?;
            }
            Ok(())
        }
        Setting::DeletionProtection => match want.deletion_protection.value() {
            Some(on) => {
                settle(d, target, stop).await?;
                d.set_deletion_protection(target, *on).await.map_err(msg)
            }
            None => Ok(()),
        },
    }
}

fn index_names(r: &Record) -> Vec<String> {
    r.capacity
        .value()
        .map(|c| c.indexes.iter().map(|i| i.0.clone()).collect())
        .unwrap_or_default()
}

/// DynamoDB allows one TTL change per table in an hour: say when to retry.
fn ttl_refusal(e: AwsError) -> String {
    if e.message.contains("multiple times") || e.message.contains("within a fixed interval") {
        format!(
            "{} (DynamoDB allows one TTL change per table in an hour: run the command below \
             after that)",
            e.message
        )
    } else {
        e.message
    }
}

/// The command that sets `s` as recorded in `want` (for `want.table`), by hand.
pub fn fix_command(s: Setting, want: &Record) -> String {
    let t = &want.table;
    let arn = want
        .table_arn
        .clone()
        .unwrap_or_else(|| "<table ARN>".into());
    match s {
        Setting::Capacity => match want.capacity.value() {
            Some(c) if c.billing_mode == "PROVISIONED" => {
                let mut cmd = format!("aws dynamodb update-table --table-name {t} --billing-mode PROVISIONED");
                if let Some(p) = c.table.provisioned {
                    cmd.push_str(&format!(
                        " --provisioned-throughput ReadCapacityUnits={},WriteCapacityUnits={}",
                        p.read, p.write
                    ));
                }
                let idx: Vec<serde_json::Value> = c
                    .indexes
                    .iter()
                    .filter_map(|(n, u)| {
                        u.provisioned.map(|p| {
                            serde_json::json!({"Update": {"IndexName": n, "ProvisionedThroughput": {
                                "ReadCapacityUnits": p.read, "WriteCapacityUnits": p.write}}})
                        })
                    })
                    .collect();
                if !idx.is_empty() {
                    cmd.push_str(&format!(
                        " --global-secondary-index-updates '{}'",
                        serde_json::Value::Array(idx)
                    ));
                }
                cmd
            }
            Some(c) => {
                let mut cmd =
                    format!("aws dynamodb update-table --table-name {t} --billing-mode PAY_PER_REQUEST");
                if let Some(m) = c.table.on_demand_max {
                    cmd.push_str(&format!(
                        " --on-demand-throughput MaxReadRequestUnits={},MaxWriteRequestUnits={}",
                        m.read, m.write
                    ));
                }
                cmd
            }
            None => format!("aws dynamodb describe-table --table-name {t}"),
        },
        Setting::TableClass => format!(
            "aws dynamodb update-table --table-name {t} --table-class {}",
            want.table_class.value().cloned().unwrap_or_default()
        ),
        Setting::Stream => match want.stream.value().cloned().flatten() {
            Some(s) => format!(
                "aws dynamodb update-table --table-name {t} --stream-specification StreamEnabled=true,StreamViewType={}",
                s.view_type
            ),
            None => format!(
                "aws dynamodb update-table --table-name {t} --stream-specification StreamEnabled=false"
            ),
        },
        Setting::Ttl => match want.ttl.value().cloned().flatten() {
            Some(a) => format!(
                "aws dynamodb update-time-to-live --table-name {t} --time-to-live-specification Enabled=true,AttributeName={a}"
            ),
            None => format!("aws dynamodb describe-time-to-live --table-name {t}"),
        },
        Setting::PointInTimeRecovery => match want.point_in_time_recovery.value() {
            Some(p) if p.enabled => format!(
                "aws dynamodb update-continuous-backups --table-name {t} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays={}",
                p.recovery_period_in_days.unwrap_or(DEFAULT_RECOVERY_PERIOD)
            ),
            _ => format!(
                "aws dynamodb update-continuous-backups --table-name {t} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=false"
            ),
        },
        Setting::Tags => {
            let tags: Vec<String> = want
                .tags
                .value()
                .map(|x| {
                    x.user
                        .iter()
                        .map(|(k, v)| format!("Key={k},Value={v}"))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "aws dynamodb tag-resource --resource-arn {arn} --tags {}",
                tags.join(" ")
            )
        }
        Setting::ResourcePolicy => format!(
            "aws dynamodb put-resource-policy --resource-arn {arn} --policy file://policy.json (the policy is the record's resource_policy, in the JSON report)"
        ),
        Setting::KinesisStreamingDestinations => {
            let k = want
                .kinesis_streaming_destinations
                .value()
                .and_then(|k| k.first().map(|k| k.stream_arn.clone()))
                .unwrap_or_else(|| "<stream ARN>".into());
            format!(
                "aws dynamodb enable-kinesis-streaming-destination --table-name {t} --stream-arn {k} (for each destination in the record)"
            )
        }
        Setting::ContributorInsights => format!(
            "aws dynamodb update-contributor-insights --table-name {t} --contributor-insights-action ENABLE (add --index-name NAME for each index in the record)"
        ),
        Setting::AutoScaling => {
            let first = want
                .auto_scaling
                .value()
                .and_then(|a| a.targets.first().cloned());
            match first {
                Some(x) => format!(
                    "aws application-autoscaling register-scalable-target --service-namespace dynamodb --resource-id {} --scalable-dimension {} --min-capacity {} --max-capacity {} (for each target in the record, then put-scaling-policy and put-scheduled-action for its policies and schedules)",
                    crate::aws::scaling::resource_id(t, x.index.as_deref()),
                    x.dimension,
                    x.min_capacity,
                    x.max_capacity
                ),
                None => "aws application-autoscaling describe-scalable-targets --service-namespace dynamodb".into(),
            }
        }
        Setting::Alarms => {
            let first = want
                .alarms
                .value()
                .and_then(|a| a.first().map(|a| a.name.clone()))
                .unwrap_or_else(|| "<name>".into());
            format!(
                "aws cloudwatch put-metric-alarm --alarm-name {first} ... (for each alarm in the record: its fields are the put-metric-alarm options)"
            )
        }
        Setting::DeletionProtection => {
            if want.deletion_protection.value() == Some(&true) {
                format!("aws dynamodb update-table --table-name {t} --deletion-protection-enabled")
            } else {
                format!("aws dynamodb update-table --table-name {t} --no-deletion-protection-enabled")
            }
        }
    }
}

/// Reads the record of `table`, or fails naming every setting that could not be read.
pub async fn record_or_refuse(d: &Dynamo, table: &str, skip: &[Setting]) -> Result<Record, String> {
    let r = match record::read(d, table, skip).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(format!("table '{table}' does not exist")),
        Err(e) => return Err(e.message),
    };
    let bad = r.unreadable();
    if bad.is_empty() {
        return Ok(r);
    }
    let names: Vec<&str> = bad.iter().map(|(s, _)| s.name()).collect();
    Err(format!(
        "{}; grant the permission (or retry, if the error was transient), or pass {} to go on without {}",
        bad.iter()
            .map(|(s, w)| format!("{}: {w}", s.name()))
            .collect::<Vec<_>>()
            .join("; "),
        names
            .iter()
            .map(|n| format!("--skip-setting {n}"))
            .collect::<Vec<_>>()
            .join(" "),
        if names.len() == 1 { "it" } else { "them" }
    ))
}

/// Whether any setting failed.
pub fn any_failed(r: &[SettingResult]) -> bool {
    r.iter().any(SettingResult::failed)
}
