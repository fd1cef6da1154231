//! The one rule every deletion rests on: a backup listing is usable only if it is
//! self-consistent.
//!
//! ListBackups answers are data from outside (a proxy, a faulty endpoint or a man in the
//! middle can rewrite them), and the retention plan trusts them: a backup listed twice is
//! counted twice, a backup without a creation time is the "oldest", another table's backup
//! is planned under this table's policy. So before any plan exists, every summary must
//! have an ARN, a table name, a creation time, a status and a type; no ARN may appear
//! twice; and every summary must belong to the table it was listed for (a per-table
//! listing: its TableName and the table in its ARN are that table; the account-wide
//! listing: grouped by the table in the ARN, which must agree with TableName), in this
//! client's region and account (and partition). A summary must be dated after DynamoDB had
//! on-demand backups, and a USER backup's creation time must be the one its ARN's backup id
//! carries (DynamoDB's ids start with the creation time in milliseconds): a summary
//! re-dated to look newer or older is caught by its own ARN. A table whose summaries break
//! the rule gets no list at all, only the
//! anomaly: nothing is deleted for it, and it fails like a table whose listing failed.
//!
//! The checker is pure (no I/O), so the rule is property-tested over whole classes of
//! rewritten listings.

use std::collections::HashMap;

use crate::error::quoted as quote;
use crate::model::Backup;

/// One summary of a ListBackups page, as converted from the wire: a backup, or what is
/// missing from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Summary(Backup),
    Malformed {
        /// The summary's BackupArn, when it has one.
        arn: Option<String>,
        /// Its TableName, when it has one.
        table: Option<String>,
        /// What is missing or unreadable, e.g. "BackupCreationDateTime".
        missing: &'static str,
    },
}

/// DynamoDB on-demand backups exist since November 2017: an earlier date is not one.
pub const EARLIEST: i64 = 1_506_816_000_000; // 2017-10-01T00:00:00Z, in ms

/// How far a USER backup's creation time may be from the time in its ARN's backup id.
pub const ID_TOLERANCE_MS: i64 = 10 * 60 * 1000;

/// The creation time (ms since the epoch) a DynamoDB backup id carries
/// (`01489602797149-73d8d5bc`: 14 digits, a dash, 8 hex digits).
pub fn id_millis(arn: &str) -> Option<i64> {
    let id = arn.rsplit_once("/backup/")?.1;
    let (ms, tail) = id.split_once('-')?;
    let ok = ms.len() == 14
        && ms.bytes().all(|c| c.is_ascii_digit())
        && tail.len() == 8
        && tail.bytes().all(|c| c.is_ascii_hexdigit());
    if ok {
        ms.parse().ok()
    } else {
        None
    }
}

/// The partition of a region (`aws`, `aws-cn`, `aws-us-gov`, …).
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// The partition and account inside an ARN.
fn partition_and_account(arn: &str) -> Option<(&str, &str)> {
    let mut it = arn.splitn(6, ':');
    let _arn = it.next()?;
    let partition = it.next()?;
    let _service = it.next()?;
    let _region = it.next()?;
    let account = it.next()?;
    Some((partition, account))
}

/// The table and region inside a backup ARN
/// (`arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME/backup/ID`), if it has that shape.
pub fn arn_parts(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, _partition, service, region, _account, resource] = parts.as_slice() else {
        return None;
    };
    if *arn_word != "arn" || *service != "dynamodb" || region.is_empty() {
        return None;
    }
    if arn.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    match resource.split('/').collect::<Vec<_>>().as_slice() {
        ["table", table, "backup", id] if !table.is_empty() && !id.is_empty() => {
            Some((table, region))
        }
        _ => None,
    }
}

/// A table's checked listing: its backups, or the anomaly that makes it unusable.
pub type Checked = Result<Vec<Backup>, String>;

enum Group {
    Good(Vec<Backup>),
    Refused(String),
}

