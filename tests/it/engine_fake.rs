//! The engine's planning with a fake STS and a fixed clock: which calls, in which order,
//! what is cached, how many MFA codes, and what each failure says.

use std::sync::{Arc, Mutex};

use crate::common::fake_sso::FakeSso;
use awsw::config::Inventory;
use awsw::creds::clock::{Clock, FixedClock};
use awsw::creds::engine::{EngineEnv, EngineParts};
use awsw::creds::providers::{EnvCredentials, RootSource};
use awsw::creds::store::DirScan;
use awsw::creds::sts::{AssumeRoleRequest, Endpoint, RoleSession, SessionTokenRequest, Sts, StsError};
use awsw::creds::{Ask, Credentials, CredsError, Engine, Identity, MfaSource, Readiness, SessionOrigin};
use awsw::secret::Secret;
use futures::future::BoxFuture;
use time::macros::datetime;

const GOOD_CODE: &str = "123456";

#[derive(Default)]
struct FakeState {
    calls: Vec<String>,
    /// Fail the next call whose description starts with this.
    fail_next: Option<(&'static str, StsError)>,
    counter: u32,
}

struct FakeSts {
    clock: Arc<FixedClock>,
    state: Mutex<FakeState>,
}

impl FakeSts {
    fn new(clock: Arc<FixedClock>) -> Arc<Self> {
        Arc::new(FakeSts { clock, state: Mutex::new(FakeState::default()) })
    }

    fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    fn fail_next(&self, action: &'static str, err: StsError) {
        self.state.lock().unwrap().fail_next = Some((action, err));
    }

    fn record(&self, call: String) -> Result<u32, StsError> {
        let mut state = self.state.lock().unwrap();
        if state.fail_next.as_ref().is_some_and(|(action, _)| call.starts_with(action)) {
            state.calls.push(call);
            return Err(state.fail_next.take().expect("checked").1);
        }
        state.calls.push(call);
        state.counter += 1;
        Ok(state.counter)
    }

    fn creds(&self, n: u32, seconds: u32) -> Credentials {
        Credentials {
            access_key_id: format!("ASIAFAKE{n:04}"),
            secret_access_key: Secret::new(format!("fake-secret-{n}")),
            session_token: Some(Secret::new(format!("fake-token-{n}"))),
            expiration: Some(self.clock.now() + time::Duration::seconds(i64::from(seconds))),
        }
    }
}

fn check_code(mfa: &Option<awsw::creds::sts::MfaToken>) -> Result<(), StsError> {
    match mfa {
        Some(token) if token.code != GOOD_CODE => Err(StsError::Service {
            code: "AccessDenied".into(),
            message: "MultiFactorAuthentication failed with invalid MFA one time pass code.".into(),
        }),
        _ => Ok(()),
    }
}

impl Sts for FakeSts {
    fn assume_role<'a>(
        &'a self,
        _endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a AssumeRoleRequest,
    ) -> BoxFuture<'a, Result<RoleSession, StsError>> {
        Box::pin(async move {
            let n = self.record(format!(
                "AssumeRole {} from {} as {} duration={:?} mfa={}",
                request.role_arn,
                creds.access_key_id,
                request.session_name,
                request.duration_seconds,
                request.mfa.as_ref().map(|m| m.serial.as_str()).unwrap_or("-")
            ))?;
            check_code(&request.mfa)?;
            let role = request.role_arn.rsplit('/').next().unwrap_or_default();
            let account = request.role_arn.split(':').nth(4).unwrap_or_default();
            Ok(RoleSession {
                credentials: self.creds(n, request.duration_seconds.unwrap_or(3600)),
                assumed_role_arn: Some(format!(
                    "arn:aws:sts::{account}:assumed-role/{role}/{}",
                    request.session_name
                )),
                assumed_role_id: Some(format!("AROAFAKE:{}", request.session_name)),
            })
        })
    }

    fn get_session_token<'a>(
        &'a self,
        _endpoint: &'a Endpoint,
        creds: &'a Credentials,
        request: &'a SessionTokenRequest,
    ) -> BoxFuture<'a, Result<Credentials, StsError>> {
        Box::pin(async move {
            let n = self.record(format!(
                "GetSessionToken from {} mfa={}",
                creds.access_key_id,
                request.mfa.as_ref().map(|m| m.serial.as_str()).unwrap_or("-")
            ))?;
            check_code(&request.mfa)?;
            Ok(self.creds(n, request.duration_seconds.unwrap_or(3600)))
        })
    }

    fn get_caller_identity<'a>(
        &'a self,
        _endpoint: &'a Endpoint,
        creds: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async move {
            self.record(format!("GetCallerIdentity {}", creds.access_key_id))?;
            Ok(Identity {
                account: "111111111111".into(),
                arn: "arn:aws:iam::111111111111:user/alice".into(),
                user_id: "AIDAFAKE".into(),
            })
        })
    }
}

