//! The profile model: what each merged profile is (its kind), where its credentials come
//! from (its chain, root first), what is wrong with it (problems: it cannot work) and what
//! is unwise about it (hygiene warnings). Pure, and total: every profile in the set comes
//! out, however broken, so a listing never loses one.

use serde::Serialize;

use super::arn::Arn;
pub(crate) use super::finding::{Finding, FindingCode};
use super::resolve::{Broken, Chain, Resolved, resolve_chains};
use super::root::root_of;
pub(crate) use super::root::{CredentialSource, Root, RootKind, SsoRoot, StaticKeys};
use super::set::{ProfileSet, RawProfile};

/// How a profile gets its credentials, in the precedence the SDKs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Access keys in the profile itself (long-term, or with `aws_session_token`).
    Static,
    /// `role_arn` assumed with credentials from `source_profile` or `credential_source`.
    AssumeRole,
    /// `role_arn` assumed with the token in `web_identity_token_file`.
    WebIdentity,
    /// IAM Identity Center: `sso_session`, or the legacy `sso_start_url` settings.
    Sso,
    /// `credential_process`: a command that prints the credentials.
    CredentialProcess,
    /// Sets no credentials itself (often only `region`): the SDKs go on down their default
    /// chain (environment, web identity, container endpoint, instance metadata).
    DefaultChain,
    /// Has a problem (see `problems`): it cannot give credentials.
    Invalid,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::CredentialProcess => "cred-process",
            Kind::DefaultChain => "sdk-chain",
            other => other.as_str(),
        }
    }
}

/// What `awsw list --json` says about one profile, in its order: the one place that
/// field list is written. `S` is `&str` while `list --json` streams straight from the parsed
/// files, `String` in an owned `Profile`.
#[derive(Debug, Clone, Serialize)]
pub struct Listing<S> {
    pub name: S,
    pub kind: Kind,
    /// The profile's own region, else the nearest one along its chain.
    pub region: Option<S>,
    pub account_id: Option<S>,
    pub(crate) role_arn: Option<S>,
    pub role_name: Option<S>,
    pub(crate) source_profile: Option<S>,
    pub(crate) credential_source: Option<S>,
    /// The MFA device a switch to this profile asks a code for: the first `mfa_serial` along
    /// its chain, root first (the profile's own when it has no chain).
    pub mfa_serial: Option<S>,
    pub(crate) sso_session: Option<S>,
    pub(crate) duration_seconds: Option<u32>,
    pub(crate) external_id: Option<S>,
    pub(crate) role_session_name: Option<S>,
    pub(crate) description: Option<S>,
    /// Profile names from the root of the credentials to this profile.
    pub chain: Vec<S>,
    pub problems: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// One resolved profile: its listing, and what the engine needs beyond it. The listing's
/// fields read through `Deref` (`profile.name`), so code that only looks at a profile never
/// names the split; it serializes to the listing alone.
#[derive(Debug, Clone)]
pub struct Profile {
    pub(crate) listing: Listing<String>,
    /// Where the chain's credentials start; `None` exactly when the profile is invalid.
    pub(crate) root: Option<Root>,
    /// The profile's own `mfa_serial` (the listing's may come from its chain).
    pub(crate) own_mfa_serial: Option<String>,
    pub(crate) mfa_process: Option<String>,
    /// `endpoint_url`: the profile's own, else the nearest along its chain; STS and IAM calls
    /// use it when nothing more specific is set (see `creds::env`, `creds::iam`).
    pub endpoint_url: Option<String>,
    /// `endpoint_url` under `sts` in the `[services NAME]` section the profile names.
    pub sts_endpoint_url: Option<String>,
    /// The profile's own `sso_role_name`, for display (an incomplete SSO profile shows it too);
    /// the credentials use the root's, in `Root::Sso`.
    pub(crate) sso_role_name: Option<String>,
    /// The file and line where the profile was first declared.
    pub origin: (String, usize),
}

impl std::ops::Deref for Profile {
    type Target = Listing<String>;

    fn deref(&self) -> &Listing<String> {
        &self.listing
    }
}

impl Serialize for Profile {
    fn serialize<Z: serde::Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        self.listing.serialize(serializer)
    }
}

impl Profile {
    pub(crate) fn needs_mfa(&self) -> bool {
        self.mfa_serial.is_some()
    }

