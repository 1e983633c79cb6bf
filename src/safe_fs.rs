//! Files in directories awsw does not fully control (a project's `.envrc`, the AWS CLI's
//! cache, awsw's own cache). Checking a path and then opening it again by path lets another
//! user swap it in between, so here a directory is opened once and judged by `fstat` of that
//! descriptor, and files are opened relative to it (`O_NOFOLLOW`, `O_NONBLOCK` so a FIFO
//! cannot block, `O_CLOEXEC`) and judged by `fstat` of what was opened. A directory another
//! user can change (group- or other-writable without the sticky bit, or owned by another
//! user) is refused with what to do about it. Writes go to a new file created with
//! `O_EXCL` in the same directory, then `renameat`, so they are atomic.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, Stat};

/// Why a directory or file was not used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FsError {
    #[error(
        "{} is writable by other users (mode {mode:o}), who could swap files in it: run `chmod 700 {}` (or `chmod go-w`) and try again",
        dir.display(),
        dir.display()
    )]
    SharedDir { dir: PathBuf, mode: u32 },
    #[error(
        "{} belongs to another user (uid {uid}), who could swap files in it: use a directory of your own",
        dir.display()
    )]
    ForeignDir { dir: PathBuf, uid: u32 },
    #[error("{} is a symbolic link", path.display())]
    Symlink { path: PathBuf },
    #[error("{} is not a regular file ({kind})", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl FsError {
    fn io(path: &Path, source: impl Into<std::io::Error>) -> FsError {
        FsError::Io { path: path.to_path_buf(), source: source.into() }
    }
}

impl From<FsError> for std::io::Error {
    fn from(err: FsError) -> Self {
        match err {
            FsError::Io { source, .. } => source,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// This process's effective user.
pub(crate) fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

/// A regular file opened by `Dir::open_file`, with its `fstat`.
pub(crate) struct Opened {
    pub(crate) file: File,
    pub(crate) uid: u32,
    /// Permission bits (`0o7777`).
    pub(crate) mode: u32,
}

/// An open directory that no other user can change.
pub(crate) struct Dir {
    fd: OwnedFd,
    path: PathBuf,
    mode: u32,
}

impl Dir {
    /// Opens `path` (following links to it: the directory itself is what is judged) and
    /// refuses it when someone other than this user can change its entries.
    pub(crate) fn open_trusted(path: &Path) -> Result<Dir, FsError> {
        let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
            .map_err(|e| FsError::io(path, e))?;
        let stat = rustix::fs::fstat(&fd).map_err(|e| FsError::io(path, e))?;
        let mode = stat.st_mode & 0o7777;
        if stat.st_uid != euid() {
            return Err(FsError::ForeignDir { dir: path.to_path_buf(), uid: stat.st_uid });
        }
        let sticky = mode & 0o1000 != 0;
        if mode & 0o022 != 0 && !sticky {
            return Err(FsError::SharedDir { dir: path.to_path_buf(), mode });
        }
        Ok(Dir { fd, path: path.to_path_buf(), mode })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The directory's permission bits when it was opened.
    pub(crate) fn mode(&self) -> u32 {
        self.mode
    }

    /// Sets the directory's permission bits (through the descriptor, not the path).
    pub(crate) fn set_mode(&self, mode: u32) -> Result<(), FsError> {
        rustix::fs::fchmod(&self.fd, Mode::from_raw_mode(mode)).map_err(|e| FsError::io(&self.path, e))
    }

    /// `name` opened for reading when it is a regular file; `None` when it does not exist.
    pub(crate) fn open_file(&self, name: &str) -> Result<Option<Opened>, FsError> {
        let path = self.path.join(name);
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(rustix::io::Errno::LOOP) => return Err(FsError::Symlink { path }),
            Err(e) => return Err(FsError::io(&path, e)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(|e| FsError::io(&path, e))?;
        if let Some(kind) = not_regular(&stat) {
            return Err(FsError::NotRegular { path, kind });
        }
        Ok(Some(Opened { file: File::from(fd), uid: stat.st_uid, mode: stat.st_mode & 0o7777 }))
    }

    /// The text of `name`, read through `open_file`, at most `limit` bytes.
    pub(crate) fn read_text(&self, name: &str, limit: u64) -> Result<Option<(String, Opened)>, FsError> {
        let Some(mut opened) = self.open_file(name)? else { return Ok(None) };
        let path = self.path.join(name);
        let mut text = String::new();
        (&mut opened.file).take(limit).read_to_string(&mut text).map_err(|e| FsError::io(&path, e))?;
        Ok(Some((text, opened)))
    }

    /// Replaces `name` with `bytes` (mode `mode`) atomically: a new file created with
    /// `O_EXCL` beside it, synced, then renamed over it.
    pub(crate) fn replace(&self, name: &str, bytes: &[u8], mode: u32) -> Result<(), FsError> {
        let path = self.path.join(name);
        let (temp_name, fd) = self.create_temp(name)?;
        let written = (|| {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
            let mut file = File::from(fd);
            file.write_all(bytes)?;
            file.sync_all()?;
            rustix::fs::renameat(&self.fd, temp_name.as_str(), &self.fd, name)?;
            Ok::<(), std::io::Error>(())
        })();
        if let Err(err) = written {
            let _ = rustix::fs::unlinkat(&self.fd, temp_name.as_str(), AtFlags::empty());
            return Err(FsError::io(&path, err));
        }
        Ok(())
    }

    /// A new, empty, private file beside `name`; no one else can have opened it.
    fn create_temp(&self, name: &str) -> Result<(String, OwnedFd), FsError> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut last = rustix::io::Errno::EXIST;
        for attempt in 0..16u32 {
            let temp = format!(".{name}.awsw-{:016x}", random(attempt));
            match rustix::fs::openat(&self.fd, temp.as_str(), flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => return Ok((temp, fd)),
                Err(rustix::io::Errno::EXIST) => last = rustix::io::Errno::EXIST,
                Err(e) => return Err(FsError::io(&self.path, e)),
            }
        }
        Err(FsError::io(&self.path, last))
    }
}

/// Opens `path` as a trusted directory, creating it (and its parents) as 0700 when missing.
pub(crate) fn open_or_create_dir(path: &Path) -> Result<Dir, FsError> {
    use std::os::unix::fs::DirBuilderExt;
    if let Err(err) = rustix::fs::statat(CWD, path, AtFlags::empty())
        && err == rustix::io::Errno::NOENT
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(|e| FsError::io(path, e))?;
    }
    Dir::open_trusted(path)
}

fn not_regular(stat: &Stat) -> Option<&'static str> {
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => None,
        FileType::Directory => Some("a directory"),
        FileType::Fifo => Some("a FIFO"),
        FileType::Socket => Some("a socket"),
        FileType::CharacterDevice | FileType::BlockDevice => Some("a device"),
        _ => Some("not a file"),
    }
}

/// A value no other process can predict cheaply, for temporary names (`O_EXCL` makes a
/// guess harmless anyway: it only costs a retry).
fn random(attempt: u32) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(attempt);
    hasher.write_u32(std::process::id());
    hasher.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir_with_mode(mode: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        dir
    }

