//! The flows with fakes and a fixed clock: device polling (pending, slow_down, expiry,
//! denial), registration reuse, silent refresh, discovery under throttling (one shared
//! pace against a rate-limited portal), and role credentials in botocore's cache format.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use time::Duration;
use time::macros::datetime;

use super::cache::{SsoCache, SsoToken};
use super::discovery::{Backoff, discover};
use super::error::SsoError;
use super::fakes::{ClockSleeper, FakeOidc, FakePortal, grant};
use super::login::{Flows, device_login};
use super::oidc::OidcError;
use super::portal::{AccountInfo, Page, Portal, PortalError};
use super::rolecreds::{RoleRequest, cli_body, cli_cache_file_name, fetch};
use super::target::SsoTarget;
use super::token::valid_token;
use crate::creds::clock::{Clock, FixedClock};
use crate::secret::Secret;

fn target() -> SsoTarget {
    crate::sso::fakes::corp()
}

struct World {
    dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    sleeper: ClockSleeper,
}

impl World {
    fn new() -> World {
        let clock = Arc::new(FixedClock::new(datetime!(2026-11-24 10:00:00 UTC)));
        let sleeper = ClockSleeper { clock: clock.clone(), slept: Mutex::new(Vec::new()) };
        World { dir: tempfile::tempdir().unwrap(), clock, sleeper }
    }

    fn cache(&self) -> SsoCache {
        SsoCache::new(self.dir.path().join("sso"))
    }

    fn login(&self, oidc: &FakeOidc) -> (Result<SsoToken, SsoError>, usize) {
        let cache = self.cache();
        let flows = Flows { oidc, clock: self.clock.as_ref(), sleeper: &self.sleeper, cache: &cache };
        let mut prompts = 0;
        let result = futures::executor::block_on(device_login(&flows, &target(), &mut |p| {
            assert_eq!(p.user_code, "ABCD-EFGH");
            prompts += 1;
        }));
        (result, prompts)
    }
}

#[test]
fn device_flow_polls_through_pending_and_slow_down_and_writes_the_token() {
    let world = World::new();
    let oidc = FakeOidc::answering(vec![
        Err(OidcError::AuthorizationPending),
        Err(OidcError::AuthorizationPending),
        Err(OidcError::SlowDown),
        Err(OidcError::AuthorizationPending),
        Ok(grant("aoa-1", Some("aor-1"))),
    ]);
    let (token, prompts) = world.login(&oidc);
    let token = token.unwrap();
    assert_eq!(prompts, 1);
    // The service's 1 s interval, then 6 s after slow_down.
    assert_eq!(*world.sleeper.slept.lock().unwrap(), vec![1000, 1000, 6000, 6000]);
    assert_eq!(token.expires_at, world.clock.now() + Duration::hours(1));
    assert_eq!(world.cache().load_token(&target()).unwrap(), Some(token));
    let registered = oidc.registrations.lock().unwrap();
    assert_eq!(registered[0].scopes, Some(vec!["sso:account:access".to_string()]));
    assert_eq!(registered[0].client_name, "awsw-client-corp");
}

#[test]
fn device_flow_reports_denial_and_expiry_and_writes_nothing() {
    for (answer, want) in [(OidcError::AccessDenied, "denied"), (OidcError::ExpiredToken, "expired before")] {
        let world = World::new();
        let oidc = FakeOidc::answering(vec![Err(OidcError::AuthorizationPending), Err(answer)]);
        let err = world.login(&oidc).0.unwrap_err().to_string();
        assert!(
            err.contains(want) && err.contains("sso-session corp") && err.contains("awsw login corp"),
            "{err}"
        );
        assert_eq!(world.cache().load_token(&target()).unwrap(), None);
    }
    // A service that never answers: awsw stops when the code's 10 minutes are up.
    let world = World::new();
    let err = world.login(&FakeOidc::default()).0.unwrap_err();
    assert!(matches!(err, SsoError::CodeExpired { .. }), "{err}");
    assert_eq!(world.clock.now(), datetime!(2026-11-24 10:10:00 UTC));
}

#[test]
fn a_cached_registration_is_reused_until_it_nears_expiry() {
    let world = World::new();
    let oidc = FakeOidc::answering(vec![Ok(grant("aoa-1", None)), Ok(grant("aoa-2", None))]);
    world.login(&oidc).0.unwrap();
    world.login(&oidc).0.unwrap();
    assert_eq!(oidc.registrations.lock().unwrap().len(), 1);
    // The fake's registration ends at 1_900_000_000 (2030-03-17 17:46:40 UTC).
    world.clock.advance(datetime!(2030-03-17 17:40:00 UTC) - world.clock.now());
    let oidc2 = FakeOidc::answering(vec![Ok(grant("aoa-3", None))]);
    world.login(&oidc2).0.unwrap();
    assert_eq!(oidc2.registrations.lock().unwrap().len(), 1);
}

