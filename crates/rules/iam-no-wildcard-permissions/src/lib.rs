//! # iam-no-wildcard-permissions
//!
//! **Checks** that no IAM policy allows every action (`*`, `*:*`), every action of a whole
//! service (`s3:*`), or everything except a list (`NotAction` with `Allow`).
//!
//! **Why it matters.** Practice 4, *authentication and authorization*, and practice 6, *code
//! isolation*, of the serverless security practices: each function should hold only the
//! permissions it uses. A wildcard grant turns one injected or compromised function into a
//! compromise of every resource the wildcard reaches, and grows silently as AWS adds actions.
//!
//! **Resource types:** `AWS::IAM::Policy` (its default version), `AWS::IAM::Role`,
//! `AWS::IAM::User`, `AWS::IAM::Group` (their inline policies `rolePolicyList`,
//! `userPolicyList`, `groupPolicyList`, and an attached
//! `arn:aws:iam::aws:policy/AdministratorAccess`).
//! **Trigger:** configuration change (large roles arrive as oversized notifications; the
//! engine fetches them).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `allowServiceWildcards` | boolean | `false` | accept whole-service wildcards such as `s3:*` |
//! | `exemptServices` | comma list | empty | services whose `service:*` is accepted, e.g. `logs,xray` |
//!
//! **How documents are read.** Config stores policy documents URL-encoded; they are
//! percent-decoded (a `+` stays a `+`), and already-decoded JSON is accepted too. `Statement`
//! may be one object or a list; `Action`, `NotAction` and `Resource` a string or a list; action
//! names compare case-insensitively. Only `Effect: Allow` statements count. Partial wildcards
//! (`s3:Get*`) and `Resource: "*"` with specific actions are accepted.
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | an Allow statement with `*` or `*:*` | NON_COMPLIANT |
//! | an Allow statement with `service:*`, service not exempted | NON_COMPLIANT |
//! | an Allow statement with `NotAction` | NON_COMPLIANT |
//! | `AdministratorAccess` attached to a role, user or group | NON_COMPLIANT |
//! | a document that is not valid JSON, or a structure IAM itself rejects (`Statement: "x"`, `Action: [["*"]]`, no `Effect`) | NON_COMPLIANT, "not readable" (it cannot be shown to be safe) |
//! | a document delivered decoded: a JSON object, or a list of them as in AWS's own sample items | read like the URL-encoded text Config records |
//! | only specific actions or partial wildcards, or wildcards only in `Deny` | COMPLIANT |
//! | a managed policy item without a default version document | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! The annotation names the policy, the statement (its `Sid`, or its position from 1) and the
//! action.
//!
//! **Remediation.** Replace the wildcard with the actions the workload calls (IAM Access
//! Analyzer's policy generation lists them from CloudTrail), replace `NotAction` with an
//! explicit `Action` list, and detach `AdministratorAccess` from workload identities.
//!
//! **References.** IAM user guide, "Security best practices in IAM" (apply least-privilege
//! permissions); AWS Config managed rule `iam-policy-no-statements-with-admin-access`.

use std::fmt;

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use percent_encoding::percent_decode_str;
use serde_json::Value;

pub const ADMINISTRATOR_ACCESS_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

pub const META: RuleMeta = RuleMeta {
    id: "iam-no-wildcard-permissions",
    summary: "IAM policies allow no `*`, no whole-service `service:*` and no `NotAction` grants.",
    source: include_str!("lib.rs"),
    resource_types: &[
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
    ],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::boolean(
            "allowServiceWildcards",
            false,
            "Accept whole-service wildcards such as s3:*.",
        ),
        ParamSpec::list(
            "exemptServices",
            "Services whose service:* wildcard is accepted, e.g. logs,xray.",
        ),
    ],
    item_calls_aws: false,
    timeout_seconds: 15,
    severity: Severity::High,
    practices: &[4, 6],
    template_mode: "judges inline policies of roles, users and groups (`Policies`, `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`), customer managed policies, and SAM's `Policies` statements; SAM policy templates are expanded by SAM at deploy and not judged",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub allow_service_wildcards: bool,
    /// Lower-cased service prefixes.
    pub exempt_services: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            allow_service_wildcards: values.boolean("allowServiceWildcards")?,
            exempt_services: values
                .list("exemptServices")?
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
        })
    }
}

