//! Where an agent is found: its per-user runtime directory (`$XDG_RUNTIME_DIR/awsw`, else
//! `agent/` in awsw's cache directory; 0700, refused when other users can change it), the
//! agent's key (which configuration it serves), its state file (pid, port, token; 0600,
//! written once at start, removed at exit) and its lifetime lock, an `flock` the agent
//! holds while it runs, so a state file whose lock is free was left by a crashed agent.
//! The token leaves this module only as a `Secret`.

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::safe_fs::{Dir, FsError};
use crate::secret::Secret;

/// The variables that decide which profiles exist and where their sessions come from: two
/// shells that differ in one of these get two agents, never one serving the wrong files.
pub(crate) const KEY_VARS: [&str; 18] = [
    "HOME",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_DISABLED",
    "AWSW_MIN_REMAINING",
    "AWSW_SESSION_DURATION",
    "AWSW_PROCESS_TIMEOUT",
    "AWSW_AGENT_IDLE",
];

/// The agent's key: 16 hex characters of the SHA-256 of the `KEY_VARS` (empty counts as unset).
pub(crate) fn key(var: impl Fn(&str) -> Option<String>) -> String {
    let mut hash = Sha256::new();
    for name in KEY_VARS {
        if let Some(value) = var(name).filter(|v| !v.is_empty()) {
            hash.update(name.as_bytes());
            hash.update(b"=");
            hash.update(value.as_bytes());
        }
        hash.update(b"\0");
    }
    hex::encode(&hash.finalize()[..8])
}

/// The runtime directory: `$XDG_RUNTIME_DIR/awsw` (a per-user tmpfs on most Linux desktops,
/// emptied at logout), else `agent` in awsw's cache directory.
pub(crate) fn runtime_dir(
    var: impl Fn(&str) -> Option<String>,
    dirs: &crate::creds::engine::Dirs,
) -> Option<PathBuf> {
    match var("XDG_RUNTIME_DIR").filter(|d| d.starts_with('/')) {
        Some(dir) => Some(Path::new(&dir).join("awsw")),
        None => dirs.cache.as_ref().map(|d| d.join("agent")),
    }
}

/// The runtime directory, opened (created 0700 when missing, made 0700 when it is not).
pub(crate) fn open_dir(path: &Path) -> Result<Dir, FsError> {
    let dir = crate::safe_fs::open_or_create_dir(path)?;
    if dir.mode() & 0o077 != 0 {
        dir.set_mode(0o700)?;
    }
    Ok(dir)
}

/// The file names of the agent with `key`.
pub(crate) fn state_name(key: &str) -> String {
    format!("agent-{key}.json")
}
pub(crate) fn lock_name(key: &str) -> String {
    format!("agent-{key}.lock")
}
pub(crate) fn log_name(key: &str) -> String {
    format!("agent-{key}.log")
}

/// What a running agent wrote at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    pub(crate) pid: u32,
    pub(crate) port: u16,
    pub(crate) token: Secret,
    /// RFC 3339.
    pub(crate) started: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StateJson {
    version: u32,
    pid: u32,
    port: u16,
    token: String,
    started: String,
}

impl State {
    pub(crate) fn to_json(&self) -> String {
        let json = StateJson {
            version: 1,
            pid: self.pid,
            port: self.port,
            token: self.token.expose().to_string(),
            started: self.started.clone(),
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// `None` for anything but a version-1 state with a 64-hex-digit token.
    pub(crate) fn from_json(text: &str) -> Option<State> {
        let json: StateJson = serde_json::from_str(text).ok()?;
        let token_ok = json.token.len() == 64 && json.token.bytes().all(|b| b.is_ascii_hexdigit());
        (json.version == 1 && token_ok).then(|| State {
            pid: json.pid,
            port: json.port,
            token: Secret::new(json.token),
            started: json.started,
        })
    }
}

/// Reads the state file of `key`: `Ok(None)` when there is none. A file that is not this
/// user's own and private (0600) is refused: a token anyone else could have read or written
/// is never used.
pub(crate) fn read(dir: &Dir, key: &str) -> Result<Option<State>, String> {
    let name = state_name(key);
    let path = dir.path().join(&name);
    match dir.read_text(&name, 4096) {
        Ok(None) => Ok(None),
        Ok(Some((_, file))) if file.uid != crate::safe_fs::euid() || file.mode & 0o077 != 0 => Err(format!(
            "{} is not a private file of yours (mode {:o}); remove it",
            path.display(),
            file.mode
        )),
        Ok(Some((text, _))) => Ok(State::from_json(&text)),
        Err(err) => Err(err.to_string()),
    }
}

/// The lifetime lock of `key`'s agent, opened (created 0600 when missing).
pub(crate) fn open_lock(dir: &Dir, key: &str) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.path().join(lock_name(key));
    let file = std::fs::OpenOptions::new()
        .mode(0o600)
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)?;
    Ok(file)
}

