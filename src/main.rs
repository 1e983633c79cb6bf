//! The `awsw` binary: parses the command line and hands off to a command.

use std::process::ExitCode;

use clap::Parser;

use awsw::cli::{Cli, Command};
use awsw::commands;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(commands::exit::USAGE),
            };
        }
    };
    match cli.command {
        Some(Command::List(args)) => commands::list::run(&args),
        Some(Command::Whoami(args)) => commands::whoami::run(&args),
        Some(Command::Env(args)) => commands::env::run(&args),
        Some(Command::Exec(args)) => commands::exec::run(&args),
        Some(Command::CredentialProcess(args)) => commands::credential_process::run(&args),
        Some(Command::Shell(args)) => commands::shell::run(&args),
        Some(Command::Envrc(args)) => commands::envrc::run(&args),
        Some(Command::Refresh(args)) => commands::refresh::run(&args),
        Some(Command::ClipboardOwner) => awsw::sink::clipboard::run_owner(),
        None => awsw::runtime::run(cli.print),
    }
}

// Parsing a large config makes hundreds of thousands of small allocations; mimalloc makes
// them cheaper than glibc's malloc at a lower peak (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
