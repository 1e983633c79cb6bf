//! `awsw doctor [--json]`: checks the set-up and prints one line per check, `ok`, `warn` or
//! `fail`, each `fail` with the exact fix. It only reads: it never prompts, never writes or
//! creates a file, and its one network call is an unsigned request to STS for the `Date`.
//! Exit 1 when any check fails.

mod setup;
mod system;

use crate::context::Context;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Ok,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    /// What was checked: `settings`, `config`, `profile`, `hygiene`, `clock`, `cache`,
    /// `aws-cli`, `direnv`, `shell`, `clipboard`, `sso`.
    pub(crate) check: &'static str,
    pub(crate) status: Status,
    pub(crate) message: String,
    /// What to do, for `warn` and `fail`.
    pub(crate) fix: Option<String>,
}

impl Check {
    pub(crate) fn ok(check: &'static str, message: impl Into<String>) -> Check {
        Check { check, status: Status::Ok, message: message.into(), fix: None }
    }

    pub(crate) fn warn(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { check, status: Status::Warn, message: message.into(), fix: Some(fix.into()) }
    }

    pub(crate) fn fail(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { check, status: Status::Fail, message: message.into(), fix: Some(fix.into()) }
    }

    fn line(&self) -> String {
        let status = match self.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "fail",
        };
        match &self.fix {
            Some(fix) => format!("{status}  {:<9} {}; fix: {fix}", self.check, self.message),
            None => format!("{status}  {:<9} {}", self.check, self.message),
        }
    }
}

/// Every check, in the order they print.
pub(crate) fn collect(context: &Context) -> Vec<Check> {
    let var = |name: &str| context.vars.var(name);
    let mut checks = setup::settings(&var);
    let inventory = setup::files(&mut checks, context).map(std::sync::Arc::new).unwrap_or_default();
    checks.extend(setup::sso(&inventory, time::OffsetDateTime::now_utc(), &context.engine.dirs));
    checks.push(crate::commands::session::block_on(system::clock(inventory, context)));
    checks.extend(system::caches(&context.engine.dirs));
    checks.push(system::aws_cli(context));
    checks.extend(system::shell_setup(context));
    checks.push(system::clipboard(context));
    checks
}

/// Exit 1 (`Error::Reported`: the failing checks are in the report) when a check failed.
pub fn run(args: &crate::cli::DoctorArgs, context: &Context) -> Result<(), super::Error> {
    let checks = collect(context);
    let failed = checks.iter().any(|c| c.status == Status::Fail);
    let out = if args.json {
        let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
        let summary = serde_json::json!({"ok": count(Status::Ok), "warn": count(Status::Warn), "fail": count(Status::Fail)});
        format!("{}\n", serde_json::json!({ "checks": checks, "summary": summary }))
    } else {
        checks.iter().map(|c| c.line() + "\n").collect()
    };
    print!("{out}");
    if failed { Err(super::Error::Reported) } else { Ok(()) }
}
