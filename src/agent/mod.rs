//! awsw's per-user agent: one background process, started on demand by the `.envrc` block
//! of `awsw envrc --served` (through `awsw agent env`) and shared by every shell and
//! directory of the same configuration, that serves the registered profiles over the
//! credential endpoint's protocol (`crate::server`: loopback, a 256-bit token, constant-time
//! compare) and renews them from the cached base session without a prompt. A directory's
//! environment then holds an address and a token, never keys, and keeps working past the
//! role's hour.
//!
//! `state` finds it (runtime directory, key, state file, lifetime lock), `client` starts,
//! asks and stops it, `routes` is what it answers, `run` is the process itself. It must
//! never prompt, never write the token anywhere but its 0600 state file, and never put it
//! on a command line.

pub mod client;
pub mod routes;
pub mod run;
pub mod state;

use std::time::Duration;

/// The variable that sets the idle time.
pub const IDLE_VAR: &str = "AWSW_AGENT_IDLE";
/// Without requests for this long (and past every expiry it handed out) the agent exits.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(3600);
/// The longest idle time allowed: a week.
pub const MAX_IDLE_SECS: u64 = 604_800;

/// `AWSW_AGENT_IDLE` (seconds, 1 to a week), else the default; a bad value is one line
/// naming the variable and the allowed range.
pub fn idle(var: impl Fn(&str) -> Option<String>) -> Result<Duration, String> {
    let Some(value) = var(IDLE_VAR).filter(|v| !v.is_empty()) else { return Ok(DEFAULT_IDLE) };
    match value.trim().parse::<u64>() {
        Ok(secs) if (1..=MAX_IDLE_SECS).contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(format!(
            "{IDLE_VAR}={value:?} is not a whole number of seconds from 1 to {MAX_IDLE_SECS} (a week)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_time_is_checked() {
        let with = |value: &'static str| move |name: &str| (name == IDLE_VAR).then(|| value.to_string());
        assert_eq!(idle(|_| None), Ok(DEFAULT_IDLE));
        assert_eq!(idle(with("")), Ok(DEFAULT_IDLE));
        assert_eq!(idle(with("90")), Ok(Duration::from_secs(90)));
        for bad in ["0", "-1", "1h", "604801"] {
            let err = idle(with(bad)).unwrap_err();
            assert!(err.contains("AWSW_AGENT_IDLE") && err.contains("604800"), "{err}");
        }
    }
}
