//! A restored table is the table it was: on a table with every setting a restore does not
//! carry, `restore --replace` and `restore --copy-settings` leave a table whose settings
//! record equals the source's; a refused setting is exit 3 with its command; a setting that
//! cannot be read stops `--replace` before anything changes; `--settings-from` puts a saved
//! record back after the source table is gone.

use serde_json::{json, Value};

use crate::common::*;

const KINESIS: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes";

fn arn_of(emu: &Emulator, table: &str) -> String {
    emu.call("DescribeTable", json!({ "TableName": table }))["Table"]["TableArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `orders`: provisioned, with the index `by-day`, backed up by the tool, then given every
/// setting a restore loses (and its index capacity raised after the backup).
fn everything(emu: &Emulator) {
    emu.call(
        "CreateTable",
        json!({
            "TableName": "orders",
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
            }],
            "TableClass": "STANDARD_INFREQUENT_ACCESS",
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
        }),
    );
    for i in 0..4 {
        emu.call(
            "PutItem",
            json!({"TableName": "orders", "Item": {"pk": {"S": format!("o-{i}")}, "day": {"S": "mon"}}}),
        );
    }
    let r = emu.run(&["backup", "--table", "orders", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let arn = arn_of(emu, "orders");
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by-day",
            "ProvisionedThroughput": {"ReadCapacityUnits": 30, "WriteCapacityUnits": 20}}}]}),
    );
    emu.call(
        "UpdateTimeToLive",
        json!({"TableName": "orders", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
    );
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 7}}),
    );
    emu.call(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "cost-center", "Value": "42"}]}),
    );
    emu.plant_system_tags("orders", &[("aws:cloudformation:stack-name", "shop")]);
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
        "Action": ["dynamodb:GetItem", "dynamodb:Query"],
        "Resource": [arn.clone(), format!("{arn}/index/*")]
    }]});
    emu.call(
        "PutResourcePolicy",
        json!({"ResourceArn": arn, "Policy": policy.to_string()}),
    );
    emu.call(
        "EnableKinesisStreamingDestination",
        json!({"TableName": "orders", "StreamArn": KINESIS}),
    );
    emu.call(
        "UpdateContributorInsights",
        json!({"TableName": "orders", "ContributorInsightsAction": "ENABLE"}),
    );
    emu.call(
        "UpdateContributorInsights",
        json!({"TableName": "orders", "IndexName": "by-day", "ContributorInsightsAction": "ENABLE"}),
    );
    for (resource, dimension) in [
        ("table/orders", "dynamodb:table:ReadCapacityUnits"),
        (
            "table/orders/index/by-day",
            "dynamodb:index:ReadCapacityUnits",
        ),
    ] {
        emu.autoscaling(
            "RegisterScalableTarget",
            json!({"ServiceNamespace": "dynamodb", "ResourceId": resource, "ScalableDimension": dimension,
                   "MinCapacity": 5, "MaxCapacity": 40}),
        );
        emu.autoscaling(
            "PutScalingPolicy",
            json!({"ServiceNamespace": "dynamodb", "ResourceId": resource, "ScalableDimension": dimension,
                   "PolicyName": "reads-70", "PolicyType": "TargetTrackingScaling",
                   "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0,
                     "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}}}),
        );
    }
    emu.autoscaling(
        "PutScheduledAction",
        json!({"ServiceNamespace": "dynamodb", "ResourceId": "table/orders",
               "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
               "ScheduledActionName": "business-hours", "Schedule": "cron(0 8 ? * MON-FRI *)",
               "ScalableTargetAction": {"MinCapacity": 10, "MaxCapacity": 40}}),
    );
    emu.cloudwatch(
        "PutMetricAlarm",
        json!({"AlarmName": "orders-throttled", "Namespace": "AWS/DynamoDB", "MetricName": "ThrottledRequests",
               "Dimensions": [{"Name": "TableName", "Value": "orders"}, {"Name": "Operation", "Value": "PutItem"}],
               "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1.0,
               "ComparisonOperator": "GreaterThanOrEqualToThreshold",
               "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"]}),
    );
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "DeletionProtectionEnabled": true}),
    );
}