struct FakeRoots;

impl RootSource for FakeRoots {
    fn credentials<'a>(
        &'a self,
        root: &'a awsw::config::Profile,
        env: &'a EngineEnv,
        _session_name: &'a str,
    ) -> BoxFuture<'a, Result<Credentials, CredsError>> {
        Box::pin(async move {
            env.credentials
                .credentials()
                .ok_or_else(|| CredsError::Unusable { profile: root.name.clone(), reason: "no env".into() })
        })
    }
}

struct World {
    engine: Engine,
    sts: Arc<FakeSts>,
    sso: Arc<FakeSso>,
    clock: Arc<FixedClock>,
    dir: tempfile::TempDir,
}

const CONFIG: &str = "\
[profile base]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile prod]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile staging]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice
role_session_name = ci-bot

[profile jump]
role_arn = arn:aws:iam::111111111111:role/jump
source_profile = plain
duration_seconds = 43200

[profile deep]
role_arn = arn:aws:iam::444444444444:role/deep
source_profile = jump
duration_seconds = 7200

[profile other-device]
role_arn = arn:aws:iam::555555555555:role/x
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/second

[profile piped]
role_arn = arn:aws:iam::222222222222:role/piped
source_profile = base
mfa_process = printf 123456

[profile from-env]
role_arn = arn:aws:iam::666666666666:role/ci
credential_source = Environment

[profile sso-admin]
sso_session = corp
sso_account_id = 777777777777
sso_role_name = Admin
region = us-east-1

[profile sso-deploy]
role_arn = arn:aws:iam::888888888888:role/deploy
source_profile = sso-admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
";

const CREDS: &str = "\
[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base-long-term-secret

[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = plain-long-term-secret
";

fn world_with(env: EngineEnv) -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(datetime!(2026-11-23 09:00:00 UTC)));
    let sts = FakeSts::new(clock.clone());
    let inventory = Arc::new(Inventory::from_texts(Some(CONFIG), Some(CREDS)));
    let sso = Arc::new(FakeSso::default());
    *sso.expiration.lock().unwrap() = Some(datetime!(2026-11-23 10:00:00 UTC));
    let engine = Engine::with_parts(
        inventory,
        EngineParts {
            sts: sts.clone(),
            roots: Arc::new(FakeRoots),
            sso: sso.parts(dir.path().join("aws/sso/cache")),
            cache_scan: Arc::new(DirScan),
            clock: clock.clone(),
            cache_dir: dir.path().join("cache/awsw"),
            cli_cache_dir: Some(dir.path().join("aws/cli/cache")),
            env,
            min_remaining: time::Duration::minutes(5),
            session_duration: 8 * 3600,
        },
    );
    World { engine, sts, sso, clock, dir }
}

fn world() -> World {
    world_with(EngineEnv { user: Some("localuser".into()), ..EngineEnv::default() })
}

fn code(c: &str) -> Ask {
    Ask { mfa: MfaSource::Code(c.into()), run_credential_process: false }
}

/// A role whose base session needs the root's device, with an `mfa_process` of its own: the
/// readiness says the process can answer, and it does (once, the base's code came from the
/// root's `mfa_process` only, so the role failed with "set mfa_process").
#[tokio::test]
async fn the_asked_profiles_mfa_process_answers_for_its_base_session() {
    let w = world();
    assert!(matches!(w.engine.readiness("piped"), Readiness::NeedsMfa { has_mfa_process: true, .. }));
    let ask = Ask { mfa: MfaSource::Process, run_credential_process: false };
    let piped = w.engine.session("piped", &ask).await.unwrap();
    assert_eq!(piped.origin, SessionOrigin::Fresh);
    assert_eq!(w.sts.calls()[0], "GetSessionToken from AKIABASE mfa=arn:aws:iam::111111111111:mfa/alice");
    // The root itself has no mfa_process: asked for, it still needs a code.
    let w = world();
    assert!(matches!(w.engine.readiness("base"), Readiness::NeedsMfa { has_mfa_process: false, .. }));
    assert!(matches!(w.engine.session("base", &ask).await, Err(CredsError::MfaRequired { .. })));
}

