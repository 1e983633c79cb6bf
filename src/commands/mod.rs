//! The non-interactive subcommands. Each returns its exit status; none starts the TUI.

pub mod credential_process;
pub mod env;
pub mod envrc;
pub mod exec;
pub mod list;
pub mod refresh;
pub mod served;
pub mod session;
pub mod shell;
pub mod whoami;

use std::process::ExitCode;

/// Exit statuses, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// Something failed at run time: unreadable file, STS refused, no session.
    pub const FAILURE: u8 = 1;
    /// The command line was wrong: unknown profile, bad flag, no terminal for the TUI.
    pub const USAGE: u8 = 2;
}

/// Prints a one-line error to stderr in the form every command uses.
pub fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("awsw: {message}");
    ExitCode::from(code)
}
