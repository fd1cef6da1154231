//! `prune` end to end: a year and more of daily backups, mixed with backups it must never
//! touch, against an expectation computed independently of the retention engine.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Utc};
use serde_json::json;

use crate::common::*;

type BucketFn = Box<dyn Fn(DateTime<Utc>) -> (i32, u32, u32)>;

/// Independent expectation: for each rule, group the managed AVAILABLE backups by calendar
/// bucket (UTC), take the newest backup of each of the N newest buckets; union the rules.
fn expected_kept(
    backups: &[(String, i64)],
    daily: usize,
    weekly: usize,
    monthly: usize,
) -> BTreeSet<String> {
    let now = now_secs();
    let at = |age: i64| DateTime::<Utc>::from_timestamp(now - age, 0).unwrap();
    let mut kept = BTreeSet::new();
    let rules: [(usize, BucketFn); 3] = [
        (daily, Box::new(|t| (t.year(), t.month(), t.day()))),
        (
            weekly,
            Box::new(|t| (t.iso_week().year(), t.iso_week().week(), 0)),
        ),
        (monthly, Box::new(|t| (t.year(), t.month(), 0))),
    ];
    for (n, key) in rules.iter() {
        let mut newest: BTreeMap<(i32, u32, u32), (i64, String)> = BTreeMap::new();
        for (name, age) in backups {
            let e = newest
                .entry(key(at(*age)))
                .or_insert((i64::MAX, String::new()));
            if *age < e.0 {
                *e = (*age, name.clone());
            }
        }
        for (_, (_, name)) in newest.iter().rev().take(*n) {
            kept.insert(name.clone());
        }
        assert!(
            newest.len() > *n,
            "the history is long enough that no 'oldest' rule applies"
        );
    }
    kept
}

