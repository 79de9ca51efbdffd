//! # lambda-url-cors-restricted
//!
//! **Checks** that a Lambda function URL's CORS configuration does not let every origin send
//! credentialed requests, that every origin it allows is HTTPS, and optionally that it allows
//! only the origins of an allowed list.
//!
//! **Why it matters.** Practice 4, *authentication and authorization*, of the serverless
//! security practices: CORS decides which web pages a user's browser lets read the URL's
//! responses. `AllowOrigins: ["*"]` with `AllowCredentials: true` asks browsers to send the
//! user's cookies and authorization headers from any page on the internet; an `http://` origin
//! can be impersonated by anyone on the network path, so its page (and any script injected
//! into it) reads what the function returns.
//!
//! **Resource type:** `AWS::Lambda::Function`.
//! **Trigger:** configuration change. Config's item does not record the function URL, so the
//! rule reads it with Lambda `GetFunctionUrlConfig` (`Cors.AllowOrigins`,
//! `Cors.AllowCredentials`).
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `allowedOrigins` | comma list of `https://` origins | empty | when set, every allowed origin must be one of these (`*` then fails too) |
//!
//! **Scenarios**
//!
//! | function URL | result |
//! |---|---|
//! | no CORS configuration (browsers refuse cross-origin reads) | COMPLIANT |
//! | HTTPS origins only (and, with `allowedOrigins`, only listed ones) | COMPLIANT |
//! | `*` without credentials and no `allowedOrigins` (a public, cookie-less API) | COMPLIANT |
//! | `*` with `AllowCredentials: true` | NON_COMPLIANT |
//! | an origin that is not `https://` (e.g. `http://localhost:3000`) | NON_COMPLIANT, naming it |
//! | an origin missing from `allowedOrigins` | NON_COMPLIANT, naming it |
//! | no function URL | NOT_APPLICABLE |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! Origins compare without case and without a trailing `/`.
//!
//! **Remediation.** `aws lambda update-function-url-config --function-name NAME --cors
//! 'AllowOrigins=https://app.example.com,AllowCredentials=false'`, or `Cors` of the
//! `AWS::Lambda::Url` (SAM: `FunctionUrlConfig.Cors`) in the template. A URL called only by
//! servers needs no CORS at all.
//!
//! **References.** AWS Lambda developer guide, "Cross-origin resource sharing (CORS)" of
//! function URLs; Lambda API reference, `Cors` (`AllowOrigins`, `AllowCredentials`, default
//! `false`); MDN, "CORS: Access-Control-Allow-Credentials". There is no AWS managed rule for
//! function URL CORS (`lambda-function-public-access-prohibited` reads the resource policy
//! only); Prowler's `awslambda_function_url_cors_policy` fails on `*` alone, which also fails
//! public cookie-less APIs: this rule fails `*` only with credentials, or when an allowed list
//! is given, and also fails plain-HTTP origins.

use async_trait::async_trait;
use config_rules_core::{
    arn, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission, Rule, RuleMeta,
    Severity, Trigger, Verdict,
};
pub use lambda_facts::{FunctionUrlCorsApi, SdkLambda, UrlCors, UrlCorsState};

pub const META: RuleMeta = RuleMeta {
    id: "lambda-url-cors-restricted",
    summary: "Lambda function URLs allow CORS only from HTTPS origins, never every origin with credentials.",
    source: include_str!("lib.rs"),
    resource_types: &["AWS::Lambda::Function"],
    trigger: Trigger::Change,
    parameters: &[ParamSpec::list(
        "allowedOrigins",
        "The only origins (https://...) a function URL may allow; empty allows any HTTPS origin.",
    )],
    permissions: &[Permission::on("lambda:GetFunctionUrlConfig", &[arn::LAMBDA_FUNCTIONS])],
    item_calls_aws: true,
    timeout_seconds: 15,
    severity: Severity::Medium,
    practices: &[4],
    template_mode: "judges `Cors` of `AWS::Lambda::Url` and SAM's `FunctionUrlConfig.Cors` (`Globals` included); an origin from a parameter without a value is unknown",
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    /// Normalized (lower case, no trailing `/`).
    pub allowed_origins: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        let allowed = values.list("allowedOrigins")?;
        if let Some(bad) = allowed.iter().find(|o| !is_https(o)) {
            return Err(Error::InvalidParameters {
                key: "allowedOrigins".into(),
                reason: format!("{} is not an https:// origin", config_rules_core::bounded(bad, 64)),
                expected: "a comma-separated list of origins such as https://app.example.com".into(),
            });
        }
        Ok(Params {
            allowed_origins: allowed.iter().map(|o| normalized(o)).collect(),
        })
    }
}

