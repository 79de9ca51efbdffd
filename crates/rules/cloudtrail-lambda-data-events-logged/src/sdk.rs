//! [`EventDataStoreApi`] over the AWS SDK for CloudTrail, and the trails through
//! cloudtrail-multi-region-enabled's [`SdkTrails`].

use async_trait::async_trait;
use cloudtrail_multi_region_enabled::{field_selector, SdkTrails, Selectors, TrailApi, TrailInfo};
use config_rules_core::{sdk_error, Error};

use crate::{DataStore, EventDataStoreApi};

/// CloudTrail Lake through the SDK.
#[derive(Debug, Clone)]
pub struct SdkLake {
    client: aws_sdk_cloudtrail::Client,
}

impl SdkLake {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkLake {
            client: aws_sdk_cloudtrail::Client::new(sdk),
        }
    }
}

#[async_trait]
impl EventDataStoreApi for SdkLake {
    async fn event_data_stores(&self) -> Result<Vec<DataStore>, Error> {
        let mut arns = Vec::new();
        let mut pages = self.client.list_event_data_stores().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListEventDataStores", e))?;
            arns.extend(
                page.event_data_stores()
                    .iter()
                    .filter_map(|s| s.event_data_store_arn().map(str::to_string)),
            );
        }
        let mut stores = Vec::with_capacity(arns.len());
        for arn in arns {
            let s = self
                .client
                .get_event_data_store()
                .event_data_store(&arn)
                .send()
                .await
                .map_err(|e| sdk_error("GetEventDataStore", e))?;
            stores.push(DataStore {
                name: s.name().unwrap_or(&arn).to_string(),
                enabled: s.status().is_some_and(|st| st.as_str() == "ENABLED"),
                selectors: s
                    .advanced_event_selectors()
                    .iter()
                    .map(|sel| sel.field_selectors().iter().map(field_selector).collect())
                    .collect(),
                arn,
            });
        }
        Ok(stores)
    }
}

/// Trails and event data stores through the SDK.
#[derive(Debug, Clone)]
pub struct SdkCloudTrail {
    trails: SdkTrails,
    lake: SdkLake,
}

impl SdkCloudTrail {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkCloudTrail {
            trails: SdkTrails::new(sdk),
            lake: SdkLake::new(sdk),
        }
    }
}

#[async_trait]
impl TrailApi for SdkCloudTrail {
    async fn describe_trails(&self) -> Result<Vec<TrailInfo>, Error> {
        self.trails.describe_trails().await
    }
    async fn is_logging(&self, trail_arn: &str) -> Result<bool, Error> {
        self.trails.is_logging(trail_arn).await
    }
    async fn event_selectors(&self, trail_arn: &str) -> Result<Selectors, Error> {
        self.trails.event_selectors(trail_arn).await
    }
}

#[async_trait]
impl EventDataStoreApi for SdkCloudTrail {
    async fn event_data_stores(&self) -> Result<Vec<DataStore>, Error> {
        self.lake.event_data_stores().await
    }
}
