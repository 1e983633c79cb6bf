//! The picker's IAM Identity Center parts without a terminal: discovered rows (from a cached
//! discovery, then refreshed), the discovery progress, the login modal and `L`, driven by
//! messages as the runtime would send them, and snapshots of what they look like.

use std::sync::Arc;

use awsw::app::frecency::Frecency;
use awsw::app::{Discovered, Effect, Key, Mode, Msg, Origin, Purpose, SessionState, State, Viewport, update};
use awsw::config::Inventory;
use awsw::creds::Readiness;
use awsw::sso::{DevicePrompt, DiscoveredAccount, Discovery};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::tui::draw;

const NOW: OffsetDateTime = datetime!(2026-11-23 09:00:00 UTC);

const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n\
    [sso-session lab]\nsso_start_url = https://lab.awsapps.com/start\nsso_region = eu-west-1\n\n\
    [profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n\n\
    [profile keys]\nregion = eu-west-1\n";
const CREDS: &str = "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n";

fn account(id: &str, name: &str, roles: &[&str]) -> DiscoveredAccount {
    DiscoveredAccount {
        account_id: id.into(),
        account_name: name.into(),
        email_address: format!("aws+{name}@example.com"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn discovery(accounts: Vec<DiscoveredAccount>) -> Discovery {
    Discovery {
        version: 1,
        session: Some("corp".into()),
        start_url: "https://corp.awsapps.com/start".into(),
        fetched_at: "2026-11-23T08:00:00Z".into(),
        accounts,
    }
}

/// The picker as it opens with a cached discovery of corp.
fn state() -> State {
    let base = Inventory::from_texts(Some(CONFIG), Some(CREDS));
    let cached = discovery(vec![
        account("111111111111", "dev", &["Admin", "ReadOnly"]),
        account("222222222222", "prod", &["ReadOnly"]),
    ]);
    let (inventory, discovered) = Discovered::load(base, vec![cached], "{account_name}/{role}");
    let mut state = State::new(Arc::new(inventory), Frecency::default(), NOW, Origin::default());
    state.discovered = discovered;
    update(&mut state, Msg::Drawn(Viewport { list_rows: 10, ..Viewport::default() }));
    state
}

fn idx(state: &State, name: &str) -> usize {
    state.inventory.position(name).unwrap_or_else(|| panic!("no {name}"))
}

fn select(state: &mut State, name: &str) {
    let profile = idx(state, name);
    state.selected = state.filter.visible().iter().position(|m| m.profile == profile).unwrap();
}

fn names(state: &State) -> Vec<String> {
    state.filter.visible().iter().map(|m| state.profile(m.profile).name.clone()).collect()
}

fn prompt() -> DevicePrompt {
    DevicePrompt {
        user_code: "KXQW-TRBD".into(),
        verification_uri: "https://device.sso.us-east-1.amazonaws.com/".into(),
        verification_uri_complete: "https://device.sso.us-east-1.amazonaws.com/?user_code=KXQW-TRBD".into(),
        expires_at: NOW + time::Duration::seconds(599),
    }
}

#[test]
fn cached_rows_follow_the_config_and_are_searchable_by_account_name_and_email() {
    let mut s = state();
    assert_eq!(names(&s), ["dev", "keys", "dev/ReadOnly", "prod/ReadOnly"]);
    assert_eq!(s.discovered.count(), 2);
    assert!(s.discovered.row(idx(&s, "dev")).is_none());
    assert_eq!(s.discovered.row(idx(&s, "prod/ReadOnly")).unwrap().email, "aws+prod@example.com");
    update(&mut s, Msg::Key(Key::Char('/')));
    for c in "prod@".chars() {
        update(&mut s, Msg::Key(Key::Char(c)));
    }
    assert_eq!(names(&s), ["prod/ReadOnly"]);
}

#[test]
fn discovered_rows_wait_for_a_choice_before_asking_the_portal() {
    let mut s = state();
    let ready = vec![Readiness::Ready { expiration: None }; s.inventory.profiles.len()];
    let effects = update(&mut s, Msg::ReadinessLoaded(ready));
    // Only the config's profiles get their identity fetched on start.
    let fetched: Vec<usize> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchIdentity { profile, .. } => Some(*profile),
            _ => None,
        })
        .collect();
    assert_eq!(fetched, [idx(&s, "dev"), idx(&s, "keys")]);
    assert_eq!(s.sessions[idx(&s, "prod/ReadOnly")], SessionState::SsoReady);
    select(&mut s, "prod/ReadOnly");
    let effects = update(&mut s, Msg::Key(Key::Char('c')));
    let prod = idx(&s, "prod/ReadOnly");
    assert!(
        matches!(effects.as_slice(), [Effect::GetSession { profile, purpose: Purpose::Copy, .. }] if *profile == prod),
        "{effects:?}"
    );
}

#[test]
fn a_refreshed_discovery_keeps_rows_in_place_appends_new_ones_and_hides_gone_ones() {
    let mut s = state();
    select(&mut s, "prod/ReadOnly");
    let (dev_ro, prod) = (idx(&s, "dev/ReadOnly"), idx(&s, "prod/ReadOnly"));
    update(&mut s, Msg::DiscoveryProgress { session: "corp".into(), done: 340, total: 1000 });
    assert_eq!(s.discovered.progress(), Some((340, 1000)));
    assert!(draw(&s, 100, 20).contains("accounts 340/1000"));
    let fresh = discovery(vec![
        account("222222222222", "prod", &["ReadOnly", "Deploy"]),
        account("333333333333", "audit", &["Audit"]),
    ]);
    let effects = update(&mut s, Msg::Discovered { session: "corp".into(), result: Ok(Some(fresh)) });
    assert_eq!(s.discovered.progress(), None);
    assert_eq!(idx(&s, "prod/ReadOnly"), prod, "a row keeps its index");
    assert_eq!(names(&s), ["dev", "keys", "prod/ReadOnly", "prod/Deploy", "audit/Audit"]);
    assert!(!s.discovered.shown(dev_ro), "no longer listed: hidden");
    assert_eq!(s.current(), Some(prod), "the cursor stays on its profile");
    let new: Vec<usize> =
        ["prod/ReadOnly", "prod/Deploy", "audit/Audit"].iter().map(|n| idx(&s, n)).collect();
    match effects.as_slice() {
        [Effect::UseInventory(inventory), Effect::CheckReadinessOf(checked)] => {
            assert!(Arc::ptr_eq(&inventory.0, &s.inventory), "the engine gets the picker's inventory");
            assert_eq!(checked, &new);
        }
        other => panic!("{other:?}"),
    }
    let checked = new.iter().map(|&i| (i, Readiness::NeedsSsoLogin { command: "awsw login corp".into() }));
    assert!(update(&mut s, Msg::ReadinessBatch(checked.collect())).is_empty());
    assert!(matches!(s.sessions[idx(&s, "audit/Audit")], SessionState::NeedsSso { .. }));
    // The same discovery again changes nothing.
    let same = s.discovered.discoveries[0].clone();
    assert!(update(&mut s, Msg::Discovered { session: "corp".into(), result: Ok(Some(same)) }).is_empty());
}

#[test]
fn discovery_without_a_token_is_quiet_and_a_failure_is_said() {
    let mut s = state();
    assert!(update(&mut s, Msg::Discovered { session: "lab".into(), result: Ok(None) }).is_empty());
    assert_eq!(s.status, None);
    update(
        &mut s,
        Msg::Discovered { session: "corp".into(), result: Err("sso-session corp: throttled".into()) },
    );
    assert_eq!(s.status, Some(("sso-session corp: throttled".into(), true)));
    let start = s.start_effects();
    assert!(start.contains(&Effect::Discover { session: "corp".into() }));
    assert!(start.contains(&Effect::Discover { session: "lab".into() }));
}

/// `dev` chosen with Enter while corp has no token: the login modal and its effect.
fn login_modal() -> State {
    let mut s = state();
    let sso = Readiness::NeedsSsoLogin { command: "awsw login corp".into() };
    let all = vec![sso; s.inventory.profiles.len()];
    update(&mut s, Msg::ReadinessLoaded(all));
    select(&mut s, "dev");
    let effects = update(&mut s, Msg::Key(Key::Enter));
    assert_eq!(effects, [Effect::StartLogin { login: "corp".into() }]);
    s
}

#[test]
fn enter_without_a_token_logs_in_then_goes_on_with_the_switch() {
    let mut s = login_modal();
    let Mode::Login(modal) = &s.mode else { panic!("{:?}", s.mode) };
    assert_eq!((modal.label.as_str(), modal.prompt.as_ref()), ("sso-session corp", None));
    // `o` does nothing until there is a page to open.
    assert!(update(&mut s, Msg::Key(Key::Char('o'))).is_empty());
    update(&mut s, Msg::LoginPrompt { login: "corp".into(), prompt: prompt() });
    let effects = update(&mut s, Msg::Key(Key::Char('o')));
    assert_eq!(effects, [Effect::OpenUrl(prompt().verification_uri_complete)]);
    update(&mut s, Msg::Opened(Err("no browser here (set BROWSER)".into())));
    assert!(matches!(&s.mode, Mode::Login(m) if m.note.as_deref() == Some("no browser here (set BROWSER)")));
    // Another login's answer is not this one's.
    assert!(update(&mut s, Msg::LoggedIn { login: "lab".into(), result: Ok(()) }).is_empty());
    let dev = idx(&s, "dev");
    let effects = update(&mut s, Msg::LoggedIn { login: "corp".into(), result: Ok(()) });
    assert_eq!(s.mode, Mode::List);
    assert_eq!(
        effects,
        [
            Effect::Discover { session: "corp".into() },
            Effect::LoadReadiness,
            Effect::GetSession { profile: dev, purpose: Purpose::Shell, mfa: None, run_mfa_process: true },
        ]
    );
}

#[test]
fn esc_cancels_the_login_and_a_failed_login_says_why() {
    let mut s = login_modal();
    let effects = update(&mut s, Msg::Key(Key::Esc));
    assert_eq!(effects, [Effect::CancelLogin]);
    assert_eq!(s.mode, Mode::List);
    assert_eq!(s.status, Some(("login to sso-session corp cancelled; no token written".into(), false)));
    // A late answer of the cancelled login changes nothing.
    assert!(update(&mut s, Msg::LoggedIn { login: "corp".into(), result: Ok(()) }).is_empty());
    let mut s = login_modal();
    let denied =
        "sso-session corp: the login was denied in the browser: run `awsw login corp` again and approve it";
    let effects = update(&mut s, Msg::LoggedIn { login: "corp".into(), result: Err(denied.into()) });
    assert_eq!(effects, [Effect::LoadReadiness], "no switch after a failed login");
    assert_eq!(s.status, Some((denied.into(), true)));
}

#[test]
fn capital_l_logs_in_to_every_session_without_a_token_in_turn() {
    let mut s = state();
    assert_eq!(update(&mut s, Msg::Key(Key::Char('L'))), [Effect::FindLogins]);
    assert!(update(&mut s, Msg::LoginsNeeded(Vec::new())).is_empty());
    assert_eq!(s.status, Some(("every sso-session has a valid token".into(), false)));
    let needed =
        vec![("corp".to_string(), "sso-session corp".to_string()), ("lab".into(), "sso-session lab".into())];
    assert_eq!(update(&mut s, Msg::LoginsNeeded(needed)), [Effect::StartLogin { login: "corp".into() }]);
    assert!(matches!(&s.mode, Mode::Login(m) if m.queue.len() == 1));
    let effects = update(&mut s, Msg::LoggedIn { login: "corp".into(), result: Ok(()) });
    assert_eq!(
        effects,
        [Effect::Discover { session: "corp".into() }, Effect::StartLogin { login: "lab".into() }]
    );
    let effects = update(&mut s, Msg::LoggedIn { login: "lab".into(), result: Err("expired".into()) });
    assert_eq!(effects, [Effect::LoadReadiness]);
    assert_eq!(s.mode, Mode::List);
}

#[test]
fn snapshot_discovered_rows_and_their_details() {
    let mut s = state();
    let ready = vec![Readiness::Ready { expiration: None }; s.inventory.profiles.len()];
    update(&mut s, Msg::ReadinessLoaded(ready));
    select(&mut s, "prod/ReadOnly");
    update(&mut s, Msg::DiscoveryProgress { session: "corp".into(), done: 1, total: 2 });
    insta::assert_snapshot!(draw(&s, 100, 24));
}

#[test]
fn snapshot_login_modal() {
    let mut s = login_modal();
    update(&mut s, Msg::LoginPrompt { login: "corp".into(), prompt: prompt() });
    update(&mut s, Msg::Tick(NOW + time::Duration::seconds(74)));
    insta::assert_snapshot!(draw(&s, 80, 24));
}

#[test]
fn a_legacy_sso_profile_logs_in_by_its_own_name_and_discovers_nothing() {
    let legacy = "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n\
        sso_account_id = 222222222222\nsso_role_name = ReadOnly\n";
    let inventory = Arc::new(Inventory::from_texts(Some(legacy), None));
    let mut s = State::new(inventory, Frecency::default(), NOW, Origin::default());
    update(&mut s, Msg::ReadinessLoaded(vec![Readiness::NeedsSsoLogin { command: "awsw login old".into() }]));
    assert_eq!(update(&mut s, Msg::Key(Key::Char('c'))), [Effect::StartLogin { login: "old".into() }]);
    assert!(matches!(&s.mode, Mode::Login(m) if m.label == "profile old"));
    let effects = update(&mut s, Msg::LoggedIn { login: "old".into(), result: Ok(()) });
    assert_eq!(
        effects,
        [
            Effect::LoadReadiness,
            Effect::GetSession { profile: 0, purpose: Purpose::Copy, mfa: None, run_mfa_process: true }
        ]
    );
}
