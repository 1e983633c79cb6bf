//! Getting an MFA code: checking its form, running a profile's `mfa_process`, or asking on
//! the controlling terminal. The engine calls these only when a request allows it.

use std::io::{BufRead, BufReader, Write};

use super::error::CredsError;

/// A code is exactly six ASCII digits (surrounding whitespace is forgiven).
pub fn validate(code: &str, serial: &str) -> Result<String, CredsError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(CredsError::MfaMalformed { serial: serial.to_string(), length: code.chars().count() })
    }
}

/// Runs `command` with `sh -c` (time limit and output cap as for `credential_process`) and
/// reads the code from its standard output. Its stderr stays on the terminal: a hardware
/// key's "touch the key" belongs there.
pub async fn run_process(command: &str, profile: &str, serial: &str) -> Result<String, CredsError> {
    use super::process::{self, Stderr};
    let fail = |reason: String| CredsError::MfaProcess { profile: profile.to_string(), reason };
    let output = process::run(command, Stderr::Inherit, process::timeout_from_env())
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

/// Asks on `/dev/tty`, so it works while stdout is captured by `eval "$(awsw ...)"`.
pub async fn prompt_tty(profile: &str, serial: &str) -> Result<String, CredsError> {
    let prompt = prompt_text(profile, serial);
    let serial_owned = serial.to_string();
    let profile_owned = profile.to_string();
    let answer = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?;
        tty.write_all(prompt.as_bytes())?;
        tty.flush()?;
        let mut line = String::new();
        BufReader::new(&tty).read_line(&mut line)?;
        Ok(line)
    })
    .await
    .map_err(|err| CredsError::MfaPrompt {
        profile: profile_owned.clone(),
        serial: serial_owned.clone(),
        reason: err.to_string(),
    })?;
    match answer {
        Ok(line) => validate(&line, &serial_owned),
        Err(err) => Err(CredsError::MfaPrompt {
            profile: profile_owned,
            serial: serial_owned,
            reason: err.to_string(),
        }),
    }
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
