//! Reading `~/.aws/config` and `~/.aws/credentials` into profiles. `parse` and `set` are the
//! file format, `resolve` follows `source_profile` chains, `profile` is the model, `root`
//! where a chain's credentials start, `finding` its problems and warnings, `arn` the one ARN
//! parser; `files` reads the disk (and `credfile_edit` is the one writer, for `awsw rotate`).

pub(crate) mod arn;
pub(crate) mod credfile_edit;
pub(crate) mod files;
pub(crate) mod finding;
pub mod parse;
pub(crate) mod profile;
pub(crate) mod resolve;
pub mod root;
pub mod set;

use serde::Serialize;

pub use arn::Arn;
pub use files::{ConfigPaths, load};
pub use finding::{Finding, FindingCode};
pub use profile::{Kind, Profile, SsoSession};
pub use root::RootKind;
pub use set::ProfileSet;

/// A note about one line of one file: an unparseable line, an ignored section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub(crate) file: String,
    pub(crate) line: usize,
    /// What is wrong with the line, or what was ignored and why.
    pub message: String,
    /// `error` for lines the SDKs reject, `warning` for sections or keys they skip.
    pub severity: Severity,
}

/// How much a diagnostic matters: `doctor` fails on an error and warns on a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A line the SDKs would reject; the parse carries on past it.
    Error,
    /// A section or property the SDKs skip, and so does awsw.
    Warning,
}

impl Diagnostic {
    pub(crate) fn error(file: &str, line: usize, message: String) -> Self {
        Diagnostic { file: file.to_string(), line, message, severity: Severity::Error }
    }

    pub(crate) fn warning(file: &str, line: usize, message: String) -> Self {
        Diagnostic { file: file.to_string(), line, message, severity: Severity::Warning }
    }
}

/// Everything awsw knows from the files: resolved profiles, SSO sessions, diagnostics.
#[derive(Debug, Default, Serialize)]
pub struct Inventory {
    /// Every merged profile of both files, broken ones too, in order of first appearance
    /// (config file first), then any SSO-discovered ones `with_profiles` added.
    pub profiles: Vec<Profile>,
    /// Every `[sso-session NAME]` section, merged, in order of first appearance.
    pub sso_sessions: Vec<SsoSession>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Name to position in `profiles`, built on the first lookup: the engine looks profiles
    /// up by name along every chain, and a scan of 10,000 names per lookup adds up.
    #[serde(skip)]
    index: std::sync::OnceLock<rustc_hash::FxHashMap<String, usize>>,
}

impl Inventory {
    /// Resolves a parsed, merged set of files.
    pub(crate) fn from_set(set: &ProfileSet) -> Inventory {
        Inventory {
            profiles: profile::resolve_all(set),
            sso_sessions: profile::sso_sessions(set),
            diagnostics: set.diagnostics.clone(),
            index: std::sync::OnceLock::new(),
        }
    }

    /// Parses config and credentials texts (for tests and benches).
    pub fn from_texts(config: Option<&str>, credentials: Option<&str>) -> Inventory {
        let set = ProfileSet::from_sources(&[
            set::Source { name: "config", text: config, kind: parse::FileKind::Config },
            set::Source { name: "credentials", text: credentials, kind: parse::FileKind::Credentials },
        ]);
        Inventory::from_set(&set)
    }

    /// The same files' sessions and diagnostics with `profiles` (the config's own followed
    /// by the picker's SSO-discovered rows), so the engine finds those by name like any other.
    pub(crate) fn with_profiles(&self, profiles: Vec<Profile>) -> Inventory {
        Inventory {
            profiles,
            sso_sessions: self.sso_sessions.clone(),
            diagnostics: self.diagnostics.clone(),
            index: std::sync::OnceLock::new(),
        }
    }

    /// The profile called `name`, if there is one.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.position(name).map(|idx| &self.profiles[idx])
    }

    /// Where the profile called `name` is in `profiles`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index
            .get_or_init(|| {
                // Names are unique after merging; `or_insert` keeps the first all the same.
                let mut index = rustc_hash::FxHashMap::default();
                index.reserve(self.profiles.len());
                for (idx, profile) in self.profiles.iter().enumerate() {
                    index.entry(profile.name.clone()).or_insert(idx);
                }
                index
            })
            .get(name)
            .copied()
    }

    /// Profile names closest to `name`, for "did you mean" hints.
    pub fn suggest(&self, name: &str) -> Vec<&str> {
        let mut scored: Vec<(usize, &str)> = self
            .profiles
            .iter()
            .map(|p| (edit_distance(name, &p.name), p.name.as_str()))
            .filter(|(d, n)| *d <= (name.chars().count().max(3) / 2).max(2) || n.contains(name))
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
