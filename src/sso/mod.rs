//! IAM Identity Center (SSO): logging in (OIDC device and PKCE flows), the AWS CLI's token
//! cache, role credentials from the portal, and discovery of every account and role.
//! Network calls sit behind the `Oidc` and `Portal` traits (real ones over aws-sdk-ssooidc
//! and aws-sdk-sso); time comes from an injected `Clock`. Nothing here prints: commands
//! decide what the user sees, and no secret ever reaches an error or `Debug`.

pub mod cache;
pub mod credentials;
pub mod device;
pub mod discovered;
pub mod discovery;
pub mod endpoints;
pub mod error;
pub mod login;
pub mod naming;
pub mod oidc;
pub mod pkce;
pub mod portal;
pub mod rolecreds;
pub mod sdk;
pub mod target;
pub mod token;

pub use error::SsoError;
pub use target::SsoTarget;

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod flow_tests;
