//! Private files: created 0600 in a 0700 directory, written atomically (temp file in the
//! same directory, then rename), and read back only when they are the user's own and
//! private. Used for everything in awsw that holds a secret. The directory is opened once
//! and every check is made on descriptors (`safe_fs`), so nothing can be swapped in between;
//! a directory other users can change is refused, never read from or written into.

use std::path::Path;
use std::sync::Mutex;

use crate::safe_fs::{self, Dir, FsError};

/// Directories refused while reading, for the commands to name once (a read that finds
/// nothing usable is not an error, but the user should learn why their cache is ignored).
static REFUSED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// What was refused since the last call, each once.
pub(crate) fn take_refusals() -> Vec<String> {
    std::mem::take(&mut *REFUSED.lock().unwrap_or_else(|e| e.into_inner()))
}

fn refused(err: &FsError) {
    let text = format!("ignored a cached session: {err}");
    let mut list = REFUSED.lock().unwrap_or_else(|e| e.into_inner());
    if !list.contains(&text) {
        list.push(text);
    }
}

/// Creates `dir` (and parents) as 0700, or checks an existing one is the user's own and no
/// one else can change it; one that others can merely read is made 0700.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    open_private_dir(dir).map(drop).map_err(std::io::Error::from)
}

fn open_private_dir(dir: &Path) -> Result<Dir, FsError> {
    let opened = safe_fs::open_or_create_dir(dir)?;
    if opened.mode() & 0o077 != 0 {
        opened.set_mode(0o700)?;
    }
    Ok(opened)
}

/// Writes `bytes` to `path` (a file in `dir`) atomically with mode 0600.
pub fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = file_name(path)?;
    let opened = open_private_dir(dir)?;
    opened.replace(name, bytes, 0o600)?;
    Ok(())
}

/// Reads a file only if it is a regular file owned by this user and not readable by
/// others, in a directory no one else can change; anything else is treated as absent (and
/// will be replaced on the next write).
pub fn read_private(path: &Path) -> Option<String> {
    read_private_up_to(path, 1 << 20)
}

/// The same for a file that may be larger (an organisation's SSO discovery: about 150 KB
/// per 1,000 accounts); a file over `limit` bytes counts as absent.
pub fn read_private_up_to(path: &Path, limit: u64) -> Option<String> {
    let (Some(dir), Ok(name)) = (path.parent(), file_name(path)) else { return None };
    let opened = match Dir::open_trusted(dir) {
        Ok(opened) => opened,
        Err(err @ (FsError::SharedDir { .. } | FsError::ForeignDir { .. })) => {
            refused(&err);
            return None;
        }
        Err(_) => return None,
    };
    let (text, file) = opened.read_text(name, limit).ok()??;
    (file.uid == safe_fs::euid() && file.mode & 0o077 == 0).then_some(text)
}

fn file_name(path: &Path) -> std::io::Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| std::io::Error::other(format!("{} has no file name", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_round_trip_and_foreign_modes_are_not_read() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("cache");
        let path = dir.join("f.json");
        write_private(&dir, &path, b"secret").unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(read_private(&path).as_deref(), Some("secret"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read_private(&path), None, "readable by others");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&path), None, "in a directory others can write");
        assert!(take_refusals().iter().any(|r| r.contains("chmod 700")));
        assert!(write_private(&dir, &path, b"x").is_err(), "not written there either");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_private(&dir, &path, b"again").unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700, "tightened");
    }
}
