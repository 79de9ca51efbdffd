//! Lambda functions as Config records them (`AWS::Lambda::Function`).

use std::collections::HashMap;
use std::sync::Arc;

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use indicatif::ProgressBar;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use super::{api_item, CONCURRENCY};
use crate::CliError;

/// Every Lambda function of the region (`ListFunctions`, then per function at most
/// [`CONCURRENCY`] at a time).
pub(super) async fn lambda_functions(
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

/// One function's item: its configuration, resource policy, reserved concurrency and tags.
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
