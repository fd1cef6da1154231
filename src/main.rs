use std::io::Write;
use std::process::ExitCode;

use ddb_backup::exit::Exit;

fn main() -> ExitCode {
    // Help wraps where tables do: COLUMNS, the terminal's width, or 80.
    let width = ddb_backup::output::terminal_width(
        std::env::var("COLUMNS").ok().as_deref(),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    );
    let cli = match ddb_backup::cli::help::try_parse_at_width(std::env::args_os(), width) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let line = ddb_backup::clap_error_line(&e);
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                ddb_backup::output::printable(&line)
            );
            return ExitCode::from(Exit::Usage.code());
        }
    };
    if cli.global.summary_only() && matches!(cli.command, ddb_backup::cli::Command::Run(_)) {
        ddb_backup::logging::init_summary_only(&cli.global);
    } else {
        ddb_backup::logging::init(&cli.global);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: could not start the async runtime: {e}"
            );
            return ExitCode::from(Exit::Failure.code());
        }
    };
    let code = runtime.block_on(ddb_backup::run(cli));
    ExitCode::from(code.code())
}
