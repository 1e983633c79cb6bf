//! The picker without a terminal: `update` driven by message sequences, and `render`
//! snapshots through ratatui's TestBackend. Time comes from the state, so nothing here
//! depends on the clock.

use std::sync::Arc;

use awsw::app::frecency::Frecency;
use awsw::app::{
    Effect, Exit, Key, Mode, Msg, Origin, Purpose, SessionFailure, SessionState, Sort, State, Viewport,
    update,
};
use awsw::config::Inventory;
use awsw::creds::{Credentials, Identity, IdentityReport, Readiness, Session, SessionOrigin};
use awsw::secret::Secret;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 09:00:00 UTC);

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile team-prod-admin]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = base
region = ap-northeast-1
description = production, careful

[profile team-dev-readonly]
role_arn = arn:aws:iam::333333333333:role/readonly
source_profile = plain
region = us-west-2

[profile ci]
credential_process = /bin/fetch-creds
region = eu-west-1

[profile otp]
role_arn = arn:aws:iam::444444444444:role/otp
source_profile = base
mfa_process = /bin/otp-code

[profile broken]
role_arn = arn:aws:iam::555555555555:role/x
source_profile = nope
";
const CREDS: &str = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n[plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = s\n";

fn state_from(config: &str, creds: &str) -> State {
    let inventory = Arc::new(Inventory::from_texts(Some(config), Some(creds)));
    let mut state = State::new(
        inventory,
        Frecency::default(),
        NOW,
        Origin {
            label: "awsw shell sandbox".into(),
            expires: Some(NOW + time::Duration::minutes(42)),
            ..Origin::default()
        },
    );
    state.cwd = "/home/alice/project".into();
    update(&mut state, Msg::Drawn(Viewport { list_rows: 10, ..Viewport::default() }));
    state
}

fn state() -> State {
    state_from(CONFIG, CREDS)
}

fn idx(state: &State, name: &str) -> usize {
    state.inventory.profiles.iter().position(|p| p.name == name).unwrap()
}

fn key(state: &mut State, key: Key) -> Vec<Effect> {
    update(state, Msg::Key(key))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, Key::Char(c));
    }
}

fn readiness(state: &State) -> Vec<Readiness> {
    state
        .inventory
        .profiles
        .iter()
        .map(|p| match p.name.as_str() {
            "base" | "team-dev-readonly" | "plain" => Readiness::Ready { expiration: None },
            "team-prod-admin" | "otp" => Readiness::NeedsMfa {
                serial: "arn:aws:iam::111111111111:mfa/alice".into(),
                has_mfa_process: p.name == "otp",
            },
            "ci" => Readiness::NeedsProcess,
            _ => Readiness::Unusable { reason: "source_profile \"nope\" does not exist".into() },
        })
        .collect()
}

fn report(account: &str, arn: &str, minutes: Option<i64>) -> IdentityReport {
    IdentityReport {
        identity: Identity { account: account.into(), arn: arn.into(), user_id: "AROAEXAMPLE:alice".into() },
        expiration: minutes.map(|m| NOW + time::Duration::minutes(m)),
        origin: SessionOrigin::Cache,
        session_name: Some("alice".into()),
        keys: None,
        identity_from_cache: true,
    }
}

fn session(profile: &str) -> Box<Session> {
    Box::new(Session {
        profile: profile.into(),
        credentials: Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(NOW + time::Duration::hours(1)),
        },
        region: None,
        identity: None,
        origin: SessionOrigin::Fresh,
    })
}

/// Loads readiness and answers every identity request.
fn loaded() -> State {
    let mut s = state();
    let list = readiness(&s);
    let effects = update(&mut s, Msg::ReadinessLoaded(list));
    for effect in effects {
        if let Effect::FetchIdentity { profile, request } = effect {
            let name = s.inventory.profiles[profile].name.clone();
            let result = if name == "base" || name == "plain" {
                Ok(report("111111111111", "arn:aws:iam::111111111111:user/alice", None))
            } else {
                Ok(report("333333333333", "arn:aws:sts::333333333333:assumed-role/readonly/alice", Some(37)))
            };
            update(&mut s, Msg::IdentityLoaded { profile, request, result });
        }
    }
    s
}

