//! `ddb-backup check`: does every selected table have a recent AVAILABLE backup?
//! For monitoring systems and CI gates; changes nothing.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::task::JoinSet;

use crate::aws::listing::RunListing;
use crate::cli::CheckArgs;
use crate::config::{Config, PolicyConfig};
use crate::engine::archive::{self, Location};
use crate::engine::targets::{self, Target};
use crate::engine::{fleet, Ctx};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::ids::table_name;
use crate::model::{Backup, BackupStatus};
use crate::names::{self, NameTemplate};
use crate::output::time;
use crate::retention::dated_in_future;
use crate::select;
use crate::targets::Placed;
use crate::timeparse::{format_age, Span};
use std::sync::Arc;
use tracing::Instrument;

#[derive(Debug, Clone, Serialize)]
pub struct TableCheck {
    pub table: String,
    /// The config policy the table was checked under (absent without a config).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// What this table was held to: the command line's, or its policy's [policy.check].
    pub max_age: String,
    pub min_count: u32,
    pub ok: bool,
    /// `ok`, `stale`, `too_few`, `none`, `clock_skew` or `error`.
    pub verdict: &'static str,
    pub detail: String,
    pub newest_backup: Option<String>,
    pub newest_created_at: Option<DateTime<Utc>>,
    pub age_seconds: Option<i64>,
    pub available: usize,
    /// With --max-export-age: when the newest completed export holds the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_export_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub command: &'static str,
    /// The command line's --max-age and --min-count (absent: each policy's own).
    pub max_age: Option<String>,
    pub min_count: Option<u32>,
    pub tables: Vec<Placed<TableCheck>>,
    pub policy_errors: Vec<Placed<fleet::PolicyError>>,
    pub summary: CheckSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    pub tables: usize,
    pub ok: usize,
    /// Tables that failed the check.
    pub failed: usize,
    /// Policies that could not be resolved, or that claim the same table.
    pub policy_errors: usize,
    /// Tables, successes and failures per target (account × region).
    pub targets: Vec<targets::TargetSummary>,
}

/// What counts as "a backup" for the check.
#[derive(Debug, Clone)]
enum Counted {
    Managed(NameTemplate),
    Any,
}

pub async fn run(args: CheckArgs, ctx: &Ctx) -> Result<Exit> {
    let config = args.config.path.as_deref().map(Config::load).transpose()?;
    if config.is_some() {
        fleet::check_narrowing(&args.select)?;
    } else {
        args.select.validate()?;
    }
    expectations_given(&args, config.as_ref())?;
    let ctx = match &config {
        Some(c) => fleet::with_defaults(ctx, c),
        None => ctx.clone(),
    };
    if args.max_export_age.is_some() {
        Location::from_opts(&args.archive, "check --max-export-age")?;
    }
    let specs = crate::targets::plan(&ctx.global, config.as_ref())?;
    crate::targets::check_routed(&specs, fleet::named_tables(config.as_ref(), &args.select))?;
    let named: Vec<String> = fleet::named_tables(config.as_ref(), &args.select)
        .into_iter()
        .cloned()
        .collect();
    let has_config = config.is_some();
    let shared = Arc::new((args.clone(), config));
    let c = ctx.clone();
    let mut reached = targets::each(&ctx, &specs, named, move |t| {
        let (shared, c) = (shared.clone(), c.clone());
        async move { in_target(&t, &shared.0, shared.1.as_ref(), &c).await }
    })
    .await?;
    if ctx.stop.requested() {
        // A check cut short proves nothing: no verdicts that look complete.
        return Err(crate::error::Interrupted.into());
    }
    let summaries = targets::summaries(&reached, |(t, e)| {
        let failed = t.iter().filter(|c| !c.ok).count();
        (t.len(), t.len() - failed, failed + e.len())
    });
    let tables = targets::placed(&mut reached, |(t, _)| std::mem::take(t));
    let policy_errors = targets::placed(&mut reached, |(_, e)| std::mem::take(e));
    let failed = tables.iter().filter(|t| !t.ok).count();
    let report = CheckReport {
        command: "check",
        max_age: args.max_age.as_ref().map(Span::to_string),
        min_count: args.min_count,
        summary: CheckSummary {
            tables: tables.len(),
            ok: tables.len() - failed,
            failed,
            policy_errors: policy_errors.len(),
            targets: summaries,
        },
        tables,
        policy_errors,
    };
    for t in report.tables.iter().filter(|t| !t.ok) {
        tracing::error!(table = %t.table, account = %t.at.account, region = %t.at.region, "check failed: {}", t.detail);
    }
    let mut exit = targets::fleet_exit(
        &report.summary.targets,
        report.summary.ok,
        report.summary.failed + report.summary.policy_errors,
        false,
    );
    // A table named to narrow the config that it does not hold is not checked.
    if has_config && !report.summary.targets.iter().any(|t| t.error.is_some()) {
        let selected = report.tables.iter().map(|t| table_name(&t.table));
        for line in fleet::unmatched_tables(&args.select, selected) {
            tracing::error!("{line}");
            exit = exit.worst(Exit::Partial);
        }
    }
    // A read command prints what it was asked for, -q or not (-q silences the logs).
    print(&report, &ctx)?;
    Ok(exit)
}

