//! Regression tests of the safety hardening: each test names the defect it keeps fixed.
//! Bad input of every class is in faults::bad_input_matrix; the long run is in sim.rs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

const ACCOUNT: &str = "123456789012";

fn table_arn(table: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}")
}

/// #1: `{table}` is this table, to the letter; hand-made names around the pattern, other
/// tables' names and other templates' names are never managed.
#[test]
fn only_names_the_template_renders_for_this_table_are_deleted() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    // The reported reproduction: a hand-made template's backup, then two of another.
    let r = emu.run(&[
        "backup",
        "--table",
        "orders",
        "--name",
        "pre-migration-{table}-{timestamp}",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut kept = vec![
        (
            "ddb-backup.orders.KEEP-FOREVER-legal-hold.20261001T000000Z".to_string(),
            40 * DAY,
            "AVAILABLE",
            "USER",
        ),
        (
            "ddb-backup.customers.20261002T000000Z".to_string(),
            39 * DAY,
            "AVAILABLE",
            "USER",
        ),
        (
            "orders-backup-20261003T000000Z".to_string(),
            38 * DAY,
            "AVAILABLE",
            "USER",
        ),
    ];
    let mut ours: Vec<(String, i64, &str, &str)> = (1..=4)
        .map(|d| {
            let at = chrono::DateTime::from_timestamp(now_secs() - d * DAY, 0).unwrap();
            (
                format!("orders-{}", at.format("%Y%m%dT%H%M%SZ")),
                d * DAY,
                "AVAILABLE",
                "USER",
            )
        })
        .collect();
    ours.push((
        managed_name("orders", 2 * DAY),
        2 * DAY,
        "AVAILABLE",
        "USER",
    ));
    let mut all = kept.clone();
    all.extend(ours.clone());
    emu.seed("orders", &all);
    for template in ["{table}-{timestamp}", "ddb-backup.{table}.{timestamp}"] {
        let r = emu.run(&[
            "prune",
            "--table",
            "orders",
            "--name",
            template,
            "--keep-last",
            "1",
            "--min-keep",
            "1",
            "--output",
            "json",
        ]);
        assert_eq!(r.code, 0, "{template}: {}", r.stderr);
    }
    let left = emu.backup_names("orders");
    kept.push(("pre-migration".into(), 0, "", ""));
    for (name, ..) in &kept {
        assert!(
            left.iter().any(|l| l.starts_with(name.as_str())),
            "{name} was deleted: {left:?}"
        );
    }
    // Of the five managed ones (four of one template, one of the other), one of each stays.
    assert_eq!(left.len(), 4 + 2, "{left:?}");
    assert!(left.contains(&ours[0].0), "{left:?}");
    assert!(left.contains(&ours[4].0), "{left:?}");
}

/// #2: DynamoDB's clock two hours ahead of this host: ages are measured by DynamoDB's
/// clock (its responses' Date), so the plan, check and --require-recent are what a correct
/// host clock gives; the host's skew is reported.
#[test]
fn a_host_clock_behind_dynamodb_never_widens_a_deletion() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.config(json!({ "clock_offset_seconds": 7200 }));
    for i in 0..5 {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(1050));
        }
        let r = emu.run(&["backup", "--table", "orders"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-within",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["deleted"], 0, "{}", r.stdout);
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("orders").len(), 5);
    assert!(
        r.stderr.contains("this host's clock is 1h 59min")
            || r.stderr.contains("this host's clock is 2h"),
        "{}",
        r.stderr
    );

    // The backups are seconds old by DynamoDB's clock: fresh, for check and the rail alike.
    let r = emu.run(&[
        "check",
        "--table",
        "orders",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["tables"][0]["verdict"], "ok");
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "1",
        "--min-keep",
        "1",
        "--require-recent",
        "1d",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["summary"]["would_delete"], 4);

    // A backup dated three years ahead fails check, whatever else exists.
    emu.create_tables(&["future"]);
    emu.seed(
        "future",
        &[
            (managed_name("future", 3600), 3600, "AVAILABLE", "USER"),
            (
                managed_name("future", -3 * 365 * DAY),
                -3 * 365 * DAY,
                "AVAILABLE",
                "USER",
            ),
        ],
    );
    let r = emu.run(&[
        "check",
        "--table",
        "future",
        "--max-age",
        "1d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json()["tables"][0]["verdict"], "clock_skew");
}

/// #5: every command stops within moments of the first signal, exits 130, and prints no
/// result as if complete — also under `timeout`.
#[test]
fn list_check_and_describe_stop_on_the_first_signal() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let arns = emu.seed("orders", &daily_specs("orders", 3, 3600));
    emu.faults(json!([
        { "op": "ListBackups", "kind": "stall", "seconds": 15 },
        { "op": "DescribeBackup", "kind": "stall", "seconds": 15 },
    ]));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["list", "--table", "orders", "--output", "json"],
            "ListBackups",
        ),
        (
            vec![
                "check",
                "--table",
                "orders",
                "--max-age",
                "1d",
                "--output",
                "json",
            ],
            "ListBackups",
        ),
        (
            vec!["describe", "--output", "json", &arns[0]],
            "DescribeBackup",
        ),
    ];
    for (args, op) in cases {
        emu.reset_stats();
        let child = spawn(&emu, &args);
        wait_for_calls(&emu, op, 1);
        let sent = Instant::now();
        signal(&child, "TERM");
        let r = finish(child, Duration::from_secs(10), &args.join(" "));
        assert_eq!(r.code, 130, "{args:?}: {}", r.stderr);
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "{args:?} outlived the stall"
        );
        assert!(
            r.stdout.is_empty(),
            "{args:?} printed a result: {}",
            r.stdout
        );
    }
    // `timeout` sends SIGTERM; with --preserve-status its exit code is the tool's.
    let c = emu.cmd();
    let program = c.get_program().to_owned();
    let pre: Vec<_> = c.get_args().map(|a| a.to_owned()).collect();
    let mut t = Command::new("timeout");
    t.args(["--preserve-status", "2"])
        .arg(program)
        .args(pre)
        .args(["list", "--table", "orders", "--output", "json"]);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => t.env(k, v),
            None => t.env_remove(k),
        };
    }
    let r = run_cmd(t.stdin(Stdio::null()));
    assert_eq!(r.code, 130, "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

/// #6: a cursor that never advances is an error for that listing, not an endless loop,
/// and nothing is deleted on its account.
#[test]
fn a_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    let emu = Emulator::start();
    emu.ctl(
        "create_tables",
        json!({ "names": ["orders"], "tags": { "k": "v" } }),
    );
    emu.seed("orders", &daily_specs("orders", 150, 3600));
    emu.faults(json!([{ "op": "ListBackups", "kind": "stuck_cursor" }]));
    for args in [
        vec!["list", "--table", "orders", "--output", "json"],
        vec![
            "prune",
            "--table",
            "orders",
            "--keep-last",
            "1",
            "--output",
            "json",
        ],
    ] {
        let r = finish(spawn(&emu, &args), Duration::from_secs(30), &args.join(" "));
        assert_ne!(r.code, 0, "{args:?}");
        assert!(
            r.stderr.contains("same page cursor twice"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backups("orders").len(), 150);
    for (op, args) in [
        (
            "ListTables",
            vec!["list", "--match", "ord*", "--output", "json"],
        ),
        (
            "ListTagsOfResource",
            vec!["backup", "--tag", "k=v", "--output", "json"],
        ),
    ] {
        emu.faults(json!([{ "op": op, "kind": "stuck_cursor" }]));
        let r = finish(spawn(&emu, &args), Duration::from_secs(30), op);
        assert_eq!(r.code, 1, "{op}: {}", r.stderr);
        assert!(
            r.stderr.contains("same page cursor twice"),
            "{op}: {}",
            r.stderr
        );
    }
    assert_eq!(emu.calls("CreateBackup"), 0);
}

/// #7: where results go is checked before anything is sent.
#[test]
fn unwritable_report_or_metrics_paths_are_refused_before_any_call() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let dir = emu.home.path().to_string_lossy().to_string();
    for flag in ["--report", "--metrics-file"] {
        for path in ["/nonexistent-dir/out.json".to_string(), dir.clone()] {
            let r = emu.run(&["run", "--table", "orders", "--keep-last", "3", flag, &path]);
            assert_eq!(r.code, 2, "{flag} {path}: {}", r.stderr);
            assert_eq!(r.err_lines().len(), 1, "{}", r.stderr);
            assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
            assert_eq!(emu.total_calls(), 0, "{flag} {path}");
        }
    }
}

/// #8: the same table by name and by ARN is one table; the summary adds up.
#[test]
fn a_table_given_by_name_and_by_arn_is_worked_on_once() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 6, 3600));
    let arn = table_arn("orders");
    let r = emu.run(&[
        "run",
        "--table",
        "orders",
        "--table",
        &arn,
        "--keep-last",
        "2",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["tables"].as_array().unwrap().len(), 1, "{}", r.stdout);
    assert_eq!(emu.calls("CreateBackup"), 1);
    let deleted = emu.calls("DeleteBackup");
    assert_eq!(deleted, 5);
    assert_eq!(j["summary"]["backups_deleted"].as_u64(), Some(deleted));
    assert_eq!(j["tables"][0]["prune"]["deleted"].as_u64(), Some(deleted));
    assert_eq!(emu.backups("orders").len(), 2);
}

