//! Collecting configuration items from a live account.
//!
//! `--source config` reads AWS Config's inventory (`ListDiscoveredResources` and
//! `BatchGetResourceConfig`; note that `BatchGetResourceConfig` returns no tags, so exemption
//! tags are not seen). `--source api` builds the items from the service APIs, for accounts
//! without Config recording, in the same shape Config records them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use indicatif::ProgressBar;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use crate::report::NotEvaluated;
use crate::CliError;

/// How many per-resource calls run at once.
pub const CONCURRENCY: usize = 8;

/// Where items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// AWS Config's recorded inventory.
    Config,
    /// The service APIs (Lambda, IAM, API Gateway), for accounts without Config recording.
    Api,
}

/// The account id of the caller (STS `GetCallerIdentity`).
pub async fn account_id(sdk: &SdkConfig) -> Result<String, CliError> {
    let out = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CliError::Aws(sdk_error("GetCallerIdentity", e)))?;
    out.account().map(str::to_string).ok_or_else(|| {
        CliError::Aws(config_rules_core::Error::aws(
            "GetCallerIdentity",
            "no account in the answer",
        ))
    })
}

/// What a scan collected: the items, and what it found but could not read.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<ConfigurationItem>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub warnings: Vec<String>,
}

/// Items of the given resource types.
pub async fn collect(
    sdk: &SdkConfig,
    source: Source,
    types: &BTreeSet<&str>,
    account: &str,
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Collected, CliError> {
    let mut collected = Collected::default();
    let mut items = match source {
        Source::Config => {
            progress.set_message("Config recorders");
            collected.warnings = recording_gaps(sdk, types).await;
            from_config(sdk, types, progress).await?
        }
        Source::Api => {
            let region = sdk
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".to_string());
            let mut items = Vec::new();
            if types.contains("AWS::Lambda::Function") {
                progress.set_message("Lambda functions");
                items.extend(lambda_functions(sdk, account, &region, progress).await?);
            }
            if types.iter().any(|t| t.starts_with("AWS::IAM::")) {
                progress.set_message("IAM authorization details");
                items.extend(iam_items(sdk, account, types).await?);
            }
            if types.contains("AWS::ApiGateway::Stage") || types.contains("AWS::ApiGateway::RestApi") {
                progress.set_message("API Gateway REST APIs and stages");
                items.extend(api_stages(sdk, account, &region, types).await?);
            }
            if types.contains("AWS::ApiGatewayV2::Api") || types.contains("AWS::ApiGatewayV2::Stage") {
                progress.set_message("API Gateway HTTP and WebSocket APIs");
                items.extend(v2_apis(sdk, account, &region, types).await?);
            }
            if types.contains("AWS::S3::Bucket") {
                progress.set_message("S3 buckets");
                items.extend(s3_buckets(sdk, account, &region, &mut collected.not_evaluated).await?);
            }
            items
        }
    };
    for item in &mut items {
        item.configuration_item_capture_time.get_or_insert(now);
    }
    items.sort_by(|a, b| (&a.resource_type, &a.resource_id).cmp(&(&b.resource_type, &b.resource_id)));
    collected.items = items;
    Ok(collected)
}

/// Why the results of `--source config` would be incomplete: no configuration recorder in the
/// region, or a recording group that leaves out resource types the selected rules judge
/// (`DescribeConfigurationRecorders`). Empty when Config records everything needed.
pub async fn recording_gaps(sdk: &SdkConfig, types: &BTreeSet<&str>) -> Vec<String> {
    let client = aws_sdk_config::Client::new(sdk);
    let recorders = match client.describe_configuration_recorders().send().await {
        Ok(out) => out.configuration_recorders().to_vec(),
        Err(e) => {
            return vec![format!(
                "could not check what AWS Config records ({}); results cover only what it recorded",
                sdk_error("DescribeConfigurationRecorders", e)
            )]
        }
    };
    if recorders.is_empty() {
        return vec![
            "AWS Config has no configuration recorder in this region: it records nothing, so no resource can be evaluated from its inventory (use --source api)".to_string(),
        ];
    }
    let recorded = |t: &str| {
        recorders.iter().any(|r| match r.recording_group() {
            None => true,
            Some(g) => {
                let listed = g.resource_types().iter().any(|x| x.as_str() == t);
                let excluded = g
                    .exclusion_by_resource_types()
                    .is_some_and(|e| e.resource_types().iter().any(|x| x.as_str() == t));
                (g.all_supported() && !excluded) || listed
            }
        })
    };
    let missing: Vec<&str> = types.iter().copied().filter(|t| !recorded(t)).collect();
    if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "AWS Config does not record {} in this region: rules on them have nothing to evaluate from its inventory (use --source api, or add them to the recording group)",
            missing.join(", ")
        )]
    }
}

