//! The authorization-code flow's pieces (RFC 7636 PKCE with S256, RFC 8252 loopback
//! redirect): the verifier and challenge, the `state`, the authorize URL, and a listener on
//! 127.0.0.1 only that takes exactly one answer on `/oauth/callback`.

use std::time::Duration;

use base64::Engine;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::secret::Secret;

/// The redirect URI registered with the client; the port is added per login (RFC 8252 7.3).
pub(crate) const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";
const CALLBACK_PATH: &str = "/oauth/callback";
const VERIFIER_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

#[derive(Debug)]
pub(crate) struct Pkce {
    pub(crate) verifier: Secret,
    pub(crate) challenge: String,
}

impl Pkce {
    /// A 64-character verifier from the operating system's random source.
    pub(crate) fn generate() -> std::io::Result<Pkce> {
        // Rejection sampling: bytes at or above the largest multiple of 66 would bias the choice.
        let limit = 256 - 256 % VERIFIER_CHARS.len();
        let mut verifier = String::with_capacity(64);
        while verifier.len() < 64 {
            let mut bytes = [0u8; 64];
            getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
            for byte in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
                if verifier.len() < 64 {
                    verifier.push(char::from(VERIFIER_CHARS[byte % VERIFIER_CHARS.len()]));
                }
            }
        }
        Ok(Pkce::from_verifier(&verifier))
    }

    pub(crate) fn from_verifier(verifier: &str) -> Pkce {
        let digest = Sha256::digest(verifier.as_bytes());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        Pkce { verifier: Secret::new(verifier), challenge }
    }
}

/// 128 random bits as hex: the `state` that ties the browser's answer to this login.
pub(crate) fn random_state() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(hex::encode(bytes))
}

/// RFC 3986 unreserved characters stay, everything else is `%XX`.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `BASE/authorize?response_type=code&client_id=...&code_challenge=...`, as the AWS CLI builds it.
pub(crate) fn authorize_url(
    base: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    scopes: &[String],
    challenge: &str,
) -> String {
    let params = [
        ("response_type", "code".to_string()),
        ("client_id", client_id.to_string()),
        ("redirect_uri", redirect_uri.to_string()),
        ("state", state.to_string()),
        ("code_challenge_method", "S256".to_string()),
        ("scopes", scopes.join(" ")),
        ("code_challenge", challenge.to_string()),
    ];
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    format!("{}/authorize?{}", base.trim_end_matches('/'), query.join("&"))
}

/// What the browser brought back.
#[derive(Debug)]
pub(crate) enum Callback {
    Code {
        code: Secret,
        state: String,
    },
    /// The sign-in was not approved (the `error` parameter; its text comes from the page,
    /// so awsw says in its own words what happened).
    Error,
}

/// A listener on 127.0.0.1 (never another interface) on a port the system picks.
pub(crate) struct Loopback {
    listener: tokio::net::TcpListener,
    port: u16,
}

impl Loopback {
    pub(crate) async fn bind() -> std::io::Result<Loopback> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits up to `timeout` for a request to `/oauth/callback` with a code or an error;
    /// other requests (a favicon, a probe) get 404 and are ignored.
    pub(crate) async fn wait(&self, timeout: Duration) -> Option<Callback> {
        tokio::time::timeout(timeout, async {
            loop {
                let Ok((mut stream, _)) = self.listener.accept().await else { continue };
                let Some(target) = read_request_target(&mut stream).await else { continue };
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let callback = if path == CALLBACK_PATH { parse_callback(query) } else { None };
                let (status, page) = match &callback {
                    Some(Callback::Code { .. }) => ("200 OK", "awsw: login complete. You can close this tab."),
                    Some(Callback::Error) => ("200 OK", "awsw: login was not approved. You can close this tab."),
                    None => ("404 Not Found", "not found"),
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
                if callback.is_some() {
                    return callback;
                }
            }
        })
        .await
        .ok()
        .flatten()
    }
}

/// The request target of `GET <target> HTTP/1.x`, from at most 8 KiB of request head.
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    while !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") && len < buf.len() {
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf[len..])).await.ok()?.ok()?;
        if read == 0 {
            break;
        }
        len += read;
    }
    let head = std::str::from_utf8(&buf[..len]).ok()?;
    let mut parts = head.lines().next()?.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_string()),
        _ => None,
    }
}

fn parse_callback(query: &str) -> Option<Callback> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "code" => code = Some(percent_decode(value)),
            "state" => state = Some(percent_decode(value)),
            "error" => error = Some(percent_decode(value)),
            _ => {}
        }
    }
    match (error, code, state) {
        (Some(_), _, _) => Some(Callback::Error),
        (None, Some(code), Some(state)) => Some(Callback::Code { code: Secret::new(code), state }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_is_rfc7636_s256() {
        // python3 -c 'import hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(
        //   b"dBjftJeZ4CVP-mJ92IZ1ZgjFNv0JIvdmGmRULeaN2T0").digest()).rstrip(b"="))'
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mJ92IZ1ZgjFNv0JIvdmGmRULeaN2T0");
        assert_eq!(pkce.challenge, "xHomkVrh4b7JybTidAW4xZEARorYmeb8pUmoxuCDNxg");
        let fresh = Pkce::generate().unwrap();
        assert_eq!(fresh.verifier.expose().len(), 64);
        assert!(fresh.verifier.expose().bytes().all(|b| VERIFIER_CHARS.contains(&b)));
        assert_ne!(random_state().unwrap(), random_state().unwrap());
    }

    #[test]
    fn authorize_url_encodes_every_parameter() {
        let url = authorize_url(
            "http://h/",
            "c id",
            "http://127.0.0.1:5/oauth/callback",
            "st",
            &["a:b".into(), "c".into()],
            "ch",
        );
        assert_eq!(
            url,
            "http://h/authorize?response_type=code&client_id=c%20id&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Foauth%2Fcallback&state=st&code_challenge_method=S256&scopes=a%3Ab%20c&code_challenge=ch"
        );
    }

    #[tokio::test]
    async fn loopback_takes_one_answer_and_ignores_other_paths() {
        let loopback = Loopback::bind().await.unwrap();
        let uri = loopback.redirect_uri();
        assert!(uri.starts_with("http://127.0.0.1:"));
        let port = loopback.port;
        let client = tokio::spawn(async move {
            for target in ["/favicon.ico", "/oauth/callback?code=abc%2Fd&state=s1"] {
                let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).await.unwrap();
            }
        });
        match loopback.wait(Duration::from_secs(5)).await {
            Some(Callback::Code { code, state }) => {
                assert_eq!((code.expose(), state.as_str()), ("abc/d", "s1"))
            }
            other => panic!("{other:?}"),
        }
        client.await.unwrap();
    }
}
