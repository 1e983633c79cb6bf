//! The profile model: kinds, chains, problems and hygiene warnings, from inline INI text.

use awsw::config::{Inventory, Kind};

fn inv(config: &str, credentials: &str) -> Inventory {
    Inventory::from_texts(Some(config), Some(credentials))
}

fn codes(list: &[awsw::config::Finding]) -> Vec<&'static str> {
    list.iter().map(|f| f.code.as_str()).collect()
}

const BASE_CREDS: &str =
    "[base]\naws_access_key_id = AKIAEXAMPLEBASE00001\naws_secret_access_key = SECRETbase\n";

#[test]
fn kinds_follow_sdk_precedence() {
    let i = inv(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
         [profile role]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nregion = eu-west-1\n\
         [profile web]\nrole_arn = arn:aws:iam::123456789012:role/ci\nweb_identity_token_file = /tmp/t\nregion = x\n\
         [profile sso]\nsso_session = corp\nsso_account_id = 210987654321\nsso_role_name = Admin\nregion = x\n\
         [profile legacy-sso]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_account_id = 210987654321\nsso_role_name = R\nregion = x\n\
         [profile proc]\ncredential_process = /bin/echo\nregion = x\n\
         [profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/box\ncredential_source = Ec2InstanceMetadata\nregion = x\n",
        BASE_CREDS,
    );
    let kind = |n: &str| i.profile(n).unwrap().kind;
    assert_eq!(kind("role"), Kind::AssumeRole);
    assert_eq!(kind("web"), Kind::WebIdentity);
    assert_eq!(kind("sso"), Kind::Sso);
    assert_eq!(kind("legacy-sso"), Kind::Sso);
    assert_eq!(kind("proc"), Kind::CredentialProcess);
    assert_eq!(kind("ec2"), Kind::AssumeRole);
    assert_eq!(kind("base"), Kind::Static);
    let sso = i.profile("sso").unwrap();
    assert_eq!(sso.account_id.as_deref(), Some("210987654321"));
    assert_eq!(sso.sso().and_then(|s| s.start_url()), Some("https://corp.awsapps.com/start"));
    assert_eq!(i.sso_sessions.len(), 1);
}

#[test]
fn role_chains_list_root_first_and_ignore_the_roles_own_keys() {
    let i = inv(
        "[profile jump]\nrole_arn = arn:aws:iam::111111111111:role/jump\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
         [profile prod]\nrole_arn = arn:aws:iam::222222222222:role/path/to/admin\nsource_profile = jump\nregion = ap-northeast-1\n\
         aws_access_key_id = AKIAIGNORED\naws_secret_access_key = ignored\n",
        BASE_CREDS,
    );
    let prod = i.profile("prod").unwrap();
    assert_eq!(prod.kind, Kind::AssumeRole);
    assert_eq!(prod.chain, ["base", "jump", "prod"]);
    assert_eq!(prod.account_id.as_deref(), Some("222222222222"));
    assert_eq!(prod.role_name.as_deref(), Some("admin"));
    assert_eq!(prod.mfa_serial.as_deref(), Some("arn:aws:iam::111111111111:mfa/alice"));
    assert_eq!(prod.static_keys().unwrap().access_key_id, "AKIAEXAMPLEBASE00001");
    assert!(prod.problems.is_empty());
}

#[test]
fn self_sourced_profile_uses_its_keys_then_its_role() {
    let i = inv(
        "[profile me]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = me\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nregion = x\n",
        "[me]\naws_access_key_id = AKIAME\naws_secret_access_key = s\n",
    );
    let me = i.profile("me").unwrap();
    assert_eq!(me.kind, Kind::AssumeRole);
    assert_eq!(me.chain, ["me", "me"]);
    assert_eq!(me.static_keys().unwrap().access_key_id, "AKIAME");
}

#[test]
fn broken_profiles_are_listed_with_problems() {
    let i = inv(
        "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n\
         [profile into-loop]\nrole_arn = arn:aws:iam::123456789012:role/c\nsource_profile = a\n\
         [profile missing]\nrole_arn = arn:aws:iam::123456789012:role/m\nsource_profile = nope\n\
         [profile orphan]\nrole_arn = arn:aws:iam::123456789012:role/o\n\
         [profile both]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\ncredential_source = Environment\n\
         [profile half]\naws_access_key_id = AKIAHALF\n\
         [profile weird]\nrole_arn = arn:aws:iam::123456789012:role/w\ncredential_source = Laptop\n\
         [profile nosso]\nsso_session = ghost\nsso_account_id = 123456789012\nsso_role_name = R\n\
         [profile on-broken]\nrole_arn = arn:aws:iam::123456789012:role/q\nsource_profile = half\n",
        BASE_CREDS,
    );
    let problem = |n: &str| {
        let p = i.profile(n).unwrap_or_else(|| panic!("{n} listed"));
        assert_eq!(p.kind, Kind::Invalid, "{n}");
        assert!(p.chain.is_empty(), "{n}");
        (p.problems[0].code.as_str(), p.problems[0].message.clone())
    };
    let (code, message) = problem("a");
    assert_eq!(code, "cycle");
    assert_eq!(message, "source_profile loop: a -> b -> a");
    assert_eq!(problem("b").1, "source_profile loop: b -> a -> b");
    assert!(problem("into-loop").1.contains("a -> b -> a"));
    assert_eq!(problem("missing").0, "missing-source");
    assert_eq!(problem("orphan").0, "role-without-source");
    assert_eq!(problem("both").0, "source-conflict");
    assert_eq!(problem("half").0, "half-key-pair");
    assert_eq!(problem("weird").0, "unknown-credential-source");
    assert_eq!(problem("nosso").0, "missing-sso-session");
    assert_eq!(problem("on-broken").0, "source-broken");
    assert_eq!(i.profiles.len(), 11, "every profile is listed");
}

#[test]
fn hygiene_warnings_have_stable_codes() {
    let i = inv(
        "[profile nomfa]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nregion = x\n\
         [profile long]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nmfa_serial = m\nduration_seconds = 86400\nregion = x\n\
         [profile short]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nmfa_serial = m\nduration_seconds = 60\n\
         [profile good]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = temp\nmfa_serial = m\nduration_seconds = 3600\n\
         [profile temp]\nregion = eu-west-1\n",
        "[base]\naws_access_key_id = A\naws_secret_access_key = S\n[temp]\naws_access_key_id = ASIA\naws_secret_access_key = S\naws_session_token = T\n",
    );
    let w = |n: &str| codes(&i.profile(n).unwrap().warnings);
    assert_eq!(w("nomfa"), ["static-keys", "no-mfa"]);
    assert_eq!(w("long"), ["static-keys", "duration-out-of-range"]);
    assert_eq!(w("short"), ["static-keys", "duration-out-of-range", "no-region"]);
    assert_eq!(w("base"), ["static-keys", "no-region"]);
    // Temporary keys (with a session token) are not long-term keys; region comes from the chain.
    assert_eq!(w("good"), Vec::<&str>::new());
    assert_eq!(i.profile("good").unwrap().region.as_deref(), Some("eu-west-1"));
}

#[test]
fn non_numeric_duration_is_a_problem() {
    let i = inv(
        "[profile p]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\nduration_seconds = 1h\n",
        BASE_CREDS,
    );
    assert_eq!(codes(&i.profile("p").unwrap().problems), ["bad-duration"]);
}

#[test]
fn very_long_chains_are_cut_not_overflowing_the_stack() {
    let mut config = String::from("[profile p0]\naws_access_key_id = A\naws_secret_access_key = S\n");
    for n in 1..5000 {
        config.push_str(&format!(
            "[profile p{n}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p{}\n",
            n - 1
        ));
    }
    let i = inv(&config, "");
    assert_eq!(i.profile("p10").unwrap().chain.len(), 11);
    assert_eq!(i.profile("p4999").unwrap().problems[0].code, "source-broken");
    assert!(i.profiles.iter().filter(|p| p.problems.iter().any(|f| f.code == "chain-too-long")).count() == 1);
}

#[test]
fn credentials_file_profiles_follow_config_ones_in_order() {
    let i = inv(
        "[profile z]\nregion = x\n[default]\nregion = y\n",
        "[default]\naws_access_key_id = A\naws_secret_access_key = S\n[a]\naws_access_key_id = B\naws_secret_access_key = S\n",
    );
    let names: Vec<&str> = i.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["z", "default", "a"]);
}

