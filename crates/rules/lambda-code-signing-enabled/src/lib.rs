//! # lambda-code-signing-enabled
//!
//! **Checks** that every Lambda function (packaged as a .zip archive) has a code signing
//! configuration, and optionally that the configuration rejects unsigned or untrusted code.
//!
//! **Why it matters.** Practice 2, *code auditing*, and practice 7, *integrity*, of the
//! serverless security practices: code signing makes Lambda verify, on every deployment, that
//! the code was signed by one of your trusted signing profiles and not altered since. Without
//! it, anyone who obtains `lambda:UpdateFunctionCode` — a leaked CI credential, a compromised
//! pipeline step — can replace the function's code with anything.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config's item does not record code signing, so the rule
//! reads it with Lambda `GetFunctionCodeSigningConfig`, and, with `requireEnforce`, the
//! configuration's policy with `GetCodeSigningConfig`.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `requireEnforce` | boolean | `false` | the configuration's `UntrustedArtifactOnDeployment` must be `Enforce` (not `Warn`) |
//!
//! **Scenarios**
//!
//! | function | result |
//! |---|---|
//! | no code signing configuration | NON_COMPLIANT |
//! | a code signing configuration (and, with `requireEnforce`, policy `Enforce`) | COMPLIANT |
//! | with `requireEnforce`, a configuration whose policy is `Warn` | NON_COMPLIANT |
//! | a container image (code signing does not apply) | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Create a signing profile (AWS Signer) and a code signing configuration
//! that trusts it (`aws lambda create-code-signing-config --allowed-publishers
//! SigningProfileVersionArns=... --code-signing-policies UntrustedArtifactOnDeployment=Enforce`),
//! attach it (`aws lambda put-function-code-signing-config`), and sign packages in CI
//! (`sam package --signing-profiles`).
//!
//! **References.** AWS Lambda developer guide, "Using code signing to verify code integrity
//! with Lambda"; AWS Signer developer guide.

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, ReportsOn, Rule,
    RuleMeta, Severity, Trigger, Verdict,
};
pub use lambda_facts::{CodeSigningApi, SdkLambda};

pub const META: RuleMeta = RuleMeta {
    id: "lambda-code-signing-enabled",
    summary: "Lambda functions verify code signatures on deployment (optionally enforcing them).",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::boolean(
        "requireEnforce",
        false,
        "The code signing policy must be Enforce, not Warn.",
    )],
    permissions: &[
        Permission::on("lambda:GetFunctionCodeSigningConfig", &[arn::LAMBDA_FUNCTIONS]),
        Permission::on("lambda:GetCodeSigningConfig", &[arn::LAMBDA_CODE_SIGNING_CONFIGS]),
    ],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::Medium,
    practices: &[2, 7],
    template_mode: "judges `CodeSigningConfigArn` and, with `requireEnforce`, the `AWS::Lambda::CodeSigningConfig` of the template; a configuration from outside the template is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params {
    pub require_enforce: bool,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            require_enforce: values.boolean("requireEnforce")?,
        })
    }
}

/// The decision, as a pure function of what Lambda reports. `policy` is the configuration's
/// `UntrustedArtifactOnDeployment`, read only when `requireEnforce` is set.
pub fn evaluate(name: &str, config_arn: Option<&str>, policy: Option<&str>, params: &Params) -> Verdict {
    let Some(arn) = config_arn else {
        return Verdict::non_compliant(format!(
            "Function {name} has no code signing configuration: unsigned code can be deployed to it."
        ));
    };
    match policy {
        Some(p) if params.require_enforce && !p.eq_ignore_ascii_case("Enforce") => Verdict::non_compliant(format!(
            "Function {name} uses code signing configuration {arn}, whose policy is {p}, not Enforce: untrusted code is deployed with a warning."
        )),
        Some(p) => Verdict::compliant(format!("Function {name} uses code signing configuration {arn} (policy {p}).")),
        None => Verdict::compliant(format!("Function {name} uses code signing configuration {arn}.")),
    }
}

/// The rule as the runner sees it.
pub struct LambdaCodeSigningEnabled<C> {
    api: C,
}

impl<C: CodeSigningApi> LambdaCodeSigningEnabled<C> {
    pub fn new(api: C) -> Self {
        LambdaCodeSigningEnabled { api }
    }
}

