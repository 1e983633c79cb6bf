//! What awsw reads from its process environment, read once at start: a snapshot of the
//! variables (`Vars`), the engine's settings taken from it (`EngineEnv`: region, endpoints,
//! credentials in the environment, instance metadata, user) and what the commands and the
//! picker need (shell, `AWSW_PROFILE`, working directory, own path, `NO_COLOR`, `PATH`, a
//! browser and a display). Everything after start takes these from here, so one rule decides
//! each (the region: `AWS_REGION`, else `AWS_DEFAULT_REGION`), and a test can hand awsw any
//! environment without touching the process's. The directories (`HOME`, `XDG_*`) are looked
//! up once here too, by the `dirs` crate's rules (`EngineEnv::dirs`).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::ConfigPaths;
use crate::config::files::ConfigError;
use crate::creds::engine::EngineEnv;
use crate::sink::env::EnvOptions;

/// The process environment as it was when awsw started. Empty values count as unset, as
/// the SDKs read them. It holds whatever secrets the environment does (`AWS_SECRET_ACCESS_KEY`),
/// so `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct Vars(Arc<BTreeMap<OsString, OsString>>);

impl Vars {
    /// The process's variables now: called once, by `Context::from_env` (and by a process
    /// awsw starts for itself, such as the agent).
    pub fn from_process() -> Vars {
        Vars(Arc::new(std::env::vars_os().collect()))
    }

    /// Exactly these variables, for tests.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Vars {
        Vars(Arc::new(pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()))
    }

    /// The variable's value if it is set, not empty, and text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_os(name)?.to_str()
    }

    /// The variable's value if it is set and not empty, as the OS gave it (paths).
    pub fn get_os(&self, name: &str) -> Option<&OsStr> {
        self.0.get(OsStr::new(name)).map(OsString::as_os_str).filter(|v| !v.is_empty())
    }

    /// The same as an owned `String`, for the `Fn(&str) -> Option<String>` readers.
    pub fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// Every variable, empty ones included, as a child process would inherit them.
    pub fn iter(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.0.iter().map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// What awsw read from its environment at start; `main` builds it once and hands it down.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Every variable, for the few readers that need more than the fields below (settings,
    /// the agent's key, the picker's origin).
    pub vars: Vars,
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
    /// `$BROWSER`: the program the console's sign-in URL and the SSO login page open in.
    pub(crate) browser: Option<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set: a desktop browser and clipboard may be there.
    pub(crate) display: bool,
}

impl Context {
    /// The process's environment, working directory and executable, read now.
    pub fn from_env() -> Context {
        let mut context = Context {
            cwd: std::env::current_dir().ok(),
            exe: std::env::current_exe().unwrap_or_else(|_| "awsw".into()),
            ..Context::from_vars(Vars::from_process())
        };
        context.engine.dirs = crate::creds::engine::Dirs::of_process();
        context
    }

    /// A context for these variables (no working directory, `awsw` as its own path, no
    /// directories: a test sets `engine.dirs` when it needs them).
    pub fn from_vars(vars: Vars) -> Context {
        let var = |name: &str| vars.var(name);
        Context {
            engine: EngineEnv::from_vars(&vars),
            shell: var("SHELL"),
            awsw_profile: var("AWSW_PROFILE"),
            cwd: None,
            exe: "awsw".into(),
            no_color: var("NO_COLOR").is_some(),
            path: vars.get_os("PATH").map(OsStr::to_os_string),
            browser: vars.get("BROWSER").filter(|b| !b.trim().is_empty()).map(str::to_string),
            display: ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|name| vars.get_os(name).is_some()),
            vars,
        }
    }

    /// The program that opens a URL: `$BROWSER`, else `xdg-open` (`open` on macOS) when
    /// there is a display. `None` over a plain SSH session.
    pub fn url_opener(&self) -> Option<String> {
        if let Some(program) = &self.browser {
            return Some(program.clone());
        }
        if cfg!(target_os = "macos") {
            return Some("open".into());
        }
        self.display.then(|| "xdg-open".into())
    }

    /// Where the config and credentials files are, for this environment.
    pub fn config_paths(&self) -> Result<ConfigPaths, ConfigError> {
        ConfigPaths::from_vars(&self.vars, self.engine.dirs.home.as_deref())
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

    /// Empty counts as unset, as the SDKs read the environment; `Debug` never shows a value
    /// (the snapshot holds whatever secret keys the environment does).
    #[test]
    fn the_snapshot_reads_like_the_sdks_and_debug_shows_names_only() {
        let vars = Vars::from_pairs(&[("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"), ("AWS_PROFILE", "")]);
        assert_eq!(vars.get("AWS_SECRET_ACCESS_KEY"), Some("wJalrXUtnFEMI"));
        assert_eq!(vars.get("AWS_PROFILE"), None);
        assert_eq!(vars.iter().count(), 2, "a child inherits empty variables too");
        let context = Context::from_vars(vars);
        let shown = format!("{context:?}");
        assert!(shown.contains("AWS_SECRET_ACCESS_KEY") && !shown.contains("wJalrXUtnFEMI"), "{shown}");
    }

    /// The browser rule the login and the console share: `$BROWSER`, else the desktop's
    /// opener when there is a display, else none.
    #[test]
    fn a_url_opens_in_browser_else_the_desktop_else_nowhere() {
        let opener = |vars: &[(&str, &str)]| Context::from_vars(Vars::from_pairs(vars)).url_opener();
        assert_eq!(opener(&[("BROWSER", "firefox"), ("DISPLAY", ":0")]).as_deref(), Some("firefox"));
        if !cfg!(target_os = "macos") {
            assert_eq!(opener(&[("WAYLAND_DISPLAY", "wayland-0")]).as_deref(), Some("xdg-open"));
            assert_eq!(opener(&[("BROWSER", " "), ("DISPLAY", "")]), None);
        }
    }

    /// The session's environment follows the same rule as the STS calls: `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION` (once, `AWS_DEFAULT_REGION` alone was dropped for the profile's).
    #[test]
    fn one_region_rule_for_sts_and_the_session() {
        let context = |vars: &[(&str, &str)]| Context::from_vars(Vars::from_pairs(vars));
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
