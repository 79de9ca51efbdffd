//! The least-privilege contract: each rule's function, run through every one of its sample
//! events (and a periodic run) against a seeded account with the parameters that take every
//! code path, calls exactly the AWS operations its role grants — none it lacks (it would fail
//! in AWS with AccessDenied), none granted and never called (wider than needed).
//!
//! The emulator records who signed each call (the access key, one per function here) and
//! names it as IAM does; the role is the rule's `required_permissions`, which
//! `tests/template.rs` checks the generated template grants exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeSet;
use std::time::Duration;

use config_rules::catalog::metas;
use config_rules_core::ReportsOn;
use e2e_tests::emulator::Emulator;
use e2e_tests::runtime::Function;
use e2e_tests::{log_dir, rule_binary, unique};
use serde_json::{json, Value};

/// Parameters that take every code path that calls AWS.
fn all_paths_parameters(rule: &str) -> Value {
    match rule {
        "iam-access-keys-rotated" => json!({"flagUnusedKeys": "true"}),
        "lambda-code-signing-enabled" => json!({"requireEnforce": "true"}),
        "required-tags" => json!({"tagKeys": "owner"}),
        "dynamodb-table-protected" => json!({"requireCustomerManagedKey": "true"}),
        _ => json!({}),
    }
}

#[test]
fn each_function_calls_exactly_what_its_role_grants() {
    let emu = Emulator::start_private();
    emu.seed_demo();
    // The samples' account: the items behind the oversized samples, and the functions the code
    // signing samples ask about (one signed, so GetCodeSigningConfig runs).
    e2e_tests::samples::prepare(&emu);

    let mut failures = Vec::new();
    for meta in metas() {
        let key = format!("fn-{}", meta.id);
        let mut env = emu.aws_env();
        env.retain(|(k, _)| k != "AWS_ACCESS_KEY_ID");
        env.push(("AWS_ACCESS_KEY_ID".to_string(), key.clone()));
        let log = log_dir().join(format!("{}.log", unique(&format!("contract-{}", meta.id))));
        let mut function = Function::start(&rule_binary(meta.id), meta.id, &env, log);
        for sample in e2e_tests::samples::samples(Some(meta.id)) {
            let mut event = sample.event;
            // A real result token: the engine then reads stored results where it would in AWS.
            let token = unique("contract");
            let rule_name = unique(meta.id);
            emu.register_token(&token, &rule_name);
            event["resultToken"] = json!(token);
            event["configRuleName"] = json!(rule_name);
            event["ruleParameters"] = json!(all_paths_parameters(meta.id).to_string());
            // Whatever the outcome (some sample resources do not exist here), the calls count.
            function.invoke_with_deadline(
                event.to_string().into_bytes(),
                Duration::from_secs(60),
                Duration::from_secs(90),
            );
        }
        let called: BTreeSet<String> = emu
            .calls()
            .iter()
            .filter(|c| c["accessKey"] == key.as_str())
            .filter_map(|c| {
                let (service, operation) = (c["service"].as_str()?, c["operation"].as_str()?);
                (!operation.is_empty()).then(|| format!("{service}:{operation}"))
            })
            .collect();
        let granted: BTreeSet<String> = meta.required_actions().into_iter().map(String::from).collect();
        let missing: Vec<&String> = called.difference(&granted).collect();
        let unused: Vec<&String> = granted.difference(&called).collect();
        if !missing.is_empty() || !unused.is_empty() {
            failures.push(format!(
                "{}: calls without a grant {missing:?}; granted, never called {unused:?} (log {})",
                meta.id,
                function.log.display()
            ));
        }
        // Every rule that judges items was also asked about an oversized item.
        if meta.reports_on == ReportsOn::EachResource && meta.trigger.on_change() {
            assert!(
                called.contains("config:GetResourceConfigHistory"),
                "{}: no oversized sample",
                meta.id
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
