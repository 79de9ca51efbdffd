//! # cloudtrail-multi-region-enabled
//!
//! **Checks** that the account has at least one CloudTrail trail that covers every region,
//! is logging, and records all management events, reads and writes.
//!
//! **Why it matters.** Practice 5, *configuration, monitoring and logging*, of the serverless
//! security practices: serverless workloads are changed through API calls, and CloudTrail's
//! management events are the record of every one of them — who changed a function's code,
//! widened a role, or opened an API. A single-region trail misses activity in the regions an
//! attacker picks; a stopped trail or one that skips reads or writes leaves the gap silently.
//!
//! **Resource type reported:** `AWS::::Account` (the account id).
//! **Trigger:** periodic, and on configuration changes of `AWS::CloudTrail::Trail`.
//! **Calls:** CloudTrail `DescribeTrails` (shadow trails included, so an organization trail
//! or a trail homed in another region counts), `GetTrailStatus` and `GetEventSelectors` for
//! each trail — Config's trail item carries neither the logging status nor the selectors.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireLogFileValidation` | boolean | `false` | the trail must have log file validation on |
//! | `requireKmsEncryption` | boolean | `false` | the trail must encrypt its logs with a KMS key |
//! | `requireCloudWatchLogs` | boolean | `false` | the trail must deliver to CloudWatch Logs |
//!
//! **Management events.** No selectors means all management events. Basic selectors: one
//! with `IncludeManagementEvents` and `ReadWriteType: All` and no
//! `ExcludeManagementEventSources`. Advanced selectors: one whose `eventCategory` equals
//! `Management`, with no `readOnly` filter and no `eventSource` filter.
//!
//! **Scenarios**
//!
//! | account | result |
//! |---|---|
//! | no trail | NON_COMPLIANT: no trail |
//! | only single-region trails, stopped trails, or trails recording only reads or only writes | NON_COMPLIANT, each trail with why it fails |
//! | a multi-region, logging trail with all management events (and what the parameters require) | COMPLIANT, naming the trail |
//!
//! **Remediation.** `aws cloudtrail create-trail --name org-audit --s3-bucket-name BUCKET
//! --is-multi-region-trail --enable-log-file-validation --kms-key-id KEY`, then
//! `aws cloudtrail start-logging --name org-audit`; or fix the existing trail with
//! `update-trail --is-multi-region-trail` and `put-event-selectors` with `ReadWriteType All`.
//!
//! **References.** CloudTrail user guide, "Creating a trail" and "Logging management events";
//! AWS Config managed rule `multi-region-cloudtrail-enabled`; CIS AWS Foundations 3.1.

use async_trait::async_trait;
use config_rules_core::{
    arn, AccountContext, Error, FromParams, ParamSpec, ParamValues, Permission, ReportsOn, ResourceVerdict, Rule,
    RuleMeta, Severity, Trigger, Verdict, ACCOUNT_RESOURCE_TYPE,
};

mod sdk;
pub use sdk::{field_selector, SdkTrails};

