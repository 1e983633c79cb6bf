//! Shared by the end-to-end tests: a private sandbox (HOME, config files, cache dirs) for
//! running the built binary, the rule for tests that need outside programs, and a local
//! moto STS server on a free port.

pub mod fake_sso;
pub mod http;
pub mod sso;
pub mod tmux;
pub mod xvfb;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `program` is on PATH. When it is not: under `CI` the test fails (CI must run
/// it); otherwise the test prints why and skips.
pub fn require(program: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required when CI is set (.ci/run installs it)"
        );
        eprintln!("skipped: {program} is not installed");
    }
    found
}

/// Whether python3 can import `module` (botocore, boto3); under `CI` it must.
pub fn require_python_module(module: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "python3 module {module} is required when CI is set");
        eprintln!("skipped: python3 cannot import {module}");
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `moto_server` on 127.0.0.1, stopped when dropped.
pub struct MotoServer {
    child: Child,
    pub port: u16,
}

impl MotoServer {
    /// `None` (with a message) when moto is missing and CI is not set.
    pub fn start() -> Option<MotoServer> {
        if !require("moto_server") {
            return None;
        }
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let server = MotoServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server now (for tests of what happens when it goes away mid-way).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary HOME with its own AWS files and caches.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub endpoint: Option<String>,
}

impl Sandbox {
    pub fn new(config: &str, credentials: &str) -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
        std::fs::write(dir.path().join(".aws/config"), config).unwrap();
        std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
        Sandbox { dir, endpoint: None }
    }

    pub fn with_endpoint(mut self, url: String) -> Sandbox {
        self.endpoint = Some(url);
        self
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.path().join(".cache/awsw")
    }

    /// A command with a clean environment pointing at the sandbox (and at moto, if any),
    /// with no controlling terminal, so nothing can prompt.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("USER", "tester")
            .env("AWS_CONFIG_FILE", self.home().join(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.home().join(".aws/credentials"))
            .env("XDG_CACHE_HOME", self.home().join(".cache"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("SHELL", "/bin/bash")
            .stdin(Stdio::null());
        if let Some(url) = &self.endpoint {
            cmd.env("AWS_ENDPOINT_URL", url);
        }
        // SAFETY: setsid is async-signal-safe and touches no memory of this process.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        cmd
    }

    pub fn awsw(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_awsw"));
        cmd.args(args);
        cmd
    }
}

/// Output as text, for assertions with context.
pub fn text(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
