//! The AWS layer's Application Auto Scaling and CloudWatch calls, made by the library
//! against the emulator over the SDKs' real protocols (JSON 1.1, and CloudWatch's Smithy
//! RPC v2 CBOR), and the table settings the emulator keeps as DynamoDB does.

use serde_json::{json, Value};

use ddb_backup::aws::Dynamo;
use ddb_backup::error::AwsErrorKind;

use crate::common::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A provisioned table with the global secondary index `by-day`.
fn provisioned_table(emu: &Emulator, name: &str) {
    emu.call(
        "CreateTable",
        json!({
            "TableName": name,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "day", "AttributeType": "S"}
            ],
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            "GlobalSecondaryIndexes": [{
                "IndexName": "by-day",
                "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            }]
        }),
    );
}

fn register(emu: &Emulator, resource: &str, dimension: &str, extra: Value) {
    let mut body = json!({
        "ServiceNamespace": "dynamodb",
        "ResourceId": resource,
        "ScalableDimension": dimension,
        "MinCapacity": 2,
        "MaxCapacity": 40,
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    emu.autoscaling("RegisterScalableTarget", body);
}

fn track(emu: &Emulator, resource: &str, dimension: &str, metric: &str) {
    emu.autoscaling(
        "PutScalingPolicy",
        json!({
            "ServiceNamespace": "dynamodb",
            "ResourceId": resource,
            "ScalableDimension": dimension,
            "PolicyName": format!("{metric}-70"),
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "ScaleInCooldown": 60,
                "ScaleOutCooldown": 30,
                "DisableScaleIn": false
            }
        }),
    );
}

fn alarm(emu: &Emulator, name: &str, table: &str, extra: Value) {
    let mut body = json!({
        "AlarmName": name,
        "Namespace": "AWS/DynamoDB",
        "MetricName": "ThrottledRequests",
        "Dimensions": [{"Name": "TableName", "Value": table}, {"Name": "Operation", "Value": "PutItem"}],
        "Period": 300,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "Threshold": 1.5,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmDescription": format!("throttling on {table}"),
        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"],
        "OKActions": ["arn:aws:sns:us-east-1:123456789012:calm"],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    emu.cloudwatch("PutMetricAlarm", body);
}

/// The auto scaling and alarms of `orders` (and of `orders2`, whose name starts with
/// `orders`), every listing several pages long.
fn scaled_and_alarmed(emu: &Emulator) {
    for t in ["orders", "orders2", "orders-copy"] {
        provisioned_table(emu, t);
    }
    register(
        emu,
        "table/orders",
        "dynamodb:table:ReadCapacityUnits",
        json!({}),
    );
    register(
        emu,
        "table/orders",
        "dynamodb:table:WriteCapacityUnits",
        json!({"SuspendedState": {"DynamicScalingInSuspended": true}}),
    );
    register(
        emu,
        "table/orders/index/by-day",
        "dynamodb:index:ReadCapacityUnits",
        json!({}),
    );
    register(
        emu,
        "table/orders2",
        "dynamodb:table:ReadCapacityUnits",
        json!({}),
    );
    register(
        emu,
        "table/orders2/index/by-day",
        "dynamodb:index:ReadCapacityUnits",
        json!({}),
    );
    track(
        emu,
        "table/orders",
        "dynamodb:table:ReadCapacityUnits",
        "DynamoDBReadCapacityUtilization",
    );
    track(
        emu,
        "table/orders/index/by-day",
        "dynamodb:index:ReadCapacityUnits",
        "DynamoDBReadCapacityUtilization",
    );
    track(
        emu,
        "table/orders2",
        "dynamodb:table:ReadCapacityUnits",
        "DynamoDBReadCapacityUtilization",
    );
    emu.autoscaling(
        "PutScheduledAction",
        json!({
            "ServiceNamespace": "dynamodb",
            "ResourceId": "table/orders",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "ScheduledActionName": "business-hours",
            "Schedule": "cron(0 8 ? * MON-FRI *)",
            "Timezone": "Europe/Paris",
            "StartTime": 1_900_000_000,
            "EndTime": 1_950_000_000,
            "ScalableTargetAction": {"MinCapacity": 10, "MaxCapacity": 80}
        }),
    );
    alarm(
        emu,
        "orders-throttled",
        "orders",
        json!({"Statistic": "Sum", "Unit": "Count"}),
    );
    alarm(
        emu,
        "orders-p99",
        "orders",
        json!({"ExtendedStatistic": "p99", "EvaluateLowSampleCountPercentile": "ignore", "ActionsEnabled": false}),
    );
    alarm(
        emu,
        "orders2-throttled",
        "orders2",
        json!({"Statistic": "Sum"}),
    );
    emu.page_limit("DescribeScalableTargets", 2);
    emu.page_limit("DescribeAlarms", 2);
}

#[test]
fn auto_scaling_and_alarms_are_read_and_applied_over_the_sdks_protocols() {
    const TEST: &str =
        "settings_aws::auto_scaling_and_alarms_are_read_and_applied_over_the_sdks_protocols";
    if let Some(endpoint) = library_endpoint() {
        return runtime().block_on(async {
            let d = Dynamo::connect(&library_options(&endpoint)).await.unwrap();
            let auto = d.auto_scaling_of("orders").await.unwrap();
            let targets: Vec<(Option<&str>, &str)> = auto
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
                ],
                "{auto:?}"
            );
            let writes = &auto.targets[1];
            assert_eq!((writes.min_capacity, writes.max_capacity), (2, 40));
            assert!(writes.suspended.unwrap().dynamic_scaling_in);
            assert_eq!(auto.policies.len(), 2, "{auto:?}");
            let tt = auto.policies[0].target_tracking.as_ref().unwrap();
            assert_eq!(
                (tt.target_value, tt.scale_in_cooldown, tt.scale_out_cooldown),
                (70.0, Some(60), Some(30))
            );
            let [action] = &auto.scheduled_actions[..] else {
                panic!("{auto:?}")
            };
            assert_eq!(action.timezone.as_deref(), Some("Europe/Paris"));
            assert_eq!(action.start_time.unwrap().timestamp(), 1_900_000_000);
            assert_eq!(
                (action.min_capacity, action.max_capacity),
                (Some(10), Some(80))
            );

            d.apply_auto_scaling("orders-copy", &auto).await.unwrap();
            assert_eq!(d.auto_scaling_of("orders-copy").await.unwrap(), auto);

            let alarms = d.alarms_of("orders").await.unwrap();
            let names: Vec<&str> = alarms.iter().map(|a| a.name.as_str()).collect();
            assert_eq!(names, ["orders-p99", "orders-throttled"]);
            let p99 = &alarms[0];
            assert_eq!(p99.extended_statistic.as_deref(), Some("p99"));
            assert_eq!(
                p99.evaluate_low_sample_count_percentile.as_deref(),
                Some("ignore")
            );
            assert_eq!(
                (p99.threshold, p99.datapoints_to_alarm),
                (Some(1.5), Some(2))
            );
            assert!(!p99.actions_enabled);
            assert_eq!(alarms[1].unit.as_deref(), Some("Count"));
            let copies: Vec<_> = alarms
                .iter()
                .map(|a| a.for_table("orders-copy", false))
                .collect();
            for a in &copies {
                d.put_alarm(a).await.unwrap();
            }
            assert_eq!(d.alarms_of("orders-copy").await.unwrap(), copies);
        });
    }
    let emu = Emulator::start();
    scaled_and_alarmed(&emu);
    emu.reset_stats();
    emu.library_side(TEST);
    // Every listing took several pages; the copy's targets are on the copy's resources.
    assert!(
        emu.calls("DescribeScalableTargets") >= 6,
        "{}",
        emu.calls("DescribeScalableTargets")
    );
    assert!(
        emu.calls("DescribeAlarms") >= 4,
        "{}",
        emu.calls("DescribeAlarms")
    );
    assert_eq!(emu.calls("RegisterScalableTarget"), 3);
    assert_eq!(emu.calls("PutMetricAlarm"), 2);
    let copy = emu.autoscaling(
        "DescribeScalableTargets",
        json!({"ServiceNamespace": "dynamodb", "ResourceIds": ["table/orders-copy", "table/orders-copy/index/by-day"]}),
    );
    assert_eq!(
        copy["ScalableTargets"].as_array().unwrap().len(),
        2,
        "{copy}"
    );
    let copied = emu.cloudwatch(
        "DescribeAlarms",
        json!({"AlarmNames": ["orders-throttled-orders-copy"]}),
    );
    let copied = &copied["MetricAlarms"][0];
    assert_eq!(copied["ActionsEnabled"], false, "{copied}");
    assert_eq!(copied["Dimensions"][0]["Value"], "orders-copy", "{copied}");
}

#[test]
fn a_denied_auto_scaling_or_alarm_read_is_access_denied_naming_the_action() {
    const TEST: &str =
        "settings_aws::a_denied_auto_scaling_or_alarm_read_is_access_denied_naming_the_action";
    if let Some(endpoint) = library_endpoint() {
        return runtime().block_on(async {
            let d = Dynamo::connect(&library_options(&endpoint)).await.unwrap();
            let e = d.auto_scaling_of("orders").await.unwrap_err();
            assert_eq!(e.kind, AwsErrorKind::AccessDenied, "{}", e.message);
            assert!(
                e.message
                    .contains("application-autoscaling:DescribeScalableTargets"),
                "{}",
                e.message
            );
            let e = d.alarms_of("orders").await.unwrap_err();
            assert_eq!(e.kind, AwsErrorKind::AccessDenied, "{}", e.message);
            assert!(
                e.message.contains("cloudwatch:DescribeAlarms"),
                "{}",
                e.message
            );
        });
    }
    let emu = Emulator::start();
    provisioned_table(&emu, "orders");
    emu.faults(json!([
        {"service": "application-autoscaling", "kind": "access_denied"},
        {"service": "cloudwatch", "op": "DescribeAlarms", "kind": "access_denied"}
    ]));
    emu.library_side(TEST);
    assert_eq!(emu.calls("DescribeScalableTargets"), 1, "not retried");
    assert_eq!(emu.calls("DescribeAlarms"), 1, "not retried");
}

fn describe(emu: &Emulator, table: &str) -> Value {
    emu.call("DescribeTable", json!({ "TableName": table }))["Table"].clone()
}

fn refused(emu: &Emulator, op: &str, body: Value) -> Value {
    let r = emu.ctl("call", json!({"op": op, "body": body}));
    assert_eq!(r["status"], 400, "{op} was not refused: {r}");
    r["body"].clone()
}

/// What the end-to-end tests of settings rely on: the emulator keeps the settings moto
/// ignores, restores a table as DynamoDB does, and drops a table's settings with it.
#[test]
fn the_emulator_keeps_table_settings_as_dynamodb_does() {
    let emu = Emulator::start();
    emu.call(
        "CreateTable",
        json!({
            "TableName": "orders",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "day", "AttributeType": "S"}
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "TableClass": "STANDARD_INFREQUENT_ACCESS",
            "OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
            "GlobalSecondaryIndexes": [{
                "IndexName": "by-day",
                "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "OnDemandThroughput": {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 5}
            }]
        }),
    );
    let t = describe(&emu, "orders");
    assert_eq!(
        t["TableClassSummary"]["TableClass"],
        "STANDARD_INFREQUENT_ACCESS"
    );
    assert_eq!(t["OnDemandThroughput"]["MaxReadRequestUnits"], 100);
    assert_eq!(
        t["GlobalSecondaryIndexes"][0]["OnDemandThroughput"]["MaxWriteRequestUnits"],
        5
    );
    let arn = t["TableArn"].as_str().unwrap().to_string();

    // Settings a restore drops.
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 7}}),
    );
    let pitr = emu.call("DescribeContinuousBackups", json!({"TableName": "orders"}));
    assert_eq!(
        pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
            ["RecoveryPeriodInDays"],
        7
    );
    refused(
        &emu,
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 36}}),
    );
    emu.call(
        "PutResourcePolicy",
        json!({"ResourceArn": arn, "Policy": json!({"Version": "2012-10-17", "Statement": []}).to_string()}),
    );
    let stream = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes";
    emu.call(
        "EnableKinesisStreamingDestination",
        json!({"TableName": "orders", "StreamArn": stream, "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"}}),
    );
    let k = emu.call(
        "DescribeKinesisStreamingDestination",
        json!({"TableName": "orders"}),
    );
    assert_eq!(
        k["KinesisDataStreamDestinations"][0]["DestinationStatus"], "ACTIVE",
        "{k}"
    );
    assert_eq!(
        k["KinesisDataStreamDestinations"][0]["ApproximateCreationDateTimePrecision"],
        "MICROSECOND"
    );
    emu.call(
        "UpdateContributorInsights",
        json!({"TableName": "orders", "IndexName": "by-day", "ContributorInsightsAction": "ENABLE"}),
    );
    let ci = emu.call(
        "DescribeContributorInsights",
        json!({"TableName": "orders", "IndexName": "by-day"}),
    );
    assert_eq!(ci["ContributorInsightsStatus"], "ENABLED", "{ci}");
    let ci = emu.call(
        "DescribeContributorInsights",
        json!({"TableName": "orders"}),
    );
    assert_eq!(
        ci["ContributorInsightsStatus"], "DISABLED",
        "the table's own: {ci}"
    );

    // Tags: aws: keys are AWS's; a refused request sets none of its tags.
    emu.plant_system_tags("orders", &[("aws:cloudformation:stack-name", "shop")]);
    let e = refused(
        &emu,
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "a"}, {"Key": "aws:x", "Value": "b"}]}),
    );
    assert!(e["message"].as_str().unwrap().contains("aws:"), "{e}");
    emu.call(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "a"}]}),
    );
    emu.call(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "b"}]}),
    );
    let tags = emu.call("ListTagsOfResource", json!({"ResourceArn": arn}))["Tags"].clone();
    assert_eq!(
        tags,
        json!([{"Key": "aws:cloudformation:stack-name", "Value": "shop"}, {"Key": "team", "Value": "b"}])
    );

    // A restore: STANDARD, the overrides honoured, none of the dropped settings.
    let backup = emu.call(
        "CreateBackup",
        json!({"TableName": "orders", "BackupName": "b1"}),
    )["BackupDetails"]["BackupArn"]
        .clone();
    emu.call(
        "RestoreTableFromBackup",
        json!({
            "TargetTableName": "orders-restored",
            "BackupArn": backup,
            "BillingModeOverride": "PROVISIONED",
            "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
            "GlobalSecondaryIndexOverride": [{
                "IndexName": "by-day",
                "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 1}
            }]
        }),
    );
    let r = describe(&emu, "orders-restored");
    assert_eq!(r["TableClassSummary"]["TableClass"], "STANDARD");
    assert_eq!(r["BillingModeSummary"]["BillingMode"], "PROVISIONED");
    assert_eq!(r["ProvisionedThroughput"]["WriteCapacityUnits"], 4);
    assert_eq!(
        r["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"],
        2
    );
    assert!(r.get("OnDemandThroughput").is_none(), "{r}");
    let k = emu.call(
        "DescribeKinesisStreamingDestination",
        json!({"TableName": "orders-restored"}),
    );
    assert_eq!(k["KinesisDataStreamDestinations"], json!([]));
    refused(
        &emu,
        "RestoreTableFromBackup",
        json!({"TargetTableName": "orders-x", "BackupArn": backup, "BillingModeOverride": "PROVISIONED"}),
    );

    // Deleted with the table: a new table of the same name has none of it.
    register(
        &emu,
        "table/orders",
        "dynamodb:table:ReadCapacityUnits",
        json!({}),
    );
    emu.call("DeleteTable", json!({"TableName": "orders"}));
    emu.call(
        "CreateTable",
        json!({
            "TableName": "orders",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
    let e = refused(&emu, "GetResourcePolicy", json!({"ResourceArn": arn}));
    assert!(
        e["__type"]
            .as_str()
            .unwrap()
            .ends_with("PolicyNotFoundException"),
        "{e}"
    );
    let k = emu.call(
        "DescribeKinesisStreamingDestination",
        json!({"TableName": "orders"}),
    );
    assert_eq!(k["KinesisDataStreamDestinations"], json!([]));
    let t = describe(&emu, "orders");
    assert!(t.get("TableClassSummary").is_none(), "{t}");
    let targets = emu.autoscaling(
        "DescribeScalableTargets",
        json!({"ServiceNamespace": "dynamodb"}),
    );
    assert_eq!(targets["ScalableTargets"], json!([]));
}
