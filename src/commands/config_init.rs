//! `ddb-backup config init`: a commented starter config for the tables of the command
//! line's one account and region: one policy, checked with `config check` and tried with
//! `run --dry-run` before it does anything.

use anyhow::Result;

use crate::engine::targets;
use crate::engine::Ctx;
use crate::exit::Exit;

pub async fn run(ctx: &Ctx) -> Result<Exit> {
    let specs = ctx.targets()?;
    if specs.len() > 1 {
        return Err(crate::error::UsageError::new(
            "config init writes a config for one account and region: give one --region and at \
             most one --role-arn",
        )
        .into());
    }
    let reached = targets::each(ctx, &specs, Vec::new(), |t| async move {
        let mut tables: Vec<String> = t
            .dynamo
            .list_tables()
            .await?
            .into_iter()
            // This tool's scratch and staging tables are never backed up.
            .filter(|name| crate::names::work_table(name).is_none())
            .collect();
        tables.sort();
        Ok(tables)
    })
    .await?;
    let Some(r) = reached.into_iter().next() else {
        anyhow::bail!("no account and region to look at: give --region");
    };
    let tables = r.result?;
    ctx.out
        .text(&starter(&r.at.account, &r.at.region, &tables))?;
    Ok(Exit::Success)
}

/// The config text (pure).
pub fn starter(account: &str, region: &str, tables: &[String]) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let list = if tables.is_empty() {
        "tables = []  # no table in this region yet: name them here, or use match = [\"prod-*\"]\n"
            .to_string()
    } else {
        let mut l = String::from("tables = [\n");
        for t in tables {
            l.push_str(&format!("  {},\n", quoted(t)));
        }
        l.push_str("]\n");
        l
    };
    format!(
        r#"# ddb-backup starter config for account {account}, region {region}
# ({n} found by `ddb-backup config init`). Before the first real run:
#   ddb-backup config check --config ddb-backup.toml       # which table gets which policy
#   ddb-backup run --config ddb-backup.toml --dry-run      # what a run would create and delete
# Then schedule it (cron mails only failures):
#   15 3 * * * ddb-backup run -c /etc/ddb-backup.toml -q --report /var/lib/ddb-backup/report.json

[defaults]
region = {region_q}

# One [[policy]] per set of tables with the same schedule and retention; a table belongs
# to one policy. Select by name (tables), by glob (match = ["prod-*"]), by tag
# (tags = {{ backup = "daily" }}), and leave some out (exclude = ["*-tmp"]).
[[policy]]
name = "daily"
{list}
[policy.backup]
skip_if_recent = "20h"   # a rerun the same day makes no second backup

# Only backups this tool made (names that fit its template) are ever deleted.
[policy.retention]
keep_daily = 7
keep_weekly = 4
keep_monthly = 12
min_keep = 2             # never fewer than 2 AVAILABLE backups
max_delete = 20          # hold the table's plan if it would delete more than 20

[policy.check]           # what `ddb-backup check --config` holds these tables to
max_age = "26h"
"#,
        n = crate::output::count(tables.len(), "table", "tables"),
        region_q = quoted(region),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_a_valid_config_naming_every_table() {
        let text = starter(
            "123456789012",
            "eu-west-1",
            &["orders".into(), "orders.v2-eu_1".into()],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, &text).unwrap();
        let config = crate::config::Config::load(&path).unwrap();
        assert_eq!(config.policies.len(), 1);
        assert_eq!(config.policies[0].tables, ["orders", "orders.v2-eu_1"]);
        assert!(config.policies[0].check.is_some());
        let empty = starter("123456789012", "eu-west-1", &[]);
        std::fs::write(&path, &empty).unwrap();
        assert!(empty.contains("tables = []"));
    }
}
