//! What can go wrong getting a session, each with a one-line message that names the profile
//! and says what to do next. No variant carries a secret: STS error texts name ARNs and
//! codes, never keys.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CredsError {
    #[error("no profile named {name:?}{}", did_you_mean(suggestions))]
    UnknownProfile { name: String, suggestions: Vec<String> },
    #[error("profile {profile} cannot be used: {reason}")]
    Unusable { profile: String, reason: String },
    #[error(
        "profile {profile} needs an MFA code for {serial}: pass --mfa-code, set mfa_process in the profile, or run awsw in a terminal"
    )]
    MfaRequired { profile: String, serial: String },
    #[error("the MFA code must be exactly 6 digits ({problem}); read it again from {serial}")]
    MfaMalformed { serial: String, problem: String },
    #[error(
        "STS rejected the MFA code for {serial} (wrong, expired or already used): wait for the next code and try again"
    )]
    MfaRejected { profile: String, serial: String },
    #[error("mfa_process of profile {profile} failed: {reason}")]
    MfaProcess { profile: String, reason: String },
    #[error(
        "profile {profile} needs a code from MFA device {serial} and there is no terminal to ask on ({reason}): pass --mfa-code CODE, or set mfa_process in the profile"
    )]
    MfaPrompt { profile: String, serial: String, reason: String },
    #[error("the SSO session of profile {profile} is missing or expired: run `{command}`, then try again")]
    SsoLoginRequired { profile: String, command: String },
    #[error(
        "profile {profile} gets its credentials from credential_process, which awsw runs only when asked"
    )]
    ProcessNotRun { profile: String },
    #[error("STS refused {action} for profile {profile}: {code}: {message}")]
    Refused { profile: String, action: String, code: String, message: String },
    #[error(
        "the access keys behind profile {profile} are invalid or deactivated ({code}): rotate them in IAM and update the credentials file"
    )]
    InvalidKeys { profile: String, code: String },
    #[error(
        "the session behind profile {profile} has expired: renew it with `awsw env {profile}` or `awsw shell {profile}`"
    )]
    ExpiredToken { profile: String },
    #[error("STS is throttling requests (profile {profile}): wait a few seconds and try again")]
    Throttled { profile: String },
    #[error(
        "cannot reach STS at {endpoint} (profile {profile}): {reason}; check the network, proxy or AWS_ENDPOINT_URL"
    )]
    Unreachable { profile: String, endpoint: String, reason: String },
    #[error(
        "{endpoint} answered {action} for profile {profile} with HTTP {status} and no STS error: it is probably not an STS endpoint; check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the profile's endpoint_url"
    )]
    NotSts { profile: String, action: String, endpoint: String, status: u16 },
    #[error("{source_kind} credentials for profile {profile} failed: {message}")]
    Provider { profile: String, source_kind: &'static str, message: String },
    #[error(
        "cannot use the session cache {path}: {reason}; fix its permissions or point XDG_CACHE_HOME elsewhere"
    )]
    Cache { path: PathBuf, reason: String },
    #[error(
        "no valid cached session for profile {profile}; renew it with `awsw env {profile}` or `awsw shell {profile}`"
    )]
    NotCached { profile: String },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; `awsw list` shows them all".to_string()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl CredsError {
    /// 2 for what the user typed wrong, 1 for everything that failed at run time.
    pub fn exit_code(&self) -> u8 {
        match self {
            CredsError::UnknownProfile { .. } | CredsError::MfaMalformed { .. } => 2,
            _ => 1,
        }
    }
}
