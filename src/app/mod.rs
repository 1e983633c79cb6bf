//! The picker's state and its pure `update`: messages in (keys, results, ticks), effects
//! out (fetch an identity, get a session, copy, write an .envrc). No I/O and no clock here:
//! `now` arrives in messages, so every state can be built and checked in a test.

pub mod filter;
pub mod frecency;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;

use crate::config::{Inventory, Kind, Profile};
use crate::creds::{Identity, IdentityReport, Readiness, Session};
use filter::Filter;
use frecency::Frecency;

/// What the list shows about a profile's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Not looked at yet.
    Unknown,
    Loading,
    /// Verified; `expires` is `None` for long-term keys.
    Valid {
        expires: Option<OffsetDateTime>,
    },
    Expired,
    NeedsMfa {
        serial: String,
    },
    NeedsSso {
        command: String,
    },
    /// credential_process: run only when chosen.
    OnDemand,
    Error(String),
    Invalid(String),
}

/// What the user wants done with the session once it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Shell,
    Copy,
    Envrc { inline: bool },
    Print,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaModal {
    pub profile: usize,
    pub serial: String,
    pub code: String,
    pub error: Option<String>,
    pub purpose: Purpose,
    pub busy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    List,
    Search,
    Mfa(MfaModal),
    ConfirmEnvrc { profile: usize, inline: bool },
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Frecency,
    Name,
}

/// How the picker ends.
#[derive(Debug, Clone)]
pub enum Exit {
    Quit,
    Shell(Box<Session>),
    Print(Box<Session>),
}

/// The environment awsw was started from, for the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub label: String,
    pub expires: Option<OffsetDateTime>,
    /// `AWS_PROFILE` when it is what the terminal uses: its identity is that profile's,
    /// once the list has it.
    pub profile: Option<String>,
    /// What STS says the credentials in the environment are (`Err`: why it could not tell).
    pub identity: Option<Result<Identity, String>>,
}

impl Origin {
    /// Where a terminal with these variables points, in the SDKs' order: credentials in the
    /// environment beat `AWS_PROFILE`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Origin {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let expires = var("AWS_CREDENTIAL_EXPIRATION")
            .and_then(|t| OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok());
        let keys = var("AWS_ACCESS_KEY_ID").filter(|_| var("AWS_SECRET_ACCESS_KEY").is_some());
        let has_keys = keys.is_some();
        let awsw = var("AWSW_PROFILE");
        let aws_profile = var("AWS_PROFILE");
        let mut origin = match (keys, awsw, aws_profile) {
            (Some(_), Some(profile), _) => {
                Origin { label: format!("awsw profile {profile}"), expires, ..Origin::default() }
            }
            (Some(key), None, _) => Origin {
                label: format!("keys {} from the environment", crate::secret::mask_key_id(&key)),
                expires,
                ..Origin::default()
            },
            (None, Some(profile), _) => Origin {
                label: format!("awsw profile {profile}, but no credentials are loaded"),
                ..Origin::default()
            },
            (None, None, Some(profile)) => Origin {
                label: format!("AWS_PROFILE={profile}"),
                profile: Some(profile),
                ..Origin::default()
            },
            (None, None, None) => {
                Origin { label: "no AWS credentials in this environment".into(), ..Origin::default() }
            }
        };
        if let (true, Some(profile)) = (has_keys, var("AWS_PROFILE")) {
            origin
                .label
                .push_str(&format!(" (AWS_PROFILE={profile} is ignored: keys in the environment win)"));
        }
        origin
    }
}

#[derive(Debug, Clone)]
pub struct State {
    pub inventory: Arc<Inventory>,
    pub sessions: Vec<SessionState>,
    pub identities: Vec<Option<IdentityReport>>,
    /// Profile indices in display order (frecency or name).
    pub order: Vec<usize>,
    pub filter: Filter,
    /// Index into `filter.visible()`.
    pub selected: usize,
    /// First visible row, kept so the selection stays on screen.
    pub scroll: usize,
    /// Rows the list had at the last draw; paging moves by this much.
    pub page: usize,
    pub mode: Mode,
    pub sort: Sort,
    pub frecency: Frecency,
    pub now: OffsetDateTime,
    pub origin: Origin,
    pub status: Option<(String, bool)>,
    /// Identities fetched so far out of those fetchable without a prompt.
    pub progress: (usize, usize),
    pub print_mode: bool,
    /// `NO_COLOR` was set: no colours, only bold and reverse video.
    pub no_color: bool,
    /// The profile of the awsw shell the picker runs in, if any: Enter then refuses to nest.
    pub nested: Option<String>,
    pub cwd: String,
    pub exit: Option<Exit>,
    /// Request ids by profile: an answer for an older request is dropped.
    pub requests: Vec<u64>,
    next_request: u64,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize {
        rows: usize,
    },
    Tick(OffsetDateTime),
    ReadinessLoaded(Vec<Readiness>),
    /// What STS said about the credentials in the environment.
    OriginIdentity(Result<Identity, String>),
    /// The starting terminal's credentials come from the EC2 instance role `role`.
    OriginInstance {
        role: String,
        identity: Result<Identity, String>,
    },
    /// One profile checked again (`r`).
    ReadinessChecked {
        profile: usize,
        readiness: Readiness,
    },
    IdentityLoaded {
        profile: usize,
        request: u64,
        result: Result<IdentityReport, String>,
    },
    SessionLoaded {
        profile: usize,
        purpose: Purpose,
        result: Result<Box<Session>, SessionFailure>,
    },
    Copied(Result<String, String>),
    EnvrcWritten(Result<String, String>),
    Quit,
}

