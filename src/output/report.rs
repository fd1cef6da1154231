//! The report (`crate::evidence::Report`) as a terminal table and as CSV.

use super::grid::GridCell;

use super::{count, human_size, printable, Output};
use crate::evidence::prices::usd;
use crate::evidence::{Report, TableEvidence};

/// `2026-12-03`, or `-`.
fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "-".into())
}

/// The PITR column: `on 35d`, `off`, or `?` when it could not be read.
pub fn pitr_short(e: &TableEvidence) -> String {
    match &e.pitr {
        Some(p) if p.error.is_some() => "?".into(),
        Some(p) if p.enabled => match p.recovery_period_days {
            Some(d) => format!("on {d}d"),
            None => "on".into(),
        },
        Some(_) => "off".into(),
        None => "-".into(),
    }
}

/// The drill column: `passed 2026-12-01 (42s)`, `failed`, `none`, or `-` without a
/// metrics file.
pub fn drill_short(e: &TableEvidence) -> String {
    let Some(d) = &e.drill else {
        return "-".into();
    };
    let Some(result) = d.last_result else {
        return match d.last_passed_at {
            Some(t) => format!("passed {}", day(Some(t))),
            None => "none".into(),
        };
    };
    let when = d.last_at.or(if result == "passed" {
        d.last_passed_at
    } else {
        None
    });
    let mut s = result.to_string();
    if when.is_some() {
        s.push_str(&format!(" {}", day(when)));
    }
    if let Some(secs) = d.restore_seconds {
        s.push_str(&format!(" ({secs:.0}s)"));
    }
    s
}

/// The terminal form: one row per table, the summary below it.
pub fn table_text(out: &Output, r: &Report) -> String {
    let mut t = out
        .table(&[
            "Account",
            "Region",
            "Table",
            "Backups",
            "Newest",
            "Storage",
            "Cost/month",
            "Would free",
            "Streak",
            "Gaps/90d",
            "PITR",
            "Drill",
            "Status",
        ])
        .optional(&["Newest", "Gaps/90d", "Drill"]);
    for e in &r.tables {
        let (backups, newest, storage, cost) = match &e.held {
            Some(h) => (
                h.backups.to_string(),
                day(h.newest),
                human_size(Some(h.storage_bytes)),
                usd(h.monthly_cost_usd),
            ),
            None => ("?".into(), "?".into(), "?".into(), "?".into()),
        };
        let free = match &e.plan {
            Some(p) => format!(
                "{} ({}, {})",
                p.to_delete,
                human_size(Some(p.freed_bytes)),
                usd(p.freed_monthly_cost_usd)
            ),
            None => "-".into(),
        };
        let (streak, gaps) = match &e.continuity {
            Some(c) => (format!("{}d", c.streak_days), c.gap_days.to_string()),
            None => ("?".into(), "?".into()),
        };
        let status = if !e.ok() {
            "INCOMPLETE".to_string()
        } else if e.failing.is_empty() {
            "ok".to_string()
        } else {
            format!("FAIL ({})", e.failing.len())
        };
        let right = GridCell::right;
        t.add_row(vec![
            GridCell::from(&e.account),
            GridCell::from(&e.region),
            GridCell::from(printable(&e.table)),
            right(backups),
            GridCell::from(newest),
            right(storage),
            right(cost),
            right(free),
            right(streak),
            right(gaps),
            GridCell::from(pitr_short(e)),
            GridCell::from(drill_short(e)),
            GridCell::from(status),
        ]);
    }
    let s = &r.summary;
    let mut text = format!("{t}\n");
    text.push_str(&format!(
        "{}, {} failing ({} with an incomplete listing); {}, {} held, {}/month",
        count(s.tables, "table", "tables"),
        s.tables_failing,
        s.incomplete,
        count(s.backups, "backup", "backups"),
        human_size(Some(s.storage_bytes)),
        usd(s.monthly_cost_usd),
    ));
    if r.tables.iter().any(|e| e.plan.is_some()) {
        text.push_str(&format!(
            "; the policy would delete {} and free {}, {}/month",
            s.to_delete,
            human_size(Some(s.freed_bytes)),
            usd(s.freed_monthly_cost_usd)
        ));
    }
    text.push_str(&format!("; PITR on for {}", s.pitr_enabled));
    if r.tables.iter().any(|e| e.drill.is_some()) {
        text.push_str(&format!(
            "; drills: {} passed, {} failed",
            s.drills_passed, s.drills_failed
        ));
    }
    if s.interrupted {
        text.push_str(" (interrupted)");
    }
    for e in &r.tables {
        for f in &e.failing {
            text.push_str(&format!("\n  {}: {}", printable(&e.table), printable(f)));
        }
        if let Some(err) = &e.error {
            text.push_str(&format!("\n  {}: {}", printable(&e.table), printable(err)));
        }
    }
    if s.targets.len() > 1 || s.targets.iter().any(|t| t.error.is_some()) {
        for t in &s.targets {
            let name = t
                .target
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            match &t.error {
                Some(err) => text.push_str(&format!(
                    "\n  {}/{}{name}: failed: {}",
                    t.account,
                    t.region,
                    printable(err)
                )),
                None => text.push_str(&format!(
                    "\n  {}/{}{name}: {}, {} failing, {}, {}/month",
                    t.account,
                    t.region,
                    count(t.tables, "table", "tables"),
                    t.tables_failing,
                    human_size(Some(t.storage_bytes)),
                    usd(t.monthly_cost_usd)
                )),
            }
        }
    }
    text.push_str(&format!(
        "\nSizes are BackupSizeBytes (DynamoDB updates them about every six hours); prices per \
         GB-month as of {} ({}){}",
        r.prices.as_of,
        r.prices.source,
        match r.prices.override_per_gb_month {
            Some(p) => format!(", backup storage at ${p} by --price-per-gb-month"),
            None => String::new(),
        }
    ));
    text
}

