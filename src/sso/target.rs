//! Which IAM Identity Center login a name means: an `[sso-session NAME]`, or the session or
//! legacy `sso_start_url` behind a profile. Pure: reads the resolved config only.

use sha1::{Digest, Sha1};

use super::error::SsoError;
use crate::config::profile::SsoRoot;
use crate::config::{Inventory, Profile, SsoSession};
use crate::creds::clicache::python_json_string;

/// The scope the AWS CLI registers when `sso_registration_scopes` is not set.
pub(crate) const DEFAULT_SCOPE: &str = "sso:account:access";

/// One login: the token file, the OIDC registration and the start URL belong to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoTarget {
    /// The `sso-session` name; `None` for a legacy profile with its own `sso_start_url`.
    pub(crate) session: Option<String>,
    pub(crate) start_url: String,
    pub(crate) region: String,
    /// `sso_registration_scopes`, when configured.
    pub(crate) scopes: Option<Vec<String>>,
    /// What to pass to `awsw login` for this target.
    pub(crate) login: String,
    /// How messages name it: `sso-session corp` or `profile old-sso`.
    pub(crate) label: String,
}

impl SsoTarget {
    /// `<sha1 of the session name, or of the start URL for legacy profiles>.json`.
    pub(crate) fn token_file_name(&self) -> String {
        let id = self.session.as_deref().unwrap_or(&self.start_url);
        format!("{}.json", hex::encode(Sha1::digest(id.as_bytes())))
    }

    /// The file botocore keeps the OIDC client registration in: the SHA-1 of
    /// `json.dumps({tool, startUrl, region, scopes, session_name}, sort_keys=True)`.
    pub(crate) fn registration_file_name(&self) -> String {
        let scopes = match &self.scopes {
            Some(list) => {
                format!("[{}]", list.iter().map(|s| python_json_string(s)).collect::<Vec<_>>().join(", "))
            }
            None => "null".into(),
        };
        let session = self.session.as_deref().map_or("null".into(), python_json_string);
        let text = format!(
            "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {session}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
            python_json_string(&self.region),
            python_json_string(&self.start_url),
        );
        format!("{}.json", hex::encode(Sha1::digest(text.as_bytes())))
    }

    /// The scopes to register: the configured ones, else `sso:account:access` for a session
    /// (so the token can be refreshed); none for a legacy profile, as the AWS CLI does.
    pub(crate) fn registration_scopes(&self) -> Option<Vec<String>> {
        match (&self.scopes, &self.session) {
            (Some(scopes), _) => Some(scopes.clone()),
            (None, Some(_)) => Some(vec![DEFAULT_SCOPE.to_string()]),
            (None, None) => None,
        }
    }
}

fn parse_scopes(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// The target for `[sso-session NAME]`.
pub(crate) fn for_session(inventory: &Inventory, name: &str) -> Result<SsoTarget, SsoError> {
    let session = inventory
        .sso_sessions
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| SsoError::UnknownSession { name: name.to_string() })?;
    from_session(session)
}

/// The target of an `[sso-session]` section, or the settings it lacks.
pub(crate) fn from_session(session: &SsoSession) -> Result<SsoTarget, SsoError> {
    let missing: Vec<&str> = [("sso_start_url", &session.sso_start_url), ("sso_region", &session.sso_region)]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_none_or(|v| v.trim().is_empty()))
        .map(|(k, _)| k)
        .collect();
    if !missing.is_empty() {
        return Err(SsoError::MissingSetting {
            session: session.name.clone(),
            missing: missing.join(" and "),
        });
    }
    Ok(SsoTarget {
        session: Some(session.name.clone()),
        start_url: session.sso_start_url.clone().unwrap_or_default(),
        region: session.sso_region.clone().unwrap_or_default(),
        scopes: session.sso_registration_scopes.as_deref().map(parse_scopes),
        login: session.name.clone(),
        label: format!("sso-session {}", session.name),
    })
}

/// The target behind a profile: its chain's SSO root's session, or its legacy start URL.
pub(crate) fn for_profile(inventory: &Inventory, profile: &Profile) -> Result<SsoTarget, SsoError> {
    let root = profile.chain.first().and_then(|n| inventory.profile(n)).unwrap_or(profile);
    // An SSO profile whose settings are broken has no SSO root: say what is broken.
    let sso_problem = profile.problems.iter().find(|f| {
        matches!(
            f.code,
            crate::config::FindingCode::MissingSsoSession | crate::config::FindingCode::IncompleteSso
        )
    });
    match root.sso() {
        None => match sso_problem {
            Some(finding) => Err(SsoError::IncompleteProfile {
                profile: profile.name.clone(),
                reason: finding.message.clone(),
            }),
            None => Err(SsoError::NotSso { profile: profile.name.clone() }),
        },
        Some(SsoRoot::Session { name, .. }) => for_session(inventory, name),
        Some(SsoRoot::Legacy { start_url, region, .. }) => Ok(SsoTarget {
            session: None,
            start_url: start_url.clone(),
            region: region.clone(),
            scopes: None,
            login: root.name.clone(),
            label: format!("profile {}", root.name),
        }),
    }
}

