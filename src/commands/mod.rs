//! The non-interactive subcommands. Each returns its exit status; none starts the TUI.

pub mod credential_process;
pub mod env;
pub mod envrc;
pub mod exec;
pub mod list;
pub mod session;
pub mod shell;
pub mod whoami;

use std::process::ExitCode;

pub use crate::exit;

/// Prints a one-line error to stderr in the form every command uses.
pub fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("awsw: {message}");
    ExitCode::from(code)
}
