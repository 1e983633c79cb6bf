//! Finding, starting, asking and stopping the agent from another awsw process. An agent is
//! used only when its state file is private, its lifetime lock is held and it answers its
//! status with its token and the pid the file names; a state file whose lock is free was
//! left by a crashed agent and is replaced by the next agent started.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::routes::CONTROL_PATH;
use super::state::{self, State};
use crate::context::{Context, Vars};
use crate::safe_fs::Dir;

/// How long a new agent may take to start answering.
const START_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);
/// A status request to a running agent answers in well under this.
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

/// A running agent, found or started.
pub(crate) struct Agent {
    pub(crate) key: String,
    pub(crate) dir: PathBuf,
    pub(crate) state: State,
}

impl Agent {
    pub(crate) fn state_file(&self) -> PathBuf {
        self.dir.join(state::state_name(&self.key))
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.port)
    }

    /// Sends one request with the token; the status and the body.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        timeout: Duration,
    ) -> std::io::Result<(u16, String)> {
        request(&self.state, method, path, timeout)
    }
}

/// The runtime directory for this process's environment, opened.
pub(crate) fn open_runtime_dir(context: &Context) -> Result<Dir, String> {
    let path = state::runtime_dir(|n| context.vars.var(n), &context.engine.dirs)
        .ok_or("no runtime directory for the awsw agent (set HOME or XDG_RUNTIME_DIR)")?;
    state::open_dir(&path).map_err(|e| e.to_string())
}

/// What `find` saw.
pub(crate) enum Found {
    Running(Agent),
    /// A state file whose agent is gone (its pid).
    Stale(u32),
    /// The lock is held but the agent the state file names does not answer: a new agent
    /// starting, or one that hangs (the pid in the file).
    Silent(u32),
    None,
}

/// The agent of `key` in `dir` if one is running and answers.
pub(crate) fn find(dir: &Dir, key: &str) -> Result<Found, String> {
    let Some(record) = state::read(dir, key)? else { return Ok(Found::None) };
    if !state::agent_alive(dir, key).map_err(|e| e.to_string())? {
        return Ok(Found::Stale(record.pid));
    }
    let agent = Agent { key: key.to_string(), dir: dir.path().to_path_buf(), state: record };
    Ok(match answers(&agent) {
        true => Found::Running(agent),
        false => Found::Silent(agent.state.pid),
    })
}

/// Whether `agent` answers its status with its token and the pid its state file names.
fn answers(agent: &Agent) -> bool {
    let Ok((200, body)) = agent.request("GET", CONTROL_PATH, STATUS_TIMEOUT) else { return false };
    let pid = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v["Pid"].as_u64());
    pid == Some(u64::from(agent.state.pid))
}

/// The agent for this process's environment: the running one, else a new one started from
/// `exe`. The second value is a line to show (a stale state file was found).
pub(crate) fn ensure(context: &Context) -> Result<(Agent, Option<String>), String> {
    let (exe, vars) = (context.exe.as_path(), &context.vars);
    let key = state::key(|n| vars.var(n));
    let dir = open_runtime_dir(context)?;
    let log = dir.path().join(state::log_name(&key));
    let deadline = Instant::now() + START_WAIT;
    let (mut started, mut note, mut silent) = (false, None, None);
    loop {
        match find(&dir, &key)? {
            Found::Running(agent) => return Ok((agent, note)),
            Found::Stale(pid) if !started => {
                note = Some(format!(
                    "the awsw agent (pid {pid}) is no longer running (its state file was left behind); starting a new one"
                ));
            }
            Found::Silent(pid) if !started => silent = Some(pid),
            _ => {}
        }
        if !started && !state::agent_alive(&dir, &key).map_err(|e| e.to_string())? {
            spawn(exe, &dir, &key, vars)?;
            started = true;
        }
        if Instant::now() >= deadline {
            return Err(match silent {
                Some(pid) => format!(
                    "the awsw agent (pid {pid}) holds its lock but has not answered for {} s; end it with `kill {pid}` and load again",
                    START_WAIT.as_secs()
                ),
                None => format!(
                    "the awsw agent did not answer within {} s; see {}",
                    START_WAIT.as_secs(),
                    log.display()
                ),
            });
        }
        std::thread::sleep(POLL);
    }
}

/// Variables a new agent must not inherit: other credentials (the engine would read them),
/// another endpoint's token, direnv's record of this shell's changes.
fn scrubbed(name: &str) -> bool {
    name.starts_with("AWS_ACCESS_KEY")
        || name.starts_with("AWS_SECRET")
        || name.starts_with("AWS_SESSION")
        || name.starts_with("AWS_SECURITY")
        || name.starts_with("AWS_CONTAINER")
        || name.starts_with("AWS_WEB_IDENTITY")
        || name.starts_with("AWS_ROLE")
        || name.starts_with("DIRENV_")
        || matches!(
            name,
            "AWS_PROFILE" | "AWS_DEFAULT_PROFILE" | "AWSW_PROFILE" | "AWS_CREDENTIAL_EXPIRATION"
        )
}

/// Starts `exe agent run` in a session of its own, in `/`, stdin and stdout on /dev/null and
/// stderr appended to the log (0600; the agent that gets the lock empties it), no descriptor of ours beyond those (direnv waits for
/// the pipes it gave the `.envrc` to close).
fn spawn(exe: &Path, dir: &Dir, key: &str, vars: &Vars) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let log_path = dir.path().join(state::log_name(key));
    let log = std::fs::OpenOptions::new()
        .mode(0o600)
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&log_path)
        .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
    let mut command = Command::new(exe);
    command.args(["agent", "run"]).current_dir("/").stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
    for (name, _) in vars.iter() {
        if name.to_str().is_none_or(scrubbed) {
            command.env_remove(name);
        }
    }
    // SAFETY: setsid and close_range are async-signal-safe and touch no memory of ours.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        });
    }
    command.spawn().map(drop).map_err(|e| format!("cannot start the awsw agent ({}): {e}", exe.display()))
}

/// One request to the agent of `record`, with its token; the status and the body.
fn request(record: &State, method: &str, path: &str, timeout: Duration) -> std::io::Result<(u16, String)> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], record.port));
    let mut stream = std::net::TcpStream::connect_timeout(&addr, STATUS_TIMEOUT)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        record.token.expose()
    );
    stream.write_all(head.as_bytes())?;
    let mut answer = Vec::new();
    stream.take(1 << 20).read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let bad = || std::io::Error::other("not an HTTP answer");
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let body = answer.split_once("\r\n\r\n").ok_or_else(bad)?.1.to_string();
    Ok((status, body))
}

/// Asks `agent` to stop and waits (up to 5 s) until it has let go of its lock.
pub(crate) fn stop(agent: &Agent, dir: &Dir) -> Result<(), String> {
    // The answer may be cut short by the agent's exit; the lock says when it is gone.
    let _ = agent.request("DELETE", CONTROL_PATH, STATUS_TIMEOUT);
    let deadline = Instant::now() + START_WAIT;
    while state::agent_alive(dir, &agent.key).map_err(|e| e.to_string())? {
        if Instant::now() >= deadline {
            return Err(format!(
                "the awsw agent (pid {}) did not stop within 5 s; end it with `kill {}`",
                agent.state.pid, agent.state.pid
            ));
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}
