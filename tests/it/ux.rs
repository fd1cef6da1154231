//! What a person sees: tables on narrow and unsized terminals (a real pseudo-terminal,
//! made by util-linux's `script`), `-q` on read commands, and the mail of a failed
//! cron run.

use std::process::Command;

use serde_json::json;

use crate::common::*;

/// A shell word.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs the binary (with the harness's global options and environment) on a
/// pseudo-terminal: `cols` sets its width with `stty`; `None` leaves the size unknown
/// (0×0, as a pty that nobody sized reports). Returns what the terminal showed.
fn on_pty(emu: &Emulator, cols: Option<u16>, env: &[(&str, &str)], args: &[&str]) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("ddb-backup");
    let mut line = String::new();
    if let Some(c) = cols {
        line.push_str(&format!("stty cols {c} rows 50; "));
    }
    line.push_str(&quote(&bin.to_string_lossy()));
    for a in [
        "--endpoint-url",
        &emu.endpoint(),
        "--retry-backoff",
        "10ms",
        "--rate-multiplier",
        "0",
    ]
    .iter()
    .chain(args)
    {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut c = emu.bare_cmd();
    let mut script = Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    // The harness's isolated environment, without any COLUMNS of the caller's.
    script.env_clear();
    for (k, v) in c.get_envs() {
        if let Some(v) = v {
            script.env(k, v);
        }
    }
    script.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        script.env(k, v);
    }
    let _ = &mut c;
    let mut r = run_cmd(&mut script);
    r.stdout = r.stdout.replace("\r\n", "\n");
    r
}

fn width(line: &str) -> usize {
    line.chars().count()
}

/// Three tables, one with a long name, one backup each by the default template.
fn three_tables(emu: &Emulator) {
    let tables = ["orders", "customers-eu-production-ledger", "sessions"];
    emu.create_tables(&tables);
    for t in tables {
        emu.seed(t, &daily_specs(t, 2, 3600));
    }
}

#[test]
fn list_fits_80_columns_and_an_unsized_terminal_one_line_per_backup() {
    let emu = Emulator::start();
    three_tables(&emu);
    for (cols, env) in [
        (Some(80), vec![]),
        (None, vec![]),
        (Some(200), vec![("COLUMNS", "80")]),
    ] {
        let r = on_pty(
            &emu,
            cols,
            &env,
            &["list", "--all-tables", "--color", "never"],
        );
        assert_eq!(r.code, 0, "{}", r.stdout);
        let lines: Vec<&str> = r.stdout.lines().collect();
        // One line per backup: the target line, 3 frame/header lines, 6 rows, a frame,
        // the note on hidden columns and the total.
        assert_eq!(lines.len(), 13, "{cols:?} {env:?}:\n{}", r.stdout);
        assert_eq!(lines[0], "account 123456789012, region us-east-1");
        assert!(lines.iter().all(|l| width(l) <= 80), "{}", r.stdout);
        assert!(!lines[2].contains("Account") && !lines[2].contains("Region"));
        assert!(lines[2].contains("Backup id"), "{}", r.stdout);
        let rows: Vec<&&str> = lines.iter().filter(|l| l.contains("AVAILABLE")).collect();
        assert_eq!(rows.len(), 6, "{}", r.stdout);
        assert!(
            rows.iter().any(|l| l.contains('…')),
            "the long table name is cut, not wrapped: {}",
            r.stdout
        );
        assert!(lines[11].contains("--wide"), "{}", r.stdout);
        assert!(lines[12].starts_with("6 backups"), "{}", r.stdout);
    }
    // COLUMNS is honoured over the terminal's own width.
    let r = on_pty(
        &emu,
        Some(200),
        &[("COLUMNS", "100")],
        &["list", "--all-tables", "--color", "never"],
    );
    assert!(r.stdout.lines().all(|l| width(l) <= 100), "{}", r.stdout);
    let header = r.stdout.lines().nth(2).unwrap_or_default();
    assert!(
        header.contains("Backup name") && !header.contains("Age"),
        "{}",
        r.stdout
    );
    // --wide: every column at full length, names uncut, on a line each.
    let r = on_pty(
        &emu,
        Some(80),
        &[],
        &["list", "--all-tables", "--wide", "--color", "never"],
    );
    assert!(r.stdout.contains("customers-eu-production-ledger"));
    assert!(r.stdout.contains("Account") && r.stdout.contains("Backup name"));
    assert!(!r.stdout.contains('…'), "{}", r.stdout);
    let backups: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("AVAILABLE"))
        .collect();
    assert_eq!(backups.len(), 6, "{}", r.stdout);
    // A wide terminal shows the names without --wide.
    let r = on_pty(
        &emu,
        Some(160),
        &[],
        &["list", "--all-tables", "--color", "never"],
    );
    assert!(r.stdout.contains("Backup name"), "{}", r.stdout);
    assert!(r.stdout.contains("ddb-backup.orders."), "{}", r.stdout);
    assert!(r.stdout.lines().all(|l| width(l) <= 160), "{}", r.stdout);
}

