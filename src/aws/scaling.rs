//! Application Auto Scaling of a table and its global secondary indexes (service namespace
//! `dynamodb`): read to be recorded, and applied to another table. A restore carries none
//! of it, and DynamoDB deletes it with the table.

use std::collections::BTreeSet;

use aws_sdk_applicationautoscaling::types as a;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::pacing::Cursor;
use super::{convert, errors, Dynamo};
use crate::error::{AwsError, AwsErrorKind};

/// Which dynamic and scheduled scaling of a scalable target is suspended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspended {
    pub dynamic_scaling_in: bool,
    pub dynamic_scaling_out: bool,
    pub scheduled_scaling: bool,
}

/// A scalable target: the capacity range Application Auto Scaling keeps one dimension of
/// the table (`index` None) or of one of its global secondary indexes in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalableTarget {
    /// None: the table; Some(name): its global secondary index `name`.
    pub index: Option<String>,
    /// The scalable dimension, e.g. `dynamodb:table:ReadCapacityUnits`.
    pub dimension: String,
    pub min_capacity: i32,
    pub max_capacity: i32,
    /// The role Application Auto Scaling uses (usually its service-linked role).
    pub role_arn: Option<String>,
    /// None when nothing is suspended.
    pub suspended: Option<Suspended>,
}

/// A scaling policy of a scalable target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPolicy {
    pub index: Option<String>,
    pub dimension: String,
    pub name: String,
    /// `TargetTrackingScaling` (the only type recorded: see [`Dynamo::auto_scaling_of`]).
    pub policy_type: String,
    pub target_tracking: Option<TargetTracking>,
}

/// A target tracking policy's configuration, with a predefined metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetTracking {
    /// The utilization (percent) the policy keeps the dimension at.
    pub target_value: f64,
    /// E.g. `DynamoDBReadCapacityUtilization`.
    pub predefined_metric: Option<String>,
    pub resource_label: Option<String>,
    /// Seconds.
    pub scale_in_cooldown: Option<i32>,
    /// Seconds.
    pub scale_out_cooldown: Option<i32>,
    pub disable_scale_in: Option<bool>,
}

/// A scheduled action: a capacity range set on a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledAction {
    pub index: Option<String>,
    pub dimension: String,
    pub name: String,
    /// `at(...)`, `rate(...)` or `cron(...)`.
    pub schedule: String,
    pub timezone: Option<String>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub min_capacity: Option<i32>,
    pub max_capacity: Option<i32>,
}

/// Everything Application Auto Scaling holds for one table and its indexes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AutoScaling {
    pub targets: Vec<ScalableTarget>,
    pub policies: Vec<ScalingPolicy>,
    pub scheduled_actions: Vec<ScheduledAction>,
}

impl AutoScaling {
    /// Nothing is set up.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.policies.is_empty() && self.scheduled_actions.is_empty()
    }
}

/// The resource id of `table` (`index` None) or of its global secondary index `index`.
pub fn resource_id(table: &str, index: Option<&str>) -> String {
    match index {
        None => format!("table/{table}"),
        Some(i) => format!("table/{table}/index/{i}"),
    }
}

/// What of `table` a resource id names: `Some(None)` the table itself, `Some(Some(i))` its
/// index `i`, `None` anything else (another table, even one whose name starts with this
/// one's).
pub fn part_of(table: &str, resource_id: &str) -> Option<Option<String>> {
    let rest = resource_id.strip_prefix("table/")?.strip_prefix(table)?;
    if rest.is_empty() {
        return Some(None);
    }
    let index = rest.strip_prefix("/index/")?;
    (!index.is_empty() && !index.contains('/')).then(|| Some(index.to_string()))
}

/// A service-linked role is Application Auto Scaling's own: it uses it by default, and
/// naming it would need iam:PassRole.
fn is_service_linked(role: &str) -> bool {
    role.contains(":role/aws-service-role/")
}

fn unsupported(op: &'static str, table: &str, what: String) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Validation,
        operation: op,
        message: format!(
            "table '{table}' has {what}, which ddb-backup cannot record: only target tracking \
             policies with a predefined metric are carried; set it up by hand"
        ),
    }
}

