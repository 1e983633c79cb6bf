//! The picker end to end: the real binary in a tmux pane against a local moto STS, driven
//! with send-keys and read with capture-pane.

use crate::common;
use crate::fake_aws;
use crate::imds;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::{MotoServer, Sandbox, require, text};

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::123456789012:role/prod-admin
source_profile = base
region = ap-northeast-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = keys
region = eu-west-1
";
const CREDS: &str = "[base]\naws_access_key_id = AKIABASE000000EXAMPL\naws_secret_access_key = base+secret\n\
[keys]\naws_access_key_id = AKIAKEYS000000EXAMPL\naws_secret_access_key = keys+secret\n";

/// The picker in a tmux pane; its exit status lands in a file when it ends.
pub(crate) struct Pane<'a> {
    tmux: Tmux<'a>,
    status: PathBuf,
}

impl<'a> std::ops::Deref for Pane<'a> {
    type Target = Tmux<'a>;

    fn deref(&self) -> &Tmux<'a> {
        &self.tmux
    }
}

impl Pane<'_> {
    pub(crate) fn start<'a>(sb: &'a Sandbox, args: &str) -> Pane<'a> {
        Pane::start_with_env(sb, "", args)
    }

    /// The picker started in `dir` (its working directory, where `e` writes the .envrc).
    pub(crate) fn start_in<'a>(sb: &'a Sandbox, dir: &std::path::Path, args: &str) -> Pane<'a> {
        Pane::start_with_env(sb, &format!("cd '{}' &&", dir.display()), args)
    }

    /// `env` is a list of `NAME=value` words put before the command.
    pub(crate) fn start_with_env<'a>(sb: &'a Sandbox, env: &str, args: &str) -> Pane<'a> {
        let status = sb.home().join("status");
        // A pane started after another must not read the earlier one's status.
        let _ = std::fs::remove_file(&status);
        let command = format!("{env} {} {args}; echo $? > {}", env!("CARGO_BIN_EXE_awsw"), status.display());
        Pane { tmux: Tmux::start(sb, "tui", &["sh", "-c", &command]), status }
    }

    pub(crate) fn exit_status(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.status)
                && text.ends_with('\n')
            {
                return text.trim().to_string();
            }
            assert!(Instant::now() < deadline, "no exit status; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn setup() -> Option<(MotoServer, Sandbox)> {
    if !require("tmux") {
        return None;
    }
    let moto = MotoServer::start()?;
    let sb = Sandbox::new(CONFIG, CREDS).with_endpoint(moto.url());
    Some((moto, sb))
}

