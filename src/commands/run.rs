//! `ddb-backup run`: the unattended job. Back up every selected table, then prune each one
//! whose backup succeeded (or was skipped because a fresh one exists) by its own policy.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cli::{KeepOpts, RailOpts, RunArgs, TableSelection};
use crate::commands::backup::{self, to_ms, TableReport};
use crate::commands::fleet::{self, PolicyError};
use crate::commands::prune::{self, PruneOptions, TablePrune};
use crate::commands::Ctx;
use crate::config::Config;
use crate::error::UsageError;
use crate::exit::Exit;
use crate::output::write_file_atomic;
use crate::retention::Policy;
use crate::timeparse::Span;

/// The default of `--timeout` (as for `backup`).
const DEFAULT_TIMEOUT: &str = "30m";
const DEFAULT_CONCURRENCY: u32 = 16;

/// One policy's work: which tables, how to back them up, how (or whether) to prune them.
#[derive(Debug, Clone)]
pub struct Job {
    pub policy: String,
    pub selection: TableSelection,
    pub backup: backup::Options,
    pub prune: Option<PruneOptions>,
}

/// One table's run.
#[derive(Debug, Clone, Serialize)]
pub struct TableRun {
    pub table: String,
    pub policy: String,
    pub ok: bool,
    pub backup: TableReport,
    /// The prune result; absent when the table was not pruned (see `prune_skipped`).
    pub prune: Option<TablePrune>,
    pub prune_skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub policy_errors: usize,
    pub backups_created: usize,
    pub backups_deleted: usize,
    pub interrupted: bool,
    pub duration_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub command: &'static str,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    pub tables: Vec<TableRun>,
    pub policy_errors: Vec<PolicyError>,
    pub summary: RunSummary,
}

pub async fn run(args: RunArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    let jobs = jobs(&args, config.as_ref())?;
    for job in &jobs {
        for t in &job.selection.tables {
            job.backup
                .template
                .render(crate::select::table_name(t), ctx.now)
                .map_err(UsageError::new)?;
        }
    }
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, &c.defaults),
        None => ctx.clone(),
    };
    let _lock = match &args.sched.lock_file {
        Some(p) => Some(lock(p)?),
        None => None,
    };
    let started = Instant::now();
    let result = execute(&args, config.as_ref(), &jobs, &ctx).await;
    let duration = started.elapsed().as_secs_f64();
    let report = match result {
        Ok((tables, policy_errors)) => build_report(tables, policy_errors, &args, &ctx, duration),
        Err(e) => {
            // Nothing ran (no listing, no connection): monitoring still learns of it.
            if let Some(path) = &args.sched.metrics_file {
                if !args.dry_run {
                    if let Err(m) = write_metrics(path, None, duration) {
                        tracing::error!("{m:#}");
                    }
                }
            }
            return Err(e);
        }
    };
    let exit = exit_for(&report);
    if let Some(path) = &args.sched.report {
        let json = serde_json::to_vec_pretty(&report)?;
        write_file_atomic(path, &json)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    if let Some(path) = &args.sched.metrics_file {
        if args.dry_run {
            tracing::info!("dry run: metrics file {} left unchanged", path.display());
        } else {
            write_metrics(path, Some(&report), duration)?;
        }
    }
    // Quiet runs print nothing on success, so cron mails only failures.
    if !(ctx.global.quiet && exit == Exit::Success) {
        print(&report, &ctx)?;
    }
    Ok(exit)
}

