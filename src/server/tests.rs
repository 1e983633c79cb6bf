//! The endpoint over a real loopback socket, with a fake source: the security rules, the
//! JSON the SDKs read, and what a failing source answers.

use std::io::{Read, Write};
use std::sync::Mutex;

use futures::future::BoxFuture;
use time::macros::datetime;

use super::*;

struct Fake(Mutex<Vec<Result<Credentials, Unavailable>>>);

impl Source for Fake {
    fn credentials(&self) -> BoxFuture<'_, Result<Credentials, Unavailable>> {
        let next = self.0.lock().unwrap().remove(0);
        Box::pin(async move { next })
    }
}

fn creds() -> Credentials {
    Credentials {
        access_key_id: "ASIAFAKE0000EXAMPLE".into(),
        secret_access_key: Secret::new("fake+secret+key"),
        session_token: Some(Secret::new("fake+session+token")),
        expiration: Some(datetime!(2030-01-02 03:04:05 UTC)),
    }
}

fn endpoint(answers: Vec<Result<Credentials, Unavailable>>) -> Running {
    start("prod/admin", Arc::new(Fake(Mutex::new(answers)))).unwrap()
}

/// Sends `head` as is and returns the status and the body.
fn send(addr: SocketAddr, head: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

fn get(running: &Running, path: &str, authorization: Option<&str>) -> (u16, String) {
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    send(running.addr, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n"))
}

#[test]
fn it_listens_on_loopback_only_at_a_path_for_the_profile() {
    let running = endpoint(vec![]);
    assert!(running.addr.ip().is_loopback(), "{}", running.addr);
    assert_eq!(running.url, format!("http://{}/awsw/v1/prod%2Fadmin", running.addr));
}

#[test]
fn the_right_token_gets_the_json_the_sdks_read() {
    let running = endpoint(vec![Ok(creds())]);
    let (status, body) = get(&running, "/awsw/v1/prod%2Fadmin", Some(running.token.expose()));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["AccessKeyId"], "ASIAFAKE0000EXAMPLE");
    assert_eq!(v["SecretAccessKey"], "fake+secret+key");
    assert_eq!(v["Token"], "fake+session+token");
    assert_eq!(v["Expiration"], "2030-01-02T03:04:05Z");
}

#[test]
fn every_request_without_the_exact_token_gets_403_and_nothing_else() {
    // The fake has no answers: the source is never asked.
    let running = endpoint(vec![]);
    let path = "/awsw/v1/prod%2Fadmin";
    let token = running.token.expose().to_string();
    let mut same_length = token.clone().into_bytes();
    same_length[0] = if same_length[0] == b'0' { b'1' } else { b'0' };
    let same_length = String::from_utf8(same_length).unwrap();
    let bearer = format!("Bearer {token}");
    for offered in
        [None, Some("wrong"), Some(same_length.as_str()), Some(&token[..32]), Some(bearer.as_str())]
    {
        assert_eq!(get(&running, path, offered), (403, String::new()), "{offered:?}");
        // Another profile's path without the token: the same answer, nothing learned.
        assert_eq!(get(&running, "/awsw/v1/other", offered), (403, String::new()));
    }
    let doubled = format!("GET {path} HTTP/1.1\r\nAuthorization: {token}\r\nAuthorization: {token}\r\n\r\n");
    assert_eq!(send(running.addr, &doubled), (403, String::new()));
    assert_eq!(send(running.addr, "garbage\r\n\r\n"), (403, String::new()));
    let huge = format!("GET {path} HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(10_000));
    assert_eq!(send(running.addr, &huge).0, 403);
}

#[test]
fn another_profile_or_method_is_refused_even_with_the_token() {
    let running = endpoint(vec![]);
    let token = running.token.expose().to_string();
    assert_eq!(get(&running, "/awsw/v1/prod", Some(&token)).0, 404);
    assert_eq!(get(&running, "/awsw/v1/prod%2Fadmin/../other", Some(&token)).0, 404);
    let post = format!("POST /awsw/v1/prod%2Fadmin HTTP/1.1\r\nAuthorization: {token}\r\n\r\n");
    assert_eq!(send(running.addr, &post).0, 405);
}

#[test]
fn a_source_that_cannot_renew_answers_at_once_with_its_message() {
    let message = "profile prod: the session needs a new MFA code; run `awsw refresh prod`".to_string();
    let running = endpoint(vec![Err(Unavailable { message: message.clone() })]);
    let (status, body) = get(&running, "/awsw/v1/prod%2Fadmin", Some(running.token.expose()));
    assert_eq!(status, 503);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Message"], message);
}

#[test]
fn a_stopped_endpoint_refuses_connections() {
    let running = endpoint(vec![]);
    let addr = running.addr;
    drop(running);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn a_silent_client_does_not_block_the_others() {
    let running = endpoint(vec![Ok(creds())]);
    let _silent = std::net::TcpStream::connect(running.addr).unwrap();
    let started = std::time::Instant::now();
    let (status, _) = get(&running, "/awsw/v1/prod%2Fadmin", Some(running.token.expose()));
    assert_eq!(status, 200);
    assert!(started.elapsed() < READ_DEADLINE);
}

#[test]
fn credentials_without_an_expiry_are_announced_for_fifteen_minutes() {
    let now = datetime!(2026-11-24 10:00 UTC);
    let json = credentials_json(&Credentials { expiration: None, ..creds() }, now);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["Expiration"], "2026-11-24T10:15:00Z");
}
