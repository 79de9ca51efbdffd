//! What the rules read through their clients (Lambda, API Gateway, KMS, CloudTrail calls), as
//! the template will make it: the same narrow traits the rules' tests fake, implemented over
//! the template's resources. A fact that depends on an unknown value answers with an error
//! naming the unknown marker, so the verdict that needed it is reported as unknown.

use std::collections::HashMap;

use api_gw_authorization_required::{ApiAuthApi, ApiRef, Endpoint};
use cloudtrail_lambda_data_events_logged::{DataStore, EventDataStoreApi};
use cloudtrail_multi_region_enabled::{BasicSelector, DataResource, FieldSelector, Selectors, TrailApi, TrailInfo};
use config_rules_core::{async_trait, Error};
use dynamodb_table_protected::{KeyManagerApi, TableApi};
use kms_key_rotation_enabled::{KeyApi, KeyInfo, Rotation};
use lambda_facts::{
    CodeSigningApi, EnvironmentApi, EventInvokeConfigApi, FunctionEnvironment, FunctionLister, FunctionSummary,
    FunctionUrlApi, FunctionUrlCorsApi, UrlCors, UrlCorsState,
};
use serde_json::{Map, Value as Json};

use super::resolve::{markers_in, scalar_text};
use super::sam::SamEndpoint;
use super::Resource;

/// A function as `ListFunctions` will list it.
#[derive(Debug, Clone)]
pub struct FunctionFacts {
    pub name: String,
    pub role_arn: String,
    pub runtime: Option<String>,
    pub package_type: String,
    pub code_signing_config: Option<String>,
    pub logical_id: String,
}

/// A KMS key as `DescribeKey` and `GetKeyRotationStatus` will answer.
#[derive(Debug, Clone)]
pub struct KeyFacts {
    pub id: String,
    pub manager: Json,
    pub spec: Json,
    pub state: Json,
    pub origin: Json,
    pub rotation: Json,
    pub period: Json,
}

/// A trail, with its template properties (status and selectors are read from them).
#[derive(Debug, Clone)]
pub struct TrailFacts {
    pub name: String,
    pub arn: String,
    pub props: Json,
    pub logical_id: String,
}

/// An API with its endpoints, or why they cannot be known before deploy.
#[derive(Debug, Clone)]
pub struct ApiFacts {
    pub api: ApiRef,
    pub endpoints: Result<Vec<Endpoint>, String>,
    /// SAM's `Auth` of the API (authorizers and the default one), for the endpoints SAM's
    /// events add.
    pub sam_auth: Json,
}

/// Everything the rules' clients answer from, for one template.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub functions: Vec<FunctionFacts>,
    /// Function name → the properties of its `AWS::Lambda::Url` (`AuthType`, `Cors`).
    pub urls: HashMap<String, Json>,
    /// Function name → the on-failure destination of its `AWS::Lambda::EventInvokeConfig`
    /// (`null` for a configuration without one).
    pub on_failure: HashMap<String, Json>,
    /// Code signing configuration ARN → `UntrustedArtifactOnDeployment`.
    pub signing_policies: HashMap<String, Json>,
    pub apis: Vec<ApiFacts>,
    pub keys: Vec<KeyFacts>,
    pub trails: Vec<TrailFacts>,
    /// CloudTrail Lake event data stores (name, ARN and template properties, as trails).
    pub event_data_stores: Vec<TrailFacts>,
}

/// The error a client answers with when a fact depends on an unknown value: its text carries
/// the marker, which [`super::judge`] turns into an unknown verdict.
fn unknown(operation: &str, value: &str) -> Error {
    let markers: Vec<String> = markers_in(value).into_iter().map(super::resolve::marker).collect();
    let named = if markers.is_empty() {
        EXTERNAL.to_string()
    } else {
        markers.join(" ")
    };
    Error::aws(operation, format!("{named} {value}"))
}

/// The marker of a fact that lives outside the template (an S3 definition, a code signing
/// configuration of another stack).
pub const EXTERNAL: &str = "<unknown:external>";

/// A string fact, or the unknown error.
fn known_text(operation: &str, v: &Json) -> Result<String, Error> {
    let t = scalar_text(v);
    if markers_in(&t).is_empty() {
        Ok(t)
    } else {
        Err(unknown(operation, &t))
    }
}

