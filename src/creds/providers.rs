//! Roots of credentials that awsw does not compute itself: `credential_process`, web
//! identity, `credential_source` and the SDKs' default chain (SSO roots are plan steps of
//! their own: see `steps`). They sit behind `RootSource`, so the engine's
//! planning is tested with a fake; the real one uses aws-config's providers.

use std::time::UNIX_EPOCH;

use futures::future::BoxFuture;
use time::OffsetDateTime;

use super::env::EngineEnv;
use super::error::CredsError;
use super::sts::innermost_cause;
use super::types::Credentials;
use aws_sdk_sts::config::ProvideCredentials;

use crate::config::Profile;
use crate::config::profile::{CredentialSource, Root};
use crate::secret::Secret;

/// What the environment said about credentials when awsw started.
#[derive(Debug, Clone, Default)]
pub struct EnvCredentials {
    /// `AWS_ACCESS_KEY_ID`, when set and not empty.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`, when set and not empty.
    pub secret_access_key: Option<Secret>,
    /// `AWS_SESSION_TOKEN`, when set and not empty.
    pub session_token: Option<Secret>,
}

impl EnvCredentials {
    /// The environment's keys, when both the key id and the secret are set (no expiry,
    /// even with a token: the environment does not say).
    pub fn credentials(&self) -> Option<Credentials> {
        Some(Credentials {
            access_key_id: self.access_key_id.clone()?,
            secret_access_key: self.secret_access_key.clone()?,
            session_token: self.session_token.clone(),
            expiration: None,
        })
    }
}

/// Provides the first credentials of a chain whose root awsw does not compute.
pub trait RootSource: Send + Sync {
    /// The credentials of `root`, from the provider its `Root` names; `env` gives the
    /// environment's keys and endpoints, `session_name` names a web identity session.
    fn credentials<'a>(
        &'a self,
        root: &'a Profile,
        env: &'a EngineEnv,
        session_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, CredsError>>;
}

/// aws-config's providers.
pub struct AwsProviders;

pub(super) fn convert(creds: aws_sdk_sts::config::Credentials) -> Credentials {
    Credentials {
        access_key_id: creds.access_key_id().to_string(),
        secret_access_key: Secret::new(creds.secret_access_key()),
        session_token: creds.session_token().map(Secret::new),
        expiration: creds
            .expiry()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .and_then(|d| OffsetDateTime::from_unix_timestamp(d.as_secs() as i64).ok()),
    }
}

pub(super) fn provider_config(
    profile: &Profile,
    region: Option<&str>,
) -> aws_config::provider_config::ProviderConfig {
    let region = region.or(profile.region.as_deref()).map(|r| aws_config::Region::new(r.to_string()));
    aws_config::provider_config::ProviderConfig::without_region().with_region(region)
}

impl RootSource for AwsProviders {
    fn credentials<'a>(
        &'a self,
        root: &'a Profile,
        env: &'a EngineEnv,
        session_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, CredsError>> {
        Box::pin(async move {
            match &root.root {
                // The plan makes SSO roots two steps; one lands here only when incomplete.
                Some(Root::Sso(_)) => Err(CredsError::Unusable {
                    profile: root.name.clone(),
                    reason: "its SSO settings are incomplete (sso_start_url, sso_region, sso_account_id, sso_role_name)"
                        .into(),
                }),
                Some(Root::CredentialProcess { command }) => {
                    super::credential_process::credentials(&root.name, command).await
                }
                Some(Root::WebIdentity { role_arn, token_file }) => {
                    web_identity(root, role_arn, token_file, session_name, env).await
                }
                Some(Root::CredentialSource(source)) => credential_source(root, *source, env).await,
                Some(Root::DefaultChain) => super::default_chain::credentials(root, env).await,
                Some(Root::StaticKeys(_)) | None => Err(CredsError::Unusable {
                    profile: root.name.clone(),
                    reason: "has no provider-based credentials".into(),
                }),
            }
        })
    }
}

/// A provider's failure for `root`, in one line: only the display text of the error chain,
/// since the SDK's `DisplayErrorContext` adds a `Debug` dump holding the raw response,
/// credentials included.
/// A network cause (DNS, refused, TLS, timeout) is named with the host of `url` and what to
/// do about `setting`.
fn failed(
    root: &Profile,
    source_kind: &'static str,
    err: &(dyn std::error::Error + 'static),
    (url, setting): (&str, &str),
) -> CredsError {
    let message = match super::netfault::NetFault::find(err, url) {
        Some(fault) => fault.describe(setting),
        None => innermost_cause(err),
    };
    CredsError::Provider { profile: root.name.clone(), source_kind, message }
}

/// Where a provider's STS request goes, as its SDK client sees it, for messages.
fn sts_url(root: &Profile, env: &EngineEnv) -> String {
    let region = env.region.clone().or_else(|| root.region.clone()).unwrap_or_else(|| "us-east-1".into());
    env.endpoint_url_sts
        .clone()
        .or_else(|| env.endpoint_url.clone())
        .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com"))
}

async fn web_identity(
    root: &Profile,
    role_arn: &str,
    token_file: &str,
    session_name: &str,
    env: &EngineEnv,
) -> Result<Credentials, CredsError> {
    use aws_config::web_identity_token::{StaticConfiguration, WebIdentityTokenCredentialsProvider};
    WebIdentityTokenCredentialsProvider::builder()
        .configure(&provider_config(root, None))
        .static_configuration(StaticConfiguration {
            web_identity_token_file: token_file.into(),
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
        })
        .build()
        .provide_credentials()
        .await
        .map(convert)
        .map_err(|e| failed(root, "web identity", &e, (&sts_url(root, env), super::sts::STS_SETTING)))
}

async fn credential_source(
    root: &Profile,
    source: CredentialSource,
    env: &EngineEnv,
) -> Result<Credentials, CredsError> {
    match source {
        CredentialSource::Environment => env.credentials.credentials().ok_or_else(|| CredsError::Unusable {
            profile: root.name.clone(),
            reason:
                "credential_source = Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set"
                    .into(),
        }),
        CredentialSource::Ec2InstanceMetadata => super::imds::instance_credentials(&env.imds)
            .await
            .map(|instance| instance.credentials)
            .map_err(|e| {
                failed(
                    root,
                    "EC2 instance metadata",
                    &e,
                    (&env.imds.endpoint, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
                )
            }),
        CredentialSource::EcsContainer => aws_config::ecs::EcsCredentialsProvider::builder()
            .configure(&provider_config(root, None))
            .build()
            .provide_credentials()
            .await
            .map(convert)
            .map_err(|e| {
                let url = env.container_url.as_deref().unwrap_or("http://169.254.170.2");
                failed(root, "ECS container", &e, (url, "AWS_CONTAINER_CREDENTIALS_FULL_URI"))
            }),
    }
}
