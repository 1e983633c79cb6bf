//! Finding and reading the two files. The only reading in `config` (the one write is
//! `credfile_edit`'s, for `awsw rotate`): everything after the bytes are read is pure.

use std::path::{Path, PathBuf};

use super::Inventory;
use super::parse::FileKind;
use super::set::{ProfileSet, Source};

/// Why the config or credentials file could not be read; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The OS refused the read (permissions, I/O); the cause is kept as the source.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A directory stands where the file should be.
    #[error("cannot read {path}: it is a directory, not a file")]
    IsDirectory {
        /// The path.
        path: PathBuf,
    },
    /// The file is not UTF-8, as the SDKs require.
    #[error("cannot read {path}: not valid UTF-8 (byte {offset}); save it as UTF-8")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// No home directory to find `~/.aws` in.
    #[error("cannot find the home directory: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")]
    NoHome,
}

/// Where the config and credentials files are.
#[derive(Debug, Clone)]
pub struct ConfigPaths {
    pub(crate) config: PathBuf,
    pub(crate) credentials: PathBuf,
}

impl ConfigPaths {
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and
    /// `~/.aws/credentials`, with a leading `~` expanded as the SDKs do.
    pub(crate) fn from_vars(
        vars: &crate::context::Vars,
        home: Option<&Path>,
    ) -> Result<ConfigPaths, ConfigError> {
        let pick = |var: &str, default: &str| -> Result<PathBuf, ConfigError> {
            match vars.get_os(var) {
                Some(value) => expand_home(Path::new(&value), home),
                None => Ok(home.ok_or(ConfigError::NoHome)?.join(".aws").join(default)),
            }
        };
        Ok(ConfigPaths {
            config: pick("AWS_CONFIG_FILE", "config")?,
            credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials")?,
        })
    }
}

fn expand_home(path: &Path, home: Option<&Path>) -> Result<PathBuf, ConfigError> {
    match path.strip_prefix("~") {
        Ok(rest) => Ok(home.ok_or(ConfigError::NoHome)?.join(rest)),
        Err(_) => Ok(path.to_path_buf()),
    }
}

/// The profiles both files hold, resolved.
pub struct Loaded {
    pub(crate) inventory: Inventory,
}

/// The two files' text, read but not yet parsed.
pub(crate) struct Texts {
    pub(crate) config: Option<String>,
    pub(crate) credentials: Option<String>,
    pub(crate) config_name: String,
    pub(crate) credentials_name: String,
    pub(crate) missing: Vec<PathBuf>,
}

impl Texts {
    /// Parses and merges the texts; the set borrows them.
    pub(crate) fn profile_set(&self) -> ProfileSet<'_> {
        ProfileSet::from_sources(&[
            Source { name: &self.config_name, text: self.config.as_deref(), kind: FileKind::Config },
            Source {
                name: &self.credentials_name,
                text: self.credentials.as_deref(),
                kind: FileKind::Credentials,
            },
        ])
    }
}

/// Reads both files; a missing one is noted, any other failure is an error naming it.
pub(crate) fn read(paths: &ConfigPaths) -> Result<Texts, ConfigError> {
    let config = read_optional(&paths.config)?;
    let credentials = read_optional(&paths.credentials)?;
    let mut missing = Vec::new();
    if config.is_none() {
        missing.push(paths.config.clone());
    }
    if credentials.is_none() {
        missing.push(paths.credentials.clone());
    }
    Ok(Texts {
        config,
        credentials,
        config_name: paths.config.display().to_string(),
        credentials_name: paths.credentials.display().to_string(),
        missing,
    })
}

/// Reads a file that may be missing; any other failure is an error naming the path.
fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(err) => {
                Err(ConfigError::NotUtf8 { path: path.to_path_buf(), offset: err.utf8_error().valid_up_to() })
            }
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) if path.is_dir() => Err(ConfigError::IsDirectory { path: path.to_path_buf() }),
        Err(err) => Err(ConfigError::Unreadable { path: path.to_path_buf(), source: err }),
    }
}

/// Reads, merges and resolves both files.
pub fn load(paths: &ConfigPaths) -> Result<Loaded, ConfigError> {
    let texts = read(paths)?;
    let inventory = Inventory::from_set(&texts.profile_set());
    Ok(Loaded { inventory })
}