#[test]
fn filter_identity_mfa_and_a_subshell() {
    let Some((_moto, sb)) = setup() else { return };
    let pane = Pane::start(&sb, "");
    // The identity of the profile that needs no prompt arrives with its expiry.
    let screen =
        pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓ 59m")), "dev's identity");
    assert!(screen.lines().any(|l| l.starts_with("prod ") && l.contains("MFA")), "{screen}");
    // Filter to prod, keep the filter, choose it: the MFA modal names the device.
    pane.keys(&["/", "p", "r", "o", "d"]);
    pane.wait_for(|s| s.contains("/prod") && s.contains("profiles 1/4"), "the filter");
    pane.keys(&["Enter"]);
    pane.wait_for(|s| s.contains("filter: prod"), "the kept filter");
    pane.keys(&["Enter"]);
    pane.wait_for(
        |s| s.contains("MFA code for prod") && s.contains("arn:aws:iam::123456789012:mfa/alice"),
        "the modal",
    );
    pane.keys(&["1", "2", "3", "4", "5", "6", "Enter"]);
    // The subshell starts with its banner, outside the alternate screen.
    pane.wait_for(
        |s| s.contains("awsw: prod -> arn:aws:sts::123456789012:assumed-role/prod-admin/"),
        "the banner",
    );
    assert!(!pane.alternate_screen(), "the terminal was restored");
    let env_file = sb.home().join("env");
    pane.keys(&[&format!("env > {}; exit 4", env_file.display()), "Enter"]);
    assert_eq!(pane.exit_status(), "4");
    let env = std::fs::read_to_string(env_file).unwrap();
    assert!(env.contains("AWSW_PROFILE=prod\n"), "{env}");
    // Enter serves the shell like `awsw shell`: the credential endpoint, no fixed keys.
    assert!(env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"), "{env}");
    assert!(env.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN="), "{env}");
    assert!(!env.contains("AWS_ACCESS_KEY_ID=") && !env.contains("AWS_SESSION_TOKEN="), "{env}");
    assert!(env.contains("AWS_REGION=ap-northeast-1\n"), "{env}");
}

#[test]
fn q_quits_with_status_0_and_restores_the_terminal() {
    let Some((_moto, sb)) = setup() else { return };
    let pane = Pane::start(&sb, "");
    pane.wait_for(|s| s.contains("profiles 4/4"), "the list");
    assert!(pane.alternate_screen());
    pane.keys(&["?"]);
    pane.wait_for(|s| s.contains("any key closes"), "help");
    pane.keys(&["Escape"]);
    // The help closes first: an Esc and a q read together are one Alt-q key.
    pane.wait_for(|s| !s.contains("any key closes"), "the help to close");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
    assert!(!pane.alternate_screen());
}

#[test]
fn sigterm_and_sighup_exit_143_and_129_with_the_terminal_restored() {
    let Some((_moto, sb)) = setup() else { return };
    for (signal, status) in [("-TERM", "143"), ("-HUP", "129")] {
        let pane = Pane::start(&sb, "");
        pane.wait_for(|s| s.contains("profiles 4/4"), "the list");
        let shell_pid = text(&pane.tmux(&["display", "-p", "#{pane_pid}"])).0.trim().to_string();
        let killed = sb.command("pkill").args([signal, "-P", &shell_pid]).status().unwrap();
        assert!(killed.success());
        assert_eq!(pane.exit_status(), status, "after {signal}");
        assert!(!pane.alternate_screen());
    }
}

#[test]
fn print_mode_writes_exports_to_stdout_only() {
    let Some((_moto, sb)) = setup() else { return };
    let out = sb.home().join("exports");
    let pane = Pane::start(&sb, &format!("--print > {}", out.display()));
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓")), "dev's identity");
    pane.keys(&["/", "d", "e", "v", "Enter", "Enter"]);
    assert_eq!(pane.exit_status(), "0");
    let exports = std::fs::read_to_string(out).unwrap();
    assert!(exports.contains("export AWSW_PROFILE='dev'"), "{exports}");
    assert!(!exports.contains('\u{1b}'), "no terminal drawing on stdout");
}

#[test]
fn without_a_terminal_it_points_to_awsw_list() {
    let sb = Sandbox::new(CONFIG, CREDS);
    let out = sb.awsw(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("awsw list"), "{}", text(&out).1);
    assert!(out.stdout.is_empty());
}

#[test]
fn the_header_shows_who_the_starting_terminal_really_is() {
    let Some((_moto, sb)) = setup() else { return };
    // A terminal inside an awsw shell: credentials in the environment, checked with STS.
    let pane = Pane::start_with_env(
        &sb,
        "AWSW_PROFILE=dev AWS_ACCESS_KEY_ID=AKIAENVIRONMENT00001 AWS_SECRET_ACCESS_KEY=env-secret-do-not-show",
        "",
    );
    let screen = pane.wait_for(
        |s| s.contains("here: awsw profile dev") && s.contains("123456789012 user/moto"),
        "the verified identity",
    );
    assert!(!screen.contains("env-secret-do-not-show"), "{screen}");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
}

/// The uses recorded for `profile` in the sandbox's recent-use file.
fn uses(sb: &Sandbox, profile: &str) -> u32 {
    let recent = awsw::runtime::recent::load(&sb.home().join(".local/state/awsw/frecency.json"));
    recent.uses.get(profile).map_or(0, |&(count, _)| count)
}

#[test]
fn every_switch_is_recorded_so_recent_profiles_come_first() {
    let Some((_moto, sb)) = setup() else { return };
    // The commands count a use each, before they hand over to the shell or command.
    assert!(sb.awsw(&["env", "dev"]).output().unwrap().status.success());
    assert_eq!(uses(&sb, "dev"), 1);
    assert!(sb.awsw(&["exec", "dev", "--", "true"]).status().unwrap().success());
    assert_eq!(uses(&sb, "dev"), 2);
    assert!(sb.awsw(&["shell", "dev"]).output().unwrap().status.success());
    assert_eq!(uses(&sb, "dev"), 3);
    let recent = std::fs::read_to_string(sb.home().join(".local/state/awsw/frecency.json")).unwrap();
    assert!(!recent.contains("secret") && !recent.contains("ASIA"), "names and counts only: {recent}");

    // The picker starts with the cursor on the top row, the most used profile.
    let pane = Pane::start(&sb, "");
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓")), "dev's identity");
    let screen = pane.screen();
    let rows: Vec<&str> = screen.lines().skip(3).collect();
    assert!(rows[0].starts_with("dev "), "dev first:\n{screen}");
    pane.keys(&["Enter"]);
    pane.wait_for(|s| s.contains("awsw: dev -> "), "the banner");
    assert_eq!(uses(&sb, "dev"), 4, "Enter counts before the shell starts");
    pane.keys(&["exit 0", "Enter"]);
    assert_eq!(pane.exit_status(), "0");
    drop(pane);

    let out = sb.home().join("exports");
    let pane = Pane::start(&sb, &format!("--print > {}", out.display()));
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓")), "dev's identity");
    pane.keys(&["Enter"]);
    assert_eq!(pane.exit_status(), "0");
    assert_eq!(uses(&sb, "dev"), 5, "--print counts too");
}

#[test]
fn a_credential_process_session_valid_for_years_is_announced_with_its_date() {
    if !require("tmux") {
        return;
    }
    let process = r#"credential_process = sh -c 'printf "{\"Version\":1,\"AccessKeyId\":\"AKIAPROCEXAMPLE0001\",\"SecretAccessKey\":\"procsecret\",\"SessionToken\":\"proctoken\",\"Expiration\":\"2030-01-01T00:00:00Z\"}"'"#;
    let sb = Sandbox::new(&format!("[profile ci]\n{process}\n"), "");
    let pane = Pane::start(&sb, "");
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("ci ") && l.contains("on demand")), "the list");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for(|s| s.contains("awsw: ci -> "), "the banner");
    assert!(screen.contains("until 2030-01-01 00:00 UTC;"), "{screen}");
    pane.keys(&["exit 0", "Enter"]);
    assert_eq!(pane.exit_status(), "0");
}

