//! [`KeyApi`] over the AWS SDK.

use async_trait::async_trait;
use config_rules_core::{sdk_error, Error};

use crate::*;

/// [`KeyApi`] over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkKms {
    client: aws_sdk_kms::Client,
}

impl SdkKms {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkKms {
            client: aws_sdk_kms::Client::new(sdk),
        }
    }
}

#[async_trait]
impl KeyApi for SdkKms {
    async fn list_keys(&self) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut pages = self.client.list_keys().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListKeys", e))?;
            out.extend(page.keys().iter().filter_map(|k| k.key_id().map(str::to_string)));
        }
        Ok(out)
    }

    async fn describe_key(&self, key_id: &str) -> Result<Option<KeyInfo>, Error> {
        let out = match self.client.describe_key().key_id(key_id).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => return Ok(None),
            Err(e) => return Err(sdk_error("DescribeKey", e)),
        };
        let m = out
            .key_metadata()
            .ok_or_else(|| Error::aws("DescribeKey", "no key metadata in the answer"))?;
        Ok(Some(KeyInfo {
            id: m.key_id().to_string(),
            manager: m.key_manager().map(|x| x.as_str()).unwrap_or("CUSTOMER").to_string(),
            spec: m
                .key_spec()
                .map(|x| x.as_str())
                .unwrap_or("SYMMETRIC_DEFAULT")
                .to_string(),
            state: m.key_state().map(|x| x.as_str()).unwrap_or("Enabled").to_string(),
            origin: m.origin().map(|x| x.as_str()).unwrap_or("AWS_KMS").to_string(),
        }))
    }

    async fn rotation(&self, key_id: &str) -> Result<Rotation, Error> {
        let out = self
            .client
            .get_key_rotation_status()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| sdk_error("GetKeyRotationStatus", e))?;
        Ok(Rotation {
            enabled: out.key_rotation_enabled(),
            period_days: out.rotation_period_in_days(),
        })
    }
}
