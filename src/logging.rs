//! Diagnostics on stderr through `tracing`: level from -v/-q, text or JSON.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::{ColorChoice, GlobalOpts, LogFormat};

/// The filter for a verbosity. By default only this program's messages (and errors of the
/// libraries) appear: failures are reported once, as one line, by the program itself; the
/// SDK's own warnings (e.g. each credential provider that was tried) come with -v. The SDK's
/// signing and wire-level crates are capped at `info` whatever the verbosity, and so is
/// endpoint resolution (its parameters include the identity, access key id and all, for
/// STS), and the assume-role provider (it logs the temporary access key id), so
/// credentials and session tokens never reach the logs.
pub fn filter_for(verbose: u8, quiet: bool) -> String {
    filter_at(verbose, quiet, false)
}

/// [`filter_for`], for a terminal or not. On a terminal a person watches the command:
/// by default only warnings and errors (the result table says the rest), `-v` for the
/// INFO lines a log file gets by default, and each further `-v` one step more.
pub fn filter_at(verbose: u8, quiet: bool, terminal: bool) -> String {
    if terminal && !quiet {
        return match verbose {
            0 => filter_at(0, false, false).replacen("ddb_backup=info", "ddb_backup=warn", 1),
            v => filter_at(v - 1, false, false),
        };
    }
    let base = if quiet {
        "error"
    } else {
        match verbose {
            0 => "error,ddb_backup=info",
            1 => "warn,ddb_backup=debug",
            2 => "info,ddb_backup=debug,aws_smithy_runtime=debug,aws_config=debug",
            _ => "debug,ddb_backup=trace",
        }
    };
    // A cap, never a raise: at -q and the default level these stay at the base level.
    let cap = match (quiet, verbose) {
        (true, _) | (false, 0) => "error",
        (false, 1) => "warn",
        _ => "info",
    };
    let quiet_crates = [
        "aws_sigv4",
        "aws_smithy_runtime::client::orchestrator::endpoints",
        "aws_config::sts",
        "aws_smithy_http_client",
        "hyper",
        "hyper_util",
        "rustls",
        "h2",
    ];
    let caps: Vec<String> = quiet_crates.iter().map(|c| format!("{c}={cap}")).collect();
    format!("{base},{}", caps.join(","))
}

pub fn init(g: &GlobalOpts) {
    let terminal = std::io::stderr().is_terminal() && g.log_format == LogFormat::Text;
    init_filtered(g, &filter_at(g.verbose, g.quiet, terminal));
}

/// No log lines at all: a command that reports its failure in a summary of its own
/// (`run -q` without `-o`, whose stderr is what cron mails). A command that fails as a
/// whole still prints its one error line.
pub fn init_summary_only(g: &GlobalOpts) {
    init_filtered(g, "off");
}

fn init_filtered(g: &GlobalOpts, filter: &str) {
    let filter = EnvFilter::new(filter);
    let ansi = match g.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Around the progress bar, so that a log line never shares the bar's line.
        .with_writer(|| crate::output::progress::Stderr)
        // An unwritable stderr is no reason to print about it (to stderr, panicking).
        .log_internal_errors(false)
        .with_target(g.verbose > 0);
    let _ = match g.log_format {
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
        LogFormat::Text => builder.with_ansi(ansi).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_crates_stay_quiet_at_every_level() {
        for v in 0..5 {
            let f = filter_for(v, false);
            let cap = ["error", "warn", "info", "info", "info"][v as usize];
            for quiet in [
                "aws_sigv4",
                "aws_smithy_runtime::client::orchestrator::endpoints",
                "aws_config::sts",
                "aws_smithy_http_client",
                "hyper",
                "rustls",
                "h2",
            ] {
                assert!(
                    f.contains(&format!("{quiet}={cap}")),
                    "{f} lacks {quiet}={cap}"
                );
            }
            assert!(EnvFilter::try_new(&f).is_ok());
        }
        assert!(filter_for(0, true).starts_with("error"));
    }

    #[test]
    fn a_terminal_shows_warnings_by_default_and_info_with_v() {
        assert!(filter_at(0, false, true).starts_with("error,ddb_backup=warn,"));
        assert_eq!(filter_at(1, false, true), filter_for(0, false));
        assert_eq!(filter_at(2, false, true), filter_for(1, false));
        assert_eq!(filter_at(0, true, true), filter_for(0, true));
        assert!(filter_for(0, false).starts_with("error,ddb_backup=info,"));
    }
}
