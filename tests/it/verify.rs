//! `verify`: restore drills into scratch tables that are always dropped.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

/// A table with `n` items, backed up by the tool.
fn backed_up(emu: &Emulator, table: &str, n: usize) {
    emu.create_tables(&[table]);
    for i in 0..n {
        emu.call(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": format!("item-{i}")}}}),
        );
    }
    let r = emu.run(&["backup", "--table", table, "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn tables(emu: &Emulator) -> Vec<Value> {
    emu.call("ListTables", json!({}))["TableNames"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_drill_restores_checks_counts_and_drops_its_scratch_table() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 25);
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("verify.prom");
    let r = emu.run(&[
        "verify",
        "--table",
        "orders",
        "--metrics-file",
        metrics.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let d = &j["tables"][0];
    assert_eq!(d["outcome"], "passed", "{d}");
    assert_eq!(d["items"], 25);
    assert_eq!(d["dropped"], true);
    assert!(d["restore_seconds"].as_f64().unwrap() >= 0.0);
    assert!(d["scratch_table"]
        .as_str()
        .unwrap()
        .starts_with("orders-verify-"));
    let checks: Vec<&str> = d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["passed"], true, "{c}");
            assert_eq!(c["status"], "passed", "{c}");
            c["check"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        checks,
        [
            "key_schema",
            "global_secondary_indexes",
            "local_secondary_indexes",
            "billing",
            "item_count"
        ]
    );
    assert_eq!(
        tables(&emu),
        vec![json!("orders")],
        "no scratch table is left"
    );
    let prom = std::fs::read_to_string(&metrics).unwrap();
    let labels = "{account=\"123456789012\",region=\"us-east-1\",table=\"orders\"}";
    assert!(
        prom.contains(&format!("ddb_backup_verify_items{labels} 25")),
        "{prom}"
    );
    assert!(prom.contains(&format!(
        "ddb_backup_verify_last_success_timestamp_seconds{labels} 1"
    )));
    assert!(prom.contains(&format!("ddb_backup_verify_failure{labels} 0")));
}

fn check(d: &Value, name: &str) -> Value {
    d["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {d}"))
        .clone()
}

/// A backup whose description lists its table's indexes is checked against them; one whose
/// description has no index details (no SourceTableFeatureDetails) says nothing about
/// them: that check is "unknown", neither passed nor failed, and the rest is still checked.
#[test]
fn a_backup_described_without_index_details_reads_its_indexes_as_unknown() {
    let emu = Emulator::start();
    emu.backed_up_with_an_index("orders", 10);
    let r = emu.run(&["verify", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["tables"][0];
    assert_eq!(d["outcome"], "passed", "{d}");
    let gsi = check(d, "global_secondary_indexes");
    assert_eq!(gsi["status"], "passed", "{gsi}");
    assert_eq!(gsi["expected"], "by-status (status HASH)");
    assert_eq!(check(d, "local_secondary_indexes")["expected"], "none");

    emu.config(json!({"describe_backup_without_features": true}));
    let r = emu.run(&["verify", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["tables"][0];
    assert_eq!(d["outcome"], "passed", "{d}");
    for name in ["global_secondary_indexes", "local_secondary_indexes"] {
        let c = check(d, name);
        assert_eq!(c["status"], "unknown", "{c}");
        assert_eq!(c["passed"], false, "{c}");
        assert!(
            c["reason"]
                .as_str()
                .unwrap()
                .starts_with("the backup's description does not list"),
            "{c}"
        );
    }
    assert_eq!(
        check(d, "global_secondary_indexes")["actual"],
        "by-status (status HASH)"
    );
    for name in ["key_schema", "billing", "item_count"] {
        assert_eq!(check(d, name)["status"], "passed", "{name}: {d}");
    }
    assert_eq!(check(d, "item_count")["expected"], "10");
    assert_eq!(
        d["detail"],
        "not checked (unknown): global_secondary_indexes, local_secondary_indexes"
    );
    assert_eq!(
        tables(&emu),
        vec![json!("orders")],
        "no scratch table is left"
    );
}

#[test]
fn a_restore_that_loses_items_fails_the_drill_with_the_numbers() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 25);
    emu.config(json!({"restore_drop_items": 3}));
    let r = emu.run(&["verify", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let d = &r.json()["tables"][0];
    assert_eq!(d["outcome"], "failed");
    assert_eq!(d["detail"], "item_count: expected 25, got 22");
    assert_eq!(d["items"], 22);
    assert_eq!(tables(&emu), vec![json!("orders")]);
    assert!(
        r.stderr.contains("item_count: expected 25, got 22"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_stop_while_waiting_drops_the_scratch_table_then_exits_130() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 5);
    // The scratch table stays CREATING (and cannot be deleted) for 3 s.
    emu.config(json!({"restore_creating_seconds": 3}));
    let child = spawn(&emu, &["verify", "--table", "orders", "-o", "json"]);
    wait_for_calls(&emu, "RestoreTableFromBackup", 1);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "TERM");
    let r = finish(
        child,
        Duration::from_secs(30),
        "verify stopped while waiting",
    );
    assert_eq!(r.code, 130, "{}", r.stderr);
    assert_eq!(
        tables(&emu),
        vec![json!("orders")],
        "the scratch table was dropped"
    );
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["tables"][0]["outcome"], "interrupted");
    assert_eq!(j["tables"][0]["dropped"], true);
}

#[test]
fn a_scratch_table_left_by_a_killed_drill_is_dropped_by_the_next() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 5);
    emu.create_tables(&["orders-verify-notreally", "other-verify-20261123T000000Z"]);
    emu.config(json!({"restore_creating_seconds": 2}));
    let mut child = spawn(&emu, &["verify", "--table", "orders"]);
    wait_for_calls(&emu, "TagResource", 1);
    child.kill().unwrap();
    let _ = child.wait();
    let scratch: Vec<Value> = tables(&emu)
        .into_iter()
        .filter(|t| t.as_str().unwrap().starts_with("orders-verify-2"))
        .collect();
    assert_eq!(scratch.len(), 1, "the killed drill left its scratch table");
    std::thread::sleep(Duration::from_millis(2500));
    let r = emu.run(&["verify", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(
        j["leftovers_dropped"].as_array().unwrap().len(),
        1,
        "{}",
        j["leftovers_dropped"]
    );
    assert_eq!(j["leftovers_dropped"][0]["table"], scratch[0]);
    // Only the tagged scratch table went: look-alikes without the tag stay.
    let mut left: Vec<String> = tables(&emu)
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "orders",
            "orders-verify-notreally",
            "other-verify-20261123T000000Z"
        ]
    );
    assert!(
        r.stderr
            .contains("has no ddb-backup:verify tag: not dropped"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_dry_run_names_the_backup_and_restores_nothing() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 5);
    emu.reset_stats();
    let r = emu.run(&["verify", "--table", "orders", "--dry-run", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["tables"][0];
    assert_eq!(d["outcome"], "would_verify");
    let summary = &r.json()["summary"];
    assert_eq!(
        (&summary["passed"], &summary["would_verify"]),
        (&json!(0), &json!(1))
    );
    let human = emu.run(&["verify", "--table", "orders", "--dry-run", "-o", "table"]);
    assert!(
        human
            .stdout
            .contains("1 table: 1 would be verified (dry run: nothing restored), 0 failed"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("passed"), "{}", human.stdout);
    assert!(d["backup_name"]
        .as_str()
        .unwrap()
        .starts_with("ddb-backup.orders."));
    assert_eq!(
        emu.calls("RestoreTableFromBackup") + emu.calls("DeleteTable"),
        0
    );
}

#[test]
fn run_performs_a_due_drill_and_skips_one_that_is_not_due() {
    let emu = Emulator::start();
    backed_up(&emu, "orders", 7);
    backed_up(&emu, "users", 3);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"drilled\"\ntables = [\"orders\"]\n[policy.verify]\nevery = \"7d\"\n\n\
         [[policy]]\nname = \"plain\"\ntables = [\"users\"]\n",
    )
    .unwrap();
    let (config, metrics) = (config.to_str().unwrap(), dir.path().join("m.prom"));
    // Without a metrics file, nothing remembers the last drill: refused before any call.
    emu.reset_stats();
    let r = emu.run(&["run", "--config", config]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("give --metrics-file"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
    // First run: the drill is due (never made).
    let run = |emu: &Emulator| {
        emu.run(&[
            "run",
            "--config",
            config,
            "--metrics-file",
            metrics.to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let r = run(&emu);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let orders = j["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "orders")
        .unwrap();
    assert_eq!(orders["verify"]["outcome"], "passed", "{orders}");
    assert_eq!(orders["verify"]["items"], 7);
    let users = j["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "users")
        .unwrap();
    assert!(users["verify"].is_null() && users["verify_skipped"].is_null());
    assert_eq!(emu.calls("RestoreTableFromBackup"), 1);
    assert_eq!(tables(&emu).len(), 2, "the scratch table was dropped");
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(prom.contains("ddb_backup_verify_last_success_timestamp_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"orders\"}"), "{prom}");
    assert!(prom.contains("ddb_backup_table_last_success_timestamp_seconds"));
    // Second run: not due for 7 days.
    let r = run(&emu);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let orders = j["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "orders")
        .unwrap();
    assert!(orders["verify"].is_null());
    assert!(
        orders["verify_skipped"]
            .as_str()
            .unwrap()
            .starts_with("not due"),
        "{orders}"
    );
    assert_eq!(emu.calls("RestoreTableFromBackup"), 1, "no second drill");
    // The record of the last drill survives the run that made none.
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(prom.contains("ddb_backup_verify_last_success_timestamp_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"orders\"}"), "{prom}");
}