/// The jobs of this run: one per config policy, or one from the command line.
pub fn jobs(args: &RunArgs, config: Option<&Config>) -> Result<Vec<Job>, UsageError> {
    let cli_keep = Policy::from(&args.keep);
    let timeout = |policy: Option<&Span>| -> Result<Span, UsageError> {
        match args.timeout.as_ref().or(policy) {
            Some(s) => Ok(s.clone()),
            None => DEFAULT_TIMEOUT.parse().map_err(UsageError::new),
        }
    };
    let Some(config) = config else {
        args.select.validate()?;
        let template = args.name.template_or_default();
        let prune = if cli_keep.is_empty() {
            if rails_given(&args.rails) {
                return Err(UsageError::new(
                    "safety rails (--min-keep, --require-recent, --max-delete, ...) given without a \
                     keep rule: add --keep-* options to prune, or leave the rails out to only back up",
                ));
            }
            None
        } else {
            Some(PruneOptions::new(
                &args.keep,
                &args.rails,
                template.clone(),
                args.dry_run,
            )?)
        };
        return Ok(vec![Job {
            policy: "command-line".into(),
            selection: args.select.clone(),
            backup: backup::Options {
                template,
                wait: args.wait,
                timeout: timeout(None)?,
                skip_if_recent: args.skip_if_recent.clone(),
                concurrency: args.concurrency.unwrap_or(DEFAULT_CONCURRENCY),
                dry_run: args.dry_run,
            },
            prune,
        }]);
    };
    fleet::check_narrowing(&args.select)?;
    let d = &config.defaults;
    let mut out = Vec::new();
    for p in &config.policies {
        let template = args
            .name
            .template
            .clone()
            .or_else(|| p.backup.name.clone())
            .or_else(|| d.name.clone())
            .unwrap_or_default();
        let policy_keep = p.retention.as_ref().map(|r| r.keep_opts());
        let keep: Option<KeepOpts> = if !cli_keep.is_empty() {
            Some(args.keep.clone())
        } else {
            policy_keep
        };
        let policy_rails = p
            .retention
            .as_ref()
            .map(|r| r.rail_opts())
            .unwrap_or_default();
        let rails = RailOpts {
            min_keep: args.rails.min_keep.or(policy_rails.min_keep),
            require_recent: args
                .rails
                .require_recent
                .clone()
                .or(policy_rails.require_recent),
            max_delete: args.rails.max_delete.or(policy_rails.max_delete),
            include_unmanaged: args.rails.include_unmanaged || policy_rails.include_unmanaged,
            timezone: args.rails.timezone.or(policy_rails.timezone).or(d.timezone),
        };
        let prune = match keep {
            Some(k) => Some(
                PruneOptions::new(&k, &rails, template.clone(), args.dry_run)
                    .map_err(|e| UsageError::new(format!("policy '{}': {e}", p.name)))?,
            ),
            None => None,
        };
        out.push(Job {
            policy: p.name.clone(),
            selection: p.selection(),
            backup: backup::Options {
                template,
                wait: args.wait || p.backup.wait.unwrap_or(false),
                timeout: timeout(p.backup.timeout.as_ref())?,
                skip_if_recent: args
                    .skip_if_recent
                    .clone()
                    .or_else(|| p.backup.skip_if_recent.clone()),
                concurrency: args
                    .concurrency
                    .or(d.concurrency)
                    .unwrap_or(DEFAULT_CONCURRENCY),
                dry_run: args.dry_run,
            },
            prune,
        });
    }
    Ok(out)
}

fn rails_given(r: &RailOpts) -> bool {
    r.min_keep.is_some()
        || r.require_recent.is_some()
        || r.max_delete.is_some()
        || r.include_unmanaged
        || r.timezone.is_some()
}

