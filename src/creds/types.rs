//! The values the engine hands out. Secrets inside are `Secret`s, so printing any of these
//! with `{:?}` shows no key material.

use time::OffsetDateTime;

use crate::config::{Kind, Profile};
use crate::secret::Secret;

/// A set of AWS credentials: long-term keys (no token, no expiry) or a temporary session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `AKIA…` for long-term keys, `ASIA…` for a session; not a secret.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token; `None` for long-term keys.
    pub session_token: Option<Secret>,
    /// When a session stops working; `None` for long-term keys and for credentials whose
    /// source did not say (the environment's).
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
    /// The 12-digit account id.
    pub account: String,
    /// The caller's ARN: `…:user/NAME`, `…:assumed-role/ROLE/SESSION`, `…:root`.
    pub arn: String,
    /// STS's `UserId`: the user's unique id, or `ROLEID:SESSION` for an assumed role.
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
    /// The profile asked for (not the root of its chain); sinks set it as `AWSW_PROFILE`.
    pub profile: String,
    /// The credentials the sinks hand on.
    pub credentials: Credentials,
    /// The profile's region (own or along its chain), when known.
    pub region: Option<String>,
    /// Who the credentials belong to, when `AssumeRole` said so or the cache kept it.
    pub identity: Option<Identity>,
    /// Where the credentials came from this time.
    pub origin: SessionOrigin,
}

/// What getting credentials for a profile takes right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Available without asking (static keys, a valid cache, `credential_source`, a valid SSO token).
    Ready {
        /// When the cached session ends; `None` for keys that do not expire, or when the
        /// steps still have to run (without asking anything).
        expiration: Option<OffsetDateTime>,
    },
    /// A step still to run needs a code from an MFA device (a base session, or a role
    /// with its own `mfa_serial`), and no cached session covers it.
    NeedsMfa {
        /// The device's ARN.
        serial: String,
        /// Whether an `mfa_process` is set that can supply the code: the role's for a role
        /// step; the root's or the requested profile's for a base session.
        has_mfa_process: bool,
    },
    /// The chain starts at IAM Identity Center, no role credentials are cached, and its
    /// token is missing or expired beyond renewal.
    NeedsSsoLogin {
        /// The login to run, e.g. `awsw login my-sso`.
        command: String,
    },
    /// `credential_process`: never run unasked.
    NeedsProcess,
    /// The SDKs' default chain, with no keys in the environment: looked up only when chosen,
    /// since probing the instance metadata service unasked costs a timeout off EC2.
    DefaultChain,
    /// Cannot work as configured: no such profile, a broken profile, or
    /// `credential_source = Environment` with no keys in the environment.
    Unusable {
        /// What is wrong, as a one-line message.
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
    /// Who STS says the credentials belong to.
    pub identity: Identity,
    /// When the session used for the call ends; `None` for long-term keys.
    pub expiration: Option<OffsetDateTime>,
    /// Where that session came from.
    pub origin: SessionOrigin,
    /// The role session name in an assumed-role ARN; `None` for users and root.
    pub session_name: Option<String>,
    /// Root-key and key-age facts about the long-term keys at the chain's root, when looked up.
    pub keys: Option<super::keyfacts::KeyFacts>,
    /// The identity is the one STS returned with a cached session (no call was made now).
    pub identity_from_cache: bool,
}
