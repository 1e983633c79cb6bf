//! The local credential endpoint end to end: `awsw exec --server` and `awsw shell` against
//! moto, read by the real AWS CLI and by aws-config's ECS provider; renewal while a loop of
//! CLI calls runs; the renew line and `awsw refresh`; job control in tmux.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{MotoServer, Sandbox, require, text};

pub(crate) const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::123456789012:role/acme-prod-admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = ap-northeast-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/acme-dev
source_profile = plain
region = us-west-2
";

pub(crate) const CREDS: &str = "\
[base]
aws_access_key_id = AKIABASE0000EXAMPLE1
aws_secret_access_key = base+LONGTERM+secret+do+not+leak+0001

[plain]
aws_access_key_id = AKIAPLAIN000EXAMPLE2
aws_secret_access_key = plain+LONGTERM+secret+do+not+leak+0002
";

const AWSW: &str = env!("CARGO_BIN_EXE_awsw");

fn sandbox() -> Option<(MotoServer, Sandbox)> {
    if !require("aws") {
        return None;
    }
    let moto = MotoServer::start()?;
    let sandbox = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, sandbox))
}

#[test]
fn the_aws_cli_reads_the_endpoint_and_the_token_is_on_no_command_line() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dir = sb.home().display().to_string();
    let script = format!(
        "env > {dir}/env; ps -eo args > {dir}/ps; printf %s \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > {dir}/token; \
         aws sts get-caller-identity --output text; exit 5"
    );
    let out = sb.awsw(&["exec", "--server", "dev", "--", "sh", "-c", &script]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stdout.contains("arn:aws:sts::123456789012:assumed-role/acme-dev/"), "{stdout} {stderr}");
    let env = std::fs::read_to_string(sb.home().join("env")).unwrap();
    assert!(!env.contains("AWS_ACCESS_KEY_ID") && !env.contains("AWS_SECRET_ACCESS_KEY"), "{env}");
    assert!(env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"), "{env}");
    let token = std::fs::read_to_string(sb.home().join("token")).unwrap();
    assert_eq!(token.len(), 64, "256 bits as hex");
    let ps = std::fs::read_to_string(sb.home().join("ps")).unwrap();
    assert!(!ps.contains(&token), "the token is on a command line: {ps}");
    assert!(!stderr.contains(&token) && !stdout.contains(&token));
}

#[test]
fn requests_without_the_token_and_after_the_command_exited_are_refused() {
    let Some((_moto, sb)) = sandbox() else { return };
    // From inside: no token, a wrong one of the right length, the right one.
    let probe = r#"
import os, urllib.request, urllib.error
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def status(headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status
    except urllib.error.HTTPError as e:
        return e.code
wrong = ("0" if token[0] != "0" else "1") + token[1:]
print(status({}), status({"Authorization": wrong}), status({"Authorization": token}))
print(url)
"#;
    let out = sb.awsw(&["exec", "--server", "dev", "--", "python3", "-c", probe]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("403 403 200"), "{stdout}");
    let url = lines.next().unwrap();
    // The endpoint died with the command.
    let port: u16 = url.split(':').nth(2).unwrap().split('/').next().unwrap().parse().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening on {port}");
}

#[test]
fn a_rust_sdk_client_reads_the_endpoint() {
    let Some((_moto, sb)) = sandbox() else { return };
    let me = std::env::current_exe().unwrap();
    let me = me.to_str().unwrap();
    let out = sb
        .awsw(&[
            "exec",
            "--server",
            "dev",
            "--",
            me,
            "--exact",
            "endpoint::sdk_child",
            "--ignored",
            "--nocapture",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout} {stderr}");
    assert!(stdout.contains("ARN=arn:aws:sts::123456789012:assumed-role/acme-dev/"), "{stdout}");
}

/// Run by `a_rust_sdk_client_reads_the_endpoint` inside `awsw exec --server`: aws-config's
/// ECS provider, from the environment awsw set, then STS with what it got.
#[test]
#[ignore = "run inside awsw exec --server by a_rust_sdk_client_reads_the_endpoint"]
fn sdk_child() {
    assert!(std::env::var_os("AWS_ACCESS_KEY_ID").is_none());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let provider = aws_config::ecs::EcsCredentialsProvider::builder().build();
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .credentials_provider(provider)
            .load()
            .await;
        let answer = aws_sdk_sts::Client::new(&config).get_caller_identity().send().await;
        let answer = answer.map_err(|e| format!("{}", aws_sdk_sts::error::DisplayErrorContext(e))).unwrap();
        println!("ARN={}", answer.arn().unwrap_or_default());
    });
}

