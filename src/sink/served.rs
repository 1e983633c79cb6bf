//! The environment of a served child: the endpoint's address and token instead of keys.
//! Pure. Built from `env_change` (regions, `AWSW_PROFILE`) with the keys taken out, because
//! every SDK reads keys in the environment before the endpoint.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::env::{CONFLICTING, EnvChange, EnvOptions, EnvValue, env_change};
use crate::creds::Session;
use crate::secret::Secret;

/// Variables that would make an SDK read other credentials before the endpoint's.
pub(crate) const SHADOWING: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    // The relative URI and the token file beat the full URI and the token in the SDKs.
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// Points a child at the endpoint `url` with `token`. `renewable_until` becomes
/// `AWS_CREDENTIAL_EXPIRATION`: the time the endpoint can renew to without asking you
/// (`None`: for as long as the root credentials work, and the variable is unset).
pub(crate) fn served_change(
    session: &Session,
    options: &EnvOptions,
    url: &str,
    token: &Secret,
    renewable_until: Option<OffsetDateTime>,
) -> EnvChange {
    endpoint_change(&env_change(session, options), url, token, renewable_until)
}

/// The same for a profile whose session awsw's agent holds (no session here): `AWSW_PROFILE`
/// and the region as `env_change` would set them for it, then the endpoint.
pub(crate) fn agent_change(
    profile: &str,
    region: Option<&str>,
    options: &EnvOptions,
    url: &str,
    token: &Secret,
    renewable_until: Option<OffsetDateTime>,
) -> EnvChange {
    let mut set = Vec::new();
    let region = options.region_override.as_deref().or(options.user_region.as_deref()).or(region);
    if let Some(region) = region {
        set.push(("AWS_REGION", EnvValue::Plain(region.to_string())));
        set.push(("AWS_DEFAULT_REGION", EnvValue::Plain(region.to_string())));
    }
    set.push(("AWSW_PROFILE", EnvValue::Plain(profile.to_string())));
    let base = EnvChange { unset: CONFLICTING.to_vec(), set };
    endpoint_change(&base, url, token, renewable_until)
}

/// Nothing that could give other credentials than an endpoint's: what a failed `.envrc`
/// load leaves, so a directory never keeps stale ones.
pub(crate) fn no_credentials() -> EnvChange {
    let mut unset: Vec<&'static str> = CONFLICTING.to_vec();
    unset.extend(SHADOWING.iter().filter(|name| !CONFLICTING.contains(name)));
    unset.extend(["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"]);
    EnvChange { unset, set: Vec::new() }
}

/// `base` (regions, `AWSW_PROFILE`) with the keys taken out and the endpoint put in.
fn endpoint_change(
    base: &EnvChange,
    url: &str,
    token: &Secret,
    renewable_until: Option<OffsetDateTime>,
) -> EnvChange {
    let mut unset = base.unset.clone();
    for name in SHADOWING {
        if !unset.contains(&name) {
            unset.push(name);
        }
    }
    let mut set: Vec<(&'static str, EnvValue)> =
        base.set.iter().filter(|(name, _)| !SHADOWING.contains(name)).cloned().collect();
    set.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI", EnvValue::Plain(url.to_string())));
    set.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN", EnvValue::Secret(token.clone())));
    if let Some(until) = renewable_until.and_then(|t| t.format(&Rfc3339).ok()) {
        unset.retain(|name| *name != "AWS_CREDENTIAL_EXPIRATION");
        set.push(("AWS_CREDENTIAL_EXPIRATION", EnvValue::Plain(until)));
    }
    EnvChange { unset, set }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::{Credentials, SessionOrigin};
    use time::macros::datetime;

    fn session() -> Session {
        Session {
            profile: "prod".into(),
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("s3cr3t"),
                session_token: Some(Secret::new("t0k3n")),
                expiration: Some(datetime!(2026-11-23 10:00:00 UTC)),
            },
            region: Some("eu-west-1".into()),
            identity: None,
            origin: SessionOrigin::Fresh,
        }
    }

    #[test]
    fn the_child_gets_the_endpoint_and_no_keys() {
        let token = Secret::new("tok");
        let until = Some(datetime!(2026-11-23 18:00:00 UTC));
        let change = served_change(&session(), &EnvOptions::default(), "http://127.0.0.1:1/p", &token, until);
        let names: Vec<&str> = change.set.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWSW_PROFILE",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION"
            ]
        );
        assert_eq!(change.get("AWS_CREDENTIAL_EXPIRATION").unwrap().expose(), "2026-11-23T18:00:00Z");
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
            assert!(change.unset.contains(&name), "{name}");
        }
        assert!(!change.unset.contains(&"AWS_CREDENTIAL_EXPIRATION"));
        assert!(!format!("{change:?}").contains("tok\""), "{change:?}");
    }

    #[test]
    fn the_agent_change_matches_the_served_one_without_a_session() {
        let token = Secret::new("tok");
        let until = Some(datetime!(2026-11-23 18:00:00 UTC));
        let options = EnvOptions::default();
        let from_session = served_change(&session(), &options, "u", &token, until);
        let from_agent = agent_change("prod", Some("eu-west-1"), &options, "u", &token, until);
        assert_eq!(from_agent.set, from_session.set);
        let sorted = |change: &EnvChange| {
            let mut names = change.unset.clone();
            names.sort();
            names
        };
        assert_eq!(sorted(&from_agent), sorted(&from_session));
        let user = EnvOptions { user_region: Some("us-east-2".into()), ..EnvOptions::default() };
        let change = agent_change("prod", Some("eu-west-1"), &user, "u", &token, None);
        assert_eq!(change.get("AWS_REGION").unwrap().expose(), "us-east-2");
        assert!(no_credentials().unset.contains(&"AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        assert!(no_credentials().set.is_empty());
    }

    #[test]
    fn without_an_end_the_expiry_is_unset() {
        let token = Secret::new("tok");
        let change = served_change(&session(), &EnvOptions::default(), "u", &token, None);
        assert!(change.get("AWS_CREDENTIAL_EXPIRATION").is_none());
        assert!(change.unset.contains(&"AWS_CREDENTIAL_EXPIRATION"));
    }
}
