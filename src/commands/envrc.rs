//! `awsw envrc PROFILE`: writes the awsw block into `DIR/.envrc` and says to `direnv allow`.

use super::Error;
use super::session::{engine_for, session};
use crate::cli::EnvrcArgs;
use crate::context::Context;
use crate::printable::{escape, escaped};
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::envrc::{self, Block, EnvrcError};

/// The mode the flags ask for, else the settings' `envrc_mode`: (inline, profile only, served).
fn mode(args: &EnvrcArgs) -> (bool, bool, bool) {
    use crate::settings::EnvrcMode;
    if args.inline || args.profile_only || args.cached || args.served {
        return (args.inline, args.profile_only, args.served);
    }
    let mode = crate::settings::current().envrc_mode;
    (mode == EnvrcMode::Inline, mode == EnvrcMode::ProfileOnly, mode == EnvrcMode::Served)
}

/// Gets the session first (unless `--profile-only`), then writes the awsw block of the
/// chosen mode into `DIR/.envrc`, so a failure leaves the file as it was.
pub fn run(args: &EnvrcArgs, context: &Context) -> Result<(), Error> {
    let (inline, profile_only, served) = mode(args);
    let dir = match (&args.dir, &context.cwd) {
        (Some(dir), _) => dir.clone(),
        (None, Some(cwd)) => cwd.clone(),
        (None, None) => return Err(Error::failure("cannot find the current directory")),
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!("{} is not a directory", dir.display())));
    }
    let engine = engine_for(context, &args.profile)?;
    let kind = engine.require(&args.profile)?.root_kind();
    if let Some(refusal) = crate::agent::refusal(&args.profile, kind).filter(|_| served) {
        return Err(Error::failure(refusal));
    }
    let cache_file = engine.cache_file(&args.profile);
    // The session is obtained before anything is written, so a failure leaves the file as it was.
    let session = match profile_only {
        true => None,
        false => Some(session(&engine, &args.profile, &args.mfa)?),
    };
    let change;
    let block = match &session {
        None => Block::ProfileOnly { profile: &args.profile },
        // The agent renews the session itself (a credential_process or web identity too).
        Some(_) if served => Block::Served { profile: &args.profile, awsw: &context.exe },
        Some(session) if inline => {
            let Some(expires) =
                session.credentials.expiration.filter(|_| !session.credentials.is_long_term())
            else {
                return Err(Error::failure(EnvrcError::LongTermKeys { path: dir.join(".envrc") }));
            };
            change = env_change(session, &EnvOptions::default());
            Block::Inline { profile: &args.profile, change: &change, expires }
        }
        // The block loads the session through `awsw env --cached-only`: a profile whose
        // session awsw never caches (a credential_process, web-identity or default-chain profile)
        // would never load, so it is refused here, with the modes that do work.
        Some(_) if engine.cached_session(&args.profile).is_none() => {
            return Err(Error::failure(format!(
                "profile {p} keeps no cached session (its credentials come from a credential_process, a web identity token or the SDKs' default chain each time), so the cached .envrc block could never load it; use `awsw envrc {p} --profile-only` (the SDKs get its credentials themselves) or `--inline` (the credentials in the file, 0600)",
                p = args.profile
            )));
        }
        Some(_) => {
            Block::Cached { profile: &args.profile, awsw: &context.exe, cache_file: cache_file.as_deref() }
        }
    };
    let path = envrc::write(&dir, &envrc::render(&block), inline).map_err(Error::failure)?;
    if inline && let Some(warning) = envrc::git_warning(&dir) {
        eprintln!("awsw: warning: {}", escape(&warning));
    }
    eprintln!("awsw: wrote the awsw block ({}) to {}", block.mode_name(), escaped(path.display()));
    eprintln!("awsw: run `direnv allow {}` to load it", escaped(dir.display()));
    Ok(())
}
