//! The credential engine: for a profile, the fewest STS calls and MFA prompts that give
//! working temporary credentials. It walks the profile's chain (root first), reuses any
//! still-valid session from awsw's cache or the AWS CLI's, asks for an MFA code only as the
//! caller's `Ask` allows, and caches every session it makes in both places.
//!
//! The MFA economy: a static root with `mfa_serial` gets one `GetSessionToken` session with
//! the code; every role whose chain starts there is assumed from that session without a
//! code of its own, for the session's lifetime.

use std::collections::HashMap;
use std::collections::HashSet;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::cache::{CacheKey, SessionCache};
use super::clicache::{CliCache, CliCacheKey};
use super::clock::{Clock, SystemClock};
use super::error::CredsError;
use super::mfa;
use super::providers::{AwsProviders, EnvCredentials, RootSource, sso_login_command, sso_token_valid};
use super::sts::{AssumeRoleRequest, AwsSts, Endpoint, MfaToken, SessionTokenRequest, Sts, StsError};
use super::types::{Credentials, Identity, Session, SessionOrigin};
use crate::config::{Inventory, Kind, Profile, RootKind};

/// What getting credentials for a profile takes right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Available without asking (static keys, a valid cache, `credential_source`, a valid SSO token).
    Ready {
        expiration: Option<OffsetDateTime>,
    },
    NeedsMfa {
        serial: String,
        has_mfa_process: bool,
    },
    NeedsSsoLogin {
        command: String,
    },
    /// `credential_process`: never run unasked.
    NeedsProcess,
    Unusable {
        reason: String,
    },
}

impl Readiness {
    /// Whether `GetCallerIdentity` can run for `profile` without any prompt: a ready
    /// session, or long-term keys, which need no MFA code for it even where switching to
    /// the profile does.
    pub fn identity_without_prompt(&self, profile: &Profile) -> bool {
        match self {
            Readiness::Ready { .. } => true,
            Readiness::NeedsMfa { .. } => profile.kind == Kind::Static,
            _ => false,
        }
    }
}

/// Where an MFA code may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaSource {
    /// Never ask: a profile that needs a code fails with `MfaRequired`.
    Never,
    /// This code, for the first device that needs one.
    Code(String),
    /// The profile's `mfa_process` only.
    Process,
    /// The profile's `mfa_process`, else a prompt on `/dev/tty`.
    PromptTty,
}

/// What the caller allows the engine to do to get credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub mfa: MfaSource,
    pub run_credential_process: bool,
}

impl Ask {
    /// Nothing interactive and no `credential_process`: what the TUI does on start.
    pub fn non_interactive() -> Ask {
        Ask { mfa: MfaSource::Never, run_credential_process: false }
    }
}

/// The answer to "who am I" for a profile.
#[derive(Debug, Clone)]
pub struct IdentityReport {
    pub identity: Identity,
    pub expiration: Option<OffsetDateTime>,
    pub origin: SessionOrigin,
    pub session_name: Option<String>,
    /// Root-key and key-age facts about the long-term keys at the chain's root, when looked up.
    pub keys: Option<super::keyfacts::KeyFacts>,
}

