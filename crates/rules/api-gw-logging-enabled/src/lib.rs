//! # api-gw-logging-enabled
//!
//! **Checks** that API Gateway stages log: REST API stages write execution logs at the required
//! level and access logs to a destination; HTTP and WebSocket API stages write access logs.
//!
//! **Why it matters.** Practice 5, *configuration, monitoring and logging*, of the serverless
//! security practices: the API is the front door of a serverless application. Without access
//! logs there is no record of who called which route from where; without execution logs,
//! authorizer failures and integration errors leave no trace to investigate an incident with.
//!
//! **Resource types:** `AWS::ApiGateway::Stage` (REST), `AWS::ApiGatewayV2::Stage` (HTTP and
//! WebSocket).
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `loggingLevel` | `ERROR` or `INFO` | `ERROR` | the least REST execution logging accepted (`ERROR` accepts `ERROR` and `INFO`) |
//! | `requireAccessLogs` | boolean | `true` | an access log destination (`accessLogSettings.destinationArn`) is required |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | REST: `*/*` `loggingLevel` at or above the level, and an access log destination | COMPLIANT |
//! | REST: execution logging `OFF` or missing, or below `loggingLevel` | NON_COMPLIANT |
//! | REST or HTTP: no access log destination, with `requireAccessLogs` | NON_COMPLIANT |
//! | HTTP/WebSocket: an access log destination | COMPLIANT |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** REST: `aws apigateway update-stage --rest-api-id ID --stage-name NAME
//! --patch-operations op=replace,path=/*/*/logging/loglevel,value=ERROR
//! op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN` (the account needs an
//! API Gateway CloudWatch role). HTTP: `aws apigatewayv2 update-stage --api-id ID --stage-name
//! NAME --access-log-settings DestinationArn=LOG_GROUP_ARN,Format=...`.
//! The SAM template's optional remediation (`remediation.yaml`) does this with the stack's
//! `ApiAccessLogGroup`, keeps any destination or higher level already set, and fails, saying so,
//! for a REST stage in an account without API Gateway's CloudWatch role.
//!
//! **References.** API Gateway developer guide, "Set up CloudWatch logging for REST APIs" and
//! "Configuring logging for HTTP APIs"; AWS Config managed rule `api-gw-execution-logging-enabled`.

use config_rules_core::apigw::STAGE_DEFAULT_KEY;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "api-gw-logging-enabled",
    summary: "API Gateway stages write execution logs (REST) and access logs.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::one_of(
            "loggingLevel",
            &["ERROR", "INFO"],
            "ERROR",
            "The least REST execution logging accepted.",
        ),
        ParamSpec::boolean("requireAccessLogs", true, "An access log destination is required."),
    ],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[
            ("StageArn", RemediationValue::ResourceId),
            ("LogGroupArn", RemediationValue::StackValue("!GetAtt ApiAccessLogGroup.Arn")),
            ("LoggingLevel", RemediationValue::RuleParameter("loggingLevel")),
        ],
        permissions: &[
            Permission::on("apigateway:GET", &[arn::REST_API_STAGES, arn::HTTP_API_STAGES, arn::APIGATEWAY_ACCOUNT]),
            Permission::on("apigateway:PATCH", &[arn::REST_API_STAGES, arn::HTTP_API_STAGES]),
            // API Gateway's documented prerequisites for turning on access logs (it sets up the
            // log delivery as the caller): "Configuring logging for an HTTP API".
            Permission::on("logs:DescribeLogGroups", &[arn::LOG_GROUPS]),
            Permission::any("logs:CreateLogDelivery"),
            Permission::any("logs:GetLogDelivery"),
            Permission::any("logs:UpdateLogDelivery"),
            Permission::any("logs:ListLogDeliveries"),
            Permission::any("logs:PutResourcePolicy"),
            Permission::any("logs:DescribeResourcePolicies"),
        ],
        automatic_safe: true,
        summary: "turns on execution logging at loggingLevel (REST) and access logs to the stack's log group where a stage has none; a REST stage in an account without API Gateway's CloudWatch role fails, saying so",
        safety: "adds logs only (request metadata, never bodies); what was already logged, and where, is kept",
    }),
    severity: Severity::Medium,
    practices: &[5],
    template_mode: "judges `MethodSettings` logging levels and access log settings of REST and HTTP API stages (SAM's included)",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// `ERROR` or `INFO`.
    pub logging_level: String,
    pub require_access_logs: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            logging_level: "ERROR".to_string(),
            require_access_logs: true,
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            logging_level: values.word("loggingLevel")?.to_string(),
            require_access_logs: values.boolean("requireAccessLogs")?,
        })
    }
}

