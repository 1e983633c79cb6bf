//! The engine's STS calls: the three it makes, behind a trait, so the planning logic is
//! tested with a fake. The real implementation builds an aws-sdk-sts client per call with the
//! profile's region and endpoint, short timeouts and the standard retries, and notes how far
//! the local clock is from the `Date` of each answer. `map_error`, which turns an SDK failure
//! into an `StsError`, serves IAM's calls too.

use std::time::Duration;

use futures::future::BoxFuture;
use time::OffsetDateTime;

use super::netfault::NetFault;
use super::types::{Credentials, Identity};
use crate::secret::Secret;

/// The short reason, for messages that already name the profile and endpoint.
impl std::fmt::Display for StsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StsError::Service { code, message } if message.is_empty() => write!(f, "{code}"),
            StsError::Service { code, message } => write!(f, "{code}: {message}"),
            StsError::Unreachable { reason } | StsError::Other { reason } => write!(f, "{reason}"),
            StsError::BadAnswer { reason } => write!(f, "an answer awsw cannot use ({reason})"),
            StsError::Timeout => write!(f, "no answer in time"),
            StsError::NotSts { status } => {
                write!(f, "HTTP {status} with no STS error (probably not an STS endpoint)")
            }
            StsError::ServerError { status, code } => {
                write!(f, "HTTP {status}{}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())
            }
            StsError::ClockSkew { code, .. } => write!(f, "{code} (the local clock is off)"),
        }
    }
}

/// Where an STS call goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The region the call is signed for; without `url` it also picks the regional endpoint.
    pub region: String,
    /// An explicit endpoint (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, a `services`
    /// section, `endpoint_url`); `None` means the SDK's regional STS endpoint.
    pub url: Option<String>,
}

impl Endpoint {
    /// For messages: the URL, or what the SDK will use.
    pub(crate) fn describe(&self) -> String {
        self.url.clone().unwrap_or_else(|| format!("sts.{}.amazonaws.com", self.region))
    }

    /// The URL a call goes to.
    pub(crate) fn url(&self) -> String {
        self.url.clone().unwrap_or_else(|| format!("https://sts.{}.amazonaws.com", self.region))
    }
}

/// Where a user sets the STS endpoint, for messages about reaching it.
pub(crate) const STS_SETTING: &str = "AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL";

/// An MFA device and the code read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaToken {
    /// The device's ARN (`mfa_serial`), sent as `SerialNumber`.
    pub serial: String,
    /// The six digits read from it, sent as `TokenCode`; never logged.
    pub code: String,
}

/// What one `AssumeRole` call asks for, from the role profile's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    /// The role to assume (the profile's `role_arn`).
    pub role_arn: String,
    /// `role_session_name`, else the IAM user's or the local user's name, sanitized for STS.
    pub session_name: String,
    /// Seconds the role session lasts (`duration_seconds`, cut to 3600 when the source is a
    /// role's); the role's default when `None`.
    pub duration_seconds: Option<u32>,
    pub(crate) external_id: Option<String>,
    /// The device and code, when the role profile has its own `mfa_serial` and no earlier
    /// step of the chain already answered for that device.
    pub mfa: Option<MfaToken>,
}

/// What one `GetSessionToken` call (a static root's base session) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokenRequest {
    /// Seconds the session lasts (`AWSW_SESSION_DURATION`); STS's default when `None`.
    pub duration_seconds: Option<u32>,
    /// The root's MFA device and code, when the root has `mfa_serial`.
    pub mfa: Option<MfaToken>,
}

/// The credentials of an assumed role and who they belong to.
#[derive(Debug, Clone)]
pub struct RoleSession {
    /// The role's temporary credentials.
    pub credentials: Credentials,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, when STS said.
    pub assumed_role_arn: Option<String>,
    /// `ROLEID:SESSION`, when STS said; kept as the session's `Identity::user_id`.
    pub assumed_role_id: Option<String>,
}

/// An STS failure, before the engine names the profile it happened to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsError {
    /// STS answered with an error code (`AccessDenied`, `InvalidClientTokenId`, ...).
    Service {
        /// The AWS error code.
        code: String,
        /// The service's message (may be empty).
        message: String,
    },
    /// The request never got an answer: DNS, connection, TLS or proxy trouble.
    Unreachable {
        /// What failed and which setting to check (`NetFault::describe`).
        reason: String,
    },
    /// No answer within the call's time limit (10 s with retries; 3 s to connect).
    Timeout,
    /// An HTTP error without an AWS error code: whatever answered is probably not STS.
    NotSts {
        /// The HTTP status code.
        status: u16,
    },
    /// HTTP 5xx (after the SDK's retries): the service's side, worth trying again.
    ServerError {
        /// The HTTP status code.
        status: u16,
        /// The AWS error code, when the answer had one.
        code: Option<String>,
    },
    /// A signature refused because the local clock is off; `skew` is local minus the
    /// service's `Date`, in seconds, when the answer had one.
    ClockSkew {
        /// The AWS error code (`RequestExpired`, `SignatureDoesNotMatch`, ...).
        code: String,
        /// Local time minus the service's, in seconds.
        skew: Option<i64>,
    },
    /// An answer that arrived but cannot be used: not the XML of the action, or no
    /// credentials in it (an endpoint that is not STS, or a proxy's page).
    BadAnswer {
        /// What was wrong with it.
        reason: String,
    },
    /// Anything else the SDK reported without an answer to go by, as its innermost cause.
    Other {
        /// The innermost cause's text.
        reason: String,
    },
}

/// The three STS calls the engine makes, each with the credentials to sign with and the
/// endpoint to send to. `AwsSts` is the real one; tests pass fakes.
pub trait Sts: Send + Sync {
    /// `AssumeRole` with `creds` (the previous hop's or the root's credentials).
    fn assume_role<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>>;

