//! A usable access token for a target: the cached one, renewed silently with its refresh
//! token when it is within 15 minutes of expiry (as botocore's SSOTokenProvider does) and
//! written back atomically; otherwise a message saying to log in.

use super::cache::{SsoCache, SsoToken};
use super::device::oidc_failure;
use super::error::SsoError;
use super::login::{EXPIRY_WINDOW, token_from_grant};
use super::oidc::{Grant, Oidc};
use super::target::SsoTarget;
use crate::creds::clock::Clock;

/// The cached token, renewed if it is close to expiry and can be.
pub(crate) async fn valid_token(
    oidc: &dyn Oidc,
    clock: &dyn Clock,
    cache: &SsoCache,
    target: &SsoTarget,
) -> Result<SsoToken, SsoError> {
    let login_required =
        |state| SsoError::LoginRequired { label: target.label.clone(), login: target.login.clone(), state };
    let token = cache.load_token(target)?.ok_or_else(|| login_required("not logged in"))?;
    let now = clock.now();
    if token.expires_at - now >= EXPIRY_WINDOW {
        return Ok(token);
    }
    match refresh(oidc, clock, target, &token).await {
        Ok(fresh) => {
            cache.store_token(target, &fresh)?;
            Ok(fresh)
        }
        // Still valid for a while: use it, as botocore does when a refresh fails.
        Err(_) if token.expires_at > now => Ok(token),
        Err(err) => Err(err),
    }
}

/// `CreateToken` with `grant_type=refresh_token`, keeping the registration in the file.
pub(crate) async fn refresh(
    oidc: &dyn Oidc,
    clock: &dyn Clock,
    target: &SsoTarget,
    token: &SsoToken,
) -> Result<SsoToken, SsoError> {
    let (label, login) = (target.label.clone(), target.login.clone());
    let (Some(refresh), Some(client_id), Some(secret), Some(reg_expires)) =
        (&token.refresh_token, &token.client_id, &token.client_secret, token.registration_expires_at)
    else {
        return Err(SsoError::LoginRequired { label, login, state: "the token has expired" });
    };
    if reg_expires <= clock.now() {
        return Err(SsoError::RegistrationExpired { label, login });
    }
    let registration = super::cache::Registration {
        client_id: client_id.clone(),
        client_secret: secret.clone(),
        expires_at: reg_expires,
        scopes: None,
        grant_types: None,
    };
    let grant = oidc
        .create_token(&registration, &Grant::RefreshToken(refresh.clone()))
        .await
        .map_err(|e| oidc_failure(target, "CreateToken", oidc.endpoint(), e))?;
    let mut fresh = token_from_grant(target, &registration, grant, clock.now());
    // botocore keeps the start URL and region of the configuration, not of the old file.
    fresh.start_url = target.start_url.clone();
    fresh.region = target.region.clone();
    Ok(fresh)
}