#[tokio::test]
async fn one_mfa_code_serves_every_role_behind_the_base_profile() {
    let w = world();
    assert!(
        matches!(w.engine.readiness("prod"), Readiness::NeedsMfa { ref serial, .. } if serial.ends_with("mfa/alice"))
    );
    let prod = w.engine.session("prod", &code(GOOD_CODE)).await.unwrap();
    assert_eq!(prod.origin, SessionOrigin::Fresh);
    assert_eq!(prod.identity.as_ref().unwrap().arn, "arn:aws:sts::222222222222:assumed-role/admin/alice");
    assert_eq!(
        w.sts.calls(),
        [
            "GetSessionToken from AKIABASE mfa=arn:aws:iam::111111111111:mfa/alice",
            "GetCallerIdentity ASIAFAKE0001",
            "AssumeRole arn:aws:iam::222222222222:role/admin from ASIAFAKE0001 as alice duration=None mfa=-",
        ]
    );
    // The second role needs no code: the base session is reused.
    let staging = w.engine.session("staging", &Ask::non_interactive()).await.unwrap();
    assert_eq!(staging.origin, SessionOrigin::Fresh);
    assert_eq!(
        w.sts.calls().last().unwrap(),
        "AssumeRole arn:aws:iam::333333333333:role/admin from ASIAFAKE0001 as ci-bot duration=None mfa=-"
    );
    // And the same role again comes from the cache without any call.
    let calls = w.sts.calls().len();
    let again = w.engine.session("prod", &Ask::non_interactive()).await.unwrap();
    assert_eq!(again.origin, SessionOrigin::Cache);
    assert_eq!(again.credentials, prod.credentials);
    assert_eq!(w.sts.calls().len(), calls);
    assert!(matches!(w.engine.readiness("prod"), Readiness::Ready { expiration: Some(_) }));
}

#[tokio::test]
async fn expired_sessions_are_renewed_and_need_a_code_again() {
    let w = world();
    w.engine.session("prod", &code(GOOD_CODE)).await.unwrap();
    // Role sessions last an hour; with under five minutes left they count as expired.
    w.clock.advance(time::Duration::minutes(56));
    assert!(w.engine.cached_session("prod").is_none());
    // The 8-hour base session is still good: no code needed to renew the role.
    let renewed = w.engine.session("prod", &Ask::non_interactive()).await.unwrap();
    assert_eq!(renewed.origin, SessionOrigin::Fresh);
    w.clock.advance(time::Duration::hours(8));
    let err = w.engine.session("prod", &Ask::non_interactive()).await.unwrap_err();
    assert!(matches!(err, CredsError::MfaRequired { .. }), "{err}");
}

