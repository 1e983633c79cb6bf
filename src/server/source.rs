//! What the endpoint serves: one profile's session, held in memory and renewed through the
//! engine when less than the minimum remaining time is left, never with a prompt (only the
//! profile's `mfa_process` may supply a code). A renewal that needs the user fails at once,
//! and the shell gets one line saying how to renew.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::future::BoxFuture;
use time::OffsetDateTime;

use crate::creds::clock::Clock;
use crate::creds::{Ask, Credentials, CredsError, Engine, MfaSource};

/// Why the endpoint cannot answer with credentials: one or two sentences for the SDK's
/// error and the shell's line. Never holds a secret (engine errors name profiles and codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub(crate) message: String,
}

/// Anything that hands out one profile's credentials: the engine in awsw, a fake in tests.
pub trait Source: Send + Sync {
    /// The credentials to serve now; `Err` is answered with a `503` whose message the SDK shows.
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, Unavailable>>;
}

/// The engine behind a served shell or command, and behind each profile the agent serves.
pub struct EngineSource {
    engine: Arc<Engine>,
    clock: Arc<dyn Clock>,
    profile: String,
    min_remaining: time::Duration,
    /// One renewal at a time: requests that arrive meanwhile wait for its result.
    held: tokio::sync::Mutex<Option<Credentials>>,
    /// The renew line was printed and nothing has worked since: print it once, not per request.
    warned: AtomicBool,
}

impl EngineSource {
    /// Serves `profile`, starting from `first` (the session the shell started with; `None`
    /// when there is none yet, so the first request renews).
    pub(crate) fn new(
        engine: Arc<Engine>,
        clock: Arc<dyn Clock>,
        profile: &str,
        first: Option<Credentials>,
        min_remaining: time::Duration,
    ) -> Self {
        EngineSource {
            engine,
            clock,
            profile: profile.to_string(),
            min_remaining,
            held: tokio::sync::Mutex::new(first),
            warned: AtomicBool::new(false),
        }
    }

    async fn current(&self) -> Result<Credentials, Unavailable> {
        let mut held = self.held.lock().await;
        let now = self.clock.now();
        if let Some(creds) = held.as_ref().filter(|c| fresh(c, now, self.min_remaining)) {
            return Ok(creds.clone());
        }
        // Only mfa_process may give a code: the shell owns the terminal, and an endpoint
        // that waited for a prompt would hang every SDK call in it.
        let ask = Ask { mfa: MfaSource::Process, run_credential_process: true };
        let result = self.engine.session(&self.profile, &ask).await;
        // Notices (a capped duration...) were shown when the shell started.
        drop(self.engine.take_notices());
        match result {
            Ok(session) => {
                self.warned.store(false, Ordering::Relaxed);
                *held = Some(session.credentials.clone());
                Ok(session.credentials)
            }
            Err(err) => {
                let message = renew_line(&self.profile, &err);
                if !self.warned.swap(true, Ordering::Relaxed) {
                    eprintln!("\nawsw: {}", crate::printable::escape(&message));
                }
                Err(Unavailable { message })
            }
        }
    }
}

impl Source for EngineSource {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, Unavailable>> {
        Box::pin(self.current())
    }
}

/// Whether `creds` may still be handed out: more than `min_remaining` left, or no expiry.
pub(crate) fn fresh(creds: &Credentials, now: OffsetDateTime, min_remaining: time::Duration) -> bool {
    creds.expiration.is_none_or(|t| t - now > min_remaining)
}

/// The one line that says what happened and how this shell works again.
pub(crate) fn renew_line(profile: &str, err: &CredsError) -> String {
    let again = format!("run `awsw refresh {profile}` (here or in any terminal) and this shell works again");
    match err {
        CredsError::MfaRequired { serial, .. } | CredsError::MfaPrompt { serial, .. } => {
            format!("profile {profile}: the session needs a new MFA code from {serial}; {again}")
        }
        CredsError::SsoLoginRequired { command, .. } => {
            format!(
                "profile {profile}: the SSO session has expired; run `{command}` and this shell works again"
            )
        }
        other => format!("profile {profile}: the session could not be renewed: {other}; {again}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use time::macros::datetime;

    #[test]
    fn a_session_is_fresh_until_the_minimum_remains() {
        let now = datetime!(2026-11-24 10:00 UTC);
        let creds = |expiration| Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
            expiration,
        };
        let five = time::Duration::minutes(5);
        assert!(fresh(&creds(Some(datetime!(2026-11-24 10:06 UTC))), now, five));
        assert!(!fresh(&creds(Some(datetime!(2026-11-24 10:05 UTC))), now, five));
        assert!(fresh(&creds(None), now, five));
    }

    #[test]
    fn the_renew_line_names_the_profile_and_the_command() {
        let err = CredsError::MfaRequired { profile: "prod".into(), serial: "arn:aws:iam::1:mfa/a".into() };
        let line = renew_line("prod", &err);
        assert!(line.contains("awsw refresh prod") && line.contains("arn:aws:iam::1:mfa/a"), "{line}");
        assert!(!line.contains('\n'));
        let err = CredsError::SsoLoginRequired {
            profile: "sso".into(),
            command: "aws sso login --sso-session corp".into(),
        };
        assert!(renew_line("sso", &err).contains("aws sso login --sso-session corp"));
    }
}
