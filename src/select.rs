//! Table selection: names, globs over ListTables, tags, all tables, exclusions. A table
//! this tool makes for its own work (a verify scratch table, a replace staging table) is
//! never picked from a listing; only naming it selects it.

use std::collections::BTreeMap;

use anyhow::Result;
use glob::Pattern;

use crate::aws::Dynamo;
use crate::cli::TableSelection;
use crate::error::{quoted, UsageError};
use crate::ids::table_name;
use crate::names::{self, WorkTable};

/// Tables of a listing that the selection passed over because this tool made them for its
/// own work, with what each is.
pub type LeftOut = Vec<(String, WorkTable)>;

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

/// The candidates (names from ListTables) that carry every tag of the selection. One that
/// carries a verify scratch table's tag is left out (and returned apart) whatever its name.
async fn with_tags(
    sel: &TableSelection,
    candidates: Vec<String>,
    dynamo: &Dynamo,
) -> Result<(Vec<String>, LeftOut)> {
    let scratch = |tags: &[(String, String)]| tags.iter().any(|(k, _)| k == names::VERIFY_TAG);
    let (mut out, mut left_out) = (Vec::new(), Vec::new());
    if candidates.len() <= TAGS_ONE_BY_ONE_MAX {
        for name in candidates {
            let Some(info) = dynamo.describe_table(&name).await? else {
                continue;
            };
            let Some(arn) = info.arn else { continue };
            let tags = dynamo.list_tags(&arn).await?;
            if !sel.tags.iter().all(|want| tags.contains(want)) {
                continue;
            }
            if scratch(&tags) {
                left_out.push((name, WorkTable::Scratch));
            } else {
                out.push(name);
            }
        }
        return Ok((out, left_out));
    }
    // GetResources may name tables deleted since they were tagged: only names that
    // ListTables returned (the candidates) are kept.
    let tagged: std::collections::HashMap<String, bool> = dynamo
        .tagged_tables(&sel.tags)
        .await?
        .iter()
        .filter(|(arn, _)| crate::ids::region_of_arn(arn) == Some(dynamo.region()))
        .filter_map(|(arn, tags)| Some((crate::ids::table_of_arn(arn)?.to_string(), scratch(tags))))
        .collect();
    for name in candidates {
        match tagged.get(&name) {
            Some(true) => left_out.push((name, WorkTable::Scratch)),
            Some(false) => out.push(name),
            None => {}
        }
    }
    Ok((out, left_out))
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
/// This tool's work tables ([`names::work_table`]) are never picked: they come back apart,
/// so that the caller can say which were passed over.
pub fn by_name(sel: &TableSelection, all: &[String]) -> (Vec<String>, LeftOut) {
    let pats: Vec<Pattern> = sel
        .globs
        .iter()
        .filter_map(|g| Pattern::new(g).ok())
        .collect();
    let (mut picked, mut left_out) = (Vec::new(), Vec::new());
    for n in all.iter().filter(|n| {
        (sel.all_tables
            || !sel.tags.is_empty() && pats.is_empty()
            || pats.iter().any(|p| p.matches(n)))
            && !sel.excluded(n)
    }) {
        match names::work_table(n) {
            Some(kind) => left_out.push((n.clone(), kind)),
            None => picked.push(n.clone()),
        }
    }
    (picked, left_out)
}

/// The tables a command works on, and how many tables the region has when the selection
/// needed ListTables to find them (which decides how backups are listed; a selection of
/// enough named tables learns it when its backup listing starts:
/// [`crate::aws::listing::learn_region`]).
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
    let mut left_out = LeftOut::new();
    if sel.needs_listing() {
        let all = listing.ok_or_else(|| {
            anyhow::anyhow!("internal error: the selection needs the table listing")
        })?;
        listed = all.len();
        let (mut picked, by_shape) = by_name(sel, all);
        left_out = by_shape;
        if !sel.tags.is_empty() {
            let (tagged, by_tag) = with_tags(sel, picked, dynamo).await?;
            picked = tagged;
            left_out.extend(by_tag);
        }
        for name in picked {
            chosen.entry(name.clone()).or_insert(name);
        }
    }
    // Named as well (`--table`), it is selected after all.
    left_out.retain(|(n, _)| !chosen.contains_key(n));
    if !left_out.is_empty() {
        let tables: Vec<String> = left_out
            .iter()
            .map(|(n, kind)| format!("{n} ({})", kind.what()))
            .collect();
        tracing::info!(
            count = left_out.len(),
            tables = %tables.join(", "),
            "not selected: tables this tool makes for its own work and drops again (name one \
             with --table to work on it)"
        );
    }
    if chosen.is_empty() {
        let work = match left_out.len() {
            0 => String::new(),
            n => format!("; {n} of this tool's own scratch or staging tables were left out"),
        };
        anyhow::bail!(
            "no tables selected: the selection matched none of the {listed} tables in {}{work} \
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
        assert_eq!(by_name(&s, &all).0, names(&["orders-1", "orders-2"]));
        let s = TableSelection {
            all_tables: true,
            excludes: names(&["orders-?"]),
            ..sel()
        };
        assert_eq!(by_name(&s, &all).0, names(&["orders-tmp", "users"]));
        let s = TableSelection {
            globs: names(&["nomatch*"]),
            ..sel()
        };
        assert!(by_name(&s, &all).0.is_empty());
        // Tags alone start from every table (then filtered by tag).
        let s = TableSelection {
            tags: vec![("k".into(), "v".into())],
            ..sel()
        };
        assert_eq!(by_name(&s, &all).0.len(), 4);
        // Tags with globs narrow the globs.
        let s = TableSelection {
            tags: vec![("k".into(), "v".into())],
            globs: names(&["users"]),
            ..sel()
        };
        assert_eq!(by_name(&s, &all).0, names(&["users"]));
    }

    #[test]
    fn work_tables_are_never_picked_from_a_listing() {
        let all = names(&[
            "orders",
            "orders-verify",
            "orders-verify-20261122T090507Z",
            "orders-replace-20261122T090507Z",
            "x-replace-y",
        ]);
        let ordinary = names(&["orders", "orders-verify", "x-replace-y"]);
        let left = vec![
            (
                "orders-verify-20261122T090507Z".to_string(),
                WorkTable::Scratch,
            ),
            (
                "orders-replace-20261122T090507Z".to_string(),
                WorkTable::Staging,
            ),
        ];
        for s in [
            TableSelection {
                all_tables: true,
                ..sel()
            },
            TableSelection {
                globs: names(&["*"]),
                ..sel()
            },
            TableSelection {
                tags: vec![("k".into(), "v".into())],
                ..sel()
            },
        ] {
            assert_eq!(by_name(&s, &all), (ordinary.clone(), left.clone()), "{s:?}");
        }
        let s = TableSelection {
            globs: names(&["orders*"]),
            excludes: names(&["*-replace-*"]),
            ..sel()
        };
        assert_eq!(
            by_name(&s, &all),
            (names(&["orders", "orders-verify"]), left[..1].to_vec())
        );
    }

    proptest::proptest! {
        /// Whatever else a listing holds, the names built for work tables are never
        /// picked by --all-tables, and every other name is.
        #[test]
        fn built_work_table_names_are_never_picked(
            ordinary in proptest::collection::vec("[a-z][a-z0-9_.-]{2,20}", 0..8),
            work in proptest::collection::vec(("[a-z][a-z0-9_.-]{2,40}", 0i64..4_000_000_000, proptest::bool::ANY), 1..6),
        ) {
            let built: Vec<String> = work
                .iter()
                .map(|(t, secs, scratch)| {
                    let kind = if *scratch { WorkTable::Scratch } else { WorkTable::Staging };
                    kind.name(t, chrono::DateTime::from_timestamp(*secs, 0).unwrap_or_default())
                })
                .collect();
            let all: Vec<String> = ordinary.iter().chain(&built).cloned().collect();
            let s = TableSelection { all_tables: true, ..sel() };
            let (picked, left_out) = by_name(&s, &all);
            for b in &built {
                proptest::prop_assert!(!picked.contains(b), "{}", b);
                proptest::prop_assert!(left_out.iter().any(|(n, _)| n == b), "{}", b);
            }
            for o in ordinary.iter().filter(|o| names::work_table(o).is_none()) {
                proptest::prop_assert!(picked.contains(o), "{}", o);
            }
        }
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
