//! The profile model: what each merged profile is (its kind), where its credentials come
//! from (its chain, root first), what is wrong with it (problems: it cannot work) and what
//! is unwise about it (hygiene warnings). Pure, and total: every profile in the set comes
//! out, however broken, so a listing never loses one.

use serde::Serialize;

use super::arn::Arn;
pub use super::finding::{Finding, FindingCode};
use super::resolve::{Broken, Chain, Resolved, resolve_chains};
use super::set::{ProfileSet, RawProfile};
use crate::secret::Secret;

/// How a profile gets its credentials, in the precedence the SDKs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Static,
    AssumeRole,
    WebIdentity,
    Sso,
    CredentialProcess,
    /// Sets no credentials itself (often only `region`): the SDKs go on down their default
    /// chain (environment, web identity, container endpoint, instance metadata).
    DefaultChain,
    Invalid,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::AssumeRole => "assume-role",
            Kind::WebIdentity => "web-identity",
            Kind::Sso => "sso",
            Kind::CredentialProcess => "credential-process",
            Kind::DefaultChain => "default-chain",
            Kind::Invalid => "invalid",
        }
    }

    /// The kind in tables: `credential-process` and `default-chain` are shortened to save room.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CredentialProcess => "cred-process",
            Kind::DefaultChain => "sdk-chain",
            other => other.as_str(),
        }
    }
}

/// `credential_source` values the SDKs accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CredentialSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

impl CredentialSource {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "Environment" => Some(Self::Environment),
            "Ec2InstanceMetadata" => Some(Self::Ec2InstanceMetadata),
            "EcsContainer" => Some(Self::EcsContainer),
            _ => None,
        }
    }
}

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// Access keys in a file (long-term, or temporary when a session token is there too).
    StaticKeys,
    CredentialSource(CredentialSource),
    /// `role_arn` + `web_identity_token_file` on the root profile itself.
    WebIdentity,
    Sso,
    CredentialProcess,
    /// Nothing in the profile: the SDKs' default chain outside the profile files.
    DefaultChain,
}

/// Access keys from a file. The secret half never leaves through `Debug` or serialization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticKeys {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

/// One resolved profile. Serializes to exactly the `awsw list --json` shape.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub name: String,
    pub kind: Kind,
    /// The profile's own region, else the nearest one along its chain.
    pub region: Option<String>,
    pub account_id: Option<String>,
    pub role_arn: Option<String>,
    pub role_name: Option<String>,
    pub source_profile: Option<String>,
    pub credential_source: Option<String>,
    /// The MFA device a switch to this profile asks a code for (own, else from the chain).
    pub mfa_serial: Option<String>,
    pub sso_session: Option<String>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub description: Option<String>,
    /// Profile names from the root of the credentials to this profile.
    pub chain: Vec<String>,
    pub problems: Vec<Finding>,
    pub warnings: Vec<Finding>,
    #[serde(skip)]
    pub root: Option<RootKind>,
    #[serde(skip)]
    pub static_keys: Option<StaticKeys>,
    /// The profile's own `mfa_serial` (`mfa_serial` above may come from its chain).
    #[serde(skip)]
    pub own_mfa_serial: Option<String>,
    #[serde(skip)]
    pub mfa_process: Option<String>,
    #[serde(skip)]
    pub endpoint_url: Option<String>,
    /// `endpoint_url` under `sts` in the `[services NAME]` section the profile names.
    #[serde(skip)]
    pub sts_endpoint_url: Option<String>,
    #[serde(skip)]
    pub web_identity_token_file: Option<String>,
    #[serde(skip)]
    pub credential_process: Option<String>,
    #[serde(skip)]
    pub sso_start_url: Option<String>,
    #[serde(skip)]
    pub sso_region: Option<String>,
    #[serde(skip)]
    pub sso_account_id: Option<String>,
    #[serde(skip)]
    pub sso_role_name: Option<String>,
    /// The file and line where the profile was first declared.
    #[serde(skip)]
    pub origin: (String, usize),
}

impl Profile {
    pub fn needs_mfa(&self) -> bool {
        self.mfa_serial.is_some()
    }
}

/// `[sso-session NAME]`, listed on its own.
#[derive(Debug, Clone, Serialize)]
pub struct SsoSession {
    pub name: String,
    pub sso_start_url: Option<String>,
    pub sso_region: Option<String>,
    /// Comma-separated OIDC scopes for `awsw login` (not part of `list --json`).
    #[serde(skip)]
    pub sso_registration_scopes: Option<String>,
}

/// Longest role chain awsw follows. Real chains are a few hops; the cap keeps a hostile
/// file of thousands of chained profiles from costing quadratic memory.
pub const MAX_CHAIN: usize = 64;

const DURATION_MIN: u32 = 900;
const DURATION_MAX: u32 = 43_200;

/// The value of `key` in a property made of sub-properties (`s3 =\n  key = value`).
fn sub_property<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    value.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim()).filter(|v| !v.is_empty())
    })
}

/// A non-empty property of the profile itself.
pub(super) fn own<'a>(raw: &'a RawProfile, key: &str) -> Option<&'a str> {
    raw.get(key).filter(|v| !v.is_empty())
}

