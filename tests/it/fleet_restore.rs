//! `restore` of a fleet: a selection of tables under new names or in another region, as
//! fast as the restore quotas allow, resumable, with each table's recovery time.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

/// `n` tables `svc-NN`, each with `i % 4 + 1` items, backed up by the tool.
fn fleet(emu: &Emulator, n: usize) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("svc-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    for (i, t) in names.iter().enumerate() {
        for k in 0..(i % 4 + 1) {
            emu.call(
                "PutItem",
                json!({"TableName": t, "Item": {"pk": {"S": format!("k{k}")}}}),
            );
        }
    }
    let r = emu.run(&["backup", "--match", "svc-*", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    names
}

fn call_in(emu: &Emulator, region: &str, op: &str, body: Value) -> Value {
    emu.ctl("call", json!({"op": op, "body": body, "region": region}))
}

fn items_in(emu: &Emulator, region: &str, table: &str) -> usize {
    let r = call_in(emu, region, "Scan", json!({"TableName": table}));
    assert_eq!(r["status"], 200, "{r}");
    r["body"]["Items"].as_array().map(Vec::len).unwrap_or(0)
}

fn rows(rep: &Value) -> &Vec<Value> {
    rep["results"].as_array().expect("results")
}

#[test]
fn sixty_tables_restore_into_another_region_under_the_restore_quota() {
    let emu = Emulator::start();
    let names = fleet(&emu, 60);
    emu.config(json!({
        "restore_creating_seconds": 1,
        "max_restores_in_progress": 10,
        "documented_limits": true,
    }));
    emu.reset_stats();
    let r = emu.run(&[
        // Paced at the documented rates, as without the harness's override.
        "--rate-multiplier",
        "1",
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-region",
        "us-west-2",
        "--verify",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let rep = r.json();
    assert_eq!(rep["summary"]["tables"], 60);
    assert_eq!(rep["summary"]["succeeded"], 60);
    assert!(rep["summary"]["fleet_seconds"].as_f64().unwrap() > 0.0);
    for row in rows(&rep) {
        assert_eq!(row["status"], "restored", "{row}");
        assert_eq!(row["target_region"], "us-west-2");
        assert_eq!(row["verification"]["status"], "passed", "{row}");
        assert_eq!(row["settings"], "applied", "{row}");
        assert!(row["seconds_to_active"].as_f64().unwrap() >= 0.9, "{row}");
    }
    for (i, t) in names.iter().enumerate() {
        let d = call_in(&emu, "us-west-2", "DescribeTable", json!({"TableName": t}));
        assert_eq!(d["body"]["Table"]["TableStatus"], "ACTIVE", "{t}");
        assert_eq!(items_in(&emu, "us-west-2", t), i % 4 + 1, "{t}");
    }
    // The quota was reached (so it was back-pressure, not failure) and one request per
    // table was made in the end.
    let stats = emu.ctl("stats", json!({}));
    assert!(
        stats["throttled"]["RestoreTableFromBackup"]
            .as_u64()
            .unwrap_or(0)
            > 0,
        "the quota was never reached: {stats}"
    );
    assert_eq!(
        emu.calls_in(BASE_ACCOUNT, "us-west-2", "RestoreTableFromBackup")
            - stats["throttled"]["RestoreTableFromBackup"]
                .as_u64()
                .unwrap(),
        60
    );

    // The same command again restores nothing: every target is already restored.
    emu.reset_stats();
    let again = emu.run(&[
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-region",
        "us-west-2",
        "--output",
        "json",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
    let rep = again.json();
    assert_eq!(rep["summary"]["already_restored"], 60);
}

#[test]
fn a_fleet_stopped_midway_reports_what_is_restoring_and_a_rerun_completes_it() {
    let emu = Emulator::start();
    let names = fleet(&emu, 12);
    emu.config(json!({"restore_creating_seconds": 3, "max_restores_in_progress": 4}));
    emu.reset_stats();
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-dr",
        "--max-restores",
        "4",
        "--output",
        "json",
    ];
    let child = spawn(&emu, &args);
    wait_for_calls(&emu, "RestoreTableFromBackup", 4);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "TERM");
    let r = finish(child, Duration::from_secs(20), "stopped fleet restore");
    assert_eq!(r.code, 130, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["summary"]["interrupted"], true);
    let restoring: Vec<&Value> = rows(&rep)
        .iter()
        .filter(|x| x["status"] == "restoring")
        .collect();
    assert_eq!(restoring.len(), 4, "{rep}");
    assert!(restoring[0]["target"].as_str().unwrap().ends_with("-dr"));
    let requested = emu.calls("RestoreTableFromBackup");
    assert_eq!(requested, 4, "no new restore after the signal");

    emu.reset_stats();
    let again = emu.run(&args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let rep = again.json();
    assert_eq!(rep["summary"]["already_restored"], 4, "{rep}");
    assert_eq!(rep["summary"]["succeeded"], 12);
    // The 8 not requested before, each once (a request refused while the first run's 4
    // restores still counted against the quota was asked again, never failed).
    let stats = emu.ctl("stats", json!({}));
    let refused = stats["throttled"]["RestoreTableFromBackup"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(emu.calls("RestoreTableFromBackup") - refused, 8, "{stats}");
    for t in &names {
        assert!(items_in(&emu, "us-east-1", &format!("{t}-dr")) > 0);
    }
}

#[test]
fn a_target_that_exists_for_another_reason_fails_alone() {
    let emu = Emulator::start();
    fleet(&emu, 3);
    emu.create_tables(&["svc-01-copy"]);
    let r = emu.run(&[
        "restore",
        "--table",
        "svc-00",
        "--table",
        "svc-01",
        "--table",
        "svc-02",
        "--latest",
        "--target-template",
        "{table}-copy",
        "--no-settings",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let rep = r.json();
    let by: Vec<(String, String)> = rows(&rep)
        .iter()
        .map(|x| {
            (
                x["target"].as_str().unwrap().to_string(),
                x["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("svc-00-copy".to_string(), "restored".to_string()),
            ("svc-01-copy".to_string(), "failed".to_string()),
            ("svc-02-copy".to_string(), "restored".to_string()),
        ]
    );
    assert!(rows(&rep)[1]["detail"]
        .as_str()
        .unwrap()
        .contains("not made by a restore"));
    assert_eq!(emu.calls("RestoreTableFromBackup"), 2);
    assert_eq!(items_in(&emu, "us-east-1", "svc-01-copy"), 0, "left alone");
}

#[test]
fn two_tables_mapping_to_one_target_is_a_usage_error_before_any_call() {
    let emu = Emulator::start();
    let long_a = format!("{}a", "t".repeat(254));
    let long_b = format!("{}b", "t".repeat(254));
    for args in [
        vec![
            "--table",
            "orders",
            "--table",
            "users",
            "--target-template",
            "restored",
        ],
        // Names shortened to 255 characters that end up the same.
        vec![
            "--table",
            &long_a,
            "--table",
            &long_b,
            "--target-template",
            "dr-{table}",
        ],
    ] {
        let mut full = vec!["restore", "--latest"];
        full.extend(args.iter().copied());
        let r = emu.run(&full);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("would both be restored to"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn point_in_time_sources_restore_and_resume() {
    let emu = Emulator::start();
    fleet(&emu, 3);
    for t in ["svc-00", "svc-01", "svc-02"] {
        emu.call(
            "UpdateContinuousBackups",
            json!({"TableName": t, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        );
    }
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest-restorable",
        "--target-template",
        "{table}-pitr",
        "--no-settings",
        "--output",
        "json",
    ];
    let r = emu.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["summary"]["succeeded"], 3);
    // The point DynamoDB chose, to the millisecond.
    let point = rows(&rep)[0]["point_in_time"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(point).is_ok() && point.len() == 24,
        "{point}"
    );
    assert_eq!(items_in(&emu, "us-east-1", "svc-02-pitr"), 3);
    let again = emu.run(&args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["summary"]["already_restored"], 3);
    assert_eq!(emu.calls("RestoreTableToPointInTime"), 3);
}

#[test]
fn a_dry_run_plans_the_fleet_and_restores_nothing() {
    let emu = Emulator::start();
    fleet(&emu, 6);
    // One target is already restored from the same backup: the plan says so.
    let one = emu.run(&[
        "restore",
        "--table",
        "svc-03",
        "--latest",
        "--target-template",
        "{table}-r",
        "--no-settings",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--match",
        "svc-*",
        "--exclude",
        "svc-05",
        "--latest",
        "--target-template",
        "{table}-r",
        "--max-restores",
        "2",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
    let rep = r.json();
    let plan: Vec<(String, String)> = rows(&rep)
        .iter()
        .map(|x| {
            assert!(x["backup_arn"].as_str().unwrap().contains("/backup/"));
            (
                x["target"].as_str().unwrap().to_string(),
                x["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(plan.len(), 5, "{plan:?}");
    assert_eq!(plan[3], ("svc-03-r".into(), "already_restored".into()));
    assert_eq!(plan[0], ("svc-00-r".into(), "would_restore".into()));
    // Nothing restored is counted as a success: four would be, one already was.
    assert_eq!(rep["summary"]["would_restore"], 4, "{rep}");
    assert_eq!(rep["summary"]["succeeded"], 1, "{rep}");
    let e = &rep["summary"]["estimate"];
    assert_eq!(e["to_restore"], 4);
    assert_eq!(e["waves"], 2);
    assert_eq!(e["request_seconds"], 0.4);
}

#[test]
fn max_restores_bounds_the_restores_in_progress() {
    let emu = Emulator::start();
    fleet(&emu, 9);
    emu.config(json!({"restore_creating_seconds": 1}));
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-b",
        "--max-restores",
        "3",
        "--no-settings",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stats = emu.ctl("stats", json!({}));
    assert_eq!(
        stats["peak_restores"][format!("{BASE_ACCOUNT}/us-east-1")],
        3,
        "{stats}"
    );
    assert_eq!(emu.calls("RestoreTableFromBackup"), 9);
}

#[test]
fn a_config_restores_each_targets_policy_tables_in_its_own_place_and_a_rerun_nothing() {
    const PROD: &str = "123456789012";
    const STAGING: &str = "222222222222";
    let emu = Emulator::start();
    // Each account has tables its policy selects and one it does not.
    emu.create_tables_in(PROD, "us-east-1", &["orders", "users-p"]);
    emu.create_tables_in(STAGING, "us-east-1", &["users-1", "users-2", "orders"]);
    for (account, table) in [
        (PROD, "orders"),
        (PROD, "users-p"),
        (STAGING, "users-1"),
        (STAGING, "users-2"),
        (STAGING, "orders"),
    ] {
        emu.seed_in(
            account,
            "us-east-1",
            table,
            &[(managed_name(table, 3600), 3600, "AVAILABLE", "USER")],
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[targets]]
name = "prod"
regions = ["us-east-1"]
role_arn = "{}"

[[targets]]
name = "staging"
regions = ["us-east-1"]
role_arn = "{}"

[[policy]]
name = "orders"
targets = ["prod"]
tables = ["orders"]

[[policy]]
name = "users"
targets = ["staging"]
match = ["users-*"]
"#,
            role(PROD),
            role(STAGING)
        ),
    )
    .unwrap();
    let restore = || {
        emu.run(&[
            "restore",
            "--config",
            config.to_str().unwrap(),
            "--latest",
            "--target-template",
            "{table}-r",
            "--output",
            "json",
        ])
    };
    let r = restore();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    let mut got: Vec<(String, String, String)> = rows(&rep)
        .iter()
        .map(|x| {
            assert_eq!(x["status"], "restored", "{x}");
            (
                x["target_account"].as_str().unwrap().to_string(),
                x["source_table"].as_str().unwrap().to_string(),
                x["target"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = |a: &str, t: &str| (a.to_string(), t.to_string(), format!("{t}-r"));
    assert_eq!(
        got,
        vec![
            want(PROD, "orders"),
            want(STAGING, "users-1"),
            want(STAGING, "users-2")
        ]
    );
    // Each restore was made in its own account; the tables no policy of a target
    // selects there were not restored.
    assert_eq!(emu.calls_in(PROD, "us-east-1", "RestoreTableFromBackup"), 1);
    assert_eq!(
        emu.calls_in(STAGING, "us-east-1", "RestoreTableFromBackup"),
        2
    );
    let exists = |account: &str, table: &str| {
        emu.ctl(
            "call",
            json!({"op": "DescribeTable", "body": {"TableName": table},
                   "account": account, "region": "us-east-1"}),
        )["status"]
            == 200
    };
    assert!(exists(PROD, "orders-r") && exists(STAGING, "users-1-r"));
    assert!(!exists(PROD, "users-p-r") && !exists(STAGING, "orders-r"));
    assert!(!exists(STAGING, "users-p-r") && !exists(PROD, "users-1-r"));
    // The same command again restores nothing (the restored users-*-r, which the policy's
    // pattern now matches too, are not sources).
    emu.reset_stats();
    let again = restore();
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
    let rep = again.json();
    assert_eq!(rep["summary"]["tables"], 3, "{rep}");
    assert_eq!(rep["summary"]["already_restored"], 3, "{rep}");
}

/// `stats`' count of `op` across accounts and regions that the emulator throttled.
fn throttled(emu: &Emulator, op: &str) -> u64 {
    emu.ctl("stats", json!({}))["throttled"][op]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn a_stop_while_restores_are_being_requested_reports_them_and_two_signals_keep_the_report() {
    let emu = Emulator::start();
    fleet(&emu, 3);
    // Each request hangs: the stop comes while all three are on their way.
    emu.faults(json!([{"op": "RestoreTableFromBackup", "kind": "stall", "seconds": 20}]));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("fleet.json");
    let report_arg = report.to_str().unwrap();
    let child = spawn(
        &emu,
        &[
            "restore",
            "--match",
            "svc-*",
            "--latest",
            "--target-template",
            "{table}-dr",
            "--no-settings",
            "--report",
            report_arg,
            "--output",
            "json",
        ],
    );
    wait_for_calls(&emu, "RestoreTableFromBackup", 3);
    std::thread::sleep(Duration::from_millis(200));
    // Two signals in a row (a second Ctrl-C, or a supervisor's): the report is still made.
    signal(&child, "TERM");
    std::thread::sleep(Duration::from_millis(50));
    signal(&child, "TERM");
    let r = finish(
        child,
        Duration::from_secs(15),
        "fleet restore stopped twice",
    );
    assert_eq!(r.code, 130, "{}", r.stderr);
    let rep = r.json();
    let saved: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        saved["results"], rep["results"],
        "the report file holds what was printed"
    );
    assert_eq!(rep["summary"]["tables"], 3, "{rep}");
    assert_eq!(
        rep["summary"]["failed"], 0,
        "a stop is not a failure: {rep}"
    );
    for row in rows(&rep) {
        // Sent but unanswered: it may be restoring; never "failed", never "not started".
        assert_eq!(row["status"], "restoring", "{row}");
        let detail = row["detail"].as_str().unwrap();
        assert!(detail.contains("may be restoring"), "{detail}");
        assert!(row["target"].as_str().unwrap().ends_with("-dr"));
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn a_stop_during_settings_is_interrupted_and_the_rerun_keeps_each_tables_recovery_time() {
    let emu = Emulator::start();
    let names = fleet(&emu, 3);
    // A setting to copy (the source's point-in-time recovery), whose update hangs.
    for t in &names {
        emu.call(
            "UpdateContinuousBackups",
            json!({"TableName": t, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        );
    }
    emu.config(json!({"restore_creating_seconds": 1}));
    emu.faults(json!([{"op": "UpdateContinuousBackups", "kind": "stall", "seconds": 20}]));
    emu.reset_stats();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("fleet.json");
    let report_arg = report.to_str().unwrap();
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-dr",
        "--report",
        report_arg,
        "--output",
        "json",
    ];
    let child = spawn(&emu, &args);
    wait_for_calls(&emu, "UpdateContinuousBackups", 3);
    signal(&child, "INT");
    let r = finish(
        child,
        Duration::from_secs(15),
        "fleet restore stopped in its settings",
    );
    assert_eq!(r.code, 130, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["summary"]["interrupted_tables"], 3, "{rep}");
    assert_eq!(rep["summary"]["failed"], 0, "{rep}");
    let mut first = std::collections::BTreeMap::new();
    for row in rows(&rep) {
        assert_eq!(row["status"], "interrupted", "{row}");
        assert!(
            row["detail"]
                .as_str()
                .unwrap()
                .contains("a rerun finishes it"),
            "{row}"
        );
        let rto = row["seconds_to_active"].as_f64().expect("ACTIVE was seen");
        first.insert(row["target"].as_str().unwrap().to_string(), rto);
    }
    // Timestamps to DynamoDB's millisecond.
    let at = rows(&rep)[0]["requested_at"].as_str().unwrap();
    assert_eq!(at.len(), 24, "{at}");

    emu.faults(json!([]));
    emu.reset_stats();
    let again = emu.run(&args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let rep = again.json();
    assert_eq!(rep["summary"]["already_restored"], 3, "{rep}");
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
    for row in rows(&rep) {
        assert_eq!(row["settings"], "applied", "{row}");
        // The recovery time measured by the first run, kept through its report.
        let t = row["target"].as_str().unwrap();
        assert_eq!(row["seconds_to_active"].as_f64(), Some(first[t]), "{row}");
    }
    for t in &names {
        let d = emu.call(
            "DescribeContinuousBackups",
            json!({"TableName": format!("{t}-dr")}),
        );
        assert_eq!(
            d["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
                ["PointInTimeRecoveryStatus"],
            "ENABLED",
            "{d}"
        );
    }
}

#[test]
fn point_in_time_restores_into_another_region_and_resume() {
    let emu = Emulator::start();
    let names = fleet(&emu, 2);
    for t in &names {
        emu.call(
            "UpdateContinuousBackups",
            json!({"TableName": t, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        );
    }
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest-restorable",
        "--target-region",
        "eu-west-1",
        "--no-settings",
        "--verify",
        "--output",
        "json",
    ];
    let r = emu.run(&args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let rep = r.json();
    assert_eq!(rep["summary"]["succeeded"], 2, "{rep}");
    for (i, t) in names.iter().enumerate() {
        assert_eq!(items_in(&emu, "eu-west-1", t), i % 4 + 1, "{t}");
        let d = call_in(&emu, "eu-west-1", "DescribeTable", json!({"TableName": t}));
        let from = d["body"]["Table"]["RestoreSummary"]["SourceTableArn"]
            .as_str()
            .unwrap();
        assert!(
            from.contains(":us-east-1:") && from.ends_with(&format!("table/{t}")),
            "{from}"
        );
    }
    let again = emu.run(&args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["summary"]["already_restored"], 2);
    assert_eq!(
        emu.calls_in(BASE_ACCOUNT, "eu-west-1", "RestoreTableToPointInTime"),
        2
    );
}

#[test]
fn each_account_restores_its_own_tables() {
    let emu = Emulator::start();
    const OTHER: &str = "222222222222";
    let roles = [
        "--role-arn",
        &role(BASE_ACCOUNT),
        "--role-arn",
        &role(OTHER),
    ];
    for a in [BASE_ACCOUNT, OTHER] {
        emu.create_tables_in(a, "us-east-1", &["orders"]);
    }
    let mut backup = roles.to_vec();
    backup.extend(["backup", "--table", "orders", "--wait"]);
    assert_eq!(emu.run(&backup).code, 0);
    let mut args = roles.to_vec();
    args.extend([
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target-template",
        "{table}-dr",
        "--target-region",
        "eu-west-1",
        "--no-settings",
        "--output",
        "json",
    ]);
    let r = emu.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    let mut places: Vec<(String, String)> = rows(&rep)
        .iter()
        .map(|x| {
            let arn = x["backup_arn"].as_str().unwrap();
            let account = x["target_account"].as_str().unwrap().to_string();
            // Each account's backup, restored in the same account.
            assert!(
                arn.contains(&format!(":{account}:table/orders/backup/")),
                "{arn}"
            );
            (account, x["target_region"].as_str().unwrap().to_string())
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            (BASE_ACCOUNT.to_string(), "eu-west-1".to_string()),
            (OTHER.to_string(), "eu-west-1".to_string())
        ]
    );
    for a in [BASE_ACCOUNT, OTHER] {
        assert_eq!(
            emu.calls_in(a, "eu-west-1", "RestoreTableFromBackup"),
            1,
            "{a}"
        );
    }
    assert_eq!(throttled(&emu, "RestoreTableFromBackup"), 0);
}

#[test]
fn what_a_rerun_could_not_resume_or_would_race_is_refused_before_any_call() {
    let emu = Emulator::start();
    for (args, says) in [
        (
            vec![
                "--table",
                "orders",
                "--table",
                "users",
                "--to-time",
                "2h",
                "--target-template",
                "{table}-r",
            ],
            "absolute --to-time",
        ),
        (
            vec![
                "--table",
                "orders",
                "--table",
                "orders-r",
                "--latest",
                "--target-template",
                "{table}-r",
            ],
            "also the target of",
        ),
        (
            vec![
                "--match",
                "o*",
                "--latest",
                "--target-template",
                "{table}-replace-{timestamp}",
            ],
            "staging table",
        ),
        (
            vec![
                "--region",
                "us-east-1,us-west-2",
                "--match",
                "o*",
                "--latest",
                "--target-region",
                "eu-west-1",
            ],
            "one region at a time",
        ),
    ] {
        let mut full = vec!["restore"];
        full.extend(args.iter().copied());
        let r = emu.run(&full);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn a_table_named_like_a_target_stays_a_source_unless_it_is_a_restore_of_one() {
    let emu = Emulator::start();
    fleet(&emu, 2);
    // svc-00-r is an ordinary table (not a restore): it is a source too, and svc-00's
    // restore fails rather than dropping it or touching it.
    emu.create_tables(&["svc-00-r"]);
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-r",
        "--no-settings",
        "--output",
        "json",
    ];
    let r = emu.run(&args);
    let rep = r.json();
    let by: std::collections::BTreeMap<String, String> = rows(&rep)
        .iter()
        .map(|x| {
            (
                x["source_table"].as_str().unwrap().to_string(),
                x["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        by.get("svc-00").map(String::as_str),
        Some("failed"),
        "{rep}"
    );
    assert_eq!(
        by.get("svc-01").map(String::as_str),
        Some("restored"),
        "{rep}"
    );
    assert!(
        by.contains_key("svc-00-r"),
        "an ordinary table is never left out: {rep}"
    );
    // svc-01-r is a restore of svc-01: on a rerun it is left out of the sources.
    let again = emu.run(&args);
    let rep = again.json();
    assert!(
        rows(&rep).iter().all(|x| x["source_table"] != "svc-01-r"),
        "{rep}"
    );
}

#[test]
fn the_same_command_twice_at_once_restores_each_table_once_and_both_succeed() {
    let emu = Emulator::start();
    fleet(&emu, 3);
    emu.config(json!({"restore_creating_seconds": 3}));
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-cc",
        "--no-settings",
        "--output",
        "json",
    ];
    let first = spawn(&emu, &args);
    let second = spawn(&emu, &args);
    let a = finish(first, Duration::from_secs(60), "first of two runs");
    let b = finish(second, Duration::from_secs(60), "second of two runs");
    for r in [&a, &b] {
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.json()["summary"]["succeeded"], 3);
    }
    let made: u64 = ["svc-00-cc", "svc-01-cc", "svc-02-cc"]
        .iter()
        .map(|t| u64::from(items_in(&emu, "us-east-1", t) > 0))
        .sum();
    assert_eq!(made, 3);
}

#[test]
fn a_rerun_with_its_report_resumes_from_the_same_backups_and_keeps_what_was_finished() {
    let emu = Emulator::start();
    let names = fleet(&emu, 3);
    emu.config(json!({"restore_creating_seconds": 3, "max_restores_in_progress": 1}));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("dr.json");
    let report_arg = report.to_str().unwrap();
    let args = [
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-nd",
        "--max-restores",
        "1",
        "--report",
        report_arg,
        "--output",
        "json",
    ];
    let child = spawn(&emu, &args);
    wait_for_calls(&emu, "RestoreTableFromBackup", 1);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let r = finish(child, Duration::from_secs(20), "stopped fleet");
    assert_eq!(r.code, 130, "{}", r.stderr);
    // The backups there were before the fleet started: one per table.
    let before: std::collections::BTreeMap<String, String> = names
        .iter()
        .map(|t| {
            (
                format!("{t}-nd"),
                emu.backup_names(t).into_iter().next().unwrap(),
            )
        })
        .collect();
    // A backup made in between (the nightly run) does not split the fleet.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(emu.run(&["backup", "--match", "svc-*", "--wait"]).code, 0);
    emu.config(json!({"restore_creating_seconds": 1, "max_restores_in_progress": 0}));
    let again = emu.run(&args);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    let rep = again.json();
    for x in rows(&rep) {
        let t = x["target"].as_str().unwrap();
        assert_eq!(x["backup_name"].as_str().unwrap(), before[t], "{x}");
    }
    // The fleet's start is the first run's.
    let first_start = r.json()["fleet_started_at"].clone();
    assert_eq!(rep["fleet_started_at"], first_start);
    // Finished: a change made since to a restored table is not undone by a third run.
    let arn = emu.call("DescribeTable", json!({"TableName": "svc-00-nd"}))["Table"]["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    emu.call(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [{"Key": "owner", "Value": "dr-team"}]}),
    );
    emu.reset_stats();
    let third = emu.run(&args);
    assert_eq!(third.code, 0, "{}", third.stdout);
    assert_eq!(third.json()["summary"]["already_restored"], 3);
    assert_eq!(
        emu.calls("TagResource") + emu.calls("UntagResource"),
        0,
        "{}",
        third.stdout
    );
    let tags = emu.call("ListTagsOfResource", json!({"ResourceArn": arn}));
    assert!(tags.to_string().contains("dr-team"), "{tags}");
}

#[test]
fn a_failed_count_is_not_forgotten_by_a_rerun_without_verify() {
    let emu = Emulator::start();
    fleet(&emu, 2);
    emu.config(json!({"restore_drop_items": 1}));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("v.json");
    let report_arg = report.to_str().unwrap();
    let mut args = vec![
        "restore",
        "--table",
        "svc-01",
        "--table",
        "svc-03",
        "--latest",
        "--target-template",
        "{table}-vd",
        "--no-settings",
        "--report",
        report_arg,
        "--output",
        "json",
    ];
    // svc-03 has no backup: svc-01 alone restores (and fails its count).
    let _ = emu.run(&["backup", "--table", "svc-01"]);
    args.push("--verify");
    let r = emu.run(&args);
    let row = rows(&r.json())
        .iter()
        .find(|x| x["source_table"] == "svc-01")
        .cloned()
        .unwrap();
    assert_eq!(row["verification"]["status"], "failed", "{row}");
    args.pop();
    let again = emu.run(&args);
    let row = rows(&again.json())
        .iter()
        .find(|x| x["source_table"] == "svc-01")
        .cloned()
        .unwrap();
    assert_eq!(row["status"], "failed", "{row}");
    assert_eq!(row["verification"]["status"], "failed", "{row}");
    assert!(
        row["detail"].as_str().unwrap().contains("earlier run"),
        "{row}"
    );
    assert_ne!(again.code, 0);
}

#[test]
fn a_restore_slower_than_timeout_is_still_restoring_and_a_report_lost_goes_to_stdout() {
    let emu = Emulator::start();
    fleet(&emu, 2);
    emu.config(json!({"restore_creating_seconds": 6}));
    let r = emu.run(&[
        "restore",
        "--match",
        "svc-*",
        "--latest",
        "--target-template",
        "{table}-t",
        "--no-settings",
        "--timeout",
        "1s",
        "--output",
        "json",
    ]);
    assert_ne!(r.code, 0, "nothing finished");
    for x in rows(&r.json()) {
        assert_eq!(x["status"], "restoring", "{x}");
        assert!(
            x["detail"]
                .as_str()
                .unwrap()
                .contains("a rerun finishes it"),
            "{x}"
        );
    }
    // --report the config file: refused before any call.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"p\"\ntables = [\"svc-*\"]\n[policy.retention]\nkeep_last = 3\n",
    )
    .unwrap();
    let c = config.to_str().unwrap();
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--config",
        c,
        "--latest",
        "--target-template",
        "{table}-r",
        "--report",
        c,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is the config file"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
    // A report whose directory disappears during the run is printed instead, exit 1.
    let gone = dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let path = gone.join("r.json");
    let child = spawn(
        &emu,
        &[
            "restore",
            "--table",
            "svc-00",
            "--table",
            "svc-01",
            "--latest",
            "--target-template",
            "{table}-g",
            "--no-settings",
            "--report",
            path.to_str().unwrap(),
        ],
    );
    wait_for_calls(&emu, "RestoreTableFromBackup", 2);
    std::fs::remove_dir_all(&gone).unwrap();
    let r = finish(child, Duration::from_secs(60), "report lost");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("printed on stdout instead"),
        "{}",
        r.stderr
    );
    assert_eq!(rows(&r.json()).len(), 2);
}

#[test]
fn a_narrowed_rerun_keeps_the_other_tables_rows_and_a_dry_run_never_replaces_the_report() {
    let emu = Emulator::start();
    let names = fleet(&emu, 3);
    emu.config(json!({"restore_creating_seconds": 3, "max_restores_in_progress": 1}));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("dr.json");
    let report_arg = report.to_str().unwrap();
    let with = |selection: &[&'static str], extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = vec!["restore".into()];
        v.extend(selection.iter().map(|s| s.to_string()));
        for s in [
            "--latest",
            "--target-template",
            "{table}-nr",
            "--report",
            report_arg,
            "--output",
            "json",
        ] {
            v.push(s.to_string());
        }
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let full = with(&["--match", "svc-*"], &["--max-restores", "1"]);
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    let child = spawn(&emu, &full);
    wait_for_calls(&emu, "RestoreTableFromBackup", 1);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let first = finish(child, Duration::from_secs(20), "stopped fleet");
    assert_eq!(first.code, 130, "{}", first.stderr);
    let started = first.json()["fleet_started_at"].clone();
    let before: std::collections::BTreeMap<String, String> = names
        .iter()
        .map(|t| {
            let name = emu.backup_names(t).into_iter().next().unwrap();
            (format!("{t}-nr"), name)
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(emu.run(&["backup", "--match", "svc-*", "--wait"]).code, 0);
    emu.config(json!({"restore_creating_seconds": 0, "max_restores_in_progress": 0}));

    // One table redone by hand, with the same report: the others' rows stay in it.
    let one = with(&["--table", "svc-02"], &[]);
    let one: Vec<&str> = one.iter().map(String::as_str).collect();
    let narrowed = emu.run(&one);
    assert_eq!(narrowed.code, 0, "{}\n{}", narrowed.stdout, narrowed.stderr);
    let file: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(rows(&file).len(), 1, "{file}");
    assert_eq!(
        rows(&file)[0]["backup_name"].as_str(),
        Some(before["svc-02-nr"].as_str())
    );
    let carried: Vec<&str> = file["carried"]
        .as_array()
        .map(|c| c.iter().filter_map(|x| x["target"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(carried, vec!["svc-00-nr", "svc-01-nr"], "{file}");
    assert_eq!(file["fleet_started_at"], started);

    // A dry run would write its plan over the file a rerun resumes from: refused.
    let saved = std::fs::read(&report).unwrap();
    emu.reset_stats();
    let dry = with(&["--match", "svc-*"], &["--dry-run"]);
    let dry: Vec<&str> = dry.iter().map(String::as_str).collect();
    let r = emu.run(&dry);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.err_lines().len(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("give the dry run another --report"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.total_calls(), 0);
    assert_eq!(std::fs::read(&report).unwrap(), saved);

    // The whole fleet again: every table from the backup the first run chose.
    let again = emu.run(&full);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    let rep = again.json();
    assert_eq!(rows(&rep).len(), 3, "{rep}");
    for x in rows(&rep) {
        let t = x["target"].as_str().unwrap();
        assert_eq!(x["backup_name"].as_str().unwrap(), before[t], "{x}");
    }
    assert_eq!(rep["fleet_started_at"], started);
    assert!(rep.get("carried").is_none(), "{rep}");
}
