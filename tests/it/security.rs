//! The attacks of the security review (issue 16), replayed against the built binary: files
//! swapped in directories other users can write, a FIFO named `.envrc`, providers answering
//! with secrets and a parse error, terminal escapes in values and STS messages, a secret in a
//! credentials-file diagnostic, child processes that hang or flood, a repository whose
//! `core.fsmonitor` runs a command, and a clipboard that must expire. Tests that need a
//! second user chown to uid 65534 (root only: CI runs as root; elsewhere they skip).

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Sandbox, require, text};

const NOBODY: u32 = 65534;

/// Runs `cmd`, killing it after `limit`; `None` when it had to be killed.
fn run_within(cmd: &mut Command, limit: Duration) -> Option<Output> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether this test may chown to another uid. Under CI it must be able to.
fn can_chown() -> bool {
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        assert!(std::env::var_os("CI").is_none(), "CI runs these tests as root");
        eprintln!("skipped: needs root to give a directory to another user");
    }
    root
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

const DEV_CONFIG: &str = "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = keys\nregion = eu-west-1\n";
const KEYS: &str =
    "[keys]\naws_access_key_id = AKIAKEYS00000EXAMPLE\naws_secret_access_key = keys+LONGTERM+secret\n";

fn project(sb: &Sandbox, mode: u32) -> PathBuf {
    let dir = sb.home().join("project");
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, mode);
    dir
}

// 1. Check by path, then open by path.

#[test]
fn envrc_is_refused_in_a_directory_other_users_can_write() {
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    for mode in [0o777, 0o770] {
        let dir = project(&sb, mode);
        let out = sb.awsw(&["envrc", "dev", "--profile-only", "--dir"]).arg(&dir).output().unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&dir.display().to_string()), "names the directory: {stderr}");
        assert!(stderr.contains("chmod 700"), "says how to fix it: {stderr}");
        assert!(!dir.join(".envrc").exists());
    }
    // A sticky shared directory (like /tmp) keeps others from replacing files: allowed.
    let dir = project(&sb, 0o1777);
    let out = sb.awsw(&["envrc", "dev", "--profile-only", "--dir"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
}

#[test]
fn envrc_is_refused_in_a_directory_owned_by_another_user() {
    if !can_chown() {
        return;
    }
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    let dir = project(&sb, 0o755);
    std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY)).unwrap();
    let out = sb.awsw(&["envrc", "dev", "--profile-only", "--dir"]).arg(&dir).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("another user") && stderr.contains(&dir.display().to_string()), "{stderr}");
    assert!(!dir.join(".envrc").exists());
}

