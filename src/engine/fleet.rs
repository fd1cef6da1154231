//! The tables of a config file: every policy resolved over one ListTables listing, each
//! table assigned to exactly one policy, optionally narrowed by the command line.
//! Shared by `run`, `check` and `config check`.

use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;

use crate::cli::TableSelection;
use crate::config::Config;
use crate::engine::targets::Target;
use crate::engine::Ctx;
use crate::error::UsageError;
use crate::ids::table_name;
use crate::select;

/// One table and the index of the policy that owns it.
#[derive(Debug, Clone)]
pub struct Assigned {
    pub table: String,
    pub policy: usize,
    /// Set when another policy claims the table too (found after listing): the table is
    /// backed up once, by the first policy, and not pruned.
    pub conflict: Option<String>,
}

/// The tables of the target that no policy covers (this tool's scratch and staging
/// tables aside), sorted: from the listing `resolve` made, or one ListTables when it made
/// none. A table nobody backs up is the most common silent failure.
pub async fn uncovered(f: &Fleet, target: &Target) -> Result<Vec<String>> {
    let all: Vec<String> = if f.existing.is_empty() {
        target.dynamo.list_tables().await?
    } else {
        f.existing.iter().cloned().collect()
    };
    let covered: std::collections::HashSet<&str> =
        f.assigned.iter().map(|a| table_name(&a.table)).collect();
    let mut out: Vec<String> = all
        .into_iter()
        .filter(|t| !covered.contains(t.as_str()) && crate::names::work_table(t).is_none())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// The tables of one target that no policy covers.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub uncovered: Vec<String>,
}

/// A policy whose selection could not be resolved (e.g. it matched no table).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyError {
    pub policy: String,
    pub error: String,
}

/// The command line's narrowing of a config run: only `--table`, `--match`, `--exclude`.
pub fn check_narrowing(sel: &TableSelection) -> Result<(), UsageError> {
    if sel.all_tables || !sel.tags.is_empty() {
        return Err(UsageError::new(
            "--all-tables and --tag select tables on their own and cannot be combined with a config \
             file; use the config's policies, narrowed with --table, --match or --exclude",
        ));
    }
    Ok(())
}

/// The `--table` names narrowing a config run that none of its selected tables answers
/// (a typo, or a table no policy covers): the operator who named one must hear that
/// nothing was done for it. One line each, naming the configured table meant when one
/// is near.
pub fn unmatched_tables<'a>(
    narrowing: &TableSelection,
    selected: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let selected: Vec<&str> = selected.into_iter().collect();
    // The name meant is one of the tables worked on that was not named itself.
    let named: Vec<&str> = narrowing.tables.iter().map(|t| table_name(t)).collect();
    let others: Vec<&str> = selected
        .iter()
        .copied()
        .filter(|s| !named.contains(s))
        .collect();
    narrowing
        .tables
        .iter()
        .map(|t| table_name(t))
        .filter(|name| !selected.contains(name))
        .map(|name| {
            let hint = crate::names::did_you_mean(name, &others, '\'')
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            format!(
                "--table '{name}' is not among the tables of the config's policies: nothing was \
                 done for it{hint}"
            )
        })
        .collect()
}

fn narrowed(sel: &TableSelection, table: &str) -> bool {
    let name = table_name(table);
    if sel.excluded(name) {
        return false;
    }
    if sel.tables.is_empty() && sel.globs.is_empty() {
        return true;
    }
    sel.tables.iter().any(|t| table_name(t) == name)
        || sel
            .globs
            .iter()
            .any(|g| glob::Pattern::new(g).is_ok_and(|p| p.matches(name)))
}

/// Resolves every policy (one ListTables for all of them), assigns each table to its one
/// policy (two claims are a usage error naming both) and applies the narrowing.
/// A config's tables after listing: who owns each, what failed, and the region's size.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub assigned: Vec<Assigned>,
    pub errors: Vec<PolicyError>,
    /// How many tables the region has, when ListTables was needed (or learned for the
    /// backup listing: [`crate::aws::listing::learn_region`]).
    pub in_region: Option<usize>,
    /// The names ListTables returned (empty when it was not needed): known to exist.
    pub existing: std::collections::HashSet<String>,
}

