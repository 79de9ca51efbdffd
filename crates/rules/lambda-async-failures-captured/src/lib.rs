//! # lambda-async-failures-captured
//!
//! **Checks** that every Lambda function invoked asynchronously keeps the events it fails to
//! process: a dead-letter queue (`deadLetterConfig.targetArn`) or an on-failure destination
//! of its asynchronous invocation configuration.
//!
//! **Why it matters.** Practice 3, *safeguard against denial of service*, and practice 5,
//! *monitoring and logging*, of the serverless security practices: Lambda retries a failed
//! asynchronous event twice, keeps it at most six hours, and then drops it without a trace.
//! A flood of poison messages, a throttled function or a dependency outage then loses data
//! silently, and the events an investigation needs are gone. A dead-letter queue or an
//! on-failure destination keeps every failed event, with its error, for replay and audit.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. A function counts as invoked asynchronously when its
//! resource policy (`supplementaryConfiguration.Policy`) lets a service that invokes
//! asynchronously invoke it: S3, SNS, SES, EventBridge (CloudWatch Events), EventBridge
//! Scheduler, CloudWatch Logs, CloudFormation, CodeCommit, CodePipeline, Config, IoT and IoT
//! Events (Lambda developer guide, invocation modes). Callers in the same account invoke
//! through IAM, which no resource policy shows: `checkAllFunctions` judges every function.
//! Config's item does not record the asynchronous invocation configuration, so, for a
//! function without a dead-letter queue, the rule reads it with Lambda
//! `GetFunctionEventInvokeConfig`.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `checkAllFunctions` | boolean | `false` | judge every function, not only those an asynchronous service may invoke |
//!
//! **Scenarios**
//!
//! | function | result |
//! |---|---|
//! | invoked asynchronously, with a dead-letter queue | COMPLIANT |
//! | invoked asynchronously, with an on-failure destination | COMPLIANT |
//! | invoked asynchronously, neither (no invoke configuration, or one without `OnFailure`) | NON_COMPLIANT, naming the invoking services |
//! | a resource policy that is not readable JSON, and no dead-letter queue | NON_COMPLIANT, naming the field |
//! | no asynchronous invoker in its resource policy (and `checkAllFunctions` off) | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Add an on-failure destination (`aws lambda put-function-event-invoke-config
//! --function-name NAME --destination-config '{"OnFailure":{"Destination":"QUEUE_ARN"}}'`;
//! SAM: `EventInvokeConfig.DestinationConfig.OnFailure`) or a dead-letter queue
//! (`--dead-letter-config TargetArn=QUEUE_ARN`; SAM: `DeadLetterQueue`). The execution role
//! needs `sqs:SendMessage` (or `sns:Publish`, ...) on the target; watch the queue's depth with
//! an alarm.
//!
//! **References.** AWS Lambda developer guide, "Invoking a Lambda function asynchronously",
//! "Retaining records of asynchronous invocations" and "Dead-letter queues"; Lambda API
//! reference, `GetFunctionEventInvokeConfig` (`DestinationConfig.OnFailure.Destination`). The
//! nearest AWS managed rule, `lambda-dlq-check`, checks only the dead-letter queue, of every
//! function, so it fails API-only functions that can never use one and passes nothing that
//! uses the newer on-failure destination; this rule accepts either and judges the functions
//! that are invoked asynchronously.

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, Rule, RuleMeta,
    Severity, Trigger, Verdict,
};
pub use lambda_facts::{EventInvokeConfigApi, SdkLambda};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-async-failures-captured",
    summary: "Lambda functions invoked asynchronously keep failed events (dead-letter queue or on-failure destination).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    parameters: &[ParamSpec::boolean(
        "checkAllFunctions",
        false,
        "Judge every function, not only those an asynchronous AWS service may invoke.",
    )],
    permissions: &[Permission::on("lambda:GetFunctionEventInvokeConfig", &[arn::LAMBDA_FUNCTIONS])],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::Medium,
    practices: &[3, 5],
    template_mode: "judges `DeadLetterConfig` (SAM: `DeadLetterQueue`), the function's `AWS::Lambda::EventInvokeConfig` (SAM: `EventInvokeConfig`) and the invokers of its `AWS::Lambda::Permission` resources (and those SAM adds for S3, SNS, schedule, EventBridge and CloudWatch Logs events); a destination from a parameter without a value is unknown",
    reads_supplementary: &["Policy"],
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub check_all_functions: bool,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            check_all_functions: values.boolean("checkAllFunctions")?,
        })
    }
}

