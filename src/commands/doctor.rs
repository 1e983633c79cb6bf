//! `awsw doctor`.
pub fn run(_args: &crate::cli::DoctorArgs) -> std::process::ExitCode {
    todo!()
}
