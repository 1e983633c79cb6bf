//! awsw's per-user agent end to end: `.envrc` blocks written by `awsw envrc --served`,
//! loaded by the real direnv, read by the real AWS CLI against moto; one agent for two
//! directories; renewal past a short role session; the renew line and `awsw refresh`;
//! stop, a crashed agent's state file, idle exit; the token refused when wrong and found
//! in no file but the 0600 state file and on no command line.

use crate::common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{MotoServer, Sandbox, require, text};

/// The endpoint tests' profiles: `prod` a role behind the MFA base `base`, `dev` a role
/// behind plain keys.
use crate::endpoint::{CONFIG, CREDS, RENEWAL_LOOP};

/// A sandbox with moto, or `None` when the programs are missing (outside CI).
fn sandbox() -> Option<(MotoServer, Reaped)> {
    if !require("direnv") || !require("aws") {
        return None;
    }
    let moto = MotoServer::start()?;
    let sandbox = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, Reaped(sandbox)))
}

/// A sandbox whose agents end with it, even when a test fails half-way (a stopped agent
/// is continued first, so it can die): no agent outlives its test.
struct Reaped(Sandbox);

impl std::ops::Deref for Reaped {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.0
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        for pid in agent_pids(&self.0) {
            let pid = pid.to_string();
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
    }
}