/// Settings read from the environment once.
#[derive(Debug, Clone, Default)]
pub struct EngineEnv {
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`: beats the profile's region.
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub endpoint_url_sts: Option<String>,
    pub ignore_configured_endpoints: bool,
    pub credentials: EnvCredentials,
    /// The local user name: the last fallback for role session names.
    pub user: Option<String>,
}

impl EngineEnv {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        EngineEnv {
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            endpoint_url: var("AWS_ENDPOINT_URL"),
            endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
            ignore_configured_endpoints: var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            credentials: EnvCredentials::from_env(),
            user: var("USER").or_else(|| var("LOGNAME")),
        }
    }
}

/// The device name in the cache key of a session made without MFA.
const NO_MFA: &str = "none";
/// AWS's cap for a role assumed with another role's credentials.
const ROLE_CHAINING_MAX: u32 = 3600;

pub struct Engine {
    inventory: Arc<Inventory>,
    sts: Arc<dyn Sts>,
    roots: Arc<dyn RootSource>,
    clock: Arc<dyn Clock>,
    cache: SessionCache,
    cli_cache: Option<CliCache>,
    env: EngineEnv,
    session_duration: u32,
    /// File names in the two cache directories, re-read at most every couple of seconds:
    /// `readiness` for thousands of profiles opens only files that exist, and still sees
    /// sessions other processes (another awsw, the AWS CLI) wrote meanwhile.
    cache_index: Mutex<Option<(Instant, HashSet<OsString>)>>,
    /// Default role session names by root access key id.
    session_names: Mutex<HashMap<String, String>>,
    notices: Mutex<Vec<String>>,
}

/// The parts of an engine, for tests that swap the network and the clock.
pub struct EngineParts {
    pub sts: Arc<dyn Sts>,
    pub roots: Arc<dyn RootSource>,
    pub clock: Arc<dyn Clock>,
    pub cache_dir: PathBuf,
    pub cli_cache_dir: Option<PathBuf>,
    pub env: EngineEnv,
    pub min_remaining: time::Duration,
    pub session_duration: u32,
}

impl Engine {
    /// Real STS and providers, the system clock, the user's cache directories.
    pub fn from_env(inventory: Arc<Inventory>) -> Result<Engine, CredsError> {
        let cache_dir = SessionCache::default_dir().ok_or_else(|| CredsError::Cache {
            path: PathBuf::from("~/.cache/awsw"),
            reason: "no cache directory (set HOME or XDG_CACHE_HOME)".into(),
        })?;
        let settings = crate::settings::current();
        Ok(Engine::with_parts(
            inventory,
            EngineParts {
                sts: Arc::new(super::budget::Budgeted::new(Arc::new(AwsSts))),
                roots: Arc::new(AwsProviders),
                clock: Arc::new(SystemClock),
                cache_dir,
                cli_cache_dir: CliCache::default_dir(),
                env: EngineEnv::from_env(),
                min_remaining: time::Duration::seconds(i64::from(settings.min_remaining)),
                session_duration: settings.session_duration,
            },
        ))
    }

    pub fn with_parts(inventory: Arc<Inventory>, parts: EngineParts) -> Engine {
        Engine {
            inventory,
            sts: parts.sts,
            roots: parts.roots,
            clock: parts.clock,
            cache: SessionCache::new(parts.cache_dir, parts.min_remaining),
            cli_cache: parts.cli_cache_dir.map(CliCache::new),
            env: parts.env,
            session_duration: parts.session_duration,
            cache_index: Mutex::new(None),
            session_names: Mutex::new(HashMap::new()),
            notices: Mutex::new(Vec::new()),
        }
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Sessions with no more than this left are renewed (`AWSW_MIN_REMAINING`).
    pub fn min_remaining(&self) -> time::Duration {
        self.cache.min_remaining
    }

    /// Things the user should know that are not errors (a capped duration, a cache that
    /// could not be written). Taken once.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn notice(&self, text: String) {
        self.notices.lock().unwrap_or_else(|e| e.into_inner()).push(text);
    }

    fn profile(&self, name: &str) -> Result<&Profile, CredsError> {
        let profile = self.inventory.profile(name).ok_or_else(|| CredsError::UnknownProfile {
            name: name.to_string(),
            suggestions: self.inventory.suggest(name).into_iter().map(str::to_string).collect(),
        })?;
        if profile.kind == Kind::Invalid {
            let reason = profile.problems.first().map(|p| p.message.clone()).unwrap_or_default();
            return Err(CredsError::Unusable { profile: name.to_string(), reason });
        }
        Ok(profile)
    }

    /// The STS endpoint for calls made for `profile`, in the SDKs' precedence:
    /// `AWS_ENDPOINT_URL_STS`, the profile's `services` section, `AWS_ENDPOINT_URL`, the
    /// profile's `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables all.
    pub fn endpoint(&self, profile: &Profile) -> Endpoint {
        self.endpoint_for(Some(profile))
    }

    /// The same precedence; `None` for credentials that belong to no profile (the
    /// environment's), where only the environment's settings apply.
    pub fn endpoint_for(&self, profile: Option<&Profile>) -> Endpoint {
        let url = if self.env.ignore_configured_endpoints {
            None
        } else {
            self.env
                .endpoint_url_sts
                .clone()
                .or_else(|| profile.and_then(|p| p.sts_endpoint_url.clone()))
                .or_else(|| self.env.endpoint_url.clone())
                .or_else(|| profile.and_then(|p| p.endpoint_url.clone()))
        };
        let region = self
            .env
            .region
            .clone()
            .or_else(|| profile.and_then(|p| p.region.clone()))
            .unwrap_or_else(|| "us-east-1".into());
        Endpoint { region, url }
    }

