//! DynamoDB tables as Config records them (`AWS::DynamoDB::Table`): `DescribeTable` in
//! Config's spelling (`ssedescription.{ssetype,status,kmsmasterKeyArn}`, the AWS Config
//! resource schema's), point-in-time recovery in
//! `supplementaryConfiguration.ContinuousBackupsDescription` (`DescribeContinuousBackups`), and
//! tags (`ListTagsOfResource`).

use std::collections::BTreeMap;

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::json;

use super::{api_item, per_resource};
use crate::report::NotEvaluated;
use crate::CliError;

/// Every table of the region. A table deleted while the scan runs is left out; one that
/// cannot be read is listed in `not_evaluated`, never judged.
pub(super) async fn dynamodb_tables(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    const TYPE: &str = "AWS::DynamoDB::Table";
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let mut names = Vec::new();
    let mut pages = client.list_tables().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListTables", e)))?;
        names.extend(page.table_names().iter().cloned());
    }
    let mut items = Vec::new();
    for name in names {
        let read = client.describe_table().table_name(&name).send().await;
        let gone = &["ResourceNotFoundException"];
        let Some(table) =
            per_resource(read, "DescribeTable", gone, (TYPE, &name), not_evaluated)?.and_then(|o| o.table)
        else {
            continue;
        };
        let read = client.describe_continuous_backups().table_name(&name).send().await;
        let gone = &["TableNotFoundException"];
        let Some(out) = per_resource(read, "DescribeContinuousBackups", gone, (TYPE, &name), not_evaluated)? else {
            continue;
        };
        let backups = out.continuous_backups_description.map(|d| {
            json!({"continuousBackupsStatus": d.continuous_backups_status().as_str(),
                   "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus":
                       d.point_in_time_recovery_description().and_then(|p| p.point_in_time_recovery_status()).map(|s| s.as_str())}})
        });
        let arn = table.table_arn().unwrap_or_default().to_string();
        let read = client.list_tags_of_resource().resource_arn(&arn).send().await;
        let gone = &["ResourceNotFoundException"];
        let Some(out) = per_resource(read, "ListTagsOfResource", gone, (TYPE, &name), not_evaluated)? else {
            continue;
        };
        let tags: BTreeMap<String, String> = out
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        let sse = table.sse_description().map(|s| {
            json!({"ssetype": s.sse_type().map(|t| t.as_str()), "status": s.status().map(|t| t.as_str()),
                   "kmsmasterKeyArn": s.kms_master_key_arn()})
        });
        let mut supplementary = serde_json::Map::new();
        if let Some(b) = backups {
            supplementary.insert("ContinuousBackupsDescription".into(), b);
        }
        items.push(api_item(
            json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": TYPE,
                   "resourceId": name, "resourceName": name, "arn": arn, "awsRegion": region,
                   "configuration": {"tableName": name, "tableArn": arn, "tableId": table.table_id(),
                                     "tableStatus": table.table_status().map(|s| s.as_str()),
                                     "deletionProtectionEnabled": table.deletion_protection_enabled(),
                                     "ssedescription": sse,
                                     "billingModeSummary": table.billing_mode_summary().map(|b| json!({"billingMode": b.billing_mode().map(|m| m.as_str())}))},
                   "supplementaryConfiguration": supplementary, "tags": tags}),
            "DynamoDB table",
        )?);
    }
    Ok(items)
}