/// Why a session could not be had, in the terms the picker reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionFailure {
    NeedsMfa { serial: String },
    MfaRejected(String),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadReadiness,
    /// `GetCallerIdentity` with the credentials in the environment, if there are any.
    FetchOriginIdentity,
    CheckReadiness {
        profile: usize,
    },
    FetchIdentity {
        profile: usize,
        request: u64,
    },
    GetSession {
        profile: usize,
        purpose: Purpose,
        mfa: Option<String>,
        run_mfa_process: bool,
    },
    Copy {
        profile: usize,
    },
    WriteEnvrc {
        profile: usize,
        inline: bool,
    },
    RecordUse {
        profile: usize,
    },
}

impl State {
    pub fn new(inventory: Arc<Inventory>, frecency: Frecency, now: OffsetDateTime, origin: Origin) -> State {
        let n = inventory.profiles.len();
        let sessions = inventory
            .profiles
            .iter()
            .map(|p| match p.kind {
                Kind::Invalid => {
                    SessionState::Invalid(p.problems.first().map(|f| f.message.clone()).unwrap_or_default())
                }
                _ => SessionState::Unknown,
            })
            .collect();
        let filter = Filter::new(&inventory);
        let mut state = State {
            inventory,
            sessions,
            identities: vec![None; n],
            order: (0..n).collect(),
            filter,
            selected: 0,
            scroll: 0,
            page: 10,
            mode: Mode::List,
            sort: Sort::Frecency,
            frecency,
            now,
            origin,
            status: None,
            progress: (0, 0),
            print_mode: false,
            no_color: false,
            nested: None,
            cwd: String::new(),
            exit: None,
            requests: vec![0; n],
            next_request: 1,
        };
        state.apply_sort();
        state
    }

    pub fn profile(&self, idx: usize) -> &Profile {
        &self.inventory.profiles[idx]
    }

    /// The profile under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.filter.visible().get(self.selected).map(|m| m.profile)
    }

    fn apply_sort(&mut self) {
        let now = self.now.unix_timestamp();
        let profiles = &self.inventory.profiles;
        match self.sort {
            Sort::Name => self.order.sort_by(|&a, &b| profiles[a].name.cmp(&profiles[b].name)),
            Sort::Frecency => {
                let scores: Vec<f64> = profiles.iter().map(|p| self.frecency.score(&p.name, now)).collect();
                self.order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
            }
        }
        let keep = self.current();
        self.filter.refresh(&self.inventory, &self.order);
        self.select_profile(keep);
    }

    fn select_profile(&mut self, profile: Option<usize>) {
        self.selected =
            profile.and_then(|p| self.filter.visible().iter().position(|m| m.profile == p)).unwrap_or(0);
        self.clamp();
    }

    fn clamp(&mut self) {
        let len = self.filter.visible().len();
        self.selected = self.selected.min(len.saturating_sub(1));
        let page = self.page.max(1);
        if self.selected < self.scroll {
            self.scroll = self.selected;
        } else if self.selected >= self.scroll + page {
            self.scroll = self.selected + 1 - page;
        }
        self.scroll = self.scroll.min(len.saturating_sub(1));
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.filter.visible().len();
        if len == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, len as isize - 1) as usize;
        self.clamp();
    }

    /// Records what the engine says `profile` needs, and asks for its identity when that
    /// takes no prompt.
    fn apply_readiness(&mut self, profile: usize, readiness: &Readiness) -> Option<Effect> {
        self.sessions[profile] = from_readiness(readiness);
        readiness
            .identity_without_prompt(&self.inventory.profiles[profile])
            .then(|| Effect::FetchIdentity { profile, request: self.request(profile) })
    }

    fn request(&mut self, profile: usize) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        self.requests[profile] = id;
        id
    }

    fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some((text.into(), error));
    }

    /// Starts getting a session for `profile`, or opens the MFA modal when one is needed.
    fn act(&mut self, profile: usize, purpose: Purpose) -> Vec<Effect> {
        match &self.sessions[profile] {
            SessionState::Invalid(reason) => {
                let text = format!("{} cannot be used: {reason}", self.profile(profile).name);
                self.set_status(text, true);
                Vec::new()
            }
            SessionState::NeedsSso { command } => {
                let text = format!(
                    "{}: the SSO session is missing or expired: run `{command}`",
                    self.profile(profile).name
                );
                self.set_status(text, true);
                Vec::new()
            }
            SessionState::NeedsMfa { serial } if self.profile(profile).mfa_process.is_none() => {
                self.mode = Mode::Mfa(MfaModal {
                    profile,
                    serial: serial.clone(),
                    code: String::new(),
                    error: None,
                    purpose,
                    busy: false,
                });
                Vec::new()
            }
            _ => {
                self.set_status(format!("getting a session for {}…", self.profile(profile).name), false);
                vec![Effect::GetSession { profile, purpose, mfa: None, run_mfa_process: true }]
            }
        }
    }
}

