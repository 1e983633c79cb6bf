//! `awsw login`, `logout` and `sso accounts` against the local SSO server: both login
//! flows, every fault of the list, silent refresh, discovery with pagination.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::sso::SsoServer;
use crate::common::{Sandbox, text};

pub const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n\
    [profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n";

pub fn seed(server: &SsoServer) {
    server.control(
        "/_test/seed",
        json!({"accounts": [
            {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com", "roles": ["Admin", "ReadOnly"]},
            {"accountId": "222222222222", "accountName": "prod", "emailAddress": "prod@example.com", "roles": ["ReadOnly"]},
            {"accountId": "333333333333", "accountName": "audit", "emailAddress": "audit@example.com", "roles": ["Audit", "Break", "Glass"]}]}),
    );
}

pub fn sandbox(_server: &SsoServer) -> Sandbox {
    Sandbox::new(CONFIG, "")
}

/// awsw pointed at the server the standard way.
pub fn awsw(sandbox: &Sandbox, server: &SsoServer, args: &[&str]) -> std::process::Command {
    let mut cmd = sandbox.awsw(args);
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", server.url()).env("AWS_ENDPOINT_URL_SSO", server.url());
    cmd
}

pub fn token_path(sandbox: &Sandbox, id: &str) -> PathBuf {
    use sha1::Digest;
    sandbox
        .home()
        .join(".aws/sso/cache")
        .join(format!("{}.json", hex::encode(sha1::Sha1::digest(id.as_bytes()))))
}

pub fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `awsw login ARGS` and answers the device prompt with `decision` through the server.
pub fn device_login(sandbox: &Sandbox, server: &SsoServer, args: &[&str], decision: &str) -> Output {
    let mut child =
        awsw(sandbox, server, args).stderr(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    // The user code is the indented line of the prompt.
    let code = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0 && Instant::now() < deadline, "no prompt: {seen}");
        seen.push_str(&line);
        if let Some(code) = line.strip_prefix("    ") {
            break code.trim().to_string();
        }
    };
    if !decision.is_empty() {
        server.control(decision, json!({"userCode": code}));
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let mut output = child.wait_with_output().unwrap();
    output.stderr = format!("{seen}{rest}").into_bytes();
    output
}

fn assert_no_secret(output: &Output, token_file: &Value) {
    let (stdout, stderr) = text(output);
    for field in ["accessToken", "refreshToken", "clientSecret"] {
        if let Some(secret) = token_file[field].as_str() {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{field} leaked:\n{stdout}\n{stderr}"
            );
        }
    }
}

#[test]
fn device_login_writes_the_cli_token_file_privately() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = sandbox(&server);
    let output = device_login(&sandbox, &server, &["login", "--device-code"], "/_test/approve");
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("logged in to sso-session corp"), "{stderr}");
    let path = token_path(&sandbox, "corp");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    let token = read_json(&path);
    for field in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(token[field].is_string(), "{field} missing: {token}");
    }
    assert!(token["expiresAt"].as_str().unwrap().ends_with('Z'));
    assert_no_secret(&output, &token);
    // A second login reuses the cached registration.
    let again = device_login(&sandbox, &server, &["login", "dev", "--device-code"], "/_test/approve");
    assert!(again.status.success(), "{}", text(&again).1);
    assert_eq!(server.state()["calls"]["RegisterClient"], 1);
}

#[test]
fn device_login_denied_or_expired_fails_and_writes_no_token() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = sandbox(&server);
    let denied = device_login(&sandbox, &server, &["login", "corp", "--device-code"], "/_test/deny");
    let (_, stderr) = text(&denied);
    assert_eq!(denied.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("sso-session corp: the login was denied in the browser: run `awsw login corp`"),
        "{stderr}"
    );
    assert!(!token_path(&sandbox, "corp").exists());
    server.control("/_test/config", json!({"deviceExpiresIn": 2}));
    let expired = device_login(&sandbox, &server, &["login", "corp", "--device-code"], "");
    let (_, stderr) = text(&expired);
    assert_eq!(expired.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the login code expired before it was approved"), "{stderr}");
    assert!(!token_path(&sandbox, "corp").exists());
}

/// A `$BROWSER` that follows the authorize page's redirect to awsw's loopback listener.
fn browser_script(sandbox: &Sandbox) -> PathBuf {
    let path = sandbox.home().join("browser.sh");
    std::fs::write(&path, "#!/bin/sh\nexec python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \"$1\"\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn pkce_login_through_the_loopback_and_its_faults() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = sandbox(&server);
    let browser = browser_script(&sandbox);
    let login = |decision: &str| {
        server.control("/_test/config", json!({"authorizeDecision": decision}));
        awsw(&sandbox, &server, &["login", "corp"]).env("BROWSER", &browser).output().unwrap()
    };
    for (decision, want) in
        [("deny", "the login was denied"), ("wrong-state", "did not carry the state awsw sent")]
    {
        let output = login(decision);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(want), "{stderr}");
        assert!(!token_path(&sandbox, "corp").exists());
    }
    let output = login("approve");
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("/authorize?response_type=code"), "{stderr}");
    let token = read_json(&token_path(&sandbox, "corp"));
    assert!(token["refreshToken"].is_string(), "{token}");
    assert_no_secret(&output, &token);
    assert_eq!(server.state()["calls"]["StartDeviceAuthorization"], Value::Null);
}

pub fn logged_in(server: &SsoServer) -> Sandbox {
    seed(server);
    let sandbox = sandbox(server);
    let output = device_login(&sandbox, server, &["login", "corp", "--device-code"], "/_test/approve");
    assert!(output.status.success(), "{}", text(&output).1);
    sandbox
}

