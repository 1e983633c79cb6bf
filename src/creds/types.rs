//! The values the engine hands out. Secrets inside are `Secret`s, so printing any of these
//! with `{:?}` shows no key material.

use time::OffsetDateTime;

use crate::config::{Kind, Profile};
use crate::secret::Secret;

/// A set of AWS credentials: long-term keys (no token, no expiry) or a temporary session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
}

impl Credentials {
    /// Long-term keys: no session token. awsw never writes these anywhere.
    pub(crate) fn is_long_term(&self) -> bool {
        self.session_token.is_none()
    }
}

/// Who a set of credentials belongs to, from `sts:GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Where a session's credentials came from this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionOrigin {
    /// Keys straight from the credentials file.
    Static,
    /// A still-valid session from awsw's or the AWS CLI's cache.
    Cache,
    /// Just obtained from STS (or an SSO / process / web-identity provider).
    Fresh,
}

/// Working credentials for one profile, ready for a sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub profile: String,
    pub credentials: Credentials,
    /// The profile's region (own or along its chain), when known.
    pub region: Option<String>,
    pub identity: Option<Identity>,
    pub origin: SessionOrigin,
}

/// What getting credentials for a profile takes right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Available without asking (static keys, a valid cache, `credential_source`, a valid SSO token).
    Ready {
        expiration: Option<OffsetDateTime>,
    },
    NeedsMfa {
        serial: String,
        has_mfa_process: bool,
    },
    NeedsSsoLogin {
        command: String,
    },
    /// `credential_process`: never run unasked.
    NeedsProcess,
    /// The SDKs' default chain, with no keys in the environment: looked up only when chosen,
    /// since probing the instance metadata service unasked costs a timeout off EC2.
    DefaultChain,
    Unusable {
        reason: String,
    },
}

impl Readiness {
    /// Whether `GetCallerIdentity` can run for `profile` without any prompt: a ready
    /// session, or long-term keys, which need no MFA code for it even where switching to
    /// the profile does.
    pub(crate) fn identity_without_prompt(&self, profile: &Profile) -> bool {
        match self {
            Readiness::Ready { .. } => true,
            Readiness::NeedsMfa { .. } => profile.kind == Kind::Static,
            _ => false,
        }
    }
}

/// The answer to "who am I" for a profile.
#[derive(Debug, Clone)]
pub struct IdentityReport {
    pub identity: Identity,
    pub expiration: Option<OffsetDateTime>,
    pub origin: SessionOrigin,
    pub session_name: Option<String>,
    /// Root-key and key-age facts about the long-term keys at the chain's root, when looked up.
    pub keys: Option<super::keyfacts::KeyFacts>,
    /// The identity is the one STS returned with a cached session (no call was made now).
    pub identity_from_cache: bool,
}