/// A boolean property (CloudFormation takes `true` and `"true"` alike).
fn boolean(operation: &str, v: &Json, default: bool) -> Result<bool, Error> {
    match v {
        Json::Null => Ok(default),
        Json::Bool(b) => Ok(*b),
        other => {
            let t = known_text(operation, other)?;
            match t.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Error::aws(
                    operation,
                    format!("the template sets {t:?} where a boolean is expected"),
                )),
            }
        }
    }
}

#[async_trait]
impl FunctionLister for World {
    async fn list_functions(&self) -> Result<Vec<FunctionSummary>, Error> {
        self.functions
            .iter()
            .map(|f| {
                Ok(FunctionSummary {
                    name: f.name.clone(),
                    role_arn: known_text("ListFunctions", &Json::String(f.role_arn.clone()))?,
                    runtime: f.runtime.clone(),
                    package_type: f.package_type.clone(),
                })
            })
            .collect()
    }
}

#[async_trait]
impl FunctionUrlApi for World {
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, Error> {
        self.urls
            .get(function_name)
            .map(|url| known_text("GetFunctionUrlConfig", &url["AuthType"]))
            .transpose()
    }
}

#[async_trait]
impl FunctionUrlCorsApi for World {
    async fn url_cors(&self, function_name: &str) -> Result<UrlCorsState, Error> {
        const OP: &str = "GetFunctionUrlConfig";
        let Some(url) = self.urls.get(function_name) else {
            return Ok(UrlCorsState::NoUrl);
        };
        let cors = &url["Cors"];
        if cors.is_null() {
            return Ok(UrlCorsState::NoCors);
        }
        let allow_origins = match &cors["AllowOrigins"] {
            Json::Null => Vec::new(),
            Json::Array(origins) => origins.iter().map(|o| known_text(OP, o)).collect::<Result<_, _>>()?,
            other => vec![known_text(OP, other)?],
        };
        Ok(UrlCorsState::Cors(UrlCors {
            allow_origins,
            allow_credentials: boolean(OP, &cors["AllowCredentials"], false)?,
        }))
    }
}

/// The template states a function's whole environment, and the converter puts it in the item
/// (`configuration.environment`); a function the rule asks about has none.
#[async_trait]
impl EnvironmentApi for World {
    async fn environment(&self, _function_name: &str) -> Result<FunctionEnvironment, Error> {
        Ok(FunctionEnvironment::Variables(Default::default()))
    }
}

/// The converter records both protections in the table's item: the rule never asks.
#[async_trait]
impl TableApi for World {
    async fn deletion_protection(&self, table: &str) -> Result<bool, Error> {
        Err(Error::aws(
            "DescribeTable",
            format!("{EXTERNAL} table {table} is not in the template"),
        ))
    }
    async fn point_in_time_recovery(&self, table: &str) -> Result<bool, Error> {
        Err(Error::aws(
            "DescribeContinuousBackups",
            format!("{EXTERNAL} table {table} is not in the template"),
        ))
    }
}

/// A key of the template is customer managed; `alias/aws/...` is AWS managed; any other key
/// is known only in AWS.
#[async_trait]
impl KeyManagerApi for World {
    async fn key_manager(&self, key: &str) -> Result<String, Error> {
        let key = known_text("DescribeKey", &Json::String(key.to_string()))?;
        if config_rules_core::kms::is_aws_managed_alias(&key) {
            return Ok("AWS".into());
        }
        let id = config_rules_core::kms::key_id(&key);
        match self.keys.iter().find(|k| k.id == id) {
            Some(k) => known_text("DescribeKey", &k.manager),
            None => Err(Error::aws(
                "DescribeKey",
                format!("{EXTERNAL} the key {key} is not in the template; who manages it is known only in AWS"),
            )),
        }
    }
}

#[async_trait]
impl EventInvokeConfigApi for World {
    async fn on_failure_destination(&self, function_name: &str) -> Result<Option<String>, Error> {
        match self.on_failure.get(function_name) {
            None | Some(Json::Null) => Ok(None),
            Some(d) => Ok(Some(known_text("GetFunctionEventInvokeConfig", d)?).filter(|d| !d.is_empty())),
        }
    }
}

