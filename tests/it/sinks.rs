//! Where a session goes, with the real programs: shells evaluating awsw's output with
//! hostile values, direnv loading the .envrc block, tmux hosting `awsw shell`, and Xvfb +
//! xclip reading what `awsw env --copy` left on the clipboard.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use awsw::creds::{Credentials, Session, SessionOrigin};
use awsw::secret::Secret;
use awsw::sink::env::{EnvOptions, env_change};
use awsw::sink::shell::{Shell, format};
use common::{MotoServer, Sandbox, require, text};

const HOSTILE: &str =
    "it's \"q\" $(touch CANARY) `touch CANARY` ; touch CANARY & | \\ \n newline '# 本番 $HOME";

fn hostile_session() -> Session {
    Session {
        profile: HOSTILE.to_string(),
        credentials: Credentials {
            access_key_id: "ASIA'$(touch CANARY)".into(),
            secret_access_key: Secret::new(HOSTILE),
            session_token: Some(Secret::new("tok\\en'\"`;")),
            expiration: None,
        },
        region: Some("eu-west-1; touch CANARY".into()),
        identity: None,
        origin: SessionOrigin::Fresh,
    }
}

/// Evaluates `lines` in `shell` and returns the resulting environment.
fn evaluate(
    program: &str,
    args: &[&str],
    lines: &str,
    dir: &Path,
) -> std::collections::HashMap<String, String> {
    std::fs::write(dir.join("lines"), lines).unwrap();
    let out = Command::new(program)
        .args(args)
        .arg("source ./lines && env -0")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", dir)
        .env("AWS_PROFILE", "stale")
        .env("AWS_SECURITY_TOKEN", "stale")
        .output()
        .unwrap();
    assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
        .split(|&b| b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (k, v) = entry.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

#[test]
fn hostile_values_survive_real_shells_byte_for_byte() {
    let change = env_change(&hostile_session(), &EnvOptions::default());
    for (shell, program, args) in [
        (Shell::Bash, "bash", vec!["--norc", "--noprofile", "-c"]),
        (Shell::Zsh, "zsh", vec!["-f", "-c"]),
        (Shell::Fish, "fish", vec!["--no-config", "-c"]),
    ] {
        if !require(program) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let env = evaluate(program, &args, &format(&change, shell), dir.path());
        assert!(!dir.path().join("CANARY").exists(), "{program} ran injected code");
        assert_eq!(env["AWSW_PROFILE"], HOSTILE, "{program}");
        assert_eq!(env["AWS_SECRET_ACCESS_KEY"], HOSTILE, "{program}");
        assert_eq!(env["AWS_ACCESS_KEY_ID"], "ASIA'$(touch CANARY)", "{program}");
        assert_eq!(env["AWS_SESSION_TOKEN"], "tok\\en'\"`;", "{program}");
        assert_eq!(env["AWS_REGION"], "eu-west-1; touch CANARY", "{program}");
        assert!(!env.contains_key("AWS_PROFILE") && !env.contains_key("AWS_SECURITY_TOKEN"), "{program}");
    }
}

#[test]
fn powershell_and_nushell_text_is_exact_for_hostile_values() {
    let change = awsw::sink::env::EnvChange {
        unset: vec!["AWS_PROFILE"],
        set: vec![("AWSW_PROFILE", awsw::sink::env::EnvValue::Plain("a'b $(x) `y` '#z".into()))],
    };
    assert_eq!(
        format(&change, Shell::Powershell),
        "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n$Env:AWSW_PROFILE = 'a''b $(x) `y` ''#z'\n"
    );
    assert_eq!(
        format(&change, Shell::Nu),
        "hide-env -i AWS_PROFILE\nload-env {AWSW_PROFILE: r##'a'b $(x) `y` '#z'##}\n"
    );
}

const CONFIG: &str = "\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = keys
region = eu-west-1
";
const CREDS: &str =
    "[keys]\naws_access_key_id = AKIAKEYS00000EXAMPLE\naws_secret_access_key = keys+LONGTERM+secret\n";

fn moto_sandbox() -> Option<(MotoServer, Sandbox)> {
    let moto = MotoServer::start()?;
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, sb))
}

