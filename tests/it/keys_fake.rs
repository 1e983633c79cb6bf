//! Key facts with a fake STS and IAM and a fixed clock: the root ARN path through the engine,
//! "unknown (needs MFA)" when IAM refuses, the day-long cache, and a cached MFA base session
//! preferred over the keys.

use std::sync::{Arc, Mutex};

use awsw::config::Inventory;
use awsw::creds::clock::{Clock, FixedClock};
use awsw::creds::engine::{EngineEnv, EngineParts};
use awsw::creds::iam::{Iam, IamError, KeyMeta, LastUsed, NewKey};
use awsw::creds::keyage::KeyLookup;
use awsw::creds::keyfacts::KeyAge;
use awsw::creds::providers::AwsProviders;
use awsw::creds::sts::{AssumeRoleRequest, Endpoint, RoleSession, SessionTokenRequest, Sts, StsError};
use awsw::creds::{Ask, Credentials, Engine, Identity, MfaSource};
use awsw::secret::Secret;
use futures::future::BoxFuture;
use time::macros::datetime;

const NOW: time::OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

struct FakeSts {
    arn: String,
    clock: Arc<FixedClock>,
}

impl Sts for FakeSts {
    fn assume_role<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
        _: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
        Box::pin(async { Err(StsError::Timeout) })
    }
    fn get_session_token<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
        _: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>> {
        Box::pin(async move {
            Ok(Credentials {
                access_key_id: "ASIAMFASESSION000001".into(),
                secret_access_key: Secret::new("s"),
                session_token: Some(Secret::new("t")),
                expiration: Some(self.clock.now() + time::Duration::hours(8)),
            })
        })
    }
    fn get_caller_identity<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async move {
            Ok(Identity { account: "123456789012".into(), arn: self.arn.clone(), user_id: "AIDA".into() })
        })
    }
}

/// IAM that lists one key created 200 days before `NOW`, denying callers without a session
/// token when `needs_mfa`; records which key id signed each call.
struct FakeIam {
    needs_mfa: bool,
    callers: Mutex<Vec<String>>,
}

impl Iam for FakeIam {
    fn list_access_keys<'a>(
        &'a self,
        _: &'a Endpoint,
        creds: &'a Credentials,
        _: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<KeyMeta>, IamError>> {
        Box::pin(async move {
            self.callers.lock().unwrap().push(creds.access_key_id.clone());
            if self.needs_mfa && creds.session_token.is_none() {
                return Err(IamError::Service { code: "AccessDenied".into(), message: "MFA".into() });
            }
            Ok(vec![KeyMeta {
                id: "AKIABASE000000000001".into(),
                active: true,
                created: Some(NOW - time::Duration::days(200)),
            }])
        })
    }
    fn last_used<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
        _: &'a str,
    ) -> BoxFuture<'a, Result<LastUsed, IamError>> {
        Box::pin(async { Ok(LastUsed { when: Some(NOW), service: Some("sts".into()) }) })
    }
    fn create_access_key<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
        _: Option<&'a str>,
    ) -> BoxFuture<'a, Result<NewKey, IamError>> {
        Box::pin(async { Err(IamError::Unreachable { reason: "not in this test".into() }) })
    }
    fn delete_access_key<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
        _: Option<&'a str>,
        _: &'a str,
    ) -> BoxFuture<'a, Result<(), IamError>> {
        Box::pin(async { Err(IamError::Unreachable { reason: "not in this test".into() }) })
    }
}

const CONFIG: &str = "[profile base]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/prod\nsource_profile = base\n";
const CREDS: &str = "[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = secret\n";

fn engine(arn: &str, dir: &std::path::Path) -> (Engine, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(NOW));
    let parts = EngineParts {
        sts: Arc::new(FakeSts { arn: arn.into(), clock: clock.clone() }),
        roots: Arc::new(AwsProviders),
        sso: Arc::new(crate::common::fake_sso::FakeSso::default()).parts(dir.join("sso")),
        cache_scan: Arc::new(awsw::creds::store::DirScan),
        clock: clock.clone(),
        cache_dir: dir.join("awsw"),
        cli_cache_dir: None,
        env: EngineEnv::default(),
        min_remaining: time::Duration::minutes(5),
        session_duration: 3600,
    };
    (Engine::with_parts(Arc::new(Inventory::from_texts(Some(CONFIG), Some(CREDS))), parts), clock)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

#[test]
fn root_arns_from_sts_make_root_keys_findings_for_the_keys_and_the_roles_behind_them() {
    for partition in ["aws", "aws-cn", "aws-us-gov"] {
        let dir = tempfile::tempdir().unwrap();
        let (engine, _) = engine(&format!("arn:{partition}:iam::123456789012:root"), dir.path());
        let iam = FakeIam { needs_mfa: true, callers: Mutex::new(Vec::new()) };
        let lookup = KeyLookup { engine: &engine, iam: &iam, cache_dir: dir.path().join("awsw"), now: NOW };
        let report = block_on(engine.identity("base", &Ask::non_interactive())).unwrap();
        let facts = block_on(lookup.facts("base", Some(&report.identity), true)).unwrap();
        assert!(facts.root, "{partition}");
        assert_eq!(facts.age, Some(KeyAge::NeedsMfa));
        assert_eq!(facts.describe(NOW).as_deref(), Some("unknown (needs MFA)"));
        let codes: Vec<&str> = facts.findings(NOW).iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["root-keys"]);
        // The role behind the keys learns it from the identity cache.
        let role = block_on(lookup.facts("prod", None, false)).unwrap();
        assert!(role.root && role.holder == "base", "{role:?}");
    }
}

#[test]
fn key_age_is_cached_a_day_and_an_mfa_session_is_used_once_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let (engine, clock) = engine("arn:aws:iam::123456789012:user/alice", dir.path());
    let iam = FakeIam { needs_mfa: true, callers: Mutex::new(Vec::new()) };
    let identity = Identity {
        account: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        user_id: "AIDA".into(),
    };
    let lookup = |now| KeyLookup { engine: &engine, iam: &iam, cache_dir: dir.path().join("awsw"), now };
    let facts = block_on(lookup(NOW).facts("base", Some(&identity), true)).unwrap();
    assert_eq!(facts.age, Some(KeyAge::NeedsMfa), "the keys alone are refused");
    block_on(lookup(NOW).facts("base", Some(&identity), true));
    assert_eq!(iam.callers.lock().unwrap().len(), 1, "the refusal is cached");
    // An MFA session appears (the user switched): it is used at once, without a prompt.
    let ask = Ask { mfa: MfaSource::Code("123456".into()), run_credential_process: false };
    block_on(engine.session("base", &ask)).unwrap();
    let facts = block_on(lookup(NOW).facts("base", Some(&identity), true)).unwrap();
    assert_eq!(iam.callers.lock().unwrap().last().unwrap(), "ASIAMFASESSION000001");
    assert_eq!(facts.age_days(NOW), Some(200));
    assert!(facts.findings(NOW).iter().any(|f| f.code == "old-key"));
    // Within the day: no call; after it: asked again.
    let calls = iam.callers.lock().unwrap().len();
    block_on(lookup(NOW + time::Duration::hours(23)).facts("base", Some(&identity), true));
    assert_eq!(iam.callers.lock().unwrap().len(), calls);
    clock.advance(time::Duration::hours(25));
    block_on(lookup(NOW + time::Duration::hours(25)).facts("base", Some(&identity), true));
    assert_eq!(iam.callers.lock().unwrap().len(), calls + 1);
}
