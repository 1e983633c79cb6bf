//! The non-interactive subcommands. Each returns `Result<(), Error>`; `main` prints the
//! error and maps it to the exit status. None starts the TUI.

pub mod credential_process;
pub mod env;
pub mod envrc;
mod error;
pub mod exec;
pub mod list;
pub mod session;
pub mod shell;
pub mod whoami;

use std::process::ExitCode;

pub use crate::exit;
pub use error::Error;

/// Prints a one-line error to stderr in the form every command uses (the picker's edge,
/// which ends with a status of its own rather than an `Error`).
pub fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("awsw: {message}");
    ExitCode::from(code)
}
