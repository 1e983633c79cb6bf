use super::*;
use crate::sso::fakes::account;
use crate::sso::target;

const OWN: &str = "# my config\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n\
    [profile mine]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n\
    [profile prod/ReadOnly]\nregion = us-east-1\n";

fn accounts() -> Vec<DiscoveredAccount> {
    vec![
        account("111111111111", "dev", &["Admin", "ReadOnly"]),
        account("222222222222", "prod", &["ReadOnly", "Deploy"]),
        account("333333333333", "dev", &["ReadOnly"]),
        account("444444444444", "bad", &["Admin\n[profile x]"]),
    ]
}

const NAMING: Naming = Naming { template: "{account_name}/{role}", prefix: "" };

fn populated(own: &str) -> (SsoTarget, Populated) {
    let inventory = Inventory::from_texts(Some(own), None);
    let target = target::resolve(&inventory, Some("corp")).unwrap();
    let out = choose(&target, &accounts(), &inventory, &NAMING);
    (target, out)
}

#[test]
fn own_profiles_win_and_every_skip_is_said() {
    let (_, out) = populated(OWN);
    let names: Vec<&str> = out.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev/ReadOnly", "prod/Deploy"]);
    assert_eq!(out.entries[0].account_id, "111111111111");
    let said: Vec<String> = out.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(
        said,
        [
            "skipped role \"Admin\\n[profile x]\" in account \"444444444444\": not a valid account id and role name",
            "skipped Admin in account 111111111111: your own profile mine already gives it",
            "skipped ReadOnly in account 333333333333: the name dev/ReadOnly is already taken by account 111111111111's (put {account_id} in discovery_name_template)",
            "skipped ReadOnly in account 222222222222: your own profile prod/ReadOnly already has that name (rename it, or use --prefix)",
        ]
    );
    let prefixed = Naming { template: "{account_id}-{role}", prefix: "corp-" };
    let inventory = Inventory::from_texts(Some(OWN), None);
    let target = target::resolve(&inventory, Some("corp")).unwrap();
    let out = choose(&target, &accounts(), &inventory, &prefixed);
    assert!(out.entries.iter().all(|e| e.name.starts_with("corp-")) && out.entries.len() == 4, "{out:?}");
}

#[test]
fn the_block_is_replaced_exactly_and_everything_else_kept() {
    let (target, out) = populated(OWN);
    let markers = BlockMarkers::new(&target);
    let block = render(&target, &markers, &out.entries);
    assert_eq!(
        block,
        "# >>> awsw sso populate: sso-session corp >>>\n\
         # Written by `awsw sso populate corp`: running it again replaces everything up to the end marker.\n\
         [profile dev/ReadOnly]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n\
         [profile prod/Deploy]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Deploy\nregion = eu-west-1\n\n\
         # <<< awsw sso populate: sso-session corp <<<\n"
    );
    let once = splice(OWN, &markers, &block).unwrap();
    assert_eq!(once, format!("{OWN}\n{block}"));
    // Running again with the block in the file: the same text, byte for byte.
    let own = Inventory::from_texts(Some(&markers.markers().remove(&once).unwrap()), None);
    let again = choose(&target, &accounts(), &own, &NAMING);
    assert_eq!(again.entries, out.entries);
    assert_eq!(splice(&once, &markers, &render(&target, &markers, &again.entries)).unwrap(), once);
    // A profile that disappeared leaves the block; text the user added after it stays.
    let edited = format!("{once}[profile after]\nregion = x\n");
    let fewer = render(&target, &markers, &out.entries[..1]);
    let spliced = splice(&edited, &markers, &fewer).unwrap();
    assert!(!spliced.contains("prod/Deploy") && spliced.ends_with("<<<\n[profile after]\nregion = x\n"));
    assert!(spliced.starts_with(OWN));
    // The config parses the result as the profiles it names.
    let all = Inventory::from_texts(Some(&once), None);
    let dev = all.profile("dev/ReadOnly").unwrap();
    let sso = dev.sso().expect("an SSO root");
    assert_eq!((sso.session(), sso.account_id()), (Some("corp"), Some("111111111111")));
    assert!(all.diagnostics.is_empty(), "{:?}", all.diagnostics);
}

#[test]
fn a_legacy_login_writes_its_start_url_and_an_unclosed_block_is_refused() {
    let legacy = "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
        sso_account_id = 111111111111\nsso_role_name = Admin\n";
    let inventory = Inventory::from_texts(Some(legacy), None);
    let target = target::resolve(&inventory, Some("old")).unwrap();
    let out = choose(&target, &accounts(), &inventory, &NAMING);
    assert!(out.skipped.iter().any(|s| matches!(s, Skipped::Covered { by, .. } if by == "old")), "{out:?}");
    let markers = BlockMarkers::new(&target);
    let block = render(&target, &markers, &out.entries);
    assert!(block.starts_with("# >>> awsw sso populate: profile old >>>\n"), "{block}");
    assert!(block.contains("sso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n"));
    let unclosed = format!("{legacy}{}\n[profile x]\n", markers.start());
    assert!(splice(&unclosed, &markers, &block).is_err());
}
