//! # lambda-supported-runtime
//!
//! **Checks** that every Lambda function runs on a runtime AWS still supports, optionally
//! warning a number of days before the deprecation date, and that no function uses a runtime
//! your organisation blocks.
//!
//! **Why it matters.** Practice 2, *code auditing*, and practice 7, *integrity*, of the
//! serverless security practices: once AWS deprecates a runtime it stops applying security
//! patches to it, so the language, its libraries and the operating system under the function
//! keep their known vulnerabilities. Soon after, AWS blocks creating and then updating such
//! functions, which turns an urgent fix into an emergency migration.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change, and periodic (deprecation is a matter of the date, not
//! of a change). Both judge the runtime on the date Config asks (the notification's creation
//! time; in the CLI, now or `--at`), never on the item's capture date: when a rule is created
//! or re-evaluated, Config sends items captured months earlier, and a runtime deprecated since
//! then must fail. The periodic run lists the functions itself (Lambda `ListFunctions`).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `warnDaysBeforeDeprecation` | integer 0–3650 | `0` | also fail this many days before a runtime's deprecation date |
//! | `blockedRuntimes` | comma list | empty | runtime ids to fail whatever their date, e.g. `nodejs20.x,python3.10` |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | a runtime whose deprecation date is after the evaluation date plus the warning | COMPLIANT, with the date |
//! | a runtime deprecated on or before the evaluation date | NON_COMPLIANT, with the date |
//! | a runtime deprecated within `warnDaysBeforeDeprecation` days | NON_COMPLIANT, with the date and the days left |
//! | a runtime in `blockedRuntimes` | NON_COMPLIANT |
//! | a runtime missing from the table below (newer than it) | COMPLIANT, saying the table does not know it |
//! | a container image (`packageType: Image`) | NOT_APPLICABLE: the runtime is inside the image |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **The table.** [`DEPRECATIONS`] holds each runtime's deprecation date as published in the
//! AWS Lambda developer guide's "Lambda runtimes" page (supported and deprecated runtime
//! tables), collected on 2026-11-28. AWS marks future dates as planned and sometimes moves
//! them; update the table (one line each) when it does.
//!
//! **Remediation.** Move the function to a supported runtime of its language (for example
//! `python3.13`, `nodejs22.x`), test it, and deploy; `aws lambda update-function-configuration
//! --function-name NAME --runtime python3.13`.
//!
//! **References.** AWS Lambda developer guide, "Lambda runtimes" and "Runtime deprecation
//! policy"; AWS Config managed rule `lambda-function-settings-check` (parameter `runtime`);
//! Security Hub control Lambda.2.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use config_rules_core::{
    AccountContext, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, ReportsOn,
    ResourceVerdict, Rule, RuleMeta, Severity, Trigger, Verdict,
};
pub use lambda_facts::{FunctionLister, FunctionSummary, SdkLambda};

/// When this table was last compared with AWS's.
pub const TABLE_DATE: &str = "2026-11-28";

/// Runtime id → deprecation date (`YYYY-MM-DD`), from the AWS Lambda developer guide.
pub const DEPRECATIONS: &[(&str, &str)] = &[
    ("nodejs24.x", "2028-04-30"),
    ("nodejs22.x", "2027-04-30"),
    ("nodejs20.x", "2026-04-30"),
    ("nodejs18.x", "2025-09-01"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs4.3-edge", "2020-03-05"),
    ("nodejs", "2016-10-31"),
    ("python3.14", "2029-06-30"),
    ("python3.13", "2029-06-30"),
    ("python3.12", "2028-10-31"),
    ("python3.11", "2026-06-30"),
    ("python3.10", "2026-06-30"),
    ("python3.9", "2025-12-15"),
    ("python3.8", "2024-10-14"),
    ("python3.7", "2023-12-04"),
    ("python3.6", "2022-07-18"),
    ("python2.7", "2021-07-15"),
    ("java25", "2029-06-30"),
    ("java21", "2029-06-30"),
    ("java17", "2026-06-30"),
    ("java11", "2026-06-30"),
    ("java8.al2", "2026-06-30"),
    ("java8", "2024-01-08"),
    ("dotnet10", "2028-11-14"),
    ("dotnet8", "2026-11-10"),
    ("dotnet7", "2024-05-14"),
    ("dotnet6", "2024-11-12"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore1.0", "2019-07-27"),
    ("ruby3.4", "2028-03-31"),
    ("ruby3.3", "2027-03-31"),
    ("ruby3.2", "2026-03-31"),
    ("ruby2.7", "2023-11-27"),
    ("ruby2.5", "2021-07-30"),
    ("provided.al2023", "2029-06-30"),
    ("provided.al2", "2026-06-30"),
    ("provided", "2024-01-08"),
    ("go1.x", "2024-01-08"),
];

/// The deprecation date of a runtime, if the table knows it.
pub fn deprecation_date(runtime: &str) -> Option<NaiveDate> {
    DEPRECATIONS
        .iter()
        .find(|(id, _)| *id == runtime)
        .and_then(|(_, d)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

pub const META: RuleMeta = RuleMeta {
    id: "lambda-supported-runtime",
    summary: "Lambda functions run on runtimes AWS has not deprecated (and none you block).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::ChangeAndPeriodic,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::integer(
            "warnDaysBeforeDeprecation",
            0,
            3650,
            "0",
            "Also fail this many days before a runtime's deprecation date.",
        ),
        ParamSpec::list("blockedRuntimes", "Runtime ids to fail whatever their date."),
    ],
    permissions: &[Permission::any("lambda:ListFunctions")],
    item_calls_aws: false,
    timeout_seconds: 60,
    severity: Severity::High,
    practices: &[2, 7],
    template_mode:
        "judges `Runtime` against the deprecation dates at the time of the check; image functions are not applicable",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub warn_days: i64,
    pub blocked: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            warn_days: values.integer("warnDaysBeforeDeprecation")?,
            blocked: values.list("blockedRuntimes")?,
        })
    }
}

