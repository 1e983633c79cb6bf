//! Single flight: concurrent cold awsw processes that need the same session make one set
//! of STS calls between them, counted by a proxy in front of moto.

use crate::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use common::{MotoServer, Sandbox, text};

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::123456789012:role/acme-prod-admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile dev]
role_arn = arn:aws:iam::123456789012:role/acme-dev
source_profile = plain
";

const CREDS: &str = "\
[base]
aws_access_key_id = AKIABASE0000EXAMPLE1
aws_secret_access_key = base+LONGTERM+secret+do+not+leak+0001

[plain]
aws_access_key_id = AKIAPLAIN000EXAMPLE2
aws_secret_access_key = plain+LONGTERM+secret+do+not+leak+0002
";

/// Forwards every connection to `upstream` and records the STS `Action=` of each request.
fn counting_proxy(upstream: u16) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let actions = Arc::new(Mutex::new(Vec::new()));
    let seen = actions.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || relay(client, upstream, &seen));
        }
    });
    (port, actions)
}

fn relay(mut client: TcpStream, upstream: u16, seen: &Mutex<Vec<String>>) {
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
    let mut back = server.try_clone().unwrap();
    let mut to_client = client.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back, &mut to_client);
        let _ = to_client.shutdown(std::net::Shutdown::Both);
    });
    let mut sent = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(n) = client.read(&mut chunk) {
        if n == 0 || server.write_all(&chunk[..n]).is_err() {
            break;
        }
        sent.extend_from_slice(&chunk[..n]);
    }
    let _ = server.shutdown(std::net::Shutdown::Write);
    let text = String::from_utf8_lossy(&sent);
    let mut found: Vec<String> = text
        .split("Action=")
        .skip(1)
        .map(|rest| rest.split(['&', '\r', '\n', ' ']).next().unwrap_or_default().to_string())
        .collect();
    seen.lock().unwrap().append(&mut found);
}

/// Waits for every `credential-process` caller, each of which must succeed, and returns
/// the distinct access keys they printed.
fn access_keys(children: Vec<std::process::Child>) -> std::collections::HashSet<String> {
    let mut keys = std::collections::HashSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        keys.insert(v["AccessKeyId"].as_str().unwrap().to_string());
    }
    keys
}

fn count(actions: &[String], name: &str) -> usize {
    actions.iter().filter(|a| *a == name).count()
}

#[test]
fn twenty_cold_callers_make_one_set_of_sts_calls() {
    let Some(moto) = MotoServer::start() else { return };
    for (profile, expected) in [
        ("prod", [("GetSessionToken", 1), ("AssumeRole", 1)]),
        ("dev", [("GetSessionToken", 0), ("AssumeRole", 1)]),
    ] {
        let (port, actions) = counting_proxy(moto.port);
        let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(format!("http://127.0.0.1:{port}"));
        let children: Vec<_> = (0..20)
            .map(|_| {
                sb.awsw(&["credential-process", profile, "--mfa-code", "123456"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let keys = access_keys(children);
        std::thread::sleep(std::time::Duration::from_millis(200));
        let actions = actions.lock().unwrap().clone();
        assert_eq!(keys.len(), 1, "{profile}: every caller got the same session: {keys:?}");
        for (action, n) in expected {
            assert_eq!(count(&actions, action), n, "{profile}: {action} in {actions:?}");
        }
        assert!(count(&actions, "GetCallerIdentity") <= 1, "{profile}: {actions:?}");
    }
}

#[test]
fn one_code_among_twenty_callers_serves_them_all() {
    let Some(moto) = MotoServer::start() else { return };
    let (port, actions) = counting_proxy(moto.port);
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(format!("http://127.0.0.1:{port}"));
    // Only the eleventh caller has the code; the ten before it start first, with no
    // terminal to ask on, and must wait for it rather than fail with "needs an MFA code".
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut args = vec!["credential-process", "prod"];
            if i == 10 {
                args.extend(["--mfa-code", "123456"]);
            }
            sb.awsw(&args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys = access_keys(children);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let actions = actions.lock().unwrap().clone();
    assert_eq!(keys.len(), 1, "every caller got the same session: {keys:?}");
    assert_eq!(count(&actions, "GetSessionToken"), 1, "{actions:?}");
    assert_eq!(count(&actions, "AssumeRole"), 1, "{actions:?}");
}

#[test]
fn a_caller_without_a_code_alone_still_fails_soon() {
    let Some(moto) = MotoServer::start() else { return };
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(format!("http://127.0.0.1:{}", moto.port));
    let started = std::time::Instant::now();
    let out = sb.awsw(&["credential-process", "prod"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("needs a code from MFA device"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "{:?}", started.elapsed());
}
