//! The role-scoped subshell: the user's shell, replacing awsw (so its exit status is the
//! command's), with the session applied to its environment.

use std::os::unix::process::CommandExt;

use super::env::EnvChange;

/// Refuses to nest awsw shells unless forced; the message says how to leave.
pub(crate) fn check_not_nested(current: Option<&str>, force: bool) -> Result<(), String> {
    match current {
        Some(profile) if !force => Err(format!(
            "already inside an awsw shell for profile {profile}: type `exit` to leave it first, or pass --force to nest"
        )),
        _ => Ok(()),
    }
}

/// The shell program: `--shell`, else `$SHELL`, else `/bin/sh`.
pub(crate) fn program(flag: Option<&str>, shell_var: Option<&str>) -> String {
    flag.or(shell_var).filter(|s| !s.is_empty()).unwrap_or("/bin/sh").to_string()
}

/// Where `program` would be started from: as given when it holds a `/`, else the first
/// executable match on `PATH`. Checked before anything is printed or asked for, so a wrong
/// `--shell` fails alone, without a banner or an MFA prompt.
pub(crate) fn locate(
    program: &str,
    path_var: Option<&std::ffi::OsStr>,
) -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &std::path::Path| {
        std::fs::metadata(path).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let path = std::path::PathBuf::from(program);
        return match executable(&path)? {
            true => Ok(path),
            false => Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
        };
    }
    std::env::split_paths(path_var.unwrap_or_default())
        .map(|dir| dir.join(program))
        .find(|candidate| executable(candidate).unwrap_or(false))
        .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
}

/// Replaces this process with `program`, its environment changed by `change`. Returns only
/// when the shell could not be started.
pub(crate) fn exec(program: &str, change: &EnvChange) -> std::io::Error {
    let mut command = std::process::Command::new(program);
    change.apply(&mut command);
    command.exec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_refused_with_a_way_out() {
        let err = check_not_nested(Some("prod"), false).unwrap_err();
        assert!(err.contains("prod") && err.contains("exit") && err.contains("--force"));
        assert!(check_not_nested(Some("prod"), true).is_ok());
        assert!(check_not_nested(None, false).is_ok());
    }

    #[test]
    fn locate_finds_programs_on_path_and_refuses_missing_ones() {
        let path = std::ffi::OsString::from("/nonexistent:/bin:/usr/bin");
        assert!(locate("sh", Some(&path)).unwrap().ends_with("sh"));
        assert_eq!(locate("/nonexistent/sh", None).unwrap_err().kind(), std::io::ErrorKind::NotFound);
        assert_eq!(
            locate("no-such-shell-awsw", Some(&path)).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
        assert_eq!(locate("/etc/passwd", None).unwrap_err().kind(), std::io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn program_precedence() {
        assert_eq!(program(Some("zsh"), Some("/bin/bash")), "zsh");
        assert_eq!(program(None, Some("/bin/bash")), "/bin/bash");
        assert_eq!(program(None, None), "/bin/sh");
    }
}
