//! Fault budgets: an STS endpoint that accepts connections and never answers costs a
//! command one call's deadline (10 s), however many calls it needed, and the message says
//! the time it really waited.

use crate::common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{Sandbox, text};

const CONFIG: &str = "\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/acme-dev
source_profile = plain
region = us-west-2
";

const CREDS: &str = "\
[plain]
aws_access_key_id = AKIAPLAIN000EXAMPLE2
aws_secret_access_key = plain+LONGTERM+secret+do+not+leak+0002
";

/// Accepts every connection and keeps it open without a byte in reply.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn an_endpoint_that_never_answers_costs_one_deadline_and_says_so() {
    let port = silent_server();
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(format!("http://127.0.0.1:{port}"));
    // A role behind long-term keys: the caller identity (for the session name), then
    // AssumeRole. Before the budget this took 20 s while the message said 10 s.
    let started = Instant::now();
    let out = sb.awsw(&["whoami", "dev"]).output().unwrap();
    let waited = started.elapsed();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no answer within 10 s"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(waited >= Duration::from_secs(9) && waited < Duration::from_secs(15), "waited {waited:?}");
}
