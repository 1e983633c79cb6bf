//! Rotating a profile's access key without ever losing a working one: create the new key,
//! wait until STS accepts it, rewrite the two values in the credentials file, then delete the
//! old key. IAM, STS and the file sit behind traits so every fault after `CreateAccessKey` is
//! tested; the rules are: before the file is written, a failure deletes the new key again and
//! leaves the file untouched; after it, a failure to delete the old key is reported with its
//! id. Secrets travel only as `Secret` and land only in the credentials file.

use std::path::PathBuf;
use std::time::Duration;

use super::iam::{Iam, IamError, NewKey};
use super::sts::{Endpoint, Sts, StsError};
use super::types::Credentials;
use crate::config::credfile_edit::{self, EditError};
use crate::secret::Secret;

/// The credentials file, read and replaced whole.
pub trait CredFile: Send + Sync {
    /// Where the file is, for messages.
    fn path(&self) -> PathBuf;
    /// The whole text of the file.
    fn read(&self) -> std::io::Result<String>;
    /// Atomically, keeping mode and owner.
    fn write(&self, text: &str) -> std::io::Result<()>;
}

/// The real file (a symlink is written through to its target).
pub struct DiskCredFile(pub PathBuf);

impl CredFile for DiskCredFile {
    fn path(&self) -> PathBuf {
        self.0.clone()
    }

    fn read(&self) -> std::io::Result<String> {
        std::fs::read_to_string(&self.0)
    }

    fn write(&self, text: &str) -> std::io::Result<()> {
        let target = credfile_edit::resolve_target(&self.0)?;
        credfile_edit::write_keeping_metadata(&target, text.as_bytes())
    }
}

/// What one rotation works on; built by the command after its refusals.
pub struct Plan {
    /// The profile whose section holds the keys.
    pub profile: String,
    /// The long-term keys being replaced, as the file holds them.
    pub old: Credentials,
    /// What IAM is called with: an MFA session made from the old key, or the old key.
    pub caller: Credentials,
    /// The IAM user (`None` for root keys).
    pub user: Option<String>,
    /// The ARN STS gives for the old key: the new one must give the same.
    pub arn: String,
    /// Where the IAM calls go (`AWS_ENDPOINT_URL_IAM`, ...; see `iam::endpoint`).
    pub iam_endpoint: Endpoint,
    /// Where the new key is tried: the holder profile's STS endpoint.
    pub sts_endpoint: Endpoint,
}

/// How long to wait for STS to accept the new key (IAM is eventually consistent).
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// How many times STS is asked (at least once).
    pub attempts: u32,
    /// The wait between two attempts.
    pub interval: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling { attempts: 30, interval: Duration::from_secs(2) }
    }
}

/// Why a rotation stopped, each variant saying how far it got and what is left to clean up.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// Nothing was changed.
    #[error("profile {profile}: {reason}")]
    Refused {
        /// The profile whose section holds the keys.
        profile: String,
        /// Why it stopped before anything changed.
        reason: String,
    },
    /// The new key existed and is gone again (or named, if it could not be deleted); the
    /// file is untouched.
    #[error("profile {profile}: rotation stopped, {reason}; {file} is unchanged{}", left_behind(.new_key_left))]
    RolledBack {
        /// The profile whose section holds the keys.
        profile: String,
        /// What stopped the rotation (STS did not accept the new key or named another
        /// owner, the file could not be edited or written).
        reason: String,
        /// The credentials file's path.
        file: String,
        /// The new key's id and why IAM did not delete it, when it is still there.
        new_key_left: Option<(String, String)>,
    },
    /// The file holds the new key; the old key is still there.
    #[error(
        "profile {profile} now uses the new key {new_key_id} (written to {file}), but the old key {old_key_id} could not be deleted ({reason}): delete it with `aws iam delete-access-key --access-key-id {old_key_id}`"
    )]
    OldKeyKept {
        /// The profile whose section holds the keys.
        profile: String,
        /// The credentials file's path.
        file: String,
        /// The id of the key the file now holds.
        new_key_id: String,
        /// The id of the key still active in IAM.
        old_key_id: String,
        /// Why IAM did not delete it.
        reason: String,
    },
}

fn left_behind(left: &Option<(String, String)>) -> String {
    match left {
        None => " and the new key was deleted again".into(),
        Some((id, why)) => format!(
            ", but the new key {id} could not be deleted ({why}): delete it with `aws iam delete-access-key --access-key-id {id}`"
        ),
    }
}

