//! Where a chain's first credentials come from: `Root`, a sum type carrying what each
//! source needs (keys, a `credential_source`, a web identity, SSO settings, a command), and
//! `RootKind`, its tag. Built from the chain's first profile once resolution has chosen the
//! kind; pure.

use super::profile::{own, owned};
use super::set::{ProfileSet, RawProfile};
use crate::secret::Secret;

/// `credential_source` values the SDKs accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// `AWS_ACCESS_KEY_ID` and friends in the environment.
    Environment,
    /// The EC2 instance role, from the instance metadata service (IMDS).
    Ec2InstanceMetadata,
    /// The ECS task role, from the container credentials endpoint.
    EcsContainer,
}

impl CredentialSource {
    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "Environment" => Some(Self::Environment),
            "Ec2InstanceMetadata" => Some(Self::Ec2InstanceMetadata),
            "EcsContainer" => Some(Self::EcsContainer),
            _ => None,
        }
    }
}

/// Which kind of root a chain has: `Root` without its data, for plans, cache keys and
/// labels that only need to know the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// Access keys in a file (long-term, or temporary when a session token is there too).
    StaticKeys,
    /// `credential_source` on a role profile: the environment, instance or container.
    CredentialSource(CredentialSource),
    /// `role_arn` + `web_identity_token_file` on the root profile itself.
    WebIdentity,
    /// IAM Identity Center: a token from the SSO cache, then `GetRoleCredentials`.
    Sso,
    /// `credential_process`: the command's output.
    CredentialProcess,
    /// Nothing in the profile: the SDKs' default chain outside the profile files.
    DefaultChain,
}

/// Where a usable profile's chain gets its first credentials, with everything that source
/// needs. The data is the chain root's (the first profile of `chain`), so a role profile
/// carries its root's keys, SSO settings or command. Resolution guarantees what is not an
/// `Option` here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Root {
    StaticKeys(StaticKeys),
    /// The environment, the instance role or the container role; the profile's own
    /// `role_arn` is the first role assumed with them.
    CredentialSource(CredentialSource),
    WebIdentity {
        role_arn: String,
        token_file: String,
    },
    Sso(SsoRoot),
    CredentialProcess {
        command: String,
    },
    /// The profile sets no credentials: the SDKs' default chain outside the profile files
    /// (environment, web identity, container endpoint, instance metadata).
    DefaultChain,
}

impl Root {
    pub(crate) fn kind(&self) -> RootKind {
        match self {
            Root::StaticKeys(_) => RootKind::StaticKeys,
            Root::CredentialSource(source) => RootKind::CredentialSource(*source),
            Root::WebIdentity { .. } => RootKind::WebIdentity,
            Root::Sso(_) => RootKind::Sso,
            Root::CredentialProcess { .. } => RootKind::CredentialProcess,
            Root::DefaultChain => RootKind::DefaultChain,
        }
    }
}

/// An SSO root: a profile naming an `[sso-session]` (whose start URL and region it takes
/// unless it sets its own; account and role may be missing, which only a sign-in tells), or
/// the legacy form with all four settings on the profile itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoRoot {
    /// The profile names an `[sso-session]` with `sso_session`.
    Session {
        /// The `[sso-session NAME]` it names.
        name: String,
        /// `sso_start_url`: the profile's own, else the session's.
        start_url: Option<String>,
        /// `sso_region`: the profile's own, else the session's.
        region: Option<String>,
        /// The profile's `sso_account_id`.
        account_id: Option<String>,
        /// The profile's `sso_role_name`.
        role_name: Option<String>,
    },
    /// No `sso_session`: the four settings on the profile itself (resolution checked them).
    Legacy {
        /// `sso_start_url`.
        start_url: String,
        /// `sso_region`, where the OIDC service and the portal are.
        region: String,
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
    },
}

impl SsoRoot {
    /// The `[sso-session]` name, `None` for the legacy form.
    pub(crate) fn session(&self) -> Option<&str> {
        match self {
            SsoRoot::Session { name, .. } => Some(name),
            SsoRoot::Legacy { .. } => None,
        }
    }

    /// The start URL (the portal's sign-in page) the login belongs to, if known.
    pub fn start_url(&self) -> Option<&str> {
        match self {
            SsoRoot::Session { start_url, .. } => start_url.as_deref(),
            SsoRoot::Legacy { start_url, .. } => Some(start_url),
        }
    }

    pub(crate) fn region(&self) -> Option<&str> {
        match self {
            SsoRoot::Session { region, .. } => region.as_deref(),
            SsoRoot::Legacy { region, .. } => Some(region),
        }
    }

    pub(crate) fn account_id(&self) -> Option<&str> {
        match self {
            SsoRoot::Session { account_id, .. } => account_id.as_deref(),
            SsoRoot::Legacy { account_id, .. } => Some(account_id),
        }
    }

    pub(crate) fn role_name(&self) -> Option<&str> {
        match self {
            SsoRoot::Session { role_name, .. } => role_name.as_deref(),
            SsoRoot::Legacy { role_name, .. } => Some(role_name),
        }
    }
}

/// Access keys from a file. The secret half never leaves through `Debug` or serialization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticKeys {
    /// `aws_access_key_id`: the half of the pair that is not secret.
    pub access_key_id: String,
    pub(crate) secret_access_key: Secret,
    pub(crate) session_token: Option<Secret>,
}

pub(super) fn static_keys(raw: &RawProfile) -> Option<StaticKeys> {
    Some(StaticKeys {
        access_key_id: owned(raw, "aws_access_key_id")?,
        secret_access_key: Secret::new(own(raw, "aws_secret_access_key")?),
        session_token: own(raw, "aws_session_token").map(Secret::new),
    })
}

/// The data of a chain's root of `kind`, read from the chain's first profile `raw`.
pub(super) fn root_of(set: &ProfileSet, kind: RootKind, raw: &RawProfile) -> Option<Root> {
    Some(match kind {
        RootKind::StaticKeys => Root::StaticKeys(static_keys(raw)?),
        RootKind::CredentialSource(source) => Root::CredentialSource(source),
        RootKind::WebIdentity => Root::WebIdentity {
            role_arn: owned(raw, "role_arn")?,
            token_file: owned(raw, "web_identity_token_file")?,
        },
        RootKind::Sso => Root::Sso(sso_root(set, raw)?),
        RootKind::CredentialProcess => Root::CredentialProcess { command: owned(raw, "credential_process")? },
        RootKind::DefaultChain => Root::DefaultChain,
    })
}

/// An SSO root profile's settings; its own start URL and region come before its session's.
fn sso_root(set: &ProfileSet, raw: &RawProfile) -> Option<SsoRoot> {
    let Some(name) = own(raw, "sso_session") else {
        return Some(SsoRoot::Legacy {
            start_url: owned(raw, "sso_start_url")?,
            region: owned(raw, "sso_region")?,
            account_id: owned(raw, "sso_account_id")?,
            role_name: owned(raw, "sso_role_name")?,
        });
    };
    let section = set.sso_session(name);
    let own_or_session = |key: &str| owned(raw, key).or_else(|| section.and_then(|s| owned(s, key)));
    Some(SsoRoot::Session {
        name: name.to_string(),
        start_url: own_or_session("sso_start_url"),
        region: own_or_session("sso_region"),
        account_id: owned(raw, "sso_account_id"),
        role_name: owned(raw, "sso_role_name"),
    })
}
