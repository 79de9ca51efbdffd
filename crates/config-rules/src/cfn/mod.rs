//! Template mode (`config-rules evaluate --template FILE`): the rules judge a CloudFormation or
//! SAM template before it is deployed, with the verdicts the deployed Config rules will give.
//!
//! The path: the text is read with each node's line ([`yaml`]); SAM's `Globals` are merged;
//! intrinsic functions are resolved ([`resolve`]); SAM resources become the CloudFormation
//! resources SAM creates ([`sam`]); each resource becomes the configuration item Config will
//! record ([`convert`]) and the facts the rules read through their clients ([`world`]); then
//! every rule runs on them through the same engine as the Lambda functions ([`judge`]).
//!
//! What cannot be known before deploy is never guessed: a verdict that depends on an unknown
//! value is reported as *unknown*, naming the value, apart from passes and failures.

pub mod convert;
pub mod judge;
pub mod resolve;
pub mod sam;
pub mod world;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use config_rules_core::ConfigurationItem;
use serde_json::Value as Json;

pub use convert::Origin;
use resolve::{RawResource, Resolver, Unknown};
use yaml::{Node, Value};

use crate::CliError;

/// A resource after intrinsic functions are resolved.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub kind: String,
    pub line: u32,
    pub props: Json,
    /// The line of each top-level property.
    pub prop_lines: BTreeMap<String, u32>,
    /// The SAM resource this one was created from (`implicit` for SAM's implicit APIs).
    pub sam_source: Option<String>,
}

/// A template, ready to be judged.
pub struct Template {
    /// The path as given (reports show it; SARIF makes it relative to the working directory).
    pub file: String,
    pub items: Vec<ConfigurationItem>,
    pub origins: BTreeMap<(String, String), Origin>,
    pub world: world::World,
    pub unknowns: Vec<Unknown>,
    /// Resource types the template declares: account-level rules judge only what it declares.
    pub declared_types: BTreeSet<String>,
    /// Every resource's line by logical id (and its type), for findings on the account.
    pub resources: Vec<(String, String, u32)>,
    /// What the template holds that the template mode does not judge (macros, `Fn::ForEach`).
    pub warnings: Vec<String>,
    pub account: String,
    pub region: String,
}

/// The SAM transform's name.
const SAM: &str = "AWS::Serverless-2016-10-31";

/// A template error as one line: the message quotes names from the template, so control
/// characters (a quoted key may hold a newline) become spaces and its length is bounded.
fn syntax(file: &str, line: u32, message: &str) -> CliError {
    let one_line: String = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    CliError::Input(format!("{file}:{line}: {}", config_rules_core::bounded(&one_line, 300)))
}

/// Reads and resolves a template (`overrides` from `--template-parameters`).
pub fn load(path: &Path, overrides: &BTreeMap<String, String>, now: DateTime<Utc>) -> Result<Template, CliError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("{file}: {e}")))?;
    let stack = path
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        })
        .unwrap_or_else(|| "stack".into());
    from_text(&text, &file, &stack, overrides, now)
}

