//! What the session commands share: loading the files into an engine, turning flags into an
//! `Ask`, and running one async call on a small runtime.

use std::sync::Arc;

use super::Error;
use crate::cli::MfaArgs;
use crate::config;
use crate::context::Context;
use crate::creds::{Ask, Engine, MfaSource};

/// The engine over the user's files, with the environment `context` read at start.
pub(crate) fn engine(context: &Context) -> Result<Engine, Error> {
    let loaded = context.config_paths().and_then(|paths| config::load(&paths))?;
    Ok(Engine::new(Arc::new(loaded.inventory), context.engine.clone())?)
}

/// The engine for a command that names `profile`: when no file has it, the rows the picker
/// shows from the sso-sessions' cached discoveries are looked in too, so a discovered name
/// works everywhere (`awsw env`, the `.envrc` the picker writes, served shells).
pub(crate) fn engine_for(context: &Context, profile: &str) -> Result<Engine, Error> {
    let loaded = context.config_paths().and_then(|paths| config::load(&paths))?;
    let mut inventory = loaded.inventory;
    if inventory.profile(profile).is_none() {
        let discoveries = super::sso::cached_discoveries(&inventory, &context.engine.dirs);
        let template = &crate::settings::current().discovery_name_template;
        let own = inventory.profiles.len();
        let found = crate::sso::discovered::profiles(&inventory, own, &discoveries, template)
            .into_iter()
            .find(|(p, _)| p.name == profile);
        if let Some((found, _)) = found {
            let mut profiles = std::mem::take(&mut inventory.profiles);
            profiles.push(found);
            inventory = inventory.with_profiles(profiles);
        }
    }
    Ok(Engine::new(Arc::new(inventory), context.engine.clone())?)
}

/// `--mfa-code`, else the profile's mfa_process, else a prompt on the terminal.
pub(crate) fn ask(mfa: &MfaArgs, run_credential_process: bool) -> Ask {
    let mfa = match &mfa.mfa_code {
        Some(code) => MfaSource::Code(code.clone()),
        None => MfaSource::PromptTty,
    };
    Ask { mfa, run_credential_process }
}

/// Prints what the engine wants the user to know (capped durations, cache trouble, cache
/// directories refused because other users can change them).
pub(crate) fn print_notices(engine: &Engine) {
    let notices = engine.take_notices().into_iter().chain(crate::creds::fsutil::take_refusals());
    for notice in notices.chain(crate::creds::sts::take_clock_notice()) {
        eprintln!("awsw: {}", crate::printable::escape(&notice));
    }
}

/// A session for `profile` as the flags allow, with the engine's notices printed whatever
/// the outcome.
pub(crate) fn session(engine: &Engine, profile: &str, mfa: &MfaArgs) -> Result<crate::creds::Session, Error> {
    let result = block_on(engine.session(profile, &ask(mfa, true)));
    print_notices(engine);
    Ok(result?)
}

/// Runs a future on a single-threaded runtime: the commands make one call at a time, and
/// starting one thread is cheaper than a pool.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}
