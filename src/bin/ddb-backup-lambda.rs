//! The AWS Lambda function: the same engine as the CLI behind an event adapter.
//!
//! Event: `{"command": "run" | "check", "config": "<TOML text>", "dry_run": false}`, or
//! `"config_base64"` instead of `"config"` (what deploy/template.yaml sends: CloudFormation
//! can base64-encode a parameter, not escape it into JSON).
//! Response: the JSON report `run --output json` / `check --output json` prints. A run
//! whose exit code would not be 0 fails the invocation (an error naming the failing
//! tables; the report is logged), so Lambda's `Errors` metric, retries and alarms work.
//! Credentials, region and endpoint come from the Lambda environment; logs are JSON lines.
//! The invocation's deadline stops new work early enough to finish and report.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Parser;
use ddb_backup::cli::Cli;
use ddb_backup::exit::Exit;
use ddb_backup::output::{Captured, Output};
use ddb_backup::Stop;
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::watch;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Command {
    Run,
    Check,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    command: Command,
    config: Option<String>,
    config_base64: Option<String>,
    config_parameter: Option<String>,
    #[serde(default)]
    dry_run: bool,
    /// `check`: the age the newest backup may have (default 25h: a daily schedule and an
    /// hour's slack) and how many backups each table must have.
    max_age: Option<String>,
    min_count: Option<u32>,
}

/// The default `max_age` of a check event.
const CHECK_MAX_AGE: &str = "25h";

/// The share of the remaining time kept for finishing calls in flight and reporting,
/// within these bounds.
const MARGIN_SHARE: f64 = 0.1;
const MARGIN_MIN: Duration = Duration::from_secs(3);
const MARGIN_MAX: Duration = Duration::from_secs(30);

fn diagnostic(kind: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        error_type: kind.to_string(),
        error_message: message.into(),
    }
}

/// When new work must stop: before the deadline by a tenth of the remaining time (3 to 30
/// seconds), so calls in flight finish and the report is written.
fn stop_at(deadline: SystemTime) -> SystemTime {
    let remaining = deadline
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    let margin = remaining
        .mul_f64(MARGIN_SHARE)
        .clamp(MARGIN_MIN, MARGIN_MAX);
    deadline.checked_sub(margin).unwrap_or(deadline)
}

/// The config of one invocation, in a file of its own (the engine reads a path; messages
/// name it), removed afterwards: in a fresh directory only this process may write to (0700,
/// under a random name), created 0600, whatever the umask, so the engine's check of who
/// may change a config passes and no one else could.
struct ConfigFile {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl ConfigFile {
    fn write(text: &str) -> std::io::Result<ConfigFile> {
        use std::io::Write;
        let dir = tempfile::Builder::new().prefix("ddb-backup-").tempdir()?;
        let path = dir.path().join("event-config.toml");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&path)?.write_all(text.as_bytes())?;
        Ok(ConfigFile { path, _dir: dir })
    }
}

/// What failed, for the error message: the failing tables (account/region/table), the
/// failed targets and policies, as far as the report names them.
fn failures(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let label = |r: &Value| {
        format!(
            "{}/{}/{}",
            r["account"].as_str().unwrap_or("?"),
            r["region"].as_str().unwrap_or("?"),
            r["table"].as_str().unwrap_or("?")
        )
    };
    for t in report["tables"].as_array().into_iter().flatten() {
        if t["ok"] == Value::Bool(false) {
            out.push(label(t));
        }
    }
    for e in report["policy_errors"].as_array().into_iter().flatten() {
        out.push(format!(
            "policy '{}' in {}/{}",
            e["policy"].as_str().unwrap_or("?"),
            e["account"].as_str().unwrap_or("?"),
            e["region"].as_str().unwrap_or("?")
        ));
    }
    for t in report["summary"]["targets"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if !t["error"].is_null() {
            out.push(format!(
                "target {}/{}",
                t["account"].as_str().unwrap_or("?"),
                t["region"].as_str().unwrap_or("?")
            ));
        }
    }
    out
}

/// At most this many failing tables are named in an error message (the report has all).
const NAMED_FAILURES: usize = 20;

