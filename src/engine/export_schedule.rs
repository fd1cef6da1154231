//! `[policy.export]` in a run: a table is exported when its newest export (known from the
//! manifests in S3) is older than `every`, then its exports are pruned by the section's
//! own retention.

use serde::Serialize;

use crate::aws::Dynamo;
use crate::config::PolicyConfig;
use crate::engine::archive::{self, Location};
use crate::engine::export::{self, ExportOptions, TableExport};
use crate::engine::export_prune;
use crate::engine::prune::{PruneOptions, TablePrune};
use crate::engine::Ctx;
use crate::error::{quoted, UsageError};
use crate::names::NameTemplate;
use crate::timeparse::{format_age, Span};

/// A policy's exports.
#[derive(Debug, Clone)]
pub struct ScheduledExport {
    pub opts: ExportOptions,
    pub every: Span,
    pub prune: Option<PruneOptions>,
}

/// What a run did about a table's exports.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRun {
    pub export: Option<TableExport>,
    /// Why no export was made (not due, a dry run).
    pub skipped: Option<String>,
    pub prune: Option<TablePrune>,
    pub ok: bool,
}

/// The policy's `[policy.export]`, checked (no AWS call).
pub fn from_config(
    p: &PolicyConfig,
    template: &NameTemplate,
    dry_run: bool,
) -> Result<Option<ScheduledExport>, UsageError> {
    let Some(x) = &p.export else {
        return Ok(None);
    };
    let bad = |e: String| UsageError::new(format!("policy {} [export]: {e}", quoted(&p.name)));
    let archive = x.archive_opts().map_err(bad)?;
    let prune = match &x.retention {
        Some(r) => Some(
            PruneOptions::new(&r.keep_opts(), &r.rail_opts(), template.clone(), dry_run)
                .map_err(|e| bad(e.to_string()))?,
        ),
        None => None,
    };
    Ok(Some(ScheduledExport {
        opts: ExportOptions {
            loc: Location::from_opts(&archive, "[policy.export]")
                .map_err(|e| bad(e.to_string()))?,
            kms_key: x.sse_kms_key.clone(),
            incremental: x.incremental,
            wait: false,
            timeout: std::time::Duration::from_secs(3600),
        },
        every: x.every.clone(),
        prune,
    }))
}

/// The table's export when one is due, then the prune of its exports.
pub async fn if_due(
    d: &Dynamo,
    account: &str,
    table: &str,
    x: &ScheduledExport,
    dry_run: bool,
    ctx: &Ctx,
) -> ExportRun {
    let mut run = ExportRun {
        export: None,
        skipped: None,
        prune: None,
        ok: true,
    };
    let found = match archive::list_table(d, &x.opts.loc, account, table).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(table, "exports not listed: {}", e.message);
            run.ok = false;
            run.skipped = Some(format!("not exported: {}", e.message));
            return run;
        }
    };
    let now = d.service_now();
    let newest = found
        .iter()
        .find(|a| a.manifest.status != "FAILED")
        .map(|a| a.manifest.export_time);
    match newest {
        Some(t) if now - t < x.every.chrono() => {
            run.skipped = Some(format!(
                "not due: the newest export is {} old (every {})",
                format_age(now - t),
                x.every
            ));
        }
        _ if dry_run => run.skipped = Some("dry run: an export is due".into()),
        _ => {
            let e = export::export_table(d, account, table, &x.opts, ctx).await;
            if let Some(err) = e.error.as_ref().filter(|_| !e.ok()) {
                tracing::error!(table, "export failed: {err}");
            }
            run.ok = e.ok();
            run.export = Some(e);
        }
    }
    if let Some(p) = &x.prune {
        let r = export_prune::prune_table(d, &x.opts.loc, account, table, p, ctx).await;
        run.ok = run.ok && r.status == "ok";
        run.prune = Some(r);
    }
    run
}
