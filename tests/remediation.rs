//! Every remediation document, run for real: a non-compliant resource is seeded in the
//! emulator, the rule's binary judges it (NON_COMPLIANT stored in Config), Config's
//! `StartRemediationExecution` runs the rule's document through the emulator's Automation
//! executor as the template's remediation role (each call checked against that role's
//! generated policy), and the rule, given the item Config would now record, judges the
//! resource COMPLIANT.
//!
//! The documents, their parameters and the role's statements come from the rules' metadata,
//! exactly as `config-rules template` writes them into template.yaml.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use config_rules::catalog::{self, pascal};
use config_rules::scan::{self, Source};
use config_rules::template::statements;
use config_rules_core::{RemediationValue, RuleMeta, Trigger};
use e2e_tests::emulator::{Emulator, ACCOUNT_ID, REGION};
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::{log_dir, rule_binary, unique};
use serde_json::{json, Value};

const ROLE: &str = "config-rules-remediation";

fn meta(rule: &str) -> &'static RuleMeta {
    catalog::RULES
        .iter()
        .map(|r| r.meta)
        .find(|m| m.id == rule)
        .unwrap_or_else(|| panic!("no rule {rule}"))
}

fn document_name(rule: &str) -> String {
    format!("{}RemediationDocument", pascal(rule))
}

/// The remediation role as the template creates it, with the `Fn::Sub` ARNs resolved for the
/// emulator's account and region, holding only `rules`' statements.
fn create_role(emu: &Emulator, rules: &[&str]) -> String {
    let mut statements_json = Vec::new();
    for rule in rules {
        let r = meta(rule).remediation.unwrap();
        for (sid, actions, resources) in statements(r.permissions) {
            let resources: Vec<String> = resources
                .iter()
                .map(|r| {
                    r.replace("${AWS::Partition}", "aws")
                        .replace("${AWS::Region}", REGION)
                        .replace("${AWS::AccountId}", ACCOUNT_ID)
                })
                .collect();
            statements_json.push(
                json!({"Sid": format!("{}{sid}", pascal(rule)), "Effect": "Allow", "Action": actions,
                "Resource": if resources.is_empty() { json!("*") } else { json!(resources) }}),
            );
        }
    }
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let xml = emu.query(
        "iam",
        &[
            ("Action", "CreateRole"),
            ("Version", "2010-05-08"),
            ("RoleName", ROLE),
            ("AssumeRolePolicyDocument", &trust.to_string()),
        ],
    );
    let policy = json!({"Version": "2012-10-17", "Statement": statements_json});
    emu.query(
        "iam",
        &[
            ("Action", "PutRolePolicy"),
            ("Version", "2010-05-08"),
            ("RoleName", ROLE),
            ("PolicyName", "remediate"),
            ("PolicyDocument", &policy.to_string()),
        ],
    );
    let start = xml.find("<Arn>").unwrap() + 5;
    xml[start..start + xml[start..].find("</Arn>").unwrap()].to_string()
}

/// The rule's document in SSM, and its remediation configuration in Config, with the values the
/// template passes: rule parameters as `params` sets them (else their defaults), settings at
/// their defaults, and stack resources from `stack`.
fn configure(
    emu: &Emulator,
    rule: &str,
    rule_name: &str,
    role: &str,
    params: &Value,
    stack: &[(&str, String)],
    automatic: bool,
) {
    let m = meta(rule);
    let r = m.remediation.unwrap();
    emu.json_call(
        "ssm",
        "AmazonSSM.CreateDocument",
        json!({"Name": document_name(rule), "Content": r.document, "DocumentType": "Automation", "DocumentFormat": "YAML"}),
    );
    let mut parameters = json!({"AutomationAssumeRole": {"StaticValue": {"Values": [role]}}});
    for (name, value) in r.parameters {
        let v = match value {
            RemediationValue::ResourceId => json!({"ResourceValue": {"Value": "RESOURCE_ID"}}),
            RemediationValue::RuleParameter(p) => {
                let spec = m.parameters.iter().find(|s| s.name == *p).unwrap();
                let given = params[p].as_str().map(str::to_string);
                let value = given.unwrap_or_else(|| spec.default.unwrap_or_default().to_string());
                json!({"StaticValue": {"Values": [value]}})
            }
            RemediationValue::Setting { default, .. } => json!({"StaticValue": {"Values": [default]}}),
            RemediationValue::StackValue(expression) => {
                let value = &stack
                    .iter()
                    .find(|(e, _)| e == expression)
                    .unwrap_or_else(|| panic!("{rule}: the test gives no value for {expression}"))
                    .1;
                json!({"StaticValue": {"Values": [value]}})
            }
        };
        parameters[*name] = v;
    }
    emu.config_call(
        "PutRemediationConfigurations",
        json!({"RemediationConfigurations": [{"ConfigRuleName": rule_name, "TargetType": "SSM_DOCUMENT",
            "TargetId": document_name(rule), "Automatic": automatic, "MaximumAutomaticAttempts": 3,
            "RetryAttemptSeconds": 60, "Parameters": parameters}]}),
    );
}

