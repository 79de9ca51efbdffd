//! # kms-key-rotation-enabled
//!
//! **Checks** that every customer managed symmetric KMS key rotates its key material
//! automatically.
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, of the serverless security
//! practices: serverless data — environment variables, queues, tables, logs — is encrypted
//! under KMS keys. Automatic rotation limits how much data any one key material protects and
//! how long a compromised material stays useful, at no cost to applications (old material
//! still decrypts).
//!
//! **Resource type reported:** `AWS::KMS::Key` (the key id).
//! **Trigger:** periodic. The rule lists the keys (KMS `ListKeys`), reads each key's metadata
//! (`DescribeKey`) and, for keys that can rotate, the rotation status (`GetKeyRotationStatus`).
//!
//! **Parameters**
//!
//! None.
//!
//! **Scenarios**
//!
//! | key | result |
//! |---|---|
//! | customer managed, symmetric, rotation on | COMPLIANT (with the rotation period when reported) |
//! | customer managed, symmetric, rotation off | NON_COMPLIANT |
//! | AWS managed (AWS rotates it) | NOT_APPLICABLE |
//! | asymmetric or HMAC key, imported key material, custom key store | NOT_APPLICABLE: automatic rotation is not supported |
//! | pending deletion or pending replica deletion | NOT_APPLICABLE |
//! | a key deleted since the last run | NOT_APPLICABLE (its old result is retired) |
//! | a key the rule may not read (`AccessDenied`: its key policy does not let the account's IAM principals use it) | NON_COMPLIANT, naming the refused call; the other keys are judged as usual |
//!
//! Throttling and server errors that persist through the SDK's retries fail the whole run
//! (Config shows the rule as failed), so no key is judged on a passing fault.
//!
//! **Remediation.** `aws kms enable-key-rotation --key-id KEY_ID` (optionally
//! `--rotation-period-in-days 90..2560`); in CloudFormation, `EnableKeyRotation: true`.
//! The SAM template's optional remediation (`remediation.yaml`) turns rotation on, and may run
//! automatically: old key material keeps decrypting.
//!
//! **References.** AWS KMS developer guide, "Rotate AWS KMS keys"; AWS Config managed rule
//! `cmk-backing-key-rotation-enabled`; CIS AWS Foundations 3.6.

use async_trait::async_trait;
use config_rules_core::{
    arn, AccountContext, Error, Permission, Remediation, RemediationValue, ReportsOn, ResourceVerdict, Rule, RuleMeta,
    Severity, Trigger, Verdict,
};

pub const META: RuleMeta = RuleMeta {
    id: "kms-key-rotation-enabled",
    summary: "Customer managed symmetric KMS keys rotate their key material automatically.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::KMS::Key"],
    trigger: Trigger::Periodic,
    reports_on: ReportsOn::Account,
    parameters: &[],
    permissions: &[
        Permission::any("kms:ListKeys"),
        Permission::on("kms:DescribeKey", &[arn::KMS_KEYS]),
        Permission::on("kms:GetKeyRotationStatus", &[arn::KMS_KEYS]),
    ],
    item_calls_aws: false,
    // Sized for 5,000 resources: two AWS calls each, 8 at a time, at up to 100 ms per call is
    // 125 s; twice that for margin (a 5,000-key sweep took 51 s against the emulator).
    timeout_seconds: 300,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[("KeyId", RemediationValue::ResourceId)],
        permissions: &[
            Permission::on("kms:EnableKeyRotation", &[arn::KMS_KEYS]),
            Permission::on("kms:GetKeyRotationStatus", &[arn::KMS_KEYS]),
        ],
        automatic_safe: true,
        summary: "turns on automatic rotation of the key (yearly)",
        safety: "old key material keeps decrypting what it encrypted; nothing a caller does changes",
    }),
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `EnableKeyRotation`, `RotationPeriodInDays` and `KeySpec` of the template's `AWS::KMS::Key` resources; keys outside the template are judged by the deployed rule",
    ..RuleMeta::DEFAULT
};

