//! Generated input against the event parser and every rule: arbitrary JSON in every field of
//! real-shaped events (wrong types, nulls, huge strings, deep nesting, invalid percent-encoding,
//! floats for integers). Nothing may panic; the outcome is an error naming a field, in a
//! bounded message, or evaluations that satisfy PutEvaluations' constraints.
//!
//! Bounded in time: a fixed number of cases per property (`PROPTEST_CASES` overrides), and
//! rules that call AWS meet a closed port with retries off, so each case takes milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::sync::OnceLock;

use config_rules_core::testing::FakeConfig;
use config_rules_core::{AnyRule, ConfigurationItem, RuleEvent};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Base items: the real-shaped fixtures (tests/fixtures/aws-items), in notification shape.
fn base_items() -> &'static Vec<Value> {
    static ITEMS: OnceLock<Vec<Value>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        let dir = e2e_tests::workspace_root().join("tests/fixtures/aws-items");
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        files
            .iter()
            .flat_map(|p| {
                let doc: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                doc["configurationItems"].as_array().unwrap().clone()
            })
            .map(|raw| serde_json::to_value(ConfigurationItem::from_api_json(&raw, "fixture").unwrap()).unwrap())
            .collect()
    })
}

/// Every path to a value in an item (objects and arrays included), as JSON pointers.
fn paths(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| paths(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| paths(x, format!("{at}/{i}"), out)),
        _ => {}
    }
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("*".to_string()),
        Just("a".repeat(70_000)),
        Just("%zz%7B%".to_string()),
        Just("%7B%22Statement%22%3A%22x%22%7D".to_string()),
        Just("arn:aws:s3:::*".to_string()),
        Just("../../etc".to_string()),
        Just("é🔒\u{0}\u{202e}".to_string()),
        "[a-zA-Z0-9*%:/{}\\[\\]\"\\\\ ,.-]{0,40}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        prop_oneof![Just(25.0), Just(-1.0), Just(2.5), Just(1e300), Just(-0.0)].prop_map(|f: f64| json!(f)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(hostile_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn change_event(item: &Value, params: &Value) -> Value {
    json!({
        "invokingEvent": json!({"configurationItem": item, "notificationCreationTime": "2026-11-28T06:00:00.000Z",
                                "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
        "ruleParameters": params.to_string(),
        "resultToken": "TESTMODE", "eventLeftScope": false, "accountId": "123456789012",
        "configRuleName": "property-test", "evaluationMode": "DETECTIVE"
    })
}

struct World {
    runtime: tokio::runtime::Runtime,
    rules: Vec<Box<dyn AnyRule>>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sdk = runtime.block_on(async {
            // Nothing listens on port 1: every AWS call fails at once, after building its request.
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url("http://127.0.0.1:1")
                .credentials_provider(aws_sdk_config::config::Credentials::new("x", "x", None, None, "test"))
                .retry_config(aws_config::retry::RetryConfig::disabled())
                .load()
                .await
        });
        let rules = config_rules::catalog::metas()
            .iter()
            .map(|m| config_rules::catalog::build(m.id, &sdk).unwrap())
            .collect();
        World { runtime, rules }
    })
}

/// The bound on any error message or annotation: no input makes an unbounded line.
const MAX_MESSAGE_CHARS: usize = 1_000;

fn check_all_rules(raw_event: &Value) -> Result<(), TestCaseError> {
    let w = world();
    let event = match RuleEvent::parse(raw_event) {
        Ok(e) => e,
        Err(err) => {
            prop_assert!(
                err.to_string().chars().count() <= MAX_MESSAGE_CHARS,
                "unbounded error: {} chars",
                err.to_string().len()
            );
            return Ok(());
        }
    };
    for rule in &w.rules {
        let mut event = event.clone();
        if rule.meta().id == "required-tags" {
            event.rule_parameters = Some(json!({"tagKeys": "team"}));
        }
        match w.runtime.block_on(rule.evaluate_event(&event, &FakeConfig::new())) {
            Ok(evaluations) => {
                for e in &evaluations {
                    prop_assert!(e.validate().is_ok(), "{}: invalid evaluation {e:?}", rule.meta().id);
                    prop_assert!(e.annotation.chars().count() <= 256);
                }
            }
            Err(err) => {
                let text = err.to_string();
                prop_assert!(
                    text.chars().count() <= MAX_MESSAGE_CHARS,
                    "{}: unbounded error of {} chars",
                    rule.meta().id,
                    text.len()
                );
            }
        }
    }
    Ok(())
}