/// The item Config would record for `id` now, read from the emulator's APIs the way
/// `config-rules scan --source api` reads them.
async fn current_item(emu: &Emulator, resource_type: &str, id: &str) -> Value {
    let sdk = emu.sdk_config().await;
    let needs = scan::Needs::everything([resource_type].into_iter().collect());
    let collected = scan::collect(
        &sdk,
        Source::Api,
        &needs,
        ACCOUNT_ID,
        chrono::Utc::now(),
        &indicatif::ProgressBar::hidden(),
    )
    .await
    .unwrap();
    let item = collected
        .items
        .into_iter()
        .find(|i| i.resource_type == resource_type && i.resource_id == id)
        .unwrap_or_else(|| panic!("no {resource_type} {id} in the emulator"));
    serde_json::to_value(item).unwrap()
}

/// A Config event for `rule` under `rule_name`: the change notification of `id`'s current
/// item, or a scheduled notification for periodic rules, with the fields of the samples in
/// `events/` (AWS Config developer guide, "Example Events for AWS Config Rules").
async fn event(
    emu: &Emulator,
    rule: &str,
    rule_name: &str,
    token: &str,
    resource_type: &str,
    id: &str,
    params: &Value,
) -> Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let invoking = if meta(rule).trigger == Trigger::Periodic {
        json!({"awsAccountId": ACCOUNT_ID, "notificationCreationTime": now, "messageType": "ScheduledNotification", "recordVersion": "1.0"})
    } else {
        json!({"configurationItemDiff": null, "configurationItem": current_item(emu, resource_type, id).await,
            "notificationCreationTime": now, "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"})
    };
    json!({"version": "1.0", "invokingEvent": invoking.to_string(), "ruleParameters": params.to_string(),
        "resultToken": token, "eventLeftScope": false,
        "executionRoleArn": format!("arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
        "configRuleArn": format!("arn:aws:config:{REGION}:{ACCOUNT_ID}:config-rule/config-rule-abc123"),
        "configRuleName": rule_name, "configRuleId": "config-rule-abc123", "accountId": ACCOUNT_ID,
        "evaluationMode": "DETECTIVE"})
}

/// Runs the rule's binary once on `event`; returns the stored (compliance, annotation) of `id`.
fn invoke(emu: &Emulator, rule: &str, event: &Value, resource_type: &str, id: &str) -> (String, String) {
    let log = log_dir().join(format!("{}.log", unique(rule)));
    let mut function = Function::start(&rule_binary(rule), rule, &emu.aws_env(), log);
    let outcome = function.invoke(event);
    assert!(
        matches!(outcome, Outcome::Response(_)),
        "{rule}: {outcome:?}; see {}",
        function.log.display()
    );
    stored(emu, event["configRuleName"].as_str().unwrap(), resource_type, id)
}

fn stored(emu: &Emulator, rule_name: &str, resource_type: &str, id: &str) -> (String, String) {
    let out = emu.config_call(
        "GetComplianceDetailsByResource",
        json!({"ResourceType": resource_type, "ResourceId": id}),
    );
    let row = out["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleName"] == rule_name)
        .unwrap_or_else(|| panic!("no stored result of {rule_name} for {id}: {out}"))
        .clone();
    (
        row["ComplianceType"].as_str().unwrap().to_string(),
        row["Annotation"].as_str().unwrap_or_default().to_string(),
    )
}

