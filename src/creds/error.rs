//! What can go wrong getting a session, each with a one-line message that names the profile
//! and says what to do next, and the one place where an STS failure becomes such a message.
//! No variant carries a secret: STS error texts name ARNs and codes, never keys.

use std::path::PathBuf;

use super::sts::{Endpoint, STS_SETTING, StsError};

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
    #[error("cannot reach STS at {endpoint} (profile {profile}): {reason}")]
    Unreachable { profile: String, endpoint: String, reason: String },
    #[error(
        "STS at {endpoint} answered {action} for profile {profile} with HTTP {status}{}: a fault on AWS's side (or a proxy's), usually brief; try again in a minute",
        code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
    )]
    ServerError { profile: String, action: String, endpoint: String, status: u16, code: Option<String> },
    #[error("STS refused {action} for profile {profile} ({code}): {} and try again", clock_advice(*skew))]
    ClockSkew { profile: String, action: String, code: String, skew: Option<i64> },
    #[error(
        "{endpoint} answered {action} for profile {profile} with HTTP {status} and no STS error: it is probably not an STS endpoint; check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the profile's endpoint_url"
    )]
    NotSts { profile: String, action: String, endpoint: String, status: u16 },
    #[error("{source_kind} credentials for profile {profile} failed: {message}")]
    Provider { profile: String, source_kind: &'static str, message: String },
    #[error(
        "cannot use the session cache {path}: {source}; fix its permissions or point XDG_CACHE_HOME elsewhere"
    )]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the session for profile {profile} has expired or was never started; renew it with `awsw env {profile}` or `awsw shell {profile}`"
    )]
    NotCached { profile: String },
}

/// What a skewed clock means and what to do; `skew` is local minus AWS's time, in seconds.
pub(crate) fn clock_advice(skew: Option<i64>) -> String {
    let off = match skew {
        Some(skew) => {
            let epoch = time::OffsetDateTime::UNIX_EPOCH;
            // `Date` has whole seconds: a skew of minutes reads best to the nearest minute.
            let seconds = if skew.abs() >= 60 { (skew.abs() + 30) / 60 * 60 } else { skew.abs() };
            let span = crate::timefmt::time_left(
                epoch,
                epoch + time::Duration::seconds(seconds),
                crate::timefmt::Style::Compact,
            );
            let direction = if skew >= 0 { "ahead of" } else { "behind" };
            format!("this computer's clock is {span} {direction} AWS's (by the Date of its answer)")
        }
        None => "this computer's clock is off".to_string(),
    };
    format!("{off}; set the clock right (e.g. `sudo timedatectl set-ntp true`)")
}

/// `clock_advice` for an `StsError::ClockSkew` (empty for any other).
pub(crate) fn skew_advice(err: &StsError) -> String {
    match err {
        StsError::ClockSkew { skew, .. } => format!("{} and try again", clock_advice(*skew)),
        _ => String::new(),
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; `awsw list` shows them all".to_string()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl CredsError {
    /// Whether the user typed something wrong (a name, a code) rather than something
    /// failing at run time; the binary turns this into its exit status.
    pub(crate) fn is_usage(&self) -> bool {
        matches!(self, CredsError::UnknownProfile { .. } | CredsError::MfaMalformed { .. })
    }

    /// The exit status for this error, from the one table in `crate::exit`.
    pub fn exit_code(&self) -> u8 {
        if self.is_usage() { crate::exit::USAGE } else { crate::exit::FAILURE }
    }
}

/// What went wrong with one STS call, with everything its message needs.
pub(crate) struct StsCall<'a> {
    pub(crate) profile: &'a str,
    pub(crate) endpoint: &'a Endpoint,
    /// `AssumeRole`, `GetSessionToken`, `GetCallerIdentity`.
    pub(crate) action: &'a str,
    /// The MFA device whose code went with the call, if any.
    pub(crate) serial: Option<&'a str>,
}