#[test]
fn the_terminal_mfa_prompt_hides_the_code_and_asks_again_after_a_typo() {
    let Some((_moto, sb)) = setup() else { return };
    let pane = Pane::start(&sb, "env prod --shell bash");
    pane.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
    // The prompt names the profile asked for (prod), not the source profile holding mfa_serial.
    let prompt = "MFA code for arn:aws:iam::123456789012:mfa/alice (profile prod): ";
    pane.wait_for(|s| s.contains(prompt), "the prompt");
    pane.keys(&["12ab56", "Enter"]);
    let screen = pane.wait_for(|s| s.contains("try again"), "the second try");
    assert!(screen.contains("only the digits 0-9"), "{screen}");
    assert!(!screen.contains("12ab56"), "the typed code was echoed:\n{screen}");
    pane.keys(&["246810", "Enter"]);
    assert_eq!(pane.exit_status(), "0", "{}", pane.screen());
    let screen = pane.screen();
    assert!(screen.contains("export AWSW_PROFILE='prod'"), "{screen}");
    assert!(!screen.contains("246810"), "the typed code was echoed:\n{screen}");
}

#[test]
fn three_mistyped_codes_end_with_a_usage_error() {
    let Some((_moto, sb)) = setup() else { return };
    let pane = Pane::start(&sb, "env prod --shell bash");
    pane.tmux(&["set-option", "-g", "remain-on-exit", "on"]);
    for attempt in 1..=3 {
        pane.wait_for(|s| s.matches("(profile prod): ").count() == attempt, "a prompt");
        pane.keys(&["12345", "Enter"]);
    }
    assert_eq!(pane.exit_status(), "2", "{}", pane.screen());
    assert!(pane.screen().contains("must be exactly 6 digits (it has 5 digits)"), "{}", pane.screen());
}

