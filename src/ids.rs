//! AWS identifiers, at the bottom of the crate: one parser for each kind of name the tool
//! is given or reads back (region, table name, table and backup ARN, role ARN, account
//! id), used by the command line, the config, the AWS module, targets and selection alike.
//! Each parser checks shape only, before anything is sent; none makes a call.

use std::fmt;
use std::str::FromStr;

use crate::error::quoted;

/// DynamoDB's limits for backup names (and table names): 3–255 of `[a-zA-Z0-9_.-]`.
pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 255;

/// The name of ddb-backup's manifest in each export's prefix: only prefixes holding one are
/// this tool's exports.
pub const EXPORT_MANIFEST: &str = "ddb-backup-export.json";

pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Checks a backup or table name against DynamoDB's rules.
pub fn validate_name(what: &str, name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&len) {
        return Err(format!(
            "invalid {what} {}: must be {NAME_MIN} to {NAME_MAX} characters long (it is {len})",
            quoted(name)
        ));
    }
    if let Some(bad) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "invalid {what} {}: character {} is not allowed (use letters, digits, '_', '.', '-')",
            quoted(name),
            quoted(&bad.to_string())
        ));
    }
    Ok(())
}

/// A region name, checked for shape before anything is sent: lowercase letters, digits
/// and single hyphens, starting with a letter (us-east-1, eu-central-2, us-gov-west-1).
pub fn parse_region(s: &str) -> Result<String, String> {
    let ok = (1..=50).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "invalid region {}: use a region name such as us-east-1 or eu-west-1",
            quoted(s)
        ))
    }
}

/// The account of an IAM role ARN (`arn:<partition>:iam::<12 digits>:role/<name>`).
pub fn role_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = resource.strip_prefix("role/")?;
    let ok = arn_ == "arn"
        && !partition.is_empty()
        && service == "iam"
        && region.is_empty()
        && is_account(account)
        && !name.is_empty()
        && !name.ends_with('/')
        && arn.len() <= 2048
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    ok.then_some(account)
}

/// A 12-digit AWS account id.
pub fn is_account(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// The account and region of a DynamoDB table or backup ARN
/// (`arn:<partition>:dynamodb:<region>:<account>:table/...`).
pub fn arn_place(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "dynamodb" && !region.is_empty()).then_some((account, region))
}

/// The session name of assumed roles: `ddb-backup-<host>`, within STS's rule (2–64
/// characters of letters, digits and `+=,.@-`), so CloudTrail shows where a run came from.
pub fn session_name(host: &str) -> String {
    let clean: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = format!("ddb-backup-{clean}");
    if clean.is_empty() {
        name.push_str("host");
    }
    name.truncate(64);
    name
}

/// This host's name (for the session name), without a dependency: the kernel's, the
/// environment's, or "host".
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "host".to_string())
}

/// Validates an ARN of a DynamoDB table or backup before it is sent anywhere.
pub fn validate_arn(arn: &str, want_backup: bool) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let what = if want_backup {
        "backup ARN"
    } else {
        "table ARN"
    };
    let example = if want_backup {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcd1234"
    } else {
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    };
    let ok_prefix = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "dynamodb"
        && parse_region(parts[3]).is_ok()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit());
    if !ok_prefix {
        return Err(format!(
            "invalid {what} {} (expected the form {example})",
            quoted(arn)
        ));
    }
    let res: Vec<&str> = parts[5].split('/').collect();
    let shape_ok = match (want_backup, res.as_slice()) {
        (true, ["table", t, "backup", id]) => {
            validate_name("table name", t).is_ok()
                && (1..=100).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        }
        (false, ["table", t]) => validate_name("table name", t).is_ok(),
        _ => false,
    };
    if !shape_ok {
        return Err(format!(
            "invalid {what} {} (expected the form {example})",
            quoted(arn)
        ));
    }
    Ok(())
}

/// The table name inside a table or backup ARN.
pub fn table_of_arn(arn: &str) -> Option<&str> {
    arn.splitn(6, ':').nth(5)?.split('/').nth(1)
}

/// The display name of a table given by name or ARN.
pub fn table_name(table: &str) -> &str {
    if table.starts_with("arn:") {
        table_of_arn(table).unwrap_or(table)
    } else {
        table
    }
}

/// The short id of a backup: its ARN's final part (`01796316939835-6939eea6`), unique
/// within its table and shown by `list`.
pub fn backup_id(arn: &str) -> &str {
    arn.rsplit_once("/backup/").map(|(_, id)| id).unwrap_or(arn)
}

/// Whether `s` has the form of a backup id: digits, `-`, hex digits
/// (`01796316939835-6939eea6`).
pub fn is_backup_id(s: &str) -> bool {
    s.split_once('-').is_some_and(|(t, h)| {
        (10..=20).contains(&t.len())
            && t.bytes().all(|b| b.is_ascii_digit())
            && (6..=16).contains(&h.len())
            && h.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Parses the region out of a backup or table ARN.
pub fn region_of_arn(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// An identifier type: a string checked once by its parser, then passed around as is.
macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $parse:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                let parse: fn(&str) -> Result<(), String> = $parse;
                parse(s).map(|()| $name(s.to_string()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

identifier!(
    /// An AWS region name such as `us-east-1`.
    Region,
    |s| parse_region(s).map(|_| ())
);
identifier!(
    /// A DynamoDB table name: 3–255 of `[a-zA-Z0-9_.-]`.
    TableName,
    |s| validate_name("table name", s)
);
identifier!(
    /// `arn:<partition>:dynamodb:<region>:<account>:table/<name>`.
    TableArn,
    |s| validate_arn(s, false)
);
identifier!(
    /// `arn:<partition>:dynamodb:<region>:<account>:table/<name>/backup/<id>`.
    BackupArn,
    |s| validate_arn(s, true)
);
identifier!(
    /// `arn:<partition>:iam::<account>:role/<path/name>`.
    RoleArn,
    |s| role_account(s).map(|_| ()).ok_or_else(|| format!("invalid role ARN {}", quoted(s)))
);
identifier!(
    /// A 12-digit AWS account id.
    AccountId,
    |s| if is_account(s) { Ok(()) } else { Err(format!("invalid account id {}: give 12 digits", quoted(s))) }
);

impl TableArn {
    /// The table's name.
    pub fn table(&self) -> &str {
        table_of_arn(&self.0).unwrap_or_default()
    }
}

impl BackupArn {
    /// The name of the table the backup is of.
    pub fn table(&self) -> &str {
        table_of_arn(&self.0).unwrap_or_default()
    }
}
