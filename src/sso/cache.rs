//! The AWS CLI's SSO cache, `~/.aws/sso/cache/`, read and written as botocore and the AWS
//! CLI v2 do: the token file (named by `SsoTarget::token_file_name`) and the OIDC client
//! registration (named by `SsoTarget::registration_file_name`), times as
//! `%Y-%m-%dT%H:%M:%SZ`. Writes are atomic, 0600 in a 0700 directory; a file that is not
//! the user's own and private is refused, never trusted.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::error::SsoError;
use super::target::SsoTarget;
use crate::creds::clicache::parse_expiration;
use crate::creds::fsutil;
use crate::safe_fs::{self, Dir, FsError};
use crate::secret::Secret;

/// A cached SSO token with the registration that can renew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SsoToken {
    pub(crate) start_url: String,
    pub(crate) region: String,
    pub(crate) access_token: Secret,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) registration_expires_at: Option<OffsetDateTime>,
    pub(crate) refresh_token: Option<Secret>,
}

/// A registered public OIDC client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) scopes: Option<Vec<String>>,
    /// Set for authorization-code (PKCE) registrations; absent for device-flow ones.
    pub(crate) grant_types: Option<Vec<String>>,
}

impl Registration {
    pub(crate) fn is_for_auth_code(&self) -> bool {
        self.grant_types.as_ref().is_some_and(|g| g.iter().any(|t| t == "authorization_code"))
    }
}

/// `2026-11-24T10:00:00Z`, the format the AWS CLI writes.
pub(crate) fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) struct SsoCache {
    dir: PathBuf,
}

impl SsoCache {
    pub(crate) fn new(dir: PathBuf) -> Self {
        SsoCache { dir }
    }

    pub(crate) fn token_path(&self, target: &SsoTarget) -> PathBuf {
        self.dir.join(target.token_file_name())
    }

    /// The cached token: `None` when there is none; an error when the file is foreign,
    /// readable by others, or not a token.
    pub(crate) fn load_token(&self, target: &SsoTarget) -> Result<Option<SsoToken>, SsoError> {
        let path = self.token_path(target);
        let Some(value) = read_trusted(&path, target)? else { return Ok(None) };
        let corrupt = |reason: &str| SsoError::CorruptToken {
            label: target.label.clone(),
            login: target.login.clone(),
            path: path.clone(),
            reason: reason.to_string(),
        };
        let text = |name: &str| value.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
        let time = |name: &str| text(name).and_then(parse_expiration);
        let access_token = text("accessToken").ok_or_else(|| corrupt("no accessToken"))?;
        let expires_at = time("expiresAt").ok_or_else(|| corrupt("no valid expiresAt"))?;
        Ok(Some(SsoToken {
            start_url: text("startUrl").unwrap_or(&target.start_url).to_string(),
            region: text("region").unwrap_or(&target.region).to_string(),
            access_token: Secret::new(access_token),
            expires_at,
            client_id: text("clientId").map(String::from),
            client_secret: text("clientSecret").map(Secret::new),
            registration_expires_at: time("registrationExpiresAt"),
            refresh_token: text("refreshToken").map(Secret::new),
        }))
    }

    pub(crate) fn store_token(&self, target: &SsoTarget, token: &SsoToken) -> Result<(), SsoError> {
        let mut body = json!({
            "startUrl": token.start_url,
            "region": token.region,
            "accessToken": token.access_token.expose(),
            "expiresAt": format_time(token.expires_at),
        });
        if let (Some(id), Some(secret), Some(expires)) =
            (&token.client_id, &token.client_secret, token.registration_expires_at)
        {
            body["clientId"] = json!(id);
            body["clientSecret"] = json!(secret.expose());
            body["registrationExpiresAt"] = json!(format_time(expires));
        }
        if let Some(refresh) = &token.refresh_token {
            body["refreshToken"] = json!(refresh.expose());
        }
        self.write(&self.token_path(target), &body)
    }