#[test]
fn status_cells_are_coloured_on_a_terminal_unless_no_color_or_never() {
    let emu = Emulator::start();
    three_tables(&emu);
    let r = on_pty(&emu, Some(120), &[], &["list", "--all-tables"]);
    assert!(r.stdout.contains("\u{1b}["), "coloured: {}", r.stdout);
    for (env, args) in [
        (vec![("NO_COLOR", "1")], vec!["list", "--all-tables"]),
        (vec![], vec!["list", "--all-tables", "--color", "never"]),
    ] {
        let r = on_pty(&emu, Some(120), &env, &args);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(r.stdout.contains("AVAILABLE"), "{}", r.stdout);
        assert!(
            !r.stdout.contains("\u{1b}["),
            "{env:?} {args:?}: {}",
            r.stdout
        );
    }
}

#[test]
fn quiet_read_commands_still_print_their_data() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    let arns = emu.seed("orders", &daily_specs("orders", 2, 3600));
    let r = emu.run(&["-q", "list", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["backups"], 2);
    assert_eq!(r.stderr, "");
    let r = emu.run(&["-q", "describe", &arns[0]]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["backup"]["backup_arn"], arns[0].as_str());
    let r = emu.run(&[
        "-q",
        "check",
        "--table",
        "orders",
        "--max-age",
        "1d",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["ok"], 1);
    // A date alone is its day's start in UTC.
    for (since, n) in [("2020-01-01", 2), ("2099-01-01", 0)] {
        let r = emu.run(&[
            "-q", "list", "--table", "orders", "--since", since, "-o", "json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json()["summary"]["backups"], n, "{since}");
    }
    // A command that changes something stays silent on success under -q.
    let r = emu.run(&["-q", "backup", "--table", "orders"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    // ... unless it is a dry run (its plan is all it does) or the report (which changes
    // nothing).
    let config = emu.home.path().join("q.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\n[policy.retention]\nkeep_last = 2\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    for (args, key) in [
        (
            vec![
                "-q",
                "backup",
                "--table",
                "orders",
                "--dry-run",
                "-o",
                "json",
            ],
            "results",
        ),
        (
            vec![
                "-q",
                "prune",
                "--table",
                "orders",
                "--keep-last",
                "9",
                "--dry-run",
            ],
            "tables",
        ),
        (vec!["-q", "run", "-c", cfg, "--dry-run"], "tables"),
        (
            vec!["-q", "run", "-c", cfg, "--dry-run", "-o", "json"],
            "tables",
        ),
        (vec!["-q", "report", "--table", "orders"], "tables"),
        (
            vec!["-q", "report", "--table", "orders", "-o", "json"],
            "tables",
        ),
        (
            vec![
                "-q",
                "list",
                "--exports",
                "--bucket",
                "no-such-bucket-x",
                "-t",
                "orders",
            ],
            "",
        ),
    ] {
        let r = emu.run(&args);
        if key.is_empty() {
            // list --exports of a bucket that does not exist: the error, not silence.
            assert_ne!(r.code, 0, "{args:?}");
            assert!(!r.stderr.is_empty(), "{args:?}");
            continue;
        }
        assert!(r.code == 0 || r.code == 3, "{args:?}: {}", r.stderr);
        assert!(
            r.json()[key].is_array(),
            "{args:?} printed nothing:\n{}",
            r.stderr
        );
    }
}

#[test]
fn a_failed_cron_run_mails_a_short_summary_and_a_good_one_nothing() {
    let emu = Emulator::start();
    emu.create_tables(&["good-table", "denied-table"]);
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        r#"
[[policy]]
name = "all"
tables = ["good-table", "denied-table", "missing-table"]
[policy.retention]
keep_last = 1
min_keep = 1
"#,
    )
    .unwrap();
    let report = emu.home.path().join("report.json");
    let cron = |emu: &Emulator| {
        emu.run(&[
            "run",
            "-q",
            "--config",
            config.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ])
    };
    emu.faults(json!([{ "op": "CreateBackup", "kind": "access_denied", "table": "denied-table" }]));
    let r = cron(&emu);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout, "", "no report on stdout");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 4, "{}", r.stderr);
    assert_eq!(
        lines[0],
        "ddb-backup run partly failed: 2 of 3 tables failed"
    );
    assert!(
        lines[1]
            .starts_with("  denied-table (123456789012/us-east-1): backup failed: access denied"),
        "{}",
        r.stderr
    );
    assert!(lines[2].starts_with("  missing-table (123456789012/us-east-1): backup failed: table 'missing-table' not found"), "{}", r.stderr);
    assert_eq!(lines[3], format!("full report: {}", report.display()));
    assert!(r.stderr.len() < 600, "{} bytes", r.stderr.len());
    // The full report is where the summary says.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["summary"]["failed"], 2);

    // Without --report, the summary says how to keep it.
    let r = emu.run(&["run", "-q", "--config", config.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.trim_end().ends_with(
            "full report: not kept (--report PATH writes it to a file; -o json prints it)"
        ),
        "{}",
        r.stderr
    );
    // -o given: the report, as asked.
    let r = emu.run(&[
        "run",
        "-q",
        "-o",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(r.json()["summary"]["failed"], 2);

    // All good: nothing at all.
    emu.faults(json!([]));
    std::fs::write(
        &config,
        "[[policy]]\nname = \"all\"\ntables = [\"good-table\", \"denied-table\"]\n",
    )
    .unwrap();
    let r = cron(&emu);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
}

/// Terminal output without its control sequences, split where the terminal starts a
/// new line or returns to the line's start (a progress bar redrawn).
fn screen_lines(raw: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
        .split(['\n', '\r'])
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn on_a_terminal_logs_stay_off_the_progress_bar_and_speak_words() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "sessions"]);
    let args = [
        "run",
        "--table",
        "orders",
        "--table",
        "sessions",
        "--table",
        "missing-table",
        "--dry-run",
    ];
    let r = on_pty(&emu, Some(80), &[], &args);
    assert_eq!(r.code, 3, "{}", r.stdout);
    let lines = screen_lines(&r.stdout);
    // By default a terminal shows warnings, errors and the result only.
    assert!(!r.stdout.contains(" INFO "), "{}", r.stdout);
    let errors: Vec<&String> = lines.iter().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{lines:#?}");
    // The error is a line of its own: it starts with its timestamp, not after a bar.
    assert!(errors[0].starts_with("20"), "{lines:#?}");
    assert!(
        errors[0].contains("'missing-table' not found"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("would create")),
        "{lines:#?}"
    );

    // -v: the INFO lines, each on its own line, in words.
    let v: Vec<&str> = ["-v"].into_iter().chain(args).collect();
    let r = on_pty(&emu, Some(80), &[], &v);
    let lines = screen_lines(&r.stdout);
    let info: Vec<&String> = lines.iter().filter(|l| l.contains(" INFO ")).collect();
    assert!(info.len() >= 2, "{lines:#?}");
    assert!(info.iter().all(|l| l.starts_with("20")), "{lines:#?}");
    assert!(
        info.iter()
            .any(|l| l.contains("outcome=would create") || l.contains("outcome=\"would create\"")),
        "{lines:#?}"
    );
    assert!(!r.stdout.contains("WouldCreate"), "{}", r.stdout);
}

#[test]
fn a_backup_is_named_by_its_short_id_or_as_a_tables_latest_or_by_name() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "other"]);
    let arns = emu.seed("orders", &daily_specs("orders", 3, 3600));
    emu.seed("other", &daily_specs("other", 1, 60));
    let id = arns[0].rsplit('/').next().unwrap().to_string();
    // list shows the id.
    let r = emu.run(&["list", "--table", "orders", "-o", "table"]);
    assert!(r.stdout.contains(&id), "{}", r.stdout);
    // describe ID, describe --table T --latest and --backup-name N: the same backup.
    let by_id = emu.run(&["describe", &id, "-o", "json"]);
    assert_eq!(by_id.code, 0, "{}", by_id.stderr);
    assert_eq!(by_id.json()["backup"]["backup_arn"], arns[0].as_str());
    let latest = emu.run(&["describe", "--table", "orders", "--latest", "-o", "json"]);
    assert_eq!(latest.code, 0, "{}", latest.stderr);
    assert_eq!(latest.json()["backup"]["backup_arn"], arns[0].as_str());
    let name = by_id.json()["backup"]["backup_name"]
        .as_str()
        .unwrap()
        .to_string();
    let oldest = emu.run(&["describe", &arns[2], "-o", "json"]).json();
    let oldest_name = oldest["backup"]["backup_name"]
        .as_str()
        .unwrap()
        .to_string();
    let named = emu.run(&[
        "describe",
        "--table",
        "orders",
        "--backup-name",
        &oldest_name,
    ]);
    assert_eq!(named.code, 0, "{}", named.stderr);
    assert_eq!(named.json()["backup"]["backup_arn"], arns[2].as_str());
    assert_ne!(name, oldest_name);
    // verify and restore take the id too.
    let v = emu.run(&["verify", "--backup-arn", &id, "--dry-run", "-o", "json"]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(v.json()["tables"][0]["backup_arn"], arns[0].as_str());
    let r = emu.run(&[
        "restore",
        "--backup-arn",
        &id,
        "--target",
        "orders-restored",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["backup_arn"], arns[0].as_str());
    // An id that no backup has is an error that says where to look.
    let r = emu.run(&["describe", "01700000000000-abcd1234"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("no backup has the id '01700000000000-abcd1234'"),
        "{}",
        r.stderr
    );
    // Neither an ARN nor an id: a usage error before any call.
    emu.reset_stats();
    let r = emu.run(&["describe", "orders-backup"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("or a backup id as `ddb-backup list` shows it"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn tables_no_policy_covers_are_named_and_counted_in_the_metrics() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "orders-eu", "forgotten", "scratch"]);
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"orders\"\nmatch = [\"orders*\"]\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let r = emu.run(&["config", "check", "--config", cfg, "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = &r.json()["coverage"][0];
    assert_eq!(c["uncovered"], json!(["forgotten", "scratch"]), "{c}");
    assert_eq!(c["region"], "us-east-1");
    let human = emu.run(&["config", "check", "--config", cfg, "-o", "table"]);
    assert!(
        human.stdout.contains(
            "2 tables in 123456789012/us-east-1 no policy covers (nobody backs them up): forgotten, scratch"
        ),
        "{}",
        human.stdout
    );
    // --offline makes no call, so it cannot know.
    let r = emu.run(&[
        "config",
        "check",
        "--config",
        cfg,
        "--offline",
        "-o",
        "json",
    ]);
    assert!(r.json()["coverage"].is_null());

    let metrics = emu.home.path().join("ddb-backup.prom");
    let r = emu.run(&[
        "run",
        "--config",
        cfg,
        "--metrics-file",
        metrics.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["summary"]["uncovered"], 2);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        prom.contains(
            "ddb_backup_tables_uncovered{account=\"123456789012\",region=\"us-east-1\"} 2\n"
        ),
        "{prom}"
    );
    // Covering them brings the gauge to 0.
    std::fs::write(&config, "[[policy]]\nname = \"all\"\nmatch = [\"*\"]\n").unwrap();
    let r = emu.run(&[
        "run",
        "--config",
        cfg,
        "--metrics-file",
        metrics.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        prom.contains(
            "ddb_backup_tables_uncovered{account=\"123456789012\",region=\"us-east-1\"} 0\n"
        ),
        "{prom}"
    );
}

#[test]
fn check_holds_each_policy_to_its_own_cadence() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "archive"]);
    // orders: daily, newest 2 h old; archive: weekly, newest 3 days old.
    emu.seed("orders", &daily_specs("orders", 3, 2 * 3600));
    emu.seed("archive", &daily_specs("archive", 1, 3 * DAY));
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(
        &config,
        r#"
[[policy]]
name = "daily"
tables = ["orders"]
[policy.check]
max_age = "26h"
min_count = 3

[[policy]]
name = "weekly"
tables = ["archive"]
[policy.check]
max_age = "8d"
"#,
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    // No --max-age: each policy's own; the weekly table is not stale after 3 days.
    let r = emu.run(&["check", "--config", cfg, "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert!(j["max_age"].is_null());
    let rows = j["tables"].as_array().unwrap();
    let row = |t: &str| rows.iter().find(|x| x["table"] == t).unwrap().clone();
    assert_eq!(
        (
            row("orders")["policy"].clone(),
            row("orders")["max_age"].clone()
        ),
        (json!("daily"), json!("26h"))
    );
    assert_eq!(row("orders")["min_count"], 3);
    assert_eq!(
        (
            row("archive")["max_age"].clone(),
            row("archive")["ok"].clone()
        ),
        (json!("8d"), json!(true))
    );
    // The command line's --max-age holds every policy to it.
    let r = emu.run(&["check", "--config", cfg, "--max-age", "1d", "-o", "json"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    // --policy: only that policy's tables.
    let r = emu.run(&["check", "--config", cfg, "--policy", "weekly", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = r.json();
    let tables: Vec<&str> = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["archive"]);
    // Mistakes are usage errors before any call.
    emu.reset_stats();
    let r = emu.run(&["check", "--config", cfg, "--policy", "wekly"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--policy 'wekly': the config has no such policy (it has: daily, weekly)"),
        "{}",
        r.stderr
    );
    let r = emu.run(&["check", "--table", "orders"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--max-age is required without a config"),
        "{}",
        r.stderr
    );
    std::fs::write(
        &config,
        "[[policy]]\nname = \"daily\"\ntables = [\"orders\"]\n",
    )
    .unwrap();
    let r = emu.run(&["check", "--config", cfg]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no max age for policy daily"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn config_init_writes_a_starter_that_checks_and_dry_runs() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "sessions", "orders-verify-20261123T000000Z"]);
    let r = emu.run(&["config", "init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("# ddb-backup starter config for account 123456789012, region us-east-1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  \"orders\",\n  \"sessions\",\n]"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("verify-2026"),
        "scratch tables are left out: {}",
        r.stdout
    );
    let config = emu.home.path().join("ddb-backup.toml");
    std::fs::write(&config, &r.stdout).unwrap();
    let cfg = config.to_str().unwrap();
    let c = emu.run(&["config", "check", "--config", cfg, "-o", "json"]);
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert_eq!(c.json()["tables"].as_array().unwrap().len(), 2);
    let d = emu.run(&["run", "--config", cfg, "--dry-run", "-o", "json"]);
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert_eq!(d.json()["summary"]["would_create"], 2);
    assert_eq!(emu.calls("CreateBackup"), 0);
}

#[test]
fn completions_are_printed_for_users_with_only_the_binary() {
    let emu = Emulator::start();
    for (shell, file) in [
        ("bash", "ddb-backup.bash"),
        ("zsh", "_ddb-backup"),
        ("fish", "ddb-backup.fish"),
    ] {
        let r = emu.run(&["completions", shell]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let checked_in = std::fs::read_to_string(root().join("completions").join(file)).unwrap();
        assert_eq!(r.stdout, checked_in, "{shell}");
    }
    let r = emu.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn config_mistakes_say_what_was_meant() {
    let emu = Emulator::start();
    let config = emu.home.path().join("ddb-backup.toml");
    let cfg = config.to_str().unwrap();
    for (text, want) in [
        (
            "[policy]\nname = \"a\"\ntables = [\"orders\"]\n",
            ":1:1: invalid type: map, expected a sequence; write [[policy]] (double brackets)",
        ),
        (
            "[[policy]]\nname = \"a\"\ntables = [\"orders\"]\n[policy.retension]\nkeep_last = 1\n",
            ":4:9: unknown field `retension`, expected one of",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        let r = emu.run(&["config", "check", "--config", cfg, "--offline"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(want), "{}", r.stderr);
        assert_eq!(r.err_lines().len(), 1, "{}", r.stderr);
    }
    let r = emu.run(&["config", "check", "--config", cfg, "--offline"]);
    assert!(
        r.stderr.trim_end().ends_with("; did you mean `retention`?"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn the_alert_rules_pass_promtool_and_use_only_metrics_the_tool_writes() {
    let rules = root().join("docs/alerts/ddb-backup.rules.yml");
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool runs (Debian package prometheus; scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&rules).unwrap();
    let metrics_source = std::fs::read_to_string(root().join("src/engine/metrics.rs")).unwrap();
    let mut named = std::collections::BTreeSet::new();
    for (i, _) in text.match_indices("ddb_backup_") {
        let name: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        named.insert(name);
    }
    for want in [
        "ddb_backup_run_success",
        "ddb_backup_table_last_success_timestamp_seconds",
        "ddb_backup_tables_uncovered",
        "ddb_backup_verify_failure",
    ] {
        assert!(named.contains(want), "no rule on {want}");
    }
    for name in &named {
        assert!(
            metrics_source.contains(&format!("\"{name}\""))
                || metrics_source.contains(&format!("\"{name}")),
            "{name} is not a metric the tool writes"
        );
    }
    // The CloudWatch equivalents named in the file exist in the template.
    let template = std::fs::read_to_string(root().join("deploy/template.yaml")).unwrap();
    for alarm in [
        "ErrorsAlarm",
        "MissingInvocationsAlarm",
        "FailedInvocationsAlarm",
    ] {
        assert!(
            text.contains(alarm) && template.contains(&format!("  {alarm}:")),
            "{alarm}"
        );
    }
}

#[test]
fn a_point_in_time_outside_the_window_names_the_window_to_the_millisecond() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let r = emu.run(&[
        "restore",
        "--table",
        "orders",
        "--to-time",
        "2020-01-01",
        "--target",
        "orders-old",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r.err_lines()[0].to_string();
    assert!(
        line.contains(
            "2020-01-01T00:00:00.000Z is outside the point-in-time recovery window of 'orders' ["
        ),
        "{line}"
    );
    // Both window edges carry milliseconds: `.ddd` before the `Z`.
    let window = line.rsplit_once('[').unwrap().1;
    assert_eq!(window.matches("Z").count(), 2, "{line}");
    assert!(
        window
            .split(" .. ")
            .all(|t| t.len() >= 24 && t.as_bytes()[19] == b'.'),
        "{line}"
    );
    assert_eq!(emu.calls("RestoreTableToPointInTime"), 0);
}

#[test]
fn a_mistyped_table_name_is_answered_with_the_name_meant() {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "customers"]);
    emu.seed("orders", &daily_specs("orders", 2, 3600));
    let meant = "did you mean 'orders'?";
    for args in [
        vec!["list", "-t", "ordres"],
        vec!["describe", "--table", "ordres", "--latest"],
        vec!["describe", "--table", "ORDERS"],
        vec![
            "export",
            "-t",
            "ordres",
            "--bucket",
            "some-bucket",
            "-o",
            "json",
        ],
        vec!["list", "-t", "Orders"],
        vec!["backup", "-t", "ordres", "-o", "json"],
        vec!["backup", "-t", "ordres", "--dry-run", "-o", "json"],
        vec!["prune", "-t", "ordres", "--keep-last", "3", "-o", "json"],
        vec!["check", "-t", "ordres", "--max-age", "1d", "-o", "json"],
        vec![
            "restore",
            "-t",
            "ordres",
            "--latest",
            "--target",
            "orders-copy",
        ],
        vec![
            "restore",
            "-t",
            "ordres",
            "-t",
            "customers",
            "--latest",
            "--target-template",
            "{table}-copy",
            "-o",
            "json",
        ],
    ] {
        let r = emu.run(&args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(
            r.stderr.contains(meant) || r.stdout.contains(meant),
            "{args:?}:\n{}\n{}",
            r.stdout,
            r.stderr
        );
        assert_eq!(emu.backup_names("ordres").len(), 0);
    }
    // A point in time of a mistyped table, alone or in a fleet.
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "customers", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let r = emu.run(&[
        "restore",
        "-t",
        "ordres",
        "-t",
        "customers",
        "--latest-restorable",
        "--target-template",
        "{table}-pitr",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.contains(meant), "{}", r.stdout);
    // Equally near names are all offered.
    emu.create_tables(&["prod-a", "prod-b"]);
    let r = emu.run(&["list", "-t", "prod"]);
    assert!(
        r.stderr.contains("did you mean 'prod-a' or 'prod-b'?"),
        "{}",
        r.stderr
    );
    // A name like none of the tables gets the usual advice, not a guess.
    let r = emu.run(&["list", "-t", "payments"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("not found, and it has no backups: check the name, --region")
            && !r.stderr.contains("did you mean"),
        "{}",
        r.stderr
    );
    // Nothing was deleted or restored on the way.
    assert_eq!(emu.backups("orders").len(), 2);
    assert_eq!(emu.calls("RestoreTableFromBackup"), 0);
}

#[test]
fn restore_latest_restorable_reports_the_point_dynamodb_chose() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.call(
        "UpdateContinuousBackups",
        json!({"TableName": "orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let r = emu.run(&[
        "restore",
        "-t",
        "orders",
        "--latest-restorable",
        "--target",
        "orders-now",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let at = r.json()["point_in_time"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let parsed = chrono::DateTime::parse_from_rfc3339(&at)
        .unwrap_or_else(|e| panic!("point_in_time {at:?} is not a time: {e}"));
    assert_eq!(at.len(), "2026-12-04T02:14:17.771Z".len(), "{at}");
    assert!(parsed >= before && parsed <= chrono::Utc::now(), "{at}");
    // What the new table's RestoreSummary says, to the millisecond.
    let t = emu.call("DescribeTable", json!({"TableName": "orders-now"}));
    let summary = t["Table"]["RestoreSummary"]["RestoreDateTime"]
        .as_f64()
        .unwrap();
    assert_eq!((summary * 1000.0).round() as i64, parsed.timestamp_millis());
}

#[test]
fn a_reader_that_goes_away_is_no_error_and_keeps_the_exit_code() {
    use std::process::Stdio;
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 300, 3600));
    for (args, code) in [
        (vec!["list", "--all-tables", "-o", "json"], 0),
        (
            vec![
                "list",
                "--table",
                "orders",
                "--table",
                "missing-table",
                "-o",
                "json",
            ],
            3,
        ),
        (vec!["completions", "bash"], 0),
    ] {
        // The reading end is closed before anything is written (`| head -c 0`), and so is
        // stderr's: nothing may panic, and the exit code stays the command's own.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let (err_reader, err_writer) = std::io::pipe().unwrap();
        drop(err_reader);
        let status = emu
            .cmd()
            .args(&args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::from(err_writer))
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(code), "{args:?}");
        // With stderr open, nothing is said about the closed stdout.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = emu
            .cmd()
            .args(&args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.to_lowercase().contains("broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn an_error_line_escapes_what_would_redraw_the_terminal() {
    let emu = Emulator::start();
    for bad in ["orders\u{202e}", "orders\u{1b}[2J", "orders\nfake: line"] {
        let r = emu.run(&["list", "--table", bad]);
        assert_eq!(r.code, 2, "{bad:?}");
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{bad:?}: {lines:?}");
        assert!(
            !lines[0].chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{:?}",
            lines[0]
        );
        assert!(lines[0].contains("\\u{"), "{:?}", lines[0]);
    }
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn a_table_named_to_narrow_a_config_that_it_does_not_hold_is_a_failure_not_silence() {
    let emu = Emulator::start();
    emu.create_tables(&["m01", "m02", "other"]);
    for t in ["m01", "m02"] {
        emu.seed(t, &daily_specs(t, 2, 3600));
    }
    let config = emu.home.path().join("c.toml");
    std::fs::write(
        &config,
        "[[policy]]\nname = \"p\"\ntables = [\"m01\", \"m02\"]\n[policy.retention]\nkeep_last = 5\n[policy.check]\nmax_age = \"1d\"\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    for args in [
        vec![
            "run",
            "-c",
            cfg,
            "--table",
            "m01",
            "--table",
            "m0l",
            "--dry-run",
            "-o",
            "json",
        ],
        vec![
            "check", "-c", cfg, "--table", "m0l", "--table", "m01", "-o", "json",
        ],
        vec![
            "report", "-c", cfg, "--table", "m0l", "--table", "m01", "-o", "json",
        ],
    ] {
        let r = emu.run(&args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("--table 'm0l' is not among the tables of the config's policies"),
            "{args:?}: {}",
            r.stderr
        );
        // The table that is held was worked on.
        assert!(r.stdout.contains("\"m01\""), "{args:?}");
    }
    // A table that exists but that no policy covers: the same, and the cron mail says so.
    let r = emu.run(&["-q", "run", "-c", cfg, "--table", "m01", "--table", "other"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("--table 'other' is not among the tables"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.backup_names("other").len(), 0);
}
