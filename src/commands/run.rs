//! `ddb-backup run`: the unattended job. Back up every selected table, then prune each one
//! whose backup succeeded (or was skipped because a fresh one exists) by its own policy.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::listing::{RunListing, Strategy};
use crate::aws::Dynamo;
use crate::cli::{KeepOpts, RailOpts, RunArgs, TableSelection};
use crate::commands::backup::{self, to_ms, TableReport};
use crate::commands::fleet::{self, PolicyError};
use crate::commands::prune::{self, PruneOptions, TablePrune};
use crate::commands::targets::{self, Reached, Target};
use crate::commands::Ctx;
use crate::config::Config;
use crate::error::UsageError;
use crate::exit::Exit;
use crate::output::write_file_atomic;
use crate::retention::Policy;
use crate::targets::{Placed, TargetSpec};
use crate::timeparse::Span;
use tracing::Instrument;

/// The default of `--timeout` (as for `backup`).
const DEFAULT_TIMEOUT: &str = "30min";
const DEFAULT_CONCURRENCY: u32 = 16;

/// One policy's work: which tables, how to back them up, how (or whether) to prune them.
#[derive(Debug, Clone)]
pub struct Job {
    pub policy: String,
    pub selection: TableSelection,
    pub backup: backup::Options,
    pub prune: Option<PruneOptions>,
    /// `[policy.verify] every`: a restore drill when the last passed one is older.
    pub verify_every: Option<Span>,
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
    /// Set when two policies claim the table (found after listing): backed up once by the
    /// first policy, not pruned, and counted as a failure.
    pub conflict: Option<String>,
    /// The restore drill this run made (a policy with `[policy.verify]`, when due).
    pub verify: Option<crate::commands::verify::Drill>,
    /// Why no drill was made for a policy with `[policy.verify]`.
    pub verify_skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub policy_errors: usize,
    pub backups_created: usize,
    pub backups_deleted: usize,
    /// Deletions a stop cut while on the wire: they may or may not have happened.
    pub deletions_unknown: usize,
    /// Dry run: the backups the real run would create and delete (0 otherwise).
    pub would_create: usize,
    pub would_delete: usize,
    pub interrupted: bool,
    pub duration_seconds: f64,
    /// Tables, successes and failures per target (account × region).
    pub targets: Vec<targets::TargetSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub command: &'static str,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    pub tables: Vec<Placed<TableRun>>,
    pub policy_errors: Vec<Placed<PolicyError>>,
    pub summary: RunSummary,
}

pub async fn run(args: RunArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    let jobs = jobs(&args, config.as_ref())?;
    for job in &jobs {
        for t in &job.selection.tables {
            job.backup
                .template
                .render(crate::ids::table_name(t), ctx.now)
                .map_err(UsageError::new)?;
        }
    }
    // Where results go is checked before anything is sent: a run must not back up and
    // delete, then fail to say so.
    for path in [&args.sched.report, &args.sched.metrics_file]
        .into_iter()
        .flatten()
    {
        check_writable(path)?;
    }
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    let specs = crate::targets::plan(&ctx.global, config.as_ref())?;
    crate::targets::check_routed(&specs, fleet::named_tables(config.as_ref(), &args.select))?;
    let _lock = match &args.sched.lock_file {
        Some(p) => Some(lock(p)?),
        None => None,
    };
    let started = Instant::now();
    let config = config.map(Arc::new);
    // Drills due by the metrics file's record of the last passed drill per table.
    let drill = Arc::new(DrillPlan {
        last: args
            .sched
            .metrics_file
            .as_deref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| crate::commands::verify::last_successes(&t))
            .unwrap_or_default(),
        options: crate::commands::verify::Options {
            timeout: std::time::Duration::from_secs(30 * 60),
            dry_run: args.dry_run,
            run_id: crate::commands::verify::run_id(),
        },
    });
    let result = execute(
        &specs,
        &args.select,
        config.clone(),
        Arc::new(jobs),
        drill,
        &ctx,
    )
    .await;
    let duration = started.elapsed().as_secs_f64();
    let report = match result {
        Ok(reached) => build_report(reached, &args, &ctx, duration),
        Err(e) => {
            // Nothing ran (no listing, no connection): monitoring still learns of it.
            if let Some(path) = &args.sched.metrics_file {
                if !args.dry_run {
                    if let Err(m) = write_metrics(path, None, duration, true) {
                        tracing::error!("{m:#}");
                    }
                }
            }
            return Err(e);
        }
    };
    // A failed target's tables are not in the report: their last-success series are kept.
    let narrowed = (config.is_some() && !args.select.is_empty())
        || config
            .as_ref()
            .is_some_and(|c| !c.targets.is_empty() && !ctx.global.region.is_empty())
        || report.summary.targets.iter().any(|t| t.error.is_some());
    let mut exit = exit_for(&report);
    // Each output is attempted whatever happened to the others.
    let mut report_lost = false;
    if let Some(path) = &args.sched.report {
        let written = serde_json::to_vec_pretty(&report)
            .map_err(anyhow::Error::from)
            .and_then(|json| Ok(write_file_atomic(path, &json)?));
        if let Err(e) = written {
            tracing::error!(
                "cannot write the report to {}: {e:#}; it is printed on stdout instead",
                path.display()
            );
            report_lost = true;
            exit = exit.worst(Exit::Failure);
        }
    }
    if let Some(path) = &args.sched.metrics_file {
        if args.dry_run {
            tracing::info!("dry run: metrics file {} left unchanged", path.display());
        } else if let Err(e) = write_metrics(path, Some(&report), duration, narrowed) {
            tracing::error!("{e:#}");
            exit = exit.worst(Exit::Failure);
        }
    }
    if report_lost && ctx.out.format != crate::cli::OutputFormat::Json {
        crate::output::Output::json().data(&report, "tables")?;
    } else if ctx.out.shows(exit) {
        print(&report, &ctx)?;
    }
    Ok(exit)
}

