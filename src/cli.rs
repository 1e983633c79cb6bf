//! The command line: clap's derive types and nothing else.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "awsw",
    version,
    about = "AWS profile and role switching: list, verify, assume, and hand off sessions"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile in the config and credentials files.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}
