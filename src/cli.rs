//! The command line: clap's derive types, plus the one value check they run (`--mfa-code`).

use clap::{Parser, Subcommand};

/// awsw's command line as `main` parses it: `awsw [--print] [COMMAND]`.
#[derive(Debug, Parser)]
#[command(
    name = "awsw",
    version,
    about = "AWS profile and role switching: list, verify, assume, and hand off sessions"
)]
pub struct Cli {
    /// Picker only: draw on the terminal and print the chosen profile's export lines to
    /// stdout, for `eval "$(awsw --print)"`.
    #[arg(long)]
    pub print: bool,
    /// The subcommand to run; `None` starts the picker.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands; each one's doc line is its `--help` summary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile in the config and credentials files.
    List(ListArgs),
    /// Show who a profile's credentials belong to, and until when.
    Whoami(WhoamiArgs),
    /// Print the lines that put a profile's session into a shell.
    Env(EnvArgs),
    /// Run a command with a profile's session in its environment.
    Exec(ExecArgs),
    /// Print the session as credential_process JSON (for other tools' profiles).
    CredentialProcess(CredentialProcessArgs),
    /// Start your shell with a profile's session in its environment.
    Shell(ShellArgs),
    /// Write a profile's session block into a project's .envrc (for direnv).
    Envrc(EnvrcArgs),
    /// Renew a profile's session (asking for an MFA code if needed), so the awsw shells
    /// serving it keep working.
    Refresh(RefreshArgs),
    /// Log in to IAM Identity Center (an sso-session, or the one behind a profile).
    Login(LoginArgs),
    /// Sign out of IAM Identity Center and delete the cached token.
    Logout(LogoutArgs),
    /// IAM Identity Center: the accounts and roles you may use.
    Sso(SsoArgs),
    /// Replace a profile's long-term access key with a new one, in IAM and in the credentials file.
    Rotate(RotateArgs),
    /// Internal: holds the clipboard selection after awsw exits.
    #[command(name = crate::sink::clipboard::OWNER_COMMAND, hide = true)]
    ClipboardOwner,
    /// Print a shell's completion script (subcommands, flags, profile names).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout.
    Man,
    /// Check the set-up: files, profiles, caches, clock, tools, shell hooks.
    Doctor(DoctorArgs),
    /// Open the AWS console signed in as a profile's session.
    Console(ConsoleArgs),
    /// The per-user agent that serves `awsw envrc --served` directories: env, status, stop.
    Agent(AgentArgs),
    /// Internal: profile names, one per line, for completion scripts.
    #[command(name = "__complete-profiles", hide = true)]
    CompleteProfiles,
}

/// `awsw completions SHELL`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub(crate) shell: CompletionShell,
}

/// The shells `awsw completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    Nu,
}

/// `awsw doctor [--json]`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `awsw console PROFILE`: which console page, and whether to print the URL instead.
#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    pub(crate) profile: String,
    /// The console page to open (a URL on the partition's console).
    #[arg(long, value_name = "URL", conflicts_with = "service")]
    pub(crate) destination: Option<String>,
    /// The service whose console page to open, e.g. `ec2`, `s3`, `cloudwatch`.
    #[arg(long, value_name = "NAME")]
    pub(crate) service: Option<String>,
    /// Print the sign-in URL to stdout instead of opening a browser (it grants console access).
    #[arg(long)]
    pub(crate) print_url: bool,
    /// The region of the console page (default: the profile's).
    #[arg(long)]
    pub(crate) region: Option<String>,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw shell PROFILE`: which shell, and served or static keys.
#[derive(Debug, clap::Args)]
pub struct ShellArgs {
    pub(crate) profile: String,
    /// The shell program to start (default: $SHELL).
    #[arg(long, value_name = "PROGRAM")]
    pub(crate) shell: Option<String>,
    /// Start even inside another awsw shell.
    #[arg(long)]
    pub(crate) force: bool,
    /// Fixed keys in the shell's environment instead of the local credential endpoint
    /// (for tools that cannot read it); awsw replaces itself with the shell.
    #[arg(long = "static", conflicts_with = "server")]
    pub(crate) static_keys: bool,
    /// The local credential endpoint even when `shell_mode = static` is set.
    #[arg(long)]
    pub(crate) server: bool,
    /// Set AWS_REGION and AWS_DEFAULT_REGION to this region.
    #[arg(long)]
    pub(crate) region: Option<String>,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw envrc PROFILE`: the directory and which kind of block to write.
#[derive(Debug, clap::Args)]
pub struct EnvrcArgs {
    pub(crate) profile: String,
    /// The project directory (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<std::path::PathBuf>,
    /// Write the temporary credentials themselves (file mode 0600) instead of loading the cache.
    #[arg(long, conflicts_with = "profile_only")]
    pub(crate) inline: bool,
    /// Write only `export AWS_PROFILE=NAME`.
    #[arg(long, conflicts_with = "cached")]
    pub(crate) profile_only: bool,
    /// Load the cached session (the default, unless the settings file says otherwise).
    #[arg(long, conflicts_with = "inline")]
    pub(crate) cached: bool,
    /// Point the directory at awsw's per-user agent, which renews the session as it
    /// expires: an address and a token in the environment, no keys, nothing secret in the file.
    #[arg(long, conflicts_with_all = ["inline", "profile_only", "cached"])]
    pub(crate) served: bool,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// How to get an MFA code when one is needed.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct MfaArgs {
    /// The current code of the profile's MFA device (else mfa_process, else a prompt on the terminal).
    #[arg(long, value_name = "CODE", value_parser = mfa_code)]
    pub(crate) mfa_code: Option<String>,
}