    /// Which kind of source the chain starts at; `None` when the profile is invalid.
    pub fn root_kind(&self) -> Option<RootKind> {
        self.root.as_ref().map(Root::kind)
    }

    /// The keys in the file at the root of the chain, if it starts with keys.
    pub fn static_keys(&self) -> Option<&StaticKeys> {
        match &self.root {
            Some(Root::StaticKeys(keys)) => Some(keys),
            _ => None,
        }
    }

    /// The SSO settings at the root of the chain, if it starts with SSO.
    pub fn sso(&self) -> Option<&SsoRoot> {
        match &self.root {
            Some(Root::Sso(sso)) => Some(sso),
            _ => None,
        }
    }
}

/// `[sso-session NAME]`, listed on its own.
#[derive(Debug, Clone, Serialize)]
pub struct SsoSession {
    pub(crate) name: String,
    pub(crate) sso_start_url: Option<String>,
    pub(crate) sso_region: Option<String>,
    /// Comma-separated OIDC scopes for `awsw login` (not part of `list --json`).
    #[serde(skip)]
    pub(crate) sso_registration_scopes: Option<String>,
}

/// Longest role chain awsw follows. Real chains are a few hops; the cap keeps a hostile
/// file of thousands of chained profiles from costing quadratic memory.
pub(crate) const MAX_CHAIN: usize = 64;

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

pub(super) fn owned(raw: &RawProfile, key: &str) -> Option<String> {
    own(raw, key).map(str::to_string)
}

/// Resolves every profile of the set. Iterative, so a chain of any length costs no stack.
pub(crate) fn resolve_all(set: &ProfileSet) -> Vec<Profile> {
    let resolution = Resolution::new(set);
    (0..set.profiles.len()).map(|idx| resolution.profile(set, idx)).collect()
}

/// Which root and chain every profile of a set has, without the `Profile` values yet: a
/// caller that streams profiles out builds each one when it needs it, on any thread.
pub(crate) struct Resolution {
    memo: Vec<Resolved>,
}

impl Resolution {
    pub(crate) fn new(set: &ProfileSet) -> Resolution {
        Resolution { memo: resolve_chains(set) }
    }

    /// The resolved profile at `idx` of `set.profiles`.
    pub(crate) fn profile(&self, set: &ProfileSet, idx: usize) -> Profile {
        profile_ref::<String>(set, &set.profiles[idx], &self.memo[idx]).into_profile(set)
    }

    /// The same, borrowing its strings from `set`.
    pub(crate) fn profile_ref<'s>(&'s self, set: &'s ProfileSet<'s>, idx: usize) -> ProfileRef<'s> {
        profile_ref(set, &set.profiles[idx], &self.memo[idx])
    }
}

/// A resolved profile whose listing holds `S` strings (borrowed from the parsed files by
/// default), with what building an owned `Profile` needs besides. `list --json` writes the
/// listing directly; `Profile` is the owned form for everything that keeps profiles around.
pub(crate) struct ProfileRef<'s, S = &'s str> {
    pub(crate) listing: Listing<S>,
    root: Option<RootKind>,
    /// The first profile of the chain, which holds the root's data.
    root_profile: Option<&'s RawProfile<'s>>,
    mfa_process: Option<&'s str>,
    endpoint_url: Option<&'s str>,
    sts_endpoint_url: Option<&'s str>,
    raw: &'s RawProfile<'s>,
}

/// The account and role name of a `role_arn` (an IAM role's ARN).
fn role_parts(role_arn: Option<&str>) -> (Option<&str>, Option<&str>) {
    match role_arn.and_then(Arn::parse) {
        Some(arn) => (arn.account_id().filter(|_| arn.service == "iam"), arn.role_name()),
        None => (None, None),
    }
}

fn duration(raw: &RawProfile, problems: &mut Vec<Finding>) -> Option<u32> {
    let text = own(raw, "duration_seconds")?;
    match text.parse::<u32>() {
        Ok(value) => Some(value),
        Err(_) => {
            problems.push(Finding::new(
                FindingCode::BadDuration,
                format!("duration_seconds {text:?} is not a whole number of seconds"),
            ));
            None
        }
    }
}

