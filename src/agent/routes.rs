//! What the agent answers behind the endpoint's token check (`server::Routes`):
//! `GET /awsw/v1/PROFILE` the credentials of a profile a directory registered (any other
//! profile is 404: the agent serves only what it was asked for), `PUT /awsw/v1/PROFILE`
//! registers one, `GET /awsw/agent` its status, `DELETE /awsw/agent` stops it. Every
//! request counts as activity for the idle exit, and every expiry handed out keeps the
//! agent up until then, so no SDK is left holding credentials it cannot renew.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::creds::clock::SystemClock;
use crate::creds::{Ask, Engine, MfaSource};
use crate::server::http::{self, Request};
use crate::server::source::renew_line;
use crate::server::{self, EngineSource, Routes, Source, Unavailable, error_json};

/// The control path (status, stop).
pub(crate) const CONTROL_PATH: &str = "/awsw/agent";
/// The prefix of every profile's path, as `server::path_for` makes them.
pub(crate) const PROFILE_PREFIX: &str = "/awsw/v1/";

/// The longest a registration waits for the profile's first session.
const REGISTER_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Makes an engine over the files as they are now (a profile added since the agent started
/// is found).
pub(crate) type EngineFactory = Arc<dyn Fn() -> Result<Arc<Engine>, String> + Send + Sync>;

struct Served {
    profile: String,
    source: Arc<EngineSource>,
    renewable_until: Option<OffsetDateTime>,
}

/// When the agent was last used and until when it must stay up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Activity {
    pub(crate) last: OffsetDateTime,
    /// The latest `Expiration` handed out.
    pub(crate) handed_out_until: Option<OffsetDateTime>,
}

pub(crate) struct AgentRoutes {
    engine: EngineFactory,
    served: Mutex<BTreeMap<String, Served>>,
    activity: Mutex<Activity>,
    stop: tokio::sync::mpsc::UnboundedSender<()>,
    pid: u32,
    started: OffsetDateTime,
    idle: time::Duration,
}

impl AgentRoutes {
    pub(crate) fn new(
        engine: EngineFactory,
        stop: tokio::sync::mpsc::UnboundedSender<()>,
        idle: std::time::Duration,
    ) -> AgentRoutes {
        let now = OffsetDateTime::now_utc();
        AgentRoutes {
            engine,
            served: Mutex::new(BTreeMap::new()),
            activity: Mutex::new(Activity { last: now, handed_out_until: None }),
            stop,
            pid: std::process::id(),
            started: now,
            idle: time::Duration::try_from(idle).unwrap_or(time::Duration::HOUR),
        }
    }

    /// When the agent may exit if nothing happens before: `idle` after the last request,
    /// and not before the last expiry it handed out.
    pub(crate) fn exit_at(&self) -> OffsetDateTime {
        let activity = *self.activity.lock().unwrap_or_else(|e| e.into_inner());
        let idle_end = activity.last + self.idle;
        activity.handed_out_until.map_or(idle_end, |until| until.max(idle_end))
    }

    fn touch(&self, handed_out: Option<OffsetDateTime>) {
        let mut activity = self.activity.lock().unwrap_or_else(|e| e.into_inner());
        activity.last = OffsetDateTime::now_utc();
        if let Some(until) = handed_out {
            activity.handed_out_until = Some(activity.handed_out_until.map_or(until, |t| t.max(until)));
        }
    }

    fn source(&self, path: &str) -> Option<Arc<EngineSource>> {
        self.served.lock().unwrap_or_else(|e| e.into_inner()).get(path).map(|s| s.source.clone())
    }

    async fn credentials(&self, path: &str) -> (u16, String) {
        let Some(source) = self.source(path) else {
            return (
                404,
                error_json(
                    "NotServed",
                    "this profile is not served by the awsw agent: only profiles a directory's .envrc registered (`awsw agent env PROFILE`) are",
                ),
            );
        };
        let now = OffsetDateTime::now_utc();
        match source.credentials().await {
            Ok(creds) => {
                self.touch(Some(server::announced_expiration(&creds, now)));
                (200, server::credentials_json(&creds, now))
            }
            Err(Unavailable { message }) => (503, error_json("AwswRenewalNeeded", &message)),
        }
    }

