//! The fault budget of a command: an STS endpoint that did not answer in time (or could not
//! be reached) is not asked again for a short while, so a command that needs several calls
//! (the caller identity for a session name, then `AssumeRole`) gives up after one call's
//! deadline (10 s) instead of one per call, and the time its message names is the real one.
//! Wraps any `Sts`; remembers endpoints, never credentials.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::sts::{AssumeRoleRequest, Endpoint, RoleSession, SessionTokenRequest, Sts, StsError};
use super::types::{Credentials, Identity};

/// How long a dead endpoint is not asked again: longer than any command, short enough that
/// a long-lived credential endpoint tries again on a later request.
const REMEMBER: Duration = Duration::from_secs(30);

pub struct Budgeted {
    inner: Arc<dyn Sts>,
    dead: Mutex<HashMap<String, (Instant, StsError)>>,
}

impl Budgeted {
    pub fn new(inner: Arc<dyn Sts>) -> Self {
        Budgeted { inner, dead: Mutex::new(HashMap::new()) }
    }

    /// The host that did not answer: an explicit URL whatever the region, else the
    /// regional endpoint.
    fn key(endpoint: &Endpoint) -> String {
        endpoint.describe()
    }

    /// The failure remembered for `endpoint`, if it is recent.
    fn known_dead(&self, endpoint: &Endpoint) -> Option<StsError> {
        let dead = self.dead.lock().unwrap_or_else(|e| e.into_inner());
        dead.get(&Self::key(endpoint)).filter(|(at, _)| at.elapsed() < REMEMBER).map(|(_, err)| err.clone())
    }

    fn note<T>(&self, endpoint: &Endpoint, result: Result<T, StsError>) -> Result<T, StsError> {
        if let Err(err @ (StsError::Timeout | StsError::Unreachable { .. })) = &result {
            let mut dead = self.dead.lock().unwrap_or_else(|e| e.into_inner());
            dead.insert(Self::key(endpoint), (Instant::now(), err.clone()));
        }
        result
    }
}

impl Sts for Budgeted {
    fn assume_role<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
        Box::pin(async move {
            if let Some(err) = self.known_dead(endpoint) {
                return Err(err);
            }
            self.note(endpoint, self.inner.assume_role(endpoint, creds, request).await)
        })
    }

    fn get_session_token<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>> {
        Box::pin(async move {
            if let Some(err) = self.known_dead(endpoint) {
                return Err(err);
            }
            self.note(endpoint, self.inner.get_session_token(endpoint, creds, request).await)
        })
    }

    fn get_caller_identity<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async move {
            if let Some(err) = self.known_dead(endpoint) {
                return Err(err);
            }
            self.note(endpoint, self.inner.get_caller_identity(endpoint, creds).await)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Silent(AtomicU32);

    impl Sts for Silent {
        fn assume_role<'a>(
            &'a self,
            _: &'a Endpoint,
            _: &'a Credentials,
            _: &'a AssumeRoleRequest,
        ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Box::pin(async { Err(StsError::Timeout) })
        }
        fn get_session_token<'a>(
            &'a self,
            _: &'a Endpoint,
            _: &'a Credentials,
            _: &'a SessionTokenRequest,
        ) -> BoxFuture<'a, Result<Credentials, StsError>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Box::pin(async { Err(StsError::Timeout) })
        }
        fn get_caller_identity<'a>(
            &'a self,
            _: &'a Endpoint,
            _: &'a Credentials,
        ) -> BoxFuture<'a, Result<Identity, StsError>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Box::pin(async { Err(StsError::Timeout) })
        }
    }

    #[tokio::test]
    async fn a_silent_endpoint_is_asked_once_and_others_still_are() {
        let silent = Arc::new(Silent(AtomicU32::new(0)));
        let budgeted = Budgeted::new(silent.clone());
        let creds = Credentials {
            access_key_id: "AKIA".into(),
            secret_access_key: crate::secret::Secret::new("s"),
            session_token: None,
            expiration: None,
        };
        let here = Endpoint { region: "eu-west-1".into(), url: Some("http://127.0.0.1:9".into()) };
        assert_eq!(budgeted.get_caller_identity(&here, &creds).await.unwrap_err(), StsError::Timeout);
        let request = SessionTokenRequest { duration_seconds: None, mfa: None };
        assert_eq!(budgeted.get_session_token(&here, &creds, &request).await.unwrap_err(), StsError::Timeout);
        assert_eq!(silent.0.load(Ordering::Relaxed), 1, "the second call was not made");
        let elsewhere = Endpoint { region: "us-east-1".into(), url: None };
        let _ = budgeted.get_caller_identity(&elsewhere, &creds).await;
        assert_eq!(silent.0.load(Ordering::Relaxed), 2);
    }
}
