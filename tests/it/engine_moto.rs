//! The engine end to end: the built binary against a local moto STS server, and the real
//! AWS CLI sharing sessions with awsw.

use crate::common;

use common::{MotoServer, Sandbox, require, text};

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::123456789012:role/acme-prod-admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = ap-northeast-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/acme-dev
source_profile = plain
region = us-west-2

[profile plain-alias]
role_arn = arn:aws:iam::123456789012:role/acme-readonly
source_profile = plain
region = eu-central-1
";

const CREDS: &str = "\
[base]
aws_access_key_id = AKIABASE0000EXAMPLE1
aws_secret_access_key = base+LONGTERM+secret+do+not+leak+0001

[plain]
aws_access_key_id = AKIAPLAIN000EXAMPLE2
aws_secret_access_key = plain+LONGTERM+secret+do+not+leak+0002
";

fn sandbox() -> Option<(MotoServer, Sandbox)> {
    let moto = MotoServer::start()?;
    let sandbox = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, sandbox))
}

fn secrets_absent(text: &str) {
    assert!(!text.contains("LONGTERM"), "a long-term secret leaked: {text}");
}

#[test]
fn whoami_reports_a_static_profile_without_mfa() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["whoami", "base", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["account"], "123456789012");
    assert_eq!(v["source"], "static");
    assert_eq!(v["expiration"], serde_json::Value::Null);
    secrets_absent(&stdout);
}

