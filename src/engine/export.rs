//! Exports to S3: for each selected table, check point-in-time recovery, list its exports
//! (which also proves the bucket is there and usable), request a full export or the
//! incremental chain since the newest one, wait when asked, and write ddb-backup's
//! manifest last.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::exports::{ExportKind, ExportRequest, ExportState, TableShape};
use crate::aws::Dynamo;
use crate::cli::TableSelection;
use crate::engine::archive::{self, Base, Location, Manifest, FULL, INCREMENTAL};
use crate::engine::record;
use crate::engine::targets::{self, Reached, Target, TargetSummary};
use crate::engine::Ctx;
use crate::error::{AwsError, AwsErrorKind};
use crate::exit::Exit;
use crate::select;
use crate::targets::Placed;

/// DynamoDB's bounds of one incremental export's window.
pub const MIN_WINDOW: chrono::Duration = chrono::Duration::minutes(15);
pub const MAX_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// Tables exported at the same time.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub loc: Location,
    pub kms_key: Option<String>,
    pub incremental: bool,
    pub wait: bool,
    pub timeout: Duration,
}

/// One export made.
#[derive(Debug, Clone, Serialize)]
pub struct Made {
    pub export_type: String,
    pub export_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_from_time: Option<DateTime<Utc>>,
    pub export_arn: String,
    pub status: String,
    pub manifest: String,
    pub item_count: Option<i64>,
    pub billed_size_bytes: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableExport {
    pub table: String,
    /// `completed`, `started` (not waited for), `in_progress` (--wait timed out),
    /// `skipped` (an incremental export with less than 15 minutes of changes), `failed`.
    pub status: &'static str,
    pub error: Option<String>,
    /// Why a full export was made when --incremental was asked, or why none was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub exports: Vec<Made>,
}

impl TableExport {
    fn failed(table: &str, e: impl Into<String>) -> TableExport {
        TableExport {
            table: table.to_string(),
            status: "failed",
            error: Some(e.into()),
            note: None,
            exports: Vec::new(),
        }
    }

    pub fn ok(&self) -> bool {
        matches!(self.status, "completed" | "started" | "skipped")
    }
}

/// The message for a table without point-in-time recovery.
pub fn pitr_off(table: &str) -> String {
    format!(
        "point-in-time recovery is off on table '{table}': exports need it; turn it on with \
         UpdateContinuousBackups (aws dynamodb update-continuous-backups --table-name {table} \
         --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true), then export"
    )
}

/// One target's exports.
pub async fn in_target(
    t: &Target,
    sel: &TableSelection,
    opts: &ExportOptions,
    ctx: &Ctx,
) -> anyhow::Result<Vec<TableExport>> {
    let Some(sel) = select::for_target(sel, &t.at) else {
        return Ok(Vec::new());
    };
    let selected = select::resolve(&sel, &t.dynamo).await?;
    let account = t.at.account.clone();
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let mut set = JoinSet::new();
    for (i, table) in selected.tables.into_iter().enumerate() {
        let (d, o, a, g, c) = (
            t.dynamo.clone(),
            opts.clone(),
            account.clone(),
            gate.clone(),
            ctx.clone(),
        );
        set.spawn(async move {
            let _permit = g.acquire_owned().await;
            let name = crate::ids::table_name(&table).to_string();
            (i, export_table(&d, &a, &name, &o, &c).await)
        });
    }
    let mut rows = Vec::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(row) => rows.push(row),
            Err(e) => rows.push((usize::MAX, TableExport::failed("?", format!("{e}")))),
        }
    }
    rows.sort_by_key(|(i, _)| *i);
    for (_, r) in &rows {
        if let Some(e) = r.error.as_ref().filter(|_| !r.ok()) {
            tracing::error!(table = %r.table, "export failed: {e}");
        } else if r.status == "in_progress" {
            tracing::error!(table = %r.table, "export still IN_PROGRESS after --timeout");
        }
        if let Some(n) = &r.note {
            tracing::warn!(table = %r.table, "{n}");
        }
    }
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub command: &'static str,
    pub bucket: String,
    pub prefix: String,
    pub tables: Vec<Placed<TableExport>>,
    pub summary: ExportSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Exports requested (an incremental chain counts each link).
    pub exports: usize,
    pub interrupted: bool,
    pub targets: Vec<TargetSummary>,
}

pub fn report(
    mut reached: Vec<Reached<Vec<TableExport>>>,
    o: &ExportOptions,
    ctx: &Ctx,
) -> ExportReport {
    let count = |rows: &Vec<TableExport>| {
        let failed = rows.iter().filter(|r| !r.ok()).count();
        (rows.len(), rows.len() - failed, failed)
    };
    let per_target = targets::summaries(&reached, count);
    let tables = targets::placed(&mut reached, std::mem::take);
    let failed = tables.iter().filter(|r| !r.ok()).count();
    ExportReport {
        command: "export",
        bucket: o.loc.bucket.name.clone(),
        prefix: o.loc.prefix.clone(),
        summary: ExportSummary {
            tables: tables.len(),
            succeeded: tables.len() - failed,
            failed,
            exports: tables.iter().map(|t| t.exports.len()).sum(),
            interrupted: ctx.stop.requested(),
            targets: per_target,
        },
        tables,
    }
}

