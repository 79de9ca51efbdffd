//! # lambda-execution-role-not-shared
//!
//! **Checks** that every Lambda function has an execution role of its own.
//!
//! **Why it matters.** Practice 6, *code isolation*, and practice 4, *authorization*, of the
//! serverless security practices: a role shared by several functions holds the union of their
//! permissions, so a flaw in the least trusted of them (an injectable webhook, a dependency
//! with a backdoor) reaches everything the others may do. One role per function keeps each
//! function's blast radius to its own job, and keeps least privilege reviewable.
//!
//! **Resource type reported:** `AWS::Lambda::Function` (each function of the region).
//! **Trigger:** periodic. Config's item of a function carries its role, but whether another
//! function uses the same role is a property of the whole account, so the rule lists the
//! functions itself.
//! **Calls:** Lambda `ListFunctions` (all pages).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `allowedSharedRoles` | comma list | empty | roles (names or ARNs) that may be shared, e.g. a deliberately shared read-only role |
//!
//! **Scenarios**
//!
//! | account | result for a function |
//! |---|---|
//! | no other function uses its role | COMPLIANT |
//! | other functions use its role | NON_COMPLIANT, naming the role and the other functions |
//! | its role is shared but listed in `allowedSharedRoles` | COMPLIANT, saying so |
//! | a function deleted since the last run | NOT_APPLICABLE (its old result is retired) |
//! | tagged `config-rules:exempt` | not seen: `ListFunctions` returns no tags (use the parameter) |
//!
//! **Remediation.** Give each function its own role with only the permissions that function
//! uses (in SAM, omit `Role` and use per-function `Policies`), then detach the shared role.
//!
//! **References.** AWS Lambda developer guide, "Defining Lambda function permissions with an
//! execution role"; AWS Well-Architected Serverless Lens, SEC 2 (least privilege per function).

use std::collections::BTreeMap;

use async_trait::async_trait;
use config_rules_core::{
    AccountContext, Error, FromParams, ParamSpec, ParamValues, Permission, ReportsOn, ResourceVerdict, Rule, RuleMeta,
    Severity, Trigger, Verdict,
};

pub const META: RuleMeta = RuleMeta {
    id: "lambda-execution-role-not-shared",
    summary: "Each Lambda function has an execution role no other function uses.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Periodic,
    reports_on: ReportsOn::Account,
    parameters: &[ParamSpec::list(
        "allowedSharedRoles",
        "Roles (names or ARNs) that may be shared by several functions.",
    )],
    permissions: &[Permission::any("lambda:ListFunctions")],
    item_calls_aws: false,
    timeout_seconds: 60,
    severity: Severity::Medium,
    practices: &[4, 6],
    template_mode: "judges sharing among the template's functions only (roles are compared by reference); functions of other stacks sharing a role are judged by the deployed rule",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub allowed_shared_roles: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            allowed_shared_roles: values.list("allowedSharedRoles")?,
        })
    }
}

pub use lambda_facts::{FunctionLister, FunctionSummary, SdkLambda};

/// `arn:aws:iam::123456789012:role/path/name` → `name`.
pub fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn names(list: &[&str]) -> String {
    config_rules_core::evaluation::list_names(list, 5)
}

/// The decision for every function, as a pure function of the account's functions.
pub fn evaluate(functions: &[FunctionSummary], params: &Params) -> Vec<ResourceVerdict> {
    let mut by_role: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in functions {
        by_role.entry(f.role_arn.as_str()).or_default().push(f.name.as_str());
    }
    let allowed = |arn: &str| {
        params
            .allowed_shared_roles
            .iter()
            .any(|a| a == arn || a == role_name(arn))
    };
    let mut out: Vec<ResourceVerdict> = functions
        .iter()
        .map(|f| {
            let role = role_name(&f.role_arn);
            let others: Vec<&str> = by_role
                .get(f.role_arn.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|n| *n != f.name)
                .collect();
            let verdict = if others.is_empty() {
                Verdict::compliant(format!("Function {} is the only function using role {role}.", f.name))
            } else if allowed(&f.role_arn) {
                Verdict::compliant(format!(
                    "Function {} shares role {role} with {}, which allowedSharedRoles permits.",
                    f.name,
                    names(&others)
                ))
            } else {
                Verdict::non_compliant(format!(
                    "Function {} shares its execution role {role} with {} other function{}: {}.",
                    f.name,
                    others.len(),
                    if others.len() == 1 { "" } else { "s" },
                    names(&others)
                ))
            };
            ResourceVerdict {
                resource_type: "AWS::Lambda::Function".to_string(),
                resource_id: f.name.clone(),
                verdict,
            }
        })
        .collect();
    out.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
    out
}

/// The rule as the runner sees it.
pub struct LambdaExecutionRoleNotShared<L> {
    lister: L,
}

impl<L: FunctionLister> LambdaExecutionRoleNotShared<L> {
    pub fn new(lister: L) -> Self {
        LambdaExecutionRoleNotShared { lister }
    }
}

#[async_trait]
impl<L: FunctionLister> Rule for LambdaExecutionRoleNotShared<L> {
    type Params = Params;
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    async fn evaluate_account(&self, _ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let functions = self.lister.list_functions().await?;
        Ok(evaluate(&functions, params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaExecutionRoleNotShared::new(SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests;
