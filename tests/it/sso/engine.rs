//! SSO roots inside the credential engine: every sink gets the role credentials, and a role
//! chained from an SSO profile is assumed (STS is moto) with them.

use crate::common::sso::SsoServer;
use crate::common::{MotoServer, text};
use crate::sso::cli::{CONFIG, awsw, logged_in};

#[test]
fn sinks_work_for_sso_profiles_and_roles_chained_from_them() {
    let (Some(server), Some(moto)) = (SsoServer::start(), MotoServer::start()) else { return };
    let sandbox = logged_in(&server);
    let chained = format!(
        "{CONFIG}\n[profile chained]\nsource_profile = dev\nrole_arn = arn:aws:iam::222222222222:role/deploy\n"
    );
    std::fs::write(sandbox.home().join(".aws/config"), chained).unwrap();
    let run = |args: &[&str]| {
        let output = awsw(&sandbox, &server, args).env("AWS_ENDPOINT_URL_STS", moto.url()).output().unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{args:?}: {stderr}");
        stdout
    };
    let json: serde_json::Value = serde_json::from_str(&run(&["credential-process", "dev"])).unwrap();
    assert!(
        json["AccessKeyId"].as_str().unwrap().starts_with("ASIA") && json["Expiration"].is_string(),
        "{json}"
    );
    let exec = run(&["exec", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWSW_PROFILE"]);
    assert_eq!(exec.trim(), format!("{} dev", json["AccessKeyId"].as_str().unwrap()));
    let env = run(&["env", "chained", "--shell", "fish"]);
    assert!(
        env.contains("set -gx AWS_SESSION_TOKEN '") && env.contains("set -gx AWSW_PROFILE 'chained'"),
        "{env}"
    );
    // One GetRoleCredentials for all of it: the rest came from the AWS CLI's cache.
    assert_eq!(server.calls("GetRoleCredentials"), 1);
    let whoami = run(&["whoami", "chained", "--json"]);
    assert!(whoami.contains("assumed-role/deploy"), "{whoami}");
}

#[test]
fn a_role_removed_since_discovery_is_named_with_the_fix() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let config = format!(
        "{CONFIG}\n[profile gone]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Removed\n"
    );
    std::fs::write(sandbox.home().join(".aws/config"), config).unwrap();
    let output = awsw(&sandbox, &server, &["env", "gone"]).output().unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("role Removed in account 111111111111 is not assigned to you"), "{stderr}");
    assert!(stdout.is_empty());
}

#[test]
fn a_legacy_sso_profile_logs_in_by_start_url_and_gets_its_role() {
    let Some(server) = SsoServer::start() else { return };
    crate::sso::cli::seed(&server);
    let legacy = "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
        sso_account_id = 222222222222\nsso_role_name = ReadOnly\n";
    let sandbox = crate::common::Sandbox::new(legacy, "");
    let output = crate::sso::cli::device_login(&sandbox, &server, &["login", "old"], "/_test/approve");
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).1.contains("logged in to profile old"), "{}", text(&output).1);
    // The legacy file is named by the start URL, and no refresh token comes without scopes.
    let token =
        crate::sso::cli::read_json(&crate::sso::cli::token_path(&sandbox, "https://old.awsapps.com/start"));
    assert!(token["refreshToken"].is_null(), "{token}");
    let env = awsw(&sandbox, &server, &["env", "old", "--shell", "bash"]).output().unwrap();
    assert!(text(&env).0.contains("export AWS_ACCESS_KEY_ID='ASIA"), "{}", text(&env).1);
}

#[test]
fn the_debug_log_tells_the_two_sso_steps_without_a_secret() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let run = || awsw(&sandbox, &server, &["env", "dev"]).env("AWSW_LOG", "debug").output().unwrap();
    let first = run();
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stderr}");
    for step in
        ["cache miss", "SSO token", "login=sso-session corp", "GetRoleCredentials", "account_id=111111111111"]
    {
        assert!(stderr.contains(step), "no {step:?} in the log:\n{stderr}");
    }
    let token = crate::sso::cli::read_json(&crate::sso::cli::token_path(&sandbox, "corp"));
    let secret = stdout.lines().find_map(|l| l.strip_prefix("export AWS_SECRET_ACCESS_KEY=")).unwrap();
    for value in [
        token["accessToken"].as_str().unwrap(),
        token["refreshToken"].as_str().unwrap(),
        secret.trim_matches('\''),
    ] {
        assert!(!stderr.contains(value), "a secret in the log:\n{stderr}");
    }
    // Again: the plan finds the role credentials cached, and the token step does not run.
    let (_, stderr) = text(&run());
    assert!(stderr.contains("cached_base=true") && !stderr.contains("SSO token"), "{stderr}");
    assert_eq!(server.calls("GetRoleCredentials"), 1);
}
