//! The OAuth device authorization flow: start it, show the user code once, and poll
//! `CreateToken` at the service's interval, adding 5 s on `slow_down` (RFC 8628 3.5),
//! until approved, denied or expired. Time and sleeping are injected.

use futures::future::BoxFuture;
use time::{Duration, OffsetDateTime};

use super::cache::Registration;
use super::error::SsoError;
use super::oidc::{Grant, Oidc, OidcError, TokenGrant};
use super::target::SsoTarget;
use crate::creds::clock::Clock;

/// RFC 8628's default polling interval and its `slow_down` step.
const DEFAULT_INTERVAL: i64 = 5;
const SLOW_DOWN_STEP: i64 = 5;

pub(crate) trait Sleeper: Send + Sync {
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()>;
    /// Monotonic time since some fixed start, for pacing calls; a fake follows its clock.
    fn now(&self) -> std::time::Duration {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed()
    }
}

pub(crate) struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: std::time::Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What the user needs to approve the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePrompt {
    /// The code the user checks on (or types into) the verification page, e.g. `ABCD-EFGH`.
    pub user_code: String,
    /// The page where the code is typed in.
    pub verification_uri: String,
    /// The same page with the code already filled in: the one to open in a browser.
    pub verification_uri_complete: String,
    /// When the code stops working: the flow's start plus the service's `expiresIn`.
    pub expires_at: OffsetDateTime,
}

/// Turns an OIDC answer that ends a flow into the user's message.
pub(crate) fn oidc_failure(
    target: &SsoTarget,
    operation: &'static str,
    endpoint: &str,
    err: OidcError,
) -> SsoError {
    let (label, login) = (target.label.clone(), target.login.clone());
    match err {
        OidcError::AccessDenied => SsoError::Denied { label, login },
        OidcError::ExpiredToken => SsoError::CodeExpired { label, login },
        OidcError::InvalidClient => SsoError::RegistrationExpired { label, login },
        OidcError::InvalidGrant => {
            SsoError::LoginRequired { label, login, state: "the token could not be renewed" }
        }
        OidcError::Unreachable(reason) => {
            SsoError::Unreachable { label, endpoint: endpoint.to_string(), reason }
        }
        OidcError::AuthorizationPending | OidcError::SlowDown => {
            SsoError::Service { label, operation, code: format!("{err:?}"), message: String::new() }
        }
        OidcError::Service { code, message } => SsoError::Service { label, operation, code, message },
    }
}

/// Runs the device flow with `registration`; `on_prompt` is called once, when the user
/// has to act (not at all if the service grants a token at once).
pub(crate) async fn device_flow(
    oidc: &dyn Oidc,
    clock: &dyn Clock,
    sleeper: &dyn Sleeper,
    target: &SsoTarget,
    registration: &Registration,
    on_prompt: &mut (dyn FnMut(&DevicePrompt) + Send),
) -> Result<TokenGrant, SsoError> {
    let fail = |operation, err| oidc_failure(target, operation, oidc.endpoint(), err);
    let auth = oidc
        .start_device_authorization(registration, &target.start_url)
        .await
        .map_err(|e| fail("StartDeviceAuthorization", e))?;
    let prompt = DevicePrompt {
        user_code: auth.user_code.clone(),
        verification_uri: auth.verification_uri.clone(),
        verification_uri_complete: auth.verification_uri_complete.clone(),
        expires_at: clock.now() + Duration::seconds(auth.expires_in.max(1)),
    };
    let mut interval = if auth.interval > 0 { auth.interval } else { DEFAULT_INTERVAL };
    let grant = Grant::DeviceCode(auth.device_code.clone());
    let mut prompted = false;
    loop {
        match oidc.create_token(registration, &grant).await {
            Ok(token) => return Ok(token),
            Err(OidcError::AuthorizationPending) => {}
            Err(OidcError::SlowDown) => interval += SLOW_DOWN_STEP,
            Err(err) => return Err(fail("CreateToken", err)),
        }
        if !prompted {
            on_prompt(&prompt);
            prompted = true;
        }
        sleeper.sleep(std::time::Duration::from_secs(interval.unsigned_abs())).await;
        if clock.now() >= prompt.expires_at {
            return Err(SsoError::CodeExpired { label: target.label.clone(), login: target.login.clone() });
        }
    }
}
