//! The shell set-up the README describes, found by reading the user's shell start-up files:
//! direnv installed and hooked, the `awsw-use` function, a prompt snippet. Files those files
//! source are not followed; each missing piece is a warning with the line to add.

use std::path::{Path, PathBuf};

use super::super::Check;
use super::{on_path, version_of};
use crate::context::Context;

/// The start-up files of `shell` and the one a fix should go to.
struct Startup {
    shell: &'static str,
    files: Vec<PathBuf>,
    rc: String,
}

fn startup(shell: &str, home: &Path, var: &dyn Fn(&str) -> Option<String>) -> Option<Startup> {
    let config = var("XDG_CONFIG_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".config"));
    match shell {
        "bash" => Some(Startup {
            shell: "bash",
            files: [".bashrc", ".bash_profile", ".bash_login", ".profile"]
                .iter()
                .map(|f| home.join(f))
                .collect(),
            rc: "~/.bashrc".into(),
        }),
        "zsh" => {
            let dir = var("ZDOTDIR").map(PathBuf::from).unwrap_or_else(|| home.to_path_buf());
            Some(Startup {
                shell: "zsh",
                files: [".zshrc", ".zprofile", ".zshenv"].iter().map(|f| dir.join(f)).collect(),
                rc: format!("{}/.zshrc", if var("ZDOTDIR").is_some() { "$ZDOTDIR" } else { "~" }),
            })
        }
        "fish" => {
            let fish = config.join("fish");
            let mut files = vec![fish.join("config.fish")];
            for sub in ["conf.d", "functions"] {
                let mut found: Vec<PathBuf> = std::fs::read_dir(fish.join(sub))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "fish"))
                    .collect();
                found.sort();
                files.extend(found);
            }
            Some(Startup { shell: "fish", files, rc: "~/.config/fish/config.fish".into() })
        }
        _ => None,
    }
}

impl Startup {
    /// The text of every start-up file that exists, with its path.
    fn texts(&self) -> Vec<(PathBuf, String)> {
        self.files.iter().filter_map(|f| std::fs::read_to_string(f).ok().map(|t| (f.clone(), t))).collect()
    }

    fn find(&self, texts: &[(PathBuf, String)], needles: &[&str]) -> Option<PathBuf> {
        texts.iter().find(|(_, text)| needles.iter().any(|n| text.contains(n))).map(|(path, _)| path.clone())
    }
}

pub(crate) fn shell_setup(context: &Context) -> Vec<Check> {
    let var = |name: &str| context.vars.var(name);
    let shell_path = var("SHELL").unwrap_or_default();
    let shell = Path::new(&shell_path).file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    let home = var("HOME").map(PathBuf::from).or_else(dirs::home_dir).unwrap_or_default();
    let Some(startup) = startup(&shell, &home, &var) else {
        let message = format!("SHELL={shell_path:?}: awsw checks the set-up of bash, zsh and fish only");
        return vec![Check::warn("shell", message, "see the README for your shell")];
    };
    let texts = startup.texts();
    let mut checks = vec![direnv(&startup, &texts, context)];
    let (use_needles, use_fix): (&[&str], String) = match startup.shell {
        "fish" => (&["awsw-use"], "copy assets/awsw.fish to ~/.config/fish/functions/awsw-use.fish".into()),
        sh => (
            &["awsw-use", "assets/awsw."],
            format!("add `source /path/to/awsw/assets/awsw.{sh}` to {}", startup.rc),
        ),
    };
    checks.push(match startup.find(&texts, use_needles) {
        Some(file) => Check::ok("shell", format!("the awsw-use function is installed ({})", file.display())),
        None => Check::warn(
            "shell",
            format!("no awsw-use function in {}'s start-up files", startup.shell),
            use_fix,
        ),
    });
    let starship =
        var("STARSHIP_CONFIG").map(PathBuf::from).unwrap_or_else(|| home.join(".config/starship.toml"));
    let in_starship = std::fs::read_to_string(&starship).is_ok_and(|t| t.contains("AWSW_PROFILE"));
    let prompt_fix = match startup.shell {
        "fish" => "copy assets/prompt.fish to ~/.config/fish/conf.d/awsw_prompt.fish".to_string(),
        sh => format!(
            "add `source /path/to/awsw/assets/prompt.{sh}` to {} (or use assets/starship.toml)",
            startup.rc
        ),
    };
    checks.push(
        match (startup.find(&texts, &["AWSW_PROFILE", "assets/prompt.", "awsw_prompt"]), in_starship) {
            (Some(file), _) => {
                Check::ok("shell", format!("a prompt snippet shows the profile ({})", file.display()))
            }
            (None, true) => {
                Check::ok("shell", format!("starship shows the profile ({})", starship.display()))
            }
            (None, false) => Check::warn("shell", "no prompt snippet shows AWSW_PROFILE", prompt_fix),
        },
    );
    checks
}

