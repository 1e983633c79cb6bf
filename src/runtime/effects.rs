//! Runs the effects `update` asks for, each on tokio, and sends the results back as
//! messages. Identity lookups share a small pool so hundreds of profiles do not open
//! hundreds of connections at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};

use crate::app::frecency::Frecency;
use crate::app::{Effect, Msg, SessionFailure, State};
use crate::creds::{Ask, CredsError, Engine, MfaSource, Session};
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::shell::{Shell, format};

/// Identity lookups in flight at once.
const IDENTITY_CONCURRENCY: usize = 8;

pub struct Runner {
    engine: Arc<Engine>,
    tx: mpsc::UnboundedSender<Msg>,
    pool: Arc<Semaphore>,
    /// The last session obtained per profile, for the copy and .envrc that follow it.
    sessions: Arc<Mutex<HashMap<usize, Session>>>,
    frecency_path: Option<PathBuf>,
}

fn failure(err: CredsError) -> SessionFailure {
    match err {
        CredsError::MfaRequired { serial, .. } => SessionFailure::NeedsMfa { serial },
        err @ (CredsError::MfaRejected { .. }
        | CredsError::MfaMalformed { .. }
        | CredsError::MfaProcess { .. }) => SessionFailure::MfaRejected(err.to_string()),
        err => SessionFailure::Other(err.to_string()),
    }
}

/// Who the starting terminal is: its environment's credentials, else (when nothing else can
/// be) the EC2 instance role.
async fn fetch_origin(engine: Arc<Engine>, tx: mpsc::UnboundedSender<Msg>, instance: bool) {
    if let Some(result) = engine.environment_identity().await {
        let _ = tx.send(Msg::OriginIdentity(result));
    } else if instance && let Some((role, identity)) = crate::creds::imds::origin(&engine).await {
        let _ = tx.send(Msg::OriginInstance { role, identity });
    }
}

/// A profile's identity without a prompt, with what is known about its root keys.
async fn identity(engine: &Engine, name: &str) -> Result<crate::creds::IdentityReport, String> {
    let mut report = engine.identity(name, &Ask::non_interactive()).await.map_err(|e| e.to_string())?;
    crate::creds::keyage::add_to_report(engine, name, &mut report).await;
    Ok(report)
}

impl Runner {
    pub fn new(
        engine: Arc<Engine>,
        tx: mpsc::UnboundedSender<Msg>,
        frecency_path: Option<PathBuf>,
    ) -> Runner {
        Runner {
            engine,
            tx,
            pool: Arc::new(Semaphore::new(IDENTITY_CONCURRENCY)),
            sessions: Arc::new(Mutex::new(HashMap::new())),
            frecency_path,
        }
    }

    pub fn run(&self, effect: Effect, state: &State) {
        let engine = self.engine.clone();
        let tx = self.tx.clone();
        let name = |idx: usize| state.inventory.profiles[idx].name.clone();
        match effect {
            Effect::LoadReadiness => {
                let names: Vec<String> = state.inventory.profiles.iter().map(|p| p.name.clone()).collect();
                tokio::task::spawn_blocking(move || {
                    let list = names.iter().map(|n| engine.readiness(n)).collect();
                    let _ = tx.send(Msg::ReadinessLoaded(list));
                });
            }
            Effect::FetchOriginIdentity => {
                let instance = crate::creds::imds::may_be_origin(&state.inventory);
                tokio::spawn(fetch_origin(engine, tx, instance));
            }
            Effect::CheckReadiness { profile } => {
                let name = name(profile);
                tokio::task::spawn_blocking(move || {
                    let readiness = engine.readiness(&name);
                    let _ = tx.send(Msg::ReadinessChecked { profile, readiness });
                });
            }
            Effect::FetchIdentity { profile, request } => {
                let pool = self.pool.clone();
                let name = name(profile);
                tokio::spawn(async move {
                    let _permit = pool.acquire_owned().await;
                    let _ = tx.send(Msg::IdentityLoaded {
                        profile,
                        request,
                        result: identity(&engine, &name).await,
                    });
                });
            }
            Effect::GetSession { profile, purpose, mfa, run_mfa_process } => {
                let name = name(profile);
                let has_process = state.inventory.profiles[profile].mfa_process.is_some();
                let sessions = self.sessions.clone();
                tokio::spawn(async move {
                    let mfa = match mfa {
                        Some(code) => MfaSource::Code(code),
                        None if run_mfa_process && has_process => MfaSource::Process,
                        None => MfaSource::Never,
                    };
                    let ask = Ask { mfa, run_credential_process: true };
                    let result = engine.session(&name, &ask).await.map_err(failure);
                    if let Ok(session) = &result {
                        sessions.lock().unwrap_or_else(|e| e.into_inner()).insert(profile, session.clone());
                    }
                    let _ = tx.send(Msg::SessionLoaded { profile, purpose, result: result.map(Box::new) });
                });
            }
            Effect::Copy { profile } => {
                let session = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(&profile).cloned();
                tokio::task::spawn_blocking(move || {
                    let result = match session {
                        None => Err("no session to copy".to_string()),
                        Some(session) => {
                            let shell = Shell::detect(None, std::env::var("SHELL").ok().as_deref());
                            let text = format(&env_change(&session, &EnvOptions::default()), shell);
                            crate::sink::clipboard::copy(&text)
                                .map(|copied| {
                                    format!(
                                        "{} lines for {}: {}",
                                        shell.name(),
                                        session.profile,
                                        copied.describe()
                                    )
                                })
                                .map_err(|e| e.to_string())
                        }
                    };
                    let _ = tx.send(Msg::Copied(result));
                });
            }
            Effect::WriteEnvrc { profile, inline } => {
                let session = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(&profile).cloned();
                let cwd = std::path::PathBuf::from(&state.cwd);
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::EnvrcWritten(write_envrc(&engine, session, &cwd, inline)));
                });
            }
            Effect::RecordUse { profile } => {
                let Some(path) = self.frecency_path.clone() else { return };
                let name = name(profile);
                tokio::task::spawn_blocking(move || {
                    let mut frecency = Frecency::load(&path);
                    frecency.record(&name, time::OffsetDateTime::now_utc().unix_timestamp());
                    let _ = frecency.save(&path);
                });
            }
        }
    }
}

fn write_envrc(
    engine: &Engine,
    session: Option<Session>,
    dir: &std::path::Path,
    inline: bool,
) -> Result<String, String> {
    use crate::sink::envrc::{Block, render, write};
    let session = session.ok_or("no session for the .envrc")?;
    let awsw = std::env::current_exe().unwrap_or_else(|_| "awsw".into());
    let cache_file = engine.cache_file(&session.profile);
    let change;
    let block = if inline {
        let expires = session
            .credentials
            .expiration
            .filter(|_| !session.credentials.is_long_term())
            .ok_or("--inline takes only temporary sessions; this profile has long-term keys")?;
        change = env_change(&session, &EnvOptions::default());
        Block::Inline { profile: &session.profile, change: &change, expires }
    } else {
        Block::Cached { profile: &session.profile, awsw: &awsw, cache_file: cache_file.as_deref() }
    };
    let path = write(dir, &render(&block), inline).map_err(|e| e.to_string())?;
    Ok(format!("wrote {} ({}): run `direnv allow`", path.display(), block.mode_name()))
}