/// Takes `lock` exclusively without waiting: `false` when another process holds it.
pub(crate) fn try_lock(lock: &std::fs::File) -> std::io::Result<bool> {
    // SAFETY: flock on a descriptor we own; LOCK_NB never blocks.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        true => Ok(false),
        false => Err(err),
    }
}

/// Whether an agent holds `key`'s lifetime lock now (the kernel released it if it died).
pub(crate) fn agent_alive(dir: &Dir, key: &str) -> std::io::Result<bool> {
    let lock = open_lock(dir, key)?;
    // Getting the lock means no agent holds it; closing the file lets go again.
    Ok(!try_lock(&lock)?)
}

/// The keys of every agent that has a state or lock file in `dir`.
pub(crate) fn keys_in(dir: &Path) -> Vec<String> {
    let mut keys: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let key = name.strip_prefix("agent-")?.strip_suffix(".json")?;
            (key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit())).then(|| key.to_string())
        })
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_follows_the_configuration_only() {
        let vars = |pairs: &'static [(&str, &str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let a = key(vars(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "/c")]));
        assert_eq!(a.len(), 16);
        assert_eq!(
            a,
            key(vars(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "/c"), ("PATH", "/bin"), ("AWS_PROFILE", "x")]))
        );
        assert_eq!(a, key(vars(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "/c"), ("AWS_REGION", "")])));
        assert_ne!(a, key(vars(&[("HOME", "/h"), ("AWS_CONFIG_FILE", "/d")])));
        // A value cannot move into the next variable's place.
        assert_ne!(key(vars(&[("HOME", "/hX")])), key(vars(&[("HOME", "/h"), ("XDG_CACHE_HOME", "X")])));
    }

    #[test]
    fn the_runtime_dir_prefers_xdg_runtime_dir() {
        let dirs = crate::creds::engine::Dirs { cache: Some("/c/awsw".into()), ..Default::default() };
        let dir = runtime_dir(|n| (n == "XDG_RUNTIME_DIR").then(|| "/run/user/1000".to_string()), &dirs);
        assert_eq!(dir.unwrap(), Path::new("/run/user/1000/awsw"));
        let relative = runtime_dir(|n| (n == "XDG_RUNTIME_DIR").then(|| "run".to_string()), &dirs);
        assert_eq!(relative.unwrap(), Path::new("/c/awsw/agent"));
    }

    #[test]
    fn state_round_trips_and_bad_tokens_are_refused() {
        let state = State {
            pid: 7,
            port: 4000,
            token: Secret::new("a".repeat(64)),
            started: "2026-11-25T01:00:00Z".into(),
        };
        assert_eq!(State::from_json(&state.to_json()), Some(state.clone()));
        assert!(!format!("{state:?}").contains("aaaa"));
        let short = state.to_json().replace(&"a".repeat(64), "abc");
        assert_eq!(State::from_json(&short), None);
        assert_eq!(State::from_json("{}"), None);
    }

    #[test]
    fn a_held_lock_means_alive_and_a_free_one_does_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = open_dir(&tmp.path().join("rt")).unwrap();
        assert!(!agent_alive(&dir, "k").unwrap());
        let held = open_lock(&dir, "k").unwrap();
        assert!(try_lock(&held).unwrap());
        assert!(agent_alive(&dir, "k").unwrap());
        drop(held);
        assert!(!agent_alive(&dir, "k").unwrap());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tmp.path().join("rt")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
