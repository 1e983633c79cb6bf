//! EC2 instance role credentials from the instance metadata service, for
//! `credential_source = Ec2InstanceMetadata` and the picker's header. It speaks IMDSv2 through
//! aws-config's client (a `PUT /latest/api/token` with a TTL header, then the role listing and
//! the credentials document with the token); the Rust SDK has no IMDSv1 fallback, so neither
//! has awsw. Every failure becomes one plain sentence (no SDK `Debug` dump): the service is
//! off, absent, slow, refuses the token, or the instance has no role.

use super::env::ImdsEnv;
use crate::context::Vars;
use std::time::Duration;

use serde::Deserialize;

use super::clicache::parse_expiration;
use super::types::Credentials;
use crate::config::Inventory;
use crate::secret::Secret;

/// Why no instance credentials could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ImdsFailure {
    #[error(
        "AWS_EC2_METADATA_DISABLED=true turns the instance metadata service off; unset it to use the instance role"
    )]
    Disabled,
    #[error(
        "no instance metadata service answers at {endpoint} ({reason}); credential_source = Ec2InstanceMetadata works only on an EC2 instance (or set AWS_EC2_METADATA_SERVICE_ENDPOINT)"
    )]
    NoService { endpoint: String, reason: String },
    #[error(
        "the instance metadata service at {endpoint} did not answer in time; try again, or check the instance's network"
    )]
    Slow { endpoint: String },
    #[error(
        "the instance metadata service at {endpoint} gave no IMDSv2 token ({reason}); awsw needs IMDSv2: check the instance's metadata options (http-tokens, http-put-response-hop-limit)"
    )]
    TokenRefused { endpoint: String, reason: String },
    #[error(
        "this instance has no IAM role attached (the metadata service lists none): attach an instance profile"
    )]
    NoRole,
    #[error("the instance metadata service gave no credentials for role {role}: {reason}")]
    RoleFailed { role: String, reason: String },
}

