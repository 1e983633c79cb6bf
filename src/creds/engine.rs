//! The credential engine: for a profile, the fewest STS calls and MFA prompts that give
//! working temporary credentials. `plan` chooses what to do (pure), `steps` do it, and the
//! store's `cached` wrapper reuses and keeps sessions in awsw's cache and the AWS CLI's.
//! The engine wires these together and answers the questions the rest of awsw asks:
//! readiness, a cached session, the cache file (these three from the plan and the caches
//! alone, in `engine/cached.rs`), a session, an identity.
//!
//! The MFA economy: a static root with `mfa_serial` gets one `GetSessionToken` session with
//! the code; every role whose chain starts there is assumed from that session without a
//! code of its own, for the session's lifetime.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::cache::SessionCache;
use super::clicache::CliCache;
use super::clock::{Clock, SystemClock};
use super::error::{CredsError, StsCall, from_sts};
use super::plan::{self, Hop, Plan, Root};
use super::providers::{AwsProviders, RootSource};
use super::sso::SsoParts;
use super::steps::{self, sanitize_session_name};
use super::store::{CacheScan, DirScan, Made, SessionStore, StoreKey};
use super::sts::{AssumeRoleRequest, AwsSts, Endpoint, MfaToken, Sts};
use super::types::{Credentials, Identity, Session, SessionOrigin};
use crate::config::{Arn, Inventory, Kind, Profile, RootKind};

mod cached;
mod sso_root;

use super::ask::CodeBook;
pub(crate) use super::ask::{Ask, MfaSource};
pub use super::env::{Dirs, EngineEnv};
pub(crate) use super::types::{IdentityReport, Readiness};

/// AWS's cap for a role assumed with another role's credentials.
const ROLE_CHAINING_MAX: u32 = 3600;

/// Gets sessions for the profiles of one inventory, and answers what the commands, the
/// picker and the agent ask about them (readiness, cached sessions, identities).
pub struct Engine {
    inventory: Arc<Inventory>,
    sts: Arc<dyn Sts>,
    roots: Arc<dyn RootSource>,
    sso: SsoParts,
    clock: Arc<dyn Clock>,
    store: SessionStore,
    env: EngineEnv,
    session_duration: u32,
    /// Default role session names by root access key id.
    session_names: Mutex<HashMap<String, String>>,
}

/// The parts of an engine, for tests that swap the network, the clock and the disk.
pub struct EngineParts {
    /// The STS calls (`AwsSts` behind the fault budget in a real engine).
    pub sts: Arc<dyn Sts>,
    /// The providers for roots awsw does not compute (`AwsProviders` in a real engine).
    pub roots: Arc<dyn RootSource>,
    /// The AWS CLI's SSO token cache and the SSO services.
    pub sso: SsoParts,
    /// Lists the cache directories for `readiness`.
    pub cache_scan: Arc<dyn CacheScan>,
    /// The clock expiry times are compared with.
    pub clock: Arc<dyn Clock>,
    /// awsw's session cache (`$XDG_CACHE_HOME/awsw`, usually `~/.cache/awsw`).
    pub cache_dir: PathBuf,
    /// The AWS CLI's cache (`~/.aws/cli/cache`), read and written so both share sessions;
    /// `None` leaves it alone.
    pub cli_cache_dir: Option<PathBuf>,
    /// What the process environment said (regions, endpoints, credentials, user name).
    pub env: EngineEnv,
    /// Sessions with no more than this left are renewed (`AWSW_MIN_REMAINING`).
    pub min_remaining: time::Duration,
    /// Seconds a `GetSessionToken` base session lasts (`AWSW_SESSION_DURATION`).
    pub session_duration: u32,
}

