//! Settings from a file text and an environment, without touching the disk.

use std::collections::HashMap;
use std::path::Path;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

fn from(text: &str, pairs: &[(&str, &str)]) -> Result<Loaded, SettingsError> {
    let owned = text.to_string();
    resolve(Some((Path::new("/h/.config/awsw/config"), Ok(owned.as_str()))), &env(pairs))
}

#[test]
fn defaults_without_a_file_or_variables() {
    let loaded = resolve(None, &env(&[])).unwrap();
    assert_eq!(loaded.settings, Settings::default());
    assert!(loaded.warnings.is_empty());
}

#[test]
fn the_file_sets_every_key() {
    let loaded = from(
        "# awsw settings\nmin_remaining = 600\nsession_duration = 43200\nenvrc_mode = inline\n\
         discovery_name_template = {account_id}-{role}\nmax_key_age_days = 30\nshell_mode = static\n\
         process_timeout = 10\nclipboard_timeout = 120\n",
        &[],
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let s = loaded.settings;
    assert_eq!((s.min_remaining, s.session_duration), (600, 43200));
    assert_eq!(s.envrc_mode, EnvrcMode::Inline);
    assert_eq!(s.discovery_name_template, "{account_id}-{role}");
    assert_eq!((s.max_key_age_days, s.process_timeout, s.clipboard_timeout), (30, 10, 120));
    assert_eq!(s.shell_mode, ShellMode::Static);
}

#[test]
fn variables_beat_the_file() {
    let loaded =
        from("min_remaining = 600\n", &[("AWSW_MIN_REMAINING", "60"), ("AWSW_ENVRC_MODE", "")]).unwrap();
    assert_eq!(loaded.settings.min_remaining, 60);
    assert_eq!(loaded.settings.envrc_mode, EnvrcMode::Cached, "an empty variable is unset");
}

#[test]
fn bad_file_values_and_unknown_keys_warn_and_the_rest_applies() {
    let loaded = from(
        "min_remaining = abc\nsession_durration = 100\nsession_duration = 100\nprocess_timeout = 5\n[extra]\nx = 1\n",
        &[],
    )
    .unwrap();
    let w = &loaded.warnings;
    assert_eq!(w.len(), 4, "{w:?}");
    let has = |what: &dyn Fn(&String) -> bool| assert!(w.iter().any(what), "{w:?}");
    has(&|l| l.starts_with("/h/.config/awsw/config: min_remaining = \"abc\" is not allowed: a whole number"));
    has(&|l| l.contains("unknown key \"session_durration\"") && l.contains("session_duration"));
    has(&|l| l.contains("session_duration = \"100\"") && l.contains("900 to 129600"));
    has(&|l| l.contains("section [extra] is ignored"));
    assert_eq!(loaded.settings.process_timeout, 5);
    assert_eq!(loaded.settings.session_duration, 28800);
}

#[test]
fn a_malformed_line_is_named_and_the_rest_still_applies() {
    let loaded = from("process_timeout = 7\n[unclosed\nclipboard_timeout = 30\n", &[]).unwrap();
    assert_eq!(loaded.settings.process_timeout, 7);
    assert_eq!(loaded.settings.clipboard_timeout, 30);
    assert!(
        loaded.warnings.iter().any(|w| w.starts_with("/h/.config/awsw/config:2: ")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn bad_variables_are_errors_naming_the_variable_and_the_range() {
    for (var, value, allowed) in [
        ("AWSW_SESSION_DURATION", "100", "from 900 to 129600"),
        ("AWSW_SESSION_DURATION", "abc", "from 900 to 129600"),
        ("AWSW_MIN_REMAINING", "abc", "from 0 to 3600"),
        ("AWSW_MIN_REMAINING", "-5", "from 0 to 3600"),
        ("AWSW_ENVRC_MODE", "both", "cached, inline, profile-only or served"),
        ("AWSW_DISCOVERY_NAME_TEMPLATE", "{role}", "{account_name} or {account_id}"),
        ("AWSW_DISCOVERY_NAME_TEMPLATE", "{account_id}/{rol}", "no other"),
    ] {
        let err = resolve(None, &env(&[(var, value)])).unwrap_err();
        assert!(err.message.starts_with(&format!("{var}={value:?} is not allowed: ")), "{err}");
        assert!(err.message.contains(allowed), "{err}");
    }
}

#[test]
fn the_reuse_threshold_must_fit_the_session_duration() {
    let err =
        resolve(None, &env(&[("AWSW_SESSION_DURATION", "900"), ("AWSW_MIN_REMAINING", "600")])).unwrap_err();
    assert!(err.message.contains("at most half the MFA session duration (900 s)"), "{err}");
    assert!(resolve(None, &env(&[("AWSW_SESSION_DURATION", "900"), ("AWSW_MIN_REMAINING", "450")])).is_ok());
    // From the file alone: a warning, and the default threshold.
    let loaded = from("session_duration = 900\nmin_remaining = 1000\n", &[]).unwrap();
    assert_eq!(loaded.settings.min_remaining, 300);
    assert!(loaded.warnings.iter().any(|w| w.contains("at most half")), "{:?}", loaded.warnings);
}

#[test]
fn templates() {
    assert!(valid_template("{account_name}/{role}"));
    assert!(valid_template("aws-{account_id}-{role}"));
    assert!(!valid_template("{account_name}/{role"));
    assert!(!valid_template("{account_name}}/{role}"));
    assert!(!valid_template("{account_name}"));
}
