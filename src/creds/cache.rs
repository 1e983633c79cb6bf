//! awsw's own session cache under `$XDG_CACHE_HOME/awsw` (`Dirs::cache`): one file per role
//! or SSO profile (the file direnv watches), one per base session (with MFA or without), one
//! per identity. Directory 0700, files 0600, atomic writes; an entry that is corrupt,
//! foreign-owned, group-readable, made for different settings, or about to expire is ignored
//! and later replaced, never trusted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::fsutil;
use super::types::{Credentials, Identity};
use crate::secret::Secret;

/// What a cached session was made for; a mismatch (the config changed) voids it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum CacheKey {
    /// The result of assuming a role profile's role.
    Role {
        profile: String,
        role_arn: String,
        external_id: Option<String>,
        /// Which credentials the role was assumed from (root key id, MFA device, chain).
        source: String,
    },
    /// A `GetSessionToken` session of a static profile, with `mfa_serial` or (`NO_MFA`)
    /// without.
    MfaSession { profile: String, access_key_id: String, serial: String },
    /// An SSO profile's role credentials from `GetRoleCredentials`.
    SsoRole { profile: String, start_url: String, account_id: String, role_name: String },
}

impl CacheKey {
    fn file_name(&self) -> String {
        let (prefix, id) = match self {
            // A profile is either a role or an SSO root, so the two share the role file name.
            CacheKey::Role { profile, .. } | CacheKey::SsoRole { profile, .. } => ("role", profile.clone()),
            CacheKey::MfaSession { profile, access_key_id, serial } => {
                ("session", format!("{profile}\0{access_key_id}\0{serial}"))
            }
        };
        format!("{prefix}-{}.json", &hex::encode(Sha1::digest(id.as_bytes()))[..24])
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    key: CacheKey,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
    identity: Option<Identity>,
}

const VERSION: u32 = 1;

/// A session read back from the cache.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub(crate) credentials: Credentials,
    pub(crate) identity: Option<Identity>,
}

pub(crate) struct SessionCache {
    dir: PathBuf,
    /// Sessions with less than this left are treated as expired.
    pub(crate) min_remaining: time::Duration,
}

impl SessionCache {
    pub(crate) fn new(dir: PathBuf, min_remaining: time::Duration) -> Self {
        SessionCache { dir, min_remaining }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Fails when the directory cannot hold private files: checked before asking for an
    /// MFA code, so a code is never spent on a session that could not be kept.
    pub(crate) fn check_writable(&self) -> std::io::Result<()> {
        fsutil::ensure_private_dir(&self.dir)?;
        let probe = tempfile::NamedTempFile::new_in(&self.dir)?;
        drop(probe);
        Ok(())
    }

    /// A valid session for `key`, if there is one with more than `min_remaining` left.
    pub fn load(&self, key: &CacheKey, now: OffsetDateTime) -> Option<Cached> {
        let path = self.path(key);
        let text = fsutil::read_private(&path)?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        if entry.version != VERSION || &entry.key != key {
            return None;
        }
        let expiration = OffsetDateTime::parse(&entry.expiration, &Rfc3339).ok()?;
        if expiration - now <= self.min_remaining {
            return None;
        }
        Some(Cached {
            credentials: Credentials {
                access_key_id: entry.access_key_id,
                secret_access_key: Secret::new(entry.secret_access_key),
                session_token: Some(Secret::new(entry.session_token)),
                expiration: Some(expiration),
            },
            identity: entry.identity,
        })
    }

    /// Stores a temporary session. Long-term keys (no token or no expiry) are refused.
    pub(crate) fn store(
        &self,
        key: &CacheKey,
        creds: &Credentials,
        identity: Option<&Identity>,
    ) -> std::io::Result<PathBuf> {
        let (Some(token), Some(expiration)) = (&creds.session_token, creds.expiration) else {
            return Err(std::io::Error::other("refusing to cache long-term access keys"));
        };
        let entry = Entry {
            version: VERSION,
            key: key.clone(),
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.expose().to_string(),
            session_token: token.expose().to_string(),
            expiration: expiration.format(&Rfc3339).map_err(std::io::Error::other)?,
            identity: identity.cloned(),
        };
        let path = self.path(key);
        let body = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        fsutil::write_private(&self.dir, &path, &body)?;
        Ok(path)
    }

    pub(crate) fn identity_path(&self, access_key_id: &str) -> PathBuf {
        self.dir.join(format!("identity-{}.json", &hex::encode(Sha1::digest(access_key_id.as_bytes()))[..24]))
    }

    /// Who an access key belongs to (not secret; kept to name role sessions after the user).
    pub(crate) fn load_identity(&self, access_key_id: &str) -> Option<Identity> {
        let text = fsutil::read_private(&self.identity_path(access_key_id))?;
        serde_json::from_str(&text).ok()
    }

    pub(crate) fn store_identity(&self, access_key_id: &str, identity: &Identity) -> std::io::Result<()> {
        let body = serde_json::to_vec(identity).map_err(std::io::Error::other)?;
        fsutil::write_private(&self.dir, &self.identity_path(access_key_id), &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use time::macros::datetime;

    fn key() -> CacheKey {
        CacheKey::Role {
            profile: "prod".into(),
            role_arn: "arn:aws:iam::1:role/x".into(),
            external_id: None,
            source: "base".into(),
        }
    }

    fn creds(expiration: OffsetDateTime) -> Credentials {
        Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(expiration),
        }
    }

    #[test]
    fn round_trip_with_private_modes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SessionCache::new(dir.path().join("awsw"), time::Duration::minutes(5));
        let now = datetime!(2026-11-23 09:00:00 UTC);
        let path = cache.store(&key(), &creds(now + time::Duration::hours(1)), None).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777, 0o700);
        let cached = cache.load(&key(), now).unwrap();
        assert_eq!(cached.credentials, creds(now + time::Duration::hours(1)));
    }

    #[test]
    fn nearly_expired_mismatched_corrupt_or_shared_entries_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SessionCache::new(dir.path().join("awsw"), time::Duration::minutes(5));
        let now = datetime!(2026-11-23 09:00:00 UTC);
        let path = cache.store(&key(), &creds(now + time::Duration::minutes(4)), None).unwrap();
        assert!(cache.load(&key(), now).is_none(), "under 5 minutes left");
        cache.store(&key(), &creds(now + time::Duration::hours(1)), None).unwrap();
        let other = CacheKey::Role {
            profile: "prod".into(),
            role_arn: "arn:aws:iam::1:role/changed".into(),
            external_id: None,
            source: "base".into(),
        };
        assert!(cache.load(&other, now).is_none(), "config changed");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(cache.load(&key(), now).is_none(), "readable by others");
        std::fs::write(&path, "{not json").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(cache.load(&key(), now).is_none(), "corrupt");
        cache.store(&key(), &creds(now + time::Duration::hours(1)), None).unwrap();
        assert!(cache.load(&key(), now).is_some(), "replaced");
    }

    #[test]
    fn long_term_keys_are_never_stored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SessionCache::new(dir.path().join("awsw"), time::Duration::minutes(5));
        let long_term = Credentials {
            access_key_id: "AKIA".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
            expiration: None,
        };
        assert!(cache.store(&key(), &long_term, None).is_err());
        assert!(!cache.path(&key()).exists());
    }
}
