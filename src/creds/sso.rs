//! The SSO token the AWS CLI keeps after `aws sso login`, behind `SsoTokens` so the engine
//! is tested with a directory of its own: awsw only checks that a valid token is there
//! (reading `~/.aws/sso/cache/<sha1>.json` as the CLI writes it) and names the command that
//! renews it. It never logs in and never opens a browser.

use std::path::PathBuf;

use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::clicache::parse_expiration;
use crate::config::Profile;

/// Whether an SSO profile's token is there and still valid.
pub trait SsoTokens: Send + Sync {
    fn valid(&self, profile: &Profile, now: OffsetDateTime) -> bool;
}

/// The AWS CLI's SSO token cache directory.
pub struct SsoTokenCache {
    dir: Option<PathBuf>,
}

impl SsoTokenCache {
    pub fn new(dir: PathBuf) -> SsoTokenCache {
        SsoTokenCache { dir: Some(dir) }
    }

    /// `~/.aws/sso/cache` (no home directory: no token).
    pub fn default_dir() -> SsoTokenCache {
        SsoTokenCache { dir: dirs::home_dir().map(|home| home.join(".aws").join("sso").join("cache")) }
    }
}

impl SsoTokens for SsoTokenCache {
    fn valid(&self, profile: &Profile, now: OffsetDateTime) -> bool {
        let Some(dir) = &self.dir else { return false };
        // The CLI names the file after the session name, or for a legacy profile its start URL.
        let Some(id) = profile.sso_session.as_ref().or(profile.sso_start_url.as_ref()) else { return false };
        let path = dir.join(format!("{}.json", hex::encode(Sha1::digest(id.as_bytes()))));
        let Ok(text) = std::fs::read_to_string(path) else { return false };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
        value
            .get("expiresAt")
            .and_then(|v| v.as_str())
            .and_then(parse_expiration)
            .is_some_and(|expires| expires > now)
    }
}

/// The command that renews an SSO profile's token.
pub fn login_command(profile: &Profile) -> String {
    match &profile.sso_session {
        Some(session) => format!("aws sso login --sso-session {session}"),
        None => format!("aws sso login --profile {}", profile.name),
    }
}