/// A file this run will write must be writable now: its directory exists and accepts a
/// new file (the file itself is replaced by rename, so its own mode does not matter).
pub fn check_writable(path: &Path) -> Result<(), UsageError> {
    let fail = |why: String| {
        UsageError::new(format!(
            "cannot write {}: {why}; choose a writable path",
            path.display()
        ))
    };
    let path = &crate::output::output_target(path).map_err(fail)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let probe = dir.join(format!(".ddb-backup-write-check.{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(fail(format!("directory {}: {e}", dir.display()))),
    }
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
            verify_every: None,
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
        // Command-line keep rules replace a policy's keep rules; they never add retention
        // to a policy that only backs up.
        let keep: Option<KeepOpts> = match &p.retention {
            Some(_) if !cli_keep.is_empty() => Some(args.keep.clone()),
            Some(r) => Some(r.keep_opts()),
            None => {
                if !cli_keep.is_empty() {
                    tracing::info!(policy = %p.name, "the policy has no [retention]: --keep-* options do not apply to it");
                }
                None
            }
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
            verify_every: p.verify.as_ref().map(|v| v.every.clone()),
        });
        if p.verify.is_some() && args.sched.metrics_file.is_none() {
            return Err(UsageError::new(format!(
                "policy '{}' has [policy.verify]: give --metrics-file, where the last drill of \
                 each table is remembered (without it, every run would be a drill)",
                p.name
            )));
        }
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

/// Holds an exclusive lock on `path` for the life of the returned file. A path that
/// cannot be opened is a usage error (nothing was sent yet); a lock held by another run
/// is a failure (exit 1).
fn lock(path: &Path) -> Result<File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| {
            UsageError::new(format!(
                "cannot open lock file {}: {e}; choose a path in a writable directory",
                path.display()
            ))
        })?;
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

/// What one target's run produced: its tables, and the policies that failed there.
type TargetRun = (Vec<TableRun>, Vec<PolicyError>);

/// Runs every target side by side (each resolves its tables, then runs every table's
/// journey). With one target, its failure is the run's error.
async fn execute(
    specs: &[TargetSpec],
    narrowing: &TableSelection,
    config: Option<Arc<Config>>,
    jobs: Arc<Vec<Job>>,
    drill: Arc<DrillPlan>,
    ctx: &Ctx,
) -> Result<Vec<Reached<TargetRun>>> {
    // One bar for the whole run; each target adds its tables once it knows them.
    let progress = Arc::new(Progress {
        bar: ctx.progress(0, "tables done"),
        backed_up: AtomicUsize::new(0),
        pruned: AtomicUsize::new(0),
    });
    let tables: Vec<String> = fleet::named_tables(config.as_deref(), narrowing)
        .into_iter()
        .cloned()
        .collect();
    let (n, c, p) = (narrowing.clone(), ctx.clone(), progress.clone());
    let reached = targets::each(ctx, specs, tables, move |t| {
        let (n, c, p, config, jobs, drill) = (
            n.clone(),
            c.clone(),
            p.clone(),
            config.clone(),
            jobs.clone(),
            drill.clone(),
        );
        async move { execute_in(&t, &n, config.as_deref(), &jobs, &c, p, drill).await }
    })
    .await?;
    if let Some(bar) = &progress.bar {
        bar.finish_and_clear();
    }
    Ok(reached)
}

