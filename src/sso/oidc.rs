//! The OIDC service (sso-oidc) behind a trait: register a public client, start a device
//! authorization, create a token from a device code, an authorization code (PKCE) or a
//! refresh token. `SdkOidc` is aws-sdk-ssooidc; tests use a fake.

use futures::future::BoxFuture;

use super::cache::Registration;
use super::sdk::{Failure, classify, oidc_client};
use crate::secret::Secret;

pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRequest {
    pub(crate) client_name: String,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) grant_types: Option<Vec<String>>,
    pub(crate) redirect_uris: Option<Vec<String>>,
    pub(crate) issuer_url: Option<String>,
}

/// A new client: its id, secret and when the secret expires (seconds since the epoch).
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) secret_expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    pub(crate) device_code: Secret,
    pub(crate) user_code: String,
    pub(crate) verification_uri: String,
    pub(crate) verification_uri_complete: String,
    pub(crate) expires_in: i64,
    pub(crate) interval: i64,
}

#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: Secret,
    pub expires_in: i64,
    pub refresh_token: Option<Secret>,
}

#[derive(Debug, Clone)]
pub enum Grant {
    DeviceCode(Secret),
    AuthorizationCode { code: Secret, redirect_uri: String, code_verifier: Secret },
    RefreshToken(Secret),
}

/// The service's answers a flow acts on; everything else is `Service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcError {
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    AccessDenied,
    InvalidGrant,
    InvalidClient,
    Unreachable(String),
    Service { code: String, message: String },
}

impl From<Failure> for OidcError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unreachable(reason) => OidcError::Unreachable(reason),
            Failure::Service { code, message, .. } => match code.as_str() {
                "AuthorizationPendingException" => OidcError::AuthorizationPending,
                "SlowDownException" => OidcError::SlowDown,
                "ExpiredTokenException" => OidcError::ExpiredToken,
                "AccessDeniedException" => OidcError::AccessDenied,
                "InvalidGrantException" => OidcError::InvalidGrant,
                "InvalidClientException" => OidcError::InvalidClient,
                _ => OidcError::Service { code, message },
            },
        }
    }
}

pub trait Oidc: Send + Sync {
    fn register_client<'a>(
        &'a self,
        request: &'a RegisterRequest,
    ) -> BoxFuture<'a, Result<RegisteredClient, OidcError>>;
    fn start_device_authorization<'a>(
        &'a self,
        registration: &'a Registration,
        start_url: &'a str,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>>;
    fn create_token<'a>(
        &'a self,
        registration: &'a Registration,
        grant: &'a Grant,
    ) -> BoxFuture<'a, Result<TokenGrant, OidcError>>;
    /// The service's base URL: for messages, and the authorize page of the PKCE flow.
    fn endpoint(&self) -> &str;
}

/// aws-sdk-ssooidc.
pub(crate) struct SdkOidc {
    client: aws_sdk_ssooidc::Client,
    endpoint: String,
}

impl SdkOidc {
    pub(crate) fn new(region: &str, endpoint: String) -> Self {
        SdkOidc { client: oidc_client(region, &endpoint), endpoint }
    }
}

impl Oidc for SdkOidc {
    fn register_client<'a>(
        &'a self,
        request: &'a RegisterRequest,
    ) -> BoxFuture<'a, Result<RegisteredClient, OidcError>> {
        Box::pin(async move {
            let out = self
                .client
                .register_client()
                .client_name(&request.client_name)
                .client_type("public")
                .set_scopes(request.scopes.clone())
                .set_grant_types(request.grant_types.clone())
                .set_redirect_uris(request.redirect_uris.clone())
                .set_issuer_url(request.issuer_url.clone())
                .send()
                .await
                .map_err(|e| OidcError::from(classify(&e, &self.endpoint)))?;
            Ok(RegisteredClient {
                client_id: out.client_id().unwrap_or_default().to_string(),
                client_secret: Secret::new(out.client_secret().unwrap_or_default()),
                secret_expires_at: out.client_secret_expires_at(),
            })
        })
    }

    fn start_device_authorization<'a>(
        &'a self,
        registration: &'a Registration,
        start_url: &'a str,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(async move {
            let out = self
                .client
                .start_device_authorization()
                .client_id(&registration.client_id)
                .client_secret(registration.client_secret.expose())
                .start_url(start_url)
                .send()
                .await
                .map_err(|e| OidcError::from(classify(&e, &self.endpoint)))?;
            Ok(DeviceAuthorization {
                device_code: Secret::new(out.device_code().unwrap_or_default()),
                user_code: out.user_code().unwrap_or_default().to_string(),
                verification_uri: out.verification_uri().unwrap_or_default().to_string(),
                verification_uri_complete: out.verification_uri_complete().unwrap_or_default().to_string(),
                expires_in: i64::from(out.expires_in()),
                interval: i64::from(out.interval()),
            })
        })
    }

    fn create_token<'a>(
        &'a self,
        registration: &'a Registration,
        grant: &'a Grant,
    ) -> BoxFuture<'a, Result<TokenGrant, OidcError>> {
        Box::pin(async move {
            let request = self
                .client
                .create_token()
                .client_id(&registration.client_id)
                .client_secret(registration.client_secret.expose());
            let request = match grant {
                Grant::DeviceCode(code) => request.grant_type(DEVICE_GRANT).device_code(code.expose()),
                Grant::AuthorizationCode { code, redirect_uri, code_verifier } => request
                    .grant_type("authorization_code")
                    .code(code.expose())
                    .redirect_uri(redirect_uri)
                    .code_verifier(code_verifier.expose()),
                Grant::RefreshToken(token) => {
                    request.grant_type("refresh_token").refresh_token(token.expose())
                }
            };
            let out = request.send().await.map_err(|e| OidcError::from(classify(&e, &self.endpoint)))?;
            Ok(TokenGrant {
                access_token: Secret::new(out.access_token().unwrap_or_default()),
                expires_in: i64::from(out.expires_in()),
                refresh_token: out.refresh_token().map(Secret::new),
            })
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
