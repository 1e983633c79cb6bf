//! The pure choice of how to get a profile's credentials, as aws-vault's
//! `GetProviderForProfile` makes it: where the chain's first credentials come from, whether
//! an MFA base session (`GetSessionToken`) sits on top of them, which roles to assume, which
//! of these steps a still-valid cached session already covers, and which steps need an MFA
//! code. An SSO root is two steps: the login's token (renewed silently when it can be),
//! then `GetRoleCredentials`, whose result the caches may already hold. No I/O: the caches
//! (and the SSO token cache) are asked through `Probe`, so the plan of every profile kind is
//! tested with an in-memory one. `Engine` reads the plan for readiness, cached sessions,
//! the cache file and the session itself; it never walks a chain on its own.

use super::cache::CacheKey;
use super::clicache::CliCacheKey;
use super::types::Credentials;
use crate::config::{Inventory, Profile, RootKind};
use crate::sso::SsoTarget;

/// The device name in the cache key of a session made without MFA.
pub(crate) const NO_MFA: &str = "none";

/// What the plan asks the caches: valid sessions only (expired ones are misses).
pub(crate) trait Probe {
    /// A role hop's session, from awsw's cache or else the AWS CLI's.
    fn role(&self, key: &CacheKey, cli_key: &CliCacheKey) -> Option<Credentials>;
    /// A `GetSessionToken` session.
    fn base(&self, key: &CacheKey) -> Option<Credentials>;
    /// What the AWS CLI's SSO token cache holds for a login, read without a network call.
    fn sso_token(&self, _target: &SsoTarget) -> SsoTokenState {
        SsoTokenState::Missing
    }
    /// SSO role credentials, from awsw's cache or else the AWS CLI's (botocore's file name).
    fn sso_role(&self, _key: &CacheKey, _cli_file: &str) -> Option<Credentials> {
        None
    }
}

/// The SSO token of a login as the plan sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SsoTokenState {
    Valid,
    /// Expired, but its refresh token and client registration can renew it without a login.
    Renewable,
    /// None, expired for good, or a file awsw does not trust: `awsw login` is needed.
    Missing,
}

/// An SSO root: the `SsoToken` step for its login, then the `SsoRoleCredentials` step.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SsoRoot {
    pub(crate) target: SsoTarget,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    /// awsw's cache entry for the role credentials.
    pub(crate) key: CacheKey,
    /// The AWS CLI's cache file for them, under the key botocore computes.
    pub(crate) cli_file: String,
    pub(crate) token: SsoTokenState,
}

/// A probe that finds nothing: for questions about a plan's shape, not its caches.
pub(crate) struct NoCache;

impl Probe for NoCache {
    fn role(&self, _key: &CacheKey, _cli_key: &CliCacheKey) -> Option<Credentials> {
        None
    }
    fn base(&self, _key: &CacheKey) -> Option<Credentials> {
        None
    }
}

/// Where the chain's first credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Root {
    /// The keys in the file as they are: temporary keys, or long-term keys that assume a role
    /// with no MFA device anywhere on the chain.
    Keys,
    /// Long-term keys traded for a `GetSessionToken` session: with this MFA device (one code
    /// serves every role behind it), or without one (`None`: a plain static profile, so a
    /// shell never holds long-term keys).
    BaseSession { serial: Option<String> },
    /// IAM Identity Center: the login's token, then the role's credentials from the portal.
    Sso(Box<SsoRoot>),
    /// A provider awsw does not compute: `credential_process`, web identity,
    /// `credential_source` (and an SSO profile too incomplete to plan).
    Provider(RootKind),
}

/// One role to assume.
#[derive(Debug, Clone)]
pub(crate) struct Hop<'a> {
    pub(crate) profile: &'a Profile,
    /// The role to assume: every profile after the root holds one (resolution checked).
    pub(crate) role_arn: &'a str,
    pub(crate) key: CacheKey,
    pub(crate) cli_key: CliCacheKey,
    /// The MFA device this hop asks a code for: its own `mfa_serial`, unless an earlier step
    /// of this plan already answered for that device. Filled only for hops still to run.
    pub(crate) code_for: Option<String>,
}

