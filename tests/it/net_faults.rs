//! One line per cause when STS cannot be used, against real local servers: a port nothing
//! listens on, a host name that cannot resolve, TLS spoken to a plain-HTTP server and to one
//! with a self-signed certificate, a strict STS stand-in that answers 503, and one whose clock
//! is an hour ahead (it refuses stale signatures as STS does; the SDK corrects and signs again,
//! and awsw says how far off the local clock is).

use crate::common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::http::{HttpStub, Reply, Request};
use common::{Sandbox, text};
use time::OffsetDateTime;

const CONFIG: &str = "\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/acme-dev
source_profile = plain
region = us-west-2

[profile plain]
region = us-west-2
";

const CREDS: &str = "\
[plain]
aws_access_key_id = AKIAPLAIN000EXAMPLE2
aws_secret_access_key = plain+LONGTERM+secret+do+not+leak+0002
";

/// `awsw whoami dev` against `endpoint`: the exit code and stderr.
fn whoami(endpoint: &str) -> (Option<i32>, String, String) {
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(endpoint.to_string());
    let out = sb.awsw(&["whoami", "dev"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

/// One line, no SDK dump, no secret.
pub fn assert_plain_line(stderr: &str) {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for dump in ["Error {", "SdkError", "DispatchFailure", "ConnectorError", "source:", "LONGTERM"] {
        assert!(!stderr.contains(dump), "{dump} in {stderr}");
    }
}

#[test]
fn a_closed_port_is_named_as_refused() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, _, stderr) = whoami(&format!("http://127.0.0.1:{port}"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("nothing accepts connections at 127.0.0.1:{port} (connection refused)")),
        "{stderr}"
    );
    assert_plain_line(&stderr);
}

#[test]
fn a_host_that_does_not_resolve_is_named() {
    let (code, _, stderr) = whoami("https://nosuch.invalid");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("the host name nosuch.invalid does not resolve (DNS)"), "{stderr}");
    assert_plain_line(&stderr);
}

#[test]
fn tls_spoken_to_plain_http_says_to_write_http() {
    let stub = HttpStub::start(|_| Reply { status: 200, headers: Vec::new(), body: String::new() });
    let (code, _, stderr) = whoami(&format!("https://127.0.0.1:{}", stub.port));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("the TLS handshake with 127.0.0.1 failed"), "{stderr}");
    assert!(stderr.contains("write http://"), "{stderr}");
    assert_plain_line(&stderr);
}

/// `openssl s_server` with a fresh self-signed certificate, on a free port.
fn self_signed_server(dir: &std::path::Path) -> Option<(Child, u16)> {
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "openssl is needed for the TLS test");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((child, port));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("openssl s_server did not start");
}

#[test]
fn a_self_signed_certificate_is_named_as_untrusted() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut server, port)) = self_signed_server(dir.path()) else { return };
    let (code, _, stderr) = whoami(&format!("https://127.0.0.1:{port}"));
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("the TLS certificate of 127.0.0.1 is not trusted"), "{stderr}");
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
    assert_plain_line(&stderr);
}

/// An STS stand-in as strict as STS about the request (POST /, form body with `Action` and
/// `Version`, a SigV4 `Authorization` for sts, `X-Amz-Date` within 15 minutes of its clock),
/// whose clock is `offset` from this one; `outage` makes it answer every good request after
/// the first `healthy` with that 5xx, as STS does in an outage.
fn strict_sts(offset: time::Duration, outage: Option<u16>, healthy: usize) -> HttpStub {
    let served = std::sync::atomic::AtomicUsize::new(0);
    HttpStub::start(move |request| {
        let now = OffsetDateTime::now_utc() + offset;
        let down = outage.filter(|_| served.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= healthy);
        let mut reply = answer(request, now, down);
        reply.headers.push(("Date".into(), http_date(now)));
        reply
    })
}