impl Engine {
    /// Real STS, SSO and providers, the system clock, the user's cache directories, and the
    /// environment `main` read at start (`Context::engine`).
    pub(crate) fn new(inventory: Arc<Inventory>, env: EngineEnv) -> Result<Engine, CredsError> {
        let no_dir = std::io::Error::other("no cache directory (set HOME or XDG_CACHE_HOME)");
        let cache_dir = env
            .dirs
            .cache
            .clone()
            .ok_or_else(|| CredsError::Cache { path: PathBuf::from("~/.cache/awsw"), source: no_dir })?;
        let settings = crate::settings::current();
        Ok(Engine::with_parts(
            inventory,
            EngineParts {
                sts: Arc::new(super::budget::Budgeted::new(Arc::new(AwsSts))),
                roots: Arc::new(AwsProviders),
                sso: SsoParts::new(env.sso.clone(), env.dirs.sso_cache()),
                cache_scan: Arc::new(DirScan),
                clock: Arc::new(SystemClock),
                cache_dir,
                cli_cache_dir: env.dirs.cli_cache(),
                env,
                min_remaining: time::Duration::seconds(i64::from(settings.min_remaining)),
                session_duration: settings.session_duration,
            },
        ))
    }

    /// An engine over `inventory` made of `parts`; reads nothing from the environment.
    pub fn with_parts(inventory: Arc<Inventory>, parts: EngineParts) -> Engine {
        let cache = SessionCache::new(parts.cache_dir, parts.min_remaining);
        let sso_tokens = parts.sso.token_dir.clone();
        Engine {
            inventory,
            sts: parts.sts,
            roots: parts.roots,
            sso: parts.sso,
            clock: parts.clock,
            store: SessionStore::new(cache, parts.cli_cache_dir.map(CliCache::new), parts.cache_scan)
                .with_sso_tokens(sso_tokens),
            env: parts.env,
            session_duration: parts.session_duration,
            session_names: Mutex::new(HashMap::new()),
        }
    }

    /// The environment the engine was built with.
    pub(crate) fn env(&self) -> &EngineEnv {
        &self.env
    }

    pub(crate) fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Sessions with no more than this left are renewed (`AWSW_MIN_REMAINING`).
    pub(crate) fn min_remaining(&self) -> time::Duration {
        self.store.min_remaining()
    }

    /// Things the user should know that are not errors (a capped duration, a cache that
    /// could not be written). Taken once.
    pub fn take_notices(&self) -> Vec<String> {
        self.store.take_notices()
    }

    /// `UnknownProfile`, with the closest names, when there is no profile `name`.
    pub(crate) fn require(&self, name: &str) -> Result<&Profile, CredsError> {
        self.inventory.profile(name).ok_or_else(|| CredsError::UnknownProfile {
            name: name.to_string(),
            suggestions: self.inventory.suggest(name).into_iter().map(str::to_string).collect(),
        })
    }

    /// A profile that exists and can work.
    fn profile(&self, name: &str) -> Result<&Profile, CredsError> {
        let profile = self.require(name)?;
        if profile.kind == Kind::Invalid {
            let reason = profile.problems.first().map(|p| p.message.clone()).unwrap_or_default();
            return Err(CredsError::Unusable { profile: name.to_string(), reason });
        }
        Ok(profile)
    }

    /// The STS endpoint for calls made for `profile` (see `EngineEnv::endpoint`).
    pub fn endpoint(&self, profile: &Profile) -> Endpoint {
        self.env.endpoint(Some(profile))
    }

    /// The same; `None` for credentials that belong to no profile (the environment's),
    /// where only the environment's settings apply.
    pub(crate) fn endpoint_for(&self, profile: Option<&Profile>) -> Endpoint {
        self.env.endpoint(profile)
    }

    /// The plan for `profile` against the caches as they are now.
    fn plan<'a>(&'a self, profile: &'a Profile, use_index: bool) -> Plan<'a> {
        let plan = plan::plan(profile, &self.inventory, &self.store.probe(self.clock.now(), use_index));
        tracing::debug!(
            profile = %profile.name,
            root = %plan.root_profile.name,
            kind = ?plan.root,
            hops = plan.hops.len(),
            cached_hop = ?plan.resume.as_ref().map(|(position, _)| plan.hops[*position].profile.name.as_str()),
            cached_base = plan.cached_base.is_some(),
            "plan"
        );
        plan
    }

