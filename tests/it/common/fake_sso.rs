//! A fake IAM Identity Center for the engine's SSO steps: a portal whose
//! `GetRoleCredentials` answers fixed role credentials and counts the calls, and an OIDC
//! service that renews a token with a refresh token (and refuses everything else).

use std::sync::{Arc, Mutex};

use awsw::creds::Credentials;
use awsw::creds::sso::{SsoConnect, SsoParts};
use awsw::secret::Secret;
use awsw::sso::SsoTarget;
use awsw::sso::cache::Registration;
use awsw::sso::oidc::{
    DeviceAuthorization, Grant, Oidc, OidcError, RegisterRequest, RegisteredClient, TokenGrant,
};
use awsw::sso::portal::{AccountInfo, Page, Portal, PortalError};
use futures::future::BoxFuture;
use time::OffsetDateTime;

/// What the fake services were asked, in order.
#[derive(Default)]
pub struct FakeSso {
    pub calls: Mutex<Vec<String>>,
    /// When the role credentials expire.
    pub expiration: Mutex<Option<OffsetDateTime>>,
}

impl FakeSso {
    /// The engine's SSO parts with token files in `token_dir` and this fake as the services.
    pub fn parts(self: &Arc<Self>, token_dir: std::path::PathBuf) -> SsoParts {
        SsoParts { token_dir: Some(token_dir), connect: Arc::new(Handle(self.clone())) }
    }

    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

struct Handle(Arc<FakeSso>);

impl SsoConnect for Handle {
    fn oidc(&self, _target: &SsoTarget) -> Box<dyn Oidc> {
        Box::new(Handle(self.0.clone()))
    }
    fn portal(&self, _target: &SsoTarget) -> Box<dyn Portal> {
        Box::new(Handle(self.0.clone()))
    }
}

impl Oidc for Handle {
    fn register_client<'a>(
        &'a self,
        _request: &'a RegisterRequest,
    ) -> BoxFuture<'a, Result<RegisteredClient, OidcError>> {
        Box::pin(async { Err(OidcError::Unreachable("not in this test".into())) })
    }
    fn start_device_authorization<'a>(
        &'a self,
        _registration: &'a Registration,
        _start_url: &'a str,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(async { Err(OidcError::Unreachable("not in this test".into())) })
    }
    fn create_token<'a>(
        &'a self,
        _registration: &'a Registration,
        grant: &'a Grant,
    ) -> BoxFuture<'a, Result<TokenGrant, OidcError>> {
        Box::pin(async move {
            let Grant::RefreshToken(refresh) = grant else { return Err(OidcError::InvalidGrant) };
            self.0.record(format!("CreateToken refresh_token={}", refresh.expose()));
            Ok(TokenGrant {
                access_token: Secret::new("renewed-access-token"),
                expires_in: 8 * 3600,
                refresh_token: Some(Secret::new("renewed-refresh-token")),
            })
        })
    }
    fn endpoint(&self) -> &str {
        "https://oidc.fake"
    }
}

impl Portal for Handle {
    fn get_role_credentials<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        role_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, PortalError>> {
        Box::pin(async move {
            self.0.record(format!("GetRoleCredentials {account_id}/{role_name} with {}", token.expose()));
            Ok(Credentials {
                access_key_id: "ASIASSO".into(),
                secret_access_key: Secret::new("sso-secret"),
                session_token: Some(Secret::new("sso-token")),
                expiration: *self.0.expiration.lock().unwrap(),
            })
        })
    }
    fn list_accounts<'a>(
        &'a self,
        _token: &'a Secret,
        _next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<AccountInfo>, PortalError>> {
        Box::pin(async { Err(PortalError::Unreachable("not in this test".into())) })
    }
    fn list_account_roles<'a>(
        &'a self,
        _token: &'a Secret,
        _account_id: &'a str,
        _next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<String>, PortalError>> {
        Box::pin(async { Err(PortalError::Unreachable("not in this test".into())) })
    }
    fn logout<'a>(&'a self, _token: &'a Secret) -> BoxFuture<'a, Result<(), PortalError>> {
        Box::pin(async { Err(PortalError::Unreachable("not in this test".into())) })
    }
    fn endpoint(&self) -> &str {
        "https://portal.fake"
    }
}