/// Why a statement fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `*`, `*:*` or a wildcard service prefix: every action of every service.
    AllActions(String),
    /// `service:*`.
    ServiceWildcard(String),
    /// `NotAction` with `Allow`.
    NotAction,
    /// The document is not readable policy JSON.
    Unreadable(String),
    /// `AdministratorAccess` attached.
    AdministratorAccess,
}

/// A failing statement, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// e.g. `inline policy app` or `policy AppPolicy (default version v2)`.
    pub policy: String,
    /// `Sid` or 1-based position; `None` when the whole document is at fault.
    pub statement: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.policy)?;
        if let Some(s) = &self.statement {
            write!(f, " statement {s}")?;
        }
        match &self.problem {
            Problem::AllActions(a) => write!(f, " allows \"{a}\" (all actions)"),
            Problem::ServiceWildcard(a) => write!(f, " allows \"{a}\" (a whole service)"),
            Problem::NotAction => write!(f, " uses NotAction with Allow"),
            Problem::Unreadable(why) => write!(f, " is not readable: {why}"),
            Problem::AdministratorAccess => write!(f, " grants all actions"),
        }
    }
}

/// Reads a policy document as Config stores it: URL-encoded JSON text (what Config records),
/// plain JSON text, an already-parsed object (some tools deliver it decoded), or a list of
/// such objects (AWS's own sample items in aws-config-rdk, `rdk/template/example_ci/
/// AWS_IAM_Policy.json` and `AWS_IAM_User.json`, hold `[{"Version": ..., "Statement": [...]}]`):
/// the statements of every document in the list count.
pub fn decode_document(raw: &Value) -> Result<Value, String> {
    match raw {
        Value::Object(_) => Ok(raw.clone()),
        Value::Array(docs) if !docs.is_empty() && docs.iter().all(Value::is_object) => {
            if docs.len() == 1 {
                return Ok(docs[0].clone());
            }
            let mut statements = Vec::new();
            for doc in docs {
                match doc.get("Statement") {
                    Some(Value::Array(list)) => statements.extend(list.iter().cloned()),
                    Some(other) => statements.push(other.clone()),
                    None => return Err("a document in the list has no Statement".to_string()),
                }
            }
            Ok(serde_json::json!({ "Statement": statements }))
        }
        Value::String(text) => {
            let trimmed = text.trim_start();
            let decoded = if trimmed.starts_with('{') {
                text.clone()
            } else {
                percent_decode_str(text)
                    .decode_utf8()
                    .map_err(|e| format!("not UTF-8 after URL-decoding: {e}"))?
                    .into_owned()
            };
            serde_json::from_str(&decoded).map_err(|e| format!("not JSON: {e}"))
        }
        other => Err(format!(
            "a document is a JSON object, found {}",
            config_rules_core::params::json_kind(other)
        )),
    }
}

/// Checks the parts of a statement this rule reads against the IAM JSON policy grammar
/// (IAM user guide, "IAM JSON policy elements reference"): `Effect` is `Allow` or `Deny`,
/// `Action`/`NotAction` a string or a list of strings. IAM itself rejects anything else,
/// so such a document is reported as not readable, never as compliant.
fn statement_shape(statement: &Value) -> Result<(), String> {
    let Value::Object(map) = statement else {
        return Err(format!(
            "a statement is a JSON object, found {}",
            config_rules_core::params::json_kind(statement)
        ));
    };
    match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
        Some(Value::String(_)) => return Err("Effect is neither Allow nor Deny".to_string()),
        Some(other) => {
            return Err(format!(
                "Effect is a string, found {}",
                config_rules_core::params::json_kind(other)
            ))
        }
        None => return Err("Effect is missing".to_string()),
    }
    if !map.contains_key("Action") && !map.contains_key("NotAction") {
        return Err("neither Action nor NotAction is given".to_string());
    }
    for key in ["Action", "NotAction"] {
        match map.get(key) {
            None | Some(Value::String(_)) => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
            Some(Value::Array(_)) => return Err(format!("{key} lists something other than strings")),
            Some(other) => {
                return Err(format!(
                    "{key} is a string or a list of strings, found {}",
                    config_rules_core::params::json_kind(other)
                ))
            }
        }
    }
    Ok(())
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Classifies one action name.
fn classify(action: &str, params: &Params) -> Option<Problem> {
    let lower = action.trim().to_ascii_lowercase();
    if lower == "*" {
        return Some(Problem::AllActions(action.to_string()));
    }
    let (service, name) = lower.split_once(':')?;
    if service.contains('*') {
        return Some(Problem::AllActions(action.to_string()));
    }
    if name == "*" && !params.allow_service_wildcards && !params.exempt_services.iter().any(|s| s == service) {
        return Some(Problem::ServiceWildcard(action.to_string()));
    }
    None
}