#[async_trait]
impl CodeSigningApi for World {
    async fn code_signing_config_arn(&self, function_name: &str) -> Result<Option<String>, Error> {
        let f = self.functions.iter().find(|f| f.name == function_name);
        f.and_then(|f| f.code_signing_config.as_ref())
            .map(|arn| known_text("GetFunctionCodeSigningConfig", &Json::String(arn.clone())))
            .transpose()
    }

    async fn untrusted_artifact_policy(&self, config_arn: &str) -> Result<String, Error> {
        match self.signing_policies.get(config_arn) {
            Some(policy) => known_text("GetCodeSigningConfig", policy),
            // A configuration from outside the template: its policy is known only in AWS.
            None => Err(Error::aws(
                "GetCodeSigningConfig",
                format!("{EXTERNAL} the code signing configuration {config_arn} is not in the template; its policy is known only in AWS"),
            )),
        }
    }
}

#[async_trait]
impl ApiAuthApi for World {
    async fn list_apis(&self) -> Result<Vec<ApiRef>, Error> {
        Ok(self.apis.iter().map(|a| a.api.clone()).collect())
    }

    async fn rest_methods(&self, rest_api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        self.endpoints("GetResources", rest_api_id)
    }

    async fn routes(&self, api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        self.endpoints("GetRoutes", api_id)
    }
}

impl World {
    fn endpoints(&self, operation: &str, id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        match self.apis.iter().find(|a| a.api.id == id) {
            None => Ok(None),
            Some(a) => match &a.endpoints {
                Ok(list) => {
                    for e in list {
                        for t in [&e.method, &e.path, &e.authorization] {
                            known_text(operation, &Json::String(t.clone()))?;
                        }
                    }
                    Ok(Some(list.clone()))
                }
                Err(why) => Err(unknown(operation, why)),
            },
        }
    }

    /// Adds the endpoints SAM's `Api` and `HttpApi` events declare to their APIs, with the
    /// authorization SAM gives them (the event's `Auth.Authorizer`, else the API's
    /// `DefaultAuthorizer`, else none).
    pub fn add_sam_endpoints(&mut self, rest: &[SamEndpoint], http: &[SamEndpoint]) {
        for (list, rest_api) in [(rest, true), (http, false)] {
            for e in list {
                let Some(api) = self.apis.iter_mut().find(|a| a.api.id == e.api) else {
                    continue;
                };
                let auth = &api.sam_auth;
                let name = e
                    .authorizer
                    .clone()
                    .or_else(|| auth.get("DefaultAuthorizer").map(scalar_text));
                let authorization = match name.as_deref() {
                    None | Some("NONE") => "NONE".to_string(),
                    Some("AWS_IAM") => "AWS_IAM".to_string(),
                    Some(n) if !markers_in(n).is_empty() => n.to_string(),
                    Some(n) => {
                        let def = &auth["Authorizers"][n];
                        if def.get("UserPoolArn").is_some() {
                            "COGNITO_USER_POOLS".into()
                        } else if def.get("JwtConfiguration").is_some() {
                            "JWT".into()
                        } else {
                            "CUSTOM".into()
                        }
                    }
                };
                let key_required = e.api_key_required
                    || (rest_api && auth.get("ApiKeyRequired").and_then(Json::as_bool).unwrap_or(false));
                if let Ok(endpoints) = &mut api.endpoints {
                    endpoints.push(Endpoint {
                        method: e.method.clone(),
                        path: e.path.clone(),
                        authorization,
                        api_key_required: key_required,
                    });
                }
            }
        }
    }
}

