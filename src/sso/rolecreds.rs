//! Role credentials for an SSO profile: `GetRoleCredentials` with the login's token, and the
//! AWS CLI's cache entry for them (`~/.aws/cli/cache`, under the key botocore's
//! SSOCredentialFetcher computes, in its format), so `aws --profile X` reuses what awsw
//! fetched without a call to the portal, and the other way round. The engine's store does
//! the caching (see `creds::store`).

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::cache::format_time;
use super::error::SsoError;
use super::portal::{Portal, PortalError, portal_failure};
use super::target::SsoTarget;
use crate::creds::clicache::python_json_string;
use crate::creds::types::Credentials;
use crate::secret::Secret;

/// `sha1(json.dumps({accountId, roleName, sessionName | startUrl}, sort_keys=True,
/// separators=(',', ':')))`: the file botocore caches SSO role credentials in.
pub(crate) fn cli_cache_file_name(target: &SsoTarget, account_id: &str, role_name: &str) -> String {
    let last = match &target.session {
        Some(session) => format!("\"sessionName\":{}", python_json_string(session)),
        None => format!("\"startUrl\":{}", python_json_string(&target.start_url)),
    };
    let text = format!(
        "{{\"accountId\":{},\"roleName\":{},{last}}}",
        python_json_string(account_id),
        python_json_string(role_name)
    );
    format!("{}.json", hex::encode(Sha1::digest(text.as_bytes())))
}

/// What one SSO profile asks the portal for.
pub(crate) struct RoleRequest<'a> {
    pub(crate) profile: &'a str,
    pub(crate) account_id: &'a str,
    pub(crate) role_name: &'a str,
}

/// `GetRoleCredentials` with the login's token; a role no longer assigned names the profile.
pub(crate) async fn fetch(
    portal: &dyn Portal,
    target: &SsoTarget,
    token: &Secret,
    request: &RoleRequest<'_>,
) -> Result<Credentials, SsoError> {
    portal.get_role_credentials(token, request.account_id, request.role_name).await.map_err(|e| match e {
        PortalError::NoAccess => SsoError::RoleGone {
            profile: request.profile.to_string(),
            account: request.account_id.to_string(),
            role: request.role_name.to_string(),
        },
        e => portal_failure(target, "GetRoleCredentials", portal.endpoint(), e),
    })
}

/// The AWS CLI cache entry botocore's SSO credential fetcher writes; `None` for credentials
/// without a token or an expiry (never long-term keys).
pub(crate) fn cli_body(creds: &Credentials, account_id: &str) -> Option<Value> {
    let (Some(session_token), Some(expiration)) = (&creds.session_token, creds.expiration) else {
        return None;
    };
    Some(json!({
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key.expose(),
            "SessionToken": session_token.expose(),
            "Expiration": format_time(expiration),
            "AccountId": account_id,
        },
    }))
}
