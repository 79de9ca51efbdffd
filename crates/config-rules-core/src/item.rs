//! Configuration items in the shape AWS Config puts into change notifications.
//!
//! The Config *API* (`GetResourceConfigHistory`, `BatchGetResourceConfig`, snapshots read
//! through the API) returns a different shape: `accountId` instead of `awsAccountId`, `arn`
//! instead of `ARN`, and `configuration` plus every `supplementaryConfiguration` value as JSON
//! *strings*. [`ConfigurationItem::from_api_json`] converts that shape, so every rule reads
//! one shape only.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::Error;

/// The tag that exempts a resource from rules: value `all`, or rule ids separated by spaces.
pub const EXEMPT_TAG: &str = "config-rules:exempt";

/// One configuration item (notification shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationItem {
    #[serde(default)]
    pub configuration_item_capture_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub configuration_item_status: Option<String>,
    #[serde(default)]
    pub aws_account_id: Option<String>,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(default)]
    pub resource_name: Option<String>,
    #[serde(rename = "ARN", default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub aws_region: Option<String>,
    /// The resource's configuration; `Null` for deleted resources.
    #[serde(default)]
    pub configuration: Value,
    /// Extra configuration (a Lambda function's `Policy`, an S3 bucket's encryption, ...).
    #[serde(default, deserialize_with = "null_as_default")]
    pub supplementary_configuration: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl ConfigurationItem {
    /// Parses an item in notification shape; `field` names where it sits in errors.
    pub fn from_notification_json(value: &Value, field: &str) -> Result<Self, Error> {
        if !value.is_object() {
            return Err(Error::malformed(field, "expected a configuration item object"));
        }
        ConfigurationItem::deserialize(value).map_err(|e| Error::malformed(field, crate::serde_reason(&e)))
    }

    /// Parses an item in Config API shape (`GetResourceConfigHistory`,
    /// `BatchGetResourceConfig`): renames `accountId`/`arn`, decodes the JSON strings in
    /// `configuration` and `supplementaryConfiguration`, and accepts capture times given as
    /// epoch seconds (as the AWS CLI prints them) or as RFC 3339 text.
    pub fn from_api_json(value: &Value, field: &str) -> Result<Self, Error> {
        let Value::Object(api) = value else {
            return Err(Error::malformed(field, "expected a configuration item object"));
        };
        let mut item = api.clone();
        if let Some(v) = item.remove("accountId") {
            item.entry("awsAccountId").or_insert(v);
        }
        if let Some(v) = item.remove("arn") {
            item.entry("ARN").or_insert(v);
        }
        for key in ["configurationItemCaptureTime", "resourceCreationTime"] {
            if let Some(Value::Number(n)) = item.get(key) {
                let time = n.as_f64().and_then(epoch_to_rfc3339);
                item.insert(key.to_string(), time.map(Value::String).unwrap_or(Value::Null));
            }
        }
        if let Some(Value::String(text)) = item.get("configuration") {
            let parsed = serde_json::from_str(text).map_err(|e| {
                Error::malformed(
                    format!("{field}.configuration"),
                    format!("not JSON: {}", crate::serde_reason(&e)),
                )
            })?;
            item.insert("configuration".to_string(), parsed);
        }
        if let Some(Value::Object(sup)) = item.get_mut("supplementaryConfiguration") {
            for v in sup.values_mut() {
                if let Value::String(text) = v {
                    // Values are JSON documents in string form; keep plain text as it is.
                    if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                        *v = parsed;
                    }
                }
            }
        }
        Self::from_notification_json(&Value::Object(item), field)
    }

    /// `ResourceDeleted` or `ResourceDeletedNotRecorded`.
    pub fn is_deleted(&self) -> bool {
        matches!(
            self.configuration_item_status.as_deref(),
            Some("ResourceDeleted" | "ResourceDeletedNotRecorded")
        )
    }

    /// `ResourceNotRecorded`: Config knows the resource but does not record its configuration.
    pub fn is_not_recorded(&self) -> bool {
        self.configuration_item_status.as_deref() == Some("ResourceNotRecorded")
    }

    /// The exemption tag's value, if the item carries the tag.
    pub fn exemption(&self) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k.as_str() == EXEMPT_TAG)
            .map(|(_, v)| v.as_str())
    }

    /// True when the exemption tag names `rule_id` or `all`.
    pub fn is_exempt_from(&self, rule_id: &str) -> bool {
        self.exemption().is_some_and(|v| {
            v.split_whitespace()
                .any(|word| word.eq_ignore_ascii_case("all") || word == rule_id)
        })
    }

    /// A string field of `configuration`.
    pub fn config_str(&self, key: &str) -> Option<&str> {
        self.configuration.get(key).and_then(Value::as_str)
    }

    /// A supplementary configuration value, decoding it when it arrives as a JSON string
    /// (Lambda's `Policy`, for example).
    pub fn supplementary(&self, key: &str) -> Option<Value> {
        match self.supplementary_configuration.get(key)? {
            Value::String(text) => serde_json::from_str(text)
                .ok()
                .or_else(|| Some(Value::String(text.clone()))),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
}

/// Reads an integer field of an item. `Ok(None)` when the field is absent or `null`;
/// `Ok(Some(n))` for an integer, an integral float (`25.0`: the AWS Config resource schema
/// types some integer fields, such as Lambda's `reservedConcurrentExecutions`, as floats) or
/// a string holding one; `Err(what was found)` for anything else that is present, so a
/// present but unreadable value is never taken for an absent one.
pub fn read_integer(value: Option<&Value>) -> Result<Option<i64>, String> {
    let from_f64 =
        |f: f64| -> Option<i64> { (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64) };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().and_then(from_f64))
            .map(Some)
            .ok_or_else(|| format!("{} (not a whole number)", crate::bounded(&n.to_string(), 40))),
        Some(Value::String(s)) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().and_then(from_f64))
                .map(Some)
                .ok_or_else(|| format!("the text {:?}", crate::bounded(s, 40)))
        }
        Some(other) => Err(crate::params::json_kind(other).to_string()),
    }
}