#[test]
fn moving_around_stays_in_bounds() {
    let mut s = state();
    assert_eq!(s.selected, 0);
    key(&mut s, Key::Up);
    assert_eq!(s.selected, 0);
    key(&mut s, Key::Char('j'));
    key(&mut s, Key::Down);
    assert_eq!(s.selected, 2);
    key(&mut s, Key::End);
    assert_eq!(s.selected, s.inventory.profiles.len() - 1);
    key(&mut s, Key::PageUp);
    assert_eq!(s.selected, 0);
    key(&mut s, Key::PageDown);
    assert_eq!(s.selected, s.inventory.profiles.len() - 1);
    key(&mut s, Key::Home);
    assert_eq!(s.selected, 0);
}

#[test]
fn search_filters_live_enter_keeps_it_esc_clears_it() {
    let mut s = state();
    key(&mut s, Key::Char('/'));
    assert_eq!(s.mode, Mode::Search);
    typed(&mut s, "3333");
    assert_eq!(s.filter.visible().len(), 1);
    assert_eq!(s.current(), Some(idx(&s, "team-dev-readonly")));
    key(&mut s, Key::Enter);
    assert_eq!(s.mode, Mode::List);
    assert_eq!(s.filter.visible().len(), 1, "Enter keeps the filter");
    key(&mut s, Key::Char('/'));
    key(&mut s, Key::Esc);
    assert_eq!(s.filter.visible().len(), s.inventory.profiles.len());
    assert_eq!(s.current(), Some(idx(&s, "team-dev-readonly")), "the selection survives clearing");
    // q in the search line is a letter, not quit.
    key(&mut s, Key::Char('/'));
    typed(&mut s, "q");
    assert!(s.exit.is_none());
}

#[test]
fn q_and_esc_quit_and_ctrl_c_too() {
    for code in [Key::Char('q'), Key::Esc] {
        let mut s = state();
        key(&mut s, code);
        assert!(matches!(s.exit, Some(Exit::Quit)));
    }
    let mut s = state();
    key(&mut s, Key::Char('/'));
    update(&mut s, Msg::Key(Key::Ctrl('c')));
    assert!(matches!(s.exit, Some(Exit::Quit)));
}

