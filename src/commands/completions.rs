//! `awsw completions SHELL`: the script that makes a shell complete awsw's subcommands, flags,
//! `--shell` values and profile names. Completion is clap_complete's dynamic engine: the
//! script calls `awsw` itself with `_AWSW_COMPLETE=SHELL` at each Tab, so what completes is
//! always the clap definition of the binary on PATH, and profile names come from the files
//! as they are now and from the sso-sessions' cached discoveries (as the picker shows them).
//! Nushell has no dynamic engine in clap_complete: its script is the static one from
//! clap_complete_nushell, with profile names from `awsw __complete-profiles`.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::Error;
use crate::cli::{Cli, CompletionShell, CompletionsArgs};
use crate::config::files;
use crate::config::set::RawProfile;
use crate::config::{Inventory, ProfileSet};
use crate::context::Context;
use crate::creds::engine::Dirs;
use crate::sso::discovery::DiscoveryCache;

/// The variable the scripts set when they ask awsw for completions. Not the default
/// `COMPLETE`, which is too common a name to leave meaning "complete instead of running".
pub(crate) const COMPLETE_VAR: &str = "_AWSW_COMPLETE";
/// The argument id that names a profile in every subcommand that takes one.
const PROFILE_ARG: &str = "profile";

/// When a completion script is asking (`_AWSW_COMPLETE` is set), prints the completions and
/// exits; otherwise returns and awsw runs normally.
pub fn complete_from_env(context: &Context) {
    let context = context.clone();
    clap_complete::CompleteEnv::with_factory(move || command(&context)).var(COMPLETE_VAR).complete();
}

/// awsw's clap command with profile names attached to every `PROFILE` argument.
/// Candidates come from the files and caches `context` names.
pub(crate) fn command(context: &Context) -> clap::Command {
    let mut cmd = Cli::command();
    let takes_profile: Vec<String> = cmd
        .get_subcommands()
        .filter(|sub| sub.get_arguments().any(|a| a.get_id() == PROFILE_ARG))
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in takes_profile {
        // `mut_args` keeps the arguments' order (`mut_arg` would move PROFILE after
        // `exec`'s trailing COMMAND and so change which positional comes first).
        cmd = cmd.mut_subcommand(name, |sub| {
            sub.mut_args(|arg| match arg.get_id() == PROFILE_ARG {
                true => arg.add(profile_candidates(context)),
                false => arg,
            })
        });
    }
    // `login`/`logout` take an sso-session (or an SSO profile), `sso accounts` and
    // `sso populate` a session.
    for name in ["login", "logout"] {
        cmd = cmd.mut_subcommand(name, |sub| sub.mut_arg("name", |arg| arg.add(sso_candidates(context))));
    }
    cmd = cmd.mut_subcommand("agent", |agent| {
        agent
            .mut_subcommand("env", |sub| sub.mut_arg(PROFILE_ARG, |arg| arg.add(profile_candidates(context))))
    });
    cmd.mut_subcommand("sso", |mut sso| {
        for name in ["accounts", "populate"] {
            sso = sso
                .mut_subcommand(name, |sub| sub.mut_arg("session", |arg| arg.add(sso_candidates(context))));
        }
        sso
    })
}

fn sso_candidates(context: &Context) -> ArgValueCandidates {
    let context = context.clone();
    ArgValueCandidates::new(move || {
        section_names(&context, |set| &set.sso_sessions).into_iter().map(CompletionCandidate::new).collect()
    })
}

fn profile_candidates(context: &Context) -> ArgValueCandidates {
    let context = context.clone();
    ArgValueCandidates::new(move || {
        profile_names(&context).into_iter().map(CompletionCandidate::new).collect()
    })
}

/// Every profile name in the config and credentials files, in file order. Parses the files
/// with the SDK-exact parser but resolves nothing, so it stays fast on 10,000 profiles
/// (BENCHMARKS.md). Unreadable files give no names rather than an error mid-completion.
pub(crate) fn profile_names(context: &Context) -> Vec<String> {
    let Some(texts) = read_texts(context) else { return Vec::new() };
    let set = texts.profile_set();
    let mut names: Vec<String> = set.profiles.iter().map(|p| p.name.to_string()).collect();
    names.extend(discovered_names(&set, &context.engine.dirs));
    names
}

