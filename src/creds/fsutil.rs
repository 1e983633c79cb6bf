//! Private files: created 0600 in a 0700 directory, written atomically (temp file in the
//! same directory, then rename), and read back only when they are the user's own and
//! private. Used for everything in awsw that holds a secret.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and parents) as 0700, or checks an existing one is the user's own.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) => {
            if !meta.is_dir() {
                return Err(std::io::Error::other("it is not a directory"));
            }
            // SAFETY-free: geteuid has no preconditions.
            let uid = unsafe { libc::geteuid() };
            if meta.uid() != uid {
                return Err(std::io::Error::other("it belongs to another user"));
            }
            if meta.mode() & 0o077 != 0 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
        }
        Err(err) => Err(err),
    }
}

/// Writes `bytes` to `path` atomically with mode 0600.
pub fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    ensure_private_dir(dir)?;
    // tempfile creates the file 0600 with O_EXCL, so no one else can open it first.
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Reads a file only if it is a regular file owned by this user and not readable by
/// others; anything else is treated as absent (and will be replaced on the next write).
pub fn read_private(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    // SAFETY-free: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}
