//! Template resources as the configuration items AWS Config will record for them once deployed,
//! one converter per resource type ([`CONVERTERS`]), each producing the shape documented in
//! `../shared/config-facts.md` and the Config resource schema (the same shapes `scan --source
//! api` builds from the service APIs in `crate::scan`), plus the facts the rules read through
//! their clients (function URLs, code signing, API methods and routes, keys, trails: see
//! [`super::world`]). Adding a resource type is one converter and one line in the table.
//!
//! Defaults are the service's documented ones for a property the template leaves out (Lambda:
//! timeout 3 s, 128 MB, `x86_64`, `PassThrough` tracing; S3: SSE-S3 default encryption, which
//! S3 applies to every new bucket since January 2023; KMS: rotation off; CloudTrail:
//! single-region, no log file validation; SQS: SSE-SQS unless a KMS key is given, as SQS applies
//! to every new queue since October 2022; SNS: no encryption; Step Functions: no logging, no
//! tracing; Secrets Manager: no rotation without a rotation schedule).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use config_rules_core::ConfigurationItem;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value as Json};

use super::world::{self, World};
use super::Resource;

/// What every converter needs: the account and region stand-ins, the time, and what earlier
/// converters found (permissions, policies and associations are attached to the resources
/// they name).
pub struct Ctx {
    pub account: String,
    pub region: String,
    pub partition: String,
    pub now: DateTime<Utc>,
}

/// The items of one template and the facts its rules read through their clients, with where
/// each item comes from.
#[derive(Default)]
pub struct Converted {
    pub items: Vec<ConfigurationItem>,
    /// (resource type, Config resource id) → the template resource.
    pub origins: BTreeMap<(String, String), Origin>,
    pub world: World,
}

/// The template resource an item (or a finding) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub logical_id: String,
    pub line: u32,
    /// Property name → line, for pointing at the offending property.
    pub prop_lines: BTreeMap<String, u32>,
    /// The SAM resource this one was generated from, if any.
    pub sam_source: Option<String>,
}

type Converter = fn(&Resource, &[Resource], &Ctx, &mut Converted);

/// Every resource type the template mode turns into an item or a fact, and its converter.
pub const CONVERTERS: &[(&str, Converter)] = &[
    ("AWS::Lambda::Function", lambda_function),
    ("AWS::Lambda::Url", lambda_url),
    ("AWS::Lambda::EventInvokeConfig", event_invoke_config),
    ("AWS::SQS::Queue", sqs_queue),
    ("AWS::SNS::Topic", sns_topic),
    ("AWS::DynamoDB::Table", dynamodb_table),
    ("AWS::CloudTrail::EventDataStore", event_data_store),
    ("AWS::StepFunctions::StateMachine", state_machine),
    ("AWS::SecretsManager::Secret", secret),
    ("AWS::Lambda::CodeSigningConfig", code_signing_config),
    ("AWS::IAM::Role", iam_role),
    ("AWS::IAM::User", iam_user),
    ("AWS::IAM::Group", iam_group),
    ("AWS::IAM::ManagedPolicy", iam_managed_policy),
    ("AWS::ApiGateway::RestApi", rest_api),
    ("AWS::ApiGateway::Stage", rest_stage),
    ("AWS::ApiGateway::Deployment", rest_deployment_stage),
    ("AWS::ApiGatewayV2::Api", http_api),
    ("AWS::ApiGatewayV2::Stage", http_stage),
    ("AWS::S3::Bucket", s3_bucket),
    ("AWS::KMS::Key", kms_key),
    ("AWS::CloudTrail::Trail", cloudtrail_trail),
];

/// The resource types that only contribute to other resources' items: a function's policy, a
/// role's inline policies, a stage's web ACL, an API's methods and routes.
pub const CONTRIBUTORS: &[&str] = &[
    "AWS::Lambda::Permission",
    "AWS::IAM::Policy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGatewayV2::Route",
];

/// Converts every resource.
pub fn convert(resources: &[Resource], ctx: &Ctx) -> Converted {
    let mut out = Converted::default();
    for res in resources {
        if let Some((_, f)) = CONVERTERS.iter().find(|(t, _)| *t == res.kind) {
            f(res, resources, ctx, &mut out);
        }
    }
    out
}

/// What an item is made of, beyond what every item shares.
struct Spec<'a> {
    resource_type: &'a str,
    id: String,
    name: &'a str,
    arn: Option<String>,
    region: &'a str,
    configuration: Json,
    supplementary: Map<String, Json>,
}

fn item(res: &Resource, ctx: &Ctx, out: &mut Converted, spec: Spec<'_>) {
    let Spec {
        resource_type,
        id: resource_id,
        name,
        arn,
        region,
        configuration,
        supplementary,
    } = spec;
    let tags = tags(&res.props["Tags"]);
    out.origins.insert(
        (resource_type.to_string(), resource_id.clone()),
        Origin {
            logical_id: res.id.clone(),
            line: res.line,
            prop_lines: res.prop_lines.clone(),
            sam_source: res.sam_source.clone(),
        },
    );
    out.items.push(ConfigurationItem {
        configuration_item_capture_time: Some(ctx.now),
        configuration_item_status: Some("ResourceDiscovered".into()),
        aws_account_id: Some(ctx.account.clone()),
        resource_type: resource_type.into(),
        resource_id,
        resource_name: Some(name.to_string()),
        arn,
        aws_region: Some(region.to_string()),
        configuration,
        supplementary_configuration: supplementary,
        tags,
    });
}

