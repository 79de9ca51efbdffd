use super::*;
use config_rules_core::testing::{FakeConfig, PutCall};
use config_rules_core::Compliance::{self, *};
use config_rules_core::{AnyRule, Evaluation, RuleEvent};
use serde_json::json;
use std::collections::BTreeMap;

fn trail(name: &str, multi: bool, logging: bool, selectors: Selectors) -> TrailFacts {
    TrailFacts {
        info: TrailInfo {
            name: name.into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"),
            multi_region: multi,
            ..TrailInfo::default()
        },
        is_logging: Ok(logging),
        selectors: Ok(selectors),
    }
}

fn basic(rw: &str, mgmt: bool, exclude: &[&str]) -> Selectors {
    Selectors::Basic(vec![BasicSelector {
        read_write_type: rw.into(),
        include_management_events: mgmt,
        exclude_management_event_sources: exclude.iter().map(|s| s.to_string()).collect(),
        data_resources: vec![],
    }])
}

fn field(name: &str, equals: &[&str]) -> FieldSelector {
    FieldSelector {
        field: name.into(),
        equals: equals.iter().map(|s| s.to_string()).collect(),
        ..FieldSelector::default()
    }
}

#[test]
fn fixture_cases() {
    let p = Params::default();
    let strict = Params {
        require_log_file_validation: true,
        require_kms_encryption: true,
        require_cloudwatch_logs: true,
    };
    let mut hardened = trail("audit", true, true, Selectors::None);
    hardened.info.log_file_validation = true;
    hardened.info.kms_key_id = Some("arn:aws:kms:us-east-1:123456789012:key/k".into());
    hardened.info.cloudwatch_logs_log_group_arn = Some("arn:aws:logs:us-east-1:123456789012:log-group:ct".into());
    let mut unknown = trail("org", true, true, Selectors::None);
    unknown.is_logging = Err("AccessDenied".into());

    let cases: Vec<(&str, Vec<TrailFacts>, Params, Compliance, &str)> = vec![
        ("no trail", vec![], p, NonCompliant, "No CloudTrail trail exists in the account."),
        ("single-region trail", vec![trail("local", false, true, Selectors::None)], p, NonCompliant,
         "No trail qualifies. local: not multi-region."),
        ("stopped multi-region trail", vec![trail("main", true, false, Selectors::None)], p, NonCompliant,
         "No trail qualifies. main: not logging."),
        ("read-only basic selector", vec![trail("main", true, true, basic("ReadOnly", true, &[]))], p, NonCompliant,
         "No trail qualifies. main: records only ReadOnly management events."),
        ("write-only basic selector", vec![trail("main", true, true, basic("WriteOnly", true, &[]))], p, NonCompliant,
         "No trail qualifies. main: records only WriteOnly management events."),
        ("management events excluded", vec![trail("main", true, true, basic("All", false, &[]))], p, NonCompliant,
         "No trail qualifies. main: records no management events."),
        ("excluded event sources", vec![trail("main", true, true, basic("All", true, &["kms.amazonaws.com"]))], p, NonCompliant,
         "No trail qualifies. main: excludes management events from kms.amazonaws.com."),
        ("basic All", vec![trail("main", true, true, basic("All", true, &[]))], p, Compliant,
         "Trail main is multi-region, logging, and records all management events."),
        ("advanced management selector", vec![trail("adv", true, true,
            Selectors::Advanced(vec![vec![field("eventCategory", &["Management"])]]))], p, Compliant,
         "Trail adv is multi-region, logging, and records all management events."),
        ("advanced read-only", vec![trail("adv", true, true,
            Selectors::Advanced(vec![vec![field("eventCategory", &["Management"]), field("readOnly", &["true"])]]))], p, NonCompliant,
         "No trail qualifies. adv: records only read-only management events."),
        ("advanced write-only", vec![trail("adv", true, true,
            Selectors::Advanced(vec![vec![field("eventCategory", &["Management"]), field("readOnly", &["false"])]]))], p, NonCompliant,
         "No trail qualifies. adv: records only write management events."),
        ("advanced data events only", vec![trail("adv", true, true,
            Selectors::Advanced(vec![vec![field("eventCategory", &["Data"]), field("resources.type", &["AWS::S3::Object"])]]))], p, NonCompliant,
         "No trail qualifies. adv: records no management events."),
        ("one good trail among bad ones", vec![trail("a", false, false, Selectors::None), trail("b", true, true, Selectors::None)], p, Compliant,
         "Trail b is multi-region, logging, and records all management events."),
        ("every problem listed", vec![trail("a", false, false, basic("ReadOnly", true, &[])), trail("b", true, false, Selectors::None)], p, NonCompliant,
         "No trail qualifies. a: not multi-region, not logging, records only ReadOnly management events; b: not logging."),
        ("strict parameters fail a plain trail", vec![trail("main", true, true, Selectors::None)], strict, NonCompliant,
         "No trail qualifies. main: log file validation off, not encrypted with KMS, no CloudWatch Logs delivery."),
        ("strict parameters pass a hardened trail", vec![hardened], strict, Compliant,
         "Trail audit is multi-region, logging, and records all management events."),
        ("unknown status", vec![unknown], p, NonCompliant,
         "No trail qualifies. org: logging status unknown (AccessDenied)."),
    ];
    for (name, trails, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate(&trails, &params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

/// A fake CloudTrail: trails by ARN with their status and selectors.
#[derive(Default)]
struct FakeTrails {
    trails: Vec<TrailInfo>,
    logging: BTreeMap<String, bool>,
    selectors: BTreeMap<String, Selectors>,
}

#[async_trait]
impl TrailApi for FakeTrails {
    async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error> {
        Ok(self.trails.clone())
    }
    async fn is_logging(&self, arn: &str) -> Result<bool, Error> {
        self.logging
            .get(arn)
            .copied()
            .ok_or_else(|| Error::aws("GetTrailStatus", "TrailNotFoundException"))
    }
    async fn event_selectors(&self, arn: &str) -> Result<Selectors, Error> {
        Ok(self.selectors.get(arn).cloned().unwrap_or(Selectors::None))
    }
}

fn scheduled_event(params: &str) -> RuleEvent {
    RuleEvent::parse(&json!({
        "invokingEvent": json!({"awsAccountId": "123456789012", "notificationCreationTime": "2026-11-28T10:00:00.000Z",
                                "messageType": "ScheduledNotification", "recordVersion": "1.0"}).to_string(),
        "ruleParameters": params,
        "resultToken": "token-1",
        "eventLeftScope": false,
        "configRuleName": "cloudtrail-multi-region-enabled",
        "accountId": "123456789012"
    }))
    .unwrap()
}

#[tokio::test]
async fn scheduled_run_reports_on_the_account_through_the_client() {
    let info = TrailInfo {
        name: "main".into(),
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/main".into(),
        multi_region: true,
        ..TrailInfo::default()
    };
    // The same trail listed twice (home region and shadow) is judged once.
    let fake = FakeTrails {
        trails: vec![info.clone(), info.clone()],
        logging: BTreeMap::from([(info.arn.clone(), true)]),
        selectors: BTreeMap::from([(info.arn.clone(), basic("ReadOnly", true, &[]))]),
    };
    let rule = CloudtrailMultiRegionEnabled::new(fake);
    let config = FakeConfig::new();
    let evaluations = rule.evaluate_event(&scheduled_event("{}"), &config).await.unwrap();
    let time = chrono::DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(
        evaluations,
        vec![Evaluation::new(
            "AWS::::Account",
            "123456789012",
            Verdict::non_compliant("No trail qualifies. main: records only ReadOnly management events."),
            time
        )]
    );
    config_rules_core::post::post_evaluations(&config, "token-1", false, &evaluations, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        config.calls(),
        vec![PutCall {
            result_token: "token-1".into(),
            test_mode: false,
            evaluations
        }]
    );
}

#[tokio::test]
async fn describe_failure_is_an_aws_error() {
    struct Broken;
    #[async_trait]
    impl TrailApi for Broken {
        async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error> {
            Err(Error::aws("DescribeTrails", "AccessDeniedException"))
        }
        async fn is_logging(&self, _: &str) -> Result<bool, Error> {
            Ok(true)
        }
        async fn event_selectors(&self, _: &str) -> Result<Selectors, Error> {
            Ok(Selectors::None)
        }
    }
    let err = CloudtrailMultiRegionEnabled::new(Broken)
        .evaluate_event(&scheduled_event(""), &FakeConfig::new())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "AwsApi");
    assert_eq!(
        err.to_string(),
        "AWS API call DescribeTrails failed: AccessDeniedException"
    );
}

#[tokio::test]
async fn invalid_parameters_stop_before_any_call() {
    let err = CloudtrailMultiRegionEnabled::new(FakeTrails::default())
        .evaluate_event(
            &scheduled_event("{\"requireKmsEncryption\":\"sure\"}"),
            &FakeConfig::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameters { key, .. } if key == "requireKmsEncryption"),
        "{err}"
    );
}
