//! ddb-backup: scheduled DynamoDB on-demand backups, safe retention, listing and restore.
//!
//! `main.rs` parses the command line and calls [`run`]; everything else lives here so the
//! integration tests and the documentation generator can use the same definitions.
//!
//! The modules form layers, bottom first: vocabulary (`ids`, `error`, `stop`, `model`,
//! `timeparse`), pure logic (`names`, `retention`, `exit`), the network (`aws`), input
//! (`cli`, `config`), where (`targets`, `select`), rendering (`output`), the `engine`,
//! the `commands`, and the wiring here. docs/ARCHITECTURE.md has the table and the data
//! flow of a `run`; `tests/it/architecture.rs` enforces the order.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod ids;
pub mod logging;
pub mod model;
pub mod names;
pub mod output;
pub mod retention;
pub mod select;
pub mod stop;
pub mod targets;
pub mod timeparse;

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::watch;

use crate::cli::Cli;
use crate::engine::Ctx;
use crate::exit::Exit;
use crate::output::Output;
pub use crate::stop::Stop;

/// How long after a stop request a command may still run before it is abandoned.
pub const STOP_BACKSTOP: std::time::Duration = std::time::Duration::from_millis(1500);

/// Runs a parsed command line to its exit code. Errors are printed here, one line each.
pub async fn run(cli: Cli) -> Exit {
    let (tx, rx) = watch::channel(false);
    let (abandon_tx, abandon_rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::warn!("stop requested: finishing calls in flight, starting no new work");
        let _ = tx.send(true);
        // A second signal abandons calls in flight: what is known is still reported.
        wait_for_signal().await;
        tracing::warn!("second stop: abandoning calls in flight, writing what is known");
        let _ = abandon_tx.send(true);
        // A third ends the program at once.
        wait_for_signal().await;
        std::process::exit(Exit::Interrupted.code() as i32);
    });
    let out = Output::new(
        cli.global.output,
        cli.global.color,
        cli.global.quiet,
        cli.global.wide,
    );
    match execute_abandonable(cli, out, Stop::new(rx), Stop::new(abandon_rx)).await {
        Ok(code) => code,
        Err((code, err)) => {
            print_error(&err);
            code
        }
    }
}

/// Runs a parsed command line with the given output and stop signal (the CLI's: stdout
/// and SIGINT/SIGTERM; the Lambda function's: a captured report and its deadline). A
/// command that fails as a whole returns its exit code and error.
pub async fn execute(cli: Cli, out: Output, stop: Stop) -> Result<Exit, (Exit, anyhow::Error)> {
    execute_abandonable(cli, out, stop, Stop::never()).await
}

/// How long an abandoned command has to return what it knows before it is dropped.
pub const ABANDON_GRACE: std::time::Duration = std::time::Duration::from_millis(1000);

/// [`execute`], with a second signal that abandons calls in flight at once (the CLI's
/// second SIGINT/SIGTERM).
pub async fn execute_abandonable(
    cli: Cli,
    out: Output,
    stop: Stop,
    abandon: Stop,
) -> Result<Exit, (Exit, anyhow::Error)> {
    let (abandon_tx, abandon_rx) = watch::channel(false);
    let ctx = Ctx {
        out,
        global: Arc::new(cli.global),
        // DynamoDB's precision: reports never carry nanoseconds.
        now: chrono::SubsecRound::trunc_subsecs(Utc::now(), 3),
        started: std::time::Instant::now(),
        stop,
        quiet_progress: false,
        critical: Default::default(),
        abandon: Stop::new(abandon_rx),
    };
    // The engine makes every call and wait stop at once on a signal; this is the backstop
    // for anything outside it (credential providers, a stuck write), so that a stopped
    // command always ends promptly.
    let mut stop = ctx.stop.clone();
    let critical = ctx.critical.clone();
    let result = tokio::select! {
        r = commands::dispatch(cli.command, &ctx) => r,
        _ = async {
            stop.wait().await;
            let mut second = abandon.clone();
            tokio::select! {
                _ = tokio::time::sleep(STOP_BACKSTOP) => {}
                _ = second.wait() => {}
            }
            // Work that keeps its partial results returns them now.
            let _ = abandon_tx.send(true);
            tokio::time::sleep(ABANDON_GRACE).await;
            // A change that must be finished (a deleted table's restore) is not abandoned.
            while critical.active() {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        } => {
            Err(anyhow::Error::from(crate::error::Interrupted)
                .context("stopped: work still in flight was abandoned"))
        }
    };
    result.map_err(|err| {
        let code = exit::for_error(&err);
        let code = if code == Exit::Failure && ctx.stop.requested() {
            Exit::Interrupted
        } else {
            code
        };
        (code, err)
    })
}

/// The one-line error report: the error and its causes joined by ": ".
pub fn print_error(err: &anyhow::Error) {
    // Never a panic when stderr is closed too.
    use std::io::Write;
    // One line, and a name's control or bidi-override characters escaped: a terminal
    // shows the error as it is.
    let _ = writeln!(
        std::io::stderr(),
        "error: {}",
        crate::output::printable(&error_line(err))
    );
}

/// An error and its causes as one line (without the "error: " prefix).
pub fn error_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}