/// #9: a table two policies claim through tags (known only after listing) is backed up
/// once, not pruned, and reported; the other tables proceed; exit 3.
#[test]
fn a_runtime_policy_conflict_fails_that_table_only() {
    let emu = Emulator::start();
    emu.ctl(
        "create_tables",
        json!({ "names": ["shared"], "tags": { "team": "x", "env": "prod" } }),
    );
    emu.ctl(
        "create_tables",
        json!({ "names": ["users"], "tags": { "team": "x" } }),
    );
    emu.ctl(
        "create_tables",
        json!({ "names": ["items"], "tags": { "env": "prod" } }),
    );
    for t in ["shared", "users", "items"] {
        emu.seed(t, &daily_specs(t, 4, 3600));
    }
    let cfg = emu.home.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[[policy]]\nname = \"team\"\ntags = { team = \"x\" }\n[policy.retention]\nkeep_last = 1\nmin_keep = 1\n\
         [[policy]]\nname = \"prod\"\ntags = { env = \"prod\" }\n[policy.retention]\nkeep_last = 1\nmin_keep = 1\n",
    )
    .unwrap();
    let cfg = cfg.to_string_lossy().to_string();
    let r = emu.run(&["run", "--config", &cfg, "--output", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let rows = j["tables"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{}", r.stdout);
    let shared = rows.iter().find(|t| t["table"] == "shared").unwrap();
    assert!(shared["conflict"]
        .as_str()
        .unwrap()
        .contains("claimed by two policies"));
    assert_eq!(shared["ok"], false);
    assert!(shared["prune"].is_null());
    assert_eq!(
        emu.backups("shared").len(),
        5,
        "backed up once, nothing deleted"
    );
    for t in ["users", "items"] {
        assert_eq!(emu.backups(t).len(), 1, "{t} was pruned by its policy");
    }
    assert_eq!(j["summary"]["failed"], 1);
    // config check names the conflict too.
    let r = emu.run(&["config", "check", "--config", &cfg, "--output", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("claimed by two policies"), "{}", r.stdout);
}

/// #10: a dry run predicts the real run's outcome and exit code.
#[test]
fn a_dry_run_predicts_the_real_outcome() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users", "items"]);
    emu.seed("orders", &daily_specs("orders", 5, 3600));
    for cmd in ["backup", "run"] {
        let dry = emu.run(&[
            cmd,
            "--table",
            "orders",
            "--table",
            "nosuch",
            "--dry-run",
            "--output",
            "json",
        ]);
        assert_eq!(dry.code, 3, "{cmd} --dry-run: {}", dry.stdout);
        assert!(dry.stdout.contains("'nosuch' not found"), "{}", dry.stdout);
    }
    assert_eq!(emu.calls("CreateBackup"), 0);
    let real = emu.run(&[
        "backup", "--table", "orders", "--table", "nosuch", "--output", "json",
    ]);
    assert_eq!(real.code, 3, "{}", real.stderr);

    let fleet = [
        "run",
        "--table",
        "orders",
        "--table",
        "users",
        "--table",
        "items",
        "--keep-last",
        "2",
        "--wait",
    ];
    let r = emu.run(&[&fleet[..], &["--dry-run", "--output", "table"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    // orders has 6 now (5 seeded + 1 real): with the new one, keep-last 2 deletes 5.
    assert!(
        r.stdout
            .contains("3 backups would be created, 5 would be deleted"),
        "{}",
        r.stdout
    );
    let before = emu.calls("DeleteBackup");
    let r = emu.run(&[&fleet[..], &["--output", "json"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["backups_created"], 3);
    assert_eq!(
        emu.calls("DeleteBackup") - before,
        5,
        "the dry run was right"
    );
}

/// #11: command-line keep rules never add retention to a backup-only policy.
#[test]
fn keep_flags_do_not_turn_on_pruning_for_backup_only_policies() {
    let emu = Emulator::start();
    emu.create_tables(&["logs", "orders"]);
    emu.seed("logs", &daily_specs("logs", 10, 3600));
    emu.seed("orders", &daily_specs("orders", 10, 3600));
    let cfg = emu.home.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[[policy]]\nname = \"backup-only\"\ntables = [\"logs\"]\n\
         [[policy]]\nname = \"pruned\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_last = 30\n",
    )
    .unwrap();
    let r = emu.run(&[
        "run",
        "--config",
        &cfg.to_string_lossy(),
        "--keep-last",
        "3",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        emu.backups("logs").len(),
        11,
        "backup-only stays backup-only"
    );
    assert_eq!(
        emu.backups("orders").len(),
        3,
        "the CLI rule replaced keep_last = 30"
    );
}

/// #13: every output format carries what failed and whether the listing is complete.
#[test]
fn failures_and_completeness_reach_every_output_format() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "broken"]);
    emu.seed("orders", &daily_specs("orders", 2, 3600));
    emu.faults(json!([{ "op": "ListBackups", "table": "broken", "kind": "access_denied" }]));
    let r = emu.run(&[
        "list", "--table", "orders", "--table", "broken", "--output", "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["complete"], false);
    assert_eq!(j["errors"][0]["table"], "broken");
    assert_eq!(j["backups"].as_array().unwrap().len(), 2);
    let r = emu.run(&[
        "list", "--table", "orders", "--table", "broken", "--output", "ndjson",
    ]);
    let last: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["record"].as_str(), last["complete"].as_bool()),
        (Some("summary"), Some(false))
    );
    let r = emu.run(&[
        "list", "--table", "orders", "--table", "broken", "--output", "table",
    ]);
    assert!(r.stdout.contains("INCOMPLETE"), "{}", r.stdout);

    let cfg = emu.home.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[[policy]]\nname = \"good\"\ntables = [\"orders\"]\n[[policy]]\nname = \"empty\"\nmatch = [\"nomatch-*\"]\n",
    )
    .unwrap();
    let r = emu.run(&[
        "run",
        "--config",
        &cfg.to_string_lossy(),
        "--output",
        "ndjson",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let last: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["record"], "summary");
    assert_eq!(last["policy_errors"][0]["policy"], "empty");
    assert_eq!(last["summary"]["policy_errors"], 1);
}

/// #14: a restore target that vanishes is reported at once, not after --timeout.
#[test]
fn restore_wait_stops_when_the_target_is_gone() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 1, 3600));
    // The first DescribeTable (is the target free?) is real; every later one says gone.
    emu.faults(json!([{ "op": "DescribeTable", "kind": "table_not_found", "from_call": 2 }]));
    let child = spawn(
        &emu,
        &[
            "restore",
            "--table",
            "orders",
            "--latest",
            "--target",
            "orders-copy",
            "--wait",
            "--timeout",
            "2h",
        ],
    );
    let r = finish(child, Duration::from_secs(60), "restore --wait");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("never appeared") || r.stderr.contains("disappeared"),
        "{}",
        r.stderr
    );
}

