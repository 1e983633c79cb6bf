//! The picker with IAM Identity Center, in tmux against the local SSO server: the login
//! modal (approved through the server's `/_test/approve`, or cancelled with Esc), the rows
//! discovery adds, and a switch to one of them.

use serde_json::json;

use crate::common::sso::SsoServer;
use crate::common::{Sandbox, require};
use crate::sso::cli::{CONFIG, read_json, seed, token_path};
use crate::tui_tmux::Pane;

fn setup() -> Option<(SsoServer, Sandbox)> {
    if !require("tmux") {
        return None;
    }
    let server = SsoServer::start()?;
    seed(&server);
    Some((server, Sandbox::new(CONFIG, "")))
}

/// The picker pointed at the server, `--print`ing into `out` in the sandbox.
fn picker<'a>(sb: &'a Sandbox, server: &SsoServer) -> Pane<'a> {
    let env = format!("AWS_ENDPOINT_URL_SSO_OIDC={0} AWS_ENDPOINT_URL_SSO={0}", server.url());
    Pane::start_with_env(sb, &env, &format!("--print > {}", sb.home().join("out").display()))
}

/// The user code the server waits on, once the modal shows it (spaced out).
fn approve_shown_code(pane: &Pane, server: &SsoServer) -> String {
    let screen =
        pane.wait_for(|s| s.contains("log in to sso-session corp") && s.contains("code "), "the code");
    // The newest: a cancelled login's code stays pending at the server until it expires.
    let pending = server.state()["pending"].clone();
    let code =
        pending.as_array().and_then(|p| p.last()).and_then(|c| c.as_str()).expect("a login").to_string();
    let spaced: Vec<String> = code.chars().map(String::from).collect();
    assert!(screen.contains(&spaced.join(" ")), "code {code} not on screen:\n{screen}");
    assert!(screen.contains("expires in "), "{screen}");
    server.control("/_test/approve", json!({"userCode": code}));
    code
}

#[test]
fn enter_logs_in_through_the_modal_and_goes_on_with_the_switch() {
    let Some((server, sb)) = setup() else { return };
    let pane = picker(&sb, &server);
    pane.wait_for(
        |s| s.lines().any(|l| l.starts_with("dev ") && l.contains("SSO login")),
        "dev needing a login",
    );
    // Esc cancels: no token is written.
    pane.keys(&["Enter"]);
    pane.wait_for(|s| s.contains("log in to sso-session corp") && s.contains("code "), "the modal");
    pane.keys(&["Escape"]);
    pane.wait_for(|s| s.contains("login to sso-session corp cancelled; no token written"), "the cancel");
    assert!(!token_path(&sb, "corp").exists());
    // Enter again, approved: the switch goes on and prints dev's role credentials.
    pane.keys(&["Enter"]);
    approve_shown_code(&pane, &server);
    assert_eq!(pane.exit_status(), "0");
    let out = std::fs::read_to_string(sb.home().join("out")).unwrap();
    assert!(out.contains("export AWS_ACCESS_KEY_ID='ASIA") && out.contains("AWSW_PROFILE='dev'"), "{out}");
    let token = read_json(&token_path(&sb, "corp"));
    let screen_text = pane.screen();
    for field in ["accessToken", "refreshToken", "clientSecret"] {
        let secret = token[field].as_str().unwrap();
        assert!(!out.contains(secret) && !screen_text.contains(secret), "{field} shown");
    }
}

#[test]
fn login_all_then_discovered_rows_appear_and_one_is_switched_to() {
    let Some((server, sb)) = setup() else { return };
    let pane = picker(&sb, &server);
    pane.wait_for(|s| s.contains("dev ") && s.contains("SSO login"), "dev needing a login");
    pane.keys(&["L"]);
    approve_shown_code(&pane, &server);
    // Discovery runs after the login: every pair the config lacks, marked `+`.
    let screen = pane.wait_for(|s| s.contains("+5 discovered"), "the discovered rows");
    for name in ["dev/ReadOnly", "prod/ReadOnly", "audit/Audit", "audit/Break", "audit/Glass"] {
        let marked = |l: &str| l.starts_with('+') && l.contains(&format!(" {name} "));
        assert!(screen.lines().any(marked), "{name}:\n{screen}");
    }
    assert!(!screen.contains("dev/Admin"), "covered by the config's dev:\n{screen}");
    // The email is searchable; the details say the row is not in the config.
    pane.keys(&["/", "p", "r", "o", "d", "@", "Enter"]);
    let screen = pane.wait_for(|s| s.contains("filter: prod@"), "the filter");
    assert!(screen.contains("discovered in sso-session corp: not in your config files"), "{screen}");
    assert!(screen.contains("prod · prod@example.com"), "{screen}");
    pane.keys(&["Enter"]);
    assert_eq!(pane.exit_status(), "0");
    let out = std::fs::read_to_string(sb.home().join("out")).unwrap();
    assert!(
        out.contains("export AWS_ACCESS_KEY_ID='ASIA") && out.contains("AWSW_PROFILE='prod/ReadOnly'"),
        "{out}"
    );
    // The accounts are cached for the next start, and the CLI knows the discovered name.
    let cached = crate::sso::cli::awsw(&sb, &server, &["sso", "accounts", "--cached"]).output().unwrap();
    assert!(String::from_utf8_lossy(&cached.stdout).contains("222222222222\tprod\tReadOnly"));
    let env =
        crate::sso::cli::awsw(&sb, &server, &["env", "audit/Glass", "--shell", "bash"]).output().unwrap();
    let (stdout, stderr) = crate::common::text(&env);
    assert!(env.status.success(), "{stderr}");
    assert!(
        stdout.contains("export AWSW_PROFILE='audit/Glass'") && stdout.contains("AWS_ACCESS_KEY_ID='ASIA")
    );
    if let Some(moto) = crate::common::MotoServer::start() {
        let mut whoami = crate::sso::cli::awsw(&sb, &server, &["whoami", "audit/Glass", "--json"]);
        let whoami = whoami.env("AWS_ENDPOINT_URL_STS", moto.url()).output().unwrap();
        let (stdout, stderr) = crate::common::text(&whoami);
        assert!(whoami.status.success() && stdout.contains("audit/Glass"), "{stdout}{stderr}");
    }
    // Tab completes the discovered names too.
    let mut complete = crate::sso::cli::awsw(&sb, &server, &["--", "awsw", "env", "audit/"]);
    let complete = complete.env("_AWSW_COMPLETE", "fish").output().unwrap();
    let names = crate::common::text(&complete).0;
    assert!(names.lines().any(|l| l.starts_with("audit/Glass")), "{names}");
    // A name neither in the files nor discovered is still unknown.
    let unknown = crate::sso::cli::awsw(&sb, &server, &["env", "audit/Nope"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2), "{}", crate::common::text(&unknown).1);
}

