//! The environment change for a session: the variables to set and the ones to unset.
//! Pure: the caller passes in what it read from the process environment.

use std::fmt;

use time::format_description::well_known::Rfc3339;

use crate::creds::Session;
use crate::secret::Secret;

/// A variable's value; secret ones redact in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// Not secret: the key id, a region, the expiry, the profile name.
    Plain(String),
    /// The secret access key or the session token.
    Secret(Secret),
}

impl EnvValue {
    /// The text to put in the environment. For secrets this is the secret itself: only
    /// sinks call it, on their way to a child process, a shell's stdout or a 0600 file.
    pub(crate) fn expose(&self) -> &str {
        match self {
            EnvValue::Plain(text) => text,
            EnvValue::Secret(secret) => secret.expose(),
        }
    }
}

impl fmt::Debug for EnvValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvValue::Plain(text) => write!(f, "{text:?}"),
            EnvValue::Secret(secret) => write!(f, "{secret:?}"),
        }
    }
}

/// What to change: `unset` first, then `set`, in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvChange {
    /// Variables that would make tools pick other credentials, and a stale
    /// `AWS_CREDENTIAL_EXPIRATION` when the keys do not expire.
    pub unset: Vec<&'static str>,
    /// Variables and their values, in the order the sinks write them.
    pub set: Vec<(&'static str, EnvValue)>,
}

impl EnvChange {
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&EnvValue> {
        self.set.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Applies the change to a child's environment (`exec` and the subshell): the one place
    /// the secret values leave for a process.
    pub(crate) fn apply(&self, command: &mut std::process::Command) {
        for name in &self.unset {
            command.env_remove(name);
        }
        for (name, value) in &self.set {
            command.env(name, value.expose());
        }
    }
}

/// What the caller knows beyond the session.
#[derive(Debug, Clone, Default)]
pub struct EnvOptions {
    /// `--region`: beats everything.
    pub(crate) region_override: Option<String>,
    /// The user's own `AWS_REGION` from the current environment: kept over the profile's.
    pub(crate) user_region: Option<String>,
}

/// Variables that would make tools pick other credentials than the ones awsw sets.
pub(crate) const CONFLICTING: [&str; 4] =
    ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"];

/// Builds the change that points an environment at `session`.
pub fn env_change(session: &Session, options: &EnvOptions) -> EnvChange {
    let creds = &session.credentials;
    let mut set = vec![
        ("AWS_ACCESS_KEY_ID", EnvValue::Plain(creds.access_key_id.clone())),
        ("AWS_SECRET_ACCESS_KEY", EnvValue::Secret(creds.secret_access_key.clone())),
    ];
    let mut unset: Vec<&'static str> = CONFLICTING.to_vec();
    if let Some(token) = &creds.session_token {
        set.push(("AWS_SESSION_TOKEN", EnvValue::Secret(token.clone())));
        unset.retain(|v| *v != "AWS_SESSION_TOKEN");
    }
    let region = options
        .region_override
        .clone()
        .or_else(|| options.user_region.clone())
        .or_else(|| session.region.clone());
    if let Some(region) = region {
        set.push(("AWS_REGION", EnvValue::Plain(region.clone())));
        set.push(("AWS_DEFAULT_REGION", EnvValue::Plain(region)));
    }
    match creds.expiration.and_then(|t| t.format(&Rfc3339).ok()) {
        Some(expiry) => set.push(("AWS_CREDENTIAL_EXPIRATION", EnvValue::Plain(expiry))),
        // A stale expiry from an earlier session would make tools think these keys expire.
        None => unset.push("AWS_CREDENTIAL_EXPIRATION"),
    }
    set.push(("AWSW_PROFILE", EnvValue::Plain(session.profile.clone())));
    EnvChange { unset, set }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::{Credentials, SessionOrigin};
    use time::macros::datetime;

    fn session(token: bool, region: Option<&str>) -> Session {
        Session {
            profile: "prod".into(),
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("s3cr3t"),
                session_token: token.then(|| Secret::new("t0k3n")),
                expiration: token.then_some(datetime!(2026-11-23 10:00:00 UTC)),
            },
            region: region.map(str::to_string),
            identity: None,
            origin: SessionOrigin::Fresh,
        }
    }

    #[test]
    fn temporary_session_sets_everything_and_unsets_conflicts() {
        let change = env_change(&session(true, Some("eu-west-1")), &EnvOptions::default());
        let names: Vec<&str> = change.set.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWSW_PROFILE"
            ]
        );
        assert_eq!(change.unset, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"]);
        assert_eq!(change.get("AWS_CREDENTIAL_EXPIRATION").unwrap().expose(), "2026-11-23T10:00:00Z");
        assert_eq!(change.get("AWS_SESSION_TOKEN").unwrap().expose(), "t0k3n");
    }

    #[test]
    fn long_term_keys_unset_a_stale_token_and_expiry() {
        let change = env_change(&session(false, None), &EnvOptions::default());
        assert!(change.unset.contains(&"AWS_SESSION_TOKEN"));
        assert!(change.unset.contains(&"AWS_CREDENTIAL_EXPIRATION"));
        assert!(change.get("AWS_REGION").is_none());
    }

    #[test]
    fn region_precedence_is_flag_then_user_then_profile() {
        let s = session(true, Some("eu-west-1"));
        let user = EnvOptions { region_override: None, user_region: Some("us-west-2".into()) };
        assert_eq!(env_change(&s, &user).get("AWS_REGION").unwrap().expose(), "us-west-2");
        let flag = EnvOptions { region_override: Some("ap-south-1".into()), ..user };
        assert_eq!(env_change(&s, &flag).get("AWS_DEFAULT_REGION").unwrap().expose(), "ap-south-1");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let text = format!("{:?}", env_change(&session(true, None), &EnvOptions::default()));
        assert!(!text.contains("s3cr3t") && !text.contains("t0k3n"), "{text}");
    }
}
