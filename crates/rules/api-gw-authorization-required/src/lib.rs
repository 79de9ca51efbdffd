//! # api-gw-authorization-required
//!
//! **Checks** that every method of a REST API and every route of an HTTP or WebSocket API
//! requires authorization (IAM, a Lambda or Cognito authorizer, JWT) or at least an API key.
//!
//! **Why it matters.** Practice 4, *authentication and authorization*, of the serverless
//! security practices: an API method with authorization `NONE` lets anyone on the internet run
//! the function behind it with its role's permissions. Endpoints that must be open (a health
//! check, a public webhook verified by signature) should be deliberate exceptions, listed.
//!
//! **Resource types:** `AWS::ApiGateway::RestApi`, `AWS::ApiGatewayV2::Api`.
//! **Trigger:** configuration change, and periodic (methods and routes change without the API
//! item changing). Config's items hold neither methods nor routes, so the rule reads them:
//! API Gateway `GetResources` with embedded methods (all pages) for REST APIs, `GetRoutes` for
//! HTTP and WebSocket APIs, and, in periodic runs, `GetRestApis` and `GetApis` to list the APIs.
//! Its role may only call `apigateway:GET` on the account's APIs.
//!
//! **Resource ids.** AWS Config knows an API by its ARN: the item's `resourceId` is
//! `arn:aws:apigateway:REGION::/restapis/API_ID` (`.../apis/API_ID` for HTTP and WebSocket
//! APIs), as in AWS's sample items (aws-config-rdk `rdk/template/example_ci/`). The rule takes
//! the bare id API Gateway's calls need from `configuration.id` / `configuration.apiId` (or
//! the ARN's last segment) and reports under the ARN, in change and periodic runs alike, so
//! each API has one result in the Config console. An id that is not an API Gateway id (1–64
//! letters and digits) is never sent to API Gateway: NOT_APPLICABLE, saying why.
//!
//! **Parameters**
//!
//! | name | type | default | meaning |
//! |---|---|---|---|
//! | `includeOptions` | boolean | `false` | also require authorization on `OPTIONS` methods (CORS preflight is exempt by default) |
//! | `allowedUnauthenticatedPaths` | comma list | empty | paths (`/health`) or method and path (`POST /webhook`) that may stay open |
//!
//! **Scenarios**
//!
//! | API | result |
//! |---|---|
//! | every method or route has an authorizer, IAM auth or an API key requirement | COMPLIANT |
//! | a method or route with authorization `NONE` and no API key | NON_COMPLIANT, listing them |
//! | an open `OPTIONS` method (unless `includeOptions`) or an allowed path | COMPLIANT |
//! | no methods or routes | NOT_APPLICABLE |
//! | the API no longer exists (deleted since the event) | NOT_APPLICABLE |
//! | in a periodic run, an API whose methods the rule may not read (`AccessDenied`) | NON_COMPLIANT, naming the refused call; the other APIs are judged as usual |
//! | deleted, not recorded, out of scope, or tagged `config-rules:exempt` | NOT_APPLICABLE |
//!
//! **Remediation.** Add an authorizer to each open method (`aws apigateway update-method
//! --patch-operations op=replace,path=/authorizationType,value=AWS_IAM`, or a Cognito or Lambda
//! authorizer; for HTTP APIs `aws apigatewayv2 update-route --authorization-type JWT
//! --authorizer-id ID`), or list the deliberate exceptions in `allowedUnauthenticatedPaths`.
//!
//! **References.** API Gateway developer guide, "Controlling and managing access to a REST API"
//! and "Controlling access to HTTP APIs"; AWS Config managed rule
//! `api-gwv2-authorization-type-configured`.

use async_trait::async_trait;
use config_rules_core::{
    apigw, sdk_error, AccountContext, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues,
    Permission, ReportsOn, ResourceVerdict, Rule, RuleMeta, Trigger, Verdict,
};

pub const REST_API: &str = "AWS::ApiGateway::RestApi";
pub const HTTP_API: &str = "AWS::ApiGatewayV2::Api";

