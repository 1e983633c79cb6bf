//! `awsw console PROFILE`: opens the AWS console signed in as the profile's session. The
//! session comes from the engine as for every other command (cache, MFA, SSO); long-term IAM
//! user keys are exchanged for a federation token first. The sign-in URL is a secret: it goes
//! to the browser (`$BROWSER`, else the desktop's), or to stdout with `--print-url`, and
//! nowhere else.
//!
//! `signin_url` and `open_in_browser` are what the picker calls for its console key.

use super::Error;
use super::exit;
use super::session::{ask, block_on, engine_for, print_notices};
use crate::cli::ConsoleArgs;
use crate::config::{Kind, Profile};
use crate::context::Context;
use crate::creds::engine::EngineEnv;
use crate::creds::federation::TEST_ENDPOINT_VAR;
use crate::creds::federation::{self, Destination, FederationError, Partition};
use crate::creds::sts::StsError;
use crate::creds::{Ask, Credentials, CredsError, Engine};
use crate::secret::Secret;

/// Lifetime of a federation token made from long-term keys: the console session lasts as
/// long as it, and an hour is what a role session gets by default.
const FEDERATION_TOKEN_SECONDS: u32 = 3600;

/// Which console page, in which region (default: the profile's, else us-east-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConsoleTarget {
    pub(crate) destination: Destination,
    pub(crate) region: Option<String>,
}

/// Why no sign-in URL could be made for `awsw console` (or the picker's `o`).
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// Getting the profile's session failed, as for any other command.
    #[error(transparent)]
    Creds(#[from] CredsError),
    /// A bad `--service` / `--destination` (exit 2), or the federation endpoint refused the
    /// session or could not be reached (exit 1).
    #[error("profile {profile}: {source}")]
    Federation {
        /// The profile being opened.
        profile: String,
        /// What went wrong at the federation step.
        source: FederationError,
    },
    /// `GetFederationToken` with the profile's long-term keys failed (refused or unreachable).
    #[error("profile {profile}: GetFederationToken failed: {reason}")]
    FederationToken {
        /// The profile whose keys were refused.
        profile: String,
        /// Why, as one line.
        reason: String,
    },
    /// `AWSW_TEST_FEDERATION_ENDPOINT` is set to something other than a loopback `http://` URL.
    #[error("{TEST_ENDPOINT_VAR} must be an http:// URL on a loopback address (it exists for awsw's tests)")]
    TestEndpoint,
}

impl ConsoleError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            ConsoleError::Creds(err) => err.exit_code(),
            ConsoleError::Federation {
                source: FederationError::BadService(_) | FederationError::BadDestination { .. },
                ..
            }
            | ConsoleError::TestEndpoint => exit::USAGE,
            _ => exit::FAILURE,
        }
    }
}

/// The federation endpoint: the partition's, or a loopback one that a test set.
fn federation_endpoint(partition: Partition, env: &EngineEnv) -> Result<String, ConsoleError> {
    let Some(url) = env.federation_endpoint.clone() else {
        return Ok(partition.federation_endpoint().to_string());
    };
    let loopback = url::Url::parse(&url).ok().is_some_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    });
    if loopback { Ok(url) } else { Err(ConsoleError::TestEndpoint) }
}

/// Temporary credentials the federation endpoint accepts, for `name`.
async fn console_credentials(engine: &Engine, name: &str, ask: &Ask) -> Result<Credentials, ConsoleError> {
    let profile = engine.inventory().profile(name);
    let keys = profile.filter(|p| p.kind == Kind::Static).and_then(Profile::static_keys);
    let (Some(profile), Some(keys)) = (profile, keys) else {
        return Ok(engine.session(name, ask).await?.credentials);
    };
    let creds = Credentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.clone(),
        session_token: keys.session_token.clone(),
        expiration: None,
    };
    if creds.session_token.is_some() {
        return Ok(creds);
    }
    // GetSessionToken credentials (what the engine makes from long-term keys) are refused by
    // the federation endpoint; a federation token from the keys themselves is accepted.
    let user = engine.env().user.clone().unwrap_or_else(|| "awsw".into());
    federation::federation_token(&engine.endpoint(profile), &creds, &user, FEDERATION_TOKEN_SECONDS)
        .await
        .map_err(|err| ConsoleError::FederationToken { profile: name.to_string(), reason: describe(&err) })
}

fn describe(err: &StsError) -> String {
    err.to_string()
}

/// The console sign-in URL for profile `name`: a secret, valid for 15 minutes.
pub(crate) async fn signin_url(
    engine: &Engine,
    name: &str,
    ask: &Ask,
    target: &ConsoleTarget,
) -> Result<Secret, ConsoleError> {
    let creds = console_credentials(engine, name, ask).await?;
    let profile = engine.inventory().profile(name);
    let region = target
        .region
        .clone()
        .or_else(|| profile.and_then(|p| p.region.clone()))
        .unwrap_or_else(|| "us-east-1".into());
    let partition = Partition::of(profile.and_then(|p| p.role_arn.as_deref()), &region);
    let federation_error = |source| ConsoleError::Federation { profile: name.to_string(), source };
    let destination = target.destination.url(partition, &region).map_err(federation_error)?;
    let endpoint = federation_endpoint(partition, engine.env())?;
    federation::signin_url(&creds, &endpoint, &destination).await.map_err(federation_error)
}

/// Hands the URL to `$BROWSER` or the desktop's browser. The error never contains the URL.
pub(crate) fn open_in_browser(url: &Secret) -> Result<(), String> {
    webbrowser::open(url.expose()).map_err(|_| {
        "cannot open a browser: set BROWSER to one, or use --print-url and open the URL yourself".to_string()
    })
}

/// Gets the session, makes its sign-in URL and opens it in the browser, or prints it with
/// `--print-url`.
pub fn run(args: &ConsoleArgs, context: &Context) -> Result<(), Error> {
    let engine = engine_for(context, &args.profile)?;
    let destination = match (&args.destination, &args.service) {
        (Some(url), _) => Destination::Url(url.clone()),
        (None, Some(service)) => Destination::Service(service.clone()),
        (None, None) => Destination::Home,
    };
    let target = ConsoleTarget { destination, region: args.region.clone() };
    let url = block_on(signin_url(&engine, &args.profile, &ask(&args.mfa, true), &target));
    print_notices(&engine);
    let url = url.map_err(|err| match err {
        ConsoleError::Creds(err) => Error::Creds(err),
        err => Error::Console(err),
    })?;
    if args.print_url {
        println!("{}", url.expose());
        return Ok(());
    }
    open_in_browser(&url).map_err(Error::Failure)?;
    eprintln!("awsw: opened the AWS console for profile {} in the browser", args.profile);
    Ok(())
}