/// One target: resolves every job's tables, then runs every table's journey side by side.
async fn execute_in(
    t: &Target,
    narrowing: &TableSelection,
    config: Option<&Config>,
    jobs: &[Job],
    ctx: &Ctx,
    progress: Arc<Progress>,
    drill: Arc<DrillPlan>,
) -> Result<TargetRun> {
    let dynamo = t.dynamo.clone();
    // (job, table, conflict) for every table of the run.
    let (entries, policy_errors, in_region, existing): (
        Vec<(usize, String, Option<String>)>,
        _,
        _,
        _,
    ) = match config {
        Some(c) => {
            let f = fleet::resolve(c, narrowing, t).await?;
            let entries = f
                .assigned
                .into_iter()
                .map(|a| (a.policy, a.table, a.conflict))
                .collect();
            (entries, f.errors, f.in_region, f.existing)
        }
        None => {
            let Some(sel) = crate::select::for_target(&jobs[0].selection, &t.at) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let s = crate::select::resolve(&sel, &dynamo).await?;
            let entries = s.tables.into_iter().map(|t| (0, t, None)).collect();
            (entries, Vec::new(), s.in_region, s.existing)
        }
    };
    for (i, job) in jobs.iter().enumerate() {
        let tables: Vec<&str> = entries
            .iter()
            .filter(|e| e.0 == i)
            .map(|e| e.1.as_str())
            .collect();
        if !tables.is_empty() {
            tracing::info!(policy = %job.policy, tables = %tables.join(","), "policy");
        }
    }
    // The run's one listing, for the tables that need one (skip-if-recent or a prune).
    let listed = entries
        .iter()
        .filter(|(j, _, conflict)| jobs[*j].needs_listing() && conflict.is_none())
        .count();
    let listing = (listed > 0)
        .then(|| RunListing::start(&dynamo, Strategy::choose(listed, in_region), existing));
    if let Some(bar) = &progress.bar {
        bar.inc_length(entries.len() as u64);
    }
    let shared = Arc::new(Shared {
        dynamo,
        at: t.at.clone(),
        drills: Semaphore::new(RUN_DRILL_CONCURRENCY),
        drill: drill.clone(),
        listing,
        backups: Semaphore::new(jobs[0].backup.concurrency as usize),
        prunes: Semaphore::new(prune::PRUNE_CONCURRENCY),
        ctx: Ctx {
            quiet_progress: true,
            ..ctx.clone()
        },
        progress,
    });
    let mut tasks = JoinSet::new();
    for (i, (j, table, conflict)) in entries.iter().cloned().enumerate() {
        let (shared, job) = (shared.clone(), jobs[j].clone());
        tasks.spawn(
            async move { (i, journey(&shared, &job, table, conflict).await) }.in_current_span(),
        );
    }
    let mut out: Vec<Option<TableRun>> = vec![None; entries.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, r)) => out[i] = Some(r),
            Err(e) => tracing::error!("a table's task failed: {e}"),
        }
    }
    let runs = out
        .into_iter()
        .zip(&entries)
        .map(|(r, (j, table, conflict))| {
            r.unwrap_or_else(|| {
                let b = backup::TableReport::failed(table, "internal error: no result".into());
                TableRun {
                    table: b.table.clone(),
                    policy: jobs[*j].policy.clone(),
                    ok: false,
                    backup: b,
                    prune: None,
                    prune_skipped: None,
                    conflict: conflict.clone(),
                    verify: None,
                    verify_skipped: None,
                }
            })
        })
        .collect();
    Ok((runs, policy_errors))
}

/// What every table's journey shares: the client (and its pacers), the run's listing,
/// and the bounds on backups and prunes in flight.
struct Shared {
    dynamo: Dynamo,
    at: crate::targets::Place,
    listing: Option<Arc<RunListing>>,
    backups: Semaphore,
    prunes: Semaphore,
    /// Restore drills in flight (each is a table restore).
    drills: Semaphore,
    ctx: Ctx,
    progress: Arc<Progress>,
    drill: Arc<DrillPlan>,
}

