//! Where the OIDC service and the portal are, read from the environment once, as the SDKs
//! do: `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL`, else
//! the regional endpoint; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores the variables.

#[derive(Debug, Clone, Default)]
pub(crate) struct SsoEndpoints {
    pub(crate) oidc: Option<String>,
    pub(crate) portal: Option<String>,
}

impl SsoEndpoints {
    pub(crate) fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return SsoEndpoints::default();
        }
        let global = var("AWS_ENDPOINT_URL");
        SsoEndpoints {
            oidc: var("AWS_ENDPOINT_URL_SSO_OIDC").or_else(|| global.clone()),
            portal: var("AWS_ENDPOINT_URL_SSO").or(global),
        }
    }

    /// The OIDC base URL for `region` (the authorize page of the PKCE flow hangs off it).
    pub(crate) fn oidc_url(&self, region: &str) -> String {
        self.oidc.clone().unwrap_or_else(|| format!("https://oidc.{region}.amazonaws.com"))
    }

    pub(crate) fn portal_url(&self, region: &str) -> String {
        self.portal.clone().unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"))
    }
}
