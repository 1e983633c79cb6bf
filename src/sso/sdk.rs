//! Building the aws-sdk-ssooidc and aws-sdk-sso clients (region, endpoint, timeouts, no
//! credentials: both services take none) and reading their errors into a code, a message
//! or a reason the network failed. No SDK `Debug` dump ever leaves this module.

use std::time::Duration;

use aws_sdk_sso::config::{Region, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .build()
}

pub(crate) fn oidc_client(region: &str, endpoint: &str) -> aws_sdk_ssooidc::Client {
    let config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .timeout_config(timeouts())
        .build();
    aws_sdk_ssooidc::Client::from_conf(config)
}

/// The portal client. `retries` off for discovery, which backs off on its own.
pub(crate) fn portal_client(region: &str, endpoint: &str, retries: bool) -> aws_sdk_sso::Client {
    let retry = if retries { RetryConfig::standard() } else { RetryConfig::disabled() };
    let config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .timeout_config(timeouts())
        .retry_config(retry)
        .build();
    aws_sdk_sso::Client::from_conf(config)
}

/// What a failed call amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The service answered with an error code (`x-amzn-ErrorType`) and HTTP status.
    Service { code: String, message: String, status: u16 },
    /// No answer: connection refused, DNS, TLS, timeout.
    Unreachable(String),
}

/// Where a user sets the SSO endpoints, for messages about reaching them.
const SSO_SETTING: &str = "AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC";

/// What `err`, from a call to `endpoint`, amounts to.
pub(crate) fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(
    err: &SdkError<E>,
    endpoint: &str,
) -> Failure {
    use crate::creds::netfault::NetFault;
    match err {
        // The service's side (after the SDK's retries): say so, with the status.
        SdkError::ServiceError(ctx) if ctx.raw().status().as_u16() >= 500 => Failure::Service {
            code: format!("HTTP {}", ctx.raw().status().as_u16()),
            message: format!(
                "{}a fault on AWS's side (or a proxy's), usually brief; try again in a minute",
                ctx.err().code().map(|c| format!("{c}: ")).unwrap_or_default()
            ),
            status: ctx.raw().status().as_u16(),
        },
        // An HTTP error without an AWS error code: whatever answered is not the service.
        SdkError::ServiceError(ctx) if ctx.err().code().is_none() => Failure::Service {
            code: format!("HTTP {}", ctx.raw().status().as_u16()),
            message: "no AWS error in the answer, so the endpoint is probably not IAM Identity Center; \
                      check AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL"
                .into(),
            status: ctx.raw().status().as_u16(),
        },
        SdkError::ServiceError(ctx) => Failure::Service {
            code: ctx.err().code().unwrap_or("Unknown").to_string(),
            message: ctx.err().message().unwrap_or("").to_string(),
            status: ctx.raw().status().as_u16(),
        },
        SdkError::TimeoutError(_) => Failure::Unreachable(NetFault::Timeout.describe(SSO_SETTING)),
        SdkError::DispatchFailure(f) if f.is_timeout() => {
            Failure::Unreachable(NetFault::Timeout.describe(SSO_SETTING))
        }
        SdkError::DispatchFailure(_) => {
            Failure::Unreachable(NetFault::classify(err, endpoint).describe(SSO_SETTING))
        }
        _ => Failure::Service { code: "Unknown".into(), message: innermost(err), status: 0 },
    }
}

/// The deepest cause's text ("Connection refused (os error 111)"): short, and free of the
/// request, which is where a bearer token would be.
fn innermost(err: &dyn std::error::Error) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
