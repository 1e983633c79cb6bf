//! Discovery: every account a token may use (ListAccounts, all pages) and every role in
//! each (ListAccountRoles, all pages), a few calls at once, backing off with full jitter on
//! `TooManyRequestsException` and carrying on until every account is done. The result holds
//! no secret and is cached per session in awsw's cache directory.

use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::device::Sleeper;
use super::portal::{AccountInfo, Page, Portal, PortalError};
use super::target::SsoTarget;
use crate::creds::fsutil;
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredAccount {
    pub account_id: String,
    pub account_name: String,
    pub email_address: String,
    pub roles: Vec<String>,
}

/// How throttled calls are retried: sleep a random time in `[0, min(cap, base * 2^n)]`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(5), max_attempts: 30 }
    }
}

impl Backoff {
    fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.base.saturating_mul(1 << attempt.min(16)).min(self.cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// At most this many portal calls at once: the portal allows about 20 per second.
pub const CONCURRENCY: usize = 4;

async fn with_backoff<'a, T>(
    sleeper: &dyn Sleeper,
    backoff: Backoff,
    mut call: impl FnMut() -> BoxFuture<'a, Result<T, PortalError>>,
) -> Result<T, PortalError> {
    let mut attempt = 0;
    loop {
        match call().await {
            Err(PortalError::TooManyRequests) if attempt + 1 < backoff.max_attempts => {
                sleeper.sleep(backoff.delay(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Every page of a paginated call, each call retried on throttling.
async fn all_pages<'a, T>(
    sleeper: &dyn Sleeper,
    backoff: Backoff,
    page: impl Fn(Option<String>) -> BoxFuture<'a, Result<Page<T>, PortalError>>,
) -> Result<Vec<T>, PortalError> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let got = with_backoff(sleeper, backoff, || page(next.clone())).await?;
        items.extend(got.items);
        match got.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => return Ok(items),
        }
    }
}

/// Every account and role; `progress(done, total)` after each account's roles.
pub async fn discover(
    portal: &dyn Portal,
    sleeper: &dyn Sleeper,
    token: &Secret,
    backoff: Backoff,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<DiscoveredAccount>, PortalError> {
    let accounts: Vec<AccountInfo> = all_pages(sleeper, backoff, |next| {
        Box::pin(async move { portal.list_accounts(token, next.as_deref()).await })
    })
    .await?;
    let total = accounts.len();
    let mut done = 0;
    let mut out = Vec::with_capacity(total);
    let mut roles = futures::stream::iter(accounts)
        .map(|account| async move {
            let id = account.account_id.clone();
            let roles = all_pages(sleeper, backoff, |next| {
                let id = id.clone();
                Box::pin(async move { portal.list_account_roles(token, &id, next.as_deref()).await })
            })
            .await;
            (account, roles)
        })
        .buffered(CONCURRENCY);
    while let Some((account, roles)) = roles.next().await {
        let mut roles = match roles {
            Ok(roles) => roles,
            // Removed or unassigned while we were listing: it has no roles for this user now.
            Err(PortalError::NoAccess) => Vec::new(),
            Err(err) => return Err(err),
        };
        roles.sort();
        done += 1;
        progress(done, total);
        if roles.is_empty() {
            continue;
        }
        out.push(DiscoveredAccount {
            account_id: account.account_id,
            account_name: account.account_name,
            email_address: account.email_address,
            roles,
        });
    }
    Ok(out)
}

/// What `awsw sso accounts` prints and the picker will read: no tokens, no keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discovery {
    pub version: u32,
    pub session: Option<String>,
    pub start_url: String,
    pub fetched_at: String,
    pub accounts: Vec<DiscoveredAccount>,
}

/// `<awsw cache>/sso-accounts-<sha1 of the session or start URL>.json`, 0600.
pub struct DiscoveryCache {
    dir: PathBuf,
}

impl DiscoveryCache {
    pub fn new(dir: PathBuf) -> Self {
        DiscoveryCache { dir }
    }

    pub fn path(&self, target: &SsoTarget) -> PathBuf {
        let id = target.session.as_deref().unwrap_or(&target.start_url);
        self.dir.join(format!("sso-accounts-{}.json", hex::encode(Sha1::digest(id.as_bytes()))))
    }

    pub fn load(&self, target: &SsoTarget) -> Option<Discovery> {
        // 10,000 accounts with a few roles each is a few MB; other caches stop at 1 MiB.
        let text = fsutil::read_private_up_to(&self.path(target), 32 << 20)?;
        serde_json::from_str::<Discovery>(&text)
            .ok()
            .filter(|d| d.version == 1 && d.start_url == target.start_url)
    }

    pub fn store(&self, target: &SsoTarget, discovery: &Discovery) -> std::io::Result<()> {
        let text = serde_json::to_string(discovery).map_err(std::io::Error::other)?;
        fsutil::write_private(&self.dir, &self.path(target), text.as_bytes())
    }
}
