//! `awsw console`: the session reaches a local federation endpoint (strict about the request,
//! as AWS's is), the login URL goes to the `BROWSER` or to stdout with `--print-url`, and
//! never anywhere else. Sessions come from moto's STS: AssumeRole for a role profile,
//! GetFederationToken for an IAM user's long-term keys.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::http::{HttpStub, Reply, Request};
use common::{MotoServer, Sandbox, text};
use serde_json::{Value, json};

const CONFIG: &str = "\
[profile prod]
role_arn = arn:aws:iam::123456789012:role/prod-admin
source_profile = keys
region = eu-west-1

[profile china]
role_arn = arn:aws-cn:iam::123456789012:role/cn-admin
source_profile = keys
region = cn-north-1

[profile keys]
region = ap-northeast-1
";
const CREDS: &str = "[keys]\naws_access_key_id = AKIAKEYS000000EXAMPL\naws_secret_access_key = keys+secret\n";

/// Long-term keys in this test's files: the endpoint refuses them, as AWS's does.
const LONG_TERM_KEY_ID: &str = "AKIAKEYS000000EXAMPL";

/// The federation endpoint's `getSigninToken`, as strict as AWS's: GET /federation, the
/// three session fields and nothing else, temporary credentials only. (moto issues
/// federation tokens with an `AKIA` id, so "temporary" is checked as "not the long-term
/// key of this test, and with a token".)
fn federation(request: &Request, issued: &AtomicUsize) -> Reply {
    let refuse = |why: &str| Reply::json(400, json!({ "message": why }));
    if request.method != "GET" || request.path != "/federation" {
        return Reply::json(404, json!({}));
    }
    if request.param("Action") != Some("getSigninToken") {
        return refuse("Action must be getSigninToken");
    }
    if request.query.iter().any(|(k, _)| !["Action", "Session", "SessionDuration"].contains(&k.as_str())) {
        return refuse("unknown parameter");
    }
    let Some(session) = request.param("Session").and_then(|s| serde_json::from_str::<Value>(s).ok()) else {
        return refuse("Session must be JSON");
    };
    let fields = session.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let valid = fields.len() == 3
        && ["sessionId", "sessionKey", "sessionToken"]
            .iter()
            .all(|k| session[*k].as_str().is_some_and(|v| !v.is_empty()))
        && session["sessionId"] != LONG_TERM_KEY_ID;
    if !valid {
        return refuse("Session needs sessionId (temporary), sessionKey and sessionToken");
    }
    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
    Reply::json(200, json!({ "SigninToken": format!("signin-token-{n}") }))
}

struct Setup {
    _moto: MotoServer,
    stub: HttpStub,
    sb: Sandbox,
}

fn setup() -> Option<Setup> {
    let moto = MotoServer::start()?;
    let issued = AtomicUsize::new(0);
    let stub = HttpStub::start(move |r| federation(r, &issued));
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some(Setup { _moto: moto, stub, sb })
}

impl Setup {
    fn console(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.sb.awsw(&["console"]);
        cmd.args(args).env("AWSW_TEST_FEDERATION_ENDPOINT", self.stub.url("/federation"));
        cmd
    }

    fn sessions(&self) -> Vec<Value> {
        self.stub
            .requests()
            .iter()
            .filter_map(|r| r.param("Session").map(|s| serde_json::from_str(s).unwrap()))
            .collect()
    }
}