    /// The role profiles to assume, in order, after the root credentials.
    fn hops<'a>(&'a self, profile: &'a Profile) -> Vec<&'a Profile> {
        let skip = match profile.root {
            // The credential_source profile's own role is the first to assume.
            Some(RootKind::CredentialSource(_)) => 0,
            _ => 1,
        };
        profile.chain.iter().skip(skip).filter_map(|name| self.inventory.profile(name)).collect()
    }

    fn root_profile<'a>(&'a self, profile: &'a Profile) -> &'a Profile {
        profile.chain.first().and_then(|name| self.inventory.profile(name)).unwrap_or(profile)
    }

    /// The MFA device whose `GetSessionToken` session the chain starts from: for long-term
    /// keys, the first `mfa_serial` along the chain (the root's own, else the first role's,
    /// as aws-vault does), so one code serves every role behind the same keys and device.
    fn root_mfa<'a>(&self, _root: &Profile, profile: &'a Profile) -> Option<&'a str> {
        let keys = profile.static_keys.as_ref()?;
        if keys.session_token.is_some() {
            return None;
        }
        profile.mfa_serial.as_deref()
    }

    fn role_key(&self, hop: &Profile, profile: &Profile, position: usize) -> CacheKey {
        let root = self.root_profile(profile);
        let root_id = match (&profile.static_keys, profile.root) {
            (Some(keys), _) => keys.access_key_id.clone(),
            (None, Some(kind)) => format!("{kind:?}"),
            (None, None) => String::new(),
        };
        let via: Vec<&str> = profile.chain.iter().take(position).map(String::as_str).collect();
        CacheKey::Role {
            profile: hop.name.clone(),
            role_arn: hop.role_arn.clone().unwrap_or_default(),
            external_id: hop.external_id.clone(),
            source: format!("{}|{}|{}", root.name, root_id, via.join(">")),
        }
    }

    /// The AWS CLI cache key of a role profile (also used by `rotate` to drop sessions).
    pub fn cli_key(hop: &Profile) -> CliCacheKey {
        CliCacheKey {
            role_arn: hop.role_arn.clone().unwrap_or_default(),
            role_session_name: hop.role_session_name.clone(),
            external_id: hop.external_id.clone(),
            serial_number: hop_own_mfa(hop),
            duration_seconds: hop.duration_seconds,
        }
    }

    fn mfa_session_key(&self, root: &Profile, profile: &Profile, serial: &str) -> Option<CacheKey> {
        let keys = profile.static_keys.as_ref()?;
        Some(CacheKey::MfaSession {
            profile: root.name.clone(),
            access_key_id: keys.access_key_id.clone(),
            serial: serial.to_string(),
        })
    }

    fn index_has(&self, path: &std::path::Path) -> bool {
        const FRESH: Duration = Duration::from_secs(2);
        let mut guard = self.cache_index.lock().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(|(read_at, _)| read_at.elapsed() > FRESH) {
            let mut names = HashSet::new();
            let dirs = [
                Some(self.cache.dir().to_path_buf()),
                self.cli_cache.as_ref().map(|c| c.dir().to_path_buf()),
            ];
            for dir in dirs.into_iter().flatten() {
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    names.extend(entries.flatten().map(|e| e.file_name()));
                }
            }
            *guard = Some((Instant::now(), names));
        }
        let index = &guard.as_ref().expect("just filled").1;
        path.file_name().is_some_and(|name| index.contains(name))
    }

    /// Forgets the directory listing after awsw wrote a file itself.
    fn index_changed(&self) {
        *self.cache_index.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// A valid cached session for hop `position` of `profile`'s hops.
    fn cached_hop(
        &self,
        hop: &Profile,
        profile: &Profile,
        position: usize,
        use_index: bool,
    ) -> Option<Credentials> {
        let now = self.clock.now();
        let key = self.role_key(hop, profile, position);
        if (!use_index || self.index_has(&self.cache.path(&key)))
            && let Some(cached) = self.cache.load(&key, now)
        {
            return Some(cached.credentials);
        }
        let cli = self.cli_cache.as_ref()?;
        let cli_key = Self::cli_key(hop);
        if use_index && !self.index_has(&cli.path(&cli_key)) {
            return None;
        }
        cli.load(&cli_key).filter(|c| c.expiration.is_some_and(|t| t - now > self.cache.min_remaining))
    }

    fn cached_mfa_session(
        &self,
        root: &Profile,
        profile: &Profile,
        serial: &str,
        use_index: bool,
    ) -> Option<Credentials> {
        let key = self.mfa_session_key(root, profile, serial)?;
        if use_index && !self.index_has(&self.cache.path(&key)) {
            return None;
        }
        self.cache.load(&key, self.clock.now()).map(|c| c.credentials)
    }

    /// What getting credentials for `name` takes right now. No network, no prompt.
    pub fn readiness(&self, name: &str) -> Readiness {
        let profile = match self.profile(name) {
            Ok(p) => p,
            Err(err) => return Readiness::Unusable { reason: err.to_string() },
        };
        let hops = self.hops(profile);
        let root = self.root_profile(profile);
        // The deepest cached hop decides what is left to do.
        let mut first_uncached = 0;
        for (position, hop) in hops.iter().enumerate().rev() {
            if let Some(creds) = self.cached_hop(hop, profile, position, true) {
                if position + 1 == hops.len() {
                    return Readiness::Ready { expiration: creds.expiration };
                }
                first_uncached = position + 1;
                break;
            }
        }
        let mut served_serial: Option<&str> = None;
        if first_uncached == 0 {
            match profile.root {
                Some(RootKind::StaticKeys) => {
                    if let Some(serial) = self.root_mfa(root, profile) {
                        match self.cached_mfa_session(root, profile, serial, true) {
                            Some(creds) if hops.is_empty() => {
                                return Readiness::Ready { expiration: creds.expiration };
                            }
                            Some(_) => served_serial = Some(serial),
                            None => {
                                return Readiness::NeedsMfa {
                                    serial: serial.to_string(),
                                    has_mfa_process: root.mfa_process.is_some()
                                        || profile.mfa_process.is_some(),
                                };
                            }
                        }
                    }
                }
                Some(RootKind::Sso) if !sso_token_valid(root, self.clock.now()) => {
                    return Readiness::NeedsSsoLogin { command: sso_login_command(root) };
                }
                Some(RootKind::CredentialProcess) => return Readiness::NeedsProcess,
                Some(RootKind::CredentialSource(crate::config::profile::CredentialSource::Environment))
                    if self.env.credentials.credentials().is_none() =>
                {
                    return Readiness::Unusable {
                        reason: "credential_source = Environment, but no AWS_ACCESS_KEY_ID is set".into(),
                    };
                }
                _ => {}
            }
        }
        for hop in &hops[first_uncached..] {
            if let Some(serial) = hop_own_mfa(hop)
                && served_serial != Some(serial.as_str())
            {
                return Readiness::NeedsMfa { serial, has_mfa_process: hop.mfa_process.is_some() };
            }
        }
        Readiness::Ready { expiration: None }
    }

    /// A still-valid cached session for `name`, or its long-term keys when it is a plain
    /// static profile. No network, no prompt.
    pub fn cached_session(&self, name: &str) -> Option<Session> {
        let profile = self.profile(name).ok()?;
        let hops = self.hops(profile);
        let root = self.root_profile(profile);
        let credentials = match hops.last() {
            Some(hop) => self.cached_hop(hop, profile, hops.len() - 1, false)?,
            None if profile.root == Some(RootKind::StaticKeys) => match self.root_mfa(root, profile) {
                Some(serial) => self.cached_mfa_session(root, profile, serial, false)?,
                None if profile.static_keys.as_ref().is_some_and(|k| k.session_token.is_some()) => {
                    return self.static_session(profile);
                }
                None => self.cached_mfa_session(root, profile, NO_MFA, false)?,
            },
            None => return None,
        };
        let identity = self.cached_identity_for(profile, hops.len());
        Some(Session {
            profile: profile.name.clone(),
            credentials,
            region: profile.region.clone(),
            identity,
            origin: SessionOrigin::Cache,
        })
    }

    fn cached_identity_for(&self, profile: &Profile, hop_count: usize) -> Option<Identity> {
        if hop_count == 0 {
            return None;
        }
        let hops = self.hops(profile);
        let key = self.role_key(hops[hop_count - 1], profile, hop_count - 1);
        self.cache.load(&key, self.clock.now()).and_then(|c| c.identity)
    }

    fn static_session(&self, profile: &Profile) -> Option<Session> {
        let keys = profile.static_keys.as_ref()?;
        Some(Session {
            profile: profile.name.clone(),
            credentials: Credentials {
                access_key_id: keys.access_key_id.clone(),
                secret_access_key: keys.secret_access_key.clone(),
                session_token: keys.session_token.clone(),
                expiration: None,
            },
            region: profile.region.clone(),
            identity: None,
            origin: SessionOrigin::Static,
        })
    }

    /// The awsw cache file that changes when `name`'s session is renewed.
    pub fn cache_file(&self, name: &str) -> Option<PathBuf> {
        let profile = self.profile(name).ok()?;
        let hops = self.hops(profile);
        match hops.last() {
            Some(hop) => Some(self.cache.path(&self.role_key(hop, profile, hops.len() - 1))),
            None => {
                let root = self.root_profile(profile);
                let serial = self.root_mfa(root, profile).unwrap_or(NO_MFA);
                Some(self.cache.path(&self.mfa_session_key(root, profile, serial)?))
            }
        }
    }

    /// Working credentials for `name`, asking for MFA only as `ask` allows. Callers use
    /// `session` (in `flight`), which lets one process at a time get here per root.
    pub(super) async fn session_unlocked(&self, name: &str, ask: &Ask) -> Result<Session, CredsError> {
        let profile = self.profile(name)?;
        let hops = self.hops(profile);
        let root = self.root_profile(profile);
        let mut codes = CodeBook::new(ask, &profile.name);

        // Start from the deepest hop with a valid cached session.
        let mut start = 0;
        let mut current: Option<Credentials> = None;
        for (position, hop) in hops.iter().enumerate().rev() {
            if let Some(creds) = self.cached_hop(hop, profile, position, false) {
                if position + 1 == hops.len() {
                    return Ok(Session {
                        profile: profile.name.clone(),
                        credentials: creds,
                        region: profile.region.clone(),
                        identity: self.cached_identity_for(profile, hops.len()),
                        origin: SessionOrigin::Cache,
                    });
                }
                start = position + 1;
                current = Some(creds);
                break;
            }
        }

        let mut origin = SessionOrigin::Fresh;
        // Role credentials as a source cap the next role at an hour; user credentials do not.
        let mut source_is_role = start > 0;
        let mut served_serial: Option<String> = None;
        let mut creds = match current {
            Some(creds) => creds,
            None => match profile.root {
                Some(RootKind::StaticKeys) => {
                    let keys = profile.static_keys.as_ref().ok_or_else(|| CredsError::Unusable {
                        profile: profile.name.clone(),
                        reason: "its root has no access keys".into(),
                    })?;
                    let long_term = Credentials {
                        access_key_id: keys.access_key_id.clone(),
                        secret_access_key: keys.secret_access_key.clone(),
                        session_token: keys.session_token.clone(),
                        expiration: None,
                    };
                    match self.root_mfa(root, profile) {
                        Some(serial) => {
                            served_serial = Some(serial.to_string());
                            match self.cached_mfa_session(root, profile, serial, false) {
                                Some(session) => {
                                    origin = SessionOrigin::Cache;
                                    session
                                }
                                None => {
                                    self.mfa_session(root, profile, &long_term, serial, &mut codes).await?
                                }
                            }
                        }
                        None if hops.is_empty() && long_term.session_token.is_none() => {
                            // Never hand long-term keys to a shell or a child: a plain
                            // `GetSessionToken` gives temporary ones, as aws-vault does.
                            match self.cached_mfa_session(root, profile, NO_MFA, false) {
                                Some(session) => {
                                    origin = SessionOrigin::Cache;
                                    session
                                }
                                None => self.plain_session(root, profile, &long_term).await?,
                            }
                        }
                        None => {
                            origin = SessionOrigin::Static;
                            long_term
                        }
                    }
                }
                Some(kind) => {
                    if kind == RootKind::CredentialProcess && !ask.run_credential_process {
                        return Err(CredsError::ProcessNotRun { profile: root.name.clone() });
                    }
                    if kind == RootKind::Sso && !sso_token_valid(root, self.clock.now()) {
                        return Err(CredsError::SsoLoginRequired {
                            profile: profile.name.clone(),
                            command: sso_login_command(root),
                        });
                    }
                    let session_name = self.local_session_name();
                    source_is_role = !matches!(kind, RootKind::CredentialSource(_));
                    origin = SessionOrigin::Fresh;
                    self.roots.credentials(root, &self.env.credentials, &session_name).await?
                }
                None => {
                    return Err(CredsError::Unusable {
                        profile: profile.name.clone(),
                        reason: "no credentials".into(),
                    });
                }
            },
        };

        let mut identity = None;
        for (position, hop) in hops.iter().enumerate().skip(start) {
            let session_name = match &hop.role_session_name {
                Some(name) => name.clone(),
                None => self.default_session_name(root, profile, &creds).await,
            };
            let mut duration = hop.duration_seconds;
            if source_is_role && duration.is_some_and(|d| d > ROLE_CHAINING_MAX) {
                self.notice(format!(
                    "profile {}: duration_seconds {} lowered to {ROLE_CHAINING_MAX}: AWS limits a role assumed with another role's credentials to 1 hour",
                    hop.name,
                    duration.unwrap_or_default()
                ));
                duration = Some(ROLE_CHAINING_MAX);
            }
            let mfa = match hop_own_mfa(hop) {
                Some(serial) if served_serial.as_deref() != Some(serial.as_str()) => {
                    let code = codes.code(hop, &serial, self).await?;
                    served_serial = Some(serial.clone());
                    Some(MfaToken { serial, code })
                }
                _ => None,
            };
            let request = AssumeRoleRequest {
                role_arn: hop.role_arn.clone().unwrap_or_default(),
                session_name,
                duration_seconds: duration,
                external_id: hop.external_id.clone(),
                mfa,
            };
            let endpoint = self.endpoint(hop);
            let result = self.sts.assume_role(&endpoint, &creds, &request).await.map_err(|err| {
                self.sts_error(
                    err,
                    hop,
                    &endpoint,
                    "AssumeRole",
                    request.mfa.as_ref().map(|m| m.serial.as_str()),
                )
            })?;
            identity = result.assumed_role_arn.as_ref().map(|arn| Identity {
                account: crate::config::profile::account_from_arn(arn)
                    .or_else(|| arn.split(':').nth(4).map(str::to_string))
                    .unwrap_or_default(),
                arn: arn.clone(),
                user_id: result.assumed_role_id.clone().unwrap_or_default(),
            });
            if let Err(err) = self.cache.store(
                &self.role_key(hop, profile, position),
                &result.credentials,
                identity.as_ref(),
            ) {
                self.notice(format!("could not cache the session in {}: {err}", self.cache.dir().display()));
            }
            if let Some(cli) = &self.cli_cache
                && let Err(err) =
                    cli.store(&Self::cli_key(hop), &result.credentials, result.assumed_role_arn.as_deref())
            {
                self.notice(format!("could not share the session with the AWS CLI cache: {err}"));
            }
            self.index_changed();
            creds = result.credentials;
            source_is_role = true;
            origin = SessionOrigin::Fresh;
        }
        Ok(Session {
            profile: profile.name.clone(),
            credentials: creds,
            region: profile.region.clone(),
            identity,
            origin,
        })
    }

    /// `GetSessionToken` with an MFA code for a static root, cached for every role behind it.
    async fn mfa_session(
        &self,
        root: &Profile,
        profile: &Profile,
        long_term: &Credentials,
        serial: &str,
        codes: &mut CodeBook<'_>,
    ) -> Result<Credentials, CredsError> {
        let key = self.mfa_session_key(root, profile, serial).ok_or_else(|| CredsError::Unusable {
            profile: root.name.clone(),
            reason: "no access keys".into(),
        })?;
        // Fail before spending a code if the session could not be kept.
        self.cache.check_writable().map_err(|err| CredsError::Cache {
            path: self.cache.dir().to_path_buf(),
            reason: err.to_string(),
        })?;
        let code = codes.code(root, serial, self).await?;
        let request = SessionTokenRequest {
            duration_seconds: Some(self.session_duration),
            mfa: Some(MfaToken { serial: serial.to_string(), code }),
        };
        let endpoint = self.endpoint(root);
        let session = self
            .sts
            .get_session_token(&endpoint, long_term, &request)
            .await
            .map_err(|err| self.sts_error(err, root, &endpoint, "GetSessionToken", Some(serial)))?;
        if let Err(err) = self.cache.store(&key, &session, None) {
            self.notice(format!("could not cache the MFA session in {}: {err}", self.cache.dir().display()));
        }
        self.index_changed();
        Ok(session)
    }

    /// `GetSessionToken` without MFA for a plain static profile, cached like an MFA session.
    async fn plain_session(
        &self,
        root: &Profile,
        profile: &Profile,
        long_term: &Credentials,
    ) -> Result<Credentials, CredsError> {
        let endpoint = self.endpoint(root);
        let request = SessionTokenRequest { duration_seconds: Some(self.session_duration), mfa: None };
        let session = self
            .sts
            .get_session_token(&endpoint, long_term, &request)
            .await
            .map_err(|err| self.sts_error(err, root, &endpoint, "GetSessionToken", None))?;
        if let Some(key) = self.mfa_session_key(root, profile, NO_MFA)
            && let Err(err) = self.cache.store(&key, &session, None)
        {
            self.notice(format!("could not cache the session in {}: {err}", self.cache.dir().display()));
        }
        self.index_changed();
        Ok(session)
    }

    fn local_session_name(&self) -> String {
        sanitize_session_name(self.env.user.as_deref().unwrap_or("awsw"))
    }

    /// The IAM user name behind the root credentials (so CloudTrail shows who switched),
    /// else the local user name. Looked up once per root key and cached.
    async fn default_session_name(&self, root: &Profile, profile: &Profile, current: &Credentials) -> String {
        let Some(keys) = profile.static_keys.as_ref() else { return self.local_session_name() };
        if let Some(name) =
            self.session_names.lock().unwrap_or_else(|e| e.into_inner()).get(&keys.access_key_id)
        {
            return name.clone();
        }
        let identity = match self.cache.load_identity(&keys.access_key_id) {
            Some(identity) => Some(identity),
            None => {
                // The MFA session and the long-term keys belong to the same user.
                let endpoint = self.endpoint(root);
                match self.sts.get_caller_identity(&endpoint, current).await {
                    Ok(identity) => {
                        let _ = self.cache.store_identity(&keys.access_key_id, &identity);
                        Some(identity)
                    }
                    Err(_) => None,
                }
            }
        };
        let name = identity
            .and_then(|i| user_name_from_arn(&i.arn))
            .map(|n| sanitize_session_name(&n))
            .unwrap_or_else(|| self.local_session_name());
        self.session_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(keys.access_key_id.clone(), name.clone());
        name
    }

    /// Who `name`'s credentials belong to. A plain static profile is asked with its keys
    /// directly (no MFA needed for `GetCallerIdentity`).
    /// Who the credentials in the environment (`AWS_ACCESS_KEY_ID` …) belong to, as STS says;
    /// `None` when there are none. The endpoint and region come from the environment alone.
    pub async fn environment_identity(&self) -> Option<Result<Identity, String>> {
        let credentials = self.env.credentials.credentials()?;
        Some(self.credentials_identity(&credentials).await)
    }

    /// Who credentials that belong to no profile (the environment's, the instance role's)
    /// are, with the environment's endpoint and region; `Err` says why STS could not tell.
    pub async fn credentials_identity(&self, credentials: &Credentials) -> Result<Identity, String> {
        let endpoint = self.endpoint_for(None);
        self.sts.get_caller_identity(&endpoint, credentials).await.map_err(|err| match err {
            StsError::Service { code, .. } if code.starts_with("ExpiredToken") => {
                "the credentials in this environment have expired".to_string()
            }
            StsError::Service { code, message } => format!("STS refused them: {code}: {message}"),
            StsError::Timeout => format!("no answer from STS at {} within 10 s", endpoint.describe()),
            StsError::NotSts { status } => {
                format!(
                    "{} answered HTTP {status} with no STS error: it is probably not STS",
                    endpoint.describe()
                )
            }
            StsError::Unreachable { reason } | StsError::Other { reason } => {
                format!("cannot reach STS at {}: {reason}", endpoint.describe())
            }
        })
    }

    pub async fn identity(&self, name: &str, ask: &Ask) -> Result<IdentityReport, CredsError> {
        let profile = self.profile(name)?;
        let session = if self.hops(profile).is_empty() && profile.root == Some(RootKind::StaticKeys) {
            match self.cached_session(name) {
                Some(session) => session,
                None => self.static_session(profile).ok_or_else(|| CredsError::Unusable {
                    profile: name.to_string(),
                    reason: "no access keys".into(),
                })?,
            }
        } else {
            self.session(name, ask).await?
        };
        let identity = match session.identity.clone() {
            Some(identity) => identity,
            None => {
                let endpoint = self.endpoint(profile);
                self.sts
                    .get_caller_identity(&endpoint, &session.credentials)
                    .await
                    .map_err(|err| self.sts_error(err, profile, &endpoint, "GetCallerIdentity", None))?
            }
        };
        Ok(IdentityReport {
            session_name: session_name_from_arn(&identity.arn),
            identity,
            expiration: session.credentials.expiration,
            origin: session.origin,
            keys: None,
        })
    }

    fn sts_error(
        &self,
        err: StsError,
        profile: &Profile,
        endpoint: &Endpoint,
        action: &str,
        serial: Option<&str>,
    ) -> CredsError {
        let name = profile.name.clone();
        match err {
            StsError::Service { code, message } => {
                let mfa_failed = message.to_ascii_lowercase().contains("multifactor")
                    || message.to_ascii_lowercase().contains("mfa");
                match code.as_str() {
                    "AccessDenied" if serial.is_some() && mfa_failed => CredsError::MfaRejected {
                        profile: name,
                        serial: serial.unwrap_or_default().to_string(),
                    },
                    "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
                        CredsError::InvalidKeys { profile: name, code }
                    }
                    "ExpiredToken" | "ExpiredTokenException" => CredsError::ExpiredToken { profile: name },
                    "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => {
                        CredsError::Throttled { profile: name }
                    }
                    _ => CredsError::Refused { profile: name, action: action.to_string(), code, message },
                }
            }
            StsError::Timeout => CredsError::Unreachable {
                profile: name,
                endpoint: endpoint.describe(),
                reason: "no answer within 10 s".into(),
            },
            StsError::NotSts { status } => CredsError::NotSts {
                profile: name,
                action: action.to_string(),
                endpoint: endpoint.describe(),
                status,
            },
            StsError::Unreachable { reason } | StsError::Other { reason } => {
                CredsError::Unreachable { profile: name, endpoint: endpoint.describe(), reason }
            }
        }
    }
}

