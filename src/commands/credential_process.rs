//! `awsw credential-process PROFILE`: the session as `credential_process` JSON, so other
//! tools' profiles can say `credential_process = awsw credential-process prod`.

use super::Error;
use super::session::{engine_for, session};
use crate::cli::CredentialProcessArgs;
use crate::context::Context;
use crate::creds::credential_process_json;

/// Prints the profile's session as `credential_process` JSON on stdout.
pub fn run(args: &CredentialProcessArgs, context: &Context) -> Result<(), Error> {
    let engine = engine_for(context, &args.profile)?;
    let session = session(&engine, &args.profile, &args.mfa)?;
    println!("{}", credential_process_json(&session.credentials));
    Ok(())
}