/// The names of the rows the picker shows from the sso-sessions' cached discoveries, which
/// every command accepts too. The files are resolved only when a session has a discovery
/// on disk (a hash and a `stat` per session otherwise), so a plain config completes as fast.
fn discovered_names(set: &ProfileSet, dirs: &Dirs) -> Vec<String> {
    let Some(store) = dirs.cache.clone().map(DiscoveryCache::new) else { return Vec::new() };
    let sessions = crate::config::profile::sso_sessions(set);
    let targets = sessions.iter().filter_map(|s| crate::sso::target::from_session(s).ok());
    if !targets.into_iter().any(|t| store.path(&t).exists()) {
        return Vec::new();
    }
    let inventory = Inventory::from_set(set);
    let discoveries = super::sso::cached_discoveries(&inventory, dirs);
    let template = &crate::settings::current().discovery_name_template;
    let own = inventory.profiles.len();
    crate::sso::discovered::profiles(&inventory, own, &discoveries, template)
        .into_iter()
        .map(|(p, _)| p.name.clone())
        .collect()
}

/// The names of one kind of section (profiles, sso-sessions), in file order.
fn section_names(
    context: &Context,
    pick: for<'a, 'b> fn(&'b ProfileSet<'a>) -> &'b Vec<RawProfile<'a>>,
) -> Vec<String> {
    let Some(texts) = read_texts(context) else { return Vec::new() };
    pick(&texts.profile_set()).iter().map(|p| p.name.to_string()).collect()
}

/// Both files' text; unreadable files give no names rather than an error mid-completion.
fn read_texts(context: &Context) -> Option<files::Texts> {
    context.config_paths().and_then(|paths| files::read(&paths)).ok()
}

/// `awsw __complete-profiles`: the names, one per line (the nushell script calls it).
pub fn run_profiles(context: &Context) -> Result<(), Error> {
    let mut out = String::new();
    for name in profile_names(context) {
        out.push_str(&name);
        out.push('\n');
    }
    write_out(out.as_bytes())
}

/// Writes the completion script for `args.shell` to stdout: clap_complete's registration
/// that calls awsw back at each Tab, or for nushell the static script.
pub fn run(args: &CompletionsArgs) -> Result<(), Error> {
    let mut script = Vec::new();
    let dynamic: Option<&dyn EnvCompleter> = match args.shell {
        CompletionShell::Bash => Some(&Bash),
        CompletionShell::Zsh => Some(&Zsh),
        CompletionShell::Fish => Some(&Fish),
        CompletionShell::Powershell => Some(&Powershell),
        CompletionShell::Elvish => Some(&Elvish),
        CompletionShell::Nu => None,
    };
    let written = match dynamic {
        Some(shell) => shell.write_registration(COMPLETE_VAR, "awsw", "awsw", "awsw", &mut script),
        None => {
            script = nushell_script().into_bytes();
            Ok(())
        }
    };
    if let Err(err) = written {
        return Err(Error::failure(format!("cannot write the completion script: {err}")));
    }
    write_out(&script)
}

/// Writes a whole script or page to stdout.
pub(crate) fn write_out(bytes: &[u8]) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`awsw completions bash | head`) is not worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(Error::failure(format!("cannot write to stdout: {err}"))),
    }
}

/// clap_complete_nushell's `extern` definitions, with every profile positional completed by
/// a command that lists the profile names.
pub(crate) fn nushell_script() -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(clap_complete_nushell::Nushell, &mut cmd, "awsw", &mut buf);
    let generated = String::from_utf8_lossy(&buf);
    let completer = "  def \"nu-complete awsw profile\" [] {\n    ^awsw __complete-profiles | lines\n  }\n\n";
    let mut script = String::with_capacity(generated.len() + 512);
    for (i, line) in generated.lines().enumerate() {
        if i == 0 {
            // The generated module opens with `module completions {`: the completer goes inside.
            script.push_str(line);
            script.push_str("\n\n");
            script.push_str(completer);
            continue;
        }
        let optional = line.strip_prefix("    profile?: string").map(|rest| ("?", rest));
        match line.strip_prefix("    profile: string").map(|rest| ("", rest)).or(optional) {
            Some((mark, rest)) => {
                script.push_str(&format!("    profile{mark}: string@\"nu-complete awsw profile\"{rest}"));
            }
            None => script.push_str(line),
        }
        script.push('\n');
    }
    script
}
