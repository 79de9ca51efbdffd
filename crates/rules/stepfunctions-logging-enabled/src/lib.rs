//! # stepfunctions-logging-enabled
//!
//! **Checks** that every Step Functions state machine logs its executions to a CloudWatch Logs
//! log group at a level that records errors (`ERROR` or more by default), and optionally that
//! it traces them with AWS X-Ray.
//!
//! **Why it matters.** Practice 5, *configuration, monitoring and logging*, of the serverless
//! security practices: a state machine orchestrates a serverless application's functions and
//! services; without its execution history in a log group (the console keeps standard
//! workflows' history 90 days, Express workflows' none at all), a failed or abused execution
//! leaves nothing to investigate or alarm on.
//!
//! **Resource type:** `AWS::StepFunctions::StateMachine`.
//! **Trigger:** configuration change. Config records `configuration.LoggingConfiguration`
//! (`Level`, `IncludeExecutionData`, `Destinations[].CloudWatchLogsLogGroup.LogGroupArn`) and
//! `configuration.TracingConfiguration.Enabled` (the AWS Config resource schema's
//! `AWS::StepFunctions::StateMachine` properties).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `minimumLevel` | `ALL`, `ERROR` or `FATAL` | `ERROR` | the least logging accepted (`ALL` logs every event, `ERROR` errors and fatal ones, `FATAL` only fatal ones) |
//! | `requireTracing` | boolean | `false` | X-Ray tracing must be enabled too |
//!
//! **Scenarios**
//!
//! | state machine | result |
//! |---|---|
//! | logs at `minimumLevel` or more to a log group (and traces, when required) | COMPLIANT |
//! | `Level` `OFF`, or no logging configuration (Step Functions' default) | NON_COMPLIANT |
//! | a level below `minimumLevel` (`FATAL` when `ERROR` is required) | NON_COMPLIANT |
//! | a level but no log group destination | NON_COMPLIANT |
//! | tracing off with `requireTracing` | NON_COMPLIANT |
//! | `Level` or `TracingConfiguration.Enabled` present but unreadable | NON_COMPLIANT, naming the field |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! `IncludeExecutionData` is reported but not required: it logs each state's input and output,
//! which may carry personal data or secrets; whether to log it is a data decision.
//!
//! **Remediation.** `aws stepfunctions update-state-machine --state-machine-arn ARN
//! --logging-configuration 'level=ERROR,includeExecutionData=false,destinations=[{cloudWatchLogsLogGroup={logGroupArn=LOG_GROUP_ARN:*}}]'`
//! (the state machine's role needs the CloudWatch Logs delivery permissions, `logs:CreateLogDelivery`
//! and the rest), `--tracing-configuration enabled=true` for X-Ray; in a template,
//! `LoggingConfiguration` and `TracingConfiguration` of `AWS::StepFunctions::StateMachine`
//! (SAM: `Logging` and `Tracing` of `AWS::Serverless::StateMachine`).
//!
//! **References.** AWS Step Functions developer guide, "Logging using CloudWatch Logs" (levels
//! `ALL`, `ERROR`, `FATAL`, `OFF`) and "AWS X-Ray and Step Functions". The nearest AWS managed
//! rule, `step-functions-state-machine-logging-enabled`, checks the level against a list
//! (`cloudWatchLogGroupArns`, `logLevel`); Security Hub StepFunctions.1 requires a minimum level;
//! this rule also requires a log group destination and can require tracing, and reads an
//! unreadable level as a finding, never as "off".

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "stepfunctions-logging-enabled",
    summary: "Step Functions state machines log executions to CloudWatch Logs (ERROR or more), optionally traced.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::StepFunctions::StateMachine"],
    trigger: Trigger::Change,
    parameters: &[
        ParamSpec::one_of(
            "minimumLevel",
            &["ALL", "ERROR", "FATAL"],
            "ERROR",
            "The least logging accepted.",
        ),
        ParamSpec::boolean("requireTracing", false, "X-Ray tracing must be enabled."),
    ],
    severity: Severity::Medium,
    practices: &[5],
    template_mode: "judges `LoggingConfiguration` and `TracingConfiguration` of `AWS::StepFunctions::StateMachine` (SAM's `Logging` and `Tracing` of `AWS::Serverless::StateMachine`); a level from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// `ALL`, `ERROR` or `FATAL`.
    pub minimum_level: String,
    pub require_tracing: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            minimum_level: "ERROR".into(),
            require_tracing: false,
        }
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            minimum_level: values.word("minimumLevel")?.to_string(),
            require_tracing: values.boolean("requireTracing")?,
        })
    }
}

