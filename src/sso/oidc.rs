//! The OIDC service (sso-oidc) behind a trait: register a public client, start a device
//! authorization, create a token from a device code, an authorization code (PKCE) or a
//! refresh token. `SdkOidc` is aws-sdk-ssooidc; tests use a fake.

use futures::future::BoxFuture;

use super::cache::Registration;
use super::sdk::{Failure, classify, oidc_client};
use crate::secret::Secret;

pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What `RegisterClient` is asked for: a public client for the device flow (only the
/// configured scopes) or for the PKCE flow (grant types, 127.0.0.1 redirect, issuer URL).
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

/// `StartDeviceAuthorization`'s answer: the secret device code to poll with, what the user
/// is shown, and the code's lifetime and polling interval in seconds.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    pub(crate) device_code: Secret,
    pub(crate) user_code: String,
    pub(crate) verification_uri: String,
    pub(crate) verification_uri_complete: String,
    pub(crate) expires_in: i64,
    pub(crate) interval: i64,
}

/// `CreateToken`'s answer.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The bearer token for the portal.
    pub access_token: Secret,
    /// Seconds from now until `access_token` expires.
    pub expires_in: i64,
    /// Renews the token without the user; `None` when the service gave none (then the
    /// token ends at `expires_in` and the user logs in again).
    pub refresh_token: Option<Secret>,
}

/// What `CreateToken` trades for a token; each sets its own `grant_type`.
#[derive(Debug, Clone)]
pub enum Grant {
    /// The device code of an approved device authorization.
    DeviceCode(Secret),
    /// The PKCE flow's code from the browser's redirect.
    AuthorizationCode {
        /// The `code` query parameter of the redirect.
        code: Secret,
        /// The redirect URI the code was issued for; it must match the authorize request's.
        redirect_uri: String,
        /// The PKCE verifier whose challenge the authorize URL carried.
        code_verifier: Secret,
    },
    /// A cached token's refresh token, to renew it silently.
    RefreshToken(Secret),
}

/// The service's answers a flow acts on; everything else is `Service`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcError {
    /// The user has not approved the device code yet: poll again.
    AuthorizationPending,
    /// Polling too fast: poll again, 5 s further apart (RFC 8628 3.5).
    SlowDown,
    /// The device code expired before it was approved.
    ExpiredToken,
    /// The user denied the authorization.
    AccessDenied,
    /// The code or refresh token is invalid, used or revoked.
    InvalidGrant,
    /// The client registration is unknown or expired.
    InvalidClient,
    /// No answer: why, as the user should read it.
    Unreachable(String),
    /// Any other error.
    Service {
        /// The service's error code, or `HTTP <status>` when it sent none.
        code: String,
        /// The service's message (may be empty).
        message: String,
    },
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

/// The three OIDC calls the login flows make, so they run against a fake in tests.
pub trait Oidc: Send + Sync {
    /// `RegisterClient`: a new public client, whose secret the cache keeps until it expires.
    fn register_client<'a>(
        &'a self,
        request: &'a RegisterRequest,
    ) -> BoxFuture<'a, Result<RegisteredClient, OidcError>>;
    /// `StartDeviceAuthorization` for `start_url` with a registered client.
    fn start_device_authorization<'a>(
        &'a self,
        registration: &'a Registration,
        start_url: &'a str,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>>;
    /// `CreateToken`: trades `grant` for an access token (one poll, for a device code).
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
