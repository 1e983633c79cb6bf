//! What reaches the picker's model and what it asks for: `Msg` (a key, a tick, the result of
//! an effect), `Effect` (the I/O `update` wants done, carrying the session it acts on) and
//! `SessionFailure` (why a session could not be had, in the picker's terms). Plain data.

use time::OffsetDateTime;

use super::{Action, Key, Purpose, Viewport, discovered};
use crate::creds::{Identity, IdentityReport, Readiness, Session};
use crate::sso::device::DevicePrompt;
use crate::sso::discovery::Discovery;

/// What happens to the picker: a key, a tick, or the result of an effect.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key pressed: looked up in the key table for the current mode.
    Key(Key),
    /// An action, as a key would ask for it.
    Action(Action),
    /// The terminal changed size (the next frame lays out again).
    Resized,
    /// What a frame just laid out.
    Drawn(Viewport),
    /// The one-second tick, with the time now: sessions whose expiry passed become `Expired`.
    Tick(OffsetDateTime),
    /// What every profile needs, in inventory order (`LoadReadiness`).
    ReadinessLoaded(Vec<Readiness>),
    /// What STS said about the credentials in the environment.
    OriginIdentity(Result<Identity, String>),
    /// The starting terminal's credentials come from the EC2 instance role `role`.
    OriginInstance {
        /// The instance profile's role name.
        role: String,
        /// What STS said about the role's credentials (`Err`: why it could not tell).
        identity: Result<Identity, String>,
    },
    /// One profile checked again (`r`).
    ReadinessChecked {
        /// The profile checked.
        profile: usize,
        /// What it needs now.
        readiness: Readiness,
    },
    /// A `FetchIdentity` answered.
    IdentityLoaded {
        /// The profile asked about.
        profile: usize,
        /// The request id it answers; dropped unless it is the profile's latest.
        request: u64,
        /// The verified identity, or why it could not be had.
        result: Result<IdentityReport, String>,
    },
    /// A `GetSession` answered.
    SessionLoaded {
        /// The profile asked for.
        profile: usize,
        /// What the session is for, carried out once it is here.
        purpose: Purpose,
        /// The session, or why not (an MFA code may still get it).
        result: Result<Box<Session>, SessionFailure>,
    },
    /// What an effect reports on the status line (the copy of `c`, the console of `o`, an
    /// engine that could not be rebuilt for discovered rows): `Err` shows in red.
    Status(Result<String, String>),
    /// The `.envrc` was written (the path and what to run next), or why not.
    EnvrcWritten(Result<String, String>),
    /// Several profiles checked again (rows discovered since the start).
    ReadinessBatch(Vec<(usize, Readiness)>),
    /// Discovery of an sso-session got this far (accounts done, accounts in all).
    DiscoveryProgress {
        /// The sso-session being discovered.
        session: String,
        /// Accounts whose roles are listed.
        done: usize,
        /// Accounts the portal listed.
        total: usize,
    },
    /// Discovery of an sso-session ended: `Ok(None)` when it has no valid token (nothing asked).
    Discovered {
        /// The sso-session discovered.
        session: String,
        /// Its accounts and roles; `Err`: why they could not be fetched or cached.
        result: Result<Option<Discovery>, String>,
    },
    /// The sso-sessions without a valid token, as (login name, label), for `L`.
    LoginsNeeded(Vec<(String, String)>),
    /// The login for `login` waits for the user: what to show in the modal.
    LoginPrompt {
        /// The sso-session or legacy SSO profile logging in.
        login: String,
        /// The verification page and user code (no token).
        prompt: DevicePrompt,
    },
    /// The login for `login` ended: the token is written, or why not.
    LoggedIn {
        /// The sso-session or legacy SSO profile that logged in.
        login: String,
        /// `Err`: why the login failed (a cancelled login sends nothing).
        result: Result<(), String>,
    },
    /// The browser was started on a page (`Err`: why not).
    Opened(Result<String, String>),
    /// The terminal's key events ended: quit as if `q` was pressed.
    Quit,
    /// `SIGTERM` or `SIGHUP` arrived.
    Signalled(i32),
}

/// Why a session could not be had, in the terms the picker reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionFailure {
    /// A code is needed and none was given: the MFA modal opens.
    NeedsMfa {
        /// The MFA device the code is for.
        serial: String,
    },
    /// The code (typed, or from `mfa_process`) was refused or malformed: the modal says why.
    MfaRejected(String),
    /// Any other failure, as its one-line message.
    Other(String),
}

/// What `update` asks the runtime to do; the result comes back as a `Msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Ask the engine what every profile needs (`ReadinessLoaded`).
    LoadReadiness,
    /// `GetCallerIdentity` with the credentials in the environment, if there are any, else
    /// (when nothing else can be the origin) with the EC2 instance role's.
    FetchOriginIdentity,
    /// Ask the engine again what one profile needs (`ReadinessChecked`).
    CheckReadiness {
        /// The profile to check.
        profile: usize,
    },
    /// `GetCallerIdentity` for a profile that needs no prompt (`IdentityLoaded`).
    FetchIdentity {
        /// The profile to ask about.
        profile: usize,
        /// The id the answer carries back.
        request: u64,
    },
    /// Get the profile's session for `purpose` (`SessionLoaded`).
    GetSession {
        /// The profile whose session to get.
        profile: usize,
        /// What the session is for; it comes back with the answer.
        purpose: Purpose,
        /// The MFA code typed in the modal, if any.
        mfa: Option<String>,
        /// Without a typed code, whether the profile's `mfa_process` may be run for one.
        run_mfa_process: bool,
    },
    /// Copy the export lines of this session.
    Copy {
        /// The session whose export lines to copy.
        session: Box<Session>,
    },
    /// Open the AWS console in the browser, signed in as this session's profile.
    OpenConsole {
        /// The session to sign in as.
        session: Box<Session>,
    },
    /// Write the awsw block for this session into the `.envrc` of the working directory.
    WriteEnvrc {
        /// The session the block is for.
        session: Box<Session>,
        /// Write the temporary credentials themselves instead of a block that loads the cache.
        inline: bool,
    },
    /// Count one use of the profile in the recent-use file, at once (the picker may end next).
    RecordUse {
        /// The profile just used.
        profile: usize,
    },
    /// `CheckReadiness` for several profiles, answered in one message.
    CheckReadinessOf(Vec<usize>),
    /// Refresh the discovery of this sso-session in the background, if it has a valid token.
    Discover {
        /// The sso-session to discover.
        session: String,
    },
    /// The engine works on this inventory from now on (discovered rows were added).
    UseInventory(discovered::SharedInventory),
    /// Find the sso-sessions without a valid token (`L`).
    FindLogins,
    /// Run the device login for `login` (an sso-session, or a legacy SSO profile).
    StartLogin {
        /// The sso-session or legacy SSO profile, as `awsw login` takes it.
        login: String,
    },
    /// Stop the running login; no token is written.
    CancelLogin,
    /// Open this (non-secret) page in the browser.
    OpenUrl(String),
}