/// The checks that need IAM but change nothing: the key is the user's and a second fits.
pub(crate) async fn precheck(iam: &dyn Iam, plan: &Plan) -> Result<usize, RotateError> {
    let refused = |reason: String| RotateError::Refused { profile: plan.profile.clone(), reason };
    let keys = iam
        .list_access_keys(&plan.iam_endpoint, &plan.caller, plan.user.as_deref())
        .await
        .map_err(|err| refused(format!("IAM would not list the access keys ({err}); nothing was changed")))?;
    if !keys.iter().any(|k| k.id == plan.old.access_key_id) {
        return Err(refused(format!(
            "IAM does not list {} among the caller's keys; nothing was changed",
            plan.old.access_key_id
        )));
    }
    if let Some(other) = keys.iter().find(|k| k.id != plan.old.access_key_id) {
        return Err(refused(format!(
            "the user already has two access keys; delete the other one first (`aws iam delete-access-key --access-key-id {}`), then rotate again",
            other.id
        )));
    }
    Ok(keys.len())
}

/// Runs rotations with the IAM, STS and credentials file it is given (fakes and faults in
/// tests, `AwsIam`, `AwsSts` and `DiskCredFile` for `awsw rotate`).
pub struct Rotator<'a> {
    /// Lists, creates and deletes the access keys.
    pub iam: &'a dyn Iam,
    /// Asked with the new key until it is accepted.
    pub sts: &'a dyn Sts,
    /// The credentials file that gets the new key.
    pub file: &'a dyn CredFile,
    /// How long to wait for STS to accept the new key.
    pub polling: Polling,
}

impl Rotator<'_> {
    fn file_name(&self) -> String {
        self.file.path().display().to_string()
    }

    /// The new text of the file, or why it cannot be written.
    fn edited(&self, plan: &Plan, key: &NewKey) -> Result<String, String> {
        let text = self.file.read().map_err(|e| format!("cannot read {}: {e}", self.file_name()))?;
        credfile_edit::replace_key_pair(
            &text,
            &self.file_name(),
            &plan.profile,
            &plan.old.access_key_id,
            &key.id,
            &key.secret,
        )
        .map_err(|e: EditError| e.to_string())
    }

    /// Refuses before any change when the file cannot take the new key.
    pub(crate) fn check_file(&self, plan: &Plan) -> Result<(), RotateError> {
        let probe = NewKey { id: plan.old.access_key_id.clone(), secret: Secret::new("probe") };
        self.edited(plan, &probe)
            .map(drop)
            .map_err(|reason| RotateError::Refused { profile: plan.profile.clone(), reason })
    }

    async fn accepted(&self, plan: &Plan, key: &NewKey) -> Result<(), String> {
        let creds = Credentials {
            access_key_id: key.id.clone(),
            secret_access_key: key.secret.clone(),
            session_token: None,
            expiration: None,
        };
        let mut last = String::new();
        for attempt in 0..self.polling.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.polling.interval).await;
            }
            match self.sts.get_caller_identity(&plan.sts_endpoint, &creds).await {
                Ok(identity) if identity.arn == plan.arn => return Ok(()),
                Ok(identity) => {
                    return Err(format!(
                        "STS says the new key belongs to {}, not {}",
                        identity.arn, plan.arn
                    ));
                }
                Err(StsError::Service { code, .. }) => last = format!("STS still refuses it ({code})"),
                Err(err) => last = err.to_string(),
            }
        }
        Err(format!("STS did not accept the new key after {} tries: {last}", self.polling.attempts.max(1)))
    }

    async fn roll_back(&self, plan: &Plan, key: &NewKey, reason: String) -> RotateError {
        let deleted =
            self.iam.delete_access_key(&plan.iam_endpoint, &plan.caller, plan.user.as_deref(), &key.id).await;
        RotateError::RolledBack {
            profile: plan.profile.clone(),
            reason,
            file: self.file_name(),
            new_key_left: deleted.err().map(|e: IamError| (key.id.clone(), e.to_string())),
        }
    }

    /// Runs the rotation; returns the new key's id.
    pub async fn rotate(&self, plan: &Plan) -> Result<String, RotateError> {
        self.check_file(plan)?;
        precheck(self.iam, plan).await?;
        let key = self
            .iam
            .create_access_key(&plan.iam_endpoint, &plan.caller, plan.user.as_deref())
            .await
            .map_err(|err| RotateError::Refused {
                profile: plan.profile.clone(),
                reason: format!("IAM did not create a new access key ({err}); nothing was changed"),
            })?;
        if let Err(reason) = self.accepted(plan, &key).await {
            return Err(self.roll_back(plan, &key, reason).await);
        }
        let text = match self.edited(plan, &key) {
            Ok(text) => text,
            Err(reason) => return Err(self.roll_back(plan, &key, reason).await),
        };
        if let Err(err) = self.file.write(&text) {
            let reason = format!("cannot write {}: {err}", self.file_name());
            return Err(self.roll_back(plan, &key, reason).await);
        }
        self.iam
            .delete_access_key(
                &plan.iam_endpoint,
                &plan.caller,
                plan.user.as_deref(),
                &plan.old.access_key_id,
            )
            .await
            .map_err(|err| RotateError::OldKeyKept {
                profile: plan.profile.clone(),
                file: self.file_name(),
                new_key_id: key.id.clone(),
                old_key_id: plan.old.access_key_id.clone(),
                reason: err.to_string(),
            })?;
        Ok(key.id)
    }
}