/// When drills are due: the last passed drill per table (from the metrics file) and this
/// run's drill options.
pub struct DrillPlan {
    pub last: std::collections::BTreeMap<String, f64>,
    pub options: crate::commands::verify::Options,
}

/// Drills at once per target within a run.
const RUN_DRILL_CONCURRENCY: usize = 2;

/// The fleet's one progress bar (on a terminal), with a count per phase.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    backed_up: AtomicUsize,
    pruned: AtomicUsize,
}

impl Progress {
    fn step(&self, phase: &AtomicUsize, table_done: bool) {
        phase.fetch_add(1, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "tables: backed up {}, pruned {}, done",
                self.backed_up.load(Ordering::Relaxed),
                self.pruned.load(Ordering::Relaxed)
            ));
            if table_done {
                bar.inc(1);
            }
        }
    }
}

impl Job {
    fn needs_listing(&self) -> bool {
        self.prune.is_some() || self.backup.skip_if_recent.is_some() || self.verify_every.is_some()
    }
}

/// One table's whole run: (its listing, for skip-if-recent) → its backup → (waiting for
/// it) → its listing → plan → deletions. A table is pruned only after its backup
/// succeeded. Tables do not wait for each other: a table's deletions start as soon as its
/// own backup and listing are done.
///
/// Every stage is boxed: a task is as large as its largest state, and thousands of
/// journeys wait at once (for a permit, or for the listing); boxed, a waiting journey holds
/// a pointer instead of room for an SDK call it has not started.
async fn journey(s: &Shared, job: &Job, table: String, conflict: Option<String>) -> TableRun {
    let (d, ctx) = (&s.dynamo, &s.ctx);
    let mut listed = match (&s.listing, &job.backup.skip_if_recent) {
        (Some(l), Some(_)) if conflict.is_none() => Some(Box::pin(l.backups_of(&table)).await),
        _ => None,
    };
    let mut b = {
        let _permit = s.backups.acquire().await;
        let started = Instant::now();
        let mut b = Box::pin(backup::one_table(
            d,
            &table,
            &job.backup,
            listed.as_ref(),
            ctx,
        ))
        .await;
        b.duration_seconds = backup::seconds(started);
        b
    };
    backup::log_result(&b);
    s.progress.step(&s.progress.backed_up, false);
    if job.backup.wait && !job.backup.dry_run {
        Box::pin(backup::wait_available(
            d,
            std::slice::from_mut(&mut b),
            &job.backup.timeout,
            ctx,
        ))
        .await;
    }
    let skipped = if let Some(c) = &conflict {
        Some(format!("not pruned: {c}"))
    } else if job.prune.is_none() {
        Some("the policy has no retention rules".to_string())
    } else if !b.outcome.is_ok() {
        Some(format!(
            "not pruned: this run's backup did not succeed ({})",
            b.outcome.as_str()
        ))
    } else {
        None
    };
    // A drill restores the newest backup made by ddb-backup before this run's own (which
    // may still be CREATING): taken from the table's listing before the prune uses it.
    if job.verify_every.is_some() && conflict.is_none() && listed.is_none() {
        if let Some(l) = &s.listing {
            listed = Some(Box::pin(l.backups_of(&table)).await);
        }
    }
    let drill_source: Option<Result<Option<crate::model::Backup>, String>> =
        job.verify_every.as_ref().map(|_| match &listed {
            Some(Ok(list)) => Ok(crate::commands::verify::newest_managed(
                list,
                &job.backup.template,
                &table,
            )),
            Some(Err(e)) => Err(e.message.clone()),
            None => Err("the table's backups could not be listed".into()),
        });
    let mut run = TableRun {
        table: b.table.clone(),
        policy: job.policy.clone(),
        ok: b.outcome.is_ok() && conflict.is_none(),
        backup: b,
        prune: None,
        prune_skipped: skipped,
        conflict,
        verify: None,
        verify_skipped: None,
    };
    if let (None, Some(opts), Some(listing)) = (&run.prune_skipped, &job.prune, &s.listing) {
        let listed = match listed.take() {
            Some(l) => l,
            None => Box::pin(listing.backups_of(&table)).await,
        };
        let _permit = s.prunes.acquire().await;
        let started = Instant::now();
        let new_backup = run.backup.as_backup(job.backup.wait);
        let mut p = Box::pin(prune::prune_listed(
            d,
            &table,
            listed,
            new_backup.as_ref(),
            opts,
            ctx,
        ))
        .await;
        p.duration_seconds = backup::seconds(started);
        run.ok = run.ok && p.status == "ok";
        run.prune = Some(p);
        s.progress.step(&s.progress.pruned, true);
    } else if let Some(bar) = &s.progress.bar {
        bar.inc(1);
    }
    if let (Some(every), Some(source)) = (&job.verify_every, drill_source) {
        Box::pin(drill_if_due(s, &mut run, every, source)).await;
    }
    run
}

