//! A profile's `credential_process`, run by awsw itself (not through aws-config) so that it
//! has a time limit and an output cap (see `process`). Its JSON is read as the SDKs read it:
//! `Version` 1, `AccessKeyId` and `SecretAccessKey` required, `SessionToken` and an RFC 3339
//! `Expiration` optional, key names in any case. Error messages name the field that is
//! wrong, never a value: the output holds secrets.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::CredsError;
use super::process::{self, Stderr};
use super::types::Credentials;
use crate::secret::Secret;

/// How much of a failing program's stderr goes into the message.
const STDERR_SHOWN: usize = 300;

/// A program that timed out is not run again by this process for a while (as an endpoint
/// that never answers is not asked again): a served shell whose SDKs ask for renewal, or
/// several profiles sharing one command, wait for it once.
static GATE: std::sync::LazyLock<super::budget::FaultGate<Failure>> =
    std::sync::LazyLock::new(Default::default);

#[derive(Clone)]
struct Failure {
    message: String,
    timed_out: bool,
}

/// Runs `command` for `profile` and reads its credentials.
pub(crate) async fn credentials(profile: &str, command: &str) -> Result<Credentials, CredsError> {
    GATE.run(command, |f| f.timed_out, || run(command)).await.map_err(|failure| CredsError::Provider {
        profile: profile.to_string(),
        source_kind: "credential_process",
        message: failure.message,
    })
}

async fn run(command: &str) -> Result<Credentials, Failure> {
    let fail = |message: String| Failure { message, timed_out: false };
    let finished = process::run(command, Stderr::Capture, process::timeout()).await.map_err(|err| {
        Failure { timed_out: matches!(err, process::ProcessError::TimedOut(_)), message: err.to_string() }
    })?;
    if !finished.status.success() {
        let said = String::from_utf8_lossy(&finished.stderr);
        let said: String = said.trim().chars().take(STDERR_SHOWN).collect();
        let said = if said.is_empty() { String::new() } else { format!(": {said}") };
        return Err(fail(format!("it exited with {}{said}", finished.status)));
    }
    let text = std::str::from_utf8(&finished.stdout).map_err(|_| fail("its output is not UTF-8".into()))?;
    parse(text).map_err(|reason| fail(format!("its output is not valid credential_process JSON: {reason}")))
}

/// The credentials in `text`, or what is wrong with it (no value from it is quoted).
pub(crate) fn parse(text: &str) -> Result<Credentials, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| {
        // serde_json's messages quote no input, only what it expected and where.
        format!("{} at line {} column {}", classify(&err), err.line(), err.column())
    })?;
    let object = value.as_object().ok_or("it is not a JSON object")?;
    // Key names match in any case, as the SDKs match them.
    let field = |name: &str| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let string = |name: &str| field(name).and_then(Value::as_str);
    match field("Version") {
        None => return Err("Version is missing".into()),
        Some(v) if v.as_i64() == Some(1) => {}
        Some(_) => return Err("Version must be 1".into()),
    }
    let access_key_id = string("AccessKeyId").ok_or("AccessKeyId is missing")?;
    let secret = string("SecretAccessKey").ok_or("SecretAccessKey is missing")?;
    let expiration = match string("Expiration") {
        None => None,
        Some(text) => {
            let t =
                OffsetDateTime::parse(text, &Rfc3339).map_err(|_| "Expiration is not an RFC 3339 time")?;
            // Whole seconds, as the SDK's credentials keep them.
            Some(
                OffsetDateTime::from_unix_timestamp(t.unix_timestamp())
                    .map_err(|_| "Expiration is out of range")?,
            )
        }
    };
    Ok(Credentials {
        access_key_id: access_key_id.to_string(),
        secret_access_key: Secret::new(secret),
        session_token: string("SessionToken").map(Secret::new),
        expiration,
    })
}

fn classify(err: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match err.classify() {
        Category::Eof => "it ends early",
        Category::Syntax | Category::Data => "it is not valid JSON",
        Category::Io => "it cannot be read",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sdk_format_in_any_key_case() {
        let creds = parse(
            r#"{"Version": 1, "accesskeyid": "ASIAX", "SecretAccessKey": "s", "SESSIONTOKEN": "t",
                "Expiration": "2026-11-23T10:00:00.5+01:00", "AccountId": "1"}"#,
        )
        .unwrap();
        assert_eq!(creds.access_key_id, "ASIAX");
        assert_eq!(creds.secret_access_key.expose(), "s");
        assert_eq!(creds.session_token.unwrap().expose(), "t");
        assert_eq!(creds.expiration, Some(time::macros::datetime!(2026-11-23 09:00:00 UTC)));
        let long_term = parse(r#"{"Version": 1, "AccessKeyId": "AKIAX", "SecretAccessKey": "s"}"#).unwrap();
        assert!(long_term.session_token.is_none() && long_term.expiration.is_none());
    }

    #[test]
    fn errors_name_the_field_and_never_a_value() {
        let cases = [
            (r#"{"AccessKeyId": "AKIASECRET", "SecretAccessKey": "SECRET"}"#, "Version is missing"),
            (
                r#"{"Version": 2, "AccessKeyId": "AKIASECRET", "SecretAccessKey": "SECRET"}"#,
                "Version must be 1",
            ),
            (
                r#"{"Version": "1", "AccessKeyId": "AKIASECRET", "SecretAccessKey": "SECRET"}"#,
                "Version must be 1",
            ),
            (r#"{"Version": 1, "SecretAccessKey": "SECRET"}"#, "AccessKeyId is missing"),
            (
                r#"{"Version": 1, "AccessKeyId": "AKIASECRET", "SecretAccessKey": 5}"#,
                "SecretAccessKey is missing",
            ),
            (
                r#"{"Version": 1, "AccessKeyId": "AKIASECRET", "SecretAccessKey": "SECRET", "Expiration": "SECRET"}"#,
                "Expiration is not an RFC 3339 time",
            ),
            (r#"{"Version": 1, "AccessKeyId": "AKIASECRET" "SecretAccessKey": "SECRET"}"#, "not valid JSON"),
            (r#"{"Version": 1, "AccessKeyId": "AKIASECRET""#, "ends early"),
            (r#"["AKIASECRET", "SECRET"]"#, "not a JSON object"),
        ];
        for (json, expected) in cases {
            let err = parse(json).unwrap_err();
            assert!(err.contains(expected), "{json}: {err}");
            assert!(!err.contains("SECRET"), "{json}: {err}");
        }
    }
}