/// The remediation's final state for `id` (waits while it runs): (state, step details).
fn remediation_status(emu: &Emulator, rule_name: &str, resource_type: &str, id: &str) -> Option<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = emu.config_call(
            "DescribeRemediationExecutionStatus",
            json!({"ConfigRuleName": rule_name, "ResourceKeys": [{"resourceType": resource_type, "resourceId": id}]}),
        );
        let row = out["RemediationExecutionStatuses"]
            .as_array()
            .unwrap()
            .first()
            .cloned()?;
        let state = row["State"].as_str().unwrap().to_string();
        if state == "SUCCEEDED" || state == "FAILED" || Instant::now() > deadline {
            return Some((state, row["StepDetails"].clone()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What a proof needs of a seeded resource.
struct Seeded {
    resource_type: &'static str,
    id: String,
    /// Values of the template's stack expressions (`!GetAtt ApiAccessLogGroup.Arn`).
    stack: Vec<(&'static str, String)>,
}

/// The whole loop for one rule: judged NON_COMPLIANT, remediated, judged COMPLIANT.
async fn prove(emu: &Emulator, rule: &str, params: Value, seeded: Seeded) -> (String, String) {
    let role = create_role(emu, &[rule]);
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    configure(emu, rule, &rule_name, &role, &params, &seeded.stack, false);
    let (rt, id) = (seeded.resource_type, seeded.id.as_str());

    let before = event(emu, rule, &rule_name, &token, rt, id, &params).await;
    let (compliance, annotation) = invoke(emu, rule, &before, rt, id);
    assert_eq!(compliance, "NON_COMPLIANT", "{rule} before the fix: {annotation}");

    let started = emu.config_call(
        "StartRemediationExecution",
        json!({"ConfigRuleName": rule_name, "ResourceKeys": [{"resourceType": rt, "resourceId": id}]}),
    );
    assert_eq!(started["FailedItems"], json!([]), "{rule}: {started}");
    let (state, steps) = remediation_status(emu, &rule_name, rt, id).expect("a remediation execution");
    assert_eq!(state, "SUCCEEDED", "{rule}: {steps:#}");

    let after = event(emu, rule, &rule_name, &token, rt, id, &params).await;
    let (compliance, fixed) = invoke(emu, rule, &after, rt, id);
    assert_eq!(compliance, "COMPLIANT", "{rule} after the fix: {fixed}");
    (annotation, fixed)
}

async fn clients(
    emu: &Emulator,
) -> (
    aws_sdk_lambda::Client,
    aws_sdk_apigateway::Client,
    aws_sdk_apigatewayv2::Client,
    aws_sdk_kms::Client,
) {
    let sdk = emu.sdk_config().await;
    (
        aws_sdk_lambda::Client::new(&sdk),
        aws_sdk_apigateway::Client::new(&sdk),
        aws_sdk_apigatewayv2::Client::new(&sdk),
        aws_sdk_kms::Client::new(&sdk),
    )
}

/// A REST API with a deployed stage `prod`; returns the stage's Config resource id (its ARN).
async fn rest_stage(rest: &aws_sdk_apigateway::Client, name: &str, cache: bool) -> String {
    let api = rest.create_rest_api().name(name).send().await.unwrap();
    let id = api.id().unwrap().to_string();
    let root = rest.get_resources().rest_api_id(&id).send().await.unwrap().items()[0]
        .id()
        .unwrap()
        .to_string();
    rest.put_method()
        .rest_api_id(&id)
        .resource_id(&root)
        .http_method("GET")
        .authorization_type("NONE")
        .send()
        .await
        .unwrap();
    rest.put_integration()
        .rest_api_id(&id)
        .resource_id(&root)
        .http_method("GET")
        .r#type(aws_sdk_apigateway::types::IntegrationType::Mock)
        .send()
        .await
        .unwrap();
    let deployment = rest.create_deployment().rest_api_id(&id).send().await.unwrap();
    rest.create_stage()
        .rest_api_id(&id)
        .stage_name("prod")
        .deployment_id(deployment.id().unwrap())
        .cache_cluster_enabled(cache)
        .send()
        .await
        .unwrap();
    format!("arn:aws:apigateway:{REGION}::/restapis/{id}/stages/prod")
}

/// An HTTP API (API Gateway v2); its id.
async fn http_api(v2: &aws_sdk_apigatewayv2::Client, name: &str) -> String {
    let api = v2
        .create_api()
        .name(name)
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .send()
        .await
        .unwrap();
    api.api_id().unwrap().to_string()
}

fn log_group(emu: &Emulator, name: &str) -> String {
    emu.json_call("logs", "Logs_20140328.CreateLogGroup", json!({"logGroupName": name}));
    format!("arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*")
}

// ---- one proof per remediation ------------------------------------------------------------------

/// Every rule whose metadata offers a remediation has a proof below.
#[test]
fn every_remediation_is_proven() {
    let proven: BTreeSet<&str> = PROVEN.iter().copied().collect();
    let offered: BTreeSet<&str> = catalog::RULES
        .iter()
        .filter(|r| r.meta.remediation.is_some())
        .map(|r| r.meta.id)
        .collect();
    assert_eq!(
        offered, proven,
        "add a proof to tests/remediation.rs for each new remediation"
    );
}

const PROVEN: &[&str] = &[
    "lambda-timeout-within-limit",
    "lambda-concurrency-limited",
    "kms-key-rotation-enabled",
    "s3-bucket-encryption-enabled",
    "api-gw-cache-encrypted",
    "api-gw-logging-enabled",
    "api-gw-throttling-configured",
    "lambda-tracing-enabled",
    "dynamodb-table-protected",
    "sqs-queue-encrypted",
];

#[tokio::test(flavor = "multi_thread")]
async fn sqs_queue_encrypted_is_fixed() {
    let emu = Emulator::start_private();
    let sdk = emu.sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = sqs
        .create_queue()
        .queue_name("legacy-events")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::SqsManagedSseEnabled, "false")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let seeded = Seeded {
        resource_type: "AWS::SQS::Queue",
        id: url,
        stack: vec![],
    };
    let (before, after) = prove(&emu, "sqs-queue-encrypted", json!({}), seeded).await;
    assert_eq!(
        before,
        "Queue legacy-events stores messages unencrypted: no SSE-SQS and no KMS key."
    );
    assert_eq!(
        after,
        "Queue legacy-events encrypts messages with SQS-owned keys (SSE-SQS)."
    );
}

/// A queue failing only because its KMS key is AWS managed keeps its key: the fix turns on
/// SSE-SQS for unencrypted queues only.
#[tokio::test(flavor = "multi_thread")]
async fn sqs_queue_encrypted_leaves_a_kms_key_alone() {
    let rule = "sqs-queue-encrypted";
    let emu = Emulator::start_private();
    let sdk = emu.sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = sqs
        .create_queue()
        .queue_name("payments")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::KmsMasterKeyId, "alias/aws/sqs")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let params = json!({"requireCustomerManagedKey": "true"});
    let role = create_role(&emu, &[rule]);
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    configure(&emu, rule, &rule_name, &role, &params, &[], false);
    let e = event(&emu, rule, &rule_name, &token, "AWS::SQS::Queue", &url, &params).await;
    assert_eq!(invoke(&emu, rule, &e, "AWS::SQS::Queue", &url).0, "NON_COMPLIANT");
    emu.config_call(
        "StartRemediationExecution",
        json!({"ConfigRuleName": rule_name, "ResourceKeys": [{"resourceType": "AWS::SQS::Queue", "resourceId": url}]}),
    );
    let (state, steps) = remediation_status(&emu, &rule_name, "AWS::SQS::Queue", &url).unwrap();
    assert_eq!(state, "SUCCEEDED", "{steps:#}");
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attribute = |name| attributes.attributes().and_then(|a| a.get(&name)).cloned();
    use aws_sdk_sqs::types::QueueAttributeName::{KmsMasterKeyId, SqsManagedSseEnabled};
    assert_eq!(
        attribute(KmsMasterKeyId).as_deref(),
        Some("alias/aws/sqs"),
        "the key stays"
    );
    assert_eq!(
        attribute(SqsManagedSseEnabled).as_deref(),
        Some("false"),
        "SSE-SQS is not turned on over SSE-KMS"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lambda_tracing_enabled_is_fixed() {
    let emu = Emulator::start_private();
    let role = emu.create_role("fn-role");
    emu.create_function("untraced", &role, "python3.12", json!({}));
    let seeded = Seeded {
        resource_type: "AWS::Lambda::Function",
        id: "untraced".into(),
        stack: vec![],
    };
    let (before, after) = prove(&emu, "lambda-tracing-enabled", json!({}), seeded).await;
    assert!(before.starts_with("Function untraced has "), "{before}");
    assert_eq!(after, "Function untraced traces its invocations with X-Ray (Active).");
}

#[tokio::test(flavor = "multi_thread")]
async fn dynamodb_table_protected_is_fixed() {
    let emu = Emulator::start_private();
    emu.create_table("sessions");
    let seeded = Seeded {
        resource_type: "AWS::DynamoDB::Table",
        id: "sessions".into(),
        stack: vec![],
    };
    let (before, after) = prove(&emu, "dynamodb-table-protected", json!({}), seeded).await;
    assert_eq!(
        before,
        "Table sessions: point-in-time recovery is off; deletion protection is off."
    );
    assert_eq!(after, "Table sessions has point-in-time recovery, deletion protection.");
}

#[tokio::test(flavor = "multi_thread")]
async fn lambda_timeout_within_limit_is_fixed() {
    let emu = Emulator::start_private();
    let role = emu.create_role("fn-role");
    emu.create_function("slow", &role, "python3.12", json!({"Timeout": 900}));
    let seeded = Seeded {
        resource_type: "AWS::Lambda::Function",
        id: "slow".into(),
        stack: vec![],
    };
    let (before, after) = prove(
        &emu,
        "lambda-timeout-within-limit",
        json!({"maxTimeoutSeconds": "30"}),
        seeded,
    )
    .await;
    assert_eq!(
        before,
        "Function slow has a timeout of 900 seconds, above the limit of 30 seconds."
    );
    assert_eq!(
        after,
        "Function slow has a timeout of 30 seconds, within the limit of 30 seconds."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lambda_concurrency_limited_is_fixed() {
    let emu = Emulator::start_private();
    let role = emu.create_role("fn-role");
    emu.create_function("open-ended", &role, "python3.12", json!({}));
    let seeded = Seeded {
        resource_type: "AWS::Lambda::Function",
        id: "open-ended".into(),
        stack: vec![],
    };
    let (_, after) = prove(&emu, "lambda-concurrency-limited", json!({}), seeded).await;
    assert_eq!(after, "Function open-ended has reserved concurrency 10.");
}

#[tokio::test(flavor = "multi_thread")]
async fn kms_key_rotation_enabled_is_fixed() {
    let emu = Emulator::start_private();
    let (_, _, _, kms) = clients(&emu).await;
    let key = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let seeded = Seeded {
        resource_type: "AWS::KMS::Key",
        id: key.clone(),
        stack: vec![],
    };
    let (_, after) = prove(&emu, "kms-key-rotation-enabled", json!({}), seeded).await;
    assert_eq!(after, format!("Key {key} rotates automatically every 365 days."));
}

/// The template expression that passes s3-bucket-encryption-enabled's remediation its key.
fn s3_key_expression() -> &'static str {
    match meta("s3-bucket-encryption-enabled").remediation.unwrap().parameters[2].1 {
        RemediationValue::StackValue(e) => e,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_bucket_encryption_enabled_is_fixed_with_the_listed_key() {
    let emu = Emulator::start_private();
    let (_, _, _, kms) = clients(&emu).await;
    let key = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .arn()
        .unwrap()
        .to_string();
    // A bucket as buckets were before S3 encrypted every bucket by default (2023).
    emu.create_legacy_unencrypted_bucket("uploads-old");
    let params = json!({"requireKms": "true", "kmsKeyArns": key});
    let expression = s3_key_expression();
    let seeded = Seeded {
        resource_type: "AWS::S3::Bucket",
        id: "uploads-old".into(),
        stack: vec![(expression, key.clone())],
    };
    let (before, after) = prove(&emu, "s3-bucket-encryption-enabled", params, seeded).await;
    assert_eq!(before, "Bucket uploads-old has no default encryption.");
    assert_eq!(
        after,
        format!("Bucket uploads-old encrypts new objects with aws:kms using key {key}.")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_bucket_encryption_enabled_is_fixed_with_s3_keys_by_default() {
    let emu = Emulator::start_private();
    emu.create_legacy_unencrypted_bucket("uploads-plain");
    let expression = s3_key_expression();
    // The template's expression gives "none" when kmsKeyArns is empty.
    let seeded = Seeded {
        resource_type: "AWS::S3::Bucket",
        id: "uploads-plain".into(),
        stack: vec![(expression, "none".into())],
    };
    let (_, after) = prove(&emu, "s3-bucket-encryption-enabled", json!({}), seeded).await;
    assert_eq!(after, "Bucket uploads-plain encrypts new objects with AES256.");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gw_cache_encrypted_is_fixed_for_the_default_and_every_override() {
    let emu = Emulator::start_private();
    let (_, rest, _, _) = clients(&emu).await;
    let arn = rest_stage(&rest, "cached", true).await;
    // An override that caches unencrypted: patching `*/*` alone would leave it.
    patch_stage(
        &rest,
        &arn,
        &[
            ("/~1pets/GET/caching/enabled", "true"),
            ("/~1pets/GET/caching/dataEncrypted", "false"),
        ],
    )
    .await;
    let seeded = Seeded {
        resource_type: "AWS::ApiGateway::Stage",
        id: arn,
        stack: vec![],
    };
    prove(&emu, "api-gw-cache-encrypted", json!({}), seeded).await;
}

/// Applies `ops` (path, value) to the stage `prod` named by `arn`.
async fn patch_stage(rest: &aws_sdk_apigateway::Client, arn: &str, ops: &[(&str, &str)]) {
    let id = arn.split('/').nth(2).unwrap();
    let mut update = rest.update_stage().rest_api_id(id).stage_name("prod");
    for (path, value) in ops {
        update = update.patch_operations(patch(path, value));
    }
    update.send().await.unwrap();
}

fn patch(path: &str, value: &str) -> aws_sdk_apigateway::types::PatchOperation {
    aws_sdk_apigateway::types::PatchOperation::builder()
        .op(aws_sdk_apigateway::types::Op::Replace)
        .path(path)
        .value(value)
        .build()
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gw_logging_enabled_is_fixed_for_rest_stages() {
    let emu = Emulator::start_private();
    let (_, rest, _, _) = clients(&emu).await;
    // Execution logging needs the account's API Gateway CloudWatch role.
    let cw_role = emu.create_role("apigateway-cloudwatch");
    rest.update_account()
        .patch_operations(patch("/cloudwatchRoleArn", &cw_role))
        .send()
        .await
        .unwrap();
    let arn = rest_stage(&rest, "silent", false).await;
    let group = log_group(&emu, "api-access");
    let seeded = Seeded {
        resource_type: "AWS::ApiGateway::Stage",
        id: arn,
        stack: vec![("!GetAtt ApiAccessLogGroup.Arn", group)],
    };
    prove(&emu, "api-gw-logging-enabled", json!({}), seeded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gw_logging_enabled_is_fixed_for_http_stages() {
    let emu = Emulator::start_private();
    let (_, _, v2, _) = clients(&emu).await;
    let api_id = http_api(&v2, "http-silent").await;
    v2.create_stage()
        .api_id(&api_id)
        .stage_name("prod")
        .send()
        .await
        .unwrap();
    let group = log_group(&emu, "api-access");
    let seeded = Seeded {
        resource_type: "AWS::ApiGatewayV2::Stage",
        id: format!("arn:aws:apigateway:{REGION}::/apis/{api_id}/stages/prod"),
        stack: vec![("!GetAtt ApiAccessLogGroup.Arn", group)],
    };
    prove(&emu, "api-gw-logging-enabled", json!({}), seeded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gw_throttling_configured_is_fixed_for_the_default_and_every_override() {
    let emu = Emulator::start_private();
    let (_, rest, _, _) = clients(&emu).await;
    let arn = rest_stage(&rest, "unthrottled", false).await;
    patch_stage(&rest, &arn, &[("/~1pets/GET/throttling/rateLimit", "5000")]).await;
    let seeded = Seeded {
        resource_type: "AWS::ApiGateway::Stage",
        id: arn,
        stack: vec![],
    };
    prove(
        &emu,
        "api-gw-throttling-configured",
        json!({"maxRateLimit": "500", "maxBurstLimit": "800"}),
        seeded,
    )
    .await;
}

/// An HTTP API stage: the default route settings get both limits (other settings kept), a route
/// override above the rate is lowered, and its burst, below the maximum, is kept.
#[tokio::test(flavor = "multi_thread")]
async fn api_gw_throttling_configured_is_fixed_for_http_stages_and_their_routes() {
    use aws_sdk_apigatewayv2::types::RouteSettings;
    let emu = Emulator::start_private();
    let (_, _, v2, _) = clients(&emu).await;
    let api_id = http_api(&v2, "http-open").await;
    v2.create_stage()
        .api_id(&api_id)
        .stage_name("prod")
        .default_route_settings(RouteSettings::builder().detailed_metrics_enabled(true).build())
        .route_settings(
            "GET /orders",
            RouteSettings::builder()
                .throttling_rate_limit(5000.0)
                .throttling_burst_limit(100)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let seeded = Seeded {
        resource_type: "AWS::ApiGatewayV2::Stage",
        id: format!("arn:aws:apigateway:{REGION}::/apis/{api_id}/stages/prod"),
        stack: vec![],
    };
    let (before, after) = prove(
        &emu,
        "api-gw-throttling-configured",
        json!({"maxRateLimit": "500", "maxBurstLimit": "800"}),
        seeded,
    )
    .await;
    assert_eq!(
        before,
        "Stage prod: no stage-wide rate limit; no stage-wide burst limit; GET /orders rate limit 5000 above 500."
    );
    assert_eq!(
        after,
        "Stage prod throttles within 500 requests per second and a burst of 800."
    );
    let stage = v2.get_stage().api_id(&api_id).stage_name("prod").send().await.unwrap();
    let default = stage.default_route_settings().unwrap();
    assert_eq!(
        (
            default.throttling_rate_limit(),
            default.throttling_burst_limit(),
            default.detailed_metrics_enabled()
        ),
        (Some(500.0), Some(800), Some(true))
    );
    let route = &stage.route_settings().unwrap()["GET /orders"];
    assert_eq!(
        (route.throttling_rate_limit(), route.throttling_burst_limit()),
        (Some(500.0), Some(100)),
        "the override's rate is lowered, its lower burst kept"
    );
}

// ---- what must not happen -----------------------------------------------------------------------

/// With automatic remediation on, Config fixes what it records NON_COMPLIANT, and never an
/// exempted resource (the rule reports it NOT_APPLICABLE, so no remediation starts).
#[tokio::test(flavor = "multi_thread")]
async fn automatic_remediation_fixes_the_non_compliant_and_never_the_exempted() {
    let rule = "lambda-timeout-within-limit";
    let emu = Emulator::start_private();
    let role = emu.create_role("fn-role");
    emu.create_function("slow", &role, "python3.12", json!({"Timeout": 900}));
    emu.create_function(
        "batch-job",
        &role,
        "python3.12",
        json!({"Timeout": 900, "Tags": {"config-rules:exempt": rule}}),
    );
    let remediation_role = create_role(&emu, &[rule]);
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    let params = json!({"maxTimeoutSeconds": "60"});
    configure(&emu, rule, &rule_name, &remediation_role, &params, &[], true);
    let fn_type = "AWS::Lambda::Function";
    for name in ["slow", "batch-job"] {
        let e = event(&emu, rule, &rule_name, &token, fn_type, name, &params).await;
        invoke(&emu, rule, &e, fn_type, name);
    }
    assert_eq!(stored(&emu, &rule_name, fn_type, "batch-job").0, "NOT_APPLICABLE");
    assert_eq!(remediation_status(&emu, &rule_name, fn_type, "batch-job"), None);
    let (state, steps) = remediation_status(&emu, &rule_name, fn_type, "slow").expect("an automatic run");
    assert_eq!(state, "SUCCEEDED", "{steps:#}");
    let lambda = clients(&emu).await.0;
    let timeout = |name: &'static str| {
        let lambda = lambda.clone();
        async move {
            lambda
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .unwrap()
                .timeout()
                .unwrap()
        }
    };
    assert_eq!(timeout("slow").await, 60);
    assert_eq!(timeout("batch-job").await, 900);
}

/// A step whose call fails fails the remediation with the call and AWS's error; the resource
/// stays NON_COMPLIANT. A compliant resource is refused, as Config refuses it.
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_call_fails_the_remediation_and_says_why() {
    let rule = "kms-key-rotation-enabled";
    let emu = Emulator::start_private();
    let (_, _, _, kms) = clients(&emu).await;
    let key = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_string();
    let role = create_role(&emu, &[rule]);
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    configure(&emu, rule, &rule_name, &role, &json!({}), &[], false);
    let e = event(&emu, rule, &rule_name, &token, "AWS::KMS::Key", &key, &json!({})).await;
    assert_eq!(invoke(&emu, rule, &e, "AWS::KMS::Key", &key).0, "NON_COMPLIANT");
    emu.inject(json!({"operation": "EnableKeyRotation", "kind": "access-denied"}));
    let keys = json!([{"resourceType": "AWS::KMS::Key", "resourceId": key}]);
    emu.config_call(
        "StartRemediationExecution",
        json!({"ConfigRuleName": rule_name, "ResourceKeys": keys}),
    );
    let (state, steps) = remediation_status(&emu, &rule_name, "AWS::KMS::Key", &key).unwrap();
    assert_eq!(state, "FAILED");
    assert_eq!(steps[0]["Name"], "EnableRotation");
    assert_eq!(
        steps[0]["ErrorMessage"],
        "kms:EnableKeyRotation failed: AccessDeniedException: not authorized (injected by the emulator)"
    );
    let e = event(&emu, rule, &rule_name, &token, "AWS::KMS::Key", &key, &json!({})).await;
    assert_eq!(invoke(&emu, rule, &e, "AWS::KMS::Key", &key).0, "NON_COMPLIANT");

    // Fixed by hand, the key is COMPLIANT and Config will not remediate it.
    kms.enable_key_rotation().key_id(&key).send().await.unwrap();
    let e = event(&emu, rule, &rule_name, &token, "AWS::KMS::Key", &key, &json!({})).await;
    assert_eq!(invoke(&emu, rule, &e, "AWS::KMS::Key", &key).0, "COMPLIANT");
    let out = emu.config_call(
        "StartRemediationExecution",
        json!({"ConfigRuleName": rule_name, "ResourceKeys": keys}),
    );
    assert_eq!(out["FailedItems"], keys);
    assert!(out["FailureMessage"]
        .as_str()
        .unwrap()
        .contains("only NON_COMPLIANT resources are remediated"));
}

/// The template passes what each document declares, and nothing it does not.
#[test]
fn documents_declare_exactly_what_config_passes() {
    for m in catalog::RULES.iter().map(|r| r.meta) {
        let Some(r) = m.remediation else { continue };
        let doc: serde_yaml::Value = serde_yaml::from_str(r.document).unwrap();
        assert_eq!(doc["schemaVersion"].as_str(), Some("0.3"), "{}", m.id);
        assert_eq!(
            doc["assumeRole"].as_str(),
            Some("{{ AutomationAssumeRole }}"),
            "{}",
            m.id
        );
        let declared = doc["parameters"].as_mapping().unwrap();
        let mut passed: BTreeSet<String> = r.parameters.iter().map(|(n, _)| n.to_string()).collect();
        passed.insert("AutomationAssumeRole".into());
        for (name, spec) in declared {
            let name = name.as_str().unwrap();
            assert!(
                passed.contains(name) || spec.get("default").is_some(),
                "{}: the document's parameter {name} has no default and the template does not pass it",
                m.id
            );
        }
        for name in &passed {
            assert!(
                declared.contains_key(name.as_str()),
                "{}: the template passes {name}, undeclared",
                m.id
            );
        }
        for (_, value) in r.parameters {
            if let RemediationValue::RuleParameter(p) = value {
                assert!(
                    m.parameters.iter().any(|s| s.name == *p),
                    "{}: no rule parameter {p}",
                    m.id
                );
            }
        }
    }
}
