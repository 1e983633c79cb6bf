//! The caching wrapper around every step, as aws-vault's `cachedsessionprovider.go`: awsw's
//! own cache and the AWS CLI's behind one `Probe` (what the plan asks), and `cached`, which
//! uses a session the plan found or runs the step, stores its result in both caches and says
//! so when it could not. The directory scan that lets `readiness` skip files that do not
//! exist sits behind `CacheScan`, so it can be swapped in tests.

use std::collections::HashSet;
use std::ffi::OsString;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use super::cache::{CacheKey, SessionCache};
use super::clicache::{CliCache, CliCacheKey};
use super::error::CredsError;
use super::plan::{NO_MFA, Probe, SsoTokenState};
use super::types::{Credentials, Identity, SessionOrigin};
use crate::sso::SsoTarget;
use crate::sso::cache::SsoCache;
use crate::sso::credentials::{ROLE_MIN_REMAINING, token_state};
use crate::sso::rolecreds::cli_body;

/// The names of the files in a cache directory.
pub trait CacheScan: Send + Sync {
    /// Every entry name in `dir`; none when it cannot be read.
    fn names(&self, dir: &Path) -> HashSet<OsString>;
}

/// `read_dir`; a directory that cannot be read holds nothing.
pub struct DirScan;

impl CacheScan for DirScan {
    fn names(&self, dir: &Path) -> HashSet<OsString> {
        match std::fs::read_dir(dir) {
            Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
            Err(_) => HashSet::new(),
        }
    }
}

/// Which cache entries a step's result goes to.
#[derive(Clone, Copy)]
pub(crate) enum StoreKey<'a> {
    /// A role session: awsw's cache and the AWS CLI's.
    Role { key: &'a CacheKey, cli_key: &'a CliCacheKey },
    /// A `GetSessionToken` session: awsw's cache only (the CLI has no such entry).
    Base(&'a CacheKey),
    /// SSO role credentials: awsw's cache, and the AWS CLI's under botocore's SSO file name.
    SsoRole { key: &'a CacheKey, cli_file: &'a str, account_id: &'a str },
}

/// What a step made.
#[derive(Debug, Clone)]
pub(crate) struct Made {
    pub(crate) credentials: Credentials,
    /// Who the credentials belong to, when the call said (`AssumeRole` does).
    pub(crate) identity: Option<Identity>,
}

pub(crate) struct SessionStore {
    cache: SessionCache,
    cli: Option<CliCache>,
    scan: Arc<dyn CacheScan>,
    /// File names in the two cache directories, re-read at most every couple of seconds:
    /// `readiness` for thousands of profiles opens only files that exist, and still sees
    /// sessions other processes (another awsw, the AWS CLI) wrote meanwhile.
    index: Mutex<Option<(Instant, HashSet<OsString>)>>,
    notices: Mutex<Vec<String>>,
    /// The AWS CLI's SSO token cache, read (never written) by the plan's probe.
    sso_tokens: Option<SsoCache>,
}

impl SessionStore {
    pub(crate) fn new(cache: SessionCache, cli: Option<CliCache>, scan: Arc<dyn CacheScan>) -> SessionStore {
        SessionStore {
            cache,
            cli,
            scan,
            index: Mutex::new(None),
            notices: Mutex::new(Vec::new()),
            sso_tokens: None,
        }
    }

    /// The same, with the AWS CLI's SSO token cache in `dir` for the plan to look at.
    pub(crate) fn with_sso_tokens(mut self, dir: Option<PathBuf>) -> SessionStore {
        self.sso_tokens = dir.map(SsoCache::new);
        self
    }

    /// Sessions with no more than this left are renewed.
    pub(crate) fn min_remaining(&self) -> time::Duration {
        self.cache.min_remaining
    }

    pub(crate) fn path(&self, key: &CacheKey) -> PathBuf {
        self.cache.path(key)
    }

    /// The caches as the plan sees them at `now`. With `use_index`, only files the last
    /// directory scan listed are opened (fast, a couple of seconds stale at most).
    pub(crate) fn probe(&self, now: OffsetDateTime, use_index: bool) -> StoreProbe<'_> {
        StoreProbe { store: self, now, use_index }
    }

    /// Uses the session the plan found for this step, or runs `step` and keeps its result.
    pub(crate) async fn cached<F>(
        &self,
        key: StoreKey<'_>,
        found: Option<Credentials>,
        step: F,
    ) -> Result<(Made, SessionOrigin), CredsError>
    where
        F: Future<Output = Result<Made, CredsError>>,
    {
        if let Some(credentials) = found {
            tracing::debug!(entry = %self.describe(key), "cache hit");
            return Ok((Made { credentials, identity: None }, SessionOrigin::Cache));
        }
        tracing::debug!(entry = %self.describe(key), "cache miss");
        let made = step.await?;
        self.keep(key, &made);
        Ok((made, SessionOrigin::Fresh))
    }

    fn describe(&self, key: StoreKey<'_>) -> String {
        let key = match key {
            StoreKey::Role { key, .. } | StoreKey::Base(key) | StoreKey::SsoRole { key, .. } => key,
        };
        self.path(key).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// Stores a new session in its caches; trouble becomes a notice, never an error: the
    /// session works even when it cannot be kept.
    fn keep(&self, key: StoreKey<'_>, made: &Made) {
        let (key, shared) = match key {
            StoreKey::Role { key, cli_key } => (key, Some(cli_key)),
            StoreKey::Base(key) => (key, None),
            StoreKey::SsoRole { key, cli_file, account_id } => {
                self.share_sso(cli_file, account_id, made);
                (key, None)
            }
        };
        if let Err(err) = self.cache.store(key, &made.credentials, made.identity.as_ref()) {
            let what = match key {
                CacheKey::MfaSession { serial, .. } if serial != NO_MFA => "the MFA session",
                _ => "the session",
            };
            self.notice(format!("could not cache {what} in {}: {err}", self.cache.dir().display()));
        }
        if let (Some(cli), Some(cli_key)) = (&self.cli, shared) {
            let arn = made.identity.as_ref().map(|i| i.arn.as_str());
            if let Err(err) = cli.store(cli_key, &made.credentials, arn) {
                self.notice(format!("could not share the session with the AWS CLI cache: {err}"));
            }
        }
        // Forget the directory listing: it no longer has the file just written.
        *self.index.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Writes SSO role credentials where `aws --profile X` looks for them.
    fn share_sso(&self, cli_file: &str, account_id: &str, made: &Made) {
        let (Some(cli), Some(body)) = (&self.cli, cli_body(&made.credentials, account_id)) else { return };
        if let Err(err) = cli.store_named(cli_file, &body) {
            self.notice(format!("could not share the SSO role credentials with the AWS CLI cache: {err}"));
        }
    }

    /// Fails when the cache cannot hold private files: checked before an MFA code is
    /// spent, so a code never goes to a session that could not be kept.
    pub(crate) fn check_writable(&self) -> Result<(), CredsError> {
        self.cache
            .check_writable()
            .map_err(|source| CredsError::Cache { path: self.cache.dir().to_path_buf(), source })
    }

    /// The identity kept with a role session.
    pub(crate) fn identity(&self, key: &CacheKey, now: OffsetDateTime) -> Option<Identity> {
        self.cache.load(key, now).and_then(|c| c.identity)
    }

    pub(crate) fn load_user(&self, access_key_id: &str) -> Option<Identity> {
        self.cache.load_identity(access_key_id)
    }

    pub(crate) fn store_user(&self, access_key_id: &str, identity: &Identity) {
        // Only a name for later sessions: losing it costs one more call next time.
        let _ = self.cache.store_identity(access_key_id, identity);
    }

    pub(crate) fn notice(&self, text: String) {
        self.notices.lock().unwrap_or_else(|e| e.into_inner()).push(text);
    }

    pub(crate) fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn listed(&self, path: &Path) -> bool {
        const FRESH: Duration = Duration::from_secs(2);
        let mut guard = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let stale = guard.as_ref().is_none_or(|(read_at, _)| read_at.elapsed() > FRESH);
        if stale {
            let mut names = self.scan.names(self.cache.dir());
            if let Some(cli) = &self.cli {
                names.extend(self.scan.names(cli.dir()));
            }
            *guard = Some((Instant::now(), names));
        }
        let names = guard.as_ref().map(|(_, names)| names);
        path.file_name().is_some_and(|name| names.is_some_and(|names| names.contains(name)))
    }
}

/// `SessionStore` as the plan's `Probe`.
pub(crate) struct StoreProbe<'a> {
    store: &'a SessionStore,
    now: OffsetDateTime,
    use_index: bool,
}

impl StoreProbe<'_> {
    fn may_exist(&self, path: &Path) -> bool {
        !self.use_index || self.store.listed(path)
    }
}

