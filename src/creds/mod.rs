//! The credential engine: turns a profile into temporary credentials with as few MFA prompts
//! as possible. `types` holds the values every other layer (sinks, TUI) consumes. Beside the
//! engine: the caller's own access keys (`iam`, `keyage`, `keyfacts`, `rotate`, `purge`) and
//! console sign-in (`federation`).

pub(crate) mod ask;
pub(crate) mod budget;
pub(crate) mod cache;
pub mod clicache;
pub mod clock;
pub(crate) mod credential_process;
mod default_chain;
pub mod engine;
pub(crate) mod env;
pub(crate) mod error;
pub(crate) mod federation;
mod flight;
pub mod fsutil;
pub(crate) mod http;
pub mod iam;
pub(crate) mod imds;
pub mod keyage;
pub mod keyfacts;
pub(crate) mod mfa;
pub(crate) mod netfault;
pub(crate) mod plan;
pub(crate) mod process;
pub mod providers;
pub(crate) mod purge;
pub mod rotate;
pub mod sso;
pub(crate) mod steps;
pub mod store;
pub mod sts;
mod tty;
pub mod types;

pub use ask::{Ask, MfaSource};
pub use engine::Engine;
pub use error::CredsError;
pub use types::{Credentials, Identity, IdentityReport, Readiness, Session, SessionOrigin};

/// The `credential_process` JSON (`Version: 1`) for a set of credentials.
pub fn credential_process_json(creds: &Credentials) -> String {
    let mut value = serde_json::json!({
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key.expose(),
    });
    if let Some(token) = &creds.session_token {
        value["SessionToken"] = serde_json::Value::from(token.expose());
    }
    if let Some(expiration) =
        creds.expiration.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
    {
        value["Expiration"] = serde_json::Value::from(expiration);
    }
    value.to_string()
}
