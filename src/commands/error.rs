//! Why a command failed. Commands return these; `main` prints the one line and turns each
//! into its exit status (`crate::exit`) in one place.

use crate::config::files::ConfigError;
use crate::creds::CredsError;

/// Why a command failed, and so which exit status it ends with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Getting a session or an identity failed; the engine's error picks the exit status.
    #[error(transparent)]
    Creds(#[from] CredsError),
    /// The config or credentials files could not be found or read (exit 1).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `awsw console`: a usage error (a bad service or destination) or a failure.
    #[error(transparent)]
    Console(#[from] super::console::ConsoleError),
    /// The command line asked for something that cannot be (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Something failed at run time (exit 1).
    #[error("{0}")]
    Failure(String),
    /// `exec` / `shell`: the program could not start (127 not found, 126 otherwise).
    #[error("cannot {verb} {program}: {source}")]
    CannotRun {
        /// What was tried, for the message: `run` or `start`.
        verb: &'static str,
        /// The program, as named on the command line or by `$SHELL`.
        program: String,
        /// Why the operating system refused.
        #[source]
        source: std::io::Error,
    },
    /// Failures already reported one by one (`whoami --all`, `doctor`): exit 1, nothing more
    /// to say.
    #[error("")]
    Reported,
    /// `exec --server` / the served shell: the child ran and ended with this status (its own
    /// messages already printed).
    #[error("")]
    Exited(std::process::ExitCode),
}

impl Error {
    pub(crate) fn failure(message: impl std::fmt::Display) -> Error {
        Error::Failure(message.to_string())
    }

    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Error::Creds(err) => err.exit_code(),
            Error::Console(err) => err.exit_code(),
            Error::Usage(_) => crate::exit::USAGE,
            Error::CannotRun { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                crate::exit::NOT_FOUND
            }
            Error::CannotRun { .. } => crate::exit::CANNOT_RUN,
            Error::Config(_) | Error::Failure(_) | Error::Reported | Error::Exited(_) => crate::exit::FAILURE,
        }
    }

    /// Prints the one line (if there is one to print) and gives the exit status.
    pub fn report(&self) -> std::process::ExitCode {
        match self {
            Error::Reported => std::process::ExitCode::from(self.exit_code()),
            Error::Exited(code) => *code,
            _ => super::fail(self.exit_code(), self),
        }
    }
}
