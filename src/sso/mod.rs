//! IAM Identity Center (SSO): logging in (OIDC device and PKCE flows), the AWS CLI's token
//! cache, role credentials from the portal, and discovery of every account and role.
//! Network calls sit behind the `Oidc` and `Portal` traits (real ones over aws-sdk-ssooidc
//! and aws-sdk-sso); time comes from an injected `Clock`. Nothing here prints: commands
//! decide what the user sees, and no secret ever reaches an error or `Debug`.

pub mod cache;
pub(crate) mod credentials;
pub(crate) mod device;
pub(crate) mod discovered;
pub(crate) mod discovery;
pub mod endpoints;
pub(crate) mod error;
pub(crate) mod login;
pub(crate) mod naming;
pub mod oidc;
pub(crate) mod pace;
pub(crate) mod pkce;
pub(crate) mod populate;
pub mod portal;
pub mod rolecreds;
pub mod sdk;
pub mod target;
pub mod token;

pub use device::DevicePrompt;
pub use discovery::{DiscoveredAccount, Discovery};
pub use error::SsoError;
pub use target::SsoTarget;

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod flow_tests;
