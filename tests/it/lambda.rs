//! The Lambda function's real artifact: `bootstrap` from target/lambda/ddb-backup/bootstrap.zip
//! (built by `scripts/build-lambda.sh --debug`, which scripts/test.sh runs first), served
//! events by a local Lambda Runtime API (tests/lambda/runtime_api.py), working against the
//! emulator through AWS_ENDPOINT_URL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;

struct Runtime {
    api: Child,
    port: u16,
    function: Child,
    /// What the function printed, drained as it goes (a full pipe would block it).
    logs: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = self.function.kill();
        let _ = self.function.wait();
        let _ = self.api.kill();
        let _ = self.api.wait();
    }
}

/// Unzips bootstrap.zip into a fresh directory, checking that it holds the binary this
/// test build made (a stale zip would test old code) and that it is executable.
fn bootstrap(dir: &Path) -> PathBuf {
    let zip = root().join("target/lambda/ddb-backup/bootstrap.zip");
    assert!(
        zip.exists(),
        "{} is missing: run scripts/build-lambda.sh --debug (scripts/test.sh does)",
        zip.display()
    );
    let out = Command::new(python())
        .args([
            "-c",
            "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             assert z.namelist() == ['bootstrap'], z.namelist()\n\
             mode = z.getinfo('bootstrap').external_attr >> 16\n\
             assert mode & 0o111, oct(mode)\n\
             z.extractall(sys.argv[2])",
        ])
        .arg(&zip)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exe = dir.join("bootstrap");
    let built = std::fs::read(env!("CARGO_BIN_EXE_ddb-backup-lambda")).unwrap();
    assert!(
        std::fs::read(&exe).unwrap() == built,
        "bootstrap.zip is stale: run scripts/build-lambda.sh --debug"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    exe
}

fn start(emu: &Emulator) -> Runtime {
    let dir = tempfile::tempdir().unwrap();
    let exe = bootstrap(dir.path());
    let mut api = Command::new(python())
        .arg(root().join("tests/lambda/runtime_api.py"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(api.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().strip_prefix("PORT ").unwrap().parse().unwrap();
    let mut function = Command::new(&exe)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", emu.home.path())
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", "ddb-backup")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ddb-backup")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDLAMBDATEST")
        .env("AWS_SECRET_ACCESS_KEY", "lambda-test-secret")
        .env("AWS_SESSION_TOKEN", "lambda-test-token")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", emu.endpoint())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut readers = Vec::new();
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(function.stdout.take().unwrap()),
        Box::new(function.stderr.take().unwrap()),
    ];
    for pipe in pipes {
        let logs = logs.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut l = logs.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        }));
    }
    Runtime {
        api,
        port,
        function,
        logs,
        readers,
        _dir: dir,
    }
}

impl Runtime {
    /// One invocation, answered by the function: {"ok", "response" | "error"}.
    fn invoke(&self, event: Value, timeout_ms: u64) -> Value {
        self.post(
            json!({"event": event, "timeout_ms": timeout_ms}),
            timeout_ms,
        )
    }

    fn post(&self, body: Value, timeout_ms: u64) -> Value {
        let body = body.to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(timeout_ms + 60_000)))
            .ok();
        write!(
            s,
            "POST /_test/invoke HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let payload = resp.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        let v: Value = serde_json::from_str(payload).unwrap();
        assert!(v["timeout"].is_null(), "the function did not answer: {v}");
        v
    }

    /// One invocation with the event's exact bytes.
    fn invoke_raw(&self, event: &str, timeout_ms: u64) -> Value {
        self.post(
            json!({"event_raw": event, "timeout_ms": timeout_ms}),
            timeout_ms,
        )
    }

    /// Ends the function and returns what it logged (stdout and stderr).
    fn logs(mut self) -> String {
        let _ = self.function.kill();
        let _ = self.function.wait();
        for r in std::mem::take(&mut self.readers) {
            let _ = r.join();
        }
        let out = self.logs.lock().unwrap().clone();
        out
    }
}

const CONFIG: &str = r#"
[[policy]]
name = "daily"
tables = ["orders", "users"]
[policy.retention]
keep_last = 3
"#;