#[test]
fn a_role_with_mfa_works_once_and_then_from_the_cache() {
    let Some((_moto, sb)) = sandbox() else { return };
    // No terminal and no code: a clear error, not a hang.
    let out = sb.awsw(&["env", "prod"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("profile prod needs a code from MFA device"), "{stderr}");
    assert!(stderr.contains("pass --mfa-code CODE, or set mfa_process"), "{stderr}");
    // With a code: exports for bash, the assumed role's session.
    let out = sb.awsw(&["env", "prod", "--mfa-code", "123456", "--shell", "bash"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("export AWS_ACCESS_KEY_ID='ASIA"), "{stdout}");
    assert!(stdout.contains("export AWSW_PROFILE='prod'"));
    assert!(stdout.contains("export AWS_REGION='ap-northeast-1'"));
    assert!(stdout.contains("unset AWS_PROFILE"));
    secrets_absent(&stdout);
    // The session is cached: whoami needs no code and says so.
    let out = sb.awsw(&["whoami", "prod", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["source"], "cache");
    assert!(v["arn"].as_str().unwrap().contains("assumed-role/acme-prod-admin/"), "{v}");
    assert!(v["expiration"].is_string());
    // Cache files are private.
    use std::os::unix::fs::PermissionsExt;
    let dir_mode = std::fs::metadata(sb.cache_dir()).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
    for entry in std::fs::read_dir(sb.cache_dir()).unwrap().flatten() {
        assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", entry.path());
        secrets_absent(&std::fs::read_to_string(entry.path()).unwrap());
    }
    // --cached-only now works without a code.
    let out = sb.awsw(&["env", "prod", "--cached-only", "--shell", "fish"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out).0.contains("set -gx AWS_SESSION_TOKEN '"));
}

#[test]
fn cached_only_without_a_session_prints_one_line_and_nothing_to_stdout() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["env", "prod", "--cached-only"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("awsw env prod"), "{stderr}");
}

#[test]
fn exec_runs_the_command_with_the_session_and_returns_its_status() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb
        .awsw(&[
            "exec",
            "dev",
            "--",
            "sh",
            "-c",
            "echo $AWSW_PROFILE $AWS_REGION ${AWS_SESSION_TOKEN:+token}; exit 7",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert_eq!(stdout.trim(), "dev us-west-2 token");
    let out = sb.awsw(&["exec", "dev", "--", "no-such-program-awsw"]).output().unwrap();
    assert_eq!(out.status.code(), Some(127));
}

#[test]
fn credential_process_prints_version_1_json() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["credential-process", "dev"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(v["SessionToken"].is_string() && v["Expiration"].is_string());
}

#[test]
fn plain_static_profiles_export_temporary_keys_only() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["env", "plain", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains("AKIAPLAIN000EXAMPLE2"), "{stdout}");
    secrets_absent(&stdout);
}

#[test]
fn unknown_profiles_and_bad_codes_are_usage_errors() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["env", "prdo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("did you mean prod"), "{}", text(&out).1);
    let out = sb.awsw(&["env", "prod", "--mfa-code", "12ab"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("6 digits"));
}

#[test]
fn an_unreachable_sts_fails_fast_with_the_endpoint_named() {
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(format!("http://127.0.0.1:{}", common::free_port()));
    let started = std::time::Instant::now();
    let out = sb.awsw(&["whoami", "dev"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("cannot reach STS at http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("(connection refused)"), "the cause, readable: {stderr}");
    assert!(!stderr.contains('{') && !stderr.contains("Some("), "no Debug dump: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    secrets_absent(&stderr);
}

#[test]
fn the_aws_cli_and_awsw_share_sessions_both_ways() {
    if !require("aws") {
        return;
    }
    let Some((_moto, sb)) = sandbox() else { return };
    // awsw assumes the MFA role; the AWS CLI sees the assumed role inside exec.
    let out = sb
        .awsw(&[
            "exec",
            "prod",
            "--mfa-code",
            "123456",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let arn =
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["Arn"].as_str().unwrap().to_string();
    assert!(arn.contains("assumed-role/acme-prod-admin/"), "{arn}");
    // `aws --profile prod` reuses awsw's session: no MFA prompt (stdin is closed, so a
    // prompt would fail), the same assumed-role ARN.
    let out = sb
        .command("aws")
        .args(["--profile", "prod", "sts", "get-caller-identity", "--output", "json"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "the CLI did not reuse awsw's session: {stderr}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["Arn"], arn.as_str());
    // The other way: a role the CLI assumed (and cached) is used by awsw as a cached session.
    let out = sb
        .command("aws")
        .args(["--profile", "plain-alias", "sts", "get-caller-identity", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let out = sb.awsw(&["whoami", "plain-alias", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["source"], "cache", "{stdout}");
}

#[test]
fn whoami_all_asks_everything_that_needs_no_prompt_and_names_the_rest() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["whoami", "--all", "--json"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let profiles: Vec<&str> = lines.iter().map(|v| v["profile"].as_str().unwrap()).collect();
    // File order; `base` switches with MFA, but its keys answer GetCallerIdentity without one.
    assert_eq!(profiles, ["base", "dev", "plain-alias", "plain"], "{stdout}");
    assert_eq!(lines[0]["source"], "static");
    assert_eq!(lines[1]["source"], "fresh");
    assert!(lines[1]["arn"].as_str().unwrap().contains(":assumed-role/acme-dev/"), "{stdout}");
    assert!(stderr.contains("needs an MFA code: prod"), "{stderr}");
    secrets_absent(&stdout);
    secrets_absent(&stderr);

    // One code later, prod's session is cached and --all includes it without asking.
    let out = sb.awsw(&["env", "prod", "--mfa-code", "123456"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let out = sb.awsw(&["whoami", "--all"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let prod = stdout.lines().find(|l| l.starts_with("prod\t")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(prod.contains("assumed-role/acme-prod-admin"), "{prod}");
    assert!(!stderr.contains("not asked"), "{stderr}");
}

#[test]
fn a_malformed_mfa_code_is_a_usage_error_even_when_no_code_is_needed() {
    let Some((_moto, sb)) = sandbox() else { return };
    // `dev` needs no code: the flag is still checked, before anything else happens.
    for (code, why) in [("12", "it has 2 digits"), ("12ab56", "only the digits 0-9")] {
        let out = sb.awsw(&["env", "dev", "--mfa-code", code]).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains(why), "{stderr}");
    }
}

/// Answers every request with `status` and an HTML body, as a web server that is not STS does.
fn not_sts_server(status: u16) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let body = "<html><body>Not Found</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn an_endpoint_that_is_not_sts_is_named_as_such() {
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(not_sts_server(404));
    let out = sb.awsw(&["whoami", "dev"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("with HTTP 404 and no STS error: it is probably not an STS endpoint"),
        "{stderr}"
    );
    assert!(!stderr.contains("Unknown"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_shell_that_cannot_start_fails_before_the_banner() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb.awsw(&["shell", "dev", "--shell", "/nonexistent/sh"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(127), "{stderr}");
    assert!(stderr.contains("cannot start /nonexistent/sh"), "{stderr}");
    assert!(!stderr.contains("type `exit`"), "the banner came first: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn cached_only_on_an_sso_profile_without_a_token_says_to_log_in() {
    let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n\
[profile sso-dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n";
    let sb = Sandbox::new(config, "");
    let out = sb.awsw(&["env", "sso-dev", "--cached-only"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("run `awsw login corp`"), "{stderr}");
    assert!(!stderr.contains("awsw env sso-dev"), "renewing in awsw would not help: {stderr}");
}

#[test]
fn awsw_log_debug_tells_the_plan_and_each_step_without_a_secret() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb
        .awsw(&["env", "prod", "--mfa-code", "123456", "--shell", "bash"])
        .env("AWSW_LOG", "debug")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for needle in [
        "plan",
        "profile=prod",
        "root=base",
        "GetSessionToken",
        "MFA code needed",
        "AssumeRole",
        "cache miss",
    ] {
        assert!(stderr.contains(needle), "no {needle:?} in the log:\n{stderr}");
    }
    assert!(stderr.contains("arn:aws:iam::123456789012:role/acme-prod-admin"), "{stderr}");
    assert!(stderr.lines().all(|l| l.contains("DEBUG")), "only awsw's own debug lines: {stderr}");
    // Neither the long-term secret, the MFA code, nor any exported secret reaches the log.
    secrets_absent(&stderr);
    assert!(!stderr.contains("123456\n") && !stderr.contains("code=123456"), "{stderr}");
    for line in stdout.lines().filter(|l| l.contains("SECRET_ACCESS_KEY") || l.contains("SESSION_TOKEN")) {
        let value = line.split('\'').nth(1).expect("quoted value");
        assert!(!stderr.contains(value), "a session secret leaked into the log");
    }
    // The second time the plan finds the role's session in the cache.
    let out = sb.awsw(&["env", "prod", "--shell", "bash"]).env("AWSW_LOG", "debug").output().unwrap();
    let (_, stderr) = text(&out);
    assert!(stderr.contains("cached_hop=Some(\"prod\")"), "{stderr}");
    assert!(!stderr.contains("AssumeRole"), "{stderr}");
    // Without AWSW_LOG nothing is logged.
    let out = sb.awsw(&["env", "prod", "--shell", "bash"]).output().unwrap();
    assert_eq!(text(&out).1, "");
}

#[test]
fn web_identity_sessions_are_named_after_the_local_user_or_role_session_name() {
    let Some(moto) = MotoServer::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.").unwrap();
    let config = format!(
        "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {t}\n\
         region = us-east-1\n\n[profile web-named]\nrole_arn = arn:aws:iam::123456789012:role/web\n\
         web_identity_token_file = {t}\nrole_session_name = pipeline-7\nregion = us-east-1\n",
        t = token.display()
    );
    let sb = Sandbox::new(&config, "").with_endpoint(moto.url());
    for (profile, name) in [("web", "tester"), ("web-named", "pipeline-7")] {
        let out = sb.awsw(&["whoami", profile, "--json"]).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(v["arn"].as_str().unwrap().ends_with(&format!("assumed-role/web/{name}")), "{stdout}");
    }
}

#[test]
fn whoami_all_says_which_identities_come_from_cached_sessions() {
    let Some((_moto, sb)) = sandbox() else { return };
    let first = sb.awsw(&["whoami", "--all"]).output().unwrap();
    let (_, stderr) = text(&first);
    assert!(!stderr.contains("from cached sessions"), "nothing was cached yet: {stderr}");
    let second = sb.awsw(&["whoami", "--all"]).output().unwrap();
    let (stdout, stderr) = text(&second);
    assert_eq!(second.status.code(), Some(0), "{stderr}");
    let line = stderr.lines().find(|l| l.contains("from cached sessions")).unwrap_or_default();
    assert!(line.contains("dev") && line.contains("plain-alias"), "{stderr}");
    assert!(!line.contains("base"), "static keys are asked each time: {stderr}");
    // stdout keeps its three columns.
    assert!(stdout.lines().all(|l| l.split('\t').count() == 3), "{stdout}");
}

#[test]
fn an_endpoint_that_is_not_identity_center_is_named_as_such() {
    let config =
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n";
    let sb = Sandbox::new(config, "").with_endpoint(not_sts_server(404));
    let out = sb.awsw(&["login", "corp", "--device-code", "--no-browser"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 404") && stderr.contains("probably not IAM Identity Center"), "{stderr}");
    assert!(!stderr.contains("Unknown"), "{stderr}");
}
