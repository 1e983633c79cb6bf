//! The portal (sso) behind a trait: role credentials, the accounts and roles a token may
//! use (one page per call), and `Logout`. `SdkPortal` is aws-sdk-sso; tests use a fake.

use std::time::UNIX_EPOCH;

use futures::future::BoxFuture;
use time::OffsetDateTime;

use super::error::SsoError;
use super::sdk::{Failure, classify, portal_client};
use super::target::SsoTarget;
use crate::creds::types::Credentials;
use crate::secret::Secret;

/// The most ListAccounts / ListAccountRoles returns per page.
const PAGE_SIZE: i32 = 100;

/// One account of a `ListAccounts` page (roles come from `ListAccountRoles`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountInfo {
    pub(crate) account_id: String,
    pub(crate) account_name: String,
    pub(crate) email_address: String,
}

/// One page of a list call, and the token for the next page (`None` or empty on the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_token: Option<String>,
}

/// A failed portal call, sorted by what a caller does about it (`portal_failure` words it
/// for the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalError {
    /// 401: the token is unknown, expired or signed out.
    Unauthorized,
    /// 429 `TooManyRequestsException`.
    TooManyRequests,
    /// 403 `ForbiddenException` / 404: the role or account is not assigned (any more).
    NoAccess,
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

impl From<Failure> for PortalError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unreachable(reason) => PortalError::Unreachable(reason),
            Failure::Service { code, message, status } => match (code.as_str(), status) {
                ("UnauthorizedException", _) | (_, 401) => PortalError::Unauthorized,
                ("TooManyRequestsException", _) | (_, 429) => PortalError::TooManyRequests,
                ("ForbiddenException" | "ResourceNotFoundException", _) | (_, 403 | 404) => {
                    PortalError::NoAccess
                }
                _ => PortalError::Service { code, message },
            },
        }
    }
}

/// The user's message for a portal failure (`NoAccess` needs the profile: see rolecreds).
pub(crate) fn portal_failure(
    target: &SsoTarget,
    operation: &'static str,
    endpoint: &str,
    err: PortalError,
) -> SsoError {
    let label = target.label.clone();
    match err {
        PortalError::Unauthorized => SsoError::TokenRevoked { label, login: target.login.clone() },
        PortalError::TooManyRequests => SsoError::Throttled { label },
        PortalError::Unreachable(reason) => {
            SsoError::Unreachable { label, endpoint: endpoint.to_string(), reason }
        }
        PortalError::NoAccess => SsoError::Service {
            label,
            operation,
            code: "ForbiddenException".into(),
            message: "No access".into(),
        },
        PortalError::Service { code, message } => SsoError::Service { label, operation, code, message },
    }
}

/// The portal calls awsw makes with an access token, so they run against a fake in tests.
pub trait Portal: Send + Sync {
    /// `GetRoleCredentials`: temporary keys for one role in one account.
    fn get_role_credentials<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        role_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, PortalError>>;
    /// `ListAccounts`: one page of the accounts the token may use; `next` is the previous
    /// page's token.
    fn list_accounts<'a>(
        &'a self,
        token: &'a Secret,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<AccountInfo>, PortalError>>;
    /// `ListAccountRoles`: one page of the role names the token may use in `account_id`.
    fn list_account_roles<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<String>, PortalError>>;
    /// `Logout`: ends the token's session on the service side.
    fn logout<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), PortalError>>;
    /// The portal's base URL: for messages, and to tell one endpoint's outage from another's.
    fn endpoint(&self) -> &str;
}

/// aws-sdk-sso.
pub(crate) struct SdkPortal {
    client: aws_sdk_sso::Client,
    endpoint: String,
}

impl SdkPortal {
    /// `retries`: the SDK's standard retries; off for discovery, which backs off itself.
    pub(crate) fn new(region: &str, endpoint: String, retries: bool) -> Self {
        SdkPortal { client: portal_client(region, &endpoint, retries), endpoint }
    }
}

fn from_millis(ms: i64) -> Option<OffsetDateTime> {
    let t = UNIX_EPOCH.checked_add(std::time::Duration::from_millis(u64::try_from(ms).ok()?))?;
    Some(OffsetDateTime::from(t))
}

impl Portal for SdkPortal {
    fn get_role_credentials<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        role_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, PortalError>> {
        Box::pin(async move {
            let out = self
                .client
                .get_role_credentials()
                .access_token(token.expose())
                .account_id(account_id)
                .role_name(role_name)
                .send()
                .await
                .map_err(|e| PortalError::from(classify(&e, &self.endpoint)))?;
            let creds = out.role_credentials().ok_or_else(|| PortalError::Service {
                code: "EmptyResponse".into(),
                message: "no roleCredentials in the answer".into(),
            })?;
            Ok(Credentials {
                access_key_id: creds.access_key_id().unwrap_or_default().to_string(),
                secret_access_key: Secret::new(creds.secret_access_key().unwrap_or_default()),
                session_token: creds.session_token().map(Secret::new),
                expiration: from_millis(creds.expiration()),
            })
        })
    }

    fn list_accounts<'a>(
        &'a self,
        token: &'a Secret,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<AccountInfo>, PortalError>> {
        Box::pin(async move {
            let out = self
                .client
                .list_accounts()
                .access_token(token.expose())
                .max_results(PAGE_SIZE)
                .set_next_token(next.map(String::from))
                .send()
                .await
                .map_err(|e| PortalError::from(classify(&e, &self.endpoint)))?;
            let items = out
                .account_list()
                .iter()
                .map(|a| AccountInfo {
                    account_id: a.account_id().unwrap_or_default().to_string(),
                    account_name: a.account_name().unwrap_or_default().to_string(),
                    email_address: a.email_address().unwrap_or_default().to_string(),
                })
                .collect();
            Ok(Page { items, next_token: out.next_token().map(String::from) })
        })
    }

    fn list_account_roles<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<String>, PortalError>> {
        Box::pin(async move {
            let out = self
                .client
                .list_account_roles()
                .access_token(token.expose())
                .account_id(account_id)
                .max_results(PAGE_SIZE)
                .set_next_token(next.map(String::from))
                .send()
                .await
                .map_err(|e| PortalError::from(classify(&e, &self.endpoint)))?;
            let items = out.role_list().iter().filter_map(|r| r.role_name().map(String::from)).collect();
            Ok(Page { items, next_token: out.next_token().map(String::from) })
        })
    }

    fn logout<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), PortalError>> {
        Box::pin(async move {
            self.client
                .logout()
                .access_token(token.expose())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| PortalError::from(classify(&e, &self.endpoint)))
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
