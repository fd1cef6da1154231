//! The one backup listing of a run, shared by every table's journey.
//!
//! A run needs each selected table's complete list of backups (for skip-if-recent, the
//! prune plan, check). There are two ways to get them: one ListBackups listing per table
//! (at least one page each), or one account-wide listing without `TableName` (⌈all
//! backups / 100⌉ pages, grouped by table here). ListBackups is limited to 5 calls/s, so
//! the cheaper one is chosen from what the run knows before it lists anything:
//!
//! * the selection came from ListTables (globs, tags, `--all-tables`), so the number of
//!   tables in the region is known: the account-wide listing when the selected tables are
//!   at least [`ACCOUNT_WIDE_SHARE`] of them (it then costs about as many pages as one per
//!   table would, and far fewer when tables have few backups);
//! * only named tables: fewer than [`LEARN_REGION_FROM`] are cheapest listed one by one;
//!   from that many on, one ListTables listing learns the region's size first
//!   ([`learn_region`]) and the same share decides (a config written by `config init`
//!   names every table of its region).
//!
//! The safety rule does not depend on the choice: a listing that fails on any page is
//! incomplete, and every table it covers gets that error instead of a list, so nothing is
//! deleted for them.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tracing::Instrument;

use aws_sdk_dynamodb::types::BackupTypeFilter;
use tokio::sync::OnceCell;

use super::{Dynamo, ListFilter};
use crate::error::{AwsError, AwsErrorKind};
use crate::ids::table_name;
use crate::model::Backup;

/// The account-wide listing is chosen when the run selects at least this share of the
/// region's tables. With B backups per table it costs ⌈T·B/100⌉ pages against S·⌈B/100⌉
/// for S tables listed one by one; at B = 50 (a typical daily/weekly/monthly policy) they
/// are equal at S = T/2, and below 100 backups per table the account-wide listing only
/// gets cheaper as S grows.
pub const ACCOUNT_WIDE_SHARE: f64 = 0.5;

/// How a run lists backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    PerTable,
    AccountWide,
}

impl Strategy {
    /// The cheaper listing for `selected` tables out of `in_region` (when known).
    pub fn choose(selected: usize, in_region: Option<usize>) -> Strategy {
        match in_region {
            Some(total) if total > 0 && selected as f64 >= ACCOUNT_WIDE_SHARE * total as f64 => {
                Strategy::AccountWide
            }
            _ => Strategy::PerTable,
        }
    }
}

/// A selection of named tables (which needed no ListTables to be found) learns the
/// region's size from this many tables on, so that [`Strategy::choose`] can weigh the
/// account-wide listing. Listed one by one, N named tables cost N ListBackups calls paced
/// under 5/s: 10 of them take 2 s, 300 a minute. ListTables returns 100 names a call under
/// the control plane's 2,500/s, and is given up as soon as the region holds more than
/// N / [`ACCOUNT_WIDE_SHARE`] tables (the per-table listing is chosen then anyway), so it
/// costs at most ⌈(2N + 1) / 100⌉ calls of a round trip each: one for N = 10. From 10 on
/// that one call is small against the seconds of ListBackups it can save; below, the
/// per-table listing is a second or two and the call would be spent for little.
pub const LEARN_REGION_FROM: usize = 10;

/// Learns `in_region` and `existing` (as a selection from ListTables would have set them)
/// for `selected` named tables, when [`LEARN_REGION_FROM`] says it pays and they are not
/// known yet. Nothing is learned when the region holds too many tables for the
/// account-wide listing to be chosen, or when ListTables fails: the run then lists table
/// by table, as it would have without the attempt (ListTables is an optimisation here, and
/// a role limited to the tables it names need not be allowed it). A named table that does
/// not exist is not among the learned names, so its empty listing is still confirmed with
/// DescribeTable and reported as not found.
pub async fn learn_region(
    dynamo: &Dynamo,
    selected: usize,
    in_region: &mut Option<usize>,
    existing: &mut HashSet<String>,
) {
    if in_region.is_some() || selected < LEARN_REGION_FROM {
        return;
    }
    // Strategy::choose picks the account-wide listing only for at most this many tables.
    let most = (selected as f64 / ACCOUNT_WIDE_SHARE).floor() as usize;
    match dynamo.list_tables_within(most).await {
        Ok(Some(names)) => {
            *in_region = Some(names.len());
            existing.extend(names);
        }
        Ok(None) => tracing::debug!(
            "the region holds more than {most} tables: {selected} named tables are listed one \
             by one"
        ),
        Err(e) if e.kind == AwsErrorKind::Interrupted => tracing::debug!("{e}"),
        Err(e) => tracing::info!(
            "the region's tables could not be listed, so {selected} named tables are listed \
             one by one: {e}"
        ),
    }
}

