//! `update`: applies one message to the state and returns the effects it needs. Results
//! (readiness, identities, sessions) are handled here; keys are looked up in the key table
//! and the actions carried out in `actions.rs`.

use super::{
    Effect, Exit, MfaModal, Mode, Msg, Purpose, SessionFailure, SessionState, State, actions, keymap,
};
use crate::creds::{IdentityReport, Readiness, Session};

/// Applies one message. Does no I/O: everything that needs the world comes back as an `Effect`.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => match keymap::action_for(state.mode.keys(), key) {
            Some(action) => actions::perform(state, action),
            None => Vec::new(),
        },
        Msg::Action(action) => actions::perform(state, action),
        Msg::Tick(now) => {
            state.now = now;
            // Sessions run out while the picker is open.
            for s in &mut state.sessions {
                if let SessionState::Valid { expires: Some(t) } = s
                    && *t <= now
                {
                    *s = SessionState::Expired;
                }
            }
            Vec::new()
        }
        Msg::Resized => Vec::new(),
        Msg::Drawn(viewport) => {
            state.viewport = viewport;
            state.clamp();
            Vec::new()
        }
        Msg::Quit => finish(state, Exit::Quit),
        Msg::Signalled(signal) => finish(state, Exit::Signalled(signal)),
        Msg::ReadinessLoaded(list) => {
            let effects: Vec<Effect> = list
                .iter()
                .enumerate()
                .take(state.sessions.len())
                .filter_map(|(idx, readiness)| state.apply_readiness(idx, readiness))
                .collect();
            state.progress = (0, effects.len());
            effects
        }
        Msg::OriginIdentity(result) => {
            state.origin.identity = Some(result);
            Vec::new()
        }
        Msg::OriginInstance { role, identity } => {
            state.origin.label = format!("EC2 instance role {role} (instance metadata)");
            state.origin.identity = Some(identity);
            Vec::new()
        }
        Msg::ReadinessChecked { profile, readiness } if profile < state.sessions.len() => {
            state.apply_readiness(profile, &readiness).into_iter().collect()
        }
        Msg::ReadinessChecked { .. } => Vec::new(),
        Msg::IdentityLoaded { profile, request, result } => on_identity(state, profile, request, result),
        Msg::SessionLoaded { profile, purpose, result } => on_session(state, profile, purpose, result),
        msg @ (Msg::ReadinessBatch(_)
        | Msg::DiscoveryProgress { .. }
        | Msg::Discovered { .. }
        | Msg::LoginsNeeded(_)
        | Msg::LoginPrompt { .. }
        | Msg::LoggedIn { .. }) => on_sso(state, msg),
        Msg::Opened(Err(reason)) if state.login_note(reason.clone()) => Vec::new(),
        Msg::Opened(result) | Msg::Status(result) | Msg::EnvrcWritten(result) => {
            match result {
                Ok(text) => state.set_status(text, false),
                Err(text) => state.set_status(text, true),
            }
            Vec::new()
        }
    }
}

/// Discovery and login results.
fn on_sso(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::ReadinessBatch(list) => {
            let known = state.sessions.len();
            let list = list.into_iter().filter(|(idx, _)| *idx < known);
            list.filter_map(|(idx, readiness)| state.apply_readiness(idx, &readiness)).collect()
        }
        Msg::DiscoveryProgress { session, done, total } => {
            state.discovery_progress(session, done, total);
            Vec::new()
        }
        Msg::Discovered { session, result } => {
            state.discovered.running.retain(|r| r.0 != session);
            match result {
                Ok(Some(discovery)) => state.apply_discovery(discovery),
                Ok(None) => Vec::new(),
                Err(reason) => {
                    state.set_status(reason, true);
                    Vec::new()
                }
            }
        }
        Msg::LoginsNeeded(needed) => state.logins_needed(needed),
        Msg::LoginPrompt { login, prompt } => {
            state.login_prompt(&login, prompt);
            Vec::new()
        }
        Msg::LoggedIn { login, result } => state.logged_in(&login, result),
        _ => Vec::new(),
    }
}

fn finish(state: &mut State, exit: Exit) -> Vec<Effect> {
    state.exit = Some(exit);
    Vec::new()
}

fn from_readiness(readiness: &Readiness) -> SessionState {
    match readiness {
        // Its identity is asked for at once.
        Readiness::Ready { .. } => SessionState::Loading,
        Readiness::NeedsMfa { serial, .. } => SessionState::NeedsMfa { serial: serial.clone() },
        Readiness::NeedsSsoLogin { command } => SessionState::NeedsSso { command: command.clone() },
        Readiness::NeedsProcess | Readiness::DefaultChain => SessionState::OnDemand,
        Readiness::Unusable { reason } => SessionState::Invalid(reason.clone()),
    }
}

impl State {
    /// Records what the engine says `profile` needs, and asks for its identity when that
    /// takes no prompt.
    fn apply_readiness(&mut self, profile: usize, readiness: &Readiness) -> Option<Effect> {
        self.sessions[profile] = from_readiness(readiness);
        if self.discovered.row(profile).is_some() {
            // Thousands of rows: their identity costs a portal call each, so it waits until
            // one is chosen.
            if let Readiness::Ready { expiration } = readiness {
                self.sessions[profile] = match expiration {
                    Some(t) => SessionState::Valid { expires: Some(*t) },
                    None => SessionState::SsoReady,
                };
            }
            return None;
        }
        readiness
            .identity_without_prompt(&self.inventory.profiles[profile])
            .then(|| Effect::FetchIdentity { profile, request: self.request(profile) })
    }

