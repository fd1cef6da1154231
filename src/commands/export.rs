//! `ddb-backup export`: the selected tables exported to S3 (full, or the incremental chain
//! since the newest export), each with ddb-backup's manifest written last.

use anyhow::Result;

use crate::cli::ExportArgs;
use crate::engine::archive::Location;
use crate::engine::export::{exit_for, in_target, report, ExportOptions, ExportReport};
use crate::engine::targets;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::output::time;

pub async fn run(args: ExportArgs, ctx: &Ctx) -> Result<Exit> {
    args.select.validate()?;
    let opts = ExportOptions {
        loc: Location::from_opts(&args.archive, "export")?,
        kms_key: args.sse_kms_key.clone(),
        incremental: args.incremental,
        wait: args.wait,
        timeout: args.timeout.duration,
    };
    let specs = ctx.targets()?;
    crate::targets::check_routed(&specs, &args.select.tables)?;
    let (sel, o, c) = (args.select.clone(), opts.clone(), ctx.clone());
    let reached = targets::each(ctx, &specs, args.select.tables.clone(), move |t| {
        let (sel, o, c) = (sel.clone(), o.clone(), c.clone());
        async move { in_target(&t, &sel, &o, &c).await }
    })
    .await?;
    let report = report(reached, &opts, ctx);
    let exit = exit_for(&report);
    if ctx.out.shows(exit) {
        print(&report, ctx)?;
    }
    Ok(exit)
}

fn print(r: &ExportReport, ctx: &Ctx) -> Result<()> {
    if !ctx.out.is_table() {
        ctx.out.data(r, "tables")?;
        return Ok(());
    }
    let mut t = ctx.out.table(&[
        "Table",
        "Result",
        "Type",
        "Export time (UTC)",
        "Status",
        "Manifest / detail",
    ]);
    for x in &r.tables {
        if x.exports.is_empty() {
            t.add_row(vec![
                x.table.clone(),
                x.status.to_string(),
                String::new(),
                String::new(),
                String::new(),
                x.error
                    .clone()
                    .or_else(|| x.note.clone())
                    .unwrap_or_default(),
            ]);
        }
        for m in &x.exports {
            t.add_row(vec![
                x.table.clone(),
                x.status.to_string(),
                m.export_type.trim_end_matches("_EXPORT").to_lowercase(),
                time(m.export_time),
                m.status.clone(),
                m.manifest.clone(),
            ]);
        }
    }
    let s = &r.summary;
    ctx.out.text(&format!(
        "{t}\n{}, {} failed; {} requested to s3://{}/{}{}{}",
        crate::output::count(s.tables, "table", "tables"),
        s.failed,
        crate::output::count(s.exports, "export", "exports"),
        r.bucket,
        r.prefix,
        if s.interrupted { " (interrupted)" } else { "" },
        targets::summary_lines(&s.targets)
    ))?;
    Ok(())
}
