//! `awsw shell PROFILE`: the user's shell with the session. Prints who and until when once,
//! then runs the shell served by the local credential endpoint (awsw stays its parent and
//! ends with its status), or with `--static` becomes the shell with fixed keys.

use std::process::ExitCode;
use std::sync::Arc;

use time::OffsetDateTime;

use super::session::{ask, block_on, engine, print_notices, report};
use super::{exit, fail};
use crate::cli::ShellArgs;
use crate::creds::{Engine, Session};
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::subshell;

pub fn run(args: &ShellArgs) -> ExitCode {
    let current = std::env::var("AWSW_PROFILE").ok().filter(|p| !p.is_empty());
    if let Err(message) = subshell::check_not_nested(current.as_deref(), args.force) {
        return fail(exit::FAILURE, message);
    }
    let program = subshell::program(args.shell.as_deref(), std::env::var("SHELL").ok().as_deref());
    if let Err(err) = subshell::locate(&program, std::env::var_os("PATH").as_deref()) {
        return cannot_start(&program, &err);
    }
    let engine = match engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let session = match block_on(engine.session(&args.profile, &ask(&args.mfa, true))) {
        Ok(session) => session,
        Err(err) => {
            print_notices(&engine);
            return report(&err);
        }
    };
    print_notices(&engine);
    crate::runtime::recent::record(&session.profile);
    let static_keys = args.static_keys
        || (!args.server && crate::settings::current().shell_mode == crate::settings::ShellMode::Static);
    hand_over(Arc::new(engine), session, &program, args.region.clone(), static_keys)
}

/// After the banner: the shell served by the credential endpoint (awsw stays its parent), or
/// with `static_keys` awsw becomes the shell with fixed keys. Shared by `awsw shell` and the
/// picker's Enter, so both follow the same `shell_mode`.
pub fn hand_over(
    engine: Arc<Engine>,
    session: Session,
    program: &str,
    region_override: Option<String>,
    static_keys: bool,
) -> ExitCode {
    eprintln!("{}", crate::printable::escape(&banner(&engine, &session)));
    if !static_keys {
        return super::served::shell(engine, session, program, region_override);
    }
    let options = EnvOptions {
        region_override,
        user_region: std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()),
    };
    let err = subshell::exec(program, &env_change(&session, &options));
    cannot_start(program, &err)
}

/// 127 when the shell does not exist, 126 when it cannot run, as a shell reports them.
fn cannot_start(program: &str, err: &std::io::Error) -> ExitCode {
    fail(
        if err.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 },
        format!("cannot start {program}: {err}"),
    )
}

/// `awsw: prod → arn:aws:sts::…:assumed-role/admin/alice (account 1234…), until 18:04 UTC (in 59m); `exit` leaves`
pub fn banner(engine: &Engine, session: &Session) -> String {
    let identity = match &session.identity {
        Some(identity) => Some(identity.clone()),
        None => block_on(engine.identity(&session.profile, &crate::creds::Ask::non_interactive()))
            .ok()
            .map(|report| report.identity),
    };
    let who = match identity {
        Some(i) => format!("{} (account {})", i.arn, i.account),
        None => "identity not verified".to_string(),
    };
    let until = match session.credentials.expiration {
        Some(t) => format!("until {}", crate::ui::expiry(OffsetDateTime::now_utc(), t)),
        None => "with long-term keys".to_string(),
    };
    format!("awsw: {} -> {who}, {until}; type `exit` to leave", session.profile)
}
