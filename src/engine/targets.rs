//! Runs a command's per-region work in every target (account × region) side by side: each
//! target has its own client, pacers, breaker and clock (DynamoDB's limits are per account
//! and region); a target that cannot be reached fails alone; rows come back labelled with
//! their account and region.

use std::future::Future;
use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::aws::Dynamo;
use crate::engine::Ctx;
use crate::error::UsageError;
use crate::exit::Exit;
use crate::targets::{Place, Placed, TargetSpec};

/// A connected target.
#[derive(Clone)]
pub struct Target {
    pub spec: TargetSpec,
    pub at: Place,
    pub dynamo: Dynamo,
}

/// One target's outcome: its work's result, or why it could not be worked on.
pub struct Reached<T> {
    pub spec: TargetSpec,
    pub at: Place,
    pub result: Result<T>,
}

/// The per-target part of every report's summary.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSummary {
    /// The config target's name (absent for command-line targets).
    pub target: Option<String>,
    pub account: String,
    pub region: String,
    pub tables: usize,
    pub succeeded: usize,
    pub failed: usize,
    /// Why the target as a whole failed (it could not be reached, or selected nothing).
    pub error: Option<String>,
}

/// The account label used when no answer told it.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// True when STS is worth asking for the account: not when only DynamoDB's endpoint is
/// overridden (DynamoDB Local, an emulator without STS), where STS would be the real one,
/// reached with local credentials.
fn sts_reachable(ctx: &Ctx) -> bool {
    let set = |n: &str| std::env::var_os(n).is_some_and(|v| !v.is_empty());
    ctx.global.endpoint_url.is_some()
        || set("AWS_ENDPOINT_URL")
        || set("AWS_ENDPOINT_URL_STS")
        || !set("AWS_ENDPOINT_URL_DYNAMODB")
}

/// Connects to one target and learns its account. A role that cannot be assumed fails the
/// target; the base credentials' account is best effort ("unknown" if STS cannot tell).
async fn connect(ctx: &Ctx, spec: &TargetSpec) -> Result<Target> {
    let dynamo = Dynamo::connect(&ctx.options_for(spec)).await?;
    let account = match (spec.role_arn.is_some(), sts_reachable(ctx)) {
        (true, _) => dynamo.account_id().await?,
        (false, true) => match dynamo.account_id().await {
            Ok(a) => a,
            Err(e) if e.kind == crate::error::AwsErrorKind::Interrupted => return Err(e.into()),
            Err(e) => {
                tracing::debug!("the account of the credentials is unknown: {e}");
                UNKNOWN_ACCOUNT.to_string()
            }
        },
        (false, false) => UNKNOWN_ACCOUNT.to_string(),
    };
    let at = Place {
        account,
        region: dynamo.region().to_string(),
    };
    Ok(Target {
        spec: spec.clone(),
        at,
        dynamo,
    })
}