fn api_item(v: Value, what: &str) -> Result<ConfigurationItem, CliError> {
    ConfigurationItem::from_api_json(&v, what).map_err(CliError::Rule)
}

async fn from_config(
    sdk: &SdkConfig,
    types: &BTreeSet<&str>,
    progress: &ProgressBar,
) -> Result<Vec<ConfigurationItem>, CliError> {
    use aws_sdk_config::types::{ResourceKey, ResourceType};
    let client = aws_sdk_config::Client::new(sdk);
    let mut keys = Vec::new();
    for t in types {
        progress.set_message(format!("Config inventory: {t}"));
        let mut pages = client
            .list_discovered_resources()
            .resource_type(ResourceType::from(*t))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| CliError::Aws(sdk_error("ListDiscoveredResources", e)))?;
            for r in page.resource_identifiers() {
                if let (Some(rt), Some(id)) = (r.resource_type(), r.resource_id()) {
                    keys.push((rt.clone(), id.to_string()));
                }
            }
        }
    }
    let mut items = Vec::new();
    for chunk in keys.chunks(100) {
        let mut pending: Vec<ResourceKey> = chunk
            .iter()
            .filter_map(|(t, id)| {
                ResourceKey::builder()
                    .resource_type(t.clone())
                    .resource_id(id)
                    .build()
                    .ok()
            })
            .collect();
        for _round in 0..4 {
            if pending.is_empty() {
                break;
            }
            let out = client
                .batch_get_resource_config()
                .set_resource_keys(Some(pending.clone()))
                .send()
                .await
                .map_err(|e| CliError::Aws(sdk_error("BatchGetResourceConfig", e)))?;
            for base in out.base_configuration_items() {
                let mut v = json!({
                    "accountId": base.account_id(),
                    "configurationItemCaptureTime": base.configuration_item_capture_time().map(|t| t.secs()),
                    "configurationItemStatus": base.configuration_item_status().map(|s| s.as_str()),
                    "arn": base.arn(),
                    "resourceType": base.resource_type().map(|t| t.as_str()),
                    "resourceId": base.resource_id(),
                    "resourceName": base.resource_name(),
                    "awsRegion": base.aws_region(),
                    "configuration": base.configuration(),
                    "supplementaryConfiguration": base.supplementary_configuration(),
                });
                strip_nulls(&mut v);
                items.push(api_item(v, "BatchGetResourceConfig.baseConfigurationItems")?);
            }
            pending = out.unprocessed_resource_keys().to_vec();
            progress.inc(chunk.len() as u64);
        }
        if !pending.is_empty() {
            return Err(CliError::Aws(config_rules_core::Error::aws(
                "BatchGetResourceConfig",
                format!("{} resource keys stayed unprocessed", pending.len()),
            )));
        }
    }
    Ok(items)
}

fn strip_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null());
    }
}

fn time(t: Option<&aws_sdk_config::primitives::DateTime>) -> Value {
    t.map(config_rules_core::config_api::smithy_time_json)
        .unwrap_or(Value::Null)
}

