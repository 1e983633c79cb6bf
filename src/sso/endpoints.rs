//! Where the OIDC service and the portal are, taken from the environment awsw read at
//! start, as the SDKs do: `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL`, else
//! the regional endpoint; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` ignores the variables.

/// The endpoints the environment names; `None` for the regional default.
#[derive(Debug, Clone, Default)]
pub struct SsoEndpoints {
    /// The OIDC service (`RegisterClient`, `StartDeviceAuthorization`, `CreateToken`).
    pub oidc: Option<String>,
    /// The portal (`ListAccounts`, `ListAccountRoles`, `GetRoleCredentials`, `Logout`).
    pub portal: Option<String>,
}

impl SsoEndpoints {
    /// The endpoints `vars` names; none when configured endpoints are ignored.
    pub(crate) fn from_vars(vars: &crate::context::Vars, ignore_configured: bool) -> Self {
        let var = |name: &str| vars.get(name).filter(|v| !v.trim().is_empty()).map(str::to_string);
        if ignore_configured {
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
