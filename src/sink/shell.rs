//! Formats an `EnvChange` as lines a shell evaluates. Every value is quoted so that nothing
//! in a profile name or a value (quotes, `$`, backticks, `;`, newlines) can run a command.

use std::fmt::Write;

use super::env::EnvChange;

/// The shells awsw writes for.
// clap: a `///` on a variant would become its help in `--shell`'s possible values and in
// the completions' descriptions; the variants name the shells, so they go without.
#[allow(missing_docs)]
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
    pub(crate) fn from_program(program: &str) -> Shell {
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
    pub(crate) fn detect(flag: Option<Shell>, shell_var: Option<&str>) -> Shell {
        flag.unwrap_or_else(|| shell_var.map(Shell::from_program).unwrap_or(Shell::Bash))
    }

    pub(crate) fn name(self) -> &'static str {
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
pub(crate) fn quote_posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single quotes: only `\\` and `\'` are escapes inside.
pub(crate) fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell verbatim strings. PowerShell ends them at any of five quote characters
/// (`'`, U+2018, U+2019, U+201A, U+201B), and a doubled one stands for itself, so each of
/// them is doubled; nothing else is special inside.
pub(crate) fn quote_powershell(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// nushell raw strings `r#'...'#`, with enough `#` that the value cannot close them: inside,
/// nothing is an escape and only `'` followed by the fence ends the string (checked the same
/// way as PowerShell's quoting, by a round trip of hostile values).
pub(crate) fn quote_nu(value: &str) -> String {
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

    /// Values that try to end a quoted string in some shell, each quote of PowerShell
    /// (`'`, U+2018, U+2019, U+201A, U+201B) included.
    const HOSTILE: [&str; 8] = [
        "us-east-1\u{2019}; Start-Process calc; \u{2018}",
        "a'b\u{2018}c\u{2019}d\u{201a}e\u{201b}f''\u{2019}\u{2019}",
        "\u{201b}",
        "$(calc) `calc` $Env:HOME ${x} @(1) \"dq\" \u{201c}\u{201d}",
        "'#'##'### r#' end",
        "line\nbreak\r\ttab \\ back\\",
        "",
        "本番 \u{feff} \u{0} nul",
    ];

    /// A PowerShell single-quoted string as its tokenizer reads it: any of the five quote
    /// characters ends it unless another of them follows, and a pair stands for one quote.
    fn parse_powershell(text: &str) -> Option<String> {
        let is_quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
        let mut chars = text.chars().peekable();
        if !chars.next().is_some_and(is_quote) {
            return None;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            if is_quote(c) {
                if chars.peek().copied().is_some_and(is_quote) {
                    value.push(chars.next().expect("peeked"));
                    continue;
                }
                // The string ended: anything after it would be a command.
                return chars.next().is_none().then_some(value);
            }
            value.push(c);
        }
        None
    }

    /// A nushell raw string `r#'...'#`: it ends at the first `'` followed by as many `#`.
    fn parse_nu(text: &str) -> Option<String> {
        let rest = text.strip_prefix('r')?;
        let hashes = rest.len() - rest.trim_start_matches('#').len();
        let fence = &rest[..hashes];
        let body = rest[hashes..].strip_prefix('\'')?;
        let end = body.find(&format!("'{fence}"))?;
        (end + 1 + hashes == body.len()).then(|| body[..end].to_string())
    }

    #[test]
    fn powershell_quoting_round_trips_every_quote_character() {
        for value in HOSTILE {
            let quoted = quote_powershell(value);
            assert_eq!(parse_powershell(&quoted).as_deref(), Some(value), "{quoted}");
        }
        assert_eq!(quote_powershell("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
    }

    #[test]
    fn nushell_quoting_round_trips() {
        for value in HOSTILE {
            let quoted = quote_nu(value);
            assert_eq!(parse_nu(&quoted).as_deref(), Some(value), "{quoted}");
        }
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
