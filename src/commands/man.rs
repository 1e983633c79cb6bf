//! `awsw man`: the manual page.
pub fn run() -> std::process::ExitCode {
    todo!()
}
