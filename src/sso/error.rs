//! What can go wrong with IAM Identity Center, each a one-line message naming the session or
//! profile and what to do next. `login` is what to pass to `awsw login` to fix it. No
//! variant carries a token, a refresh token or a client secret.

use std::path::PathBuf;

/// Why an IAM Identity Center step failed; `Display` is the one-line message the user sees.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SsoError {
    /// The `[sso-session]` a login uses has no (or a blank) `sso_start_url` or `sso_region`.
    #[error("[sso-session {session}] lacks {missing}: add it to the section in the config file")]
    MissingSetting {
        /// The section's name.
        session: String,
        /// `sso_start_url`, `sso_region`, or both joined by "and".
        missing: String,
    },
    /// A login name (`awsw login NAME`, `logout`, `sso ...`) is neither a session nor a profile.
    #[error(
        "no [sso-session {name}] and no SSO profile named {name:?}: `awsw list` shows the profiles and sessions"
    )]
    UnknownSession {
        /// The name as given.
        name: String,
    },
    /// No name given and the config declares no `[sso-session]` to default to.
    #[error(
        "the config has no [sso-session NAME] section: add one (sso_start_url, sso_region), or name an SSO profile"
    )]
    NoSession,
    /// No name given and the config declares more than one `[sso-session]`.
    #[error("the config has several sso-sessions ({names}): name one, e.g. `awsw login {first}`")]
    Ambiguous {
        /// Every session's name, comma-separated.
        names: String,
        /// The first session, for the example in the message.
        first: String,
    },
    /// The named profile's chain does not start at IAM Identity Center.
    #[error("profile {profile} does not use IAM Identity Center (no sso_session or sso_start_url)")]
    NotSso {
        /// The profile that was named.
        profile: String,
    },
    /// An SSO root profile whose start URL or region is missing (from it and its session).
    #[error("profile {profile} is not complete: {reason}")]
    IncompleteProfile {
        /// The chain's SSO root profile.
        profile: String,
        /// Which setting is missing (`no sso_start_url`, `no sso_region`), or the profile's SSO finding.
        reason: String,
    },
    /// No usable token: none cached, expired without a refresh token, or the refresh was refused.
    #[error("{label}: {state}: run `awsw login {login}`")]
    LoginRequired {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
        /// Why: `not logged in`, `the token has expired`, `the token could not be renewed`.
        state: &'static str,
    },
    /// The cached token file is a symlink or not a regular file, unreadable, another user's,
    /// or readable by others: refused, never read.
    #[error(
        "{label}: the token file {path} is {reason}, so awsw does not trust it: delete it and run `awsw login {login}`"
    )]
    UntrustedToken {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
        /// The token file.
        path: PathBuf,
        /// What is wrong with it, e.g. `owned by another user`.
        reason: &'static str,
    },
    /// The SSO cache directory itself cannot be trusted (see `safe_fs::Dir::open_trusted`).
    #[error("{label}: {reason}")]
    UnsafeDir {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// `safe_fs`'s message, which names the directory and the fix.
        reason: String,
    },
    /// The cached token file is trusted but not a JSON object, or lacks `accessToken` or a
    /// valid `expiresAt`.
    #[error(
        "{label}: the token file {path} is not a valid token ({reason}): run `awsw login {login}` to replace it"
    )]
    CorruptToken {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
        /// The token file.
        path: PathBuf,
        /// What is missing, or serde_json's line and column (never the text).
        reason: String,
    },
    /// The OIDC client registration behind the refresh token has expired, or the service
    /// rejected the client (`InvalidClientException`): only a new login helps.
    #[error(
        "{label}: the client registration has expired and the token cannot be renewed: run `awsw login {login}`"
    )]
    RegistrationExpired {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
    },
    /// The user denied the login in the browser, or the service refused the code (`AccessDenied`,
    /// a PKCE callback with `error`, or `InvalidGrant` on the code exchange).
    #[error("{label}: the login was denied in the browser: run `awsw login {login}` again and approve it")]
    Denied {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
    },
    /// The device code expired (locally or `ExpiredTokenException`) before the user approved it.
    #[error(
        "{label}: the login code expired before it was approved: run `awsw login {login}` again and approve it in time"
    )]
    CodeExpired {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
    },
    /// The PKCE redirect's `state` is not the one awsw sent: a stale tab or a forged request.
    #[error(
        "{label}: the browser's answer did not carry the state awsw sent (stale or forged): run `awsw login {login}` again"
    )]
    StateMismatch {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
    },
    /// The portal answered 401 (`UnauthorizedException`): the token was signed out or revoked.
    #[error(
        "{label}: IAM Identity Center rejected the token (signed out or revoked): run `awsw login {login}`"
    )]
    TokenRevoked {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
    },
    /// `GetRoleCredentials` was refused (403/404): the profile's account and role are not
    /// (or no longer) assigned to the signed-in user.
    #[error(
        "role {role} in account {account} is not assigned to you (any more): `awsw sso accounts` lists what you have; fix sso_role_name / sso_account_id of profile {profile}"
    )]
    RoleGone {
        /// The SSO profile whose credentials were asked for.
        profile: String,
        /// Its `sso_account_id`.
        account: String,
        /// Its `sso_role_name`.
        role: String,
    },
    /// The portal answered 429 `TooManyRequestsException`.
    #[error("{label}: IAM Identity Center is throttling requests: wait a minute and try again")]
    Throttled {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
    },
    /// No answer from the OIDC service or the portal (DNS, connection, TLS, timeout).
    #[error("{label}: cannot reach IAM Identity Center at {endpoint}: {reason}")]
    Unreachable {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// The service's base URL.
        endpoint: String,
        /// What failed on the network, with where to set the endpoint.
        reason: String,
    },
    /// Any other service error, named by the API call and the service's error code.
    #[error("{label}: {operation} failed: {code}: {message}")]
    Service {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// The API call, e.g. `CreateToken`, `ListAccounts`.
        operation: &'static str,
        /// The service's error code, or `HTTP <status>` when it sent none.
        code: String,
        /// The service's message (may be empty).
        message: String,
    },
    /// The PKCE flow could not start: binding the 127.0.0.1 listener failed.
    #[error(
        "{label}: cannot listen on 127.0.0.1 for the browser's answer ({reason}): use `awsw login --device-code`"
    )]
    Loopback {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// The operating system's error.
        reason: String,
    },
    /// The OS random source gave no bytes for the PKCE verifier or state.
    #[error(
        "{label}: the operating system gave no random bytes for the login ({reason}): use `awsw login --device-code`"
    )]
    Random {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// The operating system's error.
        reason: String,
    },
    /// The PKCE flow's listener saw no redirect within the login timeout.
    #[error(
        "{label}: no answer from the browser within {minutes} minutes: run `awsw login {login}` again, or add --device-code"
    )]
    LoopbackTimeout {
        /// How the message names the login: `sso-session NAME` or `profile NAME`.
        label: String,
        /// What to pass to `awsw login` to fix it.
        login: String,
        /// The timeout, in whole minutes.
        minutes: u64,
    },
    /// Writing (or deleting) a token or registration file in the SSO cache failed.
    #[error("cannot {action} {path}: {reason}; fix the directory's owner and permissions")]
    Cache {
        /// `write` or `delete`.
        action: &'static str,
        /// The file awsw tried to write or delete.
        path: PathBuf,
        /// The operating system's error.
        reason: String,
    },
}
