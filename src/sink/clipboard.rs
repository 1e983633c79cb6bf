//! Copying text (export lines) to the clipboard. On a desktop, a short-lived background
//! owner process (awsw itself, hidden subcommand) holds the X11/Wayland selection after
//! awsw exits, until another program takes it; without a display, the OSC 52 escape asks
//! the terminal to do it. Nothing copied is ever logged or echoed.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// Where the text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// The system clipboard (X11 or Wayland).
    System,
    /// An OSC 52 escape to the terminal: works where the terminal supports it.
    Osc52,
}

impl Copied {
    pub fn describe(self) -> &'static str {
        match self {
            Copied::System => "copied to the system clipboard",
            Copied::Osc52 => "sent to the terminal's clipboard with OSC 52 (the terminal must support it)",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot copy: {reason}; nothing was copied (use `awsw env PROFILE` to print the lines instead)")]
pub struct ClipboardError {
    pub reason: String,
}

/// The name of the hidden subcommand that holds the selection.
pub const OWNER_COMMAND: &str = "__clipboard-owner";

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Copies `text`: the system clipboard when a display is reachable, else OSC 52.
pub fn copy(text: &str) -> Result<Copied, ClipboardError> {
    let mut reasons = Vec::new();
    if has_display() {
        match copy_system(text) {
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

fn copy_system(text: &str) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find awsw itself: {e}"))?;
    let mut command = Command::new(exe);
    command.arg(OWNER_COMMAND).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
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
/// and lives until another program takes the clipboard.
pub fn run_owner() -> ExitCode {
    use arboard::SetExtLinux;
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return ExitCode::FAILURE;
    }
    let Ok(mut clipboard) = arboard::Clipboard::new() else { return ExitCode::FAILURE };
    if clipboard.set_text(text.clone()).is_err() {
        return ExitCode::FAILURE;
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(b"1").and_then(|_| out.flush());
    // Keep serving the selection until someone else owns it.
    let _ = clipboard.set().wait().text(text);
    ExitCode::SUCCESS
}
