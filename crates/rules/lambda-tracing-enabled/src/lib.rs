//! # lambda-tracing-enabled
//!
//! **Checks** that every Lambda function traces its invocations with AWS X-Ray active
//! tracing (`tracingConfig.mode` `Active`).
//!
//! **Why it matters.** Practice 5, *configuration, monitoring and logging*, of the serverless
//! security practices: a serverless request crosses many services (API, function, queue,
//! table); without end-to-end traces an investigation cannot follow an attacker's request, and
//! anomalies (an unusual downstream call, a sudden latency) stay invisible. With `PassThrough`
//! a function traces only requests a caller chose to trace, which an attacker does not.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! None.
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | `tracingConfig.mode` `Active` | COMPLIANT |
//! | `tracingConfig.mode` `PassThrough`, or no `tracingConfig` (Lambda's default is `PassThrough`) | NON_COMPLIANT |
//! | `tracingConfig.mode` present but not a string | NON_COMPLIANT, naming the field |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws lambda update-function-configuration --function-name NAME
//! --tracing-config Mode=Active`, or `TracingConfig: {Mode: Active}` in the function's
//! template (`Tracing: Active` for SAM, or in `Globals`); the execution role then needs
//! `xray:PutTraceSegments` and `xray:PutTelemetryRecords` (the AWS managed policy
//! `AWSXRayDaemonWriteAccess`). The SAM template's optional remediation (`remediation.yaml`) turns
//! active tracing on; it runs automatically only with its own opt-in.
//!
//! **References.** AWS Lambda developer guide, "Visualize Lambda function invocations using
//! AWS X-Ray"; Lambda API reference, `TracingConfig` (`Active` or `PassThrough`, default
//! `PassThrough`). The nearest AWS managed rule, `lambda-function-settings-check`, does not
//! check tracing; peers check the same (KICS and tfsec "Lambda functions without X-Ray
//! tracing"); this rule also reads an unreadable mode as a finding, never as absent.

use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamValues, Permission, Remediation, RemediationValue, Rule, RuleMeta,
    Severity, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-tracing-enabled",
    summary: "Lambda functions trace invocations with AWS X-Ray active tracing.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    parameters: &[],
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[("FunctionName", RemediationValue::ResourceId)],
        permissions: &[
            Permission::on("lambda:UpdateFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS]),
            Permission::on("lambda:GetFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS]),
        ],
        automatic_safe: false,
        summary: "turns on X-Ray active tracing (the function's role needs the X-Ray write permissions for traces to arrive)",
        safety: "reversible and invisible to callers, but X-Ray bills the traces and an update conflicts with a deployment in progress, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Low,
    practices: &[5],
    template_mode: "judges `TracingConfig.Mode` of `AWS::Lambda::Function` and SAM's `Tracing` (`Globals` included; Lambda's default `PassThrough` when absent); a mode from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// The rule has no parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params;

impl FromParams for Params {
    fn from_params(_values: &ParamValues) -> Result<Self, Error> {
        Ok(Params)
    }
}

/// The decision, as a pure function of the item.
pub fn evaluate(item: &ConfigurationItem, _params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let mode = item.configuration.get("tracingConfig").and_then(|t| t.get("mode"));
    match mode {
        Some(Value::String(m)) if m == "Active" => {
            Verdict::compliant(format!("Function {name} traces its invocations with X-Ray (Active)."))
        }
        Some(Value::String(m)) => Verdict::non_compliant(format!(
            "Function {name} has X-Ray tracing {}: requests are traced only when the caller asks.",
            config_rules_core::bounded(m, 32)
        )),
        None | Some(Value::Null) => Verdict::non_compliant(format!(
            "Function {name} has no tracing configuration (Lambda's default PassThrough): requests are traced only when the caller asks."
        )),
        Some(_) => Verdict::non_compliant(format!(
            "Function {name}: configuration.tracingConfig.mode is not a tracing mode; active tracing cannot be confirmed."
        )),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    LambdaTracingEnabled,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaTracingEnabled
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    /// Items in the shape of AWS's sample Lambda item (aws-config-rdk
    /// `rdk/template/example_ci/AWS_Lambda_Function.json`: `tracingConfig.mode`).
    #[test]
    fn fixture_cases() {
        let cases: &[(&str, serde_json::Value, Compliance, &str)] = &[
            ("active", json!({"functionName": "orders", "tracingConfig": {"mode": "Active"}}), Compliant,
             "Function orders traces its invocations with X-Ray (Active)."),
            ("pass through", json!({"functionName": "orders", "tracingConfig": {"mode": "PassThrough"}}), NonCompliant,
             "Function orders has X-Ray tracing PassThrough: requests are traced only when the caller asks."),
            ("absent", json!({"functionName": "orders"}), NonCompliant,
             "Function orders has no tracing configuration (Lambda's default PassThrough): requests are traced only when the caller asks."),
            ("null mode", json!({"functionName": "orders", "tracingConfig": {"mode": null}}), NonCompliant,
             "Function orders has no tracing configuration (Lambda's default PassThrough): requests are traced only when the caller asks."),
            ("unreadable", json!({"functionName": "orders", "tracingConfig": {"mode": 1}}), NonCompliant,
             "Function orders: configuration.tracingConfig.mode is not a tracing mode; active tracing cannot be confirmed."),
        ];
        for (name, config, compliance, annotation) in cases {
            let item = ConfigurationItem::from_notification_json(
                &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "orders", "configuration": config}),
                "item",
            )
            .unwrap();
            assert_eq!(
                evaluate(&item, &Params),
                Verdict::new(*compliance, *annotation),
                "case: {name}"
            );
        }
    }
}
