//! `awsw list` as a user runs it: the built binary, temp files, real exit codes.

use std::path::Path;
use std::process::{Command, Output};

use unicode_width::UnicodeWidthStr;

fn awsw_list(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsw"))
        .arg("list")
        .args(args)
        .env_clear()
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .output()
        .expect("run awsw")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON object")
}

#[test]
fn missing_files_give_an_empty_list_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = awsw_list(dir.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out), serde_json::json!({"profiles": [], "sso_sessions": [], "diagnostics": []}));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("aws configure"));
}

#[test]
fn a_directory_instead_of_a_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let out = awsw_list(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&dir.path().join("config").display().to_string()) && stderr.contains("directory")
    );
}

#[test]
fn invalid_utf8_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("credentials"), b"[a]\naws_access_key_id = \xff\xfe\n").unwrap();
    let out = awsw_list(dir.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials") && stderr.contains("UTF-8"), "{stderr}");
}

#[test]
fn unreadable_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "[profile a]\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("skipped: running as root, permissions do not stop reads");
        return;
    }
    let out = awsw_list(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
}

#[test]
fn json_has_every_key_and_diagnostics_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "\u{feff}[profile team-prod-admin]\r\nrole_arn = arn:aws:iam::123456789012:role/admin\r\nsource_profile = base\r\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\r\nregion = ap-northeast-1\r\nduration_seconds = 3600\r\n\
         this line is broken\r\n[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\nsso_region = us-east-1\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[base]\naws_access_key_id = AKIAX\naws_secret_access_key = VERYSECRET\n",
    )
    .unwrap();
    let out = awsw_list(dir.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("VERYSECRET"));
    let v = json(&out);
    let p = &v["profiles"][0];
    // The raw text keeps the documented key order; the parsed object checks presence.
    let raw = String::from_utf8_lossy(&out.stdout);
    let order = [
        "name",
        "kind",
        "region",
        "account_id",
        "role_arn",
        "role_name",
        "source_profile",
        "credential_source",
        "mfa_serial",
        "sso_session",
        "duration_seconds",
        "external_id",
        "role_session_name",
        "description",
        "chain",
        "problems",
        "warnings",
    ];
    let positions: Vec<usize> = order.iter().map(|k| raw.find(&format!("\"{k}\":")).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "key order");
    assert_eq!(p.as_object().unwrap().len(), order.len());
    assert_eq!(p["kind"], "assume-role");
    assert_eq!(p["account_id"], "123456789012");
    assert_eq!(p["role_name"], "admin");
    assert_eq!(p["duration_seconds"], 3600);
    assert_eq!(p["external_id"], serde_json::Value::Null);
    assert_eq!(p["chain"], serde_json::json!(["base", "team-prod-admin"]));
    assert_eq!(p["warnings"][0]["code"], "static-keys");
    assert_eq!(v["sso_sessions"][0]["sso_region"], "us-east-1");
    let d = &v["diagnostics"][0];
    assert_eq!(d["line"], 7);
    assert!(d["file"].as_str().unwrap().ends_with("config"));
    assert!(d["message"].as_str().unwrap().contains("'='"));
}

#[test]
fn table_fits_80_columns_with_wide_and_long_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config"),
        "[profile 本番-admin]\nrole_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole\nsource_profile = base\n\
         region = ap-northeast-1\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
         [profile a-really-long-profile-name-for-the-shared-networking-production-account]\n\
         credential_process = /bin/true\nregion = eu-central-1\n[profile broken]\nrole_arn = x\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[base]\naws_access_key_id = A\naws_secret_access_key = S\n",
    )
    .unwrap();
    let out = awsw_list(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    for line in table.lines() {
        assert!(line.width() <= 80, "{} cells: {line}", line.width());
    }
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME"));
    assert!(
        lines[1].starts_with("本番-admin") && lines[1].contains("123456789012") && lines[1].contains("yes")
    );
    assert!(lines[2].contains('…'));
    assert!(lines[3].contains("invalid"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("profile broken: role_arn has no source"), "{stderr}");
}

#[test]
fn a_hundred_thousand_profiles_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::with_capacity(8 << 20);
    for n in 0..100_000 {
        config.push_str(&format!(
            "[profile p{n}]\nrole_arn = arn:aws:iam::{:012}:role/admin\nsource_profile = base\nmfa_serial = m\nregion = us-east-1\n",
            n
        ));
    }
    std::fs::write(dir.path().join("config"), config).unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        "[base]\naws_access_key_id = A\naws_secret_access_key = S\n",
    )
    .unwrap();
    let out = awsw_list(dir.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["profiles"].as_array().unwrap().len(), 100_001);
}

#[test]
fn a_missing_credentials_file_is_named_once_when_profiles_lack_keys() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[profile base]\nregion = eu-west-1\n\n[profile prod]\nrole_arn = arn:aws:iam::1:role/x\n\
                  source_profile = base\n\n[profile other]\nregion = eu-west-1\n";
    std::fs::write(dir.path().join("config"), config).unwrap();
    let out = awsw_list(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let credentials = dir.path().join("credentials");
    let note = format!("the credentials file {} does not exist", credentials.display());
    assert_eq!(stderr.matches(&note).count(), 1, "{stderr}");
    // With the file there (even without those keys), the note is gone: the problems stay.
    std::fs::write(&credentials, "[other]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n")
        .unwrap();
    let stderr = String::from_utf8_lossy(&awsw_list(dir.path(), &[]).stderr).into_owned();
    assert!(!stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("profile prod: source_profile \"base\" sets no credentials"), "{stderr}");
}
