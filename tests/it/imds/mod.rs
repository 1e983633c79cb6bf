//! A local EC2 instance metadata service that is strict about the wire format, as the real one
//! is (moto's metadata answer lacks the IMDSv2 TTL header the Rust SDK requires):
//! `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` (1..=21600, else 400),
//! is refused with 403 when forwarded (`X-Forwarded-For`) and answers with the token and the
//! same TTL header; `GET`s carry `X-aws-ec2-metadata-token` (unknown or expired: 401; absent:
//! 401 when tokens are required, else served as IMDSv1); the role listing and the credentials
//! document are at `/latest/meta-data/iam/security-credentials/[ROLE]` (no role: 404).
//! Failure modes on demand: no role, token refused, a slow answer, no IMDSv2 at all.

use std::collections::HashMap;
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::http::{Reply, Request, read_request, write_reply};

const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const CREDENTIALS: &str = "/latest/meta-data/iam/security-credentials/";

/// How the service behaves.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The instance profile's role; `None`: no role attached.
    pub role: Option<String>,
    /// `HttpTokens=required`: a GET without a token is refused.
    pub tokens_required: bool,
    /// Token requests are refused with 403 (IMDS off, or the PUT hop limit exceeded).
    pub refuse_tokens: bool,
    /// An old service that knows no `PUT /latest/api/token` (404).
    pub v1_only: bool,
    /// Every answer waits this long.
    pub delay: Duration,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            role: Some("web-instance".into()),
            tokens_required: true,
            refuse_tokens: false,
            v1_only: false,
            delay: Duration::ZERO,
        }
    }
}

/// One request as the service saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub ttl: Option<String>,
    pub token: Option<String>,
    pub status: u16,
}

struct Shared {
    behaviour: Behaviour,
    tokens: Mutex<HashMap<String, Instant>>,
    seen: Mutex<Vec<Seen>>,
    stop: AtomicBool,
}

pub struct ImdsServer {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Shared {
    fn token(&self, request: &Request) -> (u16, String, Option<String>) {
        let b = &self.behaviour;
        if b.v1_only {
            return (404, "Not Found".into(), None);
        }
        if request.header("x-forwarded-for").is_some() || b.refuse_tokens {
            return (403, "Forbidden".into(), None);
        }
        let Some(ttl) = request.header(TTL_HEADER).and_then(|v| v.parse::<u64>().ok()) else {
            return (400, "Missing or invalid X-aws-ec2-metadata-token-ttl-seconds".into(), None);
        };
        if !(1..=21600).contains(&ttl) {
            return (400, "Invalid TTL".into(), None);
        }
        let token = format!("AQAEA{:016x}==", rand_u64());
        self.tokens.lock().unwrap().insert(token.clone(), Instant::now() + Duration::from_secs(ttl));
        (200, token, Some(ttl.to_string()))
    }

    fn get(&self, request: &Request) -> (u16, String) {
        let b = &self.behaviour;
        match request.header(TOKEN_HEADER) {
            Some(token) => {
                let valid =
                    self.tokens.lock().unwrap().get(token).is_some_and(|until| *until > Instant::now());
                if !valid {
                    return (401, "Unauthorized".into());
                }
            }
            None if b.tokens_required => return (401, "Unauthorized".into()),
            None => {}
        }
        let Some(rest) = request.path.strip_prefix(CREDENTIALS) else { return (404, "Not Found".into()) };
        match (&b.role, rest) {
            (None, _) => (404, "Not Found".into()),
            (Some(role), "") => (200, role.clone()),
            (Some(role), asked) if asked == role => (200, document()),
            _ => (404, "Not Found".into()),
        }
    }

    fn answer(&self, stream: TcpStream) {
        let Some(request) = read_request(&mut BufReader::new(&stream)) else { return };
        std::thread::sleep(self.behaviour.delay);
        let (status, body, ttl) = match (request.method.as_str(), request.path.as_str()) {
            ("PUT", "/latest/api/token") => self.token(&request),
            ("GET", _) => {
                let (status, body) = self.get(&request);
                (status, body, None)
            }
            _ => (405, "Method Not Allowed".into(), None),
        };
        self.seen.lock().unwrap().push(Seen {
            method: request.method.clone(),
            path: request.path.clone(),
            ttl: request.header(TTL_HEADER).map(str::to_string),
            token: request.header(TOKEN_HEADER).map(str::to_string),
            status,
        });
        let mut headers =
            vec![("Content-Type".into(), "text/plain".into()), ("Server".into(), "EC2ws".into())];
        if let Some(ttl) = ttl {
            headers.push(("X-aws-ec2-metadata-token-ttl-seconds".into(), ttl));
        }
        write_reply(&mut &stream, &Reply { status, headers, body });
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}

/// The instance role's credentials document, as IMDS writes it. The keys are fake but moto's
/// STS takes any.
pub fn document() -> String {
    let expiration = time::OffsetDateTime::now_utc() + time::Duration::hours(6);
    let expiration = expiration.format(&time::format_description::well_known::Rfc3339).unwrap();
    format!(
        "{{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-24T10:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIAIMDSINSTANCE0001\",\n  \"SecretAccessKey\" : \"imds-secret-value\",\n  \"Token\" : \"imds-session-token\",\n  \"Expiration\" : \"{expiration}\"\n}}"
    )
}

impl ImdsServer {
    pub fn start(behaviour: Behaviour) -> ImdsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            behaviour,
            tokens: Mutex::new(HashMap::new()),
            seen: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let accept = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accept.clone();
                std::thread::spawn(move || shared.answer(stream));
            }
        });
        ImdsServer { port, shared }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }
}

impl Drop for ImdsServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
