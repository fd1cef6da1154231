//! `ddb-backup completions SHELL`: the completion script, for users who have only the
//! binary (the same script as the checked-in `completions/`).

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::engine::Ctx;
use crate::exit::Exit;

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ddb-backup", &mut buf);
    if shell == Shell::Bash {
        buf = fix_bash_states(buf);
    }
    buf
}

/// clap_complete's bash script spells the subcommand states of a hyphenated binary two
/// ways (`ddb__backup__subcmd__list` in the dispatch loop, `ddb__subcmd__backup__subcmd__list`
/// in the case arms; clap-rs/clap#6421), so options after a subcommand never complete.
/// Spell the arms the way the loop does. The docs test checks the result in a real bash.
fn fix_bash_states(script: Vec<u8>) -> Vec<u8> {
    String::from_utf8_lossy(&script)
        .replace("ddb__subcmd__backup", "ddb__backup")
        .into_bytes()
}

pub fn run(shell: Shell, ctx: &Ctx) -> Result<Exit> {
    ctx.out.text(&String::from_utf8_lossy(&script(shell)))?;
    Ok(Exit::Success)
}