#[test]
fn sso_accounts_lists_every_page_and_caches_without_secrets() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    server.control("/_test/config", json!({"pageSize": 1}));
    let output = awsw(&sandbox, &server, &["sso", "accounts", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let roles: Vec<usize> =
        value["accounts"].as_array().unwrap().iter().map(|a| a["roles"].as_array().unwrap().len()).collect();
    assert_eq!(roles, [2, 1, 3]);
    assert_eq!(value["accounts"][2]["accountName"], "audit");
    let lines = awsw(&sandbox, &server, &["sso", "accounts", "corp"]).output().unwrap();
    assert!(text(&lines).0.contains("333333333333\taudit\tGlass\taudit@example.com\n"), "{}", text(&lines).0);
    // --cached reads the cache only: the portal can be gone.
    let cached = sandbox
        .awsw(&["sso", "accounts", "--cached", "--json"])
        .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let cached: Value = serde_json::from_str(&text(&cached).0).unwrap();
    assert_eq!(cached["accounts"], value["accounts"]);
    let token = read_json(&token_path(&sandbox, "corp"));
    let cache_files: Vec<_> =
        std::fs::read_dir(sandbox.cache_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    for file in cache_files {
        let body = std::fs::read_to_string(&file).unwrap();
        assert!(!body.contains(token["accessToken"].as_str().unwrap()), "{}", file.display());
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn an_expired_token_is_refreshed_silently_and_written_back() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let path = token_path(&sandbox, "corp");
    let mut token = read_json(&path);
    let old_access = token["accessToken"].as_str().unwrap().to_string();
    token["expiresAt"] = json!("2020-01-01T00:00:00Z");
    std::fs::write(&path, token.to_string()).unwrap();
    let output = awsw(&sandbox, &server, &["sso", "accounts"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    let fresh = read_json(&path);
    assert_ne!(fresh["accessToken"].as_str().unwrap(), old_access);
    assert!(fresh["expiresAt"].as_str().unwrap() > "2026");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

fn fails_with(output: &Output, want: &str) {
    let (stdout, stderr) = text(output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(want), "wanted {want:?} in {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn faults_get_one_line_naming_the_session_and_the_fix() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let run = |args: &[&str]| awsw(&sandbox, &server, args).output().unwrap();
    let config = sandbox.home().join(".aws/config");
    std::fs::write(&config, format!("{CONFIG}\n[sso-session half]\nsso_region = us-east-1\n")).unwrap();
    fails_with(&run(&["login", "half"]), "[sso-session half] lacks sso_start_url");
    // Without a terminal to ask on, several sessions and no name is a usage error.
    let several = run(&["login"]);
    assert_eq!(several.status.code(), Some(2), "{}", text(&several).1);
    assert!(text(&several).1.contains("the config has several sso-sessions (corp, half): name one"));
    fails_with(&run(&["login", "nope"]), "no [sso-session nope] and no SSO profile named \"nope\"");
    std::fs::write(&config, CONFIG).unwrap();
    let unreachable = sandbox
        .awsw(&["sso", "accounts"])
        .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .output()
        .unwrap();
    fails_with(&unreachable, "sso-session corp: cannot reach IAM Identity Center at http://127.0.0.1:9");
    let path = token_path(&sandbox, "corp");
    let good = std::fs::read(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    fails_with(&run(&["sso", "accounts"]), "is readable by other users, so awsw does not trust it");
    std::fs::write(&path, b"{\"accessToken\": ").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    fails_with(&run(&["sso", "accounts"]), "is not a valid token");
    std::fs::write(&path, &good).unwrap();
    server.control("/_test/revoke", json!({}));
    fails_with(
        &run(&["sso", "accounts"]),
        "rejected the token (signed out or revoked): run `awsw login corp`",
    );
    std::fs::remove_file(&path).unwrap();
    fails_with(&run(&["sso", "accounts"]), "sso-session corp: not logged in: run `awsw login corp`");
}

#[test]
fn logout_signs_out_and_deletes_the_token() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let output = awsw(&sandbox, &server, &["logout"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(!token_path(&sandbox, "corp").exists());
    assert_eq!(server.state()["calls"]["Logout"], 1);
    let again = awsw(&sandbox, &server, &["logout", "corp"]).output().unwrap();
    assert!(again.status.success());
    assert!(text(&again).1.contains("not logged in"), "{}", text(&again).1);
}

#[test]
fn a_cached_discovery_of_a_large_organisation_is_read_back() {
    let sandbox = Sandbox::new(CONFIG, "");
    let accounts: Vec<Value> = (0..8000)
        .map(|i| {
            json!({"accountId": format!("{:012}", 100_000_000_000u64 + i), "accountName": format!("account-{i:04}"),
                "emailAddress": format!("aws+{i}@example.com"), "roles": ["Admin", "ReadOnly", "Billing"]})
        })
        .collect();
    let cache = json!({"version": 1, "session": "corp", "startUrl": "https://corp.awsapps.com/start",
        "fetchedAt": "2026-11-25T00:00:00Z", "accounts": accounts})
    .to_string();
    assert!(cache.len() > 1 << 20, "more than the 1 MiB other caches stop at");
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    use sha1::Digest;
    let path = dir.join(format!("sso-accounts-{}.json", hex::encode(sha1::Sha1::digest(b"corp"))));
    std::fs::write(&path, cache).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = sandbox.awsw(&["sso", "accounts", "--cached"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(text(&output).0.lines().count(), 24_000);
}
