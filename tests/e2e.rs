//! End to end: each rule's real binary under a Lambda Runtime API, talking to the emulator
//! through the AWS SDK, with results read back from the emulator's AWS Config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::time::Duration;

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType};
use e2e_tests::emulator::{emulator, Emulator, ACCOUNT_ID};
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::samples::notification_to_api;
use e2e_tests::{log_dir, rule_binary, unique, workspace_root};
use serde_json::{json, Value};

/// A stored result: (resource type, resource id, compliance, annotation).
type Row = (String, String, String, String);

fn row(t: &str, id: &str, c: &str, a: &str) -> Row {
    (t.into(), id.into(), c.into(), a.into())
}

fn load_event(rule: &str, file: &str) -> Value {
    let path = workspace_root().join("events").join(rule).join(format!("{file}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// One invocation in a fresh function process; returns the outcome, the rule name its
/// results are stored under, the token, and the process (for its logs).
struct Run {
    outcome: Outcome,
    rule_name: String,
    token: String,
    function: Function,
}

fn start(rule: &str, emu: &Emulator) -> Function {
    let log = log_dir().join(format!("{}.log", unique(rule)));
    Function::start(&rule_binary(rule), rule, &emu.aws_env(), log)
}

/// Hands `event`, stamped with `token` and `rule_name`, to a fresh function process in `emu`.
fn invoke_as(emu: &Emulator, rule: &str, mut event: Value, rule_name: &str, token: &str) -> (Outcome, Function) {
    event["resultToken"] = json!(token);
    event["configRuleName"] = json!(rule_name);
    let mut function = start(rule, emu);
    let outcome = function.invoke(&event);
    (outcome, function)
}

/// One invocation in `emu` under a new rule name and result token; `setup_token` runs before it.
fn invoke_in(emu: &Emulator, rule: &str, event: Value, setup_token: impl FnOnce(&str)) -> Run {
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    setup_token(&token);
    let (outcome, function) = invoke_as(emu, rule, event, &rule_name, &token);
    Run {
        outcome,
        rule_name,
        token,
        function,
    }
}

/// [`invoke_in`] the shared emulator.
fn invoke(rule: &str, event: Value, setup_token: impl FnOnce(&str)) -> Run {
    invoke_in(emulator(), rule, event, setup_token)
}

async fn stored(emu: &Emulator, rule_name: &str) -> Vec<Row> {
    let client = aws_sdk_config::Client::new(&emu.sdk_config().await);
    let mut pages = client
        .get_compliance_details_by_config_rule()
        .config_rule_name(rule_name)
        .limit(100)
        .into_paginator()
        .send();
    let mut rows = Vec::new();
    while let Some(page) = pages.next().await {
        for r in page.unwrap().evaluation_results() {
            let q = r
                .evaluation_result_identifier()
                .unwrap()
                .evaluation_result_qualifier()
                .unwrap();
            rows.push(row(
                q.resource_type().unwrap(),
                q.resource_id().unwrap(),
                r.compliance_type().unwrap().as_str(),
                r.annotation().unwrap_or_default(),
            ));
        }
    }
    rows
}

fn assert_response(run: &Run) {
    assert!(
        matches!(run.outcome, Outcome::Response(_)),
        "expected a response, got {:?}; see {}",
        run.outcome,
        run.function.log.display()
    );
}

/// Runs `rule` on `events/<rule>/<file>.json` and checks exactly what AWS Config holds.
async fn check(rule: &str, file: &str, expected: Vec<Row>) {
    check_event(rule, load_event(rule, file), expected).await
}

async fn check_event(rule: &str, event: Value, expected: Vec<Row>) {
    let run = invoke(rule, event, |_| {});
    assert_response(&run);
    assert_eq!(
        stored(emulator(), &run.rule_name).await,
        expected,
        "log: {}",
        run.function.log.display()
    );
}

const FUNCTION: &str = "AWS::Lambda::Function";

/// Loads the item of `events/<rule>/<file>.json` for GetResourceConfigHistory (oversized scenarios).
fn load_history_item_from(rule: &str, file: &str) {
    let event = load_event(rule, file);
    let inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    emulator().load_config_items(json!([notification_to_api(&inner["configurationItem"])]));
}

#[tokio::test(flavor = "multi_thread")]
async fn lambda_supported_runtime_periodic_sweep() {
    let r = "lambda-supported-runtime";
    let emu = Emulator::start_private();
    let role = emu.create_role("runtime-role");
    emu.create_function("new-fn", &role, "python3.12", json!({}));
    emu.create_function("old-fn", &role, "python3.9", json!({}));
    let run = invoke_in(&emu, r, scheduled_event(r, "2026-11-28T06:00:00.000Z"), |_| {});
    assert_response(&run);
    let rule_name = run.rule_name;
    assert_eq!(
        stored(&emu, &rule_name).await,
        vec![
            row(
                FUNCTION,
                "new-fn",
                "COMPLIANT",
                "Function new-fn uses runtime python3.12, supported until 2028-10-31."
            ),
            row(
                FUNCTION,
                "old-fn",
                "NON_COMPLIANT",
                "Function old-fn uses runtime python3.9, deprecated by AWS on 2025-12-15."
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lambda_no_public_access_reads_the_function_url() {
    let r = "lambda-no-public-access";
    let emu = emulator();
    let name = unique("open-url");
    let role = emu.create_role(&unique("url-role"));
    emu.create_function(&name, &role, "python3.12", json!({}));
    let lambda = aws_sdk_lambda::Client::new(&emu.sdk_config().await);
    lambda
        .create_function_url_config()
        .function_name(&name)
        .auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None)
        .send()
        .await
        .unwrap();
    // The compliant sample's item, renamed to the function that now has an open URL.
    let mut event = load_event(r, "no_policy");
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    inner["configurationItem"]["resourceId"] = json!(name);
    inner["configurationItem"]["configuration"]["functionName"] = json!(name);
    event["invokingEvent"] = json!(inner.to_string());
    check_event(
        r,
        event.clone(),
        vec![row(
            FUNCTION,
            &name,
            "NON_COMPLIANT",
            &format!("Function {name} is public: its function URL has AuthType NONE."),
        )],
    )
    .await;
    event["ruleParameters"] = json!("{\"allowPublicFunctionUrl\": \"true\"}");
    check_event(
        r,
        event,
        vec![row(
            FUNCTION,
            &name,
            "COMPLIANT",
            &format!("Function {name} can only be invoked by principals of known accounts or sources."),
        )],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_iam_role_is_fetched_from_moto() {
    // moto records IAM roles in its Config inventory: create one with a wildcard inline policy
    // and let the rule fetch it through GetResourceConfigHistory.
    let emu = emulator();
    let name = unique("big-role");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let xml = emu.query(
        "iam",
        &[
            ("Action", "CreateRole"),
            ("Version", "2010-05-08"),
            ("RoleName", &name),
            ("AssumeRolePolicyDocument", &trust.to_string()),
        ],
    );
    let role_id = between(&xml, "<RoleId>", "</RoleId>");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Everything", "Effect": "Allow",
        "Action": "dynamodb:*", "Resource": "*"}]});
    emu.query(
        "iam",
        &[
            ("Action", "PutRolePolicy"),
            ("Version", "2010-05-08"),
            ("RoleName", &name),
            ("PolicyName", "tables"),
            ("PolicyDocument", &policy.to_string()),
        ],
    );
    let mut event = load_event("iam-no-wildcard-permissions", "oversized");
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    inner["configurationItemSummary"]["resourceId"] = json!(role_id);
    inner["configurationItemSummary"]["resourceName"] = json!(name);
    inner["configurationItemSummary"]["configurationItemCaptureTime"] = json!(chrono::Utc::now().to_rfc3339());
    event["invokingEvent"] = json!(inner.to_string());
    let run = invoke("iam-no-wildcard-permissions", event, |_| {});
    assert_response(&run);
    assert_eq!(
        stored(emu, &run.rule_name).await,
        vec![row(
            "AWS::IAM::Role",
            &role_id,
            "NON_COMPLIANT",
            "inline policy tables statement Everything allows \"dynamodb:*\" (a whole service)."
        )]
    );
    assert!(run.function.logs().contains("fetched oversized configuration item"));
}

fn between(text: &str, a: &str, b: &str) -> String {
    let start = text.find(a).unwrap_or_else(|| panic!("{a} not in {text}")) + a.len();
    let end = start + text[start..].find(b).unwrap();
    text[start..end].to_string()
}

/// CloudTrail state is account-wide, so its scenarios run one after another in one test.
#[tokio::test(flavor = "multi_thread")]
async fn cloudtrail_multi_region_enabled_against_emulator_state() {
    let r = "cloudtrail-multi-region-enabled";
    let emu = emulator();
    let ct = aws_sdk_cloudtrail::Client::new(&emu.sdk_config().await);
    let bucket = unique("trail-bucket");
    emu.create_bucket(&bucket);
    let account = |c: &str, a: &str| vec![row("AWS::::Account", ACCOUNT_ID, c, a)];
    let clear = || async {
        for t in ct.describe_trails().send().await.unwrap().trail_list() {
            ct.delete_trail().name(t.name().unwrap()).send().await.unwrap();
        }
    };
    let create = |name: &'static str, multi: bool, logging: bool| {
        let (ct, bucket) = (ct.clone(), bucket.clone());
        async move {
            ct.create_trail()
                .name(name)
                .s3_bucket_name(bucket)
                .is_multi_region_trail(multi)
                .send()
                .await
                .unwrap();
            if logging {
                ct.start_logging().name(name).send().await.unwrap();
            }
        }
    };

    clear().await;
    check(
        r,
        "scheduled",
        account("NON_COMPLIANT", "No CloudTrail trail exists in the account."),
    )
    .await;

    create("local", false, true).await;
    check(
        r,
        "trail_change",
        account("NON_COMPLIANT", "No trail qualifies. local: not multi-region."),
    )
    .await;

    clear().await;
    create("stopped", true, false).await;
    check(
        r,
        "scheduled",
        account("NON_COMPLIANT", "No trail qualifies. stopped: not logging."),
    )
    .await;

    clear().await;
    create("reads", true, true).await;
    ct.put_event_selectors()
        .trail_name("reads")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::ReadOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    check(
        r,
        "scheduled",
        account(
            "NON_COMPLIANT",
            "No trail qualifies. reads: records only ReadOnly management events.",
        ),
    )
    .await;

    create("everything", true, true).await;
    check(
        r,
        "trail_change",
        account(
            "COMPLIANT",
            "Trail everything is multi-region, logging, and records all management events.",
        ),
    )
    .await;
    // Deleting the good trail re-evaluates the account rather than retiring it.
    ct.delete_trail().name("everything").send().await.unwrap();
    check(
        r,
        "trail_deleted",
        account(
            "NON_COMPLIANT",
            "No trail qualifies. reads: records only ReadOnly management events.",
        ),
    )
    .await;

    clear().await;
    create("advanced", true, true).await;
    let mgmt = |extra: Option<AdvancedFieldSelector>| {
        let mut b = AdvancedEventSelector::builder().name("management").field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .unwrap(),
        );
        if let Some(f) = extra {
            b = b.field_selectors(f);
        }
        b.build().unwrap()
    };
    ct.put_event_selectors()
        .trail_name("advanced")
        .advanced_event_selectors(mgmt(None))
        .send()
        .await
        .unwrap();
    check(
        r,
        "oversized",
        account(
            "COMPLIANT",
            "Trail advanced is multi-region, logging, and records all management events.",
        ),
    )
    .await;
    let read_only = AdvancedFieldSelector::builder()
        .field("readOnly")
        .equals("true")
        .build()
        .unwrap();
    ct.put_event_selectors()
        .trail_name("advanced")
        .advanced_event_selectors(mgmt(Some(read_only)))
        .send()
        .await
        .unwrap();
    check(
        r,
        "scheduled",
        account(
            "NON_COMPLIANT",
            "No trail qualifies. advanced: records only read-only management events.",
        ),
    )
    .await;
    clear().await;
}

// ---- faults: nothing is lost, or the invocation fails loudly ------------------------------

fn timeout_event() -> Value {
    load_event("lambda-timeout-within-limit", "non_compliant")
}

fn nightly() -> Vec<Row> {
    vec![row(
        FUNCTION,
        "nightly-report",
        "NON_COMPLIANT",
        "Function nightly-report has a timeout of 900 seconds, above the limit of 60 seconds.",
    )]
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_put_evaluations_is_retried_until_it_lands() {
    let emu = emulator();
    let run = invoke("lambda-timeout-within-limit", timeout_event(), |token| {
        emu.inject(json!({"operation": "PutEvaluations", "kind": "throttle", "count": 3, "resultToken": token}));
    });
    assert_response(&run);
    assert_eq!(emu.put_calls(&run.token), vec![(400, 1), (400, 1), (400, 1), (200, 1)]);
    assert_eq!(stored(emu, &run.rule_name).await, nightly());
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried() {
    let emu = emulator();
    let run = invoke("lambda-timeout-within-limit", timeout_event(), |token| {
        emu.inject(json!({"operation": "PutEvaluations", "kind": "error500", "count": 2, "resultToken": token}));
    });
    assert_response(&run);
    assert_eq!(emu.put_calls(&run.token), vec![(500, 1), (500, 1), (200, 1)]);
    assert_eq!(stored(emu, &run.rule_name).await, nightly());
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_evaluations_are_sent_again() {
    let emu = emulator();
    let run = invoke("lambda-timeout-within-limit", timeout_event(), |token| {
        emu.inject(
            json!({"operation": "PutEvaluations", "kind": "failed-evaluations", "count": 2, "resultToken": token}),
        );
    });
    assert_response(&run);
    assert_eq!(emu.put_calls(&run.token), vec![(200, 1), (200, 1), (200, 1)]);
    assert_eq!(stored(emu, &run.rule_name).await, nightly());
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_throttling_fails_the_invocation_and_says_how_many() {
    let emu = emulator();
    let run = invoke("lambda-timeout-within-limit", timeout_event(), |token| {
        emu.inject(json!({"operation": "PutEvaluations", "kind": "throttle", "count": -1, "resultToken": token}));
    });
    let Outcome::Error(err) = &run.outcome else {
        panic!("expected an error, got {:?}", run.outcome)
    };
    assert_eq!(err["errorType"], "Unposted");
    assert_eq!(
        err["errorMessage"],
        "1 of 1 evaluations were not posted to AWS Config: AWS API call PutEvaluations failed: \
         ThrottlingException: Rate exceeded (injected by the emulator)"
    );
    assert_eq!(
        emu.put_calls(&run.token).len(),
        config_rules_core::runner::MAX_ATTEMPTS as usize,
        "the SDK's attempts"
    );
    assert_eq!(stored(emu, &run.rule_name).await, vec![]);
    let logs = run.function.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("\"invocation failed\""))
        .unwrap_or_else(|| panic!("no failure log: {logs}"));
    let entry: Value = serde_json::from_str(line).unwrap();
    assert_eq!(
        (
            entry["unposted"].as_u64(),
            entry["total"].as_u64(),
            entry["error_type"].as_str()
        ),
        (Some(1), Some(1), Some("Unposted"))
    );
}

// ---- bad input: an error naming the problem, and nothing stored ---------------------------

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_an_error_and_posts_nothing() {
    let emu = emulator();
    let good = timeout_event();
    let mut not_json = good.clone();
    not_json["invokingEvent"] = json!("{\"configurationItem\": ");
    let mut unknown = good.clone();
    unknown["invokingEvent"] = json!("{\"messageType\": \"ConfigurationSnapshotDeliveryCompleted\"}");
    let mut bad_params = good.clone();
    bad_params["ruleParameters"] = json!("{\"maxTimeoutSeconds\": \"abc\"}");
    let cases = [
        (not_json, "MalformedEvent", "malformed event: invokingEvent: not JSON: EOF while parsing a value at line 1 column 22"),
        (unknown, "MalformedEvent",
         "malformed event: invokingEvent.messageType: unknown message type \"ConfigurationSnapshotDeliveryCompleted\""),
        (bad_params, "InvalidParameters",
         "invalid rule parameter maxTimeoutSeconds: \"abc\" is not an integer (expected an integer from 1 to 900)"),
    ];
    for (event, error_type, message) in cases {
        let run = invoke("lambda-timeout-within-limit", event, |_| {});
        assert_eq!(
            run.outcome,
            Outcome::Error(json!({"errorType": error_type, "errorMessage": message}))
        );
        assert_eq!(emu.put_calls(&run.token), vec![]);
        assert_eq!(stored(emu, &run.rule_name).await, vec![]);
    }
    // A truncated event never reaches the rule: the runtime client rejects it.
    let mut function = start("lambda-timeout-within-limit", emu);
    let outcome = function.invoke_raw(b"{\"invokingEvent\": \"{".to_vec(), Duration::from_secs(30));
    let Outcome::Error(err) = outcome else {
        panic!("expected an error, got {outcome:?}")
    };
    assert!(
        err["errorMessage"].as_str().unwrap().contains("EOF while parsing"),
        "{err}"
    );
}

// ---- periodic sweeps ------------------------------------------------------------------------

/// An empty zip archive: enough code for the emulator's CreateFunction.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

fn scheduled_event(rule: &str, at: &str) -> Value {
    let mut event = load_event(rule, "scheduled");
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    inner["notificationCreationTime"] = json!(at);
    event["invokingEvent"] = json!(inner.to_string());
    event
}

#[tokio::test(flavor = "multi_thread")]
async fn periodic_sweep_posts_in_batches_and_retires_deleted_resources() {
    let r = "lambda-execution-role-not-shared";
    let emu = Emulator::start_private();
    let role_arn = emu.create_role("sweep-role");
    let lambda = aws_sdk_lambda::Client::new(&emu.sdk_config().await);
    for i in 0..250 {
        lambda
            .create_function()
            .function_name(format!("fn-{i:03}"))
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(&role_arn)
            .handler("app.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(EMPTY_ZIP.to_vec()))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let rule_name = unique(r);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    let sweep = |at: &str| {
        let (outcome, function) = invoke_as(&emu, r, scheduled_event(r, at), &rule_name, &token);
        assert!(
            matches!(outcome, Outcome::Response(_)),
            "{outcome:?}; see {}",
            function.log.display()
        );
    };

    sweep("2026-11-28T01:00:00.000Z");
    assert_eq!(emu.put_calls(&token), vec![(200, 100), (200, 100), (200, 50)]);
    let rows = stored(&emu, &rule_name).await;
    assert_eq!(rows.len(), 250);
    assert!(rows.iter().all(|r| r.2 == "NON_COMPLIANT"));
    assert_eq!(rows[0], row(FUNCTION, "fn-000", "NON_COMPLIANT",
        "Function fn-000 shares its execution role sweep-role with 249 other functions: fn-001, fn-002, fn-003, fn-004, fn-005 and 244 more."));

    for i in 0..10 {
        lambda
            .delete_function()
            .function_name(format!("fn-{i:03}"))
            .send()
            .await
            .unwrap();
    }
    sweep("2026-11-28T02:00:00.000Z");
    assert_eq!(
        emu.put_calls(&token),
        vec![(200, 100), (200, 100), (200, 50), (200, 100), (200, 100), (200, 50)]
    );
    let rows = stored(&emu, &rule_name).await;
    assert_eq!(rows.len(), 250);
    let retired: Vec<&Row> = rows.iter().filter(|r| r.2 == "NOT_APPLICABLE").collect();
    assert_eq!(retired.len(), 10);
    assert_eq!(
        retired[0],
        &row(FUNCTION, "fn-000", "NOT_APPLICABLE", "The resource no longer exists.")
    );
    assert_eq!(retired[9].1, "fn-009");
    assert_eq!(rows.iter().filter(|r| r.2 == "NON_COMPLIANT").count(), 240);
}

// ---- rules that read Lambda, IAM and KMS state -------------------------------------------------

const CODE_SIGNING_CONFIG: &str = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f";

#[tokio::test(flavor = "multi_thread")]
async fn lambda_code_signing_enabled_scenarios() {
    let r = "lambda-code-signing-enabled";
    let emu = emulator();
    let role = emu.create_role(&unique("signing-role"));
    emu.create_function(
        "signed-api",
        &role,
        "python3.12",
        json!({"CodeSigningConfigArn": CODE_SIGNING_CONFIG}),
    );
    emu.create_function("unsigned-api", &role, "python3.12", json!({}));
    check(
        r,
        "compliant",
        vec![row(
            FUNCTION,
            "signed-api",
            "COMPLIANT",
            &format!("Function signed-api uses code signing configuration {CODE_SIGNING_CONFIG}."),
        )],
    )
    .await;
    let unsigned = "Function unsigned-api has no code signing configuration: unsigned code can be deployed to it.";
    check(
        r,
        "non_compliant",
        vec![row(FUNCTION, "unsigned-api", "NON_COMPLIANT", unsigned)],
    )
    .await;
    check(
        r,
        "container_image",
        vec![row(
            FUNCTION,
            "ml-inference",
            "NOT_APPLICABLE",
            "Function ml-inference is a container image: Lambda code signing applies to .zip archives.",
        )],
    )
    .await;
    check(
        r,
        "deleted",
        vec![row(
            FUNCTION,
            "old-worker",
            "NOT_APPLICABLE",
            "The resource was deleted.",
        )],
    )
    .await;
    load_history_item_from(r, "non_compliant");
    check(
        r,
        "oversized",
        vec![row(FUNCTION, "unsigned-api", "NON_COMPLIANT", unsigned)],
    )
    .await;
    // A function that no longer exists is an error, not "unsigned".
    let mut gone = load_event(r, "non_compliant");
    let mut inner: Value = serde_json::from_str(gone["invokingEvent"].as_str().unwrap()).unwrap();
    inner["configurationItem"]["configuration"]["functionName"] = json!("vanished-fn");
    gone["invokingEvent"] = json!(inner.to_string());
    let run = invoke(r, gone, |_| {});
    let Outcome::Error(err) = &run.outcome else {
        panic!("expected an error, got {:?}", run.outcome)
    };
    assert_eq!(err["errorType"], "AwsApi");
    let message = err["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("AWS API call GetFunctionCodeSigningConfig failed: ResourceNotFoundException"),
        "{message}"
    );
}

/// One periodic run of `rule` in `emu` dated `at`; returns what Config stored.
async fn sweep_once(emu: &Emulator, rule: &str, at: &str, params: Value) -> Vec<Row> {
    let mut event = scheduled_event(rule, at);
    event["ruleParameters"] = json!(params.to_string());
    let run = invoke_in(emu, rule, event, |_| {});
    assert_response(&run);
    let mut rows = stored(emu, &run.rule_name).await;
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn iam_access_keys_rotated_against_emulator_users() {
    let r = "iam-access-keys-rotated";
    let emu = Emulator::start_private();
    let iam = |params: &[(&str, &str)]| {
        let mut all = vec![("Version", "2010-05-08")];
        all.extend_from_slice(params);
        emu.query("iam", &all)
    };
    let mut ids = std::collections::BTreeMap::new();
    for user in ["ci-deployer", "no-keys", "retired"] {
        let xml = iam(&[("Action", "CreateUser"), ("UserName", user)]);
        ids.insert(user, between(&xml, "<UserId>", "</UserId>"));
    }
    iam(&[("Action", "CreateAccessKey"), ("UserName", "ci-deployer")]);
    let xml = iam(&[("Action", "CreateAccessKey"), ("UserName", "retired")]);
    let key = between(&xml, "<AccessKeyId>", "</AccessKeyId>");
    iam(&[
        ("Action", "UpdateAccessKey"),
        ("UserName", "retired"),
        ("AccessKeyId", &key),
        ("Status", "Inactive"),
    ]);
    // The keys are made now; a run dated 200 days ahead sees them 200 days old.
    let at = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    let rows = sweep_once(&emu, r, &at(200), json!({})).await;
    let user = "AWS::IAM::User";
    assert_eq!(rows.len(), 3);
    let ci = rows.iter().find(|row| row.1 == ids["ci-deployer"]).unwrap();
    assert_eq!((ci.0.as_str(), ci.2.as_str()), (user, "NON_COMPLIANT"));
    assert!(
        ci.3.starts_with("User ci-deployer: active key …") && ci.3.ends_with(" is 200 days old (maximum 90 days)."),
        "{}",
        ci.3
    );
    assert!(rows.contains(&row(
        user,
        &ids["no-keys"],
        "COMPLIANT",
        "User no-keys has no active access keys."
    )));
    assert!(rows.contains(&row(
        user,
        &ids["retired"],
        "COMPLIANT",
        "User retired has no active access keys."
    )));
    // Today the same key is young.
    let rows = sweep_once(&emu, r, &at(0), json!({"maxAccessKeyAgeDays": "30"})).await;
    assert!(rows.contains(&row(
        user,
        &ids["ci-deployer"],
        "COMPLIANT",
        "User ci-deployer has 1 active access key younger than 30 days."
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn kms_key_rotation_enabled_against_emulator_keys() {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let r = "kms-key-rotation-enabled";
    let emu = Emulator::start_private();
    let kms = aws_sdk_kms::Client::new(&emu.sdk_config().await);
    let mut ids = Vec::new();
    for (spec, usage) in [
        (KeySpec::SymmetricDefault, KeyUsageType::EncryptDecrypt),
        (KeySpec::SymmetricDefault, KeyUsageType::EncryptDecrypt),
        (KeySpec::Rsa2048, KeyUsageType::SignVerify),
    ] {
        let out = kms.create_key().key_spec(spec).key_usage(usage).send().await.unwrap();
        ids.push(out.key_metadata().unwrap().key_id().to_string());
    }
    let (rotating, plain, signing) = (&ids[0], &ids[1], &ids[2]);
    kms.enable_key_rotation().key_id(rotating).send().await.unwrap();
    let rows = sweep_once(&emu, r, "2026-11-28T06:00:00.000Z", json!({})).await;
    let key = "AWS::KMS::Key";
    // moto reports the default rotation period, 365 days, as KMS does.
    let on = row(
        key,
        rotating,
        "COMPLIANT",
        &format!("Key {rotating} rotates automatically every 365 days."),
    );
    let mut expected = vec![
        on,
        row(
            key,
            plain,
            "NON_COMPLIANT",
            &format!("Key {plain} is customer managed and does not rotate automatically."),
        ),
        row(
            key,
            signing,
            "NOT_APPLICABLE",
            &format!("Key {signing} is a RSA_2048 key: automatic rotation supports symmetric encryption keys only."),
        ),
    ];
    expected.sort();
    assert_eq!(rows, expected);
}

// ---- API Gateway, S3 and governance rules ---------------------------------------------------------

/// Without tagKeys the rule cannot run: an error naming the parameter, nothing posted.
#[tokio::test(flavor = "multi_thread")]
async fn required_tags_without_tag_keys_is_an_error() {
    let r = "required-tags";
    let mut event = load_event(r, "compliant");
    event["ruleParameters"] = json!("{}");
    let run = invoke(r, event, |_| {});
    assert_eq!(
        run.outcome,
        Outcome::Error(json!({"errorType": "InvalidParameters",
        "errorMessage": "invalid rule parameter tagKeys: is required (expected a comma-separated list)"}))
    );
    assert_eq!(stored(emulator(), &run.rule_name).await, vec![]);
}

/// Rewrites an API event to another API: its `configuration.id` (REST) or `apiId` (HTTP),
/// and its resource id and ARN, which in Config are the API's ARN.
fn with_api_id(mut event: Value, id: &str) -> Value {
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    for key in ["configurationItem", "configurationItemSummary"] {
        let Some(item) = inner.get_mut(key) else { continue };
        let rest = item["resourceType"] == "AWS::ApiGateway::RestApi";
        let arn = if rest {
            format!("arn:aws:apigateway:us-east-1::/restapis/{id}")
        } else {
            format!("arn:aws:apigateway:us-east-1::/apis/{id}")
        };
        item["resourceId"] = json!(arn);
        item["ARN"] = json!(arn);
        if let Some(config) = item.get_mut("configuration").filter(|c| c.is_object()) {
            config[if rest { "id" } else { "apiId" }] = json!(id);
        }
    }
    event["invokingEvent"] = json!(inner.to_string());
    event
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gw_authorization_required_against_emulator_apis() {
    use aws_sdk_apigatewayv2::types::{AuthorizationType, ProtocolType};
    let r = "api-gw-authorization-required";
    let emu = Emulator::start_private();
    let sdk = emu.sdk_config().await;
    let rest = aws_sdk_apigateway::Client::new(&sdk);
    let v2 = aws_sdk_apigatewayv2::Client::new(&sdk);
    let mut ids = std::collections::BTreeMap::new();
    for (name, path, auth) in [
        ("orders-internal", "orders", "AWS_IAM"),
        ("pets-public", "pets", "NONE"),
    ] {
        let api = rest.create_rest_api().name(name).send().await.unwrap();
        let id = api.id().unwrap().to_string();
        let root = rest.get_resources().rest_api_id(&id).send().await.unwrap().items()[0]
            .id()
            .unwrap()
            .to_string();
        let res = rest
            .create_resource()
            .rest_api_id(&id)
            .parent_id(root)
            .path_part(path)
            .send()
            .await
            .unwrap();
        for verb in ["GET", "OPTIONS"] {
            let auth = if verb == "OPTIONS" { "NONE" } else { auth };
            rest.put_method()
                .rest_api_id(&id)
                .resource_id(res.id().unwrap())
                .http_method(verb)
                .authorization_type(auth)
                .send()
                .await
                .unwrap();
        }
        ids.insert(name, id);
    }
    let http = v2
        .create_api()
        .name("items-http")
        .protocol_type(ProtocolType::Http)
        .send()
        .await
        .unwrap();
    let http_id = http.api_id().unwrap().to_string();
    v2.create_route()
        .api_id(&http_id)
        .route_key("GET /items")
        .authorization_type(AuthorizationType::AwsIam)
        .send()
        .await
        .unwrap();
    v2.create_route()
        .api_id(&http_id)
        .route_key("$default")
        .authorization_type(AuthorizationType::None)
        .send()
        .await
        .unwrap();

    let run = |event: Value| {
        let run = invoke_in(&emu, r, event, |_| {});
        assert_response(&run);
        run.rule_name
    };
    // Config knows APIs by their ARN; the bare id API Gateway takes is configuration.id
    // (REST) or configuration.apiId (HTTP), as in AWS's sample items (aws-config-rdk
    // rdk/template/example_ci/AWS_ApiGateway_RestApi.json, AWS_ApiGatewayV2_Api.json).
    let rest_arn = |id: &str| format!("arn:aws:apigateway:us-east-1::/restapis/{id}");
    let http_arn = format!("arn:aws:apigateway:us-east-1::/apis/{http_id}");
    let rest_type = "AWS::ApiGateway::RestApi";
    let open = "API pets-public has unauthenticated endpoint: GET /pets.";
    let name = run(with_api_id(load_event(r, "compliant"), &ids["orders-internal"]));
    assert_eq!(stored(&emu, &name).await, vec![row(rest_type, &rest_arn(&ids["orders-internal"]), "COMPLIANT",
        "All 2 methods or routes of API orders-internal require authorization, an API key, or are allowed exceptions.")]);
    let name = run(with_api_id(load_event(r, "non_compliant"), &ids["pets-public"]));
    assert_eq!(
        stored(&emu, &name).await,
        vec![row(rest_type, &rest_arn(&ids["pets-public"]), "NON_COMPLIANT", open)]
    );
    let name = run(with_api_id(load_event(r, "http_api"), &http_id));
    assert_eq!(
        stored(&emu, &name).await,
        vec![row(
            "AWS::ApiGatewayV2::Api",
            &http_arn,
            "NON_COMPLIANT",
            "API items-http has unauthenticated endpoint: $default."
        )]
    );
    let name = run(load_event(r, "deleted"));
    assert_eq!(
        stored(&emu, &name).await,
        vec![row(
            rest_type,
            &rest_arn("0ldap1x001"),
            "NOT_APPLICABLE",
            "The resource was deleted."
        )]
    );
    // An API that no longer exists when the event arrives.
    let name = run(load_event(r, "compliant"));
    assert_eq!(
        stored(&emu, &name).await,
        vec![row(
            rest_type,
            &rest_arn("s3cur3dap1"),
            "NOT_APPLICABLE",
            "API orders-internal no longer exists."
        )]
    );
    // Oversized: the item comes from GetResourceConfigHistory, keyed by the ARN.
    let event = with_api_id(load_event(r, "non_compliant"), &ids["pets-public"]);
    let inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    let item = inner["configurationItem"].clone();
    emu.load_config_items(json!([notification_to_api(&item)]));
    let name = run(with_api_id(load_event(r, "oversized"), &ids["pets-public"]));
    assert_eq!(
        stored(&emu, &name).await,
        vec![row(rest_type, &rest_arn(&ids["pets-public"]), "NON_COMPLIANT", open)]
    );
    // Periodic: every API of the account, reported under the ARNs Config knows.
    let mut rows = sweep_once(
        &emu,
        r,
        "2026-11-28T06:00:00.000Z",
        json!({"allowedUnauthenticatedPaths": "$default"}),
    )
    .await;
    rows.sort();
    let mut expected = vec![
        row(rest_type, &rest_arn(&ids["orders-internal"]), "COMPLIANT",
            "All 2 methods or routes of API orders-internal require authorization, an API key, or are allowed exceptions."),
        row(rest_type, &rest_arn(&ids["pets-public"]), "NON_COMPLIANT", open),
        row("AWS::ApiGatewayV2::Api", &http_arn, "COMPLIANT",
            "All 2 methods or routes of API items-http require authorization, an API key, or are allowed exceptions."),
    ];
    expected.sort();
    assert_eq!(rows, expected);
}