pub(crate) fn direnv_env(
    sb: &Sandbox,
    project: &Path,
) -> (std::collections::HashMap<String, String>, String) {
    let allow = sb.command("direnv").arg("allow").arg(project).output().unwrap();
    assert!(allow.status.success(), "{}", text(&allow).1);
    let out = sb.command("direnv").arg("exec").arg(project).args(["env", "-0"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let env = out
        .stdout
        .split(|&b| b == 0)
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            e.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    (env, text(&out).1)
}

#[test]
fn direnv_loads_the_secret_free_block_and_the_inline_one() {
    if !require("direnv") {
        return;
    }
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let project = sb.home().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join(".envrc"), "export KEEP=me\n").unwrap();
    let out = sb.awsw(&["envrc", "dev", "--dir"]).arg(&project).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("direnv allow"), "{stderr}");
    let file = std::fs::read_to_string(project.join(".envrc")).unwrap();
    assert!(file.starts_with("export KEEP=me\n# >>> awsw >>>\n"), "{file}");
    assert!(!file.contains("AWS_SECRET_ACCESS_KEY='") && !file.contains("LONGTERM"), "no secrets: {file}");
    assert!(file.contains("watch_file"));
    let (env, _) = direnv_env(&sb, &project);
    assert_eq!(env["AWSW_PROFILE"], "dev");
    assert_eq!(env["KEEP"], "me");
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert!(env.contains_key("AWS_SESSION_TOKEN"));
    // Running it again replaces the block, not appends a second one.
    let out = sb.awsw(&["envrc", "dev", "--dir"]).arg(&project).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(project.join(".envrc")).unwrap().matches("# >>> awsw >>>").count(), 1);
    // With the cache gone, the block says so on stderr and leaves credentials unset.
    std::fs::remove_dir_all(sb.cache_dir()).unwrap();
    std::fs::remove_dir_all(sb.home().join(".aws/cli")).unwrap();
    let (env, stderr) = direnv_env(&sb, &project);
    assert!(!env.contains_key("AWS_ACCESS_KEY_ID"), "stale credentials stayed");
    assert!(stderr.contains("awsw env dev"), "{stderr}");

    // --inline: the credentials themselves, 0600, loaded by direnv.
    let inline = sb.home().join("inline");
    std::fs::create_dir(&inline).unwrap();
    let out = sb.awsw(&["envrc", "dev", "--inline", "--dir"]).arg(&inline).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(inline.join(".envrc")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (env, _) = direnv_env(&sb, &inline);
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert!(!std::fs::read_to_string(inline.join(".envrc")).unwrap().contains("LONGTERM"));
}

#[test]
fn the_inline_guard_drops_expired_credentials() {
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let project = sb.home().join("p");
    std::fs::create_dir(&project).unwrap();
    let out = sb.awsw(&["envrc", "dev", "--inline", "--dir"]).arg(&project).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    // A `date` from the far future.
    let bin = sb.home().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("date"), "#!/bin/sh\necho 99999999999\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("date"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = format!(
        "PATH={}:$PATH; . {}/.envrc; echo ${{AWS_ACCESS_KEY_ID:-unset}} ${{AWS_SESSION_TOKEN:-unset}}",
        bin.display(),
        project.display()
    );
    let out = sb.command("bash").args(["--norc", "-c", &script]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout.trim(), "unset unset", "{stderr}");
    assert!(stderr.contains("expired") && stderr.contains("awsw envrc dev --inline"), "{stderr}");
}

#[test]
fn envrc_refuses_links_unclosed_blocks_and_warns_about_git() {
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let project = sb.home().join("p");
    std::fs::create_dir(&project).unwrap();
    // Symlinked .envrc: refused, target untouched.
    std::fs::write(sb.home().join("target"), "original\n").unwrap();
    std::os::unix::fs::symlink(sb.home().join("target"), project.join(".envrc")).unwrap();
    let out = sb.awsw(&["envrc", "dev", "--dir"]).arg(&project).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("symbolic link"), "{}", text(&out).1);
    assert_eq!(std::fs::read_to_string(sb.home().join("target")).unwrap(), "original\n");
    std::fs::remove_file(project.join(".envrc")).unwrap();
    // A start marker without an end: refused, file byte-identical.
    let broken = "keep\r\n# >>> awsw >>>\nexport X=1\n";
    std::fs::write(project.join(".envrc"), broken).unwrap();
    let out = sb.awsw(&["envrc", "dev", "--dir"]).arg(&project).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("no `# <<< awsw <<<`"), "{}", text(&out).1);
    assert_eq!(std::fs::read_to_string(project.join(".envrc")).unwrap(), broken);
    std::fs::remove_file(project.join(".envrc")).unwrap();
    // Unknown profile: usage error with suggestions, nothing written.
    let out = sb.awsw(&["envrc", "deb", "--dir"]).arg(&project).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("did you mean dev"));
    assert!(!project.join(".envrc").exists());
    // Inside a git work tree without an ignore rule: a warning.
    if require("git") {
        assert!(sb.command("git").args(["init", "-q"]).arg(&project).status().unwrap().success());
        let out = sb.awsw(&["envrc", "dev", "--inline", "--dir"]).arg(&project).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        assert!(text(&out).1.contains(".gitignore"), "{}", text(&out).1);
        std::fs::write(project.join(".gitignore"), ".envrc\n").unwrap();
        let out = sb.awsw(&["envrc", "dev", "--inline", "--dir"]).arg(&project).output().unwrap();
        assert!(!text(&out).1.contains(".gitignore"), "{}", text(&out).1);
    }
}

