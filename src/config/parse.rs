//! The INI dialect of the AWS shared config and credentials files, as the cross-SDK parser
//! suite defines it. Pure: text in, sections and diagnostics out, never an error that stops
//! the read. A malformed line becomes a diagnostic with its line number and parsing goes on.

use std::borrow::Cow;

use super::Diagnostic;

/// Which of the two files a text came from; they name their sections differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[profile NAME]` (or `[default]`), `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: every section is a profile, `[NAME]`.
    Credentials,
}

/// What a section header declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SectionKind {
    /// `[profile NAME]` in config, `[NAME]` in credentials.
    Profile,
    /// `[default]` without the `profile` prefix in the config file: loses to `[profile default]`.
    UnprefixedDefault,
    SsoSession,
    Services,
}

/// One `key = value` line (with its continuation lines folded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property<'a> {
    /// Lower-cased: keys are case-insensitive. Borrowed from the text unless lower-casing
    /// or a continuation line had to build a new string: a large file parses without
    /// allocating per line.
    pub key: Cow<'a, str>,
    /// Trimmed, with each continuation line appended after a newline (so `s3 =` followed by
    /// indented `key = value` lines holds those sub-properties).
    pub value: Cow<'a, str>,
    pub(crate) line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section<'a> {
    pub(crate) kind: SectionKind,
    pub(crate) name: &'a str,
    pub(crate) line: usize,
    pub(crate) properties: Vec<Property<'a>>,
}

#[derive(Debug, Default)]
pub(crate) struct ParsedFile<'a> {
    pub(crate) sections: Vec<Section<'a>>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// Profile, sso-session and property names: letters and digits (any script, so
/// `本番-admin` works) plus the punctuation the SDKs allow.
pub(crate) fn is_valid_identifier(name: &str) -> bool {
    /// ASCII bytes allowed in a name; runs once per line of a large file, so a table.
    const ALLOWED: [bool; 128] = {
        let mut table = [false; 128];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            table[b] = c.is_ascii_alphanumeric()
                || matches!(c, b'-' | b'/' | b'.' | b'%' | b'@' | b'_' | b':' | b'+');
            b += 1;
        }
        table
    };
    if name.is_empty() {
        return false;
    }
    if name.is_ascii() {
        return name.bytes().fold(true, |ok, b| ok & ALLOWED[usize::from(b)]);
    }
    name.chars().all(|c| c.is_alphanumeric() || (c.is_ascii() && ALLOWED[c as usize]))
}

