//! `awsw logout [SSO_SESSION|PROFILE]`: signs the token out at the portal (`Logout`), then
//! deletes the token file and the role credentials cached from it for the session's
//! profiles, as `aws sso logout` does. Files awsw may not trust are left alone and named.

use super::Error;
use super::session::block_on;
use super::sso::SsoContext;
use crate::cli::LogoutArgs;
use crate::context::Context;
use crate::creds::cache::{CacheKey, SessionCache};
use crate::sso::portal::{Portal, PortalError};
use crate::sso::rolecreds::cli_cache_file_name;
use crate::sso::target;

/// The cache files of role credentials fetched with this target's token: the AWS CLI's
/// file and awsw's own entry, per SSO profile of the target.
fn role_files(ctx: &SsoContext) -> Vec<(String, CacheKey)> {
    ctx.inventory
        .profiles
        .iter()
        .filter(|p| p.chain.len() <= 1)
        .filter(|p| target::for_profile(&ctx.inventory, p).is_ok_and(|t| t == ctx.target))
        .filter_map(|p| {
            let sso = p.sso()?;
            let (account_id, role_name) = (sso.account_id()?.to_string(), sso.role_name()?.to_string());
            let cli = cli_cache_file_name(&ctx.target, &account_id, &role_name);
            let start_url = ctx.target.start_url.clone();
            Some((cli, CacheKey::SsoRole { profile: p.name.clone(), start_url, account_id, role_name }))
        })
        .collect()
}

/// Signs the token out at the portal, deletes it and the role credentials cached from it;
/// not being logged in is not an error.
pub fn run(args: &LogoutArgs, context: &Context) -> Result<(), Error> {
    let ctx = SsoContext::load(context, args.name.as_deref())?;
    let label = &ctx.target.label;
    let token = match ctx.cache.load_token(&ctx.target) {
        Ok(Some(token)) => token,
        Ok(None) => {
            eprintln!("awsw: {label}: not logged in (no token file)");
            return Ok(());
        }
        Err(e) => return Err(Error::failure(e)),
    };
    let portal = ctx.portal(true);
    let signed_out = block_on(portal.logout(&token.access_token));
    ctx.cache.delete_token(&ctx.target).map_err(Error::failure)?;
    let (cli_dir, awsw_dir) = (ctx.dirs.cli_cache(), ctx.dirs.cache.clone());
    for (cli_file, key) in role_files(&ctx) {
        if let Some(dir) = &cli_dir {
            let _ = std::fs::remove_file(dir.join(cli_file));
        }
        if let Some(dir) = &awsw_dir {
            let _ = std::fs::remove_file(SessionCache::new(dir.clone(), time::Duration::ZERO).path(&key));
        }
    }
    match signed_out {
        // Unauthorized: the token was already expired or signed out; nothing to undo.
        Ok(()) | Err(PortalError::Unauthorized) => {
            eprintln!("awsw: logged out of {label}; deleted its token and cached role credentials");
            Ok(())
        }
        Err(PortalError::Unreachable(reason)) => Err(Error::failure(format!(
            "{label}: deleted the local token, but could not reach IAM Identity Center at {} to sign it out ({reason}); it stays valid there until it expires",
            portal.endpoint()
        ))),
        Err(e) => {
            let reason = match e {
                PortalError::Service { code, message } => format!("{code}: {message}"),
                PortalError::TooManyRequests => "throttled".into(),
                _ => "refused".into(),
            };
            Err(Error::failure(format!(
                "{label}: deleted the local token, but the portal's Logout failed ({reason}); it stays valid there until it expires"
            )))
        }
    }
}