fn profile_ref<'s, S: From<&'s str>>(
    set: &'s ProfileSet<'s>,
    raw: &'s RawProfile<'s>,
    resolved: &'s Resolved,
) -> ProfileRef<'s, S> {
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
    let duration_seconds = duration(raw, &mut problems);
    // The device a switch prompts for: the root's (GetSessionToken), else the first role's.
    let mfa_owner = chain.iter().map(|&i| &set.profiles[i]).find(|p| own(p, "mfa_serial").is_some());
    let role_arn = own(raw, "role_arn");
    let (role_account, role_name) = role_parts(role_arn);
    let sso_account_id = own(raw, "sso_account_id");
    let broken = !problems.is_empty();
    let chain = if broken { &[] } else { chain };
    let text = |value: Option<&'s str>| value.map(S::from);
    let mut listing =
        Listing {
            name: S::from(raw.name),
            kind: if broken { Kind::Invalid } else { kind },
            region: text(along_chain("region")),
            account_id: text(role_account.or_else(|| {
                sso_account_id.filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            })),
            role_arn: text(role_arn),
            role_name: text(role_name),
            source_profile: text(own(raw, "source_profile")),
            credential_source: text(own(raw, "credential_source")),
            mfa_serial: text(mfa_owner.and_then(|p| own(p, "mfa_serial")).or_else(|| own(raw, "mfa_serial"))),
            sso_session: text(own(raw, "sso_session")),
            duration_seconds,
            external_id: text(own(raw, "external_id")),
            role_session_name: text(own(raw, "role_session_name")),
            description: text(own(raw, "description")),
            chain: chain.iter().map(|&i| S::from(set.profiles[i].name)).collect(),
            problems,
            warnings: Vec::new(),
        };
    let root = if broken { None } else { root };
    let root_profile = chain.first().map(|&i| &set.profiles[i]);
    listing.warnings = hygiene(&listing, root, root_profile);
    ProfileRef {
        listing,
        root,
        root_profile,
        mfa_process: mfa_owner.and_then(|p| own(p, "mfa_process")).or_else(|| own(raw, "mfa_process")),
        endpoint_url: along_chain("endpoint_url"),
        sts_endpoint_url: own(raw, "services")
            .and_then(|name| set.services_section(name))
            .and_then(|section| own(section, "sts"))
            .and_then(|sts| sub_property(sts, "endpoint_url")),
        raw,
    }
}

impl<'s, S> ProfileRef<'s, S> {
    /// The first profile of a usable profile's chain, which holds its root's data.
    pub(crate) fn root_profile(&self) -> Option<&'s RawProfile<'s>> {
        self.root_profile
    }
}

impl ProfileRef<'_, String> {
    /// The owned `Profile`, with the secrets of its root keys wrapped in `Secret`.
    fn into_profile(self, set: &ProfileSet) -> Profile {
        let string = |s: Option<&str>| s.map(str::to_string);
        Profile {
            listing: self.listing,
            root: self.root.zip(self.root_profile).and_then(|(kind, raw)| root_of(set, kind, raw)),
            own_mfa_serial: owned(self.raw, "mfa_serial"),
            mfa_process: string(self.mfa_process),
            endpoint_url: string(self.endpoint_url),
            sts_endpoint_url: string(self.sts_endpoint_url),
            sso_role_name: owned(self.raw, "sso_role_name"),
            origin: (set.files.get(self.raw.file).cloned().unwrap_or_default(), self.raw.line),
        }
    }
}

/// The hygiene warnings: habits awsw exists to move people off.
fn hygiene<S>(
    profile: &Listing<S>,
    root: Option<RootKind>,
    root_profile: Option<&RawProfile>,
) -> Vec<Finding> {
    let mut warnings = Vec::new();
    if let Some(root_profile) = root_profile.filter(|_| root == Some(RootKind::StaticKeys))
        && own(root_profile, "aws_session_token").is_none()
    {
        warnings.push(Finding::new(
            FindingCode::StaticKeys,
            format!(
                "long-term access keys in a plain file (profile {}): prefer SSO or a vault",
                root_profile.name
            ),
        ));
    }
    let mfa_enforced_elsewhere =
        matches!(root, Some(RootKind::Sso | RootKind::CredentialSource(_) | RootKind::DefaultChain));
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

pub(crate) fn sso_sessions(set: &ProfileSet) -> Vec<SsoSession> {
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
