//! What a rule is: metadata (one source for docs, CLI and template) and evaluation logic.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::evaluation::{ResourceVerdict, Verdict};
use crate::item::ConfigurationItem;
use crate::params::{FromParams, ParamSpec};
use crate::Error;

/// The resource type Config uses for account-level results.
pub const ACCOUNT_RESOURCE_TYPE: &str = "AWS::::Account";

/// When AWS Config invokes the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// On configuration changes of the resource types in scope.
    Change,
    /// On a schedule.
    Periodic,
    /// Both.
    ChangeAndPeriodic,
}

impl Trigger {
    pub fn on_change(self) -> bool {
        matches!(self, Trigger::Change | Trigger::ChangeAndPeriodic)
    }
    pub fn periodic(self) -> bool {
        matches!(self, Trigger::Periodic | Trigger::ChangeAndPeriodic)
    }
    pub fn describe(self) -> &'static str {
        match self {
            Trigger::Change => "configuration change",
            Trigger::Periodic => "periodic",
            Trigger::ChangeAndPeriodic => "configuration change and periodic",
        }
    }
}

/// What the rule's evaluations are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportsOn {
    /// Each changed resource is judged on its own configuration item.
    EachResource,
    /// The rule judges the account as a whole (`AWS::::Account`, the account id) or finds the
    /// resources to report on itself; a change in scope re-runs that whole evaluation.
    Account,
}

/// A rule's static description. [`crate::docs::rule_docs`] turns the rule file's `//!`
/// header into the text behind `docs`.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// The rule id: crate, binary, `events/` folder and Config rule name.
    pub id: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    /// The rule file's source; its leading `//!` block is the documentation.
    pub source: &'static str,
    /// `Scope.ComplianceResourceTypes` of the Config rule; empty when the scope is a deployment
    /// choice (a template parameter) and any type in it is judged.
    pub resource_types: &'static [&'static str],
    pub trigger: Trigger,
    pub reports_on: ReportsOn,
    pub parameters: &'static [ParamSpec],
    /// The IAM actions the rule itself calls (beyond what the engine needs), each with the
    /// resources it needs them on; the template grants exactly these.
    pub permissions: &'static [Permission],
    /// Whether judging one configuration item calls AWS (through the rule's client), so it
    /// cannot run offline on items alone.
    pub item_calls_aws: bool,
    /// The shortest Lambda timeout, in seconds, that covers the rule's work.
    pub timeout_seconds: u32,
    /// When `resource_types` is empty (the scope is a deployment choice): the template
    /// parameter's default scope.
    pub default_scope: &'static [&'static str],
    /// The SSM Automation fix the template can attach, if a safe, reversible one exists.
    pub remediation: Option<Remediation>,
    /// A [`ReportsOn::Account`] rule whose only result is the account itself: it never has
    /// stale per-resource results to retire, so the engine never reads its stored results and
    /// its role needs no `config:GetComplianceDetailsByConfigRule`.
    pub reports_only_account: bool,
    /// How much a NON_COMPLIANT result of this rule weighs, for reports and `--fail-on`.
    pub severity: Severity,
    /// The serverless security practices the rule serves (numbers into [`PRACTICES`]).
    pub practices: &'static [u8],
    /// What the rule judges in a CloudFormation or SAM template before deploy (`config-rules
    /// evaluate --template`) and what it leaves to the deployed rule; shown in its docs.
    pub template_mode: &'static str,
    /// The `supplementaryConfiguration` keys the rule reads (`Policy`, `Concurrency`, ...):
    /// `config-rules scan --source api` makes the calls that fill a key only when a selected
    /// rule reads it.
    pub reads_supplementary: &'static [&'static str],
}

/// The seven practices of the article the suite grew from (shared/serverless-security-practices.txt),
/// numbered from 1.
pub const PRACTICES: [&str; 7] = [
    "Compliance and governance",
    "Code auditing",
    "Safeguard against DoS",
    "Authentication and authorization",
    "Configuration management, monitoring and logging",
    "Code isolation",
    "Data encryption and integrity",
];

/// How much a finding weighs: what an attacker gains, how directly, and how widely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Housekeeping that limits damage or cost (timeouts, tags).
    Low,
    /// A weakened defence that needs another failure to be exploited.
    Medium,
    /// A direct weakness: broad permissions, unauthenticated APIs, no audit trail.
    High,
    /// Exposed to anyone now (a function anyone on the internet may invoke).
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// SARIF `security-severity` (GitHub code scanning: 9.0+ critical, 7.0–8.9 high,
    /// 4.0–6.9 medium, 0.1–3.9 low).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    /// SARIF result level.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Low => "note",
            Severity::Medium => "warning",
            Severity::High | Severity::Critical => "error",
        }
    }
}

