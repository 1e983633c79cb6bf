//! The non-interactive subcommands. Each returns `Result<(), Error>`; `main` prints the
//! error and maps it to the exit status. None starts the TUI.

pub mod agent;
pub mod completions;
pub mod console;
pub mod credential_process;
pub mod doctor;
pub mod env;
pub mod envrc;
mod error;
pub mod exec;
pub mod list;
pub mod login;
pub mod logout;
pub mod man;
pub(crate) mod populate;
pub mod refresh;
pub mod rotate;
pub(crate) mod served;
pub(crate) mod session;
pub mod shell;
pub mod sso;
pub mod whoami;

use std::process::ExitCode;

pub use crate::exit;
pub use error::Error;

/// Prints a one-line error to stderr in the form every command uses, control characters
/// made visible (a message can quote a config value or an STS answer).
pub(crate) fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("awsw: {}", crate::printable::escaped(message));
    ExitCode::from(code)
}

/// Reads the settings file and the `AWSW_*` variables once, before a command runs: file
/// problems are warnings on stderr, a bad variable is a usage error (exit 2).
pub fn load_settings(context: &crate::context::Context) -> Result<(), ExitCode> {
    let loaded = crate::settings::load(&|name| context.vars.var(name)).map_err(|e| fail(exit::USAGE, e))?;
    for warning in &loaded.warnings {
        eprintln!("awsw: {}", crate::printable::escaped(warning));
    }
    crate::settings::install(loaded.settings);
    Ok(())
}