/// Service principals that invoke functions asynchronously (Lambda developer guide,
/// "Invoking Lambda with events from other AWS services"). CloudWatch Logs may be named with
/// its region (`logs.us-east-1.amazonaws.com`).
const ASYNC_SERVICES: &[&str] = &[
    "s3",
    "sns",
    "ses",
    "events",
    "scheduler",
    "logs",
    "cloudformation",
    "codecommit",
    "codepipeline",
    "config",
    "iot",
    "iotevents",
];

fn is_async_service(principal: &str) -> bool {
    let p = principal.to_ascii_lowercase();
    let Some(host) = p.strip_suffix(".amazonaws.com") else {
        return false;
    };
    let service = host.split('.').next().unwrap_or_default();
    ASYNC_SERVICES.contains(&service)
}

use lambda_facts::policy_strings as strings;

/// Who may invoke the function asynchronously, from its resource policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invokers {
    /// The services (sorted, without duplicates) its Allow statements name.
    Services(Vec<String>),
    /// `supplementaryConfiguration.Policy` is present but not a policy document.
    Unreadable,
}

/// The asynchronous invokers of an item's resource policy.
pub fn async_invokers(item: &ConfigurationItem) -> Invokers {
    let policy = match item.supplementary("Policy") {
        None => return Invokers::Services(Vec::new()),
        Some(p @ Value::Object(_)) => p,
        Some(_) => return Invokers::Unreadable,
    };
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Invokers::Unreadable,
    };
    let mut services: Vec<String> = statements
        .iter()
        .filter(|s| {
            s.get("Effect")
                .and_then(Value::as_str)
                .is_some_and(|e| e.eq_ignore_ascii_case("allow"))
        })
        .flat_map(|s| strings(s.get("Principal").and_then(|p| p.get("Service"))))
        .filter(|p| is_async_service(p))
        .map(str::to_ascii_lowercase)
        .collect();
    services.sort();
    services.dedup();
    Invokers::Services(services)
}

/// The function's dead-letter target: `Ok(None)` when absent or empty, `Err` when present
/// but not a string.
fn dead_letter_target(item: &ConfigurationItem) -> Result<Option<String>, ()> {
    match item.configuration.get("deadLetterConfig").map(|d| d.get("targetArn")) {
        None | Some(None) | Some(Some(Value::Null)) => Ok(None),
        Some(Some(Value::String(t))) => Ok(Some(t.clone()).filter(|t| !t.is_empty())),
        Some(Some(_)) => Err(()),
    }
}

/// What the rule decides before it needs Lambda: a verdict, or that the on-failure
/// destination decides (with why the function counts as invoked asynchronously).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Done(Verdict),
    AskDestination(String),
}

/// The decision from the item alone.
pub fn first_step(name: &str, item: &ConfigurationItem, params: &Params) -> Step {
    let dlq = dead_letter_target(item);
    let why = match async_invokers(item) {
        Invokers::Services(s) if !s.is_empty() => format!("is invoked asynchronously by {}", s.join(", ")),
        Invokers::Services(_) if params.check_all_functions => "may be invoked asynchronously".to_string(),
        Invokers::Services(_) => {
            return Step::Done(Verdict::not_applicable(format!(
                "Function {name}: no asynchronous AWS service may invoke it (its resource policy names none)."
            )))
        }
        Invokers::Unreadable => {
            if let Ok(Some(target)) = &dlq {
                return Step::Done(Verdict::compliant(format!(
                    "Function {name} keeps failed asynchronous events in its dead-letter queue {}.",
                    config_rules_core::bounded(target, 160)
                )));
            }
            return Step::Done(Verdict::non_compliant(format!(
                "Function {name}: supplementaryConfiguration.Policy is not readable JSON, so asynchronous invokers cannot be ruled out, and it has no dead-letter queue."
            )));
        }
    };
    match dlq {
        Ok(Some(target)) => Step::Done(Verdict::compliant(format!(
            "Function {name} {why} and keeps failed events in its dead-letter queue {}.",
            config_rules_core::bounded(&target, 128)
        ))),
        Ok(None) => Step::AskDestination(why),
        Err(()) => Step::Done(Verdict::non_compliant(format!(
            "Function {name}: configuration.deadLetterConfig.targetArn is not an ARN; a dead-letter queue cannot be confirmed."
        ))),
    }
}