/// A field by name, whatever its case (Config records V2 stages in either style).
fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn rank(level: &str) -> u8 {
    match level.to_ascii_uppercase().as_str() {
        "INFO" => 2,
        "ERROR" => 1,
        _ => 0,
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let c = &item.configuration;
    let stage = field(c, "stageName")
        .and_then(Value::as_str)
        .unwrap_or(&item.resource_id);
    let mut problems = Vec::new();
    if item.resource_type == "AWS::ApiGateway::Stage" {
        let level = field(c, "methodSettings")
            .and_then(|m| m.get(STAGE_DEFAULT_KEY))
            .and_then(|d| field(d, "loggingLevel"))
            .and_then(Value::as_str)
            .unwrap_or("OFF");
        if rank(level) < rank(&params.logging_level) {
            problems.push(format!("execution logging is {level}, below {}", params.logging_level));
        }
    }
    let destination = field(c, "accessLogSettings")
        .and_then(|a| field(a, "destinationArn"))
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty());
    if params.require_access_logs && destination.is_none() {
        problems.push("no access log destination".to_string());
    }
    if !problems.is_empty() {
        return Verdict::non_compliant(format!("Stage {stage}: {}.", problems.join("; ")));
    }
    Verdict::compliant(match destination {
        Some(d) => format!("Stage {stage} logs, with access logs to {d}."),
        None => format!("Stage {stage} logs as required."),
    })
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    ApiGwLoggingEnabled,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwLoggingEnabled
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const LOGS: &str = "arn:aws:logs:us-east-1:123456789012:log-group:api-access";

    fn item(t: &str, config: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": t, "resourceId": "s", "configuration": config}),
            "item",
        )
        .unwrap()
    }

    fn rest(level: Option<&str>, dest: Option<&str>) -> ConfigurationItem {
        let mut c = json!({"stageName": "prod", "methodSettings": {}});
        if let Some(l) = level {
            c["methodSettings"]["*/*"] = json!({"loggingLevel": l, "metricsEnabled": false});
        }
        if let Some(d) = dest {
            c["accessLogSettings"] = json!({"destinationArn": d, "format": "$context.requestId"});
        }
        item("AWS::ApiGateway::Stage", c)
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let info = Params {
            logging_level: "INFO".into(),
            require_access_logs: true,
        };
        let no_access = Params {
            logging_level: "ERROR".into(),
            require_access_logs: false,
        };
        type Case<'a> = (&'a str, ConfigurationItem, Params, Compliance, String);
        let cases: Vec<Case> = vec![
            (
                "REST, ERROR and access logs",
                rest(Some("ERROR"), Some(LOGS)),
                p.clone(),
                Compliant,
                format!("Stage prod logs, with access logs to {LOGS}."),
            ),
            (
                "REST, INFO accepted for ERROR",
                rest(Some("INFO"), Some(LOGS)),
                p.clone(),
                Compliant,
                format!("Stage prod logs, with access logs to {LOGS}."),
            ),
            (
                "REST, ERROR below INFO",
                rest(Some("ERROR"), Some(LOGS)),
                info,
                NonCompliant,
                "Stage prod: execution logging is ERROR, below INFO.".into(),
            ),
            (
                "REST, OFF",
                rest(Some("OFF"), Some(LOGS)),
                p.clone(),
                NonCompliant,
                "Stage prod: execution logging is OFF, below ERROR.".into(),
            ),
            (
                "REST, nothing",
                rest(None, None),
                p.clone(),
                NonCompliant,
                "Stage prod: execution logging is OFF, below ERROR; no access log destination.".into(),
            ),
            (
                "REST, access logs not required",
                rest(Some("ERROR"), None),
                no_access.clone(),
                Compliant,
                "Stage prod logs as required.".into(),
            ),
            (
                "HTTP, access logs",
                item(
                    "AWS::ApiGatewayV2::Stage",
                    json!({"stageName": "$default", "apiId": "h1",
                "accessLogSettings": {"destinationArn": LOGS, "format": "$context.requestId"}}),
                ),
                p.clone(),
                Compliant,
                format!("Stage $default logs, with access logs to {LOGS}."),
            ),
            (
                "HTTP, PascalCase fields",
                item(
                    "AWS::ApiGatewayV2::Stage",
                    json!({"StageName": "live",
                "AccessLogSettings": {"DestinationArn": LOGS}}),
                ),
                p.clone(),
                Compliant,
                format!("Stage live logs, with access logs to {LOGS}."),
            ),
            (
                "HTTP, none",
                item("AWS::ApiGatewayV2::Stage", json!({"stageName": "$default"})),
                p.clone(),
                NonCompliant,
                "Stage $default: no access log destination.".into(),
            ),
        ];
        for (name, it, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&it, &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"loggingLevel": "INFO", "requireAccessLogs": "false"})).unwrap(),
            Params {
                logging_level: "INFO".into(),
                require_access_logs: false
            }
        );
        assert!(matches!(
            parse(json!({"loggingLevel": "DEBUG"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
