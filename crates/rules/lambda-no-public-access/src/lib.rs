//! # lambda-no-public-access
//!
//! **Checks** that no one outside the account can invoke a Lambda function: its resource
//! policy grants nothing to everyone, every service it lets invoke it is pinned to a source
//! account or resource, and it has no function URL without authentication.
//!
//! **Why it matters.** Practice 4, *authentication and authorization*, of the serverless
//! security practices: a function anyone can invoke is an unauthenticated API to its code and
//! its role's permissions, and a denial-of-wallet target. A service principal without
//! `aws:SourceAccount` or `aws:SourceArn` is the confused-deputy hole: any S3 bucket or SNS
//! topic of any account can then trigger the function.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. The resource policy comes from the item
//! (`supplementaryConfiguration.Policy`); the function URL is not in Config's item, so the rule
//! reads it with Lambda `GetFunctionUrlConfig` (no URL is fine).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `allowPublicFunctionUrl` | boolean | `false` | accept a function URL with `AuthType: NONE` (and the policy statement it needs) |
//!
//! **What counts as public.** An `Allow` statement whose principal is `*` or `{"AWS": "*"}`,
//! unless a condition pins it to an account, organization or source (`aws:SourceAccount`,
//! `aws:SourceArn`, `aws:SourceOwner`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
//! `aws:PrincipalArn`). An `Allow` for a service principal (`{"Service": "s3.amazonaws.com"}`)
//! without `aws:SourceAccount` or `aws:SourceArn`. Condition keys compare case-insensitively.
//! A condition pins only under a restricting operator (`StringEquals`, `StringLike`,
//! `ArnEquals`, `ArnLike`, with or without `ForAnyValue:`/`ForAllValues:`; not the negated
//! or `...IfExists` forms) and only with fixed values: `*`, `arn:aws:s3:::*`, a bucket-name
//! prefix such as `arn:aws:s3:::uploads-*`, or a `SourceAccount` of `*` match every account,
//! as the managed rule `lambda-function-public-access-prohibited` also holds. An ARN pattern
//! whose account field is a fixed account (`arn:aws:execute-api:REGION:123456789012:*`) pins.
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | no resource policy, no URL | COMPLIANT |
//! | statements only for accounts, or services pinned to a source | COMPLIANT |
//! | a statement for `*` without a pinning condition | NON_COMPLIANT, naming the statement |
//! | a service principal without `aws:SourceAccount`/`aws:SourceArn` | NON_COMPLIANT, naming the service |
//! | a service principal pinned only by wildcards (`arn:aws:s3:::*`, `*`) | NON_COMPLIANT, naming the service |
//! | a function URL with `AuthType: NONE` (unless `allowPublicFunctionUrl`) | NON_COMPLIANT |
//! | a policy that is not readable JSON | NON_COMPLIANT |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Remove the statement (`aws lambda remove-permission --function-name NAME
//! --statement-id SID`) and add it back with `--source-account` and `--source-arn`; give the
//! function URL `AuthType AWS_IAM`, or put the function behind API Gateway with an authorizer.
//!
//! **References.** AWS Lambda developer guide, "Working with resource-based IAM policies in
//! Lambda" and "Control access to function URLs"; IAM user guide, "The confused deputy
//! problem"; AWS Config managed rule `lambda-function-public-access-prohibited`.

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, ReportsOn, Rule,
    RuleMeta, Severity, Trigger, Verdict,
};
pub use lambda_facts::{FunctionUrlApi, SdkLambda};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-no-public-access",
    summary: "Lambda functions cannot be invoked by everyone: no public policy, no unpinned service, no open URL.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::boolean(
        "allowPublicFunctionUrl",
        false,
        "Accept a function URL with AuthType NONE.",
    )],
    permissions: &[Permission::on("lambda:GetFunctionUrlConfig", &[arn::LAMBDA_FUNCTIONS])],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::Critical,
    practices: &[4],
    template_mode: "judges the function's resource policy as Lambda builds it from the template's `AWS::Lambda::Permission` resources (and the permissions SAM adds for events and public URLs) and its URL's `AuthType`; cannot see permissions added outside the template",
    reads_supplementary: &["Policy"],
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub allow_public_function_url: bool,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            allow_public_function_url: values.boolean("allowPublicFunctionUrl")?,
        })
    }
}

const PINNING_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
];
const SOURCE_KEYS: &[&str] = &["aws:sourceaccount", "aws:sourcearn"];

use lambda_facts::policy_strings as strings;

/// Condition operators that restrict a key to the listed values. Negated operators
/// (`StringNotEquals`, `ArnNotLike`) and `...IfExists` (true when the key is absent) restrict
/// nothing on their own.
const RESTRICTING_OPERATORS: &[&str] = &[
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
];

