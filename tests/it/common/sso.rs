//! The local IAM Identity Center stand-in (`tests/servers/sso_server.py`): started on a
//! free port chosen by the server itself, driven through its `/_test/` control endpoints,
//! stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub struct SsoServer {
    child: Child,
    pub port: u16,
}

impl SsoServer {
    /// `None` (with a message) when python3 is missing and CI is not set.
    pub fn start() -> Option<SsoServer> {
        if !super::require("python3") {
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/sso_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sso_server.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("sso_server.py printed {line:?}"));
        Some(SsoServer { child, port })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// POSTs `body` to a control endpoint (`/_test/seed`, `/_test/config`, ...) and returns
    /// the JSON answer.
    pub fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let body = body.to_string();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, json) = response.split_once("\r\n\r\n").expect("http response");
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}\n{json}");
        serde_json::from_str(json).expect("json")
    }

    /// Counters: `calls` per operation, `throttled`, `pending` user codes.
    pub fn state(&self) -> serde_json::Value {
        self.control("/_test/state", serde_json::json!({}))
    }

    pub fn calls(&self, operation: &str) -> u64 {
        self.state()["calls"][operation].as_u64().unwrap_or(0)
    }
}

impl Drop for SsoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
