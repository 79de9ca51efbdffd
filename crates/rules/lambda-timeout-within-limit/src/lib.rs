//! # lambda-timeout-within-limit
//!
//! **Checks** that every Lambda function's timeout is at or below a limit.
//!
//! **Why it matters.** A long timeout is a denial-of-service and denial-of-wallet lever
//! (practice 3, *DoS*, of the serverless security practices): a function that hangs on a slow
//! dependency, or that an attacker keeps busy, is billed for every second up to its timeout
//! and holds a unit of concurrency all that time. Functions behind synchronous APIs rarely
//! need more than a few seconds; a tight timeout makes failures fast and cheap.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `maxTimeoutSeconds` | integer 1–900 | `60` | the longest timeout allowed |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | `timeout` ≤ `maxTimeoutSeconds` | COMPLIANT |
//! | `timeout` > `maxTimeoutSeconds` | NON_COMPLIANT, annotation names both numbers |
//! | no `timeout` in the item | COMPLIANT with Lambda's default of 3 seconds |
//! | `timeout` present but not a whole number (`30.0` reads as 30) | NON_COMPLIANT, naming the field |
//! | function deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Lower the timeout to what the function needs:
//! `aws lambda update-function-configuration --function-name NAME --timeout 30`, or set
//! `Timeout` in the function's template. The SAM template's optional remediation sets the
//! timeout to `maxTimeoutSeconds`.
//!
//! **References.** AWS Lambda developer guide, "Configure Lambda function timeout";
//! AWS Config managed rule `lambda-function-settings-check` (parameter `timeout`).

use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};

/// Lambda's timeout when none is set.
pub const LAMBDA_DEFAULT_TIMEOUT: i64 = 3;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-timeout-within-limit",
    summary: "Lambda function timeouts are at or below a limit (default 60 s).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::integer(
        "maxTimeoutSeconds",
        1,
        900,
        "60",
        "The longest timeout allowed, in seconds.",
    )],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[
            ("FunctionName", RemediationValue::ResourceId),
            ("Timeout", RemediationValue::RuleParameter("maxTimeoutSeconds")),
        ],
        permissions: &[
            Permission::on("lambda:UpdateFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS]),
            Permission::on("lambda:GetFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS]),
        ],
        automatic_safe: false,
        summary: "sets the function's timeout to maxTimeoutSeconds",
        safety: "a function that really needs longer then fails, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Low,
    practices: &[3],
    template_mode: "judges `Timeout` of `AWS::Lambda::Function` and `AWS::Serverless::Function` (SAM's `Globals` and default of 3 s included); a timeout from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub max_timeout_seconds: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_timeout_seconds: 60,
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            max_timeout_seconds: values.integer("maxTimeoutSeconds")?,
        })
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let timeout = match config_rules_core::item::read_integer(item.configuration.get("timeout")) {
        Ok(None) => LAMBDA_DEFAULT_TIMEOUT,
        Ok(Some(t)) => t,
        Err(found) => {
            return Verdict::non_compliant(format!(
                "Function {name} cannot be checked: configuration.timeout is unreadable ({found})."
            ))
        }
    };
    let limit = params.max_timeout_seconds;
    if timeout > limit {
        Verdict::non_compliant(format!(
            "Function {name} has a timeout of {timeout} seconds, above the limit of {limit} seconds."
        ))
    } else {
        Verdict::compliant(format!(
            "Function {name} has a timeout of {timeout} seconds, within the limit of {limit} seconds."
        ))
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    LambdaTimeoutWithinLimit,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaTimeoutWithinLimit
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::{json, Value};

    fn item(config: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "orders",
                    "configurationItemStatus": "OK", "configuration": config}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let cases: &[(&str, Value, i64, Compliance, &str)] = &[
            (
                "at the default limit",
                json!({"functionName": "orders", "timeout": 60}),
                60,
                Compliant,
                "Function orders has a timeout of 60 seconds, within the limit of 60 seconds.",
            ),
            (
                "one above",
                json!({"functionName": "orders", "timeout": 61}),
                60,
                NonCompliant,
                "Function orders has a timeout of 61 seconds, above the limit of 60 seconds.",
            ),
            (
                "the maximum",
                json!({"functionName": "orders", "timeout": 900}),
                60,
                NonCompliant,
                "Function orders has a timeout of 900 seconds, above the limit of 60 seconds.",
            ),
            (
                "custom limit",
                json!({"functionName": "orders", "timeout": 900}),
                900,
                Compliant,
                "Function orders has a timeout of 900 seconds, within the limit of 900 seconds.",
            ),
            (
                "unset timeout uses Lambda's default",
                json!({"functionName": "orders"}),
                1,
                NonCompliant,
                "Function orders has a timeout of 3 seconds, above the limit of 1 seconds.",
            ),
            (
                "name falls back to the resource id",
                json!({"timeout": 5}),
                60,
                Compliant,
                "Function orders has a timeout of 5 seconds, within the limit of 60 seconds.",
            ),
            (
                "unreadable timeout",
                json!({"functionName": "orders", "timeout": "soon"}),
                60,
                NonCompliant,
                "Function orders cannot be checked: configuration.timeout is unreadable (the text \"soon\").",
            ),
            (
                "an integral float reads as its integer",
                json!({"functionName": "orders", "timeout": 30.0}),
                60,
                Compliant,
                "Function orders has a timeout of 30 seconds, within the limit of 60 seconds.",
            ),
            (
                "a fraction is unreadable, not absent",
                json!({"functionName": "orders", "timeout": 2.5}),
                60,
                NonCompliant,
                "Function orders cannot be checked: configuration.timeout is unreadable (2.5 (not a whole number)).",
            ),
        ];
        for (name, config, limit, compliance, annotation) in cases {
            let v = evaluate(
                &item(config.clone()),
                &Params {
                    max_timeout_seconds: *limit,
                },
            );
            assert_eq!(v, Verdict::new(*compliance, *annotation), "case: {name}");
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({})).unwrap(),
            Params {
                max_timeout_seconds: 60
            }
        );
        assert_eq!(
            parse(json!({"maxTimeoutSeconds": "30"})).unwrap(),
            Params {
                max_timeout_seconds: 30
            }
        );
        for bad in ["abc", "0", "901", "-5", "1.5"] {
            let err = parse(json!({"maxTimeoutSeconds": bad})).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidParameters { key, .. } if key == "maxTimeoutSeconds"),
                "{bad}: {err}"
            );
        }
    }
}
