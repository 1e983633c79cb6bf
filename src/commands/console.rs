//! `awsw console`.
pub fn run(_args: &crate::cli::ConsoleArgs) -> std::process::ExitCode {
    todo!()
}
