//! `ddb-backup describe ARN`, and `describe --table T`: a table's settings record.

use anyhow::Result;

use crate::cli::DescribeArgs;
use crate::engine::lookup;
use crate::engine::record;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::model::{BackupDescription, KeyElement, Setting};
use crate::output::{human_size, time};

pub async fn run(args: DescribeArgs, ctx: &Ctx) -> Result<Exit> {
    let arn = match (&args.arn, &args.table) {
        (Some(reference), _) => lookup::backup_arn(ctx, reference).await?,
        (None, Some(table)) if args.latest || args.backup_name.is_some() => {
            let at = table.starts_with("arn:").then_some(table.as_str());
            let dynamo = ctx.dynamo_for(at).await?;
            lookup::of_table(&dynamo, table, args.backup_name.as_deref()).await?
        }
        _ => return table_record(&args, ctx).await,
    };
    let arn = &arn;
    let dynamo = ctx.dynamo_for(Some(arn)).await?;
    let d = dynamo.describe_backup(arn).await?;
    // A read command prints what it was asked for, -q or not.
    if ctx.out.is_table() {
        ctx.out.text(&render(&d))?;
    } else {
        ctx.out.data(&d, "")?;
    }
    Ok(Exit::Success)
}

async fn table_record(args: &DescribeArgs, ctx: &Ctx) -> Result<Exit> {
    let table = args.table.as_deref().unwrap_or_default();
    let arn = table.starts_with("arn:").then_some(table);
    let dynamo = ctx.dynamo_for(arn).await?;
    let name = crate::ids::table_name(table);
    let Some(r) = record::read(&dynamo, name, &args.skip_setting).await? else {
        let region = format!(" in {}", dynamo.region());
        anyhow::bail!("{}", dynamo.not_found(name, &region).await);
    };
    let unreadable = r.unreadable();
    for (s, why) in &unreadable {
        tracing::error!(setting = s.name(), "could not be read: {why}");
    }
    let exit = if unreadable.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    };
    if ctx.out.is_table() {
        let mut t = ctx.out.table(&["Setting", "As recorded"]);
        for s in Setting::ALL {
            let d = r.describe(s).unwrap_or_else(|| {
                unreadable
                    .iter()
                    .find(|(x, _)| *x == s)
                    .map(|(_, w)| format!("could not be read: {w}"))
                    .unwrap_or_else(|| "skipped".into())
            });
            t.add_row(vec![s.name().to_string(), d]);
        }
        ctx.out
            .text(&format!("settings of {name} in {}\n{t}\n", r.region))?;
    } else {
        ctx.out.data(&r, "")?;
    }
    Ok(exit)
}

fn keys(k: &[KeyElement]) -> String {
    k.iter()
        .map(|e| format!("{} ({})", e.attribute, e.key_type))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(d: &BackupDescription) -> String {
    let b = &d.backup;
    let s = &d.source_table;
    let mut rows: Vec<(String, String)> = vec![
        ("Backup name".into(), b.backup_name.clone()),
        ("Backup ARN".into(), b.backup_arn.clone()),
        ("Status".into(), b.status.as_str().into()),
        ("Type".into(), b.kind.as_str().into()),
        ("Created (UTC)".into(), time(b.created_at)),
        ("Size".into(), human_size(b.size_bytes)),
        ("Source table".into(), s.table_name.clone()),
        (
            "Source table ARN".into(),
            s.table_arn.clone().unwrap_or_default(),
        ),
        (
            "Items".into(),
            s.item_count.map(|n| n.to_string()).unwrap_or_default(),
        ),
        (
            "Billing mode".into(),
            s.billing_mode.clone().unwrap_or_default(),
        ),
        ("Key schema".into(), keys(&s.key_schema)),
    ];
    if let Some(e) = b.expires_at {
        rows.push(("Expires (UTC)".into(), time(e)));
    }
    for (label, list) in [
        ("Global index", &s.global_secondary_indexes),
        ("Local index", &s.local_secondary_indexes),
    ] {
        match list {
            Some(list) => {
                for i in list {
                    rows.push((label.into(), format!("{}: {}", i.name, keys(&i.key_schema))));
                }
            }
            None => rows.push((
                format!("{label}es"),
                "unknown (not in the backup's description)".into(),
            )),
        }
    }
    if let Some(sse) = &s.sse {
        rows.push((
            "Encryption".into(),
            format!(
                "{} {}",
                sse.sse_type.clone().unwrap_or_default(),
                sse.status.clone().unwrap_or_default()
            ),
        ));
    }
    if let Some(st) = &s.stream {
        rows.push((
            "Stream".into(),
            if st.enabled {
                st.view_type.clone().unwrap_or_else(|| "enabled".into())
            } else {
                "disabled".into()
            },
        ));
    }
    if let Some(ttl) = &s.ttl {
        rows.push((
            "TTL".into(),
            format!(
                "{} {}",
                ttl.status.clone().unwrap_or_default(),
                ttl.attribute.clone().unwrap_or_default()
            ),
        ));
    }
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:width$}  {v}\n"))
        .collect()
}