async fn lambda_functions(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    progress: &ProgressBar,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_lambda::Client::new(sdk);
    let mut functions = Vec::new();
    let mut pages = client.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListFunctions", e)))?;
        functions.extend(page.functions().iter().cloned());
    }
    progress.set_length(functions.len() as u64);
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, f) in functions.into_iter().enumerate() {
        let (client, limit) = (client.clone(), limit.clone());
        let (account, region) = (account.to_string(), region.to_string());
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            lambda_item(&client, f, &account, &region)
                .await
                .map(|item| (index, item))
        });
    }
    let mut items = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (index, item) = joined.map_err(|e| CliError::Input(format!("a Lambda task failed: {e}")))??;
        items.push((index, item));
        progress.inc(1);
    }
    items.sort_by_key(|(i, _)| *i);
    items.into_iter().map(|(_, v)| api_item(v, "Lambda function")).collect()
}

async fn lambda_item(
    client: &aws_sdk_lambda::Client,
    f: aws_sdk_lambda::types::FunctionConfiguration,
    account: &str,
    region: &str,
) -> Result<Value, CliError> {
    let name = f.function_name().unwrap_or_default().to_string();
    let arn = f.function_arn().unwrap_or_default().to_string();
    let policy = match client.get_policy().function_name(&name).send().await {
        Ok(out) => out.policy().map(str::to_string),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            None
        }
        Err(e) => return Err(CliError::Aws(sdk_error("GetPolicy", e))),
    };
    let concurrency = client
        .get_function_concurrency()
        .function_name(&name)
        .send()
        .await
        .map_err(|e| CliError::Aws(sdk_error("GetFunctionConcurrency", e)))?
        .reserved_concurrent_executions();
    let tags: HashMap<String, String> = match client.list_tags().resource(&arn).send().await {
        Ok(out) => out.tags().cloned().unwrap_or_default(),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            HashMap::new()
        }
        Err(e) => return Err(CliError::Aws(sdk_error("ListTags", e))),
    };
    let configuration = json!({
        "functionName": name,
        "functionArn": arn,
        "runtime": f.runtime().map(|r| r.as_str()),
        "role": f.role(),
        "handler": f.handler(),
        "codeSize": f.code_size(),
        "description": f.description(),
        "timeout": f.timeout(),
        "memorySize": f.memory_size(),
        "lastModified": f.last_modified(),
        "codeSha256": f.code_sha256(),
        "version": f.version(),
        "vpcConfig": f.vpc_config().map(|v| json!({"subnetIds": v.subnet_ids(), "securityGroupIds": v.security_group_ids()})),
        "deadLetterConfig": f.dead_letter_config().map(|d| json!({"targetArn": d.target_arn()})),
        "environment": f.environment().map(|e| json!({"variables": e.variables()})),
        "kmskeyArn": f.kms_key_arn(),
        "tracingConfig": f.tracing_config().map(|t| json!({"mode": t.mode().map(|m| m.as_str())})),
        "layers": f.layers().iter().map(|l| json!({"arn": l.arn(), "codeSize": l.code_size()})).collect::<Vec<_>>(),
        "packageType": f.package_type().map(|p| p.as_str()),
        "architectures": f.architectures().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "ephemeralStorage": f.ephemeral_storage().map(|e| json!({"size": e.size()})),
    });
    let mut supplementary = Map::new();
    if let Some(p) = policy {
        supplementary.insert("Policy".to_string(), json!(p));
    }
    supplementary.insert(
        "Concurrency".to_string(),
        json!({"reservedConcurrentExecutions": concurrency}),
    );
    Ok(json!({
        "accountId": account,
        "configurationItemStatus": "OK",
        "resourceType": "AWS::Lambda::Function",
        "resourceId": name,
        "resourceName": name,
        "arn": arn,
        "awsRegion": region,
        "configuration": configuration,
        "supplementaryConfiguration": supplementary,
        "tags": tags,
    }))
}

