//! `backup`: fleets, names, waiting, idempotent reruns, rate limits.

use serde_json::{json, Value};

use crate::common::*;

fn results(v: &Value) -> Vec<Value> {
    v["results"].as_array().unwrap().clone()
}

#[test]
fn three_tables_and_a_missing_one_is_a_partial_failure_with_four_outcomes() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users", "payments"]);
    let r = emu.run(&[
        "backup",
        "-t",
        "orders",
        "-t",
        "users",
        "-t",
        "payments",
        "-t",
        "missing-table",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let rep = r.json();
    let res = results(&rep);
    assert_eq!(res.len(), 4);
    for t in ["orders", "users", "payments"] {
        let x = res.iter().find(|x| x["table"] == t).unwrap();
        assert!(
            x["outcome"] == "available" || x["outcome"] == "creating",
            "{x}"
        );
        let name = x["backup_name"].as_str().unwrap();
        assert!(name.starts_with(&format!("ddb-backup.{t}.")) && name.len() <= 255);
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
        assert_eq!(emu.backups(t).len(), 1);
    }
    let missing = res.iter().find(|x| x["table"] == "missing-table").unwrap();
    assert_eq!(missing["outcome"], "failed");
    assert!(missing["detail"]
        .as_str()
        .unwrap()
        .contains("missing-table"));
    assert!(r.stderr.contains("missing-table"));
    assert_eq!(rep["summary"]["failed"], 1);
    assert_eq!(rep["summary"]["succeeded"], 3);
}

#[test]
fn match_selects_exactly_the_matching_tables_across_list_tables_pages() {
    let emu = Emulator::start();
    let names: Vec<String> = (0..120)
        .map(|i| {
            if i % 3 == 0 {
                format!("orders-{i:03}")
            } else {
                format!("users-{i:03}")
            }
        })
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    let r = emu.run(&[
        "backup",
        "--match",
        "orders-*",
        "--exclude",
        "orders-00*",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: Vec<String> = results(&r.json())
        .iter()
        .map(|x| x["table"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("orders-") && !n.starts_with("orders-00"))
        .cloned()
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        emu.calls("ListTables"),
        2,
        "120 tables are two ListTables pages"
    );
    assert_eq!(emu.calls("CreateBackup"), 0, "dry run creates nothing");
}

#[test]
fn selecting_no_table_is_an_error() {
    let emu = Emulator::start();
    emu.create_tables(&["users"]);
    let r = emu.run(&["backup", "--match", "orders-*"]);
    assert_eq!(r.code, 1);
    assert!(
        r.err_lines()[0].contains("no tables selected"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("CreateBackup"), 0);
}

#[test]
fn tags_select_tables_carrying_all_given_tags() {
    let emu = Emulator::start();
    emu.ctl(
        "create_tables",
        json!({"names": ["t-daily", "t-daily-2"], "tags": {"backup": "daily", "env": "prod"}}),
    );
    emu.ctl(
        "create_tables",
        json!({"names": ["t-weekly"], "tags": {"backup": "weekly", "env": "prod"}}),
    );
    let r = emu.run(&[
        "backup",
        "--tag",
        "backup=daily",
        "--tag",
        "env=prod",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: Vec<Value> = results(&r.json())
        .iter()
        .map(|x| x["table"].clone())
        .collect();
    assert_eq!(got, vec![json!("t-daily"), json!("t-daily-2")]);
}

#[test]
fn wait_returns_when_available_and_timeout_reports_creating() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users"]);
    emu.config(json!({"creating_seconds": 2}));
    let r = emu.run(&[
        "backup",
        "-t",
        "orders",
        "-t",
        "users",
        "--wait",
        "--timeout",
        "30s",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for x in results(&r.json()) {
        assert_eq!(x["outcome"], "available", "{x}");
    }
    assert!(emu
        .backups("orders")
        .iter()
        .all(|b| b["BackupStatus"] == "AVAILABLE"));

    emu.config(json!({"creating_seconds": 30}));
    let r = emu.run(&[
        "backup",
        "-t",
        "orders",
        "--wait",
        "--timeout",
        "1s",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let x = &results(&r.json())[0];
    assert_eq!(x["outcome"], "timed_out");
    assert!(x["detail"].as_str().unwrap().contains("still CREATING"));
}

#[test]
fn skip_if_recent_twice_makes_one_backup_per_table() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users"]);
    // An old managed backup and a fresh hand-made one do not count as recent.
    emu.seed(
        "orders",
        &[
            (
                managed_name("orders", 3 * DAY),
                3 * DAY,
                "AVAILABLE",
                "USER",
            ),
            ("by-hand".into(), 60, "AVAILABLE", "USER"),
        ],
    );
    for _ in 0..2 {
        let r = emu.run(&[
            "backup",
            "-t",
            "orders",
            "-t",
            "users",
            "--skip-if-recent",
            "1h",
            "--output",
            "json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert_eq!(emu.calls("CreateBackup"), 2);
    assert_eq!(emu.backups("orders").len(), 3);
    assert_eq!(emu.backups("users").len(), 1);
    let third = emu
        .run(&[
            "backup",
            "-t",
            "users",
            "--skip-if-recent",
            "1h",
            "--output",
            "json",
        ])
        .json();
    assert_eq!(results(&third)[0]["outcome"], "skipped");
}

#[test]
fn custom_templates_and_long_table_names_give_valid_names() {
    let emu = Emulator::start();
    let long = "t".repeat(250);
    emu.create_tables(&[&long]);
    let r = emu.run(&["backup", "-t", &long, "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let name = results(&r.json())[0]["backup_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(name.len(), 255);
    let r = emu.run(&[
        "backup",
        "-t",
        &long,
        "--name",
        "nightly-{date}",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(results(&r.json())[0]["backup_name"]
        .as_str()
        .unwrap()
        .starts_with("nightly-20"));
    // A template that renders an invalid name is refused before any call.
    emu.reset_stats();
    let r = emu.run(&["backup", "-t", "orders", "--name", "a/{timestamp}"]);
    assert_eq!(r.code, 2);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn a_fleet_of_120_tables_under_the_documented_create_backup_limit_all_succeed() {
    let emu = Emulator::start();
    let names: Vec<String> = (0..120).map(|i| format!("fleet-{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    emu.config(json!({"documented_limits": true}));
    let r = run_cmd(emu.cmd().args([
        "--rate-multiplier",
        "1",
        "backup",
        "--match",
        "fleet-*",
        "--output",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = r.json();
    assert_eq!(rep["summary"]["succeeded"], 120);
    let total: usize = names.iter().map(|n| emu.backups(n).len()).sum();
    assert_eq!(total, 120, "exactly one backup per table");
    let stats = emu.ctl("stats", json!({}));
    eprintln!(
        "CreateBackup calls {} throttled {}",
        stats["calls"]["CreateBackup"], stats["throttled"]
    );
}