/// The methods of an OpenAPI definition (`Body`/`DefinitionBody`) with the authorization its
/// `security` requirements and API Gateway's extensions give them.
fn openapi_endpoints(body: &Json) -> Vec<Endpoint> {
    let schemes = body["components"]["securitySchemes"]
        .as_object()
        .or_else(|| body["securityDefinitions"].as_object())
        .cloned()
        .unwrap_or_default();
    let kind_of = |security: &Json| -> Option<String> {
        let first = security
            .as_array()?
            .iter()
            .find_map(|req| req.as_object()?.keys().next().cloned())?;
        let scheme = &schemes.get(&first)?;
        Some(match scheme["x-amazon-apigateway-authtype"].as_str() {
            Some("awsSigv4") => "AWS_IAM".into(),
            Some("cognito_user_pools") => "COGNITO_USER_POOLS".into(),
            _ if scheme["type"] == "oauth2" || scheme["type"] == "openIdConnect" => "JWT".into(),
            _ if scheme["type"] == "apiKey" && scheme.get("x-amazon-apigateway-authorizer").is_none() => {
                "API_KEY".into()
            }
            _ => "CUSTOM".into(),
        })
    };
    let global = kind_of(&body["security"]);
    let mut out = Vec::new();
    for (path, ops) in body["paths"].as_object().into_iter().flatten() {
        for (verb, op) in ops.as_object().into_iter().flatten() {
            let method = match verb.as_str() {
                "x-amazon-apigateway-any-method" => "ANY".to_string(),
                v if ["get", "put", "post", "delete", "options", "head", "patch"].contains(&v) => v.to_uppercase(),
                _ => continue,
            };
            let kind = match op.get("security") {
                Some(s) => kind_of(s),
                None => global.clone(),
            };
            let (authorization, key) = match kind.as_deref() {
                None => ("NONE".to_string(), false),
                Some("API_KEY") => ("NONE".to_string(), true),
                Some(k) => (k.to_string(), false),
            };
            out.push(Endpoint {
                method,
                path: path.clone(),
                authorization,
                api_key_required: key,
            });
        }
    }
    out
}

use super::resolve::optional_text as text;