/// The text's lines split on `\n` (a final empty piece included, as `str::split` gives),
/// found with SIMD `memchr`: this is the inner loop of reading a 100,000-profile file.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b'\n', current.as_bytes()) {
            Some(idx) => {
                rest = Some(&current[idx + 1..]);
                Some(&current[..idx])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `split_once('=')` with `memchr`.
fn split_eq(text: &str) -> Option<(&str, &str)> {
    let idx = memchr::memchr(b'=', text.as_bytes())?;
    Some((&text[..idx], &text[idx + 1..]))
}

/// Trims spaces and tabs (only those: the SDKs keep other whitespace).
fn trim_ws(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(start, |i| i + 1);
    // Both ends sit next to ASCII bytes, so they are char boundaries.
    &text[start..end.max(start)]
}

/// Where properties of the current line go.
enum Target {
    /// Before any section header.
    Nothing,
    /// A section we skip (bad name, unknown kind): its properties are dropped silently.
    Ignored,
    Section,
}

/// Trims, then cuts a trailing comment. In property lines a comment needs whitespace
/// before it (`a=b#c` keeps `#c`); in section headers it does not.
fn strip_comment(line: &str, comment_needs_whitespace: bool) -> &str {
    let line = trim_ws(line);
    let bytes = line.as_bytes();
    // `#`, `;`, space and tab are ASCII, so scanning bytes is exact even in UTF-8 text.
    let mut from = 0;
    while let Some(offset) = memchr::memchr2(b'#', b';', &bytes[from..]) {
        let idx = from + offset;
        if !comment_needs_whitespace || (idx > 0 && matches!(bytes[idx - 1], b' ' | b'\t')) {
            return trim_ws(&line[..idx]);
        }
        from = idx + 1;
    }
    line
}

/// Parses one file. The one function over 80 lines in `src/`, on purpose: it is the
/// parser's inner loop over every line of a possibly 100,000-profile file, whose state (the
/// open section, the open property and its continuation lines) stays in plain locals rather
/// than a struct handed between helpers; its speed is what BENCHMARKS.md's parse figures measure.
pub(crate) fn parse<'a>(text: &'a str, kind: FileKind, file: &str) -> ParsedFile<'a> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = ParsedFile::default();
    // At most one section per line that starts with `[`: reserving avoids copying the list
    // as it grows.
    let headers =
        memchr::memmem::find_iter(text.as_bytes(), b"\n[").count() + usize::from(text.starts_with('['));
    out.sections.reserve(headers);
    // The open section's properties gather here and move into the section, sized exactly,
    // when it ends: a large file then holds no half-empty per-section vectors.
    let mut open_section: Vec<Property<'a>> = Vec::new();
    let mut target = Target::Nothing;
    // Index into the current section's properties of the property a continuation extends,
    // and whether that property began empty (then continuations are sub-properties).
    let mut open_property: Option<(usize, bool)> = None;
    let diag = |out: &mut ParsedFile, line: usize, message: String| {
        out.diagnostics.push(Diagnostic::error(file, line, message));
    };

    for (idx, raw) in lines(text).enumerate() {
        let line_no = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if trim_ws(line).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with(WHITESPACE) {
            // A continuation of the previous property.
            match target {
                Target::Nothing => {
                    diag(
                        &mut out,
                        line_no,
                        "Expected a profile definition, found a continuation line".into(),
                    );
                }
                Target::Ignored => {}
                Target::Section => {
                    let Some((prop_idx, sub_properties)) = open_property else {
                        diag(&mut out, line_no, "Expected a property definition, found continuation".into());
                        continue;
                    };
                    let content = trim_ws(line);
                    if sub_properties {
                        match split_eq(content) {
                            None => {
                                diag(
                                    &mut out,
                                    line_no,
                                    "Expected an '=' sign defining a sub-property".into(),
                                );
                                continue;
                            }
                            Some((name, _)) if trim_ws(name).is_empty() => {
                                diag(&mut out, line_no, "Sub-property did not have a name".into());
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    let value = open_section[prop_idx].value.to_mut();
                    value.push('\n');
                    value.push_str(content);
                }
            }
            continue;
        }
        open_property = None;
        if line.starts_with('[') {
            close_section(&mut out, &mut open_section);
            let header = strip_comment(line, false);
            let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
                diag(&mut out, line_no, "Profile definition must end with ']'".into());
                target = Target::Ignored;
                continue;
            };
            match classify_header(trim_ws(inner), kind) {
                Ok((section_kind, name)) => {
                    out.sections.push(Section {
                        kind: section_kind,
                        name,
                        line: line_no,
                        properties: Vec::new(),
                    });
                    target = Target::Section;
                }
                Err(Some(message)) => {
                    out.diagnostics.push(Diagnostic::warning(file, line_no, message));
                    target = Target::Ignored;
                }
                Err(None) => target = Target::Ignored,
            }
            continue;
        }
        // A property line.
        match target {
            Target::Nothing => {
                diag(&mut out, line_no, "Expected a profile definition before this property".into());
                target = Target::Ignored;
                continue;
            }
            Target::Ignored => continue,
            Target::Section => {}
        }
        let content = strip_comment(line, true);
        let Some((key, value)) = split_eq(content) else {
            diag(&mut out, line_no, "Expected an '=' sign defining a property".into());
            continue;
        };
        let key = trim_ws(key);
        if key.is_empty() {
            diag(&mut out, line_no, "Property did not have a name".into());
            continue;
        }
        if !is_valid_identifier(key) {
            // The text left of `=` is not echoed: in `aws_session_token: IQoJ…=` it is a secret.
            out.diagnostics.push(Diagnostic::warning(
                file,
                line_no,
                "ignored a property: its name holds a character other than letters, digits and - / . % @ _ : + (a space or ':' where '=' was meant?)".into(),
            ));
            continue;
        }
        let value = trim_ws(value);
        // Keys are case-insensitive; nearly all are already lower-case ASCII.
        let key = if key.bytes().all(|b| !b.is_ascii_uppercase()) && key.is_ascii() {
            Cow::Borrowed(key)
        } else {
            Cow::Owned(key.to_lowercase())
        };
        open_section.push(Property { key, value: Cow::Borrowed(value), line: line_no });
        open_property = Some((open_section.len() - 1, value.is_empty()));
    }
    close_section(&mut out, &mut open_section);
    out
}

/// Moves the gathered properties into the last section, the one they were read for
/// (properties are gathered only while `Target::Section` points at it).
fn close_section<'a>(out: &mut ParsedFile<'a>, open_section: &mut Vec<Property<'a>>) {
    if open_section.is_empty() {
        return;
    }
    if let Some(section) = out.sections.last_mut() {
        section.properties = Vec::with_capacity(open_section.len());
        section.properties.append(open_section);
    }
    open_section.clear();
}