/// The settings record of `table` as the tool reads it.
fn record(emu: &Emulator, table: &str) -> Value {
    let r = emu.run(&["describe", "--table", table, "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

/// The parts of a record that must be equal between a table and its restored self: all but
/// the ARNs, the time it was read, the stream's ARN and DynamoDB's system tags.
fn comparable(r: &Value) -> Value {
    let mut r = r.clone();
    let o = r.as_object_mut().unwrap();
    for k in ["table", "table_arn", "recorded_at"] {
        o.remove(k);
    }
    if let Some(s) = o["stream"]["value"].as_object_mut() {
        s.remove("arn");
    }
    o["tags"]["value"].as_object_mut().unwrap().remove("system");
    r
}

fn statuses(j: &Value) -> Vec<(String, String)> {
    j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["setting"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn replace_leaves_a_table_whose_record_is_the_sources() {
    let emu = Emulator::start();
    everything(&emu);
    let before = record(&emu, "orders");
    assert_eq!(
        before["table_class"]["value"], "STANDARD_INFREQUENT_ACCESS",
        "{before}"
    );
    assert_eq!(
        before["point_in_time_recovery"]["value"]["recovery_period_in_days"], 7,
        "{before}"
    );
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("replace.json");
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
        "--report",
        report.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    for (setting, status) in statuses(&j) {
        assert!(
            status == "verified" || status == "unchanged",
            "{setting} is {status}: {}",
            j["settings"]
        );
    }
    // The record went to the report file and the log before the deletion.
    let saved: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(comparable(&saved["record"]), comparable(&before));
    assert!(r.stderr.contains("settings record: {"), "{}", r.stderr);
    let after = record(&emu, "orders");
    assert_eq!(comparable(&after), comparable(&before));
    // What the restore alone got wrong is right again: class, window, live index capacity.
    let t = emu.call("DescribeTable", json!({"TableName": "orders"}))["Table"].clone();
    assert_eq!(
        t["TableClassSummary"]["TableClass"],
        "STANDARD_INFREQUENT_ACCESS"
    );
    assert_eq!(
        t["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"],
        30
    );
    assert_eq!(t["DeletionProtectionEnabled"], true);
    // The stream is new: its ARN is reported with the consumers' command.
    let stream = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == "stream")
        .unwrap()
        .clone();
    assert!(
        stream["detail"]
            .as_str()
            .unwrap()
            .contains("list-event-source-mappings"),
        "{stream}"
    );
    // DynamoDB's own tags are never sent (it refuses the aws: prefix), and say so.
    let tags = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == "tags")
        .unwrap()
        .clone();
    assert!(
        tags["detail"].as_str().unwrap().contains("system tag"),
        "{tags}"
    );
}

#[test]
fn copy_settings_gives_a_new_table_the_sources_record() {
    let emu = Emulator::start();
    everything(&emu);
    let before = record(&emu, "orders");
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--copy-settings",
        "--copy-alarms",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = record(&emu, "orders-copy");
    // The policy names the new table; alarms are copies for it, actions off.
    let copy_arn = arn_of(&emu, "orders-copy");
    let policy = after["resource_policy"]["value"].as_str().unwrap();
    assert!(policy.contains(&format!("{copy_arn}/index/*")), "{policy}");
    assert!(!policy.contains("table/orders\""), "{policy}");
    let alarms = after["alarms"]["value"].as_array().unwrap();
    assert_eq!(alarms.len(), 1, "{after}");
    assert_eq!(alarms[0]["name"], "orders-throttled-orders-copy");
    assert_eq!(alarms[0]["actions_enabled"], false);
    assert!(alarms[0]["dimensions"]
        .as_array()
        .unwrap()
        .contains(&json!(["TableName", "orders-copy"])));
    // Everything else is the source's.
    let strip = |v: &Value| {
        let mut v = comparable(v);
        let o = v.as_object_mut().unwrap();
        o.remove("resource_policy");
        o.remove("alarms");
        o.remove("deletion_protection");
        v
    };
    assert_eq!(strip(&after), strip(&before));
    assert_eq!(after["deletion_protection"], before["deletion_protection"]);
    // The source's alarm is untouched.
    let src = emu.cloudwatch(
        "DescribeAlarms",
        json!({"AlarmNames": ["orders-throttled"]}),
    );
    assert_eq!(src["MetricAlarms"][0]["ActionsEnabled"], true);
}

#[test]
fn a_refused_setting_is_exit_3_with_the_command_that_sets_it() {
    let emu = Emulator::start();
    everything(&emu);
    emu.faults(json!([
        {"op": "UpdateTimeToLive", "kind": "access_denied", "next": 1},
        {"op": "UpdateTable", "kind": "access_denied", "table": "orders-copy", "next": 1}
    ]));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--copy-settings",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let failed: Vec<Value> = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .cloned()
        .collect();
    let names: Vec<&str> = failed
        .iter()
        .map(|s| s["setting"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"ttl"), "{failed:?}");
    let ttl = failed.iter().find(|s| s["setting"] == "ttl").unwrap();
    assert_eq!(
        ttl["command"],
        "aws dynamodb update-time-to-live --table-name orders-copy --time-to-live-specification Enabled=true,AttributeName=expires"
    );
    // One refusal loses nothing else: the other settings are verified.
    let statuses = statuses(&j);
    for s in [
        "tags",
        "point_in_time_recovery",
        "kinesis_streaming_destinations",
    ] {
        assert!(
            statuses.contains(&(s.to_string(), "verified".to_string())),
            "{s}: {statuses:?}"
        );
    }
    // Running the printed command is enough.
    emu.call(
        "UpdateTimeToLive",
        json!({"TableName": "orders-copy", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
    );
}

#[test]
fn a_setting_that_cannot_be_read_stops_replace_before_anything_changes() {
    let emu = Emulator::start();
    everything(&emu);
    emu.faults(json!([{"service": "application-autoscaling", "kind": "access_denied"}]));
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r
        .err_lines()
        .into_iter()
        .find(|l| l.starts_with("error: "))
        .unwrap()
        .to_string();
    assert!(
        line.contains("application-autoscaling:DescribeScalableTargets")
            && line.contains("--skip-setting auto_scaling")
            && line.contains("nothing was changed"),
        "{line}"
    );
    for op in [
        "CreateBackup",
        "DeleteTable",
        "UpdateTable",
        "RestoreTableFromBackup",
    ] {
        assert_eq!(emu.calls(op), 0, "{op}");
    }
    // Told to, it goes on without it and says so.
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
        "--skip-setting",
        "auto_scaling",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(statuses(&j).contains(&("auto_scaling".into(), "skipped".into())));
    assert_eq!(j["record"]["auto_scaling"]["status"], "skipped");
}

#[test]
fn settings_from_puts_a_saved_record_back_after_the_source_is_gone() {
    let emu = Emulator::start();
    everything(&emu);
    let before = record(&emu, "orders");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("orders-settings.json");
    std::fs::write(&saved, before.to_string()).unwrap();
    let backup = emu.backups("orders")[0]["BackupArn"]
        .as_str()
        .unwrap()
        .to_string();
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "DeletionProtectionEnabled": false}),
    );
    emu.call("DeleteTable", json!({"TableName": "orders"}));
    // The source is gone: --copy-settings cannot copy, and says how to go on.
    let r = emu.run(&[
        "restore",
        "--backup-arn",
        &backup,
        "--target",
        "orders",
        "--copy-settings",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.json()["settings"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("--settings-from"),
        "{}",
        r.stdout
    );
    // The saved record, applied to the table restored meanwhile (no source needed).
    let r = emu.run(&[
        "restore",
        "--target",
        "orders",
        "--settings-from",
        saved.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(comparable(&record(&emu, "orders")), comparable(&before));
    // And in one go, restore and record.
    let r = emu.run(&[
        "restore",
        "--backup-arn",
        &backup,
        "--target",
        "orders-again",
        "--settings-from",
        saved.to_str().unwrap(),
        "--copy-alarms",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = record(&emu, "orders-again");
    assert_eq!(
        again["capacity"], before["capacity"],
        "live index capacity, not the backup's"
    );
    assert_eq!(again["auto_scaling"], before["auto_scaling"]);
}

#[test]
fn a_dry_run_lists_every_setting_it_would_carry_and_changes_nothing() {
    let emu = Emulator::start();
    everything(&emu);
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--disable-deletion-protection",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = statuses(&r.json());
    assert_eq!(s.len(), 12, "{s:?}");
    assert!(s.iter().all(|(_, st)| st == "planned"), "{s:?}");
    for op in [
        "CreateBackup",
        "DeleteTable",
        "UpdateTable",
        "UpdateTimeToLive",
        "TagResource",
        "PutResourcePolicy",
        "RegisterScalableTarget",
        "PutMetricAlarm",
    ] {
        assert_eq!(emu.calls(op), 0, "{op}");
    }
}

#[test]
fn a_bad_settings_file_or_setting_name_is_one_line_and_no_call() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"command\": \"restore\"}").unwrap();
    for args in [
        vec![
            "restore",
            "--target",
            "orders",
            "--settings-from",
            bad.to_str().unwrap(),
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x",
            "--copy-settings",
            "--skip-setting",
            "autoscaling",
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x",
            "--copy-alarms",
        ],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.err_lines().len(), 1, "{args:?}: {}", r.stderr);
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn verify_reports_how_the_restored_table_differs_from_the_source_without_failing() {
    let emu = Emulator::start();
    everything(&emu);
    let r = emu.run(&["verify", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["tables"][0];
    assert_eq!(d["outcome"], "passed", "{d}");
    let diffs: Vec<&str> = d["settings_differences"]
        .as_array()
        .unwrap_or_else(|| panic!("no settings_differences in {d}"))
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    for s in [
        "table_class:",
        "point_in_time_recovery:",
        "ttl:",
        "tags:",
        "auto_scaling:",
        "capacity:",
    ] {
        assert!(diffs.iter().any(|l| l.starts_with(s)), "{s} in {diffs:?}");
    }
    // Alarms watch the source's name: not a difference of the copy.
    assert!(!diffs.iter().any(|l| l.starts_with("alarms:")), "{diffs:?}");
}

#[test]
fn a_retried_replace_never_restores_the_safety_backup_as_the_latest() {
    let emu = Emulator::start();
    everything(&emu);
    emu.call(
        "PutItem",
        json!({"TableName": "orders", "Item": {"pk": {"S": "bad"}, "day": {"S": "x"}}}),
    );
    // The first attempt fails after the table is back (a setting refused): its safety
    // backup, holding the bad item, is now the newest backup of the table.
    emu.faults(json!([{"op": "UpdateTimeToLive", "kind": "access_denied", "next": 1}]));
    let args = [
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
        "-o",
        "json",
    ];
    let r = emu.run(&args);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let first = r.json()["backup_name"].clone();
    let r = emu.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["backup_name"], first, "the same good backup again");
    assert!(
        r.stderr.contains("safety or staging backup"),
        "{}",
        r.stderr
    );
    let bad = emu.call(
        "GetItem",
        json!({"TableName": "orders", "Key": {"pk": {"S": "bad"}}}),
    );
    assert!(bad.get("Item").is_none(), "{bad}");
}

#[test]
fn replace_restores_with_the_backups_capacity_then_sets_todays() {
    // On demand when backed up, provisioned (with its index) now: the restore request
    // must not mix the two.
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
            "GlobalSecondaryIndexes": [{
                "IndexName": "by-day",
                "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}
            }]
        }),
    );
    let r = emu.run(&["backup", "--table", "orders", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
               "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by-day",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 9, "WriteCapacityUnits": 4}}}]}),
    );
    let before = record(&emu, "orders");
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(record(&emu, "orders")["capacity"], before["capacity"]);
}