fn policy_of(
    table: &str,
    index: Option<String>,
    p: &a::ScalingPolicy,
) -> Result<ScalingPolicy, AwsError> {
    let what = || {
        format!(
            "the {} policy '{}'",
            p.policy_type().as_str(),
            p.policy_name()
        )
    };
    if p.policy_type() != &a::PolicyType::TargetTrackingScaling {
        return Err(unsupported("DescribeScalingPolicies", table, what()));
    }
    let c = p
        .target_tracking_scaling_policy_configuration()
        .ok_or_else(|| unsupported("DescribeScalingPolicies", table, what()))?;
    let metric = c.predefined_metric_specification().ok_or_else(|| {
        unsupported(
            "DescribeScalingPolicies",
            table,
            what() + " with a customized metric",
        )
    })?;
    Ok(ScalingPolicy {
        index,
        dimension: p.scalable_dimension().as_str().to_string(),
        name: p.policy_name().to_string(),
        policy_type: p.policy_type().as_str().to_string(),
        target_tracking: Some(TargetTracking {
            target_value: c.target_value(),
            predefined_metric: Some(metric.predefined_metric_type().as_str().to_string()),
            resource_label: metric.resource_label().map(str::to_string),
            scale_in_cooldown: c.scale_in_cooldown(),
            scale_out_cooldown: c.scale_out_cooldown(),
            disable_scale_in: c.disable_scale_in(),
        }),
    })
}

fn target_of(index: Option<String>, t: &a::ScalableTarget) -> ScalableTarget {
    let suspended = t.suspended_state().map(|s| Suspended {
        dynamic_scaling_in: s.dynamic_scaling_in_suspended().unwrap_or(false),
        dynamic_scaling_out: s.dynamic_scaling_out_suspended().unwrap_or(false),
        scheduled_scaling: s.scheduled_scaling_suspended().unwrap_or(false),
    });
    ScalableTarget {
        index,
        dimension: t.scalable_dimension().as_str().to_string(),
        min_capacity: t.min_capacity(),
        max_capacity: t.max_capacity(),
        role_arn: Some(t.role_arn().to_string()).filter(|r| !r.is_empty()),
        suspended: suspended.filter(|s| *s != Suspended::default()),
    }
}

fn action_of(index: Option<String>, s: &a::ScheduledAction) -> ScheduledAction {
    let range = s.scalable_target_action();
    ScheduledAction {
        index,
        dimension: s
            .scalable_dimension()
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
        name: s.scheduled_action_name().to_string(),
        schedule: s.schedule().to_string(),
        timezone: s.timezone().map(str::to_string),
        start_time: s.start_time().map(convert::to_chrono),
        end_time: s.end_time().map(convert::to_chrono),
        min_capacity: range.and_then(|r| r.min_capacity()),
        max_capacity: range.and_then(|r| r.max_capacity()),
    }
}

fn dimension(d: &str) -> a::ScalableDimension {
    a::ScalableDimension::from(d)
}

