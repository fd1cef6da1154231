//! A table's settings record: every setting a restore does not carry (capacity as it is
//! now, table class, stream, TTL, point-in-time recovery with its period, tags, resource
//! policy, Kinesis streaming destinations, contributor insights, auto scaling, alarms,
//! deletion protection), read from a live table, saved as JSON, and compared with another
//! table's to say which settings match.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aws::alarms::Alarm;
use crate::aws::scaling::AutoScaling;
use crate::aws::settings::{Capacity, KinesisDestination, Pitr, Stream, Units, UnitsOf};
use crate::aws::Dynamo;
use crate::error::AwsError;
use crate::model::Setting;

/// DynamoDB's default point-in-time recovery period, in days.
pub const DEFAULT_RECOVERY_PERIOD: i32 = 35;

/// One setting as recorded: its value, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", content = "value", rename_all = "snake_case")]
pub enum Item<T> {
    Recorded(T),
    /// Not read: `--skip-setting`.
    Skipped,
    /// Could not be read (the reason, e.g. a missing permission).
    Unreadable(String),
}

impl<T> Item<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Item::Recorded(v) => Some(v),
            _ => None,
        }
    }

    fn from(r: Result<T, AwsError>) -> Item<T> {
        match r {
            Ok(v) => Item::Recorded(v),
            Err(e) => Item::Unreadable(e.message),
        }
    }
}

/// A table's tags: the user's (copied) and the reserved `aws:` ones (DynamoDB refuses to
/// set them; reported, never copied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tags {
    pub user: Vec<(String, String)>,
    #[serde(default)]
    pub system: Vec<(String, String)>,
}

/// The record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub table: String,
    pub table_arn: Option<String>,
    pub region: String,
    pub recorded_at: DateTime<Utc>,
    pub capacity: Item<Capacity>,
    pub table_class: Item<String>,
    /// The stream's view type (and ARN) when a stream is on.
    pub stream: Item<Option<Stream>>,
    /// The TTL attribute when TTL is on.
    pub ttl: Item<Option<String>>,
    pub point_in_time_recovery: Item<Pitr>,
    pub tags: Item<Tags>,
    /// The resource-based policy document, when the table has one.
    pub resource_policy: Item<Option<String>>,
    pub kinesis_streaming_destinations: Item<Vec<KinesisDestination>>,
    /// Where contributor insights are on: `null` for the table, else a GSI's name.
    pub contributor_insights: Item<Vec<Option<String>>>,
    pub auto_scaling: Item<AutoScaling>,
    pub alarms: Item<Vec<Alarm>>,
    pub deletion_protection: Item<bool>,
}

fn skip_or<T>(skip: &[Setting], s: Setting) -> Option<Item<T>> {
    skip.contains(&s).then_some(Item::Skipped)
}