#[test]
fn readiness_fetches_identities_only_for_profiles_ready_without_prompt() {
    let mut s = state();
    let list = readiness(&s);
    let effects = update(&mut s, Msg::ReadinessLoaded(list));
    let fetched: Vec<String> = effects
        .iter()
        .map(|e| match e {
            Effect::FetchIdentity { profile, .. } => s.inventory.profiles[*profile].name.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(fetched, ["base", "team-dev-readonly", "plain"]);
    assert_eq!(s.progress, (0, 3));
    assert_eq!(s.sessions[idx(&s, "ci")], SessionState::OnDemand);
    assert!(matches!(s.sessions[idx(&s, "team-prod-admin")], SessionState::NeedsMfa { .. }));
}

#[test]
fn a_stale_identity_answer_is_dropped() {
    let mut s = state();
    let list = readiness(&s);
    let effects = update(&mut s, Msg::ReadinessLoaded(list));
    let Effect::FetchIdentity { profile, request: old } = effects[0] else { panic!() };
    s.selected = s.filter.visible().iter().position(|m| m.profile == profile).unwrap();
    // `r` checks the profile again from the start, then asks for its identity.
    assert_eq!(key(&mut s, Key::Char('r')), [Effect::CheckReadiness { profile }]);
    let effects =
        update(&mut s, Msg::ReadinessChecked { profile, readiness: Readiness::Ready { expiration: None } });
    let Effect::FetchIdentity { request: new, .. } = effects[0] else { panic!() };
    update(&mut s, Msg::IdentityLoaded { profile, request: old, result: Err("old".into()) });
    assert_eq!(s.sessions[profile], SessionState::Loading);
    update(&mut s, Msg::IdentityLoaded { profile, request: new, result: Ok(report("1", "arn", Some(5))) });
    assert!(matches!(s.sessions[profile], SessionState::Valid { .. }));
}

#[test]
fn mfa_modal_takes_six_digits_shows_rejections_and_retries() {
    let mut s = loaded();
    let prod = idx(&s, "team-prod-admin");
    s.selected = s.filter.visible().iter().position(|m| m.profile == prod).unwrap();
    assert!(key(&mut s, Key::Enter).is_empty());
    let Mode::Mfa(modal) = &s.mode else { panic!("{:?}", s.mode) };
    assert!(modal.serial.ends_with("mfa/alice"));
    typed(&mut s, "12a3");
    key(&mut s, Key::Enter);
    let Mode::Mfa(modal) = &s.mode else { panic!() };
    assert_eq!(modal.code, "123");
    assert!(modal.error.as_deref().unwrap().contains("6 digits"));
    typed(&mut s, "4567");
    let effects = key(&mut s, Key::Enter);
    assert_eq!(
        effects,
        [Effect::GetSession {
            profile: prod,
            purpose: Purpose::Shell,
            mfa: Some("123456".into()),
            run_mfa_process: false
        }]
    );
    update(
        &mut s,
        Msg::SessionLoaded {
            profile: prod,
            purpose: Purpose::Shell,
            result: Err(SessionFailure::MfaRejected("STS rejected the MFA code".into())),
        },
    );
    let Mode::Mfa(modal) = &s.mode else { panic!() };
    assert_eq!(modal.code, "");
    assert!(modal.error.as_deref().unwrap().contains("rejected"));
    typed(&mut s, "654321");
    key(&mut s, Key::Enter);
    let effects = update(
        &mut s,
        Msg::SessionLoaded { profile: prod, purpose: Purpose::Shell, result: Ok(session("team-prod-admin")) },
    );
    assert_eq!(effects, [Effect::RecordUse { profile: prod }]);
    assert!(matches!(s.exit, Some(Exit::Shell(ref session)) if session.profile == "team-prod-admin"));
}

#[test]
fn esc_cancels_the_modal_and_mfa_process_needs_no_modal() {
    let mut s = loaded();
    let prod = idx(&s, "team-prod-admin");
    s.selected = s.filter.visible().iter().position(|m| m.profile == prod).unwrap();
    key(&mut s, Key::Enter);
    key(&mut s, Key::Esc);
    assert_eq!(s.mode, Mode::List);
    assert!(s.exit.is_none());
    let otp = idx(&s, "otp");
    s.selected = s.filter.visible().iter().position(|m| m.profile == otp).unwrap();
    let effects = key(&mut s, Key::Enter);
    assert_eq!(
        effects,
        [Effect::GetSession { profile: otp, purpose: Purpose::Shell, mfa: None, run_mfa_process: true }]
    );
}

#[test]
fn copy_and_envrc_follow_the_session() {
    let mut s = loaded();
    let dev = idx(&s, "team-dev-readonly");
    s.selected = s.filter.visible().iter().position(|m| m.profile == dev).unwrap();
    let effects = key(&mut s, Key::Char('c'));
    assert!(matches!(effects[..], [Effect::GetSession { purpose: Purpose::Copy, .. }]));
    let effects = update(
        &mut s,
        Msg::SessionLoaded { profile: dev, purpose: Purpose::Copy, result: Ok(session("team-dev-readonly")) },
    );
    assert_eq!(
        effects,
        [Effect::RecordUse { profile: dev }, Effect::Copy { session: session("team-dev-readonly") }],
        "the copy carries the session it copies"
    );
    update(
        &mut s,
        Msg::Status(Ok("bash lines for team-dev-readonly: copied to the system clipboard".into())),
    );
    assert!(!s.status.as_ref().unwrap().1, "not an error");
    key(&mut s, Key::Char('E'));
    assert_eq!(s.mode, Mode::ConfirmEnvrc { profile: dev, inline: true });
    let effects = key(&mut s, Key::Char('y'));
    assert!(matches!(effects[..], [Effect::GetSession { purpose: Purpose::Envrc { inline: true }, .. }]));
    key(&mut s, Key::Char('e'));
    assert!(key(&mut s, Key::Char('n')).is_empty());
    assert_eq!(s.status.as_ref().unwrap().0, "no .envrc written");
}

#[test]
fn broken_and_sso_profiles_explain_instead_of_acting() {
    let mut s = loaded();
    let broken = idx(&s, "broken");
    s.selected = s.filter.visible().iter().position(|m| m.profile == broken).unwrap();
    assert!(key(&mut s, Key::Enter).is_empty());
    let (text, error) = s.status.clone().unwrap();
    assert!(error && text.contains("nope"), "{text}");
}

#[test]
fn sessions_expire_while_open_and_sort_toggles() {
    let mut s = loaded();
    let dev = idx(&s, "team-dev-readonly");
    assert!(matches!(s.sessions[dev], SessionState::Valid { .. }));
    update(&mut s, Msg::Tick(NOW + time::Duration::minutes(38)));
    assert_eq!(s.sessions[dev], SessionState::Expired);
    key(&mut s, Key::Char('s'));
    assert_eq!(s.sort, Sort::Name);
    let first = s.inventory.profiles[s.filter.visible()[0].profile].name.clone();
    assert_eq!(first, "base");
}

#[test]
fn frecency_puts_recent_profiles_first() {
    let inventory = Arc::new(Inventory::from_texts(Some(CONFIG), Some(CREDS)));
    let mut frecency = Frecency::default();
    frecency.record("ci", NOW.unix_timestamp());
    let s = State::new(inventory, frecency, NOW, Origin::default());
    assert_eq!(s.inventory.profiles[s.filter.visible()[0].profile].name, "ci");
    assert_eq!(s.current(), Some(idx(&s, "ci")), "the cursor starts on the top row");
}

#[test]
fn inside_an_awsw_shell_enter_refuses_to_nest() {
    let mut s = loaded();
    s.nested = Some("sandbox".into());
    assert!(key(&mut s, Key::Enter).is_empty());
    assert!(s.status.as_ref().unwrap().0.contains("already inside an awsw shell for sandbox"));
}

pub(crate) fn draw(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            awsw::ui::render(state, frame);
        })
        .unwrap();
    terminal.backend().to_string()
}