/// Holds an exclusive lock on `path` for the life of the returned file.
fn lock(path: &Path) -> Result<File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(anyhow::anyhow!(
            "another ddb-backup run holds the lock file {}: not starting a second, overlapping run",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Connects, resolves every job's tables, then backs up and prunes job by job.
async fn execute(
    args: &RunArgs,
    config: Option<&Config>,
    jobs: &[Job],
    ctx: &Ctx,
) -> Result<(Vec<TableRun>, Vec<PolicyError>)> {
    let dynamo = ctx.dynamo().await?;
    let mut by_job: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut policy_errors = Vec::new();
    match config {
        Some(c) => {
            let (assigned, errors) = fleet::resolve(c, &args.select, &dynamo).await?;
            policy_errors = errors;
            for a in assigned {
                by_job.entry(a.policy).or_default().push(a.table);
            }
        }
        None => {
            let tables = crate::select::resolve(&jobs[0].selection, &dynamo).await?;
            by_job.insert(0, tables);
        }
    }
    let mut out = Vec::new();
    for (i, tables) in by_job {
        let job = &jobs[i];
        tracing::info!(policy = %job.policy, tables = %tables.join(","), "policy");
        let backups = backup::back_up(&dynamo, &tables, &job.backup, ctx).await;
        let mut to_prune = Vec::new();
        let mut runs = Vec::new();
        for (table, b) in tables.iter().zip(backups) {
            let skipped = if job.prune.is_none() {
                Some("the policy has no retention rules".to_string())
            } else if !b.outcome.is_ok() {
                Some(format!(
                    "not pruned: this run's backup did not succeed ({})",
                    b.outcome.as_str()
                ))
            } else {
                to_prune.push(table.clone());
                None
            };
            runs.push(TableRun {
                table: b.table.clone(),
                policy: job.policy.clone(),
                ok: b.outcome.is_ok(),
                backup: b,
                prune: None,
                prune_skipped: skipped,
            });
        }
        if let Some(opts) = &job.prune {
            let pruned = prune::prune_tables(&dynamo, &to_prune, opts, ctx).await;
            for p in pruned {
                if let Some(r) = runs.iter_mut().find(|r| r.table == p.table) {
                    r.ok = r.ok && p.status == "ok";
                    r.prune = Some(p);
                }
            }
        }
        out.extend(runs);
    }
    Ok((out, policy_errors))
}

fn build_report(
    tables: Vec<TableRun>,
    policy_errors: Vec<PolicyError>,
    args: &RunArgs,
    ctx: &Ctx,
    duration: f64,
) -> RunReport {
    let created = tables.iter().filter(|t| t.backup.outcome.created()).count();
    let deleted = tables
        .iter()
        .filter_map(|t| t.prune.as_ref())
        .map(|p| p.deleted)
        .sum();
    let failed = tables.iter().filter(|t| !t.ok).count();
    RunReport {
        command: "run",
        dry_run: args.dry_run,
        started_at: ctx.now,
        summary: RunSummary {
            tables: tables.len(),
            succeeded: tables.len() - failed,
            failed,
            policy_errors: policy_errors.len(),
            backups_created: created,
            backups_deleted: deleted,
            interrupted: ctx.stop.requested(),
            duration_seconds: to_ms(duration),
        },
        tables,
        policy_errors,
    }
}

pub fn exit_for(r: &RunReport) -> Exit {
    if r.summary.interrupted {
        return Exit::Interrupted;
    }
    Exit::from_counts(
        r.summary.succeeded,
        r.summary.failed + r.summary.policy_errors,
    )
}

fn print(r: &RunReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, &r.tables)?;
        return Ok(());
    }
    let mut t = ctx.out.table(&[
        "Table",
        "Policy",
        "Backup",
        "Backup name",
        "Prune",
        "Detail",
    ]);
    for x in &r.tables {
        let prune = match (&x.prune, &x.prune_skipped) {
            (Some(p), _) if r.dry_run => format!("kept {}, would delete {}", p.kept, p.to_delete),
            (Some(p), _) => format!("kept {}, deleted {}", p.kept, p.deleted),
            (None, _) => "skipped".to_string(),
        };
        let detail = [
            x.backup.detail.clone(),
            x.prune.as_ref().and_then(|p| p.error.clone()),
            x.prune_skipped.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        t.add_row(vec![
            x.table.clone(),
            x.policy.clone(),
            x.backup.outcome.as_str().to_string(),
            x.backup.backup_name.clone().unwrap_or_default(),
            prune,
            detail,
        ]);
    }
    let mut text = format!("{t}\n");
    for e in &r.policy_errors {
        text.push_str(&format!("policy '{}' failed: {}\n", e.policy, e.error));
    }
    let s = &r.summary;
    text.push_str(&format!(
        "{} table(s): {} ok, {} failed; {} backup(s) {}, {} {} in {:.1}s{}",
        s.tables,
        s.succeeded,
        s.failed + s.policy_errors,
        s.backups_created,
        if r.dry_run {
            "would be created"
        } else {
            "created"
        },
        if r.dry_run {
            r.tables
                .iter()
                .filter_map(|t| t.prune.as_ref())
                .map(|p| p.to_delete)
                .sum()
        } else {
            s.backups_deleted
        },
        if r.dry_run {
            "would be deleted (dry run)"
        } else {
            "deleted"
        },
        s.duration_seconds,
        if s.interrupted { " (interrupted)" } else { "" }
    ));
    ctx.out.text(&text)?;
    Ok(())
}

const LAST_SUCCESS: &str = "ddb_backup_table_last_success_timestamp_seconds";

/// Writes the Prometheus textfile-collector metrics. A table that failed this time keeps
/// the last-success timestamp of the previous file, so an alert on its age keeps working.
fn write_metrics(path: &Path, r: Option<&RunReport>, duration: f64) -> Result<()> {
    let previous = std::fs::read_to_string(path).unwrap_or_default();
    let mut last_success: BTreeMap<String, f64> = previous
        .lines()
        .filter_map(|l| l.strip_prefix(LAST_SUCCESS))
        .filter_map(|rest| {
            let (labels, value) = rest.rsplit_once(' ')?;
            Some((labels.to_string(), value.trim().parse::<f64>().ok()?))
        })
        .collect();
    let now = Utc::now().timestamp() as f64;
    let mut m = String::new();
    let mut gauge = |name: &str, help: &str, rows: Vec<(String, f64)>| {
        m.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, v) in rows {
            m.push_str(&format!("{name}{labels} {v}\n"));
        }
    };
    let success = r.is_some_and(|r| exit_for(r) == Exit::Success);
    gauge(
        "ddb_backup_run_success",
        "1 if the last run succeeded for every table, 0 otherwise.",
        vec![(String::new(), if success { 1.0 } else { 0.0 })],
    );
    gauge(
        "ddb_backup_run_timestamp_seconds",
        "When the last run finished (Unix time).",
        vec![(String::new(), now)],
    );
    gauge(
        "ddb_backup_run_duration_seconds",
        "How long the last run took.",
        vec![(String::new(), to_ms(duration))],
    );
    let tables = r.map(|r| r.tables.as_slice()).unwrap_or_default();
    let labels = |t: &TableRun| {
        format!(
            "{{table=\"{}\",policy=\"{}\"}}",
            escape(&t.table),
            escape(&t.policy)
        )
    };
    for t in tables.iter().filter(|t| t.ok) {
        last_success.insert(labels(t), now);
    }
    gauge(
        LAST_SUCCESS,
        "When the table last had a successful run (Unix time).",
        last_success.into_iter().collect(),
    );
    gauge(
        "ddb_backup_table_backups_created",
        "Backups created for the table by the last run.",
        tables
            .iter()
            .map(|t| {
                let made = t.backup.outcome.created();
                (labels(t), if made { 1.0 } else { 0.0 })
            })
            .collect(),
    );
    gauge(
        "ddb_backup_table_backups_deleted",
        "Backups deleted for the table by the last run.",
        tables
            .iter()
            .map(|t| {
                (
                    labels(t),
                    t.prune.as_ref().map_or(0.0, |p| p.deleted as f64),
                )
            })
            .collect(),
    );
    gauge(
        "ddb_backup_table_duration_seconds",
        "Seconds the last run spent on the table: backup request and prune (not --wait).",
        tables
            .iter()
            .map(|t| {
                let prune = t.prune.as_ref().map_or(0.0, |p| p.duration_seconds);
                (labels(t), to_ms(t.backup.duration_seconds + prune))
            })
            .collect(),
    );
    gauge(
        "ddb_backup_table_failure",
        "1 if the last run failed for the table (backup or prune), 0 otherwise.",
        tables
            .iter()
            .map(|t| (labels(t), if t.ok { 0.0 } else { 1.0 }))
            .collect(),
    );
    write_file_atomic(path, m.as_bytes())
        .with_context(|| format!("cannot write metrics to {}", path.display()))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