    /// Deletes the token file; `Ok(false)` when there was none.
    pub(crate) fn delete_token(&self, target: &SsoTarget) -> Result<bool, SsoError> {
        let path = self.token_path(target);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(SsoError::Cache { action: "delete", path, reason: e.to_string() }),
        }
    }

    /// A cached registration, if it is readable, trusted and well-formed.
    pub(crate) fn load_registration(&self, target: &SsoTarget) -> Option<Registration> {
        let path = self.dir.join(target.registration_file_name());
        let value = read_trusted(&path, target).ok().flatten()?;
        let list = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        };
        Some(Registration {
            client_id: value.get("clientId")?.as_str()?.to_string(),
            client_secret: Secret::new(value.get("clientSecret")?.as_str()?),
            expires_at: parse_expiration(value.get("expiresAt")?.as_str()?)?,
            scopes: list("scopes"),
            grant_types: list("grantTypes"),
        })
    }

    pub(crate) fn store_registration(&self, target: &SsoTarget, reg: &Registration) -> Result<(), SsoError> {
        let mut body = json!({
            "clientId": reg.client_id,
            "clientSecret": reg.client_secret.expose(),
            "expiresAt": format_time(reg.expires_at),
        });
        if let Some(scopes) = &reg.scopes {
            body["scopes"] = json!(scopes);
        }
        if let Some(grants) = &reg.grant_types {
            body["grantTypes"] = json!(grants);
        }
        self.write(&self.dir.join(target.registration_file_name()), &body)
    }

    fn write(&self, path: &Path, body: &Value) -> Result<(), SsoError> {
        fsutil::write_private(&self.dir, path, body.to_string().as_bytes()).map_err(|e| SsoError::Cache {
            action: "write",
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }
}

/// Reads a JSON file only if it is a regular file of this user that no one else can read,
/// in a directory no one else can change; all judged on the opened descriptors (`safe_fs`),
/// so nothing can be swapped in between the check and the read.
fn read_trusted(path: &Path, target: &SsoTarget) -> Result<Option<Value>, SsoError> {
    const LIMIT: u64 = 1 << 20;
    let untrusted = |reason: &'static str| SsoError::UntrustedToken {
        label: target.label.clone(),
        login: target.login.clone(),
        path: path.to_path_buf(),
        reason,
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(None);
    };
    let opened_dir = match Dir::open_trusted(dir) {
        Ok(opened) => opened,
        Err(FsError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(SsoError::UnsafeDir { label: target.label.clone(), reason: err.to_string() }),
    };
    let (text, file) = match opened_dir.read_text(name, LIMIT) {
        Ok(Some(read)) => read,
        Ok(None) => return Ok(None),
        Err(FsError::Symlink { .. } | FsError::NotRegular { .. }) => {
            return Err(untrusted("not a regular file"));
        }
        Err(_) => return Err(untrusted("unreadable")),
    };
    if file.uid != safe_fs::euid() {
        return Err(untrusted("owned by another user"));
    }
    if file.mode & 0o077 != 0 {
        return Err(untrusted("readable by other users"));
    }
    let corrupt = |reason: String| SsoError::CorruptToken {
        label: target.label.clone(),
        login: target.login.clone(),
        path: path.to_path_buf(),
        reason,
    };
    // serde_json's message names a line and column, never the text around it.
    let value: Value = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    if !value.is_object() {
        return Err(corrupt("not a JSON object".into()));
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use time::macros::datetime;

    use super::*;

    fn target() -> SsoTarget {
        crate::sso::fakes::corp()
    }

    fn token() -> SsoToken {
        SsoToken {
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            access_token: Secret::new("aoa-secret-access"),
            expires_at: datetime!(2026-11-24 10:00:00 UTC),
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("client-secret")),
            registration_expires_at: Some(datetime!(2027-02-22 10:00:00 UTC)),
            refresh_token: Some(Secret::new("aor-refresh")),
        }
    }

    #[test]
    fn token_round_trips_in_the_cli_format_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SsoCache::new(dir.path().join("sso/cache"));
        cache.store_token(&target(), &token()).unwrap();
        let path = cache.token_path(&target());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"expiresAt\":\"2026-11-24T10:00:00Z\""), "{text}");
        assert!(text.contains("\"registrationExpiresAt\":\"2027-02-22T10:00:00Z\""), "{text}");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(cache.load_token(&target()).unwrap(), Some(token()));
        let debug = format!("{:?}", token());
        assert!(
            ["aoa-secret-access", "client-secret", "aor-refresh"].iter().all(|s| !debug.contains(s)),
            "{debug}"
        );
    }

    #[test]
    fn readable_or_corrupt_files_are_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SsoCache::new(dir.path().to_path_buf());
        assert_eq!(cache.load_token(&target()).unwrap(), None);
        cache.store_token(&target(), &token()).unwrap();
        let path = cache.token_path(&target());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = cache.load_token(&target()).unwrap_err().to_string();
        assert!(err.contains("readable by other users") && err.contains("awsw login corp"), "{err}");
        // A file of another user (only root can make one to test with).
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // SAFETY-free: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
            let err = cache.load_token(&target()).unwrap_err().to_string();
            assert!(err.contains("owned by another user"), "{err}");
            std::os::unix::fs::chown(&path, Some(0), None).unwrap();
        }
        // A directory others can change: refused with the command that fixes it.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = cache.load_token(&target()).unwrap_err().to_string();
        assert!(err.starts_with("sso-session corp: ") && err.contains("chmod 700"), "{err}");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::write(&path, "{\"accessToken\": \"aoa-secret\", \"expiresAt\": 12").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = cache.load_token(&target()).unwrap_err().to_string();
        assert!(err.contains("not a valid token") && !err.contains("aoa-secret"), "{err}");
    }

    #[test]
    fn registration_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SsoCache::new(dir.path().to_path_buf());
        let reg = Registration {
            client_id: "cid".into(),
            client_secret: Secret::new("cs"),
            expires_at: datetime!(2027-02-22 10:00:00 UTC),
            scopes: Some(vec!["sso:account:access".into()]),
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
        };
        cache.store_registration(&target(), &reg).unwrap();
        let loaded = cache.load_registration(&target()).unwrap();
        assert!(loaded.is_for_auth_code());
        assert_eq!(loaded, reg);
    }
}
