//! The one end-to-end harness: starts the project's DynamoDB emulator (moto behind the
//! layer in tests/emulator) on a free 127.0.0.1 port, seeds it, runs the compiled binary
//! against it with an isolated environment, and reads the emulator's call counters.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{json, Value};

pub const DAY: i64 = 86_400;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The emulator's Python, installed into the project's virtualenv on first use.
pub fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        if let Some(p) = std::env::var_os("DDB_BACKUP_EMULATOR_PYTHON") {
            return PathBuf::from(p);
        }
        let out = Command::new("bash")
            .arg(root().join("scripts/emulator-env.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("scripts/emulator-env.sh runs");
        assert!(out.status.success(), "installing the emulator failed");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// A running emulator with its own state; stopped when dropped.
pub struct Emulator {
    child: Child,
    pub port: u16,
    pub home: tempfile::TempDir,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Output of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Non-empty stderr lines.
    pub fn err_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }
}

impl Emulator {
    pub fn start() -> Emulator {
        let mut child = Command::new(python())
            .arg(root().join("tests/emulator/ddb_emulator.py"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the emulator starts");
        let stdout = child.stdout.take().expect("emulator stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the emulator prints its port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected emulator output: {line:?}"));
        Emulator {
            child,
            port,
            home: tempfile::tempdir().expect("temp HOME"),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A control-API call (never counted as a DynamoDB call).
    pub fn ctl(&self, cmd: &str, body: Value) -> Value {
        let body = body.to_string();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to emulator");
        s.set_read_timeout(Some(Duration::from_secs(120))).ok();
        write!(
            s,
            "POST /_emu/{cmd} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send control request");
        let mut resp = String::new();
        s.read_to_string(&mut resp).expect("read control response");
        let (head, payload) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "control {cmd} failed: {resp}"
        );
        serde_json::from_str(payload).unwrap_or(Value::Null)
    }

    /// A DynamoDB operation run directly on the emulator (uncounted): setup and inspection.
    pub fn call(&self, op: &str, body: Value) -> Value {
        let r = self.ctl("call", json!({"op": op, "body": body}));
        assert_eq!(r["status"], 200, "{op} failed: {r}");
        r["body"].clone()
    }

    pub fn create_tables(&self, names: &[&str]) {
        self.ctl("create_tables", json!({ "names": names }));
    }

    /// A table keyed by `pk` with a global secondary index `by-status` (on `status`) and
    /// `items` items, backed up by the tool (waiting until the backup is AVAILABLE).
    pub fn backed_up_with_an_index(&self, table: &str, items: usize) {
        self.call(
            "CreateTable",
            json!({
                "TableName": table,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "status", "AttributeType": "S"},
                ],
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by-status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }],
                "BillingMode": "PAY_PER_REQUEST",
            }),
        );
        for i in 0..items {
            self.call(
                "PutItem",
                json!({"TableName": table, "Item": {
                    "pk": {"S": format!("item-{i}")},
                    "status": {"S": if i % 2 == 0 { "open" } else { "done" }},
                }}),
            );
        }
        let r = self.run(&["backup", "--table", table, "--wait"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }

    /// Seeds backups: (name, age in seconds, status, type). Returns their ARNs.
    pub fn seed(&self, table: &str, specs: &[(String, i64, &str, &str)]) -> Vec<String> {
        let now = now_secs();
        let at: Vec<(String, i64, &str, &str)> = specs
            .iter()
            .map(|(name, age, status, kind)| (name.clone(), now - age, *status, *kind))
            .collect();
        self.seed_at(table, &at)
    }

    /// Every backup of a table as the emulator holds it.
    pub fn backups(&self, table: &str) -> Vec<Value> {
        self.ctl("backups", json!({ "table": table }))["backups"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The names of a table's backups as the emulator holds them.
    pub fn backup_names(&self, table: &str) -> std::collections::BTreeSet<String> {
        self.backups(table)
            .iter()
            .map(|b| b["BackupName"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// DynamoDB calls received per operation.
    pub fn calls(&self, op: &str) -> u64 {
        self.ctl("stats", json!({}))["calls"][op]
            .as_u64()
            .unwrap_or(0)
    }

    pub fn total_calls(&self) -> u64 {
        let s = self.ctl("stats", json!({}));
        s["calls"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    }

    pub fn reset_stats(&self) {
        self.ctl("reset_stats", json!({}));
    }

    pub fn faults(&self, rules: Value) {
        self.ctl("faults", json!({ "rules": rules, "seed": 1 }));
    }

    pub fn config(&self, body: Value) {
        self.ctl("config", body);
    }

    /// The binary with an isolated environment, pointed at this emulator, fast retries and
    /// no client-side pacing (tests that measure pacing set --rate-multiplier 1).
    pub fn cmd(&self) -> Command {
        let mut c = self.bare_cmd();
        c.args([
            "--endpoint-url",
            &self.endpoint(),
            "--retry-backoff",
            "10ms",
            "--rate-multiplier",
            "0",
        ]);
        c
    }

    /// The binary with the isolated environment only.
    pub fn bare_cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ddb-backup").expect("binary built");
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().to_string();
            if k.starts_with("AWS_")
                || k == "NO_COLOR"
                || k == "RUST_LOG"
                || k == "DDB_BACKUP_CONFIG"
            {
                c.env_remove(&k);
            }
        }
        c.env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTESTINGONLY0000")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-do-not-print")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null());
        c
    }

    /// Runs the binary with `args` (after the harness's global options).
    pub fn run(&self, args: &[&str]) -> Run {
        run_cmd(self.cmd().args(args))
    }
}

pub fn run_cmd(c: &mut Command) -> Run {
    let out = c.output().expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A name of this tool's default template for `table`, `age` seconds ago.
pub fn managed_name(table: &str, age: i64) -> String {
    let t = chrono::DateTime::from_timestamp(now_secs() - age, 0).unwrap();
    format!("ddb-backup.{table}.{}", t.format("%Y%m%dT%H%M%SZ"))
}

/// `n` managed AVAILABLE USER backups, one a day, the newest `first_age` seconds old.
pub fn daily_specs(
    table: &str,
    n: usize,
    first_age: i64,
) -> Vec<(String, i64, &'static str, &'static str)> {
    (0..n as i64)
        .map(|i| {
            let age = first_age + i * DAY;
            (managed_name(table, age), age, "AVAILABLE", "USER")
        })
        .collect()
}

/// The `LD_PRELOAD` value of libfaketime (as the `faketime` wrapper sets it), checked to
/// really shift the wall clock. Panics with a clear message when faketime is missing: the
/// long-run simulation needs it (scripts/test.sh installs the Debian package `faketime`).
pub fn faketime_preload() -> &'static str {
    static PRELOAD: OnceLock<String> = OnceLock::new();
    PRELOAD.get_or_init(|| {
        let missing = "faketime is not installed: the simulation test runs the binary under \
                       libfaketime (Debian/Ubuntu: apt-get install faketime; scripts/test.sh \
                       installs it)";
        let out = Command::new("faketime")
            .args(["-f", "+0s", "env"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{missing} ({e})"));
        assert!(out.status.success(), "{missing} (`faketime env` failed)");
        let env = String::from_utf8_lossy(&out.stdout);
        let preload = env
            .lines()
            .find_map(|l| l.strip_prefix("LD_PRELOAD="))
            .filter(|p| p.contains("libfaketime"))
            .unwrap_or_else(|| panic!("{missing} (`faketime` set no libfaketime LD_PRELOAD)"))
            .to_string();
        // The library must really move the wall clock of a child process.
        let out = Command::new("date")
            .arg("+%s")
            .env("LD_PRELOAD", &preload)
            .env("FAKETIME", "+864000s")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .output()
            .expect("date runs");
        let faked: i64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        assert!(
            (faked - now_secs() - 864_000).abs() < 60,
            "{missing} (LD_PRELOAD={preload} did not shift `date` by 10 days: {faked})"
        );
        preload
    })
}

/// Runs `cmd` with its wall clock shifted by `offset_secs` (libfaketime, preloaded into the
/// process itself, so its pid is the binary's and signals reach it); the monotonic clock
/// stays real, so timeouts, backoff and pacing behave as without faketime.
pub fn with_faketime(cmd: &mut Command, offset_secs: i64) -> &mut Command {
    cmd.env("LD_PRELOAD", faketime_preload())
        .env("FAKETIME", format!("{offset_secs:+}s"))
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
}

impl Emulator {
    /// Seeds backups at absolute times: (name, created in epoch seconds, status, type).
    /// Returns their ARNs.
    pub fn seed_at(&self, table: &str, specs: &[(String, i64, &str, &str)]) -> Vec<String> {
        let backups: Vec<Value> = specs
            .iter()
            .map(|(name, created, status, kind)| {
                json!({"name": name, "created": created, "status": status, "type": kind})
            })
            .collect();
        let r = self.ctl("seed_backups", json!({"table": table, "backups": backups}));
        r["arns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }
}

// ---- running the binary in the background: signals, hangs, timing ----

/// Spawns the binary with piped output.
pub fn spawn(emu: &Emulator, args: &[&str]) -> Child {
    emu.cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Sends `sig` (TERM, INT, ...) to the child.
pub fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits for the child, killing it (and failing) if it runs past `limit`: a hang is a defect.
/// Its output is drained while it runs, so a chatty child never blocks on a full pipe.
pub fn finish(mut child: Child, limit: Duration, what: &str) -> Run {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    }
    let (out, err) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: still running after {limit:?}; stderr: {}",
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

pub fn wait_for_calls(emu: &Emulator, op: &str, n: u64) {
    let started = Instant::now();
    while emu.calls(op) < n {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{op} never called"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---- several accounts and regions ----

/// The emulator's default account (the base credentials').
pub const BASE_ACCOUNT: &str = "123456789012";

/// A role the emulator's STS lets the base credentials assume into `account`.
pub fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/ddb-backup")
}

impl Emulator {
    pub fn create_tables_in(&self, account: &str, region: &str, names: &[&str]) {
        self.ctl(
            "create_tables",
            json!({ "names": names, "account": account, "region": region }),
        );
    }

    /// Seeds backups in one account and region: (name, age in seconds, status, type).
    pub fn seed_in(
        &self,
        account: &str,
        region: &str,
        table: &str,
        specs: &[(String, i64, &str, &str)],
    ) -> Vec<String> {
        let now = now_secs();
        let backups: Vec<Value> = specs
            .iter()
            .map(|(name, age, status, kind)| {
                json!({"name": name, "created": now - age, "status": status, "type": kind})
            })
            .collect();
        let r = self.ctl(
            "seed_backups",
            json!({"table": table, "account": account, "region": region, "backups": backups}),
        );
        r["arns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// The names of a table's backups in one account and region.
    pub fn backup_names_in(
        &self,
        account: &str,
        region: &str,
        table: &str,
    ) -> std::collections::BTreeSet<String> {
        self.ctl(
            "backups",
            json!({ "table": table, "account": account, "region": region }),
        )["backups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["BackupName"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// DynamoDB calls of `op` received in one account and region.
    pub fn calls_in(&self, account: &str, region: &str, op: &str) -> u64 {
        self.ctl("stats", json!({}))["calls_at"][format!("{account}/{region}")][op]
            .as_u64()
            .unwrap_or(0)
    }

    /// STS calls received per operation (AssumeRole, GetCallerIdentity).
    pub fn sts_calls(&self, op: &str) -> u64 {
        self.ctl("stats", json!({}))["sts_calls"][op]
            .as_u64()
            .unwrap_or(0)
    }
}

// ---- the services around a table: Application Auto Scaling, CloudWatch, system tags ----

impl Emulator {
    /// One Application Auto Scaling (`application-autoscaling`) or CloudWatch
    /// (`cloudwatch`) operation run directly on the emulator (uncounted): setup and inspection.
    pub fn aws_call(&self, service: &str, op: &str, body: Value) -> Value {
        let r = self.ctl(
            "aws_call",
            json!({"service": service, "op": op, "body": body}),
        );
        assert_eq!(r["status"], 200, "{service} {op} failed: {r}");
        r["body"].clone()
    }

    /// An Application Auto Scaling operation (service namespace `dynamodb` is the caller's).
    pub fn autoscaling(&self, op: &str, body: Value) -> Value {
        self.aws_call("application-autoscaling", op, body)
    }

    /// A CloudWatch operation (PutMetricAlarm, DescribeAlarms, DeleteAlarms, ...).
    pub fn cloudwatch(&self, op: &str, body: Value) -> Value {
        self.aws_call("cloudwatch", op, body)
    }

    /// Sets tags only AWS can set (`aws:cloudformation:stack-name`, ...) on a table:
    /// TagResource refuses them, as DynamoDB does.
    pub fn plant_system_tags(&self, table: &str, tags: &[(&str, &str)]) {
        let tags: serde_json::Map<String, Value> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        self.ctl("plant_system_tags", json!({"table": table, "tags": tags}));
    }

    /// At most `n` items a page in the listings the emulator pages itself
    /// (DescribeScalableTargets, DescribeScalingPolicies, DescribeScheduledActions,
    /// DescribeAlarms, ListContributorInsights), so tests reach their later pages.
    pub fn page_limit(&self, op: &str, n: u32) {
        self.config(json!({ "page_limits": { op: n } }));
    }
}

// ---- the library against the emulator ----

/// The variable that tells a test it runs as the library side of [`Emulator::library_side`].
const LIBRARY_ENDPOINT: &str = "DDB_BACKUP_IT_LIBRARY_ENDPOINT";

/// In a test's library side: the emulator's endpoint, for `ddb_backup::aws::Dynamo`.
/// In the test itself: None.
pub fn library_endpoint() -> Option<String> {
    std::env::var(LIBRARY_ENDPOINT).ok()
}

/// Options that connect the library to the emulator at `endpoint` (credentials and region
/// come from the library side's environment, as the binary's do).
pub fn library_options(endpoint: &str) -> ddb_backup::aws::ConnectOptions {
    ddb_backup::aws::ConnectOptions {
        region: Some("us-east-1".into()),
        profile: None,
        endpoint_url: Some(endpoint.to_string()),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(30),
        rate_multiplier: 0.0,
        stop: ddb_backup::stop::Stop::never(),
        role_arn: None,
        external_id: None,
    }
}

impl Emulator {
    /// Runs the test `test` (its path, e.g. `settings_aws::name`) again, in a child process
    /// of this test binary whose environment has this emulator's endpoint and the
    /// binary's isolated credentials, so that it calls the library directly without this
    /// process's environment changing; the child's branch starts where
    /// [`library_endpoint`] is Some. Panics with its output unless that test passed.
    pub fn library_side(&self, test: &str) {
        let exe = std::env::current_exe().expect("the test binary");
        let mut c = Command::new(exe);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("AWS_") {
                c.env_remove(&k);
            }
        }
        let out = c
            .args([test, "--exact", "--nocapture", "--test-threads", "1"])
            .env(LIBRARY_ENDPOINT, self.endpoint())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDTESTINGONLY0000")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-do-not-print")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("test result: ok. 1 passed"),
            "the library side of {test} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Emulator {
    /// Seeds backups with sizes: (name, age in seconds, size in bytes); AVAILABLE USER
    /// backups. Returns their ARNs.
    pub fn seed_sized(&self, table: &str, specs: &[(String, i64, i64)]) -> Vec<String> {
        let now = now_secs();
        let backups: Vec<Value> = specs
            .iter()
            .map(|(name, age, size)| {
                json!({"name": name, "created": now - age, "status": "AVAILABLE",
                       "type": "USER", "size": size})
            })
            .collect();
        let r = self.ctl("seed_backups", json!({"table": table, "backups": backups}));
        r["arns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }
}

/// Debian's `chromium`, for the tests that open an HTML page in a real browser
/// (scripts/test.sh installs it). Panics with a clear message when it is missing.
pub fn chromium() -> &'static str {
    static FOUND: OnceLock<String> = OnceLock::new();
    FOUND.get_or_init(|| {
        for name in ["chromium", "chromium-browser"] {
            let ok = Command::new(name)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                return name.to_string();
            }
        }
        panic!(
            "chromium is not installed: the HTML report test opens the page in headless \
             Chromium (Debian/Ubuntu: apt-get install chromium; scripts/test.sh installs it)"
        )
    })
}

/// Runs headless Chromium on `page` with `args` (e.g. `--dump-dom`), in its own profile
/// directory; returns its stdout.
pub fn headless(page: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("a profile directory");
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The archive tier: S3 buckets and objects on the emulator (uncounted).
impl Emulator {
    pub fn create_bucket(&self, bucket: &str) {
        self.ctl("create_bucket", json!({ "bucket": bucket }));
    }

    /// Every key under `prefix`, sorted.
    pub fn objects(&self, bucket: &str, prefix: &str) -> Vec<String> {
        self.ctl("objects", json!({"bucket": bucket, "prefix": prefix}))["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    }

    /// One object's text (gunzipped for `.gz` keys).
    pub fn object(&self, bucket: &str, key: &str) -> String {
        self.ctl("object", json!({"bucket": bucket, "key": key}))["body"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn put_object(&self, bucket: &str, key: &str, body: &str) {
        self.ctl(
            "put_object",
            json!({"bucket": bucket, "key": key, "body": body}),
        );
    }

    /// `export_seconds`, `bucket_access`, `key_errors` (see tests/emulator/exports_layer.py).
    pub fn exports_config(&self, body: Value) {
        self.ctl("exports_config", body);
    }

    /// A table keyed by `pk` with the index `by-status`, `items` items and PITR on.
    pub fn table_for_export(&self, table: &str, items: usize) {
        self.call(
            "CreateTable",
            json!({
                "TableName": table,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "status", "AttributeType": "S"},
                ],
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by-status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }],
                "BillingMode": "PAY_PER_REQUEST",
            }),
        );
        self.call(
            "UpdateContinuousBackups",
            json!({"TableName": table,
                   "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
        );
        for i in 0..items {
            self.put_item(
                table,
                &format!("item-{i}"),
                if i % 2 == 0 { "open" } else { "done" },
            );
        }
    }

    pub fn put_item(&self, table: &str, pk: &str, status: &str) {
        self.call(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": pk}, "status": {"S": status}}}),
        );
    }

    /// A table's items as (pk, status), sorted.
    pub fn items(&self, table: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.call("Scan", json!({"TableName": table}))
            ["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["pk"]["S"].as_str().unwrap_or_default().to_string(),
                    i["status"]["S"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    }
}