pub async fn resolve(
    config: &Config,
    narrowing: &TableSelection,
    target: &Target,
) -> Result<Fleet> {
    let dynamo = &target.dynamo;
    // The command line's narrowing as it applies here: table ARNs of other targets are
    // theirs (a narrowing that names only those leaves nothing to do here).
    let Some(narrowing) = select::for_target(narrowing, &target.at) else {
        return Ok(Fleet {
            assigned: Vec::new(),
            errors: Vec::new(),
            in_region: None,
            existing: Default::default(),
        });
    };
    let narrowing = &narrowing;
    // The policies that apply in this target, with table ARNs of other targets left out;
    // `None` for a policy that has nothing here.
    let selections: Vec<Option<TableSelection>> = config
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            config
                .applies(i, target.spec.name.as_deref())
                .then(|| select::for_target(&p.selection(), &target.at))
                .flatten()
        })
        .collect();
    for sel in selections.iter().flatten() {
        select::check_regions(sel, dynamo.region())?;
    }
    let listing = if selections.iter().flatten().any(|s| s.needs_listing()) {
        Some(dynamo.list_tables().await?)
    } else {
        None
    };
    let mut resolved = Vec::with_capacity(selections.len());
    let mut errors = Vec::new();
    for (p, sel) in config.policies.iter().zip(&selections) {
        let Some(sel) = sel else {
            resolved.push(Vec::new());
            continue;
        };
        match select::resolve_listed(sel, listing.as_deref(), dynamo).await {
            Ok(tables) => resolved.push(tables),
            Err(e) => {
                tracing::error!(policy = %p.name, "{e:#}");
                errors.push(PolicyError {
                    policy: p.name.clone(),
                    error: format!("{e:#}"),
                });
                resolved.push(Vec::new());
            }
        }
    }
    let owners = config.assign(&resolved);
    let mut out = Vec::new();
    for (i, tables) in resolved.into_iter().enumerate() {
        for table in tables {
            let Some((owner, conflict)) = owners.get(table_name(&table)) else {
                continue;
            };
            if *owner == i && narrowed(narrowing, &table) {
                if let Some(c) = conflict {
                    tracing::error!(table = %table_name(&table), "{c}");
                }
                out.push(Assigned {
                    table,
                    policy: i,
                    conflict: conflict.clone(),
                });
            }
        }
    }
    // A target where every policy's tables were ARNs of other targets has nothing to do:
    // that is not "no tables selected".
    let looked_here = selections.iter().any(Option::is_some);
    if out.is_empty() && errors.is_empty() && looked_here {
        anyhow::bail!(
            "no tables selected: the config's policies and --table/--match/--exclude left none"
        );
    }
    Ok(Fleet {
        assigned: out,
        errors,
        in_region: listing.as_ref().map(|l| l.len()),
        existing: listing.unwrap_or_default().into_iter().collect(),
    })
}

/// Every table named on the command line or in a policy (ARNs among them are routed to
/// their targets, and must have one).
pub fn named_tables<'a>(
    config: Option<&'a Config>,
    narrowing: &'a TableSelection,
) -> Vec<&'a String> {
    let mut out: Vec<&String> = narrowing.tables.iter().collect();
    if let Some(c) = config {
        out.extend(c.policies.iter().flat_map(|p| p.tables.iter()));
    }
    out
}

/// The tables two policies claim, as policy errors (for `check` and `config check`, which
/// report a conflict rather than act on the table).
pub fn conflict_errors(config: &Config, assigned: &[Assigned]) -> Vec<PolicyError> {
    assigned
        .iter()
        .filter_map(|a| {
            a.conflict.as_ref().map(|c| PolicyError {
                policy: config.policies[a.policy].name.clone(),
                error: c.clone(),
            })
        })
        .collect()
}

/// A context whose connection settings fall back to the config's `[defaults]` where neither
/// the command line nor the AWS environment sets them.
pub fn with_defaults(ctx: &Ctx, config: &Config) -> Ctx {
    let d = &config.defaults;
    let env_set = |names: &[&str]| {
        names
            .iter()
            .any(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
    };
    let mut g = (*ctx.global).clone();
    // A config with [[targets]] names its regions there.
    if g.region.is_empty()
        && config.targets.is_empty()
        && !env_set(&["AWS_REGION", "AWS_DEFAULT_REGION"])
    {
        g.region = d.region.iter().map(|r| r.0.clone()).collect();
    }
    if g.profile.is_none() && !env_set(&["AWS_PROFILE"]) {
        g.profile = d.profile.clone();
    }
    if g.endpoint_url.is_none() && !env_set(&["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"]) {
        g.endpoint_url = d.endpoint_url.as_ref().map(|u| u.0.clone());
    }
    if g.rate_multiplier.is_none() {
        g.rate_multiplier = d.rate_multiplier;
    }
    Ctx {
        global: Arc::new(g),
        ..ctx.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrowing_table_no_policy_selected_is_named() {
        let sel = TableSelection {
            tables: vec!["m01".into(), "m0l".into(), "nosuch".into()],
            ..Default::default()
        };
        let lines = unmatched_tables(&sel, ["m01", "m02"]);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].contains("'m0l'") && lines[0].contains("did you mean 'm02'?"));
        assert!(lines[1].contains("'nosuch'") && !lines[1].contains("did you mean"));
        assert!(unmatched_tables(&TableSelection::default(), ["m01"]).is_empty());
    }

    #[test]
    fn narrowing_by_names_globs_and_excludes() {
        let none = TableSelection::default();
        assert!(narrowed(&none, "orders"));
        let s = TableSelection {
            tables: vec!["orders".into()],
            globs: vec!["user*".into()],
            excludes: vec!["users-tmp".into()],
            ..TableSelection::default()
        };
        assert!(narrowed(&s, "orders"));
        assert!(narrowed(&s, "users"));
        assert!(!narrowed(&s, "users-tmp"));
        assert!(!narrowed(&s, "items"));
        assert!(check_narrowing(&TableSelection {
            all_tables: true,
            ..TableSelection::default()
        })
        .is_err());
    }
}