/// A role profile's own `mfa_serial` (not the one inherited from its chain).
fn hop_own_mfa(hop: &Profile) -> Option<String> {
    hop.own_mfa_serial.clone()
}

/// The user name in `arn:aws:iam::1:user/path/alice` or the session of an assumed role.
fn user_name_from_arn(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if let Some(user) = resource.strip_prefix("user/") {
        return user.rsplit('/').next().map(str::to_string);
    }
    if let Some(role) = resource.strip_prefix("assumed-role/") {
        return role.split('/').nth(1).map(str::to_string);
    }
    None
}

fn session_name_from_arn(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    resource.strip_prefix("assumed-role/")?.split('/').nth(1).map(str::to_string)
}

/// STS accepts 2..=64 characters of `[\w+=,.@-]`.
fn sanitize_session_name(name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    while clean.len() < 2 {
        clean.push('-');
    }
    clean
}

/// Hands out MFA codes as the caller's `Ask` allows; a given code is used once.
struct CodeBook<'a> {
    ask: &'a Ask,
    code_used: bool,
    /// The profile the user asked for: messages and prompts name it, not the source profile
    /// that happens to hold `mfa_serial`.
    requested: &'a str,
}

impl<'a> CodeBook<'a> {
    fn new(ask: &'a Ask, requested: &'a str) -> Self {
        CodeBook { ask, code_used: false, requested }
    }

    async fn code(&mut self, owner: &Profile, serial: &str, engine: &Engine) -> Result<String, CredsError> {
        let requested = self.requested;
        let required =
            || CredsError::MfaRequired { profile: requested.to_string(), serial: serial.to_string() };
        // Check writability before a code is spent.
        engine.cache.check_writable().map_err(|err| CredsError::Cache {
            path: engine.cache.dir().to_path_buf(),
            reason: err.to_string(),
        })?;
        match &self.ask.mfa {
            MfaSource::Never => Err(required()),
            MfaSource::Code(code) if !self.code_used => {
                self.code_used = true;
                mfa::validate(code, serial)
            }
            MfaSource::Code(_) => Err(required()),
            MfaSource::Process => match &owner.mfa_process {
                Some(command) => mfa::run_process(command, &owner.name, serial).await,
                None => Err(required()),
            },
            MfaSource::PromptTty => match &owner.mfa_process {
                Some(command) => mfa::run_process(command, &owner.name, serial).await,
                None => mfa::prompt_tty(requested, serial).await,
            },
        }
    }
}
