//! `awsw sso populate`: asks the portal for every account and role of one login and writes
//! a profile for each into awsw's own block of the config file, replacing the block a
//! previous run wrote. Every byte outside the block stays; the file is replaced atomically
//! with its mode and owner; `--dry-run` prints the change as a diff and writes nothing.
//! Nothing is read from the portal before the file's block is known to be well formed.

use std::path::Path;

use super::Error;
use super::sso::{SsoContext, discover_and_cache};
use crate::cli::SsoPopulateArgs;
use crate::config::credfile_edit::{resolve_target, write_keeping_metadata};
use crate::config::parse::{FileKind, SectionKind, is_valid_identifier, parse};
use crate::config::{Inventory, files};
use crate::context::Context;
use crate::printable::escaped;
use crate::sso::populate::{BlockMarkers, Naming, choose, render, splice};

pub(crate) fn run(args: &SsoPopulateArgs, context: &Context) -> Result<(), Error> {
    let prefix = args.prefix.as_deref().unwrap_or_default();
    if !prefix.is_empty() && !is_valid_identifier(prefix) {
        let message = "--prefix: a profile name may hold only letters, digits and - / . % @ _ : +";
        return Err(Error::Usage(message.into()));
    }
    let ctx = SsoContext::load(context, args.session.as_deref())?;
    let paths = context.config_paths()?;
    let texts = files::read(&paths)?;
    let path = paths.config.as_path();
    let config = texts.config.as_deref().unwrap_or_default();
    let markers = BlockMarkers::new(&ctx.target);
    let unclosed = |_| {
        Error::failure(format!(
            "{} has a `{}` line with no end marker after it: fix or remove the block by hand, then run again",
            path.display(),
            markers.start()
        ))
    };
    let own_text = markers.markers().remove(config).map_err(unclosed)?;
    let discovery = discover_and_cache(&ctx)?;
    let own = Inventory::from_texts(Some(&own_text), texts.credentials.as_deref());
    let template = &crate::settings::current().discovery_name_template;
    let chosen = choose(&ctx.target, &discovery.accounts, &own, &Naming { template, prefix });
    let label = &ctx.target.label;
    for skipped in &chosen.skipped {
        eprintln!("awsw: {label}: {}", escaped(skipped));
    }
    let block = render(&ctx.target, &markers, &chosen.entries);
    let updated = splice(config, &markers, &block).map_err(unclosed)?;
    let (added, removed) = changes(config, &updated, &markers);
    let count = chosen.entries.len();
    if args.dry_run {
        print_diff(path, config, &updated);
        eprintln!(
            "awsw: {label}: {count} profiles ({added} new, {removed} removed); nothing written (--dry-run)"
        );
        return Ok(());
    }
    if updated == config {
        eprintln!("awsw: {label}: {count} profiles, {} already has them all", path.display());
        return Ok(());
    }
    write(path, config, &updated)?;
    eprintln!(
        "awsw: {label}: wrote {count} profiles ({added} new, {removed} removed) into {} between the `{}` markers",
        path.display(),
        markers.start()
    );
    Ok(())
}

/// How many profile names the new block has that the old did not, and the other way round.
fn changes(old: &str, new: &str, markers: &BlockMarkers) -> (usize, usize) {
    let names = |text: &str| -> Vec<String> {
        let Ok(Some(range)) = markers.markers().find(text) else { return Vec::new() };
        let parsed = parse(&text[range], FileKind::Config, "");
        parsed
            .sections
            .iter()
            .filter(|s| s.kind == SectionKind::Profile)
            .map(|s| s.name.to_string())
            .collect()
    };
    let (old, new) = (names(old), names(new));
    (new.iter().filter(|n| !old.contains(n)).count(), old.iter().filter(|n| !new.contains(n)).count())
}

/// The change as a unified diff; the values of secret keys in the context lines (a config
/// file may hold keys) are shown as `****`.
fn print_diff(path: &Path, old: &str, new: &str) {
    let name = path.display().to_string();
    let (old, new) = (redacted(old), redacted(new));
    let diff = similar::TextDiff::from_lines(&old, &new);
    print!("{}", diff.unified_diff().context_radius(2).header(&name, &name));
}

fn redacted(text: &str) -> String {
    const SECRET_KEYS: [&str; 3] = ["aws_secret_access_key", "aws_session_token", "aws_security_token"];
    text.split_inclusive('\n')
        .map(|line| match line.split_once('=') {
            Some((key, _)) if SECRET_KEYS.contains(&key.trim().to_ascii_lowercase().as_str()) => {
                format!("{key}= ****\n")
            }
            _ => line.to_string(),
        })
        .collect()
}

/// Replaces the config file, unless it changed since it was read (another program or
/// another awsw wrote it meanwhile): then nothing is written and the user runs again.
fn write(path: &Path, read: &str, updated: &str) -> Result<(), Error> {
    let cannot = |e: std::io::Error| Error::failure(format!("cannot write {}: {e}", path.display()));
    let target = resolve_target(path).map_err(cannot)?;
    if std::fs::read(&target).map_err(cannot)? != read.as_bytes() {
        return Err(Error::failure(format!(
            "{} changed while awsw was reading the portal: nothing written; run again",
            path.display()
        )));
    }
    write_keeping_metadata(&target, updated.as_bytes()).map_err(cannot)
}
