//! # sqs-queue-encrypted
//!
//! **Checks** that every SQS queue encrypts its messages at rest, with SQS-owned keys
//! (SSE-SQS) or a KMS key (SSE-KMS), and optionally with a customer managed key (of an allowed
//! list).
//!
//! **Why it matters.** Practice 7, *data encryption and integrity*, of the serverless security
//! practices: queues carry a serverless application's events (orders, uploads, the failed
//! events a dead-letter queue keeps) for up to 14 days. Unencrypted, they are readable on
//! disk; with the AWS managed key `alias/aws/sqs`, anyone allowed `sqs:ReceiveMessage` reads
//! them. A customer managed key puts every read behind its own key policy, audited in
//! CloudTrail, and revocable.
//!
//! **Resource type:** `AWS::SQS::Queue`.
//! **Trigger:** configuration change. Config records the queue's attributes
//! (`configuration.KmsMasterKeyId`, `configuration.SqsManagedSseEnabled`, the AWS Config
//! resource schema's `AWS::SQS::Queue` properties).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireCustomerManagedKey` | boolean | `false` | SSE-SQS and the AWS managed key `alias/aws/sqs` fail; a customer managed KMS key passes |
//! | `kmsKeyArns` | comma list | empty | when set, the queue's key must be one of these (ARNs, key ids or aliases) |
//!
//! **Scenarios**
//!
//! | queue | result |
//! |---|---|
//! | `KmsMasterKeyId` set (and, with the parameters, customer managed and listed) | COMPLIANT |
//! | `SqsManagedSseEnabled` `true`, no parameter set | COMPLIANT |
//! | neither (queues created before SSE-SQS became the default in 2022, or with it turned off) | NON_COMPLIANT |
//! | SSE-SQS or `alias/aws/sqs` with `requireCustomerManagedKey` (or a `kmsKeyArns` list) | NON_COMPLIANT |
//! | a key not in `kmsKeyArns` | NON_COMPLIANT, naming the key |
//! | either attribute present but unreadable | NON_COMPLIANT, naming the field |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws sqs set-queue-attributes --queue-url URL --attributes
//! KmsMasterKeyId=KEY_ARN` (the key policy must let the producers use `kms:GenerateDataKey`
//! and the consumers `kms:Decrypt`, including services such as SNS and EventBridge that send to
//! the queue), or `SqsManagedSseEnabled=true`; in a template, `KmsMasterKeyId` or
//! `SqsManagedSseEnabled` of `AWS::SQS::Queue`. The SAM template's optional remediation
//! (`remediation.yaml`) turns SSE-SQS on for an unencrypted queue; being transparent to
//! producers and consumers, it is safe to run automatically.
//!
//! A key given by ARN or id is taken for a customer managed key (an AWS managed key is named by
//! its alias, `alias/aws/sqs`); telling them apart by ARN would need `kms:DescribeKey`.
//!
//! **References.** Amazon SQS developer guide, "Encryption at rest" (SSE-SQS the default for new
//! queues since October 2022). The nearest check, Security Hub control SQS.1 ("Amazon SQS
//! queues should be encrypted at rest"), accepts SSE-SQS, as Prowler's
//! `sqs_queues_server_side_encryption_enabled` does; this rule can also require a customer
//! managed key or one of an allowed list, and reads an unreadable attribute as a finding, never
//! as "not encrypted" or "encrypted".

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue, Rule,
    RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "sqs-queue-encrypted",
    summary: "SQS queues encrypt messages at rest (optionally with a customer managed KMS key).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::SQS::Queue"],
    trigger: Trigger::Change,
    parameters: &[
        ParamSpec::boolean(
            "requireCustomerManagedKey",
            false,
            "Only a customer managed KMS key passes (not SSE-SQS, not alias/aws/sqs).",
        ),
        ParamSpec::list(
            "kmsKeyArns",
            "Allowed KMS keys (ARNs, key ids or aliases); empty accepts any key.",
        ),
    ],
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[("QueueUrl", RemediationValue::ResourceId)],
        permissions: &[
            Permission::on("sqs:SetQueueAttributes", &[SQS_QUEUES]),
            Permission::on("sqs:GetQueueAttributes", &[SQS_QUEUES]),
        ],
        automatic_safe: true,
        summary: "turns on SSE-SQS for a queue without encryption (a customer managed key, when required, is a key policy decision it leaves to you)",
        safety: "SSE-SQS is transparent to producers and consumers, costs nothing and can be turned off again; a queue with a KMS key is not touched",
    }),
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `KmsMasterKeyId` and `SqsManagedSseEnabled` of `AWS::SQS::Queue` (SSE-SQS when neither is set, SQS's default); a key from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Every SQS queue of the region and account.
const SQS_QUEUES: &str = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*";

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub require_customer_managed_key: bool,
    pub kms_key_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_customer_managed_key: values.boolean("requireCustomerManagedKey")?,
            kms_key_arns: values.list("kmsKeyArns")?,
        })
    }
}

