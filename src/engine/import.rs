//! Imports: a new table from an export made by ddb-backup. ImportTable creates the table
//! from the full export at the root of the chain (keys, global secondary indexes and
//! billing from its manifest); each incremental export after it is applied in order with
//! BatchWriteItem (ImportTable cannot read an incremental export, nor write to an existing
//! table); then the settings record of the newest export is applied as
//! `restore --copy-settings` applies one.

use std::io::Read;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::exports::{item_of, write_of, ImportState};
use crate::aws::s3::Bucket;
use crate::aws::Dynamo;
use crate::engine::archive::{self, Archived, Location, Manifest};
use crate::engine::settings::{self, Carry, SettingResult};
use crate::engine::Ctx;
use crate::error::AwsError;

/// Which export to import.
#[derive(Debug, Clone)]
pub enum Pick {
    /// The table's newest completed export, or the newest at or before a time.
    Table {
        table: String,
        at_or_before: Option<DateTime<Utc>>,
    },
    /// An export's manifest: (bucket, key).
    Manifest(String, String),
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub loc: Location,
    pub pick: Pick,
    pub target: String,
    pub wait: bool,
    pub timeout: Duration,
}

/// One export of the chain, as applied.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub export_type: String,
    pub export_time: DateTime<Utc>,
    pub manifest: String,
    /// `imported` (ImportTable), `applied` (BatchWriteItem), `pending` (not yet).
    pub status: &'static str,
    /// Items written (puts) and deleted by an applied increment.
    pub puts: usize,
    pub deletes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub command: &'static str,
    pub target: String,
    /// `completed`, `started` (not waited for), `in_progress` (--wait timed out), `failed`.
    pub status: &'static str,
    pub error: Option<String>,
    pub import: Option<ImportState>,
    pub chain: Vec<Link>,
    /// What ImportTable could not carry (local secondary indexes), said once.
    pub warnings: Vec<String>,
    pub settings: Vec<SettingResult>,
}

/// The chain that ends at `last`: its full base first, then each increment in order.
pub fn chain(found: &[Archived], last: &Manifest) -> Result<Vec<Manifest>, String> {
    let mut out = vec![last.clone()];
    while let Some(base) = out.last().and_then(|m| m.base.clone()) {
        if out.len() > found.len() + 1 {
            return Err("the chain of exports loops".into());
        }
        let Some(b) = found.iter().find(|a| a.manifest.prefix == base.prefix) else {
            return Err(format!(
                "the chain is broken: the export {} builds on {}, which is not there (pruned \
                 by hand, or never completed); import an export whose chain is whole",
                out.last().map(|m| m.prefix.as_str()).unwrap_or(""),
                base.prefix
            ));
        };
        if !b.manifest.completed() {
            return Err(format!(
                "the base {} is {}: wait until it is COMPLETED",
                b.manifest.prefix, b.manifest.status
            ));
        }
        out.push(b.manifest.clone());
    }
    out.reverse();
    match out.first() {
        Some(m) if !m.is_incremental() => Ok(out),
        _ => Err("the chain does not start with a full export".into()),
    }
}

fn failed(target: &str, e: impl Into<String>) -> ImportReport {
    ImportReport {
        command: "import",
        target: target.to_string(),
        status: "failed",
        error: Some(e.into()),
        import: None,
        chain: Vec::new(),
        warnings: Vec::new(),
        settings: Vec::new(),
    }
}

