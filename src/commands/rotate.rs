//! `awsw rotate PROFILE [--dry-run]`: replaces the long-term access key at the root of a
//! profile's chain with a new one (see `creds::rotate` for the order and the rollback rules),
//! then drops every cached session made from the old key. Everything it refuses, it refuses
//! before changing anything.

use crate::printable::escaped;

use super::Error;
use super::session::{ask, block_on, engine};
use crate::cli::RotateArgs;
use crate::config::credfile_edit::{self, EditError};
use crate::config::profile::CredentialSource;
use crate::config::{ConfigPaths, Profile, RootKind};
use crate::context::Context;
use crate::creds::clicache::CliCache;
use crate::creds::iam::{self, AwsIam};
use crate::creds::rotate::{DiskCredFile, Plan, Polling, Rotator, precheck};
use crate::creds::sts::{AwsSts, Sts};
use crate::creds::{Ask, Credentials, CredsError, Engine, purge};
use crate::secret::mask_key_id;

/// Why a profile's keys cannot be rotated by awsw, judged from the files alone.
fn refusal(profile: &Profile) -> Option<String> {
    let source = match profile.root_kind() {
        Some(RootKind::StaticKeys) => {
            return profile.static_keys().and_then(|k| k.session_token.as_ref()).map(|_| {
                "its keys are temporary (aws_session_token is set): there is no long-term key to rotate"
                    .into()
            });
        }
        None => return profile.problems.first().map(|p| format!("cannot be used: {}", p.message)),
        Some(RootKind::CredentialSource(CredentialSource::Environment)) => "the environment",
        Some(RootKind::CredentialSource(CredentialSource::Ec2InstanceMetadata)) => "the EC2 instance role",
        Some(RootKind::CredentialSource(CredentialSource::EcsContainer)) => "the ECS container role",
        Some(RootKind::Sso) => "SSO",
        Some(RootKind::CredentialProcess) => "a credential_process",
        Some(RootKind::WebIdentity) => "a web identity token",
        Some(RootKind::DefaultChain) => "the SDKs' default chain (it sets no credentials itself)",
    };
    Some(format!(
        "its credentials come from {source}, not from long-term keys in the credentials file: there is nothing for awsw to rotate"
    ))
}

/// The credentials IAM is called with: an MFA session when the keys' profile has
/// `mfa_serial` (IAM refuses plain session credentials), else the keys themselves.
fn caller(
    engine: &Engine,
    holder: &Profile,
    old: &Credentials,
    args: &RotateArgs,
) -> Result<Credentials, CredsError> {
    if holder.mfa_serial.is_none() {
        return Ok(old.clone());
    }
    if args.dry_run {
        return Ok(engine.cached_session(&holder.name).map(|s| s.credentials).unwrap_or_else(|| old.clone()));
    }
    Ok(block_on(engine.session(&holder.name, &ask(&args.mfa, false)))?.credentials)
}

/// Rotates the root access key of the profile's chain, or with `--dry-run` says what
/// would change; then drops the sessions cached from the old key.
pub fn run(args: &RotateArgs, context: &Context) -> Result<(), Error> {
    let paths = context.config_paths().map_err(Error::failure)?;
    let engine = engine(context)?;
    let plan = prepare(&engine, &paths, args)?;
    if args.dry_run {
        return dry_run(&AwsIam, &plan, &paths.credentials);
    }
    let file = DiskCredFile(paths.credentials.clone());
    let rotator = Rotator { iam: &AwsIam, sts: &AwsSts, file: &file, polling: Polling::default() };
    let new_id = block_on(rotator.rotate(&plan)).map_err(Error::failure)?;
    let name = &plan.profile;
    eprintln!(
        "awsw: profile {name}: new access key {} created and accepted by STS; {} now holds it (only aws_access_key_id and aws_secret_access_key of [{name}] changed)",
        mask_key_id(&new_id),
        escaped(paths.credentials.display()),
    );
    eprintln!("awsw: profile {name}: deleted the old key {}", mask_key_id(&plan.old.access_key_id));
    let dropped = drop_caches(&engine, name, &plan.old.access_key_id);
    eprintln!("awsw: dropped {dropped} cached session(s) made from the old key");
    Ok(())
}