/// One target's checks, and the policies that could not be resolved there.
async fn in_target(
    t: &Target,
    args: &CheckArgs,
    config: Option<&Config>,
    ctx: &Ctx,
) -> Result<(Vec<TableCheck>, Vec<fleet::PolicyError>)> {
    let _ = ctx;
    let counted = |template: Option<NameTemplate>| {
        if args.any_backup {
            Counted::Any
        } else {
            Counted::Managed(args.name.template.clone().or(template).unwrap_or_default())
        }
    };
    let dynamo = &t.dynamo;
    type Expect = (Option<String>, Span, u32);
    let (targets, policy_errors, in_region, existing): (Vec<(String, Counted, Expect)>, _, _, _) =
        match config {
            Some(c) => {
                let fleet::Fleet {
                    assigned,
                    mut errors,
                    in_region,
                    existing,
                } = fleet::resolve(c, &args.select, t).await?;
                errors.extend(fleet::conflict_errors(c, &assigned));
                let targets = assigned
                    .into_iter()
                    .filter(|a| {
                        args.policies.is_empty()
                            || args.policies.contains(&c.policies[a.policy].name)
                    })
                    .filter_map(|a| {
                        let p = &c.policies[a.policy];
                        let t = p.backup.name.clone().or_else(|| c.defaults.name.clone());
                        let (max_age, min_count) = expected(args, Some(p));
                        Some((
                            a.table,
                            counted(t),
                            (Some(p.name.clone()), max_age?, min_count),
                        ))
                    })
                    .collect();
                (targets, errors, in_region, existing)
            }
            None => {
                let Some(sel) = select::for_target(&args.select, &t.at) else {
                    return Ok((Vec::new(), Vec::new()));
                };
                let selected = select::resolve(&sel, dynamo).await?;
                (
                    selected
                        .tables
                        .into_iter()
                        .filter_map(|t| {
                            let (max_age, min_count) = expected(args, None);
                            Some((t, counted(None), (None, max_age?, min_count)))
                        })
                        .collect(),
                    Vec::new(),
                    selected.in_region,
                    selected.existing,
                )
            }
        };
    let listing = RunListing::start(dynamo, targets.len(), in_region, existing).await;
    let mut tasks = JoinSet::new();
    for (i, (table, counted, (policy, max_age, min_count))) in targets.into_iter().enumerate() {
        let (l, d) = (listing.clone(), dynamo.clone());
        let exports = args.max_export_age.clone().and_then(|m| {
            Location::from_opts(&args.archive, "check")
                .ok()
                .map(|loc| (m, loc, t.at.account.clone()))
        });
        tasks.spawn(
            async move {
                let name = table_name(&table).to_string();
                let check = match Box::pin(l.backups_of(&table)).await {
                    // Ages by DynamoDB's clock, which dated the backups.
                    Ok(list) => TableCheck {
                        policy,
                        ..verdict(&name, &list, &counted, &max_age, min_count, d.service_now())
                    },
                    Err(e) => TableCheck {
                        table: name,
                        policy,
                        max_age: max_age.to_string(),
                        min_count,
                        ok: false,
                        verdict: "error",
                        detail: e.message,
                        newest_backup: None,
                        newest_created_at: None,
                        age_seconds: None,
                        available: 0,
                        newest_export_at: None,
                    },
                };
                let mut check = check;
                if let Some((max, loc, account)) = exports {
                    export_verdict(&mut check, &d, &loc, &account, &max).await;
                }
                (i, check)
            }
            .in_current_span(),
        );
    }
    Ok((crate::engine::join_in_order(tasks).await?, policy_errors))
}