async fn v2_apis(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    types: &BTreeSet<&str>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_apigatewayv2::Client::new(sdk);
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_apis()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| CliError::Aws(sdk_error("GetApis", e)))?;
        for a in page.items() {
            let Some(id) = a.api_id() else { continue };
            if types.contains("AWS::ApiGatewayV2::Api") {
                // Config's resource id of an API is its ARN (see config_rules_core::apigw).
                let arn = config_rules_core::apigw::http_api_arn(region, id);
                items.push(api_item(
                    json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGatewayV2::Api",
                           "resourceId": arn, "resourceName": a.name(), "arn": arn, "awsRegion": region,
                           "configuration": {"apiId": id, "name": a.name(), "protocolType": a.protocol_type().map(|p| p.as_str()),
                                             "apiEndpoint": a.api_endpoint()},
                           "tags": a.tags()}),
                    "API Gateway HTTP API",
                )?);
            }
            if types.contains("AWS::ApiGatewayV2::Stage") {
                let stages = client
                    .get_stages()
                    .api_id(id)
                    .send()
                    .await
                    .map_err(|e| CliError::Aws(sdk_error("GetStages", e)))?;
                for st in stages.items() {
                    let name = st.stage_name().unwrap_or_default();
                    let arn = format!("arn:aws:apigateway:{region}::/apis/{id}/stages/{name}");
                    let access = st
                        .access_log_settings()
                        .map(|a| json!({"destinationArn": a.destination_arn(), "format": a.format()}));
                    items.push(api_item(
                        json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGatewayV2::Stage",
                               "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                               "configuration": {"stageName": name, "apiId": id, "autoDeploy": st.auto_deploy(),
                                                 "accessLogSettings": access},
                               "tags": st.tags()}),
                        "API Gateway HTTP API stage",
                    )?);
                }
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

/// The S3 buckets. A bucket whose encryption or tags cannot be read (AccessDenied, say) is
/// listed in `not_evaluated` with the reason and left out, never judged as unencrypted or
/// untagged; only S3's own "not configured" answers mean "none".
async fn s3_buckets(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_s3::Client::new(sdk);
    let out = client
        .list_buckets()
        .send()
        .await
        .map_err(|e| CliError::Aws(sdk_error("ListBuckets", e)))?;
    let mut items = Vec::new();
    for b in out.buckets() {
        let Some(name) = b.name() else { continue };
        let encryption = match client.get_bucket_encryption().bucket(name).send().await {
            Ok(enc) => enc.server_side_encryption_configuration().map(|c| {
                json!({"rules": c.rules().iter().map(|r| json!({
                    "applyServerSideEncryptionByDefault": r.apply_server_side_encryption_by_default().map(|d| json!({
                        "sseAlgorithm": d.sse_algorithm().as_str(), "kmsMasterKeyID": d.kms_master_key_id()})),
                    "bucketKeyEnabled": r.bucket_key_enabled()})).collect::<Vec<_>>()})
            }),
            Err(e) if service_code(&e) == Some("ServerSideEncryptionConfigurationNotFoundError") => None,
            Err(e) if e.as_service_error().is_some() => {
                not_evaluated.push(unreadable_bucket(name, sdk_error("GetBucketEncryption", e)));
                continue;
            }
            Err(e) => return Err(CliError::Aws(sdk_error("GetBucketEncryption", e))),
        };
        let tags: BTreeMap<String, String> = match client.get_bucket_tagging().bucket(name).send().await {
            Ok(t) => t
                .tag_set()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
            Err(e) if service_code(&e) == Some("NoSuchTagSet") => BTreeMap::new(),
            Err(e) if e.as_service_error().is_some() => {
                not_evaluated.push(unreadable_bucket(name, sdk_error("GetBucketTagging", e)));
                continue;
            }
            Err(e) => return Err(CliError::Aws(sdk_error("GetBucketTagging", e))),
        };
        let mut supplementary = Map::new();
        if let Some(enc) = encryption {
            supplementary.insert("ServerSideEncryptionConfiguration".to_string(), enc);
        }
        items.push(api_item(
            json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
                   "resourceId": name, "resourceName": name, "arn": format!("arn:aws:s3:::{name}"), "awsRegion": region,
                   "configuration": {"name": name, "creationDate": time(b.creation_date())},
                   "supplementaryConfiguration": supplementary, "tags": tags}),
            "S3 bucket",
        )?);
    }
    Ok(items)
}