/// CloudFormation's `Tags` (a list of `Key`/`Value`, or SAM's map) as Config's tag map.
fn tags(v: &Json) -> BTreeMap<String, String> {
    let text = |v: &Json| super::resolve::scalar_text(v);
    match v {
        Json::Array(list) => list
            .iter()
            .filter_map(|t| Some((text(t.get("Key")?), text(t.get("Value")?))))
            .collect(),
        Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        _ => BTreeMap::new(),
    }
}

use super::resolve::optional_text as text;

/// The name in a function reference (a name, an ARN, a partial ARN, with or without a
/// qualifier), as Lambda reads `FunctionName`.
pub fn function_name_of(reference: &str) -> &str {
    let tail = match reference.find("function:") {
        Some(i) => &reference[i + "function:".len()..],
        None => reference,
    };
    tail.split(':').next().unwrap_or(tail)
}

// ---- Lambda -------------------------------------------------------------------------------

fn lambda_function(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["FunctionName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!(
        "arn:{}:lambda:{}:{}:function:{name}",
        ctx.partition, ctx.region, ctx.account
    );
    let package_type = if p["Code"].get("ImageUri").is_some() {
        json!("Image")
    } else {
        p.get("PackageType").cloned().unwrap_or(json!("Zip"))
    };
    let mut configuration = json!({
        "functionName": name,
        "functionArn": arn,
        "role": p["Role"],
        "handler": p["Handler"],
        "timeout": p.get("Timeout").cloned().unwrap_or(json!(3)),
        "memorySize": p.get("MemorySize").cloned().unwrap_or(json!(128)),
        "packageType": package_type,
        "architectures": p.get("Architectures").cloned().unwrap_or(json!(["x86_64"])),
        "tracingConfig": {"mode": p["TracingConfig"].get("Mode").cloned().unwrap_or(json!("PassThrough"))},
        "layers": p["Layers"].as_array().map(|l| l.iter().map(|a| json!({"arn": a})).collect::<Vec<_>>()).unwrap_or_default(),
    });
    for (from, to) in [
        ("Runtime", "runtime"),
        ("KmsKeyArn", "kmskeyArn"),
        ("Description", "description"),
    ] {
        if !p[from].is_null() {
            configuration[to] = p[from].clone();
        }
    }
    if let Some(vars) = p["Environment"].get("Variables") {
        configuration["environment"] = json!({"variables": vars});
    }
    if let Some(target) = p["DeadLetterConfig"].get("TargetArn") {
        configuration["deadLetterConfig"] = json!({"targetArn": target});
    }
    if let Some(vpc) = p.get("VpcConfig") {
        configuration["vpcConfig"] =
            json!({"subnetIds": vpc["SubnetIds"], "securityGroupIds": vpc["SecurityGroupIds"]});
    }
    let mut supplementary = Map::new();
    let statements = permission_statements(&name, &arn, all, ctx);
    if !statements.is_empty() {
        let policy = json!({"Version": "2012-10-17", "Id": "default", "Statement": statements});
        supplementary.insert("Policy".into(), json!(policy.to_string()));
    }
    if let Some(c) = p.get("ReservedConcurrentExecutions") {
        supplementary.insert("Concurrency".into(), json!({"reservedConcurrentExecutions": c}));
    }
    out.world.functions.push(world::FunctionFacts {
        name: name.clone(),
        role_arn: text(&p["Role"]).unwrap_or_default(),
        runtime: text(&p["Runtime"]),
        package_type: text(&package_type).unwrap_or_else(|| "Zip".into()),
        code_signing_config: text(&p["CodeSigningConfigArn"]),
        logical_id: res.id.clone(),
    });
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::Lambda::Function",
            id: name.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary,
        },
    );
}