    /// Working credentials for `name`, asking for MFA only as `ask` allows. Callers use
    /// `session` (in `flight`), which lets one process at a time get here per root.
    pub(super) async fn session_unlocked(&self, name: &str, ask: &Ask) -> Result<Session, CredsError> {
        let profile = self.profile(name)?;
        let plan = self.plan(profile, false);
        if let Some(credentials) = plan.covered() {
            let identity = self.cached_identity(&plan);
            return Ok(self.session_value(&plan, credentials.clone(), identity, SessionOrigin::Cache));
        }
        let mut codes = CodeBook::new(ask, &profile.name);
        // Role credentials as a source cap the next role at an hour; user credentials do not.
        let (mut made, mut origin, mut from_role) = match &plan.resume {
            Some((_, credentials)) => {
                (Made { credentials: credentials.clone(), identity: None }, SessionOrigin::Fresh, true)
            }
            None => self.root_step(&plan, ask, &mut codes).await?,
        };
        for hop in &plan.hops[plan.start()..] {
            made = self.hop_step(&plan, hop, &made.credentials, from_role, &mut codes).await?;
            origin = SessionOrigin::Fresh;
            from_role = true;
        }
        Ok(self.session_value(&plan, made.credentials, made.identity, origin))
    }

    /// The chain's first credentials, whether they are a role's, and where they came from.
    async fn root_step(
        &self,
        plan: &Plan<'_>,
        ask: &Ask,
        codes: &mut CodeBook<'_>,
    ) -> Result<(Made, SessionOrigin, bool), CredsError> {
        let root = plan.root_profile;
        match &plan.root {
            Root::Keys => {
                tracing::debug!(profile = %root.name, "root: the keys in the file");
                let credentials = steps::file_keys(plan.profile)?;
                Ok((Made { credentials, identity: None }, SessionOrigin::Static, false))
            }
            Root::BaseSession { serial } => {
                let key = plan.base_key.as_ref().ok_or_else(|| CredsError::Unusable {
                    profile: root.name.clone(),
                    reason: "no access keys".into(),
                })?;
                let long_term = steps::file_keys(plan.profile)?;
                let make = async {
                    let mfa = match serial {
                        Some(serial) => {
                            let code = codes.code(plan.base_code_owner(), serial, &self.store).await?;
                            Some(MfaToken { serial: serial.clone(), code })
                        }
                        None => None,
                    };
                    let endpoint = self.endpoint(root);
                    steps::base_session(&*self.sts, &endpoint, root, &long_term, self.session_duration, mfa)
                        .await
                };
                let (made, origin) =
                    self.store.cached(StoreKey::Base(key), plan.cached_base.clone(), make).await?;
                Ok((made, origin, false))
            }
            Root::Sso(sso) => self.sso_root(plan, sso).await,
            Root::Provider(kind) => {
                if *kind == RootKind::CredentialProcess && !ask.run_credential_process {
                    return Err(CredsError::ProcessNotRun { profile: root.name.clone() });
                }
                let session_name = steps::root_session_name(root, &self.local_session_name());
                let made = steps::provider_root(&*self.roots, root, &self.env, &session_name).await?;
                let from_role = !matches!(kind, RootKind::CredentialSource(_));
                Ok((made, SessionOrigin::Fresh, from_role))
            }
        }
    }

    /// Assumes one hop's role from `source`, asking for its MFA code if the plan says so.
    async fn hop_step(
        &self,
        plan: &Plan<'_>,
        hop: &Hop<'_>,
        source: &Credentials,
        from_role: bool,
        codes: &mut CodeBook<'_>,
    ) -> Result<Made, CredsError> {
        let role = hop.profile;
        let session_name = match &role.role_session_name {
            Some(name) => name.clone(),
            None => self.default_session_name(plan, source).await,
        };
        let mut duration = role.duration_seconds;
        if let Some(asked) = duration.filter(|d| from_role && *d > ROLE_CHAINING_MAX) {
            self.store.notice(format!(
                "profile {}: duration_seconds {asked} lowered to {ROLE_CHAINING_MAX}: AWS limits a role assumed with another role's credentials to 1 hour",
                role.name
            ));
            duration = Some(ROLE_CHAINING_MAX);
        }
        let mfa = match &hop.code_for {
            Some(serial) => {
                Some(MfaToken { serial: serial.clone(), code: codes.code(role, serial, &self.store).await? })
            }
            None => None,
        };
        let request = AssumeRoleRequest {
            role_arn: hop.role_arn.to_string(),
            session_name,
            duration_seconds: duration,
            external_id: role.external_id.clone(),
            mfa,
        };
        let endpoint = self.endpoint(role);
        let key = StoreKey::Role { key: &hop.key, cli_key: &hop.cli_key };
        let assume = steps::assume_role(&*self.sts, &endpoint, role, source, &request);
        Ok(self.store.cached(key, None, assume).await?.0)
    }

