//! `awsw env PROFILE`: the lines that put a session into a shell (`eval "$(awsw env prod)"`),
//! or `--json` in the credential_process format.

use super::Error;
use super::session::{engine_for, print_notices, session};
use crate::cli::EnvArgs;
use crate::context::Context;
use crate::creds::credential_process_json;
use crate::sink::env::env_change;
use crate::sink::shell::{Shell, format};

/// Prints the export lines (or `--json`) for the profile's session, or copies them with
/// `--copy`; records the use for the picker's order.
pub fn run(args: &EnvArgs, context: &Context) -> Result<(), Error> {
    let engine = engine_for(context, &args.profile)?;
    let session = if args.cached_only {
        // Without a session: one line, and nothing on stdout, so an `.envrc` that evals this
        // leaves the credentials unset instead of stale.
        let cached = engine.cached_only(&args.profile);
        print_notices(&engine);
        cached?
    } else {
        session(&engine, &args.profile, &args.mfa)?
    };
    crate::runtime::recent::record(&session.profile, &context.engine.dirs);
    if args.json {
        println!("{}", credential_process_json(&session.credentials));
        return Ok(());
    }
    let shell = Shell::detect(args.shell, context.shell.as_deref());
    let lines = format(&env_change(&session, &context.env_options(args.region.as_deref())), shell);
    if args.copy {
        let copied = crate::sink::clipboard::copy(&lines, session.credentials.expiration, context)
            .map_err(Error::failure)?;
        let profile = crate::printable::escape(&args.profile);
        eprintln!("awsw: {} lines for profile {profile}: {}", shell.name(), copied.describe());
        return Ok(());
    }
    print!("{lines}");
    Ok(())
}