pub fn exit_for(r: &ExportReport) -> Exit {
    targets::fleet_exit(
        &r.summary.targets,
        r.summary.succeeded,
        r.summary.failed,
        r.summary.interrupted,
    )
}

/// The windows of an incremental chain from `from` to `to`: equal parts of at most 24
/// hours (each at least 12 hours when there are several); none when the gap is under 15
/// minutes.
pub fn windows(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let gap = to - from;
    if gap < MIN_WINDOW {
        return Vec::new();
    }
    let ms = gap.num_milliseconds();
    let max = MAX_WINDOW.num_milliseconds();
    let n = (ms + max - 1) / max;
    (0..n)
        .map(|i| {
            let a = from + chrono::Duration::milliseconds(ms * i / n);
            let b = if i + 1 == n {
                to
            } else {
                from + chrono::Duration::milliseconds(ms * (i + 1) / n)
            };
            (a, b)
        })
        .collect()
}

/// Exports one table.
pub async fn export_table(
    d: &Dynamo,
    account: &str,
    table: &str,
    o: &ExportOptions,
    ctx: &Ctx,
) -> TableExport {
    if !crate::ids::is_account(account) {
        return TableExport::failed(
            table,
            "the account of these credentials is unknown (STS did not answer): the export \
             layout names it",
        );
    }
    let shape = match d.table_shape(table).await {
        Ok(Some(s)) => s,
        Ok(None) => return TableExport::failed(table, d.not_found(table, "").await),
        Err(e) => return TableExport::failed(table, e.message),
    };
    match d.pitr(table).await {
        Ok(p) if p.enabled => {}
        Ok(_) => return TableExport::failed(table, pitr_off(table)),
        Err(e) => return TableExport::failed(table, e.message),
    }
    let existing = match archive::list_table(d, &o.loc, account, table).await {
        Ok(e) => e,
        Err(e) => return TableExport::failed(table, e.message),
    };
    let settings = match record::read(d, table, &[]).await {
        Ok(r) => r,
        Err(e) => return TableExport::failed(table, e.message),
    };
    let Some(table_arn) = settings.as_ref().and_then(|r| r.table_arn.clone()) else {
        return TableExport::failed(table, format!("the ARN of table '{table}' is unknown"));
    };
    let now = d.service_now();
    let base = existing
        .iter()
        .find(|a| !matches!(a.manifest.status.as_str(), "FAILED"))
        .map(|a| &a.manifest);
    let mut out = TableExport {
        table: table.to_string(),
        status: "completed",
        error: None,
        note: None,
        exports: Vec::new(),
    };
    let links: Vec<(ExportKind, Option<Base>)> = match (o.incremental, base) {
        // An increment is built only on a finished base: one still running may yet fail,
        // and a chain on a failed base can never be imported.
        (true, Some(b)) if b.in_progress() => {
            out.status = "skipped";
            out.note = Some(format!(
                "the newest export ({}) is still in progress: an incremental export builds \
                 on it once it has completed",
                crate::output::time(b.export_time)
            ));
            return out;
        }
        (true, Some(b)) => {
            let w = windows(b.export_time, now);
            if w.is_empty() {
                out.status = "skipped";
                out.note = Some(format!(
                    "the newest export ({}) is only {} old: an incremental export needs at \
                     least 15 minutes of changes",
                    crate::output::time(b.export_time),
                    crate::timeparse::format_age(now - b.export_time)
                ));
                return out;
            }
            let mut prev = Base {
                prefix: b.prefix.clone(),
                export_type: b.export_type.clone(),
                export_time: b.export_time,
            };
            w.into_iter()
                .map(|(from, to)| {
                    let link = (ExportKind::Incremental { from, to }, Some(prev.clone()));
                    prev = Base {
                        prefix: o.loc.export_prefix(account, d.region(), table, to),
                        export_type: INCREMENTAL.into(),
                        export_time: to,
                    };
                    link
                })
                .collect()
        }
        (true, None) => {
            out.note =
                Some("no export of this table by ddb-backup yet: a full export is the base".into());
            vec![(ExportKind::Full, None)]
        }
        (false, _) => vec![(ExportKind::Full, None)],
    };
    let deadline = Instant::now() + o.timeout;
    for (kind, base) in links {
        let at = match kind {
            ExportKind::Full => now,
            ExportKind::Incremental { to, .. } => to,
        };
        let prefix = o.loc.export_prefix(account, d.region(), table, at);
        match one(
            d, &table_arn, &prefix, kind, base, &shape, &settings, o, ctx, deadline,
        )
        .await
        {
            Ok(m) => {
                if m.status == "IN_PROGRESS" {
                    out.status = if o.wait { "in_progress" } else { "started" };
                }
                let failed = m.status == "FAILED";
                out.exports.push(m);
                if failed {
                    out.status = "failed";
                    out.error = out
                        .exports
                        .last()
                        .map(|m| format!("export {} FAILED", m.export_arn));
                    break;
                }
            }
            Err(e) => {
                out.status = "failed";
                out.error = Some(e);
                break;
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn one(
    d: &Dynamo,
    table_arn: &str,
    prefix: &str,
    kind: ExportKind,
    base: Option<Base>,
    shape: &TableShape,
    settings: &Option<record::Record>,
    o: &ExportOptions,
    ctx: &Ctx,
    deadline: Instant,
) -> Result<Made, String> {
    let req = ExportRequest {
        table_arn,
        bucket: &o.loc.bucket,
        // DynamoDB's files go right under the export's prefix (…/TIME/AWSDynamoDB/<id>/).
        prefix: prefix.trim_end_matches('/'),
        kms_key: o.kms_key.as_deref(),
        kind,
    };
    let table = crate::ids::table_of_arn(table_arn).unwrap_or(table_arn);
    let mut st = d.export_table(&req).await.map_err(|e| match e.kind {
        AwsErrorKind::PointInTimeRecoveryUnavailable => pitr_off(table),
        _ => e.message,
    })?;
    if o.wait {
        st = wait(d, st, ctx, deadline).await.map_err(|e| e.message)?;
    }
    let (export_time, from) = match kind {
        ExportKind::Full => (st.export_time.unwrap_or_else(|| d.service_now()), None),
        ExportKind::Incremental { from, to } => (to, Some(from)),
    };
    let m = Manifest {
        format: archive::FORMAT,
        table: table.to_string(),
        table_arn: table_arn.to_string(),
        account: crate::ids::arn_place(table_arn)
            .map(|(a, _)| a.to_string())
            .unwrap_or_default(),
        region: d.region().to_string(),
        export_arn: st.arn.clone(),
        export_type: if from.is_some() { INCREMENTAL } else { FULL }.to_string(),
        export_time,
        export_from_time: from,
        base,
        status: st.status.clone(),
        failure: st.failure.clone(),
        item_count: st.item_count,
        billed_size_bytes: st.billed_size_bytes,
        prefix: prefix.to_string(),
        dynamodb_manifest: st.manifest_key.clone(),
        sse_kms_key: o.kms_key.clone(),
        shape: shape.clone(),
        settings: settings.clone(),
        written_at: Utc::now(),
    };
    if m.status == "FAILED" {
        return Err(format!(
            "export {} FAILED: {} (no manifest written)",
            st.arn,
            st.failure.unwrap_or_default()
        ));
    }
    archive::write(d, &o.loc, &m).await.map_err(|e| {
        format!(
            "export {} was made, but its manifest could not be written ({}): it is not one of \
             ddb-backup's exports until it is",
            st.arn, e.message
        )
    })?;
    Ok(Made {
        export_type: m.export_type.clone(),
        export_time: m.export_time,
        export_from_time: m.export_from_time,
        export_arn: m.export_arn.clone(),
        status: m.status.clone(),
        manifest: o.loc.url(&m.key()),
        item_count: m.item_count,
        billed_size_bytes: m.billed_size_bytes,
    })
}

/// Polls DescribeExport until the export is no longer IN_PROGRESS or the deadline passes.
pub async fn wait(
    d: &Dynamo,
    st: ExportState,
    ctx: &Ctx,
    deadline: Instant,
) -> Result<ExportState, AwsError> {
    archive::poll_while_in_progress(
        st,
        |s| (s.status.as_str(), s.arn.as_str()),
        "DescribeExport",
        ctx,
        deadline,
        |arn| async move { d.describe_export(&arn).await },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_long_gap_is_chained_in_equal_windows_within_dynamodbs_bounds() {
        assert!(windows(t("2026-11-01T00:00:00Z"), t("2026-11-01T00:14:59Z")).is_empty());
        let one = windows(t("2026-11-01T00:00:00Z"), t("2026-11-01T20:00:00Z"));
        assert_eq!(one.len(), 1);
        let w = windows(t("2026-11-01T00:00:00Z"), t("2026-11-03T01:00:00Z"));
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, t("2026-11-01T00:00:00Z"));
        assert_eq!(w[2].1, t("2026-11-03T01:00:00Z"));
        for (i, (a, b)) in w.iter().enumerate() {
            assert!(*b - *a >= MIN_WINDOW && *b - *a <= MAX_WINDOW);
            if i > 0 {
                assert_eq!(w[i - 1].1, *a, "the windows meet");
            }
        }
    }
}