type Grouped = Mutex<super::ByTable>;

/// The run's listing: every table's complete backups, each handed out once.
pub struct RunListing {
    dynamo: Dynamo,
    strategy: Strategy,
    all: Arc<OnceCell<Result<Grouped, AwsError>>>,
    taken: Mutex<HashSet<String>>,
    /// Tables ListTables just returned: an empty listing of one of them needs no check
    /// that the table exists.
    existing: HashSet<String>,
}

/// Every backup type: SYSTEM and AWS_BACKUP ones are shown in plans with their reason.
fn filter() -> ListFilter {
    ListFilter {
        kind: Some(BackupTypeFilter::All),
        since: None,
        until: None,
    }
}

async fn list_all(dynamo: Dynamo) -> Result<Grouped, AwsError> {
    Ok(Mutex::new(dynamo.list_all_backups(&filter()).await?))
}

impl RunListing {
    /// Starts the listing of `selected` tables, the cheaper way for a region of `in_region`
    /// tables (learned first for enough named tables: [`learn_region`]); `existing` are the
    /// tables ListTables returned. The account-wide listing starts paging in now, while the
    /// run goes on (its backups overlap it).
    pub async fn start(
        dynamo: &Dynamo,
        selected: usize,
        mut in_region: Option<usize>,
        mut existing: HashSet<String>,
    ) -> Arc<RunListing> {
        learn_region(dynamo, selected, &mut in_region, &mut existing).await;
        let strategy = Strategy::choose(selected, in_region);
        let listing = Arc::new(RunListing {
            dynamo: dynamo.clone(),
            strategy,
            all: Arc::new(OnceCell::new()),
            taken: Mutex::new(HashSet::new()),
            existing,
        });
        if strategy == Strategy::AccountWide {
            tracing::info!("listing the backups of every table in one account-wide listing");
            let (cell, d) = (listing.all.clone(), dynamo.clone());
            tokio::spawn(
                async move {
                    cell.get_or_init(|| list_all(d)).await;
                }
                .in_current_span(),
            );
        }
        listing
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The complete list of `table`'s backups, or the error that makes it incomplete.
    /// Each table is asked for once per run.
    pub async fn backups_of(&self, table: &str) -> Result<Vec<Backup>, AwsError> {
        let name = table_name(table).to_string();
        let first = self
            .taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone());
        if !first {
            return Err(AwsError {
                kind: AwsErrorKind::Other,
                operation: "ListBackups",
                message: format!("internal error: the backups of '{name}' were asked for twice"),
            });
        }
        let listed = match self.strategy {
            Strategy::PerTable => self.dynamo.list_backups(table, &filter()).await,
            Strategy::AccountWide => {
                let d = self.dynamo.clone();
                match self.all.get_or_init(|| list_all(d)).await {
                    Ok(grouped) => grouped
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&name)
                        .unwrap_or_else(|| Ok(Vec::new())),
                    Err(e) => Err(AwsError {
                        kind: e.kind,
                        operation: e.operation,
                        message: format!(
                            "the account-wide backup listing is incomplete, so '{name}' has \
                             no complete listing: {}",
                            e.message
                        ),
                    }),
                }
            }
        };
        let listed = listed?;
        if self.existing.contains(&name) {
            return Ok(listed);
        }
        self.dynamo.confirm_listed(table, listed).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cheaper_listing_is_chosen_from_what_is_known() {
        assert_eq!(Strategy::choose(3, None), Strategy::PerTable);
        assert_eq!(Strategy::choose(2000, None), Strategy::PerTable);
        assert_eq!(Strategy::choose(3, Some(2500)), Strategy::PerTable);
        assert_eq!(Strategy::choose(1250, Some(2500)), Strategy::AccountWide);
        assert_eq!(Strategy::choose(600, Some(600)), Strategy::AccountWide);
        assert_eq!(Strategy::choose(0, Some(0)), Strategy::PerTable);
    }
}
