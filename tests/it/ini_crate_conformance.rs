//! How far the rust-ini crate (library name `ini`) gets through the cross-SDK profile parser
//! suite, read the way issue 2 suggested (no quotes, no escapes, indented continuation lines,
//! `inline-comment`) with section names mapped as the SDKs map them and the files merged
//! last-value-wins. The README quotes the count; this test keeps it true. awsw reads the AWS
//! files with its own parser (`tests/conformance.rs`: all 65 cases).

use std::collections::BTreeMap;

use serde_json::Value;

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// Profiles and sso-sessions of one file, or the parse error.
fn read(text: &str, config: bool, profiles: &mut Profiles, sessions: &mut Profiles) -> Result<(), String> {
    let options = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    };
    let parsed = ini::Ini::load_from_str_opt(text, options).map_err(|e| e.to_string())?;
    for (section, properties) in parsed.iter() {
        let Some(section) = section else { continue };
        let section = section.trim();
        let (target, name) = if !config {
            (&mut *profiles, section)
        } else if section == "default" {
            (&mut *profiles, "default")
        } else if let Some(name) =
            section.strip_prefix("profile ").or_else(|| section.strip_prefix("profile\t"))
        {
            (&mut *profiles, name.trim())
        } else if let Some(name) = section.strip_prefix("sso-session ") {
            (&mut *sessions, name.trim())
        } else {
            continue;
        };
        let entry = target.entry(name.to_string()).or_default();
        for (key, value) in properties.iter() {
            entry.insert(key.to_string(), value.to_string());
        }
    }
    Ok(())
}

fn expected(value: &Value) -> Profiles {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(name, props)| {
                    let props = props.as_object().unwrap().iter();
                    (
                        name.clone(),
                        props.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().into())).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn passes(case: &Value) -> bool {
    let input = &case["input"];
    let (mut profiles, mut sessions) = (Profiles::new(), Profiles::new());
    let mut failed = false;
    if let Some(text) = input["configFile"].as_str() {
        failed |= read(text, true, &mut profiles, &mut sessions).is_err();
    }
    if let Some(text) = input["credentialsFile"].as_str() {
        failed |= read(text, false, &mut profiles, &mut sessions).is_err();
    }
    let output = &case["output"];
    if output.get("errorContaining").is_some() {
        return failed;
    }
    let sessions_ok = output["config"].get("sso_sessions").is_none_or(|want| expected(want) == sessions);
    !failed && expected(&output["config"]["profiles"]) == profiles && sessions_ok
}

#[test]
fn the_ini_crate_passes_39_of_65_cases() {
    let suite: Value = serde_json::from_str(include_str!("../data/profile-parser-tests.json")).unwrap();
    let cases = suite["tests"].as_array().unwrap();
    let failing: Vec<&str> =
        cases.iter().filter(|c| !passes(c)).map(|c| c["name"].as_str().unwrap_or("?")).collect();
    let passed = cases.len() - failing.len();
    eprintln!("rust-ini passes {passed} of {}; fails:\n  {}", cases.len(), failing.join("\n  "));
    assert_eq!((passed, cases.len()), (39, 65), "update the README's figure if this changes");
}
