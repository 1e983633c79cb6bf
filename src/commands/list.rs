//! `awsw list`: the profiles as a table as wide as the terminal (80 columns when piped) or as
//! one JSON object.

use std::io::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Error;
use crate::cli::ListArgs;
use crate::config::{self, Inventory, Kind, Profile, ProfileSet, RootKind};
use crate::context::Context;
use crate::creds::keyage::KnownKeys;
use crate::printable::escape;

/// Prints every profile as the table (file diagnostics, problems and key warnings to stderr)
/// or, with `--json`, streamed as one JSON object; a closed stdout pipe is not an error.
pub fn run(args: &ListArgs, context: &Context) -> Result<(), Error> {
    let paths = context.config_paths()?;
    let texts = config::files::read(&paths)?;
    if texts.missing.len() == 2 {
        let message = format!(
            "no AWS config found ({} and {} do not exist); run `aws configure` or set AWS_CONFIG_FILE",
            texts.missing[0].display(),
            texts.missing[1].display()
        );
        eprintln!("awsw: {}", escape(&message));
    }
    let set = texts.profile_set();
    let mut stdout = std::io::BufWriter::with_capacity(1 << 18, raw_stdout());
    let known = KnownKeys::read(context.engine.dirs.cache.clone().unwrap_or_default());
    let (written, inventory) = if args.json {
        (write_json(&set, &mut stdout, &known), None)
    } else {
        let inventory = Inventory::from_set(&set);
        (stdout.write_all(render_table(&inventory, terminal_width()).as_bytes()), Some(inventory))
    };
    // A closed pipe (`awsw list | head`) is not an error worth a message.
    if written.and_then(|_| stdout.flush()).is_err() {
        return Ok(());
    }
    if let Some(inventory) = &inventory {
        report_to_stderr(inventory, &known);
        if texts.missing.len() == 1 && texts.missing[0] == paths.credentials {
            note_missing_credentials(inventory, &paths.credentials);
        }
    }
    // The process ends here: freeing every parsed line one by one would only cost time.
    std::mem::forget(inventory);
    std::mem::forget(set);
    std::mem::forget(texts);
    Ok(())
}

/// Standard output without std's line buffering, which scans every byte written for a
/// newline (measurable on a 5 MB single-line JSON document). Falls back to the usual handle.
fn raw_stdout() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    }
}

/// Writes the same JSON as `to_json`, one profile at a time, so that a 100,000-profile
/// listing never holds every resolved profile in memory at once; `known` adds the
/// `root-keys` and `old-key` warnings awsw's caches already know (no network call).
pub(crate) fn write_json(
    set: &ProfileSet<'_>,
    out: &mut impl Write,
    known: &KnownKeys,
) -> std::io::Result<()> {
    out.write_all(b"{\"profiles\":[")?;
    let resolution = config::profile::Resolution::new(set);
    let mut buf = Vec::with_capacity(1024);
    for idx in 0..set.profiles.len() {
        buf.clear();
        if idx > 0 {
            buf.push(b',');
        }
        let mut profile = resolution.profile_ref(set, idx);
        if let Some(root) = profile.root_profile()
            && root.get("aws_session_token").is_none_or(str::is_empty)
            && let Some(key_id) = root.get("aws_access_key_id")
        {
            profile.listing.warnings.extend(known_findings(known, root.name, key_id));
        }
        crate::json::write(&profile.listing, &mut buf).map_err(std::io::Error::other)?;
        out.write_all(&buf)?;
    }
    out.write_all(b"],\"sso_sessions\":")?;
    serde_json::to_writer(&mut *out, &config::profile::sso_sessions(set))?;
    out.write_all(b",\"diagnostics\":")?;
    serde_json::to_writer(&mut *out, &set.diagnostics)?;
    out.write_all(b"}\n")
}

/// An inventory as `list --json`'s document, built in one string: what the streaming
/// writer is tested against, and what the tests and fuzzers serialize.
pub fn to_json(inventory: &Inventory) -> String {
    let mut text = serde_json::to_string(inventory).expect("inventory serializes");
    text.push('\n');
    text
}

