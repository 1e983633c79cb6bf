//! `awsw sso populate`: the discovered accounts and roles of one login as `[profile NAME]`
//! sections inside a marked block of the config file that awsw owns. Pure: which pairs get
//! a profile (not one a hand-written profile already covers, not a name one already has),
//! the block's text, and the file's text with the block in it. The command does the I/O.

use super::discovery::DiscoveredAccount;
use super::naming::profile_name;
use super::target::SsoTarget;
use crate::config::parse::is_valid_identifier;
use crate::config::{Inventory, Profile};
use crate::marked::Markers;

/// The marker lines of `target`'s block, one block per login.
pub(crate) struct BlockMarkers {
    start: String,
    end: String,
}

impl BlockMarkers {
    pub(crate) fn new(target: &SsoTarget) -> BlockMarkers {
        BlockMarkers {
            start: format!("# >>> awsw sso populate: {} >>>", target.label),
            end: format!("# <<< awsw sso populate: {} <<<", target.label),
        }
    }

    pub(crate) fn markers(&self) -> Markers<'_> {
        Markers { start: &self.start, end: &self.end }
    }

    pub(crate) fn start(&self) -> &str {
        &self.start
    }
}

/// One profile of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) account_id: String,
    pub(crate) role: String,
}

/// A pair that gets no profile of its own, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Skipped {
    /// A hand-written profile (or a credentials-file section) already has the name.
    NameTaken { name: String, account_id: String, role: String },
    /// A hand-written profile already gives this account and role.
    Covered { by: String, account_id: String, role: String },
    /// Another pair of this login got the same name first.
    Duplicate { name: String, account_id: String, role: String, first: String },
    /// The portal sent an account id or role name that is not one (it would go into the
    /// config file verbatim, so it must be exactly what AWS allows).
    Malformed { account_id: String, role: String },
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::NameTaken { name, account_id, role } => write!(
                f,
                "skipped {role} in account {account_id}: your own profile {name} already has that name (rename it, or use --prefix)"
            ),
            Skipped::Covered { by, account_id, role } => {
                write!(f, "skipped {role} in account {account_id}: your own profile {by} already gives it")
            }
            Skipped::Duplicate { name, account_id, role, first } => write!(
                f,
                "skipped {role} in account {account_id}: the name {name} is already taken by account {first}'s (put {{account_id}} in discovery_name_template)"
            ),
            Skipped::Malformed { account_id, role } => {
                write!(
                    f,
                    "skipped role {role:?} in account {account_id:?}: not a valid account id and role name"
                )
            }
        }
    }
}

/// What the block will hold.
#[derive(Debug, Default)]
pub(crate) struct Populated {
    pub(crate) entries: Vec<Entry>,
    pub(crate) skipped: Vec<Skipped>,
}

/// How the profiles are named: the template setting, then a prefix in front.
pub(crate) struct Naming<'a> {
    pub(crate) template: &'a str,
    pub(crate) prefix: &'a str,
}

/// The profiles for `accounts`, given the user's own profiles in `own` (the files with the
/// block taken out), sorted by name.
pub(crate) fn choose(
    target: &SsoTarget,
    accounts: &[DiscoveredAccount],
    own: &Inventory,
    naming: &Naming,
) -> Populated {
    let mut pairs: Vec<(String, &DiscoveredAccount, &str)> = accounts
        .iter()
        .flat_map(|a| a.roles.iter().map(move |r| (a, r.as_str())))
        .map(|(a, r)| (format!("{}{}", naming.prefix, profile_name(naming.template, a, r)), a, r))
        .collect();
    pairs.sort_by(|x, y| (&x.0, &x.1.account_id, x.2).cmp(&(&y.0, &y.1.account_id, y.2)));
    let mut out = Populated::default();
    for (name, account, role) in pairs {
        let (account_id, role) = (account.account_id.clone(), role.to_string());
        if !valid_account_id(&account_id) || !valid_role_name(&role) {
            out.skipped.push(Skipped::Malformed { account_id, role });
        } else if let Some(by) = own.profiles.iter().find(|p| covers(p, target, &account_id, &role)) {
            out.skipped.push(Skipped::Covered { by: by.name.clone(), account_id, role });
        } else if own.profile(&name).is_some() || !is_valid_identifier(&name) {
            out.skipped.push(Skipped::NameTaken { name, account_id, role });
        } else if let Some(first) = out.entries.iter().find(|e| e.name == name) {
            let first = first.account_id.clone();
            out.skipped.push(Skipped::Duplicate { name, account_id, role, first });
        } else {
            out.entries.push(Entry { name, account_id, role });
        }
    }
    out
}

/// Twelve digits, as every AWS account id.
fn valid_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// IAM's role name pattern, `[\w+=,.@-]{1,64}`.
fn valid_role_name(role: &str) -> bool {
    (1..=64).contains(&role.len())
        && role.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// Whether the user's `profile` is itself an SSO profile of `target` for this role (not a
/// role chained from one, which carries its root's SSO settings too).
fn covers(profile: &Profile, target: &SsoTarget, account_id: &str, role: &str) -> bool {
    let Some(sso) = profile.sso().filter(|_| profile.chain.len() <= 1) else { return false };
    let same_login = match &target.session {
        Some(session) => sso.session() == Some(session.as_str()),
        None => sso.session().is_none() && sso.start_url() == Some(target.start_url.as_str()),
    };
    same_login && sso.account_id() == Some(account_id) && sso.role_name() == Some(role)
}

/// The block's text, markers included, each line ending in `\n`.
pub(crate) fn render(target: &SsoTarget, markers: &BlockMarkers, entries: &[Entry]) -> String {
    let mut out = format!(
        "{}\n# Written by `awsw sso populate {}`: running it again replaces everything up to the end marker.\n",
        markers.start, target.login
    );
    for entry in entries {
        out.push_str(&format!("[profile {}]\n", entry.name));
        match &target.session {
            Some(session) => out.push_str(&format!("sso_session = {session}\n")),
            None => out
                .push_str(&format!("sso_start_url = {}\nsso_region = {}\n", target.start_url, target.region)),
        }
        out.push_str(&format!(
            "sso_account_id = {}\nsso_role_name = {}\nregion = {}\n\n",
            entry.account_id, entry.role, target.region
        ));
    }
    out.push_str(&markers.end);
    out.push('\n');
    out
}

/// `config` with `block` in place of the old one, or appended after a blank line.
pub(crate) fn splice(
    config: &str,
    markers: &BlockMarkers,
    block: &str,
) -> Result<String, crate::marked::Unclosed> {
    let m = markers.markers();
    if m.find(config)?.is_some()
        || config.is_empty()
        || config.ends_with("\n\n")
        || config.ends_with("\r\n\r\n")
    {
        return m.splice(config, block);
    }
    m.splice(config, &format!("\n{block}"))
}

#[cfg(test)]
#[path = "populate_tests.rs"]
mod tests;