#[test]
fn a_fifo_named_envrc_is_refused_without_hanging() {
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    let dir = project(&sb, 0o700);
    let fifo = std::ffi::CString::new(dir.join(".envrc").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let out =
        run_within(sb.awsw(&["envrc", "dev", "--profile-only", "--dir"]).arg(&dir), Duration::from_secs(15))
            .expect("awsw envrc hung on a FIFO");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// The attacker (another user, able to write the project directory) swaps `.envrc` between
/// a file and a symlink to the victim's credentials while the victim runs `awsw envrc`.
#[test]
fn envrc_swapped_for_a_symlink_never_copies_the_credentials() {
    if !can_chown() {
        return;
    }
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    let dir = project(&sb, 0o777);
    let credentials = sb.home().join(".aws/credentials");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let leaked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let swapper = {
        let (dir, stop, leaked) = (dir.clone(), stop.clone(), leaked.clone());
        std::thread::spawn(move || {
            use std::sync::atomic::Ordering::Relaxed;
            let (file, link, envrc) = (dir.join("f"), dir.join("l"), dir.join(".envrc"));
            while !stop.load(Relaxed) {
                // What awsw left there, before the attacker replaces it again.
                if std::fs::symlink_metadata(&envrc).is_ok_and(|m| m.file_type().is_file())
                    && std::fs::read_to_string(&envrc).unwrap_or_default().contains("LONGTERM")
                {
                    leaked.fetch_add(1, Relaxed);
                }
                let _ = std::fs::write(&file, "use nix\n");
                let _ = std::os::unix::fs::lchown(&file, Some(NOBODY), Some(NOBODY));
                let _ = std::os::unix::fs::symlink(&credentials, &link);
                let _ = std::os::unix::fs::lchown(&link, Some(NOBODY), Some(NOBODY));
                // A symlink for a moment only, so awsw's check most likely sees the file.
                let _ = std::fs::rename(&link, &envrc);
                let _ = std::fs::rename(&file, &envrc);
            }
        })
    };
    let mut written = 0;
    for _ in 0..100 {
        let out = sb.awsw(&["envrc", "dev", "--profile-only", "--dir"]).arg(&dir).output().unwrap();
        if out.status.success() {
            written += 1;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    let leaked = leaked.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(leaked, 0, "{leaked} times .envrc held the credentials");
    assert_eq!(written, 0, "the directory is refused every time");
}

/// A role session in the AWS CLI's cache format, for profile `dev`.
fn plant_cli_cache(sb: &Sandbox, dir_mode: u32, access_key: &str) -> PathBuf {
    let dir = sb.home().join(".aws/cli/cache");
    std::fs::create_dir_all(&dir).unwrap();
    set_mode(&dir, dir_mode);
    let key = awsw::creds::clicache::CliCacheKey {
        role_arn: "arn:aws:iam::123456789012:role/dev".into(),
        role_session_name: None,
        external_id: None,
        serial_number: None,
        duration_seconds: None,
    };
    let body = format!(
        "{{\"Credentials\":{{\"AccessKeyId\":\"{access_key}\",\"SecretAccessKey\":\"planted\",\"SessionToken\":\"planted\",\"Expiration\":\"2099-01-01T00:00:00+00:00\"}}}}"
    );
    let file = dir.join(key.file_name());
    std::fs::write(&file, body).unwrap();
    set_mode(&file, 0o600);
    dir
}

#[test]
fn a_cli_cache_directory_other_users_can_write_is_not_read() {
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    let dir = plant_cli_cache(&sb, 0o777, "ASIAPLANTEDBYATTACKER");
    let out = sb.awsw(&["env", "dev", "--cached-only"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("ASIAPLANTED"), "{stdout}");
    assert!(stderr.contains(&dir.display().to_string()) && stderr.contains("chmod 700"), "{stderr}");
    // The same file in a private directory is the user's own cache and is used.
    set_mode(&dir, 0o700);
    let out = sb.awsw(&["env", "dev", "--cached-only"]).output().unwrap();
    assert!(text(&out).0.contains("ASIAPLANTEDBYATTACKER"), "{}", text(&out).1);
}

#[test]
fn awsws_own_cache_directory_is_refused_when_others_can_write_it() {
    let sb = Sandbox::new(DEV_CONFIG, KEYS);
    std::fs::create_dir_all(sb.cache_dir()).unwrap();
    set_mode(&sb.cache_dir(), 0o777);
    let err = awsw::creds::fsutil::ensure_private_dir(&sb.cache_dir()).unwrap_err().to_string();
    assert!(err.contains("chmod 700") && err.contains("other users"), "{err}");
    assert_eq!(std::fs::metadata(sb.cache_dir()).unwrap().permissions().mode() & 0o7777, 0o777);
}

// 2. Quoting: hostile values, PowerShell's five quote characters among them, round-trip
// through every real shell installed (PowerShell and nushell by their exact text and a model
// of their parsers in src/sink/shell.rs).

#[test]
fn hostile_values_with_every_quote_character_round_trip_through_real_shells() {
    use awsw::secret::Secret;
    use awsw::sink::env::{EnvChange, EnvValue};
    use awsw::sink::shell::{Shell, format};
    let values = [
        "us-east-1\u{2019}; touch CANARY; \u{2018}",
        "a'b\u{2018}c\u{2019}d\u{201a}e\u{201b}f'' $(touch CANARY) `touch CANARY` \\' \"",
        "'#'##'### r#' \n \\\\ ; touch CANARY & 本番",
    ];
    for (shell, program, args) in [
        (Shell::Bash, "bash", &["--norc", "--noprofile", "-c"][..]),
        (Shell::Zsh, "zsh", &["-f", "-c"]),
        (Shell::Fish, "fish", &["--no-config", "-c"]),
    ] {
        if !require(program) {
            continue;
        }
        for value in values {
            let change = EnvChange {
                unset: vec![],
                set: vec![
                    ("AWS_REGION", EnvValue::Plain(value.to_string())),
                    ("AWS_SECRET_ACCESS_KEY", EnvValue::Secret(Secret::new(value))),
                ],
            };
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("lines"), format(&change, shell)).unwrap();
            let out = Command::new(program)
                .args(args)
                .arg("source ./lines && printf '%s\\0%s' \"$AWS_REGION\" \"$AWS_SECRET_ACCESS_KEY\"")
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{program}: {}", text(&out).1);
            assert!(!dir.path().join("CANARY").exists(), "{program} ran injected code for {value:?}");
            let expected = format!("{value}\0{value}");
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{program}");
        }
    }
}

// 3. Memory: the messages of long chains and large cycles stay small.

#[test]
fn broken_chains_and_cycles_name_their_source_instead_of_nesting_messages() {
    let mut config = String::new();
    let n = 2000;
    for k in 0..n {
        config.push_str(&format!(
            "[profile c{k}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = c{}\n",
            k + 1
        ));
    }
    for k in 0..n {
        config.push_str(&format!(
            "[profile loop{k}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = loop{}\n",
            (k + 1) % n
        ));
    }
    let inventory = awsw::config::Inventory::from_texts(Some(&config), None);
    let mut total = 0;
    for p in &inventory.profiles {
        let message = &p.problems.first().expect("every profile is broken").message;
        assert!(message.len() < 400, "{} has a {}-byte message", p.name, message.len());
        total += message.len();
    }
    assert!(total < 1 << 20, "{total} bytes of messages");
    let top = inventory.profile("c0").unwrap();
    assert!(top.problems[0].message.contains("\"c1\""), "names its source: {}", top.problems[0].message);
    let member = inventory.profile("loop7").unwrap();
    assert!(member.problems[0].message.contains("loop7 -> loop8"), "{}", member.problems[0].message);
}

// 4. Provider errors never print what the provider answered.

/// A one-shot-per-connection HTTP/1.1 server: reads the request head and its
/// `Content-Length` body, answers `status` with `body`, and records the request line.
fn http_server(
    status: &'static str,
    content_type: &'static str,
    body: String,
) -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line == "\r\n" {
                    break;
                }
                assert!(line.ends_with("\r\n"), "header lines end in CRLF: {line:?}");
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().expect("a numeric Content-Length");
                }
                head.push(line);
            }
            let mut request_body = vec![0; length];
            let _ = reader.read_exact(&mut request_body);
            let _ = tx.send(format!(
                "{} {}",
                head.first().cloned().unwrap_or_default().trim(),
                String::from_utf8_lossy(&request_body)
            ));
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: 1\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, rx)
}

