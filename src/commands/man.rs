//! `awsw man`: the manual page, in roff, generated with clap_mangen from the same clap
//! definitions the binary parses (so flags cannot drift from `--help`), plus the sections
//! clap does not know: each command's options, the environment, the files and exit codes
//! (the README's tables; a test holds the two together).

use clap::CommandFactory;
use roff::{Roff, bold, roman};

use super::Error;
use crate::cli::Cli;

/// The page's DESCRIPTION: the README's opening, shortened.
const DESCRIPTION: &str = "awsw lists every profile of the AWS config files with its verified caller identity \
and how long its session lasts, assumes roles with MFA itself (one code serves every role behind the same \
base profile for a working day), and hands the session to a subshell, a command, your shell's environment, \
a direnv .envrc or the AWS console. Without a command it starts the picker, a terminal UI. It reads the \
files exactly as the AWS SDKs do, shares its sessions with the AWS CLI, and never writes long-term keys.";

/// The environment variables the README documents, with what each does.
pub(crate) const ENVIRONMENT: &[(&str, &str)] = &[
    ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "Where the AWS config and credentials files are."),
    ("AWS_REGION, AWS_DEFAULT_REGION", "The region for STS and for the session (kept over the profile's)."),
    (
        "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "The STS endpoint, in the SDKs' precedence.",
    ),
    (
        "AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO",
        "The IAM Identity Center OIDC service and portal (else AWS_ENDPOINT_URL, else the session's region).",
    ),
    (
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
        "Roots with credential_source = Environment; shown in the picker's header.",
    ),
    ("AWSW_PROFILE, AWS_PROFILE", "Shown in the picker's header; AWSW_PROFILE marks an awsw shell."),
    ("AWSW_MIN_REMAINING", "Seconds a cached session must still have to be reused (0-3600, default 300)."),
    ("AWSW_SESSION_DURATION", "Seconds an MFA base session lasts (900-129600, default 28800)."),
    ("AWSW_ENVRC_MODE", "The default mode of awsw envrc: cached, inline, profile-only or served."),
    (
        "AWSW_AGENT_IDLE",
        "Seconds without a request after which the agent exits (1-604800, default 3600), never before \
         the sessions it handed out expire.",
    ),
    ("XDG_RUNTIME_DIR", "Where the agent's files live ($XDG_RUNTIME_DIR/awsw; else ~/.cache/awsw/agent)."),
    ("AWSW_DISCOVERY_NAME_TEMPLATE", "Names of SSO-discovered profiles (default {account_name}/{role})."),
    ("AWSW_MAX_KEY_AGE_DAYS", "Days after which long-term keys are flagged as old (1-3650, default 90)."),
    ("AWSW_SHELL_MODE", "How awsw shell passes credentials: server or static."),
    (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "Set by awsw in a served shell or command, and by a --served .envrc (the agent's): the endpoint's address and token.",
    ),
    ("AWSW_PROCESS_TIMEOUT", "Seconds a credential_process or mfa_process may run (1-3600, default 60)."),
    (
        "AWSW_CLIPBOARD_TIMEOUT",
        "Seconds copied credentials stay on the clipboard (1-86400, default 60; never past the session).",
    ),
    ("AWSW_TEST_FEDERATION_ENDPOINT", "For awsw's own tests only: a loopback federation endpoint."),
    ("AWSW_EXIT_AFTER_FIRST_FRAME", "For awsw's benchmarks only: the picker quits after its first frame."),
    ("AWS_ENDPOINT_URL_IAM", "The IAM endpoint for key age and awsw rotate (else AWS_ENDPOINT_URL)."),
    (
        "AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED",
        "Where the instance metadata service is; true turns it off (credential_source = Ec2InstanceMetadata).",
    ),
    ("BROWSER", "The browser awsw console and awsw login open."),
    ("_AWSW_COMPLETE", "Set by the completion scripts when they ask awsw for candidates."),
    (
        "DISPLAY, WAYLAND_DISPLAY",
        "awsw login: with a display (or BROWSER) the browser flow, else the device flow.",
    ),
    ("SHELL", "The default for --shell, the subshell, and the picker's copy and --print."),
    ("NO_COLOR", "The picker draws without colour."),
    (
        "AWSW_LOG",
        "debug (or trace, info, warn, error): awsw's own log on stderr (plan, steps, cache hits); never a secret.",
    ),
    ("XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME, HOME", "Where awsw's settings, cache and state live."),
];