/// Draws as the runtime does: the model hears what the frame laid out.
fn draw_laid(state: &mut State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut viewport = Viewport::default();
    terminal.draw(|frame| viewport = awsw::ui::render(state, frame)).unwrap();
    update(state, Msg::Drawn(viewport));
    terminal.backend().to_string()
}

#[test]
fn snapshot_empty_config() {
    insta::assert_snapshot!(draw(&state_from("", ""), 80, 24));
}

#[test]
fn snapshot_loading() {
    let mut s = state();
    let list = readiness(&s);
    update(&mut s, Msg::ReadinessLoaded(list));
    insta::assert_snapshot!(draw(&s, 80, 24));
}

#[test]
fn snapshot_loaded() {
    let mut s = loaded();
    let dev = idx(&s, "team-dev-readonly");
    s.selected = s.filter.visible().iter().position(|m| m.profile == dev).unwrap();
    insta::assert_snapshot!(draw(&s, 120, 30));
}

#[test]
fn snapshot_loaded_no_color_is_the_same_text() {
    let mut s = loaded();
    s.no_color = true;
    let plain = draw(&s, 80, 24);
    s.no_color = false;
    assert_eq!(plain, draw(&s, 80, 24), "colour changes style, never text");
}

#[test]
fn snapshot_filtered() {
    let mut s = loaded();
    key(&mut s, Key::Char('/'));
    typed(&mut s, "prod");
    insta::assert_snapshot!(draw(&s, 80, 24));
}

#[test]
fn snapshot_mfa_modal_with_error() {
    let mut s = loaded();
    let prod = idx(&s, "team-prod-admin");
    s.selected = s.filter.visible().iter().position(|m| m.profile == prod).unwrap();
    key(&mut s, Key::Enter);
    typed(&mut s, "000000");
    key(&mut s, Key::Enter);
    update(
        &mut s,
        Msg::SessionLoaded {
            profile: prod,
            purpose: Purpose::Shell,
            result: Err(SessionFailure::MfaRejected(
                "STS rejected the MFA code (wrong, expired or already used)".into(),
            )),
        },
    );
    insta::assert_snapshot!(draw(&s, 80, 24));
}

#[test]
fn snapshot_narrow_terminal() {
    insta::assert_snapshot!(draw(&loaded(), 40, 12));
}

#[test]
fn snapshot_double_width_names() {
    let mut s = state_from(
        "[profile 本番-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = k\nregion = ap-northeast-1\n\
         [profile 開発-読み取り専用]\nrole_arn = arn:aws:iam::210987654321:role/readonly\nsource_profile = k\nregion = ap-northeast-1\n\
         [profile plain-ascii]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = k\nregion = us-east-1\n",
        "[k]\naws_access_key_id = A\naws_secret_access_key = S\n",
    );
    update(&mut s, Msg::ReadinessLoaded(vec![Readiness::Ready { expiration: None }; 4]));
    insta::assert_snapshot!(draw(&s, 80, 24));
}

#[test]
fn renders_at_every_size_down_to_tiny_without_panicking() {
    let s = loaded();
    for (w, h) in [(200, 60), (80, 24), (40, 12), (20, 5), (1, 1)] {
        let _ = draw(&s, w, h);
    }
}