impl Dynamo {
    /// The scalable targets, scaling policies and scheduled actions of `table` and its
    /// global secondary indexes (resource ids `table/T` and `table/T/index/I` only), every
    /// page of each listing, sorted by index (the table first), dimension and name. A
    /// policy this cannot carry faithfully (step scaling, a customized metric) is an error
    /// naming it, not left out.
    pub async fn auto_scaling_of(&self, table: &str) -> Result<AutoScaling, AwsError> {
        let mut out = AutoScaling::default();
        let mut cursor = Cursor::new("DescribeScalableTargets", table);
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call("DescribeScalableTargets", false, || async {
                    self.autoscaling
                        .describe_scalable_targets()
                        .service_namespace(a::ServiceNamespace::Dynamodb)
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .map_err(|e| errors::map("DescribeScalableTargets", table, e))
                })
                .await?;
            for t in page.scalable_targets() {
                if let Some(index) = part_of(table, t.resource_id()) {
                    out.targets.push(target_of(index, t));
                }
            }
            match cursor.advance(page.next_token().filter(|t| !t.is_empty()))? {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        // Policies and scheduled actions belong to a registered target.
        let parts: BTreeSet<Option<String>> = out.targets.iter().map(|t| t.index.clone()).collect();
        for index in parts {
            let rid = resource_id(table, index.as_deref());
            let mut cursor = Cursor::new("DescribeScalingPolicies", &rid);
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .call("DescribeScalingPolicies", false, || async {
                        self.autoscaling
                            .describe_scaling_policies()
                            .service_namespace(a::ServiceNamespace::Dynamodb)
                            .resource_id(&rid)
                            .set_next_token(token.clone())
                            .send()
                            .await
                            .map_err(|e| errors::map("DescribeScalingPolicies", table, e))
                    })
                    .await?;
                for p in page.scaling_policies() {
                    if p.resource_id() == rid {
                        out.policies.push(policy_of(table, index.clone(), p)?);
                    }
                }
                match cursor.advance(page.next_token().filter(|t| !t.is_empty()))? {
                    Some(next) => token = Some(next),
                    None => break,
                }
            }
            let mut cursor = Cursor::new("DescribeScheduledActions", &rid);
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .call("DescribeScheduledActions", false, || async {
                        self.autoscaling
                            .describe_scheduled_actions()
                            .service_namespace(a::ServiceNamespace::Dynamodb)
                            .resource_id(&rid)
                            .set_next_token(token.clone())
                            .send()
                            .await
                            .map_err(|e| errors::map("DescribeScheduledActions", table, e))
                    })
                    .await?;
                for s in page.scheduled_actions() {
                    if s.resource_id() == rid {
                        out.scheduled_actions.push(action_of(index.clone(), s));
                    }
                }
                match cursor.advance(page.next_token().filter(|t| !t.is_empty()))? {
                    Some(next) => token = Some(next),
                    None => break,
                }
            }
        }
        out.targets
            .sort_by(|x, y| (&x.index, &x.dimension).cmp(&(&y.index, &y.dimension)));
        out.policies.sort_by(|x, y| {
            (&x.index, &x.dimension, &x.name).cmp(&(&y.index, &y.dimension, &y.name))
        });
        out.scheduled_actions.sort_by(|x, y| {
            (&x.index, &x.dimension, &x.name).cmp(&(&y.index, &y.dimension, &y.name))
        });
        Ok(out)
    }

    /// Sets up `auto` on `table` (its indexes by the same names): registers the scalable
    /// targets, then puts the scaling policies, then the scheduled actions. Each call is
    /// an upsert, so applying the same record again changes nothing.
    pub async fn apply_auto_scaling(
        &self,
        table: &str,
        auto: &AutoScaling,
    ) -> Result<(), AwsError> {
        for t in &auto.targets {
            let rid = resource_id(table, t.index.as_deref());
            let role = t.role_arn.clone().filter(|r| !is_service_linked(r));
            let suspended = t.suspended.map(|s| {
                a::SuspendedState::builder()
                    .dynamic_scaling_in_suspended(s.dynamic_scaling_in)
                    .dynamic_scaling_out_suspended(s.dynamic_scaling_out)
                    .scheduled_scaling_suspended(s.scheduled_scaling)
                    .build()
            });
            self.call("RegisterScalableTarget", true, || async {
                self.autoscaling
                    .register_scalable_target()
                    .service_namespace(a::ServiceNamespace::Dynamodb)
                    .resource_id(&rid)
                    .scalable_dimension(dimension(&t.dimension))
                    .min_capacity(t.min_capacity)
                    .max_capacity(t.max_capacity)
                    .set_role_arn(role.clone())
                    .set_suspended_state(suspended.clone())
                    .send()
                    .await
                    .map_err(|e| errors::map("RegisterScalableTarget", table, e))
            })
            .await?;
        }
        for p in &auto.policies {
            let rid = resource_id(table, p.index.as_deref());
            let config = match &p.target_tracking {
                Some(tt) => {
                    let metric = match &tt.predefined_metric {
                        Some(m) => Some(
                            a::PredefinedMetricSpecification::builder()
                                .predefined_metric_type(a::MetricType::from(m.as_str()))
                                .set_resource_label(tt.resource_label.clone())
                                .build()
                                .map_err(|e| built("PutScalingPolicy", table, e))?,
                        ),
                        None => None,
                    };
                    Some(
                        a::TargetTrackingScalingPolicyConfiguration::builder()
                            .target_value(tt.target_value)
                            .set_predefined_metric_specification(metric)
                            .set_scale_in_cooldown(tt.scale_in_cooldown)
                            .set_scale_out_cooldown(tt.scale_out_cooldown)
                            .set_disable_scale_in(tt.disable_scale_in)
                            .build()
                            .map_err(|e| built("PutScalingPolicy", table, e))?,
                    )
                }
                None => None,
            };
            self.call("PutScalingPolicy", true, || async {
                self.autoscaling
                    .put_scaling_policy()
                    .service_namespace(a::ServiceNamespace::Dynamodb)
                    .resource_id(&rid)
                    .scalable_dimension(dimension(&p.dimension))
                    .policy_name(&p.name)
                    .policy_type(a::PolicyType::from(p.policy_type.as_str()))
                    .set_target_tracking_scaling_policy_configuration(config.clone())
                    .send()
                    .await
                    .map_err(|e| errors::map("PutScalingPolicy", table, e))
            })
            .await?;
        }
        for s in &auto.scheduled_actions {
            let rid = resource_id(table, s.index.as_deref());
            let range = a::ScalableTargetAction::builder()
                .set_min_capacity(s.min_capacity)
                .set_max_capacity(s.max_capacity)
                .build();
            self.call("PutScheduledAction", true, || async {
                self.autoscaling
                    .put_scheduled_action()
                    .service_namespace(a::ServiceNamespace::Dynamodb)
                    .resource_id(&rid)
                    .scalable_dimension(dimension(&s.dimension))
                    .scheduled_action_name(&s.name)
                    .schedule(&s.schedule)
                    .set_timezone(s.timezone.clone())
                    .set_start_time(s.start_time.map(convert::to_smithy))
                    .set_end_time(s.end_time.map(convert::to_smithy))
                    .scalable_target_action(range.clone())
                    .send()
                    .await
                    .map_err(|e| errors::map("PutScheduledAction", table, e))
            })
            .await?;
        }
        Ok(())
    }
}

