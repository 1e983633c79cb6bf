//! Copying text (export lines) to the clipboard. On a desktop, a short-lived background
//! owner process (awsw itself, hidden subcommand) holds the X11/Wayland selection after
//! awsw exits, until another program takes it, the session expires, or
//! `AWSW_CLIPBOARD_TIMEOUT` seconds (60) pass; then it clears the selection if it still holds
//! awsw's text, and ends. Clipboard managers are asked not to keep it in their history.
//! Without a display, the OSC 52 escape asks the terminal to do it (the terminal then keeps
//! it; awsw cannot clear it there). Nothing copied is ever logged or echoed.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::context::Context;

/// How long the clipboard keeps awsw's text when the session does not expire sooner.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);
pub(crate) const LIFETIME_VAR: &str = "AWSW_CLIPBOARD_TIMEOUT";

/// The lifetime the owner was given by `copy` in `AWSW_CLIPBOARD_TIMEOUT` (the owner is its
/// own process and does not read the settings file), else the default.
fn owner_lifetime(context: &Context) -> Duration {
    context
        .vars
        .get(LIFETIME_VAR)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map_or(DEFAULT_LIFETIME, Duration::from_secs)
}

/// How long the owner holds the text: the configured time, cut to what is left of the
/// session (at least a second).
pub(crate) fn lifetime(
    configured: Duration,
    expires: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Duration {
    let left = expires.map_or(configured, |t| Duration::try_from(t - now).unwrap_or(Duration::ZERO));
    configured.min(left).max(Duration::from_secs(1))
}

/// Where the text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copied {
    /// The system clipboard (X11 or Wayland).
    System,
    /// An OSC 52 escape to the terminal: works where the terminal supports it.
    Osc52,
}

impl Copied {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Copied::System => "copied to the system clipboard",
            Copied::Osc52 => "sent to the terminal's clipboard with OSC 52 (the terminal must support it)",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot copy: {reason}; nothing was copied (use `awsw env PROFILE` to print the lines instead)")]
pub(crate) struct ClipboardError {
    pub(crate) reason: String,
}

/// The name of the hidden subcommand that holds the selection.
pub(crate) const OWNER_COMMAND: &str = "__clipboard-owner";

/// Copies `text` (credentials that expire at `expires`): the system clipboard when a
/// display is reachable, else OSC 52.
pub(crate) fn copy(
    text: &str,
    expires: Option<OffsetDateTime>,
    context: &Context,
) -> Result<Copied, ClipboardError> {
    let mut reasons = Vec::new();
    if context.display {
        let configured = Duration::from_secs(crate::settings::current().clipboard_timeout.into());
        let hold = lifetime(configured, expires, OffsetDateTime::now_utc());
        match copy_system(text, hold, &context.exe) {
            Ok(()) => return Ok(Copied::System),
            Err(reason) => reasons.push(reason),
        }
    } else {
        reasons.push("no display (DISPLAY and WAYLAND_DISPLAY are unset)".to_string());
    }
    match copy_osc52(text) {
        Ok(()) => Ok(Copied::Osc52),
        Err(reason) => {
            reasons.push(reason);
            Err(ClipboardError { reason: reasons.join("; ") })
        }
    }
}

fn copy_system(text: &str, hold: Duration, exe: &std::path::Path) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(exe);
    command
        .arg(OWNER_COMMAND)
        // The owner learns its lifetime, already cut to the session's, the way users set it.
        .env(LIFETIME_VAR, hold.as_secs().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe; the owner leaves awsw's session so it outlives
    // the terminal's job control.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start the clipboard owner: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no pipe to the clipboard owner")?;
    stdin.write_all(text.as_bytes()).map_err(|e| format!("cannot hand over the text: {e}"))?;
    drop(stdin);
    let mut stdout = child.stdout.take().ok_or("no pipe from the clipboard owner")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let _ = tx.send(stdout.read(&mut byte).ok().filter(|&n| n == 1).map(|_| byte[0]));
    });
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Some(b'1')) => Ok(()),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            Err("the display's clipboard did not take the text".to_string())
        }
    }
}

fn copy_osc52(text: &str) -> Result<(), String> {
    use crossterm::clipboard::CopyToClipboard;
    let tty = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(|e| format!("no terminal for OSC 52 ({e})"))?;
    let mut writer: Box<dyn Write> = Box::new(tty);
    crossterm::execute!(writer, CopyToClipboard::to_clipboard_from(text.as_bytes()))
        .map_err(|e| format!("cannot write OSC 52 to the terminal: {e}"))
}

/// The hidden owner: takes the text on stdin, owns the selection, says `1` once it does,
/// and serves it until another program takes the clipboard or its lifetime
/// (`AWSW_CLIPBOARD_TIMEOUT`, set by `copy`) ends; then clears the selection if it still
/// holds the text, so the credentials do not outlive it there.
pub fn run_owner(context: &Context) -> ExitCode {
    use arboard::SetExtLinux;
    let deadline = Instant::now() + owner_lifetime(context);
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return ExitCode::FAILURE;
    }
    let Ok(mut clipboard) = arboard::Clipboard::new() else { return ExitCode::FAILURE };
    if clipboard.set().exclude_from_history().text(text.clone()).is_err() {
        return ExitCode::FAILURE;
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(b"1").and_then(|_| out.flush());
    let _ = clipboard.set().exclude_from_history().wait_until(deadline).text(text.clone());
    if clipboard.get_text().is_ok_and(|now| now == text) {
        let _ = clipboard.clear();
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_lifetime_is_the_configured_time_cut_to_the_session() {
        let now = datetime!(2026-11-24 12:00:00 UTC);
        let minute = Duration::from_secs(60);
        assert_eq!(lifetime(minute, None, now), minute);
        assert_eq!(lifetime(minute, Some(now + time::Duration::hours(1)), now), minute);
        assert_eq!(lifetime(minute, Some(now + time::Duration::seconds(20)), now), Duration::from_secs(20));
        assert_eq!(lifetime(minute, Some(now - time::Duration::seconds(5)), now), Duration::from_secs(1));
    }
}
