//! Every integration test of awsw in one binary: one link instead of one per file, and one
//! copy of the shared helpers (`common`, `fake_aws`, `imds`). Each module is one area.
// Test helpers unwrap freely: a failed unwrap is a failed test (Cargo.toml forbids it in
// awsw's own code; clippy's allow-unwrap-in-tests covers only #[test] functions here).
#![allow(clippy::unwrap_used)]

mod common;
mod fake_aws;
mod imds;

mod agent;
mod budgets;
mod completions;
mod conformance;
mod console;
mod default_chain;
mod doctor;
mod endpoint;
mod engine_fake;
mod engine_moto;
mod envrc_blocks;
mod exit_codes;
mod faults;
mod ini_crate_conformance;
mod instance_roles;
mod key_hygiene;
mod keys_fake;
mod list_cli;
mod man;
mod model;
mod net_faults;
mod parser_fuzz;
mod rotate_moto;
mod security;
mod settings;
mod single_flight;
mod sinks;
mod sso;
mod tui;
mod tui_sso;
mod tui_tmux;
