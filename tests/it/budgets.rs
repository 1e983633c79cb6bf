//! Fault budgets beyond STS: a `credential_process` that timed out, and an IAM Identity
//! Center portal that cannot be reached, are tried once per process for a while, so the
//! second caller fails at once with the same message instead of waiting again.

use crate::common;
use crate::sso::cli::{awsw as sso_awsw, logged_in};

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::sso::SsoServer;
use common::{Sandbox, text};

#[test]
fn a_credential_process_that_timed_out_is_not_run_again_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (runs, mark) = (dir.path().join("runs"), dir.path().join("mark"));
    let expiration = (time::OffsetDateTime::now_utc() + time::Duration::seconds(60))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    // The first run gives a session that needs renewing at once; every later run hangs.
    let script = dir.path().join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{runs}'\nif [ -e '{mark}' ]; then sleep 30; fi\ntouch '{mark}'\n\
             echo '{{\"Version\":1,\"AccessKeyId\":\"ASIAPROCESS000000001\",\"SecretAccessKey\":\"process-secret\",\"SessionToken\":\"process-token\",\"Expiration\":\"{expiration}\"}}'\n",
            runs = runs.display(),
            mark = mark.display()
        ),
    )
    .unwrap();
    let config = format!("[profile process]\ncredential_process = sh {}\n", script.display());
    let sb = Sandbox::new(&config, "");
    // Two requests to the endpoint from the served command, each timed by curl.
    let ask = "curl -s -o /dev/null -w '%{http_code} %{time_total}\\n' \
               -H \"Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN\" \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"";
    let out = sb
        .awsw(&["exec", "--server", "process", "--", "sh", "-c", &format!("{ask}; {ask}")])
        .env("AWSW_PROCESS_TIMEOUT", "2")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let answers: Vec<(u16, f64)> = stdout
        .lines()
        .map(|line| {
            let (code, secs) = line.split_once(' ').unwrap();
            (code.parse().unwrap(), secs.parse().unwrap())
        })
        .collect();
    assert_eq!(answers.len(), 2, "{stdout}");
    assert!(answers.iter().all(|(code, _)| *code == 503), "{stdout}");
    assert!(answers[0].1 >= 1.5, "the first waited for the program: {stdout}");
    assert!(answers[1].1 < 1.0, "the second did not wait again: {stdout}");
    let started = std::fs::read_to_string(&runs).unwrap().lines().count();
    assert_eq!(started, 2, "run at start and for the first renewal only");
    assert!(stderr.contains("did not finish within 2 s"), "{stderr}");
}

/// Accepts connections and closes each at once (a portal that cannot be talked to),
/// counting them.
fn closing_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut byte = [0u8; 1];
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(100)));
            let _ = stream.read(&mut byte);
        }
    });
    (port, count)
}

#[test]
fn an_unreachable_sso_portal_is_tried_once_for_every_profile() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let mut config = std::fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    for i in 0..20 {
        config.push_str(&format!(
            "\n[profile role{i}]\nsso_session = corp\nsso_account_id = 1111111111{i:02}\nsso_role_name = Admin\nregion = eu-west-1\n"
        ));
    }
    std::fs::write(sandbox.home().join(".aws/config"), config).unwrap();
    let (port, connections) = closing_server();
    let out = sso_awsw(&sandbox, &server, &["whoami", "--all"])
        .env("AWS_ENDPOINT_URL_SSO", format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert_eq!(all.matches("cannot reach IAM Identity Center").count(), 21, "every profile told: {all}");
    for dump in ["Error {", "SdkError", "DispatchFailure", "ConnectorError", "source:"] {
        assert!(!all.contains(dump), "{dump} in {all}");
    }
    // One call's attempts (the SDK tries 3 times), not 21 calls' worth.
    let made = connections.load(Ordering::SeqCst);
    assert!(made <= 3, "{made} connections: {all}");

    // The cause, named: a port nothing listens on.
    let closed = common::free_port();
    let out = sso_awsw(&sandbox, &server, &["sso", "accounts"])
        .env("AWS_ENDPOINT_URL_SSO", format!("http://127.0.0.1:{closed}"))
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("nothing accepts connections at 127.0.0.1:{closed} (connection refused)")),
        "{stderr}"
    );
    crate::net_faults::assert_plain_line(&stderr);
}