/// The instance role's name and credentials.
#[derive(Debug, Clone)]
pub(crate) struct InstanceCredentials {
    pub(crate) role: String,
    pub(crate) credentials: Credentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Document {
    code: Option<String>,
    message: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
}

/// Turns the SDK's error into one of ours by what it is, not by its `Debug` text.
fn classify(err: &aws_config::imds::client::error::ImdsError, listing: bool, endpoint: &str) -> ImdsFailure {
    use aws_config::imds::client::error::{ImdsError, TokenError};
    use aws_sdk_sts::config::http::HttpResponse;
    use aws_sdk_sts::error::SdkError;
    // The cause in a few words (not the OS's "Connection refused (os error 111)"): the
    // messages say what to do themselves.
    let reason = match super::netfault::NetFault::find(err, endpoint) {
        Some(fault) => fault.short(),
        None => super::sts::innermost_cause(err),
    };
    let endpoint = endpoint.to_string();
    let slow = || ImdsFailure::Slow { endpoint: endpoint.clone() };
    match err {
        ImdsError::FailedToLoadToken(_) => {
            let source = std::error::Error::source(err);
            match source.and_then(|s| s.downcast_ref::<SdkError<TokenError, HttpResponse>>()) {
                Some(SdkError::TimeoutError(_)) => slow(),
                Some(SdkError::DispatchFailure(f)) if f.is_timeout() => slow(),
                Some(SdkError::ServiceError(service)) => {
                    let status = service.raw().status().as_u16();
                    ImdsFailure::TokenRefused {
                        endpoint,
                        reason: format!("HTTP {status}: {}", service.err()),
                    }
                }
                _ if reason.to_ascii_lowercase().contains("timed out") => slow(),
                _ => ImdsFailure::NoService { endpoint, reason },
            }
        }
        ImdsError::ErrorResponse(response) => match response.response().status().as_u16() {
            404 if listing => ImdsFailure::NoRole,
            401 => {
                ImdsFailure::TokenRefused { endpoint, reason: "HTTP 401: the token was not accepted".into() }
            }
            status => ImdsFailure::NoService { endpoint, reason: format!("HTTP {status}") },
        },
        _ if reason.to_ascii_lowercase().contains("timed out") || reason.contains("timeout") => slow(),
        _ => ImdsFailure::NoService { endpoint, reason },
    }
}

fn client() -> aws_config::imds::Client {
    aws_config::imds::Client::builder()
        .max_attempts(2)
        .connect_timeout(Duration::from_secs(1))
        .read_timeout(Duration::from_secs(2))
        .build()
}

fn parse(role: &str, text: &str) -> Result<Credentials, ImdsFailure> {
    let failed = |reason: String| ImdsFailure::RoleFailed { role: role.to_string(), reason };
    let doc: Document = serde_json::from_str(text).map_err(|_| failed("the document is not JSON".into()))?;
    if let Some(code) = doc.code.filter(|c| c != "Success") {
        return Err(failed(format!("{code}: {}", doc.message.unwrap_or_default())));
    }
    let (Some(id), Some(secret), Some(token)) = (doc.access_key_id, doc.secret_access_key, doc.token) else {
        return Err(failed("the document lacks AccessKeyId, SecretAccessKey or Token".into()));
    };
    Ok(Credentials {
        access_key_id: id,
        secret_access_key: Secret::new(secret),
        session_token: Some(Secret::new(token)),
        expiration: doc.expiration.as_deref().and_then(parse_expiration),
    })
}

/// A metadata service that was absent or too slow is not asked again by this process for a
/// while (as for STS): `whoami --all` or the picker with many `Ec2InstanceMetadata` profiles
/// then waits for it once, not once per profile.
static GATE: std::sync::LazyLock<super::budget::FaultGate<ImdsFailure>> =
    std::sync::LazyLock::new(Default::default);

/// The instance role's credentials: the role listing, then the role's document.
pub(crate) async fn instance_credentials(imds: &ImdsEnv) -> Result<InstanceCredentials, ImdsFailure> {
    if imds.disabled {
        return Err(ImdsFailure::Disabled);
    }
    let absent_or_slow =
        |f: &ImdsFailure| matches!(f, ImdsFailure::NoService { .. } | ImdsFailure::Slow { .. });
    GATE.run(&imds.endpoint, absent_or_slow, || fetch(&imds.endpoint)).await
}

async fn fetch(endpoint: &str) -> Result<InstanceCredentials, ImdsFailure> {
    const LISTING: &str = "/latest/meta-data/iam/security-credentials/";
    let client = client();
    let listing = client.get(LISTING).await.map_err(|e| classify(&e, true, endpoint))?;
    let role = listing.as_ref().lines().next().unwrap_or("").trim().to_string();
    if role.is_empty() {
        return Err(ImdsFailure::NoRole);
    }
    let doc = client.get(format!("{LISTING}{role}")).await.map_err(|e| classify(&e, false, endpoint))?;
    let credentials = parse(&role, doc.as_ref())?;
    Ok(InstanceCredentials { role, credentials })
}

/// Whether the terminal awsw started from can only be getting its credentials from the
/// instance, as the SDKs' default chain would: no keys or profile in the environment, no
/// usable `default` profile, and the metadata service not turned off.
pub(crate) fn may_be_origin(inventory: &Inventory, vars: &Vars, imds: &ImdsEnv) -> bool {
    let set = |name: &str| vars.get_os(name).is_some();
    !imds.disabled
        && !set("AWS_ACCESS_KEY_ID")
        && !set("AWS_PROFILE")
        && !set("AWSW_PROFILE")
        && !set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        && !set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        && inventory.profile("default").is_none_or(|p| {
            matches!(p.kind, crate::config::Kind::Invalid | crate::config::Kind::DefaultChain)
        })
}

/// The instance role behind the starting terminal, and who STS says it is; `None` when
/// there is no instance role to be had (not on EC2, no role): the header stays as it was.
pub(crate) async fn origin(engine: &super::Engine) -> Option<(String, Result<super::Identity, String>)> {
    let instance = instance_credentials(&engine.env().imds).await.ok()?;
    Some((instance.role, engine.credentials_identity(&instance.credentials).await))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_parse_or_say_why_not() {
        let good = r#"{"Code":"Success","LastUpdated":"2026-11-24T10:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAX","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-24T16:00:00Z"}"#;
        let creds = parse("web", good).unwrap();
        assert_eq!(creds.access_key_id, "ASIAX");
        assert!(creds.expiration.is_some() && creds.session_token.is_some());
        let refused = r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role web"}"#;
        assert_eq!(
            parse("web", refused).unwrap_err().to_string(),
            "the instance metadata service gave no credentials for role web: AssumeRoleUnauthorizedAccess: EC2 cannot assume the role web"
        );
        assert!(parse("web", "<html>").is_err());
    }
}