/// The statements Lambda adds to a function's resource policy for each `AWS::Lambda::Permission`
/// naming it (Lambda API reference, `AddPermission`: a service principal becomes
/// `{"Service": ...}`, an account id `{"AWS": "arn:...:root"}`; `SourceArn`, `SourceAccount`,
/// `PrincipalOrgID` and `FunctionUrlAuthType` become conditions).
fn permission_statements(name: &str, arn: &str, all: &[Resource], ctx: &Ctx) -> Vec<Json> {
    all.iter()
        .filter(|r| r.kind == "AWS::Lambda::Permission")
        .filter(|r| text(&r.props["FunctionName"]).is_some_and(|f| function_name_of(&f) == name))
        .map(|r| {
            let p = &r.props;
            let principal_text = text(&p["Principal"]).unwrap_or_default();
            let principal = if principal_text == "*" {
                json!("*")
            } else if principal_text.ends_with(".amazonaws.com") || principal_text.ends_with(".amazonaws.com.cn") {
                json!({"Service": principal_text})
            } else if principal_text.len() == 12 && principal_text.bytes().all(|b| b.is_ascii_digit()) {
                json!({"AWS": format!("arn:{}:iam::{principal_text}:root", ctx.partition)})
            } else {
                json!({"AWS": principal_text})
            };
            let mut condition = Map::new();
            let mut add = |op: &str, key: &str, v: &Json| {
                if !v.is_null() {
                    let entry = condition.entry(op.to_string()).or_insert_with(|| json!({}));
                    entry[key] = v.clone();
                }
            };
            add("ArnLike", "AWS:SourceArn", &p["SourceArn"]);
            add("StringEquals", "AWS:SourceAccount", &p["SourceAccount"]);
            add("StringEquals", "aws:PrincipalOrgID", &p["PrincipalOrgID"]);
            add("StringEquals", "lambda:FunctionUrlAuthType", &p["FunctionUrlAuthType"]);
            let mut s =
                json!({"Sid": r.id, "Effect": "Allow", "Principal": principal, "Action": p["Action"], "Resource": arn});
            if !condition.is_empty() {
                s["Condition"] = Json::Object(condition);
            }
            s
        })
        .collect()
}

fn lambda_url(res: &Resource, _: &[Resource], _: &Ctx, out: &mut Converted) {
    if let Some(target) = text(&res.props["TargetFunctionArn"]) {
        out.world
            .urls
            .insert(function_name_of(&target).to_string(), res.props.clone());
    }
}

/// An asynchronous invocation configuration: its on-failure destination, for the function
/// (whatever its `Qualifier`: a version's or alias's configuration counts as the function's).
fn event_invoke_config(res: &Resource, _: &[Resource], _: &Ctx, out: &mut Converted) {
    if let Some(function) = text(&res.props["FunctionName"]) {
        let destination = &res.props["DestinationConfig"]["OnFailure"]["Destination"];
        let entry = out
            .world
            .on_failure
            .entry(function_name_of(&function).to_string())
            .or_insert(Json::Null);
        if !destination.is_null() {
            *entry = destination.clone();
        }
    }
}

fn code_signing_config(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let arn = format!(
        "arn:{}:lambda:{}:{}:code-signing-config:{}",
        ctx.partition, ctx.region, ctx.account, res.id
    );
    // Lambda's default for UntrustedArtifactOnDeployment is Warn.
    let policy = res.props["CodeSigningPolicies"]
        .get("UntrustedArtifactOnDeployment")
        .cloned()
        .unwrap_or(json!("Warn"));
    out.world.signing_policies.insert(arn, policy);
}

// ---- IAM ----------------------------------------------------------------------------------

/// Characters Config leaves as they are in URL-encoded policy documents.
const POLICY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A policy document as Config records it: JSON, URL-encoded.
fn encoded(doc: &Json) -> String {
    let text = match doc {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Unknown markers stay readable in the encoded text, so judging can find them.
    let mut out = utf8_percent_encode(&text, POLICY_ENCODE).to_string();
    for i in super::resolve::markers_in(&text) {
        let marker = super::resolve::marker(i);
        let encoded = utf8_percent_encode(&marker, POLICY_ENCODE).to_string();
        out = out.replace(&encoded, &marker);
    }
    out
}

/// Inline policies naming this principal through `AWS::IAM::Policy` (`Roles`/`Users`/`Groups`)
/// or `AWS::IAM::RolePolicy`/`UserPolicy`/`GroupPolicy`, plus its own `Policies`.
fn inline_policies(
    res: &Resource,
    all: &[Resource],
    list_key: &str,
    single: &str,
    name_key: &str,
    name: &str,
) -> Vec<Json> {
    let doc_key = "policyDocument";
    let mut out: Vec<Json> = res.props["Policies"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|p| json!({"policyName": p["PolicyName"], doc_key: encoded(&p["PolicyDocument"])}))
                .collect()
        })
        .unwrap_or_default();
    for r in all {
        let names = |v: &Json| -> bool {
            v.as_array()
                .is_some_and(|l| l.iter().any(|x| text(x).as_deref() == Some(name)))
        };
        let attached = (r.kind == "AWS::IAM::Policy" && names(&r.props[list_key]))
            || (r.kind == single && text(&r.props[name_key]).as_deref() == Some(name));
        if attached {
            out.push(json!({"policyName": r.props["PolicyName"], doc_key: encoded(&r.props["PolicyDocument"])}));
        }
    }
    out
}

