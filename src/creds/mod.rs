//! The credential engine: turns a profile into temporary credentials with as few MFA prompts
//! as possible. `types` holds the values every other layer (sinks, TUI) consumes.

pub mod types;

pub use types::{Credentials, Identity, Session, SessionOrigin};