/// `--mfa-code` is checked when the command line is read, whether or not the profile needs a
/// code, so a typo is a usage error every time rather than only on the day it matters.
fn mfa_code(value: &str) -> Result<String, String> {
    crate::creds::mfa::check_form(value)
        .map_err(|problem| format!("an MFA code is exactly 6 digits: {problem}"))
}

/// `awsw whoami PROFILE | --all`.
#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    /// The profile to ask about.
    #[arg(required_unless_present = "all")]
    pub(crate) profile: Option<String>,
    /// Every profile whose credentials are available without a prompt, concurrently.
    #[arg(long, conflicts_with = "profile")]
    pub(crate) all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw env PROFILE`: the shell syntax or JSON, and where the lines go.
#[derive(Debug, clap::Args)]
pub struct EnvArgs {
    pub(crate) profile: String,
    /// The shell to write for (default: from $SHELL).
    #[arg(long, value_enum)]
    pub(crate) shell: Option<crate::sink::shell::Shell>,
    /// Print credential_process JSON instead of shell lines.
    #[arg(long, conflicts_with = "shell")]
    pub(crate) json: bool,
    /// Only a still-valid cached session: never call STS or ask for a code.
    #[arg(long)]
    pub(crate) cached_only: bool,
    /// Set AWS_REGION and AWS_DEFAULT_REGION to this region.
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// Copy the lines to the clipboard instead of printing them.
    #[arg(long, conflicts_with = "json")]
    pub(crate) copy: bool,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw exec PROFILE -- COMMAND`.
#[derive(Debug, clap::Args)]
pub struct ExecArgs {
    pub(crate) profile: String,
    /// Serve the session through a local credential endpoint that renews it, instead of
    /// fixed keys; awsw stays the command's parent.
    #[arg(long)]
    pub(crate) server: bool,
    /// Set AWS_REGION and AWS_DEFAULT_REGION to this region.
    #[arg(long)]
    pub(crate) region: Option<String>,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

/// `awsw credential-process PROFILE`.
#[derive(Debug, clap::Args)]
pub struct CredentialProcessArgs {
    pub(crate) profile: String,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw list [--json]`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `awsw login [SSO_SESSION|PROFILE]`: which login, and which OAuth flow.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// An sso-session name or an SSO profile (default: the only sso-session).
    #[arg(value_name = "SSO_SESSION|PROFILE")]
    pub(crate) name: Option<String>,
    /// Only print the URL (and code); do not open a browser.
    #[arg(long)]
    pub(crate) no_browser: bool,
    /// Use the device code flow (works over SSH) instead of the browser redirect to 127.0.0.1.
    #[arg(long)]
    pub(crate) device_code: bool,
}

/// `awsw logout [SSO_SESSION|PROFILE]`.
#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// An sso-session name or an SSO profile (default: the only sso-session).
    #[arg(value_name = "SSO_SESSION|PROFILE")]
    pub(crate) name: Option<String>,
}

/// `awsw sso accounts|populate`.
#[derive(Debug, clap::Args)]
pub struct SsoArgs {
    #[command(subcommand)]
    pub(crate) command: SsoCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SsoCommand {
    /// Every account and role the session's token may use (asks the portal, updates the cache).
    Accounts(SsoAccountsArgs),
    /// Write a profile per account and role into a block of the config file that awsw owns.
    Populate(SsoPopulateArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct SsoAccountsArgs {
    /// The sso-session (default: the only one).
    #[arg(value_name = "SSO_SESSION")]
    pub(crate) session: Option<String>,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print the cached result without asking the portal.
    #[arg(long)]
    pub(crate) cached: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SsoPopulateArgs {
    /// The sso-session (default: the only one).
    #[arg(value_name = "SSO_SESSION")]
    pub(crate) session: Option<String>,
    /// Put this in front of every profile name.
    #[arg(long, value_name = "P")]
    pub(crate) prefix: Option<String>,
    /// Print the change to the config file as a diff; write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `awsw rotate PROFILE [--dry-run]`.
#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    /// The profile whose access key to rotate (a role profile rotates the keys at the root of its chain).
    pub(crate) profile: String,
    /// Say what would happen, change nothing (never asks for an MFA code).
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw refresh [PROFILE]`.
#[derive(Debug, clap::Args)]
pub struct RefreshArgs {
    /// The profile (default: `AWSW_PROFILE`, the profile of the awsw shell you are in).
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) mfa: MfaArgs,
}

/// `awsw agent env|status|stop`.
#[derive(Debug, clap::Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub(crate) command: AgentCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AgentCommand {
    /// Start the agent if needed, serve PROFILE, and print the lines that point a shell at
    /// it (what an `awsw envrc --served` block runs).
    Env(AgentEnvArgs),
    /// Show the running agents and the profiles they serve (exit 1: none running).
    Status,
    /// Stop every running agent of yours.
    Stop,
    /// Internal: the agent process itself, started by `awsw agent env`.
    #[command(hide = true)]
    Run,
}

#[derive(Debug, clap::Args)]
pub(crate) struct AgentEnvArgs {
    pub(crate) profile: String,
    /// The shell to write for (default: from $SHELL).
    #[arg(long, value_enum)]
    pub(crate) shell: Option<crate::sink::shell::Shell>,
    /// Also print direnv's `watch_file` for the agent's state file, so direnv reloads when
    /// the agent is restarted.
    #[arg(long)]
    pub(crate) direnv: bool,
    /// Set AWS_REGION and AWS_DEFAULT_REGION to this region.
    #[arg(long)]
    pub(crate) region: Option<String>,
}
