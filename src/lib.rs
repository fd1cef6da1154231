//! ddb-backup: scheduled DynamoDB on-demand backups, safe retention, listing and restore.
//!
//! `main.rs` parses the command line and calls [`run`]; everything else lives here so the
//! integration tests and the documentation generator can use the same definitions.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod exit;
pub mod logging;
pub mod model;
pub mod names;
pub mod output;
pub mod retention;
pub mod select;
pub mod timeparse;

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::watch;

use crate::cli::Cli;
use crate::commands::{Ctx, Stop};
use crate::exit::Exit;
use crate::output::Output;

/// Runs a parsed command line to its exit code. Errors are printed here, one line each.
pub async fn run(cli: Cli) -> Exit {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::warn!("stop requested: finishing calls in flight, starting no new work");
        let _ = tx.send(true);
        // A second signal ends the program at once.
        wait_for_signal().await;
        std::process::exit(Exit::Interrupted.code() as i32);
    });
    let ctx = Ctx {
        out: Output::new(cli.global.output, cli.global.color),
        global: Arc::new(cli.global),
        now: Utc::now(),
        stop: Stop::new(rx),
    };
    match commands::dispatch(cli.command, &ctx).await {
        Ok(code) => code,
        Err(err) => {
            print_error(&err);
            let code = exit::for_error(&err);
            if code == Exit::Failure && ctx.stop.requested() {
                Exit::Interrupted
            } else {
                code
            }
        }
    }
}

/// The one-line error report: the error and its causes joined by ": ".
pub fn print_error(err: &anyhow::Error) {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    eprintln!("error: {}", parts.join(": ").replace('\n', " "));
}

/// Formats a clap error as one line (help and version output pass through unchanged).
pub fn clap_error_line(err: &clap::Error) -> String {
    let text = err.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with("Usage:") || l.starts_with("For more information") {
            continue;
        }
        parts.push(l);
    }
    let mut line = parts.join(" ");
    if !line.starts_with("error:") {
        line = format!("error: {line}");
    }
    format!("{line} (see --help)")
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            std::future::pending::<()>().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