fn answer(request: &Request, now: OffsetDateTime, outage: Option<u16>) -> Reply {
    let signed = request.header("authorization").is_some_and(|a| {
        a.starts_with("AWS4-HMAC-SHA256 Credential=")
            && a.contains("/sts/aws4_request")
            && a.contains("Signature=")
    });
    let action = request.form_param("Action").unwrap_or_default();
    if request.method != "POST" || request.path != "/" || request.form_param("Version") != Some("2011-06-15")
    {
        return error(400, "Sender", "InvalidAction", "Could not find operation for this request");
    }
    let Some(sent) = request.header("x-amz-date").and_then(amz_date).filter(|_| signed) else {
        return error(403, "Sender", "IncompleteSignature", "Request is missing Authentication Token");
    };
    let window = time::Duration::minutes(15);
    if sent < now - window {
        let message = format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            amz(sent),
            amz(now - window),
            amz(now)
        );
        return error(403, "Sender", "SignatureDoesNotMatch", &message);
    }
    if sent > now + window {
        let message = format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            amz(sent),
            amz(now + window),
            amz(now)
        );
        return error(403, "Sender", "SignatureDoesNotMatch", &message);
    }
    if let Some(status) = outage {
        return error(
            status,
            "Receiver",
            "ServiceUnavailable",
            "Service is unavailable. Please try again later.",
        );
    }
    match action {
        "GetCallerIdentity" => xml(
            200,
            "GetCallerIdentity",
            "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAALICE</UserId><Account>123456789012</Account>",
        ),
        "AssumeRole" => {
            let expiration = (now + time::Duration::hours(1))
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let result = format!(
                "<Credentials><AccessKeyId>ASIASKEWED0000000001</AccessKeyId><SecretAccessKey>skewed-secret</SecretAccessKey><SessionToken>skewed-token</SessionToken><Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/acme-dev/alice</Arn><AssumedRoleId>AROAX:alice</AssumedRoleId></AssumedRoleUser>"
            );
            xml(200, "AssumeRole", &result)
        }
        _ => error(400, "Sender", "InvalidAction", "Could not find operation"),
    }
}

fn xml(status: u16, action: &str, result: &str) -> Reply {
    let body = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></{action}Response>"
    );
    Reply { status, headers: vec![("Content-Type".into(), "text/xml".into())], body }
}

fn error(status: u16, kind: &str, code: &str, message: &str) -> Reply {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>"
    );
    Reply { status, headers: vec![("Content-Type".into(), "text/xml".into())], body }
}

fn amz(t: OffsetDateTime) -> String {
    t.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z")).unwrap()
}

fn amz_date(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(text, format).ok().map(|t| t.assume_utc())
}

fn http_date(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(format).unwrap()
}

#[test]
fn an_sts_outage_names_the_status_and_says_to_try_again() {
    let stub = strict_sts(time::Duration::ZERO, Some(503), 0);
    let (code, _, stderr) = whoami(&stub.url(""));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("with HTTP 503 (ServiceUnavailable)"), "{stderr}");
    assert!(stderr.contains("a fault on AWS's side"), "{stderr}");
    assert!(stderr.contains("try again in a minute"), "{stderr}");
    assert_plain_line(&stderr);
    // The SDK's retries were spent first: a 5xx is worth trying again.
    assert!(stub.requests().len() >= 2, "{:?}", stub.requests().len());
}

/// An answer that arrives but holds no credentials (a stand-in that is not STS, a proxy's
/// page) is named as such, not as a network fault (it once said "cannot reach STS").
#[test]
fn an_answer_without_credentials_is_not_called_unreachable() {
    let no_credentials = HttpStub::start(|request| match request.form_param("Action") {
        Some("AssumeRole") => xml(
            200,
            "AssumeRole",
            "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/acme-dev/alice</Arn><AssumedRoleId>AROAX:alice</AssumedRoleId></AssumedRoleUser>",
        ),
        _ => error(400, "Sender", "InvalidAction", "Could not find operation"),
    });
    let html = HttpStub::start(|_| Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: "<html><body>Welcome to the proxy</body></html>".into(),
    });
    let expected = [
        (
            &no_credentials,
            "answered AssumeRole for profile dev, but not with anything awsw can use (no credentials in it)",
        ),
        (
            &html,
            "answered AssumeRole for profile dev with HTTP 200 and no STS error: it is probably not an STS endpoint",
        ),
    ];
    for (stub, says) in expected {
        let (code, _, stderr) = whoami(&stub.url(""));
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains("cannot reach"), "{stderr}");
        assert_plain_line(&stderr);
    }
}

