//! S3 buckets as Config records them (`AWS::S3::Bucket`), with encryption and tags.

use std::collections::BTreeMap;

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::{json, Map};

use super::{api_item, time};
use crate::report::NotEvaluated;
use crate::CliError;

/// The S3 buckets. A bucket whose encryption or tags cannot be read (AccessDenied, say) is
/// listed in `not_evaluated` with the reason and left out, never judged as unencrypted or
/// untagged; only S3's own "not configured" answers mean "none".
pub(super) async fn s3_buckets(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    with_encryption: bool,
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
        // Read only for a rule that judges it (a bucket's item without it is complete for the
        // others).
        let encryption = if !with_encryption {
            None
        } else {
            match client.get_bucket_encryption().bucket(name).send().await {
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
            }
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
