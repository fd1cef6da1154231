//! The retention policy: a pure function from (one table's complete backup list, policy,
//! safety rails, now, timezone) to a plan in which every backup is kept or deleted, each
//! with the reasons. No I/O happens here.
//!
//! The keep rules have restic `forget`'s meaning (see the README's "Retention semantics");
//! the safety rails are applied afterwards and cannot be switched off by the policy.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::quoted;
use crate::model::{Backup, BackupKind, BackupStatus};
use crate::timeparse::Span;

/// N backups, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Limited(u32),
    Unlimited,
}

impl FromStr for Count {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("unlimited") {
            return Ok(Count::Unlimited);
        }
        match t.parse::<u32>() {
            Ok(0) => Err(format!(
                "invalid count {}: must be at least 1 (or 'unlimited')",
                quoted(s)
            )),
            Ok(n) => Ok(Count::Limited(n)),
            Err(_) => Err(format!(
                "invalid count {}: give a whole number ≥ 1 or 'unlimited'",
                quoted(s)
            )),
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Limited(n) => write!(f, "{n}"),
            Count::Unlimited => f.write_str("unlimited"),
        }
    }
}

/// The keep rules. A backup is kept when any rule keeps it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub last: Option<Count>,
    pub hourly: Option<Count>,
    pub daily: Option<Count>,
    pub weekly: Option<Count>,
    pub monthly: Option<Count>,
    pub yearly: Option<Count>,
    pub within: Option<Span>,
    pub within_hourly: Option<Span>,
    pub within_daily: Option<Span>,
    pub within_weekly: Option<Span>,
    pub within_monthly: Option<Span>,
    pub within_yearly: Option<Span>,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }

    /// A short description such as `daily 7, weekly 4, within 30d`.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        for (name, c) in self.counts() {
            if let Some(c) = c {
                out.push(format!("{} {c}", name.label()));
            }
        }
        if let Some(w) = &self.within {
            out.push(format!("within {w}"));
        }
        for (b, s) in self.withins() {
            if let Some(s) = s {
                out.push(format!("{} within {s}", b.label()));
            }
        }
        out.join(", ")
    }

    fn counts(&self) -> [(Bucketing, Option<Count>); 6] {
        [
            (Bucketing::Last, self.last),
            (Bucketing::Hourly, self.hourly),
            (Bucketing::Daily, self.daily),
            (Bucketing::Weekly, self.weekly),
            (Bucketing::Monthly, self.monthly),
            (Bucketing::Yearly, self.yearly),
        ]
    }

    fn withins(&self) -> [(Bucketing, Option<&Span>); 5] {
        [
            (Bucketing::Hourly, self.within_hourly.as_ref()),
            (Bucketing::Daily, self.within_daily.as_ref()),
            (Bucketing::Weekly, self.within_weekly.as_ref()),
            (Bucketing::Monthly, self.within_monthly.as_ref()),
            (Bucketing::Yearly, self.within_yearly.as_ref()),
        ]
    }
}

/// Safety rails enforced after the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Rails {
    /// Never leave fewer than this many AVAILABLE managed backups.
    pub min_keep: u32,
    /// Delete nothing unless `min_keep` (at least 1) candidates are younger than this.
    pub require_recent: Option<Span>,
    /// Delete nothing when the plan would delete more than this.
    pub max_delete: Option<u32>,
}

impl Default for Rails {
    fn default() -> Self {
        Rails {
            min_keep: 2,
            require_recent: None,
            max_delete: None,
        }
    }
}

/// A backup dated this far past "now" is not mistaken for clock noise: it is reported as
/// clock skew, and never taken as proof that backups are recent.
pub const CLOCK_TOLERANCE_SECS: i64 = 300;

/// True when `t` lies in the future of `now` by more than the tolerance: a wrong clock
/// (this host's or the service's), never evidence of a fresh backup.
pub fn dated_in_future(t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    t > now + Duration::seconds(CLOCK_TOLERANCE_SECS)
}

/// Which backups are candidates for deletion at all.
pub struct Scope<'a> {
    /// True for backups this tool made of the table ([`crate::names::is_managed`]).
    pub is_managed: &'a (dyn Fn(&Backup) -> bool + Sync),
    /// Also consider USER backups this tool did not make.
    pub include_unmanaged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Keep,
    Delete,
    /// The policy would delete it, but a safety rail held the table's whole plan.
    Hold,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    #[serde(flatten)]
    pub backup: Backup,
    pub action: Action,
    pub reasons: Vec<String>,
}

/// The plan for one table. `decisions` are ordered newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub table: String,
    /// Set when a safety rail stopped every deletion for this table (a failure).
    pub held: Option<String>,
    /// Set when backups are dated in the future of "now" (DynamoDB's clock as its responses
    /// date it, beyond a small tolerance): the backups' times or that clock are wrong. The plan does not depend
    /// on it: windows are measured from the newest backup, not from "now".
    pub clock_skew: Option<String>,
    /// Set when `keep_within` is shorter than the interval between the table's two newest
    /// candidates not dated in the future (the ones that anchor the windows): the window
    /// then keeps only what the safety rails keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_window: Option<String>,
    pub decisions: Vec<Decision>,
}

impl Plan {
    pub fn to_delete(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| d.action == Action::Delete)
    }

    pub fn count(&self, action: Action) -> usize {
        self.decisions.iter().filter(|d| d.action == action).count()
    }

    /// The plan's backups counted apart by what they are: a CREATING or DELETED backup is
    /// never deleted, but it is not one that the table keeps either.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for d in &self.decisions {
            match (d.backup.status, d.action) {
                (BackupStatus::Creating, _) => t.creating += 1,
                (BackupStatus::Deleted, _) => t.deleted_elsewhere += 1,
                (BackupStatus::Available, Action::Delete) => t.to_delete += 1,
                (BackupStatus::Available, Action::Keep | Action::Hold) => t.kept += 1,
            }
        }
        t
    }
}

