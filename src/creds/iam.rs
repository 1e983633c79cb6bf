//! The IAM calls awsw makes about the caller's own access keys (list, last used, create,
//! delete), behind a trait so key age and rotation are tested with fakes and faults. The real
//! implementation uses aws-sdk-iam with the same short timeouts as STS. Nothing here prompts;
//! the credentials arrive ready (long-term keys, or an MFA session made from them).

use super::env::EngineEnv;
use std::time::Duration;

use futures::future::BoxFuture;
use time::OffsetDateTime;

use super::sts::{Endpoint, StsError};
use super::types::Credentials;
use crate::secret::Secret;

/// One access key of a user, as `ListAccessKeys` describes it (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMeta {
    /// The access key id.
    pub id: String,
    /// Whether IAM lists it as `Active` (a missing status counts as active).
    pub active: bool,
    /// When it was created, when IAM said.
    pub created: Option<OffsetDateTime>,
}

/// `GetAccessKeyLastUsed`: `None` fields mean never used.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LastUsed {
    /// When the key was last used.
    pub when: Option<OffsetDateTime>,
    /// The service it was last used with (`s3`); IAM's `N/A` becomes `None`.
    pub service: Option<String>,
}

/// A key just created. The secret is shown to no one: it goes into the credentials file.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub(crate) id: String,
    pub(crate) secret: Secret,
}

/// An IAM failure, in the words `rotate` and the key-age lookup put into their messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    /// IAM answered with an error code (`AccessDenied`, `LimitExceeded`, ...).
    #[error("{code}: {message}")]
    Service {
        /// The AWS error code; `HTTP <status>` (or a clock-skew text) when the answer
        /// carried none.
        code: String,
        /// IAM's message, or what awsw makes of an answer without one.
        message: String,
    },
    /// IAM could not be reached, or did not answer within 10 s.
    #[error("cannot reach IAM: {reason}")]
    Unreachable {
        /// What failed and which setting to check.
        reason: String,
    },
}

impl IamError {
    /// IAM refused for lack of permission, which without MFA is what many policies do.
    pub(crate) fn is_denied(&self) -> bool {
        matches!(self, IamError::Service { code, .. } if code.contains("AccessDenied") || code == "UnauthorizedOperation")
    }
}

/// `user`: the IAM user name, `None` for the caller itself (root keys have no user name).
pub trait Iam: Send + Sync {
    /// `ListAccessKeys`: the user's keys (IAM allows two).
    fn list_access_keys<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<KeyMeta>, IamError>>;

    /// `GetAccessKeyLastUsed` for `key_id`.
    fn last_used<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<LastUsed, IamError>>;

    /// `CreateAccessKey`: a new active key for the user, with its secret.
    fn create_access_key<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
    ) -> BoxFuture<'a, Result<NewKey, IamError>>;

    /// `DeleteAccessKey` for `key_id`.
    fn delete_access_key<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<(), IamError>>;
}

/// The IAM endpoint, in the SDKs' precedence: `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`,
/// the profile's `endpoint_url` (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables all).
/// IAM is global: the region only picks the partition.
pub(crate) fn endpoint(
    env: &EngineEnv,
    profile_endpoint_url: Option<&str>,
    region: Option<&str>,
) -> Endpoint {
    let url = if env.ignore_configured_endpoints {
        None
    } else {
        env.endpoint_url_iam
            .clone()
            .or_else(|| env.endpoint_url.clone())
            .or_else(|| profile_endpoint_url.map(str::to_string))
    };
    let region =
        env.region.clone().or_else(|| region.map(str::to_string)).unwrap_or_else(|| "us-east-1".into());
    Endpoint { region, url }
}

/// IAM through aws-sdk-iam.
pub struct AwsIam;

fn client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_iam::Client {
    use aws_sdk_iam::config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
    let sdk_creds = aws_sdk_iam::config::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "awsw",
    );
    let mut builder = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .credentials_provider(sdk_creds)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(url) = &endpoint.url {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_iam::Client::from_conf(builder.build())
}