/// Connects every target (at most `--target-concurrency` at once), refuses a target that
/// turns out to be the same account and region as an earlier one (its tables would be
/// worked on twice), then runs `work` in each, bounded the same way. Results come back in
/// the order of `specs`. Every target's logs carry its account and region. With a single
/// target, its failure is returned as the command's error.
///
/// `tables` are the tables named by the command (or config): an ARN among them that no
/// reached target holds (its region became known only once connected) is a usage error,
/// found before any DynamoDB call.
pub async fn each<T, F, Fut>(
    ctx: &Ctx,
    specs: &[TargetSpec],
    tables: Vec<String>,
    work: F,
) -> Result<Vec<Reached<T>>>
where
    T: Send + 'static,
    F: Fn(Target) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let limit = ctx
        .global
        .target_concurrency
        .map(|n| n as usize)
        .unwrap_or(specs.len())
        .max(1);
    let sem = Arc::new(Semaphore::new(limit));
    // 1. Connect and identify.
    let mut tasks = JoinSet::new();
    for (i, spec) in specs.iter().enumerate() {
        let (ctx, spec, sem) = (ctx.clone(), spec.clone(), sem.clone());
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await;
            (i, connect(&ctx, &spec).await)
        });
    }
    let mut connected: Vec<Option<Result<Target>>> = specs.iter().map(|_| None).collect();
    while let Some(j) = tasks.join_next().await {
        if let Ok((i, r)) = j {
            connected[i] = Some(r);
        }
    }
    check_held(specs, &connected, &tables)?;
    // 2. Work, in every target that was reached and does not overlap another.
    let verdicts = overlaps(specs, &connected);
    let work = Arc::new(work);
    let mut out: Vec<Option<Reached<T>>> = specs.iter().map(|_| None).collect();
    let mut dropped = vec![false; specs.len()];
    let mut tasks = JoinSet::new();
    for (i, ((spec, c), verdict)) in specs.iter().zip(connected).zip(verdicts).enumerate() {
        let c =
            c.unwrap_or_else(|| Err(anyhow::anyhow!("internal error: the target's task ended")));
        let target = match c {
            Ok(t) => t,
            Err(e) => {
                out[i] = Some(Reached {
                    spec: spec.clone(),
                    at: Place {
                        account: spec.role_account().unwrap_or(UNKNOWN_ACCOUNT).to_string(),
                        region: spec.region.clone().unwrap_or_default(),
                    },
                    result: Err(e),
                });
                continue;
            }
        };
        match verdict {
            Overlap::None => {}
            Overlap::SameAs(first) => {
                tracing::warn!(
                    "{} reaches account {} in {}, as {first} does: worked on once",
                    spec.label(),
                    target.at.account,
                    target.at.region
                );
                dropped[i] = true;
                continue;
            }
            Overlap::Conflict(why) => {
                out[i] = Some(Reached {
                    spec: spec.clone(),
                    at: target.at.clone(),
                    result: Err(anyhow::anyhow!(why)),
                });
                continue;
            }
        }
        let (work, sem) = (work.clone(), sem.clone());
        // An error-level span: its account and region stay on every line, even under -q.
        let span = tracing::error_span!(
            "target",
            account = %target.at.account,
            region = %target.at.region
        );
        tasks.spawn(
            async move {
                let _permit = sem.acquire_owned().await;
                let (spec, at) = (target.spec.clone(), target.at.clone());
                let result = work(target).await;
                (i, Reached { spec, at, result })
            }
            .instrument(span),
        );
    }
    while let Some(j) = tasks.join_next().await {
        match j {
            Ok((i, r)) => out[i] = Some(r),
            Err(e) => tracing::error!("a target's task failed: {e}"),
        }
    }
    let several = specs.len() > 1;
    Ok(out
        .into_iter()
        .zip(specs)
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|((r, spec), _)| {
            let mut r = r.unwrap_or_else(|| Reached {
                spec: spec.clone(),
                at: Place::default(),
                result: Err(anyhow::anyhow!(
                    "internal error: the target's task ended without a result"
                )),
            });
            // With several targets, a target's failure is reported (once, naming it) and
            // the others go on; alone, it is the command's error (see `single_failure`).
            if several {
                if let Err(e) = r.result {
                    let e = e.context(spec.label());
                    tracing::error!("{e:#}");
                    r.result = Err(e);
                }
            }
            r
        })
        .collect::<Vec<_>>())
    .and_then(|mut reached| {
        single_failure(&mut reached)?;
        Ok(reached)
    })
}

/// How a reached target relates to the targets before it.
enum Overlap {
    None,
    /// The same account and region as an earlier target with the same policies (the same
    /// config target, or both from the command line): worked on once, by the earlier one.
    SameAs(String),
    /// The same account and region as another target whose policies may differ, or a
    /// target whose account is unknown sharing a region with another: neither is worked on
    /// (one policy's retention could delete what the other's keeps).
    Conflict(String),
}

/// A reached target, as far as overlaps go: where it works, which config target it is.
struct Seat<'a> {
    at: &'a Place,
    name: Option<&'a str>,
    label: String,
}

fn overlaps(specs: &[TargetSpec], connected: &[Option<Result<Target>>]) -> Vec<Overlap> {
    let seats: Vec<Option<Seat>> = specs
        .iter()
        .zip(connected)
        .map(|(s, c)| {
            c.as_ref().and_then(|r| r.as_ref().ok()).map(|t| Seat {
                at: &t.at,
                name: s.name.as_deref(),
                label: s.label(),
            })
        })
        .collect();
    overlaps_of(&seats)
}