#[test]
fn the_instance_role_shows_in_the_header_and_its_failures_in_the_details() {
    if !require("tmux") {
        return;
    }
    let Some(moto) = MotoServer::start() else { return };
    let config = "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n";
    let sb = Sandbox::new(config, "").with_endpoint(moto.url());
    let server = imds::ImdsServer::start(imds::Behaviour::default());
    let env = format!("AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT={}", server.url());
    let pane = Pane::start_with_env(&sb, &env, "");
    let screen = pane.wait_for(
        |s| {
            s.contains("here: EC2 instance role web-instance (instance metadata)")
                && s.contains("assumed-role/web/")
        },
        "the instance role in the header and web's identity",
    );
    assert!(!screen.contains("imds-secret-value"), "{screen}");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
    drop(pane);

    // A fresh cache: the role session from above would still be valid.
    let sb = Sandbox::new(config, "").with_endpoint(moto.url());
    let no_role = imds::ImdsServer::start(imds::Behaviour { role: None, ..imds::Behaviour::default() });
    let env = format!("AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT={}", no_role.url());
    let pane = Pane::start_with_env(&sb, &env, "");
    let screen = pane.wait_for(|s| s.contains("no IAM role attached"), "the failure in the details");
    assert!(screen.contains("here: no AWS credentials in this environment"), "{screen}");
    assert!(screen.contains("profile web"), "{screen}");
}

#[test]
fn root_keys_and_key_age_show_in_the_details() {
    if !require("tmux") {
        return;
    }
    let server = fake_aws::FakeAws {
        arn: "arn:aws:iam::123456789012:root".into(),
        deny_iam: true,
        key_id: "AKIAROOTROOTROOT0001".into(),
        created_days_ago: 1,
    }
    .start();
    let creds = "[rootkeys]\naws_access_key_id = AKIAROOTROOTROOT0001\naws_secret_access_key = root-secret\n";
    let sb = Sandbox::new("[profile rootkeys]\nregion = us-east-1\n", creds).with_endpoint(server.url());
    let pane = Pane::start(&sb, "");
    let screen = pane.wait_for(|s| s.contains("holds the account's root access keys"), "the root-keys alarm");
    assert!(screen.contains("key      unknown (needs MFA)"), "{screen}");
    // Red in the list: the row's cells carry the red foreground.
    let coloured = text(&pane.tmux(&["capture-pane", "-p", "-e"])).0;
    let row = coloured.lines().find(|l| l.contains("rootkeys") && !l.contains("holds")).unwrap_or_default();
    assert!(row.starts_with("\u{1b}[38;5;1m"), "red (colour 1) from the start of the row: {row:?}");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
}

#[test]
fn c_and_e_copy_and_write_the_session_they_just_got() {
    let Some((_moto, sb)) = setup() else { return };
    let project = sb.home().join("project");
    std::fs::create_dir(&project).unwrap();
    let pane = Pane::start_in(&sb, &project, "");
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓")), "dev's identity");
    pane.keys(&["/", "d", "e", "v", "Enter"]);
    pane.wait_for(|s| s.contains("filter: dev"), "the filter");
    pane.keys(&["c"]);
    pane.wait_for(|s| s.contains("bash lines for dev:"), "the copy's status");
    pane.keys(&["e"]);
    let screen = pane.wait_for(|s| s.contains("write the awsw block for dev"), "the confirmation");
    assert!(screen.contains(&format!("{}/.envrc", project.display())), "{screen}");
    pane.keys(&["y"]);
    pane.wait_for(|s| s.contains("wrote ") && s.contains("direnv allow"), "the .envrc's status");
    let envrc = std::fs::read_to_string(project.join(".envrc")).unwrap();
    assert!(envrc.contains("dev"), "{envrc}");
    assert!(
        !envrc.contains("keys+secret") && !envrc.contains("ASIA"),
        "no secrets in a cached block: {envrc}"
    );
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
}

