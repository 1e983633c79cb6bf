//! The fault budget of a command: an endpoint that did not answer in time (or could not be
//! reached) is not asked again for a short while, so a command that needs several calls
//! (the caller identity for a session name, then `AssumeRole`; `whoami --all` or the picker
//! over many profiles behind one metadata service, SSO portal or `credential_process`) waits
//! for it once instead of once per call, and the time its message names is the real one.
//! `FaultGate` does this for any call with a key; `Budgeted` wraps any `Sts` with one.
//! Remembers endpoints and failures, never credentials.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::sts::{AssumeRoleRequest, Endpoint, RoleSession, SessionTokenRequest, Sts, StsError};
use super::types::{Credentials, Identity};

/// How long a dead endpoint is not asked again: longer than any command, short enough that
/// a long-lived credential endpoint tries again on a later request.
const REMEMBER: Duration = Duration::from_secs(30);

/// What is known of one key's endpoint.
enum Known<E> {
    Nothing,
    /// It answered: callers go side by side.
    Answered(Instant),
    /// It failed like this: callers get the same failure at once.
    Failed(Instant, E),
}

/// Per key, the last answer or remembered failure. While nothing recent is known of a key,
/// its callers take turns, so callers that start together wait for the first one's answer
/// instead of each waiting out a dead endpoint; once it answered they run side by side.
pub(crate) struct FaultGate<E> {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Known<E>>>>>,
}

impl<E: Clone> Default for FaultGate<E> {
    fn default() -> Self {
        FaultGate { keys: Mutex::new(HashMap::new()) }
    }
}

impl<E: Clone> FaultGate<E> {
    /// `call` for `key`, unless `key` failed within `REMEMBER` with a failure `remember`
    /// keeps (then that failure, at once).
    pub(crate) async fn run<T, F>(
        &self,
        key: &str,
        remember: impl Fn(&E) -> bool,
        call: impl FnOnce() -> F,
    ) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let slot = {
            let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.entry(key.to_string())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(Known::Nothing)))
                .clone()
        };
        let mut known = slot.lock().await;
        match &*known {
            Known::Failed(at, err) if at.elapsed() < REMEMBER => return Err(err.clone()),
            Known::Answered(at) if at.elapsed() < REMEMBER => {
                drop(known);
                let result = call().await;
                if let Err(err) = &result
                    && remember(err)
                {
                    *slot.lock().await = Known::Failed(Instant::now(), err.clone());
                }
                return result;
            }
            _ => {}
        }
        let result = call().await;
        *known = match &result {
            Ok(_) => Known::Answered(Instant::now()),
            Err(err) if remember(err) => Known::Failed(Instant::now(), err.clone()),
            Err(_) => Known::Nothing,
        };
        result
    }
}

pub(crate) struct Budgeted {
    inner: Arc<dyn Sts>,
    gate: FaultGate<StsError>,
}

impl Budgeted {
    pub(crate) fn new(inner: Arc<dyn Sts>) -> Self {
        Budgeted { inner, gate: FaultGate::default() }
    }

    /// `call` unless the host that did not answer (an explicit URL whatever the region,
    /// else the regional endpoint) is remembered as dead.
    async fn gated<T, F>(&self, endpoint: &Endpoint, call: impl FnOnce() -> F) -> Result<T, StsError>
    where
        F: Future<Output = Result<T, StsError>>,
    {
        let dead = |err: &StsError| matches!(err, StsError::Timeout | StsError::Unreachable { .. });
        self.gate.run(&endpoint.describe(), dead, call).await
    }
}

impl Sts for Budgeted {
    fn assume_role<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
        Box::pin(self.gated(endpoint, || self.inner.assume_role(endpoint, creds, request)))
    }

    fn get_session_token<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>> {
        Box::pin(self.gated(endpoint, || self.inner.get_session_token(endpoint, creds, request)))
    }

    fn get_caller_identity<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(self.gated(endpoint, || self.inner.get_caller_identity(endpoint, creds)))
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

    #[tokio::test]
    async fn callers_that_start_together_wait_for_the_first_answer() {
        let gate: FaultGate<String> = FaultGate::default();
        let calls = AtomicU32::new(0);
        let slow_failure = || async {
            calls.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err::<(), String>("no answer".into())
        };
        let always = |_: &String| true;
        let (a, b) =
            tokio::join!(gate.run("imds", always, slow_failure), gate.run("imds", always, slow_failure));
        assert_eq!((a.unwrap_err(), b.unwrap_err()), ("no answer".to_string(), "no answer".to_string()));
        assert_eq!(calls.load(Ordering::Relaxed), 1, "the second caller got the remembered failure");
        // A failure not worth remembering is not: the next caller tries again.
        let other: FaultGate<String> = FaultGate::default();
        let _ = other.run("k", |_| false, slow_failure).await;
        let _ = other.run("k", |_| false, slow_failure).await;
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        // Once a key answered, its callers run side by side.
        let answered: FaultGate<String> = FaultGate::default();
        answered.run("sts", always, || async { Ok::<(), String>(()) }).await.unwrap();
        let started = std::time::Instant::now();
        let pause = || async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok::<(), String>(())
        };
        let _ = tokio::join!(answered.run("sts", always, pause), answered.run("sts", always, pause));
        assert!(started.elapsed() < Duration::from_millis(190), "{:?}", started.elapsed());
    }
}