fn owned(raw: &RawProfile, key: &str) -> Option<String> {
    own(raw, key).map(str::to_string)
}

pub(super) fn static_keys(raw: &RawProfile) -> Option<StaticKeys> {
    Some(StaticKeys {
        access_key_id: owned(raw, "aws_access_key_id")?,
        secret_access_key: Secret::new(own(raw, "aws_secret_access_key")?),
        session_token: own(raw, "aws_session_token").map(Secret::new),
    })
}

/// Resolves every profile of the set. Iterative, so a chain of any length costs no stack.
pub fn resolve_all(set: &ProfileSet) -> Vec<Profile> {
    let resolution = Resolution::new(set);
    (0..set.profiles.len()).map(|idx| resolution.profile(set, idx)).collect()
}

/// Which root and chain every profile of a set has, without the `Profile` values yet: a
/// caller that streams profiles out builds each one when it needs it, on any thread.
pub struct Resolution {
    memo: Vec<Resolved>,
}

impl Resolution {
    pub fn new(set: &ProfileSet) -> Resolution {
        Resolution { memo: resolve_chains(set) }
    }

    /// The resolved profile at `idx` of `set.profiles`.
    pub fn profile(&self, set: &ProfileSet, idx: usize) -> Profile {
        self.profile_ref(set, idx).to_profile(set)
    }

    /// The same, borrowing its strings from `set`.
    pub fn profile_ref<'s>(&'s self, set: &'s ProfileSet<'s>, idx: usize) -> ProfileRef<'s> {
        profile_ref(set, &set.profiles[idx], &self.memo[idx])
    }
}

/// A resolved profile that borrows every string from the parsed files. `list --json` writes
/// these directly; `Profile` is its owned form for everything that keeps profiles around.
pub struct ProfileRef<'s> {
    pub name: &'s str,
    pub kind: Kind,
    pub region: Option<&'s str>,
    pub account_id: Option<&'s str>,
    pub role_arn: Option<&'s str>,
    pub role_name: Option<&'s str>,
    pub source_profile: Option<&'s str>,
    pub credential_source: Option<&'s str>,
    pub mfa_serial: Option<&'s str>,
    pub sso_session: Option<&'s str>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<&'s str>,
    pub role_session_name: Option<&'s str>,
    pub description: Option<&'s str>,
    /// Indices into `ProfileSet::profiles`, root first.
    pub chain: &'s [usize],
    pub problems: Vec<Finding>,
    pub warnings: Vec<Finding>,
    root: Option<RootKind>,
    root_profile: Option<&'s RawProfile<'s>>,
    mfa_process: Option<&'s str>,
    endpoint_url: Option<&'s str>,
    sts_endpoint_url: Option<&'s str>,
    sso_start_url: Option<&'s str>,
    sso_region: Option<&'s str>,
    raw: &'s RawProfile<'s>,
}

/// The account and role name of a `role_arn` (an IAM role's ARN).
fn role_parts(role_arn: Option<&str>) -> (Option<&str>, Option<&str>) {
    match role_arn.and_then(Arn::parse) {
        Some(arn) => (arn.account_id().filter(|_| arn.service == "iam"), arn.role_name()),
        None => (None, None),
    }
}

fn profile_ref<'s>(
    set: &'s ProfileSet<'s>,
    raw: &'s RawProfile<'s>,
    resolved: &'s Resolved,
) -> ProfileRef<'s> {
    let mut problems = Vec::new();
    let (kind, root, chain): (Kind, Option<RootKind>, &[usize]) = match resolved {
        Ok(Chain { root, kind, members }) => (*kind, Some(*root), members),
        Err(Broken { finding, .. }) => {
            problems.push(finding.clone());
            (Kind::Invalid, None, &[])
        }
    };
    // Nearest first: this profile, then its sources toward the root.
    let along_chain =
        |key: &str| own(raw, key).or_else(|| chain.iter().rev().find_map(|&i| own(&set.profiles[i], key)));
    let duration_seconds = match own(raw, "duration_seconds") {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(value) => Some(value),
            Err(_) => {
                problems.push(Finding::new(
                    FindingCode::BadDuration,
                    format!("duration_seconds {text:?} is not a whole number of seconds"),
                ));
                None
            }
        },
    };
    // The device a switch prompts for: the root's (GetSessionToken), else the first role's.
    let mfa_owner = chain.iter().map(|&i| &set.profiles[i]).find(|p| own(p, "mfa_serial").is_some());
    let role_arn = own(raw, "role_arn");
    let (role_account, role_name) = role_parts(role_arn);
    let sso_session = own(raw, "sso_session");
    let session_section = sso_session.and_then(|s| set.sso_session(s));
    let sso_account_id = own(raw, "sso_account_id");
    let broken = !problems.is_empty();
    let mut profile = ProfileRef {
        name: raw.name,
        kind: if broken { Kind::Invalid } else { kind },
        region: along_chain("region"),
        account_id: role_account
            .or_else(|| sso_account_id.filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))),
        role_arn,
        role_name,
        source_profile: own(raw, "source_profile"),
        credential_source: own(raw, "credential_source"),
        mfa_serial: mfa_owner.and_then(|p| own(p, "mfa_serial")).or_else(|| own(raw, "mfa_serial")),
        sso_session,
        duration_seconds,
        external_id: own(raw, "external_id"),
        role_session_name: own(raw, "role_session_name"),
        description: own(raw, "description"),
        chain: if broken { &[] } else { chain },
        problems,
        warnings: Vec::new(),
        root: if broken { None } else { root },
        root_profile: match root {
            Some(RootKind::StaticKeys) if !broken => chain.first().map(|&i| &set.profiles[i]),
            _ => None,
        },
        mfa_process: mfa_owner.and_then(|p| own(p, "mfa_process")).or_else(|| own(raw, "mfa_process")),
        endpoint_url: along_chain("endpoint_url"),
        sts_endpoint_url: own(raw, "services")
            .and_then(|name| set.services_section(name))
            .and_then(|section| own(section, "sts"))
            .and_then(|sts| sub_property(sts, "endpoint_url")),
        sso_start_url: own(raw, "sso_start_url")
            .or_else(|| session_section.and_then(|s| own(s, "sso_start_url"))),
        sso_region: own(raw, "sso_region").or_else(|| session_section.and_then(|s| own(s, "sso_region"))),
        raw,
    };
    profile.warnings = hygiene(&profile);
    profile
}

