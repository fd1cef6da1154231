//! The listing rule end to end: no answer of ListBackups or ListTables that is not
//! self-consistent makes the tool delete (or select) anything from it; and durations that
//! mean two things in two tools are refused.

use serde_json::{json, Value};

use crate::common::*;

const REFUSED: &str = "listing refused, nothing deleted";

/// Two tables with 12 daily managed backups each; `orders` gets the anomaly.
fn fleet(emu: &Emulator) {
    emu.create_tables(&["orders", "users"]);
    emu.seed("orders", &daily_specs("orders", 12, 3600));
    emu.seed("users", &daily_specs("users", 12, 3600));
}

fn anomaly(emu: &Emulator, rule: Value) {
    emu.ctl("listing_anomalies", json!({ "rules": [rule] }));
}

fn prune(emu: &Emulator, selection: &[&str]) -> Run {
    let mut args = vec!["prune"];
    args.extend_from_slice(selection);
    args.extend_from_slice(&["--keep-last", "2", "--min-keep", "2", "--output", "json"]);
    emu.run(&args)
}

/// Each anomaly of a ListBackups answer, in a per-table and in the account-wide listing:
/// the table it concerns keeps every backup, its one error line names the anomaly, and the
/// other table is pruned as usual (exit 3).
#[test]
fn no_inconsistent_listing_deletes_anything() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"kind": "duplicate", "table": "orders"}), "twice"),
        (
            json!({"kind": "redate", "table": "orders"}),
            // The re-dated copy contradicts its own ARN before it is seen twice.
            "but its ARN says it was made at",
        ),
        (
            json!({"kind": "drop_field", "table": "orders", "field": "BackupCreationDateTime"}),
            "without a valid BackupCreationDateTime",
        ),
        (
            json!({"kind": "drop_field", "table": "orders", "field": "BackupType"}),
            "without a valid BackupType",
        ),
        (
            json!({"kind": "drop_field", "table": "orders", "field": "BackupStatus"}),
            "without a valid BackupStatus",
        ),
        (
            json!({"kind": "drop_field", "table": "orders", "field": "TableName"}),
            "without a valid TableName",
        ),
        (
            json!({"kind": "zero_date", "table": "orders"}),
            "before DynamoDB had on-demand backups",
        ),
        (
            json!({"kind": "bad_status", "table": "orders"}),
            "without a valid BackupStatus",
        ),
        (
            json!({"kind": "other_account", "table": "orders"}),
            "a backup of account '999999999999'",
        ),
        (
            json!({"kind": "redate_oldest", "table": "orders"}),
            "but its ARN says it was made at",
        ),
    ];
    for account_wide in [false, true] {
        let selection: &[&str] = if account_wide {
            &["--all-tables"]
        } else {
            &["--table", "orders", "--table", "users"]
        };
        for (rule, says) in &cases {
            let emu = Emulator::start();
            fleet(&emu);
            anomaly(&emu, rule.clone());
            let r = prune(&emu, selection);
            let what = format!("{rule} account-wide={account_wide}");
            assert_eq!(r.code, 3, "{what}: {}", r.stderr);
            let line = r
                .err_lines()
                .into_iter()
                .find(|l| l.contains(REFUSED))
                .unwrap_or_else(|| panic!("{what}: no refusal line in {}", r.stderr));
            assert!(
                line.contains("'orders': ListBackups") && line.contains(says),
                "{what}: {line}"
            );
            assert_eq!(emu.backups("orders").len(), 12, "{what}");
            assert_eq!(emu.backups("users").len(), 2, "{what}");
            let j = r.json();
            assert_eq!(j["summary"]["failed_tables"], 1, "{what}: {j}");
        }
    }
}

/// A backup of another table inside a per-table listing (`--include-unmanaged` would
/// otherwise plan it under this table's policy); in the account-wide listing, a summary
/// whose TableName disagrees with its ARN refuses both tables it names.
#[test]
fn another_tables_backup_is_never_planned_here() {
    let emu = Emulator::start();
    fleet(&emu);
    anomaly(
        &emu,
        json!({"kind": "foreign", "table": "orders", "other": "users"}),
    );
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
        "--include-unmanaged",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ListBackups for 'orders' returned 'arn:aws:dynamodb:us-east-1:123456789012:table/users/backup/"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("a backup of 'users'"), "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0);

    let r = prune(&emu, &["--all-tables"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("with TableName 'users'"), "{}", r.stderr);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("orders").len(), 12);
    assert_eq!(emu.backups("users").len(), 12);
}

