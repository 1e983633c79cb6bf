//! The engine's SSO root: what readiness says before any call, and the two steps run
//! through the store's one caching wrapper (`SsoToken`, then `SsoRoleCredentials`, whose
//! result goes to awsw's cache and the AWS CLI's).

use super::Engine;
use crate::creds::error::CredsError;
use crate::creds::plan::{Plan, SsoRoot, SsoTokenState};
use crate::creds::steps;
use crate::creds::store::{Made, StoreKey};
use crate::creds::types::{Readiness, SessionOrigin};
use crate::sso::cache::SsoCache;

/// Ready with the cached role credentials, a login when the token cannot be used, else
/// nothing to say (the steps will run without asking anything).
pub(super) fn readiness(plan: &Plan, sso: &SsoRoot) -> Option<Readiness> {
    match &plan.cached_base {
        Some(credentials) if plan.hops.is_empty() => {
            Some(Readiness::Ready { expiration: credentials.expiration })
        }
        Some(_) => None,
        None if sso.token == SsoTokenState::Missing => {
            Some(Readiness::NeedsSsoLogin { command: format!("awsw login {}", sso.target.login) })
        }
        None => None,
    }
}

impl Engine {
    /// The SSO root's role credentials (a role's, for the next hop), cached or fetched.
    pub(super) async fn sso_root(
        &self,
        plan: &Plan<'_>,
        sso: &SsoRoot,
    ) -> Result<(Made, SessionOrigin, bool), CredsError> {
        let root = plan.root_profile;
        let make = async {
            let Some(dir) = self.sso.token_dir.clone() else {
                let command = format!("awsw login {}", sso.target.login);
                return Err(CredsError::SsoLoginRequired { profile: plan.profile.name.clone(), command });
            };
            let oidc = self.sso.connect.oidc(&sso.target);
            let token =
                steps::sso_token(&*oidc, &*self.clock, &SsoCache::new(dir), sso, &plan.profile.name).await?;
            let portal = self.sso.connect.portal(&sso.target);
            steps::sso_role_credentials(&*portal, sso, &root.name, &token).await
        };
        let key = StoreKey::SsoRole { key: &sso.key, cli_file: &sso.cli_file, account_id: &sso.account_id };
        let (made, origin) = self.store.cached(key, plan.cached_base.clone(), make).await?;
        Ok((made, origin, true))
    }
}
