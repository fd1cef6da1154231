//! `restore` end to end.

use serde_json::json;

use crate::common::*;

#[test]
fn restore_latest_picks_the_newest_available_backup_and_waits_for_active() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let arns = emu.seed(
        "orders",
        &[
            (
                managed_name("orders", 3 * DAY),
                3 * DAY,
                "AVAILABLE",
                "USER",
            ),
            (managed_name("orders", DAY), DAY, "AVAILABLE", "USER"),
            (managed_name("orders", 60), 60, "CREATING", "USER"),
        ],
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-restored",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(
        rep["backup_arn"],
        arns[1].as_str(),
        "the newest AVAILABLE, not the CREATING one"
    );
    assert_eq!(rep["table_status"], "ACTIVE");
    let d = emu.call("DescribeTable", json!({"TableName": "orders-restored"}));
    assert_eq!(
        d["Table"]["KeySchema"],
        json!([{"AttributeName": "pk", "KeyType": "HASH"}])
    );
    assert!(
        r.stderr.contains("IAM identity-based policies"),
        "out-of-scope note: {}",
        r.stderr
    );
}

#[test]
fn an_existing_target_is_refused_before_any_restore_call() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "orders-copy"]);
    emu.seed("orders", &daily_specs("orders", 2, 3600));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
    ]);
    assert_eq!(r.code, 1);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("'orders-copy' already exists"),
        "{}",
        lines[0]
    );
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
}

#[test]
fn copy_settings_reapplies_ttl_tags_and_pitr() {
    let emu = Emulator::start();
    emu.ctl(
        "create_tables",
        json!({"names": ["orders"], "tags": {"team": "payments", "env": "prod"}}),
    );
    emu.call("UpdateTimeToLive", json!({"TableName": "orders", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}));
    emu.call("UpdateContinuousBackups", json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}));
    emu.seed("orders", &daily_specs("orders", 1, 3600));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-r",
        "--copy-settings",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let settings = r.json()["settings"].clone();
    let status = |name: &str| {
        settings
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["setting"] == name)
            .map(|s| s["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {name} in {settings}"))
    };
    for name in ["ttl", "tags", "point_in_time_recovery"] {
        assert_eq!(status(name), "verified", "{name}: {settings}");
    }
    for name in ["stream", "deletion_protection", "table_class"] {
        assert_eq!(status(name), "unchanged", "{name}: {settings}");
    }
    assert!(
        settings
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "failed"),
        "{settings}"
    );

    let ttl = emu.call("DescribeTimeToLive", json!({"TableName": "orders-r"}));
    assert_eq!(ttl["TimeToLiveDescription"]["AttributeName"], "expires");
    let arn =
        emu.call("DescribeTable", json!({"TableName": "orders-r"}))["Table"]["TableArn"].clone();
    let tags = emu.call("ListTagsOfResource", json!({"ResourceArn": arn}))["Tags"].clone();
    let mut tags: Vec<(String, String)> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["Key"].as_str().unwrap().into(),
                t["Value"].as_str().unwrap().into(),
            )
        })
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        vec![
            ("env".into(), "prod".into()),
            ("team".into(), "payments".into())
        ]
    );
    let pitr = emu.call(
        "DescribeContinuousBackups",
        json!({"TableName": "orders-r"}),
    );
    assert_eq!(
        pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
            ["PointInTimeRecoveryStatus"],
        "ENABLED"
    );
}

#[test]
fn point_in_time_restore_needs_pitr_and_is_checked_first() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest-restorable",
        "--target",
        "orders-pitr",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.err_lines()[0].contains("point-in-time recovery is not enabled"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("RestoreTableToPointInTime"), 0);

    emu.call("UpdateContinuousBackups", json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest-restorable",
        "--target",
        "orders-pitr",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("RestoreTableToPointInTime"), 1);
    // The point DynamoDB chose, not the words asked for.
    let at = r.json()["point_in_time"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
}

#[test]
fn restore_by_name_reports_ambiguity_and_bad_combinations_are_usage_errors() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed(
        "orders",
        &[
            ("same-name".into(), DAY, "AVAILABLE", "USER"),
            ("same-name".into(), 2 * DAY, "AVAILABLE", "USER"),
        ],
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--backup-name",
        "same-name",
        "--target",
        "orders-x",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.err_lines()[0].contains("2 backups of 'orders' are named 'same-name'"),
        "{}",
        r.stderr
    );

    emu.reset_stats();
    for args in [
        vec!["restore", "--table", "orders", "--target", "x-orders"],
        vec![
            "restore", "--table", "orders", "--latest", "--target", "orders",
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x-orders",
            "--billing-mode",
            "provisioned",
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x-orders",
            "--read-capacity",
            "5",
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x-orders",
            "--no-gsi",
            "--exclude-gsi",
            "g",
        ],
        vec![
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "x-orders",
            "--sse",
            "default",
            "--sse-kms-key",
            "k",
        ],
        vec!["restore", "--latest", "--target", "x-orders"],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.err_lines().len(), 1, "{args:?}: {}", r.stderr);
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn a_point_in_time_restores_into_another_region_by_the_source_tables_arn() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let r = emu.run(&[
        "restore",
        "-t",
        "orders",
        "--latest-restorable",
        "--target",
        "orders-west",
        "--target-region",
        "us-west-2",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["target_region"], "us-west-2");
    let t = emu.ctl(
        "call",
        json!({"op": "DescribeTable", "body": {"TableName": "orders-west"}, "region": "us-west-2"}),
    );
    assert_eq!(t["body"]["Table"]["TableStatus"], "ACTIVE", "{t}");
    let from = t["body"]["Table"]["RestoreSummary"]["SourceTableArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        from.ends_with(":table/orders") && from.contains(":us-east-1:"),
        "{from}"
    );
}
