//! `awsw sso accounts`: every account and role an sso-session's token may use, from the
//! portal (cached for the picker) or, with `--cached`, from that cache. Also what `login`
//! and `logout` share: the files, the target, the endpoints.

use std::io::IsTerminal;

use super::Error;
use super::session::block_on;
use crate::cli::{SsoAccountsArgs, SsoArgs, SsoCommand};
use crate::config::{self, Inventory};
use crate::context::Context;
use crate::creds::clock::{Clock, SystemClock};
use crate::sso::cache::{SsoCache, format_time};
use crate::sso::device::TokioSleeper;
use crate::sso::discovery::{Backoff, Discovery, DiscoveryCache, discover};
use crate::sso::endpoints::SsoEndpoints;
use crate::sso::oidc::SdkOidc;
use crate::sso::portal::{SdkPortal, portal_failure};
use crate::sso::token::valid_token;
use crate::sso::{SsoError, SsoTarget, target};

/// Everything an SSO command needs, read once.
pub(crate) struct SsoContext {
    pub(crate) inventory: Inventory,
    pub(crate) target: SsoTarget,
    pub(crate) endpoints: SsoEndpoints,
    pub(crate) cache: SsoCache,
    /// Where awsw's and the AWS CLI's caches are.
    pub(crate) dirs: crate::creds::engine::Dirs,
}

impl SsoContext {
    /// The user's files and the target `name` means.
    pub fn load(context: &Context, name: Option<&str>) -> Result<SsoContext, Error> {
        SsoContext::load_choosing(context, name, false)
    }

    /// The same; with no name and several sso-sessions, `choose` asks which one on the
    /// terminal (without one, the message names them: a usage error, exit 2).
    pub(crate) fn load_choosing(
        context: &Context,
        name: Option<&str>,
        choose: bool,
    ) -> Result<SsoContext, Error> {
        let loaded = context.config_paths().and_then(|paths| config::load(&paths)).map_err(Error::failure)?;
        let chosen = match name {
            None if choose && loaded.inventory.sso_sessions.len() > 1 => {
                super::login::choose_session(&loaded.inventory)?
            }
            _ => None,
        };
        let target = target::resolve(&loaded.inventory, name.or(chosen.as_deref())).map_err(|e| match e {
            SsoError::Ambiguous { .. } => Error::Usage(e.to_string()),
            e => Error::failure(e),
        })?;
        let cache_dir = context.engine.dirs.sso_cache().ok_or_else(|| Error::failure("HOME is not set"))?;
        Ok(SsoContext {
            inventory: loaded.inventory,
            target,
            endpoints: context.engine.sso.clone(),
            cache: SsoCache::new(cache_dir),
            dirs: context.engine.dirs.clone(),
        })
    }

    pub(crate) fn oidc(&self) -> SdkOidc {
        SdkOidc::new(&self.target.region, self.endpoints.oidc_url(&self.target.region))
    }

    pub(crate) fn portal(&self, retries: bool) -> SdkPortal {
        SdkPortal::new(&self.target.region, self.endpoints.portal_url(&self.target.region), retries)
    }
}

/// The discoveries cached for the config's sso-sessions (no network): what the picker
/// shows at once, and where a discovered profile name is looked up.
pub(crate) fn cached_discoveries(inventory: &Inventory, dirs: &crate::creds::engine::Dirs) -> Vec<Discovery> {
    let Some(store) = dirs.cache.clone().map(DiscoveryCache::new) else { return Vec::new() };
    let targets = inventory.sso_sessions.iter().filter_map(|s| target::for_session(inventory, &s.name).ok());
    targets.filter_map(|t| store.load(&t)).collect()
}

/// `awsw sso accounts|populate`.
pub fn run(args: &SsoArgs, context: &Context) -> Result<(), Error> {
    match &args.command {
        SsoCommand::Accounts(args) => accounts(args, context),
        SsoCommand::Populate(args) => super::populate::run(args, context),
    }
}

fn accounts(args: &SsoAccountsArgs, context: &Context) -> Result<(), Error> {
    let ctx = SsoContext::load(context, args.session.as_deref())?;
    let Some(dir) = context.engine.dirs.cache.clone() else { return Err(Error::failure("HOME is not set")) };
    let store = DiscoveryCache::new(dir);
    let discovery = if args.cached {
        match store.load(&ctx.target) {
            Some(d) => d,
            None => {
                let login = &ctx.target.login;
                return Err(Error::failure(format!(
                    "{}: nothing cached yet: run `awsw sso accounts {login}`",
                    ctx.target.label
                )));
            }
        }
    } else {
        discover_and_cache(&ctx)?
    };
    print_discovery(&discovery, args.json);
    Ok(())
}

/// Asks the portal for every account and role and caches the result for the picker.
pub(crate) fn discover_and_cache(ctx: &SsoContext) -> Result<Discovery, Error> {
    let discovery = block_on(fetch(ctx)).map_err(Error::failure)?;
    match ctx.dirs.cache.clone() {
        Some(dir) => {
            let store = DiscoveryCache::new(dir);
            if let Err(e) = store.store(&ctx.target, &discovery) {
                eprintln!("awsw: could not cache the accounts in {}: {e}", store.path(&ctx.target).display());
            }
        }
        None => eprintln!("awsw: HOME is not set: the accounts are not cached"),
    }
    Ok(discovery)
}

async fn fetch(ctx: &SsoContext) -> Result<Discovery, SsoError> {
    let tty = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if tty {
            eprint!("\r\x1b[2Kaccounts {done}/{total}");
        }
    };
    let discovery = fetch_discovery(&ctx.target, &ctx.endpoints, &ctx.cache, &progress).await;
    if tty {
        eprint!("\r\x1b[2K");
    }
    discovery
}

/// Every account and role `target`'s token may use, from the portal; `progress(done, total)`
/// after each account. The token is renewed silently if it can be.
pub(crate) async fn fetch_discovery(
    target: &SsoTarget,
    endpoints: &SsoEndpoints,
    cache: &SsoCache,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Discovery, SsoError> {
    let clock = SystemClock;
    let oidc = SdkOidc::new(&target.region, endpoints.oidc_url(&target.region));
    let token = valid_token(&oidc, &clock, cache, target).await?;
    let portal_url = endpoints.portal_url(&target.region);
    let portal = SdkPortal::new(&target.region, portal_url.clone(), false);
    let accounts = discover(&portal, &TokioSleeper, &token.access_token, Backoff::default(), progress)
        .await
        .map_err(|e| portal_failure(target, "ListAccounts/ListAccountRoles", &portal_url, e))?;
    Ok(Discovery {
        version: 1,
        session: target.session.clone(),
        start_url: target.start_url.clone(),
        fetched_at: format_time(clock.now()),
        accounts,
    })
}

fn print_discovery(discovery: &Discovery, json: bool) {
    if json {
        println!("{}", serde_json::to_string(discovery).unwrap_or_default());
        return;
    }
    for account in &discovery.accounts {
        for role in &account.roles {
            println!("{}\t{}\t{}\t{}", account.account_id, account.account_name, role, account.email_address);
        }
    }
}
