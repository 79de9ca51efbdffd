use super::*;
use config_rules_core::Compliance::{self, *};
use std::collections::BTreeMap;

fn e(method: &str, path: &str, auth: &str, key: bool) -> Endpoint {
    Endpoint {
        method: method.into(),
        path: path.into(),
        authorization: auth.into(),
        api_key_required: key,
    }
}

#[test]
fn fixture_cases() {
    let p = Params::default();
    let options = Params {
        include_options: true,
        allowed_paths: vec![],
    };
    let allow = Params {
        include_options: false,
        allowed_paths: vec!["/health".into(), "POST /webhook".into()],
    };
    type Case<'a> = (&'a str, Option<Vec<Endpoint>>, Params, Compliance, &'a str);
    let cases: Vec<Case> = vec![
        (
            "all authorized",
            Some(vec![
                e("GET", "/pets", "AWS_IAM", false),
                e("POST", "/pets", "COGNITO_USER_POOLS", false),
            ]),
            p.clone(),
            Compliant,
            "All 2 methods or routes of API pets require authorization, an API key, or are allowed exceptions.",
        ),
        (
            "open method",
            Some(vec![
                e("GET", "/pets", "NONE", false),
                e("POST", "/pets", "CUSTOM", false),
            ]),
            p.clone(),
            NonCompliant,
            "API pets has unauthenticated endpoint: GET /pets.",
        ),
        (
            "API key is enough",
            Some(vec![e("GET", "/pets", "NONE", true)]),
            p.clone(),
            Compliant,
            "All 1 methods or routes of API pets require authorization, an API key, or are allowed exceptions.",
        ),
        (
            "OPTIONS exempt",
            Some(vec![e("OPTIONS", "/pets", "NONE", false)]),
            p.clone(),
            Compliant,
            "All 1 methods or routes of API pets require authorization, an API key, or are allowed exceptions.",
        ),
        (
            "OPTIONS included",
            Some(vec![e("OPTIONS", "/pets", "NONE", false)]),
            options,
            NonCompliant,
            "API pets has unauthenticated endpoint: OPTIONS /pets.",
        ),
        (
            "allowed by path or by method and path",
            Some(vec![
                e("GET", "/health", "NONE", false),
                e("POST", "/webhook", "NONE", false),
                e("GET", "/webhook", "NONE", false),
            ]),
            allow,
            NonCompliant,
            "API pets has unauthenticated endpoint: GET /webhook.",
        ),
        (
            "HTTP routes",
            Some(vec![
                e("GET", "/items", "JWT", false),
                e("", "$default", "NONE", false),
                e("ANY", "/{proxy+}", "NONE", false),
            ]),
            p.clone(),
            NonCompliant,
            "API pets has unauthenticated endpoints: $default, ANY /{proxy+}.",
        ),
        (
            "no methods",
            Some(vec![]),
            p.clone(),
            NotApplicable,
            "API pets has no methods or routes.",
        ),
        ("gone", None, p.clone(), NotApplicable, "API pets no longer exists."),
    ];
    for (name, endpoints, params, compliance, annotation) in cases {
        assert_eq!(
            evaluate_api("pets", endpoints.as_deref(), &params),
            Verdict::new(compliance, annotation),
            "case: {name}"
        );
    }
    let many: Vec<Endpoint> = (0..10).map(|i| e("GET", &format!("/r{i}"), "NONE", false)).collect();
    assert_eq!(evaluate_api("pets", Some(&many), &p).annotation,
               "API pets has unauthenticated endpoints: GET /r0, GET /r1, GET /r2, GET /r3, GET /r4, GET /r5, GET /r6, GET /r7 and 2 more.");
}

#[derive(Default)]
struct Fake {
    rest: BTreeMap<String, Vec<Endpoint>>,
    http: BTreeMap<String, Vec<Endpoint>>,
    /// Ids whose reads are refused with AccessDeniedException.
    denied: Vec<String>,
    /// Every id passed to API Gateway.
    asked: std::sync::Mutex<Vec<String>>,
}

impl Fake {
    fn read(&self, map: &BTreeMap<String, Vec<Endpoint>>, id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        self.asked.lock().unwrap().push(id.to_string());
        if self.denied.iter().any(|d| d == id) {
            return Err(Error::AwsApi {
                operation: "GetResources".into(),
                message: "AccessDeniedException: not authorized".into(),
                code: Some("AccessDeniedException".into()),
            });
        }
        Ok(map.get(id).cloned())
    }
}

const REGION: &str = "us-east-2";

#[async_trait]
impl ApiAuthApi for Fake {
    async fn list_apis(&self) -> Result<Vec<ApiRef>, Error> {
        let mut out: Vec<ApiRef> = self
            .rest
            .keys()
            .map(|id| ApiRef {
                resource_type: REST_API,
                id: id.clone(),
                resource_id: apigw::rest_api_arn(REGION, id),
                name: id.clone(),
            })
            .collect();
        out.extend(self.http.keys().map(|id| ApiRef {
            resource_type: HTTP_API,
            id: id.clone(),
            resource_id: apigw::http_api_arn(REGION, id),
            name: id.clone(),
        }));
        // Listed, then deleted before its methods are read.
        out.push(ApiRef {
            resource_type: REST_API,
            id: "vanished".into(),
            resource_id: apigw::rest_api_arn(REGION, "vanished"),
            name: "vanished".into(),
        });
        Ok(out)
    }
    async fn rest_methods(&self, id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        self.read(&self.rest, id)
    }
    async fn routes(&self, id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        self.read(&self.http, id)
    }
}