fn from_readiness(readiness: &Readiness) -> SessionState {
    match readiness {
        // Its identity is asked for at once.
        Readiness::Ready { .. } => SessionState::Loading,
        Readiness::NeedsMfa { serial, .. } => SessionState::NeedsMfa { serial: serial.clone() },
        Readiness::NeedsSsoLogin { command } => SessionState::NeedsSso { command: command.clone() },
        Readiness::NeedsProcess => SessionState::OnDemand,
        Readiness::Unusable { reason } => SessionState::Invalid(reason.clone()),
    }
}

/// Applies one message. Does no I/O: everything that needs the world comes back as an `Effect`.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
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
        Msg::Resize { rows } => {
            state.page = rows.max(1);
            state.clamp();
            Vec::new()
        }
        Msg::Quit => {
            state.exit = Some(Exit::Quit);
            Vec::new()
        }
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
        Msg::ReadinessChecked { profile, readiness } => {
            if profile >= state.sessions.len() {
                return Vec::new();
            }
            state.apply_readiness(profile, &readiness).into_iter().collect()
        }
        Msg::IdentityLoaded { profile, request, result } => {
            if state.requests.get(profile) != Some(&request) {
                return Vec::new();
            }
            state.progress.0 = (state.progress.0 + 1).min(state.progress.1);
            // A profile with long-term keys that switches with MFA: its identity is known
            // without a code, but switching still takes one, so the state stays `MFA`.
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
        Msg::SessionLoaded { profile, purpose, result } => on_session(state, profile, purpose, result),
        Msg::Copied(result) => {
            match result {
                Ok(text) => state.set_status(text, false),
                Err(text) => state.set_status(text, true),
            }
            Vec::new()
        }
        Msg::EnvrcWritten(result) => {
            match result {
                Ok(text) => state.set_status(text, false),
                Err(text) => state.set_status(text, true),
            }
            Vec::new()
        }
        Msg::Key(key) => on_key(state, key),
    }
}

