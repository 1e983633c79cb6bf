//! `awsw exec PROFILE -- COMMAND`: replaces awsw with the command, its environment pointed
//! at the session, so the command's exit status and signals are its own. With `--server`
//! the command is served by the local credential endpoint instead, awsw staying its parent.

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use super::session::{ask, block_on, engine, print_notices, report};
use super::{exit, fail};
use crate::cli::ExecArgs;
use crate::sink::env::{EnvOptions, env_change};

pub fn run(args: &ExecArgs) -> ExitCode {
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
    let Some((program, rest)) = args.command.split_first() else {
        return fail(exit::USAGE, "exec needs a command after `--`");
    };
    if args.server {
        let mut command = std::process::Command::new(program);
        command.args(rest);
        let name = program.to_string_lossy().into_owned();
        return super::served::run(std::sync::Arc::new(engine), session, command, &name, args.region.clone());
    }
    let options = EnvOptions {
        region_override: args.region.clone(),
        user_region: std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()),
    };
    let change = env_change(&session, &options);
    let mut command = std::process::Command::new(program);
    command.args(rest);
    for name in &change.unset {
        command.env_remove(name);
    }
    for (name, value) in &change.set {
        command.env(name, value.expose());
    }
    // `exec` only returns when the command could not be started.
    let err = command.exec();
    let code = if err.kind() == std::io::ErrorKind::NotFound { 127 } else { 126 };
    fail(code, format!("cannot run {}: {err}", program.to_string_lossy()))
}
