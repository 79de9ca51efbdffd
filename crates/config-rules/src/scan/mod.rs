//! Collecting configuration items from a live account.
//!
//! `--source config` reads AWS Config's inventory (`ListDiscoveredResources` and
//! `BatchGetResourceConfig`; note that `BatchGetResourceConfig` returns no tags, so exemption
//! tags are not seen). `--source api` builds the items from the service APIs, for accounts
//! without Config recording, in the same shape Config records them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use indicatif::ProgressBar;
use serde_json::{json, Value};

use crate::report::NotEvaluated;
use crate::CliError;

// One collector per kind of resource, each building items in the shape Config records them.
mod apigateway;
mod dynamodb;
mod iam;
mod lambda;
mod messaging;
mod orchestration;
mod s3;

use apigateway::{api_stages, v2_apis};
use dynamodb::dynamodb_tables;
use iam::iam_items;
use lambda::lambda_functions;
use messaging::{sns_topics, sqs_queues};
use orchestration::{secrets, state_machines};
use s3::s3_buckets;

/// How many per-resource calls run at once.
pub const CONCURRENCY: usize = 8;

/// Where items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// AWS Config's recorded inventory.
    Config,
    /// The service APIs (Lambda, IAM, API Gateway, S3, SQS, SNS, DynamoDB, Step Functions,
    /// Secrets Manager), for accounts without Config
    /// recording.
    Api,
    /// A Config aggregator (`--aggregator NAME`): every account's and region's recorded items
    /// with one set of credentials, for the rules that need only the item.
    Aggregator,
}

/// The account id of the caller (STS `GetCallerIdentity`).
pub async fn account_id(sdk: &SdkConfig) -> Result<String, CliError> {
    caller(sdk).await.map(|(account, _)| account)
}

/// The caller's account id and ARN (STS `GetCallerIdentity`), for the report's header.
pub async fn caller(sdk: &SdkConfig) -> Result<(String, String), CliError> {
    let out = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CliError::Aws(sdk_error("GetCallerIdentity", e)))?;
    let account = out.account().map(str::to_string).ok_or_else(|| {
        CliError::Aws(config_rules_core::Error::aws(
            "GetCallerIdentity",
            "no account in the answer",
        ))
    })?;
    Ok((account, out.arn().unwrap_or_default().to_string()))
}

/// The regions enabled in the account (AWS Account Management `ListRegions`), for
/// `--regions all`.
pub async fn enabled_regions(sdk: &SdkConfig) -> Result<Vec<String>, CliError> {
    use aws_sdk_account::types::RegionOptStatus;
    let mut out = Vec::new();
    let mut pages = aws_sdk_account::Client::new(sdk)
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListRegions", e)))?;
        out.extend(
            page.regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_string)),
        );
    }
    out.sort();
    Ok(out)
}

/// What a scan collected: the items, and what it found but could not read.
#[derive(Debug, Default)]
pub struct Collected {
    pub items: Vec<ConfigurationItem>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub warnings: Vec<String>,
}

/// What the selected rules need collected: the resource types they judge per resource, and
/// the supplementary configuration they read (`--source api` makes only the calls that fill
/// those: a function's policy only for a rule that reads `Policy`, ...).
#[derive(Debug, Clone, Default)]
pub struct Needs<'a> {
    pub types: BTreeSet<&'a str>,
    pub reads: BTreeSet<&'a str>,
}

impl<'a> Needs<'a> {
    /// Items of these types, with everything any rule reads of them.
    pub fn everything(types: BTreeSet<&'a str>) -> Needs<'a> {
        let reads = crate::catalog::metas()
            .iter()
            .flat_map(|m| m.reads_supplementary.iter().copied())
            .collect();
        Needs { types, reads }
    }

    pub fn of(rules: &[Box<dyn config_rules_core::AnyRule>]) -> Needs<'static> {
        let metas = || rules.iter().map(|r| r.meta());
        Needs {
            types: metas()
                .filter(|m| m.reports_on == config_rules_core::ReportsOn::EachResource)
                .flat_map(|m| m.resource_types.iter().copied())
                .collect(),
            reads: metas().flat_map(|m| m.reads_supplementary.iter().copied()).collect(),
        }
    }
}

