//! Drops every cached session made from an access key that no longer exists (after
//! `rotate`): awsw's MFA and plain base sessions and role sessions keyed by that key id, what
//! awsw remembered about the key, and the AWS CLI's cached role sessions of every profile
//! whose chain starts at the key's profile. A file that cannot be read is left alone.

use std::path::Path;

use super::cache::CacheKey;
use super::clicache::CliCache;
use crate::config::{Inventory, RootKind};

/// Whether a cache entry's key was made from `key_id`.
fn derived_from(key: &CacheKey, key_id: &str) -> bool {
    match key {
        CacheKey::MfaSession { access_key_id, .. } => access_key_id == key_id,
        // `source` is `ROOT_PROFILE|ROOT_KEY_ID|VIA`.
        CacheKey::Role { source, .. } => source.split('|').nth(1) == Some(key_id),
        CacheKey::SsoRole { .. } => false,
    }
}

/// Removes awsw's own cache files made from `key_id`; returns how many.
pub(crate) fn awsw_sessions(dir: &Path, key_id: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with("role-") || name.starts_with("session-")) {
            continue;
        }
        let Some(text) = super::fsutil::read_private(&entry.path()) else { continue };
        let key = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| serde_json::from_value::<CacheKey>(v.get("key")?.clone()).ok());
        if key.is_some_and(|k| derived_from(&k, key_id)) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    super::keyage::forget(dir, key_id);
    removed
}

/// Removes the AWS CLI's cached role sessions of every role profile whose chain starts at
/// `holder`'s long-term keys; returns how many.
pub(crate) fn cli_sessions(cli: &CliCache, inventory: &Inventory, holder: &str) -> usize {
    let mut removed = 0;
    for profile in &inventory.profiles {
        if profile.root_kind() != Some(RootKind::StaticKeys)
            || profile.chain.first().map(String::as_str) != Some(holder)
        {
            continue;
        }
        // Every hop after the keys themselves is a role whose session came from them.
        for hop in super::plan::plan(profile, inventory, &super::plan::NoCache).hops {
            if std::fs::remove_file(cli.path(&hop.cli_key)).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_made_from_the_key_are_recognised_by_their_cache_key() {
        let mfa = |id: &str| CacheKey::MfaSession {
            profile: "base".into(),
            access_key_id: id.into(),
            serial: "s".into(),
        };
        let role = |source: &str| CacheKey::Role {
            profile: "prod".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            external_id: None,
            source: source.into(),
        };
        assert!(derived_from(&mfa("AKIAOLD"), "AKIAOLD"));
        assert!(!derived_from(&mfa("AKIANEW"), "AKIAOLD"));
        assert!(derived_from(&role("base|AKIAOLD|base>jump"), "AKIAOLD"));
        assert!(!derived_from(&role("web|CredentialSource(Ec2InstanceMetadata)|"), "AKIAOLD"));
    }

    #[test]
    fn only_files_of_the_key_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache =
            super::super::cache::SessionCache::new(dir.path().to_path_buf(), time::Duration::minutes(5));
        let creds = super::super::types::Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: crate::secret::Secret::new("s"),
            session_token: Some(crate::secret::Secret::new("t")),
            expiration: Some(time::OffsetDateTime::now_utc() + time::Duration::hours(1)),
        };
        let old = CacheKey::MfaSession {
            profile: "base".into(),
            access_key_id: "AKIAOLD".into(),
            serial: "none".into(),
        };
        let other = CacheKey::MfaSession {
            profile: "other".into(),
            access_key_id: "AKIAOTHER".into(),
            serial: "none".into(),
        };
        let old_path = cache.store(&old, &creds, None).unwrap();
        let other_path = cache.store(&other, &creds, None).unwrap();
        assert_eq!(awsw_sessions(dir.path(), "AKIAOLD"), 1);
        assert!(!old_path.exists() && other_path.exists());
    }
}
