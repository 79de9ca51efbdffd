#![allow(clippy::unwrap_used)]
use super::*;
use cloudtrail_multi_region_enabled::{BasicSelector, DataResource, TrailInfo};
use config_rules_core::Compliance::{self, *};
use serde_json::json;

const ORDERS: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";
const REPORTS: &str = "arn:aws:lambda:us-east-1:123456789012:function:nightly-report";

fn field(name: &str, equals: &[&str]) -> FieldSelector {
    FieldSelector {
        field: name.into(),
        equals: equals.iter().map(|s| s.to_string()).collect(),
        ..FieldSelector::default()
    }
}

/// The advanced selector of the CloudTrail user guide's "log Lambda data events" example.
fn lambda_data(extra: Vec<FieldSelector>) -> Vec<FieldSelector> {
    let mut v = vec![
        field("eventCategory", &["Data"]),
        field("resources.type", &["AWS::Lambda::Function"]),
    ];
    v.extend(extra);
    v
}

fn management() -> Vec<FieldSelector> {
    vec![field("eventCategory", &["Management"])]
}

/// A basic selector with `DataResources` (CloudTrail API reference, `EventSelector`).
fn basic(rw: &str, values: &[&str]) -> Selectors {
    Selectors::Basic(vec![BasicSelector {
        read_write_type: rw.into(),
        include_management_events: true,
        exclude_management_event_sources: vec![],
        data_resources: vec![DataResource {
            resource_type: "AWS::Lambda::Function".into(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }],
    }])
}

fn trail(name: &str, logging: bool, selectors: Selectors) -> TrailFacts {
    TrailFacts {
        info: TrailInfo {
            name: name.into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"),
            multi_region: true,
            ..TrailInfo::default()
        },
        is_logging: Ok(logging),
        selectors: Ok(selectors),
    }
}

#[test]
fn selectors_and_their_coverage() {
    assert!(trail_coverage(&basic("All", &["arn:aws:lambda"]))[0].covers_all());
    assert!(trail_coverage(&basic("WriteOnly", &["arn:aws:lambda"]))[0].covers_all());
    assert!(
        trail_coverage(&basic("ReadOnly", &["arn:aws:lambda"])).is_empty(),
        "Invoke is a write"
    );
    let one = &trail_coverage(&basic("All", &[ORDERS]))[0];
    assert!(!one.covers_all() && one.covers(ORDERS) && !one.covers(REPORTS));
    assert!(trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![])]))[0].covers_all());
    assert!(trail_coverage(&Selectors::Advanced(vec![management()])).is_empty());
    assert!(trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![field(
        "readOnly",
        &["true"]
    )])]))
    .is_empty());
    assert!(trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![field(
        "readOnly",
        &["false"]
    )])]))[0]
        .covers_all());
    let not_reports = FieldSelector {
        field: "resources.ARN".into(),
        not_equals: vec![REPORTS.into()],
        ..FieldSelector::default()
    };
    let f = &trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![not_reports])]))[0];
    assert!(!f.covers_all() && f.covers(ORDERS) && !f.covers(REPORTS));
    let prefix = FieldSelector {
        field: "resources.ARN".into(),
        starts_with: vec!["arn:aws:lambda:us-east-1:123456789012:function:orders-".into()],
        ..FieldSelector::default()
    };
    let f = &trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![prefix])]))[0];
    assert!(f.covers(ORDERS) && !f.covers(REPORTS));
    let other_event = field("eventName", &["GetFunction"]);
    assert!(trail_coverage(&Selectors::Advanced(vec![lambda_data(vec![other_event])])).is_empty());
}

#[test]
fn fixture_cases() {
    let every = Params::default();
    let listed = Params {
        function_arns: vec![ORDERS.into(), REPORTS.into()],
    };
    let store = |enabled: bool, selectors: Vec<Vec<FieldSelector>>| DataStore {
        name: "audit-lake".into(),
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE".into(),
        enabled,
        selectors,
    };
    type Case<'a> = (
        &'a str,
        Vec<TrailFacts>,
        Vec<DataStore>,
        &'a Params,
        Compliance,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        ("nothing", vec![], vec![], &every, NonCompliant,
         "No CloudTrail trail or event data store exists: Lambda invocations are not recorded."),
        ("all functions", vec![trail("audit", true, basic("All", &["arn:aws:lambda"]))], vec![], &every, Compliant,
         "The trail audit records Lambda Invoke data events for every function."),
        ("management only, and a stopped trail with data events", vec![
            trail("audit", true, Selectors::None),
            trail("data", false, Selectors::Advanced(vec![lambda_data(vec![])])),
         ], vec![], &every, NonCompliant,
         "No logging trail or event data store records Lambda Invoke data events for every function. trail audit: no Lambda data events, trail data: not logging."),
        ("some functions", vec![trail("audit", true, basic("All", &[ORDERS]))], vec![], &every, NonCompliant,
         "No logging trail or event data store records Lambda Invoke data events for every function. trail audit: Lambda data events for some functions only."),
        ("an event data store", vec![trail("audit", true, Selectors::None)], vec![store(true, vec![management(), lambda_data(vec![])])], &every, Compliant,
         "The event data store audit-lake records Lambda Invoke data events for every function."),
        ("a disabled event data store", vec![], vec![store(false, vec![lambda_data(vec![])])], &every, NonCompliant,
         "No logging trail or event data store records Lambda Invoke data events for every function. event data store audit-lake: not enabled."),
        ("listed, one missing", vec![trail("audit", true, basic("All", &[ORDERS]))], vec![], &listed, NonCompliant,
         "No logging trail or event data store records Lambda Invoke data events of nightly-report."),
        ("listed, all covered", vec![trail("audit", true, basic("All", &[ORDERS])), trail("reports", true, basic("WriteOnly", &[REPORTS]))],
         vec![], &listed, Compliant,
         "Lambda Invoke data events of the 2 listed functions are recorded by the trail audit, trail reports."),
    ];
    for (name, trails, stores, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate(&sources(&trails, &stores), params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[test]
fn parameters_are_validated() {
    let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(
        parse(json!({"functionArns": ORDERS})).unwrap(),
        Params {
            function_arns: vec![ORDERS.into()]
        }
    );
    let err = parse(json!({"functionArns": "orders-api"})).unwrap_err();
    assert!(err.to_string().contains("functionArns"), "{err}");
}