/// The hostile strings every identifier is tried with, exhaustively.
fn hostile_strings() -> Vec<String> {
    vec![
        String::new(),
        "*".to_string(),
        "a".repeat(70_000),
        "%zz%7B%".to_string(),
        "../../etc".to_string(),
        "arn:aws:apigateway:us-east-1::/restapis/".to_string(),
        format!("arn:aws:apigateway:us-east-1::/restapis/{}", "b".repeat(70_000)),
        "é🔒\u{0}\u{202e}".to_string(),
        "name with spaces?x=1#y".to_string(),
    ]
}

/// Every identifier a rule may put into an AWS request (a 64 KiB function name once made the
/// SDK panic while building the request URI), in every real-shaped item, with every hostile
/// string: deterministic and exhaustive rather than sampled.
#[test]
fn hostile_identifiers_never_panic() {
    const FIELDS: &[&str] = &[
        "/resourceId",
        "/resourceName",
        "/ARN",
        "/configuration/functionName",
        "/configuration/id",
        "/configuration/apiId",
        "/configuration/name",
        "/configuration/stageName",
        "/configuration/keyId",
    ];
    for base in base_items() {
        for field in FIELDS {
            for value in hostile_strings() {
                let mut item = base.clone();
                let (parent, key) = field.rsplit_once('/').unwrap();
                let parent = if parent.is_empty() {
                    Some(&mut item)
                } else {
                    item.pointer_mut(parent)
                };
                if let Some(Value::Object(m)) = parent {
                    m.insert(key.to_string(), Value::String(value));
                }
                if let Err(e) = check_all_rules(&change_event(&item, &json!({}))) {
                    panic!("{field} of {}: {e}", base["resourceType"]);
                }
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Any value at any path of a real-shaped item.
    #[test]
    fn any_value_anywhere_in_an_item_never_panics(which in 0usize..1000, at in 0usize..10_000, value in arb_json()) {
        let items = base_items();
        let mut item = items[which % items.len()].clone();
        let mut all = Vec::new();
        paths(&item, String::new(), &mut all);
        let path = &all[at % all.len()];
        if path.is_empty() {
            item = value;
        } else if let Some(slot) = item.pointer_mut(path) {
            *slot = value;
        }
        check_all_rules(&change_event(&item, &json!({})))?;
    }

    /// Several fields of one item replaced at once, and hostile rule parameters.
    #[test]
    fn several_hostile_fields_and_parameters_never_panic(
        which in 0usize..1000,
        fields in prop::collection::vec((0usize..10_000, arb_json()), 1..5),
        params in arb_json(),
    ) {
        let items = base_items();
        let mut item = items[which % items.len()].clone();
        for (at, value) in fields {
            let mut all = Vec::new();
            paths(&item, String::new(), &mut all);
            let path = all[at % all.len()].clone();
            if let Some(slot) = item.pointer_mut(&path).filter(|_| !path.is_empty()) {
                *slot = value;
            }
        }
        check_all_rules(&change_event(&item, &params))?;
    }

    /// Arbitrary JSON in the event's own fields, and in the invoking event's.
    #[test]
    fn any_event_shape_never_panics(
        invoking in arb_json(),
        message_type in prop_oneof![
            Just(json!("ConfigurationItemChangeNotification")),
            Just(json!("OversizedConfigurationItemChangeNotification")),
            Just(json!("ScheduledNotification")),
            arb_json(),
        ],
        token in arb_json(),
        params in arb_json(),
        left_scope in arb_json(),
    ) {
        let mut inner = match invoking {
            Value::Object(m) => Value::Object(m),
            other => json!({"configurationItem": other}),
        };
        inner["messageType"] = message_type;
        let event = json!({
            "invokingEvent": inner.to_string(),
            "ruleParameters": params,
            "resultToken": token,
            "eventLeftScope": left_scope,
        });
        check_all_rules(&event)?;
        // The strings themselves as the whole invoking event.
        check_all_rules(&json!({"invokingEvent": "{\"messageType\": 5", "resultToken": "t"}))?;
    }
}
