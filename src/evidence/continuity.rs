//! Continuity: on which calendar days a table has a restore point. Pure: a set of days
//! and "today" in, the streak and the gaps out.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// How many days back the gaps are counted (today included).
pub const WINDOW_DAYS: u32 = 90;

/// A run of consecutive days without a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
}

/// A table's continuity over the last [`WINDOW_DAYS`] days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Continuity {
    /// Consecutive days, ending today or yesterday, with at least one AVAILABLE backup.
    pub streak_days: u32,
    /// Days of the window without one. Today is not counted until it is over: a backup
    /// may still come.
    pub gap_days: u32,
    pub window_days: u32,
    /// The longest run of days without a backup in the window (absent without gaps).
    pub longest_gap: Option<Gap>,
    /// The day the window ends on, in the report's timezone.
    pub today: NaiveDate,
    /// The days of the window with a backup, as offsets from its first day (0 = 89 days
    /// before today): what the calendar strip draws.
    #[serde(skip)]
    pub backed_up: Vec<u32>,
}

impl Continuity {
    /// The first day of the window.
    pub fn first_day(&self) -> NaiveDate {
        self.today - Duration::days(i64::from(self.window_days) - 1)
    }
}

/// The continuity of a table whose backups fall on `days` (in the report's timezone).
pub fn continuity(days: &BTreeSet<NaiveDate>, today: NaiveDate, window: u32) -> Continuity {
    let window = window.max(1);
    let has = |d: NaiveDate| days.contains(&d);
    let yesterday = today - Duration::days(1);
    let mut streak = 0u32;
    let mut d = if has(today) { today } else { yesterday };
    while has(d) {
        streak += 1;
        d -= Duration::days(1);
    }
    let first = today - Duration::days(i64::from(window) - 1);
    let mut gap_days = 0u32;
    let mut longest: Option<Gap> = None;
    let mut run: Option<(NaiveDate, u32)> = None;
    let mut backed_up = Vec::new();
    for i in 0..window {
        let day = first + Duration::days(i64::from(i));
        let open_today = day == today && !has(day);
        if has(day) {
            backed_up.push(i);
        }
        if has(day) || open_today {
            if let Some((from, n)) = run.take() {
                longest = longer(longest, from, n);
            }
            continue;
        }
        gap_days += 1;
        run = Some(match run {
            Some((from, n)) => (from, n + 1),
            None => (day, 1),
        });
    }
    if let Some((from, n)) = run {
        longest = longer(longest, from, n);
    }
    Continuity {
        streak_days: streak,
        gap_days,
        window_days: window,
        longest_gap: longest,
        today,
        backed_up,
    }
}

/// The longer of the longest gap so far and the run of `n` days from `from` (the earlier
/// one on a tie).
fn longer(best: Option<Gap>, from: NaiveDate, n: u32) -> Option<Gap> {
    match best {
        Some(b) if b.days >= n => Some(b),
        _ => Some(Gap {
            from,
            to: from + Duration::days(i64::from(n) - 1),
            days: n,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap() + Duration::days(n)
    }

    #[test]
    fn a_daily_history_with_one_hole() {
        let today = day(0);
        // Backed up today and the 29 days before, but not 10 days ago.
        let days: BTreeSet<NaiveDate> = (0..30).filter(|i| *i != 10).map(|i| day(-i)).collect();
        let c = continuity(&days, today, 90);
        assert_eq!(c.streak_days, 10);
        // 60 days before the history, and the hole.
        assert_eq!(c.gap_days, 61);
        let g = c.longest_gap.unwrap();
        assert_eq!((g.from, g.to, g.days), (day(-89), day(-30), 60));
        assert_eq!(c.backed_up.len(), 29);
    }

    #[test]
    fn today_without_a_backup_yet_is_not_a_gap() {
        let days: BTreeSet<NaiveDate> = (1..=5).map(|i| day(-i)).collect();
        let c = continuity(&days, day(0), 7);
        assert_eq!(c.streak_days, 5);
        assert_eq!(c.gap_days, 1);
        // Nothing yesterday: the streak is over.
        let days: BTreeSet<NaiveDate> = (2..=5).map(|i| day(-i)).collect();
        let c = continuity(&days, day(0), 7);
        assert_eq!(c.streak_days, 0);
        assert_eq!(c.gap_days, 2);
        assert_eq!(continuity(&BTreeSet::new(), day(0), 90).gap_days, 89);
    }

    proptest! {
        /// Over arbitrary sets of days: the gaps and the backed-up days make up the window
        /// (less an open today), the longest gap is a real run of missing days and no
        /// longer run exists, and the streak is exactly the run of backed-up days that
        /// ends today or yesterday.
        #[test]
        fn streaks_and_gaps_agree_with_the_days(
            offsets in proptest::collection::btree_set(-200i64..=0, 0..120),
            window in 1u32..=120,
        ) {
            let today = day(0);
            let days: BTreeSet<NaiveDate> = offsets.iter().map(|o| day(*o)).collect();
            let c = continuity(&days, today, window);
            let first = today - Duration::days(i64::from(window) - 1);
            let in_window: Vec<NaiveDate> =
                (0..window).map(|i| first + Duration::days(i64::from(i))).collect();
            let open_today = u32::from(!days.contains(&today));
            prop_assert_eq!(
                c.gap_days + c.backed_up.len() as u32 + open_today,
                window
            );
            let missing = |d: &NaiveDate| !days.contains(d) && *d != today;
            let mut best = 0u32;
            let mut run = 0u32;
            for d in &in_window {
                run = if missing(d) { run + 1 } else { 0 };
                best = best.max(run);
            }
            prop_assert_eq!(c.longest_gap.map_or(0, |g| g.days), best);
            if let Some(g) = c.longest_gap {
                prop_assert!(g.from >= first && g.to < today);
                let mut d = g.from;
                while d <= g.to {
                    prop_assert!(missing(&d));
                    d += Duration::days(1);
                }
            }
            let end = if days.contains(&today) { today } else { today - Duration::days(1) };
            let mut want = 0u32;
            while days.contains(&(end - Duration::days(i64::from(want)))) {
                want += 1;
            }
            prop_assert_eq!(c.streak_days, want);
        }
    }
}
