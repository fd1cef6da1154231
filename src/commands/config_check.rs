//! `ddb-backup config check`: validate a config file and show which table gets which
//! policy. Calls AWS only to list tables (and their tags), never with `--offline`.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{ConfigCheckArgs, TableSelection};
use crate::commands::{fleet, Ctx};
use crate::config::{self, Config, PolicyConfig};
use crate::exit::Exit;
use crate::names::NameTemplate;
use crate::retention::Policy;

#[derive(Debug, Serialize)]
struct PolicySummary {
    name: String,
    selection: String,
    backup: String,
    retention: Option<String>,
}

#[derive(Debug, Serialize)]
struct TableAssignment {
    table: String,
    policy: String,
}

#[derive(Debug, Serialize)]
struct ConfigReport {
    command: &'static str,
    config: String,
    offline: bool,
    policies: Vec<PolicySummary>,
    /// Resolved tables (absent with --offline).
    tables: Option<Vec<TableAssignment>>,
    policy_errors: Vec<fleet::PolicyError>,
}

pub async fn run(args: ConfigCheckArgs, ctx: &Ctx) -> Result<Exit> {
    let path = config::path_or_usage(args.config.path.as_ref())?;
    let config = Config::load(path)?;
    let policies: Vec<PolicySummary> = config
        .policies
        .iter()
        .map(|p| summary(p, config.defaults.name.as_ref()))
        .collect();
    let (tables, policy_errors) = if args.offline {
        (None, Vec::new())
    } else {
        let ctx = fleet::with_defaults(ctx, &config.defaults);
        let dynamo = ctx.dynamo().await?;
        let fleet::Fleet {
            assigned,
            mut errors,
            ..
        } = fleet::resolve(&config, &TableSelection::default(), &dynamo).await?;
        errors.extend(fleet::conflict_errors(&config, &assigned));
        let tables = assigned
            .into_iter()
            .map(|a| TableAssignment {
                table: a.table,
                policy: config.policies[a.policy].name.clone(),
            })
            .collect();
        (Some(tables), errors)
    };
    let report = ConfigReport {
        command: "config check",
        config: path.display().to_string(),
        offline: args.offline,
        policies,
        tables,
        policy_errors,
    };
    let exit = if report.policy_errors.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    };
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
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
                .unwrap_or("30m".into())
        ));
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
    let mut t = ctx.out.table(&["Policy", "Tables", "Backup", "Retention"]);
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
    let mut text = format!("{}: valid, {} policies\n{t}\n", r.config, r.policies.len());
    if let Some(tables) = &r.tables {
        let mut tt = ctx.out.table(&["Table", "Policy"]);
        for a in tables {
            tt.add_row(vec![a.table.clone(), a.policy.clone()]);
        }
        text.push_str(&format!("{tt}\n{} table(s) assigned", tables.len()));
    } else {
        text.push_str("offline: globs and tags not resolved against the region's tables");
    }
    for e in &r.policy_errors {
        text.push_str(&format!("\npolicy '{}' failed: {}", e.policy, e.error));
    }
    ctx.out.text(&text)?;
    Ok(())
}