fn login_params(url: &str) -> Vec<(String, String)> {
    let parsed = url::Url::parse(url.trim()).expect("a URL");
    parsed.query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn a_role_session_signs_in_and_print_url_prints_the_login_url() {
    let Some(s) = setup() else { return };
    let out = s.console(&["prod", "--print-url"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let params = login_params(&stdout);
    assert_eq!(param(&params, "Action"), "login");
    assert_eq!(param(&params, "SigninToken"), "signin-token-1");
    assert_eq!(param(&params, "Destination"), "https://console.aws.amazon.com/console/home?region=eu-west-1");
    assert!(stdout.starts_with(&s.stub.url("/federation?")), "{stdout}");
    // The session the endpoint received is the role session awsw caches and hands out.
    let env = s.sb.awsw(&["env", "prod", "--json", "--cached-only"]).output().unwrap();
    let creds: Value = serde_json::from_slice(&env.stdout).expect("cached session");
    let sessions = s.sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["sessionId"], creds["AccessKeyId"]);
    assert_eq!(sessions[0]["sessionKey"], creds["SecretAccessKey"]);
    assert_eq!(sessions[0]["sessionToken"], creds["SessionToken"]);
    assert!(!stderr.contains("signin-token") && !stderr.contains("federation?"), "{stderr}");
}

#[test]
fn long_term_keys_get_a_federation_token_first() {
    let Some(s) = setup() else { return };
    let out =
        s.console(&["keys", "--print-url", "--service", "ec2", "--region", "us-west-2"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let params = login_params(&stdout);
    assert_eq!(param(&params, "Destination"), "https://console.aws.amazon.com/ec2/home?region=us-west-2");
    let sessions = s.sessions();
    assert_eq!(sessions.len(), 1, "{:?}", s.stub.requests());
    let id = sessions[0]["sessionId"].as_str().unwrap();
    assert_ne!(id, LONG_TERM_KEY_ID);
    assert_ne!(sessions[0]["sessionKey"], "keys+secret", "never the long-term secret");
}

#[test]
fn the_browser_gets_the_url_and_nothing_prints_it() {
    let Some(s) = setup() else { return };
    let record = s.sb.home().join("opened");
    let browser = s.sb.home().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n", record.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = s.console(&["china"]).env("BROWSER", &browser).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.is_empty(), "the URL is not printed: {stdout}");
    assert!(stderr.contains("opened the AWS console for profile china"), "{stderr}");
    assert!(!stderr.contains("signin-token"), "{stderr}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !record.exists() {
        assert!(Instant::now() < deadline, "the BROWSER script was not run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&record).unwrap();
    let params = login_params(&opened);
    assert_eq!(param(&params, "SigninToken"), "signin-token-1");
    // aws-cn role: the China console.
    assert_eq!(param(&params, "Destination"), "https://console.amazonaws.cn/console/home?region=cn-north-1");
}

#[test]
fn refusals_and_bad_arguments_say_why_without_the_secret() {
    let Some(s) = setup() else { return };
    let refusing = HttpStub::start(|_| Reply::json(403, json!({ "message": "expired" })));
    let out =
        s.sb.awsw(&["console", "prod", "--print-url"])
            .env("AWSW_TEST_FEDERATION_ENDPOINT", refusing.url("/federation"))
            .output()
            .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("profile prod: the AWS federation endpoint refused the session (HTTP 403)"),
        "{stderr}"
    );
    let session: Value = serde_json::from_str(refusing.requests()[0].param("Session").unwrap()).unwrap();
    for secret in [session["sessionKey"].as_str().unwrap(), session["sessionToken"].as_str().unwrap()] {
        assert!(!stderr.contains(secret), "{stderr}");
    }
    for (args, needle) in [
        (vec!["prod", "--service", "ec2/../../x"], "is not a service name"),
        (
            vec!["prod", "--destination", "https://evil.example/"],
            "--destination must be an https:// URL on console.aws.amazon.com",
        ),
        (vec!["nosuch"], "nosuch"),
    ] {
        let out = s.console(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out).1);
        assert!(text(&out).1.contains(needle), "{args:?}: {}", text(&out).1);
    }
    let out =
        s.sb.awsw(&["console", "prod"])
            .env("AWSW_TEST_FEDERATION_ENDPOINT", "https://example.com/federation")
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(2), "only a loopback test endpoint: {}", text(&out).1);
}

#[test]
fn the_stub_rejects_malformed_requests() {
    let issued = AtomicUsize::new(0);
    let stub = HttpStub::start(move |r| federation(r, &issued));
    let get = |query: &str| {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(stub.url(&format!("/federation?{query}")))
            .output();
        out.map(|o| text(&o).0)
    };
    let Ok(ok) = get(
        "Action=getSigninToken&Session=%7B%22sessionId%22%3A%22ASIAX%22%2C%22sessionKey%22%3A%22k%22%2C%22sessionToken%22%3A%22t%22%7D",
    ) else {
        assert!(std::env::var_os("CI").is_none(), "curl is required when CI is set");
        return;
    };
    assert_eq!(ok, "200");
    for bad in [
        "Action=login",
        "Action=getSigninToken&Session=not-json",
        "Action=getSigninToken&Session=%7B%22sessionId%22%3A%22AKIAKEYS000000EXAMPL%22%2C%22sessionKey%22%3A%22k%22%2C%22sessionToken%22%3A%22t%22%7D",
        "Action=getSigninToken&Session=%7B%22sessionId%22%3A%22ASIAX%22%2C%22sessionKey%22%3A%22k%22%7D",
        "Action=getSigninToken&Extra=1&Session=%7B%7D",
    ] {
        assert_eq!(get(bad).unwrap(), "400", "{bad}");
    }
}