/// The CSV header, one column per field of a row.
pub const CSV_COLUMNS: &[&str] = &[
    "account",
    "region",
    "table",
    "policy",
    "status",
    "backups",
    "managed",
    "unmanaged",
    "system",
    "aws_backup",
    "oldest",
    "newest",
    "storage_bytes",
    "monthly_cost_usd",
    "to_delete",
    "freed_bytes",
    "freed_monthly_cost_usd",
    "streak_days",
    "gap_days",
    "longest_gap_days",
    "pitr_enabled",
    "pitr_recovery_period_days",
    "pitr_earliest_restorable",
    "drill_last_result",
    "drill_last_at",
    "drill_restore_seconds",
    "failing",
    "error",
];

/// A text field: quoted when it holds a separator, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` (a formula to a spreadsheet) is defused with a `'`.
fn text_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn ms(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    opt(t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
}

/// The report as CSV: a header and one row per table (an unknown value is empty).
pub fn csv(r: &Report) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for e in &r.tables {
        let h = e.held.as_ref();
        let p = e.plan.as_ref();
        let c = e.continuity.as_ref();
        let pitr = e.pitr.as_ref().filter(|p| p.error.is_none());
        let d = e.drill.as_ref();
        let row = [
            text_field(&e.account),
            text_field(&e.region),
            text_field(&e.table),
            text_field(&e.policy),
            e.status.to_string(),
            opt(h.map(|h| h.backups)),
            opt(h.map(|h| h.by_type.managed)),
            opt(h.map(|h| h.by_type.unmanaged)),
            opt(h.map(|h| h.by_type.system)),
            opt(h.map(|h| h.by_type.aws_backup)),
            ms(h.and_then(|h| h.oldest)),
            ms(h.and_then(|h| h.newest)),
            opt(h.map(|h| h.storage_bytes)),
            opt(h
                .and_then(|h| h.monthly_cost_usd)
                .map(|v| format!("{v:.2}"))),
            opt(p.map(|p| p.to_delete)),
            opt(p.map(|p| p.freed_bytes)),
            opt(p
                .and_then(|p| p.freed_monthly_cost_usd)
                .map(|v| format!("{v:.2}"))),
            opt(c.map(|c| c.streak_days)),
            opt(c.map(|c| c.gap_days)),
            opt(c.map(|c| c.longest_gap.map_or(0, |g| g.days))),
            opt(pitr.map(|p| p.enabled)),
            opt(pitr.and_then(|p| p.recovery_period_days)),
            ms(pitr.and_then(|p| p.earliest_restorable)),
            opt(d.and_then(|d| d.last_result)),
            ms(d.and_then(|d| d.last_at.or(d.last_passed_at))),
            opt(d.and_then(|d| d.restore_seconds)),
            text_field(&e.failing.join("; ")),
            text_field(e.error.as_deref().unwrap_or_default()),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(text_field("orders"), "orders");
        assert_eq!(text_field("a,b"), "\"a,b\"");
        assert_eq!(text_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_field("=1+1"), "'=1+1");
        assert_eq!(text_field("-x,y"), "\"'-x,y\"");
    }
}