/// `awsw login [NAME]`: a session name, else a profile name; without a name, the only session.
pub(crate) fn resolve(inventory: &Inventory, name: Option<&str>) -> Result<SsoTarget, SsoError> {
    match name {
        Some(name) => {
            if inventory.sso_sessions.iter().any(|s| s.name == name) {
                return for_session(inventory, name);
            }
            match inventory.profile(name) {
                Some(profile) => for_profile(inventory, profile),
                None => Err(SsoError::UnknownSession { name: name.to_string() }),
            }
        }
        None => match inventory.sso_sessions.as_slice() {
            [] => Err(SsoError::NoSession),
            [only] => from_session(only),
            many => Err(SsoError::Ambiguous {
                names: many.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "),
                first: many[0].name.clone(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
        sso_registration_scopes = sso:account:access, extra\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n\
        sso_role_name = Admin\n\n[profile chained]\nsource_profile = dev\nrole_arn = arn:aws:iam::222222222222:role/x\n\n\
        [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111111111111\n\
        sso_role_name = Read\n\n[sso-session half]\nsso_region = us-east-1\n\n[profile keys]\naws_access_key_id = A\n\
        aws_secret_access_key = B\n";

    #[test]
    fn names_resolve_to_sessions_and_profiles() {
        let inv = Inventory::from_texts(Some(CONFIG), None);
        let corp = resolve(&inv, Some("corp")).unwrap();
        assert_eq!(corp.scopes, Some(vec!["sso:account:access".to_string(), "extra".to_string()]));
        assert_eq!(resolve(&inv, Some("dev")).unwrap(), corp);
        assert_eq!(resolve(&inv, Some("chained")).unwrap(), corp);
        let legacy = resolve(&inv, Some("legacy")).unwrap();
        assert_eq!((legacy.session, legacy.label.as_str()), (None, "profile legacy"));
        assert!(matches!(resolve(&inv, Some("keys")), Err(SsoError::NotSso { .. })));
        // A profile meant for SSO whose session section is missing says so (once it said
        // "does not use IAM Identity Center").
        let broken =
            Inventory::from_texts(Some("[profile broken]\nsso_session = gone\nsso_account_id = 1\n"), None);
        let said = resolve(&broken, Some("broken")).unwrap_err().to_string();
        assert!(said.starts_with("profile broken is not complete: ") && said.contains("gone"), "{said}");
        assert!(matches!(resolve(&inv, Some("nope")), Err(SsoError::UnknownSession { .. })));
        let half = resolve(&inv, Some("half")).unwrap_err().to_string();
        assert_eq!(half, "[sso-session half] lacks sso_start_url: add it to the section in the config file");
        assert!(matches!(resolve(&inv, None), Err(SsoError::Ambiguous { .. })));
    }

    #[test]
    fn file_names_match_botocore() {
        // python3 -c 'import hashlib,json; print(hashlib.sha1(b"corp").hexdigest()); print(hashlib.sha1(
        //   json.dumps({"tool":"botocore","startUrl":"https://corp.awsapps.com/start","region":"eu-west-1",
        //   "scopes":["sso:account:access","extra"],"session_name":"corp"},sort_keys=True).encode()).hexdigest())'
        let inv = Inventory::from_texts(Some(CONFIG), None);
        let corp = resolve(&inv, Some("corp")).unwrap();
        assert_eq!(corp.token_file_name(), format!("{}.json", hex::encode(Sha1::digest(b"corp"))));
        assert_eq!(corp.registration_file_name(), python_registration_key(&corp));
        let legacy = resolve(&inv, Some("legacy")).unwrap();
        assert_eq!(legacy.registration_file_name(), python_registration_key(&legacy));
        assert_eq!(
            legacy.token_file_name(),
            format!("{}.json", hex::encode(Sha1::digest(b"https://old.awsapps.com/start")))
        );
    }

    /// botocore's own formula, run in Python (skipped without python3 outside CI).
    fn python_registration_key(target: &SsoTarget) -> String {
        let args = serde_json::json!({"tool": "botocore", "startUrl": target.start_url, "region": target.region,
            "scopes": target.scopes, "session_name": target.session});
        let script = "import hashlib,json,sys; print(hashlib.sha1(json.dumps(json.loads(sys.argv[1]), sort_keys=True).encode()).hexdigest())";
        let out = std::process::Command::new("python3").args(["-c", script, &args.to_string()]).output();
        match out {
            Ok(out) if out.status.success() => {
                format!("{}.json", String::from_utf8_lossy(&out.stdout).trim())
            }
            _ => {
                assert!(std::env::var_os("CI").is_none(), "python3 is required when CI is set");
                target.registration_file_name()
            }
        }
    }
}
