//! `report`: the numbers on seeded histories (sizes, costs to the cent at the default
//! price, streaks with a gap, PITR, drills from a metrics file), the listing rule, the
//! output forms, and the HTML page opened in headless Chromium.

use serde_json::{json, Value};

use crate::common::*;

const GIB: i64 = 1 << 30;

fn row<'a>(j: &'a Value, table: &str) -> &'a Value {
    j["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("{table} is not in the report: {j}"))
}

/// Three tables: `a-orders` 30 days of daily 1 GiB backups less the one of 10 days ago,
/// `b-users` three 512 MiB backups and PITR on (7 days), `c-events` none.
fn fleet(emu: &Emulator) {
    emu.create_tables(&["a-orders", "b-users", "c-events"]);
    let a: Vec<(String, i64, i64)> = (0..30)
        .filter(|i| *i != 10)
        .map(|i| {
            let age = 60 + i * DAY;
            (managed_name("a-orders", age), age, GIB)
        })
        .collect();
    emu.seed_sized("a-orders", &a);
    let b: Vec<(String, i64, i64)> = (0..3)
        .map(|i| {
            let age = 60 + i * DAY;
            (managed_name("b-users", age), age, GIB / 2)
        })
        .collect();
    emu.seed_sized("b-users", &b);
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "b-users", "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 7}}),
    );
}

/// The newest seeded backup (a minute old) falls on yesterday in the first minute of a
/// UTC day: then today is still open, and one day less is missing.
fn open_today() -> i64 {
    i64::from((now_secs() - 60).div_euclid(DAY) != now_secs().div_euclid(DAY))
}

