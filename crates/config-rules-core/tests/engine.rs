//! The engine with a small test rule and a fake AWS Config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use config_rules_core::config_api::ReportedResource;
use config_rules_core::post::{post_evaluations, post_evaluations_within};
use config_rules_core::runner::{handle, handle_within};
use config_rules_core::testing::{FakeConfig, PutCall, PutOutcome};
use config_rules_core::{
    async_trait, AccountContext, AnyRule, Budget, Compliance, ConfigurationItem, Error, Evaluation, FromParams,
    Invocation, ItemContext, ParamKind, ParamSpec, ParamValues, ReportsOn, ResourceVerdict, Rule, RuleEvent, RuleMeta,
    Trigger, Verdict,
};
use serde_json::{json, Value};

const META: RuleMeta = RuleMeta {
    id: "test-rule",
    summary: "A rule for tests: functions with a `bad` flag are NON_COMPLIANT.",
    source: "//! # test-rule\n",
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::ChangeAndPeriodic,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec {
        name: "limit",
        kind: ParamKind::Integer { min: 1, max: 10 },
        default: Some("5"),
        required: false,
        description: "A limit.",
    }],
    item_calls_aws: false,
    timeout_seconds: 10,
    ..RuleMeta::DEFAULT
};

struct Params;
impl FromParams for Params {
    fn from_params(_: &ParamValues) -> Result<Self, Error> {
        Ok(Params)
    }
}

/// Counts calls; its periodic sweep reports `sweep` functions.
#[derive(Default)]
struct TestRule {
    item_calls: AtomicUsize,
    sweep: Vec<String>,
}

