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
/// [`CONCURRENCY`] at a time, only the calls that fill what the selected rules read: `Policy`,
/// `Concurrency`).
pub(super) async fn lambda_functions(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    reads: &std::collections::BTreeSet<&str>,
    progress: &ProgressBar,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let reads = Reads {
        policy: reads.contains("Policy"),
        concurrency: reads.contains("Concurrency"),
    };
    let client = quota_client(sdk);
    let mut functions = Vec::new();
    let mut pages = client.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListFunctions", e)))?;
        functions.extend(page.functions().iter().cloned());
    }
    progress.set_length(functions.len() as u64);
    let tags = Arc::new(tags_by_arn(sdk).await?);
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, f) in functions.into_iter().enumerate() {
        let (client, limit, tags) = (client.clone(), limit.clone(), tags.clone());
        let (account, region) = (account.to_string(), region.to_string());
        tasks.spawn(async move {
            let _permit = limit.acquire().await;
            lambda_item(&client, f, &account, &region, tags.as_ref().as_ref(), reads)
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

/// Every tagged function's tags, 100 functions a call (Resource Groups Tagging API
/// `GetResources`: AWS lists tagged resources only, so a function missing here has none).
/// `None` when the caller may not call it: each function's tags are then read on their own
/// (`ListTags`, which Lambda's control-plane quota slows to about 15 calls a second).
async fn tags_by_arn(sdk: &SdkConfig) -> Result<Option<HashMap<String, HashMap<String, String>>>, CliError> {
    let client = aws_sdk_resourcegroupstagging::Client::new(sdk);
    let mut out = HashMap::new();
    let mut pages = client
        .get_resources()
        .resource_type_filters("lambda:function")
        .resources_per_page(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let err = sdk_error("GetResources", e);
                if err.is_access_denied() {
                    return Ok(None);
                }
                return Err(CliError::Aws(err));
            }
        };
        for mapping in page.resource_tag_mapping_list() {
            let tags = mapping
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect();
            out.insert(mapping.resource_arn().unwrap_or_default().to_string(), tags);
        }
    }
    Ok(Some(out))
}

/// Which of a function's supplementary configuration the selected rules read.
#[derive(Debug, Clone, Copy)]
struct Reads {
    policy: bool,
    concurrency: bool,
}

/// One function's item: its configuration, and its resource policy, reserved concurrency and
/// tags as far as the rules read them (those calls run at once).
async fn lambda_item(
    client: &aws_sdk_lambda::Client,
    f: aws_sdk_lambda::types::FunctionConfiguration,
    account: &str,
    region: &str,
    known_tags: Option<&HashMap<String, HashMap<String, String>>>,
    reads: Reads,
) -> Result<Value, CliError> {
    let name = f.function_name().unwrap_or_default().to_string();
    let arn = f.function_arn().unwrap_or_default().to_string();
    let (policy, concurrency, tags) = tokio::join!(
        async {
            match reads.policy {
                true => Some(client.get_policy().function_name(&name).send().await),
                false => None,
            }
        },
        async {
            match reads.concurrency {
                true => Some(client.get_function_concurrency().function_name(&name).send().await),
                false => None,
            }
        },
        async {
            match known_tags {
                Some(all) => Ok(all.get(&arn).cloned().unwrap_or_default()),
                None => match client.list_tags().resource(&arn).send().await {
                    Ok(out) => Ok(out.tags().cloned().unwrap_or_default()),
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_resource_not_found_exception()) =>
                    {
                        Ok(HashMap::new())
                    }
                    Err(e) => Err(CliError::Aws(sdk_error("ListTags", e))),
                },
            }
        }
    );
    let tags: HashMap<String, String> = tags?;
    let policy = match policy {
        None => None,
        Some(Ok(out)) => out.policy().map(str::to_string),
        Some(Err(e))
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            None
        }
        Some(Err(e)) => return Err(CliError::Aws(sdk_error("GetPolicy", e))),
    };
    let concurrency = concurrency
        .map(|c| {
            c.map(|out| out.reserved_concurrent_executions())
                .map_err(|e| CliError::Aws(sdk_error("GetFunctionConcurrency", e)))
        })
        .transpose()?;
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
    if let Some(concurrency) = concurrency {
        supplementary.insert(
            "Concurrency".to_string(),
            json!({"reservedConcurrentExecutions": concurrency}),
        );
    }
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

/// Every function's code signing configuration and every configuration's policy, read with a
/// call per configuration (`ListCodeSigningConfigs`, then `ListFunctionsByCodeSigningConfig`
/// for each) instead of `GetFunctionCodeSigningConfig` per function, which Lambda's
/// control-plane quota makes slow in large accounts. A function missing from every
/// configuration's list has none (Lambda lets a function name only an existing configuration).
#[derive(Debug, Clone)]
pub struct PrefetchedCodeSigning {
    by_function: HashMap<String, String>,
    policies: HashMap<String, String>,
    fallback: lambda_facts::SdkLambda,
}

