//! The Lambda artifact `make build` produces, run as Lambda would: `make test` builds one rule
//! with cargo-lambda exactly as `make build` does (debug, x86_64, so this machine can run it),
//! checks the zip (tests/check_artifacts.py), unpacks `bootstrap`, and runs this test, which
//! starts it under the test Runtime API and has it answer one event against the emulator.
//! Ignored in a plain `cargo test`, which does not build the artifact; `make test` runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::time::Duration;

use e2e_tests::emulator::emulator;
use e2e_tests::runtime::{Function, Outcome};
use e2e_tests::{log_dir, unique, workspace_root};
use serde_json::Value;

#[test]
#[ignore = "needs the artifact `make test` builds first (target/lambda-check)"]
fn the_built_bootstrap_starts_and_answers_an_invocation() {
    let rule = "lambda-timeout-within-limit";
    let bootstrap = workspace_root()
        .join("target/lambda-check")
        .join(rule)
        .join("bootstrap");
    assert!(
        bootstrap.exists(),
        "{} is missing: run `make test` (or `make lambda-artifact`)",
        bootstrap.display()
    );
    let emu = emulator();
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("events").join(rule).join("non_compliant.json")).unwrap(),
    )
    .unwrap();
    let log = log_dir().join(format!("{}.log", unique("artifact")));
    let mut function = Function::start(&bootstrap, rule, &emu.aws_env(), log);
    let outcome = function.invoke_with_deadline(
        event.to_string().into_bytes(),
        Duration::from_secs(30),
        Duration::from_secs(60),
    );
    let Outcome::Response(summary) = outcome else {
        panic!("expected a response, got {outcome:?}; see {}", function.log.display())
    };
    assert_eq!(summary["rule"], rule);
    assert_eq!(summary["nonCompliant"], 1, "{summary}");
    assert_eq!(summary["putEvaluationsCalls"], 1);
}
