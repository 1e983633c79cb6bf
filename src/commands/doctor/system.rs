//! The doctor's checks of the machine: the clock against STS, the cache directories, the
//! AWS CLI, direnv and the shell's rc files, and where `c` in the picker would copy to.
//! Everything here reads; the rc files are searched for the lines the README gives.

use crate::context::Context;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Check;
use crate::config::Inventory;
use crate::creds::Engine;
use crate::creds::http;

/// SigV4 rejects requests whose clock is more than 5 minutes off.
const SKEW_LIMIT: i64 = 300;
/// Beyond this the clock is not yet a failure, but is drifting.
const SKEW_WARN: i64 = 60;

/// How far the local clock is from the `Date` of an STS response, against the endpoint the
/// default profile (or `AWS_PROFILE`) would use. The request is unsigned: any answer has a Date.
pub(crate) async fn clock(inventory: Arc<Inventory>, context: &Context) -> Check {
    let engine = match Engine::new(inventory.clone(), context.engine.clone()) {
        Ok(engine) => engine,
        Err(err) => return Check::warn("clock", format!("not checked: {err}"), "set HOME"),
    };
    let profile = context
        .vars
        .var("AWS_PROFILE")
        .or_else(|| Some("default".into()))
        .and_then(|n| inventory.profile(&n).cloned());
    let endpoint = engine.endpoint_for(profile.as_ref());
    let url = endpoint.url.clone().unwrap_or_else(|| format!("https://{}/", endpoint.describe()));
    let response = match http::get(&url).await {
        Ok(response) => response,
        Err(reason) => {
            return Check::warn(
                "clock",
                format!("not checked: cannot reach STS at {}: {reason}", endpoint.describe()),
                "check the network, or AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL",
            );
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let Some(server) = response.date.as_deref().and_then(http::parse_http_date) else {
        return Check::warn(
            "clock",
            format!("not checked: {} sent no Date header", endpoint.describe()),
            "point the STS endpoint at STS",
        );
    };
    let skew = (now - server).whole_seconds();
    let direction = if skew >= 0 { "ahead of" } else { "behind" };
    let message = format!("this clock is {}s {direction} STS ({})", skew.abs(), endpoint.describe());
    let fix = "synchronise the clock (e.g. `sudo timedatectl set-ntp true`)";
    match skew.abs() {
        s if s > SKEW_LIMIT => {
            Check::fail("clock", format!("{message}: AWS refuses signatures beyond 5 minutes"), fix)
        }
        s if s > SKEW_WARN => Check::warn("clock", message, fix),
        _ => Check::ok("clock", message),
    }
}

/// How a cache's files are checked: awsw's own are held to 0700/0600; the AWS CLI makes
/// its directories with the umask, so an open directory there is only a warning.
struct CacheSpec {
    label: &'static str,
    dir: Option<PathBuf>,
    strict_dir: bool,
    /// Whether a parsed file has the shape its owner writes.
    shape: fn(&serde_json::Value) -> bool,
}

pub(crate) fn caches(dirs: &crate::creds::engine::Dirs) -> Vec<Check> {
    let sso = dirs.sso_cache();
    let specs = [
        CacheSpec {
            label: "awsw's cache",
            dir: dirs.cache.clone(),
            strict_dir: true,
            shape: |v| v.is_object(),
        },
        CacheSpec {
            label: "the AWS CLI's cache",
            dir: dirs.cli_cache(),
            strict_dir: false,
            shape: |v| v.get("Credentials").is_some_and(|c| c.is_object()),
        },
        CacheSpec { label: "the AWS CLI's SSO cache", dir: sso, strict_dir: false, shape: |v| v.is_object() },
    ];
    specs.iter().flat_map(cache_dir).collect()
}

fn mode_problem(meta: &std::fs::Metadata) -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Some(format!("owned by uid {}, not you (uid {me})", meta.uid()));
    }
    (meta.mode() & 0o077 != 0).then(|| format!("mode {:04o} lets others in", meta.mode() & 0o7777))
}