#[async_trait]
impl Rule for TestRule {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_item(&self, item: &ConfigurationItem, _: &ItemContext, _: &Params) -> Result<Verdict, Error> {
        self.item_calls.fetch_add(1, Ordering::SeqCst);
        Ok(
            if item.configuration.get("bad").and_then(Value::as_bool) == Some(true) {
                Verdict::non_compliant("bad")
            } else {
                Verdict::compliant("good")
            },
        )
    }
    async fn evaluate_account(&self, _: &AccountContext, _: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        Ok(self
            .sweep
            .iter()
            .map(|id| ResourceVerdict {
                resource_type: "AWS::Lambda::Function".into(),
                resource_id: id.clone(),
                verdict: Verdict::compliant("swept"),
            })
            .collect())
    }
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const CAPTURE: &str = "2026-11-20T08:15:30.123Z";

fn item_json(status: &str, tags: Value, config: Value) -> Value {
    json!({"resourceType": "AWS::Lambda::Function", "resourceId": "fn-1", "configurationItemStatus": status,
           "configurationItemCaptureTime": CAPTURE, "awsAccountId": "123456789012", "tags": tags, "configuration": config})
}

fn change_event(item: Value, params: Value, left_scope: bool, token: &str) -> Value {
    json!({
        "invokingEvent": json!({"configurationItem": item, "notificationCreationTime": "2026-11-20T08:15:31.000Z",
                                "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
        "ruleParameters": params.to_string(),
        "resultToken": token,
        "eventLeftScope": left_scope,
        "configRuleName": "test-rule",
        "accountId": "123456789012"
    })
}

async fn evaluate(raw: &Value, rule: &TestRule, config: &FakeConfig) -> Result<Vec<Evaluation>, Error> {
    let event = RuleEvent::parse(raw)?;
    rule.evaluate_event(&event, config).await
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

#[test]
fn every_sample_event_parses_to_its_message_type() {
    let mut seen = 0;
    for rule_dir in std::fs::read_dir(events_dir()).unwrap() {
        for file in std::fs::read_dir(rule_dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if !path.is_file() {
                continue; // expected/: the results, not events
            }
            let raw: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let event = RuleEvent::parse(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let expected = match name.as_str() {
                "oversized" => "OversizedConfigurationItemChangeNotification",
                n if n.starts_with("scheduled") => "ScheduledNotification",
                _ => "ConfigurationItemChangeNotification",
            };
            assert_eq!(event.invocation.message_type(), expected, "{}", path.display());
            assert_eq!(event.evaluation_mode.as_deref(), Some("DETECTIVE"));
            assert_eq!(event.account_id.as_deref(), Some("123456789012"));
            assert!(event.is_test_mode(), "sample events use the TESTMODE token");
            seen += 1;
        }
    }
    // Each sample has its expected results (events/<rule>/expected/<name>.json) and each
    // expected file its sample: the counts must agree.
    let expected = std::fs::read_dir(events_dir())
        .unwrap()
        .filter_map(|d| std::fs::read_dir(d.unwrap().path().join("expected")).ok())
        .flat_map(|files| files.map(|f| f.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(seen, expected, "sample events and expected results differ in number");
}

#[test]
fn malformed_events_name_the_field() {
    let good = change_event(item_json("OK", json!({}), json!({})), json!({}), false, "t");
    let cases: Vec<(Value, &str)> = vec![
        (json!("not an object"), "malformed event: event: expected a JSON object, found a string"),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!("{\"messageType\": "); e },
         "malformed event: invokingEvent: not JSON: EOF while parsing a value at line 1 column 16"),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!({"a": 1}); e },
         "malformed event: invokingEvent: expected a string, found an object"),
        ({ let mut e = good.clone(); e.as_object_mut().unwrap().remove("invokingEvent"); e },
         "malformed event: invokingEvent: missing"),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!("{\"messageType\":\"Surprise\"}"); e },
         "malformed event: invokingEvent.messageType: unknown message type \"Surprise\""),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!("{\"messageType\":\"ConfigurationItemChangeNotification\"}"); e },
         "malformed event: invokingEvent.configurationItem: missing"),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!("{\"messageType\":\"ScheduledNotification\",\"awsAccountId\":\"1\"}"); e },
         "malformed event: invokingEvent.notificationCreationTime: missing"),
        ({ let mut e = good.clone(); e["invokingEvent"] = json!("{\"messageType\":\"ScheduledNotification\",\"awsAccountId\":\"1\",\"notificationCreationTime\":\"yesterday\"}"); e },
         "malformed event: invokingEvent.notificationCreationTime: \"yesterday\" is not an RFC 3339 time: premature end of input"),
        ({ let mut e = good.clone(); e["ruleParameters"] = json!("{maxTimeout"); e },
         "malformed event: ruleParameters: not JSON: key must be a string at line 1 column 2"),
        ({ let mut e = good.clone(); e["eventLeftScope"] = json!("no"); e },
         "malformed event: eventLeftScope: expected a boolean, found a string"),
        ({ let mut e = good.clone(); e.as_object_mut().unwrap().remove("resultToken"); e },
         "malformed event: resultToken: missing"),
    ];
    for (raw, message) in cases {
        let err = RuleEvent::parse(&raw).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(err.error_type(), "MalformedEvent");
    }
}

