//! # cloudtrail-lambda-data-events-logged
//!
//! **Checks** that the account records Lambda `Invoke` data events: a logging CloudTrail trail,
//! or an enabled CloudTrail Lake event data store, whose event selectors log Lambda data events
//! (writes included) for every function, or for each function of a list.
//!
//! **Why it matters.** Practice 5, *configuration, monitoring and logging*, of the serverless
//! security practices: management events record who changed a function, not who ran it. Only
//! Lambda data events record each `Invoke`: which principal, from where, which function,
//! when; without them an attacker who invokes a privileged function with stolen credentials
//! leaves no trace in CloudTrail, and a flood of invocations cannot be traced to its source.
//!
//! **Resource type reported:** `AWS::::Account` (the account id).
//! **Trigger:** periodic, and on configuration changes of `AWS::CloudTrail::Trail`.
//! **Calls:** CloudTrail `DescribeTrails` (shadow trails included), `GetTrailStatus` and
//! `GetEventSelectors` for each trail (Config's trail item holds neither the logging status nor
//! the selectors), `ListEventDataStores` and `GetEventDataStore` for each event data store.
//!
//! **What counts.** Basic selectors: a selector with `ReadWriteType` `All` or `WriteOnly` and a
//! data resource of type `AWS::Lambda::Function` whose values hold `arn:aws:lambda` (every
//! function) or ARN prefixes of functions. Advanced selectors: `eventCategory` `Data`,
//! `resources.type` `AWS::Lambda::Function`, no `readOnly` filter other than `false`, no
//! `eventName` filter leaving out `Invoke`, and `resources.ARN` conditions (`Equals`,
//! `StartsWith`, `EndsWith` and their negations) deciding which functions are covered.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `functionArns` | comma list | empty | these functions must be covered; empty: every function must be |
//!
//! **Scenarios**
//!
//! | account | result |
//! |---|---|
//! | a logging trail or enabled event data store records Invoke data events for all functions (or each listed one) | COMPLIANT, naming it |
//! | no trail and no event data store | NON_COMPLIANT |
//! | trails log management events only | NON_COMPLIANT, each trail with why |
//! | data events only for some functions (or read-only ones) | NON_COMPLIANT; with `functionArns`, naming the functions not covered |
//! | the only qualifying trail is not logging | NON_COMPLIANT |
//!
//! **Remediation.** `aws cloudtrail put-event-selectors --trail-name TRAIL
//! --advanced-event-selectors '[{"Name":"Management","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]},{"Name":"Lambda invokes","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::Lambda::Function"]}]}]'`
//! (keep the management selector, or the trail stops recording management events); in a
//! template, `AdvancedEventSelectors` (or `EventSelectors` with `DataResources`) of
//! `AWS::CloudTrail::Trail`. Data events are billed per event: a high-traffic account may
//! prefer a list of sensitive functions (`functionArns`) and a `resources.ARN` filter.
//!
//! **References.** AWS CloudTrail user guide, "Logging data events" (Lambda `Invoke`,
//! `arn:aws:lambda` for all functions) and "Filtering data events by using advanced event
//! selectors"; the nearest AWS managed rule, `cloudtrail-all-write-s3-data-event-check`, checks
//! S3 only; Security Hub and Prowler have no Lambda data event check. This rule reads basic and
//! advanced selectors and event data stores, and names what each trail lacks.

use async_trait::async_trait;
use cloudtrail_multi_region_enabled::{FieldSelector, Selectors, TrailApi, TrailFacts};
use config_rules_core::{
    arn, AccountContext, Error, FromParams, ParamSpec, ParamValues, Permission, ReportsOn, ResourceVerdict, Rule,
    RuleMeta, Severity, Trigger, Verdict, ACCOUNT_RESOURCE_TYPE,
};

mod sdk;
pub use sdk::{SdkCloudTrail, SdkLake};

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-lambda-data-events-logged",
    summary: "CloudTrail records Lambda Invoke data events for every function (or a listed few).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::CloudTrail::Trail"],
    trigger: Trigger::ChangeAndPeriodic,
    reports_on: ReportsOn::Account,
    parameters: &[ParamSpec::list(
        "functionArns",
        "Functions whose Invoke data events must be recorded; empty: every function.",
    )],
    permissions: &[
        Permission::any("cloudtrail:DescribeTrails"),
        Permission::on("cloudtrail:GetTrailStatus", &[arn::CLOUDTRAIL_TRAILS]),
        Permission::on("cloudtrail:GetEventSelectors", &[arn::CLOUDTRAIL_TRAILS]),
        Permission::any("cloudtrail:ListEventDataStores"),
        Permission::on("cloudtrail:GetEventDataStore", &[arn::CLOUDTRAIL_EVENT_DATA_STORES]),
    ],
    timeout_seconds: 30,
    reports_only_account: true,
    severity: Severity::Medium,
    practices: &[5],
    template_mode: "judges the template's `AWS::CloudTrail::Trail` (`IsLogging`, `EventSelectors`, `AdvancedEventSelectors`) and `AWS::CloudTrail::EventDataStore` resources; a template without a trail is not judged (the account's trails and event data stores are)",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub function_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        let function_arns = values.list("functionArns")?;
        if let Some(bad) = function_arns
            .iter()
            .find(|a| !(a.starts_with("arn:") && a.contains(":lambda:") && a.contains(":function:")))
        {
            return Err(Error::InvalidParameters {
                key: "functionArns".into(),
                reason: format!("{} is not a Lambda function ARN", config_rules_core::bounded(bad, 64)),
                expected: "a comma-separated list of arn:aws:lambda:REGION:ACCOUNT:function:NAME".into(),
            });
        }
        Ok(Params { function_arns })
    }
}