/// How to get `profile`'s credentials now.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'a> {
    pub(crate) profile: &'a Profile,
    /// The profile holding the root credentials (the first of the chain).
    pub(crate) root_profile: &'a Profile,
    pub(crate) root: Root,
    /// The base session's cache key; for every profile with keys in a file (so `cache_file`
    /// names it even for a profile that never makes one).
    pub(crate) base_key: Option<CacheKey>,
    pub(crate) hops: Vec<Hop<'a>>,
    /// The deepest hop a valid cached session covers, and that session: the work starts
    /// after it.
    pub(crate) resume: Option<(usize, Credentials)>,
    /// The root step's valid cached result (a base session, SSO role credentials), when the
    /// work starts at the root.
    pub(crate) cached_base: Option<Credentials>,
}

/// Builds the plan for `profile`, a usable profile of `inventory`.
pub(crate) fn plan<'a>(profile: &'a Profile, inventory: &'a Inventory, probe: &dyn Probe) -> Plan<'a> {
    let root_profile = profile.chain.first().and_then(|name| inventory.profile(name)).unwrap_or(profile);
    let hops = hops(profile, inventory);
    let root = match root(profile, hops.len()) {
        Root::Provider(RootKind::Sso) => {
            sso_root(root_profile, probe).unwrap_or(Root::Provider(RootKind::Sso))
        }
        other => other,
    };
    let base_key = base_key(profile, root_profile, &root);
    let mut hops: Vec<Hop<'a>> = hops
        .into_iter()
        .enumerate()
        .map(|(position, (hop, role_arn))| Hop {
            profile: hop,
            role_arn,
            key: role_key(hop, role_arn, profile, root_profile, position),
            cli_key: cli_key(hop, role_arn),
            code_for: None,
        })
        .collect();
    let resume = hops
        .iter()
        .enumerate()
        .rev()
        .find_map(|(position, hop)| Some((position, probe.role(&hop.key, &hop.cli_key)?)));
    let cached_base = match (&resume, &root, &base_key) {
        (None, Root::BaseSession { .. }, Some(key)) => probe.base(key),
        (None, Root::Sso(sso), _) => probe.sso_role(&sso.key, &sso.cli_file),
        _ => None,
    };
    let start = resume.as_ref().map_or(0, |(position, _)| position + 1);
    // The base session's code answers for its device; each hop asks for a device not yet answered.
    let mut answered = match (&root, start) {
        (Root::BaseSession { serial: Some(serial) }, 0) => Some(serial.clone()),
        _ => None,
    };
    for hop in &mut hops[start..] {
        if let Some(serial) = &hop.profile.own_mfa_serial
            && answered.as_ref() != Some(serial)
        {
            hop.code_for = Some(serial.clone());
            answered = Some(serial.clone());
        }
    }
    Plan { profile, root_profile, root, base_key, hops, resume, cached_base }
}

impl<'a> Plan<'a> {
    /// Whose `mfa_process` answers for the base session's device: the profile asked for
    /// when it has one (its own command is what the user set up for it), else the root's.
    pub(crate) fn base_code_owner(&self) -> &'a Profile {
        if self.profile.mfa_process.is_some() { self.profile } else { self.root_profile }
    }

    /// The first hop still to assume.
    pub(crate) fn start(&self) -> usize {
        self.resume.as_ref().map_or(0, |(position, _)| position + 1)
    }

    /// A cached session that covers the whole plan: the last hop's, or the base session of
    /// a profile without roles.
    pub(crate) fn covered(&self) -> Option<&Credentials> {
        match &self.resume {
            Some((position, credentials)) if position + 1 == self.hops.len() => Some(credentials),
            _ if self.hops.is_empty() => self.cached_base.as_ref(),
            _ => None,
        }
    }

    /// The cache file entry that changes when this profile's session is renewed.
    pub(crate) fn final_key(&self) -> Option<&CacheKey> {
        match (self.hops.last(), &self.root) {
            (Some(hop), _) => Some(&hop.key),
            (None, Root::Sso(sso)) => Some(&sso.key),
            (None, _) => self.base_key.as_ref(),
        }
    }
}

