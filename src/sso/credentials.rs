//! What the credential engine's plan needs to know about an SSO root profile, without I/O:
//! the login it belongs to, and whether a cached token can be used at a given time. The
//! steps themselves (`creds::steps::sso_token`, `sso_role_credentials`) call the token and
//! role-credential code of this module's siblings.

use time::{Duration, OffsetDateTime};

use super::cache::SsoToken;
use super::error::SsoError;
use super::target::SsoTarget;
use crate::config::Profile;
use crate::config::profile::SsoRoot;
use crate::creds::plan::SsoTokenState;

/// Role credentials from the AWS CLI's cache are reused while this much remains (botocore's
/// window for SSO credentials, so awsw and the AWS CLI renew at the same moment).
pub(crate) const ROLE_MIN_REMAINING: Duration = Duration::minutes(15);

/// The target of a resolved SSO root profile (its start URL and region already come from its
/// `[sso-session]` when it names one).
pub(crate) fn target_of(root: &Profile) -> Result<SsoTarget, SsoError> {
    let incomplete =
        |reason: &str| SsoError::IncompleteProfile { profile: root.name.clone(), reason: reason.into() };
    let sso = root.sso();
    let start_url = sso.and_then(SsoRoot::start_url).ok_or_else(|| incomplete("no sso_start_url"))?;
    let region = sso.and_then(SsoRoot::region).ok_or_else(|| incomplete("no sso_region"))?;
    let session = sso.and_then(SsoRoot::session).map(str::to_string);
    let (login, label) = match &session {
        Some(session) => (session.clone(), format!("sso-session {session}")),
        None => (root.name.clone(), format!("profile {}", root.name)),
    };
    Ok(SsoTarget { session, start_url: start_url.into(), region: region.into(), scopes: None, login, label })
}

/// Whether `token` is valid at `now`, or expired but renewable with its refresh token.
pub(crate) fn token_state(token: Option<&SsoToken>, now: OffsetDateTime) -> SsoTokenState {
    match token {
        Some(token) if token.expires_at > now => SsoTokenState::Valid,
        Some(token)
            if token.refresh_token.is_some()
                && token.client_secret.is_some()
                && token.registration_expires_at.is_some_and(|t| t > now) =>
        {
            SsoTokenState::Renewable
        }
        _ => SsoTokenState::Missing,
    }
}
