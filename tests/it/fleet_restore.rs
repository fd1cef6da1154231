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
    assert_eq!(rows(&rep)[0]["point_in_time"], "latest restorable");
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
