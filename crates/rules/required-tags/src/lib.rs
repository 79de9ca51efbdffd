//! # required-tags
//!
//! **Checks** that resources carry the tags your organisation requires, with allowed values
//! where you restrict them.
//!
//! **Why it matters.** Practice 1, *governance*, of the serverless security practices:
//! serverless estates grow to hundreds of small resources. Tags such as an owner, a cost
//! centre, an environment and a data classification are how incidents find a responsible
//! team, costs find a budget, and policies (attribute-based access control, backups,
//! retention) find their resources. This is the suite's example of a custom governance rule.
//!
//! **Resource types:** whatever the Config rule's scope holds: the SAM template's
//! `RequiredTagsResourceTypes` parameter (by default the serverless types: Lambda functions,
//! API Gateway APIs and stages, S3 buckets, DynamoDB tables, SQS queues, SNS topics).
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `tagKeys` | comma list | required | the tag keys every resource must have (keys compare exactly) |
//! | `allowedValues` | JSON object | unset | per key, the values allowed, e.g. `{"env": ["prod", "staging"]}` |
//!
//! Because `tagKeys` has no sensible default, the rule is off in the template until you set it
//! (`EnableRequiredTags=true`, `RequiredTagsTagKeys=owner,env`).
//!
//! **Scenarios**
//!
//! | resource | result |
//! |---|---|
//! | every required tag present, values allowed | COMPLIANT |
//! | required tags missing | NON_COMPLIANT, listing every missing key |
//! | a tag's value not allowed (or empty) | NON_COMPLIANT, listing each bad value and what is allowed |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Tag the resource (`aws resourcegroupstaggingapi tag-resources
//! --resource-arn-list ARN --tags owner=payments,env=prod`), and set tags in templates
//! (SAM `Globals: Function: Tags:`) so new resources are born compliant.
//!
//! **References.** AWS whitepaper "Best Practices for Tagging AWS Resources"; AWS Config managed
//! rule `required-tags`.

use std::collections::BTreeMap;

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "required-tags",
    summary: "Resources carry the required tags, with allowed values.",
    source: include_str!("lib.rs"),
    resource_types: &[],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::list("tagKeys", "The tag keys every resource must have.").required(),
        ParamSpec::text(
            "allowedValues",
            "A JSON object: per tag key, the list of allowed values.",
        ),
    ],
    item_calls_aws: false,
    timeout_seconds: 10,
    default_scope: &[
        "AWS::Lambda::Function",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGatewayV2::Api",
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
    ],
    severity: Severity::Low,
    practices: &[1],
    template_mode: "judges `Tags` of every resource the template mode converts (SAM's `lambda:createdBy` tag and `PropagateTags` included); tags added by stack-level `--tags` at deploy are not seen",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub tag_keys: Vec<String>,
    pub allowed_values: BTreeMap<String, Vec<String>>,
}

fn bad_allowed(reason: &str) -> Error {
    Error::InvalidParameters {
        key: "allowedValues".to_string(),
        reason: reason.to_string(),
        expected: "a JSON object of tag key to a list of values, e.g. {\"env\": [\"prod\", \"staging\"]}".to_string(),
    }
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        let mut allowed_values = BTreeMap::new();
        if let Some(text) = values.text("allowedValues")? {
            let parsed: Value = serde_json::from_str(text).map_err(|e| bad_allowed(&format!("not JSON: {e}")))?;
            let Value::Object(map) = parsed else {
                return Err(bad_allowed("not a JSON object"));
            };
            for (key, list) in map {
                let list = match list {
                    Value::Array(items) => items
                        .into_iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| bad_allowed(&format!("{key}: values must be strings")))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    Value::String(one) => vec![one],
                    _ => return Err(bad_allowed(&format!("{key}: expected a list of values"))),
                };
                allowed_values.insert(key, list);
            }
        }
        Ok(Params {
            tag_keys: values.list("tagKeys")?,
            allowed_values,
        })
    }
}

/// The decision, as a pure function of the item's tags and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let missing: Vec<&str> = params
        .tag_keys
        .iter()
        .filter(|k| !item.tags.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!(
            "missing tag{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    for (key, allowed) in &params.allowed_values {
        if let Some(value) = item.tags.get(key) {
            if !allowed.iter().any(|a| a == value) {
                problems.push(format!("tag {key} is \"{value}\", not one of {}", allowed.join(", ")));
            }
        }
    }
    if problems.is_empty() {
        Verdict::compliant(format!("Has the required tags {}.", params.tag_keys.join(", ")))
    } else {
        Verdict::non_compliant(format!("{}.", capitalise(&problems.join("; "))))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    RequiredTags,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    RequiredTags
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    fn item(tags: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "f", "configuration": {}, "tags": tags}),
            "item",
        )
        .unwrap()
    }

    fn params(v: Value) -> Result<Params, Error> {
        config_rules_core::testing::parse_params::<Params>(META.parameters, v)
    }

    #[test]
    fn fixture_cases() {
        let p =
            params(json!({"tagKeys": "owner,env,cost-center", "allowedValues": "{\"env\": [\"prod\", \"staging\"]}"}))
                .unwrap();
        type Case<'a> = (&'a str, Value, Compliance, &'a str);
        let cases: Vec<Case> = vec![
            (
                "all present",
                json!({"owner": "payments", "env": "prod", "cost-center": "42"}),
                Compliant,
                "Has the required tags owner, env, cost-center.",
            ),
            (
                "one missing",
                json!({"owner": "payments", "env": "prod"}),
                NonCompliant,
                "Missing tag cost-center.",
            ),
            (
                "all missing",
                json!({}),
                NonCompliant,
                "Missing tags owner, env, cost-center.",
            ),
            (
                "bad value",
                json!({"owner": "payments", "env": "qa", "cost-center": "42"}),
                NonCompliant,
                "Tag env is \"qa\", not one of prod, staging.",
            ),
            (
                "missing and bad",
                json!({"env": "dev"}),
                NonCompliant,
                "Missing tags owner, cost-center; tag env is \"dev\", not one of prod, staging.",
            ),
            (
                "keys compare exactly",
                json!({"Owner": "x", "env": "prod", "cost-center": "1"}),
                NonCompliant,
                "Missing tag owner.",
            ),
        ];
        for (name, tags, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&item(tags), &p),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn parameters_are_validated() {
        assert_eq!(
            params(json!({"tagKeys": "owner"})).unwrap(),
            Params {
                tag_keys: vec!["owner".into()],
                allowed_values: BTreeMap::new()
            }
        );
        let key_of = |v: Value| match params(v) {
            Err(Error::InvalidParameters { key, .. }) => key,
            other => panic!("{other:?}"),
        };
        assert_eq!(key_of(json!({})), "tagKeys");
        assert_eq!(
            key_of(json!({"tagKeys": "owner", "allowedValues": "{not json"})),
            "allowedValues"
        );
        assert_eq!(
            key_of(json!({"tagKeys": "owner", "allowedValues": "[\"prod\"]"})),
            "allowedValues"
        );
        assert_eq!(
            key_of(json!({"tagKeys": "owner", "allowedValues": "{\"env\": [1]}"})),
            "allowedValues"
        );
        let one = params(json!({"tagKeys": "env", "allowedValues": "{\"env\": \"prod\"}"})).unwrap();
        assert_eq!(one.allowed_values["env"], vec!["prod"]);
    }
}