/// [`load`] from text.
pub fn from_text(
    text: &str,
    file: &str,
    stack: &str,
    overrides: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Template, CliError> {
    let root = yaml::parse(text).map_err(|e| syntax(file, e.line, &e.message))?;
    if !matches!(root.value, Value::Map(_)) {
        return Err(syntax(
            file,
            root.line,
            "a template must be a map (AWSTemplateFormatVersion, Resources, ...)",
        ));
    }
    let mut warnings = Vec::new();
    let transforms: Vec<String> = match root.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Seq(list)) => list.iter().filter_map(|n| n.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    for t in &transforms {
        if t != SAM && t != "AWS::LanguageExtensions" {
            warnings.push(format!(
                "the template uses the macro {t}, which runs only at deploy: what it adds or changes is not judged"
            ));
        }
    }
    let Some(resources_node) = root.get("Resources") else {
        return Err(syntax(file, 1, "the template has no Resources section"));
    };
    let Value::Map(entries) = &resources_node.value else {
        return Err(syntax(
            file,
            resources_node.line,
            "Resources must be a map of logical ids to resources",
        ));
    };
    let mut raw = Vec::new();
    for (id, node) in entries {
        if id.starts_with("Fn::ForEach::") {
            warnings.push(format!(
                "line {}: {id} (Fn::ForEach) is expanded only at deploy: the resources it makes are not judged",
                node.line
            ));
            continue;
        }
        if !matches!(node.value, Value::Map(_)) {
            return Err(syntax(
                file,
                node.line,
                &format!("the resource {id} must be a map with a Type"),
            ));
        }
        let Some(kind) = node.get("Type").and_then(Node::as_str) else {
            return Err(syntax(file, node.line, &format!("the resource {id} has no Type")));
        };
        let properties = node.get("Properties").cloned();
        if let Some(p) = &properties {
            if !matches!(p.value, Value::Map(_) | Value::Null) {
                return Err(syntax(file, p.line, &format!("the Properties of {id} must be a map")));
            }
        }
        let condition = match node.get("Condition") {
            Some(c) => match c.as_str() {
                Some(name) => Some((name.to_string(), c.line)),
                None => {
                    return Err(syntax(
                        file,
                        c.line,
                        &format!("the Condition of {id} must be a condition's name"),
                    ))
                }
            },
            None => None,
        };
        raw.push(RawResource {
            id: id.clone(),
            kind: kind.to_string(),
            line: node.line,
            properties,
            condition,
        });
    }
    let globals = root.get("Globals");
    sam::merge_globals(globals, &mut raw);
    let fail = |e: resolve::ResolveError| syntax(file, e.line, &e.message);
    let mut resolver = Resolver::new(&root, &raw, overrides, stack).map_err(fail)?;
    for (id, kind) in sam::implicit_ids(&raw) {
        resolver.add_implicit(&id, kind);
    }
    for (section, slot) in [("Api", 0), ("HttpApi", 1)] {
        if let Some(node) = globals.and_then(|g| g.get(section)) {
            let v = resolver
                .resolve(node)
                .map_err(fail)?
                .and_then(|v| v.as_object().cloned());
            if slot == 0 {
                resolver.globals_api = v;
            } else {
                resolver.globals_http_api = v;
            }
        }
    }
    let mut resolved = Vec::new();
    let mut declared_types = BTreeSet::new();
    let mut lines = Vec::new();
    for r in &raw {
        lines.push((r.id.clone(), r.kind.clone(), r.line));
        if let Some((name, line)) = &r.condition {
            if !resolver.holds(name, *line).map_err(fail)? {
                continue;
            }
        }
        declared_types.insert(r.kind.clone());
        let props = match &r.properties {
            Some(p) => resolver.resolve(p).map_err(fail)?.unwrap_or(Json::Null),
            None => Json::Null,
        };
        let props = if props.is_object() {
            props
        } else {
            Json::Object(Default::default())
        };
        let prop_lines = match r.properties.as_ref().map(|p| &p.value) {
            Some(Value::Map(entries)) => entries.iter().map(|(k, v)| (k.clone(), v.line)).collect(),
            _ => BTreeMap::new(),
        };
        resolved.push(Resource {
            id: r.id.clone(),
            kind: r.kind.clone(),
            line: r.line,
            props,
            prop_lines,
            sam_source: None,
        });
    }
    let (expanded, rest, http) = sam::expand(resolved, &resolver);
    for r in &expanded {
        declared_types.insert(r.kind.clone());
    }
    let ctx = convert::Ctx {
        account: resolver.account.clone(),
        region: resolver.region.clone(),
        partition: resolver.partition.clone(),
        now,
    };
    let mut converted = convert::convert(&expanded, &ctx);
    converted.world.add_sam_endpoints(&rest, &http);
    Ok(Template {
        file: file.to_string(),
        items: converted.items,
        origins: converted.origins,
        world: converted.world,
        unknowns: resolver.unknowns,
        declared_types,
        resources: lines,
        warnings,
        account: ctx.account,
        region: ctx.region,
    })
}

impl Template {
    /// Where a finding points: the template resource and the line of the property the rule
    /// judges when the template sets it (else the resource's line). Findings on the account
    /// point at the first resource of the rule's types.
    pub fn location(
        &self,
        rule: &config_rules_core::RuleMeta,
        resource_type: &str,
        resource_id: &str,
    ) -> Option<(String, u32)> {
        if let Some(o) = self.origins.get(&(resource_type.to_string(), resource_id.to_string())) {
            let line = judged_property(rule.id, resource_type)
                .iter()
                .find_map(|p| o.prop_lines.get(*p).copied())
                .unwrap_or(o.line);
            return Some((
                o.sam_source
                    .clone()
                    .filter(|s| s != "implicit")
                    .unwrap_or_else(|| o.logical_id.clone()),
                line,
            ));
        }
        self.resources
            .iter()
            .find(|(_, kind, _)| rule.resource_types.contains(&kind.as_str()))
            .map(|(id, _, line)| (id.clone(), *line))
    }
}

/// The template property each rule judges, per resource type (CloudFormation's and SAM's
/// names), so a finding points at its line when the template sets it.
fn judged_property(rule: &str, resource_type: &str) -> &'static [&'static str] {
    match (rule, resource_type) {
        ("lambda-timeout-within-limit", _) => &["Timeout"],
        ("lambda-concurrency-limited", _) => &["ReservedConcurrentExecutions"],
        ("lambda-env-encrypted-with-cmk", _) => &["KmsKeyArn", "Environment"],
        ("lambda-supported-runtime", _) => &["Runtime"],
        ("lambda-tracing-enabled", _) => &["TracingConfig", "Tracing"],
        ("lambda-layers-from-trusted-accounts", _) => &["Layers"],
        ("lambda-code-signing-enabled", _) => &["CodeSigningConfigArn"],
        ("lambda-no-public-access", _) => &["FunctionUrlConfig"],
        ("lambda-url-cors-restricted", _) => &["FunctionUrlConfig"],
        ("lambda-env-no-plaintext-secrets", _) => &["Environment"],
        ("sqs-queue-encrypted", _) => &["KmsMasterKeyId", "SqsManagedSseEnabled"],
        ("sns-topic-encrypted", _) => &["KmsMasterKeyId"],
        ("stepfunctions-logging-enabled", _) => &["LoggingConfiguration", "TracingConfiguration", "Logging", "Tracing"],
        ("dynamodb-table-protected", _) => &[
            "PointInTimeRecoverySpecification",
            "DeletionProtectionEnabled",
            "SSESpecification",
        ],
        ("lambda-async-failures-captured", _) => &["DeadLetterConfig", "DeadLetterQueue", "EventInvokeConfig"],
        ("lambda-execution-role-not-shared", _) => &["Role"],
        ("required-tags", _) => &["Tags"],
        ("s3-bucket-encryption-enabled", _) => &["BucketEncryption"],
        ("kms-key-rotation-enabled", _) => &["EnableKeyRotation"],
        ("api-gw-cache-encrypted", _) => &["MethodSettings", "StageDescription", "CacheClusterEnabled"],
        ("api-gw-throttling-configured", _) => &[
            "MethodSettings",
            "StageDescription",
            "DefaultRouteSettings",
            "RouteSettings",
        ],
        ("api-gw-logging-enabled", _) => &[
            "MethodSettings",
            "AccessLogSetting",
            "AccessLogSettings",
            "DefaultRouteSettings",
        ],
        ("iam-no-wildcard-permissions", _) => &["Policies", "PolicyDocument"],
        _ => &[],
    }
}

/// The unknown values a text names, described for a person ("Fn::ImportValue shared-key,
/// line 12").
pub fn describe_unknowns(text: &str, unknowns: &[Unknown]) -> Vec<String> {
    let mut out: Vec<String> = resolve::markers_in(text)
        .into_iter()
        .filter_map(|i| unknowns.get(i))
        .map(|u| format!("{} (line {})", u.what, u.line))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
