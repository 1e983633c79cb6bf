//! `awsw env PROFILE`: the lines that put a session into a shell (`eval "$(awsw env prod)"`),
//! or `--json` in the credential_process format.

use std::process::ExitCode;

use super::session::{ask, block_on, engine, print_notices, report};
use super::{exit, fail};
use crate::cli::EnvArgs;
use crate::creds::{CredsError, credential_process_json};
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::shell::{Shell, format};

pub fn run(args: &EnvArgs) -> ExitCode {
    let engine = match engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let session = if args.cached_only {
        match engine.cached_session(&args.profile) {
            Some(session) => session,
            None if engine.inventory().profile(&args.profile).is_none() => {
                return report(&CredsError::UnknownProfile {
                    name: args.profile.clone(),
                    suggestions: engine
                        .inventory()
                        .suggest(&args.profile)
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                });
            }
            None if let crate::creds::Readiness::NeedsSsoLogin { command } =
                engine.readiness(&args.profile) =>
            {
                // Renewing in awsw would not help: the SSO token itself is missing or expired.
                return report(&CredsError::SsoLoginRequired { profile: args.profile.clone(), command });
            }
            None => {
                // Nothing on stdout: an `.envrc` that evals this leaves the credentials
                // unset instead of stale. A refused cache directory is named first.
                print_notices(&engine);
                return fail(
                    exit::FAILURE,
                    format!(
                        "the session for profile {p} has expired or was never started; renew it with `awsw env {p}` or `awsw shell {p}`",
                        p = args.profile
                    ),
                );
            }
        }
    } else {
        match block_on(engine.session(&args.profile, &ask(&args.mfa, true))) {
            Ok(session) => session,
            Err(err) => {
                print_notices(&engine);
                return report(&err);
            }
        }
    };
    print_notices(&engine);
    crate::runtime::recent::record(&session.profile);
    if args.json {
        println!("{}", credential_process_json(&session.credentials));
        return ExitCode::SUCCESS;
    }
    let options = EnvOptions {
        region_override: args.region.clone(),
        user_region: std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()),
    };
    let shell = Shell::detect(args.shell, std::env::var("SHELL").ok().as_deref());
    let lines = format(&env_change(&session, &options), shell);
    if args.copy {
        return match crate::sink::clipboard::copy(&lines, session.credentials.expiration) {
            Ok(copied) => {
                let profile = crate::printable::escape(&args.profile);
                eprintln!("awsw: {} lines for profile {profile}: {}", shell.name(), copied.describe());
                ExitCode::SUCCESS
            }
            Err(err) => fail(exit::FAILURE, err),
        };
    }
    print!("{lines}");
    ExitCode::SUCCESS
}