/// #15 and #16: DynamoDB's milliseconds without float noise; a non-DynamoDB answer says so.
#[test]
fn times_have_milliseconds_and_foreign_answers_name_the_endpoint() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let r = emu.run(&["backup", "--table", "orders", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = emu.run(&["list", "--table", "orders", "--output", "json"]);
    let created = r.json()["backups"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_string();
    let frac = created
        .split_once('.')
        .map(|(_, f)| f.trim_end_matches('Z').len())
        .unwrap_or(0);
    assert!(frac <= 3, "{created}");
    for (kind, status) in [("not_dynamo", "HTTP 404"), ("plain_200", "HTTP 200")] {
        emu.faults(json!([{ "op": "*", "kind": kind }]));
        let r = emu.run(&["list", "--table", "orders"]);
        assert_eq!(r.code, 1, "{kind}");
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{kind}: {lines:?}");
        assert!(
            lines[0].contains(status) && lines[0].contains("--endpoint-url"),
            "{}",
            lines[0]
        );
        assert!(!lines[0].contains("Unknown"), "{}", lines[0]);
    }
}

/// #18: a persistent fault on one operation costs a few calls, not hundreds.
#[test]
fn a_persistent_delete_failure_stops_new_deletions() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 20, 3600));
    emu.faults(json!([{ "op": "DeleteBackup", "kind": "500" }]));
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "3",
        "--min-keep",
        "1",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let calls = emu.calls("DeleteBackup");
    // Three failures in a row open the breaker; at most four were in flight; each call is
    // tried --max-attempts (5) times by the SDK.
    assert!(calls <= 7 * 5, "{calls} DeleteBackup calls");
    let j = r.json();
    let results: Vec<&Value> = j["tables"][0]["deletions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d[1])
        .collect();
    assert_eq!(results.len(), 17);
    let not_attempted = results
        .iter()
        .filter(|r| {
            r["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("not attempted"))
        })
        .count();
    assert!(not_attempted >= 10, "{}", r.stdout);
    assert_eq!(emu.backups("orders").len(), 20);
}

/// #20: metrics of tables no longer in the config disappear on the next full run.
#[test]
fn metrics_forget_tables_that_left_the_config() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users"]);
    let cfg = emu.home.path().join("c.toml");
    let metrics = emu.home.path().join("m.prom");
    let m = metrics.to_string_lossy().to_string();
    let run = |tables: &str| {
        std::fs::write(
            &cfg,
            format!("[[policy]]\nname = \"p\"\ntables = [{tables}]\n"),
        )
        .unwrap();
        let r = emu.run(&[
            "run",
            "--config",
            &cfg.to_string_lossy(),
            "--metrics-file",
            &m,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read_to_string(&metrics).unwrap()
    };
    let both = run("\"orders\", \"users\"");
    assert!(both.contains("table=\"users\""));
    let one = run("\"orders\"");
    assert!(!one.contains("table=\"users\""), "{one}");
    assert!(one.contains("ddb_backup_table_last_success_timestamp_seconds{account=\"123456789012\",region=\"us-east-1\",table=\"orders\""));
}

/// -q means the same in every command that changes something: nothing on stdout on
/// success, the report on failure; read commands print their data either way.
#[test]
fn quiet_is_the_same_in_every_command() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 3, 3600));
    for args in [
        vec!["-q", "backup", "--table", "orders", "--output", "json"],
        vec![
            "-q",
            "prune",
            "--table",
            "orders",
            "--keep-last",
            "5",
            "--output",
            "json",
        ],
        vec!["-q", "run", "--table", "orders", "--output", "json"],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
    }
    for args in [
        vec![
            "-q",
            "check",
            "--table",
            "orders",
            "--max-age",
            "1d",
            "--output",
            "json",
        ],
        vec!["-q", "list", "--table", "orders", "--output", "json"],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(r.stdout.contains("\"summary\""), "{args:?}: {}", r.stdout);
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
    }
    for args in [
        vec!["-q", "backup", "--table", "nosuch", "--output", "json"],
        vec!["-q", "run", "--table", "nosuch", "--output", "json"],
        vec![
            "-q",
            "check",
            "--table",
            "orders",
            "--max-age",
            "1d",
            "--min-count",
            "99",
            "--output",
            "json",
        ],
    ] {
        let r = emu.run(&args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stdout.contains("\"summary\""), "{args:?}: {}", r.stdout);
    }
}

