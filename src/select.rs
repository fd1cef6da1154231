//! Table selection: names, globs over ListTables, tags, all tables, exclusions.

use std::collections::BTreeMap;

use anyhow::Result;
use glob::Pattern;

use crate::aws::Dynamo;
use crate::cli::TableSelection;
use crate::error::{quoted, UsageError};
use crate::ids::table_name;

impl TableSelection {
    /// Refuses a selection that selects nothing on its face (before any AWS call).
    pub fn validate(&self) -> Result<(), UsageError> {
        if self.tables.is_empty()
            && self.globs.is_empty()
            && self.tags.is_empty()
            && !self.all_tables
        {
            return Err(UsageError::new(
                "no tables selected: give --table NAME, --match GLOB, --tag KEY=VALUE or --all-tables",
            ));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.validate().is_err()
    }

    pub fn needs_listing(&self) -> bool {
        self.all_tables || !self.globs.is_empty() || !self.tags.is_empty()
    }

    /// True when `name` is left out by `--exclude`.
    pub fn excluded(&self, name: &str) -> bool {
        self.excludes
            .iter()
            .any(|g| Pattern::new(g).is_ok_and(|p| p.matches(name)))
    }
}

/// Up to this many candidate tables are checked for tags one by one (DescribeTable and
/// ListTagsOfResource, 10/s); more are selected with one GetResources listing (100 tagged
/// tables a page).
pub const TAGS_ONE_BY_ONE_MAX: usize = 3;

/// The candidates (names from ListTables) that carry every tag of the selection.
async fn with_tags(
    sel: &TableSelection,
    candidates: Vec<String>,
    dynamo: &Dynamo,
) -> Result<Vec<String>> {
    if candidates.len() <= TAGS_ONE_BY_ONE_MAX {
        let mut out = Vec::new();
        for name in candidates {
            let Some(info) = dynamo.describe_table(&name).await? else {
                continue;
            };
            let Some(arn) = info.arn else { continue };
            let tags = dynamo.list_tags(&arn).await?;
            if sel.tags.iter().all(|want| tags.contains(want)) {
                out.push(name);
            }
        }
        return Ok(out);
    }
    // GetResources may name tables deleted since they were tagged: only names that
    // ListTables returned (the candidates) are kept.
    let tagged: std::collections::HashSet<String> = dynamo
        .tagged_tables(&sel.tags)
        .await?
        .iter()
        .filter(|arn| crate::ids::region_of_arn(arn) == Some(dynamo.region()))
        .filter_map(|arn| crate::ids::table_of_arn(arn).map(str::to_string))
        .collect();
    Ok(candidates
        .into_iter()
        .filter(|n| tagged.contains(n))
        .collect())
}

/// A table ARN must be in the run's region (one run works in one region): checked before
/// any call, so the mistake costs nothing.
pub fn check_regions(sel: &TableSelection, region: &str) -> Result<(), UsageError> {
    for t in sel.tables.iter().filter(|t| t.starts_with("arn:")) {
        if let Some(r) = crate::ids::region_of_arn(t).filter(|r| *r != region) {
            return Err(UsageError::new(format!(
                "table {} is in region {r}, but this run uses {region}: one run works in one \
                 region; pass --region {r} (or give the table by name)",
                quoted(t)
            )));
        }
    }
    Ok(())
}

/// The selection as it applies in one target: table ARNs of other accounts or regions are
/// left to their own targets (an unknown account matches by region). `None` when nothing
/// is left for this target (it was given only ARNs of others).
pub fn for_target(sel: &TableSelection, at: &crate::targets::Place) -> Option<TableSelection> {
    let mine = |t: &String| !t.starts_with("arn:") || crate::targets::holds(at, t);
    let tables: Vec<String> = sel.tables.iter().filter(|t| mine(t)).cloned().collect();
    if tables.is_empty() && !sel.tables.is_empty() && !sel.needs_listing() {
        return None;
    }
    Some(TableSelection {
        tables,
        ..sel.clone()
    })
}

/// Pure part of the selection: which of `all` (ListTables) the globs / --all-tables pick.
pub fn by_name(sel: &TableSelection, all: &[String]) -> Vec<String> {
    let pats: Vec<Pattern> = sel
        .globs
        .iter()
        .filter_map(|g| Pattern::new(g).ok())
        .collect();
    all.iter()
        .filter(|n| {
            sel.all_tables
                || !sel.tags.is_empty() && pats.is_empty()
                || pats.iter().any(|p| p.matches(n))
        })
        .filter(|n| !sel.excluded(n))
        .cloned()
        .collect()
}

/// The tables a command works on, and how many tables the region has when the selection
/// needed ListTables to find them (which decides how backups are listed).
#[derive(Debug, Clone)]
pub struct Selected {
    pub tables: Vec<String>,
    pub in_region: Option<usize>,
    /// The names ListTables returned (empty when it was not needed): known to exist.
    pub existing: std::collections::HashSet<String>,
}

/// Resolves the selection to table names (or ARNs as given), sorted, without duplicates.
/// Selecting zero tables is an error: a scheduled job that backs up nothing must fail.
pub async fn resolve(sel: &TableSelection, dynamo: &Dynamo) -> Result<Selected> {
    sel.validate()?;
    check_regions(sel, dynamo.region())?;
    let listing = if sel.needs_listing() {
        Some(dynamo.list_tables().await?)
    } else {
        None
    };
    Ok(Selected {
        tables: resolve_listed(sel, listing.as_deref(), dynamo).await?,
        in_region: listing.as_ref().map(|l| l.len()),
        existing: listing.unwrap_or_default().into_iter().collect(),
    })
}

/// [`resolve`] over a ListTables result obtained once for several selections (`run`).
/// `listing` must be `Some` when the selection needs one.
pub async fn resolve_listed(
    sel: &TableSelection,
    listing: Option<&[String]>,
    dynamo: &Dynamo,
) -> Result<Vec<String>> {
    sel.validate()?;
    check_regions(sel, dynamo.region())?;
    // One entry per table, whether it was given by name or by ARN (the ARN is kept, as the
    // form the user asked for): the same table given twice is worked on once.
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    for t in sel.tables.iter().filter(|t| !sel.excluded(table_name(t))) {
        let key = table_name(t).to_string();
        match chosen.get(&key) {
            Some(prev) if prev.starts_with("arn:") || !t.starts_with("arn:") => {
                tracing::debug!(table = %key, "given twice; worked on once");
            }
            _ => {
                chosen.insert(key, t.clone());
            }
        }
    }
    let mut listed = 0;
    if sel.needs_listing() {
        let all = listing.ok_or_else(|| {
            anyhow::anyhow!("internal error: the selection needs the table listing")
        })?;
        listed = all.len();
        let mut picked = by_name(sel, all);
        if !sel.tags.is_empty() {
            picked = with_tags(sel, picked, dynamo).await?;
        }
        for name in picked {
            chosen.entry(name.clone()).or_insert(name);
        }
    }
    if chosen.is_empty() {
        anyhow::bail!(
            "no tables selected: the selection matched none of the {listed} tables in {} \
             (check --match/--tag/--exclude and --region)",
            dynamo.region()
        );
    }
    let names: Vec<String> = chosen.into_values().collect();
    if sel.needs_listing() {
        tracing::info!(count = names.len(), tables = %names.join(","), "tables selected");
    } else {
        tracing::debug!(count = names.len(), tables = %names.join(","), "tables selected");
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel() -> TableSelection {
        TableSelection::default()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn empty_selection_is_a_usage_error() {
        assert!(sel().validate().is_err());
        let s = TableSelection {
            all_tables: true,
            ..sel()
        };
        assert!(s.validate().is_ok());
    }

    #[test]
    fn globs_all_and_excludes() {
        let all = names(&["orders-1", "orders-2", "orders-tmp", "users"]);
        let s = TableSelection {
            globs: names(&["orders-*"]),
            excludes: names(&["*-tmp"]),
            ..sel()
        };
        assert_eq!(by_name(&s, &all), names(&["orders-1", "orders-2"]));
        let s = TableSelection {
            all_tables: true,
            excludes: names(&["orders-?"]),
            ..sel()
        };
        assert_eq!(by_name(&s, &all), names(&["orders-tmp", "users"]));
        let s = TableSelection {
            globs: names(&["nomatch*"]),
            ..sel()
        };
        assert!(by_name(&s, &all).is_empty());
        // Tags alone start from every table (then filtered by tag).
        let s = TableSelection {
            tags: vec![("k".into(), "v".into())],
            ..sel()
        };
        assert_eq!(by_name(&s, &all).len(), 4);
        // Tags with globs narrow the globs.
        let s = TableSelection {
            tags: vec![("k".into(), "v".into())],
            globs: names(&["users"]),
            ..sel()
        };
        assert_eq!(by_name(&s, &all), names(&["users"]));
    }

    #[test]
    fn arn_tables_display_by_name() {
        assert_eq!(
            table_name("arn:aws:dynamodb:us-east-1:123456789012:table/orders"),
            "orders"
        );
        assert_eq!(table_name("orders"), "orders");
    }
}
