//! The profile name of a discovered account and role: the `discovery_name_template`
//! setting (`{account_name}`, `{account_id}`, `{role}`), made a name the config file
//! accepts. Pure; the picker's discovered rows and `awsw sso populate` name pairs the same.

use super::discovery::DiscoveredAccount;
use crate::config::parse::is_valid_identifier;

/// `template` filled in for `role` of `account`; a character a profile name may not hold
/// (a space, a bracket) becomes `-`, a run of them one `-`.
pub(crate) fn profile_name(template: &str, account: &DiscoveredAccount, role: &str) -> String {
    let filled = template
        .replace("{account_name}", &account.account_name)
        .replace("{account_id}", &account.account_id)
        .replace("{role}", role);
    let mut name = String::with_capacity(filled.len());
    let mut replaced = false;
    for c in filled.chars() {
        let mut buf = [0u8; 4];
        if is_valid_identifier(c.encode_utf8(&mut buf)) {
            name.push(c);
            replaced = false;
        } else if !replaced {
            name.push('-');
            replaced = true;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str) -> DiscoveredAccount {
        DiscoveredAccount {
            account_id: "111111111111".into(),
            account_name: name.into(),
            email_address: "a@example.com".into(),
            roles: vec![],
        }
    }

    #[test]
    fn the_template_is_filled_and_made_a_valid_name() {
        assert_eq!(profile_name("{account_name}/{role}", &account("dev"), "Admin"), "dev/Admin");
        assert_eq!(profile_name("{account_id}-{role}", &account("dev"), "Read"), "111111111111-Read");
        let odd = profile_name("{account_name}/{role}", &account("Prod  [EU] #1"), "Admin");
        assert_eq!(odd, "Prod-EU-1/Admin");
        assert!(is_valid_identifier(&odd));
        assert_eq!(profile_name("{account_name}/{role}", &account("本番"), "Admin"), "本番/Admin");
    }
}
