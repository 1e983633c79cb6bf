//! `awsw agent env|status|stop`: the per-user agent that serves `--served` `.envrc`
//! directories (`crate::agent`). `env` is what the block runs at each load: it makes sure
//! the agent runs, registers the profile and prints the lines that point the directory's
//! environment at it (quoted; no keys). `status` lists the running agents, `stop` ends them.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Error;
use crate::agent::client::{self, Agent, Found};
use crate::agent::routes::CONTROL_PATH;
use crate::agent::state;
use crate::cli::{AgentArgs, AgentCommand, AgentEnvArgs};
use crate::context::Context;
use crate::printable::escape;
use crate::sink::served::{agent_change, no_credentials};
use crate::sink::shell::{Shell, format, quote_posix};

/// A registration may get a session first (STS within its budget, an `mfa_process`).
const REGISTER_TIMEOUT: Duration = Duration::from_secs(90);

/// `awsw agent env|status|stop` (and the hidden `agent run`, the agent process itself).
pub fn run(args: &AgentArgs, context: &Context) -> Result<(), Error> {
    match &args.command {
        AgentCommand::Env(env_args) => env(env_args, context),
        AgentCommand::Status => status(context),
        AgentCommand::Stop => stop(context),
        AgentCommand::Run => crate::agent::run::run(context).map_err(Error::failure),
    }
}

/// Prints the lines; on failure only the lines that unset every credential variable, so a
/// directory never keeps stale ones.
fn env(args: &AgentEnvArgs, context: &Context) -> Result<(), Error> {
    let shell = Shell::detect(args.shell, context.shell.as_deref());
    match served_lines(args, context, shell) {
        Ok(lines) => {
            print!("{lines}");
            Ok(())
        }
        Err(err) => {
            print!("{}", format(&no_credentials(), shell));
            Err(err)
        }
    }
}

fn served_lines(args: &AgentEnvArgs, context: &Context, shell: Shell) -> Result<String, Error> {
    crate::agent::idle(|n| context.vars.var(n)).map_err(Error::Usage)?;
    let (agent, note) = client::ensure(context).map_err(Error::failure)?;
    if let Some(note) = note {
        eprintln!("awsw: {}", escape(&note));
    }
    let path = crate::server::path_for(&args.profile);
    let (status, body) = agent
        .request("PUT", &path, REGISTER_TIMEOUT)
        .map_err(|e| Error::failure(format!("the awsw agent did not answer: {e}")))?;
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let text = |name: &str| answer[name].as_str().map(str::to_string);
    match status {
        200 => {}
        404 => return Err(Error::Usage(text("Message").unwrap_or_else(|| "unknown profile".into()))),
        _ => {
            return Err(Error::failure(
                text("Message").unwrap_or_else(|| format!("the agent answered {status}")),
            ));
        }
    }
    if let Some(problem) = text("Problem") {
        eprintln!("awsw: {}", escape(&problem));
    }
    let until = text("RenewableUntil").and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok());
    let region = text("Region");
    let url = format!("{}{path}", agent.base_url());
    let options = context.env_options(args.region.as_deref());
    let change = agent_change(&args.profile, region.as_deref(), &options, &url, &agent.state.token, until);
    let mut lines = format(&change, shell);
    if args.direnv {
        // direnv reloads when the file changes: a new agent (new token) or none.
        lines.push_str(&format!("watch_file {}\n", quote_posix(&agent.state_file().to_string_lossy())));
    }
    Ok(lines)
}

/// What `each_agent` found besides the running agents it handed on.
struct Seen {
    running: usize,
    /// Agents that hold their lock and do not answer (their pids).
    silent: Vec<u32>,
}

impl Seen {
    /// The error for agents that could not be asked, naming how to end them.
    fn silent_error(&self) -> Option<Error> {
        let pids: Vec<String> = self.silent.iter().map(u32::to_string).collect();
        (!pids.is_empty()).then(|| {
            Error::failure(format!(
                "the awsw agent (pid {}) holds its lock but does not answer; end it with `kill {}`",
                pids.join(", "),
                pids.join(" ")
            ))
        })
    }
}

/// Each agent with a state file: running ones handed to `on_running`, stale files removed,
/// silent ones counted.
fn each_agent(
    context: &Context,
    mut on_running: impl FnMut(&Agent, &crate::safe_fs::Dir) -> Result<(), Error>,
) -> Result<Seen, Error> {
    let dir = client::open_runtime_dir(context).map_err(Error::failure)?;
    let mut seen = Seen { running: 0, silent: Vec::new() };
    for key in state::keys_in(dir.path()) {
        match client::find(&dir, &key).map_err(Error::failure)? {
            Found::Running(agent) => {
                seen.running += 1;
                on_running(&agent, &dir)?;
            }
            Found::Stale(pid) => {
                let _ = std::fs::remove_file(dir.path().join(state::state_name(&key)));
                println!("removed the state file of an agent that is no longer running (pid {pid})");
            }
            Found::Silent(pid) => seen.silent.push(pid),
            Found::None => {}
        }
    }
    Ok(seen)
}

fn status(context: &Context) -> Result<(), Error> {
    let seen = each_agent(context, |agent, _| {
        let (_, body) = agent
            .request("GET", CONTROL_PATH, Duration::from_secs(2))
            .map_err(|e| Error::failure(format!("the awsw agent did not answer: {e}")))?;
        println!("{}", describe(agent, &body));
        Ok(())
    })?;
    match (seen.silent_error(), seen.running) {
        (Some(err), _) => Err(err),
        (None, 0) => Err(Error::failure("no awsw agent is running")),
        (None, _) => Ok(()),
    }
}

/// One agent's status as lines for a person.
fn describe(agent: &Agent, body: &str) -> String {
    let status: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let text = |value: &serde_json::Value| value.as_str().unwrap_or("?").to_string();
    let mut out = format!(
        "agent pid {} on 127.0.0.1:{} (state {}), started {}, exits when idle at {}",
        agent.state.pid,
        agent.state.port,
        agent.state_file().display(),
        text(&status["Started"]),
        text(&status["ExitAt"])
    );
    let profiles = status["Profiles"].as_array().cloned().unwrap_or_default();
    if profiles.is_empty() {
        out.push_str("\n  serves no profile yet");
    }
    for profile in profiles {
        let until = match profile["RenewableUntil"].as_str() {
            Some(t) => format!("renews without asking until {t}"),
            None => "renews without asking while its root credentials work".to_string(),
        };
        out.push_str(&format!("\n  {}: {until}", escape(&text(&profile["Profile"]))));
    }
    out
}

fn stop(context: &Context) -> Result<(), Error> {
    let seen = each_agent(context, |agent, dir| {
        client::stop(agent, dir).map_err(Error::failure)?;
        println!("stopped the awsw agent (pid {})", agent.state.pid);
        Ok(())
    })?;
    if let Some(err) = seen.silent_error() {
        return Err(err);
    }
    if seen.running == 0 {
        println!("no awsw agent is running");
    }
    Ok(())
}
