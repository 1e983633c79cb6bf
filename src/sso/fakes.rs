//! Fakes for the flow tests: a scripted OIDC service, a portal with pages and throttling,
//! and a sleeper that moves a fixed clock instead of waiting.

use crate::creds::clock::Clock;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;

use super::cache::Registration;
use super::device::Sleeper;
use super::oidc::{
    DeviceAuthorization, Grant, Oidc, OidcError, RegisterRequest, RegisteredClient, TokenGrant,
};
use super::portal::{AccountInfo, Page, Portal, PortalError};
use crate::creds::clock::FixedClock;
use crate::creds::types::Credentials;
use crate::secret::Secret;

/// An account the portal lists, its email made from its name.
pub(crate) fn account(id: &str, name: &str, roles: &[&str]) -> super::discovery::DiscoveredAccount {
    super::discovery::DiscoveredAccount {
        account_id: id.into(),
        account_name: name.into(),
        email_address: format!("{name}@example.com"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

/// The `sso-session corp` every flow test logs in to.
pub(crate) fn corp() -> super::target::SsoTarget {
    super::target::SsoTarget {
        session: Some("corp".into()),
        start_url: "https://corp.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        scopes: None,
        login: "corp".into(),
        label: "sso-session corp".into(),
    }
}

pub(crate) fn grant(access: &str, refresh: Option<&str>) -> TokenGrant {
    TokenGrant {
        access_token: Secret::new(access),
        expires_in: 3600,
        refresh_token: refresh.map(Secret::new),
    }
}

#[derive(Default)]
pub(crate) struct FakeOidc {
    pub(crate) answers: Mutex<VecDeque<Result<TokenGrant, OidcError>>>,
    pub(crate) registrations: Mutex<Vec<RegisterRequest>>,
    pub(crate) grants: Mutex<Vec<String>>,
}

impl FakeOidc {
    pub(crate) fn answering(answers: Vec<Result<TokenGrant, OidcError>>) -> Self {
        FakeOidc { answers: Mutex::new(answers.into()), ..FakeOidc::default() }
    }
}

impl Oidc for FakeOidc {
    fn register_client<'a>(
        &'a self,
        request: &'a RegisterRequest,
    ) -> BoxFuture<'a, Result<RegisteredClient, OidcError>> {
        self.registrations.lock().unwrap().push(request.clone());
        Box::pin(async {
            Ok(RegisteredClient {
                client_id: "cid".into(),
                client_secret: Secret::new("csecret"),
                secret_expires_at: 1_900_000_000,
            })
        })
    }

    fn start_device_authorization<'a>(
        &'a self,
        _registration: &'a Registration,
        _start_url: &'a str,
    ) -> BoxFuture<'a, Result<DeviceAuthorization, OidcError>> {
        Box::pin(async {
            Ok(DeviceAuthorization {
                device_code: Secret::new("dc"),
                user_code: "ABCD-EFGH".into(),
                verification_uri: "https://device.example/".into(),
                verification_uri_complete: "https://device.example/?user_code=ABCD-EFGH".into(),
                expires_in: 600,
                interval: 1,
            })
        })
    }

    fn create_token<'a>(
        &'a self,
        _registration: &'a Registration,
        grant: &'a Grant,
    ) -> BoxFuture<'a, Result<TokenGrant, OidcError>> {
        let kind = match grant {
            Grant::DeviceCode(_) => "device_code".to_string(),
            Grant::AuthorizationCode { .. } => "authorization_code".to_string(),
            Grant::RefreshToken(token) => format!("refresh_token:{}", token.expose()),
        };
        self.grants.lock().unwrap().push(kind);
        let answer = self.answers.lock().unwrap().pop_front().unwrap_or(Err(OidcError::AuthorizationPending));
        Box::pin(async move { answer })
    }

    fn endpoint(&self) -> &str {
        "https://oidc.fake"
    }
}

/// Sleeps by moving the clock, and remembers each sleep.
pub(crate) struct ClockSleeper {
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) slept: Mutex<Vec<u64>>,
}

impl Sleeper for ClockSleeper {
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()> {
        self.slept.lock().unwrap().push(duration.as_millis() as u64);
        self.clock.advance(time::Duration::try_from(duration).unwrap());
        Box::pin(async {})
    }

    fn now(&self) -> std::time::Duration {
        let since = self.clock.now() - time::OffsetDateTime::UNIX_EPOCH;
        std::time::Duration::try_from(since).unwrap_or_default()
    }
}

/// `accounts` accounts with `roles` roles each, `page` items per page; every `throttle_every`th
/// call answers 429 (0: never).
pub(crate) struct FakePortal {
    pub(crate) accounts: usize,
    pub(crate) roles: usize,
    pub(crate) page: usize,
    pub(crate) throttle_every: usize,
    pub(crate) calls: Mutex<usize>,
    pub(crate) throttled: Mutex<usize>,
}

impl FakePortal {
    fn gate(&self, token: &Secret) -> Result<(), PortalError> {
        if token.expose() != "good" {
            return Err(PortalError::Unauthorized);
        }
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        if self.throttle_every > 0 && (*calls).is_multiple_of(self.throttle_every) {
            *self.throttled.lock().unwrap() += 1;
            return Err(PortalError::TooManyRequests);
        }
        Ok(())
    }

    fn page_of<T: Clone>(&self, all: Vec<T>, next: Option<&str>) -> Page<T> {
        let start: usize = next.map_or(0, |n| n.parse().unwrap());
        let end = (start + self.page).min(all.len());
        Page { items: all[start..end].to_vec(), next_token: (end < all.len()).then(|| end.to_string()) }
    }
}

impl Portal for FakePortal {
    fn get_role_credentials<'a>(
        &'a self,
        token: &'a Secret,
        _account_id: &'a str,
        role_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, PortalError>> {
        let result = self.gate(token).and_then(|()| {
            if role_name == "Gone" {
                return Err(PortalError::NoAccess);
            }
            Ok(Credentials {
                access_key_id: "ASIAFAKE".into(),
                secret_access_key: Secret::new("sk"),
                session_token: Some(Secret::new("st")),
                expiration: Some(time::macros::datetime!(2026-11-24 11:00:00 UTC)),
            })
        });
        Box::pin(async move { result })
    }

    fn list_accounts<'a>(
        &'a self,
        token: &'a Secret,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<AccountInfo>, PortalError>> {
        let result = self.gate(token).map(|()| {
            let all = (0..self.accounts)
                .map(|i| AccountInfo {
                    account_id: format!("{:012}", 100_000_000_000u64 + i as u64),
                    account_name: format!("account-{i}"),
                    email_address: format!("a{i}@example.com"),
                })
                .collect();
            self.page_of(all, next)
        });
        Box::pin(async move { result })
    }

    fn list_account_roles<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<String>, PortalError>> {
        // The fourth account is removed while discovery runs.
        let gone = account_id.ends_with("003") && self.accounts > 3;
        let result = self.gate(token).and(if gone { Err(PortalError::NoAccess) } else { Ok(()) });
        let result =
            result.map(|()| self.page_of((0..self.roles).map(|r| format!("Role{r}")).collect(), next));
        Box::pin(async move { result })
    }

    fn logout<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), PortalError>> {
        let result = self.gate(token);
        Box::pin(async move { result })
    }

    fn endpoint(&self) -> &str {
        "https://portal.fake"
    }
}
