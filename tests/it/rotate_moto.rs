//! `awsw rotate` against moto's IAM and STS: the credentials file changes in exactly two
//! values, the AWS CLI works with it, IAM keeps only the new key, the caches of the old key
//! are dropped; every refusal changes nothing; a fault after `CreateAccessKey` (STS never
//! accepting the key, the file unwritable, the server gone) leaves the file byte-identical and
//! no extra key behind, or names it.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use awsw::creds::iam::{AwsIam, Iam, IamError, KeyMeta, LastUsed, NewKey};
use awsw::creds::rotate::{CredFile, DiskCredFile, Plan, Polling, RotateError, Rotator};
use awsw::creds::sts::{
    AssumeRoleRequest, AwsSts, Endpoint, RoleSession, SessionTokenRequest, Sts, StsError,
};
use awsw::creds::{Credentials, Identity};
use awsw::secret::Secret;
use common::{MotoServer, Sandbox, text};
use futures::future::BoxFuture;

/// The AWS CLI against moto with moto's own test credentials; stdout as text.
fn aws(moto: &MotoServer, args: &[&str]) -> String {
    let out = std::process::Command::new("aws")
        .args(args)
        .args(["--endpoint-url", &moto.url(), "--region", "us-east-1", "--output", "text"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("run aws");
    assert!(out.status.success(), "aws {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A user `alice` with one key: (id, secret).
fn alice(moto: &MotoServer) -> (String, String) {
    aws(moto, &["iam", "create-user", "--user-name", "alice"]);
    let key = aws(
        moto,
        &[
            "iam",
            "create-access-key",
            "--user-name",
            "alice",
            "--query",
            "AccessKey.[AccessKeyId,SecretAccessKey]",
        ],
    );
    let (id, secret) = key.split_once('\t').expect("id and secret");
    (id.to_string(), secret.to_string())
}

fn keys_of_alice(moto: &MotoServer) -> Vec<String> {
    let listed = aws(
        moto,
        &["iam", "list-access-keys", "--user-name", "alice", "--query", "AccessKeyMetadata[].AccessKeyId"],
    );
    listed.split_whitespace().map(str::to_string).collect()
}

const CONFIG: &str = "[profile alice]\nregion = us-east-1\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = alice\n[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = R\n[profile proc]\ncredential_process = /bin/false\n[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/x\ncredential_source = Environment\n";

/// A credentials file with everything a careless rewrite would lose: a comment, CRLF, a
/// trailing comment on the secret, another profile, no final newline.
fn credentials(id: &str, secret: &str) -> String {
    format!(
        "# keys, do not share\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHER000001\r\naws_secret_access_key = other\r\n\r\n[alice]   ; mine\r\nregion=us-east-1\r\naws_access_key_id = {id}\r\naws_secret_access_key   =   {secret} ; rotated by awsw\r\n; end"
    )
}

fn setup() -> Option<(MotoServer, Sandbox, String, String)> {
    if !common::require("aws") {
        return None;
    }
    let moto = MotoServer::start()?;
    let (id, secret) = alice(&moto);
    let sb = Sandbox::new(CONFIG, &credentials(&id, &secret)).with_endpoint(moto.url());
    std::fs::set_permissions(sb.home().join(".aws/credentials"), std::fs::Permissions::from_mode(0o640))
        .unwrap();
    Some((moto, sb, id, secret))
}

fn read_credentials(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.home().join(".aws/credentials")).unwrap()
}

#[test]
fn rotate_changes_two_values_and_iam_keeps_only_the_new_key() {
    let Some((moto, sb, old_id, old_secret)) = setup() else { return };
    // Sessions made from the old key, in awsw's cache and the AWS CLI's.
    let out = sb.awsw(&["env", "admin"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let cli_cache = sb.home().join(".aws/cli/cache");
    assert_eq!(std::fs::read_dir(&cli_cache).unwrap().count(), 1);

    let out = sb.awsw(&["rotate", "alice"]).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let after = read_credentials(&sb);
    let keys = keys_of_alice(&moto);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let new_id = &keys[0];
    assert_ne!(new_id, &old_id);
    // Byte for byte the same once the two values are put back.
    let new_secret = after
        .split("aws_secret_access_key   =   ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_string();
    assert_ne!(new_secret, old_secret);
    assert_eq!(
        after.replace(new_id.as_str(), &old_id).replace(&new_secret, &old_secret),
        credentials(&old_id, &old_secret)
    );
    assert_eq!(
        std::fs::metadata(sb.home().join(".aws/credentials")).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // No secret in what awsw printed.
    assert!(!stdout.contains(&new_secret) && !stderr.contains(&new_secret), "{stdout}{stderr}");
    // The caches of the old key are gone.
    assert_eq!(std::fs::read_dir(&cli_cache).unwrap().count(), 0, "{stderr}");
    let leftover: Vec<_> =
        std::fs::read_dir(sb.cache_dir()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(leftover.iter().all(|n| !n.to_string_lossy().starts_with("role-")), "{leftover:?}");
    // The real AWS CLI reads the rewritten file and moto knows the key as alice's.
    let out = sb
        .command("aws")
        .args(["sts", "get-caller-identity", "--profile", "alice", "--output", "text", "--query", "Arn"])
        .output()
        .unwrap();
    assert_eq!(text(&out).0.trim(), "arn:aws:iam::123456789012:user/alice", "{}", text(&out).1);
    let out = sb
        .command("aws")
        .args(["configure", "get", "aws_access_key_id", "--profile", "alice"])
        .output()
        .unwrap();
    assert_eq!(text(&out).0.trim(), new_id);
}

#[test]
fn refusals_change_nothing() {
    let Some((moto, sb, old_id, old_secret)) = setup() else { return };
    let before = read_credentials(&sb);
    let run = |args: &[&str]| {
        let out = sb.awsw(args).output().unwrap();
        let (stdout, stderr) = text(&out);
        (out.status.code(), stdout, stderr)
    };
    // --dry-run says what would happen.
    let (code, stdout, stderr) = run(&["rotate", "alice", "--dry-run"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("create a new access key for IAM user alice") && stdout.contains(&old_id),
        "{stdout}"
    );
    // SSO, a process, the environment: nothing to rotate.
    for (profile, source) in
        [("sso", "SSO"), ("proc", "a credential_process"), ("envrole", "the environment")]
    {
        let (code, _, stderr) = run(&["rotate", profile]);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(source) && stderr.lines().count() == 1, "{stderr}");
    }
    // A second key already exists: name it.
    let second =
        aws(&moto, &["iam", "create-access-key", "--user-name", "alice", "--query", "AccessKey.AccessKeyId"]);
    let (code, _, stderr) = run(&["rotate", "alice"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("two access keys") && stderr.contains(&second), "{stderr}");
    assert_eq!(keys_of_alice(&moto).len(), 2);
    assert_eq!(read_credentials(&sb), before);
    // Keys in the config file are not moved anywhere.
    aws(&moto, &["iam", "delete-access-key", "--user-name", "alice", "--access-key-id", &second]);
    let config = format!(
        "{CONFIG}[profile inconfig]\naws_access_key_id = {old_id}\naws_secret_access_key = {old_secret}\n"
    );
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    let (code, _, stderr) = run(&["rotate", "inconfig"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("in the config file"), "{stderr}");
    assert_eq!(keys_of_alice(&moto), vec![old_id]);
    assert_eq!(read_credentials(&sb), before);
    let (code, _, stderr) = run(&["rotate", "nosuch"]);
    assert_eq!(code, Some(2), "{stderr}");
}

/// STS that never accepts a key.
struct RefusingSts;

impl Sts for RefusingSts {
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
        Box::pin(async { Err(StsError::Timeout) })
    }
    fn get_caller_identity<'a>(
        &'a self,
        _: &'a Endpoint,
        _: &'a Credentials,
    ) -> BoxFuture<'a, Result<Identity, StsError>> {
        Box::pin(async {
            Err(StsError::Service { code: "InvalidClientTokenId".into(), message: "not yet".into() })
        })
    }
}

/// A credentials file that can be read but not replaced.
struct UnwritableFile(DiskCredFile);

impl CredFile for UnwritableFile {
    fn path(&self) -> PathBuf {
        self.0.path()
    }
    fn read(&self) -> std::io::Result<String> {
        self.0.read()
    }
    fn write(&self, _: &str) -> std::io::Result<()> {
        Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
    }
}

/// Real IAM that stops the server right after `CreateAccessKey` answered.
struct StoppingIam<'a> {
    moto: Mutex<&'a mut MotoServer>,
}

impl Iam for StoppingIam<'_> {
    fn list_access_keys<'a>(
        &'a self,
        e: &'a Endpoint,
        c: &'a Credentials,
        u: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<KeyMeta>, IamError>> {
        AwsIam.list_access_keys(e, c, u)
    }
    fn last_used<'a>(
        &'a self,
        e: &'a Endpoint,
        c: &'a Credentials,
        k: &'a str,
    ) -> BoxFuture<'a, Result<LastUsed, IamError>> {
        AwsIam.last_used(e, c, k)
    }
    fn create_access_key<'a>(
        &'a self,
        e: &'a Endpoint,
        c: &'a Credentials,
        u: Option<&'a str>,
    ) -> BoxFuture<'a, Result<NewKey, IamError>> {
        Box::pin(async move {
            let key = AwsIam.create_access_key(e, c, u).await;
            self.moto.lock().unwrap().stop();
            key
        })
    }
    fn delete_access_key<'a>(
        &'a self,
        e: &'a Endpoint,
        c: &'a Credentials,
        u: Option<&'a str>,
        k: &'a str,
    ) -> BoxFuture<'a, Result<(), IamError>> {
        AwsIam.delete_access_key(e, c, u, k)
    }
}

