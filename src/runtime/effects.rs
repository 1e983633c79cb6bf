//! Runs the effects `update` asks for, each on tokio, and sends the results back as
//! messages. Identity lookups share a small pool so hundreds of profiles do not open
//! hundreds of connections at once. Effects carry what they act on (the session to copy or
//! write), so the runner keeps little state of its own: its channels, the engine over the
//! inventory shown now (replaced when discovery adds rows) and the login running.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};

use crate::app::{Effect, Msg, Purpose, SessionFailure, State};
use crate::context::Context;
use crate::creds::{Ask, CredsError, Engine, MfaSource, Session};
use crate::settings::EnvrcMode;
use crate::sink::env::{EnvOptions, env_change};
use crate::sink::shell::{Shell, format};

/// Identity lookups in flight at once.
const IDENTITY_CONCURRENCY: usize = 8;

pub(crate) struct Runner {
    /// Replaced when discovered rows join the inventory (`UseInventory`).
    engine: Mutex<Arc<Engine>>,
    tx: mpsc::UnboundedSender<Msg>,
    pool: Arc<Semaphore>,
    frecency_path: Option<PathBuf>,
    logins: super::sso::Logins,
    /// The user's shell, for the export lines `c` copies.
    shell: Shell,
    /// The environment `main` read: this executable for the cached `.envrc` block, the
    /// engine's settings for an engine over a grown inventory, the browser and display.
    context: Arc<Context>,
}

/// What the runner takes from the environment `main` read once.
pub(crate) struct RunnerParts {
    pub(crate) shell: Shell,
    pub(crate) context: Context,
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
    crate::creds::keyage::add_to_report(engine, name, &mut report, true).await;
    Ok(report)
}

impl Runner {
    pub(crate) fn new(
        engine: Arc<Engine>,
        tx: mpsc::UnboundedSender<Msg>,
        frecency_path: Option<PathBuf>,
        parts: RunnerParts,
    ) -> Runner {
        Runner {
            engine: Mutex::new(engine),
            tx,
            pool: Arc::new(Semaphore::new(IDENTITY_CONCURRENCY)),
            frecency_path,
            logins: super::sso::Logins::default(),
            shell: parts.shell,
            context: Arc::new(parts.context),
        }
    }

