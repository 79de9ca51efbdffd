//! # lambda-env-no-plaintext-secrets
//!
//! **Checks** that no environment variable of a Lambda function holds a credential in plain
//! text: a value in a known credential format, or a high-entropy value under a name that says
//! secret, password, token or API key.
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, and practice 2, *code
//! auditing*, of the serverless security practices: every principal allowed
//! `lambda:GetFunctionConfiguration` (read-only roles, the console, CI) reads environment
//! values in clear, whatever key encrypts them at rest, and they end up in deployment
//! templates, CI logs and support tickets. A secret belongs in Secrets Manager or Parameter
//! Store (`SecureString`), the variable holding only its name or ARN, and the function reading
//! it at run time under its own role.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config's item does not record environment variables (the
//! AWS Config resource schema lists no `configuration.environment` property for
//! `AWS::Lambda::Function`, awslabs/aws-config-resource-schema issue 53, and AWS's sample item
//! has none), so the rule reads them with Lambda `GetFunctionConfiguration`; an item that does
//! carry `configuration.environment.variables` (the CLI's `scan --source api`, templates) is
//! judged from the item without a call.
//!
//! **What counts as a secret** (the annotation names the variable and the kind, never any part
//! of the value; values reach no log at any level):
//!
//! | kind | recognized by |
//! |---|---|
//! | an AWS access key id | `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits |
//! | a private key | a PEM block `-----BEGIN ... PRIVATE KEY-----` |
//! | a GitHub token | `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 letters or digits, or `github_pat_` |
//! | a Slack token or webhook | `xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`; `https://hooks.slack.com/services/` |
//! | a Stripe secret key | `sk_live_`, `rk_live_` |
//! | a Google API key | `AIza` and 35 characters |
//! | a JSON Web Token | three base64url parts, the first two starting `eyJ` |
//! | a URL with a password | `scheme://user:password@host` |
//! | a Secrets Manager secret resolved at deploy | `{{resolve:secretsmanager:...}}` (CloudFormation puts the secret's value into the variable) |
//! | a secret-like value | the name contains `SECRET`, `PASSWORD`, `PASSWD`, `PWD`, `TOKEN`, `API_KEY`/`APIKEY`, `PRIVATE_KEY`, `CREDENTIAL` or `AUTH_KEY`, and the value has 8 or more characters and at least 3 bits of entropy per character; a name ending `_ARN`, `_NAME`, `_ID`, `_PATH`, `_PARAM`, `_PARAMETER`, `_URL` or `_FILE`, or a value that is an ARN, a parameter path or a secret's name, is a reference, not a secret |
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `ignoreVariables` | comma list | empty | variable names never reported (a reviewed false positive) |
//!
//! **Scenarios**
//!
//! | environment | result |
//! |---|---|
//! | no value that looks like a secret | COMPLIANT |
//! | one or more secrets | NON_COMPLIANT, naming each variable (at most 3, then a count) and its kind |
//! | `environment.variables` present but not a map of strings | NON_COMPLIANT, naming the field |
//! | Lambda cannot decrypt the environment (`Environment.Error`) | NON_COMPLIANT: the values cannot be checked |
//! | no environment variables | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Store the value in Secrets Manager (`aws secretsmanager create-secret`) or
//! Parameter Store (`SecureString`), give the function's role `secretsmanager:GetSecretValue`
//! (or `ssm:GetParameter` and `kms:Decrypt`) on it, replace the variable's value with the
//! secret's ARN or name, read it at run time (the AWS Parameters and Secrets Lambda Extension
//! caches it), and rotate the exposed credential: it has been readable since it was set.
//!
//! **References.** AWS Lambda developer guide, "Working with Lambda environment variables"
//! (AWS recommends Secrets Manager for credentials) and "Use Secrets Manager secrets in Lambda
//! functions"; AWS CloudFormation user guide, "Get values stored in other services using dynamic
//! references". There is no AWS managed rule for secrets in environment variables; Prowler's
//! `awslambda_function_no_secrets_in_variables` runs detect-secrets over the values, reporting
//! every high-entropy string; this rule reports known credential formats wherever they are and
//! entropy only under a secret's name, so configuration values (table names, URLs, feature
//! flags) do not drown the findings, and it names the kind of secret found.

