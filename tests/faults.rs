//! Failure behaviour of the real rule binaries under the test Lambda Runtime API: endpoints that
//! never answer, die mid-sweep or throttle forever, with short Lambda deadlines; logs at TRACE.
//! Each invocation must end in an error response before its deadline, saying how many
//! evaluations were not posted, and no log line may carry a configuration value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::time::{Duration, Instant};

use e2e_tests::emulator::{emulator, Emulator};
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::{log_dir, rule_binary, unique, workspace_root};
use serde_json::{json, Value};

fn load_event(rule: &str, file: &str) -> Value {
    let path = workspace_root().join("events").join(rule).join(format!("{file}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// One invocation of `rule` with `event` under a new rule name and token, the function's
/// deadline `deadline` away; `setup` runs with the token before the invocation. Returns the
/// outcome, how long the answer took, and the function (for its logs).
fn invoke(
    emu: &Emulator,
    rule: &str,
    mut event: Value,
    deadline: Duration,
    env: &[(String, String)],
    setup: impl FnOnce(&str),
) -> (Outcome, Duration, Function) {
    let rule_name = unique(rule);
    let token = unique("token");
    emu.register_token(&token, &rule_name);
    setup(&token);
    event["resultToken"] = json!(token);
    event["configRuleName"] = json!(rule_name);
    let mut all_env = emu.aws_env();
    all_env.extend_from_slice(env);
    let log = log_dir().join(format!("{}.log", unique(rule)));
    let mut function = Function::start(&rule_binary(rule), rule, &all_env, log);
    let started = Instant::now();
    let outcome = function.invoke_with_deadline(event.to_string().into_bytes(), deadline, deadline * 4);
    (outcome, started.elapsed(), function)
}

fn error_of(outcome: &Outcome, function: &Function) -> Value {
    match outcome {
        Outcome::Error(err) => err.clone(),
        other => panic!("expected an error, got {other:?}; see {}", function.log.display()),
    }
}

const THREE_SECONDS: Duration = Duration::from_secs(3);

#[test]
fn put_evaluations_that_never_answers_ends_in_an_error_before_the_deadline() {
    let emu = emulator();
    let (outcome, took, function) = invoke(
        emu,
        "lambda-timeout-within-limit",
        load_event("lambda-timeout-within-limit", "non_compliant"),
        THREE_SECONDS,
        &[],
        |token| {
            emu.inject(
                json!({"operation": "PutEvaluations", "kind": "hang", "seconds": 60, "count": -1, "resultToken": token}),
            )
        },
    );
    let err = error_of(&outcome, &function);
    assert_eq!(err["errorType"], "Unposted");
    assert_eq!(
        err["errorMessage"],
        "1 of 1 evaluations were not posted to AWS Config: the invocation's deadline was near, so posting stopped"
    );
    assert!(took < THREE_SECONDS, "answered after {took:?}, past the deadline");
}

#[test]
fn failed_evaluations_forever_end_in_an_error_with_counts_before_the_deadline() {
    let emu = emulator();
    let (outcome, took, function) = invoke(
        emu,
        "lambda-timeout-within-limit",
        load_event("lambda-timeout-within-limit", "non_compliant"),
        THREE_SECONDS,
        &[],
        |token| {
            emu.inject(
                json!({"operation": "PutEvaluations", "kind": "failed-evaluations", "count": -1, "resultToken": token}),
            )
        },
    );
    let err = error_of(&outcome, &function);
    assert_eq!(err["errorType"], "Unposted");
    let message = err["errorMessage"].as_str().unwrap();
    assert!(
        message.starts_with("1 of 1 evaluations were not posted to AWS Config: ")
            && message.ends_with("the invocation's deadline was near, so posting stopped"),
        "{message}"
    );
    assert!(took < THREE_SECONDS, "answered after {took:?}, past the deadline");
}

#[test]
fn throttling_forever_ends_in_an_error_with_counts_before_the_deadline() {
    let emu = emulator();
    let (outcome, took, function) = invoke(
        emu,
        "lambda-timeout-within-limit",
        load_event("lambda-timeout-within-limit", "non_compliant"),
        THREE_SECONDS,
        &[],
        |token| {
            emu.inject(json!({"operation": "PutEvaluations", "kind": "throttle", "count": -1, "resultToken": token}))
        },
    );
    let err = error_of(&outcome, &function);
    assert_eq!(err["errorType"], "Unposted");
    assert!(
        err["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("1 of 1 evaluations were not posted to AWS Config: "),
        "{err}"
    );
    assert!(took < THREE_SECONDS, "answered after {took:?}, past the deadline");
}

/// A rule whose own AWS call never answers (here the stored-results read of a periodic sweep):
/// a Deadline error before the deadline, nothing posted.
#[test]
fn a_sweep_whose_aws_call_never_answers_ends_in_a_deadline_error() {
    let emu = emulator();
    let (outcome, took, function) = invoke(
        emu,
        "kms-key-rotation-enabled",
        load_event("kms-key-rotation-enabled", "scheduled"),
        THREE_SECONDS,
        &[],
        |_| emu.inject(json!({"operation": "GetComplianceDetailsByConfigRule", "kind": "hang", "seconds": 60})),
    );
    let err = error_of(&outcome, &function);
    assert_eq!(err["errorType"], "Deadline", "{err}");
    assert!(
        err["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("the invocation's deadline came while the rule was still judging"),
        "{err}"
    );
    assert!(took < THREE_SECONDS, "answered after {took:?}, past the deadline");
}

/// The endpoint dies after the first batch of a 250-function sweep: the first 100 evaluations
/// are stored, the invocation ends in an error that counts the other 150, and says so in time.
#[test]
fn an_endpoint_that_dies_mid_sweep_ends_in_an_error_with_counts() {
    let rule = "lambda-execution-role-not-shared";
    let emu = Emulator::start_private();
    let role = emu.create_role("faults-sweep-role");
    for i in 0..250 {
        emu.create_function(&format!("fn-{i:03}"), &role, "python3.12", json!({}));
    }
    let deadline = Duration::from_secs(30);
    let (outcome, took, function) = invoke(&emu, rule, load_event(rule, "scheduled"), deadline, &[], |token| {
        emu.inject(json!({"operation": "PutEvaluations", "kind": "exit", "after": 1, "resultToken": token}))
    });
    let err = error_of(&outcome, &function);
    assert_eq!(err["errorType"], "Unposted");
    assert!(
        err["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("150 of 250 evaluations were not posted to AWS Config: AWS API call PutEvaluations failed: "),
        "{err}"
    );
    assert!(took < deadline, "answered after {took:?}, past the deadline");
}

/// At TRACE, the function logs nothing of the item: an environment variable's value (a
/// secret) appears in no log line, from our crates or from the Lambda runtime and the SDK.
#[test]
fn trace_logs_leak_no_configuration_value() {
    const SECRET: &str = "sk_live_51HtraceNeverLogMe0000";
    let emu = emulator();
    let rule = "lambda-env-encrypted-with-cmk";
    let mut event = load_event(rule, "non_compliant");
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    inner["configurationItem"]["configuration"]["environment"] = json!({"variables": {"STRIPE_KEY": SECRET}});
    event["invokingEvent"] = json!(inner.to_string());
    let env = [("AWS_LAMBDA_LOG_LEVEL".to_string(), "TRACE".to_string())];
    let (outcome, _, function) = invoke(emu, rule, event, Duration::from_secs(30), &env, |_| {});
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}");
    let logs = function.logs();
    assert!(
        logs.contains("\"level\":\"TRACE\"") || logs.contains("\"level\":\"DEBUG\"") || logs.contains("\"evaluation\""),
        "the function logged nothing: {logs}"
    );
    assert!(
        !logs.contains(SECRET),
        "the secret reached the log: {}",
        function.log.display()
    );
    assert!(!format!("{outcome:?}").contains(SECRET));
}

/// At TRACE, a value the rule reads from Lambda (`GetFunctionConfiguration`, which returns
/// environment values in clear) reaches no log line either: not from the SDK's response
/// handling, not from the runtime, not in the annotation.
#[test]
fn trace_logs_leak_no_environment_value_read_from_lambda() {
    // AWS's documentation example of an access key id, with a marker of this test.
    const SECRET: &str = "AKIAIOSFODNN7TRACE42";
    let emu = emulator();
    let rule = "lambda-env-no-plaintext-secrets";
    let function = unique("trace-env");
    let role = emu.create_role(&format!("{function}-role"));
    emu.create_function(
        &function,
        &role,
        "python3.12",
        json!({"Environment": {"Variables": {"UPLOAD_KEY_ID": SECRET}}}),
    );
    let mut event = load_event(rule, "non_compliant");
    let mut inner: Value = serde_json::from_str(event["invokingEvent"].as_str().unwrap()).unwrap();
    let item = &mut inner["configurationItem"];
    item["resourceId"] = json!(function);
    item["resourceName"] = json!(function);
    item["configuration"]["functionName"] = json!(function);
    event["invokingEvent"] = json!(inner.to_string());
    let env = [("AWS_LAMBDA_LOG_LEVEL".to_string(), "TRACE".to_string())];
    let (outcome, _, run) = invoke(emu, rule, event, Duration::from_secs(30), &env, |_| {});
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}");
    let logs = run.logs();
    // NON_COMPLIANT only when the rule read the value: otherwise the test would prove nothing.
    assert!(
        logs.contains(&format!(
            "\"resource_id\":\"{function}\",\"compliance\":\"NON_COMPLIANT\""
        )),
        "the rule did not find the key: {logs}"
    );
    assert!(
        !logs.contains(SECRET),
        "the secret reached the log: {}",
        run.log.display()
    );
    assert!(!format!("{outcome:?}").contains(SECRET));
}