/// Reads a numeric field that may be fractional (API Gateway's throttling rate): like
/// [`read_integer`], for any finite number.
pub fn read_number(value: Option<&Value>) -> Result<Option<f64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| "a number out of range".to_string()),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| format!("the text {:?}", crate::bounded(s, 40))),
        Some(other) => Err(crate::params::json_kind(other).to_string()),
    }
}

/// Reads a boolean field: `Ok(None)` when absent or `null`, `true`/`false` (also as the
/// strings `"true"`/`"false"`), and `Err(what was found)` otherwise.
pub fn read_bool(value: Option<&Value>) -> Result<Option<bool>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(Value::String(s)) => Err(format!("the text {:?}", crate::bounded(s, 40))),
        Some(other) => Err(crate::params::json_kind(other).to_string()),
    }
}

fn epoch_to_rfc3339(secs: f64) -> Option<String> {
    let millis = (secs * 1000.0).round() as i64;
    Utc.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The summary an oversized notification carries instead of the item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemSummary {
    pub resource_type: String,
    pub resource_id: String,
    pub configuration_item_capture_time: DateTime<Utc>,
    #[serde(default)]
    pub configuration_item_status: Option<String>,
    #[serde(default)]
    pub aws_account_id: Option<String>,
    #[serde(default)]
    pub resource_name: Option<String>,
    #[serde(rename = "ARN", default)]
    pub arn: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api_shape_is_converted_to_notification_shape() {
        let api = json!({
            "version": "1.3",
            "accountId": "123456789012",
            "configurationItemCaptureTime": 1_700_000_000.5,
            "configurationItemStatus": "OK",
            "arn": "arn:aws:iam::123456789012:role/big",
            "resourceType": "AWS::IAM::Role",
            "resourceId": "AROAEXAMPLE",
            "resourceName": "big",
            "awsRegion": "global",
            "tags": {"team": "a"},
            "configuration": "{\"roleName\":\"big\",\"rolePolicyList\":[]}",
            "supplementaryConfiguration": {"Policy": "\"{\\\"Version\\\":\\\"2012-10-17\\\"}\"", "Plain": "text"}
        });
        let item = ConfigurationItem::from_api_json(&api, "item").unwrap();
        assert_eq!(item.aws_account_id.as_deref(), Some("123456789012"));
        assert_eq!(item.arn.as_deref(), Some("arn:aws:iam::123456789012:role/big"));
        assert_eq!(
            item.configuration_item_capture_time.unwrap().to_rfc3339(),
            "2023-11-14T22:13:20.500+00:00"
        );
        assert_eq!(item.configuration, json!({"roleName": "big", "rolePolicyList": []}));
        // A double-encoded supplementary value decodes to the notification's JSON string.
        assert_eq!(
            item.supplementary_configuration["Policy"],
            json!("{\"Version\":\"2012-10-17\"}")
        );
        assert_eq!(item.supplementary("Policy"), Some(json!({"Version": "2012-10-17"})));
        assert_eq!(item.supplementary("Plain"), Some(json!("text")));
        assert_eq!(item.tags.get("team").map(String::as_str), Some("a"));
    }

    #[test]
    fn api_configuration_that_is_not_json_names_the_field() {
        let api = json!({"resourceType": "AWS::IAM::Role", "resourceId": "r", "configuration": "{oops"});
        let err = ConfigurationItem::from_api_json(&api, "configurationItems[0]").unwrap_err();
        assert!(
            matches!(&err, Error::MalformedEvent { field, .. } if field == "configurationItems[0].configuration"),
            "{err}"
        );
    }

    #[test]
    fn nulls_and_missing_fields_read_as_empty() {
        let item = ConfigurationItem::from_notification_json(
            &json!({"resourceType": "T", "resourceId": "i", "configuration": null,
                    "supplementaryConfiguration": null, "tags": null}),
            "configurationItem",
        )
        .unwrap();
        assert_eq!(item.configuration, Value::Null);
        assert!(item.tags.is_empty());
        assert!(item.supplementary_configuration.is_empty());
    }

    #[test]
    fn missing_resource_id_is_named() {
        let err =
            ConfigurationItem::from_notification_json(&json!({"resourceType": "T"}), "invokingEvent.configurationItem")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed event: invokingEvent.configurationItem: missing field `resourceId`"
        );
    }

    #[test]
    fn integers_read_from_every_shape_aws_uses_and_never_misread_as_absent() {
        let cases: Vec<(Value, Result<Option<i64>, &str>)> = vec![
            (json!(25), Ok(Some(25))),
            // The Config resource schema types reservedConcurrentExecutions as a float.
            (json!(25.0), Ok(Some(25))),
            (json!("25"), Ok(Some(25))),
            (json!(" 7.0 "), Ok(Some(7))),
            (json!(-1), Ok(Some(-1))),
            (Value::Null, Ok(None)),
            (json!(2.5), Err("2.5 (not a whole number)")),
            (json!(1e300), Err("1e+300 (not a whole number)")),
            (json!("many"), Err("the text \"many\"")),
            (json!([25]), Err("an array")),
            (json!({"value": 25}), Err("an object")),
            (json!(true), Err("a boolean")),
        ];
        for (v, want) in cases {
            assert_eq!(read_integer(Some(&v)), want.map_err(str::to_string), "{v}");
        }
        assert_eq!(read_integer(None), Ok(None));
        assert_eq!(read_number(Some(&json!(12.5))), Ok(Some(12.5)));
        assert_eq!(read_number(Some(&json!("100"))), Ok(Some(100.0)));
        assert_eq!(read_number(Some(&json!({}))), Err("an object".to_string()));
        assert_eq!(read_bool(Some(&json!("TRUE"))), Ok(Some(true)));
        assert_eq!(read_bool(Some(&json!(1))), Err("a number".to_string()));
    }

    #[test]
    fn exemption_tag_matches_all_or_listed_ids() {
        let mut item =
            ConfigurationItem::from_notification_json(&json!({"resourceType": "T", "resourceId": "i"}), "x").unwrap();
        assert!(!item.is_exempt_from("rule-a"));
        item.tags.insert(EXEMPT_TAG.into(), "rule-b rule-a".into());
        assert!(item.is_exempt_from("rule-a"));
        assert!(!item.is_exempt_from("rule-c"));
        assert!(!item.is_exempt_from("rule"));
        item.tags.insert(EXEMPT_TAG.into(), "ALL".into());
        assert!(item.is_exempt_from("rule-c"));
    }
}
