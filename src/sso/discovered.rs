//! Discovered profiles: the (account, role) pairs of an sso-session's discovery that no
//! profile of the config already covers, each as an SSO profile named as `awsw sso
//! populate` names it (`naming`), so the engine switches to it like any SSO profile. Pure:
//! the discovery and the inventory come in, profiles go out.

use rustc_hash::FxHashSet;

use super::discovery::Discovery;
use super::naming::profile_name;
use crate::config::profile::Listing;
use crate::config::root::{Root, SsoRoot};
use crate::config::{Inventory, Kind, Profile, SsoSession};

/// What the picker shows about a discovered profile beyond the profile itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredRow {
    pub(crate) session: String,
    pub(crate) account_name: String,
    pub email: String,
}

/// The (session, account, role) triples the config's own SSO profiles already give.
fn covered(own: &[Profile]) -> FxHashSet<(&str, &str, &str)> {
    own.iter()
        .filter(|p| p.kind == Kind::Sso)
        .filter_map(|p| match &p.root {
            Some(Root::Sso(sso)) => Some((sso.session()?, sso.account_id()?, sso.role_name()?)),
            _ => None,
        })
        .collect()
}

fn profile(name: String, session: &SsoSession, region: Option<String>, account: &str, role: &str) -> Profile {
    let listing = Listing {
        chain: vec![name.clone()],
        name,
        kind: Kind::Sso,
        region,
        account_id: Some(account.to_string()),
        role_arn: None,
        role_name: None,
        source_profile: None,
        credential_source: None,
        mfa_serial: None,
        sso_session: Some(session.name.clone()),
        duration_seconds: None,
        external_id: None,
        role_session_name: None,
        description: None,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let root = SsoRoot::Session {
        name: session.name.clone(),
        start_url: session.sso_start_url.clone(),
        region: session.sso_region.clone(),
        account_id: Some(account.to_string()),
        role_name: Some(role.to_string()),
    };
    Profile {
        listing,
        root: Some(Root::Sso(root)),
        own_mfa_serial: None,
        mfa_process: None,
        endpoint_url: None,
        sts_endpoint_url: None,
        sso_role_name: Some(role.to_string()),
        origin: (format!("discovered in sso-session {}", session.name), 0),
    }
}

/// The profiles `discoveries` add to `inventory`, in discovery order: each pair no config
/// profile covers, named by `template`. Only the first `own` profiles of the inventory count
/// as the config's (later ones are rows discovered before, replaced by these). A name
/// already taken (by the config or an earlier row) gets `-ACCOUNT_ID` appended; if that
/// is taken too, the pair is left out. The region is the session's, as populate writes it.
pub(crate) fn profiles(
    inventory: &Inventory,
    own: usize,
    discoveries: &[Discovery],
    template: &str,
) -> Vec<(Profile, DiscoveredRow)> {
    let covered = covered(&inventory.profiles[..own.min(inventory.profiles.len())]);
    let mut taken: FxHashSet<String> = FxHashSet::default();
    let mut out = Vec::new();
    for discovery in discoveries {
        let Some(session) = discovery
            .session
            .as_deref()
            .and_then(|name| inventory.sso_sessions.iter().find(|s| s.name == name))
            .filter(|s| s.sso_start_url.as_deref() == Some(discovery.start_url.as_str()))
        else {
            continue;
        };
        let region = session.sso_region.clone();
        for account in &discovery.accounts {
            for role in &account.roles {
                if covered.contains(&(session.name.as_str(), account.account_id.as_str(), role.as_str())) {
                    continue;
                }
                let free = |n: &String| inventory.position(n).is_none_or(|i| i >= own) && !taken.contains(n);
                let name = profile_name(template, account, role);
                let name = if free(&name) { name } else { format!("{name}-{}", account.account_id) };
                if !free(&name) {
                    continue;
                }
                taken.insert(name.clone());
                let row = DiscoveredRow {
                    session: session.name.clone(),
                    account_name: account.account_name.clone(),
                    email: account.email_address.clone(),
                };
                let mut profile = profile(name, session, region.clone(), &account.account_id, role);
                // Searchable: the filter matches over the description.
                profile.listing.description = Some(format!("{} {}", row.account_name, row.email));
                out.push((profile, row));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RootKind;
    use crate::sso::discovery::DiscoveredAccount;
    use crate::sso::fakes::account;

    const CONFIG: &str = "[default]\nregion = ap-northeast-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
        sso_region = us-east-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n\
        [profile prod/ReadOnly]\nrole_arn = arn:aws:iam::999999999999:role/x\nsource_profile = dev\n";

    fn discovery(start_url: &str, accounts: Vec<DiscoveredAccount>) -> Discovery {
        Discovery {
            version: 1,
            session: Some("corp".into()),
            start_url: start_url.into(),
            fetched_at: "2026-11-24T10:00:00Z".into(),
            accounts,
        }
    }

    #[test]
    fn uncovered_pairs_become_sso_profiles_named_by_the_template() {
        let inventory = Inventory::from_texts(Some(CONFIG), None);
        let found = discovery(
            "https://corp.awsapps.com/start",
            vec![
                account("111111111111", "dev", &["Admin", "ReadOnly"]),
                account("222222222222", "prod", &["ReadOnly"]),
                account("333333333333", "prod", &["ReadOnly"]),
            ],
        );
        let own = inventory.profiles.len();
        let rows = profiles(&inventory, own, &[found], "{account_name}/{role}");
        // Rows discovered before are not the config's: the same discovery gives the same names.
        let again = inventory
            .with_profiles(inventory.profiles.iter().chain(rows.iter().map(|(p, _)| p)).cloned().collect());
        let found_again = discovery(
            "https://corp.awsapps.com/start",
            vec![account("111111111111", "dev", &["Admin", "ReadOnly"])],
        );
        assert_eq!(profiles(&again, own, &[found_again], "{account_name}/{role}")[0].0.name, "dev/ReadOnly");
        let names: Vec<&str> = rows.iter().map(|(p, _)| p.name.as_str()).collect();
        // dev/Admin is the config's `dev`; `prod/ReadOnly` is a config profile's name, so
        // both prod accounts get their id appended.
        assert_eq!(names, ["dev/ReadOnly", "prod/ReadOnly-222222222222", "prod/ReadOnly-333333333333"]);
        let (p, row) = &rows[0];
        assert_eq!(
            (p.kind, p.root_kind(), p.chain.as_slice()),
            (Kind::Sso, Some(RootKind::Sso), &[p.name.clone()][..])
        );
        let Some(Root::Sso(sso)) = &p.root else { panic!("{:?}", p.root) };
        assert_eq!(sso.start_url(), Some("https://corp.awsapps.com/start"));
        assert_eq!((sso.account_id(), sso.role_name()), (Some("111111111111"), Some("ReadOnly")));
        assert_eq!(p.region.as_deref(), Some("us-east-1"), "the session's, as populate writes it");
        assert_eq!(
            row,
            &DiscoveredRow {
                session: "corp".into(),
                account_name: "dev".into(),
                email: "dev@example.com".into()
            }
        );
        assert!(p.description.as_deref().unwrap().contains("dev@example.com"));
    }

    #[test]
    fn a_discovery_for_another_start_url_or_session_adds_nothing() {
        let inventory = Inventory::from_texts(Some(CONFIG), None);
        let stale = discovery("https://old.awsapps.com/start", vec![account("1", "x", &["R"])]);
        assert!(profiles(&inventory, 3, &[stale], "{account_name}/{role}").is_empty());
        let mut other = discovery("https://corp.awsapps.com/start", vec![account("1", "x", &["R"])]);
        other.session = Some("gone".into());
        assert!(profiles(&inventory, 3, &[other], "{account_name}/{role}").is_empty());
    }

    #[test]
    fn names_are_populate_s_and_control_characters_never_reach_them() {
        let inventory = Inventory::from_texts(Some(CONFIG), None);
        let odd = vec![account("444444444444", "evil\x1b[2J", &["Role"])];
        let rows = profiles(
            &inventory,
            3,
            &[discovery("https://corp.awsapps.com/start", odd)],
            "{account_name}/{role}",
        );
        assert_eq!(rows[0].0.name, "evil-2J/Role");
    }
}