/// Everything checked that can be checked without changing anything, and the plan.
fn prepare(engine: &Engine, paths: &ConfigPaths, args: &RotateArgs) -> Result<Plan, Error> {
    let profile = engine.require(&args.profile)?;
    if let Some(reason) = refusal(profile) {
        return Err(Error::failure(format!("profile {}: {reason}", profile.name)));
    }
    let holder = profile.chain.first().and_then(|n| engine.inventory().profile(n)).unwrap_or(profile);
    let Some(keys) = profile.static_keys() else {
        return Err(Error::failure(format!("profile {}: has no access keys", profile.name)));
    };
    let old = Credentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    };
    // The file first: keys in the config file, or a section awsw cannot edit, stop here.
    if let Err(reason) = check_file(paths, holder, &old.access_key_id) {
        return Err(Error::failure(format!("profile {}: {reason}", holder.name)));
    }
    let sts_endpoint = engine.endpoint(holder);
    let Ok(identity) = block_on(AwsSts.get_caller_identity(&sts_endpoint, &old)) else {
        // The engine words every STS fault the same way everywhere.
        return Err(match block_on(engine.identity(&holder.name, &Ask::non_interactive())) {
            Err(err) => Error::from(err),
            Ok(_) => Error::failure(format!("profile {}: STS does not accept its keys", holder.name)),
        });
    };
    let caller = caller(engine, holder, &old, args)?;
    if holder.name != profile.name {
        eprintln!(
            "awsw: profile {} gets its keys from profile {}: rotating those",
            profile.name, holder.name
        );
    }
    Ok(Plan {
        profile: holder.name.clone(),
        old,
        caller,
        user: iam::user_name(&identity.arn).map(str::to_string),
        arn: identity.arn,
        iam_endpoint: iam::endpoint(engine.env(), holder.endpoint_url.as_deref(), holder.region.as_deref()),
        sts_endpoint,
    })
}

/// Refuses keys that are not in the credentials file, or a section awsw cannot edit.
fn check_file(paths: &ConfigPaths, holder: &Profile, key_id: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(&paths.credentials).unwrap_or_default();
    let probe = crate::secret::Secret::new("probe");
    let file = paths.credentials.display().to_string();
    match credfile_edit::replace_key_pair(&text, &file, &holder.name, key_id, key_id, &probe) {
        Ok(_) => Ok(()),
        Err(EditError::NoKeys { .. }) => Err(format!(
            "its access keys are in the config file {}, not in the credentials file {file}: awsw writes keys only where they already are; move them to the credentials file (`aws configure --profile {}`), then rotate again",
            paths.config.display(),
            holder.name
        )),
        Err(err) => Err(err.to_string()),
    }
}

fn drop_caches(engine: &Engine, holder: &str, old_key_id: &str) -> usize {
    let mut dropped = 0;
    if let Some(dir) = engine.env().dirs.cache.clone() {
        dropped += purge::awsw_sessions(&dir, old_key_id);
    }
    if let Some(dir) = engine.env().dirs.cli_cache() {
        dropped += purge::cli_sessions(&CliCache::new(dir), engine.inventory(), holder);
    }
    dropped
}

fn dry_run(iam: &AwsIam, plan: &Plan, credentials: &std::path::Path) -> Result<(), Error> {
    let keys = match block_on(precheck(iam, plan)) {
        Ok(count) => format!("the user has {count} key(s), so a second fits"),
        Err(crate::creds::rotate::RotateError::Refused { reason, .. })
            if reason.contains("would not list") && plan.caller.session_token.is_none() =>
        {
            "IAM did not list the keys without MFA; the real run asks for a code first".to_string()
        }
        Err(err) => return Err(Error::failure(err)),
    };
    let who = plan.user.as_deref().map(|u| format!("IAM user {u}")).unwrap_or_else(|| plan.arn.clone());
    // Names from IAM and paths from the environment: shown with control characters escaped.
    let (who, credentials) = (escaped(who), escaped(credentials.display()));
    println!("awsw rotate {} (dry run, nothing changed):", plan.profile);
    println!("  checked: {keys}");
    println!("  1. create a new access key for {who}");
    println!("  2. wait until STS accepts it (up to a minute)");
    println!(
        "  3. rewrite aws_access_key_id and aws_secret_access_key of [{}] in {}, every other byte kept",
        plan.profile, credentials
    );
    println!("  4. delete the old key {}", plan.old.access_key_id);
    println!("  5. drop the cached sessions made from the old key (awsw's and the AWS CLI's)");
    Ok(())
}
