//! # lambda-env-encrypted-with-cmk
//!
//! **Checks** that a Lambda function with environment variables encrypts them with a
//! customer managed KMS key (optionally one of an allowed list).
//!
//! **Why it matters.** Practice 7, *encryption and integrity*, of the serverless security
//! practices: environment variables often carry connection strings, API tokens and feature
//! secrets. Lambda always encrypts them at rest, but with the AWS managed key anyone who may
//! read the function's configuration can read them. A customer managed key puts decryption
//! behind its own key policy, audited in CloudTrail, and lets you revoke it.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config records the key as `kmskeyArn` (sic); the API's
//! `kmsKeyArn` is read too. Config's item does not record the environment variables (the AWS
//! Config resource schema lists no `configuration.environment` for `AWS::Lambda::Function`), so
//! when the item has no `configuration.environment` the rule counts them with Lambda
//! `GetFunctionConfiguration`; it reads only how many there are.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `kmsKeyArns` | comma list | empty | allowed key ARNs (or key ids); empty accepts any customer managed key |
//!
//! **Scenarios**
//!
//! | configuration | result |
//! |---|---|
//! | no environment variables | NOT_APPLICABLE |
//! | `configuration.environment` present but unreadable | NON_COMPLIANT, naming the field |
//! | variables and no `kmskeyArn` (the AWS managed key) | NON_COMPLIANT |
//! | variables and a customer managed key, allowed or no list given | COMPLIANT |
//! | variables and a key not in `kmsKeyArns` | NON_COMPLIANT, naming the key |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! The annotation counts the variables but never names or shows them.
//!
//! **Remediation.** Create a customer managed key whose policy allows the function's role to
//! `kms:Decrypt`, then `aws lambda update-function-configuration --function-name NAME
//! --kms-key-arn KEY_ARN` (SAM: `KmsKeyArn`). Better still, move secrets to Secrets Manager or
//! Parameter Store and keep only their names in variables.
//!
//! **References.** AWS Lambda developer guide, "Securing Lambda environment variables";
//! AWS Config managed rule `lambda-function-settings-check`; Security Hub control Lambda.3.

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, ReportsOn, Rule,
    RuleMeta, Severity, Trigger, Verdict,
};
pub use lambda_facts::{EnvironmentApi, FunctionEnvironment, SdkLambda};
use serde_json::Value;

pub const META: RuleMeta = RuleMeta {
    id: "lambda-env-encrypted-with-cmk",
    summary: "Lambda environment variables are encrypted with a customer managed KMS key.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    reports_on: ReportsOn::EachResource,
    parameters: &[ParamSpec::list(
        "kmsKeyArns",
        "Allowed KMS key ARNs or key ids; empty accepts any customer managed key.",
    )],
    permissions: &[Permission::on("lambda:GetFunctionConfiguration", &[arn::LAMBDA_FUNCTIONS])],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::Medium,
    practices: &[7],
    template_mode: "judges `KmsKeyArn` and `Environment`; a key of the same template counts as customer managed; an imported key is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub kms_key_arns: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            kms_key_arns: values.list("kmsKeyArns")?,
        })
    }
}

/// How many variables a function has, as far as its item records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Count(usize),
    /// `configuration.environment` (or its `variables`) is present but not a map: the field.
    Unreadable(&'static str),
    /// The item does not record the environment (Config's items).
    NotRecorded,
}

/// The variable count an item records.
pub fn recorded(item: &ConfigurationItem) -> Recorded {
    match item.configuration.get("environment") {
        None => Recorded::NotRecorded,
        Some(Value::Null) => Recorded::Count(0),
        Some(Value::Object(env)) => match env.get("variables") {
            None | Some(Value::Null) => Recorded::Count(0),
            Some(Value::Object(vars)) => Recorded::Count(vars.len()),
            Some(_) => Recorded::Unreadable("configuration.environment.variables"),
        },
        Some(_) => Recorded::Unreadable("configuration.environment"),
    }
}

/// The variables of a function, for the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variables {
    Count(usize),
    /// Lambda reports that it cannot decrypt them: there are some, how many is unknown.
    Undecryptable,
}

