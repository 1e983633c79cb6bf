//! The `.envrc` blocks of SSO profiles with a token, through the real direnv (the other kinds:
//! `sinks::every_profile_kind_loads_in_direnv`): the default cached block of a role behind
//! an SSO profile, and the served block of the SSO profile itself, read by the real AWS CLI.

use crate::common;
use crate::common::sso::SsoServer;
use crate::sso::cli::logged_in;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{MotoServer, Sandbox, require, text};

/// `awsw envrc ARGS --dir DIR` (DIR new), then `direnv allow DIR`.
fn write_block(sb: &Sandbox, name: &str, args: &[&str], env: &[(&str, &str)]) -> PathBuf {
    let dir = sb.home().join(name);
    std::fs::create_dir(&dir).unwrap();
    let mut cmd = sb.awsw(&[&["envrc"], args, &["--dir"]].concat());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let file = std::fs::read_to_string(dir.join(".envrc")).unwrap();
    assert!(!file.contains("LONGTERM") && !file.contains("AWS_SECRET_ACCESS_KEY="), "{file}");
    let allow = sb.command("direnv").arg("allow").arg(&dir).output().unwrap();
    assert!(allow.status.success(), "{}", text(&allow).1);
    dir
}

/// The environment `direnv exec DIR` gives a command, and that command's stdout.
fn load(sb: &Sandbox, dir: &Path, script: &str, env: &[(&str, &str)]) -> (HashMap<String, String>, String) {
    let mut cmd = sb.command("direnv");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let full = format!("{script}; echo; echo ENV-FOLLOWS; env -0");
    let out = cmd.arg("exec").arg(dir).args(["bash", "-c", &full]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout} {stderr}");
    let (before, env_part) = stdout.split_once("ENV-FOLLOWS\n").unwrap();
    let vars = env_part
        .split('\0')
        .filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    (vars, before.to_string())
}

/// An SSO sandbox logged in, with a role chained from the SSO profile, and the variables that
/// point awsw and the AWS CLI at the SSO stand-in and at moto.
fn sso_sandbox(server: &SsoServer, moto: &MotoServer) -> (Sandbox, Vec<(&'static str, String)>) {
    let sb = logged_in(server);
    let config = format!(
        "{}\n[profile sso-admin]\nrole_arn = arn:aws:iam::111111111111:role/acme-sso-admin\nsource_profile = dev\n",
        crate::sso::cli::CONFIG
    );
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    let env = vec![
        ("AWS_ENDPOINT_URL_SSO", server.url()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", server.url()),
        ("AWS_ENDPOINT_URL_STS", moto.url()),
    ];
    (sb, env)
}

#[test]
fn direnv_loads_sso_blocks_cached_through_a_role_and_served() {
    if !require("direnv") || !require("aws") {
        return;
    }
    let (Some(server), Some(moto)) = (SsoServer::start(), MotoServer::start()) else { return };
    let (sb, env) = sso_sandbox(&server, &moto);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // A role behind the SSO profile: its session is in awsw's cache, which the block loads.
    let cached = write_block(&sb, "cached", &["sso-admin"], &env);
    let calls = server.calls("GetRoleCredentials");
    let (vars, stdout) = load(&sb, &cached, "aws sts get-caller-identity --query Arn --output text", &env);
    assert!(stdout.contains("assumed-role/acme-sso-admin/"), "{stdout}");
    assert!(vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{vars:?}");
    assert_eq!(vars["AWSW_PROFILE"], "sso-admin");
    assert_eq!(server.calls("GetRoleCredentials"), calls, "the load used the cached session");

    // The SSO profile itself, served by the agent, which gets its role credentials.
    let served = write_block(&sb, "served", &["dev", "--served"], &env);
    let (vars, stdout) =
        load(&sb, &served, "aws sts get-caller-identity --query Account --output text", &env);
    assert!(!vars.contains_key("AWS_ACCESS_KEY_ID"), "{vars:?}");
    assert!(vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"].ends_with("/awsw/v1/dev"));
    assert_eq!(stdout.trim(), "123456789012", "moto's account for any caller: {stdout}");
    let mut stop = sb.awsw(&["agent", "stop"]);
    for (k, v) in &env {
        stop.env(k, v);
    }
    assert!(stop.output().unwrap().status.success());
}

/// The default (cached) block of an SSO profile with no role behind it: the plan's
/// `SsoRoleCredentials` step is cached in awsw's cache, so `cached_session` finds it.
#[test]
fn direnv_loads_the_cached_block_of_a_plain_sso_profile() {
    let (Some(server), Some(moto)) = (SsoServer::start(), MotoServer::start()) else { return };
    let (sb, env) = sso_sandbox(&server, &moto);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cached = write_block(&sb, "cached", &["dev"], &env);
    let (vars, _) = load(&sb, &cached, "true", &env);
    assert!(vars["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{vars:?}");
}
