//! The report procedure: in every target, the selected tables (or a config's policies'),
//! one backup listing for all of them (the run's listing rules: an incomplete or
//! inconsistent listing is shown as such), each table's PITR state, and the pure evidence
//! (`crate::evidence`) computed from them. Changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::aws::listing::RunListing;
use crate::cli::{KeepOpts, RailOpts, TableSelection};
use crate::config::Config;
use crate::engine::prune::PruneOptions;
use crate::engine::targets::{Reached, Target};
use crate::engine::{fleet, Ctx};
use crate::error::{quoted, AwsError, UsageError};
use crate::evidence::{self, prices, Drill, Exports, Pitr, Report, Rules, TableEvidence};
use crate::exit::Exit;
use crate::model::{Backup, PitrWindow};
use crate::names::{self, NameTemplate};
use crate::retention::{Policy, Scope};
use crate::targets::Place;

/// How a table is judged: its policy's name, its template, and (with retention) the plan
/// options whose effect to show.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy: String,
    pub template: NameTemplate,
    pub prune: Option<PruneOptions>,
    /// The policy's archive tier (`[policy.export]`): where its exports are.
    pub export: Option<crate::engine::archive::Location>,
}

/// Everything the report needs besides the tables.
#[derive(Debug, Clone)]
pub struct Options {
    /// One per config policy (in its order), or the command line's one.
    pub assessments: Vec<Assessment>,
    pub rules: Rules,
    /// The days of the continuity, and the report's dates.
    pub timezone: Tz,
    pub price_override: Option<f64>,
    /// The last drill per table (by its metrics labels), when a metrics file is given.
    pub drills: Option<BTreeMap<String, Drill>>,
}

/// Tables evaluated at once in a target (each a listing share and a PITR read).
const CONCURRENCY: usize = 32;

/// The assessments of a config's policies (or of the command line): keep flags given on
/// the command line replace every policy's retention (the policy whose effect to show).
pub fn assessments(
    config: Option<&Config>,
    keep: &KeepOpts,
    rails: &RailOpts,
    template: Option<&NameTemplate>,
) -> Result<Vec<Assessment>, UsageError> {
    let cli = Policy::from(keep);
    let prune = |k: &KeepOpts, r: &RailOpts, t: &NameTemplate| -> Result<_, UsageError> {
        if Policy::from(k).is_empty() {
            return Ok(None);
        }
        PruneOptions::new(k, r, t.clone(), true).map(Some)
    };
    let Some(config) = config else {
        let t = template.cloned().unwrap_or_default();
        return Ok(vec![Assessment {
            policy: "command-line".into(),
            prune: prune(keep, rails, &t)?,
            template: t,
            export: None,
        }]);
    };
    let d = &config.defaults;
    config
        .policies
        .iter()
        .map(|p| {
            let t = template
                .cloned()
                .or_else(|| p.backup.name.clone())
                .or_else(|| d.name.clone())
                .unwrap_or_default();
            let keep = match &p.retention {
                _ if !cli.is_empty() => keep.clone(),
                Some(r) => r.keep_opts(),
                None => KeepOpts::default(),
            };
            let own = p
                .retention
                .as_ref()
                .map(|r| r.rail_opts())
                .unwrap_or_default();
            let rails = RailOpts {
                min_keep: rails.min_keep.or(own.min_keep),
                require_recent: rails.require_recent.clone().or(own.require_recent),
                max_delete: rails.max_delete.or(own.max_delete),
                include_unmanaged: rails.include_unmanaged || own.include_unmanaged,
                timezone: rails.timezone.or(own.timezone).or(d.timezone),
            };
            let export = match &p.export {
                Some(x) => Some(
                    x.archive_opts()
                        .map_err(UsageError::new)
                        .and_then(|o| {
                            crate::engine::archive::Location::from_opts(&o, "[policy.export]")
                        })
                        .map_err(|e| UsageError::new(format!("policy {}: {e}", quoted(&p.name))))?,
                ),
                None => None,
            };
            Ok(Assessment {
                policy: p.name.clone(),
                prune: prune(&keep, &rails, &t)
                    .map_err(|e| UsageError::new(format!("policy {}: {e}", quoted(&p.name))))?,
                template: t,
                export,
            })
        })
        .collect()
}

