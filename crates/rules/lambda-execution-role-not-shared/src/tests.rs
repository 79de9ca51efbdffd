use super::*;
use config_rules_core::config_api::ReportedResource;
use config_rules_core::testing::FakeConfig;
use config_rules_core::Compliance::{self, *};
use config_rules_core::{AnyRule, Evaluation, RuleEvent};
use serde_json::json;

fn f(name: &str, role: &str) -> FunctionSummary {
    FunctionSummary {
        name: name.into(),
        role_arn: format!("arn:aws:iam::123456789012:role/service/{role}"),
        ..FunctionSummary::default()
    }
}

fn verdicts(functions: &[FunctionSummary], params: &Params) -> Vec<(String, Compliance, String)> {
    evaluate(functions, params)
        .into_iter()
        .map(|v| (v.resource_id, v.verdict.compliance, v.verdict.annotation))
        .collect()
}

fn row(id: &str, c: Compliance, a: &str) -> (String, Compliance, String) {
    (id.into(), c, a.into())
}

#[test]
fn fixture_cases() {
    let none = Params::default();
    assert_eq!(verdicts(&[], &none), vec![]);
    assert_eq!(
        verdicts(&[f("a", "ra"), f("b", "rb")], &none),
        vec![
            row("a", Compliant, "Function a is the only function using role ra."),
            row("b", Compliant, "Function b is the only function using role rb."),
        ]
    );
    assert_eq!(
        verdicts(&[f("b", "shared"), f("a", "shared"), f("c", "rc")], &none),
        vec![
            row(
                "a",
                NonCompliant,
                "Function a shares its execution role shared with 1 other function: b."
            ),
            row(
                "b",
                NonCompliant,
                "Function b shares its execution role shared with 1 other function: a."
            ),
            row("c", Compliant, "Function c is the only function using role rc."),
        ]
    );
    let many: Vec<FunctionSummary> = (0..8).map(|i| f(&format!("fn{i}"), "wide")).collect();
    assert_eq!(
        verdicts(&many, &none)[0],
        row(
            "fn0",
            NonCompliant,
            "Function fn0 shares its execution role wide with 7 other functions: fn1, fn2, fn3, fn4, fn5 and 2 more."
        )
    );
    // Allowed by name or by ARN.
    for allowed in ["shared", "arn:aws:iam::123456789012:role/service/shared"] {
        let params = Params {
            allowed_shared_roles: vec![allowed.into()],
        };
        assert_eq!(
            verdicts(&[f("a", "shared"), f("b", "shared")], &params),
            vec![
                row(
                    "a",
                    Compliant,
                    "Function a shares role shared with b, which allowedSharedRoles permits."
                ),
                row(
                    "b",
                    Compliant,
                    "Function b shares role shared with a, which allowedSharedRoles permits."
                ),
            ]
        );
    }
    // Same role name on different paths is a different role.
    let split = [
        FunctionSummary {
            name: "a".into(),
            role_arn: "arn:aws:iam::1:role/x/app".into(),
            ..FunctionSummary::default()
        },
        FunctionSummary {
            name: "b".into(),
            role_arn: "arn:aws:iam::1:role/y/app".into(),
            ..FunctionSummary::default()
        },
    ];
    assert!(verdicts(&split, &none).iter().all(|(_, c, _)| *c == Compliant));
}

struct Fake(Vec<FunctionSummary>);

#[async_trait]
impl FunctionLister for Fake {
    async fn list_functions(&self) -> Result<Vec<FunctionSummary>, Error> {
        Ok(self.0.clone())
    }
}

#[tokio::test]
async fn a_sweep_retires_functions_that_disappeared() {
    let rule = LambdaExecutionRoleNotShared::new(Fake(vec![f("a", "ra")]));
    let mut config = FakeConfig::new();
    config.reported = vec![ReportedResource {
        resource_type: "AWS::Lambda::Function".into(),
        resource_id: "deleted-fn".into(),
        compliance: NonCompliant,
    }];
    let event = RuleEvent::parse(&json!({
        "invokingEvent": json!({"awsAccountId": "123456789012", "notificationCreationTime": "2026-11-28T00:00:00Z",
                                "messageType": "ScheduledNotification"}).to_string(),
        "ruleParameters": "{}", "resultToken": "t", "configRuleName": "lambda-execution-role-not-shared"
    }))
    .unwrap();
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-28T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(
        rule.evaluate_event(&event, &config).await.unwrap(),
        vec![
            Evaluation::new(
                "AWS::Lambda::Function",
                "a",
                Verdict::compliant("Function a is the only function using role ra."),
                t
            ),
            Evaluation::new(
                "AWS::Lambda::Function",
                "deleted-fn",
                Verdict::not_applicable("The resource no longer exists."),
                t
            ),
        ]
    );
}

#[test]
fn parameters_are_validated() {
    let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(
        parse(json!({"allowedSharedRoles": "a, b"})).unwrap(),
        Params {
            allowed_shared_roles: vec!["a".into(), "b".into()]
        }
    );
    assert!(matches!(
        parse(json!({"allowedSharedRole": "a"})),
        Err(Error::InvalidParameters { .. })
    ));
}
