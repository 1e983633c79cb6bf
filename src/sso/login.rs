//! Logging in: reuse or make the OIDC client registration, run the device flow or the
//! PKCE flow, and write the token (with its registration, so it can be renewed) into the
//! AWS CLI's cache. Prompts and the browser are the caller's: they come in as callbacks.

use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use super::cache::{Registration, SsoCache, SsoToken};
use super::device::{DevicePrompt, Sleeper, device_flow, oidc_failure};
use super::error::SsoError;
use super::oidc::{Grant, Oidc, OidcError, RegisterRequest, TokenGrant};
use super::pkce::{Callback, Loopback, Pkce, REGISTERED_REDIRECT_URI, authorize_url, random_state};
use super::target::{DEFAULT_SCOPE, SsoTarget};
use crate::creds::clock::Clock;

/// A registration or token this close to its end counts as expired (botocore's window).
pub(crate) const EXPIRY_WINDOW: Duration = Duration::minutes(15);
/// How long the PKCE flow waits for the browser (the AWS CLI waits 10 minutes).
pub(crate) const BROWSER_TIMEOUT: StdDuration = StdDuration::from_secs(600);

/// What a login needs from the world.
pub(crate) struct Flows<'a> {
    pub(crate) oidc: &'a dyn Oidc,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) sleeper: &'a dyn Sleeper,
    pub(crate) cache: &'a SsoCache,
}

/// The cached registration if it is for this flow and not about to expire, else a new one
/// (stored for next time).
pub(crate) async fn registration(
    flows: &Flows<'_>,
    target: &SsoTarget,
    pkce: bool,
) -> Result<Registration, SsoError> {
    let now = flows.clock.now();
    if let Some(cached) = flows.cache.load_registration(target)
        && cached.expires_at - now > EXPIRY_WINDOW
        && cached.is_for_auth_code() == pkce
    {
        return Ok(cached);
    }
    let name = target.session.clone().unwrap_or_else(|| now.unix_timestamp().to_string());
    let request = if pkce {
        RegisterRequest {
            client_name: format!("awsw-client-{name}"),
            scopes: Some(target.scopes.clone().unwrap_or_else(|| vec![DEFAULT_SCOPE.to_string()])),
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
            redirect_uris: Some(vec![REGISTERED_REDIRECT_URI.into()]),
            issuer_url: Some(target.start_url.clone()),
        }
    } else {
        RegisterRequest {
            client_name: format!("awsw-client-{name}"),
            scopes: target.registration_scopes(),
            grant_types: None,
            redirect_uris: None,
            issuer_url: None,
        }
    };
    let client = flows
        .oidc
        .register_client(&request)
        .await
        .map_err(|e| oidc_failure(target, "RegisterClient", flows.oidc.endpoint(), e))?;
    let registration = Registration {
        client_id: client.client_id,
        client_secret: client.client_secret,
        expires_at: OffsetDateTime::from_unix_timestamp(client.secret_expires_at).unwrap_or(now),
        scopes: request.scopes,
        grant_types: request.grant_types,
    };
    flows.cache.store_registration(target, &registration)?;
    Ok(registration)
}

/// The token file's contents for a grant, as the AWS CLI writes them.
pub(crate) fn token_from_grant(
    target: &SsoTarget,
    reg: &Registration,
    grant: TokenGrant,
    now: OffsetDateTime,
) -> SsoToken {
    SsoToken {
        start_url: target.start_url.clone(),
        region: target.region.clone(),
        access_token: grant.access_token,
        expires_at: now + Duration::seconds(grant.expires_in),
        client_id: Some(reg.client_id.clone()),
        client_secret: Some(reg.client_secret.clone()),
        registration_expires_at: Some(reg.expires_at),
        refresh_token: grant.refresh_token,
    }
}

/// The device flow, start to token file.
pub(crate) async fn device_login(
    flows: &Flows<'_>,
    target: &SsoTarget,
    on_prompt: &mut (dyn FnMut(&DevicePrompt) + Send),
) -> Result<SsoToken, SsoError> {
    let reg = registration(flows, target, false).await?;
    let grant = device_flow(flows.oidc, flows.clock, flows.sleeper, target, &reg, on_prompt).await?;
    let token = token_from_grant(target, &reg, grant, flows.clock.now());
    flows.cache.store_token(target, &token)?;
    Ok(token)
}

/// The authorization-code flow with PKCE: `open` shows (and may open) the authorize URL;
/// the browser's redirect to 127.0.0.1 brings the code back.
pub(crate) async fn pkce_login(
    flows: &Flows<'_>,
    target: &SsoTarget,
    open: &mut (dyn FnMut(&str) + Send),
    timeout: StdDuration,
) -> Result<SsoToken, SsoError> {
    let loopback_error =
        |e: std::io::Error| SsoError::Loopback { label: target.label.clone(), reason: e.to_string() };
    let loopback = Loopback::bind().await.map_err(loopback_error)?;
    let reg = registration(flows, target, true).await?;
    let random_error =
        |e: std::io::Error| SsoError::Random { label: target.label.clone(), reason: e.to_string() };
    let pkce = Pkce::generate().map_err(random_error)?;
    let state = random_state().map_err(random_error)?;
    let scopes = reg.scopes.clone().unwrap_or_else(|| vec![DEFAULT_SCOPE.to_string()]);
    let redirect_uri = loopback.redirect_uri();
    open(&authorize_url(
        flows.oidc.endpoint(),
        &reg.client_id,
        &redirect_uri,
        &state,
        &scopes,
        &pkce.challenge,
    ));
    let (label, login) = (target.label.clone(), target.login.clone());
    let code = match loopback.wait(timeout).await {
        None => return Err(SsoError::LoopbackTimeout { label, login, minutes: timeout.as_secs() / 60 }),
        Some(Callback::Error) => return Err(SsoError::Denied { label, login }),
        Some(Callback::Code { state: got, .. }) if got != state => {
            return Err(SsoError::StateMismatch { label, login });
        }
        Some(Callback::Code { code, .. }) => code,
    };
    let grant = Grant::AuthorizationCode { code, redirect_uri, code_verifier: pkce.verifier };
    let token = flows.oidc.create_token(&reg, &grant).await.map_err(|e| match e {
        OidcError::InvalidGrant => {
            SsoError::Denied { label: target.label.clone(), login: target.login.clone() }
        }
        e => oidc_failure(target, "CreateToken", flows.oidc.endpoint(), e),
    })?;
    let token = token_from_grant(target, &reg, token, flows.clock.now());
    flows.cache.store_token(target, &token)?;
    Ok(token)
}
