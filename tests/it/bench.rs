//! Keeps the benchmark harness from rotting: runs it on tiny sizes for ddb-backup only
//! (the baselines need the aws CLI, which the benchmark installs itself). No timing is
//! asserted; only that every scenario ran, succeeded and used the minimal API calls.

use std::process::Command;

use crate::common::root;

#[test]
fn the_benchmark_harness_runs_on_tiny_sizes() {
    let python = std::env::var("DDB_BACKUP_EMULATOR_PYTHON").unwrap_or_else(|_| {
        let out = Command::new("bash")
            .arg(root().join("scripts/emulator-env.sh"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    });
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("results");
    let status = Command::new(&python)
        .arg(root().join("bench/bench.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_ddb-backup")])
        .args(["--emulator-python", &python, "--baseline-python", &python])
        .args([
            "--small",
            "--runs",
            "1",
            "--tools",
            "ddb-backup",
            "--latency-ms",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("json")).unwrap())
            .unwrap();
    let rows = json["results"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "four scenarios");
    for r in rows {
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["minimal_calls"], true, "{r}");
    }
    let md = std::fs::read_to_string(out.with_extension("md")).unwrap();
    assert!(md.contains("| scenario | tool | wall (s) | floor (s) |"));
    // The fleet scenarios, tiny.
    let fleet_out = out_dir.path().join("fleet");
    let status = Command::new(&python)
        .arg(root().join("bench/fleet.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_ddb-backup")])
        .args(["--emulator-python", &python, "--small", "--latency-ms", "2"])
        .arg("--out")
        .arg(&fleet_out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fleet_out.with_extension("json")).unwrap())
            .unwrap();
    for r in json["fleet"].as_array().unwrap() {
        assert_eq!(
            (&r["ok"], &r["minimal_calls"]),
            (&true.into(), &true.into()),
            "{r}"
        );
    }
    assert_eq!(json["regions"]["ok"], true, "{}", json["regions"]);
    // Two regions really were two targets: each got its own calls.
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            json["regions"]["calls_at"][format!("123456789012/{region}")]["CreateBackup"]
                .as_u64()
                .unwrap_or(0)
                >= 20,
            "{}",
            json["regions"]
        );
    }
    assert_eq!(json["tags"]["ok"], true);
    assert_eq!(json["tags"]["calls"]["GetResources"], 1, "{}", json["tags"]);
    assert_eq!(json["memory"]["ok"], true);
    // The fleet restore, tiny: every table restored, with and without settings.
    let restore_out = out_dir.path().join("fleet-restore");
    let status = Command::new(&python)
        .arg(root().join("bench/fleet_restore.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_ddb-backup")])
        .args(["--emulator-python", &python, "--small", "--latency-ms", "2"])
        .arg("--out")
        .arg(&restore_out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(restore_out.with_extension("json")).unwrap())
            .unwrap();
    let timed = json["timed"].as_array().unwrap();
    assert_eq!(timed.len(), 2, "{json}");
    for r in timed {
        assert_eq!(
            (&r["ok"], &r["minimal_calls"]),
            (&true.into(), &true.into()),
            "{r}"
        );
        // The emulator's concurrency limit held.
        assert!(r["peak_in_progress"].as_u64().unwrap() <= 5, "{r}");
    }
    assert_eq!(json["memory"]["ok"], true, "{}", json["memory"]);
    // The report over a fleet, tiny: its pages, its page in headless Chromium.
    let report_out = out_dir.path().join("report");
    let status = Command::new(&python)
        .arg(root().join("bench/report.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_ddb-backup")])
        .args(["--emulator-python", &python, "--small", "--latency-ms", "2"])
        .arg("--out")
        .arg(&report_out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_out.with_extension("json")).unwrap())
            .unwrap();
    for r in json["report"].as_array().unwrap() {
        assert_eq!(r["ok"], true, "{r}");
        assert!(
            r["list_pages"].as_u64() <= r["list_pages_max"].as_u64(),
            "{r}"
        );
        assert!(r["html_bytes"].as_u64().unwrap() > 0, "{r}");
        assert!(r["browser_open_s"].is_number(), "{r}");
    }
    for syntax in [
        Command::new("sh")
            .arg("-n")
            .arg(root().join("bench/baseline.sh"))
            .status(),
        Command::new(&python)
            .args(["-m", "py_compile"])
            .arg(root().join("bench/baseline_boto3.py"))
            .status(),
    ] {
        assert!(syntax.unwrap().success());
    }
}
