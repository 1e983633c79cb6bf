//! Single flight across processes: awsw processes that need a session behind the same root
//! (20 Terraform providers calling `awsw credential-process`, several panes opening at
//! once) take turns through a lock file per root in awsw's cache directory, so one of them
//! makes the STS calls (and asks for the MFA code, at most once) and the others then find
//! the result in the cache. The lock is `flock(2)`: the kernel releases it when its holder
//! exits or crashes, so a dead holder never blocks anyone. A session already in the cache
//! is served without touching the lock. A command-line caller that has no way to get the
//! code (no `--mfa-code`, no `mfa_process`, no terminal) gives the others a moment to take
//! the lock first, so the one caller that was given the code serves them all.

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::engine::{Ask, Engine, MfaSource, Readiness};
use super::error::CredsError;
use super::fsutil;
use super::types::Session;

/// After this long waiting, a command-line caller is told why nothing happens.
const SAY_AFTER: Duration = Duration::from_secs(3);
/// The longest wait: the holder may be waiting for a person to type an MFA code.
const GIVE_UP_AFTER: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(25);
/// How long a caller without a code waits for another to start getting the session: the
/// callers a tool starts side by side are all running well within it.
const CODE_HOLDER_GRACE: Duration = Duration::from_secs(2);

impl Engine {
    /// Working credentials for `name`, asking for MFA only as `ask` allows; one process at
    /// a time per root does the STS calls.
    pub async fn session(&self, name: &str, ask: &Ask) -> Result<Session, CredsError> {
        self.wait_for_code_holder(name, ask).await?;
        let lock_paths = match self.cached_session(name) {
            Some(_) => Vec::new(),
            None => self.lock_paths(name),
        };
        let mut held = Vec::with_capacity(lock_paths.len());
        for path in &lock_paths {
            held.push(acquire(path, name, ask).await?);
        }
        self.session_unlocked(name, ask).await
    }

    /// The `<cache file>.lock` files to hold, always in this order: the chain root's when a
    /// code is needed (so every role behind it waits for the one prompt), then the profile's
    /// own (so cold roles behind the same keys are still fetched side by side, as the picker
    /// does). Holding the profile's own lock too matters: a caller that arrives after the
    /// holder cached the base session no longer needs a code, so it skips the root's lock,
    /// and without the own lock it would assume the role a second time beside the holder.
    fn lock_paths(&self, name: &str) -> Vec<PathBuf> {
        let Some(profile) = self.inventory().profile(name) else { return Vec::new() };
        let lock_of = |file: PathBuf| {
            let mut lock = file.into_os_string();
            lock.push(".lock");
            PathBuf::from(lock)
        };
        let own = self.cache_file(name).map(lock_of);
        let root = match self.readiness(name) {
            Readiness::NeedsMfa { .. } => {
                profile.chain.first().and_then(|root| self.cache_file(root)).map(lock_of)
            }
            _ => None,
        };
        let mut paths: Vec<PathBuf> = root.into_iter().collect();
        // One lock per file: a second flock on the same file from this process would wait
        // for itself.
        paths.extend(own.filter(|own| !paths.contains(own)));
        paths
    }

    /// When `name` needs an MFA code this caller cannot get, waits for another process that
    /// is getting the session (or starts to within `CODE_HOLDER_GRACE`) to finish, so its
    /// session is then read from the cache instead of failing with "needs an MFA code".
    async fn wait_for_code_holder(&self, name: &str, ask: &Ask) -> Result<(), CredsError> {
        if !self.cannot_get_code(name, ask) {
            return Ok(());
        }
        // Needing a code, the root's lock comes first: the one the code holder takes.
        let Some(path) = self.lock_paths(name).into_iter().next() else { return Ok(()) };
        let started = Instant::now();
        while !is_held(&path) {
            if started.elapsed() >= CODE_HOLDER_GRACE {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
        tracing::debug!(profile = name, "waiting for the awsw process that has the MFA code");
        drop(acquire(&path, name, ask).await?);
        Ok(())
    }

    /// A command-line caller whose session needs a code it has no way to get: none given,
    /// no `mfa_process`, no terminal to prompt on. (The picker and the endpoint never wait:
    /// they say at once what is needed.)
    fn cannot_get_code(&self, name: &str, ask: &Ask) -> bool {
        ask.mfa == MfaSource::PromptTty
            && self.cached_session(name).is_none()
            && matches!(self.readiness(name), Readiness::NeedsMfa { has_mfa_process: false, .. })
            && !super::mfa::terminal_available()
    }
}

/// Whether another process holds the lock at `path` now. Looks without creating the file
/// and with a shared lock, so it never holds up the holder or other lookers.
fn is_held(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    // SAFETY: flock on a descriptor we own; LOCK_NB never blocks. Closing `file` releases it.
    let held = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } != 0;
    held && std::io::Error::last_os_error().raw_os_error() == Some(libc::EWOULDBLOCK)
}

/// Holds the lock until dropped. The holder removes the file before it lets go, so the
/// cache directory keeps no lock files; a waiter that then gets the lock of a removed file
/// sees that it is not the file at the path any more and starts over.
struct Held {
    file: std::fs::File,
    path: PathBuf,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        // Closing `file` (after this) releases the lock.
        let _ = &self.file;
    }
}

async fn acquire(path: &Path, profile: &str, ask: &Ask) -> Result<Held, CredsError> {
    let failed = |reason: String| CredsError::Cache {
        path: path.parent().unwrap_or(path).to_path_buf(),
        source: std::io::Error::other(reason),
    };
    if let Some(dir) = path.parent() {
        fsutil::ensure_private_dir(dir).map_err(|e| failed(e.to_string()))?;
    }
    let started = Instant::now();
    let mut said = false;
    loop {
        let file = open(path).map_err(|e| failed(format!("cannot open {}: {e}", path.display())))?;
        loop {
            // SAFETY: flock on a descriptor we own; LOCK_NB never blocks.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                break;
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(failed(format!("cannot lock {}: {err}", path.display())));
            }
            let waited = started.elapsed();
            if waited >= GIVE_UP_AFTER {
                return Err(failed(format!(
                    "another awsw process has been getting the session of profile {profile} for {} s; finish or stop it, then try again",
                    waited.as_secs()
                )));
            }
            // Only a person at a command line waits visibly; the picker and the endpoint
            // never print here.
            if !said && waited >= SAY_AFTER && ask.mfa == MfaSource::PromptTty {
                eprintln!(
                    "awsw: waiting for another awsw process that is getting the session of profile {profile}"
                );
                said = true;
            }
            tokio::time::sleep(POLL).await;
        }
        if still_at(&file, path) {
            return Ok(Held { file, path: path.to_path_buf() });
        }
    }
}

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().mode(0o600).create(true).truncate(false).write(true).open(path)
}

/// Whether `file` is still the file at `path` (not removed by the holder before us).
fn still_at(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}
