//! The picker's model: its state here, the messages that change it (keys, results, ticks)
//! and the effects it asks for (fetch an identity, get a session, copy, write an .envrc) in
//! `msg.rs`. `update` applies messages (`update.rs`), keys become actions through one table
//! (`keymap.rs`) and actions are carried out in `actions.rs`. No I/O, no clock and no
//! terminal types here: `now` arrives in messages, so every state can be built in a test.

mod actions;
pub(crate) mod columns;
pub(crate) mod discovered;
pub(crate) mod filter;
pub mod frecency;
pub mod keymap;
mod login;
mod msg;
mod origin;
mod update;

use std::sync::Arc;

use time::OffsetDateTime;

use crate::config::{Inventory, Kind, Profile};
use crate::creds::{IdentityReport, Session};
use columns::ColumnWidths;
pub use discovered::Discovered;
use filter::Filter;
use frecency::Frecency;
pub use keymap::{Action, Key, KeyMode};
pub use login::LoginModal;
pub use msg::{Effect, Msg, SessionFailure};
pub use origin::Origin;
pub use update::update;

/// What the list shows about a profile's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Not looked at yet.
    Unknown,
    /// Being checked, or its identity being fetched.
    Loading,
    /// Verified; `expires` is `None` for long-term keys.
    Valid {
        /// When the session ends; `None` for long-term keys.
        expires: Option<OffsetDateTime>,
    },
    /// Was valid, and its expiry passed while the picker was open.
    Expired,
    /// Switching takes an MFA code (the list says `needs code`).
    NeedsMfa {
        /// The MFA device the code is for.
        serial: String,
    },
    /// Its sso-session has no valid token: choosing it opens the login modal.
    NeedsSso {
        /// The login command the details suggest running instead.
        command: String,
    },
    /// A credential_process or the SDKs' default chain: looked up only when chosen.
    OnDemand,
    /// A discovered SSO row whose session has a valid token: the role's credentials are
    /// fetched when it is chosen (not for every row on start: that would be a portal call each).
    SsoReady,
    /// Getting its identity or session failed, for this reason (shown in the details).
    Error(String),
    /// The profile cannot be used as written (its first problem, or what the engine says).
    Invalid(String),
}

/// What the user wants done with the session once it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `Enter`: end the picker and start a shell in the session.
    Shell,
    /// `c`: put the export lines on the clipboard.
    Copy,
    /// `o`: open the AWS console signed in as the session.
    Console,
    /// `e` / `E`: write the awsw block into the working directory's `.envrc`.
    Envrc {
        /// The temporary credentials themselves (`E`) rather than a block that loads the cache.
        inline: bool,
    },
    /// `Enter` with `--print`: end the picker and print the export lines to stdout.
    Print,
}

/// The MFA code modal: the code typed so far for one profile's switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaModal {
    pub(crate) profile: usize,
    /// The MFA device the code is for, shown in the modal.
    pub serial: String,
    /// The digits typed so far (at most 6).
    pub code: String,
    /// Why the last code was not taken (STS refused it, or it was not 6 digits).
    pub error: Option<String>,
    pub(crate) purpose: Purpose,
    pub(crate) busy: bool,
}

/// What the keys act on right now: the list, or the overlay on top of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Moving through the list.
    List,
    /// Typing the filter after `/`.
    Search,
    /// Typing an MFA code.
    Mfa(MfaModal),
    /// Asking before `e` / `E` writes the `.envrc`.
    ConfirmEnvrc {
        /// The profile whose session the block is for.
        profile: usize,
        /// `E`: the credentials themselves go into the file.
        inline: bool,
    },
    /// The `?` help; any key closes it.
    Help,
    /// An SSO login running for the user.
    Login(LoginModal),
}

impl Mode {
    /// Which rows of the key table apply.
    pub(crate) fn keys(&self) -> KeyMode {
        match self {
            Mode::List => KeyMode::List,
            Mode::Search => KeyMode::Search,
            Mode::Mfa(_) => KeyMode::Mfa,
            Mode::ConfirmEnvrc { .. } => KeyMode::Confirm,
            Mode::Help => KeyMode::Help,
            Mode::Login(_) => KeyMode::Login,
        }
    }
}

/// The list's order, toggled with `s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Most used and most recently used first (`frecency`).
    Frecency,
    /// Alphabetical by profile name.
    Name,
}

/// What the last frame laid out: how many list rows a page is and how far the selected
/// profile's details can scroll. `render` measures it; the model only keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    /// Profile rows the list pane had room for.
    pub list_rows: usize,
    /// Lines the details pane had room for.
    pub detail_rows: usize,
    /// Lines of the details that did not fit in their pane.
    pub detail_overflow: usize,
}

/// How the picker ends.
#[derive(Debug, Clone)]
pub enum Exit {
    /// Nothing chosen (`q`, `Esc`, `ctrl-c`, or the terminal went away): exit 0.
    Quit,
    /// Ended by this signal (`SIGTERM`, `SIGHUP`): exit as signalled programs do, 128 + n.
    Signalled(i32),
    /// Start the user's shell in this session (served, or static keys per the settings).
    Shell(Box<Session>),
    /// `--print`: print this session's export lines to stdout.
    Print(Box<Session>),
}

