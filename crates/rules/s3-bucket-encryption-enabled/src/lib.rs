//! # s3-bucket-encryption-enabled
//!
//! **Checks** that an S3 bucket encrypts new objects by default, optionally with AWS KMS and
//! optionally with one of an allowed list of keys.
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, of the serverless security
//! practices: buckets hold what serverless applications upload, export and archive. Default
//! encryption makes every object encrypted at rest without relying on each writer; SSE-KMS adds
//! a key policy in front of the data and a CloudTrail record of each decryption.
//!
//! **Resource type:** `AWS::S3::Bucket`.
//! **Trigger:** configuration change. Config records the setting in
//! `supplementaryConfiguration.ServerSideEncryptionConfiguration`.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireKms` | boolean | `false` | the default must be SSE-KMS (`aws:kms` or `aws:kms:dsse`), not SSE-S3 (`AES256`) |
//! | `kmsKeyArns` | comma list | empty | allowed KMS keys (ARNs or key ids); empty accepts any key |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | a default encryption rule (SSE-S3 or SSE-KMS) | COMPLIANT |
//! | no default encryption rule | NON_COMPLIANT |
//! | with `requireKms`, SSE-S3 | NON_COMPLIANT |
//! | with `kmsKeyArns`, a key not listed, or the AWS managed key (no key id) | NON_COMPLIANT |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! Since January 2023 S3 applies SSE-S3 to new buckets, so Config normally records a rule; an
//! item without one is an old bucket whose encryption was removed, or a record to look into.
//!
//! **Remediation.** `aws s3api put-bucket-encryption --bucket NAME
//! --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":
//! {"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}'`.
//! The SAM template's optional remediation (`remediation.yaml`) sets SSE-KMS with the first
//! listed key, SSE-KMS with the AWS managed key under `requireKms`, or SSE-S3; it runs
//! automatically only with its own opt-in, as writers without use of the key would fail.
//!
//! **References.** Amazon S3 user guide, "Setting default server-side encryption behavior for
//! Amazon S3 buckets"; AWS Config managed rules `s3-bucket-server-side-encryption-enabled` and
//! `s3-default-encryption-kms`.

