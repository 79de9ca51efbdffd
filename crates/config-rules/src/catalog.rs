//! Every rule of the suite, in one place: the CLI, the docs and the template checks read it.

use config_rules_core::{AnyRule, RuleMeta, SdkConfig};

/// One rule of the suite: its metadata, and how to build it (its AWS clients from an SDK
/// configuration; no call is made until it is used).
#[derive(Clone, Copy)]
pub struct Entry {
    pub meta: &'static RuleMeta,
    pub build: fn(&SdkConfig) -> Box<dyn AnyRule>,
}

/// An [`Entry`] for the rule crate `$krate` (its `META` and `rule` constructor).
macro_rules! rule {
    ($krate:ident) => {
        Entry {
            meta: &$krate::META,
            build: |sdk| Box::new($krate::rule(sdk)),
        }
    };
}

/// Every rule, in the order the suite presents them: the one registry the CLI, the docs and the
/// template generators read. `make new-rule` adds a line.
pub const RULES: &[Entry] = &[
    rule!(lambda_timeout_within_limit),
    rule!(iam_no_wildcard_permissions),
    rule!(api_gw_cache_encrypted),
    rule!(cloudtrail_multi_region_enabled),
    rule!(lambda_execution_role_not_shared),
    rule!(lambda_env_encrypted_with_cmk),
    rule!(lambda_concurrency_limited),
    rule!(lambda_supported_runtime),
    rule!(lambda_no_public_access),
    rule!(lambda_code_signing_enabled),
    rule!(iam_access_keys_rotated),
    rule!(kms_key_rotation_enabled),
    rule!(api_gw_throttling_configured),
    rule!(api_gw_waf_associated),
    rule!(api_gw_logging_enabled),
    rule!(s3_bucket_encryption_enabled),
    rule!(required_tags),
    rule!(api_gw_authorization_required),
    rule!(lambda_tracing_enabled),
    rule!(lambda_layers_from_trusted_accounts),
    rule!(lambda_url_cors_restricted),
    rule!(lambda_async_failures_captured),
    rule!(lambda_env_no_plaintext_secrets),
    rule!(sqs_queue_encrypted),
    rule!(sns_topic_encrypted),
    rule!(dynamodb_table_protected),
    rule!(stepfunctions_logging_enabled),
    rule!(secretsmanager_rotation_enabled),
    rule!(cloudtrail_lambda_data_events_logged),
];

/// Every rule's metadata, in the order the suite presents them.
pub fn metas() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|e| e.meta).collect()
}

/// The metadata of one rule.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|e| e.meta.id == id).map(|e| e.meta)
}

/// The rule with this id, its AWS clients built from `sdk` (no call is made until used).
pub fn build(id: &str, sdk: &SdkConfig) -> Option<Box<dyn AnyRule>> {
    RULES.iter().find(|e| e.meta.id == id).map(|e| (e.build)(sdk))
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

    /// What a rule reads of `supplementaryConfiguration` is declared, so a scan fetches it.
    #[test]
    fn supplementary_reads_are_declared() {
        for m in metas() {
            let mut read: Vec<&str> = m
                .source
                .split("supplementary(\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .collect();
            read.sort();
            read.dedup();
            let mut declared = m.reads_supplementary.to_vec();
            declared.sort();
            assert_eq!(read, declared, "{}: META.reads_supplementary", m.id);
        }
    }

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("lambda-timeout-within-limit"), "LambdaTimeoutWithinLimit");
        assert_eq!(pascal("requireCloudWatchLogs"), "RequireCloudWatchLogs");
    }
}