#[tokio::test]
async fn wrong_code_is_rejected_and_nothing_is_cached() {
    let w = world();
    let err = w.engine.session("prod", &code("000000")).await.unwrap_err();
    assert!(matches!(err, CredsError::MfaRejected { .. }), "{err}");
    assert!(err.to_string().contains("try again"));
    let cached: Vec<_> = std::fs::read_dir(w.dir.path().join("cache/awsw"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(cached.is_empty(), "{cached:?}");
    assert!(matches!(w.engine.readiness("prod"), Readiness::NeedsMfa { .. }));
}

#[tokio::test]
async fn malformed_code_never_reaches_sts() {
    let w = world();
    for bad in ["12345", "abcdef", "1234567"] {
        let err = w.engine.session("prod", &code(bad)).await.unwrap_err();
        assert!(matches!(err, CredsError::MfaMalformed { .. }), "{err}");
        assert_eq!(err.exit_code(), 2);
    }
    assert!(w.sts.calls().is_empty());
}

#[tokio::test]
async fn a_second_device_needs_its_own_code() {
    let w = world();
    w.engine.session("prod", &code(GOOD_CODE)).await.unwrap();
    match w.engine.readiness("other-device") {
        Readiness::NeedsMfa { serial, .. } => assert!(serial.ends_with("mfa/second")),
        other => panic!("{other:?}"),
    }
    w.engine.session("other-device", &code(GOOD_CODE)).await.unwrap();
    assert!(w.sts.calls().last().unwrap().ends_with("mfa=arn:aws:iam::111111111111:mfa/second"));
}

#[tokio::test]
async fn role_chaining_caps_the_duration_and_says_so() {
    let w = world();
    let deep = w.engine.session("deep", &Ask::non_interactive()).await.unwrap();
    assert_eq!(deep.origin, SessionOrigin::Fresh);
    let calls = w.sts.calls();
    assert!(
        calls.iter().any(|c| c.contains("role/jump from AKIAPLAIN") && c.contains("duration=Some(43200)"))
    );
    assert!(calls.iter().any(|c| c.contains("role/deep from ASIAFAKE") && c.contains("duration=Some(3600)")));
    let notices = w.engine.take_notices();
    assert!(notices.iter().any(|n| n.contains("deep") && n.contains("1 hour")), "{notices:?}");
    // No MFA anywhere: long-term keys assume the first role directly.
    assert!(matches!(w.engine.readiness("deep"), Readiness::Ready { .. }));
}

#[tokio::test]
async fn sessions_are_shared_with_the_aws_cli_cache() {
    let w = world();
    let prod = w.engine.session("prod", &code(GOOD_CODE)).await.unwrap();
    // botocore's key for prod: RoleArn + its own SerialNumber.
    let key = awsw::creds::clicache::CliCacheKey {
        role_arn: "arn:aws:iam::222222222222:role/admin".into(),
        role_session_name: None,
        external_id: None,
        serial_number: Some("arn:aws:iam::111111111111:mfa/alice".into()),
        duration_seconds: None,
    };
    let cli = awsw::creds::clicache::CliCache::new(w.dir.path().join("aws/cli/cache"));
    assert_eq!(cli.load(&key), Some(prod.credentials.clone()));
    // A session only the CLI has is used without any STS call or code.
    std::fs::remove_dir_all(w.dir.path().join("cache/awsw")).unwrap();
    let calls = w.sts.calls().len();
    let reused = w.engine.session("prod", &Ask::non_interactive()).await.unwrap();
    assert_eq!(reused.origin, SessionOrigin::Cache);
    assert_eq!(w.sts.calls().len(), calls);
}

#[tokio::test]
async fn a_corrupt_cache_entry_is_replaced_not_trusted() {
    let w = world();
    w.engine.session("prod", &code(GOOD_CODE)).await.unwrap();
    let path = w.engine.cache_file("prod").unwrap();
    std::fs::write(&path, "{\"version\":1,\"garbage\":true}").unwrap();
    std::fs::remove_dir_all(w.dir.path().join("aws/cli/cache")).unwrap();
    let renewed = w.engine.session("prod", &Ask::non_interactive()).await.unwrap();
    assert_eq!(renewed.origin, SessionOrigin::Fresh);
    assert!(std::fs::read_to_string(&path).unwrap().contains("\"version\":1,\"key\""));
}

#[tokio::test]
async fn an_unwritable_cache_fails_before_a_code_is_spent() {
    let w = world();
    // A file where the cache directory should be.
    std::fs::create_dir_all(w.dir.path().join("cache")).unwrap();
    std::fs::write(w.dir.path().join("cache/awsw"), "").unwrap();
    let err = w.engine.session("prod", &code(GOOD_CODE)).await.unwrap_err();
    assert!(matches!(err, CredsError::Cache { .. }), "{err}");
    assert!(err.to_string().contains("XDG_CACHE_HOME"));
    assert!(w.sts.calls().is_empty());
}

#[tokio::test]
async fn sts_faults_become_one_line_messages_without_secrets() {
    let cases = [
        (StsError::Service { code: "Throttling".into(), message: "Rate exceeded".into() }, "throttling"),
        (StsError::Service { code: "InvalidClientTokenId".into(), message: "bad".into() }, "rotate them"),
        (StsError::Service { code: "ExpiredToken".into(), message: "expired".into() }, "expired"),
        (
            StsError::Service {
                code: "AccessDenied".into(),
                message: "not authorized to perform sts:AssumeRole".into(),
            },
            "AccessDenied",
        ),
        (StsError::Unreachable { reason: "Connection refused".into() }, "cannot reach STS"),
        (StsError::Timeout, "no answer within 10 s"),
    ];
    for (fault, expected) in cases {
        let w = world();
        w.sts.fail_next("AssumeRole", fault);
        let err = w.engine.session("jump", &Ask::non_interactive()).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("jump"), "{text}");
        assert!(!text.contains('\n'));
        assert!(!text.contains("plain-long-term-secret") && !text.contains("fake-secret"), "{text}");
        assert_eq!(err.exit_code(), 1);
    }
}

#[tokio::test]
async fn session_names_fall_back_to_the_local_user() {
    let w = world();
    w.sts.fail_next("GetCallerIdentity", StsError::Timeout); // the lookup of the IAM user name
    let _ = w.engine.session("jump", &Ask::non_interactive()).await.unwrap();
    assert!(w.sts.calls().last().unwrap().contains("as localuser"), "{:?}", w.sts.calls());
}

#[tokio::test]
async fn credential_source_environment_assumes_the_profiles_own_role() {
    let env = EngineEnv {
        credentials: EnvCredentials {
            access_key_id: Some("AKIAENV".into()),
            secret_access_key: Some(Secret::new("env-secret")),
            session_token: None,
        },
        user: Some("ci".into()),
        ..EngineEnv::default()
    };
    let w = world_with(env);
    assert!(matches!(w.engine.readiness("from-env"), Readiness::Ready { .. }));
    let s = w.engine.session("from-env", &Ask::non_interactive()).await.unwrap();
    assert_eq!(s.identity.unwrap().account, "666666666666");
    assert_eq!(
        w.sts.calls(),
        ["AssumeRole arn:aws:iam::666666666666:role/ci from AKIAENV as ci duration=None mfa=-"]
    );
}

#[tokio::test]
async fn plain_static_identity_needs_no_mfa_and_unknown_names_get_suggestions() {
    let w = world();
    let report = w.engine.identity("base", &Ask::non_interactive()).await.unwrap();
    assert_eq!(report.origin, SessionOrigin::Static);
    assert_eq!(report.identity.arn, "arn:aws:iam::111111111111:user/alice");
    assert_eq!(w.sts.calls(), ["GetCallerIdentity AKIABASE"]);
    let err = w.engine.session("prdo", &Ask::non_interactive()).await.unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("did you mean prod"), "{err}");
}