    #[test]
    fn directories_others_can_change_are_refused() {
        for mode in [0o777, 0o775, 0o757, 0o720] {
            let dir = dir_with_mode(mode);
            let err = Dir::open_trusted(dir.path()).err().expect("refused");
            assert!(matches!(err, FsError::SharedDir { .. }), "{mode:o}: {err}");
            assert!(err.to_string().contains(&format!("chmod 700 {}", dir.path().display())), "{err}");
        }
        for mode in [0o700, 0o755, 0o1777, 0o1770] {
            assert!(Dir::open_trusted(dir_with_mode(mode).path()).is_ok(), "{mode:o}");
        }
    }

    #[test]
    fn only_regular_files_open_and_links_are_not_followed() {
        let dir = dir_with_mode(0o700);
        std::fs::write(dir.path().join("file"), "text").unwrap();
        std::os::unix::fs::symlink(dir.path().join("file"), dir.path().join("link")).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let fifo = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let d = Dir::open_trusted(dir.path()).unwrap();
        assert_eq!(d.read_text("file", 100).unwrap().unwrap().0, "text");
        assert!(d.read_text("missing", 100).unwrap().is_none());
        assert!(matches!(d.open_file("link"), Err(FsError::Symlink { .. })));
        assert!(matches!(d.open_file("sub"), Err(FsError::NotRegular { kind: "a directory", .. })));
        // A FIFO with no writer: opening it must neither block nor succeed.
        assert!(matches!(d.open_file("fifo"), Err(FsError::NotRegular { kind: "a FIFO", .. })));
    }

    #[test]
    fn replace_is_atomic_and_leaves_no_temporary_file() {
        let dir = dir_with_mode(0o700);
        let d = Dir::open_trusted(dir.path()).unwrap();
        d.replace("out", b"one", 0o640).unwrap();
        d.replace("out", b"two", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("out")).unwrap(), "two");
        let meta = std::fs::metadata(dir.path().join("out")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, ["out"]);
    }
}
