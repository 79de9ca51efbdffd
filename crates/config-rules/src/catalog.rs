//! Every rule of the suite, in one place: the CLI, the docs and the template checks read it.

use config_rules_core::{AnyRule, RuleMeta, SdkConfig};

/// Every rule's metadata, in the order the suite presents them.
pub fn metas() -> Vec<&'static RuleMeta> {
    vec![
        &lambda_timeout_within_limit::META,
        &iam_no_wildcard_permissions::META,
        &api_gw_cache_encrypted::META,
        &cloudtrail_multi_region_enabled::META,
        &lambda_execution_role_not_shared::META,
        &lambda_env_encrypted_with_cmk::META,
        &lambda_concurrency_limited::META,
        &lambda_supported_runtime::META,
        &lambda_no_public_access::META,
        &lambda_code_signing_enabled::META,
        &iam_access_keys_rotated::META,
        &kms_key_rotation_enabled::META,
        &api_gw_throttling_configured::META,
        &api_gw_waf_associated::META,
        &api_gw_logging_enabled::META,
        &s3_bucket_encryption_enabled::META,
        &required_tags::META,
        &api_gw_authorization_required::META,
    ]
}

/// The metadata of one rule.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    metas().into_iter().find(|m| m.id == id)
}

/// The rule with this id, its AWS clients built from `sdk` (no call is made until used).
pub fn build(id: &str, sdk: &SdkConfig) -> Option<Box<dyn AnyRule>> {
    Some(match id {
        "lambda-timeout-within-limit" => Box::new(lambda_timeout_within_limit::LambdaTimeoutWithinLimit),
        "iam-no-wildcard-permissions" => Box::new(iam_no_wildcard_permissions::IamNoWildcardPermissions),
        "api-gw-cache-encrypted" => Box::new(api_gw_cache_encrypted::ApiGwCacheEncrypted),
        "cloudtrail-multi-region-enabled" => {
            Box::new(cloudtrail_multi_region_enabled::CloudtrailMultiRegionEnabled::new(
                cloudtrail_multi_region_enabled::SdkTrails::new(sdk),
            ))
        }
        "lambda-execution-role-not-shared" => {
            Box::new(lambda_execution_role_not_shared::LambdaExecutionRoleNotShared::new(
                lambda_execution_role_not_shared::SdkLambda::new(sdk),
            ))
        }
        "lambda-env-encrypted-with-cmk" => Box::new(lambda_env_encrypted_with_cmk::LambdaEnvEncryptedWithCmk),
        "lambda-concurrency-limited" => Box::new(lambda_concurrency_limited::LambdaConcurrencyLimited),
        "lambda-supported-runtime" => Box::new(lambda_supported_runtime::LambdaSupportedRuntime::new(
            lambda_facts::SdkLambda::new(sdk),
        )),
        "lambda-no-public-access" => Box::new(lambda_no_public_access::LambdaNoPublicAccess::new(
            lambda_facts::SdkLambda::new(sdk),
        )),
        "lambda-code-signing-enabled" => Box::new(lambda_code_signing_enabled::LambdaCodeSigningEnabled::new(
            lambda_facts::SdkLambda::new(sdk),
        )),
        "iam-access-keys-rotated" => Box::new(iam_access_keys_rotated::IamAccessKeysRotated::new(
            iam_access_keys_rotated::SdkIam::new(sdk),
        )),
        "kms-key-rotation-enabled" => Box::new(kms_key_rotation_enabled::KmsKeyRotationEnabled::new(
            kms_key_rotation_enabled::SdkKms::new(sdk),
        )),
        "api-gw-throttling-configured" => Box::new(api_gw_throttling_configured::ApiGwThrottlingConfigured),
        "api-gw-waf-associated" => Box::new(api_gw_waf_associated::ApiGwWafAssociated),
        "api-gw-logging-enabled" => Box::new(api_gw_logging_enabled::ApiGwLoggingEnabled),
        "s3-bucket-encryption-enabled" => Box::new(s3_bucket_encryption_enabled::S3BucketEncryptionEnabled),
        "required-tags" => Box::new(required_tags::RequiredTags),
        "api-gw-authorization-required" => Box::new(api_gw_authorization_required::ApiGwAuthorizationRequired::new(
            api_gw_authorization_required::SdkApis::new(sdk),
        )),
        _ => return None,
    })
}

/// `lambda-timeout-within-limit` → `LambdaTimeoutWithinLimit` (template logical ids).
pub fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_buildable() {
        let sdk = SdkConfig::builder().build();
        let mut ids: Vec<&str> = metas().iter().map(|m| m.id).collect();
        for id in &ids {
            assert_eq!(build(id, &sdk).map(|r| r.meta().id), Some(*id));
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), metas().len());
        assert!(build("no-such-rule", &sdk).is_none());
    }

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("lambda-timeout-within-limit"), "LambdaTimeoutWithinLimit");
        assert_eq!(pascal("requireCloudWatchLogs"), "RequireCloudWatchLogs");
    }
}