async fn handle(event: LambdaEvent<Box<RawValue>>) -> Result<Value, Diagnostic> {
    // Parsed here from the raw JSON: a key given twice (e.g. two "dry_run") is refused,
    // not decided by whichever came last.
    let e: Event = serde_json::from_str(event.payload.get()).map_err(|e| {
        diagnostic(
            "InvalidEvent",
            format!(
                "invalid event: {e}; send {{\"command\": \"run\" or \"check\", \"config\": \
                 \"<TOML text>\", \"dry_run\": false}}"
            ),
        )
    })?;
    if e.config_parameter.is_some() {
        return Err(diagnostic(
            "InvalidEvent",
            "config_parameter is not supported: pass the config's TOML text in \"config\" \
             (deploy/template.yaml passes its Config parameter)",
        ));
    }
    let text = match (e.config, e.config_base64) {
        (Some(t), None) => t,
        (None, Some(b)) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|err| {
                    diagnostic(
                        "InvalidEvent",
                        format!("invalid event: config_base64: {err}"),
                    )
                })?;
            String::from_utf8(bytes).map_err(|_| {
                diagnostic(
                    "InvalidEvent",
                    "invalid event: config_base64 does not decode to UTF-8 text",
                )
            })?
        }
        (Some(_), Some(_)) => {
            return Err(diagnostic(
                "InvalidEvent",
                "invalid event: give \"config\" or \"config_base64\", not both",
            ))
        }
        (None, None) => {
            return Err(diagnostic(
                "InvalidEvent",
                "invalid event: \"config\" (the config file's TOML text) is missing",
            ))
        }
    };
    if text.trim().is_empty() {
        return Err(diagnostic(
            "InvalidEvent",
            "invalid event: the config is empty",
        ));
    }
    // The function's endpoint and credentials come from its environment: a config must not
    // send its requests (signed with the execution role's credentials) anywhere else.
    if let Ok(c) = ddb_backup::config::Config::parse(&text, std::path::Path::new("event")) {
        let profiles = c.targets.iter().any(|t| t.profile.is_some());
        if c.defaults.endpoint_url.is_some() || c.defaults.profile.is_some() || profiles {
            return Err(diagnostic(
                "InvalidConfig",
                "the function's config may not set endpoint_url or profile: its endpoint and \
                 credentials come from the Lambda environment (use role_arn in [[targets]] for \
                 other accounts)",
            ));
        }
        // AWS_REGION is always set in Lambda, and it wins over [defaults] region.
        if c.defaults.region.is_some() {
            return Err(diagnostic(
                "InvalidConfig",
                "the function's config may not set [defaults] region: the function works in \
                 its own region (AWS_REGION); name other regions in [[targets]] regions",
            ));
        }
    }
    let file = ConfigFile::write(&text)
        .map_err(|err| diagnostic("Internal", format!("cannot write the config: {err}")))?;
    let path = file.path.display().to_string();
    let mut argv: Vec<String> = ["ddb-backup", "--log-format", "json", "--output", "json"]
        .map(String::from)
        .to_vec();
    match e.command {
        Command::Run => {
            if e.max_age.is_some() || e.min_count.is_some() {
                return Err(diagnostic(
                    "InvalidEvent",
                    "invalid event: max_age and min_count are for \"check\" events",
                ));
            }
            argv.extend(["run".into(), "--config".into(), path.clone()]);
            if e.dry_run {
                argv.push("--dry-run".into());
            }
        }
        Command::Check => {
            let max_age = e.max_age.unwrap_or_else(|| CHECK_MAX_AGE.into());
            ddb_backup::timeparse::parse_span(&max_age).map_err(|err| {
                diagnostic("InvalidEvent", format!("invalid event: max_age: {err}"))
            })?;
            argv.extend(["check".into(), "--config".into(), path.clone()]);
            argv.push(format!("--max-age={max_age}"));
            match e.min_count {
                Some(0) => {
                    return Err(diagnostic(
                        "InvalidEvent",
                        "invalid event: min_count must be at least 1",
                    ))
                }
                Some(n) => argv.push(format!("--min-count={n}")),
                None => {}
            }
        }
    }
    let cli = ddb_backup::cli::try_parse_from(&argv)
        .map_err(|err| diagnostic("InvalidEvent", ddb_backup::clap_error_line(&err)))?;
    // The deadline is the stop signal.
    let (tx, rx) = watch::channel(false);
    let at = stop_at(event.context.deadline());
    let near_deadline = SystemTime::now() >= at;
    let timer = tokio::spawn(async move {
        let wait = at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        tokio::time::sleep(wait).await;
        tracing::warn!("the invocation's deadline is near: starting no new work");
        let _ = tx.send(true);
    });
    let captured = Captured::default();
    let result = ddb_backup::execute(cli, Output::capture(captured.clone()), Stop::new(rx)).await;
    timer.abort();
    drop(file);
    let report = captured.lock().unwrap_or_else(|e| e.into_inner()).take();
    let stopped = near_deadline || SystemTime::now() >= at;
    let deadline_note = if stopped {
        "the invocation's deadline was near, so no new work was started: "
    } else {
        ""
    };
    // Messages name the event's config, not the file it was written to.
    let own_words = |m: String| m.replace(&path, "(the event's config)");
    match (result, report) {
        (Ok(Exit::Success), Some(report)) => Ok(report),
        (Ok(code), report) => {
            let report = report.unwrap_or(Value::Null);
            log_report(&report);
            let failed = failures(&report);
            let named = if failed.is_empty() {
                String::new()
            } else if failed.len() > NAMED_FAILURES {
                format!(
                    ": {} and {} more (see the report in the logs)",
                    failed[..NAMED_FAILURES].join(", "),
                    failed.len() - NAMED_FAILURES
                )
            } else {
                format!(": {}", failed.join(", "))
            };
            Err(diagnostic(
                "RunFailed",
                format!(
                    "{deadline_note}ddb-backup {} ended with exit code {} ({}){named}",
                    argv[5],
                    code.code(),
                    match code {
                        Exit::Partial => "partial failure",
                        Exit::Interrupted => "stopped before the deadline",
                        _ => "failure",
                    },
                ),
            ))
        }
        (Err((code, err)), _) => Err(diagnostic(
            if code == Exit::Usage {
                "InvalidConfig"
            } else {
                "RunFailed"
            },
            own_words(format!("{deadline_note}{}", ddb_backup::error_line(&err))),
        )),
    }
}

/// The report of a failed run, as one JSON log line shaped like the others.
fn log_report(report: &Value) {
    let line = serde_json::json!({
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "level": "ERROR",
        "fields": {"message": "the run's report", "report": report},
    });
    println!("{line}");
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let globals =
        Cli::try_parse_from(["ddb-backup", "--log-format", "json", "list", "--all-tables"])
            .map(|c| c.global);
    if let Ok(g) = &globals {
        ddb_backup::logging::init(g);
    }
    lambda_runtime::run(service_fn(handle)).await
}
