//! The `awsw` binary: parses the command line and hands off to a command.

use std::process::ExitCode;

use clap::Parser;

use awsw::cli::{Cli, Command};
use awsw::commands;

fn main() -> ExitCode {
    init_logging();
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
        Some(Command::ClipboardOwner) => awsw::sink::clipboard::run_owner(),
        None => awsw::runtime::run(cli.print),
    }
}

/// `AWSW_LOG=debug` (or `trace`, `info`, `warn`, `error`): awsw's own events on stderr, so a
/// user can see which root, role and cache entry a command used and why it asked for a code.
/// Other crates' events stay off: awsw vouches that its own never hold a secret.
fn init_logging() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let Some(value) = std::env::var("AWSW_LOG").ok().filter(|v| !v.is_empty()) else { return };
    let Ok(level) = value.parse::<LevelFilter>() else {
        eprintln!("awsw: AWSW_LOG={value:?} is not a level (error, warn, info, debug, trace, off); no log");
        return;
    };
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(false);
    tracing_subscriber::registry().with(layer).with(Targets::new().with_target("awsw", level)).init();
}

// Parsing a large config makes hundreds of thousands of small allocations; mimalloc makes
// them cheaper than glibc's malloc at a lower peak (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
