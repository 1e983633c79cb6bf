//! awsw's settings end to end: the file sets the defaults, `AWSW_*` variables win, bad file
//! values are one warning each and the rest applies, bad variables stop the run with exit 2
//! and one line naming the variable and what is allowed (issue 15, item 11).

use crate::common;

use common::{MotoServer, Sandbox, text};

const CONFIG: &str = "[profile keys]\nregion = eu-west-1\n";
const CREDS: &str = "[keys]\naws_access_key_id = AKIAKEYS000000EXAMPL\naws_secret_access_key = keys+secret\n";

fn settings(sb: &Sandbox, text: &str) {
    let dir = sb.home().join(".config/awsw");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config"), text).unwrap();
}

#[test]
fn bad_variables_are_usage_errors_naming_the_variable_and_the_range() {
    let sb = Sandbox::new(CONFIG, CREDS);
    for (var, value, allowed) in [
        ("AWSW_SESSION_DURATION", "100", "a whole number of seconds from 900 to 129600"),
        ("AWSW_SESSION_DURATION", "abc", "a whole number of seconds from 900 to 129600"),
        ("AWSW_MIN_REMAINING", "abc", "a whole number of seconds from 0 to 3600"),
        ("AWSW_MIN_REMAINING", "7200", "a whole number of seconds from 0 to 3600"),
        ("AWSW_ENVRC_MODE", "secret", "cached, inline, profile-only or served"),
    ] {
        for args in [&["list"][..], &["env", "keys"][..]] {
            let out = sb.awsw(args).env(var, value).output().unwrap();
            let (stdout, stderr) = text(&out);
            assert_eq!(out.status.code(), Some(2), "{var}={value} {args:?}: {stderr}");
            assert!(stdout.is_empty(), "{stdout}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with(&format!("awsw: {var}=\"{value}\" is not allowed: {allowed}")),
                "{stderr}"
            );
        }
    }
    let out = sb
        .awsw(&["list"])
        .env("AWSW_SESSION_DURATION", "900")
        .env("AWSW_MIN_REMAINING", "600")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("must be at most half the MFA session duration (900 s)"),
        "{}",
        text(&out).1
    );
}

#[test]
fn the_file_sets_defaults_and_bad_lines_are_warnings() {
    let sb = Sandbox::new(CONFIG, CREDS);
    settings(&sb, "envrc_mode = profile-only\nsession_duraton = 900\nmin_remaining = -1\n");
    let project = tempfile::tempdir().unwrap();
    let dir = project.path().to_str().unwrap();
    let out = sb.awsw(&["envrc", "keys", "--dir", dir]).output().unwrap();
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let file = sb.home().join(".config/awsw/config").display().to_string();
    assert!(stderr.contains(&format!("awsw: {file}: unknown key \"session_duraton\"")), "{stderr}");
    assert!(
        stderr.contains(&format!("awsw: {file}: min_remaining = \"-1\" is not allowed: a whole number")),
        "{stderr}"
    );
    let envrc = std::fs::read_to_string(project.path().join(".envrc")).unwrap();
    assert!(
        envrc.contains("export AWS_PROFILE='keys'") || envrc.contains("export AWS_PROFILE=keys"),
        "{envrc}"
    );
    // A flag beats the file; a variable beats the file too.
    let out = sb.awsw(&["envrc", "keys", "--dir", dir]).env("AWSW_ENVRC_MODE", "bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn session_duration_from_the_file_and_the_variable_reach_sts() {
    let Some(moto) = MotoServer::start() else { return };
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    settings(&sb, "session_duration = 900\n");
    let expires_in = |env: &[(&str, &str)]| {
        let _ = std::fs::remove_dir_all(sb.cache_dir());
        let out = sb.awsw(&["env", "keys", "--json"]).envs(env.iter().copied()).output().unwrap();
        assert!(out.status.success(), "{}", text(&out).1);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let at = time::OffsetDateTime::parse(
            json["Expiration"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        (at - time::OffsetDateTime::now_utc()).whole_seconds()
    };
    let from_file = expires_in(&[]);
    assert!((850..=900).contains(&from_file), "{from_file}");
    let from_var = expires_in(&[("AWSW_SESSION_DURATION", "1800"), ("AWSW_MIN_REMAINING", "60")]);
    assert!((1750..=1800).contains(&from_var), "{from_var}");
}
