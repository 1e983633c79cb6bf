//! `awsw exec PROFILE -- COMMAND`: replaces awsw with the command, its environment pointed
//! at the session, so the command's exit status and signals are its own. With `--server`
//! the command is served by the local credential endpoint instead, awsw staying its parent.

use std::os::unix::process::CommandExt;

use super::Error;
use super::session::{engine_for, session};
use crate::cli::ExecArgs;
use crate::context::Context;
use crate::sink::env::env_change;

/// Replaces awsw with the command, its environment set to the session; with `--server`
/// runs it served by the endpoint and ends with its status (`Error::Exited`).
pub fn run(args: &ExecArgs, context: &Context) -> Result<(), Error> {
    let engine = engine_for(context, &args.profile)?;
    let session = session(&engine, &args.profile, &args.mfa)?;
    crate::runtime::recent::record(&session.profile, &context.engine.dirs);
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::Usage("exec needs a command after `--`".into()));
    };
    if args.server {
        let mut command = std::process::Command::new(program);
        command.args(rest);
        let name = program.to_string_lossy().into_owned();
        let options = context.env_options(args.region.as_deref());
        let code = super::served::run(std::sync::Arc::new(engine), session, command, &name, &options);
        return Err(Error::Exited(code));
    }
    let change = env_change(&session, &context.env_options(args.region.as_deref()));
    let mut command = std::process::Command::new(program);
    command.args(rest);
    change.apply(&mut command);
    // `exec` only returns when the command could not be started.
    let source = command.exec();
    Err(Error::CannotRun { verb: "run", program: program.to_string_lossy().into_owned(), source })
}
