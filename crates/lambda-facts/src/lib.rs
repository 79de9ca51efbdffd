//! What Lambda rules read from the Lambda API when Config's item does not hold it, behind
//! narrow traits (one per need) so each rule's tests can fake exactly what it uses.

use async_trait::async_trait;
use aws_sdk_lambda::error::ProvideErrorMetadata;
use config_rules_core::{sdk_error, Error, SdkConfig};

/// The function name of a Lambda item, checked against the Lambda API's limits before it is
/// put into any request URI: `configuration.functionName`, else the item's `resourceId` (which
/// Config sets to the function name), 1–64 letters, digits, `-` and `_` (Lambda API reference,
/// `FunctionName` of `GetFunctionUrlConfig`: "The length constraint applies only to the full
/// ARN. If you specify only the function name, it is limited to 64 characters"). `Err` is the
/// NOT_APPLICABLE verdict to report instead, saying what is wrong without quoting the value.
pub fn function_name(item: &config_rules_core::ConfigurationItem) -> Result<&str, config_rules_core::Verdict> {
    let (field, name) = match item.config_str("functionName") {
        Some(n) => ("configuration.functionName", n),
        None => ("resourceId", item.resource_id.as_str()),
    };
    let ok = !name.is_empty()
        && name.len() <= MAX_FUNCTION_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(config_rules_core::Verdict::not_applicable(format!(
            "The function cannot be checked: {field} is not a Lambda function name (1 to {MAX_FUNCTION_NAME_CHARS} letters, digits, - and _)."
        )))
    }
}

/// A policy element that IAM accepts as one string or a list of strings (`Action`,
/// `Principal.Service`, a condition's values), as a list; anything else reads as empty.
pub fn policy_strings(v: Option<&serde_json::Value>) -> Vec<&str> {
    match v {
        Some(serde_json::Value::String(s)) => vec![s.as_str()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(serde_json::Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The longest Lambda function name.
pub const MAX_FUNCTION_NAME_CHARS: usize = 64;

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

/// What a function URL's CORS lets browsers do (`Cors` of `GetFunctionUrlConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlCors {
    /// `AllowOrigins`: `*` or origins such as `https://www.example.com`.
    pub allow_origins: Vec<String>,
    /// `AllowCredentials` (Lambda's default `false`).
    pub allow_credentials: bool,
}

/// A function's URL as far as its CORS goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlCorsState {
    /// The function has no URL.
    NoUrl,
    /// A URL without CORS: browsers refuse cross-origin reads of its responses.
    NoCors,
    Cors(UrlCors),
}

/// A function URL's CORS configuration.
#[async_trait]
pub trait FunctionUrlCorsApi: Send + Sync {
    /// `GetFunctionUrlConfig`'s `Cors`, or that there is no URL.
    async fn url_cors(&self, function_name: &str) -> Result<UrlCorsState, Error>;
}

/// A function's environment variables, as `GetFunctionConfiguration` returns them.
#[derive(Clone, PartialEq, Eq)]
pub enum FunctionEnvironment {
    /// Name → value (empty without variables).
    Variables(std::collections::BTreeMap<String, String>),
    /// Lambda reports `Environment.Error` (it cannot decrypt the variables): their values are
    /// unknown, not absent.
    Undecryptable,
}

/// Never prints a value: environment values may be secrets.
impl std::fmt::Debug for FunctionEnvironment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FunctionEnvironment::Variables(v) => write!(f, "Variables({} redacted)", v.len()),
            FunctionEnvironment::Undecryptable => write!(f, "Undecryptable"),
        }
    }
}

/// A function's environment.
#[async_trait]
pub trait EnvironmentApi: Send + Sync {
    /// `Environment` of `GetFunctionConfiguration`.
    async fn environment(&self, function_name: &str) -> Result<FunctionEnvironment, Error>;
}

/// A function's asynchronous invocation configuration.
#[async_trait]
pub trait EventInvokeConfigApi: Send + Sync {
    /// `DestinationConfig.OnFailure.Destination` of the function's (unqualified) asynchronous
    /// invocation configuration, or `None` without a configuration or without an on-failure
    /// destination (`GetFunctionEventInvokeConfig`).
    async fn on_failure_destination(&self, function_name: &str) -> Result<Option<String>, Error>;
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

