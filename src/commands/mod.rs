//! One module per subcommand: its arguments become engine options, the engine does the
//! work, and the command renders the report. No command uses another.

pub mod backup;
pub mod check;
pub mod completions;
pub mod config_check;
pub mod config_init;
pub mod describe;
pub mod export;
pub mod import;
pub mod list;
pub mod prune;
pub mod report;
pub mod restore;
pub mod run;
pub mod verify;

use anyhow::Result;

use crate::cli::Command;
use crate::engine::Ctx;
use crate::exit::Exit;

/// Runs one subcommand.
pub async fn dispatch(cmd: Command, ctx: &Ctx) -> Result<Exit> {
    if ctx.out.format == crate::cli::OutputFormat::Csv && !matches!(cmd, Command::Report(_)) {
        return crate::error::usage(
            "--output csv is only for report: use --output json or ndjson (or table)",
        );
    }
    match cmd {
        Command::List(a) => list::run(a, ctx).await,
        Command::Describe(a) => describe::run(a, ctx).await,
        Command::Backup(a) => backup::run(a, ctx).await,
        Command::Prune(a) => prune::run(*a, ctx).await,
        Command::Restore(a) => restore::run(*a, ctx).await,
        Command::Run(a) => run::run(*a, ctx).await,
        Command::Check(a) => check::run(a, ctx).await,
        Command::Export(a) => export::run(*a, ctx).await,
        Command::Import(a) => import::run(*a, ctx).await,
        Command::Verify(a) => verify::run(*a, ctx).await,
        Command::Report(a) => report::run(*a, ctx).await,
        Command::Config(crate::cli::ConfigCommand::Check(a)) => config_check::run(a, ctx).await,
        Command::Config(crate::cli::ConfigCommand::Init(_)) => config_init::run(ctx).await,
        Command::Completions(a) => completions::run(a.shell, ctx),
    }
}