/// 25 s of `aws sts get-caller-identity`; prints `fails=N`, then how many distinct access
/// keys botocore was given (2 or more: a renewal happened in between).
pub(crate) const RENEWAL_LOOP: &str = r#"
fails=0; keys=""
end=$(( $(date +%s) + 25 ))
while [ "$(date +%s)" -lt "$end" ]; do
  aws sts get-caller-identity --output text > /dev/null || fails=$((fails+1))
  keys="$keys $(python3 -c 'import botocore.session; print(botocore.session.get_session().get_credentials().access_key)')"
done
echo "fails=$fails"
echo "$keys" | tr ' ' '\n' | sort -u | grep -c ASIA
"#;

#[test]
fn a_short_role_session_is_renewed_while_cli_calls_keep_working() {
    let Some((_moto, sb)) = sandbox() else { return };
    // Sessions with less than 3590 s left are renewed: moto's 3600 s role sessions need
    // renewing every 10 s, from the cached MFA base session, without a code.
    let script = RENEWAL_LOOP;
    let out = sb
        .awsw(&["exec", "--server", "prod", "--mfa-code", "123456", "--", "bash", "-c", script])
        .env("AWSW_MIN_REMAINING", "3590")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("fails=0\n"), "{stdout} {stderr}");
    let distinct: u32 = stdout.lines().last().unwrap().trim().parse().unwrap();
    assert!(distinct >= 2, "no renewal seen in 25 s: {stdout}");
    assert!(!stderr.contains("works again"), "a renewal needed the user: {stderr}");
    assert!(stderr.contains("renews them without asking until"), "{stderr}");
}

#[test]
fn an_expired_base_says_how_to_renew_and_refresh_brings_the_shell_back() {
    let Some((_moto, sb)) = sandbox() else { return };
    // The first role session lasts 10 s for the endpoint (3590 s must remain); the test
    // then makes the cached MFA base session end now, so the renewal needs a code.
    let dir = sb.home().display().to_string();
    let expire_base = format!(
        "python3 -c 'import json,glob,time; p=glob.glob(\"{dir}/.cache/awsw/session-*.json\")[0]; d=json.load(open(p)); \
         d[\"expiration\"]=time.strftime(\"%Y-%m-%dT%H:%M:%SZ\", time.gmtime()); open(p,\"w\").write(json.dumps(d))'"
    );
    let script = format!(
        "{expire_base}; sleep 11; aws sts get-caller-identity > /dev/null 2> {dir}/failed && echo unexpected-success; \
         {AWSW} refresh --mfa-code 123456; aws sts get-caller-identity --output text"
    );
    let started = Instant::now();
    let out = sb
        .awsw(&["exec", "--server", "prod", "--mfa-code", "123456", "--", "bash", "-c", &script])
        .env("AWSW_MIN_REMAINING", "3590")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains("unexpected-success"), "{stdout}");
    let renew: Vec<&str> = stderr.lines().filter(|l| l.contains("works again")).collect();
    assert_eq!(renew.len(), 1, "one renew line: {stderr}");
    assert!(renew[0].contains("awsw refresh prod"), "{stderr}");
    assert!(renew[0].contains("needs a new MFA code from arn:aws:iam::123456789012:mfa/alice"), "{stderr}");
    let failed = std::fs::read_to_string(sb.home().join("failed")).unwrap();
    assert!(failed.contains("awsw refresh prod"), "the CLI shows why: {failed}");
    assert!(stderr.contains("awsw: profile prod: renewed"), "{stderr}");
    assert!(stdout.contains("assumed-role/acme-prod-admin/"), "the same shell works again: {stdout}");
    // Botocore's three tries of a 503 and the sleep, not a hang.
    assert!(started.elapsed() < Duration::from_secs(40));
}

struct Tmux<'a> {
    sb: &'a Sandbox,
    socket: String,
}

