//! The picker's IAM Identity Center work: the cached discoveries read at start, discovery
//! refreshed in the background with its progress, the device login behind the login modal
//! (cancellable: aborting it writes no token), and the browser for its page. Results go
//! back to `update` as messages; no token ever does.

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::Msg;
use crate::commands::sso::fetch_discovery;
use crate::config::Inventory;
use crate::creds::clock::SystemClock;
use crate::creds::engine::{Dirs, EngineEnv};
use crate::sso::cache::SsoCache;
use crate::sso::device::{DevicePrompt, TokioSleeper};
use crate::sso::discovery::{Discovery, DiscoveryCache};
use crate::sso::login::{Flows, device_login};
use crate::sso::oidc::SdkOidc;
use crate::sso::{SsoError, target};

/// The sso-sessions without a usable token, as (login name, label).
pub(crate) fn sessions_without_token(inventory: &Inventory, dirs: &Dirs) -> Vec<(String, String)> {
    let now = OffsetDateTime::now_utc();
    let targets = inventory.sso_sessions.iter().filter_map(|s| target::for_session(inventory, &s.name).ok());
    targets.filter(|t| !target_token_usable(t, now, dirs)).map(|t| (t.login, t.label)).collect()
}

/// Refreshes `session`'s discovery if its token is valid (or silently renewable), caches it
/// and sends it back; progress goes out as the share of accounts done changes.
pub(crate) async fn discover(
    inventory: Arc<Inventory>,
    session: String,
    env: EngineEnv,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let result = fetch(&inventory, &session, &env, &tx).await;
    let _ = tx.send(Msg::Discovered { session, result });
}

async fn fetch(
    inventory: &Inventory,
    session: &str,
    env: &EngineEnv,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<Option<Discovery>, String> {
    let target = target::for_session(inventory, session).map_err(|e| e.to_string())?;
    let Some(dir) = env.dirs.sso_cache() else { return Ok(None) };
    if !target_token_usable(&target, OffsetDateTime::now_utc(), &env.dirs) {
        return Ok(None);
    }
    let progress = |done: usize, total: usize| {
        if done == total || (done * 100 / total) != ((done - 1) * 100 / total) {
            let _ = tx.send(Msg::DiscoveryProgress { session: session.to_string(), done, total });
        }
    };
    let discovery = match fetch_discovery(&target, &env.sso, &SsoCache::new(dir), &progress).await {
        Ok(discovery) => discovery,
        Err(SsoError::LoginRequired { .. }) => return Ok(None),
        Err(err) => return Err(err.to_string()),
    };
    if let Some(store) = env.dirs.cache.clone().map(DiscoveryCache::new)
        && let Err(err) = store.store(&target, &discovery)
    {
        return Err(format!("could not cache the accounts in {}: {err}", store.path(&target).display()));
    }
    Ok(Some(discovery))
}

/// Whether `target`'s cached token is valid at `now`, or expired but renewable with its
/// refresh token (the engine's own test, `sso::credentials::token_state`, for a session).
fn target_token_usable(target: &crate::sso::SsoTarget, now: OffsetDateTime, dirs: &Dirs) -> bool {
    let Some(dir) = dirs.sso_cache() else { return false };
    let token = SsoCache::new(dir).load_token(target).ok().flatten();
    crate::sso::credentials::token_state(token.as_ref(), now) != crate::creds::plan::SsoTokenState::Missing
}

/// The login running behind the modal, if any.
#[derive(Default)]
pub(crate) struct Logins {
    running: Mutex<Option<JoinHandle<()>>>,
}

impl Logins {
    /// Runs the device flow for `login` (an sso-session, or a legacy SSO profile); the
    /// prompt and the outcome come back as messages. A login already running is stopped.
    pub(crate) fn start(
        &self,
        inventory: Arc<Inventory>,
        login: String,
        env: EngineEnv,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let task = tokio::spawn(async move {
            let result = device(&inventory, &login, &env, &tx).await;
            let _ = tx.send(Msg::LoggedIn { login, result });
        });
        if let Some(old) = self.running.lock().ok().and_then(|mut r| r.replace(task)) {
            old.abort();
        }
    }

    /// Stops the running login: the token is only written after approval, so none is.
    pub(crate) fn cancel(&self) {
        if let Some(task) = self.running.lock().ok().and_then(|mut r| r.take()) {
            task.abort();
        }
    }
}

async fn device(
    inventory: &Inventory,
    login: &str,
    env: &EngineEnv,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<(), String> {
    let target = target::resolve(inventory, Some(login)).map_err(|e| e.to_string())?;
    let dir = env.dirs.sso_cache().ok_or("HOME is not set, so there is no token cache")?;
    let cache = SsoCache::new(dir);
    let oidc = SdkOidc::new(&target.region, env.sso.oidc_url(&target.region));
    let flows = Flows { oidc: &oidc, clock: &SystemClock, sleeper: &TokioSleeper, cache: &cache };
    let mut on_prompt = |prompt: &DevicePrompt| {
        let _ = tx.send(Msg::LoginPrompt { login: login.to_string(), prompt: prompt.clone() });
    };
    device_login(&flows, &target, &mut on_prompt).await.map(|_| ()).map_err(|e| e.to_string())
}

/// The login page in `$BROWSER` or the desktop's browser; without either, why not.
pub(crate) fn open_page(url: &str, opener: Option<String>) -> Result<String, String> {
    let program =
        opener.ok_or("no browser here (set BROWSER): open the URL on any device and enter the code")?;
    crate::commands::login::start_browser(&program, url)?;
    Ok("opened the login page in the browser".into())
}
