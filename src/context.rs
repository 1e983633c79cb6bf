//! What awsw reads from its process environment, read once at start: the engine's settings
//! (`EngineEnv`: region, endpoints, credentials in the environment, user) plus what the
//! commands and the picker need (shell, `AWSW_PROFILE`, working directory, own path,
//! `NO_COLOR`, `PATH`). Everything after start takes these from here, so one rule decides
//! each (the region: `AWS_REGION`, else `AWS_DEFAULT_REGION`). Not yet quite everything:
//! the picker's header (`Origin::from_vars`), the IAM endpoint (`creds::iam::endpoint`, the
//! same region rule), `awsw console`'s federation token name (`USER`) and the clipboard
//! owner (its own path) still read them again.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::creds::engine::EngineEnv;
use crate::sink::env::EnvOptions;

/// What awsw read from its environment at start; `main` builds it once and hands it down.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub(crate) engine: EngineEnv,
    /// `$SHELL`.
    pub(crate) shell: Option<String>,
    /// `AWSW_PROFILE`: set inside an awsw shell.
    pub(crate) awsw_profile: Option<String>,
    /// The working directory, if it still exists.
    pub(crate) cwd: Option<PathBuf>,
    /// This executable, for the `.envrc` block's fallback.
    pub(crate) exe: PathBuf,
    /// `NO_COLOR` set and not empty.
    pub(crate) no_color: bool,
    /// `PATH`, to find the shell before anything is asked.
    pub(crate) path: Option<OsString>,
}

impl Context {
    /// Reads the process environment, the working directory and awsw's own path; an empty
    /// variable counts as unset.
    pub fn from_env() -> Context {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Context {
            engine: EngineEnv::from_env(),
            shell: var("SHELL"),
            awsw_profile: var("AWSW_PROFILE"),
            cwd: std::env::current_dir().ok(),
            exe: std::env::current_exe().unwrap_or_else(|_| "awsw".into()),
            no_color: var("NO_COLOR").is_some(),
            path: std::env::var_os("PATH"),
        }
    }

    /// The region rule for a session's environment: `--region`, else the user's own region
    /// (`AWS_REGION`, else `AWS_DEFAULT_REGION`), else the profile's.
    pub(crate) fn env_options(&self, region_flag: Option<&str>) -> EnvOptions {
        EnvOptions {
            region_override: region_flag.map(str::to_string),
            user_region: self.engine.region.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The session's environment follows the same rule as the STS calls: `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION` (once, `AWS_DEFAULT_REGION` alone was dropped for the profile's).
    #[test]
    fn one_region_rule_for_sts_and_the_session() {
        let context = |vars: &'static [(&str, &str)]| Context {
            engine: EngineEnv::from_vars(|name| {
                vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
            }),
            ..Context::default()
        };
        let only_default = context(&[("AWS_DEFAULT_REGION", "sa-east-1")]);
        assert_eq!(only_default.engine.region.as_deref(), Some("sa-east-1"));
        assert_eq!(only_default.env_options(None).user_region.as_deref(), Some("sa-east-1"));
        let both = context(&[("AWS_DEFAULT_REGION", "sa-east-1"), ("AWS_REGION", "eu-west-1")]);
        assert_eq!(both.env_options(None).user_region.as_deref(), Some("eu-west-1"));
        let flag = both.env_options(Some("us-west-2"));
        assert_eq!(flag.region_override.as_deref(), Some("us-west-2"));
        assert_eq!(context(&[("AWS_REGION", "")]).env_options(None).user_region, None);
    }
}