fn seeded() -> Emulator {
    let emu = Emulator::start();
    emu.create_tables(&["orders", "users"]);
    emu.seed("orders", &daily_specs("orders", 5, 3600));
    emu.seed("users", &daily_specs("users", 5, 3600));
    emu
}

#[test]
fn the_function_runs_fails_refuses_and_keeps_serving() {
    let emu = seeded();
    let rt = start(&emu);
    // 1. A run event: backs up and prunes; answers the run's JSON report.
    let r = rt.invoke(json!({"command": "run", "config": CONFIG}), 120_000);
    assert_eq!(r["ok"], true, "{r}");
    let report = &r["response"];
    assert_eq!(report["command"], "run");
    assert_eq!(report["summary"]["backups_created"], 2);
    assert_eq!(report["summary"]["backups_deleted"], 2 * 3);
    assert_eq!(report["tables"][0]["account"], BASE_ACCOUNT);
    assert_eq!(emu.backup_names("orders").len(), 3);
    assert_eq!(emu.backup_names("users").len(), 3);

    // 2. A malformed event is an error naming the problem...
    let r = rt.invoke(json!({"command": "explode", "config": CONFIG}), 30_000);
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["error"]["errorType"], "InvalidEvent");
    assert!(
        r["error"]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("unknown variant `explode`"),
        "{r}"
    );
    let r = rt.invoke(json!({"command": "run"}), 30_000);
    assert_eq!(r["error"]["errorType"], "InvalidEvent", "{r}");
    // ... and a config mistake names its line.
    let r = rt.invoke(
        json!({"command": "run", "config": "[[policy]]\nname = \"p\"\ntables = [\"orders\"]\nkeep_daily = 7\n"}),
        30_000,
    );
    assert_eq!(r["error"]["errorType"], "InvalidConfig", "{r}");
    let msg = r["error"]["errorMessage"].as_str().unwrap();
    assert!(msg.contains(":4:1: unknown field `keep_daily`"), "{r}");
    assert!(
        msg.contains("(the event's config)") && !msg.contains("/tmp"),
        "{msg}"
    );

    // ... a key given twice is refused, not decided by the last one ...
    let raw = format!(
        r#"{{"command": "run", "config": {}, "dry_run": true, "dry_run": false}}"#,
        serde_json::to_string(CONFIG).unwrap()
    );
    let r = rt.invoke_raw(&raw, 30_000);
    assert_eq!(r["error"]["errorType"], "InvalidEvent", "{r}");
    assert!(r["error"]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("duplicate field `dry_run`"));
    // ... a config may not send the role's signed requests to another endpoint ...
    let r = rt.invoke(
        json!({"command": "run", "dry_run": true,
               "config": format!("[defaults]\nendpoint_url = \"http://127.0.0.1:9\"\n{CONFIG}")}),
        30_000,
    );
    assert_eq!(r["error"]["errorType"], "InvalidConfig", "{r}");
    assert!(r["error"]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("may not set endpoint_url"));
    let r = rt.invoke(
        json!({"command": "run", "dry_run": true,
               "config": format!("[defaults]\nregion = \"eu-west-1\"\n{CONFIG}")}),
        30_000,
    );
    assert_eq!(r["error"]["errorType"], "InvalidConfig", "{r}");
    assert!(r["error"]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("[defaults] region"));
    // ... check's fields are checked as event fields.
    let r = rt.invoke(
        json!({"command": "check", "config": CONFIG, "max_age": "-5h"}),
        30_000,
    );
    assert_eq!(r["error"]["errorType"], "InvalidEvent", "{r}");
    assert!(r["error"]["errorMessage"]
        .as_str()
        .unwrap()
        .starts_with("invalid event: max_age"));
    assert_eq!(
        emu.calls("CreateBackup"),
        2,
        "nothing ran for the refused events"
    );

    // 3. ... and the next event still works: a check, as the schedule may send it.
    let r = rt.invoke(json!({"command": "check", "config": CONFIG}), 30_000);
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["response"]["command"], "check");
    assert_eq!(r["response"]["summary"]["ok"], 2);

    // 4. A dry run (base64 config, as deploy/template.yaml sends it) writes nothing.
    emu.reset_stats();
    let encoded = {
        let out = Command::new(python())
            .args([
                "-c",
                "import base64, sys; print(base64.b64encode(sys.argv[1].encode()).decode())",
                CONFIG,
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let r = rt.invoke(
        json!({"command": "run", "config_base64": encoded, "dry_run": true}),
        60_000,
    );
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["response"]["dry_run"], true);
    assert_eq!(r["response"]["summary"]["would_create"], 2);
    assert_eq!(emu.calls("CreateBackup") + emu.calls("DeleteBackup"), 0);
    assert_eq!(emu.backup_names("orders").len(), 3);

    // 5. A failing table fails the invocation, naming it; the others are done.
    let failing = CONFIG.replace(
        r#"["orders", "users"]"#,
        r#"["orders", "users", "missing-table"]"#,
    );
    let r = rt.invoke(json!({"command": "run", "config": failing}), 120_000);
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["error"]["errorType"], "RunFailed");
    let msg = r["error"]["errorMessage"].as_str().unwrap();
    assert!(msg.contains("exit code 3"), "{msg}");
    assert!(
        msg.contains("123456789012/us-east-1/missing-table"),
        "{msg}"
    );
    assert!(!msg.contains("/orders"), "{msg}");

    // Logs are JSON lines (CloudWatch Logs Insights), and the failed run's report is there.
    let logs = rt.logs();
    let lines: Vec<Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 3, "{logs}");
    assert!(lines
        .iter()
        .any(|l| l["fields"]["report"]["summary"]["failed"] == 1 && l["timestamp"].is_string()));
    assert!(lines.iter().all(|l| l["level"].is_string()), "{logs}");
    assert!(!logs.contains("lambda-test-secret") && !logs.contains("lambda-test-token"));
}

