//! The metrics file (Prometheus text format, for node_exporter's textfile collector) that
//! `run` and `verify` write: each table's last success, duration and failure, kept across
//! runs for tables that failed this time, written atomically.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::Utc;

use std::collections::BTreeMap;

use crate::engine::backup::to_ms;
use crate::engine::drill::{labels, Drill};
use crate::engine::journey::{exit_for, RunReport, TableRun};
use crate::exit::Exit;
use crate::output::write_file_atomic;
use crate::targets::Placed;

const VERIFY_LAST_SUCCESS: &str = "ddb_backup_verify_last_success_timestamp_seconds";

/// The last successful drill per table from a metrics file's text.
pub fn last_successes(text: &str) -> std::collections::BTreeMap<String, f64> {
    text.lines()
        .filter_map(|l| l.strip_prefix(VERIFY_LAST_SUCCESS))
        .filter_map(|rest| {
            let (labels, value) = rest.rsplit_once(' ')?;
            Some((labels.to_string(), value.trim().parse::<f64>().ok()?))
        })
        .collect()
}

const VERIFY_LAST: &str = "ddb_backup_verify_timestamp_seconds";

/// Each table's last drill as a metrics file records it (by its labels, as
/// [`labels`] writes them): result, when it ended and last passed, seconds to ACTIVE.
pub fn drill_records(text: &str) -> BTreeMap<String, crate::evidence::Drill> {
    let mut out: BTreeMap<String, crate::evidence::Drill> = BTreeMap::new();
    let time = |v: f64| chrono::DateTime::<Utc>::from_timestamp(v as i64, 0);
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name, rest)) = line.split_once('{') else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once(' ') else {
            continue;
        };
        // A value that cannot be a time, a count or a duration (NaN, infinite, negative)
        // was not written by this tool: the series is skipped, never shown as a figure.
        let Some(v) = value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
        else {
            continue;
        };
        let key = format!("{{{labels}");
        let known = [
            VERIFY_LAST_SUCCESS,
            VERIFY_LAST,
            "ddb_backup_verify_duration_seconds",
            "ddb_backup_verify_items",
            "ddb_backup_verify_failure",
        ];
        if !known.contains(&name) {
            continue;
        }
        let d = out.entry(key).or_default();
        match name {
            VERIFY_LAST_SUCCESS => d.last_passed_at = time(v),
            VERIFY_LAST => d.last_at = time(v),
            "ddb_backup_verify_duration_seconds" => d.restore_seconds = Some(v),
            "ddb_backup_verify_items" => d.items = Some(v.max(0.0) as u64),
            _ => d.last_result = Some(if v == 0.0 { "passed" } else { "failed" }),
        }
    }
    out
}

/// The drill series: last success (kept from `previous` while a table fails or is not
/// drilled), duration, items and failure of this run's drills.
pub fn metrics_text(previous: &str, drills: &[&Placed<Drill>]) -> String {
    let mut last = last_successes(previous);
    let now = Utc::now().timestamp() as f64;
    for d in drills.iter().filter(|d| d.outcome == "passed") {
        last.insert(labels(&d.at, &d.table), now);
    }
    let mut m = String::new();
    let mut gauge = |name: &str, help: &str, rows: Vec<(String, f64)>| {
        m.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (l, v) in rows {
            m.push_str(&format!("{name}{l} {v}\n"));
        }
    };
    gauge(
        VERIFY_LAST_SUCCESS,
        "When the table's restore drill last passed (Unix time).",
        last.into_iter().collect(),
    );
    let done: Vec<&&Placed<Drill>> = drills
        .iter()
        .filter(|d| d.restore_seconds.is_some())
        .collect();
    gauge(
        "ddb_backup_verify_duration_seconds",
        "Seconds the last drill's restore took until ACTIVE (a recovery time).",
        done.iter()
            .map(|d| (labels(&d.at, &d.table), d.restore_seconds.unwrap_or(0.0)))
            .collect(),
    );
    gauge(
        "ddb_backup_verify_items",
        "Items counted in the last drill's restored table.",
        drills
            .iter()
            .filter_map(|d| d.items.map(|n| (labels(&d.at, &d.table), n as f64)))
            .collect(),
    );
    gauge(
        VERIFY_LAST,
        "When the table's last drill ended, passed or failed (Unix time).",
        drills
            .iter()
            .filter(|d| d.outcome != "would_verify" && d.outcome != "interrupted")
            .map(|d| (labels(&d.at, &d.table), now))
            .collect(),
    );
    gauge(
        "ddb_backup_verify_failure",
        "1 if the table's last drill failed, 0 otherwise.",
        drills
            .iter()
            .filter(|d| d.outcome != "would_verify" && d.outcome != "interrupted")
            .map(|d| {
                (
                    labels(&d.at, &d.table),
                    if d.outcome == "passed" { 0.0 } else { 1.0 },
                )
            })
            .collect(),
    );
    m
}

