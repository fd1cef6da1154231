//! A table's journey in a run, and the run across targets: back up every selected table, then prune each one
//! whose backup succeeded (or was skipped because a fresh one exists) by its own policy.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::listing::{learn_region, RunListing};
use crate::aws::Dynamo;
use crate::cli::{KeepOpts, RailOpts, RunArgs, TableSelection};
use crate::config::Config;
use crate::engine::backup::{self, to_ms, TableReport};
use crate::engine::fleet::{self, PolicyError};
use crate::engine::prune::{self, PruneOptions, TablePrune};
use crate::engine::targets::{self, Reached, Target};
use crate::engine::Ctx;
use crate::error::{quoted, UsageError};
use crate::exit::Exit;
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
    /// `[policy.export]`: an export to S3 when the newest one is older than its `every`.
    pub export: Option<crate::engine::export_schedule::ScheduledExport>,
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
    pub verify: Option<crate::engine::drill::Drill>,
    /// Why no drill was made for a policy with `[policy.verify]`.
    pub verify_skipped: Option<String>,
    /// The export to S3 and the prune of the exports (a policy with `[policy.export]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<crate::engine::export_schedule::ExportRun>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub tables: usize,
    /// Tables of the targets that no policy covers (see `coverage`).
    pub uncovered: usize,
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
    /// The bytes the deletions freed (a dry run: would free).
    pub freed_bytes: i64,
    /// Their monthly storage cost; `null` when a region's price is unknown.
    pub freed_monthly_cost_usd: Option<f64>,
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
    /// Per target of a config run over all its policies: the tables no policy covers.
    pub coverage: Vec<Placed<fleet::Coverage>>,
    pub summary: RunSummary,
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
            export: None,
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
                    .map_err(|e| UsageError::new(format!("policy {}: {e}", quoted(&p.name))))?,
            ),
            None => None,
        };
        let export = crate::engine::export_schedule::from_config(p, &template, args.dry_run)?;
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
            export,
        });
        if p.verify.is_some() && args.sched.metrics_file.is_none() {
            return Err(UsageError::new(format!(
                "policy {} has [policy.verify]: give --metrics-file, where the last drill of \
                 each table is remembered (without it, every run would be a drill)",
                quoted(&p.name)
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

/// What one target's run produced: its tables, and the policies that failed there.
/// A target's tables, its policy errors, and (a config run over all its policies) the
/// tables no policy covers.
type TargetRun = (Vec<TableRun>, Vec<PolicyError>, Option<fleet::Coverage>);

/// Runs every target side by side (each resolves its tables, then runs every table's
/// journey). With one target, its failure is the run's error.
pub async fn execute(
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
    let (entries, policy_errors, in_region, existing, coverage): (
        Vec<(usize, String, Option<String>)>,
        _,
        _,
        _,
        _,
    ) = match config {
        Some(c) => {
            let mut f = fleet::resolve(c, narrowing, t).await?;
            let entries: Vec<_> = f
                .assigned
                .iter()
                .map(|a| (a.policy, a.table.clone(), a.conflict.clone()))
                .collect();
            // Coverage is the config's as a whole: not known for a narrowed run. When the
            // backup listing learns the region's tables, they answer coverage too.
            let coverage = if narrowing.is_empty() {
                let n = listed(jobs, &entries);
                learn_region(&t.dynamo, n, &mut f.in_region, &mut f.existing).await;
                match fleet::uncovered(&f, t).await {
                    Ok(uncovered) => Some(fleet::Coverage { uncovered }),
                    Err(e) => {
                        tracing::warn!("the tables no policy covers are not known: {e:#}");
                        None
                    }
                }
            } else {
                None
            };
            (entries, f.errors, f.in_region, f.existing, coverage)
        }
        None => {
            let Some(sel) = crate::select::for_target(&jobs[0].selection, &t.at) else {
                return Ok((Vec::new(), Vec::new(), None));
            };
            let s = crate::select::resolve(&sel, &dynamo).await?;
            let entries = s.tables.into_iter().map(|t| (0, t, None)).collect();
            (entries, Vec::new(), s.in_region, s.existing, None)
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
    let listing = match listed(jobs, &entries) {
        0 => None,
        n => Some(RunListing::start(&dynamo, n, in_region, existing).await),
    };
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
                    export: None,
                }
            })
        })
        .collect();
    Ok((runs, policy_errors, coverage))
}

/// How many of the run's tables (job, table, conflict) need the run's one listing: those
/// whose job has skip-if-recent or a prune, and no conflict.
fn listed(jobs: &[Job], entries: &[(usize, String, Option<String>)]) -> usize {
    entries
        .iter()
        .filter(|(j, _, conflict)| jobs[*j].needs_listing() && conflict.is_none())
        .count()
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
    pub options: crate::engine::drill::Options,
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
            Some(Ok(list)) => Ok(crate::engine::drill::newest_managed(
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
        export: None,
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
    if let (Some(x), None) = (&job.export, &run.conflict) {
        let e = Box::pin(crate::engine::export_schedule::if_due(
            d,
            &s.at.account,
            &run.table,
            x,
            job.backup.dry_run,
            ctx,
        ))
        .await;
        run.ok = run.ok && e.ok;
        run.export = Some(e);
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
    if run.conflict.is_some() {
        run.verify_skipped = Some("not drilled: two policies claim the table".into());
        return;
    }
    let label = crate::engine::drill::labels(&s.at, &run.table);
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
            let mut d = crate::engine::drill::Drill::failed(&run.table, e);
            d.outcome = "error";
            run.ok = false;
            run.verify = Some(d);
            return;
        }
    };
    let _permit = s.drills.acquire().await;
    let d = crate::engine::drill::drill(
        &s.dynamo,
        &run.table,
        crate::engine::drill::Source::Listed(backup),
        &s.drill.options,
        &s.ctx,
    )
    .await;
    run.ok = run.ok && d.ok();
    run.verify = Some(d);
}

pub fn build_report(
    mut reached: Vec<Reached<TargetRun>>,
    args: &RunArgs,
    ctx: &Ctx,
    duration: f64,
) -> RunReport {
    let per_target = targets::summaries(&reached, |(t, e, _)| {
        let failed = t.iter().filter(|r| !r.ok).count();
        (t.len(), t.len() - failed, failed + e.len())
    });
    let tables = targets::placed(&mut reached, |(t, _, _)| std::mem::take(t));
    let policy_errors = targets::placed(&mut reached, |(_, e, _)| std::mem::take(e));
    let coverage = targets::placed(&mut reached, |(_, _, c)| c.take().into_iter().collect());
    let uncovered = coverage.iter().map(|c| c.uncovered.len()).sum();
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
            uncovered,
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
            freed_bytes: tables
                .iter()
                .filter_map(|t| t.prune.as_ref())
                .map(|p| p.freed_bytes)
                .sum(),
            freed_monthly_cost_usd: prune::freed_cost(
                tables.iter().filter_map(|t| t.prune.as_ref()),
            ),
            interrupted: ctx.stop.requested(),
            duration_seconds: to_ms(duration),
            targets: per_target,
        },
        tables,
        policy_errors,
        coverage,
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
