//! `awsw envrc PROFILE`: writes the awsw block into `DIR/.envrc` and says to `direnv allow`.

use crate::printable::{escape, escaped};
use std::process::ExitCode;

use super::session::{ask, block_on, engine, print_notices, report};
use super::{exit, fail};
use crate::cli::EnvrcArgs;
use crate::creds::CredsError;
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::envrc::{self, Block, EnvrcError};

/// The mode the flags ask for, else the settings' `envrc_mode`: (inline, profile only).
fn mode(args: &EnvrcArgs) -> (bool, bool) {
    use crate::settings::EnvrcMode;
    if args.inline || args.profile_only || args.cached {
        return (args.inline, args.profile_only);
    }
    let mode = crate::settings::current().envrc_mode;
    (mode == EnvrcMode::Inline, mode == EnvrcMode::ProfileOnly)
}

pub fn run(args: &EnvrcArgs) -> ExitCode {
    let (inline, profile_only) = mode(args);
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => match std::env::current_dir() {
            Ok(dir) => dir,
            Err(err) => return fail(exit::FAILURE, format!("cannot find the current directory: {err}")),
        },
    };
    if !dir.is_dir() {
        return fail(exit::USAGE, format!("{} is not a directory", dir.display()));
    }
    let engine = match engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    if engine.inventory().profile(&args.profile).is_none() {
        return report(&CredsError::UnknownProfile {
            name: args.profile.clone(),
            suggestions: engine.inventory().suggest(&args.profile).into_iter().map(str::to_string).collect(),
        });
    }
    let awsw = std::env::current_exe().unwrap_or_else(|_| "awsw".into());
    let cache_file = engine.cache_file(&args.profile);
    // The session is obtained before anything is written, so a failure leaves the file as it was.
    let session = if profile_only {
        None
    } else {
        match block_on(engine.session(&args.profile, &ask(&args.mfa, true))) {
            Ok(session) => Some(session),
            Err(err) => {
                print_notices(&engine);
                return report(&err);
            }
        }
    };
    print_notices(&engine);
    let path = dir.join(".envrc");
    let change;
    let block = if profile_only {
        Block::ProfileOnly { profile: &args.profile }
    } else if inline {
        let session = session.as_ref().expect("obtained above");
        let Some(expires) = session.credentials.expiration.filter(|_| !session.credentials.is_long_term())
        else {
            return fail(exit::FAILURE, EnvrcError::LongTermKeys { path });
        };
        change = env_change(session, &EnvOptions::default());
        Block::Inline { profile: &args.profile, change: &change, expires }
    } else {
        Block::Cached { profile: &args.profile, awsw: &awsw, cache_file: cache_file.as_deref() }
    };
    match envrc::write(&dir, &envrc::render(&block), inline) {
        Ok(path) => {
            if inline && let Some(warning) = envrc::git_warning(&dir) {
                eprintln!("awsw: warning: {}", escape(&warning));
            }
            eprintln!("awsw: wrote the awsw block ({}) to {}", block.mode_name(), escaped(path.display()));
            eprintln!("awsw: run `direnv allow {}` to load it", escaped(dir.display()));
            ExitCode::SUCCESS
        }
        Err(err) => fail(exit::FAILURE, err),
    }
}
