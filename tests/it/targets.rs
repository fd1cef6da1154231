//! Several accounts and regions in one run: the emulator's STS assumes roles into other
//! account ids, and keeps accounts and regions apart (tables, backups, rate limits).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::*;

const OTHER: &str = "222222222222";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// Both accounts (each through its role) × both regions.
fn four_targets() -> Vec<String> {
    vec![
        "--region".into(),
        REGIONS.join(","),
        "--role-arn".into(),
        role(BASE_ACCOUNT),
        "--role-arn".into(),
        role(OTHER),
    ]
}

fn places() -> Vec<(&'static str, &'static str)> {
    [BASE_ACCOUNT, OTHER]
        .iter()
        .flat_map(|a| REGIONS.iter().map(move |r| (*a, *r)))
        .collect()
}

fn with(targets: &[String], rest: &[&str]) -> Vec<String> {
    targets
        .iter()
        .cloned()
        .chain(rest.iter().map(|s| s.to_string()))
        .collect()
}

fn run_args(emu: &Emulator, args: &[String]) -> Run {
    emu.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// (account, region) of every row of `rows`.
fn row_places(rows: &Value) -> BTreeSet<(String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account"].as_str().unwrap().to_string(),
                r["region"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn all_places() -> BTreeSet<(String, String)> {
    places()
        .into_iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect()
}

#[test]
fn one_backup_in_each_account_and_region_labelled_with_both() {
    let emu = Emulator::start();
    for (a, r) in places() {
        emu.create_tables_in(a, r, &["orders"]);
    }
    let r = run_args(
        &emu,
        &with(
            &four_targets(),
            &["backup", "--table", "orders", "-o", "json"],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["results"].as_array().unwrap().len(), 4);
    assert_eq!(row_places(&j["results"]), all_places());
    for (a, reg) in places() {
        assert_eq!(emu.backup_names_in(a, reg, "orders").len(), 1, "{a}/{reg}");
        assert_eq!(emu.calls_in(a, reg, "CreateBackup"), 1, "{a}/{reg}");
        // Each result's backup is really in the account and region it is labelled with.
        let row = j["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["account"] == a && x["region"] == reg)
            .unwrap();
        let arn = row["backup_arn"].as_str().unwrap();
        assert!(
            arn.starts_with(&format!("arn:aws:dynamodb:{reg}:{a}:table/orders/backup/")),
            "{arn}"
        );
    }
    let targets = j["summary"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 4);
    assert!(targets
        .iter()
        .all(|t| t["tables"] == 1 && t["succeeded"] == 1 && t["error"].is_null()));
    // Every role was assumed (once per target) through the emulator's STS.
    assert_eq!(emu.sts_calls("AssumeRole"), 4);
    // Logs name the account and region of what they say.
    for (a, reg) in places() {
        assert!(
            r.stderr.contains(&format!("account={a} region={reg}")),
            "{}",
            r.stderr
        );
    }
    // NDJSON: every row line carries both too.
    let r = run_args(
        &emu,
        &with(
            &four_targets(),
            &["list", "--table", "orders", "-o", "ndjson"],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows: Vec<&Value> = lines.iter().filter(|l| l["record"].is_null()).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|l| l["account"].is_string() && l["region"].is_string()));
    let summary = lines.last().unwrap();
    assert_eq!(summary["record"], "summary");
    assert_eq!(summary["summary"]["targets"].as_array().unwrap().len(), 4);
}

#[test]
fn a_prune_across_targets_keeps_each_targets_own_newest() {
    let emu = Emulator::start();
    // Four histories of the same table name: recent, old, very old and short. A window
    // measured across targets (from the newest backup anywhere) would delete all of the
    // old ones; min-keep across targets would let a target drop below it.
    let histories: Vec<((&str, &str), usize, i64)> = vec![
        ((BASE_ACCOUNT, "us-east-1"), 10, 3600),
        ((BASE_ACCOUNT, "eu-west-1"), 6, 40 * DAY),
        ((OTHER, "us-east-1"), 5, 100 * DAY),
        ((OTHER, "eu-west-1"), 1, 2 * DAY),
    ];
    let mut expected_kept = Vec::new();
    for ((a, r), n, first_age) in &histories {
        emu.create_tables_in(a, r, &["orders"]);
        let specs = daily_specs("orders", *n, *first_age);
        emu.seed_in(a, r, "orders", &specs);
        // The rule read independently: within 3d12h of this table's own newest backup.
        let kept: BTreeSet<String> = specs
            .iter()
            .filter(|(_, age, _, _)| *age <= first_age + 3 * DAY + 12 * 3600)
            .map(|(name, _, _, _)| name.clone())
            .collect();
        expected_kept.push(((*a, *r), kept));
    }
    let r = run_args(
        &emu,
        &with(
            &four_targets(),
            &[
                "prune",
                "--table",
                "orders",
                "--keep-within",
                "3d12h",
                "-o",
                "json",
            ],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for ((a, reg), kept) in &expected_kept {
        assert_eq!(&emu.backup_names_in(a, reg, "orders"), kept, "{a}/{reg}");
    }
    let j = r.json();
    assert_eq!(j["summary"]["deleted"], 6 + 2 + 1);
    assert_eq!(row_places(&j["tables"]), all_places());
}

#[test]
fn a_missing_table_in_one_target_fails_that_target_only() {
    let emu = Emulator::start();
    for (a, r) in places() {
        if (a, r) != (OTHER, "eu-west-1") {
            emu.create_tables_in(a, r, &["orders"]);
        }
    }
    let r = run_args(
        &emu,
        &with(
            &four_targets(),
            &["backup", "--table", "orders", "-o", "json"],
        ),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    let failed: Vec<&Value> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["account"], OTHER);
    assert_eq!(failed[0]["region"], "eu-west-1");
    assert_eq!(j["summary"]["succeeded"], 3);
    for (a, reg) in places() {
        let want = usize::from((a, reg) != (OTHER, "eu-west-1"));
        assert_eq!(emu.backup_names_in(a, reg, "orders").len(), want);
    }
}

#[test]
fn a_role_that_cannot_be_assumed_fails_its_targets_only() {
    let emu = Emulator::start();
    for (a, r) in places() {
        emu.create_tables_in(a, r, &["orders"]);
        emu.seed_in(a, r, "orders", &daily_specs("orders", 4, 3600));
    }
    emu.faults(json!([{"op": "AssumeRole", "role": role(OTHER), "kind": "access_denied"}]));
    let r = run_args(
        &emu,
        &with(
            &four_targets(),
            &["run", "--table", "orders", "--keep-last", "2", "-o", "json"],
        ),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["summary"]["succeeded"], 2);
    assert_eq!(
        row_places(&j["tables"]),
        REGIONS
            .iter()
            .map(|r| (BASE_ACCOUNT.to_string(), r.to_string()))
            .collect()
    );
    let targets = j["summary"]["targets"].as_array().unwrap();
    let refused: Vec<&Value> = targets.iter().filter(|t| !t["error"].is_null()).collect();
    assert_eq!(refused.len(), 2);
    for t in &refused {
        assert_eq!(t["account"], OTHER);
        assert!(t["error"].as_str().unwrap().contains("AccessDenied"), "{t}");
    }
    // One error line per refused target, naming the role and the region.
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("could not assume role"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    for region in REGIONS {
        assert!(lines
            .iter()
            .any(|l| l.contains(&role(OTHER)) && l.contains(region)));
    }
    // The refused account was not touched; the others were backed up and pruned.
    for (a, reg) in places() {
        let names = emu.backup_names_in(a, reg, "orders");
        if a == OTHER {
            assert_eq!(names.len(), 4, "{a}/{reg}");
            assert_eq!(emu.calls_in(a, reg, "ListBackups"), 0);
        } else {
            assert_eq!(names.len(), 2, "{a}/{reg}: {names:?}");
        }
    }
    // Alone, the refused role is the run's failure: one line, exit 1.
    let r = emu.run(&["--role-arn", &role(OTHER), "backup", "--table", "orders"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(
            "error: could not assume role arn:aws:iam::222222222222:role/ddb-backup: AccessDenied"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn arns_go_to_the_target_that_holds_them() {
    let emu = Emulator::start();
    for (a, r) in places() {
        emu.create_tables_in(a, r, &["orders"]);
    }
    let arn = format!("arn:aws:dynamodb:eu-west-1:{OTHER}:table/orders");
    let r = run_args(
        &emu,
        &with(&four_targets(), &["backup", "--table", &arn, "-o", "json"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (a, reg) in places() {
        let want = usize::from((a, reg) == (OTHER, "eu-west-1"));
        assert_eq!(
            emu.backup_names_in(a, reg, "orders").len(),
            want,
            "{a}/{reg}"
        );
    }
    let backup_arn = r.json()["results"][0]["backup_arn"]
        .as_str()
        .unwrap()
        .to_string();
    // describe by ARN picks the role into the ARN's account.
    let r = emu.run(&[
        "--role-arn",
        &role(BASE_ACCOUNT),
        "--role-arn",
        &role(OTHER),
        "describe",
        &backup_arn,
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["backup"]["backup_arn"], backup_arn.as_str());
    // An ARN in an account no role reaches, or a region no target covers: usage errors
    // before any call.
    emu.reset_stats();
    for args in [
        vec![
            "--role-arn".to_string(),
            role(BASE_ACCOUNT),
            "describe".into(),
            backup_arn.clone(),
        ],
        vec![
            "--region".into(),
            "us-east-1".into(),
            "backup".into(),
            "--table".into(),
            arn.clone(),
        ],
    ] {
        let r = run_args(&emu, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.err_lines().len(), 1, "{}", r.stderr);
        assert!(r.stderr.contains("which no target of this run covers"));
    }
    assert_eq!(emu.total_calls(), 0);
    assert_eq!(
        emu.sts_calls("AssumeRole") + emu.sts_calls("GetCallerIdentity"),
        0
    );
}

#[test]
fn an_arn_is_refused_when_the_account_cannot_be_checked() {
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 4, 3600));
    emu.faults(json!([{"op": "GetCallerIdentity", "kind": "access_denied"}]));
    // The base credentials are account 123456789012; STS will not say so. An ARN of
    // another account must not be taken for the same-named table here.
    let arn = format!("arn:aws:dynamodb:us-east-1:{OTHER}:table/orders");
    let r = emu.run(&["prune", "--table", &arn, "--keep-last", "1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot be checked: give the table by name"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.total_calls(), 0);
    assert_eq!(emu.backup_names("orders").len(), 4);
    // By name, the table is worked on, labelled with an unknown account.
    let r = emu.run(&["list", "--table", "orders", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["backups"][0]["account"], "unknown");
}

#[test]
fn two_roles_into_one_account_work_there_once() {
    let emu = Emulator::start();
    emu.create_tables_in(OTHER, "us-east-1", &["orders"]);
    let r = emu.run(&[
        "--role-arn",
        &role(OTHER),
        "--role-arn",
        &format!("arn:aws:iam::{OTHER}:role/another"),
        "backup",
        "--table",
        "orders",
        "-o",
        "json",
    ]);
    // The same account reached twice from the command line (the same policies): worked on
    // once, with a warning.
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(emu.backup_names_in(OTHER, "us-east-1", "orders").len(), 1);
    assert_eq!(r.json()["results"].as_array().unwrap().len(), 1);
    assert!(r.stderr.contains("worked on once"), "{}", r.stderr);
    // The same target given twice is simply one target.
    let r = emu.run(&[
        "--region",
        "us-east-1,us-east-1",
        "--role-arn",
        &role(OTHER),
        "--role-arn",
        &role(OTHER),
        "backup",
        "--table",
        "orders",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["results"].as_array().unwrap().len(), 1);
    assert_eq!(emu.calls_in(OTHER, "us-east-1", "CreateBackup"), 2);
}

const TWO_TARGETS: &str = r#"
[[targets]]
name = "prod"
regions = ["us-east-1", "eu-west-1"]
role_arn = "arn:aws:iam::123456789012:role/ddb-backup"

[[targets]]
name = "staging"
regions = ["us-east-1"]
role_arn = "arn:aws:iam::222222222222:role/ddb-backup"
external_id = "ddb-backup-staging"

[[policy]]
name = "orders"
targets = ["prod"]
tables = ["orders"]
[policy.retention]
keep_last = 2

[[policy]]
name = "users"
targets = ["staging"]
match = ["user*"]
[policy.retention]
keep_last = 1
"#;

#[test]
fn a_config_with_two_targets_and_two_policies_validates_offline_and_runs() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ddb-backup.toml");
    std::fs::write(&config, TWO_TARGETS).unwrap();
    let config = config.to_str().unwrap();
    let r = emu.run(&[
        "config",
        "check",
        "--config",
        config,
        "--offline",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let planned: Vec<(String, String, String)> = j["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["target"].as_str().unwrap().to_string(),
                t["region"].as_str().unwrap().to_string(),
                t["policies"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        planned,
        [
            ("prod", "us-east-1", "orders"),
            ("prod", "eu-west-1", "orders"),
            ("staging", "us-east-1", "users")
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    assert_eq!(emu.total_calls(), 0);
    for (a, r) in places() {
        emu.create_tables_in(a, r, &["orders", "users"]);
        emu.seed_in(a, r, "orders", &daily_specs("orders", 3, 3600));
        emu.seed_in(a, r, "users", &daily_specs("users", 3, 3600));
    }
    let metrics = dir.path().join("metrics.prom");
    let r = emu.run(&[
        "run",
        "--config",
        config,
        "--metrics-file",
        metrics.to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let rows: BTreeSet<(String, String, String)> = j["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["account"].as_str().unwrap().to_string(),
                t["region"].as_str().unwrap().to_string(),
                t["table"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        (BASE_ACCOUNT, "us-east-1", "orders"),
        (BASE_ACCOUNT, "eu-west-1", "orders"),
        (OTHER, "us-east-1", "users"),
    ]
    .iter()
    .map(|(a, r, t)| (a.to_string(), r.to_string(), t.to_string()))
    .collect();
    assert_eq!(rows, want);
    // Each policy kept its own count where it applies (keep_last 1 under the default
    // min-keep of 2 keeps 2); nothing else was touched.
    assert_eq!(
        emu.backup_names_in(BASE_ACCOUNT, "us-east-1", "orders")
            .len(),
        2
    );
    assert_eq!(
        emu.backup_names_in(BASE_ACCOUNT, "eu-west-1", "orders")
            .len(),
        2
    );
    assert_eq!(emu.backup_names_in(OTHER, "us-east-1", "users").len(), 2);
    assert_eq!(emu.backup_names_in(OTHER, "us-east-1", "orders").len(), 3);
    assert_eq!(
        emu.backup_names_in(BASE_ACCOUNT, "us-east-1", "users")
            .len(),
        3
    );
    assert_eq!(emu.calls_in(OTHER, "eu-west-1", "CreateBackup"), 0);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        prom.contains(&format!(
            "ddb_backup_table_failure{{account=\"{OTHER}\",region=\"us-east-1\",table=\"users\",policy=\"users\"}} 0"
        )),
        "{prom}"
    );
    assert!(prom.contains(&format!(
        "ddb_backup_target_failure{{account=\"{BASE_ACCOUNT}\",region=\"eu-west-1\"}} 0"
    )));
    // A table ARN narrows the run to the one target holding it (and the policy there).
    emu.reset_stats();
    let arn = format!("arn:aws:dynamodb:eu-west-1:{BASE_ACCOUNT}:table/orders");
    let r = emu.run(&[
        "run",
        "--config",
        config,
        "--table",
        &arn,
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        row_places(&r.json()["tables"]),
        [(BASE_ACCOUNT.to_string(), "eu-west-1".to_string())].into()
    );
    assert_eq!(emu.calls_in(BASE_ACCOUNT, "us-east-1", "ListBackups"), 0);
    // --region narrows the config's targets.
    emu.reset_stats();
    let r = emu.run(&[
        "--region",
        "eu-west-1",
        "run",
        "--config",
        config,
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        row_places(&r.json()["tables"]),
        [(BASE_ACCOUNT.to_string(), "eu-west-1".to_string())].into()
    );
    assert_eq!(emu.calls_in(BASE_ACCOUNT, "us-east-1", "ListBackups"), 0);
}

#[test]
fn config_target_mistakes_name_file_line_and_column() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    for (text, line_col, says) in [
        (
            TWO_TARGETS.replace("targets = [\"staging\"]", "targets = [\"stagign\"]"),
            ":22:12:",
            "names target 'stagign', which is not defined (targets: prod, staging)",
        ),
        (
            TWO_TARGETS.replace("name = \"staging\"", "name = \"prod\""),
            ":8:8:",
            "two [[targets]] are named 'prod'",
        ),
        (
            TWO_TARGETS.replace(
                "regions = [\"us-east-1\"]\nrole_arn = \"arn:aws:iam::222222222222:role/ddb-backup\"",
                "regions = [\"us-east-1\"]\nrole_arn = \"arn:aws:iam::123456789012:role/ddb-backup\"",
            ),
            ":8:8:",
            "both cover region us-east-1 of the same account",
        ),
        (
            TWO_TARGETS.replace(
                "role_arn = \"arn:aws:iam::222222222222:role/ddb-backup\"",
                "role_arn = \"arn:aws:iam::123456789012:role/another\"",
            ),
            ":8:8:",
            "both cover region us-east-1 of the same account",
        ),
        (
            TWO_TARGETS.replace("targets = [\"staging\"]", "targets = []"),
            ":22:11:",
            "targets = [], which applies it nowhere",
        ),
        (
            TWO_TARGETS.replace("targets = [\"staging\"]", "targets = [\"staging\", \"staging\"]"),
            ":22:23:",
            "lists target 'staging' twice",
        ),
        (
            TWO_TARGETS.replace("name = \"staging\"", "name = \"stag\u{202e}ing\""),
            ":8:8:",
            "use 1 to 64 letters, digits",
        ),
        (
            TWO_TARGETS.replace("role_arn = \"arn:aws:iam::222222222222", "role_arn = \"arn:aws:iam::2222"),
            ":10:12:",
            "invalid role ARN",
        ),
        (
            TWO_TARGETS.replace("regions = [\"us-east-1\"]\n", "regions = [\"us-east-1\", \"us-east-1\"]\n"),
            ":9:11:",
            "region us-east-1 is listed twice",
        ),
        (
            TWO_TARGETS.replace("targets = [\"prod\"]", "targets = [\"staging\"]"),
            ":3:8:",
            "no policy applies in target 'prod'",
        ),
    ] {
        std::fs::write(&config, &text).unwrap();
        let r = emu.run(&["config", "check", "--offline", "--config", config.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{says}: {}", r.stderr);
        let lines = r.err_lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains(line_col), "{says}: {}", lines[0]);
        assert!(lines[0].contains(says), "{}", lines[0]);
    }
    // A config's targets and --role-arn do not mix.
    std::fs::write(&config, TWO_TARGETS).unwrap();
    let r = emu.run(&[
        "--role-arn",
        &role(OTHER),
        "run",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(emu.total_calls(), 0);
}

#[test]
fn sigterm_stops_new_work_in_every_target() {
    let emu = Emulator::start();
    let names: Vec<String> = (0..40).map(|i| format!("fleet-{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for (a, r) in places() {
        emu.create_tables_in(a, r, &refs);
    }
    emu.config(json!({"latency_ms": 150}));
    let mut args = four_targets();
    args.extend(
        [
            "backup",
            "--match",
            "fleet-*",
            "--concurrency",
            "2",
            "-o",
            "json",
        ]
        .map(String::from),
    );
    let child = spawn(&emu, &args.iter().map(String::as_str).collect::<Vec<_>>());
    wait_for_calls(&emu, "CreateBackup", 8);
    signal(&child, "TERM");
    let r = finish(
        child,
        std::time::Duration::from_secs(20),
        "backup across targets",
    );
    assert_eq!(r.code, 130, "{}", r.stderr);
    let made = emu.calls("CreateBackup");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        emu.calls("CreateBackup"),
        made,
        "no new backups after the stop"
    );
    assert!(made < 4 * 40, "stopped early: {made}");
    // The report still says what was done, in every target it reached.
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["summary"]["interrupted"], true);
}

#[test]
fn assumed_credentials_never_reach_the_logs() {
    let emu = Emulator::start();
    emu.create_tables_in(OTHER, "us-east-1", &["orders"]);
    let r = emu.run(&[
        "-vvv",
        "--role-arn",
        &role(OTHER),
        "backup",
        "--table",
        "orders",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.len() > 5_000, "trace output is substantial");
    // moto's temporary access key ids start with ASIA, like AWS's.
    assert!(
        !r.stderr.contains("ASIA"),
        "an assumed access key id was printed"
    );
    assert!(
        !r.stderr.contains("SessionToken"),
        "a session token was printed"
    );
}

#[test]
fn two_config_targets_reaching_one_account_are_both_refused() {
    // Two profiles with the same keys: the same account, which only STS can tell. Their
    // policies differ (keep 1 against keep 30): running either alone would let its
    // retention delete what the other keeps, so neither runs.
    let emu = Emulator::start();
    emu.create_tables(&["orders"]);
    emu.seed("orders", &daily_specs("orders", 10, 3600));
    let aws = emu.home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[short]\naws_access_key_id = AKIDSHORT\naws_secret_access_key = x\n\
         [long]\naws_access_key_id = AKIDLONG\naws_secret_access_key = x\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        r#"
[[targets]]
name = "short"
regions = ["us-east-1"]
profile = "short"

[[targets]]
name = "long"
regions = ["us-east-1"]
profile = "long"

[[policy]]
name = "short"
targets = ["short"]
tables = ["orders"]
[policy.retention]
keep_last = 1
min_keep = 1

[[policy]]
name = "long"
targets = ["long"]
tables = ["orders"]
[policy.retention]
keep_last = 30
"#,
    )
    .unwrap();
    let config = config.to_str().unwrap();
    // Offline, nothing tells the two profiles' accounts apart, and the policies' targets
    // are disjoint: valid.
    let r = emu.run(&["config", "check", "--offline", "--config", config]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = emu.run(&["run", "--config", config, "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(emu.calls("CreateBackup") + emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backup_names("orders").len(), 10);
    let j = r.json();
    let targets = j["summary"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    for t in targets {
        assert!(
            t["error"]
                .as_str()
                .unwrap()
                .contains("both reach account 123456789012"),
            "{t}"
        );
    }
}

#[test]
fn an_explicit_profile_wins_over_access_keys_in_the_environment() {
    // The harness sets AWS_ACCESS_KEY_ID (account 123456789012); the profile assumes a role
    // into 333333333333. As with the AWS CLI, the profile named on purpose is the one used.
    let emu = Emulator::start();
    let third = "333333333333";
    emu.create_tables_in(third, "us-east-1", &["orders"]);
    emu.create_tables(&["orders"]);
    let aws = emu.home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!("[profile pb]\nrole_arn = arn:aws:iam::{third}:role/r\nsource_profile = base\nregion = us-east-1\n"),
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = x\n",
    )
    .unwrap();
    let r = run_cmd(emu.cmd().env("AWS_ENDPOINT_URL", emu.endpoint()).args([
        "--profile",
        "pb",
        "backup",
        "--table",
        "orders",
        "-o",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["results"][0]["account"], third);
    assert_eq!(emu.backup_names_in(third, "us-east-1", "orders").len(), 1);
    assert_eq!(
        emu.backup_names("orders").len(),
        0,
        "nothing in the environment keys' account"
    );
}

#[test]
fn a_policy_naming_a_table_by_arn_leaves_the_other_targets_with_nothing_to_do() {
    let emu = Emulator::start();
    for r in REGIONS {
        emu.create_tables_in(BASE_ACCOUNT, r, &["orders"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[targets]]\nname = \"prod\"\nregions = [\"us-east-1\", \"eu-west-1\"]\nrole_arn = \"{}\"\n\n\
             [[policy]]\nname = \"one\"\ntables = [\"arn:aws:dynamodb:eu-west-1:{BASE_ACCOUNT}:table/orders\"]\n",
            role(BASE_ACCOUNT)
        ),
    )
    .unwrap();
    let r = emu.run(&["run", "--config", config.to_str().unwrap(), "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        row_places(&r.json()["tables"]),
        [(BASE_ACCOUNT.to_string(), "eu-west-1".to_string())].into()
    );
    assert_eq!(
        emu.backup_names_in(BASE_ACCOUNT, "us-east-1", "orders")
            .len(),
        0
    );
}

#[test]
fn a_broken_target_keeps_alerting_through_narrowed_runs() {
    let emu = Emulator::start();
    for (a, r) in places() {
        emu.create_tables_in(a, r, &["orders"]);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[targets]]\nname = \"a\"\nregions = [\"us-east-1\", \"eu-west-1\"]\nrole_arn = \"{}\"\n\n\
             [[targets]]\nname = \"b\"\nregions = [\"us-east-1\"]\nrole_arn = \"{}\"\n\n\
             [[policy]]\nname = \"all\"\ntables = [\"orders\"]\n",
            role(BASE_ACCOUNT),
            role(OTHER)
        ),
    )
    .unwrap();
    let (config, metrics) = (config.to_str().unwrap(), dir.path().join("m.prom"));
    emu.faults(json!([{"op": "AssumeRole", "role": role(OTHER), "kind": "access_denied"}]));
    let series = format!("ddb_backup_target_failure{{account=\"{OTHER}\",region=\"us-east-1\"}} 1");
    let r = emu.run(&[
        "run",
        "--config",
        config,
        "--metrics-file",
        metrics.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(std::fs::read_to_string(&metrics).unwrap().contains(&series));
    // A run narrowed to eu-west-1 does not cover the broken target: its alert stays.
    let r = emu.run(&[
        "--region",
        "eu-west-1",
        "run",
        "--config",
        config,
        "--metrics-file",
        metrics.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(prom.contains(&series), "{prom}");
    // Once it works again, a run covering it clears it.
    emu.faults(json!([]));
    let r = emu.run(&[
        "run",
        "--config",
        config,
        "--metrics-file",
        metrics.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let prom = std::fs::read_to_string(&metrics).unwrap();
    assert!(prom.contains(&series.replace("} 1", "} 0")), "{prom}");
}