/// How much a level logs: `ALL` 3, `ERROR` 2, `FATAL` 1, `OFF` 0.
fn rank(level: &str) -> Option<u8> {
    match level.to_ascii_uppercase().as_str() {
        "ALL" => Some(3),
        "ERROR" => Some(2),
        "FATAL" => Some(1),
        "OFF" => Some(0),
        _ => None,
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item
        .config_str("StateMachineName")
        .or(item.resource_name.as_deref())
        .unwrap_or(&item.resource_id);
    let logging = item.configuration.get("LoggingConfiguration").filter(|l| !l.is_null());
    let level = match logging.and_then(|l| l.get("Level")) {
        None | Some(Value::Null) => "OFF".to_string(),
        Some(Value::String(l)) if rank(l).is_some() => l.to_ascii_uppercase(),
        Some(_) => {
            return Verdict::non_compliant(format!(
                "State machine {name}: configuration.LoggingConfiguration.Level is not a logging level; its logging cannot be confirmed."
            ))
        }
    };
    let tracing = match item.configuration.get("TracingConfiguration").and_then(|t| t.get("Enabled")) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            s.eq_ignore_ascii_case("true")
        }
        Some(_) => {
            return Verdict::non_compliant(format!(
                "State machine {name}: configuration.TracingConfiguration.Enabled is not true or false; its tracing cannot be confirmed."
            ))
        }
    };
    let groups: Vec<&str> = logging
        .and_then(|l| l.get("Destinations"))
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(|x| x.get("CloudWatchLogsLogGroup")?.get("LogGroupArn")?.as_str())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    let wanted = rank(&params.minimum_level).unwrap_or(2);
    match rank(&level).unwrap_or(0) {
        0 => problems.push("logging is OFF".to_string()),
        r if r < wanted => problems.push(format!("it logs at {level}, below {}", params.minimum_level)),
        _ if groups.is_empty() => problems.push(format!("it logs at {level} to no log group")),
        _ => {}
    }
    if params.require_tracing && !tracing {
        problems.push("X-Ray tracing is off".to_string());
    }
    if !problems.is_empty() {
        return Verdict::non_compliant(format!("State machine {name}: {}.", problems.join("; ")));
    }
    let data = if logging
        .and_then(|l| l.get("IncludeExecutionData"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        " with execution data"
    } else {
        ""
    };
    let traced = if tracing { ", traced with X-Ray" } else { "" };
    Verdict::compliant(format!(
        "State machine {name} logs at {level}{data} to {}{traced}.",
        config_rules_core::evaluation::list_names(&groups, 1)
    ))
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    StepfunctionsLoggingEnabled,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    StepfunctionsLoggingEnabled
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/orders:*";

    /// Items with the properties the AWS Config resource schema lists for
    /// `AWS::StepFunctions::StateMachine` (`LoggingConfiguration.{Level, IncludeExecutionData,
    /// Destinations.CloudWatchLogsLogGroup.LogGroupArn}`, `TracingConfiguration.Enabled`).
    fn machine(extra: Value) -> ConfigurationItem {
        let mut configuration = json!({"StateMachineName": "orders",
            "Arn": "arn:aws:states:us-east-1:123456789012:stateMachine:orders", "StateMachineType": "STANDARD",
            "RoleArn": "arn:aws:iam::123456789012:role/orders-states"});
        if let (Some(c), Value::Object(e)) = (configuration.as_object_mut(), extra) {
            c.extend(e);
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::StepFunctions::StateMachine",
                    "resourceId": "arn:aws:states:us-east-1:123456789012:stateMachine:orders", "resourceName": "orders",
                    "configuration": configuration}),
            "item",
        )
        .unwrap()
    }

    fn logging(level: &str, group: bool) -> Value {
        let destinations = if group {
            json!([{"CloudWatchLogsLogGroup": {"LogGroupArn": GROUP}}])
        } else {
            json!([])
        };
        json!({"LoggingConfiguration": {"Level": level, "IncludeExecutionData": false, "Destinations": destinations}})
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let all = Params {
            minimum_level: "ALL".into(),
            require_tracing: true,
        };
        let mut traced = logging("ALL", true);
        traced["TracingConfiguration"] = json!({"Enabled": true});
        traced["LoggingConfiguration"]["IncludeExecutionData"] = json!(true);
        type Case<'a> = (&'a str, Value, &'a Params, Compliance, String);
        let cases: Vec<Case> = vec![
            ("errors to a group", logging("ERROR", true), &p, Compliant,
             format!("State machine orders logs at ERROR to {GROUP}.")),
            ("all, traced, data", traced.clone(), &all, Compliant,
             format!("State machine orders logs at ALL with execution data to {GROUP}, traced with X-Ray.")),
            ("no logging configuration", json!({}), &p, NonCompliant, "State machine orders: logging is OFF.".into()),
            ("off", logging("OFF", false), &p, NonCompliant, "State machine orders: logging is OFF.".into()),
            ("fatal only", logging("FATAL", true), &p, NonCompliant,
             "State machine orders: it logs at FATAL, below ERROR.".into()),
            ("no destination", logging("ERROR", false), &p, NonCompliant,
             "State machine orders: it logs at ERROR to no log group.".into()),
            ("error, all and tracing required", logging("ERROR", true), &all, NonCompliant,
             "State machine orders: it logs at ERROR, below ALL; X-Ray tracing is off.".into()),
            ("unreadable level", json!({"LoggingConfiguration": {"Level": 3}}), &p, NonCompliant,
             "State machine orders: configuration.LoggingConfiguration.Level is not a logging level; its logging cannot be confirmed.".into()),
            ("unreadable tracing", json!({"TracingConfiguration": {"Enabled": "maybe"}}), &all, NonCompliant,
             "State machine orders: configuration.TracingConfiguration.Enabled is not true or false; its tracing cannot be confirmed.".into()),
        ];
        for (name, extra, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&machine(extra), params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(parse(json!({})).unwrap(), Params::default());
        assert!(matches!(
            parse(json!({"minimumLevel": "DEBUG"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