use std::collections::BTreeMap;

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, Rule, RuleMeta,
    Severity, Trigger, Verdict,
};
pub use lambda_facts::{EnvironmentApi, FunctionEnvironment, SdkLambda};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-env-no-plaintext-secrets",
    summary: "Lambda environment variables hold no plaintext credentials (keys, tokens, passwords).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    parameters: &[ParamSpec::list(
        "ignoreVariables",
        "Variable names never reported (reviewed false positives).",
    )],
    permissions: &[Permission::on("lambda:GetFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS])],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::High,
    practices: &[2, 7],
    template_mode: "judges `Environment.Variables` of `AWS::Lambda::Function` and `AWS::Serverless::Function` (`Globals` included), and reports a `{{resolve:secretsmanager:...}}` value, which CloudFormation resolves into plain text; a value from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub ignore_variables: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            ignore_variables: values.list("ignoreVariables")?,
        })
    }
}

/// Where the rule finds the variables: in the item, or only through Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InItem {
    Variables(BTreeMap<String, String>),
    /// `configuration.environment` (or its `variables`) is present but unreadable: the field.
    Unreadable(String),
    /// The item does not record the environment (Config's items).
    NotRecorded,
}

/// The variables of an item, as far as it records them.
pub fn variables_in_item(item: &ConfigurationItem) -> InItem {
    let env = match item.configuration.get("environment") {
        None => return InItem::NotRecorded,
        Some(Value::Null) => return InItem::Variables(BTreeMap::new()),
        Some(Value::Object(e)) => e,
        Some(_) => return InItem::Unreadable("configuration.environment".into()),
    };
    match env.get("variables") {
        None | Some(Value::Null) => InItem::Variables(BTreeMap::new()),
        Some(Value::Object(vars)) => {
            let mut out = BTreeMap::new();
            for (name, value) in vars {
                match value {
                    Value::String(v) => {
                        out.insert(name.clone(), v.clone());
                    }
                    _ => {
                        return InItem::Unreadable(format!(
                            "configuration.environment.variables.{}",
                            config_rules_core::bounded(name, 64)
                        ))
                    }
                }
            }
            InItem::Variables(out)
        }
        Some(_) => InItem::Unreadable("configuration.environment.variables".into()),
    }
}

fn all(s: &str, f: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(f)
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Every maximal run of "token" characters (letters, digits, `_`, `-`, `.`, `/`, `+`, `=`)
/// in a value: a credential may sit inside a longer value (`Bearer ghp_...`).
fn words(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || "_-./+=".contains(c)))
        .filter(|w| !w.is_empty())
}

/// The kind of credential a value holds by its format, if any.
pub fn credential_format(value: &str) -> Option<&'static str> {
    if value.contains("{{resolve:secretsmanager:") {
        return Some("a Secrets Manager secret CloudFormation resolves into plain text");
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if value.contains("hooks.slack.com/services/") {
        return Some("a Slack webhook URL");
    }
    if url_with_password(value) {
        return Some("a URL with a password");
    }
    for w in words(value) {
        let kind = if w.len() == 20
            && ["AKIA", "ASIA", "ABIA", "ACCA"].iter().any(|p| w.starts_with(p))
            && all(w, upper_alnum)
        {
            Some("an AWS access key id")
        } else if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
            .iter()
            .any(|p| w.starts_with(p))
            && w.len() == 40
            && all(&w[4..], |b| b.is_ascii_alphanumeric())
            || w.starts_with("github_pat_") && w.len() >= 40
        {
            Some("a GitHub token")
        } else if ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
            .iter()
            .any(|p| w.starts_with(p))
            && w.len() >= 20
        {
            Some("a Slack token")
        } else if (w.starts_with("sk_live_") || w.starts_with("rk_live_")) && w.len() >= 20 {
            Some("a Stripe secret key")
        } else if w.starts_with("AIza") && w.len() == 39 && all(w, base64url) {
            Some("a Google API key")
        } else if is_jwt(w) {
            Some("a JSON Web Token")
        } else {
            None
        };
        if kind.is_some() {
            return kind;
        }
    }
    None
}

