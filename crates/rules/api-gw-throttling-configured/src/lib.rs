//! # api-gw-throttling-configured
//!
//! **Checks** that an API Gateway stage (REST, HTTP or WebSocket API) sets a stage-wide
//! throttling rate and burst limit, both at or below a maximum, and that no per-method or
//! per-route override goes above the maximum.
//!
//! **Why it matters.** Practice 3, *denial of service*, of the serverless security practices:
//! without stage throttling, a stage accepts up to the account's regional limit (10,000
//! requests per second), and every request becomes a Lambda invocation, a database call and a
//! line on the bill. A limit sized to the API's real traffic turns a flood into `429`s before it
//! reaches the functions.
//!
//! **Resource types:** `AWS::ApiGateway::Stage` (stage-wide limits in `methodSettings."*/*"`,
//! overrides per method) and `AWS::ApiGatewayV2::Stage` (stage-wide limits in
//! `defaultRouteSettings`, overrides per route key in `routeSettings`; shapes from AWS's sample
//! items in aws-config-rdk, `rdk/template/example_ci/AWS_ApiGatewayV2_Stage.json`, and the
//! API Gateway V2 API reference, `RouteSettings`).
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `maxRateLimit` | integer 1–1000000 | `1000` | the highest steady-state rate (requests per second) allowed |
//! | `maxBurstLimit` | integer 1–1000000 | `2000` | the highest burst allowed |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | `*/*` (HTTP/WebSocket: `defaultRouteSettings`) sets rate and burst, both within the maximums, and no override exceeds them | COMPLIANT |
//! | no `*/*` entry (no `defaultRouteSettings`), or it lacks a rate or a burst limit | NON_COMPLIANT |
//! | the stage default's rate or burst above the maximum | NON_COMPLIANT, with the numbers |
//! | a per-method override (`~1pets/GET`, shown as `GET /pets`) or a route's (`routeSettings."GET /pets"`) above the maximum | NON_COMPLIANT, naming the method or route |
//! | a limit present but not a number | NON_COMPLIANT, naming the setting (never read as "no limit") |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws apigateway update-stage --rest-api-id ID --stage-name NAME
//! --patch-operations op=replace,path=/*/*/throttling/rateLimit,value=500
//! op=replace,path=/*/*/throttling/burstLimit,value=1000` (SAM: `MethodSettings` with
//! `ThrottlingRateLimit` and `ThrottlingBurstLimit`), and lower the overrides that exceed it.
//! For an HTTP API stage: `aws apigatewayv2 update-stage --api-id ID --stage-name NAME
//! --default-route-settings ThrottlingRateLimit=500,ThrottlingBurstLimit=1000` (SAM:
//! `DefaultRouteSettings` of `AWS::Serverless::HttpApi`). The SAM template's optional
//! remediation (`remediation.yaml`) does both, with the rule's maximums, for REST stages (the
//! default and every method override) and HTTP and WebSocket stages (the default route
//! settings and every route override; other route settings are sent back as they were); it
//! runs automatically only with its own opt-in, as real traffic above them would start getting
//! 429s.
//!
//! **References.** API Gateway developer guide, "Throttle requests to your REST APIs for better
//! throughput" and "Throttle requests to your HTTP APIs for better throughput"; AWS
//! Well-Architected Serverless Lens, REL 1. The nearest AWS managed rule,
//! `api-gw-execution-logging-enabled`, has no throttling sibling; Security Hub has no control
//! for it; Prowler has no check. This rule also holds overrides to the maximum, since one
//! unthrottled route is as open as an unthrottled stage.