/// How a plan's backups are counted in reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// AVAILABLE backups that stay: kept by a rule or a safety rail, held, or not this
    /// tool's to delete.
    pub kept: usize,
    /// AVAILABLE backups the plan deletes.
    pub to_delete: usize,
    /// Backups still CREATING (never deleted; they count once AVAILABLE).
    pub creating: usize,
    /// Backups the listing shows as DELETED: deleted by someone else, not kept.
    pub deleted_elsewhere: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucketing {
    Last,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Bucketing {
    fn label(self) -> &'static str {
        match self {
            Bucketing::Last => "last",
            Bucketing::Hourly => "hourly",
            Bucketing::Daily => "daily",
            Bucketing::Weekly => "weekly",
            Bucketing::Monthly => "monthly",
            Bucketing::Yearly => "yearly",
        }
    }

    /// The calendar bucket of `t` in `tz`; `Last` makes every position its own bucket.
    fn bucket(self, t: DateTime<Utc>, tz: Tz, position: usize) -> BucketKey {
        let l = t.with_timezone(&tz);
        match self {
            Bucketing::Last => (position as i64, 0, 0, 0),
            Bucketing::Hourly => (l.year() as i64, l.month(), l.day(), l.hour()),
            Bucketing::Daily => (l.year() as i64, l.month(), l.day(), 0),
            Bucketing::Weekly => {
                let w = l.iso_week();
                (w.year() as i64, w.week(), 0, 0)
            }
            Bucketing::Monthly => (l.year() as i64, l.month(), 0, 0),
            Bucketing::Yearly => (l.year() as i64, 0, 0, 0),
        }
    }
}

/// Why a backup is not a candidate for deletion, if it is not.
fn exclusion(b: &Backup, scope: &Scope<'_>) -> Option<&'static str> {
    match b.kind {
        BackupKind::System => return Some("SYSTEM backup"),
        BackupKind::AwsBackup => return Some("AWS_BACKUP backup"),
        BackupKind::Unknown => return Some("unknown type"),
        BackupKind::User => {}
    }
    match b.status {
        BackupStatus::Creating => return Some("still CREATING"),
        BackupStatus::Deleted => return Some("already DELETED"),
        BackupStatus::Available => {}
    }
    if !scope.include_unmanaged && !(scope.is_managed)(b) {
        return Some("not managed by ddb-backup");
    }
    None
}

/// Orders backups newest first; ties are broken by ARN so the plan is deterministic.
pub fn newest_first(backups: &mut [Backup]) {
    backups.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| a.backup_arn.cmp(&b.backup_arn))
    });
}

type BucketKey = (i64, u32, u32, u32);