/// The decision, as a pure function of the item (name and key), the variables and the
/// parameters.
pub fn evaluate(item: &ConfigurationItem, variables: Variables, params: &Params) -> Verdict {
    let name = item.config_str("functionName").unwrap_or(&item.resource_id);
    let vars = match variables {
        Variables::Count(0) => {
            return Verdict::not_applicable(format!("Function {name} has no environment variables."))
        }
        Variables::Count(1) => "1 environment variable".to_string(),
        Variables::Count(n) => format!("{n} environment variables"),
        Variables::Undecryptable => "environment variables (which Lambda cannot decrypt)".to_string(),
    };
    let key = item
        .config_str("kmskeyArn")
        .or_else(|| item.config_str("kmsKeyArn"))
        .filter(|k| !k.is_empty());
    match key {
        None => Verdict::non_compliant(format!(
            "Function {name} has {vars} encrypted only with the AWS managed key (no kmsKeyArn)."
        )),
        Some(k) if !params.kms_key_arns.is_empty() && !config_rules_core::kms::key_allowed(&params.kms_key_arns, k) => {
            Verdict::non_compliant(format!(
                "Function {name} encrypts its {vars} with key {k}, which is not in kmsKeyArns."
            ))
        }
        Some(k) => Verdict::compliant(format!(
            "Function {name} encrypts its {vars} with customer managed key {k}."
        )),
    }
}

/// The rule as the runner sees it.
pub struct LambdaEnvEncryptedWithCmk<C> {
    api: C,
}

impl<C: EnvironmentApi> LambdaEnvEncryptedWithCmk<C> {
    pub fn new(api: C) -> Self {
        LambdaEnvEncryptedWithCmk { api }
    }
}

