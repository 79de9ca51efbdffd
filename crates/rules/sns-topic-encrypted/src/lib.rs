//! # sns-topic-encrypted
//!
//! **Checks** that every SNS topic encrypts its messages at rest with a KMS key, and optionally
//! with a customer managed key (of an allowed list).
//!
//! **Why it matters.** Practice 7, *data encryption and integrity*, of the serverless security
//! practices: topics fan a serverless application's events out to queues, functions, e-mail
//! and HTTP endpoints, and SNS stores each message until every subscriber has it. SNS encrypts
//! nothing by default; with the AWS managed key `alias/aws/sns`, no key policy of yours stands
//! between a publisher and the data, and AWS services such as EventBridge and CloudWatch alarms
//! cannot publish to the topic at all. A customer managed key puts the data behind a key policy
//! you audit and can revoke.
//!
//! **Resource type:** `AWS::SNS::Topic`.
//! **Trigger:** configuration change. Config records the topic's attributes
//! (`configuration.KmsMasterKeyId`, the AWS Config resource schema's `AWS::SNS::Topic`
//! properties; AWS's sample item, aws-config-rdk `rdk/template/example_ci/AWS_SNS_Topic.json`,
//! shows an unencrypted topic: no `KmsMasterKeyId`).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireCustomerManagedKey` | boolean | `false` | the AWS managed key `alias/aws/sns` fails |
//! | `kmsKeyArns` | comma list | empty | when set, the topic's key must be one of these (ARNs, key ids or aliases) |
//!
//! **Scenarios**
//!
//! | topic | result |
//! |---|---|
//! | `KmsMasterKeyId` set (and, with the parameters, customer managed and listed) | COMPLIANT |
//! | no `KmsMasterKeyId` (SNS's default) | NON_COMPLIANT |
//! | `alias/aws/sns` with `requireCustomerManagedKey` | NON_COMPLIANT |
//! | a key not in `kmsKeyArns` | NON_COMPLIANT, naming the key |
//! | `KmsMasterKeyId` present but unreadable | NON_COMPLIANT, naming the field |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! A key given by ARN or id is taken for a customer managed key (an AWS managed key is named by
//! its alias); telling them apart by ARN would need `kms:DescribeKey`.
//!
//! **Remediation.** `aws sns set-topic-attributes --topic-arn ARN --attribute-name
//! KmsMasterKeyId --attribute-value KEY_ARN`, or `KmsMasterKeyId` of `AWS::SNS::Topic`. The
//! key policy must let the publishers use `kms:GenerateDataKey*` and `kms:Decrypt`; for AWS
//! services publishing to the topic (EventBridge, CloudWatch), the service principal, with
//! `kms:EncryptionContext:aws:sns:topicArn` naming the topic.
//!
//! **References.** Amazon SNS developer guide, "Encryption at rest" and "Configure AWS KMS
//! permissions for AWS services". The nearest AWS managed rule, `sns-encrypted-kms`, checks the
//! same with an optional key list (`kmsKeyIds`); Security Hub control SNS.1 and Prowler's
//! `sns_topics_kms_encryption_at_rest_enabled` accept any key. This rule can also require a
//! customer managed key, and reads an unreadable attribute as a finding, never as "no key".

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "sns-topic-encrypted",
    summary: "SNS topics encrypt messages at rest with a KMS key (optionally customer managed).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::SNS::Topic"],
    trigger: Trigger::Change,
    parameters: &[
        ParamSpec::boolean(
            "requireCustomerManagedKey",
            false,
            "Only a customer managed KMS key passes (not alias/aws/sns).",
        ),
        ParamSpec::list(
            "kmsKeyArns",
            "Allowed KMS keys (ARNs, key ids or aliases); empty accepts any key.",
        ),
    ],
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `KmsMasterKeyId` of `AWS::SNS::Topic`; a key from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

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

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    // Config's resourceId is the topic ARN; the name is its last field.
    let arn = item.config_str("TopicArn").unwrap_or(&item.resource_id);
    let name = arn.rsplit(':').next().filter(|n| !n.is_empty()).unwrap_or(arn);
    match item.configuration.get("KmsMasterKeyId") {
        None | Some(Value::Null) => Verdict::non_compliant(format!(
            "Topic {name} stores messages unencrypted: no KMS key (SNS does not encrypt by default)."
        )),
        Some(Value::String(k)) if k.is_empty() => Verdict::non_compliant(format!(
            "Topic {name} stores messages unencrypted: no KMS key (SNS does not encrypt by default)."
        )),
        Some(Value::String(k)) => config_rules_core::kms::judge_key(
            &format!("Topic {name}"),
            k,
            "SSE",
            params.require_customer_managed_key,
            &params.kms_key_arns,
        ),
        Some(_) => Verdict::non_compliant(format!(
            "Topic {name}: configuration.KmsMasterKeyId is not a key reference; its encryption cannot be confirmed."
        )),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    SnsTopicEncrypted,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    SnsTopicEncrypted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// Items in the shape of AWS's sample topic (aws-config-rdk
    /// `rdk/template/example_ci/AWS_SNS_Topic.json`: resourceId the topic ARN, configuration
    /// the topic's attributes: `TopicArn`, `Owner`, `Policy`, `DisplayName`), with
    /// `KmsMasterKeyId` as the AWS Config resource schema lists it.
    fn topic(key: Option<Value>) -> ConfigurationItem {
        let arn = "arn:aws:sns:us-east-1:123456789012:topic";
        let mut configuration = json!({"TopicArn": arn, "Owner": "123456789012", "DisplayName": "Open"});
        if let Some(k) = key {
            configuration["KmsMasterKeyId"] = k;
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::SNS::Topic", "resourceId": arn, "resourceName": "OpenTopic",
                    "configuration": configuration}),
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
            kms_key_arns: vec![KEY.into()],
        };
        type Case<'a> = (&'a str, Option<Value>, &'a Params, Compliance, String);
        let cases: Vec<Case> = vec![
            ("the sample: no key", None, &p, NonCompliant,
             "Topic topic stores messages unencrypted: no KMS key (SNS does not encrypt by default).".into()),
            ("empty key", Some(json!("")), &p, NonCompliant,
             "Topic topic stores messages unencrypted: no KMS key (SNS does not encrypt by default).".into()),
            ("a key", Some(json!(KEY)), &cmk, Compliant, format!("Topic topic encrypts with KMS key {KEY} (SSE).")),
            ("aws managed", Some(json!("alias/aws/sns")), &p, Compliant,
             "Topic topic encrypts with the AWS managed KMS key alias/aws/sns (SSE).".into()),
            ("aws managed by alias ARN, cmk required", Some(json!("arn:aws:kms:us-east-1:123456789012:alias/aws/sns")), &cmk, NonCompliant,
             "Topic topic encrypts with the AWS managed KMS key arn:aws:kms:us-east-1:123456789012:alias/aws/sns, not a customer managed key.".into()),
            ("listed by ARN, recorded by id", Some(json!("1234abcd-12ab-34cd-56ef-1234567890ab")), &listed, Compliant,
             "Topic topic encrypts with KMS key 1234abcd-12ab-34cd-56ef-1234567890ab (SSE).".into()),
            ("not listed", Some(json!("alias/other")), &listed, NonCompliant,
             "Topic topic encrypts with KMS key alias/other, which is not in kmsKeyArns.".into()),
            ("unreadable", Some(json!({"id": 1})), &p, NonCompliant,
             "Topic topic: configuration.KmsMasterKeyId is not a key reference; its encryption cannot be confirmed.".into()),
        ];
        for (name, key, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&topic(key), params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"kmsKeyArns": "alias/topics"})).unwrap(),
            Params {
                require_customer_managed_key: false,
                kms_key_arns: vec!["alias/topics".into()]
            }
        );
        assert!(matches!(
            parse(json!({"requireCustomerManagedKey": "2"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