#[test]
fn endpoints_follow_sdk_precedence() {
    let inventory = Inventory::from_texts(
        Some(
            "[profile p]\nregion = ap-northeast-1\nservices = local\nendpoint_url = http://profile\n\
             aws_access_key_id = A\naws_secret_access_key = S\n[services local]\nsts =\n  endpoint_url = http://services\n",
        ),
        None,
    );
    let engine_with = |env: EngineEnv| {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(datetime!(2026-11-23 09:00:00 UTC)));
        let sts = FakeSts::new(Arc::new(FixedClock::new(datetime!(2026-11-23 09:00:00 UTC))));
        Engine::with_parts(
            Arc::new(Inventory::from_texts(
                Some(
                    "[profile p]\nregion = ap-northeast-1\nservices = local\nendpoint_url = http://profile\n\
                     aws_access_key_id = A\naws_secret_access_key = S\n[services local]\nsts =\n  endpoint_url = http://services\n",
                ),
                None,
            )),
            EngineParts {
                sts,
                roots: Arc::new(FakeRoots),
                sso: Arc::new(FakeSso::default()).parts(std::env::temp_dir().join("awsw-endpoint-test")),
                cache_scan: Arc::new(DirScan),
                clock,
                cache_dir: std::env::temp_dir().join("awsw-endpoint-test"),
                cli_cache_dir: None,
                env,
                min_remaining: time::Duration::minutes(5),
                session_duration: 3600,
            },
        )
    };
    let p = inventory.profile("p").unwrap();
    let e = engine_with(EngineEnv::default()).endpoint(p);
    assert_eq!((e.region.as_str(), e.url.as_deref()), ("ap-northeast-1", Some("http://services")));
    let env = EngineEnv {
        endpoint_url: Some("http://env-global".into()),
        region: Some("us-west-2".into()),
        ..EngineEnv::default()
    };
    let e = engine_with(env.clone()).endpoint(p);
    assert_eq!((e.region.as_str(), e.url.as_deref()), ("us-west-2", Some("http://services")));
    let e =
        engine_with(EngineEnv { endpoint_url_sts: Some("http://env-sts".into()), ..env.clone() }).endpoint(p);
    assert_eq!(e.url.as_deref(), Some("http://env-sts"));
    let e = engine_with(EngineEnv { ignore_configured_endpoints: true, ..env }).endpoint(p);
    assert_eq!(e.url, None);
}