/// --max-export-age: the table also fails unless its newest completed export is younger.
async fn export_verdict(
    c: &mut TableCheck,
    d: &crate::aws::Dynamo,
    loc: &Location,
    account: &str,
    max: &Span,
) {
    let now = d.service_now();
    let (verdict, detail) = match archive::newest_completed(d, loc, account, &c.table).await {
        Err(e) => ("error", e.message),
        Ok(None) => (
            "no_export",
            format!(
                "no completed export in {}",
                loc.url(&loc.table_prefix(account, d.region(), &c.table))
            ),
        ),
        Ok(Some(t)) => {
            c.newest_export_at = Some(t);
            if now - t < max.chrono() {
                return;
            }
            (
                "stale_export",
                format!(
                    "newest completed export is {} old (max {max})",
                    format_age(now - t)
                ),
            )
        }
    };
    if c.ok {
        c.ok = false;
        c.verdict = verdict;
        c.detail = detail;
    } else {
        c.detail = format!("{}; {detail}", c.detail);
    }
}

/// What a table of `policy` is held to: the command line's --max-age and --min-count,
/// else the policy's `[policy.check]`, else (min count) 1. No max age: checked before.
fn expected(args: &CheckArgs, policy: Option<&PolicyConfig>) -> (Option<Span>, u32) {
    let section = policy.and_then(|p| p.check.as_ref());
    (
        args.max_age
            .clone()
            .or_else(|| section.and_then(|c| c.max_age.clone())),
        args.min_count
            .or_else(|| section.and_then(|c| c.min_count))
            .unwrap_or(1),
    )
}

