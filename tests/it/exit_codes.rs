//! The exit statuses of the commands that map their errors through `commands::Error` in
//! main's `try_main` (refresh, rotate, console, login, logout, sso, doctor, completions,
//! man), on the paths that need no server: the README's table, 0 / 1 / 2, and one
//! `awsw: ` line for each failure (tests/it/console.rs has console's own usage errors).
//! The same statuses and lines as when these commands returned `ExitCode` themselves.

use crate::common::{Sandbox, text};

const CONFIG: &str = "\
[profile base]
region = eu-west-1

[profile audit]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Audit
region = eu-west-1
";
const CREDS: &str = "[base]\naws_access_key_id = AKIABASE000000EXAMPL\naws_secret_access_key = base+secret\n";

/// The exit status and stderr of `awsw ARGS` in a fresh sandbox.
fn run(args: &[&str]) -> (Option<i32>, String) {
    let sb = Sandbox::new(CONFIG, CREDS);
    let out = sb.awsw(args).output().unwrap();
    (out.status.code(), text(&out).1)
}

fn one_line(stderr: &str, needle: &str) {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("awsw: ") && stderr.contains(needle), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, stderr) = run(&["refresh"]);
    assert_eq!(code, Some(2), "refresh without a profile outside an awsw shell");
    one_line(&stderr, "refresh needs a profile");
    for args in [&["refresh", "nosuch"][..], &["rotate", "nosuch"], &["console", "nosuch"]] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("nosuch"), "{args:?}: {stderr}");
    }
}

#[test]
fn failures_exit_1_with_one_line() {
    let (code, stderr) = run(&["rotate", "audit"]);
    assert_eq!(code, Some(1));
    one_line(&stderr, "SSO");
    for args in [&["login", "ghost"][..], &["logout", "ghost"], &["sso", "accounts", "ghost"]] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(1), "{args:?}");
        one_line(&stderr, "ghost");
    }
    let (code, stderr) = run(&["sso", "accounts", "audit", "--cached"]);
    assert_eq!(code, Some(1));
    one_line(&stderr, "nothing cached yet");
}

#[test]
fn output_commands_exit_0() {
    for args in [&["man"][..], &["completions", "bash"], &["__complete-profiles"]] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    }
}
