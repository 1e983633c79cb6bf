//! What can go wrong with IAM Identity Center, each a one-line message naming the session or
//! profile and what to do next. `login` is what to pass to `awsw login` to fix it. No
//! variant carries a token, a refresh token or a client secret.

use std::path::PathBuf;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SsoError {
    #[error("[sso-session {session}] lacks {missing}: add it to the section in the config file")]
    MissingSetting { session: String, missing: String },
    #[error(
        "no [sso-session {name}] and no SSO profile named {name:?}: `awsw list` shows the profiles and sessions"
    )]
    UnknownSession { name: String },
    #[error(
        "the config has no [sso-session NAME] section: add one (sso_start_url, sso_region), or name an SSO profile"
    )]
    NoSession,
    #[error("the config has several sso-sessions ({names}): name one, e.g. `awsw login {first}`")]
    Ambiguous { names: String, first: String },
    #[error("profile {profile} does not use IAM Identity Center (no sso_session or sso_start_url)")]
    NotSso { profile: String },
    #[error("profile {profile} is not complete: {reason}")]
    IncompleteProfile { profile: String, reason: String },
    #[error("{label}: {state}: run `awsw login {login}`")]
    LoginRequired { label: String, login: String, state: &'static str },
    #[error(
        "{label}: the token file {path} is {reason}, so awsw does not trust it: delete it and run `awsw login {login}`"
    )]
    UntrustedToken { label: String, login: String, path: PathBuf, reason: &'static str },
    #[error("{label}: {reason}")]
    UnsafeDir { label: String, reason: String },
    #[error(
        "{label}: the token file {path} is not a valid token ({reason}): run `awsw login {login}` to replace it"
    )]
    CorruptToken { label: String, login: String, path: PathBuf, reason: String },
    #[error(
        "{label}: the client registration has expired and the token cannot be renewed: run `awsw login {login}`"
    )]
    RegistrationExpired { label: String, login: String },
    #[error("{label}: the login was denied in the browser: run `awsw login {login}` again and approve it")]
    Denied { label: String, login: String },
    #[error(
        "{label}: the login code expired before it was approved: run `awsw login {login}` again and approve it in time"
    )]
    CodeExpired { label: String, login: String },
    #[error(
        "{label}: the browser's answer did not carry the state awsw sent (stale or forged): run `awsw login {login}` again"
    )]
    StateMismatch { label: String, login: String },
    #[error(
        "{label}: IAM Identity Center rejected the token (signed out or revoked): run `awsw login {login}`"
    )]
    TokenRevoked { label: String, login: String },
    #[error(
        "role {role} in account {account} is not assigned to you (any more): `awsw sso accounts` lists what you have; fix sso_role_name / sso_account_id of profile {profile}"
    )]
    RoleGone { profile: String, account: String, role: String },
    #[error("{label}: IAM Identity Center is throttling requests: wait a minute and try again")]
    Throttled { label: String },
    #[error("{label}: cannot reach IAM Identity Center at {endpoint}: {reason}")]
    Unreachable { label: String, endpoint: String, reason: String },
    #[error("{label}: {operation} failed: {code}: {message}")]
    Service { label: String, operation: &'static str, code: String, message: String },
    #[error(
        "{label}: cannot listen on 127.0.0.1 for the browser's answer ({reason}): use `awsw login --device-code`"
    )]
    Loopback { label: String, reason: String },
    #[error(
        "{label}: no answer from the browser within {minutes} minutes: run `awsw login {login}` again, or add --device-code"
    )]
    LoopbackTimeout { label: String, login: String, minutes: u64 },
    #[error("cannot write {path}: {reason}; fix the directory's owner and permissions")]
    Cache { path: PathBuf, reason: String },
}
