//! The deployed functions honour the suppressions file the CLI reads, given as an SSM
//! parameter (`SuppressionsParameter`): read once per cold start, accepted findings posted as
//! NOT_APPLICABLE with the reason; a parameter that cannot be read fails the run, posting nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use config_rules_core::suppressions::PARAMETER_ENV;
use e2e_tests::emulator::Emulator;
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::{log_dir, rule_binary, unique, workspace_root};
use serde_json::{json, Value};

const RULE: &str = "lambda-timeout-within-limit";

fn event(emu: &Emulator, file: &str, rule_name: &str) -> Value {
    let path = workspace_root().join("events").join(RULE).join(format!("{file}.json"));
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let token = unique("token");
    emu.register_token(&token, rule_name);
    event["resultToken"] = json!(token);
    event["configRuleName"] = json!(rule_name);
    event
}

fn run(emu: &Emulator, parameter: &str, event: &Value) -> (Outcome, Function) {
    let mut env = emu.aws_env();
    env.push((PARAMETER_ENV.to_string(), parameter.to_string()));
    let mut function = Function::start(
        &rule_binary(RULE),
        RULE,
        &env,
        log_dir().join(format!("{}.log", unique(RULE))),
    );
    let outcome = function.invoke(event);
    (outcome, function)
}

fn stored(emu: &Emulator, rule_name: &str) -> Vec<(String, String, String)> {
    let out = emu.config_call("GetComplianceDetailsByConfigRule", json!({"ConfigRuleName": rule_name}));
    out["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["ComplianceType"].as_str().unwrap().to_string(),
                r["Annotation"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn accepted_findings_are_posted_not_applicable_with_the_reason() {
    let emu = Emulator::start_private();
    let file = "suppressions:\n  - rule: lambda-timeout-within-limit\n    resource: nightly-*\n    reason: the nightly batch needs 15 minutes\n    expires: 2099-01-01\n";
    emu.json_call(
        "ssm",
        "AmazonSSM.PutParameter",
        json!({"Name": "/config-rules/suppressions", "Type": "String", "Value": file}),
    );
    let rule_name = unique(RULE);
    let e = event(&emu, "non_compliant", &rule_name);
    let (outcome, function) = run(&emu, "/config-rules/suppressions", &e);
    assert!(
        matches!(outcome, Outcome::Response(_)),
        "{outcome:?}; {}",
        function.log.display()
    );
    assert_eq!(
        stored(&emu, &rule_name),
        vec![(
            "nightly-report".to_string(),
            "NOT_APPLICABLE".to_string(),
            "Suppressed (ssm:/config-rules/suppressions): the nightly batch needs 15 minutes, until 2099-01-01"
                .to_string()
        )]
    );
    let log = std::fs::read_to_string(&function.log).unwrap();
    assert!(log.contains("\"message\":\"suppressions loaded\""), "{log}");
    // The reason is the user's text; the file's other contents never reach the log.
    assert!(!log.contains("nightly-*"), "{log}");
}

#[test]
fn an_unreadable_parameter_fails_the_run_and_posts_nothing() {
    let emu = Emulator::start_private();
    let rule_name = unique(RULE);
    let e = event(&emu, "non_compliant", &rule_name);
    let (outcome, _) = run(&emu, "/config-rules/missing", &e);
    let Outcome::Error(body) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(body["errorType"], "Suppressions");
    assert!(
        body["errorMessage"].as_str().unwrap().starts_with(
            "suppressions file ssm:/config-rules/missing: AWS API call GetParameter failed: ParameterNotFound"
        ),
        "{body}"
    );
    assert!(emu.calls().iter().all(|c| c["operation"] != "PutEvaluations"));

    emu.json_call(
        "ssm",
        "AmazonSSM.PutParameter",
        json!({"Name": "/config-rules/bad", "Type": "String", "Value": "suppressions:\n  - {rule: '*', resource: x}\n"}),
    );
    let (outcome, _) = run(&emu, "/config-rules/bad", &e);
    let Outcome::Error(body) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("missing field `reason`"),
        "{body}"
    );
}
