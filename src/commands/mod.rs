//! One module per subcommand; each composes the AWS layer, the pure logic and rendering.

pub mod backup;
pub mod check;
pub mod config_check;
pub mod describe;
pub mod fleet;
pub mod list;
pub mod prune;
pub mod restore;
pub mod run;

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use crate::aws::{ConnectOptions, Dynamo};
use crate::cli::{Command, GlobalOpts, LogFormat};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::output::Output;

pub use crate::stop::Stop;

/// What every command gets.
#[derive(Clone)]
pub struct Ctx {
    pub global: Arc<GlobalOpts>,
    pub out: Output,
    pub now: DateTime<Utc>,
    /// This host's monotonic instant of `now` (DynamoDB's time of it comes from its clock).
    pub started: std::time::Instant,
    pub stop: Stop,
    /// Set inside fleet work, where one overall bar stands for every table: per-table
    /// progress bars would draw over each other.
    pub quiet_progress: bool,
}

impl Ctx {
    pub fn connect_options(&self) -> ConnectOptions {
        let g = &self.global;
        ConnectOptions {
            region: g.region.clone(),
            profile: g.profile.clone(),
            endpoint_url: g.endpoint_url.clone(),
            max_attempts: g.max_attempts,
            initial_backoff: g.retry_backoff.duration,
            connect_timeout: g.connect_timeout.duration,
            read_timeout: g.read_timeout.duration,
            rate_multiplier: g.rate_multiplier.unwrap_or(1.0),
            stop: self.stop.clone(),
        }
    }

    pub async fn dynamo(&self) -> Result<Dynamo> {
        Dynamo::connect(&self.connect_options()).await
    }

    /// Connection options for working on `arn`: its region, which an explicit `--region`
    /// must not contradict (a usage error, found before any call).
    pub fn options_for_arn(&self, arn: &str) -> Result<ConnectOptions, UsageError> {
        let mut opts = self.connect_options();
        if let Some(r) = Dynamo::region_of_arn(arn) {
            if let Some(given) = self.global.region.as_deref().filter(|g| *g != r) {
                return Err(UsageError::new(format!(
                    "'{arn}' is in region {r}, but --region is {given}: drop --region or give the ARN from {given}"
                )));
            }
            opts.region = Some(r.to_string());
        }
        Ok(opts)
    }

    /// A progress bar on an interactive stderr; `None` otherwise (plain log lines then).
    pub fn progress(&self, len: u64, what: &str) -> Option<ProgressBar> {
        let g = &self.global;
        if self.quiet_progress
            || g.quiet
            || g.log_format == LogFormat::Json
            || !std::io::stderr().is_terminal()
        {
            return None;
        }
        let pb = ProgressBar::new(len);
        let style =
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        pb.set_style(style);
        pb.set_message(what.to_string());
        Some(pb)
    }
}

/// Runs one subcommand.
pub async fn dispatch(cmd: Command, ctx: &Ctx) -> Result<Exit> {
    match cmd {
        Command::List(a) => list::run(a, ctx).await,
        Command::Describe(a) => describe::run(a, ctx).await,
        Command::Backup(a) => backup::run(a, ctx).await,
        Command::Prune(a) => prune::run(*a, ctx).await,
        Command::Restore(a) => restore::run(*a, ctx).await,
        Command::Run(a) => run::run(*a, ctx).await,
        Command::Check(a) => check::run(a, ctx).await,
        Command::Config(crate::cli::ConfigCommand::Check(a)) => config_check::run(a, ctx).await,
    }
}