#[tokio::test]
async fn change_events_are_judged_by_the_rule_with_the_capture_time() {
    let rule = TestRule::default();
    let config = FakeConfig::new();
    let raw = change_event(item_json("OK", json!({}), json!({"bad": true})), json!({}), false, "t");
    let evaluations = evaluate(&raw, &rule, &config).await.unwrap();
    assert_eq!(
        evaluations,
        vec![Evaluation::new(
            "AWS::Lambda::Function",
            "fn-1",
            Verdict::non_compliant("bad"),
            time(CAPTURE)
        )]
    );
    assert_eq!(rule.item_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn inapplicable_items_are_not_applicable_without_calling_the_rule() {
    let other_type = {
        let mut i = item_json("OK", json!({}), json!({}));
        i["resourceType"] = json!("AWS::S3::Bucket");
        i
    };
    let cases: Vec<(Value, bool, &str)> = vec![
        (
            item_json("ResourceDeleted", json!({}), Value::Null),
            false,
            "The resource was deleted.",
        ),
        (
            item_json("ResourceDeletedNotRecorded", json!({}), Value::Null),
            false,
            "The resource was deleted.",
        ),
        (
            item_json("ResourceNotRecorded", json!({}), Value::Null),
            false,
            "AWS Config does not record this resource's configuration.",
        ),
        (
            item_json("OK", json!({}), json!({})),
            true,
            "The resource left the rule's scope.",
        ),
        (
            other_type,
            false,
            "Rule test-rule does not evaluate resources of type AWS::S3::Bucket.",
        ),
        (
            item_json("OK", json!({"config-rules:exempt": "all"}), json!({"bad": true})),
            false,
            "Exempted from test-rule by tag config-rules:exempt=all.",
        ),
        (
            item_json(
                "OK",
                json!({"config-rules:exempt": "other-rule test-rule"}),
                json!({"bad": true}),
            ),
            false,
            "Exempted from test-rule by tag config-rules:exempt=other-rule test-rule.",
        ),
    ];
    for (item, left_scope, annotation) in cases {
        let rule = TestRule::default();
        let resource_type = item["resourceType"].as_str().unwrap().to_string();
        let raw = change_event(item, json!({}), left_scope, "t");
        let evaluations = evaluate(&raw, &rule, &FakeConfig::new()).await.unwrap();
        assert_eq!(
            evaluations,
            vec![Evaluation::new(
                resource_type,
                "fn-1",
                Verdict::not_applicable(annotation),
                time(CAPTURE)
            )]
        );
        assert_eq!(rule.item_calls.load(Ordering::SeqCst), 0, "{annotation}");
    }
}

#[tokio::test]
async fn exemption_for_another_rule_does_not_apply() {
    let rule = TestRule::default();
    let raw = change_event(
        item_json("OK", json!({"config-rules:exempt": "test-rule-2"}), json!({})),
        json!({}),
        false,
        "t",
    );
    let evaluations = evaluate(&raw, &rule, &FakeConfig::new()).await.unwrap();
    assert_eq!(evaluations[0].compliance, Compliance::Compliant);
}

#[tokio::test]
async fn invalid_parameters_are_an_error_and_nothing_is_posted() {
    let rule = TestRule::default();
    let config = FakeConfig::new();
    let raw = change_event(item_json("OK", json!({}), json!({})), json!({"limit": "0"}), false, "t");
    let err = handle(&rule, &config, &raw, Duration::ZERO).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid rule parameter limit: 0 is out of range (expected an integer from 1 to 10)"
    );
    assert_eq!(err.error_type(), "InvalidParameters");
    assert!(config.calls().is_empty());
    assert_eq!(rule.item_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn oversized_items_are_fetched_at_the_capture_time() {
    let raw: Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("lambda-timeout-within-limit/oversized.json")).unwrap(),
    )
    .unwrap();
    let full = ConfigurationItem::from_api_json(
        &json!({"accountId": "123456789012", "resourceType": "AWS::Lambda::Function", "resourceId": "nightly-report",
                "configurationItemStatus": "OK", "configurationItemCaptureTime": CAPTURE,
                "configuration": "{\"functionName\":\"nightly-report\",\"bad\":true}"}),
        "item",
    )
    .unwrap();
    let config = FakeConfig::new().with_item(full);
    let rule = TestRule::default();
    let evaluations = evaluate(&raw, &rule, &config).await.unwrap();
    assert_eq!(
        config.history_requests(),
        vec![(
            "AWS::Lambda::Function".to_string(),
            "nightly-report".to_string(),
            time(CAPTURE)
        )]
    );
    assert_eq!(
        evaluations,
        vec![Evaluation::new(
            "AWS::Lambda::Function",
            "nightly-report",
            Verdict::non_compliant("bad"),
            time(CAPTURE)
        )]
    );
}

#[tokio::test]
async fn oversized_item_missing_from_history_is_an_aws_error() {
    let raw: Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("lambda-timeout-within-limit/oversized.json")).unwrap(),
    )
    .unwrap();
    let err = evaluate(&raw, &TestRule::default(), &FakeConfig::new())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "AwsApi");
    assert!(
        err.to_string()
            .contains("no configuration item for AWS::Lambda::Function nightly-report"),
        "{err}"
    );
}

