//! Problems (a profile cannot work) and hygiene warnings (it works, but should not be like
//! this): a stable code each, whose string form is what the README's tables document and what
//! `list --json` and the table's SOURCE column show, and a one-line message.

use serde::Serialize;

/// The stable code of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingCode {
    // Problems.
    Cycle,
    MissingSource,
    SourceConflict,
    RoleWithoutSource,
    UnknownCredentialSource,
    HalfKeyPair,
    MissingSsoSession,
    IncompleteSso,
    NoCredentials,
    BadDuration,
    SourceBroken,
    ChainTooLong,
    // Hygiene warnings.
    StaticKeys,
    NoMfa,
    DurationOutOfRange,
    NoRegion,
    // Key hygiene, from IAM and STS (`whoami`, the picker).
    RootKeys,
    OldKey,
}

impl FindingCode {
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
    pub code: FindingCode,
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
