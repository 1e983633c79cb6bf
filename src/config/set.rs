//! Merges the parsed config and credentials files the way the SDKs do: duplicate sections
//! merge, the last value of a key wins, credentials-file values beat config-file values, and
//! `[profile default]` in the config file hides any unprefixed `[default]` there. Pure.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::Diagnostic;
use super::parse::{FileKind, ParsedFile, Property, SectionKind, parse};

/// A profile's merged properties, in first-seen key order.
#[derive(Debug, Clone, Default)]
pub struct RawProfile<'a> {
    /// The section's name, without `profile ` / `sso-session ` / `services `.
    pub name: &'a str,
    /// Every key once, with its last value; credentials-file values beat config-file ones.
    pub properties: Vec<Property<'a>>,
    /// Where the profile was first declared, for messages.
    pub file: usize,
    pub(crate) line: usize,
}

impl<'a> RawProfile<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.key == key).map(|p| p.value.as_ref())
    }

    /// Adds `properties` in order: a key already there keeps its position and takes the
    /// new value. Linear in both lists (a hash index past a few keys), so a section of
    /// 160,000 keys or thousands of repeats of one section cost no quadratic time.
    fn merge(&mut self, properties: Vec<Property<'a>>, index: &mut Option<KeyIndex<'a>>) {
        if index.is_none() && self.properties.len() + properties.len() <= SMALL {
            for property in properties {
                match self.properties.iter_mut().find(|p| p.key == property.key) {
                    Some(existing) => *existing = property,
                    None => self.properties.push(property),
                }
            }
            return;
        }
        let index = index.get_or_insert_with(|| {
            self.properties.iter().enumerate().map(|(i, p)| (p.key.clone(), i)).collect()
        });
        for property in properties {
            match index.get(property.key.as_ref()) {
                Some(&i) => self.properties[i] = property,
                None => {
                    index.insert(property.key.clone(), self.properties.len());
                    self.properties.push(property);
                }
            }
        }
    }
}

/// Up to this many keys a linear search beats hashing.
const SMALL: usize = 16;

/// Key to position in a `RawProfile`'s properties, kept for profiles merged past `SMALL`.
type KeyIndex<'a> = FxHashMap<Cow<'a, str>, usize>;

/// A section's properties with repeated keys collapsed onto the first position, keeping the
/// last value, as `RawProfile::merge` does.
fn last_value_wins(properties: Vec<Property<'_>>) -> Vec<Property<'_>> {
    let repeated = if properties.len() <= SMALL {
        properties.iter().enumerate().any(|(i, p)| properties[..i].iter().any(|q| q.key == p.key))
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        !properties.iter().all(|p| seen.insert(p.key.as_ref()))
    };
    if !repeated {
        return properties;
    }
    let mut merged = RawProfile::default();
    merged.merge(properties, &mut None);
    merged.properties
}

/// Everything the two files declare, merged. Borrows the files' text.
#[derive(Debug, Default)]
pub struct ProfileSet<'a> {
    /// In order of first appearance: config file first, then credentials-only profiles.
    pub profiles: Vec<RawProfile<'a>>,
    /// The `[sso-session NAME]` sections, in order of first appearance.
    pub sso_sessions: Vec<RawProfile<'a>>,
    /// The `[services NAME]` sections (per-service endpoints), in order of first appearance.
    pub services: Vec<RawProfile<'a>>,
    /// File by file: its parse diagnostics, then the merge's warnings (an ignored `[default]`).
    pub diagnostics: Vec<Diagnostic>,
    /// The file names, indexed by `RawProfile::file`.
    pub(crate) files: Vec<String>,
    index: FxHashMap<&'a str, usize>,
    sso_index: FxHashMap<&'a str, usize>,
    services_index: FxHashMap<&'a str, usize>,
    /// Key indexes of sections merged from repeats: (0 profile, 1 sso-session, 2 services;
    /// position in that list).
    key_indexes: FxHashMap<(u8, usize), Option<KeyIndex<'a>>>,
}

/// One input file: its display name and its text (`None` when it does not exist).
pub struct Source<'a> {
    /// How diagnostics name the file: its path, or a label in tests.
    pub name: &'a str,
    /// The file's contents; `None` when it does not exist.
    pub text: Option<&'a str>,
    /// Which of the two files it is.
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
            let (kind, list, index) = match section.kind {
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
                    let key_index = self.key_indexes.entry((0, idx)).or_default();
                    self.profiles[idx].merge(section.properties, key_index);
                    continue;
                }
                SectionKind::SsoSession => (1, &mut self.sso_sessions, &mut self.sso_index),
                SectionKind::Services => (2, &mut self.services, &mut self.services_index),
            };
            let pos = *index.entry(section.name).or_insert_with(|| {
                list.push(RawProfile {
                    name: section.name,
                    properties: Vec::new(),
                    file: file_idx,
                    line: section.line,
                });
                list.len() - 1
            });
            list[pos].merge(section.properties, self.key_indexes.entry((kind, pos)).or_default());
        }
    }

    pub(crate) fn profile(&self, name: &str) -> Option<&RawProfile<'a>> {
        self.index.get(name).map(|&idx| &self.profiles[idx])
    }

    pub(crate) fn profile_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub(crate) fn sso_session(&self, name: &str) -> Option<&RawProfile<'a>> {
        self.sso_index.get(name).map(|&idx| &self.sso_sessions[idx])
    }

    pub(crate) fn services_section(&self, name: &str) -> Option<&RawProfile<'a>> {
        self.services_index.get(name).map(|&idx| &self.services[idx])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merged keys and values of profile `p`, as the SDKs define them: first position,
    /// last value.
    fn merged(text: &str) -> Vec<(String, String)> {
        let set =
            ProfileSet::from_sources(&[Source { name: "config", text: Some(text), kind: FileKind::Config }]);
        set.profile("p")
            .unwrap()
            .properties
            .iter()
            .map(|p| (p.key.to_string(), p.value.to_string()))
            .collect()
    }

    #[test]
    fn repeated_keys_and_sections_merge_the_same_below_and_above_the_hash_threshold() {
        for keys in [3, SMALL, SMALL + 1, 200] {
            let mut text = String::from("[profile p]\n");
            for round in 0..3 {
                for k in 0..keys {
                    text.push_str(&format!("k{k} = {round}-{k}\n"));
                }
                // A repeated section adds one new key each round.
                text.push_str(&format!("[profile q]\nx = 1\n[profile p]\nextra{round} = {round}\n"));
            }
            let mut want: Vec<(String, String)> =
                (0..keys).map(|k| (format!("k{k}"), format!("2-{k}"))).collect();
            want.extend((0..3).map(|r| (format!("extra{r}"), r.to_string())));
            assert_eq!(merged(&text), want, "{keys} keys");
        }
    }
}
