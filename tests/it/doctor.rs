//! `awsw doctor`: a clean set-up against moto reports no failure and exits 0; a broken one
//! names each fault with its fix and exits 1 (a skewed clock from a local STS stand-in, a bad
//! line, an invalid profile, open cache modes, a corrupt cache file, a bad variable). In
//! every case the HOME tree is byte-identical afterwards.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::http::{HttpStub, Reply};
use common::{MotoServer, Sandbox, text};

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::123456789012:role/prod
source_profile = base
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile audit]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Audit
region = eu-west-1
";
const CREDS: &str = "[base]\naws_access_key_id = AKIABASE000000EXAMPL\naws_secret_access_key = base+secret\n";
const BASHRC: &str =
    "eval \"$(direnv hook bash)\"\nsource /opt/awsw/assets/awsw.bash\nsource /opt/awsw/assets/prompt.bash\n";

/// Every path under `dir` with its type, mode, size, mtime and bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, i64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let bytes = if meta.is_file() { std::fs::read(&path).unwrap() } else { Vec::new() };
        let mtime = if meta.is_dir() { 0 } else { meta.mtime_nsec() + meta.mtime() * 1_000_000_000 };
        out.insert(path.display().to_string(), (meta.mode(), mtime, bytes));
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out
}

fn write(sb: &Sandbox, rel: &str, text: &str, mode: u32) {
    let path = sb.home().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs doctor (text, then JSON) and checks that nothing under HOME changed.
fn doctor(sb: &Sandbox, env: &[(&str, &str)]) -> (Option<i32>, String, serde_json::Value) {
    let before = snapshot(sb.home());
    let run = |extra: &[&str]| {
        let mut cmd = sb.awsw(&["doctor"]);
        cmd.args(extra).envs(env.iter().copied());
        cmd.output().unwrap()
    };
    let out = run(&[]);
    let json = run(&["--json"]);
    assert_eq!(out.status.code(), json.status.code());
    assert_eq!(snapshot(sb.home()), before, "doctor changed the HOME tree");
    let value = serde_json::from_slice(&json.stdout).expect("doctor --json is JSON");
    (out.status.code(), text(&out).0, value)
}

fn line<'a>(report: &'a str, status: &str, check: &str, needle: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(status) && l[6..].starts_with(check) && l.contains(needle))
        .unwrap_or_else(|| panic!("no `{status} {check} …{needle}…` line in:\n{report}"))
}

