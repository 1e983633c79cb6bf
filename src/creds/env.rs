//! What the engine takes from the process environment, read once at start (`EngineEnv`),
//! and the SDKs' precedence for where an STS call goes (`endpoint`). Tests build an
//! `EngineEnv` by hand. The engine's own choices read the environment only through it; the
//! IAM endpoint (`iam::endpoint`), the instance metadata settings (`imds`), the providers'
//! messages and aws-config's providers themselves still read their variables directly.

use super::providers::EnvCredentials;
use super::sts::Endpoint;
use crate::config::Profile;

/// Settings read from the environment once.
#[derive(Debug, Clone, Default)]
pub struct EngineEnv {
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`: beats the profile's region.
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL`: for STS, below `AWS_ENDPOINT_URL_STS` and the profile's
    /// `services` section, above its `endpoint_url`.
    pub endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_STS`: beats every other endpoint setting.
    pub endpoint_url_sts: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`: every endpoint setting is ignored.
    pub ignore_configured_endpoints: bool,
    /// The keys in the environment (`AWS_ACCESS_KEY_ID`, ...).
    pub credentials: EnvCredentials,
    /// The local user name: the last fallback for role session names.
    pub user: Option<String>,
}

impl EngineEnv {
    pub(crate) fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The same from any source of variables (empty values count as unset); the keys
    /// (`credentials`) still come from the process environment.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        EngineEnv {
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            endpoint_url: var("AWS_ENDPOINT_URL"),
            endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
            ignore_configured_endpoints: var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            credentials: EnvCredentials::from_env(),
            user: var("USER").or_else(|| var("LOGNAME")),
        }
    }

    /// The STS endpoint for calls made for `profile`, in the SDKs' precedence:
    /// `AWS_ENDPOINT_URL_STS`, the profile's `services` section, `AWS_ENDPOINT_URL`, the
    /// profile's `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables all.
    /// `None` for credentials that belong to no profile (the environment's), where only the
    /// environment's settings apply.
    pub(crate) fn endpoint(&self, profile: Option<&Profile>) -> Endpoint {
        let url = if self.ignore_configured_endpoints {
            None
        } else {
            self.endpoint_url_sts
                .clone()
                .or_else(|| profile.and_then(|p| p.sts_endpoint_url.clone()))
                .or_else(|| self.endpoint_url.clone())
                .or_else(|| profile.and_then(|p| p.endpoint_url.clone()))
        };
        let region = self
            .region
            .clone()
            .or_else(|| profile.and_then(|p| p.region.clone()))
            .unwrap_or_else(|| "us-east-1".into());
        Endpoint { region, url }
    }
}
