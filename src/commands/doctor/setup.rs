//! The doctor's checks of what the user wrote: awsw's settings, the AWS config files, the
//! profiles' problems and hygiene, and the SSO tokens of the configured sessions.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::Check;
use crate::config::files;
use crate::config::{Inventory, Kind, Severity};
use crate::creds::plan::SsoTokenState;
use crate::sso::cache::SsoCache;
use crate::sso::credentials::token_state;
use crate::sso::{SsoError, SsoTarget, target};

pub(crate) fn settings(var: &dyn Fn(&str) -> Option<String>) -> Vec<Check> {
    match crate::settings::load(var) {
        Err(err) => {
            vec![Check::fail("settings", err.message, "unset the variable or give it an allowed value")]
        }
        Ok(loaded) => {
            let mut checks: Vec<Check> = loaded
                .warnings
                .iter()
                .map(|w| Check::warn("settings", w.clone(), "fix or remove that line of the settings file"))
                .collect();
            if checks.is_empty() {
                let source = match &loaded.file {
                    Some(file) => format!("{} and the environment", file.display()),
                    None => "defaults and the environment (no settings file)".into(),
                };
                checks.push(Check::ok("settings", format!("from {source}")));
            }
            checks
        }
    }
}

/// Reads and checks the config files; the inventory for the later checks when they could
/// be read.
pub(crate) fn files(checks: &mut Vec<Check>, context: &crate::context::Context) -> Option<Inventory> {
    let read = context.config_paths().and_then(|paths| files::read(&paths).map(|texts| (paths, texts)));
    let (paths, texts) = match read {
        Ok(read) => read,
        Err(err) => {
            checks.push(Check::fail(
                "config",
                err.to_string(),
                "make the file readable UTF-8 text, or point AWS_CONFIG_FILE elsewhere",
            ));
            return None;
        }
    };
    let set = texts.profile_set();
    for diagnostic in &set.diagnostics {
        let at = format!("{}:{}: {}", diagnostic.file, diagnostic.line, diagnostic.message);
        checks.push(match diagnostic.severity {
            Severity::Error => {
                Check::fail("config", at, format!("correct line {} of {}", diagnostic.line, diagnostic.file))
            }
            Severity::Warning => {
                Check::warn("config", at, format!("rename or remove the section at line {}", diagnostic.line))
            }
        });
    }
    let inventory = Inventory::from_set(&set);
    if texts.missing.len() == 2 {
        checks.push(Check::warn(
            "config",
            format!("neither {} nor {} exists", paths.config.display(), paths.credentials.display()),
            "run `aws configure` or `aws configure sso`, or set AWS_CONFIG_FILE",
        ));
    } else if !set.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        checks.push(Check::ok(
            "config",
            format!(
                "{} profiles read from {} and {}",
                inventory.profiles.len(),
                paths.config.display(),
                paths.credentials.display()
            ),
        ));
    }
    profiles(&inventory, &set, checks);
    hygiene(&inventory, checks);
    Some(inventory)
}

/// The fix for a problem code (README: "Problems").
fn problem_fix(code: &str) -> &'static str {
    match code {
        "cycle" => "point one source_profile of the loop at a profile with credentials",
        "missing-source" => "add the named profile, or correct source_profile",
        "source-conflict" => "keep either source_profile or credential_source, not both",
        "role-without-source" => "add source_profile, credential_source or web_identity_token_file",
        "unknown-credential-source" => {
            "set credential_source to Environment, Ec2InstanceMetadata or EcsContainer"
        }
        "half-key-pair" => "add the other key of the pair (aws_access_key_id / aws_secret_access_key)",
        "missing-sso-session" => "add the [sso-session NAME] section, or correct sso_session",
        "incomplete-sso" => "add sso_start_url, sso_region, sso_account_id and sso_role_name",
        "no-credentials" => {
            "give the source profile credentials (keys, a role, SSO, credential_process), or point source_profile at one that has them"
        }
        "bad-duration" => "set duration_seconds to a whole number of seconds from 900 to 43200",
        "source-broken" => "fix the profile named in the message",
        "chain-too-long" => "shorten the role chain to 64 profiles or fewer",
        _ => "see `awsw list --json`",
    }
}

