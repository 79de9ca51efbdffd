//! # lambda-layers-from-trusted-accounts
//!
//! **Checks** that every layer a Lambda function uses is published by the function's own
//! account or by an account the team trusts (`trustedAccounts`).
//!
//! **Why it matters.** Practices 2 (*code auditing*: third-party code) and 6 (*code isolation*)
//! of the serverless security practices: a layer's code runs inside the function, with its role and
//! its data. A layer version from an unknown publisher (a public layer found in a blog post, a
//! lookalike account) is a supply-chain entry point that no code review of the function sees.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `trustedAccounts` | comma list | empty | 12-digit account ids whose layers are trusted besides the function's own account (for example the AWS accounts that publish Lambda Insights or Powertools in your region) |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | every layer from the function's account or a trusted account | COMPLIANT |
//! | a layer from another account | NON_COMPLIANT, naming the accounts (never the layer's content) |
//! | a layer entry whose `arn` is not a layer version ARN | NON_COMPLIANT, naming the field |
//! | no layers (or a container image) | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Publish the layer in your own account (`aws lambda publish-layer-version`)
//! from reviewed code and point the function at it, or add the publisher to `trustedAccounts`
//! after deciding to trust it.
//!
//! **References.** AWS Lambda developer guide, "Managing Lambda dependencies with layers" and
//! "Layer version ARNs" (`arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION`); the
//! function's layers are `configuration.layers[].arn` in Config's item (aws-config-rdk
//! `rdk/template/example_ci/AWS_Lambda_Function.json`). AWS has no managed Config rule for layer
//! publishers; Prowler's Lambda checks do not cover them either.

use config_rules_core::{
    ConfigurationItem, Error, FromParams, ParamSpec, ParamValues, Rule, RuleMeta, Severity, Verdict,
};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-layers-from-trusted-accounts",
    summary: "Lambda functions use layers only from their own or trusted accounts.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    parameters: &[ParamSpec::list(
        "trustedAccounts",
        "Account ids whose layers are trusted besides the function's own.",
    )],
    severity: Severity::High,
    practices: &[2, 6],
    template_mode: "judges `Layers` of `AWS::Lambda::Function` and `AWS::Serverless::Function` (`Globals` included); a layer of the template is the stand-in account's; a layer ARN from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub trusted_accounts: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        let trusted_accounts = values.list("trustedAccounts")?;
        if let Some(bad) = trusted_accounts.iter().find(|a| !is_account_id(a)) {
            return Err(Error::InvalidParameters {
                key: "trustedAccounts".into(),
                reason: format!("{} is not a 12-digit account id", config_rules_core::bounded(bad, 32)),
                expected: "a comma-separated list of 12-digit account ids".into(),
            });
        }
        Ok(Params { trusted_accounts })
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The publishing account of a layer version ARN
/// (`arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION`).
fn layer_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, account, "layer", name, version]
            if is_account_id(account) && !name.is_empty() && !version.is_empty() =>
        {
            Some(account)
        }
        _ => None,
    }
}

/// The decision, as a pure function of the item and the parameters.
pub fn evaluate(item: &ConfigurationItem, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let own = item
        .aws_account_id
        .as_deref()
        .or_else(|| item.arn.as_deref().and_then(|a| a.split(':').nth(4)));
    let layers = match item.configuration.get("layers") {
        None | Some(Value::Null) => return Verdict::not_applicable(format!("Function {name} uses no layers.")),
        Some(Value::Array(l)) if l.is_empty() => {
            return Verdict::not_applicable(format!("Function {name} uses no layers."))
        }
        Some(Value::Array(l)) => l,
        Some(_) => {
            return Verdict::non_compliant(format!(
                "Function {name}: configuration.layers is not a list of layers; their publishers cannot be confirmed."
            ))
        }
    };
    let mut foreign: Vec<&str> = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let Some(account) = layer.get("arn").and_then(Value::as_str).and_then(layer_account) else {
            return Verdict::non_compliant(format!(
                "Function {name}: configuration.layers[{i}].arn is not a layer version ARN; its publisher cannot be confirmed."
            ));
        };
        let trusted = Some(account) == own || params.trusted_accounts.iter().any(|t| t == account);
        if !trusted && !foreign.contains(&account) {
            foreign.push(account);
        }
    }
    if foreign.is_empty() {
        Verdict::compliant(format!(
            "Function {name} uses {} layer(s), all from its own or trusted accounts.",
            layers.len()
        ))
    } else {
        Verdict::non_compliant(format!(
            "Function {name} uses layers published by untrusted account(s) {}.",
            config_rules_core::evaluation::list_names(&foreign, 5)
        ))
    }
}

config_rules_core::pure_rule!(
    /// The rule as the runner sees it.
    LambdaLayersFromTrustedAccounts,
    META,
    Params,
    evaluate
);

/// The rule, as the runner and the CLI build it.
pub fn rule(_sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaLayersFromTrustedAccounts
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const OWN: &str = "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:3";
    const INSIGHTS: &str = "arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38";
    const STRANGER: &str = "arn:aws:lambda:us-east-1:999999999999:layer:fast-json:1";

    /// Items in the shape of AWS's sample Lambda item (aws-config-rdk
    /// `rdk/template/example_ci/AWS_Lambda_Function.json`: `layers[].arn`, `codeSize`).
    #[test]
    fn fixture_cases() {
        let layers = |arns: &[&str]| {
            json!(arns
                .iter()
                .map(|a| json!({"arn": a, "codeSize": 1024}))
                .collect::<Vec<_>>())
        };
        let cases: Vec<(&str, serde_json::Value, Vec<&str>, Compliance, &str)> = vec![
            ("own", layers(&[OWN]), vec![], Compliant, "Function orders uses 1 layer(s), all from its own or trusted accounts."),
            ("trusted", layers(&[OWN, INSIGHTS]), vec!["580247275435"], Compliant,
             "Function orders uses 2 layer(s), all from its own or trusted accounts."),
            ("untrusted", layers(&[OWN, INSIGHTS, STRANGER]), vec![], NonCompliant,
             "Function orders uses layers published by untrusted account(s) 580247275435, 999999999999."),
            ("no layers", json!([]), vec![], NotApplicable, "Function orders uses no layers."),
            ("not an arn", json!([{"arn": "fast-json"}]), vec![], NonCompliant,
             "Function orders: configuration.layers[0].arn is not a layer version ARN; its publisher cannot be confirmed."),
            ("not a list", json!("x"), vec![], NonCompliant,
             "Function orders: configuration.layers is not a list of layers; their publishers cannot be confirmed."),
        ];
        for (name, layers, trusted, compliance, annotation) in cases {
            let item = ConfigurationItem::from_notification_json(
                &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "orders", "awsAccountId": "123456789012",
                        "configuration": {"functionName": "orders", "layers": layers}}),
                "item",
            )
            .unwrap();
            let params = Params {
                trusted_accounts: trusted.iter().map(|s| s.to_string()).collect(),
            };
            assert_eq!(
                evaluate(&item, &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    #[test]
    fn trusted_accounts_must_be_account_ids() {
        let values =
            ParamValues::parse(META.parameters, Some(&json!({"trustedAccounts": "123456789012, aws"}))).unwrap();
        let err = Params::from_params(&values).unwrap_err();
        assert!(
            err.to_string().contains("trustedAccounts") && err.to_string().contains("aws is not a 12-digit account id"),
            "{err}"
        );
    }
}
