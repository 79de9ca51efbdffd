//! What Lambda rules read from the Lambda API when Config's item does not hold it, behind
//! narrow traits (one per need) so each rule's tests can fake exactly what it uses.

use async_trait::async_trait;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use config_rules_core::{sdk_error, Error, SdkConfig};

/// A function as `ListFunctions` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunctionSummary {
    pub name: String,
    pub role_arn: String,
    /// `None` for container images.
    pub runtime: Option<String>,
    /// `Zip` or `Image`.
    pub package_type: String,
}

/// Every function of the region.
#[async_trait]
pub trait FunctionLister: Send + Sync {
    /// `ListFunctions`, all pages.
    async fn list_functions(&self) -> Result<Vec<FunctionSummary>, Error>;
}

/// A function's URL configuration.
#[async_trait]
pub trait FunctionUrlApi: Send + Sync {
    /// The `AuthType` of the function URL (`NONE` or `AWS_IAM`), or `None` without a URL
    /// (`GetFunctionUrlConfig`).
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, Error>;
}

/// A function's code signing.
#[async_trait]
pub trait CodeSigningApi: Send + Sync {
    /// The code signing configuration ARN, or `None` (`GetFunctionCodeSigningConfig`).
    async fn code_signing_config_arn(&self, function_name: &str) -> Result<Option<String>, Error>;
    /// `UntrustedArtifactOnDeployment` of a code signing configuration: `Enforce` or `Warn`
    /// (`GetCodeSigningConfig`).
    async fn untrusted_artifact_policy(&self, config_arn: &str) -> Result<String, Error>;
}

/// All of the above over the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkLambda {
    client: aws_sdk_lambda::Client,
}

impl SdkLambda {
    pub fn new(sdk: &SdkConfig) -> Self {
        SdkLambda {
            client: aws_sdk_lambda::Client::new(sdk),
        }
    }
}

fn not_found<E: ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ResourceNotFoundException")
}

#[async_trait]
impl FunctionLister for SdkLambda {
    async fn list_functions(&self) -> Result<Vec<FunctionSummary>, Error> {
        let mut out = Vec::new();
        let mut pages = self.client.list_functions().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("ListFunctions", e))?;
            out.extend(page.functions().iter().filter_map(|f| {
                Some(FunctionSummary {
                    name: f.function_name()?.to_string(),
                    role_arn: f.role().unwrap_or_default().to_string(),
                    runtime: f.runtime().map(|r| r.as_str().to_string()),
                    package_type: f.package_type().map(|p| p.as_str()).unwrap_or("Zip").to_string(),
                })
            }));
        }
        Ok(out)
    }
}

#[async_trait]
impl FunctionUrlApi for SdkLambda {
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, Error> {
        match self
            .client
            .get_function_url_config()
            .function_name(function_name)
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.auth_type().as_str().to_string())),
            Err(e) if e.as_service_error().is_some_and(not_found) => Ok(None),
            Err(e) => Err(sdk_error("GetFunctionUrlConfig", e)),
        }
    }
}

#[async_trait]
impl CodeSigningApi for SdkLambda {
    async fn code_signing_config_arn(&self, function_name: &str) -> Result<Option<String>, Error> {
        // A function without code signing answers with an empty ARN; a missing function is an
        // error (the item is stale), not "unsigned".
        let out = self
            .client
            .get_function_code_signing_config()
            .function_name(function_name)
            .send()
            .await
            .map_err(|e| sdk_error("GetFunctionCodeSigningConfig", e))?;
        Ok(Some(out.code_signing_config_arn().to_string()).filter(|a| !a.is_empty()))
    }

    async fn untrusted_artifact_policy(&self, config_arn: &str) -> Result<String, Error> {
        let out = self
            .client
            .get_code_signing_config()
            .code_signing_config_arn(config_arn)
            .send()
            .await
            .map_err(|e| sdk_error("GetCodeSigningConfig", e))?;
        Ok(out
            .code_signing_config()
            .and_then(|c| c.code_signing_policies())
            .and_then(|p| p.untrusted_artifact_on_deployment())
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "Warn".to_string()))
    }
}
