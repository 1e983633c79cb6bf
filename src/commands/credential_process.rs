//! `awsw credential-process PROFILE`: the session as `credential_process` JSON, so other
//! tools' profiles can say `credential_process = awsw credential-process prod`.

use std::process::ExitCode;

use super::session::{ask, block_on, engine, print_notices, report};
use crate::cli::CredentialProcessArgs;
use crate::creds::credential_process_json;

pub fn run(args: &CredentialProcessArgs) -> ExitCode {
    let engine = match engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let result = block_on(engine.session(&args.profile, &ask(&args.mfa, true)));
    print_notices(&engine);
    match result {
        Ok(session) => {
            println!("{}", credential_process_json(&session.credentials));
            ExitCode::SUCCESS
        }
        Err(err) => report(&err),
    }
}
