//! The one entry point the credential engine uses for an SSO root profile: a usable token
//! (refreshed silently if it can be), then the role's credentials through the AWS CLI's
//! cache. Also the engine's cheap "is a login needed?" check. Reads the environment's
//! endpoints and the default cache locations; everything below it is injectable.

use time::{Duration, OffsetDateTime};

use super::cache::SsoCache;
use super::endpoints::SsoEndpoints;
use super::error::SsoError;
use super::oidc::SdkOidc;
use super::portal::SdkPortal;
use super::rolecreds::{RoleRequest, role_credentials};
use super::target::SsoTarget;
use super::token::valid_token;
use crate::config::Profile;
use crate::config::profile::SsoRoot;
use crate::creds::clicache::CliCache;
use crate::creds::clock::SystemClock;
use crate::creds::types::Credentials;

/// Role credentials from the cache are reused while this much remains (botocore's window
/// for SSO credentials, so awsw and the AWS CLI renew at the same moment).
pub const ROLE_MIN_REMAINING: Duration = Duration::minutes(15);

/// The target of a resolved SSO root profile (its `sso_start_url` and `sso_region` already
/// come from its `[sso-session]` when it names one).
pub fn target_of(root: &Profile) -> Result<SsoTarget, SsoError> {
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

/// Whether `root`'s token is valid at `now`, or expired but renewable with its refresh token.
pub fn token_usable(root: &Profile, now: OffsetDateTime) -> bool {
    let (Ok(target), Some(dir)) = (target_of(root), SsoCache::default_dir()) else { return false };
    match SsoCache::new(dir).load_token(&target) {
        Ok(Some(token)) => {
            token.expires_at > now
                || (token.refresh_token.is_some()
                    && token.client_secret.is_some()
                    && token.registration_expires_at.is_some_and(|t| t > now))
        }
        _ => false,
    }
}

/// IAM Identity Center that could not be reached is not asked again by this process for a
/// while, per session and endpoint: the picker or `whoami --all` over many SSO profiles waits
/// for it once.
static GATE: std::sync::LazyLock<crate::creds::budget::FaultGate<SsoError>> =
    std::sync::LazyLock::new(Default::default);

/// The root's role credentials, from the AWS CLI's cache or `GetRoleCredentials`.
pub async fn root_credentials(root: &Profile) -> Result<Credentials, SsoError> {
    let target = target_of(root)?;
    let endpoints = SsoEndpoints::from_env();
    let key = format!("{} {}", target.label, endpoints.portal_url(&target.region));
    let unreachable = |err: &SsoError| matches!(err, SsoError::Unreachable { .. });
    GATE.run(&key, unreachable, || fetch(root, target, endpoints)).await
}

async fn fetch(root: &Profile, target: SsoTarget, endpoints: SsoEndpoints) -> Result<Credentials, SsoError> {
    let incomplete =
        |reason: &str| SsoError::IncompleteProfile { profile: root.name.clone(), reason: reason.into() };
    let sso = root.sso();
    let account_id = sso.and_then(SsoRoot::account_id).ok_or_else(|| incomplete("no sso_account_id"))?;
    let role_name = sso.and_then(SsoRoot::role_name).ok_or_else(|| incomplete("no sso_role_name"))?;
    let (Some(sso_dir), Some(cli_dir)) = (SsoCache::default_dir(), CliCache::default_dir()) else {
        return Err(incomplete("HOME is not set, so there is no token cache"));
    };
    let oidc = SdkOidc::new(&target.region, endpoints.oidc_url(&target.region));
    let token = valid_token(&oidc, &SystemClock, &SsoCache::new(sso_dir), &target).await?;
    let portal = SdkPortal::new(&target.region, endpoints.portal_url(&target.region), true);
    let request = RoleRequest { profile: &root.name, account_id, role_name };
    let cli = CliCache::new(cli_dir);
    let (creds, _origin) =
        role_credentials(&portal, &cli, &SystemClock, &target, &token, &request, ROLE_MIN_REMAINING).await?;
    Ok(creds)
}
