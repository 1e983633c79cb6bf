//! The profile model: what each merged profile is (its kind), where its credentials come
//! from (its chain, root first), what is wrong with it (problems: it cannot work) and what
//! is unwise about it (hygiene warnings). Pure, and total: every profile in the set comes
//! out, however broken, so a listing never loses one.

use std::sync::Arc;

use serde::Serialize;

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
            Kind::Invalid => "invalid",
        }
    }

    /// The kind in tables: `credential-process` is shortened to `cred-process` to save room.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CredentialProcess => "cred-process",
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
    fn parse(value: &str) -> Option<Self> {
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
}

/// A problem (the profile cannot work) or a hygiene warning, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub message: String,
}

impl Finding {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Finding { code, message: message.into() }
    }
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

    pub fn is_usable(&self) -> bool {
        self.kind != Kind::Invalid
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

/// The six `:`-separated parts of an ARN (the last keeps its own colons).
fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut parts = [""; 6];
    let mut rest = arn;
    for part in parts.iter_mut().take(5) {
        let idx = memchr::memchr(b':', rest.as_bytes())?;
        *part = &rest[..idx];
        rest = &rest[idx + 1..];
    }
    parts[5] = rest;
    Some(parts)
}

/// The account id in `arn:aws:iam::123456789012:role/x` (any partition).
pub fn account_from_arn(arn: &str) -> Option<String> {
    account_slice(arn).map(str::to_string)
}

/// The role's name: the last path segment of the resource (`role/path/name` gives `name`).
pub fn role_name_from_arn(arn: &str) -> Option<String> {
    role_name_slice(arn).map(str::to_string)
}

/// The value of `key` in a property made of sub-properties (`s3 =\n  key = value`).
fn sub_property<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    value.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim()).filter(|v| !v.is_empty())
    })
}

/// A non-empty property of the profile itself.
fn own<'a>(raw: &'a RawProfile, key: &str) -> Option<&'a str> {
    raw.get(key).filter(|v| !v.is_empty())
}

fn owned(raw: &RawProfile, key: &str) -> Option<String> {
    own(raw, key).map(str::to_string)
}

/// What a single profile says about itself, before following `source_profile`.
enum Step {
    /// Its credentials are this profile's own (a root), of this kind.
    Root(RootKind, Kind),
    /// It assumes a role with credentials from this other profile.
    Source(usize),
    /// `source_profile` names the profile itself: its own keys, then its role.
    SelfSourced,
    Broken(Finding),
}

