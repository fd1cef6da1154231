//! A long-run simulation: more than three months of a daily `ddb-backup run`, with the
//! emulator's clock and the binary's clock (libfaketime) moved forward together, random
//! faults, signals mid-run and adversarial backups seeded along the way.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc};
use serde_json::{json, Value};

use crate::common::*;

const TABLES: [&str; 2] = ["orders", "ledger"];
/// Simulated days (one `run` each).
const DAYS: i64 = 100;
/// Day 0 at 10:00 UTC: a fixed calendar, so every run of the test crosses the same month,
/// ISO-week and year boundaries (2030-12-15 → 2031-03-24: ISO week 1 of 2031 starts on
/// 2030-12-30). The daily jitter (0–30 min) never crosses a midnight.
const DAY0: &str = "2030-12-15T10:00:00Z";
const KEEP_DAILY: usize = 7;
const KEEP_WEEKLY: usize = 4;
const KEEP_MONTHLY: usize = 3;
const MIN_KEEP: usize = 2;
/// The most managed backups a prune that completed can leave. Each count rule keeps at
/// most its count (every kept pick uses up one, including restic's "oldest" pick), the
/// rail "newest available" is the first daily pick, and the min-keep top-up only adds
/// backups while fewer than MIN_KEEP are kept. So the union is at most 7 + 4 + 3 = 14.
const POLICY_MAX: usize = KEEP_DAILY + KEEP_WEEKLY + KEEP_MONTHLY;
/// A run that takes longer than this is a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// xorshift64*: a small deterministic PRNG (no new crates).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// 500s on a fraction of the calls of several operations.
    Random500,
    /// ThrottlingException / LimitExceededException on a fraction of calls.
    Throttling,
    /// Every DeleteBackup of one table answers 500 all day.
    DeleteDown,
}

/// A backup the tool must never delete.
struct Protected {
    table: &'static str,
    arn: String,
    name: String,
    why: &'static str,
}

/// An AVAILABLE USER backup whose name fits the tool's template for its table.
#[derive(Clone)]
struct Managed {
    arn: String,
    name: String,
    created: f64,
}

impl Managed {
    fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros((self.created * 1e6).round() as i64).unwrap()
    }
}

/// Per-table bookkeeping across days.
#[derive(Default)]
struct TableState {
    /// Days whose run backed up and pruned this table completely.
    clean_days: usize,
    /// Days since the last such day (0 when today's was clean).
    unclean_streak: usize,
}