/// The STS mapping serves IAM too (both SDKs share smithy's error types): a service error keeps
/// its code, everything else becomes the innermost cause.
fn map_error<E>(
    err: aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
    endpoint: &Endpoint,
) -> IamError
where
    E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let url = endpoint.url.clone().unwrap_or_else(|| "https://iam.amazonaws.com".into());
    match super::sts::map_error(err, &url, "AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL") {
        StsError::Service { code, message } => IamError::Service { code, message },
        StsError::Timeout => IamError::Unreachable { reason: "no answer within 10 s".into() },
        StsError::NotSts { status } => IamError::Service {
            code: format!("HTTP {status}"),
            message: "the endpoint answered without an AWS error code: it is probably not IAM".into(),
        },
        StsError::ServerError { status, code } => IamError::Service {
            code: format!("HTTP {status}"),
            message: format!(
                "{}a fault on AWS's side, usually brief: try again in a minute",
                code.map(|c| format!("{c}: ")).unwrap_or_default()
            ),
        },
        err @ StsError::ClockSkew { .. } => {
            IamError::Service { code: err.to_string(), message: super::error::skew_advice(&err) }
        }
        StsError::Unreachable { reason } | StsError::Other { reason } => IamError::Unreachable { reason },
        err @ StsError::BadAnswer { .. } => {
            IamError::Service { code: "unusable answer".into(), message: format!("{err}: is it IAM?") }
        }
    }
}

fn to_time(t: Option<&aws_sdk_iam::primitives::DateTime>) -> Option<OffsetDateTime> {
    t.and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok())
}

impl Iam for AwsIam {
    fn list_access_keys<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<KeyMeta>, IamError>> {
        Box::pin(async move {
            let output = client(endpoint, creds)
                .list_access_keys()
                .set_user_name(user.map(str::to_string))
                .send()
                .await
                .map_err(|e| map_error(e, endpoint))?;
            Ok(output
                .access_key_metadata()
                .iter()
                .map(|k| KeyMeta {
                    id: k.access_key_id().unwrap_or_default().to_string(),
                    active: k.status().is_none_or(|s| s.as_str() == "Active"),
                    created: to_time(k.create_date()),
                })
                .collect())
        })
    }

    fn last_used<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<LastUsed, IamError>> {
        Box::pin(async move {
            let output = client(endpoint, creds)
                .get_access_key_last_used()
                .access_key_id(key_id)
                .send()
                .await
                .map_err(|e| map_error(e, endpoint))?;
            let used = output.access_key_last_used();
            Ok(LastUsed {
                when: to_time(used.and_then(|u| u.last_used_date())),
                service: used.map(|u| u.service_name().to_string()).filter(|s| !s.is_empty() && s != "N/A"),
            })
        })
    }

    fn create_access_key<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
    ) -> BoxFuture<'a, Result<NewKey, IamError>> {
        Box::pin(async move {
            let output = client(endpoint, creds)
                .create_access_key()
                .set_user_name(user.map(str::to_string))
                .send()
                .await
                .map_err(|e| map_error(e, endpoint))?;
            let key = output.access_key().ok_or_else(|| IamError::Service {
                code: "NoAccessKey".into(),
                message: "IAM returned no access key".into(),
            })?;
            Ok(NewKey { id: key.access_key_id().to_string(), secret: Secret::new(key.secret_access_key()) })
        })
    }

    fn delete_access_key<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        user: Option<&'a str>,
        key_id: &'a str,
    ) -> BoxFuture<'a, Result<(), IamError>> {
        Box::pin(async move {
            client(endpoint, creds)
                .delete_access_key()
                .set_user_name(user.map(str::to_string))
                .access_key_id(key_id)
                .send()
                .await
                .map_err(|e| map_error(e, endpoint))?;
            Ok(())
        })
    }
}

/// The IAM user name in `arn:PARTITION:iam::ACCOUNT:user/path/name`; `None` for root and
/// for anything that is not a user.
pub(crate) fn user_name(arn: &str) -> Option<&str> {
    crate::config::Arn::parse(arn)?.iam_user_name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_come_from_user_arns_only() {
        assert_eq!(user_name("arn:aws:iam::123456789012:user/alice"), Some("alice"));
        assert_eq!(user_name("arn:aws-cn:iam::123456789012:user/team/bob"), Some("bob"));
        assert_eq!(user_name("arn:aws:iam::123456789012:root"), None);
        assert_eq!(user_name("arn:aws:sts::123456789012:assumed-role/r/s"), None);
    }
}
