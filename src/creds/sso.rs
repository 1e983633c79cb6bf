//! IAM Identity Center as the credential engine sees it: where the AWS CLI's token cache is
//! and how to reach the OIDC service and the portal for a login, behind `SsoConnect` so the
//! engine's SSO steps are tested with fakes. It never logs in and never opens a browser.

use std::path::PathBuf;
use std::sync::Arc;

use crate::sso::SsoTarget;
use crate::sso::endpoints::SsoEndpoints;
use crate::sso::oidc::{Oidc, SdkOidc};
use crate::sso::portal::{Portal, SdkPortal};

/// How the engine reaches IAM Identity Center for a login: the OIDC service (to renew a
/// token) and the portal (`GetRoleCredentials`). Tests pass fakes.
pub trait SsoConnect: Send + Sync {
    /// An OIDC client in `target`'s region, to renew its token with the refresh token.
    fn oidc(&self, target: &SsoTarget) -> Box<dyn Oidc>;
    /// A portal client in `target`'s region, for `GetRoleCredentials`.
    fn portal(&self, target: &SsoTarget) -> Box<dyn Portal>;
}

/// aws-sdk-ssooidc and aws-sdk-sso at the endpoints the environment names.
pub(crate) struct SdkConnect {
    endpoints: SsoEndpoints,
}

impl SdkConnect {
    pub(crate) fn new(endpoints: SsoEndpoints) -> SdkConnect {
        SdkConnect { endpoints }
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
    /// How the SSO steps reach the OIDC service and the portal.
    pub connect: Arc<dyn SsoConnect>,
}

impl SsoParts {
    /// The AWS CLI's token cache in `token_dir` and the real services at `endpoints`.
    pub(crate) fn new(endpoints: SsoEndpoints, token_dir: Option<PathBuf>) -> SsoParts {
        SsoParts { token_dir, connect: Arc::new(SdkConnect::new(endpoints)) }
    }
}