/// Managed policies attached to this principal: its `ManagedPolicyArns` and every
/// `AWS::IAM::ManagedPolicy` that lists it.
fn attached_policies(res: &Resource, all: &[Resource], list_key: &str, name: &str, ctx: &Ctx) -> Vec<Json> {
    let mut out: Vec<Json> = res.props["ManagedPolicyArns"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(text)
                .map(|arn| {
                    let policy_name = arn.rsplit(['/', ':']).next().unwrap_or(&arn).to_string();
                    json!({"policyArn": arn, "policyName": policy_name})
                })
                .collect()
        })
        .unwrap_or_default();
    for r in all.iter().filter(|r| r.kind == "AWS::IAM::ManagedPolicy") {
        if r.props[list_key]
            .as_array()
            .is_some_and(|l| l.iter().any(|x| text(x).as_deref() == Some(name)))
        {
            let policy_name = text(&r.props["ManagedPolicyName"]).unwrap_or_else(|| r.id.clone());
            let arn = format!("arn:{}:iam::{}:policy/{policy_name}", ctx.partition, ctx.account);
            out.push(json!({"policyArn": arn, "policyName": policy_name}));
        }
    }
    out
}

/// An IAM principal type: its Config resource type, the template's name property, the ARN's
/// resource kind (`role`, `user`, `group`, which also prefixes Config's keys: `roleName`,
/// `roleId`, `rolePolicyList`), and where other resources attach inline policies to it.
struct Principal {
    resource_type: &'static str,
    name_property: &'static str,
    kind: &'static str,
    /// The list of `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` that names it.
    list_key: &'static str,
    /// The one-principal inline policy resource (`AWS::IAM::RolePolicy`) and its name key.
    single: (&'static str, &'static str),
}

const ROLE: Principal = Principal {
    resource_type: "AWS::IAM::Role",
    name_property: "RoleName",
    kind: "role",
    list_key: "Roles",
    single: ("AWS::IAM::RolePolicy", "RoleName"),
};
const USER: Principal = Principal {
    resource_type: "AWS::IAM::User",
    name_property: "UserName",
    kind: "user",
    list_key: "Users",
    single: ("AWS::IAM::UserPolicy", "UserName"),
};
const GROUP: Principal = Principal {
    resource_type: "AWS::IAM::Group",
    name_property: "GroupName",
    kind: "group",
    list_key: "Groups",
    single: ("AWS::IAM::GroupPolicy", "GroupName"),
};

/// An IAM principal's item: name, id, ARN, path, inline and attached policies, and what only
/// roles (trust policy, permissions boundary) and users (groups) have. Config's resource id for
/// a principal is its unique id (`AROA...`), known only after deploy: its name (the logical id
/// when the template names none) stands in for it, as for customer managed policies.
fn iam_principal(t: &Principal, res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p[t.name_property]).unwrap_or_else(|| res.id.clone());
    let arn = format!("arn:{}:iam::{}:{}/{name}", ctx.partition, ctx.account, t.kind);
    let k = t.kind;
    let mut configuration = json!({
        format!("{k}Name"): name, format!("{k}Id"): res.id, "arn": arn,
        "path": text(&p["Path"]).unwrap_or_else(|| "/".into()),
        format!("{k}PolicyList"): inline_policies(res, all, t.list_key, t.single.0, t.single.1, &name),
        "attachedManagedPolicies": attached_policies(res, all, t.list_key, &name, ctx),
    });
    if t.kind == "role" {
        configuration["assumeRolePolicyDocument"] = json!(encoded(&p["AssumeRolePolicyDocument"]));
        if let Some(boundary) = text(&p["PermissionsBoundary"]) {
            configuration["permissionsBoundary"] =
                json!({"permissionsBoundaryArn": boundary, "permissionsBoundaryType": "Policy"});
        }
    }
    if t.kind == "user" {
        configuration["groupList"] = p.get("Groups").cloned().unwrap_or(json!([]));
    }
    global_item(res, ctx, out, t.resource_type, &name, arn, configuration);
}

/// An item of a global (IAM) resource, known by its name.
fn global_item(
    res: &Resource,
    ctx: &Ctx,
    out: &mut Converted,
    resource_type: &str,
    name: &str,
    arn: String,
    configuration: Json,
) {
    let spec = Spec {
        resource_type,
        id: name.to_string(),
        name,
        arn: Some(arn),
        region: "global",
        configuration,
        supplementary: Map::new(),
    };
    item(res, ctx, out, spec);
}

fn iam_role(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    iam_principal(&ROLE, res, all, ctx, out);
}

fn iam_user(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    iam_principal(&USER, res, all, ctx, out);
}

fn iam_group(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    iam_principal(&GROUP, res, all, ctx, out);
}