#[tokio::test]
async fn plain_static_profiles_hand_out_temporary_keys_not_long_term_ones() {
    let w = world();
    let s = w.engine.session("plain", &Ask::non_interactive()).await.unwrap();
    assert!(s.credentials.session_token.is_some());
    assert_ne!(s.credentials.access_key_id, "AKIAPLAIN");
    assert_eq!(w.sts.calls(), ["GetSessionToken from AKIAPLAIN mfa=-"]);
    let again = w.engine.cached_session("plain").unwrap();
    assert_eq!(again.credentials, s.credentials);
}

#[tokio::test]
async fn the_environments_own_credentials_are_checked_with_get_caller_identity() {
    assert!(world().engine.environment_identity().await.is_none(), "no credentials, no call");
    let env = EngineEnv {
        credentials: EnvCredentials {
            access_key_id: Some("ASIAENV".into()),
            secret_access_key: Some(Secret::new("env-secret")),
            session_token: Some(Secret::new("env-token")),
        },
        ..EngineEnv::default()
    };
    let w = world_with(env);
    let identity = w.engine.environment_identity().await.unwrap().unwrap();
    assert_eq!(identity.arn, "arn:aws:iam::111111111111:user/alice");
    assert_eq!(w.sts.calls(), ["GetCallerIdentity ASIAENV"]);
    w.sts.fail_next(
        "GetCallerIdentity",
        StsError::Service {
            code: "ExpiredToken".into(),
            message: "The security token included in the request is expired".into(),
        },
    );
    let err = w.engine.environment_identity().await.unwrap().unwrap_err();
    assert_eq!(err, "the credentials in this environment have expired");
    assert!(!err.contains("env-secret") && !err.contains("env-token"));
}

/// Writes the token `aws sso login --sso-session corp` leaves, expiring at `expires_at`
/// (0600 in a 0700 directory, as the AWS CLI writes it: awsw trusts nothing else).
fn sso_token(w: &World, expires_at: &str) {
    sso_token_with(
        w,
        serde_json::json!({"accessToken": "sso-access-token", "expiresAt": expires_at, "region": "us-east-1"}),
    );
}

