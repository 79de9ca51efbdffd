//! [`ApiAuthApi`] over the AWS SDK.

use async_trait::async_trait;
use config_rules_core::{apigw, sdk_error, Error};

use crate::*;

/// [`ApiAuthApi`] over the AWS SDKs for API Gateway (REST) and API Gateway V2 (HTTP, WebSocket).
#[derive(Debug, Clone)]
pub struct SdkApis {
    rest: aws_sdk_apigateway::Client,
    v2: aws_sdk_apigatewayv2::Client,
    region: String,
}

impl SdkApis {
    pub fn new(sdk: &config_rules_core::SdkConfig) -> Self {
        SdkApis {
            rest: aws_sdk_apigateway::Client::new(sdk),
            v2: aws_sdk_apigatewayv2::Client::new(sdk),
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
        }
    }
}

#[async_trait]
impl ApiAuthApi for SdkApis {
    async fn list_apis(&self) -> Result<Vec<ApiRef>, Error> {
        let mut out = Vec::new();
        let mut pages = self.rest.get_rest_apis().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("GetRestApis", e))?;
            out.extend(page.items().iter().filter_map(|a| {
                Some(ApiRef {
                    resource_type: REST_API,
                    id: a.id()?.to_string(),
                    resource_id: apigw::rest_api_arn(&self.region, a.id()?),
                    name: a.name().unwrap_or_default().to_string(),
                })
            }));
        }
        let mut token: Option<String> = None;
        loop {
            let page = self
                .v2
                .get_apis()
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| sdk_error("GetApis", e))?;
            out.extend(page.items().iter().filter_map(|a| {
                Some(ApiRef {
                    resource_type: HTTP_API,
                    id: a.api_id()?.to_string(),
                    resource_id: apigw::http_api_arn(&self.region, a.api_id()?),
                    name: a.name().unwrap_or_default().to_string(),
                })
            }));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    async fn rest_methods(&self, rest_api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        let mut out = Vec::new();
        let mut pages = self
            .rest
            .get_resources()
            .rest_api_id(rest_api_id)
            .embed("methods")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("GetResources", e)),
            };
            for resource in page.items() {
                let path = resource.path().unwrap_or("/").to_string();
                for (verb, method) in resource.resource_methods().into_iter().flatten() {
                    out.push(Endpoint {
                        method: verb.clone(),
                        path: path.clone(),
                        authorization: method.authorization_type().unwrap_or("NONE").to_string(),
                        api_key_required: method.api_key_required().unwrap_or(false),
                    });
                }
            }
        }
        Ok(Some(out))
    }

    async fn routes(&self, api_id: &str) -> Result<Option<Vec<Endpoint>>, Error> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = match self
                .v2
                .get_routes()
                .api_id(api_id)
                .set_next_token(token.clone())
                .send()
                .await
            {
                Ok(p) => p,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => return Ok(None),
                Err(e) => return Err(sdk_error("GetRoutes", e)),
            };
            for route in page.items() {
                let key = route.route_key().unwrap_or_default();
                let (method, path) = match key.split_once(' ') {
                    Some((m, p)) => (m.to_string(), p.to_string()),
                    None => (String::new(), key.to_string()),
                };
                out.push(Endpoint {
                    method,
                    path,
                    authorization: route
                        .authorization_type()
                        .map(|a| a.as_str())
                        .unwrap_or("NONE")
                        .to_string(),
                    api_key_required: route.api_key_required().unwrap_or(false),
                });
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(Some(out))
    }
}
