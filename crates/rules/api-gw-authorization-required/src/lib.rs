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
    apigw, AccountContext, ConfigurationItem, Error, FromParams, ItemContext, ParamSpec, ParamValues, Permission,
    ReportsOn, ResourceVerdict, Rule, RuleMeta, Severity, Trigger, Verdict,
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
    severity: Severity::High,
    practices: &[4],
    template_mode: "judges `AWS::ApiGateway::Method` and `AWS::ApiGatewayV2::Route` resources, inline OpenAPI bodies, and SAM events with their `Auth`; an API defined in a file on S3 is unknown",
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
    config_rules_core::evaluation::list_names(list, 8)
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

/// The rule as the runner and the CLI build it, its AWS clients from `sdk`.
pub fn rule(sdk: &config_rules_core::SdkConfig) -> impl Rule {
    ApiGwAuthorizationRequired::new(SdkApis::new(sdk))
}

mod sdk;
pub use sdk::*;

#[cfg(test)]
mod tests;
