//! Role credentials for an SSO profile: from the AWS CLI's cache (`~/.aws/cli/cache`, under
//! the key botocore's SSOCredentialFetcher computes) while they last, else `GetRoleCredentials`
//! with the session's token, written back in botocore's format so `aws --profile X` reuses
//! them without a call to the portal, and the other way round.

use serde_json::json;
use sha1::{Digest, Sha1};
use time::Duration;

use super::cache::{SsoToken, format_time};
use super::error::SsoError;
use super::portal::{Portal, PortalError, portal_failure};
use super::target::SsoTarget;
use crate::creds::clicache::{CliCache, python_json_string};
use crate::creds::clock::Clock;
use crate::creds::types::{Credentials, SessionOrigin};

/// `sha1(json.dumps({accountId, roleName, sessionName | startUrl}, sort_keys=True,
/// separators=(',', ':')))`: the file botocore caches SSO role credentials in.
pub fn cli_cache_file_name(target: &SsoTarget, account_id: &str, role_name: &str) -> String {
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
pub struct RoleRequest<'a> {
    pub profile: &'a str,
    pub account_id: &'a str,
    pub role_name: &'a str,
}

/// Cached role credentials with more than `min_remaining` left, else fresh ones.
pub async fn role_credentials(
    portal: &dyn Portal,
    cli_cache: &CliCache,
    clock: &dyn Clock,
    target: &SsoTarget,
    token: &SsoToken,
    request: &RoleRequest<'_>,
    min_remaining: Duration,
) -> Result<(Credentials, SessionOrigin), SsoError> {
    let file_name = cli_cache_file_name(target, request.account_id, request.role_name);
    if let Some(cached) = cli_cache.load_named(&file_name)
        && cached.expiration.is_some_and(|t| t - clock.now() > min_remaining)
    {
        return Ok((cached, SessionOrigin::Cache));
    }
    let creds = portal
        .get_role_credentials(&token.access_token, request.account_id, request.role_name)
        .await
        .map_err(|e| match e {
            PortalError::NoAccess => SsoError::RoleGone {
                profile: request.profile.to_string(),
                account: request.account_id.to_string(),
                role: request.role_name.to_string(),
            },
            e => portal_failure(target, "GetRoleCredentials", portal.endpoint(), e),
        })?;
    if let (Some(session_token), Some(expiration)) = (&creds.session_token, creds.expiration) {
        let body = json!({
            "ProviderType": "sso",
            "Credentials": {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key.expose(),
                "SessionToken": session_token.expose(),
                "Expiration": format_time(expiration),
                "AccountId": request.account_id,
            },
        });
        cli_cache
            .store_named(&file_name, &body)
            .map_err(|e| SsoError::Cache { path: cli_cache.dir().join(&file_name), reason: e.to_string() })?;
    }
    Ok((creds, SessionOrigin::Fresh))
}
