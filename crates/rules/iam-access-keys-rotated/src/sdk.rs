//! [`AccessKeyApi`] over the AWS SDK.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use config_rules_core::{sdk_error, Error};

use crate::*;

/// [`AccessKeyApi`] over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkIam {
    client: aws_sdk_iam::Client,
}

impl SdkIam {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkIam {
            client: aws_sdk_iam::Client::new(sdk),
        }
    }
}

#[async_trait]
impl AccessKeyApi for SdkIam {
    async fn list_users(&self) -> Result<Vec<User>, Error> {
        let mut out = Vec::new();
        let mut pages = self.client.list_users().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListUsers", e))?;
            out.extend(page.users().iter().map(|u| User {
                name: u.user_name().to_string(),
                id: u.user_id().to_string(),
            }));
        }
        Ok(out)
    }

    async fn access_keys(&self, user_name: &str) -> Result<Option<Vec<AccessKey>>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .list_access_keys()
            .user_name(user_name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("ListAccessKeys", e)),
            };
            for k in page.access_key_metadata() {
                let (Some(id), Some(created)) = (k.access_key_id(), to_chrono(k.create_date())) else {
                    continue;
                };
                out.push(AccessKey {
                    id: id.to_string(),
                    active: k.status().is_some_and(|s| s.as_str() == "Active"),
                    created,
                    last_used: None,
                });
            }
        }
        Ok(Some(out))
    }

    async fn last_used(&self, key_id: &str) -> Result<Option<DateTime<Utc>>, Error> {
        let out = self
            .client
            .get_access_key_last_used()
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| sdk_error("GetAccessKeyLastUsed", e))?;
        Ok(to_chrono(out.access_key_last_used().and_then(|l| l.last_used_date())))
    }
}
