//! Roots of credentials that awsw does not compute itself: SSO, `credential_process`,
//! web identity and `credential_source`. They sit behind `RootSource`, so the engine's
//! planning is tested with a fake; the real one uses aws-config's providers.

use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use futures::future::BoxFuture;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use super::clicache::parse_expiration;
use super::error::CredsError;
use super::sts::innermost_cause;
use super::types::Credentials;
use crate::config::Profile;
use crate::config::profile::CredentialSource;
use crate::secret::Secret;

/// What the environment said about credentials when awsw started.
#[derive(Debug, Clone, Default)]
pub struct EnvCredentials {
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub session_token: Option<Secret>,
}

impl EnvCredentials {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        EnvCredentials {
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY").map(Secret::new),
            session_token: var("AWS_SESSION_TOKEN").map(Secret::new),
        }
    }

    pub fn credentials(&self) -> Option<Credentials> {
        Some(Credentials {
            access_key_id: self.access_key_id.clone()?,
            secret_access_key: self.secret_access_key.clone()?,
            session_token: self.session_token.clone(),
            expiration: None,
        })
    }
}

/// The command that renews an SSO profile's token.
pub fn sso_login_command(profile: &Profile) -> String {
    match &profile.sso_session {
        Some(session) => format!("awsw login {session}"),
        None => format!("awsw login {}", profile.name),
    }
}

/// Whether the SSO token cache (`~/.aws/sso/cache/<sha1>.json`, as the AWS CLI writes it)
/// holds a token that is valid at `now`, or renewable with its refresh token.
pub fn sso_token_valid(profile: &Profile, now: OffsetDateTime) -> bool {
    crate::sso::credentials::token_usable(profile, now)
}

/// The AWS CLI's SSO token file for an sso-session name (or a legacy profile's start URL).
pub fn sso_token_file(id: &str) -> Option<PathBuf> {
    let name = format!("{}.json", hex::encode(Sha1::digest(id.as_bytes())));
    Some(dirs::home_dir()?.join(".aws").join("sso").join("cache").join(name))
}

/// When the cached SSO token for `id` expires; `None` without a readable token.
pub fn sso_token_expiry(id: &str) -> Option<OffsetDateTime> {
    let text = std::fs::read_to_string(sso_token_file(id)?).ok()?;
    let value = serde_json::from_str::<serde_json::Value>(&text).ok()?;
    value.get("expiresAt").and_then(|v| v.as_str()).and_then(parse_expiration)
}

/// Provides the first credentials of a chain whose root awsw does not compute.
pub trait RootSource: Send + Sync {
    fn credentials<'a>(
        &'a self,
        root: &'a Profile,
        env: &'a EnvCredentials,
        session_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, CredsError>>;
}

/// aws-config's providers.
pub struct AwsProviders;

fn convert(creds: aws_sdk_sts::config::Credentials) -> Credentials {
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

fn provider_config(profile: &Profile, region: Option<&str>) -> aws_config::provider_config::ProviderConfig {
    let region = region.or(profile.region.as_deref()).map(|r| aws_config::Region::new(r.to_string()));
    aws_config::provider_config::ProviderConfig::without_region().with_region(region)
}

impl RootSource for AwsProviders {
    fn credentials<'a>(
        &'a self,
        root: &'a Profile,
        env: &'a EnvCredentials,
        session_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, CredsError>> {
        use aws_sdk_sts::config::ProvideCredentials;
        Box::pin(async move {
            // Only the display text of the error chain: the SDK's `DisplayErrorContext` adds a
            // `Debug` dump holding the raw response, credentials included.
            let failed =
                |source_kind: &'static str, err: &(dyn std::error::Error + 'static)| CredsError::Provider {
                    profile: root.name.clone(),
                    source_kind,
                    message: innermost_cause(err),
                };
            match root.root {
                // SSO: awsw's own module (token refresh, the AWS CLI's role cache); see src/sso.
                Some(crate::config::RootKind::Sso) => crate::sso::credentials::root_credentials(root).await.map_err(|e| {
                    match e {
                        crate::sso::SsoError::LoginRequired { login, .. } => CredsError::SsoLoginRequired {
                            profile: root.name.clone(),
                            command: format!("awsw login {login}"),
                        },
                        e => CredsError::Provider { profile: root.name.clone(), source_kind: "SSO", message: e.to_string() },
                    }
                }),
                Some(crate::config::RootKind::CredentialProcess) => {
                    let command = root.credential_process.as_deref().unwrap_or_default();
                    super::credential_process::credentials(&root.name, command).await
                }
                Some(crate::config::RootKind::WebIdentity) => {
                    use aws_config::web_identity_token::{StaticConfiguration, WebIdentityTokenCredentialsProvider};
                    WebIdentityTokenCredentialsProvider::builder()
                        .configure(&provider_config(root, None))
                        .static_configuration(StaticConfiguration {
                            web_identity_token_file: root.web_identity_token_file.clone().unwrap_or_default().into(),
                            role_arn: root.role_arn.clone().unwrap_or_default(),
                            session_name: session_name.to_string(),
                        })
                        .build()
                        .provide_credentials()
                        .await
                        .map(convert)
                        .map_err(|e| failed("web identity", &e))
                }
                Some(crate::config::RootKind::CredentialSource(CredentialSource::Environment)) => {
                    env.credentials().ok_or_else(|| CredsError::Unusable {
                        profile: root.name.clone(),
                        reason: "credential_source = Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set"
                            .into(),
                    })
                }
                Some(crate::config::RootKind::CredentialSource(CredentialSource::Ec2InstanceMetadata)) => {
                    super::imds::instance_credentials()
                        .await
                        .map(|instance| instance.credentials)
                        .map_err(|e| failed("EC2 instance metadata", &e))
                }
                Some(crate::config::RootKind::CredentialSource(CredentialSource::EcsContainer)) => {
                    aws_config::ecs::EcsCredentialsProvider::builder()
                        .configure(&provider_config(root, None))
                        .build()
                        .provide_credentials()
                        .await
                        .map(convert)
                        .map_err(|e| failed("ECS container", &e))
                }
                Some(crate::config::RootKind::StaticKeys) | None => Err(CredsError::Unusable {
                    profile: root.name.clone(),
                    reason: "has no provider-based credentials".into(),
                }),
            }
        })
    }
}
