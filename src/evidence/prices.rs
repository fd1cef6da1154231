//! What backup storage costs: a small, dated table of DynamoDB's on-demand backup and
//! point-in-time recovery storage prices per GB-month in the commercial regions, and the
//! arithmetic. Pure.
//!
//! Source: AWS's public price list for Amazon DynamoDB (aws.amazon.com/dynamodb/pricing,
//! "Backup and restore"; in the price list API the usage types REG-TimedBackupStorage-ByteHrs
//! and REG-TimedPITRStorage-ByteHrs), US dollars, as of PRICES_AS_OF. Backup storage is billed
//! per GB-month; a backup deleted before the end of the month earns a prorated credit for
//! the rest of it, so a freed cost is the monthly run-rate saved. A region missing here has
//! an unknown cost (never zero); `--price-per-gb-month` gives one.
//!
//! The table holds only rows read off the pricing page on PRICES_AS_OF: US East (N.
//! Virginia), US East (Ohio) and US West (Oregon), $0.10 for on-demand backup and $0.20 for
//! PITR per GB-month. Every other region is unknown until its row is added from the price
//! list API (offer AmazonDynamoDB, the usage types above), with PRICES_AS_OF moved with it.

/// When the table below was taken from the price list.
pub const PRICES_AS_OF: &str = "2026-12-03";

/// Where it comes from.
pub const PRICES_SOURCE: &str =
    "AWS price list for Amazon DynamoDB (aws.amazon.com/dynamodb/pricing)";

/// One gibibyte: the price list's GB.
pub const GB: f64 = 1_073_741_824.0;

/// Prices per GB-month in US dollars.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Price {
    /// On-demand backup storage.
    pub backup: f64,
    /// Point-in-time recovery (continuous backup) storage, billed on the table's size.
    pub pitr: f64,
}

/// (region, on-demand backup, PITR) per GB-month.
const TABLE: &[(&str, f64, f64)] = &[
    ("us-east-1", 0.10, 0.20),
    ("us-east-2", 0.10, 0.20),
    ("us-west-2", 0.10, 0.20),
];

/// The price list's prices in `region`, if the table has them.
pub fn listed(region: &str) -> Option<Price> {
    TABLE
        .iter()
        .find(|(r, _, _)| *r == region)
        .map(|&(_, backup, pitr)| Price { backup, pitr })
}

/// The regions the table knows.
pub fn regions() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(r, _, _)| *r)
}

/// The backup storage price that applies in `region`: the override, or the table's.
pub fn backup_price(region: &str, overridden: Option<f64>) -> Option<f64> {
    overridden.or_else(|| listed(region).map(|p| p.backup))
}

/// The monthly cost of `bytes` at `per_gb_month`, rounded to the cent.
pub fn monthly_cost(bytes: i64, per_gb_month: f64) -> f64 {
    cents(bytes.max(0) as f64 / GB * per_gb_month)
}

/// A dollar amount rounded to the cent.
pub fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// `$1.23`, or `unknown`.
pub fn usd(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("${v:.2}"),
        None => "unknown".to_string(),
    }
}

/// A price given on the command line: a positive number of dollars per GB-month.
pub fn parse_price(s: &str) -> Result<f64, String> {
    match s.trim().trim_start_matches('$').parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1000.0 => Ok(v),
        _ => Err(format!(
            "invalid price {}: give US dollars per GB-month greater than 0, e.g. 0.10",
            crate::error::quoted(s)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn costs_are_by_the_gb_month_to_the_cent() {
        assert_eq!(monthly_cost(10 * GB as i64, 0.10), 1.00);
        assert_eq!(monthly_cost(GB as i64 / 2, 0.10), 0.05);
        assert_eq!(monthly_cost(0, 0.10), 0.0);
        assert_eq!(backup_price("us-east-1", None), Some(0.10));
        assert_eq!(backup_price("us-east-1", Some(0.5)), Some(0.5));
        assert_eq!(backup_price("xx-nowhere-1", None), None);
        assert_eq!(usd(None), "unknown");
        assert_eq!(usd(Some(1.5)), "$1.50");
        assert!(parse_price("0").is_err());
        assert!(parse_price("-1").is_err());
        assert!(parse_price("NaN").is_err());
        assert_eq!(parse_price("0.125"), Ok(0.125));
    }

    #[test]
    fn every_listed_price_is_positive_and_pitr_costs_more() {
        for r in regions() {
            let p = listed(r).unwrap();
            assert!(p.backup > 0.0 && p.pitr > p.backup, "{r}");
        }
    }

    proptest! {
        /// A cost is never negative, grows with the bytes, and is within half a cent of
        /// the exact figure.
        #[test]
        fn costs_grow_with_bytes(a in 0i64..1 << 50, b in 0i64..1 << 50, price in 0.01f64..1.0) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(monthly_cost(lo, price) <= monthly_cost(hi, price));
            let exact = hi as f64 / GB * price;
            prop_assert!((monthly_cost(hi, price) - exact).abs() <= 0.005 + exact * 1e-12);
        }
    }
}
