//! The fleet engine: one listing per run (account-wide when it is cheaper), per-table
//! journeys that overlap backups with the listing, and the safety rules at fleet scale.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

/// `n` tables named `prefix-000`…, each with `per_table` managed daily backups.
fn fleet(emu: &Emulator, prefix: &str, n: usize, per_table: usize) -> Vec<String> {
    let tables: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:03}")).collect();
    let refs: Vec<&str> = tables.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    for t in &tables {
        emu.seed(t, &daily_specs(t, per_table, 3600));
    }
    tables
}

fn row<'a>(report: &'a Value, table: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("no row for {table}"))
}

#[test]
fn a_fleet_run_lists_once_account_wide_and_prunes_every_table() {
    let emu = Emulator::start();
    let tables = fleet(&emu, "fleet", 30, 5);
    // Tables without backups yet: ListTables just named them, so no DescribeTable is needed
    // to tell them from a typo.
    emu.create_tables(&["fleet-new-1", "fleet-new-2"]);
    let r = emu.run(&[
        "run",
        "--match",
        "fleet-*",
        "--skip-if-recent",
        "20min",
        "--keep-last",
        "3",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 150 backups: one account-wide listing of two pages answers both skip-if-recent and
    // the prune plans of all 32 tables (32 per-table listings would be 32 calls).
    assert_eq!(emu.calls("ListBackups"), 2, "{}", r.stderr);
    assert_eq!(emu.calls("DescribeTable"), 0);
    assert_eq!(emu.calls("CreateBackup"), 32);
    assert_eq!(emu.calls("DeleteBackup"), 30 * 3);
    let j = r.json();
    assert_eq!(j["summary"]["backups_created"], 32);
    assert_eq!(j["summary"]["backups_deleted"], 90);
    for t in &tables {
        let left = emu.backups(t);
        assert_eq!(left.len(), 3, "{t}");
        // The run's own new backup is among the kept (it is the newest).
        let new = row(&j, t)["backup"]["backup_arn"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(left.iter().any(|b| b["BackupArn"] == new.as_str()), "{t}");
    }
    // A second run within 20 minutes skips every backup and deletes nothing.
    emu.reset_stats();
    let r = emu.run(&[
        "run",
        "--match",
        "fleet-*",
        "--skip-if-recent",
        "20min",
        "--keep-last",
        "3",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["backups_created"], 0);
    assert_eq!(emu.calls("DescribeTable"), 0);
    assert_eq!(emu.calls("CreateBackup"), 0);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.calls("ListBackups"), 1);

    // A few named tables are listed one by one.
    emu.reset_stats();
    let r = emu.run(&[
        "prune",
        "--table",
        "fleet-000",
        "--table",
        "fleet-001",
        "--keep-last",
        "3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("ListBackups"), 2);
    assert_eq!(emu.calls("ListTables"), 0);
}

#[test]
fn an_account_wide_listing_failing_on_a_later_page_deletes_nothing_anywhere() {
    let emu = Emulator::start();
    let tables = fleet(&emu, "fleet", 30, 5);
    emu.faults(json!([{ "op": "ListBackups", "kind": "500", "later_pages": true }]));
    let r = emu.run(&[
        "prune",
        "--all-tables",
        "--keep-last",
        "1",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    let j = r.json();
    assert_eq!(j["summary"]["failed_tables"], 30);
    for t in &tables {
        assert_eq!(emu.backups(t).len(), 5, "{t}");
        let err = row(&j, t)["error"].as_str().unwrap();
        assert!(
            err.contains("account-wide backup listing is incomplete"),
            "{err}"
        );
    }
    // check says the same for every table rather than "no backup".
    let r = emu.run(&[
        "check",
        "--all-tables",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1);
    for t in r.json()["tables"].as_array().unwrap() {
        assert_eq!(t["verdict"], "error", "{t}");
    }
}

#[test]
fn a_table_whose_backup_failed_is_not_pruned_while_the_others_are() {
    let emu = Emulator::start();
    let tables = fleet(&emu, "fleet", 12, 5);
    emu.faults(json!([{ "op": "CreateBackup", "table": "fleet-007", "kind": "access_denied" }]));
    let r = emu.run(&[
        "run",
        "--all-tables",
        "--keep-last",
        "2",
        "--min-keep",
        "1",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let failed = row(&j, "fleet-007");
    assert_eq!(failed["ok"], false);
    assert!(failed["prune"].is_null());
    assert!(failed["prune_skipped"]
        .as_str()
        .unwrap()
        .contains("backup did not succeed"));
    for t in &tables {
        let want = if t == "fleet-007" { 5 } else { 2 };
        assert_eq!(emu.backups(t).len(), want, "{t}");
    }
}

#[test]
fn sigterm_mid_fleet_stops_new_work_everywhere() {
    let emu = Emulator::start();
    let tables = fleet(&emu, "fleet", 20, 12);
    emu.config(json!({ "documented_limits": true, "latency_ms": 5 }));
    let child = spawn(
        &emu,
        &[
            "--rate-multiplier",
            "1",
            "run",
            "--all-tables",
            "--keep-last",
            "2",
            "--output",
            "json",
        ],
    );
    wait_for_calls(&emu, "DeleteBackup", 10);
    signal(&child, "TERM");
    let signalled_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let out = finish(child, Duration::from_secs(30), "run");
    assert_eq!(out.code, 130, "{}", out.stderr);
    let log = emu.ctl("stats", json!({ "log": true }))["log"].clone();
    let late = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["t"].as_f64().unwrap() > signalled_at)
        .filter(|e| matches!(e["op"].as_str(), Some("DeleteBackup" | "CreateBackup")))
        .count();
    // Paced at 10 deletions a second, only the calls already on the wire can land after it.
    assert!(
        late <= 4,
        "{late} changes reached the emulator after the signal"
    );
    let report = out.json();
    assert_eq!(report["summary"]["interrupted"], true);
    let deleted = emu.calls("DeleteBackup");
    assert!(deleted < 20 * 11, "stopped early ({deleted})");
    // Every deletion the emulator saw is in the report, and every table keeps its newest.
    let reported: u64 = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["prune"]["deleted"].as_u64())
        .sum();
    assert!(
        reported + 4 >= deleted && reported <= deleted,
        "{reported} reported, {deleted} seen"
    );
    for t in &tables {
        assert!(emu.backups(t).len() >= 2, "{t}");
    }
}

#[test]
fn tags_select_through_get_resources_confirmed_against_list_tables() {
    let emu = Emulator::start();
    let tagged: Vec<String> = (0..6).map(|i| format!("tagged-{i:03}")).collect();
    let refs: Vec<&str> = tagged.iter().map(String::as_str).collect();
    emu.ctl(
        "create_tables",
        json!({ "names": refs, "tags": { "backup": "daily", "team": "x" } }),
    );
    emu.ctl(
        "create_tables",
        json!({ "names": ["other-1", "other-2"], "tags": { "backup": "weekly" } }),
    );
    emu.create_tables(&["plain-1", "plain-2"]);
    // GetResources still names a deleted table; it must not be selected.
    emu.ctl(
        "ghost_tables",
        json!({ "names": ["deleted-table"], "tags": { "backup": "daily" } }),
    );
    let r = emu.run(&[
        "backup",
        "--tag",
        "backup=daily",
        "--tag",
        "team=x",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let mut got: Vec<&str> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, refs);
    assert_eq!(emu.calls("GetResources"), 1);
    assert_eq!(emu.calls("ListTagsOfResource"), 0);
    assert_eq!(emu.calls("DescribeTable"), 0);
    // A ghost alone selects nothing.
    let r = emu.run(&["backup", "--tag", "backup=daily", "--match", "deleted-*"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A handful of candidates are checked one by one.
    emu.reset_stats();
    let r = emu.run(&[
        "backup",
        "--tag",
        "backup=daily",
        "--match",
        "tagged-00[01]",
        "--match",
        "other-1",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["results"].as_array().unwrap().len(), 2);
    assert_eq!(emu.calls("GetResources"), 0);
    assert_eq!(emu.calls("ListTagsOfResource"), 3);
}

/// The tables a result lists, sorted.
fn result_tables(r: &Run) -> Vec<String> {
    let mut got: Vec<String> = r.json()["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {}", r.stdout))
        .iter()
        .map(|t| t["table"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    got
}

const SCRATCH: &str = "orders-verify-20260101T000000Z";
const STAGING: &str = "orders-replace-20260101T000000Z";

/// A verify scratch table and a replace staging table are never picked by `--all-tables`
/// or `--match` (a backup of a table about to be dropped would stay forever), whichever
/// command; named with `--table` they are backed up like any other table.
#[test]
fn scratch_and_staging_tables_are_never_selected_from_a_listing() {
    let emu = Emulator::start();
    // `orders-verify` and `x-replace-y` only look like work tables: they are ordinary.
    emu.create_tables(&["orders", "orders-verify", "x-replace-y", SCRATCH, STAGING]);
    let ordinary = ["orders", "orders-verify", "x-replace-y"];
    for sel in [
        vec!["--all-tables"],
        vec!["--match", "*"],
        vec!["--match", "orders*"],
    ] {
        let mut args = vec!["backup", "--output", "json"];
        args.extend(&sel);
        let r = emu.run(&args);
        assert_eq!(r.code, 0, "{sel:?}: {}", r.stderr);
        let want: Vec<&str> = ordinary
            .iter()
            .copied()
            .filter(|t| sel[0] == "--all-tables" || sel[1] == "*" || t.starts_with("orders"))
            .collect();
        assert_eq!(result_tables(&r), want, "{sel:?}");
        // One line says which were passed over, and why.
        let said: Vec<&str> = r
            .err_lines()
            .into_iter()
            .filter(|l| l.contains("not selected"))
            .collect();
        assert_eq!(said.len(), 1, "{}", r.stderr);
        assert!(
            said[0].contains(SCRATCH) && said[0].contains(STAGING),
            "{}",
            said[0]
        );
    }
    assert!(emu.backups(SCRATCH).is_empty());
    assert!(emu.backups(STAGING).is_empty());
    assert_eq!(emu.backups("orders").len(), 3);
    // The other commands select the same way: list, check and prune never name them.
    let r = emu.run(&["list", "--all-tables", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains(SCRATCH) && !r.stdout.contains(STAGING),
        "{}",
        r.stdout
    );
    let r = emu.run(&[
        "check",
        "--match",
        "orders*",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains(SCRATCH) && !r.stdout.contains(STAGING),
        "{}",
        r.stdout
    );
    // Selecting only work tables selects nothing, and says why.
    let r = emu.run(&["backup", "--match", "*-20260101T000000Z"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("scratch or staging"), "{}", r.stderr);
    // Named, they are worked on.
    let r = emu.run(&[
        "backup", "--table", SCRATCH, "--table", STAGING, "--output", "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(result_tables(&r), [STAGING, SCRATCH]);
    assert_eq!(emu.backups(SCRATCH).len(), 1);
    assert_eq!(emu.backups(STAGING).len(), 1);
    // Now that they have backups, prune and verify over every table still pass them over.
    for args in [
        vec!["prune", "--all-tables", "--keep-last", "1", "--dry-run"],
        vec!["verify", "--all-tables", "--dry-run"],
        vec!["list", "--match", "orders*"],
    ] {
        let r = emu.run(&[args.as_slice(), &["--output", "json"]].concat());
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("\"orders\""), "{args:?}: {}", r.stdout);
        assert!(
            !r.stdout.contains(SCRATCH) && !r.stdout.contains(STAGING),
            "{args:?}: {}",
            r.stdout
        );
    }
    // Named next to --all-tables, one is selected, and only the other is said to be left out.
    let r = emu.run(&[
        "backup",
        "--all-tables",
        "--table",
        SCRATCH,
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        result_tables(&r),
        ["orders", "orders-verify", SCRATCH, "x-replace-y"]
    );
    let said: Vec<&str> = r
        .err_lines()
        .into_iter()
        .filter(|l| l.contains("not selected"))
        .collect();
    assert_eq!(said.len(), 1, "{}", r.stderr);
    assert!(
        said[0].contains(STAGING) && !said[0].contains(SCRATCH),
        "{}",
        said[0]
    );
}

/// A config's policies select the same way: `all_tables` and `match` pass over work tables,
/// a policy that names one backs it up.
#[test]
fn a_policy_selects_a_work_table_only_by_naming_it() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", SCRATCH, STAGING]);
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        format!(
            "[[policy]]\nname = \"all\"\nall_tables = true\n\
             [policy.retention]\nkeep_last = 5\n\
             [[policy]]\nname = \"named\"\ntables = [\"{STAGING}\"]\n\
             [policy.retention]\nkeep_last = 5\n"
        ),
    )
    .unwrap();
    let r = emu.run(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    let mut got: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, ["orders", STAGING]);
    assert!(emu.backups(SCRATCH).is_empty());
    assert_eq!(emu.backups(STAGING).len(), 1);
}

/// `--tag`: a table carrying a verify scratch table's tag is passed over whatever its name,
/// whether the candidates are checked one by one or through GetResources.
#[test]
fn a_table_carrying_the_verify_tag_is_never_selected_by_tag() {
    let emu = Emulator::start();
    emu.ctl(
        "create_tables",
        json!({ "names": ["tagged-1", "tagged-2", "tagged-3", "tagged-4"], "tags": { "team": "a" } }),
    );
    emu.ctl(
        "create_tables",
        json!({ "names": ["tagged-scratch"], "tags": { "team": "a", "ddb-backup:verify": "host/1/2" } }),
    );
    // Five candidates: GetResources.
    let r = emu.run(&["backup", "--tag", "team=a", "--dry-run", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        result_tables(&r),
        ["tagged-1", "tagged-2", "tagged-3", "tagged-4"]
    );
    assert_eq!(emu.calls("GetResources"), 1);
    assert!(
        r.stderr.contains("tagged-scratch (a verify scratch table)"),
        "{}",
        r.stderr
    );
    // Two candidates: one by one.
    emu.reset_stats();
    let r = emu.run(&[
        "backup",
        "--tag",
        "team=a",
        "--match",
        "tagged-[1s]*",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(result_tables(&r), ["tagged-1"]);
    assert_eq!(emu.calls("GetResources"), 0);
    assert!(
        r.stderr.contains("tagged-scratch (a verify scratch table)"),
        "{}",
        r.stderr
    );
}

/// A policy naming this many tables, with one retention rule, as `config init` writes one.
fn naming_config(emu: &Emulator, tables: &[String]) -> String {
    let names: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        format!(
            "[[policy]]\nname = \"named\"\ntables = [{}]\n[policy.retention]\nkeep_last = 3\n",
            names.join(", ")
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_string()
}

/// The names of the `n` newest backups of each table (by the timestamp in their names).
fn newest(emu: &Emulator, tables: &[String], n: usize) -> Vec<BTreeSet<String>> {
    tables
        .iter()
        .map(|t| emu.backup_names(t).into_iter().rev().take(n).collect())
        .collect()
}

/// A config that names its tables (as `config init` writes it) learns the region's size
/// with one ListTables listing, so that naming most of them lists backups account-wide;
/// the prune is the same as the per-table listing's. A config naming three stays per-table.
#[test]
fn a_config_naming_many_tables_lists_backups_account_wide() {
    let emu = Emulator::start();
    let tables = fleet(&emu, "named", 30, 5);
    emu.create_tables(&["other-1", "other-2", "other-3", "other-4", "other-5"]);
    let config = naming_config(&emu, &tables);
    let kept = newest(&emu, &tables, 2);
    let r = emu.run(&["run", "--config", &config, "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 150 backups (and at most 30 new ones): two account-wide pages, not 30 listings; the
    // one ListTables listing also answers which tables no policy covers.
    assert_eq!(emu.calls("ListBackups"), 2, "{}", r.stderr);
    assert_eq!(emu.calls("ListTables"), 1);
    assert_eq!(emu.calls("DescribeTable"), 0);
    assert_eq!(emu.calls("CreateBackup"), 30);
    assert_eq!(emu.calls("DeleteBackup"), 30 * 3);
    let j = r.json();
    assert_eq!(j["summary"]["backups_deleted"], 90);
    assert_eq!(j["summary"]["uncovered"], 5);
    for (t, mut want) in tables.iter().zip(kept) {
        let new = row(&j, t)["backup"]["backup_name"].as_str().unwrap();
        want.insert(new.to_string());
        assert_eq!(emu.backup_names(t), want, "{t}");
    }

    // Three named tables are listed one by one, as before.
    emu.reset_stats();
    let config = naming_config(&emu, &tables[..3]);
    let r = emu.run(&["run", "--config", &config, "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("ListBackups"), 3, "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 3);
}

/// Many tables named on the command line: listed account-wide, with the per-table
/// listing's safety rules. A named table that does not exist is still "not found", one
/// that exists without backups needs no DescribeTable (ListTables named it), and a failed
/// ListTables only means the per-table listing, which prunes the same.
#[test]
fn many_named_tables_are_listed_account_wide_under_the_same_rules() {
    let args = |tables: &[String], extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["prune", "--keep-last", "3", "--output", "json"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for t in tables
            .iter()
            .map(String::as_str)
            .chain(extra.iter().copied())
        {
            a.extend(["--table".to_string(), t.to_string()]);
        }
        a
    };
    let run = |emu: &Emulator, a: &[String]| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        emu.run(&refs)
    };
    let emu = Emulator::start();
    let tables = fleet(&emu, "named", 30, 5);
    emu.create_tables(&["named-empty"]);
    let kept = newest(&emu, &tables, 3);
    let r = run(&emu, &args(&tables, &["named-empty", "named-gone"]));
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("table 'named-gone' not found"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("ListBackups"), 2, "{}", r.stderr);
    // Only the missing table is looked up (named-empty was named by ListTables).
    assert_eq!(emu.calls("DescribeTable"), 1);
    assert_eq!(emu.calls("DeleteBackup"), 30 * 2);
    for (t, want) in tables.iter().zip(kept) {
        assert_eq!(emu.backup_names(t), want, "{t}");
    }

    // ListTables refused: the per-table listing, and the same prune.
    let emu = Emulator::start();
    let tables = fleet(&emu, "named", 30, 5);
    emu.create_tables(&["named-empty"]);
    let kept = newest(&emu, &tables, 3);
    emu.faults(json!([{ "op": "ListTables", "kind": "access_denied" }]));
    let r = run(&emu, &args(&tables, &["named-empty"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("could not be listed"), "{}", r.stderr);
    assert_eq!(emu.calls("ListBackups"), 31, "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 30 * 2);
    for (t, want) in tables.iter().zip(kept) {
        assert_eq!(emu.backup_names(t), want, "{t}");
    }

    // Ten named tables in a region of 160: ListTables is given up after its first page
    // (more than 20 tables: the account-wide listing cannot be chosen), and the ten are
    // listed one by one.
    let emu = Emulator::start();
    let tables = fleet(&emu, "named", 10, 5);
    let others: Vec<String> = (0..150).map(|i| format!("other-{i:03}")).collect();
    emu.create_tables(&others.iter().map(String::as_str).collect::<Vec<_>>());
    let r = run(&emu, &args(&tables, &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("ListTables"), 1, "{}", r.stderr);
    assert_eq!(emu.calls("ListBackups"), 10);
    assert_eq!(emu.calls("DeleteBackup"), 10 * 2);
}
