//! Where a session goes. `env` is the one pure function that decides which variables to set
//! and unset; every sink (shell lines, subshell, `.envrc`, clipboard, `exec`) only formats
//! or applies its result. `served` derives a served child's environment from it (an
//! endpoint instead of keys), and `child` runs such a child with the terminal.

pub(crate) mod child;
pub mod clipboard;
pub mod env;
pub mod envrc;
pub(crate) mod served;
pub mod shell;
pub(crate) mod subshell;
