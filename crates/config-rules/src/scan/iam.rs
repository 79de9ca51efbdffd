//! IAM users, roles, groups and policies as Config records them.

use std::collections::{BTreeMap, BTreeSet};

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::{json, Value};

use super::{api_item, time};
use crate::CliError;

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

/// IAM users, roles, groups and customer managed policies of the types asked for
/// (`GetAccountAuthorizationDetails`).
pub(super) async fn iam_items(
    sdk: &SdkConfig,
    account: &str,
    types: &BTreeSet<&str>,
) -> Result<Vec<ConfigurationItem>, CliError> {
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