fn metrics(emu: &Emulator, account: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let _ = emu;
    let l = |t: &str| format!("{{account=\"{account}\",region=\"us-east-1\",table=\"{t}\"}}");
    let passed = now_secs() - 3 * 3600;
    let text = format!(
        "# HELP ddb_backup_verify_last_success_timestamp_seconds x\n\
         ddb_backup_verify_last_success_timestamp_seconds{b} {passed}\n\
         ddb_backup_verify_timestamp_seconds{b} {passed}\n\
         ddb_backup_verify_timestamp_seconds{c} {passed}\n\
         ddb_backup_verify_duration_seconds{b} 42.5\n\
         ddb_backup_verify_items{b} 10\n\
         ddb_backup_verify_failure{b} 0\n\
         ddb_backup_verify_failure{c} 1\n",
        b = l("b-users"),
        c = l("c-events"),
    );
    let path = dir.join("ddb-backup.prom");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn report_numbers_on_seeded_histories() {
    let emu = Emulator::start();
    fleet(&emu);
    let dir = tempfile::tempdir().unwrap();
    let first = emu.run(&["report", "--all-tables", "--output", "json"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let account = first.json()["tables"][0]["account"]
        .as_str()
        .unwrap()
        .to_string();
    let m = metrics(&emu, &account, dir.path());
    emu.reset_stats();
    let r = emu.run(&[
        "report",
        "--all-tables",
        "--keep-daily",
        "7",
        "--max-age",
        "1d",
        "--min-streak-days",
        "5",
        "--metrics-file",
        m.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // One account-wide listing: 32 backups are one page.
    assert_eq!(emu.calls("ListBackups"), 1);
    assert_eq!(emu.calls("DescribeContinuousBackups"), 3);
    let j = r.json();
    let shift = open_today();

    let a = row(&j, "a-orders");
    assert_eq!(a["status"], "ok");
    assert_eq!(a["held"]["backups"], 29);
    assert_eq!(a["held"]["by_type"]["managed"], 29);
    assert_eq!(a["held"]["storage_bytes"], 29 * GIB);
    assert_eq!(a["held"]["monthly_cost_usd"], 2.9);
    assert_eq!(a["plan"]["to_delete"], 22);
    assert_eq!(a["plan"]["freed_bytes"], 22 * GIB);
    assert_eq!(a["plan"]["freed_monthly_cost_usd"], 2.2);
    assert_eq!(a["plan"]["kept"].as_array().unwrap().len(), 7);
    assert!(a["plan"]["kept"][0]["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("daily")));
    assert_eq!(a["continuity"]["streak_days"], 10);
    assert_eq!(a["continuity"]["gap_days"], 61 - shift);
    assert_eq!(a["continuity"]["longest_gap"]["days"], 60 - shift);
    assert_eq!(a["pitr"]["enabled"], false);
    assert!(a["failing"].as_array().unwrap().is_empty(), "{a}");
    assert_eq!(a["drill"]["last_result"], Value::Null);

    let b = row(&j, "b-users");
    assert_eq!(b["held"]["storage_bytes"], 3 * GIB / 2);
    assert_eq!(b["held"]["monthly_cost_usd"], 0.15);
    assert_eq!(b["plan"]["freed_bytes"], 0);
    assert_eq!(b["continuity"]["streak_days"], 3);
    assert_eq!(b["pitr"]["enabled"], true);
    assert_eq!(b["pitr"]["recovery_period_days"], 7);
    assert!(b["pitr"]["earliest_restorable"].is_string(), "{b}");
    assert_eq!(b["drill"]["last_result"], "passed");
    assert_eq!(b["drill"]["restore_seconds"], 42.5);
    assert_eq!(b["drill"]["items"], 10);
    assert!(b["drill"]["last_passed_at"].is_string());
    let f = b["failing"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].as_str().unwrap().starts_with("min_streak_days"));

    let c = row(&j, "c-events");
    assert_eq!(c["held"]["backups"], 0);
    assert_eq!(c["held"]["storage_bytes"], 0);
    assert_eq!(c["continuity"]["streak_days"], 0);
    assert_eq!(c["drill"]["last_result"], "failed");
    assert!(c["drill"]["last_at"].is_string());
    assert_eq!(c["failing"].as_array().unwrap().len(), 2, "{c}");

    let s = &j["summary"];
    assert_eq!(s["tables"], 3);
    assert_eq!(s["tables_failing"], 2);
    assert_eq!(s["storage_bytes"], 29 * GIB + 3 * GIB / 2);
    assert_eq!(s["monthly_cost_usd"], 3.05);
    assert_eq!(s["freed_monthly_cost_usd"], 2.2);
    assert_eq!(s["pitr_enabled"], 1);
    assert_eq!(
        (s["drills_passed"].clone(), s["drills_failed"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(s["targets"][0]["monthly_cost_usd"], 3.05);
    assert_eq!(j["prices"]["regions"][0]["backup_per_gb_month"], 0.1);

    // The price can be overridden; then every cost follows it.
    let r = emu.run(&[
        "report",
        "--table",
        "a-orders",
        "--price-per-gb-month",
        "0.25",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(row(&r.json(), "a-orders")["held"]["monthly_cost_usd"], 7.25);
}

#[test]
fn a_region_without_a_price_has_an_unknown_cost_never_zero() {
    let emu = Emulator::start();
    let account = "123456789012";
    emu.create_tables_in(account, "me-central-1", &["orders"]);
    emu.seed_in(
        account,
        "me-central-1",
        "orders",
        &daily_specs("orders", 2, 3600),
    );
    let r = emu.run(&[
        "report",
        "--region",
        "me-central-1",
        "--all-tables",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(row(&j, "orders")["held"]["storage_bytes"], 246);
    assert_eq!(row(&j, "orders")["held"]["monthly_cost_usd"], Value::Null);
    assert_eq!(j["summary"]["monthly_cost_usd"], Value::Null);
    let r = emu.run(&[
        "report",
        "--region",
        "me-central-1",
        "--all-tables",
        "--output",
        "table",
    ]);
    assert!(r.stdout.contains("unknown/month"), "{}", r.stdout);
}

#[test]
fn an_incomplete_listing_is_shown_as_such_never_as_no_backups() {
    let emu = Emulator::start();
    let names: Vec<String> = (0..4).map(|i| format!("t-{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    for t in &names {
        emu.seed(t, &daily_specs(t, 30, 3600));
    }
    emu.faults(json!([{ "op": "ListBackups", "kind": "500", "later_pages": true }]));
    let r = emu.run(&["report", "--all-tables", "--output", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    for t in &names {
        let e = row(&j, t);
        assert_eq!(e["status"], "incomplete", "{e}");
        assert_eq!(e["held"], Value::Null);
        assert!(e["error"]
            .as_str()
            .unwrap()
            .contains("account-wide backup listing is incomplete"));
    }
    assert_eq!(j["summary"]["incomplete"], 4);
    assert_eq!(j["summary"]["tables_failing"], 4);
    let r = emu.run(&["report", "--all-tables", "--output", "table"]);
    assert!(r.stdout.contains("INCOMPLETE"), "{}", r.stdout);
    assert!(!r.stdout.contains("no backup"), "{}", r.stdout);
}

#[test]
fn csv_table_and_usage_errors() {
    let emu = Emulator::start();
    fleet(&emu);
    let r = emu.run(&[
        "report",
        "--all-tables",
        "--keep-last",
        "3",
        "--output",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    let header: Vec<&str> = lines[0].split(',').collect();
    let a: Vec<&str> = lines
        .iter()
        .find(|l| l.contains(",a-orders,"))
        .unwrap()
        .split(',')
        .collect();
    let col = |name: &str| a[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("storage_bytes"), (29 * GIB).to_string());
    assert_eq!(col("monthly_cost_usd"), "2.90");
    assert_eq!(col("to_delete"), "26");
    assert_eq!(col("freed_monthly_cost_usd"), "2.60");
    assert_eq!(col("streak_days"), "10");

    let r = emu.run(&["report", "--all-tables", "--output", "table"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("a-orders"), "{}", r.stdout);
    assert!(r.stdout.contains("3 tables, 0 failing"), "{}", r.stdout);

    emu.reset_stats();
    for args in [
        vec!["list", "--table", "a-orders", "--output", "csv"],
        vec![
            "report",
            "--all-tables",
            "--metrics-file",
            "/nonexistent/m.prom",
        ],
        vec!["report", "--all-tables", "--price-per-gb-month", "0"],
        vec![
            "report",
            "--all-tables",
            "--html",
            "/nonexistent/dir/r.html",
        ],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.err_lines().len(), 1, "{args:?}: {}", r.stderr);
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn prune_dry_run_and_run_say_what_the_deletions_free() {
    let emu = Emulator::start();
    fleet(&emu);
    let r = emu.run(&[
        "prune",
        "--table",
        "a-orders",
        "--keep-daily",
        "7",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["freed_bytes"], 22 * GIB);
    assert_eq!(j["summary"]["freed_monthly_cost_usd"], 2.2);
    let r = emu.run(&[
        "prune",
        "--table",
        "a-orders",
        "--keep-daily",
        "7",
        "--dry-run",
        "--output",
        "table",
    ]);
    assert!(
        r.stdout.contains("freeing 22.0 GiB ($2.20/month)"),
        "{}",
        r.stdout
    );
    let r = emu.run(&[
        "run",
        "--table",
        "a-orders",
        "--keep-daily",
        "7",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    // The run's own backup is kept; the 22 oldest go, really.
    assert_eq!(j["summary"]["backups_deleted"], 22);
    assert_eq!(j["summary"]["freed_bytes"], 22 * GIB);
    assert_eq!(j["summary"]["freed_monthly_cost_usd"], 2.2);
}

#[test]
fn the_html_page_renders_in_headless_chromium() {
    let emu = Emulator::start();
    fleet(&emu);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let r = emu.run(&[
        "report",
        "--all-tables",
        "--keep-daily",
        "7",
        "--html",
        page.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: no script, nothing fetched.
    assert!(!html.contains("<script"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("prefers-color-scheme:dark"));
    let dom = headless(&page, &["--dump-dom"]);
    for t in ["a-orders", "b-users", "c-events"] {
        assert!(dom.contains(&format!("<h2>{t} ")), "{t} is not in the DOM");
    }
    assert!(dom.contains("streak 10 days"), "{dom}");
    assert!(dom.contains("PITR on · 7 days"), "{dom}");
    assert_eq!(
        dom.matches("<svg class=\"cal\" viewBox=\"0 0 900 14\"")
            .count(),
        3,
        "{dom}"
    );
    // Drawn, not blank: the screenshot holds far more than one of an empty page.
    let shot = dir.path().join("shot.png");
    let empty = dir.path().join("empty.html");
    let blank = dir.path().join("blank.png");
    std::fs::write(&empty, "<!doctype html><html><body></body></html>").unwrap();
    for (p, png) in [(&page, &shot), (&empty, &blank)] {
        headless(
            p,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1280,1400",
            ],
        );
    }
    let (drawn, nothing) = (
        std::fs::metadata(&shot).unwrap().len(),
        std::fs::metadata(&blank).unwrap().len(),
    );
    assert!(
        drawn > 4 * nothing,
        "screenshot {drawn} bytes, blank {nothing}"
    );
    if let Some(keep) = std::env::var_os("DDB_BACKUP_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn a_config_gives_each_table_its_policy_and_ndjson_carries_the_same_facts() {
    let emu = Emulator::start();
    fleet(&emu);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"orders\"\ntables = [\"a-orders\"]\n\
         [policy.retention]\nkeep_last = 5\n\
         [[policy]]\nname = \"rest\"\ntables = [\"b-users\", \"c-events\"]\n",
    )
    .unwrap();
    let r = emu.run(&[
        "report",
        "--config",
        config.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let a = row(&j, "a-orders");
    assert_eq!(a["policy"], "orders");
    assert_eq!(a["plan"]["to_delete"], 24);
    assert_eq!(a["plan"]["freed_monthly_cost_usd"], 2.4);
    assert_eq!(row(&j, "b-users")["policy"], "rest");
    assert_eq!(row(&j, "b-users")["plan"], Value::Null);
    // Keep flags on the command line show another policy's effect on every table.
    let r = emu.run(&[
        "report",
        "--config",
        config.to_str().unwrap(),
        "--keep-last",
        "1",
        "--output",
        "ndjson",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    let a = lines.iter().find(|l| l["table"] == "a-orders").unwrap();
    // keep-last 1, but min-keep 2.
    assert_eq!(a["plan"]["to_delete"], 27);
    let b = lines.iter().find(|l| l["table"] == "b-users").unwrap();
    assert_eq!(b["plan"]["to_delete"], 1);
    let last = lines.last().unwrap();
    assert_eq!(last["record"], "summary");
    assert_eq!(last["summary"]["tables"], 3);
    assert_eq!(last["summary"]["to_delete"], 28);
}

#[test]
fn with_an_archive_tier_each_table_reports_its_exports() {
    let emu = Emulator::start();
    emu.create_bucket("acme-archive");
    emu.table_for_export("orders", 3);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"archive\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_last = 3\n\
         [policy.export]\nbucket = \"acme-archive\"\nprefix = \"prod\"\nevery = \"30d\"\n",
    )
    .unwrap();
    let c = config.to_str().unwrap();
    let report = |emu: &Emulator| {
        let r = emu.run(&["report", "--config", c, "--output", "json"]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        r.json()["tables"][0]["exports"].clone()
    };
    let none = report(&emu);
    assert_eq!(none["configured"], true, "{none}");
    assert_eq!(none["count"], 0, "{none}");
    assert!(none["newest"].is_null(), "{none}");
    let made = emu.run(&[
        "export",
        "--table",
        "orders",
        "--bucket",
        "acme-archive",
        "--prefix",
        "prod",
        "--wait",
    ]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let one = report(&emu);
    assert_eq!(one["count"], 1, "{one}");
    assert!(one["newest"].as_str().is_some(), "{one}");
    assert!(one["stored_bytes"].as_i64().unwrap() > 0, "{one}");
    assert!(one["error"].is_null(), "{one}");
    // Without [policy.export], the archive tier is not configured.
    let plain = emu.run(&["report", "--table", "orders", "--output", "json"]);
    assert_eq!(plain.json()["tables"][0]["exports"]["configured"], false);
}
