//! The local credential endpoint: the container-credentials protocol every AWS SDK and the
//! AWS CLI read (`AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN`),
//! served on 127.0.0.1 for one profile, for the lifetime of one child (a shell or a command).
//!
//! The rules: loopback only; a request without the exact token (compared in constant time)
//! gets 403 and an empty body, before anything else is looked at; only `GET` of this
//! profile's path is answered; nothing is logged. It must not prompt: see `source`.
//! The listener, the token check and the HTTP handling are shared with awsw's agent
//! (`crate::agent`), which answers its own `Routes` behind the same token check.

pub(crate) mod http;
pub(crate) mod peer;
pub(crate) mod source;
pub(crate) mod token;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::creds::Credentials;
use crate::secret::Secret;
pub use source::{EngineSource, Source, Unavailable};

/// How long a client has to send its request head.
const READ_DEADLINE: Duration = Duration::from_secs(5);
/// Connections handled at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 64;
/// The expiry announced for credentials that have none (keys with a token from the
/// credentials file), so SDKs come back for them rather than cache them forever.
const NO_EXPIRY_ANNOUNCED: time::Duration = time::Duration::minutes(15);

/// A running endpoint. Dropping it stops it.
pub struct Running {
    /// The address followed by the path served: `http://127.0.0.1:PORT/awsw/v1/PROFILE` for
    /// one profile's endpoint.
    pub(crate) url: String,
    /// The bearer token a client must send (`AWS_CONTAINER_AUTHORIZATION_TOKEN`), fresh for
    /// each endpoint.
    pub token: Secret,
    /// The loopback address and the port the kernel picked.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The path the endpoint answers for `profile`.
pub fn path_for(profile: &str) -> String {
    format!("/awsw/v1/{}", http::encode_segment(profile))
}

/// What an endpoint answers to a well-formed request that carried the exact token: the
/// status and the body (JSON, or empty).
pub(crate) trait Routes: Send + Sync {
    fn answer<'a>(&'a self, request: &'a http::Request) -> BoxFuture<'a, (u16, String)>;

    /// Whether clients of another local user get `403` even with the token (`peer`).
    fn same_user_only(&self) -> bool {
        false
    }
}

/// Binds 127.0.0.1 on a port the kernel picks, makes a fresh token and serves `source` as
/// `profile` on a thread of its own until dropped.
pub fn start(profile: &str, source: Arc<dyn Source>) -> std::io::Result<Running> {
    let path = path_for(profile);
    start_routes(Arc::new(OneProfile { path: path.clone(), source }), &path)
}

/// The same listener for any `routes`; `url` is the address followed by `path`.
pub(crate) fn start_routes(routes: Arc<dyn Routes>, path: &str) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let token = token::fresh()?;
    let url = format!("http://{addr}{path}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = Arc::new(State { token: token.clone(), routes });
    let thread = std::thread::Builder::new().name("awsw-endpoint".into()).spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
            tokio::select! {
                _ = accept_loop(listener, state) => {}
                _ = stopped => {}
            }
        });
    })?;
    Ok(Running { url, token, addr, stop: Some(stop), thread: Some(thread) })
}

struct State {
    token: Secret,
    routes: Arc<dyn Routes>,
}

/// One profile's credentials at one path: the endpoint of a served shell or command.
struct OneProfile {
    path: String,
    source: Arc<dyn Source>,
}

impl Routes for OneProfile {
    fn answer<'a>(&'a self, request: &'a http::Request) -> BoxFuture<'a, (u16, String)> {
        Box::pin(async move {
            if request.method != "GET" {
                return (405, error_json("MethodNotAllowed", "only GET is served"));
            }
            if request.path != self.path {
                return (
                    404,
                    error_json(
                        "WrongProfile",
                        "this endpoint serves one profile only, at the path in AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    ),
                );
            }
            answer_credentials(self.source.as_ref()).await
        })
    }
}

/// `200` and the credentials JSON, or `503` and why there are none.
pub(crate) async fn answer_credentials(source: &dyn Source) -> (u16, String) {
    match source.credentials().await {
        Ok(creds) => (200, credentials_json(&creds, OffsetDateTime::now_utc())),
        Err(Unavailable { message }) => (503, error_json("AwswRenewalNeeded", &message)),
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, state: Arc<State>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else { return };
        let Ok((stream, peer)) = listener.accept().await else { continue };
        let state = state.clone();
        tokio::spawn(async move {
            serve(stream, peer, &state).await;
            drop(permit);
        });
    }
}

/// Reads one request, answers it, closes the connection.
async fn serve(mut stream: tokio::net::TcpStream, peer: SocketAddr, state: &State) {
    // The socket is bound to 127.0.0.1, so only loopback peers can connect; refuse any
    // other all the same rather than trust that alone.
    if !peer.ip().is_loopback() {
        return;
    }
    // Looked up while the client is surely connected; answered after its request is read,
    // so it gets the 403 rather than a reset.
    let local = stream.local_addr();
    let foreign = state.routes.same_user_only() && !local.is_ok_and(|local| peer::same_user(peer, local));
    let _ = stream.set_nodelay(true);
    let head = tokio::time::timeout(READ_DEADLINE, read_head(&mut stream)).await.ok().flatten();
    let (status, body) = match head.as_deref().and_then(http::parse) {
        Some(request) if !foreign => answer(&request, state).await,
        _ => (403, String::new()),
    };
    let _ = stream.write_all(&http::response(status, &body)).await;
    let _ = stream.shutdown().await;
}

async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = http::head_end(&buffer) {
            buffer.truncate(end);
            return Some(buffer);
        }
        if buffer.len() > http::MAX_HEAD {
            return None;
        }
    }
}

/// The status and body for a well-formed request. The token is checked first, so a
/// request without it learns nothing, not even which profile is served.
async fn answer(request: &http::Request, state: &State) -> (u16, String) {
    let authorized =
        request.authorization.as_deref().is_some_and(|offered| token::matches(&state.token, offered));
    if !authorized {
        return (403, String::new());
    }
    state.routes.answer(request).await
}

/// The error body the SDKs show: `Code` and `Message`.
pub(crate) fn error_json(code: &str, message: &str) -> String {
    serde_json::json!({ "Code": code, "Message": message }).to_string()
}

/// The container-credentials JSON the SDKs read: `AccessKeyId`, `SecretAccessKey`,
/// `Token`, `Expiration` (RFC 3339; both `Token` and `Expiration` are required by them).
pub(crate) fn credentials_json(creds: &Credentials, now: OffsetDateTime) -> String {
    let expiration = announced_expiration(creds, now);
    serde_json::json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key.expose(),
        "Token": creds.session_token.as_ref().map(Secret::expose).unwrap_or_default(),
        "Expiration": expiration.format(&Rfc3339).unwrap_or_default(),
    })
    .to_string()
}

/// The `Expiration` announced for `creds` at `now`: theirs, else 15 minutes on.
pub(crate) fn announced_expiration(creds: &Credentials, now: OffsetDateTime) -> OffsetDateTime {
    creds.expiration.unwrap_or(now + NO_EXPIRY_ANNOUNCED)
}

#[cfg(test)]
mod tests;