fn service_code<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(e: &aws_sdk_s3::error::SdkError<E, R>) -> Option<&str> {
    e.as_service_error().and_then(|s| s.code())
}

fn unreadable_bucket(name: &str, err: config_rules_core::Error) -> NotEvaluated {
    NotEvaluated {
        resource_type: "AWS::S3::Bucket".to_string(),
        resource_id: name.to_string(),
        reason: err.to_string(),
    }
}

fn iam_tags(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Vec<Value> {
    list.iter()
        .map(|p| json!({"policyName": p.policy_name(), "policyDocument": p.policy_document()}))
        .collect()
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<Value> {
    list.iter()
        .map(|p| json!({"policyName": p.policy_name(), "policyArn": p.policy_arn()}))
        .collect()
}

async fn iam_items(sdk: &SdkConfig, account: &str, types: &BTreeSet<&str>) -> Result<Vec<ConfigurationItem>, CliError> {
    use aws_sdk_iam::types::EntityType;
    let client = aws_sdk_iam::Client::new(sdk);
    let mut request = client.get_account_authorization_details();
    for (t, entity) in [
        ("AWS::IAM::Role", EntityType::Role),
        ("AWS::IAM::User", EntityType::User),
        ("AWS::IAM::Group", EntityType::Group),
        ("AWS::IAM::Policy", EntityType::LocalManagedPolicy),
    ] {
        if types.contains(t) {
            request = request.filter(entity);
        }
    }
    let mut pages = request.into_paginator().send();
    let mut items = Vec::new();
    let item = |t: &str, id: &str, name: &str, arn: &str, config: Value, tags: BTreeMap<String, String>| {
        json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": t, "resourceId": id,
               "resourceName": name, "arn": arn, "awsRegion": "global", "configuration": config, "tags": tags})
    };
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("GetAccountAuthorizationDetails", e)))?;
        for r in page.role_detail_list() {
            let (name, id, arn) = (
                r.role_name().unwrap_or_default(),
                r.role_id().unwrap_or_default(),
                r.arn().unwrap_or_default(),
            );
            items.push(item("AWS::IAM::Role", id, name, arn, json!({
                "path": r.path(), "roleName": name, "roleId": id, "arn": arn, "createDate": time(r.create_date()),
                "assumeRolePolicyDocument": r.assume_role_policy_document(),
                "rolePolicyList": inline(r.role_policy_list()),
                "attachedManagedPolicies": attached(r.attached_managed_policies()),
                "permissionsBoundary": r.permissions_boundary().map(|b| json!({"permissionsBoundaryArn": b.permissions_boundary_arn()})),
            }), iam_tags(r.tags())));
        }
        for u in page.user_detail_list() {
            let (name, id, arn) = (
                u.user_name().unwrap_or_default(),
                u.user_id().unwrap_or_default(),
                u.arn().unwrap_or_default(),
            );
            items.push(item(
                "AWS::IAM::User",
                id,
                name,
                arn,
                json!({
                    "path": u.path(), "userName": name, "userId": id, "arn": arn, "createDate": time(u.create_date()),
                    "userPolicyList": inline(u.user_policy_list()), "groupList": u.group_list(),
                    "attachedManagedPolicies": attached(u.attached_managed_policies()),
                }),
                iam_tags(u.tags()),
            ));
        }
        for g in page.group_detail_list() {
            let (name, id, arn) = (
                g.group_name().unwrap_or_default(),
                g.group_id().unwrap_or_default(),
                g.arn().unwrap_or_default(),
            );
            items.push(item(
                "AWS::IAM::Group",
                id,
                name,
                arn,
                json!({
                    "path": g.path(), "groupName": name, "groupId": id, "arn": arn,
                    "groupPolicyList": inline(g.group_policy_list()),
                    "attachedManagedPolicies": attached(g.attached_managed_policies()),
                }),
                BTreeMap::new(),
            ));
        }
        for p in page.policies() {
            let (name, id, arn) = (
                p.policy_name().unwrap_or_default(),
                p.policy_id().unwrap_or_default(),
                p.arn().unwrap_or_default(),
            );
            items.push(item("AWS::IAM::Policy", id, name, arn, json!({
                "policyName": name, "policyId": id, "arn": arn, "path": p.path(),
                "defaultVersionId": p.default_version_id(), "attachmentCount": p.attachment_count(),
                "isAttachable": p.is_attachable(),
                "policyVersionList": p.policy_version_list().iter().map(|v| json!({
                    "document": v.document(), "versionId": v.version_id(), "isDefaultVersion": v.is_default_version(),
                    "createDate": time(v.create_date()),
                })).collect::<Vec<_>>(),
            }), BTreeMap::new()));
        }
    }
    items.into_iter().map(|v| api_item(v, "IAM entity")).collect()
}