const LEAKS: [&str; 3] = ["LEAKEDSECRETKEY", "LEAKEDSESSIONTOKEN", "ASIALEAKEDKEYID"];

fn assert_nothing_leaked(out: &Output, profile: &str) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(profile), "names the profile: {stderr}");
    for leak in LEAKS {
        assert!(!stderr.contains(leak) && !stdout.contains(leak), "{leak} printed: {stderr}");
    }
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[test]
fn web_identity_errors_do_not_print_the_sts_response() {
    let body = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
        <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIALEAKEDKEYID</AccessKeyId>\
        <SecretAccessKey>LEAKEDSECRETKEY</SecretAccessKey><SessionToken>LEAKEDSESSIONTOKEN</SessionToken>\
        <Expiration>not a date</Expiration></Credentials>\
        <SubjectFromWebIdentityToken>x</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult>\
        <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
    let (port, requests) = http_server("200 OK", "text/xml", body.to_string());
    let sb = Sandbox::new(
        "[profile wi]\nrole_arn = arn:aws:iam::123456789012:role/ci\nweb_identity_token_file = TOKEN\nregion = us-east-1\n",
        "",
    );
    let token = sb.home().join("token");
    std::fs::write(&token, "eyJ.token.sig").unwrap();
    let config = std::fs::read_to_string(sb.home().join(".aws/config")).unwrap();
    std::fs::write(sb.home().join(".aws/config"), config.replace("TOKEN", token.to_str().unwrap())).unwrap();
    let out = sb
        .awsw(&["env", "wi"])
        .env("AWS_ENDPOINT_URL_STS", format!("http://127.0.0.1:{port}"))
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .output()
        .unwrap();
    let request = requests.try_recv().expect("the provider asked the local STS");
    assert!(request.contains("AssumeRoleWithWebIdentity"), "{request}");
    assert_nothing_leaked(&out, "wi");
}

#[test]
fn container_endpoint_errors_do_not_print_the_response() {
    let body = "{\"AccessKeyId\":\"ASIALEAKEDKEYID\",\"SecretAccessKey\":\"LEAKEDSECRETKEY\",\
                \"Token\":\"LEAKEDSESSIONTOKEN\",\"Expiration\":\"not a date\"}";
    let (port, _requests) = http_server("200 OK", "application/json", body.to_string());
    let sb = Sandbox::new(
        "[profile ecs]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = EcsContainer\nregion = us-east-1\n",
        "",
    );
    let out = sb
        .awsw(&["env", "ecs"])
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("http://127.0.0.1:{port}/creds"))
        .output()
        .unwrap();
    assert_nothing_leaked(&out, "ecs");
}