use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "s3-bucket-encryption-enabled",
    summary: "S3 buckets encrypt new objects by default (optionally with an allowed KMS key).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::S3::Bucket"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::boolean("requireKms", false, "The default must be SSE-KMS, not SSE-S3."),
        ParamSpec::list(
            "kmsKeyArns",
            "Allowed KMS keys (ARNs or key ids); empty accepts any key.",
        ),
    ],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[
            ("BucketName", RemediationValue::ResourceId),
            ("RequireKms", RemediationValue::RuleParameter("requireKms")),
            (
                "KmsKeyId",
                // The first listed key, or `none` (Config takes no empty value).
                RemediationValue::StackValue(
                    "!If [S3BucketEncryptionEnabledKmsKeyArnsSet, !Select [0, !Split [\",\", !Ref S3BucketEncryptionEnabledKmsKeyArns]], none]",
                ),
            ),
        ],
        permissions: &[Permission::on("s3:PutEncryptionConfiguration", &[arn::S3_BUCKETS])],
        automatic_safe: false,
        summary: "sets the bucket's default encryption: SSE-KMS with the first key of kmsKeyArns, SSE-KMS with the AWS managed key when requireKms is set without keys, SSE-S3 otherwise (objects already stored are not re-encrypted)",
        safety: "with SSE-KMS, writers and readers without permission to use the key start failing, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `BucketEncryption`; a bucket without it gets SSE-S3, as S3 applies to every new bucket",
    reads_supplementary: &["ServerSideEncryptionConfiguration"],
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub require_kms: bool,
    pub kms_key_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_kms: values.boolean("requireKms")?,
            kms_key_arns: values.list("kmsKeyArns")?,
        })
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let bucket = item
        .config_str("name")
        .or(item.resource_name.as_deref())
        .unwrap_or(&item.resource_id);
    let sse = item.supplementary("ServerSideEncryptionConfiguration");
    let default = sse
        .as_ref()
        .and_then(|s| s.get("rules"))
        .and_then(Value::as_array)
        .and_then(|rules| rules.iter().find_map(|r| r.get("applyServerSideEncryptionByDefault")));
    let Some(default) = default else {
        return Verdict::non_compliant(format!("Bucket {bucket} has no default encryption."));
    };
    let algorithm = default.get("sseAlgorithm").and_then(Value::as_str).unwrap_or("AES256");
    let key = default
        .get("kmsMasterKeyID")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    let kms = algorithm.starts_with("aws:kms");
    if params.require_kms && !kms {
        return Verdict::non_compliant(format!(
            "Bucket {bucket} encrypts with {algorithm} (SSE-S3), not SSE-KMS."
        ));
    }
    if kms && !params.kms_key_arns.is_empty() {
        match key {
            None => {
                return Verdict::non_compliant(format!(
                    "Bucket {bucket} encrypts with the AWS managed key aws/s3, not one of kmsKeyArns."
                ))
            }
            Some(k) if !config_rules_core::kms::key_allowed(&params.kms_key_arns, k) => {
                return Verdict::non_compliant(format!(
                    "Bucket {bucket} encrypts with key {k}, which is not in kmsKeyArns."
                ))
            }
            Some(_) => {}
        }
    }
    Verdict::compliant(match key {
        Some(k) => format!("Bucket {bucket} encrypts new objects with {algorithm} using key {k}."),
        None => format!("Bucket {bucket} encrypts new objects with {algorithm}."),
    })
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    S3BucketEncryptionEnabled,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    S3BucketEncryptionEnabled
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234-abcd";

    fn bucket(sse: Option<Value>) -> ConfigurationItem {
        let sup = sse
            .map(|s| json!({"ServerSideEncryptionConfiguration": s}))
            .unwrap_or(json!({}));
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::S3::Bucket", "resourceId": "reports", "resourceName": "reports",
                    "configuration": {"name": "reports"}, "supplementaryConfiguration": sup}),
            "item",
        )
        .unwrap()
    }

    fn rule(alg: &str, key: Option<&str>) -> Option<Value> {
        let mut d = json!({"sseAlgorithm": alg});
        if let Some(k) = key {
            d["kmsMasterKeyID"] = json!(k);
        }
        Some(json!({"rules": [{"applyServerSideEncryptionByDefault": d, "bucketKeyEnabled": true}]}))
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let kms = Params {
            require_kms: true,
            kms_key_arns: vec![],
        };
        let only = |k: &str| Params {
            require_kms: true,
            kms_key_arns: vec![k.into()],
        };
        type Case<'a> = (&'a str, Option<Value>, Params, Compliance, String);
        let cases: Vec<Case> = vec![
            (
                "SSE-S3",
                rule("AES256", None),
                p.clone(),
                Compliant,
                "Bucket reports encrypts new objects with AES256.".into(),
            ),
            (
                "none",
                None,
                p.clone(),
                NonCompliant,
                "Bucket reports has no default encryption.".into(),
            ),
            (
                "no rules",
                Some(json!({"rules": []})),
                p.clone(),
                NonCompliant,
                "Bucket reports has no default encryption.".into(),
            ),
            (
                "SSE-S3 with requireKms",
                rule("AES256", None),
                kms.clone(),
                NonCompliant,
                "Bucket reports encrypts with AES256 (SSE-S3), not SSE-KMS.".into(),
            ),
            (
                "SSE-KMS",
                rule("aws:kms", Some(KEY)),
                kms.clone(),
                Compliant,
                format!("Bucket reports encrypts new objects with aws:kms using key {KEY}."),
            ),
            (
                "DSSE-KMS",
                rule("aws:kms:dsse", Some(KEY)),
                kms.clone(),
                Compliant,
                format!("Bucket reports encrypts new objects with aws:kms:dsse using key {KEY}."),
            ),
            (
                "allowed by id",
                rule("aws:kms", Some(KEY)),
                only("1234-abcd"),
                Compliant,
                format!("Bucket reports encrypts new objects with aws:kms using key {KEY}."),
            ),
            (
                "not allowed",
                rule("aws:kms", Some(KEY)),
                only("arn:aws:kms:us-east-1:123456789012:key/other"),
                NonCompliant,
                format!("Bucket reports encrypts with key {KEY}, which is not in kmsKeyArns."),
            ),
            (
                "AWS managed key with a list",
                rule("aws:kms", None),
                only(KEY),
                NonCompliant,
                "Bucket reports encrypts with the AWS managed key aws/s3, not one of kmsKeyArns.".into(),
            ),
            (
                "as a JSON string",
                Some(json!(rule("AES256", None).unwrap().to_string())),
                p.clone(),
                Compliant,
                "Bucket reports encrypts new objects with AES256.".into(),
            ),
        ];
        for (name, sse, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&bucket(sse), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }
}