/// A request that could not be built from a record (a required value missing).
fn built(op: &'static str, table: &str, e: impl std::fmt::Display) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Validation,
        operation: op,
        message: format!("{op} for '{table}' could not be built: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_applicationautoscaling::operation::describe_scalable_targets::DescribeScalableTargetsOutput;
    use aws_sdk_applicationautoscaling::operation::describe_scaling_policies::DescribeScalingPoliciesOutput;
    use aws_sdk_applicationautoscaling::operation::describe_scheduled_actions::DescribeScheduledActionsOutput;
    use aws_sdk_applicationautoscaling::primitives::DateTime as SmithyTime;
    use aws_sdk_applicationautoscaling::Client;
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
    use proptest::prelude::*;

    use super::*;
    use crate::aws::tests::{dynamo, error_body};

    fn with_scaling(rules: &[&Rule]) -> Dynamo {
        let mut d = dynamo(&[]);
        d.autoscaling = mock_client!(
            aws_sdk_applicationautoscaling,
            RuleMode::MatchAny,
            rules,
            |c| c.retry_config(
                aws_sdk_applicationautoscaling::config::retry::RetryConfig::disabled()
            )
        );
        d
    }

    fn target(rid: &str, dim: &str) -> a::ScalableTarget {
        a::ScalableTarget::builder()
            .service_namespace(a::ServiceNamespace::Dynamodb)
            .resource_id(rid)
            .scalable_dimension(a::ScalableDimension::from(dim))
            .min_capacity(1)
            .max_capacity(10)
            .role_arn("arn:aws:iam::123456789012:role/aws-service-role/x/AWSServiceRole")
            .creation_time(SmithyTime::from_secs(1_700_000_000))
            .build()
            .unwrap()
    }

    fn policy(rid: &str, name: &str, kind: a::PolicyType) -> a::ScalingPolicy {
        let mut b = a::ScalingPolicy::builder()
            .policy_arn(format!("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:resource/dynamodb/{rid}:policyName/{name}"))
            .policy_name(name)
            .service_namespace(a::ServiceNamespace::Dynamodb)
            .resource_id(rid)
            .scalable_dimension(a::ScalableDimension::DynamoDbTableReadCapacityUnits)
            .policy_type(kind.clone())
            .creation_time(SmithyTime::from_secs(1_700_000_000));
        if kind == a::PolicyType::TargetTrackingScaling {
            b = b.target_tracking_scaling_policy_configuration(
                a::TargetTrackingScalingPolicyConfiguration::builder()
                    .target_value(70.0)
                    .predefined_metric_specification(
                        a::PredefinedMetricSpecification::builder()
                            .predefined_metric_type(a::MetricType::DynamoDbReadCapacityUtilization)
                            .build()
                            .unwrap(),
                    )
                    .scale_in_cooldown(60)
                    .build()
                    .unwrap(),
            );
        }
        b.build().unwrap()
    }

    fn action(rid: &str, name: &str) -> a::ScheduledAction {
        a::ScheduledAction::builder()
            .scheduled_action_name(name)
            .scheduled_action_arn(format!(
                "arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:{name}"
            ))
            .service_namespace(a::ServiceNamespace::Dynamodb)
            .schedule("cron(0 8 * * ? *)")
            .resource_id(rid)
            .scalable_dimension(a::ScalableDimension::DynamoDbTableReadCapacityUnits)
            .scalable_target_action(a::ScalableTargetAction::builder().min_capacity(5).build())
            .creation_time(SmithyTime::from_secs(1_700_000_000))
            .build()
            .unwrap()
    }

    #[test]
    fn resource_ids_name_the_table_or_one_of_its_indexes_only() {
        assert_eq!(part_of("orders", "table/orders"), Some(None));
        assert_eq!(
            part_of("orders", "table/orders/index/by-customer"),
            Some(Some("by-customer".to_string()))
        );
        for other in [
            "table/orders2",
            "table/orders2/index/by-customer",
            "table/order",
            "table/orders/index/",
            "table/orders/index/a/b",
            "table/orders/stream/x",
            "tables/orders",
            "service/default/orders",
        ] {
            assert_eq!(part_of("orders", other), None, "{other}");
        }
    }

    proptest! {
        #[test]
        fn a_resource_id_belongs_to_its_own_table_only(
            table in "[A-Za-z0-9_.-]{3,12}",
            suffix in "[A-Za-z0-9_.-]{0,4}",
            index in proptest::option::of("[A-Za-z0-9_.-]{3,12}"),
        ) {
            let rid = resource_id(&table, index.as_deref());
            prop_assert_eq!(part_of(&table, &rid), Some(index.clone()));
            let other = format!("{table}{suffix}");
            if other != table {
                prop_assert_eq!(part_of(&table, &resource_id(&other, index.as_deref())), None);
                prop_assert_eq!(part_of(&other, &rid), None);
            }
        }
    }

    #[tokio::test]
    async fn a_table_gets_its_own_targets_and_policies_not_those_of_a_table_named_like_it() {
        let p1 = mock!(Client::describe_scalable_targets)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                DescribeScalableTargetsOutput::builder()
                    .scalable_targets(target("table/orders2", "dynamodb:table:ReadCapacityUnits"))
                    .scalable_targets(target(
                        "table/orders/index/by-day",
                        "dynamodb:index:ReadCapacityUnits",
                    ))
                    .next_token("page-2")
                    .build()
            });
        let p2 = mock!(Client::describe_scalable_targets)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                DescribeScalableTargetsOutput::builder()
                    .scalable_targets(target(
                        "table/orders2/index/by-day",
                        "dynamodb:index:ReadCapacityUnits",
                    ))
                    .scalable_targets(target("table/orders", "dynamodb:table:WriteCapacityUnits"))
                    .scalable_targets(target("table/orders", "dynamodb:table:ReadCapacityUnits"))
                    .build()
            });
        let policies = mock!(Client::describe_scaling_policies)
            .match_requests(|r| r.resource_id() == Some("table/orders"))
            .then_output(|| {
                DescribeScalingPoliciesOutput::builder()
                    .scaling_policies(policy(
                        "table/orders",
                        "reads",
                        a::PolicyType::TargetTrackingScaling,
                    ))
                    .build()
            });
        let index_policies = mock!(Client::describe_scaling_policies)
            .match_requests(|r| r.resource_id() == Some("table/orders/index/by-day"))
            .then_output(|| DescribeScalingPoliciesOutput::builder().build());
        let actions = mock!(Client::describe_scheduled_actions)
            .match_requests(|r| r.resource_id() == Some("table/orders"))
            .then_output(|| {
                DescribeScheduledActionsOutput::builder()
                    .scheduled_actions(action("table/orders", "mornings"))
                    .build()
            });
        let index_actions = mock!(Client::describe_scheduled_actions)
            .match_requests(|r| r.resource_id() == Some("table/orders/index/by-day"))
            .then_output(|| DescribeScheduledActionsOutput::builder().build());
        let d = with_scaling(&[
            &p1,
            &p2,
            &policies,
            &index_policies,
            &actions,
            &index_actions,
        ]);
        let got = d.auto_scaling_of("orders").await.unwrap();
        let targets: Vec<(Option<&str>, &str)> = got
            .targets
            .iter()
            .map(|t| (t.index.as_deref(), t.dimension.as_str()))
            .collect();
        assert_eq!(
            targets,
            [
                (None, "dynamodb:table:ReadCapacityUnits"),
                (None, "dynamodb:table:WriteCapacityUnits"),
                (Some("by-day"), "dynamodb:index:ReadCapacityUnits"),
            ]
        );
        assert_eq!(got.policies.len(), 1);
        let tt = got.policies[0].target_tracking.as_ref().unwrap();
        assert_eq!(
            tt.predefined_metric.as_deref(),
            Some("DynamoDBReadCapacityUtilization")
        );
        assert_eq!((tt.target_value, tt.scale_in_cooldown), (70.0, Some(60)));
        assert_eq!(got.scheduled_actions.len(), 1);
        assert_eq!(got.scheduled_actions[0].min_capacity, Some(5));
        assert_eq!(got.scheduled_actions[0].max_capacity, None);
        assert_eq!((p1.num_calls(), p2.num_calls()), (1, 1));
        assert_eq!((policies.num_calls(), index_policies.num_calls()), (1, 1));
    }

    #[tokio::test]
    async fn a_step_scaling_policy_is_an_error_naming_it_not_left_out() {
        let targets = mock!(Client::describe_scalable_targets).then_output(|| {
            DescribeScalableTargetsOutput::builder()
                .scalable_targets(target("table/orders", "dynamodb:table:ReadCapacityUnits"))
                .build()
        });
        let policies = mock!(Client::describe_scaling_policies).then_output(|| {
            DescribeScalingPoliciesOutput::builder()
                .scaling_policies(policy("table/orders", "steps", a::PolicyType::StepScaling))
                .build()
        });
        let d = with_scaling(&[&targets, &policies]);
        let err = d.auto_scaling_of("orders").await.unwrap_err();
        assert_eq!(err.kind, AwsErrorKind::Validation);
        assert!(
            err.message.contains("StepScaling policy 'steps'"),
            "{}",
            err.message
        );
    }

    #[tokio::test]
    async fn access_denied_names_the_application_auto_scaling_action() {
        let denied = mock!(Client::describe_scalable_targets)
            .sequence()
            .http_status(400, Some(error_body("AccessDeniedException")))
            .build();
        let d = with_scaling(&[&denied]);
        let err = d.auto_scaling_of("orders").await.unwrap_err();
        assert_eq!(err.kind, AwsErrorKind::AccessDenied);
        assert!(
            err.message
                .contains("application-autoscaling:DescribeScalableTargets"),
            "{}",
            err.message
        );
        assert_eq!(denied.num_calls(), 1, "not retried");
    }
}