/// Reads the metrics file's drills; a file that cannot be read is a usage error (nothing
/// was sent yet).
pub fn read_drills(path: &std::path::Path) -> Result<BTreeMap<String, Drill>, UsageError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError::new(format!(
            "cannot read the metrics file {}: {e}; give the file `run --metrics-file` or \
             `verify --metrics-file` writes",
            path.display()
        ))
    })?;
    Ok(crate::engine::metrics::drill_records(&text))
}

/// One target's tables: its one listing, each table's PITR, the evidence.
pub async fn in_target(
    t: &Target,
    sel: &TableSelection,
    config: Option<&Config>,
    opts: &Options,
    ctx: &Ctx,
) -> Result<Vec<TableEvidence>> {
    let dynamo = &t.dynamo;
    let (entries, in_region, existing): (Vec<(String, usize, Option<String>)>, _, _) = match config
    {
        Some(c) => {
            let f = fleet::resolve(c, sel, t).await?;
            for e in &f.errors {
                tracing::error!(policy = %e.policy, "{}", e.error);
            }
            let entries = f
                .assigned
                .into_iter()
                .map(|a| (a.table, a.policy, a.conflict))
                .collect();
            (entries, f.in_region, f.existing)
        }
        None => {
            let Some(sel) = crate::select::for_target(sel, &t.at) else {
                return Ok(Vec::new());
            };
            let s = crate::select::resolve(&sel, dynamo).await?;
            let entries = s.tables.into_iter().map(|t| (t, 0, None)).collect();
            (entries, s.in_region, s.existing)
        }
    };
    let listing = RunListing::start(dynamo, entries.len(), in_region, existing).await;
    let bar = ctx.progress(entries.len() as u64, "tables reported");
    let sem = Arc::new(Semaphore::new(CONCURRENCY));
    let opts = Arc::new(opts.clone());
    let mut tasks = JoinSet::new();
    for (i, (table, policy, conflict)) in entries.into_iter().enumerate() {
        let (d, l, s, o, at) = (
            dynamo.clone(),
            listing.clone(),
            sem.clone(),
            opts.clone(),
            t.at.clone(),
        );
        let bar = bar.clone();
        tasks.spawn(
            async move {
                let _permit = s.acquire_owned().await;
                let (listed, pitr) = tokio::join!(
                    Box::pin(l.backups_of(&table)),
                    Box::pin(d.pitr_window(&table))
                );
                let now = d.service_now();
                let a = &o.assessments[policy];
                let mut e = evaluate(&at, &table, a, listed, pitr, &o, now);
                if let Some(loc) = &a.export {
                    e.exports = exports_of(&d, loc, &at.account, &e.table).await;
                }
                if let Some(c) = conflict {
                    e.failing.push(format!("conflict: {c}"));
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
                (i, e)
            }
            .in_current_span(),
        );
    }
    let rows = crate::engine::join_in_order(tasks).await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(rows)
}

/// A table's exports, from their manifests (the archive tier's listing rules).
async fn exports_of(
    d: &crate::aws::Dynamo,
    loc: &crate::engine::archive::Location,
    account: &str,
    table: &str,
) -> Exports {
    match crate::engine::archive::list_table(d, loc, account, table).await {
        Ok(found) => Exports {
            configured: true,
            count: Some(found.len()),
            newest: found.iter().map(|a| a.manifest.export_time).max(),
            stored_bytes: Some(found.iter().map(|a| a.stored_bytes).sum()),
            error: None,
        },
        Err(e) => Exports {
            configured: true,
            error: Some(e.message),
            ..Exports::default()
        },
    }
}

/// One table's evidence from its listing and PITR answer.
pub fn evaluate(
    at: &Place,
    table: &str,
    a: &Assessment,
    listed: Result<Vec<Backup>, AwsError>,
    pitr: Result<PitrWindow, AwsError>,
    opts: &Options,
    now: DateTime<Utc>,
) -> TableEvidence {
    let name = crate::ids::table_name(table).to_string();
    let drill = opts.drills.as_ref().map(|m| {
        m.get(&crate::engine::drill::labels(at, &name))
            .cloned()
            .unwrap_or_default()
    });
    let pitr = Some(match pitr {
        Ok(w) => Pitr {
            enabled: w.enabled,
            recovery_period_days: w.recovery_period_in_days.filter(|_| w.enabled),
            earliest_restorable: w.earliest,
            latest_restorable: w.latest,
            error: None,
        },
        Err(e) => Pitr {
            enabled: false,
            recovery_period_days: None,
            earliest_restorable: None,
            latest_restorable: None,
            error: Some(e.message),
        },
    });
    let mut e = TableEvidence {
        account: at.account.clone(),
        region: at.region.clone(),
        table: name.clone(),
        policy: a.policy.clone(),
        status: "ok",
        error: None,
        held: None,
        plan: None,
        continuity: None,
        pitr,
        drill,
        exports: Exports::default(),
        failing: Vec::new(),
    };
    let backups = match listed {
        Ok(b) => b,
        Err(err) => {
            tracing::error!(table = %name, "{}", err.message);
            e.status = "incomplete";
            e.error = Some(format!(
                "the backup listing is incomplete, so nothing is known of this table's \
                 backups: {}",
                err.message
            ));
            return e;
        }
    };
    let price = prices::backup_price(&at.region, opts.price_override);
    let is_managed = |b: &Backup| names::is_managed(&a.template, &name, b);
    e.held = Some(evidence::held(&backups, &is_managed, price));
    if let Some(p) = &a.prune {
        let scope = Scope {
            is_managed: &is_managed,
            include_unmanaged: p.include_unmanaged,
        };
        let plan = crate::retention::plan(
            &name, &backups, &p.policy, &p.rails, &scope, now, p.timezone,
        );
        e.plan = Some(evidence::plan_summary(&plan, p.policy.describe(), price));
    }
    let tz = opts.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let c = evidence::continuity(
        &evidence::days_of(&backups, tz),
        today,
        evidence::WINDOW_DAYS,
    );
    e.failing = evidence::failing(&backups, &is_managed, &opts.rules, c.streak_days, now);
    e.continuity = Some(c);
    e
}

/// The report from every target's tables.
pub fn build_report(
    mut reached: Vec<Reached<Vec<TableEvidence>>>,
    opts: &Options,
    ctx: &Ctx,
) -> Report {
    let mut tables: Vec<TableEvidence> = Vec::new();
    let mut spans = Vec::new();
    for r in reached.iter_mut() {
        let start = tables.len();
        if let Ok(rows) = r.result.as_mut() {
            tables.append(rows);
        }
        spans.push(start..tables.len());
    }
    let parts: Vec<evidence::TargetPart<'_>> = reached
        .iter()
        .zip(&spans)
        .map(|(r, span)| evidence::TargetPart {
            target: r.spec.name.clone(),
            account: r.at.account.clone(),
            region: r.at.region.clone(),
            tables: &tables[span.clone()],
            error: r.result.as_ref().err().map(|e| format!("{e:#}")),
        })
        .collect();
    let summary = evidence::summarize(&tables, &parts, ctx.stop.requested());
    let mut regions: Vec<String> = reached.iter().map(|r| r.at.region.clone()).collect();
    regions.sort();
    regions.dedup();
    Report {
        command: "report",
        generated_at: ctx.now,
        version: env!("CARGO_PKG_VERSION"),
        timezone: opts.timezone.name().to_string(),
        rules: opts.rules.clone(),
        prices: evidence::PriceInfo {
            as_of: prices::PRICES_AS_OF,
            source: prices::PRICES_SOURCE,
            override_per_gb_month: opts.price_override,
            regions: regions
                .into_iter()
                .map(|r| evidence::RegionPrice {
                    backup_per_gb_month: prices::backup_price(&r, opts.price_override),
                    pitr_per_gb_month: prices::listed(&r).map(|p| p.pitr),
                    region: r,
                })
                .collect(),
        },
        storage_note: evidence::STORAGE_NOTE,
        tables,
        summary,
    }
}

/// 0 when every table and target was reported; 3 when some could not be (an incomplete
/// listing, an unreachable target), 1 when none could; 130 when stopped. A table that
/// breaks a rule is evidence, not a failure of the report.
pub fn exit_for(r: &Report) -> Exit {
    if r.summary.interrupted {
        return Exit::Interrupted;
    }
    let failed_targets = r
        .summary
        .targets
        .iter()
        .filter(|t| t.error.is_some())
        .count();
    let incomplete = r.summary.incomplete;
    Exit::from_counts(r.summary.tables - incomplete, incomplete + failed_targets)
}
