//! awsw's own settings: `$XDG_CONFIG_HOME/awsw/config` (INI, read with rust-ini), each key
//! overridden by its `AWSW_*` environment variable. One `Settings` value holds the result;
//! other code reads it through `current()` and never reads these variables itself (except
//! the clipboard's owner process, to which `copy` hands `AWSW_CLIPBOARD_TIMEOUT`).
//!
//! A bad value in the file is one warning naming the file, the key and what is allowed, and
//! the rest of the file still applies. A bad value in the environment is a usage error
//! (exit 2): the user typed it for this run and should know it did nothing.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The default mode of `awsw envrc` (and `e` in the picker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvrcMode {
    Cached,
    Inline,
    ProfileOnly,
    /// Served by awsw's per-user agent (`awsw envrc --served`).
    Served,
}

impl EnvrcMode {
    /// What the block holds, as the confirmations and messages say it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            EnvrcMode::Cached => "cached session, no secrets in the file",
            EnvrcMode::Inline => "inline temporary credentials, mode 0600",
            EnvrcMode::ProfileOnly => "AWS_PROFILE only",
            EnvrcMode::Served => "served by awsw's agent, no secrets in the file",
        }
    }
}

/// How `awsw shell` hands credentials to the shell (the credential endpoint of issue 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShellMode {
    Server,
    Static,
}

/// Every setting, with the defaults applied. Durations are in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// A cached session is reused while more than this remains.
    pub(crate) min_remaining: u32,
    /// Lifetime of an MFA base session (`GetSessionToken`).
    pub(crate) session_duration: u32,
    pub(crate) envrc_mode: EnvrcMode,
    /// Names of SSO-discovered profiles: `{account_name}`, `{account_id}`, `{role}`.
    pub(crate) discovery_name_template: String,
    /// Long-term keys older than this get the `old-key` warning.
    pub(crate) max_key_age_days: u32,
    pub(crate) shell_mode: ShellMode,
    /// Limit for `credential_process` and `mfa_process` children.
    pub(crate) process_timeout: u32,
    /// How long the clipboard helper holds copied credentials.
    pub(crate) clipboard_timeout: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_remaining: 300,
            session_duration: 8 * 3600,
            envrc_mode: EnvrcMode::Cached,
            discovery_name_template: "{account_name}/{role}".into(),
            max_key_age_days: 90,
            shell_mode: ShellMode::Server,
            process_timeout: crate::creds::process::DEFAULT_TIMEOUT.as_secs() as u32,
            clipboard_timeout: crate::sink::clipboard::DEFAULT_LIFETIME.as_secs() as u32,
        }
    }
}

/// One setting: its key in the file, its variable, what it accepts and how it is stored.
pub(crate) struct Knob {
    pub(crate) key: &'static str,
    pub(crate) env: &'static str,
    /// What is allowed, as messages and the README say it.
    pub(crate) allowed: &'static str,
    apply: fn(&mut Settings, &str) -> bool,
}

fn whole(value: &str, min: u32, max: u32) -> Option<u32> {
    value.trim().parse::<u32>().ok().filter(|n| (min..=max).contains(n))
}

fn store(slot: &mut u32, value: Option<u32>) -> bool {
    value.map(|v| *slot = v).is_some()
}