#[test]
fn credential_process_errors_do_not_print_its_output() {
    for json in [
        r#"{"Version": 1, "AccessKeyId": "ASIALEAKEDKEYID", "SecretAccessKey": "LEAKEDSECRETKEY", "SessionToken": "LEAKEDSESSIONTOKEN", "Expiration": "not a date"}"#,
        r#"{"Version": 1, "AccessKeyId": "ASIALEAKEDKEYID", "SecretAccessKey": "LEAKEDSECRETKEY" "SessionToken": "LEAKEDSESSIONTOKEN"}"#,
        r#"{"Version": 2, "AccessKeyId": "ASIALEAKEDKEYID", "SecretAccessKey": "LEAKEDSECRETKEY", "SessionToken": "LEAKEDSESSIONTOKEN"}"#,
    ] {
        let sb = Sandbox::new(
            &format!("[profile proc]\ncredential_process = printf '%s' '{json}'\nregion = x\n"),
            "",
        );
        let out = sb.awsw(&["env", "proc"]).output().unwrap();
        assert_nothing_leaked(&out, "proc");
    }
}

// 5. Terminal escapes.

const ESC_TITLE: &str = "\u{1b}]0;pwned\u{7}";

fn assert_no_controls(text: &str) {
    let raw = text.chars().find(|&c| c != '\n' && (c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)));
    assert!(raw.is_none(), "a raw control character {raw:?} reached the terminal: {text:?}");
}