/// Collects one listing's summaries, page by page, and applies the rule.
pub struct Checker {
    /// The table a per-table listing was made for; `None` for the account-wide listing.
    listed_for: Option<String>,
    region: String,
    /// The account the listing must be of, when known.
    account: Option<String>,
    groups: HashMap<String, Group>,
    /// Set when a summary cannot be attributed to any table (account-wide): then no table's
    /// listing can be trusted to be complete.
    broken: Option<String>,
}

impl Checker {
    /// A checker for the listing of `table` (`None`: every table) in `region`.
    pub fn new(table: Option<&str>, region: &str) -> Checker {
        Checker {
            listed_for: table.map(str::to_string),
            region: region.to_string(),
            account: None,
            groups: HashMap::new(),
            broken: None,
        }
    }

    /// Summaries must also be of this account.
    pub fn in_account(mut self, account: Option<&String>) -> Checker {
        self.account = account.cloned();
        self
    }

    /// What is wrong with a summary's account, partition or dates, if anything.
    fn misplaced_or_misdated(&self, b: &Backup) -> Option<String> {
        let (partition, account) = partition_and_account(&b.backup_arn)?;
        if partition != partition_of(&self.region) {
            return Some(format!(
                "ListBackups in {} returned {}, a backup in partition {}",
                self.region,
                quote(&b.backup_arn),
                quote(partition)
            ));
        }
        if let Some(mine) = &self.account {
            if account != mine {
                return Some(format!(
                    "ListBackups in account {mine} returned {}, a backup of account {}",
                    quote(&b.backup_arn),
                    quote(account)
                ));
            }
        }
        let created = b.created_at.timestamp_millis();
        if created < EARLIEST {
            return Some(format!(
                "ListBackups returned {} dated {}, before DynamoDB had on-demand backups",
                quote(&b.backup_arn),
                b.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ));
        }
        if b.kind == crate::model::BackupKind::User {
            match id_millis(&b.backup_arn) {
                None => {
                    return Some(format!(
                        "ListBackups returned {}, a USER backup whose ARN does not carry DynamoDB's backup id",
                        quote(&b.backup_arn)
                    ))
                }
                Some(ms) if (ms - created).abs() > ID_TOLERANCE_MS => {
                    let said = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                        .unwrap_or_default();
                    return Some(format!(
                        "ListBackups dated {} {}, but its ARN says it was made at {said}",
                        quote(&b.backup_arn),
                        b.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                    ));
                }
                Some(_) => {}
            }
        }
        None
    }

    fn refuse(&mut self, table: &str, anomaly: String) {
        // The first anomaly is reported; the table's backups are dropped (never planned).
        match self.groups.get(table) {
            Some(Group::Refused(_)) => {}
            _ => {
                self.groups
                    .insert(table.to_string(), Group::Refused(anomaly));
            }
        }
    }

    fn push(&mut self, table: &str, b: Backup) {
        match self
            .groups
            .entry(table.to_string())
            .or_insert_with(|| Group::Good(Vec::new()))
        {
            Group::Good(list) => list.push(b),
            Group::Refused(_) => {}
        }
    }

