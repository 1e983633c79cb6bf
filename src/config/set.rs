//! Merges the parsed config and credentials files the way the SDKs do: duplicate sections
//! merge, the last value of a key wins, credentials-file values beat config-file values, and
//! `[profile default]` in the config file hides any unprefixed `[default]` there. Pure.

use rustc_hash::FxHashMap;

use super::Diagnostic;
use super::parse::{FileKind, ParsedFile, Property, SectionKind, parse};

/// A profile's merged properties, in first-seen key order.
#[derive(Debug, Clone, Default)]
pub struct RawProfile<'a> {
    pub name: &'a str,
    pub properties: Vec<Property<'a>>,
    /// Where the profile was first declared, for messages.
    pub file: usize,
    pub line: usize,
}

impl<'a> RawProfile<'a> {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.key == key).map(|p| p.value.as_ref())
    }

    fn set(&mut self, property: Property<'a>) {
        match self.properties.iter_mut().find(|p| p.key == property.key) {
            Some(existing) => *existing = property,
            None => self.properties.push(property),
        }
    }
}

/// A section's properties with repeated keys collapsed onto the first position, keeping the
/// last value, as `RawProfile::set` does one at a time.
fn last_value_wins(properties: Vec<Property<'_>>) -> Vec<Property<'_>> {
    let repeated = properties.iter().enumerate().any(|(i, p)| properties[..i].iter().any(|q| q.key == p.key));
    if !repeated {
        return properties;
    }
    let mut merged = RawProfile::default();
    for property in properties {
        merged.set(property);
    }
    merged.properties
}

/// Everything the two files declare, merged. Borrows the files' text.
#[derive(Debug, Default)]
pub struct ProfileSet<'a> {
    /// In order of first appearance: config file first, then credentials-only profiles.
    pub profiles: Vec<RawProfile<'a>>,
    pub sso_sessions: Vec<RawProfile<'a>>,
    pub services: Vec<RawProfile<'a>>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file names, indexed by `RawProfile::file`.
    pub files: Vec<String>,
    index: FxHashMap<&'a str, usize>,
}

/// One input file: its display name and its text (`None` when it does not exist).
pub struct Source<'a> {
    pub name: &'a str,
    pub text: Option<&'a str>,
    pub kind: FileKind,
}

impl<'a> ProfileSet<'a> {
    /// Parses and merges the files, config before credentials.
    pub fn from_sources(sources: &[Source<'a>]) -> ProfileSet<'a> {
        let mut set = ProfileSet::default();
        for (file_idx, source) in sources.iter().enumerate() {
            set.files.push(source.name.to_string());
            let Some(text) = source.text else { continue };
            let parsed = parse(text, source.kind, source.name);
            set.absorb(parsed, file_idx);
        }
        set
    }

    fn absorb(&mut self, parsed: ParsedFile<'a>, file_idx: usize) {
        self.diagnostics.extend(parsed.diagnostics);
        let has_prefixed_default =
            parsed.sections.iter().any(|s| s.kind == SectionKind::Profile && s.name == "default");
        for section in parsed.sections {
            let list = match section.kind {
                SectionKind::UnprefixedDefault if has_prefixed_default => {
                    self.diagnostics.push(Diagnostic::warning(
                        &self.files[file_idx],
                        section.line,
                        "ignored [default]: [profile default] in the same file takes precedence".into(),
                    ));
                    continue;
                }
                SectionKind::Profile | SectionKind::UnprefixedDefault => {
                    let idx = match self.index.get(section.name) {
                        Some(&idx) => idx,
                        None => {
                            // The common case, a section seen once: its properties move in
                            // whole instead of being copied one by one.
                            self.index.insert(section.name, self.profiles.len());
                            self.profiles.push(RawProfile {
                                name: section.name,
                                properties: last_value_wins(section.properties),
                                file: file_idx,
                                line: section.line,
                            });
                            continue;
                        }
                    };
                    for property in section.properties {
                        self.profiles[idx].set(property);
                    }
                    continue;
                }
                SectionKind::SsoSession => &mut self.sso_sessions,
                SectionKind::Services => &mut self.services,
            };
            // sso-session and services sections are few: a linear search keeps them simple.
            let pos = match list.iter().position(|s| s.name == section.name) {
                Some(pos) => pos,
                None => {
                    list.push(RawProfile {
                        name: section.name,
                        properties: Vec::new(),
                        file: file_idx,
                        line: section.line,
                    });
                    list.len() - 1
                }
            };
            for property in section.properties {
                list[pos].set(property);
            }
        }
    }

    pub fn profile(&self, name: &str) -> Option<&RawProfile<'a>> {
        self.index.get(name).map(|&idx| &self.profiles[idx])
    }

    pub fn profile_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn sso_session(&self, name: &str) -> Option<&RawProfile<'a>> {
        self.sso_sessions.iter().find(|s| s.name == name)
    }
}