/// A CloudTrail Lake event data store (`GetEventDataStore`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStore {
    pub name: String,
    pub arn: String,
    /// `Status` is `ENABLED`.
    pub enabled: bool,
    pub selectors: Vec<Vec<FieldSelector>>,
}

/// The event data stores of the account.
#[async_trait]
pub trait EventDataStoreApi: Send + Sync {
    /// `ListEventDataStores`, then `GetEventDataStore` for each.
    async fn event_data_stores(&self) -> Result<Vec<DataStore>, Error>;
}

/// Which functions a selector covers: an ARN filter (empty: every function).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArnFilter {
    pub equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_equals: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

impl ArnFilter {
    fn everything() -> Self {
        ArnFilter::default()
    }

    pub fn covers_all(&self) -> bool {
        *self == ArnFilter::default()
    }

    pub fn covers(&self, arn: &str) -> bool {
        let positive = self.equals.is_empty() && self.starts_with.is_empty() && self.ends_with.is_empty()
            || self.equals.iter().any(|e| e == arn)
            || self.starts_with.iter().any(|p| arn.starts_with(p.as_str()))
            || self.ends_with.iter().any(|s| arn.ends_with(s.as_str()));
        positive
            && !self.not_equals.iter().any(|e| e == arn)
            && !self.not_starts_with.iter().any(|p| arn.starts_with(p.as_str()))
            && !self.not_ends_with.iter().any(|s| arn.ends_with(s.as_str()))
    }
}

/// `arn:PARTITION:lambda` (every function), as basic selectors name it.
fn is_all_functions(value: &str) -> bool {
    let parts: Vec<&str> = value.trim_end_matches(':').split(':').collect();
    matches!(parts.as_slice(), ["arn", _, "lambda"])
}

/// The Lambda `Invoke` coverage of one advanced selector, if it records them.
pub fn advanced_coverage(fields: &[FieldSelector]) -> Option<ArnFilter> {
    let field = |name: &str| fields.iter().find(|f| f.field == name);
    let has = |f: Option<&FieldSelector>, v: &str| f.is_some_and(|f| f.equals.iter().any(|e| e == v));
    if !has(field("eventCategory"), "Data") || !has(field("resources.type"), "AWS::Lambda::Function") {
        return None;
    }
    if let Some(ro) = field("readOnly") {
        if !ro.equals.iter().all(|v| v == "false") || ro.equals.is_empty() {
            return None;
        }
    }
    if let Some(name) = field("eventName") {
        let invoke = ArnFilter {
            equals: name.equals.clone(),
            starts_with: name.starts_with.clone(),
            ends_with: name.ends_with.clone(),
            not_equals: name.not_equals.clone(),
            not_starts_with: name.not_starts_with.clone(),
            not_ends_with: name.not_ends_with.clone(),
        };
        if !invoke.covers("Invoke") {
            return None;
        }
    }
    Some(match field("resources.ARN") {
        None => ArnFilter::everything(),
        Some(f) => ArnFilter {
            equals: f.equals.clone(),
            starts_with: f.starts_with.clone(),
            ends_with: f.ends_with.clone(),
            not_equals: f.not_equals.clone(),
            not_starts_with: f.not_starts_with.clone(),
            not_ends_with: f.not_ends_with.clone(),
        },
    })
}

/// The Lambda `Invoke` coverage of a trail's selectors (one filter per qualifying selector).
pub fn trail_coverage(selectors: &Selectors) -> Vec<ArnFilter> {
    match selectors {
        Selectors::None => Vec::new(),
        Selectors::Basic(list) => list
            .iter()
            .filter(|s| s.read_write_type == "All" || s.read_write_type == "WriteOnly")
            .flat_map(|s| s.data_resources.iter())
            .filter(|d| d.resource_type == "AWS::Lambda::Function")
            .flat_map(|d| d.values.iter())
            .map(|v| {
                if is_all_functions(v) {
                    ArnFilter::everything()
                } else {
                    ArnFilter {
                        starts_with: vec![v.clone()],
                        ..ArnFilter::default()
                    }
                }
            })
            .collect(),
        Selectors::Advanced(list) => list.iter().filter_map(|fs| advanced_coverage(fs)).collect(),
    }
}