/// Outputs that are links or not regular files: a link is written through (the link
/// stays), a FIFO or device node is refused before any call, and never replaced.
#[test]
fn report_and_metrics_paths_never_replace_links_devices_or_fifos() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let dir = emu.home.path();
    let real = dir.join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = emu.run(&[
        "run",
        "--table",
        "orders",
        "--report",
        &link.to_string_lossy(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(written["command"], "run");

    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let node = dir.join("null-node");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .status();
    let mut specials = vec![fifo.clone()];
    if made.is_ok_and(|s| s.success()) {
        specials.push(node.clone());
    }
    let to_fifo = dir.join("to-fifo");
    std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
    specials.push(to_fifo);
    emu.reset_stats();
    for path in &specials {
        for flag in ["--report", "--metrics-file"] {
            let r = emu.run(&["run", "--table", "orders", flag, &path.to_string_lossy()]);
            assert_eq!(r.code, 2, "{flag} {path:?}: {}", r.stderr);
            assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
            assert_eq!(emu.total_calls(), 0);
        }
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    if specials.contains(&node) {
        assert!(std::fs::metadata(&node)
            .unwrap()
            .file_type()
            .is_char_device());
    }
}

/// Temporary files (the write check's, the report's and the metrics file's) are created
/// exclusively under unpredictable names: links planted at every name derived from the
/// process id of the run are never followed, nothing they point at is written, and the
/// report and metrics end up regular files.
#[test]
fn temporary_files_never_follow_links_planted_at_predictable_names() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let home = emu.home.path();
    let sentinel = home.join("precious");
    std::fs::write(&sentinel, "precious").unwrap();
    let dir = home.join("out");
    std::fs::create_dir(&dir).unwrap();
    // Process ids are handed out in order: the run's is soon after this one's, whatever
    // else starts meanwhile (threads take ids too, hence the margin).
    let mut probe = Command::new("true").spawn().unwrap();
    let last = probe.id();
    probe.wait().unwrap();
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(u32::MAX);
    const AHEAD: u32 = 4000;
    let mut planted = Vec::new();
    for i in 1..=AHEAD {
        let pid = match last.saturating_add(i) {
            p if p >= pid_max => p - pid_max + 300,
            p => p,
        };
        for name in [
            format!(".ddb-backup-write-check.{pid}"),
            format!(".run.json.{pid}.tmp"),
            format!(".ddb-backup.prom.{pid}.tmp"),
        ] {
            let link = dir.join(name);
            std::os::unix::fs::symlink(&sentinel, &link).unwrap();
            planted.push(link);
        }
    }
    let report = dir.join("run.json");
    let metrics = dir.join("ddb-backup.prom");
    let r = emu.run(&[
        "run",
        "--table",
        "orders",
        "--keep-last",
        "3",
        "--report",
        &report.to_string_lossy(),
        "--metrics-file",
        &metrics.to_string_lossy(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&sentinel).unwrap(),
        "precious",
        "a planted link was written through"
    );
    for path in [&report, &metrics] {
        let meta = std::fs::symlink_metadata(path).unwrap();
        assert!(meta.file_type().is_file(), "{path:?} is not a regular file");
    }
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written["command"], "run");
    assert!(std::fs::read_to_string(&metrics)
        .unwrap()
        .contains("ddb_backup_"));
    for link in &planted {
        let meta = std::fs::symlink_metadata(link).unwrap();
        assert!(meta.file_type().is_symlink(), "{link:?} was replaced");
    }
    // No temporary file is left behind.
    let entries = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(entries, planted.len() + 2);
}

/// Plain HTTP to a host that is not this machine (from --endpoint-url,
/// AWS_ENDPOINT_URL_DYNAMODB or a config's [defaults]) is warned about once, naming the
/// endpoint; https and loopback endpoints are silent. Without a region each command stops
/// as its client is built, so nothing is sent anywhere.
#[test]
fn plain_http_to_another_host_is_warned_about_before_any_request() {
    const WARNING: &str = "plain HTTP to a host that is not this machine";
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let r = emu.run(&["run", "--table", "orders", "--keep-last", "3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(WARNING), "{}", r.stderr);
    emu.reset_stats();

    let cfg = emu.home.path().join("remote.toml");
    std::fs::write(
        &cfg,
        "[defaults]\nendpoint_url = \"http://ddb.invalid:1\"\n[[policy]]\nname = \"p\"\n\
         tables = [\"orders\"]\n[policy.retention]\nkeep_last = 1\n",
    )
    .unwrap();
    let cfg = cfg.to_string_lossy().to_string();
    let remote: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (
            vec![
                "--endpoint-url",
                "http://10.0.0.5:8000",
                "list",
                "--table",
                "orders",
            ],
            None,
            "http://10.0.0.5:8000",
        ),
        (
            vec!["list", "--table", "orders"],
            Some("http://ddb.invalid:1"),
            "http://ddb.invalid:1",
        ),
        (
            vec!["check", "--config", &cfg, "--max-age", "1d"],
            None,
            "http://ddb.invalid:1",
        ),
    ];
    let run = |args: &[&str], env: Option<&str>| {
        let mut c = emu.bare_cmd();
        c.env_remove("AWS_REGION").args(args);
        if let Some(url) = env {
            c.env("AWS_ENDPOINT_URL_DYNAMODB", url);
        }
        let r = run_cmd(&mut c);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("no AWS region configured"),
            "{}",
            r.stderr
        );
        r
    };
    for (args, env, url) in &remote {
        let r = run(args, *env);
        let warnings: Vec<&str> = r
            .err_lines()
            .into_iter()
            .filter(|l| l.contains(WARNING))
            .collect();
        assert_eq!(warnings.len(), 1, "{args:?}: {}", r.stderr);
        assert!(
            warnings[0].contains(&format!("endpoint {url} is {WARNING}")),
            "{}",
            warnings[0]
        );
        assert!(warnings[0].contains("use https"), "{}", warnings[0]);
    }
    for url in [
        "https://10.0.0.5:8000",
        "http://localhost:1",
        "http://[::1]:1",
    ] {
        let r = run(&["--endpoint-url", url, "list", "--table", "orders"], None);
        assert!(!r.stderr.contains(WARNING), "{url}: {}", r.stderr);
    }
    assert_eq!(emu.total_calls(), 0);
}

/// A config decides what gets deleted: one every user may change (a world-writable file,
/// or a world-writable directory holding it, unless sticky) is refused before any call with
/// one line naming the path and the chmod that fixes it; one a group or another user may
/// change is warned about, and the command proceeds.
#[test]
fn a_config_others_can_change_is_refused_or_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let dir = emu.home.path().join("conf");
    std::fs::create_dir(&dir).unwrap();
    mode(&dir, 0o755);
    let cfg = dir.join("ddb.toml");
    std::fs::write(
        &cfg,
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_last = 2\n",
    )
    .unwrap();
    let (cfg_s, dir_s) = (cfg.to_string_lossy(), dir.to_string_lossy());
    let commands = |c: &str| -> Vec<Vec<String>> {
        [
            vec!["run", "--config", c],
            vec!["check", "--config", c, "--max-age", "1d"],
            vec!["config", "check", "--config", c],
            vec!["verify", "--config", c],
        ]
        .into_iter()
        .map(|a| a.into_iter().map(String::from).collect())
        .collect()
    };
    let refused = |fix: &str| {
        for args in commands(&cfg_s) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = emu.run(&args);
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            let lines = r.err_lines();
            assert_eq!(lines.len(), 1, "{args:?}: {}", r.stderr);
            assert!(lines[0].starts_with("error: config "), "{}", lines[0]);
            assert!(lines[0].ends_with(fix), "{}", lines[0]);
            assert_eq!(emu.total_calls(), 0, "{args:?}");
        }
    };

    mode(&cfg, 0o666);
    refused(&format!("fix with: chmod o-w {cfg_s}"));
    let r = emu.run(&["run", "--config", &cfg_s]);
    assert!(r.stderr.contains(&format!(
        "config {cfg_s} is writable by every user (mode 0666)"
    )));

    mode(&cfg, 0o644);
    mode(&dir, 0o777);
    refused(&format!("fix with: chmod o-w {dir_s}"));
    let r = emu.run(&["run", "--config", &cfg_s]);
    assert!(r.stderr.contains(&format!(
        "{dir_s}, which every user can write to (mode 0777)"
    )));

    // A sticky directory (like /tmp) lets no one replace another's file: only the file counts.
    mode(&dir, 0o1777);
    let r = emu.run(&["run", "--config", &cfg_s, "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains(&format!("config {cfg_s}")),
        "{}",
        r.stderr
    );
    assert_eq!(emu.calls("CreateBackup"), 1);

    // Group-writable: a warning naming the fix, and the run goes on.
    mode(&dir, 0o755);
    mode(&cfg, 0o664);
    let r = emu.run(&["run", "--config", &cfg_s, "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warned: Vec<&str> = r
        .err_lines()
        .into_iter()
        .filter(|l| l.contains("is writable by its group (mode 0664)"))
        .collect();
    assert_eq!(warned.len(), 1, "{}", r.stderr);
    assert!(
        warned[0].ends_with(&format!("fix with: chmod g-w {cfg_s}")),
        "{}",
        warned[0]
    );
    assert_eq!(emu.calls("CreateBackup"), 2);
    assert_eq!(r.json()["summary"]["backups_created"], 1, "{}", r.stdout);

    // Owned by another user (only root can give a file away).
    mode(&cfg, 0o644);
    let given = Command::new("chown")
        .args(["4321"])
        .arg(&cfg)
        .stderr(Stdio::null())
        .status();
    if given.is_ok_and(|s| s.success()) {
        let r = emu.run(&["config", "check", "--config", &cfg_s, "--offline"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains("is owned by uid 4321"), "{}", r.stderr);
    }
}

/// One backup dated a year ahead does not anchor --keep-within past the recent ones.
#[test]
fn a_lone_future_dated_backup_does_not_move_the_window() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let mut specs = daily_specs("orders", 30, 3600);
    specs.push((
        managed_name("orders", -400 * DAY),
        -400 * DAY,
        "AVAILABLE",
        "USER",
    ));
    emu.seed("orders", &specs);
    let r = emu.run(&[
        "prune",
        "--table",
        "orders",
        "--keep-within",
        "7d",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let left = emu.backup_names("orders");
    for (name, age, ..) in &specs {
        if *age < 7 * DAY {
            assert!(left.contains(name), "{name} ({age}s old) was deleted");
        }
    }
    assert!(r.stderr.contains("dated in the future"), "{}", r.stderr);
}

/// A name with a multi-byte character where the timestamp goes is simply not managed:
/// no panic, and the fleet's report is complete.
#[test]
fn odd_unicode_names_do_not_crash_a_fleet() {
    let emu = Emulator::start();
    emu.create_tables(&["tab01", "tab02", "tab03"]);
    for t in ["tab01", "tab02", "tab03"] {
        emu.seed(t, &daily_specs(t, 5, 3600));
    }
    emu.seed(
        "tab02",
        &[
            (
                "ddb-backup.tab02.2026110１T030000Z".to_string(),
                DAY,
                "AVAILABLE",
                "USER",
            ),
            (
                "ddb-backup.tab02.٢٠٢٦١١٠١T030000Z".to_string(),
                DAY,
                "AVAILABLE",
                "USER",
            ),
        ],
    );
    let report = emu.home.path().join("rep.json");
    let r = emu.run(&[
        "run",
        "--all-tables",
        "--keep-last",
        "3",
        "--report",
        &report.to_string_lossy(),
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(report.exists());
    for t in ["tab01", "tab03"] {
        assert_eq!(emu.backups(t).len(), 3, "{t}");
    }
    assert_eq!(emu.backups("tab02").len(), 5, "3 managed + the 2 odd ones");
    let r = emu.run(&["check", "--table", "tab02", "--max-age", "1d"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A table that does not exist (and has no backups) is an error, not an empty success.
#[test]
fn a_mistyped_table_is_an_error_everywhere() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 2, 3600));
    for args in [
        vec!["prune", "--table", "ordres", "--keep-last", "1"],
        vec!["list", "--table", "ordres"],
        vec!["check", "--table", "ordres", "--max-age", "1d"],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("'ordres' not found"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // A table that is gone but still has backups is listed and pruned as usual.
    emu.call("DeleteTable", json!({ "TableName": "orders" }));
    let r = emu.run(&["list", "--table", "orders", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["backups"], 2);
}

/// A wait that times out says so on stderr, even under -q; a stop is not a timeout.
#[test]
fn wait_timeouts_are_errors_and_stops_are_not_timeouts() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.config(json!({ "creating_seconds": 30 }));
    let r = emu.run(&[
        "-q",
        "backup",
        "--table",
        "orders",
        "--wait",
        "--timeout",
        "1s",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("still CREATING after --timeout 1s"),
        "{}",
        lines[0]
    );
    assert_eq!(r.json()["results"][0]["outcome"], "timed_out");
    let child = spawn(
        &emu,
        &["backup", "--table", "orders", "--wait", "--output", "json"],
    );
    wait_for_calls(&emu, "CreateBackup", 2);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "TERM");
    let r = finish(child, Duration::from_secs(10), "backup --wait");
    assert_eq!(r.code, 130, "{}", r.stderr);
    assert_eq!(r.json()["results"][0]["outcome"], "interrupted");
}

/// A stop while deletions are on the wire: their outcome is reported as unknown, never as
/// "not deleted", and the report accounts for everything the service did.
#[test]
fn deletions_cut_in_flight_are_reported_as_unknown() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 30, 3600));
    emu.config(json!({ "latency_ms": 1500 }));
    let child = spawn(
        &emu,
        &[
            "prune",
            "--table",
            "orders",
            "--keep-last",
            "5",
            "--output",
            "json",
        ],
    );
    wait_for_calls(&emu, "DeleteBackup", 1);
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "INT");
    let r = finish(child, Duration::from_secs(10), "prune");
    assert_eq!(r.code, 130, "{}", r.stderr);
    std::thread::sleep(Duration::from_millis(2000));
    let gone = 30 - emu.backups("orders").len() as u64;
    let j = r.json();
    let (deleted, unknown) = (
        j["summary"]["deleted"].as_u64().unwrap(),
        j["summary"]["unknown"].as_u64().unwrap(),
    );
    assert!(unknown > 0, "{}", r.stdout);
    assert!(
        deleted <= gone && gone <= deleted + unknown,
        "{deleted} + {unknown} vs {gone}"
    );
    assert!(
        r.stdout.contains("\"result\":\"unknown\"") || r.stdout.contains("\"result\": \"unknown\"")
    );
}

/// Once the breaker opens, a call that was already in flight succeeding does not close it.
#[test]
fn the_breaker_stays_open_for_the_run() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 30, 3600));
    // One attempt a call: the first six DeleteBackup calls fail, every later one succeeds.
    emu.faults(json!([{ "op": "DeleteBackup", "kind": "500", "calls": [1, 2, 3, 4, 5, 6] }]));
    let r = emu.run(&[
        "--max-attempts",
        "1",
        "prune",
        "--table",
        "orders",
        "--keep-last",
        "2",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let gone = 30 - emu.backups("orders").len();
    // Three failures open the breaker; only calls already in flight (at most three more)
    // can still succeed, and their success does not reopen the flow.
    assert!(gone <= 3, "{gone} deleted after the breaker opened");
    assert!(
        emu.calls("DeleteBackup") <= 9,
        "{}",
        emu.calls("DeleteBackup")
    );
}

/// #7: a report that still cannot be written at the end (its directory vanished mid-run)
/// is printed on stdout instead of being lost, and the run says so and fails.
#[test]
fn a_report_that_cannot_be_written_goes_to_stdout() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.config(json!({ "latency_ms": 400 }));
    let dir = emu.home.path().join("reports");
    std::fs::create_dir(&dir).unwrap();
    let report = dir.join("run.json");
    let child = spawn(
        &emu,
        &[
            "run",
            "--table",
            "orders",
            "--report",
            &report.to_string_lossy(),
            "--output",
            "table",
        ],
    );
    wait_for_calls(&emu, "CreateBackup", 1);
    std::fs::remove_dir_all(&dir).unwrap();
    let r = finish(child, Duration::from_secs(30), "run");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("printed on stdout instead"),
        "{}",
        r.stderr
    );
    let printed: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(printed["command"], "run");
    assert_eq!(printed["summary"]["backups_created"], 1);
}

/// Backups someone else makes while a run goes on are left alone and not counted: the
/// run's own backup stays, and so does everything the policy keeps without them.
#[test]
fn backups_made_by_others_during_a_run_are_left_alone() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let specs = daily_specs("orders", 3, 3600);
    emu.seed("orders", &specs);
    emu.config(json!({ "creating_seconds": 6 }));
    let child = spawn(
        &emu,
        &[
            "run",
            "--table",
            "orders",
            "--wait",
            "--keep-last",
            "2",
            "--output",
            "json",
        ],
    );
    wait_for_calls(&emu, "CreateBackup", 1);
    // Well past the run's start: DynamoDB's Date header has whole seconds, so a backup made
    // within about a second of the start cannot be told from one made just before it.
    std::thread::sleep(Duration::from_millis(3000));
    let outside: Vec<String> = (0..2)
        .map(|i| {
            let t = chrono::DateTime::from_timestamp(now_secs() + i, 0).unwrap();
            format!("ddb-backup.orders.{}", t.format("%Y%m%dT%H%M%SZ"))
        })
        .collect();
    emu.seed(
        "orders",
        &outside
            .iter()
            .map(|n| (n.clone(), 0, "AVAILABLE", "USER"))
            .collect::<Vec<_>>(),
    );
    let r = finish(child, Duration::from_secs(60), "run --wait");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let own = j["tables"][0]["backup"]["backup_arn"]
        .as_str()
        .unwrap()
        .to_string();
    let left = emu.backups("orders");
    let arns: Vec<&str> = left
        .iter()
        .map(|b| b["BackupArn"].as_str().unwrap())
        .collect();
    assert!(
        arns.contains(&own.as_str()),
        "the run's own backup was deleted"
    );
    let names = emu.backup_names("orders");
    for n in &outside {
        assert!(names.contains(n), "{n}, made during the run, was deleted");
    }
    // keep-last 2 over what existed at the start plus the run's own: the newest daily stays.
    assert!(names.contains(&specs[0].0), "{names:?}");
    assert_eq!(j["summary"]["backups_deleted"], 2, "{}", r.stdout);
}

/// A host clock ahead of DynamoDB's: backups dated after DynamoDB's now (though before the
/// host's) are still recognised as dated in the future, anchor nothing and prove nothing.
#[test]
fn a_host_clock_ahead_of_dynamodb_never_widens_a_deletion() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let mut specs: Vec<(String, i64, &str, &str)> = (3..13)
        .map(|d| {
            (
                managed_name("orders", d * DAY),
                d * DAY,
                "AVAILABLE",
                "USER",
            )
        })
        .collect();
    for ahead in [6000, 6600] {
        specs.push((managed_name("orders", -ahead), -ahead, "AVAILABLE", "USER"));
    }
    emu.seed("orders", &specs);
    let mut cmd = emu.cmd();
    with_faketime(&mut cmd, 7200).args([
        "run",
        "--table",
        "orders",
        "--skip-if-recent",
        "20h",
        "--keep-within",
        "2d",
        "--require-recent",
        "1d",
        "--output",
        "json",
    ]);
    let r = run_cmd(&mut cmd);
    // The future-dated backups do not count as recent: a backup is made, and the plan is
    // held because nothing real is younger than a day.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["backups_created"], 1, "{}", r.stdout);
    assert_eq!(j["summary"]["backups_deleted"], 0, "{}", r.stdout);
    assert!(
        j["tables"][0]["prune"]["plan"]["clock_skew"].is_string(),
        "{}",
        r.stdout
    );
    assert_eq!(emu.backups("orders").len(), 13);
    assert!(r.stderr.contains("ahead of DynamoDB's"), "{}", r.stderr);
}

