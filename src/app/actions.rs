//! Carrying out the actions the key table maps keys to. Each mode's actions in their own
//! function; an action that makes no sense in the current mode does nothing.

use super::{Action, Effect, Exit, Mode, Purpose, SessionState, Sort, State};

/// Carries out `action` in the current mode.
pub(crate) fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.exit = Some(Exit::Quit);
            return Vec::new();
        }
        Action::MoveUp => state.move_by(-1),
        Action::MoveDown => state.move_by(1),
        _ => {}
    }
    match state.mode {
        Mode::List => list(state, action),
        Mode::Search => search(state, action),
        Mode::Mfa(_) => mfa(state, action),
        Mode::ConfirmEnvrc { profile, inline } => {
            state.mode = Mode::List;
            if action == Action::ConfirmEnvrc {
                return state.act(profile, Purpose::Envrc { inline });
            }
            state.set_status("no .envrc written", false);
            Vec::new()
        }
        Mode::Help => {
            state.mode = Mode::List;
            Vec::new()
        }
        Mode::Login(_) => state.login_action(action),
    }
}

fn clear_filter(state: &mut State) {
    let keep = state.current();
    state.filter.set_query("");
    state.select_profile(keep);
}

fn list(state: &mut State, action: Action) -> Vec<Effect> {
    let page = state.viewport.list_rows.max(1) as isize;
    match action {
        Action::Back if !state.filter.query().is_empty() => clear_filter(state),
        Action::Back => state.exit = Some(Exit::Quit),
        Action::StartSearch => {
            state.mode = Mode::Search;
            state.status = None;
        }
        Action::ShowHelp => state.mode = Mode::Help,
        Action::PageUp => state.move_by(-page),
        Action::PageDown => state.move_by(page),
        Action::First => state.move_by(isize::MIN / 2),
        Action::Last => state.move_by(isize::MAX / 2),
        Action::DetailsDown => state.scroll_details(1),
        Action::DetailsUp => state.scroll_details(-1),
        Action::ToggleSort => {
            state.sort = match state.sort {
                Sort::Frecency => Sort::Name,
                Sort::Name => Sort::Frecency,
            };
            state.apply_sort();
        }
        Action::CheckAll => return vec![Effect::LoadReadiness, Effect::FetchOriginIdentity],
        Action::LoginAll => return vec![Effect::FindLogins],
        other => return on_profile(state, other),
    }
    Vec::new()
}

/// The list's actions on the profile under the cursor.
fn on_profile(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(profile) = state.current() else { return Vec::new() };
    match action {
        // Checked again from the start: the session may have been renewed, or SSO logged
        // in, elsewhere since.
        Action::CheckOne if !matches!(state.sessions[profile], SessionState::Invalid(_)) => {
            state.sessions[profile] = SessionState::Loading;
            return vec![Effect::CheckReadiness { profile }];
        }
        Action::Choose => {
            if let (Some(nested), false) = (&state.nested, state.print_mode) {
                let text =
                    format!("already inside an awsw shell for {nested}: `exit` it first, or copy with c");
                state.set_status(text, true);
            } else {
                let purpose = if state.print_mode { Purpose::Print } else { Purpose::Shell };
                return state.act(profile, purpose);
            }
        }
        Action::Copy => return state.act(profile, Purpose::Copy),
        Action::OpenConsole => return state.act(profile, Purpose::Console),
        Action::WriteEnvrc => state.mode = Mode::ConfirmEnvrc { profile, inline: false },
        Action::WriteEnvrcInline => state.mode = Mode::ConfirmEnvrc { profile, inline: true },
        _ => {}
    }
    Vec::new()
}

fn search(state: &mut State, action: Action) -> Vec<Effect> {
    let mut query = state.filter.query().to_string();
    match action {
        Action::ClearFilter => {
            clear_filter(state);
            state.mode = Mode::List;
            return Vec::new();
        }
        Action::KeepFilter => {
            state.mode = Mode::List;
            return Vec::new();
        }
        Action::DeleteChar => {
            query.pop();
        }
        Action::Type(c) => query.push(c),
        _ => return Vec::new(),
    }
    state.filter.set_query(&query);
    state.selected = 0;
    state.scroll = 0;
    Vec::new()
}

fn mfa(state: &mut State, action: Action) -> Vec<Effect> {
    let Mode::Mfa(modal) = &mut state.mode else { return Vec::new() };
    match action {
        Action::CancelCode => state.mode = Mode::List,
        Action::DeleteChar => {
            modal.code.pop();
            modal.error = None;
        }
        Action::Type(c) if c.is_ascii_digit() && modal.code.len() < 6 && !modal.busy => {
            modal.code.push(c);
            modal.error = None;
        }
        Action::SubmitCode if modal.code.len() == 6 && !modal.busy => {
            modal.busy = true;
            return vec![Effect::GetSession {
                profile: modal.profile,
                purpose: modal.purpose,
                mfa: Some(modal.code.clone()),
                run_mfa_process: false,
            }];
        }
        Action::SubmitCode if !modal.busy => {
            modal.error = Some("enter the 6 digits from your MFA device".into());
        }
        _ => {}
    }
    Vec::new()
}
