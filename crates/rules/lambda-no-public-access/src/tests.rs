use super::*;
use config_rules_core::Compliance::{self, *};
use serde_json::json;

fn item(policy: Option<Value>) -> ConfigurationItem {
    let sup = match policy {
        Some(p) => json!({"Policy": p.to_string()}),
        None => json!({}),
    };
    ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "hook",
                "configuration": {"functionName": "hook"}, "supplementaryConfiguration": sup}),
        "item",
    )
    .unwrap()
}

fn policy(statements: Value) -> Option<Value> {
    Some(json!({"Version": "2012-10-17", "Id": "default", "Statement": statements}))
}

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:hook";

#[test]
fn fixture_cases() {
    let p = Params::default();
    let url_ok = Params {
        allow_public_function_url: true,
    };
    let ok = "Function hook can only be invoked by principals of known accounts or sources.";
    let url_statement = json!({"Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl", "Resource": ARN,
        "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}});
    type Case<'a> = (&'a str, Option<Value>, Option<&'a str>, Params, Compliance, &'a str);
    let cases: Vec<Case> = vec![
        ("no policy, no URL", None, None, p, Compliant, ok),
        ("account principal", policy(json!([{"Sid": "Acct", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "lambda:InvokeFunction", "Resource": ARN}])), None, p, Compliant, ok),
        ("star", policy(json!([{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": ARN}])),
         None, p, NonCompliant, "Function hook is public: statement Open allows everyone (*)."),
        ("AWS star in a list, statement object", policy(json!({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]},
            "Action": "lambda:InvokeFunction"})), None, p, NonCompliant, "Function hook is public: statement #1 allows everyone (*)."),
        ("star pinned to an organization", policy(json!([{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}])), None, p, Compliant, ok),
        ("star denied is fine", policy(json!([{"Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunction"}])),
         None, p, Compliant, ok),
        ("service without source", policy(json!([{"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": ARN}])), None, p, NonCompliant,
         "Function hook is public: statement s3 lets s3.amazonaws.com invoke it without aws:SourceAccount or aws:SourceArn."),
        ("service with ArnLike AWS:SourceArn (Lambda's own casing)", policy(json!([{"Sid": "sns", "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}}}])), None, p, Compliant, ok),
        ("service with StringEquals aws:SourceAccount", policy(json!([{"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com"]},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}])), None, p, Compliant, ok),
        ("service pinned only by org is not enough", policy(json!([{"Sid": "x", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}])), None, p, NonCompliant,
         "Function hook is public: statement x lets s3.amazonaws.com invoke it without aws:SourceAccount or aws:SourceArn."),
        // Wildcards restrict nothing (as the managed rule lambda-function-public-access-prohibited
        // holds): any account's bucket matches arn:aws:s3:::*.
        ("service pinned only by a wildcard bucket ARN", policy(json!([{"Sid": "w", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::*"}}}])), None, p, NonCompliant,
         "Function hook is public: statement w lets s3.amazonaws.com invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account."),
        ("service pinned by a star SourceArn", policy(json!([{"Sid": "w", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"aws:SourceArn": "*"}}}])), None, p, NonCompliant,
         "Function hook is public: statement w lets sns.amazonaws.com invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account."),
        ("service pinned by a star SourceAccount", policy(json!([{"Sid": "w", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"StringLike": {"aws:SourceAccount": "*"}}}])), None, p, NonCompliant,
         "Function hook is public: statement w lets events.amazonaws.com invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account."),
        ("a bucket-name prefix still matches any account's bucket", policy(json!([{"Sid": "w", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads-*"}}}])), None, p, NonCompliant,
         "Function hook is public: statement w lets s3.amazonaws.com invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account."),
        ("an account-scoped ARN pattern restricts (API Gateway's own form)", policy(json!([{"Sid": "api", "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets"}}}])), None, p, Compliant, ok),
        ("a fixed bucket ARN restricts", policy(json!([{"Sid": "b", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads-prod"}}}])), None, p, Compliant, ok),
        ("a negated operator restricts nothing", policy(json!([{"Sid": "n", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}])), None, p, NonCompliant,
         "Function hook is public: statement n lets sns.amazonaws.com invoke it with an aws:SourceAccount or aws:SourceArn condition that matches every account."),
        ("star pinned only by a wildcard org id", policy(json!([{"Sid": "o", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
            "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}])), None, p, NonCompliant,
         "Function hook is public: statement o allows everyone (*)."),
        ("open URL", policy(json!([url_statement.clone()])), Some("NONE"), p, NonCompliant,
         "Function hook is public: statement FunctionURLAllowPublicAccess allows everyone (*); its function URL has AuthType NONE."),
        ("open URL allowed", policy(json!([url_statement.clone()])), Some("NONE"), url_ok, Compliant, ok),
        ("IAM URL", None, Some("AWS_IAM"), p, Compliant, ok),
        ("allowing the URL does not allow other public statements", policy(json!([url_statement,
            {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}])), Some("NONE"), url_ok, NonCompliant,
         "Function hook is public: statement Open allows everyone (*)."),
    ];
    for (name, policy, url, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate(&item(policy), url, &params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
}

#[test]
fn unreadable_policy_fails_closed() {
    let it = ConfigurationItem::from_notification_json(
        &json!({"resourceType": "AWS::Lambda::Function", "resourceId": "hook", "configuration": {"functionName": "hook"},
                "supplementaryConfiguration": {"Policy": "{not json"}}),
        "item",
    )
    .unwrap();
    assert_eq!(
        evaluate(&it, None, &Params::default()),
        Verdict::non_compliant("Function hook is public: its resource policy is not readable JSON.")
    );
}

struct FakeUrls(Option<&'static str>);

#[async_trait]
impl FunctionUrlApi for FakeUrls {
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, Error> {
        assert_eq!(function_name, "hook");
        Ok(self.0.map(String::from))
    }
}

#[tokio::test]
async fn the_rule_asks_for_the_function_url() {
    let rule = LambdaNoPublicAccess::new(FakeUrls(Some("NONE")));
    let v = rule
        .evaluate_item(&item(None), &ItemContext::now(), &Params::default())
        .await
        .unwrap();
    assert_eq!(
        v,
        Verdict::non_compliant("Function hook is public: its function URL has AuthType NONE.")
    );
}

#[test]
fn parameters_are_validated() {
    let parse = |v: Value| config_rules_core::testing::parse_params::<Params>(META.parameters, v);
    assert_eq!(
        parse(json!({"allowPublicFunctionUrl": "true"})).unwrap(),
        Params {
            allow_public_function_url: true
        }
    );
    assert!(matches!(
        parse(json!({"allowPublicFunctionUrl": "sometimes"})),
        Err(Error::InvalidParameters { .. })
    ));
}