use config_rules_core::apigw::{method_label, STAGE_DEFAULT_KEY};
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Permission, Remediation, RemediationValue,
    ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "api-gw-throttling-configured",
    summary: "API Gateway stages throttle requests at or below a maximum rate and burst.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::integer(
            "maxRateLimit",
            1,
            1_000_000,
            "1000",
            "The highest steady-state rate (requests per second) allowed.",
        ),
        ParamSpec::integer("maxBurstLimit", 1, 1_000_000, "2000", "The highest burst allowed."),
    ],
    item_calls_aws: false,
    timeout_seconds: 10,
    remediation: Some(Remediation {
        document: include_str!("../remediation.yaml"),
        parameters: &[
            ("StageArn", RemediationValue::ResourceId),
            ("RateLimit", RemediationValue::RuleParameter("maxRateLimit")),
            ("BurstLimit", RemediationValue::RuleParameter("maxBurstLimit")),
        ],
        permissions: &[
            Permission::on("apigateway:GET", &[arn::REST_API_STAGES, arn::HTTP_API_STAGES]),
            Permission::on("apigateway:PATCH", &[arn::REST_API_STAGES, arn::HTTP_API_STAGES]),
        ],
        automatic_safe: false,
        summary: "sets the stage's default rate and burst limits to maxRateLimit and maxBurstLimit where missing or higher, and lowers every method (REST) or route (HTTP, WebSocket) override above them",
        safety: "an API whose real traffic is above the limits starts answering 429, so it runs automatically only with its own opt-in",
    }),
    severity: Severity::Medium,
    practices: &[3],
    template_mode: "judges the throttling of `MethodSettings` (and a deployment's `StageDescription`), and of an HTTP or WebSocket stage's `DefaultRouteSettings` and `RouteSettings` (SAM's `HttpApi` included); the account-level default throttling is known only in AWS",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub max_rate: i64,
    pub max_burst: i64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_rate: 1000,
            max_burst: 2000,
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            max_rate: values.integer("maxRateLimit")?,
            max_burst: values.integer("maxBurstLimit")?,
        })
    }
}

/// A limit as set; API Gateway reports an unset method limit as -1. A value that is present
/// but not a number is an error naming the field (`field` is where the settings are), never
/// "no limit".
fn limit(settings: &Value, field: &str, key: &str) -> Result<Option<f64>, String> {
    config_rules_core::item::read_number(settings.get(key))
        .map(|v| v.filter(|v| *v >= 0.0))
        .map_err(|found| format!("{field}.{key} is unreadable ({found})"))
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let stage = item.config_str("stageName").unwrap_or(&item.resource_id);
    match problems(item, params) {
        Ok(problems) if problems.is_empty() => Verdict::compliant(format!(
            "Stage {stage} throttles within {} requests per second and a burst of {}.",
            params.max_rate, params.max_burst
        )),
        Ok(problems) => Verdict::non_compliant(format!("Stage {stage}: {}.", problems.join("; "))),
        Err(why) => Verdict::non_compliant(format!("Stage {stage} cannot be checked: {why}.")),
    }
}

/// Where a stage keeps its limits: the stage-wide settings and the overrides, each with the
/// label an annotation shows and the field an unreadable value is named by.
struct Layout<'a> {
    /// The stage-wide settings, or what to say when there are none.
    default: Result<(&'a Value, String), &'static str>,
    overrides: Vec<(String, String, &'a Value)>,
}

fn layout(item: &ConfigurationItem) -> Layout<'_> {
    let object = |key: &str| item.configuration.get(key).and_then(Value::as_object);
    if item.resource_type == "AWS::ApiGatewayV2::Stage" {
        let mut overrides: Vec<(String, String, &Value)> = object("routeSettings")
            .into_iter()
            .flatten()
            .map(|(route, s)| (route.clone(), format!("routeSettings.{route}"), s))
            .collect();
        overrides.sort_by(|a, b| a.0.cmp(&b.0));
        return Layout {
            default: item
                .configuration
                .get("defaultRouteSettings")
                .filter(|d| d.is_object())
                .map(|d| (d, "defaultRouteSettings".to_string()))
                .ok_or("no stage-wide throttling (defaultRouteSettings)"),
            overrides,
        };
    }
    let settings = object("methodSettings");
    let mut overrides: Vec<(String, String, &Value)> = settings
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != STAGE_DEFAULT_KEY)
        .map(|(k, s)| (method_label(k), format!("methodSettings.{k}"), s))
        .collect();
    overrides.sort_by(|a, b| a.1.cmp(&b.1));
    Layout {
        default: settings
            .and_then(|m| m.get(STAGE_DEFAULT_KEY))
            .map(|d| (d, format!("methodSettings.{STAGE_DEFAULT_KEY}")))
            .ok_or("no stage-wide throttling (*/*)"),
        overrides,
    }
}