    /// `GetSessionToken` with long-term keys: the base session of a static root (with an
    /// MFA code or without).
    fn get_session_token<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>>;

    /// `GetCallerIdentity`: who `creds` belong to (needs no MFA, even for keys whose
    /// policies demand it elsewhere).
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
    aws_sdk_sts::Client::from_conf(builder.interceptor(SkewWatch).build())
}

/// The offset of the local clock from STS's last `Date` (local minus STS, seconds).
static MEASURED_SKEW: std::sync::Mutex<Option<i64>> = std::sync::Mutex::new(None);
/// Beyond this, AWS refuses signatures (the SDK then corrects and signs again, so the call
/// works, but every expiry awsw compares with the local clock is off by as much).
const SKEW_LIMIT: i64 = 300;

/// Reads the `Date` of every STS answer, so a wrong local clock is noticed even when the
/// SDK's own correction let the call through.
#[derive(Debug)]
struct SkewWatch;

impl aws_sdk_sts::config::Intercept for SkewWatch {
    fn name(&self) -> &'static str {
        "awsw-skew-watch"
    }

    fn read_before_deserialization(
        &self,
        context: &aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _: &aws_sdk_sts::config::RuntimeComponents,
        _: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(skew) = context.response().headers().get("date").and_then(|date| skew_from(date, now())) {
            *MEASURED_SKEW.lock().unwrap_or_else(|e| e.into_inner()) = Some(skew);
        }
        Ok(())
    }
}

/// Once, when STS's clock was more than 5 minutes from this one: what that means and what
/// to do.
pub(crate) fn take_clock_notice() -> Option<String> {
    let skew = MEASURED_SKEW.lock().unwrap_or_else(|e| e.into_inner()).take()?;
    (skew.abs() > SKEW_LIMIT).then(|| {
        format!(
            "{}; until then AWS accepts calls only because the SDK corrects for it, and every expiry time awsw shows or checks is off by as much",
            super::error::clock_advice(Some(skew))
        )
    })
}

pub(crate) fn map_error<E>(
    err: aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    url: &str,
    setting: &str,
) -> StsError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let unreachable = |err: &(dyn std::error::Error + 'static)| match NetFault::classify(err, url) {
        NetFault::Timeout => StsError::Timeout,
        fault => StsError::Unreachable { reason: fault.describe(setting) },
    };
    match &err {
        SdkError::ServiceError(service) => {
            let (raw, code) = (service.raw(), service.err().code());
            let status = raw.status().as_u16();
            let message = service.err().message().unwrap_or("");
            match code {
                Some(code) if is_clock_skew(code, message) => StsError::ClockSkew {
                    code: code.to_string(),
                    skew: raw.headers().get("date").and_then(|date| skew_from(date, now())),
                },
                Some(code) if status >= 500 && !is_throttling(code) => {
                    StsError::ServerError { status, code: Some(code.to_string()) }
                }
                None if status >= 500 => StsError::ServerError { status, code: None },
                None => StsError::NotSts { status },
                Some(code) => StsError::Service { code: code.to_string(), message: message.to_string() },
            }
        }
        SdkError::TimeoutError(_) => StsError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => StsError::Timeout,
        SdkError::DispatchFailure(_) => unreachable(&err),
        SdkError::ResponseError(_) => StsError::BadAnswer { reason: innermost_cause(&err) },
        _ => StsError::Other { reason: innermost_cause(&err) },
    }
}

pub(crate) fn is_throttling(code: &str) -> bool {
    matches!(code, "Throttling" | "ThrottlingException" | "RequestLimitExceeded")
}

/// A refusal that means the request's time was off: the codes AWS uses for it, and STS's
/// `SignatureDoesNotMatch` when its message says the signature expired or is not yet valid.
fn is_clock_skew(code: &str, message: &str) -> bool {
    matches!(code, "RequestExpired" | "RequestTimeTooSkewed" | "RequestInTheFuture")
        || (matches!(code, "SignatureDoesNotMatch" | "InvalidSignatureException")
            && (message.contains("Signature expired") || message.contains("Signature not yet current")))
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Local time minus the `Date` an answer carried, in whole seconds.
fn skew_from(date: &str, local: OffsetDateTime) -> Option<i64> {
    super::http::parse_http_date(date).map(|server| (local - server).whole_seconds())
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
    let creds = creds.ok_or_else(|| StsError::BadAnswer { reason: "no credentials in it".into() })?;
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
            let output = call.send().await.map_err(|e| map_error(e, &endpoint.url(), STS_SETTING))?;
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
            let output = call.send().await.map_err(|e| map_error(e, &endpoint.url(), STS_SETTING))?;
            to_credentials(output.credentials())
        })
    }

    fn get_caller_identity<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async move {
            let output = client(endpoint, creds)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| map_error(e, &endpoint.url(), STS_SETTING))?;
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

    #[test]
    fn a_refused_signature_is_a_clock_problem_only_when_sts_says_the_time_is_off() {
        let expired = "Signature expired: 20261125T010000Z is now earlier than 20261125T014500Z (20261125T020000Z - 15 min.)";
        assert!(is_clock_skew("SignatureDoesNotMatch", expired));
        assert!(is_clock_skew("SignatureDoesNotMatch", "Signature not yet current: a is still later than b"));
        assert!(is_clock_skew("RequestExpired", ""));
        assert!(!is_clock_skew(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match"
        ));
        let local = time::macros::datetime!(2026-11-25 01:00:00 UTC);
        assert_eq!(skew_from("Wed, 25 Nov 2026 02:00:00 GMT", local), Some(-3600));
        assert_eq!(skew_from("soon", local), None);
    }
}