#[test]
fn a_backup_dated_just_past_dynamodbs_clock_frees_no_older_backup() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 5, 3600));
    let plan = |emu: &Emulator| {
        let r = emu.run(&[
            "prune",
            "--table",
            "orders",
            "--keep-last",
            "1",
            "--min-keep",
            "2",
            "--dry-run",
            "-o",
            "json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let t = &r.json()["tables"][0];
        let mut doomed: Vec<String> = t["plan"]["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["action"] == "delete")
            .map(|d| d["backup_name"].as_str().unwrap().to_string())
            .collect();
        doomed.sort();
        doomed
    };
    let before = plan(&emu);
    assert_eq!(before.len(), 3, "{before:?}");
    // A managed backup dated 60 s and one 200 s ahead of DynamoDB's clock (inside the
    // tolerance): neither may count as the newest and let an older one go.
    for ahead in [60, 200] {
        emu.seed(
            "orders",
            &[(managed_name("orders", -ahead), -ahead, "AVAILABLE", "USER")],
        );
    }
    assert_eq!(plan(&emu), before);
    // Nor one dated far ahead (reported as clock skew).
    for ahead in [3600, 86_400 * 30] {
        emu.seed(
            "orders",
            &[(managed_name("orders", -ahead), -ahead, "AVAILABLE", "USER")],
        );
    }
    assert_eq!(plan(&emu), before);
}
