//! The agent process itself (`awsw agent run`, started by `awsw agent env` with `setsid`,
//! its stderr in the log file, never by hand): takes the lifetime lock (another agent with
//! the same key already running: exit at once), serves on 127.0.0.1 with a fresh token,
//! writes the state file, and exits when idle, on `DELETE /awsw/agent`, or on `SIGTERM`,
//! `SIGINT` or `SIGHUP`, removing the state file before the lock goes.

use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::signal::unix::{SignalKind, signal};

use super::routes::{AgentRoutes, EngineFactory};
use super::state::{self, State};
use crate::server;

/// Why the agent ended, for its log.
enum Ended {
    Idle,
    Stopped,
    Signal(&'static str),
}

/// Runs the agent until it ends; the error is one line for the log.
pub(crate) fn run(context: &crate::context::Context) -> Result<(), String> {
    let var = |name: &str| context.vars.var(name);
    let idle = super::idle(var)?;
    let key = state::key(var);
    let dir_path = state::runtime_dir(var, &context.engine.dirs)
        .ok_or("no runtime directory (set HOME or XDG_RUNTIME_DIR)")?;
    let dir = state::open_dir(&dir_path).map_err(|e| e.to_string())?;
    let lock = state::open_lock(&dir, &key).map_err(|e| format!("cannot open the lock file: {e}"))?;
    if !state::try_lock(&lock).map_err(|e| format!("cannot lock: {e}"))? {
        // Another agent serves this configuration; the caller finds it through the state file.
        return Ok(());
    }
    // The log is this agent's from here on; a losing rival started beside it wrote nothing.
    // SAFETY: ftruncate on stderr; on a terminal or a pipe it fails and changes nothing.
    unsafe { libc::ftruncate(2, 0) };
    let (stop, mut stopped) = tokio::sync::mpsc::unbounded_channel();
    let context = context.clone();
    let factory: EngineFactory =
        Arc::new(move || crate::commands::session::engine(&context).map(Arc::new).map_err(|e| e.to_string()));
    let routes = Arc::new(AgentRoutes::new(factory, stop, idle));
    let running =
        server::start_routes(routes.clone(), "").map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let started = OffsetDateTime::now_utc();
    let pid = std::process::id();
    let record = State {
        pid,
        port: running.addr.port(),
        token: running.token.clone(),
        started: started.format(&Rfc3339).unwrap_or_default(),
    };
    let state_name = state::state_name(&key);
    dir.replace(&state_name, record.to_json().as_bytes(), 0o600).map_err(|e| e.to_string())?;
    eprintln!("awsw agent {pid}: serving on 127.0.0.1:{}, key {key}", record.port);
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let ended = runtime.block_on(wait(&routes, &mut stopped));
    // The state file goes first: a client that then finds the lock free starts a new agent.
    let _ = std::fs::remove_file(dir_path.join(&state_name));
    drop(running);
    let why = match ended {
        Ok(Ended::Idle) => "idle".to_string(),
        Ok(Ended::Stopped) => "stopped by `awsw agent stop`".to_string(),
        Ok(Ended::Signal(name)) => format!("ended by {name}"),
        Err(err) => err,
    };
    eprintln!("awsw agent {pid}: exiting ({why})");
    drop(lock);
    Ok(())
}

/// Waits for the first reason to end.
async fn wait(
    routes: &AgentRoutes,
    stopped: &mut tokio::sync::mpsc::UnboundedReceiver<()>,
) -> Result<Ended, String> {
    let listen = |kind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
    let (mut term, mut int, mut hup) =
        (listen(SignalKind::terminate())?, listen(SignalKind::interrupt())?, listen(SignalKind::hangup())?);
    loop {
        let left = routes.exit_at() - OffsetDateTime::now_utc();
        if left <= time::Duration::ZERO {
            return Ok(Ended::Idle);
        }
        let left = std::time::Duration::try_from(left).unwrap_or_default();
        tokio::select! {
            // Woken at the deadline, it is looked at again: a request may have moved it.
            _ = tokio::time::sleep(left) => {}
            _ = stopped.recv() => return Ok(Ended::Stopped),
            _ = term.recv() => return Ok(Ended::Signal("SIGTERM")),
            _ = int.recv() => return Ok(Ended::Signal("SIGINT")),
            _ = hup.recv() => return Ok(Ended::Signal("SIGHUP")),
        }
    }
}