/// The export picked, and every export of its table (for its chain).
async fn pick(
    d: &Dynamo,
    account: &str,
    o: &ImportOptions,
) -> Result<(Location, Manifest, Vec<Archived>), String> {
    match &o.pick {
        Pick::Table {
            table,
            at_or_before,
        } => {
            let found = archive::list_table(d, &o.loc, account, table)
                .await
                .map_err(|e| e.message)?;
            let m = found
                .iter()
                .map(|a| &a.manifest)
                .find(|m| m.completed() && at_or_before.is_none_or(|t| m.export_time <= t))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "no completed export of table '{table}' by ddb-backup{} under {}",
                        at_or_before
                            .map(|t| format!(" at or before {}", crate::output::time(t)))
                            .unwrap_or_default(),
                        o.loc.url(&o.loc.table_prefix(account, d.region(), table))
                    )
                })?;
            Ok((o.loc.clone(), m, found))
        }
        Pick::Manifest(bucket, key) => {
            let loc = Location {
                bucket: Bucket {
                    name: bucket.clone(),
                    owner: o.loc.bucket.owner.clone(),
                },
                prefix: String::new(),
            };
            let raw = d
                .get_object(&loc.bucket, key)
                .await
                .map_err(|e| e.message)?;
            let m: Manifest = serde_json::from_slice(&raw)
                .map_err(|e| format!("{} is not a ddb-backup manifest: {e}", loc.url(key)))?;
            let root = m
                .prefix
                .trim_end_matches('/')
                .rsplit_once('/')
                .map(|(r, _)| format!("{r}/"))
                .unwrap_or_default();
            let found = archive::list_root(d, &loc, &root, &m.table)
                .await
                .map_err(|e| e.message)?;
            if !m.completed() {
                return Err(format!("the export at {} is {}", loc.url(key), m.status));
            }
            Ok((loc, m, found))
        }
    }
}

/// The import.
pub async fn run(d: &Dynamo, account: &str, o: &ImportOptions, ctx: &Ctx) -> ImportReport {
    let (loc, last, found) = match pick(d, account, o).await {
        Ok(x) => x,
        Err(e) => return failed(&o.target, e),
    };
    let links = match chain(&found, &last) {
        Ok(c) => c,
        Err(e) => return failed(&o.target, e),
    };
    match d.table_shape(&o.target).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return failed(
                &o.target,
                format!(
                    "table '{}' already exists: ImportTable creates a new table; choose another \
                     --target",
                    o.target
                ),
            )
        }
        Err(e) => return failed(&o.target, e.message),
    }
    let full = &links[0];
    let Some(data) = full.data_prefix() else {
        return failed(
            &o.target,
            format!(
                "the manifest of {} does not say where DynamoDB's files are",
                full.prefix
            ),
        );
    };
    let mut r = ImportReport {
        command: "import",
        target: o.target.clone(),
        status: "started",
        error: None,
        import: None,
        chain: links
            .iter()
            .map(|m| Link {
                export_type: m.export_type.clone(),
                export_time: m.export_time,
                manifest: loc.url(&m.key()),
                status: "pending",
                puts: 0,
                deletes: 0,
            })
            .collect(),
        warnings: Vec::new(),
        settings: Vec::new(),
    };
    if !full.shape.local_secondary_indexes.is_empty() {
        let names: Vec<&str> = full
            .shape
            .local_secondary_indexes
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        let w = format!(
            "the table had local secondary indexes ({}): ImportTable cannot create them, and \
             they cannot be added to a table later",
            names.join(", ")
        );
        tracing::warn!("{w}");
        r.warnings.push(w);
    }
    let st = match d
        .import_table(&loc.bucket, &data, &o.target, &full.shape)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            r.status = "failed";
            r.error = Some(e.message);
            return r;
        }
    };
    r.import = Some(st.clone());
    if !o.wait {
        if links.len() > 1 || last.settings.is_some() {
            r.warnings.push(format!(
                "without --wait only ImportTable is started: {} increment(s) and the settings \
                 record are applied by an import with --wait",
                links.len() - 1
            ));
        }
        return r;
    }
    let st = match wait(d, st, ctx, Instant::now() + o.timeout).await {
        Ok(s) => s,
        Err(e) => {
            r.status = "failed";
            r.error = Some(e.message);
            return r;
        }
    };
    r.import = Some(st.clone());
    match st.status.as_str() {
        "COMPLETED" => r.chain[0].status = "imported",
        "IN_PROGRESS" => {
            r.status = "in_progress";
            r.error = Some(format!(
                "ImportTable {} still IN_PROGRESS after --timeout",
                st.arn
            ));
            return r;
        }
        other => {
            r.status = "failed";
            r.error = Some(format!(
                "ImportTable {} {other}: {}",
                st.arn,
                st.failure.unwrap_or_default()
            ));
            return r;
        }
    }
    for (i, m) in links.iter().enumerate().skip(1) {
        match apply(d, &loc, m, &o.target).await {
            Ok((puts, deletes)) => {
                r.chain[i].status = "applied";
                r.chain[i].puts = puts;
                r.chain[i].deletes = deletes;
            }
            Err(e) => {
                r.status = "failed";
                r.error = Some(format!("applying {}: {e}", loc.url(&m.key())));
                return r;
            }
        }
    }
    if let Some(rec) = &last.settings {
        r.settings = settings::apply(d, &o.target, rec, Carry::default(), &ctx.stop).await;
    }
    r.status = "completed";
    r
}