/// The restic `forget` walk over the candidates (sorted newest first): the reasons each
/// candidate is kept for (empty = not kept).
///
/// The `within` windows are measured back from the newest candidate, as restic does, so
/// a host clock behind or ahead of DynamoDB's plans what a correct one would. One
/// exception makes clock skew unable to widen a deletion: a candidate dated in the future
/// of "now" does not anchor the windows while an older candidate can (a lone backup dated
/// a year ahead would otherwise move every window past the real recent backups). An
/// earlier anchor only ever keeps more.
fn keep_reasons(
    cands: &[&Backup],
    policy: &Policy,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<Vec<String>> {
    let mut reasons = vec![Vec::new(); cands.len()];
    let latest = cands
        .iter()
        .map(|b| b.created_at)
        .find(|t| !dated_in_future(*t, now))
        .or_else(|| cands.first().map(|b| b.created_at));
    let mut counts: Vec<(Bucketing, Count, Option<BucketKey>)> = policy
        .counts()
        .iter()
        .filter_map(|(b, c)| c.map(|c| (*b, c, None)))
        .collect();
    let mut withins: Vec<(Bucketing, &Span, Option<BucketKey>)> = policy
        .withins()
        .iter()
        .filter_map(|(b, s)| s.map(|s| (*b, s, None)))
        .collect();
    let last_index = cands.len().saturating_sub(1);
    for (i, b) in cands.iter().enumerate() {
        let inside = |span: &Span| latest.is_some_and(|l| b.created_at > l - span.chrono());
        if let Some(span) = &policy.within {
            if inside(span) {
                reasons[i].push(format!("within {span}"));
            }
        }
        for (rule, count, last_bucket) in counts.iter_mut() {
            if *count == Count::Limited(0) {
                continue;
            }
            let bucket = rule.bucket(b.created_at, tz, i);
            if Some(bucket) != *last_bucket || i == last_index {
                reasons[i].push(rule.label().to_string());
                *last_bucket = Some(bucket);
                if let Count::Limited(n) = count {
                    *n -= 1;
                }
            }
        }
        for (rule, span, last_bucket) in withins.iter_mut() {
            let bucket = rule.bucket(b.created_at, tz, i);
            if inside(span) && Some(bucket) != *last_bucket {
                reasons[i].push(format!("{} within {span}", rule.label()));
                *last_bucket = Some(bucket);
            }
        }
    }
    reasons
}

/// Plans one table. `backups` must be the table's complete listing.
pub fn plan(
    table: &str,
    backups: &[Backup],
    policy: &Policy,
    rails: &Rails,
    scope: &Scope<'_>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Plan {
    let mut sorted = backups.to_vec();
    newest_first(&mut sorted);
    // A candidate dated in the future of DynamoDB's clock is kept and left out of every
    // rule and rail: counted, it would take the place of real recent backups under
    // keep-last, the count rules and min-keep, and free them for deletion. Left out, the
    // plan deletes at most what it would without that backup.
    let excluded: Vec<Option<&'static str>> = sorted
        .iter()
        .map(|b| {
            exclusion(b, scope).or_else(|| {
                dated_in_future(b.created_at, now).then_some(
                    "dated in the future of DynamoDB's clock: kept, and not counted by the \
                     keep rules or the safety rails",
                )
            })
        })
        .collect();
    let cand_idx: Vec<usize> = (0..sorted.len())
        .filter(|i| excluded[*i].is_none())
        .collect();
    let cands: Vec<&Backup> = cand_idx.iter().map(|i| &sorted[*i]).collect();
    let mut keep: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (k, r) in keep_reasons(&cands, policy, now, tz)
        .into_iter()
        .enumerate()
    {
        if !r.is_empty() {
            keep.insert(k, r);
        }
    }
    // Rail: the newest AVAILABLE candidate is always kept.
    if !cands.is_empty() {
        keep.entry(0)
            .or_default()
            .push("newest available".to_string());
    }
    // Rail: the newest min-keep AVAILABLE managed backups are always kept (so never fewer
    // than min-keep remain, and which ones are protected does not depend on the rules).
    let min_keep = rails.min_keep as usize;
    for k in 0..min_keep.min(cands.len()) {
        let r = keep.entry(k).or_default();
        if r.is_empty() || r == &["newest available"] {
            r.push("min-keep".to_string());
        }
    }
    let deletions = cands.len() - keep.len();
    let ahead: Vec<&Backup> = sorted
        .iter()
        .filter(|b| dated_in_future(b.created_at, now))
        .collect();
    let clock_skew = ahead.first().map(|newest| {
        format!(
            "{} dated in the future of DynamoDB's clock (as its responses date it), the newest \
             by {} ({}): the backups' creation times and that clock disagree (with an emulator \
             or a proxy as the endpoint, check its clock); windows are measured from the newest \
             backup not dated in the future, which keeps at least what a correct clock would",
            crate::error::count(ahead.len(), "backup", "backups"),
            crate::timeparse::format_age(newest.created_at - now),
            newest.backup_name
        )
    });
    // Measured between the two newest candidates that can anchor the windows (see
    // `keep_reasons`): a backup dated in the future anchors nothing and is kept by the
    // window anyway, so it never makes the window look short.
    let mut anchors = cands.iter().filter(|b| !dated_in_future(b.created_at, now));
    let short_window = match (&policy.within, anchors.next(), anchors.next()) {
        (Some(w), Some(newest), Some(next)) if w.chrono() < newest.created_at - next.created_at => {
            let future = !ahead.is_empty();
            Some(format!(
                "keep-within {w} is shorter than the {} between the two newest backups{}: it \
                 keeps only the newest{}, and the others are kept only by other rules or the \
                 safety rails",
                crate::timeparse::format_age(newest.created_at - next.created_at),
                if future {
                    " not dated in the future"
                } else {
                    ""
                },
                if future {
                    " of them and those dated in the future"
                } else {
                    ""
                },
            ))
        }
        _ => None,
    };
    let mut held = None;
    if let Some(span) = &rails.require_recent {
        let needed = min_keep.max(1);
        // A backup dated in the future proves nothing about freshness.
        let recent = cands
            .iter()
            .filter(|b| b.created_at > now - span.chrono() && !dated_in_future(b.created_at, now))
            .count();
        if recent < needed {
            held = Some(format!(
                "only {recent} AVAILABLE managed backup(s) newer than {span}, need {needed}: \
                 backups may have stopped arriving{}, so nothing is deleted",
                if clock_skew.is_some() {
                    " (backups dated in the future do not count)"
                } else {
                    ""
                }
            ));
        }
    }
    if held.is_none() {
        if let Some(max) = rails.max_delete {
            if deletions > max as usize {
                held = Some(format!(
                    "the plan would delete {deletions} backups, more than --max-delete {max}; \
                     nothing is deleted (check the policy, or raise --max-delete)"
                ));
            }
        }
    }
    let mut decisions = Vec::with_capacity(sorted.len());
    let mut k = 0;
    for (i, b) in sorted.into_iter().enumerate() {
        let (action, reasons) = if let Some(why) = excluded[i] {
            (Action::Keep, vec![why.to_string()])
        } else {
            let d = match keep.remove(&k) {
                Some(r) => (Action::Keep, r),
                None if held.is_some() => (
                    Action::Hold,
                    vec!["no keep rule matched; held by a safety rail".to_string()],
                ),
                None => (Action::Delete, vec!["no keep rule matched".to_string()]),
            };
            k += 1;
            d
        };
        decisions.push(Decision {
            backup: b,
            action,
            reasons,
        });
    }
    Plan {
        table: table.to_string(),
        held,
        clock_skew,
        short_window,
        decisions,
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_window_shorter_than_the_backup_interval_is_reported() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let managed = |_: &Backup| true;
        let scope = Scope {
            is_managed: &managed,
            include_unmanaged: false,
        };
        let backups: Vec<Backup> = (0..12)
            .map(|i| Backup {
                table: "orders".into(),
                backup_arn: format!(
                    "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/{i:014}-ab"
                ),
                backup_name: format!("b{i}"),
                status: BackupStatus::Available,
                kind: BackupKind::User,
                created_at: now - Duration::days(15 * i),
                size_bytes: None,
                expires_at: None,
                table_arn: None,
            })
            .collect();
        let plan_with = |w: &str| {
            let policy = Policy {
                within: Some(w.parse().unwrap()),
                ..Policy::default()
            };
            plan(
                "orders",
                &backups,
                &policy,
                &Rails::default(),
                &scope,
                now,
                chrono_tz::UTC,
            )
        };
        let short = plan_with("6min");
        let why = short.short_window.expect("reported");
        assert!(
            why.starts_with("keep-within 6min is shorter than the 15d between"),
            "{why}"
        );
        assert!(plan_with("6months").short_window.is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate, TimeZone};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn managed(b: &Backup) -> bool {
        b.backup_name.starts_with("ddb-backup.")
    }

    const SCOPE: Scope<'static> = Scope {
        is_managed: &managed,
        include_unmanaged: false,
    };

    fn backup(i: usize, at: DateTime<Utc>) -> Backup {
        Backup {
            table: "t".into(),
            backup_arn: format!("arn:aws:dynamodb:us-east-1:1:table/t/backup/{i:08}"),
            backup_name: format!("ddb-backup.t.{i}"),
            status: BackupStatus::Available,
            kind: BackupKind::User,
            created_at: at,
            size_bytes: Some(1),
            expires_at: None,
            table_arn: None,
        }
    }

    fn daily(from: NaiveDate, to: NaiveDate, hour: u32) -> Vec<Backup> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            let t = Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap());
            out.push(backup(out.len(), t));
            d = d.succ_opt().unwrap();
        }
        out
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn no_rails() -> Rails {
        Rails {
            min_keep: 0,
            require_recent: None,
            max_delete: None,
        }
    }

    fn kept_days(p: &Plan) -> BTreeSet<NaiveDate> {
        p.decisions
            .iter()
            .filter(|d| d.action == Action::Keep)
            .map(|d| d.backup.created_at.date_naive())
            .collect()
    }

    fn span(s: &str) -> Span {
        s.parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap()
    }

    /// The worked example in the README, exactly as written there.
    #[test]
    fn readme_worked_example() {
        let backups = daily(ymd(2026, 10, 14), ymd(2026, 11, 22), 3);
        assert_eq!(backups.len(), 40);
        let policy = Policy {
            daily: Some(Count::Limited(7)),
            weekly: Some(Count::Limited(4)),
            ..Policy::default()
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let p = plan(
            "t",
            &backups,
            &policy,
            &Rails::default(),
            &SCOPE,
            now,
            chrono_tz::UTC,
        );
        let mut want: BTreeSet<NaiveDate> = (16..=22).map(|d| ymd(2026, 11, d)).collect();
        want.extend([ymd(2026, 11, 15), ymd(2026, 11, 8), ymd(2026, 11, 1)]);
        assert_eq!(kept_days(&p), want);
        assert_eq!(p.count(Action::Keep), 10);
        assert_eq!(p.count(Action::Delete), 30);
    }

    /// restic's documented example: daily backups for a century with
    /// `--keep-daily 7 --keep-weekly 5 --keep-monthly 12 --keep-yearly 75`.
    #[test]
    fn restic_century_of_daily_backups() {
        let backups = daily(ymd(2000, 1, 1), ymd(2099, 12, 31), 12);
        let policy = Policy {
            daily: Some(Count::Limited(7)),
            weekly: Some(Count::Limited(5)),
            monthly: Some(Count::Limited(12)),
            yearly: Some(Count::Limited(75)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        let mut want: BTreeSet<NaiveDate> = (25..=31).map(|d| ymd(2099, 12, d)).collect();
        // 2099-12-31 is a Thursday: the newest backups of the five newest ISO weeks.
        want.extend([ymd(2099, 12, 20), ymd(2099, 12, 13), ymd(2099, 12, 6)]);
        // The last day of each of the twelve newest months.
        for m in 1..=11 {
            want.insert(ymd(2099, m + 1, 1).pred_opt().unwrap());
        }
        // The last day of each of the 75 newest years.
        want.extend((2025..=2099).map(|y| ymd(y, 12, 31)));
        assert_eq!(kept_days(&p), want);
        assert_eq!(p.count(Action::Delete), backups.len() - want.len());
        assert!(p.held.is_none());
    }

    #[test]
    fn within_is_measured_from_the_newest_backup_and_is_strict() {
        // Backups stopped a year ago: keep-within 7d still keeps the last week of them.
        let backups = daily(ymd(2098, 1, 1), ymd(2098, 12, 31), 0);
        let policy = Policy {
            within: Some(span("7d")),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        // Exactly 7 days before the newest is outside; 6 newer days plus the newest remain.
        let want: BTreeSet<_> = (25..=31).map(|d| ymd(2098, 12, d)).collect();
        assert_eq!(kept_days(&p), want);
        assert!(p.decisions[0].reasons.contains(&"within 7d".to_string()));
    }

    /// One backup dated a year ahead does not move the windows past the real recent ones.
    #[test]
    fn a_lone_future_dated_backup_does_not_anchor_the_window() {
        let now = Utc.with_ymd_and_hms(2099, 1, 31, 12, 0, 0).unwrap();
        let mut backups = daily(ymd(2099, 1, 2), ymd(2099, 1, 31), 3);
        backups.push(backup(99, now + Duration::days(400)));
        let policy = Policy {
            within: Some(span("7d")),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now, Tz::UTC);
        let kept: BTreeSet<_> = kept_days(&p);
        for d in 25..=31 {
            assert!(kept.contains(&ymd(2099, 1, d)), "Jan {d} was deleted");
        }
        assert!(p.clock_skew.is_some());
    }

    /// Daily backups and one dated a year ahead, `--keep-within 3d`: the future-dated one
    /// anchors nothing, the window keeps the three newest days and the future-dated one, and
    /// the 3 days are not reported as shorter than the year to the future-dated backup.
    #[test]
    fn a_future_dated_backup_does_not_make_the_window_look_short() {
        let now = Utc.with_ymd_and_hms(2099, 1, 31, 12, 0, 0).unwrap();
        let mut backups = daily(ymd(2099, 1, 2), ymd(2099, 1, 31), 3);
        backups.push(backup(99, now + Duration::days(365)));
        let policy = Policy {
            within: Some(span("3d")),
            ..Policy::default()
        };
        let p = plan(
            "t",
            &backups,
            &policy,
            &Rails::default(),
            &SCOPE,
            now,
            Tz::UTC,
        );
        assert_eq!(p.count(Action::Keep), 4);
        assert!(p.short_window.is_none(), "{:?}", p.short_window);
        let skew = p.clock_skew.as_deref().unwrap();
        assert!(
            skew.contains("1 backup dated in the future of DynamoDB's clock"),
            "{skew}"
        );
        // A window shorter than the real daily interval is still reported, measured
        // between the two newest backups not dated in the future.
        let policy = Policy {
            within: Some(span("6h")),
            ..Policy::default()
        };
        let p = plan(
            "t",
            &backups,
            &policy,
            &Rails::default(),
            &SCOPE,
            now,
            Tz::UTC,
        );
        let why = p.short_window.unwrap();
        assert!(
            why.starts_with(
                "keep-within 6h is shorter than the 1d between the two newest backups not \
                 dated in the future"
            ),
            "{why}"
        );
    }

    proptest! {
        /// Backups dated in the future never decide whether the short-window warning is
        /// given: the plan warns exactly when the same backups without them would, and never
        /// when the window covers the real interval between backups.
        #[test]
        fn future_dated_backups_never_trigger_the_short_window_warning(
            real in 0usize..12,
            every_min in 1i64..(30 * 24 * 60),
            last_ago_min in 0i64..(365 * 24 * 60),
            ahead in prop::collection::vec((CLOCK_TOLERANCE_SECS + 1)..(3 * 365 * 86_400i64), 1..4),
            within in prop::sample::select(vec!["10min", "1h", "6h", "1d", "3d", "7d", "30d"]),
            min_keep in 0u32..3,
        ) {
            let now = now();
            let newest = now - Duration::minutes(last_ago_min);
            let past: Vec<Backup> = (0..real)
                .map(|i| backup(i, newest - Duration::minutes(every_min * i as i64)))
                .collect();
            let mut all = past.clone();
            all.extend(ahead.iter().enumerate().map(|(i, s)| backup(100 + i, now + Duration::seconds(*s))));
            let policy = Policy { within: Some(span(within)), ..Policy::default() };
            let rails = Rails { min_keep, require_recent: None, max_delete: None };
            let with = plan("t", &all, &policy, &rails, &SCOPE, now, Tz::UTC);
            let without = plan("t", &past, &policy, &rails, &SCOPE, now, Tz::UTC);
            prop_assert_eq!(with.short_window.is_some(), without.short_window.is_some(), "{:?}", with.short_window);
            if span(within).chrono() >= Duration::minutes(every_min) {
                prop_assert!(with.short_window.is_none(), "{:?}", with.short_window);
            }
            prop_assert!(with.clock_skew.is_some());
        }
    }

    /// The reported wrong deletion: DynamoDB's clock 2 h ahead of this host, five backups a
    /// second apart, `--keep-within 1d`: every one is kept, and the skew is reported.
    #[test]
    fn backups_dated_in_the_future_are_still_measured_from_the_newest() {
        let now = now();
        let backups: Vec<Backup> = (0..5)
            .map(|i| backup(i, now + Duration::hours(2) + Duration::seconds(i as i64)))
            .collect();
        let policy = Policy {
            within: Some(span("1d")),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now, Tz::UTC);
        assert_eq!(p.count(Action::Delete), 0);
        assert!(p
            .decisions
            .iter()
            .all(|d| d.reasons[0].starts_with("dated in the future of DynamoDB's clock: kept")));
        let skew = p.clock_skew.as_deref().unwrap();
        assert!(
            skew.contains("5 backups dated in the future") && skew.contains("2h"),
            "{skew}"
        );
        // A few seconds of difference is noise, not skew.
        let p = plan(
            "t",
            &backups,
            &policy,
            &no_rails(),
            &SCOPE,
            now + Duration::hours(2),
            Tz::UTC,
        );
        assert!(p.clock_skew.is_none());
        // Future-dated backups are no proof of freshness: the freshness rail holds the plan.
        let rails = Rails {
            min_keep: 1,
            require_recent: Some(span("1d")),
            max_delete: None,
        };
        let mut old = daily(ymd(2099, 6, 1), ymd(2099, 6, 20), 0);
        old.push(backup(99, now + Duration::days(3 * 365)));
        let p = plan(
            "t",
            &old,
            &Policy {
                last: Some(Count::Limited(1)),
                ..Policy::default()
            },
            &rails,
            &SCOPE,
            now,
            Tz::UTC,
        );
        assert_eq!(p.count(Action::Delete), 0);
        assert!(p
            .held
            .as_deref()
            .unwrap()
            .contains("dated in the future do not count"));
    }

    #[test]
    fn buckets_without_backups_do_not_count() {
        // One backup every 10 days: keep-daily 3 keeps the three newest, 20 days apart.
        let backups: Vec<_> = (0..10)
            .map(|i| {
                backup(
                    i,
                    Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap()
                        + Duration::days(10 * i as i64),
                )
            })
            .collect();
        let policy = Policy {
            daily: Some(Count::Limited(3)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        assert_eq!(p.count(Action::Keep), 3);
    }

    #[test]
    fn newest_in_a_bucket_is_kept_and_oldest_is_kept_while_counts_remain() {
        let base = Utc.with_ymd_and_hms(2099, 3, 1, 0, 0, 0).unwrap();
        // Three backups on day 1 (0h, 6h, 12h) and two on day 2 (0h, 6h).
        let times = [0, 6, 12, 24, 30];
        let backups: Vec<_> = times
            .iter()
            .enumerate()
            .map(|(i, h)| backup(i, base + Duration::hours(*h)))
            .collect();
        let policy = Policy {
            daily: Some(Count::Limited(5)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        let kept: Vec<i64> = p
            .decisions
            .iter()
            .filter(|d| d.action == Action::Keep)
            .map(|d| (d.backup.created_at - base).num_hours())
            .collect();
        // Newest of day 2 (30h), newest of day 1 (12h), and the oldest (0h) since count remains.
        assert_eq!(kept, vec![30, 12, 0]);
    }

    #[test]
    fn iso_weeks_cross_new_year() {
        // 2024-12-30 (Mon) and 2025-01-05 (Sun) are both in ISO week 1 of 2025.
        let backups = vec![
            backup(0, Utc.with_ymd_and_hms(2024, 12, 29, 12, 0, 0).unwrap()), // week 52 of 2024
            backup(1, Utc.with_ymd_and_hms(2024, 12, 30, 12, 0, 0).unwrap()),
            backup(2, Utc.with_ymd_and_hms(2025, 1, 5, 12, 0, 0).unwrap()),
        ];
        let policy = Policy {
            weekly: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        assert_eq!(kept_days(&p), BTreeSet::from([ymd(2025, 1, 5)]));
        let policy = Policy {
            weekly: Some(Count::Limited(2)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        assert_eq!(
            kept_days(&p),
            BTreeSet::from([ymd(2025, 1, 5), ymd(2024, 12, 29)])
        );
    }

    #[test]
    fn days_are_cut_in_the_chosen_timezone_across_dst() {
        // Europe/Berlin leaves DST on 2026-10-25 at 03:00 local (01:00 UTC).
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let at = |d, h, m| Utc.with_ymd_and_hms(2026, 10, d, h, m, 0).unwrap();
        let backups = vec![
            backup(0, at(24, 21, 30)), // 23:30 local on the 24th (UTC+2)
            backup(1, at(24, 22, 30)), // 00:30 local on the 25th
            backup(2, at(25, 22, 30)), // 23:30 local on the 25th (UTC+1): a 25-hour day
            backup(3, at(25, 23, 30)), // 00:30 local on the 26th
        ];
        let policy = Policy {
            daily: Some(Count::Limited(2)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), tz);
        let kept: Vec<&str> = p
            .decisions
            .iter()
            .filter(|d| d.action == Action::Keep)
            .map(|d| d.backup.backup_arn.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(kept, vec!["00000003", "00000002"]);
        // In UTC the same backups fall on the 24th and 25th differently.
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        let kept: Vec<&str> = p
            .decisions
            .iter()
            .filter(|d| d.action == Action::Keep)
            .map(|d| d.backup.backup_arn.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(kept, vec!["00000003", "00000001"]);
    }

    #[test]
    fn within_daily_keeps_one_per_day_inside_the_window() {
        let mut backups = Vec::new();
        for d in 0..10 {
            for h in [1, 13] {
                let t = Utc.with_ymd_and_hms(2099, 5, 1 + d, h, 0, 0).unwrap();
                backups.push(backup(backups.len(), t));
            }
        }
        let policy = Policy {
            within_daily: Some(span("3d")),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        // Newest is 2099-05-10 13:00; the window reaches back to 05-07 13:00 (exclusive).
        let want: BTreeSet<_> = [8, 9, 10].into_iter().map(|d| ymd(2099, 5, d)).collect();
        assert_eq!(kept_days(&p), want);
        assert!(p.decisions[0]
            .reasons
            .contains(&"daily within 3d".to_string()));
    }

    #[test]
    fn unmanaged_system_aws_backup_and_creating_are_never_deleted() {
        let t = |d| Utc.with_ymd_and_hms(2099, 1, d, 0, 0, 0).unwrap();
        let mut hand = backup(0, t(1));
        hand.backup_name = "before-migration".into();
        let mut system = backup(1, t(2));
        system.kind = BackupKind::System;
        let mut aws = backup(2, t(3));
        aws.kind = BackupKind::AwsBackup;
        let mut creating = backup(3, t(4));
        creating.status = BackupStatus::Creating;
        let backups = vec![
            hand,
            system,
            aws,
            creating,
            backup(4, t(5)),
            backup(5, t(6)),
        ];
        let policy = Policy {
            last: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
        let reasons: Vec<_> = p
            .decisions
            .iter()
            .map(|d| (d.action, d.reasons[0].as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (Action::Keep, "last"),
                (Action::Delete, "no keep rule matched"),
                (Action::Keep, "still CREATING"),
                (Action::Keep, "AWS_BACKUP backup"),
                (Action::Keep, "SYSTEM backup"),
                (Action::Keep, "not managed by ddb-backup"),
            ]
        );
        let all = Scope {
            is_managed: &managed,
            include_unmanaged: true,
        };
        let p = plan("t", &backups, &policy, &no_rails(), &all, now(), Tz::UTC);
        assert_eq!(p.count(Action::Delete), 2);
    }

    #[test]
    fn creating_and_deleted_backups_are_counted_apart_from_the_kept() {
        let t = |d| Utc.with_ymd_and_hms(2099, 1, d, 0, 0, 0).unwrap();
        let mut creating = backup(0, t(9));
        creating.status = BackupStatus::Creating;
        let mut gone = backup(1, t(1));
        gone.status = BackupStatus::Deleted;
        let mut system_creating = backup(2, t(8));
        system_creating.kind = BackupKind::System;
        system_creating.status = BackupStatus::Creating;
        let mut hand = backup(3, t(2));
        hand.backup_name = "by-hand".into();
        let backups = vec![
            creating,
            gone,
            system_creating,
            hand,
            backup(4, t(5)),
            backup(5, t(4)),
            backup(6, t(3)),
        ];
        let policy = Policy {
            last: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let rails = Rails {
            min_keep: 1,
            ..no_rails()
        };
        let p = plan("t", &backups, &policy, &rails, &SCOPE, now(), Tz::UTC);
        // Every one of them is "keep" in the plan; only AVAILABLE ones count as kept.
        assert_eq!(p.count(Action::Keep), 5);
        assert_eq!(
            p.tally(),
            Tally {
                kept: 2,
                to_delete: 2,
                creating: 2,
                deleted_elsewhere: 1,
            }
        );
        // A held plan's backups are kept.
        let held = Rails {
            max_delete: Some(1),
            ..rails
        };
        let p = plan("t", &backups, &policy, &held, &SCOPE, now(), Tz::UTC);
        assert_eq!(p.tally().kept, 4);
        assert_eq!(p.tally().to_delete, 0);
    }

    #[test]
    fn a_backup_of_unknown_type_is_never_deleted_and_says_so() {
        let t = |d| Utc.with_ymd_and_hms(2099, 1, d, 0, 0, 0).unwrap();
        let mut odd = backup(0, t(1));
        odd.kind = BackupKind::Unknown;
        let backups = vec![odd, backup(1, t(2)), backup(2, t(3))];
        let policy = Policy {
            last: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let all = Scope {
            is_managed: &|_: &Backup| true,
            include_unmanaged: true,
        };
        let p = plan("t", &backups, &policy, &no_rails(), &all, now(), Tz::UTC);
        let d = p
            .decisions
            .iter()
            .find(|d| d.backup.kind == BackupKind::Unknown);
        let d = d.expect("planned");
        assert_eq!(d.action, Action::Keep);
        assert_eq!(d.reasons, vec!["unknown type"]);
        assert_eq!(p.count(Action::Delete), 1);
    }

    #[test]
    fn min_keep_and_max_delete_and_require_recent() {
        let backups = daily(ymd(2099, 1, 1), ymd(2099, 1, 20), 0);
        let policy = Policy {
            last: Some(Count::Limited(1)),
            ..Policy::default()
        };
        let rails = Rails {
            min_keep: 3,
            ..no_rails()
        };
        let p = plan("t", &backups, &policy, &rails, &SCOPE, now(), Tz::UTC);
        assert_eq!(p.count(Action::Keep), 3);
        assert_eq!(p.decisions[1].reasons, vec!["min-keep"]);

        let rails = Rails {
            max_delete: Some(5),
            ..no_rails()
        };
        let p = plan("t", &backups, &policy, &rails, &SCOPE, now(), Tz::UTC);
        assert_eq!(p.count(Action::Delete), 0);
        assert_eq!(p.count(Action::Hold), 19);
        assert!(p
            .held
            .as_deref()
            .unwrap()
            .contains("more than --max-delete 5"));

        // The newest backup is from 2099-01-20, "now" is 2100: backups stopped arriving.
        let rails = Rails {
            min_keep: 2,
            require_recent: Some(span("2d")),
            max_delete: None,
        };
        let p = plan("t", &backups, &policy, &rails, &SCOPE, now(), Tz::UTC);
        assert_eq!(p.count(Action::Delete), 0);
        assert!(p.held.as_deref().unwrap().contains("stopped arriving"));
        let fresh_now = Utc.with_ymd_and_hms(2099, 1, 20, 12, 0, 0).unwrap();
        let p = plan("t", &backups, &policy, &rails, &SCOPE, fresh_now, Tz::UTC);
        assert!(p.held.is_none());
        assert_eq!(p.count(Action::Delete), 18);
    }

    #[test]
    fn counts_parse() {
        assert_eq!("7".parse::<Count>(), Ok(Count::Limited(7)));
        assert_eq!("unlimited".parse::<Count>(), Ok(Count::Unlimited));
        assert!("0".parse::<Count>().is_err());
        assert!("-1".parse::<Count>().is_err());
        assert!("seven".parse::<Count>().is_err());
    }

    fn arb_backup() -> impl Strategy<Value = (i64, u8, u8, bool)> {
        (0i64..(3 * 365 * 24), 0u8..10, 0u8..10, any::<bool>())
    }

    fn arb_count() -> impl Strategy<Value = Option<Count>> {
        prop_oneof![
            3 => Just(None),
            2 => (1u32..12).prop_map(|n| Some(Count::Limited(n))),
            1 => Just(Some(Count::Unlimited)),
        ]
    }

    fn arb_span() -> impl Strategy<Value = Option<Span>> {
        prop_oneof![
            3 => Just(None),
            1 => (1u64..2000).prop_map(|h| Some(span(&format!("{h}h")))),
        ]
    }

    prop_compose! {
        fn arb_policy()(c in prop::collection::vec(arb_count(), 6), w in prop::collection::vec(arb_span(), 6)) -> Policy {
            Policy {
                last: c[0], hourly: c[1], daily: c[2], weekly: c[3], monthly: c[4], yearly: c[5],
                within: w[0].clone(), within_hourly: w[1].clone(), within_daily: w[2].clone(),
                within_weekly: w[3].clone(), within_monthly: w[4].clone(), within_yearly: w[5].clone(),
            }
        }
    }

    fn history(spec: &[(i64, u8, u8, bool)]) -> Vec<Backup> {
        let base = Utc.with_ymd_and_hms(2097, 1, 1, 0, 0, 0).unwrap();
        spec.iter()
            .enumerate()
            .map(|(i, (hours, kind, status, is_managed))| {
                let mut b = backup(i, base + Duration::hours(*hours));
                b.kind = match kind {
                    0 => BackupKind::System,
                    1 => BackupKind::AwsBackup,
                    _ => BackupKind::User,
                };
                b.status = match status {
                    0 => BackupStatus::Creating,
                    1 => BackupStatus::Deleted,
                    _ => BackupStatus::Available,
                };
                if !is_managed {
                    b.backup_name = format!("by-hand-{i}");
                }
                b
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn invariants_hold(
            spec in prop::collection::vec(arb_backup(), 0..120),
            policy in arb_policy(),
            min_keep in 0u32..6,
            max_delete in prop::option::of(0u32..50),
            require_recent in arb_span(),
            include_unmanaged in any::<bool>(),
            now_offset in 0i64..(4 * 365 * 24),
            tz in prop::sample::select(vec![Tz::UTC, Tz::Europe__Berlin, Tz::America__New_York, Tz::Australia__Lord_Howe]),
            seed in any::<u64>(),
        ) {
            let backups = history(&spec);
            let now = Utc.with_ymd_and_hms(2097, 1, 1, 0, 0, 0).unwrap() + Duration::hours(now_offset);
            let rails = Rails { min_keep, require_recent, max_delete };
            let scope = Scope { is_managed: &managed, include_unmanaged };
            let p = plan("t", &backups, &policy, &rails, &scope, now, tz);

            // Every backup gets exactly one decision, with at least one reason.
            prop_assert_eq!(p.decisions.len(), backups.len());
            // The report's counts cover every backup once; CREATING and DELETED ones are
            // never counted as kept.
            let tally = p.tally();
            prop_assert_eq!(tally.kept + tally.to_delete + tally.creating + tally.deleted_elsewhere, backups.len());
            prop_assert_eq!(tally.to_delete, p.count(Action::Delete));
            prop_assert_eq!(tally.creating, backups.iter().filter(|b| b.status == BackupStatus::Creating).count());
            prop_assert_eq!(tally.deleted_elsewhere, backups.iter().filter(|b| b.status == BackupStatus::Deleted).count());
            prop_assert!(p.decisions.iter().all(|d| !d.reasons.is_empty()));
            let arns: BTreeSet<_> = p.decisions.iter().map(|d| d.backup.backup_arn.clone()).collect();
            prop_assert_eq!(arns.len(), backups.len());

            // Only managed (or explicitly included) USER AVAILABLE backups are ever deleted.
            let is_cand = |b: &Backup| b.kind == BackupKind::User && b.status == BackupStatus::Available
                && (include_unmanaged || managed(b));
            for d in p.to_delete() {
                prop_assert!(is_cand(&d.backup));
            }
            let cands: Vec<&Decision> = p.decisions.iter().filter(|d| is_cand(&d.backup)).collect();
            // The newest candidate is kept.
            if let Some(first) = cands.first() {
                prop_assert_eq!(first.action, Action::Keep);
            }
            // min-keep.
            let kept = cands.iter().filter(|d| d.action != Action::Delete).count();
            prop_assert!(kept >= (min_keep as usize).min(cands.len()));
            // max-delete and held plans.
            if let Some(max) = max_delete {
                prop_assert!(p.count(Action::Delete) <= max as usize);
            }
            if p.held.is_some() {
                prop_assert_eq!(p.count(Action::Delete), 0);
            } else {
                prop_assert_eq!(p.count(Action::Hold), 0);
            }
            // within D keeps everything strictly inside the window from the newest backup,
            // whatever "now" says.
            if let Some(w) = &policy.within {
                if let Some(latest) = cands.first().map(|d| d.backup.created_at) {
                    for d in &cands {
                        if d.backup.created_at > latest - w.chrono() {
                            prop_assert!(d.action == Action::Keep);
                        }
                    }
                }
            }
            // Deterministic whatever the input order.
            let mut shuffled = backups.clone();
            let mut rng = seed;
            for i in (1..shuffled.len()).rev() {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (rng >> 33) as usize % (i + 1));
            }
            let again = plan("t", &shuffled, &policy, &rails, &scope, now, tz);
            let a: Vec<_> = p.decisions.iter().map(|d| (&d.backup.backup_arn, d.action, &d.reasons)).collect();
            let b: Vec<_> = again.decisions.iter().map(|d| (&d.backup.backup_arn, d.action, &d.reasons)).collect();
            prop_assert_eq!(a, b);
        }

        /// Clock skew cannot change a plan: moving every backup and "now" by the same amount
        /// (a whole number of 400-year Gregorian cycles, so every calendar bucket moves with
        /// them) gives the same decisions; with only count and plain `within` rules any
        /// shift at all does.
        #[test]
        fn shifting_backups_and_now_together_changes_no_plan(
            spec in prop::collection::vec(arb_backup(), 0..80),
            policy in arb_policy(),
            min_keep in 0u32..5,
            require_recent in arb_span(),
            now_offset in 0i64..(4 * 365 * 24),
            cycles in -1i64..2,
            secs in -400_000_000i64..400_000_000,
        ) {
            let backups = history(&spec);
            let now = Utc.with_ymd_and_hms(2097, 1, 1, 0, 0, 0).unwrap() + Duration::hours(now_offset);
            let rails = Rails { min_keep, require_recent, max_delete: None };
            let shifted = |d: Duration, p: &Policy| {
                let moved: Vec<Backup> = backups.iter().cloned().map(|mut b| { b.created_at += d; b }).collect();
                plan("t", &moved, p, &rails, &SCOPE, now + d, Tz::UTC)
            };
            let actions = |p: &Plan| p.decisions.iter().map(|d| (d.backup.backup_arn.clone(), d.action, d.reasons.clone())).collect::<Vec<_>>();
            let base = plan("t", &backups, &policy, &rails, &SCOPE, now, Tz::UTC);
            let cycle = Duration::days(146_097 * cycles);
            prop_assert_eq!(actions(&base), actions(&shifted(cycle, &policy)));
            let plain = Policy { last: policy.last, within: policy.within.clone(), ..Policy::default() };
            let plain = if plain.is_empty() { Policy { last: Some(Count::Limited(3)), ..plain } } else { plain };
            let base = plan("t", &backups, &plain, &rails, &SCOPE, now, Tz::UTC);
            prop_assert_eq!(actions(&base), actions(&shifted(Duration::seconds(secs), &plain)));
        }

        /// A host clock that is behind (or ahead) never adds a deletion: the keep rules,
        /// min-keep and max-delete do not look at the clock at all. (`--require-recent`
        /// compares with "now" by its nature; its clock-skew guard is that backups dated in
        /// the future never count as recent, tested below and in the unit tests.)
        #[test]
        fn moving_now_never_adds_a_deletion(
            spec in prop::collection::vec(arb_backup(), 0..100),
            policy in arb_policy(),
            min_keep in 0u32..5,
            require_recent in arb_span(),
            max_delete in prop::option::of(1u32..50),
            now_offset in 0i64..(4 * 365 * 24),
            back in 0i64..(5 * 365 * 24),
            tz in prop::sample::select(vec![Tz::UTC, Tz::Europe__Berlin, Tz::Australia__Lord_Howe]),
        ) {
            let backups = history(&spec);
            let now = Utc.with_ymd_and_hms(2097, 1, 1, 0, 0, 0).unwrap() + Duration::hours(now_offset);
            let deleted = |p: &Plan| p.to_delete().map(|d| d.backup.backup_arn.clone()).collect::<BTreeSet<_>>();
            // A correct clock sees no backup in its future.
            let now = backups.iter().map(|b| b.created_at).fold(now, DateTime::max);
            let rails = Rails { min_keep, require_recent: None, max_delete: None };
            let right = plan("t", &backups, &policy, &rails, &SCOPE, now, tz);
            let ahead = plan("t", &backups, &policy, &rails, &SCOPE, now + Duration::hours(back), tz);
            prop_assert_eq!(deleted(&ahead), deleted(&right));
            let behind = plan("t", &backups, &policy, &rails, &SCOPE, now - Duration::hours(back), tz);
            prop_assert!(deleted(&behind).is_subset(&deleted(&right)));
            // With the freshness rail, a clock that runs ahead of a correct one only ever
            // holds more, and a backup dated in the future never unlocks a held plan.
            let rails = Rails { min_keep, require_recent, max_delete };
            let right = plan("t", &backups, &policy, &rails, &SCOPE, now, tz);
            let ahead = plan("t", &backups, &policy, &rails, &SCOPE, now + Duration::hours(back), tz);
            prop_assert!(deleted(&ahead).is_subset(&deleted(&right)));
            let mut with_future = backups.clone();
            let mut b = backup(9_999, now + Duration::hours(1 + back));
            b.backup_name = "ddb-backup.t.future".into();
            with_future.push(b);
            let p = plan("t", &with_future, &policy, &rails, &SCOPE, now, tz);
            if right.held.is_some() {
                prop_assert!(p.held.is_some());
            }
        }

        /// Backups dated in the future of DynamoDB's clock (by more than its tolerance) never
        /// add a deletion: each is kept, and the others are planned exactly as if it were
        /// not there (counted, it would take a real backup's place under keep-last, the
        /// count rules and min-keep).
        #[test]
        fn backups_dated_in_the_future_never_add_a_deletion(
            spec in prop::collection::vec(arb_backup(), 0..60),
            policy in arb_policy(),
            min_keep in 0u32..5,
            max_delete in prop::option::of(1u32..50),
            ahead in prop::collection::vec(CLOCK_TOLERANCE_SECS + 1..100_000_000i64, 1..4),
            now_offset in 0i64..(4 * 365 * 24),
            tz in prop::sample::select(vec![Tz::UTC, Tz::Europe__Berlin]),
        ) {
            let backups = history(&spec);
            let now = Utc.with_ymd_and_hms(2097, 1, 1, 0, 0, 0).unwrap() + Duration::hours(now_offset);
            let now = backups.iter().map(|b| b.created_at).fold(now, DateTime::max);
            let rails = Rails { min_keep, require_recent: None, max_delete };
            let actions = |p: &Plan| p.decisions.iter().map(|d| (d.backup.backup_arn.clone(), format!("{:?}", d.action))).collect::<BTreeSet<_>>();
            let without = plan("t", &backups, &policy, &rails, &SCOPE, now, tz);
            let mut with = backups.clone();
            for (i, s) in ahead.iter().enumerate() {
                with.push(backup(90_000 + i, now + Duration::seconds(*s)));
            }
            let p = plan("t", &with, &policy, &rails, &SCOPE, now, tz);
            let future: BTreeSet<String> = with[backups.len()..].iter().map(|b| b.backup_arn.clone()).collect();
            for d in &p.decisions {
                if future.contains(&d.backup.backup_arn) {
                    prop_assert!(d.action == Action::Keep, "{:?}", d.action);
                }
            }
            let others: BTreeSet<_> = actions(&p).into_iter().filter(|(arn, _)| !future.contains(arn)).collect();
            prop_assert_eq!(others, actions(&without));
            prop_assert!(p.clock_skew.is_some());
        }

        /// With no rails, the walk keeps exactly what an independent brute-force reading of
        /// the semantics keeps for a single count rule.
        #[test]
        fn single_daily_rule_matches_reference(spec in prop::collection::vec(0i64..(60 * 24), 1..80), n in 1u32..10) {
            let base = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
            let backups: Vec<_> = spec.iter().enumerate().map(|(i, h)| backup(i, base + Duration::hours(*h))).collect();
            let policy = Policy { daily: Some(Count::Limited(n)), ..Policy::default() };
            let p = plan("t", &backups, &policy, &no_rails(), &SCOPE, now(), Tz::UTC);
            let got: BTreeSet<_> = p.decisions.iter().filter(|d| d.action == Action::Keep).map(|d| d.backup.backup_arn.clone()).collect();
            // Reference: newest backup of each of the n newest days; plus the oldest backup
            // overall when fewer than n days exist.
            let mut sorted = backups.clone();
            newest_first(&mut sorted);
            let mut days: Vec<NaiveDate> = sorted.iter().map(|b| b.created_at.date_naive()).collect();
            days.dedup();
            let mut want = BTreeSet::new();
            for day in days.iter().take(n as usize) {
                let b = sorted.iter().find(|b| b.created_at.date_naive() == *day).unwrap();
                want.insert(b.backup_arn.clone());
            }
            if days.len() < n as usize {
                want.insert(sorted.last().unwrap().backup_arn.clone());
            }
            prop_assert_eq!(got, want);
        }
    }
}