/// Reads the record of `table`; `Ok(None)` when the table does not exist. A setting that
/// cannot be read is `Unreadable` (the caller decides whether that stops it); a setting in
/// `skip` is not read at all.
pub async fn read(d: &Dynamo, table: &str, skip: &[Setting]) -> Result<Option<Record>, AwsError> {
    let Some(desc) = d.described(table).await? else {
        return Ok(None);
    };
    let arn = desc.arn.clone();
    let indexes: Vec<String> = desc.capacity.indexes.iter().map(|i| i.0.clone()).collect();
    let tags = match skip_or(skip, Setting::Tags) {
        Some(s) => s,
        None => match &arn {
            Some(a) => Item::from(d.list_tags(a).await.map(|all| {
                let (system, user) = all
                    .into_iter()
                    .partition(|(k, _)| k.to_ascii_lowercase().starts_with("aws:"));
                Tags { user, system }
            })),
            None => Item::Unreadable("the table's ARN is unknown".into()),
        },
    };
    let resource_policy = match skip_or(skip, Setting::ResourcePolicy) {
        Some(s) => s,
        None => match &arn {
            Some(a) => Item::from(d.resource_policy(a).await),
            None => Item::Unreadable("the table's ARN is unknown".into()),
        },
    };
    let contributor_insights = match skip_or(skip, Setting::ContributorInsights) {
        Some(s) => s,
        None => {
            let mut on = Vec::new();
            let mut failed = None;
            for index in std::iter::once(None).chain(indexes.iter().map(Some)) {
                match d
                    .contributor_insights(table, index.map(String::as_str))
                    .await
                {
                    Ok(true) => on.push(index.cloned()),
                    Ok(false) => {}
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match failed {
                Some(e) => Item::Unreadable(e.message),
                None => Item::Recorded(on),
            }
        }
    };
    Ok(Some(Record {
        table: table.to_string(),
        table_arn: arn,
        region: d.region().to_string(),
        recorded_at: chrono::SubsecRound::trunc_subsecs(Utc::now(), 3),
        capacity: skip_or(skip, Setting::Capacity)
            .unwrap_or_else(|| Item::Recorded(desc.capacity.clone())),
        table_class: skip_or(skip, Setting::TableClass)
            .unwrap_or_else(|| Item::Recorded(desc.table_class.clone())),
        stream: skip_or(skip, Setting::Stream)
            .unwrap_or_else(|| Item::Recorded(desc.stream.clone())),
        ttl: match skip_or(skip, Setting::Ttl) {
            Some(s) => s,
            None => Item::from(d.ttl_attribute(table).await),
        },
        point_in_time_recovery: match skip_or(skip, Setting::PointInTimeRecovery) {
            Some(s) => s,
            None => Item::from(d.pitr(table).await),
        },
        tags,
        resource_policy,
        kinesis_streaming_destinations: match skip_or(skip, Setting::KinesisStreamingDestinations) {
            Some(s) => s,
            None => Item::from(d.kinesis_destinations(table).await),
        },
        contributor_insights,
        auto_scaling: match skip_or(skip, Setting::AutoScaling) {
            Some(s) => s,
            None => Item::from(d.auto_scaling_of(table).await),
        },
        alarms: match skip_or(skip, Setting::Alarms) {
            Some(s) => s,
            None => Item::from(d.alarms_of(table).await),
        },
        deletion_protection: skip_or(skip, Setting::DeletionProtection)
            .unwrap_or(Item::Recorded(desc.deletion_protection)),
    }))
}

impl Record {
    /// The settings that could not be read, with why.
    pub fn unreadable(&self) -> Vec<(Setting, String)> {
        Setting::ALL
            .into_iter()
            .filter_map(|s| self.why_unreadable(s).map(|w| (s, w.to_string())))
            .collect()
    }

    /// The settings `--skip-setting` left out.
    pub fn skipped(&self) -> Vec<Setting> {
        Setting::ALL
            .into_iter()
            .filter(|s| self.is_skipped(*s))
            .collect()
    }

    fn why_unreadable(&self, s: Setting) -> Option<&str> {
        fn why<T>(i: &Item<T>) -> Option<&str> {
            match i {
                Item::Unreadable(w) => Some(w),
                _ => None,
            }
        }
        match s {
            Setting::Capacity => why(&self.capacity),
            Setting::TableClass => why(&self.table_class),
            Setting::Stream => why(&self.stream),
            Setting::Ttl => why(&self.ttl),
            Setting::PointInTimeRecovery => why(&self.point_in_time_recovery),
            Setting::Tags => why(&self.tags),
            Setting::ResourcePolicy => why(&self.resource_policy),
            Setting::KinesisStreamingDestinations => why(&self.kinesis_streaming_destinations),
            Setting::ContributorInsights => why(&self.contributor_insights),
            Setting::AutoScaling => why(&self.auto_scaling),
            Setting::Alarms => why(&self.alarms),
            Setting::DeletionProtection => why(&self.deletion_protection),
        }
    }

    fn is_skipped(&self, s: Setting) -> bool {
        fn sk<T>(i: &Item<T>) -> bool {
            matches!(i, Item::Skipped)
        }
        match s {
            Setting::Capacity => sk(&self.capacity),
            Setting::TableClass => sk(&self.table_class),
            Setting::Stream => sk(&self.stream),
            Setting::Ttl => sk(&self.ttl),
            Setting::PointInTimeRecovery => sk(&self.point_in_time_recovery),
            Setting::Tags => sk(&self.tags),
            Setting::ResourcePolicy => sk(&self.resource_policy),
            Setting::KinesisStreamingDestinations => sk(&self.kinesis_streaming_destinations),
            Setting::ContributorInsights => sk(&self.contributor_insights),
            Setting::AutoScaling => sk(&self.auto_scaling),
            Setting::Alarms => sk(&self.alarms),
            Setting::DeletionProtection => sk(&self.deletion_protection),
        }
    }

    /// What one recorded setting is, for a person (`None` when not recorded).
    pub fn describe(&self, s: Setting) -> Option<String> {
        Some(match s {
            Setting::Capacity => describe_capacity(self.capacity.value()?),
            Setting::TableClass => self.table_class.value()?.clone(),
            Setting::Stream => match self.stream.value()? {
                Some(st) => format!("on ({})", st.view_type),
                None => "off".into(),
            },
            Setting::Ttl => match self.ttl.value()? {
                Some(a) => format!("on attribute '{a}'"),
                None => "off".into(),
            },
            Setting::PointInTimeRecovery => {
                let p = self.point_in_time_recovery.value()?;
                if p.enabled {
                    format!(
                        "on, recovery period {} days",
                        p.recovery_period_in_days.unwrap_or(DEFAULT_RECOVERY_PERIOD)
                    )
                } else {
                    "off".into()
                }
            }
            Setting::Tags => {
                let t = self.tags.value()?;
                let user: Vec<String> = t.user.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let mut s = if user.is_empty() {
                    "none".to_string()
                } else {
                    user.join(",")
                };
                if !t.system.is_empty() {
                    s.push_str(&format!(
                        "; {} ({}) skipped: DynamoDB reserves the aws: prefix",
                        crate::error::count(t.system.len(), "system tag", "system tags"),
                        t.system
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                s
            }
            Setting::ResourcePolicy => match self.resource_policy.value()? {
                Some(p) => format!("a policy of {} characters", p.chars().count()),
                None => "none".into(),
            },
            Setting::KinesisStreamingDestinations => {
                let k = self.kinesis_streaming_destinations.value()?;
                if k.is_empty() {
                    "none".into()
                } else {
                    k.iter()
                        .map(|d| d.stream_arn.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            }
            Setting::ContributorInsights => {
                let c = self.contributor_insights.value()?;
                if c.is_empty() {
                    "off".into()
                } else {
                    c.iter()
                        .map(|i| match i {
                            None => "table".to_string(),
                            Some(i) => format!("index {i}"),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            }
            Setting::AutoScaling => {
                let a = self.auto_scaling.value()?;
                format!(
                    "{}, {}, {}",
                    crate::error::count(a.targets.len(), "scalable target", "scalable targets"),
                    crate::error::count(a.policies.len(), "policy", "policies"),
                    crate::error::count(
                        a.scheduled_actions.len(),
                        "scheduled action",
                        "scheduled actions"
                    )
                )
            }
            Setting::Alarms => {
                let a = self.alarms.value()?;
                if a.is_empty() {
                    "none".into()
                } else {
                    a.iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            }
            Setting::DeletionProtection => {
                if *self.deletion_protection.value()? {
                    "on".into()
                } else {
                    "off".into()
                }
            }
        })
    }

    /// The whole record on one line.
    pub fn summary(&self) -> String {
        Setting::ALL
            .into_iter()
            .map(|s| match (self.describe(s), self.why_unreadable(s)) {
                (Some(d), _) => format!("{}: {d}", s.name()),
                (None, Some(w)) => format!("{}: unreadable ({w})", s.name()),
                (None, None) => format!("{}: skipped", s.name()),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn describe_units(u: &UnitsOf) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = u.provisioned {
        out.push(format!("provisioned {p}"));
    }
    if let Some(m) = u.on_demand_max {
        out.push(format!("on-demand maximum {m}"));
    }
    if let Some(w) = u.warm {
        out.push(format!("warm {w}"));
    }
    out
}

fn describe_capacity(c: &Capacity) -> String {
    let mut parts = vec![c.billing_mode.clone()];
    parts.extend(describe_units(&c.table));
    for (name, u) in &c.indexes {
        let d = describe_units(u);
        if !d.is_empty() {
            parts.push(format!("index {name}: {}", d.join(", ")));
        }
    }
    parts.join(", ")
}

/// What the record means for another table: its ARNs (in the resource policy) and its
/// alarms (dimension and name) rewritten for `target`. Alarms are kept only when they
/// carry over: the same table (they watch its name), or `copy_alarms`.
pub fn for_target(
    r: &Record,
    target: &str,
    target_arn: Option<&str>,
    copy_alarms: bool,
    alarm_actions: bool,
) -> Record {
    // The same table: the same name and, when both are known, the same ARN (a table of
    // the same name in another region or account is another table).
    let same = r.table == target
        && match (&r.table_arn, target_arn) {
            (Some(from), Some(to)) => from == to,
            _ => true,
        };
    let mut out = r.clone();
    out.table = target.to_string();
    out.table_arn = target_arn.map(str::to_string).or(out.table_arn);
    if !same {
        if let (Item::Recorded(Some(p)), Some(from), Some(to)) =
            (&r.resource_policy, &r.table_arn, target_arn)
        {
            out.resource_policy = Item::Recorded(Some(rewrite_arns(p, from, to)));
        }
        out.alarms = match &r.alarms {
            Item::Recorded(a) if copy_alarms => Item::Recorded(
                a.iter()
                    .map(|x| x.for_table(target, alarm_actions))
                    .collect(),
            ),
            Item::Recorded(_) => Item::Recorded(Vec::new()),
            other => other.clone(),
        };
    }
    out
}

/// `policy` with the table ARN `from` (and its index and stream ARNs) made `to`'s. A
/// stream ARN's label is the old stream's: it becomes a wildcard-free `to/stream/*` only if
/// it named a stream, since the new table's stream has another label.
pub fn rewrite_arns(policy: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(policy.len());
    let mut rest = policy;
    while let Some(i) = rest.find(from) {
        let after = &rest[i + from.len()..];
        // Only the whole ARN: followed by the end of a JSON string or a sub-resource.
        let whole = after.starts_with('"') || after.starts_with('/');
        out.push_str(&rest[..i]);
        if whole {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn pitr_norm(p: &Pitr) -> Pitr {
    Pitr {
        enabled: p.enabled,
        recovery_period_in_days: p
            .enabled
            .then(|| p.recovery_period_in_days.unwrap_or(DEFAULT_RECOVERY_PERIOD)),
    }
}

fn warm_ok(want: Option<Units>, have: Option<Units>) -> bool {
    match (want, have) {
        (None, _) => true,
        (Some(w), Some(h)) => h.read >= w.read && h.write >= w.write,
        (Some(_), None) => false,
    }
}

fn units_match(want: &UnitsOf, have: &UnitsOf, provisioned: bool) -> bool {
    (!provisioned || want.provisioned == have.provisioned)
        && (provisioned || want.on_demand_max == have.on_demand_max)
        && warm_ok(want.warm, have.warm)
}

/// Whether the capacity `have` is what `want` records (for the indexes `have` has).
pub fn capacity_matches(want: &Capacity, have: &Capacity) -> bool {
    let provisioned = want.billing_mode == "PROVISIONED";
    want.billing_mode == have.billing_mode
        && units_match(&want.table, &have.table, provisioned)
        && have.indexes.iter().all(|(name, h)| {
            want.indexes
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, w)| units_match(w, h, provisioned))
        })
}

fn policy_eq(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Auto scaling without what DynamoDB chooses itself (the service-linked role), limited to
/// the indexes `indexes` (the table's own targets always).
pub fn scaling_norm(a: &AutoScaling, indexes: &[String]) -> AutoScaling {
    let keep = |i: &Option<String>| i.as_ref().is_none_or(|i| indexes.contains(i));
    AutoScaling {
        targets: a
            .targets
            .iter()
            .filter(|t| keep(&t.index))
            .map(|t| crate::aws::scaling::ScalableTarget {
                role_arn: None,
                ..t.clone()
            })
            .collect(),
        policies: a
            .policies
            .iter()
            .filter(|p| keep(&p.index))
            .cloned()
            .collect(),
        scheduled_actions: a
            .scheduled_actions
            .iter()
            .filter(|s| keep(&s.index))
            .cloned()
            .collect(),
    }
}

/// Whether setting `s` of the table recorded in `have` is what `want` records (both for the
/// same table: see `for_target`). `None` when either side has no value for it.
pub fn matches(s: Setting, want: &Record, have: &Record) -> Option<bool> {
    let indexes: Vec<String> = have
        .capacity
        .value()
        .map(|c| c.indexes.iter().map(|i| i.0.clone()).collect())
        .unwrap_or_default();
    Some(match s {
        Setting::Capacity => capacity_matches(want.capacity.value()?, have.capacity.value()?),
        Setting::TableClass => want.table_class.value()? == have.table_class.value()?,
        Setting::Stream => {
            want.stream.value()?.as_ref().map(|s| &s.view_type)
                == have.stream.value()?.as_ref().map(|s| &s.view_type)
        }
        Setting::Ttl => want.ttl.value()? == have.ttl.value()?,
        Setting::PointInTimeRecovery => {
            pitr_norm(want.point_in_time_recovery.value()?)
                == pitr_norm(have.point_in_time_recovery.value()?)
        }
        Setting::Tags => {
            let h = &have.tags.value()?.user;
            want.tags.value()?.user.iter().all(|t| h.contains(t))
        }
        Setting::ResourcePolicy => {
            match (want.resource_policy.value()?, have.resource_policy.value()?) {
                (None, _) => true,
                (Some(w), Some(h)) => policy_eq(w, h),
                (Some(_), None) => false,
            }
        }
        Setting::KinesisStreamingDestinations => {
            let h = have.kinesis_streaming_destinations.value()?;
            want.kinesis_streaming_destinations
                .value()?
                .iter()
                .all(|w| h.iter().any(|x| x.stream_arn == w.stream_arn))
        }
        Setting::ContributorInsights => {
            let h = have.contributor_insights.value()?;
            want.contributor_insights
                .value()?
                .iter()
                .filter(|i| i.as_ref().is_none_or(|i| indexes.contains(i)))
                .all(|i| h.contains(i))
        }
        Setting::AutoScaling => {
            scaling_norm(want.auto_scaling.value()?, &indexes)
                == scaling_norm(have.auto_scaling.value()?, &indexes)
        }
        Setting::Alarms => {
            let h = have.alarms.value()?;
            want.alarms.value()?.iter().all(|w| h.contains(w))
        }
        Setting::DeletionProtection => {
            want.deletion_protection.value()? == have.deletion_protection.value()?
        }
    })
}

/// How `have` differs from `want`, one line per setting that differs (for reports).
pub fn differences(want: &Record, have: &Record) -> Vec<String> {
    Setting::ALL
        .into_iter()
        .filter_map(|s| match matches(s, want, have) {
            Some(true) => None,
            Some(false) => Some(format!(
                "{}: {} on '{}', {} on '{}'",
                s.name(),
                want.describe(s).unwrap_or_default(),
                want.table,
                have.describe(s).unwrap_or_default(),
                have.table
            )),
            None => Some(format!("{}: unknown (not recorded on both)", s.name())),
        })
        .collect()
}

/// Reads a saved record: a record itself, or a report holding one under `record`.
pub fn parse_saved(text: &str) -> Result<Record, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let doc = match v.get("record") {
        Some(r) if !r.is_null() => r.clone(),
        _ => v,
    };
    serde_json::from_value(doc)
        .map_err(|e| format!("not a settings record (nor a report holding one): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_table_of_the_same_name_in_another_region_is_another_table() {
        let mut r = sample();
        r.resource_policy = Item::Recorded(Some(format!(
            "{{\"Resource\":\"{}\"}}",
            r.table_arn.clone().unwrap()
        )));
        let west = "arn:aws:dynamodb:us-west-2:123456789012:table/orders";
        let out = for_target(&r, "orders", Some(west), false, false);
        match &out.resource_policy {
            Item::Recorded(Some(p)) => assert!(p.contains(west) && !p.contains("us-east-1"), "{p}"),
            other => panic!("{other:?}"),
        }
        // The same table (a replace) keeps its policy as it is.
        let same = for_target(&r, "orders", r.table_arn.as_deref(), false, false);
        assert_eq!(same.resource_policy, r.resource_policy);
    }

    fn sample() -> Record {
        Record {
            table: "orders".into(),
            table_arn: Some("arn:aws:dynamodb:us-east-1:123456789012:table/orders".into()),
            region: "us-east-1".into(),
            recorded_at: DateTime::parse_from_rfc3339("2026-11-23T09:17:03Z")
                .unwrap()
                .to_utc(),
            capacity: Item::Recorded(Capacity {
                billing_mode: "PROVISIONED".into(),
                table: UnitsOf {
                    provisioned: Some(Units { read: 5, write: 5 }),
                    ..Default::default()
                },
                indexes: vec![(
                    "by-status".into(),
                    UnitsOf {
                        provisioned: Some(Units {
                            read: 30,
                            write: 20,
                        }),
                        ..Default::default()
                    },
                )],
            }),
            table_class: Item::Recorded("STANDARD_INFREQUENT_ACCESS".into()),
            stream: Item::Recorded(None),
            ttl: Item::Recorded(Some("expires".into())),
            point_in_time_recovery: Item::Recorded(Pitr {
                enabled: true,
                recovery_period_in_days: Some(7),
            }),
            tags: Item::Recorded(Tags {
                user: vec![("team".into(), "payments".into())],
                system: vec![("aws:cloudformation:stack-name".into(), "s".into())],
            }),
            resource_policy: Item::Recorded(Some(
                r#"{"Resource":["arn:aws:dynamodb:us-east-1:123456789012:table/orders","arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*","arn:aws:dynamodb:us-east-1:123456789012:table/orders2"]}"#.into(),
            )),
            kinesis_streaming_destinations: Item::Recorded(vec![]),
            contributor_insights: Item::Recorded(vec![None]),
            auto_scaling: Item::Unreadable("AccessDenied".into()),
            alarms: Item::Skipped,
            deletion_protection: Item::Recorded(true),
        }
    }

    #[test]
    fn a_record_survives_json_and_a_report_holding_it() {
        let r = sample();
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(parse_saved(&text).unwrap(), r);
        let report = serde_json::json!({"command": "restore", "record": r}).to_string();
        assert_eq!(parse_saved(&report).unwrap(), r);
        assert!(parse_saved("{\"command\": \"restore\"}").is_err());
        assert_eq!(r.unreadable().len(), 1);
        assert_eq!(r.skipped(), vec![Setting::Alarms]);
    }

    #[test]
    fn only_the_tables_own_arns_are_rewritten() {
        let r = sample();
        let t = for_target(
            &r,
            "orders-copy",
            Some("arn:aws:dynamodb:us-east-1:123456789012:table/orders-copy"),
            false,
            false,
        );
        let p = t.resource_policy.value().unwrap().clone().unwrap();
        assert!(p.contains("table/orders-copy\""), "{p}");
        assert!(p.contains("table/orders-copy/index/*"), "{p}");
        assert!(
            p.contains("table/orders2\""),
            "another table's ARN stays: {p}"
        );
        assert!(!p.contains("table/orders\""), "{p}");
    }

    #[test]
    fn a_pitr_window_of_35_days_is_the_default_and_7_is_not() {
        let mut a = sample();
        let mut b = sample();
        b.point_in_time_recovery = Item::Recorded(Pitr {
            enabled: true,
            recovery_period_in_days: None,
        });
        assert_eq!(
            matches(Setting::PointInTimeRecovery, &a, &b),
            Some(false),
            "7 days is not the default 35"
        );
        a.point_in_time_recovery = Item::Recorded(Pitr {
            enabled: true,
            recovery_period_in_days: Some(35),
        });
        assert_eq!(matches(Setting::PointInTimeRecovery, &a, &b), Some(true));
    }

    #[test]
    fn index_capacity_changed_after_the_backup_is_a_difference() {
        let want = sample();
        let mut have = sample();
        if let Item::Recorded(c) = &mut have.capacity {
            c.indexes[0].1.provisioned = Some(Units { read: 5, write: 5 });
        }
        assert_eq!(matches(Setting::Capacity, &want, &have), Some(false));
        let d = differences(&want, &have);
        assert!(d.iter().any(|l| l.starts_with("capacity:")), "{d:?}");
        // Unknown settings are named, never silently equal.
        assert!(
            d.iter().any(|l| l.starts_with("auto_scaling: unknown")),
            "{d:?}"
        );
    }

    proptest! {
        #[test]
        fn a_record_matches_itself_for_any_table_name(name in "[a-zA-Z0-9_.-]{3,40}") {
            let r = sample();
            let arn = format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}");
            let t = for_target(&r, &name, Some(&arn), true, false);
            for s in Setting::ALL {
                prop_assert!(matches(s, &t, &t) != Some(false), "{}", s.name());
            }
            // Rewriting there and back is the identity on the policy.
            let back = for_target(&t, "orders", r.table_arn.as_deref(), false, false);
            // (unless the new name is that of another table the policy names)
            if name != "orders" && name != "orders2" {
                prop_assert_eq!(back.resource_policy.value(), r.resource_policy.value());
            }
        }
    }
}