fn direnv(startup: &Startup, texts: &[(PathBuf, String)], context: &Context) -> Check {
    let Some(direnv) = on_path("direnv", context) else {
        return Check::warn(
            "direnv",
            "direnv is not installed (awsw envrc needs it)",
            "install direnv (https://direnv.net)",
        );
    };
    let version = version_of(&direnv, &["version"]).unwrap_or_else(|| "unknown version".into());
    let hook = match startup.shell {
        "fish" => format!("add `direnv hook fish | source` to {}", startup.rc),
        sh => format!("add `eval \"$(direnv hook {sh})\"` to {}", startup.rc),
    };
    match startup.find(texts, &["direnv hook"]) {
        Some(file) => Check::ok(
            "direnv",
            format!("direnv {version} is hooked into {} ({})", startup.shell, file.display()),
        ),
        None => Check::warn(
            "direnv",
            format!("direnv {version} is installed but not hooked into {}", startup.shell),
            hook,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(shell: &str, files: &[(&str, &str)]) -> Vec<Check> {
        let home = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = home.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let home_text = home.path().display().to_string();
        let shell = format!("/bin/{shell}");
        // The test's own PATH, so an installed direnv is found as it would be for a user.
        let path = std::env::var("PATH").unwrap_or_default();
        let vars = [("HOME", home_text.as_str()), ("SHELL", shell.as_str()), ("PATH", path.as_str())];
        shell_setup(&Context::from_vars(crate::context::Vars::from_pairs(&vars)))
    }

    fn statuses(checks: &[Check]) -> Vec<(&'static str, crate::commands::doctor::Status)> {
        checks.iter().map(|c| (c.check, c.status)).collect()
    }

    #[test]
    fn zsh_with_everything_installed() {
        let found = checks(
            "zsh",
            &[(
                ".zshrc",
                "eval \"$(direnv hook zsh)\"\nsource ~/awsw/assets/awsw.zsh\nsource ~/awsw/assets/prompt.zsh\n",
            )],
        );
        let shell: Vec<_> = statuses(&found).into_iter().filter(|(c, _)| *c == "shell").collect();
        assert!(shell.iter().all(|(_, s)| *s == crate::commands::doctor::Status::Ok), "{found:?}");
    }

    #[test]
    fn fish_function_and_conf_d_prompt_count_and_fixes_name_the_files() {
        let found = checks("fish", &[(".config/fish/functions/awsw-use.fish", "function awsw-use\nend\n")]);
        assert!(
            found.iter().any(|c| c.message.starts_with("the awsw-use function is installed")),
            "{found:?}"
        );
        let prompt = found.iter().find(|c| c.message.contains("prompt snippet")).unwrap();
        assert_eq!(
            prompt.fix.as_deref(),
            Some("copy assets/prompt.fish to ~/.config/fish/conf.d/awsw_prompt.fish")
        );
    }

    #[test]
    fn an_unknown_shell_is_one_warning() {
        let found = checks("tcsh", &[]);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("bash, zsh and fish only"), "{found:?}");
    }
}