fn iam_managed_policy(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["ManagedPolicyName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!("arn:{}:iam::{}:policy/{name}", ctx.partition, ctx.account);
    let attachments = ["Roles", "Users", "Groups"]
        .iter()
        .map(|k| p[*k].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    let configuration = json!({
        "policyName": name, "policyId": res.id, "arn": arn, "path": text(&p["Path"]).unwrap_or_else(|| "/".into()),
        "defaultVersionId": "v1", "attachmentCount": attachments, "isAttachable": true,
        "policyVersionList": [{"document": encoded(&p["PolicyDocument"]), "versionId": "v1", "isDefaultVersion": true}],
    });
    global_item(res, ctx, out, "AWS::IAM::Policy", &name, arn, configuration);
}

// ---- API Gateway --------------------------------------------------------------------------

fn apigw_arn(ctx: &Ctx, path: &str) -> String {
    format!("arn:{}:apigateway:{}::{path}", ctx.partition, ctx.region)
}

fn rest_api(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let id = res.id.clone();
    let name = text(&res.props["Name"]).unwrap_or_else(|| id.clone());
    let arn = apigw_arn(ctx, &format!("/restapis/{id}"));
    let configuration = json!({
        "id": id, "name": name, "description": res.props["Description"],
        "apiKeySource": res.props.get("ApiKeySource").cloned().unwrap_or(json!("HEADER")),
        "endpointConfiguration": {"types": res.props["EndpointConfiguration"].get("Types").cloned().unwrap_or(json!(["EDGE"]))},
    });
    out.world.apis.push(world::rest_api_facts(res, all, &arn, &name));
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::ApiGateway::RestApi",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

fn http_api(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let id = res.id.clone();
    let name = text(&res.props["Name"]).unwrap_or_else(|| id.clone());
    let arn = apigw_arn(ctx, &format!("/apis/{id}"));
    let configuration = json!({"apiId": id, "name": name,
        "protocolType": res.props.get("ProtocolType").cloned().unwrap_or(json!("HTTP"))});
    out.world.apis.push(world::http_api_facts(res, all, &arn, &name));
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::ApiGatewayV2::Api",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
    // Quick create (`Target`) makes a `$default` stage and route without resources of its own.
    if res.props.get("Target").is_some() {
        let stage = Resource {
            props: json!({"ApiId": res.id, "StageName": "$default", "AutoDeploy": true}),
            ..res.clone()
        };
        http_stage(&stage, all, ctx, out);
    }
}

/// CloudFormation's `MethodSettings` list as Config's `methodSettings` map, keyed `*/*` or
/// `~1path/VERB` (CloudFormation's `ResourcePath` is already `/~1path`, `/*` for every path).
fn method_settings(list: &Json) -> Map<String, Json> {
    let mut out = Map::new();
    for s in list.as_array().into_iter().flatten() {
        let path = text(&s["ResourcePath"]).unwrap_or_else(|| "/*".into());
        let path = path
            .strip_prefix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(if path == "/" { "~1" } else { "*" });
        let verb = text(&s["HttpMethod"]).unwrap_or_else(|| "*".into());
        let mut m = Map::new();
        for (from, to) in [
            ("CachingEnabled", "cachingEnabled"),
            ("CacheDataEncrypted", "cacheDataEncrypted"),
            ("CacheTtlInSeconds", "cacheTtlInSeconds"),
            ("LoggingLevel", "loggingLevel"),
            ("DataTraceEnabled", "dataTraceEnabled"),
            ("MetricsEnabled", "metricsEnabled"),
            ("ThrottlingBurstLimit", "throttlingBurstLimit"),
            ("ThrottlingRateLimit", "throttlingRateLimit"),
        ] {
            if !s[from].is_null() {
                m.insert(to.into(), s[from].clone());
            }
        }
        out.insert(format!("{path}/{verb}"), Json::Object(m));
    }
    out
}

/// The web ACL an `AWS::WAFv2::WebACLAssociation` puts on this stage ARN.
fn web_acl(stage_arn: &str, all: &[Resource]) -> Option<Json> {
    all.iter()
        .filter(|r| r.kind == "AWS::WAFv2::WebACLAssociation")
        .find(|r| text(&r.props["ResourceArn"]).as_deref() == Some(stage_arn))
        .map(|r| r.props["WebACLArn"].clone())
}

/// A REST stage's item: `(api, stage)` names it, `p` holds its settings (a stage's properties
/// or a deployment's `StageDescription`), `settings` its method settings.
fn rest_stage_item(
    res: &Resource,
    all: &[Resource],
    ctx: &Ctx,
    out: &mut Converted,
    (api, stage): (&str, &str),
    p: &Json,
    settings: Map<String, Json>,
) {
    let arn = apigw_arn(ctx, &format!("/restapis/{api}/stages/{stage}"));
    let mut configuration = json!({
        "stageName": stage, "restApiId": api, "deploymentId": p["DeploymentId"],
        "cacheClusterEnabled": p.get("CacheClusterEnabled").cloned().unwrap_or(json!(false)),
        "methodSettings": settings,
        "tracingEnabled": p.get("TracingEnabled").cloned().unwrap_or(json!(false)),
    });
    for (from, to) in [
        ("CacheClusterSize", "cacheClusterSize"),
        ("ClientCertificateId", "clientCertificateId"),
        ("Variables", "variables"),
    ] {
        if !p[from].is_null() {
            configuration[to] = p[from].clone();
        }
    }
    if let Some(log) = p.get("AccessLogSetting").filter(|l| !l["DestinationArn"].is_null()) {
        configuration["accessLogSettings"] = json!({"destinationArn": log["DestinationArn"], "format": log["Format"]});
    }
    if let Some(acl) = web_acl(&arn, all) {
        configuration["webAclArn"] = acl;
    }
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::ApiGateway::Stage",
            id: arn.clone(),
            name: stage,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

fn rest_stage(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let (Some(api), Some(stage)) = (text(&p["RestApiId"]), text(&p["StageName"])) else {
        return;
    };
    let settings = method_settings(&p["MethodSettings"]);
    rest_stage_item(res, all, ctx, out, (&api, &stage), p, settings);
}

/// A deployment with `StageName` creates that stage, with `StageDescription`'s settings (its
/// top-level method settings apply to `*/*`).
fn rest_deployment_stage(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let (Some(api), Some(stage)) = (text(&p["RestApiId"]), text(&p["StageName"])) else {
        return;
    };
    let d = p.get("StageDescription").cloned().unwrap_or(json!({}));
    let mut settings = method_settings(&d["MethodSettings"]);
    let mut all_methods = Map::new();
    for (from, to) in [
        ("CachingEnabled", "cachingEnabled"),
        ("CacheDataEncrypted", "cacheDataEncrypted"),
        ("CacheTtlInSeconds", "cacheTtlInSeconds"),
        ("LoggingLevel", "loggingLevel"),
        ("DataTraceEnabled", "dataTraceEnabled"),
        ("MetricsEnabled", "metricsEnabled"),
        ("ThrottlingBurstLimit", "throttlingBurstLimit"),
        ("ThrottlingRateLimit", "throttlingRateLimit"),
    ] {
        if !d[from].is_null() {
            all_methods.insert(to.into(), d[from].clone());
        }
    }
    if !all_methods.is_empty() {
        settings.insert("*/*".into(), Json::Object(all_methods));
    }
    rest_stage_item(res, all, ctx, out, (&api, &stage), &d, settings);
}

fn http_stage(res: &Resource, _all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let (Some(api), Some(stage)) = (text(&p["ApiId"]), text(&p["StageName"])) else {
        return;
    };
    let arn = apigw_arn(ctx, &format!("/apis/{api}/stages/{stage}"));
    let route = |s: &Json| {
        let mut m = Map::new();
        for (from, to) in [
            ("DetailedMetricsEnabled", "detailedMetricsEnabled"),
            ("LoggingLevel", "loggingLevel"),
            ("DataTraceEnabled", "dataTraceEnabled"),
            ("ThrottlingBurstLimit", "throttlingBurstLimit"),
            ("ThrottlingRateLimit", "throttlingRateLimit"),
        ] {
            if !s[from].is_null() {
                m.insert(to.into(), s[from].clone());
            }
        }
        Json::Object(m)
    };
    let mut configuration = json!({
        "stageName": stage, "apiId": api, "autoDeploy": p.get("AutoDeploy").cloned().unwrap_or(json!(false)),
        "defaultRouteSettings": route(&p["DefaultRouteSettings"]),
        "routeSettings": p["RouteSettings"].as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), route(v))).collect::<Map<_, _>>()).unwrap_or_default(),
    });
    if let Some(log) = p.get("AccessLogSettings").filter(|l| !l["DestinationArn"].is_null()) {
        configuration["accessLogSettings"] = json!({"destinationArn": log["DestinationArn"], "format": log["Format"]});
    }
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::ApiGatewayV2::Stage",
            id: arn.clone(),
            name: &stage,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

// ---- SQS, SNS ------------------------------------------------------------------------------

/// A queue as Config records it: resource id its URL, configuration its attributes. SQS
/// encrypts every new queue with SSE-SQS unless a KMS key is given or SSE-SQS is turned off
/// (since October 2022).
fn sqs_queue(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["QueueName"]).unwrap_or_else(|| res.id.clone());
    let url = format!("https://sqs.{}.amazonaws.com/{}/{name}", ctx.region, ctx.account);
    let arn = format!("arn:{}:sqs:{}:{}:{name}", ctx.partition, ctx.region, ctx.account);
    let mut configuration = json!({"QueueName": name, "QueueUrl": url, "QueueArn": arn});
    for key in ["KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "FifoQueue"] {
        if !p[key].is_null() {
            configuration[key] = p[key].clone();
        }
    }
    configuration["SqsManagedSseEnabled"] = match (&p["SqsManagedSseEnabled"], p["KmsMasterKeyId"].is_null()) {
        (Json::Null, no_key) => json!(if no_key { "true" } else { "false" }),
        (v, _) => v.clone(),
    };
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::SQS::Queue",
            id: url,
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

/// A topic as Config records it: resource id its ARN, configuration its attributes. SNS
/// encrypts nothing unless `KmsMasterKeyId` is given.
fn sns_topic(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["TopicName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!("arn:{}:sns:{}:{}:{name}", ctx.partition, ctx.region, ctx.account);
    let mut configuration = json!({"TopicArn": arn, "Owner": ctx.account});
    for key in ["KmsMasterKeyId", "DisplayName", "FifoTopic"] {
        if !p[key].is_null() {
            configuration[key] = p[key].clone();
        }
    }
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::SNS::Topic",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

// ---- DynamoDB ------------------------------------------------------------------------------

/// A table as Config records it (`ssedescription` in Config's spelling, point-in-time recovery
/// in `ContinuousBackupsDescription`), with DynamoDB's defaults: both protections off and the
/// AWS owned key. `SSEEnabled` without a key is the AWS managed key `aws/dynamodb`, named here
/// by its alias (AWS records its key ARN).
fn dynamodb_table(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["TableName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!(
        "arn:{}:dynamodb:{}:{}:table/{name}",
        ctx.partition, ctx.region, ctx.account
    );
    let flag = |v: &Json| match v {
        Json::Null => json!(false),
        Json::String(t) if t.eq_ignore_ascii_case("true") => json!(true),
        Json::String(t) if t.eq_ignore_ascii_case("false") => json!(false),
        other => other.clone(),
    };
    let pitr = match flag(&p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]) {
        Json::Bool(true) => json!("ENABLED"),
        Json::Bool(false) => json!("DISABLED"),
        unknown => unknown,
    };
    let mut configuration = json!({"tableName": name, "tableArn": arn, "tableStatus": "ACTIVE",
                                   "deletionProtectionEnabled": flag(&p["DeletionProtectionEnabled"])});
    let sse = &p["SSESpecification"];
    match flag(&sse["SSEEnabled"]) {
        Json::Bool(false) => {}
        Json::Bool(true) => {
            let key = if sse["KMSMasterKeyId"].is_null() {
                json!(format!(
                    "arn:{}:kms:{}:{}:alias/aws/dynamodb",
                    ctx.partition, ctx.region, ctx.account
                ))
            } else {
                sse["KMSMasterKeyId"].clone()
            };
            configuration["ssedescription"] = json!({"ssetype": "KMS", "status": "ENABLED", "kmsmasterKeyArn": key});
        }
        unknown => configuration["ssedescription"] = json!({"status": unknown}),
    }
    let mut supplementary = Map::new();
    supplementary.insert(
        "ContinuousBackupsDescription".into(),
        json!({"continuousBackupsStatus": "ENABLED", "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": pitr}}),
    );
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::DynamoDB::Table",
            id: name.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary,
        },
    );
}