fn many(n: usize) -> Vec<Evaluation> {
    (0..n)
        .map(|i| {
            Evaluation::new(
                "AWS::Lambda::Function",
                format!("fn-{i:04}"),
                Verdict::compliant("ok"),
                time(CAPTURE),
            )
        })
        .collect()
}

#[tokio::test]
async fn evaluations_are_posted_in_batches_of_at_most_100() {
    for (n, sizes) in [
        (0, vec![]),
        (1, vec![1]),
        (100, vec![100]),
        (101, vec![100, 1]),
        (250, vec![100, 100, 50]),
    ] {
        let config = FakeConfig::new();
        let evaluations = many(n);
        let report = post_evaluations(&config, "tok", false, &evaluations, Duration::ZERO)
            .await
            .unwrap();
        let calls = config.calls();
        assert_eq!(
            calls.iter().map(|c| c.evaluations.len()).collect::<Vec<_>>(),
            sizes,
            "n={n}"
        );
        let posted: Vec<Evaluation> = calls.into_iter().flat_map(|c| c.evaluations).collect();
        assert_eq!(posted, evaluations);
        assert_eq!(report.posted, n);
    }
}

#[tokio::test]
async fn failed_evaluations_are_sent_again() {
    let config = FakeConfig::new().script([PutOutcome::FailFirst(3), PutOutcome::FailFirst(1)]);
    let evaluations = many(5);
    let report = post_evaluations(&config, "tok", false, &evaluations, Duration::ZERO)
        .await
        .unwrap();
    let calls = config.calls();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].evaluations, evaluations);
    assert_eq!(calls[1].evaluations, evaluations[..3].to_vec());
    assert_eq!(calls[2].evaluations, evaluations[..1].to_vec());
    assert_eq!(report.posted, 5);
}

#[tokio::test]
async fn posting_that_keeps_failing_is_an_error_with_counts() {
    // Batch 1 (100) fails outright; batch 2 (50) keeps coming back in FailedEvaluations.
    let config = FakeConfig::new()
        .script(std::iter::once(PutOutcome::Error).chain(std::iter::repeat_n(PutOutcome::FailFirst(50), 10)));
    let err = post_evaluations(&config, "tok", false, &many(150), Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Unposted {
            unposted: 150,
            total: 150,
            reason: "50 evaluations returned in FailedEvaluations".into()
        }
    );
    assert_eq!(err.error_type(), "Unposted");
    // One call for batch 1, then the first try and four re-sends for batch 2.
    assert_eq!(config.calls().len(), 6);
}

#[tokio::test]
async fn a_failed_batch_does_not_stop_the_next_one() {
    let config = FakeConfig::new().script([PutOutcome::Error]);
    let err = post_evaluations(&config, "tok", false, &many(150), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unposted {
                unposted: 100,
                total: 150,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(config.calls()[1].evaluations.len(), 50);
}

#[tokio::test]
async fn handler_posts_exactly_what_the_rule_decided() {
    let rule = TestRule::default();
    let config = FakeConfig::new();
    let raw = change_event(
        item_json("OK", json!({}), json!({"bad": true})),
        json!({"limit": "3"}),
        false,
        "token-abc",
    );
    let summary = handle(&rule, &config, &raw, Duration::ZERO).await.unwrap();
    assert_eq!(
        config.calls(),
        vec![PutCall {
            result_token: "token-abc".into(),
            test_mode: false,
            evaluations: vec![Evaluation::new(
                "AWS::Lambda::Function",
                "fn-1",
                Verdict::non_compliant("bad"),
                time(CAPTURE)
            )],
        }]
    );
    assert_eq!(
        summary,
        json!({"rule": "test-rule", "messageType": "ConfigurationItemChangeNotification", "evaluations": 1,
               "compliant": 0, "nonCompliant": 1, "notApplicable": 0, "putEvaluationsCalls": 1})
    );
}

#[tokio::test]
async fn testmode_token_posts_in_test_mode() {
    let config = FakeConfig::new();
    let raw = change_event(item_json("OK", json!({}), json!({})), json!({}), false, "TESTMODE");
    handle(&TestRule::default(), &config, &raw, Duration::ZERO)
        .await
        .unwrap();
    let calls = config.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].result_token, "TESTMODE");
    assert!(calls[0].test_mode);
}

