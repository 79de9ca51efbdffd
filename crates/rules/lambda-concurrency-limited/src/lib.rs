//! # lambda-concurrency-limited
//!
//! **Checks** that every Lambda function has reserved concurrency, optionally at or below a
//! maximum.
//!
//! **Why it matters.** Practice 3, *denial of service*, of the serverless security practices:
//! without reserved concurrency, one function flooded by requests (or by a runaway event
//! source) can take the whole account's concurrency, throttling every other function in the
//! region, and scale the bill with the attack. Reserved concurrency both caps the function and
//! guarantees it its share.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config records the setting in
//! `supplementaryConfiguration.Concurrency.reservedConcurrentExecutions`.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `maxReservedConcurrency` | integer 1–100000 | unset | the largest reserved concurrency allowed; unset accepts any |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | no reserved concurrency | NON_COMPLIANT |
//! | reserved concurrency at or below the maximum (or no maximum) | COMPLIANT |
//! | reserved concurrency 0 (the function is switched off) | COMPLIANT, saying so |
//! | reserved concurrency above `maxReservedConcurrency` | NON_COMPLIANT, with both numbers |
//! | `reservedConcurrentExecutions` as a float (`25.0`: the Config resource schema types it so) | read as the integer |
//! | `reservedConcurrentExecutions` present but not a number | NON_COMPLIANT, naming the field (never read as "no reserved concurrency") |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws lambda put-function-concurrency --function-name NAME
//! --reserved-concurrent-executions 50` (SAM: `ReservedConcurrentExecutions`), sized to the
//! function's expected peak.
//! The SAM template's optional remediation (`remediation.yaml`) reserves
//! `LambdaConcurrencyLimitedRemediationReservedConcurrency` (default 10); it runs automatically
//! only with its own opt-in, as a busier function would be throttled.
//!
//! **References.** AWS Lambda developer guide, "Configuring reserved concurrency"; AWS
//! Well-Architected Serverless Lens, REL 1; AWS Config managed rule
//! `lambda-concurrency-check`.

use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};

pub const META: RuleMeta = RuleMeta {
    id: "lambda-concurrency-limited",
    summary: "Lambda functions have reserved concurrency, at or below a maximum if one is set.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::optional_integer(
        "maxReservedConcurrency",
        1,
        100_000,
        "The largest reserved concurrency allowed; unset accepts any.",
    )],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[
            ("FunctionName", RemediationValue::ResourceId),
            (
                "ReservedConcurrency",
                RemediationValue::Setting {
                    name: "ReservedConcurrency",
                    default: "10",
                    description: "The reserved concurrency the fix gives a function (at most maxReservedConcurrency when that is set).",
                },
            ),
        ],
        permissions: &[
            Permission::on("lambda:PutFunctionConcurrency", &[arn::LAMBDA_FUNCTIONS]),
            Permission::on("lambda:GetFunctionConcurrency", &[arn::LAMBDA_FUNCTIONS]),
        ],
        automatic_safe: false,
        summary: "reserves the stack's ReservedConcurrency for the function",
        safety: "a function busier than the reserved value is throttled, and the reservation takes from the account's unreserved pool, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Low,
    practices: &[3],
    template_mode: "judges `ReservedConcurrentExecutions`; unknown when it comes from a value known only at deploy",
    reads_supplementary: &["Concurrency"],
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub max_reserved_concurrency: Option<i64>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            max_reserved_concurrency: values.optional_integer("maxReservedConcurrency")?,
        })
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let concurrency = item.supplementary("Concurrency");
    let reserved = match config_rules_core::item::read_integer(
        concurrency.as_ref().and_then(|c| c.get("reservedConcurrentExecutions")),
    ) {
        Ok(r) => r,
        Err(found) => {
            return Verdict::non_compliant(format!(
                "Function {name} cannot be checked: supplementaryConfiguration.Concurrency.reservedConcurrentExecutions is unreadable ({found})."
            ))
        }
    };
    match (reserved, params.max_reserved_concurrency) {
        (None, _) => Verdict::non_compliant(format!(
            "Function {name} has no reserved concurrency, so it can take the account's whole unreserved concurrency."
        )),
        (Some(0), _) => Verdict::compliant(format!("Function {name} has reserved concurrency 0: it cannot run.")),
        (Some(r), Some(max)) if r > max => Verdict::non_compliant(format!(
            "Function {name} has reserved concurrency {r}, above the maximum of {max}."
        )),
        (Some(r), Some(max)) => Verdict::compliant(format!(
            "Function {name} has reserved concurrency {r}, within the maximum of {max}."
        )),
        (Some(r), None) => Verdict::compliant(format!("Function {name} has reserved concurrency {r}.")),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    LambdaConcurrencyLimited,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaConcurrencyLimited
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::{json, Value};

    fn item(sup: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "api",
                    "configuration": {"functionName": "api"}, "supplementaryConfiguration": sup}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let any = Params::default();
        let max = |m| Params {
            max_reserved_concurrency: Some(m),
        };
        let cases: Vec<(&str, Value, Params, Compliance, &str)> =
            vec![
            ("none", json!({}), any, NonCompliant,
             "Function api has no reserved concurrency, so it can take the account's whole unreserved concurrency."),
            ("null", json!({"Concurrency": {"reservedConcurrentExecutions": null}}), max(10), NonCompliant,
             "Function api has no reserved concurrency, so it can take the account's whole unreserved concurrency."),
            ("set, no maximum", json!({"Concurrency": {"reservedConcurrentExecutions": 500}}), any, Compliant,
             "Function api has reserved concurrency 500."),
            ("as a JSON string", json!({"Concurrency": "{\"reservedConcurrentExecutions\":20}"}), max(20), Compliant,
             "Function api has reserved concurrency 20, within the maximum of 20."),
            ("above the maximum", json!({"Concurrency": {"reservedConcurrentExecutions": 21}}), max(20), NonCompliant,
             "Function api has reserved concurrency 21, above the maximum of 20."),
            ("zero", json!({"Concurrency": {"reservedConcurrentExecutions": 0}}), max(20), Compliant,
             "Function api has reserved concurrency 0: it cannot run."),
            // The AWS Config resource schema (awslabs/aws-config-resource-schema,
            // AWS::Lambda::Function) types reservedConcurrentExecutions as a float.
            ("a float, as the Config schema types it", json!({"Concurrency": {"reservedConcurrentExecutions": 25.0}}), max(100), Compliant,
             "Function api has reserved concurrency 25, within the maximum of 100."),
            ("present but unreadable is not absent", json!({"Concurrency": {"reservedConcurrentExecutions": "lots"}}), any, NonCompliant,
             "Function api cannot be checked: supplementaryConfiguration.Concurrency.reservedConcurrentExecutions is unreadable (the text \"lots\")."),
        ];
        for (name, sup, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&item(sup), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({})).unwrap(),
            Params {
                max_reserved_concurrency: None
            }
        );
        assert_eq!(
            parse(json!({"maxReservedConcurrency": ""})).unwrap(),
            Params {
                max_reserved_concurrency: None
            }
        );
        assert_eq!(
            parse(json!({"maxReservedConcurrency": "100"})).unwrap(),
            Params {
                max_reserved_concurrency: Some(100)
            }
        );
        for bad in ["0", "x", "100001"] {
            assert!(
                matches!(
                    parse(json!({"maxReservedConcurrency": bad})),
                    Err(Error::InvalidParameters { .. })
                ),
                "{bad}"
            );
        }
    }
}
