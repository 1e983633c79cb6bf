//! Where a session goes. `env` is the one pure function that decides which variables to set
//! and unset; every sink (shell lines, subshell, `.envrc`, clipboard, `exec`) only formats
//! or applies its result.

pub(crate) mod child;
pub mod clipboard;
pub mod env;
pub mod envrc;
pub(crate) mod served;
pub mod shell;
pub(crate) mod subshell;
