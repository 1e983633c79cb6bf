//! The INI dialect of the AWS shared config and credentials files, as the cross-SDK parser
//! suite defines it. Pure: text in, sections and diagnostics out, never an error that stops
//! the read. A malformed line becomes a diagnostic with its line number and parsing goes on.

use super::Diagnostic;

/// Which of the two files a text came from; they name their sections differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Config,
    Credentials,
}

/// What a section header declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionKind {
    /// `[profile NAME]` in config, `[NAME]` in credentials.
    Profile,
    /// `[default]` without the `profile` prefix in the config file: loses to `[profile default]`.
    UnprefixedDefault,
    SsoSession,
    Services,
}

/// One `key = value` line (with its continuation lines folded in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Lower-cased: keys are case-insensitive.
    pub key: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    pub name: String,
    pub line: usize,
    pub properties: Vec<Property>,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub sections: Vec<Section>,
    pub diagnostics: Vec<Diagnostic>,
}

const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// Profile, sso-session and property names: letters and digits (any script, so
/// `本番-admin` works) plus the punctuation the SDKs allow.
pub fn is_valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '%' | '@' | '_' | ':' | '+'))
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
    let line = line.trim_matches(WHITESPACE);
    let mut prev_whitespace = false;
    for (idx, chr) in line.char_indices() {
        if COMMENT.contains(&chr) && (prev_whitespace || !comment_needs_whitespace) {
            return line[..idx].trim_matches(WHITESPACE);
        }
        prev_whitespace = chr == ' ' || chr == '\t';
    }
    line
}

pub fn parse(text: &str, kind: FileKind, file: &str) -> ParsedFile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = ParsedFile::default();
    let mut target = Target::Nothing;
    // Index into the current section's properties of the property a continuation extends,
    // and whether that property began empty (then continuations are sub-properties).
    let mut open_property: Option<(usize, bool)> = None;
    let diag = |out: &mut ParsedFile, line: usize, message: String| {
        out.diagnostics.push(Diagnostic::error(file, line, message));
    };

    for (idx, raw) in text.split('\n').enumerate() {
        let line_no = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
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
                    let content = line.trim_matches(WHITESPACE);
                    if sub_properties {
                        match content.split_once('=') {
                            None => {
                                diag(
                                    &mut out,
                                    line_no,
                                    "Expected an '=' sign defining a sub-property".into(),
                                );
                                continue;
                            }
                            Some((name, _)) if name.trim_matches(WHITESPACE).is_empty() => {
                                diag(&mut out, line_no, "Sub-property did not have a name".into());
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    let section = out.sections.last_mut().expect("Target::Section implies a section");
                    let value = &mut section.properties[prop_idx].value;
                    value.push('\n');
                    value.push_str(content);
                }
            }
            continue;
        }
        open_property = None;
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
                diag(&mut out, line_no, "Profile definition must end with ']'".into());
                target = Target::Ignored;
                continue;
            };
            match classify_header(inner.trim_matches(WHITESPACE), kind) {
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
        let Some((key, value)) = content.split_once('=') else {
            diag(&mut out, line_no, "Expected an '=' sign defining a property".into());
            continue;
        };
        let key = key.trim_matches(WHITESPACE);
        if key.is_empty() {
            diag(&mut out, line_no, "Property did not have a name".into());
            continue;
        }
        if !is_valid_identifier(key) {
            out.diagnostics.push(Diagnostic::warning(
                file,
                line_no,
                format!("ignored property {key:?}: names may hold only letters, digits and - / . % @ _ : +"),
            ));
            continue;
        }
        let value = value.trim_matches(WHITESPACE);
        let section = out.sections.last_mut().expect("Target::Section implies a section");
        section.properties.push(Property {
            key: key.to_lowercase(),
            value: value.to_string(),
            line: line_no,
        });
        open_property = Some((section.properties.len() - 1, value.is_empty()));
    }
    out
}

/// Decides what a header's inside declares. `Err(Some(msg))` is a section we skip with a
/// warning; `Err(None)` one we skip silently (it is valid, just not ours).
fn classify_header(inner: &str, kind: FileKind) -> Result<(SectionKind, String), Option<String>> {
    let named = |section_kind: SectionKind, name: &str, what: &str| {
        let name = name.trim_matches(WHITESPACE);
        if is_valid_identifier(name) {
            Ok((section_kind, name.to_string()))
        } else {
            Err(Some(format!(
                "ignored {what} {name:?}: names may hold only letters, digits and - / . % @ _ : +"
            )))
        }
    };
    match kind {
        FileKind::Credentials => named(SectionKind::Profile, inner, "profile"),
        FileKind::Config => {
            if inner == "default" {
                return Ok((SectionKind::UnprefixedDefault, "default".into()));
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
        parsed.sections[0].properties.iter().map(|p| (p.key.clone(), p.value.clone())).collect()
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
