//! awsw: AWS profile and role switching. The binary in `main.rs` is a thin edge over these
//! modules, which tests and benches reach directly.

pub(crate) mod agent;
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod creds;
pub mod exit;
pub(crate) mod json;
pub(crate) mod marked;
pub(crate) mod printable;
pub mod runtime;
pub(crate) mod safe_fs;
pub mod secret;
pub mod server;
pub(crate) mod settings;
pub mod sink;
pub mod sso;
pub(crate) mod timefmt;
pub mod ui;
