//! What a caller lets the engine do to get credentials (`Ask`), and the `CodeBook` that
//! hands out MFA codes within those limits: a given code once, else the profile's
//! `mfa_process`, else a prompt on the terminal, else the error that says how to pass one.

use super::error::CredsError;
use super::mfa;
use super::store::SessionStore;
use crate::config::Profile;

/// Where an MFA code may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaSource {
    /// Never ask: a profile that needs a code fails with `MfaRequired`.
    Never,
    /// This code, for the first device that needs one.
    Code(String),
    /// The profile's `mfa_process` only.
    Process,
    /// The profile's `mfa_process`, else a prompt on `/dev/tty`.
    PromptTty,
}

/// What the caller allows the engine to do to get credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// Where an MFA code may come from.
    pub mfa: MfaSource,
    /// Whether a `credential_process` root may be run (`ProcessNotRun` otherwise).
    pub run_credential_process: bool,
}

impl Ask {
    /// Nothing interactive and no `credential_process`: what the TUI does on start.
    pub fn non_interactive() -> Ask {
        Ask { mfa: MfaSource::Never, run_credential_process: false }
    }
}

/// Hands out MFA codes as the caller's `Ask` allows; a given code is used once.
pub(crate) struct CodeBook<'a> {
    ask: &'a Ask,
    code_used: bool,
    /// The profile the user asked for: messages and prompts name it, not the source profile
    /// that happens to hold `mfa_serial`.
    requested: &'a str,
}

impl<'a> CodeBook<'a> {
    pub(crate) fn new(ask: &'a Ask, requested: &'a str) -> Self {
        CodeBook { ask, code_used: false, requested }
    }

    /// A code for `serial`, the device of `owner` (whose `mfa_process` may supply it).
    pub(crate) async fn code(
        &mut self,
        owner: &Profile,
        serial: &str,
        store: &SessionStore,
    ) -> Result<String, CredsError> {
        let requested = self.requested;
        let required =
            || CredsError::MfaRequired { profile: requested.to_string(), serial: serial.to_string() };
        // A code is never spent on a session that could not be kept.
        store.check_writable()?;
        tracing::debug!(profile = %owner.name, serial, "MFA code needed");
        match &self.ask.mfa {
            MfaSource::Never => Err(required()),
            MfaSource::Code(code) if !self.code_used => {
                self.code_used = true;
                mfa::validate(code, serial)
            }
            MfaSource::Code(_) => Err(required()),
            MfaSource::Process => match &owner.mfa_process {
                Some(command) => mfa::run_process(command, &owner.name, serial).await,
                None => Err(required()),
            },
            MfaSource::PromptTty => match &owner.mfa_process {
                Some(command) => mfa::run_process(command, &owner.name, serial).await,
                None => mfa::prompt_tty(requested, serial).await,
            },
        }
    }
}
