//! Following `source_profile` pointers: what each profile says about itself (`classify`),
//! then every profile's chain from the root of its credentials, or the finding that says
//! why it has none. Iterative and memoized, so a chain of any length costs no stack and a
//! hostile file of thousands of chained profiles no quadratic time. Pure.

use std::sync::Arc;

use super::finding::{Finding, FindingCode};
use super::profile::{Kind, MAX_CHAIN, own};
use super::root::{CredentialSource, RootKind, static_keys};
use super::set::{ProfileSet, RawProfile};

/// A profile's resolved chain: its root's kind, its own kind, and the profiles (indices
/// into `ProfileSet::profiles`) from the root to itself.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub(crate) root: RootKind,
    pub(crate) kind: Kind,
    pub(crate) members: Vec<usize>,
}

/// Why a profile has no chain: its finding, and the profile whose own problem breaks the
/// chain, shared by every profile above it (each message names its source and that one
/// cause, so a long broken chain costs linear memory, not nested messages).
#[derive(Debug, Clone)]
pub(crate) struct Broken {
    pub(crate) finding: Finding,
    cause: Arc<Cause>,
}

#[derive(Debug)]
struct Cause {
    profile: usize,
    message: String,
}

impl Broken {
    /// A problem of the profile at `idx` itself.
    fn own(idx: usize, finding: Finding) -> Broken {
        let cause = Arc::new(Cause { profile: idx, message: finding.message.clone() });
        Broken { finding, cause }
    }
}

/// A profile's chain, or why it cannot have one.
pub(crate) type Resolved = Result<Chain, Broken>;

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

fn broken(code: FindingCode, message: impl Into<String>) -> Step {
    Step::Broken(Finding::new(code, message))
}

fn classify(set: &ProfileSet, raw: &RawProfile) -> Step {
    if own(raw, "role_arn").is_some() {
        return classify_role(set, raw);
    }
    if own(raw, "web_identity_token_file").is_some() {
        return broken(FindingCode::RoleWithoutSource, "web_identity_token_file needs a role_arn");
    }
    if let Some(session) = own(raw, "sso_session") {
        if set.sso_session(session).is_none() {
            return broken(
                FindingCode::MissingSsoSession,
                format!("sso_session {session:?} names no [sso-session {session}] section"),
            );
        }
        return Step::Root(RootKind::Sso, Kind::Sso);
    }
    if own(raw, "sso_start_url").is_some() || own(raw, "sso_account_id").is_some() {
        let missing: Vec<&str> = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
            .into_iter()
            .filter(|k| own(raw, k).is_none())
            .collect();
        if !missing.is_empty() {
            return broken(FindingCode::IncompleteSso, format!("SSO profile lacks {}", missing.join(", ")));
        }
        return Step::Root(RootKind::Sso, Kind::Sso);
    }
    if own(raw, "credential_process").is_some() {
        return Step::Root(RootKind::CredentialProcess, Kind::CredentialProcess);
    }
    classify_keys(raw)
}

