//! `awsw envrc PROFILE`: writes the awsw block into `DIR/.envrc` and says to `direnv allow`.

use std::path::Path;

use super::Error;
use super::session::{engine_for, session};
use crate::cli::EnvrcArgs;
use crate::context::Context;
use crate::creds::{Engine, Session};
use crate::printable::{escape, escaped};
use crate::settings::EnvrcMode;
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::envrc::{self, Block, EnvrcError};

/// The mode the flags ask for, else the settings' `envrc_mode`.
fn mode(args: &EnvrcArgs) -> EnvrcMode {
    match (args.inline, args.profile_only, args.served, args.cached) {
        (true, ..) => EnvrcMode::Inline,
        (_, true, ..) => EnvrcMode::ProfileOnly,
        (_, _, true, _) => EnvrcMode::Served,
        (.., true) => EnvrcMode::Cached,
        _ => crate::settings::current().envrc_mode,
    }
}

/// Why `mode` can never work for `profile`, before a session is got for it.
fn refused(engine: &Engine, profile: &str, mode: EnvrcMode) -> Result<(), String> {
    let kind = engine.require(profile).map_err(|e| e.to_string())?.root_kind();
    match crate::agent::refusal(profile, kind).filter(|_| mode == EnvrcMode::Served) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// The awsw block for `profile` in `mode`, rendered: the one choice `awsw envrc` and the
/// picker's `e` / `E` share. `session` is the profile's (needed by every mode but
/// `ProfileOnly`); `envrc` the file's path, for messages. The error is one line saying why
/// this mode cannot load this profile and which modes can.
pub(crate) fn render_block(
    engine: &Engine,
    profile: &str,
    session: Option<&Session>,
    mode: EnvrcMode,
    awsw: &Path,
    envrc: &Path,
) -> Result<String, String> {
    refused(engine, profile, mode)?;
    let change;
    let cache_file = engine.cache_file(profile);
    let block = match (mode, session) {
        (EnvrcMode::ProfileOnly, _) => Block::ProfileOnly { profile },
        (_, None) => return Err(format!("no session for profile {profile}")),
        // The agent renews the session itself (a credential_process or web identity too).
        (EnvrcMode::Served, Some(_)) => Block::Served { profile, awsw },
        (EnvrcMode::Inline, Some(session)) => {
            let Some(expires) =
                session.credentials.expiration.filter(|_| !session.credentials.is_long_term())
            else {
                return Err(EnvrcError::LongTermKeys { path: envrc.to_path_buf() }.to_string());
            };
            change = env_change(session, &EnvOptions::default());
            Block::Inline { profile, change: &change, expires }
        }
        // The block loads the session through `awsw env --cached-only`: a profile whose
        // session awsw never caches (a credential_process, web-identity or default-chain profile)
        // would never load, so it is refused here, with the modes that do work.
        (EnvrcMode::Cached, Some(_)) if engine.cached_session(profile).is_none() => {
            return Err(format!(
                "profile {profile} keeps no cached session (its credentials come from a credential_process, a web identity token or the SDKs' default chain each time), so the cached .envrc block could never load it; use `awsw envrc {profile} --profile-only` (the SDKs get its credentials themselves) or `--inline` (the credentials in the file, 0600)"
            ));
        }
        (EnvrcMode::Cached, Some(_)) => Block::Cached { profile, awsw, cache_file: cache_file.as_deref() },
    };
    Ok(envrc::render(&block))
}

/// Gets the session first (unless `--profile-only`), then writes the awsw block of the
/// chosen mode into `DIR/.envrc`, so a failure leaves the file as it was.
pub fn run(args: &EnvrcArgs, context: &Context) -> Result<(), Error> {
    let mode = mode(args);
    let dir = match (&args.dir, &context.cwd) {
        (Some(dir), _) => dir.clone(),
        (None, Some(cwd)) => cwd.clone(),
        (None, None) => return Err(Error::failure("cannot find the current directory")),
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a directory", dir.display())));
    }
    let engine = engine_for(context, &args.profile)?;
    engine.require(&args.profile)?;
    refused(&engine, &args.profile, mode).map_err(Error::failure)?;
    // The session is obtained before anything is written, so a failure leaves the file as it was.
    let session = match mode {
        EnvrcMode::ProfileOnly => None,
        _ => Some(session(&engine, &args.profile, &args.mfa)?),
    };
    let text =
        render_block(&engine, &args.profile, session.as_ref(), mode, &context.exe, &dir.join(".envrc"))
            .map_err(Error::failure)?;
    let inline = mode == EnvrcMode::Inline;
    let path = envrc::write(&dir, &text, inline).map_err(Error::failure)?;
    if inline && let Some(warning) = envrc::git_warning(&dir) {
        eprintln!("awsw: warning: {}", escape(&warning));
    }
    eprintln!("awsw: wrote the awsw block ({}) to {}", mode.describe(), escaped(path.display()));
    eprintln!("awsw: run `direnv allow {}` to load it", escaped(dir.display()));
    Ok(())
}