#[test]
fn secrets_never_reach_json_or_debug() {
    let i = inv(
        "[profile p]\nregion = x\n",
        "[p]\naws_access_key_id = AKIAVISIBLE\naws_secret_access_key = TOPSECRETVALUE\naws_session_token = TOKENVALUE\n",
    );
    let json = awsw::commands::list::to_json(&i);
    let debug = format!("{i:?}");
    for text in [&json, &debug] {
        assert!(!text.contains("TOPSECRETVALUE") && !text.contains("TOKENVALUE"));
    }
}

#[test]
fn suggestions_find_close_names() {
    let i = inv("[profile team-prod-admin]\n[profile team-dev-admin]\n[profile other]\n", "");
    assert_eq!(i.suggest("team-prod-admn")[0], "team-prod-admin");
    assert!(i.suggest("zzzzzzzzzzzz").is_empty());
}

#[test]
fn services_section_gives_the_sts_endpoint() {
    let i = inv(
        "[profile p]\nservices = local\nendpoint_url = http://global\naws_access_key_id = A\naws_secret_access_key = S\n\
         [services local]\nsts =\n  endpoint_url = http://127.0.0.1:5000\ns3 =\n  endpoint_url = http://s3\n",
        "",
    );
    let p = i.profile("p").unwrap();
    assert_eq!(p.sts_endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
    assert_eq!(p.endpoint_url.as_deref(), Some("http://global"));
}
