//! Property tests: no input, however odd, makes parsing or resolving panic, and every
//! declared profile comes out of the model.

use awsw::config::Inventory;
use proptest::prelude::*;

const LINES: &[&str] = &[
    "[profile a]",
    "[profile b]",
    "[profile c]",
    "[default]",
    "[profile default]",
    "[sso-session s]",
    "[services x]",
    "[profile 本番]",
    "[a]",
    "[b",
    "role_arn = arn:aws:iam::123456789012:role/r",
    "source_profile = a",
    "source_profile = b",
    "source_profile = c",
    "source_profile = zz",
    "credential_source = Environment",
    "credential_source = Nope",
    "aws_access_key_id = AKIA",
    "aws_secret_access_key = S",
    "aws_session_token = T",
    "mfa_serial = m",
    "sso_session = s",
    "sso_account_id = 123456789012",
    "sso_role_name = R",
    "sso_start_url = u",
    "sso_region = r",
    "credential_process = x",
    "web_identity_token_file = f",
    "duration_seconds = 99999",
    "duration_seconds = abc",
    "region = eu-west-1",
    "  continued",
    "s3 =",
    "  k = v",
    "= v",
    "x",
    "; comment",
    "# comment",
    "",
    "\r",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(config in proptest::collection::vec(any::<u8>(), 0..2048),
                                   creds in proptest::collection::vec(any::<u8>(), 0..512)) {
        let config = String::from_utf8_lossy(&config);
        let creds = String::from_utf8_lossy(&creds);
        let inventory = Inventory::from_texts(Some(&config), Some(&creds));
        let _ = awsw::commands::list::render_table(&inventory, 80);
        let _ = awsw::commands::list::to_json(&inventory);
    }

    #[test]
    fn config_shaped_input_never_panics_and_keeps_profiles(
        config in proptest::collection::vec(proptest::sample::select(LINES), 0..80),
        creds in proptest::collection::vec(proptest::sample::select(LINES), 0..30),
    ) {
        let inventory = Inventory::from_texts(Some(&config.join("\n")), Some(&creds.join("\n")));
        for p in &inventory.profiles {
            // A profile is either usable with a chain, or invalid with a reason.
            prop_assert_eq!(p.problems.is_empty(), p.kind != awsw::config::Kind::Invalid);
            prop_assert!(!p.problems.is_empty() || !p.chain.is_empty());
            prop_assert_eq!(p.chain.last().map(String::as_str).unwrap_or(&p.name), p.name.as_str());
        }
        let table = awsw::commands::list::render_table(&inventory, 80);
        prop_assert!(table.lines().all(|l| unicode_width::UnicodeWidthStr::width(l) <= 80));
    }
}
