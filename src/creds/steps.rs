//! The steps a plan is made of, one small function each, as aws-vault keeps one file per
//! provider: the keys in the file, a `GetSessionToken` base session, a provider's root
//! credentials, and assuming one role. Each takes the `Sts` (or `RootSource`) it calls and
//! returns what it made; none caches, prompts or reads the environment: `Engine` hands them
//! codes and endpoints, and the store's `cached` wrapper keeps their results.

use super::error::{CredsError, StsCall, from_sts};
use super::providers::{EnvCredentials, RootSource};
use super::store::Made;
use super::sts::{AssumeRoleRequest, Endpoint, MfaToken, SessionTokenRequest, Sts};
use super::types::{Credentials, Identity};
use crate::config::{Arn, Profile};

/// The keys in the credentials file behind `profile`'s chain.
pub fn file_keys(profile: &Profile) -> Result<Credentials, CredsError> {
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
pub async fn base_session(
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

/// The root credentials of a provider (SSO, `credential_process`, web identity,
/// `credential_source`).
pub async fn provider_root(
    roots: &dyn RootSource,
    root: &Profile,
    env: &EnvCredentials,
    session_name: &str,
) -> Result<Made, CredsError> {
    tracing::debug!(profile = %root.name, kind = ?root.root_kind(), "provider credentials");
    let credentials = roots.credentials(root, env, session_name).await?;
    Ok(Made { credentials, identity: None })
}

/// `AssumeRole` for one hop, from `source`.
pub async fn assume_role(
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
pub fn root_session_name(root: &Profile, local: &str) -> String {
    root.role_session_name.as_deref().map_or_else(|| local.to_string(), sanitize_session_name)
}

/// STS accepts 2..=64 characters of `[\w+=,.@-]`.
pub fn sanitize_session_name(name: &str) -> String {
    aws_name(name, "_+=,.@-", 64, "-")
}

/// `name` as AWS accepts names: ASCII letters and digits plus `extra`, anything else `-`, at
/// most `max` characters, padded with `pad` to the 2 characters every such name needs.
pub fn aws_name(name: &str, extra: &str, max: usize, pad: &str) -> String {
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