    /// Takes one summary.
    pub fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Malformed {
                arn,
                table,
                missing,
            } => {
                let what = format!(
                    "ListBackups returned a summary without a valid {missing} ({})",
                    arn.as_deref()
                        .map(quote)
                        .unwrap_or_else(|| "no BackupArn".into())
                );
                let from_arn = arn
                    .as_deref()
                    .and_then(arn_parts)
                    .map(|(t, _)| t.to_string());
                match (&self.listed_for, from_arn, table) {
                    (Some(listed), _, _) => {
                        let listed = listed.clone();
                        self.refuse(&listed, what);
                    }
                    (None, Some(a), t) => {
                        if let Some(t) = t.filter(|t| *t != a) {
                            self.refuse(&t, what.clone());
                        }
                        self.refuse(&a, what);
                    }
                    (None, None, Some(t)) => self.refuse(&t, what),
                    (None, None, None) => {
                        self.broken.get_or_insert(what);
                    }
                }
            }
            Entry::Summary(b) => {
                let Some((in_arn, region)) = arn_parts(&b.backup_arn) else {
                    let what = format!(
                        "ListBackups returned a summary without a valid BackupArn ({})",
                        quote(&b.backup_arn)
                    );
                    let key = self.listed_for.clone().unwrap_or_else(|| b.table.clone());
                    self.refuse(&key, what);
                    return;
                };
                let (in_arn, region) = (in_arn.to_string(), region.to_string());
                let key = self.listed_for.clone().unwrap_or_else(|| in_arn.clone());
                if b.table != key || in_arn != key {
                    let what = match &self.listed_for {
                        Some(listed) => format!(
                            "ListBackups for {} returned {}, a backup of {}",
                            quote(listed),
                            quote(&b.backup_arn),
                            quote(if in_arn != *listed { &in_arn } else { &b.table })
                        ),
                        None => format!(
                            "ListBackups returned {} with TableName {}",
                            quote(&b.backup_arn),
                            quote(&b.table)
                        ),
                    };
                    if self.listed_for.is_none() && b.table != key {
                        self.refuse(&b.table.clone(), what.clone());
                    }
                    self.refuse(&key, what);
                    return;
                }
                if region != self.region {
                    let what = format!(
                        "ListBackups in {} returned {}, a backup in {region}",
                        self.region,
                        quote(&b.backup_arn)
                    );
                    self.refuse(&key, what);
                    return;
                }
                if let Some(what) = self.misplaced_or_misdated(&b) {
                    self.refuse(&key, what);
                    return;
                }
                self.push(&key, b);
            }
        }
    }

    /// Every table's checked listing (the listed table alone for a per-table listing, even
    /// when it has no backups), or the anomaly that makes the whole listing unusable.
    pub fn finish(self) -> Result<HashMap<String, Checked>, String> {
        if let Some(broken) = self.broken {
            return Err(broken);
        }
        let mut out: HashMap<String, Checked> = self
            .groups
            .into_iter()
            .map(|(table, g)| {
                let checked = match g {
                    Group::Refused(why) => Err(why),
                    Group::Good(list) => match first_duplicate(&list) {
                        Some(why) => Err(why),
                        None => Ok(list),
                    },
                };
                (table, checked)
            })
            .collect();
        if let Some(t) = self.listed_for {
            out.entry(t).or_insert_with(|| Ok(Vec::new()));
        }
        Ok(out)
    }

    /// The listed table's checked listing (a per-table checker).
    pub fn finish_one(self) -> Checked {
        let listed = self.listed_for.clone().unwrap_or_default();
        let mut all = self.finish()?;
        all.remove(&listed).unwrap_or_else(|| Ok(Vec::new()))
    }
}

/// The first ARN listed twice, described.
fn first_duplicate(list: &[Backup]) -> Option<String> {
    let mut by_arn: Vec<&Backup> = list.iter().collect();
    by_arn.sort_by(|a, b| a.backup_arn.cmp(&b.backup_arn));
    by_arn.windows(2).find_map(|w| {
        (w[0].backup_arn == w[1].backup_arn).then(|| {
            if w[0].created_at == w[1].created_at {
                format!("ListBackups returned {} twice", quote(&w[0].backup_arn))
            } else {
                format!(
                    "ListBackups returned {} twice, with two creation times",
                    quote(&w[0].backup_arn)
                )
            }
        })
    })
}

