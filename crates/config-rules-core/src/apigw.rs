//! Helpers for API Gateway items shared by the API Gateway rules.
//!
//! In AWS Config, API Gateway resources are known by their ARN, not their bare id: an
//! `AWS::ApiGateway::RestApi` item's `resourceId` (and `ARN`) is
//! `arn:aws:apigateway:REGION::/restapis/API_ID`, an `AWS::ApiGatewayV2::Api`'s is
//! `arn:aws:apigateway:REGION::/apis/API_ID`; the bare id is in `configuration.id` /
//! `configuration.apiId` (AWS's sample items in awslabs/aws-config-rdk,
//! `rdk/template/example_ci/AWS_ApiGateway_RestApi.json` and `AWS_ApiGatewayV2_Api.json`).
//! API Gateway's own API takes the bare id; results are reported under Config's id.

/// The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Config's resource id of a REST API: `arn:aws:apigateway:REGION::/restapis/ID`.
pub fn rest_api_arn(region: &str, api_id: &str) -> String {
    format!("arn:{}:apigateway:{region}::/restapis/{api_id}", partition(region))
}

/// Config's resource id of an HTTP or WebSocket API: `arn:aws:apigateway:REGION::/apis/ID`.
pub fn http_api_arn(region: &str, api_id: &str) -> String {
    format!("arn:{}:apigateway:{region}::/apis/{api_id}", partition(region))
}

/// The longest API id accepted before any call to API Gateway (its ids are 10 characters;
/// anything much longer is not an API id and must never reach a request URI).
pub const MAX_API_ID_CHARS: usize = 64;

/// The bare API id of an API item: `configuration.<id_key>` when present, else the last
/// segment of an ARN `resourceId` (`.../restapis/ID`, `.../apis/ID`), else the `resourceId`
/// itself. `Err` says why no usable id exists (absent, or not 1–64 letters and digits).
pub fn api_id<'a>(configured: Option<&'a str>, resource_id: &'a str, id_key: &str) -> Result<&'a str, String> {
    let id = match configured.filter(|s| !s.is_empty()) {
        Some(id) => id,
        None if resource_id.starts_with("arn:") => {
            let (_, last) = resource_id.rsplit_once('/').unwrap_or(("", ""));
            last
        }
        None => resource_id,
    };
    let ok = !id.is_empty() && id.len() <= MAX_API_ID_CHARS && id.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(id)
    } else if id.is_empty() {
        Err(format!("the item has no API id (configuration.{id_key})"))
    } else {
        Err(format!(
            "configuration.{id_key} is not an API Gateway id (1 to {MAX_API_ID_CHARS} letters and digits)"
        ))
    }
}

/// The `methodSettings` key of a stage's default settings.
pub const STAGE_DEFAULT_KEY: &str = "*/*";

/// A readable form of a `methodSettings` key: `~1pets~1{id}/GET` → `GET /pets/{id}`,
/// `*/*` → `all methods (*/*)`. `~1` encodes `/` and `~0` encodes `~`.
pub fn method_label(key: &str) -> String {
    if key == STAGE_DEFAULT_KEY {
        return "all methods (*/*)".to_string();
    }
    let (path, verb) = key.rsplit_once('/').unwrap_or((key, "*"));
    let path = path.replace("~1", "/").replace("~0", "~");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("{verb} {path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_ids_come_from_the_configuration_or_the_arn() {
        // AWS_ApiGateway_RestApi.json in aws-config-rdk: resourceId is the ARN, configuration.id the id.
        let arn = "arn:aws:apigateway:us-east-2::/restapis/test";
        assert_eq!(api_id(Some("test"), arn, "id"), Ok("test"));
        assert_eq!(api_id(None, arn, "id"), Ok("test"));
        assert_eq!(
            api_id(None, "arn:aws:apigateway:us-east-2::/apis/a1b2c3", "apiId"),
            Ok("a1b2c3")
        );
        assert_eq!(api_id(None, "a1b2c3d4e5", "id"), Ok("a1b2c3d4e5"));
        assert_eq!(
            api_id(Some(&"x".repeat(70_000)), arn, "id"),
            Err("configuration.id is not an API Gateway id (1 to 64 letters and digits)".to_string())
        );
        assert_eq!(
            api_id(None, "arn:aws:apigateway:us-east-2::/restapis/", "id"),
            Err("the item has no API id (configuration.id)".to_string())
        );
        assert!(api_id(Some("../x"), arn, "id").is_err());
    }

    #[test]
    fn arns_follow_the_partition() {
        assert_eq!(
            rest_api_arn("us-east-2", "abc"),
            "arn:aws:apigateway:us-east-2::/restapis/abc"
        );
        assert_eq!(
            http_api_arn("cn-north-1", "abc"),
            "arn:aws-cn:apigateway:cn-north-1::/apis/abc"
        );
        assert_eq!(
            http_api_arn("us-gov-west-1", "abc"),
            "arn:aws-us-gov:apigateway:us-gov-west-1::/apis/abc"
        );
    }

    #[test]
    fn keys_are_decoded() {
        assert_eq!(method_label("*/*"), "all methods (*/*)");
        assert_eq!(method_label("~1pets~1{id}/GET"), "GET /pets/{id}");
        assert_eq!(method_label("~1a~0b/POST"), "POST /a~b");
        assert_eq!(method_label("~1/*"), "* /");
    }
}
