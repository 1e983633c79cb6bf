//! `awsw shell PROFILE`: the user's shell with the session. Prints who and until when once,
//! then runs the shell served by the local credential endpoint (awsw stays its parent and
//! ends with its status), or with `--static` (or `shell_mode = static`) becomes the shell
//! with fixed keys.

use std::sync::Arc;

use time::OffsetDateTime;

use super::Error;
use super::session::{block_on, engine_for, session};
use crate::cli::ShellArgs;
use crate::context::Context;
use crate::creds::{Ask, Engine, Identity, Session};
use crate::sink::env::env_change;
use crate::sink::subshell;

/// Starts the user's shell (or `--shell`) in the profile's session: served by the
/// endpoint, or with `--static` / `shell_mode = static` as fixed keys.
pub fn run(args: &ShellArgs, context: &Context) -> Result<(), Error> {
    subshell::check_not_nested(context.awsw_profile.as_deref(), args.force).map_err(Error::Failure)?;
    let program = subshell::program(args.shell.as_deref(), context.shell.as_deref());
    let cannot_start = |source| Error::CannotRun { verb: "start", program: program.clone(), source };
    subshell::locate(&program, context.path.as_deref()).map_err(cannot_start)?;
    let engine = engine_for(context, &args.profile)?;
    let session = session(&engine, &args.profile, &args.mfa)?;
    crate::runtime::recent::record(&session.profile, &context.engine.dirs);
    let static_keys = args.static_keys
        || (!args.server && crate::settings::current().shell_mode == crate::settings::ShellMode::Static);
    hand_over(Arc::new(engine), session, &program, args.region.as_deref(), static_keys, context)
}

/// After the session is got: the banner, then the shell served by the credential endpoint
/// (awsw stays its parent and ends with its status), or with `static_keys` awsw becomes the
/// shell with fixed keys. Shared by `awsw shell` and the picker's Enter, so both follow the
/// same `shell_mode`.
pub(crate) fn hand_over(
    engine: Arc<Engine>,
    session: Session,
    program: &str,
    region_override: Option<&str>,
    static_keys: bool,
    context: &Context,
) -> Result<(), Error> {
    let identity = verified_identity(&engine, &session);
    eprintln!(
        "{}",
        crate::printable::escape(&banner(&session, identity.as_ref(), OffsetDateTime::now_utc()))
    );
    if !static_keys {
        let code = super::served::shell(engine, session, program, &context.env_options(region_override));
        return Err(Error::Exited(code));
    }
    let source = subshell::exec(program, &env_change(&session, &context.env_options(region_override)));
    Err(Error::CannotRun { verb: "start", program: program.to_string(), source })
}

/// Who the session belongs to: as the role's `AssumeRole` said, else as STS says now
/// (`None` when it cannot say).
pub(crate) fn verified_identity(engine: &Engine, session: &Session) -> Option<Identity> {
    match &session.identity {
        Some(identity) => Some(identity.clone()),
        None => block_on(engine.identity(&session.profile, &Ask::non_interactive())).ok().map(|r| r.identity),
    }
}

/// `awsw: prod -> arn:aws:sts::…:assumed-role/admin/alice (account 1234…), until 18:04 UTC (in 0h59m); type `exit` to leave`
pub(crate) fn banner(session: &Session, identity: Option<&Identity>, now: OffsetDateTime) -> String {
    let who = match identity {
        Some(i) => format!("{} (account {})", i.arn, i.account),
        None => "identity not verified".to_string(),
    };
    let until = match session.credentials.expiration {
        Some(t) => format!("until {}", crate::ui::expiry(now, t)),
        None => "with long-term keys".to_string(),
    };
    format!("awsw: {} -> {who}, {until}; type `exit` to leave", session.profile)
}