fn stored(world: &World, expires_in: Duration, refresh: bool, registration_left: Duration) -> SsoToken {
    let now = world.clock.now();
    let token = SsoToken {
        start_url: target().start_url,
        region: target().region,
        access_token: Secret::new("aoa-old"),
        expires_at: now + expires_in,
        client_id: Some("cid".into()),
        client_secret: Some(Secret::new("csecret")),
        registration_expires_at: Some(now + registration_left),
        refresh_token: refresh.then(|| Secret::new("aor-old")),
    };
    world.cache().store_token(&target(), &token).unwrap();
    token
}

fn valid(world: &World, oidc: &FakeOidc) -> Result<SsoToken, SsoError> {
    futures::executor::block_on(valid_token(oidc, world.clock.as_ref(), &world.cache(), &target()))
}

#[test]
fn an_expiring_token_is_refreshed_silently_and_written_back() {
    let world = World::new();
    stored(&world, Duration::minutes(-5), true, Duration::days(30));
    let oidc = FakeOidc::answering(vec![Ok(grant("aoa-new", Some("aor-new")))]);
    let token = valid(&world, &oidc).unwrap();
    assert_eq!(oidc.grants.lock().unwrap().as_slice(), ["refresh_token:aor-old"]);
    assert_eq!(token.access_token.expose(), "aoa-new");
    assert_eq!(world.cache().load_token(&target()).unwrap(), Some(token));
    // Far from expiry: no call at all.
    let quiet = FakeOidc::default();
    valid(&world, &quiet).unwrap();
    assert!(quiet.grants.lock().unwrap().is_empty());
}

#[test]
fn tokens_that_cannot_be_renewed_say_to_log_in() {
    let world = World::new();
    assert!(
        valid(&world, &FakeOidc::default())
            .unwrap_err()
            .to_string()
            .contains("not logged in: run `awsw login corp`")
    );
    stored(&world, Duration::minutes(-1), false, Duration::days(30));
    let err = valid(&world, &FakeOidc::default()).unwrap_err().to_string();
    assert_eq!(err, "sso-session corp: the token has expired: run `awsw login corp`");
    stored(&world, Duration::minutes(-1), true, Duration::days(-1));
    let err = valid(&world, &FakeOidc::default()).unwrap_err();
    assert!(matches!(err, SsoError::RegistrationExpired { .. }), "{err}");
    stored(&world, Duration::minutes(-1), true, Duration::days(30));
    let err = valid(&world, &FakeOidc::answering(vec![Err(OidcError::InvalidGrant)])).unwrap_err();
    assert!(matches!(err, SsoError::LoginRequired { .. }), "{err}");
    // A failed refresh of a token that still has 10 minutes: keep using it.
    let old = stored(&world, Duration::minutes(10), true, Duration::days(30));
    assert_eq!(valid(&world, &FakeOidc::answering(vec![Err(OidcError::InvalidGrant)])).unwrap(), old);
}

#[test]
fn discovery_finishes_every_account_through_throttling() {
    let world = World::new();
    let portal = FakePortal {
        accounts: 25,
        roles: 3,
        page: 2,
        throttle_every: 3,
        calls: Mutex::new(0),
        throttled: Mutex::new(0),
    };
    let seen = Mutex::new((0, 0));
    let accounts = futures::executor::block_on(discover(
        &portal,
        &world.sleeper,
        &Secret::new("good"),
        Backoff::default(),
        &|done, total| *seen.lock().unwrap() = (done, total),
    ))
    .unwrap();
    // Every account but the one removed while discovery ran (account-3).
    assert_eq!(accounts.len(), 24);
    assert!(accounts.iter().all(|a| a.roles == ["Role0", "Role1", "Role2"]));
    assert!(accounts.iter().all(|a| a.account_name != "account-3"));
    assert_eq!(accounts[23].account_name, "account-24");
    assert_eq!(*seen.lock().unwrap(), (25, 25));
    assert!(*portal.throttled.lock().unwrap() > 10);
    let slept = world.sleeper.slept.lock().unwrap();
    assert!(slept.iter().all(|ms| *ms <= 5000), "{slept:?}");
}

/// The portal's own limit, as the local server and AWS apply it: a bucket of `rate` tokens
/// per second (burst of one second's worth) on the fake clock; a call without a token is a 429.
struct RateLimited<'a> {
    inner: &'a FakePortal,
    clock: Arc<FixedClock>,
    rate: f64,
    bucket: Mutex<(f64, time::OffsetDateTime)>,
    throttled: Mutex<usize>,
}

impl RateLimited<'_> {
    fn take(&self) -> Result<(), PortalError> {
        let now = self.clock.now();
        let mut bucket = self.bucket.lock().unwrap();
        bucket.0 = (bucket.0 + (now - bucket.1).as_seconds_f64() * self.rate).min(self.rate);
        bucket.1 = now;
        if bucket.0 < 1.0 {
            *self.throttled.lock().unwrap() += 1;
            return Err(PortalError::TooManyRequests);
        }
        bucket.0 -= 1.0;
        Ok(())
    }
}