/// Every knob, in the order the README lists them.
pub(crate) const KNOBS: &[Knob] = &[
    Knob {
        key: "min_remaining",
        env: "AWSW_MIN_REMAINING",
        allowed: "a whole number of seconds from 0 to 3600, at most half the session duration",
        apply: |s, v| store(&mut s.min_remaining, whole(v, 0, 3600)),
    },
    Knob {
        key: "session_duration",
        env: "AWSW_SESSION_DURATION",
        allowed: "a whole number of seconds from 900 to 129600 (what AWS allows for GetSessionToken)",
        apply: |s, v| store(&mut s.session_duration, whole(v, 900, 129_600)),
    },
    Knob {
        key: "envrc_mode",
        env: "AWSW_ENVRC_MODE",
        allowed: "cached, inline, profile-only or served",
        apply: |s, v| {
            let mode = match v.trim() {
                "cached" => EnvrcMode::Cached,
                "inline" => EnvrcMode::Inline,
                "profile-only" => EnvrcMode::ProfileOnly,
                "served" => EnvrcMode::Served,
                _ => return false,
            };
            s.envrc_mode = mode;
            true
        },
    },
    Knob {
        key: "discovery_name_template",
        env: "AWSW_DISCOVERY_NAME_TEMPLATE",
        allowed: "text with {role} and {account_name} or {account_id}, no other {…}",
        apply: |s, v| valid_template(v.trim()).then(|| s.discovery_name_template = v.trim().into()).is_some(),
    },
    Knob {
        key: "max_key_age_days",
        env: "AWSW_MAX_KEY_AGE_DAYS",
        allowed: "a whole number of days from 1 to 3650",
        apply: |s, v| store(&mut s.max_key_age_days, whole(v, 1, 3650)),
    },
    Knob {
        key: "shell_mode",
        env: "AWSW_SHELL_MODE",
        allowed: "server or static",
        apply: |s, v| {
            let mode = match v.trim() {
                "server" => ShellMode::Server,
                "static" => ShellMode::Static,
                _ => return false,
            };
            s.shell_mode = mode;
            true
        },
    },
    Knob {
        key: "process_timeout",
        env: "AWSW_PROCESS_TIMEOUT",
        allowed: "a whole number of seconds from 1 to 3600",
        apply: |s, v| store(&mut s.process_timeout, whole(v, 1, 3600)),
    },
    Knob {
        key: "clipboard_timeout",
        env: "AWSW_CLIPBOARD_TIMEOUT",
        allowed: "a whole number of seconds from 1 to 86400",
        apply: |s, v| store(&mut s.clipboard_timeout, whole(v, 1, 86_400)),
    },
];

/// A discovery name template names the role and the account, and uses no unknown field.
fn valid_template(template: &str) -> bool {
    let mut fields = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return false;
        }
        let Some(close) = rest[open..].find('}') else { return false };
        fields.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    fields.iter().all(|f| matches!(*f, "role" | "account_name" | "account_id"))
        && fields.contains(&"role")
        && (fields.contains(&"account_name") || fields.contains(&"account_id"))
}

/// A value in the environment that awsw cannot use: the run stops with exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct SettingsError {
    pub(crate) message: String,
}

/// The settings and what was wrong in the file (each a one-line warning).
#[derive(Debug, Clone, Default)]
pub(crate) struct Loaded {
    pub(crate) settings: Settings,
    pub(crate) warnings: Vec<String>,
    /// The file, when it exists.
    pub(crate) file: Option<PathBuf>,
}

/// Where a value came from, so a conflict names the right place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Default,
    File,
    Env,
}

/// `$XDG_CONFIG_HOME/awsw/config`, else `~/.config/awsw/config`.
pub(crate) fn path(var: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match var("XDG_CONFIG_HOME").filter(|v| Path::new(v).is_absolute()) {
        Some(dir) => Some(PathBuf::from(dir).join("awsw/config")),
        None => Some(var("HOME").map(PathBuf::from).or_else(dirs::home_dir)?.join(".config/awsw/config")),
    }
}

/// Reads the file (if any) and the environment.
pub fn load(var: &dyn Fn(&str) -> Option<String>) -> Result<Loaded, SettingsError> {
    let path = path(var);
    let text = match &path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(Ok(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => Some(Err(err.to_string())),
        },
        None => None,
    };
    let file = text.as_ref().and(path.clone());
    let mut loaded = resolve(path.as_deref().zip(text.as_ref()).map(|(p, t)| (p, t.as_deref())), var)?;
    loaded.file = file;
    Ok(loaded)
}

