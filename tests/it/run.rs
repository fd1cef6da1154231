//! `run`, `check` and `config check` end to end: the daily job driven by a config file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::common::*;

fn write_config(emu: &Emulator, text: &str) -> PathBuf {
    let path = emu.home.path().join("ddb-backup.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn managed_count(emu: &Emulator, table: &str) -> usize {
    emu.backups(table)
        .iter()
        .filter(|b| {
            b["BackupName"]
                .as_str()
                .unwrap()
                .starts_with(&format!("ddb-backup.{table}."))
        })
        .count()
}

fn by_table(report: &Value) -> BTreeMap<String, Value> {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["table"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

const TWO_POLICIES: &str = r#"
[defaults]
timezone = "UTC"

[[policy]]
name = "short"
match = ["short-*"]
[policy.backup]
skip_if_recent = "1h"
[policy.retention]
keep_last = 2

[[policy]]
name = "long"
tables = ["long-a", "long-b"]
[policy.backup]
skip_if_recent = "1h"
[policy.retention]
keep_daily = 5
"#;

#[test]
fn two_policies_back_up_and_prune_each_table_by_its_own_policy_and_a_rerun_converges() {
    let emu = Emulator::start();
    let tables = ["short-1", "short-2", "short-3", "long-a", "long-b"];
    emu.create_tables(&tables);
    emu.create_tables(&["unrelated"]);
    for t in tables {
        // Ten daily backups, the newest a day and an hour old: all on distinct UTC days
        // and none on today's.
        emu.seed(t, &daily_specs(t, 10, DAY + 3600));
    }
    let config = write_config(&emu, TWO_POLICIES);
    let r = emu.run(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["tables"], 5);
    assert_eq!(j["summary"]["backups_created"], 5);
    // short-*: 11 managed, keep the last 2 → 9 deleted each; long-*: 11 on 11 days, keep
    // the newest 5 days → 6 deleted each.
    assert_eq!(j["summary"]["backups_deleted"], 3 * 9 + 2 * 6);
    let t = by_table(&j);
    assert_eq!(t["short-2"]["policy"], "short");
    assert_eq!(t["long-a"]["policy"], "long");
    assert!(!t.contains_key("unrelated"));
    for s in ["short-1", "short-2", "short-3"] {
        assert_eq!(managed_count(&emu, s), 2, "{s}");
        assert_eq!(t[s]["prune"]["deleted"], 9);
    }
    for l in ["long-a", "long-b"] {
        assert_eq!(managed_count(&emu, l), 5, "{l}");
    }
    assert_eq!(emu.backups("unrelated").len(), 0);

    // The rerun: fresh backups exist, so nothing is created, and nothing more is deleted.
    emu.reset_stats();
    let r = emu.run(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["backups_created"], 0);
    assert_eq!(j["summary"]["backups_deleted"], 0);
    for (_, t) in by_table(&j) {
        assert_eq!(t["backup"]["outcome"], "skipped");
    }
    assert_eq!(emu.calls("CreateBackup"), 0);
    assert_eq!(emu.calls("DeleteBackup"), 0);
}

#[test]
fn a_failed_backup_is_not_pruned_and_metrics_show_only_that_table() {
    let emu = Emulator::start();
    emu.create_tables(&["good-table", "denied-table"]);
    emu.seed("good-table", &daily_specs("good-table", 4, DAY));
    emu.seed("denied-table", &daily_specs("denied-table", 4, DAY));
    emu.faults(json!([{ "op": "CreateBackup", "kind": "access_denied", "table": "denied-table" }]));
    let config = write_config(
        &emu,
        r#"
[[policy]]
name = "all"
tables = ["good-table", "denied-table", "missing-table"]
[policy.retention]
keep_last = 1
min_keep = 1
"#,
    );
    let metrics = emu.home.path().join("ddb-backup.prom");
    let report = emu.home.path().join("report.json");
    let r = emu.run(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--metrics-file",
        metrics.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "partial failure: {}", r.stderr);
    let j = r.json();
    let t = by_table(&j);
    assert_eq!(t["good-table"]["ok"], true);
    assert_eq!(t["good-table"]["prune"]["deleted"], 4);
    for bad in ["denied-table", "missing-table"] {
        assert_eq!(t[bad]["ok"], false, "{bad}");
        assert_eq!(t[bad]["backup"]["outcome"], "failed");
        assert!(t[bad]["prune"].is_null());
        assert!(t[bad]["prune_skipped"]
            .as_str()
            .unwrap()
            .contains("backup did not succeed"));
    }
    assert!(t["missing-table"]["backup"]["detail"]
        .as_str()
        .unwrap()
        .contains("'missing-table' not found"));
    // Nothing of the denied table was deleted.
    assert_eq!(managed_count(&emu, "denied-table"), 4);
    assert_eq!(managed_count(&emu, "good-table"), 1);

    let prom = std::fs::read_to_string(&metrics).unwrap();
    let value = |line_start: &str| -> f64 {
        prom.lines()
            .find(|l| l.starts_with(line_start))
            .unwrap_or_else(|| panic!("{line_start} missing in:\n{prom}"))
            .rsplit_once(' ')
            .unwrap()
            .1
            .parse()
            .unwrap()
    };
    assert_eq!(value("ddb_backup_run_success "), 0.0);
    assert_eq!(
        value("ddb_backup_table_failure{account=\"123456789012\",region=\"us-east-1\",table=\"good-table\",policy=\"all\"}"),
        0.0
    );
    assert_eq!(
        value("ddb_backup_table_failure{account=\"123456789012\",region=\"us-east-1\",table=\"denied-table\",policy=\"all\"}"),
        1.0
    );
    assert_eq!(
        value("ddb_backup_table_failure{account=\"123456789012\",region=\"us-east-1\",table=\"missing-table\",policy=\"all\"}"),
        1.0
    );
    assert_eq!(
        value("ddb_backup_table_backups_deleted{account=\"123456789012\",region=\"us-east-1\",table=\"good-table\",policy=\"all\"}"),
        4.0
    );
    assert!(value("ddb_backup_table_last_success_timestamp_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"good-table\"") > 1.7e9);
    assert!(value("ddb_backup_table_duration_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"good-table\",policy=\"all\"}") > 0.0);
    assert!(value("ddb_backup_run_duration_seconds ") > 0.0);
    assert!(!prom.contains("last_success_timestamp_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"denied-table\""));
    // The report file holds the same JSON as stdout.
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(file["summary"], j["summary"]);
    // No temporary files are left next to the outputs.
    let leftovers: Vec<_> = std::fs::read_dir(emu.home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn config_errors_name_the_line_and_column_and_make_no_aws_call() {
    let emu = Emulator::start();
    let bad_duration = write_config(
        &emu,
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.backup]\nskip_if_recent = \"1 fortnight\"\n",
    );
    for cmd in [
        vec![
            "config",
            "check",
            "--config",
            bad_duration.to_str().unwrap(),
        ],
        vec!["run", "--config", bad_duration.to_str().unwrap()],
        vec![
            "check",
            "--config",
            bad_duration.to_str().unwrap(),
            "--max-age",
            "1d",
        ],
    ] {
        let r = emu.run(&cmd);
        assert_eq!(r.code, 2, "{cmd:?}: {}", r.stderr);
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("ddb-backup.toml:5:18: invalid duration '1 fortnight'"),
            "{}",
            lines[0]
        );
    }
    let two_claims = write_config(
        &emu,
        "[[policy]]\nname = \"prod\"\ntables = [\"orders\"]\n[[policy]]\nname = \"everything-o\"\nmatch = [\"o*\"]\n",
    );
    let r = emu.run(&["config", "check", "--config", two_claims.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.err_lines().len(), 1);
    assert!(r
        .stderr
        .contains("table 'orders' is claimed by two policies, 'prod' and 'everything-o'"));
    assert_eq!(emu.total_calls(), 0, "no AWS call for an invalid config");
}

#[test]
fn config_check_resolves_tables_to_policies_and_offline_makes_no_call() {
    let emu = Emulator::start();
    emu.create_tables(&["short-1", "short-2", "long-a", "long-b", "other"]);
    let config = write_config(&emu, TWO_POLICIES);
    let r = emu.run(&[
        "config",
        "check",
        "--config",
        config.to_str().unwrap(),
        "--offline",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
    let j = r.json();
    assert_eq!(j["policies"][0]["name"], "short");
    assert_eq!(j["policies"][0]["retention"], "last 2, min keep 2");
    assert!(j["tables"].is_null());

    let r = emu.run(&[
        "config",
        "check",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got: Vec<(String, String)> = r.json()["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["policy"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("short-1", "short"),
        ("short-2", "short"),
        ("long-a", "long"),
        ("long-b", "long"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(emu.calls("ListTables"), 1);
    assert_eq!(emu.calls("CreateBackup") + emu.calls("ListBackups"), 0);
}

#[test]
fn check_passes_after_a_run_and_fails_for_a_stale_table() {
    let emu = Emulator::start();
    emu.create_tables(&["fresh-table", "stale-table"]);
    emu.seed("stale-table", &daily_specs("stale-table", 3, 3 * DAY));
    let r = emu.run(&["run", "--table", "fresh-table", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = emu.run(&[
        "check",
        "--table",
        "fresh-table",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["tables"][0]["verdict"], "ok");

    let r = emu.run(&[
        "check",
        "--table",
        "fresh-table",
        "--table",
        "stale-table",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let t = by_table(&r.json());
    assert_eq!(t["fresh-table"]["ok"], true);
    assert_eq!(t["stale-table"]["verdict"], "stale");
    assert!(r.stderr.contains("stale-table"), "{}", r.stderr);
    // --min-count: the fresh table has one backup only.
    let r = emu.run(&[
        "check",
        "--table",
        "fresh-table",
        "--max-age",
        "1d",
        "--min-count",
        "2",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("fewer than 2"), "{}", r.stdout);
}

#[test]
fn a_second_overlapping_run_exits_at_once_and_quiet_success_prints_nothing() {
    let emu = Emulator::start();
    emu.create_tables(&["locked-table"]);
    let lock = emu.home.path().join("run.lock");
    let held = std::fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    let r = emu.run(&[
        "run",
        "--table",
        "locked-table",
        "--lock-file",
        lock.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.err_lines().len(), 1);
    assert!(r
        .stderr
        .contains("another ddb-backup run holds the lock file"));
    assert_eq!(emu.total_calls(), 0);
    drop(held);

    let r = emu.run(&[
        "-q",
        "run",
        "--table",
        "locked-table",
        "--lock-file",
        lock.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "");
    assert_eq!(emu.backups("locked-table").len(), 1);
}

#[test]
fn dry_run_shows_both_halves_and_changes_nothing() {
    let emu = Emulator::start();
    emu.create_tables(&["dry-table"]);
    emu.seed("dry-table", &daily_specs("dry-table", 6, DAY));
    let r = emu.run(&[
        "run",
        "--table",
        "dry-table",
        "--keep-last",
        "3",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["dry_run"], true);
    assert_eq!(j["tables"][0]["backup"]["outcome"], "would_create");
    // The would-be backup is not in the listing, so 6 managed → keep 3, delete 3.
    assert_eq!(j["tables"][0]["prune"]["to_delete"], 3);
    assert_eq!(emu.calls("CreateBackup") + emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("dry-table").len(), 6);
}
