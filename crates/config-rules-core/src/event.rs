//! The event AWS Config sends a custom rule's Lambda function.
//!
//! `invokingEvent` and `ruleParameters` arrive as JSON documents inside strings. [`RuleEvent`]
//! decodes both into a typed model and names the offending field when anything is malformed,
//! so that no evaluation is ever posted for an event that was not understood.

use aws_lambda_events::event::config::ConfigEvent;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::item::{ConfigurationItem, ItemSummary};
use crate::params::json_kind;
use crate::Error;

/// The token Config uses for test invocations; PutEvaluations then needs `TestMode=true`.
pub const TEST_MODE_TOKEN: &str = "TESTMODE";

/// What triggered the invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// `ConfigurationItemChangeNotification`: the item is in the event.
    Change {
        item: Box<ConfigurationItem>,
        notification_time: Option<DateTime<Utc>>,
    },
    /// `OversizedConfigurationItemChangeNotification`: only a summary; the engine fetches the
    /// item with `GetResourceConfigHistory`.
    Oversized {
        summary: ItemSummary,
        notification_time: Option<DateTime<Utc>>,
    },
    /// `ScheduledNotification`: a periodic run without an item.
    Scheduled {
        account_id: String,
        notification_time: DateTime<Utc>,
    },
}

impl Invocation {
    /// `notificationCreationTime`: when Config sent the notification.
    pub fn notification_time(&self) -> Option<DateTime<Utc>> {
        match self {
            Invocation::Change { notification_time, .. } | Invocation::Oversized { notification_time, .. } => {
                *notification_time
            }
            Invocation::Scheduled { notification_time, .. } => Some(*notification_time),
        }
    }

    /// The `messageType` this invocation came from.
    pub fn message_type(&self) -> &'static str {
        match self {
            Invocation::Change { .. } => "ConfigurationItemChangeNotification",
            Invocation::Oversized { .. } => "OversizedConfigurationItemChangeNotification",
            Invocation::Scheduled { .. } => "ScheduledNotification",
        }
    }
}

/// A decoded Config rule event.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleEvent {
    pub invocation: Invocation,
    /// `ruleParameters` decoded from its string (`None` when absent or empty).
    pub rule_parameters: Option<Value>,
    pub result_token: String,
    pub event_left_scope: bool,
    pub account_id: Option<String>,
    pub config_rule_name: Option<String>,
    pub config_rule_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    /// `DETECTIVE` or `PROACTIVE` (newer events); `None` when absent.
    pub evaluation_mode: Option<String>,
}

/// The crate's `ConfigEvent` lacks `evaluationMode`; read it beside the flattened event.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvent {
    #[serde(flatten)]
    base: ConfigEvent,
    #[serde(default)]
    evaluation_mode: Option<String>,
}

impl RuleEvent {
    /// True for test invocations (`resultToken` is `TESTMODE`).
    pub fn is_test_mode(&self) -> bool {
        self.result_token == TEST_MODE_TOKEN
    }

    /// Decodes the raw Lambda payload.
    pub fn parse(raw: &Value) -> Result<Self, Error> {
        let Value::Object(map) = raw else {
            return Err(Error::malformed(
                "event",
                format!("expected a JSON object, found {}", json_kind(raw)),
            ));
        };
        for (key, expect_string) in [
            ("invokingEvent", true),
            ("ruleParameters", true),
            ("resultToken", true),
            ("eventLeftScope", false),
        ] {
            match map.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(_)) if expect_string => {}
                Some(Value::Bool(_)) if !expect_string => {}
                Some(other) => {
                    let want = if expect_string { "a string" } else { "a boolean" };
                    return Err(Error::malformed(
                        key,
                        format!("expected {want}, found {}", json_kind(other)),
                    ));
                }
            }
        }
        let mut map = map.clone();
        map.entry("eventLeftScope").or_insert(Value::Bool(false));
        let wire = WireEvent::deserialize(Value::Object(map))
            .map_err(|e| Error::malformed("event", crate::serde_reason(&e)))?;
        let base = wire.base;

        let invoking_text = base
            .invoking_event
            .ok_or_else(|| Error::malformed("invokingEvent", "missing"))?;
        let invoking: Value = serde_json::from_str(&invoking_text)
            .map_err(|e| Error::malformed("invokingEvent", format!("not JSON: {}", crate::serde_reason(&e))))?;
        let invocation = parse_invocation(&invoking)?;

        let rule_parameters =
            match base.rule_parameters.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(serde_json::from_str(text).map_err(|e| {
                    Error::malformed("ruleParameters", format!("not JSON: {}", crate::serde_reason(&e)))
                })?),
            };
        let result_token = base
            .result_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::malformed("resultToken", "missing"))?;

        Ok(RuleEvent {
            invocation,
            rule_parameters,
            result_token,
            event_left_scope: base.event_left_scope,
            account_id: base.account_id,
            config_rule_name: base.config_rule_name,
            config_rule_arn: base.config_rule_arn,
            execution_role_arn: base.execution_role_arn,
            evaluation_mode: wire.evaluation_mode,
        })
    }
}

fn parse_invocation(inv: &Value) -> Result<Invocation, Error> {
    if !inv.is_object() {
        return Err(Error::malformed(
            "invokingEvent",
            format!("expected a JSON object, found {}", json_kind(inv)),
        ));
    }
    let message_type = inv
        .get("messageType")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::malformed("invokingEvent.messageType", "missing"))?;
    let notification_time = time_field(inv, "notificationCreationTime")?;
    match message_type {
        "ConfigurationItemChangeNotification" => {
            let raw = inv
                .get("configurationItem")
                .ok_or_else(|| Error::malformed("invokingEvent.configurationItem", "missing"))?;
            let item = ConfigurationItem::from_notification_json(raw, "invokingEvent.configurationItem")?;
            Ok(Invocation::Change {
                item: Box::new(item),
                notification_time,
            })
        }
        "OversizedConfigurationItemChangeNotification" => {
            let field = "invokingEvent.configurationItemSummary";
            let raw = inv
                .get("configurationItemSummary")
                .ok_or_else(|| Error::malformed(field, "missing"))?;
            let summary =
                ItemSummary::deserialize(raw).map_err(|e| Error::malformed(field, crate::serde_reason(&e)))?;
            Ok(Invocation::Oversized {
                summary,
                notification_time,
            })
        }
        "ScheduledNotification" => {
            let account_id = inv
                .get("awsAccountId")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::malformed("invokingEvent.awsAccountId", "missing"))?
                .to_string();
            let notification_time = notification_time
                .ok_or_else(|| Error::malformed("invokingEvent.notificationCreationTime", "missing"))?;
            Ok(Invocation::Scheduled {
                account_id,
                notification_time,
            })
        }
        other => Err(Error::malformed(
            "invokingEvent.messageType",
            format!("unknown message type {other:?}"),
        )),
    }
}

fn time_field(v: &Value, key: &str) -> Result<Option<DateTime<Utc>>, Error> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| {
                Error::malformed(
                    format!("invokingEvent.{key}"),
                    format!("{s:?} is not an RFC 3339 time: {e}"),
                )
            }),
        Some(other) => Err(Error::malformed(
            format!("invokingEvent.{key}"),
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}