    /// The engine over the inventory the picker shows now.
    pub(crate) fn engine(&self) -> Arc<Engine> {
        self.engine.lock().map(|e| e.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    pub(crate) fn run(&self, effect: Effect, state: &State) {
        let (engine, tx) = (self.engine(), self.tx.clone());
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
                let (vars, imds) = (&self.context.vars, &self.context.engine.imds);
                let instance = crate::creds::imds::may_be_origin(&state.inventory, vars, imds);
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
                self.fetch_identity(profile, request, name(profile))
            }
            Effect::GetSession { profile, purpose, mfa, run_mfa_process } => {
                let mfa = match mfa {
                    Some(code) => MfaSource::Code(code),
                    None if run_mfa_process && state.profile(profile).mfa_process.is_some() => {
                        MfaSource::Process
                    }
                    None => MfaSource::Never,
                };
                self.get_session(profile, purpose, mfa, name(profile));
            }
            Effect::Copy { session } => {
                let (shell, context) = (self.shell, self.context.clone());
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Status(copy(&session, shell, &context)));
                });
            }
            Effect::OpenConsole { session } => {
                let context = self.context.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Status(open_console(&engine, &session, &context).await));
                });
            }
            Effect::WriteEnvrc { session, inline } => {
                let cwd = PathBuf::from(&state.cwd);
                let exe = self.context.exe.clone();
                let mode = state.envrc_mode_for(inline);
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::EnvrcWritten(write_envrc(&engine, &session, &cwd, mode, &exe)));
                });
            }
            Effect::RecordUse { profile } => {
                // At once, not on a task: `Enter` and `--print` end the process right after.
                if let Some(path) = &self.frecency_path {
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    super::recent::record_at(path, &name(profile), now);
                }
            }
            other => self.run_sso(other, state),
        }
    }

    /// The effects of discovery and the login modal.
    fn run_sso(&self, effect: Effect, state: &State) {
        let tx = self.tx.clone();
        match effect {
            Effect::CheckReadinessOf(profiles) => {
                let engine = self.engine();
                let names: Vec<(usize, String)> =
                    profiles.into_iter().map(|i| (i, state.inventory.profiles[i].name.clone())).collect();
                tokio::task::spawn_blocking(move || {
                    let list = names.into_iter().map(|(i, n)| (i, engine.readiness(&n))).collect();
                    let _ = tx.send(Msg::ReadinessBatch(list));
                });
            }
            Effect::Discover { session } => {
                let env = self.context.engine.clone();
                tokio::spawn(super::sso::discover(state.inventory.clone(), session, env, tx));
            }
            Effect::UseInventory(inventory) => match Engine::new(inventory.0, self.context.engine.clone()) {
                Ok(engine) => *self.engine.lock().unwrap_or_else(|p| p.into_inner()) = Arc::new(engine),
                Err(err) => {
                    let _ = tx.send(Msg::Status(Err(err.to_string())));
                }
            },
            Effect::FindLogins => {
                let (inventory, dirs) = (state.inventory.clone(), self.context.engine.dirs.clone());
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::LoginsNeeded(super::sso::sessions_without_token(&inventory, &dirs)));
                });
            }
            Effect::StartLogin { login } => {
                self.logins.start(state.inventory.clone(), login, self.context.engine.clone(), tx)
            }
            Effect::CancelLogin => self.logins.cancel(),
            Effect::OpenUrl(url) => {
                let opener = self.context.url_opener();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Opened(super::sso::open_page(&url, opener)));
                });
            }
            _ => {}
        }
    }

    fn fetch_identity(&self, profile: usize, request: u64, name: String) {
        let (engine, tx, pool) = (self.engine(), self.tx.clone(), self.pool.clone());
        tokio::spawn(async move {
            let _permit = pool.acquire_owned().await;
            let _ = tx.send(Msg::IdentityLoaded { profile, request, result: identity(&engine, &name).await });
        });
    }

    fn get_session(&self, profile: usize, purpose: Purpose, mfa: MfaSource, name: String) {
        let (engine, tx) = (self.engine(), self.tx.clone());
        tokio::spawn(async move {
            let ask = Ask { mfa, run_credential_process: true };
            let result = engine.session(&name, &ask).await.map_err(failure).map(Box::new);
            let _ = tx.send(Msg::SessionLoaded { profile, purpose, result });
        });
    }
}

/// Puts the export lines for the user's shell on the clipboard and says where they went.
fn copy(session: &Session, shell: Shell, context: &Context) -> Result<String, String> {
    let text = format(&env_change(session, &EnvOptions::default()), shell);
    let copied = crate::sink::clipboard::copy(&text, session.credentials.expiration, context)
        .map_err(|e| e.to_string())?;
    Ok(format!("{} lines for {}: {}", shell.name(), session.profile, copied.describe()))
}

/// The console for the session's profile, opened in `$BROWSER` or the desktop's browser. The
/// sign-in URL is a secret: it goes to the browser only, never to the status line. Without a
/// browser or a display nothing is started (a text browser would fight the picker for the
/// terminal).
async fn open_console(engine: &Engine, session: &Session, context: &Context) -> Result<String, String> {
    use crate::commands::console::{ConsoleTarget, open_in_browser, signin_url};
    use crate::creds::federation::Destination;
    if context.browser.is_none() && !context.display {
        return Err(format!(
            "no browser here (set BROWSER, or run `awsw console {} --print-url`)",
            session.profile
        ));
    }
    let target = ConsoleTarget { destination: Destination::Home, region: None };
    let url = signin_url(engine, &session.profile, &Ask::non_interactive(), &target)
        .await
        .map_err(|err| err.to_string())?;
    open_in_browser(&url)?;
    Ok(format!("opened the AWS console for {} in the browser", session.profile))
}

/// Writes the awsw block for the session's profile into `dir/.envrc`, in `mode`, chosen by
/// the same rules as `awsw envrc`.
fn write_envrc(
    engine: &Engine,
    session: &Session,
    dir: &std::path::Path,
    mode: EnvrcMode,
    awsw: &std::path::Path,
) -> Result<String, String> {
    use crate::commands::envrc::render_block;
    let text = render_block(engine, &session.profile, Some(session), mode, awsw, &dir.join(".envrc"))?;
    let path = crate::sink::envrc::write(dir, &text, mode == EnvrcMode::Inline).map_err(|e| e.to_string())?;
    Ok(format!("wrote {} ({}): run `direnv allow`", path.display(), mode.describe()))
}
