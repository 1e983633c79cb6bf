//! Console sign-in through the AWS federation endpoint: temporary credentials become a sign-in
//! token (`getSigninToken`), and the token a login URL with a destination page. Long-term IAM
//! user keys are first exchanged for a federation token (`sts:GetFederationToken`), because
//! the endpoint accepts only temporary credentials from `AssumeRole`-like calls.
//!
//! The login URL grants console access for 15 minutes: it is a `Secret`, and no error here
//! contains it, the sign-in token or the session.

use super::http;
use super::sts::{Endpoint, STS_SETTING, StsError, client, map_error, to_credentials};
use super::types::Credentials;
use crate::secret::Secret;

/// The AWS partitions, each with its own sign-in and console hosts.
/// The variable that points awsw at a local federation endpoint. Only awsw's tests set it,
/// and only a loopback address is accepted, so it cannot send a session elsewhere.
pub(crate) const TEST_ENDPOINT_VAR: &str = "AWSW_TEST_FEDERATION_ENDPOINT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    /// From the partition of the role ARN (`arn:aws-cn:…`), else from the region's name.
    pub(crate) fn of(role_arn: Option<&str>, region: &str) -> Partition {
        match role_arn.and_then(crate::config::Arn::parse).map(|arn| arn.partition) {
            Some("aws-cn") => Partition::China,
            Some("aws-us-gov") => Partition::GovCloud,
            Some("aws") => Partition::Aws,
            _ if region.starts_with("cn-") => Partition::China,
            _ if region.starts_with("us-gov-") => Partition::GovCloud,
            _ => Partition::Aws,
        }
    }

    pub(crate) fn federation_endpoint(self) -> &'static str {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com/federation",
            Partition::China => "https://signin.amazonaws.cn/federation",
            Partition::GovCloud => "https://signin.amazonaws-us-gov.com/federation",
        }
    }

    pub(crate) fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::China => "console.amazonaws.cn",
            Partition::GovCloud => "console.amazonaws-us-gov.com",
        }
    }
}

/// The console page to land on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// The console home of the region.
    Home,
    /// A service's page, e.g. `ec2`.
    Service(String),
    /// A URL on the partition's console.
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    #[error("--service {0:?} is not a service name: use letters, digits and '-' (e.g. ec2, s3, cloudwatch)")]
    BadService(String),
    #[error("--destination must be an https:// URL on {host} (got {given:?})")]
    BadDestination { given: String, host: &'static str },
    #[error(
        "the federation endpoint accepts only temporary credentials from a role or federation token; \
         these have no session token"
    )]
    LongTermKeys,
    #[error("cannot reach the AWS federation endpoint: {reason}")]
    Unreachable { reason: String },
    #[error("the AWS federation endpoint refused the session (HTTP {status}): {hint}")]
    Refused { status: u16, hint: &'static str },
    #[error("the AWS federation endpoint answered without a sign-in token (HTTP {status})")]
    NoToken { status: u16 },
}

impl Destination {
    /// The page's URL in `partition`, for `region`.
    pub(crate) fn url(&self, partition: Partition, region: &str) -> Result<String, FederationError> {
        let host = partition.console_host();
        match self {
            Destination::Home => Ok(format!("https://{host}/console/home?region={region}")),
            Destination::Service(name) => {
                let valid = !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !valid {
                    return Err(FederationError::BadService(name.clone()));
                }
                Ok(format!("https://{host}/{name}/home?region={region}"))
            }
            Destination::Url(given) => {
                let on_console = url::Url::parse(given).ok().is_some_and(|u| {
                    u.scheme() == "https"
                        && u.host_str().is_some_and(|h| h == host || h.ends_with(&format!(".{host}")))
                });
                match on_console {
                    true => Ok(given.clone()),
                    false => Err(FederationError::BadDestination { given: given.clone(), host }),
                }
            }
        }
    }
}

/// An inline session policy that allows everything: a federation token's permissions are
/// the intersection of this and the IAM user's own policies, so the console can do exactly
/// what the user's keys can (without a policy the token could do nothing).
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// Exchanges an IAM user's long-term keys for temporary credentials the federation
/// endpoint accepts. `name` becomes the federated user's name in CloudTrail.
pub(crate) async fn federation_token(
    endpoint: &Endpoint,
    keys: &Credentials,
    name: &str,
    duration_seconds: u32,
) -> Result<Credentials, StsError> {
    let output = client(endpoint, keys)
        .get_federation_token()
        .name(federated_user_name(name))
        .policy(ALLOW_ALL)
        .duration_seconds(duration_seconds as i32)
        .send()
        .await
        .map_err(|e| map_error(e, &endpoint.url(), STS_SETTING))?;
    to_credentials(output.credentials())
}