/// A source of events: a trail or an event data store, with what it covers or why it counts
/// for nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `trail NAME` or `event data store NAME`.
    pub label: String,
    pub coverage: Result<Vec<ArnFilter>, String>,
}

/// The sources of the account, from the trails' facts and the event data stores.
pub fn sources(trails: &[TrailFacts], stores: &[DataStore]) -> Vec<Source> {
    let mut out = Vec::new();
    for t in trails {
        let coverage = match (&t.is_logging, &t.selectors) {
            (Ok(false), _) => Err("not logging".to_string()),
            (Err(why), _) => Err(format!("logging status unknown ({why})")),
            (_, Err(why)) => Err(format!("event selectors unknown ({why})")),
            (Ok(true), Ok(s)) => Ok(trail_coverage(s)),
        };
        out.push(Source {
            label: format!("trail {}", t.info.name),
            coverage,
        });
    }
    for s in stores {
        out.push(Source {
            label: format!("event data store {}", s.name),
            coverage: if s.enabled {
                Ok(s.selectors.iter().filter_map(|fs| advanced_coverage(fs)).collect())
            } else {
                Err("not enabled".to_string())
            },
        });
    }
    out
}

/// The decision, as a pure function of the sources and the parameters.
pub fn evaluate(sources: &[Source], params: &Params) -> Verdict {
    if sources.is_empty() {
        return Verdict::non_compliant(
            "No CloudTrail trail or event data store exists: Lambda invocations are not recorded.",
        );
    }
    let why = |s: &Source| match &s.coverage {
        Err(e) => format!("{}: {e}", s.label),
        Ok(f) if f.is_empty() => format!("{}: no Lambda data events", s.label),
        Ok(_) => format!("{}: Lambda data events for some functions only", s.label),
    };
    if params.function_arns.is_empty() {
        if let Some(s) = sources
            .iter()
            .find(|s| s.coverage.as_ref().is_ok_and(|f| f.iter().any(ArnFilter::covers_all)))
        {
            return Verdict::compliant(format!(
                "The {} records Lambda Invoke data events for every function.",
                s.label
            ));
        }
        let reasons: Vec<String> = sources.iter().map(why).collect();
        return Verdict::non_compliant(format!(
            "No logging trail or event data store records Lambda Invoke data events for every function. {}.",
            config_rules_core::evaluation::list_names(&reasons, 3)
        ));
    }
    let covered_by = |arn: &str| {
        sources
            .iter()
            .find(|s| s.coverage.as_ref().is_ok_and(|f| f.iter().any(|f| f.covers(arn))))
    };
    let missing: Vec<&str> = params
        .function_arns
        .iter()
        .map(String::as_str)
        .filter(|a| covered_by(a).is_none())
        .collect();
    if missing.is_empty() {
        let by: Vec<String> = params
            .function_arns
            .iter()
            .filter_map(|a| covered_by(a).map(|s| s.label.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        return Verdict::compliant(format!(
            "Lambda Invoke data events of the {} listed functions are recorded by the {}.",
            params.function_arns.len(),
            by.join(", ")
        ));
    }
    let names: Vec<&str> = missing
        .iter()
        .map(|a| a.rsplit(":function:").next().unwrap_or(a))
        .collect();
    Verdict::non_compliant(format!(
        "No logging trail or event data store records Lambda Invoke data events of {}.",
        config_rules_core::evaluation::list_names(&names, 3)
    ))
}

/// The rule as the runner sees it.
pub struct CloudtrailLambdaDataEventsLogged<A> {
    api: A,
}

impl<A: TrailApi + EventDataStoreApi> CloudtrailLambdaDataEventsLogged<A> {
    pub fn new(api: A) -> Self {
        CloudtrailLambdaDataEventsLogged { api }
    }
}

#[async_trait]
impl<A: TrailApi + EventDataStoreApi> Rule for CloudtrailLambdaDataEventsLogged<A> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_account(&self, ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let trails = cloudtrail_multi_region_enabled::gather(&self.api).await?;
        let stores = self.api.event_data_stores().await?;
        Ok(vec![ResourceVerdict {
            resource_type: ACCOUNT_RESOURCE_TYPE.to_string(),
            resource_id: ctx.account_id.clone(),
            verdict: evaluate(&sources(&trails, &stores), params),
        }])
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    CloudtrailLambdaDataEventsLogged::new(SdkCloudTrail::new(sdk))
}

#[cfg(test)]
mod tests;
