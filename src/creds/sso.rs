//! The SSO token the AWS CLI keeps after `aws sso login`, behind `SsoTokens` so the engine
//! is tested with a directory of its own: awsw only checks that a valid token is there
//! (reading `~/.aws/sso/cache/<sha1>.json` as the CLI writes it) and names the command that
//! renews it. It never logs in and never opens a browser.

use std::path::{Path, PathBuf};

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
    /// A directory of tokens (tests); `None` with `default` for the user's own cache.
    dir: Option<PathBuf>,
    default: bool,
}

impl SsoTokenCache {
    pub fn new(dir: PathBuf) -> SsoTokenCache {
        SsoTokenCache { dir: Some(dir), default: false }
    }

    /// `~/.aws/sso/cache`, read by awsw's SSO module (which also counts a token it can
    /// refresh).
    pub fn default_dir() -> SsoTokenCache {
        SsoTokenCache { dir: None, default: true }
    }
}

impl SsoTokens for SsoTokenCache {
    fn valid(&self, profile: &Profile, now: OffsetDateTime) -> bool {
        match &self.dir {
            // The user's own cache: valid, or renewable with its refresh token.
            None if self.default => sso_token_valid(profile, now),
            None => false,
            Some(dir) => {
                let Some(id) = token_id(profile) else { return false };
                read_expiry(&dir.join(file_name(id))).is_some_and(|expires| expires > now)
            }
        }
    }
}

/// Whether the AWS CLI's SSO token cache holds a token for `profile` that is valid at `now`,
/// or renewable with its refresh token.
pub fn sso_token_valid(profile: &Profile, now: OffsetDateTime) -> bool {
    crate::sso::credentials::token_usable(profile, now)
}

/// The CLI names the file after the session name, or for a legacy profile its start URL.
fn token_id(profile: &Profile) -> Option<&str> {
    profile.sso()?.token_id()
}

fn default_dir() -> Option<PathBuf> {
    dirs::home_dir().map(|home| home.join(".aws").join("sso").join("cache"))
}

fn file_name(id: &str) -> String {
    format!("{}.json", hex::encode(Sha1::digest(id.as_bytes())))
}

fn read_expiry(path: &Path) -> Option<OffsetDateTime> {
    let text = std::fs::read_to_string(path).ok()?;
    let value = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    value.get("expiresAt").and_then(|v| v.as_str()).and_then(parse_expiration)
}

/// The AWS CLI's SSO token file for an sso-session name (or a legacy profile's start URL).
pub fn sso_token_file(id: &str) -> Option<PathBuf> {
    Some(default_dir()?.join(file_name(id)))
}

/// When the cached SSO token for `id` expires; `None` without a readable token.
pub fn sso_token_expiry(id: &str) -> Option<OffsetDateTime> {
    read_expiry(&sso_token_file(id)?)
}

/// The command that renews an SSO profile's token.
pub fn login_command(profile: &Profile) -> String {
    match &profile.sso_session {
        Some(session) => format!("awsw login {session}"),
        None => format!("awsw login {}", profile.name),
    }
}
