//! # lambda-env-encrypted-with-cmk
//!
//! **Checks** that a Lambda function with environment variables encrypts them with a
//! customer managed KMS key (optionally one of an allowed list).
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, of the serverless security
//! practices: environment variables often carry connection strings, API tokens and feature
//! secrets. Lambda always encrypts them at rest, but with the AWS managed key anyone who may
//! read the function's configuration can read them. A customer managed key puts decryption
//! behind its own key policy, audited in CloudTrail, and lets you revoke it.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config records the key as `kmskeyArn` (sic); the API's
//! `kmsKeyArn` is read too.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `kmsKeyArns` | comma list | empty | allowed key ARNs (or key ids); empty accepts any customer managed key |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | no environment variables | NOT_APPLICABLE |
//! | variables and no `kmskeyArn` (the AWS managed key) | NON_COMPLIANT |
//! | variables and a customer managed key, allowed or no list given | COMPLIANT |
//! | variables and a key not in `kmsKeyArns` | NON_COMPLIANT, naming the key |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! The annotation counts the variables but never names or shows them.
//!
//! **Remediation.** Create a customer managed key whose policy allows the function's role to
//! `kms:Decrypt`, then `aws lambda update-function-configuration --function-name NAME
//! --kms-key-arn KEY_ARN` (SAM: `KmsKeyArn`). Better still, move secrets to Secrets Manager or
//! Parameter Store and keep only their names in variables.
//!
//! **References.** AWS Lambda developer guide, "Securing Lambda environment variables";
//! AWS Config managed rule `lambda-function-settings-check`; Security Hub control Lambda.3.

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-env-encrypted-with-cmk",
    summary: "Lambda environment variables are encrypted with a customer managed KMS key.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::list(
        "kmsKeyArns",
        "Allowed KMS key ARNs or key ids; empty accepts any customer managed key.",
    )],
    item_calls_aws: false,
    timeout_seconds: 10,
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `KmsKeyArn` and `Environment`; a key of the same template counts as customer managed; an imported key is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub kms_key_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            kms_key_arns: values.list("kmsKeyArns")?,
        })
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let count = item
        .configuration
        .get("environment")
        .and_then(|e| e.get("variables"))
        .and_then(Value::as_object)
        .map_or(0, |v| v.len());
    if count == 0 {
        return Verdict::not_applicable(format!("Function {name} has no environment variables."));
    }
    let vars = if count == 1 {
        "1 environment variable".to_string()
    } else {
        format!("{count} environment variables")
    };
    let key = item
        .config_str("kmskeyArn")
        .or_else(|| item.config_str("kmsKeyArn"))
        .filter(|k| !k.is_empty());
    match key {
        None => Verdict::non_compliant(format!(
            "Function {name} has {vars} encrypted only with the AWS managed key (no kmsKeyArn)."
        )),
        Some(k) if !params.kms_key_arns.is_empty() && !config_rules_core::kms::key_allowed(&params.kms_key_arns, k) => {
            Verdict::non_compliant(format!(
                "Function {name} encrypts its {vars} with key {k}, which is not in kmsKeyArns."
            ))
        }
        Some(k) => Verdict::compliant(format!(
            "Function {name} encrypts its {vars} with customer managed key {k}."
        )),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    LambdaEnvEncryptedWithCmk,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaEnvEncryptedWithCmk
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";

    fn item(config: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "api", "configuration": config}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let any = Params::default();
        let only = |k: &str| Params {
            kms_key_arns: vec![k.into()],
        };
        let vars = json!({"variables": {"DB_URL": "secret", "MODE": "prod"}});
        let cases: Vec<(&str, Value, Params, Compliance, String)> = vec![
            (
                "no environment",
                json!({"functionName": "api"}),
                any.clone(),
                NotApplicable,
                "Function api has no environment variables.".into(),
            ),
            (
                "empty variables",
                json!({"functionName": "api", "environment": {"variables": {}}}),
                any.clone(),
                NotApplicable,
                "Function api has no environment variables.".into(),
            ),
            (
                "AWS managed key",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": null}),
                any.clone(),
                NonCompliant,
                "Function api has 2 environment variables encrypted only with the AWS managed key (no kmsKeyArn)."
                    .into(),
            ),
            (
                "empty key",
                json!({"functionName": "api", "environment": {"variables": {"A": "1"}}, "kmskeyArn": ""}),
                any.clone(),
                NonCompliant,
                "Function api has 1 environment variable encrypted only with the AWS managed key (no kmsKeyArn)."
                    .into(),
            ),
            (
                "Config spelling",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                any.clone(),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "API spelling",
                json!({"functionName": "api", "environment": vars, "kmsKeyArn": KEY}),
                any.clone(),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "allowed by ARN",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only(KEY),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "allowed by key id",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only("1111-2222"),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "not allowed",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only("other"),
                NonCompliant,
                format!(
                    "Function api encrypts its 2 environment variables with key {KEY}, which is not in kmsKeyArns."
                ),
            ),
        ];
        for (name, config, params, compliance, annotation) in cases {
            let v = evaluate(&item(config), &params);
            assert_eq!(v, Verdict::new(compliance, annotation), "case: {name}");
            assert!(
                !v.annotation.contains("secret") && !v.annotation.contains("DB_URL"),
                "never show variables"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"kmsKeyArns": "a,b"})).unwrap(),
            Params {
                kms_key_arns: vec!["a".into(), "b".into()]
            }
        );
        assert!(matches!(
            parse(json!({"kmsKeyArn": "a"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