/// Every failing Allow statement of one policy document.
pub fn analyze_document(policy: &str, document: &Value, params: &Params) -> Vec<Finding> {
    let unreadable = |statement: Option<String>, why: String| Finding {
        policy: policy.to_string(),
        statement,
        problem: Problem::Unreadable(why),
    };
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(other) => {
            return vec![unreadable(
                None,
                format!(
                    "Statement is an object or a list of objects, found {}",
                    config_rules_core::params::json_kind(other)
                ),
            )]
        }
        None => return vec![unreadable(None, "it has no Statement".to_string())],
    };
    let mut findings = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        if let Err(why) = statement_shape(statement) {
            findings.push(unreadable(Some(format!("#{}", index + 1)), why));
            continue;
        }
        let allow = statement
            .get("Effect")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("allow"));
        if !allow {
            continue;
        }
        let label = statement
            .get("Sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", index + 1));
        let mut add = |problem| {
            findings.push(Finding {
                policy: policy.to_string(),
                statement: Some(label.clone()),
                problem,
            })
        };
        if statement.get("NotAction").is_some() {
            add(Problem::NotAction);
        }
        for action in strings(statement.get("Action")) {
            if let Some(problem) = classify(action, params) {
                add(problem);
            }
        }
    }
    findings
}

fn named_document(policy: String, raw: Option<&Value>, params: &Params, out: &mut Vec<Finding>) {
    let Some(raw) = raw else { return };
    match decode_document(raw) {
        Ok(doc) => out.extend(analyze_document(&policy, &doc, params)),
        Err(why) => out.push(Finding {
            policy,
            statement: None,
            problem: Problem::Unreadable(why),
        }),
    }
}

/// Every finding for an IAM item, and how many documents were read.
pub fn findings(item: &ConfigurationItem, params: &Params) -> (Vec<Finding>, usize) {
    let config = &item.configuration;
    let mut out = Vec::new();
    let mut documents = 0;
    if item.resource_type == "AWS::IAM::Policy" {
        let name = item.config_str("policyName").unwrap_or(&item.resource_id);
        let versions = config.get("policyVersionList").and_then(Value::as_array);
        let default = versions.and_then(|vs| {
            vs.iter()
                .find(|v| v.get("isDefaultVersion").and_then(Value::as_bool) == Some(true))
                .or_else(|| {
                    let id = config.get("defaultVersionId");
                    vs.iter().find(|v| v.get("versionId") == id && id.is_some())
                })
        });
        if let Some(version) = default {
            documents += 1;
            let vid = version.get("versionId").and_then(Value::as_str).unwrap_or("?");
            named_document(
                format!("policy {name} (version {vid})"),
                version.get("document"),
                params,
                &mut out,
            );
        }
        return (out, documents);
    }
    for list in ["rolePolicyList", "userPolicyList", "groupPolicyList"] {
        for entry in config.get(list).and_then(Value::as_array).into_iter().flatten() {
            documents += 1;
            let name = entry.get("policyName").and_then(Value::as_str).unwrap_or("?");
            named_document(
                format!("inline policy {name}"),
                entry.get("policyDocument"),
                params,
                &mut out,
            );
        }
    }
    for attached in config
        .get("attachedManagedPolicies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if attached.get("policyArn").and_then(Value::as_str) == Some(ADMINISTRATOR_ACCESS_ARN) {
            out.push(Finding {
                policy: "attached managed policy AdministratorAccess".to_string(),
                statement: None,
                problem: Problem::AdministratorAccess,
            });
        }
    }
    (out, documents)
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let (found, documents) = findings(item, params);
    if !found.is_empty() {
        let list: Vec<String> = found.iter().map(Finding::to_string).collect();
        return Verdict::non_compliant(format!("{}.", list.join("; ")));
    }
    if item.resource_type == "AWS::IAM::Policy" && documents == 0 {
        return Verdict::not_applicable("The configuration item holds no default policy version document.");
    }
    Verdict::compliant(match documents {
        0 => "No inline policies and no AdministratorAccess attached.".to_string(),
        1 => "The policy document allows no wildcard actions.".to_string(),
        n => format!("None of the {n} policy documents allows wildcard actions."),
    })
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    IamNoWildcardPermissions,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    IamNoWildcardPermissions
}

#[cfg(test)]
mod tests;