/// A CloudTrail Lake event data store: no configuration item (Config does not record the
/// type), a fact for the account-level rules.
fn event_data_store(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let name = text(&res.props["Name"]).unwrap_or_else(|| res.id.clone());
    out.world.event_data_stores.push(world::TrailFacts {
        arn: format!(
            "arn:{}:cloudtrail:{}:{}:eventdatastore/{name}",
            ctx.partition, ctx.region, ctx.account
        ),
        name,
        props: res.props.clone(),
        logical_id: res.id.clone(),
    });
}

// ---- Step Functions, Secrets Manager -------------------------------------------------------

/// A state machine as Config records it (the CloudFormation properties it judges, under their
/// names): Step Functions' default is no logging and no tracing.
fn state_machine(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["StateMachineName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!(
        "arn:{}:states:{}:{}:stateMachine:{name}",
        ctx.partition, ctx.region, ctx.account
    );
    let mut configuration = json!({"Arn": arn, "StateMachineName": name,
                                   "StateMachineType": p.get("StateMachineType").cloned().unwrap_or(json!("STANDARD"))});
    for key in ["LoggingConfiguration", "TracingConfiguration", "RoleArn"] {
        if !p[key].is_null() {
            configuration[key] = p[key].clone();
        }
    }
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::StepFunctions::StateMachine",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

/// A secret as Config records it, its rotation from the template's
/// `AWS::SecretsManager::RotationSchedule` naming it (by `Ref`, ARN or name); none: rotation off.
fn secret(res: &Resource, all: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["Name"]).unwrap_or_else(|| res.id.clone());
    let arn = format!(
        "arn:{}:secretsmanager:{}:{}:secret:{name}",
        ctx.partition, ctx.region, ctx.account
    );
    let schedule = all.iter().find(|r| {
        r.kind == "AWS::SecretsManager::RotationSchedule"
            && text(&r.props["SecretId"]).is_some_and(|id| id == arn || id == name)
    });
    let mut configuration = json!({"ARN": arn, "Name": name, "RotationEnabled": schedule.is_some()});
    if !p["KmsKeyId"].is_null() {
        configuration["KMSKeyId"] = p["KmsKeyId"].clone();
    }
    if let Some(rules) = schedule.map(|s| &s.props["RotationRules"]).filter(|r| !r.is_null()) {
        configuration["RotationRules"] = rules.clone();
    }
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::SecretsManager::Secret",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

// ---- S3, KMS, CloudTrail ------------------------------------------------------------------

fn s3_bucket(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["BucketName"]).unwrap_or_else(|| res.id.to_lowercase());
    let rules: Vec<Json> = match p["BucketEncryption"]["ServerSideEncryptionConfiguration"].as_array() {
        Some(list) => list
            .iter()
            .map(|r| {
                let d = &r["ServerSideEncryptionByDefault"];
                let mut by_default = json!({"sseAlgorithm": d["SSEAlgorithm"]});
                if !d["KMSMasterKeyID"].is_null() {
                    by_default["kmsMasterKeyID"] = d["KMSMasterKeyID"].clone();
                }
                json!({"applyServerSideEncryptionByDefault": by_default,
                       "bucketKeyEnabled": r.get("BucketKeyEnabled").cloned().unwrap_or(json!(false))})
            })
            .collect(),
        // S3 encrypts every new bucket with SSE-S3 unless told otherwise (since January 2023).
        None => {
            vec![json!({"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": false})]
        }
    };
    let mut supplementary = Map::new();
    supplementary.insert("ServerSideEncryptionConfiguration".into(), json!({"rules": rules}));
    let arn = format!("arn:{}:s3:::{name}", ctx.partition);
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::S3::Bucket",
            id: name.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration: json!({"name": name}),
            supplementary,
        },
    );
}

