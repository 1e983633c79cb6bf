//! The SSO server itself, checked against botocore's clients: its service models define the
//! wire format, so a server botocore accepts speaks the protocol the SDKs speak.

use crate::common::{require_python_module, sso::SsoServer};

#[test]
fn server_speaks_the_wire_format_botocore_expects_and_is_strict() {
    if !require_python_module("botocore") {
        return;
    }
    let Some(server) = SsoServer::start() else { return };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/sso_server_selftest.py");
    let output = std::process::Command::new("python3").arg(script).arg(server.url()).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("selftest ok"), "{stdout}");
}
