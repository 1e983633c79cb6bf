//! The `awsw` binary: parses the command line and hands off to a command.

use std::process::ExitCode;

use clap::Parser;

use awsw::cli::{Cli, Command};
use awsw::commands::{self, Error};
use awsw::context::Context;

fn main() -> ExitCode {
    // The one read of the process environment; everything after takes it from here.
    let context = Context::from_env();
    init_logging(&context);
    // A completion script asking for candidates: answer and exit before anything else.
    commands::completions::complete_from_env(&context);
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
    if !own_checks && let Err(code) = commands::load_settings(&context) {
        return code;
    }
    match try_main(cli, &context) {
        Ok(code) => code,
        Err(err) => err.report(),
    }
}

/// Runs the command; every failure comes back here as an `Error`, whose exit status
/// `main` takes from `Error::exit_code` (the picker and the clipboard owner end with
/// statuses of their own).
fn try_main(cli: Cli, context: &Context) -> Result<ExitCode, Error> {
    match cli.command {
        Some(Command::List(args)) => commands::list::run(&args, context)?,
        Some(Command::Whoami(args)) => commands::whoami::run(&args, context)?,
        Some(Command::Env(args)) => commands::env::run(&args, context)?,
        Some(Command::Exec(args)) => commands::exec::run(&args, context)?,
        Some(Command::CredentialProcess(args)) => commands::credential_process::run(&args, context)?,
        Some(Command::Shell(args)) => commands::shell::run(&args, context)?,
        Some(Command::Envrc(args)) => commands::envrc::run(&args, context)?,
        Some(Command::Agent(args)) => commands::agent::run(&args, context)?,
        Some(Command::Refresh(args)) => commands::refresh::run(&args, context)?,
        Some(Command::Login(args)) => commands::login::run(&args, context)?,
        Some(Command::Logout(args)) => commands::logout::run(&args, context)?,
        Some(Command::Sso(args)) => commands::sso::run(&args, context)?,
        Some(Command::Rotate(args)) => commands::rotate::run(&args, context)?,
        Some(Command::Completions(args)) => commands::completions::run(&args)?,
        Some(Command::CompleteProfiles) => commands::completions::run_profiles(context)?,
        Some(Command::Man) => commands::man::run()?,
        Some(Command::Doctor(args)) => commands::doctor::run(&args, context)?,
        Some(Command::Console(args)) => commands::console::run(&args, context)?,
        Some(Command::ClipboardOwner) => return Ok(awsw::sink::clipboard::run_owner(context)),
        None => return Ok(awsw::runtime::run(cli.print, context)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `AWSW_LOG=debug` (or `trace`, `info`, `warn`, `error`): awsw's own events on stderr, so a
/// user can see which root, role and cache entry a command used and why it asked for a code.
/// Other crates' events stay off: awsw vouches that its own never hold a secret.
fn init_logging(context: &Context) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let Some(value) = context.vars.get("AWSW_LOG") else { return };
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
