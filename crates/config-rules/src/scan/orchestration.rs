//! Step Functions state machines (`AWS::StepFunctions::StateMachine`) and Secrets Manager
//! secrets (`AWS::SecretsManager::Secret`) as Config records them: the properties of the AWS
//! Config resource schema (`LoggingConfiguration.{Level, IncludeExecutionData, Destinations}`,
//! `TracingConfiguration.Enabled`; `Name`, `RotationEnabled`, `RotationRules`, `Deleted`),
//! resource id the ARN (the types' primary identifier in the CloudFormation registry).

use std::collections::BTreeMap;

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::json;

use super::{api_item, per_resource};
use crate::report::NotEvaluated;
use crate::CliError;

/// Every state machine of the region (`ListStateMachines`, `DescribeStateMachine`,
/// `ListTagsForResource`).
pub(super) async fn state_machines(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    not_evaluated: &mut Vec<NotEvaluated>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    const TYPE: &str = "AWS::StepFunctions::StateMachine";
    let client = aws_sdk_sfn::Client::new(sdk);
    let mut arns = Vec::new();
    let mut pages = client.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListStateMachines", e)))?;
        arns.extend(page.state_machines().iter().map(|m| m.state_machine_arn().to_string()));
    }
    let mut items = Vec::new();
    for arn in arns {
        let read = client.describe_state_machine().state_machine_arn(&arn).send().await;
        let gone = &["StateMachineDoesNotExist"];
        let Some(m) = per_resource(read, "DescribeStateMachine", gone, (TYPE, &arn), not_evaluated)? else {
            continue;
        };
        let read = client.list_tags_for_resource().resource_arn(&arn).send().await;
        let gone = &["ResourceNotFound"];
        let Some(out) = per_resource(read, "ListTagsForResource", gone, (TYPE, &arn), not_evaluated)? else {
            continue;
        };
        let tags: BTreeMap<String, String> = out
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
            .collect();
        let logging = m.logging_configuration().map(|l| {
            json!({"Level": l.level().map(|v| v.as_str()), "IncludeExecutionData": l.include_execution_data(),
                   "Destinations": l.destinations().iter().map(|d| json!({"CloudWatchLogsLogGroup":
                       {"LogGroupArn": d.cloud_watch_logs_log_group().and_then(|g| g.log_group_arn())}})).collect::<Vec<_>>()})
        });
        let name = m.name().to_string();
        items.push(api_item(
            json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": TYPE,
                   "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                   "configuration": {"Arn": arn, "StateMachineName": name, "StateMachineType": m.r#type().as_str(),
                                     "RoleArn": m.role_arn(), "LoggingConfiguration": logging,
                                     "TracingConfiguration": m.tracing_configuration().map(|t| json!({"Enabled": t.enabled()}))},
                   "supplementaryConfiguration": {}, "tags": tags}),
            "Step Functions state machine",
        )?);
    }
    Ok(items)
}

/// Every secret of the region (`ListSecrets`, which carries the rotation settings and tags).
pub(super) async fn secrets(sdk: &SdkConfig, account: &str, region: &str) -> Result<Vec<ConfigurationItem>, CliError> {
    const TYPE: &str = "AWS::SecretsManager::Secret";
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    let mut items = Vec::new();
    let mut pages = client.list_secrets().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("ListSecrets", e)))?;
        for s in page.secret_list() {
            let (Some(arn), Some(name)) = (s.arn(), s.name()) else {
                continue;
            };
            let rules = s.rotation_rules().map(|r| {
                json!({"AutomaticallyAfterDays": r.automatically_after_days(), "Duration": r.duration(),
                       "ScheduleExpression": r.schedule_expression()})
            });
            let tags: BTreeMap<String, String> = s
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
                .collect();
            items.push(api_item(
                json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": TYPE,
                       "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                       "configuration": {"ARN": arn, "Name": name, "KMSKeyId": s.kms_key_id(),
                                         "RotationEnabled": s.rotation_enabled().unwrap_or(false),
                                         "RotationLambdaARN": s.rotation_lambda_arn(), "RotationRules": rules,
                                         "Deleted": s.deleted_date().is_some()},
                       "supplementaryConfiguration": {}, "tags": tags}),
                "Secrets Manager secret",
            )?);
        }
    }
    Ok(items)
}