    fn local_session_name(&self) -> String {
        sanitize_session_name(self.env.user.as_deref().unwrap_or("awsw"))
    }

    /// The IAM user name behind the root credentials (so CloudTrail shows who switched),
    /// else the local user name. Looked up once per root key and cached.
    async fn default_session_name(&self, plan: &Plan<'_>, current: &Credentials) -> String {
        let Some(keys) = plan.profile.static_keys() else { return self.local_session_name() };
        let key_id = &keys.access_key_id;
        if let Some(name) = self.session_names.lock().unwrap_or_else(|e| e.into_inner()).get(key_id) {
            return name.clone();
        }
        let identity = match self.store.load_user(key_id) {
            Some(identity) => Some(identity),
            // The MFA session and the long-term keys belong to the same user.
            None => match self.sts.get_caller_identity(&self.endpoint(plan.root_profile), current).await {
                Ok(identity) => {
                    self.store.store_user(key_id, &identity);
                    Some(identity)
                }
                Err(_) => None,
            },
        };
        let name = identity
            .and_then(|i| Arn::parse(&i.arn).and_then(|arn| arn.user_name()).map(sanitize_session_name))
            .unwrap_or_else(|| self.local_session_name());
        tracing::debug!(session_name = %name, "default role session name");
        self.session_names.lock().unwrap_or_else(|e| e.into_inner()).insert(key_id.clone(), name.clone());
        name
    }

    /// Who the credentials in the environment (`AWS_ACCESS_KEY_ID` …) belong to, as STS says;
    /// `None` when there are none. The endpoint and region come from the environment alone.
    pub async fn environment_identity(&self) -> Option<Result<Identity, String>> {
        let credentials = self.env.credentials.credentials()?;
        Some(self.credentials_identity(&credentials).await)
    }

    /// Who credentials that belong to no profile (the environment's, the instance role's)
    /// are, with the environment's endpoint and region; `Err` says why STS could not tell.
    pub(crate) async fn credentials_identity(&self, credentials: &Credentials) -> Result<Identity, String> {
        let endpoint = self.env.endpoint(None);
        let result = self.sts.get_caller_identity(&endpoint, credentials).await;
        result.map_err(|err| super::error::environment_message(err, &endpoint))
    }

    /// Who `name`'s credentials belong to. A plain static profile is asked with its keys
    /// directly (no MFA needed for `GetCallerIdentity`).
    pub async fn identity(&self, name: &str, ask: &Ask) -> Result<IdentityReport, CredsError> {
        let profile = self.profile(name)?;
        let plain_static = profile.root_kind() == Some(RootKind::StaticKeys)
            && plan::plan(profile, &self.inventory, &plan::NoCache).hops.is_empty();
        let session = match self.cached_session(name) {
            Some(session) if plain_static => session,
            _ if plain_static => self.static_session(profile).ok_or_else(|| CredsError::Unusable {
                profile: name.to_string(),
                reason: "no access keys".into(),
            })?,
            _ => self.session(name, ask).await?,
        };
        let identity_from_cache = session.identity.is_some() && session.origin == SessionOrigin::Cache;
        let identity = match session.identity.clone() {
            Some(identity) => identity,
            None => {
                let endpoint = self.endpoint(profile);
                let call = StsCall {
                    profile: &profile.name,
                    endpoint: &endpoint,
                    action: "GetCallerIdentity",
                    serial: None,
                };
                self.sts
                    .get_caller_identity(&endpoint, &session.credentials)
                    .await
                    .map_err(|err| from_sts(err, call))?
            }
        };
        Ok(IdentityReport {
            session_name: Arn::parse(&identity.arn).and_then(|arn| arn.session_name()).map(str::to_string),
            identity,
            expiration: session.credentials.expiration,
            origin: session.origin,
            keys: None,
            identity_from_cache,
        })
    }
}
