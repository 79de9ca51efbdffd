//! API Gateway REST APIs and stages, HTTP and WebSocket APIs and stages, as Config records
//! them (resource ids are ARNs; see `config_rules_core::apigw`).

use std::collections::{BTreeMap, BTreeSet};

use config_rules_core::{sdk_error, ConfigurationItem, SdkConfig};
use serde_json::{json, Value};

use super::{api_item, time};
use crate::CliError;

/// Every HTTP and WebSocket API (`AWS::ApiGatewayV2::Api`) and, when asked, its stages.
pub(super) async fn v2_apis(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    types: &BTreeSet<&str>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_apigatewayv2::Client::new(sdk);
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_apis()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| CliError::Aws(sdk_error("GetApis", e)))?;
        for a in page.items() {
            let Some(id) = a.api_id() else { continue };
            if types.contains("AWS::ApiGatewayV2::Api") {
                // Config's resource id of an API is its ARN (see config_rules_core::apigw).
                let arn = config_rules_core::apigw::http_api_arn(region, id);
                items.push(api_item(
                    json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGatewayV2::Api",
                           "resourceId": arn, "resourceName": a.name(), "arn": arn, "awsRegion": region,
                           "configuration": {"apiId": id, "name": a.name(), "protocolType": a.protocol_type().map(|p| p.as_str()),
                                             "apiEndpoint": a.api_endpoint()},
                           "tags": a.tags()}),
                    "API Gateway HTTP API",
                )?);
            }
            if types.contains("AWS::ApiGatewayV2::Stage") {
                let stages = client
                    .get_stages()
                    .api_id(id)
                    .send()
                    .await
                    .map_err(|e| CliError::Aws(sdk_error("GetStages", e)))?;
                for st in stages.items() {
                    let name = st.stage_name().unwrap_or_default();
                    let arn = format!("arn:aws:apigateway:{region}::/apis/{id}/stages/{name}");
                    let access = st
                        .access_log_settings()
                        .map(|a| json!({"destinationArn": a.destination_arn(), "format": a.format()}));
                    items.push(api_item(
                        json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGatewayV2::Stage",
                               "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                               "configuration": {"stageName": name, "apiId": id, "autoDeploy": st.auto_deploy(),
                                                 "accessLogSettings": access,
                                                 "defaultRouteSettings": st.default_route_settings().map(route_settings),
                                                 "routeSettings": st.route_settings().map(|m| m.iter().map(|(k, v)| (k.clone(), route_settings(v))).collect::<serde_json::Map<_, _>>())},
                               "tags": st.tags()}),
                        "API Gateway HTTP API stage",
                    )?);
                }
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

/// A stage's default or per-route settings as Config records them (lower camel case, only the
/// fields that are set).
fn route_settings(r: &aws_sdk_apigatewayv2::types::RouteSettings) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        if !v.is_null() {
            m.insert(k.to_string(), v);
        }
    };
    put("dataTraceEnabled", json!(r.data_trace_enabled()));
    put("detailedMetricsEnabled", json!(r.detailed_metrics_enabled()));
    put("loggingLevel", json!(r.logging_level().map(|l| l.as_str())));
    put("throttlingBurstLimit", json!(r.throttling_burst_limit()));
    put("throttlingRateLimit", json!(r.throttling_rate_limit()));
    serde_json::Value::Object(m)
}

/// Every REST API (as `AWS::ApiGateway::RestApi` items) and, when asked, its stages.
pub(super) async fn api_stages(
    sdk: &SdkConfig,
    account: &str,
    region: &str,
    types: &BTreeSet<&str>,
) -> Result<Vec<ConfigurationItem>, CliError> {
    let client = aws_sdk_apigateway::Client::new(sdk);
    let mut apis = Vec::new();
    let mut items = Vec::new();
    let mut pages = client.get_rest_apis().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Aws(sdk_error("GetRestApis", e)))?;
        for a in page.items() {
            let Some(id) = a.id() else { continue };
            apis.push(id.to_string());
            if types.contains("AWS::ApiGateway::RestApi") {
                // Config's resource id of an API is its ARN (see config_rules_core::apigw).
                let arn = config_rules_core::apigw::rest_api_arn(region, id);
                items.push(api_item(
                    json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGateway::RestApi",
                           "resourceId": arn, "resourceName": a.name(), "arn": arn, "awsRegion": region,
                           "configuration": {"id": id, "name": a.name(), "description": a.description(),
                                             "apiKeySource": a.api_key_source().map(|k| k.as_str()),
                                             "createdDate": time(a.created_date())},
                           "tags": a.tags()}),
                    "API Gateway REST API",
                )?);
            }
        }
    }
    if !types.contains("AWS::ApiGateway::Stage") {
        return Ok(items);
    }
    for api in apis {
        let stages = client
            .get_stages()
            .rest_api_id(&api)
            .send()
            .await
            .map_err(|e| CliError::Aws(sdk_error("GetStages", e)))?;
        for s in stages.item() {
            let name = s.stage_name().unwrap_or_default();
            let arn = format!("arn:aws:apigateway:{region}::/restapis/{api}/stages/{name}");
            let settings: BTreeMap<&String, Value> = s
                .method_settings()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (k, json!({
                                "metricsEnabled": v.metrics_enabled(), "loggingLevel": v.logging_level(),
                                "dataTraceEnabled": v.data_trace_enabled(), "throttlingBurstLimit": v.throttling_burst_limit(),
                                "throttlingRateLimit": v.throttling_rate_limit(), "cachingEnabled": v.caching_enabled(),
                                "cacheTtlInSeconds": v.cache_ttl_in_seconds(), "cacheDataEncrypted": v.cache_data_encrypted(),
                                "requireAuthorizationForCacheControl": v.require_authorization_for_cache_control(),
                                "unauthorizedCacheControlHeaderStrategy": v.unauthorized_cache_control_header_strategy().map(|x| x.as_str()),
                            }))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let configuration = json!({
                "stageName": name, "restApiId": api, "deploymentId": s.deployment_id(), "description": s.description(),
                "cacheClusterEnabled": s.cache_cluster_enabled(), "cacheClusterSize": s.cache_cluster_size().map(|c| c.as_str()),
                "cacheClusterStatus": s.cache_cluster_status().map(|c| c.as_str()), "methodSettings": settings,
                "tracingEnabled": s.tracing_enabled(), "webAclArn": s.web_acl_arn(),
                "accessLogSettings": s.access_log_settings().map(|a| json!({"format": a.format(), "destinationArn": a.destination_arn()})),
                "clientCertificateId": s.client_certificate_id(), "variables": s.variables(),
                "createdDate": time(s.created_date()), "lastUpdatedDate": time(s.last_updated_date()),
            });
            items.push(api_item(
                json!({"accountId": account, "configurationItemStatus": "OK", "resourceType": "AWS::ApiGateway::Stage",
                       "resourceId": arn, "resourceName": name, "arn": arn, "awsRegion": region,
                       "configuration": configuration, "tags": s.tags()}),
                "API Gateway stage",
            )?);
        }
    }
    Ok(items)
}