#[test]
fn a_clock_an_hour_behind_is_named_with_the_offset_and_the_fix() {
    let stub = strict_sts(time::Duration::hours(1), None, 0);
    let (code, stdout, stderr) = whoami(&stub.url(""));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("assumed-role/acme-dev"), "{stdout}");
    assert!(stderr.contains("this computer's clock is 1h00m behind AWS's"), "{stderr}");
    assert!(stderr.contains("timedatectl set-ntp true"), "{stderr}");
    assert_plain_line(&stderr);
    // STS refused the first signature, as it would: the offset came from its answer.
    let refused = stub.requests().iter().filter(|r| r.form_param("Action").is_some()).count();
    assert!(refused >= 3, "one refused and two accepted calls: {refused}");
}

/// Every provider's failure, as `whoami` shows it: one plain line naming the profile,
/// never an SDK `Debug` dump. STS (for the role each one leads to) is a closed port.
#[test]
fn no_provider_failure_shows_an_sdk_dump() {
    let closed = common::free_port();
    let token = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(token.path(), "eyJhbGciOiJub25lIn0.e30.").unwrap();
    let config = format!(
        "{CONFIG}
[profile from-env]
role_arn = arn:aws:iam::123456789012:role/deploy
credential_source = Environment
region = us-east-1

[profile ecs]
role_arn = arn:aws:iam::123456789012:role/ecs
credential_source = EcsContainer
region = us-east-1

[profile web]
role_arn = arn:aws:iam::123456789012:role/web
web_identity_token_file = {}
region = us-east-1

[profile process]
credential_process = sh -c 'echo \"broken: the vault is sealed\" >&2; exit 3'
",
        token.path().display()
    );
    let sb = Sandbox::new(&config, CREDS).with_endpoint(format!("http://127.0.0.1:{closed}"));
    let container = format!("http://127.0.0.1:{closed}/creds");
    let refused = format!("nothing accepts connections at 127.0.0.1:{closed} (connection refused)");
    for (profile, expect) in [
        ("plain", refused.as_str()),
        ("dev", &refused),
        ("from-env", &refused),
        ("ecs", &format!("ECS container credentials for profile ecs failed: {refused}")),
        ("web", &format!("web identity credentials for profile web failed: {refused}")),
        ("process", "the vault is sealed"),
    ] {
        let out = sb
            .awsw(&["whoami", profile])
            .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
            .env("AWS_SECRET_ACCESS_KEY", "env+LONGTERM+secret")
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &container)
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{profile}: {stderr}");
        assert!(stderr.contains(expect), "{profile}: {stderr}");
        assert_plain_line(&stderr);
        assert!(!stderr.contains("env+LONGTERM"), "{profile}: {stderr}");
    }
}

#[test]
fn the_endpoints_error_answer_is_one_plain_sentence() {
    // STS works for the session the command starts with, then is down; every session is
    // stale for the endpoint at once (3600 s must remain of a 3600 s role session).
    let stub = strict_sts(time::Duration::ZERO, Some(503), 2);
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(stub.url(""));
    let ask = "curl -s -w '\\n%{http_code}\\n' -H \"Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN\" \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"";
    let out = sb
        .awsw(&["exec", "--server", "dev", "--", "sh", "-c", ask])
        .env("AWSW_MIN_REMAINING", "3600")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let (body, status) = stdout.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(status, "503", "{stdout}");
    let answer: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(answer["Code"], "AwswRenewalNeeded", "{body}");
    let message = answer["Message"].as_str().unwrap();
    assert!(message.contains("with HTTP 503 (ServiceUnavailable): a fault on AWS's side"), "{message}");
    assert_plain_line(message);
    for dump in ["Error {", "SdkError", "DispatchFailure", "ConnectorError", "source:"] {
        assert!(!stderr.contains(dump), "{dump} in {stderr}");
    }
}