fn profiles(inventory: &Inventory, set: &crate::config::ProfileSet<'_>, checks: &mut Vec<Check>) {
    let invalid: Vec<_> = inventory.profiles.iter().filter(|p| p.kind == Kind::Invalid).collect();
    for profile in &invalid {
        let Some(problem) = profile.problems.first() else { continue };
        let place = set
            .profile(&profile.name)
            .map(|raw| format!(" ({}:{})", set.files[raw.file], raw.line))
            .unwrap_or_default();
        checks.push(Check::fail(
            "profile",
            format!("{}{place}: {}", profile.name, problem.message),
            problem_fix(problem.code.as_str()),
        ));
    }
    if invalid.is_empty() && !inventory.profiles.is_empty() {
        checks.push(Check::ok("profile", format!("all {} profiles can work", inventory.profiles.len())));
    }
}

fn hygiene_fix(code: &str) -> &'static str {
    match code {
        "static-keys" => "prefer SSO or a role; at least put mfa_serial on the keys' profile",
        "no-mfa" => "add mfa_serial to the role's profile or its source profile",
        "duration-out-of-range" => "set duration_seconds from 900 to 43200",
        "no-region" => "set region on the profile or along its source_profile chain",
        _ => "see `awsw list --json`",
    }
}

/// One line per hygiene code, naming up to three profiles.
fn hygiene(inventory: &Inventory, checks: &mut Vec<Check>) {
    let mut by_code: BTreeMap<&str, (Vec<&str>, &str)> = BTreeMap::new();
    for profile in &inventory.profiles {
        for warning in &profile.warnings {
            let entry =
                by_code.entry(warning.code.as_str()).or_insert((Vec::new(), warning.message.as_str()));
            entry.0.push(&profile.name);
        }
    }
    for (code, (names, message)) in by_code {
        let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
        let more = if names.len() > 3 { format!(" and {} more", names.len() - 3) } else { String::new() };
        checks.push(Check::warn(
            "hygiene",
            format!("{code} on {} profile(s) ({shown}{more}): {message}", names.len()),
            hygiene_fix(code),
        ));
    }
}

/// The cached token of every configured SSO session (and legacy SSO profile), read as the
/// engine reads it (`SsoCache`, through `safe_fs`): a file another user owns or can read is
/// a failure, never a token.
pub(crate) fn sso(
    inventory: &Inventory,
    now: OffsetDateTime,
    dirs: &crate::creds::engine::Dirs,
) -> Vec<Check> {
    let Some(cache) = dirs.sso_cache().map(SsoCache::new) else { return Vec::new() };
    let mut targets: Vec<Result<SsoTarget, SsoError>> =
        inventory.sso_sessions.iter().map(|s| target::for_session(inventory, &s.name)).collect();
    let legacy = inventory.profiles.iter().filter(|p| p.kind == Kind::Sso && p.sso_session.is_none());
    targets.extend(legacy.map(|p| target::for_profile(inventory, p)));
    let mut seen = std::collections::HashSet::new();
    targets
        .into_iter()
        .filter(|t| t.as_ref().map_or(true, |t| seen.insert(t.token_file_name())))
        .map(|target| match target {
            Ok(target) => token_check(&cache, &target, now),
            Err(err) => Check::warn("sso", err.to_string(), "complete the section in the config file"),
        })
        .collect()
}

fn token_check(cache: &SsoCache, target: &SsoTarget, now: OffsetDateTime) -> Check {
    let id = target.session.as_deref().unwrap_or(&target.start_url);
    let login = format!("run `awsw login {}`", target.login);
    let file = cache.token_path(target).display().to_string();
    let token = match cache.load_token(target) {
        Ok(Some(token)) => token,
        Ok(None) => return Check::warn("sso", format!("{id}: no token cached ({file})"), login),
        Err(err) => return Check::fail("sso", err.to_string(), login),
    };
    match token_state(Some(&token), now) {
        SsoTokenState::Valid => {
            let left = crate::timefmt::time_left(now, token.expires_at, crate::timefmt::Style::HoursMinutes);
            Check::ok("sso", format!("{id}: token valid for {left}"))
        }
        SsoTokenState::Renewable => Check::ok(
            "sso",
            format!("{id}: the access token has expired; its refresh token renews it silently on next use"),
        ),
        SsoTokenState::Missing => Check::warn("sso", format!("{id}: the token in {file} has expired"), login),
    }
}
