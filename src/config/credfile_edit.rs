//! Rewrites the two values of one profile's access key pair in the credentials file and
//! nothing else: every other byte (comments, order, blank lines, CRLF, other profiles, the
//! byte-order mark) is kept. `rotate` is its only caller, and the only place awsw ever writes
//! long-term keys. The edit itself is pure; `write_keeping_metadata` does the one write,
//! atomically, keeping the file's mode and owner.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::parse::{FileKind, SectionKind, parse};
use crate::secret::Secret;

/// Why the edit was refused; the file is never touched in these cases.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum EditError {
    #[error("{file} has no [{profile}] section with aws_access_key_id and aws_secret_access_key")]
    NoKeys { file: String, profile: String },
    #[error("{file} line {line}: the {key} of [{profile}] is not the key awsw is rotating ({expected})")]
    OtherKey { file: String, line: usize, key: &'static str, profile: String, expected: String },
    #[error(
        "{file} line {line}: the {key} of [{profile}] continues on the next line; put it on one line first"
    )]
    Multiline { file: String, line: usize, key: &'static str, profile: String },
}

/// Where the effective (last) value of `key` in sections named `profile` sits in `text`.
struct Span {
    start: usize,
    end: usize,
    line: usize,
}

fn value_span(text: &str, profile: &str, key: &str) -> Option<Result<Span, usize>> {
    let parsed = parse(text, FileKind::Credentials, "credentials");
    let property = parsed
        .sections
        .iter()
        .filter(|s| s.kind == SectionKind::Profile && s.name == profile)
        .flat_map(|s| s.properties.iter())
        .rfind(|p| p.key == key)?;
    // A borrowed value is a slice of `text` itself, so its position is exact; an owned one
    // was folded from continuation lines and has no single place to rewrite.
    let std::borrow::Cow::Borrowed(value) = &property.value else { return Some(Err(property.line)) };
    let start = value.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + value.len();
    // A continuation line the parser rejected still belongs to the value for a reader.
    let rest = &text[end..];
    let next_line = rest.split_once('\n').map(|(_, next)| next).unwrap_or("");
    if next_line.starts_with([' ', '\t']) && !next_line.trim().is_empty() {
        return Some(Err(property.line));
    }
    Some(Ok(Span { start, end, line: property.line }))
}

/// `text` with the access key id and secret of `[profile]` replaced by the new pair. The
/// current id must be `old_key_id`, so a file changed meanwhile is never overwritten blindly.
pub(crate) fn replace_key_pair(
    text: &str,
    file: &str,
    profile: &str,
    old_key_id: &str,
    new_key_id: &str,
    new_secret: &Secret,
) -> Result<String, EditError> {
    let no_keys = || EditError::NoKeys { file: file.to_string(), profile: profile.to_string() };
    let locate = |key: &'static str| -> Result<Span, EditError> {
        match value_span(text, profile, key) {
            None => Err(no_keys()),
            Some(Err(line)) => {
                Err(EditError::Multiline { file: file.to_string(), line, key, profile: profile.to_string() })
            }
            Some(Ok(span)) => Ok(span),
        }
    };
    let id = locate("aws_access_key_id")?;
    let secret = locate("aws_secret_access_key")?;
    if &text[id.start..id.end] != old_key_id {
        return Err(EditError::OtherKey {
            file: file.to_string(),
            line: id.line,
            key: "aws_access_key_id",
            profile: profile.to_string(),
            expected: old_key_id.to_string(),
        });
    }
    let mut edits = [(id, new_key_id), (secret, new_secret.expose())];
    edits.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    for (span, value) in &edits {
        out.push_str(&text[at..span.start]);
        out.push_str(value);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The file to write: a symlinked credentials file is written through to its target, so the
/// link stays a link.
pub(crate) fn resolve_target(path: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(path)
}

/// Replaces `path` atomically with `bytes`: a temporary file beside it with the same mode
/// and owner, synced, then renamed over it. On any failure the file is as it was.
pub(crate) fn write_keeping_metadata(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".awsw-").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    let file = temp.as_file();
    file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    // Only root can give a file away; for everyone else the owner is already theirs.
    if let Err(err) = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()))
        && meta.uid() != unsafe { libc::geteuid() }
    {
        return Err(err);
    }
    file.sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "AKIAOLDOLDOLDOLD0001";

    fn edit(text: &str, profile: &str) -> Result<String, EditError> {
        replace_key_pair(text, "creds", profile, OLD, "AKIANEWNEWNEWNEW0002", &Secret::new("new/secret+x"))
    }

    #[test]
    fn only_the_two_values_change() {
        let text = "\u{feff}# my keys\r\n[default]\r\naws_access_key_id = AKIAOTHER\r\n\r\n[work]  ; team\r\n; note\r\naws_secret_access_key=old/secret  # inline\r\nregion = eu-west-1\r\naws_access_key_id   =   AKIAOLDOLDOLDOLD0001\r\n[tail]\r\nx = 1";
        let want = "\u{feff}# my keys\r\n[default]\r\naws_access_key_id = AKIAOTHER\r\n\r\n[work]  ; team\r\n; note\r\naws_secret_access_key=new/secret+x  # inline\r\nregion = eu-west-1\r\naws_access_key_id   =   AKIANEWNEWNEWNEW0002\r\n[tail]\r\nx = 1";
        assert_eq!(edit(text, "work").unwrap(), want);
    }

    #[test]
    fn the_last_value_of_a_repeated_section_is_the_one_rewritten() {
        let text = "[w]\naws_access_key_id = AKIAFIRST\naws_secret_access_key = s1\n[w]\naws_access_key_id = AKIAOLDOLDOLDOLD0001\n";
        let want = "[w]\naws_access_key_id = AKIAFIRST\naws_secret_access_key = new/secret+x\n[w]\naws_access_key_id = AKIANEWNEWNEWNEW0002\n";
        assert_eq!(edit(text, "w").unwrap(), want);
    }

    #[test]
    fn refusals_leave_nothing_half_done() {
        assert!(matches!(edit("[w]\nregion = x\n", "w"), Err(EditError::NoKeys { .. })));
        assert!(matches!(
            edit("[w]\naws_access_key_id = AKIAELSE\naws_secret_access_key = s\n", "w"),
            Err(EditError::OtherKey { line: 2, .. })
        ));
        let multiline =
            edit("[w]\naws_access_key_id = AKIAOLDOLDOLDOLD0001\naws_secret_access_key =\n  more\n", "w");
        assert!(matches!(multiline, Err(EditError::Multiline { line: 3, .. })), "{multiline:?}");
        assert!(matches!(
            edit("[x]\naws_access_key_id = AKIAOLDOLDOLDOLD0001\n", "w"),
            Err(EditError::NoKeys { .. })
        ));
    }

    #[test]
    fn the_write_keeps_mode_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_keeping_metadata(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn the_owner_is_kept_and_a_symlink_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real-credentials");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("credentials");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        // Only root can give a file to someone else; as anyone else the owner is ourselves.
        let owner =
            if unsafe { libc::geteuid() } == 0 { 4321 } else { std::fs::metadata(&real).unwrap().uid() };
        let _ = std::os::unix::fs::chown(&real, Some(owner), Some(owner));
        write_keeping_metadata(&resolve_target(&link).unwrap(), b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "new");
        assert_eq!(std::fs::metadata(&real).unwrap().uid(), owner);
    }
}