/// `e` writes the block of the settings' `envrc_mode` (it once always wrote the cached one),
/// and the confirmation says which; `E` still writes inline credentials.
#[test]
fn e_writes_the_block_of_the_envrc_mode_setting() {
    let Some((_moto, sb)) = setup() else { return };
    let project = sb.home().join("project");
    std::fs::create_dir(&project).unwrap();
    let env = format!("cd '{}' && AWSW_ENVRC_MODE=profile-only", project.display());
    let pane = Pane::start_with_env(&sb, &env, "");
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains("✓")), "dev's identity");
    pane.keys(&["/", "d", "e", "v", "Enter", "e"]);
    let screen = pane.wait_for(|s| s.contains("write the awsw block for dev"), "the confirmation");
    assert!(screen.contains("mode AWS_PROFILE only"), "{screen}");
    pane.keys(&["y"]);
    pane.wait_for(|s| s.contains("wrote ") && s.contains("(AWS_PROFILE only)"), "the .envrc's status");
    let envrc = std::fs::read_to_string(project.join(".envrc")).unwrap();
    assert!(envrc.contains("export AWS_PROFILE='dev'") && !envrc.contains("--cached-only"), "{envrc}");
    pane.keys(&["E"]);
    let screen = pane.wait_for(|s| s.contains("write the awsw block for dev"), "the confirmation");
    assert!(screen.contains("mode inline temporary credentials, mode 0600"), "{screen}");
    pane.keys(&["Escape"]);
    pane.wait_for(|s| s.contains("no .envrc written"), "the cancel");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
}

#[test]
fn o_opens_the_console_for_the_selected_profile_in_the_browser() {
    let Some((_moto, sb)) = setup() else { return };
    let stub = common::http::HttpStub::start(|r| match r.param("Action") {
        Some("getSigninToken") => {
            common::http::Reply::json(200, serde_json::json!({ "SigninToken": "tok-1" }))
        }
        _ => common::http::Reply::json(400, serde_json::json!({})),
    });
    let record = sb.home().join("opened");
    let browser = sb.home().join("browser.sh");
    let script =
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n", record.display());
    std::fs::write(&browser, script).unwrap();
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let env =
        format!("BROWSER={} AWSW_TEST_FEDERATION_ENDPOINT={}", browser.display(), stub.url("/federation"));
    let pane = Pane::start_with_env(&sb, &env, "");
    pane.wait_for(|s| s.lines().any(|l| l.starts_with("dev ") && l.contains('✓')), "dev's identity");
    pane.keys(&["/", "d", "e", "v"]);
    pane.wait_for(|s| s.contains("profiles 1/"), "the filter");
    pane.keys(&["Enter"]);
    pane.keys(&["o"]);
    let screen = pane.wait_for(|s| s.contains("opened the AWS console for dev"), "the status line");
    // The sign-in URL is a secret: the browser gets it, the screen never shows it.
    assert!(!screen.contains("tok-1") && !screen.contains("federation?"), "{screen}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !record.exists() {
        assert!(Instant::now() < deadline, "the BROWSER script was not run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = std::fs::read_to_string(&record).unwrap();
    assert!(opened.starts_with(&stub.url("/federation?")), "{opened}");
    assert!(opened.contains("SigninToken=tok-1"), "{opened}");
    pane.keys(&["q"]);
    assert_eq!(pane.exit_status(), "0");
}