/// The pure part of [`overlaps`] (`None`: a target that was not reached).
fn overlaps_of(seats: &[Option<Seat>]) -> Vec<Overlap> {
    let mut out: Vec<Overlap> = seats.iter().map(|_| Overlap::None).collect();
    for i in 0..seats.len() {
        let Some(a) = &seats[i] else { continue };
        for j in 0..i {
            let Some(b) = &seats[j] else { continue };
            if a.at.region != b.at.region || matches!(out[j], Overlap::SameAs(_)) {
                continue;
            }
            let unknown = a.at.account == UNKNOWN_ACCOUNT || b.at.account == UNKNOWN_ACCOUNT;
            if !unknown && a.at.account != b.at.account {
                continue;
            }
            if !unknown && a.name == b.name {
                if matches!(out[i], Overlap::None) {
                    out[i] = Overlap::SameAs(b.label.clone());
                }
                continue;
            }
            let why = if unknown {
                format!(
                    "{} and {} both work in {}, and the account of one is unknown (STS did not \
                     answer GetCallerIdentity): they may be the same account, so neither is \
                     worked on",
                    b.label, a.label, a.at.region
                )
            } else {
                format!(
                    "{} and {} both reach account {} in {}: their policies would both apply \
                     to the same tables, so neither is worked on (give each account and region \
                     to one target)",
                    b.label, a.label, a.at.account, a.at.region
                )
            };
            out[i] = Overlap::Conflict(why.clone());
            out[j] = Overlap::Conflict(why);
        }
    }
    out
}

/// Every ARN among `tables` is held by a connected target, or may be by one that could not
/// be reached (that target's failure says enough).
fn check_held(
    specs: &[TargetSpec],
    connected: &[Option<Result<Target>>],
    tables: &[String],
) -> Result<(), UsageError> {
    for arn in tables.iter().filter(|t| t.starts_with("arn:")) {
        let held = connected
            .iter()
            .flatten()
            .filter_map(|c| c.as_ref().ok())
            .any(|t| crate::targets::holds(&t.at, arn));
        let maybe = specs
            .iter()
            .zip(connected)
            .any(|(s, c)| !matches!(c, Some(Ok(_))) && crate::targets::may_hold(s, arn));
        if !held && !maybe {
            let places: Vec<String> = connected
                .iter()
                .flatten()
                .filter_map(|c| c.as_ref().ok())
                .map(|t| t.at.to_string())
                .collect();
            let (account, region) = crate::ids::arn_place(arn).unwrap_or(("?", "?"));
            let unverified = connected
                .iter()
                .flatten()
                .filter_map(|c| c.as_ref().ok())
                .any(|t| t.at.account == UNKNOWN_ACCOUNT && t.at.region == region);
            if unverified {
                return Err(UsageError::new(format!(
                    "{} names account {account}, but the account of the credentials in \
                     {region} is unknown (STS did not answer GetCallerIdentity), so it cannot be \
                     checked: give the table by name",
                    crate::error::quoted(arn)
                )));
            }
            return Err(crate::targets::uncovered(arn, &places));
        }
    }
    Ok(())
}

/// With a single target, its failure is the command's failure, reported as before targets
/// existed (one error line, the error's own exit code).
fn single_failure<T>(reached: &mut Vec<Reached<T>>) -> Result<()> {
    if reached.len() == 1 && reached[0].result.is_err() {
        if let Some(Reached { result: Err(e), .. }) = reached.pop() {
            return Err(e);
        }
    }
    Ok(())
}

/// Labels each row of each reached target with its place, in target order. The rows are
/// taken out of the targets' results (`take` empties them; count before), so a fleet's
/// rows are held once.
pub fn placed<T, R>(reached: &mut [Reached<T>], take: impl Fn(&mut T) -> Vec<R>) -> Vec<Placed<R>> {
    let mut out = Vec::new();
    for r in reached.iter_mut() {
        if let Ok(t) = r.result.as_mut() {
            out.extend(take(t).into_iter().map(|row| Placed::new(&r.at, row)));
        }
    }
    out
}