#[test]
fn the_selected_row_is_always_drawn() {
    let config: String = (0..30).map(|n| format!("[profile p{n:02}]\ncredential_process = x\n")).collect();
    let mut s = state_from(&config, "");
    for (w, h) in [(100u16, 24u16), (80, 24), (40, 12), (200, 60)] {
        key(&mut s, Key::Home);
        for step in 0..s.inventory.profiles.len() * 2 {
            // Down to the end, then up a page at a time, back at the top.
            let code = if step < s.inventory.profiles.len() { Key::Down } else { Key::PageUp };
            key(&mut s, code);
            let name = s.inventory.profiles[s.current().unwrap()].name.clone();
            let screen = draw_laid(&mut s, w, h);
            let listed = screen
                .lines()
                .skip(3)
                .take_while(|l| !l.contains("details"))
                .any(|l| l.contains(&format!("\"{name} ")));
            assert!(listed, "{name} not on screen at {w}x{h}:\n{screen}");
        }
    }
}

#[test]
fn help_lists_every_key_in_full_at_80x24_and_any_key_closes_it() {
    let mut s = loaded();
    key(&mut s, Key::Char('?'));
    assert_eq!(s.mode, Mode::Help);
    let screen = draw(&s, 80, 24);
    insta::assert_snapshot!("help_80x24", screen);
    for text in [
        "move a page",
        "search name, account, role, region, description",
        "in search: keep the filter",
        "in search: clear it",
        "scroll the details down / up",
        "start a shell in the session (--print: print exports)",
        "copy export lines for your shell",
        "write .envrc (envrc_mode / inline credentials)",
        "check this profile / all again",
        "sort by recent use / by name",
        "this help",
        "q ctrl-c",
        "clear the filter, else quit",
    ] {
        assert!(screen.contains(text), "{text:?} missing or cut:\n{screen}");
    }
    key(&mut s, Key::Char('x'));
    assert_eq!(s.mode, Mode::List);
    assert!(s.exit.is_none(), "closing help does not quit");
}

#[test]
fn long_term_keys_behind_mfa_show_their_identity_and_still_need_the_code() {
    let mut s = state();
    let base = idx(&s, "base");
    let serial = "arn:aws:iam::111111111111:mfa/alice".to_string();
    let mut list = readiness(&s);
    list[base] = Readiness::NeedsMfa { serial: serial.clone(), has_mfa_process: false };
    let effects = update(&mut s, Msg::ReadinessLoaded(list));
    let Some(Effect::FetchIdentity { request, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::FetchIdentity { profile, .. } if *profile == base))
        .cloned()
    else {
        panic!("base's keys need no code for GetCallerIdentity: {effects:?}")
    };
    // A role behind an MFA device is not asked.
    let admin = idx(&s, "team-prod-admin");
    assert!(!effects.iter().any(|e| matches!(e, Effect::FetchIdentity { profile, .. } if *profile == admin)));
    let arn = "arn:aws:iam::111111111111:user/alice";
    update(
        &mut s,
        Msg::IdentityLoaded { profile: base, request, result: Ok(report("111111111111", arn, None)) },
    );
    assert_eq!(s.sessions[base], SessionState::NeedsMfa { serial }, "switching still takes a code");
    assert_eq!(s.identities[base].as_ref().unwrap().identity.arn, arn);
    s.selected = s.filter.visible().iter().position(|m| m.profile == base).unwrap();
    assert!(draw(&s, 120, 30).contains(arn), "the details show the verified identity");
}

#[test]
fn r_checks_again_so_a_login_made_elsewhere_is_picked_up() {
    let mut s = state();
    let ci = idx(&s, "ci");
    let list = readiness(&s);
    update(&mut s, Msg::ReadinessLoaded(list));
    assert_eq!(s.sessions[ci], SessionState::OnDemand);
    s.selected = s.filter.visible().iter().position(|m| m.profile == ci).unwrap();
    assert_eq!(key(&mut s, Key::Char('r')), [Effect::CheckReadiness { profile: ci }]);
    // Still needs its process: nothing is run unasked, and the state says so again.
    let effects = update(&mut s, Msg::ReadinessChecked { profile: ci, readiness: Readiness::NeedsProcess });
    assert!(effects.is_empty());
    assert_eq!(s.sessions[ci], SessionState::OnDemand);
    // An SSO login done in another terminal: `r` now finds the profile ready.
    let effects = update(
        &mut s,
        Msg::ReadinessChecked { profile: ci, readiness: Readiness::Ready { expiration: None } },
    );
    assert!(matches!(effects[..], [Effect::FetchIdentity { profile, .. }] if profile == ci));
    assert_eq!(s.sessions[ci], SessionState::Loading);
    // A stale index never panics.
    assert!(
        update(&mut s, Msg::ReadinessChecked { profile: 999, readiness: Readiness::NeedsProcess }).is_empty()
    );
}