#[test]
fn login_without_a_name_asks_which_session_on_a_terminal() {
    let Some((server, sb)) = setup() else { return };
    let config = format!(
        "{CONFIG}\n[sso-session lab]\nsso_start_url = https://lab.awsapps.com/start\nsso_region = us-east-1\n"
    );
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    let env = format!("AWS_ENDPOINT_URL_SSO_OIDC={0} AWS_ENDPOINT_URL_SSO={0}", server.url());
    let pane = Pane::start_with_env(&sb, &env, "login --device-code");
    let screen = pane.wait_for(|s| s.contains("log in to which? [1-2]"), "the choice");
    assert!(screen.contains("1) corp  https://corp.awsapps.com/start"), "{screen}");
    assert!(screen.contains("2) lab   https://lab.awsapps.com/start"), "{screen}");
    pane.keys(&["2", "Enter"]);
    pane.wait_for(|s| s.contains("to log in to sso-session lab, open"), "the device prompt");
    let pending = server.state()["pending"][0].as_str().unwrap().to_string();
    server.control("/_test/approve", json!({"userCode": pending}));
    assert_eq!(pane.exit_status(), "0");
    assert!(token_path(&sb, "lab").exists() && !token_path(&sb, "corp").exists());
    // An answer that is no choice: exit 2, nothing written (the pane stays a while to be read).
    let status = sb.home().join("status");
    let args = format!("login --device-code; echo $? > {}; sleep 10", status.display());
    let pane = Pane::start_with_env(&sb, &env, &args);
    pane.wait_for(|s| s.contains("log in to which? [1-2]"), "the choice");
    pane.keys(&["9", "Enter"]);
    assert_eq!(pane.exit_status(), "2");
    assert!(pane.screen().contains("no sso-session chosen: answer 1 to 2"), "{}", pane.screen());
    assert!(!token_path(&sb, "corp").exists());
}

#[test]
fn enter_on_a_discovered_row_starts_a_shell_its_endpoint_serves() {
    let Some((server, sb)) = setup() else { return };
    // Logged in and discovered by the CLI first: the picker opens with the rows at once.
    let login = crate::sso::cli::device_login(&sb, &server, &["login", "--device-code"], "/_test/approve");
    assert!(login.status.success(), "{}", crate::common::text(&login).1);
    let accounts = crate::sso::cli::awsw(&sb, &server, &["sso", "accounts"]).output().unwrap();
    assert!(accounts.status.success());
    let env = format!("AWS_ENDPOINT_URL_SSO_OIDC={0} AWS_ENDPOINT_URL_SSO={0}", server.url());
    let pane = Pane::start_with_env(&sb, &env, "");
    pane.wait_for(|s| s.contains("+5 discovered") && s.contains("SSO ready"), "the cached rows");
    pane.keys(&["/", "a", "u", "d", "i", "t", "/", "b", "r", "Enter"]);
    pane.wait_for(
        |s| s.contains("filter: audit/br") && s.contains("name     audit · audit@example.com"),
        "audit/Break",
    );
    pane.keys(&["Enter"]);
    pane.wait_for(|s| s.contains("awsw: audit/Break -> "), "the banner");
    // The shell's credential endpoint serves the discovered profile's role credentials.
    let out = sb.home().join("served");
    let fetch = format!(
        "(curl -s -H \"Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN\" \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\" > {}; echo; echo \"$AWSW_PROFILE\") >> {0}; exit",
        out.display()
    );
    pane.keys(&[&fetch, "Enter"]);
    assert_eq!(pane.exit_status(), "0");
    let served = std::fs::read_to_string(&out).unwrap();
    let (json, profile) = served.split_once('\n').unwrap();
    let creds: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|_| panic!("{served}"));
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"), "{served}");
    assert_eq!(profile.trim(), "audit/Break");
}