#[tokio::test]
async fn handler_fails_when_posting_fails() {
    let config = FakeConfig::new().script(std::iter::repeat_n(PutOutcome::Error, 3));
    let raw = change_event(item_json("OK", json!({}), json!({})), json!({}), false, "t");
    let err = handle(&TestRule::default(), &config, &raw, Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 of 1 evaluations were not posted to AWS Config: AWS API call PutEvaluations failed: ThrottlingException: Rate exceeded"
    );
}

fn scheduled_event() -> Value {
    json!({
        "invokingEvent": json!({"awsAccountId": "123456789012", "notificationCreationTime": "2026-11-28T00:00:00.000Z",
                                "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "resultToken": "t", "eventLeftScope": false, "configRuleName": "test-rule"
    })
}

#[tokio::test]
async fn periodic_runs_retire_resources_that_are_gone() {
    let rule = TestRule {
        sweep: vec!["a".into(), "b".into()],
        ..TestRule::default()
    };
    let reported = |id: &str, c| ReportedResource {
        resource_type: "AWS::Lambda::Function".into(),
        resource_id: id.into(),
        compliance: c,
    };
    let mut config = FakeConfig::new();
    config.reported = vec![
        reported("a", Compliance::Compliant),
        reported("gone", Compliance::NonCompliant),
        reported("gone", Compliance::NonCompliant),
        reported("retired", Compliance::NotApplicable),
    ];
    let event = RuleEvent::parse(&scheduled_event()).unwrap();
    assert!(matches!(event.invocation, Invocation::Scheduled { .. }));
    let evaluations = rule.evaluate_event(&event, &config).await.unwrap();
    let t = time("2026-11-28T00:00:00Z");
    assert_eq!(
        evaluations,
        vec![
            Evaluation::new("AWS::Lambda::Function", "a", Verdict::compliant("swept"), t),
            Evaluation::new("AWS::Lambda::Function", "b", Verdict::compliant("swept"), t),
            Evaluation::new(
                "AWS::Lambda::Function",
                "gone",
                Verdict::not_applicable("The resource no longer exists."),
                t
            ),
        ]
    );
}

/// When the last function (user, key, API) is deleted, the sweep finds nothing: its stored
/// result must still be retired, not left NON_COMPLIANT forever.
#[tokio::test]
async fn an_empty_sweep_retires_every_stored_result() {
    let rule = TestRule::default();
    let mut config = FakeConfig::new();
    config.reported = vec![ReportedResource {
        resource_type: "AWS::Lambda::Function".into(),
        resource_id: "last-one".into(),
        compliance: Compliance::NonCompliant,
    }];
    let event = RuleEvent::parse(&scheduled_event()).unwrap();
    let evaluations = rule.evaluate_event(&event, &config).await.unwrap();
    assert_eq!(
        evaluations,
        vec![Evaluation::new(
            "AWS::Lambda::Function",
            "last-one",
            Verdict::not_applicable("The resource no longer exists."),
            time("2026-11-28T00:00:00Z")
        )]
    );
}

/// A rule's sweep that reports an invalid resource id (empty, or over PutEvaluations' 768
/// characters) fails the invocation naming the field; nothing is posted.
#[tokio::test]
async fn invalid_evaluations_fail_the_invocation_before_posting() {
    for bad in [String::new(), "x".repeat(769)] {
        let rule = TestRule {
            sweep: vec!["ok".into(), bad],
            ..TestRule::default()
        };
        let config = FakeConfig::new();
        let err = handle(&rule, &config, &scheduled_event(), Duration::from_millis(1))
            .await
            .unwrap_err();
        assert_eq!(err.error_type(), "InvalidEvaluation");
        assert!(
            err.to_string()
                .starts_with("invalid evaluation: ComplianceResourceId: "),
            "{err}"
        );
        assert!(config.calls().is_empty(), "nothing may be posted");
    }
}

#[tokio::test]
async fn scheduled_event_for_a_change_only_rule_posts_nothing() {
    struct ChangeOnly;
    const CHANGE_ONLY: RuleMeta = RuleMeta {
        trigger: Trigger::Change,
        ..META
    };
    #[async_trait]
    impl Rule for ChangeOnly {
        type Params = ();
        fn meta(&self) -> &'static RuleMeta {
            &CHANGE_ONLY
        }
    }
    let mut raw = scheduled_event();
    raw["ruleParameters"] = json!("");
    let event = RuleEvent::parse(&raw).unwrap();
    // An empty parameter string is fine; `()` parameters ignore defaults.
    let config = FakeConfig::new();
    assert_eq!(ChangeOnly.evaluate_event(&event, &config).await.unwrap(), vec![]);
}

/// A rule that never finishes (an AWS call that hangs): the invocation ends with a Deadline
/// error within its budget, and nothing is posted.
#[tokio::test]
async fn a_rule_that_hangs_ends_in_a_deadline_error_within_the_budget() {
    struct Hangs;
    #[async_trait]
    impl Rule for Hangs {
        type Params = Params;
        fn meta(&self) -> &'static RuleMeta {
            &META
        }
        async fn evaluate_account(&self, _: &AccountContext, _: &Params) -> Result<Vec<ResourceVerdict>, Error> {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(Vec::new())
        }
    }
    let config = FakeConfig::new();
    let started = std::time::Instant::now();
    let budget = Budget::until(started + Duration::from_millis(300));
    let err = handle_within(&Hangs, &config, &scheduled_event(), Duration::ZERO, budget)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "Deadline");
    assert!(
        err.to_string()
            .starts_with("the invocation's deadline came while the rule was still judging"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(config.calls().is_empty());
}

/// PutEvaluations that does not answer: the invocation stops waiting at its budget and says
/// how many evaluations were not posted; later batches are not started.
#[tokio::test]
async fn posting_that_hangs_is_cut_at_the_budget_and_counted() {
    let config = FakeConfig::new().script([PutOutcome::Accept, PutOutcome::Hang(Duration::from_secs(30))]);
    let started = std::time::Instant::now();
    let budget = Budget::until(started + Duration::from_millis(300));
    let err = post_evaluations_within(&config, "tok", false, &many(250), Duration::ZERO, budget)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "150 of 250 evaluations were not posted to AWS Config: the invocation's deadline was near, so posting stopped"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(config.calls().len(), 2, "the third batch is never started");
}

/// Re-sending FailedEvaluations stops when the next wait would pass the budget.
#[tokio::test]
async fn resends_stop_before_the_budget_runs_out() {
    let config = FakeConfig::new().script(std::iter::repeat_n(PutOutcome::FailFirst(100), 10));
    let started = std::time::Instant::now();
    let budget = Budget::until(started + Duration::from_millis(500));
    let err = post_evaluations_within(&config, "tok", false, &many(100), Duration::from_millis(200), budget)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unposted {
                unposted: 100,
                total: 100,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("the invocation's deadline was near, so posting stopped"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "took {:?}",
        started.elapsed()
    );
}

/// A panic anywhere in the rule (or a library it calls) becomes an error response.
#[tokio::test]
async fn a_panic_in_a_rule_is_an_error_not_a_dead_process() {
    struct Panics;
    #[async_trait]
    impl Rule for Panics {
        type Params = Params;
        fn meta(&self) -> &'static RuleMeta {
            &META
        }
        async fn evaluate_account(&self, _: &AccountContext, _: &Params) -> Result<Vec<ResourceVerdict>, Error> {
            let uri: Option<u8> = None;
            // What the SDK did with a 64 KiB function name: panic while building the request.
            Ok(vec![ResourceVerdict {
                resource_type: "T".into(),
                resource_id: uri.map(|u| u.to_string()).expect("InvalidUri(TooLong)"),
                verdict: Verdict::compliant("never"),
            }])
        }
    }
    let config = FakeConfig::new();
    let err = handle(&Panics, &config, &scheduled_event(), Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "Panic");
    assert_eq!(
        err.to_string(),
        "the rule panicked: InvalidUri(TooLong); nothing was posted"
    );
    assert!(config.calls().is_empty());
}