fn plan(moto_url: &str, id: &str, secret: &str) -> Plan {
    let old = Credentials {
        access_key_id: id.to_string(),
        secret_access_key: Secret::new(secret),
        session_token: None,
        expiration: None,
    };
    let endpoint = Endpoint { region: "us-east-1".into(), url: Some(moto_url.to_string()) };
    Plan {
        profile: "alice".into(),
        caller: old.clone(),
        old,
        user: Some("alice".into()),
        arn: "arn:aws:iam::123456789012:user/alice".into(),
        iam_endpoint: endpoint.clone(),
        sts_endpoint: endpoint,
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

const FAST: Polling = Polling { attempts: 3, interval: Duration::from_millis(20) };

#[test]
fn a_key_sts_never_accepts_is_deleted_again_and_the_file_is_untouched() {
    let Some((moto, sb, id, secret)) = setup() else { return };
    let before = read_credentials(&sb);
    let file = DiskCredFile(sb.home().join(".aws/credentials"));
    let rotator = Rotator { iam: &AwsIam, sts: &RefusingSts, file: &file, polling: FAST };
    let err = block_on(rotator.rotate(&plan(&moto.url(), &id, &secret))).unwrap_err();
    assert!(matches!(err, RotateError::RolledBack { new_key_left: None, .. }), "{err}");
    assert!(err.to_string().contains("STS did not accept the new key after 3 tries"), "{err}");
    assert_eq!(read_credentials(&sb), before);
    assert_eq!(keys_of_alice(&moto), vec![id]);
}

#[test]
fn an_unwritable_file_deletes_the_new_key_again() {
    let Some((moto, sb, id, secret)) = setup() else { return };
    let before = read_credentials(&sb);
    let file = UnwritableFile(DiskCredFile(sb.home().join(".aws/credentials")));
    let rotator = Rotator { iam: &AwsIam, sts: &AwsSts, file: &file, polling: FAST };
    let err = block_on(rotator.rotate(&plan(&moto.url(), &id, &secret))).unwrap_err();
    assert!(matches!(err, RotateError::RolledBack { new_key_left: None, .. }), "{err}");
    assert!(err.to_string().contains("cannot write"), "{err}");
    assert_eq!(read_credentials(&sb), before);
    assert_eq!(keys_of_alice(&moto), vec![id]);
}

#[test]
fn a_server_gone_after_create_leaves_the_file_and_names_the_new_key() {
    let Some((mut moto, sb, id, secret)) = setup() else { return };
    let before = read_credentials(&sb);
    let url = moto.url();
    let file = DiskCredFile(sb.home().join(".aws/credentials"));
    let err = {
        let iam = StoppingIam { moto: Mutex::new(&mut moto) };
        let rotator = Rotator { iam: &iam, sts: &AwsSts, file: &file, polling: FAST };
        block_on(rotator.rotate(&plan(&url, &id, &secret))).unwrap_err()
    };
    let RotateError::RolledBack { new_key_left: Some((new_id, _)), .. } = &err else { panic!("{err}") };
    let message = err.to_string();
    assert!(message.contains(&format!("aws iam delete-access-key --access-key-id {new_id}")), "{message}");
    assert!(!message.contains(&secret), "{message}");
    assert_eq!(read_credentials(&sb), before);
}

#[test]
fn with_mfa_serial_the_rotation_runs_on_an_mfa_session_and_drops_it_after() {
    let Some((moto, sb, old_id, _)) = setup() else { return };
    let config = CONFIG
        .replace("[profile alice]\n", "[profile alice]\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n");
    std::fs::write(sb.home().join(".aws/config"), config).unwrap();
    // Without a code and without a terminal: one line naming the device, nothing changed.
    let before = read_credentials(&sb);
    let out = sb.awsw(&["rotate", "alice"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("arn:aws:iam::123456789012:mfa/alice"), "{}", text(&out).1);
    assert_eq!(read_credentials(&sb), before);
    assert_eq!(keys_of_alice(&moto), vec![old_id.clone()]);

    let out = sb.awsw(&["rotate", "alice", "--mfa-code", "123456"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let keys = keys_of_alice(&moto);
    assert!(keys.len() == 1 && keys[0] != old_id, "{keys:?}");
    let sessions: Vec<_> = std::fs::read_dir(sb.cache_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("session-"))
        .collect();
    assert!(sessions.is_empty(), "the MFA session of the old key is dropped");
}

/// Makes a directory refuse new entries until dropped: mode 0555, and for root (whom modes do
/// not stop) the immutable attribute.
struct Unwritable(PathBuf);

impl Unwritable {
    fn new(dir: PathBuf) -> Option<Unwritable> {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        // SAFETY-free: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            let made = std::process::Command::new("chattr").arg("+i").arg(&dir).status();
            if !made.is_ok_and(|s| s.success()) {
                assert!(std::env::var_os("CI").is_none(), "chattr +i is needed under CI as root");
                eprintln!("skipped: cannot make {} immutable", dir.display());
                return None;
            }
        }
        Some(Unwritable(dir))
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn the_binary_deletes_the_new_key_again_when_the_credentials_file_cannot_be_replaced() {
    let Some((moto, sb, id, _)) = setup() else { return };
    let before = read_credentials(&sb);
    let Some(_guard) = Unwritable::new(sb.home().join(".aws")) else { return };
    let out = sb.awsw(&["rotate", "alice"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rotation stopped, cannot write"), "{stderr}");
    assert!(stderr.contains("is unchanged and the new key was deleted again"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(read_credentials(&sb), before);
    assert_eq!(keys_of_alice(&moto), vec![id]);
}