/// The table's restore drill when one is due (its last passed drill, from the metrics
/// file, is older than `every`); the result, or why none was made, goes in the table's run.
async fn drill_if_due(
    s: &Shared,
    run: &mut TableRun,
    every: &Span,
    source: Result<Option<crate::model::Backup>, String>,
) {
    use crate::commands::verify;
    if run.conflict.is_some() {
        run.verify_skipped = Some("not drilled: two policies claim the table".into());
        return;
    }
    let label = verify::labels(&s.at, &run.table);
    let now = Utc::now().timestamp() as f64;
    if let Some(last) = s.drill.last.get(&label) {
        let age = chrono::Duration::seconds((now - last).max(0.0) as i64);
        if age < every.chrono() {
            run.verify_skipped = Some(format!(
                "not due: the last drill passed {} ago (every {every})",
                crate::timeparse::format_age(age)
            ));
            return;
        }
    }
    let backup = match source {
        Ok(Some(b)) => b,
        Ok(None) => {
            run.verify_skipped =
                Some("due, but no AVAILABLE backup made by ddb-backup to drill yet".into());
            return;
        }
        Err(e) => {
            let mut d = verify::Drill::failed(&run.table, e);
            d.outcome = "error";
            run.ok = false;
            run.verify = Some(d);
            return;
        }
    };
    let _permit = s.drills.acquire().await;
    let d = verify::drill(
        &s.dynamo,
        &run.table,
        verify::Source::Listed(backup),
        &s.drill.options,
        &s.ctx,
    )
    .await;
    run.ok = run.ok && d.ok();
    run.verify = Some(d);
}

fn build_report(
    mut reached: Vec<Reached<TargetRun>>,
    args: &RunArgs,
    ctx: &Ctx,
    duration: f64,
) -> RunReport {
    let per_target = targets::summaries(&reached, |(t, e)| {
        let failed = t.iter().filter(|r| !r.ok).count();
        (t.len(), t.len() - failed, failed + e.len())
    });
    let tables = targets::placed(&mut reached, |(t, _)| std::mem::take(t));
    let policy_errors = targets::placed(&mut reached, |(_, e)| std::mem::take(e));
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
            deletions_unknown: tables
                .iter()
                .filter_map(|t| t.prune.as_ref())
                .map(|p| p.delete_unknown)
                .sum(),
            would_create: tables
                .iter()
                .filter(|t| t.backup.outcome == backup::Outcome::WouldCreate)
                .count(),
            would_delete: if args.dry_run {
                tables
                    .iter()
                    .filter_map(|t| t.prune.as_ref())
                    .map(|p| p.to_delete)
                    .sum()
            } else {
                0
            },
            interrupted: ctx.stop.requested(),
            duration_seconds: to_ms(duration),
            targets: per_target,
        },
        tables,
        policy_errors,
    }
}

pub fn exit_for(r: &RunReport) -> Exit {
    targets::fleet_exit(
        &r.summary.targets,
        r.summary.succeeded,
        r.summary.failed + r.summary.policy_errors,
        r.summary.interrupted,
    )
}

