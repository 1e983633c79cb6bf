//! What awsw knows about the long-term keys at the root of a profile's chain: whether they are
//! the account's root keys (`root-keys`, an alarm) and how old they are (`old-key`). Pure
//! judgement here; `keyage` does the lookups. Nothing here holds a secret.

use time::OffsetDateTime;

use crate::config::Finding;

/// When a key was made and last used, or that IAM would not say without MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAge {
    /// IAM answered, now or earlier (kept a day for lookups in `keyage-*.json`, which
    /// `awsw list` reads however old).
    Known {
        /// When the key was created; `None` when IAM did not list it with a date.
        created: Option<OffsetDateTime>,
        /// When the key was last used; `None` when never, or IAM would not say.
        last_used: Option<OffsetDateTime>,
        /// The service it was last used with (`s3`).
        last_service: Option<String>,
    },
    /// IAM refused `ListAccessKeys` (many policies deny IAM without MFA).
    NeedsMfa,
}

/// The facts about one profile's root keys, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    /// The profile whose section holds the keys (the root of the chain).
    pub holder: String,
    pub(crate) key_id: String,
    /// The ARN STS gave for the keys is the account's root.
    pub root: bool,
    /// The key's age; `None` when not looked up, or IAM failed (other than refusing) or
    /// took longer than 4 s.
    pub age: Option<KeyAge>,
    /// Days after which the key is `old-key` (`max_key_age_days()` when looked up).
    pub(crate) max_age_days: i64,
}

/// `arn:PARTITION:iam::ACCOUNT:root` in any partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
pub(crate) fn is_root_arn(arn: &str) -> bool {
    crate::config::Arn::parse(arn).is_some_and(|arn| arn.is_root())
}

/// The `root-keys` finding for the profile whose keys are the account's root keys.
pub(crate) fn root_keys_finding(holder: &str) -> Finding {
    Finding {
        code: crate::config::FindingCode::RootKeys,
        message: format!(
            "profile {holder} holds the account's root access keys: no IAM policy can limit them; delete them in the console (Security credentials) and use an IAM user or SSO instead"
        ),
    }
}

/// `AWSW_MAX_KEY_AGE_DAYS` (or `max_key_age_days` in awsw's settings), else 90.
pub(crate) fn max_key_age_days() -> i64 {
    i64::from(crate::settings::current().max_key_age_days)
}

fn date(t: OffsetDateTime) -> String {
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn days(now: OffsetDateTime, then: OffsetDateTime) -> i64 {
    (now - then).whole_days().max(0)
}

impl KeyFacts {
    /// Whole days since the key was created, when known.
    pub fn age_days(&self, now: OffsetDateTime) -> Option<i64> {
        match &self.age {
            Some(KeyAge::Known { created: Some(created), .. }) => Some(days(now, *created)),
            _ => None,
        }
    }

    /// `root-keys` and `old-key`, as they apply.
    pub fn findings(&self, now: OffsetDateTime) -> Vec<Finding> {
        let max_days = self.max_age_days;
        let mut findings = Vec::new();
        if self.root {
            findings.push(root_keys_finding(&self.holder));
        }
        if let Some(age) = self.age_days(now).filter(|d| *d > max_days) {
            findings.push(Finding {
                code: crate::config::FindingCode::OldKey,
                message: format!(
                    "access key {} of profile {} is {age} days old (more than {max_days}): rotate it with `awsw rotate {}`",
                    crate::secret::mask_key_id(&self.key_id),
                    self.holder,
                    self.holder
                ),
            });
        }
        findings
    }

    /// The one line the details pane and `whoami` show, e.g.
    /// `AKIA****ABCD created 2025-10-20 (400 days ago), last used 2026-11-23 (s3)`.
    pub fn describe(&self, now: OffsetDateTime) -> Option<String> {
        let masked = crate::secret::mask_key_id(&self.key_id);
        match self.age.as_ref()? {
            KeyAge::NeedsMfa => Some("unknown (needs MFA)".into()),
            KeyAge::Known { created, last_used, last_service } => {
                let created = match created {
                    Some(t) => format!("created {} ({} days ago)", date(*t), days(now, *t)),
                    None => "created at an unknown date".into(),
                };
                let used = match (last_used, last_service) {
                    (Some(t), Some(service)) => format!("last used {} ({service})", date(*t)),
                    (Some(t), None) => format!("last used {}", date(*t)),
                    (None, _) => "never used".into(),
                };
                Some(format!("{masked} {created}, {used}"))
            }
        }
    }

    /// The `key` object of `whoami --json`: `null` when unknown, the string
    /// `"unknown (needs MFA)"` when IAM refused.
    pub(crate) fn json(&self, now: OffsetDateTime) -> serde_json::Value {
        let rfc = |t: &Option<OffsetDateTime>| {
            t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        };
        match &self.age {
            None => serde_json::Value::Null,
            Some(KeyAge::NeedsMfa) => serde_json::Value::from("unknown (needs MFA)"),
            Some(KeyAge::Known { created, last_used, last_service }) => serde_json::json!({
                "id": self.key_id,
                "created": rfc(created),
                "age_days": self.age_days(now),
                "last_used": rfc(last_used),
                "last_used_service": last_service,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn root_arns_in_every_partition() {
        assert!(is_root_arn("arn:aws:iam::123456789012:root"));
        assert!(is_root_arn("arn:aws-cn:iam::123456789012:root"));
        assert!(is_root_arn("arn:aws-us-gov:iam::123456789012:root"));
        assert!(!is_root_arn("arn:aws:iam::123456789012:user/root"));
        assert!(!is_root_arn("arn:aws:sts::123456789012:assumed-role/root/x"));
        assert!(!is_root_arn("arn:aws:iam::12345:root"));
        assert!(!is_root_arn("arn:aws:iam:us-east-1:123456789012:root"));
        assert!(!is_root_arn("root"));
    }

    fn facts(root: bool, age: Option<KeyAge>) -> KeyFacts {
        KeyFacts { holder: "base".into(), key_id: "AKIAIOSFODNN7EXAMPLE".into(), root, age, max_age_days: 90 }
    }

    #[test]
    fn old_and_root_keys_are_findings() {
        let now = datetime!(2026-11-24 12:00 UTC);
        let old = KeyAge::Known {
            created: Some(now - time::Duration::days(400)),
            last_used: Some(datetime!(2026-11-23 08:00 UTC)),
            last_service: Some("s3".into()),
        };
        let found = facts(true, Some(old.clone())).findings(now);
        let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["root-keys", "old-key"]);
        assert!(found[1].message.contains("400 days old") && found[1].message.contains("awsw rotate base"));
        let lenient = KeyFacts { max_age_days: 500, ..facts(false, Some(old.clone())) };
        assert!(lenient.findings(now).is_empty());
        assert_eq!(
            facts(false, Some(old)).describe(now).unwrap(),
            "AKIA****MPLE created 2025-10-20 (400 days ago), last used 2026-11-23 (s3)"
        );
        assert_eq!(facts(false, Some(KeyAge::NeedsMfa)).describe(now).unwrap(), "unknown (needs MFA)");
        assert!(facts(false, Some(KeyAge::NeedsMfa)).findings(now).is_empty());
    }
}
