//! `awsw completions`: real bash, zsh and fish in tmux load the script, and `awsw exec te<Tab>`
//! offers the matching profile names; the other shells' scripts are checked as text.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::{Sandbox, require, text};

const CONFIG: &str = "[profile test-alpha]\nregion = eu-west-1\n\n[profile test-beta]\nregion = eu-west-1\n\n\
[profile other]\nregion = eu-west-1\n\n[sso-session test-sso]\nsso_region = eu-west-1\n";
const CREDS: &str = "[keys-only]\naws_access_key_id = AKIAEXAMPLE000000000\naws_secret_access_key = x\n";

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_awsw")).parent().unwrap().to_path_buf()
}

/// One shell in a detached tmux session, with awsw's build directory first on PATH.
fn start_shell<'a>(sb: &'a Sandbox, argv: &[&str]) -> Tmux<'a> {
    let path = format!("PATH={}:{}", bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    let mut args = vec!["env", "TERM=screen", &path];
    args.extend_from_slice(argv);
    Tmux::start(sb, "compl", &args)
}

fn sandbox() -> Sandbox {
    Sandbox::new(CONFIG, CREDS)
}

/// Types `awsw exec te` and Tab: the common prefix `test-` completes; further Tabs (one at a
/// time, as a person presses them: zsh drops typeahead while it completes) list both matching
/// profiles and not `other`. Then a unique prefix and a `--shell` value complete in full.
fn offers_matching_profiles(shell: &Tmux) {
    shell.keys(&["-l", "awsw exec te"]);
    shell.keys(&["Tab"]);
    shell.wait_for(|s| s.contains("awsw exec test-"), "the common prefix");
    let listed = |s: &str| s.contains("test-alpha") && s.contains("test-beta");
    for _ in 0..5 {
        if listed(&shell.screen()) {
            break;
        }
        shell.keys(&["Tab"]);
        let deadline = Instant::now() + Duration::from_secs(3);
        while !listed(&shell.screen()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let screen = shell.wait_for(listed, "the profile names");
    assert!(!screen.contains("other"), "{screen}");
    assert!(!screen.contains("test-sso"), "an sso-session is not a profile: {screen}");
    shell.abandon_line();
    shell.keys(&["-l", "awsw exec test-b"]);
    shell.keys(&["Tab"]);
    shell.wait_for(|s| s.contains("awsw exec test-beta "), "the unique prefix completed");
    shell.abandon_line();
    shell.keys(&["-l", "awsw env --shell fi"]);
    shell.keys(&["Tab"]);
    shell.wait_for(|s| s.contains("awsw env --shell fish "), "the --shell value completed");
}

#[test]
fn bash_completes_profile_names() {
    if !require("tmux") || !require("bash") {
        return;
    }
    let sb = sandbox();
    let shell = start_shell(&sb, &["bash", "--norc", "--noprofile"]);
    shell.type_line("PS1='$ '; source <(awsw completions bash); echo ready");
    shell.wait_for(|s| s.lines().any(|l| l == "ready"), "bash to load the script");
    offers_matching_profiles(&shell);
}

#[test]
fn zsh_completes_profile_names() {
    if !require("tmux") || !require("zsh") {
        return;
    }
    let sb = sandbox();
    let shell = start_shell(&sb, &["zsh", "-f"]);
    shell.type_line(
        "PS1='$ '; autoload -U compinit && compinit -u; source <(awsw completions zsh); echo ready",
    );
    shell.wait_for(|s| s.lines().any(|l| l == "ready"), "zsh to load the script");
    offers_matching_profiles(&shell);
}

#[test]
fn fish_completes_profile_names() {
    if !require("tmux") || !require("fish") {
        return;
    }
    let sb = sandbox();
    let shell = start_shell(&sb, &["fish", "--no-config"]);
    shell.type_line("awsw completions fish | source; echo ready");
    shell.wait_for(|s| s.lines().any(|l| l.trim_end().ends_with("ready") && !l.contains("echo")), "fish");
    offers_matching_profiles(&shell);
}

#[test]
fn every_shell_gets_a_script_and_unknown_shells_are_usage_errors() {
    let sb = sandbox();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish", "nu"] {
        let out = sb.awsw(&["completions", shell]).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{shell}: {stderr}");
        assert!(stdout.contains("awsw"), "{shell}: {stdout}");
        if shell == "nu" {
            // Every command that takes a profile completes it from the profile list.
            for sub in ["whoami", "env", "exec", "shell", "envrc", "credential-process", "console"] {
                let head = format!("export extern \"awsw {sub}\" [");
                let at = stdout.find(&head).unwrap_or_else(|| panic!("no {head} in\n{stdout}"));
                let block = &stdout[at..at + stdout[at..].find("\n  ]").unwrap()];
                assert!(block.contains("string@\"nu-complete awsw profile\""), "{sub}: {block}");
            }
            assert!(stdout.contains("^awsw __complete-profiles | lines"), "{stdout}");
        } else {
            assert!(stdout.contains("_AWSW_COMPLETE"), "{shell}: {stdout}");
        }
    }
    let out = sb.awsw(&["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let names = sb.awsw(&["__complete-profiles"]).output().unwrap();
    assert_eq!(text(&names).0, "test-alpha\ntest-beta\nother\nkeys-only\n");
}

#[test]
fn the_engine_completes_subcommands_flags_and_values() {
    let sb = sandbox();
    let ask = |words: &[&str]| {
        let out = sb.awsw(&["--"]).args(words).env("_AWSW_COMPLETE", "fish").output().unwrap();
        text(&out).0
    };
    let subcommands = ask(&["awsw", "do"]);
    assert!(subcommands.starts_with("doctor\t"), "{subcommands}");
    assert!(ask(&["awsw", "envrc", "--pro"]).starts_with("--profile-only"), "flags complete");
    assert_eq!(ask(&["awsw", "env", "--shell", "p"]), "powershell\n");
    assert_eq!(ask(&["awsw", "console", "test-"]), "test-alpha\ntest-beta\n");
    // sso-session names for login, logout, sso accounts and sso populate (not profiles).
    assert_eq!(ask(&["awsw", "login", "test-"]), "test-sso\n");
    assert_eq!(ask(&["awsw", "logout", "test-"]), "test-sso\n");
    assert_eq!(ask(&["awsw", "sso", "accounts", "test-"]), "test-sso\n");
    assert_eq!(ask(&["awsw", "sso", "populate", "test-"]), "test-sso\n");
    assert!(ask(&["awsw", "sso", "populate", "--d"]).starts_with("--dry-run"), "populate's flags complete");
    assert_eq!(ask(&["awsw", "agent", "env", "test-"]), "test-alpha\ntest-beta\n");
    let agent = ask(&["awsw", "agent", ""]);
    assert!(agent.contains("status\t") && !agent.contains("run\t"), "{agent}");
    // Hidden commands are not offered.
    let all = ask(&["awsw", ""]);
    assert!(all.contains("console\t") && !all.contains("__complete-profiles"), "{all}");
}