fn classify(set: &ProfileSet, raw: &RawProfile) -> Step {
    let role_arn = own(raw, "role_arn");
    let source_profile = own(raw, "source_profile");
    let credential_source = own(raw, "credential_source");
    if let Some(_role) = role_arn {
        return match (source_profile, credential_source) {
            (Some(_), Some(_)) => Step::Broken(Finding::new(
                "source-conflict",
                "sets both source_profile and credential_source: keep one of them",
            )),
            (Some(source), None) if source == raw.name => {
                if static_keys(raw).is_some() {
                    Step::SelfSourced
                } else {
                    Step::Broken(Finding::new(
                        "missing-source",
                        "source_profile names the profile itself, but it has no access keys",
                    ))
                }
            }
            (Some(source), None) => match set.profile_index(source) {
                Some(idx) => Step::Source(idx),
                None => Step::Broken(Finding::new(
                    "missing-source",
                    format!(
                        "source_profile {source:?} does not exist: add [profile {source}] or fix the name"
                    ),
                )),
            },
            (None, Some(source)) => match CredentialSource::parse(source) {
                Some(cs) => Step::Root(RootKind::CredentialSource(cs), Kind::AssumeRole),
                None => Step::Broken(Finding::new(
                    "unknown-credential-source",
                    format!(
                        "credential_source {source:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    ),
                )),
            },
            (None, None) if own(raw, "web_identity_token_file").is_some() => {
                Step::Root(RootKind::WebIdentity, Kind::WebIdentity)
            }
            (None, None) => Step::Broken(Finding::new(
                "role-without-source",
                "role_arn has no source: add source_profile, credential_source or web_identity_token_file",
            )),
        };
    }
    if own(raw, "web_identity_token_file").is_some() {
        return Step::Broken(Finding::new("role-without-source", "web_identity_token_file needs a role_arn"));
    }
    if let Some(session) = own(raw, "sso_session") {
        if set.sso_session(session).is_none() {
            return Step::Broken(Finding::new(
                "missing-sso-session",
                format!("sso_session {session:?} names no [sso-session {session}] section"),
            ));
        }
        return Step::Root(RootKind::Sso, Kind::Sso);
    }
    if own(raw, "sso_start_url").is_some() || own(raw, "sso_account_id").is_some() {
        let missing: Vec<&str> = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
            .into_iter()
            .filter(|k| own(raw, k).is_none())
            .collect();
        if !missing.is_empty() {
            return Step::Broken(Finding::new(
                "incomplete-sso",
                format!("SSO profile lacks {}", missing.join(", ")),
            ));
        }
        return Step::Root(RootKind::Sso, Kind::Sso);
    }
    if own(raw, "credential_process").is_some() {
        return Step::Root(RootKind::CredentialProcess, Kind::CredentialProcess);
    }
    match (own(raw, "aws_access_key_id"), own(raw, "aws_secret_access_key")) {
        (Some(_), Some(_)) => Step::Root(RootKind::StaticKeys, Kind::Static),
        (Some(_), None) => {
            Step::Broken(Finding::new("half-key-pair", "has aws_access_key_id but no aws_secret_access_key"))
        }
        (None, Some(_)) => {
            Step::Broken(Finding::new("half-key-pair", "has aws_secret_access_key but no aws_access_key_id"))
        }
        (None, None) => Step::Broken(Finding::new(
            "no-credentials",
            "sets no credentials (access keys, role_arn, SSO or credential_process)",
        )),
    }
}

fn static_keys(raw: &RawProfile) -> Option<StaticKeys> {
    Some(StaticKeys {
        access_key_id: owned(raw, "aws_access_key_id")?,
        secret_access_key: Secret::new(own(raw, "aws_secret_access_key")?),
        session_token: own(raw, "aws_session_token").map(Secret::new),
    })
}

/// The part of a resolution that a profile inherits from its source.
#[derive(Clone)]
enum Resolved {
    Ok {
        root: RootKind,
        kind: Kind,
        chain: Vec<usize>,
    },
    /// The profile's own problem, and the profile whose own problem breaks its chain, shared
    /// by every profile above it: each message names its source and that one cause, so a
    /// long broken chain costs linear memory, not nested messages.
    Broken(Finding, Arc<Cause>),
}

struct Cause {
    profile: usize,
    message: String,
}

impl Resolved {
    /// A problem of the profile at `idx` itself.
    fn own(idx: usize, finding: Finding) -> Resolved {
        let cause = Arc::new(Cause { profile: idx, message: finding.message.clone() });
        Resolved::Broken(finding, cause)
    }
}

/// The names around a `source_profile` loop from member `start`, at most
/// `CYCLE_NAMES_SHOWN` of them: every member holds one, so a loop of thousands stays small.
fn cycle_finding(set: &ProfileSet, members: &[usize], start: usize) -> Finding {
    const CYCLE_NAMES_SHOWN: usize = 8;
    let len = members.len();
    let name = |k: usize| set.profiles[members[(start + k) % len]].name;
    let mut names: Vec<&str> = (0..len.min(CYCLE_NAMES_SHOWN)).map(name).collect();
    if len > CYCLE_NAMES_SHOWN {
        names.push("…");
    }
    names.push(name(0));
    let prefix = if len > CYCLE_NAMES_SHOWN {
        format!("source_profile loop of {len} profiles")
    } else {
        "source_profile loop".into()
    };
    Finding::new("cycle", format!("{prefix}: {}", names.join(" -> ")))
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

fn resolve_chains(set: &ProfileSet) -> Vec<Resolved> {
    let n = set.profiles.len();
    let mut memo: Vec<Option<Resolved>> = vec![None; n];
    let mut on_path = vec![false; n];
    for start in 0..n {
        if memo[start].is_some() {
            continue;
        }
        let mut path: Vec<usize> = Vec::new();
        let mut cur = start;
        // Walk source_profile pointers until something is known.
        let mut tail: Resolved = loop {
            if let Some(done) = &memo[cur] {
                break done.clone();
            }
            if on_path[cur] {
                let from = path.iter().position(|&p| p == cur).unwrap_or(0);
                let members: Vec<usize> = path[from..].to_vec();
                // Every member of the loop gets the loop itself, told from its own place.
                for (k, &member) in members.iter().enumerate() {
                    memo[member] = Some(Resolved::own(member, cycle_finding(set, &members, k)));
                    on_path[member] = false;
                }
                path.truncate(from);
                break memo[cur].clone().expect("just set");
            }
            match classify(set, &set.profiles[cur]) {
                Step::Root(root, kind) => {
                    break Resolved::Ok { root, kind, chain: vec![cur] };
                }
                Step::SelfSourced => {
                    break Resolved::Ok {
                        root: RootKind::StaticKeys,
                        kind: Kind::AssumeRole,
                        chain: vec![cur, cur],
                    };
                }
                Step::Broken(finding) => break Resolved::own(cur, finding),
                Step::Source(next) => {
                    on_path[cur] = true;
                    path.push(cur);
                    cur = next;
                }
            }
        };
        if memo[cur].is_none() {
            memo[cur] = Some(tail.clone());
        }
        // Unwind: each profile on the path assumes a role on top of its source's result.
        while let Some(member) = path.pop() {
            on_path[member] = false;
            tail = on_source(set, member, cur, tail);
            memo[member] = Some(tail.clone());
            cur = member;
        }
    }
    memo.into_iter().map(|resolved| resolved.expect("every profile resolved")).collect()
}

/// What profile `member` becomes on top of its source `source`'s resolution.
fn on_source(set: &ProfileSet, member: usize, source: usize, resolved: Resolved) -> Resolved {
    let name = set.profiles[source].name;
    match resolved {
        Resolved::Ok { chain, .. } if chain.len() >= MAX_CHAIN => Resolved::own(
            member,
            Finding::new(
                "chain-too-long",
                format!("role chain through {name:?} is longer than {MAX_CHAIN} profiles"),
            ),
        ),
        Resolved::Ok { root, mut chain, .. } => {
            chain.push(member);
            Resolved::Ok { root, kind: Kind::AssumeRole, chain }
        }
        // The source by name, and the one cause: never the source's own message, which
        // would nest every message below it.
        Resolved::Broken(_, cause) => {
            let message = if cause.profile == source {
                format!("source profile {name:?}: {}", cause.message)
            } else {
                let culprit = set.profiles[cause.profile].name;
                format!("source profile {name:?}: profile {culprit:?} along its chain: {}", cause.message)
            };
            Resolved::Broken(Finding::new("source-broken", message), cause)
        }
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

/// The 12-digit account of an ARN, as a slice of it.
fn account_slice(arn: &str) -> Option<&str> {
    let [scheme, _partition, service, _region, account, _resource] = arn_parts(arn)?;
    (scheme == "arn"
        && service == "iam"
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then_some(account)
}

fn role_name_slice(arn: &str) -> Option<&str> {
    let rest = arn_parts(arn)?[5].strip_prefix("role/")?;
    let name = match memchr::memrchr(b'/', rest.as_bytes()) {
        Some(idx) => &rest[idx + 1..],
        None => rest,
    };
    (!name.is_empty()).then_some(name)
}

fn profile_ref<'s>(
    set: &'s ProfileSet<'s>,
    raw: &'s RawProfile<'s>,
    resolved: &'s Resolved,
) -> ProfileRef<'s> {
    let mut problems = Vec::new();
    let (kind, root, chain): (Kind, Option<RootKind>, &[usize]) = match resolved {
        Resolved::Ok { root, kind, chain } => (*kind, Some(*root), chain),
        Resolved::Broken(finding, _) => {
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
                    "bad-duration",
                    format!("duration_seconds {text:?} is not a whole number of seconds"),
                ));
                None
            }
        },
    };
    // The device a switch prompts for: the root's (GetSessionToken), else the first role's.
    let mfa_owner = chain.iter().map(|&i| &set.profiles[i]).find(|p| own(p, "mfa_serial").is_some());
    let role_arn = own(raw, "role_arn");
    let sso_session = own(raw, "sso_session");
    let session_section = sso_session.and_then(|s| set.sso_session(s));
    let sso_account_id = own(raw, "sso_account_id");
    let broken = !problems.is_empty();
    let mut profile = ProfileRef {
        name: raw.name,
        kind: if broken { Kind::Invalid } else { kind },
        region: along_chain("region"),
        account_id: role_arn
            .and_then(account_slice)
            .or_else(|| sso_account_id.filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))),
        role_arn,
        role_name: role_arn.and_then(role_name_slice),
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
            "static-keys",
            format!("long-term access keys in a plain file (profile {}): prefer SSO or a vault", root.name),
        ));
    }
    let mfa_enforced_elsewhere = matches!(profile.root, Some(RootKind::Sso | RootKind::CredentialSource(_)));
    if profile.kind == Kind::AssumeRole && profile.mfa_serial.is_none() && !mfa_enforced_elsewhere {
        warnings.push(Finding::new(
            "no-mfa",
            "assumes a role without MFA: add mfa_serial so a stolen key alone cannot switch",
        ));
    }
    if let Some(duration) = profile.duration_seconds
        && !(DURATION_MIN..=DURATION_MAX).contains(&duration)
    {
        warnings.push(Finding::new(
            "duration-out-of-range",
            format!("duration_seconds {duration} is outside 900..=43200; STS will refuse it"),
        ));
    }
    if profile.region.is_none() && profile.kind != Kind::Invalid {
        warnings.push(Finding::new(
            "no-region",
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
