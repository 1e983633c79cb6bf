//! IAM Identity Center end to end: the built binary and real botocore against the local
//! SSO server (`tests/servers/sso_server.py`).

pub(crate) mod cli;
mod engine;
mod interop;
mod populate;
mod server;