fn sso_token_with(w: &World, body: serde_json::Value) {
    use sha1::{Digest, Sha1};
    use std::os::unix::fs::PermissionsExt;
    let dir = w.dir.path().join("aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    for d in [w.dir.path().join("aws/sso"), dir.clone()] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let file = dir.join(format!("{}.json", hex::encode(Sha1::digest(b"corp"))));
    std::fs::write(&file, body.to_string()).unwrap();
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[tokio::test]
async fn sso_without_a_token_names_the_login_command_and_calls_nothing() {
    let w = world();
    let login = Readiness::NeedsSsoLogin { command: "awsw login corp".into() };
    assert_eq!(w.engine.readiness("sso-admin"), login);
    assert_eq!(w.engine.readiness("sso-deploy"), login);
    let err = w.engine.session("sso-deploy", &code(GOOD_CODE)).await.unwrap_err();
    assert!(matches!(err, CredsError::SsoLoginRequired { .. }), "{err}");
    assert!(err.to_string().contains("run `awsw login corp`"), "{err}");
    assert!(w.sts.calls().is_empty());
}

#[tokio::test]
async fn sso_with_a_valid_token_is_ready_and_assumes_roles_from_the_portal_credentials() {
    let w = world();
    sso_token(&w, "2026-11-23T10:00:00Z");
    assert_eq!(w.engine.readiness("sso-admin"), Readiness::Ready { expiration: None });
    assert_eq!(w.engine.readiness("sso-deploy"), Readiness::Ready { expiration: None });
    let s = w.engine.session("sso-admin", &Ask::non_interactive()).await.unwrap();
    assert_eq!(s.credentials.access_key_id, "ASIASSO");
    assert!(w.sts.calls().is_empty(), "the portal's credentials need no STS call");
    let s = w.engine.session("sso-deploy", &Ask::non_interactive()).await.unwrap();
    assert_eq!(s.origin, SessionOrigin::Fresh);
    assert_eq!(
        w.sts.calls(),
        ["AssumeRole arn:aws:iam::888888888888:role/deploy from ASIASSO as localuser duration=None mfa=-"]
    );
    // The role's session is cached like any other: ready without the token now.
    assert!(matches!(w.engine.readiness("sso-deploy"), Readiness::Ready { expiration: Some(_) }));
}

#[tokio::test]
async fn sso_with_an_expired_token_needs_a_login_again() {
    let w = world();
    sso_token(&w, "2026-11-23T08:59:00Z");
    assert!(matches!(w.engine.readiness("sso-admin"), Readiness::NeedsSsoLogin { .. }));
    let err = w.engine.session("sso-admin", &Ask::non_interactive()).await.unwrap_err();
    assert!(matches!(err, CredsError::SsoLoginRequired { .. }), "{err}");
    // A token that is still valid at the engine's clock works, whatever the wall clock says.
    sso_token(&w, "2026-11-23T09:30:00Z");
    assert!(w.engine.session("sso-admin", &Ask::non_interactive()).await.is_ok());
    w.clock.advance(time::Duration::hours(1));
    assert!(matches!(w.engine.readiness("sso-admin"), Readiness::NeedsSsoLogin { .. }));
}

#[tokio::test]
async fn sso_role_credentials_are_one_cached_step_shared_with_the_aws_cli() {
    let w = world();
    sso_token(&w, "2026-11-23T17:00:00Z");
    assert!(w.engine.cached_session("sso-admin").is_none());
    let s = w.engine.session("sso-admin", &Ask::non_interactive()).await.unwrap();
    assert_eq!((s.credentials.access_key_id.as_str(), s.origin), ("ASIASSO", SessionOrigin::Fresh));
    assert_eq!(w.sso.calls(), ["GetRoleCredentials 777777777777/Admin with sso-access-token"]);
    // awsw's cache (the file direnv watches) and the AWS CLI's, under botocore's key.
    let cached = w.engine.cached_session("sso-admin").expect("cached in awsw's cache");
    assert_eq!(cached.origin, SessionOrigin::Cache);
    assert!(w.engine.cache_file("sso-admin").unwrap().exists());
    let cli: Vec<_> = std::fs::read_dir(w.dir.path().join("aws/cli/cache")).unwrap().flatten().collect();
    assert_eq!(cli.len(), 1);
    let text = std::fs::read_to_string(cli[0].path()).unwrap();
    assert!(
        text.contains("\"ProviderType\":\"sso\"") && text.contains("\"AccountId\":\"777777777777\""),
        "{text}"
    );
    // A role chained from it starts from the cached step: no second portal call.
    w.engine.session("sso-deploy", &Ask::non_interactive()).await.unwrap();
    assert_eq!(w.sso.calls().len(), 1);
    assert!(matches!(w.engine.readiness("sso-admin"), Readiness::Ready { expiration: Some(_) }));
}

#[tokio::test]
async fn an_expired_sso_token_with_a_refresh_token_is_renewed_silently() {
    let w = world();
    sso_token_with(
        &w,
        serde_json::json!({"accessToken": "old-access-token", "expiresAt": "2026-11-23T08:00:00Z",
            "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start", "clientId": "client",
            "clientSecret": "client-secret", "registrationExpiresAt": "2027-01-01T00:00:00Z",
            "refreshToken": "refresh-1"}),
    );
    assert_eq!(w.engine.readiness("sso-admin"), Readiness::Ready { expiration: None }, "renewable: no login");
    w.engine.session("sso-admin", &Ask::non_interactive()).await.unwrap();
    assert_eq!(
        w.sso.calls(),
        [
            "CreateToken refresh_token=refresh-1",
            "GetRoleCredentials 777777777777/Admin with renewed-access-token"
        ]
    );
    // Written back for the AWS CLI and the next run.
    let dir = w.dir.path().join("aws/sso/cache");
    let file = std::fs::read_dir(dir).unwrap().flatten().next().unwrap().path();
    let token: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(
        (token["accessToken"].as_str(), token["refreshToken"].as_str()),
        (Some("renewed-access-token"), Some("renewed-refresh-token"))
    );
    // Past the registration's end, the refresh token is useless: a login is needed.
    w.clock.advance(time::Duration::days(60));
    assert!(matches!(w.engine.readiness("sso-admin"), Readiness::NeedsSsoLogin { .. }));
}