impl ProfileRef<'_> {
    /// The owned `Profile`, with the secrets of its root keys wrapped in `Secret`.
    pub fn to_profile(&self, set: &ProfileSet) -> Profile {
        let string = |s: Option<&str>| s.map(str::to_string);
        Profile {
            name: self.name.to_string(),
            kind: self.kind,
            region: string(self.region),
            account_id: string(self.account_id),
            role_arn: string(self.role_arn),
            role_name: string(self.role_name),
            source_profile: string(self.source_profile),
            credential_source: string(self.credential_source),
            mfa_serial: string(self.mfa_serial),
            sso_session: string(self.sso_session),
            duration_seconds: self.duration_seconds,
            external_id: string(self.external_id),
            role_session_name: string(self.role_session_name),
            description: string(self.description),
            chain: self.chain.iter().map(|&i| set.profiles[i].name.to_string()).collect(),
            problems: self.problems.clone(),
            warnings: self.warnings.clone(),
            root: self.root,
            static_keys: self.root_profile.and_then(static_keys),
            own_mfa_serial: owned(self.raw, "mfa_serial"),
            mfa_process: string(self.mfa_process),
            endpoint_url: string(self.endpoint_url),
            sts_endpoint_url: string(self.sts_endpoint_url),
            web_identity_token_file: owned(self.raw, "web_identity_token_file"),
            credential_process: owned(self.raw, "credential_process"),
            sso_start_url: string(self.sso_start_url),
            sso_region: string(self.sso_region),
            sso_account_id: owned(self.raw, "sso_account_id"),
            sso_role_name: owned(self.raw, "sso_role_name"),
            origin: (set.files.get(self.raw.file).cloned().unwrap_or_default(), self.raw.line),
        }
    }
}

/// The hygiene warnings: habits awsw exists to move people off.
fn hygiene(profile: &ProfileRef) -> Vec<Finding> {
    let mut warnings = Vec::new();
    if let Some(root) = profile.root_profile
        && own(root, "aws_session_token").is_none()
    {
        warnings.push(Finding::new(
            FindingCode::StaticKeys,
            format!("long-term access keys in a plain file (profile {}): prefer SSO or a vault", root.name),
        ));
    }
    let mfa_enforced_elsewhere =
        matches!(profile.root, Some(RootKind::Sso | RootKind::CredentialSource(_) | RootKind::DefaultChain));
    if profile.kind == Kind::AssumeRole && profile.mfa_serial.is_none() && !mfa_enforced_elsewhere {
        warnings.push(Finding::new(
            FindingCode::NoMfa,
            "assumes a role without MFA: add mfa_serial so a stolen key alone cannot switch",
        ));
    }
    if let Some(duration) = profile.duration_seconds
        && !(DURATION_MIN..=DURATION_MAX).contains(&duration)
    {
        warnings.push(Finding::new(
            FindingCode::DurationOutOfRange,
            format!("duration_seconds {duration} is outside 900..=43200; STS will refuse it"),
        ));
    }
    if profile.region.is_none() && profile.kind != Kind::Invalid {
        warnings.push(Finding::new(
            FindingCode::NoRegion,
            "no region anywhere in its chain: the AWS CLI silently falls back to us-east-1",
        ));
    }
    warnings
}

pub fn sso_sessions(set: &ProfileSet) -> Vec<SsoSession> {
    set.sso_sessions
        .iter()
        .map(|s| SsoSession {
            name: s.name.to_string(),
            sso_start_url: owned(s, "sso_start_url"),
            sso_region: owned(s, "sso_region"),
            sso_registration_scopes: owned(s, "sso_registration_scopes"),
        })
        .collect()
}
