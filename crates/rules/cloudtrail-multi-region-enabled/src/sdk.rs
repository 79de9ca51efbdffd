//! [`TrailApi`] over the AWS SDK for CloudTrail.

use async_trait::async_trait;
use config_rules_core::{sdk_error, Error};

use crate::{BasicSelector, DataResource, FieldSelector, Selectors, TrailApi, TrailInfo};

/// An advanced event selector's field condition as the SDK returns it (trails' and event data
/// stores' alike).
pub fn field_selector(f: &aws_sdk_cloudtrail::types::AdvancedFieldSelector) -> FieldSelector {
    FieldSelector {
        field: f.field().to_string(),
        equals: f.equals().to_vec(),
        starts_with: f.starts_with().to_vec(),
        ends_with: f.ends_with().to_vec(),
        not_equals: f.not_equals().to_vec(),
        not_starts_with: f.not_starts_with().to_vec(),
        not_ends_with: f.not_ends_with().to_vec(),
    }
}

/// CloudTrail through the SDK.
#[derive(Debug, Clone)]
pub struct SdkTrails {
    client: aws_sdk_cloudtrail::Client,
}

impl SdkTrails {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkTrails {
            client: aws_sdk_cloudtrail::Client::new(sdk),
        }
    }
}

#[async_trait]
impl TrailApi for SdkTrails {
    async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error> {
        let out = self
            .client
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTrails", e))?;
        Ok(out
            .trail_list()
            .iter()
            .map(|t| TrailInfo {
                name: t.name().unwrap_or_default().to_string(),
                arn: t.trail_arn().or(t.name()).unwrap_or_default().to_string(),
                multi_region: t.is_multi_region_trail().unwrap_or(false),
                log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
                kms_key_id: t.kms_key_id().map(str::to_string),
                cloudwatch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
            })
            .collect())
    }

    async fn is_logging(&self, trail_arn: &str) -> Result<bool, Error> {
        let out = self
            .client
            .get_trail_status()
            .name(trail_arn)
            .send()
            .await
            .map_err(|e| sdk_error("GetTrailStatus", e))?;
        Ok(out.is_logging().unwrap_or(false))
    }

    async fn event_selectors(&self, trail_arn: &str) -> Result<Selectors, Error> {
        let out = self
            .client
            .get_event_selectors()
            .trail_name(trail_arn)
            .send()
            .await
            .map_err(|e| sdk_error("GetEventSelectors", e))?;
        let advanced = out.advanced_event_selectors();
        if !advanced.is_empty() {
            return Ok(Selectors::Advanced(
                advanced
                    .iter()
                    .map(|s| s.field_selectors().iter().map(field_selector).collect())
                    .collect(),
            ));
        }
        let basic = out.event_selectors();
        if basic.is_empty() {
            return Ok(Selectors::None);
        }
        Ok(Selectors::Basic(
            basic
                .iter()
                .map(|s| BasicSelector {
                    read_write_type: s
                        .read_write_type()
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_else(|| "All".into()),
                    include_management_events: s.include_management_events().unwrap_or(true),
                    exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
                    data_resources: s
                        .data_resources()
                        .iter()
                        .map(|d| DataResource {
                            resource_type: d.r#type().unwrap_or_default().to_string(),
                            values: d.values().to_vec(),
                        })
                        .collect(),
                })
                .collect(),
        ))
    }
}