/// The decision for one function on `date`, as a pure function.
pub fn evaluate_runtime(
    name: &str,
    runtime: Option<&str>,
    package_type: &str,
    date: NaiveDate,
    params: &Params,
) -> Verdict {
    if package_type.eq_ignore_ascii_case("Image") {
        return Verdict::not_applicable(format!(
            "Function {name} is a container image: its runtime is part of the image."
        ));
    }
    let Some(runtime) = runtime.filter(|r| !r.is_empty()) else {
        return Verdict::not_applicable(format!("Function {name} records no runtime."));
    };
    if params.blocked.iter().any(|b| b == runtime) {
        return Verdict::non_compliant(format!(
            "Function {name} uses runtime {runtime}, which blockedRuntimes forbids."
        ));
    }
    let Some(deprecated) = deprecation_date(runtime) else {
        return Verdict::compliant(format!(
            "Function {name} uses runtime {runtime}, which is not in the rule's deprecation table (of {TABLE_DATE})."
        ));
    };
    let days_left = (deprecated - date).num_days();
    if days_left <= 0 {
        Verdict::non_compliant(format!(
            "Function {name} uses runtime {runtime}, deprecated by AWS on {deprecated}."
        ))
    } else if days_left <= params.warn_days {
        Verdict::non_compliant(format!(
            "Function {name} uses runtime {runtime}, which AWS deprecates on {deprecated}, in {days_left} days (warning: {} days).",
            params.warn_days
        ))
    } else {
        Verdict::compliant(format!(
            "Function {name} uses runtime {runtime}, supported until {deprecated}."
        ))
    }
}

/// The decision for a configuration item, on the evaluation date `at`.
pub fn evaluate(item: &ConfigurationItem, at: DateTime<Utc>, params: &Params) -> Verdict {
    evaluate_runtime(
        item.config_str("functionName").unwrap_or(&item.resource_id),
        item.config_str("runtime"),
        item.config_str("packageType").unwrap_or("Zip"),
        at.date_naive(),
        params,
    )
}

/// The rule as the runner sees it.
pub struct LambdaSupportedRuntime<L> {
    lister: L,
}

impl<L: FunctionLister> LambdaSupportedRuntime<L> {
    pub fn new(lister: L) -> Self {
        LambdaSupportedRuntime { lister }
    }
}

