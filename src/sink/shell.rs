//! Formats an `EnvChange` as lines a shell evaluates. Every value is quoted so that nothing
//! in a profile name or a value (quotes, `$`, backticks, `;`, newlines) can run a command.

use std::fmt::Write;

use super::env::EnvChange;

/// The shells awsw writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    #[value(alias = "nushell")]
    Nu,
}

impl Shell {
    /// The flavour for a shell program path such as `$SHELL` (`/usr/bin/fish`); POSIX-like
    /// or unknown shells get bash syntax, which `sh`, `dash` and `ksh` also accept.
    pub fn from_program(program: &str) -> Shell {
        let name = program.rsplit('/').next().unwrap_or(program);
        let name = name.strip_suffix(".exe").unwrap_or(name);
        match name {
            "zsh" => Shell::Zsh,
            "fish" => Shell::Fish,
            "pwsh" | "powershell" => Shell::Powershell,
            "nu" => Shell::Nu,
            _ => Shell::Bash,
        }
    }

    /// `--shell` if given, else the flavour of `$SHELL`.
    pub fn detect(flag: Option<Shell>, shell_var: Option<&str>) -> Shell {
        flag.unwrap_or_else(|| shell_var.map(Shell::from_program).unwrap_or(Shell::Bash))
    }

    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
            Shell::Nu => "nu",
        }
    }
}

/// POSIX single quotes: nothing inside is special except `'`, which closes, escapes, reopens.
pub fn quote_posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single quotes: only `\\` and `\'` are escapes inside.
pub fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell verbatim strings: `'` is doubled, nothing else is special.
pub fn quote_powershell(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// nushell raw strings `r#'...'#`, with enough `#` that the value cannot close them.
pub fn quote_nu(value: &str) -> String {
    let mut hashes = 1;
    while value.contains(&format!("'{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}'{value}'{fence}")
}

/// The lines that apply `change` in `shell`.
pub fn format(change: &EnvChange, shell: Shell) -> String {
    let mut out = String::new();
    match shell {
        Shell::Bash | Shell::Zsh => {
            if !change.unset.is_empty() {
                let _ = writeln!(out, "unset {}", change.unset.join(" "));
            }
            for (name, value) in &change.set {
                let _ = writeln!(out, "export {name}={}", quote_posix(value.expose()));
            }
        }
        Shell::Fish => {
            for name in &change.unset {
                // `set -e` of an unset variable fails, and fish's `set` keeps that status
                // for the whole `source`: `or true` keeps `awsw env … | source; and …` working.
                let _ = writeln!(out, "set -e {name}; or true");
            }
            for (name, value) in &change.set {
                let _ = writeln!(out, "set -gx {name} {}", quote_fish(value.expose()));
            }
        }
        Shell::Powershell => {
            for name in &change.unset {
                let _ = writeln!(out, "Remove-Item Env:{name} -ErrorAction SilentlyContinue");
            }
            for (name, value) in &change.set {
                let _ = writeln!(out, "$Env:{name} = {}", quote_powershell(value.expose()));
            }
        }
        Shell::Nu => {
            for name in &change.unset {
                let _ = writeln!(out, "hide-env -i {name}");
            }
            let fields: Vec<String> = change
                .set
                .iter()
                .map(|(name, value)| format!("{name}: {}", quote_nu(value.expose())))
                .collect();
            let _ = writeln!(out, "load-env {{{}}}", fields.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::sink::env::EnvValue;

    fn change() -> EnvChange {
        EnvChange {
            unset: vec!["AWS_PROFILE"],
            set: vec![
                ("AWS_SECRET_ACCESS_KEY", EnvValue::Secret(Secret::new("a'b"))),
                ("AWSW_PROFILE", EnvValue::Plain("x'#y".into())),
            ],
        }
    }

    #[test]
    fn bash_text() {
        assert_eq!(
            format(&change(), Shell::Bash),
            "unset AWS_PROFILE\nexport AWS_SECRET_ACCESS_KEY='a'\\''b'\nexport AWSW_PROFILE='x'\\''#y'\n"
        );
    }

    #[test]
    fn fish_text() {
        assert_eq!(
            format(&change(), Shell::Fish),
            "set -e AWS_PROFILE; or true\nset -gx AWS_SECRET_ACCESS_KEY 'a\\'b'\nset -gx AWSW_PROFILE 'x\\'#y'\n"
        );
    }

    #[test]
    fn powershell_text() {
        assert_eq!(
            format(&change(), Shell::Powershell),
            "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n\
             $Env:AWS_SECRET_ACCESS_KEY = 'a''b'\n$Env:AWSW_PROFILE = 'x''#y'\n"
        );
    }

    #[test]
    fn nu_text_uses_raw_strings_the_value_cannot_close() {
        assert_eq!(
            format(&change(), Shell::Nu),
            "hide-env -i AWS_PROFILE\nload-env {AWS_SECRET_ACCESS_KEY: r#'a'b'#, AWSW_PROFILE: r##'x'#y'##}\n"
        );
    }

    #[test]
    fn shell_from_program() {
        assert_eq!(Shell::from_program("/usr/bin/fish"), Shell::Fish);
        assert_eq!(Shell::from_program("/bin/zsh"), Shell::Zsh);
        assert_eq!(Shell::from_program("pwsh"), Shell::Powershell);
        assert_eq!(Shell::from_program("/bin/dash"), Shell::Bash);
        assert_eq!(Shell::detect(Some(Shell::Nu), Some("/bin/zsh")), Shell::Nu);
    }
}
