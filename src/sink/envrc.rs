//! The awsw block in a project's `.envrc`: built (pure), spliced into the existing file
//! (pure: every byte outside the markers stays as it was), and written atomically.

use std::path::{Path, PathBuf};

use time::format_description::well_known::Rfc3339;

use super::env::EnvChange;
use super::shell::{Shell, format, quote_posix};
use crate::safe_fs::{Dir, FsError};

pub(crate) const START: &str = "# >>> awsw >>>";
pub(crate) const END: &str = "# <<< awsw <<<";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum EnvrcError {
    #[error(
        "{path} has a `{START}` line with no `{END}` after it: fix or remove the block by hand, then run again"
    )]
    UnclosedBlock { path: PathBuf },
    #[error(
        "{path} is a symbolic link: awsw does not write through links; replace it with a file or pass --dir"
    )]
    Symlink { path: PathBuf },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("refusing to write long-term access keys into {path}: --inline takes only temporary sessions")]
    LongTermKeys { path: PathBuf },
}

/// What the block does.
#[derive(Debug, Clone)]
pub(crate) enum Block<'a> {
    /// No secrets: load the cached session through awsw, reload when the cache file changes.
    Cached { profile: &'a str, awsw: &'a Path, cache_file: Option<&'a Path> },
    /// The temporary credentials themselves, with a guard that drops them once expired.
    Inline { profile: &'a str, change: &'a EnvChange, expires: time::OffsetDateTime },
    /// Just `AWS_PROFILE`, for tools that resolve profiles themselves.
    ProfileOnly { profile: &'a str },
    /// No secrets: at each load awsw makes sure its agent runs and points the directory at
    /// it (an address and a token), reloading when the agent restarts.
    Served { profile: &'a str, awsw: &'a Path },
}

/// The block's text, markers included, each line ending in `\n`.
pub(crate) fn render(block: &Block<'_>) -> String {
    let mut out = String::new();
    out.push_str(START);
    out.push('\n');
    match block {
        Block::Cached { profile, awsw, cache_file } => {
            let p = quote_posix(profile);
            out.push_str(&format!(
                "# Written by `awsw envrc {profile}`; awsw replaces everything between the markers.\n"
            ));
            out.push_str(&format!("export AWSW_PROFILE={p}\n"));
            if let Some(file) = cache_file {
                // direnv reloads by itself when the session is renewed.
                out.push_str(&format!("watch_file {}\n", quote_posix(&file.to_string_lossy())));
            }
            out.push_str(
                "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION\n",
            );
            out.push_str(&format!(
                "eval \"$(\"$(command -v awsw || echo {})\" env {p} --shell bash --cached-only)\"\n",
                quote_posix(&awsw.to_string_lossy())
            ));
        }
        Block::Inline { profile, change, expires } => {
            let when = expires.format(&Rfc3339).unwrap_or_default();
            out.push_str(&format!(
                "# Written by `awsw envrc {profile} --inline`: temporary credentials that expire at {when}.\n"
            ));
            out.push_str(&format(change, Shell::Bash));
            let names: Vec<&str> =
                change.set.iter().map(|(name, _)| *name).filter(|n| n.starts_with("AWS_")).collect();
            out.push_str(&format!("if [ \"$(date +%s)\" -ge {} ]; then\n", expires.unix_timestamp()));
            out.push_str(&format!(
                "  echo {} >&2\n",
                quote_posix(&format!(
                    "awsw: the credentials for profile {profile} in this .envrc expired at {when}; renew with: awsw envrc {profile} --inline"
                ))
            ));
            out.push_str(&format!("  unset {}\nfi\n", names.join(" ")));
        }
        Block::Served { profile, awsw } => {
            out.push_str(&format!(
                "# Written by `awsw envrc {profile} --served`: credentials from awsw's agent, renewed as they expire; awsw replaces everything between the markers.\n"
            ));
            out.push_str(&format!(
                "eval \"$(\"$(command -v awsw || echo {})\" agent env {} --shell bash --direnv)\"\n",
                quote_posix(&awsw.to_string_lossy()),
                quote_posix(profile)
            ));
        }
        Block::ProfileOnly { profile } => {
            out.push_str(&format!("# Written by `awsw envrc {profile} --profile-only`.\n"));
            out.push_str(&format!("export AWS_PROFILE={}\n", quote_posix(profile)));
        }
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// `existing` with its awsw block replaced by `block` (or `block` appended). Line endings
/// of a CRLF file are kept for the new block.
pub(crate) fn splice(existing: &str, block: &str, path: &Path) -> Result<String, EnvrcError> {
    let markers = crate::marked::Markers { start: START, end: END };
    markers.splice(existing, block).map_err(|_| EnvrcError::UnclosedBlock { path: path.to_path_buf() })
}

/// Writes `DIR/.envrc` with the block, atomically. `private` forces mode 0600. The
/// directory is opened once and must be one no other user can change; the existing file is
/// read through that descriptor only if it is a regular file of this user's (not a link, a
/// FIFO or another user's file, whose text direnv would run once allowed).
pub(crate) fn write(dir: &Path, block: &str, private: bool) -> Result<PathBuf, EnvrcError> {
    const NAME: &str = ".envrc";
    let path = dir.join(NAME);
    let write_err = |reason: String| EnvrcError::Write { path: path.clone(), reason };
    let opened = Dir::open_trusted(dir).map_err(|e| write_err(e.to_string()))?;
    let (existing, mode) = match opened.read_text(NAME, u64::MAX) {
        Ok(Some((_, file))) if file.uid != crate::safe_fs::euid() => {
            return Err(write_err(format!("it belongs to another user (uid {})", file.uid)));
        }
        Ok(Some((text, file))) => (text, file.mode & 0o777),
        Ok(None) => (String::new(), 0o644),
        Err(FsError::Symlink { .. }) => return Err(EnvrcError::Symlink { path }),
        Err(FsError::NotRegular { kind, .. }) => {
            return Err(write_err(format!("it is not a regular file ({kind}); remove it or pass --dir")));
        }
        Err(err) => return Err(write_err(err.to_string())),
    };
    let content = splice(&existing, block, &path)?;
    let mode = if private { 0o600 } else { mode };
    opened.replace(NAME, content.as_bytes(), mode).map_err(|e| write_err(e.to_string()))?;
    Ok(path)
}

/// When `dir` is inside a git work tree and `.envrc` is not ignored there, a warning.
/// The repository is not trusted: `core.fsmonitor` (run by anything that reads the index)
/// is switched off and `check-ignore` reads only the ignore rules (`--no-index`).
pub fn git_warning(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "core.fsmonitor=false"])
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()
    };
    let inside = git(&["rev-parse", "--is-inside-work-tree"])?.success();
    if !inside {
        return None;
    }
    let ignored = git(&["check-ignore", "--no-index", "-q", ".envrc"]).is_some_and(|s| s.success());
    (!ignored).then(|| {
        format!(
            "{} is inside a git work tree and .envrc is not ignored: add `.envrc` to .gitignore so the credentials are never committed",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "# >>> awsw >>>\nexport AWS_PROFILE='p'\n# <<< awsw <<<\n";

    #[test]
    fn appends_to_a_file_without_a_block() {
        let p = Path::new(".envrc");
        assert_eq!(splice("", BLOCK, p).unwrap(), BLOCK);
        assert_eq!(splice("use nix", BLOCK, p).unwrap(), format!("use nix\n{BLOCK}"));
        assert_eq!(splice("use nix\n", BLOCK, p).unwrap(), format!("use nix\n{BLOCK}"));
    }

    #[test]
    fn replaces_only_the_block_and_keeps_every_other_byte() {
        let p = Path::new(".envrc");
        let before = "layout python\n# >>> awsw >>>\nold stuff\n# <<< awsw <<<\nexport FOO=1  \n\n";
        assert_eq!(splice(before, BLOCK, p).unwrap(), format!("layout python\n{BLOCK}export FOO=1  \n\n"));
        // A block at the very end without a final newline.
        let before = "a\n# >>> awsw >>>\nold\n# <<< awsw <<<";
        assert_eq!(splice(before, BLOCK, p).unwrap(), format!("a\n{BLOCK}"));
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let p = Path::new(".envrc");
        let before = "a\r\n# >>> awsw >>>\r\nold\r\n# <<< awsw <<<\r\nb\r\n";
        assert_eq!(splice(before, BLOCK, p).unwrap(), format!("a\r\n{}b\r\n", BLOCK.replace('\n', "\r\n")));
    }

    #[test]
    fn a_start_marker_without_end_is_refused() {
        let err = splice("# >>> awsw >>>\nexport X=1\n", BLOCK, Path::new("/p/.envrc")).unwrap_err();
        assert_eq!(err, EnvrcError::UnclosedBlock { path: "/p/.envrc".into() });
    }

    #[test]
    fn markers_inside_other_lines_do_not_count() {
        let p = Path::new(".envrc");
        let before = "echo '# >>> awsw >>>'\n";
        assert_eq!(splice(before, BLOCK, p).unwrap(), format!("{before}{BLOCK}"));
    }

    #[test]
    fn served_block_calls_the_agent_and_quotes_the_name() {
        let text = render(&Block::Served { profile: "it's; $(rm -rf /)", awsw: Path::new("/opt/a b/awsw") });
        assert!(
            text.contains(
                "eval \"$(\"$(command -v awsw || echo '/opt/a b/awsw')\" agent env 'it'\\''s; $(rm -rf /)' --shell bash --direnv)\"\n"
            ),
            "{text}"
        );
        assert!(!text.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        assert!(text.starts_with(START) && text.ends_with(&format!("{END}\n")));
    }

    #[test]
    fn cached_block_has_no_secret_and_quotes_the_name() {
        let text = render(&Block::Cached {
            profile: "it's; $(rm -rf /)",
            awsw: Path::new("/usr/local/bin/awsw"),
            cache_file: Some(Path::new("/home/u/.cache/awsw/role-1.json")),
        });
        assert!(text.contains("export AWSW_PROFILE='it'\\''s; $(rm -rf /)'"), "{text}");
        assert!(text.contains("watch_file '/home/u/.cache/awsw/role-1.json'"));
        assert!(text.contains("--cached-only"));
        assert!(text.starts_with(START) && text.ends_with(&format!("{END}\n")));
    }
}