pub const META: RuleMeta = RuleMeta {
    id: "cloudtrail-multi-region-enabled",
    summary: "A multi-region CloudTrail trail is logging all management events.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::CloudTrail::Trail"],
    trigger: Trigger::ChangeAndPeriodic,
    reports_on: ReportsOn::Account,
    parameters: &[
        ParamSpec::boolean(
            "requireLogFileValidation",
            false,
            "The trail must have log file validation enabled.",
        ),
        ParamSpec::boolean(
            "requireKmsEncryption",
            false,
            "The trail must encrypt its log files with a KMS key.",
        ),
        ParamSpec::boolean(
            "requireCloudWatchLogs",
            false,
            "The trail must deliver events to a CloudWatch Logs log group.",
        ),
    ],
    permissions: &[
        Permission::any("cloudtrail:DescribeTrails"),
        Permission::on("cloudtrail:GetTrailStatus", &[arn::CLOUDTRAIL_TRAILS]),
        Permission::on("cloudtrail:GetEventSelectors", &[arn::CLOUDTRAIL_TRAILS]),
    ],
    item_calls_aws: false,
    timeout_seconds: 30,
    reports_only_account: true,
    severity: Severity::High,
    practices: &[5],
    template_mode: "judges the template's `AWS::CloudTrail::Trail` resources (`IsLogging`, `IsMultiRegionTrail`, event selectors); a template without a trail is not judged (the account's trails are)",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub require_log_file_validation: bool,
    pub require_kms_encryption: bool,
    pub require_cloudwatch_logs: bool,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_log_file_validation: values.boolean("requireLogFileValidation")?,
            require_kms_encryption: values.boolean("requireKmsEncryption")?,
            require_cloudwatch_logs: values.boolean("requireCloudWatchLogs")?,
        })
    }
}

/// A trail as `DescribeTrails` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrailInfo {
    pub name: String,
    pub arn: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub cloudwatch_logs_log_group_arn: Option<String>,
}

/// A basic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BasicSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    pub exclude_management_event_sources: Vec<String>,
    /// The data events it records (`DataResources`).
    pub data_resources: Vec<DataResource>,
}

/// A `DataResource` of a basic selector: a resource type and the ARNs (or ARN prefixes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataResource {
    pub resource_type: String,
    pub values: Vec<String>,
}

/// One field condition of an advanced event selector, with every operator CloudTrail has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSelector {
    pub field: String,
    pub equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_equals: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

/// The event selectors of a trail (`GetEventSelectors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selectors {
    /// No selectors: all management events.
    None,
    Basic(Vec<BasicSelector>),
    /// Each advanced selector is a list of field conditions.
    Advanced(Vec<Vec<FieldSelector>>),
}

/// Everything the decision needs about one trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFacts {
    pub info: TrailInfo,
    /// `GetTrailStatus.IsLogging`; `Err` holds why the status could not be read.
    pub is_logging: Result<bool, String>,
    pub selectors: Result<Selectors, String>,
}

/// The CloudTrail calls this rule makes.
#[async_trait]
pub trait TrailApi: Send + Sync {
    /// `DescribeTrails` with shadow trails.
    async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error>;
    /// `GetTrailStatus.IsLogging`.
    async fn is_logging(&self, trail_arn: &str) -> Result<bool, Error>;
    /// `GetEventSelectors`.
    async fn event_selectors(&self, trail_arn: &str) -> Result<Selectors, Error>;
}

/// Why the selectors do not record all management events, or `None` when they do.
pub fn management_gap(selectors: &Selectors) -> Option<String> {
    match selectors {
        Selectors::None => None,
        Selectors::Basic(list) => {
            if list.iter().any(|s| {
                s.include_management_events
                    && s.read_write_type == "All"
                    && s.exclude_management_event_sources.is_empty()
            }) {
                return None;
            }
            let mgmt: Vec<&BasicSelector> = list.iter().filter(|s| s.include_management_events).collect();
            Some(match mgmt.first() {
                None => "records no management events".to_string(),
                Some(s) if !s.exclude_management_event_sources.is_empty() => format!(
                    "excludes management events from {}",
                    s.exclude_management_event_sources.join(", ")
                ),
                Some(s) => format!("records only {} management events", s.read_write_type),
            })
        }
        Selectors::Advanced(list) => {
            let is_mgmt = |fs: &Vec<FieldSelector>| {
                fs.iter()
                    .any(|f| f.field == "eventCategory" && f.equals.iter().any(|v| v == "Management"))
            };
            let mgmt: Vec<&Vec<FieldSelector>> = list.iter().filter(|fs| is_mgmt(fs)).collect();
            if mgmt
                .iter()
                .any(|fs| fs.iter().all(|f| f.field != "readOnly" && f.field != "eventSource"))
            {
                return None;
            }
            Some(match mgmt.first() {
                None => "records no management events".to_string(),
                Some(fs) => match fs.iter().find(|f| f.field == "readOnly") {
                    Some(f) if f.equals.iter().any(|v| v == "true") => {
                        "records only read-only management events".to_string()
                    }
                    Some(_) => "records only write management events".to_string(),
                    None => "filters management events by event source".to_string(),
                },
            })
        }
    }
}