pub fn write_verify(path: &Path, drills: &[&Placed<Drill>]) -> Result<()> {
    let previous = std::fs::read_to_string(path).unwrap_or_default();
    write_file_atomic(path, metrics_text(&previous, drills).as_bytes())
        .with_context(|| format!("cannot write metrics to {}", path.display()))
}

const LAST_SUCCESS: &str = "ddb_backup_table_last_success_timestamp_seconds";

/// Writes the Prometheus textfile-collector metrics. A table that failed this time keeps
/// the last-success timestamp of the previous file, so an alert on its age keeps working.
/// The last-success series of tables this run did not cover are dropped (a table removed
/// from the config stops being reported), unless `keep_others`: a run narrowed to some of
/// the config's tables, or one that failed before it knew its tables, keeps them all.
pub fn write_metrics(
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
    let coverage = r.map(|r| r.coverage.as_slice()).unwrap_or_default();
    if !coverage.is_empty() {
        gauge(
            "ddb_backup_tables_uncovered",
            "Tables of the target that no policy of the config covers (nobody backs them up).",
            coverage
                .iter()
                .map(|c| {
                    (
                        format!(
                            "{{account=\"{}\",region=\"{}\"}}",
                            escape(&c.at.account),
                            escape(&c.at.region)
                        ),
                        c.uncovered.len() as f64,
                    )
                })
                .collect(),
        );
    }
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
    let drills: Vec<Placed<crate::engine::drill::Drill>> = tables
        .iter()
        .filter_map(|t| t.verify.clone().map(|d| Placed::new(&t.at, d)))
        .collect();
    let verify_metrics = (!drills.is_empty()
        || !crate::engine::metrics::last_successes(&previous).is_empty())
    .then(|| {
        let refs: Vec<&Placed<crate::engine::drill::Drill>> = drills.iter().collect();
        crate::engine::metrics::metrics_text(&previous, &refs)
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

pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drill_is_read_back_from_the_metrics_file() {
        let at = crate::targets::Place {
            account: "1".into(),
            region: "r".into(),
        };
        let mut d = crate::engine::drill::Drill::new("orders");
        d.outcome = "passed";
        d.restore_seconds = Some(12.5);
        d.items = Some(40);
        let placed = Placed::new(&at, d);
        let text = metrics_text("", &[&placed]);
        let read = drill_records(&text);
        let r = &read[&labels(&at, "orders")];
        assert_eq!(r.last_result, Some("passed"));
        assert_eq!((r.restore_seconds, r.items), (Some(12.5), Some(40)));
        assert!(r.last_at.is_some() && r.last_passed_at == r.last_at);
        // Values this tool never writes are not shown as figures.
        let edited = text.replace("} 12.5", "} -5").replace(
            &format!("{} 40", labels(&at, "orders")),
            &format!("{} NaN", labels(&at, "orders")),
        );
        let r = &drill_records(&edited)[&labels(&at, "orders")];
        assert_eq!(r.restore_seconds, None, "{edited}");
        assert_eq!(r.items, None, "{edited}");
    }

    #[test]
    fn metrics_keep_the_last_success_of_a_failing_table() {
        let at = crate::targets::Place {
            account: "1".into(),
            region: "r".into(),
        };
        let previous = format!("{VERIFY_LAST_SUCCESS}{} 1000\n", labels(&at, "orders"));
        let mut d = crate::engine::drill::Drill::new("orders");
        d.outcome = "failed";
        let placed = Placed::new(&at, d);
        let text = metrics_text(&previous, &[&placed]);
        assert!(text.contains(&format!(
            "{VERIFY_LAST_SUCCESS}{} 1000",
            labels(&at, "orders")
        )));
        assert!(text.contains(&format!(
            "ddb_backup_verify_failure{} 1",
            labels(&at, "orders")
        )));
    }
}
