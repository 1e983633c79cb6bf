//! Getting an MFA code: checking its form, running a profile's `mfa_process`, or asking on
//! the controlling terminal. The engine calls these only when a request allows it.

use std::io::{BufRead, BufReader, Write};

use super::error::CredsError;

/// A code is exactly six ASCII digits (surrounding whitespace is forgiven).
pub(crate) fn validate(code: &str, serial: &str) -> Result<String, CredsError> {
    check_form(code).map_err(|problem| CredsError::MfaMalformed { serial: serial.to_string(), problem })
}

/// What is wrong with the form of a code, in words that never repeat the code itself (it may
/// be a real code typed into the wrong place).
pub(crate) fn check_form(code: &str) -> Result<String, String> {
    let code = code.trim();
    let length = code.chars().count();
    if length == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else if !code.chars().all(|c| c.is_ascii_digit()) {
        Err("it may hold only the digits 0-9".to_string())
    } else {
        Err(format!("it has {length} digits"))
    }
}

/// Runs `command` with `sh -c` (time limit and output cap as for `credential_process`) and
/// reads the code from its standard output. Its stderr stays on the terminal: a hardware
/// key's "touch the key" belongs there.
pub(crate) async fn run_process(command: &str, profile: &str, serial: &str) -> Result<String, CredsError> {
    use super::process::{self, Stderr};
    let fail = |reason: String| CredsError::MfaProcess { profile: profile.to_string(), reason };
    let output = process::run(command, Stderr::Inherit, process::timeout())
        .await
        .map_err(|err| fail(err.to_string()))?;
    if !output.status.success() {
        return Err(fail(format!("it exited with {}", output.status)));
    }
    // The output is the code itself: it never goes into a message.
    let text = String::from_utf8_lossy(&output.stdout);
    validate(text.lines().next().unwrap_or(""), serial)
        .map_err(|_| fail("it did not print a 6-digit code".to_string()))
}

/// The question on the terminal; the names come from the config, so their control
/// characters are shown escaped.
fn prompt_text(profile: &str, serial: &str) -> String {
    crate::printable::escape(&format!("MFA code for {serial} (profile {profile}): ")).into_owned()
}

/// Whether there is a terminal `prompt_tty` could ask on.
pub(crate) fn terminal_available() -> bool {
    open_tty().is_ok()
}

fn open_tty() -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")
}

/// How many times the terminal prompt asks before giving up on a mistyped code.
const PROMPT_TRIES: usize = 3;

/// Asks on `/dev/tty`, so it works while stdout is captured by `eval "$(awsw ...)"`. The code
/// is read without echo (as the AWS CLI does) and a mistyped one is asked for again.
pub(crate) async fn prompt_tty(profile: &str, serial: &str) -> Result<String, CredsError> {
    let (profile, serial) = (profile.to_string(), serial.to_string());
    let unavailable = |profile: &str, serial: &str, reason: String| CredsError::MfaPrompt {
        profile: profile.to_string(),
        serial: serial.to_string(),
        reason,
    };
    let (p, s) = (profile.clone(), serial.clone());
    tokio::task::spawn_blocking(move || ask_on_tty(&p, &s))
        .await
        .map_err(|err| unavailable(&profile, &serial, err.to_string()))?
        .map_err(|err| match err {
            TtyAnswer::Io(err) => unavailable(&profile, &serial, err.to_string()),
            TtyAnswer::Malformed(problem) => CredsError::MfaMalformed { serial: serial.clone(), problem },
        })
}

enum TtyAnswer {
    Io(std::io::Error),
    Malformed(String),
}

fn ask_on_tty(profile: &str, serial: &str) -> Result<String, TtyAnswer> {
    let tty = open_tty().map_err(TtyAnswer::Io)?;
    let _quiet = super::tty::EchoOff::new(&tty);
    let mut reader = BufReader::new(&tty);
    let mut writer = &tty;
    let mut problem = String::new();
    for attempt in 1..=PROMPT_TRIES {
        if attempt > 1 {
            let retry = format!("awsw: the code must be exactly 6 digits ({problem}); try again\n");
            writer.write_all(retry.as_bytes()).map_err(TtyAnswer::Io)?;
        }
        let prompt = prompt_text(profile, serial);
        writer.write_all(prompt.as_bytes()).and_then(|()| writer.flush()).map_err(TtyAnswer::Io)?;
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(TtyAnswer::Io)? == 0 {
            let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no code was typed");
            return Err(TtyAnswer::Io(eof));
        }
        match check_form(&line) {
            Ok(code) => return Ok(code),
            Err(why) => problem = why,
        }
    }
    Err(TtyAnswer::Malformed(problem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_digits_pass() {
        assert_eq!(validate(" 123456\n", "dev").unwrap(), "123456");
        for bad in ["12345", "1234567", "12345a", "", "１２３４５６"] {
            assert!(matches!(validate(bad, "dev"), Err(CredsError::MfaMalformed { .. })), "{bad}");
        }
    }

    #[test]
    fn the_prompt_shows_control_characters_escaped() {
        assert_eq!(
            prompt_text("p\u{1b}]0;x\u{7}", "arn:\u{9b}2J"),
            "MFA code for arn:\\u{9b}2J (profile p\\x1b]0;x\\x07): "
        );
    }

    #[tokio::test]
    async fn mfa_process_prints_the_code() {
        assert_eq!(run_process("echo 654321", "p", "dev").await.unwrap(), "654321");
        let err = run_process("echo nope", "p", "dev").await.unwrap_err().to_string();
        assert!(err.contains("did not print a 6-digit code"), "{err}");
        let err = run_process("exit 3", "p", "dev").await.unwrap_err().to_string();
        assert!(err.contains("exited"), "{err}");
    }
}
