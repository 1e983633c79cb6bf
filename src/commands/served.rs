//! A child served by the credential endpoint: the default of `awsw shell` and the picker's
//! Enter, and `awsw exec --server`. awsw starts the endpoint for the session's profile,
//! starts the child pointed at it (no keys in its environment), stays its parent, and ends
//! with it; the endpoint ends with awsw.

use std::process::{Command, ExitCode};
use std::sync::Arc;

use time::OffsetDateTime;

use super::{exit, fail};
use crate::config::Kind;
use crate::creds::clock::SystemClock;
use crate::creds::{Engine, Session};
use crate::server::{self, EngineSource};
use crate::sink::child;
use crate::sink::env::EnvOptions;
use crate::sink::served::served_change;

/// The shell `program` for `session`, served: what `awsw shell` does after its banner and
/// what the picker's Enter should call (after printing the same banner).
pub(crate) fn shell(engine: Arc<Engine>, session: Session, program: &str, options: &EnvOptions) -> ExitCode {
    run(engine, session, Command::new(program), program, options)
}

/// Runs `command` (shown as `name` in errors) served with `session`; returns its status.
pub(crate) fn run(
    engine: Arc<Engine>,
    session: Session,
    mut command: Command,
    name: &str,
    options: &EnvOptions,
) -> ExitCode {
    if let Some(note) = shadowing_default(&engine, &session.profile) {
        eprintln!("awsw: {}", crate::printable::escape(&note));
    }
    let until = renewable_until(&engine, &session);
    let source = EngineSource::new(
        engine.clone(),
        Arc::new(SystemClock),
        &session.profile,
        Some(session.credentials.clone()),
        engine.min_remaining(),
    );
    let running = match server::start(&session.profile, Arc::new(source)) {
        Ok(running) => running,
        Err(err) => {
            return fail(exit::FAILURE, format!("cannot start the credential endpoint on 127.0.0.1: {err}"));
        }
    };
    eprintln!("awsw: {}", crate::printable::escape(&renewal_note(&session.profile, until)));
    served_change(&session, options, &running.url, &running.token, until).apply(&mut command);
    let code = match child::run(command) {
        Ok(code) => code,
        Err(err) => fail(child::cannot_start_status(&err), format!("cannot start {name}: {err}")),
    };
    drop(running);
    code
}

/// Until when the endpoint can renew `session` without asking for anything: the MFA base
/// session's end for a profile that needs a code (its own session's end when it is the base
/// itself); `None` when no code is needed (long-term keys, SSO while its token lasts, web
/// identity, `credential_process`).
pub(crate) fn renewable_until(engine: &Engine, session: &Session) -> Option<OffsetDateTime> {
    let profile = engine.inventory().profile(&session.profile)?;
    let serial = profile.mfa_serial.as_deref()?;
    let root = match profile.chain.first() {
        Some(root) if profile.chain.len() > 1 => engine.inventory().profile(root)?,
        _ => return session.credentials.expiration,
    };
    if root.kind != Kind::Static || root.mfa_serial.as_deref() != Some(serial) {
        // A role with a device of its own: each renewal needs its code.
        return session.credentials.expiration;
    }
    engine.cached_session(&root.name).and_then(|base| base.credentials.expiration)
}

/// One line at the start: how long the endpoint keeps the session going on its own.
fn renewal_note(profile: &str, until: Option<OffsetDateTime>) -> String {
    match until {
        Some(t) => format!(
            "credentials come from a local endpoint that renews them without asking until {:02}:{:02} UTC; then `awsw refresh {profile}`",
            t.hour(),
            t.minute()
        ),
        None => "credentials come from a local endpoint that renews them without asking".to_string(),
    }
}

/// A `default` profile with credentials shadows the endpoint: the SDKs read the shared
/// files' default profile before the container endpoint.
fn shadowing_default(engine: &Engine, served: &str) -> Option<String> {
    let default = engine.inventory().profile("default")?;
    (served != "default" && !matches!(default.kind, Kind::Invalid | Kind::DefaultChain)).then(|| {
        "profile default has credentials, and the SDKs read them before the endpoint of this shell; use `awsw shell --static` or rename that profile".to_string()
    })
}