/// The decision once the on-failure destination is known.
pub fn with_destination(name: &str, why: &str, on_failure: Option<&str>) -> Verdict {
    match on_failure {
        Some(d) => Verdict::compliant(format!(
            "Function {name} {why} and sends failed events to {}.",
            config_rules_core::bounded(d, 128)
        )),
        None => Verdict::non_compliant(format!(
            "Function {name} {why} and drops failed events: no dead-letter queue and no on-failure destination."
        )),
    }
}

/// The rule as the runner sees it.
pub struct LambdaAsyncFailuresCaptured<C> {
    api: C,
}

impl<C: EventInvokeConfigApi> LambdaAsyncFailuresCaptured<C> {
    pub fn new(api: C) -> Self {
        LambdaAsyncFailuresCaptured { api }
    }
}

#[async_trait]
impl<C: EventInvokeConfigApi> Rule for LambdaAsyncFailuresCaptured<C> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_item(
        &self,
        item: &ConfigurationItem,
        _ctx: &ItemContext,
        params: &Params,
    ) -> Result<Verdict, Error> {
        let name = match lambda_facts::function_name(item) {
            Ok(name) => name,
            Err(not_applicable) => return Ok(not_applicable),
        };
        match first_step(name, item, params) {
            Step::Done(v) => Ok(v),
            Step::AskDestination(why) => {
                let on_failure = self.api.on_failure_destination(name).await?;
                Ok(with_destination(name, &why, on_failure.as_deref()))
            }
        }
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaAsyncFailuresCaptured::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;
    use std::sync::Mutex;

    const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:thumbnailer-failures";

    /// A resource policy as Lambda's `GetPolicy` returns it and Config records it in
    /// `supplementaryConfiguration.Policy` (a JSON string): the statement `aws lambda
    /// add-permission --principal s3.amazonaws.com --source-account ...` adds.
    fn policy(services: &[&str]) -> String {
        let statements: Vec<_> = services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({"Sid": format!("s{i}"), "Effect": "Allow", "Principal": {"Service": s},
                                 "Action": "lambda:InvokeFunction",
                                 "Resource": "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer",
                                 "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}})
            })
            .collect();
        json!({"Version": "2012-10-17", "Id": "default", "Statement": statements}).to_string()
    }

    fn item(policy: Option<Value>, dlq: Option<Value>) -> ConfigurationItem {
        let mut config = json!({"functionName": "thumbnailer"});
        if let Some(d) = dlq {
            config["deadLetterConfig"] = json!({"targetArn": d});
        }
        let mut supplementary = json!({});
        if let Some(p) = policy {
            supplementary["Policy"] = p;
        }
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "thumbnailer",
                    "configuration": config, "supplementaryConfiguration": supplementary}),
            "item",
        )
        .unwrap()
    }

    /// Items in the shape of AWS's sample Lambda item (aws-config-rdk
    /// `rdk/template/example_ci/AWS_LAMBDA_FUNCTION.json`; `deadLetterConfig.targetArn` from the
    /// Config resource schema) with the resource policy as Config records it.
    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let all = Params {
            check_all_functions: true,
        };
        let s3 = Some(json!(policy(&["s3.amazonaws.com"])));
        type Case<'a> = (&'a str, ConfigurationItem, Params, Option<&'a str>, Compliance, String);
        let cases: Vec<Case> = vec![
            ("s3, dead-letter queue", item(s3.clone(), Some(json!(QUEUE))), p, None, Compliant,
             format!("Function thumbnailer is invoked asynchronously by s3.amazonaws.com and keeps failed events in its dead-letter queue {QUEUE}.")),
            ("s3, on-failure destination", item(s3.clone(), None), p, Some(QUEUE), Compliant,
             format!("Function thumbnailer is invoked asynchronously by s3.amazonaws.com and sends failed events to {QUEUE}.")),
            ("s3 and regional logs, neither", item(Some(json!(policy(&["logs.us-east-1.amazonaws.com", "s3.amazonaws.com", "s3.amazonaws.com"]))), Some(json!(""))), p, None, NonCompliant,
             "Function thumbnailer is invoked asynchronously by logs.us-east-1.amazonaws.com, s3.amazonaws.com and drops failed events: no dead-letter queue and no on-failure destination.".into()),
            ("api gateway only", item(Some(json!(policy(&["apigateway.amazonaws.com"]))), None), p, None, NotApplicable,
             "Function thumbnailer: no asynchronous AWS service may invoke it (its resource policy names none).".into()),
            ("no policy", item(None, None), p, None, NotApplicable,
             "Function thumbnailer: no asynchronous AWS service may invoke it (its resource policy names none).".into()),
            ("no policy, every function judged", item(None, None), all, None, NonCompliant,
             "Function thumbnailer may be invoked asynchronously and drops failed events: no dead-letter queue and no on-failure destination.".into()),
            ("unreadable policy", item(Some(json!("{not json")), None), p, None, NonCompliant,
             "Function thumbnailer: supplementaryConfiguration.Policy is not readable JSON, so asynchronous invokers cannot be ruled out, and it has no dead-letter queue.".into()),
            ("unreadable policy, dead-letter queue", item(Some(json!("{not json")), Some(json!(QUEUE))), p, None, Compliant,
             format!("Function thumbnailer keeps failed asynchronous events in its dead-letter queue {QUEUE}.")),
            ("unreadable dead-letter target", item(s3.clone(), Some(json!(7))), p, None, NonCompliant,
             "Function thumbnailer: configuration.deadLetterConfig.targetArn is not an ARN; a dead-letter queue cannot be confirmed.".into()),
        ];
        for (name, item, params, destination, compliance, annotation) in cases {
            let verdict = match first_step("thumbnailer", &item, &params) {
                Step::Done(v) => v,
                Step::AskDestination(why) => with_destination("thumbnailer", &why, destination),
            };
            assert_eq!(verdict, Verdict::new(compliance, annotation), "case: {name}");
        }
    }

    struct Fake {
        destination: Option<&'static str>,
        calls: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl EventInvokeConfigApi for Fake {
        async fn on_failure_destination(&self, function_name: &str) -> Result<Option<String>, Error> {
            self.calls.lock().unwrap().push(function_name.to_string());
            Ok(self.destination.map(String::from))
        }
    }

    #[tokio::test]
    async fn lambda_is_asked_only_when_the_item_cannot_decide() {
        let rule = LambdaAsyncFailuresCaptured::new(Fake {
            destination: Some(QUEUE),
            calls: Mutex::default(),
        });
        let ctx = ItemContext::now();
        let s3 = Some(json!(policy(&["s3.amazonaws.com"])));
        let with_dlq = rule
            .evaluate_item(&item(s3.clone(), Some(json!(QUEUE))), &ctx, &Params::default())
            .await
            .unwrap();
        let api_only = rule
            .evaluate_item(&item(None, None), &ctx, &Params::default())
            .await
            .unwrap();
        assert_eq!((with_dlq.compliance, api_only.compliance), (Compliant, NotApplicable));
        assert!(rule.api.calls.lock().unwrap().is_empty());
        let asked = rule
            .evaluate_item(&item(s3, None), &ctx, &Params::default())
            .await
            .unwrap();
        assert_eq!(asked.compliance, Compliant);
        assert_eq!(*rule.api.calls.lock().unwrap(), vec!["thumbnailer".to_string()]);
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"checkAllFunctions": "true"})).unwrap(),
            Params {
                check_all_functions: true
            }
        );
        assert!(matches!(
            parse(json!({"checkAllFunctions": "sometimes"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