#[async_trait]
impl<C: CodeSigningApi> Rule for LambdaCodeSigningEnabled<C> {
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
        if item
            .config_str("packageType")
            .is_some_and(|p| p.eq_ignore_ascii_case("Image"))
        {
            return Ok(Verdict::not_applicable(format!(
                "Function {name} is a container image: Lambda code signing applies to .zip archives."
            )));
        }
        let arn = self.api.code_signing_config_arn(name).await?;
        let policy = match (&arn, params.require_enforce) {
            (Some(a), true) => Some(self.api.untrusted_artifact_policy(a).await?),
            _ => None,
        };
        Ok(evaluate(name, arn.as_deref(), policy.as_deref(), params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaCodeSigningEnabled::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;
    use std::sync::Mutex;

    const CSC: &str = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0a1b2c";

    #[test]
    fn fixture_cases() {
        let p = Params::default();
        let enforce = Params { require_enforce: true };
        type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Params, Compliance, String);
        let cases: Vec<Case> = vec![
            ("none", None, None, p, NonCompliant,
             "Function f has no code signing configuration: unsigned code can be deployed to it.".into()),
            ("configured", Some(CSC), None, p, Compliant, format!("Function f uses code signing configuration {CSC}.")),
            ("enforced", Some(CSC), Some("Enforce"), enforce, Compliant,
             format!("Function f uses code signing configuration {CSC} (policy Enforce).")),
            ("only warns", Some(CSC), Some("Warn"), enforce, NonCompliant,
             format!("Function f uses code signing configuration {CSC}, whose policy is Warn, not Enforce: untrusted code is deployed with a warning.")),
            ("none, enforce wanted", None, None, enforce, NonCompliant,
             "Function f has no code signing configuration: unsigned code can be deployed to it.".into()),
        ];
        for (name, arn, policy, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate("f", arn, policy, &params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    /// Records which calls the rule makes.
    struct Fake {
        arn: Option<&'static str>,
        policy: &'static str,
        calls: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl CodeSigningApi for Fake {
        async fn code_signing_config_arn(&self, function_name: &str) -> Result<Option<String>, Error> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("GetFunctionCodeSigningConfig {function_name}"));
            Ok(self.arn.map(String::from))
        }
        async fn untrusted_artifact_policy(&self, config_arn: &str) -> Result<String, Error> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("GetCodeSigningConfig {config_arn}"));
            Ok(self.policy.to_string())
        }
    }

    fn item(package: &str) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "f",
                    "configuration": {"functionName": "f", "packageType": package}}),
            "item",
        )
        .unwrap()
    }

    #[tokio::test]
    async fn reads_the_policy_only_when_enforcement_is_required() {
        let rule = LambdaCodeSigningEnabled::new(Fake {
            arn: Some(CSC),
            policy: "Warn",
            calls: Mutex::default(),
        });
        let v = rule
            .evaluate_item(&item("Zip"), &ItemContext::now(), &Params::default())
            .await
            .unwrap();
        assert_eq!(v.compliance, Compliant);
        assert_eq!(
            *rule.api.calls.lock().unwrap(),
            vec!["GetFunctionCodeSigningConfig f".to_string()]
        );
        let v = rule
            .evaluate_item(&item("Zip"), &ItemContext::now(), &Params { require_enforce: true })
            .await
            .unwrap();
        assert_eq!(v.compliance, NonCompliant);
        assert_eq!(
            rule.api.calls.lock().unwrap().last().unwrap(),
            &format!("GetCodeSigningConfig {CSC}")
        );
    }

    #[tokio::test]
    async fn container_images_are_not_applicable_without_a_call() {
        let rule = LambdaCodeSigningEnabled::new(Fake {
            arn: None,
            policy: "Warn",
            calls: Mutex::default(),
        });
        let v = rule
            .evaluate_item(&item("Image"), &ItemContext::now(), &Params::default())
            .await
            .unwrap();
        assert_eq!(
            v,
            Verdict::not_applicable("Function f is a container image: Lambda code signing applies to .zip archives.")
        );
        assert!(rule.api.calls.lock().unwrap().is_empty());
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"requireEnforce": "TRUE"})).unwrap(),
            Params { require_enforce: true }
        );
        assert!(matches!(
            parse(json!({"requireEnforce": "2"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