/// Runs `cmd` with the sandbox's extra variables.
fn with_env(mut cmd: Command, env: &[(&str, &str)]) -> Command {
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// `awsw envrc PROFILE --served` into a new directory `name`, allowed in direnv.
fn served_dir(sb: &Sandbox, name: &str, profile: &str, env: &[(&str, &str)]) -> PathBuf {
    let dir = sb.home().join(name);
    std::fs::create_dir(&dir).unwrap();
    let mut cmd = with_env(sb.awsw(&["envrc", profile, "--served", "--mfa-code", "123456", "--dir"]), env);
    let out = cmd.arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let allow = sb.command("direnv").arg("allow").arg(&dir).output().unwrap();
    assert!(allow.status.success(), "{}", text(&allow).1);
    dir
}

/// `direnv exec DIR bash -c SCRIPT`: status, stdout, stderr.
fn in_dir(sb: &Sandbox, dir: &Path, script: &str, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = with_env(sb.command("direnv"), env);
    let out = cmd.arg("exec").arg(dir).args(["bash", "-c", script]).output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

fn runtime_dir(sb: &Sandbox) -> PathBuf {
    sb.cache_dir().join("agent")
}

/// The one state file in the sandbox's runtime directory, as JSON.
fn state(sb: &Sandbox) -> serde_json::Value {
    let files: Vec<PathBuf> = std::fs::read_dir(runtime_dir(sb))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

/// Processes running `awsw agent run` with this sandbox's HOME.
fn agent_pids(sb: &Sandbox) -> Vec<u32> {
    let home = format!("HOME={}\0", sb.home().display());
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            cmdline.ends_with(b"\0agent\0run\0") && environ.windows(home.len()).any(|w| w == home.as_bytes())
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One raw request to the agent; the status.
fn status_of(port: u16, method: &str, path: &str, token: Option<&str>) -> u16 {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token.map(|t| format!("Authorization: {t}\r\n")).unwrap_or_default();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}

/// Every file under `root` whose bytes contain `needle`.
fn files_containing(root: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && std::fs::read(&path)
                    .unwrap_or_default()
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

const PROBE: &str = "aws sts get-caller-identity --output text; echo \"URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI\"; \
     echo \"TOKEN=$AWS_CONTAINER_AUTHORIZATION_TOKEN\"; echo \"KEY=${AWS_ACCESS_KEY_ID:-none}\"; echo \"PROFILE=$AWSW_PROFILE\"";

fn field<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_else(|| panic!("no {name} in {stdout}"))
}

#[test]
fn two_directories_share_one_agent_that_serves_only_their_profiles() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dev = served_dir(&sb, "dev-project", "dev", &[]);
    let prod = served_dir(&sb, "prod-project", "prod", &[]);
    let (code, out_dev, err) = in_dir(&sb, &dev, PROBE, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out_dev.contains("assumed-role/acme-dev/"), "{out_dev} {err}");
    let (code, out_prod, err) = in_dir(&sb, &prod, PROBE, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out_prod.contains("assumed-role/acme-prod-admin/"), "{out_prod} {err}");
    for out in [&out_dev, &out_prod] {
        assert_eq!(field(out, "KEY="), "none", "no keys in the environment");
        assert_eq!(field(out, "TOKEN=").len(), 64);
    }
    // One agent, one token, one port; a path per profile.
    let token = field(&out_dev, "TOKEN=").to_string();
    assert_eq!(field(&out_prod, "TOKEN="), token);
    let (uri_dev, uri_prod) = (field(&out_dev, "URI="), field(&out_prod, "URI="));
    assert!(uri_dev.ends_with("/awsw/v1/dev") && uri_prod.ends_with("/awsw/v1/prod"), "{uri_dev} {uri_prod}");
    assert_eq!(uri_dev.trim_end_matches("dev"), uri_prod.trim_end_matches("prod"));
    let pids = agent_pids(&sb);
    assert_eq!(pids.len(), 1, "one agent process: {pids:?}");
    let state = state(&sb);
    assert_eq!(state["pid"].as_u64(), Some(u64::from(pids[0])));
    let port = state["port"].as_u64().unwrap() as u16;

    // The token is in the 0600 state file only, and on no command line.
    use std::os::unix::fs::PermissionsExt;
    let holders = files_containing(sb.home(), &token);
    assert_eq!(holders.len(), 1, "{holders:?}");
    assert_eq!(std::fs::metadata(&holders[0]).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(runtime_dir(&sb)).unwrap().permissions().mode() & 0o777, 0o700);
    let ps = Command::new("ps").args(["-eo", "args"]).output().unwrap();
    assert!(!text(&ps).0.contains(&token), "the token is on a command line");
    for envrc in [&dev, &prod] {
        let file = std::fs::read_to_string(envrc.join(".envrc")).unwrap();
        assert!(file.contains("agent env") && !file.contains("LONGTERM") && !file.contains("ASIA"), "{file}");
    }

    // No token, another token of the right length, a profile no directory asked for.
    let wrong = format!("{}{}", if token.starts_with('0') { '1' } else { '0' }, &token[1..]);
    assert_eq!(status_of(port, "GET", "/awsw/v1/dev", None), 403);
    assert_eq!(status_of(port, "GET", "/awsw/v1/dev", Some(&wrong)), 403);
    assert_eq!(status_of(port, "GET", "/awsw/agent", Some(&wrong)), 403);
    assert_eq!(status_of(port, "DELETE", "/awsw/agent", Some(&wrong)), 403);
    assert_eq!(status_of(port, "GET", "/awsw/v1/base", Some(&token)), 404);
    assert_eq!(status_of(port, "GET", "/awsw/v1/dev", Some(&token)), 200);
    // Another local user's process gets 403 even with the right token (needs root to be one).
    if unsafe { libc::geteuid() } == 0 && require("setpriv") {
        // bash's /dev/tcp: no program outside /bin that the other user might not reach.
        let probe = format!(
            "exec 3<>/dev/tcp/127.0.0.1/{port}; printf 'GET /awsw/v1/dev HTTP/1.1\\r\\nAuthorization: {token}\\r\\n\\r\\n' >&3; head -c 12 <&3"
        );
        let run_as = |uid: &str| {
            let out = Command::new("setpriv")
                .args(["--reuid", uid, "--regid", uid, "--clear-groups", "/bin/bash", "-c", &probe])
                .output()
                .unwrap();
            text(&out).0.trim().to_string()
        };
        assert_eq!(run_as("65534"), "HTTP/1.1 403", "another user with the token");
        assert_eq!(run_as("0"), "HTTP/1.1 200", "the same probe as the agent's user");
    } else {
        eprintln!("not root: the other-user case is covered by server::peer's unit tests only");
    }

    let status = sb.awsw(&["agent", "status"]).output().unwrap();
    let (stdout, stderr) = text(&status);
    assert_eq!(status.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(&format!("agent pid {}", pids[0])), "{stdout}");
    assert!(stdout.contains("  dev: ") && stdout.contains("  prod: renews without asking until"), "{stdout}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token));

    // Stop: the process, its port and its state file are gone; status says so.
    let stop = sb.awsw(&["agent", "stop"]).output().unwrap();
    assert_eq!(stop.status.code(), Some(0), "{}", text(&stop).1);
    assert!(text(&stop).0.contains(&format!("stopped the awsw agent (pid {})", pids[0])));
    wait_until("the agent to exit", || !alive(pids[0]));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening");
    assert!(files_containing(sb.home(), &token).is_empty(), "the state file stayed");
    let status = sb.awsw(&["agent", "status"]).output().unwrap();
    assert_eq!(status.status.code(), Some(1));
    assert!(text(&status).1.contains("no awsw agent is running"), "{}", text(&status).1);
    // The next load starts a new agent with a new token.
    let (code, out, err) = in_dir(&sb, &dev, PROBE, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_ne!(field(&out, "TOKEN="), token);
    let _ = sb.awsw(&["agent", "stop"]).output();
}

#[test]
fn a_served_directory_keeps_working_across_renewals() {
    let Some((_moto, sb)) = sandbox() else { return };
    // Sessions with less than 3590 s left are renewed: moto's 3600 s role sessions need
    // renewing every 10 s, from the cached MFA base session, without a code.
    let env = [("AWSW_MIN_REMAINING", "3590")];
    let prod = served_dir(&sb, "prod", "prod", &env);
    let (code, stdout, stderr) = in_dir(&sb, &prod, RENEWAL_LOOP, &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("fails=0\n"), "{stdout} {stderr}");
    let distinct: u32 = stdout.lines().last().unwrap().trim().parse().unwrap();
    assert!(distinct >= 2, "no renewal seen in 25 s: {stdout}");
    let _ = with_env(sb.awsw(&["agent", "stop"]), &env).output();
}

#[test]
fn an_expired_base_says_how_to_renew_and_refresh_brings_the_directory_back() {
    let Some((_moto, sb)) = sandbox() else { return };
    let env = [("AWSW_MIN_REMAINING", "3590")];
    let prod = served_dir(&sb, "prod", "prod", &env);
    // The first role session lasts 10 s for the agent (3590 s must remain); the test then
    // makes the cached MFA base session end now, so the renewal needs a code.
    let dir = sb.home().display().to_string();
    let expire_base = format!(
        "python3 -c 'import json,glob,time; p=glob.glob(\"{dir}/.cache/awsw/session-*.json\")[0]; d=json.load(open(p)); \
         d[\"expiration\"]=time.strftime(\"%Y-%m-%dT%H:%M:%SZ\", time.gmtime()); open(p,\"w\").write(json.dumps(d))'"
    );
    let awsw = env!("CARGO_BIN_EXE_awsw");
    let script = format!(
        "aws sts get-caller-identity > /dev/null || echo first-failed; {expire_base}; sleep 11; \
         aws sts get-caller-identity > /dev/null 2> {dir}/failed && echo unexpected-success; \
         {awsw} refresh prod --mfa-code 123456; aws sts get-caller-identity --output text"
    );
    let started = Instant::now();
    let (code, stdout, stderr) = in_dir(&sb, &prod, &script, &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stdout.contains("first-failed") && !stdout.contains("unexpected-success"), "{stdout}");
    let failed = std::fs::read_to_string(sb.home().join("failed")).unwrap();
    assert!(failed.contains("awsw refresh prod"), "the CLI shows how to renew: {failed}");
    assert!(failed.contains("needs a new MFA code from arn:aws:iam::123456789012:mfa/alice"), "{failed}");
    assert!(stderr.contains("awsw: profile prod: renewed"), "{stderr}");
    assert!(stdout.contains("assumed-role/acme-prod-admin/"), "the same directory works again: {stdout}");
    assert!(started.elapsed() < Duration::from_secs(40), "a 503 at once, not a hang");
    // A load while the base needs a code still points the directory at the agent and says
    // how to renew.
    let expire = with_env(sb.command("bash"), &env).args(["-c", &expire_base]).output().unwrap();
    assert!(expire.status.success());
    std::fs::remove_dir_all(sb.home().join(".aws/cli")).unwrap();
    for role in std::fs::read_dir(sb.cache_dir()).unwrap().flatten() {
        if role.file_name().to_string_lossy().starts_with("role-") {
            std::fs::remove_file(role.path()).unwrap();
        }
    }
    let (code, stdout, stderr) = in_dir(&sb, &prod, "echo \"URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI\"", &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(field(&stdout, "URI=").ends_with("/awsw/v1/prod"), "{stdout}");
    assert!(stderr.contains("run `awsw refresh prod`"), "{stderr}");
    let _ = with_env(sb.awsw(&["agent", "stop"]), &env).output();
}

#[test]
fn a_crashed_agent_is_detected_and_replaced() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dev = served_dir(&sb, "dev", "dev", &[]);
    let (code, _, stderr) = in_dir(&sb, &dev, "aws sts get-caller-identity > /dev/null", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let first = state(&sb)["pid"].as_u64().unwrap() as u32;
    // SIGKILL: no clean-up, the state file stays behind.
    assert!(Command::new("kill").args(["-9", &first.to_string()]).status().unwrap().success());
    wait_until("the agent to die", || !alive(first));
    assert_eq!(state(&sb)["pid"].as_u64(), Some(u64::from(first)), "the state file was left");
    let (code, stdout, stderr) = in_dir(&sb, &dev, PROBE, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains(&format!("the awsw agent (pid {first}) is no longer running")), "{stderr}");
    assert!(stdout.contains("assumed-role/acme-dev/"), "{stdout}");
    let second = state(&sb)["pid"].as_u64().unwrap() as u32;
    assert_ne!(second, first);
    assert_eq!(agent_pids(&sb), [second]);
    // `status` finds a stale file too, removes it and says no agent runs.
    assert!(Command::new("kill").args(["-9", &second.to_string()]).status().unwrap().success());
    wait_until("the agent to die", || !alive(second));
    let status = sb.awsw(&["agent", "status"]).output().unwrap();
    let (stdout, stderr) = text(&status);
    assert_eq!(status.status.code(), Some(1), "{stdout} {stderr}");
    assert!(stdout.contains(&format!("no longer running (pid {second})")), "{stdout}");
    assert!(stderr.contains("no awsw agent is running"), "{stderr}");
}

#[test]
fn an_idle_agent_exits_but_not_before_what_it_handed_out_expires() {
    let Some((_moto, sb)) = sandbox() else { return };
    let env = [("AWSW_AGENT_IDLE", "2")];
    let dev = served_dir(&sb, "dev", "dev", &env);
    // Loaded but never asked for credentials: it exits 2 s after the load.
    let (code, _, stderr) = in_dir(&sb, &dev, "true", &env);
    assert_eq!(code, Some(0), "{stderr}");
    let first = state(&sb)["pid"].as_u64().unwrap() as u32;
    wait_until("the idle agent to exit", || !alive(first));
    let logs: Vec<String> = std::fs::read_dir(runtime_dir(&sb))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(logs.iter().any(|l| l.contains("exiting (idle)")), "{logs:?}");
    assert!(
        !runtime_dir(&sb)
            .read_dir()
            .unwrap()
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "json"))
    );
    // Having handed out a session that lasts an hour, it stays up past the idle time.
    let (code, _, stderr) = in_dir(&sb, &dev, "aws sts get-caller-identity > /dev/null", &env);
    assert_eq!(code, Some(0), "{stderr}");
    let second = state(&sb)["pid"].as_u64().unwrap() as u32;
    std::thread::sleep(Duration::from_secs(4));
    assert!(alive(second), "exited while a session it handed out was still valid");
    let _ = with_env(sb.awsw(&["agent", "stop"]), &env).output();
}

#[test]
fn envrc_served_refuses_environment_roots_and_agent_env_refuses_unknown_profiles() {
    let Some((_moto, sb)) = sandbox() else { return };
    let config = format!(
        "{CONFIG}\n[profile from-env]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Environment\n"
    );
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    let dir = sb.home().join("p");
    std::fs::create_dir(&dir).unwrap();
    let out = sb
        .awsw(&["envrc", "from-env", "--served", "--dir"])
        .arg(&dir)
        .env("AWS_ACCESS_KEY_ID", "AKIAPLAIN000EXAMPLE2")
        .env("AWS_SECRET_ACCESS_KEY", "plain+LONGTERM+secret+do+not+leak+0002")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    assert!(text(&out).1.contains("--cached"), "{}", text(&out).1);
    assert!(!dir.join(".envrc").exists());
    // envrc_mode = served makes --served the default; a mode flag still wins.
    for (flags, served) in [(&[][..], true), (&["--cached"][..], false)] {
        let out = sb
            .awsw(&[&["envrc", "dev"], flags, &["--dir"]].concat())
            .arg(&dir)
            .env("AWSW_ENVRC_MODE", "served")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        let file = std::fs::read_to_string(dir.join(".envrc")).unwrap();
        assert_eq!(file.contains("agent env 'dev' --shell bash --direnv"), served, "{flags:?}: {file}");
    }
    // An unknown profile at load time: exit 2, the closest name, and only unsets on stdout.
    let out = sb.awsw(&["agent", "env", "prd", "--shell", "bash"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("prod"), "{stderr}");
    assert!(stdout.lines().all(|l| l.starts_with("unset ")), "{stdout}");
    assert!(stdout.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"), "{stdout}");
    let _ = sb.awsw(&["agent", "stop"]).output();
}

#[test]
fn a_shell_in_the_directory_follows_a_restarted_agent_at_its_next_prompt() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dev = served_dir(&sb, "dev", "dev", &[]);
    // What direnv's prompt hook runs, twice, with the agent stopped in between: the watched
    // state file changed, so the second export loads the block again (a new agent, token).
    let awsw = env!("CARGO_BIN_EXE_awsw");
    let script = format!(
        "eval \"$(direnv export bash)\"; first=$AWS_CONTAINER_AUTHORIZATION_TOKEN; \
         {awsw} agent stop > /dev/null; eval \"$(direnv export bash)\"; \
         [ -n \"$first\" ] && [ \"$first\" != \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" ] && echo reloaded; \
         aws sts get-caller-identity --output text"
    );
    let out = sb.command("bash").args(["-c", &script]).current_dir(&dev).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("reloaded\n"), "{stdout} {stderr}");
    assert!(stdout.contains("assumed-role/acme-dev/"), "{stdout}");
    let _ = sb.awsw(&["agent", "stop"]).output();
}

#[test]
fn a_hung_agent_is_named_with_its_pid_and_never_replaced_behind_its_back() {
    let Some((_moto, sb)) = sandbox() else { return };
    let dev = served_dir(&sb, "dev", "dev", &[]);
    let (code, _, stderr) = in_dir(&sb, &dev, "true", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let pid = state(&sb)["pid"].as_u64().unwrap().to_string();
    // Stopped: it holds its lock, and its port accepts connections but never answers.
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    let out = sb.awsw(&["agent", "env", "dev", "--shell", "bash"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("(pid {pid}) holds its lock but has not answered")), "{stderr}");
    assert!(stderr.contains(&format!("kill {pid}")), "{stderr}");
    assert!(stdout.lines().all(|l| l.starts_with("unset ")), "only unsets: {stdout}");
    for command in ["status", "stop"] {
        let out = sb.awsw(&["agent", command]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(text(&out).1.contains(&format!("`kill {pid}`")), "{command}: {}", text(&out).1);
    }
    assert_eq!(agent_pids(&sb).len(), 1, "no second agent beside the hung one");
    assert!(Command::new("kill").args(["-CONT", &pid]).status().unwrap().success());
    let stop = sb.awsw(&["agent", "stop"]).output().unwrap();
    assert_eq!(stop.status.code(), Some(0), "{}", text(&stop).1);
    assert!(text(&stop).0.contains(&format!("stopped the awsw agent (pid {pid})")));
}

#[test]
fn a_load_waits_at_most_15_s_for_a_session_another_awsw_is_getting() {
    let Some((_moto, sb)) = sandbox() else { return };
    let prod = served_dir(&sb, "prod", "prod", &[]);
    // No role session cached any more (the MFA base still is), and another awsw process
    // holds the role's lock, as while someone types a code.
    let role = std::fs::read_dir(sb.cache_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("role-"))
        .unwrap();
    std::fs::remove_file(&role).unwrap();
    std::fs::remove_dir_all(sb.home().join(".aws/cli")).unwrap();
    let lock = format!("{}.lock", role.display());
    let hold = format!(
        "import fcntl,sys,time; f=open('{lock}','w'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"
    );
    let mut holder = std::process::Command::new("python3")
        .args(["-c", &hold])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()), &mut line)
        .unwrap();
    assert_eq!(line.trim(), "held");
    let started = Instant::now();
    let (code, stdout, stderr) = in_dir(&sb, &prod, "echo \"URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI\"", &[]);
    let waited = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(waited < Duration::from_secs(25), "the load waited {waited:?}");
    assert!(stderr.contains("no session after 15 s"), "{stderr}");
    assert!(field(&stdout, "URI=").ends_with("/awsw/v1/prod"), "{stdout}");
    // With the lock free, the first request gets the session.
    let (code, stdout, stderr) = in_dir(&sb, &prod, "aws sts get-caller-identity --output text", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("assumed-role/acme-prod-admin/"), "{stdout} {stderr}");
    let _ = sb.awsw(&["agent", "stop"]).output();
}
