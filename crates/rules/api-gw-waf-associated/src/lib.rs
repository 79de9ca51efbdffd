//! # api-gw-waf-associated
//!
//! **Checks** that an API Gateway REST API stage is protected by an AWS WAF web ACL, optionally
//! one of an allowed list.
//!
//! **Why it matters.** Practice 3, *denial of service*, and practice 4, *authorization*, of the
//! serverless security practices: a web ACL in front of the stage drops injection attempts,
//! known bad IPs and request floods (rate-based rules) before they cost a Lambda invocation,
//! and lets a central team enforce one managed rule set across APIs.
//!
//! **Resource type:** `AWS::ApiGateway::Stage`.
//! **Trigger:** configuration change (`webAclArn` is part of the stage's item).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `webAclArns` | comma list | empty | allowed web ACL ARNs; empty accepts any web ACL |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | a web ACL, allowed or no list given | COMPLIANT |
//! | no `webAclArn` | NON_COMPLIANT |
//! | a web ACL not in `webAclArns` | NON_COMPLIANT, naming it |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** `aws wafv2 associate-web-acl --web-acl-arn ACL_ARN --resource-arn
//! arn:aws:apigateway:REGION::/restapis/ID/stages/NAME` (CloudFormation:
//! `AWS::WAFv2::WebACLAssociation`).
//!
//! **References.** AWS WAF developer guide, "Protecting an Amazon API Gateway REST API";
//! AWS Config managed rule `api-gw-associated-with-waf`.

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, ReportsOn, Rule, RuleMeta, Severity, Trigger, Verdict,
};

pub const META: RuleMeta = RuleMeta {
    id: "api-gw-waf-associated",
    summary: "API Gateway stages are protected by an AWS WAF web ACL (optionally an allowed one).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::ApiGateway::Stage"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::list(
        "webAclArns",
        "Allowed web ACL ARNs; empty accepts any web ACL.",
    )],
    item_calls_aws: false,
    timeout_seconds: 10,
    severity: Severity::Medium,
    practices: &[3, 4],
    template_mode: "judges `AWS::WAFv2::WebACLAssociation` resources of the template whose `ResourceArn` is the stage; associations made elsewhere are unseen",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub web_acl_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            web_acl_arns: values.list("webAclArns")?,
        })
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let stage = item.config_str("stageName").unwrap_or(&item.resource_id);
    match item.config_str("webAclArn").filter(|a| !a.is_empty()) {
        None => Verdict::non_compliant(format!("Stage {stage} has no AWS WAF web ACL.")),
        Some(acl) if !params.web_acl_arns.is_empty() && !params.web_acl_arns.iter().any(|a| a == acl) => {
            Verdict::non_compliant(format!("Stage {stage} uses web ACL {acl}, which is not in webAclArns."))
        }
        Some(acl) => Verdict::compliant(format!("Stage {stage} is protected by web ACL {acl}.")),
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    ApiGwWafAssociated,
    META,
    Params,
    evaluate
);

/// The rule as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwWafAssociated
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::{json, Value};

    const ACL: &str = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api-protection/0a1b";

    fn stage(config: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::ApiGateway::Stage", "resourceId": "s", "configuration": config}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let any = Params::default();
        let only = |a: &str| Params {
            web_acl_arns: vec![a.into()],
        };
        type Case<'a> = (&'a str, Value, Params, Compliance, String);
        let cases: Vec<Case> = vec![
            (
                "none",
                json!({"stageName": "prod"}),
                any.clone(),
                NonCompliant,
                "Stage prod has no AWS WAF web ACL.".into(),
            ),
            (
                "empty",
                json!({"stageName": "prod", "webAclArn": ""}),
                any.clone(),
                NonCompliant,
                "Stage prod has no AWS WAF web ACL.".into(),
            ),
            (
                "any ACL",
                json!({"stageName": "prod", "webAclArn": ACL}),
                any.clone(),
                Compliant,
                format!("Stage prod is protected by web ACL {ACL}."),
            ),
            (
                "allowed",
                json!({"stageName": "prod", "webAclArn": ACL}),
                only(ACL),
                Compliant,
                format!("Stage prod is protected by web ACL {ACL}."),
            ),
            (
                "not allowed",
                json!({"stageName": "prod", "webAclArn": ACL}),
                only("arn:other"),
                NonCompliant,
                format!("Stage prod uses web ACL {ACL}, which is not in webAclArns."),
            ),
        ];
        for (name, config, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate(&stage(config), &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }
}
