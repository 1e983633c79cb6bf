//! `awsw whoami PROFILE`: the verified identity behind a profile and when its session ends;
//! `--all` asks for every profile available without a prompt, concurrently.

use crate::printable::{escape, escaped};
use std::sync::Arc;

use futures::StreamExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Error;
use super::session::{ask, block_on, engine, engine_for, print_notices};
use crate::cli::WhoamiArgs;
use crate::context::Context;
use crate::creds::keyage::add_to_report;
use crate::creds::keyfacts::KeyFacts;
use crate::creds::{Ask, CredsError, Engine, IdentityReport, Readiness};
use crate::timefmt::{Style, time_left};

/// How many identity calls run at once for `--all`.
const CONCURRENCY: usize = 16;

fn origin_name(report: &IdentityReport) -> &'static str {
    match report.origin {
        crate::creds::SessionOrigin::Static => "static",
        crate::creds::SessionOrigin::Cache => "cache",
        crate::creds::SessionOrigin::Fresh => "fresh",
    }
}

fn expiry_text(expiration: Option<OffsetDateTime>) -> Option<String> {
    expiration.and_then(|t| t.format(&Rfc3339).ok())
}

/// Who `name` is, with its root-key facts (and the key age, asking IAM, only `with_age`).
async fn identity(
    engine: &Engine,
    name: &str,
    ask: &Ask,
    with_age: bool,
) -> Result<IdentityReport, CredsError> {
    let mut report = engine.identity(name, ask).await?;
    add_to_report(engine, name, &mut report, with_age).await;
    Ok(report)
}

fn findings(facts: Option<&KeyFacts>) -> Vec<crate::config::Finding> {
    facts.map(|f| f.findings(OffsetDateTime::now_utc())).unwrap_or_default()
}

/// The `root-keys` and `old-key` findings, one line each on stderr.
fn print_findings(facts: Option<&KeyFacts>) {
    for finding in findings(facts) {
        eprintln!("awsw: {}: {}", finding.code, escape(&finding.message));
    }
}

fn json(profile: &str, report: &IdentityReport) -> serde_json::Value {
    let now = OffsetDateTime::now_utc();
    let facts = report.keys.as_ref();
    serde_json::json!({
        "root_keys": facts.is_some_and(|f| f.root),
        "key": facts.map(|f| f.json(now)).unwrap_or(serde_json::Value::Null),
        "warnings": findings(facts),
        "profile": profile,
        "account": report.identity.account,
        "arn": report.identity.arn,
        "user_id": report.identity.user_id,
        "session_name": report.session_name,
        "expiration": expiry_text(report.expiration),
        "source": origin_name(report),
    })
}

/// Prints the verified identity of one profile, or with `--all` of every profile that
/// needs no prompt; text or `--json`.
pub fn run(args: &WhoamiArgs, context: &Context) -> Result<(), Error> {
    let profile = args.profile.clone().unwrap_or_default();
    if args.all {
        return all(Arc::new(engine(context)?), args.json);
    }
    let engine = engine_for(context, &profile)?;
    let result = block_on(identity(&engine, &profile, &ask(&args.mfa, true), true));
    print_notices(&engine);
    let report = result?;
    if args.json {
        print_findings(report.keys.as_ref());
        println!("{}", json(&profile, &report));
        return Ok(());
    }
    println!("profile  {}", escape(&profile));
    println!("account  {}", escape(&report.identity.account));
    println!("arn      {}", escape(&report.identity.arn));
    println!("user id  {}", escape(&report.identity.user_id));
    match report.expiration {
        Some(t) => println!(
            "expires  {} (in {})",
            expiry_text(Some(t)).unwrap_or_default(),
            time_left(OffsetDateTime::now_utc(), t, Style::HoursMinutes)
        ),
        None => println!("expires  never (long-term keys)"),
    }
    println!("source   {}", origin_name(&report));
    if let Some(line) = report.keys.as_ref().and_then(|f| f.describe(OffsetDateTime::now_utc())) {
        println!("key      {}", escape(&line));
    }
    print_findings(report.keys.as_ref());
    Ok(())
}