/// The role profiles to assume, in order, after the root credentials, with their roles.
fn hops<'a>(profile: &'a Profile, inventory: &'a Inventory) -> Vec<(&'a Profile, &'a str)> {
    let skip = match profile.root_kind() {
        // The credential_source profile's own role is the first to assume.
        Some(RootKind::CredentialSource(_)) => 0,
        _ => 1,
    };
    let role = |hop: &'a Profile| Some((hop, hop.role_arn.as_deref()?));
    profile.chain.iter().skip(skip).filter_map(|name| role(inventory.profile(name)?)).collect()
}

/// For long-term keys, the MFA device of the base session is the first `mfa_serial` along
/// the chain (the root's own, else the first role's, as aws-vault does), so one code serves
/// every role behind the same keys and device.
fn root(profile: &Profile, hop_count: usize) -> Root {
    match profile.root_kind() {
        Some(RootKind::StaticKeys) => {
            let long_term = profile.static_keys().is_some_and(|keys| keys.session_token.is_none());
            match &profile.mfa_serial {
                Some(serial) if long_term => Root::BaseSession { serial: Some(serial.clone()) },
                _ if long_term && hop_count == 0 => Root::BaseSession { serial: None },
                _ => Root::Keys,
            }
        }
        Some(kind) => Root::Provider(kind),
        None => Root::Keys,
    }
}

/// The two SSO steps of `root`, an SSO profile; `None` when its settings are incomplete.
fn sso_root(root: &Profile, probe: &dyn Probe) -> Option<Root> {
    let target = crate::sso::credentials::target_of(root).ok()?;
    let account_id = root.sso()?.account_id()?.to_string();
    let role_name = root.sso()?.role_name()?.to_string();
    let key = CacheKey::SsoRole {
        profile: root.name.clone(),
        start_url: target.start_url.clone(),
        account_id: account_id.clone(),
        role_name: role_name.clone(),
    };
    let cli_file = crate::sso::rolecreds::cli_cache_file_name(&target, &account_id, &role_name);
    let token = probe.sso_token(&target);
    Some(Root::Sso(Box::new(SsoRoot { target, account_id, role_name, key, cli_file, token })))
}

/// One line for the debug log: `Sso(sso-session corp, 111111111111/Admin, token Valid)`.
impl std::fmt::Debug for SsoRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (label, account, role, token) =
            (&self.target.label, &self.account_id, &self.role_name, self.token);
        write!(f, "{label}, {account}/{role}, token {token:?}")
    }
}

fn base_key(profile: &Profile, root_profile: &Profile, root: &Root) -> Option<CacheKey> {
    let keys = profile.static_keys()?;
    let serial = match root {
        Root::BaseSession { serial: Some(serial) } => serial.as_str(),
        _ => NO_MFA,
    };
    Some(CacheKey::MfaSession {
        profile: root_profile.name.clone(),
        access_key_id: keys.access_key_id.clone(),
        serial: serial.to_string(),
    })
}

fn role_key(
    hop: &Profile,
    role_arn: &str,
    profile: &Profile,
    root_profile: &Profile,
    position: usize,
) -> CacheKey {
    let root_id = match (profile.static_keys(), profile.root_kind()) {
        (Some(keys), _) => keys.access_key_id.clone(),
        (None, Some(kind)) => format!("{kind:?}"),
        (None, None) => String::new(),
    };
    let via: Vec<&str> = profile.chain.iter().take(position).map(String::as_str).collect();
    CacheKey::Role {
        profile: hop.name.clone(),
        role_arn: role_arn.to_string(),
        external_id: hop.external_id.clone(),
        source: format!("{}|{}|{}", root_profile.name, root_id, via.join(">")),
    }
}