impl Portal for RateLimited<'_> {
    fn get_role_credentials<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        role_name: &'a str,
    ) -> BoxFuture<'a, Result<crate::creds::Credentials, PortalError>> {
        self.inner.get_role_credentials(token, account_id, role_name)
    }
    fn list_accounts<'a>(
        &'a self,
        token: &'a Secret,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<AccountInfo>, PortalError>> {
        match self.take() {
            Ok(()) => self.inner.list_accounts(token, next),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
    fn list_account_roles<'a>(
        &'a self,
        token: &'a Secret,
        account_id: &'a str,
        next: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Page<String>, PortalError>> {
        match self.take() {
            Ok(()) => self.inner.list_account_roles(token, account_id, next),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
    fn logout<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), PortalError>> {
        self.inner.logout(token)
    }
    fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }
}

#[test]
fn one_shared_pace_keeps_throttling_rare_and_the_time_near_the_limit() {
    let world = World::new();
    let inner = FakePortal {
        accounts: 400,
        roles: 1,
        page: 100,
        throttle_every: 0,
        calls: Mutex::new(0),
        throttled: Mutex::new(0),
    };
    let portal = RateLimited {
        inner: &inner,
        clock: world.clock.clone(),
        rate: 20.0,
        bucket: Mutex::new((20.0, world.clock.now())),
        throttled: Mutex::new(0),
    };
    let started = world.clock.now();
    let accounts = futures::executor::block_on(discover(
        &portal,
        &world.sleeper,
        &Secret::new("good"),
        Backoff::default(),
        &|_, _| {},
    ))
    .unwrap();
    assert_eq!(accounts.len(), 399, "every account but the one removed meanwhile");
    // 4 pages + 400 accounts at 20 per second, less the first second's burst.
    let took = (world.clock.now() - started).as_seconds_f64();
    let floor = 404.0 / 20.0;
    assert!(took > floor - 1.5 && took < floor * 1.1, "took {took} s for a floor of {floor} s");
    let throttled = *portal.throttled.lock().unwrap();
    assert!(throttled < 20, "{throttled} throttled answers for 404 calls");
}

#[test]
fn role_credentials_name_the_profile_and_are_shared_in_botocores_format() {
    let world = World::new();
    let portal = FakePortal {
        accounts: 1,
        roles: 1,
        page: 10,
        throttle_every: 0,
        calls: Mutex::new(0),
        throttled: Mutex::new(0),
    };
    let token = stored(&world, Duration::hours(1), false, Duration::days(1));
    let get = |token: &Secret, role: &str| {
        let request = RoleRequest { profile: "dev", account_id: "111111111111", role_name: role };
        futures::executor::block_on(fetch(&portal, &target(), token, &request))
    };
    let creds = get(&Secret::new("good"), "Admin").unwrap();
    assert_eq!(creds.access_key_id, "ASIAFAKE");
    let body = cli_body(&creds, "111111111111").unwrap().to_string();
    assert!(
        body.contains("\"ProviderType\":\"sso\"") && body.contains("\"Expiration\":\"2026-11-24T11:00:00Z\""),
        "{body}"
    );
    let gone = get(&Secret::new("good"), "Gone").unwrap_err().to_string();
    assert!(gone.contains("role Gone in account 111111111111") && gone.contains("profile dev"), "{gone}");
    let revoked = get(&token.access_token, "Other").unwrap_err().to_string();
    assert_eq!(
        revoked,
        "sso-session corp: IAM Identity Center rejected the token (signed out or revoked): run `awsw login corp`"
    );
}

#[test]
fn role_cache_key_matches_botocore() {
    let script = "import sys\nfrom botocore.credentials import SSOCredentialFetcher\n\
        f = SSOCredentialFetcher(sys.argv[1], 'eu-west-1', sys.argv[3], sys.argv[2], None, sso_session_name=sys.argv[4] or None)\n\
        print(f._create_cache_key())";
    let mut legacy = target();
    legacy.session = None;
    for (t, account, role) in [(target(), "111111111111", "Admin"), (legacy, "222222222222", "Read-Only é")]
    {
        let session = t.session.clone().unwrap_or_default();
        let out = std::process::Command::new("python3")
            .args(["-c", script, &t.start_url, account, role, &session])
            .output();
        let Some(out) = out.ok().filter(|o| o.status.success()) else {
            assert!(std::env::var_os("CI").is_none(), "python3 with botocore is required when CI is set");
            return;
        };
        let want = format!("{}.json", String::from_utf8_lossy(&out.stdout).trim());
        assert_eq!(cli_cache_file_name(&t, account, role), want);
    }
}
