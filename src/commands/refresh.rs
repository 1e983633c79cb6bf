//! `awsw refresh [PROFILE]`: gets the profile's session now, asking for an MFA code on the
//! terminal if the base session needs one, and caches it, so the endpoints of the awsw
//! shells serving that profile renew from it again (they read the cache; nothing restarts).

use time::format_description::well_known::Rfc3339;

use super::Error;
use super::session::{ask, block_on, engine_for, print_notices};
use crate::cli::RefreshArgs;
use crate::context::Context;
use crate::creds::SessionOrigin;

/// Gets the session of `PROFILE` (default: `AWSW_PROFILE`) now, caching it, and says
/// whether it was renewed or still valid.
pub fn run(args: &RefreshArgs, context: &Context) -> Result<(), Error> {
    let Some(profile) = args.profile.clone().or_else(|| context.awsw_profile.clone()) else {
        return Err(Error::Usage(
            "refresh needs a profile (or run it inside an awsw shell, which names one)".into(),
        ));
    };
    let engine = engine_for(context, &profile)?;
    let result = block_on(engine.session(&profile, &ask(&args.mfa, true)));
    print_notices(&engine);
    let session = result?;
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
    Ok(())
}
