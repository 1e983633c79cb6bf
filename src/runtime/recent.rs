//! The recent-use record on disk: `awsw/frecency.json` in the state dir (else the local
//! data dir), profile names with use counts and times (no secrets). The ranking itself is
//! pure and lives in `app::frecency`; this module only reads and writes the file.

use std::path::{Path, PathBuf};

use crate::app::frecency::Frecency;

/// `~/.local/state/awsw/frecency.json` (`$XDG_STATE_HOME/awsw`); where the system has no
/// state dir (macOS), the same name under the local data dir.
pub fn default_path(dirs: &crate::creds::engine::Dirs) -> Option<PathBuf> {
    dirs.state.as_ref().map(|d| d.join("frecency.json"))
}

/// A missing or unreadable file is an empty history, never an error.
pub fn load(path: &Path) -> Frecency {
    std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn save(frecency: &Frecency, path: &Path) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent directory"))?;
    let body = serde_json::to_vec(frecency).map_err(std::io::Error::other)?;
    crate::creds::fsutil::write_private(dir, path, &body)
}

/// Counts one switch to `profile` in the file at `path`, at once (the caller may hand the
/// process over to a shell next). A failure to write never fails the switch: the order of
/// the list is a convenience.
pub(crate) fn record_at(path: &Path, profile: &str, now: i64) {
    let mut frecency = load(path);
    frecency.record(profile, now);
    let _ = save(&frecency, path);
}

/// `record_at` the default path, now: what every switch (picker, `env`, `shell`, `exec`) calls.
pub(crate) fn record(profile: &str, dirs: &crate::creds::engine::Dirs) {
    if let Some(path) = default_path(dirs) {
        record_at(&path, profile, time::OffsetDateTime::now_utc().unix_timestamp());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_is_counted_in_a_private_file_and_a_bad_file_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("awsw/frecency.json");
        record_at(&path, "prod", 100);
        record_at(&path, "prod", 200);
        assert_eq!(load(&path).uses["prod"], (2, 200));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::write(&path, "not json").unwrap();
        record_at(&path, "dev", 300);
        assert_eq!(load(&path).uses.len(), 1);
        // An unwritable place is silently skipped.
        record_at(Path::new("/proc/awsw/frecency.json"), "dev", 1);
    }
}
