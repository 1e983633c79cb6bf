//! The programs a profile names, `credential_process` and `mfa_process`: run with `sh -c`
//! and standard input closed, given a time limit (`AWSW_PROCESS_TIMEOUT`, 60 s by default)
//! and an output cap (64 KiB), and killed when they pass either, so a hung or flooding
//! program costs a bounded wait and bounded memory. What a program prints never goes into
//! a message, except a failing `credential_process`'s own error text on stderr.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

/// The most a program may print on stdout (and, when captured, on stderr).
pub(crate) const OUTPUT_CAP: usize = 64 * 1024;
/// How long a program may run when `AWSW_PROCESS_TIMEOUT` does not say (a hardware key may
/// wait for a touch).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
pub(crate) const TIMEOUT_VAR: &str = "AWSW_PROCESS_TIMEOUT";

/// The limit in force: `process_timeout` in the settings, which `AWSW_PROCESS_TIMEOUT`
/// overrides (validated there: a bad value is a usage error).
pub(crate) fn timeout() -> Duration {
    Duration::from_secs(crate::settings::current().process_timeout.into())
}

/// What a program that finished in time left behind.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    /// Empty unless stderr was captured.
    pub(crate) stderr: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ProcessError {
    #[error("cannot start `sh -c`: {0}")]
    Start(std::io::Error),
    #[error(
        "it did not finish within {} s and was stopped (set {TIMEOUT_VAR} to allow longer)",
        .0.as_secs()
    )]
    TimedOut(Duration),
    #[error("it printed more than 64 KiB and was stopped")]
    TooMuchOutput,
    #[error("cannot read its output: {0}")]
    Read(std::io::Error),
}

/// Whether the program's stderr goes to awsw's stderr (a prompt such as "touch your key")
/// or is captured for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stderr {
    Inherit,
    Capture,
}

/// Runs `command` with `sh -c`; the child is killed when it takes longer than `timeout` or
/// prints more than `OUTPUT_CAP`.
pub(crate) async fn run(command: &str, stderr: Stderr, timeout: Duration) -> Result<Finished, ProcessError> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if stderr == Stderr::Capture { Stdio::piped() } else { Stdio::inherit() })
        .kill_on_drop(true)
        // Its own process group, so that `sh -c 'a | b'` dies whole: dash does not exec
        // the last command, and a grandchild would outlive a kill of `sh` alone.
        .process_group(0)
        .spawn()
        .map_err(ProcessError::Start)?;
    let group = child.id();
    let out = child.stdout.take();
    let err = child.stderr.take();
    let finished = async {
        let (stdout, stderr) = tokio::try_join!(read_capped(out), read_capped(err))?;
        let status = child.wait().await.map_err(ProcessError::Read)?;
        Ok(Finished { status, stdout, stderr })
    };
    let result = match tokio::time::timeout(timeout, finished).await {
        Ok(result) => result,
        Err(_) => Err(ProcessError::TimedOut(timeout)),
    };
    if result.is_err()
        && let Some(pid) = group.and_then(|pid| i32::try_from(pid).ok())
    {
        // SAFETY: kill has no memory preconditions; the group is the child's own, created
        // above, and the child is not yet reaped (it is dropped, and reaped, after this).
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    result
}

/// Everything `pipe` delivers, or `TooMuchOutput` as soon as it passes the cap.
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>) -> Result<Vec<u8>, ProcessError> {
    let Some(pipe) = pipe else { return Ok(Vec::new()) };
    let mut bytes = Vec::new();
    pipe.take(OUTPUT_CAP as u64 + 1).read_to_end(&mut bytes).await.map_err(ProcessError::Read)?;
    if bytes.len() > OUTPUT_CAP {
        return Err(ProcessError::TooMuchOutput);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_and_status_come_back() {
        let done = run("printf out; printf err >&2; exit 3", Stderr::Capture, DEFAULT_TIMEOUT).await.unwrap();
        assert_eq!((done.stdout.as_slice(), done.stderr.as_slice()), (&b"out"[..], &b"err"[..]));
        assert_eq!(done.status.code(), Some(3));
    }

    #[tokio::test]
    async fn a_slow_program_is_stopped() {
        let started = std::time::Instant::now();
        let err = run("sleep 30", Stderr::Inherit, Duration::from_millis(200)).await.unwrap_err();
        assert!(matches!(err, ProcessError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn the_whole_process_group_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        let command = format!("(sleep 1; touch {}) & sleep 30", marker.display());
        let err = run(&command, Stderr::Inherit, Duration::from_millis(200)).await.unwrap_err();
        assert!(matches!(err, ProcessError::TimedOut(_)), "{err}");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!marker.exists(), "a grandchild outlived the timeout");
    }

    #[tokio::test]
    async fn a_flood_is_stopped_at_the_cap() {
        let err = run("head -c 1000000 /dev/zero", Stderr::Inherit, DEFAULT_TIMEOUT).await.unwrap_err();
        assert!(matches!(err, ProcessError::TooMuchOutput), "{err}");
        let err = run("head -c 1000000 /dev/zero >&2", Stderr::Capture, DEFAULT_TIMEOUT).await.unwrap_err();
        assert!(matches!(err, ProcessError::TooMuchOutput), "{err}");
        let at_cap = format!("head -c {OUTPUT_CAP} /dev/zero");
        assert_eq!(run(&at_cap, Stderr::Inherit, DEFAULT_TIMEOUT).await.unwrap().stdout.len(), OUTPUT_CAP);
    }
}