/// The per-target summary lines: `count(t)` gives (tables, succeeded, failed) of a reached
/// target.
pub fn summaries<T>(
    reached: &[Reached<T>],
    count: impl Fn(&T) -> (usize, usize, usize),
) -> Vec<TargetSummary> {
    reached
        .iter()
        .map(|r| {
            let (tables, succeeded, failed, error) = match &r.result {
                Ok(t) => {
                    let (a, b, c) = count(t);
                    (a, b, c, None)
                }
                Err(e) => (0, 0, 0, Some(format!("{e:#}"))),
            };
            TargetSummary {
                target: r.spec.name.clone(),
                account: r.at.account.clone(),
                region: r.at.region.clone(),
                tables,
                succeeded,
                failed,
                error,
            }
        })
        .collect()
}

/// The exit code of a whole run: 130 when stopped, else 0 when every table and target
/// succeeded, 1 when nothing did, 3 in between. `failed` counts failed tables; failed
/// targets count as failures too.
pub fn fleet_exit(
    targets: &[TargetSummary],
    succeeded: usize,
    failed: usize,
    interrupted: bool,
) -> Exit {
    if interrupted {
        return Exit::Interrupted;
    }
    let failed_targets = targets.iter().filter(|t| t.error.is_some()).count();
    Exit::from_counts(succeeded, failed + failed_targets)
}

/// A line per target for table output (only when there are several).
pub fn summary_lines(targets: &[TargetSummary]) -> String {
    if targets.len() < 2 {
        return String::new();
    }
    let mut s = String::new();
    for t in targets {
        let name = t
            .target
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        match &t.error {
            Some(e) => s.push_str(&format!(
                "\n  {}/{}{name}: failed: {}",
                t.account,
                t.region,
                crate::output::printable(e)
            )),
            None => s.push_str(&format!(
                "\n  {}/{}{name}: {}, {} ok, {} failed",
                t.account,
                t.region,
                crate::output::count(t.tables, "table", "tables"),
                t.succeeded,
                t.failed
            )),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seat_strategy() -> impl Strategy<Value = Option<(u8, u8, u8)>> {
        // account (0 = unknown), region, config target name (0 = command line)
        proptest::option::weighted(0.85, (0u8..3, 0u8..2, 0u8..3))
    }

    proptest! {
        /// Whatever targets a run is given, the ones that run never share an account and
        /// region (so no table is worked on twice, under one policy or two), nor a region
        /// with a target of unknown account; a dropped duplicate always has a running
        /// target in its place with the same policies.
        #[test]
        fn running_targets_never_share_a_place(raw in proptest::collection::vec(seat_strategy(), 0..9)) {
            let places: Vec<Option<(Place, Option<String>)>> = raw
                .iter()
                .map(|s| s.map(|(a, r, n)| {
                    (
                        Place {
                            account: if a == 0 { UNKNOWN_ACCOUNT.into() } else { format!("{a:012}") },
                            region: format!("region-{r}"),
                        },
                        (n > 0).then(|| format!("target-{n}")),
                    )
                }))
                .collect();
            let seats: Vec<Option<Seat>> = places
                .iter()
                .enumerate()
                .map(|(i, p)| p.as_ref().map(|(at, name)| Seat {
                    at,
                    name: name.as_deref(),
                    label: format!("#{i}"),
                }))
                .collect();
            let verdicts = overlaps_of(&seats);
            let running: Vec<&Seat> = seats
                .iter()
                .zip(&verdicts)
                .filter_map(|(s, v)| s.as_ref().filter(|_| matches!(v, Overlap::None)))
                .collect();
            for (i, a) in running.iter().enumerate() {
                for b in &running[i + 1..] {
                    if a.at.region == b.at.region {
                        prop_assert!(a.at.account != UNKNOWN_ACCOUNT && b.at.account != UNKNOWN_ACCOUNT);
                        prop_assert_ne!(&a.at.account, &b.at.account);
                    }
                }
            }
            for (s, v) in seats.iter().zip(&verdicts) {
                if let (Some(s), Overlap::SameAs(_)) = (s, v) {
                    prop_assert!(s.at.account != UNKNOWN_ACCOUNT);
                    // Its place is covered by a target with the same policies: one that
                    // runs, or one refused for a conflict (then nothing runs there).
                    let covered = seats.iter().zip(&verdicts).any(|(o, ov)| {
                        o.as_ref().is_some_and(|o| o.at == s.at && o.name == s.name)
                            && !matches!(ov, Overlap::SameAs(_))
                    });
                    prop_assert!(covered);
                }
            }
        }
    }
}