/// A REST API's methods: its `AWS::ApiGateway::Method` resources (paths from the
/// `AWS::ApiGateway::Resource` chain) and its inline OpenAPI `Body`.
pub fn rest_api_facts(res: &Resource, all: &[Resource], arn: &str, name: &str) -> ApiFacts {
    let api = ApiRef {
        resource_type: api_gw_authorization_required::REST_API,
        id: res.id.clone(),
        resource_id: arn.to_string(),
        name: name.to_string(),
    };
    let sam_auth = res.props.get("x-sam-auth").cloned().unwrap_or(Json::Object(Map::new()));
    if res.props.get("BodyS3Location").is_some() {
        return ApiFacts {
            api,
            endpoints: Err(format!(
                "the methods of {} are defined in a file on S3 (BodyS3Location/DefinitionUri)",
                res.id
            )),
            sam_auth,
        };
    }
    let resources: HashMap<String, (Option<String>, String)> = all
        .iter()
        .filter(|r| r.kind == "AWS::ApiGateway::Resource" && text(&r.props["RestApiId"]).as_deref() == Some(&res.id))
        .map(|r| {
            (
                r.id.clone(),
                (
                    text(&r.props["ParentId"]),
                    text(&r.props["PathPart"]).unwrap_or_default(),
                ),
            )
        })
        .collect();
    let root = format!("{}/", res.id);
    let path_of = |start: &str| -> String {
        let mut parts = Vec::new();
        let mut at = start.to_string();
        for _ in 0..64 {
            if at == root {
                break;
            }
            match resources.get(&at) {
                Some((parent, part)) => {
                    parts.push(part.clone());
                    match parent {
                        Some(p) => at = p.clone(),
                        None => break,
                    }
                }
                None => {
                    parts.push(at.clone());
                    break;
                }
            }
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    };
    let mut endpoints: Vec<Endpoint> = all
        .iter()
        .filter(|r| r.kind == "AWS::ApiGateway::Method" && text(&r.props["RestApiId"]).as_deref() == Some(&res.id))
        .map(|m| Endpoint {
            method: text(&m.props["HttpMethod"]).unwrap_or_default().to_uppercase(),
            path: text(&m.props["ResourceId"])
                .map(|r| path_of(&r))
                .unwrap_or_else(|| "/".into()),
            authorization: text(&m.props["AuthorizationType"]).unwrap_or_else(|| "NONE".into()),
            api_key_required: matches!(&m.props["ApiKeyRequired"], Json::Bool(true))
                || m.props["ApiKeyRequired"].as_str() == Some("true"),
        })
        .collect();
    endpoints.extend(openapi_endpoints(&res.props["Body"]));
    ApiFacts {
        api,
        endpoints: Ok(endpoints),
        sam_auth,
    }
}

/// An HTTP or WebSocket API's routes: its `AWS::ApiGatewayV2::Route` resources, a quick-create
/// `Target`'s `$default` route, and its inline OpenAPI `Body`.
pub fn http_api_facts(res: &Resource, all: &[Resource], arn: &str, name: &str) -> ApiFacts {
    let api = ApiRef {
        resource_type: api_gw_authorization_required::HTTP_API,
        id: res.id.clone(),
        resource_id: arn.to_string(),
        name: name.to_string(),
    };
    let sam_auth = res.props.get("x-sam-auth").cloned().unwrap_or(Json::Object(Map::new()));
    let mut endpoints: Vec<Endpoint> = all
        .iter()
        .filter(|r| r.kind == "AWS::ApiGatewayV2::Route" && text(&r.props["ApiId"]).as_deref() == Some(&res.id))
        .map(|r| {
            let key = text(&r.props["RouteKey"]).unwrap_or_default();
            let (method, path) = match key.split_once(' ') {
                Some((m, p)) => (m.to_string(), p.to_string()),
                None => (String::new(), key),
            };
            Endpoint {
                method,
                path,
                authorization: text(&r.props["AuthorizationType"]).unwrap_or_else(|| "NONE".into()),
                api_key_required: matches!(&r.props["ApiKeyRequired"], Json::Bool(true)),
            }
        })
        .collect();
    if res.props.get("Target").is_some() {
        endpoints.push(Endpoint {
            method: String::new(),
            path: "$default".into(),
            authorization: "NONE".into(),
            api_key_required: false,
        });
    }
    endpoints.extend(openapi_endpoints(&res.props["Body"]));
    ApiFacts {
        api,
        endpoints: Ok(endpoints),
        sam_auth,
    }
}

#[async_trait]
impl KeyApi for World {
    async fn list_keys(&self) -> Result<Vec<String>, Error> {
        Ok(self.keys.iter().map(|k| k.id.clone()).collect())
    }

    async fn describe_key(&self, key_id: &str) -> Result<Option<KeyInfo>, Error> {
        let Some(k) = self.keys.iter().find(|k| k.id == key_id) else {
            return Ok(None);
        };
        let t = |v: &Json| known_text("DescribeKey", v);
        Ok(Some(KeyInfo {
            id: k.id.clone(),
            manager: t(&k.manager)?,
            spec: t(&k.spec)?,
            state: t(&k.state)?,
            origin: t(&k.origin)?,
        }))
    }

    async fn rotation(&self, key_id: &str) -> Result<Rotation, Error> {
        let Some(k) = self.keys.iter().find(|k| k.id == key_id) else {
            return Err(Error::aws(
                "GetKeyRotationStatus",
                format!("no key {key_id} in the template"),
            ));
        };
        let enabled = boolean("GetKeyRotationStatus", &k.rotation, false)?;
        let period_days = match &k.period {
            Json::Null => None,
            v => {
                let t = known_text("GetKeyRotationStatus", v)?;
                Some(t.parse::<i32>().map_err(|_| {
                    Error::aws(
                        "GetKeyRotationStatus",
                        format!("RotationPeriodInDays {t:?} is not a number of days"),
                    )
                })?)
            }
        };
        // KMS's default rotation period is 365 days when rotation is on.
        Ok(Rotation {
            enabled,
            period_days: period_days.or(enabled.then_some(365)),
        })
    }
}

#[async_trait]
impl TrailApi for World {
    async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error> {
        self.trails
            .iter()
            .map(|t| {
                let p = &t.props;
                Ok(TrailInfo {
                    name: t.name.clone(),
                    arn: t.arn.clone(),
                    multi_region: boolean("DescribeTrails", &p["IsMultiRegionTrail"], false)?,
                    log_file_validation: boolean("DescribeTrails", &p["EnableLogFileValidation"], false)?,
                    kms_key_id: text(&p["KMSKeyId"]),
                    cloudwatch_logs_log_group_arn: text(&p["CloudWatchLogsLogGroupArn"]),
                })
            })
            .collect()
    }

    async fn is_logging(&self, trail_arn: &str) -> Result<bool, Error> {
        let t = self.trail(trail_arn)?;
        // IsLogging is required by CloudFormation.
        boolean("GetTrailStatus", &t.props["IsLogging"], false)
    }

    async fn event_selectors(&self, trail_arn: &str) -> Result<Selectors, Error> {
        let p = &self.trail(trail_arn)?.props;
        if let Some(advanced) = p["AdvancedEventSelectors"].as_array() {
            return Ok(Selectors::Advanced(advanced_selectors("GetEventSelectors", advanced)?));
        }
        match p["EventSelectors"].as_array() {
            None => Ok(Selectors::None),
            Some(list) => list
                .iter()
                .map(|s| {
                    Ok(BasicSelector {
                        read_write_type: text(&s["ReadWriteType"]).unwrap_or_else(|| "All".into()),
                        include_management_events: boolean("GetEventSelectors", &s["IncludeManagementEvents"], true)?,
                        exclude_management_event_sources: s["ExcludeManagementEventSources"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(scalar_text)
                            .collect(),
                        data_resources: s["DataResources"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|d| {
                                Ok(DataResource {
                                    resource_type: known_text("GetEventSelectors", &d["Type"])?,
                                    values: texts("GetEventSelectors", &d["Values"])?,
                                })
                            })
                            .collect::<Result<Vec<_>, Error>>()?,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
                .map(Selectors::Basic),
        }
    }
}

/// A list of known texts (a single value reads as a list of one).
fn texts(operation: &str, v: &Json) -> Result<Vec<String>, Error> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::Array(list) => list.iter().map(|x| known_text(operation, x)).collect(),
        other => Ok(vec![known_text(operation, other)?]),
    }
}

/// `AdvancedEventSelectors` of a trail or an event data store, every operator of each field.
fn advanced_selectors(operation: &str, selectors: &[Json]) -> Result<Vec<Vec<FieldSelector>>, Error> {
    let mut out = Vec::new();
    for s in selectors {
        let mut fields = Vec::new();
        for f in s["FieldSelectors"].as_array().into_iter().flatten() {
            fields.push(FieldSelector {
                field: known_text(operation, &f["Field"])?,
                equals: texts(operation, &f["Equals"])?,
                starts_with: texts(operation, &f["StartsWith"])?,
                ends_with: texts(operation, &f["EndsWith"])?,
                not_equals: texts(operation, &f["NotEquals"])?,
                not_starts_with: texts(operation, &f["NotStartsWith"])?,
                not_ends_with: texts(operation, &f["NotEndsWith"])?,
            });
        }
        out.push(fields);
    }
    Ok(out)
}

/// The template's `AWS::CloudTrail::EventDataStore` resources (ingestion on unless
/// `IngestionEnabled` is false; CloudTrail's default selectors, all management events, when
/// none are given).
#[async_trait]
impl EventDataStoreApi for World {
    async fn event_data_stores(&self) -> Result<Vec<DataStore>, Error> {
        self.event_data_stores
            .iter()
            .map(|t| {
                let selectors = match t.props["AdvancedEventSelectors"].as_array() {
                    Some(list) => advanced_selectors("GetEventDataStore", list)?,
                    None => Vec::new(),
                };
                Ok(DataStore {
                    name: t.name.clone(),
                    arn: t.arn.clone(),
                    enabled: boolean("GetEventDataStore", &t.props["IngestionEnabled"], true)?,
                    selectors,
                })
            })
            .collect()
    }
}

impl World {
    /// The world without the keys and trails whose facts hold an unknown value, and those
    /// (resource type, id, the text naming the unknowns): account-level rules judge the known
    /// ones and report the others as unknown, one by one.
    pub fn split_unknown(&self) -> (World, Vec<(String, String, String)>) {
        let mut known = self.clone();
        let mut unknown = Vec::new();
        known.keys.retain(|k| {
            let text = [&k.manager, &k.spec, &k.state, &k.origin, &k.rotation, &k.period]
                .iter()
                .map(|v| v.to_string())
                .collect::<String>();
            let held = !markers_in(&text).is_empty();
            if held {
                unknown.push(("AWS::KMS::Key".to_string(), k.id.clone(), text));
            }
            !held
        });
        known.functions.retain(|f| {
            let held = !markers_in(&f.role_arn).is_empty();
            if held {
                unknown.push(("AWS::Lambda::Function".to_string(), f.name.clone(), f.role_arn.clone()));
            }
            !held
        });
        known.trails.retain(|t| {
            let text = t.props.to_string();
            let held = !markers_in(&text).is_empty();
            if held {
                unknown.push(("AWS::CloudTrail::Trail".to_string(), t.arn.clone(), text));
            }
            !held
        });
        (known, unknown)
    }

    fn trail(&self, arn: &str) -> Result<&TrailFacts, Error> {
        self.trails
            .iter()
            .find(|t| t.arn == arn)
            .ok_or_else(|| Error::aws("GetTrailStatus", format!("no trail {arn} in the template")))
    }
}