    /// Over a client configured by the caller (the CLI's scans retry throttled calls longer).
    pub fn from_client(client: aws_sdk_lambda::Client) -> Self {
        SdkLambda { client }
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

/// A function URL as `GetFunctionUrlConfig` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionUrl {
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    /// `NoCors` or `Cors` (never `NoUrl`).
    pub cors: UrlCorsState,
}

impl SdkLambda {
    /// `GetFunctionUrlConfig`: the function's URL, or `None` without one.
    pub async fn function_url(&self, function_name: &str) -> Result<Option<FunctionUrl>, Error> {
        match self
            .client
            .get_function_url_config()
            .function_name(function_name)
            .send()
            .await
        {
            Ok(out) => Ok(Some(FunctionUrl {
                auth_type: out.auth_type().as_str().to_string(),
                cors: match out.cors() {
                    None => UrlCorsState::NoCors,
                    Some(c) => UrlCorsState::Cors(UrlCors {
                        allow_origins: c.allow_origins().to_vec(),
                        allow_credentials: c.allow_credentials().unwrap_or(false),
                    }),
                },
            })),
            Err(e) if e.as_service_error().is_some_and(not_found) => Ok(None),
            Err(e) => Err(sdk_error("GetFunctionUrlConfig", e)),
        }
    }
}

#[async_trait]
impl FunctionUrlApi for SdkLambda {
    async fn url_auth_type(&self, function_name: &str) -> Result<Option<String>, Error> {
        Ok(self.function_url(function_name).await?.map(|u| u.auth_type))
    }
}

#[async_trait]
impl FunctionUrlCorsApi for SdkLambda {
    async fn url_cors(&self, function_name: &str) -> Result<UrlCorsState, Error> {
        Ok(self
            .function_url(function_name)
            .await?
            .map_or(UrlCorsState::NoUrl, |u| u.cors))
    }
}

#[async_trait]
impl EnvironmentApi for SdkLambda {
    async fn environment(&self, function_name: &str) -> Result<FunctionEnvironment, Error> {
        let out = self
            .client
            .get_function_configuration()
            .function_name(function_name)
            .send()
            .await
            .map_err(|e| sdk_error("GetFunctionConfiguration", e))?;
        let Some(env) = out.environment() else {
            return Ok(FunctionEnvironment::Variables(Default::default()));
        };
        if env.error().is_some() {
            return Ok(FunctionEnvironment::Undecryptable);
        }
        Ok(FunctionEnvironment::Variables(
            env.variables()
                .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        ))
    }
}

#[async_trait]
impl EventInvokeConfigApi for SdkLambda {
    async fn on_failure_destination(&self, function_name: &str) -> Result<Option<String>, Error> {
        match self
            .client
            .get_function_event_invoke_config()
            .function_name(function_name)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .destination_config()
                .and_then(|d| d.on_failure())
                .and_then(|f| f.destination())
                .filter(|d| !d.is_empty())
                .map(str::to_string)),
            // Lambda answers ResourceNotFoundException for a function without a configuration.
            Err(e) if e.as_service_error().is_some_and(not_found) => Ok(None),
            Err(e) => Err(sdk_error("GetFunctionEventInvokeConfig", e)),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use config_rules_core::ConfigurationItem;
    use serde_json::json;

    fn item(v: serde_json::Value) -> ConfigurationItem {
        ConfigurationItem::from_notification_json(&v, "item").unwrap()
    }

    #[test]
    fn function_names_are_checked_before_any_request() {
        let ok = item(
            json!({"resourceType": "AWS::Lambda::Function", "resourceId": "orders-api_2",
                             "configuration": {"functionName": "orders-api_2"}}),
        );
        assert_eq!(function_name(&ok), Ok("orders-api_2"));
        let from_id =
            item(json!({"resourceType": "AWS::Lambda::Function", "resourceId": "by-id", "configuration": {}}));
        assert_eq!(function_name(&from_id), Ok("by-id"));
        let long = item(json!({"resourceType": "AWS::Lambda::Function", "resourceId": "x",
                               "configuration": {"functionName": "a".repeat(70_000)}}));
        assert_eq!(
            function_name(&long),
            Err(config_rules_core::Verdict::not_applicable(
                "The function cannot be checked: configuration.functionName is not a Lambda function name (1 to 64 letters, digits, - and _)."
            ))
        );
        let odd = item(json!({"resourceType": "AWS::Lambda::Function", "resourceId": "a/../b", "configuration": {}}));
        assert!(function_name(&odd).is_err());
        let sixty_four = item(json!({"resourceType": "AWS::Lambda::Function", "resourceId": "a".repeat(64)}));
        assert!(function_name(&sixty_four).is_ok());
    }
}