#[test]
fn a_clean_set_up_passes_and_nothing_is_written() {
    let Some(moto) = MotoServer::start() else { return };
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    write(&sb, ".bashrc", BASHRC, 0o644);
    write(&sb, ".config/awsw/config", "min_remaining = 600\n", 0o644);
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::hours(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let token = format!("{{\"accessToken\": \"secret-token\", \"expiresAt\": \"{expires}\"}}");
    // sha1("corp"), where the AWS CLI keeps the session's token.
    write(&sb, ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", &token, 0o600);
    std::fs::set_permissions(sb.home().join(".aws/sso/cache"), std::fs::Permissions::from_mode(0o700))
        .unwrap();
    let (code, report, json) = doctor(&sb, &[]);
    assert!(!report.contains("fail "), "{report}");
    assert_eq!(code, Some(0), "{report}");
    line(&report, "ok", "settings", "/.config/awsw/config");
    line(&report, "ok", "config", "3 profiles");
    line(&report, "ok", "clock", "STS (http://127.0.0.1");
    line(&report, "ok", "sso", "corp: token valid for 1h5");
    line(&report, "ok", "shell", "awsw-use function is installed");
    line(&report, "ok", "shell", "prompt snippet");
    line(&report, "warn", "hygiene", "static-keys");
    assert!(!report.contains("secret-token") && !report.contains("base+secret"), "{report}");
    assert_eq!(json["summary"]["fail"], 0, "{json}");
    assert!(json["checks"].as_array().unwrap().iter().all(|c| c["status"] != "fail"));
}

#[test]
fn each_fault_is_named_with_its_fix_and_the_exit_is_1() {
    // A local STS stand-in whose clock is 10 minutes behind.
    let stub = HttpStub::start(|_| {
        let date = time::OffsetDateTime::now_utc() - time::Duration::minutes(10);
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let mut reply = Reply::json(403, serde_json::json!({}));
        reply.headers.push(("Date".into(), date.format(format).unwrap()));
        reply
    });
    let config = format!(
        "{CONFIG}\n[profile broken]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nope\nthis line is wrong\n"
    );
    let sb = Sandbox::new(&config, CREDS).with_endpoint(stub.url(""));
    std::fs::create_dir_all(sb.cache_dir()).unwrap();
    std::fs::set_permissions(sb.cache_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(&sb, ".cache/awsw/role-corrupt.json", "{not json", 0o600);
    write(&sb, ".cache/awsw/role-open.json", "{}", 0o644);
    write(&sb, ".config/awsw/config", "min_remaining = soon\n", 0o644);
    let (code, report, json) = doctor(&sb, &[("SHELL", "/usr/bin/fish")]);
    assert_eq!(code, Some(1), "{report}");
    let clock = line(&report, "fail", "clock", "ahead of STS");
    assert!(clock.contains("fix: synchronise the clock"), "{clock}");
    let skew: i64 = clock.split("clock is ").nth(1).unwrap().split('s').next().unwrap().parse().unwrap();
    assert!((595..=605).contains(&skew), "{clock}");
    let bad_line = line(&report, "fail", "config", "/.aws/config:");
    assert!(bad_line.contains("fix: correct line"), "{bad_line}");
    line(&report, "fail", "profile", "broken (");
    line(&report, "fail", "cache", "mode 0755");
    line(&report, "fail", "cache", "role-open.json: mode 0644");
    line(&report, "warn", "cache", "role-corrupt.json: corrupt");
    line(&report, "warn", "settings", "min_remaining = \"soon\" is not allowed");
    line(&report, "warn", "sso", "corp: no token cached");
    line(&report, "warn", "direnv", "fish");
    line(&report, "warn", "shell", "no awsw-use function in fish");
    assert!(json["summary"]["fail"].as_u64().unwrap() >= 5, "{json}");
    // A bad variable is a failed check here, not a usage error.
    let (code, report, _) = doctor(&sb, &[("AWSW_SESSION_DURATION", "100")]);
    assert_eq!(code, Some(1));
    line(&report, "fail", "settings", "AWSW_SESSION_DURATION=\"100\" is not allowed");
}

#[test]
fn sso_token_files_are_read_as_the_engine_reads_them() {
    let sb = Sandbox::new(CONFIG, CREDS);
    let file = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
    let past = "2020-01-01T00:00:00Z";
    // Expired, but renewable with its refresh token and registration.
    let renewable = format!(
        "{{\"accessToken\": \"secret-token\", \"expiresAt\": \"{past}\", \"clientId\": \"c\", \"clientSecret\": \"client-secret\", \"registrationExpiresAt\": \"2099-01-01T00:00:00Z\", \"refreshToken\": \"refresh-secret\"}}"
    );
    write(&sb, file, &renewable, 0o600);
    std::fs::set_permissions(sb.home().join(".aws/sso/cache"), std::fs::Permissions::from_mode(0o700))
        .unwrap();
    let (_, report, _) = doctor(&sb, &[]);
    line(&report, "ok", "sso", "corp: the access token has expired; its refresh token renews it");
    // Readable by others: not trusted, and a failure that says what to do.
    std::fs::set_permissions(sb.home().join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, report, _) = doctor(&sb, &[]);
    assert_eq!(code, Some(1), "{report}");
    let untrusted = line(&report, "fail", "sso", "so awsw does not trust it");
    assert!(untrusted.contains("awsw login corp"), "{untrusted}");
    for secret in ["secret-token", "client-secret", "refresh-secret"] {
        assert!(!report.contains(secret), "{report}");
    }
}
