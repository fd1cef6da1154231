//! The procedures beneath the commands: the fan-out over targets, the fleet's policy
//! assignment, a table's journey in a run, executing a prune plan, backups, restore
//! drills, restores (one table, or a fleet) and the replace procedure. Each takes the project's own types (a
//! context, clients, options) and returns reports; rendering is the commands' business.

pub mod archive;
pub mod backup;
pub mod drill;
pub mod export;
pub mod export_prune;
pub mod export_schedule;
pub mod files;
pub mod fleet;
pub mod fleet_plan;
pub mod fleet_report;
pub mod fleet_restore;
pub mod import;
pub mod journey;
pub mod lookup;
pub mod metrics;
pub mod prune;
pub mod record;
pub mod replace;
pub mod report;
pub mod restore;
pub mod restored_count;
pub mod restoring;
pub mod settings;
pub mod targets;

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use crate::aws::{ConnectOptions, Dynamo};
use crate::cli::{GlobalOpts, LogFormat};
use crate::error::UsageError;
use crate::output::Output;
use crate::targets::TargetSpec;

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
    /// Held while a change must be finished whatever signal comes (`restore --replace`
    /// between deleting the table and requesting its restore): the stop backstop waits.
    pub critical: Critical,
    /// Set when a stopped command is being abandoned (a second signal, or the stop
    /// backstop): work that keeps its partial results (a fleet restore) returns them now,
    /// without waiting for calls in flight.
    pub abandon: Stop,
}

/// A count of critical sections in progress (see [`Ctx::critical`]).
#[derive(Clone, Default, Debug)]
pub struct Critical(Arc<std::sync::atomic::AtomicUsize>);

impl Critical {
    /// Enters a critical section until the returned guard is dropped.
    pub fn enter(&self) -> CriticalGuard {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        CriticalGuard(self.0.clone())
    }

    pub fn active(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

pub struct CriticalGuard(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for CriticalGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Ctx {
    /// Connection options for one target.
    pub fn options_for(&self, spec: &TargetSpec) -> ConnectOptions {
        let g = &self.global;
        ConnectOptions {
            region: spec.region.clone(),
            profile: spec.profile.clone(),
            endpoint_url: g.endpoint_url.clone(),
            max_attempts: g.max_attempts,
            initial_backoff: g.retry_backoff.duration,
            connect_timeout: g.connect_timeout.duration,
            read_timeout: g.read_timeout.duration,
            rate_multiplier: g.rate_multiplier.unwrap_or(1.0),
            stop: self.stop.clone(),
            role_arn: spec.role_arn.clone(),
            external_id: spec.external_id.clone(),
        }
    }

    /// The command line's targets (`--role-arn` × `--region`).
    pub fn targets(&self) -> Result<Vec<TargetSpec>, UsageError> {
        crate::targets::plan(&self.global, None)
    }

    /// The one target that holds `arn` (a table or backup ARN): its region, and the role
    /// into its account when roles are given. Found before any call.
    pub fn target_for_arn(&self, arn: &str) -> Result<TargetSpec, UsageError> {
        let mut specs = self.targets()?;
        // Without --region, the ARN's own region is the one (not the environment's).
        if self.global.region.is_empty() {
            for s in &mut specs {
                s.region = None;
            }
        }
        crate::targets::check_routed(&specs, [&arn.to_string()])?;
        let mut spec = specs
            .into_iter()
            .find(|s| crate::targets::may_hold(s, arn))
            .unwrap_or_default();
        if let Some((_, region)) = crate::ids::arn_place(arn) {
            spec.region = Some(region.to_string());
        }
        Ok(spec)
    }

    /// A client for the one target of a command that works in one place (describe,
    /// restore): the target of `arn`, or the command line's only target.
    pub async fn dynamo_for(&self, arn: Option<&str>) -> Result<Dynamo> {
        let spec = match arn {
            Some(a) => self.target_for_arn(a)?,
            None => {
                let specs = self.targets()?;
                if specs.len() > 1 {
                    return Err(UsageError::new(
                        "this command works in one account and region: give one --region and at                          most one --role-arn (or an ARN, which names its own)",
                    )
                    .into());
                }
                specs.into_iter().next().unwrap_or_default()
            }
        };
        Dynamo::connect(&self.options_for(&spec)).await
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
        // Log lines are printed above the bar, never glued onto its line.
        crate::output::progress::register(&pb);
        Some(pb)
    }
}

/// The results of indexed tasks, in index order (a task that panicked is an error).
pub async fn join_in_order<T: Send + 'static>(
    mut tasks: tokio::task::JoinSet<(usize, T)>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        out.push(joined?);
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, t)| t).collect())
}