/// The same ARN on a later page: the repetition that leaves one backup under
/// `--keep-last 2 --min-keep 2` when counted twice.
#[test]
fn a_backup_repeated_on_a_later_page_is_refused() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 150, 3600));
    anomaly(&emu, json!({"kind": "later_page"}));
    let r = prune(&emu, &["--table", "orders"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("twice: listing refused, nothing deleted"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("orders").len(), 150);
}

/// `list`, `check`, `backup --skip-if-recent` and `run` treat a refused listing as a failed
/// one: list says it is incomplete and shows none of that table's rows.
#[test]
fn every_command_treats_a_refused_listing_as_failed() {
    let emu = Emulator::start();
    fleet(&emu);
    anomaly(&emu, json!({"kind": "duplicate", "table": "orders"}));

    let r = emu.run(&[
        "list", "--table", "orders", "--table", "users", "-o", "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["complete"], false, "{j}");
    assert_eq!(j["errors"][0]["table"], "orders", "{j}");
    assert!(j["errors"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .contains(REFUSED));
    let rows = j["backups"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "only users' backups are shown");
    assert!(rows.iter().all(|b| b["table"] == "users"));

    let r = emu.run(&["list", "--all-tables", "-o", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json()["complete"], false);

    let r = emu.run(&[
        "check",
        "--table",
        "orders",
        "--max-age",
        "2d",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(REFUSED), "{}", r.stderr);

    let r = emu.run(&["verify", "--table", "orders", "--dry-run", "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(REFUSED), "verify says why: {}", r.stderr);

    emu.reset_stats();
    let r = emu.run(&[
        "backup",
        "--table",
        "orders",
        "--skip-if-recent",
        "1d",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(REFUSED), "{}", r.stderr);

    emu.reset_stats();
    let r = emu.run(&[
        "run",
        "--table",
        "orders",
        "--table",
        "users",
        "--keep-last",
        "2",
        "--min-keep",
        "2",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(REFUSED), "{}", r.stderr);
    // users: 12 + 1 new, pruned to 2; orders: 12 + its new backup, nothing deleted.
    assert_eq!(emu.backups("orders").len(), 13);
    assert_eq!(emu.backups("users").len(), 2);
}

/// ListTables: a table listed twice is backed up once; a malformed name refuses the
/// listing, so nothing is selected from it.
#[test]
fn table_listings_are_checked_too() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users", "zeta"]);
    anomaly(&emu, json!({"kind": "tables_twice"}));
    let r = emu.run(&["backup", "--all-tables", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("CreateBackup"), 3);
    assert_eq!(r.json()["summary"]["tables"], 3, "{}", r.stdout);

    anomaly(&emu, json!({"kind": "malformed_table"}));
    emu.reset_stats();
    let r = emu.run(&["backup", "--all-tables", "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("malformed table name 'bad/name'"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("CreateBackup"), 0);
}

/// restic's `m` is months, humantime's minutes: a bare `m` is refused everywhere with one
/// line, before any call; the long forms and restic's y/d/h are accepted.
#[test]
fn a_bare_m_is_never_guessed() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 12, 3600));
    emu.reset_stats();
    for (args, value, n) in [
        (
            vec!["prune", "--table", "orders", "--keep-within", "6m"],
            "6m",
            "6",
        ),
        (
            vec!["prune", "--table", "orders", "--keep-within", "1y5m7d2h"],
            "1y5m7d2h",
            "5",
        ),
        (
            vec!["check", "--table", "orders", "--max-age", "90M"],
            "90M",
            "90",
        ),
        (
            vec!["backup", "--table", "orders", "--skip-if-recent", "30m"],
            "30m",
            "30",
        ),
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{args:?}: {}", r.stderr);
        // The hint keeps the rest of the value: only the bare unit is spelt out.
        let at = value.find(n).unwrap_or(0) + n.len();
        let (head, tail) = (&value[..at], &value[at + 1..]);
        assert!(
            lines[0].contains(&format!(
                "'{value}' is ambiguous: write '{head}months{tail}' (restic's m) or '{head}min{tail}'"
            )),
            "{}",
            lines[0]
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ddb-backup.toml");
    std::fs::write(
        &cfg,
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_within = \"6m\"\n",
    )
    .unwrap();
    let r = emu.run(&[
        "config",
        "check",
        "--offline",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("'6m' is ambiguous"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0, "refused before any call");

    // The long forms: six months keeps all twelve daily backups.
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-within",
        "6months",
        "--min-keep",
        "1",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backups("orders").len(), 12);
    // A window shorter than the interval between backups keeps only the rails: said.
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-within",
        "6min",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("keep-within 6min is shorter than the 1d between the two newest backups"),
        "{}",
        r.stderr
    );
}
