//! `credential_source = Ec2InstanceMetadata` (and `EcsContainer`, `Environment`) with
//! `role_arn`, end to end: the built binary, the local IMDS server in `tests/imds`, moto's STS
//! for the role. Every failure mode of the metadata service is one plain line naming the
//! profile.

use crate::common;
use crate::imds;

use std::time::Duration;

use common::{MotoServer, Sandbox, text};
use imds::{Behaviour, ImdsServer};

const CONFIG: &str = "\
[profile web]
role_arn = arn:aws:iam::123456789012:role/web
credential_source = Ec2InstanceMetadata
region = us-east-1

[profile ecs]
role_arn = arn:aws:iam::123456789012:role/ecs
credential_source = EcsContainer
region = us-east-1

[profile from-env]
role_arn = arn:aws:iam::123456789012:role/deploy
credential_source = Environment
region = us-east-1
";

/// `awsw ARGS` in a sandbox whose metadata service is `imds_url`.
fn awsw(sb: &Sandbox, imds_url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sb
        .awsw(args)
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_url)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

fn sandbox() -> Option<(MotoServer, Sandbox)> {
    let moto = MotoServer::start()?;
    let sb = Sandbox::new(CONFIG, "").with_endpoint(moto.url());
    Some((moto, sb))
}

#[test]
fn whoami_and_exec_assume_the_role_from_the_instance_role() {
    let Some((_moto, sb)) = sandbox() else { return };
    let server = ImdsServer::start(Behaviour::default());
    let (code, stdout, stderr) = awsw(&sb, &server.url(), &["whoami", "web"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("arn:aws:sts::123456789012:assumed-role/web/"), "{stdout}");
    // IMDSv2 as the real service wants it: a token with a TTL first, then GETs that carry it.
    let seen = server.seen();
    assert_eq!(seen[0].method, "PUT", "{seen:?}");
    assert!(seen[0].ttl.is_some() && seen[0].status == 200, "{seen:?}");
    let gets: Vec<_> = seen.iter().filter(|s| s.method == "GET").collect();
    assert_eq!(gets.len(), 2, "{seen:?}");
    assert!(gets.iter().all(|s| s.token.is_some() && s.status == 200), "{seen:?}");
    assert_eq!(gets[1].path, "/latest/meta-data/iam/security-credentials/web-instance");

    let (code, stdout, stderr) =
        awsw(&sb, &server.url(), &["exec", "web", "--", "sh", "-c", "echo $AWSW_PROFILE $AWS_ACCESS_KEY_ID"]);
    assert_eq!(code, Some(0), "{stderr}");
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(words[0], "web");
    assert!(words[1].starts_with("ASIA") && words[1] != "ASIAIMDSINSTANCE0001", "the role's keys: {stdout}");
    assert!(!stdout.contains("imds-secret-value") && !stderr.contains("imds-secret-value"));
}

/// One line on stderr, naming the profile, without an SDK `Debug` dump.
fn plain_failure(code: Option<i32>, stderr: &str, expect: &str) {
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("profile web") && stderr.contains(expect), "{stderr}");
    assert!(!stderr.contains('{') && !stderr.contains("Some(") && !stderr.contains("Error {"), "{stderr}");
}

#[test]
fn each_failure_of_the_metadata_service_is_one_plain_line() {
    let Some((_moto, sb)) = sandbox() else { return };
    let nothing = format!("http://127.0.0.1:{}", common::free_port());
    let (code, _, stderr) = awsw(&sb, &nothing, &["whoami", "web"]);
    plain_failure(code, &stderr, "no instance metadata service answers at");
    assert!(stderr.contains("(connection refused)") && !stderr.contains("os error"), "{stderr}");

    let no_role = ImdsServer::start(Behaviour { role: None, ..Behaviour::default() });
    let (code, _, stderr) = awsw(&sb, &no_role.url(), &["whoami", "web"]);
    plain_failure(code, &stderr, "no IAM role attached");

    let refused = ImdsServer::start(Behaviour { refuse_tokens: true, ..Behaviour::default() });
    let (code, _, stderr) = awsw(&sb, &refused.url(), &["exec", "web", "--", "true"]);
    plain_failure(code, &stderr, "gave no IMDSv2 token (HTTP 403");
    assert!(refused.seen().iter().all(|s| s.method == "PUT"), "no GET without a token");

    // The Rust SDK has no IMDSv1 fallback: a service without tokens is named as such.
    let v1 = ImdsServer::start(Behaviour { v1_only: true, tokens_required: false, ..Behaviour::default() });
    let (code, _, stderr) = awsw(&sb, &v1.url(), &["whoami", "web"]);
    plain_failure(code, &stderr, "gave no IMDSv2 token");

    let slow = ImdsServer::start(Behaviour { delay: Duration::from_secs(4), ..Behaviour::default() });
    let started = std::time::Instant::now();
    let (code, _, stderr) = awsw(&sb, &slow.url(), &["whoami", "web"]);
    plain_failure(code, &stderr, "did not answer in time");
    assert!(started.elapsed() < Duration::from_secs(15), "bounded: {:?}", started.elapsed());

    let good = ImdsServer::start(Behaviour::default());
    let out = sb
        .awsw(&["whoami", "web"])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", good.url())
        .output()
        .unwrap();
    plain_failure(out.status.code(), &text(&out).1, "AWS_EC2_METADATA_DISABLED=true");
    assert!(good.seen().is_empty(), "disabled means not asked");
}

#[test]
fn ecs_and_environment_sources() {
    let Some((_moto, sb)) = sandbox() else { return };
    let out = sb
        .awsw(&["whoami", "ecs"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("http://127.0.0.1:{}/creds", common::free_port()))
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("profile ecs") && !stderr.contains('{'), "{stderr}");

    let out = sb
        .awsw(&["whoami", "from-env"])
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
        .env("AWS_SECRET_ACCESS_KEY", "env-secret")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("assumed-role/deploy/"), "{stdout}");
}

#[test]
fn a_slow_metadata_service_is_waited_for_once_per_command() {
    // More profiles than `whoami --all` asks for at once, so without the budget the second
    // wave would wait for the service again.
    let config: String = (0..20)
        .map(|i| {
            format!(
                "[profile web{i}]\nrole_arn = arn:aws:iam::123456789012:role/web\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n\n"
            )
        })
        .collect();
    let sb = Sandbox::new(&config, "").with_endpoint(format!("http://127.0.0.1:{}", common::free_port()));
    let slow = ImdsServer::start(Behaviour { delay: Duration::from_secs(4), ..Behaviour::default() });
    let (code, stdout, stderr) = awsw(&sb, &slow.url(), &["whoami", "--all"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let failures = format!("{stdout}{stderr}").matches("did not answer in time").count();
    assert_eq!(failures, 20, "each profile gets the same message: {stdout}{stderr}");
    // One fetch's worth of token requests (the SDK tries twice), not one per profile.
    let tokens = slow.seen().iter().filter(|s| s.method == "PUT").count();
    assert!(tokens <= 2, "{tokens} token requests: {:?}", slow.seen());
}