/// The settings from the file's text (or why it could not be read) and the environment.
pub(crate) fn resolve(
    file: Option<(&Path, Result<&str, &String>)>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, SettingsError> {
    let mut settings = Settings::default();
    let mut warnings = Vec::new();
    let mut origins = [Origin::Default; KNOBS.len()];
    if let Some((path, text)) = file {
        let shown = path.display();
        match text {
            Ok(text) => {
                for (key, value) in file_entries(text, &mut warnings, &shown.to_string()) {
                    match KNOBS.iter().position(|k| k.key == key) {
                        Some(i) if (KNOBS[i].apply)(&mut settings, &value) => origins[i] = Origin::File,
                        Some(i) => warnings.push(format!(
                            "{shown}: {key} = {value:?} is not allowed: {}; using the default",
                            KNOBS[i].allowed
                        )),
                        None => warnings.push(format!(
                            "{shown}: unknown key {key:?}; known keys: {}",
                            KNOBS.iter().map(|k| k.key).collect::<Vec<_>>().join(", ")
                        )),
                    }
                }
            }
            Err(reason) => warnings.push(format!("cannot read {shown}: {reason}; using the defaults")),
        }
    }
    for (i, knob) in KNOBS.iter().enumerate() {
        let Some(value) = var(knob.env).filter(|v| !v.is_empty()) else { continue };
        if !(knob.apply)(&mut settings, &value) {
            return Err(SettingsError {
                message: format!("{}={value:?} is not allowed: {}", knob.env, knob.allowed),
            });
        }
        origins[i] = Origin::Env;
    }
    check_reuse_threshold(&mut settings, &origins, &mut warnings)?;
    Ok(Loaded { settings, warnings, file: None })
}

/// A session is only worth caching if it is reused: the threshold must leave at least half
/// of an MFA session's lifetime (else every call asks for a code again).
fn check_reuse_threshold(
    settings: &mut Settings,
    origins: &[Origin; KNOBS.len()],
    warnings: &mut Vec<String>,
) -> Result<(), SettingsError> {
    if settings.min_remaining <= settings.session_duration / 2 {
        return Ok(());
    }
    let message = format!(
        "min_remaining ({} s) must be at most half the MFA session duration ({} s), or every session \
         is renewed soon after it starts",
        settings.min_remaining, settings.session_duration
    );
    if origins[0] == Origin::Env || origins[1] == Origin::Env {
        return Err(SettingsError {
            message: format!("AWSW_MIN_REMAINING / AWSW_SESSION_DURATION: {message}"),
        });
    }
    settings.min_remaining = Settings::default().min_remaining;
    warnings.push(format!("settings file: {message}; using min_remaining = {}", settings.min_remaining));
    Ok(())
}

/// The file's `key = value` pairs, in order. Each line goes through rust-ini on its own
/// (settings have no multi-line values), so a malformed line is reported with its number and
/// skipped, and the rest of the file still applies; rust-ini alone stops at the first one.
fn file_entries(text: &str, warnings: &mut Vec<String>, shown: &str) -> Vec<(String, String)> {
    let options = || ini::ParseOption { enabled_quote: false, enabled_escape: false, ..Default::default() };
    let mut entries = Vec::new();
    let mut in_section = false;
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let parsed = match ini::Ini::load_from_str_opt(line, options()) {
            Ok(parsed) => parsed,
            Err(err) => {
                warnings.push(format!("{shown}:{number}: {} (the line is ignored)", err.msg));
                continue;
            }
        };
        for (section, properties) in parsed.iter() {
            if let Some(section) = section {
                warnings.push(format!(
                    "{shown}:{number}: section [{section}] is ignored: awsw's settings have no sections"
                ));
                in_section = true;
            } else if !in_section {
                entries.extend(properties.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())));
            }
        }
    }
    entries
}

static CURRENT: OnceLock<Settings> = OnceLock::new();

/// Makes `settings` what `current()` returns for the rest of the process (the first call wins).
pub(crate) fn install(settings: Settings) {
    let _ = CURRENT.set(settings);
}

/// The settings in force: those `main` installed, else read now, ignoring what is invalid
/// (library callers such as tests and benches).
pub(crate) fn current() -> &'static Settings {
    CURRENT.get_or_init(|| {
        load(&|name| std::env::var(name).ok()).map(|loaded| loaded.settings).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests;
