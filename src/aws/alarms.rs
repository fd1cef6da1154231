//! CloudWatch metric alarms on a table's metrics (dimension `TableName`): read to be
//! recorded, and put again for another table. A restore carries none of them.

use aws_sdk_cloudwatch::types as c;
use serde::{Deserialize, Serialize};

use super::pacing::Cursor;
use super::{errors, Dynamo};
use crate::error::{AwsError, AwsErrorKind};

/// CloudWatch's longest alarm name.
pub const MAX_ALARM_NAME: usize = 255;

/// A metric alarm on one metric of a table (not metric math), with everything
/// PutMetricAlarm needs to make it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    /// (name, value) in CloudWatch's order; one of them is ("TableName", the table).
    pub dimensions: Vec<(String, String)>,
    pub statistic: Option<String>,
    pub extended_statistic: Option<String>,
    /// Seconds.
    pub period: Option<i32>,
    pub evaluation_periods: Option<i32>,
    pub datapoints_to_alarm: Option<i32>,
    pub threshold: Option<f64>,
    pub comparison_operator: Option<String>,
    pub treat_missing_data: Option<String>,
    /// For percentile statistics: `evaluate` or `ignore`.
    #[serde(default)]
    pub evaluate_low_sample_count_percentile: Option<String>,
    pub unit: Option<String>,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
}

impl Alarm {
    /// The same alarm on `new_table`'s metric: its `TableName` dimension names the new
    /// table, its name is suffixed `-<new_table>` (its start cut so the whole stays within
    /// CloudWatch's 255 characters), and its actions are disabled unless `keep_actions`
    /// (an alarm on a copy should not page anyone by surprise); the action lists are kept,
    /// so enabling them later is enough.
    pub fn for_table(&self, new_table: &str, keep_actions: bool) -> Alarm {
        let suffix = format!("-{new_table}");
        let room = MAX_ALARM_NAME.saturating_sub(suffix.chars().count());
        let name: String = self
            .name
            .chars()
            .take(room)
            .chain(suffix.chars())
            .take(MAX_ALARM_NAME)
            .collect();
        Alarm {
            name,
            dimensions: self
                .dimensions
                .iter()
                .map(|(k, v)| {
                    let v = if k == "TableName" {
                        new_table
                    } else {
                        v.as_str()
                    };
                    (k.clone(), v.to_string())
                })
                .collect(),
            actions_enabled: self.actions_enabled && keep_actions,
            ..self.clone()
        }
    }
}

fn names_table(dims: &[c::Dimension], table: &str) -> bool {
    dims.iter()
        .any(|d| d.name() == Some("TableName") && d.value() == Some(table))
}

/// An alarm Application Auto Scaling made for a target tracking policy: it comes back
/// with the policy, so it is not recorded on its own.
fn made_by_auto_scaling(a: &c::MetricAlarm) -> bool {
    a.alarm_name()
        .is_some_and(|n| n.starts_with("TargetTracking-"))
        && a.alarm_actions()
            .iter()
            .any(|x| x.contains(":scalingPolicy:"))
}

