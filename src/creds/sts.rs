//! The only network code of the engine: the three STS calls behind a trait, so the planning
//! logic is tested with a fake. The real implementation builds an aws-sdk-sts client per
//! call with the profile's region and endpoint, short timeouts and the standard retries.

use std::time::Duration;

use futures::future::BoxFuture;
use time::OffsetDateTime;

use super::types::{Credentials, Identity};
use crate::secret::Secret;

/// The short reason, for messages that already name the profile and endpoint.
impl std::fmt::Display for StsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StsError::Service { code, message } if message.is_empty() => write!(f, "{code}"),
            StsError::Service { code, message } => write!(f, "{code}: {message}"),
            StsError::Unreachable { reason } | StsError::Other { reason } => write!(f, "{reason}"),
            StsError::Timeout => write!(f, "no answer in time"),
            StsError::NotSts { status } => {
                write!(f, "HTTP {status} with no STS error (probably not an STS endpoint)")
            }
        }
    }
}

/// Where an STS call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub region: String,
    /// An explicit endpoint (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, a `services`
    /// section, `endpoint_url`); `None` means the SDK's regional STS endpoint.
    pub url: Option<String>,
}

impl Endpoint {
    /// For messages: the URL, or what the SDK will use.
    pub fn describe(&self) -> String {
        self.url.clone().unwrap_or_else(|| format!("sts.{}.amazonaws.com", self.region))
    }
}

/// An MFA device and the code read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub serial: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<String>,
    pub mfa: Option<MfaToken>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokenRequest {
    pub duration_seconds: Option<u32>,
    pub mfa: Option<MfaToken>,
}

/// The credentials of an assumed role and who they belong to.
#[derive(Debug, Clone)]
pub struct RoleSession {
    pub credentials: Credentials,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, when STS said.
    pub assumed_role_arn: Option<String>,
    pub assumed_role_id: Option<String>,
}

/// An STS failure, before the engine names the profile it happened to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsError {
    /// STS answered with an error code (`AccessDenied`, `InvalidClientTokenId`, ...).
    Service {
        code: String,
        message: String,
    },
    Unreachable {
        reason: String,
    },
    Timeout,
    /// An HTTP error without an AWS error code: whatever answered is probably not STS.
    NotSts {
        status: u16,
    },
    Other {
        reason: String,
    },
}

pub trait Sts: Send + Sync {
    fn assume_role<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>>;

    fn get_session_token<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>>;

    fn get_caller_identity<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>>;
}

/// STS through aws-sdk-sts.
pub struct AwsSts;

/// Connect within 3 s, finish a call (with its retries) within 10 s: a dead network or a
/// black-holed endpoint fails fast instead of hanging a shell prompt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn client(endpoint: &Endpoint, creds: &Credentials) -> aws_sdk_sts::Client {
    use aws_sdk_sts::config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
    let expiry = creds
        .expiration
        .map(|t| std::time::UNIX_EPOCH + Duration::from_secs(t.unix_timestamp().max(0) as u64));
    let sdk_creds = aws_sdk_sts::config::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        expiry,
        "awsw",
    );
    let mut builder = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(endpoint.region.clone()))
        .credentials_provider(sdk_creds)
        .timeout_config(
            TimeoutConfig::builder().connect_timeout(CONNECT_TIMEOUT).operation_timeout(CALL_TIMEOUT).build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(url) = &endpoint.url {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_sts::Client::from_conf(builder.build())
}

pub(crate) fn map_error<E>(
    err: aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
) -> StsError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;
    match &err {
        SdkError::ServiceError(service) if service.err().code().is_none() => {
            StsError::NotSts { status: service.raw().status().as_u16() }
        }
        SdkError::ServiceError(service) => StsError::Service {
            code: service.err().code().unwrap_or("Unknown").to_string(),
            message: service.err().message().unwrap_or("").to_string(),
        },
        SdkError::TimeoutError(_) => StsError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => StsError::Timeout,
        SdkError::DispatchFailure(_) => StsError::Unreachable { reason: innermost_cause(&err) },
        _ => StsError::Other { reason: innermost_cause(&err) },
    }
}

/// The innermost cause with something to say, e.g. `Connection refused (os error 111)`:
/// the outer layers (`dispatch failure`, `io error`) do not help the user, and the SDK's
/// `DisplayErrorContext` appends a `Debug` dump that does not belong in a one-line message.
pub(crate) fn innermost_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = err.to_string();
    let mut current = err.source();
    while let Some(cause) = current {
        let text = cause.to_string();
        if !text.trim().is_empty() {
            reason = text;
        }
        current = cause.source();
    }
    reason.trim().to_string()
}

pub(crate) fn to_credentials(
    creds: Option<&aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, StsError> {
    let creds = creds.ok_or_else(|| StsError::Other { reason: "STS returned no credentials".into() })?;
    Ok(Credentials {
        access_key_id: creds.access_key_id().to_string(),
        secret_access_key: Secret::new(creds.secret_access_key()),
        session_token: Some(Secret::new(creds.session_token())),
        expiration: OffsetDateTime::from_unix_timestamp(creds.expiration().secs()).ok(),
    })
}

impl Sts for AwsSts {
    fn assume_role<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
        Box::pin(async move {
            let mut call = client(endpoint, creds)
                .assume_role()
                .role_arn(&request.role_arn)
                .role_session_name(&request.session_name)
                .set_duration_seconds(request.duration_seconds.map(|d| d as i32))
                .set_external_id(request.external_id.clone());
            if let Some(mfa) = &request.mfa {
                call = call.serial_number(&mfa.serial).token_code(&mfa.code);
            }
            let output = call.send().await.map_err(map_error)?;
            Ok(RoleSession {
                credentials: to_credentials(output.credentials())?,
                assumed_role_arn: output.assumed_role_user().map(|u| u.arn().to_string()),
                assumed_role_id: output.assumed_role_user().map(|u| u.assumed_role_id().to_string()),
            })
        })
    }

    fn get_session_token<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>> {
        Box::pin(async move {
            let mut call = client(endpoint, creds)
                .get_session_token()
                .set_duration_seconds(request.duration_seconds.map(|d| d as i32));
            if let Some(mfa) = &request.mfa {
                call = call.serial_number(&mfa.serial).token_code(&mfa.code);
            }
            let output = call.send().await.map_err(map_error)?;
            to_credentials(output.credentials())
        })
    }

    fn get_caller_identity<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async move {
            let output = client(endpoint, creds).get_caller_identity().send().await.map_err(map_error)?;
            Ok(Identity {
                account: output.account().unwrap_or_default().to_string(),
                arn: output.arn().unwrap_or_default().to_string(),
                user_id: output.user_id().unwrap_or_default().to_string(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_the_innermost_cause_that_says_something() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let chain = Layer(
            "dispatch failure",
            Some(Box::new(Layer(
                "io error",
                Some(Box::new(Layer("Connection refused (os error 111)", Some(Box::new(Layer(" ", None)))))),
            ))),
        );
        assert_eq!(innermost_cause(&chain), "Connection refused (os error 111)");
        assert_eq!(innermost_cause(&Layer("timed out", None)), "timed out");
    }
}
