//! Where a session goes. `env` is the one pure function that decides which variables to set
//! and unset; every sink (shell lines, subshell, `.envrc`, clipboard, `exec`) only formats
//! or applies its result.

pub mod child;
pub mod clipboard;
pub mod env;
pub mod envrc;
pub mod served;
pub mod shell;
pub mod subshell;

pub use env::{EnvChange, EnvOptions, EnvValue, env_change};
