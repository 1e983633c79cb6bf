//! IAM Identity Center as the credential engine sees it: where the AWS CLI's token cache is
//! and how to reach the OIDC service and the portal for a login, behind `SsoConnect` so the
//! engine's SSO steps are tested with fakes. It never logs in and never opens a browser.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::clicache::parse_expiration;
use crate::sso::SsoTarget;
use crate::sso::cache::SsoCache;
use crate::sso::endpoints::SsoEndpoints;
use crate::sso::oidc::{Oidc, SdkOidc};
use crate::sso::portal::{Portal, SdkPortal};

/// How the engine reaches IAM Identity Center for a login: the OIDC service (to renew a
/// token) and the portal (`GetRoleCredentials`). Tests pass fakes.
pub trait SsoConnect: Send + Sync {
    fn oidc(&self, target: &SsoTarget) -> Box<dyn Oidc>;
    fn portal(&self, target: &SsoTarget) -> Box<dyn Portal>;
}

/// aws-sdk-ssooidc and aws-sdk-sso at the endpoints the environment names.
pub struct SdkConnect {
    endpoints: SsoEndpoints,
}

impl SdkConnect {
    pub fn from_env() -> SdkConnect {
        SdkConnect { endpoints: SsoEndpoints::from_env() }
    }
}

impl SsoConnect for SdkConnect {
    fn oidc(&self, target: &SsoTarget) -> Box<dyn Oidc> {
        Box::new(SdkOidc::new(&target.region, self.endpoints.oidc_url(&target.region)))
    }

    fn portal(&self, target: &SsoTarget) -> Box<dyn Portal> {
        Box::new(SdkPortal::new(&target.region, self.endpoints.portal_url(&target.region), true))
    }
}

/// The engine's SSO parts: the AWS CLI's token cache and the services.
#[derive(Clone)]
pub struct SsoParts {
    /// `~/.aws/sso/cache`; `None` without a home directory (every SSO root then needs a login).
    pub token_dir: Option<PathBuf>,
    pub connect: Arc<dyn SsoConnect>,
}

impl SsoParts {
    pub fn from_env() -> SsoParts {
        SsoParts { token_dir: SsoCache::default_dir(), connect: Arc::new(SdkConnect::from_env()) }
    }
}

fn default_dir() -> Option<PathBuf> {
    dirs::home_dir().map(|home| home.join(".aws").join("sso").join("cache"))
}

fn file_name(id: &str) -> String {
    format!("{}.json", hex::encode(Sha1::digest(id.as_bytes())))
}

fn read_expiry(path: &Path) -> Option<OffsetDateTime> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    value.get("expiresAt").and_then(|v| v.as_str()).and_then(parse_expiration)
}

/// The AWS CLI's SSO token file for an sso-session name (or a legacy profile's start URL).
pub fn sso_token_file(id: &str) -> Option<PathBuf> {
    Some(default_dir()?.join(file_name(id)))
}

/// When the cached SSO token for `id` expires; `None` without a readable token.
pub fn sso_token_expiry(id: &str) -> Option<OffsetDateTime> {
    read_expiry(&sso_token_file(id)?)
}
