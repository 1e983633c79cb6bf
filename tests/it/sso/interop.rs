//! Interoperability with the real botocore and AWS CLI: each side uses the token and the
//! role credentials the other wrote, in the other's own format and under its own key.

use serde_json::json;

use crate::common::sso::SsoServer;
use crate::common::{MotoServer, Sandbox, require, require_python_module, text};
use crate::sso::cli::{awsw, logged_in, sandbox, seed, token_path};

/// Runs a Python snippet in the sandbox's environment, pointed at the SSO server.
fn python(sandbox: &Sandbox, server: &SsoServer, script: &str) -> String {
    let output = sandbox
        .command("python3")
        .args(["-c", script])
        .env("AWS_ENDPOINT_URL_SSO", server.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", server.url())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout.trim().to_string()
}

/// botocore's SSO credential provider with the AWS CLI's role cache, wired exactly as
/// AWS CLI v2 wires it (awscli/customizations/sso/__init__.py); prints the access key id.
const CLI_V2_CREDENTIALS: &str = "import os, botocore.session\n\
from botocore.credentials import JSONFileCache\n\
s = botocore.session.Session(profile='dev')\n\
s.get_component('credential_provider').get_provider('sso').cache = JSONFileCache(os.path.expanduser('~/.aws/cli/cache'))\n\
print(s.get_credentials().get_frozen_credentials().access_key)";

fn access_key_of(env_output: &std::process::Output) -> String {
    let (stdout, stderr) = text(env_output);
    assert!(env_output.status.success(), "{stderr}");
    let line = stdout.lines().find(|l| l.starts_with("export AWS_ACCESS_KEY_ID=")).expect("access key line");
    line.trim_start_matches("export AWS_ACCESS_KEY_ID=").trim_matches('\'').to_string()
}

#[test]
fn the_aws_cli_uses_a_token_awsw_wrote() {
    if !require("aws") || !require_python_module("botocore") {
        return;
    }
    let (Some(server), Some(moto)) = (SsoServer::start(), MotoServer::start()) else { return };
    let sandbox = logged_in(&server);
    let output = sandbox
        .command("aws")
        .args(["--profile", "dev", "sts", "get-caller-identity", "--output", "json"])
        .env("AWS_ENDPOINT_URL_SSO", server.url())
        .env("AWS_ENDPOINT_URL_STS", moto.url())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("\"Account\""), "{stdout}");
    assert_eq!(server.calls("GetRoleCredentials"), 1);
}

#[test]
fn awsw_uses_a_token_written_by_botocores_token_cache() {
    if !require_python_module("botocore") {
        return;
    }
    let Some(server) = SsoServer::start() else { return };
    seed(&server);
    let sandbox = sandbox(&server);
    server.control("/_test/token", json!({"accessToken": "aoa-written-by-botocore"}));
    python(
        &sandbox,
        &server,
        "import os, datetime\nfrom botocore.utils import SSOTokenLoader, JSONFileCache\nfrom botocore.tokens import _sso_json_dumps\n\
cache = JSONFileCache(os.path.expanduser('~/.aws/sso/cache'), dumps_func=_sso_json_dumps)\n\
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)\n\
SSOTokenLoader(cache=cache).save_token('https://corp.awsapps.com/start', {'startUrl': 'https://corp.awsapps.com/start', \
'region': 'us-east-1', 'accessToken': 'aoa-written-by-botocore', 'expiresAt': expires}, session_name='corp')",
    );
    assert!(token_path(&sandbox, "corp").exists());
    let output = awsw(&sandbox, &server, &["env", "dev", "--shell", "bash"]).output().unwrap();
    assert!(access_key_of(&output).starts_with("ASIA"));
    let accounts = awsw(&sandbox, &server, &["sso", "accounts"]).output().unwrap();
    assert!(text(&accounts).0.contains("111111111111\tdev\tAdmin"), "{}", text(&accounts).1);
}

#[test]
fn role_credentials_are_shared_with_the_cli_without_a_portal_call() {
    if !require_python_module("botocore") {
        return;
    }
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    // awsw fetches and caches; the CLI's provider finds them.
    let key = access_key_of(&awsw(&sandbox, &server, &["env", "dev", "--shell", "bash"]).output().unwrap());
    assert_eq!(server.calls("GetRoleCredentials"), 1);
    assert_eq!(python(&sandbox, &server, CLI_V2_CREDENTIALS), key);
    assert_eq!(server.calls("GetRoleCredentials"), 1);
    // The other way round: the CLI fetched them, awsw reuses them (awsw's own cache,
    // which it reads first, is emptied too, as on a machine where only the CLI ran).
    for entry in std::fs::read_dir(sandbox.home().join(".aws/cli/cache")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    std::fs::remove_dir_all(sandbox.cache_dir()).unwrap();
    let cli_key = python(&sandbox, &server, CLI_V2_CREDENTIALS);
    assert_eq!(server.calls("GetRoleCredentials"), 2);
    let again = access_key_of(&awsw(&sandbox, &server, &["env", "dev", "--shell", "bash"]).output().unwrap());
    assert_eq!(again, cli_key);
    assert_eq!(server.calls("GetRoleCredentials"), 2);
}