fn print(r: &RunReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "tables")?;
        return Ok(());
    }
    let mut t = ctx.out.table(&[
        "Account",
        "Region",
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
        let drill = x.verify.as_ref().map(|d| match &d.detail {
            Some(why) => format!("drill {}: {why}", d.outcome),
            None => format!("drill {}", d.outcome),
        });
        let detail = [
            x.backup.detail.clone(),
            x.prune.as_ref().and_then(|p| p.error.clone()),
            x.prune_skipped.clone(),
            drill,
            x.verify_skipped.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        t.add_row(vec![
            x.at.account.clone(),
            x.at.region.clone(),
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
        text.push_str(&format!(
            "policy '{}' failed in {}: {}\n",
            e.policy, e.at, e.error
        ));
    }
    let s = &r.summary;
    let (made, gone, verbs) = if r.dry_run {
        (
            s.would_create,
            s.would_delete,
            ("would be created", "would be deleted (dry run)"),
        )
    } else {
        (s.backups_created, s.backups_deleted, ("created", "deleted"))
    };
    text.push_str(&format!(
        "{} table(s): {} ok, {} failed, {} policy error(s); {made} backup(s) {}, {gone} {}{} in {:.1}s{}",
        s.tables,
        s.succeeded,
        s.failed,
        s.policy_errors,
        verbs.0,
        verbs.1,
        if s.deletions_unknown > 0 {
            format!(
                ", {} deletion(s) of unknown outcome (stopped in flight)",
                s.deletions_unknown
            )
        } else {
            String::new()
        },
        s.duration_seconds,
        if s.interrupted { " (interrupted)" } else { "" }
    ));
    text.push_str(&targets::summary_lines(&s.targets));
    ctx.out.text(&text)?;
    Ok(())
}

const LAST_SUCCESS: &str = "ddb_backup_table_last_success_timestamp_seconds";

/// Writes the Prometheus textfile-collector metrics. A table that failed this time keeps
/// the last-success timestamp of the previous file, so an alert on its age keeps working.
/// The last-success series of tables this run did not cover are dropped (a table removed
/// from the config stops being reported), unless `keep_others`: a run narrowed to some of
/// the config's tables, or one that failed before it knew its tables, keeps them all.
fn write_metrics(
    path: &Path,
    r: Option<&RunReport>,
    duration: f64,
    keep_others: bool,
) -> Result<()> {
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
    let labels = |t: &Placed<TableRun>| {
        format!(
            "{{account=\"{}\",region=\"{}\",table=\"{}\",policy=\"{}\"}}",
            escape(&t.at.account),
            escape(&t.at.region),
            escape(&t.table),
            escape(&t.policy)
        )
    };
    if !keep_others {
        let covered: std::collections::BTreeSet<String> = tables.iter().map(labels).collect();
        last_success.retain(|l, _| covered.contains(l));
    }
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
    // One series per account and region (two targets refused for reaching the same one
    // fail both: one series, failed).
    // Restore drills: their series, when this run made drills or earlier runs did.
    let drills: Vec<Placed<crate::commands::verify::Drill>> = tables
        .iter()
        .filter_map(|t| t.verify.clone().map(|d| Placed::new(&t.at, d)))
        .collect();
    let verify_metrics = (!drills.is_empty()
        || !crate::commands::verify::last_successes(&previous).is_empty())
    .then(|| {
        let refs: Vec<&Placed<crate::commands::verify::Drill>> = drills.iter().collect();
        crate::commands::verify::metrics_text(&previous, &refs)
    });
    // A run narrowed to some targets keeps the others' series (a broken target stays
    // alerting until a run covers it again).
    const TARGET_FAILURE: &str = "ddb_backup_target_failure";
    let mut per_target: BTreeMap<String, f64> = if keep_others {
        previous
            .lines()
            .filter_map(|l| l.strip_prefix(TARGET_FAILURE))
            .filter_map(|rest| {
                let (labels, value) = rest.rsplit_once(' ')?;
                Some((labels.to_string(), value.trim().parse::<f64>().ok()?))
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut seen_now = std::collections::BTreeSet::new();
    for t in r.map(|r| r.summary.targets.as_slice()).unwrap_or_default() {
        let labels = format!(
            "{{account=\"{}\",region=\"{}\"}}",
            escape(&t.account),
            escape(&t.region)
        );
        let failed = if t.error.is_some() { 1.0 } else { 0.0 };
        // This run's value replaces the previous one; two targets of one place: the worst.
        let v = per_target.entry(labels.clone()).or_insert(0.0);
        if seen_now.insert(labels) {
            *v = failed;
        } else {
            *v = f64::max(*v, failed);
        }
    }
    gauge(
        TARGET_FAILURE,
        "1 if the last run could not work in the target (account and region) at all, 0 otherwise.",
        per_target.into_iter().collect(),
    );
    if let Some(v) = verify_metrics {
        m.push_str(&v);
    }
    write_file_atomic(path, m.as_bytes())
        .with_context(|| format!("cannot write metrics to {}", path.display()))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
