//! Discovery: every account a token may use (ListAccounts, all pages) and every role in
//! each (ListAccountRoles, all pages), a few calls at once under one shared pace that slows
//! down on `TooManyRequestsException` (see `pace`), carrying on until every account is done. The result holds
//! no secret and is cached per session in awsw's cache directory.

use std::path::PathBuf;
use std::sync::Mutex;

use futures::StreamExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::device::Sleeper;
use super::pace::{Pace, PaceLimits};
use super::portal::{AccountInfo, Page, Portal, PortalError};
use super::target::SsoTarget;
use crate::creds::fsutil;
use crate::secret::Secret;

/// One account the token may use, with its roles; accounts with no role are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredAccount {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name in AWS Organizations.
    pub account_name: String,
    /// The account's email address, which the picker's search also matches.
    pub email_address: String,
    /// The role names assigned to the user in this account, sorted.
    pub roles: Vec<String>,
}

/// How calls are paced and how often a throttled one is tried again (each retry waits for
/// its turn in the shared pace, which a throttle has just slowed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) pace: PaceLimits,
    pub(crate) max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { pace: PaceLimits::default(), max_attempts: 30 }
    }
}

/// At most this many portal calls at once: the portal allows about 20 per second.
pub(crate) const CONCURRENCY: usize = 4;

/// The pace shared by every call of one discovery.
struct Shared<'s> {
    sleeper: &'s dyn Sleeper,
    pace: Mutex<Pace>,
    max_attempts: u32,
}

impl Shared<'_> {
    fn pace(&self) -> std::sync::MutexGuard<'_, Pace> {
        self.pace.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `call` in its turn, again in a later turn while it is throttled.
    async fn paced<'a, T>(
        &self,
        mut call: impl FnMut() -> BoxFuture<'a, Result<T, PortalError>>,
    ) -> Result<T, PortalError> {
        let mut attempt = 0;
        loop {
            let now = self.sleeper.now();
            let start = self.pace().book(now);
            if start > now {
                self.sleeper.sleep(start - now).await;
            }
            match call().await {
                Err(PortalError::TooManyRequests) if attempt + 1 < self.max_attempts => {
                    self.pace().throttled(start, self.sleeper.now());
                    attempt += 1;
                }
                Ok(value) => {
                    self.pace().succeeded();
                    return Ok(value);
                }
                other => return other,
            }
        }
    }
}

/// Every page of a paginated call, each call paced and retried on throttling.
async fn all_pages<'a, T>(
    shared: &Shared<'_>,
    page: impl Fn(Option<String>) -> BoxFuture<'a, Result<Page<T>, PortalError>>,
) -> Result<Vec<T>, PortalError> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let got = shared.paced(|| page(next.clone())).await?;
        items.extend(got.items);
        match got.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => return Ok(items),
        }
    }
}

/// Every account and role; `progress(done, total)` after each account's roles.
pub(crate) async fn discover(
    portal: &dyn Portal,
    sleeper: &dyn Sleeper,
    token: &Secret,
    backoff: Backoff,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<DiscoveredAccount>, PortalError> {
    let shared =
        Shared { sleeper, pace: Mutex::new(Pace::new(backoff.pace)), max_attempts: backoff.max_attempts };
    let shared = &shared;
    let accounts: Vec<AccountInfo> =
        all_pages(shared, |next| Box::pin(async move { portal.list_accounts(token, next.as_deref()).await }))
            .await?;
    let total = accounts.len();
    let mut done = 0;
    let mut out = Vec::with_capacity(total);
    let mut roles = futures::stream::iter(accounts)
        .map(|account| async move {
            let id = account.account_id.clone();
            let roles = all_pages(shared, |next| {
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
    /// The file format's version: 1; a cached file of another version is ignored.
    pub version: u32,
    /// The `sso-session` it was fetched for; `None` for a legacy profile's start URL.
    pub session: Option<String>,
    /// The start URL; a cached file for another URL is ignored.
    pub start_url: String,
    /// When it was fetched, as `2026-11-24T10:00:00Z`.
    pub fetched_at: String,
    /// Every account with at least one role, in `ListAccounts` order.
    pub accounts: Vec<DiscoveredAccount>,
}

/// `<awsw cache>/sso-accounts-<sha1 of the session or start URL>.json`, 0600.
pub(crate) struct DiscoveryCache {
    dir: PathBuf,
}

impl DiscoveryCache {
    pub(crate) fn new(dir: PathBuf) -> Self {
        DiscoveryCache { dir }
    }

    pub(crate) fn path(&self, target: &SsoTarget) -> PathBuf {
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

    pub(crate) fn store(&self, target: &SsoTarget, discovery: &Discovery) -> std::io::Result<()> {
        let text = serde_json::to_string(discovery).map_err(std::io::Error::other)?;
        fsutil::write_private(&self.dir, &self.path(target), text.as_bytes())
    }
}