fn alarm_of(table: &str, a: &c::MetricAlarm) -> Result<Alarm, AwsError> {
    let name = a.alarm_name().unwrap_or_default().to_string();
    if !a.metrics().is_empty()
        || a.threshold_metric_id().is_some()
        || a.evaluation_criteria().is_some()
        || a.evaluation_window().is_some()
        || a.warm_up_configuration().is_some()
        || a.action_configuration().is_some()
    {
        return Err(AwsError {
            kind: AwsErrorKind::Validation,
            operation: "DescribeAlarms",
            message: format!(
                "the CloudWatch alarm '{name}' on table '{table}' uses metric math or settings \
                 that ddb-backup cannot record (only alarms on one metric are carried); set it \
                 up by hand"
            ),
        });
    }
    Ok(Alarm {
        name,
        namespace: a.namespace().map(str::to_string),
        metric_name: a.metric_name().map(str::to_string),
        dimensions: a
            .dimensions()
            .iter()
            .map(|d| {
                (
                    d.name().unwrap_or_default().to_string(),
                    d.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        statistic: a.statistic().map(|s| s.as_str().to_string()),
        extended_statistic: a.extended_statistic().map(str::to_string),
        period: a.period(),
        evaluation_periods: a.evaluation_periods(),
        datapoints_to_alarm: a.datapoints_to_alarm(),
        threshold: a.threshold(),
        comparison_operator: a.comparison_operator().map(|o| o.as_str().to_string()),
        treat_missing_data: a.treat_missing_data().map(str::to_string),
        evaluate_low_sample_count_percentile: a
            .evaluate_low_sample_count_percentile()
            .map(str::to_string),
        unit: a.unit().map(|u| u.as_str().to_string()),
        description: a.alarm_description().map(str::to_string),
        actions_enabled: a.actions_enabled().unwrap_or(true),
        alarm_actions: a.alarm_actions().to_vec(),
        ok_actions: a.ok_actions().to_vec(),
        insufficient_data_actions: a.insufficient_data_actions().to_vec(),
    })
}

impl Dynamo {
    /// The metric alarms of the region (DescribeAlarms, every page) with a dimension
    /// `TableName` equal to `table`, in CloudWatch's order (by name). The alarms of target
    /// tracking policies are left to [`Dynamo::auto_scaling_of`]; an alarm on the table
    /// that cannot be recorded faithfully (metric math) is an error naming it.
    pub async fn alarms_of(&self, table: &str) -> Result<Vec<Alarm>, AwsError> {
        let mut out = Vec::new();
        let mut cursor = Cursor::new("DescribeAlarms", table);
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call("DescribeAlarms", false, || async {
                    self.cloudwatch
                        .describe_alarms()
                        .alarm_types(c::AlarmType::MetricAlarm)
                        .max_records(100)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("DescribeAlarms", table, e))
                })
                .await?;
            for a in page.metric_alarms() {
                let inner = a.metrics().iter().any(|m| {
                    m.metric_stat()
                        .and_then(|s| s.metric())
                        .is_some_and(|m| names_table(m.dimensions(), table))
                });
                if (names_table(a.dimensions(), table) || inner) && !made_by_auto_scaling(a) {
                    out.push(alarm_of(table, a)?);
                }
            }
            match cursor.advance(page.next_token().filter(|t| !t.is_empty()))? {
                Some(next) => token = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Creates (or replaces: PutMetricAlarm is an upsert by name) the alarm.
    pub async fn put_alarm(&self, alarm: &Alarm) -> Result<(), AwsError> {
        let dimensions: Vec<c::Dimension> = alarm
            .dimensions
            .iter()
            .map(|(k, v)| c::Dimension::builder().name(k).value(v).build())
            .collect();
        self.call("PutMetricAlarm", true, || async {
            self.cloudwatch
                .put_metric_alarm()
                .alarm_name(&alarm.name)
                .set_namespace(alarm.namespace.clone())
                .set_metric_name(alarm.metric_name.clone())
                .set_dimensions(Some(dimensions.clone()))
                .set_statistic(alarm.statistic.as_deref().map(c::Statistic::from))
                .set_extended_statistic(alarm.extended_statistic.clone())
                .set_period(alarm.period)
                .set_evaluation_periods(alarm.evaluation_periods)
                .set_datapoints_to_alarm(alarm.datapoints_to_alarm)
                .set_threshold(alarm.threshold)
                .set_comparison_operator(
                    alarm
                        .comparison_operator
                        .as_deref()
                        .map(c::ComparisonOperator::from),
                )
                .set_treat_missing_data(alarm.treat_missing_data.clone())
                .set_evaluate_low_sample_count_percentile(
                    alarm.evaluate_low_sample_count_percentile.clone(),
                )
                .set_unit(alarm.unit.as_deref().map(c::StandardUnit::from))
                .set_alarm_description(alarm.description.clone())
                .actions_enabled(alarm.actions_enabled)
                .set_alarm_actions(Some(alarm.alarm_actions.clone()))
                .set_ok_actions(Some(alarm.ok_actions.clone()))
                .set_insufficient_data_actions(Some(alarm.insufficient_data_actions.clone()))
                .send()
                .await
                .map_err(|e| errors::map("PutMetricAlarm", &alarm.name, e))
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
    use aws_sdk_cloudwatch::Client;
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
    use proptest::prelude::*;

    use super::*;
    use crate::aws::tests::dynamo;

    fn with_cloudwatch(rules: &[&Rule]) -> Dynamo {
        let mut d = dynamo(&[]);
        d.cloudwatch = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, rules, |c| c
            .retry_config(aws_sdk_cloudwatch::config::retry::RetryConfig::disabled()));
        d
    }

    fn sample() -> Alarm {
        Alarm {
            name: "orders-throttled".into(),
            namespace: Some("AWS/DynamoDB".into()),
            metric_name: Some("ThrottledRequests".into()),
            dimensions: vec![
                ("TableName".into(), "orders".into()),
                ("Operation".into(), "PutItem".into()),
            ],
            statistic: Some("Sum".into()),
            extended_statistic: None,
            period: Some(60),
            evaluation_periods: Some(3),
            datapoints_to_alarm: Some(2),
            threshold: Some(1.0),
            comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
            treat_missing_data: Some("notBreaching".into()),
            evaluate_low_sample_count_percentile: None,
            unit: Some("Count".into()),
            description: Some("writes throttled".into()),
            actions_enabled: true,
            alarm_actions: vec!["arn:aws:sns:us-east-1:123456789012:pager".into()],
            ok_actions: vec![],
            insufficient_data_actions: vec![],
        }
    }

    #[test]
    fn for_table_renames_the_dimension_and_the_alarm_and_disables_actions() {
        let copy = sample().for_table("orders-copy", false);
        assert_eq!(copy.name, "orders-throttled-orders-copy");
        assert_eq!(
            copy.dimensions,
            [
                ("TableName".to_string(), "orders-copy".to_string()),
                ("Operation".to_string(), "PutItem".to_string())
            ]
        );
        assert!(!copy.actions_enabled);
        assert_eq!(
            copy.alarm_actions,
            sample().alarm_actions,
            "kept, only disabled"
        );
        assert_eq!(copy.threshold, Some(1.0));
        assert!(sample().for_table("orders-copy", true).actions_enabled);
        let mut off = sample();
        off.actions_enabled = false;
        assert!(
            !off.for_table("x", true).actions_enabled,
            "never enabled by the copy"
        );
    }

    proptest! {
        #[test]
        fn for_table_names_stay_within_cloudwatchs_limit_and_end_with_the_table(
            name in "[a-zA-Z0-9 é_-]{1,255}",
            table in "[a-zA-Z0-9_.-]{3,255}",
        ) {
            let mut a = sample();
            a.name = name.clone();
            let copy = a.for_table(&table, false);
            prop_assert!(copy.name.chars().count() <= MAX_ALARM_NAME);
            let suffix = format!("-{table}");
            if suffix.chars().count() <= MAX_ALARM_NAME {
                prop_assert!(copy.name.ends_with(&suffix));
                let kept = copy.name.chars().count() - suffix.chars().count();
                prop_assert!(name.starts_with(&copy.name.chars().take(kept).collect::<String>()));
                if name.chars().count() + suffix.chars().count() <= MAX_ALARM_NAME {
                    prop_assert_eq!(copy.name, format!("{name}{suffix}"));
                }
            }
        }
    }

    fn metric_alarm(name: &str, table: &str) -> c::MetricAlarm {
        c::MetricAlarm::builder()
            .alarm_name(name)
            .namespace("AWS/DynamoDB")
            .metric_name("ConsumedReadCapacityUnits")
            .dimensions(
                c::Dimension::builder()
                    .name("TableName")
                    .value(table)
                    .build(),
            )
            .statistic(c::Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(5.0)
            .comparison_operator(c::ComparisonOperator::GreaterThanThreshold)
            .build()
    }

    #[tokio::test]
    async fn alarms_of_a_table_are_those_naming_it_exactly_on_every_page() {
        let p1 = mock!(Client::describe_alarms)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(metric_alarm("a", "orders"))
                    .metric_alarms(metric_alarm("b", "orders2"))
                    .next_token("more")
                    .build()
            });
        let p2 = mock!(Client::describe_alarms)
            .match_requests(|r| r.next_token() == Some("more"))
            .then_output(|| {
                let managed = c::MetricAlarm::builder()
                    .alarm_name("TargetTracking-table/orders-AlarmHigh-1")
                    .alarm_actions("arn:aws:autoscaling:us-east-1:1:scalingPolicy:x:resource/dynamodb/table/orders:policyName/p")
                    .dimensions(c::Dimension::builder().name("TableName").value("orders").build())
                    .build();
                DescribeAlarmsOutput::builder()
                    .metric_alarms(metric_alarm("c", "order"))
                    .metric_alarms(managed)
                    .metric_alarms(metric_alarm("d", "orders"))
                    .build()
            });
        let d = with_cloudwatch(&[&p1, &p2]);
        let got = d.alarms_of("orders").await.unwrap();
        let names: Vec<&str> = got.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a", "d"]);
        assert_eq!(got[0].threshold, Some(5.0));
        assert!(got[0].actions_enabled, "absent means enabled");
        assert_eq!((p1.num_calls(), p2.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_metric_math_alarm_on_the_table_is_an_error_naming_it() {
        let math = mock!(Client::describe_alarms).then_output(|| {
            let query = c::MetricDataQuery::builder()
                .id("m1")
                .metric_stat(
                    c::MetricStat::builder()
                        .metric(
                            c::Metric::builder()
                                .namespace("AWS/DynamoDB")
                                .metric_name("ConsumedReadCapacityUnits")
                                .dimensions(
                                    c::Dimension::builder()
                                        .name("TableName")
                                        .value("orders")
                                        .build(),
                                )
                                .build(),
                        )
                        .period(60)
                        .stat("Sum")
                        .build(),
                )
                .build();
            DescribeAlarmsOutput::builder()
                .metric_alarms(
                    c::MetricAlarm::builder()
                        .alarm_name("math")
                        .metrics(query)
                        .build(),
                )
                .build()
        });
        let d = with_cloudwatch(&[&math]);
        let err = d.alarms_of("orders").await.unwrap_err();
        assert_eq!(err.kind, AwsErrorKind::Validation);
        assert!(err.message.contains("'math'"), "{}", err.message);
    }
}
