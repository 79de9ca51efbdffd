#![allow(clippy::unwrap_used)]
use super::*;
use config_rules_core::Compliance::{self, *};
use serde_json::json;
use std::sync::Mutex;

// Credentials in the formats their issuers document, assembled at run time so that no secret
// scanner mistakes this file for a leak. The AWS key id is AWS's own documentation example.
fn aws_key_id() -> String {
    ["AKIA", "IOSFODNN7EXAMPLE"].concat()
}
fn github_token() -> String {
    ["ghp_", "0123456789abcdefghijABCDEFGHIJ012345"].concat()
}
fn slack_token() -> String {
    ["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"].concat()
}
fn stripe_key() -> String {
    ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat()
}
fn jwt() -> String {
    [
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
    .concat()
}
fn pem() -> String {
    [
        "-----BEGIN RSA ",
        "PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ]
    .concat()
}

#[test]
fn credential_formats_and_secret_names() {
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        ("KEY", aws_key_id(), Some("an AWS access key id")),
        (
            "AUTH_HEADER",
            format!("token {}", github_token()),
            Some("a GitHub token"),
        ),
        ("NOTIFY", slack_token(), Some("a Slack token")),
        (
            "HOOK",
            ["https://hooks.slack.com/", "services/T000/B000/XXXX"].concat(),
            Some("a Slack webhook URL"),
        ),
        ("PAYMENTS", stripe_key(), Some("a Stripe secret key")),
        (
            "GOOGLE",
            ["AIza", "SyA1234567890abcdefghijklmnopqrstuv"].concat(),
            Some("a Google API key"),
        ),
        ("SESSION", jwt(), Some("a JSON Web Token")),
        ("SIGNING", pem(), Some("a private key")),
        (
            "DATABASE",
            "postgres://app:s3cr3t-pw@db.internal:5432/orders".into(),
            Some("a URL with a password"),
        ),
        (
            "DB_PASSWORD",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}".into(),
            Some("a Secrets Manager secret CloudFormation resolves into plain text"),
        ),
        ("API_TOKEN", "tok_8Hq2LmZr4Vx9Kb1N".into(), Some("a secret-like value")),
        ("ClientSecret", "Zx81-Qm0p_Lr7v!K".into(), Some("a secret-like value")),
        // References and configuration, not secrets.
        (
            "DB_PASSWORD_ARN",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf".into(),
            None,
        ),
        ("API_TOKEN", "prod/payments/api-token".into(), None),
        ("TOKEN_PARAMETER", "/prod/payments/token".into(), None),
        ("SECRET_NAME", "Zx81Qm0pLr7vK".into(), None),
        ("DB_PASSWORD", "hunter2".into(), None),
        ("PASSWORD", "aaaaaaaaaaaa".into(), None),
        ("TABLE", "orders".into(), None),
        ("ENDPOINT", "https://api.example.com/v1?x=1".into(), None),
        ("KEY", ["AKIA", "iosfodnn7example"].concat(), None),
    ];
    for (name, value, kind) in cases {
        assert_eq!(secret_kind(name, &value), kind, "variable {name}");
    }
}