#[async_trait]
impl<C: EnvironmentApi> Rule for LambdaEnvEncryptedWithCmk<C> {
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
        let variables = match recorded(item) {
            Recorded::Count(n) => Variables::Count(n),
            Recorded::Unreadable(field) => {
                let name = item.config_str("functionName").unwrap_or(&item.resource_id);
                return Ok(Verdict::non_compliant(format!(
                    "Function {name}: {field} is not a map; its variables cannot be counted."
                )));
            }
            Recorded::NotRecorded => {
                let name = match lambda_facts::function_name(item) {
                    Ok(name) => name,
                    Err(not_applicable) => return Ok(not_applicable),
                };
                match self.api.environment(name).await? {
                    FunctionEnvironment::Variables(v) => Variables::Count(v.len()),
                    FunctionEnvironment::Undecryptable => Variables::Undecryptable,
                }
            }
        };
        Ok(evaluate(item, variables, params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaEnvEncryptedWithCmk::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";

    fn item(config: Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "api", "configuration": config}),
            "item",
        )
        .unwrap()
    }

    #[test]
    fn fixture_cases() {
        let any = Params::default();
        let only = |k: &str| Params {
            kms_key_arns: vec![k.into()],
        };
        let vars = json!({"variables": {"DB_URL": "secret", "MODE": "prod"}});
        let cases: Vec<(&str, Value, Params, Compliance, String)> = vec![
            (
                "null environment",
                json!({"functionName": "api", "environment": null}),
                any.clone(),
                NotApplicable,
                "Function api has no environment variables.".into(),
            ),
            (
                "empty variables",
                json!({"functionName": "api", "environment": {"variables": {}}}),
                any.clone(),
                NotApplicable,
                "Function api has no environment variables.".into(),
            ),
            (
                "AWS managed key",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": null}),
                any.clone(),
                NonCompliant,
                "Function api has 2 environment variables encrypted only with the AWS managed key (no kmsKeyArn)."
                    .into(),
            ),
            (
                "empty key",
                json!({"functionName": "api", "environment": {"variables": {"A": "1"}}, "kmskeyArn": ""}),
                any.clone(),
                NonCompliant,
                "Function api has 1 environment variable encrypted only with the AWS managed key (no kmsKeyArn)."
                    .into(),
            ),
            (
                "Config spelling",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                any.clone(),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "API spelling",
                json!({"functionName": "api", "environment": vars, "kmsKeyArn": KEY}),
                any.clone(),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "allowed by ARN",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only(KEY),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "allowed by key id",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only("1111-2222"),
                Compliant,
                format!("Function api encrypts its 2 environment variables with customer managed key {KEY}."),
            ),
            (
                "not allowed",
                json!({"functionName": "api", "environment": vars, "kmskeyArn": KEY}),
                only("other"),
                NonCompliant,
                format!(
                    "Function api encrypts its 2 environment variables with key {KEY}, which is not in kmsKeyArns."
                ),
            ),
        ];
        for (name, config, params, compliance, annotation) in cases {
            let it = item(config);
            let count = match recorded(&it) {
                Recorded::Count(n) => n,
                other => panic!("case {name}: {other:?}"),
            };
            let v = evaluate(&it, Variables::Count(count), &params);
            assert_eq!(v, Verdict::new(compliance, annotation), "case: {name}");
            assert!(
                !v.annotation.contains("secret") && !v.annotation.contains("DB_URL"),
                "never show variables"
            );
        }
    }

    struct Fake(FunctionEnvironment, std::sync::Mutex<usize>);

    #[async_trait]
    impl EnvironmentApi for Fake {
        async fn environment(&self, function_name: &str) -> Result<FunctionEnvironment, Error> {
            assert_eq!(function_name, "api");
            *self.1.lock().unwrap() += 1;
            Ok(self.0.clone())
        }
    }

    /// Config's item (aws-config-rdk `rdk/template/example_ci/AWS_LAMBDA_FUNCTION.json`)
    /// records no environment: the rule counts the variables with Lambda, and only then.
    #[tokio::test]
    async fn variables_config_does_not_record_are_counted_with_lambda() {
        let two = [("A", "1"), ("B", "2")].map(|(k, v)| (k.to_string(), v.to_string()));
        let rule = LambdaEnvEncryptedWithCmk::new(Fake(
            FunctionEnvironment::Variables(two.into_iter().collect()),
            Default::default(),
        ));
        let ctx = ItemContext::now();
        let p = Params::default();
        let v = rule
            .evaluate_item(&item(json!({"functionName": "api", "kmskeyArn": KEY})), &ctx, &p)
            .await
            .unwrap();
        assert_eq!(
            v,
            Verdict::compliant(format!(
                "Function api encrypts its 2 environment variables with customer managed key {KEY}."
            ))
        );
        assert_eq!(*rule.api.1.lock().unwrap(), 1);
        let recorded = rule
            .evaluate_item(
                &item(json!({"functionName": "api", "environment": {"variables": {}}})),
                &ctx,
                &p,
            )
            .await
            .unwrap();
        assert_eq!(recorded.compliance, NotApplicable);
        let unreadable = rule
            .evaluate_item(&item(json!({"functionName": "api", "environment": "x"})), &ctx, &p)
            .await
            .unwrap();
        assert_eq!(
            unreadable,
            Verdict::non_compliant(
                "Function api: configuration.environment is not a map; its variables cannot be counted."
            )
        );
        assert_eq!(
            *rule.api.1.lock().unwrap(),
            1,
            "Lambda is asked only when the item records nothing"
        );
        let undecryptable =
            LambdaEnvEncryptedWithCmk::new(Fake(FunctionEnvironment::Undecryptable, Default::default()));
        let v = undecryptable
            .evaluate_item(&item(json!({"functionName": "api"})), &ctx, &p)
            .await
            .unwrap();
        assert_eq!(
            v,
            Verdict::non_compliant("Function api has environment variables (which Lambda cannot decrypt) encrypted only with the AWS managed key (no kmsKeyArn).")
        );
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"kmsKeyArns": "a,b"})).unwrap(),
            Params {
                kms_key_arns: vec!["a".into(), "b".into()]
            }
        );
        assert!(matches!(
            parse(json!({"kmsKeyArn": "a"})),
            Err(Error::InvalidParameters { .. })
        ));
    }
}
