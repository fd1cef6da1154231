//! Reliability: throttling, server errors, stalls, signals, racing deletions, invalid input
//! and secrets — each against the emulator, each checking that nothing is lost.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

/// The names of `daily_specs(table, n, first_age)` a `--keep-last k` plan keeps.
fn newest(specs: &[(String, i64, &str, &str)], k: usize) -> BTreeSet<String> {
    let mut v: Vec<&(String, i64, &str, &str)> = specs.iter().collect();
    v.sort_by_key(|s| s.1);
    v.iter().take(k).map(|s| s.0.clone()).collect()
}

#[test]
fn throttling_and_random_500s_still_do_exactly_the_work() {
    let emu = Emulator::start();
    emu.config(json!({ "documented_limits": true }));
    emu.faults(json!([
        { "op": "CreateBackup", "kind": "500", "fraction": 0.05 },
        { "op": "DeleteBackup", "kind": "500", "fraction": 0.05 },
        { "op": "ListBackups", "kind": "500", "fraction": 0.05 },
        { "op": "ListTables", "kind": "500", "fraction": 0.05 },
    ]));
    let tables: Vec<String> = (0..100).map(|i| format!("fleet-{i:03}")).collect();
    let refs: Vec<&str> = tables.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    let r = emu.run(&[
        "--rate-multiplier",
        "1",
        "backup",
        "--match",
        "fleet-*",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["succeeded"], 100);
    for t in &tables {
        assert_eq!(emu.backups(t).len(), 1, "{t} has exactly one backup");
    }

    emu.create_tables(&["pruned"]);
    let specs = daily_specs("pruned", 200, 3600);
    emu.seed("pruned", &specs);
    let r = emu.run(&[
        "--rate-multiplier",
        "1",
        "prune",
        "--table",
        "pruned",
        "--keep-last",
        "50",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["deleted"], 150);
    assert_eq!(emu.backup_names("pruned"), newest(&specs, 50));
    let stats = emu.ctl("stats", json!({}));
    let faulted: u64 = stats["faulted"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    assert!(faulted > 0, "the run met injected 500s: {stats}");
}

#[test]
fn a_stalled_endpoint_ends_by_its_timeout() {
    let emu = Emulator::start();
    emu.create_tables(&["stalled"]);
    emu.faults(json!([{ "op": "ListBackups", "kind": "stall", "seconds": 30 }]));
    let mut child = emu
        .cmd()
        .args([
            "--read-timeout",
            "1s",
            "--max-attempts",
            "2",
            "list",
            "--table",
            "stalled",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A liveness bound, not a performance assertion: a hang would run to 30 s per attempt.
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(25) {
            let _ = child.kill();
            panic!("the command did not end by its timeout");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error:") && last.contains("stalled") && last.contains("timed out"),
        "{stderr}"
    );
}

/// Starts a paced prune of 100 deletions, signals it once some are done, and checks that
/// no deletion starts after the signal beyond those already in flight.
fn interrupt_prune(signal: &str) {
    let emu = Emulator::start();
    emu.create_tables(&["signalled"]);
    let specs = daily_specs("signalled", 120, 3600);
    emu.seed("signalled", &specs);
    let child = emu
        .cmd()
        .args([
            "--rate-multiplier",
            "1",
            "prune",
            "--table",
            "signalled",
            "--keep-last",
            "20",
            "--output",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while emu.calls("DeleteBackup") < 15 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "deletions never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    // The signal has been delivered by now: anything the emulator receives from here on
    // must be one of the (at most four) deletions already in flight.
    let signalled_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let out = child.wait_with_output().unwrap();
    let after = emu.calls("DeleteBackup");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(emu.calls("DeleteBackup"), after, "nothing after exit");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{signal}: {stderr}");
    let log = emu.ctl("stats", json!({ "log": true }))["log"].clone();
    let late = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["op"] == "DeleteBackup" && e["t"].as_f64().unwrap() > signalled_at)
        .count();
    assert!(
        late <= 4,
        "{signal}: {late} deletions reached the emulator after the signal"
    );
    assert!(after < 100, "{signal}: the prune stopped early ({after})");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["interrupted"], true);
    assert_eq!(report["summary"]["deleted"].as_u64().unwrap(), after);
    assert_eq!(report["tables"][0]["status"], "interrupted");
    assert_eq!(emu.backups("signalled").len() as u64, 120 - after);

    // The rerun finishes the plan: the final set is the newest 20.
    let r = emu.run(&[
        "prune",
        "--table",
        "signalled",
        "--keep-last",
        "20",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backup_names("signalled"), newest(&specs, 20));
}

#[test]
fn a_signal_mid_prune_stops_new_deletions_and_a_rerun_converges() {
    interrupt_prune("TERM");
    interrupt_prune("INT");
}

#[test]
fn delete_not_found_is_done_and_in_use_is_retried_then_reported() {
    let emu = Emulator::start();
    emu.create_tables(&["racing", "busy"]);
    let racing = daily_specs("racing", 8, 3600);
    emu.seed("racing", &racing);
    emu.seed("busy", &daily_specs("busy", 5, 3600));
    emu.faults(json!([
        // Someone else deleted two of them meanwhile.
        { "op": "DeleteBackup", "kind": "backup_not_found", "table": "racing", "next": 2 },
        // Two busy answers, then success.
        { "op": "DeleteBackup", "kind": "backup_in_use", "table": "racing", "next": 2 },
        // Always busy.
        { "op": "DeleteBackup", "kind": "backup_in_use", "table": "busy" },
    ]));
    let r = emu.run(&[
        "prune",
        "--table",
        "racing",
        "--table",
        "busy",
        "--keep-last",
        "2",
        "--output",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let tables = j["tables"].as_array().unwrap();
    let racing_r = tables.iter().find(|t| t["table"] == "racing").unwrap();
    let busy_r = tables.iter().find(|t| t["table"] == "busy").unwrap();
    assert_eq!(racing_r["status"], "ok");
    assert_eq!(racing_r["deleted"], 6);
    let gone = racing_r["deletions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d[1]["result"] == "already_gone")
        .count();
    assert_eq!(gone, 2);
    // The two "already gone" ones are still in the emulator (the fault answered for them);
    // everything else planned is deleted.
    assert_eq!(emu.backups("racing").len(), 2 + 2);
    assert_eq!(busy_r["status"], "failed");
    assert_eq!(busy_r["delete_failed"], 3);
    assert!(busy_r["error"]
        .as_str()
        .unwrap()
        .contains("3 of 3 deletions failed"));
    let detail = busy_r["deletions"][0][1]["detail"].as_str().unwrap();
    assert!(
        detail.contains("is busy") && detail.contains("retries were exhausted"),
        "{detail}"
    );
    assert_eq!(emu.backups("busy").len(), 5);
    assert!(r.stderr.contains("busy"), "{}", r.stderr);
}

#[test]
fn secrets_never_appear_at_any_verbosity() {
    let emu = Emulator::start();
    emu.create_tables(&["secretive"]);
    emu.seed("secretive", &daily_specs("secretive", 3, 3600));
    let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY";
    let token = "FwoGZXIvYXdzSESSIONTOKEN0123456789abcdef";
    let key_id = "AKIAFAKEKEYID0000042";
    let mut printed = String::new();
    for args in [
        vec!["-vvv", "list", "--table", "secretive"],
        vec!["-vvv", "backup", "--table", "secretive", "--wait"],
        vec!["-vvv", "prune", "--table", "secretive", "--keep-last", "1"],
        vec!["-vvv", "list", "--table", "missing-table"],
        vec![
            "-vvv",
            "--log-format",
            "json",
            "check",
            "--table",
            "secretive",
            "--max-age",
            "1d",
        ],
    ] {
        let r = run_cmd(
            emu.cmd()
                .env("AWS_ACCESS_KEY_ID", key_id)
                .env("AWS_SECRET_ACCESS_KEY", secret)
                .env("AWS_SESSION_TOKEN", token)
                .args(&args),
        );
        assert!(!r.stderr.is_empty(), "-vvv logs something");
        printed.push_str(&r.stdout);
        printed.push_str(&r.stderr);
    }
    assert!(printed.len() > 10_000, "trace output is substantial");
    for (what, s) in [
        ("secret key", secret),
        ("session token", token),
        ("access key id", key_id),
    ] {
        assert!(!printed.contains(s), "the {what} was printed");
    }
}

/// One invocation that must fail as a usage error without any call to AWS.
struct Bad {
    args: Vec<String>,
    /// Text the one stderr line must contain.
    says: &'static str,
}

fn bad(args: &[&str], says: &'static str) -> Bad {
    Bad {
        args: args.iter().map(|s| s.to_string()).collect(),
        says,
    }
}

#[test]
fn bad_input_matrix() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let dir = emu.home.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().to_string()
    };
    let malformed = write("malformed.toml", "[[policy]\nname = \"p\"\n");
    let unknown_key = write(
        "unknown.toml",
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\nretention_days = 30\n",
    );
    let bad_duration = write(
        "duration.toml",
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.backup]\nskip_if_recent = \"soonish\"\n",
    );
    let two_claims = write(
        "claims.toml",
        "[[policy]]\nname = \"a\"\ntables = [\"orders\"]\n[[policy]]\nname = \"b\"\nall_tables = true\n",
    );
    let no_keep = write(
        "nokeep.toml",
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nmin_keep = 3\n",
    );
    let bad_count = write(
        "count.toml",
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_daily = \"lots\"\n",
    );
    let good = write(
        "good.toml",
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n",
    );
    let tiny_rate = write(
        "rate.toml",
        "[defaults]\nrate_multiplier = 1e-300\n[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n",
    );
    let newline_name = write(
        "newline.toml",
        "[[policy]]\nname = \"p\\nERROR fake log line\"\ntables = [\"orders\"]\n",
    );
    let bad_region = write(
        "region.toml",
        "[defaults]\nregion = \"Not A Region!\"\n[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n",
    );
    let long_template = format!("{}{{table}}{{timestamp}}", "x".repeat(239));
    let backup_arn =
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcd1234";
    let users_arn =
        "arn:aws:dynamodb:us-east-1:123456789012:table/users/backup/01700000000000-abcd1234";
    let cases = vec![
        bad(&["list", "--table", "ab"], "invalid table name 'ab'"),
        bad(
            &["list", "--table", "bad name!"],
            "character ' ' is not allowed",
        ),
        bad(
            &["list", "--table", "arn:aws:s3:::bucket"],
            "arn:aws:s3:::bucket",
        ),
        bad(&["describe", "not-an-arn"], "not-an-arn"),
        bad(
            &[
                "describe",
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            ],
            "backup",
        ),
        bad(
            &["--region", "eu-west-1", "describe", backup_arn],
            "is in account 123456789012, region us-east-1, which no target of this run covers",
        ),
        bad(
            &[
                "restore",
                "--backup-arn",
                users_arn,
                "--table",
                "orders",
                "--target",
                "orders-copy",
            ],
            "--table",
        ),
        bad(
            &["prune", "--table", "orders", "--keep-daily", "0"],
            "invalid count '0'",
        ),
        bad(&["prune", "--table", "orders", "--keep-daily", "-1"], "-1"),
        bad(
            &["prune", "--table", "orders", "--keep-daily", "seven"],
            "invalid count 'seven'",
        ),
        bad(
            &["prune", "--table", "orders", "--keep-within", "3 parsecs"],
            "invalid duration '3 parsecs'",
        ),
        bad(
            &[
                "prune",
                "--table",
                "orders",
                "--keep-daily",
                "7",
                "--timezone",
                "Mars/Olympus",
            ],
            "unknown timezone 'Mars/Olympus'",
        ),
        bad(&["prune", "--table", "orders"], "no keep rule"),
        bad(
            &["prune", "--match", "[", "--keep-last", "1"],
            "invalid glob",
        ),
        bad(
            &[
                "prune",
                "--table",
                "orders",
                "--keep-last",
                "1",
                "--max-delete",
                "0",
            ],
            "--max-delete",
        ),
        bad(&["backup"], "no tables selected"),
        bad(
            &["backup", "--table", "orders", "--name", "x:{timestamp}"],
            "character ':' is not allowed",
        ),
        bad(
            &["backup", "--table", "orders", "--name", "nightly"],
            "needs {timestamp} or {date}",
        ),
        bad(
            &[
                "backup",
                "--table",
                "orders",
                "--name",
                "{table}-{nope}-{timestamp}",
            ],
            "unknown placeholder '{nope}'",
        ),
        bad(
            &["backup", "--table", "orders", "--timeout", "0s"],
            "must be greater than zero",
        ),
        bad(
            &["backup", "--table", "orders", "--concurrency", "0"],
            "--concurrency",
        ),
        bad(
            &["backup", "--tag", "novalue"],
            "invalid tag filter 'novalue'",
        ),
        bad(
            &["list", "--table", "orders", "--since", "yesterday"],
            "yesterday",
        ),
        bad(
            &[
                "list", "--table", "orders", "--since", "1d", "--until", "2d",
            ],
            "must be before --until",
        ),
        bad(&["restore", "--table", "orders", "--latest"], "--target"),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--backup-name",
                "xyz",
                "--target",
                "y12",
            ],
            "cannot be used with",
        ),
        bad(
            &[
                "restore", "--table", "orders", "--latest", "--target", "orders",
            ],
            "is the source table",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--target",
                "orders-copy",
                "--billing-mode",
                "provisioned",
            ],
            "needs both --read-capacity and --write-capacity",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--target",
                "orders-copy",
                "--read-capacity",
                "5",
            ],
            "need --billing-mode provisioned",
        ),
        bad(
            &[
                "restore", "--table", "orders", "--latest", "--target", "bad!name",
            ],
            "invalid table name 'bad!name'",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--target",
                "orders-copy",
                "--sse",
                "default",
                "--sse-kms-key",
                "alias/k",
            ],
            "--sse-kms-key needs --sse kms",
        ),
        bad(
            &[
                "--endpoint-url",
                "localhost:8000",
                "list",
                "--table",
                "orders",
            ],
            "invalid endpoint URL",
        ),
        bad(&["--output", "yaml", "list", "--table", "orders"], "yaml"),
        bad(
            &["--max-attempts", "0", "list", "--table", "orders"],
            "--max-attempts",
        ),
        bad(&["check", "--table", "orders"], "--max-age"),
        bad(
            &[
                "check",
                "--table",
                "orders",
                "--max-age",
                "1d",
                "--min-count",
                "0",
            ],
            "--min-count",
        ),
        bad(
            &["run", "--config", "/nonexistent/ddb-backup.toml"],
            "cannot read config file /nonexistent/ddb-backup.toml",
        ),
        bad(&["run", "--config", &malformed], "malformed.toml:1:"),
        bad(
            &["run", "--config", &unknown_key],
            "unknown.toml:4:1: unknown field `retention_days`",
        ),
        bad(
            &["run", "--config", &bad_duration],
            "duration.toml:5:18: invalid duration 'soonish'",
        ),
        bad(
            &["run", "--config", &two_claims],
            "claimed by two policies, 'a' and 'b'",
        ),
        bad(&["run", "--config", &no_keep], "no keep rule"),
        bad(
            &["check", "--config", &bad_count, "--max-age", "1d"],
            "count.toml:5:14: invalid count 'lots'",
        ),
        bad(
            &["run", "--config", &good, "--all-tables"],
            "cannot be combined with a config file",
        ),
        bad(
            &["run", "--table", "orders", "--min-keep", "3"],
            "without a keep rule",
        ),
        bad(&["config", "check"], "no config file"),
        bad(&[], "command"),
        bad(
            &[
                "backup",
                "--table",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
            ],
            "is in account 123456789012, region eu-west-1, which no target of this run covers",
        ),
        bad(
            &["--profile", "nosuch", "list", "--table", "orders"],
            "profile 'nosuch' is not defined",
        ),
        bad(&["config"], "command"),
        bad(
            &["prun", "--table", "orders"],
            "unrecognized subcommand 'prun'",
        ),
        // Times that cannot be sent to DynamoDB.
        bad(
            &[
                "list",
                "--table",
                "orders",
                "--since",
                "2016-12-31T23:59:60Z",
            ],
            "leap seconds",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--before",
                "2016-12-31T23:59:60Z",
                "--target",
                "orders-copy",
            ],
            "leap seconds",
        ),
        bad(
            &[
                "list",
                "--table",
                "orders",
                "--since",
                "0000-01-01T00:00:00Z",
            ],
            "from 1970-01-01T00:00:00Z",
        ),
        bad(
            &["list", "--table", "orders", "--since", "9999y"],
            "out of range",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--to-time",
                "9999y",
                "--target",
                "copy1",
            ],
            "out of range",
        ),
        // Pacing that would wait for ages, on the command line and in a config.
        bad(
            &["--rate-multiplier", "1e-300", "list", "--table", "orders"],
            "invalid rate multiplier",
        ),
        bad(
            &["config", "check", "--config", &tiny_rate, "--offline"],
            "invalid rate multiplier",
        ),
        // Regions, wherever they come from.
        bad(
            &["--region", "Not A Region!", "list", "--table", "orders"],
            "invalid region 'Not A Region!'",
        ),
        bad(
            &["--region", "", "list", "--table", "orders"],
            "invalid region ''",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--target",
                "orders-copy",
                "--target-region",
                "",
            ],
            "invalid region ''",
        ),
        bad(
            &[
                "list",
                "--table",
                "arn:aws:dynamodb:US_EAST:123456789012:table/orders",
            ],
            "invalid table ARN",
        ),
        bad(&["run", "--config", &bad_region], "invalid region"),
        // Names and values that are invalid on their face.
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--backup-name",
                "",
                "--target",
                "copy1",
            ],
            "invalid backup name ''",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--backup-name",
                "a b c",
                "--target",
                "copy1",
            ],
            "invalid backup name 'a b c'",
        ),
        bad(
            &[
                "restore",
                "--table",
                "orders",
                "--latest",
                "--target",
                "copy1",
                "--sse",
                "kms",
                "--sse-kms-key",
                "",
            ],
            "must not be empty",
        ),
        bad(
            &[
                "backup",
                "--match",
                "ord*",
                "--table",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
            ],
            "is in account 123456789012, region eu-west-1, which no target of this run covers",
        ),
        bad(
            &["backup", "--match", "ord*", "--name", &long_template],
            "no room for the table name",
        ),
        bad(
            &["config", "check", "--config", &newline_name, "--offline"],
            "control character",
        ),
        // A safety rail given twice is refused, not silently overridden.
        bad(
            &[
                "prune",
                "--table",
                "orders",
                "--keep-last",
                "1",
                "--max-delete",
                "3",
                "--max-delete",
                "100",
            ],
            "cannot be used multiple times",
        ),
        bad(
            &[
                "prune",
                "--table",
                "orders",
                "--keep-daily",
                "7",
                "--keep-daily",
                "1",
            ],
            "cannot be used multiple times",
        ),
        bad(
            &[
                "run",
                "--table",
                "orders",
                "--lock-file",
                "/nonexistent-dir/ddb-backup.lock",
            ],
            "cannot open lock file",
        ),
    ];
    assert!(cases.len() >= 60);
    for case in &cases {
        let r = emu.run(&case.args.iter().map(String::as_str).collect::<Vec<_>>());
        let lines = r.err_lines();
        assert_eq!(r.code, 2, "{:?}: exit {} {}", case.args, r.code, r.stderr);
        assert_eq!(lines.len(), 1, "{:?}: {lines:?}", case.args);
        assert!(
            lines[0].starts_with("error: "),
            "{:?}: {}",
            case.args,
            lines[0]
        );
        assert!(
            lines[0].contains(case.says),
            "{:?}: {:?} lacks {:?}",
            case.args,
            lines[0],
            case.says
        );
        assert!(r.stdout.is_empty(), "{:?}: {}", case.args, r.stdout);
        assert_eq!(emu.total_calls(), 0, "{:?} reached the emulator", case.args);
    }
    // A region from the environment is checked like --region.
    let r = run_cmd(
        emu.cmd()
            .env("AWS_REGION", "Not A Region!")
            .args(["list", "--table", "orders"]),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.err_lines().len(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("AWS_REGION"), "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
}

/// A huge value (a pasted file, a runaway script) is quoted by its start and its length:
/// the usage error stays one short line, whether the tool, clap or the TOML reader words
/// it. (One command-line argument can hold at most 128 KiB on Linux, so flags get 120 000
/// characters; the config file gets 700 000.)
#[test]
fn a_huge_value_makes_one_short_error_line() {
    let emu = Emulator::start();
    let flag = "a".repeat(120_000);
    let huge = "a".repeat(700_000);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().to_string()
    };
    let policy = |retention: &str| {
        format!(
            "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\n{retention}\n"
        )
    };
    let template = write(
        "template.toml",
        format!(
            "[defaults]\nname = \"{huge}\"\n{}",
            policy("keep_daily = 7")
        ),
    );
    let window = write("window.toml", policy(&format!("keep_within = \"{huge}\"")));
    let typed = write(
        "typed.toml",
        policy(&format!("keep_daily = 7\nmin_keep = \"{huge}\"")),
    );
    let name = write("name.toml", format!("[[policy]]\nname = \"{huge}\"\n"));
    let prune = ["prune", "--table", "orders", "--keep-daily", "7"];
    let with = |extra: &[&str]| -> Vec<String> {
        prune.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (with(&["--name", &flag]), "invalid name template 'aaa"),
        (with(&["--keep-within", &flag]), "invalid duration 'aaa"),
        (with(&["--timezone", &flag]), "unknown timezone 'aaa"),
        (with(&[&format!("--{flag}")]), "unexpected argument"),
        (
            vec!["list".into(), "--table".into(), flag.clone()],
            "invalid table name 'aaa",
        ),
        (
            vec!["run".into(), "--config".into(), template],
            "invalid name template 'aaa",
        ),
        (
            vec!["run".into(), "--config".into(), window],
            "invalid duration 'aaa",
        ),
        (
            vec!["run".into(), "--config".into(), typed],
            "typed.toml:6:12: invalid type",
        ),
        (vec!["run".into(), "--config".into(), name], "policy 'aaa"),
    ];
    for (args, says) in &cases {
        let r = emu.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let shown: Vec<&str> = args.iter().map(|a| &a[..a.len().min(40)]).collect();
        assert_eq!(r.code, 2, "{shown:?}: exit {}", r.code);
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{shown:?}: {} lines", lines.len());
        assert!(
            lines[0].len() < 1000,
            "{shown:?}: {} characters: {}",
            lines[0].len(),
            lines[0].chars().take(1000).collect::<String>()
        );
        assert!(
            lines[0].contains(says),
            "{shown:?}: {:?} lacks {says:?}",
            lines[0]
        );
        assert!(
            !lines[0].contains(&"a".repeat(601)),
            "{shown:?}: {}",
            lines[0]
        );
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn a_lost_answer_never_makes_a_second_backup_or_restore() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    // CreateBackup is carried out, then answered with a 500: the retry finds the backup.
    emu.faults(json!([{"op": "CreateBackup", "kind": "lost_answer", "next": 1}]));
    let r = emu.run(&["backup", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backups("orders").len(), 1, "one table, one backup");
    assert_eq!(emu.calls("CreateBackup"), 1, "not sent again");
    let made = r.json()["results"][0]["backup_arn"].clone();
    assert_eq!(made, emu.backups("orders")[0]["BackupArn"]);
    // The same for a restore: the retry finds the table the lost attempt started.
    emu.faults(json!([{"op": "RestoreTableFromBackup", "kind": "lost_answer", "next": 1}]));
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--latest",
        "--target",
        "orders-copy",
        "--wait",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 1);
}