#[test]
fn an_index_the_restored_table_lacks_fails_its_settings_instead_of_verifying_them() {
    let emu = Emulator::start();
    everything(&emu);
    // An index added after the backup, with contributor insights: the backup has no such
    // index, so neither does the restored table.
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "day", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "late",
                   "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"},
                   "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 4}}}]}),
    );
    emu.call(
        "UpdateContributorInsights",
        json!({"TableName": "orders", "IndexName": "late", "ContributorInsightsAction": "ENABLE"}),
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    for s in ["capacity", "contributor_insights"] {
        let res = j["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["setting"] == s)
            .unwrap()
            .clone();
        assert_eq!(res["status"], "failed", "{res}");
        assert!(res["detail"].as_str().unwrap().contains("late"), "{res}");
    }
}

#[test]
fn a_deletion_whose_answer_was_lost_still_brings_the_table_back() {
    let emu = Emulator::start();
    everything(&emu);
    emu.faults(json!([{"op": "DeleteTable", "kind": "lost_answer", "next": 1}]));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        emu.call("DescribeTable", json!({"TableName": "orders"}))["Table"]["TableStatus"],
        "ACTIVE"
    );
}

#[test]
fn an_on_demand_maximum_and_copied_alarm_actions_carry_over() {
    let emu = Emulator::start();
    emu.call(
        "CreateTable",
        json!({
            "TableName": "orders",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    );
    let r = emu.run(&["backup", "--table", "orders", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Set after the backup: the restore alone would drop both.
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}}),
    );
    emu.cloudwatch(
        "PutMetricAlarm",
        json!({"AlarmName": "orders-errors", "Namespace": "AWS/DynamoDB", "MetricName": "SystemErrors",
               "Dimensions": [{"Name": "TableName", "Value": "orders"}],
               "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1.0,
               "ComparisonOperator": "GreaterThanOrEqualToThreshold",
               "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"]}),
    );
    let before = record(&emu, "orders");
    assert_eq!(
        before["capacity"]["value"]["table"]["on_demand_max"],
        json!({"read": 100, "write": 50})
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--copy-settings",
        "--copy-alarms",
        "--copy-alarm-actions",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = record(&emu, "orders-copy");
    assert_eq!(after["capacity"], before["capacity"]);
    let copied = emu.cloudwatch(
        "DescribeAlarms",
        json!({"AlarmNames": ["orders-errors-orders-copy"]}),
    );
    assert_eq!(
        copied["MetricAlarms"][0]["ActionsEnabled"], true,
        "{copied}"
    );
}