/// Why a trail fails, in order; empty when it passes.
pub fn trail_problems(t: &TrailFacts, params: &Params) -> Vec<String> {
    let mut p = Vec::new();
    if !t.info.multi_region {
        p.push("not multi-region".to_string());
    }
    match &t.is_logging {
        Ok(true) => {}
        Ok(false) => p.push("not logging".to_string()),
        Err(why) => p.push(format!("logging status unknown ({why})")),
    }
    match &t.selectors {
        Ok(s) => p.extend(management_gap(s)),
        Err(why) => p.push(format!("event selectors unknown ({why})")),
    }
    if params.require_log_file_validation && !t.info.log_file_validation {
        p.push("log file validation off".to_string());
    }
    if params.require_kms_encryption && t.info.kms_key_id.as_deref().is_none_or(str::is_empty) {
        p.push("not encrypted with KMS".to_string());
    }
    if params.require_cloudwatch_logs
        && t.info
            .cloudwatch_logs_log_group_arn
            .as_deref()
            .is_none_or(str::is_empty)
    {
        p.push("no CloudWatch Logs delivery".to_string());
    }
    p
}

/// The decision, as a pure function of the trails' facts.
pub fn evaluate(trails: &[TrailFacts], params: &Params) -> Verdict {
    if trails.is_empty() {
        return Verdict::non_compliant("No CloudTrail trail exists in the account.");
    }
    let mut failures = Vec::new();
    for t in trails {
        let problems = trail_problems(t, params);
        if problems.is_empty() {
            return Verdict::compliant(format!(
                "Trail {} is multi-region, logging, and records all management events.",
                t.info.name
            ));
        }
        failures.push(format!("{}: {}", t.info.name, problems.join(", ")));
    }
    Verdict::non_compliant(format!("No trail qualifies. {}.", failures.join("; ")))
}

/// Gathers the facts for every trail through `api`. A trail whose status or selectors
/// cannot be read stays in the list with the reason, so the result says what is unknown.
pub async fn gather(api: &dyn TrailApi) -> Result<Vec<TrailFacts>, Error> {
    let mut trails = api.describe_trails().await?;
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    trails.dedup_by(|a, b| a.arn == b.arn);
    let mut out = Vec::with_capacity(trails.len());
    for info in trails {
        let is_logging = api.is_logging(&info.arn).await.map_err(|e| e.to_string());
        let selectors = api.event_selectors(&info.arn).await.map_err(|e| e.to_string());
        out.push(TrailFacts {
            info,
            is_logging,
            selectors,
        });
    }
    Ok(out)
}

/// The rule as the runner sees it.
pub struct CloudtrailMultiRegionEnabled<A> {
    api: A,
}

impl<A: TrailApi> CloudtrailMultiRegionEnabled<A> {
    pub fn new(api: A) -> Self {
        CloudtrailMultiRegionEnabled { api }
    }
}

#[async_trait]
impl<A: TrailApi> Rule for CloudtrailMultiRegionEnabled<A> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_account(&self, ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let trails = gather(&self.api).await?;
        Ok(vec![ResourceVerdict {
            resource_type: ACCOUNT_RESOURCE_TYPE.to_string(),
            resource_id: ctx.account_id.clone(),
            verdict: evaluate(&trails, params),
        }])
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    CloudtrailMultiRegionEnabled::new(SdkTrails::new(sdk))
}

#[cfg(test)]
mod tests;