fn terminal_width() -> usize {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        crossterm::terminal::size().map(|(w, _)| usize::from(w)).unwrap_or(80).max(40)
    } else {
        80
    }
}

/// The `root-keys` and `old-key` findings the caches know for keys `key_id` of `holder`.
fn known_findings(known: &KnownKeys, holder: &str, key_id: &str) -> Vec<config::Finding> {
    known
        .facts(holder, key_id)
        .map(|facts| facts.findings(time::OffsetDateTime::now_utc()))
        .unwrap_or_default()
}

/// The same for a resolved profile.
fn profile_known_findings(known: &KnownKeys, profile: &Profile) -> Vec<config::Finding> {
    match (profile.chain.first(), profile.static_keys()) {
        (Some(holder), Some(keys)) if keys.session_token.is_none() => {
            known_findings(known, holder, &keys.access_key_id)
        }
        _ => Vec::new(),
    }
}

/// Diagnostics and problems go to stderr so stdout stays a clean table.
fn report_to_stderr(inventory: &Inventory, known: &KnownKeys) {
    let mut err = std::io::stderr().lock();
    for d in &inventory.diagnostics {
        let _ = writeln!(err, "{}", escape(&format!("{}:{}: {}", d.file, d.line, d.message)));
    }
    for p in inventory.profiles.iter().filter(|p| !p.problems.is_empty()) {
        for problem in &p.problems {
            let _ = writeln!(err, "{}", escape(&format!("profile {}: {}", p.name, problem.message)));
        }
    }
    let mut warned = 0;
    for p in &inventory.profiles {
        let extra = profile_known_findings(known, p);
        // Root keys are an alarm, not a count.
        for finding in extra.iter().filter(|f| f.code == "root-keys") {
            let _ =
                writeln!(err, "{}", escape(&format!("profile {}: root-keys: {}", p.name, finding.message)));
        }
        warned += usize::from(!p.warnings.is_empty() || !extra.is_empty());
    }
    if warned > 0 {
        let _ = writeln!(err, "{warned} profile(s) have hygiene warnings: `awsw list --json` shows them");
    }
}

/// Profiles without credentials are often profiles whose keys were meant for the credentials
/// file: when that file does not exist, say so once instead of only "sets no credentials".
fn note_missing_credentials(inventory: &Inventory, path: &std::path::Path) {
    use crate::config::FindingCode;
    let expects_keys = inventory
        .profiles
        .iter()
        .flat_map(|p| &p.problems)
        .any(|problem| matches!(problem.code, FindingCode::NoCredentials | FindingCode::MissingSource));
    if expects_keys {
        let message = format!(
            "the credentials file {} does not exist, so profiles whose access keys belong there have none; \
             run `aws configure --profile NAME` or set AWS_SHARED_CREDENTIALS_FILE",
            path.display()
        );
        eprintln!("awsw: {}", escape(&message));
    }
}

/// Where a profile's credentials come from, in a few characters.
pub(crate) fn source_label(profile: &Profile) -> String {
    if profile.kind == Kind::Invalid {
        return profile.problems.first().map(|p| format!("!{}", p.code)).unwrap_or_default();
    }
    if let Some(source) = &profile.source_profile {
        return source.clone();
    }
    match profile.root_kind() {
        Some(RootKind::StaticKeys) => "keys".into(),
        Some(RootKind::CredentialSource(cs)) => format!("{cs:?}"),
        Some(RootKind::WebIdentity) => "web-identity".into(),
        Some(RootKind::Sso) => {
            profile.sso_session.as_ref().map(|s| format!("sso:{s}")).unwrap_or_else(|| "sso".into())
        }
        Some(RootKind::CredentialProcess) => "process".into(),
        Some(RootKind::DefaultChain) => "env/imds".into(),
        None => String::new(),
    }
}

