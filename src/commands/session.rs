//! What the session commands share: loading the files into an engine, turning flags into an
//! `Ask`, and running one async call on a small runtime.

use std::process::ExitCode;
use std::sync::Arc;

use super::{exit, fail};
use crate::cli::MfaArgs;
use crate::config::{self, ConfigPaths};
use crate::creds::{Ask, CredsError, Engine, MfaSource};

/// The engine over the user's files, or the exit status of a failure already reported.
pub fn engine() -> Result<Engine, ExitCode> {
    let loaded =
        ConfigPaths::from_env().and_then(|paths| config::load(&paths)).map_err(|e| fail(exit::FAILURE, e))?;
    Engine::from_env(Arc::new(loaded.inventory)).map_err(|e| report(&e))
}

/// `--mfa-code`, else the profile's mfa_process, else a prompt on the terminal.
pub fn ask(mfa: &MfaArgs, run_credential_process: bool) -> Ask {
    let mfa = match &mfa.mfa_code {
        Some(code) => MfaSource::Code(code.clone()),
        None => MfaSource::PromptTty,
    };
    Ask { mfa, run_credential_process }
}

/// Prints an engine error and gives its exit status.
pub fn report(err: &CredsError) -> ExitCode {
    fail(err.exit_code(), err)
}

/// Prints what the engine wants the user to know (capped durations, cache trouble, cache
/// directories refused because other users can change them).
pub fn print_notices(engine: &Engine) {
    for notice in engine.take_notices().into_iter().chain(crate::creds::fsutil::take_refusals()) {
        eprintln!("awsw: {}", crate::printable::escape(&notice));
    }
}

/// Runs a future on a single-threaded runtime: the commands make one call at a time, and
/// starting one thread is cheaper than a pool.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}
