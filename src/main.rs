//! The `awsw` binary: parses the command line and hands off to a command.

use std::process::ExitCode;

use clap::Parser;

use awsw::cli::{Cli, Command};
use awsw::commands;

fn main() -> ExitCode {
    // A completion script asking for candidates: answer and exit before anything else.
    commands::completions::complete_from_env();
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
    let own_checks = matches!(
        cli.command,
        Some(
            Command::ClipboardOwner
                | Command::Completions(_)
                | Command::CompleteProfiles
                | Command::Man
                | Command::Doctor(_)
        )
    );
    if !own_checks && let Err(code) = commands::load_settings() {
        return code;
    }
    match cli.command {
        Some(Command::List(args)) => commands::list::run(&args),
        Some(Command::Whoami(args)) => commands::whoami::run(&args),
        Some(Command::Env(args)) => commands::env::run(&args),
        Some(Command::Exec(args)) => commands::exec::run(&args),
        Some(Command::CredentialProcess(args)) => commands::credential_process::run(&args),
        Some(Command::Shell(args)) => commands::shell::run(&args),
        Some(Command::Envrc(args)) => commands::envrc::run(&args),
        Some(Command::Refresh(args)) => commands::refresh::run(&args),
        Some(Command::Login(args)) => commands::login::run(&args),
        Some(Command::Logout(args)) => commands::logout::run(&args),
        Some(Command::Sso(args)) => commands::sso::run(&args),
        Some(Command::Rotate(args)) => commands::rotate::run(&args),
        Some(Command::ClipboardOwner) => awsw::sink::clipboard::run_owner(),
        Some(Command::Completions(args)) => commands::completions::run(&args),
        Some(Command::CompleteProfiles) => commands::completions::run_profiles(),
        Some(Command::Man) => commands::man::run(),
        Some(Command::Doctor(args)) => commands::doctor::run(&args),
        Some(Command::Console(args)) => commands::console::run(&args),
        None => awsw::runtime::run(cli.print),
    }
}

// Parsing a large config makes hundreds of thousands of small allocations; mimalloc makes
// them cheaper than glibc's malloc at a lower peak (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