/// 2 to 32 characters of `[A-Za-z0-9+=,.@-]`, as GetFederationToken requires.
fn federated_user_name(name: &str) -> String {
    super::steps::aws_name(name, "+=,.@-", 32, "awsw")
}

/// The console login URL for `creds`, landing on `destination`. `endpoint` is the partition's
/// federation endpoint (or a test's).
pub(crate) async fn signin_url(
    creds: &Credentials,
    endpoint: &str,
    destination: &str,
) -> Result<Secret, FederationError> {
    let Some(token) = &creds.session_token else { return Err(FederationError::LongTermKeys) };
    let session = serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key.expose(),
        "sessionToken": token.expose(),
    })
    .to_string();
    let bad_endpoint = || FederationError::Unreachable { reason: "the endpoint is not a valid URL".into() };
    let request =
        url::Url::parse_with_params(endpoint, [("Action", "getSigninToken"), ("Session", &session)])
            .map_err(|_| bad_endpoint())?;
    let response =
        http::get(request.as_str()).await.map_err(|reason| FederationError::Unreachable { reason })?;
    if response.status != 200 {
        let hint = match response.status {
            400 | 401 | 403 => {
                "the credentials may have expired, or come from GetSessionToken, which it does not accept"
            }
            _ => "try again later",
        };
        return Err(FederationError::Refused { status: response.status, hint });
    }
    let signin_token = serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|v| v.get("SigninToken").and_then(|t| t.as_str()).map(Secret::new))
        .filter(|t| !t.expose().is_empty())
        .ok_or(FederationError::NoToken { status: response.status })?;
    let login = url::Url::parse_with_params(
        endpoint,
        [
            ("Action", "login"),
            ("Issuer", "awsw"),
            ("Destination", destination),
            ("SigninToken", signin_token.expose()),
        ],
    )
    .map_err(|_| bad_endpoint())?;
    Ok(Secret::new(String::from(login)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_come_from_the_arn_else_the_region() {
        assert_eq!(Partition::of(Some("arn:aws-cn:iam::1:role/r"), "us-east-1"), Partition::China);
        assert_eq!(Partition::of(Some("arn:aws-us-gov:iam::1:role/r"), "eu-west-1"), Partition::GovCloud);
        assert_eq!(Partition::of(None, "cn-north-1"), Partition::China);
        assert_eq!(Partition::of(None, "us-gov-west-1"), Partition::GovCloud);
        assert_eq!(Partition::of(None, "eu-west-1"), Partition::Aws);
        assert_eq!(Partition::China.federation_endpoint(), "https://signin.amazonaws.cn/federation");
        assert_eq!(
            Partition::GovCloud.federation_endpoint(),
            "https://signin.amazonaws-us-gov.com/federation"
        );
    }

    #[test]
    fn destinations() {
        let home = Destination::Home.url(Partition::China, "cn-north-1").unwrap();
        assert_eq!(home, "https://console.amazonaws.cn/console/home?region=cn-north-1");
        let ec2 = Destination::Service("ec2".into()).url(Partition::Aws, "eu-west-1").unwrap();
        assert_eq!(ec2, "https://console.aws.amazon.com/ec2/home?region=eu-west-1");
        assert!(Destination::Service("ec2/../x".into()).url(Partition::Aws, "eu-west-1").is_err());
        let s3 = "https://s3.console.aws.amazon.com/s3/buckets";
        assert_eq!(Destination::Url(s3.into()).url(Partition::Aws, "x").unwrap(), s3);
        for bad in ["http://console.aws.amazon.com/", "https://evil.example/console.aws.amazon.com", "ec2"] {
            assert!(Destination::Url(bad.into()).url(Partition::Aws, "x").is_err(), "{bad}");
        }
        assert!(
            Destination::Url(s3.into()).url(Partition::China, "x").is_err(),
            "another partition's console"
        );
    }

    #[test]
    fn federated_user_names_fit_the_rules() {
        assert_eq!(federated_user_name("alice"), "alice");
        assert_eq!(federated_user_name("a"), "aawsw");
        assert_eq!(federated_user_name("名前 with spaces"), "---with-spaces");
        assert_eq!(federated_user_name(&"x".repeat(40)).len(), 32);
    }
}