#[test]
fn a_year_of_daily_backups_prunes_to_exactly_the_expected_set_and_converges() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let daily = daily_specs("orders", 400, 3 * 3600);
    let mut specs = daily.clone();
    specs.push((
        "before-migration-by-hand".into(),
        200 * DAY,
        "AVAILABLE",
        "USER",
    ));
    specs.push((
        "orders-deleted-table-backup".into(),
        10 * DAY,
        "AVAILABLE",
        "SYSTEM",
    ));
    specs.push((
        "aws-backup-plan".into(),
        300 * DAY,
        "AVAILABLE",
        "AWS_BACKUP",
    ));
    let creating = managed_name("orders", 60);
    specs.push((creating.clone(), 60, "CREATING", "USER"));
    emu.seed("orders", &specs);

    let pairs: Vec<(String, i64)> = daily.iter().map(|(n, a, _, _)| (n.clone(), *a)).collect();
    let keep = expected_kept(&pairs, 7, 4, 12);
    let policy = [
        "--keep-daily",
        "7",
        "--keep-weekly",
        "4",
        "--keep-monthly",
        "12",
    ];

    let dry = emu.run(
        &[
            &[
                "prune",
                "--table",
                "orders",
                "--dry-run",
                "--output",
                "json",
            ][..],
            &policy[..],
        ]
        .concat(),
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let report = dry.json();
    let t = &report["tables"][0];
    let planned: BTreeSet<String> = t["plan"]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["action"] == "delete")
        .map(|d| d["backup_name"].as_str().unwrap().to_string())
        .collect();
    let want_deleted: BTreeSet<String> = pairs
        .iter()
        .map(|p| p.0.clone())
        .filter(|n| !keep.contains(n))
        .collect();
    assert_eq!(planned, want_deleted);
    for d in t["plan"]["decisions"].as_array().unwrap() {
        assert!(
            !d["reasons"].as_array().unwrap().is_empty(),
            "every decision has a reason: {d}"
        );
    }
    assert_eq!(emu.calls("DeleteBackup"), 0, "dry run deletes nothing");
    assert_eq!(emu.calls("ListBackups"), 5, "404 backups are 5 pages");

    emu.reset_stats();
    let r = emu.run(
        &[
            &["prune", "--table", "orders", "--output", "json"][..],
            &policy[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("ListBackups"), 5);
    assert_eq!(emu.calls("DeleteBackup") as usize, want_deleted.len());
    let left = emu.backup_names("orders");
    let mut want_left: BTreeSet<String> = keep.clone();
    for extra in [
        "before-migration-by-hand",
        "orders-deleted-table-backup",
        "aws-backup-plan",
    ] {
        want_left.insert(extra.to_string());
    }
    want_left.insert(creating);
    assert_eq!(left, want_left);
    assert_eq!(
        r.json()["summary"]["deleted"].as_u64().unwrap() as usize,
        want_deleted.len()
    );

    emu.reset_stats();
    let again = emu.run(
        &[
            &["prune", "--table", "orders", "--output", "json"][..],
            &policy[..],
        ]
        .concat(),
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0, "a second run deletes nothing");
}

#[test]
fn a_listing_failing_on_page_two_deletes_nothing_for_that_table_only() {
    let emu = Emulator::start();
    emu.create_tables(&["a-broken", "b-fine"]);
    emu.seed("a-broken", &daily_specs("a-broken", 250, 3600));
    emu.seed("b-fine", &daily_specs("b-fine", 30, 3600));
    emu.faults(
        json!([{"op": "ListBackups", "table": "a-broken", "later_pages": true, "kind": "500"}]),
    );
    let r = emu.run(&[
        "prune",
        "-t",
        "a-broken",
        "-t",
        "b-fine",
        "--keep-last",
        "3",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        emu.backups("a-broken").len(),
        250,
        "nothing deleted on the broken table"
    );
    assert_eq!(emu.backups("b-fine").len(), 3);
    let rep = r.json();
    let broken = rep["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "a-broken")
        .unwrap()
        .clone();
    assert_eq!(broken["status"], "failed");
    assert!(
        broken["error"].as_str().unwrap().contains("page 2"),
        "{broken}"
    );
    assert!(
        r.stderr.contains("a-broken") && r.stderr.contains("nothing deleted"),
        "{}",
        r.stderr
    );
}

#[test]
fn max_delete_holds_the_whole_plan_and_says_why() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 21, 3600));
    let r = emu.run(&[
        "prune",
        "-t",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
        "--max-delete",
        "5",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("orders").len(), 21);
    let t = &r.json()["tables"][0];
    assert!(
        t["error"]
            .as_str()
            .unwrap()
            .contains("would delete 20 backups, more than --max-delete 5"),
        "{t}"
    );
    assert!(r.stderr.contains("--max-delete 5"));
}

#[test]
fn require_recent_refuses_to_prune_when_backups_stopped_arriving() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 30, 10 * DAY));
    let r = emu.run(&[
        "prune",
        "-t",
        "orders",
        "--keep-within",
        "7d",
        "--require-recent",
        "2d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert!(r.stderr.contains("stopped arriving"), "{}", r.stderr);
    // keep-within is measured from the newest backup, so even without the rail the last
    // week of the stale history survives.
    let r = emu.run(&[
        "prune",
        "-t",
        "orders",
        "--keep-within",
        "7d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backups("orders").len(), 7);
}

#[test]
fn a_policy_without_keep_rules_is_refused_before_any_call() {
    let emu = Emulator::start();
    let r = emu.run(&["prune", "-t", "orders"]);
    assert_eq!(r.code, 2);
    assert!(r.err_lines()[0].contains("no keep rule"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn unmanaged_backups_are_only_pruned_when_asked() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let specs: Vec<_> = (0..5)
        .map(|i| (format!("by-hand-{i}"), (i + 1) * DAY, "AVAILABLE", "USER"))
        .collect();
    emu.seed("orders", &specs);
    let r = emu.run(&[
        "prune",
        "-t",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backups("orders").len(), 5);
    let r = emu.run(&[
        "prune",
        "-t",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
        "--include-unmanaged",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        emu.backup_names("orders"),
        BTreeSet::from(["by-hand-0".to_string()])
    );
}

/// CREATING and DELETED backups are never deleted and not counted as kept: the report
/// counts them apart, in `prune` and in `run` (whose own new backup is still CREATING
/// when the table is pruned).
#[test]
fn creating_and_deleted_backups_are_counted_apart_from_the_kept() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let mut specs = daily_specs("orders", 5, 3 * 3600);
    specs.push((managed_name("orders", 60), 60, "CREATING", "USER"));
    specs.push(("by-hand".into(), 20 * DAY, "CREATING", "USER"));
    specs.push((
        managed_name("orders", 10 * DAY),
        10 * DAY,
        "DELETED",
        "USER",
    ));
    emu.seed("orders", &specs);
    let counts = |v: &serde_json::Value| {
        [
            "kept",
            "creating",
            "deleted_elsewhere",
            "to_delete",
            "deleted",
        ]
        .map(|k| v[k].as_u64().unwrap_or(u64::MAX))
    };
    let prune = [
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "2",
        "-o",
        "json",
    ];

    let dry = emu.run(&[&prune[..], &["--dry-run"]].concat());
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let j = dry.json();
    assert_eq!(counts(&j["tables"][0]), [2, 2, 1, 3, 0]);
    let s = &j["summary"];
    assert_eq!(
        [
            &s["kept"],
            &s["creating"],
            &s["deleted_elsewhere"],
            &s["would_delete"]
        ],
        [2, 2, 1, 3]
    );

    let r = emu.run(&prune);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(counts(&j["tables"][0]), [2, 2, 1, 3, 3]);
    assert_eq!(
        [
            &j["summary"]["kept"],
            &j["summary"]["creating"],
            &j["summary"]["deleted_elsewhere"]
        ],
        [2, 2, 1]
    );
    assert_eq!(
        emu.backups("orders").len(),
        5,
        "the 2 kept, 2 CREATING, 1 DELETED"
    );

    // The table view says the same.
    let text = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "2",
        "--dry-run",
        "-o",
        "table",
    ]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "orders: kept 2 (not counted: 2 still CREATING, 1 already DELETED), would delete 0"
        ),
        "{}",
        text.stdout
    );

    // A run's own backup, still CREATING when the table is pruned.
    emu.config(json!({"creating_seconds": 60}));
    let run = emu.run(&["run", "--table", "orders", "--keep-last", "2", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = run.json();
    assert_eq!(j["tables"][0]["backup"]["outcome"], "creating", "{j}");
    assert_eq!(counts(&j["tables"][0]["prune"]), [2, 3, 1, 0, 0]);
}
