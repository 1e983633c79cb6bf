//! What the engine answers from the plan and the caches alone, with no network call and no
//! prompt: readiness (what getting a session would take now), the cached session, the cache
//! file that changes when a session is renewed.

use std::path::PathBuf;

use super::{Engine, sso_root};
use crate::config::profile::CredentialSource;
use crate::config::{Profile, RootKind};
use crate::creds::error::CredsError;
use crate::creds::plan::{self, Plan, Root};
use crate::creds::steps;
use crate::creds::types::{Credentials, Identity, Readiness, Session, SessionOrigin};

impl Engine {
    /// What getting credentials for `name` takes right now. No network, no prompt.
    pub fn readiness(&self, name: &str) -> Readiness {
        let profile = match self.profile(name) {
            Ok(p) => p,
            Err(err) => return Readiness::Unusable { reason: err.to_string() },
        };
        let plan = self.plan(profile, true);
        if !plan.hops.is_empty()
            && let Some(credentials) = plan.covered()
        {
            return Readiness::Ready { expiration: credentials.expiration };
        }
        if plan.resume.is_none()
            && let Some(readiness) = self.root_readiness(&plan)
        {
            return readiness;
        }
        match plan.hops[plan.start()..].iter().find_map(|hop| Some((hop, hop.code_for.clone()?))) {
            Some((hop, serial)) => {
                Readiness::NeedsMfa { serial, has_mfa_process: hop.profile.mfa_process.is_some() }
            }
            None => Readiness::Ready { expiration: None },
        }
    }

    /// What the root step needs, when that decides the readiness.
    fn root_readiness(&self, plan: &Plan) -> Option<Readiness> {
        match &plan.root {
            Root::BaseSession { serial: Some(serial) } => match &plan.cached_base {
                Some(base) if plan.hops.is_empty() => Some(Readiness::Ready { expiration: base.expiration }),
                Some(_) => None,
                None => Some(Readiness::NeedsMfa {
                    serial: serial.clone(),
                    has_mfa_process: plan.base_code_owner().mfa_process.is_some(),
                }),
            },
            Root::Sso(sso) => sso_root::readiness(plan, sso),
            Root::Provider(RootKind::CredentialProcess) => Some(Readiness::NeedsProcess),
            Root::Provider(RootKind::DefaultChain) if self.env.credentials.credentials().is_none() => {
                Some(Readiness::DefaultChain)
            }
            Root::Provider(RootKind::CredentialSource(CredentialSource::Environment))
                if self.env.credentials.credentials().is_none() =>
            {
                Some(Readiness::Unusable {
                    reason: "credential_source = Environment, but no AWS_ACCESS_KEY_ID is set".into(),
                })
            }
            _ => None,
        }
    }

    /// A still-valid cached session for `name`, or its long-term keys when it is a plain
    /// static profile. No network, no prompt.
    pub fn cached_session(&self, name: &str) -> Option<Session> {
        let profile = self.profile(name).ok()?;
        let plan = self.plan(profile, false);
        let credentials = match plan.covered() {
            Some(credentials) => credentials.clone(),
            None if plan.hops.is_empty() && plan.root == Root::Keys => return self.static_session(profile),
            None => return None,
        };
        Some(self.session_value(&plan, credentials, self.cached_identity(&plan), SessionOrigin::Cache))
    }

    /// The identity kept with the last hop's cached session.
    pub(super) fn cached_identity(&self, plan: &Plan) -> Option<Identity> {
        let hop = plan.hops.last()?;
        self.store.identity(&hop.key, self.clock.now())
    }

    pub(super) fn session_value(
        &self,
        plan: &Plan,
        credentials: Credentials,
        identity: Option<Identity>,
        origin: SessionOrigin,
    ) -> Session {
        Session {
            profile: plan.profile.name.clone(),
            credentials,
            region: plan.profile.region.clone(),
            identity,
            origin,
        }
    }

    pub(super) fn static_session(&self, profile: &Profile) -> Option<Session> {
        Some(Session {
            profile: profile.name.clone(),
            credentials: steps::file_keys(profile).ok()?,
            region: profile.region.clone(),
            identity: None,
            origin: SessionOrigin::Static,
        })
    }

    /// A still-valid cached session, or why there is none: no such profile, an SSO login
    /// needed (renewing in awsw would not help), else `NotCached`. No network, no prompt.
    pub(crate) fn cached_only(&self, name: &str) -> Result<Session, CredsError> {
        if let Some(session) = self.cached_session(name) {
            return Ok(session);
        }
        self.require(name)?;
        match self.readiness(name) {
            Readiness::NeedsSsoLogin { command } => {
                Err(CredsError::SsoLoginRequired { profile: name.to_string(), command })
            }
            _ => Err(CredsError::NotCached { profile: name.to_string() }),
        }
    }

    /// The awsw cache file that changes when `name`'s session is renewed.
    pub fn cache_file(&self, name: &str) -> Option<PathBuf> {
        let profile = self.profile(name).ok()?;
        plan::plan(profile, &self.inventory, &plan::NoCache).final_key().map(|key| self.store.path(key))
    }
}
