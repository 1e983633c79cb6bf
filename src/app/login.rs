//! The SSO login modal: choosing a profile whose sso-session has no valid token (or `L`)
//! runs the device login in the background and shows its URL, user code and countdown;
//! `o` opens the page, `Esc` cancels (no token is written). After a login the switch that
//! asked for it goes on, and `L` goes on to the next session without a token.

use super::{Action, Effect, Mode, Purpose, SessionState, State};
use crate::sso::device::DevicePrompt;

/// The SSO login modal's state: which login runs, what it shows, and what comes after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginModal {
    /// What `awsw login` takes for it: the sso-session, or a legacy SSO profile.
    pub(crate) login: String,
    /// `sso-session corp`.
    pub label: String,
    /// What to show once the service has answered; `None` while it starts.
    pub prompt: Option<DevicePrompt>,
    /// The switch that asked for the login, to go on with after it.
    pub(crate) then: Option<(usize, Purpose)>,
    /// Further logins (`L`), as (login, label).
    pub queue: Vec<(String, String)>,
    /// Why `o` could not open the page.
    pub note: Option<String>,
}

impl State {
    /// The login modal for the sso-session behind `profile`, going on with `purpose` after it.
    pub(super) fn login_for(&mut self, profile: usize, purpose: Purpose) -> Vec<Effect> {
        let p = self.profile(profile);
        match crate::sso::target::for_profile(&self.inventory, p) {
            Ok(target) => {
                self.status = None;
                self.start_login(target.login, target.label, Some((profile, purpose)), Vec::new())
            }
            Err(err) => {
                self.set_status(err.to_string(), true);
                Vec::new()
            }
        }
    }

    fn start_login(
        &mut self,
        login: String,
        label: String,
        then: Option<(usize, Purpose)>,
        queue: Vec<(String, String)>,
    ) -> Vec<Effect> {
        let modal = LoginModal { login: login.clone(), label, prompt: None, then, queue, note: None };
        self.mode = Mode::Login(modal);
        vec![Effect::StartLogin { login }]
    }

    /// `L` found these sessions without a valid token.
    pub(super) fn logins_needed(&mut self, mut needed: Vec<(String, String)>) -> Vec<Effect> {
        if needed.is_empty() {
            self.set_status("every sso-session has a valid token", false);
            return Vec::new();
        }
        let (login, label) = needed.remove(0);
        self.start_login(login, label, None, needed)
    }

    pub(super) fn login_prompt(&mut self, login: &str, prompt: DevicePrompt) {
        if let Mode::Login(modal) = &mut self.mode
            && modal.login == login
        {
            modal.prompt = Some(prompt);
        }
    }

    /// A login ended: go on with the next one, or with the switch that asked for it.
    pub(super) fn logged_in(&mut self, login: &str, result: Result<(), String>) -> Vec<Effect> {
        let Mode::Login(modal) = &self.mode else { return Vec::new() };
        if modal.login != login {
            return Vec::new();
        }
        let mut modal = modal.clone();
        let mut effects = Vec::new();
        match result {
            Ok(()) => {
                self.set_status(format!("logged in to {}", modal.label), false);
                // Discovery is per sso-session; a legacy SSO profile has none.
                if self.inventory.sso_sessions.iter().any(|s| s.name == login) {
                    effects.push(Effect::Discover { session: login.to_string() });
                }
            }
            Err(reason) => {
                self.set_status(reason, true);
                modal.then = None;
            }
        }
        self.mode = Mode::List;
        if !modal.queue.is_empty() {
            let (next, label) = modal.queue.remove(0);
            effects.extend(self.start_login(next, label, None, modal.queue));
            return effects;
        }
        // Every profile of the session can now say what it has.
        effects.push(Effect::LoadReadiness);
        if let Some((profile, purpose)) = modal.then {
            self.sessions[profile] = SessionState::Loading;
            effects.extend(self.act(profile, purpose));
        }
        effects
    }

    /// The modal's keys.
    pub(super) fn login_action(&mut self, action: Action) -> Vec<Effect> {
        let Mode::Login(modal) = &mut self.mode else { return Vec::new() };
        match action {
            Action::CancelLogin => {
                let label = modal.label.clone();
                self.mode = Mode::List;
                self.set_status(format!("login to {label} cancelled; no token written"), false);
                vec![Effect::CancelLogin]
            }
            Action::OpenLoginPage => match &modal.prompt {
                Some(prompt) => vec![Effect::OpenUrl(prompt.verification_uri_complete.clone())],
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// `o` could not open the browser: the modal says so (the URL is on screen).
    pub(super) fn login_note(&mut self, note: String) -> bool {
        match &mut self.mode {
            Mode::Login(modal) => {
                modal.note = Some(note);
                true
            }
            _ => false,
        }
    }
}
