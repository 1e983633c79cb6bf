//! `awsw man`: the page renders without a warning in groff and man-db at 80 columns, and it
//! documents every command, flag, environment variable, file and exit code the README and the
//! clap definitions have.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use clap::CommandFactory;
use common::{Sandbox, require, text};

fn page() -> String {
    let sb = Sandbox::new("", "");
    let out = sb.awsw(&["man"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    text(&out).0
}

/// Runs `program` with `input` on stdin; stdout and stderr together, as a user would see them.
fn pipe(program: &mut Command, input: &str) -> (bool, String) {
    let mut child =
        program.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stderr}{stdout}"))
}

#[test]
fn groff_renders_it_without_warnings() {
    if !require("groff") {
        return;
    }
    let (ok, output) = pipe(Command::new("groff").args(["-ww", "-man", "-Tutf8", "-z"]), &page());
    assert!(ok && output.is_empty(), "groff -ww said:\n{output}");
}

#[test]
fn man_renders_it_at_80_columns_without_warnings() {
    if !require("man") {
        return;
    }
    let (ok, output) = pipe(
        Command::new("man").args(["-l", "-"]).env("MANWIDTH", "80").env("MAN_KEEP_STDERR", "1"),
        &page(),
    );
    assert!(ok, "{output}");
    assert!(!output.to_lowercase().contains("warning"), "{output}");
    assert!(output.lines().all(|l| l.chars().count() <= 80), "a line wider than 80 columns:\n{output}");
    for section in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
        assert!(output.lines().any(|l| l == section), "no {section} section:\n{output}");
    }
}

#[test]
fn every_command_and_flag_is_in_the_page() {
    let page = page();
    let cli = awsw::cli::Cli::command();
    let mut commands = Vec::new();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        commands.push((sub.get_name().to_string(), sub));
        for nested in sub.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            commands.push((format!("{} {}", sub.get_name(), nested.get_name()), nested));
        }
    }
    assert!(commands.iter().any(|(name, _)| name == "agent env"), "nested commands are listed");
    for (name, sub) in commands {
        assert!(page.contains(&format!(".SS \"awsw {name}\"")), "no section for {name}");
        let section = &page[page.find(&format!(".SS \"awsw {name}\"")).unwrap()..];
        let section = &section[..section[4..].find(".SS ").map_or(section.len(), |end| end + 4)];
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                // roff writes hyphens as \- .
                let flag = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(section.contains(&flag), "awsw {name}: no {flag}");
            }
        }
    }
}

/// The first column of the README table under `heading`: each `code` span in it, or the
/// whole cell where it has none.
fn readme_column(heading: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme.find(heading).unwrap_or_else(|| panic!("README has no {heading}"));
    let table =
        readme[start..].lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|'));
    let mut names = Vec::new();
    for row in table.skip(2) {
        let first = row.split('|').nth(1).unwrap_or_default();
        let spans: Vec<String> = first.split('`').skip(1).step_by(2).map(str::to_string).collect();
        match spans.is_empty() {
            true => names.push(first.trim().to_string()),
            false => names.extend(spans),
        }
    }
    assert!(!names.is_empty(), "no rows under {heading}");
    names
}

#[test]
fn the_readme_tables_are_in_the_page() {
    let mut page = page();
    for (escape, plain) in
        [("\\-", "-"), ("\\(ti", "~"), ("\\~", "~"), ("\\fB", ""), ("\\fR", ""), ("\\fI", "")]
    {
        page = page.replace(escape, plain);
    }
    for var in readme_column("## Environment variables") {
        assert!(page.contains(&var), "README variable {var} is not in the man page");
    }
    for code in
        readme_column("## Exit codes").iter().chain(&["0".to_string(), "1".to_string(), "2".to_string()])
    {
        assert!(page.contains(&format!(".TP\n{code}")), "README exit code {code} is not in the man page");
    }
    // The `($XDG_CACHE_HOME/awsw)` notes in that column say where `~/.cache` moves to.
    for file in readme_column("awsw writes only these").into_iter().filter(|f| !f.starts_with('$')) {
        let file = file.split(' ').next().unwrap().replace("<sha1>", "*");
        assert!(page.contains(&file), "README file {file} is not in the man page");
    }
}