#[test]
fn list_table_and_diagnostics_escape_control_characters() {
    let sb = Sandbox::new(
        &format!(
            "[profile p\u{9b}31m]\n[profile r]\nregion = eu{ESC_TITLE}\nrole_arn = arn:aws:iam::123456789012:role/r{ESC_TITLE}\nsource_profile = miss\u{7f}ing\n\
             [sso-session \u{1b}]52;c;aGk=\u{7}]\n[profile q]\nsso_session = s{ESC_TITLE}\n"
        ),
        "",
    );
    let out = sb.awsw(&["list"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_no_controls(&stdout);
    assert_no_controls(&stderr);
    assert!(stdout.contains("\\x1b"), "shown escaped: {stdout}");
    // JSON keeps its own escaping.
    let json = sb.awsw(&["list", "--json"]).output().unwrap();
    assert!(text(&json).0.contains("eu\\u001b]0;pwned\\u0007"), "{}", text(&json).0);
}

#[test]
fn sts_messages_are_escaped_in_error_lines() {
    let body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
        <Code>AccessDenied</Code><Message>no &#x1b;]52;c;aGVsbG8=&#x07; &#x9b;2J</Message></Error>\
        <RequestId>1</RequestId></ErrorResponse>";
    let (port, _requests) = http_server("403 Forbidden", "text/xml", body.to_string());
    let sb = Sandbox::new(DEV_CONFIG, KEYS).with_endpoint(format!("http://127.0.0.1:{port}"));
    let out = sb.awsw(&["whoami", "dev"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("AccessDenied"), "{stderr}");
    assert_no_controls(&stderr);
    let out = sb.awsw(&["whoami", "--all"]).output().unwrap();
    assert_no_controls(&text(&out).0);
    assert_no_controls(&text(&out).1);
}

#[test]
fn credential_process_stderr_is_escaped() {
    let sb = Sandbox::new(
        "[profile proc]\ncredential_process = sh -c 'printf \"bad \\033]0;pwned\\007 \\233 x\" >&2; exit 3'\nregion = x\n",
        "",
    );
    let out = sb.awsw(&["env", "proc"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("bad \\x1b]0;pwned\\x07"), "the process's message is kept, escaped: {stderr}");
    assert_no_controls(&stderr);
}

// 6. No line text of the credentials file in diagnostics.

#[test]
fn a_malformed_credentials_line_is_named_by_number_not_echoed() {
    let sb = Sandbox::new(
        "",
        "[p]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\naws_session_token: IQoJSECRETTOKEN+a/b=c==\n\
         aws_secret_access_key IQoJOTHERSECRET\n[IQoJ SECTIONSECRET]\n",
    );
    for args in [&["list"][..], &["list", "--json"]] {
        let out = sb.awsw(args).output().unwrap();
        let (stdout, stderr) = text(&out);
        for secret in ["IQoJSECRETTOKEN", "IQoJOTHERSECRET", "SECTIONSECRET"] {
            assert!(!stdout.contains(secret) && !stderr.contains(secret), "{args:?}: {stdout}{stderr}");
        }
        assert!(format!("{stdout}{stderr}").contains(":4"), "names the line: {stdout}{stderr}");
    }
}

// 7. Child processes have a timeout and an output cap.

#[test]
fn a_hanging_credential_process_is_killed_after_the_timeout() {
    let sb = Sandbox::new("[profile proc]\ncredential_process = sleep 100000\nregion = x\n", "");
    let started = Instant::now();
    let out = run_within(sb.awsw(&["env", "proc"]).env("AWSW_PROCESS_TIMEOUT", "1"), Duration::from_secs(30))
        .expect("awsw waited for a hanging credential_process");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("proc") && stderr.contains("1 s") && stderr.contains("AWSW_PROCESS_TIMEOUT"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

const MFA_CONFIG: &str =
    "[profile m]\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nmfa_process = PROCESS\nregion = x\n";
const MFA_KEYS: &str = "[m]\naws_access_key_id = AKIAM\naws_secret_access_key = s\n";

#[test]
fn a_hanging_mfa_process_is_killed_after_the_timeout() {
    let sb = Sandbox::new(&MFA_CONFIG.replace("PROCESS", "sleep 100000"), MFA_KEYS);
    let out = run_within(sb.awsw(&["env", "m"]).env("AWSW_PROCESS_TIMEOUT", "1"), Duration::from_secs(30))
        .expect("awsw waited for a hanging mfa_process");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("profile m") && stderr.contains("1 s"), "{stderr}");
}

#[test]
fn child_process_output_is_capped() {
    let flood = "head -c 10000000 /dev/zero";
    let sb = Sandbox::new(&MFA_CONFIG.replace("PROCESS", flood), MFA_KEYS);
    let out = sb.awsw(&["env", "m"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("profile m") && stderr.contains("64 KiB"), "{stderr}");
    let sb = Sandbox::new(&format!("[profile proc]\ncredential_process = {flood}\nregion = x\n"), "");
    let out = sb.awsw(&["env", "proc"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("proc") && stderr.contains("64 KiB"), "{stderr}");
}

// 8. The git warning runs nothing the repository configures.

#[test]
fn the_git_warning_does_not_run_the_repositorys_fsmonitor() {
    if !require("git") {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git").arg("-C").arg(repo.path()).args(args).stdout(Stdio::null()).status();
        assert!(status.unwrap().success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.path().join("README"), "x").unwrap();
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "add", "README"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]);
    git(&["config", "core.fsmonitor", "touch pwned; false"]);
    let warning = awsw::sink::envrc::git_warning(repo.path());
    assert!(!repo.path().join("pwned").exists(), "the repository's fsmonitor ran");
    assert!(warning.is_some_and(|w| w.contains(".gitignore")));
    std::fs::write(repo.path().join(".gitignore"), ".envrc\n").unwrap();
    assert_eq!(awsw::sink::envrc::git_warning(repo.path()), None, "an ignored .envrc needs no warning");
    assert!(!repo.path().join("pwned").exists(), "the repository's fsmonitor ran");
}

// 9. The clipboard helper ends and clears what it put there.

#[test]
fn the_clipboard_owner_clears_the_selection_after_its_time() {
    if !require("Xvfb") || !require("xclip") {
        return;
    }
    let xvfb = common::xvfb::Xvfb::start();
    let display = xvfb.display.clone();
    let json = r#"{"Version": 1, "AccessKeyId": "ASIACLIP", "SecretAccessKey": "clipsecret", "SessionToken": "cliptoken", "Expiration": "2099-01-01T00:00:00Z"}"#;
    let sb =
        Sandbox::new(&format!("[profile proc]\ncredential_process = printf '%s' '{json}'\nregion = x\n"), "");
    let out = sb
        .awsw(&["env", "proc", "--copy", "--shell", "bash"])
        .env("DISPLAY", &display)
        .env("AWSW_CLIPBOARD_TIMEOUT", "3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let paste = || {
        let out = sb
            .command("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        text(&out).0
    };
    let pasted = paste();
    assert!(pasted.contains("clipsecret"), "copied: {pasted:?}");
    std::thread::sleep(Duration::from_secs(6));
    let later = paste();
    drop(xvfb);
    assert!(!later.contains("clipsecret"), "the session is still on the clipboard after its time: {later:?}");
}
