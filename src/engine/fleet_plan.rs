//! A fleet restore's plan, checked before it starts: each table's target name, what no
//! rerun could resume or what would race (refused before any call), which selected
//! tables are earlier restores of others, and whether an existing target is a restore of
//! the same source.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::aws::Dynamo;
use crate::cli::RestoreArgs;
use crate::error::{quoted, UsageError};
use crate::ids::table_name;
use crate::model::TableInfo;
use crate::output::time;

use super::fleet_report::time_ms;

/// Checks a fleet restore's options (no AWS call); with the tables named, that no two of
/// them get one target name.
pub fn validate(a: &RestoreArgs) -> Result<(), UsageError> {
    if a.settings_from.is_some() {
        return Err(UsageError::new(
            "--settings-from applies one saved record to one table: use it with --target; \
             a fleet restore applies each source table's own record (or --no-settings)",
        ));
    }
    if !a.exclude_gsi.is_empty() || !a.exclude_lsi.is_empty() {
        return Err(UsageError::new(
            "--exclude-gsi/--exclude-lsi name one table's indexes: use them with --target \
             (a fleet restore takes --no-gsi/--no-lsi)",
        ));
    }
    if a.copy_alarms && a.no_settings {
        return Err(UsageError::new(
            "--copy-alarms is part of the settings: it cannot go with --no-settings",
        ));
    }
    if let Some(crate::timeparse::TimeSpec::Ago(span)) = &a.to_time {
        let at = a
            .to_time
            .as_ref()
            .and_then(|t| t.resolve(chrono::Utc::now()).ok())
            .map(time_ms)
            .unwrap_or_default();
        return Err(UsageError::new(format!(
            "a fleet restore needs an absolute --to-time, so that a rerun after an \
             interruption restores to the same point: {} ago is --to-time {at}",
            quoted(&span.text)
        )));
    }
    if let Some(crate::timeparse::TimeSpec::Ago(span)) = &a.before {
        return Err(UsageError::new(format!(
            "a fleet restore needs an absolute --before (RFC 3339), so that a rerun after an \
             interruption picks the same backups: {} ago moves with the clock",
            quoted(&span.text)
        )));
    }
    if let (Some(report), Some(config)) = (&a.report, &a.config.path) {
        let same = |p: &std::path::Path| std::fs::canonicalize(p).ok();
        if report == config || (same(report).is_some() && same(report) == same(config)) {
            return Err(UsageError::new(format!(
                "--report {} is the config file: choose another path for the report",
                report.display()
            )));
        }
    }
    if let Some(report) = a.report.as_deref().filter(|_| a.dry_run) {
        // A rerun resumes from this file: a plan written over it would lose the backups
        // and times the fleet's real run recorded.
        if !super::fleet_report::earlier_times(Some(report))
            .rows
            .is_empty()
        {
            return Err(UsageError::new(format!(
                "--report {} holds a fleet restore's report, which a rerun resumes from: \
                 give the dry run another --report (or none)",
                report.display()
            )));
        }
    }
    if a.config.path.is_some() {
        crate::engine::fleet::check_narrowing(&a.select)?;
    } else if !a.select.needs_listing() {
        let names = target_names(a, &a.select.tables, chrono::Utc::now())?;
        if a.target_region.is_none() {
            for (source, target) in &names {
                if target != source && names.contains_key(target) {
                    return Err(UsageError::new(format!(
                        "table {} is named as a source and is also the target of {}: \
                         restore them in two commands, or change --target-template",
                        quoted(target),
                        quoted(source)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The new table's name for `table`: `--target-template` rendered (shortened to 255
/// characters as backup names are), or the table's own name.
pub fn target_name(a: &RestoreArgs, table: &str, now: DateTime<Utc>) -> Result<String, String> {
    let name = match &a.target_template {
        Some(t) => t.render(table_name(table), now)?,
        None => table_name(table).to_string(),
    };
    if let Some(kind) = crate::names::work_table(&name) {
        return Err(format!(
            "--target-template makes {}, the shape of {} of this tool (never selected, and \
             deleted by it): choose a template without '{}' and a time",
            quoted(&name),
            kind.what(),
            kind.infix()
        ));
    }
    Ok(name)
}

/// Every table's target name; two tables mapping to one name is a usage error.
pub fn target_names(
    a: &RestoreArgs,
    tables: &[String],
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, String>, UsageError> {
    let mut by_target: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for t in tables {
        let source = table_name(t);
        if out.contains_key(source) {
            continue;
        }
        let target = target_name(a, t, now).map_err(UsageError::new)?;
        if let Some(other) = by_target.get(&target) {
            return Err(UsageError::new(format!(
                "tables {} and {} would both be restored to {}: change --target-template so \
                 that each table gets its own name (with {{table}})",
                quoted(other),
                quoted(source),
                quoted(&target)
            )));
        }
        by_target.insert(target.clone(), source.to_string());
        out.insert(source.to_string(), target);
    }
    Ok(out)
}

/// The selection without the tables that are its own targets' earlier restores (in the
/// same region, a rerun of `--match 'orders-*' --target-template '{table}-restored'`
/// lists the restored tables too): a table named as another selected table's target is
/// left out only when its RestoreSummary names that table; any other stays a source (and
/// the table whose target it is fails, as a target that exists for another reason does).
pub(crate) async fn not_targets(
    a: &RestoreArgs,
    d: &Dynamo,
    tables: Vec<String>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let target_of: std::collections::HashMap<String, String> = tables
        .iter()
        .filter_map(|t| {
            target_name(a, t, now)
                .ok()
                .filter(|n| n != table_name(t))
                .map(|n| (n, table_name(t).to_string()))
        })
        .collect();
    let mut kept = Vec::with_capacity(tables.len());
    let mut dropped = Vec::new();
    for t in tables {
        let Some(source) = target_of.get(table_name(&t)) else {
            kept.push(t);
            continue;
        };
        let made_from_source = match d.describe_table(table_name(&t)).await {
            Ok(Some(info)) => info.restore.as_ref().is_some_and(|r| {
                let from = |arn: &Option<String>| {
                    arn.as_deref()
                        .and_then(crate::ids::table_of_arn)
                        .is_some_and(|x| x == source)
                };
                from(&r.source_table_arn) || from(&r.source_backup_arn)
            }),
            _ => false,
        };
        if made_from_source {
            dropped.push(t);
        } else {
            kept.push(t);
        }
    }
    if !dropped.is_empty() {
        tracing::info!(
            tables = %dropped.join(","),
            "left out of the sources: each is an earlier restore of another selected table"
        );
    }
    kept
}

/// The source of one table's restore, as planned.
#[derive(Debug, Clone)]
pub(crate) enum Planned {
    Backup {
        arn: String,
    },
    Pitr {
        source_arn: Option<String>,
        at: Option<DateTime<Utc>>,
    },
}

/// Whether `info` (an existing target) was restored from `src`: `Err` says what it is.
pub(crate) fn restored_from(info: &TableInfo, src: &Planned) -> Result<(), String> {
    let Some(r) = &info.restore else {
        return Err("it was not made by a restore".into());
    };
    let same = match src {
        Planned::Backup { arn } => r.source_backup_arn.as_deref() == Some(arn.as_str()),
        Planned::Pitr { source_arn, at } => {
            r.source_backup_arn.is_none()
                && source_arn.is_some()
                && r.source_table_arn == *source_arn
                && match (at, r.restore_date_time) {
                    // The latest restorable time is minutes before the request: a target
                    // restored to an older point was made by another restore.
                    (None, Some(had)) => info
                        .created_at
                        .is_some_and(|c| had <= c && c - had <= latest_lag()),
                    (None, None) => false,
                    (Some(want), Some(had)) => {
                        (want.timestamp_millis() - had.timestamp_millis()).abs() < 1000
                    }
                    (Some(_), None) => false,
                }
        }
    };
    if same {
        return Ok(());
    }
    Err(match (&r.source_backup_arn, &r.source_table_arn) {
        (Some(b), _) => format!("it was restored from another backup ({b})"),
        (None, Some(t)) => format!(
            "it was restored from table {t} at {}",
            r.restore_date_time.map(time).unwrap_or_else(|| "?".into())
        ),
        (None, None) => "its RestoreSummary names no source".into(),
    })
}

/// How far before its request a restore to the latest restorable time restores to, at
/// most: DynamoDB's LatestRestorableDateTime is typically within five minutes of now.
pub(crate) fn latest_lag() -> chrono::Duration {
    chrono::Duration::minutes(15)
}

/// With `--target-region`, the targets of one account must be in one region: two regions'
/// tables would race for the same names in the target region.
pub(crate) fn one_region_per_account(
    specs: &[crate::targets::TargetSpec],
    into: &str,
) -> Result<(), UsageError> {
    let mut seen: BTreeMap<(Option<&str>, Option<&str>), &str> = BTreeMap::new();
    for s in specs {
        let region = s.region.as_deref().unwrap_or("the default region");
        let key = (s.profile.as_deref(), s.role_arn.as_deref());
        match seen.get(&key) {
            Some(other) if *other != region => {
                return Err(UsageError::new(format!(
                    "--target-region {into} would get the tables of {other} and of {region} \
                     in one account under the same names: restore one region at a time (one \
                     --region, or one target of the config, per command)"
                )))
            }
            _ => {
                seen.insert(key, region);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RestoreSummary;

    fn info(r: Option<RestoreSummary>) -> TableInfo {
        TableInfo {
            name: "t".into(),
            arn: None,
            status: Some("ACTIVE".into()),
            key_schema: Vec::new(),
            stream: None,
            deletion_protection: false,
            billing_mode: None,
            capacity: None,
            global_secondary_indexes: Vec::new(),
            local_secondary_indexes: Vec::new(),
            created_at: None,
            restore: r,
        }
    }

    #[test]
    fn only_a_restore_of_the_same_source_counts_as_already_restored() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/o/backup/01";
        let from_backup = |b: &str| {
            info(Some(RestoreSummary {
                source_backup_arn: Some(b.into()),
                ..Default::default()
            }))
        };
        let want = Planned::Backup { arn: arn.into() };
        assert!(restored_from(&from_backup(arn), &want).is_ok());
        let other = restored_from(&from_backup("arn:x/backup/02"), &want).unwrap_err();
        assert!(other.contains("another backup"), "{other}");
        assert!(restored_from(&info(None), &want)
            .unwrap_err()
            .contains("not made by a restore"));
        let t0 = Utc::now();
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/o".to_string();
        let pitr = |at| {
            info(Some(RestoreSummary {
                source_table_arn: Some(table.clone()),
                restore_date_time: Some(at),
                ..Default::default()
            }))
        };
        let want = Planned::Pitr {
            source_arn: Some(table.clone()),
            at: Some(t0),
        };
        assert!(restored_from(&pitr(t0), &want).is_ok());
        assert!(restored_from(&pitr(t0 - chrono::Duration::hours(1)), &want).is_err());
        assert!(restored_from(&from_backup(arn), &want).is_err());
        let latest = Planned::Pitr {
            source_arn: Some(table.clone()),
            at: None,
        };
        // To the latest restorable time: the point is minutes before the table was made.
        let made = |point, created| TableInfo {
            created_at: Some(created),
            ..pitr(point)
        };
        let minutes = chrono::Duration::minutes;
        assert!(restored_from(&made(t0 - minutes(5), t0), &latest).is_ok());
        // An earlier restore to an older point is not this one.
        assert!(restored_from(&made(t0 - minutes(90), t0), &latest).is_err());
        assert!(restored_from(&pitr(t0), &latest).is_err());
    }

    fn fleet(args: &[&str]) -> RestoreArgs {
        use clap::Parser;
        let mut all = vec!["ddb-backup", "restore"];
        all.extend_from_slice(args);
        match crate::cli::Cli::try_parse_from(all).map(|c| c.command) {
            Ok(crate::cli::Command::Restore(a)) => *a,
            other => panic!("not a restore: {other:?}"),
        }
    }

    #[test]
    fn a_fleet_refuses_what_a_rerun_could_not_resume_or_would_confuse() {
        let err = |args: &[&str]| validate(&fleet(args)).unwrap_err().to_string();
        // A relative point moves between runs: the absolute one is offered.
        let e = err(&[
            "--table",
            "aaa",
            "--table",
            "bbb",
            "--to-time",
            "1h",
            "--target-template",
            "{table}-r",
        ]);
        assert!(
            e.contains("absolute --to-time") && e.contains("--to-time 20"),
            "{e}"
        );
        // A source that is another source's target.
        let e = err(&[
            "--table",
            "aaa",
            "--table",
            "aaa-r",
            "--latest",
            "--target-template",
            "{table}-r",
        ]);
        assert!(
            e.contains("'aaa-r'") && e.contains("also the target of 'aaa'"),
            "{e}"
        );
        // Names of this tool's own work tables, refused as the template is read.
        let e = crate::names::parse_target_template("{table}-verify-{timestamp}").unwrap_err();
        assert!(e.contains("verify scratch table"), "{e}");
        assert!(crate::names::parse_target_template("{table}-verify").is_ok());
        // In another region the same names are fine.
        assert!(validate(&fleet(&[
            "--table",
            "aaa",
            "--table",
            "aaa-r",
            "--latest",
            "--target-template",
            "{table}-r",
            "--target-region",
            "eu-west-1"
        ]))
        .is_ok());
    }

    #[test]
    fn one_account_restores_one_region_at_a_time_into_another() {
        let spec = |region: &str, role: Option<&str>| crate::targets::TargetSpec {
            region: Some(region.into()),
            role_arn: role.map(String::from),
            ..Default::default()
        };
        let e = one_region_per_account(
            &[spec("us-east-1", None), spec("us-west-2", None)],
            "eu-west-1",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("us-east-1") && e.contains("us-west-2"), "{e}");
        let role = "arn:aws:iam::111111111111:role/r";
        assert!(one_region_per_account(
            &[spec("us-east-1", None), spec("us-west-2", Some(role))],
            "eu-west-1"
        )
        .is_ok());
        assert!(one_region_per_account(
            &[spec("us-east-1", None), spec("us-east-1", None)],
            "eu-west-1"
        )
        .is_ok());
    }
}
