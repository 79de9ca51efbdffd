//! The narrow slice of the AWS Config API the engine uses, behind a trait so tests can fake it.

use async_trait::async_trait;
use aws_sdk_config::types::{ComplianceType, Evaluation as SdkEvaluation, ResourceType};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::evaluation::{Compliance, Evaluation};
use crate::item::ConfigurationItem;
use crate::{sdk_error, Error};

/// A resource that a rule has a stored result for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportedResource {
    pub resource_type: String,
    pub resource_id: String,
    pub compliance: Compliance,
}

/// An evaluation that PutEvaluations returned in `FailedEvaluations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedEvaluation {
    pub resource_type: String,
    pub resource_id: String,
}

#[async_trait]
pub trait ConfigApi: Send + Sync {
    /// One PutEvaluations call (at most 100 evaluations); returns `FailedEvaluations`.
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        evaluations: &[Evaluation],
    ) -> Result<Vec<FailedEvaluation>, Error>;

    /// The newest item at or before `later_time` (`GetResourceConfigHistory`, limit 1).
    async fn resource_config_history(
        &self,
        resource_type: &str,
        resource_id: &str,
        later_time: DateTime<Utc>,
    ) -> Result<Option<ConfigurationItem>, Error>;

    /// Every resource the rule currently has a result for
    /// (`GetComplianceDetailsByConfigRule`, all pages).
    async fn reported_resources(&self, config_rule_name: &str) -> Result<Vec<ReportedResource>, Error>;
}

/// [`ConfigApi`] over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkConfigApi {
    client: aws_sdk_config::Client,
}

impl SdkConfigApi {
    pub fn new(client: aws_sdk_config::Client) -> Self {
        SdkConfigApi { client }
    }
}

fn to_smithy(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

/// An SDK timestamp as RFC 3339 text (`Null` when out of range), as item JSON carries it.
pub fn smithy_time_json(t: &aws_smithy_types::DateTime) -> Value {
    let millis = t.to_millis().unwrap_or_default();
    match DateTime::<Utc>::from_timestamp_millis(millis) {
        Some(t) => Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => Value::Null,
    }
}

/// Renders an SDK configuration item in the Config API's JSON shape, so that one converter
/// ([`ConfigurationItem::from_api_json`]) serves the SDK, the CLI's files and tests.
pub fn sdk_item_to_api_json(item: &aws_sdk_config::types::ConfigurationItem) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("accountId", item.account_id().map(|s| json!(s)));
    put(
        "configurationItemCaptureTime",
        item.configuration_item_capture_time().map(smithy_time_json),
    );
    put(
        "configurationItemStatus",
        item.configuration_item_status().map(|s| json!(s.as_str())),
    );
    put("arn", item.arn().map(|s| json!(s)));
    put("resourceType", item.resource_type().map(|s| json!(s.as_str())));
    put("resourceId", item.resource_id().map(|s| json!(s)));
    put("resourceName", item.resource_name().map(|s| json!(s)));
    put("awsRegion", item.aws_region().map(|s| json!(s)));
    put("configuration", item.configuration().map(|s| json!(s)));
    put("tags", item.tags().map(|t| json!(t)));
    put(
        "supplementaryConfiguration",
        item.supplementary_configuration().map(|t| json!(t)),
    );
    Value::Object(m)
}

#[async_trait]
impl ConfigApi for SdkConfigApi {
    async fn put_evaluations(
        &self,
        result_token: &str,
        test_mode: bool,
        evaluations: &[Evaluation],
    ) -> Result<Vec<FailedEvaluation>, Error> {
        let mut req = self.client.put_evaluations().result_token(result_token);
        if test_mode {
            req = req.test_mode(true);
        }
        for e in evaluations {
            let sdk = SdkEvaluation::builder()
                .compliance_resource_type(&e.resource_type)
                .compliance_resource_id(&e.resource_id)
                .compliance_type(ComplianceType::from(e.compliance.as_str()))
                .annotation(&e.annotation)
                .ordering_timestamp(to_smithy(e.ordering_timestamp))
                .build()
                .map_err(|err| Error::aws("PutEvaluations", err))?;
            req = req.evaluations(sdk);
        }
        let out = req.send().await.map_err(|e| sdk_error("PutEvaluations", e))?;
        Ok(out
            .failed_evaluations()
            .iter()
            .map(|f| FailedEvaluation {
                resource_type: f.compliance_resource_type().to_string(),
                resource_id: f.compliance_resource_id().to_string(),
            })
            .collect())
    }

    async fn resource_config_history(
        &self,
        resource_type: &str,
        resource_id: &str,
        later_time: DateTime<Utc>,
    ) -> Result<Option<ConfigurationItem>, Error> {
        let out = self
            .client
            .get_resource_config_history()
            .resource_type(ResourceType::from(resource_type))
            .resource_id(resource_id)
            .later_time(to_smithy(later_time))
            .limit(1)
            .send()
            .await
            .map_err(|e| sdk_error("GetResourceConfigHistory", e))?;
        match out.configuration_items().first() {
            None => Ok(None),
            Some(item) => {
                let json = sdk_item_to_api_json(item);
                ConfigurationItem::from_api_json(&json, "GetResourceConfigHistory.configurationItems[0]").map(Some)
            }
        }
    }

    async fn reported_resources(&self, config_rule_name: &str) -> Result<Vec<ReportedResource>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .get_compliance_details_by_config_rule()
            .config_rule_name(config_rule_name)
            .limit(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("GetComplianceDetailsByConfigRule", e))?;
            for r in page.evaluation_results() {
                let qualifier = r
                    .evaluation_result_identifier()
                    .and_then(|i| i.evaluation_result_qualifier());
                let (Some(q), Some(c)) = (qualifier, r.compliance_type()) else {
                    continue;
                };
                let (Some(t), Some(id), Some(compliance)) =
                    (q.resource_type(), q.resource_id(), Compliance::parse(c.as_str()))
                else {
                    continue;
                };
                out.push(ReportedResource {
                    resource_type: t.to_string(),
                    resource_id: id.to_string(),
                    compliance,
                });
            }
        }
        Ok(out)
    }
}
