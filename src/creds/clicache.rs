//! The AWS CLI's assume-role cache (`~/.aws/cli/cache/<sha1>.json`), read and written the
//! way botocore does, so a role switched in awsw works in `aws --profile X` without another
//! MFA prompt, and a role the CLI assumed works in awsw.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::fsutil;
use super::types::Credentials;
use crate::secret::Secret;

/// The arguments botocore hashes into the cache file name for one role profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliCacheKey {
    /// The role profile's `role_arn`.
    pub role_arn: String,
    /// Only when the profile configures `role_session_name` (a generated name is left out).
    pub role_session_name: Option<String>,
    /// The role profile's `external_id`.
    pub external_id: Option<String>,
    /// The role profile's own `mfa_serial`.
    pub serial_number: Option<String>,
    /// The role profile's `duration_seconds`.
    pub duration_seconds: Option<u32>,
}

impl CliCacheKey {
    /// `sha1(json.dumps(args, sort_keys=True))` with Python's default separators.
    pub fn file_name(&self) -> String {
        // Keys in sorted order, as sort_keys gives them.
        let mut parts = Vec::new();
        if let Some(d) = self.duration_seconds {
            parts.push(format!("\"DurationSeconds\": {d}"));
        }
        if let Some(e) = &self.external_id {
            parts.push(format!("\"ExternalId\": {}", python_json_string(e)));
        }
        parts.push(format!("\"RoleArn\": {}", python_json_string(&self.role_arn)));
        if let Some(n) = &self.role_session_name {
            parts.push(format!("\"RoleSessionName\": {}", python_json_string(n)));
        }
        if let Some(s) = &self.serial_number {
            parts.push(format!("\"SerialNumber\": {}", python_json_string(s)));
        }
        let text = format!("{{{}}}", parts.join(", "));
        format!("{}.json", hex::encode(Sha1::digest(text.as_bytes())))
    }
}

/// A string as Python's `json.dumps` writes it (`ensure_ascii=True`).
pub(crate) fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `2026-11-23T10:00:00Z`, `...+00:00` and `...UTC` (all seen in CLI caches).
pub(crate) fn parse_expiration(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let bare = text.strip_suffix("UTC")?.trim_end();
    OffsetDateTime::parse(&format!("{bare}Z"), &Rfc3339).ok()
}

/// One AWS CLI cache directory: role sessions under botocore's file names, and the SSO role
/// credentials `aws` keeps there too.
pub struct CliCache {
    dir: PathBuf,
}

impl CliCache {
    /// The cache in `dir` (`default_dir` for the user's); nothing is read or created yet.
    pub fn new(dir: PathBuf) -> Self {
        CliCache { dir }
    }

    pub(crate) fn path(&self, key: &CliCacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// The cached role credentials, if the file is there, ours, parseable and temporary.
    pub fn load(&self, key: &CliCacheKey) -> Option<Credentials> {
        self.load_named(&key.file_name())
    }

    /// The credentials in `<dir>/<file_name>`, under the same rules as `load` (also used
    /// for the SSO entries, whose key botocore computes differently).
    pub(crate) fn load_named(&self, file_name: &str) -> Option<Credentials> {
        let path = self.dir.join(file_name);
        let text = fsutil::read_private(&path)?;
        let value: Value = serde_json::from_str(&text).ok()?;
        let creds = value.get("Credentials")?;
        let field = |name: &str| creds.get(name).and_then(Value::as_str).filter(|v| !v.is_empty());
        Some(Credentials {
            access_key_id: field("AccessKeyId")?.to_string(),
            secret_access_key: Secret::new(field("SecretAccessKey")?),
            session_token: Some(Secret::new(field("SessionToken")?)),
            expiration: Some(parse_expiration(field("Expiration")?)?),
        })
    }

    /// Writes role credentials as botocore does (0600, atomically).
    pub(crate) fn store(
        &self,
        key: &CliCacheKey,
        creds: &Credentials,
        assumed_role_arn: Option<&str>,
    ) -> std::io::Result<()> {
        let (Some(token), Some(expiration)) = (&creds.session_token, creds.expiration) else {
            // Never long-term keys: they have neither a token nor an expiry.
            return Ok(());
        };
        let expiration = expiration.format(&Rfc3339).map_err(std::io::Error::other)?.replace('Z', "+00:00");
        let mut body = json!({
            "Credentials": {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key.expose(),
                "SessionToken": token.expose(),
                "Expiration": expiration,
            },
            "ResponseMetadata": {},
        });
        if let Some(arn) = assumed_role_arn {
            body["AssumedRoleUser"] = json!({ "Arn": arn, "AssumedRoleId": "" });
        }
        fsutil::write_private(&self.dir, &self.path(key), body.to_string().as_bytes())
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `body` as `<dir>/<file_name>` (0600, atomically).
    pub(crate) fn store_named(&self, file_name: &str, body: &Value) -> std::io::Result<()> {
        fsutil::write_private(&self.dir, &self.dir.join(file_name), body.to_string().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn key_matches_botocore_for_the_documented_vector() {
        let key = CliCacheKey {
            role_arn: "arn:aws:iam::123456789012:role/acme-prod-admin".into(),
            role_session_name: None,
            external_id: None,
            serial_number: Some("arn:aws:iam::123456789012:mfa/alice".into()),
            duration_seconds: None,
        };
        assert_eq!(key.file_name(), "1cfc666b657efcd9ba80b3916b0bb1f2289c1d8c.json");
    }

    #[test]
    fn key_matches_python_for_every_field_and_escapes() {
        // python3 -c 'import json,hashlib; print(hashlib.sha1(json.dumps({"RoleArn":
        // "arn:aws:iam::1:role/x","ExternalId":"ext-é\"\\","DurationSeconds":3600,
        // "RoleSessionName":"alice"},sort_keys=True).encode()).hexdigest())'
        let key = CliCacheKey {
            role_arn: "arn:aws:iam::1:role/x".into(),
            role_session_name: Some("alice".into()),
            external_id: Some("ext-é\"\\".into()),
            serial_number: None,
            duration_seconds: Some(3600),
        };
        assert_eq!(key.file_name(), "f4ae19a361b7e0f6a8f0245e1aca305e7a818a44.json");
    }

    #[test]
    fn expiration_formats() {
        let want = datetime!(2026-11-23 10:00:00 UTC);
        assert_eq!(parse_expiration("2026-11-23T10:00:00Z"), Some(want));
        assert_eq!(parse_expiration("2026-11-23T10:00:00+00:00"), Some(want));
        assert_eq!(parse_expiration("2026-11-23T10:00:00UTC"), Some(want));
        assert_eq!(parse_expiration("2026-11-23T19:00:00+09:00"), Some(want));
        assert_eq!(parse_expiration("yesterday"), None);
    }

    #[test]
    fn store_then_load_round_trips_and_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = CliCache::new(dir.path().join("cache"));
        let key = CliCacheKey {
            role_arn: "arn:aws:iam::1:role/x".into(),
            role_session_name: None,
            external_id: None,
            serial_number: None,
            duration_seconds: None,
        };
        let creds = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(datetime!(2026-11-23 10:00:00 UTC)),
        };
        cache.store(&key, &creds, Some("arn:aws:sts::1:assumed-role/x/alice")).unwrap();
        let text = std::fs::read_to_string(cache.path(&key)).unwrap();
        assert!(text.contains("\"Expiration\":\"2026-11-23T10:00:00+00:00\""), "{text}");
        let mode = std::fs::metadata(cache.path(&key)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(cache.load(&key), Some(creds));
    }
}
