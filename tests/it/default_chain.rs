//! A profile that sets no credentials itself (the everyday `[default]` holding only
//! `region`) uses the SDKs' default chain, as `aws configure list` shows for an instance
//! role: the environment's keys, the container endpoint (here awsw's own served endpoint),
//! the instance metadata service (the local IMDSv2 server in `tests/it/imds`), else one plain
//! line saying nothing was found. As a `source_profile` it lends a role nothing.

use crate::common;
use crate::imds;

use common::{MotoServer, Sandbox, text};
use imds::{Behaviour, ImdsServer};

const CONFIG: &str = "\
[default]
region = eu-west-1

[profile keys]
region = us-east-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = keys

[profile from-default]
role_arn = arn:aws:iam::123456789012:role/x
source_profile = default
";

const CREDS: &str = "[keys]\naws_access_key_id = AKIAKEYSEXAMPLE00001\naws_secret_access_key = keys-secret\n";

const NOTHING_FOUND: &str = "no credentials were found in the environment, container or instance metadata";

fn sandbox() -> Option<(MotoServer, Sandbox)> {
    let moto = MotoServer::start()?;
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, sb))
}

fn run(cmd: &mut std::process::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

#[test]
fn a_settings_only_profile_is_listed_as_the_default_chain_and_lends_a_role_nothing() {
    let sb = Sandbox::new(CONFIG, CREDS);
    let (code, stdout, stderr) = run(&mut sb.awsw(&["list", "--json"]));
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let profile =
        |name: &str| v["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    let default = profile("default");
    assert_eq!(default["kind"], "default-chain");
    assert_eq!(default["problems"], serde_json::json!([]), "{default}");
    assert_eq!(default["region"], "eu-west-1");
    let role = profile("from-default");
    assert_eq!(role["kind"], "invalid");
    assert_eq!(role["problems"][0]["code"], "no-credentials", "{role}");
    assert!(
        role["problems"][0]["message"].as_str().unwrap().contains("source_profile \"default\""),
        "{role}"
    );
    // The table says where it comes from; doctor does not fail it.
    let (_, table, _) = run(&mut sb.awsw(&["list"]));
    let line = table.lines().find(|l| l.starts_with("default")).unwrap();
    assert!(line.contains("default-chain") || line.contains("sdk-chain"), "{table}");
}

#[test]
fn with_nothing_anywhere_choosing_it_says_so_in_one_line() {
    let Some((_moto, sb)) = sandbox() else { return };
    for args in [&["env", "default"][..], &["whoami", "default"], &["exec", "default", "--", "true"]] {
        let (code, stdout, stderr) = run(&mut sb.awsw(args));
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("profile default") && stderr.contains(NOTHING_FOUND), "{stderr}");
    }
    // whoami --all does not count it as a failure: it is only looked up when chosen.
    let (code, _, stderr) = run(&mut sb.awsw(&["whoami", "--all"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("uses the default chain") && stderr.contains("default"), "{stderr}");
}

#[test]
fn the_environment_keys_come_first() {
    let Some((_moto, sb)) = sandbox() else { return };
    let (code, stdout, stderr) = run(sb
        .awsw(&["exec", "default", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID $AWS_REGION"])
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "AKIAENVIRONMENT00001 eu-west-1");
}

#[test]
fn on_an_instance_it_is_the_instance_role() {
    let Some((_moto, sb)) = sandbox() else { return };
    let server = ImdsServer::start(Behaviour::default());
    let with_imds = |args: &[&str]| {
        let mut cmd = sb.awsw(args);
        cmd.env_remove("AWS_EC2_METADATA_DISABLED").env("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url());
        cmd
    };
    let (code, stdout, stderr) =
        run(&mut with_imds(&["exec", "default", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "ASIAIMDSINSTANCE0001");
    let (code, stdout, stderr) = run(&mut with_imds(&["whoami", "default"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("123456789012"), "{stdout}");
    assert!(!stdout.contains("imds-secret-value") && !stderr.contains("imds-secret-value"));
}

#[test]
fn inside_a_served_shell_it_is_the_container_endpoint_and_a_broken_one_is_not_skipped() {
    let Some((_moto, sb)) = sandbox() else { return };
    let awsw = env!("CARGO_BIN_EXE_awsw");
    let inner = format!("{awsw} exec default -- sh -c 'echo $AWS_ACCESS_KEY_ID'");
    let (code, stdout, stderr) = run(&mut sb.awsw(&["exec", "--server", "dev", "--", "sh", "-c", &inner]));
    assert_eq!(code, Some(0), "{stderr}");
    let key = stdout.trim();
    assert!(key.starts_with("ASIA"), "dev's role session through the endpoint: {stdout}");
    let (_, dev, _) = run(&mut sb.awsw(&["exec", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"]));
    assert_eq!(dev.trim(), key, "the same cached session of dev");

    // A container endpoint that is configured but fails stops the chain, as in the SDKs,
    // even where an instance role would answer.
    let server = ImdsServer::start(Behaviour::default());
    let (code, _, stderr) = run(sb
        .awsw(&["env", "default"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("http://127.0.0.1:{}/creds", common::free_port()))
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("ECS container credentials for profile default failed"), "{stderr}");
    assert!(server.seen().is_empty(), "the instance was not asked");
}