/// An STS failure for a profile, as the engine reports it.
pub(crate) fn from_sts(err: StsError, call: StsCall<'_>) -> CredsError {
    let profile = call.profile.to_string();
    match err {
        StsError::Service { code, message } => {
            let lower = message.to_ascii_lowercase();
            let mfa_failed = lower.contains("multifactor") || lower.contains("mfa");
            match (code.as_str(), call.serial) {
                ("AccessDenied", Some(serial)) if mfa_failed => {
                    CredsError::MfaRejected { profile, serial: serial.to_string() }
                }
                ("InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException", _) => {
                    CredsError::InvalidKeys { profile, code }
                }
                ("ExpiredToken" | "ExpiredTokenException", _) => CredsError::ExpiredToken { profile },
                (code, _) if super::sts::is_throttling(code) => CredsError::Throttled { profile },
                _ => CredsError::Refused { profile, action: call.action.to_string(), code, message },
            }
        }
        StsError::Timeout => CredsError::Unreachable {
            profile,
            endpoint: call.endpoint.describe(),
            reason: format!("no answer within 10 s; {TIMEOUT_ADVICE}"),
        },
        StsError::ServerError { status, code } => CredsError::ServerError {
            profile,
            action: call.action.to_string(),
            endpoint: call.endpoint.describe(),
            status,
            code,
        },
        StsError::ClockSkew { code, skew } => {
            CredsError::ClockSkew { profile, action: call.action.to_string(), code, skew }
        }
        StsError::NotSts { status } => CredsError::NotSts {
            profile,
            action: call.action.to_string(),
            endpoint: call.endpoint.describe(),
            status,
        },
        StsError::Unreachable { reason } => {
            CredsError::Unreachable { profile, endpoint: call.endpoint.describe(), reason }
        }
        StsError::Other { reason } => CredsError::Unreachable {
            profile,
            endpoint: call.endpoint.describe(),
            reason: format!("{reason}; check the network, proxy or {STS_SETTING}"),
        },
    }
}

const TIMEOUT_ADVICE: &str = "check the network, or a firewall or proxy that drops the connection";

/// An STS failure for the credentials in the environment (which belong to no profile), as
/// the picker's header shows it.
pub(crate) fn environment_message(err: StsError, endpoint: &Endpoint) -> String {
    match err {
        StsError::Service { code, .. } if code.starts_with("ExpiredToken") => {
            "the credentials in this environment have expired".to_string()
        }
        StsError::Service { code, message } => format!("STS refused them: {code}: {message}"),
        StsError::Timeout => format!("no answer from STS at {} within 10 s", endpoint.describe()),
        StsError::ServerError { status, .. } => format!(
            "STS at {} answered HTTP {status}: a fault on AWS's side, usually brief; try again in a minute",
            endpoint.describe()
        ),
        StsError::ClockSkew { skew, .. } => format!("{} and try again", clock_advice(skew)),
        StsError::NotSts { status } => {
            format!(
                "{} answered HTTP {status} with no STS error: it is probably not STS",
                endpoint.describe()
            )
        }
        StsError::Unreachable { reason } | StsError::Other { reason } => {
            format!("cannot reach STS at {}: {reason}", endpoint.describe())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(endpoint: &'a Endpoint) -> StsCall<'a> {
        StsCall { profile: "dev", endpoint, action: "AssumeRole", serial: None }
    }

    #[test]
    fn a_skewed_clock_and_an_outage_each_get_their_line() {
        let endpoint = Endpoint { region: "eu-west-1".into(), url: None };
        let skewed = StsError::ClockSkew { code: "SignatureDoesNotMatch".into(), skew: Some(-3599) };
        assert_eq!(
            from_sts(skewed, call(&endpoint)).to_string(),
            "STS refused AssumeRole for profile dev (SignatureDoesNotMatch): this computer's clock is 1h00m behind AWS's (by the Date of its answer); set the clock right (e.g. `sudo timedatectl set-ntp true`) and try again"
        );
        let ahead = StsError::ClockSkew { code: "RequestExpired".into(), skew: Some(42) };
        assert!(from_sts(ahead, call(&endpoint)).to_string().contains("clock is 42s ahead of AWS's"));
        let unknown = StsError::ClockSkew { code: "RequestExpired".into(), skew: None };
        assert!(from_sts(unknown, call(&endpoint)).to_string().contains("this computer's clock is off;"));
        let outage = StsError::ServerError { status: 500, code: None };
        assert_eq!(
            from_sts(outage, call(&endpoint)).to_string(),
            "STS at sts.eu-west-1.amazonaws.com answered AssumeRole for profile dev with HTTP 500: a fault on AWS's side (or a proxy's), usually brief; try again in a minute"
        );
    }
}