/// Applies one incremental export's data files to `table`: (puts, deletes).
async fn apply(
    d: &Dynamo,
    loc: &Location,
    m: &Manifest,
    table: &str,
) -> Result<(usize, usize), String> {
    let data = m
        .data_prefix()
        .ok_or("the manifest does not say where DynamoDB's files are")?;
    let files = d
        .list_objects(&loc.bucket, &data)
        .await
        .map_err(|e| e.message)?;
    let (mut puts, mut deletes) = (0, 0);
    for f in files.iter().filter(|f| f.key.ends_with(".json.gz")) {
        let raw = d
            .get_object(&loc.bucket, &f.key)
            .await
            .map_err(|e| e.message)?;
        let writes = lines(&raw, &f.key, m.is_incremental())?;
        for w in &writes {
            match w {
                crate::aws::exports::Write::Put(_) => puts += 1,
                crate::aws::exports::Write::Delete(_) => deletes += 1,
            }
        }
        d.write_items(table, &writes).await.map_err(|e| e.message)?;
    }
    Ok((puts, deletes))
}

/// The writes of one gzip data file (DynamoDB JSON, one record a line).
pub fn lines(
    raw: &[u8],
    key: &str,
    incremental: bool,
) -> Result<Vec<crate::aws::exports::Write>, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(raw)
        .read_to_string(&mut text)
        .map_err(|e| format!("{key} is not gzip text: {e}"))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, l)| {
            let v: serde_json::Value =
                serde_json::from_str(l).map_err(|e| format!("{key} line {}: {e}", n + 1))?;
            if incremental {
                write_of(&v)
            } else {
                item_of(&v)
            }
            .map_err(|e| format!("{key} line {}: {e}", n + 1))
        })
        .collect()
}

/// Polls DescribeImport until the import is no longer IN_PROGRESS or the deadline passes.
async fn wait(
    d: &Dynamo,
    st: ImportState,
    ctx: &Ctx,
    deadline: Instant,
) -> Result<ImportState, AwsError> {
    crate::engine::archive::poll_while_in_progress(
        st,
        |s| (s.status.as_str(), s.arn.as_str()),
        "DescribeImport",
        ctx,
        deadline,
        |arn| async move { d.describe_import(&arn).await },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn data_files_become_writes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(
            b"{\"Keys\":{\"pk\":{\"S\":\"a\"}}}\n{\"Keys\":{\"pk\":{\"S\":\"b\"}},\"NewImage\":{\"pk\":{\"S\":\"b\"},\"n\":{\"N\":\"2\"}}}\n",
        )
        .unwrap();
        let w = lines(&gz.finish().unwrap(), "k", true).unwrap();
        assert!(matches!(&w[0], crate::aws::exports::Write::Delete(k) if k.len() == 1));
        assert!(matches!(&w[1], crate::aws::exports::Write::Put(i) if i.len() == 2));
        assert!(lines(b"not gzip", "k", true).is_err());
    }
}