/// Every table has a max age to be held to, and every --policy names a policy; checked
/// before any call.
fn expectations_given(args: &CheckArgs, config: Option<&Config>) -> Result<(), UsageError> {
    let Some(c) = config else {
        if args.max_age.is_none() {
            return Err(UsageError::new(
                "--max-age is required without a config (e.g. --max-age 26h), or give a config \
                 whose policies set [policy.check] max_age",
            ));
        }
        return Ok(());
    };
    for name in &args.policies {
        if !c.policies.iter().any(|p| &p.name == name) {
            return Err(UsageError::new(format!(
                "--policy {}: the config has no such policy (it has: {})",
                crate::error::quoted(name),
                c.policies
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    if args.max_age.is_none() {
        let missing: Vec<&str> = c
            .policies
            .iter()
            .filter(|p| args.policies.is_empty() || args.policies.contains(&p.name))
            .filter(|p| p.check.as_ref().and_then(|s| s.max_age.as_ref()).is_none())
            .map(|p| p.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(UsageError::new(format!(
                "no max age for policy {}: give --max-age, or set max_age in its [policy.check] \
                 section (e.g. max_age = \"26h\")",
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

/// The pure part: which backups count, the newest one, and the verdict.
fn verdict(
    table: &str,
    list: &[Backup],
    counted: &Counted,
    max_age: &Span,
    min_count: u32,
    now: DateTime<Utc>,
) -> TableCheck {
    let good: Vec<&Backup> = list
        .iter()
        .filter(|b| b.status == BackupStatus::Available)
        .filter(|b| match counted {
            Counted::Any => true,
            Counted::Managed(t) => names::is_managed(t, table, b),
        })
        .collect();
    let newest = good.iter().max_by_key(|b| b.created_at);
    let age = newest.map(|b| now - b.created_at);
    let which = match counted {
        Counted::Any => "AVAILABLE backup",
        Counted::Managed(_) => "AVAILABLE backup made by ddb-backup",
    };
    let (ok, verdict, detail) = match (newest, age) {
        (None, _) | (_, None) => (false, "none", format!("no {which}")),
        // A backup from the future proves nothing about freshness: the clock is wrong.
        (Some(b), Some(a)) if dated_in_future(b.created_at, now) => (
            false,
            "clock_skew",
            format!(
                "newest {which} ({}) is dated {} in the future of DynamoDB's clock (as its \
                 responses date it): with an emulator or a proxy as the endpoint, check its \
                 clock; a backup dated in the future is no proof of freshness",
                b.backup_name,
                format_age(-a)
            ),
        ),
        (Some(_), Some(a)) if a > max_age.chrono() => (
            false,
            "stale",
            format!("newest {which} is {} old (max {max_age})", format_age(a)),
        ),
        _ if (good.len() as u64) < u64::from(min_count) => (
            false,
            "too_few",
            format!("{} {which}(s), fewer than {min_count}", good.len()),
        ),
        _ => (true, "ok", "ok".to_string()),
    };
    TableCheck {
        table: table.to_string(),
        policy: None,
        max_age: max_age.to_string(),
        min_count,
        ok,
        verdict,
        detail,
        newest_backup: newest.map(|b| b.backup_name.clone()),
        newest_created_at: newest.map(|b| b.created_at),
        age_seconds: age.map(|a| a.num_seconds()),
        available: good.len(),
        newest_export_at: None,
    }
}

fn print(r: &CheckReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "tables")?;
        return Ok(());
    }
    let mut t = ctx
        .out
        .table(&[
            "Account",
            "Region",
            "Table",
            "Newest backup",
            "Created (UTC)",
            "Age",
            "Count",
            "Verdict",
        ])
        .optional(&["Created (UTC)", "Newest backup"]);
    for x in &r.tables {
        t.add_row(vec![
            x.at.account.clone(),
            x.at.region.clone(),
            x.table.clone(),
            x.newest_backup.clone().unwrap_or_default(),
            x.newest_created_at.map(time).unwrap_or_default(),
            x.age_seconds
                .map(|s| format_age(chrono::Duration::seconds(s)))
                .unwrap_or_default(),
            x.available.to_string(),
            if x.ok {
                "ok".to_string()
            } else {
                format!("FAIL: {}", x.detail)
            },
        ]);
    }
    let mut text = format!("{t}\n");
    for e in &r.policy_errors {
        text.push_str(&format!(
            "policy '{}' failed in {}: {}\n",
            e.policy, e.at, e.error
        ));
    }
    let held_to = match (&r.max_age, r.min_count) {
        (Some(a), Some(n)) => format!("max age {a}, min count {n}"),
        (Some(a), None) => format!("max age {a}"),
        (None, _) => "each policy's max age".to_string(),
    };
    text.push_str(&format!(
        "{}: {} ok, {} failed, {} ({held_to})",
        crate::output::count(r.summary.tables, "table", "tables"),
        r.summary.ok,
        r.summary.failed,
        crate::output::count(r.summary.policy_errors, "policy error", "policy errors"),
    ));
    text.push_str(&targets::summary_lines(&r.summary.targets));
    ctx.out.text(&text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BackupKind;
    use chrono::TimeZone;

    fn backup(name: &str, kind: BackupKind, status: BackupStatus, hours_ago: i64) -> Backup {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        Backup {
            table: "orders".into(),
            table_arn: None,
            backup_arn: format!("arn:{name}"),
            backup_name: name.into(),
            status,
            kind,
            created_at: now - chrono::Duration::hours(hours_ago),
            expires_at: None,
            size_bytes: None,
        }
    }

    #[test]
    fn verdicts() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let day: Span = "1d".parse().unwrap();
        let managed = Counted::Managed(NameTemplate::default());
        let list = vec![
            backup(
                "ddb-backup.orders.20261121T000000Z",
                BackupKind::User,
                BackupStatus::Available,
                36,
            ),
            backup(
                "ddb-backup.orders.20261122T110000Z",
                BackupKind::User,
                BackupStatus::Creating,
                1,
            ),
            backup("by-hand", BackupKind::User, BackupStatus::Available, 2),
            backup(
                "ddb-backup.orders.20261122T100000Z",
                BackupKind::System,
                BackupStatus::Available,
                2,
            ),
        ];
        let v = verdict("orders", &list, &managed, &day, 1, now);
        assert_eq!((v.ok, v.verdict), (false, "stale"));
        assert_eq!(v.available, 1);
        // Any backup: the hand-made one is fresh.
        let v = verdict("orders", &list, &Counted::Any, &day, 1, now);
        assert_eq!((v.ok, v.verdict), (true, "ok"));
        let v = verdict("orders", &list, &Counted::Any, &day, 4, now);
        assert_eq!((v.ok, v.verdict), (false, "too_few"));
        let v = verdict("orders", &[], &managed, &day, 1, now);
        assert_eq!((v.ok, v.verdict), (false, "none"));
        // A hand-made or other-table name with the tool's shape is not counted.
        let list = vec![
            backup(
                "ddb-backup.orders.KEEP.20261122T110000Z",
                BackupKind::User,
                BackupStatus::Available,
                1,
            ),
            backup(
                "ddb-backup.users.20261122T110000Z",
                BackupKind::User,
                BackupStatus::Available,
                1,
            ),
        ];
        let v = verdict("orders", &list, &managed, &day, 1, now);
        assert_eq!((v.ok, v.verdict, v.available), (false, "none", 0));
        // A backup dated three years ahead fails, whatever else is there.
        let mut list = vec![backup(
            "ddb-backup.orders.20261122T110000Z",
            BackupKind::User,
            BackupStatus::Available,
            1,
        )];
        list.push(backup(
            "ddb-backup.orders.20291122T110000Z",
            BackupKind::User,
            BackupStatus::Available,
            -3 * 365 * 24,
        ));
        let v = verdict("orders", &list, &managed, &day, 1, now);
        assert_eq!((v.ok, v.verdict), (false, "clock_skew"), "{}", v.detail);
    }
}
