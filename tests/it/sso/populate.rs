//! `awsw sso populate` against the local SSO server: the block it writes into the config
//! file, read by awsw itself, by the real AWS CLI and by botocore; a re-run that replaces
//! it exactly; the user's own profiles never touched; bad input leaving the file as it was.

use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use crate::common::sso::SsoServer;
use crate::common::{Sandbox, require, require_python_module, text};
use crate::sso::cli::{CONFIG, awsw, logged_in};

/// The user's own file: a comment, the session, `dev` (111111111111/Admin, so that pair
/// is covered), and a hand-written profile whose name discovery would also produce.
fn own_config() -> String {
    format!("# my own notes\n{CONFIG}\n[profile prod/ReadOnly]   ; by hand\nregion = eu-west-2\n")
}

fn config_path(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.home().join(".aws/config")
}

fn populate(sandbox: &Sandbox, server: &SsoServer, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["sso", "populate"];
    all.extend_from_slice(args);
    let output = awsw(sandbox, server, &all).output().unwrap();
    let (stdout, stderr) = text(&output);
    (output.status.success(), stdout, stderr)
}

#[test]
fn the_block_is_written_once_replaced_exactly_and_read_by_every_parser() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let path = config_path(&sandbox);
    std::fs::write(&path, own_config()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (ok, _, stderr) = populate(&sandbox, &server, &["corp"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("skipped Admin in account 111111111111: your own profile dev already gives it"));
    assert!(
        stderr
            .contains("skipped ReadOnly in account 222222222222: your own profile prod/ReadOnly already has")
    );
    assert!(stderr.contains("wrote 4 profiles (4 new, 0 removed)"), "{stderr}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with(&own_config()), "every byte before the block is kept:\n{written}");
    for name in ["dev/ReadOnly", "audit/Audit", "audit/Break", "audit/Glass"] {
        assert!(written.contains(&format!("[profile {name}]\nsso_session = corp\n")), "{written}");
    }
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    // Again: the same bytes, and it says so.
    let (ok, _, stderr) = populate(&sandbox, &server, &[]);
    assert!(ok && stderr.contains("already has them all"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    // awsw's own parser sees SSO profiles, and one of them works end to end.
    let list = sandbox.awsw(&["list", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let glass = list["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "audit/Glass").unwrap();
    assert_eq!((glass["kind"].as_str(), glass["account_id"].as_str()), (Some("sso"), Some("333333333333")));
    let env = awsw(&sandbox, &server, &["env", "audit/Glass", "--shell", "bash"]).output().unwrap();
    assert!(text(&env).0.contains("export AWS_ACCESS_KEY_ID='ASIA"), "{}", text(&env).1);
    the_aws_cli_reads(&sandbox);
    // Accounts and roles that went away leave the block; the user's text stays.
    server.control("/_test/seed", json!({"accounts": [
        {"accountId": "333333333333", "accountName": "audit", "emailAddress": "a@example.com", "roles": ["Audit"]}]}));
    let (ok, _, stderr) = populate(&sandbox, &server, &["corp"]);
    assert!(ok && stderr.contains("wrote 1 profiles (0 new, 3 removed)"), "{stderr}");
    let fewer = std::fs::read_to_string(&path).unwrap();
    assert!(fewer.starts_with(&own_config()) && fewer.contains("[profile audit/Audit]"), "{fewer}");
    assert!(!fewer.contains("audit/Glass") && !fewer.contains("dev/ReadOnly"), "{fewer}");
}

/// `aws configure get` (the real AWS CLI) and botocore's profile list (what
/// `aws configure list-profiles` prints in the AWS CLI v2; v1 has no such command).
fn the_aws_cli_reads(sandbox: &Sandbox) {
    if require("aws") {
        let get = |key: &str, profile: &str| {
            let out = sandbox
                .command("aws")
                .args(["configure", "get", key, "--profile", profile])
                .output()
                .unwrap();
            assert!(out.status.success(), "aws configure get {key} --profile {profile}: {}", text(&out).1);
            text(&out).0.trim().to_string()
        };
        assert_eq!(get("sso_account_id", "audit/Glass"), "333333333333");
        assert_eq!(get("sso_role_name", "dev/ReadOnly"), "ReadOnly");
        assert_eq!(get("sso_session", "audit/Break"), "corp");
        assert_eq!(get("region", "prod/ReadOnly"), "eu-west-2", "the user's own profile is untouched");
    }
    if require_python_module("botocore") {
        let script =
            "import botocore.session; print('\\n'.join(botocore.session.Session().available_profiles))";
        let out = sandbox.command("python3").args(["-c", script]).output().unwrap();
        let mut names: Vec<String> = text(&out).0.lines().map(String::from).collect();
        names.sort();
        assert_eq!(
            names,
            ["audit/Audit", "audit/Break", "audit/Glass", "dev", "dev/ReadOnly", "prod/ReadOnly"]
        );
    }
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let Some(server) = SsoServer::start() else { return };
    let sandbox = logged_in(&server);
    let path = config_path(&sandbox);
    // Keys in the config file's last section: the diff's context must not show them.
    let own = format!("{}aws_secret_access_key = config-file-secret\n", own_config());
    std::fs::write(&path, &own).unwrap();
    let (ok, stdout, stderr) = populate(&sandbox, &server, &["--dry-run", "--prefix", "corp-"]);
    assert!(ok && stderr.contains("nothing written (--dry-run)"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), own);
    assert!(
        !stdout.contains("config-file-secret") && stdout.contains(" aws_secret_access_key = ****\n"),
        "{stdout}"
    );
    let file = path.display().to_string();
    assert!(stdout.starts_with(&format!("--- {file}\n+++ {file}\n@@ ")), "{stdout}");
    assert!(stdout.contains("\n+# >>> awsw sso populate: sso-session corp >>>\n"), "{stdout}");
    assert!(stdout.contains("\n+[profile corp-prod/ReadOnly]\n"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with('-') && !l.starts_with("---")), "only additions: {stdout}");
}

#[test]
fn bad_input_is_one_line_and_leaves_the_file_untouched() {
    let Some(server) = SsoServer::start() else { return };
    crate::sso::cli::seed(&server);
    let sandbox = crate::sso::cli::sandbox(&server);
    let path = config_path(&sandbox);
    let unclosed = format!("{CONFIG}# >>> awsw sso populate: sso-session corp >>>\n[profile x]\n");
    let cases: [(&str, &[&str], u8, &str); 4] = [
        (CONFIG, &["corp"], 1, "sso-session corp: not logged in: run `awsw login corp`"),
        (CONFIG, &["nope"], 1, "no [sso-session nope]"),
        (&unclosed, &["corp"], 1, "line with no end marker after it: fix or remove the block by hand"),
        (CONFIG, &["--prefix", "a b"], 2, "--prefix: a profile name may hold only"),
    ];
    for (config, args, code, message) in cases {
        std::fs::write(&path, config).unwrap();
        let mut all = vec!["sso", "populate"];
        all.extend_from_slice(args);
        let output = awsw(&sandbox, &server, &all).output().unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(i32::from(code)), "{args:?}: {stderr}");
        assert!(stderr.lines().count() == 1 && stderr.contains(message), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), config, "{args:?}");
    }
    assert_eq!(server.calls("ListAccounts"), 0, "nothing was asked of the portal");
}