/// Cuts `text` to `width` terminal cells, with an ellipsis when it had to cut.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    let fitted = fit(text, width);
    let fill = width.saturating_sub(fitted.width());
    format!("{fitted}{}", " ".repeat(fill))
}

/// The table, every line at most `width` cells wide.
pub fn render_table(inventory: &Inventory, width: usize) -> String {
    const HEADERS: [&str; 7] = ["NAME", "KIND", "ACCOUNT", "ROLE", "REGION", "MFA", "SOURCE"];
    let rows: Vec<[String; 7]> = inventory
        .profiles
        .iter()
        .map(|p| {
            // Control characters shown escaped, before widths are measured.
            [
                p.name.clone(),
                p.kind.label().to_string(),
                p.account_id.clone().unwrap_or_else(|| "-".into()),
                p.role_name.clone().or_else(|| p.sso_role_name.clone()).unwrap_or_else(|| "-".into()),
                p.region.clone().unwrap_or_else(|| "-".into()),
                if p.needs_mfa() { "yes" } else { "-" }.to_string(),
                source_label(p),
            ]
            .map(|cell| escape(&cell).into_owned())
        })
        .collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    // Cut the widest free-text column one cell at a time until the line fits, so the cuts
    // spread over name, role, source and kind instead of gutting one of them.
    let gaps = 2 * (HEADERS.len() - 1);
    // Name, role and source give way first; kind and region only when nothing else can.
    for (flexible, minimums) in [([0, 3, 6], [14, 6, 8]), ([1, 4, 0], [7, 9, 8])] {
        while widths.iter().sum::<usize>() + gaps > width {
            let Some(k) = (0..3)
                .filter(|&k| widths[flexible[k]] > minimums[k])
                .max_by_key(|&k| (widths[flexible[k]] - minimums[k], std::cmp::Reverse(k)))
            else {
                break;
            };
            widths[flexible[k]] -= 1;
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let text: Vec<String> = cells.iter().zip(&widths).map(|(c, &w)| pad(c, w)).collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    };
    line(&HEADERS.map(String::from));
    for row in &rows {
        line(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_listing_matches_serde_for_awkward_values() {
        let config = "[profile 本番-admin]\ndescription = tab\there \"quoted\" back\\slash 本番\nduration_seconds = 7\n";
        let set = ProfileSet::from_sources(&[config::set::Source {
            name: "config",
            text: Some(config),
            kind: config::parse::FileKind::Config,
        }]);
        let resolution = config::profile::Resolution::new(&set);
        let mut buf = Vec::new();
        crate::json::write(&resolution.profile_ref(&set, 0).listing, &mut buf).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            serde_json::to_string(&resolution.profile(&set, 0)).unwrap()
        );
    }

    #[test]
    fn streamed_json_of_long_chains_is_exactly_the_inventory_json() {
        let mut config = String::new();
        for n in 0..300 {
            config.push_str(&format!(
                "[profile p{n}]\nrole_arn = arn:aws:iam::{:012}:role/r{n}\nsource_profile = p{}\n",
                n,
                n.max(1) - 1
            ));
        }
        let set = ProfileSet::from_sources(&[config::set::Source {
            name: "config",
            text: Some(&config),
            kind: config::parse::FileKind::Config,
        }]);
        let mut streamed = Vec::new();
        write_json(&set, &mut streamed, &KnownKeys::default()).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), to_json(&Inventory::from_set(&set)));
    }

    #[test]
    fn streamed_json_is_exactly_the_inventory_json() {
        let config = include_str!("../../assets/example/config");
        let credentials = include_str!("../../assets/example/credentials");
        let set = ProfileSet::from_sources(&[
            config::set::Source { name: "config", text: Some(config), kind: config::parse::FileKind::Config },
            config::set::Source {
                name: "credentials",
                text: Some(credentials),
                kind: config::parse::FileKind::Credentials,
            },
        ]);
        let mut streamed = Vec::new();
        write_json(&set, &mut streamed, &KnownKeys::default()).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), to_json(&Inventory::from_set(&set)));
    }
}