/// True when a condition value names fixed principals or sources: no wildcard at all, or an
/// ARN pattern whose account field is a fixed 12-digit account (`arn:aws:execute-api:
/// us-east-1:123456789012:*` only matches that account's APIs). `*`, `arn:aws:s3:::*` or a
/// `SourceAccount` of `*` match every account, as the managed rule
/// lambda-function-public-access-prohibited also holds.
fn is_fixed_value(value: &str) -> bool {
    let wild = |s: &str| s.contains('*') || s.contains('?');
    if value.is_empty() {
        return false;
    }
    if !wild(value) {
        return true;
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[..5].iter().any(|p| wild(p))
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
}

/// Lower-cased condition keys a statement restricts to fixed values (see [`is_fixed_value`]),
/// under a restricting operator (see [`RESTRICTING_OPERATORS`]).
fn condition_keys(statement: &Value) -> Vec<String> {
    let Some(ops) = statement.get("Condition").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for (op, conditions) in ops {
        let op = op.to_ascii_lowercase();
        let op = op
            .strip_prefix("foranyvalue:")
            .or_else(|| op.strip_prefix("forallvalues:"))
            .unwrap_or(&op);
        if !RESTRICTING_OPERATORS.contains(&op) {
            continue;
        }
        let Some(conditions) = conditions.as_object() else {
            continue;
        };
        for (key, value) in conditions {
            let values = strings(Some(value));
            if !values.is_empty() && values.iter().all(|v| is_fixed_value(v)) {
                keys.push(key.to_ascii_lowercase());
            }
        }
    }
    keys
}

/// Lower-cased condition keys a statement names, whatever their operators and values.
fn mentioned_keys(statement: &Value) -> Vec<String> {
    statement
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|ops| ops.values())
        .filter_map(Value::as_object)
        .flat_map(|keys| keys.keys())
        .map(|k| k.to_ascii_lowercase())
        .collect()
}

/// A statement only a function URL with `AuthType: NONE` needs.
fn is_public_url_statement(statement: &Value) -> bool {
    let url_action = strings(statement.get("Action"))
        .iter()
        .all(|a| a.eq_ignore_ascii_case("lambda:InvokeFunctionUrl"));
    let none_auth = statement
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|ops| ops.values())
        .filter_map(Value::as_object)
        .any(|keys| {
            keys.iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("lambda:FunctionUrlAuthType") && strings(Some(v)) == ["NONE"])
        });
    url_action && none_auth
}

/// Why the resource policy makes the function public, one entry per problem.
pub fn policy_problems(policy: &Value, params: &Params) -> Vec<String> {
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut problems = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        if !s
            .get("Effect")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("allow"))
        {
            continue;
        }
        let label = s
            .get("Sid")
            .and_then(Value::as_str)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", i + 1));
        let keys = condition_keys(s);
        let principal = s.get("Principal");
        let everyone = match principal {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(m)) => strings(m.get("AWS")).contains(&"*"),
            _ => false,
        };
        if everyone && !keys.iter().any(|k| PINNING_KEYS.contains(&k.as_str())) {
            if !(params.allow_public_function_url && is_public_url_statement(s)) {
                problems.push(format!("statement {label} allows everyone (*)"));
            }
            continue;
        }
        let services = principal
            .and_then(|p| p.get("Service"))
            .map(|v| strings(Some(v)))
            .unwrap_or_default();
        if !services.is_empty() && !keys.iter().any(|k| SOURCE_KEYS.contains(&k.as_str())) {
            let loose = mentioned_keys(s).iter().any(|k| SOURCE_KEYS.contains(&k.as_str()));
            problems.push(if loose {
                format!(
                    "statement {label} lets {} invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account",
                    services.join(", ")
                )
            } else {
                format!(
                    "statement {label} lets {} invoke it without aws:SourceAccount or aws:SourceArn",
                    services.join(", ")
                )
            });
        }
    }
    problems
}

/// The decision, as a pure function of the item, the function URL's auth type and the parameters.
pub fn evaluate(item: &ConfigurationItem, url_auth_type: Option<&str>, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let mut problems = match item.supplementary("Policy") {
        None => Vec::new(),
        Some(policy @ Value::Object(_)) => policy_problems(&policy, params),
        Some(_) => vec!["its resource policy is not readable JSON".to_string()],
    };
    if url_auth_type == Some("NONE") && !params.allow_public_function_url {
        problems.push("its function URL has AuthType NONE".to_string());
    }
    if problems.is_empty() {
        Verdict::compliant(format!(
            "Function {name} can only be invoked by principals of known accounts or sources."
        ))
    } else {
        Verdict::non_compliant(format!("Function {name} is public: {}.", problems.join("; ")))
    }
}

/// The rule as the runner sees it.
pub struct LambdaNoPublicAccess<U> {
    urls: U,
}

impl<U: FunctionUrlApi> LambdaNoPublicAccess<U> {
    pub fn new(urls: U) -> Self {
        LambdaNoPublicAccess { urls }
    }
}

#[async_trait]
impl<U: FunctionUrlApi> Rule for LambdaNoPublicAccess<U> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_item(
        &self,
        item: &ConfigurationItem,
        _ctx: &ItemContext,
        params: &Params,
    ) -> Result<Verdict, Error> {
        let name = match lambda_facts::function_name(item) {
            Ok(name) => name,
            Err(not_applicable) => return Ok(not_applicable),
        };
        let auth = self.urls.url_auth_type(name).await?;
        Ok(evaluate(item, auth.as_deref(), params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaNoPublicAccess::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests;