fn kms_key(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let arn = format!(
        "arn:{}:kms:{}:{}:key/{}",
        ctx.partition, ctx.region, ctx.account, res.id
    );
    let spec = p.get("KeySpec").cloned().unwrap_or(json!("SYMMETRIC_DEFAULT"));
    let state = match p.get("Enabled") {
        Some(Json::Bool(false)) => json!("Disabled"),
        Some(Json::String(s)) if s == "false" => json!("Disabled"),
        Some(v @ Json::String(s)) if !super::resolve::markers_in(s).is_empty() => v.clone(),
        _ => json!("Enabled"),
    };
    let origin = p.get("Origin").cloned().unwrap_or(json!("AWS_KMS"));
    let configuration = json!({
        "keyId": res.id, "arn": arn, "keyManager": "CUSTOMER", "keySpec": spec, "keyState": state,
        "keyUsage": p.get("KeyUsage").cloned().unwrap_or(json!("ENCRYPT_DECRYPT")), "origin": origin,
        "multiRegion": p.get("MultiRegion").cloned().unwrap_or(json!(false)),
    });
    out.world.keys.push(world::KeyFacts {
        id: res.id.clone(),
        manager: json!("CUSTOMER"),
        spec,
        state,
        origin,
        rotation: p.get("EnableKeyRotation").cloned().unwrap_or(json!(false)),
        period: p.get("RotationPeriodInDays").cloned().unwrap_or(Json::Null),
    });
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::KMS::Key",
            id: res.id.clone(),
            name: &res.id,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

fn cloudtrail_trail(res: &Resource, _: &[Resource], ctx: &Ctx, out: &mut Converted) {
    let p = &res.props;
    let name = text(&p["TrailName"]).unwrap_or_else(|| res.id.clone());
    let arn = format!(
        "arn:{}:cloudtrail:{}:{}:trail/{name}",
        ctx.partition, ctx.region, ctx.account
    );
    let configuration = json!({
        "name": name, "trailARN": arn,
        "isMultiRegionTrail": p.get("IsMultiRegionTrail").cloned().unwrap_or(json!(false)),
        "includeGlobalServiceEvents": p.get("IncludeGlobalServiceEvents").cloned().unwrap_or(json!(true)),
        "logFileValidationEnabled": p.get("EnableLogFileValidation").cloned().unwrap_or(json!(false)),
        "kmsKeyId": p["KMSKeyId"], "s3BucketName": p["S3BucketName"],
        "cloudWatchLogsLogGroupArn": p["CloudWatchLogsLogGroupArn"],
        "hasCustomEventSelectors": p.get("EventSelectors").is_some() || p.get("AdvancedEventSelectors").is_some(),
    });
    out.world.trails.push(world::TrailFacts {
        name: name.clone(),
        arn: arn.clone(),
        props: p.clone(),
        logical_id: res.id.clone(),
    });
    item(
        res,
        ctx,
        out,
        Spec {
            resource_type: "AWS::CloudTrail::Trail",
            id: arn.clone(),
            name: &name,
            arn: Some(arn),
            region: &ctx.region.clone(),
            configuration,
            supplementary: Map::new(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_references_name_the_function() {
        for (reference, name) in [
            ("orders", "orders"),
            ("arn:aws:lambda:us-east-1:123456789012:function:orders", "orders"),
            ("arn:aws:lambda:us-east-1:123456789012:function:orders:live", "orders"),
            ("123456789012:function:orders", "orders"),
        ] {
            assert_eq!(function_name_of(reference), name, "{reference}");
        }
    }

    #[test]
    fn method_settings_keys_follow_config() {
        let list = json!([
            {"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": true},
            {"ResourcePath": "/~1pets~1{id}", "HttpMethod": "GET", "CacheDataEncrypted": false},
        ]);
        let m = method_settings(&list);
        assert_eq!(m["*/*"], json!({"cachingEnabled": true}));
        assert_eq!(m["~1pets~1{id}/GET"], json!({"cacheDataEncrypted": false}));
    }

    #[test]
    fn policy_documents_are_url_encoded_as_config_records_them() {
        assert_eq!(
            encoded(&json!({"Action": "s3:*"})),
            "%7B%22Action%22%3A%22s3%3A%2A%22%7D"
        );
    }
}