fn stamp(epoch: i64) -> String {
    DateTime::from_timestamp(epoch, 0)
        .unwrap()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// `ddb-backup.{table}.YYYYMMDDTHHMMSSZ` exactly (the tool's default template).
fn fits_template(name: &str, table: &str) -> bool {
    let Some(ts) = name.strip_prefix(&format!("ddb-backup.{table}.")) else {
        return false;
    };
    let b = ts.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// The managed AVAILABLE backups of `table`, by ARN, from the emulator's own state.
fn managed(emu: &Emulator, table: &str) -> BTreeMap<String, Managed> {
    emu.backups(table)
        .iter()
        .filter(|b| b["BackupType"] == "USER" && b["BackupStatus"] == "AVAILABLE")
        .filter(|b| fits_template(b["BackupName"].as_str().unwrap(), table))
        .map(|b| {
            let m = Managed {
                arn: b["BackupArn"].as_str().unwrap().to_string(),
                name: b["BackupName"].as_str().unwrap().to_string(),
                created: b["BackupCreationDateTime"].as_f64().unwrap(),
            };
            (m.arn.clone(), m)
        })
        .collect()
}

/// What the policy keeps of `backups`, computed independently of the retention engine from
/// the README's definition (restic's `forget`): for each count rule, walking newest first,
/// keep a backup whose UTC day / ISO week / month differs from the last kept one's (or the
/// oldest backup) while the count lasts; the newest is always kept, and never fewer than
/// min-keep.
fn expected_kept(backups: &BTreeMap<String, Managed>) -> BTreeSet<String> {
    let mut v: Vec<&Managed> = backups.values().collect();
    v.sort_by(|a, b| {
        b.created
            .total_cmp(&a.created)
            .then_with(|| a.arn.cmp(&b.arn))
    });
    type Key = fn(DateTime<Utc>) -> (i32, u32);
    let rules: [(usize, Key); 3] = [
        (KEEP_DAILY, |t| (t.year(), t.ordinal())),
        (KEEP_WEEKLY, |t| (t.iso_week().year(), t.iso_week().week())),
        (KEEP_MONTHLY, |t| (t.year(), t.month())),
    ];
    let mut kept = BTreeSet::new();
    for (count, key) in rules {
        let (mut left, mut last) = (count, None);
        for (i, b) in v.iter().enumerate() {
            if left == 0 {
                break;
            }
            let k = key(b.at());
            if last != Some(k) || i + 1 == v.len() {
                kept.insert(b.arn.clone());
                last = Some(k);
                left -= 1;
            }
        }
    }
    if let Some(newest) = v.first() {
        kept.insert(newest.arn.clone());
    }
    if kept.len() < MIN_KEEP {
        kept.extend(v.iter().take(MIN_KEEP).map(|b| b.arn.clone()));
    }
    kept
}

/// Seeds, at simulated time `now`, 1–4 backups the tool must never delete.
fn seed_protected(
    emu: &Emulator,
    rng: &mut Rng,
    day: i64,
    now: i64,
    protected: &mut Vec<Protected>,
) {
    let table = TABLES[rng.below(2) as usize];
    let other = TABLES.iter().find(|t| **t != table).unwrap();
    let mut specs: Vec<(String, i64, &str, &str, &'static str)> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let created = now - 60 - rng.below(3 * 3600) as i64;
        let ts = stamp(created);
        let spec = match rng.below(10) {
            0 => (
                format!("before-migration-{day}"),
                "AVAILABLE",
                "USER",
                "hand-made",
            ),
            1 => (
                format!("ddb-backup.{table}.KEEP-legal-hold.{ts}"),
                "AVAILABLE",
                "USER",
                "template-like hand-made",
            ),
            2 => (
                format!("ddb-backup.{other}.{ts}"),
                "AVAILABLE",
                "USER",
                "other table's template",
            ),
            3 => (
                format!("ddb-backup.OTHER.{ts}"),
                "AVAILABLE",
                "USER",
                "unknown table's template",
            ),
            4 => (
                format!("pre-ddb-backup.{table}.{ts}"),
                "AVAILABLE",
                "USER",
                "prefixed template",
            ),
            5 => (
                format!("ddb-backup.{table}.{ts}.manual"),
                "AVAILABLE",
                "USER",
                "suffixed template",
            ),
            6 => (
                format!("ddb-backup.{table}.{ts}"),
                "AVAILABLE",
                "AWS_BACKUP",
                "AWS_BACKUP",
            ),
            7 => (
                format!("ddb-backup.{table}.{ts}"),
                "AVAILABLE",
                "SYSTEM",
                "SYSTEM",
            ),
            _ => (
                format!("ddb-backup.{table}.{ts}"),
                "CREATING",
                "USER",
                "CREATING",
            ),
        };
        specs.push((spec.0, created, spec.1, spec.2, spec.3));
    }
    let seeds: Vec<(String, i64, &str, &str)> = specs
        .iter()
        .map(|(n, c, s, k, _)| (n.clone(), *c, *s, *k))
        .collect();
    let arns = emu.seed_at(table, &seeds);
    for (arn, (name, _, _, _, why)) in arns.into_iter().zip(specs) {
        protected.push(Protected {
            table,
            arn,
            name,
            why,
        });
    }
}

/// Starts the faults of the day (the emulator answers them before moto, so a faulted call
/// never changes anything).
fn inject(emu: &Emulator, rng: &mut Rng, fault: Fault) {
    let rules = match fault {
        Fault::Random500 => {
            let fraction = 0.1 + rng.below(20) as f64 / 100.0;
            let ops = [
                "CreateBackup",
                "DescribeBackup",
                "ListBackups",
                "DeleteBackup",
                "DescribeTable",
            ];
            Value::Array(
                ops.iter()
                    .map(|op| json!({ "op": op, "kind": "500", "fraction": fraction }))
                    .collect(),
            )
        }
        Fault::Throttling => json!([
            { "op": "ListBackups", "kind": "throttle", "fraction": 0.3 },
            { "op": "DeleteBackup", "kind": "limit", "fraction": 0.3 },
            { "op": "CreateBackup", "kind": "limit", "fraction": 0.2 },
        ]),
        Fault::DeleteDown => {
            let table = TABLES[rng.below(2) as usize];
            json!([{ "op": "DeleteBackup", "kind": "500", "table": table }])
        }
    };
    emu.faults(rules);
}

/// Runs `cmd` with stdout/stderr in files (no pipe can fill up), optionally sending SIGTERM
/// `signal_after` after the binary's first DynamoDB call; fails on a hang. Returns the run
/// and whether the signal was sent while it was still running.
fn run_day(emu: &Emulator, cmd: &mut Command, signal_after: Option<Duration>) -> (Run, bool) {
    let out_path = emu.home.path().join("sim.stdout");
    let err_path = emu.home.path().join("sim.stderr");
    let mut child = cmd
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .expect("the binary starts");
    let started = Instant::now();
    let mut signalled = false;
    if let Some(delay) = signal_after {
        while emu.total_calls() == 0
            && child.try_wait().unwrap().is_none()
            && started.elapsed() < RUN_DEADLINE
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(delay);
        // Not yet exited (and so not reaped): the pid is still the binary's.
        if child.try_wait().unwrap().is_none() {
            let ok = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(ok.success(), "kill -TERM failed");
            signalled = true;
        }
    }
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the run hung for {RUN_DEADLINE:?}; stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let run = Run {
        // A death by signal (no exit code) shows as -1 and fails every expectation.
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    };
    (run, signalled)
}

/// Whether `run` backed up and completely pruned `table`, from its JSON report.
fn table_clean(run: &Run, table: &str) -> bool {
    if run.code != 0 && run.code != 3 {
        return false;
    }
    let Ok(report) = serde_json::from_str::<Value>(&run.stdout) else {
        return false;
    };
    let Some(t) = report["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["table"] == table))
    else {
        return false;
    };
    t["ok"] == true
        && t["prune"]["status"] == "ok"
        && t["prune"]["deleted"] == t["prune"]["to_delete"]
}

/// Every protected backup still exists, and no DeleteBackup call even named one.
fn check_protected(emu: &Emulator, protected: &[Protected], what: &str) {
    let mut present = BTreeMap::new();
    for t in TABLES {
        for b in emu.backups(t) {
            present.insert(b["BackupArn"].as_str().unwrap().to_string(), b);
        }
    }
    let log = emu.ctl("stats", json!({ "log": true }))["log"].clone();
    let attempted: BTreeSet<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["op"] == "DeleteBackup")
        .filter_map(|e| e["arn"].as_str())
        .collect();
    for p in protected {
        let Some(b) = present.get(&p.arn) else {
            panic!(
                "{what}: the {} backup '{}' of {} was deleted ({})",
                p.why, p.name, p.table, p.arn
            );
        };
        // The premise: a backup seeded CREATING stays CREATING (else it would become an
        // ordinary managed backup the policy may delete).
        if p.why == "CREATING" {
            assert_eq!(b["BackupStatus"], "CREATING", "{what}: {}", p.name);
        }
        assert!(
            !attempted.contains(p.arn.as_str()),
            "{what}: DeleteBackup was called for the {} backup '{}' of {} ({})",
            p.why,
            p.name,
            p.table,
            p.arn
        );
    }
}

fn policy_args() -> Vec<String> {
    [
        "--keep-daily",
        &KEEP_DAILY.to_string(),
        "--keep-weekly",
        &KEEP_WEEKLY.to_string(),
        "--keep-monthly",
        &KEEP_MONTHLY.to_string(),
        "--min-keep",
        &MIN_KEEP.to_string(),
        "--output",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn table_args() -> Vec<String> {
    TABLES
        .iter()
        .flat_map(|t| ["--table".to_string(), t.to_string()])
        .collect()
}

fn names(set: &BTreeSet<String>, all: &BTreeMap<String, Managed>) -> Vec<String> {
    set.iter()
        .map(|a| all.get(a).map_or_else(|| a.clone(), |m| m.name.clone()))
        .collect()
}

/// Proves, over 100 simulated days of the daily job under faults and signals, that:
/// nothing but managed AVAILABLE USER backups is ever deleted (hand-made, template-like,
/// other tables', SYSTEM, AWS_BACKUP and CREATING backups all survive, and no DeleteBackup
/// even names them); no backup the policy keeps is ever deleted, even by a failed or
/// interrupted run; a day whose run completed leaves exactly the policy's set; the count
/// stays within what the policy can keep plus one per day whose prune did not complete and
/// never falls below min-keep; no run panics or hangs; and at the end a prune converges.
#[test]
fn a_hundred_days_of_daily_runs_under_faults_and_signals_keep_exactly_the_policy() {
    let wall = Instant::now();
    faketime_preload(); // fail at once, and clearly, without faketime
    let emu = Emulator::start();
    emu.create_tables(&TABLES);
    let day0 = DateTime::parse_from_rfc3339(DAY0).unwrap().timestamp();
    let lock = emu.home.path().join("run.lock");
    let mut rng = Rng(0x5EED_DDB0_B4C4_0001);
    let mut protected: Vec<Protected> = Vec::new();
    let mut state: BTreeMap<&str, TableState> =
        TABLES.iter().map(|t| (*t, TableState::default())).collect();
    let (mut fault_days, mut signal_days, mut seed_days, mut interrupted) = (0, 0, 0, 0);
    let mut codes: BTreeMap<i32, usize> = BTreeMap::new();
    let mut sim_now = day0;

    for day in 0..DAYS {
        sim_now = day0 + day * DAY + rng.below(30 * 60) as i64;
        let offset = sim_now - now_secs();
        emu.config(json!({ "clock_offset_seconds": offset }));
        let date = stamp(sim_now);
        let what = format!("day {day} ({date})");

        if rng.chance(30) {
            seed_days += 1;
            seed_protected(&emu, &mut rng, day, sim_now, &mut protected);
        }
        let before: BTreeMap<&str, BTreeMap<String, Managed>> =
            TABLES.iter().map(|t| (*t, managed(&emu, t))).collect();

        let fault = match rng.below(10) {
            0 | 1 => Some(Fault::Random500),
            2 => Some(Fault::Throttling),
            3 => Some(Fault::DeleteDown),
            _ => None,
        };
        let signal = rng
            .chance(15)
            .then(|| Duration::from_millis(rng.below(400)));
        emu.reset_stats();
        if let Some(f) = fault {
            fault_days += 1;
            inject(&emu, &mut rng, f);
        }
        if signal.is_some() {
            signal_days += 1;
            // Every call takes a while, so the signal lands mid-run.
            emu.config(json!({ "latency_ms": 40 + rng.below(80) }));
        }

        let mut cmd = emu.cmd();
        with_faketime(&mut cmd, offset)
            .args(["run", "--wait", "--lock-file", lock.to_str().unwrap()])
            .args(table_args())
            .args(policy_args());
        let (run, signalled) = run_day(&emu, &mut cmd, signal);
        emu.faults(json!([]));
        emu.config(json!({ "latency_ms": 0 }));
        *codes.entry(run.code).or_default() += 1;
        interrupted += usize::from(run.code == 130);

        // Exit codes: a plain day succeeds; faults may fail a table or the run (1, 3); a
        // signal that arrived mid-run ends it with 130. Never a panic (101), an abort
        // (134) or a death by signal (-1).
        let mut allowed = vec![0];
        if fault.is_some() {
            allowed.extend([1, 3]);
        }
        if signalled {
            allowed.push(130);
        }
        assert!(
            allowed.contains(&run.code) && !run.stderr.contains("panicked"),
            "{what}: exit {} (allowed {allowed:?}; fault {fault:?}, signalled {signalled})\n\
             stderr:\n{}\nstdout:\n{}",
            run.code,
            run.stderr,
            run.stdout
        );
        if run.code == 0 {
            let report = run.json();
            assert_eq!(report["summary"]["failed"], 0, "{what}: {}", run.stdout);
        }

        check_protected(&emu, &protected, &what);
        for table in TABLES {
            let after = managed(&emu, table);
            let mut seen = before[table].clone();
            seen.extend(after.clone());
            let keep = expected_kept(&seen);
            let after_set: BTreeSet<String> = after.keys().cloned().collect();
            let wrongly_deleted: BTreeSet<String> = keep.difference(&after_set).cloned().collect();
            assert!(
                wrongly_deleted.is_empty(),
                "{what}: {table}: backups the policy keeps were deleted: {:?}\nexit {}, \
                 fault {fault:?}, signalled {signalled}\nstderr:\n{}",
                names(&wrongly_deleted, &seen),
                run.code,
                run.stderr
            );
            // The binary's clock (its name timestamp) and the emulator's (the creation
            // time) moved together.
            for m in after
                .values()
                .filter(|m| !before[table].contains_key(&m.arn))
            {
                let named = &m.name[m.name.len() - 16..];
                let named = chrono::NaiveDateTime::parse_from_str(named, "%Y%m%dT%H%M%SZ")
                    .unwrap()
                    .and_utc()
                    .timestamp();
                assert!(
                    (named - m.created as i64).abs() <= 60 && (named - sim_now).abs() <= 120,
                    "{what}: {table}: backup '{}' created at {} by the emulator's clock",
                    m.name,
                    m.at()
                );
            }
            let st = state.get_mut(table).unwrap();
            if table_clean(&run, table) {
                st.clean_days += 1;
                st.unclean_streak = 0;
                assert_eq!(
                    after_set,
                    keep,
                    "{what}: {table}: a completed prune left {:?}, the policy keeps {:?}",
                    names(&after_set, &seen),
                    names(&keep, &seen)
                );
            } else {
                st.unclean_streak += 1;
            }
            // After the last completed prune at most POLICY_MAX remained; since then each
            // day's run made at most one backup of the table (a faulted CreateBackup never
            // reaches moto, a signal ends the run before a second one), and deletions only
            // lower the count.
            let bound = POLICY_MAX + st.unclean_streak;
            assert!(
                after.len() <= bound,
                "{what}: {table} has {} managed AVAILABLE backups, the policy keeps at most \
                 {POLICY_MAX} plus {} from days whose prune did not complete",
                after.len(),
                st.unclean_streak
            );
            if st.clean_days >= 2 {
                assert!(
                    after.len() >= MIN_KEEP,
                    "{what}: {table} has only {} managed AVAILABLE backups (min-keep {MIN_KEEP})",
                    after.len()
                );
            }
        }
    }

    // All faults cleared: a plain prune converges, and a second one deletes nothing.
    let offset = sim_now + 3600 - now_secs();
    emu.config(json!({ "clock_offset_seconds": offset }));
    let prune = |emu: &Emulator| {
        let mut cmd = emu.cmd();
        with_faketime(&mut cmd, offset)
            .arg("prune")
            .args(table_args())
            .args(policy_args());
        run_day(emu, &mut cmd, None).0
    };
    emu.reset_stats();
    let first = prune(&emu);
    assert_eq!(first.code, 0, "final prune: {}", first.stderr);
    for table in TABLES {
        let now = managed(&emu, table);
        let set: BTreeSet<String> = now.keys().cloned().collect();
        assert_eq!(set, expected_kept(&now), "final prune: {table}");
    }
    check_protected(&emu, &protected, "final prune");
    emu.reset_stats();
    let second = prune(&emu);
    assert_eq!(second.code, 0, "second prune: {}", second.stderr);
    assert_eq!(second.json()["summary"]["deleted"], 0, "{}", second.stdout);
    assert_eq!(emu.calls("DeleteBackup"), 0, "the second prune deleted");

    eprintln!(
        "sim: {DAYS} simulated days ({DAY0} to {}), {fault_days} fault days, {signal_days} \
         signal days ({interrupted} ended with 130), {seed_days} seed days ({} protected \
         backups), exit codes {codes:?}, wall time {:.1}s",
        DateTime::from_timestamp(sim_now, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ"),
        protected.len(),
        wall.elapsed().as_secs_f64()
    );
}