fn vars(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[test]
fn fixture_cases() {
    let p = Params::default();
    let ignore = Params {
        ignore_variables: vec!["LEGACY_KEY".into()],
    };
    type Case<'a> = (&'a str, BTreeMap<String, String>, &'a Params, Compliance, String);
    let cases: Vec<Case> = vec![
        ("none", vars(&[]), &p, NotApplicable, "Function f has no environment variables.".into()),
        ("clean", vars(&[("TABLE", "orders".into()), ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x".into())]), &p,
         Compliant, "Function f's 2 environment variable(s) hold no value that looks like a secret.".into()),
        ("one key", vars(&[("LEGACY_KEY", aws_key_id()), ("TABLE", "orders".into())]), &p, NonCompliant,
         "Function f has plaintext secrets in its environment: LEGACY_KEY (an AWS access key id).".into()),
        ("ignored", vars(&[("LEGACY_KEY", aws_key_id())]), &ignore, Compliant,
         "Function f's 1 environment variable(s) hold no value that looks like a secret.".into()),
        ("many", vars(&[("A", aws_key_id()), ("B", jwt()), ("C", stripe_key()), ("D", github_token())]), &p, NonCompliant,
         "Function f has plaintext secrets in its environment: A (an AWS access key id), B (a JSON Web Token), C (a Stripe secret key) and 1 more.".into()),
    ];
    for (name, variables, params, compliance, annotation) in cases {
        let v = evaluate("f", &variables, params);
        assert_eq!(v, Verdict::new(compliance, annotation), "case: {name}");
    }
}

#[test]
fn annotations_never_hold_any_part_of_a_value() {
    let secret = stripe_key();
    let v = evaluate("f", &vars(&[("PAYMENTS", secret.clone())]), &Params::default());
    assert_eq!(v.compliance, NonCompliant);
    for piece in secret.as_bytes().windows(6) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !v.annotation.contains(piece),
            "annotation shows {piece:?}: {}",
            v.annotation
        );
    }
}

struct Fake {
    env: FunctionEnvironment,
    calls: Mutex<Vec<String>>,
}

#[async_trait]
impl EnvironmentApi for Fake {
    async fn environment(&self, function_name: &str) -> Result<FunctionEnvironment, Error> {
        self.calls.lock().unwrap().push(function_name.to_string());
        Ok(self.env.clone())
    }
}

/// Config's Lambda item (aws-config-rdk `rdk/template/example_ci/AWS_LAMBDA_FUNCTION.json`)
/// has no `environment`; the CLI's API items do.
fn item(configuration: Value) -> ConfigurationItem {
    ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "orders", "configuration": configuration}),
        "item",
    )
    .unwrap()
}

#[tokio::test]
async fn lambda_is_asked_only_when_the_item_does_not_record_the_environment() {
    let rule = LambdaEnvNoPlaintextSecrets::new(Fake {
        env: FunctionEnvironment::Variables(vars(&[("KEY", aws_key_id())])),
        calls: Mutex::default(),
    });
    let ctx = ItemContext::now();
    let p = Params::default();
    let from_config = rule
        .evaluate_item(
            &item(json!({"functionName": "orders", "tracingConfig": {"mode": "PassThrough"}})),
            &ctx,
            &p,
        )
        .await
        .unwrap();
    assert_eq!(
        from_config,
        Verdict::non_compliant("Function orders has plaintext secrets in its environment: KEY (an AWS access key id).")
    );
    assert_eq!(*rule.api.calls.lock().unwrap(), vec!["orders".to_string()]);
    let recorded = rule
        .evaluate_item(
            &item(json!({"functionName": "orders", "environment": {"variables": {"TABLE": "orders"}}})),
            &ctx,
            &p,
        )
        .await
        .unwrap();
    assert_eq!(recorded.compliance, Compliant);
    let unreadable = rule
        .evaluate_item(
            &item(json!({"functionName": "orders", "environment": {"variables": {"PORT": 8080}}})),
            &ctx,
            &p,
        )
        .await
        .unwrap();
    assert_eq!(
        unreadable,
        Verdict::non_compliant(
            "Function orders: configuration.environment.variables.PORT is not a map of strings; its variables cannot be checked."
        )
    );
    assert_eq!(rule.api.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_environment_lambda_cannot_decrypt_is_not_read_as_empty() {
    let rule = LambdaEnvNoPlaintextSecrets::new(Fake {
        env: FunctionEnvironment::Undecryptable,
        calls: Mutex::default(),
    });
    let v = rule
        .evaluate_item(
            &item(json!({"functionName": "orders"})),
            &ItemContext::now(),
            &Params::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        v,
        Verdict::non_compliant(
            "Function orders: Lambda cannot decrypt its environment (Environment.Error), so its variables cannot be checked."
        )
    );
}