/// A profile with `role_arn`: where the credentials to assume it come from.
fn classify_role(set: &ProfileSet, raw: &RawProfile) -> Step {
    match (own(raw, "source_profile"), own(raw, "credential_source")) {
        (Some(_), Some(_)) => broken(
            FindingCode::SourceConflict,
            "sets both source_profile and credential_source: keep one of them",
        ),
        (Some(source), None) if source == raw.name => match static_keys(raw) {
            Some(_) => Step::SelfSourced,
            None => broken(
                FindingCode::MissingSource,
                "source_profile names the profile itself, but it has no access keys",
            ),
        },
        (Some(source), None) => match set.profile_index(source) {
            Some(idx) => Step::Source(idx),
            None => broken(
                FindingCode::MissingSource,
                format!("source_profile {source:?} does not exist: add [profile {source}] or fix the name"),
            ),
        },
        (None, Some(source)) => match CredentialSource::parse(source) {
            Some(cs) => Step::Root(RootKind::CredentialSource(cs), Kind::AssumeRole),
            None => broken(
                FindingCode::UnknownCredentialSource,
                format!(
                    "credential_source {source:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                ),
            ),
        },
        (None, None) if own(raw, "web_identity_token_file").is_some() => {
            Step::Root(RootKind::WebIdentity, Kind::WebIdentity)
        }
        (None, None) => broken(
            FindingCode::RoleWithoutSource,
            "role_arn has no source: add source_profile, credential_source or web_identity_token_file",
        ),
    }
}

/// A profile without a role or provider: its access keys, if it has them.
fn classify_keys(raw: &RawProfile) -> Step {
    match (own(raw, "aws_access_key_id"), own(raw, "aws_secret_access_key")) {
        (Some(_), Some(_)) => Step::Root(RootKind::StaticKeys, Kind::Static),
        (Some(_), None) => {
            broken(FindingCode::HalfKeyPair, "has aws_access_key_id but no aws_secret_access_key")
        }
        (None, Some(_)) => {
            broken(FindingCode::HalfKeyPair, "has aws_secret_access_key but no aws_access_key_id")
        }
        // As the SDKs do: not an error, the default chain outside the profile files.
        (None, None) => Step::Root(RootKind::DefaultChain, Kind::DefaultChain),
    }
}

/// Every profile's chain, in the order of `set.profiles`.
pub(crate) fn resolve_chains(set: &ProfileSet) -> Vec<Resolved> {
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
                // Every member of the loop gets the loop itself, told from its own place.
                let members = &path[from..];
                for (k, &member) in members.iter().enumerate() {
                    memo[member] = Some(Err(Broken::own(member, cycle(set, members, k))));
                    on_path[member] = false;
                }
                path.truncate(from);
                break memo[cur].clone().expect("just set");
            }
            match classify(set, &set.profiles[cur]) {
                Step::Root(root, kind) => break Ok(Chain { root, kind, members: vec![cur] }),
                Step::SelfSourced => {
                    break Ok(Chain {
                        root: RootKind::StaticKeys,
                        kind: Kind::AssumeRole,
                        members: vec![cur, cur],
                    });
                }
                Step::Broken(finding) => break Err(Broken::own(cur, finding)),
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
        Ok(chain) if chain.members.len() >= MAX_CHAIN => Err(Broken::own(
            member,
            Finding::new(
                FindingCode::ChainTooLong,
                format!("role chain through {name:?} is longer than {MAX_CHAIN} profiles"),
            ),
        )),
        // The SDKs take a source profile's own credentials only: one that sets none does
        // not lend a role the environment's or the instance's.
        Ok(Chain { root: RootKind::DefaultChain, .. }) => Err(Broken::own(
            member,
            Finding::new(
                FindingCode::NoCredentials,
                format!(
                    "source_profile {name:?} sets no credentials (access keys, role_arn, SSO or credential_process)"
                ),
            ),
        )),
        Ok(Chain { root, mut members, .. }) => {
            members.push(member);
            Ok(Chain { root, kind: Kind::AssumeRole, members })
        }
        // The source by name, and the one cause: never the source's own message, which
        // would nest every message below it.
        Err(Broken { cause, .. }) => {
            let message = if cause.profile == source {
                format!("source profile {name:?}: {}", cause.message)
            } else {
                let culprit = set.profiles[cause.profile].name;
                format!("source profile {name:?}: profile {culprit:?} along its chain: {}", cause.message)
            };
            Err(Broken { finding: Finding::new(FindingCode::SourceBroken, message), cause })
        }
    }
}

/// The names around a `source_profile` loop from member `start`, at most `CYCLE_NAMES_SHOWN`
/// of them: every member holds one, so a loop of thousands stays small.
fn cycle(set: &ProfileSet, members: &[usize], start: usize) -> Finding {
    const CYCLE_NAMES_SHOWN: usize = 8;
    let len = members.len();
    let name = |k: usize| set.profiles[members[(start + k) % len]].name;
    let mut names: Vec<&str> = (0..len.min(CYCLE_NAMES_SHOWN)).map(name).collect();
    if len > CYCLE_NAMES_SHOWN {
        names.push("…");
    }
    names.push(name(0));
    let prefix = match len > CYCLE_NAMES_SHOWN {
        true => format!("source_profile loop of {len} profiles"),
        false => "source_profile loop".into(),
    };
    Finding::new(FindingCode::Cycle, format!("{prefix}: {}", names.join(" -> ")))
}
