//! AWS SAM's resources as the CloudFormation resources SAM's transform creates from them, with
//! SAM's documented defaults (AWS SAM specification, "AWS::Serverless::Function",
//! "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "Generated AWS CloudFormation
//! resources"). Only what our rules read is expanded: the function, its implicit role
//! (`<Function>Role`, from `Policies`), its URL (`<Function>Url` and, for `AuthType: NONE`, the
//! public `lambda:InvokeFunctionUrl` permission SAM adds), the implicit REST API
//! (`ServerlessRestApi`, stage `Prod`) and HTTP API (`ServerlessHttpApi`, stage `$default`) of
//! `Api`/`HttpApi` events, and the endpoints with their authorization.

use serde_json::{json, Map, Value as Json};

use super::resolve::{RawResource, Resolver};
use super::yaml::{Node, Value};
use super::Resource;

/// The logical ids SAM gives implicit resources, so `Ref` and `Fn::GetAtt` can reach them
/// before the expansion.
pub fn implicit_ids(raw: &[RawResource]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for r in raw.iter().filter(|r| r.kind == "AWS::Serverless::Function") {
        let props = r.properties.as_ref();
        if props.and_then(|p| p.get("Role")).is_none() {
            out.push((format!("{}Role", r.id), "AWS::IAM::Role"));
        }
        if props.and_then(|p| p.get("FunctionUrlConfig")).is_some() {
            out.push((format!("{}Url", r.id), "AWS::Lambda::Url"));
        }
        let events = props.and_then(|p| p.get("Events"));
        if let Some(Value::Map(events)) = events.map(|e| &e.value) {
            for (_, event) in events {
                let kind = event.get("Type").and_then(Node::as_str);
                let props = event.get("Properties");
                match kind {
                    Some("Api") if props.and_then(|p| p.get("RestApiId")).is_none() => {
                        out.push(("ServerlessRestApi".into(), "AWS::ApiGateway::RestApi"));
                    }
                    Some("HttpApi") if props.and_then(|p| p.get("ApiId")).is_none() => {
                        out.push(("ServerlessHttpApi".into(), "AWS::ApiGatewayV2::Api"));
                    }
                    _ => {}
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// SAM's `Globals` merged into each serverless resource's properties, the way SAM merges them:
/// maps merged key by key, lists concatenated (globals first), plain values overridden by the
/// resource.
pub fn merge_globals(globals: Option<&Node>, raw: &mut [RawResource]) {
    let Some(globals) = globals else { return };
    for r in raw.iter_mut() {
        let section = match r.kind.as_str() {
            "AWS::Serverless::Function" => "Function",
            "AWS::Serverless::Api" => "Api",
            "AWS::Serverless::HttpApi" => "HttpApi",
            _ => continue,
        };
        if let Some(g) = globals.get(section) {
            let line = r.line;
            let own = r.properties.take().unwrap_or(Node::new(line, Value::Map(Vec::new())));
            r.properties = Some(merge(g, own));
        }
    }
}

fn merge(global: &Node, own: Node) -> Node {
    match (&global.value, own.value) {
        (Value::Map(g), Value::Map(mut o)) => {
            let mut out = Vec::new();
            for (k, gv) in g {
                match o.iter().position(|(ok, _)| ok == k) {
                    Some(i) => {
                        let (k, ov) = o.remove(i);
                        out.push((k, merge(gv, ov)));
                    }
                    None => out.push((k.clone(), gv.clone())),
                }
            }
            out.extend(o);
            Node::new(own.line, Value::Map(out))
        }
        (Value::Seq(g), Value::Seq(o)) if global.single_key().is_none() => {
            Node::new(own.line, Value::Seq(g.iter().cloned().chain(o).collect()))
        }
        (_, value) => Node::new(own.line, value),
    }
}

fn obj(v: &Json) -> Map<String, Json> {
    v.as_object().cloned().unwrap_or_default()
}

/// An endpoint of an API, with the authorization SAM gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamEndpoint {
    /// The API's logical id (`ServerlessRestApi`, or the one `RestApiId`/`ApiId` names).
    pub api: String,
    pub method: String,
    pub path: String,
    pub authorizer: Option<String>,
    pub api_key_required: bool,
    pub line: u32,
}

/// Expands the SAM resources among `resources` into CloudFormation resources; the rest pass
/// through. Endpoints declared by functions' events are returned apart (they become methods
/// and routes of their API).
pub fn expand(resources: Vec<Resource>, r: &Resolver) -> (Vec<Resource>, Vec<SamEndpoint>, Vec<SamEndpoint>) {
    let (p, account) = (r.partition.clone(), r.account.clone());
    let mut out = Vec::new();
    let (mut rest, mut http) = (Vec::new(), Vec::new());
    let mut implicit_rest = false;
    let mut implicit_http = false;
    for res in resources {
        match res.kind.as_str() {
            "AWS::Serverless::Function" => {
                let props = obj(&res.props);
                let name = r.physical(&res.id).unwrap_or(&res.id).to_string();
                let mut f = Map::new();
                for key in [
                    "Handler",
                    "Runtime",
                    "Environment",
                    "KmsKeyArn",
                    "Layers",
                    "ReservedConcurrentExecutions",
                    "CodeSigningConfigArn",
                    "Description",
                    "Architectures",
                    "VpcConfig",
                    "EphemeralStorage",
                    "PackageType",
                ] {
                    if let Some(v) = props.get(key) {
                        f.insert(key.into(), v.clone());
                    }
                }
                f.insert("FunctionName".into(), json!(name));
                f.insert("Timeout".into(), props.get("Timeout").cloned().unwrap_or(json!(3)));
                f.insert(
                    "MemorySize".into(),
                    props.get("MemorySize").cloned().unwrap_or(json!(128)),
                );
                if props.contains_key("ImageUri") {
                    f.insert("PackageType".into(), json!("Image"));
                }
                if let Some(mode) = props.get("Tracing") {
                    f.insert("TracingConfig".into(), json!({"Mode": mode}));
                }
                if let Some(dlq) = props.get("DeadLetterQueue").and_then(|d| d.get("TargetArn")) {
                    f.insert("DeadLetterConfig".into(), json!({"TargetArn": dlq}));
                }
                if let Some(config) = props.get("EventInvokeConfig") {
                    out.push(event_invoke_config(&res, r, &name, config));
                }
                // SAM tags every function it creates (and its role) with lambda:createdBy.
                let created_by = json!({"Key": "lambda:createdBy", "Value": "SAM"});
                let mut tags = vec![created_by.clone()];
                if let Some(Json::Object(t)) = props.get("Tags") {
                    tags.extend(t.iter().map(|(k, v)| json!({"Key": k, "Value": v})));
                }
                f.insert("Tags".into(), Json::Array(tags.clone()));
                // The generated role gets the function's tags only with PropagateTags (SAM
                // specification, AWS::Serverless::Function, PropagateTags: default false).
                let propagate = props
                    .get("PropagateTags")
                    .is_some_and(|v| v == &json!(true) || v == &json!("true"));
                let role_tags = if propagate { tags.clone() } else { vec![created_by] };
                let role_id = format!("{}Role", res.id);
                match props.get("Role") {
                    Some(role) => {
                        f.insert("Role".into(), role.clone());
                    }
                    None => {
                        let role_name = r.physical(&role_id).unwrap_or(&role_id).to_string();
                        f.insert("Role".into(), json!(format!("arn:{p}:iam::{account}:role/{role_name}")));
                        out.push(implicit_role(&res, &role_id, &props, &p, role_tags));
                    }
                }
                if let Some(url) = props.get("FunctionUrlConfig") {
                    let auth = url.get("AuthType").cloned().unwrap_or(json!("AWS_IAM"));
                    let mut u = json!({"TargetFunctionArn": name, "AuthType": auth});
                    if let Some(cors) = url.get("Cors") {
                        u["Cors"] = cors.clone();
                    }
                    out.push(derived(&res, &format!("{}Url", res.id), "AWS::Lambda::Url", u));
                    if auth == json!("NONE") {
                        out.push(derived(
                            &res,
                            &format!("{}UrlPublicPermissions", res.id),
                            "AWS::Lambda::Permission",
                            json!({"FunctionName": name, "Action": "lambda:InvokeFunctionUrl", "Principal": "*",
                                   "FunctionUrlAuthType": "NONE"}),
                        ));
                    }
                }
                if let Some(Json::Object(events)) = props.get("Events") {
                    for (event_id, event) in events {
                        let ep = obj(event.get("Properties").unwrap_or(&Json::Null));
                        let text = |k: &str| ep.get(k).and_then(Json::as_str).map(str::to_string);
                        let auth = obj(ep.get("Auth").unwrap_or(&Json::Null));
                        let authorizer = auth.get("Authorizer").and_then(Json::as_str).map(str::to_string);
                        let key_required = auth.get("ApiKeyRequired").and_then(Json::as_bool).unwrap_or(false);
                        let line = res.prop_lines.get("Events").copied().unwrap_or(res.line);
                        match event.get("Type").and_then(Json::as_str) {
                            Some("Api") => {
                                let api = text("RestApiId").unwrap_or_else(|| {
                                    implicit_rest = true;
                                    "ServerlessRestApi".into()
                                });
                                let method = text("Method").unwrap_or_default().to_uppercase();
                                let path = text("Path").unwrap_or_else(|| "/".into());
                                let verb = if method == "ANY" {
                                    "*".to_string()
                                } else {
                                    method.clone()
                                };
                                let source = execute_api(r, &api, &format!("*/{verb}{path}"));
                                rest.push(SamEndpoint {
                                    api,
                                    method,
                                    path,
                                    authorizer,
                                    api_key_required: key_required,
                                    line,
                                });
                                out.push(invoke_permission(&res, event_id, &name, &source));
                            }
                            Some("HttpApi") => {
                                let api = text("ApiId").unwrap_or_else(|| {
                                    implicit_http = true;
                                    "ServerlessHttpApi".into()
                                });
                                let method = text("Method").unwrap_or_else(|| "ANY".into()).to_uppercase();
                                let source = execute_api(r, &api, "*");
                                http.push(SamEndpoint {
                                    api,
                                    method: if text("Path").is_none() { String::new() } else { method },
                                    path: text("Path").unwrap_or_else(|| "$default".into()),
                                    authorizer,
                                    api_key_required: false,
                                    line,
                                });
                                out.push(invoke_permission(&res, event_id, &name, &source));
                            }
                            Some(kind) => {
                                if let Some(principal) = async_event_principal(kind) {
                                    out.push(service_permission(&res, event_id, &name, principal, &r.account));
                                }
                            }
                            None => {}
                        }
                    }
                }
                out.push(Resource {
                    kind: "AWS::Lambda::Function".into(),
                    props: Json::Object(f),
                    ..res
                });
            }
            "AWS::Serverless::Api" => {
                let props = obj(&res.props);
                let mut api = json!({"Name": props.get("Name").cloned().unwrap_or(json!(res.id))});
                if let Some(body) = props.get("DefinitionBody") {
                    api["Body"] = body.clone();
                }
                if let Some(uri) = props.get("DefinitionUri") {
                    api["BodyS3Location"] = uri.clone();
                }
                if let Some(auth) = props.get("Auth") {
                    api["x-sam-auth"] = auth.clone();
                }
                let stage = rest_stage(&props, &res.id);
                out.push(derived(
                    &res,
                    &format!("{}{}Stage", res.id, stage_id(&stage)),
                    "AWS::ApiGateway::Stage",
                    stage,
                ));
                out.push(Resource {
                    kind: "AWS::ApiGateway::RestApi".into(),
                    props: api,
                    ..res
                });
            }
            "AWS::Serverless::HttpApi" => {
                let props = obj(&res.props);
                let mut api =
                    json!({"Name": props.get("Name").cloned().unwrap_or(json!(res.id)), "ProtocolType": "HTTP"});
                if let Some(body) = props.get("DefinitionBody") {
                    api["Body"] = body.clone();
                }
                if let Some(auth) = props.get("Auth") {
                    api["x-sam-auth"] = auth.clone();
                }
                let stage = http_stage(&props, &res.id);
                out.push(derived(
                    &res,
                    &format!("{}ApiGatewayDefaultStage", res.id),
                    "AWS::ApiGatewayV2::Stage",
                    stage,
                ));
                out.push(Resource {
                    kind: "AWS::ApiGatewayV2::Api".into(),
                    props: api,
                    ..res
                });
            }
            "AWS::Serverless::StateMachine" => {
                // SAM's state machine: Logging and Tracing become the state machine's
                // LoggingConfiguration and TracingConfiguration.
                let props = obj(&res.props);
                let name = r.physical(&res.id).unwrap_or(&res.id).to_string();
                let mut m = json!({"StateMachineName": name});
                for (from, to) in [
                    ("Logging", "LoggingConfiguration"),
                    ("Tracing", "TracingConfiguration"),
                    ("Type", "StateMachineType"),
                    ("Role", "RoleArn"),
                ] {
                    if let Some(v) = props.get(from) {
                        m[to] = v.clone();
                    }
                }
                out.push(Resource {
                    kind: "AWS::StepFunctions::StateMachine".into(),
                    props: m,
                    ..res
                });
            }
            "AWS::Serverless::SimpleTable" => {
                // SAM's simple table (SAM specification, AWS::Serverless::SimpleTable; the
                // transform's SamSimpleTable): a DynamoDB table keyed by `PrimaryKey` (default
                // `id`, a string); PointInTimeRecoverySpecification, SSESpecification,
                // TableName, ProvisionedThroughput and Tags pass through, on-demand billing
                // without ProvisionedThroughput. SAM has no property for deletion protection:
                // the table gets DynamoDB's default, off.
                let props = obj(&res.props);
                let key = props.get("PrimaryKey");
                let key_name = key.and_then(|k| k.get("Name")).cloned().unwrap_or(json!("id"));
                let key_type = match key.and_then(|k| k.get("Type")).and_then(Json::as_str) {
                    Some("Number") => "N",
                    Some("Binary") => "B",
                    _ => "S",
                };
                let mut t = Map::new();
                t.insert(
                    "AttributeDefinitions".into(),
                    json!([{"AttributeName": key_name, "AttributeType": key_type}]),
                );
                t.insert(
                    "KeySchema".into(),
                    json!([{"AttributeName": key_name, "KeyType": "HASH"}]),
                );
                for key in [
                    "PointInTimeRecoverySpecification",
                    "SSESpecification",
                    "TableName",
                    "ProvisionedThroughput",
                    "Tags",
                ] {
                    if let Some(v) = props.get(key) {
                        t.insert(key.into(), v.clone());
                    }
                }
                if !t.contains_key("ProvisionedThroughput") {
                    t.insert("BillingMode".into(), json!("PAY_PER_REQUEST"));
                }
                out.push(Resource {
                    kind: "AWS::DynamoDB::Table".into(),
                    props: Json::Object(t),
                    ..res
                });
            }
            _ => out.push(res),
        }
    }
    // The implicit APIs take their settings from Globals (merged into no resource): SAM's
    // defaults otherwise. They are placed on the first function that asked for them.
    let anchor = |apis: &[SamEndpoint], api: &str| apis.iter().find(|e| e.api == api).map(|e| e.line).unwrap_or(1);
    if implicit_rest {
        let line = anchor(&rest, "ServerlessRestApi");
        let settings = r.globals_api.clone().unwrap_or_default();
        let stage = rest_stage(&settings, "ServerlessRestApi");
        out.push(implicit(
            "ServerlessRestApiProdStage",
            "AWS::ApiGateway::Stage",
            stage,
            line,
        ));
        let mut api = json!({"Name": "ServerlessRestApi"});
        if let Some(auth) = settings.get("Auth") {
            api["x-sam-auth"] = auth.clone();
        }
        out.push(implicit("ServerlessRestApi", "AWS::ApiGateway::RestApi", api, line));
    }
    if implicit_http {
        let line = anchor(&http, "ServerlessHttpApi");
        let settings = r.globals_http_api.clone().unwrap_or_default();
        let stage = http_stage(&settings, "ServerlessHttpApi");
        out.push(implicit(
            "ServerlessHttpApiApiGatewayDefaultStage",
            "AWS::ApiGatewayV2::Stage",
            stage,
            line,
        ));
        let mut api = json!({"Name": "ServerlessHttpApi", "ProtocolType": "HTTP"});
        if let Some(auth) = settings.get("Auth") {
            api["x-sam-auth"] = auth.clone();
        }
        out.push(implicit("ServerlessHttpApi", "AWS::ApiGatewayV2::Api", api, line));
    }
    (out, rest, http)
}

fn stage_id(stage: &Json) -> String {
    stage["StageName"]
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The stage SAM creates for a REST API (`StageName`, default `Prod` for the implicit API).
fn rest_stage(props: &Map<String, Json>, api: &str) -> Json {
    let mut s = json!({"RestApiId": api, "StageName": props.get("StageName").cloned().unwrap_or(json!("Prod"))});
    for (from, to) in [
        ("MethodSettings", "MethodSettings"),
        ("CacheClusterEnabled", "CacheClusterEnabled"),
        ("CacheClusterSize", "CacheClusterSize"),
        ("TracingEnabled", "TracingEnabled"),
        ("AccessLogSetting", "AccessLogSetting"),
        ("Variables", "Variables"),
        ("Tags", "Tags"),
    ] {
        if let Some(v) = props.get(from) {
            s[to] = if to == "Tags" { tag_list(v) } else { v.clone() };
        }
    }
    s
}

/// The stage SAM creates for an HTTP API (`StageName`, default `$default`, auto-deployed).
fn http_stage(props: &Map<String, Json>, api: &str) -> Json {
    let mut s = json!({"ApiId": api, "StageName": props.get("StageName").cloned().unwrap_or(json!("$default")), "AutoDeploy": true});
    for key in [
        "DefaultRouteSettings",
        "RouteSettings",
        "AccessLogSettings",
        "StageVariables",
        "Tags",
    ] {
        if let Some(v) = props.get(key) {
            s[key] = v.clone();
        }
    }
    s
}

fn tag_list(v: &Json) -> Json {
    match v {
        Json::Object(m) => m.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect(),
        other => other.clone(),
    }
}

fn implicit(id: &str, kind: &str, props: Json, line: u32) -> Resource {
    Resource {
        id: id.into(),
        kind: kind.into(),
        line,
        props,
        prop_lines: Default::default(),
        sam_source: Some("implicit".into()),
    }
}

fn derived(from: &Resource, id: &str, kind: &str, props: Json) -> Resource {
    Resource {
        id: id.into(),
        kind: kind.into(),
        line: from.line,
        props,
        prop_lines: from.prop_lines.clone(),
        sam_source: Some(from.id.clone()),
    }
}

/// The permission SAM adds for an API event: API Gateway may invoke the function, only from
/// that API (`SourceArn` on its execute-api ARN, as SAM's generated templates show).
fn invoke_permission(from: &Resource, event: &str, function: &str, source_arn: &str) -> Resource {
    derived(
        from,
        &format!("{}{event}Permission", from.id),
        "AWS::Lambda::Permission",
        json!({"FunctionName": function, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
               "SourceArn": source_arn}),
    )
}

/// The service SAM lets invoke the function for an event source that pushes events to it
/// asynchronously (SAM specification, "EventSource" types; Lambda developer guide, invocation
/// modes). Polled sources (SQS, Kinesis, DynamoDB, ...) and synchronous ones need no
/// permission; `ScheduleV2` invokes through a role.
fn async_event_principal(kind: &str) -> Option<&'static str> {
    match kind {
        "S3" => Some("s3.amazonaws.com"),
        "SNS" => Some("sns.amazonaws.com"),
        "Schedule" | "CloudWatchEvent" | "EventBridgeRule" => Some("events.amazonaws.com"),
        "CloudWatchLogs" => Some("logs.amazonaws.com"),
        "IoTRule" => Some("iot.amazonaws.com"),
        _ => None,
    }
}

/// The permission SAM adds for a pushing event source (its source is another resource of the
/// template or outside it: the statement names the service and the account).
fn service_permission(from: &Resource, event: &str, function: &str, principal: &str, account: &str) -> Resource {
    derived(
        from,
        &format!("{}{event}Permission", from.id),
        "AWS::Lambda::Permission",
        json!({"FunctionName": function, "Action": "lambda:InvokeFunction", "Principal": principal,
               "SourceAccount": account}),
    )
}

/// SAM's `EventInvokeConfig` as the `AWS::Lambda::EventInvokeConfig` SAM creates (qualifier
/// `$LATEST`). An `OnFailure` of type SQS or SNS without `Destination` makes SAM create the
/// queue or topic: its stand-in ARN is the destination.
fn event_invoke_config(from: &Resource, r: &Resolver, function: &str, config: &Json) -> Resource {
    let mut props = json!({"FunctionName": function, "Qualifier": "$LATEST"});
    for key in ["MaximumEventAgeInSeconds", "MaximumRetryAttempts"] {
        if let Some(v) = config.get(key) {
            props[key] = v.clone();
        }
    }
    if let Some(on_failure) = config.get("DestinationConfig").and_then(|d| d.get("OnFailure")) {
        let destination = match (
            on_failure.get("Destination"),
            on_failure.get("Type").and_then(Json::as_str),
        ) {
            (Some(d), _) => Some(d.clone()),
            (None, Some("SQS")) => Some(json!(format!(
                "arn:{}:sqs:{}:{}:{}EventInvokeConfigOnFailureQueue",
                r.partition, r.region, r.account, from.id
            ))),
            (None, Some("SNS")) => Some(json!(format!(
                "arn:{}:sns:{}:{}:{}EventInvokeConfigOnFailureTopic",
                r.partition, r.region, r.account, from.id
            ))),
            _ => None,
        };
        if let Some(d) = destination {
            props["DestinationConfig"] = json!({"OnFailure": {"Destination": d}});
        }
    }
    derived(
        from,
        &format!("{}EventInvokeConfig", from.id),
        "AWS::Lambda::EventInvokeConfig",
        props,
    )
}

/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH` of an API of the template.
fn execute_api(r: &Resolver, api: &str, rest: &str) -> String {
    let api = r.physical(api).unwrap_or(api);
    format!(
        "arn:{}:execute-api:{}:{}:{api}/{rest}",
        r.partition, r.region, r.account
    )
}

/// The role SAM creates for a function without `Role`: trusted by Lambda, with
/// `AWSLambdaBasicExecutionRole` and each of `Policies` (a managed policy's name or ARN, an
/// inline policy document, or a SAM policy template, which SAM expands at deploy into
/// statements AWS maintains: recorded as an inline policy named after the template whose
/// content is not judged).
fn implicit_role(from: &Resource, id: &str, props: &Map<String, Json>, partition: &str, tags: Vec<Json>) -> Resource {
    let mut managed = vec![json!(format!(
        "arn:{partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ))];
    let mut inline = Vec::new();
    let policies = match props.get("Policies") {
        Some(Json::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    for (i, policy) in policies.iter().enumerate() {
        match policy {
            Json::String(name) if name.starts_with("arn:") => managed.push(json!(name)),
            Json::String(name) => managed.push(json!(format!("arn:{partition}:iam::aws:policy/{name}"))),
            Json::Object(doc) if doc.contains_key("Statement") => {
                inline.push(json!({"PolicyName": format!("{}RolePolicy{i}", from.id), "PolicyDocument": doc}));
            }
            Json::Object(template) => {
                let name = template.keys().next().cloned().unwrap_or_default();
                managed.push(json!(format!("sam-policy-template:{name}")));
            }
            _ => {}
        }
    }
    let mut role = json!({
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]},
        "ManagedPolicyArns": managed,
        "Policies": inline,
        "Tags": tags,
    });
    for key in ["PermissionsBoundary", "RolePath"] {
        if let Some(v) = props.get(key) {
            role[if key == "RolePath" { "Path" } else { key }] = v.clone();
        }
    }
    derived(from, id, "AWS::IAM::Role", role)
}
