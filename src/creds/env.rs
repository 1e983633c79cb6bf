//! What the engine takes from the process environment, read once at start (`EngineEnv`,
//! built from the `Vars` snapshot `main` takes), and the SDKs' precedence for where an STS
//! call goes (`endpoint`). Tests build an `EngineEnv` by hand; nothing in `creds` reads the
//! process environment itself (the SDK clients awsw builds still read it, as they must).

use std::path::PathBuf;

use super::providers::EnvCredentials;
use super::sts::Endpoint;
use crate::config::Profile;
use crate::context::Vars;
use crate::secret::Secret;
use crate::sso::endpoints::SsoEndpoints;

/// Settings read from the environment once.
#[derive(Debug, Clone, Default)]
pub struct EngineEnv {
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`: beats the profile's region.
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL`: every service's endpoint, below the service's own variable (and,
    /// for STS, the profile's `services` section), above the profile's `endpoint_url`.
    pub endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_STS`: beats every other endpoint setting.
    pub endpoint_url_sts: Option<String>,
    /// `AWS_ENDPOINT_URL_IAM`, for `rotate` and the key checks.
    pub endpoint_url_iam: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`: every endpoint setting is ignored.
    pub ignore_configured_endpoints: bool,
    /// The keys in the environment (`AWS_ACCESS_KEY_ID`, ...).
    pub credentials: EnvCredentials,
    /// The local user name: the last fallback for role session names.
    pub user: Option<String>,
    /// Where the SSO OIDC service and portal are.
    pub sso: SsoEndpoints,
    /// The instance metadata service as the SDKs will use it.
    pub imds: ImdsEnv,
    /// The container credentials endpoint the SDKs will use, if the environment names one.
    pub container_url: Option<String>,
    /// `AWSW_TEST_FEDERATION_ENDPOINT`: a loopback console federation endpoint for awsw's
    /// own tests (`awsw console` refuses any other).
    pub federation_endpoint: Option<String>,
    /// Where awsw's and the AWS CLI's files live.
    pub dirs: Dirs,
}

/// The directories, looked up once: `HOME` and `XDG_*` as the `dirs` crate reads them (else
/// the password database for the home). `None` where there is no home to put them in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    /// The home directory: `~/.aws` and a leading `~` in `AWS_CONFIG_FILE`.
    pub home: Option<PathBuf>,
    /// awsw's cache: `$XDG_CACHE_HOME/awsw`, else `~/.cache/awsw`.
    pub cache: Option<PathBuf>,
    /// Where the recent-use file goes: `$XDG_STATE_HOME/awsw`, else `~/.local/state/awsw`
    /// (the local data directory where the system has no state directory).
    pub state: Option<PathBuf>,
}

impl Dirs {
    /// This process's directories, by the `dirs` crate's rules for the platform.
    pub fn of_process() -> Dirs {
        Dirs {
            home: dirs::home_dir(),
            cache: dirs::cache_dir().map(|d| d.join("awsw")),
            state: dirs::state_dir().or_else(dirs::data_local_dir).map(|d| d.join("awsw")),
        }
    }

    /// The AWS CLI's role and SSO-role credential cache, `~/.aws/cli/cache`.
    pub(crate) fn cli_cache(&self) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(".aws/cli/cache"))
    }

    /// The AWS CLI's SSO token cache, `~/.aws/sso/cache`.
    pub(crate) fn sso_cache(&self) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(".aws/sso/cache"))
    }
}

/// `AWS_EC2_METADATA_DISABLED` and `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
#[derive(Debug, Clone, Default)]
pub struct ImdsEnv {
    /// `AWS_EC2_METADATA_DISABLED=true`: the SDKs never ask the service.
    pub disabled: bool,
    /// The service's address, for messages (the SDK reads the same variable).
    pub endpoint: String,
}

impl EngineEnv {
    /// The settings in `vars`.
    pub(crate) fn from_vars(vars: &Vars) -> Self {
        let var = |name: &str| vars.var(name);
        let is_true = |name: &str| var(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let ignore_configured_endpoints = is_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        EngineEnv {
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            endpoint_url: var("AWS_ENDPOINT_URL"),
            endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
            endpoint_url_iam: var("AWS_ENDPOINT_URL_IAM"),
            ignore_configured_endpoints,
            credentials: EnvCredentials {
                access_key_id: var("AWS_ACCESS_KEY_ID"),
                secret_access_key: var("AWS_SECRET_ACCESS_KEY").map(Secret::new),
                session_token: var("AWS_SESSION_TOKEN").map(Secret::new),
            },
            user: var("USER").or_else(|| var("LOGNAME")),
            sso: SsoEndpoints::from_vars(vars, ignore_configured_endpoints),
            imds: ImdsEnv {
                disabled: is_true("AWS_EC2_METADATA_DISABLED"),
                endpoint: var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                    .unwrap_or_else(|| "http://169.254.169.254".into()),
            },
            container_url: var("AWS_CONTAINER_CREDENTIALS_FULL_URI").or_else(|| {
                var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                    .map(|path| format!("http://169.254.170.2{path}"))
            }),
            federation_endpoint: var(super::federation::TEST_ENDPOINT_VAR),
            dirs: Dirs::default(),
        }
    }

    /// The STS endpoint for calls made for `profile`, in the SDKs' precedence:
    /// `AWS_ENDPOINT_URL_STS`, the profile's `services` section, `AWS_ENDPOINT_URL`, the
    /// profile's `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` disables all.
    /// `None` for credentials that belong to no profile (the environment's), where only the
    /// environment's settings apply.
    pub(crate) fn endpoint(&self, profile: Option<&Profile>) -> Endpoint {
        let url = if self.ignore_configured_endpoints {
            None
        } else {
            self.endpoint_url_sts
                .clone()
                .or_else(|| profile.and_then(|p| p.sts_endpoint_url.clone()))
                .or_else(|| self.endpoint_url.clone())
                .or_else(|| profile.and_then(|p| p.endpoint_url.clone()))
        };
        let region = self
            .region
            .clone()
            .or_else(|| profile.and_then(|p| p.region.clone()))
            .unwrap_or_else(|| "us-east-1".into());
        Endpoint { region, url }
    }
}
