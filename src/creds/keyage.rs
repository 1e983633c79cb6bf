//! Looks up the facts `keyfacts` judges, for the long-term keys at the root of a profile's
//! chain: who they belong to (STS, kept in the identity cache) and when the key was created
//! and last used (`iam:ListAccessKeys`, `iam:GetAccessKeyLastUsed` on the caller's own user).
//! Never prompts: it uses a cached MFA base session when there is one, else the keys
//! themselves. Results are cached a day in `keyage-*.json` (0600, no secrets); `KnownKeys`
//! reads both caches without any network call, for `awsw list`.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::cache::SessionCache;
use super::engine::{Ask, Engine};
use super::fsutil;
use super::iam::{self, Iam};
use super::keyfacts::{KeyAge, KeyFacts, is_root_arn, max_key_age_days};
use super::types::{Credentials, Identity};
use crate::config::Profile;

/// How long the key-age lookup may take before `whoami` goes on without it.
const IAM_PATIENCE: std::time::Duration = std::time::Duration::from_secs(4);
/// How long a key-age answer is reused.
const FRESH: time::Duration = time::Duration::days(1);

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    key_id: String,
    checked_at: i64,
    needs_mfa: bool,
    created: Option<i64>,
    last_used: Option<i64>,
    last_service: Option<String>,
}

fn file_name(key_id: &str) -> String {
    format!("keyage-{}.json", &hex::encode(Sha1::digest(key_id.as_bytes()))[..24])
}

fn at(seconds: Option<i64>) -> Option<OffsetDateTime> {
    seconds.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

/// The cached age of `key_id` and when it was checked.
fn load_age(dir: &Path, key_id: &str) -> Option<(KeyAge, OffsetDateTime)> {
    let entry: Entry = serde_json::from_str(&fsutil::read_private(&dir.join(file_name(key_id)))?).ok()?;
    if entry.version != 1 || entry.key_id != key_id {
        return None;
    }
    let age = if entry.needs_mfa {
        KeyAge::NeedsMfa
    } else {
        KeyAge::Known {
            created: at(entry.created),
            last_used: at(entry.last_used),
            last_service: entry.last_service,
        }
    };
    Some((age, OffsetDateTime::from_unix_timestamp(entry.checked_at).ok()?))
}

fn store_age(dir: &Path, key_id: &str, age: &KeyAge, now: OffsetDateTime) -> std::io::Result<()> {
    let (needs_mfa, created, last_used, last_service) = match age {
        KeyAge::NeedsMfa => (true, None, None, None),
        KeyAge::Known { created, last_used, last_service } => {
            (false, *created, *last_used, last_service.clone())
        }
    };
    let entry = Entry {
        version: 1,
        key_id: key_id.to_string(),
        checked_at: now.unix_timestamp(),
        needs_mfa,
        created: created.map(OffsetDateTime::unix_timestamp),
        last_used: last_used.map(OffsetDateTime::unix_timestamp),
        last_service,
    };
    let body = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
    fsutil::write_private(dir, &dir.join(file_name(key_id)), &body)
}

/// Removes what the caches know about a key (after `rotate` deleted it).
pub(crate) fn forget(dir: &Path, key_id: &str) {
    let _ = std::fs::remove_file(dir.join(file_name(key_id)));
    let _ = std::fs::remove_file(SessionCache::new(dir.to_path_buf(), FRESH).identity_path(key_id));
}

/// The profile holding the long-term keys at the root of `profile`'s chain, and the keys.
fn holder<'a>(engine: &'a Engine, profile: &'a Profile) -> Option<(&'a Profile, Credentials)> {
    let keys = profile.static_keys().filter(|k| k.session_token.is_none())?;
    let holder = engine.inventory().profile(profile.chain.first()?)?;
    let creds = Credentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    };
    Some((holder, creds))
}

/// Looks up key facts with an engine (for STS and its caches) and IAM.
pub struct KeyLookup<'a> {
    /// Gives the profiles, their identities and a cached MFA base session.
    pub engine: &'a Engine,
    /// Answers `ListAccessKeys` and `GetAccessKeyLastUsed`.
    pub iam: &'a dyn Iam,
    /// awsw's cache directory (`~/.cache/awsw`).
    pub cache_dir: PathBuf,
    /// The time of the lookup: a cached age checked a day or more before is looked up again.
    pub now: OffsetDateTime,
}