/// The AWS CLI cache key of a role profile, as botocore computes it.
fn cli_key(hop: &Profile, role_arn: &str) -> CliCacheKey {
    CliCacheKey {
        role_arn: role_arn.to_string(),
        role_session_name: hop.role_session_name.clone(),
        external_id: hop.external_id.clone(),
        serial_number: hop.own_mfa_serial.clone(),
        duration_seconds: hop.duration_seconds,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::secret::Secret;

    /// A cache that holds a session for the profiles named.
    struct Held(HashSet<String>);

    fn session() -> Credentials {
        Credentials {
            access_key_id: "ASIACACHED".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: None,
        }
    }

    impl Probe for Held {
        fn role(&self, key: &CacheKey, _cli: &CliCacheKey) -> Option<Credentials> {
            let CacheKey::Role { profile, .. } = key else { return None };
            self.0.contains(profile).then(session)
        }
        fn base(&self, key: &CacheKey) -> Option<Credentials> {
            let CacheKey::MfaSession { profile, .. } = key else { return None };
            self.0.contains(&format!("base:{profile}")).then(session)
        }
        fn sso_token(&self, target: &SsoTarget) -> SsoTokenState {
            match () {
                _ if self.0.contains(&format!("token:{}", target.login)) => SsoTokenState::Valid,
                _ if self.0.contains(&format!("renewable:{}", target.login)) => SsoTokenState::Renewable,
                _ => SsoTokenState::Missing,
            }
        }
        fn sso_role(&self, key: &CacheKey, cli_file: &str) -> Option<Credentials> {
            let CacheKey::SsoRole { profile, .. } = key else { return None };
            assert!(cli_file.ends_with(".json") && cli_file.len() == 45, "botocore's sha1 name: {cli_file}");
            self.0.contains(&format!("sso-role:{profile}")).then(session)
        }
    }

    const CONFIG: &str = "\
[profile base]
mfa_serial = arn:aws:iam::1:mfa/alice
[profile prod]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = base
mfa_serial = arn:aws:iam::1:mfa/alice
[profile deep]
role_arn = arn:aws:iam::333333333333:role/deep
source_profile = prod
mfa_serial = arn:aws:iam::1:mfa/second
[profile jump]
role_arn = arn:aws:iam::111111111111:role/jump
source_profile = plain
[profile from-env]
role_arn = arn:aws:iam::666666666666:role/ci
credential_source = Environment
[profile sso]
sso_start_url = https://x.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Admin
[profile sso-chain]
role_arn = arn:aws:iam::777777777777:role/deploy
source_profile = sso
[profile sso-half]
sso_session = missing
sso_account_id = 123456789012
sso_role_name = Admin
[profile temp]
aws_access_key_id = ASIATEMP
aws_secret_access_key = t
aws_session_token = token
";
    const CREDS: &str = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n\
                         [plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = p\n";

    fn with<'a>(inventory: &'a Inventory, name: &str, held: &[&str]) -> Plan<'a> {
        let held = Held(held.iter().map(|s| s.to_string()).collect());
        plan(inventory.profile(name).unwrap(), inventory, &held)
    }

    fn names(plan: &Plan) -> Vec<String> {
        plan.hops.iter().map(|h| h.profile.name.clone()).collect()
    }

    #[test]
    fn static_roots_with_mfa_start_from_a_base_session_that_answers_for_their_device() {
        let inventory = Inventory::from_texts(Some(CONFIG), Some(CREDS));
        let p = with(&inventory, "deep", &[]);
        assert_eq!(p.root, Root::BaseSession { serial: Some("arn:aws:iam::1:mfa/alice".into()) });
        assert_eq!(names(&p), ["prod", "deep"]);
        let codes: Vec<_> = p.hops.iter().map(|h| h.code_for.as_deref()).collect();
        assert_eq!(codes, [None, Some("arn:aws:iam::1:mfa/second")]);
        assert!(p.resume.is_none() && p.covered().is_none());
        // A cached base session is used when no hop is cached.
        let p = with(&inventory, "prod", &["base:base"]);
        assert!(p.cached_base.is_some() && p.covered().is_none());
        let p = with(&inventory, "base", &["base:base"]);
        assert!(p.covered().is_some());
    }

    #[test]
    fn the_deepest_cached_hop_decides_where_work_starts() {
        let inventory = Inventory::from_texts(Some(CONFIG), Some(CREDS));
        let p = with(&inventory, "deep", &["prod", "base:base"]);
        assert_eq!(p.start(), 1);
        assert!(p.cached_base.is_none(), "the base is not asked once a hop is cached");
        // Resuming after `prod`, the device of `deep` still needs its code; a hop with the
        // base's device would too, since no base session is made.
        assert_eq!(p.hops[1].code_for.as_deref(), Some("arn:aws:iam::1:mfa/second"));
        let p = with(&inventory, "deep", &["deep"]);
        assert!(p.covered().is_some());
        assert!(matches!(p.final_key(), Some(CacheKey::Role { profile, .. }) if profile == "deep"));
    }

    #[test]
    fn each_root_kind_gets_its_own_start() {
        let inventory = Inventory::from_texts(Some(CONFIG), Some(CREDS));
        let p = with(&inventory, "jump", &[]);
        assert_eq!(p.root, Root::Keys, "long-term keys assume a role directly without MFA");
        let p = with(&inventory, "plain", &[]);
        assert_eq!(p.root, Root::BaseSession { serial: None });
        assert!(matches!(p.final_key(), Some(CacheKey::MfaSession { serial, .. }) if serial == NO_MFA));
        assert_eq!(with(&inventory, "temp", &[]).root, Root::Keys);
        let p = with(&inventory, "from-env", &[]);
        assert!(matches!(p.root, Root::Provider(RootKind::CredentialSource(_))));
        assert_eq!(names(&p), ["from-env"], "credential_source assumes the profile's own role");
        let p = with(&inventory, "sso", &[]);
        assert!(matches!(&p.root, Root::Sso(sso) if sso.role_name == "Admin"));
        assert!(p.hops.is_empty() && matches!(p.final_key(), Some(CacheKey::SsoRole { .. })));
    }

    fn sso_of<'a>(p: &'a Plan) -> &'a SsoRoot {
        match &p.root {
            Root::Sso(sso) => sso,
            other => panic!("not an SSO root: {other:?}"),
        }
    }

    #[test]
    fn an_sso_root_is_a_token_step_then_a_cached_role_credentials_step() {
        let inventory = Inventory::from_texts(Some(CONFIG), Some(CREDS));
        // No token: a login is needed, and nothing is cached.
        let p = with(&inventory, "sso", &[]);
        let sso = sso_of(&p);
        assert_eq!((sso.token, sso.account_id.as_str()), (SsoTokenState::Missing, "123456789012"));
        assert_eq!(sso.target.login, "sso", "a legacy profile logs in by its own name");
        assert!(p.cached_base.is_none() && p.covered().is_none());
        // An expired token with a refresh token counts as usable; a valid one too.
        assert_eq!(sso_of(&with(&inventory, "sso", &["renewable:sso"])).token, SsoTokenState::Renewable);
        assert_eq!(sso_of(&with(&inventory, "sso", &["token:sso"])).token, SsoTokenState::Valid);
        // Cached role credentials cover the profile whatever the token.
        let p = with(&inventory, "sso", &["sso-role:sso"]);
        assert!(p.covered().is_some());
        // A role chained from it starts from those credentials, keyed by the SSO root.
        let p = with(&inventory, "sso-chain", &["sso-role:sso"]);
        assert_eq!(names(&p), ["sso-chain"]);
        assert!(p.cached_base.is_some() && p.covered().is_none() && p.start() == 0);
        assert!(matches!(&sso_of(&p).key, CacheKey::SsoRole { profile, .. } if profile == "sso"));
        let p = with(&inventory, "sso-chain", &["sso-chain", "sso-role:sso"]);
        assert!(p.covered().is_some() && p.cached_base.is_none(), "the cached hop wins");
        // A session that does not exist gives no SSO steps (the profile is invalid anyway).
        assert!(!matches!(with(&inventory, "sso-half", &[]).root, Root::Sso(_)));
    }
}
