//! Root keys and key age through the built binary, against a fake STS/IAM that can say "root"
//! and deny IAM without MFA: `whoami` (text and `--json`), `whoami --all`, and `list`, which
//! knows only what awsw's caches already hold (no network call).

use crate::common;
use crate::fake_aws;

use common::{Sandbox, text};
use fake_aws::FakeAws;

const CONFIG: &str = "\
[profile rootkeys]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = rootkeys
mfa_serial = arn:aws:iam::123456789012:mfa/root
";
const CREDS: &str =
    "[rootkeys]\naws_access_key_id = AKIAROOTROOTROOT0001\naws_secret_access_key = root-secret\n";

fn fake(arn: &str, deny_iam: bool, days: i64) -> FakeAws {
    FakeAws { arn: arn.into(), deny_iam, key_id: "AKIAROOTROOTROOT0001".into(), created_days_ago: days }
}

#[test]
fn root_keys_are_flagged_in_whoami_and_then_in_list_without_a_network_call() {
    let server = fake("arn:aws:iam::123456789012:root", true, 10).start();
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(server.url());
    let out = sb.awsw(&["whoami", "rootkeys"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("arn      arn:aws:iam::123456789012:root"), "{stdout}");
    assert!(stdout.contains("key      unknown (needs MFA)\n"), "IAM denied: {stdout}");
    assert!(
        stderr.contains("awsw: root-keys: profile rootkeys holds the account's root access keys"),
        "{stderr}"
    );
    assert!(stderr.contains("no IAM policy can limit them") && stderr.contains("use an IAM user or SSO"));

    let out = sb.awsw(&["whoami", "rootkeys", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(json["root_keys"], true);
    assert_eq!(json["key"], "unknown (needs MFA)");
    assert_eq!(json["warnings"][0]["code"], "root-keys");

    let out = sb.awsw(&["whoami", "--all"]).output().unwrap();
    assert!(text(&out).1.contains("root-keys"), "{}", text(&out).1);

    // list: the identity cache knows; the server is not asked.
    let asked = server.actions.lock().unwrap().len();
    let out = sb.awsw(&["list"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("profile rootkeys: root-keys:") && stderr.contains("profile admin: root-keys:"),
        "{stderr}"
    );
    let out = sb.awsw(&["list", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    for profile in json["profiles"].as_array().unwrap() {
        let codes: Vec<&str> =
            profile["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"root-keys"), "{profile}");
    }
    assert_eq!(server.actions.lock().unwrap().len(), asked, "list made no call");
}

#[test]
fn an_old_key_shows_its_age_and_is_flagged_over_the_limit() {
    let server = fake("arn:aws:iam::123456789012:user/alice", false, 400).start();
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(server.url());
    let out = sb.awsw(&["whoami", "rootkeys"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let key_line = stdout.lines().find(|l| l.starts_with("key ")).unwrap_or_default().to_string();
    assert!(
        key_line.contains("AKIA****0001 created") && key_line.contains("(400 days ago), last used"),
        "{stdout}"
    );
    assert!(key_line.ends_with("(s3)"), "{key_line}");
    assert!(
        stderr
            .contains("old-key: access key AKIA****0001 of profile rootkeys is 400 days old (more than 90)"),
        "{stderr}"
    );
    assert!(stderr.contains("awsw rotate rootkeys"), "{stderr}");
    assert!(!stderr.contains("root-keys"));
    // Cached a day: a second run asks IAM nothing; a higher limit silences the warning.
    let before = server.actions.lock().unwrap().iter().filter(|a| a.contains("AccessKey")).count();
    let out =
        sb.awsw(&["whoami", "rootkeys", "--json"]).env("AWSW_MAX_KEY_AGE_DAYS", "500").output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(json["key"]["age_days"], 400);
    assert_eq!(json["key"]["id"], "AKIAROOTROOTROOT0001");
    assert_eq!(json["warnings"], serde_json::json!([]));
    let after = server.actions.lock().unwrap().iter().filter(|a| a.contains("AccessKey")).count();
    assert_eq!(before, after, "the key age came from the cache");
    // list knows the age from the cache too.
    let out = sb.awsw(&["list", "--json"]).output().unwrap();
    assert!(text(&out).0.contains("\"old-key\""), "{}", text(&out).0);
    // The cache holds no secret.
    for entry in std::fs::read_dir(sb.cache_dir()).unwrap().flatten() {
        let body = std::fs::read_to_string(entry.path()).unwrap();
        assert!(!body.contains("root-secret"), "{body}");
    }
}