fn normalized(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn is_https(origin: &str) -> bool {
    let o = normalized(origin);
    o.len() > "https://".len() && o.starts_with("https://")
}

/// The decision, as a pure function of the function URL's CORS and the parameters.
pub fn evaluate(name: &str, cors: &UrlCorsState, params: &Params) -> Verdict {
    let cors = match cors {
        UrlCorsState::NoUrl => return Verdict::not_applicable(format!("Function {name} has no function URL.")),
        UrlCorsState::NoCors => {
            return Verdict::compliant(format!(
                "Function {name}'s URL sets no CORS: browsers refuse cross-origin reads of its responses."
            ))
        }
        UrlCorsState::Cors(c) => c,
    };
    let shown = |o: &str| config_rules_core::bounded(o, 64);
    let mut problems = Vec::new();
    let wildcard = cors.allow_origins.iter().any(|o| o.trim() == "*");
    if wildcard && cors.allow_credentials {
        problems.push("it allows every origin (*) with credentials".to_string());
    } else if wildcard && !params.allowed_origins.is_empty() {
        problems.push("it allows every origin (*), not only allowedOrigins".to_string());
    }
    for origin in cors.allow_origins.iter().filter(|o| o.trim() != "*") {
        if !is_https(origin) {
            problems.push(format!("origin {} is not HTTPS", shown(origin)));
        } else if !params.allowed_origins.is_empty() && !params.allowed_origins.contains(&normalized(origin)) {
            problems.push(format!("origin {} is not in allowedOrigins", shown(origin)));
        }
    }
    if !problems.is_empty() {
        return Verdict::non_compliant(format!(
            "Function {name}'s URL CORS is too open: {}.",
            problems.join("; ")
        ));
    }
    let credentials = if cors.allow_credentials {
        "with credentials"
    } else {
        "without credentials"
    };
    if wildcard {
        Verdict::compliant(format!(
            "Function {name}'s URL allows every origin (*) without credentials."
        ))
    } else if cors.allow_origins.is_empty() {
        Verdict::compliant(format!(
            "Function {name}'s URL allows no origin: browsers refuse cross-origin reads of its responses."
        ))
    } else {
        Verdict::compliant(format!(
            "Function {name}'s URL allows only HTTPS origins ({}), {credentials}.",
            config_rules_core::evaluation::list_names(&cors.allow_origins, 3)
        ))
    }
}

/// The rule as the runner sees it.
pub struct LambdaUrlCorsRestricted<C> {
    api: C,
}

impl<C: FunctionUrlCorsApi> LambdaUrlCorsRestricted<C> {
    pub fn new(api: C) -> Self {
        LambdaUrlCorsRestricted { api }
    }
}

#[async_trait]
impl<C: FunctionUrlCorsApi> Rule for LambdaUrlCorsRestricted<C> {
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
        let cors = self.api.url_cors(name).await?;
        Ok(evaluate(name, &cors, params))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    LambdaUrlCorsRestricted::new(lambda_facts::SdkLambda::new(sdk))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::Compliance::{self, *};
    use serde_json::json;

    fn cors(origins: &[&str], credentials: bool) -> UrlCorsState {
        UrlCorsState::Cors(UrlCors {
            allow_origins: origins.iter().map(|o| o.to_string()).collect(),
            allow_credentials: credentials,
        })
    }

    /// CORS in the shape of Lambda's `GetFunctionUrlConfig` response (Lambda API reference,
    /// `Cors`: `AllowOrigins` such as `https://www.example.com` or `*`, `AllowCredentials`).
    #[test]
    fn fixture_cases() {
        let none = Params::default();
        let listed = Params {
            allowed_origins: vec!["https://shop.example.com".into()],
        };
        let cases: Vec<(&str, UrlCorsState, &Params, Compliance, &str)> = vec![
            ("no url", UrlCorsState::NoUrl, &none, NotApplicable, "Function f has no function URL."),
            ("no cors", UrlCorsState::NoCors, &none, Compliant,
             "Function f's URL sets no CORS: browsers refuse cross-origin reads of its responses."),
            ("https origins", cors(&["https://shop.example.com", "https://admin.example.com"], true), &none, Compliant,
             "Function f's URL allows only HTTPS origins (https://shop.example.com, https://admin.example.com), with credentials."),
            ("wildcard without credentials", cors(&["*"], false), &none, Compliant,
             "Function f's URL allows every origin (*) without credentials."),
            ("no origins", cors(&[], true), &none, Compliant,
             "Function f's URL allows no origin: browsers refuse cross-origin reads of its responses."),
            ("wildcard with credentials", cors(&["*"], true), &none, NonCompliant,
             "Function f's URL CORS is too open: it allows every origin (*) with credentials."),
            ("plain http", cors(&["http://localhost:3000", "https://shop.example.com"], false), &none, NonCompliant,
             "Function f's URL CORS is too open: origin http://localhost:3000 is not HTTPS."),
            ("listed, any case and trailing slash", cors(&["HTTPS://Shop.Example.com/"], true), &listed, Compliant,
             "Function f's URL allows only HTTPS origins (HTTPS://Shop.Example.com/), with credentials."),
            ("not listed", cors(&["https://shop.example.com", "https://evil.example.net"], false), &listed, NonCompliant,
             "Function f's URL CORS is too open: origin https://evil.example.net is not in allowedOrigins."),
            ("wildcard, list given", cors(&["*"], false), &listed, NonCompliant,
             "Function f's URL CORS is too open: it allows every origin (*), not only allowedOrigins."),
            ("several problems", cors(&["*", "http://a.example.com"], true), &none, NonCompliant,
             "Function f's URL CORS is too open: it allows every origin (*) with credentials; origin http://a.example.com is not HTTPS."),
        ];
        for (name, state, params, compliance, annotation) in cases {
            assert_eq!(
                evaluate("f", &state, params),
                Verdict::new(compliance, annotation),
                "case: {name}"
            );
        }
    }

    struct Fake(UrlCorsState);

    #[async_trait]
    impl FunctionUrlCorsApi for Fake {
        async fn url_cors(&self, function_name: &str) -> Result<UrlCorsState, Error> {
            assert_eq!(function_name, "hook");
            Ok(self.0.clone())
        }
    }

    #[tokio::test]
    async fn the_rule_asks_lambda_for_the_url_by_function_name() {
        let rule = LambdaUrlCorsRestricted::new(Fake(cors(&["*"], true)));
        let item = ConfigurationItem::from_notification_json(
            &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "hook",
                    "configuration": {"functionName": "hook"}}),
            "item",
        )
        .unwrap();
        let v = rule
            .evaluate_item(&item, &ItemContext::now(), &Params::default())
            .await
            .unwrap();
        assert_eq!(
            v,
            Verdict::non_compliant(
                "Function hook's URL CORS is too open: it allows every origin (*) with credentials."
            )
        );
    }

    #[test]
    fn parameters_are_validated() {
        let parse = |v: serde_json::Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
        assert_eq!(
            parse(json!({"allowedOrigins": "https://A.example.com/, https://b.example.com"})).unwrap(),
            Params {
                allowed_origins: vec!["https://a.example.com".into(), "https://b.example.com".into()]
            }
        );
        let err = parse(json!({"allowedOrigins": "http://a.example.com"})).unwrap_err();
        assert!(
            err.to_string().contains("allowedOrigins") && err.to_string().contains("not an https:// origin"),
            "{err}"
        );
    }
}