/// What is wrong with the stage's throttling; `Err` names an unreadable setting.
fn problems(item: &ConfigurationItem, params: &Params) -> Result<Vec<String>, String> {
    let layout = layout(item);
    let (max_rate, max_burst) = (params.max_rate as f64, params.max_burst as f64);
    let mut problems = Vec::new();
    match layout.default {
        Err(none) => problems.push(none.to_string()),
        Ok((d, field)) => {
            match limit(d, &field, "throttlingRateLimit")? {
                None => problems.push("no stage-wide rate limit".to_string()),
                Some(r) if r > max_rate => {
                    problems.push(format!("stage rate limit {} above {}", number(r), params.max_rate))
                }
                Some(_) => {}
            }
            match limit(d, &field, "throttlingBurstLimit")? {
                None => problems.push("no stage-wide burst limit".to_string()),
                Some(b) if b > max_burst => {
                    problems.push(format!("stage burst limit {} above {}", number(b), params.max_burst))
                }
                Some(_) => {}
            }
        }
    }
    for (label, field, s) in layout.overrides {
        if let Some(r) = limit(s, &field, "throttlingRateLimit")?.filter(|r| *r > max_rate) {
            problems.push(format!("{label} rate limit {} above {}", number(r), params.max_rate));
        }
        if let Some(b) = limit(s, &field, "throttlingBurstLimit")?.filter(|b| *b > max_burst) {
            problems.push(format!("{label} burst limit {} above {}", number(b), params.max_burst));
        }
    }
    Ok(problems)
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    ApiGwThrottlingConfigured,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwThrottlingConfigured
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    fn stage(settings: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::ApiGateway::Stage", "resourceId": "arn:aws:apigateway:us-east-1::/restapis/a/stages/prod",
                    "configuration": {"stageName": "prod", "methodSettings": settings}}),
            "item",
        )
        .unwrap()
    }

    fn t(rate: f64, burst: i64) -> Value {
        json!({"throttlingRateLimit": rate, "throttlingBurstLimit": burst, "loggingLevel": "ERROR"})
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        type Case<'a> = (&'a str, Value, Params, Compliance, &'a str);
        let cases: Vec<Case> = vec![
            (
                "an unreadable limit is not an absent one",
                json!({"*/*": {"throttlingRateLimit": "fast", "throttlingBurstLimit": 100}}),
                p,
                NonCompliant,
                "Stage prod cannot be checked: methodSettings.*/*.throttlingRateLimit is unreadable (the text \"fast\").",
            ),
            (
                "a limit given as text reads as its number",
                json!({"*/*": {"throttlingRateLimit": "100.5", "throttlingBurstLimit": "200"}}),
                p,
                Compliant,
                "Stage prod throttles within 1000 requests per second and a burst of 2000.",
            ),
            (
                "within",
                json!({"*/*": t(500.0, 1000)}),
                p,
                Compliant,
                "Stage prod throttles within 1000 requests per second and a burst of 2000.",
            ),
            (
                "at the maximums",
                json!({"*/*": t(1000.0, 2000)}),
                p,
                Compliant,
                "Stage prod throttles within 1000 requests per second and a burst of 2000.",
            ),
            (
                "no default",
                json!({}),
                p,
                NonCompliant,
                "Stage prod: no stage-wide throttling (*/*).",
            ),
            (
                "account defaults",
                json!({"*/*": t(10000.0, 5000)}),
                p,
                NonCompliant,
                "Stage prod: stage rate limit 10000 above 1000; stage burst limit 5000 above 2000.",
            ),
            (
                "unset shown as -1",
                json!({"*/*": {"throttlingRateLimit": -1.0, "throttlingBurstLimit": -1}}),
                p,
                NonCompliant,
                "Stage prod: no stage-wide rate limit; no stage-wide burst limit.",
            ),
            (
                "fractional rate",
                json!({"*/*": t(1000.5, 10)}),
                p,
                NonCompliant,
                "Stage prod: stage rate limit 1000.5 above 1000.",
            ),
            (
                "an override above",
                json!({"*/*": t(100.0, 200), "~1pets~1{id}/GET": t(5000.0, 100)}),
                p,
                NonCompliant,
                "Stage prod: GET /pets/{id} rate limit 5000 above 1000.",
            ),
            (
                "overrides within",
                json!({"*/*": t(100.0, 200), "~1pets/POST": t(10.0, 20)}),
                p,
                Compliant,
                "Stage prod throttles within 1000 requests per second and a burst of 2000.",
            ),
            (
                "custom maximums",
                json!({"*/*": t(10000.0, 5000)}),
                Params {
                    max_rate: 10000,
                    max_burst: 5000,
                },
                Compliant,
                "Stage prod throttles within 10000 requests per second and a burst of 5000.",
            ),
        ];
        for (name, settings, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&stage(settings), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    /// An HTTP API stage as AWS's sample item records it (aws-config-rdk
    /// `rdk/template/example_ci/AWS_ApiGatewayV2_Stage.json`: `defaultRouteSettings`,
    /// `routeSettings` keyed by route key), with the throttling fields of the API Gateway V2 API
    /// reference's `RouteSettings`.
    fn http_stage(default: Option<Value>, routes: Value) -> ConfigurationItem {
        let mut configuration = json!({"stageName": "$default", "routeSettings": routes, "autoDeploy": true});
        if let Some(d) = default {
            configuration["defaultRouteSettings"] = d;
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::ApiGatewayV2::Stage",
                    "resourceId": "arn:aws:apigateway:us-east-2::/apis/test/stages/$default",
                    "resourceName": "$default", "configuration": configuration}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn http_api_stages() {
        let p = Params::default();
        let cases: Vec<(&str, ConfigurationItem, Compliance, &str)> = vec![
            (
                "the sample item: detailed metrics only",
                http_stage(Some(json!({"detailedMetricsEnabled": false})), json!({})),
                NonCompliant,
                "Stage $default: no stage-wide rate limit; no stage-wide burst limit.",
            ),
            (
                "no default route settings",
                http_stage(None, json!({})),
                NonCompliant,
                "Stage $default: no stage-wide throttling (defaultRouteSettings).",
            ),
            (
                "within, and a route below",
                http_stage(Some(t(500.0, 1000)), json!({"GET /items": t(10.0, 20)})),
                Compliant,
                "Stage $default throttles within 1000 requests per second and a burst of 2000.",
            ),
            (
                "a route above",
                http_stage(Some(t(500.0, 1000)), json!({"POST /orders": t(5000.0, 20), "GET /items": t(10.0, 9000)})),
                NonCompliant,
                "Stage $default: GET /items burst limit 9000 above 2000; POST /orders rate limit 5000 above 1000.",
            ),
            (
                "unreadable route limit",
                http_stage(Some(t(500.0, 1000)), json!({"GET /items": {"throttlingBurstLimit": [1]}})),
                NonCompliant,
                "Stage $default cannot be checked: routeSettings.GET /items.throttlingBurstLimit is unreadable (an array).",
            ),
        ];
        for (name, item, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&item, &p),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"maxRateLimit": "50", "maxBurstLimit": "100"})).unwrap(),
            Params {
                max_rate: 50,
                max_burst: 100
            }
        );
        assert!(matches!(
            parse(json!({"maxRateLimit": "0"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