#[async_trait]
impl<L: FunctionLister> Rule for LambdaSupportedRuntime<L> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_item(
        &self,
        item: &ConfigurationItem,
        ctx: &ItemContext,
        params: &Params,
    ) -> Result<Verdict, Error> {
        Ok(evaluate(item, ctx.evaluation_time, params))
    }
    async fn evaluate_account(&self, ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let date = ctx.evaluation_time.date_naive();
        let mut functions = self.lister.list_functions().await?;
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(functions
            .iter()
            .map(|f| ResourceVerdict {
                resource_type: "AWS::Lambda::Function".to_string(),
                resource_id: f.name.clone(),
                verdict: evaluate_runtime(&f.name, f.runtime.as_deref(), &f.package_type, date, params),
            })
            .collect())
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaSupportedRuntime::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::testing::FakeConfig;
    use config_rules_core::Compliance::{self, *};
    use config_rules_core::{AnyRule, RuleEvent};
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn table_is_well_formed() {
        for (id, date) in DEPRECATIONS {
            assert!(NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(), "{id}: {date}");
            assert_eq!(DEPRECATIONS.iter().filter(|(i, _)| i == id).count(), 1, "{id} twice");
        }
    }

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let warn = Params {
            warn_days: 90,
            blocked: vec![],
        };
        let blocked = Params {
            warn_days: 0,
            blocked: vec!["nodejs22.x".into()],
        };
        type Case<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, Params, Compliance, &'a str);
        let cases: Vec<Case> = vec![
            ("supported", Some("python3.12"), "Zip", "2026-11-28", p.clone(), Compliant,
             "Function f uses runtime python3.12, supported until 2028-10-31."),
            ("deprecated", Some("python3.9"), "Zip", "2026-11-28", p.clone(), NonCompliant,
             "Function f uses runtime python3.9, deprecated by AWS on 2025-12-15."),
            ("deprecated that very day", Some("nodejs20.x"), "Zip", "2026-04-30", p.clone(), NonCompliant,
             "Function f uses runtime nodejs20.x, deprecated by AWS on 2026-04-30."),
            ("the day before", Some("nodejs20.x"), "Zip", "2026-04-29", p.clone(), Compliant,
             "Function f uses runtime nodejs20.x, supported until 2026-04-30."),
            ("within the warning", Some("nodejs22.x"), "Zip", "2027-03-01", warn.clone(), NonCompliant,
             "Function f uses runtime nodejs22.x, which AWS deprecates on 2027-04-30, in 60 days (warning: 90 days)."),
            ("outside the warning", Some("nodejs22.x"), "Zip", "2026-11-28", warn.clone(), Compliant,
             "Function f uses runtime nodejs22.x, supported until 2027-04-30."),
            ("blocked", Some("nodejs22.x"), "Zip", "2026-11-28", blocked, NonCompliant,
             "Function f uses runtime nodejs22.x, which blockedRuntimes forbids."),
            ("unknown runtime", Some("python4.0"), "Zip", "2026-11-28", p.clone(), Compliant,
             "Function f uses runtime python4.0, which is not in the rule's deprecation table (of 2026-11-28)."),
            ("container image", None, "Image", "2026-11-28", p.clone(), NotApplicable,
             "Function f is a container image: its runtime is part of the image."),
            ("no runtime", None, "Zip", "2026-11-28", p.clone(), NotApplicable, "Function f records no runtime."),
        ];
        for (name, runtime, package, date, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate_runtime("f", runtime, package, d(date), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    /// Config re-sends old items when a rule is created or re-evaluated: an item captured
    /// on 2025-01-01 (python3.9 still supported then) that Config delivers on 2026-11-28 is
    /// judged on 2026-11-28, while its OrderingTimestamp stays the capture time.
    #[tokio::test]
    async fn re_evaluated_old_items_are_judged_on_the_notification_date() {
        let rule = LambdaSupportedRuntime::new(Fake(vec![]));
        let event = RuleEvent::parse(&json!({
            "invokingEvent": json!({
                "configurationItem": {"resourceType": "AWS::Lambda::Function", "resourceId": "f",
                    "configurationItemStatus": "OK", "configurationItemCaptureTime": "2025-01-01T00:00:00.000Z",
                    "configuration": {"functionName": "f", "runtime": "python3.9", "packageType": "Zip"}},
                "notificationCreationTime": "2026-11-28T06:00:00.000Z",
                "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
            "resultToken": "TESTMODE", "configRuleName": "lambda-supported-runtime"
        }))
        .unwrap();
        let out = rule.evaluate_event(&event, &FakeConfig::new()).await.unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].compliance, NonCompliant);
        assert_eq!(
            out[0].annotation,
            "Function f uses runtime python3.9, deprecated by AWS on 2025-12-15."
        );
        assert_eq!(out[0].ordering_timestamp.to_rfc3339(), "2025-01-01T00:00:00+00:00");
    }

    struct Fake(Vec<FunctionSummary>);

    #[async_trait]
    impl FunctionLister for Fake {
        async fn list_functions(&self) -> Result<Vec<FunctionSummary>, Error> {
            Ok(self.0.clone())
        }
    }

    #[tokio::test]
    async fn periodic_runs_judge_every_function_on_the_notification_date() {
        let f = |name: &str, runtime: Option<&str>, package: &str| FunctionSummary {
            name: name.into(),
            runtime: runtime.map(String::from),
            package_type: package.into(),
            ..FunctionSummary::default()
        };
        let rule = LambdaSupportedRuntime::new(Fake(vec![f("b", Some("python3.8"), "Zip"), f("a", None, "Image")]));
        let event = RuleEvent::parse(&json!({
            "invokingEvent": json!({"awsAccountId": "1", "notificationCreationTime": "2026-11-28T06:00:00Z",
                                    "messageType": "ScheduledNotification"}).to_string(),
            "resultToken": "TESTMODE", "configRuleName": "lambda-supported-runtime"
        }))
        .unwrap();
        let results: Vec<(String, Compliance)> = rule
            .evaluate_event(&event, &FakeConfig::new())
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.resource_id, e.compliance))
            .collect();
        assert_eq!(
            results,
            vec![("a".to_string(), NotApplicable), ("b".to_string(), NonCompliant)]
        );
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"warnDaysBeforeDeprecation": "30", "blockedRuntimes": "go1.x"})).unwrap(),
            Params {
                warn_days: 30,
                blocked: vec!["go1.x".into()]
            }
        );
        assert!(matches!(
            parse(json!({"warnDaysBeforeDeprecation": "-1"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