/// Everything the picker shows and knows; per-profile vectors are indexed like
/// `inventory.profiles`.
#[derive(Debug, Clone)]
pub struct State {
    /// The profiles from the files, then the discovered rows.
    pub inventory: Arc<Inventory>,
    /// Each profile's session, as the list shows it.
    pub sessions: Vec<SessionState>,
    /// Each profile's verified identity, once fetched.
    pub identities: Vec<Option<IdentityReport>>,
    /// Profile indices in display order (frecency or name).
    pub order: Vec<usize>,
    /// The search query and the rows it lets through (the visible list).
    pub filter: Filter,
    /// How wide each list column's content is, measured once.
    pub(crate) columns: ColumnWidths,
    /// Index into `filter.visible()`.
    pub selected: usize,
    /// First visible row, kept so the selection stays on screen.
    pub(crate) scroll: usize,
    /// What the last frame laid out; paging moves by its list rows.
    pub(crate) viewport: Viewport,
    /// The details of this profile are scrolled down this many lines.
    pub(crate) detail_scroll: (usize, usize),
    /// What the keys act on now.
    pub mode: Mode,
    /// The order of the list.
    pub sort: Sort,
    pub(crate) frecency: Frecency,
    pub(crate) now: OffsetDateTime,
    /// Where the starting terminal points, for the header.
    pub origin: Origin,
    /// The status line: what just happened, and whether it is an error (shown in red).
    pub status: Option<(String, bool)>,
    /// Identities fetched so far out of those fetchable without a prompt.
    pub progress: (usize, usize),
    pub(crate) print_mode: bool,
    /// `NO_COLOR` was set: no colours, only bold and reverse video.
    pub no_color: bool,
    /// What `e` writes: the settings' `envrc_mode` (`E` always writes inline credentials).
    pub(crate) envrc_mode: crate::settings::EnvrcMode,
    /// The profile of the awsw shell the picker runs in, if any: Enter then refuses to nest.
    pub nested: Option<String>,
    /// The working directory, where `e` writes the `.envrc` (empty when unknown).
    pub cwd: String,
    /// Set when the picker should end, and how; the event loop stops on it.
    pub exit: Option<Exit>,
    /// Request ids by profile: an answer for an older request is dropped.
    pub(crate) requests: Vec<u64>,
    next_request: u64,
    /// The rows SSO discovery added after the config's profiles, and its progress.
    pub discovered: Discovered,
}

impl State {
    /// The mode a confirmed `.envrc` is written in: inline for `E`, else the settings'.
    pub(crate) fn envrc_mode_for(&self, inline: bool) -> crate::settings::EnvrcMode {
        if inline { crate::settings::EnvrcMode::Inline } else { self.envrc_mode }
    }

    /// The picker at start: every profile unchecked (or invalid), sorted by recent use, the
    /// cursor on the top row. Nothing is fetched until `start_effects`.
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
        let columns = ColumnWidths::measure(&inventory);
        let mut state = State {
            inventory,
            sessions,
            identities: vec![None; n],
            order: (0..n).collect(),
            filter,
            columns,
            selected: 0,
            scroll: 0,
            viewport: Viewport { list_rows: 10, ..Viewport::default() },
            detail_scroll: (0, 0),
            mode: Mode::List,
            sort: Sort::Frecency,
            frecency,
            now,
            origin,
            status: None,
            progress: (0, 0),
            print_mode: false,
            no_color: false,
            envrc_mode: crate::settings::EnvrcMode::Cached,
            nested: None,
            cwd: String::new(),
            exit: None,
            requests: vec![0; n],
            next_request: 1,
            discovered: Discovered::none(n),
        };
        state.apply_sort();
        // The cursor starts on the top row, whichever profile the sort put there.
        state.selected = 0;
        state.scroll = 0;
        state
    }

    /// What the picker does once its first frame is drawn: check every profile, ask STS who
    /// the terminal is, and refresh every sso-session's discovery in the background.
    pub fn start_effects(&self) -> Vec<Effect> {
        let mut effects = vec![Effect::LoadReadiness, Effect::FetchOriginIdentity];
        let sessions = self.inventory.sso_sessions.iter();
        effects.extend(sessions.map(|s| Effect::Discover { session: s.name.clone() }));
        effects
    }

    /// Profile `idx` of the inventory (an index from `order`, `filter` or a message).
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
        self.filter.refresh(&self.order);
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
        let page = self.viewport.list_rows.max(1);
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

    /// Scrolls the selected profile's details half a pane down (`1`) or up (`-1`), within
    /// what the last frame could not show.
    fn scroll_details(&mut self, direction: isize) {
        let Some(profile) = self.current() else { return };
        let offset = if self.detail_scroll.0 == profile { self.detail_scroll.1 } else { 0 };
        let step = (self.viewport.detail_rows / 2).max(1);
        let offset = if direction > 0 { offset + step } else { offset.saturating_sub(step) };
        self.detail_scroll = (profile, offset.min(self.viewport.detail_overflow));
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
}
