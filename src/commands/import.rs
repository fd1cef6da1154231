//! `ddb-backup import`: a new table from an export in S3 (ImportTable from the full base,
//! then each increment of its chain, then its settings record).

use anyhow::Result;

use crate::aws::Dynamo;
use crate::cli::ImportArgs;
use crate::engine::archive::Location;
use crate::engine::import::{run as import, ImportOptions, ImportReport, Pick};
use crate::engine::settings::any_failed;
use crate::engine::Ctx;
use crate::error::UsageError;
use crate::exit::Exit;
use crate::output::time;

pub async fn run(args: ImportArgs, ctx: &Ctx) -> Result<Exit> {
    let pick = match (&args.manifest, &args.table) {
        (Some((b, k)), _) => Pick::Manifest(b.clone(), k.clone()),
        (None, Some(t)) => Pick::Table {
            table: crate::ids::table_name(t).to_string(),
            at_or_before: args
                .export_time
                .as_ref()
                .map(|t| t.resolve(ctx.now))
                .transpose()
                .map_err(UsageError::new)?,
        },
        (None, None) => return Err(UsageError::new("import needs --table or --manifest").into()),
    };
    let loc = match (&args.manifest, args.archive.bucket.is_some()) {
        (Some((b, _)), false) => Location {
            bucket: crate::aws::s3::Bucket {
                name: b.clone(),
                owner: args.archive.bucket_owner.clone(),
            },
            prefix: String::new(),
        },
        _ => Location::from_opts(&args.archive, "import")?,
    };
    let specs = ctx.targets()?;
    if specs.len() > 1 {
        return Err(UsageError::new(
            "import works in one account and region: give one --region and at most one --role-arn",
        )
        .into());
    }
    let spec = specs.into_iter().next().unwrap_or_default();
    let d = Dynamo::connect(&ctx.options_for(&spec)).await?;
    let account = d.account_id().await?;
    let opts = ImportOptions {
        loc,
        pick,
        target: args.target.clone(),
        wait: args.wait,
        timeout: args.timeout.duration,
    };
    let report = import(&d, &account, &opts, ctx).await;
    let exit = match report.status {
        "completed" if any_failed(&report.settings) => Exit::Partial,
        "completed" | "started" => Exit::Success,
        "in_progress" => Exit::Partial,
        _ if ctx.stop.requested() => Exit::Interrupted,
        _ => Exit::Failure,
    };
    if let Some(e) = &report.error {
        tracing::error!(target = %report.target, "import: {e}");
    }
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
    Ok(exit)
}

fn print(r: &ImportReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "chain")?;
        return Ok(());
    }
    let mut t = ctx
        .out
        .table(&["Step", "Type", "Export time (UTC)", "Result", "Manifest"]);
    for (i, l) in r.chain.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            l.export_type.trim_end_matches("_EXPORT").to_lowercase(),
            time(l.export_time),
            if l.status == "applied" {
                format!("applied ({} put, {} deleted)", l.puts, l.deletes)
            } else {
                l.status.to_string()
            },
            l.manifest.clone(),
        ]);
    }
    let mut text = format!("{t}\n");
    for s in &r.settings {
        text.push_str(&format!(
            "setting {}: {} {}\n",
            s.setting, s.status, s.detail
        ));
    }
    for w in &r.warnings {
        text.push_str(&format!("note: {w}\n"));
    }
    text.push_str(&format!(
        "import into '{}': {}{}",
        r.target,
        r.status,
        r.error
            .as_ref()
            .map(|e| format!(" — {e}"))
            .unwrap_or_default()
    ));
    ctx.out.text(&text)?;
    Ok(())
}