async fn api_stages(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    types: &BTreeSet<&str>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_apigateway::Client::new(sdk);
    let mut apis = Vec::new();
    let mut items = Vec::new();
    let mut pages = client.get_rest_apis().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("GetRestApis", e)))?;
        for a in page.items() {
            let Some(id) = a.id() else { continue };
            apis.push(id.to_string());
            if types.contains("AWS::ApiGateway::RestApi") {
                // Config's resource id of an API is its ARN (see config_rules_core::apigw).
                let arn = config_rules_core::apigw::rest_api_arn(region, id);
                items.push(api_item(
                    json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGateway::RestApi",
                           "resourceId": arn, "resourceName": a.name(), "arn": arn, "awsRegion": region,
                           "configuration": {"id": id, "name": a.name(), "description": a.description(),
                                             "apiKeySource": a.api_key_source().map(|k| k.as_str()),
                                             "createdDate": time(a.created_date())},
                           "tags": a.tags()}),
                    "API Gateway REST API",
                )?);
            }
        }
    }
    if !types.contains("AWS::ApiGateway::Stage") {
        return Ok(items);
    }
    for api in apis {
        let stages = client
            .get_stages()
            .rest_api_id(&api)
            .send()
            .await
            .map_err(|e| CliError::Aws(sdk_error("GetStages", e)))?;
        for s in stages.item() {
            let name = s.stage_name().unwrap_or_default();
            let arn = format!("arn:aws:apigateway:{region}::/restapis/{api}/stages/{name}");
            let settings: BTreeMap<&String, Value> = s
                .method_settings()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (k, json!({
                                "metricsEnabled": v.metrics_enabled(), "loggingLevel": v.logging_level(),
                                "dataTraceEnabled": v.data_trace_enabled(), "throttlingBurstLimit": v.throttling_burst_limit(),
                                "throttlingRateLimit": v.throttling_rate_limit(), "cachingEnabled": v.caching_enabled(),
                                "cacheTtlInSeconds": v.cache_ttl_in_seconds(), "cacheDataEncrypted": v.cache_data_encrypted(),
                                "requireAuthorizationForCacheControl": v.require_authorization_for_cache_control(),
                                "unauthorizedCacheControlHeaderStrategy": v.unauthorized_cache_control_header_strategy().map(|x| x.as_str()),
                            }))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let configuration = json!({
                "stageName": name, "restApiId": api, "deploymentId": s.deployment_id(), "description": s.description(),
                "cacheClusterEnabled": s.cache_cluster_enabled(), "cacheClusterSize": s.cache_cluster_size().map(|c| c.as_str()),
                "cacheClusterStatus": s.cache_cluster_status().map(|c| c.as_str()), "methodSettings": settings,
                "tracingEnabled": s.tracing_enabled(), "webAclArn": s.web_acl_arn(),
                "accessLogSettings": s.access_log_settings().map(|a| json!({"format": a.format(), "destinationArn": a.destination_arn()})),
                "clientCertificateId": s.client_certificate_id(), "variables": s.variables(),
                "createdDate": time(s.created_date()), "lastUpdatedDate": time(s.last_updated_date()),
            });
            items.push(api_item(
                json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGateway::Stage",
                       "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                       "configuration": configuration, "tags": s.tags()}),
                "API Gateway stage",
            )?);
        }
    }
    Ok(items)
}