#[tokio::test]
async fn a_periodic_run_reports_under_config_arns_and_skips_vanished_apis() {
    let fake = Fake {
        rest: BTreeMap::from([
            ("r1".to_string(), vec![e("GET", "/", "NONE", false)]),
            ("r2".to_string(), vec![e("GET", "/", "NONE", false)]),
        ]),
        http: BTreeMap::from([("h1".to_string(), vec![e("GET", "/", "JWT", false)])]),
        denied: vec!["r2".into()],
        ..Fake::default()
    };
    let ctx = AccountContext::at("1", chrono::Utc::now());
    let out = ApiGwAuthorizationRequired::new(fake)
        .evaluate_account(&ctx, &Params::default())
        .await
        .unwrap();
    let got: Vec<(&str, &str, Compliance)> = out
        .iter()
        .map(|v| (v.resource_type.as_str(), v.resource_id.as_str(), v.verdict.compliance))
        .collect();
    assert_eq!(
        got,
        vec![
            (REST_API, "arn:aws:apigateway:us-east-2::/restapis/r1", NonCompliant),
            // One API the role may not read gets its own result; the sweep goes on.
            (REST_API, "arn:aws:apigateway:us-east-2::/restapis/r2", NonCompliant),
            (HTTP_API, "arn:aws:apigateway:us-east-2::/apis/h1", Compliant),
        ]
    );
    assert_eq!(
        out[1].verdict.annotation,
        "API r2 could not be checked: AWS API call GetResources failed: AccessDeniedException: not authorized."
    );
}

/// Items in the shape AWS Config records (aws-config-rdk `rdk/template/example_ci/
/// AWS_ApiGateway_RestApi.json`, `AWS_ApiGatewayV2_Api.json`): the resourceId is the ARN,
/// the id API Gateway takes is configuration.id / configuration.apiId.
#[tokio::test]
async fn change_events_read_the_api_id_from_real_items_and_report_under_the_arn() {
    use config_rules_core::testing::FakeConfig;
    use config_rules_core::{AnyRule, RuleEvent};
    let fake = Fake {
        rest: BTreeMap::from([("test".to_string(), vec![e("GET", "/", "NONE", false)])]),
        http: BTreeMap::from([("h7".to_string(), vec![e("GET", "/", "JWT", false)])]),
        ..Fake::default()
    };
    let rule = ApiGwAuthorizationRequired::new(fake);
    let event = |item: serde_json::Value| {
        RuleEvent::parse(&serde_json::json!({
            "invokingEvent": serde_json::json!({"configurationItem": item, "notificationCreationTime": "2026-11-28T06:00:00.000Z",
                "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}).to_string(),
            "resultToken": "TESTMODE", "accountId": "123456789012"
        }))
        .unwrap()
    };
    let rest = event(serde_json::json!({
        "configurationItemVersion": "1.3", "awsAccountId": "123456789012",
        "configurationItemCaptureTime": "2022-02-21T18:36:56.299Z", "configurationItemStatus": "ResourceDiscovered",
        "ARN": "arn:aws:apigateway:us-east-2::/restapis/test", "resourceType": "AWS::ApiGateway::RestApi",
        "resourceId": "arn:aws:apigateway:us-east-2::/restapis/test", "resourceName": "test", "awsRegion": "us-east-2",
        "tags": {}, "configuration": {"id": "test", "name": "test", "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]}}, "supplementaryConfiguration": {}}));
    let out = rule.evaluate_event(&rest, &FakeConfig::new()).await.unwrap();
    assert_eq!(out[0].resource_id, "arn:aws:apigateway:us-east-2::/restapis/test");
    assert_eq!(
        (out[0].compliance, out[0].annotation.as_str()),
        (NonCompliant, "API test has unauthenticated endpoint: GET /.")
    );
    // V2: configuration.apiId absent (older items), the ARN's last segment serves.
    let http = event(serde_json::json!({
        "awsAccountId": "123456789012", "configurationItemCaptureTime": "2022-02-21T18:36:34.575Z",
        "configurationItemStatus": "OK", "resourceType": "AWS::ApiGatewayV2::Api",
        "resourceId": "arn:aws:apigateway:us-east-2::/apis/h7", "resourceName": "orders-http",
        "configuration": {"name": "orders-http", "protocolType": "HTTP"}}));
    let out = rule.evaluate_event(&http, &FakeConfig::new()).await.unwrap();
    assert_eq!(out[0].resource_id, "arn:aws:apigateway:us-east-2::/apis/h7");
    assert_eq!(out[0].compliance, Compliant);
    // A hostile id never reaches API Gateway.
    let long = event(serde_json::json!({
        "resourceType": "AWS::ApiGateway::RestApi", "resourceId": "arn:aws:apigateway:us-east-2::/restapis/x",
        "configurationItemStatus": "OK", "configurationItemCaptureTime": "2022-02-21T18:36:34.575Z",
        "configuration": {"id": "a".repeat(70_000)}}));
    let out = rule.evaluate_event(&long, &FakeConfig::new()).await.unwrap();
    assert_eq!(
        (out[0].compliance, out[0].annotation.as_str()),
        (
            NotApplicable,
            "The API cannot be checked: configuration.id is not an API Gateway id (1 to 64 letters and digits)."
        )
    );
    assert_eq!(
        *rule.api.asked.lock().unwrap(),
        vec!["test".to_string(), "h7".to_string()]
    );
}
