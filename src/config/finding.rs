//! Problems (a profile cannot work) and hygiene warnings (it works, but should not be like
//! this): a stable code each, whose string form is what the README's tables document and what
//! `list --json` and the table's SOURCE column show, and a one-line message.

use serde::Serialize;

/// The stable code of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    // Problems.
    /// `source_profile` loops back to a profile already on the chain.
    Cycle,
    /// `source_profile` names no profile, or names the profile itself when it has no keys.
    MissingSource,
    /// Both `source_profile` and `credential_source` are set.
    SourceConflict,
    /// `role_arn` with nothing to assume it with, or `web_identity_token_file` without `role_arn`.
    RoleWithoutSource,
    /// `credential_source` is not `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    UnknownCredentialSource,
    /// Only one of `aws_access_key_id` and `aws_secret_access_key`.
    HalfKeyPair,
    /// `sso_session` names no `[sso-session NAME]` section.
    MissingSsoSession,
    /// A legacy SSO profile lacks one of its four `sso_*` settings.
    IncompleteSso,
    /// `source_profile` names a profile that sets no credentials of its own.
    NoCredentials,
    /// `duration_seconds` is not a whole number.
    BadDuration,
    /// A profile along the chain has a problem; the message names it and the cause.
    SourceBroken,
    /// The role chain is longer than `MAX_CHAIN` (64) profiles.
    ChainTooLong,
    // Hygiene warnings.
    /// The chain starts at long-term access keys in a plain file.
    StaticKeys,
    /// Assumes a role with no `mfa_serial` on the chain, where nothing else enforces MFA.
    NoMfa,
    /// `duration_seconds` outside 900..=43200, which STS refuses.
    DurationOutOfRange,
    /// No region anywhere on the chain: the AWS CLI would fall back to us-east-1.
    NoRegion,
    // Key hygiene, from IAM and STS (`whoami`, the picker).
    /// The keys at the root of the chain are the account's root user's (from STS).
    RootKeys,
    /// The access key at the root of the chain is older than the maximum key age (default 90 days).
    OldKey,
}

impl FindingCode {
    /// The code as the README, `list --json` and the SOURCE column spell it: `missing-source`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::Cycle => "cycle",
            FindingCode::MissingSource => "missing-source",
            FindingCode::SourceConflict => "source-conflict",
            FindingCode::RoleWithoutSource => "role-without-source",
            FindingCode::UnknownCredentialSource => "unknown-credential-source",
            FindingCode::HalfKeyPair => "half-key-pair",
            FindingCode::MissingSsoSession => "missing-sso-session",
            FindingCode::IncompleteSso => "incomplete-sso",
            FindingCode::NoCredentials => "no-credentials",
            FindingCode::BadDuration => "bad-duration",
            FindingCode::SourceBroken => "source-broken",
            FindingCode::ChainTooLong => "chain-too-long",
            FindingCode::StaticKeys => "static-keys",
            FindingCode::NoMfa => "no-mfa",
            FindingCode::DurationOutOfRange => "duration-out-of-range",
            FindingCode::NoRegion => "no-region",
            FindingCode::RootKeys => "root-keys",
            FindingCode::OldKey => "old-key",
        }
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for FindingCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A problem or a hygiene warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind of problem or warning it is.
    pub code: FindingCode,
    /// One line for the user, naming the setting or profile at fault.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(code: FindingCode, message: impl Into<String>) -> Self {
        Finding { code, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the README documents, in its tables' order.
    #[test]
    fn codes_are_the_documented_strings() {
        let readme = include_str!("../../README.md");
        let all = [
            FindingCode::Cycle,
            FindingCode::MissingSource,
            FindingCode::SourceConflict,
            FindingCode::RoleWithoutSource,
            FindingCode::UnknownCredentialSource,
            FindingCode::HalfKeyPair,
            FindingCode::MissingSsoSession,
            FindingCode::IncompleteSso,
            FindingCode::NoCredentials,
            FindingCode::BadDuration,
            FindingCode::SourceBroken,
            FindingCode::ChainTooLong,
            FindingCode::StaticKeys,
            FindingCode::NoMfa,
            FindingCode::DurationOutOfRange,
            FindingCode::NoRegion,
            FindingCode::RootKeys,
            FindingCode::OldKey,
        ];
        for code in all {
            assert!(readme.contains(&format!("| `{code}` |")), "README does not document {code}");
        }
        let documented = readme.lines().filter(|l| l.starts_with("| `") && l.contains("` | ")).count();
        assert!(documented >= all.len());
    }
}