pub const META: RuleMeta = RuleMeta {
    id: "api-gw-authorization-required",
    summary: "API Gateway methods and routes require authorization or an API key.",
    source: include_str!("lib.rs"),
    resource_types: &[REST_API, HTTP_API],
    trigger: Trigger::ChangeAndPeriodic,
    reports_on: ReportsOn::EachResource,
    parameters: &[
        ParamSpec::boolean(
            "includeOptions",
            false,
            "Also require authorization on OPTIONS methods.",
        ),
        ParamSpec::list(
            "allowedUnauthenticatedPaths",
            "Paths, or method and path, that may stay open.",
        ),
    ],
    permissions: &[Permission::on(
        "apigateway:GET",
        &[
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis",
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/*",
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/apis",
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/apis/*",
        ],
    )],
    item_calls_aws: true,
    // Sized for 5,000 resources: two AWS calls each, 8 at a time, at up to 100 ms per call is
    // 125 s; twice that for margin (a 5,000-key sweep took 51 s against the emulator).
    timeout_seconds: 300,
    ..RuleMeta::DEFAULT
};

/// Validated parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    pub include_options: bool,
    pub allowed_paths: Vec<String>,
}

impl FromParams for Params {
    fn from_params(values: &ParamValues) -> Result<Self, Error> {
        Ok(Params {
            include_options: values.boolean("includeOptions")?,
            allowed_paths: values.list("allowedUnauthenticatedPaths")?,
        })
    }
}

/// A REST method or an HTTP/WebSocket route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `GET`, `POST`, ... (`ANY`, or empty for WebSocket routes such as `$connect`).
    pub method: String,
    /// `/pets/{id}`, or a WebSocket route key.
    pub path: String,
    /// `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`, `JWT`.
    pub authorization: String,
    pub api_key_required: bool,
}

impl Endpoint {
    fn label(&self) -> String {
        if self.method.is_empty() {
            self.path.clone()
        } else {
            format!("{} {}", self.method, self.path)
        }
    }
}

/// An API a periodic run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRef {
    pub resource_type: &'static str,
    /// The bare API id API Gateway's own calls take.
    pub id: String,
    /// Config's resource id: the API's ARN (see [`config_rules_core::apigw`]).
    pub resource_id: String,
    pub name: String,
}

/// The API Gateway reads this rule makes.
#[async_trait]
pub trait ApiAuthApi: Send + Sync {
    /// Every REST API and HTTP/WebSocket API (`GetRestApis`, `GetApis`).
    async fn list_apis(&self) -> Result<Vec<ApiRef>, Error>;
    /// The methods of a REST API (`GetResources` with embedded methods), `None` if it is gone.
    async fn rest_methods(&self, rest_api_id: &str) -> Result<Option<Vec<Endpoint>>, Error>;
    /// The routes of an HTTP or WebSocket API (`GetRoutes`), `None` if it is gone.
    async fn routes(&self, api_id: &str) -> Result<Option<Vec<Endpoint>>, Error>;
}

fn names(list: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = list.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if list.len() > SHOWN {
        s.push_str(&format!(" and {} more", list.len() - SHOWN));
    }
    s
}

/// The decision for one API, as a pure function of its methods or routes.
pub fn evaluate_api(name: &str, endpoints: Option<&[Endpoint]>, params: &Params) -> Verdict {
    let Some(endpoints) = endpoints else {
        return Verdict::not_applicable(format!("API {name} no longer exists."));
    };
    if endpoints.is_empty() {
        return Verdict::not_applicable(format!("API {name} has no methods or routes."));
    }
    let allowed = |e: &Endpoint| {
        params
            .allowed_paths
            .iter()
            .any(|a| a == &e.path || a.eq_ignore_ascii_case(&e.label()))
    };
    let mut open: Vec<String> = endpoints
        .iter()
        .filter(|e| e.authorization.eq_ignore_ascii_case("NONE") && !e.api_key_required)
        .filter(|e| params.include_options || !e.method.eq_ignore_ascii_case("OPTIONS"))
        .filter(|e| !allowed(e))
        .map(Endpoint::label)
        .collect();
    open.sort();
    if open.is_empty() {
        Verdict::compliant(format!(
            "All {} methods or routes of API {name} require authorization, an API key, or are allowed exceptions.",
            endpoints.len()
        ))
    } else {
        Verdict::non_compliant(format!(
            "API {name} has unauthenticated {}: {}.",
            if open.len() == 1 { "endpoint" } else { "endpoints" },
            names(&open)
        ))
    }
}

/// The result for an API whose methods or routes the rule may not read.
fn unreadable(name: &str, err: &Error) -> Verdict {
    Verdict::unreadable(&format!("API {name}"), err)
}

/// The rule as the runner sees it.
pub struct ApiGwAuthorizationRequired<A> {
    api: A,
}

impl<A: ApiAuthApi> ApiGwAuthorizationRequired<A> {
    pub fn new(api: A) -> Self {
        ApiGwAuthorizationRequired { api }
    }

    async fn endpoints(&self, resource_type: &str, id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        if resource_type == REST_API {
            self.api.rest_methods(id).await
        } else {
            self.api.routes(id).await
        }
    }
}

#[async_trait]
impl<A: ApiAuthApi> Rule for ApiGwAuthorizationRequired<A> {
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
        let id_key = if item.resource_type == REST_API { "id" } else { "apiId" };
        let id = match apigw::api_id(item.config_str(id_key), &item.resource_id, id_key) {
            Ok(id) => id,
            Err(why) => return Ok(Verdict::not_applicable(format!("The API cannot be checked: {why}."))),
        };
        let name = item.config_str("name").or(item.resource_name.as_deref()).unwrap_or(id);
        let name = config_rules_core::bounded(name, 128);
        match self.endpoints(&item.resource_type, id).await {
            Ok(endpoints) => Ok(evaluate_api(&name, endpoints.as_deref(), params)),
            Err(e) if e.is_access_denied() => Ok(unreadable(&name, &e)),
            Err(e) => Err(e),
        }
    }
    async fn evaluate_account(&self, _ctx: &AccountContext, params: &Params) -> Result<Vec<ResourceVerdict>, Error> {
        let mut apis = self.api.list_apis().await?;
        apis.sort_by(|a, b| (a.resource_type, &a.id).cmp(&(b.resource_type, &b.id)));
        let judged = config_rules_core::sweep::map_bounded(apis, |api| async move {
            let endpoints = self.endpoints(api.resource_type, &api.id).await;
            (api, endpoints)
        })
        .await;
        let mut out = Vec::with_capacity(judged.len());
        for (api, endpoints) in judged {
            let verdict = match endpoints {
                Ok(Some(endpoints)) => evaluate_api(&api.name, Some(&endpoints), params),
                // Deleted between the listing and the read: its stored result is retired.
                Ok(None) => continue,
                Err(e) if e.is_access_denied() => unreadable(&api.name, &e),
                Err(e) => return Err(e),
            };
            out.push(ResourceVerdict {
                resource_type: api.resource_type.to_string(),
                verdict,
                resource_id: api.resource_id,
            });
        }
        Ok(out)
    }
}

/// [`ApiAuthApi`] over the AWS SDKs for API Gateway (REST) and API Gateway V2 (HTTP, WebSocket).
#[derive(Debug, Clone)]
pub struct SdkApis {
    rest: aws_sdk_apigateway::Client,
    v2: aws_sdk_apigatewayv2::Client,
    region: String,
}

impl SdkApis {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkApis {
            rest: aws_sdk_apigateway::Client::new(sdk),
            v2: aws_sdk_apigatewayv2::Client::new(sdk),
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
        }
    }
}

#[async_trait]
impl ApiAuthApi for SdkApis {
    async fn list_apis(&self) -> Result<Vec<ApiRef>, Error> {
        let mut out = Vec::new();
        let mut pages = self.rest.get_rest_apis().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("GetRestApis", e))?;
            out.extend(page.items().iter().filter_map(|a| {
                Some(ApiRef {
                    resource_type: REST_API,
                    id: a.id()?.to_string(),
                    resource_id: apigw::rest_api_arn(&self.region, a.id()?),
                    name: a.name().unwrap_or_default().to_string(),
                })
            }));
        }
        let mut token: Option<String> = None;
        loop {
            let page = self
                .v2
                .get_apis()
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| sdk_error("GetApis", e))?;
            out.extend(page.items().iter().filter_map(|a| {
                Some(ApiRef {
                    resource_type: HTTP_API,
                    id: a.api_id()?.to_string(),
                    resource_id: apigw::http_api_arn(&self.region, a.api_id()?),
                    name: a.name().unwrap_or_default().to_string(),
                })
            }));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn rest_methods(&self, rest_api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .rest
            .get_resources()
            .rest_api_id(rest_api_id)
            .embed("methods")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("GetResources", e)),
            };
            for resource in page.items() {
                let path = resource.path().unwrap_or("/").to_string();
                for (verb, method) in resource.resource_methods().into_iter().flatten() {
                    out.push(Endpoint {
                        method: verb.clone(),
                        path: path.clone(),
                        authorization: method.authorization_type().unwrap_or("NONE").to_string(),
                        api_key_required: method.api_key_required().unwrap_or(false),
                    });
                }
            }
        }
        Ok(Some(out))
    }

    async fn routes(&self, api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = match self
                .v2
                .get_routes()
                .api_id(api_id)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(p) => p,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("GetRoutes", e)),
            };
            for route in page.items() {
                let key = route.route_key().unwrap_or_default();
                let (method, path) = match key.split_once(' ') {
                    Some((m, p)) => (m.to_string(), p.to_string()),
                    None => (String::new(), key.to_string()),
                };
                out.push(Endpoint {
                    method,
                    path,
                    authorization: route
                        .authorization_type()
                        .map(|a| a.as_str())
                        .unwrap_or("NONE")
                        .to_string(),
                    api_key_required: route.api_key_required().unwrap_or(false),
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(Some(out))
    }
}

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwAuthorizationRequired::new(SdkApis::new(sdk))
}

#[cfg(test)]
mod tests {
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
}
