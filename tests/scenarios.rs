//! Every sample event, end to end, driven by data: each rule's real binary under the test
//! Lambda Runtime API gets each of its `events/<rule>/*.json` (with a real result token), and
//! what the emulator's AWS Config then stores for that rule must be exactly
//! `events/<rule>/expected/<name>.json`, the same file the CLI test checks `evaluate --event`
//! against. Adding a scenario is adding those two files; stateful scenarios (faults, sweeps
//! over seeded resources, CloudTrail states) are written out in `e2e.rs` and `faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::collections::BTreeMap;
use std::time::Duration;

use e2e_tests::emulator::Emulator;
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::samples::{prepare, samples, Sample};
use e2e_tests::{log_dir, rule_binary, unique};
use serde_json::{json, Value};

/// (type, id, compliance, annotation) of each evaluation, sorted.
fn rows(evaluations: &[Value]) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = evaluations
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (
                s("ComplianceResourceType"),
                s("ComplianceResourceId"),
                s("ComplianceType"),
                s("Annotation"),
            )
        })
        .collect();
    out.sort();
    out
}

/// What the emulator's Config holds for `rule_name`, in PutEvaluations shape.
fn stored(emu: &Emulator, rule_name: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"ConfigRuleName": rule_name, "Limit": 100});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let page = emu.config_call("GetComplianceDetailsByConfigRule", body);
        for r in page["EvaluationResults"].as_array().cloned().unwrap_or_default() {
            let q = &r["EvaluationResultIdentifier"]["EvaluationResultQualifier"];
            out.push(
                json!({"ComplianceResourceType": q["ResourceType"], "ComplianceResourceId": q["ResourceId"],
                            "ComplianceType": r["ComplianceType"], "Annotation": r["Annotation"]}),
            );
        }
        token = page["NextToken"].as_str().map(str::to_string);
        if token.is_none() {
            return out;
        }
    }
}

#[test]
fn every_sample_event_stores_exactly_its_expected_results() {
    let emu = Emulator::start_private();
    prepare(&emu);
    let mut by_rule: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for s in samples(None) {
        by_rule.entry(s.rule.clone()).or_default().push(s);
    }
    let ids: Vec<&str> = config_rules::catalog::metas().iter().map(|m| m.id).collect();
    assert_eq!(
        by_rule.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = ids.clone();
            sorted.sort();
            sorted
        },
        "every rule has sample events, and every events/ folder is a rule"
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for (rule, samples) in by_rule {
        let log = log_dir().join(format!("{}.log", unique(&format!("scenarios-{rule}"))));
        let mut function = Function::start(&rule_binary(&rule), &rule, &emu.aws_env(), log);
        for sample in samples {
            let token = unique("scenario");
            let rule_name = unique(&rule);
            emu.register_token(&token, &rule_name);
            let mut event = sample.event.clone();
            event["resultToken"] = json!(token);
            event["configRuleName"] = json!(rule_name);
            let outcome = function.invoke_with_deadline(
                event.to_string().into_bytes(),
                Duration::from_secs(60),
                Duration::from_secs(90),
            );
            if !matches!(outcome, Outcome::Response(_)) {
                failures.push(format!(
                    "{rule}/{}: {outcome:?} (log {})",
                    sample.name,
                    function.log.display()
                ));
                continue;
            }
            let (got, want) = (rows(&stored(&emu, &rule_name)), rows(&sample.expected()));
            if got != want {
                failures.push(format!(
                    "{rule}/{}: stored {got:#?}\nexpected ({}) {want:#?}",
                    sample.name,
                    sample.expected_path().display()
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 0);
}