/// The one line a refused table gets.
pub fn refusal(table: &str, anomaly: &str) -> String {
    format!(
        "{}: {anomaly}: listing refused, nothing deleted",
        quote(table)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BackupKind, BackupStatus};
    use crate::retention::{self, Count, Policy, Rails, Scope};
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use proptest::prelude::*;

    const REGION: &str = "us-east-1";

    /// A backup ARN whose id carries the creation time, as DynamoDB's do.
    fn arn_at(table: &str, i: u64, at: DateTime<Utc>) -> String {
        format!(
            "arn:aws:dynamodb:{REGION}:123456789012:table/{table}/backup/{:014}-{:08x}",
            at.timestamp_millis(),
            i
        )
    }

    fn backup(table: &str, i: u64, at: DateTime<Utc>) -> Backup {
        Backup {
            table: table.to_string(),
            backup_arn: arn_at(table, i, at),
            backup_name: format!("{table}.{}", at.format("%Y-%m-%dT%H-%M-%SZ")),
            status: BackupStatus::Available,
            kind: BackupKind::User,
            created_at: at,
            size_bytes: Some(10),
            expires_at: None,
            table_arn: None,
        }
    }

    fn check(table: Option<&str>, entries: Vec<Entry>) -> Result<HashMap<String, Checked>, String> {
        let account = "123456789012".to_string();
        let mut c = Checker::new(table, REGION).in_account(Some(&account));
        for e in entries {
            c.add(e);
        }
        c.finish()
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_clean_listing_passes_whole() {
        let list: Vec<Backup> = (0..5)
            .map(|i| backup("orders", i, t0() + Duration::days(i as i64)))
            .collect();
        let got = check(
            Some("orders"),
            list.iter().cloned().map(Entry::Summary).collect(),
        )
        .unwrap();
        assert_eq!(got["orders"].as_ref().unwrap(), &list);
        // A table with no backups has an empty, usable listing.
        let empty = check(Some("orders"), vec![]).unwrap();
        assert_eq!(empty["orders"].as_ref().unwrap(), &Vec::<Backup>::new());
    }

    #[test]
    fn each_anomaly_refuses_the_table_with_its_reason() {
        let a = backup("orders", 1, t0());
        let b = backup("orders", 2, t0() + Duration::days(1));
        let cases: Vec<(Vec<Entry>, &str)> = vec![
            (
                vec![
                    Entry::Summary(a.clone()),
                    Entry::Summary(b.clone()),
                    Entry::Summary(b.clone()),
                ],
                "twice",
            ),
            (
                vec![
                    Entry::Summary(a.clone()),
                    Entry::Summary(Backup {
                        created_at: t0() - Duration::days(9),
                        ..b.clone()
                    }),
                    Entry::Summary(b.clone()),
                ],
                "its ARN says it was made at",
            ),
            (
                vec![Entry::Summary(Backup {
                    created_at: t0() + Duration::days(30),
                    ..a.clone()
                })],
                "its ARN says it was made at",
            ),
            (
                vec![Entry::Summary(Backup {
                    created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
                    ..a.clone()
                })],
                "before DynamoDB had on-demand backups",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: a.backup_arn.replace(":123456789012:", ":999999999999:"),
                    ..a.clone()
                })],
                "a backup of account '999999999999'",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: a.backup_arn.replace("arn:aws:", "arn:aws-cn:"),
                    ..a.clone()
                })],
                "partition 'aws-cn'",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: a.backup_arn.replace("arn:", "arn: "),
                    ..a.clone()
                })],
                "without a valid BackupArn",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: a.backup_arn.replace("-00000001", "-made-up"),
                    ..a.clone()
                })],
                "does not carry DynamoDB's backup id",
            ),
            (
                vec![
                    Entry::Summary(a.clone()),
                    Entry::Malformed {
                        arn: Some(b.backup_arn.clone()),
                        table: Some("orders".into()),
                        missing: "BackupCreationDateTime",
                    },
                ],
                "without a valid BackupCreationDateTime",
            ),
            (
                vec![
                    Entry::Summary(a.clone()),
                    Entry::Summary(backup("other", 3, t0())),
                ],
                "a backup of 'other'",
            ),
            (
                vec![
                    Entry::Summary(a.clone()),
                    Entry::Summary(Backup {
                        table: "other".into(),
                        ..b.clone()
                    }),
                ],
                "a backup of 'other'",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: b.backup_arn.replace(REGION, "eu-west-1"),
                    ..b.clone()
                })],
                "a backup in eu-west-1",
            ),
            (
                vec![Entry::Summary(Backup {
                    backup_arn: "nonsense".into(),
                    ..b.clone()
                })],
                "without a valid BackupArn",
            ),
        ];
        for (entries, want) in cases {
            let got = check(Some("orders"), entries).unwrap();
            let err = got["orders"].as_ref().unwrap_err();
            assert!(err.contains(want), "{err} should say {want}");
        }
    }

    #[test]
    fn the_account_wide_listing_refuses_only_the_tables_concerned() {
        let good = backup("users", 1, t0());
        let dup = backup("orders", 2, t0());
        let liar = Backup {
            table: "audit".into(),
            ..backup("carts", 3, t0())
        };
        let got = check(
            None,
            vec![
                Entry::Summary(good.clone()),
                Entry::Summary(dup.clone()),
                Entry::Summary(dup),
                Entry::Summary(liar),
            ],
        )
        .unwrap();
        assert_eq!(got["users"].as_ref().unwrap(), &vec![good]);
        assert!(got["orders"].as_ref().unwrap_err().contains("twice"));
        // The table in the ARN and the one in TableName are both refused.
        assert!(got["carts"]
            .as_ref()
            .unwrap_err()
            .contains("TableName 'audit'"));
        assert!(got["audit"]
            .as_ref()
            .unwrap_err()
            .contains("TableName 'audit'"));
        // A summary that names no table at all makes the whole listing unusable.
        let broken = check(
            None,
            vec![Entry::Malformed {
                arn: None,
                table: None,
                missing: "BackupArn",
            }],
        );
        assert!(broken.unwrap_err().contains("no BackupArn"));
    }

    #[test]
    fn quoted_values_are_bounded() {
        let long = "x".repeat(700_000);
        let q = quote(&long);
        assert!(q.len() < 300, "{}", q.len());
        assert!(q.ends_with("…' (700000 characters)"));
        assert_eq!(quote("short"), "'short'");
    }

    /// What a hostile or broken endpoint can do to a clean listing.
    #[derive(Debug, Clone)]
    enum Rewrite {
        Duplicate(usize),
        Redate(usize, i64),
        DropField(usize, usize),
        MixIn(usize),
        RenameTable(usize),
        Swap(usize, usize),
        /// One summary's date changed in place (no second copy).
        RedateInPlace(usize, i64),
        /// One summary's ARN moved to another account.
        OtherAccount(usize),
    }

    fn rewrite() -> impl Strategy<Value = Rewrite> {
        prop_oneof![
            any::<usize>().prop_map(Rewrite::Duplicate),
            (any::<usize>(), -400i64..400).prop_map(|(i, d)| Rewrite::Redate(i, d)),
            (any::<usize>(), 0usize..5).prop_map(|(i, f)| Rewrite::DropField(i, f)),
            any::<usize>().prop_map(Rewrite::MixIn),
            any::<usize>().prop_map(Rewrite::RenameTable),
            (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Rewrite::Swap(i, j)),
            (any::<usize>(), -400i64..400).prop_map(|(i, d)| Rewrite::RedateInPlace(i, d)),
            any::<usize>().prop_map(Rewrite::OtherAccount),
        ]
    }

    fn apply(entries: &mut Vec<Entry>, r: &Rewrite, foreign: &[Backup]) {
        if entries.is_empty() {
            return;
        }
        let n = entries.len();
        match r {
            Rewrite::Duplicate(i) => {
                let e = entries[i % n].clone();
                entries.push(e);
            }
            Rewrite::Redate(i, days) => {
                if let Entry::Summary(b) = &entries[i % n] {
                    let mut c = b.clone();
                    c.created_at += Duration::days(*days);
                    entries.push(Entry::Summary(c));
                }
            }
            Rewrite::DropField(i, f) => {
                if let Entry::Summary(b) = &entries[i % n] {
                    let missing = [
                        "BackupArn",
                        "TableName",
                        "BackupCreationDateTime",
                        "BackupStatus",
                        "BackupType",
                    ][*f];
                    entries[i % n] = Entry::Malformed {
                        arn: (missing != "BackupArn").then(|| b.backup_arn.clone()),
                        table: (missing != "TableName").then(|| b.table.clone()),
                        missing,
                    };
                }
            }
            Rewrite::MixIn(i) => entries.push(Entry::Summary(foreign[i % foreign.len()].clone())),
            Rewrite::RenameTable(i) => {
                if let Entry::Summary(b) = &mut entries[i % n] {
                    b.table = format!("{}x", b.table);
                }
            }
            Rewrite::Swap(i, j) => entries.swap(i % n, j % n),
            Rewrite::RedateInPlace(i, days) => {
                if let Entry::Summary(b) = &mut entries[i % n] {
                    // Any shift beyond the id tolerance (a day or more, here, or to 1970).
                    b.created_at += Duration::days(if *days == 0 { -30_000 } else { *days });
                }
            }
            Rewrite::OtherAccount(i) => {
                if let Entry::Summary(b) = &mut entries[i % n] {
                    b.backup_arn = b.backup_arn.replace(":123456789012:", ":999999999999:");
                }
            }
        }
    }

    /// The deletions the tool would make for `table` from a listing, as ARNs.
    fn deletions(checked: Option<&Checked>, table: &str, now: DateTime<Utc>) -> Vec<String> {
        let Some(Ok(list)) = checked else {
            return Vec::new();
        };
        let managed = |_: &Backup| false;
        let scope = Scope {
            is_managed: &managed,
            include_unmanaged: true,
        };
        let policy = Policy {
            last: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let rails = Rails {
            min_keep: 1,
            ..Rails::default()
        };
        let plan = retention::plan(table, list, &policy, &rails, &scope, now, chrono_tz::UTC);
        let mut out: Vec<String> = plan
            .to_delete()
            .map(|d| d.backup.backup_arn.clone())
            .collect();
        out.sort();
        out
    }

    proptest! {
        /// For any listing obtained from a clean one by duplicating, re-dating (a copy, or in
        /// place), dropping fields, reordering, moving to another account or mixing in other
        /// tables' summaries, the deletions made from
        /// it are a subset of those made from the clean listing; only a listing that is
        /// still self-consistent (a reordering) is planned at all, and then identically.
        #[test]
        fn no_rewrite_of_a_listing_widens_a_deletion(
            days in prop::collection::btree_set(0i64..400, 1..25),
            rewrites in prop::collection::vec(rewrite(), 1..6),
            account_wide in any::<bool>(),
        ) {
            let now = t0() + Duration::days(401);
            let clean: Vec<Backup> = days.iter().enumerate()
                .map(|(i, d)| backup("orders", i as u64, t0() + Duration::days(*d)))
                .collect();
            let foreign: Vec<Backup> = (0..3).map(|i| backup("other", 100 + i, t0() + Duration::days(i as i64 * 7))).collect();
            let listed_for = (!account_wide).then_some("orders");
            let clean_checked = check(listed_for, clean.iter().cloned().map(Entry::Summary).collect()).unwrap();
            let want = deletions(clean_checked.get("orders"), "orders", now);

            let mut entries: Vec<Entry> = clean.iter().cloned().map(Entry::Summary).collect();
            for r in &rewrites {
                apply(&mut entries, r, &foreign);
            }
            let only_reordered = rewrites.iter().all(|r| matches!(r, Rewrite::Swap(..)));
            match check(listed_for, entries) {
                Err(_) => {}
                Ok(got) => {
                    let del = deletions(got.get("orders"), "orders", now);
                    prop_assert!(del.iter().all(|a| want.contains(a)), "{del:?} not within {want:?}");
                    if only_reordered {
                        prop_assert_eq!(del, want);
                    } else if !account_wide {
                        // Any other rewrite of a per-table listing refuses it.
                        prop_assert!(got["orders"].is_err(), "{:?}", got["orders"]);
                    }
                }
            }
        }
    }
}