/// What `DescribeKey` says of a key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyInfo {
    pub id: String,
    /// `CUSTOMER` or `AWS`.
    pub manager: String,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`, ...
    pub spec: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub state: String,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    pub origin: String,
}

/// The rotation status of a key that can rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub enabled: bool,
    pub period_days: Option<i32>,
}

/// The KMS calls this rule makes.
#[async_trait]
pub trait KeyApi: Send + Sync {
    /// `ListKeys`, all pages: key ids.
    async fn list_keys(&self) -> Result<Vec<String>, Error>;
    /// `DescribeKey`; `None` when the key is gone (deleted since `ListKeys`).
    async fn describe_key(&self, key_id: &str) -> Result<Option<KeyInfo>, Error>;
    /// `GetKeyRotationStatus`.
    async fn rotation(&self, key_id: &str) -> Result<Rotation, Error>;
}

/// Why a key cannot be judged, or `None` when it can rotate.
pub fn not_applicable(key: &KeyInfo) -> Option<String> {
    if key.manager.eq_ignore_ascii_case("AWS") {
        return Some("is AWS managed: AWS rotates it".to_string());
    }
    if key.state.starts_with("Pending") && key.state.contains("Deletion") {
        return Some(format!("is {}", key.state));
    }
    if key.spec != "SYMMETRIC_DEFAULT" {
        return Some(format!(
            "is a {} key: automatic rotation supports symmetric encryption keys only",
            key.spec
        ));
    }
    if key.origin != "AWS_KMS" {
        return Some(format!(
            "has key material from {}: automatic rotation is not supported",
            key.origin
        ));
    }
    None
}

/// The decision for one key, as a pure function.
pub fn evaluate_key(key: &KeyInfo, rotation: Option<Rotation>) -> Verdict {
    if let Some(why) = not_applicable(key) {
        return Verdict::not_applicable(format!("Key {} {why}.", key.id));
    }
    match rotation {
        Some(Rotation {
            enabled: true,
            period_days: Some(days),
        }) => Verdict::compliant(format!("Key {} rotates automatically every {days} days.", key.id)),
        Some(Rotation {
            enabled: true,
            period_days: None,
        }) => Verdict::compliant(format!("Key {} rotates automatically.", key.id)),
        _ => Verdict::non_compliant(format!(
            "Key {} is customer managed and does not rotate automatically.",
            key.id
        )),
    }
}

/// The rule as the runner sees it.
pub struct KmsKeyRotationEnabled<K> {
    api: K,
}

impl<K: KeyApi> KmsKeyRotationEnabled<K> {
    pub fn new(api: K) -> Self {
        KmsKeyRotationEnabled { api }
    }

    /// One key's verdict; `None` when the key is gone.
    async fn judge(&self, id: &str) -> Result<Option<Verdict>, Error> {
        let Some(key) = self.api.describe_key(id).await? else {
            return Ok(None);
        };
        let rotation = match not_applicable(&key) {
            Some(_) => None,
            None => Some(self.api.rotation(id).await?),
        };
        Ok(Some(evaluate_key(&key, rotation)))
    }
}

#[async_trait]
impl<K: KeyApi> Rule for KmsKeyRotationEnabled<K> {
    type Params = ();
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_account(&self, _ctx: &AccountContext, _params: &()) -> Result<Vec<ResourceVerdict>, Error> {
        let mut ids = self.api.list_keys().await?;
        ids.sort();
        let judged = config_rules_core::sweep::map_bounded(ids, |id| async move {
            let verdict = self.judge(&id).await;
            (id, verdict)
        })
        .await;
        let mut out = Vec::with_capacity(judged.len());
        for (id, verdict) in judged {
            // A key whose policy does not let this account's IAM principals read it answers
            // AccessDenied: that key gets its own result, and the sweep goes on.
            let verdict = match verdict {
                Ok(Some(verdict)) => verdict,
                // Deleted mid-sweep: no result now; a stored one is retired as not applicable.
                Ok(None) => continue,
                Err(e) if e.is_access_denied() => Verdict::unreadable(&format!("Key {id}"), &e),
                Err(e) => return Err(e),
            };
            out.push(ResourceVerdict {
                resource_type: "AWS::KMS::Key".to_string(),
                resource_id: id,
                verdict,
            });
        }
        Ok(out)
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    KmsKeyRotationEnabled::new(SdkKms::new(sdk))
}

mod sdk;
pub use sdk::*;

#[cfg(test)]
mod tests;