#[test]
fn the_deadline_stops_new_work_early_enough_to_report() {
    let emu = Emulator::start();
    let names: Vec<String> = (0..30).map(|i| format!("slow-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    emu.create_tables(&refs);
    for t in &refs {
        emu.seed(t, &daily_specs(t, 8, 3600));
    }
    emu.config(json!({"latency_ms": 100, "documented_limits": true}));
    let rt = start(&emu);
    let config =
        "[[policy]]\nname = \"slow\"\nmatch = [\"slow-*\"]\n[policy.retention]\nkeep_last = 2\n";
    // 30 × 7 deletions at DeleteBackup's 10/s take over 20 s; the invocation has 8.
    let started = Instant::now();
    let r = rt.invoke(json!({"command": "run", "config": config}), 8_000);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "answered after the deadline: {took:?}"
    );
    assert_eq!(r["ok"], false, "{r}");
    let msg = r["error"]["errorMessage"].as_str().unwrap();
    assert!(msg.contains("stopped before the deadline"), "{msg}");
    assert!(
        msg.starts_with("the invocation's deadline was near"),
        "{msg}"
    );
    // Work stopped: not every deletion happened, and the report was logged.
    assert!(emu.calls("DeleteBackup") < 30 * 7);
    let logs = rt.logs();
    assert!(logs.contains("\"interrupted\":true"), "{logs}");
}

#[test]
fn a_scheduled_run_with_policy_export_archives_to_s3() {
    let emu = Emulator::start();
    emu.create_bucket("acme-ddb-archive");
    emu.table_for_export("orders", 3);
    let rt = start(&emu);
    let config = r#"
[[policy]]
name = "archive"
tables = ["orders"]
[policy.retention]
keep_last = 3
[policy.export]
bucket = "acme-ddb-archive"
prefix = "prod"
every = "30d"
"#;
    let r = rt.invoke(json!({"command": "run", "config": config}), 120_000);
    assert_eq!(r["ok"], true, "{r}");
    let table = &r["response"]["tables"][0];
    assert_eq!(table["table"], "orders", "{r}");
    assert!(table["export"].is_object(), "the run exported: {r}");
    // The export's own manifest is in the bucket, under the documented layout.
    let manifests: Vec<String> = emu
        .objects(
            "acme-ddb-archive",
            &format!("prod/{BASE_ACCOUNT}/us-east-1/orders/"),
        )
        .into_iter()
        .filter(|k| k.ends_with("/ddb-backup-export.json"))
        .collect();
    assert_eq!(manifests.len(), 1, "{manifests:?}");
    assert_eq!(emu.calls("ExportTableToPointInTime"), 1);
}