impl Probe for StoreProbe<'_> {
    fn role(&self, key: &CacheKey, cli_key: &CliCacheKey) -> Option<Credentials> {
        let store = self.store;
        if self.may_exist(&store.cache.path(key))
            && let Some(cached) = store.cache.load(key, self.now)
        {
            return Some(cached.credentials);
        }
        let cli = store.cli.as_ref()?;
        if !self.may_exist(&cli.path(cli_key)) {
            return None;
        }
        let min_remaining = store.cache.min_remaining;
        cli.load(cli_key).filter(|c| c.expiration.is_some_and(|t| t - self.now > min_remaining))
    }

    fn base(&self, key: &CacheKey) -> Option<Credentials> {
        if !self.may_exist(&self.store.cache.path(key)) {
            return None;
        }
        self.store.cache.load(key, self.now).map(|c| c.credentials)
    }

    fn sso_token(&self, target: &SsoTarget) -> SsoTokenState {
        let token = self.store.sso_tokens.as_ref().and_then(|cache| cache.load_token(target).ok().flatten());
        token_state(token.as_ref(), self.now)
    }

    fn sso_role(&self, key: &CacheKey, cli_file: &str) -> Option<Credentials> {
        if let Some(credentials) = self.base(key) {
            return Some(credentials);
        }
        let cli = self.store.cli.as_ref()?;
        if !self.may_exist(&cli.dir().join(cli_file)) {
            return None;
        }
        // botocore renews SSO role credentials 15 minutes before expiry; awsw does too.
        let window = self.store.cache.min_remaining.max(ROLE_MIN_REMAINING);
        cli.load_named(cli_file).filter(|c| c.expiration.is_some_and(|t| t - self.now > window))
    }
}
