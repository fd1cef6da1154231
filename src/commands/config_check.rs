//! `ddb-backup config check`: validate a config file and show which table gets which
//! policy. Calls AWS only to list tables (and their tags), never with `--offline`.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{ConfigCheckArgs, TableSelection};
use crate::config::{self, Config, PolicyConfig};
use crate::engine::targets::{self, TargetSummary};
use crate::engine::{fleet, Ctx};
use crate::exit::Exit;
use crate::names::NameTemplate;
use crate::retention::Policy;
use crate::targets::Placed;
use std::sync::Arc;

#[derive(Debug, Serialize)]
struct PolicySummary {
    name: String,
    selection: String,
    backup: String,
    retention: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct TableAssignment {
    table: String,
    policy: String,
}

/// A target as the config (and `--region`) plan it, before anything is reached.
#[derive(Debug, Serialize)]
struct PlannedTarget {
    target: Option<String>,
    /// The role's account; absent for the base credentials (known once connected).
    account: Option<String>,
    region: Option<String>,
    role_arn: Option<String>,
    profile: Option<String>,
    /// The policies that apply in this target.
    policies: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ConfigReport {
    command: &'static str,
    config: String,
    offline: bool,
    policies: Vec<PolicySummary>,
    targets: Vec<PlannedTarget>,
    /// Resolved tables (absent with --offline).
    tables: Option<Vec<Placed<TableAssignment>>>,
    policy_errors: Vec<Placed<fleet::PolicyError>>,
    /// Targets that could not be reached (absent with --offline).
    target_errors: Vec<TargetSummary>,
    /// Per target: the tables no policy covers (absent with --offline).
    coverage: Option<Vec<Placed<fleet::Coverage>>>,
}

pub async fn run(args: ConfigCheckArgs, ctx: &Ctx) -> Result<Exit> {
    let path = config::path_or_usage(args.config.path.as_ref())?;
    let config = Config::load(path)?;
    let policies: Vec<PolicySummary> = config
        .policies
        .iter()
        .map(|p| summary(p, config.defaults.name.as_ref()))
        .collect();
    let ctx = &fleet::with_defaults(ctx, &config);
    let specs = crate::targets::plan(&ctx.global, Some(&config))?;
    crate::targets::check_routed(
        &specs,
        fleet::named_tables(Some(&config), &TableSelection::default()),
    )?;
    let planned: Vec<PlannedTarget> = specs
        .iter()
        .map(|s| PlannedTarget {
            target: s.name.clone(),
            account: s.role_account().map(str::to_string),
            region: s.region.clone(),
            role_arn: s.role_arn.clone(),
            profile: s.profile.clone(),
            policies: config
                .policies
                .iter()
                .enumerate()
                .filter(|(i, _)| config.applies(*i, s.name.as_deref()))
                .map(|(_, p)| p.name.clone())
                .collect(),
        })
        .collect();
    let (tables, policy_errors, target_errors, coverage) = if args.offline {
        (None, Vec::new(), Vec::new(), None)
    } else {
        let named: Vec<String> = fleet::named_tables(Some(&config), &TableSelection::default())
            .into_iter()
            .cloned()
            .collect();
        let c = Arc::new(config);
        let mut reached = targets::each(ctx, &specs, named, move |t| {
            let c = c.clone();
            async move {
                let f = fleet::resolve(&c, &TableSelection::default(), &t).await?;
                let coverage = fleet::Coverage {
                    uncovered: fleet::uncovered(&f, &t).await?,
                };
                let fleet::Fleet {
                    assigned,
                    mut errors,
                    ..
                } = f;
                errors.extend(fleet::conflict_errors(&c, &assigned));
                let tables: Vec<TableAssignment> = assigned
                    .into_iter()
                    .map(|a| TableAssignment {
                        table: a.table,
                        policy: c.policies[a.policy].name.clone(),
                    })
                    .collect();
                Ok((tables, errors, Some(coverage)))
            }
        })
        .await?;
        let summaries = targets::summaries(&reached, |(t, e, _)| (t.len(), t.len(), e.len()));
        (
            Some(targets::placed(&mut reached, |(t, _, _)| std::mem::take(t))),
            targets::placed(&mut reached, |(_, e, _)| std::mem::take(e)),
            summaries
                .into_iter()
                .filter(|t| t.error.is_some())
                .collect(),
            Some(targets::placed(&mut reached, |(_, _, c)| {
                c.take().into_iter().collect()
            })),
        )
    };
    let report = ConfigReport {
        command: "config check",
        config: path.display().to_string(),
        offline: args.offline,
        policies,
        targets: planned,
        tables,
        policy_errors,
        target_errors,
        coverage,
    };
    let exit = if report.policy_errors.is_empty() && report.target_errors.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    };
    // A read command prints what it was asked for, -q or not (-q silences the logs).
    print(&report, ctx)?;
    Ok(exit)
}

fn summary(p: &PolicyConfig, default_name: Option<&NameTemplate>) -> PolicySummary {
    let mut sel = Vec::new();
    if !p.tables.is_empty() {
        sel.push(format!("tables {}", p.tables.join(",")));
    }
    if !p.globs.is_empty() {
        sel.push(format!("match {}", p.globs.join(",")));
    }
    if !p.tags.is_empty() {
        let tags: Vec<String> = p.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        sel.push(format!("tags {}", tags.join(",")));
    }
    if p.all_tables {
        sel.push("all tables".into());
    }
    if !p.exclude.is_empty() {
        sel.push(format!("exclude {}", p.exclude.join(",")));
    }
    let b = &p.backup;
    let mut backup = vec![format!(
        "name {}",
        b.name
            .clone()
            .or_else(|| default_name.cloned())
            .unwrap_or_default()
            .as_str()
    )];
    if let Some(s) = &b.skip_if_recent {
        backup.push(format!("skip if recent {s}"));
    }
    if b.wait == Some(true) {
        backup.push(format!(
            "wait {}",
            b.timeout
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or("30min".into())
        ));
    }
    if let Some(v) = &p.verify {
        backup.push(format!("restore drill every {}", v.every));
    }
    let retention = p.retention.as_ref().map(|r| {
        let mut parts = vec![Policy::from(&r.keep_opts()).describe()];
        let rails = r.rail_opts();
        parts.push(format!("min keep {}", rails.min_keep.unwrap_or(2)));
        if let Some(m) = rails.max_delete {
            parts.push(format!("max delete {m}"));
        }
        if let Some(s) = &rails.require_recent {
            parts.push(format!("require recent {s}"));
        }
        parts.join(", ")
    });
    PolicySummary {
        name: p.name.clone(),
        selection: sel.join("; "),
        backup: backup.join(", "),
        retention,
    }
}

fn print(r: &ConfigReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "policies")?;
        return Ok(());
    }
    let mut t = ctx
        .out
        .table(&["Policy", "Tables", "Backup name", "Retention"]);
    for p in &r.policies {
        t.add_row(vec![
            p.name.clone(),
            p.selection.clone(),
            p.backup.clone(),
            p.retention
                .clone()
                .unwrap_or_else(|| "none (backups only)".into()),
        ]);
    }
    let mut text = format!(
        "{}: valid, {}\n{t}\n",
        r.config,
        crate::output::count(r.policies.len(), "policy", "policies")
    );
    if r.targets.len() > 1 || r.targets.iter().any(|t| t.target.is_some()) {
        let mut tt = ctx
            .out
            .table(&["Target", "Account", "Region", "Role", "Policies"]);
        for t in &r.targets {
            tt.add_row(vec![
                t.target.clone().unwrap_or_default(),
                t.account.clone().unwrap_or_else(|| "(credentials')".into()),
                t.region.clone().unwrap_or_else(|| "(default)".into()),
                t.role_arn.clone().unwrap_or_default(),
                t.policies.join(", "),
            ]);
        }
        text.push_str(&format!("{tt}\n"));
    }
    if let Some(tables) = &r.tables {
        let mut tt = ctx.out.table(&["Account", "Region", "Table", "Policy"]);
        for a in tables {
            tt.add_row(vec![
                a.at.account.clone(),
                a.at.region.clone(),
                a.table.clone(),
                a.policy.clone(),
            ]);
        }
        text.push_str(&format!(
            "{tt}\n{} assigned",
            crate::output::count(tables.len(), "table", "tables")
        ));
    } else {
        text.push_str("offline: globs and tags not resolved against the region's tables");
    }
    for c in r.coverage.iter().flatten() {
        if c.uncovered.is_empty() {
            text.push_str(&format!("\nevery table in {} is covered by a policy", c.at));
        } else {
            text.push_str(&format!(
                "\n{} in {} no policy covers (nobody backs them up): {}",
                crate::output::count(c.uncovered.len(), "table", "tables"),
                c.at,
                c.uncovered.join(", ")
            ));
        }
    }
    for e in &r.policy_errors {
        text.push_str(&format!(
            "\npolicy '{}' failed in {}: {}",
            e.policy, e.at, e.error
        ));
    }
    for t in &r.target_errors {
        text.push_str(&format!(
            "\ntarget {}/{} failed: {}",
            t.account,
            t.region,
            t.error.as_deref().unwrap_or("")
        ));
    }
    ctx.out.text(&text)?;
    Ok(())
}