impl KeyLookup<'_> {
    /// The facts for `name`'s root keys; `None` when its chain does not start at long-term
    /// keys. `identity` is what STS said for the profile itself, if asked already; without
    /// `with_age` no IAM call is made (only whether they are root keys).
    pub async fn facts(&self, name: &str, identity: Option<&Identity>, with_age: bool) -> Option<KeyFacts> {
        let profile = self.engine.inventory().profile(name)?;
        let (holder, keys) = holder(self.engine, profile)?;
        let cache = SessionCache::new(self.cache_dir.clone(), FRESH);
        let identity = match identity.filter(|_| profile.chain.len() == 1) {
            Some(identity) => Some(identity.clone()),
            None => match cache.load_identity(&keys.access_key_id) {
                Some(identity) => Some(identity),
                None if with_age => {
                    self.engine.identity(&holder.name, &Ask::non_interactive()).await.ok().map(|r| r.identity)
                }
                None => None,
            },
        };
        if let Some(identity) = &identity
            && cache.load_identity(&keys.access_key_id).as_ref() != Some(identity)
        {
            let _ = cache.store_identity(&keys.access_key_id, identity);
        }
        let user = identity.as_ref().and_then(|i| iam::user_name(&i.arn));
        let age = if with_age { self.age(holder, &keys, user).await } else { None };
        Some(KeyFacts {
            holder: holder.name.clone(),
            key_id: keys.access_key_id.clone(),
            root: identity.is_some_and(|i| is_root_arn(&i.arn)),
            age,
            max_age_days: max_key_age_days(),
        })
    }

    async fn age(&self, holder: &Profile, keys: &Credentials, user: Option<&str>) -> Option<KeyAge> {
        // An MFA base session already made for the holder: IAM usually wants one.
        let mfa_session = holder
            .mfa_serial
            .as_ref()
            .and_then(|_| self.engine.cached_session(&holder.name))
            .map(|s| s.credentials)
            .filter(|c| c.session_token.is_some());
        if let Some((age, checked)) = load_age(&self.cache_dir, &keys.access_key_id)
            && self.now - checked < FRESH
            && !(age == KeyAge::NeedsMfa && mfa_session.is_some())
        {
            return Some(age);
        }
        let creds = mfa_session.as_ref().unwrap_or(keys);
        let endpoint =
            iam::endpoint(self.engine.env(), holder.endpoint_url.as_deref(), holder.region.as_deref());
        let ask = async {
            match self.iam.list_access_keys(&endpoint, creds, user).await {
                Err(err) if err.is_denied() => Some(KeyAge::NeedsMfa),
                Err(_) => None,
                Ok(list) => {
                    let created = list.iter().find(|k| k.id == keys.access_key_id).and_then(|k| k.created);
                    let used =
                        self.iam.last_used(&endpoint, creds, &keys.access_key_id).await.unwrap_or_default();
                    Some(KeyAge::Known { created, last_used: used.when, last_service: used.service })
                }
            }
        };
        // A line of `whoami` is not worth a long wait where IAM is unreachable (a private
        // network with only an STS endpoint): give up and show nothing.
        let age = tokio::time::timeout(IAM_PATIENCE, ask).await.ok().flatten()?;
        let _ = store_age(&self.cache_dir, &keys.access_key_id, &age, self.now);
        Some(age)
    }
}

/// Adds the key facts to an identity report (key age only `with_age`): real IAM, awsw's
/// cache directory, the system clock.
pub(crate) async fn add_to_report(
    engine: &Engine,
    name: &str,
    report: &mut super::IdentityReport,
    with_age: bool,
) {
    let Some(cache_dir) = engine.env().dirs.cache.clone() else { return };
    let lookup = KeyLookup { engine, iam: &iam::AwsIam, cache_dir, now: OffsetDateTime::now_utc() };
    report.keys = lookup.facts(name, Some(&report.identity), with_age).await;
}

/// What the caches know about one key: whether it is a root key, and its age.
type Known = (bool, Option<KeyAge>);

/// What the caches already know about keys, read without any network call: one directory
/// listing, then only the files that exist.
#[derive(Default)]
pub(crate) struct KnownKeys {
    dir: PathBuf,
    names: HashSet<OsString>,
    max_age_days: i64,
    /// What was read per key id: (root keys, age), `None` when the caches know nothing.
    read: std::sync::Mutex<std::collections::HashMap<String, Option<Known>>>,
}

impl KnownKeys {
    pub(crate) fn read(dir: PathBuf) -> KnownKeys {
        let names = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name())
                    .filter(|n| {
                        n.to_str().is_some_and(|n| n.starts_with("identity-") || n.starts_with("keyage-"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        KnownKeys { dir, names, max_age_days: max_key_age_days(), read: Default::default() }
    }

    /// The facts about `key_id` (held by profile `holder`) that the caches know. Each key's
    /// files are read once: thousands of profiles often share one root key.
    pub(crate) fn facts(&self, holder: &str, key_id: &str) -> Option<KeyFacts> {
        if self.names.is_empty() {
            return None;
        }
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let (root, age) = read.entry(key_id.to_string()).or_insert_with(|| self.read_key(key_id)).clone()?;
        Some(KeyFacts {
            holder: holder.to_string(),
            key_id: key_id.to_string(),
            root,
            age,
            max_age_days: self.max_age_days,
        })
    }

    fn read_key(&self, key_id: &str) -> Option<Known> {
        let cache = SessionCache::new(self.dir.clone(), FRESH);
        let identity_path = cache.identity_path(key_id);
        let identity = identity_path
            .file_name()
            .filter(|n| self.names.contains(*n))
            .and_then(|_| cache.load_identity(key_id));
        let age = self
            .names
            .contains(std::ffi::OsStr::new(&file_name(key_id)))
            .then(|| load_age(&self.dir, key_id))
            .flatten()
            .map(|(age, _)| age);
        (identity.is_some() || age.is_some()).then(|| (identity.is_some_and(|i| is_root_arn(&i.arn)), age))
    }
}
