//! `awsw list`: the profiles as an 80-column table or as one JSON object.

use std::io::Write;
use std::process::ExitCode;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{exit, fail};
use crate::cli::ListArgs;
use crate::config::{self, ConfigPaths, Inventory, Kind, Profile, RootKind};

pub fn run(args: &ListArgs) -> ExitCode {
    let loaded = match ConfigPaths::from_env().and_then(|paths| config::load(&paths)) {
        Ok(loaded) => loaded,
        Err(err) => return fail(exit::FAILURE, err),
    };
    if loaded.missing.len() == 2 {
        eprintln!(
            "awsw: no AWS config found ({} and {} do not exist); run `aws configure` or set AWS_CONFIG_FILE",
            loaded.missing[0].display(),
            loaded.missing[1].display()
        );
    }
    let inventory = &loaded.inventory;
    let out = if args.json { to_json(inventory) } else { render_table(inventory, terminal_width()) };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`awsw list | head`) is not an error worth a message.
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(exit::OK);
    }
    if !args.json {
        report_to_stderr(inventory);
    }
    ExitCode::from(exit::OK)
}

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

/// Diagnostics and problems go to stderr so stdout stays a clean table.
fn report_to_stderr(inventory: &Inventory) {
    let mut err = std::io::stderr().lock();
    for d in &inventory.diagnostics {
        let _ = writeln!(err, "{}:{}: {}", d.file, d.line, d.message);
    }
    for p in inventory.profiles.iter().filter(|p| !p.problems.is_empty()) {
        for problem in &p.problems {
            let _ = writeln!(err, "profile {}: {}", p.name, problem.message);
        }
    }
    let warned = inventory.profiles.iter().filter(|p| !p.warnings.is_empty()).count();
    if warned > 0 {
        let _ = writeln!(err, "{warned} profile(s) have hygiene warnings: `awsw list --json` shows them");
    }
}

/// Where a profile's credentials come from, in a few characters.
pub fn source_label(profile: &Profile) -> String {
    if profile.kind == Kind::Invalid {
        return profile.problems.first().map(|p| format!("!{}", p.code)).unwrap_or_default();
    }
    if let Some(source) = &profile.source_profile {
        return source.clone();
    }
    match profile.root {
        Some(RootKind::StaticKeys) => "keys".into(),
        Some(RootKind::CredentialSource(cs)) => format!("{cs:?}"),
        Some(RootKind::WebIdentity) => "web-identity".into(),
        Some(RootKind::Sso) => {
            profile.sso_session.as_ref().map(|s| format!("sso:{s}")).unwrap_or_else(|| "sso".into())
        }
        Some(RootKind::CredentialProcess) => "process".into(),
        None => String::new(),
    }
}

/// The kind as the table shows it: `credential-process` is shortened to keep 80 columns.
fn table_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::CredentialProcess => "cred-process",
        other => other.as_str(),
    }
}

/// Cuts `text` to `width` terminal cells, with an ellipsis when it had to cut.
pub fn fit(text: &str, width: usize) -> String {
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
            [
                p.name.clone(),
                table_kind(p.kind).to_string(),
                p.account_id.clone().unwrap_or_else(|| "-".into()),
                p.role_name.clone().or_else(|| p.sso_role_name.clone()).unwrap_or_else(|| "-".into()),
                p.region.clone().unwrap_or_else(|| "-".into()),
                if p.needs_mfa() { "yes" } else { "-" }.to_string(),
                source_label(p),
            ]
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
