//! `awsw login [SSO_SESSION|PROFILE]`: the PKCE flow with a redirect to 127.0.0.1 when a
//! browser can be opened here, else (or with `--device-code`) the device flow, which works
//! over SSH. What the user must do goes to stderr; no token is ever printed.

use std::io::IsTerminal;
use std::process::Stdio;

use time::OffsetDateTime;

use super::Error;
use super::session::block_on;
use super::sso::SsoContext;
use crate::cli::LoginArgs;
use crate::config::Inventory;
use crate::context::Context;
use crate::creds::clock::SystemClock;
use crate::printable::escape;
use crate::sso::device::{DevicePrompt, TokioSleeper};
use crate::sso::login::{BROWSER_TIMEOUT, Flows, device_login, pkce_login};

/// Starts the browser on `url` without waiting for it (its redirect comes back to us).
fn open(program: &str, url: &str) {
    if let Err(e) = start_browser(program, url) {
        eprintln!("awsw: {e}");
    }
}

/// Starts `program` on `url` in the background, its output discarded (it must not draw over
/// the picker); the error names the program only.
pub(crate) fn start_browser(program: &str, url: &str) -> Result<(), String> {
    let child = std::process::Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        Err(e) => Err(format!("could not start {program} ({e}); open the URL yourself")),
    }
}

fn clock_time(t: OffsetDateTime) -> String {
    format!("{:02}:{:02} UTC", t.hour(), t.minute())
}

/// Which sso-session to log in to, asked on the terminal: a numbered list on stderr, the
/// answer from stdin. `Ok(None)` without a terminal (the caller then names the sessions and
/// exits 2); an answer that is no choice ends the run the same way.
pub(crate) fn choose_session(inventory: &Inventory) -> Result<Option<String>, Error> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Ok(None);
    }
    let sessions = &inventory.sso_sessions;
    let width = sessions.iter().map(|s| s.name.chars().count()).max().unwrap_or(0);
    eprintln!("awsw: the config has several sso-sessions:");
    for (i, session) in sessions.iter().enumerate() {
        let url = session.sso_start_url.as_deref().unwrap_or("(no sso_start_url)");
        eprintln!("  {}) {:<width$}  {}", i + 1, escape(&session.name), escape(url));
    }
    eprint!("log in to which? [1-{}] ", sessions.len());
    let mut answer = String::new();
    let read = std::io::stdin().read_line(&mut answer);
    let choice = answer.trim().parse::<usize>().ok().filter(|n| (1..=sessions.len()).contains(n));
    match (read, choice) {
        (Ok(_), Some(n)) => Ok(Some(sessions[n - 1].name.clone())),
        _ => Err(Error::Usage(format!(
            "no sso-session chosen: answer 1 to {}, or name one: `awsw login NAME`",
            sessions.len()
        ))),
    }
}

/// Logs in to the chosen sso-session (or legacy SSO profile) with PKCE or the device flow
/// and caches the token; what to open goes to stderr.
pub fn run(args: &LoginArgs, context: &Context) -> Result<(), Error> {
    let ctx = SsoContext::load_choosing(context, args.name.as_deref(), true)?;
    let target = &ctx.target;
    let oidc = ctx.oidc();
    let flows = Flows { oidc: &oidc, clock: &SystemClock, sleeper: &TokioSleeper, cache: &ctx.cache };
    let browser = context.url_opener();
    let launcher = if args.no_browser { None } else { browser.clone() };
    // The AWS CLI uses the authorization-code flow only for sso-sessions; so does awsw.
    let pkce = target.session.is_some() && !args.device_code && browser.is_some();
    let result = if pkce {
        let mut show = |url: &str| {
            eprintln!("awsw: to log in to {}, approve the request in your browser:\n{url}", target.label);
            if let Some(program) = &launcher {
                open(program, url);
            }
        };
        block_on(pkce_login(&flows, target, &mut show, BROWSER_TIMEOUT))
    } else {
        let mut show = |prompt: &DevicePrompt| {
            eprintln!(
                "awsw: to log in to {}, open {} and enter the code\n\n    {}\n\n(or open {}); the code expires at {}",
                target.label,
                prompt.verification_uri,
                prompt.user_code,
                prompt.verification_uri_complete,
                clock_time(prompt.expires_at)
            );
            if let Some(program) = &launcher {
                open(program, &prompt.verification_uri_complete);
            }
        };
        block_on(device_login(&flows, target, &mut show))
    };
    match result {
        Ok(token) => {
            eprintln!(
                "awsw: logged in to {} ({}); the token is valid until {}",
                target.label,
                target.start_url,
                clock_time(token.expires_at)
            );
            Ok(())
        }
        Err(e) => Err(Error::failure(e)),
    }
}