/// Formats a clap error as one line (help and version output pass through unchanged).
/// clap quotes the offending value or argument whole: a long one is shortened as every
/// message of the tool shortens a value ([`error::quoted`]), and the line is bounded.
pub fn clap_error_line(err: &clap::Error) -> String {
    clap_line(err, shortened_values(err))
}

/// clap's rendering of `err` with each long value of its context shortened.
fn shortened_values(err: &clap::Error) -> String {
    use clap::error::ContextValue;
    let mut text = err.render().to_string();
    for (_, value) in err.context() {
        let values: Vec<&str> = match value {
            ContextValue::String(s) => vec![s.as_str()],
            ContextValue::Strings(v) => v.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        for v in values
            .into_iter()
            .filter(|v| v.chars().count() > error::QUOTED_MAX)
        {
            text = text.replace(&format!("'{v}'"), &error::quoted(v));
        }
    }
    text
}

fn clap_line(err: &clap::Error, text: String) -> String {
    if err.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return missing_subcommand_line(&text);
    }
    let mut parts: Vec<&str> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with("Usage:") || l.starts_with("For more information") {
            continue;
        }
        parts.push(l);
    }
    let mut line = error::cut(&parts.join(" "), error::MESSAGE_MAX);
    if !line.starts_with("error:") {
        line = format!("error: {line}");
    }
    format!("{line} (see --help)")
}

/// "ddb-backup" or "ddb-backup config" without a subcommand: clap renders the whole help;
/// one line naming the choices says the same.
fn missing_subcommand_line(help: &str) -> String {
    let path = help
        .lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "))
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with('[') && !w.starts_with('<'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "ddb-backup".to_string());
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A command's line, not the continuation of a wrapped description.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    format!(
        "error: '{path}' needs a command: one of {} (see {path} --help)",
        commands.join(", ")
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn a_missing_command_is_one_line_naming_the_choices() {
        for (args, want) in [
            (vec!["ddb-backup"], "'ddb-backup' needs a command: one of list, describe, backup, prune, restore, run, check, export, import, verify, report, config"),
            (vec!["ddb-backup", "config"], "'ddb-backup config' needs a command: one of check"),
        ] {
            let err = Cli::try_parse_from(&args).unwrap_err();
            let line = clap_error_line(&err);
            assert!(line.starts_with(&format!("error: {want}")), "{line}");
            assert!(!line.contains('\n'));
        }
    }

    /// The Lambda function hands event values to the same parser, without the command
    /// line's 128 KiB limit: a 700 KB value is quoted short.
    #[test]
    fn a_huge_value_in_a_clap_error_is_quoted_short() {
        let huge = "a".repeat(700_000);
        let unknown = format!("--{huge}");
        for (args, says) in [
            (
                vec!["prune", "--table", "orders", "--keep-within", &huge],
                "invalid duration 'aaa",
            ),
            (
                vec![
                    "prune",
                    "--table",
                    "orders",
                    "--keep-daily",
                    "7",
                    "--name",
                    &huge,
                ],
                "invalid name template 'aaa",
            ),
            (
                vec!["check", "--table", "orders", "--max-age", &huge],
                "invalid duration 'aaa",
            ),
            (vec!["list", &unknown], "unexpected argument '--aaa"),
        ] {
            let argv: Vec<&str> = std::iter::once("ddb-backup").chain(args).collect();
            let err = Cli::try_parse_from(&argv).unwrap_err();
            let line = clap_error_line(&err);
            assert!(line.len() < 1000, "{}", line.len());
            assert!(line.contains(says), "{line}");
            assert!(line.contains("characters)"), "{line}");
            assert!(line.ends_with("(see --help)"), "{line}");
        }
    }
}