fn on_session(
    state: &mut State,
    profile: usize,
    purpose: Purpose,
    result: Result<Box<Session>, SessionFailure>,
) -> Vec<Effect> {
    match result {
        Ok(session) => {
            state.sessions[profile] = SessionState::Valid { expires: session.credentials.expiration };
            if let Some(identity) = &session.identity {
                state.identities[profile] = Some(IdentityReport {
                    identity: identity.clone(),
                    expiration: session.credentials.expiration,
                    origin: session.origin,
                    session_name: identity.arn.rsplit('/').next().map(str::to_string),
                    keys: state.identities[profile].as_ref().and_then(|r| r.keys.clone()),
                });
            }
            if matches!(state.mode, Mode::Mfa(_)) {
                state.mode = Mode::List;
            }
            state.status = None;
            let mut effects = vec![Effect::RecordUse { profile }];
            match purpose {
                Purpose::Shell => state.exit = Some(Exit::Shell(session)),
                Purpose::Print => state.exit = Some(Exit::Print(session)),
                Purpose::Copy => effects.push(Effect::Copy { profile }),
                Purpose::Envrc { inline } => effects.push(Effect::WriteEnvrc { profile, inline }),
            }
            effects
        }
        Err(SessionFailure::NeedsMfa { serial }) => {
            state.sessions[profile] = SessionState::NeedsMfa { serial: serial.clone() };
            state.status = None;
            state.mode = Mode::Mfa(MfaModal {
                profile,
                serial,
                code: String::new(),
                error: None,
                purpose,
                busy: false,
            });
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

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        state.exit = Some(Exit::Quit);
        return Vec::new();
    }
    match state.mode.clone() {
        Mode::Help => {
            state.mode = Mode::List;
            Vec::new()
        }
        Mode::Mfa(mut modal) => {
            match key.code {
                KeyCode::Esc => state.mode = Mode::List,
                KeyCode::Backspace => {
                    modal.code.pop();
                    modal.error = None;
                    state.mode = Mode::Mfa(modal);
                }
                KeyCode::Char(c) if c.is_ascii_digit() && modal.code.len() < 6 && !modal.busy => {
                    modal.code.push(c);
                    modal.error = None;
                    state.mode = Mode::Mfa(modal);
                }
                KeyCode::Enter if modal.code.len() == 6 && !modal.busy => {
                    let effect = Effect::GetSession {
                        profile: modal.profile,
                        purpose: modal.purpose,
                        mfa: Some(modal.code.clone()),
                        run_mfa_process: false,
                    };
                    modal.busy = true;
                    state.mode = Mode::Mfa(modal);
                    return vec![effect];
                }
                KeyCode::Enter => {
                    modal.error = Some("enter the 6 digits from your MFA device".into());
                    state.mode = Mode::Mfa(modal);
                }
                _ => {}
            }
            Vec::new()
        }
        Mode::ConfirmEnvrc { profile, inline } => {
            state.mode = Mode::List;
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    state.act(profile, Purpose::Envrc { inline })
                }
                _ => {
                    state.set_status("no .envrc written", false);
                    Vec::new()
                }
            }
        }
        Mode::Search => {
            match key.code {
                KeyCode::Esc => {
                    let keep = state.current();
                    state.filter.set_query(&state.inventory, "");
                    state.mode = Mode::List;
                    state.select_profile(keep);
                }
                KeyCode::Enter => state.mode = Mode::List,
                KeyCode::Backspace => {
                    let mut query = state.filter.query().to_string();
                    query.pop();
                    state.filter.set_query(&state.inventory, &query);
                    state.selected = 0;
                    state.scroll = 0;
                }
                KeyCode::Up => state.move_by(-1),
                KeyCode::Down => state.move_by(1),
                KeyCode::Char(c) if !ctrl => {
                    let mut query = state.filter.query().to_string();
                    query.push(c);
                    state.filter.set_query(&state.inventory, &query);
                    state.selected = 0;
                    state.scroll = 0;
                }
                _ => {}
            }
            Vec::new()
        }
        Mode::List => on_list_key(state, key),
    }
}

fn on_list_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let page = state.page.max(1) as isize;
    match key.code {
        KeyCode::Char('q') => state.exit = Some(Exit::Quit),
        KeyCode::Esc if !state.filter.query().is_empty() => {
            let keep = state.current();
            state.filter.set_query(&state.inventory, "");
            state.select_profile(keep);
        }
        KeyCode::Esc => state.exit = Some(Exit::Quit),
        KeyCode::Char('/') => {
            state.mode = Mode::Search;
            state.status = None;
        }
        KeyCode::Char('?') => state.mode = Mode::Help,
        KeyCode::Up | KeyCode::Char('k') => state.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => state.move_by(1),
        KeyCode::PageUp => state.move_by(-page),
        KeyCode::PageDown => state.move_by(page),
        KeyCode::Home | KeyCode::Char('g') => state.move_by(isize::MIN / 2),
        KeyCode::End | KeyCode::Char('G') => state.move_by(isize::MAX / 2),
        KeyCode::Char('s') => {
            state.sort = match state.sort {
                Sort::Frecency => Sort::Name,
                Sort::Name => Sort::Frecency,
            };
            state.apply_sort();
        }
        KeyCode::Char('r') => {
            // Checked again from the start: the session may have been renewed, or SSO logged
            // in, elsewhere since.
            if let Some(profile) = state.current()
                && !matches!(state.sessions[profile], SessionState::Invalid(_))
            {
                state.sessions[profile] = SessionState::Loading;
                return vec![Effect::CheckReadiness { profile }];
            }
        }
        KeyCode::Char('R') => return vec![Effect::LoadReadiness, Effect::FetchOriginIdentity],
        KeyCode::Enter => {
            if let (Some(nested), false) = (&state.nested, state.print_mode) {
                let text =
                    format!("already inside an awsw shell for {nested}: `exit` it first, or copy with c");
                state.set_status(text, true);
            } else if let Some(profile) = state.current() {
                let purpose = if state.print_mode { Purpose::Print } else { Purpose::Shell };
                return state.act(profile, purpose);
            }
        }
        KeyCode::Char('c') => {
            if let Some(profile) = state.current() {
                return state.act(profile, Purpose::Copy);
            }
        }
        KeyCode::Char(c @ ('e' | 'E')) => {
            if let Some(profile) = state.current() {
                state.mode = Mode::ConfirmEnvrc { profile, inline: c == 'E' };
            }
        }
        _ => {}
    }
    Vec::new()
}
