//! Exit statuses, as the README's table documents them: the one place their numbers are
//! written. `main` maps every error to one of these.

/// Something failed at run time: unreadable file, STS refused, no session.
pub(crate) const FAILURE: u8 = 1;
/// The command line was wrong: unknown profile, bad flag, no terminal for the TUI.
pub const USAGE: u8 = 2;
/// `exec` / `shell`: the program exists but could not run.
pub(crate) const CANNOT_RUN: u8 = 126;
/// `exec` / `shell`: the program was not found.
pub(crate) const NOT_FOUND: u8 = 127;
