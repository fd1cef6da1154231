//! `restore --replace`: a backup (or point in time) restored into the table's own name.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::*;

/// The table's items as pk → value.
fn items(emu: &Emulator, table: &str) -> BTreeMap<String, String> {
    emu.call("Scan", json!({ "TableName": table }))["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["pk"]["S"].as_str().unwrap().to_string(),
                i["v"]["S"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn put(emu: &Emulator, table: &str, pk: &str, v: &str) {
    emu.call(
        "PutItem",
        json!({"TableName": table, "Item": {"pk": {"S": pk}, "v": {"S": v}}}),
    );
}

fn table_arn(emu: &Emulator, table: &str) -> String {
    emu.call("DescribeTable", json!({ "TableName": table }))["Table"]["TableArn"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A table with 5 items, a tag and TTL, backed up by the tool, then changed.
fn changed_after_backup(emu: &Emulator) -> BTreeMap<String, String> {
    emu.create_tables(&["orders"]);
    for i in 0..5 {
        put(emu, "orders", &format!("item-{i}"), "original");
    }
    emu.call(
        "TagResource",
        json!({"ResourceArn": table_arn(emu, "orders"), "Tags": [{"Key": "team", "Value": "payments"}]}),
    );
    emu.call(
        "UpdateTimeToLive",
        json!({"TableName": "orders", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
    );
    let before = items(emu, "orders");
    let r = emu.run(&["backup", "--table", "orders", "--wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // After the backup: one item changed, one deleted, two added.
    put(emu, "orders", "item-0", "changed");
    emu.call(
        "DeleteItem",
        json!({"TableName": "orders", "Key": {"pk": {"S": "item-1"}}}),
    );
    put(emu, "orders", "new-1", "new");
    put(emu, "orders", "new-2", "new");
    assert_ne!(items(emu, "orders"), before);
    before
}

#[test]
fn replace_puts_the_backups_items_back_and_keeps_a_safety_backup() {
    let emu = Emulator::start();
    let before = changed_after_backup(&emu);
    let after_changes = items(&emu, "orders");
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
    let j = r.json();
    let steps: Vec<(&str, &str)> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("record_settings", "done"),
            ("safety_backup", "done"),
            ("delete_table", "done"),
            ("restore", "done"),
            ("wait_active", "done"),
            ("reapply_settings", "done")
        ]
    );
    // The data is the backup's again; the settings are back.
    assert_eq!(items(&emu, "orders"), before);
    let tags = emu.call(
        "ListTagsOfResource",
        json!({ "ResourceArn": table_arn(&emu, "orders") }),
    );
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "payments"}]));
    let ttl = emu.call("DescribeTimeToLive", json!({ "TableName": "orders" }));
    assert_eq!(ttl["TimeToLiveDescription"]["AttributeName"], "expires");
    // The safety backup holds the state just before, and no prune touches it.
    let safety = j["safety_backup_arn"].as_str().unwrap().to_string();
    assert!(safety.contains(":table/orders/backup/"));
    let safety_name = emu
        .backup_names("orders")
        .into_iter()
        .find(|n| n.starts_with("ddb-backup-safety.orders."))
        .expect("a safety backup");
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(emu.backup_names("orders").contains(&safety_name));
    let r = emu.run(&[
        "restore",
        "--backup-arn",
        &safety,
        "--target",
        "orders-before-replace",
        "--wait",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(items(&emu, "orders-before-replace"), after_changes);
}

#[test]
fn replace_needs_yes_off_a_terminal_and_refuses_before_any_call() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.reset_stats();
    let r = emu.run(&["restore", "--table", "orders", "--latest", "--replace"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.err_lines().len(), 1);
    assert!(r.stderr.contains("confirm with --yes"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
    // --replace names its own target.
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--target",
        "x-y-z",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn deletion_protection_is_refused_unless_lifted_and_comes_back() {
    let emu = Emulator::start();
    let before = changed_after_backup(&emu);
    let current = items(&emu, "orders");
    emu.call(
        "UpdateTable",
        json!({"TableName": "orders", "DeletionProtectionEnabled": true}),
    );
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("has deletion protection: nothing was changed"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("CreateBackup") + emu.calls("DeleteTable"), 0);
    assert_eq!(items(&emu, "orders"), current);
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
        "--disable-deletion-protection",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(items(&emu, "orders"), before);
    let t = emu.call("DescribeTable", json!({ "TableName": "orders" }));
    assert_eq!(t["Table"]["DeletionProtectionEnabled"], true);
}

#[test]
fn a_failure_after_the_deletion_prints_a_recovery_command_that_works() {
    let emu = Emulator::start();
    changed_after_backup(&emu);
    let current = items(&emu, "orders");
    // The restore under the table's name is refused, after the table was deleted.
    emu.faults(json!([{"op": "RestoreTableFromBackup", "kind": "access_denied", "next": 1}]));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--yes",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r
        .err_lines()
        .into_iter()
        .find(|l| l.starts_with("error: "))
        .unwrap()
        .to_string();
    assert!(
        line.contains("was deleted, but its restore failed"),
        "{line}"
    );
    let cmd = line
        .split("put the safety backup back with: ")
        .nth(1)
        .and_then(|rest| rest.split("; then re-apply").next())
        .unwrap_or_else(|| panic!("no recovery command in: {line}"));
    assert!(cmd.contains("restore --backup-arn"), "{cmd}");
    assert!(line.contains("tags: team=payments"), "{line}");
    assert!(emu.call("ListTables", json!({}))["TableNames"]
        .as_array()
        .unwrap()
        .is_empty());
    // The printed command, as printed, puts the table back as it was before.
    emu.faults(json!([]));
    let words: Vec<String> = cmd.split_whitespace().skip(1).map(str::to_string).collect();
    let r = emu.run(&words.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{cmd}: {}", r.stderr);
    assert_eq!(items(&emu, "orders"), current);
}

#[test]
fn a_point_in_time_is_staged_as_a_backup_before_the_table_is_deleted() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    for i in 0..3 {
        put(&emu, "orders", &format!("item-{i}"), "original");
    }
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest-restorable",
        "--replace",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let steps: Vec<&str> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    // Staged (restored to a staging table, backed up, dropped) before the deletion.
    let at = |name: &str| steps.iter().position(|s| *s == name).unwrap();
    assert!(at("safety_backup") < at("stage_point_in_time"));
    assert!(at("drop_staging_table") < at("delete_table"));
    let tables: Vec<Value> = emu.call("ListTables", json!({}))["TableNames"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tables, vec![json!("orders")], "the staging table is gone");
    assert_eq!(items(&emu, "orders").len(), 3);
    // Point-in-time recovery is on again (a restored table has it off).
    let pitr = emu.call(
        "DescribeContinuousBackups",
        json!({ "TableName": "orders" }),
    );
    assert_eq!(
        pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
            ["PointInTimeRecoveryStatus"],
        "ENABLED"
    );
}

#[test]
fn a_dry_run_only_plans() {
    let emu = Emulator::start();
    changed_after_backup(&emu);
    let current = items(&emu, "orders");
    emu.reset_stats();
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--replace",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "planned"));
    // The steps of the real run, in its order.
    let steps: Vec<&str> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "record_settings",
            "safety_backup",
            "delete_table",
            "restore",
            "wait_active",
            "reapply_settings"
        ]
    );
    assert_eq!(
        emu.calls("CreateBackup") + emu.calls("DeleteTable") + emu.calls("RestoreTableFromBackup"),
        0
    );
    assert_eq!(items(&emu, "orders"), current);
}

#[test]
fn a_stop_after_the_deletion_still_restores_the_table() {
    let emu = Emulator::start();
    let before = changed_after_backup(&emu);
    emu.reset_stats();
    // Slow answers widen the window between the deletion and the restore request.
    emu.config(json!({"latency_ms": 300}));
    let child = spawn(
        &emu,
        &[
            "restore",
            "--table",
            "orders",
            "--latest",
            "--replace",
            "--yes",
        ],
    );
    wait_for_calls(&emu, "DeleteTable", 1);
    signal(&child, "TERM");
    let r = finish(
        child,
        std::time::Duration::from_secs(30),
        "replace stopped mid-way",
    );
    assert_eq!(r.code, 130, "{}", r.stderr);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 1, "{}", r.stderr);
    emu.config(json!({"latency_ms": 0}));
    assert_eq!(items(&emu, "orders"), before);
}