/// The rules as a scan runs them: a rule that would call AWS once per item for what a few
/// calls can read for the whole region gets a client that read it once (today
/// `lambda-code-signing-enabled`, see [`lambda::PrefetchedCodeSigning`]), and rules that read
/// the same per-function answer share one call (the function URL rules, see
/// [`lambda::SharedFunctionUrls`]).
pub async fn with_prefetched_clients(
    sdk: &SdkConfig,
    rules: Vec<Box<dyn config_rules_core::AnyRule>>,
) -> Result<Vec<Box<dyn config_rules_core::AnyRule>>, CliError> {
    let mut out: Vec<Box<dyn config_rules_core::AnyRule>> = Vec::with_capacity(rules.len());
    let urls = lambda::SharedFunctionUrls::new(sdk);
    for rule in rules {
        if rule.meta().id == lambda_no_public_access::META.id {
            out.push(Box::new(lambda_no_public_access::LambdaNoPublicAccess::new(
                urls.clone(),
            )));
            continue;
        }
        if rule.meta().id == lambda_url_cors_restricted::META.id {
            out.push(Box::new(lambda_url_cors_restricted::LambdaUrlCorsRestricted::new(
                urls.clone(),
            )));
            continue;
        }
        if rule.meta().id == lambda_code_signing_enabled::META.id {
            if let Some(prefetched) = lambda::PrefetchedCodeSigning::read(sdk).await? {
                out.push(
                    Box::new(lambda_code_signing_enabled::LambdaCodeSigningEnabled::new(prefetched))
                        as Box<dyn config_rules_core::AnyRule>,
                );
                continue;
            }
        }
        out.push(rule);
    }
    Ok(out)
}