/// A boolean attribute as SQS reports it (`"true"`/`"false"`, or a JSON boolean); `Err` for
/// anything else that is present.
fn flag(v: Option<&Value>) -> Result<bool, ()> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s.is_empty() => Ok(false),
        Some(_) => Err(()),
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item
        .config_str("QueueName")
        .or(item.resource_name.as_deref())
        .unwrap_or(&item.resource_id);
    let key = match item.configuration.get("KmsMasterKeyId") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k.as_str()).filter(|k| !k.is_empty()),
        Some(_) => {
            return Verdict::non_compliant(format!(
                "Queue {name}: configuration.KmsMasterKeyId is not a key reference; its encryption cannot be confirmed."
            ))
        }
    };
    let Ok(sse_sqs) = flag(item.configuration.get("SqsManagedSseEnabled")) else {
        return Verdict::non_compliant(format!(
            "Queue {name}: configuration.SqsManagedSseEnabled is not true or false; its encryption cannot be confirmed."
        ));
    };
    match key {
        Some(k) => config_rules_core::kms::judge_key(
            &format!("Queue {name}"),
            k,
            "SSE-KMS",
            params.require_customer_managed_key,
            &params.kms_key_arns,
        ),
        None if sse_sqs && (params.require_customer_managed_key || !params.kms_key_arns.is_empty()) => {
            Verdict::non_compliant(format!(
                "Queue {name} is encrypted with SQS-owned keys (SSE-SQS), not a customer managed KMS key."
            ))
        }
        None if sse_sqs => Verdict::compliant(format!("Queue {name} encrypts messages with SQS-owned keys (SSE-SQS).")),
        None => Verdict::non_compliant(format!(
            "Queue {name} stores messages unencrypted: no SSE-SQS and no KMS key."
        )),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    SqsQueueEncrypted,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    SqsQueueEncrypted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// Items with the attributes the AWS Config resource schema lists for `AWS::SQS::Queue`
    /// (`configuration.QueueName`, `KmsMasterKeyId`, `SqsManagedSseEnabled` as a string).
    fn queue(attributes: Value) -> ConfigurationItem {
        let mut configuration = json!({"QueueName": "orders", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders",
                                       "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"});
        if let (Some(c), Value::Object(a)) = (configuration.as_object_mut(), attributes) {
            c.extend(a);
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::SQS::Queue", "resourceId": "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
                    "resourceName": "orders", "configuration": configuration}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let cmk = Params {
            require_customer_managed_key: true,
            kms_key_arns: vec![],
        };
        let listed = Params {
            require_customer_managed_key: false,
            kms_key_arns: vec!["1234abcd-12ab-34cd-56ef-1234567890ab".into()],
        };
        type Case<'a> = (&'a str, Value, &'a Params, Compliance, String);
        let cases: Vec<Case> = vec![
            ("sse-sqs", json!({"SqsManagedSseEnabled": "true"}), &p, Compliant,
             "Queue orders encrypts messages with SQS-owned keys (SSE-SQS).".into()),
            ("sse-sqs as a boolean", json!({"SqsManagedSseEnabled": true}), &p, Compliant,
             "Queue orders encrypts messages with SQS-owned keys (SSE-SQS).".into()),
            ("unencrypted", json!({"SqsManagedSseEnabled": "false"}), &p, NonCompliant,
             "Queue orders stores messages unencrypted: no SSE-SQS and no KMS key.".into()),
            ("old item without the attribute", json!({}), &p, NonCompliant,
             "Queue orders stores messages unencrypted: no SSE-SQS and no KMS key.".into()),
            ("customer managed key", json!({"KmsMasterKeyId": KEY, "KmsDataKeyReusePeriodSeconds": 300}), &cmk, Compliant,
             format!("Queue orders encrypts with KMS key {KEY} (SSE-KMS).")),
            ("aws managed key", json!({"KmsMasterKeyId": "alias/aws/sqs"}), &p, Compliant,
             "Queue orders encrypts with the AWS managed KMS key alias/aws/sqs (SSE-KMS).".into()),
            ("aws managed key, cmk required", json!({"KmsMasterKeyId": "alias/aws/sqs"}), &cmk, NonCompliant,
             "Queue orders encrypts with the AWS managed KMS key alias/aws/sqs, not a customer managed key.".into()),
            ("sse-sqs, cmk required", json!({"SqsManagedSseEnabled": "true"}), &cmk, NonCompliant,
             "Queue orders is encrypted with SQS-owned keys (SSE-SQS), not a customer managed KMS key.".into()),
            ("listed by key id", json!({"KmsMasterKeyId": KEY}), &listed, Compliant,
             format!("Queue orders encrypts with KMS key {KEY} (SSE-KMS).")),
            ("not listed", json!({"KmsMasterKeyId": "alias/orders"}), &listed, NonCompliant,
             "Queue orders encrypts with KMS key alias/orders, which is not in kmsKeyArns.".into()),
            ("unreadable flag", json!({"SqsManagedSseEnabled": "yes"}), &p, NonCompliant,
             "Queue orders: configuration.SqsManagedSseEnabled is not true or false; its encryption cannot be confirmed.".into()),
            ("unreadable key", json!({"KmsMasterKeyId": 7}), &p, NonCompliant,
             "Queue orders: configuration.KmsMasterKeyId is not a key reference; its encryption cannot be confirmed.".into()),
        ];
        for (name, attributes, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&queue(attributes), params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"requireCustomerManagedKey": "true", "kmsKeyArns": "a,b"})).unwrap(),
            Params {
                require_customer_managed_key: true,
                kms_key_arns: vec!["a".into(), "b".into()]
            }
        );
        assert!(matches!(
            parse(json!({"requireCustomerManagedKey": "maybe"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