fn origin_of(vars: &[(&str, &str)]) -> Origin {
    Origin::from_vars(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
}

#[test]
fn the_origin_follows_the_sdks_order_credentials_before_aws_profile() {
    let keys = [("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "s")];
    let o = origin_of(&[
        keys[0],
        keys[1],
        ("AWSW_PROFILE", "prod"),
        ("AWS_CREDENTIAL_EXPIRATION", "2026-11-23T09:42:00Z"),
    ]);
    assert_eq!(o.label, "awsw profile prod");
    assert_eq!(o.expires, Some(NOW + time::Duration::minutes(42)));
    let o = origin_of(&keys);
    assert!(o.label.starts_with("keys AKIA") && !o.label.contains("IOSFODNN7"), "masked: {}", o.label);
    let o = origin_of(&[keys[0], keys[1], ("AWS_PROFILE", "dev")]);
    assert!(o.label.ends_with("(AWS_PROFILE=dev is ignored: keys in the environment win)"), "{}", o.label);
    assert_eq!(o.profile, None);
    let o = origin_of(&[keys[0], ("AWS_PROFILE", "dev")]);
    assert_eq!(o.label, "AWS_PROFILE=dev", "a key id without its secret is not credentials");
    let o = origin_of(&[("AWS_PROFILE", "dev")]);
    assert_eq!((o.label.as_str(), o.profile.as_deref()), ("AWS_PROFILE=dev", Some("dev")));
    assert_eq!(
        origin_of(&[("AWSW_PROFILE", "prod")]).label,
        "awsw profile prod, but no credentials are loaded"
    );
    assert_eq!(origin_of(&[("AWS_PROFILE", "")]).label, "no AWS credentials in this environment");
}

#[test]
fn the_header_shows_the_verified_identity_of_the_starting_terminal() {
    let mut s = loaded();
    assert!(!draw(&s, 120, 30).lines().next().unwrap().contains('·'));
    let identity = Identity {
        account: "222222222222".into(),
        arn: "arn:aws:sts::222222222222:assumed-role/admin/alice".into(),
        user_id: "AROAEXAMPLE:alice".into(),
    };
    update(&mut s, Msg::OriginIdentity(Ok(identity)));
    let header = draw(&s, 120, 30).lines().next().unwrap().to_string();
    assert!(
        header.contains("awsw shell sandbox (expires in 42m) · 222222222222 assumed-role/admin/alice"),
        "{header}"
    );
    // `R` checks everything again, the starting terminal's credentials too.
    assert_eq!(key(&mut s, Key::Char('R')), [Effect::LoadReadiness, Effect::FetchOriginIdentity]);
    update(&mut s, Msg::OriginIdentity(Err("the credentials in this environment have expired".into())));
    let header = draw(&s, 120, 30).lines().next().unwrap().to_string();
    assert!(header.contains("· the credentials in this environment have expired"), "{header}");

    // AWS_PROFILE: the identity is the profile's, once the list has it.
    let mut s = loaded();
    s.origin = origin_of(&[("AWS_PROFILE", "team-dev-readonly")]);
    let header = draw(&s, 120, 30).lines().next().unwrap().to_string();
    assert!(header.contains("AWS_PROFILE=team-dev-readonly · 333333333333 "), "{header}");
}

fn example() -> State {
    state_from(include_str!("../../assets/example/config"), include_str!("../../assets/example/credentials"))
}

fn select(s: &mut State, name: &str) {
    let profile = idx(s, name);
    s.selected = s.filter.visible().iter().position(|m| m.profile == profile).unwrap();
}

fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(state, Msg::Key(Key::Ctrl(c)))
}

/// `team-prod-admin` of the example config after its MFA code: the longest details there.
fn example_after_mfa() -> State {
    let mut s = example();
    let admin = idx(&s, "team-prod-admin");
    let mut session = session("team-prod-admin");
    session.identity = Some(Identity {
        account: "200000000001".into(),
        arn: "arn:aws:sts::200000000001:assumed-role/admin/alice".into(),
        user_id: "AROAEXAMPLE:alice".into(),
    });
    update(&mut s, Msg::SessionLoaded { profile: admin, purpose: Purpose::Copy, result: Ok(session) });
    select(&mut s, "team-prod-admin");
    s
}

const ADMIN_DETAILS: [&str; 4] = [
    "MFA      arn:aws:iam::111111111111:mfa/alice",
    "note     Production: ask in the ops channel first",
    "! long-term access keys in a plain file (profile base): prefer SSO or a vault",
    "expires  10:00 UTC (in 1h00m)",
];

#[test]
fn the_details_are_as_tall_as_their_content_at_100x30() {
    let mut s = example_after_mfa();
    let screen = draw_laid(&mut s, 100, 30);
    for text in ADMIN_DETAILS {
        assert!(screen.contains(text), "{text:?} not shown:\n{screen}");
    }
    assert!(!screen.contains("ctrl-d"), "nothing to scroll:\n{screen}");
    // Also before the code, and at 100x45, where the list has rows to spare.
    let mut s = example();
    select(&mut s, "team-prod-admin");
    let screen = draw_laid(&mut s, 100, 45);
    for text in &ADMIN_DETAILS[..3] {
        assert!(screen.contains(text), "{text:?} not shown:\n{screen}");
    }
}

#[test]
fn at_80x24_the_details_scroll_to_show_all_of_them() {
    let mut s = example_after_mfa();
    let first = draw_laid(&mut s, 80, 24);
    let mut seen = first.clone();
    assert!(first.contains("ctrl-d ctrl-u"), "the title says the details scroll:\n{first}");
    for _ in 0..5 {
        ctrl(&mut s, 'd');
        seen.push_str(&draw_laid(&mut s, 80, 24));
    }
    for text in ADMIN_DETAILS {
        assert!(seen.contains(text), "{text:?} never shown:\n{seen}");
    }
    ctrl(&mut s, 'u');
    ctrl(&mut s, 'u');
    ctrl(&mut s, 'u');
    assert_eq!(draw_laid(&mut s, 80, 24), first, "ctrl-u scrolls back to the top");
    // Another profile's details start at their top.
    ctrl(&mut s, 'd');
    key(&mut s, Key::Down);
    assert!(draw_laid(&mut s, 80, 24).contains("details"), "no scroll offset carried over");
}

#[test]
fn a_profile_that_needs_a_code_says_mfa_once() {
    let s = loaded();
    let screen = draw(&s, 120, 30);
    let row = screen.lines().find(|l| l.contains("\"team-prod-admin ")).unwrap();
    assert_eq!(row.matches("MFA").count(), 1, "{row}");
    assert!(row.contains("needs code"), "{row}");
}

#[test]
fn a_session_valid_for_years_shows_its_date() {
    let mut s = loaded();
    let ci = idx(&s, "ci");
    let mut session = session("ci");
    session.credentials.expiration = Some(time::macros::datetime!(2030-01-01 00:00:00 UTC));
    session.identity =
        Some(Identity { account: "1".into(), arn: "arn:aws:iam::1:user/ci".into(), user_id: "AIDA".into() });
    update(&mut s, Msg::SessionLoaded { profile: ci, purpose: Purpose::Copy, result: Ok(session) });
    select(&mut s, "ci");
    let screen = draw(&s, 120, 30);
    assert!(screen.contains("✓ 2030-01-01"), "{screen}");
    assert!(screen.contains("expires  2030-01-01 00:00 UTC"), "{screen}");
    assert!(!screen.contains("h0") && !screen.contains("(in "), "no countdown in hours:\n{screen}");
}

/// The screen's text with runs of spaces and line ends made single spaces.
fn words(screen: &str) -> String {
    screen.replace('"', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_header_and_status_wrap_at_80_columns_instead_of_cutting_words() {
    let mut s = loaded();
    s.origin = origin_of(&[
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_PROFILE", "team-dev-readonly"),
    ]);
    let message = "bash lines for team-dev-readonly: written as OSC 52 (the terminal must support it; tmux needs set-clipboard on)";
    s.status = Some((message.into(), false));
    let screen = draw(&s, 80, 24);
    let top: String = screen.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(
        words(&top).contains("(AWS_PROFILE=team-dev-readonly is ignored: keys in the environment win)"),
        "{screen}"
    );
    assert!(words(&screen).contains(message), "{screen}");
    // A profile that is not there is named as such.
    let mut s = loaded();
    s.origin = origin_of(&[("AWS_PROFILE", "nosuch")]);
    assert!(words(&draw(&s, 80, 24)).contains("AWS_PROFILE=nosuch · no profile nosuch in the config files"));
}

/// The example config with every profile's state known, as after a minute in the picker.
fn example_loaded() -> State {
    let mut s = example();
    let list: Vec<Readiness> = s
        .inventory
        .profiles
        .iter()
        .map(|p| match p.name.as_str() {
            "default" => Readiness::DefaultChain,
            "broken" => Readiness::Unusable { reason: "sets no credentials".into() },
            "base" => Readiness::NeedsMfa {
                serial: "arn:aws:iam::111111111111:mfa/alice".into(),
                has_mfa_process: false,
            },
            "team-prod-audit" => {
                Readiness::NeedsSsoLogin { command: "aws sso login --sso-session corp".into() }
            }
            "ci" => Readiness::NeedsProcess,
            _ => Readiness::Ready { expiration: Some(NOW + time::Duration::minutes(58)) },
        })
        .collect();
    for effect in update(&mut s, Msg::ReadinessLoaded(list)) {
        if let Effect::FetchIdentity { profile, request } = effect {
            let result =
                Ok(report("111111111111", "arn:aws:sts::111111111111:assumed-role/jump/alice", Some(58)));
            update(&mut s, Msg::IdentityLoaded { profile, request, result });
        }
    }
    s
}

#[test]
fn snapshot_example_80x24() {
    let mut s = example_loaded();
    insta::assert_snapshot!(draw_laid(&mut s, 80, 24));
}

#[test]
fn snapshot_example_100x30() {
    let mut s = example_loaded();
    insta::assert_snapshot!(draw_laid(&mut s, 100, 30));
}

#[test]
fn snapshot_example_40x12() {
    let mut s = example_loaded();
    insta::assert_snapshot!(draw_laid(&mut s, 40, 12));
}

fn column_header(screen: &str) -> String {
    screen.lines().nth(2).unwrap().to_string()
}

#[test]
fn at_80_columns_every_column_but_the_account_shows() {
    let s = example_loaded();
    let header = column_header(&draw(&s, 80, 24));
    for column in ["NAME", "KIND", "ROLE", "REGION", "MFA", "SESSION"] {
        assert!(header.contains(column), "{column} missing: {header}");
    }
    // Names of about 20 characters still leave room for all of them.
    let config =
        include_str!("../../assets/example/config").replace("team-prod-deploy", "team-prod-deployment");
    let s = state_from(&config, include_str!("../../assets/example/credentials"));
    let screen = draw(&s, 80, 24);
    let header = column_header(&screen);
    for column in ["KIND", "ROLE", "REGION", "MFA", "SESSION"] {
        assert!(header.contains(column), "{column} missing with a 20-character name:\n{screen}");
    }
    assert!(screen.contains("team-prod-deployment "), "{screen}");
}

#[test]
fn a_long_name_is_cut_with_an_ellipsis_before_a_column_gives_way() {
    let long = "team-production-administrators-in-europe-west";
    let config = include_str!("../../assets/example/config").replace("team-prod-admin", long);
    let s = state_from(&config, include_str!("../../assets/example/credentials"));
    let screen = draw(&s, 80, 24);
    let header = column_header(&screen);
    for column in ["KIND", "ROLE", "REGION", "MFA", "SESSION"] {
        assert!(header.contains(column), "{column} gave way before the name was cut:\n{screen}");
    }
    let row = screen.lines().find(|l| l.contains("team-production-")).unwrap();
    assert!(row.contains('…') && !row.contains(long), "cut with …:\n{screen}");
    // At 100 columns every column fits beside the name cut to what is left.
    let screen = draw(&s, 100, 30);
    assert!(column_header(&screen).contains("ACCOUNT"), "{screen}");
    let row = screen.lines().find(|l| l.contains("team-production-")).unwrap();
    assert!(row.contains("… 200000000001"), "{screen}");
    // With room, the name is whole.
    assert!(draw(&s, 140, 30).contains(long));
}

#[test]
fn after_a_code_every_profile_is_checked_again_as_one_code_serves_them_all() {
    let mut s = loaded();
    select(&mut s, "team-prod-admin");
    let prod = idx(&s, "team-prod-admin");
    key(&mut s, Key::Char('c'));
    typed(&mut s, "123456");
    key(&mut s, Key::Enter);
    let effects = update(
        &mut s,
        Msg::SessionLoaded { profile: prod, purpose: Purpose::Copy, result: Ok(session("team-prod-admin")) },
    );
    assert_eq!(
        effects,
        [
            Effect::RecordUse { profile: prod },
            Effect::Copy { session: session("team-prod-admin") },
            Effect::LoadReadiness
        ]
    );
    assert_eq!(s.mode, Mode::List);
}

#[test]
fn an_empty_list_with_an_sso_session_says_how_to_get_its_accounts() {
    let config =
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n";
    let screen = draw(&state_from(config, ""), 80, 24);
    assert!(screen.contains("Press L to log in to sso-session corp"), "{screen}");
    assert!(!screen.contains("aws configure"), "{screen}");
}
