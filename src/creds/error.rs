//! What can go wrong getting a session, each with a one-line message that names the profile
//! (or the MFA device, or the cache directory) and says what to do next, and the one place
//! where an STS failure becomes such a message (`from_sts`; `environment_message` for the
//! environment's credentials). No variant carries a secret: STS error texts name ARNs and
//! codes, never keys, and an MFA code is never repeated.

use std::path::PathBuf;

use super::sts::{Endpoint, STS_SETTING, StsError};

/// Why the engine could not give a profile's session. The binary prints the message as is
/// and takes its exit status from `exit_code`.
#[derive(Debug, thiserror::Error)]
pub enum CredsError {
    /// The name matches no profile in the config or credentials files.
    #[error("no profile named {name:?}{}", did_you_mean(suggestions))]
    UnknownProfile {
        /// The name as the user gave it.
        name: String,
        /// The closest profile names, best first; empty when none is close.
        suggestions: Vec<String>,
    },
    /// The profile is broken (its first config problem), or its root yields no credentials
    /// (no access keys, incomplete SSO settings, nothing found by the default chain).
    #[error("profile {profile} cannot be used: {reason}")]
    Unusable {
        /// The profile that asked, or the root of its chain.
        profile: String,
        /// What is wrong and, where known, what to set.
        reason: String,
    },
    /// A step needs an MFA code and the request allows no way to get one (or its one code
    /// was spent on an earlier device).
    #[error(
        "profile {profile} needs an MFA code for {serial}: pass --mfa-code, set mfa_process in the profile, or run awsw in a terminal"
    )]
    MfaRequired {
        /// The profile the user asked for.
        profile: String,
        /// The MFA device's ARN (`mfa_serial`).
        serial: String,
    },
    /// A code given (`--mfa-code`, the picker's MFA field) or typed at the terminal prompt
    /// is not six digits; the message never repeats the code.
    #[error("the MFA code must be exactly 6 digits ({problem}); read it again from {serial}")]
    MfaMalformed {
        /// The MFA device's ARN.
        serial: String,
        /// What is wrong with the code's form (`it has 5 digits`), without the code.
        problem: String,
    },
    /// STS answered `AccessDenied` about MFA to a call made with a code.
    #[error(
        "STS rejected the MFA code for {serial} (wrong, expired or already used): wait for the next code and try again"
    )]
    MfaRejected {
        /// The profile the call was made for (not in the message).
        profile: String,
        /// The MFA device's ARN.
        serial: String,
    },
    /// The profile's `mfa_process` could not run, exited non-zero, or printed no 6-digit code.
    #[error("mfa_process of profile {profile} failed: {reason}")]
    MfaProcess {
        /// The profile whose `mfa_process` ran.
        profile: String,
        /// What went wrong; never the command's output.
        reason: String,
    },
    /// The request allows a terminal prompt, but `/dev/tty` could not be opened or used.
    #[error(
        "profile {profile} needs a code from MFA device {serial} and there is no terminal to ask on ({reason}): pass --mfa-code CODE, or set mfa_process in the profile"
    )]
    MfaPrompt {
        /// The profile the user asked for.
        profile: String,
        /// The MFA device's ARN.
        serial: String,
        /// Why the terminal could not be used.
        reason: String,
    },
    /// The chain starts at IAM Identity Center and its token is missing, expired or cannot
    /// be renewed: only a login (in a browser) helps.
    #[error("the SSO session of profile {profile} is missing or expired: run `{command}`, then try again")]
    SsoLoginRequired {
        /// The profile the user asked for.
        profile: String,
        /// The login to run, e.g. `awsw login my-sso`.
        command: String,
    },
    /// The chain starts at `credential_process` and the request did not allow running it.
    #[error(
        "profile {profile} gets its credentials from credential_process, which awsw runs only when asked"
    )]
    ProcessNotRun {
        /// The root profile that holds `credential_process`.
        profile: String,
    },
    /// STS refused a call with an error code no other variant covers (e.g. `AccessDenied`
    /// on `AssumeRole`); the message carries STS's own text.
    #[error("STS refused {action} for profile {profile}: {code}: {message}")]
    Refused {
        /// The profile the call was made for.
        profile: String,
        /// The STS action (`AssumeRole`, `GetSessionToken`, `GetCallerIdentity`).
        action: String,
        /// STS's error code.
        code: String,
        /// STS's error message (ARNs and reasons, no keys).
        message: String,
    },
    /// STS does not know the access key or the signature did not match: the keys in the
    /// file are wrong, deleted or deactivated.
    #[error(
        "the access keys behind profile {profile} are invalid or deactivated ({code}): rotate them in IAM and update the credentials file"
    )]
    InvalidKeys {
        /// The profile the call was made for.
        profile: String,
        /// STS's error code (`InvalidClientTokenId`, `SignatureDoesNotMatch`, ...).
        code: String,
    },
    /// STS says the session token used for the call has expired.
    #[error(
        "the session behind profile {profile} has expired: renew it with `awsw env {profile}` or `awsw shell {profile}`"
    )]
    ExpiredToken {
        /// The profile the call was made for.
        profile: String,
    },
    /// STS answered with a throttling code even after the SDK's retries.
    #[error("STS is throttling requests (profile {profile}): wait a few seconds and try again")]
    Throttled {
        /// The profile the call was made for.
        profile: String,
    },
    /// STS could not be reached (DNS, connection, TLS, proxy, no answer within 10 s), or the
    /// SDK failed without an answer to show.
    #[error("cannot reach STS at {endpoint} (profile {profile}): {reason}")]
    Unreachable {
        /// The profile the call was made for.
        profile: String,
        /// The endpoint as `Endpoint::describe` names it.
        endpoint: String,
        /// The network fault and what to check.
        reason: String,
    },
    /// STS (or a proxy in front of it) answered HTTP 5xx after the SDK's retries.
    #[error(
        "STS at {endpoint} answered {action} for profile {profile} with HTTP {status}{}: a fault on AWS's side (or a proxy's), usually brief; try again in a minute",
        code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
    )]
    ServerError {
        /// The profile the call was made for.
        profile: String,
        /// The STS action that failed.
        action: String,
        /// The endpoint as `Endpoint::describe` names it.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The AWS error code, when the answer had one.
        code: Option<String>,
    },
    /// STS refused the signature because the local clock is off; the message says by how
    /// much and how to set it right.
    #[error("STS refused {action} for profile {profile} ({code}): {} and try again", clock_advice(*skew))]
    ClockSkew {
        /// The profile the call was made for.
        profile: String,
        /// The STS action that was refused.
        action: String,
        /// STS's error code (`RequestExpired`, `SignatureDoesNotMatch`, ...).
        code: String,
        /// Local time minus the `Date` of STS's answer, in seconds, when it had one.
        skew: Option<i64>,
    },
    /// STS (or what stands at its address) answered, but not with what the action returns.
    #[error(
        "{endpoint} answered {action} for profile {profile}, but not with anything awsw can use ({reason}): check that AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the profile's endpoint_url point at STS"
    )]
    BadAnswer {
        /// The profile the call was made for.
        profile: String,
        /// The STS action that was sent.
        action: String,
        /// The endpoint as `Endpoint::describe` names it.
        endpoint: String,
        /// What was wrong with the answer.
        reason: String,
    },
    /// The endpoint answered an HTTP error without an AWS error code: it is probably not STS.
    #[error(
        "{endpoint} answered {action} for profile {profile} with HTTP {status} and no STS error: it is probably not an STS endpoint; check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the profile's endpoint_url"
    )]
    NotSts {
        /// The profile the call was made for.
        profile: String,
        /// The STS action that was sent.
        action: String,
        /// The endpoint as `Endpoint::describe` names it.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
    },
    /// A root awsw does not compute failed: `credential_process`, web identity,
    /// `credential_source`, the default chain, or an SSO call other than a needed login.
    #[error("{source_kind} credentials for profile {profile} failed: {message}")]
    Provider {
        /// The root profile whose provider failed.
        profile: String,
        /// The provider, as the message names it (`credential_process`, `web identity`,
        /// `EC2 instance metadata`, `ECS container`, `SSO`, ...).
        source_kind: &'static str,
        /// The provider's failure in one line (never an SDK `Debug` dump).
        message: String,
    },
    /// awsw's session cache directory is missing, unwritable or not private, or its lock
    /// file cannot be used. Checked before an MFA code is spent.
    #[error(
        "cannot use the session cache {path}: {source}; fix its permissions or point XDG_CACHE_HOME elsewhere"
    )]
    Cache {
        /// The cache directory.
        path: PathBuf,
        /// Why it cannot be used.
        #[source]
        source: std::io::Error,
    },
    /// `awsw env --cached-only` found no valid cached session (that mode never renews one).
    #[error(
        "the session for profile {profile} has expired or was never started; renew it with `awsw env {profile}` or `awsw shell {profile}`"
    )]
    NotCached {
        /// The profile the user asked for.
        profile: String,
    },
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
        StsError::BadAnswer { reason } => CredsError::BadAnswer {
            profile,
            action: call.action.to_string(),
            endpoint: call.endpoint.describe(),
            reason,
        },
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
        StsError::BadAnswer { reason } => {
            format!(
                "{} answered with nothing awsw can use ({reason}): it is probably not STS",
                endpoint.describe()
            )
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
