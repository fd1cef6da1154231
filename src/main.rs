use std::io::Write;
use std::process::ExitCode;

use ddb_backup::exit::Exit;

fn main() -> ExitCode {
    let cli = match ddb_backup::cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}", ddb_backup::clap_error_line(&e));
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