fn is_jwt(w: &str) -> bool {
    let parts: Vec<&str> = w.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts.iter().all(|p| p.len() >= 10 && all(p, base64url))
}

/// `scheme://user:password@host...` with a non-empty password.
fn url_with_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return false;
    };
    matches!(userinfo.split_once(':'), Some((_, password)) if !password.is_empty()) && !host.is_empty()
}

const SECRET_NAMES: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
];
const REFERENCE_SUFFIXES: &[&str] = &["_ARN", "_NAME", "_ID", "_PATH", "_PARAM", "_PARAMETER", "_URL", "_FILE"];

/// Shannon entropy of a value, in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut n = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// A value that names where a secret is, not the secret: an ARN, a parameter path, a
/// secret's name (lower-case words and `-`, `_`, `/`), or a template placeholder.
fn is_reference(value: &str) -> bool {
    value.starts_with("arn:")
        || value.starts_with('/')
        || value.starts_with("${")
        || value.starts_with("{{resolve:ssm:")
        || all(value, |b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_/.".contains(&b)
        }) && value.bytes().filter(u8::is_ascii_digit).count() * 2 < value.len()
}

/// The kind of secret a variable holds, if any.
pub fn secret_kind(name: &str, value: &str) -> Option<&'static str> {
    if let Some(kind) = credential_format(value) {
        return Some(kind);
    }
    let upper = name.to_ascii_uppercase();
    let secret_name =
        SECRET_NAMES.iter().any(|s| upper.contains(s)) && !REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s));
    let v = value.trim();
    (secret_name && v.chars().count() >= 8 && !is_reference(v) && entropy(v) >= 3.0).then_some("a secret-like value")
}

/// The decision, as a pure function of the variables and the parameters.
pub fn evaluate(name: &str, variables: &BTreeMap<String, String>, params: &Params) -> Verdict {
    if variables.is_empty() {
        return Verdict::not_applicable(format!("Function {name} has no environment variables."));
    }
    let found: Vec<String> = variables
        .iter()
        .filter(|(k, _)| !params.ignore_variables.iter().any(|i| i == *k))
        .filter_map(|(k, v)| secret_kind(k, v).map(|kind| format!("{} ({kind})", config_rules_core::bounded(k, 48))))
        .collect();
    if found.is_empty() {
        return Verdict::compliant(format!(
            "Function {name}'s {} environment variable(s) hold no value that looks like a secret.",
            variables.len()
        ));
    }
    Verdict::non_compliant(format!(
        "Function {name} has plaintext secrets in its environment: {}.",
        config_rules_core::evaluation::list_names(&found, 3)
    ))
}

/// The rule as the runner sees it.
pub struct LambdaEnvNoPlaintextSecrets<C> {
    api: C,
}

impl<C: EnvironmentApi> LambdaEnvNoPlaintextSecrets<C> {
    pub fn new(api: C) -> Self {
        LambdaEnvNoPlaintextSecrets { api }
    }
}

#[async_trait]
impl<C: EnvironmentApi> Rule for LambdaEnvNoPlaintextSecrets<C> {
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
        let variables = match variables_in_item(item) {
            InItem::Variables(v) => v,
            InItem::Unreadable(field) => {
                return Ok(Verdict::non_compliant(format!(
                    "Function {name}: {field} is not a map of strings; its variables cannot be checked."
                )))
            }
            InItem::NotRecorded => match self.api.environment(name).await? {
                FunctionEnvironment::Variables(v) => v,
                FunctionEnvironment::Undecryptable => {
                    return Ok(Verdict::non_compliant(format!(
                        "Function {name}: Lambda cannot decrypt its environment (Environment.Error), so its variables cannot be checked."
                    )))
                }
            },
        };
        Ok(evaluate(name, &variables, params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaEnvNoPlaintextSecrets::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests;