impl PrefetchedCodeSigning {
    /// `None` when the caller may not list the configurations: the rule then asks per
    /// function, as the deployed rule does.
    pub async fn read(sdk: &SdkConfig) -> Result<Option<PrefetchedCodeSigning>, CliError> {
        let client = aws_sdk_lambda::Client::new(sdk);
        let refused = |e: &config_rules_core::Error| e.is_access_denied();
        let mut policies = HashMap::new();
        let mut pages = client.list_code_signing_configs().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    let err = sdk_error("ListCodeSigningConfigs", e);
                    return if refused(&err) {
                        Ok(None)
                    } else {
                        Err(CliError::Aws(err))
                    };
                }
            };
            for c in page.code_signing_configs() {
                let policy = c
                    .code_signing_policies()
                    .and_then(|p| p.untrusted_artifact_on_deployment())
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "Warn".to_string());
                policies.insert(c.code_signing_config_arn().to_string(), policy);
            }
        }
        let mut by_function = HashMap::new();
        for arn in policies.keys() {
            let mut pages = client
                .list_functions_by_code_signing_config()
                .code_signing_config_arn(arn)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = match page {
                    Ok(p) => p,
                    Err(e) => {
                        let err = sdk_error("ListFunctionsByCodeSigningConfig", e);
                        return if refused(&err) {
                            Ok(None)
                        } else {
                            Err(CliError::Aws(err))
                        };
                    }
                };
                for f in page.function_arns() {
                    let name = crate::cfn::convert::function_name_of(f).to_string();
                    by_function.insert(name, arn.clone());
                }
            }
        }
        Ok(Some(PrefetchedCodeSigning {
            by_function,
            policies,
            fallback: lambda_facts::SdkLambda::from_client(quota_client(sdk)),
        }))
    }
}

#[config_rules_core::async_trait]
impl lambda_facts::CodeSigningApi for PrefetchedCodeSigning {
    async fn code_signing_config_arn(&self, function_name: &str) -> Result<Option<String>, config_rules_core::Error> {
        Ok(self.by_function.get(function_name).cloned())
    }

    async fn untrusted_artifact_policy(&self, config_arn: &str) -> Result<String, config_rules_core::Error> {
        match self.policies.get(config_arn) {
            Some(p) => Ok(p.clone()),
            None => self.fallback.untrusted_artifact_policy(config_arn).await,
        }
    }
}

/// Function URLs read once per function however many rules ask (`lambda-no-public-access`
/// reads the auth type, `lambda-url-cors-restricted` the CORS of the same
/// `GetFunctionUrlConfig` answer). A failed read is not kept: the next rule asks again.
#[derive(Debug, Clone)]
pub struct SharedFunctionUrls {
    lambda: lambda_facts::SdkLambda,
    #[allow(clippy::type_complexity)]
    cache: Arc<tokio::sync::Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Option<lambda_facts::FunctionUrl>>>>>>,
}

impl SharedFunctionUrls {
    pub fn new(sdk: &SdkConfig) -> Self {
        SharedFunctionUrls {
            lambda: lambda_facts::SdkLambda::from_client(quota_client(sdk)),
            cache: Arc::default(),
        }
    }

    async fn url(&self, function_name: &str) -> Result<Option<lambda_facts::FunctionUrl>, config_rules_core::Error> {
        let cell = self
            .cache
            .lock()
            .await
            .entry(function_name.to_string())
            .or_default()
            .clone();
        cell.get_or_try_init(|| self.lambda.function_url(function_name))
            .await
            .cloned()
    }
}

#[config_rules_core::async_trait]
impl lambda_facts::FunctionUrlApi for SharedFunctionUrls {
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, config_rules_core::Error> {
        Ok(self.url(function_name).await?.map(|u| u.auth_type))
    }
}

#[config_rules_core::async_trait]
impl lambda_facts::FunctionUrlCorsApi for SharedFunctionUrls {
    async fn url_cors(&self, function_name: &str) -> Result<lambda_facts::UrlCorsState, config_rules_core::Error> {
        Ok(self
            .url(function_name)
            .await?
            .map_or(lambda_facts::UrlCorsState::NoUrl, |u| u.cors))
    }
}

/// Attempts per per-function Lambda call of a scan (the deployed rules make six).
const QUOTA_ATTEMPTS: u32 = 20;

/// The Lambda client of a scan's per-function calls. Lambda's request rate quotas (15 a second
/// for GetPolicy, and 15 shared by most other control-plane calls: Lambda developer guide,
/// "Lambda quotas") throttle any scan of more than a few dozen functions. The SDK's standard
/// retries take from a retry token bucket that only successes refill, and a throttled retry's
/// tokens are never given back: under a quota the bucket ran dry within two seconds and the
/// scan failed on the next throttled call. Here throttled calls retry without that bucket
/// (its purpose, sparing a failing service a storm of retries, is served by the scan's
/// [`CONCURRENCY`]), backing off exponentially with jitter, [`QUOTA_ATTEMPTS`] times. (The
/// SDK's adaptive mode, which also slows the client, kept the scan alive but far below the
/// quota: 40 functions under 15 calls a second took 26 s where the quota allows 3.)
pub(crate) fn quota_client(sdk: &SdkConfig) -> aws_sdk_lambda::Client {
    use aws_sdk_lambda::config::retry::{RetryConfig, RetryPartition, TokenBucket};
    let config = aws_sdk_lambda::config::Builder::from(sdk)
        .retry_partition(
            RetryPartition::custom("config-rules-scan-lambda")
                .token_bucket(TokenBucket::unlimited())
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(QUOTA_ATTEMPTS)
                .with_initial_backoff(std::time::Duration::from_millis(200))
                .with_max_backoff(std::time::Duration::from_secs(2)),
        )
        .build();
    aws_sdk_lambda::Client::from_conf(config)
}