/// ARN patterns for [`Permission::on`], in CloudFormation `Fn::Sub` syntax.
pub mod arn {
    /// This account's Lambda functions in this region.
    pub const LAMBDA_FUNCTIONS: &str = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*";
    /// This account's Lambda code signing configurations in this region.
    pub const LAMBDA_CODE_SIGNING_CONFIGS: &str =
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:code-signing-config:*";
    /// This account's KMS keys in this region.
    pub const KMS_KEYS: &str = "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*";
    /// This account's IAM users.
    pub const IAM_USERS: &str = "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*";
    /// This account's AWS Config rules in this region: `GetComplianceDetailsByConfigRule` is
    /// authorized on the rule's ARN, which holds an id Config assigns at creation (so the
    /// function's role, created first, cannot name it exactly).
    pub const CONFIG_RULES: &str = "arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*";
    /// Trails, in any region and account: a multi-region trail reports its home region's ARN,
    /// an organization trail its management account's.
    pub const CLOUDTRAIL_TRAILS: &str = "arn:${AWS::Partition}:cloudtrail:*:*:trail/*";
    /// CloudTrail Lake event data stores of the region and account.
    pub const CLOUDTRAIL_EVENT_DATA_STORES: &str =
        "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:eventdatastore/*";
    /// This region's REST API stages (API Gateway authorizes by HTTP verb on the path).
    pub const REST_API_STAGES: &str = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/*/stages/*";
    /// This region's HTTP and WebSocket API stages.
    pub const HTTP_API_STAGES: &str = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/apis/*/stages/*";
    /// API Gateway's account settings in this region (the CloudWatch role).
    pub const APIGATEWAY_ACCOUNT: &str = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/account";
    /// This account's log groups in this region.
    pub const LOG_GROUPS: &str = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*";
    /// S3 buckets (bucket ARNs name no account or region).
    pub const S3_BUCKETS: &str = "arn:${AWS::Partition}:s3:::*";
    /// Every DynamoDB table of the region and account.
    pub const DYNAMODB_TABLES: &str = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*";
}

/// An IAM action a rule's function needs, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Permission {
    pub action: &'static str,
    /// ARN patterns (see [`arn`]); empty means `"*"`, for actions that support no
    /// resource-level permission (`lambda:ListFunctions`, `config:PutEvaluations`).
    pub resources: &'static [&'static str],
}

impl Permission {
    /// An action that supports no resource-level permission: granted on `"*"`.
    pub const fn any(action: &'static str) -> Self {
        Permission { action, resources: &[] }
    }
    /// An action granted on these resources only.
    pub const fn on(action: &'static str, resources: &'static [&'static str]) -> Self {
        Permission { action, resources }
    }
}

/// How AWS Config passes one parameter of a remediation document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemediationValue {
    /// The non-compliant resource's id (`RESOURCE_ID`).
    ResourceId,
    /// The deployed value of one of the rule's parameters (by its `ruleParameters` name).
    RuleParameter(&'static str),
    /// A value the deployment chooses for the fix alone: the template parameter
    /// `<Rule>Remediation<name>`, with this default and description.
    Setting {
        name: &'static str,
        default: &'static str,
        description: &'static str,
    },
    /// A resource of the stack, as the CloudFormation expression that names it
    /// (`!GetAtt ApiAccessLogGroup.Arn`); template.yaml defines the resource by hand.
    StackValue(&'static str),
}

/// An SSM Automation fix for the rule's NON_COMPLIANT resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remediation {
    /// The Automation document (YAML, schema 0.3), kept next to the rule as
    /// `remediation.yaml` and embedded in template.yaml as `<Rule>RemediationDocument`.
    pub document: &'static str,
    /// The document's parameters besides `AutomationAssumeRole`.
    pub parameters: &'static [(&'static str, RemediationValue)],
    /// What the document's steps call, on which resources: the remediation role gets exactly
    /// these while the rule's remediation is on, and the test executor checks every call.
    pub permissions: &'static [Permission],
    /// Safe to run without a person looking (`AutomaticRemediation=true` runs it). A fix that
    /// can break a workload is manual unless its own opt-in parameter says otherwise.
    pub automatic_safe: bool,
    /// What the fix changes, for the docs and the template's parameter description.
    pub summary: &'static str,
    /// Why it is, or is not, safe to run unattended.
    pub safety: &'static str,
}

impl RuleMeta {
    /// Defaults for the fields most rules leave alone: `..RuleMeta::DEFAULT` in a rule's
    /// `META`, so a new field is added here once.
    pub const DEFAULT: RuleMeta = RuleMeta {
        id: "",
        summary: "",
        source: "",
        resource_types: &[],
        trigger: Trigger::Change,
        reports_on: ReportsOn::EachResource,
        parameters: &[],
        permissions: &[],
        item_calls_aws: false,
        timeout_seconds: 10,
        default_scope: &[],
        remediation: None,
        reports_only_account: false,
        severity: Severity::Medium,
        practices: &[],
        template_mode: "",
        reads_supplementary: &[],
    };
}

impl RuleMeta {
    /// The documentation: the `//!` header of the rule's source, without the markers.
    pub fn docs(&self) -> String {
        crate::docs::module_docs(self.source)
    }

    /// What the rule's function needs: the engine's calls and the rule's own.
    pub fn required_permissions(&self) -> Vec<Permission> {
        const CONFIG_RULES: &[&str] = &[arn::CONFIG_RULES];
        let mut out = vec![Permission::any("config:PutEvaluations")];
        if self.reports_on == ReportsOn::EachResource && self.trigger.on_change() {
            out.push(Permission::any("config:GetResourceConfigHistory"));
        }
        if (self.trigger.periodic() || self.reports_on == ReportsOn::Account) && !self.reports_only_account {
            out.push(Permission::on("config:GetComplianceDetailsByConfigRule", CONFIG_RULES));
        }
        out.extend_from_slice(self.permissions);
        out
    }

    /// The IAM actions of [`RuleMeta::required_permissions`].
    pub fn required_actions(&self) -> Vec<&'static str> {
        self.required_permissions().iter().map(|p| p.action).collect()
    }
}

/// What a rule sees of the invocation when it evaluates on its own (periodic or account rules).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountContext {
    pub account_id: String,
    /// The `OrderingTimestamp` of the evaluations: the notification's time for periodic runs,
    /// the changed item's capture time for change-triggered ones.
    pub ordering_time: DateTime<Utc>,
    /// The time date-dependent verdicts (key age, runtime deprecation) are judged at: the
    /// notification's creation time (in the CLI, now or `--at`). Never the capture time: Config
    /// re-sends items captured months earlier when a rule is created or re-evaluated.
    pub evaluation_time: DateTime<Utc>,
}

impl AccountContext {
    /// A context whose evaluations are ordered and judged at the same time `at` (periodic runs).
    pub fn at(account_id: impl Into<String>, at: DateTime<Utc>) -> Self {
        AccountContext {
            account_id: account_id.into(),
            ordering_time: at,
            evaluation_time: at,
        }
    }
}

/// What a rule sees of the invocation when it judges one configuration item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemContext {
    /// The time date-dependent verdicts are judged at (see [`AccountContext::evaluation_time`]).
    pub evaluation_time: DateTime<Utc>,
}

impl ItemContext {
    /// Judged now (the CLI without `--at`, and tests).
    pub fn now() -> Self {
        ItemContext {
            evaluation_time: Utc::now(),
        }
    }
}

/// A Config rule. Implement [`Rule::evaluate_item`] for rules that judge one configuration
/// item ([`ReportsOn::EachResource`]), [`Rule::evaluate_account`] for rules that judge the
/// account or find their resources themselves. Keep the decision a pure function in the
/// rule's crate; calls to AWS go through a narrow client trait the rule owns.
#[async_trait]
pub trait Rule: Send + Sync {
    type Params: FromParams + Send + Sync;

    fn meta(&self) -> &'static RuleMeta;

    /// Judges one recorded item. Only called for items in scope, recorded, not deleted
    /// and not exempted.
    async fn evaluate_item(
        &self,
        item: &ConfigurationItem,
        ctx: &ItemContext,
        params: &Self::Params,
    ) -> Result<Verdict, Error> {
        let _ = (item, ctx, params);
        Ok(Verdict::not_applicable(format!(
            "Rule {} does not evaluate single configuration items.",
            self.meta().id
        )))
    }

    /// Judges the account, or every resource the rule finds.
    async fn evaluate_account(
        &self,
        ctx: &AccountContext,
        params: &Self::Params,
    ) -> Result<Vec<ResourceVerdict>, Error> {
        let _ = (ctx, params);
        Ok(Vec::new())
    }
}

/// Declares the runner-facing type of a rule whose decision is a pure function
/// `fn(&ConfigurationItem, &Params) -> Verdict`:
///
/// ```ignore
/// config_rules_core::pure_rule!(
///     /// The rule as the runner sees it.
///     LambdaTimeoutWithinLimit, META, Params, evaluate
/// );
/// ```
#[macro_export]
macro_rules! pure_rule {
    ($(#[$doc:meta])* $name:ident, $meta:path, $params:ty, $evaluate:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        #[$crate::async_trait]
        impl $crate::Rule for $name {
            type Params = $params;
            fn meta(&self) -> &'static $crate::RuleMeta {
                &$meta
            }
            async fn evaluate_item(
                &self,
                item: &$crate::ConfigurationItem,
                _ctx: &$crate::ItemContext,
                params: &$params,
            ) -> ::std::result::Result<$crate::Verdict, $crate::Error> {
                Ok($evaluate(item, params))
            }
        }
    };
}