/// The files the README documents.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "~/.aws/config, ~/.aws/credentials",
        "Read as the AWS SDKs read them; only awsw rotate writes the credentials file (two values of one profile), \
         only awsw sso populate the config file (its own marked block).",
    ),
    ("~/.config/awsw/config", "awsw's settings (INI); the AWSW_* variables win over it."),
    ("~/.cache/awsw/role-*.json", "Role sessions (temporary credentials), mode 0600 in a 0700 directory."),
    ("~/.cache/awsw/session-*.json", "MFA base sessions from GetSessionToken, mode 0600."),
    ("~/.cache/awsw/identity-*.json", "The caller identity of root credentials; no secrets."),
    ("~/.cache/awsw/keyage-*.json", "When an access key was created and last used, for a day; no secrets."),
    ("~/.cache/awsw/*.json.lock", "Lock files: one awsw process at a time gets a session; removed after."),
    ("~/.aws/cli/cache/*.json", "Role sessions in the AWS CLI's format, shared with it."),
    ("~/.aws/sso/cache/*.json", "SSO tokens and OIDC registrations in the AWS CLI's format, mode 0600."),
    (
        "~/.cache/awsw/sso-accounts-*.json",
        "The accounts and roles of an sso-session (the picker's discovered rows); no secrets.",
    ),
    ("~/.local/state/awsw/frecency.json", "Profile use counts and times for the picker; no secrets."),
    ("DIR/.envrc", "Written only by awsw envrc (or e/E in the picker)."),
    (
        "~/.cache/awsw/agent/agent-*.json",
        "The agent's pid, port and token while it runs, mode 0600 in a 0700 directory \
         ($XDG_RUNTIME_DIR/awsw when set).",
    ),
    ("~/.cache/awsw/agent/agent-*.lock", "Empty; locked by the running agent."),
    ("~/.cache/awsw/agent/agent-*.log", "The agent's start, exit and renew lines; no secrets."),
];

/// The exit statuses the README documents.
pub(crate) const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success (also: no config files at all; quitting the picker; doctor found nothing failing)."),
    (
        "1",
        "A run-time failure: a file that cannot be read, a session that cannot be obtained, \
         .envrc refused, the clipboard or browser unavailable, a doctor check that failed; the agent \
         not reachable, none running (agent status), or not stopping (agent stop).",
    ),
    (
        "2",
        "A usage error: unknown command, flag or profile, a bad MFA code, a bad AWSW_* value, \
         exec without a command, the picker without a terminal, login with several sso-sessions \
         and none chosen; agent env for an unknown profile.",
    ),
    ("126, 127", "exec / shell: the program could not run / was not found."),
    (
        "128+n",
        "exec --server / shell: the command or shell was killed by signal n (awsw dies of the same \
         signal for SIGINT, SIGTERM, SIGHUP, SIGPIPE).",
    ),
    ("129, 143", "The picker ended by SIGHUP / SIGTERM (128 + the signal's number), the terminal restored."),
    ("other", "exec and shell exit with the command's or shell's own status."),
];

/// Writes the roff manual page to stdout.
pub fn run() -> Result<(), Error> {
    super::completions::write_out(render().as_bytes())
}

/// The whole page.
pub(crate) fn render() -> String {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone().long_about(DESCRIPTION))
        .manual("awsw manual")
        .source(format!("awsw {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);
    page.extend_from_slice(commands_section(&cmd).as_bytes());
    let mut roff = Roff::new();
    table(&mut roff, "ENVIRONMENT", ENVIRONMENT);
    table(&mut roff, "FILES", FILES);
    table(&mut roff, "EXIT STATUS", EXIT_STATUS);
    roff.control("SH", ["SEE ALSO"]);
    roff.text([bold("aws"), roman("(1), "), bold("direnv"), roman("(1); the README in awsw's source.")]);
    page.extend_from_slice(roff.render().as_bytes());
    let _ = man.render_version_section(&mut page);
    String::from_utf8_lossy(&page).into_owned()
}

/// One subsection per visible subcommand (and per nested one, `awsw sso populate`): what
/// it does, its synopsis and its options, rendered by clap_mangen and moved under `COMMANDS`.
fn commands_section(cmd: &clap::Command) -> String {
    let mut out = String::from(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("awsw {}", sub.get_name());
        command_subsection(&mut out, &name, sub);
        // `awsw sso accounts`, `awsw agent env`: a subsection each, with their own flags.
        for nested in sub.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            command_subsection(&mut out, &format!("{name} {}", nested.get_name()), nested);
        }
    }
    out
}

/// One command's `.SS`: what it does, its synopsis and its options.
fn command_subsection(out: &mut String, name: &str, sub: &clap::Command) {
    let man = clap_mangen::Man::new(sub.clone());
    let mut synopsis = Vec::new();
    let mut options = Vec::new();
    let _ = man.render_synopsis_section(&mut synopsis);
    let _ = man.render_options_section(&mut options);
    let mut roff = Roff::new();
    roff.control("SS", [name]);
    roff.text([roman(sub.get_about().map(|a| a.to_string()).unwrap_or_default())]);
    out.push_str(&roff.render());
    // The subcommand's own `.SH` headings become paragraphs of this subsection.
    for line in String::from_utf8_lossy(&synopsis).lines().chain(String::from_utf8_lossy(&options).lines()) {
        if line.starts_with(".SH ") {
            out.push_str(".PP\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn table(roff: &mut Roff, title: &str, rows: &[(&str, &str)]) {
    roff.control("SH", [title]);
    for (name, meaning) in rows {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
}
