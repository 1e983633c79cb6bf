//! Runs every case of the cross-SDK profile parser suite (a copy of
//! shared/conformance/profile-parser-tests.json) against awsw's parser.

use std::collections::BTreeMap;

use awsw::config::Severity;
use awsw::config::parse::FileKind;
use awsw::config::set::{ProfileSet, RawProfile, Source};
use serde_json::Value;

type Props = BTreeMap<String, String>;

fn as_map(list: &[RawProfile]) -> BTreeMap<String, Props> {
    list.iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.properties.iter().map(|q| (q.key.to_string(), q.value.to_string())).collect(),
            )
        })
        .collect()
}

fn expected_map(value: &Value) -> BTreeMap<String, Props> {
    value
        .as_object()
        .expect("object")
        .iter()
        .map(|(name, props)| {
            let props = props
                .as_object()
                .expect("properties object")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_string()))
                .collect();
            (name.clone(), props)
        })
        .collect()
}

#[test]
fn every_conformance_case_passes() {
    let suite: Value =
        serde_json::from_str(include_str!("../data/profile-parser-tests.json")).expect("suite is JSON");
    let cases = suite["tests"].as_array().expect("tests array");
    assert_eq!(cases.len(), 65, "the suite has 65 cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let input = &case["input"];
        let set = ProfileSet::from_sources(&[
            Source { name: "config", text: input["configFile"].as_str(), kind: FileKind::Config },
            Source {
                name: "credentials",
                text: input["credentialsFile"].as_str(),
                kind: FileKind::Credentials,
            },
        ]);
        let errors: Vec<&str> = set
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.message.as_str())
            .collect();
        let output = &case["output"];
        if let Some(expected) = output["errorContaining"].as_str() {
            if !errors.iter().any(|e| e.contains(expected)) {
                failures.push(format!("{name}: expected an error containing {expected:?}, got {errors:?}"));
            }
            continue;
        }
        if !errors.is_empty() {
            failures.push(format!("{name}: unexpected errors {errors:?}"));
        }
        let got = as_map(&set.profiles);
        let want = expected_map(&output["config"]["profiles"]);
        if got != want {
            failures.push(format!("{name}: profiles\n  got  {got:?}\n  want {want:?}"));
        }
        if let Some(sessions) = output["config"].get("sso_sessions") {
            let got = as_map(&set.sso_sessions);
            let want = expected_map(sessions);
            if got != want {
                failures.push(format!("{name}: sso_sessions\n  got  {got:?}\n  want {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of 65 cases failed:\n{}", failures.len(), failures.join("\n"));
}
