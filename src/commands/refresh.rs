//! `awsw refresh [PROFILE]`: gets the profile's session now, asking for an MFA code on the
//! terminal if the base session needs one, and caches it, so the endpoints of the awsw
//! shells serving that profile renew from it again (they read the cache; nothing restarts).

use std::process::ExitCode;

use time::format_description::well_known::Rfc3339;

use super::session::{ask, block_on, engine_for, print_notices};
use super::{exit, fail};
use crate::cli::RefreshArgs;
use crate::creds::SessionOrigin;

pub fn run(args: &RefreshArgs) -> ExitCode {
    let from_shell = std::env::var("AWSW_PROFILE").ok().filter(|p| !p.is_empty());
    let Some(profile) = args.profile.clone().or(from_shell) else {
        return fail(
            exit::USAGE,
            "refresh needs a profile (or run it inside an awsw shell, which names one)",
        );
    };
    let engine = match engine_for(&crate::context::Context::from_env(), &profile) {
        Ok(engine) => engine,
        Err(err) => return err.report(),
    };
    let result = block_on(engine.session(&profile, &ask(&args.mfa, true)));
    print_notices(&engine);
    let session = match result {
        Ok(session) => session,
        Err(err) => return super::Error::from(err).report(),
    };
    let until = session
        .credentials
        .expiration
        .and_then(|t| t.format(&Rfc3339).ok())
        .map(|t| format!("until {t}"))
        .unwrap_or_else(|| "with no expiry".into());
    let profile = crate::printable::escape(&profile);
    match session.origin {
        SessionOrigin::Fresh => eprintln!("awsw: profile {profile}: renewed, {until}"),
        _ => eprintln!("awsw: profile {profile}: the session is still valid ({until}); nothing to renew"),
    }
    ExitCode::SUCCESS
}