/// Items of the resource types the rules need.
pub async fn collect(
    sdk: &SdkConfig,
    source: Source,
    needs: &Needs<'_>,
    account: &str,
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Collected, CliError> {
    let mut collected = Collected::default();
    let types = &needs.types;
    let mut items = match source {
        Source::Config => {
            progress.set_message("Config recorders");
            collected.warnings = recording_gaps(sdk, types).await;
            from_config(sdk, types, progress).await?
        }
        Source::Aggregator => {
            return Err(CliError::Input(
                "--source aggregator reads through aggregate_items (needs --aggregator NAME)".into(),
            ))
        }
        Source::Api => {
            let region = sdk
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "us-east-1".to_string());
            let mut items = Vec::new();
            if types.contains("AWS::Lambda::Function") {
                progress.set_message("Lambda functions");
                items.extend(lambda_functions(sdk, account, &region, &needs.reads, progress).await?);
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
                let encryption = needs.reads.contains("ServerSideEncryptionConfiguration");
                items.extend(s3_buckets(sdk, account, &region, encryption, &mut collected.not_evaluated).await?);
            }
            if types.contains("AWS::SQS::Queue") {
                progress.set_message("SQS queues");
                items.extend(sqs_queues(sdk, account, &region, &mut collected.not_evaluated).await?);
            }
            if types.contains("AWS::DynamoDB::Table") {
                progress.set_message("DynamoDB tables");
                items.extend(dynamodb_tables(sdk, account, &region, &mut collected.not_evaluated).await?);
            }
            if types.contains("AWS::StepFunctions::StateMachine") {
                progress.set_message("Step Functions state machines");
                items.extend(state_machines(sdk, account, &region, &mut collected.not_evaluated).await?);
            }
            if types.contains("AWS::SecretsManager::Secret") {
                progress.set_message("Secrets Manager secrets");
                items.extend(secrets(sdk, account, &region).await?);
            }
            if types.contains("AWS::SNS::Topic") {
                progress.set_message("SNS topics");
                items.extend(sns_topics(sdk, account, &region, &mut collected.not_evaluated).await?);
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

/// A per-resource read of a collector: `Ok(Some(answer))`; `Ok(None)` when the resource is
/// gone since it was listed (`gone` recognizes the service's error code) or cannot be read (an
/// answer from the service, such as AccessDenied: then it is listed in `not_evaluated` with
/// the reason, never judged); `Err` for a failure of the call itself.
pub(crate) fn per_resource<T, E, R>(
    result: Result<T, aws_sdk_config::error::SdkError<E, R>>,
    operation: &str,
    gone: &[&str],
    resource: (&str, &str),
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Option<T>, CliError>
where
    E: aws_sdk_config::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) => match e.as_service_error().map(|s| s.code()) {
            Some(Some(code)) if gone.contains(&code) => Ok(None),
            Some(_) => {
                not_evaluated.push(NotEvaluated {
                    resource_type: resource.0.to_string(),
                    resource_id: resource.1.to_string(),
                    reason: sdk_error(operation, e).to_string(),
                });
                Ok(None)
            }
            None => Err(CliError::Aws(sdk_error(operation, e))),
        },
    }
}

pub(crate) fn api_item(v: Value, what: &str) -> Result<ConfigurationItem, CliError> {
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
                items.push(base_item(base, "BatchGetResourceConfig.baseConfigurationItems")?);
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

/// Every account's and region's items of `types` through the Config aggregator `name`
/// (`ListAggregateDiscoveredResources`, `BatchGetAggregateResourceConfig` by 100). Like
/// `BatchGetResourceConfig`, the aggregate read returns no tags.
pub async fn aggregate_items(
    sdk: &SdkConfig,
    name: &str,
    types: &BTreeSet<&str>,
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Vec<ConfigurationItem>, CliError> {
    use aws_sdk_config::types::{AggregateResourceIdentifier, ResourceType};
    let client = aws_sdk_config::Client::new(sdk);
    let mut ids: Vec<AggregateResourceIdentifier> = Vec::new();
    for t in types {
        progress.set_message(format!("aggregator {name}: {t}"));
        let mut pages = client
            .list_aggregate_discovered_resources()
            .configuration_aggregator_name(name)
            .resource_type(ResourceType::from(*t))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| CliError::Aws(sdk_error("ListAggregateDiscoveredResources", e)))?;
            ids.extend(page.resource_identifiers().iter().cloned());
        }
    }
    let mut items = Vec::new();
    for chunk in ids.chunks(100) {
        let out = client
            .batch_get_aggregate_resource_config()
            .configuration_aggregator_name(name)
            .set_resource_identifiers(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| CliError::Aws(sdk_error("BatchGetAggregateResourceConfig", e)))?;
        if !out.unprocessed_resource_identifiers().is_empty() {
            return Err(CliError::Aws(config_rules_core::Error::aws(
                "BatchGetAggregateResourceConfig",
                format!(
                    "{} resources stayed unprocessed",
                    out.unprocessed_resource_identifiers().len()
                ),
            )));
        }
        for base in out.base_configuration_items() {
            let mut item = base_item(base, "BatchGetAggregateResourceConfig.BaseConfigurationItems")?;
            item.configuration_item_capture_time.get_or_insert(now);
            items.push(item);
        }
        progress.inc(chunk.len() as u64);
    }
    items.sort_by(|a, b| {
        (&a.aws_account_id, &a.resource_type, &a.resource_id).cmp(&(
            &b.aws_account_id,
            &b.resource_type,
            &b.resource_id,
        ))
    });
    Ok(items)
}

/// An item from Config's `BaseConfigurationItem` (of `BatchGetResourceConfig` and its
/// aggregate form; neither carries tags).
fn base_item(base: &aws_sdk_config::types::BaseConfigurationItem, what: &str) -> Result<ConfigurationItem, CliError> {
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
    api_item(v, what)
}

fn strip_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null());
    }
}

pub(crate) fn time(t: Option<&aws_sdk_config::primitives::DateTime>) -> Value {
    t.map(config_rules_core::config_api::smithy_time_json)
        .unwrap_or(Value::Null)
}