/// Why `--all` left a profile out, for the summary on stderr.
#[derive(Default)]
struct Skipped {
    mfa: Vec<String>,
    sso: Vec<String>,
    process: Vec<String>,
    chain: Vec<String>,
    unusable: Vec<String>,
}

impl Skipped {
    fn summary(&self) -> Option<String> {
        fn group(names: &[String], why: &str) -> Option<String> {
            const SHOWN: usize = 3;
            if names.is_empty() {
                return None;
            }
            let mut shown = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
            if names.len() > SHOWN {
                shown.push_str(&format!(" and {} more", names.len() - SHOWN));
            }
            Some(format!("{why}: {shown}"))
        }
        let groups: Vec<String> = [
            group(&self.mfa, "needs an MFA code"),
            group(&self.sso, "needs `awsw login`"),
            group(&self.process, "runs a credential_process"),
            group(&self.chain, "uses the default chain (environment, container, instance metadata)"),
            group(&self.unusable, "cannot work (see `awsw list`)"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let count =
            self.mfa.len() + self.sso.len() + self.process.len() + self.chain.len() + self.unusable.len();
        (count > 0).then(|| {
            format!(
                "not asked, {count} profile(s) that would prompt or cannot work: {}. `awsw whoami PROFILE` asks for one",
                groups.join("; ")
            )
        })
    }
}

/// Identity for every profile available without a prompt, with bounded concurrency, in file
/// order. A profile with static keys counts even when switching to it takes an MFA code:
/// `GetCallerIdentity` itself needs none.
fn all(engine: Arc<Engine>, as_json: bool) -> Result<(), Error> {
    let mut skipped = Skipped::default();
    let mut names = Vec::new();
    for profile in &engine.inventory().profiles {
        let name = profile.name.clone();
        let readiness = engine.readiness(&name);
        match readiness {
            _ if readiness.identity_without_prompt(profile) => names.push(name),
            Readiness::Ready { .. } => names.push(name),
            Readiness::NeedsMfa { .. } => skipped.mfa.push(name),
            Readiness::NeedsSsoLogin { .. } => skipped.sso.push(name),
            Readiness::NeedsProcess => skipped.process.push(name),
            Readiness::DefaultChain => skipped.chain.push(name),
            Readiness::Unusable { .. } => skipped.unusable.push(name),
        }
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let results: Vec<(String, Result<IdentityReport, CredsError>)> = runtime.block_on(async {
        futures::stream::iter(names)
            .map(|name| {
                let engine = engine.clone();
                async move {
                    let result = identity(&engine, &name, &Ask::non_interactive(), false).await;
                    (name, result)
                }
            })
            .buffered(CONCURRENCY)
            .collect()
            .await
    });
    print_notices(&engine);
    if let Some(summary) = skipped.summary() {
        eprintln!("awsw: {}", escape(&summary));
    }
    let mut failed = false;
    let from_cache: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|report| report.identity_from_cache))
        .map(|(name, _)| name.as_str())
        .collect();
    for (name, result) in &results {
        if let Ok(report) = &result {
            print_findings(report.keys.as_ref());
        }
        match (result, as_json) {
            (Ok(report), true) => println!("{}", json(name, report)),
            (Ok(report), false) => println!(
                "{}\t{}\t{}",
                escape(name),
                escape(&report.identity.account),
                escape(&report.identity.arn)
            ),
            (Err(err), true) => {
                failed = true;
                println!("{}", serde_json::json!({"profile": name, "error": err.to_string()}));
            }
            (Err(err), false) => {
                failed = true;
                eprintln!("awsw: {}", escaped(err));
            }
        }
    }
    if !from_cache.is_empty() {
        // Said, not hidden: these identities are what STS returned with the cached session,
        // not a fresh GetCallerIdentity (which would cost a call per profile).
        let message = format!(
            "from cached sessions (the identity STS returned with each session; no new call): {}",
            from_cache.join(", ")
        );
        eprintln!("awsw: {}", escape(&message));
    }
    if failed { Err(Error::Reported) } else { Ok(()) }
}
