//! SQS queues (`AWS::SQS::Queue`) and SNS topics (`AWS::SNS::Topic`) as Config records them:
//! the configuration is the queue's or topic's attributes (`GetQueueAttributes` with `All`,
//! `GetTopicAttributes`), keyed as the APIs key them (`KmsMasterKeyId`,
//! `SqsManagedSseEnabled`, ...: the AWS Config resource schema's property names). A queue's
//! resource id is its URL (the primary identifier of `AWS::SQS::Queue` in the CloudFormation
//! registry, through which Config records the type), a topic's its ARN (AWS's sample item,
//! aws-config-rdk `rdk/template/example_ci/AWS_SNS_Topic.json`).

use std::collections::BTreeMap;

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::{json, Map, Value};

use super::{api_item, per_resource};
use crate::report::NotEvaluated;
use crate::CliError;

/// Every queue of the region. A queue deleted while the scan runs is left out; one whose
/// attributes or tags cannot be read is listed in `not_evaluated`, never judged.
pub(super) async fn sqs_queues(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    use aws_sdk_sqs::types::QueueAttributeName;
    const TYPE: &str = "AWS::SQS::Queue";
    let client = aws_sdk_sqs::Client::new(sdk);
    let mut urls = Vec::new();
    let mut pages = client.list_queues().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListQueues", e)))?;
        urls.extend(page.queue_urls().iter().cloned());
    }
    const GONE: &[&str] = &["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"];
    let mut items = Vec::new();
    for url in urls {
        let read = client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await;
        let Some(out) = per_resource(read, "GetQueueAttributes", GONE, (TYPE, &url), not_evaluated)? else {
            continue;
        };
        let attributes: Map<String, Value> = out
            .attributes()
            .map(|a| {
                a.iter()
                    .map(|(k, v)| (k.as_str().to_string(), Value::String(v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let read = client.list_queue_tags().queue_url(&url).send().await;
        let Some(out) = per_resource(read, "ListQueueTags", GONE, (TYPE, &url), not_evaluated)? else {
            continue;
        };
        let tags: BTreeMap<String, String> = out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let name = url.rsplit('/').next().unwrap_or_default().to_string();
        let arn = attributes
            .get("QueueArn")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("arn:aws:sqs:{region}:{account}:{name}"));
        let mut configuration = attributes;
        configuration.insert("QueueUrl".into(), json!(url));
        configuration.insert("QueueName".into(), json!(name));
        items.push(api_item(
            json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": TYPE,
                   "resourceId": url, "resourceName": name, "arn": arn, "awsRegion": region,
                   "configuration": configuration, "supplementaryConfiguration": {}, "tags": tags}),
            "SQS queue",
        )?);
    }
    Ok(items)
}

/// Every topic of the region, as [`sqs_queues`] does queues.
pub(super) async fn sns_topics(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    const TYPE: &str = "AWS::SNS::Topic";
    let client = aws_sdk_sns::Client::new(sdk);
    let mut arns = Vec::new();
    let mut pages = client.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListTopics", e)))?;
        arns.extend(page.topics().iter().filter_map(|t| t.topic_arn().map(str::to_string)));
    }
    const GONE: &[&str] = &["NotFound", "ResourceNotFound"];
    let mut items = Vec::new();
    for arn in arns {
        let read = client.get_topic_attributes().topic_arn(&arn).send().await;
        let Some(out) = per_resource(read, "GetTopicAttributes", GONE, (TYPE, &arn), not_evaluated)? else {
            continue;
        };
        let attributes: Map<String, Value> = out
            .attributes()
            .map(|a| a.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
            .unwrap_or_default();
        let read = client.list_tags_for_resource().resource_arn(&arn).send().await;
        let Some(out) = per_resource(read, "ListTagsForResource", GONE, (TYPE, &arn), not_evaluated)? else {
            continue;
        };
        let tags: BTreeMap<String, String> = out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        let name = arn.rsplit(':').next().unwrap_or_default().to_string();
        items.push(api_item(
            json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": TYPE,
                   "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                   "configuration": attributes, "supplementaryConfiguration": {}, "tags": tags}),
            "SNS topic",
        )?);
    }
    Ok(items)
}