#[test]
fn shell_refuses_to_nest_without_force() {
    let sb = Sandbox::new(CONFIG, CREDS);
    let out = sb.awsw(&["shell", "dev"]).env("AWSW_PROFILE", "prod").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("already inside an awsw shell for profile prod") && stderr.contains("exit"),
        "{stderr}"
    );
}

fn wait_for(path: &Path, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn awsw_shell_in_tmux_carries_the_session_and_the_exit_status() {
    if !require("tmux") {
        return;
    }
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let socket = format!("awsw-test-{}", common::free_port());
    let status = sb.home().join("status");
    let envfile = sb.home().join("env");
    let pane =
        format!("{} shell dev --shell bash; echo $? > {}", env!("CARGO_BIN_EXE_awsw"), status.display());
    let tmux = |args: &[&str]| sb.command("tmux").arg("-L").arg(&socket).args(args).output().unwrap();
    let out = tmux(&["new-session", "-d", "-x", "120", "-y", "30", "sh", "-c", &pane]);
    assert!(out.status.success(), "{}", text(&out).1);
    // Wait for the banner, then look around inside and leave with status 3.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let screen = text(&tmux(&["capture-pane", "-p", "-J"])).0;
        if screen.contains("type `exit` to leave") {
            assert!(screen.contains("awsw: dev -> arn:aws:sts::123456789012:assumed-role/dev/"), "{screen}");
            break;
        }
        assert!(Instant::now() < deadline, "no banner: {screen}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let command = format!("env > {}; exit 3", envfile.display());
    tmux(&["send-keys", &command, "Enter"]);
    assert_eq!(wait_for(&status, "the exit status").trim(), "3");
    let env = std::fs::read_to_string(&envfile).unwrap();
    tmux(&["kill-server"]);
    assert!(env.contains("AWSW_PROFILE=dev\n"), "{env}");
    // Served by default: the local endpoint, and no keys (the SDKs would read those first).
    assert!(env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"), "{env}");
    assert!(env.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN="), "{env}");
    assert!(!env.contains("AWS_ACCESS_KEY_ID=") && !env.contains("AWS_SESSION_TOKEN="), "{env}");
    assert!(env.contains("AWS_REGION=eu-west-1\n"), "{env}");
}

#[test]
fn env_copy_leaves_the_lines_on_the_x11_clipboard_after_exit() {
    if !require("Xvfb") || !require("xclip") {
        return;
    }
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let xvfb = common::xvfb::Xvfb::start();
    let display = &xvfb.display;
    let out = sb.awsw(&["env", "dev", "--copy", "--shell", "bash"]).env("DISPLAY", display).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.is_empty(), "copy prints nothing");
    assert!(stderr.contains("system clipboard"), "{stderr}");
    assert!(!stderr.contains("ASIA"), "nothing copied is echoed: {stderr}");
    // awsw has exited; the clipboard still holds the lines.
    let pasted =
        sb.command("xclip").args(["-o", "-selection", "clipboard"]).env("DISPLAY", display).output().unwrap();
    let expected = sb.awsw(&["env", "dev", "--cached-only", "--shell", "bash"]).output().unwrap();
    drop(xvfb);
    assert_eq!(text(&pasted).0, text(&expected).0);
    assert!(text(&pasted).0.contains("export AWS_SESSION_TOKEN='"));
}

#[test]
fn env_copy_without_display_or_terminal_says_so_and_prints_no_secret() {
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let out = sb.awsw(&["env", "dev", "--copy"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("cannot copy") && stderr.contains("no display"), "{stderr}");
    assert!(!stderr.contains("ASIA") && !stderr.contains("LONGTERM"));
}

#[test]
fn the_shipped_bash_function_switches_the_current_shell() {
    let Some((_moto, sb)) = moto_sandbox() else { return };
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_awsw")).parent().unwrap();
    let script = format!(
        "PATH={}:$PATH; source {}/assets/awsw.bash; awsw-use dev && echo \"$AWSW_PROFILE ${{AWS_SESSION_TOKEN:+token}}\"",
        bin_dir.display(),
        env!("CARGO_MANIFEST_DIR")
    );
    let out = sb.command("bash").args(["--norc", "-c", &script]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout.trim(), "dev token", "{stderr}");
}

#[test]
fn envrc_refuses_up_front_the_kinds_whose_session_is_never_cached() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.").unwrap();
    let config = format!(
        "[profile proc]\ncredential_process = sh -c 'printf \"{{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"AKIAPROC\\\",\\\"SecretAccessKey\\\":\\\"s\\\",\\\"SessionToken\\\":\\\"t\\\",\\\"Expiration\\\":\\\"2030-01-01T00:00:00Z\\\"}}\"'\n\n\
         [profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {}\nregion = us-east-1\n",
        token.display()
    );
    let Some(moto) = common::MotoServer::start() else { return };
    let sb = Sandbox::new(&config, "").with_endpoint(moto.url());
    for profile in ["proc", "web"] {
        let project = sb.home().join(format!("project-{profile}"));
        std::fs::create_dir(&project).unwrap();
        let out = sb.awsw(&["envrc", profile, "--dir"]).arg(&project).output().unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("keeps no cached session") && stderr.contains("--profile-only"), "{stderr}");
        assert!(!project.join(".envrc").exists(), "nothing is written");
        // The mode the message names works.
        let out = sb.awsw(&["envrc", profile, "--profile-only", "--dir"]).arg(&project).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
        assert!(std::fs::read_to_string(project.join(".envrc")).unwrap().contains("AWS_PROFILE"));
    }
}

/// Every kind `awsw envrc` accepts loads in real direnv: the cached block for the kinds whose
/// session awsw caches (static keys, an MFA role, a `credential_source` role), and for the
/// kinds it refuses there (a `credential_process` or web-identity profile itself), the two
/// modes the refusal names: `--profile-only`, checked by the real AWS CLI resolving the
/// profile itself, and `--inline`. (SSO: tests/it/sso/engine.rs.)
#[test]
fn every_profile_kind_loads_in_direnv() {
    if !require("direnv") || !require("aws") {
        return;
    }
    let Some(moto) = MotoServer::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let token = tmp.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.").unwrap();
    let process = tmp.path().join("process.sh");
    std::fs::write(
        &process,
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS000000001\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&process, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = format!(
        "[profile keys]\nregion = eu-west-1\n\n\
         [profile mfa-role]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = keys\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n\
         [profile from-env]\nrole_arn = arn:aws:iam::123456789012:role/deploy\ncredential_source = Environment\nregion = us-east-1\n\n\
         [profile ci]\ncredential_process = {}\nregion = us-east-1\n\n\
         [profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\nweb_identity_token_file = {}\nregion = us-east-1\n",
        process.display(),
        token.display()
    );
    let sb = Sandbox::new(&config, CREDS).with_endpoint(moto.url());
    let envrc = |name: &str, extra: &[&str], env: &[(&str, &str)]| {
        let project = sb.home().join(format!("p-{name}-{}", extra.join("")));
        std::fs::create_dir(&project).unwrap();
        let mut cmd = sb.awsw(&["envrc", name]);
        cmd.args(extra).arg("--dir").arg(&project);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name} {extra:?}: {}", text(&out).1);
        project
    };
    let env_keys = [("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001"), ("AWS_SECRET_ACCESS_KEY", "env-secret")];
    for (name, extra, env, key_prefix) in [
        // A session from GetSessionToken (moto names its keys AKIA…), never the long-term key.
        ("keys", &[][..], &[][..], "AKIA"),
        ("mfa-role", &["--mfa-code", "123456"][..], &[][..], "ASIA"),
        ("from-env", &[][..], &env_keys[..], "ASIA"),
        ("ci", &["--inline"][..], &[][..], "ASIAPROCESS"),
        ("web", &["--inline"][..], &[][..], "ASIA"),
    ] {
        let project = envrc(name, extra, env);
        let (loaded, stderr) = direnv_env(&sb, &project);
        assert_eq!(loaded.get("AWSW_PROFILE").map(String::as_str), Some(name), "{name}: {stderr}");
        let key = loaded.get("AWS_ACCESS_KEY_ID").cloned().unwrap_or_default();
        assert!(key.starts_with(key_prefix), "{name} {extra:?}: {key:?} {stderr}");
        assert!(key != "AKIAKEYS00000EXAMPLE" && loaded.contains_key("AWS_SESSION_TOKEN"), "{name}: {key}");
    }
    // --profile-only: the SDKs resolve the profile themselves; the real AWS CLI does it here.
    for (name, arn) in [("ci", "123456789012"), ("web", "assumed-role/web/")] {
        let project = envrc(name, &["--profile-only"], &[]);
        let (loaded, _) = direnv_env(&sb, &project);
        assert_eq!(loaded.get("AWS_PROFILE").map(String::as_str), Some(name));
        let out = sb
            .command("direnv")
            .arg("exec")
            .arg(&project)
            .args(["aws", "sts", "get-caller-identity", "--output", "text", "--endpoint-url", &moto.url()])
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success() && stdout.contains(arn), "{name}: {stdout} {stderr}");
    }
}
