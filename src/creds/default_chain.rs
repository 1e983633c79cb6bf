//! Credentials for a profile that sets none itself (the everyday `[default]` holding only
//! `region`): what the SDKs' default chain finds once the profile files have nothing, in
//! the SDKs' order: the environment's keys, a web identity token named by the environment
//! (EKS), the container endpoint (ECS, or an awsw served shell), the instance metadata
//! service. A source that is not configured is skipped; one that is configured and fails
//! stops the chain with its own reason, as in the SDKs, so a broken container endpoint is
//! never silently replaced by the instance's role.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::config::ProvideCredentials;

use super::env::EngineEnv;
use super::error::CredsError;
use super::imds::{self, ImdsFailure};
use super::providers::{convert, provider_config};
use super::sts::innermost_cause;
use super::types::Credentials;
use crate::config::Profile;

/// Said when no source of the chain is configured.
const NOTHING_FOUND: &str = "it sets no credentials itself, and no credentials were found in the environment, container or instance metadata: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run on an instance or container with a role, or give the profile credentials (keys, role_arn, SSO, credential_process)";

/// The first credentials the default chain yields for `root`.
pub(crate) async fn credentials(root: &Profile, env: &EngineEnv) -> Result<Credentials, CredsError> {
    if let Some(keys) = env.credentials.credentials() {
        return Ok(keys);
    }
    let config = provider_config(root, None);
    let web_identity = aws_config::web_identity_token::WebIdentityTokenCredentialsProvider::builder()
        .configure(&config)
        .build();
    if let Some(found) = configured(root, "web identity", web_identity.provide_credentials().await)? {
        return Ok(found);
    }
    let container = aws_config::ecs::EcsCredentialsProvider::builder().configure(&config).build();
    if let Some(found) = configured(root, "ECS container", container.provide_credentials().await)? {
        return Ok(found);
    }
    match imds::instance_credentials(&env.imds).await {
        Ok(instance) => Ok(instance.credentials),
        // Not on an instance (or told not to look): nothing anywhere.
        Err(ImdsFailure::Disabled | ImdsFailure::NoService { .. }) => {
            Err(CredsError::Unusable { profile: root.name.clone(), reason: NOTHING_FOUND.into() })
        }
        Err(failure) => Err(CredsError::Provider {
            profile: root.name.clone(),
            source_kind: "EC2 instance metadata",
            message: failure.to_string(),
        }),
    }
}

/// `Some` credentials, `None` when the source is not configured here, or its failure.
fn configured(
    root: &Profile,
    source_kind: &'static str,
    result: Result<aws_sdk_sts::config::Credentials, CredentialsError>,
) -> Result<Option<Credentials>, CredsError> {
    match result {
        Ok(found) => Ok(Some(convert(found))),
        Err(CredentialsError::CredentialsNotLoaded(_)) => Ok(None),
        Err(e) => Err(CredsError::Provider {
            profile: root.name.clone(),
            source_kind,
            message: innermost_cause(&e),
        }),
    }
}