impl Tmux<'_> {
    fn run(&self, args: &[&str]) -> String {
        let out = self.sb.command("tmux").arg("-L").arg(&self.socket).args(args).output().unwrap();
        text(&out).0
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.run(&["capture-pane", "-p", "-J"]);
            if screen.contains(needle) {
                return screen;
            }
            assert!(Instant::now() < deadline, "no {needle:?} on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn wait_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(Instant::now() < deadline, "no {}", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn ctrl_c_and_ctrl_z_in_an_awsw_shell_act_as_in_a_plain_shell() {
    if !require("tmux") {
        return;
    }
    let Some((_moto, sb)) = sandbox() else { return };
    let status = sb.home().join("status");
    let pane = format!("{AWSW} shell dev --shell bash; echo $? > {}", status.display());
    let tmux = Tmux { sb: &sb, socket: format!("awsw-endpoint-{}", common::free_port()) };
    tmux.run(&["new-session", "-d", "-x", "150", "-y", "40", "sh", "-c", &pane]);
    tmux.wait_for("type `exit` to leave");
    // Ctrl-C stops the foreground command, not the shell (nor awsw).
    tmux.run(&["send-keys", "sleep 300", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux.run(&["send-keys", "C-c"]);
    tmux.run(&["send-keys", "echo after-int-$?", "Enter"]);
    tmux.wait_for("after-int-130");
    // Ctrl-Z stops it as a job of the inner shell; fg and Ctrl-C end it.
    tmux.run(&["send-keys", "sleep 301", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux.run(&["send-keys", "C-z"]);
    tmux.wait_for("Stopped");
    tmux.run(&["send-keys", "jobs; echo jobs-done", "Enter"]);
    let screen = tmux.wait_for("jobs-done\n");
    assert!(screen.contains("sleep 301"), "{screen}");
    tmux.run(&["send-keys", "fg", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux.run(&["send-keys", "C-c"]);
    tmux.run(&["send-keys", "aws sts get-caller-identity --output text; echo cli-$?", "Enter"]);
    let screen = tmux.wait_for("cli-0");
    assert!(screen.contains("assumed-role/acme-dev/"), "{screen}");
    tmux.run(&["send-keys", "exit 3", "Enter"]);
    assert_eq!(wait_file(&status).trim(), "3");
}

#[test]
fn a_served_command_stops_and_continues_with_its_outer_shell() {
    if !require("tmux") {
        return;
    }
    let Some((_moto, sb)) = sandbox() else { return };
    let tmux = Tmux { sb: &sb, socket: format!("awsw-endpoint-{}", common::free_port()) };
    tmux.run(&["new-session", "-d", "-x", "150", "-y", "40", "bash", "--norc", "--noprofile", "-i"]);
    let command = format!("{AWSW} exec --server dev -- sh -c 'read line; echo got-$line; exit 4'");
    tmux.run(&["send-keys", &command, "Enter"]);
    std::thread::sleep(Duration::from_millis(1500));
    // Ctrl-Z stops the command, and awsw with it: the outer shell has its prompt back.
    tmux.run(&["send-keys", "C-z"]);
    tmux.wait_for("Stopped");
    tmux.run(&["send-keys", "echo outer-$?", "Enter"]);
    tmux.wait_for("outer-148");
    // fg gives the terminal back to the command, which reads from it.
    tmux.run(&["send-keys", "fg", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux.run(&["send-keys", "hello", "Enter"]);
    tmux.wait_for("got-hello");
    tmux.run(&["send-keys", "echo status-$?", "Enter"]);
    tmux.wait_for("status-4");
}

/// The user's own region wins over the profile's in both modes, by one rule: `AWS_REGION`,
/// else `AWS_DEFAULT_REGION` (the served mode once read `AWS_REGION` only).
#[test]
fn the_users_region_wins_in_served_and_fixed_shells_alike() {
    let Some((_moto, sb)) = sandbox() else { return };
    for mode in ["--server", "--static"] {
        let out = sb
            .awsw(&["shell", "dev", mode, "--shell", "env"])
            .env("AWS_DEFAULT_REGION", "sa-east-1")
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{mode}: {stderr}");
        assert!(stdout.lines().any(|l| l == "AWS_REGION=sa-east-1"), "{mode}: {stdout}");
        let out = sb.awsw(&["shell", "dev", mode, "--shell", "env"]).output().unwrap();
        assert!(
            !text(&out).0.contains("AWS_REGION=sa-east-1"),
            "{mode}: the profile's region without one of the user's"
        );
    }
}

#[test]
fn the_shell_mode_setting_and_the_flags_choose_keys_or_the_endpoint() {
    let Some((_moto, sb)) = sandbox() else { return };
    let env_of = |args: &[&str], mode: Option<&str>| {
        let mut cmd = sb.awsw(&[&["shell", "dev", "--shell", "env"], args].concat());
        if let Some(mode) = mode {
            cmd.env("AWSW_SHELL_MODE", mode);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        text(&out).0
    };
    let served = env_of(&[], None);
    assert!(served.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=") && !served.contains("AWS_ACCESS_KEY_ID="));
    let fixed = env_of(&["--static"], None);
    assert!(
        fixed.contains("AWS_ACCESS_KEY_ID=ASIA") && !fixed.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=")
    );
    assert!(env_of(&[], Some("static")).contains("AWS_ACCESS_KEY_ID=ASIA"));
    assert!(env_of(&["--server"], Some("static")).contains("AWS_CONTAINER_CREDENTIALS_FULL_URI="));
}

#[test]
fn an_expired_base_is_renewed_through_mfa_process_with_no_prompt() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dir = sb.home().display().to_string();
    let config = format!(
        "{CONFIG}
[profile autobase]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
mfa_process = sh -c 'echo run >> {dir}/codes; echo 123456'

[profile auto]
role_arn = arn:aws:iam::123456789012:role/acme-prod-admin
source_profile = autobase
region = ap-northeast-1
"
    );
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    let creds = format!(
        "{CREDS}\n[autobase]\naws_access_key_id = AKIAAUTO0000EXAMPLE3\naws_secret_access_key = auto+LONGTERM+secret+0003\n"
    );
    std::fs::write(sb.home().join(".aws/credentials"), creds).unwrap();
    // The role session is stale for the endpoint after 10 s (3590 s must remain); the base
    // session is then made to end now, so the renewal needs a new code: mfa_process gives it.
    let expire_base = format!(
        "python3 -c 'import json,glob,time; p=glob.glob(\"{dir}/.cache/awsw/session-*.json\")[0]; d=json.load(open(p)); \
         d[\"expiration\"]=time.strftime(\"%Y-%m-%dT%H:%M:%SZ\", time.gmtime()); open(p,\"w\").write(json.dumps(d))'"
    );
    let script = format!(
        "first=$(python3 -c 'import botocore.session; print(botocore.session.get_session().get_credentials().access_key)'); \
         {expire_base}; sleep 11; aws sts get-caller-identity --output text; \
         second=$(python3 -c 'import botocore.session; print(botocore.session.get_session().get_credentials().access_key)'); \
         [ \"$first\" != \"$second\" ] && echo renewed-keys"
    );
    let out = sb
        .awsw(&["exec", "--server", "auto", "--", "bash", "-c", &script])
        .env("AWSW_MIN_REMAINING", "3590")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("assumed-role/acme-prod-admin/"), "{stdout}{stderr}");
    assert!(stdout.contains("renewed-keys"), "the endpoint served a new session: {stdout}");
    assert!(!stderr.contains("works again") && !stderr.contains("MFA code for"), "no prompt: {stderr}");
    let codes = std::fs::read_to_string(sb.home().join("codes")).unwrap();
    assert_eq!(codes.lines().count(), 2, "mfa_process ran at start and for the renewal");
}

/// The served child's pid (from its `ready` file), killed when dropped, so a broken
/// forwarding fails the test instead of leaving the child running.
struct Orphan(i32);

impl Drop for Orphan {
    fn drop(&mut self) {
        // SAFETY: a signal to the child this test's awsw started; gone already is fine.
        unsafe { libc::kill(self.0, libc::SIGKILL) };
    }
}

/// `awsw exec --server dev -- sh -c SCRIPT`, or `awsw shell dev` with SCRIPT as the shell,
/// started; returns once the child wrote its pid to `ready`.
fn served_child(sb: &Sandbox, script: &str, as_shell: bool) -> (std::process::Child, Orphan) {
    use std::os::unix::fs::PermissionsExt;
    let ready = sb.home().join("ready");
    let _ = std::fs::remove_file(&ready);
    let program = sb.home().join("child.sh");
    std::fs::write(&program, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let program = program.display().to_string();
    let args: Vec<&str> = if as_shell {
        vec!["shell", "dev", "--shell", &program]
    } else {
        vec!["exec", "--server", "dev", "--", "sh", &program]
    };
    let child = sb
        .awsw(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = wait_file(&ready).trim().parse().unwrap();
    (child, Orphan(pid))
}

#[test]
fn sigterm_and_sighup_reach_the_served_child_and_its_status_is_awsws() {
    use std::os::unix::process::ExitStatusExt;
    let Some((_moto, sb)) = sandbox() else { return };
    let dir = sb.home().display().to_string();
    let cases = [(libc::SIGTERM, "TERM", 7), (libc::SIGHUP, "HUP", 9)];
    for ((signal, name, status), as_shell) in cases.into_iter().flat_map(|c| [(c, false), (c, true)]) {
        let how = if as_shell { "awsw shell" } else { "awsw exec --server" };
        // The child catches the signal, says so and exits with its own status.
        let script = format!(
            "trap 'echo got-{name} > {dir}/caught; exit {status}' {name}; echo $$ > {dir}/ready; \
             while :; do sleep 0.1; done"
        );
        let (mut child, _orphan) = served_child(&sb, &script, as_shell);
        // SAFETY: a signal to the awsw process this test started.
        unsafe { libc::kill(child.id() as i32, signal) };
        let exit = child.wait().unwrap();
        assert_eq!(exit.code(), Some(status), "{how}, {name}: {exit:?}");
        assert_eq!(wait_file(&sb.home().join("caught")), format!("got-{name}\n"), "{how}");
        std::fs::remove_file(sb.home().join("caught")).unwrap();
        // A child that does not catch it dies of it, and so does awsw.
        let script = format!("echo $$ > {dir}/ready; while :; do sleep 0.1; done");
        let (mut child, _orphan) = served_child(&sb, &script, as_shell);
        // SAFETY: as above.
        unsafe { libc::kill(child.id() as i32, signal) };
        let exit = child.wait().unwrap();
        assert_eq!(exit.signal(), Some(signal), "{how}, {name}: {exit:?}");
    }
}
