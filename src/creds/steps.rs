//! The steps a plan is made of, one small function each, as aws-vault keeps one file per
//! provider: the keys in the file, a `GetSessionToken` base session, an SSO login's token
//! and its role credentials, a provider's root credentials, and assuming one role. Each takes the `Sts` (or `RootSource`) it calls and
//! returns what it made; none keeps a session, prompts or reads the environment (the SSO
//! token step does write a renewed token back to its cache): `Engine` hands them codes and
//! endpoints, and the store's `cached` wrapper keeps their results.

use super::env::EngineEnv;
use super::error::{CredsError, StsCall, from_sts};
use super::providers::RootSource;
use super::store::Made;
use super::sts::{AssumeRoleRequest, Endpoint, MfaToken, SessionTokenRequest, Sts};
use super::types::{Credentials, Identity};
use crate::config::{Arn, Profile};
use crate::creds::clock::Clock;
use crate::creds::plan::SsoRoot;
use crate::sso::SsoError;
use crate::sso::cache::{SsoCache, SsoToken};
use crate::sso::oidc::Oidc;
use crate::sso::portal::Portal;
use crate::sso::rolecreds::{RoleRequest, fetch};
use crate::sso::token::valid_token;

/// The keys in the credentials file behind `profile`'s chain.
pub(crate) fn file_keys(profile: &Profile) -> Result<Credentials, CredsError> {
    let keys = profile.static_keys().ok_or_else(|| CredsError::Unusable {
        profile: profile.name.clone(),
        reason: "its root has no access keys".into(),
    })?;
    Ok(Credentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.clone(),
        session_token: keys.session_token.clone(),
        expiration: None,
    })
}

/// `GetSessionToken` for the long-term keys of `owner`, with an MFA code or without.
pub(crate) async fn base_session(
    sts: &dyn Sts,
    endpoint: &Endpoint,
    owner: &Profile,
    long_term: &Credentials,
    duration_seconds: u32,
    mfa: Option<MfaToken>,
) -> Result<Made, CredsError> {
    let serial = mfa.as_ref().map(|m| m.serial.clone());
    tracing::debug!(profile = %owner.name, mfa = serial.as_deref().unwrap_or("none"), "GetSessionToken");
    let request = SessionTokenRequest { duration_seconds: Some(duration_seconds), mfa };
    let credentials = sts.get_session_token(endpoint, long_term, &request).await.map_err(|err| {
        let call =
            StsCall { profile: &owner.name, endpoint, action: "GetSessionToken", serial: serial.as_deref() };
        from_sts(err, call)
    })?;
    Ok(Made { credentials, identity: None })
}

/// `SsoToken`: the login's cached token, renewed silently with its refresh token when it is
/// close to expiry (and written back), for the SSO root `profile`.
pub(crate) async fn sso_token(
    oidc: &dyn Oidc,
    clock: &dyn Clock,
    cache: &SsoCache,
    sso: &SsoRoot,
    profile: &str,
) -> Result<SsoToken, CredsError> {
    tracing::debug!(profile, login = %sso.target.label, token = ?sso.token, "SSO token");
    valid_token(oidc, clock, cache, &sso.target).await.map_err(|e| sso_failure(profile, e))
}

/// `SsoRoleCredentials`: `GetRoleCredentials` for the root's account and role.
pub(crate) async fn sso_role_credentials(
    portal: &dyn Portal,
    sso: &SsoRoot,
    profile: &str,
    token: &SsoToken,
) -> Result<Made, CredsError> {
    tracing::debug!(profile, account_id = %sso.account_id, role_name = %sso.role_name, "GetRoleCredentials");
    let request = RoleRequest { profile, account_id: &sso.account_id, role_name: &sso.role_name };
    let key = format!("{} {}", sso.target.label, portal.endpoint());
    let unreachable = |err: &SsoError| matches!(err, SsoError::Unreachable { .. });
    let credentials = SSO_GATE
        .run(&key, unreachable, || fetch(portal, &sso.target, &token.access_token, &request))
        .await
        .map_err(|e| sso_failure(profile, e))?;
    Ok(Made { credentials, identity: None })
}

/// A portal that could not be reached is not asked again by this process for a while, per
/// login and endpoint: the picker or `whoami --all` over many SSO profiles waits for it once.
static SSO_GATE: std::sync::LazyLock<super::budget::FaultGate<SsoError>> =
    std::sync::LazyLock::new(Default::default);

/// A login needed is its own error (readiness and the picker show the command); anything
/// else is the SSO module's one-line message.
fn sso_failure(profile: &str, err: SsoError) -> CredsError {
    match err {
        SsoError::LoginRequired { login, .. } => CredsError::SsoLoginRequired {
            profile: profile.to_string(),
            command: format!("awsw login {login}"),
        },
        e => {
            CredsError::Provider { profile: profile.to_string(), source_kind: "SSO", message: e.to_string() }
        }
    }
}

/// The root credentials of a provider (`credential_process`, web identity,
/// `credential_source`).
pub(crate) async fn provider_root(
    roots: &dyn RootSource,
    root: &Profile,
    env: &EngineEnv,
    session_name: &str,
) -> Result<Made, CredsError> {
    tracing::debug!(profile = %root.name, kind = ?root.root_kind(), "provider credentials");
    let credentials = roots.credentials(root, env, session_name).await?;
    Ok(Made { credentials, identity: None })
}

/// `AssumeRole` for one hop, from `source`.
pub(crate) async fn assume_role(
    sts: &dyn Sts,
    endpoint: &Endpoint,
    hop: &Profile,
    source: &Credentials,
    request: &AssumeRoleRequest,
) -> Result<Made, CredsError> {
    tracing::debug!(
        profile = %hop.name,
        role_arn = %request.role_arn,
        session_name = %request.session_name,
        duration_seconds = ?request.duration_seconds,
        mfa = request.mfa.as_ref().map_or("none", |m| m.serial.as_str()),
        "AssumeRole"
    );
    let result = sts.assume_role(endpoint, source, request).await.map_err(|err| {
        let serial = request.mfa.as_ref().map(|m| m.serial.as_str());
        from_sts(err, StsCall { profile: &hop.name, endpoint, action: "AssumeRole", serial })
    })?;
    let identity = result.assumed_role_arn.map(|arn| Identity {
        account: Arn::parse(&arn).map(|a| a.account.to_string()).unwrap_or_default(),
        user_id: result.assumed_role_id.unwrap_or_default(),
        arn,
    });
    Ok(Made { credentials: result.credentials, identity })
}

/// The session name of a provider root (web identity): its `role_session_name`, else the local
/// user's name, as for roles (there is no IAM user behind a web token).
pub(crate) fn root_session_name(root: &Profile, local: &str) -> String {
    root.role_session_name.as_deref().map_or_else(|| local.to_string(), sanitize_session_name)
}

/// STS accepts 2..=64 characters of `[\w+=,.@-]`.
pub(crate) fn sanitize_session_name(name: &str) -> String {
    aws_name(name, "_+=,.@-", 64, "-")
}

/// `name` as AWS accepts names: ASCII letters and digits plus `extra`, anything else `-`, at
/// most `max` characters, padded with `pad` to the 2 characters every such name needs.
pub(crate) fn aws_name(name: &str, extra: &str, max: usize, pad: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || extra.contains(c) { c } else { '-' })
        .take(max)
        .collect();
    while clean.len() < 2 {
        clean.push_str(pad);
        clean.truncate(max);
    }
    clean
}