fn cache_dir(spec: &CacheSpec) -> Vec<Check> {
    let Some(dir) = &spec.dir else { return Vec::new() };
    let shown = dir.display();
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return vec![Check::ok("cache", format!("{} {shown}: not created yet", spec.label))];
        }
        Err(err) => {
            return vec![Check::fail("cache", format!("{} {shown}: {err}", spec.label), "make it readable")];
        }
    };
    if !meta.is_dir() {
        return vec![Check::fail(
            "cache",
            format!("{} {shown} is not a directory", spec.label),
            format!("remove it: rm {shown}"),
        )];
    }
    let mut checks = Vec::new();
    if let Some(problem) = mode_problem(&meta) {
        let fix = format!("chmod 700 {shown} (and chown it to yourself if it is not yours)");
        let message = format!("{} {shown}: {problem}", spec.label);
        checks.push(match spec.strict_dir || problem.starts_with("owned") {
            true => Check::fail("cache", message, fix),
            false => Check::warn("cache", message, fix),
        });
    }
    let mut files = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        checks.extend(cache_file(&path, spec));
    }
    if checks.is_empty() {
        checks.push(Check::ok("cache", format!("{} {shown}: {files} files, private to you", spec.label)));
    }
    checks
}

fn cache_file(path: &Path, spec: &CacheSpec) -> Option<Check> {
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path).ok()?;
    if let Some(problem) = mode_problem(&meta) {
        return Some(Check::fail(
            "cache",
            format!("{shown}: {problem}"),
            format!("rm {shown} (it is renewed on the next switch)"),
        ));
    }
    let parsed =
        std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match parsed {
        Some(value) if (spec.shape)(&value) => None,
        _ => Some(Check::warn(
            "cache",
            format!("{shown}: corrupt (not the JSON its owner writes; it is ignored)"),
            format!("rm {shown}"),
        )),
    }
}

/// `program` on PATH, as the shell would find it.
fn on_path(program: &str, context: &Context) -> Option<PathBuf> {
    std::env::split_paths(context.path.as_ref()?)
        .map(|dir| dir.join(program))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0))
}

/// The first line a program prints for its version, within 10 s.
fn version_of(program: &Path, args: &[&str]) -> Option<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().ok()?;
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    String::from_utf8_lossy(&text).lines().next().map(|l| l.trim().to_string()).filter(|l| !l.is_empty())
}

pub(crate) fn aws_cli(context: &Context) -> Check {
    let install =
        "install the AWS CLI (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)";
    match on_path("aws", context) {
        None => Check::warn(
            "aws-cli",
            "the AWS CLI is not on PATH: sessions awsw shares with it are unused",
            install,
        ),
        Some(path) => match version_of(&path, &["--version"]) {
            Some(version) => Check::ok("aws-cli", format!("{version} ({})", path.display())),
            None => Check::warn(
                "aws-cli",
                format!("{} did not say its version within 10 s", path.display()),
                install,
            ),
        },
    }
}

mod rc;
pub(crate) use rc::shell_setup;

/// Where `c` in the picker (and `env --copy`) would put the export lines.
pub(crate) fn clipboard(context: &Context) -> Check {
    let var = |name: &str| context.vars.var(name);
    if let Some(display) = var("WAYLAND_DISPLAY").or_else(|| var("DISPLAY")) {
        return Check::ok("clipboard", format!("c copies to the system clipboard (display {display})"));
    }
    if var("TMUX").is_some() {
        let setting = on_path("tmux", context)
            .and_then(|tmux| version_of(&tmux, &["show-options", "-gv", "set-clipboard"]));
        if setting.as_deref() == Some("off") {
            return Check::warn(
                "clipboard",
                "no display, and tmux has set-clipboard off: OSC 52 from c will not reach your clipboard",
                "tmux set -g set-clipboard on (and add it to ~/.tmux.conf)",
            );
        }
    }
    Check::ok("clipboard", "no display: c sends OSC 52 to the terminal, which must support it")
}