/// Decides what a header's inside declares. `Err(Some(msg))` is a section we skip with a
/// warning; `Err(None)` one we skip silently (it is valid, just not ours).
fn classify_header(inner: &str, kind: FileKind) -> Result<(SectionKind, &str), Option<String>> {
    fn named<'a>(
        section_kind: SectionKind,
        name: &'a str,
        what: &str,
    ) -> Result<(SectionKind, &'a str), Option<String>> {
        let name = trim_ws(name);
        if is_valid_identifier(name) {
            Ok((section_kind, name))
        } else {
            Err(Some(format!(
                "ignored {what} {name:?}: names may hold only letters, digits and - / . % @ _ : +"
            )))
        }
    }
    match kind {
        // A bad header in the credentials file is not echoed: it may be a pasted key.
        FileKind::Credentials => named(SectionKind::Profile, inner, "profile").map_err(|_| {
            Some("ignored a section: profile names may hold only letters, digits and - / . % @ _ : +".into())
        }),
        FileKind::Config => {
            if inner == "default" {
                return Ok((SectionKind::UnprefixedDefault, inner));
            }
            if let Some(rest) = strip_word(inner, "profile") {
                return named(SectionKind::Profile, rest, "profile");
            }
            if let Some(rest) = strip_word(inner, "sso-session") {
                return named(SectionKind::SsoSession, rest, "sso-session");
            }
            if let Some(rest) = strip_word(inner, "services") {
                return named(SectionKind::Services, rest, "services section");
            }
            Err(Some(format!(
                "ignored section [{inner}]: in the config file profiles are written [profile {inner}]"
            )))
        }
    }
}

/// `word` followed by at least one space or tab, returning what follows.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(word)?;
    rest.starts_with(WHITESPACE).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(text: &str) -> Vec<(String, String)> {
        let parsed = parse(text, FileKind::Config, "config");
        parsed.sections[0].properties.iter().map(|p| (p.key.to_string(), p.value.to_string())).collect()
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        assert_eq!(
            props("\u{feff}[profile a]\r\nregion = eu-west-1\r\n"),
            vec![("region".into(), "eu-west-1".into())]
        );
    }

    #[test]
    fn non_ascii_names_are_profiles() {
        let parsed = parse("[profile 本番-admin]\nregion = x", FileKind::Config, "config");
        assert_eq!(parsed.sections[0].name, "本番-admin");
        assert!(parsed.diagnostics.is_empty());
    }

    #[test]
    fn diagnostics_carry_line_numbers_and_parsing_goes_on() {
        let parsed = parse("[profile a]\nbroken line\nregion = x\n[profile b", FileKind::Config, "cfg");
        assert_eq!(parsed.diagnostics.len(), 2);
        assert_eq!(parsed.diagnostics[0].line, 2);
        assert_eq!(parsed.diagnostics[1].line, 4);
        assert_eq!(parsed.sections[0].properties.len(), 1);
    }

    #[test]
    fn unprefixed_config_section_is_warned_about() {
        let parsed = parse("[prod]\nregion = x", FileKind::Config, "cfg");
        assert!(parsed.sections.is_empty());
        assert!(parsed.diagnostics[0].message.contains("[profile prod]"));
    }
}
