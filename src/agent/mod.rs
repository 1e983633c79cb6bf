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

pub(crate) mod client;
pub(crate) mod routes;
pub(crate) mod run;
pub(crate) mod state;

use std::time::Duration;

/// The variable that sets the idle time.
pub(crate) const IDLE_VAR: &str = "AWSW_AGENT_IDLE";
/// Without requests for this long (and past every expiry it handed out) the agent exits.
pub(crate) const DEFAULT_IDLE: Duration = Duration::from_secs(3600);
/// The longest idle time allowed: a week.
pub(crate) const MAX_IDLE_SECS: u64 = 604_800;

/// `AWSW_AGENT_IDLE` (seconds, 1 to a week), else the default; a bad value is one line
/// naming the variable and the allowed range.
pub(crate) fn idle(var: impl Fn(&str) -> Option<String>) -> Result<Duration, String> {
    let Some(value) = var(IDLE_VAR).filter(|v| !v.is_empty()) else { return Ok(DEFAULT_IDLE) };
    match value.trim().parse::<u64>() {
        Ok(secs) if (1..=MAX_IDLE_SECS).contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(format!(
            "{IDLE_VAR}={value:?} is not a whole number of seconds from 1 to {MAX_IDLE_SECS} (a week)"
        )),
    }
}

/// Why the agent cannot serve a profile whose root is `kind`, if it cannot: its credentials
/// would come from the environment of your shell (`credential_source = Environment`, the
/// SDKs' default chain), which the agent, started once for every shell, does not have.
pub(crate) fn refusal(profile: &str, kind: Option<crate::config::RootKind>) -> Option<String> {
    use crate::config::RootKind;
    use crate::config::root::CredentialSource;
    // A default-chain session is never cached, so only --profile-only works for it.
    let (from, modes) = match kind? {
        RootKind::CredentialSource(CredentialSource::Environment) => {
            ("credential_source = Environment", "`--cached` or `--profile-only`")
        }
        RootKind::DefaultChain => {
            ("no credentials in the profile: the SDKs' default chain", "`--profile-only`")
        }
        _ => return None,
    };
    Some(format!(
        "profile {profile} takes its credentials from the environment of your shell ({from}), which awsw's agent does not have; use `awsw envrc {profile}` with {modes}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_roots_outside_the_shell_environment_are_served() {
        use crate::config::RootKind;
        use crate::config::root::CredentialSource;
        let env = refusal("ci", Some(RootKind::CredentialSource(CredentialSource::Environment))).unwrap();
        assert!(env.contains("profile ci") && env.contains("--cached"), "{env}");
        let chain = refusal("d", Some(RootKind::DefaultChain)).unwrap();
        assert!(chain.contains("--profile-only") && !chain.contains("--cached"), "{chain}");
        for served in
            [RootKind::StaticKeys, RootKind::Sso, RootKind::CredentialProcess, RootKind::WebIdentity]
        {
            assert_eq!(refusal("p", Some(served)), None);
        }
        let imds = RootKind::CredentialSource(CredentialSource::Ec2InstanceMetadata);
        assert_eq!(refusal("p", Some(imds)), None);
    }

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