    /// Serves `profile` from now on (again: a new engine over the files as they are now)
    /// and says until when it renews without asking, or what is needed first.
    async fn register(&self, path: &str) -> (u16, String) {
        let Some(profile) = path.strip_prefix(PROFILE_PREFIX).and_then(http::decode_segment) else {
            return (404, error_json("NotFound", "no such path"));
        };
        let engine = match (self.engine)() {
            Ok(engine) => engine,
            Err(message) => return (400, error_json("ConfigError", &message)),
        };
        let kind = match engine.require(&profile) {
            Ok(found) => found.root_kind(),
            Err(err) => return (404, error_json("UnknownProfile", &err.to_string())),
        };
        if let Some(message) = super::refusal(&profile, kind) {
            return (400, error_json("NotServable", &message));
        }
        let ask = Ask { mfa: MfaSource::Process, run_credential_process: true };
        // A `cd` must not wait long: another awsw may hold the session's lock while someone
        // types a code. Without a session yet, the first request gets one.
        let result = tokio::time::timeout(REGISTER_WAIT, engine.session(&profile, &ask)).await;
        drop(engine.take_notices());
        let (first, until, problem) = match result {
            Ok(Ok(session)) => {
                let until = crate::commands::served::renewable_until(&engine, &session);
                (Some(session.credentials), until, None)
            }
            Ok(Err(err)) => (None, None, Some(renew_line(&profile, &err))),
            Err(_) => {
                let waited = format!(
                    "profile {profile}: no session after {} s (another awsw process may be asking for its MFA code); the agent serves it as soon as there is one",
                    REGISTER_WAIT.as_secs()
                );
                (None, None, Some(waited))
            }
        };
        let region = engine.inventory().profile(&profile).and_then(|p| p.region.clone());
        let source =
            EngineSource::new(engine.clone(), Arc::new(SystemClock), &profile, first, engine.min_remaining());
        let served = Served { profile: profile.clone(), source: Arc::new(source), renewable_until: until };
        self.served.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), served);
        let body = serde_json::json!({
            "Profile": profile,
            "Region": region,
            "RenewableUntil": until.and_then(|t| t.format(&Rfc3339).ok()),
            "Problem": problem,
        });
        (200, body.to_string())
    }

    fn status(&self) -> String {
        let served = self.served.lock().unwrap_or_else(|e| e.into_inner());
        let profiles: Vec<serde_json::Value> = served
            .values()
            .map(|s| {
                serde_json::json!({
                    "Profile": s.profile,
                    "RenewableUntil": s.renewable_until.and_then(|t| t.format(&Rfc3339).ok()),
                })
            })
            .collect();
        let time = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
        serde_json::json!({
            "Pid": self.pid,
            "Started": time(self.started),
            "ExitAt": time(self.exit_at()),
            "Profiles": profiles,
        })
        .to_string()
    }
}

impl Routes for AgentRoutes {
    /// The agent outlives any one shell and serves every directory: it answers only its own
    /// user's processes, whatever token another user's process sends.
    fn same_user_only(&self) -> bool {
        true
    }

    fn answer<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, (u16, String)> {
        Box::pin(async move {
            let method = request.method.as_str();
            self.touch(None);
            if request.path == CONTROL_PATH {
                return match method {
                    "GET" => (200, self.status()),
                    "DELETE" => {
                        let _ = self.stop.send(());
                        (200, String::new())
                    }
                    _ => (405, error_json("MethodNotAllowed", "GET or DELETE")),
                };
            }
            if !request.path.starts_with(PROFILE_PREFIX) {
                return (404, error_json("NotFound", "no such path"));
            }
            match method {
                "GET" => self.credentials(&request.path).await,
                "PUT" => self.register(&request.path).await,
                _ => (405, error_json("MethodNotAllowed", "GET or PUT")),
            }
        })
    }
}
