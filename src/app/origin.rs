//! Where the terminal awsw was started from points, for the header: credentials in the
//! environment before `AWS_PROFILE`, as the SDKs read them. Pure: the variables are passed in.

use time::OffsetDateTime;

use crate::creds::Identity;

/// The environment awsw was started from, for the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// What the header says the terminal uses, e.g. `AWS_PROFILE=dev` or masked keys.
    pub label: String,
    /// `AWS_CREDENTIAL_EXPIRATION` of the keys in the environment, when set and RFC 3339.
    pub expires: Option<OffsetDateTime>,
    /// `AWS_PROFILE` when it is what the terminal uses: its identity is that profile's,
    /// once the list has it.
    pub profile: Option<String>,
    /// What STS says the credentials in the environment are (`Err`: why it could not tell).
    pub identity: Option<Result<Identity, String>>,
}

impl Origin {
    /// Where a terminal with these variables points, in the SDKs' order: credentials in the
    /// environment beat `AWS_PROFILE`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Origin {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let expires = var("AWS_CREDENTIAL_EXPIRATION")
            .and_then(|t| OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok());
        let keys = var("AWS_ACCESS_KEY_ID").filter(|_| var("AWS_SECRET_ACCESS_KEY").is_some());
        let has_keys = keys.is_some();
        let awsw = var("AWSW_PROFILE");
        let aws_profile = var("AWS_PROFILE");
        let mut origin = match (keys, awsw, aws_profile) {
            (Some(_), Some(profile), _) => {
                Origin { label: format!("awsw profile {profile}"), expires, ..Origin::default() }
            }
            (Some(key), None, _) => Origin {
                label: format!("keys {} from the environment", crate::secret::mask_key_id(&key)),
                expires,
                ..Origin::default()
            },
            (None, Some(profile), _) => Origin {
                label: format!("awsw profile {profile}, but no credentials are loaded"),
                ..Origin::default()
            },
            (None, None, Some(profile)) => Origin {
                label: format!("AWS_PROFILE={profile}"),
                profile: Some(profile),
                ..Origin::default()
            },
            (None, None, None) => {
                Origin { label: "no AWS credentials in this environment".into(), ..Origin::default() }
            }
        };
        if let (true, Some(profile)) = (has_keys, var("AWS_PROFILE")) {
            origin
                .label
                .push_str(&format!(" (AWS_PROFILE={profile} is ignored: keys in the environment win)"));
        }
        origin
    }
}