    /// The MFA modal for `profile`, empty.
    pub(super) fn open_mfa(&mut self, profile: usize, serial: String, purpose: Purpose) {
        let modal = MfaModal { profile, serial, code: String::new(), error: None, purpose, busy: false };
        self.mode = Mode::Mfa(modal);
    }

    /// Starts getting a session for `profile`, or opens the MFA modal when one is needed.
    pub(super) fn act(&mut self, profile: usize, purpose: Purpose) -> Vec<Effect> {
        let name = self.profile(profile).name.clone();
        match &self.sessions[profile] {
            SessionState::Invalid(reason) => {
                let text = format!("{name} cannot be used: {reason}");
                self.set_status(text, true);
            }
            SessionState::NeedsSso { .. } => return self.login_for(profile, purpose),
            SessionState::NeedsMfa { serial } if self.profile(profile).mfa_process.is_none() => {
                self.open_mfa(profile, serial.clone(), purpose);
            }
            _ => {
                self.set_status(format!("getting a session for {name}…"), false);
                return vec![Effect::GetSession { profile, purpose, mfa: None, run_mfa_process: true }];
            }
        }
        Vec::new()
    }
}

fn on_identity(
    state: &mut State,
    profile: usize,
    request: u64,
    result: Result<IdentityReport, String>,
) -> Vec<Effect> {
    if state.requests.get(profile) != Some(&request) {
        return Vec::new();
    }
    state.progress.0 = (state.progress.0 + 1).min(state.progress.1);
    // A profile with long-term keys that switches with MFA: its identity is known without a
    // code, but switching still takes one, so the state stays `needs code`.
    let switch_needs_mfa = matches!(state.sessions[profile], SessionState::NeedsMfa { .. });
    match result {
        Ok(report) => {
            if !switch_needs_mfa {
                state.sessions[profile] = SessionState::Valid { expires: report.expiration };
            }
            state.identities[profile] = Some(report);
        }
        Err(reason) if switch_needs_mfa => {
            state.set_status(format!("{}: {reason}", state.inventory.profiles[profile].name), true)
        }
        Err(reason) => state.sessions[profile] = SessionState::Error(reason),
    }
    Vec::new()
}

fn on_session(
    state: &mut State,
    profile: usize,
    purpose: Purpose,
    result: Result<Box<Session>, SessionFailure>,
) -> Vec<Effect> {
    match result {
        Ok(session) => on_session_ready(state, profile, purpose, session),
        Err(SessionFailure::NeedsMfa { serial }) => {
            state.sessions[profile] = SessionState::NeedsMfa { serial: serial.clone() };
            state.status = None;
            state.open_mfa(profile, serial, purpose);
            Vec::new()
        }
        Err(SessionFailure::MfaRejected(reason)) => {
            match &mut state.mode {
                Mode::Mfa(modal) => {
                    modal.error = Some(reason);
                    modal.code.clear();
                    modal.busy = false;
                }
                _ => state.set_status(reason, true),
            }
            Vec::new()
        }
        Err(SessionFailure::Other(reason)) => {
            if let Mode::Mfa(modal) = &mut state.mode {
                modal.error = Some(reason);
                modal.busy = false;
            } else {
                state.sessions[profile] = SessionState::Error(reason.clone());
                state.set_status(reason, true);
            }
            Vec::new()
        }
    }
}

fn on_session_ready(
    state: &mut State,
    profile: usize,
    purpose: Purpose,
    session: Box<Session>,
) -> Vec<Effect> {
    state.sessions[profile] = SessionState::Valid { expires: session.credentials.expiration };
    if let Some(identity) = &session.identity {
        state.identities[profile] = Some(IdentityReport {
            identity: identity.clone(),
            expiration: session.credentials.expiration,
            origin: session.origin,
            session_name: crate::config::Arn::parse(&identity.arn)
                .and_then(|arn| arn.session_name())
                .map(str::to_string),
            keys: state.identities[profile].as_ref().and_then(|r| r.keys.clone()),
            identity_from_cache: session.origin == crate::creds::SessionOrigin::Cache,
        });
    }
    let after_code = matches!(state.mode, Mode::Mfa(_));
    if after_code {
        state.mode = Mode::List;
    }
    state.status = None;
    let mut effects = vec![Effect::RecordUse { profile }];
    match purpose {
        Purpose::Shell => state.exit = Some(Exit::Shell(session)),
        Purpose::Print => state.exit = Some(Exit::Print(session)),
        Purpose::Copy => effects.push(Effect::Copy { session }),
        Purpose::Console => effects.push(Effect::OpenConsole { session }),
        Purpose::Envrc { inline } => effects.push(Effect::WriteEnvrc { session, inline }),
    }
    // One code serves every role behind the same base profile: the list shows it at once.
    if after_code && state.exit.is_none() {
        effects.push(Effect::LoadReadiness);
    }
    effects
}
